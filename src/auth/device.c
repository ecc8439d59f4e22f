/* SPDX-License-Identifier: MIT */
/* device.c — kiosk device tokens. */
#include "auth/device.h"

#include <pthread.h>
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

/* Recently verified kiosk tokens (by hash), so that a kiosk's every scan does not open a read
 * transaction for the token. An entry lives KIOSK_CACHE_MS: a kiosk revoked (by the CLI, in
 * another process) stops working within that time. Only valid tokens are kept. */
#define KIOSK_CACHE_SLOTS 128
#define KIOSK_CACHE_MS 10000
static struct {
	unsigned char hash[VAULT_HASH_LEN];
	int64_t kiosk_id, site_id, until_ms;
} kiosk_cache[KIOSK_CACHE_SLOTS];
static pthread_mutex_t kiosk_cache_mu = PTHREAD_MUTEX_INITIALIZER;

static int cache_get(const unsigned char h[VAULT_HASH_LEN], int64_t now, int64_t *kiosk_id,
		     int64_t *site_id)
{
	int hit = 0;
	size_t slot = h[0] % KIOSK_CACHE_SLOTS;
	pthread_mutex_lock(&kiosk_cache_mu);
	if (kiosk_cache[slot].until_ms > now && vault_equal(kiosk_cache[slot].hash, h, VAULT_HASH_LEN)) {
		*kiosk_id = kiosk_cache[slot].kiosk_id;
		*site_id = kiosk_cache[slot].site_id;
		hit = 1;
	}
	pthread_mutex_unlock(&kiosk_cache_mu);
	return hit;
}

static void cache_put(const unsigned char h[VAULT_HASH_LEN], int64_t now, int64_t kiosk_id,
		      int64_t site_id)
{
	size_t slot = h[0] % KIOSK_CACHE_SLOTS;
	pthread_mutex_lock(&kiosk_cache_mu);
	memcpy(kiosk_cache[slot].hash, h, VAULT_HASH_LEN);
	kiosk_cache[slot].kiosk_id = kiosk_id;
	kiosk_cache[slot].site_id = site_id;
	kiosk_cache[slot].until_ms = now + KIOSK_CACHE_MS;
	pthread_mutex_unlock(&kiosk_cache_mu);
}

void device_kiosk_cache_clear(void)
{
	pthread_mutex_lock(&kiosk_cache_mu);
	memset(kiosk_cache, 0, sizeof kiosk_cache);
	pthread_mutex_unlock(&kiosk_cache_mu);
}

enum err device_kiosk_check(struct store *s, const char *token, int64_t *kiosk_id,
			    int64_t *site_id)
{
	unsigned char h[VAULT_HASH_LEN];
	int64_t now = clock_now_ms();
	vault_hash(token, strlen(token), h);
	if (cache_get(h, now, kiosk_id, site_id))
		return ERR_OK;
	struct store_conn *c = store_acquire(s);
	enum err e = ERR_UNAUTH;
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
		cache_put(h, now, *kiosk_id, *site_id);
		e = ERR_OK;
	}
out:
	store_finish(st);
	store_release(c);
	return e;
}

enum err device_kiosk_revoke(struct store_conn *c, int64_t kiosk_id)
{
	struct store_stmt *st = store_prepare(c, "SELECT revoked_ms IS NOT NULL FROM kiosks "
						 "WHERE id = ?");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, kiosk_id);
	int rc = store_step(st);
	int revoked = rc == STORE_ROW ? (int)store_col_int(st, 0) : 0;
	store_finish(st);
	if (rc != STORE_ROW)
		return rc == STORE_DONE ? ERR_NOTFOUND : ERR_DB;
	if (revoked)
		return ERR_CONFLICT;
	st = store_prepare(c, "UPDATE kiosks SET revoked_ms = ? WHERE id = ?");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, clock_now_ms());
	store_bind_int(st, 2, kiosk_id);
	enum err e = store_run(st);
	store_finish(st);
	if (e == ERR_OK)
		device_kiosk_cache_clear();
	return e;
}
