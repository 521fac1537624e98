/* answer.h: a structured answer and its renderings (plain, Discord Markdown,
 * Matrix HTML, embed fields).
 *
 * The engine fills a struct answer in caller-owned memory: no allocation, no
 * pointers into anything but the answer itself, so an answer can be copied,
 * queued or dropped freely. Text that came from the user is kept in SEG_USER
 * segments, which every renderer escapes for its format and de-fangs (no
 * mentions, no links, no markup), so nothing a user types is ever rendered. */
#ifndef SCOBOT_CORE_ANSWER_H
#define SCOBOT_CORE_ANSWER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/lang.h"

#define ANSWER_MAX_BYTES 3584   /* bytes of text per answer */
#define ANSWER_MAX_SEGS 192     /* segments per answer */
#define ANSWER_MAX_FIELDS 10    /* embed fields (Discord allows 25) */
#define ANSWER_TITLE_BYTES 128  /* bytes of embed title */

enum answer_status {
	ANSWER_OK,        /* answered from the fact table */
	ANSWER_NOT_SURE,  /* low confidence: says so and offers the closest facts */
	ANSWER_UNKNOWN,   /* unknown command: offers the closest commands */
	ANSWER_USAGE,     /* a command with bad arguments: shows its usage */
	ANSWER_IGNORED,   /* nothing to say (empty input); adapters send nothing */
};

enum answer_action {
	ACTION_NONE,
	ACTION_SET_LANG,  /* `lang xx`: the adapter stores action_lang for the room */
	ACTION_SHOW_LANG,
};

enum seg_kind {
	SEG_TEXT,    /* our own text */
	SEG_STRONG,  /* our own text, emphasised */
	SEG_CODE,    /* a command or identifier */
	SEG_USER,    /* text the user typed: always escaped, never markup */
	SEG_BREAK,   /* end of line */
	SEG_ITEM,    /* start of a list item ("- " / "• " / <li>) */
};

struct answer_seg {
	uint8_t kind;
	uint16_t off;
	uint16_t len;
};

struct answer_field {
	uint16_t name_off, name_len;     /* plain text in buf */
	uint16_t seg_first, seg_count;   /* value: segments after the body */
};

struct answer {
	enum answer_status status;
	enum lang lang;
	enum answer_action action;
	enum lang action_lang;
	const char *command;  /* static name for metrics: "sg", "question", ... */
	bool ephemeral;       /* help and errors: only the asker needs to see it */
	bool truncated;       /* ran out of room; the renderers add an ellipsis */

	char title[ANSWER_TITLE_BYTES];
	uint16_t nseg_body;   /* seg[0..nseg_body) is the body */
	uint16_t nseg;
	struct answer_seg seg[ANSWER_MAX_SEGS];
	uint16_t nfield;
	struct answer_field field[ANSWER_MAX_FIELDS];
	uint16_t used;
	char buf[ANSWER_MAX_BYTES];
};

/* Building (used by the engine; exposed for tests and adapters' own notices). */
void answer_init(struct answer *a, enum lang lang);
void answer_add(struct answer *a, enum seg_kind kind, const char *s, size_t len);
void answer_text(struct answer *a, const char *s);              /* SEG_TEXT */
void answer_strong(struct answer *a, const char *s);
void answer_code(struct answer *a, const char *s);
void answer_user(struct answer *a, const char *s, size_t len);
void answer_break(struct answer *a);
void answer_item(struct answer *a);
void answer_printf(struct answer *a, enum seg_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void answer_set_title(struct answer *a, const char *title);
/* Ends the body; fields added afterwards are embed-only. */
void answer_end_body(struct answer *a);
void answer_field_begin(struct answer *a, const char *name);
void answer_field_end(struct answer *a);

enum render_format {
	RENDER_PLAIN,     /* console, Matrix `body`, logs */
	RENDER_MARKDOWN,  /* Discord message content */
	RENDER_HTML,      /* Matrix formatted_body (org.matrix.custom.html) */
};

/* Renders segments [first, first+count) into out (NUL-terminated, cut at a
 * UTF-8 boundary). Returns the length the full rendering needs, like snprintf. */
size_t answer_render_range(const struct answer *a, enum render_format fmt,
                           size_t first, size_t count, char *out, size_t size);
/* The body. */
size_t answer_render(const struct answer *a, enum render_format fmt,
                     char *out, size_t size);
/* A field's value. */
size_t answer_render_field(const struct answer *a, size_t i, enum render_format fmt,
                           char *out, size_t size);

/* Escapes arbitrary text for a format, with mentions and links neutralised. */
size_t render_escape(enum render_format fmt, const char *s, size_t len,
                     char *out, size_t size);

#endif
