/* SPDX-License-Identifier: MIT */
/* user.c — a plaza's registered users: the seed's items checked, sealed and blind-indexed for the
 * desk's search; the plazas and which plaza a staff account works at. */
#include "plaza/plaza.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "base/text.h"
#include "base/wareki.h"
#include "base/xalloc.h"
#include "plaza/terms.h"
#include "store/store.h"
#include "vault/vault.h"

const char *const plaza_field_key[PF_COUNT] = {"name",	"kana",	  "address", "birth",
					       "phone", "school", "grade"};
const char *const plaza_field_ja[PF_COUNT] = {"氏名",	  "ふりがな", "住所", "生年月日",
					      "電話番号", "学校名",   "学年"};

const struct vault *plaza_vault(struct app *a)
{
	return app_vault(a, PLAZA_SERVICE);
}

static const struct {
	const char *code, *name;
} plazas[PLAZA_COUNT] = {
    {"hirai", "平井"},
    {"chuo", "中央"},
    {"minamikoiwa", "南小岩"},
    {"kasai", "葛西"},
    {"minamishinozaki", "南篠崎"},
};

const char *plaza_name(int64_t id)
{
	return id >= 1 && id <= PLAZA_COUNT ? plazas[id - 1].name : NULL;
}

const char *plaza_code(int64_t id)
{
	return id >= 1 && id <= PLAZA_COUNT ? plazas[id - 1].code : NULL;
}

int64_t plaza_find(const char *s)
{
	for (int i = 0; s && i < PLAZA_COUNT; i++)
		if (strcmp(s, plazas[i].code) == 0 || strcmp(s, plazas[i].name) == 0)
			return i + 1;
	return 0;
}

int64_t plaza_staff_plaza(struct store_conn *c, int64_t user_id)
{
	struct store_stmt *st =
	    store_prepare(c, "SELECT plaza_id FROM plaza_staff WHERE user_id = ?");
	int64_t id = 0;
	if (!st)
		return 0;
	store_bind_int(st, 1, user_id);
	if (store_step(st) == STORE_ROW)
		id = store_col_int(st, 0);
	store_finish(st);
	return id;
}

enum err plaza_staff_set(struct store_conn *c, int64_t user_id, int64_t plaza_id)
{
	struct store_stmt *st = store_prepare(
	    c, plaza_id ? "INSERT INTO plaza_staff (user_id, plaza_id) VALUES (?1, ?2) ON CONFLICT "
			  "(user_id) DO UPDATE SET plaza_id = excluded.plaza_id"
			: "DELETE FROM plaza_staff WHERE user_id = ?1");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, user_id);
	if (plaza_id)
		store_bind_int(st, 2, plaza_id);
	enum err e = store_run(st);
	store_finish(st);
	return e;
}

int plaza_grade_ok(const char *g)
{
	static const char *const grades[] = {"未就学", "小1", "小2", "小3",  "小4",
					     "小5",    "小6", "中1", "中2",  "中3",
					     "高1",    "高2", "高3", "卒業", "一般"};
	for (size_t i = 0; g && i < sizeof grades / sizeof grades[0]; i++)
		if (strcmp(g, grades[i]) == 0)
			return 1;
	return 0;
}

int plaza_fields_check(char *const f[PF_COUNT], const char *today, const char **why)
{
	static const size_t max[PF_COUNT] = {40, 60, 120, 10, 20, 40, 8};
	int y, m, d;
	*why = NULL;
	for (int i = 0; i < PF_COUNT; i++) {
		int optional = i == PF_PHONE || i == PF_SCHOOL;
		if (!f[i] || (optional && !*f[i]))
			continue;
		enum text_problem problem = text_line_check(f[i], max[i]);
		if (problem == TEXT_EMPTY && i != PF_GRADE) {
			static const char *const missing[PF_COUNT] = {
			    "氏名を入力してください。",	  "ふりがなを入力してください。",
			    "住所を入力してください。",	  "生年月日を入力してください。",
			    "電話番号を入力してください。", "学校名を入力してください。",
			    NULL,
			};
			*why = missing[i];
			return 0;
		}
		if (problem != TEXT_OK) {
			static const char *const msg[PF_COUNT] = {
			    "氏名を40文字以内で入力してください。",
			    "ふりがなを60文字以内で入力してください。",
			    "住所を120文字以内で入力してください。",
			    "生年月日を年-月-日で入力してください。",
			    "電話番号を20文字以内で入力してください。",
			    "学校名を40文字以内で入力してください。",
			    "学年を選んでください。",
			};
			*why = msg[i];
			return 0;
		}
	}
	for (int i = 0; i < PF_COUNT; i++)
		if (!f[i] && i != PF_PHONE && i != PF_SCHOOL) {
			static char const *const miss =
			    "氏名・ふりがな・住所・生年月日・学年は必須です。";
			*why = miss;
			return 0;
		}
	if (!text_is_kana(f[PF_KANA])) {
		*why = "ふりがなはひらがなかカタカナで入力してください。";
		return 0;
	}
	if (wareki_parse_iso(f[PF_BIRTH], &y, &m, &d) != ERR_OK || strcmp(f[PF_BIRTH], today) > 0 ||
	    plaza_age(f[PF_BIRTH], today) > 120) {
		*why = "生年月日を年-月-日（今日まで）で入力してください。";
		return 0;
	}
	if (f[PF_PHONE] && strspn(f[PF_PHONE], "0123456789-") != strlen(f[PF_PHONE])) {
		*why = "電話番号は数字とハイフンで入力してください。";
		return 0;
	}
	if (!plaza_grade_ok(f[PF_GRADE])) {
		*why = "学年を選んでください（未就学、小1〜小6、中1〜中3、高1〜高3、卒業、一般）。";
		return 0;
	}
	return 1;
}

int plaza_age(const char *birth, const char *today)
{
	int by, bm, bd, ty, tm, td;
	if (!birth || !today || wareki_parse_iso(birth, &by, &bm, &bd) != ERR_OK ||
	    wareki_parse_iso(today, &ty, &tm, &td) != ERR_OK)
		return -1;
	return ty - by - (tm < bm || (tm == bm && td < bd));
}

const char *plaza_band(int age)
{
	return age <= 5	   ? "0-5"
	       : age <= 12 ? "6-12"
	       : age <= 15 ? "13-15"
	       : age <= 18 ? "16-18"
			   : "19+";
}

const char *plaza_band_label(const char *band)
{
	static const char *const bands[][2] = {{"0-5", "0〜5歳"},
					       {"6-12", "6〜12歳"},
					       {"13-15", "13〜15歳"},
					       {"16-18", "16〜18歳"},
					       {"19+", "19歳以上"}};
	for (size_t i = 0; band && i < sizeof bands / sizeof bands[0]; i++)
		if (strcmp(band, bands[i][0]) == 0)
			return bands[i][1];
	return band ? band : "";
}

int plaza_fiscal_year(const char *iso)
{
	int y, m, d;
	if (!iso || wareki_parse_iso(iso, &y, &m, &d) != ERR_OK)
		return 0;
	return m >= 4 ? y : y - 1;
}

/* Gives plaza_id's next card number into out (16 bytes) inside the caller's transaction. */
static enum err next_card(struct store_conn *c, int64_t plaza_id, char out[16])
{
	enum err e = ERR_DB;
	struct store_stmt *st =
	    store_prepare(c, "UPDATE plaza_plazas SET last_card = last_card + 1 "
			     "WHERE id = ? RETURNING last_card");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, plaza_id);
	if (store_step(st) == STORE_ROW) {
		snprintf(out, 16, "%" PRId64 "%06" PRId64, plaza_id, store_col_int(st, 0));
		e = ERR_OK;
	}
	store_finish(st);
	return e;
}

enum err plaza_user_write(struct store_conn *c, const struct vault *v, int64_t id, int64_t plaza_id,
			  char *const f[PF_COUNT], const char *today, int64_t now_ms,
			  int64_t *out_id, char *card_no)
{
	char card[16] = "";
	struct store_stmt *st;
	enum err e = ERR_OK;
	if (id == 0) {
		e = next_card(c, plaza_id, card);
		if (e != ERR_OK)
			return e;
		st = store_prepare(c,
				   "INSERT INTO plaza_users (name, kana, address, birth, phone, "
				   "school, grade, grade_fy, plaza_id, card_no, created_on, "
				   "active_on, created_ms, updated_ms) VALUES (?1, ?2, ?3, ?4, ?5, "
				   "?6, ?7, ?8, ?9, ?10, ?11, ?11, ?12, ?12)");
	} else {
		/* ?10 (the card, "" here) is named so that both engines see every parameter. */
		st = store_prepare(
		    c, "UPDATE plaza_users SET name = ?1, kana = ?2, address = ?3, "
		       "birth = ?4, phone = ?5, school = ?6, grade = ?7, grade_fy = ?8, "
		       "active_on = ?11, updated_ms = ?12 WHERE plaza_id = ?9 AND id = "
		       "?13 AND ?10 = ''");
	}
	if (!st)
		return ERR_DB;
	for (int i = 0; i < PF_COUNT; i++) {
		char field[40];
		snprintf(field, sizeof field, "plaza_users.%s", plaza_field_key[i]);
		vault_bind_sealed(v, st, i + 1, field, f[i] ? f[i] : "");
	}
	store_bind_int(st, 8, plaza_fiscal_year(today));
	store_bind_int(st, 9, plaza_id);
	store_bind_text(st, 10, card);
	store_bind_text(st, 11, today);
	store_bind_int(st, 12, now_ms);
	if (id)
		store_bind_int(st, 13, id);
	e = store_run(st);
	int changed = store_changes(c);
	store_finish(st);
	if (e != ERR_OK)
		return e;
	if (id && changed == 0)
		return ERR_NOTFOUND;
	if (!id)
		id = store_last_id(c);
	e = plaza_terms_write(c, v, id, plaza_id, f);
	if (e != ERR_OK)
		return e;
	if (out_id)
		*out_id = id;
	if (card_no)
		snprintf(card_no, 16, "%s", card);
	return ERR_OK;
}

enum err plaza_user_load(struct store_conn *c, const struct vault *v, int64_t id,
			 struct plaza_user *u)
{
	memset(u, 0, sizeof *u);
	struct store_stmt *st = store_prepare(
	    c, "SELECT plaza_id, card_no, grade_fy, created_on, active_on, name, kana, address, "
	       "birth, phone, school, grade FROM plaza_users WHERE id = ?");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, id);
	enum err e = ERR_NOTFOUND;
	if (store_step(st) == STORE_ROW) {
		u->id = id;
		u->plaza_id = store_col_int(st, 0);
		snprintf(u->card_no, sizeof u->card_no, "%s", store_col_text(st, 1));
		u->grade_fy = (int)store_col_int(st, 2);
		snprintf(u->created_on, sizeof u->created_on, "%s", store_col_text(st, 3));
		snprintf(u->active_on, sizeof u->active_on, "%s", store_col_text(st, 4));
		e = ERR_OK;
		for (int i = 0; e == ERR_OK && i < PF_COUNT; i++) {
			char field[40];
			snprintf(field, sizeof field, "plaza_users.%s", plaza_field_key[i]);
			e = vault_unseal_column(v, st, 5 + i, field, &u->f[i]);
		}
	}
	store_finish(st);
	if (e != ERR_OK)
		plaza_user_clear(u);
	return e;
}

void plaza_user_clear(struct plaza_user *u)
{
	for (int i = 0; i < PF_COUNT; i++) {
		vault_wipe_free(u->f[i]);
		u->f[i] = NULL;
	}
}
