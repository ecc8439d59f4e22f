/* SPDX-License-Identifier: MIT */
/* plan_changes.c — the log of changes to children's day plans (who changed which day and
 * when), so a guardian's change reaches staff with its author, and the name behind an actor. */
#include "attendance/plan.h"

#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "attendance/attendance.h"
#include "base/xalloc.h"
#include "store/store.h"
#include "vault/vault.h"

enum err plan_change_log(struct store_conn *c, int64_t child_id, const char *day,
			 const char *status, const char *actor, int64_t at_ms)
{
	struct store_stmt *st = store_prepare(
	    c, "INSERT INTO plan_changes(child_id, day, at_ms, actor, status) VALUES (?,?,?,?,?)");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, child_id);
	store_bind_text(st, 2, day);
	store_bind_int(st, 3, at_ms);
	store_bind_text(st, 4, actor);
	store_bind_text(st, 5, status);
	enum err e = store_run(st);
	store_finish(st);
	return e;
}

/* The id after prefix in actor ("guardian:12" → 12), or 0. */
static int64_t actor_id(const char *actor, const char *prefix)
{
	size_t n = strlen(prefix);
	if (strncmp(actor, prefix, n) != 0 || !actor[n])
		return 0;
	char *end = NULL;
	long long id = strtoll(actor + n, &end, 10);
	return end && !*end && id > 0 ? (int64_t)id : 0;
}

enum err plan_actor_name(struct app *a, struct store_conn *c, const char *actor, char **name)
{
	int64_t gid = actor ? actor_id(actor, "guardian:") : 0;
	int64_t uid = actor ? actor_id(actor, "user:") : 0;
	struct store_stmt *st = NULL;
	enum err e = ERR_OK;
	*name = NULL;
	if (gid) {
		st = store_prepare(c, "SELECT name_enc FROM guardians WHERE id = ?");
		if (!st)
			return ERR_DB;
		store_bind_int(st, 1, gid);
		if (store_step(st) == STORE_ROW) {
			size_t len;
			const void *b = store_col_blob(st, 0, &len);
			e = vault_unseal(attendance_vault(a), "guardians.name", b, len, name);
		}
	} else if (uid) {
		st = store_prepare(c, "SELECT login FROM users WHERE id = ?");
		if (!st)
			return ERR_DB;
		store_bind_int(st, 1, uid);
		if (store_step(st) == STORE_ROW)
			*name = xstrdup(store_col_text(st, 0));
	}
	store_finish(st);
	return e;
}
