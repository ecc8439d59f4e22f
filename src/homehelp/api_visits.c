/* SPDX-License-Identifier: MIT */
/* api_visits.c — a visit's life: asked for (利用申込: a day and hours, at least 2, within what
 * the household's cap leaves in the stage), dispatched to a supporter, done with its record
 * (what was done, how the parent and child were, anything of concern — flagged for the public
 * health nurse), its fee (the 14 free hours of a 0-year-old without childcare first) and
 * whether it was paid; and the ward's list of follow-ups. Babysitting is never a kind. */
#include "homehelp/api.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "base/clock.h"
#include "base/text.h"
#include "store/store.h"
#include "vault/vault.h"

/* The kinds of support (seed 001 3 提供する家事支援), ベビーシッターを除く. */
static const char *const kinds[] = {"meal", "cleaning", "laundry", "childcare", "hospital",
				    "other", NULL};

/* Reads body["kinds"], an array of the kinds, into out (comma-joined, in their order). 0, or
 * -1 for none, an unknown one or one given twice. */
static int kinds_of(json_t *body, char *out, size_t n)
{
	json_t *arr = json_object_get(body, "kinds"), *k;
	unsigned seen = 0;
	size_t i;
	out[0] = '\0';
	if (!json_is_array(arr) || json_array_size(arr) == 0)
		return -1;
	json_array_foreach(arr, i, k)
	{
		int found = -1;
		for (int j = 0; kinds[j] && json_is_string(k); j++)
			if (strcmp(json_string_value(k), kinds[j]) == 0)
				found = j;
		if (found < 0 || (seen & (1u << found)))
			return -1;
		seen |= 1u << found;
	}
	for (int j = 0; kinds[j]; j++)
		if (seen & (1u << j))
			snprintf(out + strlen(out), n - strlen(out), "%s%s", out[0] ? "," : "",
				 kinds[j]);
	return 0;
}

/* Reads HH:MM times start and end of body into minutes; an end at or before the start is on
 * the next day. Returns the length in minutes, or -1. */
static int times_of(json_t *body, int *start, int *end)
{
	const char *s = json_string_value(json_object_get(body, "start"));
	const char *e = json_string_value(json_object_get(body, "end"));
	*start = s ? clock_hhmm_minutes(s) : -1;
	*end = e ? clock_hhmm_minutes(e) : -1;
	if (*start < 0 || *end < 0 || *start == *end)
		return -1;
	return *end > *start ? *end - *start : *end + 1440 - *start;
}

/* The household and state of visit id. */
static enum err visit_of(struct store_conn *c, int64_t id, int64_t *household, char state[16],
			 char date[11])
{
	enum err e = ERR_NOTFOUND;
	struct store_stmt *st =
	    store_prepare(c, "SELECT household_id, state, on_date FROM hh_visits WHERE id = ?1");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, id);
	if (store_step(st) == STORE_ROW) {
		*household = store_col_int(st, 0);
		snprintf(state, 16, "%s", store_col_text(st, 1));
		snprintf(date, 11, "%s", store_col_text(st, 2));
		e = ERR_OK;
	}
	store_finish(st);
	return e;
}

/* Answers with the household of the visit. */
static enum err answer(struct http_req *rq, struct http_resp *rs, struct store_conn *c,
		       int64_t household, int64_t visit, unsigned status)
{
	json_t *o = NULL;
	enum err e = homehelp_household_object(rq, rs, c, household, &o);
	if (e != ERR_OK)
		return e;
	return http_json(rs, status, json_pack("{s:I, s:o}", "visit", (json_int_t)visit,
					       "household", o));
}

/* The answer when the cap does not hold minutes more. */
static enum err over_cap(struct http_resp *rs, const struct hh_usage *u, int minutes)
{
	char msg[320];
	if (!u->eligible)
		return http_error_as(rs, ERR_CONFLICT, "not_eligible",
				     "その日は、別表1・2のどの要件にも当たりません（お子さまの年齢・"
				     "保育サービスの利用）。");
	snprintf(msg, sizeof msg,
		 "上限を超えます（%s：上限%d時間、%s〜%sに使った・予約した時間 %d時間%02d分、残り"
		 "%d時間%02d分、今回 %d時間%02d分）。",
		 u->cap.row->label, u->cap.hours, u->cap.stage_from, u->cap.stage_to,
		 u->used_min / 60, u->used_min % 60, u->remaining_min / 60, u->remaining_min % 60,
		 minutes / 60, minutes % 60);
	return http_error_as(rs, ERR_CONFLICT, "over_cap", msg);
}

enum err api_hh_visit_add(struct http_req *rq, struct http_resp *rs)
{
	int64_t household = http_param_id(rq->params[0]), id = 0, now = clock_now_ms();
	json_t *body = NULL;
	struct hh_household h;
	struct hh_usage u;
	char ks[128];
	int start, end, loaded = 0;
	enum err e = homehelp_scope(rq, rs);
	if (e == ERR_OK)
		e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	const char *date = json_string_value(json_object_get(body, "date"));
	int len = times_of(body, &start, &end);
	struct store_conn *c = store_acquire(rq->app->store);
	if (!date || clock_day_parse(date, NULL, NULL) != 0 || len < 0) {
		e = http_error_as(rs, ERR_INVALID, "bad_visit",
				  "利用日（年-月-日）と開始・終了の時刻（18:00 のように）を入力して"
				  "ください。");
		goto out;
	}
	if (len < HOMEHELP_MIN_VISIT) {
		e = http_error_as(rs, ERR_INVALID, "too_short", "利用は1回あたり2時間以上です。");
		goto out;
	}
	if (kinds_of(body, ks, sizeof ks) != 0) {
		e = http_error_as(rs, ERR_INVALID, "bad_kinds",
				  "支援の内容を選んでください（食事提供・清掃・洗濯・子どもの世話の介助"
				  "・通院介助・その他。ベビーシッターは対象外です）。");
		goto out;
	}
	e = store_begin(c);
	if (e == ERR_OK) {
		e = homehelp_household_load(c, homehelp_vault(rq->app), household, &h);
		loaded = e == ERR_OK;
	}
	if (e == ERR_NOTFOUND) {
		e = http_error_as(rs, e, "no_household", "その世帯はありません。");
		goto out;
	}
	if (e == ERR_OK && (h.state != GRANT_NOTIFIED || !h.approved)) {
		e = http_error_as(rs, ERR_CONFLICT, "not_registered",
				  "利用が決定し通知した世帯だけが利用できます。");
		goto out;
	}
	if (e == ERR_OK && strcmp(date, h.starts_on) < 0) {
		e = http_error_as(rs, ERR_CONFLICT, "before_start", "利用開始日より前の日です。");
		goto out;
	}
	if (e == ERR_OK)
		e = homehelp_usage(c, &h, date, 0, &u);
	if (e == ERR_OK && (!u.eligible || u.remaining_min < len)) {
		e = over_cap(rs, &u, len);
		goto out;
	}
	struct store_stmt *st =
	    e == ERR_OK ? store_prepare(c, "INSERT INTO hh_visits (household_id, state, on_date, "
					   "start_min, end_min, kinds, requested_ms, updated_ms) "
					   "VALUES (?1, 'requested', ?2, ?3, ?4, ?5, ?6, ?6)")
			: NULL;
	if (e == ERR_OK && !st)
		e = ERR_DB;
	if (st) {
		store_bind_int(st, 1, household);
		store_bind_text(st, 2, date);
		store_bind_int(st, 3, start);
		store_bind_int(st, 4, end);
		store_bind_text(st, 5, ks);
		store_bind_int(st, 6, now);
		e = store_run(st);
		id = store_last_id(c);
		store_finish(st);
	}
	if (e == ERR_OK)
		e = homehelp_audit(rq, c, "homehelp.visit_request", "hh_visit", id, "");
	if (e == ERR_OK)
		e = store_commit(c);
out:
	if (store_in_tx(c))
		store_rollback(c);
	if (loaded)
		homehelp_household_clear(&h);
	if (e == ERR_OK)
		e = answer(rq, rs, c, household, id, 201);
	store_release(c);
	json_decref(body);
	return e;
}

/* Moves visit id from `from` to `to` with the extra assignments of fn. */
static enum err visit_move(struct http_req *rq, struct http_resp *rs, const char *from1,
			   const char *from2, const char *to, const char *action,
			   enum err (*fn)(struct http_req *rq, struct http_resp *rs,
					  struct store_conn *c, int64_t id, int64_t household,
					  const char *date, json_t *body),
			   json_t *body)
{
	int64_t id = http_param_id(rq->params[0]), household = 0;
	char state[16], date[11];
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = store_begin(c);
	if (e == ERR_OK)
		e = visit_of(c, id, &household, state, date);
	if (e == ERR_NOTFOUND)
		e = http_error_as(rs, e, "no_visit", "その支援はありません。");
	if (e == ERR_OK && strcmp(state, from1) != 0 && (!from2 || strcmp(state, from2) != 0))
		e = http_error_as(rs, ERR_CONFLICT, "wrong_state",
				  "この支援の今の状態では、その操作はできません。");
	if (e == ERR_OK && fn)
		e = fn(rq, rs, c, id, household, date, body);
	if (e == ERR_OK && to) {
		struct store_stmt *st = store_prepare(
		    c, "UPDATE hh_visits SET state = ?1, updated_ms = ?2 WHERE id = ?3 AND state = ?4");
		e = ERR_DB;
		if (st) {
			store_bind_text(st, 1, to);
			store_bind_int(st, 2, clock_now_ms());
			store_bind_int(st, 3, id);
			store_bind_text(st, 4, state);
			e = store_run(st);
			store_finish(st);
			if (e == ERR_OK && store_changes(c) != 1)
				e = http_error_as(rs, ERR_CONFLICT, "moved",
						  "ほかの人が先にこの支援を進めました。");
		}
	}
	if (e == ERR_OK)
		e = homehelp_audit(rq, c, action, "hh_visit", id, to ? to : "");
	if (e == ERR_OK)
		e = store_commit(c);
	if (store_in_tx(c))
		store_rollback(c);
	if (e == ERR_OK)
		e = answer(rq, rs, c, household, id, 200);
	store_release(c);
	return e;
}

static enum err dispatch_fn(struct http_req *rq, struct http_resp *rs, struct store_conn *c,
			    int64_t id, int64_t household, const char *date, json_t *body)
{
	(void)rq;
	(void)household;
	(void)date;
	json_t *s = json_object_get(body, "supporter_id");
	int ok = 0;
	struct store_stmt *st =
	    store_prepare(c, "SELECT active FROM hh_supporters WHERE id = ?1");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, json_is_integer(s) ? json_integer_value(s) : 0);
	ok = store_step(st) == STORE_ROW && store_col_int(st, 0) == 1;
	store_finish(st);
	if (!ok)
		return http_error_as(rs, ERR_INVALID, "bad_supporter",
				     "活動中のサポーターを選んでください。");
	st = store_prepare(c, "UPDATE hh_visits SET supporter_id = ?1 WHERE id = ?2");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, json_integer_value(s));
	store_bind_int(st, 2, id);
	enum err e = store_run(st);
	store_finish(st);
	return e;
}

enum err api_hh_visit_dispatch(struct http_req *rq, struct http_resp *rs)
{
	json_t *body = NULL;
	enum err e = homehelp_scope(rq, rs);
	if (e == ERR_OK)
		e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	e = visit_move(rq, rs, "requested", "dispatched", "dispatched", "homehelp.dispatch",
		       dispatch_fn, body);
	json_decref(body);
	return e;
}

/* The record of a visit: times as they were, what was done, the record sealed, the fee. */
static enum err done_fn(struct http_req *rq, struct http_resp *rs, struct store_conn *c,
			int64_t id, int64_t household, const char *date, json_t *body)
{
	struct hh_household h;
	struct hh_usage u;
	struct homehelp_settings cfg;
	char ks[128];
	int start, end, len = times_of(body, &start, &end);
	const char *seen = json_string_value(json_object_get(body, "observations"));
	const char *concern = json_string_value(json_object_get(body, "concerns"));
	if (len < 0)
		return http_error_as(rs, ERR_INVALID, "bad_visit",
				     "実際の開始・終了の時刻を入力してください。");
	if (len < HOMEHELP_MIN_VISIT)
		return http_error_as(rs, ERR_INVALID, "too_short", "利用は1回あたり2時間以上です。");
	if (kinds_of(body, ks, sizeof ks) != 0)
		return http_error_as(rs, ERR_INVALID, "bad_kinds", "行った支援の内容を選んでください。");
	if (!seen || !*seen || strlen(seen) > 4000 || (concern && strlen(concern) > 4000))
		return http_error_as(rs, ERR_INVALID, "bad_record",
				     "支援時の保護者や児童の様子を書いてください（4000バイトまで）。");
	/* Done is a record of what happened: a day still to come would use up the household's
	 * hours and tell the ward's nurse of a visit that has not been made. */
	char today[16];
	clock_jst_date(clock_now_ms(), today, sizeof today);
	if (strcmp(date, today) > 0)
		return http_error_as(rs, ERR_CONFLICT, "not_yet",
				     "まだ来ていない日の支援は、実施済みにできません。支援の日が"
				     "過ぎてから記録してください。");
	homehelp_settings_read(rq->app, &cfg);
	enum err e = homehelp_household_load(c, homehelp_vault(rq->app), household, &h);
	if (e != ERR_OK)
		return e;
	e = homehelp_usage(c, &h, date, id, &u);
	homehelp_household_clear(&h);
	if (e != ERR_OK)
		return e;
	if (!u.eligible || u.remaining_min < len)
		return over_cap(rs, &u, len);
	int free_left = u.cap.free_hours * 60 - u.free_used_min;
	int free_min = free_left > 0 ? (free_left < len ? free_left : len) : 0;
	json_t *rec = json_pack("{s:s, s:s}", "observations", seen, "concerns",
				concern ? concern : "");
	char *text = json_dumps(rec, JSON_COMPACT);
	json_decref(rec);
	struct store_stmt *st = store_prepare(
	    c, "UPDATE hh_visits SET start_min = ?1, end_min = ?2, kinds = ?3, minutes = ?4, "
	       "free_min = ?5, fee_yen = ?6, record = ?7, follow_up = ?8 WHERE id = ?9");
	e = ERR_DB;
	if (st) {
		store_bind_int(st, 1, start);
		store_bind_int(st, 2, end);
		store_bind_text(st, 3, ks);
		store_bind_int(st, 4, len);
		store_bind_int(st, 5, free_min);
		store_bind_int(st, 6, homehelp_fee(len, free_min, cfg.fee_yen_hour));
		vault_bind_sealed(homehelp_vault(rq->app), st, 7, "hh_visits.record", text);
		store_bind_int(st, 8, json_is_true(json_object_get(body, "follow_up")));
		store_bind_int(st, 9, id);
		e = store_run(st);
		store_finish(st);
	}
	vault_wipe_free(text);
	return e;
}

enum err api_hh_visit_done(struct http_req *rq, struct http_resp *rs)
{
	json_t *body = NULL;
	enum err e = homehelp_scope(rq, rs);
	if (e == ERR_OK)
		e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	e = visit_move(rq, rs, "dispatched", NULL, "done", "homehelp.visit_done", done_fn, body);
	json_decref(body);
	return e;
}

static enum err paid_fn(struct http_req *rq, struct http_resp *rs, struct store_conn *c,
			int64_t id, int64_t household, const char *date, json_t *body)
{
	(void)rq;
	(void)rs;
	(void)household;
	(void)date;
	(void)body;
	struct store_stmt *st = store_prepare(c, "UPDATE hh_visits SET paid = 1 WHERE id = ?1");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, id);
	enum err e = store_run(st);
	store_finish(st);
	return e;
}

enum err api_hh_visit_paid(struct http_req *rq, struct http_resp *rs)
{
	enum err e = homehelp_scope(rq, rs);
	if (e != ERR_OK)
		return e;
	return visit_move(rq, rs, "done", NULL, NULL, "homehelp.fee_paid", paid_fn, NULL);
}

enum err api_hh_visit_cancel(struct http_req *rq, struct http_resp *rs)
{
	enum err e = homehelp_scope(rq, rs);
	if (e != ERR_OK)
		return e;
	return visit_move(rq, rs, "requested", "dispatched", "cancelled", "homehelp.visit_cancel",
			  NULL, NULL);
}

enum err api_hh_follow_ups(struct http_req *rq, struct http_resp *rs)
{
	const struct vault *v = homehelp_vault(rq->app);
	json_t *arr = json_array();
	enum err e = homehelp_scope(rq, rs);
	if (e != ERR_OK) {
		json_decref(arr);
		return e;
	}
	struct store_conn *c = store_acquire(rq->app->store);
	struct store_stmt *st = store_prepare(
	    c, "SELECT x.id, x.on_date, h.number, h.form, x.record, h.id FROM hh_visits x JOIN "
	       "hh_households h ON h.id = x.household_id WHERE x.follow_up = 1 AND x.follow_seen IS "
	       "NULL ORDER BY x.on_date, x.id LIMIT 500");
	e = ERR_DB;
	if (st) {
		e = ERR_OK;
		while (store_step(st) == STORE_ROW) {
			size_t n = 0;
			char *form = NULL, *rec = NULL;
			const void *b = store_col_blob(st, 3, &n);
			if (vault_unseal(v, "hh_households.form", b, n, &form) != ERR_OK) {
				e = ERR_CRYPTO;
				break;
			}
			b = store_col_blob(st, 4, &n);
			if (vault_unseal(v, "hh_visits.record", b, n, &rec) != ERR_OK) {
				vault_wipe_free(form);
				e = ERR_CRYPTO;
				break;
			}
			json_t *f = json_loads(form, 0, NULL), *r = json_loads(rec, 0, NULL);
			vault_wipe_free(form);
			vault_wipe_free(rec);
			json_array_append_new(
			    arr, json_pack("{s:I, s:s, s:I, s:s, s:O?, s:O?, s:O?}", "visit",
					   (json_int_t)store_col_int(st, 0), "date",
					   store_col_text(st, 1), "household",
					   (json_int_t)store_col_int(st, 5), "number",
					   store_col_text(st, 2), "guardian",
					   json_object_get(f, "guardian"), "observations",
					   json_object_get(r, "observations"), "concerns",
					   json_object_get(r, "concerns")));
			json_decref(f);
			json_decref(r);
		}
		store_finish(st);
	}
	if (e == ERR_OK)
		e = homehelp_audit(rq, c, "homehelp.follow_ups", "homehelp", 0, "");
	store_release(c);
	if (e != ERR_OK) {
		json_decref(arr);
		return e;
	}
	return http_json(rs, 200, json_pack("{s:o}", "follow_ups", arr));
}

static enum err seen_fn(struct http_req *rq, struct http_resp *rs, struct store_conn *c,
			int64_t id, int64_t household, const char *date, json_t *body)
{
	(void)household;
	(void)date;
	(void)body;
	struct store_stmt *st = store_prepare(
	    c, "UPDATE hh_visits SET follow_seen = ?1 WHERE id = ?2 AND follow_up = 1");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, rq->user.id);
	store_bind_int(st, 2, id);
	enum err e = store_run(st);
	store_finish(st);
	if (e == ERR_OK && store_changes(c) != 1)
		return http_error_as(rs, ERR_CONFLICT, "not_flagged",
				     "この支援は保健師への情報提供の対象ではありません。");
	return e;
}

enum err api_hh_follow_seen(struct http_req *rq, struct http_resp *rs)
{
	enum err e = homehelp_scope(rq, rs);
	if (e != ERR_OK)
		return e;
	return visit_move(rq, rs, "done", NULL, NULL, "homehelp.follow_seen", seen_fn, NULL);
}
