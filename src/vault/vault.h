/* SPDX-License-Identifier: MIT */
/* vault.h — the only door to cryptography: field encryption and blind indexes under one named
 * key, password hashing, random tokens and hashes. Only src/vault/ includes <sodium.h>. The keys
 * themselves — one per service and one for the platform, all wrapped by the master key — are
 * kept by the keyring (vault/keyring.h). */
#ifndef MIMAMORI_VAULT_VAULT_H
#define MIMAMORI_VAULT_VAULT_H
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct store;
struct vault;

#define VAULT_BLIND_LEN 32
#define VAULT_HASH_LEN 32
#define VAULT_NAME_MAX 31 /* bytes of a key's name ("platform", "attendance", …) */
#define VAULT_PLATFORM "platform" /* the platform's own key: audit chain, its own mail */

/* Initialises libsodium; call once at program start. Returns ERR_CRYPTO if it cannot. */
enum err vault_global_init(void);

/* Creates a new master key file at key_path (mode 0600, refuses to overwrite: ERR_CONFLICT)
 * and the platform's key, wrapped by it, in the store (keyring_create). */
enum err vault_create(const char *key_path, struct store *s);
/* Opens the keyring of key_path and s and returns a copy of the platform's vault in *out
 * (tools and tests that need one key; caller frees with vault_free, which wipes it). Errors as
 * keyring_open. */
enum err vault_open(const char *key_path, struct store *s, struct vault **out);
/* Frees a vault from vault_open (wiping it); NULL is a no-op. Never for a keyring's vaults. */
void vault_free(struct vault *v);
/* Returns the name of v's key ("platform", "attendance"): the owner of what it seals. The
 * string lives as long as v. */
const char *vault_name(const struct vault *v);
/* Returns 1 when name may name a key: 1 to VAULT_NAME_MAX lower-case letters, digits or '_',
 * starting with a letter. */
int vault_name_ok(const char *name);

/* Encrypts plaintext (len bytes) for the field named by `field` (bound as associated data).
 * Returns a malloc'd blob (nonce || ciphertext || tag) in *out / *out_len; caller frees. */
void vault_seal(const struct vault *v, const char *field, const void *plain, size_t len,
		unsigned char **out, size_t *out_len);
struct store_stmt;
/* Seals the NUL-terminated plain for field and binds the blob as parameter idx of st. */
void vault_bind_sealed(const struct vault *v, struct store_stmt *st, int idx, const char *field,
		       const char *plain);
/* Decrypts a blob from vault_seal into a malloc'd NUL-terminated string in *out (caller wipes
 * with vault_wipe_free). ERR_CRYPTO when the blob was altered or belongs to another field. */
enum err vault_unseal(const struct vault *v, const char *field, const void *blob, size_t len,
		      char **out);
/* Unseals column col of st's current row for field into *out (as vault_unseal; caller wipes
 * it with vault_wipe_free), or sets *out NULL for a NULL column. ERR_OK or ERR_CRYPTO. */
enum err vault_unseal_column(const struct vault *v, struct store_stmt *st, int col,
			     const char *field, char **out);
/* Decrypts a blob from vault_seal of binary data (a file) into a malloc'd buffer *out of
 * *out_len bytes (caller frees; one NUL byte follows it). ERR_CRYPTO as vault_unseal. */
enum err vault_unseal_bytes(const struct vault *v, const char *field, const void *blob,
			    size_t len, unsigned char **out, size_t *out_len);
/* Computes the keyed blind index of text for exact lookups under `domain` into out. */
void vault_blind(const struct vault *v, const char *domain, const char *text,
		 unsigned char out[VAULT_BLIND_LEN]);

/* A keyed hash in pieces, for many messages under one key and domain (the audit chain): the
 * same bytes as vault_blind(v, domain, the pieces joined), with the key's block and the domain
 * hashed once in vault_mac_new instead of per message. */
struct vault_mac;
struct vault_piece {
	const void *p;
	size_t n;
};
/* Returns a new mac of v's index key under domain (caller frees with vault_mac_free, which
 * wipes it). */
struct vault_mac *vault_mac_new(const struct vault *v, const char *domain);
/* Writes into out the keyed hash of the n pieces joined. m is only read: threads may share it. */
void vault_mac_pieces(const struct vault_mac *m, const struct vault_piece *pieces, size_t n,
		      unsigned char out[VAULT_BLIND_LEN]);
/* Wipes and frees m; NULL is a no-op. */
void vault_mac_free(struct vault_mac *m);

/* Hashes a password with argon2id into a malloc'd encoded string (caller frees);
 * ERR_CRYPTO on resource exhaustion. The cost is libsodium's INTERACTIVE (64 MiB, 2 passes);
 * with MIMAMORI_PASSWORD_COST=test in the environment (the test suite only) 1 MiB and one
 * pass (`mimamori serve` then warns in its log). */
enum err vault_password_hash(const char *password, char **out);
/* Returns 1 when MIMAMORI_PASSWORD_COST=test is set (the test suite's hashing cost). */
int vault_password_cost_is_test(void);
/* Returns 1 when password matches the encoded hash, else 0. */
int vault_password_verify(const char *encoded, const char *password);

/* Fills out with n random bytes from the CSPRNG. */
void vault_random(void *out, size_t n);
/* Returns a uniformly random integer in [0, upper). */
uint32_t vault_random_uniform(uint32_t upper);
/* Returns a malloc'd URL-safe base64 token of `bytes` random bytes (caller frees). */
char *vault_token(size_t bytes);
/* Unkeyed BLAKE2b-256 of data into out (for token lookups and the audit chain). */
void vault_hash(const void *data, size_t len, unsigned char out[VAULT_HASH_LEN]);
/* Writes the lowercase hex of n bytes into out (2n+1 bytes). */
void vault_hex(const unsigned char *in, size_t n, char *out);
/* Constant-time comparison of n bytes; returns 1 when equal. */
int vault_equal(const void *a, const void *b, size_t n);
/* Constant-time comparison of two NUL-terminated strings; returns 1 when equal. */
int vault_equal_str(const char *a, const char *b);
/* Wipes a NUL-terminated secret and frees it; NULL is a no-op. */
void vault_wipe_free(char *s);
/* Wipes n bytes. */
void vault_wipe(void *p, size_t n);

/* Keeps n bytes at p out of swap and core dumps (mlock + MADV_DONTDUMP): memory that holds
 * plaintext personal data for longer than a request (the staff boards). Returns 0, or -1 when
 * the process's RLIMIT_MEMLOCK is spent (the memory stays usable; docs/architecture.md names
 * the setting). Undo with vault_mem_unlock before freeing. */
int vault_mem_lock(void *p, size_t n);
/* Wipes n bytes at p and unlocks them (whether or not vault_mem_lock succeeded). */
void vault_mem_unlock(void *p, size_t n);

#endif
