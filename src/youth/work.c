/* SPDX-License-Identifier: MIT */
/* work.c — a case's work besides its notes: assessments (アセスメント), the individual support
 * plan (個別支援計画: a policy and goals, each with its review date; every change a new
 * version) and the referral flag for the ward (区への連絡・つなぎ). Sealed under the service's key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"
#include "base/wareki.h"
#include "store/store.h"
#include "vault/vault.h"
#include "youth/youth.h"

#define GOALS_MAX 10

/* Returns 1 when s is an ISO date. */

/* Binds user id u as parameter idx, NULL for 0 (the CLI, the demo). */
static void bind_user(struct store_stmt *st, int idx, int64_t u)
{
	if (u)
		store_bind_int(st, idx, u);
	else
		store_bind_null(st, idx);
}

static int iso_ok(const char *s)
{
	int y, m, d;
	return s && wareki_parse_iso(s, &y, &m, &d) == ERR_OK;
}

enum err youth_assessment_add(struct store_conn *c, const struct vault *v, int64_t id, json_t *j,
			      int64_t user_id, int64_t now_ms, char why[YOUTH_WHY_MAX])
{
	static const struct {
		const char *key, *label;
	} f[] = {{"summary", "見立て"}, {"needs", "課題・ニーズ"}, {"strengths", "強み・資源"}};
	const char *on = json_string_value(json_object_get(j, "on_date"));
	if (!iso_ok(on)) {
		snprintf(why, YOUTH_WHY_MAX, "アセスメントの日付を年-月-日で入力してください。");
		return ERR_INVALID;
	}
	json_t *o = json_object();
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
		const char *s = json_string_value(json_object_get(j, f[i].key));
		if (!s || !text_note_ok(s, 6000)) {
			snprintf(why, YOUTH_WHY_MAX,
				 "%sを入力してください（おおむね2,000文字まで）。", f[i].label);
			json_decref(o);
			return ERR_INVALID;
		}
		json_object_set_new(o, f[i].key, json_string(s));
	}
	char *txt = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	struct store_stmt *st = store_prepare(
	    c,
	    "INSERT INTO yo_assessments (case_id, on_date, body, user_id, at_ms) VALUES (?1, ?2, "
	    "?3, ?4, ?5)");
	enum err e = ERR_DB;
	if (st) {
		store_bind_int(st, 1, id);
		store_bind_text(st, 2, on);
		vault_bind_sealed(v, st, 3, "yo_assessments.body", txt);
		bind_user(st, 4, user_id);
		store_bind_int(st, 5, now_ms);
		e = casework_run(st);
	}
	vault_wipe_free(txt);
	return e;
}

enum err youth_plan_put(struct store_conn *c, const struct vault *v, int64_t id, json_t *j,
			int64_t user_id, int64_t now_ms, int64_t *version, char why[YOUTH_WHY_MAX])
{
	const char *policy = json_string_value(json_object_get(j, "policy"));
	const char *review = json_string_value(json_object_get(j, "review_on"));
	json_t *goals = json_object_get(j, "goals");
	if (!policy || !text_note_ok(policy, 6000)) {
		snprintf(why, YOUTH_WHY_MAX,
			 "支援方針を入力してください（おおむね2,000文字まで）。");
		return ERR_INVALID;
	}
	if (!iso_ok(review)) {
		snprintf(why, YOUTH_WHY_MAX, "計画の見直し日を年-月-日で入力してください。");
		return ERR_INVALID;
	}
	if (!json_is_array(goals) || json_array_size(goals) < 1 ||
	    json_array_size(goals) > GOALS_MAX) {
		snprintf(why, YOUTH_WHY_MAX, "目標を1つから%d個まで入力してください。", GOALS_MAX);
		return ERR_INVALID;
	}
	json_t *o = json_pack("{s:s, s:[]}", "policy", policy, "goals");
	json_t *arr = json_object_get(o, "goals");
	size_t i;
	json_t *g;
	json_array_foreach(goals, i, g)
	{
		const char *goal = json_string_value(json_object_get(g, "goal"));
		const char *on = json_string_value(json_object_get(g, "review_on"));
		if (!goal || text_line_check(goal, 200) != TEXT_OK || !iso_ok(on)) {
			snprintf(why, YOUTH_WHY_MAX,
				 "目標%zu：目標（1行・200文字以内）と見直し日（年-月-"
				 "日）を入力してください。",
				 i + 1);
			json_decref(o);
			return ERR_INVALID;
		}
		json_array_append_new(arr, json_pack("{s:s, s:s}", "goal", goal, "review_on", on));
	}
	char *txt = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	enum err e = ERR_DB;
	struct store_stmt *st =
	    store_prepare(c, "SELECT coalesce(max(version), 0) FROM yo_plans WHERE case_id = ?1");
	if (st) {
		store_bind_int(st, 1, id);
		if (store_step(st) == STORE_ROW) {
			*version = store_col_int(st, 0) + 1;
			e = ERR_OK;
		}
		store_finish(st);
	}
	if (e == ERR_OK) {
		st = store_prepare(c, "INSERT INTO yo_plans (case_id, version, goals, review_on, "
				      "user_id, at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
		e = ERR_DB;
		if (st) {
			store_bind_int(st, 1, id);
			store_bind_int(st, 2, *version);
			vault_bind_sealed(v, st, 3, "yo_plans.goals", txt);
			store_bind_text(st, 4, review);
			bind_user(st, 5, user_id);
			store_bind_int(st, 6, now_ms);
			e = casework_run(st);
		}
	}
	vault_wipe_free(txt);
	return e;
}

enum err youth_referral_set(struct store_conn *c, const struct vault *v, int64_t id, int on,
			    const char *note, int64_t now_ms, char why[YOUTH_WHY_MAX])
{
	if (on && (!note || !text_note_ok(note, 3000))) {
		snprintf(why, YOUTH_WHY_MAX,
			 "区へつなぐ理由を入力してください（おおむね1,000文字まで）。");
		return ERR_INVALID;
	}
	struct store_stmt *st = store_prepare(
	    c, "UPDATE yo_cases SET referral = ?2, referral_note = ?3, referral_ms = ?4, "
	       "referral_seen = NULL, updated_ms = ?5 WHERE id = ?1");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, id);
	store_bind_int(st, 2, on ? 1 : 0);
	if (on)
		vault_bind_sealed(v, st, 3, "yo_cases.referral_note", note);
	else
		store_bind_null(st, 3);
	if (on)
		store_bind_int(st, 4, now_ms);
	else
		store_bind_null(st, 4); /* taken back: no referral time, but the case changed now */
	store_bind_int(st, 5, now_ms);
	enum err e = casework_run(st);
	if (e == ERR_OK && store_changes(c) == 0)
		e = ERR_NOTFOUND;
	return e;
}

/* Unseals column col of st for field as JSON into *out; ERR_CRYPTO when it does not. */
static enum err unseal_json(const struct vault *v, struct store_stmt *st, int col,
			    const char *field, json_t **out)
{
	char *txt = NULL;
	*out = NULL;
	if (vault_unseal_column(v, st, col, field, &txt) != ERR_OK || !txt)
		return ERR_CRYPTO;
	*out = json_loads(txt, 0, NULL);
	vault_wipe_free(txt);
	return *out ? ERR_OK : ERR_CRYPTO;
}

enum err youth_work_json(struct store_conn *c, const struct vault *v, int64_t id, json_t *o)
{
	enum err e = ERR_OK;
	json_t *arr = json_array();
	json_object_set_new(o, "assessments", arr);
	struct store_stmt *st = store_prepare(
	    c, "SELECT a.id, a.on_date, a.body, u.login FROM yo_assessments a LEFT JOIN users u ON "
	       "u.id = a.user_id WHERE a.case_id = ?1 ORDER BY a.on_date DESC, a.id DESC");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, id);
	while (e == ERR_OK && store_step(st) == STORE_ROW) {
		json_t *b = NULL;
		e = unseal_json(v, st, 2, "yo_assessments.body", &b);
		if (e != ERR_OK)
			break;
		json_object_set_new(b, "id", json_integer(store_col_int(st, 0)));
		json_object_set_new(b, "on_date", json_string(store_col_text(st, 1)));
		json_object_set_new(
		    b, "by", json_string(store_col_is_null(st, 3) ? "" : store_col_text(st, 3)));
		json_array_append_new(arr, b);
	}
	store_finish(st);
	if (e != ERR_OK)
		return e;
	json_object_set_new(o, "plan", json_null());
	st = store_prepare(c, "SELECT p.version, p.goals, p.review_on, u.login, p.at_ms FROM "
			      "yo_plans p LEFT JOIN users u ON u.id = p.user_id WHERE p.case_id = "
			      "?1 ORDER BY p.version DESC LIMIT 1");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, id);
	if (store_step(st) == STORE_ROW) {
		json_t *p = NULL;
		e = unseal_json(v, st, 1, "yo_plans.goals", &p);
		if (e == ERR_OK) {
			json_object_set_new(p, "version", json_integer(store_col_int(st, 0)));
			json_object_set_new(p, "review_on", json_string(store_col_text(st, 2)));
			json_object_set_new(
			    p, "by",
			    json_string(store_col_is_null(st, 3) ? "" : store_col_text(st, 3)));
			json_object_set_new(p, "at_ms", json_integer(store_col_int(st, 4)));
			json_object_set_new(o, "plan", p);
		}
	}
	store_finish(st);
	return e;
}
