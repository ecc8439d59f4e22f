/* SPDX-License-Identifier: MIT */
/* device.c — kiosk device tokens. */
#include "auth/device.h"

#include <string.h>

#include "base/clock.h"
#include "store/store.h"
#include "vault/vault.h"

enum err device_kiosk_add(struct store *s, int64_t site_id, char **token, int64_t *kiosk_id)
{
	unsigned char h[VAULT_HASH_LEN];
	char *t = vault_token(32);
	struct store_conn *c = store_acquire(s);
	enum err e = ERR_DB;
	vault_hash(t, strlen(t), h);
	struct store_stmt *st = NULL;
	if (store_begin(c) != ERR_OK)
		goto out;
	st = store_prepare(c, "INSERT INTO kiosks(site_id, token_hash, created_ms) VALUES (?, ?, ?)");
	if (!st)
		goto out;
	store_bind_int(st, 1, site_id);
	store_bind_blob(st, 2, h, sizeof h);
	store_bind_int(st, 3, clock_now_ms());
	e = store_run(st);
	*kiosk_id = store_last_id(c);
	if (e == ERR_OK)
		e = store_commit(c);
out:
	store_finish(st);
	store_rollback(c);
	store_release(c);
	if (e != ERR_OK) {
		vault_wipe_free(t);
		return e;
	}
	*token = t;
	return ERR_OK;
}

enum err device_kiosk_check(struct store *s, const char *token, int64_t *kiosk_id,
			    int64_t *site_id)
{
	unsigned char h[VAULT_HASH_LEN];
	struct store_conn *c = store_acquire(s);
	enum err e = ERR_UNAUTH;
	vault_hash(token, strlen(token), h);
	struct store_stmt *st = store_prepare(
	    c, "SELECT id, site_id FROM kiosks WHERE token_hash = ? AND revoked_ms IS NULL");
	if (!st) {
		e = ERR_DB;
		goto out;
	}
	store_bind_blob(st, 1, h, sizeof h);
	if (store_step(st) == STORE_ROW) {
		*kiosk_id = store_col_int(st, 0);
		*site_id = store_col_int(st, 1);
		e = ERR_OK;
	}
out:
	store_finish(st);
	store_release(c);
	return e;
}
