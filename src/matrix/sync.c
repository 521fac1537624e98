/* sync.c: the Matrix adapter's state machine: authentication, the /sync loop,
 * deciding what to answer, the serial queue of joins and sends, backoff and
 * rate limits, and when state is persisted; it must not do I/O or read a clock
 * (see sync.h for the crash-safety argument). */
#include "matrix/sync.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/answer.h"
#include "core/cooldown.h"
#include "core/engine.h"
#include "matrix/codec.h"
#include "matrix/state.h"
#include "util/log.h"
#include "util/xalloc.h"

#define API "/_matrix/client/v3"
#define SYNC_SERVER_TIMEOUT_MS 30000     /* ?timeout= for the long-poll, ms */
#define SYNC_CLIENT_TIMEOUT_MS 45000     /* whole transfer, ms: server timeout + 15 s */
#define FIRST_SYNC_TIMEOUT_MS 120000     /* an initial sync may be large, ms */
#define OP_TIMEOUT_MS 30000              /* login/whoami/filter/join/send, ms */
#define SYNC_MAX_BYTES (8u << 20)        /* sync response body, bytes */
#define OP_MAX_BYTES (64u << 10)         /* any other response body, bytes */
#define BACKOFF_BASE_MS 500              /* first retry delay, ms */
#define BACKOFF_CAP_MS 30000             /* longest retry delay, ms */
#define RETRY_AFTER_CAP_MS 600000        /* longest rate-limit wait honoured, ms */
#define MAX_JOBS 1024                    /* queued joins and sends, count */
#define MAX_ROOMS 20000                  /* joined rooms tracked, count */
#define MAX_BATCHES 8                   /* synced batches with replies in flight, count */
#define SYNC_LOST_AFTER 3                /* failed syncs in a row that count as lost */
#define BACKFILL_PAGE 50                /* events per /messages request, count */
#define BACKFILL_PAGES 4                /* pages fetched per sync gap, count */
#define BACKFILL_MAX_ATTEMPTS 5         /* tries per page before giving up */
#define SAVE_INTERVAL_MS 250            /* at most one state fsync per this, ms */
#define SYNC_REFUSALS 3                 /* 4xx on /sync before repairing, count */
#define SEND_MAX_ATTEMPTS 10             /* answered failures per send before giving up ... */
#define SEND_GIVEUP_MS (10 * 60 * 1000)  /* ... and only once its first try is this old, ms */
#define JOIN_MAX_ATTEMPTS 6              /* tries per join (invite races) */
#define BODY_MAX 8192                    /* rendered plain reply, bytes */
#define HTML_MAX 16384                   /* rendered HTML reply, bytes */
#define DEFAULT_NOTICE                                                        \
	"This room is end-to-end encrypted, and scobot cannot read encrypted "  \
	"messages, so it will not answer here. Use an unencrypted room, or run "\
	"scobot behind pantalaimon."

enum phase { PH_INIT, PH_AUTH, PH_RUNNING, PH_DEAD };
enum sync_lane { SL_IDLE, SL_INFLIGHT, SL_WAIT_SENDS, SL_OFF };
enum job_kind { JOB_LOGIN, JOB_WHOAMI, JOB_FILTER, JOB_JOIN, JOB_SEND, JOB_BACKFILL };
enum token_src { TOK_NONE, TOK_CONFIG, TOK_STORED, TOK_LOGIN };

struct job {
	struct job *next;
	enum job_kind kind;
	char *room_id;      /* join, send */
	char *txn_id;       /* send */
	char *body;         /* send, login: JSON */
	char *trigger;      /* send: the event answered (recorded when done) */
	char notice_room;   /* send: an encrypted-room notice ('e') */
	int64_t received_ms; /* send: an answer's question arrived then (host->sent); 0 none */
	uint64_t batch;     /* send, backfill: the sync batch that waits for it (0: none) */
	char *from, *to;    /* backfill: the gap, as /messages tokens */
	int page;           /* backfill: 1 for the gap's newest events, then older */
	int attempts;       /* tries the server answered with a failure (not 429) */
	int64_t first_try;  /* when the first try started, ms */
	int64_t not_before;
};

struct room {
	char *id;
	int64_t joined_count;  /* -1 unknown */
	bool encrypted;
	char *my_name;         /* our display name here */
};

struct mxsync {
	/* config (owned copies) */
	char *homeserver, *user_id, *cfg_token, *password, *device_id, *state_path;
	char **auto_join;
	size_t n_auto_join;
	char *prefix, *notice_text, *filter_json;
	bool notice_on;
	int64_t stall_alarm_ms;
	const struct adapter_host *host;
	struct mxsync_io io;
	uint64_t rng;

	enum phase phase;
	enum token_src token_src;
	char *token;
	char *me;                 /* user id from whoami */
	struct mx_state st;

	/* sync lane */
	enum sync_lane sync;
	int64_t sync_id, sync_not_before;
	int sync_fails;
	int sync_refused;         /* 4xx answers to /sync in a row */
	bool first_sync;          /* no stored next_batch: skip the backlog */
	/* Batches whose replies are still being sent, oldest first. The sync goes
	 * on meanwhile; a batch's next_batch becomes the resume point only when
	 * it and every older batch are done (so the file never skips a reply). */
	struct {
		char *next_batch;
		size_t pending;     /* sends not finished */
		uint64_t seq;
	} batches[MAX_BATCHES];
	size_t nbatches;
	uint64_t batch_seq;
	char *batch_from;         /* the since of the batch being processed (its gap ends there) */
	char *since;              /* where the next /sync starts: the newest batch
	                             received, ahead of the committed st.next_batch */
	int64_t last_advance, next_alarm;
	bool ready_sent;
	bool lost_told;           /* host->lost said so; host->ready comes on recovery */
	bool dirty;               /* committed progress not yet on disk */
	int64_t last_save, save_due;

	/* op lane */
	struct job *head, *tail;
	size_t njobs;
	int64_t op_id;
	struct job *op_job;       /* the job op_id belongs to (still queued) */
	int64_t op_not_before;    /* a 429 pauses the whole lane */
	int op_fails;

	struct room *rooms;
	size_t nrooms, rooms_cap;
	struct cooldown *cooldown;

	struct answer answer;     /* scratch for host->respond (~5 KiB) */
	char plain[BODY_MAX];
	char html[HTML_MAX];
	char last_error[128];
	struct mxsync_stats stats;
};

/* ---- small helpers ------------------------------------------------------ */

char *mxsync_escape(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(s);
	char *out = xmalloc(n * 3 + 1), *o = out;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (isalnum(*p) || *p == '-' || *p == '.' || *p == '_' || *p == '~') {
			*o++ = (char)*p;
		} else {
			*o++ = '%';
			*o++ = hex[*p >> 4];
			*o++ = hex[*p & 15];
		}
	}
	*o = '\0';
	return out;
}

static char *dup_or(const char *s, const char *def)
{
	return s ? xstrdup(s) : (def ? xstrdup(def) : NULL);
}

static uint64_t rng_next(struct mxsync *m)
{
	/* xorshift64*: jitter only, not security. */
	uint64_t x = m->rng;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	m->rng = x;
	return x * 0x2545F4914F6CDD1Dull;
}

/* Exponential backoff with "equal jitter": half fixed, half random, capped. */
static int64_t backoff_ms(struct mxsync *m, int fails)
{
	int64_t d = BACKOFF_BASE_MS;
	for (int i = 1; i < fails && d < BACKOFF_CAP_MS; i++)
		d *= 2;
	if (d > BACKOFF_CAP_MS)
		d = BACKOFF_CAP_MS;
	return d / 2 + (int64_t)(rng_next(m) % (uint64_t)(d / 2 + 1));
}

static void set_error(struct mxsync *m, const char *what)
{
	snprintf(m->last_error, sizeof(m->last_error), "%s", what);
}

/* The wait a 429 asks for: the Retry-After header (seconds) or retry_after_ms
 * (CS: Rate limiting; the body field is deprecated since v1.10), the longer of
 * the two; -1 when neither is usable. */
static int64_t retry_after_ms(const struct mxsync_response *r, int64_t body_ms)
{
	int64_t best = body_ms;
	if (r->retry_after) {
		char *end;
		errno = 0;
		long long secs = strtoll(r->retry_after, &end, 10);
		if (errno == 0 && end != r->retry_after && *end == '\0' && secs >= 0 &&
		    secs <= RETRY_AFTER_CAP_MS / 1000 && secs * 1000 > best)
			best = secs * 1000;
	}
	if (best > RETRY_AFTER_CAP_MS)
		best = RETRY_AFTER_CAP_MS;
	return best;
}

static struct room *room_find(struct mxsync *m, const char *id)
{
	for (size_t i = 0; i < m->nrooms; i++)
		if (strcmp(m->rooms[i].id, id) == 0)
			return &m->rooms[i];
	return NULL;
}

static struct room *room_get(struct mxsync *m, const char *id)
{
	struct room *r = room_find(m, id);
	if (r)
		return r;
	if (m->nrooms >= MAX_ROOMS)
		return NULL;
	if (m->nrooms == m->rooms_cap) {
		m->rooms_cap = m->rooms_cap ? m->rooms_cap * 2 : 16;
		m->rooms = xreallocarray(m->rooms, m->rooms_cap, sizeof(*m->rooms));
	}
	r = &m->rooms[m->nrooms++];
	memset(r, 0, sizeof(*r));
	r->id = xstrdup(id);
	r->joined_count = mx_state_is_duo(&m->st, id) ? 2 : -1;
	return r;
}

static void room_forget(struct mxsync *m, const char *id)
{
	struct room *r = room_find(m, id);
	if (r) {
		free(r->id);
		free(r->my_name);
		*r = m->rooms[--m->nrooms];
	}
	mx_state_forget_room(&m->st, id);
}

/* ---- jobs ----------------------------------------------------------------- */

static void job_free(struct job *j)
{
	if (!j)
		return;
	free(j->room_id);
	free(j->txn_id);
	if (j->body) {
		if (j->kind == JOB_LOGIN)  /* carries the password */
			memset(j->body, 0, strlen(j->body));
		free(j->body);
	}
	free(j->trigger);
	free(j->from);
	free(j->to);
	free(j);
}

static struct job *job_new(enum job_kind kind)
{
	struct job *j = xcalloc(1, sizeof(*j));
	j->kind = kind;
	return j;
}

static void job_push(struct mxsync *m, struct job *j, bool front)
{
	m->njobs++;
	if (front) {
		j->next = m->head;
		m->head = j;
		if (!m->tail)
			m->tail = j;
		return;
	}
	if (m->tail)
		m->tail->next = j;
	else
		m->head = j;
	m->tail = j;
}

static struct job *job_pop(struct mxsync *m)
{
	struct job *j = m->head;
	if (!j)
		return NULL;
	m->head = j->next;
	if (!m->head)
		m->tail = NULL;
	m->njobs--;
	j->next = NULL;
	return j;
}

static void job_unlink(struct mxsync *m, struct job *j)
{
	struct job **pp = &m->head, *prev = NULL;
	while (*pp && *pp != j) {
		prev = *pp;
		pp = &(*pp)->next;
	}
	if (!*pp)
		return;
	*pp = j->next;
	if (m->tail == j)
		m->tail = prev;
	m->njobs--;
	j->next = NULL;
}

static bool job_is_auth(const struct job *j)
{
	return j->kind == JOB_LOGIN || j->kind == JOB_WHOAMI || j->kind == JOB_FILTER;
}

/* The job to run next: the first one whose backoff has passed, in queue order,
 * so a join waiting out an invite race never holds up replies. Until login
 * succeeds, only authentication jobs run. */
static struct job *job_ready(const struct mxsync *m, int64_t now, int64_t *ret_earliest)
{
	int64_t earliest = -1;
	for (struct job *j = m->head; j; j = j->next) {
		if (m->phase != PH_RUNNING && !job_is_auth(j))
			continue;
		if (now >= 0 && j->not_before <= now)
			return j;
		if (earliest < 0 || j->not_before < earliest)
			earliest = j->not_before;
	}
	if (ret_earliest)
		*ret_earliest = earliest;
	return NULL;
}

static bool job_queued(const struct mxsync *m, enum job_kind kind, const char *room,
		       const char *trigger)
{
	for (const struct job *j = m->head; j; j = j->next) {
		if (j->kind != kind)
			continue;
		if (!trigger && !room)
			return true;  /* any job of this kind */
		if (trigger && j->trigger && strcmp(j->trigger, trigger) == 0)
			return true;
		if (!trigger && room && j->room_id && strcmp(j->room_id, room) == 0 &&
		    (kind != JOB_SEND || j->notice_room))
			return true;
	}
	return false;
}

/* ---- persistence ---------------------------------------------------------- */

static void save_state_as(struct mxsync *m, bool final)
{
	char *text = mx_state_serialize(&m->st);
	if (!text) {
		log_error("matrix: cannot save state", "path=%s err=%s", m->state_path,
			  strerror(ENOMEM));
		return;
	}
	if (m->io.save) {
		m->io.save(m->io.ctx, m->state_path, text, final);
		return;
	}
	int r = mx_state_write(m->state_path, text);
	mx_state_text_free(text);
	if (r < 0)
		log_error("matrix: cannot save state", "path=%s err=%s", m->state_path,
			  strerror(-r));
}

static void save_state(struct mxsync *m)
{
	save_state_as(m, false);
}

/* Saves at most once per SAVE_INTERVAL_MS: even off the loop, an fsync per
 * batch would keep the disk busy under load. A file that lags is safe: it
 * only ever holds a resume point whose replies were all sent, so a restart
 * re-reads a little more and the homeserver dedupes the re-sent replies by
 * txnId. */
static void save_soon(struct mxsync *m, int64_t now)
{
	m->dirty = true;
	if (now - m->last_save >= SAVE_INTERVAL_MS) {
		save_state(m);
		m->dirty = false;
		m->last_save = now;
	} else {
		m->save_due = m->last_save + SAVE_INTERVAL_MS;
	}
}

/* Batches at the head whose replies were all sent (or given up) become the
 * resume point, in order; a full pipeline may then sync again. */
static void commit_batches(struct mxsync *m, int64_t now)
{
	size_t done = 0;
	while (done < m->nbatches && m->batches[done].pending == 0)
		done++;
	if (done == 0)
		goto lane;
	mx_state_set(&m->st.next_batch, m->batches[done - 1].next_batch);
	for (size_t i = 0; i < done; i++)
		free(m->batches[i].next_batch);
	memmove(&m->batches[0], &m->batches[done], (m->nbatches - done) * sizeof(m->batches[0]));
	m->nbatches -= done;
	save_soon(m, now);
lane:
	if (m->sync == SL_WAIT_SENDS && m->nbatches < MAX_BATCHES) {
		m->sync = SL_IDLE;
		m->sync_not_before = now;
	}
}

static void fatal(struct mxsync *m, int status, const char *msg)
{
	log_error("matrix: fatal", "reason=\"%s\"", msg);
	set_error(m, msg);
	m->phase = PH_DEAD;
	m->sync = SL_OFF;
	if (m->sync_id > 0)
		m->io.cancel(m->io.ctx, m->sync_id);
	if (m->op_id > 0)
		m->io.cancel(m->io.ctx, m->op_id);
	m->sync_id = m->op_id = 0;
	if (m->host->fatal)
		m->host->fatal(m->host->ctx, "matrix", status, msg);
}

/* A 401 M_UNKNOWN_TOKEN (CS: Using access tokens). A token we logged in for can
 * be replaced by logging in again; a configured one cannot. */
static void token_rejected(struct mxsync *m, const char *where)
{
	log_warn("matrix: access token rejected", "during=%s errcode=M_UNKNOWN_TOKEN", where);
	if (m->token_src == TOK_CONFIG || !m->password) {
		fatal(m, MATRIX_EXIT_AUTH,
		      "the homeserver rejected the access token (M_UNKNOWN_TOKEN); "
		      "set a valid access_token or a password");
		return;
	}
	free(m->token);
	m->token = NULL;
	mx_state_set(&m->st.access_token, NULL);
	save_state(m);
	m->phase = PH_AUTH;
	if (!job_queued(m, JOB_LOGIN, NULL, NULL)) {
		struct job *w = job_new(JOB_WHOAMI);
		job_push(m, w, true);
		struct job *l = job_new(JOB_LOGIN);
		l->body = mx_build_login(m->user_id, m->password, m->device_id);
		job_push(m, l, true);
	}
}

/* ---- deciding what to answer ---------------------------------------------- */

static bool word_char(char c);

static bool ci_starts(const char *s, size_t len, const char *p, size_t plen)
{
	return plen && len >= plen && strncasecmp(s, p, plen) == 0 &&
	       (len == plen || !word_char(s[plen]));
}

static bool word_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || (c & 0x80);
}

/* p inside s as a whole word: "scobot, hi" and "hi @scobot" count, "scobots"
 * and "disco" (for a bot called "sco") do not. */
static const char *ci_find(const char *s, size_t len, const char *p, size_t plen)
{
	if (!plen || len < plen)
		return NULL;
	for (size_t i = 0; i + plen <= len; i++)
		if (strncasecmp(s + i, p, plen) == 0 && (i == 0 || !word_char(s[i - 1])) &&
		    (i + plen == len || !word_char(s[i + plen])))
			return s + i;
	return NULL;
}

/* Our localpart, for mentions when no display name is known. */
static size_t localpart(const char *uid, const char **ret)
{
	if (!uid || uid[0] != '@')
		return 0;
	const char *colon = strchr(uid, ':');
	*ret = uid + 1;
	return colon ? (size_t)(colon - uid - 1) : strlen(uid + 1);
}

/* True when the text addresses the bot; *skip is how much leading mention
 * ("scobot: ", "@scobot:test, ") to drop before asking the engine. */
static bool mentioned(struct mxsync *m, const struct room *r, const struct mx_event *ev,
		      const char *text, size_t len, size_t *skip)
{
	*skip = 0;
	const char *names[3];
	size_t lens[3], n = 0;
	names[n] = m->me;
	lens[n++] = strlen(m->me);
	if (r && r->my_name && strlen(r->my_name) >= 3) {
		names[n] = r->my_name;
		lens[n++] = strlen(r->my_name);
	}
	const char *lp;
	size_t lpl = localpart(m->me, &lp);
	if (lpl >= 3) {
		names[n] = lp;
		lens[n++] = lpl;
	}
	bool hit = mx_event_mentions(ev, m->me);
	for (size_t i = 0; i < n; i++) {
		if (ci_starts(text, len, names[i], lens[i])) {
			size_t k = lens[i];
			while (k < len && (text[k] == ':' || text[k] == ',' || text[k] == ' '))
				k++;
			*skip = k;
			return true;
		}
		if (ci_find(text, len, names[i], lens[i]))
			hit = true;
	}
	return hit;
}

static void queue_send(struct mxsync *m, const char *room, char kind, const char *seed,
		       const char *trigger, char *body, int64_t received_ms)
{
	if (m->njobs >= MAX_JOBS) {
		log_error("matrix: send queue full, dropping a reply", "room=%s max=%d", room,
			  MAX_JOBS);
		free(body);
		return;
	}
	struct job *j = job_new(JOB_SEND);
	char txn[MX_TXN_ID_SIZE];
	mx_txn_id(kind, seed, txn);
	j->room_id = xstrdup(room);
	j->txn_id = xstrdup(txn);
	j->body = body;
	j->trigger = trigger ? xstrdup(trigger) : NULL;
	j->notice_room = kind == 'e' ? 'e' : 0;
	j->received_ms = received_ms;
	if (m->nbatches) {
		j->batch = m->batches[m->nbatches - 1].seq;
		m->batches[m->nbatches - 1].pending++;
	}
	job_push(m, j, false);
}

/* The count of jobs batch `seq` waits for, or NULL when it is committed. */
static size_t *batch_pending(struct mxsync *m, uint64_t seq)
{
	for (size_t i = 0; seq && i < m->nbatches; i++)
		if (m->batches[i].seq == seq)
			return &m->batches[i].pending;
	return NULL;
}

/* Fetches the events a limited timeline left out (CS: Syncing, "limited";
 * API: message_pagination.yaml), newest first from the timeline's prev_batch
 * back to where the previous sync ended. The batch that saw the gap waits
 * for it, so a restart before it is done fetches it again. */
static void queue_backfill(struct mxsync *m, const char *room, const char *from, const char *to,
			   int page, uint64_t batch)
{
	if (m->njobs >= MAX_JOBS) {
		log_error("matrix: job queue full, not fetching a sync gap", "room=%s max=%d", room,
			  MAX_JOBS);
		return;
	}
	struct job *j = job_new(JOB_BACKFILL);
	j->room_id = xstrdup(room);
	j->from = xstrdup(from);
	j->to = xstrdup(to);
	j->page = page;
	size_t *pending = batch_pending(m, batch);
	if (pending) {
		j->batch = batch;
		(*pending)++;
	}
	job_push(m, j, false);
}

/* The thread a message belongs to, so the answer stays in it. */
static const char *thread_root(const struct mx_event *ev)
{
	return ev->rel_type && strcmp(ev->rel_type, "m.thread") == 0 ? ev->rel_event_id : NULL;
}

/* When the user asked, for the cooldown: live events count as asked now; a
 * backlog (the first sync of a run, the sync after an outage, a fetched gap)
 * by origin_server_ts, the sender's server's word, which cooldown_asked_at
 * only lets move an event back, and not far. */
static int64_t asked_at(const struct mx_event *ev, int64_t now, int64_t wall_ms, bool backlog)
{
	return backlog ? cooldown_asked_at(now, wall_ms, ev->origin_server_ts) : now;
}

static void consider(struct mxsync *m, struct room *r, const char *room_id,
		     const struct mx_event *ev, int64_t now, int64_t asked)
{
	if (strcmp(ev->type, "m.room.message") != 0 || !ev->body || !ev->msgtype)
		return;
	if (strcmp(ev->sender, m->me) == 0)
		return; /* our own replies come back in later syncs */
	/* MOD instant_messaging.md: m.notice must never be automatically answered
	 * (bot loops); edits (m.replace) would answer a question twice. */
	if (strcmp(ev->msgtype, "m.text") != 0)
		return;
	if (ev->rel_type && strcmp(ev->rel_type, "m.replace") == 0)
		return;
	if (mx_state_answered(&m->st, ev->event_id) || job_queued(m, JOB_SEND, NULL, ev->event_id))
		return;

	size_t off = mx_strip_reply_fallback(ev->body, ev->body_len);
	const char *text = ev->body + off;
	size_t len = ev->body_len - off, rest, skip;
	if (engine_strip_prefix(m->prefix, text, len, &rest)) {
		text += rest;
		len -= rest;
	} else if (mentioned(m, r, ev, text, len, &skip)) {
		text += skip;
		len -= skip;
	} else if (!(r && r->joined_count == 2)) {
		return; /* not addressed to us, and not a one-to-one room */
	}

	char lbuf[128];
	switch (cooldown_check(m->cooldown, ev->sender, room_id, asked)) {
	case COOLDOWN_OK:
		break;
	case COOLDOWN_NOTICE:
		log_info("matrix: cooldown", "room=%s user=%s", room_id,
			 log_escape(ev->sender, strlen(ev->sender), lbuf, sizeof(lbuf)));
		queue_send(m, room_id, 'c', ev->event_id, ev->event_id,
			   mx_build_notice(cooldown_notice_text(lang_detect(text, len)), NULL,
					   ev->event_id, thread_root(ev)), 0);
		return;
	case COOLDOWN_SILENT:
		return;
	}

	struct respond_request req = {
		.platform = "matrix", .room = room_id, .user = ev->sender,
		.text = text, .len = len, .lang = LANG_NONE, .received_ms = now,
	};
	m->host->respond(m->host->ctx, &req, &m->answer);
	if (m->answer.status == ANSWER_IGNORED) {
		mx_state_add_answered(&m->st, ev->event_id);
		return;
	}
	answer_render(&m->answer, RENDER_PLAIN, m->plain, sizeof(m->plain));
	answer_render(&m->answer, RENDER_HTML, m->html, sizeof(m->html));
	queue_send(m, room_id, 'r', ev->event_id, ev->event_id,
		   mx_build_notice(m->plain, m->html, ev->event_id, thread_root(ev)), now);
}

static bool invite_allowed(const struct mxsync *m, const char *room, const char *inviter)
{
	if (m->n_auto_join == 0)
		return true;
	for (size_t i = 0; i < m->n_auto_join; i++) {
		const char *a = m->auto_join[i];
		if (strcmp(a, room) == 0 || (inviter && strcmp(a, inviter) == 0))
			return true;
		/* "*:server" admits every user of that homeserver. */
		if (inviter && a[0] == '*' && a[1] == ':') {
			const char *colon = strchr(inviter, ':');
			if (colon && strcmp(colon, a + 1) == 0)
				return true;
		}
	}
	return false;
}

static void note_member(struct mxsync *m, struct room *r, const struct mx_event *ev)
{
	if (strcmp(ev->type, "m.room.member") == 0 && ev->state_key &&
	    strcmp(ev->state_key, m->me) == 0 && ev->displayname && *ev->displayname &&
	    strlen(ev->displayname) <= MX_ID_MAX)
		mx_state_set(&r->my_name, ev->displayname);
}

/* Our own join is in this timeline: the gap before it is history from before
 * scobot was in the room, which it does not answer. (A display name change
 * looks the same; it only costs that one gap its backfill.) */
static bool joined_in(const struct mxsync *m, const struct mx_room *sr)
{
	for (size_t k = 0; k < sr->n_timeline; k++) {
		const struct mx_event *ev = &sr->timeline[k];
		if (strcmp(ev->type, "m.room.member") == 0 && ev->state_key &&
		    strcmp(ev->state_key, m->me) == 0 && ev->membership &&
		    strcmp(ev->membership, "join") == 0)
			return true;
	}
	return false;
}

struct candidate {
	const char *room_id;
	const struct mx_event *ev;
	int64_t asked;
	size_t order;
};

static int by_asked(const void *a, const void *b)
{
	const struct candidate *x = a, *y = b;
	if (x->asked != y->asked)
		return x->asked < y->asked ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static void process_batch(struct mxsync *m, const struct mx_sync *s, int64_t now,
			  int64_t s_wall, bool backlog)
{
	/* Messages are considered after every room is read, oldest first across
	 * rooms: a user asking in two rooms of one backlog must meet the
	 * cooldown in the order they asked, not in the order rooms are listed. */
	size_t qcap = 0, nq = 0;
	for (size_t i = 0; i < s->n_rooms; i++)
		qcap += s->rooms[i].n_timeline;
	struct candidate *q = qcap ? xcalloc(qcap, sizeof(*q)) : NULL;
	char lbuf[128];
	/* The backlog a first sync skips says nothing about the lag now. */
	m->stats.newest_event_ts = 0;
	for (size_t i = 0; i < s->n_rooms; i++) {
		const struct mx_room *sr = &s->rooms[i];
		if (sr->kind == MX_ROOM_LEAVE) {
			if (!m->first_sync)
				log_notice("matrix: left room, forgetting it", "room=%s", sr->room_id);
			room_forget(m, sr->room_id);
			continue;
		}
		if (sr->kind == MX_ROOM_INVITE) {
			if (room_find(m, sr->room_id) || job_queued(m, JOB_JOIN, sr->room_id, NULL))
				continue;
			const char *who = sr->inviter ? sr->inviter : "(unknown)";
			if (!invite_allowed(m, sr->room_id, sr->inviter)) {
				log_notice("matrix: ignoring invite outside auto_join", "room=%s inviter=%s",
					   sr->room_id, log_escape(who, strlen(who), lbuf, sizeof(lbuf)));
				m->stats.ignored_invites++;
				continue;
			}
			log_info("matrix: invited, joining", "room=%s inviter=%s", sr->room_id,
				 log_escape(who, strlen(who), lbuf, sizeof(lbuf)));
			struct job *j = job_new(JOB_JOIN);
			j->room_id = xstrdup(sr->room_id);
			if (m->njobs < MAX_JOBS)
				job_push(m, j, false);
			else
				job_free(j);
			continue;
		}
		struct room *r = room_get(m, sr->room_id);
		if (!r) {
			log_warn("matrix: too many rooms, ignoring one", "room=%s max=%d",
				 sr->room_id, MAX_ROOMS);
			continue;
		}
		if (sr->joined_count >= 0) {
			if ((r->joined_count == 2) != (sr->joined_count == 2))
				mx_state_set_duo(&m->st, sr->room_id, sr->joined_count == 2);
			r->joined_count = sr->joined_count;
		}
		for (size_t k = 0; k < sr->n_state; k++)
			note_member(m, r, &sr->state[k]);
		if (sr->limited) {
			m->stats.gaps++;
			if (m->first_sync || joined_in(m, sr)) {
				/* the backlog, or history from before we were here */
			} else if (sr->prev_batch && m->batch_from && m->nbatches) {
				log_notice("matrix: sync gap, fetching the missed events", "room=%s",
					   sr->room_id);
				queue_backfill(m, sr->room_id, sr->prev_batch, m->batch_from, 1,
					       m->batches[m->nbatches - 1].seq);
			} else {
				log_warn("matrix: sync gap without a prev_batch, older events in this "
					 "room are not answered", "room=%s", sr->room_id);
			}
		}
		for (size_t k = 0; k < sr->n_timeline; k++) {
			const struct mx_event *ev = &sr->timeline[k];
			note_member(m, r, ev);
			if (!m->first_sync && ev->origin_server_ts > m->stats.newest_event_ts)
				m->stats.newest_event_ts = ev->origin_server_ts;
			if (!m->first_sync && nq < qcap) {
				q[nq] = (struct candidate){sr->room_id, ev,
							   asked_at(ev, now, s_wall, backlog), nq};
				nq++;
			}
		}
		if (sr->encrypted && !r->encrypted) {
			r->encrypted = true;
			log_warn("matrix: room is end-to-end encrypted; scobot cannot read it",
				 "room=%s", sr->room_id);
		}
		if (r->encrypted && m->notice_on && !mx_state_noticed(&m->st, sr->room_id) &&
		    !job_queued(m, JOB_SEND, sr->room_id, NULL)) {
			log_notice("matrix: posting the encrypted-room notice", "room=%s", sr->room_id);
			queue_send(m, sr->room_id, 'e', sr->room_id, NULL,
				   mx_build_notice(m->notice_text, NULL, NULL, NULL), 0);
		}
	}
	if (nq)
		qsort(q, nq, sizeof(*q), by_asked);
	for (size_t i = 0; i < nq; i++) {
		/* Looked up now: room_get above may have moved the rooms. */
		struct room *r = room_find(m, q[i].room_id);
		if (r)
			consider(m, r, q[i].room_id, q[i].ev, now, q[i].asked);
	}
	free(q);
}

/* ---- the sync lane -------------------------------------------------------- */

static void sync_start(struct mxsync *m, int64_t now)
{
	if (m->nbatches >= MAX_BATCHES) {
		m->sync = SL_WAIT_SENDS;  /* the pipeline is full: wait for replies */
		return;
	}
	const char *filter = m->st.filter_id;
	char *ef = mxsync_escape(filter ? filter : "");
	char *es = m->since ? mxsync_escape(m->since) : NULL;
	size_t n = strlen(ef) + (es ? strlen(es) : 0) + 128;
	char *path = xmalloc(n);
	/* API: sync.yaml -- filter id, since, timeout (server wait, ms), and
	 * set_presence=offline so the bot does not show as online by polling. */
	/* The first sync of a run returns at once (timeout=0) so a restart catches
	 * up and reports ready without waiting out a long-poll. */
	if (es)
		snprintf(path, n, API "/sync?filter=%s&timeout=%d&set_presence=offline&since=%s",
			 ef, m->ready_sent ? SYNC_SERVER_TIMEOUT_MS : 0, es);
	else
		snprintf(path, n, API "/sync?filter=%s&timeout=0&set_presence=offline", ef);
	int64_t id = m->io.request(m->io.ctx, "GET", path, NULL, m->token,
				   es ? SYNC_CLIENT_TIMEOUT_MS : FIRST_SYNC_TIMEOUT_MS,
				   SYNC_MAX_BYTES);
	free(path);
	free(ef);
	free(es);
	if (id < 0) {
		m->sync_fails++;
		m->sync_not_before = now + backoff_ms(m, m->sync_fails);
		return;
	}
	m->sync_id = id;
	m->sync = SL_INFLIGHT;
}

static void sync_failed(struct mxsync *m, int64_t now, int64_t wait, const char *why)
{
	m->sync_fails++;
	m->stats.sync_errors++;
	if (m->sync_fails == SYNC_LOST_AFTER && m->ready_sent) {
		log_warn("matrix: connection lost, retrying with backoff");
		/* A homeserver that answers only 5xx, 429 or garbage delivers no
		 * more events than one that does not answer: /healthz says so. */
		if (!m->lost_told) {
			m->lost_told = true;
			if (m->host->lost)
				m->host->lost(m->host->ctx, "matrix", why);
		}
	}
	if (wait < 0)
		wait = backoff_ms(m, m->sync_fails);
	log_warn("matrix: sync failed, retrying", "reason=%s retry_ms=%" PRId64 " failures=%d",
		 why, wait, m->sync_fails);
	set_error(m, why);
	m->sync = SL_IDLE;
	m->sync_not_before = now + wait;
}

/* The homeserver keeps refusing our /sync (a server reset can forget filters
 * and sync tokens). First upload the filter again; if that does not help,
 * give up the sync token, which skips what happened meanwhile, loudly, rather
 * than stalling forever. */
static void sync_refused(struct mxsync *m)
{
	if (m->sync_refused == SYNC_REFUSALS && m->st.filter_id) {
		log_error("matrix: the homeserver refuses our sync; uploading the filter again");
		mx_state_set(&m->st.filter_id, NULL);
		mx_state_set(&m->st.filter_key, NULL);
		m->phase = PH_AUTH;
		job_push(m, job_new(JOB_FILTER), true);
		return;
	}
	if (m->since) {
		log_error("matrix: the homeserver refuses our sync token; starting afresh, "
			  "events since the last sync are not answered");
		mx_state_set(&m->st.next_batch, NULL);
		mx_state_set(&m->since, NULL);
		/* Batches still answering must not bring the refused token back. */
		for (size_t i = 0; i < m->nbatches; i++) {
			free(m->batches[i].next_batch);
			m->batches[i].next_batch = NULL;
		}
		m->first_sync = true;
		save_state(m);
	}
}

static void on_sync(struct mxsync *m, const struct mxsync_response *r, int64_t now)
{
	m->sync_id = 0;
	if (r->transport_error) {
		host_status_count_add(m->stats.rest_errors, 0);
		/* No answer at all: the host hears at once (/healthz turns 503). */
		if (m->ready_sent && !m->lost_told) {
			m->lost_told = true;
			if (m->host->lost)
				m->host->lost(m->host->ctx, "matrix",
					      r->error_name ? r->error_name : "network");
		}
		sync_failed(m, now, -1, r->error_name ? r->error_name : "network");
		return;
	}
	if (r->status != 200) {
		host_status_count_add(m->stats.rest_errors, r->status);
		char ec[MX_ERRCODE_SIZE], why[96];
		int64_t ra;
		mx_parse_error(r->body, r->body_len, ec, &ra);
		if (r->status == 401 && strcmp(ec, "M_UNKNOWN_TOKEN") == 0) {
			m->sync = SL_IDLE;
			token_rejected(m, "sync");
			return;
		}
		snprintf(why, sizeof(why), "http_%d%s%s", r->status, *ec ? "_" : "", ec);
		if (r->status == 429) {
			m->stats.rate_limited++;
			sync_failed(m, now, retry_after_ms(r, ra), why);
			return;
		}
		if (r->status >= 400 && r->status < 500 && ++m->sync_refused % SYNC_REFUSALS == 0)
			sync_refused(m);
		sync_failed(m, now, -1, why);
		return;
	}
	m->sync_refused = 0;
	struct mx_sync *s = NULL;
	if (mx_sync_parse(r->body, r->body_len, m->me, &s) < 0) {
		/* Keep the old since: nothing in a body we cannot read is lost. */
		sync_failed(m, now, -1, "unreadable_body");
		return;
	}
	if (s->skipped)
		log_warn("matrix: sync response had malformed parts, skipped them",
			 "skipped=%zu", s->skipped);
	/* What this sync brings piled up while scobot was away or cut off. */
	bool backlog = !m->ready_sent || m->sync_fails > 0 || m->lost_told;
	if ((m->sync_fails >= SYNC_LOST_AFTER || m->lost_told) && m->ready_sent) {
		/* Ready again after a loss: the host counts reconnects. */
		log_notice("matrix: connection recovered", "failures=%d", m->sync_fails);
		m->lost_told = false;
		if (m->host->ready)
			m->host->ready(m->host->ctx, "matrix");
	}
	m->sync_fails = 0;
	m->stats.syncs_ok++;
	m->last_advance = now;
	m->next_alarm = now + m->stall_alarm_ms;
	/* on_sync only runs with a free pipeline slot (see sync lane). */
	mx_state_set(&m->batch_from, m->since);
	mx_state_set(&m->since, s->next_batch);
	m->batches[m->nbatches].next_batch = xstrdup(s->next_batch);
	m->batches[m->nbatches].pending = 0;
	m->batches[m->nbatches].seq = ++m->batch_seq;
	m->nbatches++;
	process_batch(m, s, now, r->wall_ms, backlog);
	mx_sync_free(s);
	if (m->first_sync)
		log_info("matrix: first sync, backlog skipped");
	m->first_sync = false;
	if (!m->ready_sent) {
		m->ready_sent = true;
		log_notice("matrix: connected", "user=%s rooms=%zu", m->me, m->nrooms);
		if (m->host->ready)
			m->host->ready(m->host->ctx, "matrix");
	}
	if (m->host->progress)
		m->host->progress(m->host->ctx, "matrix");
	m->sync = m->nbatches < MAX_BATCHES ? SL_IDLE : SL_WAIT_SENDS;
	m->sync_not_before = now;
	commit_batches(m, now);
}

/* ---- the op lane ----------------------------------------------------------- */

static void op_start(struct mxsync *m, struct job *j, int64_t now)
{
	char *path = NULL, *a = NULL, *b = NULL;
	const char *method = "POST", *body = j->body;
	const char *token = m->token;
	size_t n;
	switch (j->kind) {
	case JOB_LOGIN:
		path = xstrdup(API "/login");
		token = NULL;
		break;
	case JOB_WHOAMI:
		path = xstrdup(API "/account/whoami");
		method = "GET";
		break;
	case JOB_FILTER:
		a = mxsync_escape(m->me);
		n = strlen(a) + 64;
		path = xmalloc(n);
		snprintf(path, n, API "/user/%s/filter", a);
		body = m->filter_json;
		break;
	case JOB_JOIN:
		a = mxsync_escape(j->room_id);
		n = strlen(a) + 64;
		path = xmalloc(n);
		snprintf(path, n, API "/join/%s", a);
		body = "{}";
		break;
	case JOB_SEND:
		/* API: room_send.yaml -- PUT /rooms/{roomId}/send/{eventType}/{txnId},
		 * every segment escaped. */
		a = mxsync_escape(j->room_id);
		b = mxsync_escape(j->txn_id);
		n = strlen(a) + strlen(b) + 96;
		path = xmalloc(n);
		snprintf(path, n, API "/rooms/%s/send/m.room.message/%s", a, b);
		method = "PUT";
		break;
	case JOB_BACKFILL: {
		/* API: message_pagination.yaml -- dir=b from the timeline's
		 * prev_batch, to the sync token the gap began at; only messages. */
		a = mxsync_escape(j->room_id);
		char *f = mxsync_escape(j->from), *t = mxsync_escape(j->to);
		n = strlen(a) + strlen(f) + strlen(t) + 192;
		path = xmalloc(n);
		snprintf(path, n, API "/rooms/%s/messages?dir=b&from=%s&to=%s&limit=%d"
			 "&filter=%%7B%%22types%%22%%3A%%5B%%22m.room.message%%22%%5D%%7D",
			 a, f, t, BACKFILL_PAGE);
		free(f);
		free(t);
		method = "GET";
		body = NULL;
		break;
	}
	}
	if (j->attempts == 0 && j->first_try == 0)
		j->first_try = now;
	j->attempts++;
	int64_t id = m->io.request(m->io.ctx, method, path, body, token, OP_TIMEOUT_MS,
				   OP_MAX_BYTES);
	free(path);
	free(a);
	free(b);
	if (id < 0) {
		m->op_fails++;
		j->not_before = now + backoff_ms(m, m->op_fails);
		return;
	}
	m->op_id = id;
	m->op_job = j;
}

/* A job the batch waited for is finished for good: the batch may be done. */
static void batch_release(struct mxsync *m, uint64_t batch, int64_t now)
{
	size_t *pending = batch_pending(m, batch);
	if (pending && *pending > 0) {
		(*pending)--;
		commit_batches(m, now);
	}
}

/* A send finished for good (sent, or given up): the batch may be done. */
static void send_done(struct mxsync *m, struct job *j, bool ok, int status, int64_t now)
{
	if (j->received_ms > 0 && m->host->sent)
		m->host->sent(m->host->ctx, "matrix", j->received_ms, status);
	if (ok)
		m->stats.sends_ok++;
	else
		m->stats.send_errors++;
	if (j->trigger) {
		mx_state_add_answered(&m->st, j->trigger);
		m->stats.answered++;
	}
	if (j->notice_room && ok)
		mx_state_add_noticed(&m->st, j->room_id);
	batch_release(m, j->batch, now);
}

static void enter_running(struct mxsync *m, int64_t now)
{
	m->phase = PH_RUNNING;
	if (m->sync == SL_OFF || m->sync == SL_IDLE) {
		m->sync = SL_IDLE;
		m->sync_not_before = now;
	}
}

static const char *job_name(const struct job *j)
{
	switch (j->kind) {
	case JOB_LOGIN: return "login";
	case JOB_WHOAMI: return "whoami";
	case JOB_FILTER: return "filter";
	case JOB_JOIN: return "join";
	case JOB_SEND: return "send";
	case JOB_BACKFILL: return "messages";
	}
	return "?";
}

/* A page of a sync gap: its messages are considered like timeline events,
 * oldest first; then the next (older) page, up to BACKFILL_PAGES. */
static void on_backfill(struct mxsync *m, struct job *j, const struct mxsync_response *r,
			const char *ec, int64_t now)
{
	struct mx_messages *p = NULL;
	if (r->status != 200) {
		/* 403: not (or no longer) in the room. */
		log_warn("matrix: cannot fetch a sync gap", "room=%s status=%d errcode=%s",
			 j->room_id, r->status, ec);
	} else if (mx_messages_parse(r->body, r->body_len, &p) < 0) {
		log_warn("matrix: unreadable /messages response, a sync gap stays unanswered",
			 "room=%s", j->room_id);
	} else {
		struct room *rm = room_find(m, j->room_id);
		m->stats.backfilled += p->n_events;
		for (size_t i = 0; rm && i < p->n_events; i++)
			consider(m, rm, j->room_id, &p->events[i], now,
				 asked_at(&p->events[i], now, r->wall_ms, true));
		/* A full page may have older events of the gap behind it. */
		if (p->end && p->n_events > 0 && j->page < BACKFILL_PAGES)
			queue_backfill(m, j->room_id, p->end, j->to, j->page + 1, j->batch);
		else if (p->end && p->n_events > 0)
			log_warn("matrix: sync gap longer than scobot fetches, its oldest events "
				 "are not answered", "room=%s pages=%d", j->room_id, j->page);
		log_info("matrix: sync gap fetched", "room=%s page=%d events=%zu", j->room_id,
			 j->page, p->n_events);
		mx_messages_free(p);
	}
	batch_release(m, j->batch, now);
}

static void on_op(struct mxsync *m, const struct mxsync_response *r, int64_t now)
{
	m->op_id = 0;
	struct job *j = m->op_job;
	m->op_job = NULL;
	if (!j)
		return;
	char ec[MX_ERRCODE_SIZE] = "";
	int64_t ra = -1;
	if (!r->transport_error && r->status != 200)
		mx_parse_error(r->body, r->body_len, ec, &ra);
	if (r->transport_error)
		host_status_count_add(m->stats.rest_errors, 0);
	else if (r->status != 200)
		host_status_count_add(m->stats.rest_errors, r->status);
	bool retry = false;
	int64_t wait = -1;
	char why[96];

	if (r->transport_error) {
		retry = true;
		snprintf(why, sizeof(why), "%s", r->error_name ? r->error_name : "network");
	} else if (r->status == 429) {
		m->stats.rate_limited++;
		retry = true;
		wait = retry_after_ms(r, ra);
		snprintf(why, sizeof(why), "http_429_%s", *ec ? ec : "no_errcode");
	} else if (r->status >= 500 || (r->status != 200 && r->status < 400)) {
		retry = true;
		snprintf(why, sizeof(why), "http_%d", r->status);
	} else if (r->status == 401 && strcmp(ec, "M_UNKNOWN_TOKEN") == 0 &&
		   j->kind != JOB_LOGIN) {
		token_rejected(m, job_name(j));
		return;
	}
	if (retry) {
		int max = j->kind == JOB_SEND ? SEND_MAX_ATTEMPTS :
			  j->kind == JOB_JOIN ? JOIN_MAX_ATTEMPTS :
			  j->kind == JOB_BACKFILL ? BACKFILL_MAX_ATTEMPTS : 0;
		/* A 429 or no response at all says nothing against this request:
		 * the homeserver is busy or away, and every job waits for it. Only
		 * failures it answered count, and an answer is given up only after
		 * a while, so a homeserver flapping for minutes loses nothing. */
		bool counts = r->status != 429 && !r->transport_error;
		int64_t age = now - j->first_try;
		if (max && counts && j->attempts >= max &&
		    (j->kind != JOB_SEND || age >= SEND_GIVEUP_MS)) {
			log_error("matrix: giving up on a request", "kind=%s room=%s reason=%s attempts=%d",
				  job_name(j), j->room_id, why, j->attempts);
			job_unlink(m, j);
			if (j->kind == JOB_SEND)
				send_done(m, j, false, r->transport_error ? 0 : r->status, now);
			else
				batch_release(m, j->batch, now);
			job_free(j);
			return;
		}
		/* Rate limits and server trouble concern the whole homeserver, not
		 * this one request: pause the lane, so queued jobs do not hammer it. */
		m->op_fails++;
		if (wait < 0)
			wait = backoff_ms(m, m->op_fails);
		if (!counts)
			j->attempts--;
		log_warn("matrix: request failed, retrying", "reason=%s retry_ms=%" PRId64, why, wait);
		set_error(m, why);
		m->op_not_before = now + wait;
		return;
	}
	m->op_fails = 0;
	job_unlink(m, j);
	char *v = NULL;
	switch (j->kind) {
	case JOB_LOGIN:
		if (r->status != 200) {
			/* 403 M_FORBIDDEN: wrong password (API: login.yaml). */
			char msg[160];
			snprintf(msg, sizeof(msg), "password login rejected (HTTP %d %s)", r->status, ec);
			job_free(j);
			fatal(m, MATRIX_EXIT_AUTH, msg);
			return;
		}
		if (mx_parse_string_field(r->body, r->body_len, "access_token", 4096, &v) < 0) {
			log_warn("matrix: login response without access_token, retrying");
			j->next = NULL;
			j->not_before = now + backoff_ms(m, ++m->op_fails);
			job_push(m, j, true);
			return;
		}
		free(m->token);
		m->token = v;
		m->token_src = TOK_LOGIN;
		mx_state_set(&m->st.access_token, v);
		mx_state_set(&m->st.user_id, m->user_id);
		v = NULL;
		if (mx_parse_string_field(r->body, r->body_len, "device_id", MX_ID_MAX, &v) == 0) {
			mx_state_set(&m->st.device_id, v);
			free(v);
		}
		/* A new device means new filter and sync scopes are fine, but keep
		 * next_batch: it belongs to the user, not the device. */
		save_state(m);
		log_notice("matrix: logged in with password", "user=%s", m->user_id);
		break;
	case JOB_WHOAMI:
		if (r->status != 200) {
			char msg[160];
			snprintf(msg, sizeof(msg), "whoami failed (HTTP %d %s)", r->status, ec);
			job_free(j);
			fatal(m, MATRIX_EXIT_AUTH, msg);
			return;
		}
		if (mx_parse_string_field(r->body, r->body_len, "user_id", MX_ID_MAX, &v) < 0) {
			j->not_before = now + backoff_ms(m, ++m->op_fails);
			job_push(m, j, true);
			return;
		}
		if (m->user_id && strcmp(v, m->user_id) != 0) {
			char msg[160];
			snprintf(msg, sizeof(msg), "the token belongs to another user than user_id (%s)", v);
			free(v);
			job_free(j);
			fatal(m, MATRIX_EXIT_AUTH, msg);
			return;
		}
		free(m->me);
		m->me = v;
		if (!m->st.filter_id || !m->st.filter_key ||
		    strcmp(m->st.filter_key, m->filter_json) != 0) {
			struct job *f = job_new(JOB_FILTER);
			job_push(m, f, true);
		} else {
			enter_running(m, now);
		}
		break;
	case JOB_FILTER:
		if (r->status != 200 ||
		    mx_parse_string_field(r->body, r->body_len, "filter_id", MX_ID_MAX, &v) < 0) {
			/* Without a filter id, sync with the inline filter rather than stall. */
			log_warn("matrix: filter upload failed, using the filter inline",
				 "status=%d", r->status);
			mx_state_set(&m->st.filter_id, m->filter_json);
		} else {
			mx_state_set(&m->st.filter_id, v);
			mx_state_set(&m->st.filter_key, m->filter_json);
			free(v);
		}
		save_state(m);
		enter_running(m, now);
		break;
	case JOB_JOIN:
		if (r->status != 200) {
			/* An invite can arrive before the join is possible (synapse#4345). */
			if (j->attempts < JOIN_MAX_ATTEMPTS && (r->status == 403 || r->status == 404)) {
				j->not_before = now + backoff_ms(m, j->attempts + 1);
				log_info("matrix: join refused, retrying", "room=%s status=%d attempt=%d",
					 j->room_id, r->status, j->attempts);
				job_push(m, j, false);
				return;
			}
			log_warn("matrix: join failed", "room=%s status=%d errcode=%s", j->room_id,
				 r->status, ec);
			break;
		}
		m->stats.joins++;
		log_notice("matrix: joined room", "room=%s", j->room_id);
		room_get(m, j->room_id);
		break;
	case JOB_SEND:
		if (r->status != 200) {
			log_warn("matrix: send rejected, not retrying", "room=%s status=%d errcode=%s",
				 j->room_id, r->status, ec);
			send_done(m, j, false, r->status, now);
			break;
		}
		send_done(m, j, true, r->status, now);
		break;
	case JOB_BACKFILL:
		on_backfill(m, j, r, ec, now);
		break;
	}
	job_free(j);
}

/* ---- public --------------------------------------------------------------- */

struct mxsync *mxsync_new(const struct matrix_config *cfg, const struct adapter_host *host,
			  const struct mxsync_io *io, uint64_t seed)
{
	if (!cfg->state_dir || !*cfg->state_dir) {
		log_error("matrix: state_dir is required");
		return NULL;
	}
	if (!cfg->access_token && !cfg->password && !cfg->user_id) {
		log_error("matrix: user_id with access_token or password is required");
		return NULL;
	}
	if (cfg->password && !cfg->user_id) {
		log_error("matrix: password login needs user_id");
		return NULL;
	}
	struct mxsync *m = xcalloc(1, sizeof(*m));
	m->homeserver = dup_or(cfg->homeserver, NULL);
	m->user_id = dup_or(cfg->user_id, NULL);
	m->cfg_token = dup_or(cfg->access_token, NULL);
	m->password = dup_or(cfg->password, NULL);
	m->device_id = dup_or(cfg->device_id, "SCOBOT");
	size_t n = strlen(cfg->state_dir) + 32;
	m->state_path = xmalloc(n);
	snprintf(m->state_path, n, "%s/matrix-state.json", cfg->state_dir);
	m->n_auto_join = cfg->n_auto_join;
	if (m->n_auto_join) {
		m->auto_join = xcalloc(m->n_auto_join, sizeof(char *));
		for (size_t i = 0; i < m->n_auto_join; i++)
			m->auto_join[i] = xstrdup(cfg->auto_join[i]);
	}
	m->prefix = dup_or(cfg->prefix, "!sco");
	m->notice_on = cfg->encrypted_room_notice;
	m->notice_text = dup_or(cfg->encrypted_notice_text, DEFAULT_NOTICE);
	m->stall_alarm_ms = cfg->stall_alarm_ms > 0 ? cfg->stall_alarm_ms : 10 * 60 * 1000;
	struct cooldown_config cc = {cfg->cooldown_count, cfg->cooldown_window_ms,
	                             cfg->cooldown_room_count, cfg->cooldown_window_ms};
	m->cooldown = cooldown_new(&cc);
	m->filter_json = mx_build_filter(cfg->timeline_limit > 0 ? cfg->timeline_limit : 50);
	m->host = host;
	m->io = *io;
	m->rng = seed ? seed : 0x9E3779B97F4A7C15ull;
	m->phase = PH_INIT;
	m->sync = SL_OFF;
	return m;
}

void mxsync_start(struct mxsync *m, int64_t now)
{
	int r = mx_state_load(m->state_path, &m->st);
	if (r == -EBADMSG)
		log_error("matrix: state file unreadable, starting afresh", "path=%s", m->state_path);
	else if (r < 0 && r != -ENOENT)
		log_error("matrix: cannot read state file, starting afresh", "path=%s err=%s",
			  m->state_path, strerror(-r));
	/* A stored token belongs to one user; a config change of user drops it. */
	if (m->st.user_id && m->user_id && strcmp(m->st.user_id, m->user_id) != 0) {
		log_notice("matrix: user_id changed, discarding stored state");
		mx_state_clear(&m->st);
	}
	m->first_sync = m->st.next_batch == NULL;
	mx_state_set(&m->since, m->st.next_batch);
	m->last_save = now - SAVE_INTERVAL_MS;
	m->last_advance = now;
	m->next_alarm = now + m->stall_alarm_ms;
	m->phase = PH_AUTH;
	if (m->cfg_token) {
		m->token = xstrdup(m->cfg_token);
		m->token_src = TOK_CONFIG;
	} else if (m->st.access_token) {
		m->token = xstrdup(m->st.access_token);
		m->token_src = TOK_STORED;
	} else if (m->password) {
		struct job *l = job_new(JOB_LOGIN);
		l->body = mx_build_login(m->user_id, m->password, m->device_id);
		job_push(m, l, false);
	} else {
		fatal(m, MATRIX_EXIT_AUTH, "no access_token, stored token or password");
		return;
	}
	/* API: whoami.yaml -- checks the token before anything else. */
	job_push(m, job_new(JOB_WHOAMI), false);
	log_info("matrix: starting", "state=%s first_start=%s token=%s", m->state_path,
		 m->first_sync ? "yes" : "no",
		 m->token_src == TOK_CONFIG ? "config" : m->token_src == TOK_STORED ? "stored" : "login");
	mxsync_tick(m, now);
}

void mxsync_stop(struct mxsync *m)
{
	if (!m)
		return;
	if (m->sync_id > 0)
		m->io.cancel(m->io.ctx, m->sync_id);
	if (m->op_id > 0)
		m->io.cancel(m->io.ctx, m->op_id);
	m->sync_id = m->op_id = 0;
	if (m->phase != PH_INIT)
		save_state_as(m, true);
	m->phase = PH_DEAD;
	m->sync = SL_OFF;
}

void mxsync_free(struct mxsync *m)
{
	if (!m)
		return;
	struct job *j;
	while ((j = job_pop(m)))
		job_free(j);
	for (size_t i = 0; i < m->nrooms; i++) {
		free(m->rooms[i].id);
		free(m->rooms[i].my_name);
	}
	free(m->rooms);
	cooldown_free(m->cooldown);
	for (size_t i = 0; i < m->n_auto_join; i++)
		free(m->auto_join[i]);
	free(m->auto_join);
	if (m->token)
		memset(m->token, 0, strlen(m->token));
	if (m->cfg_token)
		memset(m->cfg_token, 0, strlen(m->cfg_token));
	if (m->password)
		memset(m->password, 0, strlen(m->password));
	free(m->token);
	free(m->cfg_token);
	free(m->password);
	free(m->homeserver);
	free(m->user_id);
	free(m->device_id);
	free(m->state_path);
	free(m->prefix);
	free(m->notice_text);
	free(m->filter_json);
	free(m->me);
	for (size_t i = 0; i < m->nbatches; i++)
		free(m->batches[i].next_batch);
	free(m->since);
	free(m->batch_from);
	mx_state_clear(&m->st);
	free(m);
}

void mxsync_on_response(struct mxsync *m, const struct mxsync_response *r, int64_t now)
{
	if (m->phase == PH_DEAD)
		return;
	if (r->id == m->sync_id && m->sync_id > 0)
		on_sync(m, r, now);
	else if (r->id == m->op_id && m->op_id > 0)
		on_op(m, r, now);
	/* Anything else is a stale response: ignore it. */
	mxsync_tick(m, now);
}

void mxsync_tick(struct mxsync *m, int64_t now)
{
	if (m->phase == PH_DEAD || m->phase == PH_INIT)
		return;
	if (m->op_id == 0 && now >= m->op_not_before) {
		struct job *j = job_ready(m, now, NULL);
		if (j)
			op_start(m, j, now);
	}
	if (m->phase == PH_RUNNING && m->sync == SL_IDLE && m->sync_id == 0 &&
	    now >= m->sync_not_before)
		sync_start(m, now);
	if (m->dirty && now >= m->save_due)
		save_soon(m, now);
	if (m->phase == PH_RUNNING && now - m->last_advance >= m->stall_alarm_ms &&
	    now >= m->next_alarm) {
		log_error("matrix: sync has not advanced", "minutes=%" PRId64 " last_error=%s",
			  (now - m->last_advance) / 60000, m->last_error[0] ? m->last_error : "-");
		m->next_alarm = now + m->stall_alarm_ms;
	}
}

int64_t mxsync_next_deadline(const struct mxsync *m)
{
	if (m->phase == PH_DEAD || m->phase == PH_INIT)
		return -1;
	int64_t d = -1;
#define CONSIDER(t) do { if (d < 0 || (t) < d) d = (t); } while (0)
	if (m->op_id == 0) {
		int64_t earliest = -1;
		job_ready(m, -1, &earliest);  /* now < 0: only compute the earliest */
		if (earliest >= 0)
			CONSIDER(earliest > m->op_not_before ? earliest : m->op_not_before);
	}
	if (m->phase == PH_RUNNING && m->sync == SL_IDLE && m->sync_id == 0)
		CONSIDER(m->sync_not_before);
	if (m->phase == PH_RUNNING)
		CONSIDER(m->next_alarm);
	if (m->dirty)
		CONSIDER(m->save_due);
#undef CONSIDER
	return d;
}

void mxsync_status(const struct mxsync *m, int64_t now, char *out, size_t size)
{
	static const char *const ph[] = {"init", "auth", "running", "dead"};
	snprintf(out, size, "%s rooms=%zu queued=%zu since_advance_s=%" PRId64
		 " syncs=%" PRIu64 " sends=%" PRIu64 " last_error=%s",
		 ph[m->phase], m->nrooms, m->njobs, (now - m->last_advance) / 1000,
		 m->stats.syncs_ok, m->stats.sends_ok, m->last_error[0] ? m->last_error : "-");
}

void mxsync_get_stats(const struct mxsync *m, struct mxsync_stats *out)
{
	*out = m->stats;
}
