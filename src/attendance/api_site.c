/* SPDX-License-Identifier: MIT */
/* api_site.c — GET /api/v1/sites: the sites the caller may see. */
#include "attendance/attendance_api.h"

#include "app.h"
#include "store/store.h"

enum err api_site_list(struct http_req *rq, struct http_resp *rs)
{
	struct store_conn *c = store_acquire(rq->app->store);
	json_t *arr = json_array();
	enum err e = ERR_DB;
	struct store_stmt *st =
	    store_prepare(c, "SELECT id, code, name, type, opens, closes FROM sites ORDER BY code");
	if (!st)
		goto out;
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		if (!user_can_see_site(&rq->user, store_col_int(st, 0)))
			continue;
		json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:s,s:s}", "code",
						     store_col_text(st, 1), "name",
						     store_col_text(st, 2), "type",
						     store_col_text(st, 3), "opens",
						     store_col_text(st, 4), "closes",
						     store_col_text(st, 5)));
	}
	if (rc == STORE_DONE)
		e = ERR_OK;
out:
	store_finish(st);
	store_release(c);
	if (e != ERR_OK) {
		json_decref(arr);
		return e;
	}
	return http_json(rs, 200, json_pack("{s:o}", "sites", arr));
}
