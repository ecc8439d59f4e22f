/* SPDX-License-Identifier: MIT */
/* terms.h — the desk's search terms of a user: keyed blind indexes under the service's key. */
#ifndef MIMAMORI_PLAZA_TERMS_H
#define MIMAMORI_PLAZA_TERMS_H
#include <stdint.h>

#include "plaza/plaza.h"

#define PLAZA_KANA_MIN 2 /* kana of a prefix term: 2 … 6 */
#define PLAZA_KANA_MAX 6

/* Computes the term of kind ("kana", "name", "birth", "phone") and text into out. */
void plaza_term(const struct vault *v, const char *kind, const char *text, unsigned char out[32]);
/* Writes the digits of s (ASCII or full-width; '-', spaces and line ends skipped) into out (n
 * bytes). Returns their count, or 0 when s holds anything else. */
size_t plaza_digits(const char *s, char *out, size_t n);
/* Replaces the search terms of user id (of plaza plaza_id) by those of f, inside the caller's
 * transaction on c. ERR_OK or ERR_DB. */
enum err plaza_terms_write(struct store_conn *c, const struct vault *v, int64_t id,
			   int64_t plaza_id, char *const f[PF_COUNT]);

#endif
