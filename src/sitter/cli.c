/* SPDX-License-Identifier: MIT */
/* cli.c — `mimamori sitter …`: import the LoGo form's CSV export (each row an application,
 * received as submitted; a bad row is reported with its line and reason, never its values, and
 * stops nothing already stored), scope an account to this benefit, write a transfer's 全銀 file
 * (recorded in the handover ledger), read back returned transfers. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth/audit.h"
#include "auth/role.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/file.h"
#include "cli.h"
#include "doc/csv.h"
#include "grant/cli_staff.h"
#include "grant/path.h"
#include "ledger/ledger.h"
#include "sitter/payment.h"
#include "sitter/sitter.h"
#include "store/store.h"
#include "vault/vault.h"

int sitter_cmd(int argc, char **argv);

#define USAGE                                                                                     \
	"使い方: mimamori sitter import --data DIR FILE.csv | staff --data DIR --login L | "      \
	"transfer --data DIR --payment ID --out FILE | returns --data DIR --login L FILE"

/* The column of header name h in the CSV's first row, or -1. */
static int column(const struct doc_csv *csv, const char *h)
{
	for (size_t i = 0; i < csv->rows[0].nfields; i++)
		if (strcmp(csv->rows[0].fields[i], h) == 0)
			return (int)i;
	return -1;
}

/* The field of row r under header h, or NULL when the column is missing or the cell empty. */
static const char *cell(const struct doc_csv *csv, const struct doc_csv_row *r, const char *h)
{
	int k = column(csv, h);
	if (k < 0 || (size_t)k >= r->nfields || !r->fields[k][0])
		return NULL;
	return r->fields[k];
}

/* Adds key = the cell under h (when there is one) to o as a string. */
static void put(json_t *o, const char *key, const struct doc_csv *csv,
		const struct doc_csv_row *r, const char *h)
{
	const char *v = cell(csv, r, h);
	if (v)
		json_object_set_new(o, key, json_string(v));
}

/* Adds key = the date under h to o, written as ISO: the export may write 2027/3/5. */
static void put_date(json_t *o, const char *key, const struct doc_csv *csv,
		     const struct doc_csv_row *r, const char *h)
{
	const char *v = cell(csv, r, h);
	int y, m, d;
	char iso[32];
	if (v && sscanf(v, "%d/%d/%d", &y, &m, &d) == 3 && strchr(v, '/')) {
		snprintf(iso, sizeof iso, "%04d-%02d-%02d", y, m, d);
		json_object_set_new(o, key, json_string(iso));
	} else if (v) {
		json_object_set_new(o, key, json_string(v));
	}
}

/* The LoGo export's row r as the API's form (docs/guide: the columns). */
static json_t *row_form(const struct doc_csv *csv, const struct doc_csv_row *r)
{
	json_t *g = json_object(), *kids = json_array(), *uses = json_array(), *bank = json_object();
	char h[64];
	put(g, "name", csv, r, "申請者氏名");
	put(g, "kana", csv, r, "申請者ふりがな");
	put_date(g, "birth", csv, r, "申請者生年月日");
	put(g, "postcode", csv, r, "郵便番号");
	put(g, "address", csv, r, "住所");
	put(g, "phone", csv, r, "電話番号");
	put(g, "email", csv, r, "メールアドレス");
	for (int i = 1; i <= SITTER_CHILDREN_MAX; i++) {
		json_t *k = json_object();
		snprintf(h, sizeof h, "子%d氏名", i);
		if (!cell(csv, r, h)) {
			json_decref(k);
			break;
		}
		put(k, "name", csv, r, h);
		snprintf(h, sizeof h, "子%d生年月日", i);
		put_date(k, "birth", csv, r, h);
		snprintf(h, sizeof h, "子%d多胎", i);
		const char *m = cell(csv, r, h);
		json_object_set_new(k, "multiple", json_boolean(m && (strcmp(m, "はい") == 0 ||
								       strcmp(m, "1") == 0)));
		json_array_append_new(kids, k);
	}
	for (int i = 1; i <= SITTER_USES_MAX; i++) {
		json_t *u = json_object(), *who = json_array();
		snprintf(h, sizeof h, "利用%d日付", i);
		if (!cell(csv, r, h)) {
			json_decref(u);
			json_decref(who);
			break;
		}
		put_date(u, "date", csv, r, h);
		snprintf(h, sizeof h, "利用%d開始", i);
		put(u, "start", csv, r, h);
		snprintf(h, sizeof h, "利用%d終了", i);
		put(u, "end", csv, r, h);
		snprintf(h, sizeof h, "利用%d事業者", i);
		put(u, "company", csv, r, h);
		snprintf(h, sizeof h, "利用%d金額", i);
		const char *yen = cell(csv, r, h);
		if (yen) {
			char *end = NULL;
			long long v = strtoll(yen, &end, 10);
			if (end && !*end)
				json_object_set_new(u, "paid_yen", json_integer(v));
		}
		/* 対象: the children's numbers (1から), separated by "," or "・" */
		snprintf(h, sizeof h, "利用%d対象", i);
		const char *t = cell(csv, r, h);
		for (const char *s = t ? t : "1"; *s; s++)
			if (*s >= '1' && *s <= '9')
				json_array_append_new(who, json_integer(*s - '1'));
		json_object_set_new(u, "children", who);
		json_array_append_new(uses, u);
	}
	put(bank, "bank_code", csv, r, "金融機関コード");
	put(bank, "branch_code", csv, r, "支店コード");
	const char *type = cell(csv, r, "預金種目");
	json_object_set_new(bank, "type",
			    json_integer(type && strcmp(type, "当座") == 0 ? 2
					 : type && strcmp(type, "普通") == 0 ? 1
									       : 0));
	put(bank, "number", csv, r, "口座番号");
	put(bank, "holder", csv, r, "口座名義");
	return json_pack("{s:o, s:o, s:o, s:o}", "guardian", g, "children", kids, "uses", uses,
			 "bank", bank);
}

static int import(int argc, char **argv)
{
	const char *dir = NULL;
	static const struct option opts[] = {{"data", required_argument, 0, 'd'}, {0, 0, 0, 0}};
	int ch, status = 1;
	size_t ok = 0, bad = 0, skipped = 0, len = 0;
	char *data = NULL, msg[256], today[11];
	struct doc_csv *csv = NULL;
	while ((ch = cli_getopt(argc, argv, opts)) != -1) {
		if (ch != 'd')
			return cli_fail("%s", USAGE);
		dir = optarg;
	}
	if (!dir || optind != argc - 1)
		return cli_fail("%s", USAGE);
	enum err e = file_read_input(argv[optind], DOC_CSV_MAX_FILE, &data, &len);
	if (e != ERR_OK)
		return 1; /* said why */
	e = doc_csv_parse(data, len, &csv, msg, sizeof msg);
	vault_wipe(data, len);
	free(data);
	if (e != ERR_OK)
		return cli_fail("%s: %s", argv[optind], msg);
	if (csv->nrows < 1 || column(csv, "申請者氏名") < 0) {
		doc_csv_free(csv);
		return cli_fail("1行目に見出し（申請者氏名 など。利用者ガイドの「LoGoフォームの取り"
				"込み」）がありません");
	}
	struct app *a = cli_open(dir, 2);
	if (!a) {
		doc_csv_free(csv);
		return 1;
	}
	const struct vault *v = sitter_vault(a);
	struct sitter_settings cfg;
	sitter_settings_read(a, &cfg);
	clock_jst_date(clock_now_ms(), today, sizeof today);
	struct store_conn *c = store_acquire(a->store);
	for (size_t i = 1; i < csv->nrows; i++) {
		struct sitter_form f;
		char why[SITTER_WHY_MAX], number[16];
		int64_t id = 0;
		json_t *j = row_form(csv, &csv->rows[i]);
		e = sitter_form_parse(j, today, 0, &f, why);
		json_decref(j);
		if (e != ERR_OK) {
			fprintf(stderr, "%zu行目: %s\n", csv->rows[i].line, why);
			sitter_form_clear(&f);
			bad++;
			continue;
		}
		/* A row taken before (the same export read twice) is not a second application. */
		char taken[16] = "";
		unsigned char term[32];
		sitter_form_term(v, &f, term);
		struct store_stmt *st = store_prepare(
		    c, "SELECT a.number FROM sitter_terms t JOIN sitter_applications a ON "
		       "a.id = t.application_id WHERE t.term = ?1 ORDER BY a.id LIMIT 1");
		if (st) {
			store_bind_blob(st, 1, term, sizeof term);
			if (store_step(st) == STORE_ROW)
				snprintf(taken, sizeof taken, "%s", store_col_text(st, 0));
		}
		store_finish(st);
		if (taken[0]) {
			printf("%zu行目: 取り込み済みです（申請番号 %s）。取り込みませんでした\n",
			       csv->rows[i].line, taken);
			sitter_form_clear(&f);
			skipped++;
			continue;
		}
		/* each row alone: a bad one stops nothing already stored */
		e = store_begin(c);
		if (e == ERR_OK)
			e = sitter_app_create(c, v, &cfg.rates, &f, "import", GRANT_SUBMITTED, 0,
					      clock_now_ms(), &id, number);
		if (e == ERR_OK) {
			char object[48];
			snprintf(object, sizeof object, "sitter_application:%" PRId64, id);
			e = audit_append(c, a->vault, "cli", "sitter.import", object, "");
		}
		if (e == ERR_OK)
			e = store_commit(c);
		else
			store_rollback(c);
		sitter_form_clear(&f);
		if (e != ERR_OK) {
			fprintf(stderr, "%zu行目: 保存できません: %s\n", csv->rows[i].line,
				err_message_ja(e));
			bad++;
			continue;
		}
		printf("%zu行目: 申請番号 %s\n", csv->rows[i].line, number);
		ok++;
	}
	printf("取り込み: %zu件、取り込み済みの行: %zu件、取り込めなかった行: %zu件\n", ok,
	       skipped, bad);
	status = bad ? 1 : 0;
	store_release(c);
	app_close(a);
	doc_csv_free(csv);
	return status;
}

static int transfer(int argc, char **argv)
{
	const char *dir = NULL, *out = NULL;
	int64_t id = 0;
	static const struct option opts[] = {{"data", required_argument, 0, 'd'},
					     {"payment", required_argument, 0, 'p'},
					     {"out", required_argument, 0, 'o'},
					     {0, 0, 0, 0}};
	int ch, status = 1;
	while ((ch = cli_getopt(argc, argv, opts)) != -1) {
		if (ch == 'd')
			dir = optarg;
		else if (ch == 'p')
			id = strtoll(optarg, NULL, 10);
		else if (ch == 'o')
			out = optarg;
		else
			return cli_fail("%s", USAGE);
	}
	if (!dir || !out || id <= 0 || optind != argc)
		return cli_fail("%s", USAGE);
	struct app *a = cli_open(dir, 2);
	if (!a)
		return 1;
	struct sitter_payment p;
	struct buf file;
	char content[96];
	buf_init(&file, 64u * 1024 * 1024);
	struct store_conn *c = store_acquire(a->store);
	enum err e = sitter_payment_file(a, c, id, &p, &file);
	store_release(c);
	if (e == ERR_NOTFOUND) {
		fprintf(stderr, "mimamori: 振込データ %" PRId64 " はありません\n", id);
		goto done;
	}
	if (e == ERR_OK && file_write_export(out, file.data, file.len) != ERR_OK)
		goto done; /* said why */
	if (e == ERR_OK) {
		snprintf(content, sizeof content, "transfer %s items=%zu", p.pay_date, p.items);
		struct ledger_item it = {.service = SITTER_SERVICE,
					 .actor = "cli",
					 .content = content,
					 .object = "sitter:payments",
					 .records = p.items,
					 .data = file.data,
					 .len = file.len};
		e = ledger_record(a, &it, NULL);
		if (e != ERR_OK)
			remove(out); /* nothing leaves unrecorded */
	}
	if (e != ERR_OK) {
		fprintf(stderr, "mimamori: 振込データを書き出せません: %s\n", err_message_ja(e));
		goto done;
	}
	printf("%s に振込データ（%zu件、%" PRId64 "円、振込日 %s）を書き出しました\n", out,
	       p.items, p.total_yen, p.pay_date);
	status = 0;
done:
	if (file.data)
		vault_wipe(file.data, file.len);
	buf_free(&file);
	app_close(a);
	return status;
}

static int returns(int argc, char **argv)
{
	const char *dir = NULL, *login = NULL;
	static const struct option opts[] = {
	    {"data", required_argument, 0, 'd'}, {"login", required_argument, 0, 'l'}, {0, 0, 0, 0}};
	int ch, status = 1;
	int64_t uid = 0;
	char *data = NULL, why[SITTER_WHY_MAX], actor[48];
	size_t len = 0;
	while ((ch = cli_getopt(argc, argv, opts)) != -1) {
		if (ch == 'd')
			dir = optarg;
		else if (ch == 'l')
			login = optarg;
		else
			return cli_fail("%s", USAGE);
	}
	if (!dir || !login || optind != argc - 1)
		return cli_fail("%s", USAGE);
	enum err e = file_read_input(argv[optind], 128u * 1024 * 1024, &data, &len);
	if (e != ERR_OK)
		return 1; /* said why */
	struct app *a = cli_open(dir, 2);
	if (!a) {
		free(data);
		return 1;
	}
	struct store_conn *c = store_acquire(a->store);
	struct store_stmt *st = store_prepare(c, "SELECT id, role FROM users WHERE login = ?1");
	if (st) {
		store_bind_text(st, 1, login);
		if (store_step(st) == STORE_ROW &&
		    (role_parse(store_col_text(st, 1)) & (ROLE_GRANT_STAFF | ROLE_GRANT_APPROVER)))
			uid = store_col_int(st, 0);
		store_finish(st);
	}
	if (!uid) {
		fprintf(stderr, "mimamori: 利用者 %s は区の助成担当（grant_staff・grant_approver）で"
				"はありません\n",
			login);
		goto out;
	}
	snprintf(actor, sizeof actor, "user:%" PRId64, uid);
	struct sitter_returns r;
	e = sitter_payment_returns(a, c, data, len, uid, actor, &r, why);
	if (e != ERR_OK) {
		fprintf(stderr, "mimamori: %s\n", why[0] ? why : err_message_ja(e));
		goto out;
	}
	for (size_t i = 0; i < r.matched; i++)
		printf("振込不能: 申請番号 %s（口座の訂正を依頼しました）\n", r.numbers[i]);
	printf("照合できた振込不能: %zu件、照合できなかった明細: %zu件\n", r.matched, r.unmatched);
	sitter_returns_free(&r);
	status = 0;
out:
	store_release(c);
	app_close(a);
	free(data);
	return status;
}

int sitter_cmd(int argc, char **argv)
{
	if (argc < 2)
		return cli_fail("%s", USAGE);
	const char *verb = argv[1];
	if (strcmp(verb, "import") == 0)
		return import(argc - 1, argv + 1);
	if (strcmp(verb, "staff") == 0)
		return grant_cmd_staff(argc - 1, argv + 1, SITTER_SERVICE,
				       "ベビーシッター利用支援事業");
	if (strcmp(verb, "transfer") == 0)
		return transfer(argc - 1, argv + 1);
	if (strcmp(verb, "returns") == 0)
		return returns(argc - 1, argv + 1);
	return cli_fail("%s", USAGE);
}
