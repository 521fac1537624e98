#!/usr/bin/python3
"""bench_ingest.py: how many non-command events per second the scobot binary
ingests through a real websocket (zlib-stream) and whether its heartbeats stay
on time meanwhile; run by hand, never as a test. Loopback only.

  /usr/bin/python3 bench_ingest.py BUILD/src/daemon/scobot [events] [options]
    --runs N          runs (default 3); the summary gives medians
    --interval-ms MS  heartbeat_interval in the fixture's Hello (default 5000)
    --grace-ms MS     the fixture closes the session, as Discord does, when a
                      beat comes later than interval + this (default 500)
    --stall S         hold the link for S seconds from the next beat, then
                      deliver everything at once (fake_discord.flood_events):
                      the backlog a server faster than the bot makes
    --tls             the gateway over wss:// (a throwaway self-signed
                      certificate, trusted through [discord] ca_file)
    --logs DIR        keep each run's scobot stderr (log level info) as
                      DIR/run-N.log (default: a new directory under /tmp)

The fixture (fake_discord.py) floods `events` dispatches (MESSAGE_CREATE that
are not commands, with TYPING_START and MESSAGE_UPDATE mixed in) as fast as the
socket takes them, then one command; the rate is events / time until that
command's answer arrives, so it counts the bot's processing, bounded below by
how fast Python can send (with --stall the stall is inside that time). Each
run reports the largest gap between heartbeats as the fixture received them,
per connection (Hello to the first beat included), the session resets (every
connection after the first), identifies, resumes, the ACKs the bot found
queued behind events it had not read yet, the worst ACK latency (/metrics)
and the bot's CPU seconds.
"""

import argparse
import asyncio
import os
import shutil
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "integration", "discord"))
from fake_discord import FakeDiscord  # noqa: E402

TOKEN = "bench-token"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def cpu_seconds(pid):
    f = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")


def metric(port, name):
    try:
        body = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=2).read()
    except OSError:
        return None
    for line in body.decode().splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return None


async def one_run(a, k, logdir, tmp):
    fd = FakeDiscord(token=TOKEN, heartbeat_ms=a.interval_ms, global_limit=10 ** 9)
    fd.strict_heartbeat_grace_ms = a.grace_ms
    await fd.start()
    extra = ""
    if a.tls:
        cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(cert, key)
        tp = await fd.add_tls_site(ctx)
        fd.gateway_url = "wss://localhost:%d/gateway" % tp
        fd.resume_url = "wss://localhost:%d/resume" % tp
        extra = "ca_file = %s\n" % cert
    d = tempfile.mkdtemp(prefix="run-", dir=tmp)
    tok = os.path.join(d, "token")
    with open(tok, "w") as f:
        f.write(TOKEN)
    os.chmod(tok, 0o600)
    st = os.path.join(d, "state")
    os.makedirs(st, mode=0o700)
    mport = free_port()
    conf = os.path.join(d, "scobot.conf")
    with open(conf, "w") as f:
        f.write("[general]\nstate_dir = %s\n[log]\nlevel = info\n[metrics]\nlisten = 127.0.0.1:%d\n"
                "[discord]\ntoken_file = %s\napi_base = %s/api/v10\nregister_commands = false\n%s"
                % (st, mport, tok, fd.base(), extra))
    log_path = os.path.join(logdir, "run-%d.log" % k)
    log = open(log_path, "w")
    # A fixed today, as in the tests: the same answers whatever the clock says.
    proc = await asyncio.create_subprocess_exec(a.scobot, "--config", conf, "--today", "2026-12-06",
                                                stderr=log)
    try:
        await fd.wait_for(lambda: fd.events("identify_ok"), 10)
        await asyncio.sleep(1.0)
        cpu0 = cpu_seconds(proc.pid)
        t0 = time.monotonic()
        sent, send_s = await fd.flood_events(a.events, stall_s=a.stall)
        mid = await fd.inject_message(content="!sco sg 2011")
        await fd.wait_for(lambda: [p for p in fd.posts
                                   if (p.get("message_reference") or {}).get("message_id") == mid], 300)
        total = time.monotonic() - t0
        cpu = cpu_seconds(proc.pid) - cpu0
        await asyncio.sleep(a.interval_ms / 1000.0 + 0.5)  # one beat after the backlog
        ack_max = metric(mport, "scobot_discord_heartbeat_ack_latency_max_seconds")
        gaps = fd.heartbeat_gaps()
        allg = [g for v in gaps.values() for g in v]
        r = {"sent": sent, "send_s": send_s, "total": total, "rate": sent / total,
             "max_gap": max(allg) if allg else float("nan"), "resets": len(gaps) - 1,
             "identifies": len(fd.events("identify")), "resumes": len(fd.events("resume")),
             "late": len(fd.events("late_heartbeat")), "cpu": cpu, "ack_max": ack_max,
             "log": log_path}
    finally:
        proc.send_signal(signal.SIGTERM)
        await proc.wait()
        log.close()
        await fd.stop()
    with open(log_path) as f:
        text = f.read()
    r["acks_behind"] = text.count("ACK not read yet")
    r["zombies"] = text.count("heartbeat not acknowledged")
    return r


async def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("scobot")
    ap.add_argument("events", type=int, nargs="?", default=500000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--interval-ms", type=int, default=5000)
    ap.add_argument("--grace-ms", type=int, default=500)
    ap.add_argument("--stall", type=float, default=0.0)
    ap.add_argument("--tls", action="store_true")
    ap.add_argument("--logs")
    a = ap.parse_args()
    logdir = a.logs or tempfile.mkdtemp(prefix="scobot-bench-ingest-")
    os.makedirs(logdir, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="scobot-bench-")
    if a.tls:
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                        "-keyout", os.path.join(tmp, "key.pem"), "-out", os.path.join(tmp, "cert.pem")],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    print("scobot=%s events=%d interval=%d ms grace=%d ms stall=%.1f s tls=%s runs=%d logs=%s"
          % (a.scobot, a.events, a.interval_ms, a.grace_ms, a.stall, a.tls, a.runs, logdir))
    rs = []
    try:
        for k in range(1, a.runs + 1):
            r = await one_run(a, k, logdir, tmp)
            rs.append(r)
            print("run %d: %d events in %.2f s -> %.0f events/s (fixture sent them in %.2f s); "
                  "max heartbeat gap %.3f s; resets %d (identifies %d, resumes %d, late beats %d, "
                  "zombie verdicts %d); ACKs behind %d; ACK latency max %s s; bot CPU %.2f s"
                  % (k, r["sent"], r["total"], r["rate"], r["send_s"], r["max_gap"], r["resets"],
                     r["identifies"], r["resumes"], r["late"], r["zombies"], r["acks_behind"],
                     "%.3f" % r["ack_max"] if r["ack_max"] is not None else "?", r["cpu"]),
                  flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("median of %d runs: max heartbeat gap %.3f s, %.0f events/s; session resets %s"
          % (len(rs), statistics.median(r["max_gap"] for r in rs),
             statistics.median(r["rate"] for r in rs), [r["resets"] for r in rs]))


if __name__ == "__main__":
    asyncio.run(main())
