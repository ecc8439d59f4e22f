/* SPDX-License-Identifier: MIT */
/* escrow.h — the backups' key file (鍵ファイル) and the keys' life beyond one directory: every
 * data key of a directory sealed with the backup key, kept apart from the backups (which hold
 * no key, wrapped or not), so that erasing a service — a new key in place of its old one, and
 * this file rewritten — leaves its rows in every earlier backup unreadable; restoring a backup's
 * keys into a new directory under a new master key; the keys' fingerprints. */
#ifndef MIMAMORI_VAULT_ESCROW_H
#define MIMAMORI_VAULT_ESCROW_H
#include <stddef.h>

#include "base/err.h"
#include "vault/backup_box.h"

struct keyring;
struct store;
struct store_conn;
struct keyring_escrow; /* a key file read into memory (sodium_malloc'd) */
struct keyring_undo;   /* the key an erasure replaced, until its transaction ends */

/* Writes to path (atomically, mode 0600) every key k holds — each owner's data key and index
 * key — sealed under bkey (XChaCha20-Poly1305). ERR_IO when it cannot be written. */
enum err keyring_escrow_write(struct keyring *k, const unsigned char *bkey, const char *path);
/* Reads the key file at path with bkey into *out (free with keyring_escrow_free). ERR_NOTFOUND
 * when there is none, ERR_INVALID when it is no key file, ERR_CRYPTO when bkey does not open
 * it or it was altered. */
enum err keyring_escrow_read(const char *path, const unsigned char *bkey,
			     struct keyring_escrow **out);
/* Wipes and frees e; NULL is a no-op. */
void keyring_escrow_free(struct keyring_escrow *e);
/* Returns 1 when e holds the key of name whose fingerprint is fingerprint, else 0. */
int keyring_escrow_has(const struct keyring_escrow *e, const char *name, const char *fingerprint);
/* Creates a new master key file at key_path (ERR_CONFLICT when one exists) and stores in s,
 * wrapped under it, the keys of e named in names (n of them, each of which e must hold:
 * ERR_NOTFOUND otherwise). ERR_DB on a database error. */
enum err keyring_restore(const char *key_path, struct store *s, const struct keyring_escrow *e,
			 const char *const *names, size_t n);
/* Writes the fingerprint of name's data key into fp. ERR_NOTFOUND when k has no key of name. */
enum err keyring_fingerprint(struct keyring *k, const char *name, char fp[VAULT_FINGERPRINT_LEN]);
/* Puts up to max names of k's keys into names (pointers valid while k lives; the platform's
 * first) and returns their number. */
size_t keyring_names(struct keyring *k, const char **names, size_t max);
/* Erasure of name's key, on c inside the caller's write transaction: a new random key is stored
 * in its place (meta row rewritten, an index key of its own deleted) and used at once by this
 * process; the old key's fingerprint goes to fp and the old key into *undo until
 * keyring_replace_done. ERR_NOTFOUND when k has no key of name, ERR_INVALID for the platform's
 * key, ERR_DB on a database error. */
enum err keyring_replace(struct keyring *k, struct store_conn *c, const char *name,
			 char fp[VAULT_FINGERPRINT_LEN], struct keyring_undo **undo);
/* Ends an erasure: when committed the old key is wiped for good, otherwise it is put back in
 * place of the new one (the transaction rolled back). NULL u is a no-op. */
void keyring_replace_done(struct keyring *k, struct keyring_undo *u, int committed);

#endif
