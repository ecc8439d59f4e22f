/* SPDX-License-Identifier: MIT */
/* api_parent.c — a parent (centre_parent): their own children (the name, the statements) and
 * each child's contact thread with the centre. A child the parent is not linked to is not
 * found (404), whatever its number. Each read is audited. */
#include "centre/api.h"

#include <inttypes.h>
#include <stdio.h>

#include "app.h"
#include "auth/audit.h"
#include "base/clock.h"
#include "store/store.h"
#include "vault/vault.h"

enum err api_ce_family(struct http_req *rq, struct http_resp *rs)
{
	json_t *arr = json_array();
	int64_t ids[16];
	size_t n = 0;
	struct store_conn *c = store_acquire(rq->app->store);
	struct store_stmt *st = store_prepare(
	    c, "SELECT p.case_id FROM ce_parents p WHERE p.user_id = ?1 ORDER BY p.case_id");
	enum err e = st ? ERR_OK : ERR_DB;
	if (st) {
		store_bind_int(st, 1, rq->user.id);
		while (n < 16 && store_step(st) == STORE_ROW)
			ids[n++] = store_col_int(st, 0);
		store_finish(st);
	}
	for (size_t i = 0; e == ERR_OK && i < n; i++) {
		json_t *person = NULL;
		e = centre_person_json(c, centre_vault(rq->app), ids[i], &person);
		if (e != ERR_OK)
			break;
		json_array_append_new(arr,
				      json_pack("{s:I, s:O, s:O, s:o}", "id", (json_int_t)ids[i],
						"name", json_object_get(person, "name"), "kana",
						json_object_get(person, "kana"), "statements",
						centre_statements_json(c, ids[i], NULL)));
		json_decref(person);
	}
	if (e == ERR_OK)
		e = audit_read_append(c, rq->app->vault, rq->actor, "centre.family_read",
				      "centre_family", "", clock_now_ms(), NULL);
	store_release(c);
	if (e != ERR_OK) {
		json_decref(arr);
		return http_error(rs, e, "読み込めませんでした。");
	}
	return http_json(rs, 200,
			 json_pack("{s:s, s:o}", "login", rq->user.login, "children", arr));
}

enum err api_ce_family_thread(struct http_req *rq, struct http_resp *rs)
{
	int64_t id = http_param_id(rq->params[0]);
	char object[48];
	json_t *msgs = NULL;
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = centre_parent_reach(rq, rs, c, id);
	if (e != ERR_OK)
		goto out;
	snprintf(object, sizeof object, "centre_child:%" PRId64, id);
	e = audit_read_append(c, rq->app->vault, rq->actor, "centre.thread_read", object, "",
			      clock_now_ms(), NULL);
	if (e == ERR_OK)
		e = centre_messages_json(c, centre_vault(rq->app), id, &msgs);
	if (e != ERR_OK) {
		json_decref(msgs);
		e = http_error(rs, e, "連絡を読み込めませんでした。");
		goto out;
	}
	e = http_json(rs, 200, json_pack("{s:I, s:o}", "id", (json_int_t)id, "messages", msgs));
out:
	store_release(c);
	return e;
}

enum err api_ce_family_message(struct http_req *rq, struct http_resp *rs)
{
	json_t *body = NULL;
	int64_t id = http_param_id(rq->params[0]);
	char why[CENTRE_WHY_MAX];
	int mailed = 0;
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = centre_parent_reach(rq, rs, c, id);
	if (e == ERR_OK)
		e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		goto out;
	e = store_begin(c);
	if (e == ERR_OK)
		e = centre_message_add(c, centre_vault(rq->app), id, rq->user.id, 1,
				       json_string_value(json_object_get(body, "body")), NULL,
				       clock_now_ms(), &mailed, why);
	if (e == ERR_OK)
		e = centre_audit(rq, c, "centre.parent_message", id, "");
	if (e == ERR_OK)
		e = store_commit(c);
	if (e != ERR_OK) {
		store_rollback(c);
		e = e == ERR_INVALID ? http_error_as(rs, e, "bad_message", why)
				     : http_error(rs, e, "連絡を送れませんでした。");
		goto out;
	}
	e = http_json(rs, 201, json_pack("{s:b}", "ok", 1));
out:
	store_release(c);
	json_decref(body);
	return e;
}
