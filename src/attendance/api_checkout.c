/* SPDX-License-Identifier: MIT */
/* api_checkout.c — POST /api/v1/sites/{code}/checkouts: staff record who collected a child
 * (お迎え), checking a present child out or naming the collector of one who already left. */
#include "attendance/attendance_api.h"

#include <stdio.h>
#include <string.h>

#include "app.h"
#include "attendance/attendance.h"
#include "base/clock.h"
#include "store/store.h"
#include "vault/vault.h"

enum err api_checkout_create(struct http_req *rq, struct http_resp *rs)
{
	json_t *body = NULL;
	struct site site;
	struct scan_result res = {0};
	struct checkout_who who;
	const char *child_no = NULL, *why = NULL;
	json_int_t pickup_id = 0;
	/* The caller's right to the site first: nothing about the body is said otherwise. */
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = api_site_for_caller(rq, rs, c, &site, "checkout at another site",
					 "この施設の退室を記録する権限がありません。");
	store_release(c);
	if (e != ERR_OK)
		return e;
	e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	if (json_unpack(body, "{s:s,s:I}", "child_no", &child_no, "pickup_id", &pickup_id) != 0) {
		e = http_error(rs, ERR_INVALID,
			       "児童番号（child_no）とお迎えの方（pickup_id）を指定してください。");
		goto out;
	}
	e = scan_record_checkout(rq->app, rq->user.id, site.id, child_no, pickup_id, &res, &who,
				 &why);
	if (e != ERR_OK) {
		e = http_error(rs, e, why ? why : "記録できませんでした。もう一度お試しください。");
		goto out;
	}
	char iso[32], hhmm[8];
	clock_jst_iso(res.at_ms, iso, sizeof iso);
	clock_jst_hhmm(res.at_ms, hhmm, sizeof hhmm);
	e = http_json(rs, 200,
		      json_pack("{s:s,s:s,s:s,s:s,s:s,s:{s:s,s:s}}", "child_no", child_no, "name",
				res.child_name, "direction", "out", "at", iso, "time", hhmm,
				"collected_by", "name", who.name, "relation", who.relation));
out:
	vault_wipe_free(res.child_name);
	vault_wipe(&who, sizeof who);
	json_decref(body);
	return e;
}
