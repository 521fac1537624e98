/* log.c: the process-wide logger (level filter, journald or plain lines on
 * stderr) and log_escape(); it must never allocate, block on anything but
 * write(2), or change errno. */
#include "util/log.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/redact.h"
#include "util/utf8.h"

_Static_assert(LOG_LINE_MAX <= PIPE_BUF, "a log line must fit one atomic write");

/* The only mutable state: a process has one stderr and one verbosity. */
static struct {
	enum log_level level;
	bool journal;
} log_state = {LOG_LVL_INFO, false};

static const char *const level_names[] = {
	[LOG_LVL_ERROR] = "error", [LOG_LVL_WARN] = "warn", [LOG_LVL_NOTICE] = "notice",
	[LOG_LVL_INFO] = "info", [LOG_LVL_DEBUG] = "debug",
};

/* systemd sets JOURNAL_STREAM=dev:inode of the stream it connected to stderr;
 * it is inherited by children that may have redirected stderr, so the inode
 * must match before the <N> prefixes are used. */
static bool stderr_is_journal(void)
{
	const char *e = getenv("JOURNAL_STREAM");
	struct stat st;
	char *end;

	if (!e || !*e || fstat(STDERR_FILENO, &st) < 0)
		return false;
	errno = 0;
	unsigned long long dev = strtoull(e, &end, 10);
	if (errno || end == e || *end != ':')
		return false;
	const char *ino_s = end + 1;
	unsigned long long ino = strtoull(ino_s, &end, 10);
	if (errno || end == ino_s || *end)
		return false;
	return dev == (unsigned long long)st.st_dev && ino == (unsigned long long)st.st_ino;
}

void log_init(enum log_level level)
{
	int saved = errno;
	log_set_level(level);
	log_state.journal = stderr_is_journal();
	errno = saved;
}

void log_set_level(enum log_level level)
{
	if (level < LOG_LVL_ERROR)
		level = LOG_LVL_ERROR;
	if (level > LOG_LVL_DEBUG)
		level = LOG_LVL_DEBUG;
	log_state.level = level;
}

enum log_level log_get_level(void)
{
	return log_state.level;
}

int log_level_parse(const char *s)
{
	if (!s)
		return -1;
	for (int l = LOG_LVL_ERROR; l <= LOG_LVL_DEBUG; l++)
		if (strcasecmp(s, level_names[l]) == 0)
			return l;
	if (strcasecmp(s, "warning") == 0)
		return LOG_LVL_WARN;
	return -1;
}

/* Appends with snprintf semantics: pos may run past size, meaning "cut". */
static size_t put_time(char *buf, size_t size)
{
	struct timespec ts;
	struct tm tm;

	if (clock_gettime(CLOCK_REALTIME, &ts) < 0 || !gmtime_r(&ts.tv_sec, &tm))
		return (size_t)snprintf(buf, size, "-");
	return (size_t)snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ",
	                        tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	                        tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000L);
}

/* Whatever a caller passed unescaped, one event stays one line. */
static void defang(char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f)
			s[i] = '?';
	}
}

/* Length of s[0..n) without a multi-byte sequence that the cut left unfinished. */
static size_t drop_partial(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t k = n, cont = 0;

	while (k > 0 && cont < 3 && (s[k - 1] & 0xC0) == 0x80) {
		k--;
		cont++;
	}
	if (k == 0 || s[k - 1] < 0xC0)
		return n;
	size_t need = s[k - 1] >= 0xF0 ? 3 : s[k - 1] >= 0xE0 ? 2 : 1;
	return cont < need ? k - 1 : n;
}

static void write_all(const char *buf, size_t n)
{
	while (n > 0) {
		ssize_t w = write(STDERR_FILENO, buf, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return; /* nowhere left to report it */
		}
		buf += w;
		n -= (size_t)w;
	}
}

void log_msg(enum log_level level, const char *msg, const char *fields_fmt, ...)
{
	static const char cut_mark[] = "...";
	char line[LOG_LINE_MAX];
	/* snprintf(.., body) keeps body-1 bytes: room stays for "...\n" */
	const size_t body = sizeof(line) - (sizeof(cut_mark) - 1);
	size_t pos;
	int saved = errno;

	if (level > log_state.level)
		return;
	if (level < LOG_LVL_ERROR)
		level = LOG_LVL_ERROR;
	if (level > LOG_LVL_DEBUG)
		level = LOG_LVL_DEBUG;

	if (log_state.journal) {
		pos = (size_t)snprintf(line, body, "<%d>", (int)level);
	} else {
		pos = put_time(line, body);
		if (pos < body)
			pos += (size_t)snprintf(line + pos, body - pos, " %s ", level_names[level]);
	}
	size_t msg_start = pos;
	if (pos < body)
		pos += (size_t)snprintf(line + pos, body - pos, "%s", msg ? msg : "");
	if (fields_fmt && *fields_fmt && pos < body) {
		va_list ap;
		line[pos++] = ' ';
		va_start(ap, fields_fmt);
		int n = vsnprintf(line + pos, pos < body ? body - pos : 0, fields_fmt, ap);
		va_end(ap);
		if (n > 0)
			pos += (size_t)n;
	}
	/* A token must never reach the journal, whoever passed it; one that the
	 * cut below splits must not leave its first half either. */
	if (pos >= body) {
		/* snprintf stopped at body-1; cut at a code point, not inside one */
		pos = msg_start + drop_partial(line + msg_start, body - 1 - msg_start);
		pos = msg_start + redact_secrets_cut(line + msg_start, pos - msg_start);
		memcpy(line + pos, cut_mark, sizeof(cut_mark) - 1);
		pos += sizeof(cut_mark) - 1;
	} else {
		pos = msg_start + redact_secrets(line + msg_start, pos - msg_start);
	}
	defang(line + msg_start, pos - msg_start);
	line[pos++] = '\n';
	write_all(line, pos);
	errno = saved;
}

void log_cli_error(const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	int saved = errno;
	size_t pos = stderr_is_journal() ? (size_t)snprintf(line, sizeof(line), "<%d>",
	                                                    (int)LOG_LVL_ERROR) : 0;
	pos += (size_t)snprintf(line + pos, sizeof(line) - pos, "scobot: ");
	size_t start = pos;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line + pos, sizeof(line) - pos - 1, fmt, ap);
	va_end(ap);
	if (n > 0)
		pos += (size_t)n < sizeof(line) - pos - 1 ? (size_t)n : sizeof(line) - pos - 2;
	pos = start + redact_secrets(line + start, pos - start);
	defang(line + start, pos - start);
	line[pos++] = '\n';
	write_all(line, pos);
	errno = saved;
}

/* Code points that reorder or break a displayed line: shown as \uXXXX. */
static bool is_invisible_control(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9f) ||        /* C1 controls */
	       cp == 0x061c ||                      /* Arabic letter mark */
	       cp == 0x200e || cp == 0x200f ||      /* LRM, RLM */
	       cp == 0x2028 || cp == 0x2029 ||      /* line, paragraph separator */
	       (cp >= 0x202a && cp <= 0x202e) ||    /* bidi embeddings, overrides */
	       (cp >= 0x2066 && cp <= 0x2069) ||    /* bidi isolates */
	       cp == 0xfeff;                        /* zero-width no-break space */
}

/* Longest escaped form of one code point ("\\u202E"), plus room for the NUL
 * that snprintf writes (bytes). */
#define ESCAPE_PIECE_SIZE 12

/* Writes the escaped form of the code point at s[*i] into piece. */
static size_t escape_one(const char *s, size_t len, size_t *i, char quote, char *piece)
{
	size_t start = *i;
	unsigned char c = (unsigned char)s[start];
	uint32_t cp = utf8_next(s, len, i);

	if (cp == UTF8_REPLACEMENT && *i - start == 1 && c >= 0x80) {
		snprintf(piece, ESCAPE_PIECE_SIZE, "\\x%02X", c);
		return 4;
	}
	if (cp < 0x80) {
		switch (cp) {
		case '\n': memcpy(piece, "\\n", 2); return 2;
		case '\r': memcpy(piece, "\\r", 2); return 2;
		case '\t': memcpy(piece, "\\t", 2); return 2;
		case '\\': memcpy(piece, "\\\\", 2); return 2;
		default: break;
		}
		if ((char)cp == quote) {
			piece[0] = '\\';
			piece[1] = quote;
			return 2;
		}
		if (cp < 0x20 || cp == 0x7f) {
			snprintf(piece, ESCAPE_PIECE_SIZE, "\\x%02X", (unsigned)cp);
			return 4;
		}
		piece[0] = (char)cp;
		return 1;
	}
	if (is_invisible_control(cp)) {
		snprintf(piece, ESCAPE_PIECE_SIZE, "\\u%04X", (unsigned)cp);
		return 6;
	}
	memcpy(piece, s + start, *i - start);
	return *i - start;
}

const char *log_escape_quoted(const char *s, size_t len, char quote, char *out,
                              size_t size)
{
	static const char cut_mark[] = "...";
	const size_t cut_len = sizeof(cut_mark) - 1;

	if (!out || size == 0)
		return "";
	if (!s) {
		snprintf(out, size, "(null)");
		return out;
	}
	/* Smallest useful output: two quotes, the cut mark and the NUL. */
	if (size < 2 + cut_len + 1) {
		out[0] = '\0';
		return out;
	}
	size_t pos = 0, i = 0, safe = 1;
	out[pos++] = quote;
	while (i < len) {
		char piece[ESCAPE_PIECE_SIZE];
		size_t n = escape_one(s, len, &i, quote, piece);
		/* whole text: room for the closing quote and NUL */
		if (pos + n + 2 > size) {
			pos = safe;
			out[pos++] = quote;
			memcpy(out + pos, cut_mark, cut_len);
			pos += cut_len;
			out[pos] = '\0';
			return out;
		}
		memcpy(out + pos, piece, n);
		pos += n;
		/* a cut after this piece still leaves room for quote, mark and NUL */
		if (pos + 1 + cut_len + 1 <= size)
			safe = pos;
	}
	out[pos++] = quote;
	out[pos] = '\0';
	return out;
}

const char *log_escape(const char *s, size_t len, char *out, size_t size)
{
	return log_escape_quoted(s, len, '"', out, size);
}
