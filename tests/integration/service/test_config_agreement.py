#!/usr/bin/python3
"""test_config_agreement.py: what `scobot --check-config` says about a config
file is what the daemon does with it. Every tests/config/*.conf runs through
both: the check (exit 0 = valid, 6 = invalid) and a real start against the
local fixture servers (READY=1 on a real sd_notify socket = valid, exit 6
before that = invalid). The test fails when they disagree, and when they agree
on something other than the file's `# expect:` line. One TAP test per file.

usage: test_config_agreement.py SCOBOT CONFIG_DIR FAKE_HOMESERVER FAKE_DISCORD
"""
import glob
import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import exit_status as ex  # noqa: E402  (the numbers in src/core/host.h)

PY = "/usr/bin/python3"
BOT = "@scobot:test"
DISCORD_TOKEN = "agreement-test-token"
EXIT_CONFIG = ex.CONFIG
WRAPPER = shlex.split(os.environ.get("SCOBOT_WRAPPER", ""))
SLOW = 10 if WRAPPER else 1
READY_TIMEOUT_S = 20 * SLOW


class Fixture:
    """One fixture process, killed on close."""

    def __init__(self, argv, capture_stdout):
        out = subprocess.PIPE if capture_stdout else subprocess.DEVNULL
        self.p = subprocess.Popen(argv, stdout=out, stderr=subprocess.PIPE, text=True)

    def close(self):
        self.p.kill()
        self.p.wait()


def start_homeserver(script, host):
    f = Fixture([PY, script, "--user", BOT, "--host", host], True)
    line = f.p.stdout.readline().split()
    if not line or line[0] != "PORTS":
        raise RuntimeError("homeserver fixture did not start: " + f.p.stderr.read())
    f.port, ctl = int(line[1]), int(line[2])
    req = urllib.request.Request("http://127.0.0.1:%d/_test/token" % ctl, data=b"{}",
                                 method="POST")
    with urllib.request.urlopen(req, timeout=10) as r:
        f.token = json.loads(r.read())["token"]
    return f


def start_discord(script, tmp):
    portfile = os.path.join(tmp, "discord.port")
    f = Fixture([PY, script, "--port", "0", "--portfile", portfile, "--token", DISCORD_TOKEN,
                 "--heartbeat-ms", "500"], False)
    end = time.monotonic() + 10
    while time.monotonic() < end:
        if os.path.exists(portfile) and open(portfile).read().strip():
            f.port = int(open(portfile).read().strip())
            f.token = DISCORD_TOKEN
            return f
        time.sleep(0.05)
    f.close()
    raise RuntimeError("discord fixture did not start")


def header(text, key):
    m = re.search(r"^# %s: *(\S+)" % key, text, re.M)
    return m.group(1) if m else None


def daemon_verdict(scobot, conf, env, tmp):
    """'valid' when the daemon reports READY=1, 'invalid' when it exits with
    the config status first, else a description of what happened."""
    sock_path = os.path.join(tmp, "notify.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(sock_path)
    sock.settimeout(0.1)
    env = dict(env, NOTIFY_SOCKET=sock_path)
    env.pop("JOURNAL_STREAM", None)
    p = subprocess.Popen(WRAPPER + [scobot, "--config", conf], env=env, stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    verdict = None
    end = time.monotonic() + READY_TIMEOUT_S
    try:
        while verdict is None and time.monotonic() < end:
            try:
                if "READY=1" in sock.recv(65536).decode().split("\n"):
                    verdict = "valid"
                    break
            except socket.timeout:
                pass
            rc = p.poll()
            if rc is not None:
                verdict = "invalid" if rc == EXIT_CONFIG else "exit %d" % rc
        if verdict is None:
            verdict = "neither ready nor exited in %d s" % READY_TIMEOUT_S
    finally:
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(timeout=20 * SLOW)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        log = p.stderr.read()
        sock.close()
    return verdict, p.returncode, log


def run_one(scobot, path, hs_script, dc_script):
    text = open(path).read()
    expect = header(text, "expect")
    assert expect in ("valid", "invalid"), "%s: no '# expect: valid|invalid' line" % path
    tmp = tempfile.mkdtemp(prefix="scobot-agree-")
    fixtures = []
    try:
        creds = os.path.join(tmp, "creds")
        os.makedirs(creds)
        hs_port = dc_port = 1
        if "@HS_PORT@" in text:
            hs = start_homeserver(hs_script, header(text, "listen") or "127.0.0.1")
            fixtures.append(hs)
            hs_port = hs.port
            with open(os.path.join(creds, "matrix-token"), "w") as f:
                f.write(hs.token + "\n")
        if "[discord]" in text:
            if "@DISCORD_PORT@" in text:
                dc = start_discord(dc_script, tmp)
                fixtures.append(dc)
                dc_port = dc.port
            with open(os.path.join(creds, "discord-token"), "w") as f:
                f.write(DISCORD_TOKEN + "\n")
        for name in os.listdir(creds):
            os.chmod(os.path.join(creds, name), 0o400)
        conf = os.path.join(tmp, "scobot.conf")
        with open(conf, "w") as f:
            f.write(text.replace("@STATE_DIR@", os.path.join(tmp, "state"))
                    .replace("@HS_PORT@", str(hs_port)).replace("@DISCORD_PORT@", str(dc_port)))
        os.chmod(conf, 0o600)
        os.makedirs(os.path.join(tmp, "state"), mode=0o700)
        env = dict(os.environ, CREDENTIALS_DIRECTORY=creds)

        chk = subprocess.run(WRAPPER + [scobot, "--check-config", "--config", conf], env=env,
                             stdin=subprocess.DEVNULL, capture_output=True, text=True,
                             timeout=60 * SLOW)
        check = {0: "valid", EXIT_CONFIG: "invalid"}.get(chk.returncode,
                                                          "exit %d" % chk.returncode)
        daemon, rc, log = daemon_verdict(scobot, conf, env, tmp)
        detail = "check: %s (%s) daemon: %s\n--- check output:\n%s--- daemon log:\n%s" % (
            check, chk.returncode, daemon, chk.stdout + chk.stderr, log[-3000:])
        assert check == daemon, "check and daemon disagree: " + detail
        assert check == expect, "both say %s, the file expects %s: %s" % (check, expect, detail)
        # Neither ever shows a token (GUIDE: secrets never in output).
        for f in fixtures:
            assert f.token not in chk.stdout + chk.stderr + log, "a token was printed"
    finally:
        for f in fixtures:
            f.close()
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    scobot, conf_dir, hs_script, dc_script = sys.argv[1:5]
    files = sorted(glob.glob(os.path.join(conf_dir, "*.conf")))
    print("TAP version 13")
    print("1..%d" % len(files))
    failed = 0
    for i, path in enumerate(files, 1):
        name = os.path.basename(path)
        try:
            run_one(scobot, path, hs_script, dc_script)
            print("ok %d - %s" % (i, name))
        except Exception as e:  # one file's failure must not hide the others
            failed += 1
            print("not ok %d - %s" % (i, name))
            for line in str(e).splitlines():
                print("# " + line)
        sys.stdout.flush()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
