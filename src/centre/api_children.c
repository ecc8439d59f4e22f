/* SPDX-License-Identifier: MIT */
/* api_children.c — the centre's children: the caller, a staff member's own children (the
 * manager's: all), a new application (manager), opening a child's file with the reason of the
 * day (or break-glass), the file once opened, and the usage contract (manager). A caller who
 * may not reach a child finds none (404). */
#include "centre/api.h"

#include <stdio.h>
#include <string.h>

#include "app.h"
#include "app/retention.h"
#include "base/clock.h"
#include "store/store.h"
#include "vault/vault.h"

enum err centre_not_found(struct http_resp *rs)
{
	return casework_not_found(rs);
}

enum err centre_audit(struct http_req *rq, struct store_conn *c, const char *action, int64_t id,
		      const char *detail)
{
	return casework_audit(&centre_casework, rq, c, action, id, detail);
}

enum err centre_reach(struct http_req *rq, struct http_resp *rs, struct store_conn *c, int64_t id,
		      int opened)
{
	return casework_reach(&centre_casework, rq, rs, c, id, opened);
}

enum err centre_parent_reach(struct http_req *rq, struct http_resp *rs, struct store_conn *c,
			     int64_t id)
{
	if (!(rq->role & ROLE_CENTRE_PARENT) || id <= 0)
		return centre_not_found(rs);
	int p = centre_is_parent(c, rq->user.id, id);
	if (p < 0)
		return http_error(rs, ERR_DB, "読み込めませんでした。");
	return p ? ERR_OK : centre_not_found(rs);
}

enum err api_ce_me(struct http_req *rq, struct http_resp *rs)
{
	json_t *kinds = json_array();
	for (size_t i = 0; centre_note_kinds[i]; i++)
		json_array_append_new(kinds, json_string(centre_note_kinds[i]));
	char today[11];
	clock_jst_date(clock_now_ms(), today, sizeof today);
	struct store_conn *c = store_acquire(rq->app->store);
	json_t *routes = centre_routes_json(c);
	store_release(c);
	return http_json(rs, 200,
			 json_pack("{s:s, s:s, s:s, s:o, s:o}", "role", role_name(rq->role),
				   "login", rq->user.login, "today", today, "note_kinds", kinds,
				   "routes", routes));
}

enum err api_ce_children(struct http_req *rq, struct http_resp *rs)
{
	char day[11];
	json_t *list = json_array();
	int mgr = (rq->role & ROLE_CENTRE_MANAGER) != 0;
	clock_jst_date(clock_now_ms(), day, sizeof day);
	struct store_conn *c = store_acquire(rq->app->store);
	/* Numbers, states and terms only: the child's name shows once the file is opened (or on
	 * the day's list, for attendance). */
	struct store_stmt *st = store_prepare(
	    c, "SELECT k.id, k.number, k.state, k.contract_from, k.contract_to, k.days_granted, "
	       "k.route, k.fee_cap, (SELECT count(*) FROM ce_opens o WHERE o.case_id = k.id AND "
	       "o.user_id = ?1 AND o.day = ?2), (SELECT p.review_on FROM ce_plans p WHERE "
	       "p.case_id = k.id ORDER BY p.version DESC LIMIT 1), (SELECT count(*) FROM "
	       "ce_parents x WHERE x.case_id = k.id), k.ended_on, k.weekdays, k.unit_fee FROM "
	       "ce_cases k WHERE ?3 = 1 OR "
	       "EXISTS "
	       "(SELECT 1 FROM ce_assignments a JOIN ce_workers w ON w.user_id = a.user_id WHERE "
	       "a.case_id = k.id AND a.user_id = ?1 AND w.unit = k.unit) ORDER BY k.number LIMIT "
	       "2000");
	enum err e = ERR_DB;
	int64_t contracted = 0, applied = 0;
	if (st) {
		store_bind_int(st, 1, rq->user.id);
		store_bind_text(st, 2, day);
		store_bind_int(st, 3, mgr);
		while (store_step(st) == STORE_ROW) {
			const char *state = store_col_text(st, 2);
			contracted += strcmp(state, "contracted") == 0;
			applied += strcmp(state, "applied") == 0;
			/* The contract's terms, so that the manager's form starts from them. */
			json_array_append_new(
			    list,
			    json_pack(
				"{s:I, s:s, s:s, s:s?, s:s?, s:s?, s:I, s:s?, s:I, s:b, s:s?, s:I, "
				"s:o, s:I}",
				"id", (json_int_t)store_col_int(st, 0), "number",
				store_col_text(st, 1), "state", state, "ended_on",
				store_col_is_null(st, 11) ? NULL : store_col_text(st, 11), "from",
				store_col_is_null(st, 3) ? NULL : store_col_text(st, 3), "to",
				store_col_is_null(st, 4) ? NULL : store_col_text(st, 4), "days",
				(json_int_t)store_col_int(st, 5), "route",
				store_col_is_null(st, 6) ? NULL : store_col_text(st, 6), "cap",
				(json_int_t)store_col_int(st, 7), "opened_today",
				store_col_int(st, 8) > 0, "review_on",
				store_col_is_null(st, 9) ? NULL : store_col_text(st, 9), "parents",
				(json_int_t)store_col_int(st, 10), "weekdays",
				centre_weekdays_json((int)store_col_int(st, 12)), "unit_fee",
				(json_int_t)store_col_int(st, 13)));
		}
		store_finish(st);
		e = ERR_OK;
	}
	size_t i;
	json_t *o;
	json_array_foreach(list, i, o)
	{
		if (!mgr)
			break;
		json_object_set_new(
		    o, "staff",
		    casework_assigned_json(c, &centre_casework,
					   json_integer_value(json_object_get(o, "id"))));
	}
	store_release(c);
	if (e != ERR_OK) {
		json_decref(list);
		return http_error(rs, e, "児童の一覧を読み込めませんでした。");
	}
	return http_json(rs, 200,
			 json_pack("{s:o, s:{s:I, s:I, s:I}, s:i}", "children", list, "counts",
				   "children", (json_int_t)json_array_size(list), "contracted",
				   (json_int_t)contracted, "applied", (json_int_t)applied,
				   "ended_keep_days", retention_days(rq->app, "centre_children")));
}

enum err api_ce_child_add(struct http_req *rq, struct http_resp *rs)
{
	json_t *body = NULL;
	char why[CENTRE_WHY_MAX], today[11], number[16];
	char *person = NULL, *contact = NULL;
	int64_t now = clock_now_ms(), id = 0;
	enum err e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	struct store_conn *c = store_acquire(rq->app->store);
	clock_jst_date(now, today, sizeof today);
	person = centre_person_parse(json_object_get(body, "person"), today, why);
	contact = person ? centre_contact_parse(json_object_get(body, "contact"), why) : NULL;
	if (!person || !contact) {
		e = http_error_as(rs, ERR_INVALID, "bad_child", why);
		goto out;
	}
	e = store_begin(c);
	if (e == ERR_OK)
		e = centre_child_create(c, centre_vault(rq->app), person, contact, rq->user.id, now,
					&id, number);
	if (e == ERR_OK)
		e = centre_audit(rq, c, "centre.apply", id, "");
	if (e == ERR_OK)
		e = store_commit(c);
	if (e != ERR_OK) {
		store_rollback(c);
		e = http_error(rs, e, "利用申請を登録できませんでした。");
		goto out;
	}
	e = http_json(rs, 201, json_pack("{s:I, s:s}", "id", (json_int_t)id, "number", number));
out:
	store_release(c);
	vault_wipe_free(person);
	vault_wipe_free(contact);
	json_decref(body);
	return e;
}

enum err api_ce_child_open(struct http_req *rq, struct http_resp *rs)
{
	return casework_api_open(&centre_casework, rq, rs);
}

enum err api_ce_child(struct http_req *rq, struct http_resp *rs)
{
	return casework_api_case(&centre_casework, rq, rs);
}

enum err api_ce_contract(struct http_req *rq, struct http_resp *rs)
{
	json_t *body = NULL;
	int64_t id = http_param_id(rq->params[0]);
	char why[CENTRE_WHY_MAX], detail[64];
	char *contact = NULL;
	struct centre_terms t;
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = centre_reach(rq, rs, c, id, 1);
	if (e == ERR_OK)
		e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		goto out;
	e = centre_terms_parse(c, body, &t, why);
	json_t *cj = json_object_get(body, "contact");
	if (e == ERR_OK && cj) {
		contact = centre_contact_parse(cj, why);
		e = contact ? ERR_OK : ERR_INVALID;
	}
	if (e != ERR_OK) {
		e = http_error_as(rs, e, "bad_contract", why);
		goto out;
	}
	e = store_begin(c);
	if (e == ERR_OK)
		e = centre_contract_set(c, centre_vault(rq->app), id, &t, contact, clock_now_ms());
	snprintf(detail, sizeof detail, "%s..%s days=%d", t.from, t.to, t.days);
	if (e == ERR_OK)
		e = centre_audit(rq, c, "centre.contract", id, detail);
	if (e == ERR_OK)
		e = store_commit(c);
	if (e != ERR_OK) {
		store_rollback(c);
		e = http_error(rs, e, "契約を登録できませんでした。");
		goto out;
	}
	e = casework_answer_case(&centre_casework, rq, rs, c, id, "manager");
out:
	store_release(c);
	vault_wipe_free(contact);
	json_decref(body);
	return e;
}
