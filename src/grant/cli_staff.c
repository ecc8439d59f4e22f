/* SPDX-License-Identifier: MIT */
/* cli_staff.c — `mimamori <benefit> staff --data DIR --login L`: scopes an account of a grant
 * role to a benefit (grant_staff), audited; one command shape for every benefit. */
#include "grant/cli_staff.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>

#include "app.h"
#include "auth/audit.h"
#include "auth/role.h"
#include "cli.h"
#include "grant/path.h"
#include "store/store.h"

int grant_cmd_staff(int argc, char **argv, const char *service, const char *label_ja)
{
	const char *dir = NULL, *login = NULL;
	static const struct option opts[] = {
	    {"data", required_argument, 0, 'd'}, {"login", required_argument, 0, 'l'}, {0, 0, 0, 0}};
	int ch, status = 1;
	int64_t uid = 0;
	optind = 1;
	while ((ch = cli_getopt(argc, argv, opts)) != -1) {
		if (ch == 'd')
			dir = optarg;
		else if (ch == 'l')
			login = optarg;
		else
			return cli_fail("使い方: mimamori %s staff --data DIR --login L", service);
	}
	if (!dir || !login || optind != argc)
		return cli_fail("使い方: mimamori %s staff --data DIR --login L", service);
	struct app *a = cli_open(dir, 2);
	if (!a)
		return 1;
	struct store_conn *c = store_acquire(a->store);
	enum err e = store_begin(c);
	struct store_stmt *st =
	    e == ERR_OK ? store_prepare(c, "SELECT id, role FROM users WHERE login = ?1") : NULL;
	if (st) {
		store_bind_text(st, 1, login);
		if (store_step(st) == STORE_ROW &&
		    (role_parse(store_col_text(st, 1)) & ROLE_GRANT_USERS))
			uid = store_col_int(st, 0);
		store_finish(st);
	}
	if (!uid) {
		fprintf(stderr, "mimamori: 利用者 %s は助成の役割（grant_operator・grant_supervisor・"
				"grant_staff・grant_approver）ではありません\n",
			login);
		goto out;
	}
	e = grant_staff_set(c, uid, service);
	if (e == ERR_OK) {
		char object[32];
		snprintf(object, sizeof object, "user:%" PRId64, uid);
		e = audit_append(c, a->vault, "cli", "grant.staff", object, service);
	}
	if (e == ERR_OK)
		e = store_commit(c);
	if (e == ERR_OK) {
		printf("%s を%sの担当にしました\n", login, label_ja);
		status = 0;
	}
out:
	if (store_in_tx(c))
		store_rollback(c);
	store_release(c);
	app_close(a);
	return status;
}
