/* SPDX-License-Identifier: MIT */
/* cli.c — `mimamori youth …`: the counts of cases (a worker's own with --login), a worker's
 * plaza, the report of openings, and a case's handover file (sealed with a passphrase read from
 * standard input, recorded in the handover ledger). No personal data is printed. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth/audit.h"
#include "auth/role.h"
#include "base/clock.h"
#include "casework/cli.h"
#include "cli.h"
#include "store/store.h"
#include "vault/vault.h"
#include "youth/api.h"

int youth_cmd(int argc, char **argv);

#define USAGE                                                                                      \
	"使い方: mimamori youth list --data DIR [--login L]\n"                                  \
	"        mimamori youth worker --data DIR --login L --plaza hirai|chuo|minamikoiwa|kasai|" \
	"minamishinozaki\n"                                                                        \
	"        mimamori youth handover --data DIR --login L --case Y2026-0001 --reason 理由 "  \
	"--out FILE  (パスフレーズは標準入力)\n"                                        \
	"        mimamori youth opens --data DIR [--pending]  (閲覧の記録、未確認の緊急閲覧)"

struct opts {
	const char *dir, *login, *plaza, *number, *reason, *out;
	int pending;
};

static int parse(int argc, char **argv, struct opts *o)
{
	static const struct option opts[] = {
	    {"data", required_argument, 0, 'd'},   {"login", required_argument, 0, 'l'},
	    {"plaza", required_argument, 0, 'p'},  {"case", required_argument, 0, 'c'},
	    {"reason", required_argument, 0, 'r'}, {"out", required_argument, 0, 'o'},
	    {"pending", no_argument, 0, 'P'},	   {0, 0, 0, 0}};
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
		case 'p':
			o->plaza = optarg;
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
		case 'P':
			o->pending = 1;
			break;
		default:
			return -1;
		}
	}
	return o->dir && optind == argc ? 0 : -1;
}

/* Finds the account login: its id and role; 0 when there is none. */
static int account(struct store_conn *c, const char *login, int64_t *id, enum role *role)
{
	return casework_cli_account(c, &youth_casework, login, id, role);
}

static int list(struct app *a, const struct opts *o)
{
	int64_t uid = 0;
	enum role role = ROLE_NONE;
	struct store_conn *c = store_acquire(a->store);
	if (o->login && !account(c, o->login, &uid, &role)) {
		store_release(c);
		return cli_fail("ユースサポートのアカウント %s が見つかりません", o->login);
	}
	int all = !o->login || role == ROLE_YOUTH_SUPERVISOR;
	struct store_stmt *st = store_prepare(
	    c, "SELECT k.unit, count(*), sum(CASE WHEN k.state = 'open' THEN 1 ELSE 0 END), "
	       "sum(k.referral), sum(CASE WHEN k.referral = 1 AND k.referral_seen IS NULL THEN 1 "
	       "ELSE 0 END) FROM yo_cases k WHERE ?1 = 1 OR EXISTS (SELECT 1 FROM yo_assignments "
	       "x JOIN yo_workers w ON w.user_id = x.user_id WHERE x.case_id = k.id AND x.user_id "
	       "= ?2 AND w.unit = k.unit) GROUP BY k.unit ORDER BY k.unit");
	if (!st) {
		store_release(c);
		return 1;
	}
	store_bind_int(st, 1, all);
	store_bind_int(st, 2, uid);
	printf("プラザ\t名称\t相談\t継続中\t区への連絡\t連絡未確認\n");
	long long total = 0;
	while (store_step(st) == STORE_ROW) {
		const char *u = store_col_text(st, 0), *label = youth_plaza_label(u);
		total += store_col_int(st, 1);
		printf("%s\t%s\t%lld\t%lld\t%lld\t%lld\n", u, label ? label : u,
		       (long long)store_col_int(st, 1), (long long)store_col_int(st, 2),
		       (long long)store_col_int(st, 3), (long long)store_col_int(st, 4));
	}
	store_finish(st);
	st = store_prepare(c, "SELECT count(*) FROM yo_opens WHERE break_glass = 1 AND "
			      "reviewed_by IS NULL");
	long long glass = st && store_step(st) == STORE_ROW ? (long long)store_col_int(st, 0) : 0;
	store_finish(st);
	store_release(c);
	printf("# %lld件%s、未確認の緊急閲覧 %lld件\n", total, all ? "（全プラザ）" : "（担当分）",
	       glass);
	return 0;
}

static int worker(struct app *a, const struct opts *o)
{
	int64_t uid = 0;
	enum role role = ROLE_NONE;
	if (!o->login || !youth_plaza_label(o->plaza))
		return cli_fail("%s", USAGE);
	struct store_conn *c = store_acquire(a->store);
	enum err e = ERR_NOTFOUND;
	if (account(c, o->login, &uid, &role) && role == ROLE_YOUTH_WORKER) {
		char object[48];
		snprintf(object, sizeof object, "user:%lld", (long long)uid);
		e = store_begin(c);
		if (e == ERR_OK)
			e = casework_worker_set(c, &youth_casework, uid, o->plaza, 0,
						clock_now_ms());
		if (e == ERR_OK)
			e = audit_append(c, a->vault, "cli", "youth.worker_plaza", object,
					 o->plaza);
		if (e == ERR_OK)
			e = store_commit(c);
		else
			store_rollback(c);
	}
	store_release(c);
	if (e == ERR_NOTFOUND)
		return cli_fail("youth_worker のアカウント %s が見つかりません", o->login);
	if (e != ERR_OK)
		return cli_fail("所属を登録できませんでした: %s", err_message_ja(e));
	printf("%s の所属を %s にしました。\n", o->login, youth_plaza_label(o->plaza));
	return 0;
}

static int handover(struct app *a, const struct opts *o)
{
	if (!o->login || !o->number || !o->out)
		return cli_fail("%s", USAGE);
	return casework_cli_handover(&youth_casework, a, o->login, o->number, o->reason, o->out,
				     "ケース", "担当またはスーパーバイザー");
}

/* The report of openings (the supervisor's, as on /youth/supervisor.html): when, which case,
 * who, the reason, break-glass and who reviewed it; --pending: break-glass not yet reviewed. */
static int opens(struct app *a, const struct opts *o)
{
	struct store_conn *c = store_acquire(a->store);
	json_t *arr = casework_opens_json(c, &youth_casework, 0, o->pending);
	struct store_stmt *st = NULL;
	size_t i;
	json_t *x;
	printf("番号\t日時\t相談番号\tログインID\t理由\t緊急閲覧\t確認者\n");
	json_array_foreach(arr, i, x)
	{
		char at[32], number[16] = "";
		st = store_prepare(c, "SELECT number FROM yo_cases WHERE id = ?1");
		if (st) {
			store_bind_int(st, 1,
				       (int64_t)json_integer_value(json_object_get(x, "case_id")));
			if (store_step(st) == STORE_ROW)
				snprintf(number, sizeof number, "%s", store_col_text(st, 0));
			store_finish(st);
		}
		clock_jst_iso((int64_t)json_integer_value(json_object_get(x, "at_ms")), at,
			      sizeof at);
		const char *rv = json_string_value(json_object_get(x, "reviewed_by"));
		printf("%lld\t%s\t%s\t%s\t%s\t%d\t%s\n",
		       (long long)json_integer_value(json_object_get(x, "id")), at, number,
		       json_string_value(json_object_get(x, "login")),
		       json_string_value(json_object_get(x, "reason")),
		       json_is_true(json_object_get(x, "break_glass")), rv ? rv : "");
	}
	printf("# %zu件%s\n", json_array_size(arr), o->pending ? "（未確認の緊急閲覧）" : "");
	json_decref(arr);
	store_release(c);
	return 0;
}

int youth_cmd(int argc, char **argv)
{
	struct opts o;
	int (*run)(struct app *, const struct opts *) = NULL;
	if (cli_verb(&argc, &argv, "list"))
		run = list;
	else if (cli_verb(&argc, &argv, "worker"))
		run = worker;
	else if (cli_verb(&argc, &argv, "handover"))
		run = handover;
	else if (cli_verb(&argc, &argv, "opens"))
		run = opens;
	if (!run || parse(argc, argv, &o) != 0)
		return cli_fail("%s", USAGE);
	struct app *a = cli_open(o.dir, 1);
	if (!a)
		return 1;
	int rc = run(a, &o);
	app_close(a);
	return rc;
}
