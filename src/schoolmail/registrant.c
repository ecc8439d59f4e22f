/* SPDX-License-Identifier: MIT */
/* registrant.c — guardians' addresses and the children they registered at schools: register,
 * update, remove, list with search, counts per grade and class. Names and addresses are sealed
 * under the service's key; an address is found by its blind index ("school-email"). */
#include "schoolmail/schoolmail.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/text.h"
#include "base/xalloc.h"
#include "mail/mail.h"
#include "store/store.h"
#include "vault/vault.h"

#define F_EMAIL "school_addresses.email"
#define F_CHILD "school_registrants.child"
#define F_GUARDIAN "school_registrants.guardian"

int schoolmail_person_ok(const char *text)
{
	return text && text_line_check(text, SCHOOLMAIL_PERSON_MAX) == TEXT_OK;
}

/* The blind index of an address (lower-cased) under this service's key. */
static void email_index(const struct vault *v, const char *email,
			unsigned char idx[VAULT_BLIND_LEN])
{
	char *lower = xstrdup(email);
	for (char *p = lower; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	vault_blind(v, "school-email", lower, idx);
	vault_wipe_free(lower);
}

/* s without ASCII spaces and ideographic spaces (U+3000), lower-cased ASCII, into out (n). */
static void fold(const char *s, char *out, size_t n)
{
	size_t k = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p && k + 1 < n;) {
		if (*p == ' ' || *p == '\t') {
			p++;
		} else if (p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80) {
			p += 3;
		} else {
			out[k++] = (char)tolower(*p);
			p++;
		}
	}
	out[k] = '\0';
}

enum err schoolmail_address_find(struct store_conn *c, const struct vault *v, const char *email,
				 int64_t *id)
{
	unsigned char idx[VAULT_BLIND_LEN];
	email_index(v, email, idx);
	struct store_stmt *st = store_prepare(c, "SELECT id FROM school_addresses WHERE email_idx = ?");
	if (!st)
		return ERR_DB;
	store_bind_blob(st, 1, idx, sizeof idx);
	int rc = store_step(st);
	*id = rc == STORE_ROW ? store_col_int(st, 0) : 0;
	store_finish(st);
	return rc == STORE_ROW || rc == STORE_DONE ? ERR_OK : ERR_DB;
}

enum err schoolmail_address_email(struct store_conn *c, const struct vault *v, int64_t id,
				  char **email)
{
	struct store_stmt *st = store_prepare(c, "SELECT email_enc FROM school_addresses WHERE id = ?");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, id);
	int rc = store_step(st);
	enum err e = rc == STORE_DONE ? ERR_NOTFOUND : ERR_DB;
	if (rc == STORE_ROW) {
		size_t len = 0;
		const void *b = store_col_blob(st, 0, &len);
		e = vault_unseal(v, F_EMAIL, b, len, email);
	}
	store_finish(st);
	return e;
}

/* The address row of email on c, added when missing. */
static enum err address_get_or_add(struct store_conn *c, const struct vault *v, const char *email,
				   int64_t *id)
{
	enum err e = schoolmail_address_find(c, v, email, id);
	if (e != ERR_OK || *id)
		return e;
	unsigned char idx[VAULT_BLIND_LEN];
	email_index(v, email, idx);
	struct store_stmt *st = store_prepare(
	    c, "INSERT INTO school_addresses(email_enc, email_idx, created_ms) VALUES (?, ?, ?)");
	if (!st)
		return ERR_DB;
	vault_bind_sealed(v, st, 1, F_EMAIL, email);
	store_bind_blob(st, 2, idx, sizeof idx);
	store_bind_int(st, 3, clock_now_ms());
	e = store_run(st);
	store_finish(st);
	*id = store_last_id(c);
	return e;
}

/* The registration of address_id at school_id whose child is folded name, or 0. */
static enum err same_child(struct store_conn *c, const struct vault *v, int64_t address_id,
			   int64_t school_id, const char *folded, int64_t *id)
{
	struct store_stmt *st = store_prepare(
	    c, "SELECT id, child_enc FROM school_registrants WHERE address_id = ? AND school_id = ?");
	enum err e = ERR_DB;
	int rc = 0;
	*id = 0;
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, address_id);
	store_bind_int(st, 2, school_id);
	while (!*id && (rc = store_step(st)) == STORE_ROW) {
		size_t len = 0;
		char *name = NULL, f[4 * SCHOOLMAIL_PERSON_MAX + 1];
		const void *b = store_col_blob(st, 1, &len);
		e = vault_unseal(v, F_CHILD, b, len, &name);
		if (e != ERR_OK)
			goto out;
		fold(name, f, sizeof f);
		if (strcmp(f, folded) == 0)
			*id = store_col_int(st, 0);
		vault_wipe(f, sizeof f);
		vault_wipe_free(name);
	}
	e = *id || rc == STORE_DONE ? ERR_OK : ERR_DB;
out:
	store_finish(st);
	return e;
}

/* The school's grades and classes on c. */
static enum err school_size(struct store_conn *c, int64_t school_id, int *grades, int *classes)
{
	struct store_stmt *st = store_prepare(c, "SELECT grades, classes FROM schools WHERE id = ?");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, school_id);
	int rc = store_step(st);
	if (rc == STORE_ROW) {
		*grades = (int)store_col_int(st, 0);
		*classes = (int)store_col_int(st, 1);
	}
	store_finish(st);
	return rc == STORE_ROW ? ERR_OK : rc == STORE_DONE ? ERR_NOTFOUND : ERR_DB;
}

/* NULL when grade and klass fit the school and child is a name, else a Japanese reason. */
static const char *child_problem(int grades, int classes, int grade, int klass,
				 const char *child)
{
	if (grade < 1 || grade > grades)
		return "学年を選んでください。";
	if (klass < 1 || klass > classes)
		return "組を選んでください。";
	if (!schoolmail_person_ok(child))
		return "児童・生徒氏名を40文字以内で入力してください。";
	return NULL;
}

enum err schoolmail_register(struct store_conn *c, const struct vault *v, int64_t school_id,
			     const char *email, const char *guardian_name,
			     const struct schoolmail_child *kids, size_t n, int64_t *address_id,
			     const char **why)
{
	int grades = 0, classes = 0;
	int64_t now = clock_now_ms();
	enum err e = ERR_INVALID;
	*why = NULL;
	if (n == 0 || n > SCHOOLMAIL_CHILDREN_MAX) {
		*why = "お子さまを1人から6人まで入力してください。";
		return e;
	}
	if (!schoolmail_person_ok(guardian_name)) {
		*why = "保護者氏名を40文字以内で入力してください。";
		return e;
	}
	e = school_size(c, school_id, &grades, &classes);
	if (e != ERR_OK)
		return e;
	for (size_t i = 0; i < n; i++) {
		*why = child_problem(grades, classes, kids[i].grade, kids[i].klass, kids[i].name);
		if (*why)
			return ERR_INVALID;
	}
	e = address_get_or_add(c, v, email, address_id);
	for (size_t i = 0; i < n && e == ERR_OK; i++) {
		char f[4 * SCHOOLMAIL_PERSON_MAX + 1];
		int64_t same = 0;
		fold(kids[i].name, f, sizeof f);
		e = same_child(c, v, *address_id, school_id, f, &same);
		vault_wipe(f, sizeof f);
		if (e != ERR_OK)
			break;
		struct store_stmt *st =
		    same ? store_prepare(c, "UPDATE school_registrants SET grade = ?, class = ?, "
					    "child_enc = ?, guardian_enc = ?, updated_ms = ? "
					    "WHERE id = ?")
			 : store_prepare(c, "INSERT INTO school_registrants(grade, class, child_enc, "
					    "guardian_enc, updated_ms, address_id, school_id, "
					    "created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
		if (!st)
			return ERR_DB;
		store_bind_int(st, 1, kids[i].grade);
		store_bind_int(st, 2, kids[i].klass);
		vault_bind_sealed(v, st, 3, F_CHILD, kids[i].name);
		vault_bind_sealed(v, st, 4, F_GUARDIAN, guardian_name);
		store_bind_int(st, 5, now);
		if (same) {
			store_bind_int(st, 6, same);
		} else {
			store_bind_int(st, 6, *address_id);
			store_bind_int(st, 7, school_id);
			store_bind_int(st, 8, now);
		}
		e = store_run(st);
		store_finish(st);
	}
	return e;
}

enum err schoolmail_registrant_update(struct store_conn *c, const struct vault *v, int64_t id,
				      int64_t address_id, int grade, int klass, const char *child,
				      const char *guardian, const char **why)
{
	struct store_stmt *st = store_prepare(c, "SELECT school_id FROM school_registrants "
						 "WHERE id = ? AND address_id = ?");
	int grades = 0, classes = 0;
	*why = NULL;
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, id);
	store_bind_int(st, 2, address_id);
	int rc = store_step(st);
	int64_t school_id = rc == STORE_ROW ? store_col_int(st, 0) : 0;
	store_finish(st);
	if (rc != STORE_ROW)
		return rc == STORE_DONE ? ERR_NOTFOUND : ERR_DB;
	enum err e = school_size(c, school_id, &grades, &classes);
	if (e != ERR_OK)
		return e;
	*why = child_problem(grades, classes, grade, klass, child);
	if (!*why && !schoolmail_person_ok(guardian))
		*why = "保護者氏名を40文字以内で入力してください。";
	if (*why)
		return ERR_INVALID;
	st = store_prepare(c, "UPDATE school_registrants SET grade = ?, class = ?, child_enc = ?, "
			      "guardian_enc = ?, updated_ms = ? WHERE id = ?");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, grade);
	store_bind_int(st, 2, klass);
	vault_bind_sealed(v, st, 3, F_CHILD, child);
	vault_bind_sealed(v, st, 4, F_GUARDIAN, guardian);
	store_bind_int(st, 5, clock_now_ms());
	store_bind_int(st, 6, id);
	e = store_run(st);
	store_finish(st);
	return e;
}

/* Deletes address_id when no registration uses it any more (its links first). */
static enum err address_prune(struct store_conn *c, int64_t address_id)
{
	static const char *const sql[] = {
	    "DELETE FROM school_links WHERE address_id = ?1 AND NOT EXISTS (SELECT 1 FROM "
	    "school_registrants WHERE address_id = ?1)",
	    "DELETE FROM school_addresses WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM "
	    "school_registrants WHERE address_id = ?1)",
	};
	enum err e = ERR_OK;
	for (size_t i = 0; i < 2 && e == ERR_OK; i++) {
		struct store_stmt *st = store_prepare(c, sql[i]);
		if (!st)
			return ERR_DB;
		store_bind_int(st, 1, address_id);
		e = store_run(st);
		store_finish(st);
	}
	return e;
}

enum err schoolmail_registrant_remove(struct store_conn *c, int64_t id, int64_t school_id,
				      int64_t address_id)
{
	struct store_stmt *st = store_prepare(
	    c, "SELECT address_id FROM school_registrants WHERE id = ?1 AND (?2 = 0 OR "
	       "school_id = ?2) AND (?3 = 0 OR address_id = ?3)");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, id);
	store_bind_int(st, 2, school_id);
	store_bind_int(st, 3, address_id);
	int rc = store_step(st);
	int64_t addr = rc == STORE_ROW ? store_col_int(st, 0) : 0;
	store_finish(st);
	if (rc != STORE_ROW)
		return rc == STORE_DONE ? ERR_NOTFOUND : ERR_DB;
	st = store_prepare(c, "DELETE FROM school_registrants WHERE id = ?");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, id);
	enum err e = store_run(st);
	store_finish(st);
	return e == ERR_OK ? address_prune(c, addr) : e;
}

/* Unseals a row of (id, address_id, grade, class, child_enc, guardian_enc, email_enc,
 * created_ms, updated_ms) into *r. */
static enum err read_row(struct store_stmt *st, const struct vault *v,
			 struct schoolmail_registrant *r)
{
	static const char *const fields[] = {F_CHILD, F_GUARDIAN, F_EMAIL};
	char *dst[] = {r->child, r->guardian, r->email};
	size_t caps[] = {sizeof r->child, sizeof r->guardian, sizeof r->email};
	memset(r, 0, sizeof *r);
	r->id = store_col_int(st, 0);
	r->address_id = store_col_int(st, 1);
	r->grade = (int)store_col_int(st, 2);
	r->klass = (int)store_col_int(st, 3);
	for (int i = 0; i < 3; i++) {
		size_t len = 0;
		char *plain = NULL;
		const void *b = store_col_blob(st, 4 + i, &len);
		enum err e = vault_unseal(v, fields[i], b, len, &plain);
		if (e != ERR_OK)
			return e;
		snprintf(dst[i], caps[i], "%s", plain);
		vault_wipe_free(plain);
	}
	r->created_ms = store_col_int(st, 7);
	r->updated_ms = store_col_int(st, 8);
	return ERR_OK;
}

/* 1 when r's child, guardian or address holds the folded query fq. */
static int matches(const struct schoolmail_registrant *r, const char *fq)
{
	char f[4 * SCHOOLMAIL_PERSON_MAX + 256];
	int hit = 0;
	const char *fields[] = {r->child, r->guardian, r->email};
	for (int i = 0; i < 3 && !hit; i++) {
		fold(fields[i], f, sizeof f);
		hit = strstr(f, fq) != NULL;
	}
	vault_wipe(f, sizeof f);
	return hit;
}

#define REG_COLUMNS                                                                         \
	"SELECT r.id, r.address_id, r.grade, r.class, r.child_enc, r.guardian_enc, "          \
	"a.email_enc, r.created_ms, r.updated_ms FROM school_registrants r "                  \
	"JOIN school_addresses a ON a.id = r.address_id "

static enum err collect(struct store_stmt *st, const struct vault *v, const char *q, size_t max,
			struct schoolmail_registrant **rows, size_t *n, int *more)
{
	char fq[512] = "";
	size_t cap = 64, k = 0;
	struct schoolmail_registrant *out = xcalloc(cap, sizeof *out);
	enum err e = ERR_OK;
	int rc = 0;
	if (q)
		fold(q, fq, sizeof fq);
	*more = 0;
	while ((rc = store_step(st)) == STORE_ROW) {
		if (k == cap) {
			cap *= 2;
			out = xrealloc(out, cap * sizeof *out);
		}
		e = read_row(st, v, &out[k]);
		if (e != ERR_OK)
			break;
		if (fq[0] && !matches(&out[k], fq)) {
			vault_wipe(&out[k], sizeof out[k]);
			continue;
		}
		if (k == max) {
			vault_wipe(&out[k], sizeof out[k]);
			*more = 1;
			break;
		}
		k++;
	}
	if (e == ERR_OK && rc != STORE_ROW && rc != STORE_DONE)
		e = ERR_DB;
	vault_wipe(fq, sizeof fq);
	if (e != ERR_OK) {
		schoolmail_registrants_free(out, k);
		return e;
	}
	*rows = out;
	*n = k;
	return ERR_OK;
}

enum err schoolmail_registrants(struct store_conn *c, const struct vault *v, int64_t school_id,
				int grade, int klass, const char *q, size_t max,
				struct schoolmail_registrant **rows, size_t *n, int *more)
{
	struct store_stmt *st = store_prepare(
	    c, REG_COLUMNS "WHERE r.school_id = ?1 AND (?2 = 0 OR r.grade = ?2) AND "
			   "(?3 = 0 OR r.class = ?3) ORDER BY r.grade, r.class, r.id");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, school_id);
	store_bind_int(st, 2, grade);
	store_bind_int(st, 3, klass);
	enum err e = collect(st, v, q, max, rows, n, more);
	store_finish(st);
	return e;
}

enum err schoolmail_registrants_of(struct store_conn *c, const struct vault *v,
				   int64_t address_id, struct schoolmail_registrant **rows,
				   size_t *n)
{
	int more = 0;
	struct store_stmt *st =
	    store_prepare(c, REG_COLUMNS "WHERE r.address_id = ? ORDER BY r.school_id, r.id");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, address_id);
	enum err e = collect(st, v, NULL, 64, rows, n, &more);
	store_finish(st);
	return e;
}

void schoolmail_registrants_free(struct schoolmail_registrant *rows, size_t n)
{
	if (!rows)
		return;
	vault_wipe(rows, n * sizeof *rows);
	free(rows);
}

enum err schoolmail_counts(struct store_conn *c, int64_t school_id,
			   int64_t counts[SCHOOLMAIL_GRADES_MAX + 1][SCHOOLMAIL_CLASSES_MAX + 1])
{
	struct store_stmt *st = store_prepare(
	    c, "SELECT grade, class, COUNT(*) FROM school_registrants WHERE school_id = ? "
	       "GROUP BY grade, class");
	int rc = 0;
	memset(counts, 0, sizeof(int64_t) * (SCHOOLMAIL_GRADES_MAX + 1) * (SCHOOLMAIL_CLASSES_MAX + 1));
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, school_id);
	while ((rc = store_step(st)) == STORE_ROW) {
		int g = (int)store_col_int(st, 0), k = (int)store_col_int(st, 1);
		if (g >= 1 && g <= SCHOOLMAIL_GRADES_MAX && k >= 1 && k <= SCHOOLMAIL_CLASSES_MAX)
			counts[g][k] = store_col_int(st, 2);
	}
	store_finish(st);
	return rc == STORE_DONE ? ERR_OK : ERR_DB;
}
