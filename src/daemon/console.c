/* console.c: a prompt on a terminal, a filter on a pipe. Reads with a bounded
 * buffer so a line of any length can neither exhaust memory nor be answered twice. */
#include "daemon/console.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/xalloc.h"
#include "util/clock.h"

/* Reads one line into buf (NUL-terminated, without the newline). Returns false
 * at end of input; *ret_cut tells whether the line was longer than buf. A NUL
 * byte becomes U+FFFD, as it does in chat text, so the question is never
 * silently cut short at it. */
static bool read_line(FILE *in, char *buf, size_t size, bool *ret_cut)
{
	size_t n = 0;
	int c;
	bool any = false;
	*ret_cut = false;
	while ((c = getc(in)) != EOF) {
		any = true;
		if (c == '\n')
			break;
		if (c == '\0') {
			if (n + 3 < size) {
				memcpy(buf + n, "\xEF\xBF\xBD", 3);
				n += 3;
			} else {
				*ret_cut = true;
			}
			continue;
		}
		if (n + 1 < size)
			buf[n++] = (char)c;
		else
			*ret_cut = true;
	}
	buf[n] = '\0';
	if (n && buf[n - 1] == '\r')
		buf[--n] = '\0';
	return any;
}

int console_run(const struct engine *e, const char *prefix, enum lang lang, int32_t today,
                FILE *in, FILE *out)
{
	bool tty = isatty(fileno(in)) && isatty(fileno(out));
	char *line = xmalloc(CONSOLE_MAX_LINE + 1);
	char *text = xmalloc(16384);
	struct answer *a = xmalloc(sizeof(*a));
	enum lang session_lang = LANG_NONE;
	bool cut;

	if (tty)
		fprintf(out, "scobot: ask about the SCO Secretariat (\"help\" lists commands, Ctrl-D quits)\n");
	for (;;) {
		if (tty) {
			fputs("sco> ", out);
			fflush(out);
		}
		if (!read_line(in, line, CONSOLE_MAX_LINE + 1, &cut))
			break;
		size_t len = strlen(line), rest;
		const char *q = line;
		if (engine_strip_prefix(prefix, q, len, &rest)) {
			q += rest;
			len -= rest;
		}
		bool blank = true;
		for (size_t i = 0; i < len && blank; i++)
			blank = q[i] == ' ' || q[i] == '\t';
		if (blank)
			continue; /* nothing asked: no answer, on a terminal or a pipe */
		struct engine_query eq = {q, len, lang, session_lang, prefix,
		                          clock_today_or(today)};
		engine_answer(e, &eq, a);
		if (a->action == ACTION_SET_LANG)
			session_lang = a->action_lang;
		answer_render(a, RENDER_PLAIN, text, 16384);
		if (cut)
			fprintf(out, "(only the first %d bytes of that line were read)\n", CONSOLE_MAX_LINE);
		fprintf(out, "%s\n", text);
		if (!tty)
			fputc('\n', out);
		fflush(out);
	}
	if (tty)
		fputc('\n', out);
	free(a);
	free(text);
	free(line);
	return 0;
}
