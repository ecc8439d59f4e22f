/* SPDX-License-Identifier: MIT */
/* cli_report.c — the export subcommands: report daily|monthly|plans (writes the file, then
 * records it in the handover ledger, as `card sheet` does through report_write_recorded) and
 * ledger list. */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "attendance/attendance.h"
#include "attendance/report.h"
#include "base/clock.h"
#include "base/file.h"
#include "store/store.h"

#define REPORT_USAGE                                                                               \
	"使い方: mimamori report daily --data DIR --site CODE [--date YYYY-MM-DD] "                \
	"--format pdf|xlsx|csv [--encoding utf8|cp932] --out FILE\n"                               \
	"        mimamori report monthly --data DIR --month YYYY-MM --format xlsx|csv|pdf --out FILE\n" \
	"        mimamori report plans --data DIR --site CODE [--from YYYY-MM-DD] [--days 1-14] "   \
	"[--format pdf] --out FILE"

enum err report_write_recorded(struct app *a, const char *actor, const char *path,
			       const struct report_out *out, int64_t *ledger_id)
{
	if (file_write_export(path, out->data.data, out->data.len) != ERR_OK)
		return ERR_IO; /* said on stderr */
	enum err e = report_record(a, actor, out, ledger_id);
	if (e != ERR_OK) {
		/* Unrecorded exports must not exist: take the file back. */
		unlink(path);
		return e == ERR_IO ? ERR_DB : e;
	}
	return ERR_OK;
}

int cmd_report(int argc, char **argv)
{
	const char *dir = NULL, *site_code = NULL, *date = NULL, *month = NULL, *format = NULL,
		   *encoding = NULL, *outp = NULL, *why = NULL;
	static const struct option opts[] = {
	    {"data", required_argument, 0, 'd'},   {"site", required_argument, 0, 's'},
	    {"date", required_argument, 0, 't'},   {"month", required_argument, 0, 'm'},
	    {"format", required_argument, 0, 'f'}, {"encoding", required_argument, 0, 'e'},
	    {"out", required_argument, 0, 'o'},	   {"from", required_argument, 0, 'F'},
	    {"days", required_argument, 0, 'n'},   {0, 0, 0, 0}};
	const char *from = NULL, *days = NULL;
	if (argc < 2 || (strcmp(argv[1], "daily") != 0 && strcmp(argv[1], "monthly") != 0 &&
			 strcmp(argv[1], "plans") != 0))
		return cli_fail("%s", REPORT_USAGE);
	int daily = strcmp(argv[1], "daily") == 0, plans = strcmp(argv[1], "plans") == 0;
	argc--;
	argv++;
	int ch;
	optind = 1;
	while ((ch = cli_getopt(argc, argv, opts)) != -1) {
		switch (ch) {
		case 'd':
			dir = optarg;
			break;
		case 's':
			site_code = optarg;
			break;
		case 't':
			date = optarg;
			break;
		case 'm':
			month = optarg;
			break;
		case 'f':
			format = optarg;
			break;
		case 'e':
			encoding = optarg;
			break;
		case 'o':
			outp = optarg;
			break;
		case 'F':
			from = optarg;
			break;
		case 'n':
			days = optarg;
			break;
		default:
			return cli_fail("%s", REPORT_USAGE);
		}
	}
	long ndays = 7;
	if (plans) {
		char *end = NULL;
		if (days)
			ndays = strtol(days, &end, 10);
		if (!format)
			format = "pdf";
		if (!site_code || month || date || encoding || (days && (!end || *end)))
			return cli_fail("%s", REPORT_USAGE);
	} else if ((from || days) ||
		   (daily && (!site_code || month)) ||
		   (!daily && (!month || site_code || date || encoding))) {
		return cli_fail("%s", REPORT_USAGE);
	}
	if (!dir || !format || !outp || optind != argc)
		return cli_fail("%s", REPORT_USAGE);
	struct app *a = cli_open(dir, 1);
	if (!a)
		return 1;
	struct report_out out;
	int status = 1;
	enum err e;
	memset(&out, 0, sizeof out);
	if (daily || plans) {
		struct site site;
		struct store_conn *c = store_acquire(a->store);
		e = site_find(c, site_code, &site);
		store_release(c);
		if (e != ERR_OK) {
			fprintf(stderr, "mimamori: report: 施設 %s はありません\n", site_code);
			goto out;
		}
		if (daily)
			e = report_daily(a, &site, date, format, encoding, &out, &why);
		else
			e = report_plans(a, &site, from, ndays >= 1 && ndays <= 14 ? (int)ndays : 0,
					 format, &out, &why);
	} else {
		e = report_monthly(a, month, format, &out, &why);
	}
	if (e != ERR_OK) {
		fprintf(stderr, "mimamori: report: %s\n", why ? why : err_message_ja(e));
		status = e == ERR_INVALID ? 2 : 1;
		goto out;
	}
	int64_t id = 0;
	e = report_write_recorded(a, "cli", outp, &out, &id);
	if (e != ERR_OK && e != ERR_IO) /* ERR_IO: file_write_export said why */
		fprintf(stderr, "mimamori: report: 出力を受け渡し台帳に記録できなかったため、"
				"ファイルを消しました\n");
	if (e != ERR_OK)
		goto out;
	if (out.lossy)
		fprintf(stderr,
			"mimamori: report: 注意: %zu 行に CP932 で表せない文字があり、〓 と書き出し"
			"ました: %s%s\n",
			out.lossy, out.lossy_list.data ? out.lossy_list.data : "",
			out.lossy > REPORT_LOSSY_LIST_MAX ? ", …" : "");
	printf("%s を書き出しました（%s、%zu 件、%zu バイト）。受け渡し台帳の %lld 番に"
	       "記録しました\n",
	       outp, out.content, out.records, out.data.len, (long long)id);
	status = 0;
out:
	report_out_free(&out);
	app_close(a);
	return status;
}
