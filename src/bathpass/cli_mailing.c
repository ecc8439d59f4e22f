/* SPDX-License-Identifier: MIT */
/* cli_mailing.c — `mimamori bathpass mailing plan|make|letters`: who the March mailing of next
 * year's passes would go to, making it under a head-office account (a pass by mail with its
 * 整理番号 for each), and writing its cover letters as one PDF, recorded in the handover ledger
 * (the file is taken back when the record cannot be written). */
#include "bathpass/commands.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "base/clock.h"
#include "base/file.h"
#include "bathpass/bathpass.h"
#include "cli.h"
#include "ledger/ledger.h"
#include "vault/vault.h"

#define PDF_MAX (256u * 1024u * 1024u)
#define USAGE                                                                                      \
	"使い方: mimamori bathpass mailing plan --data DIR [--date D] [--fiscal-year Y]\n"       \
	"        mimamori bathpass mailing make --data DIR --login L [--date D] [--fiscal-year Y] " \
	"--out FILE.pdf\n"                                                                         \
	"        mimamori bathpass mailing letters --data DIR --login L --mailing N --out "       \
	"FILE.pdf"

struct args {
	const char *dir, *login, *date, *out;
	int fy;
	int64_t mailing;
};

/* Reads the options into *a; returns 0, or the exit status of a usage error. */
static int parse(int argc, char **argv, struct args *a)
{
	static const struct option opts[] = {{"data", required_argument, 0, 'd'},
					     {"login", required_argument, 0, 'l'},
					     {"date", required_argument, 0, 't'},
					     {"fiscal-year", required_argument, 0, 'y'},
					     {"mailing", required_argument, 0, 'm'},
					     {"out", required_argument, 0, 'o'},
					     {0, 0, 0, 0}};
	int ch;
	char *end;
	memset(a, 0, sizeof *a);
	while ((ch = cli_getopt(argc, argv, opts)) != -1) {
		switch (ch) {
		case 'd': a->dir = optarg; break;
		case 'l': a->login = optarg; break;
		case 't': a->date = optarg; break;
		case 'o': a->out = optarg; break;
		case 'y':
			end = NULL;
			a->fy = (int)strtol(optarg, &end, 10);
			if (!end || *end || a->fy < 2000 || a->fy > 2200)
				return cli_fail("--fiscal-year は西暦の年度です（2027 など）");
			break;
		case 'm':
			end = NULL;
			a->mailing = strtoll(optarg, &end, 10);
			if (!end || *end || a->mailing <= 0)
				return cli_fail("--mailing は発送の番号です");
			break;
		default: return cli_fail("%s", USAGE);
		}
	}
	if (!a->dir || optind != argc)
		return cli_fail("%s", USAGE);
	return 0;
}

static void print_plan(const struct bath_mailing_plan *p)
{
	printf("%d年度の入浴証（発送日 %s）: 送付状 %zu通（高齢 %zu・障害 %zu・児童 %zu）\n", p->fy,
	       p->date, p->n, p->by_category[0], p->by_category[1], p->by_category[2]);
	printf("手で扱う人: 昨年度に返戻 %zu人・個別事由あり %zu人。対象外 %zu人、"
	       "交付済み %zu人\n",
	       p->held_returned, p->held_note, p->not_eligible, p->already);
}

/* Writes mailing id's letters to path and records them in the ledger as actor. */
static int write_letters(struct app *a, int64_t id, const char *actor, const char *path)
{
	struct buf pdf;
	size_t letters = 0;
	int64_t why_id = 0, ledger_id = 0;
	char content[96];
	int status = 1;
	int64_t t0 = clock_mono_ms();
	buf_init(&pdf, PDF_MAX);
	enum err e = bath_mailing_pdf(a, id, &pdf, &letters, &why_id);
	if (e == ERR_INVALID && why_id) {
		fprintf(stderr,
			"mimamori: 台帳の番号 %" PRId64 " の人の住所・方書・氏名が封筒の窓に収まり"
			"ません。ホストの住所データを確かめてください\n",
			why_id);
		goto out;
	}
	if (e != ERR_OK) {
		fprintf(stderr, "mimamori: 送付状を作れません: %s\n",
			e == ERR_NOTFOUND ? "その発送はありません" : err_message_ja(e));
		goto out;
	}
	if (file_write_export(path, pdf.data, pdf.len) != ERR_OK)
		goto out; /* said why */
	snprintf(content, sizeof content, "bathpass mailing %" PRId64 " letters pdf", id);
	struct ledger_item it = {.service = BATHPASS_SERVICE,
				 .actor = actor,
				 .content = content,
				 .object = "bathpass:letters",
				 .records = letters,
				 .data = pdf.data,
				 .len = pdf.len};
	e = ledger_record(a, &it, &ledger_id);
	if (e != ERR_OK) {
		unlink(path); /* an unrecorded export must not exist */
		fprintf(stderr,
			"mimamori: 受け渡し台帳に記録できないため、出力を取り消しました: %s\n",
			err_message_ja(e));
		goto out;
	}
	printf("%s: 送付状 %zu通、%zu バイト（%.1f 秒）。受け渡し台帳 %" PRId64 "\n", path,
	       letters, pdf.len, (double)(clock_mono_ms() - t0) / 1000.0, ledger_id);
	status = 0;
out:
	if (pdf.data)
		vault_wipe(pdf.data, pdf.len);
	buf_free(&pdf);
	return status;
}

int bathpass_cmd_mailing(int argc, char **argv)
{
	enum { PLAN, MAKE, LETTERS } verb;
	if (cli_verb(&argc, &argv, "plan"))
		verb = PLAN;
	else if (cli_verb(&argc, &argv, "make"))
		verb = MAKE;
	else if (cli_verb(&argc, &argv, "letters"))
		verb = LETTERS;
	else
		return cli_fail("%s", USAGE);
	struct args o;
	int status = parse(argc, argv, &o);
	if (status)
		return status;
	if ((verb != PLAN && (!o.login || !o.out)) || (verb == LETTERS && !o.mailing))
		return cli_fail("%s", USAGE);
	char iso[11], actor[48];
	int fy = 0;
	const char *why = NULL;
	if (verb != LETTERS && bath_mailing_when(o.date, o.fy, iso, &fy, &why) != ERR_OK)
		return cli_fail("%s", why);
	struct app *a = cli_open(o.dir, 2);
	if (!a)
		return 1;
	status = 1;
	int64_t uid = 0, id = o.mailing;
	if (verb != PLAN && !(uid = bath_cli_office_user(a, o.login)))
		goto out;
	snprintf(actor, sizeof actor, "user:%" PRId64, uid);
	/* A mailing cannot be undone: the letters' file must be writable before it is made. */
	if (verb != PLAN && file_export_check(o.out) != 0)
		goto out;
	if (verb != LETTERS) {
		struct bath_mailing_plan plan;
		int64_t t0 = clock_mono_ms();
		enum err e = bath_mailing_plan(a, fy, iso, &plan);
		if (e != ERR_OK) {
			fprintf(stderr, "mimamori: 対象者を数えられません: %s\n", err_message_ja(e));
			goto out;
		}
		print_plan(&plan);
		if (verb == MAKE && !plan.n)
			fprintf(stderr, "mimamori: 郵送する人がいません\n");
		else if (verb == MAKE)
			e = bath_mailing_make(a, &plan, uid, actor, &id);
		bath_mailing_plan_free(&plan);
		if (verb == PLAN) {
			status = 0;
			goto out;
		}
		if (!id || e != ERR_OK) {
			if (id || e != ERR_OK)
				fprintf(stderr, "mimamori: 発送を記録できません: %s\n",
					e == ERR_CONFLICT ? "準備の間に交付された人がいます。"
							    "もう一度お試しください"
							  : err_message_ja(e));
			goto out;
		}
		printf("発送 %" PRId64 " を記録しました（%.1f 秒）\n", id,
		       (double)(clock_mono_ms() - t0) / 1000.0);
	}
	status = write_letters(a, id, actor, o.out);
	if (status != 0 && verb == MAKE)
		fprintf(stderr,
			"mimamori: 発送 %" PRId64 " は記録済みです。送付状は mimamori bathpass mailing "
			"letters --mailing %" PRId64 " で作り直せます\n",
			id, id);
out:
	app_close(a);
	return status;
}
