#!/usr/bin/python3
"""run_net_tests.py: starts net_fixture.py on loopback with a CA and a
"localhost" certificate made now (nothing secret is committed), then runs the
C test driver against it and relays its TAP output and exit status.

usage: run_net_tests.py DRIVER FIXTURE [TEST_NAME]
"""
import os
import shutil
import subprocess
import sys
import tempfile


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def make_certs(d):
    # A private CA, and a leaf for DNS:localhost only (no IP SAN), so that a
    # connection to 127.0.0.1 verifies only if the client checks "localhost".
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", "/CN=scobot test CA", "-keyout", "ca.key", "-out", "ca.pem",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=d)
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
            "-keyout", "leaf.key", "-out", "leaf.csr", cwd=d)
    with open(os.path.join(d, "leaf.ext"), "w") as f:
        f.write("subjectAltName=DNS:localhost\n"
                "basicConstraints=CA:FALSE\n"
                "extendedKeyUsage=serverAuth\n")
    openssl("x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-days", "2", "-extfile", "leaf.ext", "-out", "leaf.pem", cwd=d)


def main():
    driver, fixture = sys.argv[1], sys.argv[2]
    if not shutil.which("openssl"):
        print("1..0 # SKIP openssl CLI not found")
        return 0
    d = tempfile.mkdtemp(prefix="scobot-net-")
    srv = None
    try:
        make_certs(d)
        srv = subprocess.Popen([sys.executable, fixture,
                                "--cert", os.path.join(d, "leaf.pem"),
                                "--key", os.path.join(d, "leaf.key")],
                               stdout=subprocess.PIPE, text=True)
        line = srv.stdout.readline()
        if not line.startswith("READY"):
            print("Bail out! fixture did not start: %r" % line)
            return 1
        kv = dict(p.split("=") for p in line.split()[1:])
        env = dict(os.environ,
                   NET_TEST_HTTP_PORT=kv["http"], NET_TEST_HTTPS_PORT=kv["https"],
                   NET_TEST_CA_FILE=os.path.join(d, "ca.pem"))
        sys.stdout.flush()
        return subprocess.run(os.environ.get("NET_TEST_WRAP", "").split() + [driver, *sys.argv[3:]], env=env).returncode
    finally:
        if srv:
            srv.kill()
            srv.wait()
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
