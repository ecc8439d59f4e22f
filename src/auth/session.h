/* SPDX-License-Identifier: MIT */
/* session.h — staff sessions: random tokens stored hashed, CSRF tokens, idle and absolute
 * expiry. */
#ifndef MIMAMORI_AUTH_SESSION_H
#define MIMAMORI_AUTH_SESSION_H
#include <stdint.h>

#include "base/err.h"

struct store;

#define SESSION_IDLE_MS (30LL * 60 * 1000)
#define SESSION_ABSOLUTE_MS (12LL * 3600 * 1000)
#define SESSION_COOKIE "mimamori_session"

/* Creates a session for user_id. *token (the cookie value) and *csrf are malloc'd; the caller
 * frees both. Only the token's hash is stored. */
enum err session_create(struct store *s, int64_t user_id, char **token, char **csrf);
/* Looks a cookie token up; on success sets *user_id and copies the CSRF token into csrf
 * (>= 64 bytes) and refreshes the idle timer. ERR_UNAUTH when unknown or expired (an expired
 * session is deleted). */
enum err session_check(struct store *s, const char *token, int64_t *user_id, char csrf[64]);
/* Deletes the session of token; unknown tokens are ignored. */
enum err session_delete(struct store *s, const char *token);

#endif
