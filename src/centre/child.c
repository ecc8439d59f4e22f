/* SPDX-License-Identifier: MIT */
/* child.c — a child of the centre: the application (the child and the contacts, sealed), its
 * number, the usage contract (period, 支給量, weekdays, bus route, unit fee, monthly cap) and
 * the whole file as the centre's staff see it once opened. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/role.h"
#include "base/clock.h"
#include "base/text.h"
#include "base/wareki.h"
#include "centre/centre.h"
#include "mail/mail.h"
#include "store/store.h"
#include "vault/vault.h"

const struct casework_kind centre_casework = {
    .prefix = "ce",
    .object = "centre_child",
    .worker_role = ROLE_CENTRE_STAFF,
    .supervisor_role = ROLE_CENTRE_MANAGER,
    .service = CENTRE_SERVICE,
    .noun = "児童の記録",
    .key = "child",
    .number_letter = 'C',
    .closed_state = "ended",
    .closed_message = "この児童の利用は終了しています。記録を加えるには、"
		      "管理責任者が新しい契約を登録してください。",
    .supervisor_how = "manager",
    .note_kinds = centre_note_kinds,
    .case_json = centre_child_json,
};

const char *const centre_note_kinds[] = {"支援記録",	 "個別支援", "集団活動", "保護者対応",
					 "関係機関連絡", "その他",   NULL};

int centre_note_kind_ok(const char *kind)
{
	for (size_t i = 0; kind && centre_note_kinds[i]; i++)
		if (strcmp(kind, centre_note_kinds[i]) == 0)
			return 1;
	return 0;
}

/* Binds user id u as parameter idx, NULL for 0 (the CLI, the demo). */
static void bind_user(struct store_stmt *st, int idx, int64_t u)
{
	if (u)
		store_bind_int(st, idx, u);
	else
		store_bind_null(st, idx);
}

/* Returns the JSON text of o (malloc'd) and drops o. */
static char *dump(json_t *o)
{
	char *txt = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return txt;
}

char *centre_person_parse(json_t *j, const char *today, char why[CENTRE_WHY_MAX])
{
	static const struct casework_field f[] = {{"name", "児童の氏名", 40, 0},
						  {"kana", "ふりがな", 40, 0}};
	return casework_person_parse(j, f, 2, today, why, CENTRE_WHY_MAX);
}

char *centre_contact_parse(json_t *j, char why[CENTRE_WHY_MAX])
{
	static const struct casework_field f[] = {{"parent", "保護者の氏名", 40, 0},
						  {"phone", "保護者の電話番号", 20, 0},
						  {"email", "保護者のメールアドレス", 254, 1},
						  {"stop", "送迎の乗降場所", 60, 1}};
	json_t *o = casework_fields_take(j, f, 4, why, CENTRE_WHY_MAX);
	if (!o)
		return NULL;
	const char *email = json_string_value(json_object_get(o, "email"));
	if (*email && !mail_address_valid(email)) {
		snprintf(why, CENTRE_WHY_MAX, "保護者のメールアドレスが正しくありません。");
		json_decref(o);
		return NULL;
	}
	return dump(o);
}

enum err centre_child_create(struct store_conn *c, const struct vault *v, const char *person,
			     const char *contact, int64_t user_id, int64_t now_ms, int64_t *id,
			     char number[16])
{
	char today[11];
	clock_jst_date(now_ms, today, sizeof today);
	enum err e = casework_number_next(c, &centre_casework, now_ms, number);
	if (e != ERR_OK)
		return e;
	struct store_stmt *st = store_prepare(
	    c, "INSERT INTO ce_cases (number, unit, person, contract, applied_on, created_by, "
	       "created_ms, updated_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)");
	if (!st)
		return ERR_DB;
	store_bind_text(st, 1, number);
	store_bind_text(st, 2, CENTRE_UNIT);
	vault_bind_sealed(v, st, 3, "ce_cases.person", person);
	vault_bind_sealed(v, st, 4, "ce_cases.contract", contact);
	store_bind_text(st, 5, today);
	bind_user(st, 6, user_id);
	store_bind_int(st, 7, now_ms);
	e = casework_run(st);
	if (e == ERR_OK)
		*id = store_last_id(c);
	return e;
}

/* Returns 1 when route code exists. */
static int route_exists(struct store_conn *c, const char *code)
{
	struct store_stmt *st = store_prepare(c, "SELECT 1 FROM ce_routes WHERE code = ?1");
	if (!st)
		return 0;
	store_bind_text(st, 1, code);
	int ok = store_step(st) == STORE_ROW;
	store_finish(st);
	return ok;
}

/* Returns the integer member key of j when it lies in lo..hi, else -1. */
static int int_in(json_t *j, const char *key, int lo, int hi)
{
	json_t *x = json_object_get(j, key);
	if (!json_is_integer(x) || json_integer_value(x) < lo || json_integer_value(x) > hi)
		return -1;
	return (int)json_integer_value(x);
}

enum err centre_terms_parse(struct store_conn *c, json_t *j, struct centre_terms *t,
			    char why[CENTRE_WHY_MAX])
{
	int y, m, d;
	memset(t, 0, sizeof *t);
	const char *from = json_string_value(json_object_get(j, "from"));
	const char *to = json_string_value(json_object_get(j, "to"));
	if (!from || !to || wareki_parse_iso(from, &y, &m, &d) != ERR_OK ||
	    wareki_parse_iso(to, &y, &m, &d) != ERR_OK || strcmp(from, to) > 0) {
		snprintf(why, CENTRE_WHY_MAX,
			 "契約期間を年-月-日で、開始日から終了日の順に入力し"
			 "てください。");
		return ERR_INVALID;
	}
	snprintf(t->from, sizeof t->from, "%s", from);
	snprintf(t->to, sizeof t->to, "%s", to);
	t->days = int_in(j, "days", 1, 31);
	if (t->days < 0) {
		snprintf(why, CENTRE_WHY_MAX,
			 "支給量（月の日数）を1から31の数で入力してください。");
		return ERR_INVALID;
	}
	json_t *wd = json_object_get(j, "weekdays"), *x;
	size_t i;
	if (!json_is_array(wd) || json_array_size(wd) == 0) {
		snprintf(why, CENTRE_WHY_MAX, "利用する曜日を1つ以上選んでください。");
		return ERR_INVALID;
	}
	json_array_foreach(wd, i, x)
	{
		if (!json_is_integer(x) || json_integer_value(x) < 0 || json_integer_value(x) > 6) {
			snprintf(why, CENTRE_WHY_MAX, "曜日は0（日）から6（土）の数です。");
			return ERR_INVALID;
		}
		t->weekdays |= 1 << json_integer_value(x);
	}
	const char *route = json_string_value(json_object_get(j, "route"));
	if (route && *route) {
		if (strlen(route) >= sizeof t->route || !route_exists(c, route)) {
			snprintf(why, CENTRE_WHY_MAX, "送迎ルートを一覧から選んでください。");
			return ERR_INVALID;
		}
		snprintf(t->route, sizeof t->route, "%s", route);
	}
	t->unit_fee = int_in(j, "unit_fee", 0, 100000);
	t->cap = int_in(j, "cap", 0, 1000000);
	if (t->unit_fee < 0 || t->cap < 0) {
		snprintf(why, CENTRE_WHY_MAX,
			 "1日の利用者負担額と上限月額を0以上の円で入力してく"
			 "ださい。");
		return ERR_INVALID;
	}
	return ERR_OK;
}

enum err centre_contract_set(struct store_conn *c, const struct vault *v, int64_t id,
			     const struct centre_terms *t, const char *contact, int64_t now_ms)
{
	struct store_stmt *st = store_prepare(
	    c, "UPDATE ce_cases SET state = 'contracted', ended_on = NULL, contract_from = ?2, "
	       "contract_to = ?3, "
	       "days_granted = ?4, weekdays = ?5, route = ?6, unit_fee = ?7, fee_cap = ?8, "
	       "updated_ms = ?9, contract = COALESCE(?10, contract) WHERE id = ?1");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, id);
	store_bind_text(st, 2, t->from);
	store_bind_text(st, 3, t->to);
	store_bind_int(st, 4, t->days);
	store_bind_int(st, 5, t->weekdays);
	if (t->route[0])
		store_bind_text(st, 6, t->route);
	else
		store_bind_null(st, 6);
	store_bind_int(st, 7, t->unit_fee);
	store_bind_int(st, 8, t->cap);
	store_bind_int(st, 9, now_ms);
	if (contact)
		vault_bind_sealed(v, st, 10, "ce_cases.contract", contact);
	else
		store_bind_null(st, 10);
	enum err e = casework_run(st);
	if (e == ERR_OK && store_changes(c) == 0)
		e = ERR_NOTFOUND;
	return e;
}

enum err centre_person_json(struct store_conn *c, const struct vault *v, int64_t id, json_t **out)
{
	*out = NULL;
	struct store_stmt *st = store_prepare(c, "SELECT person FROM ce_cases WHERE id = ?1");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, id);
	int r = store_step(st);
	if (r == STORE_ROW)
		*out = casework_sealed_json(v, st, 0, "ce_cases.person");
	store_finish(st);
	if (r != STORE_ROW)
		return r == STORE_DONE ? ERR_NOTFOUND : ERR_DB;
	return *out ? ERR_OK : ERR_CRYPTO;
}

/* Returns the weekdays of mask as a JSON array of 0..6. */
json_t *centre_weekdays_json(int mask)
{
	json_t *a = json_array();
	for (int d = 0; d < 7; d++)
		if (mask & (1 << d))
			json_array_append_new(a, json_integer(d));
	return a;
}

/* Returns the attendance of child id over the last 62 days (newest first). */
static json_t *attendance_json(struct store_conn *c, int64_t id)
{
	json_t *a = json_array();
	struct store_stmt *st = store_prepare(
	    c, "SELECT day, state, bus FROM ce_attendance WHERE case_id = ?1 ORDER BY day DESC "
	       "LIMIT 62");
	if (!st)
		return a;
	store_bind_int(st, 1, id);
	while (store_step(st) == STORE_ROW)
		json_array_append_new(a, json_pack("{s:s, s:s, s:b}", "day", store_col_text(st, 0),
						   "state", store_col_text(st, 1), "bus",
						   (int)store_col_int(st, 2)));
	store_finish(st);
	return a;
}

enum err centre_child_json(struct store_conn *c, const struct vault *v, int64_t id, json_t **out)
{
	enum err e = ERR_OK;
	*out = NULL;
	struct store_stmt *st = store_prepare(
	    c,
	    "SELECT number, state, person, contract, applied_on, contract_from, contract_to, "
	    "days_granted, weekdays, route, unit_fee, fee_cap, ended_on FROM ce_cases WHERE id = "
	    "?1");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, id);
	int r = store_step(st);
	if (r != STORE_ROW) {
		store_finish(st);
		return r == STORE_DONE ? ERR_NOTFOUND : ERR_DB;
	}
	json_t *person = casework_sealed_json(v, st, 2, "ce_cases.person");
	json_t *contact = casework_sealed_json(v, st, 3, "ce_cases.contract");
	if (!person || !contact) {
		json_decref(person);
		json_decref(contact);
		store_finish(st);
		return ERR_CRYPTO;
	}
	json_t *terms = json_pack(
	    "{s:s?, s:s?, s:i, s:o, s:s?, s:i, s:i}", "from",
	    store_col_is_null(st, 5) ? NULL : store_col_text(st, 5), "to",
	    store_col_is_null(st, 6) ? NULL : store_col_text(st, 6), "days",
	    (int)store_col_int(st, 7), "weekdays", centre_weekdays_json((int)store_col_int(st, 8)),
	    "route", store_col_is_null(st, 9) ? NULL : store_col_text(st, 9), "unit_fee",
	    (int)store_col_int(st, 10), "cap", (int)store_col_int(st, 11));
	json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s?, s:o, s:o, s:o}", "id", (json_int_t)id,
			      "number", store_col_text(st, 0), "state", store_col_text(st, 1),
			      "applied_on", store_col_text(st, 4), "ended_on",
			      store_col_is_null(st, 12) ? NULL : store_col_text(st, 12), "person",
			      person, "contact", contact, "contract", terms);
	store_finish(st);
	json_object_set_new(o, "staff", casework_assigned_json(c, &centre_casework, id));
	json_object_set_new(o, "parents", centre_parents_json(c, id));
	json_object_set_new(o, "attendance", attendance_json(c, id));
	json_object_set_new(o, "statements", centre_statements_json(c, id, NULL));
	json_t *notes = NULL, *msgs = NULL;
	e = casework_notes_json(c, v, &centre_casework, id, &notes);
	json_object_set_new(o, "notes", notes);
	if (e == ERR_OK)
		e = centre_messages_json(c, v, id, &msgs);
	json_object_set_new(o, "messages", msgs);
	if (e == ERR_OK)
		e = centre_care_json(c, v, id, o);
	if (e != ERR_OK) {
		json_decref(o);
		return e;
	}
	*out = o;
	return ERR_OK;
}
