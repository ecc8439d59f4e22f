/* SPDX-License-Identifier: MIT */
/* vault.c — keys, field encryption and blind indexes over libsodium. The master key lives in
 * a file outside the database; the data key is stored only wrapped by it. */
#include "vault/vault.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "base/xalloc.h"
#include "store/store.h"

#define KEY_LEN crypto_aead_xchacha20poly1305_ietf_KEYBYTES
#define NONCE_LEN crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define TAG_LEN crypto_aead_xchacha20poly1305_ietf_ABYTES

struct vault {
	unsigned char data_key[KEY_LEN];
	unsigned char index_key[crypto_generichash_KEYBYTES];
};

enum err vault_global_init(void)
{
	/* libsodium's internal generator: ChaCha20 keyed from the kernel once (and again after a
	 * fork), instead of one getrandom() system call per nonce or token. */
	randombytes_set_implementation(&randombytes_internal_implementation);
	return sodium_init() < 0 ? ERR_CRYPTO : ERR_OK;
}

static enum err read_master(const char *path, unsigned char key[KEY_LEN])
{
	enum err e = ERR_CRYPTO;
	char hex[2 * KEY_LEN + 2];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		log_error("vault: cannot open master key file");
		return ERR_IO;
	}
	ssize_t n = read(fd, hex, sizeof hex - 1);
	close(fd);
	if (n < (ssize_t)(2 * KEY_LEN))
		goto out;
	hex[n] = '\0';
	size_t bin_len = 0;
	if (sodium_hex2bin(key, KEY_LEN, hex, (size_t)n, "\n", &bin_len, NULL) != 0 ||
	    bin_len != KEY_LEN)
		goto out;
	e = ERR_OK;
out:
	sodium_memzero(hex, sizeof hex);
	if (e != ERR_OK)
		log_error("vault: master key file is malformed");
	return e;
}

static void derive_index_key(struct vault *v)
{
	crypto_kdf_derive_from_key(v->index_key, sizeof v->index_key, 1, "mimaidx1", v->data_key);
}

enum err vault_create(const char *key_path, struct store *s)
{
	unsigned char master[KEY_LEN], data[KEY_LEN];
	unsigned char wrapped[NONCE_LEN + KEY_LEN + TAG_LEN];
	char hex[2 * KEY_LEN + 2];
	enum err e = ERR_IO;
	struct store_conn *c = NULL;
	int fd = open(key_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		e = errno == EEXIST ? ERR_CONFLICT : ERR_IO;
		goto out;
	}
	crypto_aead_xchacha20poly1305_ietf_keygen(master);
	crypto_aead_xchacha20poly1305_ietf_keygen(data);
	sodium_bin2hex(hex, sizeof hex, master, KEY_LEN);
	size_t hl = strlen(hex);
	hex[hl++] = '\n';
	if (write(fd, hex, hl) != (ssize_t)hl || fsync(fd) != 0) {
		close(fd);
		goto out;
	}
	close(fd);
	randombytes_buf(wrapped, NONCE_LEN);
	crypto_aead_xchacha20poly1305_ietf_encrypt(wrapped + NONCE_LEN, NULL, data, KEY_LEN,
						   (const unsigned char *)"data-key", 8, NULL,
						   wrapped, master);
	c = store_acquire(s);
	struct store_stmt *st =
	    store_prepare(c, "INSERT INTO meta(key, value) VALUES ('wrapped_data_key', ?)");
	e = ERR_DB;
	if (!st)
		goto out;
	store_bind_blob(st, 1, wrapped, sizeof wrapped);
	e = store_run(st);
	store_finish(st);
out:
	store_release(c);
	sodium_memzero(master, sizeof master);
	sodium_memzero(data, sizeof data);
	sodium_memzero(hex, sizeof hex);
	return e;
}

enum err vault_open(const char *key_path, struct store *s, struct vault **out)
{
	unsigned char master[KEY_LEN];
	enum err e = read_master(key_path, master);
	struct vault *v = NULL;
	struct store_conn *c = NULL;
	struct store_stmt *st = NULL;
	if (e != ERR_OK)
		goto out;
	c = store_acquire(s);
	st = store_prepare(c, "SELECT value FROM meta WHERE key = 'wrapped_data_key'");
	e = ERR_CRYPTO;
	if (!st || store_step(st) != STORE_ROW)
		goto out;
	size_t len = 0;
	const unsigned char *w = store_col_blob(st, 0, &len);
	if (len != NONCE_LEN + KEY_LEN + TAG_LEN)
		goto out;
	v = sodium_malloc(sizeof *v);
	if (!v)
		goto out;
	unsigned long long plen = 0;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(v->data_key, &plen, NULL, w + NONCE_LEN,
						       len - NONCE_LEN,
						       (const unsigned char *)"data-key", 8, w,
						       master) != 0) {
		log_error("vault: the master key does not open this database's data key");
		sodium_free(v);
		v = NULL;
		goto out;
	}
	derive_index_key(v);
	*out = v;
	e = ERR_OK;
out:
	store_finish(st);
	store_release(c);
	sodium_memzero(master, sizeof master);
	return e;
}

void vault_free(struct vault *v)
{
	if (v)
		sodium_free(v); /* sodium_free wipes the memory */
}

void vault_seal(const struct vault *v, const char *field, const void *plain, size_t len,
		unsigned char **out, size_t *out_len)
{
	size_t n = NONCE_LEN + len + TAG_LEN;
	unsigned char *b = xmalloc(n);
	randombytes_buf(b, NONCE_LEN);
	crypto_aead_xchacha20poly1305_ietf_encrypt(b + NONCE_LEN, NULL, plain, len,
						   (const unsigned char *)field, strlen(field),
						   NULL, b, v->data_key);
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
	if (!b || len < NONCE_LEN + TAG_LEN)
		return ERR_CRYPTO;
	size_t plen = len - NONCE_LEN - TAG_LEN;
	char *p = xmalloc(plen + 1);
	if (crypto_aead_xchacha20poly1305_ietf_decrypt((unsigned char *)p, NULL, NULL,
						       b + NONCE_LEN, len - NONCE_LEN,
						       (const unsigned char *)field, strlen(field),
						       b, v->data_key) != 0) {
		free(p);
		return ERR_CRYPTO;
	}
	p[plen] = '\0';
	*out = p;
	return ERR_OK;
}

void vault_blind(const struct vault *v, const char *domain, const char *text,
		 unsigned char out[VAULT_BLIND_LEN])
{
	crypto_generichash_state st;
	crypto_generichash_init(&st, v->index_key, sizeof v->index_key, VAULT_BLIND_LEN);
	crypto_generichash_update(&st, (const unsigned char *)domain, strlen(domain) + 1);
	crypto_generichash_update(&st, (const unsigned char *)text, strlen(text));
	crypto_generichash_final(&st, out, VAULT_BLIND_LEN);
}

enum err vault_password_hash(const char *password, char **out)
{
	char *h = xmalloc(crypto_pwhash_STRBYTES);
	if (crypto_pwhash_str(h, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
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

int vault_equal_str(const char *a, const char *b)
{
	size_t n = strlen(a);
	if (n != strlen(b))
		return 0;
	return sodium_memcmp(a, b, n) == 0;
}
