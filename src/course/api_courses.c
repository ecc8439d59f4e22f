/* SPDX-License-Identifier: MIT */
/* api_courses.c — the staff's side of course sign-up: the courses with their sessions and how
 * full each is, a new course with its sessions, a session added, changed or cancelled (the
 * people concerned mailed, the waitlist moved up), the roster of a course (audited). */
#include "course/api.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth/audit.h"
#include "base/clock.h"
#include "base/xalloc.h"
#include "mail/mail.h"
#include "store/store.h"
#include "vault/vault.h"

void course_ctx_for(struct http_req *rq, struct store_conn *c, struct course_ctx *x)
{
	course_ctx_init(x, c, course_vault(rq->app), rq->app->cfg.base_url, clock_now_ms());
}

enum err course_audit(struct http_req *rq, struct store_conn *c, const char *action,
		      const char *kind, int64_t id, const char *detail)
{
	char object[64];
	snprintf(object, sizeof object, "%s:%" PRId64, kind, id);
	return audit_append(c, rq->app->vault, rq->actor, action, object, detail);
}

/* "HH:MM" of minutes m into out. */
static void hhmm(int m, char out[6])
{
	unsigned h = (unsigned)(m / 60) % 24u, mm = (unsigned)m % 60u;
	out[0] = (char)('0' + h / 10);
	out[1] = (char)('0' + h % 10);
	out[2] = ':';
	out[3] = (char)('0' + mm / 10);
	out[4] = (char)('0' + mm % 10);
	out[5] = '\0';
}

/* Returns the sessions of course id as JSON (see course_object), or NULL on a database error. */
static json_t *sessions_json(struct store_conn *c, int64_t id, int staff, const char *today)
{
	json_t *a = json_array();
	struct store_stmt *st = store_prepare(
	    c, "SELECT s.id, s.on_date, s.start_min, s.end_min, s.place, s.capacity, s.state, "
	       "(SELECT count(*) FROM course_entries e WHERE e.session_id = s.id AND e.state = "
	       "'booked'), (SELECT count(*) FROM course_entries e WHERE e.session_id = s.id AND "
	       "e.state = 'waiting') FROM course_sessions s WHERE s.course_id = ?1 ORDER BY "
	       "s.on_date, s.start_min, s.id");
	if (!st) {
		json_decref(a);
		return NULL;
	}
	store_bind_int(st, 1, id);
	while (store_step(st) == STORE_ROW) {
		const char *date = store_col_text(st, 1), *state = store_col_text(st, 6);
		int sm = (int)store_col_int(st, 2), em = (int)store_col_int(st, 3);
		int64_t cap = store_col_int(st, 5), booked = store_col_int(st, 7);
		char s[6], e[6], label[96];
		if (!staff && (strcmp(state, "open") != 0 || strcmp(date, today) < 0))
			continue;
		hhmm(sm, s);
		hhmm(em, e);
		course_when_label(date, sm, em, label, sizeof label);
		json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:I, s:b}", "id",
				      (json_int_t)store_col_int(st, 0), "date", date, "start", s,
				      "end", e, "label", label, "place", store_col_text(st, 4),
				      "capacity", (json_int_t)cap, "state", state, "left",
				      (json_int_t)(booked < cap ? cap - booked : 0), "over",
				      strcmp(date, today) < 0);
		json_object_set_new(o, "waiting", json_integer(store_col_int(st, 8)));
		if (staff)
			json_object_set_new(o, "booked", json_integer(booked));
		json_array_append_new(a, o);
	}
	store_finish(st);
	return a;
}

enum err course_object(struct store_conn *c, int64_t id, int staff, const char *today,
		       json_t **out)
{
	json_t *o = NULL;
	int64_t signups = 0, left = 0;
	*out = NULL;
	struct store_stmt *st = store_prepare(
	    c, "SELECT title, description, contact, open, erased_ms IS NOT NULL, (SELECT count(*) "
	       "FROM course_signups WHERE course_id = ?1 AND cancelled_ms IS NULL), (SELECT "
	       "count(*) FROM course_sessions WHERE course_id = ?1 AND state = 'open' AND on_date "
	       ">= ?2) FROM course_courses WHERE id = ?1");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, id);
	store_bind_text(st, 2, today);
	if (store_step(st) == STORE_ROW) {
		signups = store_col_int(st, 5);
		left = store_col_int(st, 6);
		o = json_pack("{s:I, s:s, s:s, s:s, s:b, s:b}", "id", (json_int_t)id, "title",
			      store_col_text(st, 0), "description", store_col_text(st, 1), "contact",
			      store_col_text(st, 2), "open", store_col_int(st, 3) != 0, "erased",
			      store_col_int(st, 4) != 0);
	}
	store_finish(st);
	if (!o)
		return ERR_NOTFOUND;
	json_t *ss = sessions_json(c, id, staff, today);
	if (!ss) {
		json_decref(o);
		return ERR_DB;
	}
	json_object_set_new(o, "sessions", ss);
	if (staff) {
		json_object_set_new(o, "signups", json_integer(signups));
		json_object_set_new(o, "ended", json_boolean(left == 0));
	}
	*out = o;
	return ERR_OK;
}

enum err course_objects(struct store_conn *c, const char *sql, int bind_today, int staff,
			const char *today, json_t **out)
{
	int64_t ids[COURSE_LIST_MAX];
	size_t n = 0;
	enum err e = ERR_OK;
	json_t *list = json_array();
	*out = NULL;
	struct store_stmt *st = store_prepare(c, sql);
	if (!st)
		e = ERR_DB;
	else if (bind_today)
		store_bind_text(st, 1, today);
	while (st && n < COURSE_LIST_MAX && store_step(st) == STORE_ROW)
		ids[n++] = store_col_int(st, 0);
	store_finish(st);
	for (size_t i = 0; i < n && e == ERR_OK; i++) {
		json_t *o = NULL;
		e = course_object(c, ids[i], staff, today, &o);
		if (e == ERR_OK)
			json_array_append_new(list, o);
	}
	if (e != ERR_OK) {
		json_decref(list);
		return e;
	}
	*out = list;
	return ERR_OK;
}

enum err api_course_list(struct http_req *rq, struct http_resp *rs)
{
	char today[11];
	json_t *list = NULL;
	clock_jst_date(clock_now_ms(), today, sizeof today);
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = course_objects(
	    c, "SELECT id FROM course_courses ORDER BY erased_ms IS NOT NULL, id DESC LIMIT 1000",
	    0, 1, today, &list);
	store_release(c);
	if (e != ERR_OK)
		return e;
	return http_json(rs, 200, json_pack("{s:o, s:s}", "courses", list, "today", today));
}

/* Inserts session s of course id on c. */
static enum err session_insert(struct store_conn *c, int64_t course_id,
			       const struct course_session_in *s, int64_t now, int64_t *id)
{
	struct store_stmt *st = store_prepare(
	    c, "INSERT INTO course_sessions (course_id, on_date, start_min, end_min, place, "
	       "capacity, created_ms, updated_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, course_id);
	store_bind_text(st, 2, s->date);
	store_bind_int(st, 3, s->start_min);
	store_bind_int(st, 4, s->end_min);
	store_bind_text(st, 5, s->place);
	store_bind_int(st, 6, s->capacity);
	store_bind_int(st, 7, now);
	enum err e = store_run(st);
	store_finish(st);
	if (e == ERR_OK && id)
		*id = store_last_id(c);
	return e;
}

/* Ends the transaction of a change of course id on c by e (committed when ERR_OK, else rolled
 * back) and answers the course (staff view, on today) with status. */
static enum err answer_course(struct http_resp *rs, struct store_conn *c, enum err e, int64_t id,
			      const char *today, int status)
{
	json_t *o = NULL;
	if (e == ERR_OK)
		e = store_commit(c);
	else
		store_rollback(c);
	if (e == ERR_OK)
		e = course_object(c, id, 1, today, &o);
	return e == ERR_OK ? http_json(rs, status, o) : e;
}

enum err api_course_add(struct http_req *rq, struct http_resp *rs)
{
	struct course_in *in = xcalloc(1, sizeof *in);
	char today[11], why[COURSE_WHY_MAX];
	int64_t now = clock_now_ms(), id = 0;
	json_t *body = NULL;
	struct store_conn *c = NULL;
	enum err e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		goto out;
	clock_jst_date(now, today, sizeof today);
	if (course_parse(body, today, in, why) != ERR_OK) {
		e = http_error_as(rs, ERR_INVALID, "bad_course", why);
		goto out;
	}
	c = store_acquire(rq->app->store);
	e = store_begin(c);
	struct store_stmt *st =
	    e == ERR_OK ? store_prepare(c, "INSERT INTO course_courses (title, description, contact, "
					   "created_by, created_ms, updated_ms) VALUES (?1, ?2, ?3, "
					   "?4, ?5, ?5)")
			: NULL;
	if (e == ERR_OK && !st)
		e = ERR_DB;
	if (st) {
		store_bind_text(st, 1, in->title);
		store_bind_text(st, 2, in->description);
		store_bind_text(st, 3, in->contact);
		store_bind_int(st, 4, rq->user.id);
		store_bind_int(st, 5, now);
		e = store_run(st);
		store_finish(st);
	}
	if (e == ERR_OK)
		id = store_last_id(c);
	for (size_t i = 0; i < in->nsessions && e == ERR_OK; i++)
		e = session_insert(c, id, &in->sessions[i], now, NULL);
	if (e == ERR_OK)
		e = course_audit(rq, c, "course.create", "course", id, "");
	e = answer_course(rs, c, e, id, today, 201);
out:
	if (c)
		store_release(c);
	json_decref(body);
	free(in);
	return e;
}

/* The roster of course id: every sign-up (the person unsealed) and its choices. */
static enum err roster(struct http_req *rq, struct store_conn *c, int64_t id, json_t **out)
{
	const struct vault *v = course_vault(rq->app);
	json_t *list = json_array();
	enum err e = ERR_OK;
	struct store_stmt *st = store_prepare(
	    c, "SELECT id, person, created_ms, cancelled_ms FROM course_signups WHERE course_id = "
	       "?1 ORDER BY id");
	if (!st)
		e = ERR_DB;
	if (st)
		store_bind_int(st, 1, id);
	while (st && e == ERR_OK && store_step(st) == STORE_ROW) {
		char *plain = NULL, age[32], when[32];
		struct course_person p = {0};
		e = vault_unseal_column(v, st, 1, "course_signups.person", &plain);
		if (e == ERR_OK)
			e = plain ? course_person_read(plain, &p) : ERR_CRYPTO;
		vault_wipe_free(plain);
		if (e != ERR_OK)
			break;
		course_age_label(p.child_age, age, sizeof age);
		clock_jst_iso(store_col_int(st, 2), when, sizeof when);
		json_array_append_new(
		    list, json_pack("{s:I, s:s, s:s, s:s, s:i, s:s, s:s, s:b, s:[]}", "id",
				    (json_int_t)store_col_int(st, 0), "name", p.name, "email",
				    p.email, "phone", p.phone, "child_age", p.child_age, "age_label",
				    age, "signed_up", when, "cancelled", !store_col_is_null(st, 3),
				    "choices"));
		course_person_clear(&p);
	}
	store_finish(st);
	/* each one's choices, in a second pass (one statement at a time) */
	size_t i;
	json_t *o;
	json_array_foreach(list, i, o)
	{
		if (e != ERR_OK)
			break;
		int64_t sid = json_integer_value(json_object_get(o, "id"));
		json_t *ch = json_object_get(o, "choices");
		int64_t entries[COURSE_CHOICES_MAX];
		size_t n = 0;
		st = store_prepare(c, "SELECT id, session_id, pref, state FROM course_entries WHERE "
				      "signup_id = ?1 ORDER BY pref");
		if (!st) {
			e = ERR_DB;
			break;
		}
		store_bind_int(st, 1, sid);
		while (n < COURSE_CHOICES_MAX && store_step(st) == STORE_ROW) {
			entries[n++] = store_col_int(st, 0);
			json_array_append_new(ch, json_pack("{s:I, s:I, s:s}", "session",
							    (json_int_t)store_col_int(st, 1), "pref",
							    (json_int_t)store_col_int(st, 2), "state",
							    store_col_text(st, 3)));
		}
		store_finish(st);
		for (size_t k = 0; k < n; k++)
			json_object_set_new(json_array_get(ch, k), "position",
					    json_integer(course_wait_position(c, entries[k])));
	}
	if (e != ERR_OK) {
		json_decref(list);
		return e;
	}
	*out = list;
	return ERR_OK;
}

enum err api_course_get(struct http_req *rq, struct http_resp *rs)
{
	int64_t id = http_param_id(rq->params[0]);
	char today[11], object[48];
	json_t *o = NULL, *r = NULL;
	clock_jst_date(clock_now_ms(), today, sizeof today);
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = course_object(c, id, 1, today, &o);
	if (e == ERR_NOTFOUND)
		e = http_error_as(rs, e, "no_course", "その講座はありません。");
	if (e == ERR_OK) {
		snprintf(object, sizeof object, "course:%" PRId64, id);
		e = audit_read_append(c, rq->app->vault, rq->actor, "course.roster", object, "",
				      clock_now_ms(), NULL);
	}
	if (e == ERR_OK)
		e = roster(rq, c, id, &r);
	store_release(c);
	if (e != ERR_OK) {
		json_decref(o);
		return e;
	}
	json_object_set_new(o, "roster", r);
	return http_json(rs, 200, o);
}

/* Begins a transaction on c and reads into *erased whether course id's sign-ups are erased
 * (1) or not (0); ERR_NOTFOUND answered (404 no_course) when there is no course id. The caller
 * ends the transaction either way. */
static enum err begin_on_course(struct http_resp *rs, struct store_conn *c, int64_t id, int *erased)
{
	int found = 0;
	*erased = 0;
	enum err e = store_begin(c);
	if (e != ERR_OK)
		return e;
	struct store_stmt *st =
	    store_prepare(c, "SELECT erased_ms IS NOT NULL FROM course_courses WHERE id = ?1");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, id);
	if (store_step(st) == STORE_ROW) {
		found = 1;
		*erased = store_col_int(st, 0) != 0;
	}
	store_finish(st);
	return found ? ERR_OK
		     : http_error_as(rs, ERR_NOTFOUND, "no_course", "その講座はありません。");
}

enum err api_course_session_add(struct http_req *rq, struct http_resp *rs)
{
	int64_t course = http_param_id(rq->params[0]), sid = 0, now = clock_now_ms();
	struct course_session_in s;
	char today[11], why[COURSE_WHY_MAX];
	json_t *body = NULL;
	int erased = 0;
	enum err e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	clock_jst_date(now, today, sizeof today);
	e = course_session_parse(body, today, 0, &s, why);
	json_decref(body);
	if (e != ERR_OK)
		return http_error_as(rs, ERR_INVALID, "bad_session", why);
	struct store_conn *c = store_acquire(rq->app->store);
	e = begin_on_course(rs, c, course, &erased);
	if (e == ERR_OK && erased)
		e = http_error_as(rs, ERR_CONFLICT, "course_erased",
				  "申込を消去した講座には回を足せません。新しい講座を作ってください。");
	if (e == ERR_OK)
		e = session_insert(c, course, &s, now, &sid);
	if (e == ERR_OK)
		e = course_audit(rq, c, "course.session_add", "course_session", sid, "");
	e = answer_course(rs, c, e, course, today, 201);
	store_release(c);
	return e;
}

/* Answers a change of session sid that ended in e (its transaction ended): 404 no_session,
 * 409 conflict with why, or, the mails of x woken, the course of the session (staff view) with
 * count under key. */
static enum err answer_session_change(struct http_req *rq, struct http_resp *rs,
				      const struct course_ctx *x, int64_t sid, enum err e,
				      const char *conflict, const char *why, const char *key,
				      size_t count)
{
	struct store_conn *c = x->c;
	char today[11];
	int64_t course = 0;
	json_t *o = NULL;
	if (e == ERR_NOTFOUND)
		return http_error_as(rs, e, "no_session", "その回はありません。");
	if (e == ERR_CONFLICT)
		return http_error_as(rs, e, conflict, why);
	if (e != ERR_OK)
		return e;
	if (x->mails && rq->app->mail)
		mail_sender_wake(rq->app->mail);
	clock_jst_date(clock_now_ms(), today, sizeof today);
	struct store_stmt *st =
	    store_prepare(c, "SELECT course_id FROM course_sessions WHERE id = ?1");
	if (st) {
		store_bind_int(st, 1, sid);
		if (store_step(st) == STORE_ROW)
			course = store_col_int(st, 0);
		store_finish(st);
	}
	e = course_object(c, course, 1, today, &o);
	if (e != ERR_OK)
		return e;
	json_object_set_new(o, key, json_integer((json_int_t)count));
	return http_json(rs, 200, o);
}

enum err api_course_session_update(struct http_req *rq, struct http_resp *rs)
{
	int64_t sid = http_param_id(rq->params[0]);
	struct course_session_in s;
	struct course_ctx x;
	char why[COURSE_WHY_MAX] = "";
	json_t *body = NULL;
	enum err e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	struct store_conn *c = store_acquire(rq->app->store);
	course_ctx_for(rq, c, &x);
	e = course_session_parse(body, x.today, 0, &s, why);
	json_decref(body);
	if (e != ERR_OK) {
		store_release(c);
		return http_error_as(rs, ERR_INVALID, "bad_session", why);
	}
	e = store_begin(c);
	if (e == ERR_OK)
		e = course_session_update(&x, sid, &s, why);
	if (e == ERR_OK)
		e = course_audit(rq, c, "course.session_update", "course_session", sid, "");
	if (e == ERR_OK)
		e = store_commit(c);
	else
		store_rollback(c);
	e = answer_session_change(rq, rs, &x, sid, e, "session_not_changed", why, "mails", x.mails);
	store_release(c);
	return e;
}

enum err api_course_session_cancel(struct http_req *rq, struct http_resp *rs)
{
	int64_t sid = http_param_id(rq->params[0]);
	struct course_ctx x;
	size_t told = 0;
	char detail[48];
	struct store_conn *c = store_acquire(rq->app->store);
	course_ctx_for(rq, c, &x);
	enum err e = store_begin(c);
	if (e == ERR_OK)
		e = course_session_cancel(&x, sid, &told);
	if (e == ERR_OK) {
		snprintf(detail, sizeof detail, "told=%zu", told);
		e = course_audit(rq, c, "course.session_cancel", "course_session", sid, detail);
	}
	if (e == ERR_OK)
		e = store_commit(c);
	else
		store_rollback(c);
	e = answer_session_change(rq, rs, &x, sid, e, "session_cancelled",
				  "この回はもう中止にしています。", "told", told);
	store_release(c);
	return e;
}

enum err api_course_update(struct http_req *rq, struct http_resp *rs)
{
	int64_t id = http_param_id(rq->params[0]), now = clock_now_ms();
	struct course_in *in = xcalloc(1, sizeof *in);
	char today[11], why[COURSE_WHY_MAX];
	json_t *body = NULL;
	int erased = 0;
	struct store_conn *c = NULL;
	enum err e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		goto out;
	json_t *open = json_object_get(body, "open");
	if (course_about_parse(body, in, why) != ERR_OK || !json_is_boolean(open)) {
		e = http_error_as(rs, ERR_INVALID, "bad_course",
				  why[0] ? why : "申込を受け付けるかどうか（open）を送ってください。");
		goto out;
	}
	clock_jst_date(now, today, sizeof today);
	c = store_acquire(rq->app->store);
	e = begin_on_course(rs, c, id, &erased);
	if (e == ERR_OK && erased && json_is_true(open))
		e = http_error_as(rs, ERR_CONFLICT, "course_erased",
				  "申込を消去した講座の受付は再開できません。新しい講座を作ってください。");
	if (e == ERR_OK) {
		struct store_stmt *st =
		    store_prepare(c, "UPDATE course_courses SET title = ?1, description = ?2, "
				     "contact = ?3, open = ?4, updated_ms = ?5 WHERE id = ?6");
		e = ERR_DB;
		if (st) {
			store_bind_text(st, 1, in->title);
			store_bind_text(st, 2, in->description);
			store_bind_text(st, 3, in->contact);
			store_bind_int(st, 4, json_is_true(open));
			store_bind_int(st, 5, now);
			store_bind_int(st, 6, id);
			e = store_run(st);
		}
		store_finish(st);
	}
	if (e == ERR_OK)
		e = course_audit(rq, c, "course.update", "course", id,
				 json_is_true(open) ? "open" : "closed");
	e = answer_course(rs, c, e, id, today, 200);
out:
	if (c)
		store_release(c);
	json_decref(body);
	free(in);
	return e;
}
