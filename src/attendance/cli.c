/* SPDX-License-Identifier: MIT */
/* cli.c — the attendance subcommands: site add|set, import children, card issue|sheet, kiosk
 * add. */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "base/file.h"
#include "attendance/attendance.h"
#include "attendance/card_admin.h"
#include "attendance/report.h"
#include "auth/audit.h"
#include "auth/device.h"
#include "base/xalloc.h"
#include "store/store.h"
#include "vault/vault.h"

#define SITE_SET_USAGE                                                                           \
	"使い方: mimamori site set CODE --data DIR [--opens HH:MM] [--closes HH:MM] "             \
	"[--arrival HH:MM] [--grace MIN] [--deadline HH:MM] [--phone NUMBER] "                    \
	"[--alert-email ADDR] [--alert-guardians yes|no]"

/* `site set CODE`: hours and the settings of plans and alerts. */
static int site_set(int argc, char **argv)
{
	static const struct option opts[] = {
		{"data", required_argument, 0, 'd'},	   {"opens", required_argument, 0, 'o'},
		{"closes", required_argument, 0, 'x'},	   {"arrival", required_argument, 0, 'a'},
		{"grace", required_argument, 0, 'g'},	   {"deadline", required_argument, 0, 'l'},
		{"phone", required_argument, 0, 'p'},	   {"alert-email", required_argument, 0, 'e'},
		{"alert-guardians", required_argument, 0, 'G'}, {0, 0, 0, 0}};
	const char *dir = NULL, *val[128] = {0}, *why = NULL;
	int ch;
	while ((ch = cli_getopt(argc, argv, opts)) != -1) {
		if (ch == '?' || ch < 0 || ch >= 128)
			return cli_fail(SITE_SET_USAGE);
		if (ch == 'd')
			dir = optarg;
		else
			val[ch] = optarg;
	}
	if (!dir || optind != argc - 1)
		return cli_fail(SITE_SET_USAGE);
	const char *code = argv[optind];
	if (val['G'] && strcmp(val['G'], "yes") != 0 && strcmp(val['G'], "no") != 0)
		return cli_fail("site set: 保護者への未到着メール（--alert-guardians）は yes か no で"
				"指定してください");
	char *end = NULL;
	long grace = val['g'] ? strtol(val['g'], &end, 10) : 0;
	if (val['g'] && (!end || *end || grace < 0 || grace > 240))
		return cli_fail("site set: 猶予（--grace）は0〜240の分数で指定してください");
	struct app *a = cli_open(dir, 1);
	if (!a)
		return 1;
	struct site s;
	struct store_conn *c = store_acquire(a->store);
	enum err e = site_find(c, code, &s);
	store_release(c);
	if (e == ERR_OK) {
		const struct {
			int opt;
			char *dst;
			size_t n;
			const char *too_long; /* what to say when v does not fit */
		} texts[] = {
		    {'o', s.opens, sizeof s.opens, "開所（--opens）は HH:MM の形で指定してください"},
		    {'x', s.closes, sizeof s.closes, "閉所（--closes）は HH:MM の形で指定してください"},
		    {'a', s.arrival, sizeof s.arrival,
		     "到着予定（--arrival）は HH:MM の形で指定してください"},
		    {'l', s.deadline, sizeof s.deadline,
		     "当日の変更の締切（--deadline）は HH:MM の形で指定してください"},
		    {'p', s.phone, sizeof s.phone, "電話番号（--phone）が長すぎます"},
		    {'e', s.alert_email, sizeof s.alert_email,
		     "未到着の通知先（--alert-email）のアドレスが長すぎます"}};
		for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
			const char *v = val[texts[i].opt];
			if (v && strlen(v) >= texts[i].n) {
				if (!why)
					why = texts[i].too_long;
				e = ERR_INVALID;
			} else if (v) {
				memcpy(texts[i].dst, v, strlen(v) + 1);
			}
		}
		if (val['g'])
			s.grace_min = (int)grace;
		if (val['G'])
			s.alert_guardians = strcmp(val['G'], "yes") == 0;
	}
	if (e == ERR_OK)
		e = site_update(a, "cli", &s, &why);
	app_close(a);
	if (e != ERR_OK) {
		fprintf(stderr, "mimamori: site set: %s\n",
			e == ERR_NOTFOUND ? "この施設コードの施設はありません"
			: why		  ? why
					  : err_message_ja(e));
		return 1;
	}
	printf("施設 %s: 開所 %s〜%s、到着予定 %s（%d分過ぎて未到着）、当日の変更の締切 %s、"
	       "電話 %s、未到着の通知先 %s%s\n",
	       s.code, s.opens, s.closes, s.arrival, s.grace_min, s.deadline,
	       s.phone[0] ? s.phone : "（なし）", s.alert_email[0] ? s.alert_email : "（なし）",
	       s.alert_guardians ? "と保護者" : "");
	return 0;
}

int cmd_site(int argc, char **argv)
{
	const char *dir = NULL, *code = NULL, *name = NULL, *type = NULL, *opens = "13:00",
		   *closes = "19:00", *why = NULL;
	static const struct option opts[] = {
		{"data", required_argument, 0, 'd'}, {"code", required_argument, 0, 'c'},
		{"name", required_argument, 0, 'n'}, {"type", required_argument, 0, 't'},
		{"opens", required_argument, 0, 'o'}, {"closes", required_argument, 0, 'x'},
		{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	if (cli_verb(&argc, &argv, "set"))
		return site_set(argc, argv);
	if (!cli_verb(&argc, &argv, "add"))
		return cli_fail("使い方: mimamori site add --data DIR --code CODE --name NAME "
				"--type gakudo|hiroba_plus [--opens HH:MM] [--closes HH:MM]\n" SITE_SET_USAGE);
	int ch;
	while ((ch = cli_getopt(argc, argv, opts)) != -1) {
		switch (ch) {
		case 'd': dir = optarg; break;
		case 'c': code = optarg; break;
		case 'n': name = optarg; break;
		case 't': type = optarg; break;
		case 'o': opens = optarg; break;
		case 'x': closes = optarg; break;
		default:
			return cli_fail("使い方: mimamori site add --data DIR --code CODE --name NAME "
					"--type gakudo|hiroba_plus [--opens HH:MM] [--closes HH:MM]");
		}
	}
	if (!dir || !code || !name || !type)
		return cli_fail("site add: --data、--code（施設コード）、--name（施設名）、--type（種類）を"
				"指定してください");
	struct app *a = cli_open(dir, 1);
	if (!a)
		return 1;
	enum err e = site_add(a, code, name, type, opens, closes, &why);
	app_close(a);
	if (e != ERR_OK) {
		fprintf(stderr, "mimamori: site add: %s\n", why ? why : err_message_ja(e));
		return 1;
	}
	printf("施設 %s を追加しました\n", code);
	return 0;
}

static void print_row_error(size_t line, const char *reason, void *ctx)
{
	(void)ctx;
	fprintf(stderr, "%zu行目: %s\n", line, reason);
}

int cmd_import(int argc, char **argv)
{
	const char *dir = NULL, *why = NULL;
	static const struct option opts[] = {{"data", required_argument, 0, 'd'}, {0, 0, 0, 0}};
	if (!cli_verb(&argc, &argv, "children"))
		return cli_fail("使い方: mimamori import children --data DIR FILE.csv");
	int ch;
	while ((ch = cli_getopt(argc, argv, opts)) != -1) {
		if (ch != 'd')
			return cli_fail("使い方: mimamori import children --data DIR FILE.csv");
		dir = optarg;
	}
	if (!dir || optind != argc - 1)
		return cli_fail("使い方: mimamori import children --data DIR FILE.csv");
	size_t len = 0;
	char *data = NULL;
	if (file_read_input(argv[optind], 64u << 20, &data, &len) != ERR_OK)
		return 1; /* said why */
	struct app *a = cli_open(dir, 1);
	if (!a) {
		free(data);
		return 1;
	}
	struct import_report rep;
	enum err e = roster_import(a, data, len, &rep, print_row_error, NULL, &why);
	vault_wipe(data, len);
	free(data);
	app_close(a);
	if (e != ERR_OK) {
		fprintf(stderr, "mimamori: import: %s\n", why ? why : err_message_ja(e));
		return 1;
	}
	printf("%zu行のうち%zu行を取り込みました（%s）: 児童 追加 %zu・更新 %zu、保護者 追加 %zu"
	       "%s、取り込めなかった行 %zu\n",
	       rep.rows, rep.applied, rep.encoding, rep.children_added, rep.children_updated,
	       rep.guardians_added, rep.guardians_added ? "（確認メールを送ります）" : "",
	       rep.rejected);
	return rep.rejected ? 1 : 0;
}

static int card_issue_cmd(struct app *a, const char *child_no, const char *site_code)
{
	struct store_conn *c = store_acquire(a->store);
	struct store_stmt *st = NULL;
	int64_t *ids = NULL;
	size_t n = 0, cap = 0;
	int status = 1, said = 0;
	if (site_code) {
		struct site s;
		if (site_find(c, site_code, &s) != ERR_OK) {
			fprintf(stderr, "mimamori: card issue: 施設 %s はありません\n", site_code);
			said = 1;
			goto out;
		}
		st = store_prepare(c, "SELECT id FROM children WHERE site_id = ? AND active = 1");
		if (st)
			store_bind_int(st, 1, s.id);
	} else {
		st = store_prepare(c, "SELECT id FROM children WHERE child_no = ? AND active = 1");
		if (st)
			store_bind_text(st, 1, child_no);
	}
	if (!st)
		goto out;
	while (store_step(st) == STORE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			ids = xrealloc(ids, cap * sizeof *ids);
		}
		ids[n++] = store_col_int(st, 0);
	}
	store_finish(st);
	st = NULL;
	if (n == 0) {
		fprintf(stderr, "mimamori: card issue: 該当する子ども（登録中）がいません\n");
		said = 1;
		goto out;
	}
	if (store_begin(c) != ERR_OK)
		goto out;
	for (size_t i = 0; i < n; i++) {
		char *code = NULL;
		if (card_issue(a, c, ids[i], &code) != ERR_OK)
			goto out;
		vault_wipe_free(code);
	}
	char detail[32];
	snprintf(detail, sizeof detail, "cards=%zu", n);
	if (audit_append(c, a->vault, "cli", "card.issue", site_code ? site_code : "child",
			 detail) != ERR_OK ||
	    store_commit(c) != ERR_OK)
		goto out;
	printf("カードを %zu 枚発行しました。この子どもたちの以前のカードは使えなくなりました\n", n);
	status = 0;
	said = 1;
out:
	if (!said)
		fprintf(stderr, "mimamori: card issue: カードを保存できませんでした\n");
	store_finish(st);
	store_rollback(c);
	store_release(c);
	free(ids);
	return status;
}

/* `card sheet`: the site's A4 card sheet (names and card codes) written to path and recorded
 * in the handover ledger, as the page's download is. Returns the exit status. */
static int card_sheet_cmd(struct app *a, const char *site_code, const char *path)
{
	struct site site;
	struct report_out out;
	const char *why = NULL;
	size_t count = 0;
	int64_t id = 0;
	int status = 1;
	memset(&out, 0, sizeof out);
	struct store_conn *c = store_acquire(a->store);
	enum err e = site_find(c, site_code, &site);
	store_release(c);
	if (e != ERR_OK) {
		fprintf(stderr, "mimamori: card sheet: %s\n",
			e == ERR_NOTFOUND ? "この施設コードの施設はありません" : err_message_ja(e));
		return 1;
	}
	buf_init(&out.data, REPORT_MAX_BYTES);
	buf_init(&out.lossy_list, 64);
	e = card_sheet_pdf(a, "cli", &site, NULL, 0, &out.data, &count, &why);
	if (e != ERR_OK) {
		fprintf(stderr, "mimamori: card sheet: %s\n", why ? why : err_message_ja(e));
		goto out;
	}
	out.content_type = "application/pdf";
	out.records = count;
	snprintf(out.filename, sizeof out.filename, "cards-%s.pdf", site.code);
	snprintf(out.content, sizeof out.content, "cards %s pdf", site.code);
	snprintf(out.object, sizeof out.object, "site:%s", site.code);
	e = report_write_recorded(a, "cli", path, &out, &id);
	if (e != ERR_OK && e != ERR_IO) /* ERR_IO: file_write_export said why */
		fprintf(stderr, "mimamori: card sheet: 出力を受け渡し台帳に記録できなかったため、"
				"ファイルを消しました\n");
	if (e != ERR_OK)
		goto out;
	printf("%s にカード %zu 枚を書き出しました。受け渡し台帳の %lld 番に記録しました\n", path,
	       count, (long long)id);
	status = 0;
out:
	report_out_free(&out);
	return status;
}

int cmd_card(int argc, char **argv)
{
	const char *dir = NULL, *child = NULL, *site = NULL, *outp = NULL;
	static const struct option opts[] = {
		{"data", required_argument, 0, 'd'}, {"child", required_argument, 0, 'c'},
		{"site", required_argument, 0, 's'}, {"out", required_argument, 0, 'o'},
		{0, 0, 0, 0}};
	const char *usage = "使い方: mimamori card issue --data DIR (--child CHILD_NO | --site CODE) "
			    "| card sheet --data DIR --site CODE --out FILE.pdf";
	if (argc < 2 || (strcmp(argv[1], "issue") != 0 && strcmp(argv[1], "sheet") != 0))
		return cli_fail("%s", usage);
	int sheet = strcmp(argv[1], "sheet") == 0;
	argc--;
	argv++;
	int ch;
	optind = 1;
	while ((ch = cli_getopt(argc, argv, opts)) != -1) {
		switch (ch) {
		case 'd': dir = optarg; break;
		case 'c': child = optarg; break;
		case 's': site = optarg; break;
		case 'o': outp = optarg; break;
		default: return cli_fail("%s", usage);
		}
	}
	if (!sheet && child && site)
		return cli_fail("card issue: --site（施設の全員）と --child（1人）は、どちらか一方だけを"
				"指定してください");
	if (!dir || (sheet && (!site || !outp)) || (!sheet && !child == !site))
		return cli_fail("%s", usage);
	struct app *a = cli_open(dir, 1);
	if (!a)
		return 1;
	int status;
	if (sheet) {
		status = card_sheet_cmd(a, site, outp);
	} else {
		status = card_issue_cmd(a, child, site);
	}
	app_close(a);
	return status;
}

int cmd_kiosk(int argc, char **argv)
{
	const char *dir = NULL, *code = NULL;
	static const struct option opts[] = {
		{"data", required_argument, 0, 'd'}, {"site", required_argument, 0, 's'}, {0, 0, 0, 0}};
	if (!cli_verb(&argc, &argv, "add"))
		return cli_fail("使い方: mimamori kiosk add --data DIR --site CODE");
	int ch;
	while ((ch = cli_getopt(argc, argv, opts)) != -1) {
		if (ch == 'd')
			dir = optarg;
		else if (ch == 's')
			code = optarg;
		else
			return cli_fail("使い方: mimamori kiosk add --data DIR --site CODE");
	}
	if (!dir || !code)
		return cli_fail("使い方: mimamori kiosk add --data DIR --site CODE");
	struct app *a = cli_open(dir, 1);
	if (!a)
		return 1;
	struct site s;
	char *token = NULL;
	int64_t kid = 0;
	int status = 1;
	struct store_conn *c = store_acquire(a->store);
	enum err e = site_find(c, code, &s);
	store_release(c);
	if (e != ERR_OK) {
		fprintf(stderr, "mimamori: kiosk add: 施設 %s はありません\n", code);
		goto out;
	}
	e = device_kiosk_add(a->store, s.id, &token, &kid);
	if (e != ERR_OK) {
		fprintf(stderr, "mimamori: kiosk add: %s\n", err_message_ja(e));
		goto out;
	}
	c = store_acquire(a->store);
	char object[48];
	snprintf(object, sizeof object, "kiosk:%lld", (long long)kid);
	audit_append(c, a->vault, "cli", "kiosk.add", object, s.code);
	store_release(c);
	printf("%s\n", token);
	fprintf(stderr, "施設 %s の受付端末（kiosk %lld）: 上の鍵（トークン）を、端末の画面"
			"（/kiosk/）で一度だけ入力してください。鍵は二度と表示されません。\n",
		s.code, (long long)kid);
	status = 0;
out:
	vault_wipe_free(token);
	app_close(a);
	return status;
}
