/* SPDX-License-Identifier: MIT */
/* erase.c — once every session of a course is over, its sign-ups are erased: the people's rows
 * (and their choices) deleted, the course marked erased and closed, an audit entry (no personal
 * data) — by the staff's button or `mimamori course erase`. */
#include "course/course.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "auth/audit.h"
#include "base/clock.h"
#include "store/store.h"

/* Runs sql with the one integer parameter id. */
static enum err run1(struct store_conn *c, const char *sql, int64_t id)
{
	struct store_stmt *st = store_prepare(c, sql);
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, id);
	enum err e = store_run(st);
	store_finish(st);
	return e;
}

enum err course_erase(struct store_conn *c, const struct vault *audit_key, int64_t id,
		      const char *today, const char *actor, size_t *count,
		      char why[COURSE_WHY_MAX])
{
	int found = 0, erased = 0;
	int64_t left = 0, n = 0;
	char object[48], detail[64];
	why[0] = '\0';
	*count = 0;
	enum err e = store_begin(c);
	if (e != ERR_OK)
		return e;
	struct store_stmt *st = store_prepare(
	    c, "SELECT erased_ms IS NOT NULL, (SELECT count(*) FROM course_sessions WHERE course_id "
	       "= ?1 AND state = 'open' AND on_date >= ?2), (SELECT count(*) FROM course_signups "
	       "WHERE course_id = ?1) FROM course_courses WHERE id = ?1");
	e = ERR_DB;
	if (st) {
		store_bind_int(st, 1, id);
		store_bind_text(st, 2, today);
		e = ERR_OK;
		if (store_step(st) == STORE_ROW) {
			found = 1;
			erased = store_col_int(st, 0) != 0;
			left = store_col_int(st, 1);
			n = store_col_int(st, 2);
		}
	}
	store_finish(st);
	if (e == ERR_OK && !found) {
		snprintf(why, COURSE_WHY_MAX, "その講座はありません。");
		e = ERR_NOTFOUND;
	} else if (e == ERR_OK && erased) {
		snprintf(why, COURSE_WHY_MAX, "この講座の申込はもう消去しました。");
		e = ERR_CONFLICT;
	} else if (e == ERR_OK && left > 0) {
		snprintf(why, COURSE_WHY_MAX,
			 "まだ終わっていない回（%" PRId64 "回）があります。講座が終わってから消去"
			 "してください。",
			 left);
		e = ERR_CONFLICT;
	}
	if (e == ERR_OK)
		e = run1(c,
			 "DELETE FROM course_entries WHERE signup_id IN (SELECT id FROM course_signups "
			 "WHERE course_id = ?1)",
			 id);
	if (e == ERR_OK)
		e = run1(c, "DELETE FROM course_signups WHERE course_id = ?1", id);
	if (e == ERR_OK) {
		st = store_prepare(c, "UPDATE course_courses SET erased_ms = ?2, open = 0, updated_ms "
				      "= ?2 WHERE id = ?1");
		e = ERR_DB;
		if (st) {
			store_bind_int(st, 1, id);
			store_bind_int(st, 2, clock_now_ms());
			e = store_run(st);
		}
		store_finish(st);
	}
	if (e == ERR_OK) {
		snprintf(object, sizeof object, "course:%" PRId64, id);
		snprintf(detail, sizeof detail, "signups=%" PRId64, n);
		e = audit_append(c, audit_key, actor, "course.erase", object, detail);
	}
	if (e == ERR_OK)
		e = store_commit(c);
	else
		store_rollback(c);
	if (e == ERR_OK)
		*count = (size_t)n;
	return e;
}
