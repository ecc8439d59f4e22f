/* SPDX-License-Identifier: MIT */
/* totp_state.c — whether an account has its second factor, read on every request of an
 * administrator (kept apart from totp_store.c so that what links user.c needs no liboath). */
#include "auth/totp_store.h"

#include "store/store.h"

enum err totp_enrolled(struct store_conn *c, int64_t uid, int *enrolled)
{
	*enrolled = 0;
	struct store_stmt *st = store_prepare(
	    c, "SELECT 1 FROM user_totp WHERE user_id = ? AND confirmed_ms IS NOT NULL");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, uid);
	int rc = store_step(st);
	store_finish(st);
	if (rc != STORE_ROW && rc != STORE_DONE)
		return ERR_DB;
	*enrolled = rc == STORE_ROW;
	return ERR_OK;
}

enum err totp_recovery_left(struct store_conn *c, int64_t uid, int64_t *left)
{
	*left = 0;
	struct store_stmt *st = store_prepare(
	    c, "SELECT count(*) FROM user_totp_recovery WHERE user_id = ? AND used_ms IS NULL");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, uid);
	int rc = store_step(st);
	if (rc == STORE_ROW)
		*left = store_col_int(st, 0);
	store_finish(st);
	return rc == STORE_ROW ? ERR_OK : ERR_DB;
}
