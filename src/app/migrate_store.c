/* SPDX-License-Identifier: MIT */
/* migrate_store.c — `mimamori migrate-store --from DIR --to URL`: a ward kept in SQLite moves to
 * PostgreSQL. Every table is copied as stored (sealed fields stay sealed under the same keys:
 * the master key stays in DIR), the counts are checked equal, the audit chain is verified in the
 * new database with DIR's key, and only then DIR's mimamori.conf gets [store] url = URL. The
 * SQLite file stays where it was, untouched. The server must be stopped meanwhile. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "app.h"
#include "auth/audit.h"
#include "base/xalloc.h"
#include "cli.h"
#include "store/store.h"
#include "vault/keyring.h"

#define USAGE "使い方: mimamori migrate-store --from DIR --to postgresql://…"

static void print_table(const char *table, int64_t rows, void *ctx)
{
	(void)ctx;
	printf("  %-24s %" PRId64 " 行\n", table, rows);
}

int cmd_migrate_store(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"from", required_argument, 0, 'f'}, {"to", required_argument, 0, 't'}, {0, 0, 0, 0}};
	const char *dir = NULL, *url = NULL;
	int ch;
	optind = 1;
	while ((ch = cli_getopt(argc, argv, opts)) != -1) {
		switch (ch) {
		case 'f':
			dir = optarg;
			break;
		case 't':
			url = optarg;
			break;
		default:
			return cli_fail("%s", USAGE);
		}
	}
	if (!dir || !url)
		return cli_fail("%s", USAGE);
	if (!store_url_valid(url))
		return cli_fail("--to には PostgreSQL の URL（postgresql://…）か接続文字列（host=… "
				"dbname=…）を指定してください");
	struct app *a = cli_open(dir, 2);
	struct store *to = NULL;
	struct keyring *keys = NULL;
	char *key_path = NULL;
	int status = 1;
	int64_t bad = 0, n_from = 0, n_to = 0;
	if (!a)
		return 1;
	if (a->cfg.store_url) {
		fprintf(stderr,
			"mimamori: migrate-store: %s はすでに [store] url のデータベースを"
			"使っています\n",
			dir);
		goto out;
	}
	/* A chain that does not verify is not carried over silently. */
	if (audit_verify(a->store, a->vault, &bad, &n_from) != ERR_OK) {
		fprintf(stderr,
			"mimamori: migrate-store: %s の監査ログを検証できません（%" PRId64
			" 件目）。移しません\n",
			dir, bad);
		goto out;
	}
	enum err e = store_open(url, 1, 2, &to);
	if (e == ERR_CONFLICT) {
		fprintf(stderr,
			"mimamori: migrate-store: 移し先のデータベースにはすでに mimamori の"
			"データがあります。空のデータベースを指定してください\n");
		goto out;
	}
	if (e != ERR_OK) {
		fprintf(stderr, "mimamori: migrate-store: 移し先のデータベースに接続できないか、"
				"使えません（ログを見てください）\n");
		goto out;
	}
	printf("%s のデータを PostgreSQL へ写しています…\n", dir);
	e = store_copy(a->store, to, print_table, NULL);
	if (e != ERR_OK) {
		fprintf(stderr,
			"mimamori: migrate-store: 写せませんでした（%s）。移し先には何も"
			"残していません\n",
			err_message_ja(e));
		goto out;
	}
	/* The keys are the same: the new database's chain verifies with DIR's master key. */
	key_path = xasprintf("%s/master.key", dir);
	e = keyring_open(key_path, to, &keys);
	if (e == ERR_OK)
		e = audit_verify(to, keyring_platform(keys), &bad, &n_to);
	if (e != ERR_OK || n_to != n_from) {
		fprintf(stderr,
			"mimamori: migrate-store: 写した監査ログを検証できません（%" PRId64
			" 件と %" PRId64 " 件）。%s は元のままです\n",
			n_from, n_to, dir);
		goto out;
	}
	if (app_conf_set(dir, "store", "url", url) != ERR_OK) {
		fprintf(stderr,
			"mimamori: migrate-store: %s/mimamori.conf に [store] url を書けません"
			"でした。手で url = を書き加えてください\n",
			dir);
		goto out;
	}
	printf(
	    "監査ログは改ざんされていません（%" PRId64 " 件、移す前と同じ）。\n"
	    "%s/mimamori.conf の [store] url を設定しました。これからはこの PostgreSQL を使います。"
	    "\n%s/mimamori.db は元のまま残してあります（確かめたら、安全に消してください）。\n",
	    n_to, dir, dir);
	status = 0;
out:
	keyring_free(keys);
	store_close(to);
	free(key_path);
	app_close(a);
	return status;
}
