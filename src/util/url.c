/* url.c: owns the rule for where a token may travel (https anywhere, plain
 * http only to loopback); pure libc, no I/O. */
#include "util/url.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <strings.h>

#define HOST_TEXT_MAX 64 /* bytes of a host we compare as loopback; longer is not */

bool url_host_is_loopback(const char *host, size_t n)
{
	char buf[HOST_TEXT_MAX];
	struct in_addr a4;
	struct in6_addr a6;

	if (n == 0 || n >= sizeof(buf))
		return false;
	memcpy(buf, host, n);
	buf[n] = '\0';
	if (strcasecmp(buf, "localhost") == 0)
		return true;
	/* inet_pton takes only the dotted quad: "127.1" or "127.0.0.1.evil" are names. */
	if (inet_pton(AF_INET, buf, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (n > 2 && buf[0] == '[' && buf[n - 1] == ']') {
		buf[n - 1] = '\0';
		return inet_pton(AF_INET6, buf + 1, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
	}
	return false;
}

/* The length of url's scheme and "://" when it is `scheme`, else 0. */
static size_t has_scheme(const char *url, const char *scheme)
{
	size_t n = strlen(scheme);
	if (strncasecmp(url, scheme, n) != 0 || strncmp(url + n, "://", 3) != 0)
		return 0;
	return n + 3;
}

enum url_verdict url_check(const char *url, enum url_kind kind)
{
	if (!url)
		return URL_BAD_SCHEME;
	size_t skip;
	bool tls;
	if ((skip = has_scheme(url, "https")) > 0)
		tls = true;
	else if ((skip = has_scheme(url, "http")) > 0)
		tls = false;
	else if (kind == URL_WEBSOCKET && (skip = has_scheme(url, "wss")) > 0)
		tls = true;
	else if (kind == URL_WEBSOCKET && (skip = has_scheme(url, "ws")) > 0)
		tls = false;
	else
		return URL_BAD_SCHEME;
	const char *auth = url + skip;
	size_t n = strcspn(auth, "/?#");
	if (memchr(auth, '@', n))
		return URL_USERINFO;
	/* host[:port], or [v6]:port */
	size_t hostlen = n;
	if (auth[0] == '[') {
		const char *close = memchr(auth, ']', n);
		hostlen = close ? (size_t)(close - auth) + 1 : n;
	} else {
		const char *colon = memchr(auth, ':', n);
		if (colon)
			hostlen = (size_t)(colon - auth);
	}
	if (hostlen == 0)
		return URL_NO_HOST;
	/* Plain text would carry the token in clear: only to this machine. */
	if (!tls && !url_host_is_loopback(auth, hostlen))
		return URL_PLAIN_REMOTE;
	return URL_OK;
}

const char *url_verdict_text(enum url_verdict v)
{
	switch (v) {
	case URL_OK:
		return "";
	case URL_BAD_SCHEME:
		return "expected an https:// URL";
	case URL_USERINFO:
		return "expected a URL without user:password@";
	case URL_NO_HOST:
		return "expected a host name in the URL";
	case URL_PLAIN_REMOTE:
		return "plain http is only allowed to loopback (127.0.0.1, [::1], localhost); "
		       "use https";
	}
	return "invalid URL";
}
