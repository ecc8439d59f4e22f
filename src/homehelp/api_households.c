/* SPDX-License-Identifier: MIT */
/* api_households.c — a household's registration on the benefit path (the contractor receives
 * and checks eligibility — 資格確認 — and the ward decides the use, 利用決定) and its record: the
 * form, the cap of 別表1・2 as it stands today with its use, the visits and the steps. */
#include "homehelp/api.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth/audit.h"
#include "base/clock.h"
#include "base/text.h"
#include "grant/checks.h"
#include "store/store.h"
#include "vault/vault.h"

static const char *const check_items[] = {"guardian", "children", "eligibility", NULL};
static const char *const check_labels[] = {"保護者・世帯", "お子さま・保育サービス",
					   "対象の要件（別表1・2）", NULL};

enum err homehelp_scope(struct http_req *rq, struct http_resp *rs)
{
	char service[32];
	struct store_conn *c = store_acquire(rq->app->store);
	int ok = grant_staff_service(c, rq->user.id, service, sizeof service) &&
		 strcmp(service, HOMEHELP_SERVICE) == 0;
	store_release(c);
	if (ok)
		return ERR_OK;
	return http_error_as(rs, ERR_FORBIDDEN, "not_this_service",
			     "このアカウントは、家事・育児支援事業の担当ではありません。");
}

enum err homehelp_audit(struct http_req *rq, struct store_conn *c, const char *action,
			const char *kind, int64_t id, const char *detail)
{
	char object[48];
	snprintf(object, sizeof object, "%s:%" PRId64, kind, id);
	return audit_append(c, rq->app->vault, rq->actor, action, object, detail);
}

/* The visits of household id, newest first (at most 200). */
static json_t *visits_json(struct store_conn *c, const struct vault *v, int64_t id)
{
	json_t *arr = json_array();
	struct store_stmt *st = store_prepare(
	    c, "SELECT x.id, x.state, x.on_date, x.start_min, x.end_min, x.kinds, x.minutes, "
	       "x.free_min, x.fee_yen, x.paid, x.follow_up, s.code, x.record FROM hh_visits x LEFT "
	       "JOIN hh_supporters s ON s.id = x.supporter_id WHERE x.household_id = ?1 ORDER BY "
	       "x.on_date DESC, x.start_min DESC LIMIT 200");
	if (!st)
		return arr;
	store_bind_int(st, 1, id);
	while (store_step(st) == STORE_ROW) {
		char s[16], e[16];
		int sm = (int)store_col_int(st, 3), em = (int)store_col_int(st, 4);
		snprintf(s, sizeof s, "%02d:%02d", sm / 60, sm % 60);
		snprintf(e, sizeof e, "%02d:%02d", em / 60, em % 60);
		json_t *rec = NULL;
		if (!store_col_is_null(st, 12)) {
			size_t n = 0;
			char *text = NULL;
			const void *b = store_col_blob(st, 12, &n);
			if (vault_unseal(v, "hh_visits.record", b, n, &text) == ERR_OK)
				rec = json_loads(text, 0, NULL);
			vault_wipe_free(text);
		}
		json_array_append_new(
		    arr, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:I, s:b, s:b, s:s?, s:o}",
				   "id", (json_int_t)store_col_int(st, 0), "state",
				   store_col_text(st, 1), "date", store_col_text(st, 2), "start", s,
				   "end", e, "kinds", store_col_text(st, 5), "minutes",
				   (int)store_col_int(st, 6), "free_min", (int)store_col_int(st, 7),
				   "fee_yen", (json_int_t)store_col_int(st, 8), "paid",
				   (int)store_col_int(st, 9), "follow_up", (int)store_col_int(st, 10),
				   "supporter",
				   store_col_is_null(st, 11) ? NULL : store_col_text(st, 11), "record",
				   rec ? rec : json_null()));
	}
	store_finish(st);
	return arr;
}

/* The steps of household id. */
static json_t *steps_json(struct store_conn *c, int64_t id, int approved)
{
	json_t *arr = json_array();
	struct store_stmt *st = store_prepare(
	    c, "SELECT s.from_state, s.to_state, s.at_ms, u.login FROM hh_steps s LEFT JOIN users u "
	       "ON u.id = s.user_id WHERE s.application_id = ?1 ORDER BY s.id");
	if (!st)
		return arr;
	store_bind_int(st, 1, id);
	while (store_step(st) == STORE_ROW) {
		char at[32];
		clock_jst_iso(store_col_int(st, 2), at, sizeof at);
		json_array_append_new(
		    arr, json_pack("{s:s, s:s, s:s, s:s, s:s?}", "from", store_col_text(st, 0), "to",
				   store_col_text(st, 1), "label",
				   homehelp_state_label((enum grant_state)grant_state_parse(
							 store_col_text(st, 1)),
						     approved),
				   "at", at, "by", store_col_is_null(st, 3) ? NULL : store_col_text(st, 3)));
	}
	store_finish(st);
	return arr;
}

enum err homehelp_household_object(struct http_req *rq, struct http_resp *rs,
				   struct store_conn *c, int64_t id, json_t **out)
{
	const struct vault *v = homehelp_vault(rq->app);
	struct hh_household h;
	struct hh_usage u;
	char today[11];
	*out = NULL;
	enum err e = homehelp_household_load(c, v, id, &h);
	if (e == ERR_NOTFOUND)
		return http_error_as(rs, e, "no_household", "その世帯はありません。");
	if (e != ERR_OK)
		return e;
	clock_jst_date(clock_now_ms(), today, sizeof today);
	e = homehelp_usage(c, &h, today, 0, &u);
	if (e == ERR_OK) {
		json_t *checks = json_array();
		for (int i = 0; check_items[i]; i++)
			json_array_append_new(checks, json_pack("{s:s, s:s, s:b}", "item",
								check_items[i], "label",
								check_labels[i], "checked",
								grant_checked(h.checks, check_items[i])));
		*out = json_pack(
		    "{s:I, s:s, s:s, s:s, s:o, s:s?, s:s?, s:s, s:s?, s:s?, s:o, s:o, s:o, s:o}", "id",
		    (json_int_t)h.id, "number", h.number, "state", grant_state_name(h.state),
		    "state_label", homehelp_state_label(h.state, h.approved), "form",
		    homehelp_form_json(&h.form), "fix_note", h.fix_note, "reason", h.reason,
		    "applied_on", h.applied_on, "starts_on", h.starts_on[0] ? h.starts_on : NULL,
		    "decided_on", h.decided_on[0] ? h.decided_on : NULL, "usage",
		    homehelp_usage_json(&u), "checks", checks, "visits", visits_json(c, v, id),
		    "steps", steps_json(c, id, h.approved));
	}
	homehelp_household_clear(&h);
	return e;
}

enum err api_hh_households(struct http_req *rq, struct http_resp *rs)
{
	const struct vault *v = homehelp_vault(rq->app);
	const char *state = http_query(rq, "state");
	json_t *list = json_array();
	enum err e = homehelp_scope(rq, rs);
	if (e != ERR_OK) {
		json_decref(list);
		return e;
	}
	struct store_conn *c = store_acquire(rq->app->store);
	struct store_stmt *st = store_prepare(
	    c, "SELECT id, number, state, decision, form, applied_on FROM hh_households WHERE (?1 = "
	       "'' OR state = ?1) ORDER BY number LIMIT 3000");
	e = ERR_DB;
	if (st) {
		store_bind_text(st, 1, state ? state : "");
		while (store_step(st) == STORE_ROW) {
			size_t n = 0;
			char *form = NULL;
			const void *b = store_col_blob(st, 4, &n);
			if (vault_unseal(v, "hh_households.form", b, n, &form) != ERR_OK)
				continue;
			json_t *f = json_loads(form, 0, NULL);
			vault_wipe_free(form);
			int approved = !store_col_is_null(st, 3) &&
				       strcmp(store_col_text(st, 3), "approved") == 0;
			json_array_append_new(
			    list,
			    json_pack("{s:I, s:s, s:s, s:s, s:O?, s:I, s:s}", "id",
				      (json_int_t)store_col_int(st, 0), "number", store_col_text(st, 1),
				      "state", store_col_text(st, 2), "state_label",
				      homehelp_state_label((enum grant_state)grant_state_parse(
							    store_col_text(st, 2)),
							approved),
				      "guardian", json_object_get(f, "guardian"), "children",
				      (json_int_t)json_array_size(json_object_get(f, "children")),
				      "applied_on", store_col_text(st, 5)));
			json_decref(f);
		}
		store_finish(st);
		e = homehelp_audit(rq, c, "homehelp.list", "homehelp", 0, state ? state : "");
	}
	store_release(c);
	if (e != ERR_OK) {
		json_decref(list);
		return e;
	}
	return http_json(rs, 200, json_pack("{s:o}", "households", list));
}

/* Answers 200/201 with the household. */
static enum err answer(struct http_req *rq, struct http_resp *rs, struct store_conn *c,
		       int64_t id, unsigned status)
{
	json_t *o = NULL;
	enum err e = homehelp_household_object(rq, rs, c, id, &o);
	if (e != ERR_OK)
		return e;
	return http_json(rs, status, json_pack("{s:o}", "household", o));
}

enum err api_hh_household_add(struct http_req *rq, struct http_resp *rs)
{
	struct hh_form f;
	char today[11], why[HOMEHELP_WHY_MAX], number[16];
	int64_t id = 0, now = clock_now_ms();
	json_t *body = NULL;
	enum err e = homehelp_scope(rq, rs);
	if (e == ERR_OK)
		e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	clock_jst_date(now, today, sizeof today);
	e = homehelp_form_parse(body, today, &f, why);
	json_decref(body);
	if (e != ERR_OK) {
		homehelp_form_clear(&f);
		return http_error_as(rs, ERR_INVALID, "bad_form", why);
	}
	struct store_conn *c = store_acquire(rq->app->store);
	e = store_begin(c);
	if (e == ERR_OK)
		e = homehelp_household_create(c, homehelp_vault(rq->app), &f, rq->user.id, now, &id,
					      number);
	if (e == ERR_OK)
		e = homehelp_audit(rq, c, "homehelp.register", "hh_household", id, "");
	if (e == ERR_OK)
		e = store_commit(c);
	else
		store_rollback(c);
	if (e == ERR_OK)
		e = answer(rq, rs, c, id, 201);
	store_release(c);
	homehelp_form_clear(&f);
	return e;
}

enum err api_hh_household(struct http_req *rq, struct http_resp *rs)
{
	int64_t id = http_param_id(rq->params[0]);
	enum err e = homehelp_scope(rq, rs);
	if (e != ERR_OK)
		return e;
	struct store_conn *c = store_acquire(rq->app->store);
	e = homehelp_audit(rq, c, "homehelp.read", "hh_household", id, "");
	if (e == ERR_OK)
		e = answer(rq, rs, c, id, 200);
	store_release(c);
	return e;
}

enum err api_hh_household_update(struct http_req *rq, struct http_resp *rs)
{
	struct hh_form f = {0};
	char today[11], why[HOMEHELP_WHY_MAX];
	int64_t id = http_param_id(rq->params[0]), now = clock_now_ms();
	json_t *body = NULL;
	struct hh_household h;
	int loaded = 0;
	enum err e = homehelp_scope(rq, rs);
	if (e == ERR_OK)
		e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	clock_jst_date(now, today, sizeof today);
	if (homehelp_form_parse(body, today, &f, why) != ERR_OK) {
		json_decref(body);
		homehelp_form_clear(&f);
		return http_error_as(rs, ERR_INVALID, "bad_form", why);
	}
	json_decref(body);
	struct store_conn *c = store_acquire(rq->app->store);
	e = store_begin(c);
	if (e == ERR_OK) {
		e = homehelp_household_load(c, homehelp_vault(rq->app), id, &h);
		loaded = e == ERR_OK;
	}
	if (e == ERR_NOTFOUND)
		e = http_error_as(rs, e, "no_household", "その世帯はありません。");
	/* a household's details change over time (a birth, childcare starting, a move): the
	 * contractor keeps them current in any state but a rejected one */
	if (e == ERR_OK && (h.state == GRANT_REJECTED || (h.state == GRANT_NOTIFIED && !h.approved)))
		e = http_error_as(rs, ERR_CONFLICT, "wrong_state",
				  "利用しないと決まった世帯の内容は変えられません。");
	if (e == ERR_OK)
		e = homehelp_household_replace(c, homehelp_vault(rq->app), id, &f, now);
	if (e == ERR_OK)
		e = homehelp_audit(rq, c, "homehelp.update", "hh_household", id, "");
	if (e == ERR_OK)
		e = store_commit(c);
	if (store_in_tx(c))
		store_rollback(c);
	if (loaded)
		homehelp_household_clear(&h);
	if (e == ERR_OK)
		e = answer(rq, rs, c, id, 200);
	store_release(c);
	homehelp_form_clear(&f);
	return e;
}

enum err api_hh_household_check(struct http_req *rq, struct http_resp *rs)
{
	int64_t id = http_param_id(rq->params[0]);
	json_t *body = NULL;
	struct hh_household h;
	int loaded = 0, k = -1;
	enum err e = homehelp_scope(rq, rs);
	if (e == ERR_OK)
		e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	const char *item = json_string_value(json_object_get(body, "item"));
	int on = json_is_true(json_object_get(body, "checked"));
	k = grant_check_index(check_items, item);
	if (k < 0) {
		json_decref(body);
		return http_error_as(rs, ERR_INVALID, "bad_item", "確認する項目が正しくありません。");
	}
	struct store_conn *c = store_acquire(rq->app->store);
	e = store_begin(c);
	if (e == ERR_OK) {
		e = homehelp_household_load(c, homehelp_vault(rq->app), id, &h);
		loaded = e == ERR_OK;
	}
	if (e == ERR_NOTFOUND)
		e = http_error_as(rs, e, "no_household", "その世帯はありません。");
	if (e == ERR_OK && h.state != GRANT_SUBMITTED)
		e = http_error_as(rs, ERR_CONFLICT, "wrong_state", "受付中の世帯だけ確認できます。");
	if (e == ERR_OK) {
		char list[128];
		grant_checks_set(h.checks, check_items, k, on, list, sizeof list);
		struct store_stmt *st =
		    store_prepare(c, "UPDATE hh_households SET checks = ?1 WHERE id = ?2");
		e = ERR_DB;
		if (st) {
			store_bind_text(st, 1, list);
			store_bind_int(st, 2, id);
			e = store_run(st);
			store_finish(st);
		}
	}
	if (e == ERR_OK)
		e = homehelp_audit(rq, c, on ? "homehelp.check" : "homehelp.uncheck", "hh_household",
				   id, item);
	if (e == ERR_OK)
		e = store_commit(c);
	if (store_in_tx(c))
		store_rollback(c);
	if (loaded)
		homehelp_household_clear(&h);
	if (e == ERR_OK)
		e = answer(rq, rs, c, id, 200);
	store_release(c);
	json_decref(body);
	return e;
}

/* Moves household id to `to` for the caller: note sealed in the step; fn (may be NULL) runs in
 * the same transaction after the state check. */
static enum err move(struct http_req *rq, struct http_resp *rs, int64_t id, enum grant_state to,
		     const char *note, const char *action,
		     enum err (*fn)(struct http_req *rq, struct http_resp *rs, struct store_conn *c,
				    struct hh_household *h, json_t *body),
		     json_t *body)
{
	struct hh_household h;
	int loaded = 0;
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = store_begin(c);
	if (e == ERR_OK) {
		e = homehelp_household_load(c, homehelp_vault(rq->app), id, &h);
		loaded = e == ERR_OK;
	}
	if (e == ERR_NOTFOUND)
		e = http_error_as(rs, e, "no_household", "その世帯はありません。");
	if (e == ERR_OK && !grant_move_allowed(h.state, to, rq->role)) {
		char msg[256];
		snprintf(msg, sizeof msg, "この世帯は「%s」なので、その操作はできません。",
			 homehelp_state_label(h.state, h.approved));
		e = http_error_as(rs, ERR_CONFLICT, "wrong_state", msg);
	}
	if (e == ERR_OK && fn)
		e = fn(rq, rs, c, &h, body);
	if (e == ERR_OK)
		e = grant_step(c, homehelp_vault(rq->app), &homehelp_tables, id, h.state, to,
			       rq->user.id, note, clock_now_ms());
	if (e == ERR_CONFLICT && !rs->error)
		e = http_error_as(rs, e, "moved", "ほかの人が先にこの世帯を進めました。");
	if (e == ERR_OK)
		e = homehelp_audit(rq, c, action, "hh_household", id, grant_state_name(to));
	if (e == ERR_OK)
		e = store_commit(c);
	if (store_in_tx(c))
		store_rollback(c);
	if (loaded)
		homehelp_household_clear(&h);
	if (e == ERR_OK)
		e = answer(rq, rs, c, id, 200);
	store_release(c);
	return e;
}

/* A note of body[key] (lines, at most 2000 bytes), or NULL. */
static const char *note_of(json_t *body, const char *key)
{
	const char *s = json_string_value(json_object_get(body, key));
	return text_note_ok(s, 2000) ? s : NULL;
}

static enum err set_fix_note(struct http_req *rq, struct http_resp *rs, struct store_conn *c,
			     struct hh_household *h, json_t *body)
{
	(void)rs;
	/* held: its checks are made again from the start once it is received again */
	struct store_stmt *st =
	    store_prepare(c, "UPDATE hh_households SET fix_note = ?1, checks = '' WHERE id = ?2");
	if (!st)
		return ERR_DB;
	vault_bind_sealed(homehelp_vault(rq->app), st, 1, "hh_households.fix_note",
			  note_of(body, "note"));
	store_bind_int(st, 2, h->id);
	enum err e = store_run(st);
	store_finish(st);
	return e;
}

enum err api_hh_household_return(struct http_req *rq, struct http_resp *rs)
{
	json_t *body = NULL;
	enum err e = homehelp_scope(rq, rs);
	if (e == ERR_OK)
		e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	if (!note_of(body, "note"))
		e = http_error_as(rs, ERR_INVALID, "no_note", "確かめてほしいことを書いてください。");
	else
		e = move(rq, rs, http_param_id(rq->params[0]), GRANT_RETURNED, note_of(body, "note"),
			 "homehelp.return", set_fix_note, body);
	json_decref(body);
	return e;
}

static enum err all_checked(struct http_req *rq, struct http_resp *rs, struct store_conn *c,
			    struct hh_household *h, json_t *body)
{
	char msg[200];
	int i = grant_checks_missing(h->checks, check_items);
	(void)rq;
	(void)c;
	(void)body;
	if (i < 0)
		return ERR_OK;
	snprintf(msg, sizeof msg, "「%s」がまだ確認済みではありません。", check_labels[i]);
	return http_error_as(rs, ERR_CONFLICT, "unchecked", msg);
}

enum err api_hh_household_screen(struct http_req *rq, struct http_resp *rs)
{
	enum err e = homehelp_scope(rq, rs);
	if (e != ERR_OK)
		return e;
	/* a returned household is checked again from the start */
	int64_t id = http_param_id(rq->params[0]);
	return move(rq, rs, id, GRANT_SCREENED, NULL, "homehelp.screen", all_checked, NULL);
}

/* The decision: the day the service starts (default today), or a reason. */
static enum err decided(struct http_req *rq, struct http_resp *rs, struct store_conn *c,
			struct hh_household *h, json_t *body)
{
	const char *d = json_string_value(json_object_get(body, "decision"));
	const char *start = json_string_value(json_object_get(body, "starts_on"));
	int approve = d && strcmp(d, "approve") == 0;
	char today[11], starts[11];
	clock_jst_date(clock_now_ms(), today, sizeof today);
	snprintf(starts, sizeof starts, "%s", start && *start ? start : today);
	if (approve && clock_day_parse(starts, NULL, NULL) != 0)
		return http_error_as(rs, ERR_INVALID, "bad_date", "利用開始日を年-月-日で入力してください。");
	if (approve) {
		struct hh_child kids[HOMEHELP_CHILDREN_MAX];
		struct hh_cap cap;
		size_t n = homehelp_form_kids(&h->form, starts, kids);
		if (!homehelp_cap(kids, n, h->form.pregnant_multiple, starts, starts, &cap))
			return http_error_as(rs, ERR_CONFLICT, "not_eligible",
					     "利用開始日に、別表1・2のどの要件にも当たりません（3歳未満の"
					     "お子さま、保育要件、多胎）。");
	}
	struct store_stmt *st = store_prepare(
	    c, "UPDATE hh_households SET decision = ?1, starts_on = ?2, decided_on = ?3, decided_by "
	       "= ?4, reason = ?5 WHERE id = ?6");
	if (!st)
		return ERR_DB;
	store_bind_text(st, 1, approve ? "approved" : "rejected");
	if (approve)
		store_bind_text(st, 2, starts);
	else
		store_bind_null(st, 2);
	store_bind_text(st, 3, today);
	store_bind_int(st, 4, rq->user.id);
	if (!approve)
		vault_bind_sealed(homehelp_vault(rq->app), st, 5, "hh_households.reason",
				  note_of(body, "reason"));
	else
		store_bind_null(st, 5);
	store_bind_int(st, 6, h->id);
	enum err e = store_run(st);
	store_finish(st);
	return e;
}

enum err api_hh_household_decide(struct http_req *rq, struct http_resp *rs)
{
	json_t *body = NULL;
	enum err e = homehelp_scope(rq, rs);
	if (e == ERR_OK)
		e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	const char *d = json_string_value(json_object_get(body, "decision"));
	int64_t id = http_param_id(rq->params[0]);
	if (d && strcmp(d, "approve") == 0)
		e = move(rq, rs, id, GRANT_APPROVED, NULL, "homehelp.approve", decided, body);
	else if (d && strcmp(d, "reject") == 0 && note_of(body, "reason"))
		e = move(rq, rs, id, GRANT_REJECTED, note_of(body, "reason"), "homehelp.reject",
			 decided, body);
	else
		e = http_error_as(rs, ERR_INVALID, "bad_decision",
				  "「利用決定（approve）」か、理由をつけて「却下（reject）」を選んで"
				  "ください。");
	json_decref(body);
	return e;
}

enum err api_hh_household_notify(struct http_req *rq, struct http_resp *rs)
{
	enum err e = homehelp_scope(rq, rs);
	if (e != ERR_OK)
		return e;
	return move(rq, rs, http_param_id(rq->params[0]), GRANT_NOTIFIED, NULL, "homehelp.notify",
		    NULL, NULL);
}

enum err api_hh_household_resubmit(struct http_req *rq, struct http_resp *rs)
{
	enum err e = homehelp_scope(rq, rs);
	if (e != ERR_OK)
		return e;
	return move(rq, rs, http_param_id(rq->params[0]), GRANT_SUBMITTED, NULL,
		    "homehelp.resubmit", NULL, NULL);
}
