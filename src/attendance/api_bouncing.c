/* SPDX-License-Identifier: MIT */
/* api_bouncing.c — /api/v1/mail/bouncing: the guardians whose address bounces (by name and
 * children, never the address), and sending such a guardian a new confirmation link. */
#include "attendance/attendance_api.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "attendance/attendance.h"
#include "auth/audit.h"
#include "base/clock.h"
#include "mail/mail.h"
#include "store/store.h"
#include "vault/vault.h"


/* The active children of guardian gid with their sites, as a new JSON array (NULL on error). */
static json_t *children_json(struct store_conn *c, int64_t gid)
{
	json_t *arr = json_array();
	struct store_stmt *st = store_prepare(
	    c, "SELECT ch.child_no, s.code, s.name FROM child_guardians cg JOIN children ch ON "
	       "ch.id = cg.child_id JOIN sites s ON s.id = ch.site_id WHERE cg.guardian_id = ? "
	       "AND ch.active = 1 ORDER BY ch.child_no");
	if (!st) {
		json_decref(arr);
		return NULL;
	}
	store_bind_int(st, 1, gid);
	int rc;
	while ((rc = store_step(st)) == STORE_ROW)
		json_array_append_new(
		    arr, json_pack("{s:s,s:s,s:s}", "child_no", store_col_text(st, 0), "site",
				   store_col_text(st, 1), "site_name", store_col_text(st, 2)));
	store_finish(st);
	if (rc != STORE_DONE) {
		json_decref(arr);
		return NULL;
	}
	return arr;
}

/* The current row of the bouncing query as JSON (NULL and *e on error). */
static json_t *guardian_json(struct app *a, struct store_conn *c, struct store_stmt *st,
			     enum err *e)
{
	char *name = NULL, last[32] = "", since[32] = "";
	size_t len;
	int64_t gid = store_col_int(st, 0);
	const void *b = store_col_blob(st, 1, &len);
	*e = vault_unseal(attendance_vault(a), "guardians.name", b, len, &name);
	if (*e != ERR_OK)
		return NULL;
	json_t *children = children_json(c, gid);
	if (!children) {
		vault_wipe_free(name);
		*e = ERR_DB;
		return NULL;
	}
	clock_jst_iso(store_col_int(st, 5), last, sizeof last);
	clock_jst_iso(store_col_int(st, 6), since, sizeof since);
	json_t *o = json_pack("{s:I,s:s,s:o,s:I,s:I,s:s,s:s,s:s,s:s}", "guardian_id",
			      (json_int_t)gid, "guardian_name", name, "children", children,
			      "hard_bounces", (json_int_t)store_col_int(st, 2), "soft_bounces",
			      (json_int_t)store_col_int(st, 3), "last_status",
			      store_col_text(st, 4), "last_diagnostic", store_col_text(st, 7),
			      "last_bounce", last, "bouncing_since", since);
	vault_wipe_free(name);
	if (!o)
		*e = ERR_IO;
	return o;
}

enum err api_mail_bouncing_list(struct http_req *rq, struct http_resp *rs)
{
	struct store_conn *c = store_acquire(rq->app->store);
	json_t *arr = json_array();
	char detail[48];
	enum err e = ERR_DB;
	struct store_stmt *st = store_prepare(
	    c, "SELECT g.id, g.name_enc, b.hard_count, b.soft_count, b.last_status, b.last_ms, "
	       "b.bouncing_ms, b.last_diagnostic FROM bounce_addresses b JOIN guardians g ON "
	       "g.email_idx = b.addr_idx WHERE b.bouncing_ms IS NOT NULL "
	       "ORDER BY b.bouncing_ms DESC, g.id");
	if (!st)
		goto out;
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		json_t *o = guardian_json(rq->app, c, st, &e);
		if (!o)
			goto out;
		json_array_append_new(arr, o);
	}
	e = rc == STORE_DONE ? ERR_OK : ERR_DB;
	store_finish(st);
	st = NULL;
	/* A read of guardians' names: audited, with how many were shown. */
	snprintf(detail, sizeof detail, "%zu guardians", json_array_size(arr));
	if (e == ERR_OK)
		/* once per caller a minute, as the board's reads (auth/audit_read.c) */
		e = audit_read_append(c, rq->app->vault, rq->actor, "mail.bouncing.list",
				      "mail:bouncing", detail, clock_now_ms(), NULL);
out:
	store_finish(st);
	store_release(c);
	if (e != ERR_OK) {
		json_decref(arr);
		return e;
	}
	return http_json(rs, 200, json_pack("{s:o}", "bouncing", arr));
}

enum err api_mail_bouncing_confirm(struct http_req *rq, struct http_resp *rs)
{
	struct app *a = rq->app;
	int64_t gid = http_param_id(rq->params[0]);
	char *email = NULL, object[48];
	if (!gid)
		return http_error(rs, ERR_INVALID, "保護者の番号が正しくありません。一覧から選び直してください。");
	struct store_conn *c = store_acquire(a->store);
	struct store_stmt *st = NULL;
	enum err e = store_begin(c);
	if (e != ERR_OK)
		goto out;
	st = store_prepare(c,
			   "SELECT g.email_enc FROM guardians g JOIN bounce_addresses b ON "
			   "b.addr_idx = g.email_idx WHERE g.id = ? AND b.bouncing_ms IS NOT NULL");
	e = ERR_DB;
	if (!st)
		goto out;
	store_bind_int(st, 1, gid);
	int rc = store_step(st);
	if (rc != STORE_ROW) {
		e = rc == STORE_DONE ? http_error(rs, ERR_NOTFOUND,
						  "この番号の保護者は、不達が続いているアドレスの一覧にいません。"
						  "一覧を更新してください。")
				     : ERR_DB;
		goto out;
	}
	size_t len;
	const void *b = store_col_blob(st, 0, &len);
	e = vault_unseal(attendance_vault(a), "guardians.email", b, len, &email);
	store_finish(st);
	st = NULL;
	if (e != ERR_OK)
		goto out;
	/* A notice, so it goes although the address bounces; confirming it clears the state. */
	e = guardian_confirm_request(a, c, gid, email);
	snprintf(object, sizeof object, "guardian:%" PRId64, gid);
	if (e == ERR_OK)
		e = audit_append(c, a->vault, rq->actor, "guardian.reconfirm_request", object, "");
	if (e == ERR_OK)
		e = store_commit(c);
	if (e == ERR_OK && a->mail)
		mail_sender_wake(a->mail);
out:
	store_finish(st);
	store_rollback(c);
	store_release(c);
	vault_wipe_free(email);
	if (e != ERR_OK)
		return e;
	return http_json(rs, 202,
			 json_pack("{s:I,s:b}", "guardian_id", (json_int_t)gid, "queued", 1));
}
