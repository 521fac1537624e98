#!/usr/bin/python3
"""test_coordination.py: three scobot processes on one bot token share Discord's
per-token limits through a real Redis ([discord] coordination).

It starts redis-server (Debian's package) on a free loopback port with a
temporary directory and no persistence, the local fake Discord (fake_discord.py)
with 3 shards and max_concurrency 1, and three scobot processes with shards = 3
and shard_ids 0, 1 and 2. Scenarios:

  shared_limits: a burst above the global limit across all shards; every command
    answered exactly once, no global 429, no request into a bucket at
    Remaining: 0, identifies at least 5 s apart, no op 9.
  redis_killed_mid_burst: Redis is killed during the burst and started again;
    every command still answered exactly once, each process keeps to its local
    share while Redis is away, and every process says it shares again after.
  redis_hung_mid_burst: the same with Redis stopped (SIGSTOP) and continued:
    answers later than 50 ms count as unavailable, the connection is dropped
    and the processes use their share until Redis answers again.
  redis_password_comes_from_the_credential_and_is_never_logged: Redis with
    requirepass; the right password from $CREDENTIALS_DIRECTORY/redis-password
    shares, a wrong one is refused once in the log and answers go on.

Output is TAP. redis-server missing is a failure, not a skip: .ci/deps installs
it. Usage: test_coordination.py SCOBOT (REDIS_SERVER in the environment: another
redis-server binary). tests/bench/discord/bench_coordination.py reuses its helpers.
"""

import asyncio
import os
import shutil
import signal
import socket
import sys
import tempfile
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fake_discord import FakeDiscord  # noqa: E402

SCOBOT = sys.argv[1] if len(sys.argv) > 1 else None
REDIS_SERVER = (os.environ.get("REDIS_SERVER") or shutil.which("redis-server")
                or "/usr/bin/redis-server")
TOKEN = "coord-test-token.abc"
SHARDS = 3
READY_LINE = "platform ready"
# The fallback share each process derives: 50 / 3 processes.
SHARE = 50 // SHARDS


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Redis:
    """A real redis-server on 127.0.0.1, no persistence, in its own directory."""

    def __init__(self, password=None):
        self.dir = tempfile.mkdtemp(prefix="scobot-redis-")
        self.port = free_port()
        self.proc = None
        self.password = password

    async def start(self):
        if not os.access(REDIS_SERVER, os.X_OK):
            raise RuntimeError("redis-server not found at %s (install redis-server: .ci/deps)"
                               % REDIS_SERVER)
        self.proc = await asyncio.create_subprocess_exec(
            REDIS_SERVER, "--bind", "127.0.0.1", "--port", str(self.port), "--dir", self.dir,
            "--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning",
            *(["--requirepass", self.password] if self.password else []),
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
        end = time.monotonic() + 10
        while time.monotonic() < end:
            try:
                r, w = await asyncio.open_connection("127.0.0.1", self.port)
                if self.password:
                    w.write(b"AUTH %s\r\n" % self.password.encode())
                w.write(b"PING\r\n")
                await w.drain()
                line = await r.readline()
                if self.password:
                    line = await r.readline()
                w.close()
                if line.startswith(b"+PONG"):
                    return self
            except OSError:
                pass
            await asyncio.sleep(0.05)
        raise RuntimeError("redis-server did not answer PING")

    async def kill(self):
        if self.proc and self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()

    def pause(self, stop):
        """SIGSTOP: a hung server that still accepts connections (the kernel
        completes the handshakes) and answers nothing; SIGCONT resumes it."""
        self.proc.send_signal(signal.SIGSTOP if stop else signal.SIGCONT)

    async def cleanup(self):
        await self.kill()
        shutil.rmtree(self.dir, ignore_errors=True)

    def url(self):
        return "redis://127.0.0.1:%d" % self.port

    async def get(self, key):
        """GET key (a bulk string or None), over plain RESP."""
        r, w = await asyncio.open_connection("127.0.0.1", self.port)
        w.write(b"*2\r\n$3\r\nGET\r\n$%d\r\n%s\r\n" % (len(key), key.encode()))
        await w.drain()
        head = await r.readline()
        val = None
        if head.startswith(b"$") and not head.startswith(b"$-1"):
            val = (await r.readexactly(int(head[1:]) + 2))[:-2].decode()
        w.close()
        return val


class Proc:
    """One scobot process running shard `shard` of SHARDS."""

    def __init__(self, fd, redis, shard, extra=None, scobot=None, env=None):
        self.fd = fd
        self.dir = tempfile.mkdtemp(prefix="scobot-coord-%d-" % shard)
        self.shard = shard
        self.scobot = scobot or SCOBOT
        self.env = env
        self.redis = redis
        self.extra = extra or {}
        self.lines = []
        self.proc = None
        self.reader = None
        self.metrics_port = free_port()

    async def get(self, path):
        """GET path from this process's [metrics] listener: (status, body)."""
        r, w = await asyncio.open_connection("127.0.0.1", self.metrics_port)
        w.write(("GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % path).encode())
        await w.drain()
        data = await r.read()
        w.close()
        head, _, body = data.decode("utf-8", "replace").partition("\r\n\r\n")
        return int(head.split()[1]), body

    async def mode(self):
        """(scobot_discord_coordination_shared, the /healthz line)."""
        _, m = await self.get("/metrics")
        _, h = await self.get("/healthz")
        v = [l.split()[1] for l in m.splitlines()
             if l.startswith("scobot_discord_coordination_shared ")]
        return (int(v[0]) if v else None), h.strip()

    async def start(self):
        tok = os.path.join(self.dir, "token")
        with open(tok, "w") as f:
            f.write(TOKEN + "\n")
        os.chmod(tok, 0o600)
        st = os.path.join(self.dir, "state")
        os.makedirs(st, mode=0o700)
        keys = {"token_file": tok, "api_base": self.fd.base() + "/api/v10", "state_dir": st,
                "shards": str(SHARDS), "shard_ids": "%d-%d" % (self.shard, self.shard),
                "coordination": self.redis.url() if self.redis else None,
                "cooldown_channel_count": "100"}
        keys.update(self.extra)   # a value of None drops the key
        conf = os.path.join(self.dir, "scobot.conf")
        with open(conf, "w") as f:
            f.write("[general]\nstate_dir = %s\n\n[log]\nlevel = info\n\n" % st)
            f.write("[metrics]\nlisten = 127.0.0.1:%d\n\n[discord]\n" % self.metrics_port)
            for k, v in keys.items():
                if v is not None:
                    f.write("%s = %s\n" % (k, v))
        os.chmod(conf, 0o600)
        self.proc = await asyncio.create_subprocess_exec(
            self.scobot, "--config", conf, stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
            env=dict(os.environ, **self.env) if self.env else None)
        self.reader = asyncio.ensure_future(self._read())
        return self

    async def _read(self):
        while True:
            line = await self.proc.stderr.readline()
            if not line:
                return
            self.lines.append(line.decode("utf-8", "replace").rstrip("\n"))
            self.fd._wake()

    def has(self, needle):
        return [l for l in self.lines if needle in l]

    async def stop(self):
        if self.proc and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), 10)
            except asyncio.TimeoutError:
                self.proc.kill()
                await self.proc.wait()
        if self.reader:
            await asyncio.wait_for(self.reader, 5)
        return self.proc.returncode if self.proc else None

    def cleanup(self):
        if self.proc and self.proc.returncode is None:
            self.proc.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


def namespace(token):
    """coord_namespace(): "scobot:" and FNV-1a 64 of the token, in hex."""
    h = 1469598103934665603
    for b in token.encode():
        h = ((h ^ b) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return "scobot:%016x" % h


def shard_of(guild_id):
    # developers/events/gateway.mdx "Sharding": (guild_id >> 22) % num_shards.
    return (int(guild_id) >> 22) % SHARDS


async def burst(fd, n, rate, tag, during=None, per_guild=10):
    """n prefix commands at `rate`/s, round-robin over every guild (so over all
    shards) and 5 channels per guild, each from its own user. Returns
    [(message id, channel, shard)]. during(i) runs before command i."""
    sent = []
    t0 = time.monotonic()
    for i in range(n):
        if during:
            await during(i)
        g = fd.guild_ids[i % len(fd.guild_ids)]
        ch = str(int(g) + 1 + (i // len(fd.guild_ids)) % per_guild)
        user = "7%04d%013d" % (tag, i)
        mid = await fd.inject_message(content="!sco sg 2011", guild_id=g, channel_id=ch,
                                      author_id=user)
        sent.append((mid, ch, shard_of(g)))
        delay = t0 + (i + 1) / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
    return sent


def shard_of_path(path, sent):
    ch = path.split("/")[-2]
    return next((sh for _, c, sh in sent if c == ch), None)


def replies(fd):
    by = {}
    for p in fd.posts:
        ref = (p.get("message_reference") or {}).get("message_id")
        if ref:
            by[ref] = by.get(ref, 0) + 1
    return by


async def all_answered(fd, sent, timeout):
    await fd.wait_for(lambda: all(replies(fd).get(m) for m, _, _ in sent), timeout)
    await asyncio.sleep(1.5)   # anything sent twice would arrive by now
    by = replies(fd)
    missing = [m for m, _, _ in sent if not by.get(m)]
    twice = [m for m, _, _ in sent if by.get(m, 0) > 1]
    assert not missing and not twice, "missing %d, answered twice %d" % (len(missing), len(twice))


def identify_spacing(fd):
    ts = sorted(e["t"] for e in fd.events("identify_ok"))
    return [round(b - a, 3) for a, b in zip(ts, ts[1:])]


def max_in_window(times, width=1.0):
    times = sorted(times)
    best, j = 0, 0
    for i, t in enumerate(times):
        while times[j] <= t - width:
            j += 1
        best = max(best, i - j + 1)
    return best


async def setup(**fd_kw):
    fd = FakeDiscord(token=TOKEN, heartbeat_ms=41250, shards=SHARDS, max_concurrency=1,
                     guilds=6, **fd_kw)
    await fd.start()
    redis = await Redis().start()
    procs = [Proc(fd, redis, k) for k in range(SHARDS)]
    for p in procs:
        await p.start()
    # max_concurrency 1: three identifies take at least 10 s.
    await fd.wait_for(lambda: all(p.has(READY_LINE) for p in procs), 40)
    return fd, redis, procs


async def teardown(fd, redis, procs):
    """Stops everything; a process that does not exit 0 on SIGTERM, or whose
    sanitizers reported anything (the ASan build), fails the scenario."""
    bad = []
    for p in procs:
        try:
            rc = await p.stop()
            san = [l for l in p.lines if "Sanitizer" in l or "runtime error:" in l]
            if rc != 0 or san:
                bad.append("process %d: exit %s\n%s" % (p.shard, rc, "\n".join((san or p.lines)[-15:])))
        finally:
            p.cleanup()
    if redis:
        await redis.cleanup()
    await fd.stop()
    assert not bad, "\n".join(bad)


def common_checks(fd, procs):
    st = fd.state()
    assert st["identify_rejected"] == 0, "identifies rejected with op 9: %d" % st["identify_rejected"]
    spacing = identify_spacing(fd)
    assert len(fd.events("identify_ok")) == SHARDS, fd.events("identify_ok")
    assert all(d >= 5.0 for d in spacing), "identifies closer than 5 s: %s" % spacing
    assert st["after_zero"] == 0, "requests after Remaining: 0: %d" % st["after_zero"]
    for p in procs:
        assert not [l for l in p.lines if TOKEN in l], "the token appears in a log line"
    return st, spacing


TESTS = []


def scenario(fn):
    TESTS.append(fn)
    return fn


@scenario
async def shared_limits():
    fd, redis, procs = await setup()
    try:
        for p in procs:
            await fd.wait_for(lambda: p.has("limits shared through Redis"), 10)
        # gateway.mdx "Session Start Limit": the day's identifies are counted
        # once for the token, whichever process sent them.
        day = await redis.get(namespace(TOKEN) + ":identify-day")
        assert day == str(SHARDS), "identifies counted in Redis: %r" % day
        t0 = fd.now()
        sent = await burst(fd, 300, 100.0, 1)
        await all_answered(fd, sent, 60)
        st, spacing = common_checks(fd, procs)
        assert st["global_429"] == 0, "global 429s: %d" % st["global_429"]
        posts = [r["t"] for r in fd.rest if r["route"] == "create_message" and r["t"] >= t0]
        span = max(posts) - min(posts)
        print("# 300 commands at 100/s over 3 processes: %d requests in %.2f s (%.1f/s), "
              "busiest second %d, identifies %s s apart"
              % (len(posts), span, (len(posts) - 1) / span, max_in_window(posts), spacing),
              flush=True)
        assert fd.errors == [], fd.errors
        # rate-limits.mdx "Global Rate Limit": a global 429 seen by one process
        # pauses every process on the token until its retry_after has passed.
        # (Requests granted just before the 429 came back may still arrive in
        # its first moments; on a loaded CI machine that is up to ~0.2 s.)
        await fd.fault("rest_429_global", route="create_message", retry_after=2.0)
        sent2 = await burst(fd, 90, 60.0, 6)
        await all_answered(fd, sent2, 30)
        t429 = [r["t"] for r in fd.rest if r["status"] == 429][0]
        during = [r for r in fd.rest if r["route"] == "create_message"
                  and t429 + 0.25 < r["t"] < t429 + 1.95]
        shards_after = {shard_of_path(r["path"], sent2) for r in fd.rest
                        if r["route"] == "create_message" and r["t"] > t429 + 2.0}
        print("# global 429 at %.2f s: %d requests from 0.25 s to 1.95 s after; then from "
              "shards %s" % (t429, len(during), sorted(shards_after)), flush=True)
        assert not during, "requests during the global pause: %s" % during
        assert shards_after == {0, 1, 2}, shards_after
    finally:
        await teardown(fd, redis, procs)


@scenario
async def redis_killed_mid_burst():
    await redis_away_mid_burst(hang=False)


@scenario
async def redis_hung_mid_burst():
    await redis_away_mid_burst(hang=True)


async def redis_away_mid_burst(hang):
    fd, redis, procs = await setup()
    kill_at = restart_at = None
    try:
        for p in procs:
            await fd.wait_for(lambda: p.has("limits shared through Redis"), 10)

        modes = {}

        async def during(i):
            nonlocal kill_at, restart_at
            if i in (60, 380):
                modes[i] = [await p.mode() for p in procs]
            if i == 80:
                if hang:
                    redis.pause(True)
                else:
                    await redis.kill()
                kill_at = fd.now()
            if i == 400:
                if hang:
                    redis.pause(False)
                else:
                    await redis.start()
                restart_at = fd.now()

        sent = await burst(fd, 480, 80.0, 2, during)
        await all_answered(fd, sent, 90)
        modes["after"] = [await p.mode() for p in procs]
        # /metrics and /healthz say which mode each process is in.
        for when, want, text in ((60, 1, "coordination: shared"),
                                 (380, 0, "local share (Redis unavailable)"),
                                 ("after", 1, "coordination: shared")):
            for shared, health in modes[when]:
                assert shared == want and text in health, (when, modes[when])
        common_checks(fd, procs)
        # Each process alone, while Redis is away (after the 1.5 s in which its
        # presence in Redis lapses), sends at most its share in any second.
        shard_of_channel = {ch: sh for _, ch, sh in sent}
        down = {}
        for r in fd.rest:
            if r["route"] != "create_message" or not (kill_at + 1.6 <= r["t"] <= restart_at):
                continue
            ch = r["path"].split("/")[-2]
            down.setdefault(shard_of_channel.get(ch), []).append(r["t"])
        busiest = {k: max_in_window(v) for k, v in down.items()}
        print("# Redis down %.1f s: busiest second per process %s (share %d), global 429s %d"
              % (restart_at - kill_at, busiest, SHARE, fd.state()["global_429"]), flush=True)
        g429 = [round(r["t"] - kill_at, 2) for r in fd.rest if r["status"] == 429]
        if g429:
            print("# 429s at %s s after Redis went away (back after %.2f s)"
                  % (g429, restart_at - kill_at), flush=True)
        assert down, "no request while Redis was down"
        assert all(v <= SHARE for v in busiest.values()), busiest
        for p in procs:
            if hang:
                assert p.has("Redis answer late"), "no late answer logged"
            assert p.has("using this process's local share"), "no fallback logged"
            assert len(p.has("limits shared through Redis")) >= 2, \
                "shared mode did not resume:\n" + "\n".join(p.lines[-20:])
        assert fd.state()["global_429"] == 0, "global 429s: %d" % fd.state()["global_429"]
    finally:
        await teardown(fd, redis, procs)


@scenario
async def redis_password_comes_from_the_credential_and_is_never_logged():
    # systemd's LoadCredential= puts it in $CREDENTIALS_DIRECTORY/redis-password.
    password = "redis-pw-" + os.urandom(6).hex()
    fd = FakeDiscord(token=TOKEN, heartbeat_ms=41250, shards=1, guilds=2)
    await fd.start()
    redis = await Redis(password).start()
    creds = tempfile.mkdtemp(prefix="scobot-creds-")
    procs = []
    try:
        for attempt, pw in (("right", password), ("wrong", password + "x")):
            with open(os.path.join(creds, "redis-password"), "w") as f:
                f.write(pw + "\n")
            os.chmod(os.path.join(creds, "redis-password"), 0o600)
            p = Proc(fd, redis, 0, {"shards": "1", "shard_ids": "0-0"},
                     env={"CREDENTIALS_DIRECTORY": creds})
            procs.append(p)
            await p.start()
            await fd.wait_for(lambda: p.has(READY_LINE), 20)
            if attempt == "right":
                await fd.wait_for(lambda: p.has("limits shared through Redis"), 10)
            else:
                # Refused: said once, answers go on at the local share.
                await fd.wait_for(lambda: p.has("redis refused AUTH"), 10)
            sent = await burst(fd, 5, 10.0, 4 if attempt == "right" else 5)
            await all_answered(fd, sent, 20)
            if attempt == "wrong":
                await asyncio.sleep(1.5)
                assert len(p.has("redis refused AUTH")) == 1, p.lines
                assert not p.has("limits shared through Redis"), p.lines
            assert not [l for l in p.lines if password in l], "the password was logged"
            procs.remove(p)
            rc = await p.stop()
            p.cleanup()
            assert rc == 0, rc
    finally:
        for p in procs:
            p.cleanup()
        shutil.rmtree(creds, ignore_errors=True)
        await redis.cleanup()
        await fd.stop()


async def main():
    if not SCOBOT or not os.access(SCOBOT, os.X_OK):
        print("1..0 # SKIP no scobot binary given")
        return 0
    only = [w for w in os.environ.get("COORD_TEST", "").split(",") if w]
    tests = [t for t in TESTS if not only or any(w in t.__name__ for w in only)]
    print("1..%d" % len(tests), flush=True)
    failed = 0
    for i, t in enumerate(tests, 1):
        start = time.monotonic()
        try:
            await asyncio.wait_for(t(), 150)
            print("ok %d - %s # %.1fs" % (i, t.__name__, time.monotonic() - start), flush=True)
        except BaseException as e:  # noqa: B902 - report every failure as TAP
            failed += 1
            for line in traceback.format_exc().splitlines():
                print("# " + line)
            print("not ok %d - %s (%s)" % (i, t.__name__, type(e).__name__), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
