/* SPDX-License-Identifier: MIT */
/* api_site.c — GET /api/v1/sites, and the one check of a caller's right to a site in a path. */
#include "attendance/attendance_api.h"

#include <stdio.h>

#include "app.h"
#include "attendance/attendance.h"
#include "auth/audit.h"
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

enum err api_site_for_caller(struct http_req *rq, struct http_resp *rs, struct store_conn *c,
			     struct site *site, const char *what, const char *denied_msg)
{
	enum err e = site_find(c, rq->params[0], site);
	if (e == ERR_NOTFOUND)
		return http_error(rs, e, "no such site");
	if (e != ERR_OK)
		return e;
	if (!user_can_see_site(&rq->user, site->id)) {
		char object[64];
		snprintf(object, sizeof object, "site:%s", site->code);
		audit_append(c, rq->app->vault, rq->actor, "denied", object, what);
		return http_error(rs, ERR_FORBIDDEN, denied_msg);
	}
	return ERR_OK;
}
