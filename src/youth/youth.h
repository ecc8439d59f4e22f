/* SPDX-License-Identifier: MIT */
/* youth.h — youth support casework's own parts (ユースサポート, seed 001; 要配慮個人情報): the
 * plazas its workers belong to, a case's person and profile (the seed's items), assessments,
 * the individual support plan and the referral flag. Access, openings and the versioned notes
 * are the platform's casework layer (casework/casework.h) on the service's own tables (yo_*);
 * everything personal is sealed under the service's own key (youth_vault). */
#ifndef MIMAMORI_YOUTH_YOUTH_H
#define MIMAMORI_YOUTH_YOUTH_H
#include <jansson.h>
#include <stdint.h>

#include "base/err.h"
#include "casework/casework.h"

struct app;
struct store_conn;
struct vault;

#define YOUTH_SERVICE "youth"
#define YOUTH_WHY_MAX 200

/* The service's casework (tables yo_*, audit objects youth_case:ID). */
extern const struct casework_kind youth_casework;
/* Returns the service's vault (its own data key); lives as long as a. */
const struct vault *youth_vault(struct app *a);

/* A plaza (共育プラザ) whose workers take cases. */
struct youth_plaza {
	const char *code;  /* stored: "hirai" */
	const char *label; /* 平井 */
};
/* The five plazas, ending with {0}. */
extern const struct youth_plaza youth_plazas[];
/* Returns the label of plaza code, or NULL when there is none such. */
const char *youth_plaza_label(const char *code);

/* The kinds of case notes (学習サポート面談 …), ending with NULL. */
extern const char *const youth_note_kinds[];
/* Returns 1 when kind is one of them. */
int youth_note_kind_ok(const char *kind);

/* case.c: a case's sealed parts. */
/* Checks the person (氏名, ふりがな, 生年月日, 学校名, 学年, 登録番号) of JSON j and returns its
 * JSON text (malloc'd; caller wipes with vault_wipe_free), or NULL with why. */
char *youth_person_parse(json_t *j, const char *today, char why[YOUTH_WHY_MAX]);
/* Checks the profile (家庭状況, 心身の状況, 成育歴, 通学・学業状況, 生活状況, 支援内容, 施設利用)
 * of JSON j and returns its JSON text (malloc'd; caller wipes it), or NULL with why. */
char *youth_profile_parse(json_t *j, char why[YOUTH_WHY_MAX]);
/* Stores a new case of plaza unit with the person and profile texts (sealed here), in the
 * caller's transaction: its id and number (Y2026-0001). */
enum err youth_case_create(struct store_conn *c, const struct vault *v, const char *unit,
			   const char *person, const char *profile, int64_t user_id, int64_t now_ms,
			   int64_t *id, char number[16]);
/* Returns the whole case id as JSON in *out (new reference): number, plaza, state, person,
 * profile, referral, the assigned workers, notes, assessments, the plan. ERR_NOTFOUND,
 * ERR_CRYPTO, ERR_DB. */
enum err youth_case_json(struct store_conn *c, const struct vault *v, int64_t id, json_t **out);

/* work.c: assessments, the plan, the referral. */
/* Adds an assessment of JSON j (on_date, summary, needs, strengths) to case id; ERR_INVALID
 * with why. */
enum err youth_assessment_add(struct store_conn *c, const struct vault *v, int64_t id, json_t *j,
			      int64_t user_id, int64_t now_ms, char why[YOUTH_WHY_MAX]);
/* Stores a new version of case id's support plan of JSON j (policy, goals [{goal, review_on}],
 * review_on); ERR_INVALID with why. *version the new version. */
enum err youth_plan_put(struct store_conn *c, const struct vault *v, int64_t id, json_t *j,
			int64_t user_id, int64_t now_ms, int64_t *version, char why[YOUTH_WHY_MAX]);
/* Sets or clears case id's referral to the ward (note sealed; required when set). */
enum err youth_referral_set(struct store_conn *c, const struct vault *v, int64_t id, int on,
			    const char *note, int64_t now_ms, char why[YOUTH_WHY_MAX]);
/* Appends case id's assessments (newest first) and latest plan to o. ERR_CRYPTO, ERR_DB. */
enum err youth_work_json(struct store_conn *c, const struct vault *v, int64_t id, json_t *o);

#endif
