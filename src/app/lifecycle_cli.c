/* SPDX-License-Identifier: MIT */
/* lifecycle_cli.c — `mimamori backup`, `mimamori restore` and `mimamori erase`: the operator's
 * commands for backups and for erasing a service at its contract's end (docs/guide.md). */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "app/erase.h"
#include "app/lifecycle.h"
#include "auth/role.h"
#include "auth/user.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/file.h"
#include "base/xalloc.h"
#include "cli.h"
#include "store/store.h"
#include "vault/backup_box.h"
#include "vault/vault.h"

int cmd_backup(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"data", required_argument, 0, 'd'}, {"out", required_argument, 0, 'o'}, {0, 0, 0, 0}};
	const char *usage = "使い方: mimamori backup --data DIR [--out FILE]";
	const char *dir = NULL, *out = NULL, *why = NULL;
	int ch;
	optind = 1;
	while ((ch = cli_getopt(argc, argv, opts)) != -1) {
		switch (ch) {
		case 'd': dir = optarg; break;
		case 'o': out = optarg; break;
		default: return cli_fail("%s", usage);
		}
	}
	if (!dir || optind != argc)
		return cli_fail("%s", usage);
	struct app *a = cli_open(dir, 2);
	if (!a)
		return 1;
	char *made = NULL;
	int64_t bytes = 0;
	int key_made = 0;
	enum err e = backup_make(a, out, BACKUP_CLI, "cli", &made, &bytes, &key_made, &why);
	struct backup_settings set;
	backup_settings_read(dir, &set);
	app_close(a);
	if (e != ERR_OK) {
		fprintf(stderr, "mimamori: バックアップできません: %s\n", why ? why : err_message_ja(e));
		backup_settings_free(&set);
		return 1;
	}
	if (key_made)
		printf("バックアップ鍵を作りました: %s\n"
		       "この鍵がないとバックアップは復元できません。データとは別の安全な場所（金庫の"
		       "USB メモリなど）に写しを保管してください。\n",
		       set.key_path);
	printf("バックアップしました: %s（%lld バイト）。鍵ファイル: %s\n", made, (long long)bytes,
	       set.keys_path);
	backup_settings_free(&set);
	free(made);
	return 0;
}

/* `restore --info FILE`: the header, as it is (no key needed). */
static int restore_info(const char *file)
{
	FILE *f = fopen(file, "rb");
	char *header = NULL;
	if (!f)
		return cli_fail("%s を開けません", file);
	enum err e = vault_box_read_header(f, &header);
	fclose(f);
	if (e != ERR_OK) {
		fprintf(stderr, "mimamori: %s は mimamori のバックアップファイルではありません\n", file);
		return 1;
	}
	json_t *h = json_loads(header, 0, NULL);
	char *pretty = h ? json_dumps(h, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	printf("%s\n", pretty ? pretty : header);
	free(pretty);
	json_decref(h);
	free(header);
	return 0;
}

int cmd_restore(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"data", required_argument, 0, 'd'}, {"key", required_argument, 0, 'k'},
	    {"keys", required_argument, 0, 'K'}, {"store", required_argument, 0, 's'},
	    {"info", no_argument, 0, 'i'},	 {0, 0, 0, 0}};
	const char *usage = "使い方: mimamori restore --data NEWDIR --key BACKUP_KEY "
			    "[--keys backup-keys.mmk] [--store URL] FILE | restore --info FILE";
	const char *dir = NULL, *key = NULL, *keys = NULL, *url = NULL, *why = NULL;
	int ch, info = 0;
	optind = 1;
	while ((ch = cli_getopt(argc, argv, opts)) != -1) {
		switch (ch) {
		case 'd': dir = optarg; break;
		case 'k': key = optarg; break;
		case 'K': keys = optarg; break;
		case 's': url = optarg; break;
		case 'i': info = 1; break;
		default: return cli_fail("%s", usage);
		}
	}
	if (optind != argc - 1)
		return cli_fail("%s", usage);
	if (info)
		return restore_info(argv[optind]);
	if (!dir || !key)
		return cli_fail("%s", usage);
	if (url && !store_url_valid(url))
		return cli_fail("--store には PostgreSQL の URL か接続文字列を指定してください");
	enum err e = backup_restore(argv[optind], dir, key, keys, url, stdout, &why);
	if (e != ERR_OK) {
		fprintf(stderr, "mimamori: 復元できません: %s\n", why ? why : err_message_ja(e));
		return 1;
	}
	return 0;
}

static char *password_stdin(void)
{
	char buf[512];
	if (!fgets(buf, sizeof buf, stdin))
		return NULL;
	buf[strcspn(buf, "\r\n")] = '\0';
	char *p = strdup(buf);
	vault_wipe(buf, sizeof buf);
	return p;
}

/* Signs login in with a password from stdin; it must be a ward administrator's. */
static int sign_in_admin(struct app *a, const char *login, struct user *u)
{
	char *pw = password_stdin();
	int64_t retry = 0;
	if (!pw) {
		fputs("mimamori: 標準入力にパスワードがありません（--password-stdin）\n", stderr);
		return -1;
	}
	enum err e = user_sign_in(a->store, a->vault, login, pw, u, &retry);
	vault_wipe_free(pw);
	if (e != ERR_OK) {
		fprintf(stderr, "mimamori: %s としてサインインできません（ログイン名かパスワードが違う"
				"か、ロックされています）\n",
			login);
		return -1;
	}
	if (u->role != ROLE_WARD_ADMIN) {
		fputs("mimamori: 消去は区の管理者（ward_admin）だけが依頼・確認できます\n", stderr);
		return -1;
	}
	return 0;
}

int cmd_erase(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"data", required_argument, 0, 'd'},   {"service", required_argument, 0, 's'},
	    {"login", required_argument, 0, 'l'},  {"password-stdin", no_argument, 0, 'p'},
	    {"out", required_argument, 0, 'o'},	   {"cancel", no_argument, 0, 'c'},
	    {0, 0, 0, 0}};
	const char *usage = "使い方: mimamori erase --data DIR --service NAME --login L "
			    "--password-stdin [--out 証明書.pdf] [--cancel]";
	const char *dir = NULL, *service = NULL, *login = NULL, *out = NULL, *why = NULL;
	int ch, pw = 0, cancel = 0, status = 1;
	optind = 1;
	while ((ch = cli_getopt(argc, argv, opts)) != -1) {
		switch (ch) {
		case 'd': dir = optarg; break;
		case 's': service = optarg; break;
		case 'l': login = optarg; break;
		case 'p': pw = 1; break;
		case 'o': out = optarg; break;
		case 'c': cancel = 1; break;
		default: return cli_fail("%s", usage);
		}
	}
	if (!dir || !service || !login || !pw || optind != argc)
		return cli_fail("%s", usage);
	struct app *a = cli_open(dir, 2);
	struct user u;
	struct buf pdf;
	char *path = NULL;
	buf_init(&pdf, (size_t)16 << 20);
	if (!a)
		return 1;
	/* A running server keeps the key in memory: it erases through its own screen. */
	if (strcmp(store_engine_name(a->store), "sqlite") == 0 &&
	    store_lock_held_elsewhere(a->store, "erase") == 1) {
		fputs("mimamori: サーバーが動いています。消去は画面（区の管理 → データ消去）から行うか、"
		      "サーバーを止めてから実行してください\n",
		      stderr);
		goto out;
	}
	if (sign_in_admin(a, login, &u) != 0)
		goto out;
	char actor[96];
	snprintf(actor, sizeof actor, "user:%lld", (long long)u.id);
	int64_t id = 0, by = 0;
	enum err e = erase_pending(a, service, &id, &by);
	if (cancel) {
		if (e == ERR_OK)
			e = erase_cancel(a, id, actor);
		if (e != ERR_OK) {
			fprintf(stderr, "mimamori: 取り消す消去の依頼がありません\n");
			goto out;
		}
		printf("%s の消去の依頼を取り消しました\n", service);
		status = 0;
		goto out;
	}
	if (e == ERR_NOTFOUND) {
		e = erase_request(a, service, u.id, actor, &id, &why);
		if (e != ERR_OK) {
			fprintf(stderr, "mimamori: %s\n", why ? why : err_message_ja(e));
			goto out;
		}
		printf("%s の消去を依頼しました（依頼番号 %lld）。別の区の管理者が同じコマンドを自分の"
		       "ログイン名で実行すると、消去します\n",
		       service, (long long)id);
		status = 0;
		goto out;
	}
	if (e != ERR_OK) {
		fprintf(stderr, "mimamori: %s\n", err_message_ja(e));
		goto out;
	}
	e = erase_confirm(a, id, u.id, actor, &pdf, &why);
	if (e != ERR_OK) {
		fprintf(stderr, "mimamori: %s\n", why ? why : err_message_ja(e));
		goto out;
	}
	char date[16];
	clock_jst_date(clock_now_ms(), date, sizeof date);
	path = out ? xstrdup(out)
		   : xasprintf("%s/erasure-certificate-%s-%s.pdf", dir, service, date);
	if (file_write_export(path, pdf.data, pdf.len) != ERR_OK) {
		fprintf(stderr, "mimamori: 消去しましたが、証明書を %s に書けません（画面から取り出せ"
				"ます）\n",
			path);
		goto out;
	}
	printf("%s を消去しました。消去証明書: %s\n", service, path);
	if (why)
		fprintf(stderr, "mimamori: %s\n", why);
	status = why ? 1 : 0;
out:
	free(path);
	buf_free(&pdf);
	app_close(a);
	return status;
}
