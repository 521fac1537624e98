/* fuzz_engine.c: any bytes as a chat message, through the engine in every
 * language mode and into all three renderers, checking the answer's own bounds
 * and that user text never comes out as markup, a mention or a link; it must
 * not need anything but the built-in facts.
 *
 * The input is what an adapter hands the engine: the text after the prefix, or
 * a plain question, possibly invalid UTF-8 and not NUL-terminated. */
#include <stdbool.h>
#include <string.h>

#include "core/answer.h"
#include "core/engine.h"
#include "core/facts.h"
#include "fuzz.h"
#include "util/date.h"
#include "util/log.h"
#include "util/utf8.h"

#define OUT_SIZE (64u * 1024) /* bytes: far above any rendering of one answer */

static const char zwsp[] = "\xE2\x80\x8B";

static struct facts *g_facts;
static struct engine *g_engine;

static void teardown(void)
{
	engine_free(g_engine);
	facts_free(g_facts);
}

/* The built-in table, loaded once: it is read-only, so reusing it across
 * inputs hides nothing. */
static const struct engine *engine_once(void)
{
	if (!g_engine) {
		struct facts_error err;
		FUZZ_CHECK(facts_load_embedded(&g_facts, &err) == 0);
		g_engine = engine_new(g_facts);
		atexit(teardown);
	}
	return g_engine;
}

static bool starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The struct answer contract: every offset inside buf, every range inside seg. */
static void check_answer(const struct answer *a)
{
	FUZZ_CHECK(a->status >= ANSWER_OK && a->status <= ANSWER_IGNORED);
	FUZZ_CHECK(a->lang >= 0 && a->lang < LANG_COUNT);
	FUZZ_CHECK(a->command != NULL);
	FUZZ_CHECK(memchr(a->title, '\0', sizeof(a->title)) != NULL);
	FUZZ_CHECK(utf8_valid(a->title, strlen(a->title)));
	FUZZ_CHECK(a->used <= ANSWER_MAX_BYTES);
	FUZZ_CHECK(a->nseg <= ANSWER_MAX_SEGS);
	FUZZ_CHECK(a->nseg_body <= a->nseg);
	FUZZ_CHECK(a->nfield <= ANSWER_MAX_FIELDS);
	for (size_t i = 0; i < a->nseg; i++) {
		const struct answer_seg *g = &a->seg[i];
		FUZZ_CHECK(g->kind <= SEG_ITEM);
		FUZZ_CHECK((size_t)g->off + g->len <= a->used);
	}
	for (size_t i = 0; i < a->nfield; i++) {
		const struct answer_field *f = &a->field[i];
		FUZZ_CHECK((size_t)f->name_off + f->name_len <= a->used);
		FUZZ_CHECK((size_t)f->seg_first + f->seg_count <= a->nseg);
	}
	if (a->action == ACTION_SET_LANG)
		FUZZ_CHECK(a->action_lang >= 0 && a->action_lang < LANG_COUNT);
}

/* Bidi overrides/isolates and C0 controls must never survive from user text. */
static void check_no_controls(const char *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		uint32_t cp = utf8_next(s, len, &i);
		FUZZ_CHECK(cp >= 0x20 && cp != 0x7F);
		FUZZ_CHECK(!(cp >= 0x202A && cp <= 0x202E));
		FUZZ_CHECK(!(cp >= 0x2066 && cp <= 0x2069));
	}
}

/* One SEG_USER segment rendered alone: escaped for its format, de-fanged. */
static void check_user_rendering(enum render_format fmt, const char *s, size_t len)
{
	FUZZ_CHECK(utf8_valid(s, len));
	check_no_controls(s, len);
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		/* A mention trigger or a link's "//" is always followed by a ZWSP. */
		if (c == '@' || (c == '/' && i > 0 && s[i - 1] == '/'))
			FUZZ_CHECK(i + 4 <= len && memcmp(s + i + 1, zwsp, 3) == 0);
		if (fmt == RENDER_HTML) {
			FUZZ_CHECK(c != '<' && c != '>' && c != '"' && c != '\'');
			if (c == '&')
				FUZZ_CHECK(starts(s + i, "&amp;") || starts(s + i, "&lt;") ||
				           starts(s + i, "&gt;") || starts(s + i, "&quot;") ||
				           starts(s + i, "&#39;"));
		} else if (fmt == RENDER_MARKDOWN) {
			if (c == '\\') {
				FUZZ_CHECK(i + 1 < len);
				i++; /* the escaped character */
				continue;
			}
			FUZZ_CHECK(!strchr("*_~`|>#[]()<:-!", c) || c == '\0');
		}
	}
}

/* The whole HTML body: every tag is one the renderer itself writes, and no
 * '>' stands outside one. */
static void check_html_tags(const char *s, size_t len)
{
	static const char *const tags[] = {"<strong>", "</strong>", "<code>", "</code>", "<br>",
	                                   "<ul>",     "</ul>",     "<li>",   "</li>"};
	for (size_t i = 0; i < len; i++) {
		FUZZ_CHECK(s[i] != '>');
		if (s[i] != '<')
			continue;
		size_t taglen = 0;
		for (size_t t = 0; t < sizeof(tags) / sizeof(tags[0]); t++)
			if (starts(s + i, tags[t]))
				taglen = strlen(tags[t]);
		FUZZ_CHECK(taglen > 0);
		i += taglen - 1;
	}
}

/* A whole rendering: our own text has no control or bidi characters but line
 * breaks, so one here means user text escaped its SEG_USER segment. */
static void check_own_text(const char *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		uint32_t cp = utf8_next(s, len, &i);
		FUZZ_CHECK(cp >= 0x20 || cp == '\n');
		FUZZ_CHECK(cp != 0x7F && !(cp >= 0x80 && cp < 0xA0));
		FUZZ_CHECK(!(cp >= 0x202A && cp <= 0x202E));
		FUZZ_CHECK(!(cp >= 0x2066 && cp <= 0x2069));
	}
}

static void check_rendering(const struct answer *a, enum render_format fmt, size_t first,
                            size_t count, char *out)
{
	size_t need = answer_render_range(a, fmt, first, count, NULL, 0);
	size_t got = answer_render_range(a, fmt, first, count, out, OUT_SIZE);
	FUZZ_CHECK(need == got); /* snprintf contract: size 0 only measures */
	FUZZ_CHECK(got < OUT_SIZE);
	FUZZ_CHECK(strlen(out) == got); /* NUL-terminated, no NUL inside */
	FUZZ_CHECK(utf8_valid(out, got));
	FUZZ_CHECK(!strstr(out, "@everyone") && !strstr(out, "@here"));
	check_own_text(out, got);
	if (fmt == RENDER_HTML)
		check_html_tags(out, got);

	/* Cut renderings: NUL-terminated inside the buffer, a prefix of the full
	 * text, never ending inside a UTF-8 sequence. */
	static const size_t sizes[] = {1, 2, 3, 5, 17, 100, 1001};
	char cut[1001];
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		memset(cut, 'X', sizeof(cut));
		size_t n = answer_render_range(a, fmt, first, count, cut, sizes[k]);
		FUZZ_CHECK(n == got);
		size_t l = strnlen(cut, sizes[k]);
		FUZZ_CHECK(l < sizes[k]);
		FUZZ_CHECK(memcmp(cut, out, l) == 0);
		FUZZ_CHECK(utf8_valid(cut, l));
	}
}

static void check_answer_renderings(const struct answer *a, char *out)
{
	for (int fmt = RENDER_PLAIN; fmt <= RENDER_HTML; fmt++) {
		size_t body = a->nseg_body ? a->nseg_body : a->nseg;
		check_rendering(a, (enum render_format)fmt, 0, body, out);
		for (size_t i = 0; i < a->nfield; i++)
			check_rendering(a, (enum render_format)fmt, a->field[i].seg_first,
			                a->field[i].seg_count, out);
		for (size_t i = 0; i < a->nseg; i++) {
			if (a->seg[i].kind != SEG_USER)
				continue;
			size_t n = answer_render_range(a, (enum render_format)fmt, i, 1, out,
			                               OUT_SIZE);
			FUZZ_CHECK(n < OUT_SIZE);
			check_user_rendering((enum render_format)fmt, out, n);
		}
	}
}

static void ask(const struct engine *e, const char *text, size_t len, enum lang lang,
                enum lang room_lang, char *out)
{
	struct engine_query q = {
		.text = text, .len = len, .lang = lang, .room_lang = room_lang, .prefix = "!sco",
		.today = date_days(2026, 12, 6), /* fixed, so a crash replays on any day */
	};
	struct answer a;
	engine_answer(e, &q, &a);
	check_answer(&a);
	check_answer_renderings(&a, out);
	enum lang ql = engine_query_lang(&q);
	FUZZ_CHECK(ql >= 0 && ql < LANG_COUNT);
	if (lang != LANG_NONE)
		FUZZ_CHECK(ql == lang);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char out[OUT_SIZE];
	const struct engine *e = engine_once();
	const char *text = (const char *)data;

	/* Detected language, each forced language, and the room defaults. */
	ask(e, text, size, LANG_NONE, LANG_NONE, out);
	for (int l = 0; l < LANG_COUNT; l++) {
		ask(e, text, size, (enum lang)l, LANG_NONE, out);
		if (l != LANG_EN)
			ask(e, text, size, LANG_NONE, (enum lang)l, out);
	}

	/* The adapters' path: a message that starts with the prefix. */
	size_t rest;
	if (engine_strip_prefix("!sco", text, size, &rest)) {
		FUZZ_CHECK(rest <= size);
		ask(e, text + rest, size - rest, LANG_NONE, LANG_NONE, out);
	}

	/* Discord autocomplete on the same bytes. */
	char choices[25][101];
	for (int l = 0; l < LANG_COUNT; l++) {
		size_t n = engine_complete_sg(e, text, size, (enum lang)l, choices, 25);
		FUZZ_CHECK(n <= 25);
		for (size_t i = 0; i < n; i++) {
			FUZZ_CHECK(memchr(choices[i], '\0', sizeof(choices[i])) != NULL);
			FUZZ_CHECK(utf8_valid(choices[i], strlen(choices[i])));
		}
	}

	/* Escaping arbitrary text directly, and for a log line. */
	for (int fmt = RENDER_PLAIN; fmt <= RENDER_HTML; fmt++) {
		size_t n = render_escape((enum render_format)fmt, text, size, out, OUT_SIZE);
		FUZZ_CHECK(n < OUT_SIZE && strlen(out) == n);
		check_user_rendering((enum render_format)fmt, out, n);
	}
	char logbuf[LOG_ESCAPE_SIZE];
	const char *esc = log_escape(text, size, logbuf, sizeof(logbuf));
	size_t el = strnlen(esc, sizeof(logbuf));
	FUZZ_CHECK(el < sizeof(logbuf));
	check_no_controls(esc, el);
	return 0;
}
