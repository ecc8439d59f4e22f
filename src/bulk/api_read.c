/* SPDX-License-Identifier: MIT */
/* api_read.c — POST /api/v1/reads/{token}: the 「読みました」 button of the page a read
 * confirmation link opens (/read/?t=TOKEN); public, the token is the capability. A read counts
 * once; opening the link alone changes nothing (mail scanners follow links). */
#include "bulk/bulk_api.h"

#include <inttypes.h>
#include <stdio.h>

#include "app.h"
#include "auth/audit.h"
#include "mail/mail.h"
#include "store/store.h"

#define BAD_LINK                                                                                   \
	"この確認のリンクは無効です。メールにあるリンクを、もう一度そのまま開いてください。"

enum err api_read_post(struct http_req *rq, struct http_resp *rs)
{
	struct app *a = rq->app;
	int64_t id = 0;
	int already = 0;
	char object[48];
	if (mail_read_parse(a->vault, rq->params[0], &id) != ERR_OK)
		return http_error_as(rs, ERR_NOTFOUND, "link_invalid", BAD_LINK);
	struct store_conn *c = store_acquire(a->store);
	enum err e = store_begin(c);
	if (e == ERR_OK)
		e = mail_read_record(c, id, &already);
	snprintf(object, sizeof object, "outbox:%" PRId64, id);
	if (e == ERR_OK && !already)
		e = audit_append(c, a->vault, rq->actor, "mail.read", object, "");
	if (e == ERR_OK)
		e = store_commit(c);
	store_rollback(c);
	store_release(c);
	if (e == ERR_NOTFOUND)
		return http_error_as(rs, e, "link_invalid", BAD_LINK);
	if (e != ERR_OK)
		return e;
	return http_json(rs, 200, json_pack("{s:b,s:b}", "read", 1, "already", already));
}
