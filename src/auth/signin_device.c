/* SPDX-License-Identifier: MIT */
/* signin_device.c — the rows of device_cookies: finding a client's token for an account,
 * counting its own failures, issuing new tokens and forgetting old ones. */
#include "auth/signin_device.h"

#include <stdlib.h>
#include <string.h>

#include "store/store.h"

enum err signin_device_find(struct store_conn *c, int64_t user_id, const char *cookie, int64_t now,
			    int *found, unsigned char hash[VAULT_HASH_LEN],
			    struct signin_counters *k)
{
	const char *p = cookie;
	*found = 0;
	for (int n = 0; p && *p && n < SIGNIN_DEVICE_TOKENS && !*found; n++) {
		size_t len = strcspn(p, ".");
		if (len >= 16 && len <= 128) {
			vault_hash(p, len, hash);
			struct store_stmt *st = store_prepare(
			    c, "SELECT failed_count, last_failed_ms, locked_until_ms FROM "
			       "device_cookies WHERE token_hash = ? AND user_id = ? AND "
			       "last_used_ms > ?");
			if (!st)
				return ERR_DB;
			store_bind_blob(st, 1, hash, VAULT_HASH_LEN);
			store_bind_int(st, 2, user_id);
			store_bind_int(st, 3, now - SIGNIN_DEVICE_TTL_MS);
			int rc = store_step(st);
			if (rc == STORE_ROW) {
				k->failed = store_col_int(st, 0);
				k->last_failed = store_col_int(st, 1);
				k->locked_until = store_col_int(st, 2);
				/* A device locked by its own failures is an untrusted client again
				 * (a stolen cookie buys ten guesses, no more). */
				*found = k->locked_until <= now;
			}
			store_finish(st);
			if (rc != STORE_ROW && rc != STORE_DONE)
				return ERR_DB;
		}
		p += len;
		p += *p == '.';
	}
	return ERR_OK;
}

enum err signin_device_charge(struct store_conn *c, const unsigned char hash[VAULT_HASH_LEN],
			      int64_t now, int64_t lock_after, int64_t lock_ms)
{
	struct store_stmt *st = store_prepare(
	    c, "UPDATE device_cookies SET failed_count = failed_count + 1, last_failed_ms = ?2, "
	       "locked_until_ms = CASE WHEN failed_count + 1 >= ?3 THEN ?2 + ?4 "
	       "ELSE locked_until_ms END WHERE token_hash = ?1");
	if (!st)
		return ERR_DB;
	store_bind_blob(st, 1, hash, VAULT_HASH_LEN);
	store_bind_int(st, 2, now);
	store_bind_int(st, 3, lock_after);
	store_bind_int(st, 4, lock_ms);
	enum err e = store_run(st);
	store_finish(st);
	return e;
}

enum err signin_device_reset(struct store_conn *c, const unsigned char hash[VAULT_HASH_LEN],
			     int64_t now)
{
	struct store_stmt *st =
	    store_prepare(c, "UPDATE device_cookies SET failed_count = 0, last_failed_ms = 0, "
			     "locked_until_ms = 0, last_used_ms = ? WHERE token_hash = ?");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, now);
	store_bind_blob(st, 2, hash, VAULT_HASH_LEN);
	enum err e = store_run(st);
	store_finish(st);
	return e;
}

enum err signin_device_issue(struct store_conn *c, int64_t user_id, int64_t now, char **token)
{
	unsigned char h[VAULT_HASH_LEN];
	char *t = vault_token(32);
	enum err e = ERR_DB;
	vault_hash(t, strlen(t), h);
	struct store_stmt *st = store_prepare(
	    c, "INSERT INTO device_cookies(token_hash, user_id, created_ms, last_used_ms) "
	       "VALUES (?, ?, ?, ?)");
	if (!st)
		goto out;
	store_bind_blob(st, 1, h, sizeof h);
	store_bind_int(st, 2, user_id);
	store_bind_int(st, 3, now);
	store_bind_int(st, 4, now);
	e = store_run(st);
	store_finish(st);
	if (e != ERR_OK)
		goto out;
	st =
	    store_prepare(c, "DELETE FROM device_cookies WHERE (user_id = ?1 AND token_hash NOT IN "
			     "(SELECT token_hash FROM device_cookies WHERE user_id = ?1 ORDER BY "
			     "last_used_ms DESC LIMIT ?2)) OR last_used_ms < ?3");
	e = ERR_DB;
	if (!st)
		goto out;
	store_bind_int(st, 1, user_id);
	store_bind_int(st, 2, SIGNIN_DEVICE_PER_USER);
	store_bind_int(st, 3, now - SIGNIN_DEVICE_TTL_MS);
	e = store_run(st);
	store_finish(st);
out:
	if (e != ERR_OK) {
		vault_wipe_free(t);
		return e;
	}
	*token = t;
	return ERR_OK;
}
