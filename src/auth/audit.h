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

/* A checkpoint of the pruned log (sql/0037): the entries up to last_id were pruned, and the
 * chain goes on from last_hash; mac (platform key) covers it and the previous checkpoint. */
struct audit_checkpoint {
	int64_t id, at_ms, before_ms, last_id, last_at_ms, pruned;
	char last_hash[65];
};
/* What audit_verify_full found. */
struct audit_verified {
	int64_t count;		  /* entries proven (those after the newest checkpoint) */
	int64_t bad_id;		  /* the first entry changed or missing, or 0 */
	int64_t bad_checkpoint;	  /* the first checkpoint forged, or 0 */
	struct audit_checkpoint checkpoint; /* the newest intact checkpoint (id 0: none) */
};
/* Verifies every checkpoint (its MAC, chained to the previous one) and the chain from the
 * newest checkpoint on (or from the first entry when none), and the head kept in meta. Returns
 * ERR_OK, ERR_CRYPTO (r says where), or ERR_DB. */
enum err audit_verify_full(struct store *s, const struct vault *v, struct audit_verified *r);
/* Prunes, inside c's open write transaction, every entry older than the first entry at or after
 * before_ms (the start of a period: whole periods go), writing a checkpoint at now_ms first
 * that names the last entry pruned. Sets *pruned to the number of entries deleted (0 when none
 * was due). ERR_CRYPTO when the existing checkpoints do not verify, ERR_DB. */
enum err audit_prune(struct store_conn *c, const struct vault *v, int64_t before_ms,
		     int64_t now_ms, int64_t *pruned);
/* Reads the newest checkpoint into *out (id 0 when none), checking all of them as verify does.
 * ERR_OK, ERR_CRYPTO, ERR_DB. */
enum err audit_checkpoint_last(struct store *s, const struct vault *v,
			       struct audit_checkpoint *out);

/* Reads that a page polls (a site's board, a send's delivery view) are audited once per caller
 * and object per AUDIT_READ_EVERY_MS (audit_read.c). */
#define AUDIT_READ_EVERY_MS 60000
/* Appends the entry of actor's read of object (as audit_append) when none was appended for the
 * same actor and object in the last AUDIT_READ_EVERY_MS before now_ms (the first read of the
 * minute, before the answer); otherwise appends nothing and returns ERR_OK. *appended (may be
 * NULL) says which. Outside a transaction on c the entry is committed by a group commit
 * (store_group_run: it shares the flush of the writes in flight) before this returns; inside
 * one, it is the caller's. Remembered in memory only (a restart audits the next read again).
 * Thread-safe; keeps no pointer. */
enum err audit_read_append(struct store_conn *c, const struct vault *v, const char *actor,
			   const char *action, const char *object, const char *detail,
			   int64_t now_ms, int *appended);

#endif
