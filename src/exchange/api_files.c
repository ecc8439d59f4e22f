/* SPDX-License-Identifier: MIT */
/* api_files.c — the files: a contractor sends one (the body is the file), the sender, the
 * recipient or the ward's administrator lists those not yet expired, the recipient opens one
 * with its password, and its sender or the administrator withdraws one. */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "base/buf.h"
#include "base/clock.h"
#include "exchange/api.h"
#include "exchange/exchange.h"
#include "store/store.h"
#include "vault/vault.h"

/* Returns the positive integer of query argument name, or 0. */
static int64_t query_int(struct http_req *rq, const char *name)
{
	const char *v = http_query(rq, name);
	return v ? http_param_id(v) : 0;
}

enum err api_ex_upload(struct http_req *rq, struct http_resp *rs)
{
	const char *code = NULL, *why = NULL;
	int64_t id = 0;
	struct exchange_upload u = {
	    .sender_id = rq->user.id,
	    .recipient_id = query_int(rq, "to"),
	    .name = http_query(rq, "name"),
	    .type = http_header(rq, "Content-Type"),
	    .data = rq->body,
	    .len = rq->body_len,
	    .days = (int)query_int(rq, "days"),
	};
	if (u.days > 1000)
		u.days = 0;
	enum err e = exchange_put(rq->app, &u, rq->actor, &id, &code, &why);
	if (e != ERR_OK)
		return code ? http_error_as(rs, e, code, why) : http_error(rs, e, why);
	return http_json(rs, 201, json_pack("{s:I}", "id", (json_int_t)id));
}

/* Appends a file's row as the caller sees it. */
static void file_json(struct app *a, struct store_stmt *st, json_t *list)
{
	char *meta = NULL, created[32], expires[32];
	if (vault_unseal_column(exchange_vault(a), st, 1, "ex_files.meta", &meta) != ERR_OK)
		return;
	json_t *m = json_loads(meta, 0, NULL);
	vault_wipe_free(meta);
	clock_jst_iso(store_col_int(st, 7), created, sizeof created);
	clock_jst_iso(store_col_int(st, 8), expires, sizeof expires);
	json_array_append_new(
	    list, json_pack("{s:I, s:O, s:O, s:I, s:s, s:s, s:I, s:I, s:b, s:s, s:s}", "id",
			    (json_int_t)store_col_int(st, 0), "name", json_object_get(m, "name"),
			    "type", json_object_get(m, "type"), "size",
			    (json_int_t)store_col_int(st, 2), "sender", store_col_text(st, 3),
			    "recipient", store_col_text(st, 4), "downloads",
			    (json_int_t)store_col_int(st, 5), "failures",
			    (json_int_t)store_col_int(st, 6), "locked", (int)store_col_int(st, 9),
			    "created", created, "expires", expires));
	json_decref(m);
}

enum err api_ex_files(struct http_req *rq, struct http_resp *rs)
{
	/* The administrator sees every file; a sender the files sent, a recipient those received. */
	int all = rq->role == ROLE_WARD_ADMIN;
	json_t *list = json_array();
	struct store_conn *c = store_acquire(rq->app->store);
	struct store_stmt *st = store_prepare(
	    c, "SELECT f.id, f.meta, f.size, s.login, r.login, f.downloads, f.failures, "
	       "f.created_ms, f.expires_ms, f.locked FROM ex_files f JOIN users s ON s.id = "
	       "f.sender_id JOIN users r ON r.id = f.recipient_id WHERE f.expires_ms > ? AND (? = 1 "
	       "OR f.sender_id = ? OR f.recipient_id = ?) ORDER BY f.id DESC LIMIT 1000");
	enum err e = ERR_DB;
	if (st) {
		store_bind_int(st, 1, clock_now_ms());
		store_bind_int(st, 2, all);
		store_bind_int(st, 3, rq->user.id);
		store_bind_int(st, 4, rq->user.id);
		while (store_step(st) == STORE_ROW)
			file_json(rq->app, st, list);
		e = ERR_OK;
	}
	store_finish(st);
	store_release(c);
	if (e != ERR_OK) {
		json_decref(list);
		return http_error(rs, e, err_message_ja(e));
	}
	struct exchange_config cfg;
	exchange_config_read(rq->app, &cfg);
	return http_json(rs, 200,
			 json_pack("{s:o, s:I, s:i, s:i}", "files", list, "max_bytes",
				   (json_int_t)cfg.max_bytes, "max_days", cfg.max_days, "attempts",
				   cfg.attempts));
}

/* Writes name as RFC 5987 pct-encoded UTF-8 into out (n bytes), cutting it when it is long. */
static void pct_encode(const char *name, char *out, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t k = 0;
	for (const unsigned char *p = (const unsigned char *)name; *p && k + 4 < n; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    *p == '.' || *p == '-' || *p == '_') {
			out[k++] = (char)*p;
		} else {
			out[k++] = '%';
			out[k++] = hex[*p >> 4];
			out[k++] = hex[*p & 15];
		}
	}
	out[k] = '\0';
}

enum err api_ex_download(struct http_req *rq, struct http_resp *rs)
{
	json_t *body = NULL;
	struct exchange_got got = {0};
	const char *code = NULL, *why = NULL;
	int left = 0;
	char enc[EXCHANGE_NAME_MAX * 3 + 8], disp[EXCHANGE_NAME_MAX * 3 + 64];
	int64_t id = http_param_id(rq->params[0]);
	if (!id)
		return http_error(rs, ERR_NOTFOUND, "そのファイルはありません。");
	enum err e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	const char *password = json_string_value(json_object_get(body, "password"));
	if (!password || !*password || strlen(password) > 64) {
		json_decref(body);
		return http_error_as(rs, ERR_INVALID, "password_required",
				     "パスワードを入れてください。");
	}
	e = exchange_get(rq->app, id, rq->user.id, password, rq->actor, &got, &left, &code, &why);
	json_decref(body);
	if (e == ERR_FORBIDDEN) {
		char msg[256];
		snprintf(msg, sizeof msg, "%s あと %d 回間違えると、このファイルは開けなくなります。",
			 why, left);
		return http_error_as(rs, e, code, msg);
	}
	if (e != ERR_OK)
		return code ? http_error_as(rs, e, code, why) : http_error(rs, e, why);
	json_t *m = json_loads(got.meta, 0, NULL);
	const char *name = json_string_value(json_object_get(m, "name"));
	pct_encode(name ? name : "file", enc, sizeof enc);
	snprintf(disp, sizeof disp, "attachment; filename=\"exchange-%" PRId64 "\"; filename*=UTF-8''%s",
		 id, enc);
	json_decref(m);
	http_set_header(rs, "Content-Disposition", disp);
	buf_free(&rs->body);
	buf_init(&rs->body, got.len + 1);
	e = buf_append(&rs->body, got.data, got.len);
	exchange_got_free(&got);
	if (e != ERR_OK)
		return http_error(rs, e, err_message_ja(e));
	rs->status = 200;
	rs->content_type = "application/octet-stream";
	return ERR_OK;
}

enum err api_ex_withdraw(struct http_req *rq, struct http_resp *rs)
{
	int64_t id = http_param_id(rq->params[0]);
	if (!id)
		return http_error(rs, ERR_NOTFOUND, "そのファイルはありません。");
	int64_t sender = rq->role == ROLE_WARD_ADMIN ? 0 : rq->user.id;
	enum err e = exchange_withdraw(rq->app, id, rq->user.id, sender, rq->actor);
	if (e == ERR_NOTFOUND)
		return http_error(rs, e, "そのファイルはありません（消去済みか、あなたが送ったものでは"
					 "ありません）。");
	if (e != ERR_OK)
		return http_error(rs, e, err_message_ja(e));
	return http_json(rs, 200, json_pack("{s:I, s:b}", "id", (json_int_t)id, "deleted", 1));
}
