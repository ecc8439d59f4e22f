/* SPDX-License-Identifier: MIT */
/* household.c — a household of household support: the registration form (the seed's items,
 * each checked, one Japanese sentence naming the first problem), its JSON, and the record as
 * stored (利用者番号, the sealed form, the registration's state). */
#include "homehelp/homehelp.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/text.h"
#include "base/wareki.h"
#include "base/xalloc.h"
#include "mail/mail.h"
#include "store/store.h"
#include "vault/vault.h"

const struct grant_tables homehelp_tables = {
    "UPDATE hh_households SET state = ?1, updated_ms = ?2 WHERE id = ?3 AND state = ?4",
    "INSERT INTO hh_steps (application_id, from_state, to_state, user_id, note, at_ms) VALUES "
    "(?1, ?2, ?3, ?4, ?5, ?6)",
    "hh_steps.note"};

const char *homehelp_state_label(enum grant_state s, int approved)
{
	switch (s) {
	case GRANT_SUBMITTED:
		return "受付（資格確認中）";
	case GRANT_RETURNED:
		return "保留（世帯に確認中）";
	case GRANT_SCREENED:
		return "資格確認済（区の決定待ち）";
	case GRANT_APPROVED:
		return "利用決定（通知前）";
	case GRANT_REJECTED:
		return "却下（通知前）";
	case GRANT_NOTIFIED:
		return approved ? "利用中（利用決定・通知済）" : "却下・通知済";
	default:
		return grant_state_label(s, approved);
	}
}

/* The string member key of o, or NULL. */
static const char *str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Copies a text of at most max characters (one line when line) into *out. 0, or -1 with why;
 * optional: an absent or empty value is "". */
static int text(json_t *o, const char *key, size_t max, int optional, const char *label,
		char **out, char *why)
{
	const char *s = str(o, key);
	if (optional && (!s || !*s)) {
		*out = xstrdup("");
		return 0;
	}
	int ok = s && strlen(s) <= max * 4;
	for (const char *p = s; ok && *p; p++)
		ok = (unsigned char)*p >= 0x20 || *p == '\n';
	if (!ok || !*s || (max <= 120 && text_line_check(s, max) != TEXT_OK)) {
		snprintf(why, HOMEHELP_WHY_MAX, "%sを%zu文字以内で入力してください。", label, max);
		return -1;
	}
	*out = xstrdup(s);
	return 0;
}

enum err homehelp_form_parse(json_t *j, const char *today, struct hh_form *f,
			     char why[HOMEHELP_WHY_MAX])
{
	json_t *kids = json_object_get(j, "children"), *k;
	size_t i;
	memset(f, 0, sizeof *f);
	why[0] = '\0';
	if (!json_is_object(j)) {
		snprintf(why, HOMEHELP_WHY_MAX, "世帯の内容を送ってください。");
		return ERR_INVALID;
	}
	if (text(j, "guardian", 40, 0, "保護者の氏名", &f->guardian, why) ||
	    text(j, "address", 120, 0, "住所", &f->address, why) ||
	    text(j, "phone", 20, 0, "連絡先（電話番号）", &f->phone, why) ||
	    text(j, "email", 254, 1, "メールアドレス", &f->email, why) ||
	    text(j, "emergency", 100, 0, "緊急連絡先", &f->emergency, why) ||
	    text(j, "family", 200, 0, "世帯構成", &f->family, why) ||
	    text(j, "living", 1000, 1, "生活状況", &f->living, why) ||
	    text(j, "health", 1000, 1, "健康状態", &f->health, why) ||
	    text(j, "wanted", 1000, 0, "希望する家事支援の内容", &f->wanted, why) ||
	    text(j, "handbook", 20, 1, "親子健康手帳の交付番号", &f->handbook, why))
		return ERR_INVALID;
	if (*f->email && !mail_address_valid(f->email)) {
		snprintf(why, HOMEHELP_WHY_MAX, "メールアドレスが正しくありません。");
		return ERR_INVALID;
	}
	const char *tax = str(j, "tax");
	if (!tax || (strcmp(tax, "課税") != 0 && strcmp(tax, "非課税") != 0)) {
		snprintf(why, HOMEHELP_WHY_MAX, "住民税の課税状況（課税・非課税）を選んでください。");
		return ERR_INVALID;
	}
	f->tax = xstrdup(tax);
	f->welfare = json_is_true(json_object_get(j, "welfare"));
	f->pregnant_multiple = json_is_true(json_object_get(j, "pregnant_multiple"));
	if (*f->handbook && !f->pregnant_multiple) {
		snprintf(why, HOMEHELP_WHY_MAX,
			 "親子健康手帳の交付番号は、多胎妊婦の世帯だけが記入します。");
		return ERR_INVALID;
	}
	if (!json_is_array(kids) || json_array_size(kids) > HOMEHELP_CHILDREN_MAX ||
	    (json_array_size(kids) == 0 && !f->pregnant_multiple)) {
		snprintf(why, HOMEHELP_WHY_MAX,
			 "お子さまを1人以上%d人まで入力してください（多胎妊娠中でまだ生まれていない"
			 "ときを除く）。",
			 HOMEHELP_CHILDREN_MAX);
		return ERR_INVALID;
	}
	json_array_foreach(kids, i, k)
	{
		struct hh_form_child *c = &f->children[i];
		char label[64];
		int y, m, d;
		f->nchildren = i + 1;
		snprintf(label, sizeof label, "%zu人目のお子さまの氏名", i + 1);
		if (text(k, "name", 40, 0, label, &c->name, why))
			return ERR_INVALID;
		const char *b = str(k, "birth");
		if (!b || wareki_parse_iso(b, &y, &m, &d) != ERR_OK || strcmp(b, today) > 0) {
			snprintf(why, HOMEHELP_WHY_MAX,
				 "%zu人目のお子さまの生年月日を年-月-日（今日まで）で入力してください。",
				 i + 1);
			return ERR_INVALID;
		}
		snprintf(c->birth, sizeof c->birth, "%.10s", b);
		c->multiple = json_is_true(json_object_get(k, "multiple"));
		snprintf(label, sizeof label, "%zu人目のお子さまの保育サービス", i + 1);
		if (text(k, "childcare", 40, 1, label, &c->childcare, why))
			return ERR_INVALID;
		const char *since = str(k, "care_from");
		if (*c->childcare) {
			if (!since || wareki_parse_iso(since, &y, &m, &d) != ERR_OK) {
				snprintf(why, HOMEHELP_WHY_MAX,
					 "%zu人目のお子さまが保育サービスを使い始めた日を入力してください。",
					 i + 1);
				return ERR_INVALID;
			}
			if (strstr(c->childcare, "一時預かり")) {
				snprintf(why, HOMEHELP_WHY_MAX,
					 "一時預かりは保育サービスに含めません（%zu人目のお子さま）。",
					 i + 1);
				return ERR_INVALID;
			}
			snprintf(c->care_from, sizeof c->care_from, "%.10s", since);
		}
	}
	return ERR_OK;
}

json_t *homehelp_form_json(const struct hh_form *f)
{
	json_t *kids = json_array();
	for (size_t i = 0; i < f->nchildren; i++) {
		const struct hh_form_child *c = &f->children[i];
		json_array_append_new(kids, json_pack("{s:s, s:s, s:b, s:s, s:s}", "name", c->name,
						      "birth", c->birth, "multiple", c->multiple,
						      "childcare", c->childcare, "care_from",
						      c->care_from));
	}
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:s, s:o}",
			 "guardian", f->guardian, "address", f->address, "phone", f->phone,
			 "email", f->email, "emergency", f->emergency, "family", f->family,
			 "living", f->living, "health", f->health, "wanted", f->wanted, "tax",
			 f->tax, "welfare", f->welfare, "pregnant_multiple", f->pregnant_multiple,
			 "handbook", f->handbook, "children", kids);
}

void homehelp_form_clear(struct hh_form *f)
{
	char **s[] = {&f->guardian, &f->address, &f->phone,  &f->email,	 &f->emergency,
		      &f->family,   &f->living,	 &f->health, &f->wanted, &f->tax,
		      &f->handbook};
	for (size_t i = 0; i < sizeof s / sizeof s[0]; i++) {
		vault_wipe_free(*s[i]);
		*s[i] = NULL;
	}
	for (size_t i = 0; i < HOMEHELP_CHILDREN_MAX; i++) {
		vault_wipe_free(f->children[i].name);
		vault_wipe_free(f->children[i].childcare);
	}
	vault_wipe(f, sizeof *f);
}

size_t homehelp_form_kids(const struct hh_form *f, const char *date, struct hh_child *out)
{
	size_t n = 0;
	for (size_t i = 0; i < f->nchildren; i++) {
		const struct hh_form_child *c = &f->children[i];
		memset(&out[n], 0, sizeof out[n]);
		memcpy(out[n].birth, c->birth, 11);
		out[n].multiple = c->multiple;
		out[n].childcare = c->childcare && *c->childcare && strcmp(c->care_from, date) <= 0;
		n++;
	}
	return n;
}

void homehelp_household_clear(struct hh_household *h)
{
	homehelp_form_clear(&h->form);
	vault_wipe_free(h->fix_note);
	vault_wipe_free(h->reason);
	h->fix_note = h->reason = NULL;
}

enum err homehelp_household_load(struct store_conn *c, const struct vault *v, int64_t id,
				 struct hh_household *h)
{
	char *form = NULL, why[HOMEHELP_WHY_MAX];
	json_t *j = NULL;
	enum err e = ERR_DB;
	memset(h, 0, sizeof *h);
	struct store_stmt *st = store_prepare(
	    c, "SELECT number, state, decision, form, checks, fix_note, reason, applied_on, "
	       "starts_on, decided_on FROM hh_households WHERE id = ?1");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, id);
	int rc = store_step(st);
	if (rc != STORE_ROW) {
		e = rc == STORE_DONE ? ERR_NOTFOUND : ERR_DB;
		goto out;
	}
	h->id = id;
	snprintf(h->number, sizeof h->number, "%s", store_col_text(st, 0));
	h->state = (enum grant_state)grant_state_parse(store_col_text(st, 1));
	h->approved = !store_col_is_null(st, 2) && strcmp(store_col_text(st, 2), "approved") == 0;
	snprintf(h->checks, sizeof h->checks, "%s", store_col_text(st, 4));
	snprintf(h->applied_on, sizeof h->applied_on, "%s", store_col_text(st, 7));
	if (!store_col_is_null(st, 8))
		snprintf(h->starts_on, sizeof h->starts_on, "%s", store_col_text(st, 8));
	if (!store_col_is_null(st, 9))
		snprintf(h->decided_on, sizeof h->decided_on, "%s", store_col_text(st, 9));
	e = vault_unseal_column(v, st, 3, "hh_households.form", &form);
	if (e == ERR_OK)
		e = vault_unseal_column(v, st, 5, "hh_households.fix_note", &h->fix_note);
	if (e == ERR_OK)
		e = vault_unseal_column(v, st, 6, "hh_households.reason", &h->reason);
	if (e != ERR_OK)
		goto out;
	j = json_loads(form, 0, NULL);
	/* stored forms were checked when they came in; today's date only bounds births */
	e = j && homehelp_form_parse(j, "9999-12-31", &h->form, why) == ERR_OK ? ERR_OK
										: ERR_CRYPTO;
out:
	store_finish(st);
	json_decref(j);
	vault_wipe_free(form);
	if (e != ERR_OK)
		homehelp_household_clear(h);
	return e;
}

/* Takes the next 利用者番号 of fiscal year fy. */
static enum err next_number(struct store_conn *c, int fy, char out[16])
{
	enum err e = ERR_DB;
	struct store_stmt *st = store_prepare(
	    c, "INSERT INTO hh_numbers (fiscal_year, last) VALUES (?1, 1) ON CONFLICT (fiscal_year) "
	       "DO UPDATE SET last = hh_numbers.last + 1 RETURNING last");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, fy);
	if (store_step(st) == STORE_ROW) {
		snprintf(out, 16, "%04d%06" PRId64, fy % 10000, store_col_int(st, 0));
		e = ERR_OK;
	}
	store_finish(st);
	return e;
}

enum err homehelp_household_create(struct store_conn *c, const struct vault *v,
				   const struct hh_form *f, int64_t user_id, int64_t now_ms,
				   int64_t *id, char number[16])
{
	char today[11];
	int y, m, d;
	json_t *j = homehelp_form_json(f);
	char *form = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	clock_jst_date(now_ms, today, sizeof today);
	wareki_parse_iso(today, &y, &m, &d);
	enum err e = next_number(c, m >= 4 ? y : y - 1, number);
	struct store_stmt *st =
	    e == ERR_OK ? store_prepare(c, "INSERT INTO hh_households (number, state, form, "
					   "applied_on, created_ms, updated_ms) VALUES (?1, "
					   "'submitted', ?2, ?3, ?4, ?4)")
			: NULL;
	if (e == ERR_OK && !st)
		e = ERR_DB;
	if (st) {
		store_bind_text(st, 1, number);
		vault_bind_sealed(v, st, 2, "hh_households.form", form);
		store_bind_text(st, 3, today);
		store_bind_int(st, 4, now_ms);
		e = store_run(st);
		*id = store_last_id(c);
		store_finish(st);
	}
	st = e == ERR_OK ? store_prepare(c, "INSERT INTO hh_steps (application_id, from_state, "
					    "to_state, user_id, at_ms) VALUES (?1, 'draft', "
					    "'submitted', ?2, ?3)")
			 : NULL;
	if (st) {
		store_bind_int(st, 1, *id);
		store_bind_int(st, 2, user_id);
		store_bind_int(st, 3, now_ms);
		e = store_run(st);
		store_finish(st);
	}
	vault_wipe_free(form);
	return e;
}

enum err homehelp_household_replace(struct store_conn *c, const struct vault *v, int64_t id,
				    const struct hh_form *f, int64_t now_ms)
{
	json_t *j = homehelp_form_json(f);
	char *form = json_dumps(j, JSON_COMPACT);
	enum err e = ERR_DB;
	json_decref(j);
	struct store_stmt *st = store_prepare(
	    c, "UPDATE hh_households SET form = ?1, updated_ms = ?2 WHERE id = ?3");
	if (st) {
		vault_bind_sealed(v, st, 1, "hh_households.form", form);
		store_bind_int(st, 2, now_ms);
		store_bind_int(st, 3, id);
		e = store_run(st);
		store_finish(st);
	}
	vault_wipe_free(form);
	return e;
}
