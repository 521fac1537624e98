/* sync.c: owns the Matrix adapter's /sync loop: the long-poll lane, the
 * pipeline of batches whose replies are in flight, when the resume point is
 * committed and saved, and the life cycle; what a batch means is bot.c's and
 * the serial requests are oplane.c's. It must not do I/O or read a clock (see
 * sync.h for the crash-safety argument). */
#include "matrix/sync.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "matrix/codec.h"
#include "matrix/state.h"
#include "matrix/sync_impl.h"
#include "util/log.h"
#include "util/xalloc.h"

#define SYNC_SERVER_TIMEOUT_MS 30000     /* ?timeout= for the long-poll, ms */
#define SYNC_CLIENT_TIMEOUT_MS 45000     /* whole transfer, ms: server timeout + 15 s */
#define FIRST_SYNC_TIMEOUT_MS 120000     /* an initial sync may be large, ms */
#define SYNC_MAX_BYTES (8u << 20)        /* sync response body, bytes */
#define BACKOFF_BASE_MS 500              /* first retry delay, ms */
#define BACKOFF_CAP_MS 30000             /* longest retry delay, ms */
#define RETRY_AFTER_CAP_MS 600000        /* longest rate-limit wait honoured, ms */
#define SYNC_LOST_AFTER 3                /* failed syncs in a row that count as lost */
#define SAVE_INTERVAL_MS 250             /* at most one state fsync per this, ms */
#define SYNC_REFUSALS 3                  /* 4xx on /sync before repairing, count */

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
int64_t mxsync_backoff_ms(struct mxsync *m, int fails)
{
	int64_t d = BACKOFF_BASE_MS;
	for (int i = 1; i < fails && d < BACKOFF_CAP_MS; i++)
		d *= 2;
	if (d > BACKOFF_CAP_MS)
		d = BACKOFF_CAP_MS;
	return d / 2 + (int64_t)(rng_next(m) % (uint64_t)(d / 2 + 1));
}

void mxsync_set_error(struct mxsync *m, const char *what)
{
	snprintf(m->last_error, sizeof(m->last_error), "%s", what);
}

/* The wait a 429 asks for: the Retry-After header (seconds) or retry_after_ms
 * (CS: Rate limiting; the body field is deprecated since v1.10), the longer of
 * the two; -1 when neither is usable. */
int64_t mxsync_retry_after_ms(const struct mxsync_response *r, int64_t body_ms)
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

void mxsync_save_state(struct mxsync *m)
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
		mxsync_save_state(m);
		m->dirty = false;
		m->last_save = now;
	} else {
		m->save_due = m->last_save + SAVE_INTERVAL_MS;
	}
}

/* Batches at the head whose replies were all sent (or given up) become the
 * resume point, in order; a full pipeline may then sync again. */
void mxsync_commit_batches(struct mxsync *m, int64_t now)
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

void mxsync_fatal(struct mxsync *m, int status, const char *msg)
{
	log_error("matrix: fatal", "reason=\"%s\"", msg);
	mxsync_set_error(m, msg);
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


static void queue_send(struct mxsync *m, const char *room, char kind, const char *seed,
		       const char *trigger, char *body, int64_t received_ms)
{
	if (m->jobs.n >= MAX_JOBS) {
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
	jobs_push(&m->jobs, j, false);
}

/* The count of jobs batch `seq` waits for, or NULL when it is committed. */
size_t *mxsync_batch_pending(struct mxsync *m, uint64_t seq)
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
void mxsync_queue_backfill(struct mxsync *m, const char *room, const char *from, const char *to,
			   int page, uint64_t batch)
{
	if (m->jobs.n >= MAX_JOBS) {
		log_error("matrix: job queue full, not fetching a sync gap", "room=%s max=%d", room,
			  MAX_JOBS);
		return;
	}
	struct job *j = job_new(JOB_BACKFILL);
	j->room_id = xstrdup(room);
	j->from = xstrdup(from);
	j->to = xstrdup(to);
	j->page = page;
	size_t *pending = mxsync_batch_pending(m, batch);
	if (pending) {
		j->batch = batch;
		(*pending)++;
	}
	jobs_push(&m->jobs, j, false);
}


/* ---- the bot's actions become jobs ---------------------------------------- */

static bool sink_queued(void *ctx, enum mxbot_act kind, const char *room, const char *trigger)
{
	struct mxsync *m = ctx;
	return jobs_queued(&m->jobs, kind == MXBOT_JOIN ? JOB_JOIN : JOB_SEND, room, trigger);
}

static void sink_act(void *ctx, struct mxbot_action *a)
{
	struct mxsync *m = ctx;
	switch (a->kind) {
	case MXBOT_SEND:
		queue_send(m, a->room, a->txn_kind, a->txn_seed, a->trigger, a->body, a->received_ms);
		a->body = NULL;
		break;
	case MXBOT_JOIN: {
		struct job *j = job_new(JOB_JOIN);
		j->room_id = xstrdup(a->room);
		if (m->jobs.n < MAX_JOBS)
			jobs_push(&m->jobs, j, false);
		else
			job_free(j);
		break;
	}
	case MXBOT_BACKFILL:
		mxsync_queue_backfill(m, a->room, a->from, m->batch_from, 1,
				      m->batches[m->nbatches - 1].seq);
		break;
	}
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
		m->sync_not_before = now + mxsync_backoff_ms(m, m->sync_fails);
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
		wait = mxsync_backoff_ms(m, m->sync_fails);
	log_warn("matrix: sync failed, retrying", "reason=%s retry_ms=%" PRId64 " failures=%d",
		 why, wait, m->sync_fails);
	mxsync_set_error(m, why);
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
		jobs_push(&m->jobs, job_new(JOB_FILTER), true);
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
		mxsync_save_state(m);
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
			oplane_token_rejected(m, "sync");
			return;
		}
		snprintf(why, sizeof(why), "http_%d%s%s", r->status, *ec ? "_" : "", ec);
		if (r->status == 429) {
			m->stats.rate_limited++;
			sync_failed(m, now, mxsync_retry_after_ms(r, ra), why);
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
	struct mxbot_batch batch = {.now = now, .wall_ms = r->wall_ms, .first_sync = m->first_sync,
				    .backlog = backlog, .can_backfill = m->batch_from != NULL,
				    .not_before_ts = m->not_before_ts};
	mxbot_on_batch(m->bot, s, &batch, &m->sink);
	mx_sync_free(s);
	if (m->first_sync)
		log_info("matrix: first sync, backlog skipped");
	m->first_sync = false;
	if (!m->ready_sent) {
		m->ready_sent = true;
		log_notice("matrix: connected", "user=%s rooms=%zu", m->me,
			   mxbot_room_count(m->bot));
		if (m->host->ready)
			m->host->ready(m->host->ctx, "matrix");
	}
	if (m->host->progress)
		m->host->progress(m->host->ctx, "matrix");
	m->sync = m->nbatches < MAX_BATCHES ? SL_IDLE : SL_WAIT_SENDS;
	m->sync_not_before = now;
	mxsync_commit_batches(m, now);
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
	m->token_origin = dup_or(cfg->token_origin, "config");
	m->start_wall_ms = cfg->start_wall_ms;
	m->password = dup_or(cfg->password, NULL);
	m->device_id = dup_or(cfg->device_id, "SCOBOT");
	size_t n = strlen(cfg->state_dir) + 32;
	m->state_path = xmalloc(n);
	snprintf(m->state_path, n, "%s/matrix-state.json", cfg->state_dir);
	m->stall_alarm_ms = cfg->stall_alarm_ms > 0 ? cfg->stall_alarm_ms : 10 * 60 * 1000;
	struct mxbot_config bc = {
		.prefix = cfg->prefix, .auto_join = cfg->auto_join, .n_auto_join = cfg->n_auto_join,
		.encrypted_room_notice = cfg->encrypted_room_notice,
		.encrypted_notice_text = cfg->encrypted_notice_text,
		.cooldown_count = cfg->cooldown_count, .cooldown_window_ms = cfg->cooldown_window_ms,
		.cooldown_room_count = cfg->cooldown_room_count, .host = host,
	};
	m->bot = mxbot_new(&bc, &m->st);
	m->sink = (struct mxbot_sink){.ctx = m, .queued = sink_queued, .act = sink_act};
	m->filter_json = mx_build_filter(cfg->timeline_limit > 0 ? cfg->timeline_limit : 50,
	                                 cfg->user_id);
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
	/* From scratch, the first sync lists every joined room itself; resumed,
	 * it lists only rooms with news, so whoami is followed by /joined_rooms. */
	m->rooms_restored = m->first_sync;
	/* With no resume point, everything sent before this start is history. A
	 * homeserver may still serve an earlier run's syncs from its response cache
	 * (Synapse keeps them two minutes, keyed by user, device, since, timeout and
	 * filter): walking those must not answer the old commands a second time. */
	m->not_before_ts = m->first_sync ? m->start_wall_ms : 0;
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
		jobs_push(&m->jobs, l, false);
	} else {
		mxsync_fatal(m, MATRIX_EXIT_AUTH, "no access_token, stored token or password");
		return;
	}
	/* API: whoami.yaml -- checks the token before anything else. */
	jobs_push(&m->jobs, job_new(JOB_WHOAMI), false);
	log_info("matrix: starting", "state=%s first_start=%s token=%s", m->state_path,
		 m->first_sync ? "yes" : "no",
		 m->token_src == TOK_CONFIG ? m->token_origin :
		 m->token_src == TOK_STORED ? "stored" : "login");
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
	while ((j = jobs_pop(&m->jobs)))
		job_free(j);
	mxbot_free(m->bot);
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
	free(m->filter_json);
	free(m->token_origin);
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
		oplane_on_response(m, r, now);
	/* Anything else is a stale response: ignore it. */
	mxsync_tick(m, now);
}

void mxsync_tick(struct mxsync *m, int64_t now)
{
	if (m->phase == PH_DEAD || m->phase == PH_INIT)
		return;
	if (m->op_id == 0 && now >= m->op_not_before) {
		struct job *j = jobs_ready(&m->jobs, m->phase != PH_RUNNING, now, NULL);
		if (j)
			oplane_start(m, j, now);
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
		/* now < 0: only compute the earliest */
		jobs_ready(&m->jobs, m->phase != PH_RUNNING, -1, &earliest);
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
		 ph[m->phase], mxbot_room_count(m->bot), m->jobs.n, (now - m->last_advance) / 1000,
		 m->stats.syncs_ok, m->stats.sends_ok, m->last_error[0] ? m->last_error : "-");
}

void mxsync_get_stats(const struct mxsync *m, struct mxsync_stats *out)
{
	struct mxbot_stats bs;
	mxbot_get_stats(m->bot, &bs);
	*out = m->stats;
	out->ignored_invites = bs.ignored_invites;
	out->gaps = bs.gaps;
	out->newest_event_ts = bs.newest_event_ts;
}

