/* SPDX-License-Identifier: MIT */
/* wrap.c — per-object keys, data sealed under them, and keys wrapped under a password. */
#include "vault/wrap.h"

#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "vault/vault.h"

/* "MWK1", ops (4 bytes, big-endian), memory in KiB (4 bytes), salt, nonce, then the box. */
#define WRAP_MAGIC "MWK1"
#define WRAP_HEAD (4 + 4 + 4 + crypto_pwhash_SALTBYTES + crypto_secretbox_NONCEBYTES)
#define WRAP_LEN (WRAP_HEAD + crypto_secretbox_MACBYTES + VAULT_OBJ_KEY_LEN)
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
	crypto_aead_xchacha20poly1305_ietf_encrypt(b + OBJ_NONCE, &clen, plain, len,
						   (const unsigned char *)ad, strlen(ad), NULL, b,
						   key);
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

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Derives the wrapping key of password with salt at the cost ops and mem_kib. */
static int derive(unsigned char k[crypto_secretbox_KEYBYTES], const char *password,
		  const unsigned char *salt, uint32_t ops, uint32_t mem_kib)
{
	return crypto_pwhash(k, crypto_secretbox_KEYBYTES, password, strlen(password), salt, ops,
			     (size_t)mem_kib * 1024u, crypto_pwhash_ALG_ARGON2ID13);
}

enum err vault_key_wrap(const char *password, const unsigned char key[VAULT_OBJ_KEY_LEN],
			unsigned char **out, size_t *out_len)
{
	uint32_t ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
	uint32_t mem = crypto_pwhash_MEMLIMIT_INTERACTIVE / 1024u;
	unsigned char k[crypto_secretbox_KEYBYTES];
	if (vault_password_cost_is_test()) {
		ops = 1;
		mem = 1024;
	}
	unsigned char *b = xmalloc(WRAP_LEN);
	memcpy(b, WRAP_MAGIC, 4);
	put32(b + 4, ops);
	put32(b + 8, mem);
	unsigned char *salt = b + 12, *nonce = salt + crypto_pwhash_SALTBYTES;
	randombytes_buf(salt, crypto_pwhash_SALTBYTES);
	randombytes_buf(nonce, crypto_secretbox_NONCEBYTES);
	if (derive(k, password, salt, ops, mem) != 0) {
		free(b);
		return ERR_CRYPTO;
	}
	crypto_secretbox_easy(b + WRAP_HEAD, key, VAULT_OBJ_KEY_LEN, nonce, k);
	sodium_memzero(k, sizeof k);
	*out = b;
	*out_len = WRAP_LEN;
	return ERR_OK;
}

enum err vault_key_unwrap(const char *password, const void *blob, size_t len,
			  unsigned char key[VAULT_OBJ_KEY_LEN])
{
	const unsigned char *b = blob;
	unsigned char k[crypto_secretbox_KEYBYTES];
	sodium_memzero(key, VAULT_OBJ_KEY_LEN);
	if (len != WRAP_LEN || memcmp(b, WRAP_MAGIC, 4) != 0)
		return ERR_CRYPTO;
	uint32_t ops = get32(b + 4), mem = get32(b + 8);
	/* A cost no wrap of ours writes is an altered blob (and would cost without bound). */
	if (ops < 1 || ops > crypto_pwhash_OPSLIMIT_SENSITIVE || mem < 8 ||
	    mem > crypto_pwhash_MEMLIMIT_SENSITIVE / 1024u)
		return ERR_CRYPTO;
	const unsigned char *salt = b + 12, *nonce = salt + crypto_pwhash_SALTBYTES;
	if (derive(k, password, salt, ops, mem) != 0)
		return ERR_CRYPTO;
	int bad = crypto_secretbox_open_easy(key, b + WRAP_HEAD, WRAP_LEN - WRAP_HEAD, nonce, k);
	sodium_memzero(k, sizeof k);
	if (bad) {
		sodium_memzero(key, VAULT_OBJ_KEY_LEN);
		return ERR_CRYPTO;
	}
	return ERR_OK;
}
