/* SPDX-License-Identifier: MIT */
/* escrow.c — the backups' key file: a magic line, a nonce and, sealed under the backup key,
 * for each owner a length-prefixed name, its data key and its index key; restoring keys under
 * a new master key; replacing (erasing) one owner's key. */
#include "vault/escrow.h"

#include <stdlib.h>
#include <string.h>

#include "base/file.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "store/store.h"
#include "vault/keyring_internal.h"

#define MAGIC "MIMAMORI-KEYS 1\n"
#define ENTRY_MAX (1 + VAULT_NAME_MAX + VAULT_KEY_LEN + VAULT_INDEX_KEY_LEN)
#define FILE_MAX (64 * 1024)

struct keyring_escrow {
	size_t n;
	struct vault v[KEYRING_MAX];
};

struct keyring_undo {
	struct vault *v;   /* the keyring's vault that got the new key */
	struct vault old;  /* its old key */
};

enum err keyring_escrow_write(struct keyring *k, const unsigned char *bkey, const char *path)
{
	size_t ml = strlen(MAGIC), cap = KEYRING_MAX * ENTRY_MAX;
	unsigned char *plain = sodium_malloc(cap);
	unsigned char *out = xmalloc(ml + VAULT_NONCE_LEN + cap + VAULT_TAG_LEN);
	size_t pl = 0;
	enum err e = ERR_IO;
	if (!plain)
		goto out;
	pthread_mutex_lock(&k->mu);
	for (size_t i = 0; i < k->n; i++) {
		const struct vault *v = k->v[i];
		size_t nl = strlen(v->name);
		plain[pl++] = (unsigned char)nl;
		memcpy(plain + pl, v->name, nl);
		pl += nl;
		memcpy(plain + pl, v->data_key, VAULT_KEY_LEN);
		pl += VAULT_KEY_LEN;
		memcpy(plain + pl, v->index_key, VAULT_INDEX_KEY_LEN);
		pl += VAULT_INDEX_KEY_LEN;
	}
	pthread_mutex_unlock(&k->mu);
	memcpy(out, MAGIC, ml);
	randombytes_buf(out + ml, VAULT_NONCE_LEN);
	unsigned long long cl = 0;
	crypto_aead_xchacha20poly1305_ietf_encrypt(out + ml + VAULT_NONCE_LEN, &cl, plain, pl,
						   (const unsigned char *)MAGIC, ml, NULL, out + ml,
						   bkey);
	e = file_write_atomic(path, out, ml + VAULT_NONCE_LEN + (size_t)cl);
out:
	if (plain)
		sodium_free(plain);
	free(out);
	return e;
}

enum err keyring_escrow_read(const char *path, const unsigned char *bkey,
			     struct keyring_escrow **out)
{
	char *raw = NULL;
	size_t len = 0, ml = strlen(MAGIC);
	unsigned char *plain = NULL;
	struct keyring_escrow *es = NULL;
	enum err e = file_read_all(path, FILE_MAX, &raw, &len);
	if (e == ERR_IO) {
		FILE *f = fopen(path, "r");
		if (!f)
			return ERR_NOTFOUND;
		fclose(f);
		return ERR_IO;
	}
	if (e != ERR_OK)
		return ERR_INVALID;
	e = ERR_INVALID;
	if (len < ml + VAULT_NONCE_LEN + VAULT_TAG_LEN || memcmp(raw, MAGIC, ml) != 0)
		goto out;
	size_t cl = len - ml - VAULT_NONCE_LEN;
	plain = sodium_malloc(cl);
	es = sodium_malloc(sizeof *es);
	e = ERR_CRYPTO;
	if (!plain || !es)
		goto out;
	memset(es, 0, sizeof *es);
	unsigned long long pl = 0;
	const unsigned char *u = (const unsigned char *)raw;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(plain, &pl, NULL, u + ml + VAULT_NONCE_LEN,
						       cl, u, ml, u + ml, bkey) != 0)
		goto out;
	size_t p = 0;
	e = ERR_INVALID;
	while (p < pl) {
		size_t nl = plain[p++];
		if (nl == 0 || nl > VAULT_NAME_MAX || es->n == KEYRING_MAX ||
		    p + nl + VAULT_KEY_LEN + VAULT_INDEX_KEY_LEN > pl)
			goto out;
		struct vault *v = &es->v[es->n++];
		memcpy(v->name, plain + p, nl);
		v->name[nl] = '\0';
		p += nl;
		memcpy(v->data_key, plain + p, VAULT_KEY_LEN);
		p += VAULT_KEY_LEN;
		memcpy(v->index_key, plain + p, VAULT_INDEX_KEY_LEN);
		p += VAULT_INDEX_KEY_LEN;
	}
	e = ERR_OK;
out:
	if (plain)
		sodium_free(plain);
	if (raw) {
		sodium_memzero(raw, len);
		free(raw);
	}
	if (e != ERR_OK) {
		keyring_escrow_free(es);
		return e;
	}
	*out = es;
	return ERR_OK;
}

void keyring_escrow_free(struct keyring_escrow *e)
{
	if (e)
		sodium_free(e);
}

static const struct vault *escrow_find(const struct keyring_escrow *e, const char *name)
{
	for (size_t i = 0; i < e->n; i++)
		if (strcmp(e->v[i].name, name) == 0)
			return &e->v[i];
	return NULL;
}

int keyring_escrow_has(const struct keyring_escrow *e, const char *name, const char *fingerprint)
{
	char fp[VAULT_FINGERPRINT_LEN];
	const struct vault *v = escrow_find(e, name);
	if (!v)
		return 0;
	vault_key_fingerprint(v->data_key, fp);
	return strcmp(fp, fingerprint) == 0;
}

/* Inserts meta row "<row>:<name>" = key wrapped under master as "<what>:<name>". */
static enum err put_wrapped(struct store_conn *c, const unsigned char *master, const char *row,
			    const char *what, const char *name, const unsigned char *key)
{
	unsigned char w[KEYRING_WRAPPED_LEN];
	char mkey[32 + VAULT_NAME_MAX];
	keyring_wrap(master, what, name, key, w);
	snprintf(mkey, sizeof mkey, "%s:%s", row, name);
	struct store_stmt *st = store_prepare(c, "INSERT INTO meta(key, value) VALUES (?, ?)");
	if (!st)
		return ERR_DB;
	store_bind_text(st, 1, mkey);
	store_bind_blob(st, 2, w, sizeof w);
	enum err e = store_run(st);
	store_finish(st);
	return e;
}

enum err keyring_restore(const char *key_path, struct store *s, const struct keyring_escrow *es,
			 const char *const *names, size_t n)
{
	unsigned char master[VAULT_KEY_LEN];
	char hex[2 * VAULT_KEY_LEN + 2];
	struct store_conn *c = NULL;
	enum err e = ERR_NOTFOUND;
	for (size_t i = 0; i < n; i++)
		if (!escrow_find(es, names[i]))
			return ERR_NOTFOUND;
	crypto_aead_xchacha20poly1305_ietf_keygen(master);
	sodium_bin2hex(hex, sizeof hex, master, VAULT_KEY_LEN);
	size_t hl = strlen(hex);
	hex[hl++] = '\n';
	FILE *probe = fopen(key_path, "r");
	if (probe) {
		fclose(probe);
		e = ERR_CONFLICT;
		goto out;
	}
	e = file_write_atomic(key_path, hex, hl);
	if (e != ERR_OK)
		goto out;
	c = store_acquire(s);
	e = store_begin(c);
	for (size_t i = 0; i < n && e == ERR_OK; i++) {
		const struct vault *v = escrow_find(es, names[i]);
		e = put_wrapped(c, master, "data_key", "data-key", v->name, v->data_key);
		/* An index key that is not the one derived from the data key (the platform's, in
		 * a directory upgraded from one key) is kept as its own row, as before. */
		struct vault *d = sodium_malloc(sizeof *d);
		if (!d) {
			e = ERR_CRYPTO;
			break;
		}
		memcpy(d->data_key, v->data_key, VAULT_KEY_LEN);
		vault_derive_index_key(d);
		if (e == ERR_OK && sodium_memcmp(d->index_key, v->index_key, VAULT_INDEX_KEY_LEN))
			e = put_wrapped(c, master, "index_key", "index-key", v->name, v->index_key);
		sodium_free(d);
	}
	if (e == ERR_OK)
		e = store_commit(c);
	store_rollback(c);
out:
	store_release(c);
	sodium_memzero(master, sizeof master);
	sodium_memzero(hex, sizeof hex);
	return e;
}

/* Returns k's vault of name or NULL; k->mu held by the caller. */
static struct vault *ring_find(struct keyring *k, const char *name)
{
	for (size_t i = 0; i < k->n; i++)
		if (strcmp(k->v[i]->name, name) == 0)
			return k->v[i];
	return NULL;
}

enum err keyring_fingerprint(struct keyring *k, const char *name, char fp[VAULT_FINGERPRINT_LEN])
{
	pthread_mutex_lock(&k->mu);
	struct vault *v = ring_find(k, name);
	if (v)
		vault_key_fingerprint(v->data_key, fp);
	pthread_mutex_unlock(&k->mu);
	return v ? ERR_OK : ERR_NOTFOUND;
}

size_t keyring_names(struct keyring *k, const char **names, size_t max)
{
	size_t n = 0;
	pthread_mutex_lock(&k->mu);
	for (size_t i = 0; i < k->n && n < max; i++)
		names[n++] = k->v[i]->name;
	pthread_mutex_unlock(&k->mu);
	return n;
}

enum err keyring_replace(struct keyring *k, struct store_conn *c, const char *name,
			 char fp[VAULT_FINGERPRINT_LEN], struct keyring_undo **undo)
{
	unsigned char w[KEYRING_WRAPPED_LEN], key[VAULT_KEY_LEN];
	char mkey[32 + VAULT_NAME_MAX];
	struct store_stmt *st = NULL;
	struct vault fresh; /* the new keys, wiped at the end */
	*undo = NULL;
	if (strcmp(name, VAULT_PLATFORM) == 0)
		return ERR_INVALID;
	pthread_mutex_lock(&k->mu);
	struct vault *v = ring_find(k, name);
	pthread_mutex_unlock(&k->mu);
	if (!v)
		return ERR_NOTFOUND;
	struct keyring_undo *u = sodium_malloc(sizeof *u);
	if (!u)
		return ERR_CRYPTO;
	u->v = v;
	pthread_mutex_lock(&k->mu);
	memcpy(&u->old, v, sizeof *v);
	pthread_mutex_unlock(&k->mu);
	vault_key_fingerprint(u->old.data_key, fp);
	crypto_aead_xchacha20poly1305_ietf_keygen(key);
	keyring_wrap(k->master, "data-key", name, key, w);
	snprintf(mkey, sizeof mkey, "data_key:%s", name);
	enum err e = ERR_DB;
	st = store_prepare(c, "UPDATE meta SET value = ? WHERE key = ?");
	if (!st)
		goto out;
	store_bind_blob(st, 1, w, sizeof w);
	store_bind_text(st, 2, mkey);
	e = store_run(st);
	store_finish(st);
	if (e == ERR_OK && store_changes(c) != 1)
		e = ERR_NOTFOUND;
	if (e != ERR_OK)
		goto out;
	snprintf(mkey, sizeof mkey, "index_key:%s", name);
	st = store_prepare(c, "DELETE FROM meta WHERE key = ?");
	e = ERR_DB;
	if (!st)
		goto out;
	store_bind_text(st, 1, mkey);
	e = store_run(st);
	store_finish(st);
	if (e != ERR_OK)
		goto out;
	/* From now on this process seals and reads the service's data under the new key; the
	 * erasure watch leaves it alone until the transaction ends (keyring_replace_done). */
	memcpy(fresh.data_key, key, VAULT_KEY_LEN);
	vault_derive_index_key(&fresh);
	pthread_mutex_lock(&k->mu);
	v->replacing = 1;
	vault_keys_set(v, fresh.data_key, fresh.index_key);
	pthread_mutex_unlock(&k->mu);
out:
	sodium_memzero(key, sizeof key);
	sodium_memzero(&fresh, sizeof fresh);
	if (e != ERR_OK) {
		sodium_free(u);
		return e;
	}
	*undo = u;
	return ERR_OK;
}

void keyring_replace_done(struct keyring *k, struct keyring_undo *u, int committed)
{
	if (!u)
		return;
	pthread_mutex_lock(&k->mu);
	if (!committed)
		vault_keys_set(u->v, u->old.data_key, u->old.index_key);
	u->v->replacing = 0;
	pthread_mutex_unlock(&k->mu);
	sodium_free(u); /* wipes the old key */
}
