/* host.h: what a platform adapter (Discord, Matrix, the console) may ask of the
 * bot that hosts it. The daemon fills this in; adapters never include daemon
 * headers, so they can be tested with a host made of a few lines of test code. */
#ifndef SCOBOT_CORE_HOST_H
#define SCOBOT_CORE_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/answer.h"
#include "core/lang.h"

/* Exit statuses, stated once, as the numbers systemd names (systemd.exec(5),
 * "Process Exit Codes"), so `systemctl status` says what went wrong:
 * "status=6/NOTCONFIGURED" for a bad config, "4/NOPERMISSION" for a refused
 * token. The unit's RestartPreventExitStatus= lists the ones no restart can
 * fix, so a bad token never becomes a restart loop. --ask reuses 1 for "not
 * sure", as grep does for "no match": it never runs as a service. */
enum scobot_exit {
	SCOBOT_EXIT_OK = 0,
	SCOBOT_EXIT_NOT_ANSWERED = 1, /* --ask: not sure, or an unknown command */
	SCOBOT_EXIT_RUNTIME = 1,      /* FAILURE: could not start (loop, listener); systemd may retry */
	SCOBOT_EXIT_USAGE = 2,        /* INVALIDARGUMENT: bad command line */
	SCOBOT_EXIT_DISCORD_AUTH = 4, /* NOPERMISSION: Discord refused the token or intents (4004, 4010-4014) */
	SCOBOT_EXIT_MATRIX_AUTH = 4,  /* NOPERMISSION: Matrix refused the token (M_UNKNOWN_TOKEN) */
	SCOBOT_EXIT_CONFIG = 6,       /* NOTCONFIGURED: invalid configuration, credentials file or state dir */
	SCOBOT_EXIT_FACTS = 6,        /* NOTCONFIGURED: invalid fact files */
};

struct respond_request {
	const char *platform;  /* "discord", "matrix", "console" */
	const char *room;      /* channel or room id; NULL for none */
	const char *user;      /* author id, for cooldowns and logs */
	const char *text;      /* command text with the prefix removed, or a question */
	size_t len;
	enum lang lang;        /* forced (a slash command's locale), else LANG_NONE */
	int64_t received_ms;   /* monotonic ms the event arrived (util/clock.h); 0 unknown */
};

/* Counts of failed HTTP requests by status, in a small fixed array so an
 * adapter's statistics stay constant in size. status 0 is a request that got
 * no response (network error, timeout); status -1 collects whatever does not
 * fit in the slots. */
#define HOST_STATUS_SLOTS 8
struct host_status_count {
	int status;
	uint64_t count;        /* 0: an unused slot */
};

static inline void host_status_count_add(struct host_status_count slots[HOST_STATUS_SLOTS],
                                         int status)
{
	for (size_t i = 0; i + 1 < HOST_STATUS_SLOTS; i++) {
		if (slots[i].count == 0)
			slots[i].status = status;
		if (slots[i].status == status) {
			slots[i].count++;
			return;
		}
	}
	slots[HOST_STATUS_SLOTS - 1].status = -1;
	slots[HOST_STATUS_SLOTS - 1].count++;
}

struct adapter_host {
	void *ctx;
	/* Runs the engine on the current fact table with the room's language, and
	 * carries out `lang` (stores the room default). Never fails. */
	void (*respond)(void *ctx, const struct respond_request *req, struct answer *out);
	/* A fatal, non-retryable condition (bad token, disallowed intents): the
	 * process exits with exit_status after a clean shutdown. */
	void (*fatal)(void *ctx, const char *platform, int exit_status, const char *message);
	/* Connected and able to answer (Discord READY/RESUMED, first Matrix sync). */
	void (*ready)(void *ctx, const char *platform);
	/* Evidence of life: a heartbeat ACK, a sync that advanced. Feeds the watchdog. */
	void (*progress)(void *ctx, const char *platform);
	/* The connection dropped (a gateway shard closed, a sync failed without a
	 * response); ready follows once it is back. reason is a short word for
	 * /healthz ("drop", "zombie", "timeout", ...). */
	void (*lost)(void *ctx, const char *platform, const char *reason);
	/* A reply's HTTP request completed (http_status 0: no response), for the
	 * event that arrived at received_ms (respond_request.received_ms), so
	 * the latency from arrival to the reply being sent can be measured. */
	void (*sent)(void *ctx, const char *platform, int64_t received_ms, int http_status);
	/* Every callback but respond may be NULL (test drivers need few). */
};

#endif
