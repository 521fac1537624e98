/* test_url.c: the rule that keeps the token off plain-text connections to
 * other hosts: https/wss anywhere, http/ws only to loopback. */
#include "discord/discord.h"
#include "tap.h"

TEST(tls_urls_are_allowed_anywhere)
{
	CHECK(discord_url_allowed("https://discord.com/api/v10"));
	CHECK(discord_url_allowed("wss://gateway.discord.gg"));
}

TEST(plain_urls_are_allowed_only_to_loopback)
{
	CHECK(discord_url_allowed("http://127.0.0.1:8080/api/v10"));
	CHECK(discord_url_allowed("ws://127.0.0.1:9/gateway"));
	CHECK(discord_url_allowed("http://localhost/api"));
	CHECK(discord_url_allowed("http://127.0.0.2:8080/api/v10"));
	CHECK(!discord_url_allowed("http://127.1/"));  /* not a dotted quad: a name */
	CHECK(discord_url_allowed("ws://[::1]:80/"));
	CHECK(!discord_url_allowed("http://discord.com/api/v10"));
	CHECK(!discord_url_allowed("ws://gateway.discord.gg"));
	CHECK(!discord_url_allowed("http://127.0.0.1.evil.example/"));
	CHECK(!discord_url_allowed("http://localhost.evil.example/"));
	CHECK(!discord_url_allowed("ws://[::2]/"));
	CHECK(!discord_url_allowed("http://10.0.0.1/"));
}

TEST(other_schemes_are_refused)
{
	CHECK(!discord_url_allowed("ftp://127.0.0.1/"));
	CHECK(!discord_url_allowed(""));
	CHECK(!discord_url_allowed(NULL));
}

TAP_MAIN
