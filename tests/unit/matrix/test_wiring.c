/* test_wiring.c: the Matrix adapter's public surface that needs no network:
 * which homeserver URLs are accepted. */
#include "matrix/matrix.h"
#include "../tap.h"

TEST(https_homeserver_is_accepted)
{
	CHECK(matrix_homeserver_ok("https://matrix.example.org"));
	CHECK(matrix_homeserver_ok("https://matrix.example.org:8448/"));
	CHECK(!matrix_homeserver_ok("https://"));
}

TEST(plain_http_only_on_loopback)
{
	CHECK(matrix_homeserver_ok("http://127.0.0.1:8008"));
	CHECK(matrix_homeserver_ok("http://[::1]:8008"));
	CHECK(matrix_homeserver_ok("http://localhost"));
	/* All of 127.0.0.0/8, as the config check says (it used to refuse these). */
	CHECK(matrix_homeserver_ok("http://127.0.0.2:8008"));
	CHECK(matrix_homeserver_ok("http://127.255.255.254/"));
	CHECK(!matrix_homeserver_ok("http://128.0.0.1/"));
	CHECK(!matrix_homeserver_ok("http://matrix.example.org"));
	CHECK(!matrix_homeserver_ok("http://127.0.0.1.evil.example"));
	CHECK(!matrix_homeserver_ok("http://localhost.evil.example"));
	CHECK(!matrix_homeserver_ok("http://127.0.0.1@evil.example"));
}

TEST(other_schemes_and_null_are_refused)
{
	CHECK(!matrix_homeserver_ok(NULL));
	CHECK(!matrix_homeserver_ok("ftp://127.0.0.1"));
	CHECK(!matrix_homeserver_ok("matrix.example.org"));
}

TAP_MAIN
