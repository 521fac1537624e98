/* redact.h: blanks out anything shaped like a credential in text that is about
 * to leave the process (a log line, a config error, a systemd STATUS= line).
 *
 * It is a safety net, not the rule: code must still never pass a secret to a
 * message. What it recognises:
 *  - a Discord bot token: three base64url runs joined by '.', the first of at
 *    least 18, the second of at least 4 and the third of at least 20 chars;
 *  - a Matrix access or refresh token with a known prefix (syt_, syr_, mat_,
 *    mct_) followed by at least 16 base64url/'_' characters;
 *  - the user info of a URL ("scheme://user:password@host"), replaced by "***".
 * Each match becomes REDACT_MARK (or "***" for user info); the text never grows,
 * so it works in place on fixed buffers, allocates nothing and keeps errno. */
#ifndef SCOBOT_UTIL_REDACT_H
#define SCOBOT_UTIL_REDACT_H

#include <stdbool.h>
#include <stddef.h>

#define REDACT_MARK "[redacted]"

/* Redacts s[0..len) in place; returns the new length. s[len] is not read; the
 * caller terminates the result if it needs a string. */
size_t redact_secrets(char *s, size_t len);
/* The same for text that was cut at len: a run at the very end that starts
 * like a token (a Discord token's first part and its '.', a Matrix prefix, or
 * any run of 8 to 28 base64url characters, which a Discord token's first part
 * could be the start of) is blanked too, since the rest
 * of it was only cut away. */
size_t redact_secrets_cut(char *s, size_t len);
/* The same on a NUL-terminated string; returns s. */
char *redact_secrets_str(char *s);
/* True if s[0..len) holds something redact_secrets() would blank out. */
bool redact_has_secret(const char *s, size_t len);

#endif
