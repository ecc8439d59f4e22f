/* SPDX-License-Identifier: MIT */
/* service.c — youth support casework (seed 001) as the platform sees it: its name and key, its
 * subcommand (`youth`), its demo, its metrics and its retention (its routes are in routes.c). */
#include "youth/service.h"

#include "app.h"
#include "app/retention.h"
#include "base/buf.h"
#include "casework/casework.h"
#include "store/store.h"
#include "youth/youth.h"

/* cli.c: `mimamori youth …`. */
int youth_cmd(int argc, char **argv);
/* demo.c: its part of `mimamori demo`. */
int youth_demo(struct app *a, struct demo_out *out);

const struct vault *youth_vault(struct app *a)
{
	return app_vault(a, YOUTH_SERVICE);
}

static const struct cli_command commands[] = {
    {"youth", youth_cmd,
     "youth list|worker|opens|handover --data DIR …  ユースサポート：件数、担当者の所属、引き継ぎ"},
    {0, 0, 0},
};

static void metrics(struct app *a, struct buf *b)
{
	struct store_conn *c = store_acquire(a->store);
	struct store_stmt *st = store_prepare(
	    c, "SELECT count(*), (SELECT count(*) FROM yo_opens WHERE break_glass = 1 AND "
	       "reviewed_by IS NULL) FROM yo_cases WHERE state = 'open'");
	if (st && store_step(st) == STORE_ROW)
		buf_printf(
		    b,
		    "# HELP mimamori_youth_cases Open youth support cases.\n"
		    "# TYPE mimamori_youth_cases gauge\n"
		    "mimamori_youth_cases %lld\n"
		    "# HELP mimamori_youth_break_glass_pending Break-glass opens to review.\n"
		    "# TYPE mimamori_youth_break_glass_pending gauge\n"
		    "mimamori_youth_break_glass_pending %lld\n",
		    (long long)store_col_int(st, 0), (long long)store_col_int(st, 1));
	store_finish(st);
	store_release(c);
}

/* The cases closed longer ago than the period ([retention] youth_cases_days; the guide's
 * 「相談の終了から5年」), with every row of them: the rows referring to a case first (quiet), the
 * note versions with their append-only trigger let through (purge), the cases last (counted). */
#define CLOSED "(SELECT id FROM yo_cases WHERE state = 'closed' AND closed_on < ?1)"
#define LABEL "終了した相談の記録（ユースサポート）"
static const struct retention_kind retention_kinds[] = {
    CASEWORK_RETENTION_KINDS("youth_cases", LABEL, 1826, "yo", CLOSED),
    RETENTION_REFERRING("youth_cases", LABEL, 1826, 1, "yo_assessments", "case_id", CLOSED),
    RETENTION_REFERRING("youth_cases", LABEL, 1826, 1, "yo_plans", "case_id", CLOSED),
    {"youth_cases", LABEL, 1826, "yo_cases",
     "DELETE FROM yo_cases WHERE state = 'closed' AND closed_on < ?1", 1, 0, 0, 0},
    {0},
};

const struct service youth_service = {
    .name = YOUTH_SERVICE,
    .label_ja = "ユースサポート",
    .routes = youth_routes,
    .commands = commands,
    .demo = youth_demo,
    .demo_options = "youth-cases",
    .metrics = metrics,
    .retention = retention_kinds,
};
