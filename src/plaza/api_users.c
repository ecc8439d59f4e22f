/* SPDX-License-Identifier: MIT */
/* api_users.c — the plaza's desk: who the caller is, the search (the first 50 in kana order and
 * how many in all), registration and corrections of a user, and registration cards as a PDF
 * (recorded in the handover ledger). A plaza's staff see only their plaza's users: another's is
 * 404. */
#include "plaza/api.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth/audit.h"
#include "base/clock.h"
#include "base/xalloc.h"
#include "ledger/ledger.h"
#include "store/store.h"
#include "vault/vault.h"

enum err plaza_scope(struct http_req *rq, struct http_resp *rs, int64_t *plaza_id)
{
	*plaza_id = 0;
	if (rq->role != ROLE_PLAZA_STAFF)
		return ERR_OK;
	struct store_conn *c = store_acquire(rq->app->store);
	*plaza_id = plaza_staff_plaza(c, rq->user.id);
	store_release(c);
	if (*plaza_id)
		return ERR_OK;
	return http_error_as(rs, ERR_FORBIDDEN, "no_plaza",
			     "このアカウントはどのプラザにも割り当てられていません。区の管理者に"
			     "連絡してください。");
}

json_t *plaza_user_json(const struct plaza_user *u, const char *today)
{
	json_t *o = json_object();
	json_object_set_new(o, "id", json_integer(u->id));
	json_object_set_new(o, "card_no", json_string(u->card_no));
	json_object_set_new(o, "plaza", json_string(plaza_name(u->plaza_id)));
	for (int i = 0; i < PF_COUNT; i++)
		json_object_set_new(o, plaza_field_key[i], json_string(u->f[i] ? u->f[i] : ""));
	json_object_set_new(o, "age", json_integer(plaza_age(u->f[PF_BIRTH], today)));
	json_object_set_new(o, "created_on", json_string(u->created_on));
	json_object_set_new(o, "active_on", json_string(u->active_on));
	return o;
}

enum err api_plaza_me(struct http_req *rq, struct http_resp *rs)
{
	int64_t plaza_id;
	char today[11];
	enum err e = plaza_scope(rq, rs, &plaza_id);
	if (e != ERR_OK)
		return e;
	clock_jst_date(clock_now_ms(), today, sizeof today);
	json_t *plazas = json_array();
	for (int64_t i = 1; i <= PLAZA_COUNT; i++)
		json_array_append_new(plazas,
				      json_pack("{s:I, s:s, s:s}", "id", (json_int_t)i, "code",
						plaza_code(i), "name", plaza_name(i)));
	return http_json(
	    rs, 200,
	    json_pack("{s:s, s:o, s:o, s:i, s:i, s:s}", "role", role_name(rq->role), "plaza",
		      plaza_id ? json_pack("{s:I, s:s}", "id", (json_int_t)plaza_id, "name",
					   plaza_name(plaza_id))
			       : json_null(),
		      "plazas", plazas, "fiscal_year", plaza_fiscal_year(today), "inactive_years",
		      plaza_inactive_years(rq->app), "today", today));
}

/* Audits the caller's work on object (no personal data), once a minute for reads. */
static enum err audit(struct http_req *rq, struct store_conn *c, const char *action,
		      const char *object, const char *detail, int read)
{
	if (read)
		return audit_read_append(c, rq->app->vault, rq->actor, action, object, detail,
					 clock_now_ms(), NULL);
	return audit_append(c, rq->app->vault, rq->actor, action, object, detail);
}

enum err api_plaza_search(struct http_req *rq, struct http_resp *rs)
{
	int64_t plaza_id, *ids = NULL;
	size_t n = 0, total = 0;
	const char *why = NULL;
	char today[11], object[32];
	enum err e = plaza_scope(rq, rs, &plaza_id);
	if (e != ERR_OK)
		return e;
	const struct vault *v = plaza_vault(rq->app);
	clock_jst_date(clock_now_ms(), today, sizeof today);
	struct store_conn *c = store_acquire(rq->app->store);
	e = plaza_search(c, v, plaza_id, http_query(rq, "q"), PLAZA_SHOW, &ids, &n, &total, &why);
	json_t *list = json_array();
	for (size_t i = 0; e == ERR_OK && i < n; i++) {
		struct plaza_user u;
		e = plaza_user_load(c, v, ids[i], &u);
		if (e == ERR_OK)
			json_array_append_new(list, plaza_user_json(&u, today));
		plaza_user_clear(&u);
	}
	snprintf(object, sizeof object, "plaza:%s", plaza_code(plaza_id));
	/* Every search that shows people, with how many (once a minute hid four of five). */
	char detail[48];
	snprintf(detail, sizeof detail, "shown=%zu total=%zu", n, total);
	if (e == ERR_OK)
		e = audit(rq, c, "plaza.search", object, detail, 0);
	store_release(c);
	free(ids);
	if (e != ERR_OK) {
		json_decref(list);
		if (why)
			return http_error_as(rs, e, "bad_query", why);
		return e;
	}
	return http_json(rs, 200,
			 json_pack("{s:o, s:I, s:i}", "users", list, "total", (json_int_t)total,
				   "shown", PLAZA_SHOW));
}

/* Reads the seed's items of body into f (borrowed from body). */
static void fields_of(json_t *body, char *f[PF_COUNT])
{
	for (int i = 0; i < PF_COUNT; i++)
		f[i] = (char *)json_string_value(json_object_get(body, plaza_field_key[i]));
}

enum err plaza_commit_load(struct store_conn *c, const struct vault *v, enum err e, int64_t id,
			   struct plaza_user *u)
{
	if (e == ERR_OK)
		e = store_commit(c);
	else
		store_rollback(c);
	memset(u, 0, sizeof *u);
	if (e == ERR_OK)
		e = plaza_user_load(c, v, id, u);
	return e;
}

/* Registers (id 0) or corrects user id: the handler of both. */
static enum err write_user(struct http_req *rq, struct http_resp *rs, int64_t id)
{
	int64_t plaza_id, now = clock_now_ms(), new_id = 0;
	json_t *body = NULL;
	char *f[PF_COUNT], today[11], card[16] = "", object[48];
	const char *why = NULL;
	enum err e = plaza_scope(rq, rs, &plaza_id);
	if (e == ERR_OK)
		e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	clock_jst_date(now, today, sizeof today);
	fields_of(body, f);
	if (!plaza_fields_check(f, today, &why)) {
		json_decref(body);
		return http_error_as(rs, ERR_INVALID, "bad_user", why);
	}
	const struct vault *v = plaza_vault(rq->app);
	struct store_conn *c = store_acquire(rq->app->store);
	e = store_begin(c);
	if (e == ERR_OK)
		e = plaza_user_write(c, v, id, plaza_id, f, today, now, &new_id, card);
	snprintf(object, sizeof object, "plaza_user:%" PRId64, new_id);
	if (e == ERR_OK)
		e = audit(rq, c, id ? "plaza.user_update" : "plaza.user_add", object, "", 0);
	struct plaza_user u;
	e = plaza_commit_load(c, v, e, new_id, &u);
	store_release(c);
	json_decref(body);
	if (e == ERR_NOTFOUND)
		return http_error_as(rs, e, "no_user",
				     "この利用者はこのプラザに登録されていません。");
	if (e != ERR_OK)
		return e;
	json_t *o = plaza_user_json(&u, today);
	plaza_user_clear(&u);
	return http_json(rs, id ? 200 : 201, o);
}

enum err api_plaza_user_add(struct http_req *rq, struct http_resp *rs)
{
	return write_user(rq, rs, 0);
}

enum err api_plaza_user_update(struct http_req *rq, struct http_resp *rs)
{
	int64_t id = http_param_id(rq->params[0]);
	if (!id)
		return http_error_as(rs, ERR_NOTFOUND, "no_user", "利用者が見つかりません。");
	return write_user(rq, rs, id);
}

enum err api_plaza_user(struct http_req *rq, struct http_resp *rs)
{
	int64_t plaza_id, id = http_param_id(rq->params[0]);
	char today[11], object[48];
	enum err e = plaza_scope(rq, rs, &plaza_id);
	if (e != ERR_OK)
		return e;
	struct plaza_user u;
	struct store_conn *c = store_acquire(rq->app->store);
	e = id ? plaza_user_load(c, plaza_vault(rq->app), id, &u) : ERR_NOTFOUND;
	if (e == ERR_OK && u.plaza_id != plaza_id) {
		plaza_user_clear(&u);
		e = ERR_NOTFOUND;
	}
	snprintf(object, sizeof object, "plaza_user:%" PRId64, id);
	if (e == ERR_OK)
		e = audit(rq, c, "plaza.user", object, "", 1);
	store_release(c);
	if (e == ERR_NOTFOUND)
		return http_error_as(rs, e, "no_user",
				     "この利用者はこのプラザに登録されていません。");
	if (e != ERR_OK) {
		plaza_user_clear(&u);
		return e;
	}
	clock_jst_date(clock_now_ms(), today, sizeof today);
	json_t *o = plaza_user_json(&u, today);
	plaza_user_clear(&u);
	return http_json(rs, 200, o);
}

/* Parses "1,2,3" into *ids (malloc'd) and *n; 0 when it is no list of 1 … max ids. */
static int id_list(const char *s, size_t max, int64_t **ids, size_t *n)
{
	*ids = NULL;
	*n = 0;
	if (!s || !*s || strlen(s) > 20 * max)
		return 0;
	int64_t *v = xcalloc(max, sizeof *v);
	char *copy = xstrdup(s), *save = NULL;
	size_t k = 0;
	int ok = 1;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		int64_t id = http_param_id(t);
		if (!id || k == max) {
			ok = 0;
			break;
		}
		v[k++] = id;
	}
	free(copy);
	if (!ok || k == 0) {
		free(v);
		return 0;
	}
	*ids = v;
	*n = k;
	return 1;
}

enum err api_plaza_cards(struct http_req *rq, struct http_resp *rs)
{
	int64_t plaza_id, *ids = NULL;
	size_t n = 0;
	char content[96], object[32], name[48];
	enum err e = plaza_scope(rq, rs, &plaza_id);
	if (e != ERR_OK)
		return e;
	if (!id_list(http_query(rq, "ids"), PLAZA_CARDS_MAX, &ids, &n))
		return http_error_as(rs, ERR_INVALID, "bad_ids",
				     "カードを作る利用者を選んでください（1000人まで）。");
	struct buf out;
	buf_init(&out, 64u << 20);
	struct store_conn *c = store_acquire(rq->app->store);
	e = plaza_cards_pdf(c, plaza_vault(rq->app), plaza_id, ids, n, &out);
	store_release(c);
	free(ids);
	if (e == ERR_NOTFOUND) {
		buf_free(&out);
		return http_error_as(rs, e, "no_user",
				     "このプラザに登録されていない利用者が含まれています。");
	}
	if (e == ERR_OK) {
		snprintf(content, sizeof content, "cards %s pdf users=%zu", plaza_code(plaza_id),
			 n);
		snprintf(object, sizeof object, "plaza:%s", plaza_code(plaza_id));
		snprintf(name, sizeof name, "plaza-cards-%s.pdf", plaza_code(plaza_id));
		struct ledger_item it = {.service = PLAZA_SERVICE,
					 .actor = rq->actor,
					 .content = content,
					 .object = object,
					 .records = n};
		e = ledger_hand_over(rq, rs, &it, &out, "application/pdf", name);
	}
	buf_free(&out);
	return e;
}
