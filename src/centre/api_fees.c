/* SPDX-License-Identifier: MIT */
/* api_fees.c — the monthly usage-fee statements: the manager makes a month's statements (the
 * days attended × the fee per day, capped by the household's monthly cap) and lists them; each
 * statement's PDF is read by the manager or by a parent of that child only (anyone else: 404),
 * and every download is recorded in the handover ledger. */
#include "centre/api.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "auth/audit.h"
#include "base/buf.h"
#include "base/clock.h"
#include "ledger/ledger.h"
#include "store/store.h"
#include "vault/vault.h"

#define PDF_MAX (4 * 1024 * 1024)

enum err api_ce_statements(struct http_req *rq, struct http_resp *rs)
{
	const char *month = http_query(rq, "month");
	if (!month || strlen(month) != 7)
		return http_error_as(rs, ERR_INVALID, "bad_month",
				     "月を年-月（例: 2026-11）で選んでください。");
	struct store_conn *c = store_acquire(rq->app->store);
	json_t *arr = centre_statements_json(c, 0, month);
	store_release(c);
	json_int_t total = 0;
	size_t i;
	json_t *o;
	json_array_foreach(arr, i, o) total += json_integer_value(json_object_get(o, "amount"));
	return http_json(
	    rs, 200,
	    json_pack("{s:s, s:o, s:I}", "month", month, "statements", arr, "total", total));
}

enum err api_ce_statements_make(struct http_req *rq, struct http_resp *rs)
{
	json_t *body = NULL;
	int count = 0;
	enum err e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	const char *month = json_string_value(json_object_get(body, "month"));
	struct store_conn *c = store_acquire(rq->app->store);
	e = store_begin(c);
	if (e == ERR_OK)
		e = centre_statements_make(c, month, 0, rq->user.id, clock_now_ms(), &count);
	if (e == ERR_OK)
		e = audit_append(c, rq->app->vault, rq->actor, "centre.statements",
				 "centre_statements", month);
	if (e == ERR_OK)
		e = store_commit(c);
	if (e != ERR_OK) {
		store_rollback(c);
		e = e == ERR_INVALID ? http_error_as(rs, e, "bad_month",
						     "月を年-月（例: 2026-11）で選んでください。")
				     : http_error(rs, e, "請求を作れませんでした。");
	} else {
		json_t *arr = centre_statements_json(c, 0, month);
		e = http_json(
		    rs, 201,
		    json_pack("{s:s, s:i, s:o}", "month", month, "made", count, "statements", arr));
	}
	store_release(c);
	json_decref(body);
	return e;
}

enum err api_ce_statement_pdf(struct http_req *rq, struct http_resp *rs)
{
	int64_t sid = http_param_id(rq->params[0]), child = 0;
	char name[64] = "", content[96], object[48];
	struct buf out;
	buf_init(&out, PDF_MAX);
	struct store_conn *c = store_acquire(rq->app->store);
	/* The statement's child first: a parent of another child finds nothing. */
	struct store_stmt *st = store_prepare(c, "SELECT case_id FROM ce_statements WHERE id = ?1");
	if (st) {
		store_bind_int(st, 1, sid);
		if (store_step(st) == STORE_ROW)
			child = store_col_int(st, 0);
		store_finish(st);
	}
	enum err e = ERR_OK;
	if (!child)
		e = centre_not_found(rs);
	else if (!(rq->role & ROLE_CENTRE_MANAGER))
		e = centre_parent_reach(rq, rs, c, child);
	if (e != ERR_OK) {
		store_release(c);
		goto out;
	}
	e = centre_statement_pdf(c, centre_vault(rq->app), sid, &child, name, &out);
	store_release(c);
	if (e != ERR_OK) {
		e = http_error(rs, e, "請求書を作れませんでした。");
		goto out;
	}
	snprintf(content, sizeof content, "statement %" PRId64 " pdf", sid);
	snprintf(object, sizeof object, "centre_child:%" PRId64, child);
	struct ledger_item it = {.service = CENTRE_SERVICE,
				 .actor = rq->actor,
				 .content = content,
				 .object = object,
				 .records = 1};
	e = ledger_hand_over(rq, rs, &it, &out, "application/pdf", name);
out:
	if (out.data)
		vault_wipe(out.data, out.len);
	buf_free(&out);
	return e;
}
