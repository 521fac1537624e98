/* commands.h: the command table. Help, usage, suggestions and the Discord slash
 * command manifest are all derived from it, so a command is added in one place. */
#ifndef SCOBOT_CORE_COMMANDS_H
#define SCOBOT_CORE_COMMANDS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/lang.h"

struct command_arg {
	const char *name;        /* "query", "year", "words", "id", "command", "language" */
	struct l10n label;       /* localised option name for slash commands */
	struct l10n description; /* <= 100 characters (Discord's limit) */
	bool required;
	bool autocomplete;       /* Discord autocomplete (the sg argument) */
};

struct command_info {
	const char *name;              /* canonical ASCII name: "sg" */
	struct l10n label;             /* localised command word: "генсек", "秘书长" */
	const char *const *aliases;    /* every word that invokes it, any language */
	struct l10n usage;             /* argument part of the usage line: "[year | country | name]" */
	struct l10n summary;           /* one line for help, <= 100 characters */
	const struct command_arg *arg; /* NULL when the command takes none */
	bool hidden_from_slash;        /* e.g. `sgs` shares the `sg` subcommand */
};

const struct command_info *commands_list(size_t *ret_n);
const struct command_info *commands_find(const char *name);

#endif
