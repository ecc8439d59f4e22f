/* SPDX-License-Identifier: MIT */
/* api_registrants.c — a school administrator's registrants (on the school's PCs): the list of
 * the school's registrations with search by name or address and filters by grade and class,
 * and their deletion on transfer or graduation. Reads are audited once a minute per caller. */
#include "schoolmail/api.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth/audit.h"
#include "base/clock.h"
#include "store/store.h"
#include "vault/vault.h"

#define LIST_MAX 3000 /* registrations in one answer (a large school has about 1,500) */

/* A small positive number of a query argument, 0 when absent; -1 when malformed. */
static int query_number(struct http_req *rq, const char *name, int max)
{
	const char *v = http_query(rq, name);
	char *end = NULL;
	if (!v || !*v)
		return 0;
	long n = strtol(v, &end, 10);
	return (end && *end == '\0' && n >= 1 && n <= max) ? (int)n : -1;
}

enum err api_school_registrants(struct http_req *rq, struct http_resp *rs)
{
	const struct vault *v = schoolmail_vault(rq->app);
	struct school s;
	struct schoolmail_registrant *rows = NULL;
	size_t n = 0;
	int more = 0;
	enum err e = schoolmail_scope(rq, rs, rq->params[0], &s);
	if (e != ERR_OK)
		return e;
	int grade = query_number(rq, "grade", SCHOOLMAIL_GRADES_MAX);
	int klass = query_number(rq, "class", SCHOOLMAIL_CLASSES_MAX);
	const char *q = http_query(rq, "q");
	if (grade < 0 || klass < 0)
		return http_error(rs, ERR_INVALID,
				  "学年は1〜12、組は1〜20の数字で指定してください。");
	if (q && strlen(q) > 200)
		return http_error(rs, ERR_INVALID, "検索する言葉が長すぎます。");
	struct store_conn *c = store_acquire(rq->app->store);
	char object[48];
	snprintf(object, sizeof object, "school:%" PRId64, s.id);
	/* Audited before the answer: the first read of each minute. */
	e = audit_read_append(c, rq->app->vault, rq->actor, "school.registrants.read", object, q && *q ? "search" : "",
			      clock_now_ms(), NULL);
	if (e == ERR_OK)
		e = schoolmail_registrants(c, v, s.id, grade, klass, q, LIST_MAX, &rows, &n, &more);
	store_release(c);
	if (e != ERR_OK)
		return e;
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++) {
		char label[32], at[32];
		schoolmail_grade_label(s.kind, s.grades, rows[i].grade, label, sizeof label);
		clock_jst_iso(rows[i].created_ms, at, sizeof at);
		json_array_append_new(
		    arr, json_pack("{s:I,s:i,s:s,s:i,s:s,s:s,s:s,s:s}", "id", (json_int_t)rows[i].id,
				   "grade", rows[i].grade, "grade_label", label, "class",
				   rows[i].klass, "child_name", rows[i].child, "guardian_name",
				   rows[i].guardian, "email", rows[i].email, "registered_at", at));
	}
	schoolmail_registrants_free(rows, n);
	return http_json(rs, 200, json_pack("{s:s,s:o,s:I,s:b,s:I}", "school", s.code,
					    "registrants", arr, "count", (json_int_t)n, "more", more,
					    "total", (json_int_t)s.registrants));
}

enum err api_school_registrant_remove(struct http_req *rq, struct http_resp *rs)
{
	static const char *const reasons[] = {"transfer", "graduation", "other"};
	struct school s;
	json_t *body = NULL;
	const char *reason = NULL;
	enum err e = schoolmail_scope(rq, rs, rq->params[0], &s);
	if (e != ERR_OK)
		return e;
	int64_t id = http_param_id(rq->params[1]);
	e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	json_t *r = json_object_get(body, "reason");
	for (size_t i = 0; json_is_string(r) && i < sizeof reasons / sizeof reasons[0]; i++)
		if (strcmp(json_string_value(r), reasons[i]) == 0)
			reason = reasons[i];
	json_decref(body);
	if (!reason)
		return http_error_as(rs, ERR_INVALID, "bad_reason",
				     "削除の理由（転校・卒業・その他）を選んでください。");
	struct store_conn *c = store_acquire(rq->app->store);
	e = store_begin(c);
	if (e == ERR_OK)
		e = schoolmail_registrant_remove(c, id, s.id, 0);
	if (e == ERR_NOTFOUND) {
		store_rollback(c);
		store_release(c);
		return http_error(rs, e, "その登録はありません（すでに削除されています）。");
	}
	char object[48], detail[48];
	snprintf(object, sizeof object, "registrant:%" PRId64, id);
	snprintf(detail, sizeof detail, "school:%" PRId64 " %s", s.id, reason);
	if (e == ERR_OK)
		e = audit_append(c, rq->app->vault, rq->actor, "school.registrant.remove",
				 object, detail);
	if (e == ERR_OK)
		e = store_commit(c);
	store_rollback(c);
	store_release(c);
	if (e != ERR_OK)
		return e;
	return http_json(rs, 200, json_pack("{s:I,s:s}", "id", (json_int_t)id, "removed", reason));
}
