/* SPDX-License-Identifier: MIT */
/* api_public.c — the public side of course sign-up (no account): the courses open for sign-up
 * with their sessions and places left, a sign-up (a confirmation mail with the person's link),
 * and by that link's token the person's own sign-up and its cancellation (the freed place goes
 * to the first waiting). */
#include "course/api.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "base/clock.h"
#include "mail/mail.h"
#include "store/store.h"
#include "vault/vault.h"

enum err api_course_open(struct http_req *rq, struct http_resp *rs)
{
	char today[11];
	json_t *list = NULL;
	clock_jst_date(clock_now_ms(), today, sizeof today);
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = course_objects(
	    c,
	    "SELECT c.id FROM course_courses c WHERE c.open = 1 AND c.erased_ms IS NULL AND EXISTS "
	    "(SELECT 1 FROM course_sessions s WHERE s.course_id = c.id AND s.state = 'open' AND "
	    "s.on_date >= ?1) ORDER BY c.id LIMIT 200",
	    1, 0, today, &list);
	store_release(c);
	if (e != ERR_OK)
		return e;
	return http_json(rs, 200, json_pack("{s:o}", "courses", list));
}

/* The person's sign-up id as JSON for their own page: the course, their items, each choice
 * and where it stands. */
static enum err mine_json(struct course_ctx *x, int64_t id, json_t **out)
{
	struct course_person p;
	int64_t course = 0, cancelled = 0;
	char age[32];
	json_t *choices = json_array(), *co = NULL;
	enum err e = course_signup_person(x, id, &p, &course);
	if (e != ERR_OK) {
		json_decref(choices);
		return e;
	}
	struct store_stmt *st = store_prepare(
	    x->c, "SELECT e.id, e.pref, e.state, s.on_date, s.start_min, s.end_min, s.place, "
		  "s.state, (SELECT cancelled_ms FROM course_signups WHERE id = ?1) FROM "
		  "course_entries e JOIN course_sessions s ON s.id = e.session_id WHERE e.signup_id "
		  "= ?1 ORDER BY e.pref");
	int64_t entries[COURSE_CHOICES_MAX];
	size_t n = 0;
	if (!st)
		e = ERR_DB;
	else
		store_bind_int(st, 1, id);
	while (st && n < COURSE_CHOICES_MAX && store_step(st) == STORE_ROW) {
		char label[96];
		course_when_label(store_col_text(st, 3), (int)store_col_int(st, 4),
				  (int)store_col_int(st, 5), label, sizeof label);
		entries[n++] = store_col_int(st, 0);
		cancelled = store_col_is_null(st, 8) ? 0 : 1;
		json_array_append_new(
		    choices, json_pack("{s:I, s:s, s:s, s:s, s:s}", "pref",
				       (json_int_t)store_col_int(st, 1), "state", store_col_text(st, 2),
				       "label", label, "place", store_col_text(st, 6),
				       "session_state", store_col_text(st, 7)));
	}
	store_finish(st);
	for (size_t k = 0; k < n; k++)
		json_object_set_new(json_array_get(choices, k), "position",
				    json_integer(course_wait_position(x->c, entries[k])));
	if (e == ERR_OK)
		e = course_object(x->c, course, 0, x->today, &co);
	if (e == ERR_OK) {
		course_age_label(p.child_age, age, sizeof age);
		*out = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:o, s:o}", "title",
				 json_string_value(json_object_get(co, "title")), "contact",
				 json_string_value(json_object_get(co, "contact")), "name", p.name,
				 "email", p.email, "age_label", age, "cancelled", cancelled != 0,
				 "choices", choices, "course", co);
		choices = NULL;
	}
	json_decref(choices);
	course_person_clear(&p);
	return e;
}

/* Answers error e of a sign-up with why (a Japanese sentence). */
static enum err refuse(struct http_resp *rs, enum err e, const char *why)
{
	switch (e) {
	case ERR_INVALID:
		return http_error_as(rs, e, "bad_signup", why);
	case ERR_NOTFOUND:
		return http_error_as(rs, e, "no_course", why[0] ? why : "その講座はありません。");
	case ERR_CONFLICT:
		return http_error_as(rs, e, "not_open", why);
	default:
		return e;
	}
}

enum err api_course_signup(struct http_req *rq, struct http_resp *rs)
{
	struct course_signup_form f;
	struct course_ctx x;
	char why[COURSE_WHY_MAX] = "", token[65] = "";
	int64_t id = 0;
	json_t *body = NULL, *o = NULL;
	enum err e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	e = course_signup_parse(body, &f, why);
	json_decref(body);
	if (e != ERR_OK) {
		course_person_clear(&f.person);
		return http_error_as(rs, ERR_INVALID, "bad_signup", why);
	}
	struct store_conn *c = store_acquire(rq->app->store);
	course_ctx_for(rq, c, &x);
	e = store_begin(c);
	if (e == ERR_OK)
		e = course_signup_create(&x, &f, &id, token, why);
	if (e == ERR_OK)
		e = course_audit(rq, c, "course.signup", "course_signup", id, "web");
	if (e == ERR_OK)
		e = store_commit(c);
	else
		store_rollback(c);
	if (e == ERR_OK) {
		if (rq->app->mail)
			mail_sender_wake(rq->app->mail);
		e = mine_json(&x, id, &o);
	}
	if (e == ERR_OK) {
		json_object_set_new(o, "token", json_string(token));
		e = http_json(rs, 201, o);
	} else {
		e = refuse(rs, e, why);
	}
	store_release(c);
	course_person_clear(&f.person);
	return e;
}

/* Finds the caller's sign-up by X-Signup-Token, or answers 404 link_invalid. */
static enum err by_link(struct http_req *rq, struct http_resp *rs, struct store_conn *c,
			int64_t *id)
{
	enum err e = course_signup_by_token(c, course_vault(rq->app),
					    http_header(rq, "X-Signup-Token"), id);
	if (e == ERR_NOTFOUND)
		return http_error_as(rs, e, "link_invalid",
				     "このリンクの申込が見つかりません。メールのリンクをもう一度開いて"
				     "ください（講座が終わった申込は消去しています）。");
	return e;
}

/* Cancels sign-up id by its link (audited; the mails woken), or answers 409
 * already_cancelled. */
static enum err cancel_by_link(struct http_req *rq, struct http_resp *rs, struct course_ctx *x,
			       int64_t id)
{
	enum err e = store_begin(x->c);
	if (e == ERR_OK)
		e = course_signup_cancel(x, id);
	if (e == ERR_OK)
		e = course_audit(rq, x->c, "course.cancel", "course_signup", id, "link");
	if (e == ERR_OK)
		e = store_commit(x->c);
	else
		store_rollback(x->c);
	if (e == ERR_CONFLICT)
		return http_error_as(rs, e, "already_cancelled",
				     "この申込はもうキャンセルしています。");
	if (e == ERR_OK && rq->app->mail)
		mail_sender_wake(rq->app->mail);
	return e;
}

/* Answers the caller's own sign-up by their link, cancelled first when cancel. */
static enum err mine(struct http_req *rq, struct http_resp *rs, int cancel)
{
	struct course_ctx x;
	int64_t id = 0;
	json_t *o = NULL;
	struct store_conn *c = store_acquire(rq->app->store);
	course_ctx_for(rq, c, &x);
	enum err e = by_link(rq, rs, c, &id);
	if (e == ERR_OK && cancel)
		e = cancel_by_link(rq, rs, &x, id);
	if (e == ERR_OK)
		e = mine_json(&x, id, &o);
	store_release(c);
	return e == ERR_OK ? http_json(rs, 200, o) : e;
}

enum err api_course_mine(struct http_req *rq, struct http_resp *rs)
{
	return mine(rq, rs, 0);
}

enum err api_course_mine_cancel(struct http_req *rq, struct http_resp *rs)
{
	return mine(rq, rs, 1);
}
