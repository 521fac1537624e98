/* ws_url.c: owns the splitting of a ws:// or wss:// URL into what a
 * connection needs (TLS or not, host, Host header, port, path); pure, no I/O. */
#include "net/ws_url.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "net/ws.h"
#include "util/xalloc.h"

/* Splits ws[s]://host[:port][/path][?query]; no user info, no fragment. */
int ws_url_split(const char *url, struct ws_url *ret)
{
	const char *p, *auth_end, *host_end, *port_s = NULL;
	struct ws_url u = {.tls = false};
	size_t hlen;

	if (strlen(url) > WS_MAX_URL_BYTES)
		return -EINVAL;
	for (p = url; *p; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f || *p == '#')
			return -EINVAL;
	if (strncasecmp(url, "wss://", 6) == 0) {
		u.tls = true;
		p = url + 6;
	} else if (strncasecmp(url, "ws://", 5) == 0) {
		p = url + 5;
	} else {
		return -EINVAL;
	}
	auth_end = p + strcspn(p, "/?");
	if (memchr(p, '@', (size_t)(auth_end - p)))
		return -EINVAL;
	if (*p == '[') {
		host_end = memchr(p, ']', (size_t)(auth_end - p));
		if (!host_end)
			return -EINVAL;
		hlen = (size_t)(host_end - p - 1);
		if (hlen == 0 || hlen >= sizeof(u.host))
			return -EINVAL;
		memcpy(u.host, p + 1, hlen);
		u.host[hlen] = '\0';
		snprintf(u.hosthdr, sizeof(u.hosthdr), "[%s]", u.host);
		host_end++;
		if (host_end < auth_end && *host_end == ':')
			port_s = host_end + 1;
		else if (host_end != auth_end)
			return -EINVAL;
	} else {
		host_end = memchr(p, ':', (size_t)(auth_end - p));
		if (host_end)
			port_s = host_end + 1;
		else
			host_end = auth_end;
		hlen = (size_t)(host_end - p);
		if (hlen == 0 || hlen >= sizeof(u.host))
			return -EINVAL;
		memcpy(u.host, p, hlen);
		u.host[hlen] = '\0';
		snprintf(u.hosthdr, sizeof(u.hosthdr), "%s", u.host);
	}
	u.port = u.tls ? 443 : 80;
	if (port_s) {
		long port = 0;
		if (port_s == auth_end)
			return -EINVAL;
		for (const char *q = port_s; q < auth_end; q++) {
			if (*q < '0' || *q > '9')
				return -EINVAL;
			port = port * 10 + (*q - '0');
			if (port > 65535)
				return -EINVAL;
		}
		if (port == 0)
			return -EINVAL;
		u.port = (int)port;
	}
	if (*auth_end == '/') {
		u.path = xstrdup(auth_end);
	} else {
		u.path = xmalloc(strlen(auth_end) + 2);
		u.path[0] = '/';
		strcpy(u.path + 1, auth_end);
	}
	*ret = u;
	return 0;
}

