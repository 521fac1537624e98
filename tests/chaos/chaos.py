#!/usr/bin/python3
"""chaos.py: a seeded fault run of the real scobot against the local Discord and
Matrix fixtures with a steady stream of commands on both platforms; it owns only
the chaos scenario and must never talk to anything but 127.0.0.1.

Every few seconds one random fault is injected: Discord drops, zombies (ACKs
stop), op 7 reconnects, invalid sessions (resumable and not), 429 storms and
5xx on REST; Matrix 429s and 5xx on /sync and /send, homeserver down and back
up; scobot SIGHUP; SIGTERM followed by a restart. Meanwhile every command is
distinct (a message id on Discord, an event id on Matrix, a year whose answer
is known) so each answer is matched to its command.

At the end, after the faults stop and the bot settles:
  - every command got exactly one correct answer; the accepted exceptions,
    counted and printed, are Discord messages that Discord itself never
    delivers: dispatched while no session existed, or into a session that was
    invalidated (op 9, d=false) before they were written to the bot;
  - no sanitizer report in scobot's stderr, no secret in it;
  - RSS at the end is within 10% of RSS after warm-up of the same process
    (enforced in the plain build; under ASan the quarantine grows RSS by
    design, so it is printed only);
  - the fixtures saw no protocol error from the bot.

usage: chaos.py --scobot BIN [--duration S] [--seed N] [--report FILE]
"""

import argparse
import asyncio
import collections
import json
import os
import random
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

# Years whose `!sco sg <year>` answer names one person (facts/secretaries_general.json;
# the terms have no shared years), asked with scobot's today fixed at 2026-12-06.
EXPECT = {}
for y in range(2004, 2007):
    EXPECT[y] = "Zhang Deguang"
for y in range(2007, 2010):
    EXPECT[y] = "Nurgaliyev"
for y in range(2010, 2013):
    EXPECT[y] = "Imanaliev"
for y in range(2013, 2016):
    EXPECT[y] = "Mezentsev"
for y in range(2016, 2019):
    EXPECT[y] = "Alimov"
for y in range(2019, 2022):
    EXPECT[y] = "Norov"
for y in range(2022, 2025):
    EXPECT[y] = "Zhang Ming"
for y in range(2025, 2028):
    EXPECT[y] = "Yermekbayev"
YEARS = sorted(EXPECT)

DC_CHANNELS = ["8100000000000000%02d" % i for i in range(8)]
MX_ROOMS = ["!chaos%d:test" % i for i in range(6)]
USERS = 400            # distinct users per platform: the cooldown is not under test here
RSS_TOLERANCE = 0.10   # end RSS within 10% of RSS after warm-up


class Cmd:
    __slots__ = ("platform", "id", "year", "t", "where", "user", "note")

    def __init__(self, platform, cid, year, t, where, user):
        self.platform, self.id, self.year, self.t = platform, cid, year, t
        self.where, self.user, self.note = where, user, None


class Chaos:
    def __init__(self, args):
        self.a = args
        self.rng = random.Random(args.seed)
        self.cmds = []
        self.unsent = []          # (t, why): Discord had no session to deliver to
        self.stranded = []        # Discord commands in a session invalidated before delivery
        self.fixture_errors = []  # the test's own trouble, reported apart from the bot's
        self.faults = collections.Counter()
        self.timeline = []        # (t, fault)
        self.down_task = None
        self.bot_down = False
        self.rss_warm = None
        self.rss_warm_start = None
        self.rss_samples = []
        self.restart_deadline = None
        self.t0 = None
        self.seq = 0
        self.dc_seq = 0
        self.mx_seq = 0

    def now(self):
        return time.monotonic() - self.t0

    def log(self, msg):
        print("# [%7.1fs] %s" % (self.now(), msg), flush=True)

    # ---- command stream ------------------------------------------------
    async def send_discord(self):
        self.seq += 1
        self.dc_seq += 1
        year = self.rng.choice(YEARS)
        ch = DC_CHANNELS[self.dc_seq % len(DC_CHANNELS)]
        user = "7%017d" % (self.seq % USERS)
        try:
            mid = await self.fd.inject_message(channel_id=ch, content="!sco sg %d" % year,
                                               author_id=user)
        except RuntimeError as e:
            # fake_discord: no valid session (after a non-resumable invalid
            # session, before the next READY): Discord delivers nothing then.
            self.unsent.append((self.now(), str(e)))
            return
        c = Cmd("discord", mid, year, self.now(), ch, user)
        if self.bot_down:
            c.note = "sent while scobot was stopped"
        self.cmds.append(c)

    async def send_matrix(self):
        self.seq += 1
        self.mx_seq += 1
        year = self.rng.choice(YEARS)
        room = MX_ROOMS[self.mx_seq % len(MX_ROOMS)]
        user = "@u%d:test" % (self.seq % USERS)
        eid = await self.mx.say(room, "!sco sg %d" % year, sender=user)
        c = Cmd("matrix", eid, year, self.now(), room, user)
        if self.bot_down:
            c.note = "sent while scobot was stopped"
        elif self.down_task is not None and not self.down_task.done():
            c.note = "sent while the homeserver was down"
        self.cmds.append(c)

    async def stream(self, until):
        period = 1.0 / self.a.rate
        while self.now() < until:
            await self.send_discord()
            await self.send_matrix()
            await asyncio.sleep(period * self.rng.uniform(0.5, 1.5))

    # ---- faults ----------------------------------------------------------
    FAULTS = [
        ("discord_drop", 3), ("discord_zombie", 2), ("discord_reconnect", 3),
        ("discord_invalid_session_resumable", 2), ("discord_invalid_session_new", 2),
        ("discord_rest_429_storm", 2), ("discord_rest_429_global", 1), ("discord_rest_5xx", 2),
        ("matrix_429_send", 2), ("matrix_429_sync", 2), ("matrix_5xx_send", 2),
        ("matrix_5xx_sync", 2), ("matrix_down_up", 2),
        ("scobot_sighup", 2), ("scobot_sigterm_restart", 1),
    ]

    async def inject(self, name):
        fd, mx, r = self.fd, self.mx, self.rng
        if name.startswith("discord_") and not self.bot.alive():
            return False
        # REST faults are "the next N requests fail". One burst at a time: piled
        # up, they would fail every retry in a row, and the bot's exponential
        # backoff (up to 30 s) would turn a few errors into minutes of silence,
        # which is the test's doing, not a server anyone runs.
        if name.startswith("discord_rest") and fd.rest_faults:
            return False
        for ep in ("send", "sync"):
            if name.startswith("matrix_") and name.endswith("_" + ep) \
                    and any(f["endpoint"] == ep for f in mx.hs.faults):
                return False
        if name == "discord_drop":
            ok = await fd.fault("drop")
        elif name == "discord_zombie":
            ok = await fd.fault("zombie")
        elif name == "discord_reconnect":
            ok = await fd.fault("reconnect")
        elif name == "discord_invalid_session_resumable":
            ok = await fd.fault("invalid_session_true")
        elif name == "discord_invalid_session_new":
            ok = await fd.fault("invalid_session_false")
        elif name == "discord_rest_429_storm":
            ok = await fd.fault("rest_429", route="create_message", count=r.randint(3, 8),
                                retry_after=round(r.uniform(0.2, 2.0), 2))
        elif name == "discord_rest_429_global":
            ok = await fd.fault("rest_429_global", route="create_message", count=r.randint(1, 3),
                                retry_after=round(r.uniform(0.2, 1.5), 2))
        elif name == "discord_rest_5xx":
            ok = await fd.fault("rest_5xx", route="create_message", count=r.randint(1, 4))
        elif name == "matrix_429_send":
            mx.fault("send", "429", count=r.randint(1, 4), retry_after_ms=r.randint(200, 2000))
            ok = True
        elif name == "matrix_429_sync":
            mx.fault("sync", "429", count=r.randint(1, 3), retry_after=r.randint(1, 2))
            ok = True
        elif name == "matrix_5xx_send":
            mx.fault("send", "5xx", count=r.randint(1, 4), status=r.choice([500, 502, 503, 504]))
            ok = True
        elif name == "matrix_5xx_sync":
            mx.fault("sync", "5xx", count=r.randint(1, 4), status=r.choice([500, 502, 503, 504]))
            ok = True
        elif name == "matrix_down_up":
            if self.down_task is not None and not self.down_task.done():
                return False
            secs = r.uniform(1.0, 6.0)
            self.down_task = mx.down(secs)
            t_down = self.now()

            def done(task, secs=secs, t_down=t_down):
                err = None if task.cancelled() else task.exception()
                self.log("homeserver back after %.1fs (asked %.1fs)%s"
                         % (self.now() - t_down, secs, "; FIXTURE ERROR %r" % err if err else ""))
                if err:
                    self.fixture_errors.append("homeserver restart: %r" % err)
            self.down_task.add_done_callback(done)
            ok = True
        elif name == "scobot_sighup":
            if not self.bot.alive():
                return False
            self.bot.signal(signal.SIGHUP)
            ok = True
        elif name == "scobot_sigterm_restart":
            if self.now() > self.restart_deadline or not self.bot.alive():
                return False
            ok = await self.restart()
        else:
            raise ValueError(name)
        return ok

    async def restart(self):
        self.bot.signal(signal.SIGTERM)
        rc = await asyncio.wait_for(self.bot.proc.wait(), 30)
        if rc != 0:
            raise AssertionError("scobot exited %d on SIGTERM" % rc)
        self.bot_down = True
        await asyncio.sleep(self.rng.uniform(0.5, 3.0))  # commands keep coming meanwhile
        self.bot_down = False
        await self.bot.start(timeout=60)
        self.rss_warm = None
        self.rss_warm_start = self.now()
        return True

    def schedule(self):
        """Fault names forever. "cycle": every kind once per cycle in a seeded
        random order, so even a 2-minute run sees each kind (about 55 s per
        cycle); "weighted": independent weighted draws (the 30-minute record)."""
        if self.a.schedule == "weighted":
            names = [n for n, w in self.FAULTS for _ in range(w)]
            while True:
                yield self.rng.choice(names)
        while True:
            cycle = [n for n, _ in self.FAULTS]
            self.rng.shuffle(cycle)
            yield from cycle

    async def fault_loop(self, until):
        await asyncio.sleep(self.a.warmup)
        names = self.schedule()
        if self.a.faults:
            allowed = set(self.a.faults.split(","))
            names = (n for n in names if n in allowed)
        while self.now() < until:
            name = next(names)
            ok = await self.inject(name)
            if ok:
                self.faults[name] += 1
                self.timeline.append((self.now(), name))
                self.log("fault " + name)
            await asyncio.sleep(self.rng.uniform(self.a.min_gap, self.a.max_gap))

    async def rss_loop(self, until):
        while self.now() < until:
            await asyncio.sleep(1.0)
            if not self.bot.alive() or self.bot_down:
                continue
            try:
                v = self.bot.rss()
            except (RuntimeError, OSError):
                continue
            self.rss_samples.append((self.now(), v))
            # Warm-up of this process: its RSS once it has served traffic a while.
            if self.rss_warm is None and self.now() - self.rss_warm_start >= self.a.warmup:
                self.rss_warm = v
                self.log("RSS after warm-up: %d KiB" % v)

    # ---- results ----------------------------------------------------------
    def replies(self):
        dc = harness.discord_replies(self.fd)
        mxr = self.mx.replies()
        return dc, mxr

    def answers_of(self, c, dc, mxr):
        if c.platform == "discord":
            return [json.dumps([p.get("content"), p.get("embeds")], ensure_ascii=False)
                    for p in dc.get(c.id, [])]
        return [s["content"].get("body", "") for s in mxr.get(c.id, [])]

    def pending(self):
        dc, mxr = self.replies()
        return [c for c in self.cmds if not self.answers_of(c, dc, mxr)]

    async def run(self):
        a = self.a
        self.fd, self.mx, self.bot = await harness.start_all(a.scobot, heartbeat_ms=2000)
        for room in MX_ROOMS:
            await self.mx.room(room)
        self.t0 = time.monotonic()
        self.restart_deadline = a.duration * 0.6
        print("# chaos: seed %d, duration %ds, %.1f commands/s per platform, faults every %.0f-%.0fs (%s)"
              % (a.seed, a.duration, a.rate, a.min_gap, a.max_gap, a.schedule), flush=True)
        try:
            await self.bot.start(timeout=60)
            self.rss_warm_start = self.now()
            rss = asyncio.ensure_future(self.rss_loop(a.duration + a.settle + 10))
            await asyncio.gather(self.stream(a.duration), self.fault_loop(a.duration))
            self.log("faults stop; settling (up to %ds)" % a.settle)
            end = time.monotonic() + a.settle
            while self.pending() and time.monotonic() < end:
                if not self.bot.alive():
                    raise AssertionError("scobot died (%s)" % self.bot.proc.returncode)
                await asyncio.sleep(0.5)
            await asyncio.sleep(3.0)  # a duplicate would arrive right behind
            rss.cancel()
            rss_end = self.bot.rss()
            alive = self.bot.alive()
            rc = await self.bot.stop(timeout=30)
            return self.verdict(rss_end, alive, rc)
        except BaseException:
            print("# --- scobot log (tail) ---")
            print(self.bot.tail(80))
            raise
        finally:
            if self.a.log:
                with open(self.a.log, "w") as f:
                    f.write("\n".join(self.bot.lines) + "\n")
            await harness.stop_all(self.fd, self.mx, self.bot)

    def verdict(self, rss_end, alive, rc):
        dc, mxr = self.replies()
        stats = {p: collections.Counter() for p in ("discord", "matrix")}
        failures = []
        for c in self.cmds:
            ans = self.answers_of(c, dc, mxr)
            s = stats[c.platform]
            s["sent"] += 1
            if c.note:
                s["sent_during_outage"] += 1
            if not ans and c.platform == "discord" and c.id not in self.fd.delivered:
                sess = harness.session_of(self.fd, c.id)
                if sess is not None and not sess.valid:
                    # Dispatched into a session Discord invalidated (op 9 d=false)
                    # before it reached the bot: Discord drops such events.
                    s["stranded"] += 1
                    self.stranded.append(c)
                    continue
            if not ans:
                s["lost"] += 1
                near = [n for t, n in self.timeline if c.t - 15 <= t <= c.t + 2]
                failures.append("LOST %s %s (%s, sg %d at %.1fs%s): a user asked and never "
                                "got an answer; faults near then: %s"
                                % (c.platform, c.id, c.where, c.year, c.t,
                                   ", " + c.note if c.note else "", near))
                continue
            if len(ans) > 1:
                s["duplicated"] += 1
                failures.append("DUPLICATE %s %s: the user saw %d answers to one command"
                                % (c.platform, c.id, len(ans)))
            if all(EXPECT[c.year] not in x for x in ans):
                s["wrong"] += 1
                failures.append("WRONG %s %s: sg %d answered %r" % (c.platform, c.id, c.year,
                                                                    ans[0][:200]))
                continue
            s["answered"] += 1
        # Answers to nothing we sent (e.g. a reply to a replayed old command twice).
        known = {c.id for c in self.cmds}
        stray_dc = [k for k in dc if k not in known]
        stray_mx = [k for k in mxr if k not in known]
        if stray_dc or stray_mx:
            failures.append("STRAY answers to unknown messages: %r %r" % (stray_dc[:5], stray_mx[:5]))
        san = self.bot.sanitizer_lines()
        if san:
            failures.append("SANITIZER report in scobot's stderr:\n" + "\n".join(san[:20]))
        sec = self.bot.secret_lines()
        if sec:
            failures.append("a secret reached scobot's log (%d lines)" % len(sec))
        if not alive:
            failures.append("scobot was not running at the end")
        if rc != 0:
            failures.append("scobot exited %r on the final SIGTERM" % rc)
        if self.fixture_errors:
            failures.append("the fixtures failed (not a scobot bug): %r" % self.fixture_errors[:5])
        proto = list(self.fd.errors)
        if proto:
            failures.append("fake Discord saw protocol errors from the bot: %r" % proto[:10])
        asan = harness.is_asan(self.a.scobot)
        warm = self.rss_warm
        growth = None if not warm else (rss_end - warm) / warm
        if warm is None:
            failures.append("no RSS warm-up sample (the last start was too late)")
        elif growth > RSS_TOLERANCE:
            msg = "RSS grew %.1f%% (%d -> %d KiB) over the run" % (100 * growth, warm, rss_end)
            if asan:
                print("# note (not enforced under ASan, its quarantine grows RSS): " + msg)
            elif harness.WRAPPER:
                # memcheck keeps freed blocks in a queue (--freelist-vol, 20 MB)
                # and its own shadow memory in the process: RSS is its, not ours.
                print("# note (not enforced under valgrind, which holds freed blocks): " + msg)
            else:
                failures.append(msg)
        peak = max((v for _, v in self.rss_samples), default=0)
        report = {
            "seed": self.a.seed, "duration_s": self.a.duration, "asan": asan,
            "faults": dict(sorted(self.faults.items())), "faults_total": sum(self.faults.values()),
            "discord": dict(stats["discord"]), "matrix": dict(stats["matrix"]),
            "discord_unsent_no_session": len(self.unsent),
            "discord_stranded_in_invalidated_session": len(self.stranded),
            "gateway": {"identifies": len(self.fd.events("identify")),
                        "resumes": len(self.fd.events("resume")),
                        "resumed": len(self.fd.events("resumed"))},
            "matrix_logins": self.mx.hs.login_count,
            "scobot_starts": self.bot.starts,
            "rss_kib": {"after_warmup": warm, "end": rss_end, "peak": peak,
                        "growth_pct": None if growth is None else round(100 * growth, 2)},
            "protocol_errors": len(proto), "sanitizer_lines": len(san),
            "failures": len(failures),
        }
        print("# faults injected: " + ", ".join("%s=%d" % kv for kv in sorted(self.faults.items())))
        for p in ("discord", "matrix"):
            s = stats[p]
            print("# %s: sent %d, answered correctly %d, lost %d, duplicated %d, wrong %d, "
                  "sent during an outage %d, never delivered by Discord %d"
                  % (p, s["sent"], s["answered"], s["lost"], s["duplicated"], s["wrong"],
                     s["sent_during_outage"], s["stranded"]))
        if self.stranded:
            print("# exception (accepted): %d Discord messages were dispatched into a session that "
                  "was then invalidated (op 9, d=false) before they reached the bot (it was a zombie "
                  "or disconnected); Discord drops those: %s"
                  % (len(self.stranded), ", ".join("%s at %.1fs" % (c.id, c.t) for c in self.stranded[:10])))
        if self.unsent:
            print("# exception (accepted): %d Discord messages were dispatched while no gateway "
                  "session existed (after a non-resumable invalid session, before READY); "
                  "Discord never delivers those, so no bot could answer them" % len(self.unsent))
        print("# RSS: after warm-up %s KiB, end %d KiB, peak %d KiB" % (warm, rss_end, peak))
        print("# report: " + json.dumps(report, sort_keys=True))
        if self.a.report:
            with open(self.a.report, "w") as f:
                json.dump(report, f, indent=1, sort_keys=True)
        for f in failures[:60]:
            print("# FAIL " + f)
        if len(failures) > 60:
            print("# ... and %d more failures" % (len(failures) - 60))
        ok = not failures
        print("1..1")
        print("%s 1 - chaos seed %d: every command answered exactly once and correctly"
              % ("ok" if ok else "not ok", self.a.seed))
        return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scobot", required=True)
    ap.add_argument("--duration", type=float, default=120)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--rate", type=float, default=1.5, help="commands per second per platform")
    ap.add_argument("--min-gap", type=float, default=2.0)
    ap.add_argument("--max-gap", type=float, default=5.0)
    ap.add_argument("--warmup", type=float, default=10.0)
    ap.add_argument("--settle", type=float, default=90.0)
    ap.add_argument("--schedule", choices=("cycle", "weighted"), default="cycle")
    ap.add_argument("--faults", help="only these fault kinds (comma-separated)")
    ap.add_argument("--log", help="write scobot's whole stderr here at the end")
    ap.add_argument("--report", help="write the counts as JSON here")
    a = ap.parse_args()
    if a.seed is None:
        a.seed = int(os.environ.get("CHAOS_SEED", "0")) or random.SystemRandom().randrange(1, 1 << 31)
    ok = asyncio.run(Chaos(a).run())
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
