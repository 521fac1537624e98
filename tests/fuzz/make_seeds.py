#!/usr/bin/python3
"""make_seeds.py: writes the hand-made seed inputs of tests/fuzz/corpus/; it
must not be run by the build or tests (the seeds are committed, including the
binary zlib-stream ones, so CI needs neither Python nor zlib to replay them).

Run from the repository root after changing a harness's input format:
    /usr/bin/python3 tests/fuzz/make_seeds.py [MANIFEST_JSON]
Files it writes are named seed-*; entries that libFuzzer found are named by
their SHA-1 and are left alone.

Payload shapes follow the official documents: discord/discord-api-docs
developers/events/gateway-events.mdx ("Hello", "Ready", "Message Create",
"Interaction Create", "Reconnect", "Invalid Session"), developers/events/
gateway.mdx ("Transport Compression": zlib-stream, each message ends with the
Z_SYNC_FLUSH suffix 00 00 ff ff), developers/topics/rate-limits.mdx ("Header
Format", "Exceeding A Rate Limit") and matrix-org/matrix-spec
data/api/client-server/sync.yaml (the /sync response example).
"""
import json
import os
import shutil
import sys
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(ROOT, "tests", "fuzz", "corpus")
RS = b"\x1e"


def put(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


def j(obj):
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


# ---- hostile text shared by several targets --------------------------------
LONG2000 = "sg " + "x" * 1997
LONG4000 = "who " + ("secretary general " * 250)[:3996]
RTL = "sg \u202e1102\u202c and \u2066isolate\u2069"
COMBINING = "sg " + "a" + "\u0301" * 600
EVERYONE = "@everyone @here <@123456789012345678> <@&987654321098765432> sg 2011"
HTML = "<script>alert(1)</script><a href='x'>&amp;</a> \" ' sg"
MARKDOWN = "**bold** __u__ ~~s~~ `code` ||spoiler|| [link](https://evil.example) # h > q"
LINKS = "help https://evil.example/x //double http://a"


def engine():
    qs = {
        "help": "help", "help-sg": "help sg", "about": "about", "source": "source",
        "sg": "sg", "sg-2011": "sg 2011", "sg-1999": "sg 1999", "sg-2030": "sg 2030",
        "sg-country": "sg kazakhstan", "sg-name": "sg norov", "sgs": "sgs",
        "opened": "opened", "fact": "fact staff.officials", "find": "find departments",
        "lang": "lang ru", "lang-show": "lang", "lang-bad": "lang klingon",
        "unknown": "sgg 2011", "question-en": "who was the secretary general in 2011?",
        "question-first": "who was the first secretary general of the sco",
        "question-ru": "кто был генеральным секретарём в 2011 году?",
        "command-ru": "генсек 2011", "command-zh": "秘书长 2011",
        "question-zh": "上合组织第一任秘书长是谁", "prefixed": "!sco sg 2011",
        "prefixed-upper": "!SCO   help", "empty": "", "spaces": "   \t  ",
        "long-2000": LONG2000, "long-4000": LONG4000, "rtl": RTL, "combining": COMBINING,
        "everyone": EVERYONE, "html": HTML, "markdown": MARKDOWN, "links": LINKS,
        "find-html": "find <b>x</b> @everyone", "fact-html": "fact <img src=x onerror=y>",
        "help-injection": "help **x** @here",
    }
    for name, q in qs.items():
        put("engine", name, q)
    put("engine", "invalid-utf8", b"sg \xff\xfe \xc3\x28 \xe2\x82 \xf0\x9f\x98")
    put("engine", "lone-surrogate", b"sg \xed\xa0\x80 2011")
    put("engine", "overlong", b"sg \xc0\xaf\xe0\x80\xaf 2011")
    put("engine", "nul", b"sg\x002011\x00@everyone")
    put("engine", "long-5000", ("find " + "\u0416" * 2500).encode())


def facts():
    src = os.path.join(ROOT, "facts")
    for name in sorted(os.listdir(src)):
        if name.endswith(".json"):
            shutil.copyfile(os.path.join(src, name),
                            os.path.join(CORPUS, "facts", "seed-" + name))
    put("facts", "deep-nesting", '{"people":' + "[" * 5000 + "]" * 5000 + "}")
    put("facts", "huge-numbers",
        j({"secretaries_general": [{"person": "x", "from": 1e308, "to": -1e308,
                                    "order": 18446744073709551616}],
           "office": {"term_years": 1e308, "renewable": False}}))
    put("facts", "lone-surrogate",
        '{"people":[{"id":"a\\ud800","name":{"en":"\\udc00","ru":"x","zh":"x"}}]}')
    put("facts", "nul-escape",
        '{"countries":[{"id":"kz\\u0000x","name":{"en":"a\\u0000b","ru":"x","zh":"x"},'
        '"short_name":{"en":"x","ru":"x","zh":"x"}}]}')
    put("facts", "invalid-utf8", b'{"sources":[{"id":"x","document":"\xff\xfe\xc3\x28",'
        b'"publisher":"\xed\xa0\x80"}]}')
    put("facts", "duplicate-person",
        j({"people": [{"id": "li-zhaoxing", "name": {"en": "A", "ru": "A", "zh": "A"}}]}))
    put("facts", "truncated", '{"facts":[{"id":"x","text":{"en":"abc')
    put("facts", "wrong-types", j({"facts": {"id": 1}, "people": "x", "opening": [],
                                   "sources": {"id": 5}, "office": {"term_years": "3"},
                                   "secretaries_general": [{"from": [2019], "to": {},
                                                            "sources": "x"}]}))
    put("facts", "empty", "")
    put("facts", "html-in-text",
        j({"facts": [{"id": "zz.html", "topic": "zz",
                      "text": {"en": "<script>@everyone</script>", "ru": "**x**", "zh": "[a](b)"},
                      "keywords": {"en": ["html"], "ru": ["html"], "zh": ["html"]},
                      "source": "s01"}]}))


def config():
    shutil.copyfile(os.path.join(ROOT, "config", "scobot.conf.example"),
                    os.path.join(CORPUS, "config", "seed-scobot.conf.example"))
    put("config", "valid",
        "[general]\nprefix = !sco\nstate_dir = /var/lib/scobot\n\n[log]\nlevel = info\n\n"
        "[discord]\ntoken_file = /etc/scobot/discord-token\nshards = auto\ncompress = yes\n\n"
        "[matrix]\nhomeserver = https://matrix.example.org\nuser_id = @scobot:example.org\n"
        "auto_join = @admin:example.org, !room:example.org\n\n"
        "[room discord:123456789012345678]\nlang = ru\n\n[room matrix:!abc:example.org]\nlang = zh\n")
    put("config", "inline-secret",
        "[discord]\ntoken = MTIzNDU2Nzg5MDEyMzQ1Njc4.Gabcde.SECRETSECRETSECRET with space\n")
    put("config", "bad-values",
        "[general]\nprefix =\n[log]\nlevel = loud\n[discord]\nshards = 99999999999999999999\n")
    put("config", "repeated", "[general]\nprefix = a\nprefix = b\n[general]\n")
    put("config", "unknown", "[nope]\nx = 1\n[general]\nunknown_key = 1\n")
    put("config", "long-line", "[general]\nprefix = " + "p" * 400 + "\n")
    put("config", "nul", b"[general]\nprefix = a\x00b\n[log]\nlevel = info\n")
    put("config", "no-newline", "[matrix]\nhomeserver = http://127.0.0.1:8008")
    put("config", "http-remote", "[matrix]\nhomeserver = http://evil.example\n"
        "access_token = syt_c2NvYm90_AAAAAAAAAAAAAAAAAAAA_000000\n")
    put("config", "rooms", "".join("[room discord:%d]\nlang = en\n" % (10**17 + i)
                                   for i in range(40)) + "[room discord:x]\n[room irc:1]\n")
    put("config", "continuation", "[general]\nprefix = !sco\n  indented = 1\n;c\n#c\n\r\n")
    put("config", "invalid-utf8", b"[general]\nprefix = \xff\xfe\n[\xc3\x28]\n")


# ---- Discord gateway --------------------------------------------------------
HELLO = {"op": 10, "d": {"heartbeat_interval": 41250}, "s": None, "t": None}
READY = {"op": 0, "s": 1, "t": "READY", "d": {
    "v": 10, "user": {"id": "111111111111111111", "username": "scobot", "bot": True},
    "guilds": [{"id": "222222222222222222", "unavailable": True}],
    "session_id": "a3f9c1d2e4b5", "resume_gateway_url": "wss://gateway-us-east1-b.discord.gg",
    "shard": [0, 1], "application": {"id": "333333333333333333", "flags": 0}}}


def message(content, seq=2, mid="444444444444444444", **extra):
    d = {"id": mid, "channel_id": "555555555555555555", "guild_id": "222222222222222222",
         "author": {"id": "666666666666666666", "username": "user", "bot": False},
         "content": content, "timestamp": "2024-01-15T10:00:00.000000+00:00",
         "type": 0, "mentions": [], "mention_everyone": False}
    d.update(extra)
    return {"op": 0, "s": seq, "t": "MESSAGE_CREATE", "d": d}


def interaction(sub, options, itype=2, seq=3):
    return {"op": 0, "s": seq, "t": "INTERACTION_CREATE", "d": {
        "id": "777777777777777777", "application_id": "333333333333333333", "type": itype,
        "token": "aW50ZXJhY3Rpb24tdG9rZW4", "version": 1, "locale": "ru",
        "channel_id": "555555555555555555", "guild_id": "222222222222222222",
        "member": {"user": {"id": "666666666666666666"}},
        "data": {"id": "888888888888888888", "name": "sco", "type": 1, "options": [
            {"type": 1, "name": sub, "options": options}]}}}


def zframes(payloads, split=False):
    """One zlib context for the connection, each payload ends in a sync flush."""
    c = zlib.compressobj()
    out = b""
    for p in payloads:
        out += c.compress(p.encode("utf-8", "surrogatepass")) + c.flush(zlib.Z_SYNC_FLUSH)
    return out


def gateway():
    seq = [j(HELLO), j(READY), j(message("!sco sg 2011")),
           j(interaction("sg", [{"type": 3, "name": "query", "value": "2011"}])),
           j({"op": 11}), j({"op": 7, "d": None}), j({"op": 9, "d": True})]
    put("discord_gateway", "hello", j(HELLO))
    put("discord_gateway", "session", RS.join(s.encode() for s in seq))
    put("discord_gateway", "ready", RS.join([j(HELLO).encode(), j(READY).encode()]))
    put("discord_gateway", "message", RS.join([j(HELLO).encode(), j(READY).encode(),
                                              j(message("!sco help")).encode()]))
    put("discord_gateway", "interaction", RS.join([
        j(HELLO).encode(), j(READY).encode(),
        j(interaction("ask", [{"type": 3, "name": "question", "value": "who is sg?"}])).encode(),
        j(interaction("sg", [{"type": 3, "name": "query", "value": "kaz", "focused": True}],
                      itype=4)).encode()]))
    put("discord_gateway", "op7-reconnect", RS.join([j(HELLO).encode(), j(READY).encode(),
                                                    j({"op": 7, "d": None}).encode(),
                                                    j(HELLO).encode(),
                                                    j({"op": 0, "s": 5, "t": "RESUMED",
                                                       "d": {}}).encode()]))
    put("discord_gateway", "op9-invalid", RS.join([j(HELLO).encode(),
                                                  j({"op": 9, "d": False}).encode(),
                                                  j(HELLO).encode(), j(READY).encode()]))
    for code in (1000, 4000, 4004, 4007, 4009, 4014):
        put("discord_gateway", "close-%d" % code, RS.join([
            j(HELLO).encode(), j(READY).encode(), b"CLOSE %d" % code, j(HELLO).encode(),
            j({"op": 0, "s": 2, "t": "RESUMED", "d": {}}).encode(), j(READY).encode()]))
    put("discord_gateway", "op1-heartbeat-request",
        RS.join([j(HELLO).encode(), j(READY).encode(), j({"op": 1, "d": None}).encode()]))
    hostile = [
        ("long-2000", message("!sco " + "x" * 1995)),
        ("long-4000", message("!sco find " + "\u0416" * 3990)),
        ("everyone", message("!sco " + EVERYONE, mention_everyone=True)),
        ("rtl", message("!sco " + RTL)),
        ("combining", message("!sco " + COMBINING)),
        ("html", message("!sco " + HTML)),
        ("mention-self", message("<@111111111111111111> sg 2011",
                                 mentions=[{"id": "111111111111111111"}])),
        ("bot-author", message("!sco sg", author={"id": "1", "bot": True})),
        ("wrong-types", {"op": 0, "s": "1", "t": 5, "d": {"id": 1, "channel_id": [],
                                                          "author": "x", "content": {}}}),
        ("huge-seq", {"op": 0, "s": 1e308, "t": "READY", "d": None}),
        ("negative-interval", {"op": 10, "d": {"heartbeat_interval": -1}}),
        ("huge-interval", {"op": 10, "d": {"heartbeat_interval": 1e300}}),
    ]
    for name, p in hostile:
        put("discord_gateway", name, RS.join([j(HELLO).encode(), j(READY).encode(),
                                              j(p).encode()]))
    put("discord_gateway", "lone-surrogate", RS.join([
        j(HELLO).encode(), j(READY).encode(),
        j(message("!sco sg X")).replace("sg X", "sg \\ud800\\udbff x").encode()]))
    put("discord_gateway", "nul-escape", RS.join([
        j(HELLO).encode(), j(READY).encode(),
        j(message("!sco sg X")).replace("sg X", "sg \\u0000 2011").encode()]))
    put("discord_gateway", "invalid-utf8", RS.join([
        j(HELLO).encode(), j(READY).encode(),
        j(message("!sco sg X")).encode().replace(b"sg X", b"sg \xff\xc3\x28")]))
    put("discord_gateway", "deep-nesting",
        '{"op":0,"s":2,"t":"MESSAGE_CREATE","d":' + "[" * 3000 + "]" * 3000 + "}")
    put("discord_gateway", "not-json", "GET / HTTP/1.1\r\n\r\n")
    # zlib-stream: whole session, and a bomb that inflates past ZSTREAM_MAX_OUTPUT.
    put("discord_gateway", "z-session", zframes(seq))
    put("discord_gateway", "z-hello", zframes([j(HELLO)]))
    put("discord_gateway", "z-long-message",
        zframes([j(HELLO), j(READY), j(message("!sco find " + "\u0416" * 3990))]))
    c = zlib.compressobj(9)
    bomb = c.compress(b'{"op":0,"s":2,"t":"X","d":"' + b" " * (9 << 20))
    bomb += c.compress(b'"}') + c.flush(zlib.Z_SYNC_FLUSH)
    put("discord_gateway", "z-bomb", bomb)
    corrupt = bytearray(zframes([j(HELLO), j(READY)]))
    corrupt[12] ^= 0xFF
    put("discord_gateway", "z-corrupt", bytes(corrupt))
    put("discord_gateway", "z-finished-stream",
        zlib.compress(j(HELLO).encode()) + b"\x00\x00\xff\xff")


# ---- Discord REST -----------------------------------------------------------
def rest(manifest):
    def resp(status, headers, body=""):
        h = "".join("%s: %s\n" % kv for kv in headers)
        return ("%d\n%s\n%s" % (status, h, body)).encode()

    ok = resp(200, [("X-RateLimit-Limit", "5"), ("X-RateLimit-Remaining", "4"),
                    ("X-RateLimit-Reset-After", "1.000"),
                    ("X-RateLimit-Bucket", "abcd1234"), ("Content-Type", "application/json")],
              '{"id":"999999999999999999"}')
    last = resp(200, [("X-RateLimit-Limit", "5"), ("X-RateLimit-Remaining", "0"),
                      ("X-RateLimit-Reset-After", "2.5"), ("X-RateLimit-Bucket", "abcd1234")])
    r429 = resp(429, [("X-RateLimit-Limit", "5"), ("X-RateLimit-Remaining", "0"),
                      ("X-RateLimit-Reset-After", "0.5"), ("X-RateLimit-Bucket", "abcd1234"),
                      ("X-RateLimit-Scope", "user"), ("Retry-After", "1")],
                '{"message":"You are being rate limited.","retry_after":0.5,"global":false}')
    g429 = resp(429, [("X-RateLimit-Global", "true"), ("X-RateLimit-Scope", "global"),
                      ("Retry-After", "2")],
                '{"message":"You are being rate limited.","retry_after":1.5,"global":true}')
    s429 = resp(429, [("X-RateLimit-Scope", "shared"), ("Retry-After", "3")],
                '{"message":"shared","retry_after":3,"global":false}')
    cf429 = resp(429, [("Retry-After", "10"), ("Content-Type", "text/html")],
                 "<html><body>Error 1015 You are being rate limited</body></html>")
    put("discord_rest", "ok", ok)
    put("discord_rest", "bucket-exhausted", RS.join([ok, last, ok, ok]))
    put("discord_rest", "429-route", RS.join([ok, r429, ok]))
    put("discord_rest", "429-global", RS.join([g429, ok, ok]))
    put("discord_rest", "429-shared", RS.join([s429, ok]))
    put("discord_rest", "429-cloudflare", RS.join([cf429, ok]))
    put("discord_rest", "401-stops", RS.join([ok, resp(401, [], '{"message":"401: Unauthorized",'
                                                          '"code":0}'), ok]))
    put("discord_rest", "403-500", RS.join([resp(403, [], '{"code":50013}'),
                                            resp(500, [], "oops"), resp(502, [], "")]))
    put("discord_rest", "weird-headers", RS.join([
        resp(200, [("X-RateLimit-Limit", "-1"), ("X-RateLimit-Remaining", "1e300"),
                   ("X-RateLimit-Reset-After", "nan"), ("X-RateLimit-Bucket", "b" * 200)]),
        resp(429, [("Retry-After", "1e9"), ("X-RateLimit-Reset-After", "inf")],
             '{"retry_after":1e308}'),
        resp(429, [("X-Fuzz-Elapsed", "600000")], '{"retry_after":-5,"global":"yes"}')]))
    put("discord_rest", "many-buckets", RS.join(
        resp(200, [("X-RateLimit-Bucket", "hash%d" % i), ("X-RateLimit-Remaining", "0"),
                   ("X-RateLimit-Reset-After", "60"), ("X-Fuzz-Elapsed", "5")])
        for i in range(80)))
    if manifest:
        put("discord_rest", "commands-equal", resp(200, [], manifest))
        m = json.loads(manifest)
        m[0]["options"] = m[0]["options"][:-1]
        put("discord_rest", "commands-differ", resp(200, [], j(m)))
    put("discord_rest", "commands-wrong-types",
        resp(200, [], '[{"name":1,"options":{"a":[]}},null,[],"x"]'))


# ---- Matrix /sync -------------------------------------------------------------
ME = "@scobot:example.org"


def ev_msg(eid, body, sender="@alice:example.org", **content):
    c = {"msgtype": "m.text", "body": body}
    c.update(content)
    return {"type": "m.room.message", "event_id": eid, "sender": sender,
            "origin_server_ts": 1432735824653, "content": c, "unsigned": {"age": 1234}}


def sync(batch, join=None, invite=None, leave=None):
    rooms = {}
    if join:
        rooms["join"] = join
    if invite:
        rooms["invite"] = invite
    if leave:
        rooms["leave"] = leave
    return j({"next_batch": batch, "rooms": rooms, "presence": {"events": []},
              "account_data": {"events": []}})


def joined(events, limited=False, state=None, members=2):
    return {"summary": {"m.joined_member_count": members, "m.heroes": ["@alice:example.org"]},
            "state": {"events": state or []},
            "timeline": {"events": events, "limited": limited, "prev_batch": "t34-23535_0_0"},
            "ephemeral": {"events": []}, "account_data": {"events": []}}


def matrix():
    room = "!726s6s6q:example.com"
    first = sync("s72594_4483_1934", join={room: joined([ev_msg("$old:example.com", "!sco help")])})
    second = sync("s72595_4483_1935", join={room: joined([ev_msg("$e1:example.com", "!sco sg 2011")])})
    put("matrix_sync", "spec-example", first)
    put("matrix_sync", "two-syncs", RS.join([first.encode(), second.encode()]))
    invite = sync("s1", invite={"!inv:example.org": {"invite_state": {"events": [
        {"type": "m.room.name", "state_key": "", "sender": "@alice:example.org",
         "content": {"name": "Room"}},
        {"type": "m.room.member", "state_key": ME, "sender": "@alice:example.org",
         "content": {"membership": "invite"}}]}}})
    put("matrix_sync", "invite", RS.join([first.encode(), invite.encode(), second.encode()]))
    leave = sync("s2", leave={room: {"timeline": {"events": [
        {"type": "m.room.member", "state_key": ME, "sender": "@alice:example.org",
         "event_id": "$k", "content": {"membership": "leave"}}]}}})
    put("matrix_sync", "leave", RS.join([first.encode(), leave.encode()]))
    limited = sync("s3", join={room: joined([ev_msg("$e2:example.com", "!sco sgs")], limited=True)})
    put("matrix_sync", "limited-gap", RS.join([first.encode(), limited.encode()]))
    enc = sync("s4", join={room: joined([
        {"type": "m.room.encrypted", "event_id": "$c", "sender": "@alice:example.org",
         "content": {"algorithm": "m.megolm.v1.aes-sha2", "ciphertext": "AwgAEn"}}],
        state=[{"type": "m.room.encryption", "state_key": "", "event_id": "$s",
                "sender": "@alice:example.org", "content": {"algorithm": "m.megolm.v1.aes-sha2"}}])})
    put("matrix_sync", "encrypted", RS.join([first.encode(), enc.encode()]))
    reply = sync("s5", join={room: joined([ev_msg(
        "$e3:example.com", "> <@bob:example.org> earlier\n> more\n\n!sco sg 2011",
        format="org.matrix.custom.html",
        formatted_body="<mx-reply><blockquote>earlier</blockquote></mx-reply>!sco sg 2011",
        **{"m.relates_to": {"m.in_reply_to": {"event_id": "$prev:example.org"}},
           "m.mentions": {"user_ids": [ME]}})])})
    put("matrix_sync", "reply-fallback", RS.join([first.encode(), reply.encode()]))
    edit = sync("s6", join={room: joined([ev_msg("$e4", "* !sco sg", **{
        "m.new_content": {"msgtype": "m.text", "body": "!sco sg"},
        "m.relates_to": {"rel_type": "m.replace", "event_id": "$e1:example.com"}})])})
    put("matrix_sync", "edit", RS.join([first.encode(), edit.encode()]))
    hostile = [
        ("long-4000", "!sco find " + "\u0416" * 3990),
        ("everyone", "!sco " + EVERYONE + " @room"),
        ("html", "!sco " + HTML), ("rtl", "!sco " + RTL), ("combining", "!sco " + COMBINING),
        ("markdown", "!sco " + MARKDOWN),
    ]
    for name, body in hostile:
        s = sync("s7", join={room: joined([ev_msg("$h:example.com", body)])})
        put("matrix_sync", name, RS.join([first.encode(), s.encode()]))
    s = sync("s8", join={room: joined([ev_msg("$h:example.com", "!sco X")])})
    put("matrix_sync", "lone-surrogate",
        RS.join([first.encode(), s.replace("!sco X", "!sco \\ud800 \\udfff").encode()]))
    put("matrix_sync", "nul-escape",
        RS.join([first.encode(), s.replace("!sco X", "!sco sg\\u00002011").encode()]))
    put("matrix_sync", "invalid-utf8",
        RS.join([first.encode(), s.encode().replace(b"!sco X", b"!sco \xff\xc3\x28")]))
    put("matrix_sync", "wrong-types", RS.join([first.encode(), j({
        "next_batch": "s9", "rooms": {"join": {room: {"timeline": {"events": [
            5, None, "x", {"type": 1, "event_id": [], "sender": {}, "content": "body"},
            {"type": "m.room.message", "event_id": "$x", "sender": "@a:b",
             "content": {"msgtype": "m.text", "body": 7}}], "limited": "yes"},
            "summary": {"m.joined_member_count": "2"}}, "!bad": [], "": {}},
            "invite": [], "leave": 3}}).encode()]))
    put("matrix_sync", "no-next-batch", j({"rooms": {}}))
    put("matrix_sync", "next-batch-number", j({"next_batch": 5}))
    put("matrix_sync", "errors", RS.join([
        b'429 {"errcode":"M_LIMIT_EXCEEDED","error":"Too many requests","retry_after_ms":2000}',
        b'401 {"errcode":"M_UNKNOWN_TOKEN","error":"Invalid access token passed.","soft_logout":true}',
        b"502 <html>bad gateway</html>", first.encode(),
        b'500 {"errcode":"M_UNKNOWN"}', second.encode()]))
    put("matrix_sync", "deep-nesting", '{"next_batch":"s","rooms":' + "[" * 3000 + "]" * 3000 + "}")
    put("matrix_sync", "huge-numbers", RS.join([first.encode(), j({
        "next_batch": "s10", "rooms": {"join": {room: {
            "summary": {"m.joined_member_count": 1e308},
            "timeline": {"events": [dict(ev_msg("$n", "!sco sg"), origin_server_ts=-1e300)]}}}}
    }).encode()]))
    many = {"!r%d:example.org" % i: joined([ev_msg("$m%d" % i, "!sco sg %d" % (2004 + i % 20))])
            for i in range(30)}
    put("matrix_sync", "many-rooms", RS.join([first.encode(), sync("s11", join=many).encode()]))


def main():
    manifest = None
    if len(sys.argv) > 1:
        with open(sys.argv[1]) as f:
            manifest = f.read().strip()
    engine()
    facts()
    config()
    gateway()
    rest(manifest)
    matrix()


if __name__ == "__main__":
    main()
