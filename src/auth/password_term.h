/* SPDX-License-Identifier: MIT */
/* password_term.h — passwords that must be changed each school term (seed 003: 各園・学校長は、
 * パスワードを学期毎に変更する): the term start dates and the roles they bind, set once by the
 * service that needs them; a password set before the current term's start is due. */
#ifndef MIMAMORI_AUTH_PASSWORD_TERM_H
#define MIMAMORI_AUTH_PASSWORD_TERM_H
#include <stdint.h>

#include "auth/role.h"

#define AUTH_TERMS_MAX 6 /* term starts in a year */

/* Parses spec, "MM-DD,MM-DD,…" (1 to AUTH_TERMS_MAX real days of a year, e.g.
 * "04-01,09-01,01-08"), into month*100+day values sorted ascending in out (AUTH_TERMS_MAX
 * entries): returns how many, or 0 when spec is not such a list. */
int auth_password_terms_parse(const char *spec, int out[AUTH_TERMS_MAX]);

/* Binds the term starts of spec (as auth_password_terms_parse) to the roles in the mask roles,
 * for this process (set once at start, before threads read it). Returns 0, or -1 (nothing
 * changed) for a bad spec. */
int auth_password_terms_set(unsigned roles, const char *spec);

/* Returns the start (Japan-time midnight, epoch ms) of the term that holds now_ms, given the
 * sorted term starts md (n of them): the latest start on or before now's Japanese date. */
int64_t auth_password_term_start(const int *md, int n, int64_t now_ms);

/* Returns 1 when an account of role r whose password was set at changed_ms must change it
 * now: r is bound to terms and changed_ms is before the start of the term holding now_ms. */
int auth_password_term_due(enum role r, int64_t changed_ms, int64_t now_ms);

#endif
