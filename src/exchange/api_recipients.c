/* SPDX-License-Identifier: MIT */
/* api_recipients.c — the ward's staff who receive files: the senders see their names and
 * departments to choose from; the ward's administrator also their mail and state, and sets them. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "auth/audit.h"
#include "exchange/api.h"
#include "exchange/exchange.h"
#include "store/store.h"
#include "vault/vault.h"

enum err api_ex_recipients(struct http_req *rq, struct http_resp *rs)
{
	int admin = rq->role == ROLE_WARD_ADMIN;
	json_t *list = json_array();
	struct store_conn *c = store_acquire(rq->app->store);
	struct store_stmt *st = store_prepare(
	    c, "SELECT r.user_id, u.login, r.data, r.active FROM ex_recipients r JOIN users u ON "
	       "u.id = r.user_id WHERE u.disabled = 0 AND (? = 1 OR r.active = 1) ORDER BY u.login");
	enum err e = ERR_DB;
	if (st) {
		store_bind_int(st, 1, admin);
		while (store_step(st) == STORE_ROW) {
			char *data = NULL;
			if (vault_unseal_column(exchange_vault(rq->app), st, 2, "ex_recipients.data",
						&data) != ERR_OK)
				continue;
			json_t *d = json_loads(data, 0, NULL);
			vault_wipe_free(data);
			if (!d)
				continue;
			json_object_set_new(d, "id", json_integer(store_col_int(st, 0)));
			if (admin) {
				json_object_set_new(d, "login", json_string(store_col_text(st, 1)));
				json_object_set_new(d, "active", json_boolean(store_col_int(st, 3)));
			} else {
				json_object_del(d, "mail");
			}
			json_array_append_new(list, d);
		}
		e = ERR_OK;
	}
	store_finish(st);
	store_release(c);
	if (e != ERR_OK) {
		json_decref(list);
		return http_error(rs, e, err_message_ja(e));
	}
	return http_json(rs, 200, json_pack("{s:o}", "recipients", list));
}

enum err api_ex_recipient_set(struct http_req *rq, struct http_resp *rs)
{
	json_t *b = NULL;
	const char *why = NULL;
	int64_t id = 0;
	enum err e = http_json_body(rq, rs, &b);
	if (e != ERR_OK)
		return e;
	json_t *act = json_object_get(b, "active");
	int active = act ? json_is_true(act) : 1;
	struct store_conn *c = store_acquire(rq->app->store);
	e = store_begin(c);
	if (e == ERR_OK)
		e = exchange_recipient_set(rq->app, c, json_string_value(json_object_get(b, "login")),
					   json_string_value(json_object_get(b, "name")),
					   json_string_value(json_object_get(b, "dept")),
					   json_string_value(json_object_get(b, "mail")), active, &id,
					   &why);
	if (e == ERR_OK) {
		char object[40];
		snprintf(object, sizeof object, "user:%lld", (long long)id);
		e = audit_append(c, rq->app->vault, rq->actor, "exchange.recipient", object,
				 active ? "active" : "stopped");
	}
	if (e == ERR_OK)
		e = store_commit(c);
	store_rollback(c);
	store_release(c);
	json_decref(b);
	if (e != ERR_OK)
		return http_error(rs, e, why ? why : err_message_ja(e));
	return http_json(rs, 200, json_pack("{s:I, s:b}", "id", (json_int_t)id, "active", active));
}
