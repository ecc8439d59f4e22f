/* SPDX-License-Identifier: MIT */
/* api_visits.c — a registration card scanned at the desk (the reader types the card number and
 * Enter) records the day's visit; the counts per plaza, day and age band, as JSON or CSV (a
 * plaza's staff get their plaza's, the ward's roles every plaza's) with the users registered
 * per plaza. */
#include "plaza/api.h"

#include <stdio.h>
#include <string.h>

#include "app.h"
#include "base/clock.h"
#include "base/wareki.h"
#include "store/store.h"
#include "vault/vault.h"

enum err api_plaza_visit(struct http_req *rq, struct http_resp *rs)
{
	int64_t plaza_id, user_id = 0, now = clock_now_ms();
	json_t *body = NULL;
	char today[11];
	const char *band = NULL;
	int again = 0;
	enum err e = plaza_scope(rq, rs, &plaza_id);
	if (e == ERR_OK)
		e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	const char *code = json_string_value(json_object_get(body, "code"));
	if (!code || !*code || strlen(code) > 64) {
		json_decref(body);
		return http_error_as(rs, ERR_INVALID, "bad_card",
				     "登録カードを読み取るか、カード番号（7桁）を入れてください。");
	}
	clock_jst_date(now, today, sizeof today);
	const struct vault *v = plaza_vault(rq->app);
	struct store_conn *c = store_acquire(rq->app->store);
	e = store_begin(c);
	if (e == ERR_OK)
		e = plaza_visit_record(c, v, plaza_id, code, today, now, &user_id, &band, &again);
	struct plaza_user u;
	e = plaza_commit_load(c, v, e, user_id, &u);
	store_release(c);
	json_decref(body);
	if (e == ERR_NOTFOUND)
		return http_error_as(rs, e, "no_card",
				     "このカードはこのプラザの登録カードではありません。");
	if (e != ERR_OK)
		return e;
	json_t *o = json_pack("{s:o, s:s, s:b, s:s}", "user", plaza_user_json(&u, today), "band",
			      band, "again", again, "day", today);
	plaza_user_clear(&u);
	return http_json(rs, again ? 200 : 201, o);
}

enum err api_plaza_counts(struct http_req *rq, struct http_resp *rs)
{
	int64_t plaza_id;
	char today[11], from_d[11];
	int y, m, d;
	enum err e = plaza_scope(rq, rs, &plaza_id);
	if (e != ERR_OK)
		return e;
	clock_jst_date(clock_now_ms(), today, sizeof today);
	snprintf(from_d, sizeof from_d, "%.8s01", today);
	const char *from = http_query(rq, "from"), *to = http_query(rq, "to");
	const char *format = http_query(rq, "format");
	if (!from || !*from)
		from = from_d;
	if (!to || !*to)
		to = today;
	if (wareki_parse_iso(from, &y, &m, &d) != ERR_OK ||
	    wareki_parse_iso(to, &y, &m, &d) != ERR_OK || strcmp(from, to) > 0)
		return http_error_as(
		    rs, ERR_INVALID, "bad_period",
		    "期間を年-月-日で、始めが終わり以前になるよう入れてください。");
	int csv = format && strcmp(format, "csv") == 0;
	struct buf out;
	buf_init(&out, 32u << 20);
	struct store_conn *c = store_acquire(rq->app->store);
	e = plaza_counts(c, plaza_id, from, to, csv, &out);
	store_release(c);
	if (e != ERR_OK) {
		buf_free(&out);
		return e;
	}
	if (csv) {
		char disp[96];
		snprintf(disp, sizeof disp, "attachment; filename=\"plaza-counts-%s-%s.csv\"", from,
			 to);
		http_set_header(rs, "Content-Disposition", disp);
		rs->status = 200;
		rs->content_type = "text/csv; charset=utf-8";
		buf_free(&rs->body);
		rs->body = out;
		return ERR_OK;
	}
	json_t *rows = json_loadb(out.data ? out.data : "[]", out.data ? out.len : 2, 0, NULL);
	buf_free(&out);
	if (!rows)
		return ERR_DB;
	/* The users registered now, per plaza (the caller's plaza only for a desk). */
	json_t *users = json_object();
	c = store_acquire(rq->app->store);
	struct store_stmt *st = store_prepare(
	    c,
	    "SELECT plaza_id, count(*) FROM plaza_users WHERE (?1 = 0 OR plaza_id = ?1) GROUP BY "
	    "plaza_id ORDER BY plaza_id");
	if (st) {
		store_bind_int(st, 1, plaza_id);
		while (store_step(st) == STORE_ROW)
			json_object_set_new(users, plaza_name(store_col_int(st, 0)),
					    json_integer(store_col_int(st, 1)));
	}
	store_finish(st);
	store_release(c);
	return http_json(rs, 200,
			 json_pack("{s:s, s:s, s:o, s:o, s:o}", "from", from, "to", to, "plaza",
				   plaza_id ? json_string(plaza_name(plaza_id)) : json_null(),
				   "rows", rows, "registered", users));
}
