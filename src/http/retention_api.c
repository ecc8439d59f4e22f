/* SPDX-License-Identifier: MIT */
/* retention_api.c — what the ward administrator sees of retention (the periods in effect, the
 * last run) and of the audit log's monthly analysis, as JSON for web/ward/retention.html. */
#include "http/retention_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "app/audit_conf.h"
#include "app/retention.h"
#include "auth/audit.h"
#include "auth/audit_report.h"
#include "base/buf.h"
#include "base/clock.h"
#include "store/store.h"

enum err api_retention_get(struct http_req *rq, struct http_resp *rs)
{
	struct retention_result r;
	struct audit_checkpoint cp;
	struct buf b;
	json_error_t jerr;
	json_t *last = NULL, *periods = json_array(), *counts = NULL;
	enum err e;
	retention_periods(rq->app, &r);
	buf_init(&b, 1 << 16);
	e = retention_last_json(rq->app, &b);
	if (e == ERR_OK) {
		last = json_loadb(b.data ? b.data : "null", b.len, JSON_DECODE_ANY, &jerr);
		if (!last)
			e = ERR_DB;
	}
	buf_free(&b);
	if (e == ERR_OK)
		e = audit_checkpoint_last(rq->app->store, rq->app->vault, &cp);
	if (e != ERR_OK) {
		json_decref(last);
		json_decref(periods);
		return e;
	}
	counts = json_object_get(last, "counts");
	for (size_t i = 0; i < r.n; i++) {
		json_t *n = json_object_get(counts, r.k[i].key);
		json_array_append_new(periods, json_pack("{s:s,s:s,s:i,s:O?}", "key", r.k[i].key,
							 "label", r.k[i].label_ja, "days",
							 r.k[i].days, "last_count", n));
	}
	json_t *checkpoint = cp.id ? json_pack("{s:I,s:I,s:I,s:I}", "id", (json_int_t)cp.id,
					       "last_id", (json_int_t)cp.last_id, "at_ms",
					       (json_int_t)cp.at_ms, "before_ms",
					       (json_int_t)cp.before_ms)
				   : json_null();
	return http_json(rs, 200,
			 json_pack("{s:o,s:i,s:o,s:o}", "periods", periods, "audit_months",
				   r.audit_months, "last", last, "checkpoint", checkpoint));
}

enum err api_audit_report(struct http_req *rq, struct http_resp *rs)
{
	const char *month = http_query(rq, "month");
	struct audit_report_conf conf;
	struct audit_report_row *rows = NULL;
	size_t n = 0;
	char hours[48];
	if (!month)
		return http_error_as(rs, ERR_INVALID, "bad_month",
				     "月を 2027-04 のような年と月で指定してください。");
	audit_conf_read(rq->app, &conf);
	enum err e = audit_report(rq->app->store, month, &conf, &rows, &n);
	if (e == ERR_INVALID)
		return http_error_as(rs, ERR_INVALID, "bad_month",
				     "月を 2027-04 のような年と月で指定してください。");
	if (e == ERR_OK) {
		/* Reading the report is reading the audit log: audited. */
		struct store_conn *c = store_acquire(rq->app->store);
		e = audit_append(c, rq->app->vault, rq->actor, "audit.report", "audit", month);
		store_release(c);
	}
	if (e != ERR_OK) {
		free(rows);
		return e;
	}
	json_t *users = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(
		    users, json_pack("{s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:b,s:b}", "login", rows[i].login,
				     "reads", (json_int_t)rows[i].reads, "exports",
				     (json_int_t)rows[i].exports, "denials",
				     (json_int_t)rows[i].denials, "changes",
				     (json_int_t)rows[i].changes, "off_hours",
				     (json_int_t)rows[i].off_hours, "median",
				     (json_int_t)rows[i].median, "flag_off_hours",
				     rows[i].flag_off_hours, "flag_volume", rows[i].flag_volume));
	free(rows);
	snprintf(hours, sizeof hours, "%02d:%02d-%02d:%02d", conf.day_start_min / 60,
		 conf.day_start_min % 60, conf.day_end_min / 60, conf.day_end_min % 60);
	return http_json(rs, 200,
			 json_pack("{s:s,s:s,s:b,s:i,s:i,s:i,s:o}", "month", month, "hours", hours,
				   "weekends_off", conf.weekends_off, "volume_factor",
				   conf.volume_factor, "volume_min", conf.volume_min,
				   "history_months", conf.history_months, "users", users));
}
