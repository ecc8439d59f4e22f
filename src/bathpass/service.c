/* SPDX-License-Identifier: MIT */
/* service.c — the bath-pass ledger (seed 002) as the platform sees it: its name and key, its
 * subcommands (`import residents|approve` beside attendance's `import children`, and
 * `bathpass`), its demo and its metrics (its routes are in routes.c). */
#include "bathpass/service.h"

#include "app.h"
#include "app/retention.h"
#include "base/buf.h"
#include "bathpass/bathpass.h"
#include "bathpass/commands.h"
#include "store/store.h"

/* Its part of `mimamori demo` (demo.c): with a NULL app checks --bath-people only; else adds
 * the fictional people, this year's passes and the accounts. Returns 0 or the exit status. */
int bathpass_demo(struct app *a, struct demo_out *out);

const struct vault *bathpass_vault(struct app *a)
{
	return app_vault(a, BATHPASS_SERVICE);
}

/* "import residents" and "import approve" are verbs of `import`, whose other verbs (children)
 * are attendance's. */
static const struct cli_command commands[] = {
    {"import residents", bathpass_cmd_import,
     "import residents --data DIR --login L [--encoding utf-8|cp932] FILE.csv  入浴証の対象者"
     "（ホストの抽出データ）を取り込む（承認待ち）"},
    {"import approve", bathpass_cmd_import,
     "import approve --data DIR --snapshot ID --login L  入浴証の取り込みを別の職員が承認して"
     "反映する"},
    {"bathpass", bathpass_cmd_bathpass,
     "bathpass staff --data DIR --login L --place CODE  出張所窓口の利用者の窓口を決める\n"
     "  bathpass places --data DIR  入浴証の交付場所の一覧\n"
     "  bathpass barcode --postcode P --address A  住所のカスタマバーコードを表示する\n"
     "  bathpass mailing plan|make|letters --data DIR ...  次の年度の入浴証の郵送（3月の一斉"
     "発送）と送付状のPDF"},
    {0, 0, 0},
};

static void metrics(struct app *a, struct buf *b)
{
	struct store_conn *c = store_acquire(a->store);
	struct store_stmt *st =
	    store_prepare(c, "SELECT count(*) FROM bath_people WHERE excluded = 0");
	if (st && store_step(st) == STORE_ROW)
		buf_printf(b,
			   "# HELP mimamori_bath_eligible People eligible for the bath pass.\n"
			   "# TYPE mimamori_bath_eligible gauge\n"
			   "mimamori_bath_eligible %lld\n",
			   (long long)store_col_int(st, 0));
	store_finish(st);
	store_release(c);
}

/* Its records with a retention period (app/retention.h; the periods are in docs/guide.md). */
static const struct retention_kind retention_kinds[] = {
    /* A decided import's rows (the host's fields, sealed); the snapshot's counts stay. */
    {"import_snapshots", "取込みの差分（名簿の写し）", 90, "bath_snapshot_rows",
     "DELETE FROM bath_snapshot_rows WHERE snapshot_id IN (SELECT id FROM bath_snapshots "
     "WHERE status <> 'pending' AND COALESCE(decided_ms, created_ms) < ?1)",
     0, 0, 0, 0},
    {0},
};

const struct service bathpass_service = {
    .name = BATHPASS_SERVICE,
    .label_ja = "ふれあい入浴証",
    .routes = bathpass_routes,
    .commands = commands,
    .demo = bathpass_demo,
    .demo_options = "bath-people",
    .metrics = metrics,
    .retention = retention_kinds,
};
