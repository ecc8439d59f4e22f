/* SPDX-License-Identifier: MIT */
/* api_manage.c — changing or cancelling a registration. A mail's footer link (a keyed token
 * of the address and school, never expiring, and possibly forwarded) shows no personal data:
 * it cancels this school's registrations of the address, or mails the address a one-time edit
 * link. Only the edit link, which reaches the address's own mailbox, shows and changes the
 * names, grades and classes. No answer tells whether an address is registered. */
#include "schoolmail/api.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth/audit.h"
#include "base/buf.h"
#include "base/clock.h"
#include "mail/mail.h"
#include "store/store.h"
#include "vault/vault.h"

#define EDIT_LINKS_PER_HOUR 3

static const char *body_str(json_t *body, const char *key)
{
	json_t *t = json_object_get(body, key);
	return json_is_string(t) ? json_string_value(t) : NULL;
}

/* The footer token of the body: *address_id and the school. Answers 404 when it is none. */
static enum err footer(struct http_req *rq, struct http_resp *rs, json_t *body,
		       int64_t *address_id, struct school *s)
{
	int64_t school_id = 0;
	enum err e = schoolmail_manage_parse(schoolmail_vault(rq->app), body_str(body, "token"),
					     address_id, &school_id);
	if (e == ERR_OK) {
		struct store_conn *c = store_acquire(rq->app->store);
		e = schoolmail_school_get(c, school_id, s);
		store_release(c);
	}
	if (e == ERR_NOTFOUND)
		return http_error_as(rs, e, "link_invalid",
				     "このリンクは使えません。メールに書かれたリンクをそのまま開いて"
				     "ください。");
	return e;
}

enum err api_school_manage_lookup(struct http_req *rq, struct http_resp *rs)
{
	json_t *body = NULL;
	struct school s;
	int64_t address_id = 0;
	enum err e = http_json_body(rq, rs, &body);
	if (e == ERR_OK)
		e = footer(rq, rs, body, &address_id, &s);
	json_decref(body);
	if (e != ERR_OK)
		return e;
	return http_json(rs, 200, json_pack("{s:{s:s,s:s}}", "school", "name", s.name,
					    "kind_label", schoolmail_kind_label(s.kind)));
}

enum err api_school_manage_cancel(struct http_req *rq, struct http_resp *rs)
{
	json_t *body = NULL;
	struct school s;
	int64_t address_id = 0, removed = 0;
	struct store_conn *c = NULL;
	struct store_stmt *st = NULL;
	enum err e = http_json_body(rq, rs, &body);
	if (e == ERR_OK)
		e = footer(rq, rs, body, &address_id, &s);
	if (e != ERR_OK)
		goto out;
	c = store_acquire(rq->app->store);
	e = store_begin(c);
	if (e != ERR_OK)
		goto out;
	/* Every child this address registered at this school. */
	for (;;) {
		st = store_prepare(c, "SELECT id FROM school_registrants WHERE address_id = ? AND "
				      "school_id = ? LIMIT 1");
		e = ERR_DB;
		if (!st)
			goto out;
		store_bind_int(st, 1, address_id);
		store_bind_int(st, 2, s.id);
		int rc = store_step(st);
		int64_t id = rc == STORE_ROW ? store_col_int(st, 0) : 0;
		store_finish(st);
		st = NULL;
		if (rc != STORE_ROW) {
			e = rc == STORE_DONE ? ERR_OK : ERR_DB;
			break;
		}
		e = schoolmail_registrant_remove(c, id, s.id, address_id);
		if (e != ERR_OK)
			goto out;
		removed++;
	}
	if (e != ERR_OK)
		goto out;
	char object[48], detail[64];
	snprintf(object, sizeof object, "school:%" PRId64, s.id);
	snprintf(detail, sizeof detail, "address:%" PRId64 " removed=%" PRId64, address_id, removed);
	e = audit_append(c, rq->app->vault, rq->actor, "school.cancel", object, detail);
	if (e == ERR_OK)
		e = store_commit(c);
	if (e == ERR_OK)
		e = http_json(rs, 200, json_pack("{s:b,s:s}", "cancelled", 1, "school", s.name));
out:
	store_finish(st);
	if (c) {
		store_rollback(c);
		store_release(c);
	}
	json_decref(body);
	return e;
}

/* Edit links asked for address_id in the last hour, on c. */
static enum err edit_links_recent(struct store_conn *c, int64_t address_id, int64_t *n)
{
	struct store_stmt *st = store_prepare(c, "SELECT COUNT(*) FROM school_links WHERE kind = "
						 "'edit' AND address_id = ? AND created_ms > ?");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, address_id);
	store_bind_int(st, 2, clock_now_ms() - 3600LL * 1000);
	enum err e = store_step(st) == STORE_ROW ? ERR_OK : ERR_DB;
	*n = e == ERR_OK ? store_col_int(st, 0) : 0;
	store_finish(st);
	return e;
}

enum err api_school_manage_edit_link(struct http_req *rq, struct http_resp *rs)
{
	const struct vault *v = schoolmail_vault(rq->app);
	json_t *body = NULL;
	struct school s;
	int64_t address_id = 0, recent = 0;
	struct store_conn *c = NULL;
	char *email = NULL, *token = NULL;
	struct buf mail;
	buf_init(&mail, 16 * 1024);
	enum err e = http_json_body(rq, rs, &body);
	if (e == ERR_OK)
		e = footer(rq, rs, body, &address_id, &s);
	if (e != ERR_OK)
		goto out;
	c = store_acquire(rq->app->store);
	e = store_begin(c);
	if (e == ERR_OK)
		e = schoolmail_address_email(c, v, address_id, &email);
	if (e == ERR_OK)
		e = edit_links_recent(c, address_id, &recent);
	/* A cancelled address, or one that asked often: the same answer, nothing sent. */
	if (e == ERR_NOTFOUND || (e == ERR_OK && recent >= EDIT_LINKS_PER_HOUR)) {
		e = ERR_OK;
		goto answer;
	}
	if (e == ERR_OK)
		e = schoolmail_edit_link(c, address_id, &token);
	if (e != ERR_OK)
		goto out;
	buf_printf(&mail,
		   "一斉メールの登録内容を確認・変更するためのリンクです。\n%s/school/edit/#t=%s\n\n"
		   "・このリンクは24時間有効です。\n"
		   "・お心当たりのない場合は、このメールを破棄してください（何も変わりません）。\n\n"
		   "%s\n",
		   rq->app->cfg.base_url, token, schoolmail_config(rq->app)->ward_name);
	e = schoolmail_mail_queue(c, v, "edit", email, "【一斉メール】登録内容の確認・変更",
				  mail.data);
	if (e == ERR_OK) {
		char object[48];
		snprintf(object, sizeof object, "address:%" PRId64, address_id);
		e = audit_append(c, rq->app->vault, rq->actor, "school.edit.link", object, "");
	}
	if (e == ERR_OK)
		e = store_commit(c);
	if (e != ERR_OK)
		goto out;
	if (rq->app->mail)
		mail_sender_wake(rq->app->mail);
answer:
	e = http_json(rs, 202, json_pack("{s:s}", "message",
					 "登録されているメールアドレスに、確認・変更のためのリンクを"
					 "送りました。"));
out:
	if (c) {
		store_rollback(c);
		store_release(c);
	}
	if (mail.data)
		vault_wipe(mail.data, mail.len);
	buf_free(&mail);
	vault_wipe_free(email);
	vault_wipe_free(token);
	json_decref(body);
	return e;
}

/* The address of the edit link in body (*address_id), or the 404 answer. */
static enum err edit_link(struct http_resp *rs, struct store_conn *c, json_t *body,
			  int64_t *address_id)
{
	enum err e = schoolmail_link_find(c, NULL, "edit", body_str(body, "token"), NULL, NULL,
					  address_id);
	if (e == ERR_NOTFOUND)
		return http_error_as(rs, e, "link_invalid",
				     "このリンクは使えません（有効期限の24時間を過ぎています）。"
				     "メールの「登録内容の変更・登録の解除」から、もう一度リンクを"
				     "受け取ってください。");
	return e;
}

enum err api_school_edit_lookup(struct http_req *rq, struct http_resp *rs)
{
	const struct vault *v = schoolmail_vault(rq->app);
	json_t *body = NULL, *arr = NULL;
	struct schoolmail_registrant *rows = NULL;
	size_t n = 0;
	int64_t address_id = 0;
	struct store_conn *c = NULL;
	enum err e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	c = store_acquire(rq->app->store);
	e = edit_link(rs, c, body, &address_id);
	if (e == ERR_OK)
		e = schoolmail_registrants_of(c, v, address_id, &rows, &n);
	if (e != ERR_OK)
		goto out;
	arr = json_array();
	for (size_t i = 0; i < n && e == ERR_OK; i++) {
		struct school s;
		struct store_stmt *st = store_prepare(c, "SELECT school_id FROM school_registrants "
							 "WHERE id = ?");
		e = ERR_DB;
		if (!st)
			break;
		store_bind_int(st, 1, rows[i].id);
		int64_t sid = store_step(st) == STORE_ROW ? store_col_int(st, 0) : 0;
		store_finish(st);
		e = schoolmail_school_get(c, sid, &s);
		if (e != ERR_OK)
			break;
		json_array_append_new(arr, json_pack("{s:I,s:o,s:i,s:i,s:s,s:s}", "id",
						     (json_int_t)rows[i].id, "school",
						     schoolmail_school_json(&s, 0), "grade",
						     rows[i].grade, "class", rows[i].klass,
						     "child_name", rows[i].child, "guardian_name",
						     rows[i].guardian));
	}
	if (e != ERR_OK)
		goto out;
	char object[48];
	snprintf(object, sizeof object, "address:%" PRId64, address_id);
	e = audit_read_append(c, rq->app->vault, rq->actor, "school.edit.read", object, "", clock_now_ms(), NULL);
	if (e == ERR_OK) {
		e = http_json(rs, 200, json_pack("{s:O}", "registrations", arr));
	}
out:
	json_decref(arr);
	store_release(c);
	schoolmail_registrants_free(rows, n);
	json_decref(body);
	return e;
}

/* The registration id of body (a positive integer), or 0. */
static int64_t body_id(json_t *body)
{
	json_t *id = json_object_get(body, "id");
	return json_is_integer(id) && json_integer_value(id) > 0 ? json_integer_value(id) : 0;
}

static enum err edit_change(struct http_req *rq, struct http_resp *rs, int cancel)
{
	const struct vault *v = schoolmail_vault(rq->app);
	json_t *body = NULL;
	int64_t address_id = 0, id = 0;
	struct store_conn *c = NULL;
	const char *why = NULL;
	enum err e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	id = body_id(body);
	c = store_acquire(rq->app->store);
	e = store_begin(c);
	if (e == ERR_OK)
		e = edit_link(rs, c, body, &address_id);
	if (e != ERR_OK)
		goto out;
	if (cancel) {
		e = schoolmail_registrant_remove(c, id, 0, address_id);
	} else {
		json_t *g = json_object_get(body, "grade"), *k = json_object_get(body, "class");
		e = schoolmail_registrant_update(
		    c, v, id, address_id, json_is_integer(g) ? (int)json_integer_value(g) : 0,
		    json_is_integer(k) ? (int)json_integer_value(k) : 0,
		    body_str(body, "child_name"), body_str(body, "guardian_name"), &why);
	}
	if (e == ERR_NOTFOUND) {
		e = http_error(rs, e, "その登録はありません。");
		goto out;
	}
	if (e == ERR_INVALID) {
		e = http_error_as(rs, e, "bad_registration", why);
		goto out;
	}
	if (e != ERR_OK)
		goto out;
	char object[48], detail[48];
	snprintf(object, sizeof object, "registrant:%" PRId64, id);
	snprintf(detail, sizeof detail, "address:%" PRId64, address_id);
	e = audit_append(c, rq->app->vault, rq->actor, cancel ? "school.edit.cancel" : "school.edit.update",
			 object, detail);
	if (e == ERR_OK)
		e = store_commit(c);
	if (e == ERR_OK)
		e = http_json(rs, 200, json_pack("{s:I,s:s}", "id", (json_int_t)id, "state",
						 cancel ? "cancelled" : "updated"));
out:
	store_rollback(c);
	store_release(c);
	json_decref(body);
	return e;
}

enum err api_school_edit_update(struct http_req *rq, struct http_resp *rs)
{
	return edit_change(rq, rs, 0);
}

enum err api_school_edit_cancel(struct http_req *rq, struct http_resp *rs)
{
	return edit_change(rq, rs, 1);
}
