/* SPDX-License-Identifier: MIT */
/* api_close.c — the end of a youth support case (相談の終了): the supervisor closes a case on a
 * day (today or earlier, not before the case began) and may open it again. A closed case takes
 * no more writes (casework_writable: 409 case_closed) and is erased with every row of it
 * [retention] youth_cases_days after its closing day (src/youth/service.c). */
#include "youth/api.h"

#include <stdio.h>
#include <string.h>

#include "app.h"
#include "base/clock.h"
#include "store/store.h"

/* Checks day (YYYY-MM-DD, a real date) against today and the case's first day (created_ms):
 * ERR_OK, or 400 bad_close answered. */
static enum err day_check(struct http_resp *rs, const char *day, const char *today,
			  const char *first)
{
	if (!day || strlen(day) != 10 || clock_day_parse(day, NULL, NULL) != 0)
		return http_error_as(
		    rs, ERR_INVALID, "bad_close",
		    "相談の終了日を YYYY-MM-DD の形（実在する日付）で入力してください。");
	if (strcmp(day, today) > 0)
		return http_error_as(rs, ERR_INVALID, "bad_close",
				     "相談の終了日に、今日より後の日は選べません。");
	if (strcmp(day, first) < 0)
		return http_error_as(rs, ERR_INVALID, "bad_close",
				     "相談の終了日に、ケースを作った日より前の日は選べません。");
	return ERR_OK;
}

/* Reads case id's state and first day (Japan time) into state and first: ERR_OK, ERR_NOTFOUND
 * or ERR_DB. */
static enum err case_state(struct store_conn *c, int64_t id, char state[8], char first[11])
{
	struct store_stmt *st =
	    store_prepare(c, "SELECT state, created_ms FROM yo_cases WHERE id = ?1");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, id);
	int r = store_step(st);
	if (r == STORE_ROW) {
		snprintf(state, 8, "%s", store_col_text(st, 0));
		clock_jst_date(store_col_int(st, 1), first, 11);
	}
	store_finish(st);
	return r == STORE_ROW ? ERR_OK : r == STORE_DONE ? ERR_NOTFOUND : ERR_DB;
}

/* Closes case {} on the body's "on" (today when absent), or (close 0) opens it again. */
static enum err close_or_reopen(struct http_req *rq, struct http_resp *rs, int close)
{
	json_t *body = NULL;
	int64_t id = http_param_id(rq->params[0]);
	char today[11], first[11] = "", state[8] = "", detail[32] = "";
	clock_jst_date(clock_now_ms(), today, sizeof today);
	enum err e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	struct store_conn *c = store_acquire(rq->app->store);
	e = youth_reach(rq, rs, c, id, 0);
	if (e != ERR_OK)
		goto out;
	e = case_state(c, id, state, first);
	if (e != ERR_OK) {
		e = e == ERR_NOTFOUND ? youth_not_found(rs)
				      : http_error(rs, e, "ケースを読み込めませんでした。");
		goto out;
	}
	const char *on = json_string_value(json_object_get(body, "on"));
	if (close) {
		if (!on || !*on)
			on = today;
		e = day_check(rs, on, today, first);
		if (e != ERR_OK)
			goto out;
		snprintf(detail, sizeof detail, "on: %s", on);
	}
	e = store_begin(c);
	struct store_stmt *st = NULL;
	if (e == ERR_OK) {
		st = store_prepare(
		    c,
		    close ? "UPDATE yo_cases SET state = 'closed', closed_on = ?3, updated_ms = ?2 "
			    "WHERE id = ?1 AND state = 'open'"
			  : "UPDATE yo_cases SET state = 'open', closed_on = NULL, updated_ms = ?2 "
			    "WHERE id = ?1 AND state = 'closed'");
		e = st ? ERR_OK : ERR_DB;
	}
	if (e == ERR_OK) {
		store_bind_int(st, 1, id);
		store_bind_int(st, 2, clock_now_ms());
		if (close)
			store_bind_text(st, 3, on);
		e = casework_run(st);
	}
	if (e == ERR_OK && store_changes(c) == 0)
		e = ERR_CONFLICT;
	if (e == ERR_OK)
		e = youth_audit(rq, c, close ? "youth.close" : "youth.reopen", id, detail);
	if (e == ERR_OK)
		e = store_commit(c);
	if (e != ERR_OK) {
		store_rollback(c);
		e = e != ERR_CONFLICT ? http_error(rs, e, "記録できませんでした。")
		    : close	      ? http_error_as(rs, e, "already_closed",
						      "このケースはすでに終了しています。")
			    : http_error_as(rs, e, "not_closed", "このケースは終了していません。");
		goto out;
	}
	e = http_json(rs, 200,
		      json_pack("{s:I, s:s, s:s?}", "id", (json_int_t)id, "state",
				close ? "closed" : "open", "closed_on", close ? on : NULL));
out:
	store_release(c);
	json_decref(body);
	return e;
}

enum err api_yo_case_close(struct http_req *rq, struct http_resp *rs)
{
	return close_or_reopen(rq, rs, 1);
}

enum err api_yo_case_reopen(struct http_req *rq, struct http_resp *rs)
{
	return close_or_reopen(rq, rs, 0);
}
