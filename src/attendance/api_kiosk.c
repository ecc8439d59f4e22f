/* SPDX-License-Identifier: MIT */
/* api_kiosk.c — the kiosks (club terminals) for the ward administrator: the list with today's
 * scans, a new kiosk whose token is shown once, and a revocation. Each change is audited as the
 * CLI's (kiosk.add, kiosk.revoke). */
#include "attendance/admin_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "attendance/attendance.h"
#include "attendance/attendance_api.h"
#include "auth/audit.h"
#include "auth/device.h"
#include "base/clock.h"
#include "store/store.h"
#include "vault/vault.h"

#define LABEL_MAX_CHARS 40

#define KIOSK_SQL                                                                                \
	"SELECT k.id, s.code, s.name, k.label, k.created_ms, k.revoked_ms, "                     \
	"(SELECT COUNT(*) FROM scans sc WHERE sc.site_id = k.site_id AND sc.day = ?1 AND "       \
	" sc.kiosk_id = k.id), "                                                                 \
	"(SELECT MAX(at_ms) FROM scans sc WHERE sc.site_id = k.site_id AND sc.day = ?1 AND "     \
	" sc.kiosk_id = k.id) "                                                                  \
	"FROM kiosks k JOIN sites s ON s.id = k.site_id "

static json_t *row_json(struct store_stmt *st)
{
	char created[32], revoked[32], last[8];
	clock_jst_iso(store_col_int(st, 4), created, sizeof created);
	json_t *o = json_pack("{s:I,s:s,s:s,s:s,s:s,s:I}", "id", (json_int_t)store_col_int(st, 0),
			      "site", store_col_text(st, 1), "site_name", store_col_text(st, 2),
			      "label", store_col_text(st, 3), "created_at", created, "scans_today",
			      (json_int_t)store_col_int(st, 6));
	if (!o)
		return NULL;
	if (store_col_is_null(st, 5)) {
		json_object_set_new(o, "revoked_at", json_null());
	} else {
		clock_jst_iso(store_col_int(st, 5), revoked, sizeof revoked);
		json_object_set_new(o, "revoked_at", json_string(revoked));
	}
	if (store_col_is_null(st, 7)) {
		json_object_set_new(o, "last_scan_today", json_null());
	} else {
		clock_jst_hhmm(store_col_int(st, 7), last, sizeof last);
		json_object_set_new(o, "last_scan_today", json_string(last));
	}
	return o;
}

/* Loads kiosk id as JSON into *out on c. */
static enum err kiosk_json(struct store_conn *c, int64_t id, json_t **out)
{
	char day[16];
	clock_jst_date(clock_now_ms(), day, sizeof day);
	struct store_stmt *st = store_prepare(c, KIOSK_SQL "WHERE k.id = ?2");
	if (!st)
		return ERR_DB;
	store_bind_text(st, 1, day);
	store_bind_int(st, 2, id);
	int rc = store_step(st);
	if (rc == STORE_ROW)
		*out = row_json(st);
	store_finish(st);
	if (rc != STORE_ROW)
		return rc == STORE_DONE ? ERR_NOTFOUND : ERR_DB;
	return *out ? ERR_OK : ERR_IO;
}

enum err api_kiosk_list(struct http_req *rq, struct http_resp *rs)
{
	const char *site = http_query(rq, "site");
	char day[16];
	struct store_conn *c = store_acquire(rq->app->store);
	json_t *arr = json_array();
	enum err e = ERR_DB;
	clock_jst_date(clock_now_ms(), day, sizeof day);
	struct store_stmt *st = store_prepare(
	    c, KIOSK_SQL "WHERE ?2 IS NULL OR s.code = ?2 ORDER BY s.code, k.revoked_ms IS NOT NULL, "
			 "k.id");
	if (!st)
		goto out;
	store_bind_text(st, 1, day);
	store_bind_text(st, 2, site && *site ? site : NULL);
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		json_t *o = row_json(st);
		if (!o) {
			e = ERR_IO;
			goto out;
		}
		json_array_append_new(arr, o);
	}
	e = rc == STORE_DONE ? ERR_OK : ERR_DB;
out:
	store_finish(st);
	store_release(c);
	if (e != ERR_OK) {
		json_decref(arr);
		return e;
	}
	return http_json(rs, 200, json_pack("{s:o}", "kiosks", arr));
}

/* NULL when label (a kiosk's name among the site's) is acceptable, else a Japanese reason. */
static const char *label_problem(const char *label)
{
	size_t chars = 0;
	for (const unsigned char *p = (const unsigned char *)label; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return "端末の名前に改行や制御文字は使えません。";
		if ((*p & 0xC0) != 0x80)
			chars++;
	}
	return chars > LABEL_MAX_CHARS ? "端末の名前は40文字までにしてください。" : NULL;
}

enum err api_kiosk_create(struct http_req *rq, struct http_resp *rs)
{
	struct site site;
	json_t *body = NULL, *kiosk = NULL;
	const char *label = "", *why;
	char *token = NULL;
	int64_t id = 0;
	struct store_conn *c = store_acquire(rq->app->store);
	struct store_stmt *st = NULL;
	enum err e = api_site_for_caller(rq, rs, c, &site, "kiosk of another site",
					 "この施設の端末は扱えません。");
	if (e != ERR_OK)
		goto out;
	e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		goto out;
	json_t *l = json_object_get(body, "label");
	if (l && !json_is_string(l)) {
		e = http_error_as(rs, ERR_INVALID, "bad_label", "端末の名前は文字で入力してください。");
		goto out;
	}
	if (l)
		label = json_string_value(l);
	why = label_problem(label);
	if (why) {
		e = http_error_as(rs, ERR_INVALID, "bad_label", why);
		goto out;
	}
	e = device_kiosk_add(rq->app->store, site.id, &token, &id);
	if (e != ERR_OK)
		goto out;
	/* The label and the audit entry (as the CLI's: object kiosk:ID, detail the site) together. */
	e = store_begin(c);
	if (e != ERR_OK)
		goto out;
	st = store_prepare(c, "UPDATE kiosks SET label = ? WHERE id = ?");
	e = ERR_DB;
	if (!st)
		goto out;
	store_bind_text(st, 1, label);
	store_bind_int(st, 2, id);
	e = store_run(st);
	store_finish(st);
	st = NULL;
	char object[48];
	snprintf(object, sizeof object, "kiosk:%lld", (long long)id);
	if (e == ERR_OK)
		e = audit_append(c, rq->app->vault, rq->actor, "kiosk.add", object, site.code);
	if (e == ERR_OK)
		e = store_commit(c);
	if (e == ERR_OK)
		e = kiosk_json(c, id, &kiosk);
	if (e != ERR_OK)
		goto out;
	e = http_json(rs, 201, json_pack("{s:o,s:s}", "kiosk", kiosk, "token", token));
out:
	store_finish(st);
	store_rollback(c);
	store_release(c);
	vault_wipe_free(token);
	json_decref(body);
	return e;
}

enum err api_kiosk_revoke(struct http_req *rq, struct http_resp *rs)
{
	int64_t id = http_param_id(rq->params[0]);
	json_t *kiosk = NULL;
	char object[48], site[16] = "";
	struct store_conn *c = NULL;
	struct store_stmt *st = NULL;
	enum err e;
	if (!id)
		return http_error(rs, ERR_NOTFOUND, "その端末はありません。");
	c = store_acquire(rq->app->store);
	e = store_begin(c);
	if (e != ERR_OK)
		goto out;
	st = store_prepare(c, "SELECT s.code FROM kiosks k JOIN sites s ON s.id = k.site_id "
			      "WHERE k.id = ?");
	e = ERR_DB;
	if (!st)
		goto out;
	store_bind_int(st, 1, id);
	if (store_step(st) == STORE_ROW)
		snprintf(site, sizeof site, "%s", store_col_text(st, 0));
	store_finish(st);
	st = NULL;
	e = device_kiosk_revoke(c, id);
	if (e == ERR_NOTFOUND) {
		e = http_error(rs, e, "その端末はありません。");
		goto out;
	}
	if (e == ERR_CONFLICT) {
		e = http_error_as(rs, e, "already_revoked", "この端末はすでに無効になっています。");
		goto out;
	}
	snprintf(object, sizeof object, "kiosk:%lld", (long long)id);
	if (e == ERR_OK)
		e = audit_append(c, rq->app->vault, rq->actor, "kiosk.revoke", object, site);
	if (e == ERR_OK)
		e = store_commit(c);
	if (e != ERR_OK)
		goto out;
	device_kiosk_cache_clear(); /* after the commit, so no reader re-remembers the token */
	e = kiosk_json(c, id, &kiosk);
	if (e == ERR_OK)
		e = http_json(rs, 200, json_pack("{s:o}", "kiosk", kiosk));
out:
	store_finish(st);
	store_rollback(c);
	store_release(c);
	return e;
}
