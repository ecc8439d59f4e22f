/* SPDX-License-Identifier: MIT */
/* cli.c — the bath pass's subcommands: `import residents` (the host extract as a snapshot),
 * `import approve` (a second person applies it), `bathpass staff` (a branch account's counter)
 * `bathpass places`, `bathpass barcode` (Japan Post's customer barcode of an address) and
 * `bathpass mailing` (cli_mailing.c). The command line runs on the server with the data
 * directory's rights;
 * --login names the staff account the work is recorded and audited under. */
#include "bathpass/commands.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "base/file.h"
#include "auth/audit.h"
#include "auth/role.h"
#include "bathpass/bathpass.h"
#include "cli.h"
#include "doc/custbarcode.h"
#include "store/store.h"
#include "vault/vault.h"

#define FILE_MAX (64u << 20)
#define USAGE_IMPORT                                                                               \
	"使い方: mimamori import residents --data DIR --login L [--encoding utf-8|cp932] "      \
	"FILE.csv\n"                                                                               \
	"        mimamori import approve --data DIR --snapshot ID --login L"

/* Finds an enabled staff account of the bath pass's head office by login; returns its id, or 0
 * after saying why. */
int64_t bath_cli_office_user(struct app *a, const char *login)
{
	struct store_conn *c = store_acquire(a->store);
	struct store_stmt *st =
	    store_prepare(c, "SELECT id, role, disabled FROM users WHERE login = ?");
	int64_t id = 0;
	if (st) {
		store_bind_text(st, 1, login);
		if (store_step(st) == STORE_ROW) {
			enum role r = role_parse(store_col_text(st, 1));
			if (store_col_int(st, 2))
				fprintf(stderr, "mimamori: 利用者 %s は停止されています\n", login);
			else if (r != ROLE_BATH_OFFICE)
				fprintf(stderr,
					"mimamori: 利用者 %s "
					"は入浴証の本庁担当（bath_office）ではありま"
					"せん\n",
					login);
			else
				id = store_col_int(st, 0);
		} else {
			fprintf(stderr, "mimamori: 利用者 %s はいません\n", login);
		}
	}
	store_finish(st);
	store_release(c);
	return id;
}

static const char *gone_label(const char *code)
{
	if (strcmp(code, "moved") == 0)
		return "転出";
	if (strcmp(code, "died") == 0)
		return "死亡";
	if (strcmp(code, "lost") == 0)
		return "資格喪失";
	return "抽出データに含まれない";
}

/* Prints the snapshot's differences (line, kind, fields or reason; never a value). */
static void print_rows(struct app *a, int64_t id)
{
	struct store_conn *c = store_acquire(a->store);
	struct store_stmt *st = store_prepare(
	    c, "SELECT line, kind, fields, reason FROM bath_snapshot_rows WHERE snapshot_id = ? "
	       "AND kind IN ('changed', 'gone', 'rejected') ORDER BY kind, line, id");
	if (st) {
		store_bind_int(st, 1, id);
		while (store_step(st) == STORE_ROW) {
			int64_t line = store_col_int(st, 0);
			const char *kind = store_col_text(st, 1);
			if (strcmp(kind, "rejected") == 0)
				printf("  取り込めない行 %" PRId64 "行目: %s\n", line,
				       store_col_text(st, 3));
			else if (strcmp(kind, "changed") == 0)
				printf("  変更 %" PRId64 "行目: %s\n", line, store_col_text(st, 2));
			else if (line)
				printf("  除外 %" PRId64 "行目: %s\n", line,
				       gone_label(store_col_text(st, 3)));
			else
				printf("  除外: %s\n", gone_label(store_col_text(st, 3)));
		}
	}
	store_finish(st);
	store_release(c);
}

static int import_residents(int argc, char **argv)
{
	const char *dir = NULL, *login = NULL, *enc = NULL;
	static const struct option opts[] = {{"data", required_argument, 0, 'd'},
					     {"login", required_argument, 0, 'l'},
					     {"encoding", required_argument, 0, 'e'},
					     {0, 0, 0, 0}};
	int ch;
	while ((ch = cli_getopt(argc, argv, opts)) != -1) {
		if (ch == 'd')
			dir = optarg;
		else if (ch == 'l')
			login = optarg;
		else if (ch == 'e')
			enc = optarg;
		else
			return cli_fail("%s", USAGE_IMPORT);
	}
	if (!dir || !login || optind != argc - 1)
		return cli_fail("%s", USAGE_IMPORT);
	if (enc && strcmp(enc, "utf-8") != 0 && strcmp(enc, "cp932") != 0)
		return cli_fail("--encoding は utf-8 か cp932 です");
	size_t len = 0;
	char *data = NULL;
	if (file_read_input(argv[optind], FILE_MAX, &data, &len) != ERR_OK)
		return 1; /* said why */
	struct app *a = cli_open(dir, 2);
	struct bath_host_file *h = NULL;
	int status = 1;
	const char *why = NULL;
	char detail[256];
	if (!a)
		goto out;
	int64_t uid = bath_cli_office_user(a, login);
	if (!uid)
		goto out;
	enum err e = bath_host_parse(data, len, enc, &h, &why, detail, sizeof detail);
	if (e != ERR_OK) {
		fprintf(stderr, "mimamori: import: %s%s%s\n", why ? why : err_message_ja(e),
			detail[0] ? " " : "", detail);
		goto out;
	}
	struct bath_snapshot_summary s;
	e = bath_snapshot_make(a, h, uid, bath_max_exclude_percent(a), &s);
	if (e != ERR_OK) {
		fprintf(stderr, "mimamori: import: %s\n", err_message_ja(e));
		goto out;
	}
	printf("取り込み %" PRId64 "（%s、%zu行）: 新規 %zu・変更 %zu・除外 %zu・変更なし %zu・"
	       "取り込めない行 %zu",
	       s.id, s.encoding, s.rows, s.n_new, s.n_changed, s.n_gone, s.n_unchanged,
	       s.n_rejected);
	if (s.n_skipped)
		printf("・台帳になく異動済みの行 %zu", s.n_skipped);
	printf("\n");
	if (s.refused) {
		fprintf(stderr, "mimamori: import: %s\n", s.refusal);
		goto out;
	}
	print_rows(a, s.id);
	printf("まだ台帳には反映していません。別の職員が承認すると反映します: mimamori import "
	       "approve --data DIR --snapshot %" PRId64 " --login 承認者\n",
	       s.id);
	status = 0;
out:
	bath_host_free(h);
	vault_wipe(data, len);
	free(data);
	app_close(a);
	return status;
}

static int import_approve(int argc, char **argv)
{
	const char *dir = NULL, *login = NULL, *snap = NULL;
	static const struct option opts[] = {{"data", required_argument, 0, 'd'},
					     {"login", required_argument, 0, 'l'},
					     {"snapshot", required_argument, 0, 's'},
					     {0, 0, 0, 0}};
	int ch;
	while ((ch = cli_getopt(argc, argv, opts)) != -1) {
		if (ch == 'd')
			dir = optarg;
		else if (ch == 'l')
			login = optarg;
		else if (ch == 's')
			snap = optarg;
		else
			return cli_fail("%s", USAGE_IMPORT);
	}
	if (!dir || !login || !snap || optind != argc)
		return cli_fail("%s", USAGE_IMPORT);
	char *end = NULL;
	long long id = strtoll(snap, &end, 10);
	if (!end || *end || id <= 0)
		return cli_fail("--snapshot は取り込みの番号です");
	struct app *a = cli_open(dir, 2);
	int status = 1;
	if (!a)
		return 1;
	int64_t uid = bath_cli_office_user(a, login);
	if (uid) {
		const char *why = NULL;
		char actor[48];
		snprintf(actor, sizeof actor, "user:%" PRId64, uid);
		enum err e = bath_snapshot_approve(a, id, uid, actor, &why);
		if (e == ERR_OK) {
			printf("取り込み %lld を承認し、台帳に反映しました\n", id);
			status = 0;
		} else {
			fprintf(stderr, "mimamori: import approve: %s\n",
				why ? why : err_message_ja(e));
		}
	}
	app_close(a);
	return status;
}

int bathpass_cmd_import(int argc, char **argv)
{
	if (cli_verb(&argc, &argv, "residents"))
		return import_residents(argc, argv);
	if (cli_verb(&argc, &argv, "approve"))
		return import_approve(argc, argv);
	return cli_fail("%s", USAGE_IMPORT);
}

/* `bathpass staff --login L --place CODE`: the counter of a branch-office account. */
static int staff_set(int argc, char **argv)
{
	const char *dir = NULL, *login = NULL, *place = NULL;
	static const struct option opts[] = {{"data", required_argument, 0, 'd'},
					     {"login", required_argument, 0, 'l'},
					     {"place", required_argument, 0, 'p'},
					     {0, 0, 0, 0}};
	int ch;
	while ((ch = cli_getopt(argc, argv, opts)) != -1) {
		if (ch == 'd')
			dir = optarg;
		else if (ch == 'l')
			login = optarg;
		else if (ch == 'p')
			place = optarg;
		else
			return cli_fail(
			    "使い方: mimamori bathpass staff --data DIR --login L --place "
			    "CODE");
	}
	if (!dir || !login || !place || optind != argc)
		return cli_fail(
		    "使い方: mimamori bathpass staff --data DIR --login L --place CODE");
	struct app *a = cli_open(dir, 2);
	if (!a)
		return 1;
	struct store_conn *c = store_acquire(a->store);
	int status = 1;
	char name[96];
	int64_t uid = 0;
	struct store_stmt *st = NULL;
	enum err e = store_begin(c);
	if (e != ERR_OK)
		goto out;
	if (!bath_place_name(c, place, name, sizeof name)) {
		fprintf(stderr, "mimamori: 交付場所 %s はありません（mimamori bathpass places）\n",
			place);
		goto out;
	}
	st = store_prepare(c, "SELECT id, role FROM users WHERE login = ?");
	if (!st)
		goto out;
	store_bind_text(st, 1, login);
	if (store_step(st) == STORE_ROW && role_parse(store_col_text(st, 1)) == ROLE_BATH_BRANCH)
		uid = store_col_int(st, 0);
	store_finish(st);
	st = NULL;
	if (!uid) {
		fprintf(stderr,
			"mimamori: 利用者 %s は入浴証の出張所窓口（bath_branch）ではありません\n",
			login);
		goto out;
	}
	st = store_prepare(c, "INSERT INTO bath_staff (user_id, place) VALUES (?1, ?2) ON CONFLICT "
			      "(user_id) DO UPDATE SET place = ?2");
	if (!st)
		goto out;
	store_bind_int(st, 1, uid);
	store_bind_text(st, 2, place);
	e = store_run(st);
	char object[32];
	snprintf(object, sizeof object, "user:%" PRId64, uid);
	if (e == ERR_OK)
		e = audit_append(c, a->vault, "cli", "bathpass.staff.place", object, place);
	if (e == ERR_OK)
		e = store_commit(c);
	if (e == ERR_OK) {
		printf("%s の窓口を %s にしました\n", login, name);
		status = 0;
	}
out:
	store_finish(st);
	store_rollback(c);
	store_release(c);
	app_close(a);
	return status;
}

static int places_list(int argc, char **argv)
{
	const char *dir = NULL;
	static const struct option opts[] = {{"data", required_argument, 0, 'd'}, {0, 0, 0, 0}};
	int ch;
	while ((ch = cli_getopt(argc, argv, opts)) != -1) {
		if (ch != 'd')
			return cli_fail("使い方: mimamori bathpass places --data DIR");
		dir = optarg;
	}
	if (!dir || optind != argc)
		return cli_fail("使い方: mimamori bathpass places --data DIR");
	struct app *a = cli_open(dir, 1);
	if (!a)
		return 1;
	struct store_conn *c = store_acquire(a->store);
	struct store_stmt *st =
	    store_prepare(c, "SELECT code, name FROM bath_places ORDER BY sort");
	while (st && store_step(st) == STORE_ROW)
		printf("%s\t%s\n", store_col_text(st, 0), store_col_text(st, 1));
	store_finish(st);
	store_release(c);
	app_close(a);
	return 0;
}

/* `bathpass barcode --postcode P --address A`: prints the customer barcode's characters and
 * its 67 bars for a postcode and an address, to check them against Japan Post's examples.
 * Needs no data directory. */
static int barcode_print(int argc, char **argv)
{
	const char *postcode = NULL, *address = NULL;
	static const struct option opts[] = {{"postcode", required_argument, 0, 'p'},
					     {"address", required_argument, 0, 'a'},
					     {0, 0, 0, 0}};
	const char *usage = "使い方: mimamori bathpass barcode --postcode 1600022 --address "
			    "'新宿区新宿6丁目27番30号'";
	int ch;
	while ((ch = cli_getopt(argc, argv, opts)) != -1) {
		if (ch == 'p')
			postcode = optarg;
		else if (ch == 'a')
			address = optarg;
		else
			return cli_fail("%s", usage);
	}
	if (!postcode || !address || optind != argc)
		return cli_fail("%s", usage);
	struct doc_custbarcode bc;
	char text[128], bars[DOC_CB_BARS + 1];
	if (doc_custbarcode_encode(postcode, address, &bc) != ERR_OK)
		return cli_fail("郵便番号は7桁の数字で、住所は1,000バイト以内のUTF-8で指定してくだ"
				"さい。");
	if (doc_custbarcode_text(&bc, text, sizeof text) != ERR_OK ||
	    doc_custbarcode_bars(&bc, bars, sizeof bars) != ERR_OK)
		return cli_fail("バーコードを作れませんでした。");
	if (doc_custbarcode_representative(postcode))
		printf("注意: 末尾00の郵便番号（代表番号）には、バーコードを印字しません。\n");
	printf("住所表示番号: %s\n文字: %s\nバー: %s\n", bc.number[0] ? bc.number : "（なし）",
	       text, bars);
	return 0;
}

int bathpass_cmd_bathpass(int argc, char **argv)
{
	if (cli_verb(&argc, &argv, "barcode"))
		return barcode_print(argc, argv);
	if (cli_verb(&argc, &argv, "staff"))
		return staff_set(argc, argv);
	if (cli_verb(&argc, &argv, "places"))
		return places_list(argc, argv);
	if (cli_verb(&argc, &argv, "mailing"))
		return bathpass_cmd_mailing(argc, argv);
	return cli_fail("使い方: mimamori bathpass staff|places|barcode|mailing ...");
}
