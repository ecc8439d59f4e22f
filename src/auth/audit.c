/* SPDX-License-Identifier: MIT */
/* audit.c — hash-chained audit entries: hash_n = MAC(hash_{n-1} | id | time | fields). */
#include "auth/audit.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/xalloc.h"
#include "store/store.h"
#include "vault/vault.h"

#define GENESIS "genesis"

/* Writes v (as %" PRId64 " would) into p; returns its length (at most 20). */
static size_t put_int(char *p, int64_t v)
{
	char tmp[24];
	size_t n = 0, k = 0;
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		p[k++] = '-';
	while (n)
		p[k++] = tmp[--n];
	return k;
}

/* The link of one entry: MAC(prev|id|at|len:actor|len:action|len:object|len:detail), as hex.
 * Lengths are included so that field boundaries cannot be shifted. The pieces are hashed as
 * they are (no formatted copy, no allocation): the same bytes as the formatted string. */
static void link_hash(const struct vault_mac *m, const char *prev, int64_t id, int64_t at,
		      const char *actor, const char *action, const char *object,
		      const char *detail, char out[2 * VAULT_BLIND_LEN + 1])
{
	const char *field[4] = {actor, action, object, detail};
	char head[64], sep[4][32];
	struct vault_piece pc[10];
	unsigned char mac[VAULT_BLIND_LEN];
	size_t h = 0;
	head[h++] = '|';
	h += put_int(head + h, id);
	head[h++] = '|';
	h += put_int(head + h, at);
	pc[0] = (struct vault_piece){prev, strlen(prev)};
	pc[1] = (struct vault_piece){head, h};
	for (int i = 0; i < 4; i++) {
		size_t len = strlen(field[i]), k = 0;
		sep[i][k++] = '|';
		k += put_int(sep[i] + k, (int64_t)len);
		sep[i][k++] = ':';
		pc[2 + 2 * i] = (struct vault_piece){sep[i], k};
		pc[3 + 2 * i] = (struct vault_piece){field[i], len};
	}
	vault_mac_pieces(m, pc, 10, mac);
	vault_hex(mac, sizeof mac, out);
}

/* The chain head kept in meta: "id:hash:mac", the mac keyed so it cannot be moved back to an
 * earlier entry by someone who cut the tail of the log. */
static void head_value(const struct vault *v, int64_t id, const char *hash, char *out, size_t n)
{
	char msg[160], mac_hex[2 * VAULT_BLIND_LEN + 1];
	unsigned char mac[VAULT_BLIND_LEN];
	snprintf(msg, sizeof msg, "%" PRId64 ":%s", id, hash);
	vault_blind(v, "audit-head", msg, mac);
	vault_hex(mac, sizeof mac, mac_hex);
	snprintf(out, n, "%s:%s", msg, mac_hex);
}

static const char *const SQL_LAST = "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1";
static const char *const SQL_LAST_CHECKPOINT =
    "SELECT last_id, last_hash FROM audit_checkpoints ORDER BY id DESC LIMIT 1";
static const char *const SQL_INSERT =
    "INSERT INTO audit(id, at_ms, actor, action, object, detail, prev, hash) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
static const char *const SQL_HEAD =
    "INSERT INTO meta(key, value) VALUES ('audit_head', ?) "
    "ON CONFLICT(key) DO UPDATE SET value = excluded.value";

enum err audit_append(struct store_conn *c, const struct vault *v, const char *actor,
		      const char *action, const char *object, const char *detail)
{
	enum err e = ERR_DB;
	int own_tx = 0;
	char prev[2 * VAULT_BLIND_LEN + 1] = GENESIS;
	char hash[2 * VAULT_BLIND_LEN + 1];
	int64_t id = 1;
	struct store_stmt *st = NULL;
	if (!store_in_tx(c)) {
		if (store_begin(c) != ERR_OK)
			goto out;
		own_tx = 1;
	}
	st = store_prepare(c, SQL_LAST);
	if (!st)
		goto out;
	int rc = store_step(st);
	if (rc == STORE_ROW) {
		id = store_col_int(st, 0) + 1;
		snprintf(prev, sizeof prev, "%s", store_col_text(st, 1));
	} else if (rc != STORE_DONE) {
		goto out;
	}
	store_finish(st);
	if (rc == STORE_DONE) {
		/* No entry left: the chain goes on from the newest checkpoint, if pruning took
		 * every entry (never from genesis again). */
		st = store_prepare(c, SQL_LAST_CHECKPOINT);
		if (!st)
			goto out;
		rc = store_step(st);
		if (rc == STORE_ROW) {
			id = store_col_int(st, 0) + 1;
			snprintf(prev, sizeof prev, "%s", store_col_text(st, 1));
		} else if (rc != STORE_DONE) {
			goto out;
		}
		store_finish(st);
	}
	int64_t at = clock_now_ms();
	struct vault_mac *m = vault_mac_new(v, "audit-chain");
	link_hash(m, prev, id, at, actor, action, object, detail, hash);
	vault_mac_free(m);
	st = store_prepare(c, SQL_INSERT);
	if (!st)
		goto out;
	store_bind_int(st, 1, id);
	store_bind_int(st, 2, at);
	store_bind_text(st, 3, actor);
	store_bind_text(st, 4, action);
	store_bind_text(st, 5, object);
	store_bind_text(st, 6, detail);
	store_bind_text(st, 7, prev);
	store_bind_text(st, 8, hash);
	e = store_run(st);
	store_finish(st);
	st = NULL;
	if (e != ERR_OK)
		goto out;
	char head[256];
	head_value(v, id, hash, head, sizeof head);
	st = store_prepare(c, SQL_HEAD);
	e = ERR_DB;
	if (!st)
		goto out;
	store_bind_text(st, 1, head);
	e = store_run(st);
	if (e == ERR_OK && own_tx)
		e = store_commit(c);
out:
	store_finish(st);
	if (e != ERR_OK && own_tx)
		store_rollback(c);
	return e;
}

/* The MAC of checkpoint cp, chained to the previous checkpoint's MAC (prev_mac, "" for the
 * first), so that a checkpoint can be neither altered nor dropped from between two others. */
static void checkpoint_mac(const struct vault *v, const struct audit_checkpoint *cp,
			   const char *prev_mac, char out[2 * VAULT_BLIND_LEN + 1])
{
	char msg[512];
	unsigned char mac[VAULT_BLIND_LEN];
	snprintf(msg, sizeof msg,
		 "%s|%" PRId64 "|%" PRId64 "|%" PRId64 "|%" PRId64 "|%" PRId64 "|%s|%" PRId64,
		 prev_mac, cp->id, cp->at_ms, cp->before_ms, cp->last_id, cp->last_at_ms,
		 cp->last_hash, cp->pruned);
	vault_blind(v, "audit-checkpoint", msg, mac);
	vault_hex(mac, sizeof mac, out);
	vault_wipe(mac, sizeof mac);
}

static const char *const SQL_CHECKPOINTS =
    "SELECT id, at_ms, before_ms, last_id, last_at_ms, last_hash, pruned, mac "
    "FROM audit_checkpoints ORDER BY id";

/* Reads and checks every checkpoint on c in order: each MAC (chained), ids of pruned entries
 * only growing. Sets *last to the newest (id 0 when none). ERR_CRYPTO with *bad_cp its id at
 * the first forged one, ERR_DB on a database error. */
static enum err checkpoints_check(struct store_conn *c, const struct vault *v,
				  struct audit_checkpoint *last, int64_t *bad_cp)
{
	char prev_mac[2 * VAULT_BLIND_LEN + 1] = "", want[2 * VAULT_BLIND_LEN + 1];
	enum err e = ERR_DB;
	struct store_stmt *st = store_prepare(c, SQL_CHECKPOINTS);
	memset(last, 0, sizeof *last);
	if (!st)
		return ERR_DB;
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		struct audit_checkpoint cp = {0};
		cp.id = store_col_int(st, 0);
		cp.at_ms = store_col_int(st, 1);
		cp.before_ms = store_col_int(st, 2);
		cp.last_id = store_col_int(st, 3);
		cp.last_at_ms = store_col_int(st, 4);
		snprintf(cp.last_hash, sizeof cp.last_hash, "%s", store_col_text(st, 5));
		cp.pruned = store_col_int(st, 6);
		checkpoint_mac(v, &cp, prev_mac, want);
		if (strcmp(want, store_col_text(st, 7)) != 0 || cp.last_id <= last->last_id) {
			*bad_cp = cp.id;
			e = ERR_CRYPTO;
			goto out;
		}
		snprintf(prev_mac, sizeof prev_mac, "%s", want);
		*last = cp;
	}
	e = rc == STORE_DONE ? ERR_OK : ERR_DB;
out:
	store_finish(st);
	return e;
}

enum err audit_verify_full(struct store *s, const struct vault *v, struct audit_verified *r)
{
	enum err e = ERR_DB;
	struct store_conn *c = store_acquire(s);
	char prev[2 * VAULT_BLIND_LEN + 1] = GENESIS;
	char want[2 * VAULT_BLIND_LEN + 1];
	int64_t expect_id = 1, n = 0, last_id = 0;
	struct store_stmt *st = NULL;
	struct vault_mac *m = vault_mac_new(v, "audit-chain");
	memset(r, 0, sizeof *r);
	/* One read transaction: the checkpoints, the chain and its head from the same snapshot,
	 * even while the server appends or prunes. */
	if (store_begin_read(c) != ERR_OK)
		goto out;
	e = checkpoints_check(c, v, &r->checkpoint, &r->bad_checkpoint);
	if (e != ERR_OK)
		goto out;
	e = ERR_DB;
	if (r->checkpoint.id) {
		/* The chain goes on from the last entry the newest checkpoint pruned. */
		snprintf(prev, sizeof prev, "%s", r->checkpoint.last_hash);
		expect_id = last_id = r->checkpoint.last_id;
		expect_id++;
	}
	st = store_prepare(
	    c, "SELECT id, at_ms, actor, action, object, detail, prev, hash FROM audit ORDER BY id");
	if (!st)
		goto out;
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		int64_t id = store_col_int(st, 0);
		const char *stored_prev = store_col_text(st, 6);
		const char *stored_hash = store_col_text(st, 7);
		link_hash(m, prev, id, store_col_int(st, 1), store_col_text(st, 2),
			  store_col_text(st, 3), store_col_text(st, 4), store_col_text(st, 5),
			  want);
		if (id != expect_id || strcmp(stored_prev, prev) != 0 ||
		    strcmp(stored_hash, want) != 0) {
			r->bad_id = id;
			e = ERR_CRYPTO;
			goto out;
		}
		snprintf(prev, sizeof prev, "%s", stored_hash);
		last_id = id;
		expect_id++;
		n++;
	}
	if (rc != STORE_DONE)
		goto out;
	store_finish(st);
	/* The head kept in meta catches a cut tail. */
	st = store_prepare(c, "SELECT value FROM meta WHERE key = 'audit_head'");
	if (!st)
		goto out;
	char head[256] = "";
	if (store_step(st) == STORE_ROW)
		snprintf(head, sizeof head, "%s", (const char *)store_col_text(st, 0));
	char want_head[256] = "";
	if (last_id > 0)
		head_value(v, last_id, prev, want_head, sizeof want_head);
	if (strcmp(head, want_head) != 0) {
		r->bad_id = last_id + 1; /* entries after the last intact one are missing */
		e = ERR_CRYPTO;
		goto out;
	}
	r->count = n;
	e = ERR_OK;
out:
	store_finish(st);
	store_rollback(c); /* ends the read transaction */
	store_release(c);
	vault_mac_free(m);
	return e;
}

enum err audit_verify(struct store *s, const struct vault *v, int64_t *bad_id, int64_t *count)
{
	struct audit_verified r;
	enum err e = audit_verify_full(s, v, &r);
	*bad_id = r.bad_id ? r.bad_id : r.bad_checkpoint ? r.checkpoint.last_id + 1 : 0;
	if (e == ERR_OK)
		*count = r.count;
	return e;
}

enum err audit_prune(struct store_conn *c, const struct vault *v, int64_t before_ms,
		     int64_t now_ms, int64_t *pruned)
{
	enum err e = ERR_DB;
	struct audit_checkpoint last, cp = {0};
	char prev_mac[2 * VAULT_BLIND_LEN + 1] = "", mac[2 * VAULT_BLIND_LEN + 1];
	int64_t bad = 0, first_kept = 0, max_id = 0;
	struct store_stmt *st = NULL;
	assert(store_in_tx(c));
	*pruned = 0;
	/* The checkpoint to chain to must itself be intact. */
	e = checkpoints_check(c, v, &last, &bad);
	if (e != ERR_OK)
		return e;
	e = ERR_DB;
	/* Whole periods: every entry before the first one at or after before_ms (an entry is
	 * never pruned while an older one stays, whatever the clock did). */
	st = store_prepare(c, "SELECT COALESCE(MIN(CASE WHEN at_ms >= ? THEN id END), 0), "
			      "COALESCE(MAX(id), 0) FROM audit");
	if (!st)
		goto out;
	store_bind_int(st, 1, before_ms);
	if (store_step(st) != STORE_ROW)
		goto out;
	first_kept = store_col_int(st, 0);
	max_id = store_col_int(st, 1);
	store_finish(st);
	st = NULL;
	cp.last_id = first_kept ? first_kept - 1 : max_id;
	if (cp.last_id <= last.last_id) {
		e = ERR_OK; /* nothing older than the period left */
		goto out;
	}
	st = store_prepare(c, "SELECT at_ms, hash, (SELECT count(*) FROM audit WHERE id <= ?1) "
			      "FROM audit WHERE id = ?1");
	if (!st)
		goto out;
	store_bind_int(st, 1, cp.last_id);
	if (store_step(st) != STORE_ROW)
		goto out;
	cp.last_at_ms = store_col_int(st, 0);
	snprintf(cp.last_hash, sizeof cp.last_hash, "%s", store_col_text(st, 1));
	cp.pruned = store_col_int(st, 2);
	store_finish(st);
	st = NULL;
	cp.id = last.id + 1;
	cp.at_ms = now_ms;
	cp.before_ms = before_ms;
	if (last.id) {
		/* The previous checkpoint's MAC, as checkpoints_check computed it. */
		st = store_prepare(c, "SELECT mac FROM audit_checkpoints WHERE id = ?");
		if (!st)
			goto out;
		store_bind_int(st, 1, last.id);
		if (store_step(st) != STORE_ROW)
			goto out;
		snprintf(prev_mac, sizeof prev_mac, "%s", store_col_text(st, 0));
		store_finish(st);
		st = NULL;
	}
	checkpoint_mac(v, &cp, prev_mac, mac);
	st = store_prepare(c, "INSERT INTO audit_checkpoints(id, at_ms, before_ms, last_id, "
			      "last_at_ms, last_hash, pruned, mac) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
	if (!st)
		goto out;
	store_bind_int(st, 1, cp.id);
	store_bind_int(st, 2, cp.at_ms);
	store_bind_int(st, 3, cp.before_ms);
	store_bind_int(st, 4, cp.last_id);
	store_bind_int(st, 5, cp.last_at_ms);
	store_bind_text(st, 6, cp.last_hash);
	store_bind_int(st, 7, cp.pruned);
	store_bind_text(st, 8, mac);
	e = store_run(st);
	store_finish(st);
	st = NULL;
	if (e != ERR_OK)
		goto out;
	/* The database refuses to delete an entry no checkpoint covers (sql/0037). */
	e = ERR_DB;
	st = store_prepare(c, "DELETE FROM audit WHERE id <= ?");
	if (!st)
		goto out;
	store_bind_int(st, 1, cp.last_id);
	e = store_run(st);
	if (e == ERR_OK)
		*pruned = cp.pruned;
out:
	store_finish(st);
	return e;
}

enum err audit_checkpoint_last(struct store *s, const struct vault *v,
			       struct audit_checkpoint *out)
{
	struct store_conn *c = store_acquire(s);
	int64_t bad = 0;
	enum err e = store_begin_read(c);
	if (e == ERR_OK)
		e = checkpoints_check(c, v, out, &bad);
	store_rollback(c);
	store_release(c);
	return e;
}
