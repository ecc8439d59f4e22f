/* SPDX-License-Identifier: MIT */
/* council_cli.c — `mimamori council items|staff|check`: the privacy council's item lists, the
 * designated handlers, and the check that every column of the live schema is annotated. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "app/council.h"
#include "base/file.h"
#include "cli.h"

#define USAGE                                                                                      \
	"使い方: mimamori council items --data DIR [--service NAME] --format md|pdf|xlsx "      \
	"[--out FILE]\n"                                                                           \
	"        mimamori council staff --data DIR [--service NAME]\n"                             \
	"        mimamori council check --data DIR"
#define COUNCIL_MAX_BYTES (64u * 1024 * 1024)

struct opts {
	const char *dir, *service, *format, *out;
};

static int parse(int argc, char **argv, struct opts *o)
{
	static const struct option opts[] = {{"data", required_argument, 0, 'd'},
					     {"service", required_argument, 0, 's'},
					     {"format", required_argument, 0, 'f'},
					     {"out", required_argument, 0, 'o'},
					     {0, 0, 0, 0}};
	int ch;
	while ((ch = cli_getopt(argc, argv, opts)) != -1) {
		switch (ch) {
		case 'd':
			o->dir = optarg;
			break;
		case 's':
			o->service = optarg;
			break;
		case 'f':
			o->format = optarg;
			break;
		case 'o':
			o->out = optarg;
			break;
		default:
			return 0;
		}
	}
	return o->dir != NULL && optind == argc;
}

static int unknown_service(const char *name)
{
	return cli_fail(
	    "サービス「%s」はありません（platform か、mimamori --help に出るサービス名）", name);
}

static int items(struct app *a, const struct opts *o)
{
	enum council_format f;
	struct buf b;
	int status = 1;
	if (!council_format_parse(o->format, &f))
		return cli_fail("--format には md、pdf、xlsx のどれかを指定してください");
	buf_init(&b, COUNCIL_MAX_BYTES);
	enum err e = council_items(a, o->service, f, &b);
	if (e == ERR_NOTFOUND) {
		status = unknown_service(o->service);
		goto out;
	}
	if (e != ERR_OK) {
		fprintf(stderr, "mimamori: council items: %s\n", err_message_ja(e));
		goto out;
	}
	if (o->out && file_export_refused(o->out))
		goto out;
	FILE *fp = o->out ? fopen(o->out, "wb") : stdout;
	if (!fp) {
		fprintf(stderr, "mimamori: council items: %s に書けません\n", o->out);
		goto out;
	}
	int ok = fwrite(b.data, 1, b.len, fp) == b.len;
	if (o->out)
		ok = (fclose(fp) == 0) && ok;
	else
		ok = (fflush(fp) == 0) && ok;
	if (!ok) {
		fprintf(stderr, "mimamori: council items: 書き込みに失敗しました\n");
		goto out;
	}
	status = 0;
out:
	buf_free(&b);
	return status;
}

static int staff(struct app *a, const struct opts *o)
{
	struct council_person *p = NULL;
	size_t n = 0;
	enum err e = council_staff(a, o->service, &p, &n);
	if (e == ERR_NOTFOUND)
		return unknown_service(o->service);
	if (e != ERR_OK) {
		fprintf(stderr, "mimamori: council staff: %s\n", err_message_ja(e));
		return 1;
	}
	printf("サービス\t区分\tログインID\t役割\n");
	for (size_t i = 0; i < n; i++)
		printf("%s（%s）\t%s\t%s\t%s\n", p[i].label, p[i].unit,
		       p[i].responsible ? "取扱責任者" : "取扱者", p[i].login,
		       council_role_ja(p[i].role));
	council_people_free(p, n);
	return 0;
}

static int check(struct app *a)
{
	struct buf report;
	size_t problems = 0;
	buf_init(&report, COUNCIL_MAX_BYTES);
	enum err e = council_check(a, &report, &problems);
	if (e != ERR_OK) {
		buf_free(&report);
		fprintf(stderr, "mimamori: council check: %s\n", err_message_ja(e));
		return 1;
	}
	if (problems) {
		fputs(report.data, stderr);
		fprintf(stderr, "mimamori: council check: 注記の問題が %zu 件あります\n", problems);
	} else {
		printf("すべての表と列に注記があります\n");
	}
	buf_free(&report);
	return problems ? 1 : 0;
}

int cmd_council(int argc, char **argv)
{
	struct opts o = {0};
	int verb = cli_verb(&argc, &argv, "items")   ? 'i'
		   : cli_verb(&argc, &argv, "staff") ? 's'
		   : cli_verb(&argc, &argv, "check") ? 'c'
						     : 0;
	if (!verb || !parse(argc, argv, &o) || (verb == 'i' && !o.format))
		return cli_fail("%s", USAGE);
	struct app *a = cli_open(o.dir, 1);
	if (!a)
		return 1;
	int status = verb == 'i' ? items(a, &o) : verb == 's' ? staff(a, &o) : check(a);
	app_close(a);
	return status;
}
