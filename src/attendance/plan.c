/* SPDX-License-Identifier: MIT */
/* plan.c — planned attendance: a weekly pattern plus day exceptions (another day, other
 * times, not coming, an absence notice with its reason), and the same-day deadline. */
#include "attendance/plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "attendance/attendance.h"
#include "auth/audit.h"
#include "base/clock.h"
#include "base/text.h"
#include "base/xalloc.h"
#include "store/store.h"
#include "vault/vault.h"

static const char *const weekdays[7] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
static const char *const statuses[3] = {"off", "attend", "absent"};

const char *plan_status_name(enum plan_status s)
{
	return s <= PLAN_ABSENT ? statuses[s] : "off";
}

int plan_status_parse(const char *name)
{
	for (int i = 0; name && i < 3; i++)
		if (strcmp(name, statuses[i]) == 0)
			return i;
	return -1;
}

const char *plan_weekday_name(int weekday)
{
	return weekday >= 0 && weekday < 7 ? weekdays[weekday] : "";
}

int plan_weekday_parse(const char *name)
{
	for (int i = 0; name && i < 7; i++)
		if (strcmp(name, weekdays[i]) == 0)
			return i;
	return -1;
}

size_t plan_day_index(const char *day)
{
	if (!day || strlen(day) < 10 || day[8] < '0' || day[8] > '3' || day[9] < '0' || day[9] > '9')
		return (size_t)-1;
	return (size_t)((day[8] - '0') * 10 + (day[9] - '0')) - 1;
}

void plan_entry_clear(struct plan_entry *e)
{
	vault_wipe_free(e->reason);
	e->reason = NULL;
}

void plan_days_free(struct plan_day *days, size_t n)
{
	for (size_t i = 0; days && i < n; i++)
		plan_entry_clear(&days[i].plan);
	free(days);
}

/* Copies the plan columns leave, way_home, pickup_id at col.. of st into p. */
static void entry_from_row(struct store_stmt *st, int col, struct plan_entry *p)
{
	const char *leave = store_col_text(st, col), *way = store_col_text(st, col + 1);
	snprintf(p->leave, sizeof p->leave, "%s", leave ? leave : "");
	snprintf(p->way_home, sizeof p->way_home, "%s", way ? way : "");
	p->pickup_id = store_col_is_null(st, col + 2) ? 0 : store_col_int(st, col + 2);
}

/* Binds p's leave, way_home and pickup_id (NULL when unset) at idx.. of st. */
static void entry_bind(struct store_stmt *st, int idx, const struct plan_entry *p)
{
	if (p->leave[0])
		store_bind_text(st, idx, p->leave);
	else
		store_bind_null(st, idx);
	if (p->way_home[0])
		store_bind_text(st, idx + 1, p->way_home);
	else
		store_bind_null(st, idx + 1);
	if (p->pickup_id)
		store_bind_int(st, idx + 2, p->pickup_id);
	else
		store_bind_null(st, idx + 2);
}

enum err plan_week_load(struct store_conn *c, int64_t child_id, struct plan_week *w)
{
	memset(w, 0, sizeof *w);
	struct store_stmt *st = store_prepare(
	    c, "SELECT weekday, leave, way_home, pickup_id FROM plan_weekly WHERE child_id = ?");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, child_id);
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		int wd = (int)store_col_int(st, 0);
		if (wd < 1 || wd > 6)
			continue;
		w->attend[wd] = 1;
		w->day[wd].status = PLAN_ATTEND;
		entry_from_row(st, 1, &w->day[wd]);
	}
	store_finish(st);
	return rc == STORE_DONE ? ERR_OK : ERR_DB;
}

/* The day exception of child_id on day, if any, into *p (*found 1); the reason unsealed. */
static enum err day_load(struct app *a, struct store_conn *c, int64_t child_id, const char *day,
			 struct plan_entry *p, int *found)
{
	*found = 0;
	struct store_stmt *st = store_prepare(
	    c, "SELECT status, leave, way_home, pickup_id, reason_enc FROM plan_days "
	       "WHERE child_id = ? AND day = ?");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, child_id);
	store_bind_text(st, 2, day);
	enum err e = ERR_OK;
	int rc = store_step(st);
	if (rc == STORE_ROW) {
		*found = 1;
		int s = plan_status_parse(store_col_text(st, 0));
		p->status = s < 0 ? PLAN_OFF : (enum plan_status)s;
		entry_from_row(st, 1, p);
		if (!store_col_is_null(st, 4)) {
			size_t len;
			const void *b = store_col_blob(st, 4, &len);
			e = vault_unseal(attendance_vault(a), "plan_days.reason", b, len, &p->reason);
		}
	} else if (rc != STORE_DONE) {
		e = ERR_DB;
	}
	store_finish(st);
	return e;
}

/* The effective plan of child_id on day (weekday wd) into *p: the exception, else the
 * pattern. */
static enum err day_effective(struct app *a, struct store_conn *c, int64_t child_id,
			      const char *day, int wd, const struct plan_week *w,
			      struct plan_entry *p)
{
	int found = 0;
	memset(p, 0, sizeof *p);
	enum err e = day_load(a, c, child_id, day, p, &found);
	if (e != ERR_OK || found)
		return e;
	if (w->attend[wd])
		*p = w->day[wd];
	return ERR_OK;
}

/* The 31 placeholders ?2..?32 of a month's days. */
#define MONTH_DAYS                                                                             \
	"?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, "  \
	"?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32"

enum err plan_month(struct app *a, struct store_conn *c, int64_t child_id, const char *month,
		    struct plan_day **days, size_t *n)
{
	char first[16], last[16];
	struct plan_week w;
	struct plan_day *out = NULL;
	size_t len = 0;
	struct store_stmt *st = NULL;
	if (!month || strlen(month) != 7)
		return ERR_INVALID;
	snprintf(first, sizeof first, "%s-01", month);
	if (clock_day_parse(first, NULL, NULL) != 0)
		return ERR_INVALID;
	enum err e = plan_week_load(c, child_id, &w);
	if (e != ERR_OK)
		return e;
	out = xcalloc(31, sizeof *out);
	for (int d = 1; d <= 31; d++) {
		char day[16];
		int wd;
		snprintf(day, sizeof day, "%s-%02d", month, d);
		if (clock_day_parse(day, NULL, &wd) != 0)
			break;
		struct plan_day *pd = &out[len++];
		memcpy(pd->day, day, 10); /* a valid date is 10 bytes */
		pd->weekday = wd;
		if (w.attend[wd])
			pd->plan = w.day[wd];
	}
	snprintf(last, sizeof last, "%s", out[len - 1].day);
	/* Day exceptions of the month override the pattern. */
	st = store_prepare(c, "SELECT day, status, leave, way_home, pickup_id, reason_enc FROM "
			      "plan_days WHERE child_id = ? AND day BETWEEN ? AND ?");
	e = ERR_DB;
	if (!st)
		goto out;
	store_bind_int(st, 1, child_id);
	store_bind_text(st, 2, first);
	store_bind_text(st, 3, last);
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		const char *day = store_col_text(st, 0);
		size_t i = plan_day_index(day);
		if (i >= len)
			continue;
		struct plan_day *pd = &out[i];
		int s = plan_status_parse(store_col_text(st, 1));
		memset(&pd->plan, 0, sizeof pd->plan);
		pd->from_day = 1;
		pd->plan.status = s < 0 ? PLAN_OFF : (enum plan_status)s;
		entry_from_row(st, 2, &pd->plan);
		if (!store_col_is_null(st, 5)) {
			size_t blen;
			const void *b = store_col_blob(st, 5, &blen);
			if (vault_unseal(attendance_vault(a), "plan_days.reason", b, blen, &pd->plan.reason) !=
			    ERR_OK) {
				e = ERR_CRYPTO;
				goto out;
			}
		}
	}
	if (rc != STORE_DONE)
		goto out;
	store_finish(st);
	/* What happened: first entry and last exit per day. Scans are indexed day first (a day's
	 * work stays on that day's pages, sql/0035): the month's days are probed one by one. */
	st = store_prepare(c, "SELECT day, MIN(CASE WHEN direction = 'in' THEN at_ms END), "
			      "MAX(CASE WHEN direction = 'out' THEN at_ms END) FROM scans "
			      "WHERE child_id = ?1 AND day IN (" MONTH_DAYS ") GROUP BY day");
	if (!st)
		goto out;
	store_bind_int(st, 1, child_id);
	for (int d = 0; d < 31; d++)
		store_bind_text(st, 2 + d, out[(size_t)d < len ? (size_t)d : len - 1].day);
	while ((rc = store_step(st)) == STORE_ROW) {
		size_t i = plan_day_index(store_col_text(st, 0));
		if (i >= len)
			continue;
		if (!store_col_is_null(st, 1))
			clock_jst_hhmm(store_col_int(st, 1), out[i].in_at, sizeof out[i].in_at);
		if (!store_col_is_null(st, 2))
			clock_jst_hhmm(store_col_int(st, 2), out[i].out_at, sizeof out[i].out_at);
	}
	e = rc == STORE_DONE ? ERR_OK : ERR_DB;
out:
	store_finish(st);
	if (e != ERR_OK) {
		plan_days_free(out, len);
		return e;
	}
	*days = out;
	*n = len;
	return ERR_OK;
}

const char *plan_change_locked(const struct site *s, const char *day, int64_t now_ms,
			       char *msg, size_t n)
{
	char today[16];
	clock_jst_date(now_ms, today, sizeof today);
	int cmp = strcmp(day, today);
	if (cmp < 0) {
		snprintf(msg, n, "過ぎた日の予定は変更できません。");
		return msg;
	}
	int deadline = clock_hhmm_minutes(s->deadline);
	if (cmp == 0 && deadline >= 0 && clock_jst_minutes(now_ms) >= deadline) {
		if (s->phone[0])
			snprintf(msg, n, "当日の変更は%sで締め切りました。クラブへお電話ください（%s）。",
				 s->deadline, s->phone);
		else
			snprintf(msg, n, "当日の変更は%sで締め切りました。クラブへ直接ご連絡ください。",
				 s->deadline);
		return msg;
	}
	return NULL;
}

/* 1 when pickup_id is an active pickup person of child_id on c. */
static int pickup_of_child(struct store_conn *c, int64_t child_id, int64_t pickup_id)
{
	struct store_stmt *st = store_prepare(
	    c, "SELECT 1 FROM pickups WHERE id = ? AND child_id = ? AND active = 1");
	if (!st)
		return 0;
	store_bind_int(st, 1, pickup_id);
	store_bind_int(st, 2, child_id);
	int ok = store_step(st) == STORE_ROW;
	store_finish(st);
	return ok;
}

const char *plan_entry_check(struct store_conn *c, const struct site *s, int64_t child_id,
			     const struct plan_entry *p)
{
	if (p->status == PLAN_ABSENT) {
		if (!p->reason || text_line_check(p->reason, PLAN_TEXT_MAX) != TEXT_OK)
			return "欠席の理由を、1行・200文字以内で入力してください。";
		return NULL;
	}
	if (p->status != PLAN_ATTEND)
		return NULL;
	if (p->leave[0]) {
		int m = clock_hhmm_minutes(p->leave);
		if (m < 0 || m <= clock_hhmm_minutes(s->opens) || m > clock_hhmm_minutes(s->closes))
			return "帰る時刻（leave）は、クラブが開いている時間のうちの時刻（例 17:00）で"
			       "指定してください。";
	}
	if (p->way_home[0] && strcmp(p->way_home, "alone") != 0 &&
	    strcmp(p->way_home, "pickup") != 0)
		return "帰り方（way_home）は、一人で帰る（alone）かお迎え（pickup）を指定してください。";
	if (strcmp(p->way_home, "pickup") == 0 &&
	    (!p->pickup_id || !pickup_of_child(c, child_id, p->pickup_id)))
		return "お迎えのときは、登録されているお迎えの方から1人を選んでください（pickup_id）。";
	return NULL;
}

/* Upserts (p) or deletes (p NULL) the exception of child_id on day, on c. */
static enum err day_store(struct app *a, struct store_conn *c, const char *actor,
			  int64_t child_id, const char *day, const struct plan_entry *p)
{
	struct store_stmt *st;
	if (!p) {
		st = store_prepare(c, "DELETE FROM plan_days WHERE child_id = ? AND day = ?");
		if (!st)
			return ERR_DB;
		store_bind_int(st, 1, child_id);
		store_bind_text(st, 2, day);
	} else {
		st = store_prepare(
		    c, "INSERT INTO plan_days(child_id, day, status, leave, way_home, pickup_id, "
		       "reason_enc, updated_ms, updated_by) VALUES (?,?,?,?,?,?,?,?,?) "
		       "ON CONFLICT (child_id, day) DO UPDATE SET status = excluded.status, "
		       "leave = excluded.leave, way_home = excluded.way_home, "
		       "pickup_id = excluded.pickup_id, reason_enc = excluded.reason_enc, "
		       "updated_ms = excluded.updated_ms, updated_by = excluded.updated_by");
		if (!st)
			return ERR_DB;
		store_bind_int(st, 1, child_id);
		store_bind_text(st, 2, day);
		store_bind_text(st, 3, plan_status_name(p->status));
		struct plan_entry none = {0};
		/* Only an attendance has times and a way home; only an absence has a reason. */
		entry_bind(st, 4, p->status == PLAN_ATTEND ? p : &none);
		if (p->status == PLAN_ABSENT && p->reason)
			vault_bind_sealed(attendance_vault(a), st, 7, "plan_days.reason", p->reason);
		else
			store_bind_null(st, 7);
		store_bind_int(st, 8, clock_now_ms());
		store_bind_text(st, 9, actor);
	}
	enum err e = store_run(st);
	store_finish(st);
	return e;
}

/* The child's first entry and last scan of day on c: *first_in and *last_at (0 none), *last_out
 * 1 when the last scan is an exit. */
static enum err day_attendance(struct store_conn *c, int64_t child_id, const char *day,
			       int64_t *first_in, int64_t *last_at, int *last_out)
{
	*first_in = *last_at = 0;
	*last_out = 0;
	struct store_stmt *st = store_prepare(
	    c, "SELECT (SELECT MIN(at_ms) FROM scans WHERE child_id = ?1 AND day = ?2 AND "
	       "direction = 'in'), direction, at_ms FROM scans WHERE child_id = ?1 AND day = ?2 "
	       "ORDER BY at_ms DESC, id DESC LIMIT 1");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, child_id);
	store_bind_text(st, 2, day);
	int rc = store_step(st);
	if (rc == STORE_ROW) {
		*first_in = store_col_is_null(st, 0) ? 0 : store_col_int(st, 0);
		*last_out = strcmp(store_col_text(st, 1), "out") == 0;
		*last_at = store_col_int(st, 2);
	}
	store_finish(st);
	return rc == STORE_ROW || rc == STORE_DONE ? ERR_OK : ERR_DB;
}

/* Refuses (the message in msg) an absence or a day off for today after the child has come and
 * gone: the day happened. A child still here may get one: it tells staff, beside the present
 * status, that the family wants the child home (the board shows who sent it and when). */
static const char *attended_check(const struct app *a, struct store_conn *c, int64_t child_id,
				  const char *day, const char *today, const struct plan_entry *p,
				  char *msg, size_t n, enum err *e)
{
	int64_t first_in = 0, last_at = 0;
	int last_out = 0;
	*e = ERR_OK;
	if (!p || p->status == PLAN_ATTEND || strcmp(day, today) != 0)
		return NULL;
	*e = day_attendance(c, child_id, day, &first_in, &last_at, &last_out);
	if (*e != ERR_OK || !last_out)
		return NULL;
	char in[8] = "", out[8];
	/* The ward's own words for entry and exit (入室・退室, 登所・降所 …), as on its pages. */
	if (first_in)
		clock_jst_hhmm(first_in, in, sizeof in);
	clock_jst_hhmm(last_at, out, sizeof out);
	snprintf(msg, n,
		 "お子さまは今日すでに来所しています（%s%s%s%s%s）。来所した日を%sにはできません。",
		 in[0] ? in : "", in[0] ? a->cfg.entry_word : "", in[0] ? "・" : "", out,
		 a->cfg.exit_word,
		 p->status == PLAN_ABSENT ? "欠席" : "お休み");
	*e = ERR_CONFLICT;
	return msg;
}

/* What one day change's transaction needs and produces (group-commit unit context). */
struct day_unit {
	struct app *a;
	const char *actor, *day;
	int64_t child_id, now;
	int wd;
	const struct site *s;
	const struct plan_entry *p;
	char *msg;
	size_t n;
	const char **why, **code;
};

/* The day change's work inside a shared transaction (store_group_run): checks, the day's row,
 * the change log, the alert it clears and the audit entry. */
static enum err day_unit_run(struct store_conn *c, void *ctx)
{
	struct day_unit *u = ctx;
	struct app *a = u->a;
	struct plan_week w;
	struct plan_entry eff = {0};
	enum err e = ERR_OK;
	if (u->p && (*u->why = plan_entry_check(c, u->s, u->child_id, u->p)) != NULL) {
		e = ERR_INVALID;
		goto out;
	}
	char today[16];
	clock_jst_date(u->now, today, sizeof today);
	*u->why = attended_check(a, c, u->child_id, u->day, today, u->p, u->msg, u->n, &e);
	if (*u->why) {
		*u->code = "already_attended";
		goto out;
	}
	if (e != ERR_OK)
		goto out;
	e = day_store(a, c, u->actor, u->child_id, u->day, u->p);
	/* Staff see who changed the day and when (the board, the plan list). */
	if (e == ERR_OK)
		e = plan_change_log(c, u->child_id, u->day,
				    u->p ? plan_status_name(u->p->status) : "weekly", u->actor, u->now);
	if (e == ERR_OK)
		e = plan_week_load(c, u->child_id, &w);
	if (e == ERR_OK)
		e = day_effective(a, c, u->child_id, u->day, u->wd, &w, &eff);
	/* A child no longer expected that day is no longer "not arrived". */
	if (e == ERR_OK && eff.status != PLAN_ATTEND)
		e = alert_clear(c, u->child_id, u->day, "not_arrived", u->now);
	if (e != ERR_OK)
		goto out;
	char object[48], detail[64];
	snprintf(object, sizeof object, "child:%lld", (long long)u->child_id);
	snprintf(detail, sizeof detail, "day=%s status=%s", u->day,
		 u->p ? plan_status_name(u->p->status) : "weekly");
	e = audit_append(c, a->vault, u->actor, "plan.day", object, detail);
out:
	plan_entry_clear(&eff);
	return e;
}

enum err plan_set_day(struct app *a, const char *actor, int64_t child_id, const struct site *s,
		      const char *day, const struct plan_entry *p, char *msg, size_t n,
		      const char **why, const char **code)
{
	int wd = 0;
	int64_t now = clock_now_ms();
	*why = NULL;
	*code = "plan_locked";
	if (clock_day_parse(day, NULL, &wd) != 0) {
		*why = "日付が正しくありません。YYYY-MM-DD の形（例 2026-11-25）で指定してください。";
		return ERR_INVALID;
	}
	if (wd == 0) {
		*why = "日曜日はクラブがお休みです。";
		return ERR_INVALID;
	}
	if ((*why = plan_change_locked(s, day, now, msg, n)) != NULL)
		return ERR_CONFLICT;
	/* A small write on the morning's hot path (absence notices): it shares a durable commit
	 * with the scans and other changes waiting at the same moment. */
	struct day_unit u = {a, actor, day, child_id, now, wd, s, p, msg, n, why, code};
	return store_group_run(a->store, day_unit_run, &u);
}

/* 1 when weekday wd plans differently in a and b (coming or not, leave, way home, pickup). */
static int week_day_differs(const struct plan_week *a, const struct plan_week *b, int wd)
{
	if (a->attend[wd] != b->attend[wd])
		return 1;
	if (!a->attend[wd])
		return 0;
	const struct plan_entry *x = &a->day[wd], *y = &b->day[wd];
	return strcmp(x->leave, y->leave) != 0 || strcmp(x->way_home, y->way_home) != 0 ||
	       x->pickup_id != y->pickup_id;
}

/* After a weekly change from old to w by actor: logs a change ("weekly") for each day of the
 * next two weeks that follows the pattern (no exception) and now plans differently — today
 * only while it is not locked — so staff see it on the board and the plan list; and clears
 * today's not-arrived alert when today is no longer planned. On c, in its transaction. */
static enum err week_changes_log(struct app *a, struct store_conn *c, const char *actor,
				 int64_t child_id, const struct plan_week *old,
				 const struct plan_week *w, int64_t now, int today_locked)
{
	enum err e = ERR_OK;
	for (int i = today_locked ? 1 : 0; i < 14 && e == ERR_OK; i++) {
		char day[16];
		int wd = 0, found = 0;
		struct plan_entry ex = {0};
		clock_jst_date(now + i * 24LL * 3600 * 1000, day, sizeof day);
		clock_day_parse(day, NULL, &wd);
		if (wd == 0 || !week_day_differs(old, w, wd))
			continue;
		e = day_load(a, c, child_id, day, &ex, &found);
		plan_entry_clear(&ex);
		if (e == ERR_OK && !found)
			e = plan_change_log(c, child_id, day, "weekly", actor, now);
		if (e == ERR_OK && !found && i == 0 && !w->attend[wd])
			e = alert_clear(c, child_id, day, "not_arrived", now);
	}
	return e;
}

/* What one weekly change's transaction needs (group-commit unit context). */
struct week_unit {
	struct app *a;
	const char *actor;
	int64_t child_id;
	const struct site *s;
	const struct plan_week *w;
	const char **why;
};

/* The weekly change's work inside a shared transaction (store_group_run): checks, today kept
 * when locked, the weekly rows, the change log of the coming days and the audit entry. */
static enum err week_unit_run(struct store_conn *c, void *ctx)
{
	struct week_unit *u = ctx;
	struct app *a = u->a;
	const char *actor = u->actor;
	int64_t child_id = u->child_id;
	const struct site *s = u->s;
	const struct plan_week *w = u->w;
	const char **why = u->why;
	char today[16], msg[160];
	int wd_today = 0;
	int64_t now = clock_now_ms(); /* timed inside the write transaction */
	struct plan_week old = {0};
	struct plan_entry keep = {0};
	struct store_stmt *st = NULL;
	enum err e = ERR_OK;
	clock_jst_date(now, today, sizeof today);
	clock_day_parse(today, NULL, &wd_today);
	for (int wd = 1; wd <= 6; wd++) {
		if (!w->attend[wd])
			continue;
		struct plan_entry p = w->day[wd];
		p.status = PLAN_ATTEND;
		p.reason = NULL;
		if ((*why = plan_entry_check(c, s, child_id, &p)) != NULL) {
			e = ERR_INVALID;
			goto out;
		}
	}
	e = plan_week_load(c, child_id, &old);
	if (e != ERR_OK)
		goto out;
	/* Past today's deadline, today keeps the plan it had: the club already counts on it. */
	int today_locked = wd_today != 0 && plan_change_locked(s, today, now, msg, sizeof msg);
	if (today_locked) {
		int found = 0;
		e = day_load(a, c, child_id, today, &keep, &found);
		if (e == ERR_OK && !found) {
			struct plan_entry was = {0};
			if (old.attend[wd_today])
				was = old.day[wd_today];
			was.status = old.attend[wd_today] ? PLAN_ATTEND : PLAN_OFF;
			e = day_store(a, c, actor, child_id, today, &was);
		}
		if (e != ERR_OK)
			goto out;
	}
	st = store_prepare(c, "DELETE FROM plan_weekly WHERE child_id = ?");
	e = ERR_DB;
	if (!st)
		goto out;
	store_bind_int(st, 1, child_id);
	e = store_run(st);
	store_finish(st);
	st = NULL;
	if (e != ERR_OK)
		goto out;
	int days = 0;
	for (int wd = 1; wd <= 6; wd++) {
		if (!w->attend[wd])
			continue;
		st = store_prepare(c, "INSERT INTO plan_weekly(child_id, weekday, leave, way_home, "
				      "pickup_id, updated_ms) VALUES (?, ?, ?, ?, ?, ?)");
		e = ERR_DB;
		if (!st)
			goto out;
		store_bind_int(st, 1, child_id);
		store_bind_int(st, 2, wd);
		entry_bind(st, 3, &w->day[wd]);
		store_bind_int(st, 6, now);
		e = store_run(st);
		store_finish(st);
		st = NULL;
		if (e != ERR_OK)
			goto out;
		days++;
	}
	e = week_changes_log(a, c, actor, child_id, &old, w, now, today_locked);
	if (e != ERR_OK)
		goto out;
	char object[48], detail[48];
	snprintf(object, sizeof object, "child:%lld", (long long)child_id);
	snprintf(detail, sizeof detail, "days=%d", days);
	e = audit_append(c, a->vault, actor, "plan.weekly", object, detail);
out:
	plan_entry_clear(&keep);
	store_finish(st);
	return e;
}

enum err plan_set_week(struct app *a, const char *actor, int64_t child_id, const struct site *s,
		       const struct plan_week *w, const char **why)
{
	*why = NULL;
	struct week_unit u = {a, actor, child_id, s, w, why};
	return store_group_run(a->store, week_unit_run, &u);
}
