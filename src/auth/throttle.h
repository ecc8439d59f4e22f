/* SPDX-License-Identifier: MIT */
/* throttle.h — failed sign-ins per source address, kept in memory in a bounded table, so that
 * one password tried on every account (spraying) is slowed although no account sees more than
 * one failure. */
#ifndef MIMAMORI_AUTH_THROTTLE_H
#define MIMAMORI_AUTH_THROTTLE_H
#include <stdint.h>

#define THROTTLE_FREE 20	/* failures an address may make at once before it must wait */
#define THROTTLE_DRAIN_MS 30000 /* after that, one more attempt every this long */
#define THROTTLE_ADDR_MAX 64	/* longest address text kept */

/* Returns how many milliseconds the source address addr must wait before its next sign-in
 * attempt at now_ms; 0 when it may try now (and always for NULL or "", e.g. the CLI). */
int64_t auth_throttle_wait(const char *addr, int64_t now_ms);
/* Counts one failed attempt (or one use of a throttled route) of addr at now_ms. */
void auth_throttle_fail(const char *addr, int64_t now_ms);

#endif
