/* SPDX-License-Identifier: MIT */
/* api_signup.c — the registration page's API: what a sign-up link is for (the school, its
 * grades and classes) and the registration itself (grade, class and name of each child, the
 * guardian's name), which uses the link up and mails a confirmation with the footer link. */
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

#define LINK_INVALID                                                                          \
	"このリンクは使えません（有効期限の24時間を過ぎたか、すでに登録に使われています）。"      \
	"もう一度、空メールを送ってください。"

/* The token of body (a string) or NULL. */
static const char *body_token(json_t *body)
{
	json_t *t = json_object_get(body, "token");
	return json_is_string(t) ? json_string_value(t) : NULL;
}

enum err api_school_signup_lookup(struct http_req *rq, struct http_resp *rs)
{
	json_t *body = NULL;
	struct store_conn *c = NULL;
	struct school s;
	int64_t school_id = 0;
	char *email = NULL;
	enum err e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	c = store_acquire(rq->app->store);
	e = schoolmail_link_find(c, schoolmail_vault(rq->app), "signup", body_token(body),
				 &school_id, &email, NULL);
	if (e == ERR_OK)
		e = schoolmail_school_get(c, school_id, &s);
	store_release(c);
	vault_wipe_free(email);
	json_decref(body);
	if (e == ERR_NOTFOUND)
		return http_error_as(rs, e, "link_invalid", LINK_INVALID);
	if (e != ERR_OK)
		return e;
	return http_json(rs, 200, json_pack("{s:o}", "school", schoolmail_school_json(&s, 0)));
}

/* Reads the children of body into kids (names point into body). ERR_INVALID with the answer
 * set when they are not an array of {grade, class, name}. */
static enum err read_children(struct http_resp *rs, json_t *body, struct schoolmail_child *kids,
			      size_t *n)
{
	json_t *arr = json_object_get(body, "children"), *k;
	size_t i;
	*n = 0;
	if (!json_is_array(arr) || json_array_size(arr) == 0 ||
	    json_array_size(arr) > SCHOOLMAIL_CHILDREN_MAX)
		return http_error_as(rs, ERR_INVALID, "bad_children",
				     "お子さまの学年・組・氏名を入力してください（6人まで）。");
	json_array_foreach(arr, i, k)
	{
		json_t *g = json_object_get(k, "grade"), *c = json_object_get(k, "class"),
		       *nm = json_object_get(k, "name");
		if (!json_is_integer(g) || !json_is_integer(c) || !json_is_string(nm))
			return http_error_as(rs, ERR_INVALID, "bad_children",
					     "お子さまの学年・組・氏名を入力してください。");
		kids[i].grade = (int)json_integer_value(g);
		kids[i].klass = (int)json_integer_value(c);
		kids[i].name = json_string_value(nm);
	}
	*n = json_array_size(arr);
	return ERR_OK;
}

enum err api_school_signup(struct http_req *rq, struct http_resp *rs)
{
	const struct vault *v = schoolmail_vault(rq->app);
	json_t *body = NULL;
	struct schoolmail_child kids[SCHOOLMAIL_CHILDREN_MAX];
	size_t n = 0;
	struct store_conn *c = NULL;
	struct school s;
	int64_t school_id = 0, address_id = 0;
	char *email = NULL, object[48], detail[64];
	const char *why = NULL, *guardian = NULL, *token = NULL;
	struct buf mail;
	buf_init(&mail, 64 * 1024);
	enum err e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	token = body_token(body);
	json_t *g = json_object_get(body, "guardian_name");
	guardian = json_is_string(g) ? json_string_value(g) : NULL;
	e = read_children(rs, body, kids, &n);
	if (e != ERR_OK)
		goto out;
	c = store_acquire(rq->app->store);
	e = store_begin(c);
	if (e == ERR_OK)
		e = schoolmail_link_find(c, v, "signup", token, &school_id, &email, NULL);
	if (e == ERR_NOTFOUND) {
		e = http_error_as(rs, e, "link_invalid", LINK_INVALID);
		goto out;
	}
	if (e == ERR_OK)
		e = schoolmail_school_get(c, school_id, &s);
	if (e != ERR_OK)
		goto out;
	e = schoolmail_register(c, v, school_id, email, guardian, kids, n, &address_id, &why);
	if (e == ERR_INVALID) {
		e = http_error_as(rs, e, "bad_registration", why);
		goto out;
	}
	if (e == ERR_OK)
		e = schoolmail_link_use(c, token);
	if (e != ERR_OK)
		goto out;
	/* The confirmation names the school and the classes, never the children's names. */
	buf_printf(&mail, "%sの一斉メールに、お子さま%zu人を登録しました。\n", s.name, n);
	for (size_t i = 0; i < n; i++) {
		char label[32];
		schoolmail_grade_label(s.kind, s.grades, kids[i].grade, label, sizeof label);
		buf_printf(&mail, "・%s %d組\n", label, kids[i].klass);
	}
	buf_printf(&mail, "\n学校・園からのお知らせが、このメールアドレスに届きます。\n\n%s\n",
		   schoolmail_config(rq->app)->ward_name);
	schoolmail_footer(&mail, v, rq->app->cfg.base_url, address_id, school_id);
	e = schoolmail_mail_queue(c, v, "registered", email, "【一斉メール登録】登録が完了しました",
				  mail.data);
	if (e != ERR_OK)
		goto out;
	snprintf(object, sizeof object, "school:%" PRId64, school_id);
	snprintf(detail, sizeof detail, "address:%" PRId64 " children=%zu", address_id, n);
	e = audit_append(c, rq->app->vault, rq->actor, "school.register", object, detail);
	if (e == ERR_OK)
		e = store_commit(c);
	if (e != ERR_OK)
		goto out;
	if (rq->app->mail)
		mail_sender_wake(rq->app->mail);
	e = http_json(rs, 201, json_pack("{s:I,s:s}", "registered", (json_int_t)n, "school",
					 s.name));
out:
	if (c) {
		store_rollback(c);
		store_release(c);
	}
	if (mail.data)
		vault_wipe(mail.data, mail.len);
	buf_free(&mail);
	vault_wipe_free(email);
	json_decref(body);
	return e;
}
