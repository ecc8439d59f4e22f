/* SPDX-License-Identifier: MIT */
/* bulk_api.c — the JSON a service's bulk-send routes answer, for any kind of bulk mail: a
 * service's handler reads its own audience (sites, schools, classes) and hands the rest here.
 * Views never list addresses; every call is audited by the layer. */
#include "bulk/bulk_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth/audit.h"
#include "base/clock.h"
#include "bulk/bulk.h"
#include "mail/mail.h"
#include "store/store.h"

#define BAD_ID "送信の番号が正しくありません。一覧から選び直してください。"
#define LIST_MAX 200 /* sends listed at most */

/* Parses "YYYY-MM-DDTHH:MM" (Japan time; ":SS" and "+09:00" may follow) into *ms. Returns 0, or
 * -1 when s is not one. */
static int parse_jst(const char *s, int64_t *ms)
{
	char day[11];
	int64_t midnight = 0;
	size_t n = strlen(s);
	if (n < 16 || s[10] != 'T')
		return -1;
	memcpy(day, s, 10);
	day[10] = '\0';
	char hhmm[6] = {s[11], s[12], s[13], s[14], s[15], '\0'};
	int minutes = clock_hhmm_minutes(hhmm);
	if (clock_day_parse(day, &midnight, NULL) != 0 || minutes < 0)
		return -1;
	const char *rest = s + 16;
	int sec = 0;
	if (rest[0] == ':') {
		if (rest[1] < '0' || rest[1] > '5' || rest[2] < '0' || rest[2] > '9')
			return -1;
		sec = (rest[1] - '0') * 10 + (rest[2] - '0');
		rest += 3;
	}
	if (*rest && strcmp(rest, "+09:00") != 0)
		return -1;
	*ms = midnight + (int64_t)minutes * 60000 + (int64_t)sec * 1000;
	return 0;
}

/* Reads the message of a draft from j: subject, body, and optionally at (Japan time) and
 * read_confirm. Returns ERR_OK, or the error with rs's message set. */
static enum err draft_read(struct http_resp *rs, json_t *j, struct bulk_draft *d)
{
	json_t *at = json_object_get(j, "at"), *rc = json_object_get(j, "read_confirm");
	d->subject = json_string_value(json_object_get(j, "subject"));
	d->body = json_string_value(json_object_get(j, "body"));
	if (!d->subject || !d->body)
		return http_error(rs, ERR_INVALID,
				  "件名（subject）と本文（body）を指定してください。");
	if (at && !json_is_null(at) &&
	    (!json_is_string(at) || parse_jst(json_string_value(at), &d->at_ms) != 0))
		return http_error(
		    rs, ERR_INVALID,
		    "送信予定の日時（at）は 2026-12-01T07:30 の形（日本時間）で指定してください。");
	if (rc && !json_is_boolean(rc))
		return http_error(
		    rs, ERR_INVALID,
		    "「読みました」の確認（read_confirm）は true か false で指定してください。");
	d->read_confirm = json_is_true(rc);
	return ERR_OK;
}

/* A time as Japan-time ISO 8601, or null for 0. */
static json_t *time_json(int64_t ms)
{
	char iso[32];
	if (!ms)
		return json_null();
	clock_jst_iso(ms, iso, sizeof iso);
	return json_string(iso);
}

/* The answer to composing or deciding: id, state, recipients, where the mail stands (just
 * queued: nothing has gone yet), and the time of a scheduled send. */
static json_t *result_json(const struct bulk_result *res)
{
	const char *delivery = bulk_delivery(res->state, (int64_t)res->recipients, 0, 0);
	json_t *o = json_pack("{s:I,s:s,s:I,s:o}", "id", (json_int_t)res->id, "state", res->state,
			      "recipients", (json_int_t)res->recipients, "delivery",
			      delivery ? json_string(delivery) : json_null());
	if (o && res->at_ms)
		json_object_set_new(o, "at", time_json(res->at_ms));
	return o;
}

enum err bulk_api_compose(struct http_req *rq, struct http_resp *rs, const struct bulk_kind *k,
			  json_t *j, const char *audience)
{
	struct bulk_draft d = {.audience = audience};
	struct bulk_result res;
	const char *why = NULL;
	enum err e = draft_read(rs, j, &d);
	if (e != ERR_OK)
		return e;
	e = bulk_compose(rq->app, k, &rq->user, rq->actor, &d, &res, &why);
	if (e != ERR_OK)
		return why ? http_error_as(rs, e, res.code, why) : e;
	return http_json(rs, 201, result_json(&res));
}

enum err bulk_api_preview(struct http_req *rq, struct http_resp *rs, const struct bulk_kind *k,
			  json_t *j, const char *audience)
{
	struct bulk_draft d = {.audience = audience};
	const char *why = NULL, *code = NULL;
	size_t n = 0;
	int needs = 0;
	enum err e = draft_read(rs, j, &d);
	if (e != ERR_OK)
		return e;
	e = bulk_preview(rq->app, k, &rq->user, &d, &n, &needs, &why, &code);
	if (e != ERR_OK)
		return why ? http_error_as(rs, e, code, why) : e;
	return http_json(rs, 200,
			 json_pack("{s:I,s:b,s:o}", "recipients", (json_int_t)n,
				   "approval_required", needs, "at", time_json(d.at_ms)));
}

/* The send id of the route's first {}; 0 (with rs set) when it is not one. */
static int64_t route_id(struct http_req *rq, struct http_resp *rs)
{
	int64_t id = http_param_id(rq->params[0]);
	if (!id)
		http_error(rs, ERR_INVALID, BAD_ID);
	return id;
}

enum err bulk_api_decide(struct http_req *rq, struct http_resp *rs, const struct bulk_kind *k,
			 int approve)
{
	struct bulk_result res;
	const char *why = NULL;
	int64_t id = route_id(rq, rs);
	if (!id)
		return ERR_INVALID;
	enum err e = bulk_decide(rq->app, k, &rq->user, rq->actor, id, approve, &res, &why);
	if (e != ERR_OK)
		return why ? http_error_as(rs, e, res.code, why) : e;
	return http_json(rs, 200, result_json(&res));
}

enum err bulk_api_cancel(struct http_req *rq, struct http_resp *rs, const struct bulk_kind *k)
{
	struct bulk_result res;
	const char *why = NULL;
	int64_t id = route_id(rq, rs);
	if (!id)
		return ERR_INVALID;
	enum err e = bulk_cancel(rq->app, k, &rq->user, rq->actor, id, &res, &why);
	if (e != ERR_OK)
		return why ? http_error_as(rs, e, res.code, why) : e;
	return http_json(rs, 200, result_json(&res));
}

enum err bulk_api_resend(struct http_req *rq, struct http_resp *rs, const struct bulk_kind *k)
{
	struct bulk_result res;
	const char *why = NULL;
	int64_t id = route_id(rq, rs);
	if (!id)
		return ERR_INVALID;
	enum err e = bulk_resend_unread(rq->app, k, &rq->user, rq->actor, id, &res, &why);
	if (e != ERR_OK)
		return why ? http_error_as(rs, e, res.code, why) : e;
	json_t *o = result_json(&res);
	if (o)
		json_object_set_new(o, "parent", json_integer((json_int_t)id));
	return http_json(rs, 201, o);
}

/* A send as JSON (with its body when it was loaded). */
static json_t *send_json(struct app *a, const struct bulk_kind *k, struct store_conn *c,
			 const struct bulk_send_view *v)
{
	int64_t pending = v->total - v->sent - v->failed;
	json_t *o = json_pack(
	    "{s:I,s:s,s:o,s:o,s:s,s:o,s:o,s:s,s:I,s:I,s:I,s:I,s:o,s:b,s:o}", "id",
	    (json_int_t)v->id, "state", v->state, k->audience_key, k->audience_json(v->audience),
	    "created", time_json(v->created_ms), "author", v->author, "approver",
	    v->approver[0] ? json_string(v->approver) : json_null(), "approved",
	    time_json(v->approved_ms), "subject", v->subject, "recipients", (json_int_t)v->total,
	    "sent", (json_int_t)v->sent, "failed", (json_int_t)v->failed, "pending",
	    (json_int_t)pending, "at", time_json(v->at_ms), "read_confirm", v->read_confirm,
	    "parent", v->parent_id ? json_integer((json_int_t)v->parent_id) : json_null());
	if (!o)
		return NULL;
	/* "state" is the approval; "delivery" where its mail stands (never "sent" while queued). */
	const char *delivery = bulk_delivery(v->state, v->total, v->sent, v->failed);
	json_object_set_new(o, "delivery", delivery ? json_string(delivery) : json_null());
	json_object_set_new(o, "send_id", v->send_id[0] ? json_string(v->send_id) : json_null());
	if (v->read_confirm) {
		json_object_set_new(o, "reads", json_integer((json_int_t)v->reads));
		json_object_set_new(o, "unread", json_integer((json_int_t)(v->total - v->reads)));
	}
	if (v->refusal[0])
		json_object_set_new(o, "refusal", json_string(v->refusal));
	if (v->body)
		json_object_set_new(o, "body", json_string(v->body));
	/* Before it is queued there is no mail yet: the approver sees whom it would reach now. */
	size_t audience = 0;
	if ((strcmp(v->state, "awaiting_approval") == 0 || strcmp(v->state, "scheduled") == 0) &&
	    k->count(a, c, v->audience, &audience) == ERR_OK)
		json_object_set_new(o, "audience", json_integer((json_int_t)audience));
	return o;
}

enum err bulk_api_list(struct http_req *rq, struct http_resp *rs, const struct bulk_kind *k)
{
	struct bulk_send_view *v = NULL;
	size_t n = 0;
	char action[64];
	json_t *arr = json_array();
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = bulk_send_list(rq->app, k, &rq->user, c, LIST_MAX, &v, &n);
	for (size_t i = 0; e == ERR_OK && i < n; i++) {
		json_t *o = send_json(rq->app, k, c, &v[i]);
		if (!o)
			e = ERR_IO;
		else
			json_array_append_new(arr, o);
	}
	snprintf(action, sizeof action, "%s.list", k->list.name);
	if (e == ERR_OK)
		e = audit_append(c, rq->app->vault, rq->actor, action, k->list.name, "");
	store_release(c);
	for (size_t i = 0; i < n; i++)
		bulk_send_view_free(&v[i]);
	free(v);
	if (e != ERR_OK) {
		json_decref(arr);
		return e;
	}
	return http_json(rs, 200, json_pack("{s:o}", "sends", arr));
}

/* The failed rows of send_id with the servers' replies (every word with an '@' blanked). */
static enum err failures_json(struct store_conn *c, const char *send_id, json_t *arr)
{
	struct store_stmt *st = store_prepare(c, "SELECT last_reply, attempts FROM outbox WHERE "
						 "send_id = ? AND state = 'failed' ORDER BY id");
	if (!st)
		return ERR_DB;
	store_bind_text(st, 1, send_id);
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		char reply[MAIL_SEND_REPLY_MAX];
		mail_text_blank_addresses(store_col_text(st, 0), reply, sizeof reply);
		json_array_append_new(arr, json_pack("{s:s,s:I}", "reply", reply, "attempts",
						     (json_int_t)store_col_int(st, 1)));
	}
	store_finish(st);
	return rc == STORE_DONE ? ERR_OK : ERR_DB;
}

enum err bulk_api_get(struct http_req *rq, struct http_resp *rs, const struct bulk_kind *k)
{
	struct bulk_send_view v;
	char object[64], action[64];
	json_t *o = NULL, *failures = json_array();
	int64_t id = route_id(rq, rs);
	if (!id) {
		json_decref(failures);
		return ERR_INVALID;
	}
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = bulk_send_get(rq->app, k, c, id, 1, &v);
	if (e == ERR_NOTFOUND) {
		e = http_error(rs, e, "この送信は見つかりません。一覧から選び直してください。");
		goto out;
	}
	if (e != ERR_OK)
		goto out;
	snprintf(object, sizeof object, "%s:%lld", k->list.name, (long long)id);
	if (!k->in_scope(rq->app, &rq->user, v.audience)) {
		audit_append(c, rq->app->vault, rq->actor, "denied", object,
			     "view outside the caller's scope");
		e = http_error_as(rs, ERR_FORBIDDEN, "out_of_scope",
				  "この送信には、あなたの担当の範囲の外が含まれています。");
		goto out;
	}
	o = send_json(rq->app, k, c, &v);
	e = o ? failures_json(c, v.send_id, failures) : ERR_IO;
	snprintf(action, sizeof action, "%s.view", k->list.name);
	/* A delivery view that its page polls: audited once per caller and send a minute. */
	if (e == ERR_OK)
		e = audit_read_append(c, rq->app->vault, rq->actor, action, object, "",
				      clock_now_ms(), NULL);
out:
	store_release(c);
	bulk_send_view_free(&v);
	if (e != ERR_OK || !o) {
		json_decref(o);
		json_decref(failures);
		return e;
	}
	json_object_set_new(o, "failures", failures);
	return http_json(rs, 200, o);
}

enum err bulk_api_templates_list(struct http_req *rq, struct http_resp *rs,
				 const struct bulk_kind *k)
{
	struct bulk_template *t = NULL;
	size_t n = 0;
	enum err e = bulk_template_list(rq->app, k, &t, &n);
	if (e != ERR_OK)
		return e;
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++) {
		json_array_append_new(
		    arr, json_pack("{s:I,s:s,s:s,s:s,s:s,s:o}", "id", (json_int_t)t[i].id, "name",
				   t[i].name, "subject", t[i].subject, "body", t[i].body, "author",
				   t[i].author, "updated", time_json(t[i].updated_ms)));
		bulk_template_free(&t[i]);
	}
	free(t);
	return http_json(rs, 200, json_pack("{s:o}", "templates", arr));
}

enum err bulk_api_template_save(struct http_req *rq, struct http_resp *rs,
				const struct bulk_kind *k)
{
	json_t *j = NULL;
	const char *why = NULL, *code = NULL;
	int64_t id = 0;
	if (rq->params[0] && !(id = route_id(rq, rs)))
		return ERR_INVALID;
	enum err e = http_json_body(rq, rs, &j);
	if (e != ERR_OK)
		return e;
	const char *name = json_string_value(json_object_get(j, "name"));
	const char *subject = json_string_value(json_object_get(j, "subject"));
	const char *body = json_string_value(json_object_get(j, "body"));
	if (!name || !subject || !body) {
		e = http_error(rs, ERR_INVALID,
			       "テンプレートの名前（name）、件名（subject）、本文（body）を指定して"
			       "ください。");
		goto out;
	}
	int created = id == 0;
	e = bulk_template_save(rq->app, k, &rq->user, rq->actor, &id, name, subject, body, &why,
			       &code);
	if (e != ERR_OK) {
		if (why)
			e = http_error_as(rs, e, code, why);
		goto out;
	}
	e = http_json(rs, created ? 201 : 200,
		      json_pack("{s:I,s:s}", "id", (json_int_t)id, "name", name));
out:
	json_decref(j);
	return e;
}

enum err bulk_api_template_delete(struct http_req *rq, struct http_resp *rs,
				  const struct bulk_kind *k)
{
	int64_t id = http_param_id(rq->params[0]);
	if (!id)
		return http_error(
		    rs, ERR_INVALID,
		    "テンプレートの番号が正しくありません。一覧から選び直してください。");
	enum err e = bulk_template_delete(rq->app, k, rq->actor, id);
	if (e == ERR_NOTFOUND)
		return http_error(rs, e,
				  "このテンプレートは見つかりません。一覧を更新してください。");
	if (e != ERR_OK)
		return e;
	rs->status = 204;
	return ERR_OK;
}
