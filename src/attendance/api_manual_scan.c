/* SPDX-License-Identifier: MIT */
/* api_manual_scan.c — POST /api/v1/sites/{code}/manual-scans: staff record a child's entry or
 * exit by hand (a forgotten card), with a required reason. */
#include "attendance/attendance_api.h"

#include <stdio.h>
#include <string.h>

#include "app.h"
#include "attendance/attendance.h"
#include "auth/audit.h"
#include "base/clock.h"
#include "store/store.h"
#include "vault/vault.h"

enum err api_manual_scan_create(struct http_req *rq, struct http_resp *rs)
{
	json_t *body = NULL;
	struct site site;
	struct scan_result res = {0};
	const char *child_no = NULL, *direction = NULL, *reason = NULL, *why = NULL;
	/* The site and the caller's right to it come first: nothing about the body is said to a
	 * caller who may not act there. */
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = api_site_for_caller(rq, rs, c, &site, "manual scan at another site",
					 "この施設の入退室を記録する権限がありません。");
	store_release(c);
	if (e != ERR_OK)
		return e;
	e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	if (json_unpack(body, "{s:s,s:s,s:s}", "child_no", &child_no, "direction", &direction,
			"reason", &reason) != 0) {
		const char *msg = "児童番号（child_no）、入室か退室か（direction）、理由（reason）を"
				  "指定してください。";
		json_t *r = json_object_get(body, "reason");
		if (!r || (json_is_string(r) && !json_string_value(r)[0]))
			msg = "理由を入力してください。";
		e = http_error(rs, ERR_INVALID, msg);
		goto out;
	}
	e = scan_record_manual(rq->app, rq->user.id, site.id, child_no, direction, reason, &res,
			       &why);
	if (e == ERR_CONFLICT && why) {
		/* The direction does not fit the child's state: the page reloads the board. */
		const char *code = strcmp(direction, "in") == 0 ? "already_present" : "not_present";
		e = http_error_as(rs, e, code, why);
		goto out;
	}
	if (e != ERR_OK) {
		e = http_error(rs, e, why ? why : "記録できませんでした。もう一度お試しください。");
		goto out;
	}
	char iso[32], hhmm[8];
	clock_jst_iso(res.at_ms, iso, sizeof iso);
	clock_jst_hhmm(res.at_ms, hhmm, sizeof hhmm);
	e = http_json(rs, 200,
		      json_pack("{s:b,s:s,s:s,s:s,s:s,s:b}", "recorded", 1, "child_name",
				res.child_name, "direction", res.direction, "at", iso, "time", hhmm,
				"manual", 1));
out:
	vault_wipe_free(res.child_name);
	json_decref(body);
	return e;
}
