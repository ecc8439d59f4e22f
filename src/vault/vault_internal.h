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

/* One named key (in sodium_malloc'd memory: guarded, wiped when freed). */
struct vault {
	unsigned char data_key[VAULT_KEY_LEN];
	unsigned char index_key[VAULT_INDEX_KEY_LEN];
	char name[VAULT_NAME_MAX + 1];
};

/* Derives v's index key from its data key (the blind indexes' key, as since the first
 * version: KDF subkey 1, context "mimaidx1"). */
void vault_derive_index_key(struct vault *v);

#endif
