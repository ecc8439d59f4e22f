/* SPDX-License-Identifier: MIT */
/* api_report.c — downloads of the reports (the daily list of a site, the ward's monthly
 * usage). Every download is recorded in the handover ledger and audited before it is sent. */
#include "attendance/attendance_api.h"
#include "attendance/admin_api.h"

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
		return http_error(rs, e,
				  "出力を受け渡し台帳に記録できなかったため、出力しませんでした。"
				  "もう一度お試しください。");
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
					 "この施設の帳票を出力する権限がありません。");
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
