/* SPDX-License-Identifier: MIT */
/* wrap.h — keys that are not the keyring's: a random key per object (a file), data sealed under
 * it, and that key wrapped under a password (argon2id + XSalsa20-Poly1305), so that only who
 * knows the password opens it and destroying the wrapped key destroys the object. */
#ifndef MIMAMORI_VAULT_WRAP_H
#define MIMAMORI_VAULT_WRAP_H
#include <stddef.h>

#include "base/err.h"

#define VAULT_OBJ_KEY_LEN 32

/* Fills key with a new random key. The caller wipes it (vault_wipe) when done. */
void vault_obj_key_new(unsigned char key[VAULT_OBJ_KEY_LEN]);
/* Encrypts len bytes of plain under key, binding ad (a NUL-terminated label, e.g. "exchange:7")
 * as associated data (XChaCha20-Poly1305, random nonce). Returns a malloc'd blob in *out of
 * *out_len bytes (caller frees). */
void vault_obj_seal(const unsigned char key[VAULT_OBJ_KEY_LEN], const char *ad, const void *plain,
		    size_t len, unsigned char **out, size_t *out_len);
/* Decrypts a blob of vault_obj_seal into a malloc'd buffer *out of *out_len bytes (caller wipes
 * and frees; one NUL byte follows it). ERR_CRYPTO when key or ad is not the blob's or the blob
 * was altered. */
enum err vault_obj_open(const unsigned char key[VAULT_OBJ_KEY_LEN], const char *ad,
			const void *blob, size_t len, unsigned char **out, size_t *out_len);
/* Wraps key under password: a passbox (passbox.h) of the key at the INTERACTIVE cost. Returns
 * a malloc'd blob in *out of *out_len bytes (caller frees); ERR_CRYPTO for a password the
 * passbox refuses (under VAULT_PASSPHRASE_MIN characters) or on resource exhaustion. */
enum err vault_key_wrap(const char *password, const unsigned char key[VAULT_OBJ_KEY_LEN],
			unsigned char **out, size_t *out_len);
/* Unwraps a blob of vault_key_wrap with password into key. ERR_CRYPTO for a wrong password or
 * an altered or malformed blob, or one that holds no key (key is then zeroed). */
enum err vault_key_unwrap(const char *password, const void *blob, size_t len,
			  unsigned char key[VAULT_OBJ_KEY_LEN]);

#endif
