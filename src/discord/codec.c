/* codec.c: Discord JSON <-> C structs; owns no state and must not do I/O,
 * read a clock or log. Sources: developers/events/gateway-events.mdx,
 * developers/resources/message.mdx, developers/interactions/ (the .mdx pages). */
#include "discord/codec.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/commands.h"
#include "util/jsonfix.h"
#include "util/utf8.h"

/* ---- helpers ------------------------------------------------------------ */

static const cJSON *obj_get(const cJSON *o, const char *key)
{
	return cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
}

static const char *str_get(const cJSON *o, const char *key)
{
	const cJSON *v = obj_get(o, key);
	return cJSON_IsString(v) && v->valuestring ? v->valuestring : NULL;
}

/* A snowflake: a string of 1-20 digits. Discord never sends them as numbers
 * in JSON (they exceed 2^53), so a number here is treated as absent. */
static const char *snowflake_get(const cJSON *o, const char *key)
{
	const char *s = str_get(o, key);
	return s && dc_is_snowflake(s) ? s : NULL;
}

static bool bool_get(const cJSON *o, const char *key)
{
	return cJSON_IsTrue(obj_get(o, key));
}

/* An integral JSON number within [min, max], or -EINVAL. */
static int int_get(const cJSON *o, const char *key, int64_t min, int64_t max, int64_t *ret)
{
	const cJSON *v = obj_get(o, key);
	if (!cJSON_IsNumber(v))
		return -EINVAL;
	double x = v->valuedouble;
	if (!(x >= (double)min && x <= (double)max) || x != (double)(int64_t)x)
		return -EINVAL;
	*ret = (int64_t)x;
	return 0;
}

bool dc_is_snowflake(const char *s)
{
	size_t n = 0;
	if (!s)
		return false;
	for (; s[n]; n++)
		if (!isdigit((unsigned char)s[n]) || n >= 20)
			return false;
	return n > 0;
}

static char *print_checked(cJSON *root, size_t max)
{
	char *s = root ? cJSON_PrintUnformatted(root) : NULL;
	cJSON_Delete(root);
	if (s && max && strlen(s) > max) {
		free(s);
		return NULL;
	}
	return s;
}

/* ---- gateway payloads -------------------------------------------------- */

int dc_payload_parse(const char *json, size_t len, struct dc_payload *ret)
{
	/* A message with an unpaired surrogate escape is still a message, and
	 * one with \u0000 must not be cut short at it: both become U+FFFD. */
	char *fixed = jsonfix_text_dup(json, len);
	cJSON *root = cJSON_ParseWithLength(fixed ? fixed : json, len);
	free(fixed);
	if (!cJSON_IsObject(root)) {
		cJSON_Delete(root);
		return -EINVAL;
	}
	int64_t op;
	if (int_get(root, "op", 0, 255, &op) < 0) {
		cJSON_Delete(root);
		return -EINVAL;
	}
	struct dc_payload p = {.op = (int)op, .root = root};
	int64_t s;
	if (int_get(root, "s", 0, INT64_C(1) << 52, &s) == 0) {
		p.has_seq = true;
		p.seq = s;
	}
	const char *t = str_get(root, "t");
	if (t && strlen(t) < sizeof(p.t))
		memcpy(p.t, t, strlen(t) + 1);
	p.d = obj_get(root, "d");
	*ret = p;
	return 0;
}

void dc_payload_free(struct dc_payload *p)
{
	if (!p)
		return;
	cJSON_Delete(p->root);
	p->root = NULL;
	p->d = NULL;
}

int dc_parse_hello(const cJSON *d, int64_t *ret_interval_ms)
{
	int64_t iv;
	/* An interval of an hour or more is not something Discord sends. */
	if (int_get(d, "heartbeat_interval", 1, 3600000, &iv) < 0)
		return -EINVAL;
	*ret_interval_ms = iv;
	return 0;
}

bool dc_parse_invalid_session(const cJSON *d)
{
	return cJSON_IsTrue(d);
}

int dc_parse_ready(const cJSON *d, struct dc_ready *ret)
{
	struct dc_ready r = {0};
	r.session_id = str_get(d, "session_id");
	r.resume_gateway_url = str_get(d, "resume_gateway_url");
	r.user_id = snowflake_get(obj_get(d, "user"), "id");
	r.application_id = snowflake_get(obj_get(d, "application"), "id");
	const cJSON *g = obj_get(d, "guilds");
	r.guild_count = cJSON_IsArray(g) ? (size_t)cJSON_GetArraySize(g) : 0;
	if (!r.session_id || !*r.session_id || strlen(r.session_id) > 128 || !r.resume_gateway_url
	    || !r.user_id)
		return -EINVAL;
	*ret = r;
	return 0;
}

int dc_parse_gateway_bot(const char *body, size_t len, struct dc_gateway_bot *ret)
{
	cJSON *o = cJSON_ParseWithLength(body, len);
	if (!o)
		return -EINVAL;
	struct dc_gateway_bot g = {.root = o, .shards = 1, .max_concurrency = 1};
	g.url = str_get(o, "url");
	const cJSON *shards = obj_get(o, "shards");
	if (cJSON_IsNumber(shards) && shards->valuedouble >= 1 && shards->valuedouble <= 65536)
		g.shards = shards->valueint;
	/* gateway.mdx "Session Start Limit Object" */
	const cJSON *ssl = obj_get(o, "session_start_limit");
	const cJSON *rem = obj_get(ssl, "remaining");
	const cJSON *ra = obj_get(ssl, "reset_after");
	const cJSON *mc = obj_get(ssl, "max_concurrency");
	if (cJSON_IsNumber(rem) && cJSON_IsNumber(ra)) {
		g.has_limit = true;
		g.remaining = rem->valueint;
		g.reset_after_ms = (int64_t)ra->valuedouble;
		if (cJSON_IsNumber(mc))
			g.max_concurrency = mc->valueint;
	}
	*ret = g;
	return 0;
}

void dc_gateway_bot_free(struct dc_gateway_bot *g)
{
	cJSON_Delete(g->root);
	g->root = NULL;
}

int dc_parse_message(const cJSON *d, const char *self_id, struct dc_message *ret)
{
	struct dc_message m = {0};
	const cJSON *author = obj_get(d, "author");
	m.id = snowflake_get(d, "id");
	m.channel_id = snowflake_get(d, "channel_id");
	m.guild_id = snowflake_get(d, "guild_id");
	m.author_id = snowflake_get(author, "id");
	if (!m.id || !m.channel_id || !m.author_id)
		return -EINVAL;
	m.content = str_get(d, "content");
	if (!m.content)
		m.content = "";
	m.content_len = strlen(m.content);
	/* developers/resources/user.mdx "User Object": bot and system users;
	 * a webhook_id marks webhook posts, which are never people either. */
	m.author_bot = bool_get(author, "bot") || bool_get(author, "system")
	               || obj_get(d, "webhook_id") != NULL;
	int64_t type = 0;
	if (int_get(d, "type", 0, 1000, &type) < 0)
		type = 0;
	m.type = (int)type;
	const cJSON *mentions = obj_get(d, "mentions");
	const cJSON *u;
	if (self_id && cJSON_IsArray(mentions))
		cJSON_ArrayForEach(u, mentions) {
			const char *id = snowflake_get(u, "id");
			if (id && strcmp(id, self_id) == 0)
				m.mentions_user = true;
		}
	*ret = m;
	return 0;
}

int dc_parse_interaction(const cJSON *d, struct dc_interaction *ret)
{
	struct dc_interaction in = {0};
	int64_t type;
	in.id = snowflake_get(d, "id");
	in.token = str_get(d, "token");
	if (!in.id || !in.token || !*in.token || strlen(in.token) > 512
	    || int_get(d, "type", 1, 100, &type) < 0)
		return -EINVAL;
	in.type = (int)type;
	in.application_id = snowflake_get(d, "application_id");
	in.channel_id = snowflake_get(d, "channel_id");
	in.guild_id = snowflake_get(d, "guild_id");
	in.locale = str_get(d, "locale");
	in.user_id = snowflake_get(obj_get(obj_get(d, "member"), "user"), "id");
	if (!in.user_id)
		in.user_id = snowflake_get(obj_get(d, "user"), "id");
	const cJSON *data = obj_get(d, "data");
	in.command = str_get(data, "name");
	const cJSON *opts = obj_get(data, "options");
	const cJSON *o;
	/* application-commands.mdx "Subcommands and Subcommand Groups": a
	 * subcommand is an option of type 1 carrying its own options. */
	if (cJSON_IsArray(opts))
		cJSON_ArrayForEach(o, opts) {
			int64_t ot;
			if (int_get(o, "type", 1, 20, &ot) == 0 && ot == 1 && str_get(o, "name")) {
				in.subcommand = str_get(o, "name");
				opts = obj_get(o, "options");
				break;
			}
		}
	if (cJSON_IsArray(opts))
		cJSON_ArrayForEach(o, opts) {
			const char *name = str_get(o, "name");
			const char *value = str_get(o, "value");
			if (!name || !value || in.n_options >= DC_OPTIONS_MAX)
				continue;
			in.options[in.n_options++] = (struct dc_option){name, value, bool_get(o, "focused")};
		}
	*ret = in;
	return 0;
}

char *dc_build_identify(const struct dc_identify *id)
{
	if (!id->token || id->shard_count < 1 || id->shard_id < 0 || id->shard_id >= id->shard_count)
		return NULL;
	cJSON *root = cJSON_CreateObject();
	cJSON_AddNumberToObject(root, "op", DC_OP_IDENTIFY);
	cJSON *d = cJSON_AddObjectToObject(root, "d");
	cJSON_AddStringToObject(d, "token", id->token);
	cJSON_AddNumberToObject(d, "intents", id->intents);
	/* gateway-events.mdx "Identify Connection Properties" */
	cJSON *props = cJSON_AddObjectToObject(d, "properties");
	cJSON_AddStringToObject(props, "os", "linux");
	cJSON_AddStringToObject(props, "browser", "scobot");
	cJSON_AddStringToObject(props, "device", "scobot");
	cJSON *shard = cJSON_AddArrayToObject(d, "shard");
	cJSON_AddItemToArray(shard, cJSON_CreateNumber(id->shard_id));
	cJSON_AddItemToArray(shard, cJSON_CreateNumber(id->shard_count));
	if (id->presence_text) {
		/* gateway-events.mdx "Update Presence", "Activity Types": 3 = Watching. */
		cJSON *pr = cJSON_AddObjectToObject(d, "presence");
		cJSON_AddNullToObject(pr, "since");
		cJSON *acts = cJSON_AddArrayToObject(pr, "activities");
		cJSON *a = cJSON_CreateObject();
		cJSON_AddStringToObject(a, "name", id->presence_text);
		cJSON_AddNumberToObject(a, "type", 3);
		cJSON_AddItemToArray(acts, a);
		cJSON_AddStringToObject(pr, "status", "online");
		cJSON_AddFalseToObject(pr, "afk");
	}
	return print_checked(root, DC_GATEWAY_MAX_SEND);
}

char *dc_build_resume(const char *token, const char *session_id, int64_t seq)
{
	if (!token || !session_id || seq < 0)
		return NULL;
	cJSON *root = cJSON_CreateObject();
	cJSON_AddNumberToObject(root, "op", DC_OP_RESUME);
	cJSON *d = cJSON_AddObjectToObject(root, "d");
	cJSON_AddStringToObject(d, "token", token);
	cJSON_AddStringToObject(d, "session_id", session_id);
	cJSON_AddNumberToObject(d, "seq", (double)seq);
	return print_checked(root, DC_GATEWAY_MAX_SEND);
}

char *dc_build_heartbeat(bool has_seq, int64_t seq)
{
	cJSON *root = cJSON_CreateObject();
	cJSON_AddNumberToObject(root, "op", DC_OP_HEARTBEAT);
	if (has_seq)
		cJSON_AddNumberToObject(root, "d", (double)seq);
	else
		cJSON_AddNullToObject(root, "d");
	return print_checked(root, DC_GATEWAY_MAX_SEND);
}

/* ---- REST bodies -------------------------------------------------------- */

void dc_reply_nonce(const char *message_id, unsigned part, char prefix, char *out)
{
	char id[21];  /* a snowflake has at most 20 digits */
	if (dc_is_snowflake(message_id)) {
		snprintf(id, sizeof(id), "%.20s", message_id);
	} else {
		/* Not a snowflake (cannot happen with Discord's ids): FNV-1a keeps the
		 * nonce stable for the same input and inside 25 characters. */
		uint64_t h = 1469598103934665603u;
		for (const char *p = message_id ? message_id : ""; *p; p++)
			h = (h ^ (unsigned char)*p) * 1099511628211u;
		snprintf(id, sizeof(id), "%" PRIu64, h % 10000000000000000000u);
	}
	if (part == 0)
		snprintf(out, DC_NONCE_MAX + 1, "%c%s", prefix, id);
	else
		snprintf(out, DC_NONCE_MAX + 1, "%c%.20s.%u", prefix, id, part % 1000);
}

size_t dc_split_content(const char *text, size_t len, size_t max_chars)
{
	size_t i = 0, chars = 0, last_nl = 0, last_sp = 0;
	while (i < len) {
		if (chars == max_chars) {
			if (last_nl)
				return last_nl;
			if (last_sp)
				return last_sp;
			return i;
		}
		uint32_t cp = utf8_next(text, len, &i);
		chars++;
		if (cp == '\n')
			last_nl = i;
		else if (cp == ' ')
			last_sp = i;
	}
	return len;
}

static cJSON *no_mentions(void)
{
	/* message.mdx "Allowed Mentions Object": an empty parse list allows no
	 * mention at all; the default would parse every mention in the text. */
	cJSON *am = cJSON_CreateObject();
	cJSON_AddArrayToObject(am, "parse");
	return am;
}

static cJSON *message_base(const char *reply_to, const char *nonce)
{
	cJSON *root = cJSON_CreateObject();
	cJSON_AddItemToObject(root, "allowed_mentions", no_mentions());
	if (reply_to) {
		/* message.mdx "Message Reference Structure": fail_if_not_exists
		 * defaults to true, which would drop the answer if the question was
		 * deleted meanwhile. */
		cJSON *ref = cJSON_AddObjectToObject(root, "message_reference");
		cJSON_AddStringToObject(ref, "message_id", reply_to);
		cJSON_AddFalseToObject(ref, "fail_if_not_exists");
	}
	if (nonce) {
		/* message.mdx "Create Message": with enforce_nonce a retried create
		 * with the same nonce returns the first message instead of a second. */
		cJSON_AddStringToObject(root, "nonce", nonce);
		cJSON_AddTrueToObject(root, "enforce_nonce");
	}
	return root;
}

/* cJSON_CreateString wants a NUL-terminated string; content may be a slice. */
static cJSON *string_n(const char *s, size_t len)
{
	char *tmp = malloc(len + 1);
	if (!tmp)
		return NULL;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	cJSON *v = cJSON_CreateString(tmp);
	free(tmp);
	return v;
}

char *dc_build_message(const char *content, size_t len, const char *reply_to, const char *nonce)
{
	if (!content || len == 0 || utf8_count(content, len) > DC_CONTENT_MAX)
		return NULL;
	if (nonce && strlen(nonce) > DC_NONCE_MAX)
		return NULL;
	cJSON *root = message_base(reply_to, nonce);
	cJSON_AddItemToObject(root, "content", string_n(content, len));
	return print_checked(root, 0);
}

/* One embed (title, description, fields) from an answer; NULL without fields. */
static cJSON *embed_from_answer(const struct answer *a)
{
	/* Rendering buffers: the answer holds at most ANSWER_MAX_BYTES of text and
	 * markdown escaping at most doubles it. */
	enum { RENDER_BYTES = 2 * ANSWER_MAX_BYTES + 64 };
	if (!a || a->nfield == 0)
		return NULL;
	char *buf = malloc(RENDER_BYTES);
	if (!buf)
		return NULL;
	cJSON *e = cJSON_CreateObject();
	if (a->title[0]) {
		size_t n = utf8_trim(a->title, strlen(a->title), 250);
		cJSON_AddItemToObject(e, "title", string_n(a->title, n));
	}
	answer_render(a, RENDER_MARKDOWN, buf, RENDER_BYTES);
	size_t n = strlen(buf);
	if (n) {
		/* description <= 4096 characters; bytes bound characters. */
		n = utf8_trim(buf, n, DC_EMBED_DESC_MAX - 8);
		cJSON_AddItemToObject(e, "description", string_n(buf, n));
	}
	cJSON *fields = cJSON_AddArrayToObject(e, "fields");
	for (size_t i = 0; i < a->nfield && i < ANSWER_MAX_FIELDS; i++) {
		const struct answer_field *f = &a->field[i];
		cJSON *fo = cJSON_CreateObject();
		size_t nl = f->name_off + f->name_len <= ANSWER_MAX_BYTES ? f->name_len : 0;
		nl = utf8_trim(a->buf + f->name_off, nl, DC_EMBED_FIELD_NAME_MAX - 4);
		cJSON_AddItemToObject(fo, "name", nl ? string_n(a->buf + f->name_off, nl)
		                                     : cJSON_CreateString("\u200b"));
		answer_render_field(a, i, RENDER_MARKDOWN, buf, RENDER_BYTES);
		size_t vl = strlen(buf);
		/* Field values hold 1024 characters; cut by bytes to stay well inside. */
		vl = utf8_trim(buf, vl, DC_EMBED_FIELD_VALUE_MAX - 4);
		cJSON_AddItemToObject(fo, "value", vl ? string_n(buf, vl) : cJSON_CreateString("\u200b"));
		cJSON_AddFalseToObject(fo, "inline");
		cJSON_AddItemToArray(fields, fo);
	}
	free(buf);
	return e;
}

char *dc_build_embed_message(const struct answer *a, const char *reply_to, const char *nonce)
{
	if (nonce && strlen(nonce) > DC_NONCE_MAX)
		return NULL;
	cJSON *e = embed_from_answer(a);
	if (!e)
		return NULL;
	cJSON *root = message_base(reply_to, nonce);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(root, "embeds"), e);
	return print_checked(root, 0);
}

char *dc_build_interaction_embed(const struct answer *a, bool ephemeral)
{
	cJSON *e = embed_from_answer(a);
	if (!e)
		return NULL;
	cJSON *root = cJSON_CreateObject();
	cJSON_AddNumberToObject(root, "type", 4);
	cJSON *data = cJSON_AddObjectToObject(root, "data");
	cJSON_AddItemToArray(cJSON_AddArrayToObject(data, "embeds"), e);
	cJSON_AddItemToObject(data, "allowed_mentions", no_mentions());
	if (ephemeral)
		cJSON_AddNumberToObject(data, "flags", 64);
	return print_checked(root, 0);
}

char *dc_build_followup(const char *content, size_t len, bool ephemeral)
{
	if (!content || len == 0 || utf8_count(content, len) > DC_CONTENT_MAX)
		return NULL;
	/* developers/interactions/receiving-and-responding.mdx "Create Followup
	 * Message": an execute-webhook body. */
	cJSON *root = cJSON_CreateObject();
	cJSON_AddItemToObject(root, "content", string_n(content, len));
	cJSON_AddItemToObject(root, "allowed_mentions", no_mentions());
	if (ephemeral)
		cJSON_AddNumberToObject(root, "flags", 64);
	return print_checked(root, 0);
}

char *dc_build_interaction_reply(const char *content, size_t len, bool ephemeral)
{
	if (!content || len == 0 || utf8_count(content, len) > DC_CONTENT_MAX)
		return NULL;
	cJSON *root = cJSON_CreateObject();
	/* receiving-and-responding.mdx "Interaction Callback Type":
	 * 4 = CHANNEL_MESSAGE_WITH_SOURCE; "Message Flags": 64 = EPHEMERAL. */
	cJSON_AddNumberToObject(root, "type", 4);
	cJSON *data = cJSON_AddObjectToObject(root, "data");
	cJSON_AddItemToObject(data, "content", string_n(content, len));
	cJSON_AddItemToObject(data, "allowed_mentions", no_mentions());
	if (ephemeral)
		cJSON_AddNumberToObject(data, "flags", 64);
	return print_checked(root, 0);
}

char *dc_build_autocomplete(const char (*choices)[101], size_t n)
{
	cJSON *root = cJSON_CreateObject();
	/* 8 = APPLICATION_COMMAND_AUTOCOMPLETE_RESULT, at most 25 choices whose
	 * names are 1-100 characters. */
	cJSON_AddNumberToObject(root, "type", 8);
	cJSON *data = cJSON_AddObjectToObject(root, "data");
	cJSON *arr = cJSON_AddArrayToObject(data, "choices");
	for (size_t i = 0; i < n && i < DC_AUTOCOMPLETE_MAX; i++) {
		size_t len = strnlen(choices[i], 100);
		if (len == 0)
			continue;
		cJSON *c = cJSON_CreateObject();
		cJSON_AddItemToObject(c, "name", string_n(choices[i], len));
		cJSON_AddItemToObject(c, "value", string_n(choices[i], len));
		cJSON_AddItemToArray(arr, c);
	}
	return print_checked(root, 0);
}

/* ---- slash command manifest -------------------------------------------- */

/* application-commands.mdx "Application Command Naming": 1-32 characters of
 * letters, digits, '-' and '_' (and a few scripts), lowercase where the
 * script has case. A localized label that breaks the rule is left out rather
 * than making the whole PUT fail. */
static bool valid_command_name(const char *s)
{
	size_t i = 0, len = s ? strlen(s) : 0, n = 0;
	if (len == 0)
		return false;
	while (i < len) {
		uint32_t cp = utf8_next(s, len, &i);
		n++;
		if (cp == UTF8_REPLACEMENT || cp == ' ' || (cp < 0x80 && !isalnum((int)cp) && cp != '-'
		                                            && cp != '_'))
			return false;
		if (cp < 0x80 && isupper((int)cp))
			return false;
		if (utf8_is_cyrillic(cp) && cp >= 0x410 && cp <= 0x42F)  /* uppercase А-Я */
			return false;
	}
	return n <= 32;
}

/* Discord locales for our languages (reference.mdx "Locales"). */
static const struct {
	enum lang lang;
	const char *locale;
} locales[] = {{LANG_RU, "ru"}, {LANG_ZH, "zh-CN"}};

static void add_localized(cJSON *o, const char *key, const char *loc_key,
                          const struct l10n *text, bool is_name, size_t max_chars)
{
	const char *en = text->s[LANG_EN];
	cJSON_AddStringToObject(o, key, en ? en : "");
	cJSON *loc = cJSON_CreateObject();
	for (size_t i = 0; i < sizeof(locales) / sizeof(locales[0]); i++) {
		const char *s = text->s[locales[i].lang];
		if (!s || !*s || utf8_count(s, strlen(s)) > max_chars)
			continue;
		if (is_name && !valid_command_name(s))
			continue;
		cJSON_AddStringToObject(loc, locales[i].locale, s);
	}
	if (cJSON_GetArraySize(loc) > 0)
		cJSON_AddItemToObject(o, loc_key, loc);
	else
		cJSON_Delete(loc);
}

cJSON *dc_manifest_build(void)
{
	static const struct l10n sco_desc = {{
		"Questions about the SCO Secretariat",
		"Вопросы о Секретариате ШОС",
		"关于上合组织秘书处的问题",
	}};
	size_t n;
	const struct command_info *cmds = commands_list(&n);
	cJSON *arr = cJSON_CreateArray();
	cJSON *sco = cJSON_CreateObject();
	cJSON_AddItemToArray(arr, sco);
	cJSON_AddStringToObject(sco, "name", "sco");
	cJSON_AddNumberToObject(sco, "type", 1);  /* CHAT_INPUT */
	const struct l10n *dsc = &sco_desc;
	add_localized(sco, "description", "description_localizations", dsc, false, 100);
	cJSON *subs = cJSON_AddArrayToObject(sco, "options");
	/* application-commands.mdx: at most 25 options (subcommands) per command. */
	for (size_t i = 0; i < n && cJSON_GetArraySize(subs) < 25; i++) {
		const struct command_info *c = &cmds[i];
		if (c->hidden_from_slash || !valid_command_name(c->name))
			continue;
		cJSON *sub = cJSON_CreateObject();
		cJSON_AddNumberToObject(sub, "type", 1);  /* SUB_COMMAND */
		cJSON_AddStringToObject(sub, "name", c->name);
		struct l10n label = c->label;
		cJSON *loc = cJSON_CreateObject();
		for (size_t k = 0; k < sizeof(locales) / sizeof(locales[0]); k++) {
			const char *s = label.s[locales[k].lang];
			if (s && valid_command_name(s))
				cJSON_AddStringToObject(loc, locales[k].locale, s);
		}
		if (cJSON_GetArraySize(loc) > 0)
			cJSON_AddItemToObject(sub, "name_localizations", loc);
		else
			cJSON_Delete(loc);
		add_localized(sub, "description", "description_localizations", &c->summary, false, 100);
		if (c->arg && valid_command_name(c->arg->name)) {
			cJSON *opts = cJSON_AddArrayToObject(sub, "options");
			cJSON *o = cJSON_CreateObject();
			cJSON_AddNumberToObject(o, "type", 3);  /* STRING */
			cJSON_AddStringToObject(o, "name", c->arg->name);
			cJSON *ol = cJSON_CreateObject();
			for (size_t k = 0; k < sizeof(locales) / sizeof(locales[0]); k++) {
				const char *s = c->arg->label.s[locales[k].lang];
				if (s && valid_command_name(s))
					cJSON_AddStringToObject(ol, locales[k].locale, s);
			}
			if (cJSON_GetArraySize(ol) > 0)
				cJSON_AddItemToObject(o, "name_localizations", ol);
			else
				cJSON_Delete(ol);
			add_localized(o, "description", "description_localizations",
			              &c->arg->description, false, 100);
			cJSON_AddBoolToObject(o, "required", c->arg->required);
			if (c->arg->autocomplete)
				cJSON_AddTrueToObject(o, "autocomplete");
			cJSON_AddItemToArray(opts, o);
		}
		cJSON_AddItemToArray(subs, sub);
	}
	return arr;
}

/* Compares one key of two command/option objects, treating an absent key as
 * its documented default (application-commands.mdx "Application Command
 * Object" / "Application Command Option Structure"). */
static bool same_key(const cJSON *a, const cJSON *b, const char *key)
{
	const cJSON *x = obj_get(a, key), *y = obj_get(b, key);
	if (cJSON_IsNull(x))
		x = NULL;
	if (cJSON_IsNull(y))
		y = NULL;
	if (strcmp(key, "required") == 0 || strcmp(key, "autocomplete") == 0)
		return cJSON_IsTrue(x) == cJSON_IsTrue(y);
	if (strcmp(key, "type") == 0) {
		double dx = cJSON_IsNumber(x) ? x->valuedouble : 1;
		double dy = cJSON_IsNumber(y) ? y->valuedouble : 1;
		return dx == dy;
	}
	if (strcmp(key, "name_localizations") == 0 || strcmp(key, "description_localizations") == 0) {
		/* An empty object and null/absent mean the same. */
		if (cJSON_IsObject(x) && cJSON_GetArraySize(x) == 0)
			x = NULL;
		if (cJSON_IsObject(y) && cJSON_GetArraySize(y) == 0)
			y = NULL;
	}
	if (!x || !y)
		return !x && !y;
	return cJSON_Compare(x, y, true);
}

static bool same_options(const cJSON *a, const cJSON *b);

static bool same_command(const cJSON *a, const cJSON *b)
{
	static const char *const keys[] = {"name", "type", "description", "name_localizations",
	                                   "description_localizations", "required", "autocomplete"};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!same_key(a, b, keys[i]))
			return false;
	return same_options(obj_get(a, "options"), obj_get(b, "options"));
}

static bool same_options(const cJSON *a, const cJSON *b)
{
	int na = cJSON_IsArray(a) ? cJSON_GetArraySize(a) : 0;
	int nb = cJSON_IsArray(b) ? cJSON_GetArraySize(b) : 0;
	if (na != nb)
		return false;
	/* Options keep their order: Discord shows them in the order given. */
	for (int i = 0; i < na; i++)
		if (!same_command(cJSON_GetArrayItem(a, i), cJSON_GetArrayItem(b, i)))
			return false;
	return true;
}

bool dc_manifest_equal(const cJSON *want, const cJSON *have)
{
	if (!cJSON_IsArray(want) || !cJSON_IsArray(have)
	    || cJSON_GetArraySize(want) != cJSON_GetArraySize(have))
		return false;
	const cJSON *w;
	cJSON_ArrayForEach(w, want) {
		const char *name = str_get(w, "name");
		const cJSON *h, *match = NULL;
		cJSON_ArrayForEach(h, have) {
			const char *hn = str_get(h, "name");
			if (name && hn && strcmp(name, hn) == 0)
				match = h;
		}
		if (!match || !same_command(w, match))
			return false;
	}
	return true;
}

int dc_interaction_text(const struct dc_interaction *in, char *out, size_t size)
{
	if (!in->command || strcmp(in->command, "sco") != 0 || !in->subcommand || size == 0)
		return -EINVAL;
	const struct command_info *c = commands_find(in->subcommand);
	if (!c)
		return -EINVAL;
	size_t used = 0;
	int n = snprintf(out, size, "%s", c->name);
	if (n < 0 || (size_t)n >= size)
		return -EINVAL;
	used = (size_t)n;
	for (size_t i = 0; i < in->n_options; i++) {
		n = snprintf(out + used, size - used, " %s", in->options[i].value);
		if (n < 0)
			return -EINVAL;
		if ((size_t)n >= size - used) {
			/* Cut, at a character boundary, what does not fit. */
			used = utf8_trim(out, size - 1, size - 1);
			out[used] = '\0';
			return (int)used;
		}
		used += (size_t)n;
	}
	return (int)used;
}
