/* test-facts-load.c: the fact loader refuses every kind of broken input with
 * the right file, line, JSON path and reason, and frees everything it took.
 * Each test
 * starts from the real fact files and breaks one thing: it replaces a file,
 * edits one string in it, or adds a small file (record kinds merge across
 * files, so an added file is checked together with the real ones). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/facts.h"
#include "tap.h"
#include "util/embed.h"

extern const struct embedded_file facts_embedded_files[];
extern const size_t facts_embedded_files_count;

#define SET_MAX (FACTS_MAX_FILES + 4) /* files in a test's set */
#define OWNED_MAX 8                   /* edited or generated buffers per set */

struct fileset {
	struct facts_file v[SET_MAX];
	size_t n;
	char *owned[OWNED_MAX];
	size_t n_owned;
	struct facts_error err;
	char msg[512];
};

static void fs_init(struct fileset *s)
{
	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < facts_embedded_files_count && i < SET_MAX; i++)
		s->v[s->n++] = (struct facts_file){facts_embedded_files[i].name,
		                                   facts_embedded_files[i].data,
		                                   facts_embedded_files[i].len};
}

static char *fs_own(struct fileset *s, char *p)
{
	if (s->n_owned < OWNED_MAX)
		s->owned[s->n_owned++] = p;
	return p;
}

static void fs_free(struct fileset *s)
{
	for (size_t i = 0; i < s->n_owned; i++)
		free(s->owned[i]);
	s->n_owned = 0;
}

static struct facts_file *fs_find(struct fileset *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i].name, name) == 0)
			return &s->v[i];
	return NULL;
}

static void fs_add(struct fileset *s, const char *name, const char *data)
{
	if (s->n < SET_MAX)
		s->v[s->n++] = (struct facts_file){name, data, strlen(data)};
}

static void fs_replace(struct fileset *s, const char *name, const char *data)
{
	struct facts_file *f = fs_find(s, name);
	if (f) {
		f->data = data;
		f->len = strlen(data);
	}
}

static void fs_remove(struct fileset *s, const char *name)
{
	struct facts_file *f = fs_find(s, name);
	if (f) {
		*f = s->v[s->n - 1];
		s->n--;
	}
}

/* Replaces the first `old` in a file; a test whose edit finds nothing fails,
 * so a change to the data cannot quietly turn a test into a no-op. */
static bool fs_edit(struct fileset *s, const char *name, const char *old, const char *new)
{
	struct facts_file *f = fs_find(s, name);
	const char *at = f ? strstr(f->data, old) : NULL;
	if (!at) {
		printf("# edit target not found in %s: %s\n", name, old);
		return false;
	}
	size_t before = (size_t)(at - f->data), ol = strlen(old), nl = strlen(new);
	char *buf = fs_own(s, malloc(f->len - ol + nl + 1));
	memcpy(buf, f->data, before);
	memcpy(buf + before, new, nl);
	memcpy(buf + before + nl, at + ol, f->len - before - ol);
	buf[f->len - ol + nl] = '\0';
	f->data = buf;
	f->len = f->len - ol + nl;
	return true;
}

static int fs_load(struct fileset *s)
{
	struct facts *f = NULL;
	memset(&s->err, 0, sizeof(s->err));
	int r = facts_load_files(s->v, s->n, &f, &s->err);
	if (r == 0)
		facts_free(f);
	else
		CHECK(f == NULL);
	facts_error_format(&s->err, s->msg, sizeof(s->msg));
	printf("# %s\n", r == 0 ? "loaded" : s->msg);
	return r;
}

/* The 1-based line of the first `needle` in a file of the set, or -1. */
static int fs_line_of(struct fileset *s, const char *name, const char *needle)
{
	struct facts_file *f = fs_find(s, name);
	const char *at = f ? strstr(f->data, needle) : NULL;
	if (!at) {
		printf("# line target not found in %s: %s\n", name, needle);
		return -1;
	}
	int line = 1;
	for (const char *p = f->data; p < at; p++)
		line += *p == '\n';
	return line;
}

/* An error found after parsing carries the line of the value it is about,
 * exactly when it names both a file and a JSON path. */
static void check_line_given(const struct fileset *s)
{
	bool placed = s->err.file[0] && s->err.path[0];
	if (placed != (s->err.line > 0))
		printf("# line %d for file \"%s\" and path \"%s\"\n", s->err.line, s->err.file,
		       s->err.path);
	CHECK(placed == (s->err.line > 0));
	CHECK_INT(s->err.column, 0);
}

/* The error must name the file, the JSON path and say why. */
#define CHECK_REFUSED(s, file_, path_, reason_)                                      \
	do {                                                                          \
		CHECK_INT(fs_load(s), -EINVAL);                                       \
		CHECK_STR((s)->err.file, file_);                                      \
		CHECK_STR((s)->err.path, path_);                                      \
		CHECK_CONTAINS((s)->err.reason, reason_);                             \
		check_line_given(s);                                                  \
	} while (0)

/* The same, and the line is the one of the first `needle` in the file: what
 * an operator reads as "file:LINE: path: reason". */
#define CHECK_REFUSED_LINE(s, file_, needle_, path_, reason_)                        \
	do {                                                                          \
		int want_line_ = fs_line_of(s, file_, needle_);                       \
		CHECK(want_line_ > 0);                                                \
		CHECK_REFUSED(s, file_, path_, reason_);                              \
		CHECK_INT((s)->err.line, want_line_);                                 \
		char want_msg_[256];                                                  \
		snprintf(want_msg_, sizeof(want_msg_), "%s:%d: %s: ", file_, want_line_, path_); \
		CHECK(strncmp((s)->msg, want_msg_, strlen(want_msg_)) == 0);          \
	} while (0)

#define CHECK_REFUSED_AT(s, file_, line_, col_, reason_)                              \
	do {                                                                          \
		CHECK_INT(fs_load(s), -EINVAL);                                       \
		CHECK_STR((s)->err.file, file_);                                      \
		CHECK_INT((s)->err.line, line_);                                      \
		CHECK_INT((s)->err.column, col_);                                     \
		CHECK_CONTAINS((s)->err.reason, reason_);                             \
	} while (0)

#define PERSON_X(extra)                                                              \
	"{\"people\": [{\"id\": \"x\", \"name\": {\"en\": \"X\", \"ru\": \"Икс\", "  \
	"\"zh\": \"艾克斯\"}, \"aliases\": {\"en\": [], \"ru\": [], \"zh\": []}, "      \
	"\"checked\": \"nowhere\"" extra "}]}"

/* A fact with every key, to be broken one key at a time. */
#define FACT_X(id, text, extra)                                                       \
	"{\"facts\": [{\"id\": \"" id "\", \"topic\": \"t\", \"text\": " text ", "    \
	"\"keywords\": {\"en\": [], \"ru\": [], \"zh\": []}, \"source\": \"s01\"" extra "}]}"

#define TEXT3 "{\"en\": \"A.\", \"ru\": \"А.\", \"zh\": \"甲。\"}"

/* ---- the base case ---- */

TEST(real_files_load)
{
	struct fileset s;
	fs_init(&s);
	CHECK_INT(fs_load(&s), 0);
	fs_free(&s);
}

TEST(record_kinds_merge_across_files)
{
	struct fileset s;
	fs_init(&s);
	fs_add(&s, "zz.json", PERSON_X(""));
	struct facts *f = NULL;
	struct facts_error err;
	CHECK_INT(facts_load_files(s.v, s.n, &f, &err), 0);
	CHECK(facts_person(f, "x") != NULL);
	CHECK(facts_person(f, "zhang-ming") != NULL);
	CHECK_INT(f ? f->n_people : 0, 15);
	facts_free(f);
	fs_free(&s);
}

TEST(failed_load_leaves_ret_untouched)
{
	struct fileset s;
	fs_init(&s);
	fs_add(&s, "zz.json", "{");
	struct facts *sentinel = (struct facts *)&s, *f = sentinel;
	struct facts_error err;
	CHECK(facts_load_files(s.v, s.n, &f, &err) < 0);
	CHECK(f == sentinel);
	fs_free(&s);
}

/* ---- JSON syntax: line and column ---- */

TEST(syntax_error_reports_line_and_column)
{
	struct fileset s;
	fs_init(&s);
	fs_add(&s, "zz.json", "{\n  \"people\": [\n    {\"id\": \"x\" \"name\": 1}\n  ]\n}\n");
	CHECK_REFUSED_AT(&s, "zz.json", 3, 16, "JSON syntax error");
	CHECK_STR(s.msg, "zz.json:3:16: JSON syntax error near \"\"name\": 1}\"");
	fs_free(&s);
}

TEST(syntax_error_column_counts_characters_not_bytes)
{
	struct fileset s;
	fs_init(&s);
	fs_add(&s, "zz.json", "{\"office\": {\"ru\": \"январь\" \"x\"}}");
	CHECK_REFUSED_AT(&s, "zz.json", 1, 28, "JSON syntax error");
	fs_free(&s);
}

TEST(truncated_file_reports_end_of_file)
{
	struct fileset s;
	fs_init(&s);
	fs_add(&s, "zz.json", "{\"people\": [\n  ");
	CHECK_REFUSED_AT(&s, "zz.json", 2, 3, "unexpected end of file");
	fs_free(&s);
}

TEST(two_files_with_one_name_are_refused)
{
	struct fileset s;
	fs_init(&s);
	fs_add(&s, "zz.json", "{}");
	fs_add(&s, "zz.json", "{}");
	CHECK_INT(fs_load(&s), -EINVAL);
	CHECK_STR(s.err.file, "zz.json");
	CHECK_STR(s.err.reason, "two fact files have this name");
	fs_free(&s);
	fs_init(&s);
	fs_add(&s, "", "{}");
	CHECK_INT(fs_load(&s), -EINVAL);
	CHECK_STR(s.err.file, "");
	CHECK_CONTAINS(s.err.reason, "has no name");
	fs_free(&s);
}

/* The path of an error about a top-level key is not left over from the key
 * before it. */
TEST(unknown_top_level_key_after_a_known_one_has_an_empty_path)
{
	struct fileset s;
	fs_init(&s);
	fs_add(&s, "zz.json", "{\"people\": [], \"peoples\": []}");
	CHECK_REFUSED(&s, "zz.json", "", "unknown top-level key \"peoples\"");
	fs_free(&s);
}

TEST(every_kind_of_truncation_is_the_end_of_the_file)
{
	static const char *const cut[] = {"{", "{\"people\"", "{\"people\":", "{\"people\": [",
	                                  "[1, 2", "{\"people\": [{\"id\": \"x", "{\"peo",
	                                  "{\"people\": [{\"id\": \"a\\\"b"};
	for (size_t i = 0; i < sizeof(cut) / sizeof(cut[0]); i++) {
		struct fileset s;
		fs_init(&s);
		fs_add(&s, "zz.json", cut[i]);
		CHECK_INT(fs_load(&s), -EINVAL);
		CHECK_STR(s.err.file, "zz.json");
		CHECK_STR(s.err.reason, "JSON syntax error: unexpected end of file");
		fs_free(&s);
	}
}

TEST(error_on_the_last_byte_is_not_end_of_file)
{
	struct fileset s;
	fs_init(&s);
	fs_add(&s, "zz.json", "{\"people\": []]");
	CHECK_REFUSED_AT(&s, "zz.json", 1, 14, "near \"]\"");
	fs_free(&s);
	/* A string that closes is not a cut one, whatever follows it. */
	fs_init(&s);
	fs_add(&s, "zz.json", "{\"people\": [{\"id\": \"x\" \"y\"}]}");
	CHECK_REFUSED_AT(&s, "zz.json", 1, 24, "near \"\"y\"}]}\"");
	fs_free(&s);
	fs_init(&s);
	fs_add(&s, "zz.json", "{\"people\": [{\"id\": \"x\"y");
	CHECK_REFUSED_AT(&s, "zz.json", 1, 23, "near \"y\"");
	fs_free(&s);
}

TEST(empty_file_is_refused)
{
	struct fileset s;
	fs_init(&s);
	fs_add(&s, "zz.json", "");
	CHECK_REFUSED_AT(&s, "zz.json", 1, 1, "unexpected end of file");
	fs_free(&s);
}

TEST(text_after_the_json_value_is_refused)
{
	struct fileset s;
	fs_init(&s);
	fs_add(&s, "zz.json", "{}\n{}");
	CHECK_REFUSED_AT(&s, "zz.json", 2, 1, "unexpected text after the JSON value");
	fs_free(&s);
}

TEST(invalid_utf8_is_refused_at_its_position)
{
	struct fileset s;
	fs_init(&s);
	fs_add(&s, "zz.json", "{\n\"office\": {\"en\": \"ab\xff\"}}");
	CHECK_REFUSED_AT(&s, "zz.json", 2, 21, "invalid UTF-8");
	fs_free(&s);
}

TEST(overlong_utf8_is_refused)
{
	struct fileset s;
	fs_init(&s);
	fs_add(&s, "zz.json", "{\"office\": {\"en\": \"\xc0\xaf\"}}");
	CHECK_REFUSED_AT(&s, "zz.json", 1, 20, "invalid UTF-8");
	fs_free(&s);
}

TEST(nul_byte_in_file_is_refused)
{
	static const char data[] = "{\"people\": []}\0";
	struct fileset s;
	fs_init(&s);
	s.v[s.n++] = (struct facts_file){"zz.json", data, sizeof(data) - 1};
	CHECK_REFUSED_AT(&s, "zz.json", 1, 15, "NUL byte");
	fs_free(&s);
}

TEST(escaped_nul_in_string_is_refused)
{
	struct fileset s;
	fs_init(&s);
	fs_add(&s, "zz.json", "{\"x\\u0000\": 1}");
	CHECK_REFUSED_AT(&s, "zz.json", 1, 4, "\\u0000");
	fs_free(&s);
}

TEST(escaped_backslash_before_u0000_is_not_a_nul)
{
	struct fileset s;
	fs_init(&s);
	fs_add(&s, "zz.json", "{\"sentences\": [{\"id\": \"x\\\\u0000\", \"text\": \"t\"}]}");
	/* Gets past the byte scan and fails later, on the id's characters. */
	CHECK_REFUSED(&s, "zz.json", "sentences[0].id", "is not an id");
	fs_free(&s);
}

TEST(top_level_must_be_an_object)
{
	struct fileset s;
	fs_init(&s);
	fs_add(&s, "zz.json", "[]");
	CHECK_REFUSED(&s, "zz.json", "", "must hold a JSON object");
	fs_free(&s);
}

/* ---- keys and types ---- */

TEST(unknown_top_level_key_is_refused)
{
	struct fileset s;
	fs_init(&s);
	fs_add(&s, "zz.json", "{\"peoples\": []}");
	CHECK_REFUSED(&s, "zz.json", "", "unknown top-level key \"peoples\"");
	fs_free(&s);
}

TEST(unknown_key_in_a_record_is_refused)
{
	struct fileset s;
	fs_init(&s);
	fs_add(&s, "zz.json", PERSON_X(", \"contry\": \"cn\""));
	CHECK_REFUSED(&s, "zz.json", "people[0]", "unknown key \"contry\"");
	CHECK_CONTAINS(s.err.reason, "country");
	fs_free(&s);
}

TEST(unknown_language_is_refused)
{
	struct fileset s;
	fs_init(&s);
	fs_add(&s, "zz.json", FACT_X("x", "{\"en\": \"A.\", \"ru\": \"А.\", \"zh\": \"甲。\", "
	                                  "\"de\": \"A.\"}", ""));
	CHECK_REFUSED(&s, "zz.json", "facts[0].text", "unknown key \"de\"");
	fs_free(&s);
}

TEST(duplicate_key_in_an_object_is_refused)
{
	struct fileset s;
	fs_init(&s);
	fs_add(&s, "zz.json", PERSON_X(", \"checked\": \"twice\""));
	CHECK_REFUSED(&s, "zz.json", "people[0]", "duplicate key \"checked\"");
	fs_free(&s);
}

TEST(missing_required_key_is_refused)
{
	struct fileset s;
	fs_init(&s);
	fs_add(&s, "zz.json", "{\"people\": [{\"id\": \"x\", \"name\": " TEXT3 ", "
	                      "\"aliases\": {\"en\": [], \"ru\": [], \"zh\": []}}]}");
	CHECK_REFUSED(&s, "zz.json", "people[0].checked", "missing required key");
	fs_free(&s);
}

TEST(wrong_type_is_refused)
{
	struct fileset s;
	fs_init(&s);
	CHECK(fs_edit(&s, "secretaries_general.json", "\"term_years\": 3", "\"term_years\": \"3\""));
	CHECK_REFUSED_LINE(&s, "secretaries_general.json", "\"term_years\"", "office.term_years",
	                   "expected a number, got a string");
	fs_free(&s);
}

TEST(record_kind_that_is_not_an_array_is_refused)
{
	struct fileset s;
	fs_init(&s);
	fs_add(&s, "zz.json", "{\"people\": {}}");
	CHECK_REFUSED(&s, "zz.json", "people", "expected an array, got an object");
	fs_free(&s);
}

TEST(single_value_set_in_two_files_is_refused)
{
	struct fileset s;
	fs_init(&s);
	fs_add(&s, "zz.json", "{\"office\": {\"term_years\": 5, \"renewable\": true}}");
	CHECK_REFUSED(&s, "zz.json", "office", "already set in secretaries_general.json");
	fs_free(&s);
}

/* ---- strings ---- */

TEST(empty_string_is_refused)
{
	struct fileset s;
	fs_init(&s);
	fs_add(&s, "zz.json", "{\"people\": [{\"id\": \"x\", \"name\": " TEXT3 ", "
	                      "\"aliases\": {\"en\": [], \"ru\": [], \"zh\": []}, \"checked\": \"\"}]}");
	CHECK_REFUSED(&s, "zz.json", "people[0].checked", "empty string");
	fs_free(&s);
}

TEST(string_over_the_limit_is_refused)
{
	struct fileset s;
	fs_init(&s);
	char *big = fs_own(&s, malloc(FACTS_MAX_TEXT + 400));
	int n = snprintf(big, 200, "{\"sources\": [{\"id\": \"x\", \"kind\": \"news\", "
	                 "\"publisher\": \"P\", \"url\": null, \"published\": null, "
	                 "\"retrieved\": \"2026-12-06\", \"title\": \"");
	memset(big + n, 'a', FACTS_MAX_TEXT + 1);
	strcpy(big + n + FACTS_MAX_TEXT + 1, "\"}]}");
	fs_add(&s, "aa.json", big);
	CHECK_REFUSED(&s, "aa.json", "sources[0].title", "longer than the limit of 2048 bytes");
	fs_free(&s);
}

TEST(control_character_in_string_is_refused)
{
	struct fileset s;
	fs_init(&s);
	CHECK(fs_edit(&s, "people.json", "\"Li Zhaoxing\"", "\"Li\tZhaoxing\""));
	CHECK_REFUSED(&s, "people.json", "people[0].name.en", "control character U+0009");
	fs_free(&s);
}

TEST(leading_space_in_string_is_refused)
{
	struct fileset s;
	fs_init(&s);
	CHECK(fs_edit(&s, "countries.json", "\"Kyrgyz Republic\"", "\" Kyrgyz Republic\""));
	CHECK_REFUSED(&s, "countries.json", "countries[2].name.en", "leading or trailing space");
	fs_free(&s);
}

TEST(id_with_bad_characters_is_refused)
{
	struct fileset s;
	fs_init(&s);
	CHECK(fs_edit(&s, "people.json", "\"id\": \"zhang-ming\"", "\"id\": \"Zhang Ming\""));
	CHECK_REFUSED(&s, "people.json", "people[12].id", "\"Zhang Ming\" is not an id");
	fs_free(&s);
}

/* ---- translations (issue 7) ---- */

TEST(missing_translation_names_fact_and_language)
{
	struct fileset s;
	fs_init(&s);
	fs_add(&s, "zz.json", FACT_X("x.y", "{\"en\": \"A.\", \"ru\": \"А.\"}", ""));
	CHECK_REFUSED(&s, "zz.json", "facts[0].text.zh",
	              "missing Chinese translation of fact \"x.y\"");
	fs_free(&s);
}

TEST(missing_translation_of_a_real_fact_is_refused)
{
	struct fileset s;
	fs_init(&s);
	CHECK(fs_edit(&s, "facts.json",
	              "\"ru\": \"Штат Секретариата состоит из 36 должностных лиц, назначаемых "
	              "государствами-членами по страновым квотам.\",\n", ""));
	CHECK_REFUSED(&s, "facts.json", "facts[7].text.ru",
	              "missing Russian translation of fact \"staff.officials\"");
	fs_free(&s);
}

TEST(null_translation_is_missing)
{
	struct fileset s;
	fs_init(&s);
	fs_add(&s, "zz.json", FACT_X("x.y", "{\"en\": \"A.\", \"ru\": null, \"zh\": \"甲。\"}", ""));
	CHECK_REFUSED(&s, "zz.json", "facts[0].text.ru",
	              "missing Russian translation of fact \"x.y\"");
	fs_free(&s);
}

TEST(empty_translation_is_refused)
{
	struct fileset s;
	fs_init(&s);
	fs_add(&s, "zz.json", FACT_X("x.y", "{\"en\": \"\", \"ru\": \"А.\", \"zh\": \"甲。\"}", ""));
	CHECK_REFUSED(&s, "zz.json", "facts[0].text.en",
	              "empty English translation of fact \"x.y\"");
	fs_free(&s);
}

TEST(missing_translation_of_a_person_name_is_refused)
{
	struct fileset s;
	fs_init(&s);
	CHECK(fs_edit(&s, "people.json", ", \"zh\": \"张明\"}", "}"));
	CHECK_REFUSED(&s, "people.json", "people[12].name.zh",
	              "missing Chinese translation of person \"zhang-ming\"");
	fs_free(&s);
}

TEST(missing_translation_of_a_country_name_names_the_country)
{
	struct fileset s;
	fs_init(&s);
	fs_add(&s, "zz.json", "{\"countries\": [{\"id\": \"xx\", \"name\": {\"en\": \"X\", "
	                      "\"ru\": \"Икс\"}, \"short_name\": " TEXT3 ", \"aliases\": "
	                      "{\"en\": [], \"ru\": [], \"zh\": []}}]}");
	CHECK_REFUSED(&s, "zz.json", "countries[0].name.zh",
	              "missing Chinese translation of country \"xx\"");
	fs_free(&s);
}

TEST(missing_translation_of_a_note_is_refused)
{
	struct fileset s;
	fs_init(&s);
	CHECK(fs_edit(&s, "opening.json",
	              "\"ru\": \"Примечание редакции: источник называет министром иностранных дел "
	              "России Сергея Иванова, но в январе 2004 года министром иностранных дел России "
	              "был Игорь Иванов; Сергей Иванов был тогда министром обороны.\",", ""));
	CHECK_REFUSED(&s, "opening.json", "opening.attendees[3].note.ru",
	              "missing Russian translation of attendee \"sergei-ivanov\"");
	fs_free(&s);
}

TEST(missing_translation_of_an_item_is_refused)
{
	struct fileset s;
	fs_init(&s);
	CHECK(fs_edit(&s, "facts.json", ", \"zh\": \"人文\"", ""));
	CHECK_REFUSED(&s, "facts.json", "facts[9].items[2].zh",
	              "missing Chinese translation of fact \"departments\"");
	fs_free(&s);
}

TEST(missing_translation_of_where_a_secretary_general_was_appointed_is_refused)
{
	struct fileset s;
	fs_init(&s);
	CHECK(fs_edit(&s, "secretaries_general.json",
	              "\"ru\": \"Советом глав государств на саммите ШОС в Астане\",", ""));
	CHECK_REFUSED_LINE(&s, "secretaries_general.json", "\"appointed_at\"",
	                   "secretaries_general[7].appointed_at.ru",
	                   "missing Russian translation of the Secretary-General term of "
	                   "\"nurlan-yermekbayev\"");
	fs_free(&s);
}

TEST(missing_language_in_aliases_is_refused)
{
	struct fileset s;
	fs_init(&s);
	fs_add(&s, "zz.json", "{\"people\": [{\"id\": \"x\", \"name\": " TEXT3 ", "
	                      "\"aliases\": {\"en\": [], \"ru\": []}, \"checked\": \"n\"}]}");
	CHECK_REFUSED(&s, "zz.json", "people[0].aliases.zh", "missing Chinese aliases of person \"x\"");
	fs_free(&s);
}

/* ---- ids and references ---- */

TEST(duplicate_id_across_files_is_refused)
{
	struct fileset s;
	fs_init(&s);
	fs_add(&s, "zz.json", "{\"people\": [{\"id\": \"zhang-ming\", \"name\": " TEXT3 ", "
	                      "\"aliases\": {\"en\": [], \"ru\": [], \"zh\": []}, \"checked\": \"n\"}]}");
	CHECK_REFUSED(&s, "zz.json", "people[0].id",
	              "duplicate person id \"zhang-ming\" (first defined in people.json at people[12])");
	fs_free(&s);
}

TEST(duplicate_fact_id_is_refused)
{
	struct fileset s;
	fs_init(&s);
	fs_add(&s, "zz.json", FACT_X("departments", TEXT3, ""));
	CHECK_REFUSED(&s, "zz.json", "facts[0].id", "duplicate fact id \"departments\"");
	fs_free(&s);
}

TEST(duplicate_sentence_id_is_refused)
{
	struct fileset s;
	fs_init(&s);
	fs_add(&s, "zz.json", "{\"sentences\": [{\"id\": \"s05\", \"text\": \"Again.\"}]}");
	CHECK_REFUSED(&s, "zz.json", "sentences[0].id", "duplicate sentence id \"s05\"");
	fs_free(&s);
}

TEST(duplicate_alias_is_refused)
{
	struct fileset s;
	fs_init(&s);
	CHECK(fs_edit(&s, "countries.json", "[\"china\", \"prc\"", "[\"china\", \"china\""));
	CHECK_REFUSED(&s, "countries.json", "countries[0].aliases.en[1]", "\"china\" is listed twice");
	fs_free(&s);
}

TEST(dangling_country_of_a_person_is_refused)
{
	struct fileset s;
	fs_init(&s);
	fs_add(&s, "zz.json", PERSON_X(", \"country\": \"in\""));
	CHECK_REFUSED(&s, "zz.json", "people[0].country", "no country has the id \"in\"");
	fs_free(&s);
}

/* A person's country may be left out (not known), but not written as null:
 * null is how an attendee says "for no country". */
TEST(null_country_of_a_person_is_refused)
{
	struct fileset s;
	fs_init(&s);
	fs_add(&s, "zz.json", PERSON_X(", \"country\": null"));
	CHECK_REFUSED(&s, "zz.json", "people[0].country", "expected a country id, got null");
	fs_free(&s);
}

TEST(dangling_person_of_a_term_is_refused)
{
	struct fileset s;
	fs_init(&s);
	CHECK(fs_edit(&s, "secretaries_general.json", "\"person\": \"rashid-alimov\"",
	              "\"person\": \"rashid-alimow\""));
	CHECK_REFUSED(&s, "secretaries_general.json", "secretaries_general[4].person",
	              "no person has the id \"rashid-alimow\"");
	fs_free(&s);
}

TEST(dangling_person_of_an_attendee_is_refused)
{
	struct fileset s;
	fs_init(&s);
	CHECK(fs_edit(&s, "opening.json", "\"person\": \"sergei-ivanov\"",
	              "\"person\": \"igor-ivanov\""));
	CHECK_REFUSED(&s, "opening.json", "opening.attendees[3].person",
	              "no person has the id \"igor-ivanov\"");
	fs_free(&s);
}

TEST(dangling_country_of_an_attendee_is_refused)
{
	struct fileset s;
	fs_init(&s);
	CHECK(fs_edit(&s, "opening.json", "\"country\": \"tj\"", "\"country\": \"tjk\""));
	CHECK_REFUSED(&s, "opening.json", "opening.attendees[4].country",
	              "no country has the id \"tjk\"");
	fs_free(&s);
}

TEST(dangling_source_sentence_is_refused)
{
	struct fileset s;
	fs_init(&s);
	fs_add(&s, "zz.json", "{\"facts\": [{\"id\": \"x\", \"topic\": \"t\", \"text\": " TEXT3 ", "
	                      "\"keywords\": {\"en\": [], \"ru\": [], \"zh\": []}, \"source\": \"s99\"}]}");
	CHECK_REFUSED(&s, "zz.json", "facts[0].source", "no sentence has the id \"s99\"");
	fs_free(&s);
}

TEST(country_that_contradicts_the_person_is_refused)
{
	struct fileset s;
	fs_init(&s);
	CHECK(fs_edit(&s, "secretaries_general.json",
	              "\"person\": \"zhang-ming\", \"country\": \"cn\"",
	              "\"person\": \"zhang-ming\", \"country\": \"kz\""));
	CHECK_REFUSED(&s, "secretaries_general.json", "secretaries_general[6].country",
	              "contradicts the country of person \"zhang-ming\"");
	fs_free(&s);
}

TEST(attendee_listed_twice_is_refused)
{
	struct fileset s;
	fs_init(&s);
	CHECK(fs_edit(&s, "opening.json", "\"person\": \"talbak-nazarov\"",
	              "\"person\": \"li-zhaoxing\""));
	/* Li Zhaoxing is Chinese, so the country check would fire first; move the
	 * country too to reach the duplicate check. */
	CHECK(fs_edit(&s, "opening.json", "\"country\": \"tj\"", "\"country\": \"cn\""));
	CHECK_REFUSED(&s, "opening.json", "opening.attendees[4].person",
	              "person \"li-zhaoxing\" is listed twice");
	fs_free(&s);
}

/* ---- dates and terms ---- */

/* A term for a replaced secretaries_general.json, one per line so that an
 * error's line number tells the terms apart. The two sources have different
 * publishers (Hindustan Times, Press Trust of India), so a term built with
 * TERM passes the two-sources rule and each test breaks only its own rule. */
#define SGS(terms) "{\"secretaries_general\": [\n" terms "\n]}\n"
#define TERM(person, country, from, to)                                               \
	"{\"person\": \"" person "\", \"country\": \"" country "\", \"from\": " from      \
	", \"to\": " to ", \"sources\": [\"ht-2022-zhang-ming\", \"pti-2022-zhang-ming\"]}"
/* The office's rules stay in the replaced file: one term of three years. */
#define OFFICE "{\"office\": {\"term_years\": 3, \"renewable\": false, " \
	"\"sources\": [\"sco-secretariat-page\", \"kt-2024-yermekbayev\"]},\n"
#define SGS_RULED(terms) OFFICE "\"secretaries_general\": [\n" terms "\n]}\n"

TEST(year_outside_the_range_is_refused)
{
	struct fileset s;
	fs_init(&s);
	fs_replace(&s, "secretaries_general.json", SGS(TERM("zhang-ming", "cn", "1899", "null")));
	CHECK_REFUSED(&s, "secretaries_general.json", "secretaries_general[0].from",
	              "1899 is outside the range 1900..2100");
	fs_free(&s);
}

TEST(year_outside_the_range_in_a_date_string_is_refused)
{
	struct fileset s;
	fs_init(&s);
	fs_replace(&s, "secretaries_general.json",
	           SGS(TERM("zhang-ming", "cn", "\"2022-01-01\"", "\"2101-01-01\"")));
	CHECK_REFUSED_LINE(&s, "secretaries_general.json", "\"2101", "secretaries_general[0].to",
	                   "year 2101 is outside the range 1900..2100");
	fs_free(&s);
}

TEST(fractional_year_is_refused)
{
	struct fileset s;
	fs_init(&s);
	fs_replace(&s, "secretaries_general.json", SGS(TERM("zhang-ming", "cn", "2022.5", "null")));
	CHECK_REFUSED(&s, "secretaries_general.json", "secretaries_general[0].from",
	              "expected a whole number");
	fs_free(&s);
}

TEST(huge_year_is_refused)
{
	struct fileset s;
	fs_init(&s);
	fs_replace(&s, "secretaries_general.json", SGS(TERM("zhang-ming", "cn", "2022", "1e999")));
	CHECK_REFUSED(&s, "secretaries_general.json", "secretaries_general[0].to",
	              "outside the range");
	fs_free(&s);
}

/* Only YYYY, YYYY-MM and YYYY-MM-DD, and only days the calendar has. */
TEST(malformed_term_dates_are_refused)
{
	static const char *const bad[] = {
		"\"2022-1-1\"", "\"2022-13\"", "\"2023-02-29\"", "\"January 2022\"", "\"22\"",
		"\"2022-01-01T00:00\"", "\"\"",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char file[512];
		snprintf(file, sizeof(file), SGS(TERM("zhang-ming", "cn", "%s", "null")), bad[i]);
		struct fileset s;
		fs_init(&s);
		fs_replace(&s, "secretaries_general.json", file);
		CHECK_INT(fs_load(&s), -EINVAL);
		CHECK_STR(s.err.path, "secretaries_general[0].from");
		if (strcmp(bad[i], "\"\"") == 0)
			CHECK_CONTAINS(s.err.reason, "empty string");
		else
			CHECK_CONTAINS(s.err.reason, "is not a date: write YYYY, YYYY-MM or YYYY-MM-DD");
		CHECK_INT(s.err.line, 2);
		fs_free(&s);
	}
}

TEST(leap_day_and_every_precision_load)
{
	struct fileset s;
	fs_init(&s);
	fs_replace(&s, "secretaries_general.json",
	           SGS(TERM("vladimir-norov", "uz", "\"2020-02-29\"", "\"2022\"") ",\n"
	               TERM("zhang-ming", "cn", "\"2023-01\"", "null")));
	CHECK_INT(fs_load(&s), 0);
	fs_free(&s);
}

TEST(term_that_ends_before_it_starts_is_refused)
{
	struct fileset s;
	fs_init(&s);
	fs_replace(&s, "secretaries_general.json", SGS(TERM("zhang-ming", "cn", "2022", "2021")));
	CHECK_REFUSED(&s, "secretaries_general.json", "secretaries_general[0].to",
	              "the term ends (2021) before it starts (2022)");
	fs_free(&s);
}

/* One day in common is an overlap: two people would hold the post that day. */
TEST(overlapping_terms_are_refused)
{
	struct fileset s;
	fs_init(&s);
	fs_replace(&s, "secretaries_general.json",
	           SGS(TERM("vladimir-norov", "uz", "\"2019-01-01\"", "\"2021-12-31\"") ",\n"
	               TERM("zhang-ming", "cn", "\"2021-12-31\"", "null")));
	CHECK_REFUSED_LINE(&s, "secretaries_general.json", "\"2021-12-31\", \"to\": null",
	                   "secretaries_general[1].from",
	                   "overlaps the previous term (vladimir-norov, to 2021-12-31): this one "
	                   "starts on 2021-12-31");
	CHECK_STR(s.msg, "secretaries_general.json:3: secretaries_general[1].from: overlaps the "
	                 "previous term (vladimir-norov, to 2021-12-31): this one starts on "
	                 "2021-12-31");
	fs_free(&s);
}

/* A year-precision end runs to 31 December: "2019-2022" then "from 2022" (how
 * the anniversary article writes Norov's term) shares a whole year. */
TEST(terms_sharing_a_boundary_year_are_refused)
{
	struct fileset s;
	fs_init(&s);
	fs_replace(&s, "secretaries_general.json",
	           SGS(TERM("vladimir-norov", "uz", "\"2019\"", "\"2021\"") ",\n"
	               TERM("zhang-ming", "cn", "\"2021\"", "null")));
	CHECK_REFUSED_LINE(&s, "secretaries_general.json", "\"2021\", \"to\": null",
	                   "secretaries_general[1].from", "overlaps the previous term");
	fs_free(&s);
}

TEST(term_starting_the_day_after_the_previous_one_ends_loads)
{
	struct fileset s;
	fs_init(&s);
	fs_replace(&s, "secretaries_general.json",
	           SGS(TERM("vladimir-norov", "uz", "\"2019-01-01\"", "\"2021-12-31\"") ",\n"
	               TERM("zhang-ming", "cn", "\"2022-01-01\"", "null")));
	CHECK_INT(fs_load(&s), 0);
	fs_free(&s);
}

/* Lower precision: "to 2006" ends on 31 December, so "from 2007-01" follows it. */
TEST(year_end_followed_by_a_month_start_loads)
{
	struct fileset s;
	fs_init(&s);
	fs_replace(&s, "secretaries_general.json",
	           SGS(TERM("vladimir-norov", "uz", "\"2019\"", "\"2021\"") ",\n"
	               TERM("zhang-ming", "cn", "\"2022-01\"", "null")));
	CHECK_INT(fs_load(&s), 0);
	fs_free(&s);
}

/* A day with nobody in office is as wrong as a day with two. */
TEST(gap_between_terms_is_refused)
{
	struct fileset s;
	fs_init(&s);
	fs_replace(&s, "secretaries_general.json",
	           SGS(TERM("vladimir-norov", "uz", "\"2019-01-01\"", "\"2021-12-30\"") ",\n"
	               TERM("zhang-ming", "cn", "\"2022-01-01\"", "null")));
	CHECK_REFUSED_LINE(&s, "secretaries_general.json", "\"2022-01-01\"",
	                   "secretaries_general[1].from",
	                   "leaves a gap after the previous term (vladimir-norov, to 2021-12-30): "
	                   "this one starts on 2022-01-01");
	fs_free(&s);
}

TEST(gap_after_a_year_precision_end_is_refused)
{
	struct fileset s;
	fs_init(&s);
	fs_replace(&s, "secretaries_general.json",
	           SGS(TERM("vladimir-norov", "uz", "\"2019\"", "\"2021\"") ",\n"
	               TERM("zhang-ming", "cn", "\"2022-02\"", "null")));
	CHECK_REFUSED_LINE(&s, "secretaries_general.json", "\"2022-02\"",
	                   "secretaries_general[1].from", "leaves a gap after the previous term");
	fs_free(&s);
}

/* The real rules: one term of three years. 1 January 2019 to 1 January 2022
 * is three years and a day. */
TEST(term_longer_than_the_rules_allow_is_refused)
{
	struct fileset s;
	fs_init(&s);
	fs_replace(&s, "secretaries_general.json",
	           SGS_RULED(TERM("vladimir-norov", "uz", "\"2019-01-01\"", "\"2022-01-01\"")));
	CHECK_REFUSED_LINE(&s, "secretaries_general.json", "\"2022-01-01\"",
	                   "secretaries_general[0].to",
	                   "the term (2019-01-01 to 2022-01-01) is longer than the 3 years the "
	                   "rules of the office allow");
	fs_free(&s);
}

/* "2019" to "2022" (the article's way of writing Norov's term) may mean four
 * years: more than the rules allow. */
TEST(year_precision_term_that_may_exceed_the_rules_is_refused)
{
	struct fileset s;
	fs_init(&s);
	fs_replace(&s, "secretaries_general.json",
	           SGS_RULED(TERM("vladimir-norov", "uz", "\"2019\"", "\"2022\"")));
	CHECK_REFUSED_LINE(&s, "secretaries_general.json", "\"2022\"", "secretaries_general[0].to",
	                   "is longer than the 3 years");
	fs_free(&s);
}

TEST(term_of_exactly_the_allowed_length_loads)
{
	struct fileset s;
	fs_init(&s);
	fs_replace(&s, "secretaries_general.json",
	           SGS_RULED(TERM("vladimir-norov", "uz", "\"2019-01-01\"", "\"2021-12-31\"")));
	CHECK_INT(fs_load(&s), 0);
	fs_free(&s);
}

/* The bound comes from the office's rules in the data, not from the code:
 * with the rules saying five years, a four-year term loads. */
TEST(term_length_follows_the_office_rules)
{
	struct fileset s;
	fs_init(&s);
	CHECK(fs_edit(&s, "secretaries_general.json", "\"term_years\": 3", "\"term_years\": 5"));
	CHECK(fs_edit(&s, "secretaries_general.json", "\"to\": \"2015-12-31\"",
	              "\"to\": \"2016-12-31\""));
	CHECK(fs_edit(&s, "secretaries_general.json", "\"from\": \"2016-01-01\"",
	              "\"from\": \"2017-01-01\""));
	CHECK(fs_edit(&s, "secretaries_general.json", "\"to\": \"2018-12-31\"",
	              "\"to\": \"2019-12-31\""));
	CHECK(fs_edit(&s, "secretaries_general.json", "\"from\": \"2019-01-01\"",
	              "\"from\": \"2020-01-01\""));
	CHECK(fs_edit(&s, "secretaries_general.json", "\"to\": \"2021-12-31\"",
	              "\"to\": \"2022-12-31\""));
	CHECK(fs_edit(&s, "secretaries_general.json", "\"from\": \"2022-01-01\"",
	              "\"from\": \"2023-01-01\""));
	CHECK_INT(fs_load(&s), 0);
	fs_free(&s);
}

TEST(office_term_years_out_of_range_is_refused)
{
	struct fileset s;
	fs_init(&s);
	CHECK(fs_edit(&s, "secretaries_general.json", "\"term_years\": 3", "\"term_years\": 0"));
	CHECK_REFUSED_LINE(&s, "secretaries_general.json", "\"term_years\"", "office.term_years",
	                   "0 is outside the range 1..20");
	fs_free(&s);
}

/* Kazakhstan Today published both of these: one publisher, one voice. */
TEST(term_with_one_independent_source_is_refused)
{
	struct fileset s;
	fs_init(&s);
	CHECK(fs_edit(&s, "secretaries_general.json",
	              "\"sources\": [\"astanatimes-2024-yermekbayev\", \"trend-2024-yermekbayev\", "
	              "\"kt-2024-yermekbayev\", \"kztoday-2024-handover\", "
	              "\"astanatimes-2025-yermekbayev\", \"chinanews-2025-yermekbayev\"]",
	              "\"sources\": [\"kt-2024-yermekbayev\", \"kztoday-2024-handover\"]"));
	CHECK_REFUSED_LINE(&s, "secretaries_general.json", "\"sources\": [\"kt-2024-yermekbayev\", "
	                   "\"kztoday", "secretaries_general[7].sources",
	                   "a change of office holder needs two independent sources (different "
	                   "publishers); this term cites only Kazakhstan Today");
	fs_free(&s);
}

/* The quoted sentence counts as its document's source (the SCO Secretariat's
 * article), so an official SCO page beside it is still one publisher. */
TEST(quoted_sentence_and_a_page_of_the_same_publisher_are_one_source)
{
	struct fileset s;
	fs_init(&s);
	CHECK(fs_edit(&s, "secretaries_general.json",
	              "\"sources\": [\"sputnik-2007-nurgaliyev\", \"bjreview-2022-zhang-ming\"]",
	              "\"sources\": [\"sco-secretariat-page\"]"));
	CHECK_REFUSED_LINE(&s, "secretaries_general.json", "\"sources\": [\"sco-secretariat-page\"]",
	                   "secretaries_general[0].sources",
	                   "needs two independent sources (different publishers); this term cites "
	                   "only SCO Secretariat");
	fs_free(&s);
}

TEST(term_with_a_single_source_is_refused)
{
	struct fileset s;
	fs_init(&s);
	fs_replace(&s, "secretaries_general.json",
	           "{\"secretaries_general\": [\n{\"person\": \"zhang-ming\", \"country\": \"cn\", "
	           "\"from\": \"2022-01-01\", \"to\": null,\n \"sources\": [\"ht-2022-zhang-ming\"]}\n]}");
	CHECK_REFUSED_LINE(&s, "secretaries_general.json", "\"sources\"",
	                   "secretaries_general[0].sources",
	                   "this term cites only Hindustan Times");
	fs_free(&s);
}

TEST(terms_out_of_order_are_refused)
{
	struct fileset s;
	fs_init(&s);
	fs_replace(&s, "secretaries_general.json",
	           SGS(TERM("rashid-alimov", "tj", "2016", "2018") ",\n"
	               TERM("dmitry-mezentsev", "ru", "2013", "2015")));
	CHECK_REFUSED_LINE(&s, "secretaries_general.json", "\"from\": 2013",
	                   "secretaries_general[1].from", "chronological order");
	fs_free(&s);
}

TEST(open_ended_term_before_another_is_refused)
{
	struct fileset s;
	fs_init(&s);
	fs_replace(&s, "secretaries_general.json",
	           SGS(TERM("vladimir-norov", "uz", "\"2019-01-01\"", "null") ",\n"
	               TERM("zhang-ming", "cn", "\"2022-01-01\"", "null")));
	CHECK_REFUSED_LINE(&s, "secretaries_general.json", "\"2022-01-01\"",
	                   "secretaries_general[1].from", "only the last term may be open-ended");
	fs_free(&s);
}

/* Files merge in the order given, so a term in a later file follows the last
 * term of secretaries_general.json (Yermekbayev, to 31 December 2027). */
TEST(term_in_a_later_file_continues_the_list)
{
	struct fileset s;
	fs_init(&s);
	fs_add(&s, "zz.json", SGS(TERM("zhang-ming", "cn", "\"2029-01-01\"", "null")));
	CHECK_REFUSED_LINE(&s, "zz.json", "\"2029-01-01\"", "secretaries_general[0].from",
	                   "leaves a gap after the previous term (nurlan-yermekbayev, to "
	                   "2027-12-31)");
	fs_free(&s);
	fs_init(&s);
	fs_add(&s, "zz.json", SGS(TERM("zhang-ming", "cn", "\"2028-01-01\"", "null")));
	struct facts *f = NULL;
	struct facts_error err;
	CHECK_INT(facts_load_files(s.v, s.n, &f, &err), 0);
	CHECK_INT(f ? f->n_sgs : 0, 9);
	CHECK(f && f->sgs[8].order == 9 && f->sgs[8].to.prec == DATE_NONE);
	facts_free(f);
	fs_free(&s);
}

TEST(appointment_after_the_term_began_is_refused)
{
	struct fileset s;
	fs_init(&s);
	CHECK(fs_edit(&s, "secretaries_general.json", "\"appointed\": \"2024-07-04\"",
	              "\"appointed\": \"2025-01-02\""));
	CHECK_REFUSED_LINE(&s, "secretaries_general.json", "\"appointed\"",
	                   "secretaries_general[7].appointed",
	                   "appointed (2025-01-02) after the term began (2025-01-01)");
	fs_free(&s);
}

/* ---- every key of every kind ---- */

/* Every key of every record kind, left out one at a time: a required key is
 * refused by name at its path, an optional one loads. The record as a whole
 * loads, so each refusal is about the key left out. */
struct key_case {
	const char *key;
	const char *value; /* JSON */
	bool required;
};

struct kind_case {
	const char *file;   /* added, or replaced when it is one of the real files */
	const char *before; /* JSON up to the record's first key */
	const char *after;  /* JSON after its last key */
	const char *path;   /* the record's path */
	struct key_case keys[10];
};

#define ALIASES0 "{\"en\": [], \"ru\": [], \"zh\": []}"
#define TWO_SOURCES "[\"ht-2022-zhang-ming\", \"pti-2022-zhang-ming\"]"

static const struct kind_case kind_cases[] = {
	{"zz.json", "{\"sources\": [{", "}]}", "sources[0]",
	 {{"id", "\"x\"", true}, {"kind", "\"news\"", true}, {"publisher", "\"P\"", true},
	  {"title", "\"T\"", true}, {"url", "\"https://example.org/x\"", false},
	  {"published", "\"2024-07-04\"", true}, {"retrieved", "\"2026-12-06\"", true}}},
	{"zz.json", "{\"sentences\": [{", "}]}", "sentences[0]",
	 {{"id", "\"x\"", true}, {"text", "\"T.\"", true}}},
	{"zz.json", "{\"countries\": [{", "}]}", "countries[0]",
	 {{"id", "\"xx\"", true}, {"name", TEXT3, true}, {"short_name", TEXT3, true},
	  {"aliases", ALIASES0, true}}},
	{"zz.json", "{\"people\": [{", "}]}", "people[0]",
	 {{"id", "\"x\"", true}, {"name", TEXT3, true}, {"country", "\"cn\"", false},
	  {"aliases", ALIASES0, true}, {"checked", "\"c\"", true}}},
	/* Left out, "sources" would leave one publisher: that rule has its own tests. */
	{"zz.json", "{\"secretaries_general\": [{\"sources\": " TWO_SOURCES ", ", "}]}",
	 "secretaries_general[0]",
	 {{"person", "\"zhang-ming\"", true}, {"country", "\"cn\"", true},
	  {"from", "\"2028-01-01\"", true}, {"to", "null", true},
	  {"appointed", "\"2027-07-01\"", false}, {"appointed_at", TEXT3, false},
	  {"source", "\"s08\"", false}, {"note", TEXT3, false}}},
	{"secretaries_general.json", "{\"office\": {",
	 "},\n\"secretaries_general\": [" TERM("zhang-ming", "cn", "\"2022-01-01\"", "null") "]}",
	 "office",
	 {{"term_years", "3", true}, {"renewable", "false", true}, {"source", "\"s08\"", false},
	  {"sources", "[\"sco-secretariat-page\"]", false}}},
	{"opening.json", "{\"opening\": {",
	 "}}", "opening",
	 {{"date", "\"2004-01-15\"", true}, {"date_text", TEXT3, true}, {"place", TEXT3, true},
	  {"source", "\"s01\"", false}, {"sources", "[\"sco-2014-anniversary\"]", false},
	  {"attendees", "[{\"person\": \"li-zhaoxing\", \"country\": \"cn\", \"role\": " TEXT3
	                ", \"source\": \"s01\"}]", true}}},
	{"opening.json", "{\"opening\": {\"date\": \"2004-01-15\", \"date_text\": " TEXT3
	 ", \"place\": " TEXT3 ", \"source\": \"s01\", \"attendees\": [{",
	 "}]}}", "opening.attendees[0]",
	 {{"person", "\"li-zhaoxing\"", true}, {"country", "\"cn\"", true}, {"role", TEXT3, true},
	  {"source", "\"s01\"", false}, {"sources", "[\"sco-2014-anniversary\"]", false},
	  {"note", TEXT3, false}}},
	{"zz.json", "{\"facts\": [{", "}]}", "facts[0]",
	 {{"id", "\"x\"", true}, {"topic", "\"t\"", true}, {"text", TEXT3, true},
	  {"note", TEXT3, false}, {"items", "[" TEXT3 "]", false}, {"keywords", ALIASES0, true},
	  {"source", "\"s01\"", false}, {"sources", "[\"sco-2014-anniversary\"]", false}}},
};

/* The record of c without key number `skip` (none when skip is past the end). */
static char *record_without(const struct kind_case *c, size_t skip)
{
	size_t size = 8192, used = 0;
	char *buf = malloc(size);
	used += (size_t)snprintf(buf + used, size - used, "%s", c->before);
	bool first = true;
	for (size_t i = 0; i < 10 && c->keys[i].key; i++) {
		if (i == skip)
			continue;
		used += (size_t)snprintf(buf + used, size - used, "%s\"%s\": %s", first ? "" : ", ",
		                         c->keys[i].key, c->keys[i].value);
		first = false;
	}
	snprintf(buf + used, size - used, "%s", c->after);
	return buf;
}

TEST(every_required_key_is_refused_when_missing_and_every_optional_key_may_be)
{
	for (size_t k = 0; k < sizeof(kind_cases) / sizeof(kind_cases[0]); k++) {
		const struct kind_case *c = &kind_cases[k];
		for (size_t skip = 0; skip <= 10; skip++) {
			if (skip < 10 && !c->keys[skip].key)
				continue;
			struct fileset s;
			fs_init(&s);
			char *data = fs_own(&s, record_without(c, skip));
			if (fs_find(&s, c->file))
				fs_replace(&s, c->file, data);
			else
				fs_add(&s, c->file, data);
			const struct key_case *left = skip < 10 ? &c->keys[skip] : NULL;
			printf("# %s without %s\n", c->path, left ? left->key : "nothing");
			if (!left || !left->required) {
				CHECK_INT(fs_load(&s), 0);
			} else {
				char path[128], reason[128];
				snprintf(path, sizeof(path), "%s.%s", c->path, left->key);
				snprintf(reason, sizeof(reason), "missing required key \"%s\"", left->key);
				CHECK_INT(fs_load(&s), -EINVAL);
				CHECK_STR(s.err.file, c->file);
				CHECK_STR(s.err.path, path);
				CHECK_STR(s.err.reason, reason);
			}
			fs_free(&s);
		}
	}
}

/* A record's index in its file is part of every error about it. */
TEST(errors_name_the_index_of_the_record_in_its_file)
{
	static const struct {
		const char *data, *path, *reason;
	} cases[] = {
		{"{\"sentences\": [{\"id\": \"y\", \"text\": \"T.\"}, {\"id\": \"y\", \"text\": \"T.\"}]}",
		 "sentences[1].id", "duplicate sentence id \"y\" (first defined in zz.json at sentences[0])"},
		{"{\"sources\": [" "{\"id\": \"y\", \"kind\": \"news\", \"publisher\": \"P\", "
		 "\"title\": \"T\", \"published\": null, \"retrieved\": \"2026-12-06\"}, "
		 "{\"id\": \"y\", \"kind\": \"news\", \"publisher\": \"P\", "
		 "\"title\": \"T\", \"published\": null, \"retrieved\": \"2026-12-06\"}]}",
		 "sources[1].id", "duplicate source id \"y\" (first defined in zz.json at sources[0])"},
		{"{\"countries\": [{\"id\": \"xx\", \"name\": " TEXT3 ", \"short_name\": " TEXT3
		 ", \"aliases\": " ALIASES0 "}, {\"id\": \"xx\", \"name\": " TEXT3
		 ", \"short_name\": " TEXT3 ", \"aliases\": " ALIASES0 "}]}",
		 "countries[1].id", "duplicate country id \"xx\" (first defined in zz.json at countries[0])"},
		{"{\"people\": [{\"id\": \"y\", \"name\": " TEXT3 ", \"aliases\": " ALIASES0
		 ", \"checked\": \"c\"}, {\"id\": \"y\", \"name\": " TEXT3 ", \"aliases\": " ALIASES0
		 ", \"checked\": \"c\"}]}",
		 "people[1].id", "duplicate person id \"y\" (first defined in zz.json at people[0])"},
		{"{\"facts\": [{\"id\": \"y\", \"topic\": \"t\", \"text\": " TEXT3 ", \"keywords\": "
		 ALIASES0 ", \"source\": \"s01\"}, {\"id\": \"y\", \"topic\": \"t\", \"text\": " TEXT3
		 ", \"keywords\": " ALIASES0 ", \"source\": \"s01\"}]}",
		 "facts[1].id", "duplicate fact id \"y\" (first defined in zz.json at facts[0])"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fileset s;
		fs_init(&s);
		fs_add(&s, "zz.json", cases[i].data);
		CHECK_REFUSED(&s, "zz.json", cases[i].path, cases[i].reason);
		CHECK_STR(s.err.reason, cases[i].reason);
		fs_free(&s);
	}
}

/* ---- rules each kind checks (added for the mutation survivors, doc/MUTATION.md) ---- */

TEST(opening_date_must_be_a_real_day_written_in_full)
{
	static const char *const bad[] = {
		"2004-1-15", "2004-01-5x", "2004/01/15", "2004-01/15", "20a4-01-15", "2004-a1-15",
		"2004-01-a5", "2004-00-15", "2004-13-15", "2004-01-00", "2004-01-32", "2004-04-31",
		"2003-02-29", "1900-02-29",
	};
	static const char *const good[] = {"2004-02-29", "2000-02-29", "2004-12-31"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct fileset s;
		char with[32];
		snprintf(with, sizeof(with), "\"%s\"", bad[i]);
		fs_init(&s);
		CHECK(fs_edit(&s, "opening.json", "\"2004-01-15\"", with));
		CHECK_REFUSED(&s, "opening.json", "opening.date", "expected a date as YYYY-MM-DD");
		fs_free(&s);
	}
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct fileset s;
		char with[32];
		snprintf(with, sizeof(with), "\"%s\"", good[i]);
		fs_init(&s);
		CHECK(fs_edit(&s, "opening.json", "\"2004-01-15\"", with));
		CHECK_INT(fs_load(&s), 0);
		fs_free(&s);
	}
}

/* Each attendee is compared with every one before it, not just the first. */
TEST(attendee_listed_twice_after_others_is_refused)
{
	struct fileset s;
	fs_init(&s);
	CHECK(fs_edit(&s, "opening.json", "\"person\": \"talbak-nazarov\"",
	              "\"person\": \"kassym-jomart-tokayev\""));
	CHECK(fs_edit(&s, "opening.json", "\"country\": \"tj\"", "\"country\": \"kz\""));
	CHECK_REFUSED(&s, "opening.json", "opening.attendees[4].person",
	              "person \"kassym-jomart-tokayev\" is listed twice");
	fs_free(&s);
}

TEST(office_renewable_must_be_a_boolean)
{
	struct fileset s;
	fs_init(&s);
	CHECK(fs_edit(&s, "secretaries_general.json", "\"renewable\": false", "\"renewable\": \"no\""));
	CHECK_REFUSED_LINE(&s, "secretaries_general.json", "\"renewable\"", "office.renewable",
	                   "expected true or false, got a string");
	fs_free(&s);
}

/* "sources" may be left out of a term, but then the quoted sentence is its
 * only source, and one publisher is not enough. */
TEST(term_citing_only_the_quoted_sentence_is_refused)
{
	struct fileset s;
	fs_init(&s);
	fs_replace(&s, "secretaries_general.json",
	           SGS_RULED("{\"person\": \"zhang-ming\", \"country\": \"cn\", "
	                     "\"from\": \"2022-01-01\", \"to\": null, \"source\": \"s08\"}"));
	CHECK_REFUSED(&s, "secretaries_general.json", "secretaries_general[0].sources",
	              "a change of office holder needs two independent sources");
	fs_free(&s);
}

/* Only an attendee may stand for no country. */
TEST(null_country_of_a_term_is_refused)
{
	struct fileset s;
	fs_init(&s);
	fs_replace(&s, "secretaries_general.json",
	           SGS_RULED(TERM("zhang-ming", "cn", "\"2022-01-01\"", "null")));
	CHECK(fs_edit(&s, "secretaries_general.json", "\"country\": \"cn\"", "\"country\": null"));
	CHECK_REFUSED(&s, "secretaries_general.json", "secretaries_general[0].country",
	              "expected a country id, got null");
	fs_free(&s);
}

TEST(required_fact_without_its_items_is_refused)
{
	struct fileset s;
	fs_init(&s);
	CHECK(fs_edit(&s, "facts.json", "\"id\": \"departments\"", "\"id\": \"departments-old\""));
	fs_add(&s, "zz.json", "{\"facts\": [{\"id\": \"departments\", \"topic\": \"departments\", "
	                      "\"text\": " TEXT3 ", \"keywords\": " ALIASES0 ", \"source\": \"s01\"}]}");
	CHECK_REFUSED(&s, "zz.json", "facts[0].items", "fact \"departments\" must list its items");
	fs_free(&s);
}

/* An error after the items of a fact names its own key, not a path under "items". */
TEST(error_after_a_facts_items_names_its_own_key)
{
	struct fileset s;
	fs_init(&s);
	fs_add(&s, "zz.json", "{\"facts\": [{\"id\": \"x\", \"topic\": \"t\", \"text\": " TEXT3 ", "
	                      "\"items\": [" TEXT3 "], \"keywords\": {\"en\": [], \"ru\": []}, "
	                      "\"source\": \"s01\"}]}");
	CHECK_REFUSED(&s, "zz.json", "facts[0].keywords.zh",
	              "missing Chinese keywords of fact \"x\"");
	fs_free(&s);
}

/* An attendee may stand for no country; the errors after that null still
 * name their own key. */
TEST(error_after_an_attendees_null_country_names_its_own_key)
{
	struct fileset s;
	fs_init(&s);
	fs_replace(&s, "opening.json",
	           "{\"opening\": {\"date\": \"2004-01-15\", \"date_text\": " TEXT3 ", \"place\": "
	           TEXT3 ", \"source\": \"s01\", \"attendees\": [{\"person\": \"li-zhaoxing\", "
	           "\"country\": null, \"role\": {\"en\": \"A\", \"ru\": \"Б\"}, \"source\": \"s01\"}]}}");
	CHECK_REFUSED(&s, "opening.json", "opening.attendees[0].role.zh",
	              "missing Chinese translation of attendee \"li-zhaoxing\"");
	fs_free(&s);
}

/* Each source in a list is compared with every one before it. */
TEST(source_cited_twice_after_others_is_refused)
{
	struct fileset s;
	fs_init(&s);
	fs_add(&s, "zz.json", FACT_X("x", TEXT3, ", \"sources\": [\"sco-2014-anniversary\", "
	                      "\"ht-2022-zhang-ming\", \"ht-2022-zhang-ming\"]"));
	CHECK_REFUSED(&s, "zz.json", "facts[0].sources[2]",
	              "source \"ht-2022-zhang-ming\" is cited twice");
	fs_free(&s);
}

/* Without a quoted sentence, a repeated source is just that. */
TEST(source_cited_twice_without_a_sentence_says_only_that)
{
	struct fileset s;
	fs_init(&s);
	fs_add(&s, "zz.json", "{\"facts\": [{\"id\": \"x\", \"topic\": \"t\", \"text\": " TEXT3 ", "
	                      "\"keywords\": " ALIASES0 ", \"sources\": [\"sco-2014-anniversary\", "
	                      "\"sco-2014-anniversary\"]}]}");
	CHECK_REFUSED(&s, "zz.json", "facts[0].sources[1]", "is cited twice");
	CHECK_STR(s.err.reason, "source \"sco-2014-anniversary\" is cited twice");
	fs_free(&s);
}

TEST(missing_english_is_named_like_any_other_language)
{
	struct fileset s;
	fs_init(&s);
	fs_add(&s, "zz.json", FACT_X("x", "{\"ru\": \"А.\", \"zh\": \"甲。\"}", ""));
	CHECK_REFUSED(&s, "zz.json", "facts[0].text.en", "missing English translation of fact \"x\"");
	fs_free(&s);
}

/* Each alias is compared with every one before it. */
TEST(alias_listed_twice_after_others_is_refused)
{
	struct fileset s;
	fs_init(&s);
	fs_add(&s, "zz.json", "{\"people\": [{\"id\": \"x\", \"name\": " TEXT3 ", \"aliases\": "
	                      "{\"en\": [\"a\", \"b\", \"b\"], \"ru\": [], \"zh\": []}, "
	                      "\"checked\": \"c\"}]}");
	CHECK_REFUSED(&s, "zz.json", "people[0].aliases.en[2]", "\"b\" is listed twice");
	fs_free(&s);
}

/* ---- sources ---- */

/* One source record, to be broken one key at a time. */
#define SOURCE_X(extra)                                                               \
	"{\"sources\": [\n{\"id\": \"x\", \"kind\": \"news\", \"publisher\": \"P\", "           \
	"\"title\": \"T\", \"url\": \"https://example.org/x\", \"published\": \"2024-07-04\", " \
	"\"retrieved\": \"2026-12-06\"" extra "}\n]}"

TEST(added_source_loads)
{
	struct fileset s;
	fs_init(&s);
	fs_add(&s, "zz.json", SOURCE_X(""));
	CHECK_INT(fs_load(&s), 0);
	fs_free(&s);
}

TEST(source_with_an_unknown_kind_is_refused)
{
	struct fileset s;
	fs_init(&s);
	CHECK(fs_edit(&s, "sources.json",
	              "\"kind\": \"news\", \"publisher\": \"Trend News Agency\"",
	              "\"kind\": \"blog\", \"publisher\": \"Trend News Agency\""));
	CHECK_REFUSED_LINE(&s, "sources.json", "\"blog\"", "sources[16].kind",
	                   "expected \"article\", \"official\" or \"news\"");
	fs_free(&s);
}

TEST(source_kind_is_case_sensitive)
{
	struct fileset s;
	fs_init(&s);
	CHECK(fs_edit(&s, "sources.json", "\"kind\": \"official\"", "\"kind\": \"Official\""));
	CHECK_REFUSED_LINE(&s, "sources.json", "\"Official\"", "sources[1].kind",
	                   "expected \"article\", \"official\" or \"news\"");
	fs_free(&s);
}

TEST(source_with_a_bad_publication_date_is_refused)
{
	struct fileset s;
	fs_init(&s);
	CHECK(fs_edit(&s, "sources.json", "\"published\": \"2024-07-04\"",
	              "\"published\": \"2024-07-32\""));
	CHECK_REFUSED_LINE(&s, "sources.json", "\"2024-07-32\"", "sources[15].published",
	                   "\"2024-07-32\" is not a date");
	fs_free(&s);
}

TEST(source_with_a_written_out_date_is_refused)
{
	struct fileset s;
	fs_init(&s);
	CHECK(fs_edit(&s, "sources.json", "\"retrieved\": \"2026-12-06\"",
	              "\"retrieved\": \"6 December 2026\""));
	CHECK_REFUSED_LINE(&s, "sources.json", "\"6 December 2026\"", "sources[0].retrieved",
	                   "is not a date: write YYYY, YYYY-MM or YYYY-MM-DD");
	fs_free(&s);
}

TEST(source_without_a_retrieval_date_is_refused)
{
	struct fileset s;
	fs_init(&s);
	fs_add(&s, "zz.json",
	       "{\"sources\": [\n{\"id\": \"x\", \"kind\": \"news\", \"publisher\": \"P\", "
	       "\"title\": \"T\", \"url\": null, \"published\": null}\n]}");
	CHECK_REFUSED_LINE(&s, "zz.json", "{\"id\"", "sources[0].retrieved", "missing required key");
	fs_free(&s);
}

/* "published" may be null (a page with no date), "retrieved" may not: every
 * source says when it was read. */
TEST(source_with_a_null_retrieval_date_is_refused)
{
	struct fileset s;
	fs_init(&s);
	fs_add(&s, "zz.json",
	       "{\"sources\": [\n{\"id\": \"x\", \"kind\": \"news\", \"publisher\": \"P\", "
	       "\"title\": \"T\", \"url\": null, \"published\": null,\n\"retrieved\": null}\n]}");
	CHECK_REFUSED_LINE(&s, "zz.json", "\"retrieved\"", "sources[0].retrieved",
	                   "expected a string, got null");
	fs_free(&s);
}

TEST(source_retrieved_before_it_was_published_is_refused)
{
	struct fileset s;
	fs_init(&s);
	fs_add(&s, "zz.json",
	       "{\"sources\": [\n{\"id\": \"x\", \"kind\": \"news\", \"publisher\": \"P\", "
	       "\"title\": \"T\", \"url\": null, \"published\": \"2024-07\",\n"
	       "\"retrieved\": \"2024-06-30\"}\n]}");
	CHECK_REFUSED_LINE(&s, "zz.json", "\"retrieved\"", "sources[0].retrieved",
	                   "retrieved before it was published");
	fs_free(&s);
}

TEST(source_url_must_be_http)
{
	struct fileset s;
	fs_init(&s);
	CHECK(fs_edit(&s, "sources.json", "\"url\": \"https://en.trend.az/",
	              "\"url\": \"ftp://en.trend.az/"));
	CHECK_REFUSED_LINE(&s, "sources.json", "\"ftp://", "sources[16].url",
	                   "a source URL starts with https:// or http://");
	fs_free(&s);
}

TEST(duplicate_source_id_is_refused)
{
	struct fileset s;
	fs_init(&s);
	CHECK(fs_edit(&s, "sources.json", "\"id\": \"trend-2024-yermekbayev\"",
	              "\"id\": \"astanatimes-2024-yermekbayev\""));
	CHECK_REFUSED_LINE(&s, "sources.json", "\"id\": \"astanatimes-2024-yermekbayev\", \"kind\": "
	                   "\"news\", \"publisher\": \"Trend", "sources[16].id",
	                   "duplicate source id \"astanatimes-2024-yermekbayev\" (first defined in "
	                   "sources.json at sources[15])");
	fs_free(&s);
}

TEST(second_source_holding_a_document_is_refused)
{
	struct fileset s;
	fs_init(&s);
	fs_add(&s, "zz.json", SOURCE_X(", \"document\": \"other.txt\""));
	CHECK_REFUSED_LINE(&s, "zz.json", "{\"id\"", "sources[0].document",
	                   "only one source may hold the document; \"sco-2024-anniversary\" "
	                   "already does");
	fs_free(&s);
}

TEST(reference_to_an_unknown_source_is_refused)
{
	struct fileset s;
	fs_init(&s);
	CHECK(fs_edit(&s, "secretaries_general.json", "\"trend-2024-yermekbayev\"",
	              "\"trend-2024-yermekbaev\""));
	CHECK_REFUSED_LINE(&s, "secretaries_general.json", "\"trend-2024-yermekbaev\"",
	                   "secretaries_general[7].sources[1]",
	                   "no source has the id \"trend-2024-yermekbaev\"");
	fs_free(&s);
}

TEST(reference_to_an_unknown_source_in_a_fact_is_refused)
{
	struct fileset s;
	fs_init(&s);
	CHECK(fs_edit(&s, "facts.json", "\"sources\": [\"sco-2014-anniversary\"",
	              "\"sources\": [\"sco-2014-anniversery\""));
	CHECK_REFUSED_LINE(&s, "facts.json", "\"sco-2014-anniversery\"", "facts[16].sources[0]",
	                   "no source has the id \"sco-2014-anniversery\"");
	fs_free(&s);
}

TEST(source_cited_twice_is_refused)
{
	struct fileset s;
	fs_init(&s);
	CHECK(fs_edit(&s, "facts.json", "\"sources\": [\"sco-2014-anniversary\", "
	              "\"sco-2024-greetings\"]", "\"sources\": [\"sco-2014-anniversary\", "
	              "\"sco-2014-anniversary\"]"));
	CHECK_REFUSED_LINE(&s, "facts.json", "\"sources\": [\"sco-2014-anniversary\", \"sco-2014",
	                   "facts[16].sources[1]", "source \"sco-2014-anniversary\" is cited twice");
	fs_free(&s);
}

/* The quoted sentence already cites the document's source. */
TEST(document_source_beside_its_sentence_is_cited_twice)
{
	struct fileset s;
	fs_init(&s);
	fs_add(&s, "zz.json", FACT_X("x", TEXT3, ", \"sources\": [\"sco-2024-anniversary\"]"));
	CHECK_REFUSED(&s, "zz.json", "facts[0].sources[0]",
	              "(the quoted sentence already cites it)");
	fs_free(&s);
}

TEST(record_without_any_source_is_refused)
{
	struct fileset s;
	fs_init(&s);
	fs_add(&s, "zz.json", "{\"facts\": [{\"id\": \"x\", \"topic\": \"t\", \"text\": " TEXT3 ", "
	                      "\"keywords\": {\"en\": [], \"ru\": [], \"zh\": []}}]}");
	CHECK_REFUSED(&s, "zz.json", "facts[0]", "names no source");
	fs_free(&s);
}

TEST(empty_source_list_is_refused)
{
	struct fileset s;
	fs_init(&s);
	fs_add(&s, "zz.json", FACT_X("x", TEXT3, ", \"sources\": []"));
	CHECK_REFUSED(&s, "zz.json", "facts[0].sources", "empty list");
	fs_free(&s);
}

TEST(invalid_opening_date_is_refused)
{
	struct fileset s;
	fs_init(&s);
	CHECK(fs_edit(&s, "opening.json", "\"2004-01-15\"", "\"2004-02-30\""));
	CHECK_REFUSED(&s, "opening.json", "opening.date", "YYYY-MM-DD");
	fs_free(&s);
}

/* ---- what must exist ---- */

TEST(missing_required_fact_is_refused)
{
	struct fileset s;
	fs_init(&s);
	CHECK(fs_edit(&s, "facts.json", "\"id\": \"staff.technical\"", "\"id\": \"staff.tech\""));
	CHECK_REFUSED(&s, "", "facts", "missing required fact \"staff.technical\"");
	CHECK_STR(s.msg, "facts: missing required fact \"staff.technical\"");
	fs_free(&s);
}

TEST(required_fact_with_the_wrong_topic_is_refused)
{
	struct fileset s;
	fs_init(&s);
	CHECK(fs_edit(&s, "facts.json", "\"topic\": \"departments\"", "\"topic\": \"depts\""));
	CHECK_REFUSED(&s, "facts.json", "facts[9].topic",
	              "fact \"departments\" must have the topic \"departments\"");
	fs_free(&s);
}

/* The sentences are quotations: without the source that holds their document
 * they would quote nothing anyone can look up. */
TEST(sentences_without_a_document_source_are_refused)
{
	struct fileset s;
	fs_init(&s);
	CHECK(fs_edit(&s, "sources.json", ",\n      \"document\": \"000_d8b520af193bdaba.txt\"", ""));
	CHECK_REFUSED_LINE(&s, "source.json", "\"sentences\"", "sentences",
	                   "sentences need a source that names their document");
	fs_free(&s);
}

TEST(missing_opening_is_refused)
{
	struct fileset s;
	fs_init(&s);
	fs_remove(&s, "opening.json");
	CHECK_REFUSED(&s, "", "opening", "no fact file describes the opening");
	fs_free(&s);
}

TEST(no_terms_at_all_is_refused)
{
	struct fileset s;
	fs_init(&s);
	fs_replace(&s, "secretaries_general.json", SGS(""));
	CHECK_REFUSED(&s, "", "secretaries_general", "no fact file has any");
	fs_free(&s);
}

TEST(no_files_is_refused)
{
	struct facts *f = NULL;
	struct facts_error err;
	CHECK_INT(facts_load_files(NULL, 0, &f, &err), -EINVAL);
	CHECK_CONTAINS(err.reason, "no fact files");
	CHECK(f == NULL);
}

/* ---- limits ---- */

TEST(oversized_file_is_refused)
{
	struct fileset s;
	fs_init(&s);
	size_t len = FACTS_MAX_FILE_BYTES + 1;
	char *big = fs_own(&s, malloc(len + 1));
	memset(big, ' ', len);
	big[0] = '{';
	big[len - 1] = '}';
	big[len] = '\0';
	fs_add(&s, "zz.json", big);
	CHECK_REFUSED(&s, "zz.json", "", "the limit is 1048576");
	fs_free(&s);
}

TEST(too_many_files_are_refused)
{
	struct fileset s;
	fs_init(&s);
	static char names[FACTS_MAX_FILES + 1][32];
	for (size_t i = 0; s.n <= FACTS_MAX_FILES; i++) {
		snprintf(names[i], sizeof(names[i]), "z%02zu.json", i);
		fs_add(&s, names[i], "{}");
	}
	CHECK_INT(fs_load(&s), -EINVAL);
	CHECK_CONTAINS(s.err.reason, "the limit is 32");
	fs_free(&s);
}

TEST(too_many_records_are_refused)
{
	struct fileset s;
	fs_init(&s);
	/* The real table has 12 sentences; this adds enough to pass the limit. */
	size_t n = FACTS_MAX_RECORDS, cap = n * 48 + 64, used = 0;
	char *buf = fs_own(&s, malloc(cap));
	used += (size_t)snprintf(buf, cap, "{\"sentences\": [");
	for (size_t i = 0; i < n; i++)
		used += (size_t)snprintf(buf + used, cap - used, "%s{\"id\": \"x%zu\", \"text\": \"t\"}",
		                         i ? "," : "", i);
	snprintf(buf + used, cap - used, "]}");
	fs_add(&s, "zz.json", buf);
	CHECK_REFUSED(&s, "zz.json", "sentences", "more than 1024 records");
	fs_free(&s);
}

TEST(too_many_aliases_are_refused)
{
	struct fileset s;
	fs_init(&s);
	size_t cap = (FACTS_MAX_ALIASES + 1) * 16 + 512, used = 0;
	char *buf = fs_own(&s, malloc(cap));
	used += (size_t)snprintf(buf, cap, "{\"people\": [{\"id\": \"x\", \"name\": " TEXT3
	                         ", \"checked\": \"n\", \"aliases\": {\"ru\": [], \"zh\": [], \"en\": [");
	for (int i = 0; i <= FACTS_MAX_ALIASES; i++)
		used += (size_t)snprintf(buf + used, cap - used, "%s\"a%d\"", i ? "," : "", i);
	snprintf(buf + used, cap - used, "]}}]}");
	fs_add(&s, "zz.json", buf);
	CHECK_REFUSED(&s, "zz.json", "people[0].aliases.en", "65 aliases; the limit is 64");
	fs_free(&s);
}

TEST(too_many_items_are_refused)
{
	struct fileset s;
	fs_init(&s);
	size_t cap = (FACTS_MAX_ITEMS + 1) * 64 + 512, used = 0;
	char *buf = fs_own(&s, malloc(cap));
	used += (size_t)snprintf(buf, cap, "{\"facts\": [{\"id\": \"x\", \"topic\": \"t\", \"text\": "
	                         TEXT3 ", \"keywords\": {\"en\": [], \"ru\": [], \"zh\": []}, "
	                         "\"source\": \"s01\", \"items\": [");
	for (int i = 0; i <= FACTS_MAX_ITEMS; i++)
		used += (size_t)snprintf(buf + used, cap - used, "%s" TEXT3, i ? "," : "");
	snprintf(buf + used, cap - used, "]}]}");
	fs_add(&s, "zz.json", buf);
	CHECK_REFUSED(&s, "zz.json", "facts[0].items", "33 items; the limit is 32");
	fs_free(&s);
}

/* Error text quotes file content; it must not carry control bytes into logs. */
TEST(quoted_key_in_an_error_has_no_control_bytes)
{
	struct fileset s;
	fs_init(&s);
	fs_add(&s, "zz.json", "{\"bad\\nkey\\u001b[31m\": 1}");
	CHECK_INT(fs_load(&s), -EINVAL);
	CHECK_CONTAINS(s.err.reason, "bad?key?[31m");
	for (const char *p = s.msg; *p; p++)
		CHECK((unsigned char)*p >= 0x20);
	fs_free(&s);
}

TEST(error_format_without_file_or_path)
{
	struct facts_error err = {0};
	char buf[64];
	snprintf(err.reason, sizeof(err.reason), "no fact files");
	facts_error_format(&err, buf, sizeof(buf));
	CHECK_STR(buf, "no fact files");
	snprintf(err.file, sizeof(err.file), "a.json");
	snprintf(err.path, sizeof(err.path), "people[1].name.zh");
	facts_error_format(&err, buf, sizeof(buf));
	CHECK_STR(buf, "a.json: people[1].name.zh: no fact files");
}

/* ---- directories ---- */

static const char *data_dir(const char *sub, char *buf, size_t size)
{
	const char *root = getenv("SCOBOT_FACTS_TEST_DATA");
	if (!root) {
		printf("# SCOBOT_FACTS_TEST_DATA is not set: run this test through meson\n");
		return NULL;
	}
	snprintf(buf, size, "%s/%s", root, sub);
	return buf;
}

static int load_dir(const char *dir, struct facts_error *err)
{
	struct facts *f = NULL;
	memset(err, 0, sizeof(*err));
	int r = facts_load_dir(dir, &f, err);
	char msg[512];
	facts_error_format(err, msg, sizeof(msg));
	printf("# %s\n", r == 0 ? "loaded" : msg);
	if (r == 0)
		facts_free(f);
	else
		CHECK(f == NULL);
	return r;
}

TEST(directory_without_json_files_is_refused)
{
	char buf[4096];
	const char *dir = data_dir("empty", buf, sizeof(buf));
	CHECK(dir != NULL);
	if (!dir)
		return;
	struct facts_error err;
	CHECK_INT(load_dir(dir, &err), -ENOENT);
	CHECK_CONTAINS(err.reason, "no *.json files");
}

TEST(syntax_error_in_directory_names_file_line_and_column)
{
	char buf[4096];
	const char *dir = data_dir("bad-syntax", buf, sizeof(buf));
	CHECK(dir != NULL);
	if (!dir)
		return;
	struct facts_error err;
	CHECK_INT(load_dir(dir, &err), -EINVAL);
	CHECK_STR(err.file, "source.json");
	CHECK_INT(err.line, 4);
	CHECK_INT(err.column, 3);
}

TEST(directory_named_like_a_fact_file_is_refused)
{
	char buf[4096];
	const char *dir = data_dir("dir-entry", buf, sizeof(buf));
	CHECK(dir != NULL);
	if (!dir)
		return;
	struct facts_error err;
	CHECK_INT(load_dir(dir, &err), -EINVAL);
	CHECK_STR(err.file, "people.json");
	CHECK_CONTAINS(err.reason, "not a regular file");
}

TEST(missing_directory_is_refused)
{
	struct facts_error err;
	CHECK_INT(load_dir("/nonexistent/scobot/facts", &err), -ENOENT);
	CHECK_STR(err.file, "/nonexistent/scobot/facts");
	CHECK_CONTAINS(err.reason, "cannot open the fact directory");
}

/* A scratch directory holding the real fact files, for cases that cannot be
 * checked in (FIFOs, huge files) or that need the real files beside junk. */
struct tmpdir {
	char path[256];
	char names[FACTS_MAX_FILES + 8][32];
	size_t n;
};

static bool tmp_add_bytes(struct tmpdir *t, const char *name, const char *data, size_t len)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", t->path, name);
	FILE *fp = fopen(p, "wb");
	if (!fp)
		return false;
	bool ok = fwrite(data, 1, len, fp) == len;
	ok &= fclose(fp) == 0;
	snprintf(t->names[t->n++], sizeof(t->names[0]), "%s", name);
	return ok;
}

static bool tmp_add(struct tmpdir *t, const char *name, const char *data)
{
	return tmp_add_bytes(t, name, data, strlen(data));
}

static bool tmp_init(struct tmpdir *t)
{
	memset(t, 0, sizeof(*t));
	const char *base = getenv("TMPDIR");
	snprintf(t->path, sizeof(t->path), "%s/scobot-facts-XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(t->path)) {
		printf("# mkdtemp: %s\n", strerror(errno));
		return false;
	}
	bool ok = true;
	for (size_t i = 0; i < facts_embedded_files_count; i++)
		ok &= tmp_add_bytes(t, facts_embedded_files[i].name, facts_embedded_files[i].data,
		              facts_embedded_files[i].len);
	return ok;
}

static void tmp_free(struct tmpdir *t)
{
	char p[512];
	for (size_t i = 0; i < t->n; i++) {
		snprintf(p, sizeof(p), "%s/%s", t->path, t->names[i]);
		unlink(p);
	}
	rmdir(t->path);
}

TEST(non_json_and_dot_files_in_directory_are_ignored)
{
	struct tmpdir t;
	CHECK(tmp_init(&t));
	CHECK(tmp_add(&t, "README.md", "not json"));
	CHECK(tmp_add(&t, "people.json~", "{"));
	CHECK(tmp_add(&t, ".#people.json", "{"));
	struct facts_error err;
	CHECK_INT(load_dir(t.path, &err), 0);
	tmp_free(&t);
}

TEST(fifo_named_like_a_fact_file_is_refused_without_blocking)
{
	struct tmpdir t;
	CHECK(tmp_init(&t));
	char p[512];
	snprintf(p, sizeof(p), "%s/zz.json", t.path);
	CHECK(mkfifo(p, 0600) == 0);
	snprintf(t.names[t.n++], sizeof(t.names[0]), "zz.json");
	struct facts_error err;
	CHECK_INT(load_dir(t.path, &err), -EINVAL);
	CHECK_STR(err.file, "zz.json");
	CHECK_CONTAINS(err.reason, "not a regular file");
	tmp_free(&t);
}

TEST(oversized_file_in_directory_is_refused)
{
	struct tmpdir t;
	CHECK(tmp_init(&t));
	CHECK(tmp_add(&t, "zz.json", "{}"));
	char p[512];
	snprintf(p, sizeof(p), "%s/zz.json", t.path);
	CHECK(truncate(p, (off_t)FACTS_MAX_FILE_BYTES + 1) == 0); /* sparse: no disk used */
	struct facts_error err;
	CHECK_INT(load_dir(t.path, &err), -EFBIG);
	CHECK_STR(err.file, "zz.json");
	CHECK_CONTAINS(err.reason, "the limit is 1048576");
	tmp_free(&t);
}

TEST(too_many_files_in_directory_are_refused)
{
	struct tmpdir t;
	CHECK(tmp_init(&t));
	for (size_t i = 0; t.n <= FACTS_MAX_FILES; i++) {
		char name[32];
		snprintf(name, sizeof(name), "z%02zu.json", i);
		CHECK(tmp_add(&t, name, "{}"));
	}
	struct facts_error err;
	CHECK_INT(load_dir(t.path, &err), -EINVAL);
	CHECK_CONTAINS(err.reason, "more than 32");
	tmp_free(&t);
}

TEST(broken_file_in_directory_names_the_file)
{
	struct tmpdir t;
	CHECK(tmp_init(&t));
	CHECK(tmp_add(&t, "zz.json", "{\"people\": [{\"id\": 7}]}"));
	struct facts_error err;
	CHECK_INT(load_dir(t.path, &err), -EINVAL);
	CHECK_STR(err.file, "zz.json");
	CHECK_STR(err.path, "people[0].name");
	tmp_free(&t);
}

/* Open file descriptors: the same before and after a load that closed
 * everything it opened. */
static int open_fds(void)
{
	int n = 0;
	for (int fd = 0; fd < 1024; fd++)
		n += fcntl(fd, F_GETFD) >= 0;
	return n;
}

TEST(loading_a_directory_closes_every_file_it_opened)
{
	struct tmpdir t;
	CHECK(tmp_init(&t));
	int before = open_fds();
	struct facts_error err;
	CHECK_INT(load_dir(t.path, &err), 0);
	CHECK_INT(open_fds(), before);
	CHECK(tmp_add(&t, "zz.json", "{"));
	CHECK_INT(load_dir(t.path, &err), -EINVAL);
	CHECK_INT(open_fds(), before);
	tmp_free(&t);
}

/* Files merge in name order whatever order the directory lists them in: the
 * file that sets "office" first by name is the one a later file is told of. */
TEST(directory_files_merge_in_name_order)
{
	static const char office[] = "{\"office\": {\"term_years\": 3, \"renewable\": false, "
	                             "\"source\": \"s08\"}}";
	struct tmpdir t;
	CHECK(tmp_init(&t));
	CHECK(tmp_add(&t, "a0.json", office));
	struct facts_error err;
	CHECK_INT(load_dir(t.path, &err), -EINVAL);
	CHECK_STR(err.file, "secretaries_general.json");
	CHECK_STR(err.reason, "already set in a0.json");
	tmp_free(&t);
	CHECK(tmp_init(&t));
	CHECK(tmp_add(&t, "zz.json", office));
	CHECK_INT(load_dir(t.path, &err), -EINVAL);
	CHECK_STR(err.file, "zz.json");
	CHECK_STR(err.reason, "already set in secretaries_general.json");
	tmp_free(&t);
}

/* A file whose size fstat() gives wrong (here a /proc file, size 0) is read
 * with one spare byte, which tells that it is bigger than it said. */
TEST(file_longer_than_its_size_is_refused)
{
	struct tmpdir t;
	CHECK(tmp_init(&t));
	char p[512];
	snprintf(p, sizeof(p), "%s/zz.json", t.path);
	if (symlink("/proc/self/stat", p) < 0) {
		printf("# symlink: %s\n", strerror(errno));
		CHECK(false);
	}
	snprintf(t.names[t.n++], sizeof(t.names[0]), "zz.json");
	struct facts_error err;
	CHECK_INT(load_dir(t.path, &err), -EAGAIN);
	CHECK_STR(err.file, "zz.json");
	CHECK_STR(err.reason, "file changed while it was read");
	tmp_free(&t);
}

/* An error from reading says nothing of lines or paths, even in a struct
 * that held an earlier error. */
TEST(directory_error_clears_an_earlier_error)
{
	struct facts *f = NULL;
	struct facts_error err;
	memset(&err, 0, sizeof(err));
	err.line = 7;
	err.column = 3;
	snprintf(err.path, sizeof(err.path), "people[0]");
	CHECK_INT(facts_load_dir("/nonexistent/scobot/facts", &f, &err), -ENOENT);
	CHECK_INT(err.line, 0);
	CHECK_INT(err.column, 0);
	CHECK_STR(err.path, "");
	CHECK(f == NULL);
}

TEST(bad_arguments_are_refused_without_a_crash)
{
	struct facts *f = NULL;
	struct facts_error err;
	CHECK_INT(facts_load_dir("/nonexistent/scobot/facts", &f, NULL), -ENOENT);
	CHECK_INT(facts_load_dir(NULL, &f, &err), -EINVAL);
	CHECK_STR(err.reason, "invalid arguments");
	CHECK_INT(facts_load_dir("/nonexistent/scobot/facts", NULL, &err), -EINVAL);
	CHECK_STR(err.reason, "invalid arguments");
	struct facts_file one = {"a.json", "{}", 2};
	CHECK_INT(facts_load_files(&one, 1, NULL, &err), -EINVAL);
	CHECK_STR(err.reason, "invalid arguments");
	CHECK(f == NULL);
}

TAP_MAIN
