/* SPDX-License-Identifier: MIT */
/* api_reach.c — the HTTP answers of the one access rule and a case's audit entries, for every
 * casework service. */
#include "casework/api.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "auth/audit.h"
#include "base/clock.h"
#include "store/store.h"

enum err casework_not_found(struct http_resp *rs)
{
	return http_error_as(rs, ERR_NOTFOUND, "not_found", "見つかりません。");
}

enum err casework_audit(const struct casework_kind *k, struct http_req *rq, struct store_conn *c,
			const char *action, int64_t id, const char *detail)
{
	char object[48];
	snprintf(object, sizeof object, "%s:%" PRId64, k->object, id);
	return audit_append(c, rq->app->vault, rq->actor, action, object, detail);
}

enum err casework_audit_read(const struct casework_kind *k, struct http_req *rq,
			     struct store_conn *c, int64_t id, const char *detail, int64_t now)
{
	char object[48];
	snprintf(object, sizeof object, "%s:%" PRId64, k->object, id);
	return audit_read_append(c, rq->app->vault, rq->actor, "casework.read", object, detail, now,
				 NULL);
}

enum err casework_reach(const struct casework_kind *k, struct http_req *rq, struct http_resp *rs,
			struct store_conn *c, int64_t id, int opened)
{
	char day[11], msg[160];
	enum casework_access how;
	clock_jst_date(clock_now_ms(), day, sizeof day);
	snprintf(msg, sizeof msg, "%sを読み込めませんでした。", k->noun);
	enum err e = casework_access(c, k, rq->user.id, rq->role, id, day, &how);
	if (e == ERR_NOTFOUND)
		return casework_not_found(rs);
	if (e != ERR_OK)
		return http_error(rs, e, msg);
	if (opened) {
		int o = casework_opened_today(c, k, rq->user.id, id, day);
		if (o < 0)
			return http_error(rs, ERR_DB, msg);
		if (!o) {
			snprintf(msg, sizeof msg,
				 "この%sを開くには、先に閲覧の理由を入力してください。", k->noun);
			return http_error_as(rs, ERR_CONFLICT, "open_required", msg);
		}
	}
	return ERR_OK;
}

enum err casework_writable(const struct casework_kind *k, struct http_resp *rs,
			   struct store_conn *c, int64_t id)
{
	char sql[80], msg[160];
	struct store_stmt *st =
	    store_prepare(c, casework_sql(k, "SELECT 1 FROM @_cases WHERE id = ?1 AND state = ?2",
					  sql, sizeof sql));
	if (st) {
		store_bind_int(st, 1, id);
		store_bind_text(st, 2, k->closed_state);
	}
	int closed = casework_exists(st);
	snprintf(msg, sizeof msg, "%sを読み込めませんでした。", k->noun);
	if (closed < 0)
		return http_error(rs, ERR_DB, msg);
	if (closed)
		return http_error_as(rs, ERR_CONFLICT, "case_closed", k->closed_message);
	return ERR_OK;
}

enum err casework_end_day(struct http_resp *rs, const json_t *body, const char *first,
			  const char *what, const char *first_what, const char *code, char out[11])
{
	char today[11], msg[200];
	clock_jst_date(clock_now_ms(), today, sizeof today);
	/* Not given (or null): today. Given empty: the person cleared the field and must say
	 * which day, not have today taken for it. */
	const json_t *given = json_object_get(body, "on");
	const char *on = !given || json_is_null(given) ? today : json_string_value(given);
	if (!on)
		on = "x"; /* not a string: the format's message */
	if (!*on)
		snprintf(msg, sizeof msg, "%sを入力してください。", what);
	else if (strlen(on) != 10 || clock_day_parse(on, NULL, NULL) != 0)
		snprintf(msg, sizeof msg,
			 "%sを YYYY-MM-DD の形（実在する日付）で入力してください。", what);
	else if (strcmp(on, today) > 0)
		snprintf(msg, sizeof msg, "%sに、今日より後の日は選べません。", what);
	else if (strcmp(on, first) < 0)
		snprintf(msg, sizeof msg, "%sに、%sより前の日は選べません。", what, first_what);
	else {
		memcpy(out, on, 11);
		return ERR_OK;
	}
	return http_error_as(rs, ERR_INVALID, code, msg);
}

enum err casework_reach_body(const struct casework_kind *k, struct http_req *rq,
			     struct http_resp *rs, struct store_conn *c, int64_t id, json_t **body)
{
	enum err e = casework_reach(k, rq, rs, c, id, 1);
	if (e == ERR_OK)
		e = casework_writable(k, rs, c, id);
	return e == ERR_OK ? http_json_body(rq, rs, body) : e;
}

const char *casework_how_name(const struct casework_kind *k, enum casework_access how)
{
	return how == CASEWORK_SUPERVISOR    ? k->supervisor_how
	       : how == CASEWORK_ASSIGNED    ? "assigned"
	       : how == CASEWORK_BREAK_GLASS ? "break_glass"
					     : "none";
}

int64_t casework_case_param(const struct casework_kind *k, struct store_conn *c, const char *s)
{
	char sql[96];
	int64_t id = 0;
	if (!s || s[0] != k->number_letter || strlen(s) > 15)
		return http_param_id(s);
	struct store_stmt *st = store_prepare(
	    c, casework_sql(k, "SELECT id FROM @_cases WHERE number = ?1", sql, sizeof sql));
	if (!st)
		return 0;
	store_bind_text(st, 1, s);
	if (store_step(st) == STORE_ROW)
		id = store_col_int(st, 0);
	store_finish(st);
	return id;
}
