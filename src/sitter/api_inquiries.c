/* SPDX-License-Identifier: MIT */
/* api_inquiries.c — the call center's log (コールセンター業務, seed 004 (1)): each inquiry with
 * its day, channel, topic, the application when the caller's is known, what was asked (相談内容)
 * and answered (both sealed), who took it, and whether it is resolved; the open ones listed. */
#include "sitter/api.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "auth/audit.h"
#include "base/clock.h"
#include "store/store.h"
#include "vault/vault.h"

#define CONTENT_MAX 4000

static const char *const channels[] = {"phone", "mail", "counter", "web", NULL};
static const char *const topics[] = {"eligibility", "how", "status", "payment", "correction",
				     "other", NULL};
static const char *const topic_labels[] = {"対象・要件", "申請のしかた", "審査の状況",
					   "振込・支払", "補正・訂正", "その他", NULL};

/* The index of s in list, or -1. */
static int index_of(const char *const *list, const char *s)
{
	for (int i = 0; s && list[i]; i++)
		if (strcmp(list[i], s) == 0)
			return i;
	return -1;
}

/* A multi-line text of at most CONTENT_MAX bytes, or NULL. */
static const char *text_of(json_t *body, const char *key, int empty_ok)
{
	const char *s = json_string_value(json_object_get(body, key));
	if (!s || (!*s && !empty_ok) || strlen(s) > CONTENT_MAX)
		return NULL;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20 && *p != '\n')
			return NULL;
	return s;
}

/* Appends inquiry rows of st (id, at_ms, channel, topic, number, content, answer, resolved,
 * login) to arr, unsealed. */
static enum err rows(const struct vault *v, struct store_stmt *st, json_t *arr)
{
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		char *content = NULL, *answer = NULL, at[32];
		size_t n = 0;
		const void *b = store_col_blob(st, 5, &n);
		if (vault_unseal(v, "sitter_inquiries.content", b, n, &content) != ERR_OK)
			return ERR_CRYPTO;
		b = store_col_blob(st, 6, &n);
		if (vault_unseal(v, "sitter_inquiries.answer", b, n, &answer) != ERR_OK) {
			vault_wipe_free(content);
			return ERR_CRYPTO;
		}
		clock_jst_iso(store_col_int(st, 1), at, sizeof at);
		int t = index_of(topics, store_col_text(st, 3));
		json_array_append_new(
		    arr, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s?, s:s, s:s, s:b, s:s?}", "id",
				   (json_int_t)store_col_int(st, 0), "at", at, "channel",
				   store_col_text(st, 2), "topic", store_col_text(st, 3),
				   "topic_label", t >= 0 ? topic_labels[t] : "", "number",
				   store_col_is_null(st, 4) ? NULL : store_col_text(st, 4), "content",
				   content, "answer", answer, "resolved", (int)store_col_int(st, 7),
				   "by", store_col_is_null(st, 8) ? NULL : store_col_text(st, 8)));
		vault_wipe_free(content);
		vault_wipe_free(answer);
	}
	return rc == STORE_DONE ? ERR_OK : ERR_DB;
}

#define SELECT_INQUIRIES                                                                           \
	"SELECT i.id, i.at_ms, i.channel, i.topic, a.number, i.content, i.answer, i.resolved, "   \
	"u.login FROM sitter_inquiries i LEFT JOIN sitter_applications a ON a.id = "              \
	"i.application_id LEFT JOIN users u ON u.id = i.user_id "

enum err api_sitter_inquiries(struct http_req *rq, struct http_resp *rs)
{
	const char *open = http_query(rq, "open"), *q = http_query(rq, "q");
	json_t *arr = json_array();
	enum err e = sitter_scope(rq, rs);
	if (e != ERR_OK) {
		json_decref(arr);
		return e;
	}
	struct store_conn *c = store_acquire(rq->app->store);
	struct store_stmt *st = store_prepare(
	    c, SELECT_INQUIRIES "WHERE (?1 = 0 OR i.resolved = 0) AND (?2 = '' OR a.number = ?2) "
			    "ORDER BY i.at_ms DESC LIMIT 500");
	e = ERR_DB;
	if (st) {
		store_bind_int(st, 1, open && strcmp(open, "1") == 0);
		store_bind_text(st, 2, q ? q : "");
		e = rows(sitter_vault(rq->app), st, arr);
		store_finish(st);
	}
	if (e == ERR_OK)
		e = audit_append(c, rq->app->vault, rq->actor, "sitter.inquiries", "sitter",
				 q ? "search" : "");
	store_release(c);
	if (e != ERR_OK) {
		json_decref(arr);
		return e;
	}
	return http_json(rs, 200, json_pack("{s:o}", "inquiries", arr));
}

/* Answers with inquiry id as stored. */
static enum err answer_one(struct http_req *rq, struct http_resp *rs, struct store_conn *c,
			   int64_t id, unsigned status)
{
	json_t *arr = json_array();
	enum err e = ERR_DB;
	struct store_stmt *st = store_prepare(c, SELECT_INQUIRIES "WHERE i.id = ?1");
	if (st) {
		store_bind_int(st, 1, id);
		e = rows(sitter_vault(rq->app), st, arr);
		store_finish(st);
	}
	if (e == ERR_OK && json_array_size(arr) == 0)
		e = http_error_as(rs, ERR_NOTFOUND, "no_inquiry", "その問い合わせはありません。");
	if (e != ERR_OK) {
		json_decref(arr);
		return e;
	}
	json_t *one = json_incref(json_array_get(arr, 0));
	json_decref(arr);
	return http_json(rs, status, json_pack("{s:o}", "inquiry", one));
}

enum err api_sitter_inquiry_add(struct http_req *rq, struct http_resp *rs)
{
	const struct vault *v = sitter_vault(rq->app);
	json_t *body = NULL;
	int64_t app_id = 0, id = 0, now = clock_now_ms();
	struct store_conn *c = NULL;
	enum err e = sitter_scope(rq, rs);
	if (e == ERR_OK)
		e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	int ch = index_of(channels, json_string_value(json_object_get(body, "channel")));
	int tp = index_of(topics, json_string_value(json_object_get(body, "topic")));
	const char *content = text_of(body, "content", 0), *answer = text_of(body, "answer", 1);
	const char *number = json_string_value(json_object_get(body, "number"));
	if (ch < 0 || tp < 0) {
		e = http_error_as(rs, ERR_INVALID, "bad_inquiry",
				  "受付の方法（電話・メール・窓口・ウェブ）と内容の分類を選んでください。");
		goto out;
	}
	if (!content || !answer) {
		e = http_error_as(rs, ERR_INVALID, "bad_inquiry",
				  "相談内容を書いてください（回答とあわせて4000バイトまで）。");
		goto out;
	}
	c = store_acquire(rq->app->store);
	if (number && *number && sitter_app_by_number(c, number, &app_id) != ERR_OK) {
		e = http_error_as(rs, ERR_INVALID, "no_application",
				  "その申請番号の申請はありません。番号を確かめてください。");
		goto out;
	}
	e = store_begin(c);
	struct store_stmt *st =
	    e == ERR_OK ? store_prepare(c, "INSERT INTO sitter_inquiries (at_ms, channel, topic, "
					   "application_id, content, answer, resolved, user_id, "
					   "updated_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?1)")
			: NULL;
	if (e == ERR_OK && !st)
		e = ERR_DB;
	if (st) {
		store_bind_int(st, 1, now);
		store_bind_text(st, 2, channels[ch]);
		store_bind_text(st, 3, topics[tp]);
		if (app_id)
			store_bind_int(st, 4, app_id);
		else
			store_bind_null(st, 4);
		vault_bind_sealed(v, st, 5, "sitter_inquiries.content", content);
		vault_bind_sealed(v, st, 6, "sitter_inquiries.answer", answer);
		store_bind_int(st, 7, json_is_true(json_object_get(body, "resolved")));
		store_bind_int(st, 8, rq->user.id);
		e = store_run(st);
		id = store_last_id(c);
		store_finish(st);
	}
	if (e == ERR_OK) {
		char object[48];
		snprintf(object, sizeof object, "sitter_inquiry:%" PRId64, id);
		e = audit_append(c, rq->app->vault, rq->actor, "sitter.inquiry", object, topics[tp]);
	}
	if (e == ERR_OK)
		e = store_commit(c);
	else if (store_in_tx(c))
		store_rollback(c);
	if (e == ERR_OK)
		e = answer_one(rq, rs, c, id, 201);
out:
	if (c)
		store_release(c);
	json_decref(body);
	return e;
}

enum err api_sitter_inquiry_update(struct http_req *rq, struct http_resp *rs)
{
	const struct vault *v = sitter_vault(rq->app);
	json_t *body = NULL;
	int64_t id = http_param_id(rq->params[0]);
	struct store_conn *c = NULL;
	enum err e = sitter_scope(rq, rs);
	if (e == ERR_OK)
		e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	const char *answer = text_of(body, "answer", 1);
	if (!answer) {
		e = http_error_as(rs, ERR_INVALID, "bad_inquiry", "回答を4000バイトまでで書いてください。");
		goto out;
	}
	c = store_acquire(rq->app->store);
	e = store_begin(c);
	struct store_stmt *st =
	    e == ERR_OK ? store_prepare(c, "UPDATE sitter_inquiries SET answer = ?1, resolved = ?2, "
					   "updated_ms = ?3 WHERE id = ?4")
			: NULL;
	if (e == ERR_OK && !st)
		e = ERR_DB;
	if (st) {
		vault_bind_sealed(v, st, 1, "sitter_inquiries.answer", answer);
		store_bind_int(st, 2, json_is_true(json_object_get(body, "resolved")));
		store_bind_int(st, 3, clock_now_ms());
		store_bind_int(st, 4, id);
		e = store_run(st);
		store_finish(st);
		if (e == ERR_OK && store_changes(c) != 1) {
			store_rollback(c);
			e = http_error_as(rs, ERR_NOTFOUND, "no_inquiry", "その問い合わせはありません。");
			goto out;
		}
	}
	if (e == ERR_OK) {
		char object[48];
		snprintf(object, sizeof object, "sitter_inquiry:%" PRId64, id);
		e = audit_append(c, rq->app->vault, rq->actor, "sitter.inquiry_update", object, "");
	}
	if (e == ERR_OK)
		e = store_commit(c);
	else if (store_in_tx(c))
		store_rollback(c);
	if (e == ERR_OK)
		e = answer_one(rq, rs, c, id, 200);
out:
	if (c)
		store_release(c);
	json_decref(body);
	return e;
}
