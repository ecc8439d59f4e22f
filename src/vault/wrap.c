/* SPDX-License-Identifier: MIT */
/* wrap.c — per-object keys, data sealed under them, and keys wrapped under a password (a
 * passbox of the key, passbox.c). */
#include "vault/wrap.h"

#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "vault/passbox.h"
#include "vault/vault.h"

#define OBJ_NONCE crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define OBJ_ABYTES crypto_aead_xchacha20poly1305_ietf_ABYTES

void vault_obj_key_new(unsigned char key[VAULT_OBJ_KEY_LEN])
{
	crypto_aead_xchacha20poly1305_ietf_keygen(key);
}

void vault_obj_seal(const unsigned char key[VAULT_OBJ_KEY_LEN], const char *ad, const void *plain,
		    size_t len, unsigned char **out, size_t *out_len)
{
	unsigned char *b = xmalloc(OBJ_NONCE + len + OBJ_ABYTES);
	unsigned long long clen = 0;
	randombytes_buf(b, OBJ_NONCE);
	crypto_aead_xchacha20poly1305_ietf_encrypt(
	    b + OBJ_NONCE, &clen, plain, len, (const unsigned char *)ad, strlen(ad), NULL, b, key);
	*out = b;
	*out_len = OBJ_NONCE + (size_t)clen;
}

enum err vault_obj_open(const unsigned char key[VAULT_OBJ_KEY_LEN], const char *ad,
			const void *blob, size_t len, unsigned char **out, size_t *out_len)
{
	const unsigned char *b = blob;
	unsigned long long plen = 0;
	if (len < OBJ_NONCE + OBJ_ABYTES)
		return ERR_CRYPTO;
	unsigned char *p = xmalloc(len - OBJ_NONCE - OBJ_ABYTES + 1);
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(p, &plen, NULL, b + OBJ_NONCE,
						       len - OBJ_NONCE, (const unsigned char *)ad,
						       strlen(ad), b, key) != 0) {
		free(p);
		return ERR_CRYPTO;
	}
	p[plen] = '\0';
	*out = p;
	*out_len = (size_t)plen;
	return ERR_OK;
}

enum err vault_key_wrap(const char *password, const unsigned char key[VAULT_OBJ_KEY_LEN],
			unsigned char **out, size_t *out_len)
{
	enum err e = vault_passbox_seal(password, VAULT_PASSBOX_INTERACTIVE, key, VAULT_OBJ_KEY_LEN,
					out, out_len);
	return e == ERR_OK ? ERR_OK : ERR_CRYPTO;
}

enum err vault_key_unwrap(const char *password, const void *blob, size_t len,
			  unsigned char key[VAULT_OBJ_KEY_LEN])
{
	unsigned char *plain = NULL;
	size_t n = 0;
	enum err e = ERR_CRYPTO;
	sodium_memzero(key, VAULT_OBJ_KEY_LEN);
	if (!password || vault_passbox_open(password, blob, len, &plain, &n) != ERR_OK)
		goto out;
	if (n != VAULT_OBJ_KEY_LEN)
		goto out;
	memcpy(key, plain, VAULT_OBJ_KEY_LEN);
	e = ERR_OK;
out:
	if (plain)
		sodium_memzero(plain, n);
	free(plain);
	return e;
}
