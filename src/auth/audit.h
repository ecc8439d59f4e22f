/* SPDX-License-Identifier: MIT */
/* audit.h — the append-only, hash-chained audit log of sign-ins, denials, reads and changes.
 * Entries name people by internal ids only, never by personal data. */
#ifndef MIMAMORI_AUTH_AUDIT_H
#define MIMAMORI_AUTH_AUDIT_H
#include <stdint.h>

#include "base/err.h"

struct store;
struct store_conn;
struct vault;

/* Appends one entry on connection c. If c has no open transaction, one is opened and committed
 * here; otherwise the entry commits (or rolls back) with the caller's transaction. The chain
 * link is a keyed hash (key from the vault), so an entry cannot be rewritten without the key. */
enum err audit_append(struct store_conn *c, const struct vault *v, const char *actor,
		      const char *action, const char *object, const char *detail);

/* Verifies the whole chain. Returns ERR_OK when intact (*count entries); otherwise ERR_CRYPTO
 * and *bad_id is the first entry that was changed or is missing (for a cut tail, the id after
 * the last entry left). */
enum err audit_verify(struct store *s, const struct vault *v, int64_t *bad_id, int64_t *count);

#endif
