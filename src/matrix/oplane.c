/* oplane.c: owns the Matrix adapter's serial lane: it starts one queued job
 * at a time (login, whoami, filter, join, send, backfill) and decides what
 * its response means: retry, give up, log in again, record a reply as sent;
 * like sync.c it does no I/O and reads no clock. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "matrix/codec.h"
#include "matrix/sync_impl.h"
#include "util/log.h"
#include "util/xalloc.h"

#define OP_TIMEOUT_MS 30000              /* login/whoami/filter/join/send, ms */
#define OP_MAX_BYTES (64u << 10)         /* any other response body, bytes */
#define ROOMS_MAX_BYTES (MXBOT_MAX_ROOMS * (MX_ID_MAX + 4u) + 64u) /* /joined_rooms body, bytes */
#define BACKFILL_PAGE 50                 /* events per /messages request, count */
#define BACKFILL_PAGES 4                 /* pages fetched per sync gap, count */
#define BACKFILL_MAX_ATTEMPTS 5          /* tries per page before giving up */
#define SEND_MAX_ATTEMPTS 10             /* answered failures per send before giving up ... */
#define SEND_GIVEUP_MS (10 * 60 * 1000)  /* ... and only once its first try is this old, ms */
#define JOIN_MAX_ATTEMPTS 6              /* tries per join (invite races) */

/* A 401 M_UNKNOWN_TOKEN (CS: Using access tokens). A token we logged in for can
 * be replaced by logging in again; a configured one cannot. */
void oplane_token_rejected(struct mxsync *m, const char *where)
{
	log_warn("matrix: access token rejected", "during=%s errcode=M_UNKNOWN_TOKEN", where);
	if (m->token_src == TOK_CONFIG || !m->password) {
		mxsync_fatal(m, MATRIX_EXIT_AUTH,
		      "the homeserver rejected the access token (M_UNKNOWN_TOKEN); "
		      "set a valid access_token or a password");
		return;
	}
	free(m->token);
	m->token = NULL;
	mx_state_set(&m->st.access_token, NULL);
	mxsync_save_state(m);
	m->phase = PH_AUTH;
	if (!jobs_queued(&m->jobs, JOB_LOGIN, NULL, NULL)) {
		struct job *w = job_new(JOB_WHOAMI);
		jobs_push(&m->jobs, w, true);
		struct job *l = job_new(JOB_LOGIN);
		l->body = mx_build_login(m->user_id, m->password, m->device_id);
		jobs_push(&m->jobs, l, true);
	}
}

void oplane_start(struct mxsync *m, struct job *j, int64_t now)
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
	case JOB_ROOMS:
		/* API: list_joined_rooms.yaml */
		path = xstrdup(API "/joined_rooms");
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
				   j->kind == JOB_ROOMS ? ROOMS_MAX_BYTES : OP_MAX_BYTES);
	free(path);
	free(a);
	free(b);
	if (id < 0) {
		/* Nothing went out (no memory, say): not a try the server answered.
		 * The job keeps its place and the lane waits, so that nothing behind
		 * it overtakes it (a whoami sent before its login has no token). */
		j->attempts--;
		m->op_fails++;
		m->op_not_before = now + mxsync_backoff_ms(m, m->op_fails);
		return;
	}
	m->op_id = id;
	m->op_job = j;
}

/* A job the batch waited for is finished for good: the batch may be done. */
static void batch_release(struct mxsync *m, uint64_t batch, int64_t now)
{
	size_t *pending = mxsync_batch_pending(m, batch);
	if (pending && *pending > 0) {
		(*pending)--;
		mxsync_commit_batches(m, now);
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

/* The token is good and names the user: upload the filter if it changed,
 * then sync. */
static void after_identity(struct mxsync *m, int64_t now)
{
	if (!m->st.filter_id || !m->st.filter_key ||
	    strcmp(m->st.filter_key, m->filter_json) != 0)
		jobs_push(&m->jobs, job_new(JOB_FILTER), true);
	else
		enter_running(m, now);
}

static void room_restored(void *ctx, const char *room_id)
{
	mxbot_joined(ctx, room_id);
}

/* A sync resumed from a stored token names only rooms with something new, so
 * the joined rooms come from /joined_rooms, asked before the first sync so
 * that no leave it reports can be undone by this older list. Not knowing
 * them only leaves the count low until the rooms speak: never fatal. */
static void on_rooms(struct mxsync *m, const struct mxsync_response *r, const char *ec)
{
	int n = r->status == 200 ? mx_joined_rooms_parse(r->body, r->body_len, MXBOT_MAX_ROOMS,
							 room_restored, m->bot) : -1;
	if (n >= 0)
		log_info("matrix: joined rooms restored", "rooms=%zu", mxbot_room_count(m->bot));
	else
		log_warn("matrix: cannot list the joined rooms, counting them as they speak",
			 "status=%d errcode=%s", r->status, *ec ? ec : "-");
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
		m->stats.backfilled += p->n_events;
		mxbot_on_backfill(m->bot, j->room_id, p->events, p->n_events, now, r->wall_ms,
				  &m->sink);
		/* A full page may have older events of the gap behind it. */
		if (p->end && p->n_events > 0 && j->page < BACKFILL_PAGES)
			mxsync_queue_backfill(m, j->room_id, p->end, j->to, j->page + 1, j->batch);
		else if (p->end && p->n_events > 0)
			log_warn("matrix: sync gap longer than scobot fetches, its oldest events "
				 "are not answered", "room=%s pages=%d", j->room_id, j->page);
		log_info("matrix: sync gap fetched", "room=%s page=%d events=%zu", j->room_id,
			 j->page, p->n_events);
		mx_messages_free(p);
	}
	batch_release(m, j->batch, now);
}

void oplane_on_response(struct mxsync *m, const struct mxsync_response *r, int64_t now)
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
		wait = mxsync_retry_after_ms(r, ra);
		snprintf(why, sizeof(why), "http_429_%s", *ec ? ec : "no_errcode");
	} else if (r->status >= 500 || (r->status != 200 && r->status < 400)) {
		retry = true;
		snprintf(why, sizeof(why), "http_%d", r->status);
	} else if (r->status == 401 && strcmp(ec, "M_UNKNOWN_TOKEN") == 0 &&
		   j->kind != JOB_LOGIN) {
		oplane_token_rejected(m, job_name(j));
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
			jobs_unlink(&m->jobs, j);
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
			wait = mxsync_backoff_ms(m, m->op_fails);
		if (!counts)
			j->attempts--;
		log_warn("matrix: request failed, retrying", "reason=%s retry_ms=%" PRId64, why, wait);
		mxsync_set_error(m, why);
		m->op_not_before = now + wait;
		return;
	}
	m->op_fails = 0;
	jobs_unlink(&m->jobs, j);
	char *v = NULL;
	switch (j->kind) {
	case JOB_LOGIN:
		if (r->status != 200) {
			/* 403 M_FORBIDDEN: wrong password (API: login.yaml). */
			char msg[160];
			snprintf(msg, sizeof(msg), "password login rejected (HTTP %d %s)", r->status, ec);
			job_free(j);
			mxsync_fatal(m, MATRIX_EXIT_AUTH, msg);
			return;
		}
		if (mx_parse_string_field(r->body, r->body_len, "access_token", 4096, &v) < 0) {
			/* The lane waits, not the job: the whoami behind it needs the token. */
			log_warn("matrix: login response without access_token, retrying");
			j->next = NULL;
			m->op_not_before = now + mxsync_backoff_ms(m, ++m->op_fails);
			jobs_push(&m->jobs, j, true);
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
		mxsync_save_state(m);
		log_notice("matrix: logged in with password", "user=%s", m->user_id);
		break;
	case JOB_WHOAMI:
		if (r->status != 200) {
			char msg[160];
			snprintf(msg, sizeof(msg), "whoami failed (HTTP %d %s)", r->status, ec);
			job_free(j);
			mxsync_fatal(m, MATRIX_EXIT_AUTH, msg);
			return;
		}
		if (mx_parse_string_field(r->body, r->body_len, "user_id", MX_ID_MAX, &v) < 0) {
			/* The lane waits: nothing queued may pass an unconfirmed token. */
			m->op_not_before = now + mxsync_backoff_ms(m, ++m->op_fails);
			jobs_push(&m->jobs, j, true);
			return;
		}
		if (m->user_id && strcmp(v, m->user_id) != 0) {
			char msg[160];
			snprintf(msg, sizeof(msg), "the token belongs to another user than user_id (%s)", v);
			free(v);
			job_free(j);
			mxsync_fatal(m, MATRIX_EXIT_AUTH, msg);
			return;
		}
		free(m->me);
		m->me = v;
		mxbot_set_me(m->bot, v);
		if (!m->rooms_restored) {
			m->rooms_restored = true;
			jobs_push(&m->jobs, job_new(JOB_ROOMS), true);
		} else {
			after_identity(m, now);
		}
		break;
	case JOB_ROOMS:
		on_rooms(m, r, ec);
		/* Unless a rejected token made whoami go on without it. */
		if (m->phase != PH_RUNNING)
			after_identity(m, now);
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
		mxsync_save_state(m);
		enter_running(m, now);
		break;
	case JOB_JOIN:
		if (r->status != 200) {
			/* An invite can arrive before the join is possible (synapse#4345). */
			if (j->attempts < JOIN_MAX_ATTEMPTS && (r->status == 403 || r->status == 404)) {
				j->not_before = now + mxsync_backoff_ms(m, j->attempts + 1);
				log_info("matrix: join refused, retrying", "room=%s status=%d attempt=%d",
					 j->room_id, r->status, j->attempts);
				jobs_push(&m->jobs, j, false);
				return;
			}
			log_warn("matrix: join failed", "room=%s status=%d errcode=%s", j->room_id,
				 r->status, ec);
			break;
		}
		m->stats.joins++;
		log_notice("matrix: joined room", "room=%s", j->room_id);
		mxbot_joined(m->bot, j->room_id);
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

