#!/usr/bin/python3
"""fake_discord.py: a local Discord (gateway + REST) for scobot's integration tests.

It owns only test behaviour written from discord/discord-api-docs; it must never
talk to anything but loopback and never be imported by product code. Each emulated
behaviour carries a comment naming the document and heading it comes from
(paths relative to the docs repository).

Run standalone:  /usr/bin/python3 fake_discord.py --port 0 --token T --portfile F
or import FakeDiscord and drive it in-process from a test script (faster, and
the control API below is a thin layer over the same methods).

Control API (not Discord's; under /_test/):
  POST /_test/fault        {"kind": "...", "shard": 0, ...}   see FAULTS
  POST /_test/message      inject MESSAGE_CREATE {"channel_id","content",...}
  POST /_test/interaction  inject INTERACTION_CREATE {"sub","options",...}
  GET  /_test/posts        messages the bot created
  GET  /_test/callbacks    interaction callbacks the bot sent
  GET  /_test/log          gateway traffic (identifies, resumes, heartbeats, closes)
  GET  /_test/rest         REST requests with their rate-limit verdicts
  GET  /_test/state        counters
"""

import argparse
import asyncio
import collections
import json
import random
import os
import re
import secrets
import sys
import time
import zlib

from aiohttp import web, WSMsgType

API_PREFIX = "/api/v10"

# developers/events/gateway-events.mdx "Gateway Opcodes" (topics/opcodes-and-status-codes.mdx)
OP_DISPATCH, OP_HEARTBEAT, OP_IDENTIFY, OP_PRESENCE = 0, 1, 2, 3
OP_RESUME, OP_RECONNECT, OP_INVALID_SESSION, OP_HELLO, OP_ACK = 6, 7, 9, 10, 11

# developers/events/gateway.mdx "List of Intents": every defined bit.
KNOWN_INTENTS = (
    (1 << 0) | (1 << 1) | (1 << 2) | (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7)
    | (1 << 8) | (1 << 9) | (1 << 10) | (1 << 11) | (1 << 12) | (1 << 13) | (1 << 14)
    | (1 << 15) | (1 << 16) | (1 << 20) | (1 << 21) | (1 << 24) | (1 << 25))
# developers/events/gateway.mdx "Privileged Intents"
PRIVILEGED = {1 << 1: "GUILD_MEMBERS", 1 << 8: "GUILD_PRESENCES", 1 << 15: "MESSAGE_CONTENT"}

# developers/events/gateway.mdx "Sending Events": payloads must not exceed 4096 bytes.
MAX_PAYLOAD = 4096
# developers/events/gateway.mdx "Rate Limiting": 120 gateway events per connection per 60 s.
SEND_LIMIT, SEND_WINDOW = 120, 60.0
# developers/interactions/receiving-and-responding.mdx "Responding to an Interaction":
# the initial response must arrive within 3 seconds.
INTERACTION_DEADLINE = 3.0
# developers/topics/rate-limits.mdx "Global Rate Limit": 50 requests per second.
GLOBAL_LIMIT = 50
# developers/resources/message.mdx "Create Message": nonce dedupe "in the past few minutes".
NONCE_WINDOW = 300.0

FAULTS = ("reconnect", "invalid_session_true", "invalid_session_false", "drop", "zombie",
          "close:<code>", "malformed", "oversized", "split_zlib", "rest_429", "rest_429_global",
          "rest_5xx", "rest_401", "rest_timeout", "heartbeat_request", "unknown_event")

SNOWFLAKE_EPOCH_MS = 1420070400000  # developers/reference.mdx "Snowflakes"


def max_in_window(times, width):
    """The most of `times` (sorted) inside any half-open span of `width` seconds."""
    best, j = 0, 0
    for i, t in enumerate(times):
        while times[j] <= t - width:
            j += 1
        best = max(best, i - j + 1)
    return best


def make_snowflake(counter=[0], skew_ms=0):
    """developers/reference.mdx "Snowflakes": timestamp << 22 | worker | process | increment.
    skew_ms: Discord's clock ahead of (or behind) this host's."""
    counter[0] = (counter[0] + 1) & 0xFFF
    ms = int(time.time() * 1000) + skew_ms - SNOWFLAKE_EPOCH_MS
    return str((ms << 22) | (1 << 17) | counter[0])


class Session:
    def __init__(self, sid, shard, token):
        self.id = sid
        self.shard = shard            # [id, count]
        self.token = token
        self.seq = 0
        self.log = []                 # [(seq, t, d)] for replay on resume
        self.conn = None              # live connection delivering dispatches
        self.valid = True


class Conn:
    def __init__(self, ws, request, compress):
        self.ws = ws
        self.request = request
        self.compress = compress
        # developers/events/gateway.mdx "Transport Compression" / "zlib-stream":
        # one zlib context for the whole connection.
        self.zctx = zlib.compressobj() if compress else None
        self.split = False
        self.zombie = False
        self.held = None              # frames held back by flood_events(stall_s=...)
        self.deliver = True           # false once a fault means events must wait for a resume
        self.session = None
        self.sends = []               # receive times of client payloads (send limit)
        self.last_beat = None
        self.id = secrets.token_hex(4)
        self.closed = False
        self.server_closed = False
        self.pending_close = None     # (code, reason) the server is closing with


class FakeDiscord:
    def __init__(self, token="test-token", app_id="900000000000000001",
                 bot_id="900000000000000002", heartbeat_ms=45000, shards=1,
                 max_concurrency=1, allow_message_content=True, guilds=2,
                 start_remaining=1000, ws_path="/gateway", global_limit=GLOBAL_LIMIT,
                 gateway_url=None, resume_url=None, clock_skew_ms=0,
                 reject_option_localizations=False):
        self.token = token
        self.global_limit = global_limit   # benchmarks lift it to measure the bot alone
        self.gateway_url = gateway_url     # tests: a URL the bot must refuse
        self.clock_skew_ms = clock_skew_ms  # tests: message and interaction ids from a skewed clock
        self.resume_url = resume_url
        self.refuse_ws_port = None         # tests: the port the gateway moved away from
        # Tests: a server that refuses localizations on options (seen in the field
        # on one guild) with a 400 Invalid Form Body naming each refused field.
        self.reject_option_localizations = reject_option_localizations
        self.command_put_refusals = []     # bodies of the 400s sent for that
        self.dispatched_at = {}            # message id -> monotonic time of its dispatch
        self.app_id = app_id
        self.bot_id = bot_id
        self.heartbeat_ms = heartbeat_ms
        self.shards = shards
        self.max_concurrency = max_concurrency
        self.allow_message_content = allow_message_content
        self.start_remaining = start_remaining
        self.guild_ids = [str((1000 + i) << 22 | i) for i in range(guilds)]
        self.port = None
        self.sessions = {}
        self.conns = []
        self.log = []                  # gateway traffic
        self.rest = []                 # REST requests
        self.posts = []                # created messages
        self.callbacks = []            # interaction callbacks
        self.commands = {}             # scope -> list of command objects
        self.command_puts = []
        self.nonces = {}               # (channel, nonce) -> (time, message)
        self.interactions = {}         # id -> {token, created, answered}
        self.buckets = {}              # (bucket, major) -> {limit, remaining, reset_at}
        # developers/topics/rate-limits.mdx "Global Rate Limit": the limit is per bot
        # token, whichever connection (or process) the requests come from.
        self.global_hits = {}          # Authorization header -> arrival times
        self.global_429 = 0            # requests refused by the global limit
        self.global_arrivals = []      # arrival times of every request bound by the global limit
        self.after_zero = 0            # requests into a bucket a response said was at Remaining: 0
        self.identify_rejected = 0     # identifies refused with op 9 for max_concurrency
        self.rest_faults = []          # pending REST faults
        self.bucket_violations = 0
        self.errors = []               # protocol errors the bot made (tests assert empty)
        self.waiters = []
        self.runner = None
        self.t0 = time.monotonic()

    # ---- bookkeeping ---------------------------------------------------
    def now(self):
        return time.monotonic() - self.t0

    def record(self, kind, **kw):
        ev = {"t": round(self.now(), 4), "kind": kind}
        ev.update(kw)
        self.log.append(ev)
        self._wake()

    def error(self, msg):
        self.errors.append(msg)
        self.record("error", msg=msg)

    def _wake(self):
        for fut in self.waiters:
            if not fut.done():
                fut.set_result(None)
        self.waiters = []

    async def wait_for(self, pred, timeout=10.0):
        """Waits until pred() is truthy; returns its value or raises TimeoutError."""
        # The bot runs ~20x slower under `meson test --setup valgrind`.
        end = time.monotonic() + timeout * (10 if os.environ.get("SCOBOT_WRAPPER") else 1)
        while True:
            v = pred()
            if v:
                return v
            left = end - time.monotonic()
            if left <= 0:
                raise TimeoutError("condition not met in %.1fs" % timeout)
            fut = asyncio.get_running_loop().create_future()
            self.waiters.append(fut)
            try:
                await asyncio.wait_for(fut, min(left, 0.2))
            except asyncio.TimeoutError:
                pass

    def events(self, kind):
        return [e for e in self.log if e["kind"] == kind]

    # ---- server --------------------------------------------------------
    def app(self):
        app = web.Application(client_max_size=1 << 20)
        r = app.router
        r.add_get("/gateway", self.ws_handler)
        r.add_get("/resume", self.ws_handler)
        r.add_get(API_PREFIX + "/gateway/bot", self.get_gateway_bot)
        r.add_get(API_PREFIX + "/gateway", self.get_gateway)
        r.add_get(API_PREFIX + "/users/@me", self.get_me)
        r.add_get(API_PREFIX + "/oauth2/applications/@me", self.get_app)
        r.add_get(API_PREFIX + "/applications/@me", self.get_app)
        r.add_post(API_PREFIX + "/channels/{cid}/messages", self.create_message)
        r.add_get(API_PREFIX + "/applications/{app}/commands", self.get_commands)
        r.add_put(API_PREFIX + "/applications/{app}/commands", self.put_commands)
        r.add_get(API_PREFIX + "/applications/{app}/guilds/{gid}/commands", self.get_commands)
        r.add_put(API_PREFIX + "/applications/{app}/guilds/{gid}/commands", self.put_commands)
        r.add_post(API_PREFIX + "/interactions/{iid}/{itoken}/callback", self.interaction_callback)
        r.add_post(API_PREFIX + "/webhooks/{app}/{itoken}", self.followup)
        r.add_post("/_test/fault", self.ctl_fault)
        r.add_post("/_test/message", self.ctl_message)
        r.add_post("/_test/interaction", self.ctl_interaction)
        r.add_get("/_test/posts", lambda req: web.json_response(self.posts))
        r.add_get("/_test/callbacks", lambda req: web.json_response(self.callbacks))
        r.add_get("/_test/log", lambda req: web.json_response(self.log))
        r.add_get("/_test/rest", lambda req: web.json_response(self.rest))
        r.add_get("/_test/state", lambda req: web.json_response(self.state()))
        return app

    async def start(self, port=0):
        self.runner = web.AppRunner(self.app(), access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]
        return self.port

    async def add_tls_site(self, ssl_context):
        """The same app on a second, TLS port (for wss:// and https:// URLs);
        returns the port."""
        site = web.TCPSite(self.runner, "127.0.0.1", 0, ssl_context=ssl_context)
        await site.start()
        return site._server.sockets[0].getsockname()[1]

    async def stop(self):
        for c in list(self.conns):
            if not c.ws.closed:
                try:
                    await c.ws.close(code=1001)
                except Exception:
                    pass
        if self.runner:
            await self.runner.cleanup()

    def base(self):
        return "http://127.0.0.1:%d" % self.port

    def state(self):
        return {
            "identifies": len(self.events("identify")),
            "resumes": len(self.events("resume")),
            "resumed": len(self.events("resumed")),
            "heartbeats": len(self.events("heartbeat")),
            "posts": len(self.posts),
            "callbacks": len(self.callbacks),
            "command_puts": len(self.command_puts),
            "bucket_violations": self.bucket_violations,
            "global_429": self.global_429,
            "global_max_1s": max_in_window(self.global_arrivals, 1.0),
            "global_max_100ms": max_in_window(self.global_arrivals, 0.1),
            "after_zero": self.after_zero,
            "identify_rejected": self.identify_rejected,
            "errors": self.errors,
            "sessions": {k: {"seq": s.seq, "valid": s.valid} for k, s in self.sessions.items()},
        }

    # ---- gateway -------------------------------------------------------
    async def send(self, conn, obj, raw=None):
        """Sends one gateway payload; with zlib-stream, compressed and ending in
        the Z_SYNC_FLUSH suffix (developers/events/gateway.mdx "Transport Compression")."""
        if conn.closed or conn.ws.closed:
            return
        data = raw if raw is not None else json.dumps(obj, separators=(",", ":")).encode()
        if getattr(conn, "held", None) is not None:
            # flood_events(stall_s=...) is holding the stream: queue in order.
            conn.held.append(self._frame(conn, data))
            return
        try:
            if conn.zctx is None:
                await conn.ws.send_str(data.decode("utf-8", "replace"))
                return
            comp = conn.zctx.compress(data) + conn.zctx.flush(zlib.Z_SYNC_FLUSH)
            assert comp[-4:] == b"\x00\x00\xff\xff"
            if conn.split and len(comp) > 1:
                # A message may arrive in several websocket frames, split anywhere.
                cuts = sorted(random.sample(range(1, len(comp)), min(3, len(comp) - 1)))
                prev = 0
                for c in cuts + [len(comp)]:
                    await conn.ws.send_bytes(comp[prev:c])
                    prev = c
            else:
                await conn.ws.send_bytes(comp)
        except (ConnectionResetError, RuntimeError):
            pass

    async def close(self, conn, code, why=""):
        self.record("server_close", conn=conn.id, code=code, why=why)
        conn.server_closed = True
        conn.pending_close = (code, why)
        conn.deliver = False
        if conn.session and conn.session.conn is conn:
            conn.session.conn = None
        try:
            await conn.ws.close(code=code, message=why.encode()[:120])
        except Exception:
            pass

    async def dispatch(self, session, t, d):
        """developers/events/gateway.mdx "Dispatch Events": each dispatch carries
        the next sequence number; the log lets a resume replay what was missed."""
        session.seq += 1
        session.log.append((session.seq, t, d))
        del session.log[:-2000]
        c = session.conn
        if c and c.deliver and not c.zombie:
            await self.send(c, {"op": OP_DISPATCH, "s": session.seq, "t": t, "d": d})
        return session.seq

    async def ws_handler(self, request):
        port = (request.transport.get_extra_info("sockname") or ("", 0))[1] \
            if request.transport else 0
        if self.refuse_ws_port and port == self.refuse_ws_port:
            # The gateway moved (move_gateway): the old address no longer takes
            # websockets, as a host taken out of service would not.
            self.record("ws_refused", port=port, path=request.path)
            return web.Response(status=503, text="gateway moved")
        q = request.query
        # developers/events/gateway.mdx "Gateway URL Query String Params"
        if q.get("v") != "10" or q.get("encoding") != "json":
            self.error("bad gateway query %r" % dict(q))
        compress = q.get("compress")
        if compress not in (None, "zlib-stream"):
            self.error("unsupported compress %r" % compress)
        ws = web.WebSocketResponse(max_msg_size=1 << 20, compress=False, autoping=True)
        await ws.prepare(request)
        conn = Conn(ws, request, compress == "zlib-stream")
        self.conns.append(conn)
        ua = request.headers.get("User-Agent", "")
        self.record("connect", conn=conn.id, path=request.path, port=port, compress=conn.compress,
                    user_agent=ua)
        # reference.md "User Agent": every client must send one, "DiscordBot
        # ($url, $versionNumber)"; a compatible server refuses the gateway
        # without it, as here with 4002 (opcodes-and-status-codes.mdx).
        if not ua.startswith("DiscordBot ("):
            self.error("gateway upgrade without a DiscordBot User-Agent: %r" % ua)
            await ws.close(code=4002, message=b"User-Agent required")
            return ws
        # developers/events/gateway.mdx "Hello Event"
        self.record("hello", conn=conn.id, interval_ms=self.heartbeat_ms)
        await self.send(conn, {"op": OP_HELLO, "d": {"heartbeat_interval": self.heartbeat_ms,
                                                     "_trace": ["fake-discord"]}})
        watchdog = asyncio.ensure_future(self.heartbeat_watchdog(conn))
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    await self.on_payload(conn, msg.data.encode())
                elif msg.type == WSMsgType.BINARY:
                    await self.on_payload(conn, msg.data)
                elif msg.type == WSMsgType.ERROR:
                    break
                if ws.closed:
                    break
            # A close started from another task (a fault) ends the loop above;
            # close here with its code before aiohttp's default 1000 does.
            if conn.pending_close and not ws.closed:
                await ws.close(code=conn.pending_close[0], message=conn.pending_close[1].encode()[:120])
        finally:
            watchdog.cancel()
            conn.closed = True
            code = ws.close_code
            self.record("disconnect", conn=conn.id, code=code)
            s = conn.session
            if s and s.conn is conn:
                s.conn = None
            # developers/events/gateway.mdx "Initiating a Disconnect": a client
            # close with 1000/1001 invalidates the session; anything else keeps it.
            if s and code in (1000, 1001) and not conn.server_closed:
                s.valid = False
            if conn in self.conns:
                self.conns.remove(conn)
        return ws

    # Tests that hold the bot to the interval itself (set on the instance):
    # the watchdog below then allows interval + this many ms between beats
    # (the first beat: interval * jitter, so at most interval after Hello).
    # None keeps the generous default for everything else.
    strict_heartbeat_grace_ms = None

    async def heartbeat_watchdog(self, conn):
        """developers/events/gateway.mdx "Heartbeat Interval": "If your app fails
        to send a heartbeat event in time, your connection will be closed and you
        will be forced to Resume". Generous grace (interval + 50% + 1 s) because
        the test machine is shared and noisy, unless strict_heartbeat_grace_ms
        is set."""
        start = time.monotonic()
        grace = self.heartbeat_ms / 1000.0 * 1.5 + 1.0
        if self.strict_heartbeat_grace_ms is not None:
            grace = (self.heartbeat_ms + self.strict_heartbeat_grace_ms) / 1000.0
        while not conn.closed:
            await asyncio.sleep(0.05)
            last = conn.last_beat or start
            gap = time.monotonic() - last
            if gap > grace and not conn.zombie:
                self.record("late_heartbeat", conn=conn.id, gap=round(gap, 4))
                await self.close(conn, 4000, "heartbeat timeout")
                return

    async def on_payload(self, conn, data):
        t = time.monotonic()
        # developers/events/gateway.mdx "Rate Limiting": 120 events / 60 s, then 4008.
        conn.sends = [x for x in conn.sends if t - x < SEND_WINDOW] + [t]
        if len(conn.sends) > SEND_LIMIT:
            self.error("gateway send limit exceeded")
            return await self.close(conn, 4008, "Rate limited.")
        # developers/events/gateway.mdx "Sending Events": over 4096 bytes -> 4002.
        if len(data) > MAX_PAYLOAD:
            self.error("payload over 4096 bytes (%d)" % len(data))
            return await self.close(conn, 4002, "Decode error")
        try:
            p = json.loads(data)
            op = p["op"]
            if not isinstance(op, int):
                raise ValueError
        except (ValueError, KeyError, TypeError):
            self.error("undecodable payload")
            return await self.close(conn, 4002, "Decode error")
        d = p.get("d")
        if op == OP_HEARTBEAT:
            conn.last_beat = t
            sess = conn.session
            self.record("heartbeat", conn=conn.id, d=d, seq=sess.seq if sess else None)
            # developers/events/gateway.mdx "Heartbeat Interval": d is the last seq or null.
            if d is not None and not isinstance(d, int):
                self.error("heartbeat d not int/null")
            if not conn.zombie:
                await self.send(conn, {"op": OP_ACK})
            return
        if op == OP_IDENTIFY:
            return await self.on_identify(conn, d)
        if op == OP_RESUME:
            return await self.on_resume(conn, d)
        if conn.session is None:
            # topics/opcodes-and-status-codes.mdx "Gateway Close Event Codes": 4003.
            self.error("payload op %d before identify" % op)
            return await self.close(conn, 4003, "Not authenticated.")
        if op == OP_PRESENCE:
            self.record("presence", conn=conn.id, d=d)
            return
        # topics/opcodes-and-status-codes.mdx: 4001 unknown opcode.
        self.error("unknown opcode %d" % op)
        await self.close(conn, 4001, "Unknown opcode.")

    async def on_identify(self, conn, d):
        """developers/events/gateway-events.mdx "Identify" / "Identify Structure"."""
        self.record("identify", conn=conn.id, intents=(d or {}).get("intents"),
                    shard=(d or {}).get("shard"), presence=(d or {}).get("presence"),
                    compress=(d or {}).get("compress"), large_threshold=(d or {}).get("large_threshold"))
        if conn.session is not None:
            self.error("identify twice")
            return await self.close(conn, 4005, "Already authenticated.")
        if not isinstance(d, dict):
            return await self.close(conn, 4002, "Decode error")
        if d.get("token") != self.token:
            # topics/opcodes-and-status-codes.mdx: 4004 Authentication failed.
            return await self.close(conn, 4004, "Authentication failed.")
        props = d.get("properties")
        if not (isinstance(props, dict) and all(isinstance(props.get(k), str) for k in ("os", "browser", "device"))):
            self.error("identify properties missing os/browser/device")
            return await self.close(conn, 4002, "Decode error")
        intents = d.get("intents")
        if not isinstance(intents, int) or intents & ~KNOWN_INTENTS:
            return await self.close(conn, 4013, "Invalid intent(s).")
        if intents & (1 << 15) and not self.allow_message_content:
            # developers/events/gateway.mdx "Privileged Intents": not enabled -> 4014.
            return await self.close(conn, 4014, "Disallowed intent(s).")
        if intents & ((1 << 1) | (1 << 8)):
            return await self.close(conn, 4014, "Disallowed intent(s).")
        # Transport and payload compression are exclusive
        # (developers/events/gateway.mdx "Encoding and Compression").
        if d.get("compress") and conn.compress:
            self.error("payload compress with transport compression")
        shard = d.get("shard", [0, 1])
        if (not isinstance(shard, list) or len(shard) != 2 or not all(isinstance(x, int) for x in shard)
                or shard[1] < 1 or not 0 <= shard[0] < shard[1]):
            # topics/opcodes-and-status-codes.mdx: 4010 Invalid shard.
            return await self.close(conn, 4010, "Invalid shard.")
        if shard[1] < self.shards and len(self.guild_ids) > 2500 * shard[1]:
            return await self.close(conn, 4011, "Sharding required.")
        # developers/events/gateway.mdx "Session Start Limit Object": max_concurrency
        # identifies per 5 s per bucket (shard_id % max_concurrency); too fast -> op 9.
        bucket = shard[0] % self.max_concurrency
        now = time.monotonic()
        recent = [e for e in self.events("identify_ok") if e["bucket"] == bucket
                  and now - self.t0 - e["t"] < 5.0]
        if recent:
            self.identify_rejected += 1
            self.error("identify concurrency exceeded (bucket %d)" % bucket)
            return await self.send(conn, {"op": OP_INVALID_SESSION, "d": False})
        if self.start_remaining <= 0:
            return await self.close(conn, 4004, "identify limit")
        self.start_remaining -= 1
        sid = secrets.token_hex(16)
        sess = Session(sid, shard, d["token"])
        self.sessions[sid] = sess
        conn.session = sess
        sess.conn = conn
        self.record("identify_ok", conn=conn.id, bucket=bucket, session=sid, shard=shard)
        my_guilds = [g for g in self.guild_ids if (int(g) >> 22) % shard[1] == shard[0]]
        # developers/events/gateway-events.mdx "Ready"
        await self.dispatch(sess, "READY", {
            "v": 10,
            "user": {"id": self.bot_id, "username": "scobot", "discriminator": "0",
                     "global_name": None, "avatar": None, "bot": True},
            "guilds": [{"id": g, "unavailable": True} for g in my_guilds],
            "session_id": sid,
            "resume_gateway_url": self.resume_url or "ws://127.0.0.1:%d/resume" % self.port,
            "shard": shard,
            "application": {"id": self.app_id, "flags": 0},
            "_trace": ["fake"],
        })
        # developers/events/gateway-events.mdx "Guild Create": lazily sent after READY.
        for g in my_guilds:
            await self.dispatch(sess, "GUILD_CREATE", {
                "id": g, "name": "guild %s" % g, "unavailable": False, "member_count": 3,
                "channels": [{"id": str(int(g) + 1), "type": 0, "name": "general"}],
                "roles": [], "emojis": [], "features": [], "large": False})

    async def on_resume(self, conn, d):
        """developers/events/gateway.mdx "Resuming"; gateway-events.mdx "Resume"."""
        d = d if isinstance(d, dict) else {}
        self.record("resume", conn=conn.id, session=d.get("session_id"), seq=d.get("seq"),
                    path=conn.request.path)
        sess = self.sessions.get(d.get("session_id"))
        if d.get("token") != self.token:
            return await self.close(conn, 4004, "Authentication failed.")
        if conn.request.path != "/resume":
            self.error("resume not through resume_gateway_url")
        seq = d.get("seq")
        if sess is None or not sess.valid or not isinstance(seq, int) or seq > sess.seq:
            # gateway-events.mdx "Invalid Session": d=false, must re-identify.
            self.record("resume_failed", conn=conn.id)
            return await self.send(conn, {"op": OP_INVALID_SESSION, "d": False})
        old = sess.conn
        if old and old is not conn:
            old.deliver = False
        sess.conn = conn
        conn.session = sess
        for s, t, dd in list(sess.log):
            if s > seq:
                await self.send(conn, {"op": OP_DISPATCH, "s": s, "t": t, "d": dd})
        self.record("resumed", conn=conn.id, session=sess.id, from_seq=seq, to_seq=sess.seq)
        # gateway-events.mdx "Resumed": sent after the replay.
        await self.dispatch(sess, "RESUMED", {"_trace": ["fake"]})

    # ---- faults --------------------------------------------------------
    def conn_for_shard(self, shard=0):
        for c in reversed(self.conns):
            if c.session and c.session.shard[0] == shard and not c.closed and c.deliver:
                return c
        return None

    async def fault(self, kind, shard=0, **kw):
        self.record("fault", fault=kind)
        if kind.startswith("rest_"):
            f = dict(kw)
            f.setdefault("count", 1)
            f["kind"] = kind
            self.rest_faults.append(f)
            return True
        c = self.conn_for_shard(shard)
        if c is None:
            return False
        if kind == "reconnect":
            # gateway-events.mdx "Reconnect": op 7, the client should resume.
            c.deliver = False
            await self.send(c, {"op": OP_RECONNECT, "d": None})
        elif kind == "invalid_session_true":
            c.deliver = False
            await self.send(c, {"op": OP_INVALID_SESSION, "d": True})
        elif kind == "invalid_session_false":
            c.deliver = False
            c.session.valid = False
            await self.send(c, {"op": OP_INVALID_SESSION, "d": False})
        elif kind == "drop":
            # An abrupt TCP drop with no close frame: the session stays resumable
            # (gateway.mdx "Initiating a Disconnect").
            c.deliver = False
            if c.session.conn is c:
                c.session.conn = None
            c.request.transport.abort()
        elif kind == "zombie":
            # Stop ACKs and events: the client must notice the missing ACK
            # (gateway.mdx "Heartbeat Interval", zombied connections).
            c.zombie = True
        elif kind.startswith("close:"):
            code = int(kind.split(":", 1)[1])
            # opcodes-and-status-codes.mdx: 4007 invalid seq, 4009 session timed
            # out both mean "start a new session".
            if code in (4007, 4009):
                c.session.valid = False
            c.server_closed = True
            await self.close(c, code, "fault")
        elif kind == "malformed":
            await self.send(c, None, raw=b'{"op":0,"t":"MESSAGE_CREATE","s":')
            await self.send(c, None, raw=b'{"op":"zero","d":[1,2,3],"t":17}')
        elif kind == "oversized":
            blob = "x" * kw.get("size", 9 * 1024 * 1024)
            await self.send(c, None, raw=json.dumps({"op": 0, "s": None, "t": "BLOB", "d": {"x": blob}}).encode())
        elif kind == "split_zlib":
            c.split = True
        elif kind == "heartbeat_request":
            # gateway.mdx "Heartbeat Requests": the app must answer at once.
            await self.send(c, {"op": OP_HEARTBEAT, "d": None})
        elif kind == "unknown_event":
            await self.dispatch(c.session, "SOMETHING_NEW", {"x": [1, {"y": None}], "_trace": 1})
        else:
            raise ValueError("unknown fault " + kind)
        return True

    async def move_gateway(self):
        """The gateway moves to a new port (developers/events/gateway.mdx
        "Connecting": the URL from Get Gateway Bot may change, clients cache it
        and fetch it again when they cannot connect): GET /gateway/bot and
        READY's resume_gateway_url name the new port from now on, the old port
        refuses websocket upgrades (REST stays), and every connection drops.
        Returns the new port."""
        port = await self.add_site()
        self.refuse_ws_port = self.port
        self.gateway_url = "ws://127.0.0.1:%d/gateway" % port
        self.resume_url = "ws://127.0.0.1:%d/resume" % port
        for c in list(self.conns):
            c.deliver = False
            if c.session and c.session.conn is c:
                c.session.conn = None
            c.request.transport.abort()
        return port

    async def add_site(self, ssl_context=None):
        site = web.TCPSite(self.runner, "127.0.0.1", 0, ssl_context=ssl_context)
        await site.start()
        return site._server.sockets[0].getsockname()[1]

    def _session_for(self, guild_id):
        # developers/events/gateway.mdx "Sharding": shard_id = (guild_id >> 22) % num_shards;
        # DMs go to shard 0.
        cands = [s for s in self.sessions.values() if s.valid]
        if not cands:
            return None
        count = cands[-1].shard[1]
        want = (int(guild_id) >> 22) % count if guild_id else 0
        for s in reversed(cands):
            if s.shard[0] == want:
                return s
        return None

    async def inject_message(self, channel_id="800000000000000001", content="!sco help",
                             author_id="700000000000000001", guild_id=None, bot=False,
                             mention_bot=False, msg_id=None, **_):
        """developers/events/gateway-events.mdx "Message Create"."""
        if guild_id is None and channel_id != "dm":
            guild_id = self.guild_ids[0] if self.guild_ids else None
        mid = msg_id or make_snowflake(skew_ms=self.clock_skew_ms)
        d = {"id": mid, "channel_id": channel_id, "type": 0, "content": content,
             "timestamp": "2026-01-01T00:00:00.000000+00:00", "edited_timestamp": None,
             "tts": False, "mention_everyone": False, "attachments": [], "embeds": [],
             "pinned": False, "author": {"id": author_id, "username": "user" + author_id[-3:],
                                         "discriminator": "0", "avatar": None, "global_name": None},
             "mentions": ([{"id": self.bot_id, "username": "scobot", "bot": True}] if mention_bot else []),
             "mention_roles": [], "nonce": None, "flags": 0}
        if bot:
            d["author"]["bot"] = True
        if guild_id:
            d["guild_id"] = guild_id
            d["member"] = {"roles": [], "joined_at": "2025-01-01T00:00:00+00:00", "deaf": False, "mute": False}
        sess = self._session_for(guild_id)
        if sess is None:
            raise RuntimeError("no session for guild %s" % guild_id)
        self.dispatched_at[mid] = time.monotonic()
        seq = await self.dispatch(sess, "MESSAGE_CREATE", d)
        self.record("inject_message", id=mid, seq=seq, channel=channel_id)
        return mid

    async def inject_interaction(self, sub="help", options=None, locale="en-US", itype=2,
                                 channel_id="800000000000000001", guild_id=None,
                                 user_id="700000000000000001", focused=None, **_):
        """developers/interactions/receiving-and-responding.mdx "Interaction Object";
        a /sco subcommand is an option of type 1 (application-commands.mdx "Subcommands")."""
        if guild_id is None:
            guild_id = self.guild_ids[0] if self.guild_ids else None
        iid = make_snowflake(skew_ms=self.clock_skew_ms)
        token = "itok-" + secrets.token_hex(8)
        sub_opts = []
        for name, value in (options or {}).items():
            o = {"name": name, "type": 3, "value": value}
            if focused == name:
                o["focused"] = True
            sub_opts.append(o)
        d = {"id": iid, "application_id": self.app_id, "type": itype, "token": token,
             "version": 1, "locale": locale, "guild_locale": "en-US", "channel_id": channel_id,
             "app_permissions": "0", "entitlements": [], "authorizing_integration_owners": {},
             "context": 0,
             "data": {"id": "950000000000000001", "name": "sco", "type": 1,
                      "options": [{"name": sub, "type": 1, "options": sub_opts}]}}
        user = {"id": user_id, "username": "user", "discriminator": "0", "avatar": None}
        if guild_id:
            d["guild_id"] = guild_id
            d["member"] = {"user": user, "roles": [], "permissions": "0"}
        else:
            d["user"] = user
        self.interactions[iid] = {"token": token, "created": time.monotonic(), "answered": False}
        sess = self._session_for(guild_id)
        seq = await self.dispatch(sess, "INTERACTION_CREATE", d)
        self.record("inject_interaction", id=iid, seq=seq)
        return iid

    async def flood(self, n, shard=0, guild_id=None):
        """Benchmarks: n non-command MESSAGE_CREATE dispatches as fast as the
        socket takes them (each its own websocket message, as Discord sends).
        Returns the seconds spent sending."""
        c = self.conn_for_shard(shard)
        sess = c.session
        guild_id = guild_id or (self.guild_ids[0] if self.guild_ids else None)
        frames = []
        for i in range(n):
            sess.seq += 1
            d = {"id": str(1500000000000000000 + i), "channel_id": "800000000000000001",
                 "guild_id": guild_id, "type": 0, "content": "just chatting %d" % i,
                 "author": {"id": "7%017d" % (i % 1000), "username": "someone"},
                 "mentions": [], "attachments": [], "embeds": [],
                 "timestamp": "2026-01-01T00:00:00+00:00", "tts": False, "pinned": False}
            data = json.dumps({"op": 0, "s": sess.seq, "t": "MESSAGE_CREATE", "d": d},
                              separators=(",", ":")).encode()
            if c.zctx is not None:
                data = c.zctx.compress(data) + c.zctx.flush(zlib.Z_SYNC_FLUSH)
            frames.append(data)
        t0 = time.monotonic()
        for f in frames:
            if c.zctx is not None:
                await c.ws.send_bytes(f)
            else:
                await c.ws.send_str(f.decode())
        return time.monotonic() - t0

    @staticmethod
    def _frame(conn, data):
        """One unfragmented server frame (RFC 6455 5.2: FIN, not masked), binary
        and through the connection's zlib-stream context when it has one."""
        if conn.zctx is not None:
            data = conn.zctx.compress(data) + conn.zctx.flush(zlib.Z_SYNC_FLUSH)
            head = 0x82
        else:
            head = 0x81
        ln = len(data)
        if ln < 126:
            return bytes((head, ln)) + data
        if ln < 65536:
            return bytes((head, 126)) + ln.to_bytes(2, "big") + data
        return bytes((head, 127)) + ln.to_bytes(8, "big") + data

    async def flood_events(self, n, shard=0, stall_s=0.0, batch=256, buffered=1 << 20,
                           content_len=0):
        """Floods n dispatches (developers/events/gateway-events.mdx "Receive
        Events": MESSAGE_CREATEs that are not commands, with a TYPING_START and a
        MESSAGE_UPDATE in every 16) onto the shard's connection as fast as the
        socket takes them, each its own websocket message and, with zlib-stream,
        its own Z_SYNC_FLUSH through the connection's one context
        (gateway.mdx "Transport Compression"). Frames are built `batch` at a
        time and written straight to the transport; between batches the flood
        waits while more than `buffered` bytes are unsent and yields to the
        event loop, so heartbeats are read, timed and ACKed when they arrive (a
        flood that built its frames up front or never yielded would make the
        fixture, not the bot, late).

        stall_s > 0 starts with a stalled link: from the next heartbeat on,
        everything for this connection (the flood and the ACK) is held for
        stall_s seconds and then delivered at once, as a burst that queues the
        ACK behind a backlog the bot has not read yet. This Python fixture
        cannot outrun the bot's parser with a steady stream; a burst is how the
        backlog a slower bot meets on Discord is made here.

        Dispatches go into the session's replay log as dispatch() does, so a
        resume after a reset replays them. Stops when the connection stops
        delivering. content_len pads each message's content (message.mdx
        "Create Message": at most 2000 characters). Returns (frames sent,
        seconds)."""
        c = self.conn_for_shard(shard)
        if c is None:
            return 0, 0.0
        sess = c.session
        tr = c.request.transport
        guild = (self.guild_ids[0] if self.guild_ids else "0")
        author = '{"id":"7%017d","username":"someone","discriminator":"0"}'
        msg = ('{"id":"%d","channel_id":"800000000000000001","guild_id":"' + guild + '",'
               '"type":0,"content":"just chatting %d' + "z" * min(content_len, 1980) + '",'
               '"author":' + author + ','
               '"mentions":[],"mention_roles":[],"attachments":[],"embeds":[],'
               '"timestamp":"2026-01-01T00:00:00+00:00","edited_timestamp":null,'
               '"tts":false,"mention_everyone":false,"pinned":false,"flags":0}')
        typing = ('{"channel_id":"800000000000000001","guild_id":"' + guild + '",'
                  '"user_id":"7%017d","timestamp":1767225600}')
        recent = collections.deque(maxlen=2000)  # (seq, t, d as text) for the replay log
        stall_end = None
        if stall_s > 0:
            beats = len(self.events("heartbeat"))
            await self.wait_for(lambda: len(self.events("heartbeat")) > beats, 60)
            c.held = []
            stall_end = time.monotonic() + stall_s
            self.record("stall", conn=c.id, seconds=stall_s)
        t0 = time.monotonic()
        sent = 0
        try:
            while sent < n:
                if c.closed or c.ws.closed or not c.deliver or c.zombie or tr.is_closing():
                    break
                out = []
                for i in range(sent, min(n, sent + batch)):
                    sess.seq += 1
                    if i % 16 == 5:
                        t, d = "TYPING_START", typing % (i % 1000)
                    elif i % 16 == 11:
                        t, d = "MESSAGE_UPDATE", msg % (1500000000000000000 + i - 1, i - 1, i % 1000)
                    else:
                        t, d = "MESSAGE_CREATE", msg % (1500000000000000000 + i, i, i % 1000)
                    recent.append((sess.seq, t, d))
                    out.append(self._frame(c, ('{"op":0,"s":%d,"t":"%s","d":%s}'
                                               % (sess.seq, t, d)).encode()))
                    sent += 1
                # Compressed and queued in one go: nothing else (an ACK) can
                # take the zlib context in between.
                if c.held is not None:
                    c.held.extend(out)
                    if time.monotonic() >= stall_end:
                        self._release(c, tr)
                else:
                    tr.write(b"".join(out))
                await asyncio.sleep(0)
                while tr.get_write_buffer_size() > buffered and not tr.is_closing():
                    await asyncio.sleep(0.001)
            while c.held is not None and not tr.is_closing():
                await asyncio.sleep(max(0.0, stall_end - time.monotonic()))
                self._release(c, tr)
        finally:
            if c.held is not None:
                self._release(c, tr)
            # Parsed once at the end: the replay log holds objects, and parsing
            # every frame would slow the flood down.
            sess.log.extend((s, t, json.loads(d)) for s, t, d in recent)
            del sess.log[:-2000]
        return sent, time.monotonic() - t0

    def _release(self, conn, tr):
        held, conn.held = conn.held, None
        self.record("stall_end", conn=conn.id, frames=len(held))
        if not tr.is_closing():
            tr.write(b"".join(held))

    def heartbeat_gaps(self):
        """Per connection: Hello to the first heartbeat, then between heartbeats
        (seconds, as this fixture received them). Gaps across a reconnect are
        not gaps of one connection's schedule and are not mixed in."""
        out = {}
        for e in self.log:
            if e["kind"] == "hello":
                out[e["conn"]] = [e["t"], []]
            elif e["kind"] == "heartbeat" and e["conn"] in out:
                last, gaps = out[e["conn"]]
                gaps.append(round(e["t"] - last, 4))
                out[e["conn"]][0] = e["t"]
        return {k: v[1] for k, v in out.items()}

    # ---- REST ----------------------------------------------------------
    def _auth_ok(self, request):
        # developers/reference.mdx "Authentication": "Authorization: Bot TOKEN".
        return request.headers.get("Authorization") == "Bot " + self.token

    def _rl_headers(self, key, limit, window):
        """developers/topics/rate-limits.mdx "Header Format". Returns (headers, ok)."""
        now = time.monotonic()
        b = self.buckets.get(key)
        if b is None or now >= b["reset_at"]:
            b = self.buckets[key] = {"limit": limit, "remaining": limit, "reset_at": now + window}
        ok = b["remaining"] > 0
        if ok:
            b["remaining"] -= 1
        reset_after = max(0.0, b["reset_at"] - now)
        h = {"X-RateLimit-Limit": str(limit), "X-RateLimit-Remaining": str(b["remaining"]),
             "X-RateLimit-Reset": "%.3f" % (time.time() + reset_after),
             "X-RateLimit-Reset-After": "%.3f" % reset_after,
             "X-RateLimit-Bucket": key[0]}
        return h, ok, reset_after

    def _take_fault(self, route):
        for f in self.rest_faults:
            if f.get("route") in (None, route) and f["count"] > 0:
                f["count"] -= 1
                if f["count"] == 0:
                    self.rest_faults.remove(f)
                return f
        return None

    async def _rest_gate(self, request, route, bucket, major, limit=5, window=5.0, global_exempt=False):
        """Shared REST front: auth, faults, global and per-route limits.
        Returns (response or None, headers)."""
        entry = {"t": round(self.now(), 4), "method": request.method, "path": request.path,
                 "route": route, "ua": request.headers.get("User-Agent", ""), "status": None}
        self.rest.append(entry)
        ua = entry["ua"]
        # developers/reference.mdx "User Agent": "DiscordBot ($url, $versionNumber)".
        if not re.match(r"^DiscordBot \(https?://[^,]+, [^)]+\)", ua):
            self.error("bad User-Agent %r" % ua)
        f = self._take_fault(route)
        if f:
            kind = f["kind"]
            if kind == "rest_timeout":
                await asyncio.sleep(f.get("seconds", 30))
            elif kind == "rest_5xx":
                entry["status"] = 502
                return web.Response(status=502, text="<html>bad gateway</html>", content_type="text/html"), {}
            elif kind == "rest_401":
                entry["status"] = 401
                return web.json_response({"message": "401: Unauthorized", "code": 0}, status=401), {}
            elif kind in ("rest_429", "rest_429_global"):
                # developers/topics/rate-limits.mdx "Exceeding A Rate Limit": body
                # {message, retry_after (s, float), global}, Retry-After header,
                # X-RateLimit-Global and X-RateLimit-Scope.
                ra = f.get("retry_after", 0.3)
                glob = kind == "rest_429_global"
                h = {"Retry-After": str(max(1, int(ra + 0.999))),
                     "X-RateLimit-Scope": "global" if glob else f.get("scope", "user")}
                if glob:
                    h["X-RateLimit-Global"] = "true"
                else:
                    h.update({"X-RateLimit-Limit": str(limit), "X-RateLimit-Remaining": "0",
                              "X-RateLimit-Reset-After": "%.3f" % ra, "X-RateLimit-Bucket": bucket})
                entry["status"] = 429
                self.record("rest_429", route=route, injected=True)
                return web.json_response({"message": "You are being rate limited.",
                                          "retry_after": ra, "global": glob}, status=429, headers=h), {}
        if not self._auth_ok(request):
            entry["status"] = 401
            return web.json_response({"message": "401: Unauthorized", "code": 0}, status=401), {}
        now = time.monotonic()
        if not global_exempt:
            # developers/topics/rate-limits.mdx "Global Rate Limit": "up to 50 requests
            # per second", per bot token; interaction endpoints are not bound by it.
            # The page does not say how the second is cut, so the strictest reading
            # is enforced: any one-second span of arrivals (a client that passes it
            # passes any fixed-second counter too). A request counts when it
            # arrives, refused or not.
            self.global_arrivals.append(now)
            auth = request.headers.get("Authorization", "")
            hits = [t for t in self.global_hits.get(auth, []) if now - t < 1.0] + [now]
            self.global_hits[auth] = hits
            if len(hits) > self.global_limit:
                self.bucket_violations += 1
                self.global_429 += 1
                self.error("global rate limit exceeded")
                entry["status"] = 429
                return web.json_response({"message": "You are being rate limited.", "retry_after": 1.0,
                                          "global": True}, status=429,
                                         headers={"Retry-After": "1", "X-RateLimit-Global": "true",
                                                  "X-RateLimit-Scope": "global"}), {}
        h, ok, reset_after = self._rl_headers((bucket, major), limit, window)
        if not ok:
            # The bot sent into a bucket it was told was exhausted.
            self.bucket_violations += 1
            self.after_zero += 1
            self.error("request into exhausted bucket %s/%s" % (bucket, major))
            entry["status"] = 429
            h.update({"Retry-After": str(max(1, int(reset_after + 0.999))), "X-RateLimit-Scope": "user"})
            return web.json_response({"message": "You are being rate limited.",
                                      "retry_after": round(reset_after, 3), "global": False},
                                     status=429, headers=h), {}
        return None, h

    async def get_gateway_bot(self, request):
        resp, h = await self._rest_gate(request, "gateway_bot", "gw", "", limit=50, window=5)
        if resp is not None:
            return resp
        self.rest[-1]["status"] = 200
        # developers/events/gateway.mdx "Get Gateway Bot" and "Session Start Limit Object".
        return web.json_response({
            "url": self.gateway_url or "ws://127.0.0.1:%d" % self.port + "/gateway",
            "shards": self.shards,
            "session_start_limit": {"total": 1000, "remaining": self.start_remaining,
                                    "reset_after": 14400000, "max_concurrency": self.max_concurrency}},
            headers=h)

    async def get_gateway(self, request):
        return web.json_response({"url": "ws://127.0.0.1:%d/gateway" % self.port})

    async def get_me(self, request):
        resp, h = await self._rest_gate(request, "users_me", "me", "", limit=5, window=5)
        if resp is not None:
            return resp
        self.rest[-1]["status"] = 200
        return web.json_response({"id": self.bot_id, "username": "scobot", "bot": True}, headers=h)

    async def get_app(self, request):
        # developers/resources/application.mdx "Get Current Application".
        resp, h = await self._rest_gate(request, "app_me", "app", "", limit=5, window=5)
        if resp is not None:
            return resp
        self.rest[-1]["status"] = 200
        return web.json_response({"id": self.app_id, "name": "scobot", "bot_public": True,
                                  "flags": 0}, headers=h)

    def _bad(self, msg, code=50035):
        self.error("REST 400: " + msg)
        self.rest[-1]["status"] = 400
        # developers/topics/opcodes-and-status-codes.mdx "JSON Error Codes": 50035 invalid form body.
        return web.json_response({"code": code, "message": "Invalid Form Body", "errors": {"_": msg}},
                                 status=400)

    async def create_message(self, request):
        """developers/resources/message.mdx "Create Message"."""
        received = time.monotonic()
        cid = request.match_info["cid"]
        # developers/topics/rate-limits.mdx: channel_id is a major parameter.
        resp, h = await self._rest_gate(request, "create_message", "msgbucket", cid, limit=5, window=5.0)
        if resp is not None:
            return resp
        try:
            body = await request.json()
        except Exception:
            return self._bad("body is not JSON")
        if not isinstance(body, dict):
            return self._bad("body not an object")
        content = body.get("content")
        embeds = body.get("embeds")
        if content is None and not embeds:
            return self._bad("empty message", 50006)
        if content is not None and (not isinstance(content, str) or len(content) > 2000):
            # "content: up to 2000 characters" (counted in code points).
            return self._bad("content over 2000 characters or not a string")
        if embeds is not None:
            if not isinstance(embeds, list) or len(embeds) > 10:
                return self._bad("embeds")
            total = 0
            for e in embeds:
                if not isinstance(e, dict):
                    return self._bad("embed not object")
                total += len(e.get("title") or "") + len(e.get("description") or "")
                for fl in e.get("fields") or []:
                    total += len(fl.get("name", "")) + len(fl.get("value", ""))
                    if len(fl.get("value", "")) > 1024 or len(fl.get("name", "")) > 256:
                        return self._bad("embed field too long")
                if len(e.get("description") or "") > 4096 or len(e.get("title") or "") > 256:
                    return self._bad("embed too long")
            if total > 6000:
                return self._bad("embeds over 6000 characters")
        am = body.get("allowed_mentions")
        # message.mdx "Allowed Mentions Object": parse is an array of mention types.
        # The test contract: the bot must send parse: [] every time.
        if not isinstance(am, dict) or am.get("parse") != []:
            self.error("allowed_mentions missing or not {parse: []}: %r" % (am,))
        ref = body.get("message_reference")
        if ref is not None:
            # message.mdx "Message Reference Structure".
            if not isinstance(ref, dict) or not isinstance(ref.get("message_id"), str):
                return self._bad("message_reference.message_id")
            if ref.get("fail_if_not_exists", True) is not False:
                self.error("message_reference without fail_if_not_exists=false")
        nonce = body.get("nonce")
        enforce = body.get("enforce_nonce")
        if nonce is not None:
            if isinstance(nonce, str) and len(nonce) > 25:
                return self._bad("nonce over 25 characters")
            if not isinstance(nonce, (str, int)):
                return self._bad("nonce type")
        if enforce is not None and not isinstance(enforce, bool):
            return self._bad("enforce_nonce type")
        now = time.monotonic()
        # message.mdx "Create Message": with enforce_nonce, a nonce seen in the
        # past few minutes returns the existing message instead of a new one.
        if nonce is not None and enforce:
            prev = self.nonces.get((cid, str(nonce)))
            if prev and now - prev[0] < NONCE_WINDOW:
                self.rest[-1]["status"] = 200
                self.record("nonce_dedupe", nonce=nonce)
                return web.json_response(prev[1], headers=h)
        mid = make_snowflake()
        msg = {"id": mid, "channel_id": cid, "content": content or "", "embeds": embeds or [],
               "author": {"id": self.bot_id, "username": "scobot", "bot": True},
               "nonce": nonce, "message_reference": ref, "allowed_mentions": am,
               "enforce_nonce": enforce, "type": 19 if ref else 0,
               "t": round(self.now(), 4), "received_at": received}
        self.posts.append(msg)
        if nonce is not None and enforce:
            self.nonces[(cid, str(nonce))] = (now, msg)
        self.rest[-1]["status"] = 200
        self.record("post", id=mid, channel=cid, ref=(ref or {}).get("message_id"))
        return web.json_response(msg, headers=h)

    async def get_commands(self, request):
        """developers/interactions/application-commands.mdx "Get Global Application Commands"."""
        scope = request.match_info.get("gid", "global")
        resp, h = await self._rest_gate(request, "commands", "cmds", scope, limit=5, window=5)
        if resp is not None:
            return resp
        if request.match_info["app"] != self.app_id:
            self.rest[-1]["status"] = 404
            return web.json_response({"code": 10002, "message": "Unknown Application"}, status=404)
        self.rest[-1]["status"] = 200
        return web.json_response(self.commands.get(scope, []), headers=h)

    async def put_commands(self, request):
        """application-commands.mdx "Bulk Overwrite Global Application Commands"
        and "Application Command Object" validation (names, lengths, localizations)."""
        scope = request.match_info.get("gid", "global")
        resp, h = await self._rest_gate(request, "commands", "cmds", scope, limit=5, window=5)
        if resp is not None:
            return resp
        try:
            body = await request.json()
        except Exception:
            return self._bad("commands body not JSON")
        if not isinstance(body, list) or len(body) > 100:
            return self._bad("commands must be an array of <= 100")
        name_re = re.compile(r"^[-_\w]{1,32}$")
        locales = {"ru", "zh-CN", "zh-TW", "en-US", "en-GB", "de", "fr", "ja", "ko", "uk"}

        def check_opt(o, depth):
            if not isinstance(o, dict) or not isinstance(o.get("name"), str) or not name_re.match(o["name"]) \
                    or o["name"] != o["name"].lower():
                return "option name %r" % (o.get("name") if isinstance(o, dict) else o)
            desc = o.get("description")
            if not isinstance(desc, str) or not 1 <= len(desc) <= 100:
                return "description of %s" % o["name"]
            for k in ("name_localizations", "description_localizations"):
                loc = o.get(k)
                if loc is not None:
                    if not isinstance(loc, dict) or any(x not in locales for x in loc):
                        return "%s of %s" % (k, o["name"])
                    for v in loc.values():
                        lim = 32 if k == "name_localizations" else 100
                        if not isinstance(v, str) or not 1 <= len(v) <= lim:
                            return "%s value of %s" % (k, o["name"])
                        if k == "name_localizations" and (not name_re.match(v) or v != v.lower()):
                            return "localized name %r" % v
            opts = o.get("options") or []
            if len(opts) > 25:
                return "more than 25 options"
            for sub in opts:
                err = check_opt(sub, depth + 1)
                if err:
                    return err
            if o.get("autocomplete") and o.get("choices"):
                return "autocomplete with choices"
            return None

        for c in body:
            err = check_opt(c, 0)
            if err:
                return self._bad(err)
        if self.reject_option_localizations:
            refused = self._refuse_option_localizations(body)
            if refused is not None:
                return refused
        self.command_puts.append({"t": round(self.now(), 4), "scope": scope, "body": body})
        out = []
        for c in body:
            o = dict(c)
            o.setdefault("type", 1)
            o["id"] = make_snowflake()
            o["application_id"] = self.app_id
            o["version"] = make_snowflake()
            o.setdefault("default_member_permissions", None)
            o.setdefault("nsfw", False)
            if scope != "global":
                o["guild_id"] = scope
            out.append(o)
        self.commands[scope] = out
        self.rest[-1]["status"] = 200
        self.record("commands_put", scope=scope, n=len(out))
        return web.json_response(out, headers=h)

    def _refuse_option_localizations(self, body):
        """A 400 in Discord's error format (opcodes-and-status-codes.mdx "JSON Error
        Codes" and its "Example JSON Error Response": code 50035 Invalid Form Body,
        `errors` nested along the path of each refused field, each with an
        `_errors` list of {code, message}) for every option localization; None
        when the body has none."""
        def walk(opts):
            out = {}
            for i, o in enumerate(opts or []):
                e = {}
                for k in ("name_localizations", "description_localizations"):
                    for loc in (o.get(k) or {}):
                        e.setdefault(k, {})[loc] = {"_errors": [{
                            "code": "LOCALE_NOT_AVAILABLE",
                            "message": "Locale %s is not available here" % loc}]}
                sub = walk(o.get("options"))
                if sub:
                    e["options"] = sub
                if e:
                    out[str(i)] = e
            return out
        errors = {}
        for i, c in enumerate(body):
            sub = walk(c.get("options"))
            if sub:
                errors[str(i)] = {"options": sub}
        if not errors:
            return None
        resp = {"code": 50035, "errors": errors, "message": "Invalid Form Body"}
        self.command_put_refusals.append(resp)
        self.rest[-1]["status"] = 400
        self.record("commands_refused", n=len(body))
        return web.json_response(resp, status=400)

    async def interaction_callback(self, request):
        """developers/interactions/receiving-and-responding.mdx "Create Interaction Response"."""
        iid = request.match_info["iid"]
        tok = request.match_info["itoken"]
        # rate-limits.mdx "Global Rate Limit": interaction endpoints are not bound by it.
        resp, h = await self._rest_gate(request, "callback", "cb", iid, limit=5, window=5,
                                        global_exempt=True)
        if resp is not None:
            return resp
        it = self.interactions.get(iid)
        if it is None or it["token"] != tok:
            self.rest[-1]["status"] = 404
            # opcodes-and-status-codes.mdx "JSON Error Codes": 10062 Unknown interaction.
            return web.json_response({"code": 10062, "message": "Unknown interaction"}, status=404)
        latency = time.monotonic() - it["created"]
        if latency > INTERACTION_DEADLINE:
            self.error("interaction answered after %.2fs" % latency)
            self.rest[-1]["status"] = 404
            return web.json_response({"code": 10062, "message": "Unknown interaction"}, status=404)
        if it["answered"]:
            self.rest[-1]["status"] = 400
            self.error("interaction answered twice")
            return web.json_response({"code": 40060, "message": "Interaction has already been acknowledged."},
                                     status=400)
        try:
            body = await request.json()
        except Exception:
            return self._bad("callback body not JSON")
        # receiving-and-responding.mdx "Interaction Callback Type": 4 message, 5 deferred,
        # 8 autocomplete result (<= 25 choices).
        t = body.get("type") if isinstance(body, dict) else None
        data = body.get("data") if isinstance(body, dict) else None
        if t not in (1, 4, 5, 6, 7, 8, 9):
            return self._bad("callback type %r" % t)
        if t == 4:
            if not isinstance(data, dict) or not (data.get("content") or data.get("embeds")):
                return self._bad("type 4 without content")
            if len(data.get("content") or "") > 2000:
                return self._bad("callback content over 2000")
            am = data.get("allowed_mentions")
            if not isinstance(am, dict) or am.get("parse") != []:
                self.error("callback allowed_mentions missing or not {parse: []}")
        if t == 8:
            ch = (data or {}).get("choices")
            if not isinstance(ch, list) or len(ch) > 25:
                return self._bad("autocomplete choices")
            for c in ch:
                if not isinstance(c, dict) or not isinstance(c.get("name"), str) or not 1 <= len(c["name"]) <= 100:
                    return self._bad("autocomplete choice name")
        it["answered"] = True
        self.callbacks.append({"id": iid, "type": t, "data": data, "latency": round(latency, 4),
                               "t": round(self.now(), 4)})
        self.rest[-1]["status"] = 204
        self.record("callback", id=iid, type=t, latency=latency)
        return web.Response(status=204, headers=h)

    async def followup(self, request):
        """receiving-and-responding.mdx "Create Followup Message": allowed after the
        initial response, with the interaction token, for 15 minutes."""
        tok = request.match_info["itoken"]
        resp, h = await self._rest_gate(request, "followup", "wh", request.match_info["app"],
                                        limit=5, window=5, global_exempt=True)
        if resp is not None:
            return resp
        it = next((v for v in self.interactions.values() if v["token"] == tok), None)
        if it is None or not it["answered"] or request.match_info["app"] != self.app_id:
            self.error("follow-up before the interaction was answered or for another app")
            self.rest[-1]["status"] = 404
            return web.json_response({"code": 10015, "message": "Unknown Webhook"}, status=404)
        body = await request.json()
        if not isinstance(body, dict) or not isinstance(body.get("content"), str) \
                or len(body["content"]) > 2000:
            return self._bad("follow-up content")
        if body.get("allowed_mentions") != {"parse": []}:
            self.error("follow-up allowed_mentions missing or not {parse: []}")
        msg = {"id": make_snowflake(), "content": body["content"], "followup": True,
               "t": round(self.now(), 4), "received_at": time.monotonic()}
        self.posts.append(msg)
        self.rest[-1]["status"] = 200
        return web.json_response(msg, headers=h)

    # ---- control API ---------------------------------------------------
    async def ctl_fault(self, request):
        body = await request.json()
        kind = body.pop("kind")
        shard = body.pop("shard", 0)
        ok = await self.fault(kind, shard=shard, **body)
        return web.json_response({"ok": ok})

    async def ctl_message(self, request):
        body = await request.json()
        mid = await self.inject_message(**body)
        return web.json_response({"id": mid})

    async def ctl_interaction(self, request):
        body = await request.json()
        iid = await self.inject_interaction(**body)
        return web.json_response({"id": iid})


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--portfile")
    ap.add_argument("--token", default="test-token")
    ap.add_argument("--heartbeat-ms", type=int, default=45000)
    ap.add_argument("--shards", type=int, default=1)
    ap.add_argument("--max-concurrency", type=int, default=1)
    ap.add_argument("--guilds", type=int, default=2)
    ap.add_argument("--no-message-content", action="store_true")
    a = ap.parse_args()
    fd = FakeDiscord(token=a.token, heartbeat_ms=a.heartbeat_ms, shards=a.shards,
                     max_concurrency=a.max_concurrency, guilds=a.guilds,
                     allow_message_content=not a.no_message_content)

    async def run():
        port = await fd.start(a.port)
        print("fake discord on 127.0.0.1:%d" % port, flush=True)
        if a.portfile:
            with open(a.portfile, "w") as f:
                f.write(str(port))
        await asyncio.Event().wait()

    try:
        asyncio.run(run())
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
