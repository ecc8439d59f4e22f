/* SPDX-License-Identifier: MIT */
/* commands.h — the bath pass's subcommands (cli.c), listed in service.c. */
#ifndef MIMAMORI_BATHPASS_COMMANDS_H
#define MIMAMORI_BATHPASS_COMMANDS_H

/* `mimamori import residents|approve …`. Returns the exit status. */
int bathpass_cmd_import(int argc, char **argv);
/* `mimamori bathpass staff|places …`. Returns the exit status. */
int bathpass_cmd_bathpass(int argc, char **argv);

#endif
