/* SPDX-License-Identifier: MIT */
/* cards.c — registration cards (登録カード): the platform's card sheets (doc/cards_pdf.h, the
 * same as the entry/exit service's cards) with the user's 氏名, ふりがな, plaza and card number,
 * and the card number as the QR code the desk's reader types back. */
#include "plaza/plaza.h"

#include <stdio.h>
#include <stdlib.h>

#include "base/xalloc.h"
#include "doc/cards_pdf.h"
#include "store/store.h"
#include "vault/vault.h"

enum err plaza_cards_pdf(struct store_conn *c, const struct vault *v, int64_t plaza_id,
			 const int64_t *ids, size_t n, struct buf *out)
{
	if (n == 0 || n > PLAZA_CARDS_MAX)
		return ERR_INVALID;
	struct plaza_user *u = xcalloc(n, sizeof *u);
	struct doc_card *cards = xcalloc(n, sizeof *cards);
	char(*site)[48] = xcalloc(n, sizeof *site);
	size_t k = 0;
	enum err e = ERR_OK;
	for (; e == ERR_OK && k < n; k++) {
		e = plaza_user_load(c, v, ids[k], &u[k]);
		if (e == ERR_OK && plaza_id && u[k].plaza_id != plaza_id) {
			plaza_user_clear(&u[k]);
			e = ERR_NOTFOUND;
		}
		if (e != ERR_OK)
			break;
		snprintf(site[k], sizeof site[k], "共育プラザ%s", plaza_name(u[k].plaza_id));
		cards[k] = (struct doc_card){.child_name = u[k].f[PF_NAME],
					     .child_kana = u[k].f[PF_KANA],
					     .site_name = site[k],
					     .child_no = u[k].card_no,
					     .code = u[k].card_no};
	}
	if (e == ERR_OK)
		e = doc_cards_pdf_buf(cards, n, out);
	for (size_t i = 0; i < k; i++)
		plaza_user_clear(&u[i]);
	free(u);
	free(cards);
	free(site);
	return e;
}
