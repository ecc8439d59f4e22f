/* SPDX-License-Identifier: MIT */
/* user_totp_cli.c — `mimamori user totp-reset --data DIR --login L`: an administrator who lost
 * the phone with the authenticator (and the recovery codes) enrols again at the next sign-in.
 * Run at the console by the operator; audited as "cli". */
#include <getopt.h>
#include <stdio.h>

#include "app.h"
#include "auth/totp_store.h"
#include "cli.h"

int cmd_user_totp_reset(int argc, char **argv)
{
	const char *usage = "使い方: mimamori user totp-reset --data DIR --login L";
	const char *dir = NULL, *login = NULL;
	static const struct option opts[] = {
	    {"data", required_argument, 0, 'd'}, {"login", required_argument, 0, 'l'}, {0, 0, 0, 0}};
	if (!cli_verb(&argc, &argv, "totp-reset"))
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
		fprintf(stderr, "mimamori: user totp-reset: 利用者 %s はいません\n", login);
		return 1;
	}
	if (e == ERR_OK)
		e = totp_reset(a->store, a->vault, uid, "cli");
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
