/* SPDX-License-Identifier: MIT */
/* vault_internal.h — the key material of a vault, shared by vault.c (sealing, blind indexes)
 * and keyring.c (keys kept wrapped by the master key). Not for use outside src/vault/. */
#ifndef MIMAMORI_VAULT_VAULT_INTERNAL_H
#define MIMAMORI_VAULT_VAULT_INTERNAL_H
#include <sodium.h>

#include "vault/vault.h"

#define VAULT_KEY_LEN crypto_aead_xchacha20poly1305_ietf_KEYBYTES
#define VAULT_NONCE_LEN crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define VAULT_TAG_LEN crypto_aead_xchacha20poly1305_ietf_ABYTES
#define VAULT_INDEX_KEY_LEN crypto_generichash_KEYBYTES

/* One named key (in sodium_malloc'd memory: guarded, wiped when freed). Its keys change in
 * place only when its service is erased (keyring_replace, keyring_reload), while other threads
 * seal and read with it: writers hold the keyring's mu and go through vault_keys_set; the
 * sealing and hashing functions read through vault_keys_read (a seqlock: they copy the keys
 * and try again when a write moved seq meanwhile). */
struct vault {
	unsigned char data_key[VAULT_KEY_LEN];
	unsigned char index_key[VAULT_INDEX_KEY_LEN];
	char name[VAULT_NAME_MAX + 1];
	_Atomic unsigned seq; /* even while the keys are still, odd while they are written */
	int replacing;	      /* an erasure of this key is in its transaction (keyring's mu) */
};

/* Copies v's data key into data and its index key into index (either may be NULL), as they
 * were at one moment. The caller wipes the copies (sodium_memzero). */
void vault_keys_read(const struct vault *v, unsigned char *data, unsigned char *index);
/* Writes v's keys (writers serialised by the caller: the keyring's mu). */
void vault_keys_set(struct vault *v, const unsigned char *data, const unsigned char *index);

/* Derives v's index key from its data key (the blind indexes' key, as since the first
 * version: KDF subkey 1, context "mimaidx1"). */
void vault_derive_index_key(struct vault *v);

#endif
