/* fuzz_matrix_sync.c: bytes as /sync responses, through the codec's parser and
 * helpers and through the sync state machine (fake transport, fake clock, a
 * host that echoes the question, state files in a private tmpfs directory);
 * it must not open a socket or read a clock.
 *
 * Input: response bodies separated by 0x1e (RS). A body may start with a
 * three-digit status and a space ("429 {...}"); otherwise the status is 200.
 * Every body goes through mx_sync_parse, mx_messages_parse and the error and
 * field parsers; the bodies are also handed, in order, to the state
 * machine's /sync and /messages requests
 * (login, whoami, filter, joins and sends get fixed well-formed answers). */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/answer.h"
#include "matrix/codec.h"
#include "matrix/sync.h"
#include "fuzz.h"
#include "util/log.h"
#include "util/utf8.h"

#define ME "@scobot:example.org"
#define MAX_PENDING 64   /* requests the fake transport holds */
#define MAX_STEPS 512    /* responses delivered per input */
#define MAX_BODIES 64    /* sync bodies per input */
#define PATH_MAX_FAKE 512

struct pending {
	int64_t id;
	char method[8];
	char path[PATH_MAX_FAKE];
};

struct fake {
	struct pending q[MAX_PENDING];
	size_t nq;
	int64_t next_id;
	unsigned responds;
};

static char g_dir[64];

static void remove_dir_files(void)
{
	DIR *d = opendir(g_dir);
	if (!d)
		return;
	struct dirent *e;
	char path[PATH_MAX_FAKE];
	while ((e = readdir(d)))
		if (e->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", g_dir, e->d_name);
			unlink(path);
		}
	closedir(d);
}

static void teardown(void)
{
	remove_dir_files();
	rmdir(g_dir);
}

/* A fresh state directory per process; tmpfs so fsync costs nothing. */
static const char *state_dir(void)
{
	if (!g_dir[0]) {
		const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
		snprintf(g_dir, sizeof(g_dir), "%s/scobot-fuzz-mx-XXXXXX", base);
		FUZZ_CHECK(mkdtemp(g_dir) != NULL);
		atexit(teardown);
	}
	return g_dir;
}

static int64_t f_request(void *ctx, const char *method, const char *path, const char *body,
                         const char *token, int64_t timeout_ms, size_t max_bytes)
{
	struct fake *f = ctx;
	FUZZ_CHECK(method && path && path[0] == '/');
	if (body) {
		cJSON *j = cJSON_Parse(body); /* everything we send is JSON */
		FUZZ_CHECK(j != NULL);
		cJSON_Delete(j);
	}
	if (f->nq >= MAX_PENDING)
		return -ENOSPC;
	struct pending *p = &f->q[f->nq++];
	p->id = ++f->next_id;
	snprintf(p->method, sizeof(p->method), "%s", method);
	snprintf(p->path, sizeof(p->path), "%s", path);
	return p->id;
}

static void f_cancel(void *ctx, int64_t id)
{
	struct fake *f = ctx;
	for (size_t i = 0; i < f->nq; i++)
		if (f->q[i].id == id) {
			memmove(&f->q[i], &f->q[i + 1], (f->nq - i - 1) * sizeof(f->q[0]));
			f->nq--;
			return;
		}
}

/* Echoes the question back, so user text from the fuzzer reaches the HTML and
 * plain renderers and the notice builder. */
static void h_respond(void *ctx, const struct respond_request *req, struct answer *out)
{
	struct fake *f = ctx;
	FUZZ_CHECK(req->text != NULL && req->room != NULL && req->user != NULL);
	f->responds++;
	answer_init(out, LANG_EN);
	answer_text(out, "answer to ");
	answer_user(out, req->text, req->len);
}

static void h_fatal(void *ctx, const char *p, int status, const char *msg) {}
static void h_ready(void *ctx, const char *p) {}
static void h_progress(void *ctx, const char *p) {}

/* The pure codec on one body. */
static void codec_all(const char *body, size_t len)
{
	struct mx_sync *s = (struct mx_sync *)(uintptr_t)1;
	int r = mx_sync_parse(body, len, ME, &s);
	if (r < 0) {
		FUZZ_CHECK(r == -EBADMSG);
		FUZZ_CHECK(s == (struct mx_sync *)(uintptr_t)1);
	} else {
		FUZZ_CHECK(s && s->next_batch && s->next_batch[0]);
		FUZZ_CHECK(s->n_rooms <= MX_SYNC_MAX_ROOMS);
		for (size_t i = 0; i < s->n_rooms; i++) {
			const struct mx_room *room = &s->rooms[i];
			FUZZ_CHECK(room->room_id != NULL);
			FUZZ_CHECK(room->n_timeline <= MX_SYNC_MAX_EVENTS);
			FUZZ_CHECK(room->n_state <= MX_SYNC_MAX_EVENTS);
			for (size_t k = 0; k < room->n_timeline; k++) {
				const struct mx_event *ev = &room->timeline[k];
				if (ev->body) {
					FUZZ_CHECK(ev->body_len == strlen(ev->body));
					size_t off = mx_strip_reply_fallback(ev->body, ev->body_len);
					FUZZ_CHECK(off <= ev->body_len);
				}
				if (ev->formatted_body)
					free(mx_strip_mx_reply(ev->formatted_body));
				(void)mx_event_mentions(ev, ME);
				char txn[MX_TXN_ID_SIZE];
				if (ev->event_id) {
					mx_txn_id('r', ev->event_id, txn);
					FUZZ_CHECK(memchr(txn, '\0', sizeof(txn)) != NULL);
				}
			}
		}
		mx_sync_free(s);
	}
	struct mx_messages *pg = (struct mx_messages *)(uintptr_t)1;
	int pr = mx_messages_parse(body, len, &pg);
	if (pr < 0) {
		FUZZ_CHECK(pr == -EBADMSG);
		FUZZ_CHECK(pg == (struct mx_messages *)(uintptr_t)1);
	} else {
		FUZZ_CHECK(pg && pg->n_events <= MX_SYNC_MAX_EVENTS);
		for (size_t k = 0; k < pg->n_events; k++)
			FUZZ_CHECK(pg->events[k].event_id && pg->events[k].sender && pg->events[k].type);
		FUZZ_CHECK(!pg->end || pg->end[0]);
		mx_messages_free(pg);
	}
	char errcode[MX_ERRCODE_SIZE];
	int64_t retry;
	mx_parse_error(body, len, errcode, &retry);
	FUZZ_CHECK(memchr(errcode, '\0', sizeof(errcode)) != NULL);
	FUZZ_CHECK(retry >= -1);
	char *v = NULL;
	if (mx_parse_string_field(body, len, "next_batch", MX_ID_MAX, &v) == 0) {
		FUZZ_CHECK(v && v[0] && strlen(v) <= MX_ID_MAX);
		free(v);
	}
	size_t off = mx_strip_reply_fallback(body, len);
	FUZZ_CHECK(off <= len);
}

struct body {
	int status;
	const char *p;
	size_t len;
};

/* A fixed, well-formed answer to everything but /sync. */
static const char *canned(const struct pending *p)
{
	if (strstr(p->path, "/account/whoami"))
		return "{\"user_id\":\"" ME "\",\"device_id\":\"SCOBOT\"}";
	if (strstr(p->path, "/filter"))
		return "{\"filter_id\":\"7\"}";
	if (strstr(p->path, "/login"))
		return "{\"user_id\":\"" ME "\",\"access_token\":\"tok2\",\"device_id\":\"SCOBOT\"}";
	if (strstr(p->path, "/join"))
		return "{\"room_id\":\"!r:example.org\"}";
	if (strstr(p->path, "/send/"))
		return "{\"event_id\":\"$sent\"}";
	return "{}";
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool quiet;
	if (!quiet) {
		log_set_level(LOG_LVL_ERROR); /* the machine logs every gap and retry */
		quiet = true;
	}
	/* Split into exact-size copies, so a read past a body is caught. */
	struct body bodies[MAX_BODIES];
	size_t nb = 0, start = 0;
	for (size_t i = 0; i <= size && nb < MAX_BODIES; i++) {
		if (i < size && data[i] != 0x1e)
			continue;
		const uint8_t *p = data + start;
		size_t len = i - start;
		int status = 200;
		if (len >= 4 && p[0] >= '1' && p[0] <= '5' && p[1] >= '0' && p[1] <= '9' &&
		    p[2] >= '0' && p[2] <= '9' && p[3] == ' ') {
			status = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
			p += 4;
			len -= 4;
		}
		char *copy = malloc(len + 1);
		FUZZ_CHECK(copy != NULL);
		memcpy(copy, p, len);
		copy[len] = '\0'; /* http.h: bodies arrive NUL-terminated */
		bodies[nb++] = (struct body){status, copy, len};
		codec_all(copy, len);
		start = i + 1;
	}

	remove_dir_files();
	struct fake f = {0};
	/* Designated: the host interface grows, and a new hook stays NULL. */
	struct adapter_host host = {
		.ctx = &f, .respond = h_respond, .fatal = h_fatal, .ready = h_ready,
		.progress = h_progress,
	};
	struct mxsync_io io = {.ctx = &f, .request = f_request, .cancel = f_cancel};
	struct matrix_config cfg = {
		.homeserver = "https://example.org", .user_id = ME, .access_token = "tok1",
		.state_dir = state_dir(), .encrypted_room_notice = true,
	};
	struct mxsync *m = mxsync_new(&cfg, &host, &io, 42);
	FUZZ_CHECK(m != NULL);
	int64_t now = 1000000;
	mxsync_start(m, now);
	size_t next_body = 0;
	for (int step = 0; step < MAX_STEPS; step++) {
		if (f.nq == 0) {
			/* Nothing in flight: let time pass to the next deadline. */
			int64_t at = mxsync_next_deadline(m);
			if (at < 0 || next_body >= nb)
				break;
			now = at > now ? at : now + 1;
			mxsync_tick(m, now);
			continue;
		}
		struct pending p = f.q[0];
		memmove(&f.q[0], &f.q[1], (f.nq - 1) * sizeof(f.q[0]));
		f.nq--;
		struct mxsync_response resp = {.id = p.id, .status = 200};
		/* /messages pages (sync gaps) come from the fuzzer too. */
		if (strstr(p.path, "/sync") || strstr(p.path, "/messages")) {
			if (next_body >= nb)
				break; /* the long-poll stays open: done */
			const struct body *b = &bodies[next_body++];
			resp.status = b->status;
			resp.body = b->p;
			resp.body_len = b->len;
			if (b->status == 429)
				resp.retry_after = "1";
		} else {
			resp.body = canned(&p);
			resp.body_len = strlen(resp.body);
		}
		now += 5;
		mxsync_on_response(m, &resp, now);
	}
	char status[256];
	mxsync_status(m, now, status, sizeof(status));
	FUZZ_CHECK(strlen(status) < sizeof(status));
	mxsync_stop(m);
	mxsync_free(m);
	for (size_t i = 0; i < nb; i++)
		free((void *)bodies[i].p);
	return 0;
}
