/* SPDX-License-Identifier: MIT */
/* api_events.c — what happened to the files, kept after they are gone: a sender sees the events
 * of the files they sent, a recipient of those they received, the ward's administrator all. No
 * name and no content of a file is in them. */
#include <jansson.h>

#include "app.h"
#include "base/clock.h"
#include "exchange/api.h"
#include "exchange/exchange.h"
#include "store/store.h"

enum err api_ex_events(struct http_req *rq, struct http_resp *rs)
{
	int all = rq->role == ROLE_WARD_ADMIN;
	json_t *list = json_array();
	struct store_conn *c = store_acquire(rq->app->store);
	struct store_stmt *st = store_prepare(
	    c, "SELECT e.id, e.file_id, e.action, u.login, s.login, r.login, e.size, e.at_ms FROM "
	       "ex_events e LEFT JOIN users u ON u.id = e.user_id LEFT JOIN users s ON s.id = "
	       "e.sender_id LEFT JOIN users r ON r.id = e.recipient_id WHERE ? = 1 OR e.sender_id = "
	       "? OR e.recipient_id = ? ORDER BY e.id DESC LIMIT 1000");
	enum err e = ERR_DB;
	if (st) {
		store_bind_int(st, 1, all);
		store_bind_int(st, 2, rq->user.id);
		store_bind_int(st, 3, rq->user.id);
		while (store_step(st) == STORE_ROW) {
			char at[32];
			clock_jst_iso(store_col_int(st, 7), at, sizeof at);
			json_t *o = json_pack(
			    "{s:I, s:s, s:s?, s:s?, s:s?, s:I, s:s}", "id",
			    (json_int_t)store_col_int(st, 0), "action", store_col_text(st, 2), "by",
			    store_col_is_null(st, 3) ? NULL : store_col_text(st, 3), "sender",
			    store_col_is_null(st, 4) ? NULL : store_col_text(st, 4), "recipient",
			    store_col_is_null(st, 5) ? NULL : store_col_text(st, 5), "size",
			    (json_int_t)store_col_int(st, 6), "at", at);
			if (store_col_is_null(st, 1))
				json_object_set_new(o, "file_id", json_null());
			else
				json_object_set_new(o, "file_id", json_integer(store_col_int(st, 1)));
			json_array_append_new(list, o);
		}
		e = ERR_OK;
	}
	store_finish(st);
	store_release(c);
	if (e != ERR_OK) {
		json_decref(list);
		return http_error(rs, e, err_message_ja(e));
	}
	return http_json(rs, 200, json_pack("{s:o}", "events", list));
}
