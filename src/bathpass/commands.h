/* SPDX-License-Identifier: MIT */
/* commands.h — the bath pass's subcommands (cli.c), listed in service.c. */
#ifndef MIMAMORI_BATHPASS_COMMANDS_H
#define MIMAMORI_BATHPASS_COMMANDS_H
#include <stdint.h>

/* `mimamori import residents|approve …`. Returns the exit status. */
int bathpass_cmd_import(int argc, char **argv);
/* `mimamori bathpass staff|places …`. Returns the exit status. */
int bathpass_cmd_bathpass(int argc, char **argv);

/* `mimamori bathpass mailing …` (cli_mailing.c): the March mailing and its letters. Returns
 * the exit status. */
int bathpass_cmd_mailing(int argc, char **argv);

struct app;
/* Returns the id of the enabled head-office (bath_office) account login, or 0 after saying
 * on stderr why there is none (cli.c). */
int64_t bath_cli_office_user(struct app *a, const char *login);

#endif
