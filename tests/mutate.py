#!/usr/bin/python3
"""mutate.py: checks that a module's tests can fail. It makes one small broken
change at a time to a C file (flip a comparison, swap && and ||, negate a
boolean literal, drop a statement), rebuilds, runs the given meson tests, and
reports every change no test noticed (a survivor). The file is restored after
each change, and on any exit.

A hand-run tool, not part of the test suite (each mutant is a rebuild and a
test run). Results and the commands used are in doc/MUTATION.md.

usage: tests/mutate.py --build BUILD --file src/x/y.c --test NAME [--test NAME ...]
                       [--target NINJA_TARGET ...] [--lines A-B] [--max N] [--seed S]
                       [--list]

Examples:
  tests/mutate.py --build build --file src/discord/bot.c --test discord_bot
  tests/mutate.py --build build --file src/util/url.c --test util_url --max 40
"""
import argparse
import os
import random
import re
import subprocess
import sys
import time

# (pattern, replacement): each applies to one occurrence at a time.
SWAPS = [
    (r"==", "!="), (r"!=", "=="),
    (r"(?<![<>=!])<=(?!=)", ">"), (r"(?<![<>=!])>=(?!=)", "<"),
    (r"(?<![<>\-=])<(?![<=])", ">="), (r"(?<![<>\-=])>(?![>=])", "<="),
    (r"&&", "||"), (r"\|\|", "&&"),
    (r"\btrue\b", "false"), (r"\bfalse\b", "true"),
    (r"(?<![+])\+\+(?![+])", "--"), (r" \+ 1\b", ""), (r" - 1\b", ""),
]
# A statement worth dropping: a call or an assignment ending the line.
DROPPABLE = re.compile(r"^\s*(?!return\b|break\b|continue\b|goto\b|case\b|default\b|else\b)"
                       r"[A-Za-z_*(][^;{}]*;\s*$")
# "type name;" or "type name[N];" (a member or a local): nothing to drop.
PLAIN_DECL = re.compile(r"^\s*[A-Za-z_][\w\s\*]*[\s\*]\**\w+(\[[^\]]*\])?(\s*=\s*[^;]*)?;\s*$")
DECL = re.compile(r"^\s*(const\s+|static\s+|struct\s+\w+\s*\*?\s*\w+\s*[=;\[]|"
                  r"(unsigned|signed|int|char|bool|size_t|int64_t|uint64_t|uint32_t|double|"
                  r"enum\s+\w+)\b)")


def code_part(line):
    """The line without a trailing // comment or string literals' contents."""
    out, q = [], None
    for ch in line:
        if q:
            out.append(" ")
            if ch == q:
                q = None
            continue
        if ch in "\"'":
            q = ch
            out.append(" ")
            continue
        out.append(ch)
    return "".join(out)


def mutants(lines, lo, hi):
    """(line index, description, new line) for every mutant in lines[lo:hi]."""
    res = []
    in_comment = False
    for i in range(lo, hi):
        line = lines[i]
        s = line.strip()
        if in_comment:
            if "*/" in s:
                in_comment = False
            continue
        if s.startswith("/*"):
            in_comment = "*/" not in s
            continue
        if not s or s.startswith("#") or s.startswith("*") or s.startswith("//"):
            continue
        code = code_part(line)
        if "/*" in code:
            code = code[:code.index("/*")] + " " * (len(code) - code.index("/*"))
        for pat, rep in SWAPS:
            for m in re.finditer(pat, code):
                arrow = "->" in code[max(0, m.start() - 1):m.end() + 1]
                if arrow and pat.startswith("(?<![<>\\-=])>"):
                    continue
                if "#include" in code:
                    continue
                # A buffer size one smaller is a test for a sanitizer, not for these tests.
                if rep == "" and "[" in code[:m.start()] and "]" in code[m.end():]:
                    continue
                new = line[:m.start()] + rep + line[m.end():]
                res.append((i, "%s -> %s" % (m.group(0).strip(), rep.strip() or "(nothing)"), new))
        if (DROPPABLE.match(code) and not DECL.match(code) and not PLAIN_DECL.match(code)
                and code.rstrip().endswith(";")):
            res.append((i, "drop the statement", ""))
    return res


def targets_of(build, tests):
    """The ninja targets the named tests run (their executables in the build
    tree); None when one is a script, which then needs a full build."""
    import json
    p = subprocess.run(["meson", "introspect", "--tests", build], stdout=subprocess.PIPE,
                       text=True, check=True)
    out = []
    for t in json.loads(p.stdout):
        if t["name"] not in tests:
            continue
        exe = [c for c in t["cmd"] if c.startswith(build + os.sep)]
        if not exe or not t["cmd"][0].startswith(build + os.sep):
            return None
        out.append(os.path.relpath(exe[0], build))
    return out


def run(cmd, cwd, timeout):
    try:
        p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, timeout=timeout)
        return p.returncode, p.stdout
    except subprocess.TimeoutExpired:
        return -1, "timeout"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", required=True)
    ap.add_argument("--file", required=True)
    ap.add_argument("--test", action="append", required=True, help="meson test name")
    ap.add_argument("--target", action="append", default=[],
                    help="ninja target to rebuild for each change (default: the tests' "
                         "executables, or everything when a test is a script); e.g. "
                         "src/daemon/scobot for an integration test that runs it")
    ap.add_argument("--lines", help="A-B: only these lines (1-based, inclusive)")
    ap.add_argument("--max", type=int, default=0, help="a random sample of this many")
    ap.add_argument("--seed", type=int, default=15)
    ap.add_argument("--timeout", type=int, default=600, help="seconds per test run, at most")
    ap.add_argument("--timeout-multiplier", default="1",
                    help="meson's, for its per-test timeouts (0.2 for fast unit tests: a "
                         "mutant that loops forever is then killed in seconds)")
    ap.add_argument("--list", action="store_true", help="only list the mutants")
    ap.add_argument("--from-log", help="only the survivors an earlier run printed to this "
                                       "file (e.g. to try slower tests on them)")
    a = ap.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    path = os.path.join(root, a.file)
    orig = open(path).read()
    lines = orig.split("\n")
    lo, hi = 0, len(lines)
    if a.lines:
        x, y = a.lines.split("-")
        lo, hi = int(x) - 1, int(y)
    ms = mutants(lines, lo, hi)
    if a.from_log:
        want = set()
        text = open(a.from_log).read()
        for m in re.finditer(r"^  survivor (\S+?):(\d+): .*?, giving: (.*)$", text, re.M):
            if m.group(1) == a.file:
                want.add((int(m.group(2)) - 1, m.group(3).strip()))
        ms = [x for x in ms if (x[0], x[2].strip() or "(line dropped)") in want]
    if a.max and len(ms) > a.max:
        ms = sorted(random.Random(a.seed).sample(ms, a.max))
    if a.list:
        for i, what, new in ms:
            print("%s:%d: %s: %s" % (a.file, i + 1, what, new.strip() or "(dropped)"))
        return 0
    build = os.path.abspath(a.build)
    rc, out = run(["meson", "test", "-C", build, "--num-processes", "1"] + a.test, root, a.timeout)
    if rc != 0:
        print("the tests fail without any change; fix that first:\n" + out[-2000:])
        return 2
    targets = a.target or targets_of(build, a.test) or []
    killed, survived, broken = 0, [], 0
    t0 = time.monotonic()
    try:
        for n, (i, what, new) in enumerate(ms, 1):
            mutated = lines[:i] + ([new] if new else []) + lines[i + 1:]
            with open(path, "w") as f:
                f.write("\n".join(mutated))
            rc, out = run(["ninja", "-C", build, "-j2"] + targets, root, 600)
            if rc != 0:
                broken += 1
                verdict = "does not build"
            else:
                rc, out = run(["meson", "test", "-C", build, "--no-rebuild", "--num-processes", "1",
                               "-t", a.timeout_multiplier] + a.test, root, a.timeout)
                if rc != 0:
                    killed += 1
                    verdict = "killed"
                else:
                    survived.append((i, what, new))
                    verdict = "SURVIVED"
            print("[%d/%d] %s:%d %s: %s" % (n, len(ms), a.file, i + 1, what, verdict), flush=True)
    finally:
        with open(path, "w") as f:
            f.write(orig)
        run(["ninja", "-C", build, "-j2"], root, 600)
    total = killed + len(survived)
    print("\n%s: %d mutants, %d killed, %d survived, %d did not build (%.0f s); tests: %s"
          % (a.file, len(ms), killed, len(survived), broken, time.monotonic() - t0,
             " ".join(a.test)))
    for i, what, new in survived:
        print("  survivor %s:%d: %s, giving: %s" % (a.file, i + 1, what,
                                                   new.strip() or "(line dropped)"))
    return 0 if total and not survived else 1


if __name__ == "__main__":
    sys.exit(main())
