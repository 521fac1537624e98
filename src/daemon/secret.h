/* secret.h: loading a platform token from the config, a token file or a systemd
 * credential. The secret's value never appears in any message. */
#ifndef SCOBOT_DAEMON_SECRET_H
#define SCOBOT_DAEMON_SECRET_H

#include <stddef.h>

/* Largest token file (bytes, trailing newline included). */
#define SECRET_MAX_BYTES 4096

/* Loads a secret, first found wins:
 *   1. inline_value (the config's token key), when non-NULL and non-empty;
 *   2. file (the config's token_file key), when non-NULL and non-empty;
 *   3. $CREDENTIALS_DIRECTORY/credential_name (systemd LoadCredential=).
 * A file must be a regular file (not a symlink), owned by the current user or
 * root, and not readable or writable by group or others unless it lies under
 * $CREDENTIALS_DIRECTORY. Trailing whitespace is stripped; an empty secret, or
 * one with spaces or control characters, is refused.
 * Returns 0 with *ret_secret (free it with secret_free), -ENOENT when no source
 * is configured or present (err says which were tried), -EINVAL when a source
 * exists but cannot be used (err says why). */
int secret_load(const char *inline_value, const char *file, const char *credential_name,
                char **ret_secret, char *err, size_t errsize);

/* Zeroes, then frees. Accepts NULL. */
void secret_free(char *secret);

#endif
