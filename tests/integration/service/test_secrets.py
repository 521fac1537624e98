#!/usr/bin/python3
"""test_secrets.py: no config value is ever echoed. Every key of the config
schema (read from config/scobot.conf.example, which a unit test keeps equal to
the schema, so a new key is covered without touching this file) gets a
Discord-token-shaped and a Matrix-token-shaped value, and so do a section
header, a room id, a key name and a homeserver URL with a password. Each case
goes through `scobot --check-config`, a start of the service, and a SIGHUP
reload of a running service (with NOTIFY_SOCKET on a socket this test reads,
so the STATUS= line systemd would show is checked too). The secret must
appear in none of stdout, stderr or STATUS=.

usage: test_secrets.py SCOBOT FAKE_HOMESERVER EXAMPLE_CONF
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import exit_status as ex  # noqa: E402  (the numbers in src/core/host.h)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_service as ts  # noqa: E402  (the sd_notify listener, the fixture)

# Shapes of real credentials (made up): a Discord bot token is three base64url
# parts joined by '.', a Synapse access token is syt_<localpart>_<random>_<crc>.
DISCORD_SECRET = "MTA5ODc2NTQzMjEwOTg3NjU0.GhIjKl.abcdefghijklmnopqrstuvwxyz0123456789AB"
MATRIX_SECRET = "syt_c2NvYm90_abcdefghijklmnopqrst_0AbCdE"
PASSWORD = "Pa55w0rdXyZq"
SECRETS = [DISCORD_SECRET, MATRIX_SECRET]
WINDOW = 10  # any run of this many characters of a secret counts as a leak


def schema_keys(example):
    """[(section header, key)] in the example file's order."""
    keys, section = [], None
    for line in open(example):
        m = re.match(r"^#\[([^\]]+)\]$", line.strip())
        if m:
            section = m.group(1)
            continue
        m = re.match(r"^#([a-z_]+) =", line.strip())
        if m and section:
            keys.append((section, m.group(1)))
    assert len(keys) > 40 and ("discord", "application_id") in keys, keys
    return keys


def leaks(text, secret):
    """The first WINDOW-long piece of secret found in text, or None."""
    for i in range(len(secret) - WINDOW + 1):
        if secret[i:i + WINDOW] in text:
            return secret[i:i + WINDOW]
    return None


class Env:
    def __init__(self, scobot, fixture):
        self.scobot = scobot
        self.dir = tempfile.mkdtemp(prefix="scobot-secrets-it-")
        self.state = os.path.join(self.dir, "state")
        os.mkdir(self.state, 0o700)
        self.conf = os.path.join(self.dir, "scobot.conf")
        self.hs = ts.Homeserver(fixture)
        self.token = self.hs.ctl("token", {})["token"]
        self.creds = os.path.join(self.dir, "creds")
        os.mkdir(self.creds, 0o700)
        for name, value in (("matrix-token", self.token), ("discord-token", "not-a-real-token")):
            path = os.path.join(self.creds, name)
            with open(path, "w") as f:
                f.write(value + "\n")
            os.chmod(path, 0o400)
        # Discord, when a case turns it on, talks to a loopback port nobody serves.
        self.closed_port = ts.free_port()

    def config(self, cases, metrics_port=None):
        """The config text: a working Matrix setup with `cases` laid over it.
        cases: [(section header, key or None, value)] or raw text lines."""
        sections = {
            "general": {"state_dir": self.state},
            "log": {"level": "info"},
            "service": {"ready_timeout_seconds": "2"},
            "matrix": {"homeserver": self.hs.url, "user_id": ts.BOT},
        }
        if metrics_port:
            sections["metrics"] = {"listen": "127.0.0.1:%d" % metrics_port}
        raw = []
        for case in cases:
            if isinstance(case, str):
                raw.append(case)
                continue
            section, key, value = case
            if section == "discord":
                sections.setdefault("discord", {})["api_base"] = \
                    "http://127.0.0.1:%d/api/v10" % self.closed_port
            sections.setdefault(section, {})[key] = value
        out = []
        for name, kv in sections.items():
            out.append("[%s]" % name)
            out += ["%s = %s" % (k, v) for k, v in kv.items()]
        return "\n".join(out + raw) + "\n"

    def write(self, text):
        with open(self.conf, "w") as f:
            f.write(text)
        os.chmod(self.conf, 0o600)

    def env(self, notify=None):
        env = dict(os.environ)
        env.pop("JOURNAL_STREAM", None)
        env.pop("NOTIFY_SOCKET", None)
        env["CREDENTIALS_DIRECTORY"] = self.creds
        if notify:
            env["NOTIFY_SOCKET"] = notify.path
        return env

    def close(self):
        self.hs.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def cases(keys):
    """(name, config lines, secret) for every key and both secret shapes, plus
    the places a secret can hide that are not values."""
    out = []
    for section, key in keys:
        for s in SECRETS:
            out.append(("[%s] %s = %s..." % (section, key, s[:4]), [(section, key, s)], s))
    for s in SECRETS:
        out.append(("a token as a section header", ["[%s]" % s, "level = info"], s))
        out.append(("a token as a Discord room id", ["[room discord:%s]" % s, "lang = en"], s))
        out.append(("a token as a Matrix room id", ["[room matrix:%s]" % s, "lang = en"], s))
        out.append(("a token as a Matrix room id that parses",
                    ["[room matrix:!%s:example.org]" % s, "lang = xx"], s))
        out.append(("a token as a key name", ["[log]", "%s = 1" % s], s))
        out.append(("a token with a space", [("discord", "token", s + " x")], s))
    out.append(("a password in the homeserver URL",
                [("matrix", "homeserver", "http://scobot:%s@127.0.0.1:1" % PASSWORD)], PASSWORD))
    out.append(("a password in api_base",
                [("discord", "api_base", "https://scobot:%s@discord.example" % PASSWORD)], PASSWORD))
    return out


def check(where, name, text, secret):
    piece = leaks(text, secret)
    assert piece is None, "%s: %s: %r leaked in:\n%s" % (where, name, piece, text)


def run_check_config(e, name, lines, secret):
    e.write(e.config(lines))
    r = subprocess.run(ts.WRAPPER + [e.scobot, "--check-config", "--config", e.conf],
                       env=e.env(), stdin=subprocess.DEVNULL, capture_output=True, text=True,
                       timeout=60 * ts.SLOW)
    assert r.returncode != ts.VALGRIND_ERROR, r.stderr
    check("--check-config", name, r.stdout + r.stderr, secret)
    return r.returncode


def run_start(e, name, lines, secret):
    """Starts the service with the case's config; stops it after READY=1 (or
    a short while) unless it exits by itself first."""
    e.write(e.config(lines))
    notify = ts.NotifyListener(os.path.join(e.dir, "start-notify.sock"))
    try:
        p = subprocess.Popen(ts.WRAPPER + [e.scobot, "--config", e.conf], env=e.env(notify),
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 6 * ts.SLOW
            while p.poll() is None and time.monotonic() < deadline:
                if notify.index("READY", "1") >= 0:
                    break
                time.sleep(0.05)
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
            out, err = p.communicate(timeout=30 * ts.SLOW)
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
        assert p.returncode != ts.VALGRIND_ERROR, err
        statuses = "\n".join(kv.get("STATUS", "") for _, kv in notify.all())
        check("start", name, out + err + statuses, secret)
    finally:
        notify.close()
        os.unlink(os.path.join(e.dir, "start-notify.sock"))


def t_check_config_and_start_never_echo_a_secret(e, all_cases):
    refused = 0
    for name, lines, secret in all_cases:
        if run_check_config(e, name, lines, secret) == ex.CONFIG:
            refused += 1
        run_start(e, name, lines, secret)
    # Most cases are refused: the point is that their errors stay clean.
    assert refused > len(all_cases) // 2, refused


def t_reload_never_echoes_a_secret_in_the_log_or_status(e, all_cases):
    port = ts.free_port()
    e.write(e.config([], metrics_port=port))
    notify = ts.NotifyListener(os.path.join(e.dir, "notify.sock"))
    log = []
    p = subprocess.Popen(ts.WRAPPER + [e.scobot, "--config", e.conf], env=e.env(notify),
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
    import threading
    t = threading.Thread(target=lambda: log.extend(p.stdout), daemon=True)
    t.start()
    try:
        notify.wait("READY", "1")
        refused = 0
        for name, lines, secret in all_cases:
            e.write(e.config(lines, metrics_port=port))
            mark = len(notify.all())
            p.send_signal(signal.SIGHUP)
            i = notify.wait("RELOADING", "1", after=mark)
            j = notify.wait("READY", "1", after=i + 1)
            status = notify.all()[j][1].get("STATUS", "")
            if "reload refused" in status:
                refused += 1
            time.sleep(0.02)
            check("reload", name, "".join(log) + "\n" + status, secret)
        assert refused > len(all_cases) // 2, refused
        # The same line refused on reload names file and line, as before.
        e.write(e.config([("discord", "application_id", DISCORD_SECRET)], metrics_port=port))
        mark = len(notify.all())
        p.send_signal(signal.SIGHUP)
        j = notify.wait("READY", "1", after=notify.wait("RELOADING", "1", after=mark) + 1)
        status = notify.all()[j][1]["STATUS"]
        assert re.search(r"reload refused: \S*scobot\.conf:\d+: \[discord\] application_id: "
                         r"expected a Discord id \(digits\), got %d bytes" % len(DISCORD_SECRET),
                         status), status
        p.send_signal(signal.SIGTERM)
        assert p.wait(timeout=30 * ts.SLOW) == 0, "".join(log)
        t.join(timeout=5)
        for s in SECRETS + [PASSWORD]:
            check("reload", "the whole log", "".join(log), s)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        notify.close()


def main():
    scobot, fixture, example = sys.argv[1:4]
    all_cases = cases(schema_keys(example))
    tests = [t_check_config_and_start_never_echo_a_secret,
             t_reload_never_echoes_a_secret_in_the_log_or_status]
    print("TAP version 13")
    print("1..%d" % len(tests))
    failed = 0
    for i, fn in enumerate(tests, 1):
        e = Env(scobot, fixture)
        try:
            fn(e, all_cases)
            print("ok %d - %s (%d cases)" % (i, fn.__name__, len(all_cases)))
        except Exception:
            failed += 1
            print("not ok %d - %s" % (i, fn.__name__))
            for line in traceback.format_exc().splitlines():
                print("# " + line)
        finally:
            e.close()
        sys.stdout.flush()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
