/* SPDX-License-Identifier: MIT */
/* person.c — a person of the bath-pass ledger: sealed fields, the match key (blind 宛名番号),
 * the row's keyed hash and the counter's search terms, and the small date rules (age, fiscal
 * year). */
#include "bathpass/bathpass.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/text.h"
#include "base/wareki.h"
#include "base/xalloc.h"
#include "store/store.h"
#include "vault/vault.h"

const char *const bath_field_col[BF_COUNT] = {"resident_no", "name",	 "kana",    "birth",
					      "sex",	     "postcode", "address", "katagaki",
					      "phone",	     "category"};
const char *const bath_field_ja[BF_COUNT] = {"宛名番号", "氏名",     "ふりがな", "生年月日",
					     "性別",	 "郵便番号", "住所",	 "方書",
					     "電話番号", "対象区分"};

#define KANA_TERM_MIN 2 /* kana of a prefix term: 2 … 6 */
#define KANA_TERM_MAX 6

size_t bath_kana_fold(const char *in, char *out, size_t n)
{
	return text_kana_fold(in, out, n);
}

void bath_name_fold(const char *s, char *out, size_t n)
{
	text_fold_spaces(s, out, n);
}

int bath_is_kana(const char *s)
{
	return text_is_kana(s);
}

int bath_age(const char *birth, const char *today)
{
	int by, bm, bd, ty, tm, td;
	if (wareki_parse_iso(birth, &by, &bm, &bd) != ERR_OK ||
	    wareki_parse_iso(today, &ty, &tm, &td) != ERR_OK)
		return -1;
	/* Japanese law: a year of age is reached the day before the birthday; for the counter the
	 * birthday itself is what people expect, and the host extract decides eligibility. */
	int age = ty - by;
	if (tm < bm || (tm == bm && td < bd))
		age--;
	return age;
}

int bath_fiscal_year(const char *iso)
{
	int y, m, d;
	if (wareki_parse_iso(iso, &y, &m, &d) != ERR_OK)
		return 0;
	return m >= 4 ? y : y - 1;
}

void bath_today(char out[11])
{
	clock_jst_date(clock_now_ms(), out, 11);
}

void bath_resident_index(const struct vault *v, const char *resident, unsigned char out[32])
{
	vault_blind(v, "bath-resident", resident, out);
}

void bath_row_mac(const struct vault *v, char *const f[BF_COUNT], unsigned char out[32])
{
	size_t len = 1;
	for (int i = 0; i < BF_COUNT; i++)
		len += strlen(f[i]) + 1;
	char *joined = xmalloc(len);
	size_t at = 0;
	for (int i = 0; i < BF_COUNT; i++) {
		size_t k = strlen(f[i]);
		memcpy(joined + at, f[i], k);
		at += k;
		joined[at++] = '\x1f';
	}
	joined[at] = '\0';
	vault_blind(v, "bath-row", joined, out);
	vault_wipe(joined, len);
	free(joined);
}

void bath_term(const struct vault *v, const char *kind, const char *text, unsigned char out[32])
{
	char buf[512];
	snprintf(buf, sizeof buf, "%s:%s", kind, text);
	vault_blind(v, "bath-term", buf, out);
	vault_wipe(buf, sizeof buf);
}

void bath_person_clear(struct bath_person *p)
{
	for (int i = 0; i < BF_COUNT; i++) {
		vault_wipe_free(p->f[i]);
		p->f[i] = NULL;
	}
	vault_wipe_free(p->excluded_on);
	vault_wipe_free(p->excluded_why);
	vault_wipe_free(p->note);
	p->excluded_on = p->excluded_why = p->note = NULL;
}

/* Unseals column col of the row into *out (NULL for SQL NULL). */
static enum err unseal_col(const struct vault *v, struct store_stmt *st, int col, const char *name,
			   char **out)
{
	char field[64];
	size_t len = 0;
	*out = NULL;
	if (store_col_is_null(st, col))
		return ERR_OK;
	const void *blob = store_col_blob(st, col, &len);
	snprintf(field, sizeof field, "bath_people.%s", name);
	return vault_unseal(v, field, blob, len, out);
}

enum err bath_person_from_row(const struct vault *v, struct store_stmt *st, int col,
			      int64_t id, struct bath_person *p)
{
	enum err e = ERR_OK;
	memset(p, 0, sizeof *p);
	p->id = id;
	for (int i = 0; i < BF_COUNT; i++) {
		e = unseal_col(v, st, col + i, bath_field_col[i], &p->f[i]);
		if (e == ERR_OK && !p->f[i])
			e = ERR_CRYPTO;
		if (e != ERR_OK)
			goto out;
	}
	p->excluded = (int)store_col_int(st, col + 10);
	e = unseal_col(v, st, col + 11, "excluded_on", &p->excluded_on);
	if (e == ERR_OK)
		e = unseal_col(v, st, col + 12, "excluded_why", &p->excluded_why);
	if (e == ERR_OK)
		e = unseal_col(v, st, col + 13, "note", &p->note);
out:
	if (e != ERR_OK)
		bath_person_clear(p);
	return e;
}

enum err bath_person_load(struct store_conn *c, const struct vault *v, int64_t id,
			  struct bath_person *p)
{
	memset(p, 0, sizeof *p);
	struct store_stmt *st =
	    store_prepare(c, "SELECT " BATH_PERSON_COLS " FROM bath_people WHERE id = ?");
	enum err e = ERR_DB;
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, id);
	int r = store_step(st);
	if (r == STORE_ROW)
		e = bath_person_from_row(v, st, 0, id, p);
	else
		e = r == STORE_DONE ? ERR_NOTFOUND : ERR_DB;
	store_finish(st);
	return e;
}

static enum err insert_term(struct store_conn *c, int64_t id, const unsigned char term[32])
{
	struct store_stmt *st =
	    store_prepare(c, "INSERT INTO bath_terms (person_id, term) VALUES (?, ?)");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, id);
	store_bind_blob(st, 2, term, 32);
	enum err e = store_run(st);
	store_finish(st);
	return e;
}

/* Replaces the person's search terms: kana prefixes of 2..6, the name without spaces, the
 * birth date. */
static enum err write_terms(struct store_conn *c, const struct vault *v, int64_t id,
			    char *const f[BF_COUNT])
{
	unsigned char term[32];
	char kana[256], name[512];
	enum err e = ERR_DB;
	struct store_stmt *st = store_prepare(c, "DELETE FROM bath_terms WHERE person_id = ?");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, id);
	e = store_run(st);
	store_finish(st);
	if (e != ERR_OK)
		return e;
	size_t nk = bath_kana_fold(f[BF_KANA], kana, sizeof kana);
	/* Prefix terms: the first 2 … 6 characters. */
	const char *p = kana;
	size_t bytes[KANA_TERM_MAX + 1] = {0};
	for (size_t i = 1; i <= KANA_TERM_MAX && i <= nk; i++) {
		unsigned cp;
		size_t k = text_utf8_next((const unsigned char *)p, &cp);
		p += k;
		bytes[i] = (size_t)(p - kana);
	}
	for (size_t i = KANA_TERM_MIN; i <= KANA_TERM_MAX && i <= nk && e == ERR_OK; i++) {
		char pre[64];
		memcpy(pre, kana, bytes[i]);
		pre[bytes[i]] = '\0';
		bath_term(v, "kana", pre, term);
		e = insert_term(c, id, term);
	}
	bath_name_fold(f[BF_NAME], name, sizeof name);
	/* The surname alone too: what stands before the first space of 氏名. */
	char surname[512];
	size_t cut = strcspn(f[BF_NAME], " \xE3");
	while (f[BF_NAME][cut] && strncmp(f[BF_NAME] + cut, "\xE3\x80\x80", 3) != 0 &&
	       f[BF_NAME][cut] != ' ')
		cut += 1 + strcspn(f[BF_NAME] + cut + 1, " \xE3");
	snprintf(surname, sizeof surname, "%.*s", (int)cut, f[BF_NAME]);
	int has_surname = f[BF_NAME][cut] && cut > 0;
	const char *more[][2] = {{"name", name}, {"birth", f[BF_BIRTH]}, {"name", surname}};
	for (size_t i = 0; i < (has_surname ? 3u : 2u) && e == ERR_OK; i++) {
		bath_term(v, more[i][0], more[i][1], term);
		e = insert_term(c, id, term);
	}
	vault_wipe(kana, sizeof kana);
	vault_wipe(name, sizeof name);
	vault_wipe(surname, sizeof surname);
	return e;
}

enum err bath_person_write(struct store_conn *c, const struct vault *v, int64_t id,
			   char *const f[BF_COUNT], int64_t snapshot_id, int64_t now_ms,
			   int64_t *out_id)
{
	unsigned char idx[32], mac[32];
	bath_resident_index(v, f[BF_RESIDENT], idx);
	bath_row_mac(v, f, mac);
	struct store_stmt *st;
	if (id == 0)
		st = store_prepare(
		    c, "INSERT INTO bath_people (resident_idx, row_mac, resident_no, name, kana, "
		       "birth, sex, postcode, address, katagaki, phone, category, snapshot_id, "
		       "created_ms, updated_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
		       "?11, ?12, ?13, ?14, ?14)");
	else
		st = store_prepare(
		    c, "UPDATE bath_people SET resident_idx = ?1, row_mac = ?2, resident_no = ?3, "
		       "name = ?4, kana = ?5, birth = ?6, sex = ?7, postcode = ?8, address = ?9, "
		       "katagaki = ?10, phone = ?11, category = ?12, snapshot_id = ?13, "
		       "updated_ms = ?14, excluded = 0, excluded_on = NULL, excluded_why = NULL "
		       "WHERE id = ?15");
	if (!st)
		return ERR_DB;
	store_bind_blob(st, 1, idx, sizeof idx);
	store_bind_blob(st, 2, mac, sizeof mac);
	for (int i = 0; i < BF_COUNT; i++) {
		char field[64];
		snprintf(field, sizeof field, "bath_people.%s", bath_field_col[i]);
		vault_bind_sealed(v, st, 3 + i, field, f[i]);
	}
	store_bind_int(st, 13, snapshot_id);
	store_bind_int(st, 14, now_ms);
	if (id)
		store_bind_int(st, 15, id);
	enum err e = store_run(st);
	store_finish(st);
	if (e != ERR_OK)
		return e;
	if (id == 0)
		id = store_last_id(c);
	e = write_terms(c, v, id, f);
	if (e == ERR_OK && out_id)
		*out_id = id;
	return e;
}

enum err bath_person_exclude(struct store_conn *c, const struct vault *v, int64_t id,
			     const char *on, const char *why, int64_t snapshot_id, int64_t now_ms)
{
	struct store_stmt *st = store_prepare(
	    c, "UPDATE bath_people SET excluded = 1, excluded_on = ?, excluded_why = ?, "
	       "snapshot_id = CASE WHEN ? > 0 THEN ? ELSE snapshot_id END, updated_ms = ? "
	       "WHERE id = ?");
	if (!st)
		return ERR_DB;
	vault_bind_sealed(v, st, 1, "bath_people.excluded_on", on);
	vault_bind_sealed(v, st, 2, "bath_people.excluded_why", why);
	store_bind_int(st, 3, snapshot_id);
	store_bind_int(st, 4, snapshot_id);
	store_bind_int(st, 5, now_ms);
	store_bind_int(st, 6, id);
	enum err e = store_run(st);
	if (e == ERR_OK && store_changes(c) == 0)
		e = ERR_NOTFOUND;
	store_finish(st);
	return e;
}
