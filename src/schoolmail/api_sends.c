/* SPDX-License-Identifier: MIT */
/* api_sends.c — /api/v1/school-sends and /api/v1/school-templates: the schools' mass mail on
 * the platform's bulk layer. Each route reads what is the service's — the audience (schools,
 * grades, classes, chosen anew each time) and the caller's school — and leaves composing,
 * approval, scheduling, read confirmation and re-sending to src/bulk/ with school_kind. The
 * answers hold counts and the text, never an address or a registrant's name; a sender's hold no
 * login either. */
#include "schoolmail/api.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth/audit.h"
#include "auth/role.h"
#include "base/clock.h"
#include "bulk/bulk.h"
#include "bulk/bulk_api.h"
#include "mail/mail.h"
#include "schoolmail/send.h"
#include "store/store.h"

#define LIST_MAX 200 /* sends listed at most */

/* Tells the kind's scope check which school the caller is (school staff: school_users), for
 * this request. Returns ERR_OK, or answers 403 (a school account without a school). *own (may
 * be NULL) gets the caller's school, id 0 for the ward. */
static enum err caller_scope(struct http_req *rq, struct http_resp *rs, struct school *own)
{
	struct school s;
	memset(&s, 0, sizeof s);
	schoolmail_scope_caller(rq->user.id, "");
	if (rq->role & ROLE_SCHOOL_USERS) {
		int64_t id = 0;
		struct store_conn *c = store_acquire(rq->app->store);
		enum err e = schoolmail_user_school(c, rq->user.id, &id);
		if (e == ERR_OK)
			e = schoolmail_school_get(c, id, &s);
		store_release(c);
		if (e == ERR_NOTFOUND)
			return http_error_as(
			    rs, ERR_FORBIDDEN, "no_school",
			    "この利用者には学校・園が割り当てられていません。区の担当者に"
			    "連絡してください。");
		if (e != ERR_OK)
			return e;
		schoolmail_scope_caller(rq->user.id, s.code);
	}
	if (own)
		*own = s;
	return ERR_OK;
}

/* Reads "targets" of j — [{"school": "E01", "grade": 3, "class": 2}, …]; a school alone is
 * the whole school, a grade without a class the whole grade — into the canonical audience
 * (*text, malloc'd). Returns ERR_OK, or the error with rs's message set. */
static enum err targets_of(struct http_req *rq, struct http_resp *rs, json_t *j, char **text)
{
	struct school_target t[SCHOOLMAIL_TARGETS_MAX];
	json_t *arr = json_object_get(j, "targets"), *v;
	size_t i, n = 0;
	const char *why = NULL;
	*text = NULL;
	if (!json_is_array(arr) || json_array_size(arr) == 0)
		return http_error(rs, ERR_INVALID,
				  "送信先（targets）に、学校・学年・組を1つ以上指定してください。");
	if (json_array_size(arr) > SCHOOLMAIL_TARGETS_MAX)
		return http_error(
		    rs, ERR_INVALID,
		    "送信先が多すぎます（128件まで）。学年や学校全体で選んでください。");
	json_array_foreach(arr, i, v)
	{
		json_t *g = json_object_get(v, "grade"), *k = json_object_get(v, "class");
		const char *code = json_string_value(json_object_get(v, "school"));
		if (!json_is_object(v) || !code || strlen(code) >= sizeof t[0].code ||
		    (g && !json_is_null(g) && !json_is_integer(g)) ||
		    (k && !json_is_null(k) && !json_is_integer(k)))
			return http_error(
			    rs, ERR_INVALID,
			    "送信先は {\"school\": 学校コード, \"grade\": 学年, \"class\": 組} の"
			    "一覧で指定してください（学年・組は省略できます）。");
		memset(&t[n], 0, sizeof t[n]);
		snprintf(t[n].code, sizeof t[n].code, "%s", code);
		json_int_t gi = json_is_integer(g) ? json_integer_value(g) : 0;
		json_int_t ki = json_is_integer(k) ? json_integer_value(k) : 0;
		if (gi < 0 || gi > SCHOOLMAIL_GRADES_MAX || ki < 0 || ki > SCHOOLMAIL_CLASSES_MAX)
			return http_error(
			    rs, ERR_INVALID,
			    "送信先に、その学校・園にない学年か組があります。選び直して"
			    "ください。");
		t[n].grade = (int)gi;
		t[n].klass = (int)ki;
		n++;
	}
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = schoolmail_audience_make(c, t, n, text, &why);
	store_release(c);
	return e != ERR_OK && why ? http_error(rs, e, why) : e;
}

/* Compose (preview 0) or preview (1) a send from the request's body. */
static enum err draft(struct http_req *rq, struct http_resp *rs, int preview)
{
	json_t *j = NULL;
	char *text = NULL;
	enum err e = http_json_body(rq, rs, &j);
	if (e != ERR_OK)
		return e;
	/* A mass mail carries its text only: nothing else to leak. */
	if (json_object_get(j, "attachments") || json_object_get(j, "attachment")) {
		e = http_error_as(
		    rs, ERR_INVALID, "attachments_not_allowed",
		    "一斉メールにファイルは添付できません。本文だけを送ってください。");
		goto out;
	}
	e = caller_scope(rq, rs, NULL);
	if (e == ERR_OK)
		e = targets_of(rq, rs, j, &text);
	if (e == ERR_OK)
		e = preview ? bulk_api_preview(rq, rs, &school_kind, j, text)
			    : bulk_api_compose(rq, rs, &school_kind, j, text);
out:
	free(text);
	json_decref(j);
	return e;
}

enum err api_school_send_create(struct http_req *rq, struct http_resp *rs)
{
	return draft(rq, rs, 0);
}

enum err api_school_send_preview(struct http_req *rq, struct http_resp *rs)
{
	return draft(rq, rs, 1);
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

/* The label of one target: 「あおば小学校 3年2組」. */
static json_t *targets_json(struct store_conn *c, const char *text)
{
	struct school_target t[SCHOOLMAIL_TARGETS_MAX];
	size_t n = 0;
	json_t *arr = json_array();
	if (schoolmail_targets_parse(text, t, SCHOOLMAIL_TARGETS_MAX, &n) != 0)
		return arr;
	for (size_t i = 0; i < n; i++) {
		struct school s;
		char label[512], grade[32] = "";
		if (schoolmail_school_find(c, t[i].code, &s) != ERR_OK)
			snprintf(s.name, sizeof s.name, "%.15s", t[i].code);
		else if (t[i].grade)
			schoolmail_grade_label(s.kind, s.grades, t[i].grade, grade, sizeof grade);
		if (t[i].klass)
			snprintf(label, sizeof label, "%s %s%d組", s.name, grade, t[i].klass);
		else if (t[i].grade)
			snprintf(label, sizeof label, "%s %s", s.name, grade);
		else
			snprintf(label, sizeof label, "%s（全体）", s.name);
		json_t *o = json_pack("{s:s,s:s}", "school", t[i].code, "label", label);
		if (t[i].grade)
			json_object_set_new(o, "grade", json_integer(t[i].grade));
		if (t[i].klass)
			json_object_set_new(o, "class", json_integer(t[i].klass));
		json_array_append_new(arr, o);
	}
	return arr;
}

/* Counts of a send's mail per school (its rows' lists): the ward's delivery per school. */
static enum err per_school_json(struct store_conn *c, const char *send_id, json_t *arr)
{
	struct school *schools = NULL;
	size_t ns = 0;
	enum err e = schoolmail_school_list(c, &schools, &ns);
	if (e != ERR_OK)
		return e;
	struct store_stmt *st = store_prepare(
	    c, "SELECT o.list, count(*), sum(CASE WHEN o.state = 'sent' THEN 1 ELSE 0 END), "
	       "sum(CASE WHEN o.state = 'failed' THEN 1 ELSE 0 END), count(r.outbox_id) "
	       "FROM outbox o LEFT JOIN mail_reads r ON r.outbox_id = o.id WHERE o.send_id = ? "
	       "GROUP BY o.list ORDER BY o.list");
	e = st ? ERR_OK : ERR_DB;
	if (st) {
		store_bind_text(st, 1, send_id);
		int rc;
		while ((rc = store_step(st)) == STORE_ROW) {
			const char *list = store_col_text(st, 0);
			const struct school *s = NULL;
			for (size_t i = 0; i < ns && !s; i++) {
				char name[MAIL_LIST_MAX];
				schoolmail_list_name(schools[i].code, name, sizeof name);
				if (strcmp(name, list) == 0)
					s = &schools[i];
			}
			int64_t total = store_col_int(st, 1), sent = store_col_int(st, 2),
				failed = store_col_int(st, 3);
			json_array_append_new(
			    arr,
			    json_pack("{s:s,s:s,s:I,s:I,s:I,s:I,s:I}", "school", s ? s->code : "",
				      "name", s ? s->name : "", "recipients", (json_int_t)total,
				      "sent", (json_int_t)sent, "failed", (json_int_t)failed,
				      "pending", (json_int_t)(total - sent - failed), "reads",
				      (json_int_t)store_col_int(st, 4)));
		}
		if (rc != STORE_DONE)
			e = ERR_DB;
	}
	store_finish(st);
	free(schools);
	return e;
}

/* A send as the caller may see it: counts, the text, where its mail stands; a sender sees no
 * login (author, approver). */
static json_t *send_json(struct http_req *rq, struct store_conn *c, const struct bulk_send_view *v)
{
	int sender = rq->role == ROLE_SENDER;
	const char *delivery = bulk_delivery(v->state, v->total, v->sent, v->failed);
	json_t *o = json_pack(
	    "{s:I,s:s,s:o,s:o,s:o,s:s,s:I,s:I,s:I,s:I,s:b,s:o,s:o}", "id", (json_int_t)v->id,
	    "state", v->state, "delivery", delivery ? json_string(delivery) : json_null(),
	    "targets", targets_json(c, v->audience), "created", time_json(v->created_ms), "subject",
	    v->subject, "recipients", (json_int_t)v->total, "sent", (json_int_t)v->sent, "failed",
	    (json_int_t)v->failed, "pending", (json_int_t)(v->total - v->sent - v->failed),
	    "read_confirm", v->read_confirm, "at", time_json(v->at_ms), "parent",
	    v->parent_id ? json_integer((json_int_t)v->parent_id) : json_null());
	if (!o)
		return NULL;
	json_object_set_new(o, "approval_required",
			    json_boolean(school_kind.groups(v->audience) > 1));
	if (!sender) {
		json_object_set_new(o, "author", json_string(v->author));
		json_object_set_new(o, "approver",
				    v->approver[0] ? json_string(v->approver) : json_null());
		json_object_set_new(o, "approved", time_json(v->approved_ms));
		json_object_set_new(o, "send_id",
				    v->send_id[0] ? json_string(v->send_id) : json_null());
	}
	json_object_set_new(o, "mine", json_boolean(v->author_id == rq->user.id));
	if (v->read_confirm) {
		json_object_set_new(o, "reads", json_integer((json_int_t)v->reads));
		json_object_set_new(o, "unread", json_integer((json_int_t)(v->total - v->reads)));
	}
	if (v->refusal[0])
		json_object_set_new(o, "refusal", json_string(v->refusal));
	if (v->body)
		json_object_set_new(o, "body", json_string(v->body));
	/* Before it is queued there is no mail: whom it would reach now. */
	size_t now = 0;
	if ((strcmp(v->state, "awaiting_approval") == 0 || strcmp(v->state, "scheduled") == 0) &&
	    schoolmail_audience_count(c, v->audience, &now) == ERR_OK)
		json_object_set_new(o, "audience", json_integer((json_int_t)now));
	return o;
}

enum err api_school_sends_list(struct http_req *rq, struct http_resp *rs)
{
	struct bulk_send_view *v = NULL;
	size_t n = 0;
	enum err e = caller_scope(rq, rs, NULL);
	if (e != ERR_OK)
		return e;
	json_t *arr = json_array();
	struct store_conn *c = store_acquire(rq->app->store);
	e = bulk_send_list(rq->app, &school_kind, &rq->user, c, LIST_MAX, &v, &n);
	for (size_t i = 0; e == ERR_OK && i < n; i++) {
		json_t *o = send_json(rq, c, &v[i]);
		if (!o)
			e = ERR_IO;
		else
			json_array_append_new(arr, o);
	}
	if (e == ERR_OK)
		e = audit_append(c, rq->app->vault, rq->actor, "school.list", "school", "");
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

enum err api_school_send_get(struct http_req *rq, struct http_resp *rs)
{
	struct bulk_send_view v;
	char object[64];
	json_t *o = NULL, *schools = json_array();
	int64_t id = http_param_id(rq->params[0]);
	memset(&v, 0, sizeof v);
	enum err e = id ? caller_scope(rq, rs, NULL)
			: http_error(rs, ERR_INVALID,
				     "送信の番号が正しくありません。一覧から選び直してください。");
	if (e != ERR_OK) {
		json_decref(schools);
		return e;
	}
	struct store_conn *c = store_acquire(rq->app->store);
	e = bulk_send_get(rq->app, &school_kind, c, id, 1, &v);
	if (e == ERR_NOTFOUND) {
		e = http_error(rs, e, "この送信は見つかりません。一覧から選び直してください。");
		goto out;
	}
	if (e != ERR_OK)
		goto out;
	snprintf(object, sizeof object, "school:%" PRId64, id);
	if (!school_kind.in_scope(rq->app, &rq->user, v.audience)) {
		audit_append(c, rq->app->vault, rq->actor, "denied", object,
			     "view outside the caller's scope");
		e = http_error_as(rs, ERR_FORBIDDEN, "out_of_scope",
				  "この送信には、あなたの担当の学校・園の外が含まれています。");
		goto out;
	}
	o = send_json(rq, c, &v);
	e = o ? ERR_OK : ERR_IO;
	if (e == ERR_OK && v.send_id[0])
		e = per_school_json(c, v.send_id, schools);
	if (e == ERR_OK)
		/* A delivery view its page polls: audited once per caller and send a minute. */
		e = audit_read_append(c, rq->app->vault, rq->actor, "school.view", object, "",
				      clock_now_ms(), NULL);
out:
	store_release(c);
	bulk_send_view_free(&v);
	if (e != ERR_OK || !o) {
		json_decref(o);
		json_decref(schools);
		return e;
	}
	json_object_set_new(o, "schools", schools);
	return http_json(rs, 200, o);
}

enum err api_school_send_approve(struct http_req *rq, struct http_resp *rs)
{
	enum err e = caller_scope(rq, rs, NULL);
	return e == ERR_OK ? bulk_api_decide(rq, rs, &school_kind, 1) : e;
}

enum err api_school_send_reject(struct http_req *rq, struct http_resp *rs)
{
	enum err e = caller_scope(rq, rs, NULL);
	return e == ERR_OK ? bulk_api_decide(rq, rs, &school_kind, 0) : e;
}

enum err api_school_send_cancel(struct http_req *rq, struct http_resp *rs)
{
	enum err e = caller_scope(rq, rs, NULL);
	return e == ERR_OK ? bulk_api_cancel(rq, rs, &school_kind) : e;
}

enum err api_school_send_resend(struct http_req *rq, struct http_resp *rs)
{
	enum err e = caller_scope(rq, rs, NULL);
	return e == ERR_OK ? bulk_api_resend(rq, rs, &school_kind) : e;
}

enum err api_school_templates(struct http_req *rq, struct http_resp *rs)
{
	/* The defaults are stored the first time anyone asks (once per directory). */
	enum err e = schoolmail_templates_seed(rq->app);
	if (e != ERR_OK || rq->role != ROLE_SENDER)
		return e == ERR_OK ? bulk_api_templates_list(rq, rs, &school_kind) : e;
	/* A sender is answered without who wrote each template (no login, as everywhere). */
	struct bulk_template *t = NULL;
	size_t n = 0;
	e = bulk_template_list(rq->app, &school_kind, &t, &n);
	if (e != ERR_OK)
		return e;
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++) {
		json_array_append_new(arr,
				      json_pack("{s:I,s:s,s:s,s:s,s:o}", "id", (json_int_t)t[i].id,
						"name", t[i].name, "subject", t[i].subject, "body",
						t[i].body, "updated", time_json(t[i].updated_ms)));
		bulk_template_free(&t[i]);
	}
	free(t);
	return http_json(rs, 200, json_pack("{s:o}", "templates", arr));
}

enum err api_school_template_save(struct http_req *rq, struct http_resp *rs)
{
	return bulk_api_template_save(rq, rs, &school_kind);
}

enum err api_school_template_delete(struct http_req *rq, struct http_resp *rs)
{
	return bulk_api_template_delete(rq, rs, &school_kind);
}
