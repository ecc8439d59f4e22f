/* SPDX-License-Identifier: MIT */
/* session.h — staff and guardian sessions: random tokens stored hashed, CSRF tokens, idle and
 * absolute expiry. */
#ifndef MIMAMORI_AUTH_SESSION_H
#define MIMAMORI_AUTH_SESSION_H
#include <stdint.h>

#include "base/err.h"

struct store;

#define SESSION_IDLE_MS (30LL * 60 * 1000)
#define SESSION_ABSOLUTE_MS (12LL * 3600 * 1000)
#define SESSION_COOKIE "mimamori_session"
#define SESSION_PARENT_COOKIE "mimamori_parent"

/* Whose session: staff (users) or a guardian (guardians, signed in by a mail link). */
enum session_kind { SESSION_STAFF, SESSION_GUARDIAN };

/* As session_create, session_check and session_delete below, for a kind of session; owner_id
 * is the user's or the guardian's id. */
enum err session_create_kind(struct store *s, enum session_kind kind, int64_t owner_id,
			     char **token, char **csrf);
enum err session_check_kind(struct store *s, enum session_kind kind, const char *token,
			    int64_t *owner_id, char csrf[64]);
enum err session_delete_kind(struct store *s, enum session_kind kind, const char *token);

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
