/* SPDX-License-Identifier: MIT */
/* cli.h — the subcommands' entry points and the small helpers they share. */
#ifndef MIMAMORI_CLI_H
#define MIMAMORI_CLI_H

struct app;

/* Each subcommand takes argc/argv starting at its own name and returns the exit status. */
int cmd_site(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_card(int argc, char **argv);
int cmd_kiosk(int argc, char **argv);
int cmd_demo(int argc, char **argv);
/* `simulate-day`: a whole ward's club day with injected time (simulate.c). Returns the exit
 * status. */
int cmd_simulate_day(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_ledger(int argc, char **argv);
/* `mail-in` (mail_in.c): exits 0 when the message was taken (recorded or dropped) and
 * EX_TEMPFAIL (75) when it could not be stored now, so that Postfix's pipe transport keeps it
 * and tries again. */
int cmd_mail_in(int argc, char **argv);

/* Prints "mimamori: <msg>" to stderr and returns 2 (bad usage) — for `return cli_fail(...)`. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* When argv[1] is verb, moves argc/argv past it, readies getopt for the verb's options and
 * returns 1; otherwise returns 0 (the caller prints its usage). */
int cli_verb(int *argc, char ***argv, const char *verb);
/* Opens the data directory or prints why not; returns NULL on failure. */
struct app *cli_open(const char *dir, int pool);

#endif
