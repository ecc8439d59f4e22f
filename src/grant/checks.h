/* SPDX-License-Identifier: MIT */
/* checks.h — a pre-screen's checked items (a comma-joined list of item names), for every
 * benefit. items are a service's NULL-terminated list of names. */
#ifndef MIMAMORI_GRANT_CHECKS_H
#define MIMAMORI_GRANT_CHECKS_H
#include <stddef.h>

/* Returns 1 when item is in the comma-joined list have, else 0. */
int grant_checked(const char *have, const char *item);
/* Writes into out (n bytes) the list have with item k of items set (on 1) or cleared, in the
 * order of items. */
void grant_checks_set(const char *have, const char *const *items, int k, int on, char *out,
		      size_t n);
/* Returns the index of the first of items not in have, or -1 when all are. */
int grant_checks_missing(const char *have, const char *const *items);
/* Returns the index of item in items, or -1. */
int grant_check_index(const char *const *items, const char *item);

#endif
