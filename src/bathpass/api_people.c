/* SPDX-License-Identifier: MIT */
/* api_people.c — head office's ledger: one person's whole record and history, and the events
 * recorded by head office (申請, 郵送での交付, 返戻, 除外, 送付先変更などの個別事由). Reads and
 * changes are audited with ids only. */
#include "bathpass/api.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "auth/audit.h"
#include "base/clock.h"
#include "store/store.h"
#include "vault/vault.h"

#define REASON_MAX 200 /* bytes of a 除外事由 */
#define NOTE_MAX 600   /* bytes of a 個別事由 */

enum err api_bath_person(struct http_req *rq, struct http_resp *rs)
{
	int64_t id = http_param_id(rq->params[0]);
	struct bath_person p;
	char today[11], object[48];
	bath_today(today);
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = id ? bath_person_load(c, bathpass_vault(rq->app), id, &p) : ERR_NOTFOUND;
	if (e != ERR_OK) {
		store_release(c);
		return e == ERR_NOTFOUND ? http_error(rs, e, "その人は台帳にいません。") : e;
	}
	snprintf(object, sizeof object, "bath_person:%" PRId64, id);
	e = audit_read_append(c, rq->app->vault, rq->actor, "bathpass.person.read", object, "",
			      clock_now_ms(), NULL);
	json_t *o = e == ERR_OK ? bath_person_json(c, &p, 1, today) : NULL;
	bath_person_clear(&p);
	json_t *events = json_array();
	struct store_stmt *st =
	    o ? store_prepare(
		    c, "SELECT e.fiscal_year, e.kind, e.on_date, COALESCE(e.place, ''), "
		       "COALESCE(p.name, ''), COALESCE(e.method, ''), COALESCE(e.number, '') FROM "
		       "bath_events e LEFT JOIN bath_places p ON p.code = e.place WHERE "
		       "e.person_id = ? "
		       "ORDER BY e.id")
	      : NULL;
	if (st) {
		store_bind_int(st, 1, id);
		while (store_step(st) == STORE_ROW)
			json_array_append_new(
			    events,
			    json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s}", "fiscal_year",
				      (json_int_t)store_col_int(st, 0), "kind",
				      store_col_text(st, 1), "date", store_col_text(st, 2), "place",
				      store_col_text(st, 3), "place_name", store_col_text(st, 4),
				      "method", store_col_text(st, 5), "number",
				      store_col_text(st, 6)));
	}
	store_finish(st);
	store_release(c);
	if (!o) {
		json_decref(events);
		return e != ERR_OK ? e : ERR_DB;
	}
	json_object_set_new(o, "events", events);
	return http_json(rs, 200, o);
}

/* Reads an optional text member into *out; 0 when it is there but not text of at most max
 * bytes. */
static int text_member(json_t *body, const char *key, size_t max, const char **out)
{
	json_t *v = json_object_get(body, key);
	*out = NULL;
	if (!v || json_is_null(v))
		return 1;
	if (!json_is_string(v) || strlen(json_string_value(v)) > max)
		return 0;
	*out = json_string_value(v);
	return 1;
}

/* Sets (or clears, with "") the person's 送付先変更などの個別事由 on c. */
static enum err set_note(struct store_conn *c, const struct vault *v, int64_t id, const char *note)
{
	struct store_stmt *st =
	    store_prepare(c, "UPDATE bath_people SET note = ?, updated_ms = ? WHERE id = ?");
	if (!st)
		return ERR_DB;
	if (*note)
		vault_bind_sealed(v, st, 1, "bath_people.note", note);
	else
		store_bind_null(st, 1);
	store_bind_int(st, 2, clock_now_ms());
	store_bind_int(st, 3, id);
	enum err e = store_run(st);
	store_finish(st);
	return e;
}

enum err api_bath_event(struct http_req *rq, struct http_resp *rs)
{
	static const char *const kinds[] = {"apply",	"mail_issue", "mail_reissue",
					    "returned", "exclude",    "sendto"};
	const struct vault *v = bathpass_vault(rq->app);
	int64_t id = http_param_id(rq->params[0]);
	json_t *body = NULL;
	struct bath_person p = {0};
	struct bath_issue_info info;
	char date[11], today[11], number[24] = "";
	const char *kind = NULL, *reason = NULL, *note = NULL, *method = NULL, *why_not, *code;
	enum err e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	json_t *k = json_object_get(body, "kind");
	for (size_t i = 0; json_is_string(k) && i < sizeof kinds / sizeof kinds[0]; i++)
		if (strcmp(json_string_value(k), kinds[i]) == 0)
			kind = kinds[i];
	if (!kind) {
		json_decref(body);
		return http_error_as(
		    rs, ERR_INVALID, "bad_kind",
		    "記録の種類（申請・郵送で交付・郵送で再交付・返戻・除外・送付先変更）"
		    "を選んでください。");
	}
	int ok_date = bath_json_date(body, "date", date);
	int ok_text = text_member(body, "reason", REASON_MAX, &reason) &&
		      text_member(body, "note", NOTE_MAX, &note) &&
		      text_member(body, "method", 8, &method);
	if (!ok_date || !ok_text ||
	    (method && strcmp(method, "counter") != 0 && strcmp(method, "mail") != 0)) {
		json_decref(body);
		return http_error(rs, ERR_INVALID,
				  ok_date ? "理由は200字、個別事由は600字まで、"
					    "方法は counter か mail です。"
					  : "日付が読めません（2026-04-01 や R8.4.1 "
					    "の形で）。");
	}
	bath_today(today);
	if (strcmp(date, today) > 0) {
		json_decref(body);
		return http_error_as(rs, ERR_INVALID, "future_date", "先の日付は記録できません。");
	}
	struct store_conn *c = store_acquire(rq->app->store);
	int64_t now = clock_now_ms();
	e = store_begin(c);
	if (e == ERR_OK)
		e = id ? bath_person_load(c, v, id, &p) : ERR_NOTFOUND;
	if (e == ERR_NOTFOUND) {
		e = http_error(rs, e, "その人は台帳にいません。");
		goto out;
	}
	if (e == ERR_OK)
		e = bath_issue_info_read(c, id, bath_fiscal_year(date), &info);
	if (e != ERR_OK)
		goto out;
	if (strcmp(kind, "apply") == 0) {
		e = bath_event_add(c, id, "apply", date, NULL, method ? method : "mail", NULL,
				   rq->user.id, now);
	} else if (strcmp(kind, "mail_issue") == 0) {
		if (!bath_eligible(&p, today, &why_not, &code)) {
			e = http_error_as(rs, ERR_CONFLICT, "not_eligible", why_not);
			goto out;
		}
		if (info.issued) {
			e = http_error_as(rs, ERR_CONFLICT, "already_issued",
					  "その年度の入浴証はもう交付しています。");
			goto out;
		}
		e = bath_number_next(c, bath_fiscal_year(date), number);
		if (e == ERR_OK)
			e = bath_event_add(c, id, "issue", date, NULL, "mail", number, rq->user.id,
					   now);
	} else if (strcmp(kind, "mail_reissue") == 0) {
		if (!bath_eligible(&p, today, &why_not, &code)) {
			e = http_error_as(rs, ERR_CONFLICT, "not_eligible", why_not);
			goto out;
		}
		if (!info.issued) {
			e = http_error_as(rs, ERR_CONFLICT, "not_issued",
					  "その年度はまだ交付していないので、再交付ではなく交付に"
					  "してください。");
			goto out;
		}
		e = bath_number_next(c, bath_fiscal_year(date), number);
		if (e == ERR_OK)
			e = bath_event_add(c, id, "reissue", date, NULL, "mail", number,
					   rq->user.id, now);
	} else if (strcmp(kind, "returned") == 0) {
		if (!info.issued || strcmp(info.method, "mail") != 0) {
			e = http_error_as(
			    rs, ERR_CONFLICT, "not_mailed",
			    "その年度に郵送した入浴証がないので、返戻は記録できません。");
			goto out;
		}
		e = bath_event_add(c, id, "returned", date, NULL, "mail", info.number, rq->user.id,
				   now);
	} else if (strcmp(kind, "exclude") == 0) {
		if (!reason || !*reason) {
			e = http_error_as(rs, ERR_INVALID, "reason_required",
					  "除外事由（転出・死亡など）を書いてください。");
			goto out;
		}
		if (p.excluded) {
			e = http_error_as(rs, ERR_CONFLICT, "already_excluded",
					  "この人はすでに除外されています。");
			goto out;
		}
		e = bath_person_exclude(c, v, id, date, reason, 0, now);
		if (e == ERR_OK)
			e = bath_event_add(c, id, "exclude", date, NULL, NULL, NULL, rq->user.id,
					   now);
	} else {
		/* An empty text takes a held person's 個別事由 away; with none to take, it is a
		 * mistake (a record of nothing), not a change. */
		if ((!note || !*note) && (!p.note || !*p.note)) {
			e = http_error_as(rs, ERR_INVALID, "note_required",
					  "送付先変更などの個別事由の内容を書いてください。");
			goto out;
		}
		e = set_note(c, v, id, note ? note : "");
		if (e == ERR_OK)
			e = bath_event_add(c, id, "sendto", date, NULL, NULL, NULL, rq->user.id,
					   now);
	}
	char object[48], detail[64];
	snprintf(object, sizeof object, "bath_person:%" PRId64, id);
	snprintf(detail, sizeof detail, "%s %s%s%s", kind, date, number[0] ? " number=" : "",
		 number);
	if (e == ERR_OK)
		e = audit_append(c, rq->app->vault, rq->actor, "bathpass.event", object, detail);
	if (e == ERR_OK)
		e = store_commit(c);
out:
	store_rollback(c);
	store_release(c);
	bath_person_clear(&p);
	json_decref(body);
	if (e != ERR_OK)
		return e;
	return http_json(rs, 200,
			 json_pack("{s:I,s:s,s:s,s:s?}", "id", (json_int_t)id, "kind", kind, "date",
				   date, "number", number[0] ? number : NULL));
}
