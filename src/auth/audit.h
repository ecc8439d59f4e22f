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

/* Reads that a page polls (a site's board, a send's delivery view) are audited once per caller
 * and object per AUDIT_READ_EVERY_MS (audit_read.c). */
#define AUDIT_READ_EVERY_MS 60000
/* Appends the entry of actor's read of object (as audit_append) when none was appended for the
 * same actor and object in the last AUDIT_READ_EVERY_MS before now_ms (the first read of the
 * minute, before the answer); otherwise appends nothing and returns ERR_OK. *appended (may be
 * NULL) says which. Remembered in memory only (a restart audits the next read again).
 * Thread-safe; keeps no pointer. */
enum err audit_read_append(struct store_conn *c, const struct vault *v, const char *actor,
			   const char *action, const char *object, const char *detail,
			   int64_t now_ms, int *appended);

#endif
