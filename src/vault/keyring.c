/* SPDX-License-Identifier: MIT */
/* keyring.c — the master key and the per-owner data keys wrapped by it (`data_key:<name>` in
 * meta), each unwrapped on first use; the upgrade of a directory made when it had one key. */
#include "vault/keyring.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "store/store.h"
#include "vault/keyring_internal.h"

#define WRAPPED_LEN KEYRING_WRAPPED_LEN
/* The associated data a key was wrapped with before keys were per owner. */
#define LEGACY_AD "data-key"

static enum err read_master(const char *path, unsigned char key[VAULT_KEY_LEN])
{
	enum err e = ERR_CRYPTO;
	char hex[2 * VAULT_KEY_LEN + 2];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		log_error("vault: cannot open master key file");
		return ERR_IO;
	}
	ssize_t n = read(fd, hex, sizeof hex - 1);
	close(fd);
	if (n < (ssize_t)(2 * VAULT_KEY_LEN))
		goto out;
	hex[n] = '\0';
	size_t bin_len = 0;
	if (sodium_hex2bin(key, VAULT_KEY_LEN, hex, (size_t)n, "\n", &bin_len, NULL) != 0 ||
	    bin_len != VAULT_KEY_LEN)
		goto out;
	e = ERR_OK;
out:
	sodium_memzero(hex, sizeof hex);
	if (e != ERR_OK)
		log_error("vault: master key file is malformed");
	return e;
}

/* The wrapped form of key (VAULT_KEY_LEN bytes) under master with associated data
 * "<what>:<name>" (what: "data-key" or "index-key"), into out (WRAPPED_LEN bytes). Binding the
 * name means a key copied to another owner's row does not open. */
void keyring_wrap(const unsigned char *master, const char *what, const char *name,
		 const unsigned char *key, unsigned char *out)
{
	char ad[64];
	snprintf(ad, sizeof ad, "%s:%s", what, name);
	randombytes_buf(out, VAULT_NONCE_LEN);
	crypto_aead_xchacha20poly1305_ietf_encrypt(out + VAULT_NONCE_LEN, NULL, key, VAULT_KEY_LEN,
						   (const unsigned char *)ad, strlen(ad), NULL, out,
						   master);
}

/* Unwraps blob (len bytes) with associated data ad into key. Returns 0, or -1 when it does not
 * open. */
static int unwrap(const unsigned char *master, const char *ad, const void *blob, size_t len,
		  unsigned char *key)
{
	const unsigned char *w = blob;
	unsigned long long plen = 0;
	if (!w || len != WRAPPED_LEN)
		return -1;
	return crypto_aead_xchacha20poly1305_ietf_decrypt(
		   key, &plen, NULL, w + VAULT_NONCE_LEN, len - VAULT_NONCE_LEN,
		   (const unsigned char *)ad, strlen(ad), w, master) == 0 &&
		       plen == VAULT_KEY_LEN
		   ? 0
		   : -1;
}

/* Inserts meta row key = blob on c; ERR_CONFLICT when it exists. */
static enum err meta_insert(struct store_conn *c, const char *key, const unsigned char *blob)
{
	struct store_stmt *st = store_prepare(c, "INSERT INTO meta(key, value) VALUES (?, ?)");
	if (!st)
		return ERR_DB;
	store_bind_text(st, 1, key);
	store_bind_blob(st, 2, blob, WRAPPED_LEN);
	enum err e = store_run(st);
	store_finish(st);
	return e;
}

/* Stores a new random key for name on c (nothing when another process stored one first). */
static enum err store_new_key(struct store_conn *c, const unsigned char *master, const char *name)
{
	unsigned char key[VAULT_KEY_LEN], w[WRAPPED_LEN];
	char mkey[16 + VAULT_NAME_MAX];
	crypto_aead_xchacha20poly1305_ietf_keygen(key);
	keyring_wrap(master, "data-key", name, key, w);
	sodium_memzero(key, sizeof key);
	snprintf(mkey, sizeof mkey, "data_key:%s", name);
	struct store_stmt *st = store_prepare(
	    c, "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO NOTHING");
	if (!st)
		return ERR_DB;
	store_bind_text(st, 1, mkey);
	store_bind_blob(st, 2, w, sizeof w);
	enum err e = store_run(st);
	store_finish(st);
	return e;
}

/* Reads meta row key on c into a copy in *blob (len in *len, at most WRAPPED_LEN + 1 bytes
 * kept). Returns ERR_NOTFOUND when there is none. */
static enum err meta_get(struct store_conn *c, const char *key, unsigned char *blob, size_t *len)
{
	struct store_stmt *st = store_prepare(c, "SELECT value FROM meta WHERE key = ?");
	if (!st)
		return ERR_DB;
	store_bind_text(st, 1, key);
	int rc = store_step(st);
	enum err e = rc == STORE_DONE ? ERR_NOTFOUND : ERR_DB;
	if (rc == STORE_ROW) {
		size_t n = 0;
		const void *p = store_col_blob(st, 0, &n);
		*len = n;
		if (n > WRAPPED_LEN)
			n = WRAPPED_LEN;
		if (n)
			memcpy(blob, p, n);
		e = ERR_OK;
	}
	store_finish(st);
	return e;
}

/* Loads the key of name on c into a new vault in *out (sodium_malloc'd). ERR_NOTFOUND when
 * the directory has no key of that name, ERR_CRYPTO when it does not open. */
static enum err load(struct store_conn *c, const unsigned char *master, const char *name,
		     struct vault **out)
{
	unsigned char w[WRAPPED_LEN];
	char mkey[16 + VAULT_NAME_MAX], ad[32 + VAULT_NAME_MAX];
	size_t len = 0;
	snprintf(mkey, sizeof mkey, "data_key:%s", name);
	enum err e = meta_get(c, mkey, w, &len);
	if (e != ERR_OK)
		return e;
	struct vault *v = sodium_malloc(sizeof *v);
	if (!v)
		return ERR_CRYPTO;
	memset(v, 0, sizeof *v);
	snprintf(v->name, sizeof v->name, "%s", name);
	snprintf(ad, sizeof ad, "data-key:%s", name);
	e = ERR_CRYPTO;
	if (unwrap(master, ad, w, len, v->data_key) != 0) {
		log_error("vault: the master key does not open the key of %s", name);
		goto out;
	}
	vault_derive_index_key(v);
	/* An index key of its own (the platform's, in a directory made with one key). */
	snprintf(mkey, sizeof mkey, "index_key:%s", name);
	e = meta_get(c, mkey, w, &len);
	if (e == ERR_NOTFOUND) {
		e = ERR_OK;
	} else if (e == ERR_OK) {
		snprintf(ad, sizeof ad, "index-key:%s", name);
		if (unwrap(master, ad, w, len, v->index_key) != 0) {
			log_error("vault: the master key does not open the index key of %s", name);
			e = ERR_CRYPTO;
		}
	}
out:
	if (e != ERR_OK) {
		sodium_free(v);
		return e;
	}
	*out = v;
	return ERR_OK;
}

enum err keyring_create(const char *key_path, struct store *s)
{
	unsigned char master[VAULT_KEY_LEN];
	char hex[2 * VAULT_KEY_LEN + 2];
	enum err e = ERR_IO;
	struct store_conn *c = NULL;
	int fd = open(key_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		e = errno == EEXIST ? ERR_CONFLICT : ERR_IO;
		goto out;
	}
	crypto_aead_xchacha20poly1305_ietf_keygen(master);
	sodium_bin2hex(hex, sizeof hex, master, VAULT_KEY_LEN);
	size_t hl = strlen(hex);
	hex[hl++] = '\n';
	if (write(fd, hex, hl) != (ssize_t)hl || fsync(fd) != 0) {
		close(fd);
		goto out;
	}
	close(fd);
	unsigned char key[VAULT_KEY_LEN], w[WRAPPED_LEN];
	crypto_aead_xchacha20poly1305_ietf_keygen(key);
	keyring_wrap(master, "data-key", VAULT_PLATFORM, key, w);
	sodium_memzero(key, sizeof key);
	c = store_acquire(s);
	e = meta_insert(c, "data_key:" VAULT_PLATFORM, w);
out:
	store_release(c);
	sodium_memzero(master, sizeof master);
	sodium_memzero(hex, sizeof hex);
	return e;
}

/* The upgrade of a directory made when it had one data key (see keyring_open), on c in one
 * write transaction. */
static enum err upgrade(struct store_conn *c, const unsigned char *master, char *owner,
			size_t owner_n)
{
	unsigned char key[VAULT_KEY_LEN], w[WRAPPED_LEN];
	char name[VAULT_NAME_MAX + 1] = "";
	struct vault *old = NULL;
	struct store_stmt *st = NULL;
	enum err e = store_begin(c);
	if (e != ERR_OK)
		return e;
	size_t len = 0;
	if (meta_get(c, "data_key:" VAULT_PLATFORM, w, &len) == ERR_OK)
		goto commit; /* another process upgraded it first */
	/* The one key sealed under the old associated data is the directory's old key. */
	st = store_prepare(c, "SELECT key, value FROM meta WHERE key LIKE 'data_key:%'");
	e = ERR_DB;
	if (!st)
		goto out;
	int rc, found = 0;
	while ((rc = store_step(st)) == STORE_ROW) {
		size_t n = 0;
		const void *b = store_col_blob(st, 1, &n);
		if (!found && unwrap(master, LEGACY_AD, b, n, key) == 0) {
			snprintf(name, sizeof name, "%s",
				 store_col_text(st, 0) + strlen("data_key:"));
			found = 1;
		}
	}
	store_finish(st);
	st = NULL;
	if (rc != STORE_DONE)
		goto out;
	e = ERR_CRYPTO;
	if (!found || !vault_name_ok(name)) {
		log_error("vault: the master key opens no key of this database");
		goto out;
	}
	/* Its owner keeps it, wrapped under its name now. */
	keyring_wrap(master, "data-key", name, key, w);
	st = store_prepare(c, "UPDATE meta SET value = ? WHERE key = ?");
	e = ERR_DB;
	if (!st)
		goto out;
	char mkey[16 + VAULT_NAME_MAX];
	snprintf(mkey, sizeof mkey, "data_key:%s", name);
	store_bind_blob(st, 1, w, sizeof w);
	store_bind_text(st, 2, mkey);
	e = store_run(st);
	store_finish(st);
	st = NULL;
	if (e != ERR_OK)
		goto out;
	/* The platform: a new data key, and the old key's index half as its index key, so that
	 * the audit chain keyed with it goes on verifying. */
	old = sodium_malloc(sizeof *old);
	e = ERR_CRYPTO;
	if (!old)
		goto out;
	memcpy(old->data_key, key, sizeof key);
	vault_derive_index_key(old);
	e = store_new_key(c, master, VAULT_PLATFORM);
	if (e != ERR_OK)
		goto out;
	keyring_wrap(master, "index-key", VAULT_PLATFORM, old->index_key, w);
	e = meta_insert(c, "index_key:" VAULT_PLATFORM, w);
	if (e != ERR_OK)
		goto out;
	log_info("vault: keys are per owner now: this directory's key became %s's, the platform "
		 "has a key of its own",
		 name);
	snprintf(owner, owner_n, "%s", name);
commit:
	e = store_commit(c);
out:
	store_finish(st);
	store_rollback(c);
	if (old)
		sodium_free(old);
	sodium_memzero(key, sizeof key);
	return e;
}

/* Opens every other key of the directory now, on c: later uses then never need a connection
 * (a process with one connection may ask for a key while it holds it in a transaction). A key
 * that does not open under its own name (a row copied from another name) is left out: its name
 * then opens nothing. */
static enum err load_all(struct keyring *k, struct store_conn *c)
{
	char names[KEYRING_MAX][VAULT_NAME_MAX + 1];
	size_t n = 0;
	struct store_stmt *st =
	    store_prepare(c, "SELECT substr(key, 10) FROM meta WHERE key LIKE 'data_key:%' "
			     "ORDER BY key");
	if (!st)
		return ERR_DB;
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		const char *name = store_col_text(st, 0);
		if (n < KEYRING_MAX - 1 && vault_name_ok(name) && strcmp(name, VAULT_PLATFORM) != 0)
			snprintf(names[n++], sizeof names[0], "%s", name);
	}
	store_finish(st);
	if (rc != STORE_DONE)
		return ERR_DB;
	for (size_t i = 0; i < n; i++) {
		struct vault *v = NULL;
		enum err e = load(c, k->master, names[i], &v);
		if (e == ERR_CRYPTO)
			continue; /* not a key of ours (a copied row): never used, refused by name
				   */
		if (e != ERR_OK)
			return e;
		k->v[k->n++] = v;
	}
	return ERR_OK;
}

enum err keyring_open(const char *key_path, struct store *s, struct keyring **out)
{
	struct keyring *k = sodium_malloc(sizeof *k);
	struct store_conn *c = NULL;
	struct vault *v = NULL;
	if (!k)
		return ERR_CRYPTO;
	memset(k, 0, sizeof *k);
	k->s = s;
	pthread_mutex_init(&k->mu, NULL);
	enum err e = read_master(key_path, k->master);
	if (e != ERR_OK)
		goto out;
	c = store_acquire(s);
	e = load(c, k->master, VAULT_PLATFORM, &v);
	if (e == ERR_NOTFOUND) {
		e = upgrade(c, k->master, k->upgraded, sizeof k->upgraded);
		if (e == ERR_OK)
			e = load(c, k->master, VAULT_PLATFORM, &v);
	}
	if (e == ERR_NOTFOUND)
		e = ERR_CRYPTO;
	if (e == ERR_OK)
		k->v[k->n++] = v;
	if (e == ERR_OK)
		e = load_all(k, c);
out:
	store_release(c);
	if (e != ERR_OK) {
		keyring_free(k);
		return e;
	}
	*out = k;
	return ERR_OK;
}

const char *keyring_upgraded(const struct keyring *k)
{
	return k->upgraded[0] ? k->upgraded : NULL;
}

const struct vault *keyring_platform(struct keyring *k)
{
	return k->v[0];
}

const struct vault *keyring_vault(struct keyring *k, const char *name)
{
	struct vault *v = NULL;
	if (!vault_name_ok(name)) {
		log_error("vault: \"%s\" cannot name a key", name ? name : "");
		return NULL;
	}
	pthread_mutex_lock(&k->mu);
	for (size_t i = 0; i < k->n; i++)
		if (strcmp(k->v[i]->name, name) == 0) {
			v = k->v[i];
			goto out;
		}
	if (k->n == KEYRING_MAX) {
		log_error("vault: too many keys in one directory");
		goto out;
	}
	struct store_conn *c = store_acquire(k->s);
	enum err e = load(c, k->master, name, &v);
	if (e == ERR_NOTFOUND) {
		/* The first use of this name in this directory: its key is made now. */
		e = store_new_key(c, k->master, name);
		if (e == ERR_OK)
			e = load(c, k->master, name, &v);
		if (e == ERR_OK)
			log_info("vault: a new key for %s", name);
	}
	store_release(c);
	if (e != ERR_OK) {
		log_error("vault: cannot open the key of %s (%s)", name, err_str(e));
		v = NULL;
		goto out;
	}
	k->v[k->n++] = v;
out:
	pthread_mutex_unlock(&k->mu);
	return v;
}

enum err keyring_reload(struct keyring *k, const char *name, int *changed)
{
	struct vault *cur = NULL, *fresh = NULL;
	*changed = 0;
	pthread_mutex_lock(&k->mu);
	for (size_t i = 0; i < k->n && !cur; i++)
		if (strcmp(k->v[i]->name, name) == 0)
			cur = k->v[i];
	pthread_mutex_unlock(&k->mu);
	if (!cur)
		return ERR_NOTFOUND;
	struct store_conn *c = store_acquire(k->s);
	enum err e = load(c, k->master, name, &fresh);
	store_release(c);
	if (e != ERR_OK)
		return e;
	/* The writers of a vault's keys hold mu: read directly. An erasure of this very key in
	 * this process (its new key not committed yet, the stored one still the old) is left
	 * alone: its keyring_replace_done settles it. */
	pthread_mutex_lock(&k->mu);
	if (!cur->replacing &&
	    (sodium_memcmp(cur->data_key, fresh->data_key, VAULT_KEY_LEN) != 0 ||
	     sodium_memcmp(cur->index_key, fresh->index_key, VAULT_INDEX_KEY_LEN) != 0)) {
		vault_keys_set(cur, fresh->data_key, fresh->index_key);
		*changed = 1;
	}
	pthread_mutex_unlock(&k->mu);
	sodium_free(fresh); /* wipes the copy */
	return ERR_OK;
}

void keyring_free(struct keyring *k)
{
	if (!k)
		return;
	for (size_t i = 0; i < k->n; i++)
		sodium_free(k->v[i]);
	pthread_mutex_destroy(&k->mu);
	sodium_free(k); /* wipes the master key */
}
