#!/usr/bin/python3
"""net_fixture.py: a loopback HTTP/WebSocket server (plain and TLS) that
misbehaves on request, for the transport tests; it implements no Discord or
Matrix behaviour and must never listen beyond 127.0.0.1.

Prints "READY http=<port> https=<port>" on stdout once both listeners are up,
then serves until killed. The TLS listener uses --cert/--key (made at test
time by run_net_tests.py; no private key is committed).

WebSocket framing follows RFC 6455 section 5.2 (base framing) and 5.4
(fragmentation); close codes section 7.4.
"""
import argparse
import asyncio
import ssl
import struct
import sys

from aiohttp import web, WSMsgType

STATS = {"inflight": 0, "max_inflight": 0, "huge_sent": 0, "slow_sent": 0}
WS_LOG = {}  # id -> "close <code> <reason>" | "dropped" | "pending"


async def echo(request):
    body = await request.read()
    text = "method=%s path=%s x-test=%s ua=%s ctype=%s len=%d body=%s" % (
        request.method, request.path_qs, request.headers.get("X-Test", "-"),
        request.headers.get("User-Agent", "-"),
        request.headers.get("Content-Type", "-"), len(body),
        body.decode("utf-8", "replace"))
    resp = web.Response(text=text)
    resp.headers["X-RateLimit-Bucket"] = "bucket-abc"
    resp.headers["X-Ratelimit-Remaining"] = "  4  "
    return resp


async def delay(request):
    ms = int(request.query.get("ms", "100"))
    STATS["inflight"] += 1
    STATS["max_inflight"] = max(STATS["max_inflight"], STATS["inflight"])
    try:
        await asyncio.sleep(ms / 1000.0)
    finally:
        STATS["inflight"] -= 1
    return web.Response(text="delayed %d" % ms)


async def status(request):
    code = int(request.match_info["code"])
    return web.Response(status=code, text="status %d" % code)


async def redirect(request):
    raise web.HTTPFound("/echo")


async def conn(request):
    # The client's source port identifies its TCP connection (reuse check).
    peer = request.transport.get_extra_info("peername")
    return web.Response(text=str(peer[1]))


async def hang(request):
    await asyncio.sleep(60)
    return web.Response(text="too late")


async def slow(request):
    # A slowloris: headers at once, then one byte per second.
    resp = web.StreamResponse()
    resp.content_length = 1000
    await resp.prepare(request)
    try:
        for _ in range(1000):
            await asyncio.sleep(1.0)
            await resp.write(b"x")
            STATS["slow_sent"] += 1
    except (ConnectionResetError, asyncio.CancelledError):
        pass  # the client gave up on us: the point of the test
    return resp


async def huge(request):
    # 100 MiB, chunked, no Content-Length: only the write callback can stop it.
    resp = web.StreamResponse()
    await resp.prepare(request)
    chunk = b"y" * 65536
    STATS["huge_sent"] = 0
    try:
        for _ in range(1600):
            await resp.write(chunk)
            STATS["huge_sent"] += len(chunk)
    except (ConnectionResetError, asyncio.CancelledError):
        pass
    return resp


async def huge_cl(request):
    # Declares 100 MiB up front: refused from the Content-Length alone.
    resp = web.StreamResponse()
    resp.content_length = 100 << 20
    await resp.prepare(request)
    try:
        for _ in range(1600):
            await resp.write(b"z" * 65536)
    except (ConnectionResetError, asyncio.CancelledError):
        pass
    return resp


async def many_headers(request):
    resp = web.Response(text="many")
    for i in range(500):
        resp.headers["X-Flood-%d" % i] = "v" * 50
    return resp


async def stats(request):
    return web.Response(text="max_inflight=%d huge_sent=%d" % (
        STATS["max_inflight"], STATS["huge_sent"]))


async def ws_log(request):
    return web.Response(text=WS_LOG.get(request.query.get("id", ""), "unknown"))


def frame(opcode, payload, fin):
    """One unmasked server frame (RFC 6455 5.2)."""
    b0 = (0x80 if fin else 0) | opcode
    n = len(payload)
    if n < 126:
        head = struct.pack("!BB", b0, n)
    elif n < 65536:
        head = struct.pack("!BBH", b0, 126, n)
    else:
        head = struct.pack("!BBQ", b0, 127, n)
    return head + payload


async def ws_echo(request):
    cid = request.query.get("id", "")
    ws = web.WebSocketResponse(autoclose=True, max_msg_size=16 << 20)
    await ws.prepare(request)
    WS_LOG[cid] = "pending"
    await ws.send_str("hello path=%s host=%s" % (request.path_qs, request.headers.get("Host")))
    while True:
        msg = await ws.receive()
        if msg.type == WSMsgType.CLOSE:
            WS_LOG[cid] = "close %d %s" % (msg.data, msg.extra or "")
            break
        if msg.type in (WSMsgType.CLOSED, WSMsgType.ERROR, WSMsgType.CLOSING):
            if WS_LOG.get(cid) == "pending":
                WS_LOG[cid] = "dropped"
            break
        if msg.type != WSMsgType.TEXT:
            continue
        cmd = msg.data
        if cmd == "fragment":
            # One text message in three frames (RFC 6455 5.4): FIN=0 text,
            # FIN=0 continuation, FIN=1 continuation.
            request.transport.write(frame(0x1, b"frag-one ", False) +
                                    frame(0x0, b"frag-two ", False) +
                                    frame(0x0, b"frag-three", True))
        elif cmd.startswith("big "):
            await ws.send_str("b" * int(cmd[4:]))
        elif cmd.startswith("bigfrag "):
            # An oversized message split in small frames: the bound must hold
            # across fragments, not only per frame.
            n = int(cmd[8:])
            parts = [b"f" * 512] * (n // 512)
            data = b"".join(frame(0x1 if i == 0 else 0x0, p, i == len(parts) - 1)
                            for i, p in enumerate(parts))
            request.transport.write(data)
        elif cmd == "binary":
            await ws.send_bytes(b"\x00\x01\x02bin")
        elif cmd.startswith("close "):
            _, code, reason = cmd.split(" ", 2)
            await ws.close(code=int(code), message=reason.encode())
            WS_LOG[cid] = "server-closed"
            break
        elif cmd == "drop":
            WS_LOG[cid] = "server-dropped"
            request.transport.abort()
            break
        else:
            await ws.send_str("echo:" + cmd)
    return ws


async def ws_hang(request):
    # Accepts TCP and the request, never answers the upgrade.
    await asyncio.sleep(60)
    return web.Response(text="late")


async def ws_reject(request):
    return web.Response(status=403, text="no")


def make_app():
    app = web.Application()
    app.router.add_route("*", "/echo", echo)
    app.router.add_get("/delay", delay)
    app.router.add_get("/status/{code}", status)
    app.router.add_get("/redirect", redirect)
    app.router.add_get("/conn", conn)
    app.router.add_get("/hang", hang)
    app.router.add_get("/slow", slow)
    app.router.add_get("/huge", huge)
    app.router.add_get("/huge-cl", huge_cl)
    app.router.add_get("/many-headers", many_headers)
    app.router.add_get("/stats", stats)
    app.router.add_get("/ws-log", ws_log)
    app.router.add_get("/ws/echo", ws_echo)
    app.router.add_get("/ws/hang", ws_hang)
    app.router.add_get("/ws/reject", ws_reject)
    return app


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    args = ap.parse_args()
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(args.cert, args.key)
    runner = web.AppRunner(make_app(), handle_signals=False, access_log=None)
    await runner.setup()
    plain = web.TCPSite(runner, "127.0.0.1", 0)
    await plain.start()
    tls = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=ctx)
    await tls.start()
    ports = [s.getsockname()[1] for site in (plain, tls) for s in site._server.sockets]
    print("READY http=%d https=%d" % (ports[0], ports[1]), flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
