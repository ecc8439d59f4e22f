/* SPDX-License-Identifier: MIT */
/* keyring.h — the keys of one data directory: the master key (a file outside the database) and
 * one data key per owner — each service, and the platform — stored in `meta` only wrapped by
 * the master key (`data_key:<name>`). Each service is its own personal-information file: its
 * fields and blind indexes are under its own key, so that erasing a service is destroying one
 * key. */
#ifndef MIMAMORI_VAULT_KEYRING_H
#define MIMAMORI_VAULT_KEYRING_H
#include "base/err.h"

struct store;
struct vault;
struct keyring;

/* Creates the master key file at key_path (mode 0600; ERR_CONFLICT when it exists) and the
 * platform's key in s (ERR_CONFLICT when s has one already). */
enum err keyring_create(const char *key_path, struct store *s);
/* Reads the master key at key_path and opens the platform's key of s; a directory made before
 * keys were per service (its one data key renamed `data_key:<service>` by migration 0017) is
 * upgraded first, in one transaction: that key is re-wrapped under its name, and the platform
 * gets a new data key of its own while keeping that key's index half as its index key, so the
 * audit chain written under it still verifies. Returns the keyring in *out (caller frees with
 * keyring_free). ERR_IO when the key file cannot be read, ERR_CRYPTO when it is malformed or
 * opens no key of s, ERR_DB on a database error. */
enum err keyring_open(const char *key_path, struct store *s, struct keyring **out);
/* Returns the vault of name (see vault_name_ok), unwrapping it on first use, or — for a name
 * never used in this directory — making a new random key and storing it wrapped (on a
 * connection of its own: call it outside a write transaction the first time a name is used;
 * app_open opens every registered service's key). The vault lives until keyring_free; the
 * pointer is stable. Returns NULL (logged) for a bad name or when the key cannot be read or
 * stored. Thread-safe. */
const struct vault *keyring_vault(struct keyring *k, const char *name);
/* Returns the owner the directory's one old key went to when this keyring_open upgraded the
 * directory (for the audit log), else NULL. */
const char *keyring_upgraded(const struct keyring *k);
/* Returns the platform's vault (never NULL after keyring_open). */
const struct vault *keyring_platform(struct keyring *k);
/* Reads name's key from the database again and, when it is no longer the one in use (another
 * server or command erased the service: src/app/erase_watch.c), puts it in place of the old
 * one, which is wiped; *changed says whether it did. Pointers from keyring_vault stay valid.
 * ERR_NOTFOUND when this keyring never opened name (nothing to replace), ERR_CRYPTO when the
 * stored key does not open, ERR_DB. Thread-safe. */
enum err keyring_reload(struct keyring *k, const char *name, int *changed);
/* Wipes every key and frees k; NULL is a no-op. */
void keyring_free(struct keyring *k);

#endif
