/* SPDX-License-Identifier: MIT */
/* memo.h — unsealed texts kept from one rendering of a page to the next (vault_memo): a page
 * drawn again and again from mostly the same sealed names (a site's staff board) unseals each
 * name once, not on every drawing. */
#ifndef MIMAMORI_VAULT_MEMO_H
#define MIMAMORI_VAULT_MEMO_H
#include <stddef.h>

#include "base/err.h"

struct vault;
struct vault_memo;

/* Returns a new, empty memo (owned by the caller: vault_memo_free). Not thread-safe: one
 * rendering at a time uses it (the caller's lock). */
struct vault_memo *vault_memo_new(void);

/* Sets *plain to the text of blob (len bytes, sealed by v as field; vault_unseal's rules):
 * taken from the memo when the same blob was unsealed in this round or the one before (a
 * sealed blob holds a random nonce: the same bytes are the same text), else unsealed now; kept
 * for the next round either way. *plain is the memo's, valid until the next vault_memo_round;
 * the caller must not free it. ERR_CRYPTO when the blob does not open (nothing kept). The
 * texts live in locked memory (vault_mem_lock: no swap, no core dump) and are wiped when
 * dropped. */
enum err vault_memo_unseal(struct vault_memo *m, const struct vault *v, const char *field,
			   const void *blob, size_t len, const char **plain);

/* Ends a round: wipes and drops every text not asked for in the round that ends (a name no
 * longer on the page is gone after one more drawing); the texts of the round that ended stay
 * for the next. Returns the number of texts kept. */
size_t vault_memo_round(struct vault_memo *m);

/* Returns how many texts m keeps now (between rounds: those the last round asked for). */
size_t vault_memo_count(const struct vault_memo *m);

/* Wipes and frees m; NULL is a no-op. */
void vault_memo_free(struct vault_memo *m);

#endif
