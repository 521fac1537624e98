#!/usr/bin/python3
"""test_service.py: scobot as a systemd service, end to end: the real binary
under a real sd_notify listener (a unix datagram socket this test owns), with
the local Matrix homeserver fixture as its platform, credentials from a
CREDENTIALS_DIRECTORY, and the /healthz and /metrics listener; plus the units
checked with systemd-analyze. Each scenario gets a fresh fixture and state.

usage: test_service.py SCOBOT FAKE_HOMESERVER FACTS_DIR UNIT_DIR FAKE_DISCORD [scenario ...]
"""
import http.client
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.error
import urllib.request
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import exit_status as ex  # noqa: E402  (the numbers in src/core/host.h)

PY = "/usr/bin/python3"
BOT = "@scobot:test"
# `meson test --setup valgrind` sets SCOBOT_WRAPPER to a memcheck command line
# that scobot runs under (exit status 99 on a memcheck error); waits stretch by
# SLOW because scobot is ~20x slower there.
WRAPPER = shlex.split(os.environ.get("SCOBOT_WRAPPER", ""))
SLOW = 10 if WRAPPER else 1
VALGRIND_ERROR = 99
# Exit statuses of src/core/host.h that no restart can fix.
FATAL_STATUSES = ex.FATAL


def wait_until(pred, timeout, what):
    end = time.monotonic() + timeout * SLOW
    while time.monotonic() < end:
        v = pred()
        if v:
            return v
        time.sleep(0.05)
    raise AssertionError("timed out waiting for " + what)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Homeserver:
    def __init__(self, script):
        self.p = subprocess.Popen([PY, script, "--user", BOT], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        line = self.p.stdout.readline().split()
        if not line or line[0] != "PORTS":
            raise RuntimeError("fixture did not start: " + self.p.stderr.read())
        self.url = "http://127.0.0.1:%s" % line[1]
        self.ctl_port = int(line[2])

    def ctl(self, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request("http://127.0.0.1:%d/_test/%s" % (self.ctl_port, path),
                                     data=data, method="POST" if data is not None else "GET")
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read())

    def close(self):
        self.p.kill()
        self.p.wait()


class NotifyListener:
    """The service manager's end of sd_notify: a datagram socket we bind."""

    def __init__(self, path):
        # "@name" is the abstract namespace, as systemd may hand out.
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind("\0" + path[1:] if path.startswith("@") else path)
        self.sock.settimeout(0.2)
        self.msgs = []          # (monotonic time, {key: value}) in arrival order
        self.lock = threading.Lock()
        self.stop = False
        self.t = threading.Thread(target=self._run, daemon=True)
        self.t.start()

    def _run(self):
        while not self.stop:
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                return
            kv = {}
            for line in data.decode("utf-8", "strict").split("\n"):
                if not line:
                    continue
                k, sep, v = line.partition("=")
                assert sep and re.fullmatch(r"[A-Z_]+", k), "bad notify line %r" % line
                kv[k] = v
            with self.lock:
                self.msgs.append((time.monotonic(), kv))

    def all(self):
        with self.lock:
            return list(self.msgs)

    def index(self, key, value=None, after=0):
        """Index of the first message at or after `after` carrying key (=value)."""
        for i, (_, kv) in enumerate(self.all()):
            if i >= after and key in kv and (value is None or kv[key] == value):
                return i
        return -1

    def wait(self, key, value=None, after=0, timeout=20):
        try:
            return wait_until(lambda: self.index(key, value, after) + 1, timeout, "notify") - 1
        except AssertionError:
            raise AssertionError("no %s=%s after message #%d; got %r"
                                 % (key, value, after, self.all())) from None

    def close(self):
        self.stop = True
        self.t.join(timeout=2)
        self.sock.close()


class Ctx:
    def __init__(self, args):
        self.scobot, self.fixture, self.facts_src, self.unit_dir, self.fake_discord = args
        self.dir = tempfile.mkdtemp(prefix="scobot-svc-it-")
        self.hs = None
        self.p = None
        self.notify = None
        self.log = []
        self.metrics_port = None
        self.discord = None

    def start_homeserver(self):
        self.hs = Homeserver(self.fixture)
        return self.hs

    def start_discord(self, token, shards):
        """The Discord fixture on an ephemeral port; returns its base URL."""
        portfile = os.path.join(self.dir, "discord.port")
        self.discord = subprocess.Popen(
            [PY, self.fake_discord, "--port", "0", "--portfile", portfile, "--token", token,
             "--shards", str(shards), "--heartbeat-ms", "500"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        wait_until(lambda: os.path.exists(portfile) and open(portfile).read().strip(), 10,
                   "the Discord fixture")
        return "http://127.0.0.1:%s" % open(portfile).read().strip()

    def discord_ctl(self, what):
        with urllib.request.urlopen(self.discord_url + "/_test/" + what, timeout=10) as r:
            return json.loads(r.read())

    def write_discord_config(self, url):
        self.discord_url = url
        self.conf = os.path.join(self.dir, "scobot.conf")
        with open(self.conf, "w") as f:
            f.write("[general]\nstate_dir = %s\n" % (self.dir + "/state"))
            f.write("[discord]\napi_base = %s/api/v10\n" % url)
        os.chmod(self.conf, 0o600)

    def write_config(self, extra="", stall=90, ready_timeout=30):
        self.facts = os.path.join(self.dir, "facts")
        if not os.path.isdir(self.facts):
            shutil.copytree(self.facts_src, self.facts,
                            ignore=shutil.ignore_patterns("*.build", "README*"))
        self.metrics_port = free_port()
        self.conf = os.path.join(self.dir, "scobot.conf")
        with open(self.conf, "w") as f:
            f.write("[general]\nstate_dir = %s\nfacts_dir = %s\n" % (self.dir + "/state", self.facts))
            f.write("[log]\nlevel = info\n")
            f.write("[service]\nstall_seconds = %d\nready_timeout_seconds = %d\n" % (stall, ready_timeout))
            f.write("[metrics]\nlisten = 127.0.0.1:%d\n" % self.metrics_port)
            f.write("[matrix]\nhomeserver = %s\nuser_id = %s\n" % (self.hs.url, BOT))
            f.write(extra)
        os.chmod(self.conf, 0o600)

    def credentials(self, token, name):
        cred = os.path.join(self.dir, "creds")
        os.makedirs(cred, exist_ok=True)
        with open(os.path.join(cred, name), "w") as f:
            f.write(token + "\n")
        os.chmod(os.path.join(cred, name), 0o400)
        return cred

    def start(self, token, watchdog_usec=400000, abstract=False, cred="matrix-token",
              args=()):
        self.notify = NotifyListener("@" + os.path.basename(self.dir) + "-notify" if abstract
                                     else os.path.join(self.dir, "notify.sock"))
        env = dict(os.environ)
        env.pop("JOURNAL_STREAM", None)
        env["NOTIFY_SOCKET"] = self.notify.path
        env["WATCHDOG_USEC"] = str(watchdog_usec)
        env["CREDENTIALS_DIRECTORY"] = self.credentials(token, cred)
        self.token = token
        # A fixed today: answers about "now" do not follow the clock.
        self.p = subprocess.Popen(WRAPPER + [self.scobot, "--config", self.conf,
                                             "--today", "2026-12-06"] + list(args), env=env,
                                  stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, text=True)
        self.t = threading.Thread(target=self._read, daemon=True)
        self.t.start()

    def _read(self):
        for line in self.p.stderr:
            self.log.append(line)

    def text(self):
        return "".join(self.log)

    def http(self, path):
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d%s" % (self.metrics_port, path),
                                        timeout=5) as r:
                return r.status, r.read().decode(), r.headers
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode(), e.headers

    def stop(self, sig=signal.SIGTERM):
        if self.p.poll() is None:
            self.p.send_signal(sig)
        rc = self.p.wait(timeout=20 * SLOW)
        self.t.join(timeout=5)
        assert rc != VALGRIND_ERROR, "memcheck errors:\n" + self.text()
        return rc

    def close(self):
        if self.p and self.p.poll() is None:
            self.p.kill()
            self.p.wait()
        if self.notify:
            self.notify.close()
        if self.hs:
            self.hs.close()
        if self.discord:
            self.discord.kill()
            self.discord.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def room(hs):
    return hs.ctl("room", {"join_bot": True, "members": ["@bob:test"]})["room_id"]


def say(hs, room_id, body):
    return hs.ctl("message", {"room_id": room_id, "body": body, "sender": "@bob:test"})["event_id"]


def replied(hs, event_id):
    for s in hs.ctl("sent")["sent"]:
        if s["content"].get("m.relates_to", {}).get("m.in_reply_to", {}).get("event_id") == event_id:
            return s["content"]["body"]
    return None


# ---- a strict Prometheus text-format (0.0.4) parser ------------------------

METRIC_NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\["\\n])*)"'
SAMPLE_RE = re.compile(r"^(%s)(?:\{((?:%s)(?:,%s)*)\})? (\S+)$" % (METRIC_NAME, LABEL, LABEL))


def parse_prometheus(text):
    """{(name, frozenset(labels)): value} and {family: type}; raises on any deviation."""
    assert text.endswith("\n"), "exposition must end with a newline"
    types, helps, samples = {}, set(), {}
    seen_families = []
    for n, line in enumerate(text[:-1].split("\n"), 1):
        assert line, "line %d: empty line" % n
        if line.startswith("# HELP "):
            name = line.split(" ", 3)[2]
            assert re.fullmatch(METRIC_NAME, name) and name not in helps, "line %d: %r" % (n, line)
            helps.add(name)
            continue
        if line.startswith("# TYPE "):
            parts = line.split(" ")
            assert len(parts) == 4 and parts[3] in ("counter", "gauge", "histogram", "summary", "untyped"), line
            assert parts[2] not in types, "line %d: second TYPE for %s" % (n, parts[2])
            types[parts[2]] = parts[3]
            seen_families.append(parts[2])
            continue
        assert not line.startswith("#"), "line %d: stray comment %r" % (n, line)
        m = SAMPLE_RE.match(line)
        assert m, "line %d: not a sample: %r" % (n, line)
        name = m.group(1)
        labels = frozenset(re.findall(LABEL, m.group(2) or ""))
        assert len(labels) == len(re.findall(LABEL, m.group(2) or "")), "duplicate label: " + line
        value = float(m.group(m.lastindex))
        family = name
        for suf in ("_bucket", "_sum", "_count"):
            if name.endswith(suf) and types.get(name[:-len(suf)]) == "histogram":
                family = name[:-len(suf)]
        assert family in types, "line %d: sample before its TYPE: %r" % (n, line)
        assert seen_families[-1] == family, "line %d: family %s is interleaved" % (n, family)
        if types[family] == "counter":
            assert value >= 0, line
        key = (name, labels)
        assert key not in samples, "line %d: duplicate sample %r" % (n, line)
        samples[key] = value
    for fam, ty in types.items():
        if ty != "histogram":
            continue
        buckets = sorted(((float("inf") if dict(l)["le"] == "+Inf" else float(dict(l)["le"])), v)
                         for (nm, l), v in samples.items() if nm == fam + "_bucket")
        assert buckets and buckets[-1][0] == float("inf"), fam + ": no +Inf bucket"
        assert all(a[1] <= b[1] for a, b in zip(buckets, buckets[1:])), fam + ": not cumulative"
        assert samples[(fam + "_count", frozenset())] == buckets[-1][1], fam + ": count != +Inf"
    return samples, types


def sample(samples, name, **labels):
    return samples.get((name, frozenset(labels.items())))


# ---- scenarios ---------------------------------------------------------------


def t_notify_ready_status_watchdog_reload_and_stop(c):
    hs = c.start_homeserver()
    token = hs.ctl("token", {})["token"]
    r = room(hs)
    c.write_config()
    c.start(token)
    n = c.notify
    ready = n.wait("READY", "1")
    status = n.all()[ready][1].get("STATUS", "")
    assert "matrix: ready" in status, status
    # The watchdog pings come from the loop while the sync advances.
    n.wait("WATCHDOG", "1", after=ready)
    # Live state is reported in one STATUS line that counts answers.
    q = say(hs, r, "!sco sg 2011")
    wait_until(lambda: replied(hs, q), 15, "an answer")
    assert "Imanaliev" in replied(hs, q)

    # SIGHUP with good files: RELOADING=1 (with MONOTONIC_USEC), then READY=1,
    # and the reloadable config (a room's default language) applies at once.
    with open(c.conf, "a") as f:
        f.write("[room matrix:%s]\nlang = ru\n" % r)
    mark = len(n.all())
    c.p.send_signal(signal.SIGHUP)
    i = n.wait("RELOADING", "1", after=mark)
    assert re.fullmatch(r"\d+", n.all()[i][1].get("MONOTONIC_USEC", "")), n.all()[i]
    j = n.wait("READY", "1", after=i + 1)
    st = n.all()[j][1]["STATUS"]
    assert "reloaded" in st and "1 answers" in st, st
    q = say(hs, r, "!sco sg 2011")
    wait_until(lambda: replied(hs, q), 15, "an answer after the reload")
    assert re.search("[а-яА-Я]", replied(hs, q)), replied(hs, q)

    # SIGHUP with a broken facts file: refused with file and position, old table live.
    with open(os.path.join(c.facts, "zz-broken.json"), "w") as f:
        f.write('{"facts": [\n  {"id": 1,,}\n')
    mark = len(n.all())
    c.p.send_signal(signal.SIGHUP)
    i = n.wait("RELOADING", "1", after=mark)
    j = n.wait("READY", "1", after=i + 1)
    st = n.all()[j][1]["STATUS"]
    assert "facts reload refused" in st and "zz-broken.json" in st, st
    q2 = say(hs, r, "!sco sg 2016")
    wait_until(lambda: replied(hs, q2), 15, "an answer after a refused reload")
    assert "Алимов" in replied(hs, q2), replied(hs, q2)
    os.unlink(os.path.join(c.facts, "zz-broken.json"))

    # SIGHUP with a broken config: refused naming file:line; the old settings stay.
    lines = open(c.conf).read().split("\n")
    bad_line = lines.index("level = info") + 1
    lines[bad_line - 1] = "level = loud"
    with open(c.conf, "w") as f:
        f.write("\n".join(lines))
    mark = len(n.all())
    c.p.send_signal(signal.SIGHUP)
    j = n.wait("READY", "1", after=n.wait("RELOADING", "1", after=mark) + 1)
    st = n.all()[j][1]["STATUS"]
    assert "reload refused" in st and "scobot.conf:%d" % bad_line in st, st

    # The connection stayed up through three reloads: one login-free start, one first sync.
    assert c.text().count("first sync") == 1, c.text()
    assert hs.ctl("stats")["logins"] == 0

    # A good config again, now at level warn: it applies at once, so this
    # reload's own notices are already quiet.
    lines[bad_line - 1] = "level = warn"
    with open(c.conf, "w") as f:
        f.write("\n".join(lines))
    before = c.text().count("config reloaded")
    mark = len(n.all())
    c.p.send_signal(signal.SIGHUP)
    j = n.wait("READY", "1", after=n.wait("RELOADING", "1", after=mark) + 1)
    assert "reloaded" in n.all()[j][1]["STATUS"], n.all()[j]
    time.sleep(0.2)
    assert c.text().count("config reloaded") == before, c.text()

    # SIGTERM: STOPPING=1, exit 0.
    mark = len(n.all())
    assert c.stop() == 0, c.text()
    n.wait("STOPPING", "1", after=mark, timeout=5)
    # The statuses seen form the promised order.
    keys = [k for _, kv in n.all() for k in kv if k in ("READY", "RELOADING", "STOPPING")]
    assert keys[0] == "READY" and keys[-1] == "STOPPING", keys
    assert token not in c.text()


def t_metrics_parse_and_healthz_flips_when_homeserver_drops(c):
    hs = c.start_homeserver()
    token = hs.ctl("token", {})["token"]
    r = room(hs)
    # A short stall window, kept green by a steady trickle of room traffic.
    c.write_config(stall=2)
    c.start(token)
    c.notify.wait("READY", "1")
    stop = threading.Event()

    def chatter():
        while not stop.is_set():
            try:
                say(hs, r, "just chatting")
            except Exception:
                pass
            stop.wait(0.3)

    th = threading.Thread(target=chatter, daemon=True)
    th.start()
    try:
        for q in ("!sco sg 2011", "!sco nosuchcommand", "!sco ask what is the weather on mars"):
            e = say(hs, r, q)
            wait_until(lambda: replied(hs, e), 15, "answer to " + q)
        code, body, _ = c.http("/healthz")
        assert code == 200 and body == "ok\n", (code, body)
        code, body, hdr = c.http("/metrics")
        assert code == 200 and hdr["Content-Type"].startswith("text/plain; version=0.0.4"), hdr
        s, types = parse_prometheus(body)
        assert sample(s, "scobot_answers_total", platform="matrix", command="sg") == 1, body
        assert sample(s, "scobot_unanswered_total", platform="matrix", reason="unknown_command") == 1, body
        assert sample(s, "scobot_unanswered_total", platform="matrix", reason="not_sure") == 1, body
        assert sample(s, "scobot_platform_up", platform="matrix") == 1, body
        assert sample(s, "scobot_facts_loaded") >= 10, body
        assert types["scobot_matrix_sync_lag_seconds"] == "gauge"
        # The lag is the age of the newest event when its sync arrived: the
        # fixture stamps events with its own clock, the same as ours.
        assert 0 <= sample(s, "scobot_matrix_sync_lag_seconds") < 30, body
        assert sample(s, "scobot_matrix_syncs_total", result="ok") >= 1, body
        assert c.http("/nothing")[0] == 404

        # A reply counts in the latency histogram once its PUT came back,
        # which may be just after the fixture recorded it.
        def latency_count():
            return sample(parse_prometheus(c.http("/metrics")[1])[0],
                          "scobot_reply_latency_seconds_count")
        wait_until(lambda: latency_count() == 3, 10, "three replies in the latency histogram")
        s, _ = parse_prometheus(c.http("/metrics")[1])
        assert 0 < sample(s, "scobot_reply_latency_seconds_sum") < 3 * 15, s

        # A 429 on the next send is waited out and counted as one.
        hs.ctl("fault", {"endpoint": "send", "kind": "429", "retry_after_ms": 300})
        e = say(hs, r, "!sco sg 2016")
        wait_until(lambda: replied(hs, e), 15, "an answer after a 429")
        s, _ = parse_prometheus(c.http("/metrics")[1])
        assert sample(s, "scobot_http_429_total", platform="matrix", scope="homeserver") == 1, s
        assert sample(s, "scobot_ratelimit_waits_total", platform="matrix") == 1, s
        assert sample(s, "scobot_rest_errors_total", platform="matrix", status="429") == 1, s

        hs.ctl("down", {"seconds": 6})
        # The adapter reports the failed sync itself (host.lost): 503 at once,
        # well before stall_seconds could notice.
        wait_until(lambda: c.http("/healthz")[0] == 503, 15, "healthz 503")
        code, body, _ = c.http("/healthz")
        assert code == 503 and body.startswith("matrix: connection lost ("), body
        s, _ = parse_prometheus(c.http("/metrics")[1])
        assert sample(s, "scobot_platform_up", platform="matrix") == 0
        assert sample(s, "scobot_platform_lost_total", platform="matrix") == 1, s
        assert sample(s, "scobot_rest_errors_total", platform="matrix", status="network") >= 1, s
        # Once stall_seconds pass without progress, no watchdog pings (a datagram
        # already in flight may land first). Before that the adapter's own
        # reconnects get their chance: a restart would not help them.
        time.sleep(2.5)
        mark = len(c.notify.all())
        time.sleep(1.0)
        assert c.notify.index("WATCHDOG", after=mark) < 0, c.notify.all()[mark:]
        # Back up: syncs advance again, health and the watchdog return.
        wait_until(lambda: c.http("/healthz")[0] == 200, 40, "healthz 200 again")
        c.notify.wait("WATCHDOG", "1", after=len(c.notify.all()))
        # The adapter reports ready again after the loss: a reconnect is counted.
        s, _ = parse_prometheus(c.http("/metrics")[1])
        assert sample(s, "scobot_platform_ready_total", platform="matrix") == 2, s
    finally:
        stop.set()
        th.join(timeout=5)
    assert c.stop() == 0, c.text()


def t_ready_after_the_timeout_when_a_platform_cannot_connect(c):
    hs = c.start_homeserver()
    token = hs.ctl("token", {})["token"]
    # Nothing listens there: the adapter keeps retrying, boot must not hang.
    hs.url = "http://127.0.0.1:%d" % free_port()
    c.write_config(ready_timeout=2, stall=1)
    c.start(token)
    i = c.notify.wait("READY", "1", timeout=15)
    st = c.notify.all()[i][1]["STATUS"]
    assert "ready after the timeout" in st and "matrix: connecting" in st, st
    # Past stall_seconds, yet still pinging: a first connection is not a stall.
    c.notify.wait("WATCHDOG", "1", after=i)
    code, body, _ = c.http("/healthz")
    assert code == 503 and body == "matrix: not connected yet\n", (code, body)
    assert c.stop() == 0, c.text()


DISCORD_TOKEN = "discord-test-token.abc"


def t_discord_shard_range_ready_watchdog_and_resumable_stop(c):
    c.write_discord_config(c.start_discord(DISCORD_TOKEN, shards=2))
    # What scobot@1.service does: this process runs shard 1 of 2, with its own state.
    own = os.path.join(c.dir, "scobot-1")
    c.start(DISCORD_TOKEN, cred="discord-token", args=["--shard-ids", "1", "--state-dir", own])
    n = c.notify
    i = n.wait("READY", "1")
    st = n.all()[i][1]["STATUS"]
    assert st.startswith("discord: ready, last progress") and "discord: discord" not in st, st
    n.wait("WATCHDOG", "1", after=i)
    shards = [e["shard"] for e in c.discord_ctl("log") if e["kind"] == "identify_ok"]
    assert shards == [[1, 2]], shards
    mark = len(n.all())
    assert c.stop() == 0, c.text()
    n.wait("STOPPING", "1", after=mark, timeout=5)
    closes = [e for e in c.discord_ctl("log") if e["kind"] == "disconnect"]
    # 1000/1001 would invalidate the session; anything else keeps it resumable.
    assert closes and all(e["code"] not in (1000, 1001) for e in closes), closes
    # The session was saved for the next start to resume, in the instance's directory.
    assert os.path.exists(os.path.join(own, "discord-session-1.json")), os.listdir(own)
    assert not os.path.exists(os.path.join(c.dir, "state")), "the config's state_dir was used"
    assert DISCORD_TOKEN not in c.text()


def t_discord_metrics_count_reconnects_429s_and_healthz_flips_on_a_drop(c):
    url = c.start_discord(DISCORD_TOKEN, shards=1)
    c.write_discord_config(url)
    c.metrics_port = free_port()
    with open(c.conf, "a") as f:
        f.write("[metrics]\nlisten = 127.0.0.1:%d\n" % c.metrics_port)
    c.start(DISCORD_TOKEN, cred="discord-token")
    c.notify.wait("READY", "1")

    def post(path, body):
        req = urllib.request.Request(c.discord_url + "/_test/" + path, data=json.dumps(body).encode(),
                                     method="POST", headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read())

    def metrics():
        return parse_prometheus(c.http("/metrics")[1])[0]

    def posts_replying_to(mid):
        return [p for p in c.discord_ctl("posts")
                if (p.get("message_reference") or {}).get("message_id") == mid]

    assert c.http("/healthz")[0] == 200
    # A route 429 on the next reply: waited out, retried, counted.
    post("fault", {"kind": "rest_429", "retry_after": 0.3, "route": "create_message"})
    mid = post("message", {"content": "!sco sg 2011"})["id"]
    wait_until(lambda: posts_replying_to(mid), 15, "a reply after a 429")
    wait_until(lambda: sample(metrics(), "scobot_reply_latency_seconds_count") == 1, 10,
               "the reply in the latency histogram")
    s = metrics()
    assert sample(s, "scobot_http_429_total", platform="discord", scope="route") == 1, s
    assert sample(s, "scobot_http_429_total", platform="discord", scope="global") == 0, s
    assert sample(s, "scobot_rest_errors_total", platform="discord", status="429") == 1, s
    assert sample(s, "scobot_ratelimit_waits_total", platform="discord") >= 1, s
    assert sample(s, "scobot_ratelimit_wait_seconds_total", platform="discord") > 0, s
    # Arrival to reply sent includes the 0.3 s wait.
    assert 0.3 <= sample(s, "scobot_reply_latency_seconds_sum") < 15, s
    assert sample(s, "scobot_discord_identifies_total") == 1, s
    assert sample(s, "scobot_discord_identifies_today") == 1, s
    assert sample(s, "scobot_discord_shards_ready") == 1, s
    # Heartbeats every 500 ms: an ACK has come back by now.
    wait_until(lambda: sample(metrics(), "scobot_discord_heartbeat_ack_latency_seconds") is not None,
               10, "a heartbeat ACK")
    s = metrics()
    assert 0 <= s[("scobot_discord_heartbeat_ack_latency_seconds", frozenset())] \
        <= s[("scobot_discord_heartbeat_ack_latency_max_seconds", frozenset())] < 10, s

    # An abrupt TCP drop: the shard reports it at once, /healthz says why,
    # then the bot resumes and is ready (and healthy) again.
    mark = len(c.notify.all())
    assert post("fault", {"kind": "drop"})["ok"]
    wait_until(lambda: sample(metrics(), "scobot_discord_reconnects_total", reason="drop") == 1,
               10, "the drop noticed")
    wait_until(lambda: sample(metrics(), "scobot_discord_resumes_total", reason="drop") == 1, 20,
               "a resume after the drop")
    wait_until(lambda: c.http("/healthz")[0] == 200, 10, "healthz 200 after the resume")
    s = metrics()
    assert sample(s, "scobot_discord_reconnects_total", reason="drop") == 1, s
    assert sample(s, "scobot_discord_reconnects_total", reason="zombie") == 0, s
    assert sample(s, "scobot_platform_lost_total", platform="discord") == 1, s
    assert sample(s, "scobot_platform_ready_total", platform="discord") == 2, s
    assert sample(s, "scobot_discord_identifies_total") == 1, s
    assert "platform connection lost platform=discord reason=drop" in c.text(), c.text()

    # op 7: counted under its own reason, and resumed.
    assert post("fault", {"kind": "reconnect"})["ok"]
    wait_until(lambda: sample(metrics(), "scobot_discord_resumes_total", reason="op7_reconnect") == 1,
               20, "a resume after op 7")
    s = metrics()
    assert sample(s, "scobot_discord_reconnects_total", reason="op7_reconnect") == 1, s
    assert c.stop() == 0, c.text()
    assert DISCORD_TOKEN not in c.text()


def t_discord_refused_token_exits_nopermission(c):
    c.write_discord_config(c.start_discord(DISCORD_TOKEN, shards=1))
    c.start("not-the-token", cred="discord-token")
    rc = c.p.wait(timeout=30 * SLOW)
    c.t.join(timeout=5)
    assert rc == ex.DISCORD_AUTH, (rc, c.text())
    assert "not-the-token" not in c.text()


def raw_http(port, data, read_timeout=10):
    """Sends raw bytes and returns (what came back, seconds until the server closed)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=read_timeout)
    t0 = time.monotonic()
    try:
        if data:
            s.sendall(data)
        got = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            got += chunk
        return got, time.monotonic() - t0
    finally:
        s.close()


def t_metrics_listener_is_bounded(c):
    hs = c.start_homeserver()
    token = hs.ctl("token", {})["token"]
    c.write_config()
    c.start(token)
    c.notify.wait("READY", "1")
    port = c.metrics_port
    got, _ = raw_http(port, b"POST /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
    assert got.startswith(b"HTTP/1.1 405 "), got
    got, _ = raw_http(port, b"GET /metrics HTTP/1.1\r\nX-Pad: " + b"a" * 8000 + b"\r\n\r\n")
    assert got.startswith(b"HTTP/1.1 431 "), got
    got, _ = raw_http(port, b"garbage\r\n\r\n")
    assert got.startswith(b"HTTP/1.1 400 "), got
    got, _ = raw_http(port, b"GET /healthz?x=1 HTTP/1.0\r\n\r\n")
    assert got.startswith(b"HTTP/1.1 200 ") and got.endswith(b"\r\n\r\nok\n"), got
    # A client that never finishes its request is dropped (slowloris), while
    # other clients are still served.
    slow = [socket.create_connection(("127.0.0.1", port)) for _ in range(3)]
    for s in slow:
        s.sendall(b"GET /metrics HTTP/1.1\r\n")
    assert c.http("/healthz")[0] == 200
    got, secs = raw_http(port, b"GET /metrics HTTP/1.1\r\n", read_timeout=15)
    assert got == b"" and 3 < secs < 12, (got, secs)
    for s in slow:
        s.close()
    # A connection that sends nothing is closed after HTTPD_IDLE_MS (1 s), not
    # held for the whole 5 s head deadline.
    got, secs = raw_http(port, b"", read_timeout=15)
    assert got == b"" and 0.5 < secs < 2.5, (got, secs)
    # A flood of HTTPD_MAX_CONNS (16) idle connections, reopened as they are
    # dropped, cannot keep /healthz from answering: a new connection replaces
    # the oldest idle one.
    idle = []
    for rnd in range(3):
        idle += [socket.create_connection(("127.0.0.1", port)) for _ in range(16)]
        for _ in range(3):
            got, _ = raw_http(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", read_timeout=5)
            assert got.startswith(b"HTTP/1.1 200 ") and got.endswith(b"ok\n"), (rnd, got)
        time.sleep(0.3)
    # The oldest of the flood was closed by the server first.
    idle[0].settimeout(5)
    assert idle[0].recv(1) == b""
    for s in idle:
        s.close()
    assert c.stop() == 0, c.text()


def t_unsafe_state_dir_is_refused_at_start_as_notconfigured(c):
    """A state_dir that is not a directory, is world-writable, belongs to
    another user or cannot be written is a config error at start, not a
    "cannot save the session" at stop."""
    hs = c.start_homeserver()
    token = hs.ctl("token", {})["token"]
    c.write_config()
    plain = os.path.join(c.dir, "plain-file")
    open(plain, "w").close()
    wide = os.path.join(c.dir, "wide")
    os.mkdir(wide)
    os.chmod(wide, 0o777)
    cases = [(plain, "it is not a directory"),
             (wide, "it is writable by others (mode 0777)"),
             ("/proc/self", "cannot write in it")]
    if os.geteuid() == 0:
        other = os.path.join(c.dir, "other")
        os.mkdir(other, 0o700)
        os.chown(other, 65534, 65534)
        cases.append((other, "owned by uid 65534"))
    text = open(c.conf).read()
    for state_dir, why in cases:
        with open(c.conf, "w") as f:
            f.write(text.replace(c.dir + "/state", state_dir))
        c.log = []
        c.start(token)
        rc = c.p.wait(timeout=30 * SLOW)
        c.t.join(timeout=5)
        c.notify.close()
        os.unlink(c.notify.path)
        c.notify = None
        assert rc == ex.CONFIG, (state_dir, rc, c.text())
        assert "refusing the state directory" in c.text() and why in c.text(), c.text()
    # a fresh one is created 0700 and used
    with open(c.conf, "w") as f:
        f.write(text)
    c.log = []
    c.start(token)
    c.notify.wait("READY", "1")
    assert c.stop() == 0, c.text()
    assert os.stat(c.dir + "/state").st_mode & 0o7777 == 0o700


def t_exit_statuses_are_the_ones_systemd_names(c):
    """systemctl prints an exit status by its systemd.exec(5) name: a bad
    config must read "6/NOTCONFIGURED" and a refused token "4/NOPERMISSION",
    never "3/NOTIMPLEMENTED"; --help and the units say the same."""
    names = ex.SYSTEMD_NAMES
    assert names[ex.CONFIG] == "NOTCONFIGURED" and names[ex.FACTS] == "NOTCONFIGURED", ex.EXIT
    assert names[ex.DISCORD_AUTH] == "NOPERMISSION" and names[ex.MATRIX_AUTH] == "NOPERMISSION", ex.EXIT
    assert names[ex.USAGE] == "INVALIDARGUMENT" and names[ex.RUNTIME] == "FAILURE", ex.EXIT
    helptext = subprocess.run([c.scobot, "--help"], capture_output=True, text=True, timeout=30).stdout
    for status in sorted(ex.FATAL | {ex.RUNTIME}):
        assert "%d %s" % (status, names[status]) in helptext, (status, helptext)
    for name in ("scobot.service", "scobot@.service"):
        unit = open(os.path.join(c.unit_dir, name + ".in")).read()
        keys = {}
        for line in unit.splitlines():
            if "=" in line and not line.startswith("#"):
                k, v = line.split("=", 1)
                keys.setdefault(k, []).append(v)
        prevented = {int(x) for v in keys["RestartPreventExitStatus"] for x in v.split()}
        assert prevented == ex.FATAL, (name, prevented)
        # A missing credential file fails in systemd before scobot runs
        # (243/CREDENTIALS) and restarts forever unless a start limit, which
        # the restarts can reach, ends it.
        assert 243 not in prevented
        burst = int(keys["StartLimitBurst"][0])
        interval = keys["StartLimitIntervalSec"][0]
        secs = int(interval[:-3]) * 60 if interval.endswith("min") else int(interval.rstrip("s"))
        restart_sec = int(keys["RestartSec"][0].rstrip("s"))
        assert 1 < burst <= 10 and burst * restart_sec < secs, (name, burst, restart_sec, secs)
        assert unit.index("StartLimitBurst") < unit.index("[Service]"), "StartLimit* belong in [Unit]"


def t_bad_token_exits_with_a_restart_prevented_status(c):
    hs = c.start_homeserver()
    hs.ctl("token", {})
    c.write_config()
    c.start("syt_not_the_token_the_server_issued", abstract=True)
    rc = c.p.wait(timeout=30 * SLOW)
    c.t.join(timeout=5)
    assert rc == ex.MATRIX_AUTH, (rc, c.text())
    unit = open(os.path.join(c.unit_dir, "scobot.service.in")).read()
    prevented = set()
    for line in unit.splitlines():
        if line.startswith("RestartPreventExitStatus="):
            prevented |= {int(x) for x in line.split("=", 1)[1].split()}
    assert rc in prevented and prevented == FATAL_STATUSES, prevented
    assert "syt_not_the_token" not in c.text()
    # Through an abstract-namespace socket this time.
    c.notify.wait("STOPPING", "1", timeout=5)


def analyze(*args):
    return subprocess.run(["systemd-analyze"] + list(args), capture_output=True, text=True,
                          timeout=60)


def t_units_verify_and_exposure_is_at_most_1_5(c):
    if not shutil.which("systemd-analyze"):
        raise AssertionError("systemd-analyze is missing (Debian package: systemd)")
    for name in ("scobot.service", "scobot@.service"):
        text = open(os.path.join(c.unit_dir, name + ".in")).read()
        # The install paths meson substitutes; verify checks that ExecStart
        # exists, so it points at the built binary.
        text = text.replace("@confdir@", "/etc/scobot").replace("@bindir@", "/usr/bin")
        text = re.sub(r"^ExecStart=\S+", "ExecStart=" + c.scobot, text, flags=re.M)
        path = os.path.join(c.dir, name)
        with open(path, "w") as f:
            f.write(text)
        target = path if "@." not in name else os.path.join(c.dir, "scobot@0-3.service")
        if target != path:
            os.symlink(path, target)
        v = analyze("verify", "--man=no", target)
        assert v.returncode == 0 and not v.stderr.strip(), "verify %s:\n%s%s" % (name, v.stdout, v.stderr)
        sec = analyze("security", "--offline=true", target)
        m = re.search(r"Overall exposure level for \S+: (\d+\.\d)", sec.stdout)
        assert m, sec.stdout + sec.stderr
        assert float(m.group(1)) <= 1.5, "%s exposure %s\n%s" % (name, m.group(1), sec.stdout)
        if "@." in name:
            # A template's instances share one dynamic user unless User= names
            # the instance (systemd.exec(5), DynamicUser=): then each gets its
            # own, and one instance cannot read another's state directory.
            users = re.findall(r"^User=(\S+)$", text, flags=re.M)
            assert users and "%i" in users[0], users
            assert "StateDirectory=scobot-%i" in text


def main():
    return run_scenarios(globals(), sys.argv[1:6], sys.argv[6:])


def run_scenarios(names, args, only):
    """Runs every t_* function of names (a module's globals()) as one TAP
    subtest with a fresh Ctx; test_facts_update.py runs its own through it."""
    tests = [(k, v) for k, v in names.items() if k.startswith("t_")]
    print("TAP version 13")
    print("1..%d" % len(tests))
    failed = 0
    for i, (name, fn) in enumerate(tests, 1):
        if only and name not in only:
            print("ok %d - %s # SKIP not selected" % (i, name))
            continue
        c = Ctx(args)
        try:
            fn(c)
            print("ok %d - %s" % (i, name))
        except Exception:
            failed += 1
            print("not ok %d - %s" % (i, name))
            for line in (traceback.format_exc() + "\n--- scobot log ---\n" + c.text()).splitlines():
                print("# " + line)
        finally:
            c.close()
        sys.stdout.flush()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
