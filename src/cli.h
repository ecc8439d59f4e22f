/* SPDX-License-Identifier: MIT */
/* cli.h — the small helpers every subcommand shares, and the platform's own `demo` and
 * `migrate-store` (each service's subcommands are in its own table, struct service). */
#ifndef MIMAMORI_CLI_H
#define MIMAMORI_CLI_H

struct app;
struct option;

/* `mimamori demo`: the fictional ward, each service's generator in turn (src/app/demo.c).
 * Returns the exit status. */
int cmd_demo(int argc, char **argv);
/* `mimamori migrate-store --from DIR --to URL`: the ward of DIR (SQLite) copied into an empty
 * PostgreSQL database, checked, and DIR's [store] url set to it (src/app/migrate_store.c).
 * Returns the exit status. */
int cmd_migrate_store(int argc, char **argv);
/* `mimamori council items|staff|check`: the privacy council's item lists, the designated
 * handlers and the check of the schema's annotations (src/app/council_cli.c). Returns the exit
 * status. */
int cmd_council(int argc, char **argv);

/* `mimamori user totp-reset --data DIR --login L`: removes an administrator's authenticator
 * and recovery codes (a lost phone), audited (src/user_account_cli.c). Returns the exit status. */
int cmd_user_totp_reset(int argc, char **argv);
/* `mimamori user retire --data DIR --login L`: retires an account for good (its login and
 * password gone, the row kept), audited (src/user_account_cli.c). Returns the exit status. */
int cmd_user_retire(int argc, char **argv);
/* `mimamori backup --data DIR [--out FILE]`, `mimamori restore --data NEWDIR --key KEY FILE`
 * and `mimamori erase --data DIR --service NAME --login L --password-stdin`: backups and erasure
 * at a contract's end (src/app/lifecycle_cli.c). Each returns the exit status. */
int cmd_backup(int argc, char **argv);
int cmd_restore(int argc, char **argv);
int cmd_erase(int argc, char **argv);

/* Prints "mimamori: <msg>" to stderr and returns 2 (bad usage) — for `return cli_fail(...)`. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* getopt_long for a subcommand's long options (opts ending with {0}): returns the next option's
 * val, -1 at the end, or '?' after a Japanese line on stderr naming what was wrong (an option
 * the command does not have, a missing value, a value for an option that takes none); the
 * caller then prints its usage. */
int cli_getopt(int argc, char **argv, const struct option *opts);
/* Reads s as a whole decimal number from min to max into *out: 0, or -1 ("abc", "5x", "",
 * out of range) for the caller's one-line message. */
int cli_number(const char *s, long min, long max, long *out);
/* When argv[1] is verb, moves argc/argv past it, readies getopt for the verb's options and
 * returns 1; otherwise returns 0 (the caller prints its usage). */
int cli_verb(int *argc, char ***argv, const char *verb);
/* Opens the data directory or prints why not; returns NULL on failure. */
struct app *cli_open(const char *dir, int pool);

#endif
