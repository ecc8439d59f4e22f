/* SPDX-License-Identifier: MIT */
/* cli.c — `mimamori centre …`: the counts of children, the bus list of a day (child numbers per
 * route, no names), a month's usage-fee statements as PDF files (each recorded in the handover
 * ledger), and a child's handover file (sealed with a passphrase read from standard input,
 * recorded in the handover ledger). No personal data is printed. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "auth/role.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/file.h"
#include "casework/cli.h"
#include "centre/api.h"
#include "cli.h"
#include "ledger/ledger.h"
#include "store/store.h"
#include "vault/vault.h"

int centre_cmd(int argc, char **argv);

#define USAGE                                                                                            \
	"使い方: mimamori centre list --data DIR\n"                                                   \
	"        mimamori centre bus --data DIR [--date 2026-11-24]  (ルートごとの児童番号)\n" \
	"        mimamori centre statements --data DIR --month 2026-11 [--make] [--out DIR]"             \
	"  (請求書PDF)\n"                                                                             \
	"        mimamori centre handover --data DIR --login L --case C2026-0001 --reason 理由 "       \
	"--out FILE  (パスフレーズは標準入力)"

struct opts {
	const char *dir, *login, *number, *reason, *out, *date, *month;
	int make;
};

static int parse(int argc, char **argv, struct opts *o)
{
	static const struct option opts[] = {{"data", required_argument, 0, 'd'},
					     {"login", required_argument, 0, 'l'},
					     {"case", required_argument, 0, 'c'},
					     {"reason", required_argument, 0, 'r'},
					     {"out", required_argument, 0, 'o'},
					     {"date", required_argument, 0, 'D'},
					     {"month", required_argument, 0, 'm'},
					     {"make", no_argument, 0, 'M'},
					     {0, 0, 0, 0}};
	int ch;
	memset(o, 0, sizeof *o);
	while ((ch = cli_getopt(argc, argv, opts)) != -1) {
		switch (ch) {
		case 'd':
			o->dir = optarg;
			break;
		case 'l':
			o->login = optarg;
			break;
		case 'c':
			o->number = optarg;
			break;
		case 'r':
			o->reason = optarg;
			break;
		case 'o':
			o->out = optarg;
			break;
		case 'D':
			o->date = optarg;
			break;
		case 'm':
			o->month = optarg;
			break;
		case 'M':
			o->make = 1;
			break;
		default:
			return -1;
		}
	}
	return o->dir && optind == argc ? 0 : -1;
}

static int list(struct app *a, const struct opts *o)
{
	(void)o;
	char until[11];
	struct store_conn *c = store_acquire(a->store);
	struct store_stmt *st = store_prepare(
	    c, "SELECT state, count(*), sum(CASE WHEN route IS NULL THEN 0 ELSE 1 END) FROM "
	       "ce_cases GROUP BY state ORDER BY state");
	if (!st) {
		store_release(c);
		return 1;
	}
	printf("状態\t児童\t送迎\n");
	while (store_step(st) == STORE_ROW)
		printf("%s\t%lld\t%lld\n", store_col_text(st, 0), (long long)store_col_int(st, 1),
		       (long long)store_col_int(st, 2));
	store_finish(st);
	clock_jst_date(clock_now_ms() + (int64_t)30 * 86400000, until, sizeof until);
	json_t *due = centre_reviews_due(c, until);
	st = store_prepare(c, "SELECT count(*) FROM ce_opens WHERE break_glass = 1 AND "
			      "reviewed_by IS NULL");
	long long glass = st && store_step(st) == STORE_ROW ? (long long)store_col_int(st, 0) : 0;
	store_finish(st);
	store_release(c);
	printf("# 計画の見直し（%sまで）%zu件、未確認の緊急閲覧 %lld件\n", until,
	       json_array_size(due), glass);
	json_decref(due);
	return 0;
}

static int bus(struct app *a, const struct opts *o)
{
	char day[11];
	json_t *arr = NULL;
	if (o->date)
		snprintf(day, sizeof day, "%s", o->date);
	else
		clock_jst_date(clock_now_ms(), day, sizeof day);
	struct store_conn *c = store_acquire(a->store);
	enum err e = centre_day_json(c, centre_vault(a), day, 1, 0, &arr);
	json_t *routes = centre_routes_json(c);
	store_release(c);
	if (e != ERR_OK) {
		json_decref(routes);
		return cli_fail("日付を年-月-日で与えてください（%s）", err_message_ja(e));
	}
	printf("ルート\t名称\t迎え\t送り\t児童番号\n");
	size_t i, j;
	json_t *r, *x;
	json_array_foreach(routes, i, r)
	{
		const char *code = json_string_value(json_object_get(r, "code"));
		struct buf nums;
		buf_init(&nums, 64 * 1024);
		int n = 0;
		json_array_foreach(arr, j, x)
		{
			const char *rc = json_string_value(json_object_get(x, "route"));
			const char *at = json_string_value(json_object_get(x, "attendance"));
			if (!rc || strcmp(rc, code) != 0 || (at && strcmp(at, "absent") == 0) ||
			    !json_is_true(json_object_get(x, "bus")))
				continue;
			buf_printf(&nums, "%s%s", n++ ? "," : "",
				   json_string_value(json_object_get(x, "number")));
		}
		printf("%s\t%s\t%s\t%s\t%.*s\n", code,
		       json_string_value(json_object_get(r, "label")),
		       json_string_value(json_object_get(r, "pickup")),
		       json_string_value(json_object_get(r, "dropoff")), (int)nums.len,
		       nums.data ? nums.data : "");
		buf_free(&nums);
	}
	printf("# %s: 通所予定 %zu人\n", day, json_array_size(arr));
	json_decref(arr);
	json_decref(routes);
	return 0;
}

static int statements(struct app *a, const struct opts *o)
{
	int made = 0, written = 0;
	if (!o->month)
		return cli_fail("%s", USAGE);
	/* Each PDF is recorded in the ledger before it is written: the folder must take them. */
	if (o->out && access(o->out, W_OK | X_OK) != 0)
		return cli_fail("出力先のフォルダ %s がないか、書き込めません", o->out);
	struct store_conn *c = store_acquire(a->store);
	enum err e = ERR_OK;
	if (o->make) {
		e = store_begin(c);
		if (e == ERR_OK)
			e = centre_statements_make(c, o->month, 0, 0, clock_now_ms(), &made);
		if (e == ERR_OK)
			e = store_commit(c);
		else
			store_rollback(c);
	}
	json_t *arr = e == ERR_OK ? centre_statements_json(c, 0, o->month) : NULL;
	store_release(c);
	size_t i;
	json_t *x;
	int said = 0;
	if (e == ERR_OK)
		printf("児童番号\t月\t日数\t1日の利用料\t上限額\t請求額\n");
	json_array_foreach(arr, i, x)
	{
		printf("%s\t%s\t%lld\t%lld\t%lld\t%lld\n",
		       json_string_value(json_object_get(x, "number")), o->month,
		       (long long)json_integer_value(json_object_get(x, "days")),
		       (long long)json_integer_value(json_object_get(x, "unit_fee")),
		       (long long)json_integer_value(json_object_get(x, "cap")),
		       (long long)json_integer_value(json_object_get(x, "amount")));
		if (!o->out || e != ERR_OK)
			continue;
		struct buf pdf;
		char name[64], path[4096], content[96], object[48];
		int64_t child = 0, sid = (int64_t)json_integer_value(json_object_get(x, "id"));
		buf_init(&pdf, 4 * 1024 * 1024);
		c = store_acquire(a->store);
		e = centre_statement_pdf(c, centre_vault(a), sid, &child, name, &pdf);
		store_release(c);
		snprintf(path, sizeof path, "%s/%s", o->out, name);
		snprintf(content, sizeof content, "statement %lld pdf", (long long)sid);
		snprintf(object, sizeof object, "centre_child:%lld", (long long)child);
		struct ledger_item it = {.service = CENTRE_SERVICE,
					 .actor = "cli",
					 .content = content,
					 .object = object,
					 .records = 1,
					 .data = pdf.data,
					 .len = pdf.len};
		if (e == ERR_OK)
			e = ledger_record(a, &it, NULL);
		if (e == ERR_OK && file_write_export(path, pdf.data, pdf.len) != ERR_OK) {
			e = ERR_IO;
			said = 1; /* file_write_export said why */
		}
		written += e == ERR_OK;
		if (pdf.data)
			vault_wipe(pdf.data, pdf.len);
		buf_free(&pdf);
	}
	json_decref(arr);
	if (e != ERR_OK)
		return said ? 1 : cli_fail("請求を作れませんでした: %s", err_message_ja(e));
	printf("# %s: 作成 %d件、PDF %d件%s%s\n", o->month, made, written, o->out ? " → " : "",
	       o->out ? o->out : "");
	return 0;
}

static int handover(struct app *a, const struct opts *o)
{
	if (!o->login || !o->number || !o->out)
		return cli_fail("%s", USAGE);
	return casework_cli_handover(&centre_casework, a, o->login, o->number, o->reason, o->out,
				     "児童", "担当職員または管理責任者");
}

int centre_cmd(int argc, char **argv)
{
	struct opts o;
	int (*run)(struct app *, const struct opts *) = NULL;
	if (cli_verb(&argc, &argv, "list"))
		run = list;
	else if (cli_verb(&argc, &argv, "bus"))
		run = bus;
	else if (cli_verb(&argc, &argv, "statements"))
		run = statements;
	else if (cli_verb(&argc, &argv, "handover"))
		run = handover;
	if (!run || parse(argc, argv, &o) != 0)
		return cli_fail("%s", USAGE);
	struct app *a = cli_open(o.dir, 1);
	if (!a)
		return 1;
	int rc = run(a, &o);
	app_close(a);
	return rc;
}
