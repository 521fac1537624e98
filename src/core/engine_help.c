/* engine_help.c: answers about scobot itself: help and usage lines, what the
 * table holds and how old it is (`about`, `source`), and the room's language. */
#include "core/engine_impl.h"

#include <stdio.h>
#include <string.h>

static void usage_line(struct ctx *c, const struct command_info *ci, char *buf, size_t size)
{
	const char *args = L(c, &ci->usage);
	snprintf(buf, size, "%s %s%s%s", prefix_of(c), L(c, &ci->label), *args ? " " : "", args);
}

void eng_answer_usage(struct ctx *c, const struct command_info *ci)
{
	char u[160];
	usage_line(c, ci, u, sizeof(u));
	emit(c, M_USAGE, u);
	c->a->status = ANSWER_USAGE;
	c->a->ephemeral = true;
}

static const char *lang_name(struct ctx *c, enum lang l)
{
	return i18n(c->lang, l == LANG_RU ? M_LANG_NAME_RU : l == LANG_ZH ? M_LANG_NAME_ZH :
			     M_LANG_NAME_EN);
}

void eng_answer_help(struct ctx *c, const char *arg, size_t len, enum lang room_lang)
{
	c->a->command = "help";
	c->a->ephemeral = true;
	if (len) {
		size_t rest;
		const struct command_info *ci = match_command(c->e, arg, len, &rest);
		if (ci) {
			char u[160], al[512];
			size_t o = 0;
			usage_line(c, ci, u, sizeof(u));
			emit(c, M_HELP_COMMAND, u, L(c, &ci->summary));
			for (const char *const *a = ci->aliases; *a && o + 2 < sizeof(al); a++)
				o += (size_t)snprintf(al + o, sizeof(al) - o, "%s%s", o ? ", " : "", *a);
			if (o >= sizeof(al))
				o = sizeof(al) - 1;
			answer_break(c->a);
			emit(c, M_ALIASES, al);
			return;
		}
	}
	const struct fact_sg *sg;
	bool appointed;
	struct pdate to = eng_run_to(c, &sg, &appointed);
	char d[64];
	emit(c, M_HELP_HEAD, when_date(c->lang, &to, false, d, sizeof(d)));
	answer_break(c->a);
	for (size_t i = 0; i < c->e->ncommands; i++) {
		char u[160];
		usage_line(c, &c->e->commands[i], u, sizeof(u));
		answer_item(c->a);
		emit(c, M_HELP_COMMAND, u, L(c, &c->e->commands[i].summary));
		answer_break(c->a);
	}
	emit0(c, M_HELP_FOOTER);
	answer_break(c->a);
	/* The example switches to another language than the one in use. */
	enum lang here = room_lang == LANG_NONE ? c->lang : room_lang;
	char cmd[64];
	snprintf(cmd, sizeof(cmd), "%s lang %s", prefix_of(c), here == LANG_RU ? "en" : "ru");
	emit(c, M_HELP_LANG, lang_name(c, here), cmd);
}

/* What scobot knows and how old its newest fact is, against today. */
void eng_answer_about(struct ctx *c)
{
	char n[24], ns[24], d[64], src[256], age[64], t[64], pd[64];
	const struct fact_sg *sg;
	bool appointed;
	struct pdate to = eng_run_to(c, &sg, &appointed);
	struct pdate now = date_from_days(c->today);
	snprintf(n, sizeof(n), "%zu", c->f->n_facts + c->f->n_sgs + c->f->n_attendees);
	snprintf(ns, sizeof(ns), "%zu", c->f->n_sources);
	/* The event's newest source published by today says where it comes from. */
	const struct fact_refs *refs = sg ? &sg->sources : &c->f->opening.sources;
	const struct fact_source *best = NULL;
	for (size_t i = 0; i < refs->n; i++) {
		const struct fact_source *s = refs->v[i];
		if (s->published.prec && s->published.first <= c->today &&
		    (!best || s->published.first > best->published.first))
			best = s;
	}
	if (best)
		eng_fill(src, sizeof(src), i18n(c->lang, M_SOURCE_ITEM),
		         (const char *[]){best->publisher,
		                          when_date(c->lang, &best->published, false, pd, sizeof(pd))},
		         2);
	else
		snprintf(src, sizeof(src), "%s", refs->n ? refs->v[0]->publisher : "");
	c->a->command = "about";
	emit(c, M_ABOUT, n, ns, when_date(c->lang, &to, true, d, sizeof(d)), src,
	     when_age(c->lang, to.first, c->today, age, sizeof(age)),
	     when_date(c->lang, &now, false, t, sizeof(t)));
}

void eng_answer_source(struct ctx *c)
{
	char cmd[64], n[24], d[64];
	const struct fact_sg *sg;
	bool appointed;
	struct pdate to = eng_run_to(c, &sg, &appointed);
	snprintf(cmd, sizeof(cmd), "%s fact sg.term", prefix_of(c));
	snprintf(n, sizeof(n), "%zu", c->f->n_sources);
	c->a->command = "source";
	emit(c, M_SOURCE_CMD, n, c->f->document ? c->f->document : "",
	     when_date(c->lang, &to, false, d, sizeof(d)), cmd);
}

void eng_answer_lang(struct ctx *c, const char *arg, size_t len, enum lang room_lang)
{
	char word[32];
	size_t n = 0;
	c->a->command = "lang";
	while (n < len && n + 1 < sizeof(word) && arg[n] != ' ' && arg[n] != '\t') {
		word[n] = arg[n];
		n++;
	}
	word[n] = '\0';
	char cmd[64];
	snprintf(cmd, sizeof(cmd), "%s lang en|ru|zh", prefix_of(c));
	if (n == 0) {
		c->a->action = ACTION_SHOW_LANG;
		emit(c, M_LANG_SHOW, lang_name(c, room_lang == LANG_NONE ? c->lang : room_lang), cmd);
		return;
	}
	enum lang l = lang_parse(word);
	if (l == LANG_NONE) {
		eng_answer_usage(c, commands_find("lang"));
		return;
	}
	/* Confirm in the language just chosen. */
	c->lang = l;
	c->a->lang = l;
	c->a->action = ACTION_SET_LANG;
	c->a->action_lang = l;
	emit(c, M_LANG_SET, lang_name(c, l));
}
