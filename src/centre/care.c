/* SPDX-License-Identifier: MIT */
/* care.c — a child's development assessments (発達評価, dated, sealed) and individual support
 * plans (個別支援計画, each a new version, sealed) whose next review falls six months after the
 * plan's date; the manager's list of reviews due. */
#include <stdio.h>
#include <string.h>

#include "base/text.h"
#include "base/wareki.h"
#include "centre/centre.h"
#include "store/store.h"
#include "vault/vault.h"

enum err centre_review_date(const char *on, char out[11])
{
	int y, m, d;
	if (!on || wareki_parse_iso(on, &y, &m, &d) != ERR_OK)
		return ERR_INVALID;
	m += 6;
	if (m > 12) {
		m -= 12;
		y++;
	}
	int last = wareki_days_in_month(y, m);
	if (d > last)
		d = last;
	snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u,
		 (unsigned)d % 100u);
	return ERR_OK;
}

/* Returns 1 when the member key of j is absent, "" or a note of up to max bytes. */
static int note_or_empty(json_t *j, const char *key, size_t max)
{
	const char *s = json_string_value(json_object_get(j, key));
	if (json_object_get(j, key) && !s)
		return 0;
	return !s || !*s || text_note_ok(s, max);
}

/* Returns the text member key of j, or "". */
static const char *str(json_t *j, const char *key)
{
	const char *s = json_string_value(json_object_get(j, key));
	return s ? s : "";
}

enum err centre_assessment_add(struct store_conn *c, const struct vault *v, int64_t id, json_t *j,
			       int64_t user_id, int64_t now_ms, char why[CENTRE_WHY_MAX])
{
	static const struct {
		const char *key, *label;
	} areas[] = {{"summary", "総合所見"},
		     {"motor", "運動"},
		     {"language", "言語・コミュ"
				  "ニケーション"},
		     {"social", "対人関係・社会性"},
		     {"daily", "生活習慣"},
		     {"tool", "検査・評価の方法"}};
	int y, m, d;
	(void)now_ms;
	const char *on = json_string_value(json_object_get(j, "on_date"));
	if (!on || wareki_parse_iso(on, &y, &m, &d) != ERR_OK) {
		snprintf(why, CENTRE_WHY_MAX, "評価日を年-月-日で入力してください。");
		return ERR_INVALID;
	}
	json_t *o = json_object();
	for (size_t i = 0; i < sizeof areas / sizeof areas[0]; i++) {
		if (!note_or_empty(j, areas[i].key, 6000)) {
			snprintf(why, CENTRE_WHY_MAX, "%sは6,000バイト以内で入力してください。",
				 areas[i].label);
			json_decref(o);
			return ERR_INVALID;
		}
		json_object_set_new(o, areas[i].key, json_string(str(j, areas[i].key)));
	}
	if (!*str(o, "summary")) {
		snprintf(why, CENTRE_WHY_MAX, "総合所見を入力してください。");
		json_decref(o);
		return ERR_INVALID;
	}
	char *txt = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	struct store_stmt *st = store_prepare(
	    c, "INSERT INTO ce_assessments (case_id, on_date, body, user_id, at_ms) VALUES (?1, "
	       "?2, ?3, ?4, ?5)");
	enum err e = ERR_DB;
	if (st && txt) {
		store_bind_int(st, 1, id);
		store_bind_text(st, 2, on);
		vault_bind_sealed(v, st, 3, "ce_assessments.body", txt);
		if (user_id)
			store_bind_int(st, 4, user_id);
		else
			store_bind_null(st, 4);
		store_bind_int(st, 5, now_ms);
		e = casework_run(st);
	} else {
		store_finish(st);
	}
	vault_wipe_free(txt);
	return e;
}

enum err centre_plan_add(struct store_conn *c, const struct vault *v, int64_t id, json_t *j,
			 int64_t user_id, int64_t now_ms, int64_t *version, char review[11],
			 char why[CENTRE_WHY_MAX])
{
	const char *on = json_string_value(json_object_get(j, "on_date"));
	if (centre_review_date(on, review) != ERR_OK) {
		snprintf(why, CENTRE_WHY_MAX, "計画の作成日を年-月-日で入力してください。");
		return ERR_INVALID;
	}
	const char *policy = str(j, "policy");
	if (!text_note_ok(policy, 6000)) {
		snprintf(why, CENTRE_WHY_MAX, "支援の方針を6,000バイト以内で入力してください。");
		return ERR_INVALID;
	}
	json_t *goals = json_object_get(j, "goals"), *g, *out = json_array();
	size_t i;
	json_array_foreach(goals, i, g)
	{
		const char *s = json_string_value(g);
		if (!s || text_line_check(s, 200) != TEXT_OK || i >= 20) {
			snprintf(why, CENTRE_WHY_MAX, "目標は1行・200文字以内で、20件までです。");
			json_decref(out);
			return ERR_INVALID;
		}
		json_array_append_new(out, json_string(s));
	}
	if (json_array_size(out) == 0) {
		snprintf(why, CENTRE_WHY_MAX, "目標を1つ以上入力してください。");
		json_decref(out);
		return ERR_INVALID;
	}
	json_t *o = json_pack("{s:s, s:o}", "policy", policy, "goals", out);
	char *txt = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	*version = 0;
	struct store_stmt *st = store_prepare(
	    c, "SELECT coalesce(max(version), 0) + 1 FROM ce_plans WHERE case_id = ?1");
	if (st) {
		store_bind_int(st, 1, id);
		if (store_step(st) == STORE_ROW)
			*version = store_col_int(st, 0);
		store_finish(st);
	}
	enum err e = ERR_DB;
	st = *version ? store_prepare(c, "INSERT INTO ce_plans (case_id, version, on_date, "
					 "review_on, body, user_id, at_ms) VALUES (?1, ?2, ?3, "
					 "?4, ?5, ?6, ?7)")
		      : NULL;
	if (st && txt) {
		store_bind_int(st, 1, id);
		store_bind_int(st, 2, *version);
		store_bind_text(st, 3, on);
		store_bind_text(st, 4, review);
		vault_bind_sealed(v, st, 5, "ce_plans.body", txt);
		if (user_id)
			store_bind_int(st, 6, user_id);
		else
			store_bind_null(st, 6);
		store_bind_int(st, 7, now_ms);
		e = casework_run(st);
	} else {
		store_finish(st);
	}
	vault_wipe_free(txt);
	return e;
}

/* Appends to arr the rows of sql (case id bound as ?1): plain columns 0..nplain-1 named by
 * names (column 0 an integer, the others text), then the sealed column nplain of field, merged
 * in. ERR_CRYPTO, ERR_DB. */
static enum err rows(struct store_conn *c, const struct vault *v, int64_t id, const char *sql,
		     const char *const *names, int nplain, const char *field, json_t *arr)
{
	struct store_stmt *st = store_prepare(c, sql);
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, id);
	enum err e = ERR_OK;
	while (e == ERR_OK && store_step(st) == STORE_ROW) {
		char *txt = NULL;
		if (vault_unseal_column(v, st, nplain, field, &txt) != ERR_OK || !txt) {
			e = ERR_CRYPTO;
			break;
		}
		json_t *o = json_loads(txt, 0, NULL);
		vault_wipe_free(txt);
		if (!o) {
			e = ERR_CRYPTO;
			break;
		}
		for (int k = 0; k < nplain; k++)
			json_object_set_new(o, names[k],
					    k == 0 ? json_integer(store_col_int(st, k))
						   : json_string(store_col_text(st, k)));
		json_array_append_new(arr, o);
	}
	store_finish(st);
	return e;
}

enum err centre_care_json(struct store_conn *c, const struct vault *v, int64_t id, json_t *o)
{
	static const char *const an[] = {"id", "on_date"};
	static const char *const pn[] = {"version", "on_date", "review_on"};
	json_t *as = json_array(), *ps = json_array();
	json_object_set_new(o, "assessments", as);
	json_object_set_new(o, "plans", ps);
	enum err e = rows(c, v, id,
			  "SELECT id, on_date, body FROM ce_assessments WHERE case_id = ?1 "
			  "ORDER BY on_date DESC, id DESC",
			  an, 2, "ce_assessments.body", as);
	if (e == ERR_OK)
		e = rows(c, v, id,
			 "SELECT version, on_date, review_on, body FROM ce_plans WHERE case_id = "
			 "?1 ORDER BY version DESC",
			 pn, 3, "ce_plans.body", ps);
	return e;
}

json_t *centre_reviews_due(struct store_conn *c, const char *until)
{
	json_t *arr = json_array();
	struct store_stmt *st = store_prepare(
	    c, "SELECT k.id, k.number, p.review_on, p.on_date, p.version FROM ce_cases k LEFT "
	       "JOIN ce_plans p ON p.case_id = k.id AND p.version = (SELECT max(q.version) FROM "
	       "ce_plans q WHERE q.case_id = k.id) WHERE k.state = 'contracted' AND (p.review_on "
	       "IS NULL OR p.review_on <= ?1) ORDER BY p.review_on IS NOT NULL, p.review_on, "
	       "k.number");
	if (!st)
		return arr;
	store_bind_text(st, 1, until);
	while (store_step(st) == STORE_ROW) {
		int none = store_col_is_null(st, 2);
		json_array_append_new(arr,
				      json_pack("{s:I, s:s, s:s?, s:s?, s:I}", "id",
						(json_int_t)store_col_int(st, 0), "number",
						store_col_text(st, 1), "review_on",
						none ? NULL : store_col_text(st, 2), "plan_on",
						none ? NULL : store_col_text(st, 3), "version",
						(json_int_t)(none ? 0 : store_col_int(st, 4))));
	}
	store_finish(st);
	return arr;
}
