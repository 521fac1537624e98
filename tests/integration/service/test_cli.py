#!/usr/bin/python3
"""test_cli.py: scobot's command line as an operator and scripts use it: --ask
exit statuses, --today, --console over a pipe, --check-config with its distinct
exit statuses and file:line messages, --version and --help. Each test runs the
real binary in a scratch directory with no system config.

usage: test_cli.py SCOBOT FACTS_DIR INSTALL_CONFIG_SH EXAMPLE_CONF
"""
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import traceback
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import exit_status as ex  # noqa: E402  (the numbers in src/core/host.h)

SCOBOT = FACTS = INSTALL_SH = EXAMPLE = None
# `meson test --setup valgrind` sets SCOBOT_WRAPPER to a memcheck command line
# that scobot runs under; its exit status 99 means a memcheck error.
WRAPPER = shlex.split(os.environ.get("SCOBOT_WRAPPER", ""))
VALGRIND_ERROR = 99
# Answers name "now" (the current Secretary-General, "As of ..."): every question
# is asked on this fixed day, so the suite gives the same answers on any date.
TODAY = ["--today", "2026-12-06"]


def run(*args, stdin=None, env_extra=None, cwd=None):
    env = {k: v for k, v in os.environ.items()
           if k not in ("NOTIFY_SOCKET", "JOURNAL_STREAM", "CREDENTIALS_DIRECTORY",
                        "SCOBOT_SHARD_IDS")}
    env.update(env_extra or {})
    r = subprocess.run(WRAPPER + [SCOBOT] + list(args), input=stdin, capture_output=True,
                       text=True, timeout=30 * (10 if WRAPPER else 1), env=env, cwd=cwd)
    assert r.returncode != VALGRIND_ERROR, "memcheck errors:\n" + r.stderr
    return r


def conf(d, text, name="scobot.conf"):
    p = os.path.join(d, name)
    with open(p, "w") as f:
        f.write(text)
    return p


def t_ask_answers_with_status_0(d):
    r = run("--config", conf(d, ""), *TODAY, "--ask", "sg 2011")
    assert r.returncode == 0, r
    assert "Imanaliev" in r.stdout, r.stdout
    assert "As of 1 January 2025" in r.stdout, r.stdout


def t_ask_prefix_is_optional(d):
    r = run("--config", conf(d, ""), *TODAY, "--ask", "!sco sg 2011")
    assert r.returncode == 0 and "Imanaliev" in r.stdout, r


def t_ask_not_sure_or_unknown_gives_status_1(d):
    c = conf(d, "")
    r = run("--config", c, *TODAY, "--ask", "what is the weather on mars")
    assert r.returncode == 1 and "not sure" in r.stdout, r
    r = run("--config", c, *TODAY, "--ask", "!sco nosuchcommand")
    assert r.returncode == 1 and "Unknown command" in r.stdout, r


def t_today_decides_who_is_secretary_general_now(d):
    c = conf(d, "")
    r = run("--config", c, "--today", "2026-12-06", "--ask", "sg")
    assert r.returncode == 0, r
    assert "Nurlan Yermekbayev" in r.stdout and "Zhang Ming" not in r.stdout, r.stdout
    assert "As of 1 January 2025" in r.stdout, r.stdout
    # The last day of Zhang Ming's term, and the first of his successor's.
    r = run("--config", c, "--today", "2024-12-31", "--ask", "sg")
    assert r.returncode == 0 and "Zhang Ming" in r.stdout, r.stdout
    assert "Yermekbayev" not in r.stdout, r.stdout
    r = run("--config", c, "--today", "2025-01-01", "--ask", "who is the secretary general now?")
    assert r.returncode == 0 and "Nurlan Yermekbayev" in r.stdout, r.stdout
    # After the last known term: no guess, status 1.
    r = run("--config", c, "--today", "2028-02-01", "--ask", "sg")
    assert r.returncode == 1, r
    assert "don't know" in r.stdout and "31 December 2027" in r.stdout, r.stdout


def t_today_takes_only_a_full_date(d):
    c = conf(d, "")
    for bad in ("2026-12", "2026-13-01", "2026-02-30", "06.12.2026", "tomorrow", "1899-12-31"):
        r = run("--config", c, "--today", bad, "--ask", "sg")
        assert r.returncode == ex.USAGE, (bad, r)
        assert "--today" in r.stderr and "Try 'scobot --help'" in r.stderr, (bad, r.stderr)
        assert r.stdout == "", (bad, r.stdout)


def t_usage_errors_give_status_2(d):
    for args in (["--ask"], ["--bogus"], ["stray"], ["--lang", "fr", "--ask", "x"],
                 ["--ask", "x", "--console"]):
        r = run(*args)
        assert r.returncode == ex.USAGE, (args, r)
        assert "Try 'scobot --help'" in r.stderr, (args, r.stderr)


def t_console_over_a_pipe_answers_each_line_separated_by_blank_lines(d):
    r = run("--config", conf(d, ""), *TODAY, "--console", stdin="sg 2011\nopened\nsg 2016\nsg\n")
    assert r.returncode == 0, r
    blocks = r.stdout.split("\n\n")
    assert blocks[-1] == "", "output must end with a blank line: %r" % r.stdout[-40:]
    blocks = blocks[:-1]
    assert len(blocks) == 4, blocks
    assert "Imanaliev" in blocks[0] and "15 January 2004" in blocks[1] and "Alimov" in blocks[2], blocks
    assert "Nurlan Yermekbayev" in blocks[3], blocks
    assert "scobot:" not in r.stdout, "no prompt or banner on a pipe"


def t_console_keeps_text_after_a_nul_and_breaks_echoed_links(d):
    r = run("--config", conf(d, ""), "--console",
            stdin="!sco search a\0b\n!sco search discord.gg/evil\n")
    assert r.returncode == 0, r
    blocks = r.stdout.split("\n\n")
    # the NUL is shown as U+FFFD; the question was not cut to "a"
    assert "a\ufffdb" in blocks[0] and "matches a." not in blocks[0], blocks[0]
    assert "discord.gg" not in blocks[1] and "discord.\u200bgg" in blocks[1], blocks[1]


def t_check_config_ok_is_0(d):
    r = run("--config", conf(d, "[general]\nprefix = !sco\n"), "--facts", FACTS, "--check-config")
    assert r.returncode == 0, r
    assert "config: ok" in r.stdout and "facts: ok" in r.stdout, r.stdout


def t_check_config_bad_config_is_3_and_names_file_line(d):
    c = conf(d, "[general]\nprefix = !sco\n\n[log]\nlevel = loud\n")
    r = run("--config", c, "--check-config")
    assert r.returncode == ex.CONFIG, r
    assert "scobot.conf:5" in r.stderr and "level" in r.stderr, r.stderr
    c = conf(d, "[metrics]\nlisten = localhost:9464\n", "m.conf")
    r = run("--config", c, "--check-config")
    assert r.returncode == ex.CONFIG and "m.conf:2" in r.stderr and "listen" in r.stderr, r.stderr
    r = run("--config", os.path.join(d, "missing.conf"), "--check-config")
    assert r.returncode == ex.CONFIG, r


def t_check_config_file_with_an_inline_token_must_be_0600(d):
    """scobot.conf(5): a file holding an inline secret must not be readable
    by group or others."""
    text = "[discord]\ntoken = MTA5ODc2NTQzMjEwOTg3NjU0.GhIjKl.abcdefghijklmnopqrstuvwxyz0123\n"
    for mode, ok in ((0o600, True), (0o640, False), (0o644, False)):
        c = conf(d, text, "t%o.conf" % mode)
        os.chmod(c, mode)
        r = run("--config", c, "--check-config")
        if ok:
            assert r.returncode == 0, (oct(mode), r)
        else:
            assert r.returncode == ex.CONFIG, (oct(mode), r)
            assert "accessible by group or others (mode %04o)" % mode in r.stderr, r.stderr
        assert "GhIjKl" not in r.stdout + r.stderr, r
    # without a secret in it the mode is the operator's business
    c = conf(d, "[general]\nprefix = !sco\n", "plain.conf")
    os.chmod(c, 0o644)
    assert run("--config", c, "--check-config").returncode == 0


def t_check_config_wildcard_metrics_listener_needs_listen_public(d):
    for addr in ("0.0.0.0:9464", "[::]:9464"):
        c = conf(d, "[metrics]\nlisten = %s\n" % addr, "w.conf")
        r = run("--config", c, "--check-config")
        assert r.returncode == ex.CONFIG, (addr, r)
        assert "w.conf:1: [metrics]: listen is not a loopback address" in r.stderr, r.stderr
        assert "listen_public = yes" in r.stderr, r.stderr
        c = conf(d, "[metrics]\nlisten = %s\nlisten_public = yes\n" % addr, "w.conf")
        assert run("--config", c, "--check-config").returncode == 0, addr
    c = conf(d, "[metrics]\nlisten = 127.0.0.1:9464\n", "w.conf")
    assert run("--config", c, "--check-config").returncode == 0


def t_check_config_broken_facts_dir_is_4(d):
    facts = os.path.join(d, "facts")
    shutil.copytree(FACTS, facts, ignore=shutil.ignore_patterns("*.build", "README*"))
    with open(os.path.join(facts, "zz-broken.json"), "w") as f:
        f.write('{"facts": [\n  {"id": 1,,}\n')
    r = run("--config", conf(d, ""), "--facts", facts, "--check-config")
    assert r.returncode == ex.FACTS, r
    assert "zz-broken.json" in r.stderr, r.stderr


def t_shard_ids_option_is_checked_like_the_config_key(d):
    c = conf(d, "")
    assert run("--config", c, "--shard-ids", "0-3", "--check-config").returncode == 0
    r = run("--config", c, "--shard-ids", "3-1", "--check-config")
    assert r.returncode == ex.CONFIG and "shard_ids" in r.stderr, r
    r = run("--config", c, "--check-config", env_extra={"SCOBOT_SHARD_IDS": "x"})
    assert r.returncode == ex.CONFIG and "shard_ids" in r.stderr, r


def t_service_without_platforms_under_systemd_is_a_config_error(d):
    r = run("--config", conf(d, ""), stdin="", env_extra={"NOTIFY_SOCKET": "/nonexistent"})
    assert r.returncode == ex.CONFIG and "[discord]" in r.stderr, r


def t_startup_errors_carry_the_error_priority_when_stderr_is_the_journal(d):
    # systemd sets JOURNAL_STREAM=dev:inode of the stream it gave as stderr
    # (systemd.exec(5), "$JOURNAL_STREAM"); an error line then starts with
    # sd-daemon(3)'s "<3>" so the journal files it as an error, not as info.
    rfd, wfd = os.pipe()
    st = os.fstat(wfd)
    env = {k: v for k, v in os.environ.items()
           if k not in ("NOTIFY_SOCKET", "CREDENTIALS_DIRECTORY", "SCOBOT_SHARD_IDS")}
    env["JOURNAL_STREAM"] = "%d:%d" % (st.st_dev, st.st_ino)
    bad = conf(d, "[general]\nprefix = ! sco\n")
    p = subprocess.Popen(WRAPPER + [SCOBOT, "--config", bad, "--check-config"], stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=wfd, env=env)
    os.close(wfd)
    p.wait(timeout=30)
    err = os.read(rfd, 65536).decode()
    os.close(rfd)
    assert err.startswith("<3>scobot: "), err
    # Not the journal (a terminal or a pipe of someone else's): no prefix.
    r = run("--config", bad, "--check-config")
    assert r.stderr.startswith("scobot: "), r.stderr


def t_version_prints_the_version(d):
    r = run("--version")
    assert r.returncode == 0 and re.fullmatch(r"scobot \d+\.\d+\.\d+\n", r.stdout), r


def t_help_lists_modes_options_and_exit_statuses(d):
    r = run("--help")
    assert r.returncode == 0, r
    for word in ("--ask", "--console", "--check-config", "--check-facts", "--config", "--facts",
                 "--lang", "--today", "--shard-ids", "--state-dir", "--version", "--help",
                 "scobot(8)"):
        assert word in r.stdout, word
    flat = " ".join(r.stdout.split())
    for status in sorted(ex.FATAL | {ex.RUNTIME}):
        assert "%d %s" % (status, ex.SYSTEMD_NAMES[status]) in flat, (status, r.stdout)


def t_installed_example_config_checks_and_never_overwrites_an_existing_one(d):
    env = dict(os.environ, DESTDIR=os.path.join(d, "dest"))
    dst = os.path.join(d, "dest", "etc", "scobot", "scobot.conf")
    subprocess.run(["/bin/sh", INSTALL_SH, EXAMPLE, "/etc/scobot"], env=env, check=True,
                   capture_output=True)
    assert open(dst).read() == open(EXAMPLE).read()
    assert run("--config", dst, "--check-config").returncode == 0
    with open(dst, "w") as f:
        f.write("[matrix]\n# the operator's own\n")
    r = subprocess.run(["/bin/sh", INSTALL_SH, EXAMPLE, "/etc/scobot"], env=env, check=True,
                       capture_output=True, text=True)
    assert open(dst).read() == "[matrix]\n# the operator's own\n", "overwritten"
    assert "keeping" in r.stdout, r.stdout


def main():
    global SCOBOT, FACTS, INSTALL_SH, EXAMPLE
    SCOBOT, FACTS, INSTALL_SH, EXAMPLE = sys.argv[1:5]
    tests = [(k, v) for k, v in globals().items() if k.startswith("t_")]
    print("TAP version 13")
    print("1..%d" % len(tests))
    failed = 0
    for i, (name, fn) in enumerate(tests, 1):
        d = tempfile.mkdtemp(prefix="scobot-cli-it-")
        try:
            fn(d)
            print("ok %d - %s" % (i, name))
        except Exception:
            failed += 1
            print("not ok %d - %s" % (i, name))
            for line in traceback.format_exc().splitlines():
                print("# " + line)
        finally:
            shutil.rmtree(d, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
