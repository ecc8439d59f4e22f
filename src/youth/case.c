/* SPDX-License-Identifier: MIT */
/* case.c — a youth support case: the plazas, the person and the seven items of the profile
 * (sealed), its number, and the whole case as its workers see it once opened. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/role.h"
#include "base/clock.h"
#include "base/text.h"
#include "base/wareki.h"
#include "store/store.h"
#include "vault/vault.h"
#include "youth/youth.h"

/* Binds user id u as parameter idx, NULL for 0 (the CLI, the demo). */
static void bind_user(struct store_stmt *st, int idx, int64_t u)
{
	if (u)
		store_bind_int(st, idx, u);
	else
		store_bind_null(st, idx);
}

const struct casework_kind youth_casework = {
    .prefix = "yo",
    .object = "youth_case",
    .worker_role = ROLE_YOUTH_WORKER,
    .supervisor_role = ROLE_YOUTH_SUPERVISOR,
    .service = YOUTH_SERVICE,
    .noun = "ケース",
    .key = "case",
    .number_letter = 'Y',
    .closed_state = "closed",
    .closed_message = "このケースは終了しています。記録を加えるには、"
		      "スーパーバイザーにケースの再開を依頼してください。",
    .supervisor_how = "supervisor",
    .note_kinds = youth_note_kinds,
    .case_json = youth_case_json,
};

const struct youth_plaza youth_plazas[] = {
    {"hirai", "平井"},
    {"chuo", "中央"},
    {"minamikoiwa", "南小岩"},
    {"kasai", "葛西"},
    {"minamishinozaki", "南篠崎"},
    {0, 0},
};

const char *youth_plaza_label(const char *code)
{
	for (const struct youth_plaza *p = youth_plazas; code && p->code; p++)
		if (strcmp(p->code, code) == 0)
			return p->label;
	return NULL;
}

const char *const youth_note_kinds[] = {"学習サポート面談", "個別面談",	  "家庭訪問", "電話",
					"関係機関連絡",	    "ケース会議", "その他",   NULL};

int youth_note_kind_ok(const char *kind)
{
	for (size_t i = 0; kind && youth_note_kinds[i]; i++)
		if (strcmp(kind, youth_note_kinds[i]) == 0)
			return 1;
	return 0;
}

char *youth_person_parse(json_t *j, const char *today, char why[YOUTH_WHY_MAX])
{
	static const struct casework_field f[] = {
	    {"name", "氏名", 40, 0},
	    {"kana", "ふりがな", 40, 0},
	    {"school", "学校名", 60, 1},
	    {"grade", "学年", 10, 1},
	    {"plaza_number", "共育プラザの登録番号", 20, 1},
	};
	return casework_person_parse(j, f, sizeof f / sizeof f[0], today, why, YOUTH_WHY_MAX);
}

/* The profile's items: key, label. */
static const struct {
	const char *key, *label;
} profile_items[] = {
    {"family", "家庭状況"},	     {"health", "心身の状況"}, {"history", "成育歴"},
    {"schooling", "通学・学業状況"}, {"living", "生活状況"},   {"support", "支援内容"},
    {"facility", "施設利用"},
};

char *youth_profile_parse(json_t *j, char why[YOUTH_WHY_MAX])
{
	json_t *o = json_object();
	for (size_t i = 0; i < sizeof profile_items / sizeof profile_items[0]; i++) {
		const char *s = json_string_value(json_object_get(j, profile_items[i].key));
		if (!s || !*s) {
			json_object_set_new(o, profile_items[i].key, json_string(""));
			continue;
		}
		if (!text_note_ok(s, 6000)) {
			snprintf(why, YOUTH_WHY_MAX,
				 "%sは6,000バイト（おおむね2,000文字）以内で入力してください。",
				 profile_items[i].label);
			json_decref(o);
			return NULL;
		}
		json_object_set_new(o, profile_items[i].key, json_string(s));
	}
	char *txt = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return txt;
}

enum err youth_case_create(struct store_conn *c, const struct vault *v, const char *unit,
			   const char *person, const char *profile, int64_t user_id, int64_t now_ms,
			   int64_t *id, char number[16])
{
	enum err e = casework_number_next(c, &youth_casework, now_ms, number);
	if (e != ERR_OK)
		return e;
	struct store_stmt *st = store_prepare(
	    c, "INSERT INTO yo_cases (number, unit, person, profile, created_by, created_ms, "
	       "updated_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)");
	if (!st)
		return ERR_DB;
	store_bind_text(st, 1, number);
	store_bind_text(st, 2, unit);
	vault_bind_sealed(v, st, 3, "yo_cases.person", person);
	vault_bind_sealed(v, st, 4, "yo_cases.profile", profile);
	bind_user(st, 5, user_id);
	store_bind_int(st, 6, now_ms);
	e = casework_run(st);
	if (e == ERR_OK)
		*id = store_last_id(c);
	return e;
}

enum err youth_case_json(struct store_conn *c, const struct vault *v, int64_t id, json_t **out)
{
	enum err e = ERR_OK;
	*out = NULL;
	struct store_stmt *st = store_prepare(
	    c, "SELECT number, unit, state, person, profile, referral, referral_note, referral_ms, "
	       "referral_seen, closed_on FROM yo_cases WHERE id = ?1");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, id);
	int r = store_step(st);
	if (r != STORE_ROW) {
		store_finish(st);
		return r == STORE_DONE ? ERR_NOTFOUND : ERR_DB;
	}
	json_t *person = casework_sealed_json(v, st, 3, "yo_cases.person");
	json_t *profile = casework_sealed_json(v, st, 4, "yo_cases.profile");
	char *note = NULL;
	if (!person || !profile ||
	    vault_unseal_column(v, st, 6, "yo_cases.referral_note", &note) != ERR_OK) {
		json_decref(person);
		json_decref(profile);
		store_finish(st);
		return ERR_CRYPTO;
	}
	const char *unit = store_col_text(st, 1);
	const char *label = youth_plaza_label(unit);
	json_t *o =
	    json_pack("{s:I, s:s, s:s, s:s, s:s, s:s?, s:o, s:o, s:b, s:s, s:b}", "id",
		      (json_int_t)id, "number", store_col_text(st, 0), "plaza", unit, "plaza_label",
		      label ? label : unit, "state", store_col_text(st, 2), "closed_on",
		      store_col_is_null(st, 9) ? NULL : store_col_text(st, 9), "person", person,
		      "profile", profile, "referral", (int)store_col_int(st, 5), "referral_note",
		      note ? note : "", "referral_seen", !store_col_is_null(st, 8));
	vault_wipe_free(note);
	store_finish(st);
	json_object_set_new(o, "workers", casework_assigned_json(c, &youth_casework, id));
	json_t *notes = NULL;
	e = casework_notes_json(c, v, &youth_casework, id, &notes);
	json_object_set_new(o, "notes", notes);
	if (e == ERR_OK)
		e = youth_work_json(c, v, id, o);
	if (e != ERR_OK) {
		json_decref(o);
		return e;
	}
	*out = o;
	return ERR_OK;
}
