/* SPDX-License-Identifier: MIT */
/* service.c — household support (seed 001) as the platform sees it: its name and key, its
 * subcommand (`homehelp`), its demo and its metrics (its routes are in routes.c). */
#include "homehelp/service.h"

#include "app.h"
#include "app/retention.h"
#include "base/buf.h"
#include "homehelp/homehelp.h"
#include "store/store.h"

/* cli.c: `mimamori homehelp …`. */
int homehelp_cmd(int argc, char **argv);
/* demo.c: its part of `mimamori demo`. */
int homehelp_demo(struct app *a, struct demo_out *out);

const struct vault *homehelp_vault(struct app *a)
{
	return app_vault(a, HOMEHELP_SERVICE);
}

static const struct cli_command commands[] = {
    {"homehelp", homehelp_cmd,
     "homehelp staff --data DIR --login L  助成の担当者を家事・育児支援事業の担当にする"},
    {0, 0, 0},
};

static void metrics(struct app *a, struct buf *b)
{
	struct store_conn *c = store_acquire(a->store);
	struct store_stmt *st = store_prepare(
	    c, "SELECT count(*) FROM hh_households WHERE state = 'notified' AND decision = "
	       "'approved'");
	if (st && store_step(st) == STORE_ROW)
		buf_printf(
		    b,
		    "# HELP mimamori_homehelp_households Households using household support.\n"
		    "# TYPE mimamori_homehelp_households gauge\n"
		    "mimamori_homehelp_households %lld\n",
		    (long long)store_col_int(st, 0));
	store_finish(st);
	store_release(c);
}

/* The households whose use ended longer ago than homehelp_households_days (the guide's
 * 「利用終了から5年」), with every row of them: the visits and the steps first (quiet), the
 * households (counted). The end of use is the last visit (a household decided with none: its
 * decision), so a household decided before the cutoff goes only when no visit of it lies on or
 * after the cutoff; hh_households.ends_on is not written, so it is not read. */
#define ENDED                                                                                      \
	"(SELECT h.id FROM hh_households h WHERE h.decided_on < ?1 AND h.state IN ('approved', "   \
	"'rejected', 'notified', 'paid', 'unpaid') AND NOT EXISTS (SELECT 1 FROM hh_visits v "     \
	"WHERE v.household_id = h.id AND v.on_date >= ?1))"
#define LABEL "利用終了から保存期間を過ぎた世帯（家事・育児支援）"
static const struct retention_kind retention_kinds[] = {
    {"homehelp_households", LABEL, 1826, "hh_visits",
     "DELETE FROM hh_visits WHERE household_id IN " ENDED, 1, 1, 0, 0},
    {"homehelp_households", LABEL, 1826, "hh_steps",
     "DELETE FROM hh_steps WHERE application_id IN " ENDED, 1, 1, 0, 0},
    {"homehelp_households", LABEL, 1826, "hh_households",
     "DELETE FROM hh_households WHERE id IN " ENDED, 1, 0, 0, 0},
    {0},
};

const struct service homehelp_service = {
    .name = HOMEHELP_SERVICE,
    .label_ja = "家事・育児支援",
    .routes = homehelp_routes,
    .commands = commands,
    .demo = homehelp_demo,
    .demo_options = "homehelp-households",
    .metrics = metrics,
    .retention = retention_kinds,
    .benefit = 1,
};
