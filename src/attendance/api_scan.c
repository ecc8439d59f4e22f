/* SPDX-License-Identifier: MIT */
/* api_scan.c — the kiosk's resources: POST /api/v1/scans and GET /api/v1/kiosk. */
#include "attendance/attendance_api.h"

#include <string.h>

#include "app.h"
#include "attendance/attendance.h"
#include "base/clock.h"
#include "store/store.h"
#include "vault/vault.h"

#define CODE_MAX 128

enum err api_scan_create(struct http_req *rq, struct http_resp *rs)
{
	json_t *body = NULL;
	const char *code = NULL, *why = NULL;
	struct scan_result res = {0};
	struct site site;
	enum err e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	if (json_unpack(body, "{s:s}", "code", &code) != 0 || !code[0] ||
	    strlen(code) > CODE_MAX) {
		e = http_error(rs, ERR_INVALID, "カードの読み取りに失敗しました（code がありません）");
		goto out;
	}
	e = scan_record(rq->app, rq->kiosk_id, rq->kiosk_site_id, code, clock_now_ms(), &res,
			&why);
	if (e != ERR_OK) {
		e = http_error(rs, e, why ? why : "記録できませんでした。もう一度かざしてください。");
		goto out;
	}
	struct store_conn *c = store_acquire(rq->app->store);
	e = site_get(c, rq->kiosk_site_id, &site);
	store_release(c);
	if (e != ERR_OK)
		goto out;
	char iso[32], hhmm[8];
	clock_jst_iso(res.at_ms, iso, sizeof iso);
	clock_jst_hhmm(res.at_ms, hhmm, sizeof hhmm);
	json_t *j = json_pack("{s:b,s:s,s:s,s:s,s:s,s:s}", "recorded", res.recorded, "child_name",
			      res.child_name, "direction", res.direction, "at", iso, "time", hhmm,
			      "site", site.name);
	if (!res.recorded) {
		json_object_set_new(j, "reason", json_string("duplicate"));
		json_object_set_new(
		    j, "message",
		    json_string("同じカードが続けて読み取られました（前の読み取りで記録済みです）"));
	}
	e = http_json(rs, 200, j);
out:
	vault_wipe_free(res.child_name);
	json_decref(body);
	return e;
}

enum err api_kiosk_get(struct http_req *rq, struct http_resp *rs)
{
	struct site site;
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = site_get(c, rq->kiosk_site_id, &site);
	store_release(c);
	if (e != ERR_OK)
		return e;
	return http_json(rs, 200,
			 json_pack("{s:{s:s,s:s}}", "site", "code", site.code, "name", site.name));
}
