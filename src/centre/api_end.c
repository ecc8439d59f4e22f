/* SPDX-License-Identifier: MIT */
/* api_end.c — the end of a child's use of the centre (利用の終了): the manager ends an
 * application or a contract on a day (today or earlier, not before the contract's start or,
 * before it began, the application); a contract's last day becomes that day when it was later,
 * and fees.c counts only the days within the contract. An ended child takes no record,
 * assessment or plan (casework_writable: 409 case_closed); messages with the parents stay open
 * (the end and the last statement are talked over there). A new contract makes the child
 * current again. The child is erased with every row of them [retention] centre_children_days
 * after that day (src/centre/service.c). */
#include "centre/api.h"

#include <stdio.h>
#include <string.h>

#include "app.h"
#include "base/clock.h"
#include "store/store.h"

/* Reads child id's first day into first: its contract's start when the contract has begun
 * (*contracted 1), else its application's (a contract not begun yet may end before it does).
 * ERR_OK, ERR_NOTFOUND or ERR_DB. */
static enum err child_first_day(struct store_conn *c, int64_t id, char first[11], int *contracted)
{
	struct store_stmt *st = store_prepare(
	    c, "SELECT CASE WHEN contract_from <= ?2 THEN contract_from ELSE applied_on END, "
	       "contract_from <= ?2 FROM ce_cases WHERE id = ?1");
	if (!st)
		return ERR_DB;
	char today[11];
	clock_jst_date(clock_now_ms(), today, sizeof today);
	store_bind_int(st, 1, id);
	store_bind_text(st, 2, today);
	int r = store_step(st);
	if (r == STORE_ROW) {
		snprintf(first, 11, "%s", store_col_text(st, 0));
		*contracted = store_col_int(st, 1) != 0;
	}
	store_finish(st);
	return r == STORE_ROW ? ERR_OK : r == STORE_DONE ? ERR_NOTFOUND : ERR_DB;
}

enum err api_ce_child_end(struct http_req *rq, struct http_resp *rs)
{
	json_t *body = NULL;
	int64_t id = http_param_id(rq->params[0]);
	char on[11] = "", first[11] = "", detail[32];
	int contracted = 0;
	enum err e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	struct store_conn *c = store_acquire(rq->app->store);
	e = centre_reach(rq, rs, c, id, 0);
	if (e != ERR_OK)
		goto out;
	e = child_first_day(c, id, first, &contracted);
	if (e != ERR_OK) {
		e = e == ERR_NOTFOUND ? centre_not_found(rs)
				      : http_error(rs, e, "児童の記録を読み込めませんでした。");
		goto out;
	}
	e = casework_end_day(rs, body, first, "利用の終了日",
			     contracted ? "契約の開始日" : "申請の日", "bad_end", on);
	if (e != ERR_OK)
		goto out;
	e = store_begin(c);
	struct store_stmt *st = NULL;
	if (e == ERR_OK) {
		st = store_prepare(
		    c,
		    "UPDATE ce_cases SET state = 'ended', ended_on = ?2, contract_to = CASE WHEN "
		    "contract_to > ?2 THEN ?2 ELSE contract_to END, updated_ms = ?3 WHERE id = ?1 "
		    "AND state <> 'ended'");
		e = st ? ERR_OK : ERR_DB;
	}
	if (e == ERR_OK) {
		store_bind_int(st, 1, id);
		store_bind_text(st, 2, on);
		store_bind_int(st, 3, clock_now_ms());
		e = casework_run(st);
	}
	if (e == ERR_OK && store_changes(c) == 0)
		e = ERR_CONFLICT;
	snprintf(detail, sizeof detail, "on: %s", on);
	if (e == ERR_OK)
		e = centre_audit(rq, c, "centre.end", id, detail);
	if (e == ERR_OK)
		e = store_commit(c);
	if (e != ERR_OK) {
		store_rollback(c);
		e = e == ERR_CONFLICT ? http_error_as(rs, e, "already_ended",
						      "この児童の利用はすでに終了しています。")
				      : http_error(rs, e, "記録できませんでした。");
		goto out;
	}
	e = http_json(
	    rs, 200,
	    json_pack("{s:I, s:s, s:s}", "id", (json_int_t)id, "state", "ended", "ended_on", on));
out:
	store_release(c);
	json_decref(body);
	return e;
}
