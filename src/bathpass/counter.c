/* SPDX-License-Identifier: MIT */
/* counter.c — the counter's search over the sealed ledger and who may have a pass. Search uses
 * keyed blind indexes (bath_terms, under the service's key): the query is turned into the same
 * term and looked up by index, so nothing is unsealed to search and no plaintext index is kept
 * in memory; the rows found are unsealed for the answer only. */
#include "bathpass/bathpass.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/wareki.h"
#include "base/xalloc.h"
#include "store/store.h"
#include "vault/vault.h"

#define KANA_TERM_MAX 6

/* Writes the ASCII digits of q (full-width digits folded) into out; returns 1 when q is only
 * digits (1 to 15). */
static int resident_query(const char *q, char out[16])
{
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)q; *p;) {
		if (n == 15)
			return 0;
		if (*p >= '0' && *p <= '9') {
			out[n++] = (char)*p++;
		} else if (p[0] == 0xEF && p[1] == 0xBC && p[2] >= 0x90 && p[2] <= 0x99) {
			out[n++] = (char)('0' + (p[2] - 0x90));
			p += 3;
		} else {
			return 0;
		}
	}
	out[n] = '\0';
	return n > 0;
}

/* The first k characters of folded kana s into out. */
static void kana_prefix(const char *s, size_t k, char *out, size_t n)
{
	size_t at = 0;
	const unsigned char *p = (const unsigned char *)s;
	while (*p && k) {
		size_t len = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 ? 2 : (*p & 0xF0) == 0xE0 ? 3 : 4;
		if (at + len + 1 > n)
			break;
		memcpy(out + at, p, len);
		at += len;
		p += len;
		k--;
	}
	out[at] = '\0';
}

enum err bath_search(struct store_conn *c, const struct vault *v, const char *q, size_t max,
		     int64_t **ids, size_t *n, const char **why)
{
	unsigned char term[32];
	char digits[16], folded[512];
	int y, m, d;
	size_t kana_chars = 0;
	struct store_stmt *st;
	*ids = NULL;
	*n = 0;
	*why = NULL;
	if (!q || !*q || strlen(q) > 200) {
		*why = "ふりがな・氏名・生年月日・宛名番号のどれかを入れてください。";
		return ERR_INVALID;
	}
	if (resident_query(q, digits)) {
		bath_resident_index(v, digits, term);
		st = store_prepare(c, "SELECT id FROM bath_people WHERE resident_idx = ?");
	} else {
		if (wareki_parse_date(q, &y, &m, &d) == ERR_OK) {
			char iso[11];
			snprintf(iso, sizeof iso, "%04d-%02d-%02d", y, m, d);
			bath_term(v, "birth", iso, term);
		} else if (bath_is_kana(q)) {
			kana_chars = bath_kana_fold(q, folded, sizeof folded);
			if (kana_chars < 2) {
				*why = "ふりがなは2文字以上入れてください。";
				return ERR_INVALID;
			}
			char pre[64];
			kana_prefix(folded, kana_chars < KANA_TERM_MAX ? kana_chars : KANA_TERM_MAX,
				    pre, sizeof pre);
			bath_term(v, "kana", pre, term);
		} else {
			bath_name_fold(q, folded, sizeof folded);
			bath_term(v, "name", folded, term);
		}
		st = store_prepare(c, "SELECT DISTINCT person_id FROM bath_terms WHERE term = ? "
				      "ORDER BY person_id");
	}
	if (!st)
		return ERR_DB;
	store_bind_blob(st, 1, term, sizeof term);
	size_t cap = 16, k = 0;
	int64_t *v_ids = xmalloc(cap * sizeof *v_ids);
	int r;
	while ((r = store_step(st)) == STORE_ROW) {
		if (k == cap) {
			cap *= 2;
			v_ids = xrealloc(v_ids, cap * sizeof *v_ids);
		}
		v_ids[k++] = store_col_int(st, 0);
	}
	store_finish(st);
	if (r < 0) {
		free(v_ids);
		return ERR_DB;
	}
	/* A kana query longer than the indexed prefix: keep those whose ふりがな goes on alike. */
	if (kana_chars > KANA_TERM_MAX) {
		size_t keep = 0;
		for (size_t i = 0; i < k; i++) {
			struct bath_person p;
			char kana[512];
			if (bath_person_load(c, v, v_ids[i], &p) != ERR_OK)
				continue;
			bath_kana_fold(p.f[BF_KANA], kana, sizeof kana);
			if (strncmp(kana, folded, strlen(folded)) == 0)
				v_ids[keep++] = v_ids[i];
			vault_wipe(kana, sizeof kana);
			bath_person_clear(&p);
		}
		k = keep;
	}
	vault_wipe(folded, sizeof folded);
	if (k > max)
		k = max;
	*ids = v_ids;
	*n = k;
	return ERR_OK;
}

int bath_eligible(const struct bath_person *p, const char *today, const char **why_not,
		  const char **why_code)
{
	*why_not = NULL;
	*why_code = NULL;
	if (p->excluded) {
		*why_not = "対象から除外されています。";
		*why_code = "excluded";
		return 0;
	}
	if (strcmp(p->f[BF_CATEGORY], "高齢") == 0 && bath_age(p->f[BF_BIRTH], today) < 60) {
		*why_not = "60歳未満です（対象区分 高齢）。";
		*why_code = "under_60";
		return 0;
	}
	return 1;
}
