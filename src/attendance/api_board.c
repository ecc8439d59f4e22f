/* SPDX-License-Identifier: MIT */
/* api_board.c — GET /api/v1/sites/{code}/board: today's children at a site from plans and
 * scans (expected, not arrived, present, left, absent, off), each present child's planned
 * leave time and way home, the pickup list, who collected, and the active alerts. Reading
 * names is a read of personal data and is audited. */
#include "attendance/attendance_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "attendance/attendance.h"
#include "attendance/plan.h"
#include "auth/audit.h"
#include "base/clock.h"
#include "store/store.h"
#include "vault/vault.h"

enum { ST_EXPECTED, ST_NOT_ARRIVED, ST_PRESENT, ST_LEFT, ST_ABSENT, ST_OFF, ST_COUNT };
static const char *const status_names[ST_COUNT] = {"expected", "not_arrived", "present",
						   "left",     "absent",      "off"};

static json_t *time_or_null(int64_t ms)
{
	if (!ms)
		return json_null();
	char hhmm[8];
	clock_jst_hhmm(ms, hhmm, sizeof hhmm);
	return json_string(hhmm);
}

/* Unseals the blob at col of st as field into a new JSON string; NULL on failure. */
static json_t *sealed_string(struct app *a, struct store_stmt *st, int col, const char *field)
{
	size_t len;
	char *plain = NULL;
	const void *b = store_col_blob(st, col, &len);
	if (vault_unseal(a->vault, field, b, len, &plain) != ERR_OK)
		return NULL;
	json_t *j = json_string(plain);
	vault_wipe_free(plain);
	return j;
}

/* Every pickup person of the site's children today, as {"<child id>": [{id,name,relation,
 * active}]}: one query for the whole board. */
static enum err load_pickups(struct app *a, struct store_conn *c, int64_t site_id,
			     json_t *by_child)
{
	struct store_stmt *st = store_prepare(
	    c, "SELECT p.child_id, p.id, p.name_enc, p.relation_enc, p.active FROM pickups p JOIN "
	       "children ch ON ch.id = p.child_id WHERE ch.site_id = ? AND ch.active = 1 "
	       "ORDER BY p.id");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, site_id);
	int rc;
	enum err e = ERR_OK;
	while ((rc = store_step(st)) == STORE_ROW) {
		char key[24];
		snprintf(key, sizeof key, "%lld", (long long)store_col_int(st, 0));
		json_t *name = sealed_string(a, st, 2, "pickups.name");
		json_t *rel = sealed_string(a, st, 3, "pickups.relation");
		if (!name || !rel) {
			json_decref(name);
			json_decref(rel);
			e = ERR_CRYPTO;
			break;
		}
		json_t *list = json_object_get(by_child, key);
		if (!list) {
			list = json_array();
			json_object_set_new(by_child, key, list);
		}
		json_array_append_new(list, json_pack("{s:I,s:o,s:o,s:b}", "id",
						      (json_int_t)store_col_int(st, 1), "name",
						      name, "relation", rel, "active",
						      (int)store_col_int(st, 4)));
	}
	store_finish(st);
	return e != ERR_OK ? e : rc == STORE_DONE ? ERR_OK : ERR_DB;
}

/* The pickup person id in list (all of one child's), as {id,name,relation} or null. */
static json_t *pickup_ref(json_t *list, int64_t id)
{
	size_t i;
	json_t *p;
	json_array_foreach(list, i, p)
	{
		if (json_integer_value(json_object_get(p, "id")) == id)
			return json_pack("{s:O,s:O,s:O}", "id", json_object_get(p, "id"), "name",
					 json_object_get(p, "name"), "relation",
					 json_object_get(p, "relation"));
	}
	return json_null();
}

/* The child's active pickup people, for choosing at check-out. */
static json_t *active_pickups(json_t *list)
{
	json_t *out = json_array();
	size_t i;
	json_t *p;
	json_array_foreach(list, i, p)
	{
		if (json_is_true(json_object_get(p, "active")))
			json_array_append_new(out, pickup_ref(list, json_integer_value(json_object_get(
								       p, "id"))));
	}
	return out;
}

enum err api_board_get(struct http_req *rq, struct http_resp *rs)
{
	struct site site;
	char day[16], now_hhmm[8];
	int wd = 0;
	json_t *children = json_array(), *alerts = json_array(), *pickups = json_object();
	int64_t counts[ST_COUNT] = {0};
	struct store_conn *c = store_acquire(rq->app->store);
	struct store_stmt *st = NULL;
	enum err e = api_site_for_caller(rq, rs, c, &site, "board of another site",
					 "this board belongs to another site");
	if (e != ERR_OK)
		goto out;
	int64_t now = clock_now_ms();
	clock_jst_date(now, day, sizeof day);
	clock_jst_hhmm(now, now_hhmm, sizeof now_hhmm);
	clock_day_parse(day, NULL, &wd);
	e = load_pickups(rq->app, c, site.id, pickups);
	if (e != ERR_OK)
		goto out;
	/* One pass: each child with today's first entry, last scan (direction, time, staff
	 * entry, collector), the day's exception, the weekday's pattern and the active alert. */
	st = store_prepare(
	    c, "SELECT ch.id, ch.child_no, ch.name_enc, ch.kana_enc, ch.grade, "
	       "(SELECT MIN(at_ms) FROM scans s WHERE s.child_id = ch.id AND s.day = ?2 AND "
	       " s.direction = 'in'), "
	       "ls.direction, ls.at_ms, ls.manual_by IS NOT NULL AND ls.reason_enc IS NOT NULL, "
	       "ls.pickup_id, "
	       "pd.status, pd.leave, pd.way_home, pd.pickup_id, pd.reason_enc, "
	       "pw.child_id IS NOT NULL, pw.leave, pw.way_home, pw.pickup_id, "
	       "(SELECT kind || ':' || raised_ms FROM alerts al WHERE al.child_id = ch.id AND "
	       " al.day = ?2 AND al.cleared_ms IS NULL ORDER BY al.id DESC LIMIT 1) "
	       "FROM children ch "
	       "LEFT JOIN scans ls ON ls.id = (SELECT id FROM scans s WHERE s.child_id = ch.id "
	       " AND s.day = ?2 ORDER BY at_ms DESC, id DESC LIMIT 1) "
	       "LEFT JOIN plan_days pd ON pd.child_id = ch.id AND pd.day = ?2 "
	       "LEFT JOIN plan_weekly pw ON pw.child_id = ch.id AND pw.weekday = ?3 "
	       "WHERE ch.site_id = ?1 AND ch.active = 1 ORDER BY ch.grade, ch.child_no");
	e = ERR_DB;
	if (!st)
		goto out;
	store_bind_int(st, 1, site.id);
	store_bind_text(st, 2, day);
	store_bind_int(st, 3, wd);
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		char key[24];
		snprintf(key, sizeof key, "%lld", (long long)store_col_int(st, 0));
		json_t *plist = json_object_get(pickups, key);
		json_t *empty = json_array();
		if (!plist)
			plist = empty;
		json_t *name = sealed_string(rq->app, st, 2, "children.name");
		json_t *kana = sealed_string(rq->app, st, 3, "children.kana");
		if (!name || !kana) {
			json_decref(name);
			json_decref(kana);
			json_decref(empty);
			e = ERR_CRYPTO;
			goto out;
		}
		int64_t first_in = store_col_is_null(st, 5) ? 0 : store_col_int(st, 5);
		const char *last = store_col_text(st, 6);
		int64_t last_at = store_col_is_null(st, 7) ? 0 : store_col_int(st, 7);
		int manual = (int)store_col_int(st, 8);
		int64_t collected = store_col_is_null(st, 9) ? 0 : store_col_int(st, 9);
		/* Today's plan: the day's exception, else the weekly pattern. */
		const char *plan = store_col_text(st, 10);
		int col = 11;
		if (!plan) {
			plan = store_col_int(st, 15) ? "attend" : "off";
			col = 16;
		}
		const char *alert = store_col_text(st, 19);
		int status;
		if (last && strcmp(last, "in") == 0)
			status = ST_PRESENT;
		else if (last)
			status = ST_LEFT;
		else if (strcmp(plan, "absent") == 0)
			status = ST_ABSENT;
		else if (strcmp(plan, "attend") != 0)
			status = ST_OFF;
		else if (alert && strncmp(alert, "not_arrived:", 12) == 0)
			status = ST_NOT_ARRIVED;
		else
			status = ST_EXPECTED;
		counts[status]++;
		json_t *plan_j = json_null();
		if (strcmp(plan, "attend") == 0) {
			const char *leave = store_col_text(st, col), *way = store_col_text(st, col + 1);
			int64_t pid = store_col_is_null(st, col + 2) ? 0 : store_col_int(st, col + 2);
			plan_j = json_pack("{s:o,s:o,s:o}", "leave",
					   leave ? json_string(leave) : json_null(), "way_home",
					   way ? json_string(way) : json_null(), "pickup",
					   pid ? pickup_ref(plist, pid) : json_null());
		}
		json_t *row = json_pack(
		    "{s:s,s:o,s:o,s:i,s:s,s:o,s:o,s:o,s:o,s:o}", "child_no", store_col_text(st, 1),
		    "name", name, "kana", kana, "grade", (int)store_col_int(st, 4), "status",
		    status_names[status], "in_at", time_or_null(first_in), "out_at",
		    time_or_null(status == ST_LEFT ? last_at : 0), "plan", plan_j, "pickups",
		    active_pickups(plist), "collected_by",
		    collected && status == ST_LEFT ? pickup_ref(plist, collected) : json_null());
		json_decref(empty);
		if (!row) {
			/* A board that silently lacks a child is worse than no board. */
			e = ERR_IO;
			goto out;
		}
		if (manual)
			json_object_set_new(row, "manual", json_true());
		if (status == ST_ABSENT && !store_col_is_null(st, 14)) {
			json_t *reason = sealed_string(rq->app, st, 14, "plan_days.reason");
			if (!reason) {
				json_decref(row);
				e = ERR_CRYPTO;
				goto out;
			}
			json_object_set_new(row, "absence_reason", reason);
		}
		const char *colon = alert ? strchr(alert, ':') : NULL;
		json_t *alert_j = json_null();
		if (colon) {
			char kind[24];
			snprintf(kind, sizeof kind, "%.*s", (int)(colon - alert), alert);
			alert_j = json_string(kind);
			json_array_append_new(alerts, json_pack("{s:s,s:s,s:o}", "kind", kind,
								"child_no", store_col_text(st, 1),
								"raised_at",
								time_or_null(atoll(colon + 1))));
		}
		json_object_set_new(row, "alert", alert_j);
		json_array_append_new(children, row);
	}
	if (rc != STORE_DONE)
		goto out;
	store_finish(st);
	st = NULL;
	char object[64], detail[48];
	snprintf(object, sizeof object, "site:%s", site.code);
	snprintf(detail, sizeof detail, "children=%zu", json_array_size(children));
	e = audit_append(c, rq->app->vault, rq->actor, "board.read", object, detail);
out:
	store_finish(st);
	store_release(c);
	json_decref(pickups);
	if (e != ERR_OK) {
		json_decref(children);
		json_decref(alerts);
		return e;
	}
	json_t *cnt = json_object();
	for (int i = 0; i < ST_COUNT; i++)
		json_object_set_new(cnt, status_names[i], json_integer(counts[i]));
	return http_json(
	    rs, 200,
	    json_pack("{s:{s:s,s:s,s:s,s:s,s:s,s:s,s:i},s:s,s:s,s:o,s:o,s:o}", "site", "code",
		      site.code, "name", site.name, "phone", site.phone, "opens", site.opens,
		      "closes", site.closes, "arrival", site.arrival, "grace_min", site.grace_min,
		      "day", day, "now", now_hhmm, "counts", cnt, "alerts", alerts, "children",
		      children));
}
