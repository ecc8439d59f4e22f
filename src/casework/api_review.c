/* SPDX-License-Identifier: MIT */
/* api_review.c — the supervisor's side of the openings, for every casework service: who opened
 * which case and why (each with the case's number), and the review of a break-glass opening. */
#include "casework/api.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "base/clock.h"
#include "base/text.h"
#include "store/store.h"

enum err casework_api_opens(const struct casework_kind *k, struct http_req *rq,
			    struct http_resp *rs, int64_t case_id)
{
	const char *p = http_query(rq, "pending");
	char sql[96];
	struct store_conn *c = store_acquire(rq->app->store);
	json_t *arr = casework_opens_json(c, k, case_id, p && strcmp(p, "1") == 0);
	casework_sql(k, "SELECT number FROM @_cases WHERE id = ?1", sql, sizeof sql);
	/* The numbers of the cases named, for the report. */
	size_t i;
	json_t *o;
	json_array_foreach(arr, i, o)
	{
		struct store_stmt *st = store_prepare(c, sql);
		if (!st)
			break;
		store_bind_int(st, 1, (int64_t)json_integer_value(json_object_get(o, "case_id")));
		if (store_step(st) == STORE_ROW)
			json_object_set_new(o, "number", json_string(store_col_text(st, 0)));
		store_finish(st);
	}
	store_release(c);
	return http_json(rs, 200, json_pack("{s:o}", "opens", arr));
}

enum err casework_api_open_review(const struct casework_kind *k, struct http_req *rq,
				  struct http_resp *rs)
{
	json_t *body = NULL;
	int64_t oid = http_param_id(rq->params[0]), id = 0;
	char detail[48];
	enum err e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	const char *note = json_string_value(json_object_get(body, "note"));
	if (!note || text_line_check(note, 200) != TEXT_OK) {
		json_decref(body);
		return http_error_as(rs, ERR_INVALID, "bad_review",
				     "確認の結果を1行・200文字以内で入力してください。");
	}
	struct store_conn *c = store_acquire(rq->app->store);
	e = store_begin(c);
	if (e == ERR_OK)
		e = casework_review(c, k, oid, rq->user.id, note, clock_now_ms(), &id);
	snprintf(detail, sizeof detail, "open:%" PRId64, oid);
	if (e == ERR_OK)
		e = casework_audit(k, rq, c, "casework.break_glass_reviewed", id, detail);
	if (e == ERR_OK)
		e = store_commit(c);
	if (e != ERR_OK) {
		store_rollback(c);
		e = e == ERR_NOTFOUND
			? http_error_as(rs, e, "no_such_open",
					"その緊急閲覧（ブレークグラス）の記録はありません。")
		    : e == ERR_CONFLICT ? http_error_as(rs, e, "already_reviewed",
							"この緊急閲覧はすでに確認済みです。")
					: http_error(rs, e, "確認を記録できませんでした。");
		goto out;
	}
	e = http_json(rs, 200, json_pack("{s:b}", "reviewed", 1));
out:
	store_release(c);
	json_decref(body);
	return e;
}
