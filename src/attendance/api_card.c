/* SPDX-License-Identifier: MIT */
/* api_card.c — the cards of a site for the ward administrator: children and their card state,
 * a card for chosen children (nobody else's card changes), a reissue, and the printable sheet
 * (a download recorded in the handover ledger). */
#include "attendance/admin_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "attendance/attendance.h"
#include "attendance/attendance_api.h"
#include "attendance/card_admin.h"
#include "attendance/report.h"
#include "auth/audit.h"
#include "base/clock.h"
#include "base/xalloc.h"
#include "store/store.h"

/* Loads the route's site into *site (404 when there is none). */
static enum err route_site(struct http_req *rq, struct http_resp *rs, struct site *site)
{
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = api_site_for_caller(rq, rs, c, site, "cards of another site",
					 "この施設のカードは扱えません。");
	store_release(c);
	return e;
}

/* Answers an error of card_admin.c with its reason. */
static enum err card_fail(struct http_resp *rs, enum err e, const char *why)
{
	if (why && (e == ERR_INVALID || e == ERR_NOTFOUND || e == ERR_CONFLICT))
		return http_error(rs, e, why);
	return e;
}

enum err api_card_list(struct http_req *rq, struct http_resp *rs)
{
	struct site site;
	struct card_child *v = NULL;
	size_t n = 0;
	enum err e = route_site(rq, rs, &site);
	if (e != ERR_OK)
		return e;
	e = card_list(rq->app, site.id, &v, &n);
	if (e != ERR_OK)
		return e;
	json_t *arr = json_array();
	size_t with_card = 0;
	for (size_t i = 0; i < n; i++) {
		json_t *card = json_null();
		if (v[i].issued_ms) {
			char at[32];
			clock_jst_iso(v[i].issued_ms, at, sizeof at);
			card = json_pack("{s:s}", "issued_at", at);
			with_card++;
		}
		json_array_append_new(
		    arr, json_pack("{s:s,s:s,s:s,s:i,s:o,s:I}", "child_no", v[i].child_no, "name",
				   v[i].name, "kana", v[i].kana, "grade", v[i].grade, "card", card,
				   "revoked_cards", (json_int_t)v[i].revoked));
	}
	card_list_free(v, n);
	/* Names were read: audited once per caller and site a minute (the page reloads it). */
	char object[64], detail[48];
	snprintf(object, sizeof object, "site:%s", site.code);
	snprintf(detail, sizeof detail, "children=%zu", n);
	struct store_conn *c = store_acquire(rq->app->store);
	e = audit_read_append(c, rq->app->vault, rq->actor, "card.list", object, detail,
			      clock_now_ms(), NULL);
	store_release(c);
	if (e != ERR_OK) {
		json_decref(arr);
		return e;
	}
	return http_json(rs, 200,
			 json_pack("{s:{s:s,s:s},s:o,s:I,s:I}", "site", "code", site.code, "name",
				   site.name, "children", arr, "with_card", (json_int_t)with_card,
				   "without_card", (json_int_t)(n - with_card)));
}

/* Reads the "children" array of body into codes (pointers into body, at most
 * CARD_CHILDREN_MAX). */
static enum err body_children(struct http_resp *rs, json_t *body, const char **codes,
			      size_t *n)
{
	json_t *a = json_object_get(body, "children"), *v;
	size_t i;
	*n = 0;
	if (!json_is_array(a) || json_array_size(a) == 0 || json_array_size(a) > CARD_CHILDREN_MAX)
		return http_error_as(rs, ERR_INVALID, "bad_children",
				     "カードを発行する児童の児童番号を1〜500人分指定してください。");
	json_array_foreach(a, i, v)
	{
		if (!json_is_string(v) || json_string_length(v) == 0 ||
		    json_string_length(v) > 31)
			return http_error_as(rs, ERR_INVALID, "bad_children",
					     "児童番号の指定が正しくありません。");
		codes[(*n)++] = json_string_value(v);
	}
	return ERR_OK;
}

static enum err issued(struct http_resp *rs, size_t n, const char *mode)
{
	return http_json(rs, 201, json_pack("{s:I,s:s}", "issued", (json_int_t)n, "mode", mode));
}

enum err api_card_issue(struct http_req *rq, struct http_resp *rs)
{
	struct site site;
	json_t *body = NULL;
	const char **codes = NULL, *why = NULL;
	size_t n = 0, count = 0;
	enum err e = route_site(rq, rs, &site);
	if (e != ERR_OK)
		return e;
	e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	json_t *missing = json_object_get(body, "missing");
	if (missing && !json_is_boolean(missing)) {
		e = http_error_as(rs, ERR_INVALID, "bad_children",
				  "missing は true か false で指定してください。");
		goto out;
	}
	codes = xcalloc(CARD_CHILDREN_MAX, sizeof *codes);
	int all = json_is_true(missing);
	if (!all) {
		e = body_children(rs, body, codes, &n);
		if (e != ERR_OK)
			goto out;
	}
	e = card_issue_for(rq->app, rq->actor, &site, codes, n, all ? CARD_MISSING : CARD_NEW,
			   &count, &why);
	if (e != ERR_OK) {
		e = card_fail(rs, e, why);
		goto out;
	}
	e = issued(rs, count, all ? "missing" : "new");
out:
	free(codes);
	json_decref(body);
	return e;
}

enum err api_card_reissue(struct http_req *rq, struct http_resp *rs)
{
	struct site site;
	const char *why = NULL, *child_no = rq->params[1];
	size_t count = 0;
	enum err e = route_site(rq, rs, &site);
	if (e != ERR_OK)
		return e;
	if (strlen(child_no) > 31)
		return http_error(rs, ERR_NOTFOUND, "この施設に在籍していない児童番号です。");
	e = card_issue_for(rq->app, rq->actor, &site, &child_no, 1, CARD_REISSUE, &count, &why);
	if (e != ERR_OK)
		return card_fail(rs, e, why);
	return issued(rs, count, "reissue");
}

enum err api_card_sheet(struct http_req *rq, struct http_resp *rs)
{
	struct site site;
	struct report_out out;
	const char *why = NULL;
	const char *list = http_query(rq, "children");
	const char **codes = NULL;
	char *copy = NULL;
	size_t n = 0, count = 0;
	memset(&out, 0, sizeof out);
	enum err e = route_site(rq, rs, &site);
	if (e != ERR_OK)
		return e;
	if (list && *list) {
		/* "C1,C2,…": split a copy in place. */
		codes = xcalloc(CARD_CHILDREN_MAX, sizeof *codes);
		copy = xstrdup(list);
		for (char *p = copy; p && *p;) {
			char *comma = strchr(p, ',');
			if (comma)
				*comma = '\0';
			if (*p) {
				if (n == CARD_CHILDREN_MAX || strlen(p) > 31) {
					e = http_error_as(rs, ERR_INVALID, "bad_children",
							  "児童番号の指定が正しくありません（500人まで）。");
					goto out;
				}
				codes[n++] = p;
			}
			p = comma ? comma + 1 : NULL;
		}
	}
	buf_init(&out.data, REPORT_MAX_BYTES);
	buf_init(&out.lossy_list, 64);
	e = card_sheet_pdf(rq->app, rq->actor, &site, codes, n, &out.data, &count, &why);
	if (e != ERR_OK) {
		e = card_fail(rs, e, why);
		goto out;
	}
	out.content_type = "application/pdf";
	out.records = count;
	snprintf(out.filename, sizeof out.filename, "cards-%s.pdf", site.code);
	snprintf(out.content, sizeof out.content, "cards %s pdf%s", site.code,
		 n ? " (chosen children)" : "");
	snprintf(out.object, sizeof out.object, "site:%s", site.code);
	e = api_report_send(rq, rs, &out);
out:
	report_out_free(&out);
	free(copy);
	free(codes);
	return e;
}
