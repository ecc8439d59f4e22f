/* SPDX-License-Identifier: MIT */
/* api_cases.c — youth support's cases: a worker's own cases (a supervisor's: all), a new case,
 * opening a case with the reason of the day (or break-glass), the case once opened, its profile
 * and the referral flag. A caller who may not reach a case finds none (404). */
#include "youth/api.h"

#include <stdio.h>
#include <string.h>

#include "app.h"
#include "app/retention.h"
#include "base/clock.h"
#include "store/store.h"
#include "vault/vault.h"

enum err youth_not_found(struct http_resp *rs)
{
	return casework_not_found(rs);
}

enum err youth_audit(struct http_req *rq, struct store_conn *c, const char *action, int64_t id,
		     const char *detail)
{
	return casework_audit(&youth_casework, rq, c, action, id, detail);
}

enum err youth_reach(struct http_req *rq, struct http_resp *rs, struct store_conn *c, int64_t id,
		     int opened)
{
	return casework_reach(&youth_casework, rq, rs, c, id, opened);
}

enum err youth_reach_body(struct http_req *rq, struct http_resp *rs, struct store_conn *c,
			  int64_t id, json_t **body)
{
	return casework_reach_body(&youth_casework, rq, rs, c, id, body);
}

enum err youth_audit_read(struct http_req *rq, struct store_conn *c, int64_t id, const char *detail,
			  int64_t now)
{
	return casework_audit_read(&youth_casework, rq, c, id, detail, now);
}

/* Reads the body's person and profile for a case, checked (today: for the age) into *person and
 * *profile (malloc'd; the caller wipes them with vault_wipe_free). ERR_OK, or 400 bad_case
 * answered. */
static enum err case_parse(struct http_resp *rs, const json_t *body, int64_t now, char **person,
			   char **profile)
{
	char why[YOUTH_WHY_MAX], today[11];
	clock_jst_date(now, today, sizeof today);
	*person = youth_person_parse(json_object_get(body, "person"), today, why);
	*profile = *person ? youth_profile_parse(json_object_get(body, "profile"), why) : NULL;
	if (!*person || !*profile)
		return http_error_as(rs, ERR_INVALID, "bad_case", why);
	return ERR_OK;
}

enum err api_yo_plazas(struct http_req *rq, struct http_resp *rs)
{
	char mine[CASEWORK_UNIT_MAX] = "";
	json_t *arr = json_array();
	for (const struct youth_plaza *p = youth_plazas; p->code; p++)
		json_array_append_new(arr,
				      json_pack("{s:s, s:s}", "code", p->code, "label", p->label));
	json_t *kinds = json_array();
	for (size_t i = 0; youth_note_kinds[i]; i++)
		json_array_append_new(kinds, json_string(youth_note_kinds[i]));
	struct store_conn *c = store_acquire(rq->app->store);
	int have = casework_worker_unit(c, &youth_casework, rq->user.id, mine);
	store_release(c);
	return http_json(rs, 200,
			 json_pack("{s:o, s:o, s:s, s:s, s:s?}", "plazas", arr, "note_kinds", kinds,
				   "role", role_name(rq->role), "login", rq->user.login, "my_plaza",
				   have == 1 ? mine : NULL));
}

enum err api_yo_cases(struct http_req *rq, struct http_resp *rs)
{
	char day[11];
	json_t *list = json_array();
	int sup = (rq->role & ROLE_YOUTH_SUPERVISOR) != 0;
	const char *plaza = http_query(rq, "plaza");
	clock_jst_date(clock_now_ms(), day, sizeof day);
	struct store_conn *c = store_acquire(rq->app->store);
	/* A worker's list: the cases they are assigned to in their own plaza; the supervisor's:
	 * every case (of a plaza). Numbers and counts only: the person shows once opened. */
	struct store_stmt *st = store_prepare(
	    c,
	    "SELECT k.id, k.number, k.unit, k.state, k.referral, (SELECT count(*) FROM yo_notes "
	    "n WHERE n.case_id = k.id), (SELECT p.review_on FROM yo_plans p WHERE p.case_id = "
	    "k.id ORDER BY p.version DESC LIMIT 1), (SELECT count(*) FROM yo_opens o WHERE "
	    "o.case_id = k.id AND o.user_id = ?1 AND o.day = ?2), (SELECT count(*) FROM "
	    "yo_assignments a WHERE a.case_id = k.id), k.closed_on FROM yo_cases k WHERE (?3 = 1 "
	    "OR EXISTS "
	    "(SELECT 1 FROM yo_assignments a JOIN yo_workers w ON w.user_id = a.user_id WHERE "
	    "a.case_id = k.id AND a.user_id = ?1 AND w.unit = k.unit)) AND (?4 = '' OR k.unit = "
	    "?4) ORDER BY k.number LIMIT 2000");
	enum err e = ERR_DB;
	int64_t open = 0, referred = 0;
	if (st) {
		store_bind_int(st, 1, rq->user.id);
		store_bind_text(st, 2, day);
		store_bind_int(st, 3, sup);
		store_bind_text(st, 4, plaza ? plaza : "");
		while (store_step(st) == STORE_ROW) {
			const char *unit = store_col_text(st, 2), *label = youth_plaza_label(unit);
			int is_open = strcmp(store_col_text(st, 3), "open") == 0;
			open += is_open;
			referred += store_col_int(st, 4) != 0;
			json_array_append_new(
			    list,
			    json_pack("{s:I, s:s, s:s, s:s, s:s, s:s?, s:b, s:I, s:s?, s:b, s:I}",
				      "id", (json_int_t)store_col_int(st, 0), "number",
				      store_col_text(st, 1), "plaza", unit, "plaza_label",
				      label ? label : unit, "state", store_col_text(st, 3),
				      "closed_on",
				      store_col_is_null(st, 9) ? NULL : store_col_text(st, 9),
				      "referral", (int)store_col_int(st, 4), "notes",
				      (json_int_t)store_col_int(st, 5), "review_on",
				      store_col_is_null(st, 6) ? NULL : store_col_text(st, 6),
				      "opened_today", store_col_int(st, 7) > 0, "workers",
				      (json_int_t)store_col_int(st, 8)));
		}
		store_finish(st);
		e = ERR_OK;
	}
	/* The supervisor sees who is assigned (accounts, no personal data of the youth). */
	size_t i;
	json_t *o;
	json_array_foreach(list, i, o)
	{
		if (!sup)
			break;
		json_object_set_new(
		    o, "assigned",
		    casework_assigned_json(c, &youth_casework,
					   json_integer_value(json_object_get(o, "id"))));
	}
	store_release(c);
	if (e != ERR_OK) {
		json_decref(list);
		return http_error(rs, e, "ケースの一覧を読み込めませんでした。");
	}
	/* How long a closed case is kept, for the screen's erasure dates. */
	int keep = retention_days(rq->app, "youth_cases");
	return http_json(rs, 200,
			 json_pack("{s:o, s:{s:I, s:I, s:I}, s:i}", "cases", list, "counts",
				   "cases", (json_int_t)json_array_size(list), "open",
				   (json_int_t)open, "referred", (json_int_t)referred,
				   "closed_keep_days", keep));
}

enum err api_yo_case_add(struct http_req *rq, struct http_resp *rs)
{
	json_t *body = NULL;
	char unit[CASEWORK_UNIT_MAX], number[16];
	char *person = NULL, *profile = NULL;
	int64_t now = clock_now_ms(), id = 0;
	int sup = (rq->role & ROLE_YOUTH_SUPERVISOR) != 0;
	enum err e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	struct store_conn *c = store_acquire(rq->app->store);
	const char *plaza = json_string_value(json_object_get(body, "plaza"));
	if (sup) {
		if (!youth_plaza_label(plaza)) {
			e = http_error_as(rs, ERR_INVALID, "bad_plaza",
					  "共育プラザを選んでください。");
			goto out;
		}
		snprintf(unit, sizeof unit, "%s", plaza);
	} else if (casework_worker_unit(c, &youth_casework, rq->user.id, unit) != 1) {
		e = http_error_as(rs, ERR_FORBIDDEN, "no_plaza",
				  "所属の共育プラザが登録されていません。スーパーバイザーに登録を依"
				  "頼してください。");
		goto out;
	}
	e = case_parse(rs, body, now, &person, &profile);
	if (e != ERR_OK)
		goto out;
	const struct vault *v = youth_vault(rq->app);
	e = store_begin(c);
	if (e == ERR_OK)
		e = youth_case_create(c, v, unit, person, profile, rq->user.id, now, &id, number);
	/* A worker's new case is their own, opened today with its first reason. */
	if (e == ERR_OK && !sup)
		e = casework_assign(c, &youth_casework, id, rq->user.id, rq->user.id, now);
	if (e == ERR_OK)
		e = youth_audit(rq, c, "youth.case_add", id, unit);
	if (e == ERR_OK)
		e = store_commit(c);
	if (e != ERR_OK) {
		store_rollback(c);
		e = http_error(rs, e, "ケースを登録できませんでした。");
		goto out;
	}
	e = http_json(rs, 201, json_pack("{s:I, s:s}", "id", (json_int_t)id, "number", number));
out:
	store_release(c);
	vault_wipe_free(person);
	vault_wipe_free(profile);
	json_decref(body);
	return e;
}

enum err api_yo_case_open(struct http_req *rq, struct http_resp *rs)
{
	return casework_api_open(&youth_casework, rq, rs);
}

enum err api_yo_case(struct http_req *rq, struct http_resp *rs)
{
	return casework_api_case(&youth_casework, rq, rs);
}

enum err api_yo_case_profile(struct http_req *rq, struct http_resp *rs)
{
	json_t *body = NULL;
	int64_t id = http_param_id(rq->params[0]), now = clock_now_ms();
	char *person = NULL, *profile = NULL;
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = youth_reach_body(rq, rs, c, id, &body);
	if (e == ERR_OK)
		e = case_parse(rs, body, now, &person, &profile);
	if (e != ERR_OK)
		goto out;
	const struct vault *v = youth_vault(rq->app);
	struct store_stmt *st = NULL;
	e = store_begin(c);
	if (e == ERR_OK) {
		st = store_prepare(c, "UPDATE yo_cases SET person = ?2, profile = ?3, updated_ms = "
				      "?4 WHERE id = ?1");
		e = st ? ERR_OK : ERR_DB;
	}
	if (e == ERR_OK) {
		store_bind_int(st, 1, id);
		vault_bind_sealed(v, st, 2, "yo_cases.person", person);
		vault_bind_sealed(v, st, 3, "yo_cases.profile", profile);
		store_bind_int(st, 4, now);
		e = casework_run(st);
	}
	if (e == ERR_OK)
		e = youth_audit(rq, c, "youth.profile", id, "");
	if (e == ERR_OK)
		e = store_commit(c);
	if (e != ERR_OK) {
		store_rollback(c);
		e = http_error(rs, e, "ケースを更新できませんでした。");
		goto out;
	}
	e = casework_answer_case(&youth_casework, rq, rs, c, id, "updated");
out:
	store_release(c);
	vault_wipe_free(person);
	vault_wipe_free(profile);
	json_decref(body);
	return e;
}

enum err api_yo_case_referral(struct http_req *rq, struct http_resp *rs)
{
	json_t *body = NULL;
	int64_t id = http_param_id(rq->params[0]);
	char why[YOUTH_WHY_MAX];
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = youth_reach_body(rq, rs, c, id, &body);
	if (e != ERR_OK)
		goto out;
	int on = json_is_true(json_object_get(body, "referral"));
	e = store_begin(c);
	if (e == ERR_OK)
		e = youth_referral_set(c, youth_vault(rq->app), id, on,
				       json_string_value(json_object_get(body, "note")),
				       clock_now_ms(), why);
	if (e == ERR_OK)
		e = youth_audit(rq, c, on ? "youth.referral" : "youth.referral_clear", id, "");
	if (e == ERR_OK)
		e = store_commit(c);
	if (e != ERR_OK) {
		store_rollback(c);
		e = e == ERR_INVALID ? http_error_as(rs, e, "bad_referral", why)
				     : http_error(rs, e, "区への連絡を記録できませんでした。");
		goto out;
	}
	e = http_json(rs, 200, json_pack("{s:b}", "referral", on));
out:
	store_release(c);
	json_decref(body);
	return e;
}
