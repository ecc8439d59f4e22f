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
/* Resolves a bearer token to its kiosk and site. ERR_UNAUTH when unknown or revoked. */
enum err device_kiosk_check(struct store *s, const char *token, int64_t *kiosk_id,
			    int64_t *site_id);

#endif
