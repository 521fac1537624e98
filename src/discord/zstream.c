/* zstream.c: zlib-stream inflater for one gateway connection; owns its z_stream
 * and buffers, and must not grow them past the bounds in zstream.h. */
#include "discord/zstream.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "util/xalloc.h"

struct zstream {
	z_stream zs;
	bool inited;
	bool broken;
	unsigned char *in;     /* compressed bytes waiting for the suffix */
	size_t in_len, in_cap;
	char *out;             /* the last inflated message */
	size_t out_cap;
};

struct zstream *zstream_new(void)
{
	struct zstream *z = xcalloc(1, sizeof(*z));
	zstream_reset(z);
	return z;
}

void zstream_free(struct zstream *z)
{
	if (!z)
		return;
	if (z->inited)
		inflateEnd(&z->zs);
	free(z->in);
	free(z->out);
	free(z);
}

void zstream_reset(struct zstream *z)
{
	if (z->inited)
		inflateEnd(&z->zs);
	memset(&z->zs, 0, sizeof(z->zs));
	z->inited = inflateInit(&z->zs) == Z_OK;
	z->broken = !z->inited;
	z->in_len = 0;
	/* Drop big buffers a previous connection left, so memory stays flat. */
	if (z->in_cap > ZSTREAM_KEEP_BYTES) {
		free(z->in);
		z->in = NULL;
		z->in_cap = 0;
	}
	if (z->out_cap > ZSTREAM_KEEP_BYTES) {
		free(z->out);
		z->out = NULL;
		z->out_cap = 0;
	}
}

int zstream_feed(struct zstream *z, const void *data, size_t len,
                 const char **ret_msg, size_t *ret_len)
{
	static const unsigned char suffix[4] = {0x00, 0x00, 0xff, 0xff};
	if (z->broken)
		return -EBADMSG;
	/* The previous message is no longer needed: give back the memory of a
	 * one-off big one (READY with many guilds), so memory stays flat. */
	if (z->in_len == 0 && z->out_cap > ZSTREAM_KEEP_BYTES) {
		free(z->out);
		z->out = NULL;
		z->out_cap = 0;
	}
	if (z->in_len == 0 && z->in_cap > ZSTREAM_KEEP_BYTES) {
		free(z->in);
		z->in = NULL;
		z->in_cap = 0;
	}
	if (len > ZSTREAM_MAX_PENDING - z->in_len) {
		z->broken = true;
		return -EMSGSIZE;
	}
	if (z->in_len + len > z->in_cap) {
		size_t cap = z->in_cap ? z->in_cap : 4096;
		while (cap < z->in_len + len)
			cap *= 2;
		z->in = xrealloc(z->in, cap);
		z->in_cap = cap;
	}
	memcpy(z->in + z->in_len, data, len);
	z->in_len += len;
	if (z->in_len < 4 || memcmp(z->in + z->in_len - 4, suffix, 4) != 0)
		return 0;

	z->zs.next_in = z->in;
	z->zs.avail_in = (uInt)z->in_len;
	size_t out_len = 0;
	for (;;) {
		if (out_len + 1 >= z->out_cap) {
			size_t cap = z->out_cap ? z->out_cap * 2 : 16384;
			if (cap > ZSTREAM_MAX_OUTPUT + 1)
				cap = ZSTREAM_MAX_OUTPUT + 1;
			if (cap <= out_len + 1) {
				z->broken = true;
				return -EMSGSIZE;
			}
			z->out = xrealloc(z->out, cap);
			z->out_cap = cap;
		}
		z->zs.next_out = (unsigned char *)z->out + out_len;
		z->zs.avail_out = (uInt)(z->out_cap - 1 - out_len);
		int rc = inflate(&z->zs, Z_SYNC_FLUSH);
		out_len = z->out_cap - 1 - z->zs.avail_out;
		if (rc == Z_BUF_ERROR && z->zs.avail_in == 0)
			break;  /* all input consumed, no more output possible */
		if (rc != Z_OK && rc != Z_BUF_ERROR) {
			z->broken = true;
			return -EBADMSG;
		}
		if (z->zs.avail_in == 0 && z->zs.avail_out > 0)
			break;
	}
	z->in_len = 0;
	z->out[out_len] = '\0';
	*ret_msg = z->out;
	*ret_len = out_len;
	return 1;
}
