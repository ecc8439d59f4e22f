/* SPDX-License-Identifier: MIT */
/* api_board.c — GET /api/v1/sites/{code}/board: today's board of a site (board_render.c says
 * what it holds), sent from the rendering kept in memory (board_view.c) without a copy, with
 * the minute put between its two parts. The ETag is the site's change counter, the day, the
 * minute and this process: a poll that sends it back (If-None-Match) gets 304 while nothing
 * changed. Reading names is a read of personal data and is audited: once per caller and site
 * per minute, since the page polls every 3 s (an audit row's flush on every poll set the
 * board's p99) — a 304 as well, before the answer, as every read. */
#include "attendance/attendance_api.h"

#include <stdio.h>
#include <string.h>

#include "app.h"
#include "attendance/attendance.h"
#include "attendance/board.h"
#include "auth/audit.h"
#include "base/clock.h"
#include "store/store.h"

/* 1 when If-None-Match value inm names etag (a list, or *). */
static int etag_matches(const char *inm, const char *etag)
{
	size_t n = strlen(etag);
	while (*inm) {
		while (*inm == ' ' || *inm == '\t' || *inm == ',')
			inm++;
		if (strncmp(inm, "W/", 2) == 0)
			inm += 2;
		if (*inm == '*')
			return 1;
		if (strncmp(inm, etag, n) == 0 && (inm[n] == '\0' || inm[n] == ',' ||
						   inm[n] == ' ' || inm[n] == '\t'))
			return 1;
		inm += strcspn(inm, ",");
	}
	return 0;
}

static void doc_done(void *arg)
{
	board_doc_release(arg);
}

enum err api_board_get(struct http_req *rq, struct http_resp *rs)
{
	struct site site;
	struct board_doc *doc = NULL;
	char day[16], etag[96];
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = api_site_for_caller(rq, rs, c, &site, "board of another site",
					 "この施設の出欠を見る権限がありません。");
	if (e != ERR_OK)
		goto out;
	int64_t now = clock_now_ms();
	clock_jst_date(now, day, sizeof day);
	const char *hhmm = board_minute_text(now);
	e = board_view_get(rq->app, c, site.id, site.code, day, &doc);
	if (e != ERR_OK)
		goto out;
	char object[64], detail[48];
	snprintf(object, sizeof object, "site:%s", site.code);
	snprintf(detail, sizeof detail, "children=%zu", doc->nchildren);
	e = audit_read_append(c, rq->app->vault, rq->actor, "board.read", object, detail, now,
			      NULL);
	if (e != ERR_OK)
		goto out;
	board_doc_etag(doc, hhmm, etag, sizeof etag);
	e = http_set_header(rs, "ETag", etag);
	if (e != ERR_OK)
		goto out;
	rs->content_type = "application/json; charset=utf-8";
	const char *inm = http_header(rq, "If-None-Match");
	if (inm && etag_matches(inm, etag)) {
		rs->status = 304;
		goto out;
	}
	rs->status = 200;
	struct http_part parts[3] = {
	    {doc->mem, doc->head_len},
	    {hhmm, 5},
	    {doc->mem + doc->head_len, doc->tail_len},
	};
	http_resp_parts(rs, parts, 3, doc_done, doc);
	doc = NULL; /* the answer's now */
out:
	board_doc_release(doc);
	store_release(c);
	return e;
}
