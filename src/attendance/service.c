/* SPDX-License-Identifier: MIT */
/* service.c — the entry/exit service (seed 000) as the platform sees it: its name and key, its
 * subcommands, its demo, its alert thread and its metrics (its routes are in routes.c). */
#include "attendance/service.h"


#include "app.h"
#include "app/periodic.h"
#include "attendance/attendance.h"
#include "attendance/board.h"
#include "attendance/plan.h"
#include "app/retention.h"
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
    {"card", cmd_card,
     "card issue --data DIR (--site CODE | --child 児童番号) | sheet --data DIR --site CODE --out "
     "FILE.pdf  QRカードを発行する（施設の全員か1人）・印刷用のPDFを作る"},
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
	if (!ticker)
		return ERR_IO;
	return board_events_start(a); /* the boards' live updates (board_events.c) */
}

static void stop(struct app *a)
{
	periodic_stop(ticker);
	alerts_quiet_forget(a->store);
	ticker = NULL;
	board_events_stop();
	board_view_clear(); /* the boards held names: wiped */
}

/* Its data was erased: the boards' renderings and kept names go now, not at the next read. */
static void forget(struct app *a)
{
	(void)a;
	board_view_forget();
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
	uint64_t checked, passed;
	alerts_quiet_counts(&checked, &passed);
	buf_printf(b,
		   "# HELP mimamori_alert_site_checks_total Sites' alert checks, run or passed over "
		   "(nothing changed since a check that found nothing).\n"
		   "# TYPE mimamori_alert_site_checks_total counter\n"
		   "mimamori_alert_site_checks_total{result=\"checked\"} %llu\n"
		   "mimamori_alert_site_checks_total{result=\"quiet\"} %llu\n",
		   (unsigned long long)checked, (unsigned long long)passed);
	size_t boards = 0, names = 0;
	board_view_kept(&boards, &names);
	buf_printf(b,
		   "# HELP mimamori_board_renderings_kept Sites' boards kept rendered in memory.\n"
		   "# TYPE mimamori_board_renderings_kept gauge\n"
		   "mimamori_board_renderings_kept %zu\n"
		   "# HELP mimamori_board_names_kept Names unsealed and kept in memory for the "
		   "boards' next renderings.\n"
		   "# TYPE mimamori_board_names_kept gauge\n"
		   "mimamori_board_names_kept %zu\n",
		   boards, names);
}

/* Its kinds of bulk mail: emergency mail (emergency.c). */
static const struct bulk_kind *const bulk_kinds[] = {&emergency_kind, NULL};

/* Its records with a retention period (app/retention.h; the periods are in docs/guide.md). */
static const struct retention_kind retention_kinds[] = {
    {"scans", "入退室の記録", 400, "scans", "DELETE FROM scans WHERE day < ?1", 1, 0, 0, 0},
    /* Day plans and absence notices (a reason may say the child is ill), and who changed them */
    {"plans", "利用予定・欠席連絡", 180, "plan_days", "DELETE FROM plan_days WHERE day < ?1", 1, 0, 0, 0},
    {"plans", "利用予定・欠席連絡", 180, "plan_changes",
     "DELETE FROM plan_changes WHERE day < ?1", 1, 0, 0, 0},
    {"alerts", "未着・残留のアラート", 90, "alerts", "DELETE FROM alerts WHERE day < ?1", 1, 0, 0, 0},
    {"sessions", "ログインの記録（セッション）", 7, "guardian_sessions",
     "DELETE FROM guardian_sessions WHERE last_seen_ms < ?1", 0, 0, 0, 0},
    {"links", "期限切れの登録・確認リンク", 7, "confirm_tokens",
     "DELETE FROM confirm_tokens WHERE expires_ms < ?1", 0, 0, 0, 0},
    {"links", "期限切れの登録・確認リンク", 7, "guardian_login_tokens",
     "DELETE FROM guardian_login_tokens WHERE expires_ms < ?1", 0, 0, 0, 0},
    {0},
};

const struct service attendance_service = {
    .name = ATTENDANCE_SERVICE,
    .label_ja = "入退室管理",
    .routes = attendance_routes,
    .commands = commands,
    .demo = attendance_demo,
    .demo_options = "children,codes-out",
    .start = start,
    .stop = stop,
    .forget = forget,
    .metrics = metrics,
    .bulk = bulk_kinds,
    .retention = retention_kinds,
};
