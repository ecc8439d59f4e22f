/* SPDX-License-Identifier: MIT */
/* service.c — the entry/exit service (seed 000) as the platform sees it: its name and key, its
 * subcommands, its demo, its alert thread and its metrics (its routes are in routes.c). */
#include "attendance/service.h"


#include "app.h"
#include "app/periodic.h"
#include "attendance/attendance.h"
#include "attendance/plan.h"
#include "base/buf.h"
#include "bulk/bulk.h"
#include "store/store.h"

const struct vault *attendance_vault(struct app *a)
{
	return app_vault(a, ATTENDANCE_SERVICE);
}

static const struct cli_command commands[] = {
    {"site", cmd_site,
     "site add --data DIR --code C --name N --type gakudo|hiroba_plus  施設を追加する\n"
     "  site set CODE --data DIR [--opens HH:MM --closes HH:MM --arrival HH:MM --grace MIN "
     "--deadline HH:MM --phone N --alert-email A --alert-guardians yes|no]  施設の設定を変える"},
    {"import", cmd_import, "import children --data DIR FILE.csv  名簿（児童・保護者）を取り込む"},
    {"card", cmd_card, "card issue|sheet --data DIR ...  QRカードを発行する・印刷用のPDFを作る"},
    {"kiosk", cmd_kiosk, "kiosk add --data DIR --site CODE  受付端末（キオスク）の鍵を作る"},
    {"simulate-day", cmd_simulate_day,
     "simulate-day --data DIR [--date D]  デモの区で1日分の入退室を試す（時刻を進めて）"},
    {"simulate-history", cmd_simulate_history,
     "simulate-history --data DIR --days N [--until D]  デモの区に過去 N 日分の記録をまとめて書く"},
    {"report", cmd_report,
     "report daily|monthly|plans --data DIR ... --format F --out FILE  帳票を出力する（受け渡し"
     "台帳に残す）"},
    {0},
};

/* The board's alerts (not arrived, still present at closing), checked by a thread while the
 * server runs; one server per process. */
static struct periodic *ticker;

static enum err start(struct app *a)
{
	ticker = alerts_ticker_start(a);
	return ticker ? ERR_OK : ERR_IO;
}

static void stop(struct app *a)
{
	(void)a;
	periodic_stop(ticker);
	ticker = NULL;
}

static void metrics(struct app *a, struct buf *b)
{
	struct store_conn *c = store_acquire(a->store);
	struct store_stmt *st = store_prepare(c, "SELECT COALESCE(MAX(id), 0) FROM scans");
	if (st && store_step(st) == STORE_ROW)
		buf_printf(b,
			   "# HELP mimamori_scans_total Scans recorded.\n"
			   "# TYPE mimamori_scans_total counter\nmimamori_scans_total %lld\n",
			   (long long)store_col_int(st, 0));
	store_finish(st);
	store_release(c);
}

/* Its kinds of bulk mail: emergency mail (emergency.c). */
static const struct bulk_kind *const bulk_kinds[] = {&emergency_kind, NULL};

const struct service attendance_service = {
    .name = ATTENDANCE_SERVICE,
    .label_ja = "入退室管理",
    .routes = attendance_routes,
    .commands = commands,
    .demo = attendance_demo,
    .demo_options = "children,codes-out",
    .start = start,
    .stop = stop,
    .metrics = metrics,
    .bulk = bulk_kinds,
};
