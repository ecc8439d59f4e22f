/* SPDX-License-Identifier: MIT */
/* api_confirmation.c — POST /api/v1/confirmations: a guardian confirms an address by the
 * token from the mailed link (a POST from the page's button, never a GET). */
#include "attendance/attendance_api.h"

#include <string.h>

#include "attendance/attendance.h"

enum err api_confirmation_create(struct http_req *rq, struct http_resp *rs)
{
	json_t *body = NULL;
	const char *token = NULL;
	enum err e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	if (json_unpack(body, "{s:s}", "token", &token) != 0 || strlen(token) > 128) {
		e = http_error_as(rs, ERR_INVALID, "link_invalid",
				  "リンクが正しくありません。メールにあるリンクを、もう一度そのまま開いてください。");
		goto out;
	}
	e = guardian_confirm(rq->app, token);
	if (e == ERR_NOTFOUND) {
		e = http_error_as(rs, e, "link_invalid",
				  "このリンクは無効です（使用済みまたは期限切れ）。施設にお問い合わせください。");
		goto out;
	}
	if (e == ERR_OK)
		e = http_json(rs, 200, json_pack("{s:b}", "confirmed", 1));
out:
	json_decref(body);
	return e;
}
