/* answer.c: building answers in a fixed buffer and rendering them per format.
 * Renderers own all escaping: nothing outside this file decides what is safe to
 * show on Discord or Matrix. */
#include "core/answer.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/text.h"
#include "util/utf8.h"

#define USER_ECHO_MAX_CP 80 /* code points of user text echoed back at most */
/* Combining marks kept on one base character: UAX #15's Stream-Safe Text
 * Format allows 30, and anything beyond is a "Zalgo" tower over other lines. */
#define USER_MAX_COMBINING 30

void answer_init(struct answer *a, enum lang lang)
{
	a->status = ANSWER_OK;
	a->lang = lang;
	a->action = ACTION_NONE;
	a->action_lang = LANG_NONE;
	a->command = "question";
	a->ephemeral = false;
	a->truncated = false;
	a->title[0] = '\0';
	a->nseg_body = 0;
	a->nseg = 0;
	a->nfield = 0;
	a->used = 0;
}

void answer_add(struct answer *a, enum seg_kind kind, const char *s, size_t len)
{
	if (a->nseg >= ANSWER_MAX_SEGS) {
		a->truncated = true;
		return;
	}
	size_t room = ANSWER_MAX_BYTES - a->used;
	if (len > room) {
		len = utf8_trim(s, len, room);
		a->truncated = true;
	}
	if (len == 0 && kind != SEG_BREAK && kind != SEG_ITEM)
		return;
	struct answer_seg *g = &a->seg[a->nseg++];
	g->kind = (uint8_t)kind;
	g->off = a->used;
	g->len = (uint16_t)len;
	memcpy(a->buf + a->used, s, len);
	a->used = (uint16_t)(a->used + len);
}

void answer_text(struct answer *a, const char *s) { answer_add(a, SEG_TEXT, s, strlen(s)); }
void answer_strong(struct answer *a, const char *s) { answer_add(a, SEG_STRONG, s, strlen(s)); }
void answer_code(struct answer *a, const char *s) { answer_add(a, SEG_CODE, s, strlen(s)); }
void answer_user(struct answer *a, const char *s, size_t len) { answer_add(a, SEG_USER, s, len); }
void answer_break(struct answer *a) { answer_add(a, SEG_BREAK, "", 0); }
void answer_item(struct answer *a) { answer_add(a, SEG_ITEM, "", 0); }

void answer_printf(struct answer *a, enum seg_kind kind, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	size_t len = (size_t)n < sizeof(tmp) ? (size_t)n : utf8_trim(tmp, sizeof(tmp) - 1, sizeof(tmp) - 1);
	answer_add(a, kind, tmp, len);
}

void answer_set_title(struct answer *a, const char *title)
{
	size_t len = utf8_trim(title, strlen(title), sizeof(a->title) - 1);
	memcpy(a->title, title, len);
	a->title[len] = '\0';
}

void answer_end_body(struct answer *a)
{
	/* Drop a trailing line break so renderings don't end in an empty line. */
	while (a->nseg > 0 && a->seg[a->nseg - 1].kind == SEG_BREAK)
		a->nseg--;
	a->nseg_body = a->nseg;
}

void answer_field_begin(struct answer *a, const char *name)
{
	if (a->nfield >= ANSWER_MAX_FIELDS) {
		a->truncated = true;
		return;
	}
	size_t len = strlen(name), room = ANSWER_MAX_BYTES - a->used;
	if (len > room)
		len = utf8_trim(name, len, room);
	struct answer_field *f = &a->field[a->nfield];
	f->name_off = a->used;
	f->name_len = (uint16_t)len;
	memcpy(a->buf + a->used, name, len);
	a->used = (uint16_t)(a->used + len);
	f->seg_first = a->nseg;
	f->seg_count = 0;
}

void answer_field_end(struct answer *a)
{
	if (a->nfield >= ANSWER_MAX_FIELDS)
		return;
	struct answer_field *f = &a->field[a->nfield];
	f->seg_count = (uint16_t)(a->nseg - f->seg_first);
	a->nfield++;
}

/* An snprintf-like sink: counts everything, stores what fits. */
struct sink {
	char *p;
	size_t size, len;
};

static void put(struct sink *o, const char *s, size_t n)
{
	if (o->size && o->len < o->size - 1) {
		size_t room = o->size - 1 - o->len;
		memcpy(o->p + o->len, s, n < room ? n : room);
	}
	o->len += n;
}

static void puts_(struct sink *o, const char *s) { put(o, s, strlen(s)); }

static size_t finish(struct sink *o)
{
	if (!o->size)
		return o->len;
	size_t written = o->len < o->size - 1 ? o->len : o->size - 1;
	if (written < o->len) {
		/* Cut at a code point boundary: back up over a partial sequence. */
		size_t k = written;
		while (k > 0 && ((unsigned char)o->p[k - 1] & 0xC0) == 0x80)
			k--;
		if (k > 0 && (unsigned char)o->p[k - 1] >= 0xC0) {
			unsigned char lead = (unsigned char)o->p[k - 1];
			size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
			if (written - (k - 1) < need)
				written = k - 1;
		}
	}
	o->p[written] = '\0';
	return o->len;
}

static const char zwsp[] = "\xE2\x80\x8B"; /* U+200B: breaks mentions and links */

static bool is_unsafe_cp(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) ||
	       (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) ||
	       (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF;
}

/* Writes one code point of text for fmt. `user` adds the defences that only
 * user text needs: no mentions, no links, no control or bidi characters. */
static void put_cp(struct sink *o, enum render_format fmt, uint32_t cp, bool user,
                   uint32_t prev)
{
	char enc[4];
	if (user && is_unsafe_cp(cp)) {
		put(o, "\xEF\xBF\xBD", 3);
		return;
	}
	if (fmt == RENDER_HTML) {
		switch (cp) {
		case '&': puts_(o, "&amp;"); return;
		case '<': puts_(o, "&lt;"); return;
		case '>': puts_(o, "&gt;"); return;
		case '"': puts_(o, "&quot;"); return;
		case '\'': puts_(o, "&#39;"); return;
		default: break;
		}
	} else if (fmt == RENDER_MARKDOWN) {
		const char *special = user ? "\\*_~`|>#[]()<:-!" : "\\*_~`|";
		if (cp < 0x80 && strchr(special, (int)cp)) {
			put(o, "\\", 1);
			char c = (char)cp;
			put(o, &c, 1);
			return;
		}
	}
	put(o, enc, utf8_encode(cp, enc));
	/* "@everyone", "<@123>", "http://x" and "discord.gg/x" stop being a
	 * mention, link or invite once a zero-width space follows the trigger. */
	if (user && text_link_trigger(prev, cp))
		put(o, zwsp, 3);
}

static void put_text(struct sink *o, enum render_format fmt, const char *s, size_t len,
                     bool user)
{
	size_t i = 0, count = 0, marks = 0;
	uint32_t prev = 0;
	while (i < len) {
		if (user && count >= USER_ECHO_MAX_CP) {
			puts_(o, "\xE2\x80\xA6");
			return;
		}
		uint32_t cp = utf8_next(s, len, &i);
		marks = utf8_is_combining(cp) ? marks + 1 : 0;
		if (user && marks > USER_MAX_COMBINING)
			continue; /* dropped, and not counted against the echo limit */
		put_cp(o, fmt, cp, user, prev);
		prev = cp;
		count++;
	}
}

size_t render_escape(enum render_format fmt, const char *s, size_t len,
                     char *out, size_t size)
{
	struct sink o = {out, size, 0};
	put_text(&o, fmt, s, len, true);
	return finish(&o);
}

static void render_segs(const struct answer *a, enum render_format fmt, size_t first,
                        size_t count, struct sink *o)
{
	bool in_list = false, after_break = false;
	size_t end = first + count;
	if (end > a->nseg)
		end = a->nseg;
	for (size_t k = first; k < end; k++) {
		const struct answer_seg *g = &a->seg[k];
		const char *s = a->buf + g->off;
		if (fmt == RENDER_HTML && in_list && after_break && g->kind != SEG_ITEM &&
		    g->kind != SEG_BREAK) {
			puts_(o, "</li></ul>");
			in_list = false;
		}
		if (g->kind != SEG_BREAK)
			after_break = false;
		switch ((enum seg_kind)g->kind) {
		case SEG_TEXT:
			put_text(o, fmt, s, g->len, false);
			break;
		case SEG_USER:
			/* The templates quote it, in each language's own marks. */
			put_text(o, fmt, s, g->len, true);
			break;
		case SEG_STRONG:
			puts_(o, fmt == RENDER_HTML ? "<strong>" : fmt == RENDER_MARKDOWN ? "**" : "");
			put_text(o, fmt, s, g->len, false);
			puts_(o, fmt == RENDER_HTML ? "</strong>" : fmt == RENDER_MARKDOWN ? "**" : "");
			break;
		case SEG_CODE:
			if (fmt == RENDER_HTML) {
				puts_(o, "<code>");
				put_text(o, fmt, s, g->len, false);
				puts_(o, "</code>");
			} else if (fmt == RENDER_MARKDOWN) {
				/* Inside backticks nothing is markup; only a backtick could
				 * break out, and our own command names have none. */
				puts_(o, "`");
				for (size_t i = 0; i < g->len; i++)
					if (s[i] != '`')
						put(o, s + i, 1);
				puts_(o, "`");
			} else {
				put(o, s, g->len);
			}
			break;
		case SEG_BREAK:
			if (fmt == RENDER_HTML) {
				if (!in_list)
					puts_(o, "<br>");
			} else {
				puts_(o, "\n");
			}
			after_break = true;
			break;
		case SEG_ITEM:
			if (fmt == RENDER_HTML) {
				puts_(o, in_list ? "</li><li>" : "<ul><li>");
				in_list = true;
			} else {
				puts_(o, fmt == RENDER_MARKDOWN ? "- " : "\xE2\x80\xA2 ");
			}
			break;
		}
	}
	if (in_list)
		puts_(o, "</li></ul>");
	if (a->truncated && end == a->nseg_body)
		puts_(o, "\xE2\x80\xA6");
}

size_t answer_render_range(const struct answer *a, enum render_format fmt,
                           size_t first, size_t count, char *out, size_t size)
{
	struct sink o = {out, size, 0};
	render_segs(a, fmt, first, count, &o);
	return finish(&o);
}

size_t answer_render(const struct answer *a, enum render_format fmt, char *out,
                     size_t size)
{
	return answer_render_range(a, fmt, 0, a->nseg_body ? a->nseg_body : a->nseg,
	                           out, size);
}

size_t answer_render_field(const struct answer *a, size_t i, enum render_format fmt,
                           char *out, size_t size)
{
	if (i >= a->nfield) {
		if (size)
			out[0] = '\0';
		return 0;
	}
	return answer_render_range(a, fmt, a->field[i].seg_first, a->field[i].seg_count,
	                           out, size);
}
