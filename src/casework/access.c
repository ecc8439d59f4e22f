/* SPDX-License-Identifier: MIT */
/* access.c — casework's one access rule and the openings: an assigned worker of the case's
 * unit or the supervisor reaches a case; anyone else finds none (a 404, never a 403 that would
 * say the case exists). Each opening is recorded with the reason asked at the first open of
 * the day (user × case) and audited; a worker's break-glass open (an emergency, the reason
 * mandatory) is flagged for the supervisor's review. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "auth/audit.h"
#include "base/clock.h"
#include "base/text.h"
#include "casework/casework.h"
#include "store/store.h"

#define Q(sql) casework_sql(k, sql, q, sizeof q)

/* Returns 1 when case_id exists, 0 when not, -1 on a database error; its unit into unit. */
static int case_unit(struct store_conn *c, const struct casework_kind *k, int64_t case_id,
		     char unit[CASEWORK_UNIT_MAX])
{
	char q[256];
	return casework_unit_read(store_prepare(c, Q("SELECT unit FROM @_cases WHERE id = ?1")),
				  case_id, unit);
}

/* Returns 1 when user_id is assigned to case_id, 0 when not, -1 on a database error. */
static int assigned(struct store_conn *c, const struct casework_kind *k, int64_t case_id,
		    int64_t user_id)
{
	char q[256];
	struct store_stmt *st =
	    store_prepare(c, Q("SELECT 1 FROM @_assignments WHERE case_id = ?1 AND user_id = ?2"));
	if (st) {
		store_bind_int(st, 1, case_id);
		store_bind_int(st, 2, user_id);
	}
	return casework_exists(st);
}

/* Returns 1 when user_id opened case_id on day (by break-glass when glass), 0 when not, -1 on
 * a database error. */
static int opened_on(struct store_conn *c, const struct casework_kind *k, int64_t user_id,
		     int64_t case_id, const char *day, int glass)
{
	char q[256];
	struct store_stmt *st = store_prepare(
	    c, glass ? Q("SELECT 1 FROM @_opens WHERE user_id = ?1 AND case_id = ?2 AND day = ?3 "
			 "AND break_glass = 1")
		     : Q("SELECT 1 FROM @_opens WHERE user_id = ?1 AND case_id = ?2 AND day = ?3"));
	if (st) {
		store_bind_int(st, 1, user_id);
		store_bind_int(st, 2, case_id);
		store_bind_text(st, 3, day);
	}
	return casework_exists(st);
}

enum err casework_access(struct store_conn *c, const struct casework_kind *k, int64_t user_id,
			 unsigned role, int64_t case_id, const char *day, enum casework_access *out)
{
	char unit[CASEWORK_UNIT_MAX], mine[CASEWORK_UNIT_MAX];
	*out = CASEWORK_NONE;
	if (!(role & (k->worker_role | k->supervisor_role)) || case_id <= 0)
		return ERR_NOTFOUND;
	int have = case_unit(c, k, case_id, unit);
	if (have < 0)
		return ERR_DB;
	if (have == 0)
		return ERR_NOTFOUND;
	if (role & k->supervisor_role) {
		*out = CASEWORK_SUPERVISOR;
		return ERR_OK;
	}
	int u = casework_worker_unit(c, k, user_id, mine);
	int a = assigned(c, k, case_id, user_id);
	if (u < 0 || a < 0)
		return ERR_DB;
	if (u == 1 && a == 1 && strcmp(unit, mine) == 0) {
		*out = CASEWORK_ASSIGNED;
		return ERR_OK;
	}
	int g = opened_on(c, k, user_id, case_id, day, 1);
	if (g < 0)
		return ERR_DB;
	if (g == 1) {
		*out = CASEWORK_BREAK_GLASS;
		return ERR_OK;
	}
	return ERR_NOTFOUND;
}

int casework_opened_today(struct store_conn *c, const struct casework_kind *k, int64_t user_id,
			  int64_t case_id, const char *day)
{
	return opened_on(c, k, user_id, case_id, day, 0);
}

enum err casework_open(struct store_conn *c, const struct vault *audit_key,
		       const struct casework_kind *k, const char *actor, int64_t user_id,
		       unsigned role, int64_t case_id, const char *reason, int break_glass,
		       int64_t now_ms, enum casework_access *how, const char **why)
{
	char day[11], q[512], object[64], detail[CASEWORK_REASON_MAX * 4 + 64];
	*why = NULL;
	clock_jst_date(now_ms, day, sizeof day);
	if (!reason)
		reason = "";
	enum err e = casework_access(c, k, user_id, role, case_id, day, how);
	if (e == ERR_DB)
		return e;
	int glass = 0;
	if (e == ERR_NOTFOUND) {
		/* Break-glass: a worker of the service, an existing case, an emergency. */
		char unit[CASEWORK_UNIT_MAX];
		if (!break_glass || !(role & k->worker_role))
			return ERR_NOTFOUND;
		int have = case_unit(c, k, case_id, unit);
		if (have <= 0)
			return have < 0 ? ERR_DB : ERR_NOTFOUND;
		if (text_line_check(reason, CASEWORK_REASON_MAX) != TEXT_OK) {
			*why = "緊急時の閲覧（ブレークグラス）には、理由を200文字以内で必ず入力して"
			       "ください。";
			return ERR_INVALID;
		}
		glass = 1;
		*how = CASEWORK_BREAK_GLASS;
	} else if (*how == CASEWORK_BREAK_GLASS) {
		glass = 1;
	}
	int before = casework_opened_today(c, k, user_id, case_id, day);
	if (before < 0)
		return ERR_DB;
	if (reason[0] && text_line_check(reason, CASEWORK_REASON_MAX) != TEXT_OK) {
		*why = "閲覧の理由は1行・200文字以内で入力してください。";
		return ERR_INVALID;
	}
	if (!before && !reason[0]) {
		*why = "本日初めてこのケースを開きます。閲覧の理由を入力してください。";
		return ERR_INVALID;
	}
	struct store_stmt *st = store_prepare(
	    c, Q("INSERT INTO @_opens (case_id, user_id, day, reason, break_glass, at_ms) VALUES "
		 "(?1, ?2, ?3, ?4, ?5, ?6)"));
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, case_id);
	store_bind_int(st, 2, user_id);
	store_bind_text(st, 3, day);
	store_bind_text(st, 4, reason);
	store_bind_int(st, 5, glass && reason[0] ? 1 : 0);
	store_bind_int(st, 6, now_ms);
	e = casework_run(st);
	if (e != ERR_OK)
		return e;
	snprintf(object, sizeof object, "%s:%" PRId64, k->object, case_id);
	snprintf(detail, sizeof detail, "%s%s%s",
		 *how == CASEWORK_SUPERVISOR ? "supervisor"
		 : *how == CASEWORK_ASSIGNED ? "assigned"
					     : "break-glass",
		 reason[0] ? "; reason: " : "; opened earlier today", reason);
	return audit_append(c, audit_key, actor,
			    glass && reason[0] ? "casework.break_glass" : "casework.open", object,
			    detail);
}

json_t *casework_opens_json(struct store_conn *c, const struct casework_kind *k, int64_t case_id,
			    int pending)
{
	char q[768];
	json_t *arr = json_array();
	struct store_stmt *st = store_prepare(
	    c, Q("SELECT o.id, o.case_id, o.user_id, u.login, o.day, o.reason, o.break_glass, "
		 "r.login, o.review_note, o.at_ms, o.reviewed_ms FROM @_opens o JOIN users u ON "
		 "u.id = o.user_id LEFT JOIN users r ON r.id = o.reviewed_by WHERE (?1 = 0 OR "
		 "o.case_id = ?1) AND (?2 = 0 OR (o.break_glass = 1 AND o.reviewed_by IS NULL)) "
		 "AND (?3 = 0 OR o.reason <> '') ORDER BY o.id DESC LIMIT 500"));
	if (!st)
		return arr;
	store_bind_int(st, 1, case_id);
	store_bind_int(st, 2, pending ? 1 : 0);
	store_bind_int(st, 3, case_id ? 0 : 1);
	while (store_step(st) == STORE_ROW) {
		json_t *o = json_pack(
		    "{s:I, s:I, s:I, s:s, s:s, s:s, s:b, s:I}", "id",
		    (json_int_t)store_col_int(st, 0), "case_id", (json_int_t)store_col_int(st, 1),
		    "user_id", (json_int_t)store_col_int(st, 2), "login", store_col_text(st, 3),
		    "day", store_col_text(st, 4), "reason", store_col_text(st, 5), "break_glass",
		    (int)store_col_int(st, 6), "at_ms", (json_int_t)store_col_int(st, 9));
		json_object_set_new(o, "reviewed_by",
				    store_col_is_null(st, 7) ? json_null()
							     : json_string(store_col_text(st, 7)));
		json_object_set_new(o, "review_note",
				    store_col_is_null(st, 8) ? json_null()
							     : json_string(store_col_text(st, 8)));
		json_array_append_new(arr, o);
	}
	store_finish(st);
	return arr;
}

enum err casework_review(struct store_conn *c, const struct casework_kind *k, int64_t open_id,
			 int64_t user_id, const char *note, int64_t now_ms, int64_t *case_id)
{
	char q[512];
	struct store_stmt *st = store_prepare(
	    c, Q("SELECT case_id, reviewed_by FROM @_opens WHERE id = ?1 AND break_glass = 1"));
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, open_id);
	int r = store_step(st);
	int done = 0;
	if (r == STORE_ROW) {
		*case_id = store_col_int(st, 0);
		done = !store_col_is_null(st, 1);
	}
	store_finish(st);
	if (r == STORE_DONE)
		return ERR_NOTFOUND;
	if (r != STORE_ROW)
		return ERR_DB;
	if (done)
		return ERR_CONFLICT;
	st =
	    store_prepare(c, Q("UPDATE @_opens SET reviewed_by = ?2, review_note = ?3, reviewed_ms "
			       "= ?4 WHERE id = ?1 AND reviewed_by IS NULL"));
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, open_id);
	store_bind_int(st, 2, user_id);
	store_bind_text(st, 3, note ? note : "");
	store_bind_int(st, 4, now_ms);
	return casework_run(st);
}
