/* test_url.c: the one rule for where a token may travel (util/url.c): https
 * anywhere, plain http only to loopback, never with user:password@. */
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "util/url.h"

TEST(https_is_allowed_anywhere)
{
	CHECK(url_allowed("https://matrix.example.org", URL_HTTP));
	CHECK(url_allowed("https://discord.com/api/v10", URL_HTTP));
	CHECK(url_allowed("HTTPS://matrix.example.org:8448/", URL_HTTP));
	CHECK(url_allowed("wss://gateway.discord.gg", URL_WEBSOCKET));
	CHECK(url_allowed("https://gateway.discord.gg", URL_WEBSOCKET));
}

TEST(plain_http_to_all_of_127_slash_8)
{
	CHECK(url_allowed("http://127.0.0.1:8008", URL_HTTP));
	CHECK(url_allowed("http://127.0.0.2:8008", URL_HTTP));
	CHECK(url_allowed("http://127.255.255.254/", URL_HTTP));
	CHECK(url_allowed("http://127.0.0.1", URL_HTTP));
	CHECK(url_allowed("ws://127.0.0.3:9/gateway", URL_WEBSOCKET));
}

TEST(plain_http_to_ipv6_loopback_and_localhost)
{
	CHECK(url_allowed("http://[::1]:8008", URL_HTTP));
	CHECK(url_allowed("http://[::1]/", URL_HTTP));
	CHECK(url_allowed("http://[0:0:0:0:0:0:0:1]", URL_HTTP));
	CHECK(url_allowed("http://localhost", URL_HTTP));
	CHECK(url_allowed("http://LOCALHOST:8008/", URL_HTTP));
	CHECK(url_allowed("ws://localhost/", URL_WEBSOCKET));
}

TEST(plain_http_elsewhere_is_refused)
{
	CHECK_INT(url_check("http://128.0.0.1/", URL_HTTP), URL_PLAIN_REMOTE);
	CHECK_INT(url_check("http://126.255.255.255/", URL_HTTP), URL_PLAIN_REMOTE);
	CHECK_INT(url_check("http://localhost.evil.com/", URL_HTTP), URL_PLAIN_REMOTE);
	CHECK_INT(url_check("http://127.0.0.1.evil.com/", URL_HTTP), URL_PLAIN_REMOTE);
	CHECK_INT(url_check("http://127.1/", URL_HTTP), URL_PLAIN_REMOTE);
	CHECK(!url_allowed("http://::1/", URL_HTTP));  /* unbracketed: no host before the colon */
	CHECK_INT(url_check("http://[::2]/", URL_HTTP), URL_PLAIN_REMOTE);
	CHECK_INT(url_check("http://[::1/", URL_HTTP), URL_PLAIN_REMOTE);
	CHECK_INT(url_check("http://matrix.example.org", URL_HTTP), URL_PLAIN_REMOTE);
	CHECK_INT(url_check("ws://gateway.discord.gg", URL_WEBSOCKET), URL_PLAIN_REMOTE);
	CHECK_INT(url_check("http://10.0.0.1/", URL_HTTP), URL_PLAIN_REMOTE);
}

TEST(userinfo_is_refused_even_to_loopback)
{
	CHECK_INT(url_check("http://user@127.0.0.1/", URL_HTTP), URL_USERINFO);
	CHECK_INT(url_check("https://user:pw@matrix.example.org/", URL_HTTP), URL_USERINFO);
	/* An @ after the host is part of the path, not userinfo. */
	CHECK(url_allowed("https://matrix.example.org/@alice", URL_HTTP));
}

TEST(a_host_is_required)
{
	CHECK_INT(url_check("https://", URL_HTTP), URL_NO_HOST);
	CHECK_INT(url_check("https:///path", URL_HTTP), URL_NO_HOST);
	CHECK_INT(url_check("http://:8008", URL_HTTP), URL_NO_HOST);
}

TEST(other_schemes_are_refused)
{
	CHECK_INT(url_check("ftp://127.0.0.1/", URL_HTTP), URL_BAD_SCHEME);
	CHECK_INT(url_check("ws://127.0.0.1/", URL_HTTP), URL_BAD_SCHEME);
	CHECK_INT(url_check("wss://gateway.discord.gg", URL_HTTP), URL_BAD_SCHEME);
	CHECK_INT(url_check("https:/matrix.example.org", URL_HTTP), URL_BAD_SCHEME);
	CHECK_INT(url_check("127.0.0.1:8008", URL_HTTP), URL_BAD_SCHEME);
	CHECK_INT(url_check("", URL_HTTP), URL_BAD_SCHEME);
	CHECK_INT(url_check(NULL, URL_HTTP), URL_BAD_SCHEME);
}

TEST(every_refusal_has_a_reason)
{
	CHECK_STR(url_verdict_text(URL_OK), "");
	for (int v = URL_BAD_SCHEME; v <= URL_PLAIN_REMOTE; v++)
		CHECK(url_verdict_text((enum url_verdict)v)[0] != '\0');
}

TEST(loopback_hosts)
{
	CHECK(url_host_is_loopback("127.0.0.1", 9));
	CHECK(url_host_is_loopback("[::1]", 5));
	CHECK(url_host_is_loopback("localhost", 9));
	CHECK(!url_host_is_loopback("localhost", 5));
	CHECK(!url_host_is_loopback("", 0));
	CHECK(!url_host_is_loopback("128.0.0.1", 9));
	/* Brackets on both ends or not at all (mutate.py found these untested). */
	CHECK(!url_host_is_loopback("x::1]", 5));
	CHECK(!url_host_is_loopback("x::1y", 5));
	CHECK(!url_host_is_loopback("[::1", 4));
}

TEST(a_host_longer_than_any_address_is_not_loopback)
{
	char host[200];
	memset(host, '1', sizeof(host));
	CHECK(!url_host_is_loopback(host, sizeof(host)));
	char url[300];
	snprintf(url, sizeof(url), "http://127.0.0.1%.*s/", 150, host);
	CHECK_INT(url_check(url, URL_HTTP), URL_PLAIN_REMOTE);
}

TAP_MAIN
