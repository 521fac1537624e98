#!/usr/bin/python3
"""test_matrix.py: end-to-end scenarios for the Matrix adapter against the local
homeserver fixture; each scenario gets a fresh fixture and state directory and
must not depend on another.

usage: test_matrix.py BOT FAKE_HOMESERVER [scenario ...]
BOT is the real `scobot` binary (run with a generated --config file), or
matrix_driver (the adapter and engine with command-line options), which can
also shorten the stall alarm below the config's one-minute minimum.
"""
import json
import re
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.request
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import exit_status as ex  # noqa: E402  (the numbers in src/core/host.h)

PY = "/usr/bin/python3"
BOT = "@scobot:test"
PASSWORD = "hunter2-not-a-real-secret"
# `meson test --setup valgrind` sets SCOBOT_WRAPPER to a memcheck command line;
# the bot runs under it, about 20x slower, so every wait stretches by SLOW.
WRAPPER = shlex.split(os.environ.get("SCOBOT_WRAPPER", ""))
SLOW = 10 if WRAPPER else 1
VALGRIND_ERROR = 99  # the wrapper's --error-exitcode


def wait_until(pred, timeout, what):
    end = time.monotonic() + timeout * SLOW
    while time.monotonic() < end:
        v = pred()
        if v:
            return v
        time.sleep(0.05)
    raise AssertionError("timed out waiting for " + what)


class Homeserver:
    def __init__(self, script):
        self.p = subprocess.Popen([PY, script, "--user", BOT, "--password", PASSWORD],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.p.stdout.readline().split()
        if not line or line[0] != "PORTS":
            raise RuntimeError("fixture did not start: " + self.p.stderr.read())
        self.api = int(line[1])
        self.ctl_port = int(line[2])
        self.url = "http://127.0.0.1:%d" % self.api

    def ctl(self, path, body=None):
        data = json.dumps(body or {}).encode() if body is not None else None
        req = urllib.request.Request("http://127.0.0.1:%d/_test/%s" % (self.ctl_port, path),
                                     data=data, method="POST" if data is not None else "GET")
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read())

    def sent(self):
        return self.ctl("sent")["sent"]

    def replies_to(self):
        """event id replied to -> list of bot events replying to it."""
        out = {}
        for s in self.sent():
            irt = s["content"].get("m.relates_to", {}).get("m.in_reply_to", {}).get("event_id")
            if irt:
                out.setdefault(irt, []).append(s)
        return out

    def requests(self, endpoint):
        return [r for r in self.ctl("stats")["requests"] if r["endpoint"] == endpoint]

    def close(self):
        self.p.kill()
        self.p.wait()


def is_scobot(binary):
    return os.path.basename(binary) == "scobot"


class Bot:
    def __init__(self, driver, hs, state_dir, auto_join=None, stall_alarm_ms=None, token=None,
                 notice_text=None):
        if is_scobot(driver):
            conf = os.path.join(state_dir, "scobot.conf")
            lines = ["[general]", "state_dir = " + state_dir, "[log]", "level = info",
                     "[matrix]", "homeserver = " + hs.url, "user_id = " + BOT,
                     ("access_token = " + token) if token else ("password = " + PASSWORD)]
            if auto_join:
                lines.append("auto_join = " + auto_join)
            if notice_text:
                lines.append("encrypted_room_notice_text = " + notice_text)
            fd = os.open(conf, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write("\n".join(lines) + "\n")
            # A fixed today, as the driver has: answers about "now" do not follow the clock.
            args = [driver, "--config", conf, "--today", "2026-12-06"]
        else:
            args = [driver, "--homeserver", hs.url, "--user", BOT, "--state-dir", state_dir]
            args += ["--token", token] if token else ["--password", PASSWORD]
            if auto_join:
                args += ["--auto-join", auto_join]
            if stall_alarm_ms:
                args += ["--stall-alarm-ms", str(stall_alarm_ms)]
            if notice_text:
                args += ["--notice-text", notice_text]
        self.p = subprocess.Popen(WRAPPER + args, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, text=True)
        self.log = []
        self.t = threading.Thread(target=self._read, daemon=True)
        self.t.start()

    def _read(self):
        for line in self.p.stderr:
            self.log.append(line)

    def text(self):
        return "".join(self.log)

    def wait_ready(self, timeout=15):
        wait_until(lambda: "matrix: connected" in self.text() or self.p.poll() is not None,
                   timeout, "bot ready")
        assert self.p.poll() is None, "bot exited early:\n" + self.text()

    def kill(self, sig=signal.SIGTERM):
        if self.p.poll() is None:
            self.p.send_signal(sig)
        rc = self.p.wait(timeout=15 * SLOW)
        self.t.join(timeout=5)
        assert rc != VALGRIND_ERROR, "memcheck errors:\n" + self.text()
        return rc


class Ctx:
    def __init__(self, driver, fixture):
        self.driver = driver
        self.hs = Homeserver(fixture)
        self.dir = tempfile.mkdtemp(prefix="scobot-mx-it-")
        self.bots = []

    def bot(self, **kw):
        b = Bot(self.driver, self.hs, self.dir, **kw)
        self.bots.append(b)
        return b

    def close(self):
        for b in self.bots:
            if b.p.poll() is None:
                b.p.kill()
                b.p.wait()
        self.hs.close()
        shutdown = shutil.rmtree
        shutdown(self.dir, ignore_errors=True)

    def logs(self):
        out = "\n".join("--- bot %d ---\n%s" % (i, b.text()) for i, b in enumerate(self.bots))
        try:
            reqs = self.hs.ctl("stats")["requests"][-25:]
            out += "\n--- fixture: last requests (seconds ago) ---\n" + "\n".join(
                "%s %s %.2f" % (r["method"], r["endpoint"], r["ago"]) for r in reqs)
        except Exception as e:
            out += "\n(fixture stats unavailable: %s)" % e
        return out


def room(hs, **kw):
    kw.setdefault("join_bot", True)
    kw.setdefault("members", ["@bob:test", "@carol:test"])
    return hs.ctl("room", kw)["room_id"]


def say(hs, room_id, body, sender="@bob:test", **kw):
    b = {"room_id": room_id, "body": body, "sender": sender}
    b.update(kw)
    return hs.ctl("message", b)["event_id"]


# --------------------------------------------------------------------------


def t_answers_commands_and_questions_once(c):
    hs = c.hs
    r = room(hs, room_id="!main:test")
    dm = room(hs, room_id="!dm:test", members=[])
    backlog = say(hs, r, "!sco sg 2011")          # before the first start: not answered
    b = c.bot()
    b.wait_ready()
    cmd = say(hs, r, "!sco sg 2011")
    q = say(hs, r, "scobot: who is the secretary general?")
    chat = say(hs, r, "hello everyone, nice weather")
    notice = say(hs, r, "!sco help", sender="@otherbot:test", msgtype="m.notice")
    html = say(hs, r, "!sco sg <img src=x onerror=alert(1)>")
    dmq = say(hs, dm, "who is the secretary general?", sender="@carol:test")
    want = [cmd, q, html, dmq]
    wait_until(lambda: all(e in hs.replies_to() for e in want), 15, "answers")
    time.sleep(1.0)  # anything extra would have arrived by now
    rt = hs.replies_to()
    for e in want:
        assert len(rt[e]) == 1, "answered %d times: %s" % (len(rt[e]), e)
        ct = rt[e][0]["content"]
        assert ct["msgtype"] == "m.notice", ct
        assert ct["format"] == "org.matrix.custom.html" and ct["formatted_body"], ct
        assert ct["m.mentions"] == {}, ct
        assert ct["m.relates_to"]["m.in_reply_to"]["event_id"] == e
    for e in (backlog, chat, notice):
        assert e not in rt, "should not answer " + e
    assert "Imanaliev" in rt[cmd][0]["content"]["body"], rt[cmd][0]["content"]["body"]
    assert "<img" not in rt[html][0]["content"]["formatted_body"], rt[html][0]["content"]
    assert rt[dmq][0]["room_id"] == dm
    assert b.kill() == 0
    st = json.load(open(os.path.join(c.dir, "matrix-state.json")))
    assert st["next_batch"] and cmd in st["answered"], st.keys()
    assert oct(os.stat(os.path.join(c.dir, "matrix-state.json")).st_mode & 0o777) == "0o600"
    assert PASSWORD not in c.logs() and st["access_token"] not in c.logs()


def t_hostile_text_is_echoed_whole_and_harmless(c):
    """Chat text reaches the engine whole (a NUL does not cut it short) and its
    echo can neither ping, link, invite, reorder text nor inject HTML; every
    reply stays under 2,000 characters and each question is answered once."""
    hs = c.hs
    r = room(hs, room_id="!hostile:test")
    b = c.bot()
    b.wait_ready()
    cases = {
        "nul": "!sco search a\u0000b",
        "invite": "!sco search discord.gg/evil",
        "invite2": "!sco search discord.com/invite/evil",
        "domain": "!sco search www.evil.example/login",
        "scheme": "!sco search https://evil.example/x",
        "mention": "!sco search @room @everyone <@123> @bob:test",
        "html": "!sco search <b>x</b> &amp; <a href=x>y</a>",
        "bidi": "!sco search \u202eevil\u2066x\u200b",
        "long": "!sco search " + "x" * 5000,
        "format": "!sco search %s%n%x {0} ${jndi:ldap://x}",
    }
    # one sender each: the per-user cooldown (5 at once) is not under test
    ids = {k: say(hs, r, v, sender="@u%d:test" % i) for i, (k, v) in enumerate(cases.items())}
    wait_until(lambda: all(e in hs.replies_to() for e in ids.values()), 20, "answers")
    time.sleep(1.0)
    rt = hs.replies_to()
    got = {}
    for k, e in ids.items():
        assert len(rt[e]) == 1, "answered %d times: %s" % (len(rt[e]), k)
        ct = rt[e][0]["content"]
        got[k] = ct
        assert len(ct["body"]) < 2000 and len(ct["formatted_body"]) < 2000 * 6, (k, len(ct["body"]))
        assert ct["m.mentions"] == {}, ct
        for s in (ct["body"], ct["formatted_body"]):
            for bad in ("discord.gg", "discord.com", "evil.example", "www.evil", "//evil",
                        "@room", "@everyone", "<@123>", "@bob:test", "\u202e", "\u2066",
                        "\x00"):
                assert bad not in s, (k, bad, s)
        for bad in ("<b>", "<a ", "<@"):
            assert bad not in ct["formatted_body"], (k, bad, ct["formatted_body"])
    # the NUL did not cut the question short: the whole of it is echoed
    assert "a\ufffdb" in got["nul"]["body"], got["nul"]["body"]
    assert "&lt;b&gt;" in got["html"]["formatted_body"], got["html"]["formatted_body"]
    assert b.kill() == 0


def t_sigkill_restart_mid_stream_of_200(c):
    hs = c.hs
    # 20 rooms: ten commands each, within a room's cooldown allowance (15).
    rooms = [room(hs, room_id="!k%d:test" % i) for i in range(20)]
    b = c.bot()
    b.wait_ready()
    ids = []
    kills = 0
    for i in range(200):
        # A different user each time: the per-user cooldown is not under test.
        ids.append(say(hs, rooms[i % 20], "!sco sg %d" % (2002 + i % 20), sender="@u%d:test" % i))
        if i in (60, 110, 160):
            # Killed while answering: the stream keeps coming meanwhile.
            b.kill(signal.SIGKILL)
            kills += 1
            b = c.bot()
        time.sleep(0.01)
    wait_until(lambda: len(hs.replies_to()) >= 200, 60, "200 answers")
    time.sleep(1.0)
    rt = hs.replies_to()
    missing = [e for e in ids if e not in rt]
    dup = {e: len(v) for e, v in rt.items() if len(v) != 1}
    assert not missing, "lost %d: %s" % (len(missing), missing[:5])
    assert not dup, "repeated: %s" % dup
    assert len(hs.sent()) == 200
    puts = len(hs.requests("send"))
    print("# sigkill x%d: 200 answered once; PUTs=%d (extra ones deduped by txnId)" % (kills, puts))
    assert b.kill() == 0


def t_homeserver_down_10s_then_recovers(c):
    hs = c.hs
    r = room(hs)
    b = c.bot(stall_alarm_ms=4000)
    b.wait_ready()
    first = say(hs, r, "!sco sg 2011")
    wait_until(lambda: first in hs.replies_to(), 10, "answer before the outage")
    hs.ctl("down", {"seconds": 10})
    time.sleep(0.5)
    during = [say(hs, r, "!sco sg %d" % y, sender="@u%d:test" % y) for y in (2012, 2013, 2014)]
    time.sleep(9.5)
    assert b.p.poll() is None, "bot died during the outage"
    wait_until(lambda: all(e in hs.replies_to() for e in during), 30, "answers after recovery")
    rt = hs.replies_to()
    assert all(len(rt[e]) == 1 for e in during)
    if not is_scobot(c.driver):  # the config's minimum is one minute
        assert "sync has not advanced" in b.text(), "no stall alarm logged"
    assert b.kill() == 0


def t_rate_limit_waits_and_does_not_hammer(c):
    hs = c.hs
    r = room(hs)
    b = c.bot()
    b.wait_ready()
    # Sends: first the body form, then the header form (CS: Rate limiting).
    hs.ctl("fault", {"endpoint": "send", "kind": "429", "retry_after_ms": 2000})
    hs.ctl("fault", {"endpoint": "send", "kind": "429", "retry_after": 2})
    t0 = time.monotonic()
    e = say(hs, r, "!sco sg 2011")
    wait_until(lambda: e in hs.replies_to(), 20, "answer after rate limits")
    took = time.monotonic() - t0
    sends = sorted((x["ago"] for x in hs.requests("send")), reverse=True)  # oldest first
    assert len(sends) == 3, "send attempts: %d" % len(sends)
    gaps = [sends[i] - sends[i + 1] for i in range(len(sends) - 1)]
    assert all(g >= 1.9 for g in gaps), "retried too early: %s" % gaps
    assert took >= 3.9, took
    # The sync lane honours the header too.
    n0 = len(hs.requests("sync"))
    hs.ctl("fault", {"endpoint": "sync", "kind": "429", "retry_after": 3})
    # The long-poll in flight returns this message; the next sync gets the 429,
    # and the one after it waits out Retry-After. (The bot's own reply no
    # longer wakes a long-poll: the filter leaves its events out.)
    e2 = say(hs, r, "!sco sg 2012", sender="@carol:test")
    wait_until(lambda: e2 in hs.replies_to(), 20, "answer")
    wait_until(lambda: len(hs.requests("sync")[n0:]) >= 2, 20, "the sync after the 429")
    syncs = [x["ago"] for x in hs.requests("sync")[n0:]]  # arrival order
    gaps = [syncs[i] - syncs[i + 1] for i in range(len(syncs) - 1)]
    assert any(g >= 2.9 for g in gaps) and all(g >= 2.9 or g < 0.5 for g in gaps), gaps
    assert b.kill() == 0


def t_bad_sync_bodies_cause_no_crash_and_no_loss(c):
    hs = c.hs
    r = room(hs)
    b = c.bot()
    b.wait_ready()
    got = []
    for kind in ("garbage", "wrong_types", "missing_fields", "huge", "invalid_json", "5xx"):
        hs.ctl("fault", {"endpoint": "sync", "kind": kind})
        e = say(hs, r, "!sco sg 2011", sender="@u_%s:test" % kind)
        got.append(e)
        wait_until(lambda: e in hs.replies_to(), 20, "answer after " + kind)
        assert b.p.poll() is None, "bot died on " + kind
    rt = hs.replies_to()
    assert all(len(rt[e]) == 1 for e in got)
    log = b.text()
    assert "unreadable_body" in log and log.count("sync failed") >= 6, log
    assert b.kill() == 0
    st = json.load(open(os.path.join(c.dir, "matrix-state.json")))
    assert st["next_batch"].startswith("s") and all(e in st["answered"] for e in got)


def t_slow_or_lost_responses_never_duplicate(c):
    hs = c.hs
    r = room(hs)
    b = c.bot()
    b.wait_ready()
    # A send that is stored but whose response is lost: the retry with the same
    # txnId must not post a second reply (CS: Transaction identifiers).
    hs.ctl("fault", {"endpoint": "send_after", "kind": "5xx"})
    e1 = say(hs, r, "!sco sg 2011")
    wait_until(lambda: len(hs.requests("send")) >= 2, 15, "the retried send")
    # A slow sync and a slow send (gateway timeouts after 2 s) are waited out.
    hs.ctl("fault", {"endpoint": "sync", "kind": "hang", "seconds": 2})
    hs.ctl("fault", {"endpoint": "send", "kind": "hang", "seconds": 2})
    e2 = say(hs, r, "!sco sg 2012", sender="@carol:test")
    wait_until(lambda: e2 in hs.replies_to(), 30, "answer after slow responses")
    time.sleep(0.5)
    rt = hs.replies_to()
    assert len(rt[e1]) == 1 and len(rt[e2]) == 1, {k: len(v) for k, v in rt.items()}
    assert len(hs.sent()) == 2
    assert b.p.poll() is None
    assert b.kill() == 0


def t_gap_after_downtime_is_fetched_and_every_question_answered_once(c):
    hs = c.hs
    r = room(hs)
    b = c.bot()
    b.wait_ready()
    assert b.kill() == 0
    # While scobot is stopped: questions, then more than the filter's timeline
    # limit (50) of chatter, then one more question. The next sync is
    # `limited` (CS: Syncing) and holds only the newest 50 events; the rest
    # must come from /messages (API: message_pagination.yaml).
    early = [say(hs, r, "!sco sg %d" % y, sender="@asker%d:test" % i)
             for i, y in enumerate((2005, 2011, 2016))]
    hs.ctl("messages", {"room_id": r, "messages": [{"body": "chatter %d" % i} for i in range(120)]})
    late = say(hs, r, "!sco sg 2011", sender="@carol:test")
    b2 = c.bot()
    b2.wait_ready()
    wait_until(lambda: all(e in hs.replies_to() for e in early + [late]), 15 * SLOW,
               "every question in and after the gap answered")
    time.sleep(0.5)
    got = hs.replies_to()
    for e in early + [late]:
        assert len(got.get(e, [])) == 1, "question %s answered %d times" % (e, len(got.get(e, [])))
    assert "sync gap, fetching" in b2.text(), b2.text()
    reqs = hs.ctl("stats")["message_requests"]
    assert reqs and reqs[0]["dir"] == "b" and reqs[0]["to"] and reqs[0]["from"].startswith("t"), reqs
    assert reqs[0]["filter"].get("types") == ["m.room.message"], reqs
    # 124 new messages, the newest 50 in the timeline: a gap of 74, two pages.
    assert len(reqs) == 2, reqs
    assert b2.kill() == 0
    # A restart after the gap was filled fetches nothing again and answers nothing twice.
    b3 = c.bot()
    b3.wait_ready()
    time.sleep(1.0)
    assert len(hs.ctl("stats")["message_requests"]) == 2
    got = hs.replies_to()
    assert all(len(got.get(e, [])) == 1 for e in early + [late]), got
    assert b3.kill() == 0


def t_invite_allowlist_and_join_race(c):
    hs = c.hs
    evil = room(hs, room_id="!evil:test", join_bot=False, creator="@mallory:evil.org")
    good = room(hs, room_id="!good:test", join_bot=False, creator="@boss:test")
    b = c.bot(auto_join="@boss:test")
    b.wait_ready()
    hs.ctl("invite", {"room_id": evil, "inviter": "@mallory:evil.org"})
    wait_until(lambda: "ignoring invite" in b.text(), 10, "invite ignored")
    hs.ctl("join_fail", {"count": 2})  # the join races the invite twice
    hs.ctl("invite", {"room_id": good, "inviter": "@boss:test"})
    wait_until(lambda: "joined room" in b.text(), 15, "join after retries")
    joins = hs.requests("join")
    assert len(joins) == 3, "join attempts %d" % len(joins)
    e = say(hs, good, "!sco sg 2011", sender="@boss:test")
    wait_until(lambda: e in hs.replies_to(), 10, "answer in the joined room")
    assert all(s["room_id"] != evil for s in hs.sent())
    # Kicked: the room is forgotten (a send there would be refused anyway).
    hs.ctl("member", {"room_id": good, "user": BOT, "membership": "ban", "by": "@boss:test"})
    wait_until(lambda: "left room" in b.text(), 10, "forgets the room")
    assert b.kill() == 0


def t_encrypted_room_gets_single_notice(c):
    hs = c.hs
    enc = room(hs, room_id="!enc:test", encrypted=True)
    b = c.bot()
    b.wait_ready()
    wait_until(lambda: any(s["room_id"] == enc for s in hs.sent()), 10, "the notice")
    for i in range(3):
        hs.ctl("message", {"room_id": enc, "type": "m.room.encrypted", "sender": "@bob:test",
                           "content": {"algorithm": "m.megolm.v1.aes-sha2", "ciphertext": "AAA%d" % i,
                                       "sender_key": "k", "session_id": "s", "device_id": "D"}})
    time.sleep(1.0)
    assert b.kill() == 0
    b2 = c.bot()
    b2.wait_ready()
    hs.ctl("message", {"room_id": enc, "type": "m.room.encrypted", "sender": "@bob:test",
                       "content": {"algorithm": "m.megolm.v1.aes-sha2", "ciphertext": "B"}})
    time.sleep(1.0)
    notes = [s for s in hs.sent() if s["room_id"] == enc]
    assert len(notes) == 1, notes
    assert notes[0]["content"]["msgtype"] == "m.notice" and "encrypted" in notes[0]["content"]["body"]
    assert "end-to-end encrypted" in b.text()
    assert b2.kill() == 0


def t_encrypted_room_notice_text_comes_from_the_config(c):
    hs = c.hs
    enc = room(hs, room_id="!enc2:test", encrypted=True)
    text = "Этот чат зашифрован: спросите меня в открытой комнате, e.g. #sco:test"
    b = c.bot(notice_text=text)
    b.wait_ready()
    wait_until(lambda: any(s["room_id"] == enc for s in hs.sent()), 10, "the notice")
    notes = [s for s in hs.sent() if s["room_id"] == enc]
    assert len(notes) == 1 and notes[0]["content"]["body"] == text, notes
    assert notes[0]["content"]["msgtype"] == "m.notice"
    assert b.kill() == 0


def t_unknown_token_is_fatal_with_nopermission(c):
    b = c.bot(token="syt_definitely_wrong")
    rc = b.p.wait(timeout=15 * SLOW)
    b.t.join(timeout=5)
    assert rc == ex.MATRIX_AUTH, "exit %d\n%s" % (rc, b.text())
    assert "M_UNKNOWN_TOKEN" in b.text()
    assert "syt_definitely_wrong" not in b.text()


def t_preissued_token_and_restart_reuse_filter(c):
    hs = c.hs
    tok = hs.ctl("token", {"device_id": "OPS"})["token"]
    r = room(hs)
    b = c.bot(token=tok)
    b.wait_ready()
    e = say(hs, r, "!sco sg 2011")
    wait_until(lambda: e in hs.replies_to(), 10, "answer with a configured token")
    assert b.kill() == 0
    b2 = c.bot(token=tok)
    b2.wait_ready()
    assert len(hs.ctl("stats")["filters"]) == 1, "filter uploaded again"
    assert hs.ctl("stats")["logins"] == 0
    assert b2.kill() == 0


def t_restart_counts_the_joined_rooms_before_anything_is_said(c):
    # A sync resumed from a stored since token lists only rooms with new
    # events, so the joined rooms come from GET /joined_rooms
    # (list_joined_rooms.yaml): the status says rooms=3 at once, not rooms=0
    # until someone speaks, and a room left while scobot was down is not
    # counted.
    hs = c.hs
    rooms = [room(hs, room_id="!jr%d:test" % i) for i in range(4)]
    b = c.bot()
    b.wait_ready()
    assert re.search(r"matrix: connected .*rooms=4\b", b.text()), b.text()
    assert b.kill() == 0
    hs.ctl("member", {"room_id": rooms[3], "user": BOT, "by": "@alice:test",
                      "membership": "leave"})
    b2 = c.bot()
    b2.wait_ready()
    line = [l for l in b2.text().splitlines() if "matrix: connected" in l]
    assert line and re.search(r"rooms=3\b", line[0]), b2.text()
    assert "first_start=no" in b2.text(), b2.text()
    # Still one answer per question in a restored room.
    e = say(hs, rooms[1], "!sco sg 2011")
    wait_until(lambda: e in hs.replies_to(), 15, "an answer after the restart")
    assert len(hs.replies_to()[e]) == 1
    assert b2.kill() == 0


def t_fresh_state_restart_never_answers_old_commands_again(c):
    # A homeserver that caches /sync responses as Synapse does (two minutes,
    # keyed by user, device, since, timeout and filter): a restart with an
    # empty state directory and the same device asks exactly what the first
    # run asked, and walks the first run's cached syncs. None of the commands
    # the first run answered may be answered again.
    # Both runs log in with the password and the same device_id, so the second
    # run has a new access token: transaction ids scoped to the token (spec
    # before v1.7, Synapse) do not deduplicate its replies.
    hs = c.hs
    hs.ctl("sync_cache", {"ms": 120000, "txn_scope": "token"})
    rooms = [room(hs, room_id="!fr%d:test" % i) for i in range(4)]
    r = rooms[0]
    first = os.path.join(c.dir, "run1")
    os.makedirs(first)
    b = Bot(c.driver, hs, first)
    c.bots.append(b)
    b.wait_ready()
    # Four rooms, five commands each: within every room's cooldown allowance.
    ids = [say(hs, rooms[i % 4], "!sco sg %d" % (2004 + i % 20), sender="@u%d:test" % i)
           for i in range(20)]
    wait_until(lambda: all(e in hs.replies_to() for e in ids), 30, "20 answers")
    assert b.kill() == 0
    second = os.path.join(c.dir, "run2")
    os.makedirs(second)
    b2 = Bot(c.driver, hs, second)
    c.bots.append(b2)
    b2.wait_ready()
    new = say(hs, r, "!sco sg 2011", sender="@late:test")
    wait_until(lambda: new in hs.replies_to(), 30, "an answer after the restart")
    time.sleep(2.0)  # the cached chain of the first run has been walked by now
    rt = hs.replies_to()
    dup = {e: len(rt[e]) for e in ids if len(rt.get(e, [])) != 1}
    assert not dup, "answered again after a fresh restart: %s" % dup
    assert len(rt[new]) == 1
    assert b2.kill() == 0


def t_one_sync_per_command_the_bots_replies_do_not_wake_it(c):
    # The sync filter leaves out the bot's own events (room_event_filter.yaml
    # `not_senders`), so its reply does not end its long-poll: one /sync comes
    # back per command, not two.
    hs = c.hs
    r = room(hs)
    b = c.bot()
    b.wait_ready()
    time.sleep(0.5)
    n0 = hs.ctl("stats")["syncs_returned"]
    ids = []
    for i in range(10):
        ids.append(say(hs, r, "!sco sg %d" % (2004 + i), sender="@p%d:test" % i))
        wait_until(lambda: ids[-1] in hs.replies_to(), 15, "answer %d" % i)
        time.sleep(0.3)
    time.sleep(0.5)
    n = hs.ctl("stats")["syncs_returned"] - n0
    print("# /sync responses for 10 commands: %d" % n)
    assert n <= 12, "%d syncs for 10 commands" % n
    assert b.kill() == 0


SCENARIOS = [v for k, v in sorted(globals().items()) if k.startswith("t_")]


def main():
    driver, fixture = sys.argv[1], sys.argv[2]
    only = sys.argv[3:]
    todo = [s for s in SCENARIOS if not only or s.__name__[2:] in only]
    print("1..%d" % len(todo))
    failed = 0
    for i, s in enumerate(todo, 1):
        c = Ctx(driver, fixture)
        t0 = time.monotonic()
        try:
            s(c)
            for b in c.bots:
                if b.p.poll() is None:
                    b.kill()
            bad = [l for l in c.logs().splitlines()
                   if "runtime error" in l or "Sanitizer" in l]
            assert not bad, "sanitizer reports:\n" + "\n".join(bad[:20])
            print("ok %d - %s # %.1fs" % (i, s.__name__[2:], time.monotonic() - t0))
        except Exception:
            failed += 1
            print("not ok %d - %s" % (i, s.__name__[2:]))
            for line in traceback.format_exc().splitlines():
                print("# " + line)
            for line in c.logs().splitlines()[-60:]:
                print("# " + line)
        finally:
            c.close()
        sys.stdout.flush()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
