#!/usr/bin/python3
"""bench_matrix.py: Matrix adapter benchmarks against the local homeserver
fixture, run by hand (never as a test); prints numbers for doc/PERFORMANCE.md.

  1. 1000 commands over 100 rooms (10 each: within a room's cooldown burst of
     15, so every command is answered), paced: latency from a message becoming visible
     to /sync until the PUT of its reply arrives at the fixture (p50/p99/max).
     This includes the Python fixture's own work (building the sync response,
     HTTP on both sides), so it is an upper bound on what the bot adds.
     The same run counts the /sync responses the fixture sent and the CPU
     time the homeserver process used, per command (issue 17 item 2: a reply
     must not wake the bot's own long-poll).
  2. RSS of the adapter process (driver = adapter + engine + embedded facts) with
     1000 joined rooms, after the initial sync and after the 1000 commands.

usage: bench_matrix.py [--log-dir DIR] BUILD/tests/integration/matrix/matrix_driver \\
                       SRC/tests/integration/matrix/fake_homeserver.py [DRIVER2 ...]
Each further driver (e.g. an older build) runs the latency part right after
the first, so their figures compare within one run. --log-dir keeps every
bot's stderr (bench-<n>-<what>.log) instead of deleting it.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

PY = "/usr/bin/python3"
BOT = "@scobot:test"
PW = "bench-password"


def start_fixture(script):
    p = subprocess.Popen([PY, script, "--user", BOT, "--password", PW], stdout=subprocess.PIPE,
                         text=True)
    _, api, ctl = p.stdout.readline().split()
    return p, int(api), int(ctl)


def ctl(port, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request("http://127.0.0.1:%d/_test/%s" % (port, path), data=data,
                                 method="POST" if data is not None else "GET")
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read())


def rss_kib(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                out[line.split(":")[0]] = int(line.split()[1])
    return out


def wait_for(pred, timeout):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.05)
    return False


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p / 100.0 * (len(v) - 1))))]


NROOMS = 100
LOG_DIR = None
LOG_SEQ = [0]


def cpu_seconds(pid):
    """utime + stime of a process (proc(5), /proc/pid/stat fields 14 and 15)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def keep_log(state, what):
    if LOG_DIR:
        LOG_SEQ[0] += 1
        os.makedirs(LOG_DIR, exist_ok=True)
        shutil.copy(os.path.join(state, "bot.log"),
                    os.path.join(LOG_DIR, "bench-%d-%s.log" % (LOG_SEQ[0], what)))


def run_bot(driver, api, state):
    log = open(os.path.join(state, "bot.log"), "w")
    p = subprocess.Popen([driver, "--homeserver", "http://127.0.0.1:%d" % api, "--user", BOT,
                          "--password", PW, "--state-dir", state], stderr=log,
                          stdout=subprocess.DEVNULL)
    ok = wait_for(lambda: "READY matrix" in open(os.path.join(state, "bot.log")).read(), 120)
    if not ok:
        raise SystemExit("bot not ready")
    return p


def bench_latency(driver, script):
    fx, api, cport = start_fixture(script)
    state = tempfile.mkdtemp(prefix="scobot-mx-bench-")
    try:
        rooms = [ctl(cport, "room", {"room_id": "!b%d:test" % i, "join_bot": True,
                                     "members": ["@a:test", "@b:test"]})["room_id"]
                 for i in range(NROOMS)]
        bot = run_bot(driver, api, state)
        time.sleep(0.5)
        n = 1000
        syncs0 = ctl(cport, "stats")["syncs_returned"]
        cpu0 = cpu_seconds(fx.pid)
        t0 = time.monotonic()
        for i in range(n):
            ctl(cport, "message", {"room_id": rooms[i % NROOMS], "body": "!sco sg %d" % (2002 + i % 22),
                                   "sender": "@user%d:test" % i})
            time.sleep(0.004)
        wait_for(lambda: len(ctl(cport, "latency")["latency_ms"]) >= n, 120)
        wall = time.monotonic() - t0
        time.sleep(0.5)  # the replies' own effects on the long-poll, if any
        syncs = ctl(cport, "stats")["syncs_returned"] - syncs0
        cpu = cpu_seconds(fx.pid) - cpu0
        lat = ctl(cport, "latency")["latency_ms"]
        mem = rss_kib(bot.pid)
        bot.terminate()
        bot.wait()
        for line in open(os.path.join(state, "bot.log")):
            if "matrix: stopped" in line:
                print("bot-side handling per HTTP response: " + line.split("stopped", 1)[1].strip())
        if len(lat) < n:
            print("NOT ALL ANSWERED: %d of %d" % (len(lat), n))
        print("latency: n=%d p50=%.2f ms p99=%.2f ms max=%.2f ms (wall %.1f s)" %
              (len(lat), pct(lat, 50), pct(lat, 99), max(lat), wall))
        print("rss after %d commands over %d rooms: VmRSS=%d KiB VmHWM=%d KiB" %
              (n, NROOMS, mem["VmRSS"], mem["VmHWM"]))
        print("/sync responses per command: %.2f (%d for %d); homeserver CPU per command: "
              "%.2f ms (the Python fixture, %.2f s in all)" % (syncs / n, syncs, n, cpu * 1000 / n, cpu))
        keep_log(state, "latency")
    finally:
        fx.kill()
        fx.wait()
        shutil.rmtree(state, ignore_errors=True)


def bench_rss_rooms(driver, script, nrooms=1000):
    fx, api, cport = start_fixture(script)
    state = tempfile.mkdtemp(prefix="scobot-mx-bench-")
    try:
        for i in range(nrooms):
            ctl(cport, "room", {"room_id": "!r%d:test" % i, "join_bot": True,
                                "members": ["@a:test"]})
        bot = run_bot(driver, api, state)
        time.sleep(1.0)
        mem = rss_kib(bot.pid)
        bot.terminate()
        bot.wait()
        print("rss with %d joined rooms: VmRSS=%d KiB VmHWM=%d KiB" %
              (nrooms, mem["VmRSS"], mem["VmHWM"]))
        keep_log(state, "rooms")
    finally:
        fx.kill()
        fx.wait()
        shutil.rmtree(state, ignore_errors=True)


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] == ["--log-dir"]:
        LOG_DIR, args = args[1], args[2:]
    driver, script = args[0], args[1]
    print("== %s" % driver)
    bench_latency(driver, script)
    bench_rss_rooms(driver, script)
    for other in args[2:]:
        print("== %s (latency part only)" % other)
        bench_latency(other, script)
