/* SPDX-License-Identifier: MIT */
/* search.c — the desk's search over a plaza's sealed users: the query becomes the same keyed
 * term as at registration and is looked up by index (nothing is unsealed to find); only the hits'
 * ふりがな are unsealed, to put them in kana order, and the first ones shown are unsealed whole
 * by the caller. A card number finds its user directly. */
#include "plaza/plaza.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"
#include "base/wareki.h"
#include "base/xalloc.h"
#include "plaza/terms.h"
#include "store/store.h"
#include "vault/vault.h"

/* A hit: its id and its folded ふりがな (for the order). */
struct hit {
	int64_t id;
	char kana[124];
};

static int by_kana(const void *a, const void *b)
{
	const struct hit *x = a, *y = b;
	int r = strcmp(x->kana, y->kana);
	return r ? r : (x->id > y->id) - (x->id < y->id);
}

/* The first k characters of s into out (n bytes). */
static void prefix(const char *s, size_t k, char *out, size_t n)
{
	size_t at = 0;
	unsigned cp;
	while (k-- && s[at]) {
		size_t len = text_utf8_next((const unsigned char *)s + at, &cp);
		if (at + len + 1 > n)
			break;
		at += len;
	}
	memcpy(out, s, at);
	out[at] = '\0';
}

/* Makes the statement that finds q's candidates, or sets *why. kana_full: q's folded kana when
 * it is longer than the indexed prefix (the hits are then checked), else "". */
static struct store_stmt *find(struct store_conn *c, const struct vault *v, int64_t plaza_id,
			       const char *q, char *kana_full, size_t kn, const char **why)
{
	char digits[32], folded[256];
	unsigned char term[32];
	int y, m, d;
	struct store_stmt *st;
	int is_date = wareki_parse_date(q, &y, &m, &d) == ERR_OK;
	size_t nd = is_date ? 0 : plaza_digits(q, digits, sizeof digits);
	kana_full[0] = '\0';
	if (nd == 7 && digits[0] >= '1' && digits[0] <= '5') {
		st = store_prepare(c, "SELECT id, kana FROM plaza_users WHERE plaza_id = ? AND "
				      "card_no = ?");
		if (st) {
			store_bind_int(st, 1, plaza_id);
			store_bind_text(st, 2, digits);
		}
		return st;
	}
	if (nd >= 8) {
		plaza_term(v, "phone", digits, term);
	} else if (is_date) {
		char iso[11];
		snprintf(iso, sizeof iso, "%04d-%02d-%02d", y, m, d);
		plaza_term(v, "birth", iso, term);
	} else if (text_is_kana(q)) {
		size_t chars = text_kana_fold(q, folded, sizeof folded);
		if (chars < PLAZA_KANA_MIN) {
			*why = "ふりがなは2文字以上入れてください。";
			return NULL;
		}
		char pre[64];
		prefix(folded, PLAZA_KANA_MAX, pre, sizeof pre);
		plaza_term(v, "kana", pre, term);
		if (chars > PLAZA_KANA_MAX)
			snprintf(kana_full, kn, "%s", folded);
	} else if (nd > 0) {
		*why = "カード番号は7桁、電話番号は8桁以上で入れてください。";
		return NULL;
	} else {
		text_fold_spaces(q, folded, sizeof folded);
		plaza_term(v, "name", folded, term);
	}
	vault_wipe(folded, sizeof folded);
	st = store_prepare(c, "SELECT DISTINCT u.id, u.kana FROM plaza_terms t JOIN plaza_users u "
			      "ON u.id = t.user_id WHERE t.plaza_id = ? AND t.term = ?");
	if (st) {
		store_bind_int(st, 1, plaza_id);
		store_bind_blob(st, 2, term, sizeof term);
	}
	return st;
}

enum err plaza_search(struct store_conn *c, const struct vault *v, int64_t plaza_id, const char *q,
		      size_t max, int64_t **ids, size_t *n, size_t *total, const char **why)
{
	char kana_full[256];
	*ids = NULL;
	*n = *total = 0;
	*why = NULL;
	if (!q || text_line_check(q, 60) != TEXT_OK) {
		*why = "ふりがな・氏名・生年月日・電話番号・カード番号のどれかを入れてください。";
		return ERR_INVALID;
	}
	struct store_stmt *st = find(c, v, plaza_id, q, kana_full, sizeof kana_full, why);
	if (!st)
		return *why ? ERR_INVALID : ERR_DB;
	size_t cap = 64, k = 0;
	struct hit *hits = xmalloc(cap * sizeof *hits);
	enum err e = ERR_OK;
	int r;
	while ((r = store_step(st)) == STORE_ROW) {
		char *kana = NULL;
		if (vault_unseal_column(v, st, 1, "plaza_users.kana", &kana) != ERR_OK || !kana) {
			e = ERR_CRYPTO;
			break;
		}
		if (k == cap) {
			cap *= 2;
			hits = xrealloc(hits, cap * sizeof *hits);
		}
		hits[k].id = store_col_int(st, 0);
		text_kana_fold(kana, hits[k].kana, sizeof hits[k].kana);
		vault_wipe_free(kana);
		/* A query longer than the indexed prefix: keep those whose ふりがな goes on alike.
		 */
		if (kana_full[0] && strncmp(hits[k].kana, kana_full, strlen(kana_full)) != 0)
			continue;
		k++;
	}
	store_finish(st);
	if (e == ERR_OK && r < 0)
		e = ERR_DB;
	if (e == ERR_OK) {
		qsort(hits, k, sizeof *hits, by_kana);
		*total = k;
		*n = k < max ? k : max;
		*ids = xmalloc((*n ? *n : 1) * sizeof **ids);
		for (size_t i = 0; i < *n; i++)
			(*ids)[i] = hits[i].id;
	}
	vault_wipe(hits, cap * sizeof *hits);
	free(hits);
	vault_wipe(kana_full, sizeof kana_full);
	return e;
}
