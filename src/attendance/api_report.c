/* SPDX-License-Identifier: MIT */
/* api_report.c — downloads of the reports (the daily list of a site, the ward's monthly
 * usage) and the handover ledger. Every download is recorded in the ledger and audited before
 * it is sent. */
#include "attendance/attendance_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "attendance/attendance.h"
#include "attendance/report.h"
#include "auth/audit.h"
#include "base/clock.h"
#include "store/store.h"

enum err api_report_send(struct http_req *rq, struct http_resp *rs, struct report_out *out)
{
	char disp[160], count[24];
	int64_t id = 0;
	enum err e = report_record(rq->app, rq->actor, out, &id);
	if (e != ERR_OK)
		return http_error(rs, e, "the export could not be recorded in the ledger");
	snprintf(disp, sizeof disp, "attachment; filename=\"%s\"", out->filename);
	http_set_header(rs, "Content-Disposition", disp);
	snprintf(count, sizeof count, "%lld", (long long)id);
	http_set_header(rs, "X-Mimamori-Ledger-Id", count);
	if (out->lossy) {
		snprintf(count, sizeof count, "%zu", out->lossy);
		http_set_header(rs, "X-Mimamori-Lossy-Rows", count);
		http_set_header(rs, "X-Mimamori-Lossy",
				out->lossy_list.data ? out->lossy_list.data : "");
	}
	rs->status = 200;
	rs->content_type = out->content_type;
	buf_free(&rs->body);
	rs->body = out->data;
	buf_init(&out->data, REPORT_MAX_BYTES); /* the response owns the bytes now */
	return ERR_OK;
}

enum err api_report_daily(struct http_req *rq, struct http_resp *rs)
{
	struct site site;
	struct report_out out;
	const char *why = NULL;
	struct store_conn *c = store_acquire(rq->app->store);
	memset(&out, 0, sizeof out);
	enum err e = api_site_for_caller(rq, rs, c, &site, "daily report of another site",
					 "this site's reports belong to another site");
	if (e != ERR_OK)
		goto out;
	store_release(c);
	c = NULL;
	e = report_daily(rq->app, &site, http_query(rq, "date"), http_query(rq, "format"),
			 http_query(rq, "encoding"), &out, &why);
	if (e == ERR_INVALID && why)
		e = http_error(rs, e, why);
	if (e != ERR_OK)
		goto out;
	e = api_report_send(rq, rs, &out);
out:
	if (c)
		store_release(c);
	report_out_free(&out);
	return e;
}

enum err api_report_monthly(struct http_req *rq, struct http_resp *rs)
{
	struct report_out out;
	const char *why = NULL;
	enum err e =
	    report_monthly(rq->app, http_query(rq, "month"), http_query(rq, "format"), &out, &why);
	if (e == ERR_INVALID && why)
		e = http_error(rs, e, why);
	if (e == ERR_OK)
		e = api_report_send(rq, rs, &out);
	report_out_free(&out);
	return e;
}

enum err api_ledger_list(struct http_req *rq, struct http_resp *rs)
{
	struct ledger_entry *v = NULL;
	size_t n = 0;
	enum err e = ledger_list(rq->app, &v, &n);
	if (e != ERR_OK)
		return e;
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++) {
		char at[32];
		clock_jst_iso(v[i].at_ms, at, sizeof at);
		json_t *row = json_pack(
		    "{s:I,s:s,s:s,s:s,s:s,s:I,s:I,s:I,s:s}", "id", (json_int_t)v[i].id, "at", at,
		    "actor", v[i].actor, "login", v[i].login, "content", v[i].content, "records",
		    (json_int_t)v[i].records, "lossy", (json_int_t)v[i].lossy, "bytes",
		    (json_int_t)v[i].bytes, "blake2b_256", v[i].digest);
		if (!row) {
			/* A ledger that silently lacks an entry is worse than none. */
			json_decref(arr);
			free(v);
			return http_error(rs, ERR_IO, "the ledger could not be encoded");
		}
		json_array_append_new(arr, row);
	}
	free(v);
	return http_json(rs, 200, json_pack("{s:o}", "ledger", arr));
}
