/* test-ws-url.c: splitting websocket URLs (net/ws_url.c) into TLS, host, Host
 * header, port and path, and refusing what a connection cannot use. */
#include <errno.h>
#include <stdlib.h>

#include "../tap.h"
#include "net/ws_url.h"

TEST(a_plain_url_gets_default_port_and_root_path)
{
	struct ws_url u;
	CHECK_INT(ws_url_split("ws://localhost", &u), 0);
	CHECK(!u.tls);
	CHECK_STR(u.host, "localhost");
	CHECK_STR(u.hosthdr, "localhost");
	CHECK_INT(u.port, 80);
	CHECK_STR(u.path, "/");
	free(u.path);
	CHECK_INT(ws_url_split("WSS://gateway.discord.gg?v=10&encoding=json", &u), 0);
	CHECK(u.tls);
	CHECK_INT(u.port, 443);
	CHECK_STR(u.path, "/?v=10&encoding=json");
	free(u.path);
}

TEST(ports_paths_and_ipv6_hosts)
{
	struct ws_url u;
	CHECK_INT(ws_url_split("ws://127.0.0.1:8080/gw/x?a=1", &u), 0);
	CHECK_STR(u.host, "127.0.0.1");
	CHECK_INT(u.port, 8080);
	CHECK_STR(u.path, "/gw/x?a=1");
	free(u.path);
	CHECK_INT(ws_url_split("wss://[::1]:65535/", &u), 0);
	CHECK_STR(u.host, "::1");
	CHECK_STR(u.hosthdr, "[::1]");
	CHECK_INT(u.port, 65535);
	free(u.path);
	CHECK_INT(ws_url_split("ws://[::1]", &u), 0);
	CHECK_INT(u.port, 80);
	free(u.path);
}

TEST(unusable_urls_are_refused)
{
	static const char *const bad[] = {
		"http://localhost/", "ws://", "ws://:80/", "ws://host:0/", "ws://host:65536/",
		"ws://host:/", "ws://host:8a/", "ws://user@host/", "ws://[::1/", "ws://[]/",
		"ws://[::1]x/", "ws://[::1]x80/", "ws://host/a b", "ws://host/#frag", "ws://host/\x01",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ws_url u = {.port = -7};
		if (ws_url_split(bad[i], &u) != -EINVAL || u.port != -7)
			printf("# accepted or touched: %s\n", bad[i]), tap_failed_now = 1;
	}
}

TAP_MAIN
