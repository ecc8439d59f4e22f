/* SPDX-License-Identifier: MIT */
/* terms.c — the desk's search terms: "kana:" + the first 2 … 6 kana of ふりがな (katakana, no
 * spaces), "name:" + 氏名 without spaces, "birth:" + the ISO date, "phone:" + its digits; each a
 * keyed blind index under the service's key, so nothing is unsealed to search. */
#include "plaza/terms.h"

#include <stdio.h>
#include <string.h>

#include "base/text.h"
#include "store/store.h"
#include "vault/vault.h"

void plaza_term(const struct vault *v, const char *kind, const char *text, unsigned char out[32])
{
	char buf[512];
	snprintf(buf, sizeof buf, "%s:%s", kind, text);
	vault_blind(v, "plaza-term", buf, out);
	vault_wipe(buf, sizeof buf);
}

size_t plaza_digits(const char *s, char *out, size_t n)
{
	size_t k = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		if (k + 1 >= n)
			return 0;
		if (*p >= '0' && *p <= '9') {
			out[k++] = (char)*p++;
		} else if (p[0] == 0xEF && p[1] == 0xBC && p[2] >= 0x90 && p[2] <= 0x99) {
			out[k++] = (char)('0' + (p[2] - 0x90));
			p += 3;
		} else if (*p == '-' || *p == ' ' || *p == '\n' || *p == '\r' || *p == '\t') {
			p++;
		} else {
			return 0;
		}
	}
	out[k] = '\0';
	return k;
}

/* Inserts the term of kind and text for user id of plaza_id. */
static enum err put(struct store_conn *c, const struct vault *v, int64_t id, int64_t plaza_id,
		    const char *kind, const char *text)
{
	unsigned char term[32];
	struct store_stmt *st =
	    store_prepare(c, "INSERT INTO plaza_terms (user_id, plaza_id, term) VALUES (?, ?, ?)");
	if (!st)
		return ERR_DB;
	plaza_term(v, kind, text, term);
	store_bind_int(st, 1, id);
	store_bind_int(st, 2, plaza_id);
	store_bind_blob(st, 3, term, sizeof term);
	enum err e = store_run(st);
	store_finish(st);
	return e;
}

enum err plaza_terms_write(struct store_conn *c, const struct vault *v, int64_t id,
			   int64_t plaza_id, char *const f[PF_COUNT])
{
	char kana[256], buf[256], digits[32];
	struct store_stmt *st = store_prepare(c, "DELETE FROM plaza_terms WHERE user_id = ?");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, id);
	enum err e = store_run(st);
	store_finish(st);
	size_t chars = text_kana_fold(f[PF_KANA], kana, sizeof kana);
	/* Prefixes of 2 … 6 characters of the folded kana. */
	size_t at = 0;
	for (size_t i = 0; e == ERR_OK && i < chars && i < PLAZA_KANA_MAX; i++) {
		unsigned cp;
		at += text_utf8_next((const unsigned char *)kana + at, &cp);
		if (i + 1 < PLAZA_KANA_MIN)
			continue;
		memcpy(buf, kana, at);
		buf[at] = '\0';
		e = put(c, v, id, plaza_id, "kana", buf);
	}
	/* 氏名 without spaces, and the surname alone (what stands before the first space). */
	if (e == ERR_OK) {
		text_fold_spaces(f[PF_NAME], buf, sizeof buf);
		e = put(c, v, id, plaza_id, "name", buf);
	}
	const char *name = f[PF_NAME], *sp1 = strchr(name, ' '),
		   *sp2 = strstr(name, "\xE3\x80\x80");
	const char *cut = sp1 && (!sp2 || sp1 < sp2) ? sp1 : sp2;
	if (e == ERR_OK && cut && cut > name) {
		snprintf(buf, sizeof buf, "%.*s", (int)(cut - name), name);
		e = put(c, v, id, plaza_id, "name", buf);
	}
	if (e == ERR_OK)
		e = put(c, v, id, plaza_id, "birth", f[PF_BIRTH]);
	if (e == ERR_OK && f[PF_PHONE] && plaza_digits(f[PF_PHONE], digits, sizeof digits) >= 8)
		e = put(c, v, id, plaza_id, "phone", digits);
	vault_wipe(kana, sizeof kana);
	vault_wipe(buf, sizeof buf);
	vault_wipe(digits, sizeof digits);
	return e;
}
