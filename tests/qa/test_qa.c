/* test_qa.c: runs the labelled question set (questions.tsv) through the engine
 * with the built-in facts and fails on every answer that is wrong as if sure.
 *
 *   test_qa questions.tsv         every row, TAP, summary at the end
 *   test_qa questions.tsv LINE    only the row on that line, full answer shown
 *   test_qa questions.tsv -v      every row, each answer shown on one line
 *
 * A row is one of: correct; not sure (the engine declined: right for
 * expect=notsure, a miss for expect=answer, never a failure); wrong as if sure
 * (ANSWER_OK where not sure was expected, a `must` missing, a `must_not`
 * present, or the answer in another language than the row's). Only the last
 * is `not ok`, because a confident wrong answer is the worst defect while a
 * miss is a gap. Rows that break the file format are `not ok` too, named
 * file:line, so a typo in the data cannot silently drop a check.
 * The format is described in tests/qa/README.md. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/answer.h"
#include "core/engine.h"
#include "util/date.h"
#include "core/facts.h"

/* The date every label assumes ("who is secretary-general now" is Nurlan
 * Yermekbayev on this day). The engine reads no clock: today's date comes in
 * through the query, which qa_ask() builds, so this is the only place it is set. */
#define QA_TODAY_Y 2026
#define QA_TODAY_M 12
#define QA_TODAY_D 6

#define QA_MAX_ROWS 4096
#define QA_MAX_NEEDLES 16
#define QA_TEXT_BYTES 16384

enum expect { EXPECT_ANSWER, EXPECT_NOTSURE };

enum verdict { V_CORRECT, V_NOTSURE_OK, V_MISS, V_WRONG };

struct row {
	unsigned line;
	enum lang lang;
	enum expect expect;
	char *question;
	char *must[QA_MAX_NEEDLES];
	size_t nmust;
	char *must_not[QA_MAX_NEEDLES];
	size_t nmust_not;
	char error[256];  /* non-empty: the row is malformed */
};

static struct facts *qa_facts;
static struct engine *qa_engine;

/* The engine over the built-in facts, the ones scobot answers with when
 * nothing is installed. */
static void qa_load(void)
{
	struct facts_error err;
	if (facts_load_embedded(&qa_facts, &err) < 0) {
		char msg[512];
		facts_error_format(&err, msg, sizeof(msg));
		printf("Bail out! built-in facts do not load: %s\n", msg);
		exit(1);
	}
	qa_engine = engine_new(qa_facts);
}

/* The one place a question becomes an engine query; today (QA_TODAY_*) goes in here. */
static void qa_ask(const char *question, struct answer *out)
{
	struct engine_query q = {
		.text = question,
		.len = strlen(question),
		.lang = LANG_NONE,       /* detected from the text, as in a chat room */
		.room_lang = LANG_NONE,
		.prefix = "!sco",
		.today = date_days(QA_TODAY_Y, QA_TODAY_M, QA_TODAY_D),
	};
	engine_answer(qa_engine, &q, out);
}

/* Lower-cases Latin and Cyrillic, folds ё to е and no-break space to space, so
 * that a label does not depend on where the answer starts a sentence or on
 * whether it spells "трёх" or "трех". Everything else is copied byte for byte. */
static void fold(const char *s, char *out, size_t size)
{
	size_t o = 0;
	const unsigned char *p = (const unsigned char *)s;
	while (*p && o + 4 < size) {
		unsigned cp = 0;
		size_t n = 1;
		if (p[0] < 0x80) {
			cp = p[0];
		} else if ((p[0] & 0xE0) == 0xC0 && (p[1] & 0xC0) == 0x80) {
			cp = ((p[0] & 0x1Fu) << 6) | (p[1] & 0x3Fu);
			n = 2;
		} else {
			/* Not a 2-byte sequence: nothing here to fold; copy it as is. */
			out[o++] = (char)*p++;
			continue;
		}
		if (cp >= 'A' && cp <= 'Z')
			cp += 32;
		else if (cp >= 0x410 && cp <= 0x42F)
			cp += 0x20;
		else if (cp >= 0x400 && cp <= 0x40F)
			cp += 0x50;
		if (cp == 0x451)  /* ё */
			cp = 0x435;
		if (cp == 0xA0)
			cp = ' ';
		if (cp < 0x80) {
			out[o++] = (char)cp;
		} else {
			out[o++] = (char)(0xC0 | (cp >> 6));
			out[o++] = (char)(0x80 | (cp & 0x3F));
		}
		p += n;
	}
	out[o] = '\0';
}

static bool contains_folded(const char *folded_hay, const char *needle)
{
	char n[1024];
	fold(needle, n, sizeof(n));
	return strstr(folded_hay, n) != NULL;
}

/* True if s is valid UTF-8 with no control characters. */
static bool clean_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		size_t n;
		if (*p < 0x20 || *p == 0x7F)
			return false;
		if (*p < 0x80)
			n = 1;
		else if ((*p & 0xE0) == 0xC0 && *p >= 0xC2)
			n = 2;
		else if ((*p & 0xF0) == 0xE0)
			n = 3;
		else if ((*p & 0xF8) == 0xF0 && *p <= 0xF4)
			n = 4;
		else
			return false;
		for (size_t i = 1; i < n; i++)
			if ((p[i] & 0xC0) != 0x80)
				return false;
		p += n;
	}
	return true;
}

/* Splits a ` | `-separated list in place. Empty field: no needles. */
static bool split_needles(char *field, char **out, size_t *count, char *err, size_t errsize,
                          const char *column)
{
	*count = 0;
	if (!*field)
		return true;
	for (char *s = field;;) {
		char *bar = strstr(s, " | ");
		if (bar)
			*bar = '\0';
		if (!*s || *s == ' ' || s[strlen(s) - 1] == ' ' || strchr(s, '|')) {
			snprintf(err, errsize, "%s: empty or badly separated item \"%s\" (items are separated by \" | \")",
			         column, s);
			return false;
		}
		if (*count == QA_MAX_NEEDLES) {
			snprintf(err, errsize, "%s: more than %d items", column, QA_MAX_NEEDLES);
			return false;
		}
		out[(*count)++] = s;
		if (!bar)
			return true;
		s = bar + 3;
	}
}

/* Parses one data line (already without its newline) into r; on a format error
 * sets r->error and leaves the rest unspecified. */
static void parse_row(char *line, struct row *r)
{
	char *col[7];
	size_t n = 0;
	col[n++] = line;
	for (char *p = line; *p; p++)
		if (*p == '\t') {
			*p = '\0';
			if (n == 7)
				break;
			col[n++] = p + 1;
		}
	if (n < 5 || n > 6) {
		snprintf(r->error, sizeof(r->error),
		         "%zu columns; want lang, expect, question, must, must_not[, note] separated by tabs", n);
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (!clean_utf8(col[i])) {
			snprintf(r->error, sizeof(r->error), "column %zu: invalid UTF-8 or a control character", i + 1);
			return;
		}
	if (strcmp(col[0], "en") == 0)
		r->lang = LANG_EN;
	else if (strcmp(col[0], "ru") == 0)
		r->lang = LANG_RU;
	else if (strcmp(col[0], "zh") == 0)
		r->lang = LANG_ZH;
	else {
		snprintf(r->error, sizeof(r->error), "lang \"%.40s\": want en, ru or zh", col[0]);
		return;
	}
	if (strcmp(col[1], "answer") == 0)
		r->expect = EXPECT_ANSWER;
	else if (strcmp(col[1], "notsure") == 0)
		r->expect = EXPECT_NOTSURE;
	else {
		snprintf(r->error, sizeof(r->error), "expect \"%.40s\": want answer or notsure", col[1]);
		return;
	}
	if (!*col[2]) {
		snprintf(r->error, sizeof(r->error), "empty question");
		return;
	}
	r->question = col[2];
	if (!split_needles(col[3], r->must, &r->nmust, r->error, sizeof(r->error), "must") ||
	    !split_needles(col[4], r->must_not, &r->nmust_not, r->error, sizeof(r->error), "must_not"))
		return;
	if (r->expect == EXPECT_ANSWER && r->nmust == 0 && r->nmust_not == 0)
		snprintf(r->error, sizeof(r->error), "expect=answer with neither must nor must_not checks nothing");
}

/* The answer on one line for a TAP comment, cut at a character boundary. */
static void one_line(const char *s, char *out, size_t size)
{
	size_t o = 0;
	for (; s[o] && o + 1 < size; o++)
		out[o] = (s[o] == '\n' || s[o] == '\r' || s[o] == '\t') ? ' ' : s[o];
	if (s[o])
		while (o > 0 && ((unsigned char)s[o] & 0xC0) == 0x80)
			o--;
	out[o] = '\0';
}

struct tally {
	unsigned rows, correct, notsure, misses, wrong;
};

static const char *lang_label[LANG_COUNT] = {"en", "ru", "zh"};

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: %s questions.tsv [LINE | -v]\n", argv[0]);
		return 2;
	}
	const char *path = argv[1];
	bool verbose = argc == 3 && strcmp(argv[2], "-v") == 0;
	unsigned only = 0;
	if (argc == 3 && !verbose) {
		char *end;
		unsigned long l = strtoul(argv[2], &end, 10);
		if (*end || l == 0 || l > 1000000) {
			fprintf(stderr, "%s: LINE must be a line number, not '%s'\n", argv[0], argv[2]);
			return 2;
		}
		only = (unsigned)l;
	}
	FILE *f = fopen(path, "r");
	if (!f) {
		printf("Bail out! %s: %s\n", path, strerror(errno));
		return 1;
	}

	static struct row rows[QA_MAX_ROWS];
	size_t nrows = 0;
	char *lines[QA_MAX_ROWS];
	char *buf = NULL;
	size_t cap = 0;
	ssize_t len;
	unsigned lineno = 0;
	while ((len = getline(&buf, &cap, f)) >= 0) {
		lineno++;
		while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
			buf[--len] = '\0';
		if (len == 0 || buf[0] == '#')
			continue;
		if (nrows == QA_MAX_ROWS) {
			printf("Bail out! %s:%u: more than %d rows\n", path, lineno, QA_MAX_ROWS);
			return 1;
		}
		if (strlen(buf) != (size_t)len) {
			/* a NUL byte would hide the rest of the row from the checks */
			lines[nrows] = strdup("");
			rows[nrows] = (struct row){.line = lineno};
			snprintf(rows[nrows].error, sizeof(rows[nrows].error), "NUL byte in the line");
			nrows++;
			continue;
		}
		lines[nrows] = strdup(buf);
		if (!lines[nrows]) {
			printf("Bail out! out of memory\n");
			return 1;
		}
		rows[nrows] = (struct row){.line = lineno};
		parse_row(lines[nrows], &rows[nrows]);
		nrows++;
	}
	free(buf);
	if (ferror(f)) {
		printf("Bail out! %s: read error\n", path);
		fclose(f);
		return 1;
	}
	fclose(f);
	if (nrows == 0) {
		printf("Bail out! %s: no rows\n", path);
		return 1;
	}

	/* A repeated question would be counted twice and hide that the set is smaller. */
	for (size_t i = 0; i < nrows; i++)
		for (size_t j = 0; j < i && !rows[i].error[0]; j++)
			if (!rows[j].error[0] && rows[j].lang == rows[i].lang &&
			    strcmp(rows[j].question, rows[i].question) == 0)
				snprintf(rows[i].error, sizeof(rows[i].error),
				         "the same question as line %u", rows[j].line);

	struct tally t[LANG_COUNT] = {{0}}, all = {0};
	unsigned bad = 0, n = 0;
	static char text[QA_TEXT_BYTES], folded[QA_TEXT_BYTES * 2], shown[600];
	static struct answer a;

	size_t planned = 0;
	for (size_t i = 0; i < nrows; i++)
		planned += !only || rows[i].line == only;
	if (only && planned == 0) {
		printf("Bail out! %s:%u is not a row\n", path, only);
		return 1;
	}
	printf("1..%zu\n", planned);
	qa_load();

	for (size_t i = 0; i < nrows; i++) {
		struct row *r = &rows[i];
		if (only && r->line != only)
			continue;
		n++;
		if (r->error[0]) {
			printf("not ok %u - %s:%u: %s\n", n, path, r->line, r->error);
			bad++;
			continue;
		}
		qa_ask(r->question, &a);
		answer_render(&a, RENDER_PLAIN, text, sizeof(text));
		fold(text, folded, sizeof(folded));

		enum verdict v;
		char why[512] = "";
		if (a.status != ANSWER_OK) {
			v = r->expect == EXPECT_NOTSURE ? V_NOTSURE_OK : V_MISS;
		} else if (r->expect == EXPECT_NOTSURE) {
			v = V_WRONG;
			snprintf(why, sizeof(why), "answered, but the facts do not cover this");
		} else if (a.lang != r->lang) {
			v = V_WRONG;
			snprintf(why, sizeof(why), "answered in %s", lang_code(a.lang));
		} else {
			v = V_CORRECT;
			for (size_t k = 0; k < r->nmust && v == V_CORRECT; k++)
				if (!contains_folded(folded, r->must[k])) {
					v = V_WRONG;
					snprintf(why, sizeof(why), "lacks \"%s\"", r->must[k]);
				}
			for (size_t k = 0; k < r->nmust_not && v == V_CORRECT; k++)
				if (contains_folded(folded, r->must_not[k])) {
					v = V_WRONG;
					snprintf(why, sizeof(why), "says \"%s\"", r->must_not[k]);
				}
		}

		struct tally *lt = &t[r->lang];
		lt->rows++;
		all.rows++;
		switch (v) {
		case V_CORRECT:
		case V_NOTSURE_OK:
			lt->correct++;
			all.correct++;
			break;
		case V_MISS:
			break;
		case V_WRONG:
			lt->wrong++;
			all.wrong++;
			break;
		}
		if (a.status != ANSWER_OK) {
			lt->notsure++;
			all.notsure++;
		}
		if (v == V_MISS) {
			lt->misses++;
			all.misses++;
		}

		one_line(text, shown, sizeof(shown));
		if (v == V_WRONG) {
			printf("not ok %u - %s:%u [%s] %s\n", n, path, r->line, lang_label[r->lang], r->question);
			printf("# wrong: %s; answered: %s\n", why, shown);
		} else {
			printf("ok %u - %s:%u [%s] %s\n", n, path, r->line, lang_label[r->lang], r->question);
			if (v == V_MISS)
				printf("# miss: %s -> not sure\n", r->question);
			else if (verbose)
				printf("# %s: %s\n", a.status == ANSWER_OK ? "answered" : "not sure", shown);
		}
		if (only)
			printf("# status %d, lang %s, full answer:\n%s\n", (int)a.status,
			       lang_code(a.lang), text);
		fflush(stdout);
	}

	printf("# summary (today %04d-%02d-%02d):\n", QA_TODAY_Y, QA_TODAY_M, QA_TODAY_D);
	for (int l = 0; l < LANG_COUNT; l++)
		if (t[l].rows)
			printf("#   %s: accuracy %u/%u (%.1f%%), not sure %u (of which misses %u), wrong %u\n",
			       lang_label[l], t[l].correct, t[l].rows, 100.0 * t[l].correct / t[l].rows,
			       t[l].notsure, t[l].misses, t[l].wrong);
	if (all.rows)
		printf("#   all: accuracy %u/%u (%.1f%%), not sure %u (of which misses %u), wrong %u\n",
		       all.correct, all.rows, 100.0 * all.correct / all.rows, all.notsure, all.misses,
		       all.wrong);
	if (bad)
		printf("#   malformed rows: %u\n", bad);

	for (size_t i = 0; i < nrows; i++)
		free(lines[i]);
	engine_free(qa_engine);
	facts_free(qa_facts);
	return all.wrong || bad ? 1 : 0;
}
