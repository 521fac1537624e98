/* test_coord.c: what [discord] coordination accepts and what it puts into
 * Redis's key space: the URL forms (numeric hosts only: nothing may resolve a
 * name on the loop), and a namespace that names the token without holding it. */
#include <string.h>

#include "discord/coord.h"
#include "net/redis.h"
#include "tap.h"

static int parse(const char *url, struct redis_target *t)
{
	char why[160];
	return redis_url_parse(url, t, why, sizeof(why));
}

TEST(tcp_urls_with_port_and_database)
{
	struct redis_target t;
	CHECK_INT(parse("redis://127.0.0.1:6379", &t), 0);
	CHECK_STR(t.host, "127.0.0.1");
	CHECK_INT(t.port, 6379);
	CHECK_INT(t.db, 0);
	CHECK(!t.unix_socket);
	CHECK_INT(parse("redis://10.0.0.5:6380/3", &t), 0);
	CHECK_INT(t.port, 6380);
	CHECK_INT(t.db, 3);
	CHECK_INT(parse("redis://[::1]:6379/1", &t), 0);
	CHECK_STR(t.host, "::1");
	CHECK_INT(t.db, 1);
	CHECK_INT(parse("redis://localhost:6379", &t), 0);
}

TEST(unix_socket_urls)
{
	struct redis_target t;
	CHECK_INT(parse("unix:///run/redis/redis-server.sock", &t), 0);
	CHECK(t.unix_socket);
	CHECK_STR(t.path, "/run/redis/redis-server.sock");
	CHECK_INT(parse("unix:///run/redis.sock?db=2", &t), 0);
	CHECK_INT(t.db, 2);
	CHECK(parse("unix://relative.sock", &t) < 0);
	CHECK(parse("unix:///x.sock?database=2", &t) < 0);
}

TEST(bad_urls_are_refused_with_a_reason)
{
	struct redis_target t;
	char why[160];
	/* A name would be resolved synchronously by hiredis: refused. */
	CHECK(redis_url_parse("redis://redis.example.org:6379", &t, why, sizeof(why)) < 0);
	CHECK_CONTAINS(why, "numeric");
	/* A password in the URL would sit in a world-readable config file. */
	CHECK(redis_url_parse("redis://:hunter2@127.0.0.1:6379", &t, why, sizeof(why)) < 0);
	CHECK_CONTAINS(why, "redis-password");
	CHECK_NOT_CONTAINS(why, "hunter2");
	CHECK(parse("redis://127.0.0.1", &t) < 0);          /* no port */
	CHECK(parse("redis://127.0.0.1:0", &t) < 0);
	CHECK(parse("redis://127.0.0.1:65536", &t) < 0);
	CHECK(parse("redis://127.0.0.1:6379/16", &t) < 0);
	CHECK(parse("redis://127.0.0.1:6379/x", &t) < 0);
	CHECK(parse("http://127.0.0.1:6379", &t) < 0);
	CHECK(parse("", &t) < 0);
}

TEST(the_namespace_names_the_token_without_holding_it)
{
	char a[32], b[32], c[32];
	coord_namespace("MTk4NjIyNDgzNDcxOTI1MjQ4.Cl2FMQ.ZnCjm1XVW7vRze4b7Cq4se7kKWs", a);
	coord_namespace("MTk4NjIyNDgzNDcxOTI1MjQ4.Cl2FMQ.ZnCjm1XVW7vRze4b7Cq4se7kKWs", b);
	coord_namespace("MTk4NjIyNDgzNDcxOTI1MjQ4.Cl2FMQ.ZnCjm1XVW7vRze4b7Cq4se7kKWt", c);
	CHECK_STR(a, b);
	CHECK(strcmp(a, c) != 0);
	CHECK_INT((int)strlen(a), 23);   /* "scobot:" and 16 hex digits */
	CHECK_NOT_CONTAINS(a, "MTk4");
}

TAP_MAIN
