/* SPDX-License-Identifier: MIT */
/* user_account_cli.c — the operator's commands on one account at the console, each
 * `mimamori user VERB --data DIR --login L` and audited as "cli": `totp-reset` (an administrator
 * who lost the phone with the authenticator and the recovery codes enrols again at the next
 * sign-in) and `retire` (the account retired for good, as the ward administrator's 廃止). */
#include <getopt.h>
#include <stdio.h>

#include "app.h"
#include "auth/totp_store.h"
#include "auth/user_admin.h"
#include "cli.h"

/* Reads `VERB --data DIR --login L` from argv, opens DIR and finds the account: returns 0 with
 * the app in *out (caller closes), *login and *uid set; or, after saying why, the exit status
 * (2: bad usage; 1: no such account, a directory that does not open). */
static int open_account(int argc, char **argv, const char *verb, const char **login,
			int64_t *uid, struct app **out)
{
	const char *dir = NULL;
	static const struct option opts[] = {
	    {"data", required_argument, 0, 'd'}, {"login", required_argument, 0, 'l'}, {0, 0, 0, 0}};
	*login = NULL;
	if (!cli_verb(&argc, &argv, verb))
		return cli_fail("使い方: mimamori user %s --data DIR --login L", verb);
	int ch;
	while ((ch = cli_getopt(argc, argv, opts)) != -1) {
		switch (ch) {
		case 'd': dir = optarg; break;
		case 'l': *login = optarg; break;
		default: return cli_fail("使い方: mimamori user %s --data DIR --login L", verb);
		}
	}
	if (!dir || !*login || optind < argc)
		return cli_fail("使い方: mimamori user %s --data DIR --login L", verb);
	struct app *a = cli_open(dir, 1);
	if (!a)
		return 1;
	enum err e = totp_user_id(a->store, *login, uid);
	if (e != ERR_OK) {
		app_close(a);
		if (e == ERR_NOTFOUND)
			fprintf(stderr, "mimamori: user %s: 利用者 %s はいません\n", verb, *login);
		else
			fprintf(stderr, "mimamori: user %s: %s\n", verb, err_message_ja(e));
		return 1;
	}
	*out = a;
	return 0;
}

int cmd_user_totp_reset(int argc, char **argv)
{
	const char *login = NULL;
	int64_t uid = 0;
	struct app *a = NULL;
	int status = open_account(argc, argv, "totp-reset", &login, &uid, &a);
	if (status)
		return status;
	enum err e = totp_reset(a->store, a->vault, uid, "cli");
	app_close(a);
	if (e == ERR_NOTFOUND) {
		fprintf(stderr, "mimamori: user totp-reset: %s には二段階認証が登録されていません\n",
			login);
		return 1;
	}
	if (e != ERR_OK) {
		fprintf(stderr, "mimamori: user totp-reset: リセットできません: %s\n",
			err_message_ja(e));
		return 1;
	}
	printf("%s の二段階認証をリセットしました（回復コードも無効）。次のログインで認証アプリを"
	       "登録し直します。\n",
	       login);
	return 0;
}

int cmd_user_retire(int argc, char **argv)
{
	const char *login = NULL, *why = NULL;
	int64_t uid = 0;
	struct app *a = NULL;
	int status = open_account(argc, argv, "retire", &login, &uid, &a);
	if (status)
		return status;
	enum err e = user_admin_retire(a->store, a->vault, "cli", 0, uid, &why);
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
