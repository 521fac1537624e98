#!/usr/bin/python3
"""test_facts_update.py: keeping the facts current, as doc/UPDATING-FACTS.md
tells an operator to: edit a copy of facts/, run `scobot --check-facts`, send
SIGHUP, and see the new answer without the connection dropping. Also the
command-line side of "now": --today, and --check-facts refusing each kind of
bad edit with file:line.

The running daemon is the real binary against the local Matrix homeserver
fixture, under a real sd_notify listener (helpers from test_service.py).

usage: test_facts_update.py SCOBOT FAKE_HOMESERVER FACTS_DIR UNIT_DIR FAKE_DISCORD [scenario ...]
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import exit_status as ex  # noqa: E402  (the numbers in src/core/host.h)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_service as svc  # noqa: E402

TODAY = "2026-12-06"


def run(scobot, *args):
    p = subprocess.run(svc.WRAPPER + [scobot] + list(args), stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=60 * svc.SLOW)
    assert p.returncode != svc.VALGRIND_ERROR, p.stderr
    return p.returncode, p.stdout, p.stderr


def copy_facts(src, dst):
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("*.build", "README*"))
    return dst


def load(dirname, name):
    with open(os.path.join(dirname, name)) as f:
        return json.load(f)


def save(dirname, name, data):
    with open(os.path.join(dirname, name), "w") as f:
        json.dump(data, f, ensure_ascii=False, indent=2)


def line_of(dirname, name, needle):
    with open(os.path.join(dirname, name)) as f:
        for i, line in enumerate(f, 1):
            if needle in line:
                return i
    raise AssertionError("%s not in %s" % (needle, name))


def add_holder(facts, end_current="2026-06-30", start_new="2026-07-01"):
    """The edit an operator makes when the office changes hands: end the
    current term, add the new holder with two independent sources."""
    src = load(facts, "sources.json")
    for i, pub in ((1, "Test Agency One"), (2, "Test Agency Two")):
        src["sources"].append({"id": "test-report-%d" % i, "kind": "news", "publisher": pub,
                               "title": "A new Secretary-General takes office",
                               "url": "https://example.org/%d" % i,
                               "published": start_new, "retrieved": start_new})
    save(facts, "sources.json", src)
    people = load(facts, "people.json")
    people["people"].append({
        "id": "test-holder", "country": "ru",
        "name": {"en": "Ivan Testov", "ru": "Иван Тестов", "zh": "伊万·特斯托夫"},
        "aliases": {"en": ["testov"], "ru": ["тестов"], "zh": ["特斯托夫"]},
        "checked": "a test fixture"})
    save(facts, "people.json", people)
    sgs = load(facts, "secretaries_general.json")
    sgs["secretaries_general"][-1]["to"] = end_current
    sgs["secretaries_general"].append({
        "person": "test-holder", "country": "ru", "from": start_new, "to": "2029-06-30",
        "sources": ["test-report-1", "test-report-2"]})
    save(facts, "secretaries_general.json", sgs)


# ---- the command line -------------------------------------------------------

def t_today_decides_now(c):
    s = c.scobot
    rc, out, _ = run(s, "--today", TODAY, "--ask", "who is the secretary-general now")
    assert rc == 0 and "Nurlan Yermekbayev" in out and "1 January 2025" in out, out
    # Before his term, the same question is Zhang Ming's, and the appointment
    # of 4 July 2024 is not known yet on 1 June 2024.
    rc, out, _ = run(s, "--today", "2024-06-01", "--ask", "sg")
    assert rc == 0 and "Zhang Ming" in out and "Yermekbayev" not in out, out
    rc, out, _ = run(s, "--today", "2024-06-01", "--ask", "who succeeded zhang ming")
    assert "Yermekbayev" not in out, out
    # Between appointment and taking office, the successor is named as appointed.
    rc, out, _ = run(s, "--today", "2024-08-01", "--ask", "who succeeded zhang ming")
    assert "Yermekbayev" in out and "4 July 2024" in out, out
    # Past the end of the last known term: what is known, and no guess.
    rc, out, _ = run(s, "--today", "2028-03-01", "--ask", "sg")
    assert rc == 1 and "31 December 2027" in out, (rc, out)
    for name in ("Zhang Ming", "Norov"):
        assert name not in out, out
    rc, out, _ = run(s, "--today", TODAY, "--ask", "who will be secretary-general in 2031")
    assert rc == 1 and "2027" in out and "don't know" in out, (rc, out)
    # about: the newest fact's date and age against today.
    rc, out, _ = run(s, "--today", TODAY, "--ask", "about")
    assert "1 January 2025" in out and "1 year 11 months" in out, out
    rc, out, err = run(s, "--today", "2026-02-30", "--ask", "sg")
    assert rc == ex.USAGE and "--today" in err, (rc, err)


def t_check_facts_accepts_the_built_in_table(c):
    rc, out, err = run(c.scobot, "--check-facts")
    assert rc == 0 and "facts: ok" in out and "sources" in out, (rc, out, err)
    rc, out, err = run(c.scobot, "--check-facts", "--facts", c.facts_src)
    assert rc == 0, (rc, out, err)


def refused(c, facts, file, needle, reason):
    rc, out, err = run(c.scobot, "--check-facts", "--facts", facts)
    assert rc == ex.FACTS, (rc, out, err)
    # The error points into the edited record: its first line or one of the
    # few after it (the key that is wrong).
    first = line_of(facts, file, needle)
    m = re.search(r"%s:(\d+): " % re.escape(file), err)
    assert m and first <= int(m.group(1)) <= first + 12, (first, err)
    assert reason in err, err


def t_check_facts_refuses_each_bad_edit_with_file_and_line(c):
    base = os.path.join(c.dir, "base")
    copy_facts(c.facts_src, base)

    def fresh(name):
        d = os.path.join(c.dir, name)
        copy_facts(base, d)
        return d

    # One source only for an office change.
    d = fresh("one-source")
    add_holder(d)
    sgs = load(d, "secretaries_general.json")
    sgs["secretaries_general"][-1]["sources"] = ["test-report-1"]
    save(d, "secretaries_general.json", sgs)
    refused(c, d, "secretaries_general.json", '"person": "test-holder"',
            "two independent sources")
    # Two sources by one publisher are not independent.
    d = fresh("same-publisher")
    add_holder(d)
    src = load(d, "sources.json")
    src["sources"][-1]["publisher"] = "Test Agency One"
    save(d, "sources.json", src)
    refused(c, d, "secretaries_general.json", '"person": "test-holder"',
            "two independent sources")
    # Overlapping terms.
    d = fresh("overlap")
    add_holder(d, end_current="2026-07-15", start_new="2026-07-01")
    refused(c, d, "secretaries_general.json", '"person": "test-holder"', "overlaps")
    # A gap between terms.
    d = fresh("gap")
    add_holder(d, end_current="2026-06-30", start_new="2026-09-01")
    refused(c, d, "secretaries_general.json", '"person": "test-holder"', "gap")
    # A term longer than the rules allow (three years).
    d = fresh("too-long")
    add_holder(d)
    sgs = load(d, "secretaries_general.json")
    sgs["secretaries_general"][-1]["to"] = "2030-12-31"
    save(d, "secretaries_general.json", sgs)
    refused(c, d, "secretaries_general.json", '"person": "test-holder"', "longer than")
    # A name without its three languages.
    d = fresh("no-chinese")
    add_holder(d)
    people = load(d, "people.json")
    del people["people"][-1]["name"]["zh"]
    save(d, "people.json", people)
    refused(c, d, "people.json", '"id": "test-holder"', "missing Chinese translation")
    # A date that is not one.
    d = fresh("bad-date")
    sgs = load(d, "secretaries_general.json")
    sgs["secretaries_general"][-1]["to"] = "2027-02-30"
    save(d, "secretaries_general.json", sgs)
    refused(c, d, "secretaries_general.json", '"2027-02-30"', "is not a date")
    # The good edit passes.
    d = fresh("good")
    add_holder(d)
    rc, out, err = run(c.scobot, "--check-facts", "--facts", d)
    assert rc == 0 and "test-holder" in out, (rc, out, err)


# ---- the running service ------------------------------------------------------

def t_sighup_serves_the_updated_facts_without_dropping_the_connection(c):
    hs = c.start_homeserver()
    token = hs.ctl("token", {})["token"]
    r = svc.room(hs)
    c.write_config()
    c.start(token, args=("--today", TODAY))
    n = c.notify
    n.wait("READY", "1")
    q = svc.say(hs, r, "!sco sg")
    svc.wait_until(lambda: svc.replied(hs, q), 15, "an answer")
    assert "Nurlan Yermekbayev" in svc.replied(hs, q), svc.replied(hs, q)

    # The operator's edit, checked before the reload.
    add_holder(c.facts)
    rc, out, err = run(c.scobot, "--check-facts", "--facts", c.facts)
    assert rc == 0, (rc, out, err)
    mark = len(n.all())
    c.p.send_signal(signal.SIGHUP)
    j = n.wait("READY", "1", after=n.wait("RELOADING", "1", after=mark) + 1)
    assert "reloaded" in n.all()[j][1]["STATUS"], n.all()[j]
    q = svc.say(hs, r, "!sco sg")
    svc.wait_until(lambda: svc.replied(hs, q), 15, "an answer after the reload")
    assert "Ivan Testov" in svc.replied(hs, q), svc.replied(hs, q)
    q = svc.say(hs, r, "!sco who succeeded yermekbayev?")
    svc.wait_until(lambda: svc.replied(hs, q), 15, "a successor answer")
    assert "Ivan Testov" in svc.replied(hs, q), svc.replied(hs, q)

    # A broken edit: refused with file:line, and the table above keeps serving.
    sgs = load(c.facts, "secretaries_general.json")
    sgs["secretaries_general"][-2]["to"] = "2026-07-15"
    save(c.facts, "secretaries_general.json", sgs)
    line = line_of(c.facts, "secretaries_general.json", '"from": "2026-07-01"')
    rc, out, err = run(c.scobot, "--check-facts", "--facts", c.facts)
    assert rc == ex.FACTS and "secretaries_general.json:%d:" % line in err, (rc, err)
    mark = len(n.all())
    c.p.send_signal(signal.SIGHUP)
    j = n.wait("READY", "1", after=n.wait("RELOADING", "1", after=mark) + 1)
    st = n.all()[j][1]["STATUS"]
    assert "facts reload refused" in st and "secretaries_general.json:%d" % line in st, st
    q = svc.say(hs, r, "!sco sg")
    svc.wait_until(lambda: svc.replied(hs, q), 15, "an answer after a refused reload")
    assert "Ivan Testov" in svc.replied(hs, q), svc.replied(hs, q)

    # One login-free start, one first sync: the connection never dropped.
    assert c.text().count("first sync") == 1, c.text()
    assert hs.ctl("stats")["logins"] == 0
    assert c.stop() == 0, c.text()
    assert token not in c.text()


def main():
    return svc.run_scenarios(globals(), sys.argv[1:6], sys.argv[6:])


if __name__ == "__main__":
    sys.exit(main())
