/* SPDX-License-Identifier: MIT */
/* approved_device.h — devices the ward approved for an account whose role may work only from
 * them (role_needs_device: senders, who mail a school's families from home PCs and phones,
 * seed 003). A device asks to be enrolled with its owner's login and password and gets a random
 * credential (kept by the browser in an HttpOnly cookie; only its hash is stored) and a
 * six-digit code; the ward compares the code with the person and approves; an approval can be
 * revoked at any time. Table approved_devices (sql/0020). */
#ifndef MIMAMORI_AUTH_APPROVED_DEVICE_H
#define MIMAMORI_AUTH_APPROVED_DEVICE_H
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct store;
struct vault;

#define APPROVED_DEVICE_COOKIE "mimamori_approved_device"
#define APPROVED_DEVICE_MAX_AGE_S (400LL * 24 * 3600) /* browsers keep a cookie at most 400 days */
#define APPROVED_DEVICE_LABEL_MAX 40                  /* characters of a device's name */
#define APPROVED_DEVICE_PENDING_MAX 5                 /* requests waiting per account */

/* One device as the ward sees it. */
struct approved_device {
	int64_t id;
	int64_t user_id;
	char login[64];
	char role[24];
	char label[4 * APPROVED_DEVICE_LABEL_MAX + 1]; /* UTF-8 */
	char code[8];	 /* six digits */
	char agent[201]; /* the browser's User-Agent when it asked */
	const char *state; /* static: "pending", "approved" or "revoked" */
	int64_t requested_ms, approved_ms, revoked_ms, last_used_ms;
	int64_t approved_by; /* user id, 0 when none */
};

/* Records a request from a device to work for account user_id (whose password the caller has
 * checked), named label (1 to APPROVED_DEVICE_LABEL_MAX characters on one line; sealed) from a
 * browser saying agent (may be NULL). *token is the device's credential (malloc'd, wipe with
 * vault_wipe_free; to be set as the cookie), *out the new row (pending). Audited
 * "device.request" as actor. ERR_INVALID for a bad label, ERR_TOOMANY when the account already
 * has APPROVED_DEVICE_PENDING_MAX requests waiting. */
enum err approved_device_request(struct store *s, const struct vault *v, const char *actor,
				 int64_t user_id, const char *label, const char *agent,
				 char **token, struct approved_device *out);

/* Loads the device of credential token (a cookie value) into *out. ERR_NOTFOUND when it is not
 * one (or its account is gone). */
enum err approved_device_of_token(struct store *s, const struct vault *v, const char *token,
				  struct approved_device *out);

/* Returns ERR_OK when token is the credential of an approved, unrevoked device of user_id,
 * else ERR_FORBIDDEN (no token, unknown, pending, revoked or another account's). A read only. */
enum err approved_device_check(struct store *s, const char *token, int64_t user_id);

/* Notes a sign-in from the device of token (its last use). */
enum err approved_device_used(struct store *s, const char *token);

/* Loads every device, pending first then by request time (newest first), into *rows
 * (malloc'd array of *n; caller frees with free()). */
enum err approved_device_list(struct store *s, const struct vault *v,
			      struct approved_device **rows, size_t *n);

/* The ward approves (approve 1) a pending device, or revokes (0) a pending or approved one, as
 * admin_id (recorded; actor audits "device.approve" / "device.revoke"). ERR_NOTFOUND for no
 * such device, ERR_CONFLICT when its state does not allow it (approving twice, anything on a
 * revoked one). */
enum err approved_device_decide(struct store *s, const struct vault *v, const char *actor,
				int64_t admin_id, int64_t id, int approve);

#endif
