#!/usr/bin/python3
"""fake_homeserver.py: a small, stateful Matrix homeserver for scobot's tests; it
emulates only the client-server behaviour scobot relies on, written from the spec,
and must never be mistaken for a real server (no federation, no auth beyond tokens).

Spec references are to matrix-org/matrix-spec:
  CS   = content/client-server-api/_index.md (section heading after the colon)
  API  = data/api/client-server/<file>.yaml
  MOD  = content/client-server-api/modules/<file>.md

Two listeners: the Matrix API (which the control API can take down) and the control
API (/_test/...) that tests use to act as other users, inject faults and read what the
bot sent. Run: fake_homeserver.py [--user @scobot:test] [--password pw]
It prints "PORTS <api> <control>" on stdout once both listen.
"""
import argparse
import asyncio
import hashlib
import json
import secrets
import sys
import time

from aiohttp import web

SERVER = "test"


def err(status, errcode, error, **extra):
    # CS: Standard error response -- {"errcode": ..., "error": ...}
    body = {"errcode": errcode, "error": error}
    body.update(extra)
    return web.json_response(body, status=status)


def type_match(patterns, etype):
    # API: definitions/event_filter.yaml -- `types`: "A '*' can be used as a wildcard
    # to match any sequence of characters."
    if patterns is None:
        return True
    for p in patterns:
        if p.endswith("*") and etype.startswith(p[:-1]):
            return True
        if p == etype:
            return True
    return False


class Room:
    def __init__(self, room_id):
        self.room_id = room_id
        self.events = []          # (pos, event) in stream order
        self.members = {}         # user -> membership
        self.state = {}           # (type, state_key) -> event
        self.encrypted = False


class Homeserver:
    def __init__(self, user, password):
        self.bot = user
        self.password = password
        self.tokens = {}          # token -> (user, device_id)
        self.txns = {}            # (device or token, path) -> response body
        self.txn_scope = "device"
        self.filters = {}         # filter_id -> filter json
        self.filter_owner = {}    # filter_id -> (user, filter json)
        self.rooms = {}
        self.aliases = {}
        self.pos = 0
        self.cond = asyncio.Condition()
        self.faults = []          # dicts: endpoint, kind, ...
        self.message_requests = []  # /messages queries, for tests
        self.join_fail = 0        # joins that fail as "not yet joinable"
        self.sent = []            # events the bot sent: dict(room_id, event_id, txn_id, content, t)
        self.requests = []        # (kind, t, status)
        self.down_until = 0.0
        self.api_runner = None
        self.api_site = None
        self.api_port = 0
        self.login_count = 0
        self.avail = {}           # event_id -> monotonic time it became visible to /sync
        # Synapse keeps each non-empty /sync response for a while and answers an
        # identical request from that cache (synapse/handlers/sync.py,
        # response_cache with SYNC_RESPONSE_CACHE_MS = 2 minutes, keyed by user,
        # device, since, timeout, filter and full_state). The client-server spec
        # says nothing of it; it is how the server the field reports came from
        # behaves. Off unless a test turns it on.
        self.sync_cache_ms = 0
        self.sync_cache = {}      # key -> (monotonic time, response)
        self.syncs_returned = 0   # /sync responses with a body, for per-command counts

    # -- stream --------------------------------------------------------------
    async def append(self, room, event):
        self.pos += 1
        # CS: Room Events / API: definitions/client_event_without_room_id.yaml --
        # event_id, sender, type, origin_server_ts, content (+ state_key for state).
        event.setdefault("event_id", "$%d_%s:%s" % (self.pos, secrets.token_hex(4), SERVER))
        event.setdefault("origin_server_ts", int(time.time() * 1000))
        event.setdefault("unsigned", {})
        room.events.append((self.pos, event))
        self.avail[event["event_id"]] = time.monotonic()
        if "state_key" in event:
            room.state[(event["type"], event["state_key"])] = event
            if event["type"] == "m.room.member":
                room.members[event["state_key"]] = event["content"].get("membership")
            if event["type"] == "m.room.encryption":
                room.encrypted = True
        async with self.cond:
            self.cond.notify_all()
        return event

    def get_room(self, room_id):
        if room_id not in self.rooms:
            self.rooms[room_id] = Room(room_id)
        return self.rooms[room_id]

    # -- auth ----------------------------------------------------------------
    def auth(self, request):
        # CS: Using access tokens -- header `Authorization: Bearer` or the
        # `access_token` query parameter; missing -> 401 M_MISSING_TOKEN, invalid ->
        # 401 M_UNKNOWN_TOKEN.
        h = request.headers.get("Authorization", "")
        tok = None
        if h.startswith("Bearer "):
            tok = h[7:]
        elif "access_token" in request.query:
            tok = request.query["access_token"]
        if tok is None:
            return None, err(401, "M_MISSING_TOKEN", "Missing access token")
        if tok not in self.tokens:
            return None, err(401, "M_UNKNOWN_TOKEN", "Unrecognised access token",
                             soft_logout=False)
        return (tok,) + self.tokens[tok], None

    # -- faults --------------------------------------------------------------
    def take_fault(self, endpoint):
        for f in self.faults:
            if f["endpoint"] in (endpoint, "any") and f["count"] > 0:
                f["count"] -= 1
                if f["count"] == 0:
                    self.faults.remove(f)
                return f
        return None

    async def fault_response(self, f):
        kind = f["kind"]
        if kind == "429":
            # CS: Rate limiting + API: definitions/errors/rate_limited.yaml --
            # 429 M_LIMIT_EXCEEDED; retry_after_ms (deprecated in v1.10) and/or the
            # Retry-After header (seconds).
            body = {"errcode": "M_LIMIT_EXCEEDED", "error": "Too many requests"}
            headers = {}
            if "retry_after_ms" in f:
                body["retry_after_ms"] = f["retry_after_ms"]
            if "retry_after" in f:
                headers["Retry-After"] = str(f["retry_after"])
            return web.json_response(body, status=429, headers=headers)
        if kind == "5xx":
            return web.Response(status=f.get("status", 502), text="<html>Bad gateway</html>",
                                content_type="text/html")
        if kind == "hang":
            await asyncio.sleep(f.get("seconds", 3600))
            return web.json_response({}, status=504)
        if kind == "garbage":
            return web.Response(status=200, body=bytes(range(256)) * 4,
                                content_type="application/json")
        if kind == "invalid_json":
            return web.Response(status=200, text='{"next_batch": "s999999", "rooms": {"join": {',
                                content_type="application/json")
        if kind == "wrong_types":
            return web.json_response({
                "next_batch": 12345,
                "rooms": {"join": [1, 2, 3], "invite": "x",
                          "leave": {"!r:test": {"timeline": {"events": {"a": 1}}}}},
            })
        if kind == "wrong_types_deep":
            # A well-typed envelope whose event fields have the wrong types; the
            # next_batch is valid so a client may advance past it.
            return web.json_response({
                "next_batch": f["next_batch"],
                "rooms": {"join": {f["room_id"]: {"timeline": {"events": [
                    {"event_id": 7, "sender": ["x"], "type": "m.room.message",
                     "content": {"msgtype": "m.text", "body": 42}},
                    {"event_id": "$bad:test", "sender": "@a:test", "type": "m.room.message",
                     "content": "not an object"},
                    None, "string", 3.5,
                ], "limited": "yes"}}}},
            })
        if kind == "missing_fields":
            return web.json_response({"rooms": {"join": {"!x:test": {}}}})
        if kind == "huge":
            pad = "x" * (10 * 1024 * 1024)
            return web.Response(status=200, text='{"next_batch":"s1","pad":"%s"}' % pad,
                                content_type="application/json")
        return err(500, "M_UNKNOWN", "unknown fault kind")

    async def guard(self, request, endpoint):
        # Callers test the result with `is not None`: an aiohttp Response is a
        # MutableMapping, so an empty one is falsy.
        self.requests.append((endpoint, time.monotonic(), request.method))
        f = self.take_fault(endpoint)
        if f:
            return await self.fault_response(f)
        return None

    # -- API handlers --------------------------------------------------------
    async def login(self, request):
        if (r := await self.guard(request, "login")) is not None:
            return r
        # API: login.yaml (POST /login) + CS: Login / Password-based --
        # {"type": "m.login.password", "identifier": {"type": "m.id.user", "user": ...},
        #  "password": ..., "device_id": ...}
        try:
            body = await request.json()
        except Exception:
            return err(400, "M_NOT_JSON", "Content not JSON.")
        if not isinstance(body, dict) or body.get("type") != "m.login.password":
            return err(400, "M_UNKNOWN", "Unknown login type")
        ident = body.get("identifier") or {}
        user = ident.get("user") if isinstance(ident, dict) else None
        if user in (self.bot, self.bot[1:].split(":")[0]) and body.get("password") == self.password:
            device = body.get("device_id") or secrets.token_hex(5).upper()
            # CS: Relationship between access tokens and devices -- "If the client
            # sets the device_id, the server will invalidate any access and refresh
            # tokens previously assigned to that device."
            for t in [t for t, (_, d) in self.tokens.items() if d == device]:
                del self.tokens[t]
            tok = "syt_" + secrets.token_urlsafe(24)
            self.tokens[tok] = (self.bot, device)
            self.login_count += 1
            return web.json_response({"user_id": self.bot, "access_token": tok,
                                      "device_id": device})
        return err(403, "M_FORBIDDEN", "Invalid username or password")

    async def whoami(self, request):
        if (r := await self.guard(request, "whoami")) is not None:
            return r
        a, e = self.auth(request)
        if e is not None:
            return e
        # API: whoami.yaml (GET /account/whoami) -- user_id (required), device_id.
        return web.json_response({"user_id": a[1], "device_id": a[2]})

    async def joined_rooms(self, request):
        if (r := await self.guard(request, "joined_rooms")) is not None:
            return r
        a, e = self.auth(request)
        if e is not None:
            return e
        # API: list_joined_rooms.yaml (GET /joined_rooms) -- {"joined_rooms": [room ids]},
        # the rooms the caller's user is joined to now.
        return web.json_response({"joined_rooms": [rid for rid, room in self.rooms.items()
                                                   if room.members.get(a[1]) == "join"]})

    async def filter_post(self, request):
        if (r := await self.guard(request, "filter")) is not None:
            return r
        a, e = self.auth(request)
        if e is not None:
            return e
        # API: filter.yaml (POST /user/{userId}/filter) -- only for the caller's own
        # user id (403 M_FORBIDDEN otherwise); returns {"filter_id": ...}.
        if request.match_info["user_id"] != a[1]:
            return err(403, "M_FORBIDDEN", "Cannot create filters for other users")
        try:
            body = await request.json()
        except Exception:
            return err(400, "M_NOT_JSON", "Content not JSON.")
        if not isinstance(body, dict):
            return err(400, "M_BAD_JSON", "filter must be an object")
        # Synapse returns the id of an identical filter the user already has
        # (synapse/storage/databases/main/filtering.py, add_user_filter), so a
        # restarted client asks /sync with the same filter id as before.
        for fid, (owner, f) in self.filter_owner.items():
            if owner == a[1] and f == body:
                return web.json_response({"filter_id": fid})
        fid = str(len(self.filters) + 1)
        self.filters[fid] = body
        self.filter_owner[fid] = (a[1], body)
        return web.json_response({"filter_id": fid})

    async def filter_get(self, request):
        a, e = self.auth(request)
        if e is not None:
            return e
        f = self.filters.get(request.match_info["filter_id"])
        if f is None:
            return err(404, "M_NOT_FOUND", "No such filter")
        return web.json_response(f)

    def resolve_filter(self, request):
        raw = request.query.get("filter")
        if raw is None:
            return {}
        # API: sync.yaml `filter` -- an ID or inline JSON, told apart by a leading "{".
        if raw.startswith("{"):
            try:
                return json.loads(raw)
            except ValueError:
                return None
        return self.filters.get(raw)

    def build_sync(self, since, flt):
        # API: sync.yaml -- next_batch, rooms.join/invite/leave. The token here is
        # "s<stream position>".
        rf = flt.get("room", {}) if isinstance(flt.get("room", {}), dict) else {}
        tl = rf.get("timeline", {}) or {}
        st = rf.get("state", {}) or {}
        limit = tl.get("limit", 10)
        joined, invited, left = {}, {}, {}
        for room in self.rooms.values():
            mem = room.members.get(self.bot)
            my_ev = room.state.get(("m.room.member", self.bot))
            my_pos = next((p for p, ev in room.events if ev is my_ev), 0)
            if mem == "join":
                new = [(p, ev) for p, ev in room.events
                       if p > since and type_match(tl.get("types"), ev["type"])
                       and not (tl.get("not_senders") and ev["sender"] in tl["not_senders"])]
                fresh = my_pos > since   # joined since the last sync (or initial sync)
                if not new and not fresh:
                    continue
                # CS: Syncing -- "limited": more events than the filter's limit
                # happened; only the newest `limit` are returned, with a prev_batch
                # token for /messages (sync.yaml Timeline / timeline_batch.yaml).
                limited = len(new) > limit
                shown = new[-limit:] if limit else []
                first_pos = shown[0][0] if shown else self.pos + 1
                state = []
                if fresh or limited:
                    # State up to the start of the timeline (sync.yaml `state`).
                    seen = set()
                    for p, ev in room.events:
                        if p >= first_pos or "state_key" not in ev:
                            continue
                        if not type_match(st.get("types"), ev["type"]):
                            continue
                        seen.add((ev["type"], ev["state_key"]))
                    state = [room.state[k] for k in seen
                             if room.state[k] not in [e for _, e in shown]]
                jc = sum(1 for m in room.members.values() if m == "join")
                ic = sum(1 for m in room.members.values() if m == "invite")
                joined[room.room_id] = {
                    "summary": {"m.joined_member_count": jc, "m.invited_member_count": ic},
                    "state": {"events": state},
                    "timeline": {"events": [ev for _, ev in shown], "limited": limited,
                                 "prev_batch": "t%d" % (first_pos - 1)},
                    "ephemeral": {"events": []},
                    "account_data": {"events": []},
                    "unread_notifications": {"highlight_count": 0, "notification_count": 0},
                }
            elif mem == "invite" and my_pos > since:
                # sync.yaml Invited Room -- invite_state.events are stripped state
                # events (CS: Stripped state): type, state_key, sender, content.
                strip = []
                for (t, sk), ev in room.state.items():
                    if t in ("m.room.create", "m.room.name", "m.room.encryption",
                             "m.room.join_rules") or (t == "m.room.member" and sk == self.bot):
                        strip.append({"type": t, "state_key": sk, "sender": ev["sender"],
                                      "content": ev["content"]})
                invited[room.room_id] = {"invite_state": {"events": strip}}
            elif mem in ("leave", "ban") and my_pos > since and since > 0:
                # sync.yaml Left Room -- timeline with the membership event.
                left[room.room_id] = {"state": {"events": []},
                                      "timeline": {"events": [my_ev], "limited": False}}
        resp = {"next_batch": "s%d" % self.pos, "rooms": {}}
        if joined:
            resp["rooms"]["join"] = joined
        if invited:
            resp["rooms"]["invite"] = invited
        if left:
            resp["rooms"]["leave"] = left
        # Noise a tolerant client must skip (sync.yaml top-level keys).
        resp["presence"] = {"events": []}
        resp["account_data"] = {"events": []}
        resp["device_one_time_keys_count"] = {"signed_curve25519": 0}
        resp["x.unknown.future_field"] = {"ignore": ["me"]}
        return resp, bool(joined or invited or left)

    async def sync(self, request):
        if (r := await self.guard(request, "sync")) is not None:
            return r
        a, e = self.auth(request)
        if e is not None:
            return e
        flt = self.resolve_filter(request)
        if flt is None:
            return err(400, "M_INVALID_PARAM", "Bad filter")
        since_s = request.query.get("since")
        since = 0
        if since_s is not None:
            if not since_s.startswith("s") or not since_s[1:].isdigit():
                return err(400, "M_INVALID_PARAM", "Bad since token")
            since = int(since_s[1:])
        try:
            timeout = int(request.query.get("timeout", "0"))
        except ValueError:
            return err(400, "M_INVALID_PARAM", "Bad timeout")
        key = (a[1], a[2], since_s, timeout, request.query.get("filter"),
               request.query.get("full_state"))
        if self.sync_cache_ms:
            hit = self.sync_cache.get(key)
            if hit and (time.monotonic() - hit[0]) * 1000 < self.sync_cache_ms:
                self.syncs_returned += 1
                return web.json_response(hit[1])
        # API: sync.yaml `timeout` -- the maximum time to wait; default 0 returns at
        # once. The wait ends early as soon as something for this user happens.
        deadline = time.monotonic() + timeout / 1000.0
        while True:
            resp, has = self.build_sync(since, flt)
            left = deadline - time.monotonic()
            if has or left <= 0 or since == 0:
                # Synapse does not cache an empty response ("Don't cache empty
                # responses" in _wait_for_sync_for_user): a client repeating a
                # timed-out request waits again instead of spinning.
                if self.sync_cache_ms and has:
                    self.sync_cache[key] = (time.monotonic(), resp)
                self.syncs_returned += 1
                return web.json_response(resp)
            async with self.cond:
                try:
                    await asyncio.wait_for(self.cond.wait(), timeout=left)
                except asyncio.TimeoutError:
                    pass

    async def join(self, request):
        if (r := await self.guard(request, "join")) is not None:
            return r
        a, e = self.auth(request)
        if e is not None:
            return e
        target = request.match_info["room"]
        room_id = self.aliases.get(target, target)
        room = self.rooms.get(room_id)
        if room is None:
            return err(404, "M_NOT_FOUND", "No known servers")
        # Synapse can deliver the invite before the join is possible (synapse#4345);
        # the fixture emulates that with a 403 for the next N attempts.
        if self.join_fail > 0:
            self.join_fail -= 1
            return err(403, "M_FORBIDDEN", "You are not invited to this room.")
        # API: joining.yaml (POST /join/{roomIdOrAlias}) -- 403 when not invited to a
        # non-public room or banned; 200 {"room_id": ...}.
        mem = room.members.get(a[1])
        public = room.state.get(("m.room.join_rules", ""), {}).get("content", {}).get("join_rule") == "public"
        if mem == "ban" or (mem not in ("invite", "join") and not public):
            return err(403, "M_FORBIDDEN", "You are not invited to this room.")
        if mem != "join":
            await self.append(room, {"type": "m.room.member", "state_key": a[1], "sender": a[1],
                                     "content": {"membership": "join"}})
        return web.json_response({"room_id": room_id})

    async def send(self, request):
        t_put = time.monotonic()
        if (r := await self.guard(request, "send")) is not None:
            return r
        a, e = self.auth(request)
        if e is not None:
            return e
        room_id = request.match_info["room_id"]
        etype = request.match_info["type"]
        txn = request.match_info["txn"]
        # CS: Transaction identifiers -- the same txnId on the same endpoint from the
        # same device returns the same response and is processed once (v1.7,
        # MSC3970). Before v1.7 the scope was the access token ("client session"),
        # which is what Synapse keeps: a new login on the same device starts a
        # new scope. A test picks that with /_test/sync_cache {"txn_scope": "token"}.
        key = (a[0] if self.txn_scope == "token" else a[2], request.path)
        if key in self.txns:
            return web.json_response(self.txns[key])
        room = self.rooms.get(room_id)
        if room is None or room.members.get(a[1]) != "join":
            return err(403, "M_FORBIDDEN", "User not in room")
        try:
            content = await request.json()
        except Exception:
            return err(400, "M_NOT_JSON", "Content not JSON.")
        if not isinstance(content, dict):
            return err(400, "M_BAD_JSON", "content must be an object")
        ev = await self.append(room, {"type": etype, "sender": a[1], "content": content})
        # API: room_send.yaml -- 200 {"event_id": ...}
        resp = {"event_id": ev["event_id"]}
        self.txns[key] = resp
        self.sent.append({"room_id": room_id, "event_id": ev["event_id"], "txn_id": txn,
                          "type": etype, "content": content, "t": time.monotonic(),
                          "t_put": t_put})
        # Fault "send_after": the event is stored but the response is lost (a
        # proxy's 502), the case transaction ids exist for.
        f = self.take_fault("send_after")
        if f is not None:
            return await self.fault_response(f)
        return web.json_response(resp)

    async def messages(self, request):
        # API: message_pagination.yaml -- GET /rooms/{roomId}/messages with dir
        # (required, b|f), from and to (tokens from /sync's prev_batch or
        # next_batch, or an earlier `end`), limit (default 10) and filter (a
        # RoomEventFilter as JSON). 200 {start, chunk, end?}: chunk newest first
        # for dir=b; `end` is omitted when no further events are available.
        if (r := await self.guard(request, "messages")) is not None:
            return r
        a, e = self.auth(request)
        if e is not None:
            return e
        room = self.rooms.get(request.match_info["room_id"])
        if room is None or room.members.get(a[1]) != "join":
            return err(403, "M_FORBIDDEN", "You aren't a member of the room.")
        q = request.query
        d = q.get("dir")
        if d not in ("b", "f"):
            return err(400, "M_INVALID_PARAM", "dir must be b or f")

        def pos(tok, default):
            # Tokens here are "s<pos>" (sync) or "t<pos>" (timeline/pagination):
            # the stream position just after which they point.
            if tok is None:
                return default
            if len(tok) < 2 or tok[0] not in "st" or not tok[1:].isdigit():
                raise ValueError(tok)
            return int(tok[1:])
        try:
            limit = int(q.get("limit", "10"))
            frm = pos(q.get("from"), self.pos if d == "b" else 0)
            to = pos(q.get("to"), 0 if d == "b" else self.pos)
            flt = json.loads(q["filter"]) if "filter" in q else {}
        except (ValueError, TypeError):
            return err(400, "M_INVALID_PARAM", "bad from, to, limit or filter")
        if limit < 0 or not isinstance(flt, dict):
            return err(400, "M_INVALID_PARAM", "bad limit or filter")
        self.message_requests.append({"room_id": room.room_id, "dir": d, "from": q.get("from"),
                                      "to": q.get("to"), "limit": limit, "filter": flt})
        if d == "b":
            span = [(p, ev) for p, ev in reversed(room.events) if to < p <= frm]
        else:
            span = [(p, ev) for p, ev in room.events if frm < p <= to]
        span = [(p, ev) for p, ev in span if type_match(flt.get("types"), ev["type"])]
        page = span[:limit]
        resp = {"start": q.get("from") or "t%d" % frm, "chunk": [ev for _, ev in page]}
        if len(span) > len(page):
            last = page[-1][0] if page else frm
            resp["end"] = "t%d" % (last - 1 if d == "b" else last)
        return web.json_response(resp)

    async def not_found(self, request):
        # CS: Unsupported Endpoints -- 404 M_UNRECOGNIZED.
        self.requests.append(("other", time.monotonic(), request.method))
        return err(404, "M_UNRECOGNIZED", "Unrecognized request")

    # -- control API ---------------------------------------------------------
    async def c_room(self, request):
        b = await request.json()
        room_id = b.get("room_id") or "!%s:%s" % (secrets.token_hex(6), SERVER)
        room = self.get_room(room_id)
        creator = b.get("creator", "@alice:test")
        await self.append(room, {"type": "m.room.create", "state_key": "", "sender": creator,
                                 "content": {"room_version": "10"}})
        for u in [creator] + b.get("members", []):
            await self.append(room, {"type": "m.room.member", "state_key": u, "sender": u,
                                     "content": {"membership": "join", "displayname": u[1:].split(":")[0]}})
        if b.get("encrypted"):
            # MOD end_to_end_encryption: m.room.encryption state enables encryption.
            await self.append(room, {"type": "m.room.encryption", "state_key": "", "sender": creator,
                                     "content": {"algorithm": "m.megolm.v1.aes-sha2"}})
        if b.get("join_bot"):
            await self.append(room, {"type": "m.room.member", "state_key": self.bot,
                                     "sender": self.bot, "content": {"membership": "join"}})
        if b.get("alias"):
            self.aliases[b["alias"]] = room_id
        return web.json_response({"room_id": room_id})

    async def c_invite(self, request):
        b = await request.json()
        room = self.rooms[b["room_id"]]
        # CS: Room membership / API: inviting.yaml -- an m.room.member invite event
        # whose sender is the inviter.
        await self.append(room, {"type": "m.room.member", "state_key": b.get("user", self.bot),
                                 "sender": b.get("inviter", "@alice:test"),
                                 "content": {"membership": "invite"}})
        return web.json_response({})

    async def c_member(self, request):
        b = await request.json()
        room = self.rooms[b["room_id"]]
        await self.append(room, {"type": "m.room.member", "state_key": b["user"],
                                 "sender": b.get("by", b["user"]),
                                 "content": {"membership": b["membership"]}})
        return web.json_response({})

    async def c_message(self, request):
        b = await request.json()
        room = self.rooms[b["room_id"]]
        if "content" in b:
            content = b["content"]
        else:
            # MOD instant_messaging: m.room.message msgtypes m.text / m.notice with
            # body and optional format + formatted_body.
            content = {"msgtype": b.get("msgtype", "m.text"), "body": b["body"]}
            if "formatted_body" in b:
                content["format"] = "org.matrix.custom.html"
                content["formatted_body"] = b["formatted_body"]
        ev = await self.append(room, {"type": b.get("type", "m.room.message"),
                                      "sender": b.get("sender", "@alice:test"), "content": content})
        return web.json_response({"event_id": ev["event_id"]})

    async def c_messages(self, request):
        b = await request.json()
        room = self.rooms[b["room_id"]]
        ids = []
        for m in b["messages"]:
            ev = await self.append(room, {"type": "m.room.message", "sender": m.get("sender", "@alice:test"),
                                          "content": {"msgtype": "m.text", "body": m["body"]}})
            ids.append(ev["event_id"])
        return web.json_response({"event_ids": ids})

    async def c_sent(self, request):
        return web.json_response({"sent": [{k: v for k, v in s.items() if k not in ("t", "t_put")}
                                           for s in self.sent]})

    async def c_fault(self, request):
        b = await request.json()
        b.setdefault("count", 1)
        self.faults.append(b)
        return web.json_response({})

    async def c_join_fail(self, request):
        b = await request.json()
        self.join_fail = b.get("count", 1)
        return web.json_response({})

    async def c_stats(self, request):
        now = time.monotonic()
        return web.json_response({
            "requests": [{"endpoint": k, "ago": now - t, "method": m} for k, t, m in self.requests],
            "sent_times": [now - s["t"] for s in self.sent],
            "logins": self.login_count, "pos": self.pos,
            "syncs_returned": self.syncs_returned,
            "filters": self.filters,
            "message_requests": self.message_requests,
        })

    async def c_sync_cache(self, request):
        body = await request.json()
        self.sync_cache_ms = int(body.get("ms", 120000))
        self.txn_scope = body.get("txn_scope", self.txn_scope)
        return web.json_response({})

    async def c_latency(self, request):
        # Benchmarks: ms from a message becoming visible to /sync to the PUT of
        # its reply arriving here (includes this fixture's own overhead).
        out = []
        for snt in self.sent:
            irt = snt["content"].get("m.relates_to", {}).get("m.in_reply_to", {}).get("event_id")
            if irt in self.avail:
                out.append((snt["t_put"] - self.avail[irt]) * 1000.0)
        return web.json_response({"latency_ms": out})

    async def c_revoke(self, request):
        self.tokens.clear()
        return web.json_response({})

    async def c_token(self, request):
        # Pre-issue a token, as an operator would with an access_token config.
        b = await request.json()
        tok = b.get("token") or "syt_" + secrets.token_urlsafe(24)
        self.tokens[tok] = (self.bot, b.get("device_id", "PREISSUED"))
        return web.json_response({"token": tok})

    async def c_down(self, request):
        b = await request.json()
        asyncio.get_running_loop().create_task(self.go_down(float(b["seconds"])))
        return web.json_response({})

    async def go_down(self, seconds):
        # Stop listening entirely (connection refused), and cut open long-polls.
        await self.api_site.stop()
        await self.api_runner.cleanup()
        await asyncio.sleep(seconds)
        await self.start_api(self.api_port, self.api_host)

    def api_app(self):
        app = web.Application(client_max_size=1024 * 1024)
        p = "/_matrix/client/v3"
        app.router.add_post(p + "/login", self.login)
        app.router.add_get(p + "/account/whoami", self.whoami)
        app.router.add_get(p + "/joined_rooms", self.joined_rooms)
        app.router.add_post(p + "/user/{user_id}/filter", self.filter_post)
        app.router.add_get(p + "/user/{user_id}/filter/{filter_id}", self.filter_get)
        app.router.add_get(p + "/sync", self.sync)
        app.router.add_post(p + "/join/{room}", self.join)
        app.router.add_put(p + "/rooms/{room_id}/send/{type}/{txn}", self.send)
        app.router.add_get(p + "/rooms/{room_id}/messages", self.messages)
        app.router.add_route("*", "/{tail:.*}", self.not_found)
        return app

    async def start_api(self, port, host="127.0.0.1"):
        self.api_host = host
        self.api_runner = web.AppRunner(self.api_app(), access_log=None)
        await self.api_runner.setup()
        self.api_site = web.TCPSite(self.api_runner, host, port, reuse_address=True)
        await self.api_site.start()
        self.api_port = self.api_site._server.sockets[0].getsockname()[1]


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--user", default="@scobot:test")
    ap.add_argument("--password", default="hunter2")
    # Another loopback address for the API (the control port stays on
    # 127.0.0.1): plain http is allowed to all of 127.0.0.0/8.
    ap.add_argument("--host", default="127.0.0.1")
    args = ap.parse_args()
    hs = Homeserver(args.user, args.password)
    await hs.start_api(0, args.host)
    ctl = web.Application()
    for path, fn in [("room", hs.c_room), ("invite", hs.c_invite), ("member", hs.c_member),
                     ("message", hs.c_message), ("messages", hs.c_messages),
                     ("fault", hs.c_fault), ("join_fail", hs.c_join_fail),
                     ("revoke", hs.c_revoke), ("token", hs.c_token), ("down", hs.c_down),
                     ("sync_cache", hs.c_sync_cache)]:
        ctl.router.add_post("/_test/" + path, fn)
    ctl.router.add_get("/_test/sent", hs.c_sent)
    ctl.router.add_get("/_test/stats", hs.c_stats)
    ctl.router.add_get("/_test/latency", hs.c_latency)
    runner = web.AppRunner(ctl, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    cport = site._server.sockets[0].getsockname()[1]
    print("PORTS %d %d" % (hs.api_port, cport), flush=True)
    while True:
        await asyncio.sleep(3600)


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
