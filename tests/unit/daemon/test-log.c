/* test-log.c: the logger's line format (plain and journald), filtering, bounds,
 * errno, log_escape() and the redaction of token-shaped text; stderr is captured through a pipe. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "util/log.h"
#include "util/redact.h"

#define CAPTURE_MAX 65536 /* bytes: less than a pipe's default capacity */

static int cap_pipe[2] = {-1, -1};
static int cap_saved = -1;
static char cap_buf[CAPTURE_MAX];

/* Points stderr at a pipe; journal: make JOURNAL_STREAM name that pipe. */
static void capture_begin(bool journal, enum log_level level)
{
	struct stat st;
	char env[64];

	fflush(stderr);
	if (pipe(cap_pipe) < 0)
		abort();
	cap_saved = dup(STDERR_FILENO);
	dup2(cap_pipe[1], STDERR_FILENO);
	if (journal) {
		fstat(cap_pipe[1], &st);
		snprintf(env, sizeof(env), "%llu:%llu", (unsigned long long)st.st_dev,
		         (unsigned long long)st.st_ino);
		setenv("JOURNAL_STREAM", env, 1);
	} else {
		unsetenv("JOURNAL_STREAM");
	}
	log_init(level);
}

static const char *capture_end(void)
{
	size_t len = 0;
	ssize_t n;

	dup2(cap_saved, STDERR_FILENO);
	close(cap_saved);
	close(cap_pipe[1]);
	while ((n = read(cap_pipe[0], cap_buf + len, sizeof(cap_buf) - 1 - len)) > 0)
		len += (size_t)n;
	close(cap_pipe[0]);
	cap_buf[len] = '\0';
	unsetenv("JOURNAL_STREAM");
	log_init(LOG_LVL_INFO);
	return cap_buf;
}

static bool is_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

#define DISCORD_TOKEN "MTA5ODc2NTQzMjEwOTg3NjU0.GhIjKl.abcdefghijklmnopqrstuvwxyz0123456789AB"
#define MATRIX_TOKEN "syt_c2NvYm90_abcdefghijklmnopqrst_0AbCdE"

static const char *redacted(const char *in)
{
	static char buf[512];
	snprintf(buf, sizeof(buf), "%s", in);
	return redact_secrets_str(buf);
}

TEST(redact_blanks_discord_and_matrix_tokens_and_url_user_info)
{
	CHECK_STR(redacted("got " DISCORD_TOKEN " here"), "got " REDACT_MARK " here");
	CHECK_STR(redacted("a=" MATRIX_TOKEN ","), "a=" REDACT_MARK ",");
	CHECK_STR(redacted("'" MATRIX_TOKEN "' and '" DISCORD_TOKEN "'"),
	          "'" REDACT_MARK "' and '" REDACT_MARK "'");
	CHECK_STR(redacted("url=http://scobot:PASSWORD@127.0.0.1:1/x"),
	          "url=http://***@127.0.0.1:1/x");
	CHECK_STR(redacted("http://a@h"), "http://*@h");
	CHECK(redact_has_secret(DISCORD_TOKEN, strlen(DISCORD_TOKEN)));
	CHECK(redact_has_secret(MATRIX_TOKEN, strlen(MATRIX_TOKEN)));
}

TEST(redact_leaves_ordinary_text_alone)
{
	static const char *const keep[] = {
		"t.conf:3: [discord] application_id: expected a Discord id (digits)",
		"https://matrix.example.org/_matrix/client/v3/sync?since=s72594_4483_1934",
		"@bob:example.org in !room:example.org said $event_id",
		"version 1.2.3 of facts.json",
		"syt_short",
		"the ratio was 12345678901234567890.1234.5",
	};
	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
		CHECK_STR(redacted(keep[i]), keep[i]);
		CHECK(!redact_has_secret(keep[i], strlen(keep[i])));
	}
}

TEST(a_token_passed_to_the_logger_is_redacted)
{
	capture_begin(false, LOG_LVL_DEBUG);
	log_error("oops " DISCORD_TOKEN, "token=%s url=%s", MATRIX_TOKEN,
	          "https://u:p4ss@h.example/");
	const char *out = capture_end();
	CHECK_NOT_CONTAINS(out, "GhIjKl.abcdef");
	CHECK_NOT_CONTAINS(out, "abcdefghijklmnopqrst_0AbCdE");
	CHECK_NOT_CONTAINS(out, "p4ss");
	CHECK_CONTAINS(out, "oops " REDACT_MARK " token=" REDACT_MARK " url=https://***@h.example/");
}

TEST(a_token_cut_by_the_line_bound_leaves_no_part_behind)
{
	static char pad[LOG_LINE_MAX];
	/* the cut falls at every offset inside the token in turn */
	for (size_t k = 0; k < sizeof(DISCORD_TOKEN) + 4; k++) {
		/* "<3>x pad=" + pad + " t=" puts the token at byte 2044 - k, and the
		 * line is cut at byte 2044 */
		size_t n = LOG_LINE_MAX - 16 - k;
		memset(pad, 'a', n);
		pad[n] = '\0';
		capture_begin(true, LOG_LVL_DEBUG);
		log_error("x", "pad=%s t=%s %s", pad, DISCORD_TOKEN, MATRIX_TOKEN);
		const char *out = capture_end();
		CHECK(strlen(out) <= LOG_LINE_MAX);
		CHECK_NOT_CONTAINS(out, "MTA5ODc2NTQz");
		CHECK_NOT_CONTAINS(out, "GhIjKl");
	}
	CHECK_STR(redacted("x syt_c2Nv"), "x syt_c2Nv");
	char buf[64];
	snprintf(buf, sizeof(buf), "x syt_c2Nv");
	buf[redact_secrets_cut(buf, strlen(buf))] = '\0';
	CHECK_STR(buf, "x ********");
	snprintf(buf, sizeof(buf), "x MTA5ODc2NTQzMjEwOTg3NjU0.Gh");
	buf[redact_secrets_cut(buf, strlen(buf))] = '\0';
	CHECK_STR(buf, "x " REDACT_MARK);
	snprintf(buf, sizeof(buf), "a short.line");
	buf[redact_secrets_cut(buf, strlen(buf))] = '\0';
	CHECK_STR(buf, "a short.line");
}

TEST(plain_line_is_utc_timestamp_level_message_fields)
{
	capture_begin(false, LOG_LVL_INFO);
	log_warn("gateway closed", "shard=%d code=%d", 0, 4000);
	const char *out = capture_end();
	/* 2026-11-28T10:31:46.123Z warn gateway closed shard=0 code=4000 */
	CHECK_INT(strlen(out), 24 + strlen(" warn gateway closed shard=0 code=4000\n"));
	CHECK(is_digits(out, 4) && out[4] == '-' && is_digits(out + 5, 2) && out[7] == '-');
	CHECK(is_digits(out + 8, 2) && out[10] == 'T' && is_digits(out + 11, 2));
	CHECK(out[13] == ':' && out[16] == ':' && out[19] == '.' && is_digits(out + 20, 3));
	CHECK(out[23] == 'Z');
	CHECK_STR(out + 24, " warn gateway closed shard=0 code=4000\n");
}

TEST(journald_line_has_priority_prefix_and_no_timestamp)
{
	capture_begin(true, LOG_LVL_DEBUG);
	log_error("e");
	log_warn("w");
	log_notice("n");
	log_info("i", "k=%s", "v");
	log_debug("d");
	CHECK_STR(capture_end(), "<3>e\n<4>w\n<5>n\n<6>i k=v\n<7>d\n");
}

TEST(journal_stream_naming_another_file_is_ignored)
{
	capture_begin(false, LOG_LVL_INFO);
	/* inherited from a parent whose stderr went to the journal */
	setenv("JOURNAL_STREAM", "1:1", 1);
	log_init(LOG_LVL_INFO);
	log_info("hello");
	const char *out = capture_end();
	CHECK(out[0] != '<');
	CHECK_CONTAINS(out, "Z info hello\n");
}

TEST(level_filter_drops_less_severe_lines)
{
	capture_begin(true, LOG_LVL_NOTICE);
	log_info("dropped");
	log_debug("dropped too");
	log_notice("kept");
	log_set_level(LOG_LVL_DEBUG);
	log_debug("now kept");
	CHECK_STR(capture_end(), "<5>kept\n<7>now kept\n");
}

TEST(message_without_fields_has_no_trailing_space)
{
	capture_begin(true, LOG_LVL_INFO);
	log_info("reloaded");
	CHECK_STR(capture_end(), "<6>reloaded\n");
}

TEST(newline_in_a_field_cannot_start_a_second_line)
{
	capture_begin(true, LOG_LVL_INFO);
	log_info("got", "text=%s", "a\nb\r<3>forged");
	CHECK_STR(capture_end(), "<6>got text=a?b?<3>forged\n");
}

TEST(long_line_is_cut_to_the_bound_with_a_marker)
{
	static char big[3 * LOG_LINE_MAX];
	memset(big, 'x', sizeof(big) - 1);
	capture_begin(true, LOG_LVL_INFO);
	log_info("long", "v=%s", big);
	log_info("next");
	const char *out = capture_end();
	const char *nl = strchr(out, '\n');
	CHECK(nl != NULL);
	if (!nl)
		return;
	CHECK_INT(nl - out + 1, LOG_LINE_MAX);
	CHECK(memcmp(nl - 3, "...", 3) == 0);
	CHECK_STR(nl + 1, "<6>next\n");
}

TEST(long_line_is_not_cut_inside_a_utf8_sequence)
{
	/* two-byte letters, offset by one so the bound falls mid-sequence */
	static char big[2 * LOG_LINE_MAX];
	size_t n = 0;
	big[n++] = 'a';
	while (n + 2 < sizeof(big)) {
		memcpy(big + n, "\xd0\xb6", 2); /* ж */
		n += 2;
	}
	big[n] = '\0';
	for (int shift = 0; shift < 2; shift++) {
		capture_begin(true, LOG_LVL_INFO);
		log_info("u", "%s", big + shift);
		const char *out = capture_end();
		const char *dots = strstr(out, "...\n");
		CHECK(dots != NULL);
		if (!dots)
			return;
		/* the byte before the marker completes a sequence */
		unsigned char last = (unsigned char)dots[-1];
		unsigned char prev = (unsigned char)dots[-2];
		CHECK(last == 'a' || (last == 0xb6 && prev == 0xd0));
	}
}

TEST(errno_is_preserved_across_log_calls)
{
	capture_begin(false, LOG_LVL_INFO);
	errno = EAGAIN;
	log_info("printed");
	CHECK_INT(errno, EAGAIN);
	errno = ETIMEDOUT;
	log_debug("filtered");
	CHECK_INT(errno, ETIMEDOUT);
	capture_end();
}

TEST(errno_is_preserved_when_the_write_fails)
{
	int full = open("/dev/full", O_WRONLY | O_CLOEXEC);
	CHECK(full >= 0);
	if (full < 0)
		return;
	int saved = dup(STDERR_FILENO);
	dup2(full, STDERR_FILENO);
	errno = ECONNRESET;
	log_error("lost");
	int e = errno;
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(full);
	CHECK_INT(e, ECONNRESET);
}

TEST(level_names_parse)
{
	CHECK_INT(log_level_parse("error"), LOG_LVL_ERROR);
	CHECK_INT(log_level_parse("warn"), LOG_LVL_WARN);
	CHECK_INT(log_level_parse("warning"), LOG_LVL_WARN);
	CHECK_INT(log_level_parse("notice"), LOG_LVL_NOTICE);
	CHECK_INT(log_level_parse("INFO"), LOG_LVL_INFO);
	CHECK_INT(log_level_parse("debug"), LOG_LVL_DEBUG);
	CHECK_INT(log_level_parse("verbose"), -1);
	CHECK_INT(log_level_parse(NULL), -1);
}

static const char *esc(const char *s, char *out, size_t size)
{
	return log_escape(s, strlen(s), out, size);
}

TEST(escape_quotes_and_escapes_control_characters)
{
	char out[LOG_ESCAPE_SIZE];
	CHECK_STR(esc("a\nb\tc\rd\x01" "e\x7f", out, sizeof(out)), "\"a\\nb\\tc\\rd\\x01e\\x7F\"");
}

TEST(escape_escapes_backslash_and_quote)
{
	char out[LOG_ESCAPE_SIZE];
	CHECK_STR(esc("say \"hi\" \\o/", out, sizeof(out)), "\"say \\\"hi\\\" \\\\o/\"");
}

TEST(escape_shows_bidi_overrides_and_isolates_as_code_points)
{
	char out[LOG_ESCAPE_SIZE];
	/* U+202E RIGHT-TO-LEFT OVERRIDE, U+2066 LRI, U+2069 PDI, U+202A LRE */
	CHECK_STR(esc("a\xe2\x80\xae" "b\xe2\x81\xa6" "c\xe2\x81\xa9\xe2\x80\xaa", out, sizeof(out)),
	          "\"a\\u202Eb\\u2066c\\u2069\\u202A\"");
	/* C1 control U+0085 NEL */
	CHECK_STR(esc("x\xc2\x85y", out, sizeof(out)), "\"x\\u0085y\"");
}

TEST(escape_shows_invalid_utf8_as_bytes)
{
	char out[LOG_ESCAPE_SIZE];
	/* a stray byte, an overlong '/', a truncated sequence */
	CHECK_STR(esc("a\xff" "b\xc0\xaf" "c\xe2\x82", out, sizeof(out)),
	          "\"a\\xFFb\\xC0\\xAFc\\xE2\\x82\"");
}

TEST(escape_keeps_valid_non_ascii_text)
{
	char out[LOG_ESCAPE_SIZE];
	CHECK_STR(esc("秘书长 генсек", out, sizeof(out)), "\"秘书长 генсек\"");
}

TEST(escape_cuts_long_text_with_a_marker_within_the_buffer)
{
	char out[16];
	CHECK_STR(esc("abcdefghijklmnopqrstuvwxyz", out, sizeof(out)), "\"abcdefghij\"...");
	CHECK(strlen(out) < sizeof(out));
	/* exactly fitting text is not cut: quotes + 13 + NUL = 16 */
	CHECK_STR(esc("abcdefghijklm", out, sizeof(out)), "\"abcdefghijklm\"");
}

TEST(escape_never_cuts_inside_a_character_or_an_escape)
{
	char out[16];
	/* 3-byte characters: 4 fit in 12 bytes of room, never a partial one */
	CHECK_STR(esc("秘书长秘书长秘书长", out, sizeof(out)), "\"秘书长\"...");
	/* \u202E is 6 bytes: it goes whole or not at all */
	CHECK_STR(esc("abcdefg\xe2\x80\xae" "hijkl", out, sizeof(out)), "\"abcdefg\"...");
}

TEST(escape_handles_null_and_tiny_buffers)
{
	char out[LOG_ESCAPE_SIZE], tiny[3];
	CHECK_STR(log_escape(NULL, 0, out, sizeof(out)), "(null)");
	CHECK_STR(log_escape("abc", 3, tiny, sizeof(tiny)), "");
	CHECK_STR(log_escape("", 0, out, sizeof(out)), "\"\"");
	/* embedded NUL is a control character, length is what counts */
	CHECK_STR(log_escape("a\0b", 3, out, sizeof(out)), "\"a\\x00b\"");
}

TEST(escape_quoted_uses_the_given_quote)
{
	char out[LOG_ESCAPE_SIZE];
	CHECK_STR(log_escape_quoted("it's \"x\"", 8, '\'', out, sizeof(out)), "'it\\'s \"x\"'");
}

TAP_MAIN
