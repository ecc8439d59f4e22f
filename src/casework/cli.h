/* SPDX-License-Identifier: MIT */
/* cli.h — the casework layer's command-line side, the same for every casework service and
 * parameterised by its struct casework_kind (cli_handover.c). */
#ifndef MIMAMORI_CASEWORK_CLI_H
#define MIMAMORI_CASEWORK_CLI_H
#include "auth/role.h"
#include "casework/casework.h"

struct app;

/* Returns 1 with the id and role of the active account login when it is one of k's workers or
 * its supervisor, else 0. */
int casework_cli_account(struct store_conn *c, const struct casework_kind *k, const char *login,
			 int64_t *id, enum role *role);
/* Opens case number as account login with reason (as on the web: the rule, the reason of the
 * day, the audit), seals its handover file with a passphrase read from standard input, records
 * it in the handover ledger and writes it to out. what ("ケース") and accounts ("担当または
 * スーパーバイザー") word the not-found message. Returns the exit status (0, or 1 with a
 * one-line message). */
int casework_cli_handover(const struct casework_kind *k, struct app *a, const char *login,
			  const char *number, const char *reason, const char *out, const char *what,
			  const char *accounts);

#endif
