/* SPDX-License-Identifier: MIT */
/* lock_alert.h — telling the ward's administrator that a staff account was locked by failed
 * sign-ins: a notice through the outbox, without personal data. */
#ifndef MIMAMORI_AUTH_LOCK_ALERT_H
#define MIMAMORI_AUTH_LOCK_ALERT_H
#include <stdint.h>

#include "base/err.h"

#define LOCK_ALERTS_PER_HOUR                                                                       \
	10 /* mails at most; further locks are only audited, and counted                           \
	    * in the next mail */

struct store_conn;
struct vault;

/* Queues the alert for the lock of account user_id (role: its role name) at now_ms to address
 * to, on c inside the caller's transaction. Returns ERR_OK also when the hourly allowance is
 * spent (nothing queued then), or the outbox's error. Keeps no pointer. */
enum err auth_lock_alert(struct store_conn *c, const struct vault *v, const char *to,
			 int64_t user_id, const char *role, int64_t failures, int64_t now_ms);

#endif
