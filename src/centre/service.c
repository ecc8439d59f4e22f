/* SPDX-License-Identifier: MIT */
/* service.c — the child development support centre (seed 001) as the platform sees it: its name
 * and key, its subcommand (`centre`), its demo and its metrics (its routes are in routes.c). */
#include "centre/service.h"

#include "app.h"
#include "app/retention.h"
#include "base/buf.h"
#include "casework/casework.h"
#include "centre/centre.h"
#include "store/store.h"

/* cli.c: `mimamori centre …`. */
int centre_cmd(int argc, char **argv);
/* demo.c: its part of `mimamori demo`. */
int centre_demo(struct app *a, struct demo_out *out);

const struct vault *centre_vault(struct app *a)
{
	return app_vault(a, CENTRE_SERVICE);
}

static const struct cli_command commands[] = {
    {"centre", centre_cmd,
     "centre list|bus|statements|handover --data DIR …  "
     "発達支援センター：件数、送迎、請求、引き継ぎ"},
    {0, 0, 0},
};

static void metrics(struct app *a, struct buf *b)
{
	struct store_conn *c = store_acquire(a->store);
	struct store_stmt *st = store_prepare(
	    c, "SELECT count(*), (SELECT count(*) FROM ce_opens WHERE break_glass = 1 AND "
	       "reviewed_by IS NULL) FROM ce_cases WHERE state = 'contracted'");
	if (st && store_step(st) == STORE_ROW)
		buf_printf(
		    b,
		    "# HELP mimamori_centre_children Children under contract at the centre.\n"
		    "# TYPE mimamori_centre_children gauge\n"
		    "mimamori_centre_children %lld\n"
		    "# HELP mimamori_centre_break_glass_pending Break-glass opens to review.\n"
		    "# TYPE mimamori_centre_break_glass_pending gauge\n"
		    "mimamori_centre_break_glass_pending %lld\n",
		    (long long)store_col_int(st, 0), (long long)store_col_int(st, 1));
	store_finish(st);
	store_release(c);
}

/* Its records with a retention period (app/retention.h; the periods are in docs/guide.md): the
 * expired links, and the children whose use ended longer ago than centre_children_days (the
 * guide's 「契約終了から5年」) with every row of them: what refers to a child first (quiet; the
 * record versions with their append-only trigger let through, purge), the children last (counted).
 */
#define ENDED "(SELECT id FROM ce_cases WHERE state = 'ended' AND ended_on < ?1)"
#define LABEL "利用が終了した児童の記録（発達支援センター）"
#define OF_ENDED(table)                                                                            \
	RETENTION_REFERRING("centre_children", LABEL, 1826, 1, table, "case_id", ENDED)
static const struct retention_kind retention_kinds[] = {
    {"links", "期限切れの登録・確認リンク", 7, "ce_parent_tokens",
     "DELETE FROM ce_parent_tokens WHERE expires_ms < ?1", 0, 0, 0, 0},
    CASEWORK_RETENTION_KINDS("centre_children", LABEL, 1826, "ce", ENDED),
    OF_ENDED("ce_assessments"),
    OF_ENDED("ce_plans"),
    OF_ENDED("ce_attendance"),
    OF_ENDED("ce_statements"),
    OF_ENDED("ce_messages"),
    OF_ENDED("ce_parents"),
    {"centre_children", LABEL, 1826, "ce_cases",
     "DELETE FROM ce_cases WHERE state = 'ended' AND ended_on < ?1", 1, 0, 0, 0},
    /* Then the parents' accounts no child keeps any more (their last link went above, or never
     * came), made longer ago than the period: retired as the ward administrator's 廃止 does
     * (the platform's 「アカウントの廃止まで」). */
    {"centre_parent_accounts", "子どもの記録が消えた保護者のアカウント（発達支援センター）", 1826,
     "users",
     "SELECT id FROM users WHERE role = 'centre_parent' AND retired_ms = 0 AND created_ms < ?1 "
     "AND id NOT IN (SELECT user_id FROM ce_parents)",
     0, 0, 0, 1},
    {0},
};

const struct service centre_service = {
    .name = CENTRE_SERVICE,
    .label_ja = "児童発達支援センター",
    .routes = centre_routes,
    .commands = commands,
    .demo = centre_demo,
    .demo_options = "centre-children",
    .metrics = metrics,
    .retention = retention_kinds,
    .mail_from = "児童発達支援センター", /* not the clubs' [mail] from_name */
};
