/* SPDX-License-Identifier: MIT */
/* plan_upcoming.c — a site's plans for the coming days (出欠予定): for each day, every child
 * planned to come or with a notice for it (absence, not coming, other times, a pickup), with
 * the last change of that day and who made it — what staff prepare from before the day. */
#include "attendance/plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "attendance/attendance.h"
#include "base/clock.h"
#include "base/xalloc.h"
#include "store/store.h"
#include "vault/vault.h"

#define DAY_MS (24LL * 60 * 60 * 1000)

/* One child of the site, with its pattern and, per loaded day, its exception and change. */
struct kid {
	int64_t id;
	char child_no[24];
	char *name, *kana;
	int grade;
	struct plan_week week;
	struct cell {
		int has_day;
		struct plan_entry plan; /* the exception (reason unsealed) */
		int64_t changed_ms;
		char *actor;
		char status[8];
	} cells[PLAN_UPCOMING_DAYS_MAX];
};

struct roster {
	struct kid *k;
	size_t n;
};

static void roster_free(struct roster *r)
{
	for (size_t i = 0; i < r->n; i++) {
		vault_wipe_free(r->k[i].name);
		vault_wipe_free(r->k[i].kana);
		for (size_t d = 0; d < PLAN_UPCOMING_DAYS_MAX; d++) {
			plan_entry_clear(&r->k[i].cells[d].plan);
			free(r->k[i].cells[d].actor);
		}
	}
	free(r->k);
	memset(r, 0, sizeof *r);
}

/* The kid with id (the roster is read by id first, then sorted), or NULL. */
static struct kid *kid_of(struct roster *r, int64_t id)
{
	size_t lo = 0, hi = r->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (r->k[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < r->n && r->k[lo].id == id ? &r->k[lo] : NULL;
}

/* The index of day among u's days, or SIZE_MAX. */
static size_t day_of(const struct plan_upcoming *u, const char *day)
{
	for (size_t i = 0; day && i < u->ndays; i++)
		if (strcmp(u->days[i].day, day) == 0)
			return i;
	return (size_t)-1;
}

/* Loads the site's active children by id, names unsealed. */
static enum err load_roster(struct app *a, struct store_conn *c, int64_t site_id,
			    struct roster *r)
{
	size_t cap = 0;
	struct store_stmt *st = store_prepare(
	    c, "SELECT id, child_no, name_enc, kana_enc, grade FROM children "
	       "WHERE site_id = ? AND active = 1 ORDER BY id");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, site_id);
	enum err e = ERR_OK;
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		if (r->n == cap) {
			cap = cap ? cap * 2 : 64;
			r->k = xrealloc(r->k, cap * sizeof *r->k);
		}
		struct kid *k = &r->k[r->n];
		memset(k, 0, sizeof *k);
		r->n++;
		k->id = store_col_int(st, 0);
		snprintf(k->child_no, sizeof k->child_no, "%s", store_col_text(st, 1));
		k->grade = (int)store_col_int(st, 4);
		size_t l1, l2;
		const void *b1 = store_col_blob(st, 2, &l1), *b2 = store_col_blob(st, 3, &l2);
		e = vault_unseal(attendance_vault(a), "children.name", b1, l1, &k->name);
		if (e == ERR_OK)
			e = vault_unseal(attendance_vault(a), "children.kana", b2, l2, &k->kana);
		if (e != ERR_OK)
			break;
	}
	store_finish(st);
	if (e == ERR_OK && rc != STORE_DONE)
		e = ERR_DB;
	return e;
}

/* Every child's weekly pattern. */
static enum err load_weeks(struct store_conn *c, int64_t site_id, struct roster *r)
{
	struct store_stmt *st = store_prepare(
	    c, "SELECT pw.child_id, pw.weekday, pw.leave, pw.way_home, pw.pickup_id "
	       "FROM plan_weekly pw JOIN children ch ON ch.id = pw.child_id "
	       "WHERE ch.site_id = ? AND ch.active = 1");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, site_id);
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		struct kid *k = kid_of(r, store_col_int(st, 0));
		int wd = (int)store_col_int(st, 1);
		if (!k || wd < 1 || wd > 6)
			continue;
		struct plan_entry *p = &k->week.day[wd];
		const char *leave = store_col_text(st, 2), *way = store_col_text(st, 3);
		k->week.attend[wd] = 1;
		p->status = PLAN_ATTEND;
		snprintf(p->leave, sizeof p->leave, "%s", leave ? leave : "");
		snprintf(p->way_home, sizeof p->way_home, "%s", way ? way : "");
		p->pickup_id = store_col_is_null(st, 4) ? 0 : store_col_int(st, 4);
	}
	store_finish(st);
	return rc == STORE_DONE ? ERR_OK : ERR_DB;
}

/* The day exceptions of the range, reasons unsealed. */
static enum err load_days(struct app *a, struct store_conn *c, int64_t site_id,
			  const struct plan_upcoming *u, struct roster *r)
{
	struct store_stmt *st = store_prepare(
	    c, "SELECT pd.child_id, pd.day, pd.status, pd.leave, pd.way_home, pd.pickup_id, "
	       "pd.reason_enc FROM plan_days pd JOIN children ch ON ch.id = pd.child_id "
	       "WHERE ch.site_id = ? AND ch.active = 1 AND pd.day BETWEEN ? AND ?");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, site_id);
	store_bind_text(st, 2, u->days[0].day);
	store_bind_text(st, 3, u->days[u->ndays - 1].day);
	enum err e = ERR_OK;
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		struct kid *k = kid_of(r, store_col_int(st, 0));
		size_t d = day_of(u, store_col_text(st, 1));
		if (!k || d >= u->ndays)
			continue;
		struct plan_entry *p = &k->cells[d].plan;
		int s = plan_status_parse(store_col_text(st, 2));
		const char *leave = store_col_text(st, 3), *way = store_col_text(st, 4);
		k->cells[d].has_day = 1;
		p->status = s < 0 ? PLAN_OFF : (enum plan_status)s;
		snprintf(p->leave, sizeof p->leave, "%s", leave ? leave : "");
		snprintf(p->way_home, sizeof p->way_home, "%s", way ? way : "");
		p->pickup_id = store_col_is_null(st, 5) ? 0 : store_col_int(st, 5);
		if (!store_col_is_null(st, 6)) {
			size_t len;
			const void *b = store_col_blob(st, 6, &len);
			e = vault_unseal(attendance_vault(a), "plan_days.reason", b, len, &p->reason);
			if (e != ERR_OK)
				break;
		}
	}
	store_finish(st);
	if (e == ERR_OK && rc != STORE_DONE)
		e = ERR_DB;
	return e;
}

/* The last change of each child's day in the range. */
static enum err load_changes(struct store_conn *c, int64_t site_id,
			     const struct plan_upcoming *u, struct roster *r)
{
	struct store_stmt *st = store_prepare(
	    c, "SELECT pc.child_id, pc.day, pc.at_ms, pc.actor, pc.status FROM plan_changes pc "
	       "JOIN children ch ON ch.id = pc.child_id WHERE ch.site_id = ? AND ch.active = 1 "
	       "AND pc.day BETWEEN ? AND ? ORDER BY pc.id");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, site_id);
	store_bind_text(st, 2, u->days[0].day);
	store_bind_text(st, 3, u->days[u->ndays - 1].day);
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		struct kid *k = kid_of(r, store_col_int(st, 0));
		size_t d = day_of(u, store_col_text(st, 1));
		if (!k || d >= u->ndays)
			continue;
		struct cell *cell = &k->cells[d];
		cell->changed_ms = store_col_int(st, 2);
		free(cell->actor);
		cell->actor = xstrdup(store_col_text(st, 3));
		snprintf(cell->status, sizeof cell->status, "%s", store_col_text(st, 4));
	}
	store_finish(st);
	return rc == STORE_DONE ? ERR_OK : ERR_DB;
}

static int by_grade(const void *x, const void *y)
{
	const struct kid *a = x, *b = y;
	if (a->grade != b->grade)
		return a->grade < b->grade ? -1 : 1;
	return strcmp(a->child_no, b->child_no);
}

/* Names behind the actors of the range, looked up once each. */
struct names {
	char **actor, **name;
	size_t n;
};

static void names_free(struct names *nm)
{
	for (size_t i = 0; i < nm->n; i++) {
		free(nm->actor[i]);
		vault_wipe_free(nm->name[i]);
	}
	free(nm->actor);
	free(nm->name);
}

/* A copy (malloc'd, or NULL) of the name of actor. */
static enum err name_of(struct app *a, struct store_conn *c, struct names *nm, const char *actor,
			char **out)
{
	*out = NULL;
	size_t i = 0;
	while (i < nm->n && strcmp(nm->actor[i], actor) != 0)
		i++;
	if (i == nm->n) {
		char *name = NULL;
		enum err e = plan_actor_name(a, c, actor, &name);
		if (e != ERR_OK)
			return e;
		nm->actor = xrealloc(nm->actor, (nm->n + 1) * sizeof *nm->actor);
		nm->name = xrealloc(nm->name, (nm->n + 1) * sizeof *nm->name);
		nm->actor[nm->n] = xstrdup(actor);
		nm->name[nm->n] = name;
		nm->n++;
	}
	if (nm->name[i])
		*out = xstrdup(nm->name[i]);
	return ERR_OK;
}

/* The active or removed pickup person id of child_id in p (sorted by child, then id). */
static const struct pickup *pickup_find(const struct pickup *p, size_t n, int64_t child_id,
					int64_t id)
{
	for (size_t i = 0; id && i < n; i++)
		if (p[i].child_id == child_id && p[i].id == id)
			return &p[i];
	return NULL;
}

enum err plan_upcoming_load(struct app *a, const struct site *s, const char *from, int ndays,
			    struct plan_upcoming *u, const char **why)
{
	struct roster r = {0};
	struct names nm = {0};
	struct pickup *pk = NULL;
	size_t npk = 0, cap = 0;
	int64_t midnight = 0;
	memset(u, 0, sizeof *u);
	*why = NULL;
	if (!from || clock_day_parse(from, &midnight, NULL) != 0) {
		*why = "開始日（from）は日付 YYYY-MM-DD で指定してください";
		return ERR_INVALID;
	}
	if (ndays < 1 || ndays > PLAN_UPCOMING_DAYS_MAX) {
		*why = "日数（days）は 1〜14 で指定してください";
		return ERR_INVALID;
	}
	for (int i = 0; i < ndays; i++) {
		char day[16];
		int wd = 0;
		/* Noon of each day, so a day is never off by one around midnight. */
		clock_jst_date(midnight + i * DAY_MS + DAY_MS / 2, day, sizeof day);
		clock_day_parse(day, NULL, &wd);
		if (wd == 0)
			continue;
		memcpy(u->days[u->ndays].day, day, 10); /* a valid date is 10 bytes */
		u->days[u->ndays].day[10] = '\0';
		u->days[u->ndays].weekday = wd;
		u->ndays++;
	}
	if (u->ndays == 0)
		return ERR_OK; /* only a Sunday */
	struct store_conn *c = store_acquire(a->store);
	enum err e = load_roster(a, c, s->id, &r);
	if (e == ERR_OK)
		e = load_weeks(c, s->id, &r);
	if (e == ERR_OK)
		e = load_days(a, c, s->id, u, &r);
	if (e == ERR_OK)
		e = load_changes(c, s->id, u, &r);
	if (e == ERR_OK)
		e = pickup_list_site(a, c, s->id, NULL, &pk, &npk);
	if (e != ERR_OK)
		goto out;
	if (r.n)
		qsort(r.k, r.n, sizeof *r.k, by_grade);
	for (size_t d = 0; d < u->ndays && e == ERR_OK; d++) {
		int wd = u->days[d].weekday;
		for (size_t i = 0; i < r.n && e == ERR_OK; i++) {
			struct kid *k = &r.k[i];
			struct cell *cell = &k->cells[d];
			struct plan_entry eff = {0};
			if (cell->has_day)
				eff = cell->plan;
			else if (k->week.attend[wd])
				eff = k->week.day[wd];
			/* Listed: planned to come, or a notice or change for the day. */
			if (eff.status != PLAN_ATTEND && !cell->has_day && !cell->changed_ms)
				continue;
			if (u->n == cap) {
				cap = cap ? cap * 2 : 64;
				u->rows = xrealloc(u->rows, cap * sizeof *u->rows);
			}
			struct plan_upcoming_row *row = &u->rows[u->n++];
			memset(row, 0, sizeof *row);
			row->day = d;
			snprintf(row->child_no, sizeof row->child_no, "%s", k->child_no);
			row->name = xstrdup(k->name);
			row->kana = xstrdup(k->kana);
			row->grade = k->grade;
			row->plan = eff;
			row->plan.reason = NULL;
			if (cell->has_day && cell->plan.reason) {
				row->plan.reason = cell->plan.reason; /* moved: each cell is used once */
				cell->plan.reason = NULL;
			}
			row->from_day = cell->has_day;
			const struct pickup *p =
			    eff.status == PLAN_ATTEND && strcmp(eff.way_home, "pickup") == 0
				? pickup_find(pk, npk, k->id, eff.pickup_id)
				: NULL;
			if (p) {
				row->pickup_name = xstrdup(p->name);
				row->pickup_relation = xstrdup(p->relation);
			}
			if (cell->changed_ms) {
				row->changed_ms = cell->changed_ms;
				snprintf(row->changed_status, sizeof row->changed_status, "%s",
					 cell->status);
				e = name_of(a, c, &nm, cell->actor, &row->changed_by);
				u->days[d].changed++;
			}
			if (eff.status == PLAN_ATTEND)
				u->days[d].attend++;
			else if (eff.status == PLAN_ABSENT)
				u->days[d].absent++;
			else
				u->days[d].off++;
		}
	}
out:
	store_release(c);
	pickup_list_free(pk, npk);
	names_free(&nm);
	roster_free(&r);
	return e;
}

void plan_upcoming_free(struct plan_upcoming *u)
{
	for (size_t i = 0; u->rows && i < u->n; i++) {
		struct plan_upcoming_row *row = &u->rows[i];
		vault_wipe_free(row->name);
		vault_wipe_free(row->kana);
		vault_wipe_free(row->pickup_name);
		vault_wipe_free(row->pickup_relation);
		vault_wipe_free(row->changed_by);
		plan_entry_clear(&row->plan);
	}
	free(u->rows);
	memset(u, 0, sizeof *u);
}
