/* http_names.c: the stateless parts of the HTTP API: error names for logs and
 * metrics, the one log line for a refused TLS certificate (shared with the
 * websocket side), and escaping of URL path segments. No transfer state. */
#include "net/http.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/net_internal.h"
#include "util/log.h"
#include "util/xalloc.h"

const char *http_error_name(enum http_error err)
{
	switch (err) {
	case HTTP_OK: return "ok";
	case HTTP_ERR_TIMEOUT: return "timeout";
	case HTTP_ERR_TOO_SLOW: return "too_slow";
	case HTTP_ERR_DNS: return "dns";
	case HTTP_ERR_CONNECT: return "connect";
	case HTTP_ERR_TLS: return "tls";
	case HTTP_ERR_TOO_LARGE: return "too_large";
	case HTTP_ERR_NETWORK: return "network";
	case HTTP_ERR_PROTOCOL: return "protocol";
	case HTTP_ERR_OTHER: return "other";
	}
	return "unknown";
}

void net_log_tls_refusal(const char *platform, const char *section, const char *detail)
{
	/* An untrusted certificate does not fix itself the way a dropped
	 * connection does: the operator has to act, so name the one setting.
	 * detail is our own text around curl's or OpenSSL's fixed strings and
	 * the configured host name, nothing a peer chose, so it is not escaped. */
	if (strstr(detail, "certificate"))
		log_error("TLS certificate not trusted: the server was refused and will be retried "
			  "with backoff", "platform=%s detail=\"%s\" fix=\"if the server uses a private "
			  "CA or a self-signed certificate, set ca_file in [%s] to its PEM file\"",
			  platform, detail, section);
	else
		log_error("TLS handshake failed: the server was refused and will be retried with "
			  "backoff", "platform=%s detail=\"%s\"", platform, detail);
}

char *http_escape_segment(const char *s, size_t len)
{
	char *esc, *out;

	if (len == 0)
		len = strlen(s);
	if (len == 0)
		return xstrdup("");
	/* curl accepts a NULL handle for escaping since 7.82. */
	esc = curl_easy_escape(NULL, s, (int)len);
	if (!esc) {
		fprintf(stderr, "scobot: out of memory escaping %zu bytes\n", len);
		abort();
	}
	out = xstrdup(esc);
	curl_free(esc);
	return out;
}

/* ---- headers ---------------------------------------------------------- */
