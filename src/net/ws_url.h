/* ws_url.h: a ws:// or wss:// URL split into what a connection needs; pure,
 * private to src/net. */
#ifndef SCOBOT_NET_WS_URL_H
#define SCOBOT_NET_WS_URL_H

#include <stdbool.h>

/* Host name from a URL (bytes, with NUL); DNS names are at most 253. */
#define WS_URL_HOST_MAX 256

struct ws_url {
	bool tls;                          /* wss:// */
	char host[WS_URL_HOST_MAX];        /* as in the URL, without IPv6 brackets */
	char hosthdr[WS_URL_HOST_MAX + 2]; /* for Host and Origin: brackets kept */
	int port;                          /* from the URL, else 443 / 80 */
	char *path;                        /* "/path?query", malloc'd */
};

/* Splits ws[s]://host[:port][/path][?query] (no user info, no fragment, at
 * most WS_MAX_URL_BYTES, no spaces or control characters). 0, or -EINVAL
 * with *ret untouched. */
int ws_url_split(const char *url, struct ws_url *ret);

#endif
