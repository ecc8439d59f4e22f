/* SPDX-License-Identifier: MIT */
/* retention_cli.c — the retention job by hand (`mimamori retention run`) and the monthly audit
 * report (`mimamori audit report`), both on the terminal in Japanese. */
#include "retention_cli.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "app/audit_conf.h"
#include "app/retention.h"
#include "auth/audit_report.h"
#include "base/clock.h"
#include "cli.h"

#define RETENTION_USAGE "使い方: mimamori retention run --data DIR [--dry-run]"
#define REPORT_USAGE "使い方: mimamori audit report --data DIR --month YYYY-MM [--json]"

int cmd_retention(int argc, char **argv)
{
	static const struct option opts[] = {{"data", required_argument, 0, 'd'},
					     {"dry-run", no_argument, 0, 'n'},
					     {0, 0, 0, 0}};
	const char *dir = NULL;
	int dry = 0, ch;
	if (!cli_verb(&argc, &argv, "run"))
		return cli_fail(RETENTION_USAGE);
	while ((ch = cli_getopt(argc, argv, opts)) != -1) {
		if (ch == 'd')
			dir = optarg;
		else if (ch == 'n')
			dry = 1;
		else
			return cli_fail(RETENTION_USAGE);
	}
	if (!dir || optind < argc)
		return cli_fail(RETENTION_USAGE);
	struct app *a = cli_open(dir, 1);
	if (!a)
		return 1;
	struct retention_result r;
	enum err e = retention_run(a, clock_now_ms(), dry, "cli", &r);
	app_close(a);
	if (e == ERR_CRYPTO) {
		fputs("mimamori: retention: 監査ログのチェックポイントが改ざんされています。何も削除して"
		      "いません（mimamori audit verify で確かめてください）\n",
		      stderr);
		return 1;
	}
	if (e != ERR_OK) {
		fprintf(stderr, "mimamori: retention: 削除できませんでした（%s）。何も変えていません\n",
			err_message_ja(e));
		return 1;
	}
	printf(dry ? "保存期間を過ぎた記録（試しに数えただけで、削除していません）\n"
		   : "保存期間を過ぎた記録を削除しました\n");
	printf("種類\t保存期間\t%s\n", dry ? "削除される件数" : "削除した件数");
	for (size_t i = 0; i < r.n; i++)
		printf("%s (%s)\t%d 日\t%" PRId64 "\n", r.k[i].label_ja, r.k[i].key, r.k[i].days,
		       r.k[i].n);
	char before[16] = "";
	clock_jst_date(r.audit_before_ms, before, sizeof before);
	printf("監査ログ (audit)\t%d か月（%s より前）\t%" PRId64 "\n", r.audit_months, before,
	       r.audit_pruned);
	if (r.scrub_pending)
		puts("（削除した内容のファイルからの消去は、読み出し中の処理が終わってから次回に行い"
		     "ます）");
	return 0;
}

int cmd_audit_report(int argc, char **argv)
{
	static const struct option opts[] = {{"data", required_argument, 0, 'd'},
					     {"month", required_argument, 0, 'm'},
					     {"json", no_argument, 0, 'j'},
					     {0, 0, 0, 0}};
	const char *dir = NULL, *month = NULL;
	int json = 0, ch;
	if (!cli_verb(&argc, &argv, "report"))
		return cli_fail(REPORT_USAGE);
	while ((ch = cli_getopt(argc, argv, opts)) != -1) {
		if (ch == 'd')
			dir = optarg;
		else if (ch == 'm')
			month = optarg;
		else if (ch == 'j')
			json = 1;
		else
			return cli_fail(REPORT_USAGE);
	}
	if (!dir || !month || optind < argc)
		return cli_fail(REPORT_USAGE);
	struct app *a = cli_open(dir, 1);
	if (!a)
		return 1;
	struct audit_report_conf conf;
	struct audit_report_row *rows = NULL;
	size_t n = 0;
	audit_conf_read(a, &conf);
	enum err e = audit_report(a->store, month, &conf, &rows, &n);
	app_close(a);
	if (e == ERR_INVALID)
		return cli_fail("--month は 2027-04 のような年と月で指定してください");
	if (e != ERR_OK) {
		fprintf(stderr, "mimamori: audit report: %s\n", err_message_ja(e));
		return 1;
	}
	if (json) {
		printf("{\"month\":\"%s\",\"users\":[", month);
		for (size_t i = 0; i < n; i++)
			printf("%s{\"login\":\"%s\",\"reads\":%" PRId64 ",\"exports\":%" PRId64
			       ",\"denials\":%" PRId64 ",\"off_hours\":%" PRId64 ",\"median\":%" PRId64
			       ",\"flag_off_hours\":%s,\"flag_volume\":%s}",
			       i ? "," : "", rows[i].login, rows[i].reads, rows[i].exports,
			       rows[i].denials, rows[i].off_hours, rows[i].median,
			       rows[i].flag_off_hours ? "true" : "false",
			       rows[i].flag_volume ? "true" : "false");
		puts("]}");
	} else {
		printf("%s の監査ログの分析（職員ごと）\n", month);
		printf("利用者\t閲覧\t出力\t拒否\t時間外\t過去の中央値\t注意\n");
		for (size_t i = 0; i < n; i++)
			printf("%s\t%" PRId64 "\t%" PRId64 "\t%" PRId64 "\t%" PRId64 "\t%" PRId64
			       "\t%s%s\n",
			       rows[i].login, rows[i].reads, rows[i].exports, rows[i].denials,
			       rows[i].off_hours, rows[i].median,
			       rows[i].flag_off_hours ? "時間外の利用 " : "",
			       rows[i].flag_volume ? "件数がいつもより多い" : "");
		if (n == 0)
			puts("（この月の職員の記録はありません）");
	}
	free(rows);
	return 0;
}
