/* SPDX-License-Identifier: MIT */
/* device.h — kiosk devices: bearer tokens bound to one site, stored hashed. */
#ifndef MIMAMORI_AUTH_DEVICE_H
#define MIMAMORI_AUTH_DEVICE_H
#include <stdint.h>

#include "base/err.h"

struct store;

/* Creates a kiosk for site_id and returns its token in *token (malloc'd; caller frees). The
 * token is shown once; only its hash is stored. */
enum err device_kiosk_add(struct store *s, int64_t site_id, char **token, int64_t *kiosk_id);
/* Resolves a bearer token to its kiosk and site. ERR_UNAUTH when unknown or revoked (a valid
 * token is remembered for 10 s, so a revocation takes effect within that time). */
enum err device_kiosk_check(struct store *s, const char *token, int64_t *kiosk_id,
			    int64_t *site_id);

struct store_conn;
/* Revokes kiosk kiosk_id on c, inside the caller's transaction, and forgets the remembered
 * tokens so that it stops working in this process at once (another process: within 10 s).
 * ERR_NOTFOUND when there is no such kiosk, ERR_CONFLICT when it is already revoked. */
enum err device_kiosk_revoke(struct store_conn *c, int64_t kiosk_id);

/* Forgets every remembered token, so that revocations made in this process apply at once. */
void device_kiosk_cache_clear(void);

#endif
