#!/usr/bin/python3
"""bench_ingest.py: how many non-command events per second the scobot binary
ingests through a real websocket (zlib-stream) while keeping its heartbeats on
time; run by hand, never as a test. Loopback only.

  /usr/bin/python3 bench_ingest.py BUILD/src/daemon/scobot [events]
  /usr/bin/python3 bench_ingest.py BUILD/tests/integration/discord/discord_driver [events]

The fixture floods `events` MESSAGE_CREATEs (not commands) then one command;
the rate is events / time until that command's answer arrives, so it counts
the bot's processing, bounded below by how fast Python can send. Heartbeats
(interval 5 s here; at 1 s the ACK queued behind the flood itself makes the bot call the connection a zombie, correctly) must keep their gaps within the fixture's tolerance.
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


async def main():
    scobot = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 100000
    fd = FakeDiscord(token=TOKEN, heartbeat_ms=5000, global_limit=10 ** 9)
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
    driver = scobot.endswith("discord_driver")
    if driver:
        proc = await asyncio.create_subprocess_exec(
            scobot, "--api-base", fd.base() + "/api/v10", "--token-file", tok, "--state-dir", st,
            stderr=asyncio.subprocess.PIPE)
    else:
        # A fixed today, as in the tests: the same answers whatever the clock says.
        proc = await asyncio.create_subprocess_exec(scobot, "--config", conf,
                                                    "--today", "2026-12-06",
                                                    stderr=asyncio.subprocess.DEVNULL)
    try:
        await fd.wait_for(lambda: fd.events("identify_ok"), 10)
        await asyncio.sleep(1.5)
        t0 = time.monotonic()
        send_s = await fd.flood(n)
        mid = await fd.inject_message(content="!sco sg 2011")
        await fd.wait_for(lambda: [p for p in fd.posts
                                   if (p.get("message_reference") or {}).get("message_id") == mid], 120)
        total = time.monotonic() - t0
        await asyncio.sleep(2.5)
        beats = [e["t"] for e in fd.events("heartbeat")]
        gaps = [b - a for a, b in zip(beats, beats[1:])]
        print("events=%d sent in %.2fs; answered the command after %.2fs -> %.0f events/s ingested"
              % (n, send_s, total, n / total))
        print("heartbeat gaps (interval 5.0 s): max %.3f s, late heartbeats: %d, errors: %d"
              % (max(gaps) if gaps else -1, len(fd.events("late_heartbeat")), len(fd.errors)))
        if driver:
            proc.send_signal(signal.SIGUSR1)
            await asyncio.sleep(0.3)
    finally:
        proc.send_signal(signal.SIGTERM)
        if driver:
            out = (await proc.stderr.read()).decode("utf-8", "replace")
            for line in out.splitlines():
                if line.startswith("STATUS"):
                    print("bot:", line)
        await proc.wait()
        await fd.stop()
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    asyncio.run(main())
