/* SPDX-License-Identifier: MIT */
/* passbox.c — files sealed with a passphrase: MAGIC, ops (8 bytes, big-endian), mem (8), salt,
 * nonce, then the secretbox of the bytes. */
#include "vault/passbox.h"

#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "vault/vault.h"

#define MAGIC_LEN 8
#define HEAD (MAGIC_LEN + 16 + crypto_pwhash_SALTBYTES + crypto_secretbox_NONCEBYTES)
#define MEM_MAX (1024ULL * 1024 * 1024)

int vault_passphrase_ok(const char *passphrase)
{
	size_t n = passphrase ? strlen(passphrase) : 0;
	return n >= VAULT_PASSPHRASE_MIN && n <= 256;
}

static void put64(unsigned char *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (unsigned char)(v & 0xff);
}

static uint64_t get64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

/* Derives the key of passphrase and salt at a cost; 0 on success. */
static int derive(unsigned char key[crypto_secretbox_KEYBYTES], const char *passphrase,
		  const unsigned char *salt, uint64_t ops, uint64_t mem)
{
	return crypto_pwhash(key, crypto_secretbox_KEYBYTES, passphrase, strlen(passphrase), salt,
			     ops, (size_t)mem, crypto_pwhash_ALG_ARGON2ID13);
}

enum err vault_passbox_seal(const char *passphrase, enum vault_passbox_cost cost, const void *plain,
			    size_t len, unsigned char **out, size_t *out_len)
{
	unsigned char key[crypto_secretbox_KEYBYTES];
	uint64_t ops = crypto_pwhash_OPSLIMIT_MODERATE, mem = crypto_pwhash_MEMLIMIT_MODERATE;
	if (cost == VAULT_PASSBOX_INTERACTIVE) {
		ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
		mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
	}
	*out = NULL;
	*out_len = 0;
	if (!vault_passphrase_ok(passphrase))
		return ERR_INVALID;
	if (vault_password_cost_is_test()) {
		ops = crypto_pwhash_OPSLIMIT_MIN;
		mem = crypto_pwhash_MEMLIMIT_MIN;
	}
	unsigned char *b = xmalloc(HEAD + crypto_secretbox_MACBYTES + len);
	memcpy(b, VAULT_PASSBOX_MAGIC, MAGIC_LEN);
	put64(b + MAGIC_LEN, ops);
	put64(b + MAGIC_LEN + 8, mem);
	unsigned char *salt = b + MAGIC_LEN + 16, *nonce = salt + crypto_pwhash_SALTBYTES;
	randombytes_buf(salt, crypto_pwhash_SALTBYTES);
	randombytes_buf(nonce, crypto_secretbox_NONCEBYTES);
	if (derive(key, passphrase, salt, ops, mem) != 0) {
		free(b);
		return ERR_CRYPTO;
	}
	crypto_secretbox_easy(b + HEAD, plain, len, nonce, key);
	sodium_memzero(key, sizeof key);
	*out = b;
	*out_len = HEAD + crypto_secretbox_MACBYTES + len;
	return ERR_OK;
}

enum err vault_passbox_open(const char *passphrase, const void *box, size_t len,
			    unsigned char **out, size_t *out_len)
{
	const unsigned char *b = box;
	unsigned char key[crypto_secretbox_KEYBYTES];
	*out = NULL;
	*out_len = 0;
	if (len < HEAD + crypto_secretbox_MACBYTES ||
	    memcmp(b, VAULT_PASSBOX_MAGIC, MAGIC_LEN) != 0)
		return ERR_INVALID;
	uint64_t ops = get64(b + MAGIC_LEN), mem = get64(b + MAGIC_LEN + 8);
	if (ops < crypto_pwhash_OPSLIMIT_MIN || ops > 16 || mem < crypto_pwhash_MEMLIMIT_MIN ||
	    mem > MEM_MAX)
		return ERR_INVALID;
	const unsigned char *salt = b + MAGIC_LEN + 16, *nonce = salt + crypto_pwhash_SALTBYTES;
	if (!passphrase || derive(key, passphrase, salt, ops, mem) != 0)
		return ERR_CRYPTO;
	size_t n = len - HEAD - crypto_secretbox_MACBYTES;
	unsigned char *p = xmalloc(n + 1);
	if (crypto_secretbox_open_easy(p, b + HEAD, len - HEAD, nonce, key) != 0) {
		sodium_memzero(key, sizeof key);
		free(p);
		return ERR_CRYPTO;
	}
	sodium_memzero(key, sizeof key);
	p[n] = '\0';
	*out = p;
	*out_len = n;
	return ERR_OK;
}
