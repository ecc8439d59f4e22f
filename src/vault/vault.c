/* SPDX-License-Identifier: MIT */
/* vault.c — field encryption and blind indexes under one named key, passwords, tokens and
 * hashes, over libsodium. The keys are kept by the keyring (keyring.c). */
#include "vault/vault.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "store/store.h"
#include "vault/keyring.h"
#include "vault/vault_internal.h"

enum err vault_global_init(void)
{
	/* libsodium's internal generator: ChaCha20 keyed from the kernel once (and again after a
	 * fork), instead of one getrandom() system call per nonce or token. */
	randombytes_set_implementation(&randombytes_internal_implementation);
	return sodium_init() < 0 ? ERR_CRYPTO : ERR_OK;
}

void vault_derive_index_key(struct vault *v)
{
	crypto_kdf_derive_from_key(v->index_key, sizeof v->index_key, 1, "mimaidx1", v->data_key);
}

void vault_keys_read(const struct vault *v, unsigned char *data, unsigned char *index)
{
	struct vault *w = (struct vault *)v; /* the counter only: read, never written here */
	for (;;) {
		unsigned s1 = atomic_load_explicit(&w->seq, memory_order_acquire);
		if (s1 & 1)
			continue; /* a write is under way: its few bytes end at once */
		if (data)
			memcpy(data, v->data_key, VAULT_KEY_LEN);
		if (index)
			memcpy(index, v->index_key, VAULT_INDEX_KEY_LEN);
		atomic_thread_fence(memory_order_acquire);
		if (atomic_load_explicit(&w->seq, memory_order_relaxed) == s1)
			return;
	}
}

void vault_keys_set(struct vault *v, const unsigned char *data, const unsigned char *index)
{
	atomic_fetch_add_explicit(&v->seq, 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	memcpy(v->data_key, data, VAULT_KEY_LEN);
	memcpy(v->index_key, index, VAULT_INDEX_KEY_LEN);
	atomic_fetch_add_explicit(&v->seq, 1, memory_order_release);
}

enum err vault_create(const char *key_path, struct store *s)
{
	return keyring_create(key_path, s);
}

enum err vault_open(const char *key_path, struct store *s, struct vault **out)
{
	struct keyring *k = NULL;
	enum err e = keyring_open(key_path, s, &k);
	if (e != ERR_OK)
		return e;
	struct vault *v = sodium_malloc(sizeof *v);
	if (!v) {
		keyring_free(k);
		return ERR_CRYPTO;
	}
	memcpy(v, keyring_platform(k), sizeof *v);
	keyring_free(k);
	*out = v;
	return ERR_OK;
}

void vault_free(struct vault *v)
{
	if (v)
		sodium_free(v); /* sodium_free wipes the memory */
}

const char *vault_name(const struct vault *v)
{
	return v->name;
}

int vault_name_ok(const char *name)
{
	size_t n = name ? strlen(name) : 0;
	if (n == 0 || n > VAULT_NAME_MAX || name[0] < 'a' || name[0] > 'z')
		return 0;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return 0;
	return 1;
}

void vault_seal(const struct vault *v, const char *field, const void *plain, size_t len,
		unsigned char **out, size_t *out_len)
{
	size_t n = VAULT_NONCE_LEN + len + VAULT_TAG_LEN;
	unsigned char *b = xmalloc(n), key[VAULT_KEY_LEN];
	randombytes_buf(b, VAULT_NONCE_LEN);
	vault_keys_read(v, key, NULL);
	crypto_aead_xchacha20poly1305_ietf_encrypt(b + VAULT_NONCE_LEN, NULL, plain, len,
						   (const unsigned char *)field, strlen(field),
						   NULL, b, key);
	sodium_memzero(key, sizeof key);
	*out = b;
	*out_len = n;
}

void vault_bind_sealed(const struct vault *v, struct store_stmt *st, int idx, const char *field,
		       const char *plain)
{
	unsigned char *b;
	size_t n;
	vault_seal(v, field, plain, strlen(plain), &b, &n);
	store_bind_blob(st, idx, b, n);
	free(b);
}

enum err vault_unseal(const struct vault *v, const char *field, const void *blob, size_t len,
		      char **out)
{
	const unsigned char *b = blob;
	if (!b || len < VAULT_NONCE_LEN + VAULT_TAG_LEN)
		return ERR_CRYPTO;
	size_t plen = len - VAULT_NONCE_LEN - VAULT_TAG_LEN;
	char *p = xmalloc(plen + 1);
	unsigned char key[VAULT_KEY_LEN];
	vault_keys_read(v, key, NULL);
	int bad = crypto_aead_xchacha20poly1305_ietf_decrypt(
	    (unsigned char *)p, NULL, NULL, b + VAULT_NONCE_LEN, len - VAULT_NONCE_LEN,
	    (const unsigned char *)field, strlen(field), b, key);
	sodium_memzero(key, sizeof key);
	if (bad != 0) {
		free(p);
		return ERR_CRYPTO;
	}
	p[plen] = '\0';
	*out = p;
	return ERR_OK;
}

enum err vault_unseal_column(const struct vault *v, struct store_stmt *st, int col,
			     const char *field, char **out)
{
	size_t n = 0;
	*out = NULL;
	if (store_col_is_null(st, col))
		return ERR_OK;
	const void *b = store_col_blob(st, col, &n);
	return vault_unseal(v, field, b, n, out);
}

enum err vault_unseal_bytes(const struct vault *v, const char *field, const void *blob,
			    size_t len, unsigned char **out, size_t *out_len)
{
	char *p = NULL;
	enum err e = vault_unseal(v, field, blob, len, &p);
	if (e != ERR_OK)
		return e;
	*out = (unsigned char *)p;
	*out_len = len - VAULT_NONCE_LEN - VAULT_TAG_LEN;
	return ERR_OK;
}

void vault_blind(const struct vault *v, const char *domain, const char *text,
		 unsigned char out[VAULT_BLIND_LEN])
{
	crypto_generichash_state st;
	unsigned char key[VAULT_INDEX_KEY_LEN];
	vault_keys_read(v, NULL, key);
	crypto_generichash_init(&st, key, sizeof key, VAULT_BLIND_LEN);
	sodium_memzero(key, sizeof key);
	crypto_generichash_update(&st, (const unsigned char *)domain, strlen(domain) + 1);
	crypto_generichash_update(&st, (const unsigned char *)text, strlen(text));
	crypto_generichash_final(&st, out, VAULT_BLIND_LEN);
}

struct vault_mac {
	crypto_generichash_state st; /* after the key's block and the domain */
};

struct vault_mac *vault_mac_new(const struct vault *v, const char *domain)
{
	/* The state is declared 64-byte aligned; malloc promises 16. */
	struct vault_mac *m = aligned_alloc(_Alignof(struct vault_mac), sizeof *m);
	if (!m)
		abort();
	unsigned char key[VAULT_INDEX_KEY_LEN];
	vault_keys_read(v, NULL, key);
	crypto_generichash_init(&m->st, key, sizeof key, VAULT_BLIND_LEN);
	sodium_memzero(key, sizeof key);
	crypto_generichash_update(&m->st, (const unsigned char *)domain, strlen(domain) + 1);
	return m;
}

void vault_mac_pieces(const struct vault_mac *m, const struct vault_piece *pieces, size_t n,
		      unsigned char out[VAULT_BLIND_LEN])
{
	crypto_generichash_state st = m->st;
	for (size_t i = 0; i < n; i++)
		crypto_generichash_update(&st, pieces[i].p, pieces[i].n);
	crypto_generichash_final(&st, out, VAULT_BLIND_LEN);
	sodium_memzero(&st, sizeof st);
}

void vault_mac_free(struct vault_mac *m)
{
	if (!m)
		return;
	sodium_memzero(m, sizeof *m);
	free(m);
}

/* The test suite's cost of new password hashes (MIMAMORI_PASSWORD_COST=test, set by
 * tests/run_all.sh): still Argon2id, one pass over 1 MiB. Thousands of sign-ins in the tests
 * at the production cost (64 MiB each, page-faulted in afresh) were a fifth of the suite's
 * processor time. A hash records its own cost, so verification needs no setting. */
#define TEST_OPS 1ULL
#define TEST_MEM (1024u * 1024u)

int vault_password_cost_is_test(void)
{
	const char *v = getenv("MIMAMORI_PASSWORD_COST");
	return v && strcmp(v, "test") == 0;
}

enum err vault_password_hash(const char *password, char **out)
{
	unsigned long long ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
	size_t mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
	if (vault_password_cost_is_test()) {
		ops = TEST_OPS;
		mem = TEST_MEM;
	}
	char *h = xmalloc(crypto_pwhash_STRBYTES);
	if (crypto_pwhash_str(h, password, strlen(password), ops, mem) != 0) {
		free(h);
		return ERR_CRYPTO;
	}
	*out = h;
	return ERR_OK;
}

int vault_password_verify(const char *encoded, const char *password)
{
	return crypto_pwhash_str_verify(encoded, password, strlen(password)) == 0;
}

void vault_random(void *out, size_t n)
{
	randombytes_buf(out, n);
}

uint32_t vault_random_uniform(uint32_t upper)
{
	return randombytes_uniform(upper);
}

char *vault_token(size_t bytes)
{
	unsigned char *raw = xmalloc(bytes);
	randombytes_buf(raw, bytes);
	size_t n = sodium_base64_encoded_len(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	char *t = xmalloc(n);
	sodium_bin2base64(t, n, raw, bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, bytes);
	free(raw);
	return t;
}

void vault_hash(const void *data, size_t len, unsigned char out[VAULT_HASH_LEN])
{
	crypto_generichash(out, VAULT_HASH_LEN, data, len, NULL, 0);
}

void vault_hex(const unsigned char *in, size_t n, char *out)
{
	sodium_bin2hex(out, 2 * n + 1, in, n);
}

int vault_equal(const void *a, const void *b, size_t n)
{
	return sodium_memcmp(a, b, n) == 0;
}

void vault_wipe_free(char *s)
{
	if (!s)
		return;
	sodium_memzero(s, strlen(s));
	free(s);
}

void vault_wipe(void *p, size_t n)
{
	sodium_memzero(p, n);
}

int vault_mem_lock(void *p, size_t n)
{
	return n ? sodium_mlock(p, n) : 0;
}

void vault_mem_unlock(void *p, size_t n)
{
	if (n)
		sodium_munlock(p, n); /* wipes first; a range never locked is wiped all the same */
}

int vault_equal_str(const char *a, const char *b)
{
	size_t n = strlen(a);
	if (n != strlen(b))
		return 0;
	return sodium_memcmp(a, b, n) == 0;
}
