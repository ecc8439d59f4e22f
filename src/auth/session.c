/* SPDX-License-Identifier: MIT */
/* session.c — session rows keyed by the hash of their token. */
#include "auth/session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "store/store.h"
#include "vault/vault.h"

static void token_hash(const char *token, unsigned char out[VAULT_HASH_LEN])
{
	vault_hash(token, strlen(token), out);
}

/* The statements of each kind of session: the tables differ only in name and owner column. */
static const struct session_sql {
	const char *insert, *sweep, *select, *remove, *touch;
} sqls[] = {
    [SESSION_STAFF] =
	{"INSERT INTO sessions(token_hash, user_id, csrf, created_ms, last_seen_ms) "
	 "VALUES (?, ?, ?, ?, ?)",
	 "DELETE FROM sessions WHERE last_seen_ms < ? OR created_ms < ?",
	 "SELECT user_id, csrf, created_ms, last_seen_ms FROM sessions WHERE token_hash = ?",
	 "DELETE FROM sessions WHERE token_hash = ?",
	 "UPDATE sessions SET last_seen_ms = ?2 WHERE token_hash = ?1"},
    [SESSION_GUARDIAN] =
	{"INSERT INTO guardian_sessions(token_hash, guardian_id, csrf, created_ms, last_seen_ms) "
	 "VALUES (?, ?, ?, ?, ?)",
	 "DELETE FROM guardian_sessions WHERE last_seen_ms < ? OR created_ms < ?",
	 "SELECT guardian_id, csrf, created_ms, last_seen_ms FROM guardian_sessions "
	 "WHERE token_hash = ?",
	 "DELETE FROM guardian_sessions WHERE token_hash = ?",
	 "UPDATE guardian_sessions SET last_seen_ms = ?2 WHERE token_hash = ?1"},
};

enum err session_create_kind(struct store *s, enum session_kind kind, int64_t owner_id,
			     char **token, char **csrf)
{
	const struct session_sql *q = &sqls[kind];
	unsigned char h[VAULT_HASH_LEN];
	char *t = vault_token(32), *x = vault_token(24);
	int64_t now = clock_now_ms();
	struct store_conn *c = store_acquire(s);
	enum err e = ERR_DB;
	token_hash(t, h);
	struct store_stmt *st = NULL;
	/* Writers take their turn (store_begin) rather than racing in SQLite's busy handler. */
	if (store_begin(c) != ERR_OK)
		goto out;
	st = store_prepare(c, q->insert);
	if (!st)
		goto out;
	store_bind_blob(st, 1, h, sizeof h);
	store_bind_int(st, 2, owner_id);
	store_bind_text(st, 3, x);
	store_bind_int(st, 4, now);
	store_bind_int(st, 5, now);
	e = store_run(st);
	store_finish(st);
	/* Expired sessions of anyone are swept here, where sessions are written anyway. */
	st = store_prepare(c, q->sweep);
	if (st) {
		store_bind_int(st, 1, now - SESSION_IDLE_MS);
		store_bind_int(st, 2, now - SESSION_ABSOLUTE_MS);
		store_run(st);
		store_finish(st);
	}
	if (e == ERR_OK)
		e = store_commit(c);
out:
	store_rollback(c);
	store_release(c);
	if (e != ERR_OK) {
		vault_wipe_free(t);
		free(x);
		return e;
	}
	*token = t;
	*csrf = x;
	return ERR_OK;
}

enum err session_check_kind(struct store *s, enum session_kind kind, const char *token,
			    int64_t *owner_id, char csrf[64])
{
	const struct session_sql *q = &sqls[kind];
	unsigned char h[VAULT_HASH_LEN];
	int64_t now = clock_now_ms();
	enum err e = ERR_UNAUTH;
	struct store_conn *c = store_acquire(s);
	token_hash(token, h);
	struct store_stmt *st = store_prepare(c, q->select);
	if (!st) {
		e = ERR_DB;
		goto out;
	}
	store_bind_blob(st, 1, h, sizeof h);
	if (store_step(st) != STORE_ROW)
		goto out;
	int64_t uid = store_col_int(st, 0);
	snprintf(csrf, 64, "%s", store_col_text(st, 1));
	int64_t created = store_col_int(st, 2), seen = store_col_int(st, 3);
	store_finish(st);
	st = NULL;
	int expired = now - seen > SESSION_IDLE_MS || now - created > SESSION_ABSOLUTE_MS;
	if (!expired && now - seen < 60000) {
		/* The idle timer is refreshed at most once a minute: no write on every request. */
		*owner_id = uid;
		e = ERR_OK;
		goto out;
	}
	if (store_begin(c) != ERR_OK) {
		e = ERR_DB;
		goto out;
	}
	st = store_prepare(c, expired ? q->remove : q->touch);
	if (!st) {
		e = ERR_DB;
		goto out;
	}
	store_bind_blob(st, 1, h, sizeof h);
	if (!expired)
		store_bind_int(st, 2, now);
	if (store_run(st) != ERR_OK || store_commit(c) != ERR_OK) {
		e = ERR_DB;
		goto out;
	}
	if (expired)
		goto out;
	*owner_id = uid;
	e = ERR_OK;
out:
	store_finish(st);
	store_rollback(c);
	store_release(c);
	return e;
}

enum err session_delete_kind(struct store *s, enum session_kind kind, const char *token)
{
	unsigned char h[VAULT_HASH_LEN];
	struct store_conn *c = store_acquire(s);
	enum err e = ERR_DB;
	token_hash(token, h);
	struct store_stmt *st = NULL;
	if (store_begin(c) == ERR_OK)
		st = store_prepare(c, sqls[kind].remove);
	if (st) {
		store_bind_blob(st, 1, h, sizeof h);
		e = store_run(st);
		if (e == ERR_OK)
			e = store_commit(c);
	}
	store_finish(st);
	store_rollback(c);
	store_release(c);
	return e;
}

enum err session_create(struct store *s, int64_t user_id, char **token, char **csrf)
{
	return session_create_kind(s, SESSION_STAFF, user_id, token, csrf);
}

enum err session_check(struct store *s, const char *token, int64_t *user_id, char csrf[64])
{
	return session_check_kind(s, SESSION_STAFF, token, user_id, csrf);
}

enum err session_delete(struct store *s, const char *token)
{
	return session_delete_kind(s, SESSION_STAFF, token);
}
