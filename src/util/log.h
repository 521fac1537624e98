/* log.h: the one logger, used by every layer except the engine.
 *
 * A line is a human sentence followed by key=value fields:
 *   log_info("gateway connected", "shard=%d session=%s", id, sid);
 * Under journald ($JOURNAL_STREAM matches stderr) each line starts with an
 * sd-daemon priority prefix (<3>..<7>); otherwise with a timestamp and level.
 * Values that may carry chat text go through log_escape(). Never pass a token. */
#ifndef SCOBOT_UTIL_LOG_H
#define SCOBOT_UTIL_LOG_H

#include <stddef.h>

/* One line, prefix and newline included, in bytes. At most PIPE_BUF so that a
 * single write(2) to a pipe or the journal's stream socket is never
 * interleaved with another process's line; longer lines are cut with "...". */
#define LOG_LINE_MAX 2048

/* A good size (bytes) for a log_escape() buffer holding one chat message. */
#define LOG_ESCAPE_SIZE 256

enum log_level { LOG_LVL_ERROR = 3, LOG_LVL_WARN = 4, LOG_LVL_NOTICE = 5,
                 LOG_LVL_INFO = 6, LOG_LVL_DEBUG = 7 };

/* Reads $JOURNAL_STREAM once; call early in main. */
void log_init(enum log_level level);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* "error", "warn"/"warning", "notice", "info", "debug"; -1 when unknown. */
int log_level_parse(const char *s);

void log_msg(enum log_level level, const char *msg, const char *fields_fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The fields are optional: log_info("reloaded") or log_info("x", "n=%d", n). */
/* A command-line or start-up error for a person or a service manager:
 * "scobot: <text>" on stderr, with the journal's <3> priority when stderr is
 * the journal (JOURNAL_STREAM), so that `journalctl -p err` shows why a start
 * failed. Control characters are defanged and token shapes redacted, as in
 * log_msg; it may be called before log_init. */
void log_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define log_error(msg, ...) log_msg(LOG_LVL_ERROR, msg, "" __VA_ARGS__)
#define log_warn(msg, ...) log_msg(LOG_LVL_WARN, msg, "" __VA_ARGS__)
#define log_notice(msg, ...) log_msg(LOG_LVL_NOTICE, msg, "" __VA_ARGS__)
#define log_info(msg, ...) log_msg(LOG_LVL_INFO, msg, "" __VA_ARGS__)
#define log_debug(msg, ...) log_msg(LOG_LVL_DEBUG, msg, "" __VA_ARGS__)

/* Quotes and escapes untrusted text into out and returns out: control
 * characters (\n, \t, \xNN, \u0085), backslash and the quote, Unicode bidi
 * overrides and isolates (U+202A-202E, U+2066-2069, also LRM/RLM/ALM and the
 * line/paragraph separators) as \uXXXX, and invalid UTF-8 as \xNN. Output
 * never exceeds size bytes: longer text is cut after a whole code point and
 * the closing quote is followed by "...". s == NULL gives (null). */
const char *log_escape(const char *s, size_t len, char *out, size_t size);
/* The same with another quote character (config errors use '). */
const char *log_escape_quoted(const char *s, size_t len, char quote, char *out,
                              size_t size);

#endif
