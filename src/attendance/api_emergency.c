/* SPDX-License-Identifier: MIT */
/* api_emergency.c — /api/v1/emergency-sends: compose, approve, reject, list and view the
 * delivery of emergency mails. Views never list addresses; every call is audited. */
#include "attendance/attendance_api.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "attendance/attendance.h"
#include "auth/audit.h"
#include "base/clock.h"
#include "mail/mail.h"
#include "store/store.h"
#include "vault/vault.h"


/* The answer to composing or deciding: id, state, recipients, and where the mail stands
 * (just queued: nothing has been sent yet). */
static json_t *result_json(const struct emergency_result *res)
{
	const char *delivery =
	    emergency_delivery(res->state, (int64_t)res->recipients, 0, 0);
	return json_pack("{s:I,s:s,s:I,s:o}", "id", (json_int_t)res->id, "state", res->state,
			 "recipients", (json_int_t)res->recipients, "delivery",
			 delivery ? json_string(delivery) : json_null());
}

enum err api_emergency_create(struct http_req *rq, struct http_resp *rs)
{
	json_t *body = NULL, *sites = NULL;
	const char *subject = NULL, *text = NULL, *why = NULL;
	const char *codes[EMERGENCY_SITES_MAX];
	size_t ncodes = 0;
	struct emergency_result res;
	enum err e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	if (json_unpack(body, "{s:o,s:s,s:s}", "sites", &sites, "subject", &subject, "body",
			&text) != 0) {
		e = http_error(rs, ERR_INVALID,
			       "送信先の施設（sites）、件名（subject）、本文（body）を指定してください。");
		goto out;
	}
	if (json_is_string(sites) && strcmp(json_string_value(sites), "all") == 0) {
		ncodes = 0;
	} else if (json_is_array(sites) && json_array_size(sites) >= 1 &&
		   json_array_size(sites) <= EMERGENCY_SITES_MAX) {
		size_t i;
		json_t *v;
		json_array_foreach(sites, i, v) {
			if (!json_is_string(v)) {
				e = http_error(rs, ERR_INVALID,
					       "送信先の施設（sites）は施設コードの一覧で指定してください。");
				goto out;
			}
			codes[ncodes++] = json_string_value(v);
		}
	} else {
		e = http_error(rs, ERR_INVALID,
			       "送信先の施設を1つ以上選んでください（sites は \"all\" か、1〜100件の施設コードの"
			       "一覧です）。");
		goto out;
	}
	e = emergency_compose(rq->app, &rq->user, rq->actor, codes, ncodes, subject, text, &res,
			      &why);
	if (e != ERR_OK) {
		if (why)
			e = http_error_as(rs, e, res.code, why);
		goto out;
	}
	e = http_json(rs, 201, result_json(&res));
out:
	json_decref(body);
	return e;
}

static enum err decide(struct http_req *rq, struct http_resp *rs, int approve)
{
	struct emergency_result res;
	const char *why = NULL;
	int64_t id = http_param_id(rq->params[0]);
	if (!id)
		return http_error(rs, ERR_INVALID, "送信の番号が正しくありません。一覧から選び直してください。");
	enum err e = emergency_decide(rq->app, &rq->user, rq->actor, id, approve, &res, &why);
	if (e != ERR_OK)
		return why ? http_error_as(rs, e, res.code, why) : e;
	return http_json(rs, 200, result_json(&res));
}

enum err api_emergency_approve(struct http_req *rq, struct http_resp *rs)
{
	return decide(rq, rs, 1);
}

enum err api_emergency_reject(struct http_req *rq, struct http_resp *rs)
{
	return decide(rq, rs, 0);
}

/* "G01,G02" → ["G01","G02"]; "*" → "all". Returns a new reference. */
static json_t *sites_json(const char *sites)
{
	if (strcmp(sites, "*") == 0)
		return json_string("all");
	json_t *arr = json_array();
	const char *p = sites;
	while (*p) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		json_array_append_new(arr, json_stringn(p, n));
		p += n + (comma ? 1 : 0);
	}
	return arr;
}

/* An SMTP reply may quote the recipient: every word with an '@' becomes "<address>". */
static json_t *reply_json(const char *reply)
{
	char out[MAIL_SEND_REPLY_MAX];
	mail_text_blank_addresses(reply, out, sizeof out);
	return json_string(out);
}

#define SEND_COLUMNS                                                                           \
	"SELECT e.id, e.state, e.sites, e.created_ms, ua.login, up.login, e.approved_ms, "     \
	"e.subject_enc, e.body_enc, "                                                          \
	"(SELECT count(*) FROM outbox o WHERE o.send_id = e.send_id), "                        \
	"(SELECT count(*) FROM outbox o WHERE o.send_id = e.send_id AND o.state = 'sent'), "   \
	"(SELECT count(*) FROM outbox o WHERE o.send_id = e.send_id AND o.state = 'failed'), " \
	"e.send_id FROM emergency_sends e JOIN users ua ON ua.id = e.author_id "               \
	"LEFT JOIN users up ON up.id = e.approver_id "

/* The current row of a SEND_COLUMNS statement as JSON (with the body when with_body). */
static json_t *send_json(struct app *a, struct store_conn *c, struct store_stmt *st,
			 int with_body, enum err *e)
{
	char created[32] = "", approved[32] = "";
	char *subject = NULL, *body = NULL;
	size_t len;
	const void *b = store_col_blob(st, 7, &len);
	*e = vault_unseal(attendance_vault(a), "emergency.subject", b, len, &subject);
	if (*e == ERR_OK && with_body) {
		b = store_col_blob(st, 8, &len);
		*e = vault_unseal(attendance_vault(a), "emergency.body", b, len, &body);
	}
	if (*e != ERR_OK) {
		vault_wipe_free(subject);
		return NULL;
	}
	clock_jst_iso(store_col_int(st, 3), created, sizeof created);
	if (!store_col_is_null(st, 6))
		clock_jst_iso(store_col_int(st, 6), approved, sizeof approved);
	int64_t n = store_col_int(st, 9), sent = store_col_int(st, 10),
		failed = store_col_int(st, 11);
	json_t *o = json_pack(
	    "{s:I,s:s,s:o,s:s,s:s,s:o,s:o,s:s,s:I,s:I,s:I,s:I}", "id",
	    (json_int_t)store_col_int(st, 0), "state", store_col_text(st, 1), "sites",
	    sites_json(store_col_text(st, 2)), "created", created, "author",
	    store_col_text(st, 4), "approver",
	    store_col_is_null(st, 5) ? json_null() : json_string(store_col_text(st, 5)),
	    "approved", approved[0] ? json_string(approved) : json_null(), "subject", subject,
	    "recipients", (json_int_t)n, "sent", (json_int_t)sent, "failed", (json_int_t)failed,
	    "pending", (json_int_t)(n - sent - failed));
	/* "state" is the approval; "delivery" where its mail stands (never "sent" while queued). */
	const char *delivery = emergency_delivery(store_col_text(st, 1), n, sent, failed);
	if (o)
		json_object_set_new(o, "delivery", delivery ? json_string(delivery) : json_null());
	if (o && body)
		json_object_set_new(o, "body", json_string(body));
	/* Before approval there are no mails yet: the approver sees whom it would reach now. */
	size_t audience = 0;
	if (o && strcmp(store_col_text(st, 1), "awaiting_approval") == 0 &&
	    emergency_audience_count(c, store_col_text(st, 2), &audience) == ERR_OK)
		json_object_set_new(o, "audience", json_integer((json_int_t)audience));
	vault_wipe_free(subject);
	vault_wipe_free(body);
	if (!o)
		*e = ERR_IO;
	return o;
}

enum err api_emergency_list(struct http_req *rq, struct http_resp *rs)
{
	struct store_conn *c = store_acquire(rq->app->store);
	json_t *arr = json_array();
	enum err e = ERR_DB;
	struct store_stmt *st = store_prepare(c, SEND_COLUMNS "ORDER BY e.id DESC LIMIT 200");
	if (!st)
		goto out;
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		json_t *o = send_json(rq->app, c, st, 0, &e);
		if (!o)
			goto out;
		json_array_append_new(arr, o);
	}
	e = rc == STORE_DONE ? ERR_OK : ERR_DB;
	store_finish(st);
	st = NULL;
	if (e == ERR_OK)
		e = audit_append(c, rq->app->vault, rq->actor, "emergency.list", "emergency", "");
out:
	store_finish(st);
	store_release(c);
	if (e != ERR_OK) {
		json_decref(arr);
		return e;
	}
	return http_json(rs, 200, json_pack("{s:o}", "sends", arr));
}

enum err api_emergency_get(struct http_req *rq, struct http_resp *rs)
{
	int64_t id = http_param_id(rq->params[0]);
	json_t *o = NULL, *failures = json_array();
	char send_id[48] = "", object[48];
	if (!id) {
		json_decref(failures);
		return http_error(rs, ERR_INVALID, "送信の番号が正しくありません。一覧から選び直してください。");
	}
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = ERR_DB;
	struct store_stmt *st = store_prepare(c, SEND_COLUMNS "WHERE e.id = ?");
	if (!st)
		goto out;
	store_bind_int(st, 1, id);
	int rc = store_step(st);
	if (rc != STORE_ROW) {
		e = rc == STORE_DONE ? http_error(rs, ERR_NOTFOUND, "この緊急メールの送信は見つかりません。") : ERR_DB;
		goto out;
	}
	o = send_json(rq->app, c, st, 1, &e);
	if (!o)
		goto out;
	if (!store_col_is_null(st, 12))
		snprintf(send_id, sizeof send_id, "%s", store_col_text(st, 12));
	store_finish(st);
	st = store_prepare(c, "SELECT last_reply, attempts FROM outbox WHERE send_id = ? AND "
			      "state = 'failed' ORDER BY id");
	e = ERR_DB;
	if (!st)
		goto out;
	store_bind_text(st, 1, send_id);
	while ((rc = store_step(st)) == STORE_ROW)
		json_array_append_new(failures,
				      json_pack("{s:o,s:I}", "reply", reply_json(store_col_text(st, 0)),
						"attempts", (json_int_t)store_col_int(st, 1)));
	if (rc != STORE_DONE)
		goto out;
	store_finish(st);
	st = NULL;
	snprintf(object, sizeof object, "emergency:%lld", (long long)id);
	e = audit_append(c, rq->app->vault, rq->actor, "emergency.view", object, "");
out:
	store_finish(st);
	store_release(c);
	if (e != ERR_OK) {
		json_decref(o);
		json_decref(failures);
		return e;
	}
	json_object_set_new(o, "failures", failures);
	return http_json(rs, 200, o);
}
