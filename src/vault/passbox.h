/* SPDX-License-Identifier: MIT */
/* passbox.h — a file sealed with a passphrase (a handover that leaves the system: casework's
 * handover exports): argon2id derives the key from the passphrase and a random salt,
 * XSalsa20-Poly1305 seals the bytes. The box carries its own cost, salt and nonce, so
 * `mimamori ledger open` reads it back with the passphrase alone. */
#ifndef MIMAMORI_VAULT_PASSBOX_H
#define MIMAMORI_VAULT_PASSBOX_H
#include <stddef.h>

#include "base/err.h"

#define VAULT_PASSBOX_MAGIC "MMPASS1\n" /* the first 8 bytes of a box */
#define VAULT_PASSPHRASE_MIN 10		/* characters (bytes) of a passphrase, at least */

/* Returns 1 when passphrase is acceptable for a box: VAULT_PASSPHRASE_MIN to 256 bytes. */
int vault_passphrase_ok(const char *passphrase);
/* What deriving a box's key costs: MODERATE for a file that leaves the program (a handover),
 * INTERACTIVE for a box opened on a person's request (a file's key, wrap.h). Under
 * MIMAMORI_PASSWORD_COST=test both are libsodium's minimum. */
enum vault_passbox_cost { VAULT_PASSBOX_MODERATE, VAULT_PASSBOX_INTERACTIVE };

/* Seals plain (len bytes) under passphrase at cost into a malloc'd box *out of *out_len bytes
 * (caller frees). ERR_INVALID for a passphrase vault_passphrase_ok refuses, ERR_CRYPTO when the
 * key cannot be derived (memory). */
enum err vault_passbox_seal(const char *passphrase, enum vault_passbox_cost cost, const void *plain,
			    size_t len, unsigned char **out, size_t *out_len);
/* Opens box (len bytes) with passphrase into a malloc'd *out of *out_len bytes (caller wipes
 * with vault_wipe and frees; a NUL byte follows it). ERR_INVALID when it is no box (or asks a
 * cost above 1 GiB), ERR_CRYPTO for a wrong passphrase or altered bytes. */
enum err vault_passbox_open(const char *passphrase, const void *box, size_t len,
			    unsigned char **out, size_t *out_len);

#endif
