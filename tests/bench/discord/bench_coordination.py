#!/usr/bin/python3
"""bench_coordination.py: several scobot processes on one bot token against the
local fake Discord, which enforces Discord's per-token limits (50 requests/s
global, max_concurrency identifies per 5 s); run by hand, never as a test.
Loopback only.

  /usr/bin/python3 bench_coordination.py BUILD/src/daemon/scobot MODE [commands] [rate] [channels]
      [--log FILE]

MODE: redis  three processes (shards = 3, shard_ids 0, 1, 2) sharing the limits
             through a real redis-server started here ([discord] coordination)
      alone  the same three processes without coordination (scobot before it)
      one    one process running all three shards, no coordination (baseline)

Sends `commands` prefix commands (default 2000) at `rate` per second (100)
round-robin over 6 guilds (2 per shard) and `channels` channels (100), each
from its own user, then reports: commands answered / twice / missing, REST
requests in all, global 429s, requests into a bucket at Remaining: 0,
identifies and those refused (op 9), the smallest gap between identifies, and
the message-create throughput from the first to the last accepted POST (with
the busiest second), and every 429 the fixture answered (global and per route).
--log FILE keeps every process's stderr (its log at level info), each line
prefixed with the process's shard, and the fixture's counts. Needs
redis-server (Debian's package) for MODE redis.
"""

import asyncio
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "integration", "discord"))
import test_coordination as tc  # noqa: E402
from fake_discord import FakeDiscord  # noqa: E402


async def main():
    argv = list(sys.argv)
    log_path = None
    if "--log" in argv:
        k = argv.index("--log")
        log_path = argv[k + 1]
        del argv[k:k + 2]
    scobot, mode = argv[1], argv[2]
    n = int(argv[3]) if len(argv) > 3 else 2000
    rate = float(argv[4]) if len(argv) > 4 else 100.0
    channels = int(argv[5]) if len(argv) > 5 else 100
    fd = FakeDiscord(token=tc.TOKEN, heartbeat_ms=41250, shards=tc.SHARDS, max_concurrency=1,
                     guilds=6)
    await fd.start()
    redis = await tc.Redis().start() if mode == "redis" else None
    if mode == "one":
        procs = [tc.Proc(fd, None, 0, {"shard_ids": "0-2"}, scobot=scobot)]
    else:
        procs = [tc.Proc(fd, redis, k, scobot=scobot) for k in range(tc.SHARDS)]
    try:
        for p in procs:
            await p.start()
        try:
            await fd.wait_for(lambda: all(p.has(tc.READY_LINE) for p in procs), 60)
        except TimeoutError:
            print("not every process got READY (identifies refused?)")
        t0 = fd.now()
        wall = time.monotonic()
        sent = await tc.burst(fd, n, rate, 3, per_guild=max(1, channels // len(fd.guild_ids)))
        # Polled, not waited on every fixture event: the check is O(commands)
        # and the fixture must spend its time answering the bots.
        end = time.monotonic() + 300
        while time.monotonic() < end:
            by = tc.replies(fd)
            if all(by.get(m) for m, _, _ in sent):
                break
            await asyncio.sleep(0.5)
        await asyncio.sleep(2)
        by = tc.replies(fd)
        st = fd.state()
        ok = [r["t"] for r in fd.rest if r["route"] == "create_message" and r["t"] >= t0
              and r["status"] == 200]
        reqs = [r for r in fd.rest if r["t"] >= t0]
        span = max(ok) - min(ok) if len(ok) > 1 else 0
        ids = sorted(e["t"] for e in fd.events("identify_ok"))
        gaps = [b - a for a, b in zip(ids, ids[1:])]
        print("mode=%s commands=%d rate=%.0f/s channels=%d" % (mode, n, rate, channels))
        print("answered once: %d, twice: %d, missing: %d"
              % (sum(1 for m, _, _ in sent if by.get(m) == 1),
                 sum(1 for m, _, _ in sent if by.get(m, 0) > 1),
                 sum(1 for m, _, _ in sent if not by.get(m))))
        print("REST requests during the burst: %d; global 429s: %d; after Remaining 0: %d; "
              "429s in all: %d" % (len(reqs), st["global_429"], st["after_zero"],
                                   sum(1 for r in reqs if r["status"] == 429)))
        print("global-limited requests: most in one second %d, in 100 ms %d"
              % (st["global_max_1s"], st["global_max_100ms"]))
        print("identifies: %d sent, %d accepted, %d refused (op 9); smallest gap %s s"
              % (len(fd.events("identify")), len(ids), st["identify_rejected"],
                 "%.2f" % min(gaps) if gaps else "-"))
        if os.environ.get("BENCH_GAPS"):
            ga = sorted(r["t"] for r in reqs if r["route"] == "create_message")
            d = sorted(b - a for a, b in zip(ga, ga[50:]))
            if d:
                print("arrival k to k+50, s: min %.3f p50 %.3f p90 %.3f max %.3f"
                      % (d[0], d[len(d) // 2], d[len(d) * 9 // 10], d[-1]))
        if os.environ.get("BENCH_SECONDS"):
            per = {}
            for t in ok:
                per[int(t - ok[0])] = per.get(int(t - ok[0]), 0) + 1
            print("per second:", [per.get(k, 0) for k in range(int(span) + 1)])
        for p in procs:
            late = len(p.has("Redis answer late"))
            lost = len(p.has("using this process's local share"))
            if late or lost:
                print("process %d: %d late-Redis episodes, %d fallbacks" % (p.shard, late, lost))
        if span > 0:
            tput = (len(ok) - 1) / span
            print("throughput: %d accepted creates in %.2f s = %.1f/s (%.0f%% of 50/s); "
                  "busiest second %d; burst to last answer %.1f s"
                  % (len(ok), span, tput, tput * 2, tc.max_in_window(ok),
                     time.monotonic() - wall))
    finally:
        if log_path:
            with open(log_path, "w") as f:
                f.write("# %s\n" % " ".join(sys.argv))
                for p in procs:
                    for line in p.lines:
                        f.write("[%d] %s\n" % (p.shard, line))
                f.write("# fixture state: %r\n" % {k: v for k, v in fd.state().items()
                                                    if k not in ("sessions", "errors")})
                f.write("# fixture errors: %r\n" % fd.errors[:20])
        await tc.teardown(fd, redis, procs)


if __name__ == "__main__":
    asyncio.run(main())
