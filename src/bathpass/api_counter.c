/* SPDX-License-Identifier: MIT */
/* api_counter.c — the counter: who is at the desk (their counter), finding a person by ふりがな,
 * name, birth date or 宛名番号 with eligibility and this year's pass, and issuing in one action
 * (the answer is the 整理番号). Branch-office staff issue at their own counter only; every search
 * and issue is audited (ids and the kind of query, never the query). */
#include "bathpass/api.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth/audit.h"
#include "base/clock.h"
#include "base/wareki.h"
#include "store/store.h"

#define SEARCH_MAX 50 /* people in one answer */
#define HEAD_PLACE "honcho"

static int is_office(const struct http_req *rq)
{
	return rq->role != ROLE_BATH_BRANCH;
}

/* The caller's counter into place: a branch account's own; head office the one asked for or
 * the head office's. Returns ERR_OK or an error with the answer set. */
static enum err caller_place(struct http_req *rq, struct http_resp *rs, struct store_conn *c,
			     const char *asked, char place[16], char name[96])
{
	if (!is_office(rq)) {
		if (!bath_staff_place(c, rq->user.id, place))
			return http_error_as(
			    rs, ERR_FORBIDDEN, "no_counter",
			    "この利用者には窓口（交付場所）が決まっていません。本庁に"
			    "設定を頼んでください。");
		bath_place_name(c, place, name, 96);
		return ERR_OK;
	}
	snprintf(place, 16, "%s", asked && *asked ? asked : HEAD_PLACE);
	if (strlen(asked ? asked : "") >= 16 || !bath_place_name(c, place, name, 96))
		return http_error_as(rs, ERR_INVALID, "bad_place", "その交付場所はありません。");
	return ERR_OK;
}

enum err api_bath_counter(struct http_req *rq, struct http_resp *rs)
{
	struct store_conn *c = store_acquire(rq->app->store);
	char place[16] = "", name[96] = "", today[11];
	bath_today(today);
	if (!is_office(rq))
		bath_staff_place(c, rq->user.id, place);
	else
		snprintf(place, sizeof place, "%s", HEAD_PLACE);
	if (place[0])
		bath_place_name(c, place, name, sizeof name);
	json_t *places = json_array();
	struct store_stmt *st =
	    store_prepare(c, "SELECT code, name FROM bath_places ORDER BY sort");
	while (st && store_step(st) == STORE_ROW)
		json_array_append_new(places, json_pack("{s:s,s:s}", "code", store_col_text(st, 0),
							"name", store_col_text(st, 1)));
	store_finish(st);
	store_release(c);
	return http_json(rs, 200,
			 json_pack("{s:s?,s:s?,s:b,s:i,s:s,s:o}", "place", place[0] ? place : NULL,
				   "place_name", name[0] ? name : NULL, "office", is_office(rq),
				   "fiscal_year", bath_fiscal_year(today), "today", today, "places",
				   places));
}

/* What kind of query q is, for the audit log (never the query itself). */
static const char *query_kind(const char *q)
{
	int y, m, d;
	if (strspn(q, "0123456789") == strlen(q))
		return "resident";
	if (wareki_parse_date(q, &y, &m, &d) == ERR_OK)
		return "birth";
	return bath_is_kana(q) ? "kana" : "name";
}

static int by_kana(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	return strcmp(json_string_value(json_object_get(x, "kana")),
		      json_string_value(json_object_get(y, "kana")));
}

enum err api_bath_search(struct http_req *rq, struct http_resp *rs)
{
	const struct vault *v = bathpass_vault(rq->app);
	const char *q = http_query(rq, "q");
	const char *why = NULL;
	int64_t *ids = NULL;
	size_t n = 0;
	char today[11], detail[64];
	bath_today(today);
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = bath_search(c, v, q, SEARCH_MAX + 1, &ids, &n, &why);
	if (e != ERR_OK) {
		store_release(c);
		return why ? http_error_as(rs, e, "bad_query", why) : e;
	}
	int more = n > SEARCH_MAX;
	if (more)
		n = SEARCH_MAX;
	snprintf(detail, sizeof detail, "%s found=%zu", query_kind(q), n);
	e = audit_append(c, rq->app->vault, rq->actor, "bathpass.search", "bath_people", detail);
	json_t **rows = calloc(n ? n : 1, sizeof *rows);
	size_t k = 0;
	for (size_t i = 0; i < n && e == ERR_OK && rows; i++) {
		struct bath_person p;
		e = bath_person_load(c, v, ids[i], &p);
		if (e != ERR_OK)
			break;
		rows[k] = bath_person_json(c, &p, is_office(rq), today);
		bath_person_clear(&p);
		if (!rows[k])
			e = ERR_DB;
		else
			k++;
	}
	store_release(c);
	free(ids);
	json_t *arr = json_array();
	if (rows)
		qsort(rows, k, sizeof *rows, by_kana);
	for (size_t i = 0; i < k; i++)
		json_array_append_new(arr, rows[i]);
	free(rows);
	if (e != ERR_OK) {
		json_decref(arr);
		return e;
	}
	return http_json(rs, 200, json_pack("{s:o,s:b}", "people", arr, "more", more));
}

/* The answer for a pass already issued this year: where, when, how. */
static enum err already(struct http_resp *rs, const struct bath_issue_info *info)
{
	char msg[400], when[48] = "";
	int y, m, d;
	if (wareki_parse_iso(info->date, &y, &m, &d) == ERR_OK)
		wareki_format(y, m, d, when, sizeof when);
	snprintf(msg, sizeof msg,
		 "今年度の入浴証は%sに%sの窓口で交付済みです（整理番号 %s）。"
		 "なくした場合は再交付にしてください。",
		 when, info->place_name, info->number);
	if (strcmp(info->method, "mail") == 0)
		snprintf(msg, sizeof msg,
			 "今年度の入浴証は%sに郵送で交付済みです（整理番号 %s）。"
			 "なくした場合は再交付にしてください。",
			 when, info->number);
	return http_error_as(rs, ERR_CONFLICT, "already_issued", msg);
}

enum err api_bath_issue(struct http_req *rq, struct http_resp *rs)
{
	const struct vault *v = bathpass_vault(rq->app);
	int64_t id = http_param_id(rq->params[0]);
	json_t *body = NULL;
	struct bath_person p = {0};
	struct bath_issue_info info;
	char place[16], name[96], today[11], number[24] = "";
	const char *why_not, *why_code;
	enum err e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	json_t *re = json_object_get(body, "reissue"), *pl = json_object_get(body, "place");
	if ((re && !json_is_boolean(re)) || (pl && !json_is_string(pl) && !json_is_null(pl))) {
		json_decref(body);
		return http_error(rs, ERR_INVALID,
				  "reissue は true か false、place は交付場所の"
				  "コードで指定してください。");
	}
	int reissue = json_is_true(re);
	bath_today(today);
	int fy = bath_fiscal_year(today);
	struct store_conn *c = store_acquire(rq->app->store);
	e = caller_place(rq, rs, c, json_is_string(pl) ? json_string_value(pl) : NULL, place, name);
	json_decref(body);
	if (e != ERR_OK)
		goto out;
	e = store_begin(c);
	if (e != ERR_OK)
		goto out;
	e = id ? bath_person_load(c, v, id, &p) : ERR_NOTFOUND;
	if (e == ERR_NOTFOUND) {
		e = http_error(rs, ERR_NOTFOUND, "その人は台帳にいません。");
		goto out;
	}
	if (e != ERR_OK)
		goto out;
	if (!bath_eligible(&p, today, &why_not, &why_code)) {
		e = http_error_as(rs, ERR_CONFLICT, "not_eligible", why_not);
		goto out;
	}
	e = bath_issue_info_read(c, id, fy, &info);
	if (e != ERR_OK)
		goto out;
	if (!reissue && info.issued) {
		e = already(rs, &info);
		goto out;
	}
	if (reissue && !info.issued) {
		e = http_error_as(
		    rs, ERR_CONFLICT, "not_issued",
		    "今年度はまだ交付していないので、再交付ではなく交付にしてください。");
		goto out;
	}
	int64_t now = clock_now_ms();
	if (!reissue && !info.applied[0])
		e = bath_event_add(c, id, "apply", today, place, "counter", NULL, rq->user.id, now);
	if (e == ERR_OK)
		e = bath_number_next(c, fy, number);
	if (e == ERR_OK)
		e = bath_event_add(c, id, reissue ? "reissue" : "issue", today, place, "counter",
				   number, rq->user.id, now);
	char object[48], detail[64];
	snprintf(object, sizeof object, "bath_person:%" PRId64, id);
	snprintf(detail, sizeof detail, "%s place=%s number=%s", reissue ? "reissue" : "issue",
		 place, number);
	if (e == ERR_OK)
		e = audit_append(c, rq->app->vault, rq->actor, "bathpass.issue", object, detail);
	if (e == ERR_OK)
		e = store_commit(c);
out:
	store_rollback(c);
	store_release(c);
	bath_person_clear(&p);
	if (e != ERR_OK)
		return e;
	return http_json(rs, 200,
			 json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:b}", "id", (json_int_t)id, "number",
				   number, "date", today, "place", place, "place_name", name,
				   "method", "counter", "reissue", reissue));
}
