/* SPDX-License-Identifier: MIT */
/* cli.c — `mimamori plaza …`: the users per plaza (list), the desk's search, the counts as CSV,
 * registration cards as a PDF (recorded in the handover ledger), the April update of 学年, the
 * users not seen for years (listed, and deleted with --delete --count N) and a desk account's
 * plaza. The command line runs on the server with the data directory's rights; its work is
 * audited as "cli". */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth/audit.h"
#include "base/clock.h"
#include "base/file.h"
#include "base/xalloc.h"
#include "cli.h"
#include "ledger/ledger.h"
#include "plaza/plaza.h"
#include "store/store.h"
#include "vault/vault.h"

int plaza_cmd(int argc, char **argv);

#define USAGE                                                                                             \
	"使い方: mimamori plaza list --data DIR\n"                                                     \
	"        mimamori plaza search --data DIR --plaza P 検索語\n"                                  \
	"        mimamori plaza counts --data DIR [--plaza P] [--from 日付] [--to 日付]\n"            \
	"        mimamori plaza cards --data DIR --plaza P --out FILE.pdf (--all | カード番号…)\n" \
	"        mimamori plaza april-update --data DIR [--year 年度]\n"                                \
	"        mimamori plaza inactive --data DIR [--years N] [--delete --count N]\n"                   \
	"        mimamori plaza staff --data DIR --login L --plaza P\n"                                   \
	"  P: 平井・中央・南小岩・葛西・南篠崎（hirai, chuo, minamikoiwa, kasai, "       \
	"minamishinozaki）"

struct opts {
	const char *dir, *plaza, *from, *to, *out, *login;
	int year, years, all, del;
	long count;
	int64_t plaza_id;
};

/* users per plaza and visits this month. */
static int cmd_list(struct app *a)
{
	char today[11], first[11];
	clock_jst_date(clock_now_ms(), today, sizeof today);
	snprintf(first, sizeof first, "%.8s01", today);
	struct store_conn *c = store_acquire(a->store);
	printf("プラザ\t登録者数\t今月の来館数\n");
	for (int64_t p = 1; p <= PLAZA_COUNT; p++) {
		int64_t users = 0, visits = 0;
		struct store_stmt *st = store_prepare(
		    c, "SELECT (SELECT count(*) FROM plaza_users WHERE plaza_id = ?1), (SELECT "
		       "count(*) FROM plaza_visits WHERE plaza_id = ?1 AND on_date >= ?2)");
		if (st) {
			store_bind_int(st, 1, p);
			store_bind_text(st, 2, first);
			if (store_step(st) == STORE_ROW) {
				users = store_col_int(st, 0);
				visits = store_col_int(st, 1);
			}
		}
		store_finish(st);
		printf("%s\t%" PRId64 "\t%" PRId64 "\n", plaza_name(p), users, visits);
	}
	store_release(c);
	return 0;
}

static int cmd_search(struct app *a, const struct opts *o, const char *q)
{
	int64_t *ids = NULL;
	size_t n = 0, total = 0;
	const char *why = NULL;
	char today[11], object[32];
	clock_jst_date(clock_now_ms(), today, sizeof today);
	const struct vault *v = plaza_vault(a);
	struct store_conn *c = store_acquire(a->store);
	enum err e = plaza_search(c, v, o->plaza_id, q, PLAZA_SHOW, &ids, &n, &total, &why);
	for (size_t i = 0; e == ERR_OK && i < n; i++) {
		struct plaza_user u;
		e = plaza_user_load(c, v, ids[i], &u);
		if (e == ERR_OK)
			printf("%s\t%s\t%s\t%s\t%d歳\t%s\t%s\n", u.card_no, u.f[PF_KANA],
			       u.f[PF_NAME], u.f[PF_BIRTH], plaza_age(u.f[PF_BIRTH], today),
			       u.f[PF_SCHOOL], u.f[PF_GRADE]);
		plaza_user_clear(&u);
	}
	snprintf(object, sizeof object, "plaza:%s", plaza_code(o->plaza_id));
	if (e == ERR_OK)
		e = audit_append(c, a->vault, "cli", "plaza.search", object, "");
	store_release(c);
	free(ids);
	if (e != ERR_OK) {
		fprintf(stderr, "mimamori: %s\n", why ? why : err_message_ja(e));
		return 1;
	}
	if (total > n)
		printf("%zu件中、ふりがな順の最初の%zu件です。\n", total, n);
	else
		printf("%zu件です。\n", total);
	return 0;
}

static int cmd_counts(struct app *a, const struct opts *o)
{
	char today[11], first[11];
	clock_jst_date(clock_now_ms(), today, sizeof today);
	snprintf(first, sizeof first, "%.8s01", today);
	struct buf out;
	buf_init(&out, 64u << 20);
	struct store_conn *c = store_acquire(a->store);
	enum err e =
	    plaza_counts(c, o->plaza_id, o->from ? o->from : first, o->to ? o->to : today, 1, &out);
	store_release(c);
	if (e == ERR_OK && out.data)
		fwrite(out.data, 1, out.len, stdout);
	buf_free(&out);
	if (e != ERR_OK)
		fprintf(stderr, "mimamori: %s\n", err_message_ja(e));
	return e == ERR_OK ? 0 : 1;
}

/* The ids of the plaza's users: all of them (at most PLAZA_CARDS_MAX, by card number) or those
 * of the card numbers given. */
static enum err card_ids(struct store_conn *c, const struct opts *o, char **cards, int n,
			 int64_t **ids, size_t *k)
{
	*ids = xcalloc(PLAZA_CARDS_MAX, sizeof **ids);
	*k = 0;
	for (int i = 0; i < (o->all ? 1 : n); i++) {
		struct store_stmt *st = store_prepare(
		    c, o->all ? "SELECT id FROM plaza_users WHERE plaza_id = ?1 ORDER BY card_no "
				"LIMIT 1000"
			      : "SELECT id FROM plaza_users WHERE plaza_id = ?1 AND card_no = ?2");
		if (!st)
			return ERR_DB;
		store_bind_int(st, 1, o->plaza_id);
		if (!o->all)
			store_bind_text(st, 2, cards[i]);
		size_t before = *k;
		while (*k < PLAZA_CARDS_MAX && store_step(st) == STORE_ROW)
			(*ids)[(*k)++] = store_col_int(st, 0);
		store_finish(st);
		if (!o->all && *k == before) {
			fprintf(stderr, "mimamori: カード番号 %s はこのプラザの登録にありません\n",
				cards[i]);
			return ERR_NOTFOUND;
		}
	}
	return *k ? ERR_OK : ERR_NOTFOUND;
}

static int cmd_cards(struct app *a, const struct opts *o, char **cards, int n)
{
	int64_t *ids = NULL, ledger_id = 0;
	size_t k = 0;
	char content[96], object[32];
	if (!o->out || (!o->all && n == 0) || (o->all && n) || n > PLAZA_CARDS_MAX)
		return cli_fail("%s", USAGE);
	struct buf pdf;
	buf_init(&pdf, 64u << 20);
	struct store_conn *c = store_acquire(a->store);
	enum err e = card_ids(c, o, cards, n, &ids, &k);
	if (e == ERR_OK)
		e = plaza_cards_pdf(c, plaza_vault(a), o->plaza_id, ids, k, &pdf);
	store_release(c);
	free(ids);
	if (e == ERR_OK) {
		snprintf(content, sizeof content, "cards %s pdf users=%zu", plaza_code(o->plaza_id),
			 k);
		snprintf(object, sizeof object, "plaza:%s", plaza_code(o->plaza_id));
		struct ledger_item it = {.service = PLAZA_SERVICE,
					 .actor = "cli",
					 .content = content,
					 .object = object,
					 .records = k,
					 .data = pdf.data,
					 .len = pdf.len};
		e = ledger_record(a, &it, &ledger_id);
		if (e == ERR_OK && file_write_export(o->out, pdf.data, pdf.len) != ERR_OK)
			e = ERR_IO; /* said on stderr */
	} else {
		fprintf(stderr, "mimamori: 登録カードを作れません: %s\n", err_message_ja(e));
	}
	buf_free(&pdf);
	if (e != ERR_OK)
		return 1;
	printf("%s に登録カード %zu 枚を書き出しました。受け渡し台帳の %" PRId64
	       " 番に記録しました\n",
	       o->out, k, ledger_id);
	return 0;
}

static int cmd_april(struct app *a, const struct opts *o)
{
	char today[11];
	size_t moved = 0;
	int before = 0;
	clock_jst_date(clock_now_ms(), today, sizeof today);
	int fy = o->year ? o->year : plaza_fiscal_year(today);
	if (fy > plaza_fiscal_year(today) || fy < 2000)
		return cli_fail("年度は今年度（%d）までです", plaza_fiscal_year(today));
	struct store_conn *c = store_acquire(a->store);
	enum err e = plaza_grade_update(c, a->vault, plaza_vault(a), fy, "cli", clock_now_ms(),
					&moved, &before);
	store_release(c);
	if (e != ERR_OK) {
		fprintf(stderr, "mimamori: 学年を更新できません: %s\n", err_message_ja(e));
		return 1;
	}
	if (before)
		printf("%d年度の学年更新は済んでいます（何も変えていません）\n", fy);
	else
		printf("%d年度の学年に %zu 人を更新しました\n", fy, moved);
	return 0;
}

static int cmd_inactive(struct app *a, const struct opts *o)
{
	char today[11], cutoff[11];
	int years = o->years ? o->years : plaza_inactive_years(a);
	if (years < 1 || years > 20)
		return cli_fail("--years は1から20です");
	clock_jst_date(clock_now_ms(), today, sizeof today);
	plaza_cutoff(today, years, cutoff);
	struct store_conn *c = store_acquire(a->store);
	int64_t *ids = NULL;
	size_t n = 0, deleted = 0;
	enum err e;
	if (o->del) {
		if (o->count < 0) {
			store_release(c);
			return cli_fail(
			    "--delete には一覧で確かめた人数を --count N で付けてください");
		}
		e = plaza_inactive_delete(c, a->vault, 0, cutoff, (size_t)o->count, "cli",
					  &deleted);
		if (e == ERR_OK)
			printf("%s より前から来館のない %zu 人を削除しました（監査ログに記録）\n",
			       cutoff, deleted);
		else if (e == ERR_CONFLICT)
			fprintf(stderr,
				"mimamori: 人数が --count と違います。一覧を確かめてください\n");
	} else {
		e = plaza_inactive_list(c, 0, cutoff, &ids, &n);
		for (size_t i = 0; e == ERR_OK && i < n; i++) {
			struct store_stmt *st = store_prepare(
			    c, "SELECT plaza_id, card_no, active_on FROM plaza_users WHERE id = ?");
			if (!st)
				break;
			store_bind_int(st, 1, ids[i]);
			if (store_step(st) == STORE_ROW)
				printf("%s\t%s\t%s\n", plaza_name(store_col_int(st, 0)),
				       store_col_text(st, 1), store_col_text(st, 2));
			store_finish(st);
		}
		if (e == ERR_OK)
			printf("%d年以上（%s より前から）来館のない利用者: %zu 人\n", years, cutoff,
			       n);
		free(ids);
	}
	store_release(c);
	if (e != ERR_OK && e != ERR_CONFLICT)
		fprintf(stderr, "mimamori: %s\n", err_message_ja(e));
	return e == ERR_OK ? 0 : 1;
}

static int cmd_staff(struct app *a, const struct opts *o)
{
	int64_t uid = 0;
	struct store_conn *c = store_acquire(a->store);
	struct store_stmt *st = store_prepare(c, "SELECT id, role FROM users WHERE login = ?");
	if (st) {
		store_bind_text(st, 1, o->login);
		if (store_step(st) == STORE_ROW &&
		    strcmp(store_col_text(st, 1), "plaza_staff") == 0)
			uid = store_col_int(st, 0);
	}
	store_finish(st);
	enum err e = uid ? store_begin(c) : ERR_NOTFOUND;
	if (e == ERR_OK)
		e = plaza_staff_set(c, uid, o->plaza_id);
	if (e == ERR_OK) {
		char object[32];
		snprintf(object, sizeof object, "user:%" PRId64, uid);
		e = audit_append(c, a->vault, "cli", "plaza.staff", object,
				 plaza_code(o->plaza_id));
	}
	if (e == ERR_OK)
		e = store_commit(c);
	else if (store_in_tx(c))
		store_rollback(c);
	store_release(c);
	if (e == ERR_NOTFOUND)
		fprintf(stderr, "mimamori: 利用者 %s はプラザの職員（plaza_staff）ではありません\n",
			o->login);
	else if (e != ERR_OK)
		fprintf(stderr, "mimamori: %s\n", err_message_ja(e));
	else
		printf("%s を共育プラザ%sの職員にしました\n", o->login, plaza_name(o->plaza_id));
	return e == ERR_OK ? 0 : 1;
}

int plaza_cmd(int argc, char **argv)
{
	static const struct option lo[] = {
	    {"data", required_argument, 0, 'd'},  {"plaza", required_argument, 0, 'p'},
	    {"from", required_argument, 0, 'f'},  {"to", required_argument, 0, 't'},
	    {"out", required_argument, 0, 'o'},	  {"login", required_argument, 0, 'l'},
	    {"year", required_argument, 0, 'y'},  {"years", required_argument, 0, 'Y'},
	    {"all", no_argument, 0, 'a'},	  {"delete", no_argument, 0, 'x'},
	    {"count", required_argument, 0, 'c'}, {0, 0, 0, 0}};
	struct opts o = {.count = -1};
	if (argc < 2)
		return cli_fail("%s", USAGE);
	const char *verb = argv[1];
	int ch;
	long n = 0;
	optind = 2;
	while ((ch = cli_getopt(argc, argv, lo)) != -1) {
		switch (ch) {
		case 'd':
			o.dir = optarg;
			break;
		case 'p':
			o.plaza = optarg;
			break;
		case 'f':
			o.from = optarg;
			break;
		case 't':
			o.to = optarg;
			break;
		case 'o':
			o.out = optarg;
			break;
		case 'l':
			o.login = optarg;
			break;
		case 'y':
			if (cli_number(optarg, 2000, 9999, &n) != 0)
				return cli_fail("--year は西暦の年度の数字で指定してください（例 2026）");
			o.year = (int)n;
			break;
		case 'Y':
			if (cli_number(optarg, 1, 20, &n) != 0)
				return cli_fail("--years は1から20です");
			o.years = (int)n;
			break;
		case 'a':
			o.all = 1;
			break;
		case 'x':
			o.del = 1;
			break;
		case 'c':
			if (cli_number(optarg, 0, 1000000, &n) != 0)
				return cli_fail("--count は人数の数字で指定してください");
			o.count = n;
			break;
		default:
			return cli_fail("%s", USAGE);
		}
	}
	if (!o.dir)
		return cli_fail("%s", USAGE);
	if (o.plaza && !(o.plaza_id = plaza_find(o.plaza)))
		return cli_fail("プラザ %s はありません（平井・中央・南小岩・葛西・南篠崎）",
				o.plaza);
	int need_plaza =
	    strcmp(verb, "search") == 0 || strcmp(verb, "cards") == 0 || strcmp(verb, "staff") == 0;
	if (need_plaza && !o.plaza_id)
		return cli_fail("--plaza を付けてください");
	if (strcmp(verb, "staff") == 0 && !o.login)
		return cli_fail("%s", USAGE);
	if (strcmp(verb, "search") == 0 && optind != argc - 1)
		return cli_fail("%s", USAGE);
	struct app *a = cli_open(o.dir, 2);
	if (!a)
		return 1;
	int rc;
	if (strcmp(verb, "list") == 0)
		rc = cmd_list(a);
	else if (strcmp(verb, "search") == 0)
		rc = cmd_search(a, &o, argv[optind]);
	else if (strcmp(verb, "counts") == 0)
		rc = cmd_counts(a, &o);
	else if (strcmp(verb, "cards") == 0)
		rc = cmd_cards(a, &o, argv + optind, argc - optind);
	else if (strcmp(verb, "april-update") == 0)
		rc = cmd_april(a, &o);
	else if (strcmp(verb, "inactive") == 0)
		rc = cmd_inactive(a, &o);
	else if (strcmp(verb, "staff") == 0)
		rc = cmd_staff(a, &o);
	else
		rc = cli_fail("%s", USAGE);
	app_close(a);
	return rc;
}
