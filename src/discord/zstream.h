/* zstream.h: the zlib-stream transport decompressor of one gateway connection;
 * it must not know JSON or websockets, only bytes in and messages out.
 *
 * developers/events/gateway.mdx "Transport Compression": one inflate context
 * lives as long as the connection; a message is complete when the received
 * data ends with the Z_SYNC_FLUSH suffix 00 00 ff ff, and may arrive in any
 * number of websocket messages. A new connection needs zstream_reset. */
#ifndef SCOBOT_DISCORD_ZSTREAM_H
#define SCOBOT_DISCORD_ZSTREAM_H

#include <stddef.h>

#define ZSTREAM_MAX_PENDING (4u << 20)  /* compressed bytes buffered before a suffix */
#define ZSTREAM_MAX_OUTPUT (8u << 20)   /* inflated bytes of one message */
#define ZSTREAM_KEEP_BYTES 65536        /* buffer kept between messages; bigger ones are freed */

struct zstream;

struct zstream *zstream_new(void);
void zstream_free(struct zstream *z);
/* For a new connection: a fresh inflate context and an empty buffer. */
void zstream_reset(struct zstream *z);

/* Feeds one websocket message. Returns 1 with *ret_msg and *ret_len set to a
 * complete inflated message (NUL-terminated, valid until the next call), 0
 * when more data is needed, -EMSGSIZE when a bound above is passed, -EBADMSG
 * for corrupt data. After a negative return the stream is unusable until
 * zstream_reset (drop the connection: its dictionary is lost). */
int zstream_feed(struct zstream *z, const void *data, size_t len,
                 const char **ret_msg, size_t *ret_len);

#endif
