/* SPDX-License-Identifier: MIT */
/* scope.c — which school a caller may see: the ward every school, a school administrator or a
 * sender only their own (school_users, kept by this service). */
#include "schoolmail/schoolmail.h"

#include <stdio.h>

#include "app.h"
#include "http/http.h"
#include "store/store.h"

enum err schoolmail_user_school(struct store_conn *c, int64_t user_id, int64_t *school_id)
{
	struct store_stmt *st =
	    store_prepare(c, "SELECT school_id FROM school_users WHERE user_id = ?");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, user_id);
	int rc = store_step(st);
	if (rc == STORE_ROW)
		*school_id = store_col_int(st, 0);
	store_finish(st);
	return rc == STORE_ROW ? ERR_OK : rc == STORE_DONE ? ERR_NOTFOUND : ERR_DB;
}

enum err schoolmail_scope(struct http_req *rq, struct http_resp *rs, const char *code,
			  struct school *out)
{
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = schoolmail_school_find(c, code, out);
	int64_t own = 0;
	if (e == ERR_OK && (rq->role & ROLE_SCHOOL_USERS)) {
		e = schoolmail_user_school(c, rq->user.id, &own);
		if (e == ERR_NOTFOUND || (e == ERR_OK && own != out->id)) {
			store_release(c);
			return http_error_as(rs, ERR_FORBIDDEN, "other_school",
					     "ほかの学校・園の情報は見られません。");
		}
	} else if (e == ERR_OK && !(rq->role & (ROLE_WARD_ADMIN | ROLE_WARD_STAFF))) {
		e = ERR_FORBIDDEN;
	}
	store_release(c);
	if (e == ERR_NOTFOUND)
		return http_error(rs, e, "その学校・園はありません。");
	if (e == ERR_FORBIDDEN)
		return http_error(rs, e, "この学校・園の情報を見る権限がありません。");
	return e;
}
