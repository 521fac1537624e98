/* test_zstream.c: unit tests for the zlib-stream inflater: whole and split
 * messages, a shared dictionary across messages, bounds, corruption, reset. */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "discord/zstream.h"
#include "tap.h"

/* One sender-side deflate context, like the gateway's. */
struct deflater {
	z_stream zs;
	unsigned char out[1 << 16];
	size_t len;
};

static void deflater_init(struct deflater *d)
{
	memset(d, 0, sizeof(*d));
	deflateInit(&d->zs, 6);
}

static void compress_msg(struct deflater *d, const char *msg)
{
	d->zs.next_in = (unsigned char *)msg;
	d->zs.avail_in = (uInt)strlen(msg);
	d->zs.next_out = d->out;
	d->zs.avail_out = sizeof(d->out);
	deflate(&d->zs, Z_SYNC_FLUSH);
	d->len = sizeof(d->out) - d->zs.avail_out;
}

TEST(whole_message_inflates)
{
	struct deflater d;
	deflater_init(&d);
	struct zstream *z = zstream_new();
	compress_msg(&d, "{\"op\":10}");
	const char *out;
	size_t n;
	CHECK_INT(zstream_feed(z, d.out, d.len, &out, &n), 1);
	CHECK_STR(out, "{\"op\":10}");
	CHECK_INT(n, 9);
	zstream_free(z);
	deflateEnd(&d.zs);
}

TEST(message_split_at_every_point_inflates_once_complete)
{
	const char *msg = "{\"op\":0,\"t\":\"MESSAGE_CREATE\",\"d\":{\"content\":\"hello hello hello\"}}";
	for (size_t cut = 1; cut < 40; cut++) {
		struct deflater d;
		deflater_init(&d);
		compress_msg(&d, msg);
		if (cut >= d.len) {
			deflateEnd(&d.zs);
			break;
		}
		struct zstream *z = zstream_new();
		const char *out;
		size_t n;
		CHECK_INT(zstream_feed(z, d.out, cut, &out, &n), 0);
		CHECK_INT(zstream_feed(z, d.out + cut, d.len - cut, &out, &n), 1);
		CHECK_STR(out, msg);
		zstream_free(z);
		deflateEnd(&d.zs);
	}
}

TEST(later_messages_use_the_shared_dictionary)
{
	struct deflater d;
	deflater_init(&d);
	struct zstream *z = zstream_new();
	const char *out;
	size_t n;
	for (int i = 0; i < 50; i++) {
		char msg[128];
		snprintf(msg, sizeof(msg), "{\"op\":0,\"s\":%d,\"t\":\"GUILD_CREATE\",\"d\":{}}", i);
		compress_msg(&d, msg);
		CHECK_INT(zstream_feed(z, d.out, d.len, &out, &n), 1);
		CHECK_STR(out, msg);
	}
	zstream_free(z);
	deflateEnd(&d.zs);
}

TEST(corrupt_data_is_an_error_until_reset)
{
	struct zstream *z = zstream_new();
	const unsigned char junk[] = {0x12, 0x34, 0x56, 0x78, 0x00, 0x00, 0xff, 0xff};
	const char *out;
	size_t n;
	CHECK_INT(zstream_feed(z, junk, sizeof(junk), &out, &n), -74);  /* -EBADMSG */
	CHECK_INT(zstream_feed(z, junk, 1, &out, &n), -74);
	zstream_reset(z);
	struct deflater d;
	deflater_init(&d);
	compress_msg(&d, "{}");
	CHECK_INT(zstream_feed(z, d.out, d.len, &out, &n), 1);
	CHECK_STR(out, "{}");
	zstream_free(z);
	deflateEnd(&d.zs);
}

TEST(reset_starts_a_new_context_for_a_new_connection)
{
	struct deflater d1, d2;
	deflater_init(&d1);
	deflater_init(&d2);
	struct zstream *z = zstream_new();
	const char *out;
	size_t n;
	compress_msg(&d1, "{\"first\":true}");
	CHECK_INT(zstream_feed(z, d1.out, d1.len, &out, &n), 1);
	zstream_reset(z);
	compress_msg(&d2, "{\"second\":true}");
	CHECK_INT(zstream_feed(z, d2.out, d2.len, &out, &n), 1);
	CHECK_STR(out, "{\"second\":true}");
	zstream_free(z);
	deflateEnd(&d1.zs);
	deflateEnd(&d2.zs);
}

TEST(inflated_message_over_the_bound_is_refused)
{
	size_t big = ZSTREAM_MAX_OUTPUT + 100;
	char *msg = malloc(big + 1);
	memset(msg, 'x', big);
	msg[big] = '\0';
	z_stream zs = {0};
	deflateInit(&zs, 9);
	unsigned char *out = malloc(big / 100 + 65536);
	zs.next_in = (unsigned char *)msg;
	zs.avail_in = (uInt)big;
	zs.next_out = out;
	zs.avail_out = (uInt)(big / 100 + 65536);
	deflate(&zs, Z_SYNC_FLUSH);
	size_t len = big / 100 + 65536 - zs.avail_out;
	struct zstream *z = zstream_new();
	const char *m;
	size_t n;
	CHECK_INT(zstream_feed(z, out, len, &m, &n), -90);  /* -EMSGSIZE */
	zstream_free(z);
	deflateEnd(&zs);
	free(out);
	free(msg);
}

TEST(pending_compressed_data_over_the_bound_is_refused)
{
	struct zstream *z = zstream_new();
	size_t chunk = 1 << 20;
	char *junk = calloc(1, chunk);
	const char *m;
	size_t n;
	int rc = 0;
	for (int i = 0; i < 6 && rc == 0; i++)
		rc = zstream_feed(z, junk, chunk, &m, &n);
	CHECK_INT(rc, -90);
	free(junk);
	zstream_free(z);
}

TAP_MAIN
