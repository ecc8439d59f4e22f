/* SPDX-License-Identifier: MIT */
/* day.c — the centre's day: the children due (contracted for the weekday within their
 * contract) or marked that day, their attendance (出欠) and who rides which bus route (送迎),
 * with the pick-up and drop-off times of the route and the child's stop. */
#include <stdio.h>
#include <string.h>

#include "base/clock.h"
#include "base/text.h"
#include "base/wareki.h"
#include "centre/centre.h"
#include "store/store.h"
#include "vault/vault.h"

enum err centre_attendance_set(struct store_conn *c, int64_t id, const char *day, const char *state,
			       int bus, int64_t user_id, int64_t now_ms, char why[CENTRE_WHY_MAX])
{
	int y, m, d;
	if (!day || wareki_parse_iso(day, &y, &m, &d) != ERR_OK) {
		snprintf(why, CENTRE_WHY_MAX, "日付を年-月-日で選んでください。");
		return ERR_INVALID;
	}
	if (!state || (strcmp(state, "present") != 0 && strcmp(state, "absent") != 0)) {
		snprintf(why, CENTRE_WHY_MAX, "出席か欠席を選んでください。");
		return ERR_INVALID;
	}
	struct store_stmt *st = store_prepare(
	    c, "INSERT INTO ce_attendance (case_id, day, state, bus, user_id, at_ms) VALUES (?1, "
	       "?2, ?3, ?4, ?5, ?6) ON CONFLICT (case_id, day) DO UPDATE SET state = "
	       "excluded.state, bus = excluded.bus, user_id = excluded.user_id, at_ms = "
	       "excluded.at_ms");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, id);
	store_bind_text(st, 2, day);
	store_bind_text(st, 3, state);
	store_bind_int(st, 4, strcmp(state, "present") == 0 && bus ? 1 : 0);
	if (user_id)
		store_bind_int(st, 5, user_id);
	else
		store_bind_null(st, 5);
	store_bind_int(st, 6, now_ms);
	return casework_run(st);
}

/* Returns the text member key of j, or "". */
static const char *str(json_t *j, const char *key)
{
	const char *s = json_string_value(json_object_get(j, key));
	return s ? s : "";
}

enum err centre_day_json(struct store_conn *c, const struct vault *v, const char *day, int all,
			 int64_t user_id, json_t **out)
{
	int y, m, d;
	*out = NULL;
	if (!day || wareki_parse_iso(day, &y, &m, &d) != ERR_OK)
		return ERR_INVALID;
	int wd = wareki_weekday(y, m, d);
	struct store_stmt *st = store_prepare(
	    c, "SELECT k.id, k.number, k.person, k.contract, k.route, r.label, r.pickup, "
	       "r.dropoff, a.state, a.bus, k.state FROM ce_cases k LEFT JOIN ce_routes r ON r.code "
	       "= k.route LEFT JOIN ce_attendance a ON a.case_id = k.id AND a.day = ?1 WHERE "
	       "(a.case_id IS NOT NULL OR (k.state = 'contracted' AND k.contract_from <= ?1 AND "
	       "k.contract_to >= ?1 AND (k.weekdays & ?2) <> 0)) AND (?3 = 1 OR EXISTS (SELECT 1 "
	       "FROM ce_assignments x WHERE x.case_id = k.id AND x.user_id = ?4)) ORDER BY "
	       "k.route IS NULL, k.route, k.number LIMIT 2000");
	if (!st)
		return ERR_DB;
	store_bind_text(st, 1, day);
	store_bind_int(st, 2, 1 << wd);
	store_bind_int(st, 3, all);
	store_bind_int(st, 4, user_id);
	json_t *arr = json_array();
	enum err e = ERR_OK;
	while (store_step(st) == STORE_ROW) {
		char *p = NULL, *k = NULL;
		if (vault_unseal_column(v, st, 2, "ce_cases.person", &p) != ERR_OK ||
		    vault_unseal_column(v, st, 3, "ce_cases.contract", &k) != ERR_OK || !p || !k) {
			vault_wipe_free(p);
			vault_wipe_free(k);
			e = ERR_CRYPTO;
			break;
		}
		json_t *pj = json_loads(p, 0, NULL), *kj = json_loads(k, 0, NULL);
		vault_wipe_free(p);
		vault_wipe_free(k);
		int has_route = !store_col_is_null(st, 4);
		int marked = !store_col_is_null(st, 8);
		json_array_append_new(
		    arr,
		    json_pack("{s:I, s:s, s:s, s:s, s:s?, s:s?, s:s?, s:s?, s:s, s:s?, s:b, s:b}",
			      "id", (json_int_t)store_col_int(st, 0), "number",
			      store_col_text(st, 1), "name", str(pj, "name"), "kana",
			      str(pj, "kana"), "route", has_route ? store_col_text(st, 4) : NULL,
			      "route_label", has_route ? store_col_text(st, 5) : NULL, "pickup",
			      has_route ? store_col_text(st, 6) : NULL, "dropoff",
			      has_route ? store_col_text(st, 7) : NULL, "stop", str(kj, "stop"),
			      "attendance", marked ? store_col_text(st, 8) : NULL, "bus",
			      marked ? (int)store_col_int(st, 9) : has_route, "contracted",
			      strcmp(store_col_text(st, 10), "contracted") == 0));
		json_decref(pj);
		json_decref(kj);
	}
	store_finish(st);
	if (e != ERR_OK) {
		json_decref(arr);
		return e;
	}
	*out = arr;
	return ERR_OK;
}

json_t *centre_routes_json(struct store_conn *c)
{
	json_t *arr = json_array();
	struct store_stmt *st =
	    store_prepare(c, "SELECT code, label, pickup, dropoff FROM ce_routes ORDER BY code");
	if (!st)
		return arr;
	while (store_step(st) == STORE_ROW)
		json_array_append_new(
		    arr, json_pack("{s:s, s:s, s:s, s:s}", "code", store_col_text(st, 0), "label",
				   store_col_text(st, 1), "pickup", store_col_text(st, 2),
				   "dropoff", store_col_text(st, 3)));
	store_finish(st);
	return arr;
}

enum err centre_route_put(struct store_conn *c, const char *code, const char *label,
			  const char *pickup, const char *dropoff, char why[CENTRE_WHY_MAX])
{
	size_t n = code ? strlen(code) : 0;
	int ok = n > 0 && n < 32;
	for (size_t i = 0; ok && i < n; i++)
		ok = (code[i] >= 'a' && code[i] <= 'z') || (code[i] >= '0' && code[i] <= '9') ||
		     code[i] == '-';
	if (!ok) {
		snprintf(why, CENTRE_WHY_MAX,
			 "ルートの記号は半角の英小文字・数字・-で31文字までです。");
		return ERR_INVALID;
	}
	if (!label || text_line_check(label, 40) != TEXT_OK) {
		snprintf(why, CENTRE_WHY_MAX, "ルートの名前を40文字以内で入力してください。");
		return ERR_INVALID;
	}
	if (clock_hhmm_minutes(pickup) < 0 || clock_hhmm_minutes(dropoff) < 0) {
		snprintf(why, CENTRE_WHY_MAX,
			 "迎えと送りの時刻を時:分（例 09:00）で入力してください。");
		return ERR_INVALID;
	}
	struct store_stmt *st = store_prepare(
	    c, "INSERT INTO ce_routes (code, label, pickup, dropoff) VALUES (?1, ?2, ?3, ?4) ON "
	       "CONFLICT (code) DO UPDATE SET label = excluded.label, pickup = excluded.pickup, "
	       "dropoff = excluded.dropoff");
	if (!st)
		return ERR_DB;
	store_bind_text(st, 1, code);
	store_bind_text(st, 2, label);
	store_bind_text(st, 3, pickup);
	store_bind_text(st, 4, dropoff);
	return casework_run(st);
}
