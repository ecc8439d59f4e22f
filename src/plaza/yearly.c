/* SPDX-License-Identifier: MIT */
/* yearly.c — the plazas' yearly work: the April update of 学年 (once per school year) and the
 * users no longer seen for [plaza] inactive_years years, listed and deleted with an audit entry
 * each (their visits stay as counts, without the user). */
#include "plaza/plaza.h"

#include <ini.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth/audit.h"
#include "base/log.h"
#include "base/wareki.h"
#include "base/xalloc.h"
#include "store/store.h"
#include "vault/vault.h"

const char *plaza_grade_next(const char *g, const char *birth, int fy)
{
	static const char *const ladder[] = {"小1", "小2", "小3", "小4", "小5", "小6", "中1",
					     "中2", "中3", "高1", "高2", "高3", "卒業"};
	size_t n = sizeof ladder / sizeof ladder[0];
	if (strcmp(g, "未就学") == 0) {
		/* School starts in the April after the sixth birthday (born up to April 1). */
		char april[24];
		snprintf(april, sizeof april, "%04d-04-01", fy - 6);
		return strcmp(birth, april) <= 0 ? ladder[0] : "未就学";
	}
	for (size_t i = 0; i + 1 < n; i++)
		if (strcmp(g, ladder[i]) == 0)
			return ladder[i + 1];
	return strcmp(g, "一般") == 0 ? "一般" : "卒業";
}

/* A user whose 学年 moves on. */
struct move {
	int64_t id;
	char *grade; /* the new 学年 (static) when changed, or NULL */
};

enum err plaza_grade_update(struct store_conn *c, const struct vault *av, const struct vault *v,
			    int fy, const char *actor, int64_t now_ms, size_t *moved,
			    int *done_before)
{
	size_t cap = 1024, k = 0, changed = 0;
	struct move *m = NULL;
	*moved = 0;
	*done_before = 0;
	enum err e = store_begin(c);
	if (e != ERR_OK)
		return e;
	struct store_stmt *st =
	    store_prepare(c, "SELECT count(*) FROM plaza_grade_runs WHERE fiscal_year = ?");
	if (!st) {
		e = ERR_DB;
		goto out;
	}
	store_bind_int(st, 1, fy);
	if (store_step(st) == STORE_ROW && store_col_int(st, 0) > 0)
		*done_before = 1;
	store_finish(st);
	if (*done_before)
		goto out;
	st = store_prepare(c,
			   "SELECT id, grade_fy, birth, grade FROM plaza_users WHERE grade_fy < ?");
	if (!st) {
		e = ERR_DB;
		goto out;
	}
	store_bind_int(st, 1, fy);
	m = xmalloc(cap * sizeof *m);
	int r;
	while ((r = store_step(st)) == STORE_ROW) {
		char *birth = NULL, *grade = NULL;
		if (vault_unseal_column(v, st, 2, "plaza_users.birth", &birth) != ERR_OK ||
		    vault_unseal_column(v, st, 3, "plaza_users.grade", &grade) != ERR_OK ||
		    !birth || !grade) {
			vault_wipe_free(birth);
			vault_wipe_free(grade);
			e = ERR_CRYPTO;
			break;
		}
		const char *g = grade;
		int from = (int)store_col_int(st, 1);
		for (int y = from + 1; y <= fy && y <= from + 20; y++)
			g = plaza_grade_next(g, birth, y);
		if (k == cap) {
			cap *= 2;
			m = xrealloc(m, cap * sizeof *m);
		}
		m[k].id = store_col_int(st, 0);
		m[k].grade = strcmp(g, grade) != 0 ? (char *)g : NULL;
		k++;
		vault_wipe_free(birth);
		vault_wipe_free(grade);
	}
	store_finish(st);
	if (e == ERR_OK && r < 0)
		e = ERR_DB;
	for (size_t i = 0; e == ERR_OK && i < k; i++) {
		st = store_prepare(c, m[i].grade
					  ? "UPDATE plaza_users SET grade_fy = ?1, grade = ?3, "
					    "updated_ms = ?4 WHERE id = ?2"
					  : "UPDATE plaza_users SET grade_fy = ?1 WHERE id = ?2");
		if (!st) {
			e = ERR_DB;
			break;
		}
		store_bind_int(st, 1, fy);
		store_bind_int(st, 2, m[i].id);
		if (m[i].grade) {
			vault_bind_sealed(v, st, 3, "plaza_users.grade", m[i].grade);
			store_bind_int(st, 4, now_ms);
			changed++;
		}
		e = store_run(st);
		store_finish(st);
	}
	if (e == ERR_OK) {
		st = store_prepare(c, "INSERT INTO plaza_grade_runs (fiscal_year, users, by_actor, "
				      "at_ms) VALUES (?, ?, ?, ?)");
		if (!st) {
			e = ERR_DB;
		} else {
			store_bind_int(st, 1, fy);
			store_bind_int(st, 2, (int64_t)changed);
			store_bind_text(st, 3, actor);
			store_bind_int(st, 4, now_ms);
			e = store_run(st);
			store_finish(st);
		}
	}
	if (e == ERR_OK) {
		char object[32], detail[48];
		snprintf(object, sizeof object, "plaza:fy%d", fy);
		snprintf(detail, sizeof detail, "users=%zu", changed);
		e = audit_append(c, av, actor, "plaza.grade_update", object, detail);
	}
out:
	free(m);
	if (e == ERR_OK && !*done_before)
		e = store_commit(c);
	else
		store_rollback(c);
	if (e == ERR_OK)
		*moved = changed;
	return e;
}

void plaza_cutoff(const char *today, int years, char out[11])
{
	int y, m, d;
	if (wareki_parse_iso(today, &y, &m, &d) != ERR_OK) {
		snprintf(out, 11, "0000-00-00");
		return;
	}
	y -= years;
	if (d > wareki_days_in_month(y, m))
		d = wareki_days_in_month(y, m);
	char t[40];
	snprintf(t, sizeof t, "%04d-%02d-%02d", y, m, d);
	memcpy(out, t, 10);
	out[10] = '\0';
}

enum err plaza_inactive_list(struct store_conn *c, int64_t plaza_id, const char *cutoff,
			     int64_t **ids, size_t *n)
{
	size_t cap = 64, k = 0;
	*ids = NULL;
	*n = 0;
	struct store_stmt *st = store_prepare(
	    c, "SELECT id FROM plaza_users WHERE (?1 = 0 OR plaza_id = ?1) AND active_on < ?2 "
	       "ORDER BY active_on, id");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, plaza_id);
	store_bind_text(st, 2, cutoff);
	int64_t *v = xmalloc(cap * sizeof *v);
	int r;
	while ((r = store_step(st)) == STORE_ROW) {
		if (k == cap) {
			cap *= 2;
			v = xrealloc(v, cap * sizeof *v);
		}
		v[k++] = store_col_int(st, 0);
	}
	store_finish(st);
	if (r < 0) {
		free(v);
		return ERR_DB;
	}
	*ids = v;
	*n = k;
	return ERR_OK;
}

/* Deletes user id: its terms, the user, and its name on its visits. */
static enum err delete_user(struct store_conn *c, int64_t id)
{
	static const char *const sql[] = {
	    "DELETE FROM plaza_terms WHERE user_id = ?",
	    "UPDATE plaza_visits SET user_id = NULL WHERE user_id = ?",
	    "DELETE FROM plaza_users WHERE id = ?",
	};
	enum err e = ERR_OK;
	for (size_t i = 0; e == ERR_OK && i < sizeof sql / sizeof sql[0]; i++) {
		struct store_stmt *st = store_prepare(c, sql[i]);
		if (!st)
			return ERR_DB;
		store_bind_int(st, 1, id);
		e = store_run(st);
		store_finish(st);
	}
	return e;
}

enum err plaza_inactive_delete(struct store_conn *c, const struct vault *av, int64_t plaza_id,
			       const char *cutoff, size_t expect, const char *actor,
			       size_t *deleted)
{
	int64_t *ids = NULL;
	size_t n = 0;
	*deleted = 0;
	enum err e = store_begin(c);
	if (e != ERR_OK)
		return e;
	e = plaza_inactive_list(c, plaza_id, cutoff, &ids, &n);
	if (e == ERR_OK && expect != (size_t)-1 && expect != n)
		e = ERR_CONFLICT;
	for (size_t i = 0; e == ERR_OK && i < n; i++) {
		char object[48];
		e = delete_user(c, ids[i]);
		snprintf(object, sizeof object, "plaza_user:%" PRId64, ids[i]);
		if (e == ERR_OK)
			e = audit_append(c, av, actor, "plaza.user_delete", object, "inactive");
	}
	if (e == ERR_OK) {
		char object[32], detail[64];
		snprintf(object, sizeof object, "plaza:%s",
			 plaza_id ? plaza_code(plaza_id) : "all");
		snprintf(detail, sizeof detail, "users=%zu before=%s", n, cutoff);
		e = audit_append(c, av, actor, "plaza.inactive_delete", object, detail);
	}
	free(ids);
	if (e == ERR_OK)
		e = store_commit(c);
	else
		store_rollback(c);
	if (e == ERR_OK)
		*deleted = n;
	return e;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	int *years = user;
	if (strcmp(section, "plaza") != 0 || strcmp(name, "inactive_years") != 0)
		return 1;
	char *end = NULL;
	long v = strtol(value, &end, 10);
	if (!end || *end || v < 1 || v > 20)
		log_warn("plaza: inactive_years must be 1-20; using %d", PLAZA_INACTIVE_YEARS);
	else
		*years = (int)v;
	return 1;
}

int plaza_inactive_years(struct app *a)
{
	char path[4096];
	int years = PLAZA_INACTIVE_YEARS;
	snprintf(path, sizeof path, "%s/mimamori.conf", a->data_dir);
	if (ini_parse(path, handler, &years) < 0)
		log_warn("plaza: cannot read the settings; using the defaults");
	return years;
}
