/* main.c: the command line. It picks a mode (ask, console, check-config or the
 * service), loads config and facts, and hands over; it holds no logic of its own
 * beyond that. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "build_config.h"
#include "core/engine.h"
#include "core/facts.h"
#include "core/host.h"
#include "daemon/app.h"
#include "daemon/config.h"
#include "daemon/console.h"
#include "util/clock.h"
#include "util/date.h"
#include "util/log.h"

static const char usage_text[] =
	"Usage: scobot [OPTION]...\n"
	"Answers questions about the SCO Secretariat on Discord, on Matrix, or here.\n"
	"\n"
	"Modes (the default runs the platforms configured in the config file, or the\n"
	"console when none is):\n"
	"  -a, --ask TEXT       print the answer to TEXT and exit\n"
	"                       (0 answered, 1 not sure or unknown, 2 usage error)\n"
	"      --console        interactive prompt; reads one question per line from a pipe\n"
	"      --check-config   validate the config and the facts, then exit\n"
	"                       (0 valid, 6 config or facts invalid)\n"
	"      --check-facts    validate the facts (schema, term dates without overlap or\n"
	"                       gap, two independent sources for each office change, terms\n"
	"                       within the rules, names in three languages), then exit\n"
	"                       (0 valid, 6 invalid, with file:line)\n"
	"\n"
	"Options:\n"
	"  -c, --config FILE    config file (default " SCOBOT_SYSCONFDIR "/scobot.conf if it exists)\n"
	"  -f, --facts DIR      load the facts from DIR instead of the built-in ones\n"
	"  -l, --lang LANG      answer in en, ru or zh (default: the question's language)\n"
	"      --today DATE     take DATE (YYYY-MM-DD) as today instead of the system clock,\n"
	"                       for \"now\", \"current\", \"next\" and the ages in answers\n"
	"      --shard-ids N-M  run only these Discord shards, e.g. 0-3 (overrides\n"
	"                       [discord] shard_ids; $SCOBOT_SHARD_IDS does the same)\n"
	"      --state-dir DIR  keep state in DIR (overrides [general] state_dir)\n"
	"  -V, --version        print the version and exit\n"
	"  -h, --help           print this help and exit\n"
	"\n"
	"Exit statuses of the service, as systemd names them: 1 FAILURE could not start,\n"
	"2 INVALIDARGUMENT bad command line, 4 NOPERMISSION Discord or Matrix refused\n"
	"the token, 6 NOTCONFIGURED config, credentials, state dir or facts invalid.\n"
	"See scobot(8) and scobot.conf(5).\n";

enum mode { MODE_RUN, MODE_ASK, MODE_CONSOLE, MODE_CHECK, MODE_CHECK_FACTS };

struct options {
	enum mode mode;
	const char *ask;
	const char *config;
	const char *facts;
	const char *shard_ids;
	const char *state_dir;
	enum lang lang;
	int32_t today; /* days since 1970-01-01, or CLOCK_TODAY_LIVE */
};

static int parse_options(int argc, char **argv, struct options *o)
{
	enum { OPT_CONSOLE = 256, OPT_CHECK, OPT_CHECK_FACTS, OPT_SHARDS, OPT_STATE, OPT_TODAY };
	static const struct option longopts[] = {
		{"ask", required_argument, NULL, 'a'},
		{"console", no_argument, NULL, OPT_CONSOLE},
		{"check-config", no_argument, NULL, OPT_CHECK},
		{"check-facts", no_argument, NULL, OPT_CHECK_FACTS},
		{"today", required_argument, NULL, OPT_TODAY},
		{"config", required_argument, NULL, 'c'},
		{"facts", required_argument, NULL, 'f'},
		{"lang", required_argument, NULL, 'l'},
		{"shard-ids", required_argument, NULL, OPT_SHARDS},
		{"state-dir", required_argument, NULL, OPT_STATE},
		{"version", no_argument, NULL, 'V'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c, modes = 0;
	*o = (struct options){.mode = MODE_RUN, .lang = LANG_NONE, .today = CLOCK_TODAY_LIVE};
	/* The environment form suits a unit's Environment= line; the option wins. */
	const char *env_shards = getenv("SCOBOT_SHARD_IDS");
	if (env_shards && *env_shards)
		o->shard_ids = env_shards;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":a:c:f:l:Vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'a':
			o->mode = MODE_ASK;
			o->ask = optarg;
			modes++;
			break;
		case OPT_CONSOLE:
			o->mode = MODE_CONSOLE;
			modes++;
			break;
		case OPT_CHECK:
			o->mode = MODE_CHECK;
			modes++;
			break;
		case OPT_CHECK_FACTS:
			o->mode = MODE_CHECK_FACTS;
			modes++;
			break;
		case OPT_TODAY: {
			struct pdate d;
			if (date_parse(optarg, strlen(optarg), &d) < 0 || d.prec != DATE_DAY ||
			    d.y < 1900 || d.y > 2100) {
				log_cli_error("--today takes a date as YYYY-MM-DD (1900-2100)");
				return -1;
			}
			o->today = d.first;
			break;
		}
		case 'c':
			o->config = optarg;
			break;
		case 'f':
			o->facts = optarg;
			break;
		case OPT_SHARDS:
			o->shard_ids = optarg;
			break;
		case OPT_STATE:
			o->state_dir = optarg;
			break;
		case 'l':
			o->lang = lang_parse(optarg);
			if (o->lang == LANG_NONE) {
				log_cli_error("--lang takes en, ru or zh (got %zu bytes)",
				        strlen(optarg));
				return -1;
			}
			break;
		case 'V':
			printf("scobot %s\n", SCOBOT_VERSION);
			exit(SCOBOT_EXIT_OK);
		case 'h':
			fputs(usage_text, stdout);
			exit(SCOBOT_EXIT_OK);
		case ':':
			log_cli_error("option '%s' needs a value", argv[optind - 1]);
			return -1;
		default:
			log_cli_error("unknown option '%s'", argv[optind - 1]);
			return -1;
		}
	}
	if (optind < argc) {
		log_cli_error("unexpected argument '%s' (did you mean --ask?)", argv[optind]);
		return -1;
	}
	if (modes > 1) {
		log_cli_error("--ask, --console, --check-config and --check-facts exclude "
		                "each other");
		return -1;
	}
	return 0;
}

/* Loads the config named on the command line, or the default one if present,
 * then applies the command-line overrides. *ret_path is the file read (what
 * SIGHUP re-reads), or NULL when the defaults were used. */
static int load_config(const struct options *o, struct config **ret, const char **ret_path)
{
	char err[CONFIG_ERR_SIZE];
	const char *path = o->config ? o->config : SCOBOT_SYSCONFDIR "/scobot.conf";
	struct config *cfg;
	int r = config_load(path, &cfg, err, sizeof(err));
	if (r == -ENOENT && !o->config) {
		cfg = config_default();
		path = NULL;
	} else if (r < 0) {
		log_cli_error("%s", err);
		return r;
	}
	if ((o->shard_ids && config_override(cfg, "discord", "shard_ids", o->shard_ids, err,
	                                     sizeof(err)) < 0) ||
	    (o->state_dir && config_override(cfg, "general", "state_dir", o->state_dir, err,
	                                     sizeof(err)) < 0)) {
		log_cli_error("command line: %s", err);
		config_free(cfg);
		return -EINVAL;
	}
	*ret = cfg;
	*ret_path = path;
	return 0;
}

static int load_facts(const char *dir, struct facts **ret)
{
	struct facts_error fe;
	char msg[512];
	int r = dir && *dir ? facts_load_dir(dir, ret, &fe) : facts_load_embedded(ret, &fe);
	if (r < 0) {
		facts_error_format(&fe, msg, sizeof(msg));
		log_cli_error("facts%s%s: %s", dir && *dir ? " in " : "",
		        dir && *dir ? dir : "", msg);
	}
	return r;
}

static int ask(const struct engine *e, const struct config *cfg, const struct options *o)
{
	struct answer *a = malloc(sizeof(*a));
	char out[8192];
	if (!a)
		return SCOBOT_EXIT_RUNTIME;
	const char *text = o->ask;
	size_t len = strlen(text), rest;
	/* People paste what they would type in chat; the prefix is optional. */
	if (engine_strip_prefix(cfg->general.prefix, text, len, &rest)) {
		text += rest;
		len -= rest;
	}
	struct engine_query q = {text, len, o->lang, LANG_NONE, cfg->general.prefix,
	                         clock_today_or(o->today)};
	engine_answer(e, &q, a);
	answer_render(a, RENDER_PLAIN, out, sizeof(out));
	puts(out);
	int status = a->status == ANSWER_OK || a->status == ANSWER_IGNORED ? SCOBOT_EXIT_OK :
		     SCOBOT_EXIT_NOT_ANSWERED;
	free(a);
	return status;
}

int main(int argc, char **argv)
{
	struct options o;
	struct config *cfg = NULL;
	struct facts *facts = NULL;
	struct engine *engine = NULL;
	const char *config_path = NULL;
	int status;

	if (parse_options(argc, argv, &o) < 0) {
		fprintf(stderr, "Try 'scobot --help'.\n");
		return SCOBOT_EXIT_USAGE;
	}
	log_init(LOG_LVL_INFO);
	if (load_config(&o, &cfg, &config_path) < 0)
		return SCOBOT_EXIT_CONFIG;
	log_set_level((enum log_level)cfg->log.level);
	const char *facts_dir = o.facts ? o.facts : cfg->general.facts_dir;
	if (load_facts(facts_dir, &facts) < 0) {
		config_free(cfg);
		return SCOBOT_EXIT_FACTS;
	}

	switch (o.mode) {
	case MODE_CHECK:
		printf("config: ok (%s)\nfacts: ok (%zu facts, %zu Secretaries-General, %zu attendees, from %s)\n",
		       o.config ? o.config : "defaults or " SCOBOT_SYSCONFDIR "/scobot.conf",
		       facts->n_facts, facts->n_sgs, facts->n_attendees,
		       facts_dir && *facts_dir ? facts_dir : "the built-in table");
		status = SCOBOT_EXIT_OK;
		break;
	case MODE_CHECK_FACTS: {
		/* The loader applies every rule; what it accepts is what a reload
		 * (SIGHUP) accepts, so a check that passes here cannot fail there. */
		const struct fact_sg *last = &facts->sgs[facts->n_sgs - 1];
		char end[16] = "open";
		if (last->last_year)
			snprintf(end, sizeof(end), "%d", last->last_year);
		printf("facts: ok (%zu facts, %zu sources, %zu Secretary-General terms, the last "
		       "%s %d-%s; from %s)\n", facts->n_facts, facts->n_sources, facts->n_sgs,
		       last->person->id, last->first_year, end,
		       facts_dir && *facts_dir ? facts_dir : "the built-in table");
		status = SCOBOT_EXIT_OK;
		break;
	}
	case MODE_ASK:
		engine = engine_new(facts);
		status = ask(engine, cfg, &o);
		break;
	case MODE_CONSOLE:
		engine = engine_new(facts);
		status = console_run(engine, cfg->general.prefix, o.lang, o.today, stdin, stdout);
		break;
	case MODE_RUN:
	default:
		if (!app_has_platforms(cfg) && getenv("NOTIFY_SOCKET")) {
			/* Under a service manager a console would read /dev/null and
			 * exit at once: say what is missing instead. */
			log_cli_error("the config enables no platform: add a [discord] or "
			                "[matrix] section (see scobot.conf(5))");
			status = SCOBOT_EXIT_CONFIG;
			break;
		}
		if (!app_has_platforms(cfg)) {
			engine = engine_new(facts);
			status = console_run(engine, cfg->general.prefix, o.lang, o.today, stdin, stdout);
			break;
		}
		/* The service owns config and facts from here on (reloads swap them). */
		status = app_run(cfg, facts, config_path, o.facts, o.today);
		cfg = NULL;
		facts = NULL;
		break;
	}
	engine_free(engine);
	facts_free(facts);
	config_free(cfg);
	return status;
}
