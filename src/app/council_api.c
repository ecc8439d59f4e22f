/* SPDX-License-Identifier: MIT */
/* council_api.c — the ward administrator's screen for the privacy council (web/ward/
 * council.html): the item lists as Markdown, PDF or XLSX downloads, and the designated handlers
 * of each unit. Audited: who produced which list. */
#include "app/council_api.h"

#include <stdio.h>
#include <string.h>

#include "app.h"
#include "app/council.h"
#include "auth/audit.h"
#include "store/store.h"

#define COUNCIL_MAX_BYTES (64u * 1024 * 1024)

enum err api_council_items(struct http_req *rq, struct http_resp *rs)
{
	enum council_format f;
	const char *service = http_query(rq, "service");
	if (service && !*service)
		service = NULL;
	if (!council_format_parse(http_query(rq, "format"), &f))
		return http_error_as(rs, ERR_INVALID, "bad_format",
				     "形式（format）は md、pdf、xlsx のどれかを指定してください。");
	struct buf b;
	buf_init(&b, COUNCIL_MAX_BYTES);
	enum err e = council_items(rq->app, service, f, &b);
	if (e == ERR_NOTFOUND) {
		buf_free(&b);
		return http_error_as(rs, ERR_NOTFOUND, "unknown_service",
				     "そのサービスはありません。");
	}
	if (e != ERR_OK) {
		buf_free(&b);
		return http_error(rs, e,
				  "記録項目の一覧を作れませんでした。もう一度お試しください。");
	}
	char object[96], disp[160];
	snprintf(object, sizeof object, "council:%s:%s", service ? service : "all",
		 council_format_ext(f));
	struct store_conn *c = store_acquire(rq->app->store);
	e = audit_append(c, rq->app->vault, rq->actor, "council.items", object, "");
	store_release(c);
	if (e != ERR_OK) {
		buf_free(&b);
		return http_error(rs, e, "監査ログに記録できなかったため、出力しませんでした。");
	}
	snprintf(disp, sizeof disp, "attachment; filename=\"council-items-%s.%s\"",
		 service ? service : "all", council_format_ext(f));
	http_set_header(rs, "Content-Disposition", disp);
	rs->status = 200;
	rs->content_type = council_format_type(f);
	buf_free(&rs->body);
	rs->body = b; /* the response owns the bytes now */
	return ERR_OK;
}

enum err api_council_staff(struct http_req *rq, struct http_resp *rs)
{
	const char *service = http_query(rq, "service");
	if (service && !*service)
		service = NULL;
	struct council_unit units[COUNCIL_UNITS_MAX];
	size_t nu = council_units(service, units), n = 0;
	struct council_person *p = NULL;
	enum err e = nu ? council_staff(rq->app, service, &p, &n) : ERR_NOTFOUND;
	if (e == ERR_NOTFOUND)
		return http_error_as(rs, ERR_NOTFOUND, "unknown_service",
				     "そのサービスはありません。");
	if (e != ERR_OK)
		return http_error(rs, e,
				  "取扱者の一覧を作れませんでした。もう一度お試しください。");
	json_t *arr = json_array();
	for (size_t u = 0; u < nu; u++) {
		json_t *people = json_array();
		for (size_t i = 0; i < n; i++)
			if (strcmp(p[i].unit, units[u].name) == 0)
				json_array_append_new(
				    people, json_pack("{s:s,s:s,s:s,s:s}", "login", p[i].login,
						      "role", role_name(p[i].role), "role_ja",
						      council_role_ja(p[i].role), "kind",
						      p[i].responsible ? "取扱責任者" : "取扱者"));
		json_array_append_new(arr, json_pack("{s:s,s:s,s:o}", "name", units[u].name,
						     "label", units[u].label, "staff", people));
	}
	council_people_free(p, n);
	return http_json(rs, 200, json_pack("{s:o}", "units", arr));
}
