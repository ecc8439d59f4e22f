/* SPDX-License-Identifier: MIT */
/* api_unsubscribe.c — /api/v1/unsubscribe/{token}: the List-Unsubscribe link of bulk mail.
 * A one-click POST (RFC 8058) or the page's button unsubscribes without signing in; a GET (a
 * person who opened the link, or a mail scanner) only leads to the page, which asks first. The
 * same link asks to join the list again, confirmed by a link mailed to the address
 * (/api/v1/resubscriptions). */
#include "bulk/bulk_api.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth/audit.h"
#include "base/xalloc.h"
#include "mail/mail.h"
#include "store/store.h"

#define BAD_LINK                                                                                   \
	"この配信停止のリンクは無効です。メールにあるリンクを、もう一度そのまま開いてください"    \
	"（保存期間を過ぎた古いメールのリンクは使えません。新しいメールのリンクを開いてください）。"

enum err api_unsubscribe_get(struct http_req *rq, struct http_resp *rs)
{
	int64_t id = 0;
	char *where = NULL;
	enum err e;
	/* Only a well-formed token is carried over to the page, so the redirect never echoes
	 * anything else; the page reports a missing one. */
	if (mail_unsub_parse(rq->app->vault, rq->params[0], &id) == ERR_OK)
		where = xasprintf("/unsubscribe/?t=%s", rq->params[0]);
	else
		where = xstrdup("/unsubscribe/");
	e = http_set_header(rs, "Location", where);
	free(where);
	if (e != ERR_OK)
		return e;
	rs->status = 303;
	rs->content_type = "application/json; charset=utf-8";
	return buf_puts(&rs->body, "{\"see\":\"/unsubscribe/\"}");
}

/* The way the request came: RFC 8058's form body "List-Unsubscribe=One-Click" from a mail
 * client, or {"via":"web"} from our page. NULL for anything else. */
static const char *request_via(const struct http_req *rq)
{
	if (strstr(rq->body, "List-Unsubscribe=One-Click"))
		return "one-click";
	json_t *j = json_loadb(rq->body, rq->body_len, 0, NULL);
	const char *via = NULL;
	if (json_is_object(j)) {
		const char *v = json_string_value(json_object_get(j, "via"));
		if (v && strcmp(v, "web") == 0)
			via = "web";
	}
	json_decref(j);
	return via;
}

enum err api_unsubscribe_post(struct http_req *rq, struct http_resp *rs)
{
	struct app *a = rq->app;
	struct mail_unsub_result u;
	int64_t id = 0;
	char object[48], detail[96];
	const char *via = request_via(rq);
	if (!via)
		return http_error(rs, ERR_INVALID,
				  "配信停止の申し込みの形が正しくありません（List-Unsubscribe=One-Click "
				  "（RFC 8058）か {\"via\":\"web\"} を送ってください）。");
	if (mail_unsub_parse(a->vault, rq->params[0], &id) != ERR_OK)
		return http_error_as(rs, ERR_NOTFOUND, "link_invalid", BAD_LINK);
	struct store_conn *c = store_acquire(a->store);
	enum err e = store_begin(c);
	if (e == ERR_OK)
		e = mail_unsubscribe(c, a->keys, id, via, &u);
	if (e == ERR_OK) {
		snprintf(object, sizeof object, "outbox:%" PRId64, id);
		snprintf(detail, sizeof detail, "list %s by %s%s", u.list, via,
			 u.already ? " (already unsubscribed)" : "");
		e = audit_append(c, a->vault, rq->actor, "mail.unsubscribe", object, detail);
	}
	if (e == ERR_OK)
		e = store_commit(c);
	store_rollback(c);
	struct mail_list_info l;
	if ((e == ERR_FORBIDDEN || e == ERR_OK) && mail_list_find(c, u.list, &l) != ERR_OK)
		snprintf(l.label_ja, sizeof l.label_ja, "このお知らせ");
	store_release(c);
	if (e == ERR_NOTFOUND)
		return http_error_as(rs, e, "link_invalid", BAD_LINK);
	if (e == ERR_FORBIDDEN) {
		/* The list's own property (mail_list_may_unsubscribe): nothing was recorded. */
		char *msg = xasprintf("%sのメールは、お子さまの安全を守るため、クラブに在籍している間は"
				      "配信を停止できません。ほかのお知らせは、それぞれのメールの"
				      "リンクから停止できます。",
				      l.label_ja);
		e = http_error_as(rs, ERR_FORBIDDEN, "list_cannot_be_left", msg);
		free(msg);
		return e;
	}
	if (e != ERR_OK)
		return e;
	return http_json(rs, 200,
			 json_pack("{s:b,s:s,s:s,s:b}", "unsubscribed", 1, "list", u.list, "label",
				   l.label_ja, "already", u.already));
}

enum err api_resubscribe_request(struct http_req *rq, struct http_resp *rs)
{
	struct app *a = rq->app;
	struct mail_resubscribe r = {0};
	int64_t id = 0;
	char object[48], detail[64];
	if (mail_unsub_parse(a->vault, rq->params[0], &id) != ERR_OK)
		return http_error_as(rs, ERR_NOTFOUND, "link_invalid", BAD_LINK);
	struct store_conn *c = store_acquire(a->store);
	enum err e = store_begin(c);
	if (e == ERR_OK)
		e = mail_resubscribe_request(c, a->keys, id, a->cfg.base_url, &r);
	snprintf(object, sizeof object, "outbox:%" PRId64, id);
	snprintf(detail, sizeof detail, "list %s", r.list);
	if (e == ERR_OK)
		e = audit_append(c, a->vault, rq->actor, "mail.resubscribe.request", object, detail);
	if (e == ERR_OK)
		e = store_commit(c);
	store_rollback(c);
	store_release(c);
	if (e == ERR_NOTFOUND || e == ERR_FORBIDDEN)
		return http_error_as(rs, ERR_NOTFOUND, "link_invalid", BAD_LINK);
	if (e == ERR_CONFLICT)
		return http_error_as(rs, e, "not_unsubscribed",
				     "このアドレスへの配信は停止されていません。再開の手続きは不要です。");
	if (e == ERR_TOOMANY)
		return http_error_as(rs, e, "too_many_requests",
				     "配信再開の確認メールは、1日に3通までです。届いたメールのリンクを"
				     "開くか、明日もう一度お試しください。");
	if (e != ERR_OK)
		return e;
	if (a->mail)
		mail_sender_wake(a->mail);
	return http_json(rs, 202,
			 json_pack("{s:b,s:s,s:s}", "queued", 1, "list", r.list, "label", r.label_ja));
}

enum err api_resubscribe_confirm(struct http_req *rq, struct http_resp *rs)
{
	struct app *a = rq->app;
	struct mail_resubscribe r = {0};
	json_t *j = NULL;
	char object[48], detail[64];
	enum err e = http_json_body(rq, rs, &j);
	if (e != ERR_OK)
		return e;
	const char *token = json_string_value(json_object_get(j, "token"));
	if (!token) {
		json_decref(j);
		return http_error(rs, ERR_INVALID,
				  "確認のメールにあるリンクの token を指定してください。");
	}
	struct store_conn *c = store_acquire(a->store);
	e = store_begin(c);
	if (e == ERR_OK)
		e = mail_resubscribe_confirm(c, token, &r);
	snprintf(object, sizeof object, "outbox:%" PRId64, r.outbox_id);
	snprintf(detail, sizeof detail, "list %s", r.list);
	if (e == ERR_OK)
		e = audit_append(c, a->vault, rq->actor, "mail.resubscribe", object, detail);
	if (e == ERR_OK)
		e = store_commit(c);
	store_rollback(c);
	store_release(c);
	json_decref(j);
	if (e == ERR_NOTFOUND)
		return http_error_as(rs, e, "link_invalid",
				     "この確認のリンクは無効か、期限（24時間）が過ぎています。配信停止の"
				     "ページから、もう一度お申し込みください。");
	if (e != ERR_OK)
		return e;
	return http_json(rs, 200,
			 json_pack("{s:b,s:s,s:s}", "resubscribed", 1, "list", r.list, "label",
				   r.label_ja));
}
