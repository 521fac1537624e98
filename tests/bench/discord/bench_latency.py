#!/usr/bin/python3
"""bench_latency.py: reply latency and memory of the scobot binary against the
local fake Discord; run by hand, never as a test. Loopback only.

  /usr/bin/python3 bench_latency.py BUILD/src/daemon/scobot [commands] [rate] [channels]

Sends `commands` prefix commands (default 2000) at `rate` per second (100)
spread over `channels` channels (100), each from its own user (so cooldowns do
not apply), and reports the time from the fixture's dispatch of each
MESSAGE_CREATE to the arrival of the bot's POST: p50/p99/max. Discord's global
limit (50 requests/s) would queue replies above 50/s, so the fixture lifts it
here: the figure is the bot's own latency, not Discord's limit. Memory: VmRSS
and private memory (smaps_rollup) after READY and after the run. scobot's
stderr goes to $BENCH_LOG (default: a file in $TMPDIR, named at the end).
"""

import asyncio
import os
import shutil
import signal
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "integration", "discord"))
from fake_discord import FakeDiscord  # noqa: E402

TOKEN = "bench-token"


def memory(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                out["rss_kib"] = int(line.split()[1])
    priv = 0
    with open("/proc/%d/smaps_rollup" % pid) as f:
        for line in f:
            if line.startswith(("Private_Clean:", "Private_Dirty:")):
                priv += int(line.split()[1])
    out["private_kib"] = priv
    return out


async def main():
    scobot = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    rate = float(sys.argv[3]) if len(sys.argv) > 3 else 100.0
    nchan = int(sys.argv[4]) if len(sys.argv) > 4 else 100
    guilds = int(os.environ.get("BENCH_GUILDS", "2"))
    fd = FakeDiscord(token=TOKEN, heartbeat_ms=41250, global_limit=10 ** 9, guilds=guilds)
    await fd.start()
    d = tempfile.mkdtemp(prefix="scobot-bench-")
    tok = os.path.join(d, "token")
    with open(tok, "w") as f:
        f.write(TOKEN)
    os.chmod(tok, 0o600)
    st = os.path.join(d, "state")
    os.makedirs(st, mode=0o700)
    conf = os.path.join(d, "scobot.conf")
    with open(conf, "w") as f:
        f.write("[general]\nstate_dir = %s\n[log]\nlevel = warn\n[discord]\ntoken_file = %s\n"
                "api_base = %s/api/v10\nregister_commands = false\n" % (st, tok, fd.base()))
    # A fixed today, as in the tests: the same answers whatever the clock says.
    # scobot's log is kept (BENCH_LOG, else a file in $TMPDIR named at the end).
    log_path = os.environ.get("BENCH_LOG") or os.path.join(
        tempfile.gettempdir(), "scobot-bench-latency-%d.log" % os.getpid())
    log = open(log_path, "w")
    proc = await asyncio.create_subprocess_exec(scobot, "--config", conf, "--today", "2026-12-06",
                                                stderr=log)
    try:
        await fd.wait_for(lambda: fd.events("identify_ok"), 10)
        await asyncio.sleep(1.0)
        mem_ready = memory(proc.pid)
        guild = fd.guild_ids[0]
        mids = []
        start = time.monotonic()
        for i in range(n):
            due = start + i / rate
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            ch = str(810000000000000000 + i % nchan)
            mids.append(await fd.inject_message(channel_id=ch, guild_id=guild,
                                                content="!sco sg 2011",
                                                author_id=str(700000000000000000 + i)))
        await fd.wait_for(lambda: len(fd.posts) >= n, 60)
        elapsed = time.monotonic() - start
        mem_after = memory(proc.pid)
        by_ref = {p["message_reference"]["message_id"]: p for p in fd.posts if p.get("message_reference")}
        lat = sorted((by_ref[m]["received_at"] - fd.dispatched_at[m]) * 1000.0 for m in mids)
        pick = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))]
        print("commands=%d rate=%.0f/s channels=%d guilds=%d elapsed=%.1fs answered=%d" %
              (n, rate, nchan, guilds, elapsed, len(by_ref)))
        print("dispatch->POST latency ms: p50=%.2f p90=%.2f p99=%.2f max=%.2f" %
              (pick(0.50), pick(0.90), pick(0.99), lat[-1]))
        print("memory after READY: rss=%d KiB private=%d KiB" % (mem_ready["rss_kib"], mem_ready["private_kib"]))
        print("memory after run:   rss=%d KiB private=%d KiB" % (mem_after["rss_kib"], mem_after["private_kib"]))
        print("late heartbeats: %d, fixture errors: %d" % (len(fd.events("late_heartbeat")), len(fd.errors)))
    finally:
        proc.send_signal(signal.SIGTERM)
        await proc.wait()
        log.close()
        print("scobot log: %s" % log_path)
        await fd.stop()
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    asyncio.run(main())
