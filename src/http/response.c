/* SPDX-License-Identifier: MIT */
/* response.c — JSON bodies, the one error shape, and the error → status mapping. */
#include "http/http.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

unsigned http_status_for(enum err e)
{
	switch (e) {
	case ERR_OK: return 200;
	case ERR_INVALID: return 400;
	case ERR_UNAUTH: return 401;
	case ERR_FORBIDDEN: return 403;
	case ERR_NOTFOUND: return 404;
	case ERR_CONFLICT: return 409;
	case ERR_TOOLARGE: return 413;
	case ERR_TOOMANY: return 429;
	case ERR_TEMP: return 503;
	case ERR_DB:
	case ERR_IO:
	case ERR_CRYPTO: return 500;
	}
	return 500;
}

enum err http_error(struct http_resp *rs, enum err e, const char *msg)
{
	return http_error_as(rs, e, NULL, msg);
}

enum err http_error_as(struct http_resp *rs, enum err e, const char *code, const char *msg)
{
	free(rs->error);
	rs->error = xstrdup(msg);
	rs->error_code = code;
	return e;
}

enum err http_json(struct http_resp *rs, unsigned status, json_t *obj)
{
	char *s = json_dumps(obj, JSON_COMPACT);
	json_decref(obj);
	if (!s)
		return http_error(rs, ERR_IO, "応答を作成できませんでした。");
	rs->status = status;
	rs->content_type = "application/json; charset=utf-8";
	buf_free(&rs->body);
	enum err e = buf_puts(&rs->body, s);
	free(s);
	return e;
}

enum err http_json_body(struct http_req *rq, struct http_resp *rs, json_t **out)
{
	json_error_t jerr;
	json_t *j = json_loadb(rq->body, rq->body_len, JSON_REJECT_DUPLICATES, &jerr);
	if (!j || !json_is_object(j)) {
		json_decref(j);
		return http_error_as(rs, ERR_INVALID, "body_not_json",
				     "送信内容が JSON のオブジェクトではありません。");
	}
	*out = j;
	return ERR_OK;
}

void http_after(struct http_resp *rs, void (*fn)(void *arg), void *arg)
{
	assert(!rs->after);
	rs->after = fn;
	rs->after_arg = arg;
}

void http_resp_parts(struct http_resp *rs, const struct http_part *parts, size_t n,
		     void (*release)(void *arg), void *arg)
{
	assert(n <= HTTP_RESP_PARTS && !rs->parts_free);
	memset(rs->parts, 0, sizeof rs->parts);
	memcpy(rs->parts, parts, n * sizeof *parts);
	rs->nparts = n;
	rs->parts_free = release;
	rs->parts_arg = arg;
}
