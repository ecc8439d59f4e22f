/* SPDX-License-Identifier: MIT */
/* api_payments.c — the ward's payments: what can be paid, a transfer made for a payment date,
 * its 全銀 file (the bytes as made, recorded in the handover ledger) and the returned transfers
 * read back (payment.c does the work). */
#include "sitter/api.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "base/buf.h"
#include "base/clock.h"
#include "ledger/ledger.h"
#include "mail/mail.h"
#include "sitter/payment.h"
#include "store/store.h"
#include "vault/vault.h"

#define FILE_MAX (64u * 1024 * 1024)

enum err api_sitter_payments(struct http_req *rq, struct http_resp *rs)
{
	json_t *list = json_array();
	int64_t count = 0, total = 0;
	enum err e = sitter_scope(rq, rs);
	if (e != ERR_OK) {
		json_decref(list);
		return e;
	}
	struct store_conn *c = store_acquire(rq->app->store);
	struct store_stmt *st = store_prepare(
	    c, "SELECT count(*), coalesce(sum(grant_yen), 0) FROM sitter_applications WHERE state = "
	       "'notified' AND decision = 'approved' AND grant_yen > 0");
	if (st && store_step(st) == STORE_ROW) {
		count = store_col_int(st, 0);
		total = store_col_int(st, 1);
	}
	store_finish(st);
	st = store_prepare(c, "SELECT id, pay_date, items, total_yen, returned, created_ms FROM "
			      "sitter_payments ORDER BY id DESC LIMIT 200");
	while (st && store_step(st) == STORE_ROW) {
		char at[32];
		clock_jst_iso(store_col_int(st, 5), at, sizeof at);
		json_array_append_new(
		    list, json_pack("{s:I, s:s, s:I, s:I, s:I, s:s}", "id",
				    (json_int_t)store_col_int(st, 0), "pay_date", store_col_text(st, 1),
				    "items", (json_int_t)store_col_int(st, 2), "total_yen",
				    (json_int_t)store_col_int(st, 3), "returned",
				    (json_int_t)store_col_int(st, 4), "created_at", at));
	}
	store_finish(st);
	store_release(c);
	return http_json(rs, 200,
			 json_pack("{s:{s:I, s:I}, s:o}", "payable", "count", (json_int_t)count,
				   "total_yen", (json_int_t)total, "payments", list));
}

enum err api_sitter_payment_make(struct http_req *rq, struct http_resp *rs)
{
	json_t *body = NULL;
	struct sitter_payment p;
	char why[SITTER_WHY_MAX];
	enum err e = sitter_scope(rq, rs);
	if (e == ERR_OK)
		e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	const char *date = json_string_value(json_object_get(body, "pay_date"));
	char today[11];
	clock_jst_date(clock_now_ms(), today, sizeof today);
	if (!date || strlen(date) != 10 || strcmp(date, today) < 0) {
		json_decref(body);
		return http_error_as(rs, ERR_INVALID, "bad_payment",
				     "振込日を今日以降の年-月-日で選んでください。");
	}
	/* What the page confirmed ({"expect": {"count", "total_yen"}}), checked in the
	 * transaction that pays. */
	struct sitter_payable expect;
	json_t *x = json_object_get(body, "expect");
	json_t *xc = json_object_get(x, "count"), *xt = json_object_get(x, "total_yen");
	if (x && (!json_is_integer(xc) || !json_is_integer(xt))) {
		json_decref(body);
		return http_error_as(rs, ERR_INVALID, "bad_payment",
				     "確かめた件数と合計（expect の count と total_yen）は数で送って"
				     "ください。");
	}
	if (x)
		expect = (struct sitter_payable){json_integer_value(xc), json_integer_value(xt)};
	struct store_conn *c = store_acquire(rq->app->store);
	e = sitter_payment_make(rq->app, c, date, x ? &expect : NULL, rq->user.id, rq->actor, &p,
				why);
	store_release(c);
	json_decref(body);
	if ((e == ERR_INVALID || e == ERR_CONFLICT) && why[0])
		return http_error_as(rs, e,
				     e == ERR_INVALID	  ? "bad_payment"
				     : p.payable_changed ? "payable_changed"
							 : "nothing_to_pay",
				     why);
	if (e != ERR_OK)
		return e;
	return http_json(rs, 201,
			 json_pack("{s:{s:I, s:s, s:I, s:I}}", "payment", "id", (json_int_t)p.id,
				   "pay_date", p.pay_date, "items", (json_int_t)p.items, "total_yen",
				   (json_int_t)p.total_yen));
}

enum err api_sitter_payment_file(struct http_req *rq, struct http_resp *rs)
{
	struct sitter_payment p;
	struct buf file;
	char content[96], name[64];
	enum err e = sitter_scope(rq, rs);
	if (e != ERR_OK)
		return e;
	buf_init(&file, FILE_MAX);
	struct store_conn *c = store_acquire(rq->app->store);
	e = sitter_payment_file(rq->app, c, http_param_id(rq->params[0]), &p, &file);
	store_release(c);
	if (e == ERR_NOTFOUND) {
		buf_free(&file);
		return http_error_as(rs, e, "no_payment", "その振込データはありません。");
	}
	if (e == ERR_OK) {
		char compact[9] = "";
		snprintf(compact, sizeof compact, "%.4s%.2s%.2s", p.pay_date, p.pay_date + 5,
			 p.pay_date + 8);
		snprintf(content, sizeof content, "transfer %s items=%zu", p.pay_date, p.items);
		snprintf(name, sizeof name, "sitter-transfer-%s.txt", compact);
		struct ledger_item it = {.service = SITTER_SERVICE,
					 .actor = rq->actor,
					 .content = content,
					 .object = "sitter:payments",
					 .records = p.items};
		e = ledger_hand_over(rq, rs, &it, &file, "text/plain; charset=Shift_JIS", name);
	}
	if (file.data)
		vault_wipe(file.data, file.len);
	buf_free(&file);
	return e;
}

enum err api_sitter_returns(struct http_req *rq, struct http_resp *rs)
{
	struct sitter_returns r;
	char why[SITTER_WHY_MAX];
	enum err e = sitter_scope(rq, rs);
	if (e != ERR_OK)
		return e;
	struct store_conn *c = store_acquire(rq->app->store);
	e = sitter_payment_returns(rq->app, c, rq->body, rq->body_len, rq->user.id, rq->actor, &r,
				   why);
	store_release(c);
	if (e == ERR_INVALID || e == ERR_TOOLARGE)
		return http_error_as(rs, ERR_INVALID, "bad_returns", why[0] ? why : "振込不能のファイルを読めません。");
	if (e == ERR_CONFLICT)
		return http_error_as(rs, ERR_CONFLICT, "own_transfer_file", why);
	if (e != ERR_OK)
		return e;
	if (rq->app->mail)
		mail_sender_wake(rq->app->mail);
	json_t *numbers = json_array();
	for (size_t i = 0; i < r.matched; i++)
		json_array_append_new(numbers, json_string(r.numbers[i]));
	sitter_returns_free(&r);
	return http_json(rs, 200,
			 json_pack("{s:o, s:I}", "matched", numbers, "unmatched",
				   (json_int_t)r.unmatched));
}
