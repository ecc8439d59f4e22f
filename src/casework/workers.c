/* SPDX-License-Identifier: MIT */
/* workers.c — casework: a worker's unit (the plaza or centre they belong to) and the
 * assignment of workers to a case, only within the case's unit. */
#include <stdio.h>
#include <string.h>

#include "casework/casework.h"
#include "store/store.h"

#define Q(sql) casework_sql(k, sql, q, sizeof q)

int casework_worker_unit(struct store_conn *c, const struct casework_kind *k, int64_t user_id,
			 char out[CASEWORK_UNIT_MAX])
{
	char q[512];
	return casework_unit_read(
	    store_prepare(c, Q("SELECT unit FROM @_workers WHERE user_id = ?1")), user_id, out);
}

/* Binds who did it (by; 0: nobody, the system) to parameter idx of st. */
static void bind_by(struct store_stmt *st, int idx, int64_t by)
{
	if (by)
		store_bind_int(st, idx, by);
	else
		store_bind_null(st, idx);
}

enum err casework_worker_set(struct store_conn *c, const struct casework_kind *k, int64_t user_id,
			     const char *unit, int64_t by, int64_t now_ms)
{
	char q[512];
	struct store_stmt *st = store_prepare(
	    c, Q("INSERT INTO @_workers (user_id, unit, set_by, set_ms) VALUES (?1, ?2, ?3, ?4) "
		 "ON CONFLICT (user_id) DO UPDATE SET unit = excluded.unit, set_by = "
		 "excluded.set_by, set_ms = excluded.set_ms"));
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, user_id);
	store_bind_text(st, 2, unit);
	bind_by(st, 3, by);
	store_bind_int(st, 4, now_ms);
	enum err e = casework_run(st);
	if (e != ERR_OK)
		return e;
	/* A worker who moves to another unit keeps no case of the old one. */
	st = store_prepare(c, Q("DELETE FROM @_assignments WHERE user_id = ?1 AND case_id IN "
				"(SELECT id FROM @_cases WHERE unit <> ?2)"));
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, user_id);
	store_bind_text(st, 2, unit);
	return casework_run(st);
}

enum err casework_assign(struct store_conn *c, const struct casework_kind *k, int64_t case_id,
			 int64_t user_id, int64_t by, int64_t now_ms)
{
	char q[512], unit[CASEWORK_UNIT_MAX];
	struct store_stmt *st = store_prepare(c, Q("SELECT unit FROM @_cases WHERE id = ?1"));
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, case_id);
	int r = store_step(st);
	int same = 0;
	if (r == STORE_ROW) {
		int have = casework_worker_unit(c, k, user_id, unit);
		same = have == 1 && strcmp(unit, store_col_text(st, 0)) == 0;
		if (have < 0)
			r = -1;
	}
	store_finish(st);
	if (r == STORE_DONE)
		return ERR_NOTFOUND;
	if (r != STORE_ROW)
		return ERR_DB;
	if (!same)
		return ERR_INVALID;
	st = store_prepare(c,
			   Q("INSERT INTO @_assignments (case_id, user_id, assigned_by, at_ms) "
			     "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (case_id, user_id) DO NOTHING"));
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, case_id);
	store_bind_int(st, 2, user_id);
	bind_by(st, 3, by);
	store_bind_int(st, 4, now_ms);
	return casework_run(st);
}

enum err casework_unassign(struct store_conn *c, const struct casework_kind *k, int64_t case_id,
			   int64_t user_id)
{
	char q[512];
	struct store_stmt *st =
	    store_prepare(c, Q("DELETE FROM @_assignments WHERE case_id = ?1 AND user_id = ?2"));
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, case_id);
	store_bind_int(st, 2, user_id);
	enum err e = casework_run(st);
	if (e == ERR_OK && store_changes(c) == 0)
		e = ERR_NOTFOUND;
	return e;
}

json_t *casework_assigned_json(struct store_conn *c, const struct casework_kind *k, int64_t case_id)
{
	char q[512];
	json_t *arr = json_array();
	struct store_stmt *st =
	    store_prepare(c, Q("SELECT u.id, u.login FROM @_assignments a JOIN users u ON u.id = "
			       "a.user_id WHERE a.case_id = ?1 ORDER BY u.login"));
	if (!st)
		return arr;
	store_bind_int(st, 1, case_id);
	while (store_step(st) == STORE_ROW)
		json_array_append_new(arr, json_pack("{s:I, s:s}", "id",
						     (json_int_t)store_col_int(st, 0), "login",
						     store_col_text(st, 1)));
	store_finish(st);
	return arr;
}
