/* SPDX-License-Identifier: MIT */
/* api_site.c — GET /api/v1/sites, PATCH /api/v1/sites/{code} (hours and the settings of plans
 * and alerts), and the one check of a caller's right to a site in a path. */
#include "attendance/attendance_api.h"

#include <stdio.h>
#include <string.h>

#include "app.h"
#include "attendance/attendance.h"
#include "auth/audit.h"
#include "store/store.h"

static json_t *site_json(const struct site *s, int ward)
{
	json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:i,s:s,s:s,s:b}", "code", s->code, "name",
			      s->name, "type", s->type, "opens", s->opens, "closes", s->closes,
			      "arrival", s->arrival, "grace_min", s->grace_min, "deadline",
			      s->deadline, "phone", s->phone, "alert_guardians",
			      s->alert_guardians);
	/* The alert mailbox is the ward's business; club staff see the rest. */
	if (o && ward)
		json_object_set_new(o, "alert_email", json_string(s->alert_email));
	return o;
}

enum err api_site_list(struct http_req *rq, struct http_resp *rs)
{
	struct store_conn *c = store_acquire(rq->app->store);
	json_t *arr = json_array();
	int ward = (rq->role & (ROLE_WARD_ADMIN | ROLE_WARD_STAFF)) != 0;
	enum err e = ERR_DB;
	struct store_stmt *st = store_prepare(c, "SELECT id FROM sites ORDER BY code");
	if (!st)
		goto out;
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		struct site s;
		if (!user_can_see_site(&rq->user, store_col_int(st, 0)))
			continue;
		e = site_get(c, store_col_int(st, 0), &s);
		if (e != ERR_OK)
			goto out;
		json_array_append_new(arr, site_json(&s, ward));
	}
	e = rc == STORE_DONE ? ERR_OK : ERR_DB;
out:
	store_finish(st);
	store_release(c);
	if (e != ERR_OK) {
		json_decref(arr);
		return e;
	}
	return http_json(rs, 200, json_pack("{s:o}", "sites", arr));
}

/* Copies the string member key of o (when present) into dst (n bytes). -1 when it is not a
 * string or does not fit. */
static int take_text(json_t *o, const char *key, char *dst, size_t n)
{
	json_t *v = json_object_get(o, key);
	if (!v)
		return 0;
	if (!json_is_string(v) || json_string_length(v) >= n)
		return -1;
	memcpy(dst, json_string_value(v), json_string_length(v) + 1);
	return 0;
}

enum err api_site_patch(struct http_req *rq, struct http_resp *rs)
{
	struct site s;
	json_t *body = NULL;
	const char *why = NULL;
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = site_find(c, rq->params[0], &s);
	store_release(c);
	if (e == ERR_NOTFOUND)
		return http_error(rs, e, "この施設コードの施設はありません。施設コードを確かめてください。");
	if (e != ERR_OK)
		return e;
	e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	/* A key it does not know is named, not ignored (a script's "grace" changed nothing, 200). */
	static const char *const known[] = {"opens", "closes", "arrival", "deadline", "phone",
					    "alert_email", "grace_min", "alert_guardians"};
	const char *key;
	json_t *val;
	json_object_foreach(body, key, val)
	{
		size_t i = 0;
		while (i < sizeof known / sizeof *known && strcmp(key, known[i]) != 0)
			i++;
		if (i == sizeof known / sizeof *known) {
			char msg[256];
			int plain = strlen(key) <= 40; /* named only when short and ASCII */
			for (const char *k = key; *k && plain; k++)
				plain = *k > ' ' && *k < 127 && *k != '"';
			snprintf(msg, sizeof msg,
				 "「%s」という設定はありません。opens・closes・arrival・deadline・phone・"
				 "alert_email・grace_min・alert_guardians のどれかです。",
				 plain ? key : "…");
			e = http_error_as(rs, ERR_INVALID, "unknown_setting", msg);
			goto out;
		}
	}
	json_t *g = json_object_get(body, "grace_min"), *ag = json_object_get(body, "alert_guardians");
	if (take_text(body, "opens", s.opens, sizeof s.opens) ||
	    take_text(body, "closes", s.closes, sizeof s.closes) ||
	    take_text(body, "arrival", s.arrival, sizeof s.arrival) ||
	    take_text(body, "deadline", s.deadline, sizeof s.deadline) ||
	    take_text(body, "phone", s.phone, sizeof s.phone) ||
	    take_text(body, "alert_email", s.alert_email, sizeof s.alert_email) ||
	    (g && !json_is_integer(g)) || (ag && !json_is_boolean(ag))) {
		e = http_error(rs, ERR_INVALID,
			       "設定の形が正しくありません。時刻（opens・closes・arrival・deadline）は"
			       "「HH:MM」の文字列、電話番号（phone）とメールアドレス（alert_email）は短い"
			       "文字列、猶予（grace_min）は数、保護者への通知（alert_guardians）は true か "
			       "false で指定してください。");
		goto out;
	}
	if (g)
		s.grace_min = json_integer_value(g) > 240 ? 241 : (int)json_integer_value(g);
	if (ag)
		s.alert_guardians = json_is_true(ag);
	e = site_update(rq->app, rq->actor, &s, &why);
	if (e == ERR_INVALID) {
		e = http_error(rs, e, why);
		goto out;
	}
	if (e == ERR_OK)
		e = http_json(rs, 200, site_json(&s, 1));
out:
	json_decref(body);
	return e;
}

enum err api_site_for_caller(struct http_req *rq, struct http_resp *rs, struct store_conn *c,
			     struct site *site, const char *what, const char *denied_msg)
{
	enum err e = site_find(c, rq->params[0], site);
	if (e == ERR_NOTFOUND)
		return http_error(rs, e, "この施設コードの施設はありません。施設コードを確かめてください。");
	if (e != ERR_OK)
		return e;
	if (!user_can_see_site(&rq->user, site->id)) {
		char object[64];
		snprintf(object, sizeof object, "site:%s", site->code);
		audit_append(c, rq->app->vault, rq->actor, "denied", object, what);
		return http_error(rs, ERR_FORBIDDEN, denied_msg);
	}
	return ERR_OK;
}
