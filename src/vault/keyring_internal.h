/* SPDX-License-Identifier: MIT */
/* keyring_internal.h — the keyring's state, shared by keyring.c (opening, unwrapping) and
 * escrow.c (the backups' key file, restoring keys, erasing one). Not for use outside
 * src/vault/. */
#ifndef MIMAMORI_VAULT_KEYRING_INTERNAL_H
#define MIMAMORI_VAULT_KEYRING_INTERNAL_H
#include <pthread.h>

#include "vault/keyring.h"
#include "vault/vault_internal.h"

#define KEYRING_MAX 32 /* owners of keys in one directory: the platform and the services */
#define KEYRING_WRAPPED_LEN (VAULT_NONCE_LEN + VAULT_KEY_LEN + VAULT_TAG_LEN)

struct keyring {
	unsigned char master[VAULT_KEY_LEN];
	struct store *s;
	char upgraded[VAULT_NAME_MAX + 1]; /* the owner the old key went to at this opening */
	pthread_mutex_t mu;		   /* guards n and v */
	size_t n;
	struct vault *v[KEYRING_MAX]; /* v[0] is the platform's */
};

/* Writes into out (KEYRING_WRAPPED_LEN bytes) key (VAULT_KEY_LEN bytes) wrapped under master
 * with associated data "<what>:<name>" (what: "data-key" or "index-key"). */
void keyring_wrap(const unsigned char *master, const char *what, const char *name,
		  const unsigned char *key, unsigned char *out);

#endif
