"""harness.py: runs the real scobot binary against both local fixtures (fake Discord
and fake homeserver) in one asyncio loop, for the chaos and hostile-input tests; it
owns only test plumbing and must never talk to anything but 127.0.0.1.

The fixtures are imported and driven in-process (their control methods are the
same ones their /_test/ HTTP API calls), so a test can inject faults and
messages without HTTP round-trips. scobot is one process with a [discord] and a
[matrix] section, as in production.
"""

import asyncio
import json
import os
import shlex
import shutil
import signal
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration", "discord"))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration", "matrix"))
from fake_discord import FakeDiscord, make_snowflake  # noqa: E402,F401
import fake_homeserver  # noqa: E402

DC_TOKEN = "chaos-discord-token.secret"
MX_USER = "@scobot:test"
MX_PASSWORD = "chaos-matrix-password-secret"
SANITIZER_MARKS = ("Sanitizer", "runtime error", "LeakSanitizer")
# `meson test --setup valgrind` sets SCOBOT_WRAPPER to a memcheck command line
# that scobot runs under (exit status 99 on a memcheck error); waits stretch by
# SLOW because scobot is ~20x slower there.
WRAPPER = shlex.split(os.environ.get("SCOBOT_WRAPPER", ""))
SLOW = 10 if WRAPPER else 1
VALGRIND_ERROR = 99


def is_asan(binary):
    """True for a build with AddressSanitizer, whose quarantine (256 MiB by
    default) holds freed memory on purpose, so RSS bounds do not apply."""
    with open(binary, "rb") as f:
        return b"__asan_init" in f.read()


class FakeRequest:
    """Enough of an aiohttp request for the homeserver's /_test/ handlers."""

    def __init__(self, body):
        self._body = body

    async def json(self):
        return self._body


def rss_kib(pid):
    """VmRSS of a process in KiB (proc(5))."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS for %d" % pid)


class Matrix:
    """The fake homeserver, in-process."""

    def __init__(self):
        self.hs = fake_homeserver.Homeserver(MX_USER, MX_PASSWORD)

    async def start(self):
        await self.hs.start_api(0)
        self.url = "http://127.0.0.1:%d" % self.hs.api_port
        return self

    async def ctl(self, fn, body):
        resp = await fn(FakeRequest(body))
        return json.loads(resp.body)

    async def room(self, room_id, members=("@bob:test",), **kw):
        b = {"room_id": room_id, "members": list(members), "join_bot": True}
        b.update(kw)
        return (await self.ctl(self.hs.c_room, b))["room_id"]

    async def say(self, room_id, body, sender="@bob:test", **kw):
        b = {"room_id": room_id, "body": body, "sender": sender}
        b.update(kw)
        return (await self.ctl(self.hs.c_message, b))["event_id"]

    def fault(self, endpoint, kind, **kw):
        f = {"endpoint": endpoint, "kind": kind, "count": kw.pop("count", 1)}
        f.update(kw)
        self.hs.faults.append(f)

    def down(self, seconds):
        """Stops listening for `seconds` (connections refused, long-polls cut),
        then listens again on the same port: a homeserver restart."""
        return asyncio.get_running_loop().create_task(self.hs.go_down(seconds))

    def replies(self):
        """event id replied to -> list of bot events (dicts) replying to it."""
        out = {}
        for s in self.hs.sent:
            irt = s["content"].get("m.relates_to", {}).get("m.in_reply_to", {}).get("event_id")
            if irt:
                out.setdefault(irt, []).append(s)
        return out

    async def stop(self):
        try:
            await self.hs.api_site.stop()
            await self.hs.api_runner.cleanup()
        except Exception:
            pass


class Scobot:
    """The scobot process: one config with both platforms, stderr captured."""

    def __init__(self, binary, fd, mx, cooldown=(5, 10), extra=None, discord=True, matrix=True,
                 level="info"):
        self.binary = binary
        self.fd = fd
        self.mx = mx
        self.dir = tempfile.mkdtemp(prefix="scobot-chaos-")
        self.lines = []
        self.proc = None
        self.reader = None
        self.starts = 0
        self.conf = self._write_config(cooldown, extra or {}, discord, matrix, level)

    def _write_config(self, cooldown, extra, discord, matrix, level):
        tok = os.path.join(self.dir, "discord-token")
        with open(tok, "w") as f:
            f.write(DC_TOKEN + "\n")
        os.chmod(tok, 0o600)
        st = os.path.join(self.dir, "state")
        os.makedirs(st, mode=0o700, exist_ok=True)
        secs = {"general": {"state_dir": st}, "log": {"level": level}}
        if discord:
            secs["discord"] = {"token_file": tok, "api_base": self.fd.base() + "/api/v10",
                               "state_dir": st, "cooldown_count": str(cooldown[0]),
                               "cooldown_seconds": str(cooldown[1])}
        if matrix:
            secs["matrix"] = {"homeserver": self.mx.url, "user_id": MX_USER,
                              "password": MX_PASSWORD, "state_dir": st,
                              "cooldown_count": str(cooldown[0]),
                              "cooldown_seconds": str(cooldown[1])}
        for sec, kv in extra.items():
            secs.setdefault(sec, {}).update(kv)
        path = os.path.join(self.dir, "scobot.conf")
        fdn = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fdn, "w") as f:
            for sec, kv in secs.items():
                f.write("[%s]\n" % sec)
                for k, v in kv.items():
                    f.write("%s = %s\n" % (k, v))
                f.write("\n")
        return path

    async def start(self, wait_ready=True, timeout=20):
        self.starts += 1
        mark = len(self.lines)
        self.proc = await asyncio.create_subprocess_exec(
            # A fixed today, as in the other tests: answers do not follow the clock.
            *WRAPPER, self.binary, "--config", self.conf, "--today", "2026-12-06",
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
        self.reader = asyncio.ensure_future(self._read(self.proc))
        if wait_ready:
            want = []
            if self.fd is not None:
                want.append("platform=discord")
            if self.mx is not None:
                want.append("platform=matrix")
            await self.wait(lambda: all(any("platform ready" in l and w in l
                                                for l in self.lines[mark:]) for w in want),
                            timeout, "scobot ready on " + ", ".join(want))
        return self

    async def _read(self, proc):
        while True:
            line = await proc.stderr.readline()
            if not line:
                return
            self.lines.append(line.decode("utf-8", "replace").rstrip("\n"))

    async def wait(self, pred, timeout, what):
        timeout *= SLOW
        end = time.monotonic() + timeout
        while True:
            v = pred()
            if v:
                return v
            if self.proc is not None and self.proc.returncode is not None:
                raise AssertionError("scobot exited (%s) while waiting for %s" %
                                     (self.proc.returncode, what))
            if time.monotonic() > end:
                raise AssertionError("timed out after %.0fs waiting for %s" % (timeout, what))
            await asyncio.sleep(0.05)

    def alive(self):
        return self.proc is not None and self.proc.returncode is None

    def rss(self):
        return rss_kib(self.proc.pid)

    def signal(self, sig):
        if self.alive():
            self.proc.send_signal(sig)

    async def stop(self, timeout=20):
        if not self.alive():
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        rc = await asyncio.wait_for(self.proc.wait(), timeout * SLOW)
        await asyncio.wait_for(self.reader, 5)
        assert rc != VALGRIND_ERROR, "memcheck errors:\n" + "\n".join(self.lines)
        return rc

    def sanitizer_lines(self):
        return [l for l in self.lines if any(m in l for m in SANITIZER_MARKS)]

    def secret_lines(self):
        return [l for l in self.lines if DC_TOKEN in l or MX_PASSWORD in l]

    def cleanup(self):
        if self.alive():
            self.proc.kill()
        shutil.rmtree(self.dir, ignore_errors=True)

    def tail(self, n=40):
        return "\n".join("# " + l for l in self.lines[-n:])


def discord_replies(fd):
    """Discord message id replied to -> list of posts replying to it."""
    out = {}
    for p in fd.posts:
        mid = (p.get("message_reference") or {}).get("message_id")
        if mid:
            out.setdefault(mid, []).append(p)
    return out


def track_delivery(fd):
    """Records in fd.delivered the id of every MESSAGE_CREATE the fake Discord
    wrote to a live gateway connection (first delivery or replay on resume), so
    a lost message can be told apart from one Discord never delivered."""
    fd.delivered = set()
    orig = fd.send

    async def send(conn, obj, raw=None):
        if (isinstance(obj, dict) and obj.get("op") == 0 and obj.get("t") == "MESSAGE_CREATE"
                and not conn.closed and not conn.ws.closed):
            fd.delivered.add(obj["d"].get("id"))
        return await orig(conn, obj, raw=raw)
    fd.send = send


def session_of(fd, mid):
    """The fake Discord session whose log holds message mid, or None."""
    for s in fd.sessions.values():
        for _, t, d in s.log:
            if t == "MESSAGE_CREATE" and d.get("id") == mid:
                return s
    return None


async def start_all(binary, heartbeat_ms=2000, **bot_kw):
    """Both fixtures and a started scobot; returns (fd, mx, bot)."""
    fd = FakeDiscord(token=DC_TOKEN, heartbeat_ms=heartbeat_ms)
    track_delivery(fd)
    await fd.start()
    mx = await Matrix().start()
    bot = Scobot(binary, fd, mx, **bot_kw)
    return fd, mx, bot


async def stop_all(fd, mx, bot):
    try:
        if bot is not None:
            if bot.alive():
                bot.proc.kill()
                await bot.proc.wait()
            bot.cleanup()
    finally:
        await fd.stop()
        await mx.stop()
