/* SPDX-License-Identifier: MIT */
/* service.c — the babysitter subsidy (seed 004) as the platform sees it: its name and key, its
 * subcommand (`sitter`), its demo, its mail's sender name and its metrics (its routes are in
 * routes.c). */
#include "sitter/service.h"

#include "app.h"
#include "app/retention.h"
#include "base/buf.h"
#include "sitter/sitter.h"
#include "store/store.h"

/* cli.c: `mimamori sitter …`. */
int sitter_cmd(int argc, char **argv);
/* demo.c: its part of `mimamori demo` (NULL app: checks the options only). */
int sitter_demo(struct app *a, struct demo_out *out);

const struct vault *sitter_vault(struct app *a)
{
	return app_vault(a, SITTER_SERVICE);
}

static const struct cli_command commands[] = {
    {"sitter", sitter_cmd,
     "sitter import --data DIR FILE.csv  LoGoフォームの申請データ（CSV）を取り込む\n"
     "  sitter staff --data DIR --login L  助成の担当者をベビーシッター利用支援の担当にする\n"
     "  sitter transfer --data DIR --payment ID --out FILE  振込データ（全銀）を書き出す\n"
     "  sitter returns --data DIR --login L FILE  振込不能の明細（全銀）を読み込む"},
    {0, 0, 0},
};

static void metrics(struct app *a, struct buf *b)
{
	struct store_conn *c = store_acquire(a->store);
	struct store_stmt *st = store_prepare(
	    c, "SELECT state, count(*) FROM sitter_applications GROUP BY state ORDER BY state");
	buf_puts(b,
		 "# HELP mimamori_sitter_applications Babysitter subsidy applications by state.\n"
		 "# TYPE mimamori_sitter_applications gauge\n");
	while (st && store_step(st) == STORE_ROW)
		buf_printf(b, "mimamori_sitter_applications{state=\"%s\"} %lld\n",
			   store_col_text(st, 0), (long long)store_col_int(st, 1));
	store_finish(st);
	store_release(c);
}

/* The applications decided longer ago than sitter_decided_days (the guide's 「決定から5年」)
 * and done with (rejected, notified, paid or returned unpaid), with every row of them: what
 * refers to an application first (quiet), the applications (counted); then the transfer files
 * whose payment day is as old, the inquiries tied to no application, and the order of the caps'
 * decisions of fiscal years that ended before the cutoff's (quiet). */
#define OLD                                                                                        \
	"(SELECT id FROM sitter_applications WHERE decided_on < ?1 AND state IN ('rejected', "     \
	"'notified', 'paid', 'unpaid'))"
#define LABEL "決定から保存期間を過ぎた申請（ベビーシッター利用支援）"
/* Drafts never sent and untouched for sitter_drafts_days (a year): the applicant gave up and
 * the ward never received them (the seeds set no period: nothing asks to keep them). */
#define DRAFT "(SELECT id FROM sitter_applications WHERE state = 'draft' AND updated_ms < ?1)"
#define DRAFT_LABEL "送られないままの申請の下書き（ベビーシッター利用支援）"
/* The applications select lists (cutoff ?1, a day when by_day) with every row of them: their
 * hours, receipts, steps, search terms and inquiries (quiet), then the applications (counted). */
#define APPLICATIONS(key, label, days, by_day, select)                                            \
	RETENTION_REFERRING(key, label, days, by_day, "sitter_child_hours", "application_id",      \
			    select),                                                               \
	    RETENTION_REFERRING(key, label, days, by_day, "sitter_receipts", "application_id",     \
				select),                                                           \
	    RETENTION_REFERRING(key, label, days, by_day, "sitter_steps", "application_id",        \
				select),                                                           \
	    RETENTION_REFERRING(key, label, days, by_day, "sitter_terms", "application_id",        \
				select),                                                           \
	    RETENTION_REFERRING(key, label, days, by_day, "sitter_inquiries", "application_id",    \
				select),                                                           \
	{                                                                                          \
		key, label, days, "sitter_applications",                                           \
		    "DELETE FROM sitter_applications WHERE id IN " select, by_day, 0, 0, 0         \
	}
static const struct retention_kind retention_kinds[] = {
    APPLICATIONS("sitter_drafts", DRAFT_LABEL, 365, 0, DRAFT),
    APPLICATIONS("sitter_decided", LABEL, 1826, 1, OLD),
    {"sitter_decided", LABEL, 1826, "sitter_payments",
     "DELETE FROM sitter_payments WHERE pay_date < ?1", 1, 1, 0, 0},
    {"sitter_decided", LABEL, 1826, "sitter_inquiries",
     "DELETE FROM sitter_inquiries WHERE application_id IS NULL AND at_ms < ?1", 0, 1, 0, 0},
    {"sitter_decided", LABEL, 1826, "sitter_cap_locks",
     "DELETE FROM sitter_cap_locks WHERE fiscal_year < CAST(substr(?1, 1, 4) AS INTEGER) - 1", 1, 1,
     0, 0},
    {0},
};

const struct service sitter_service = {
    .name = SITTER_SERVICE,
    .label_ja = "ベビーシッター利用支援",
    .routes = sitter_routes,
    .commands = commands,
    .demo = sitter_demo,
    .demo_options = "sitter-applications",
    .metrics = metrics,
    .retention = retention_kinds,
    .benefit = 1,
    .mail_from = "ベビーシッター利用支援事業", /* not the clubs' [mail] from_name */
};
