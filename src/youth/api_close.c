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

/* Reads the first day of case id (Japan time, when it was made) into first: ERR_OK,
 * ERR_NOTFOUND or ERR_DB. */
static enum err case_first_day(struct store_conn *c, int64_t id, char first[11])
{
	struct store_stmt *st = store_prepare(c, "SELECT created_ms FROM yo_cases WHERE id = ?1");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, id);
	int r = store_step(st);
	if (r == STORE_ROW) {
		clock_jst_date(store_col_int(st, 0), first, 11);
	}
	store_finish(st);
	return r == STORE_ROW ? ERR_OK : r == STORE_DONE ? ERR_NOTFOUND : ERR_DB;
}

/* Closes case {} on the body's "on" (today when absent), or (close 0) opens it again. */
static enum err close_or_reopen(struct http_req *rq, struct http_resp *rs, int close)
{
	json_t *body = NULL;
	int64_t id = http_param_id(rq->params[0]);
	char on[11] = "", first[11] = "", detail[32] = "";
	enum err e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	struct store_conn *c = store_acquire(rq->app->store);
	e = youth_reach(rq, rs, c, id, 0);
	if (e != ERR_OK)
		goto out;
	e = case_first_day(c, id, first);
	if (e != ERR_OK) {
		e = e == ERR_NOTFOUND ? youth_not_found(rs)
				      : http_error(rs, e, "ケースを読み込めませんでした。");
		goto out;
	}
	if (close) {
		e = casework_end_day(rs, body, first, "相談の終了日", "ケースを作った日",
				     "bad_close", on);
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
