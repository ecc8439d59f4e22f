/* SPDX-License-Identifier: MIT */
/* signin_device.h — device cookies (OWASP's defence against lockout as a weapon): a client that
 * signed in to an account before holds a random token bound to that account (table
 * device_cookies, only its hash stored). Its attempts count on its own row, not the account's.
 * Called by user.c inside its write transactions. */
#ifndef MIMAMORI_AUTH_SIGNIN_DEVICE_H
#define MIMAMORI_AUTH_SIGNIN_DEVICE_H
#include <stdint.h>

#include "base/err.h"
#include "vault/vault.h"

#define SIGNIN_DEVICE_COOKIE "mimamori_device"
#define SIGNIN_DEVICE_TTL_MS (365LL * 24 * 3600 * 1000) /* unused this long: forgotten */
#define SIGNIN_DEVICE_TOKENS 5	  /* tokens one cookie holds (accounts signed in on one PC) */
#define SIGNIN_DEVICE_PER_USER 20 /* rows kept per account, the most recently used */

struct store_conn;

/* A device row's failure counters. */
struct signin_counters {
	int64_t failed, last_failed, locked_until;
};

/* Looks for a token of cookie (tokens separated by '.', at most SIGNIN_DEVICE_TOKENS read)
 * bound to user_id, used within the TTL and not locked at now. Sets *found, and then hash
 * and *k. ERR_DB on a storage failure. */
enum err signin_device_find(struct store_conn *c, int64_t user_id, const char *cookie, int64_t now,
			    int *found, unsigned char hash[VAULT_HASH_LEN],
			    struct signin_counters *k);
/* Charges one attempt to the device row hash (its own delay and lock, as an account's). */
enum err signin_device_charge(struct store_conn *c, const unsigned char hash[VAULT_HASH_LEN],
			      int64_t now, int64_t lock_after, int64_t lock_ms);
/* After a correct password from the device: its counters back to 0, last use now. */
enum err signin_device_reset(struct store_conn *c, const unsigned char hash[VAULT_HASH_LEN],
			     int64_t now);
/* Makes a new device token for user_id (*token, malloc'd, wipe with vault_wipe_free), forgets
 * the account's rows beyond the SIGNIN_DEVICE_PER_USER most recent and everyone's unused past
 * the TTL. */
enum err signin_device_issue(struct store_conn *c, int64_t user_id, int64_t now, char **token);

#endif
