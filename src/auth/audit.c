/* SPDX-License-Identifier: MIT */
/* audit.c — hash-chained audit entries: hash_n = MAC(hash_{n-1} | id | time | fields). */
#include "auth/audit.h"

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

enum err audit_verify(struct store *s, const struct vault *v, int64_t *bad_id, int64_t *count)
{
	enum err e = ERR_DB;
	struct store_conn *c = store_acquire(s);
	char prev[2 * VAULT_BLIND_LEN + 1] = GENESIS;
	char want[2 * VAULT_BLIND_LEN + 1];
	int64_t expect_id = 1, n = 0;
	struct vault_mac *m = vault_mac_new(v, "audit-chain");
	struct store_stmt *st = store_prepare(
	    c, "SELECT id, at_ms, actor, action, object, detail, prev, hash FROM audit ORDER BY id");
	*bad_id = 0;
	/* One read transaction: the chain and its head from the same snapshot, even while the
	 * server appends. */
	if (store_begin_read(c) != ERR_OK)
		goto out;
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
			*bad_id = id;
			e = ERR_CRYPTO;
			goto out;
		}
		snprintf(prev, sizeof prev, "%s", stored_hash);
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
	if (n > 0)
		head_value(v, n, prev, want_head, sizeof want_head);
	if (strcmp(head, want_head) != 0) {
		*bad_id = n + 1; /* entries after the last intact one are missing */
		e = ERR_CRYPTO;
		goto out;
	}
	*count = n;
	e = ERR_OK;
out:
	store_finish(st);
	store_rollback(c); /* ends the read transaction */
	store_release(c);
	vault_mac_free(m);
	return e;
}
