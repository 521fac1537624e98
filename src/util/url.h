/* url.h: the one rule for which URLs scobot may send a token to: https (or
 * wss) anywhere, plain http (or ws) only to this machine (127.0.0.0/8, ::1,
 * localhost), never with user:password@. The config check, Discord and
 * Matrix all ask here, so what --check-config accepts the daemon accepts. */
#ifndef SCOBOT_UTIL_URL_H
#define SCOBOT_UTIL_URL_H

#include <stdbool.h>
#include <stddef.h>

enum url_kind {
	URL_HTTP,       /* https://, or http:// to loopback */
	URL_WEBSOCKET,  /* wss:// or https://, or ws:// / http:// to loopback */
};

enum url_verdict {
	URL_OK = 0,
	URL_BAD_SCHEME,     /* not a scheme of the kind */
	URL_USERINFO,       /* user:password@ before the host */
	URL_NO_HOST,        /* nothing between the scheme and the path/port */
	URL_PLAIN_REMOTE,   /* plain text to a host that is not loopback */
};

/* Judges url (NULL: URL_BAD_SCHEME). Schemes are case-insensitive. Pure. */
enum url_verdict url_check(const char *url, enum url_kind kind);
static inline bool url_allowed(const char *url, enum url_kind kind)
{
	return url_check(url, kind) == URL_OK;
}
/* Why a verdict refuses, as the config check prints it; "" for URL_OK. */
const char *url_verdict_text(enum url_verdict v);
/* Whether host (n bytes: a name, a dotted IPv4, or a bracketed IPv6) is this
 * machine: localhost (any case), 127.0.0.0/8, [::1]. */
bool url_host_is_loopback(const char *host, size_t n);

#endif
