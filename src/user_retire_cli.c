/* SPDX-License-Identifier: MIT */
/* user_retire_cli.c — `mimamori user retire --data DIR --login L`: retires an account for good
 * (アカウントの廃止, user_admin_retire) from the console, as the ward administrator's screen does.
 * Run by the operator; audited as "cli". */
#include <getopt.h>
#include <stdio.h>

#include "app.h"
#include "auth/totp_store.h"
#include "auth/user_admin.h"
#include "cli.h"

int cmd_user_retire(int argc, char **argv)
{
	const char *usage = "使い方: mimamori user retire --data DIR --login L";
	const char *dir = NULL, *login = NULL, *why = NULL;
	static const struct option opts[] = {
	    {"data", required_argument, 0, 'd'}, {"login", required_argument, 0, 'l'}, {0, 0, 0, 0}};
	if (!cli_verb(&argc, &argv, "retire"))
		return cli_fail("%s", usage);
	int ch;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'd': dir = optarg; break;
		case 'l': login = optarg; break;
		default: return cli_fail("%s", usage);
		}
	}
	if (!dir || !login || optind < argc)
		return cli_fail("%s", usage);
	struct app *a = cli_open(dir, 1);
	if (!a)
		return 1;
	int64_t uid = 0;
	enum err e = totp_user_id(a->store, login, &uid);
	if (e == ERR_NOTFOUND) {
		app_close(a);
		fprintf(stderr, "mimamori: user retire: 利用者 %s はいません\n", login);
		return 1;
	}
	if (e == ERR_OK)
		e = user_admin_retire(a->store, a->vault, "cli", 0, uid, &why);
	app_close(a);
	if (e != ERR_OK) {
		fprintf(stderr, "mimamori: user retire: 廃止できません: %s\n",
			why ? why : err_message_ja(e));
		return 1;
	}
	printf("%s を廃止しました（ログイン名とパスワードは消え、ログインできません。記録の上では "
	       "retired:%lld として残ります）。\n",
	       login, (long long)uid);
	return 0;
}
