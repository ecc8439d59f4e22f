/* SPDX-License-Identifier: MIT */
/* ledger.c — the handover ledger: every exported file is recorded (with an audit entry) and
 * the ward admin can list them. */
#include "ledger/ledger.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth/audit.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/xalloc.h"
#include "http/http.h"
#include "store/store.h"
#include "vault/vault.h"

enum err ledger_record(struct app *a, const struct ledger_item *it, int64_t *ledger_id)
{
	unsigned char h[VAULT_HASH_LEN];
	char digest[2 * VAULT_HASH_LEN + 1], detail[256];
	struct store_conn *c = store_acquire(a->store);
	struct store_stmt *st = NULL;
	enum err e = ERR_DB;
	vault_hash(it->data ? it->data : "", it->len, h);
	vault_hex(h, sizeof h, digest);
	if (store_begin(c) != ERR_OK)
		goto out;
	st = store_prepare(c, "INSERT INTO ledger(at_ms, actor, content, records, lossy, bytes, "
			      "digest, service) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
	if (!st)
		goto out;
	store_bind_int(st, 1, clock_now_ms());
	store_bind_text(st, 2, it->actor);
	store_bind_text(st, 3, it->content);
	store_bind_int(st, 4, (int64_t)it->records);
	store_bind_int(st, 5, (int64_t)it->lossy);
	store_bind_int(st, 6, (int64_t)it->len);
	store_bind_text(st, 7, digest);
	store_bind_text(st, 8, it->service);
	e = store_run(st);
	store_finish(st);
	st = NULL;
	if (e != ERR_OK)
		goto out;
	int64_t id = store_last_id(c);
	snprintf(detail, sizeof detail, "%s records=%zu lossy=%zu ledger=%lld", it->content,
		 it->records, it->lossy, (long long)id);
	e = audit_append(c, a->vault, it->actor, "report.export", it->object, detail);
	if (e != ERR_OK)
		goto out;
	e = store_commit(c);
	if (e == ERR_OK && ledger_id)
		*ledger_id = id;
out:
	store_finish(st);
	store_rollback(c);
	store_release(c);
	return e;
}

enum err ledger_list(struct app *a, struct ledger_entry **entries, size_t *n)
{
	struct ledger_entry *v = NULL;
	size_t len = 0, cap = 0;
	struct store_conn *c = store_acquire(a->store);
	enum err e = ERR_DB;
	/* actor is "user:ID" for people: join on that text so the login shows in the list. */
	struct store_stmt *st = store_prepare(
	    c, "SELECT l.id, l.at_ms, l.actor, COALESCE(u.login, ''), l.content, l.records, "
	       "l.lossy, l.bytes, l.digest, l.service FROM ledger l "
	       "LEFT JOIN users u ON l.actor = 'user:' || u.id ORDER BY l.id");
	if (!st)
		goto out;
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		if (len == cap) {
			cap = cap ? cap * 2 : 64;
			v = xrealloc(v, cap * sizeof *v);
		}
		struct ledger_entry *l = &v[len++];
		memset(l, 0, sizeof *l);
		l->id = store_col_int(st, 0);
		l->at_ms = store_col_int(st, 1);
		snprintf(l->actor, sizeof l->actor, "%s", store_col_text(st, 2));
		snprintf(l->login, sizeof l->login, "%s", store_col_text(st, 3));
		snprintf(l->content, sizeof l->content, "%s", store_col_text(st, 4));
		l->records = store_col_int(st, 5);
		l->lossy = store_col_int(st, 6);
		l->bytes = store_col_int(st, 7);
		snprintf(l->digest, sizeof l->digest, "%s", store_col_text(st, 8));
		snprintf(l->service, sizeof l->service, "%s", store_col_text(st, 9));
	}
	if (rc != STORE_DONE)
		goto out;
	e = ERR_OK;
out:
	store_finish(st);
	store_release(c);
	if (e != ERR_OK) {
		free(v);
		return e;
	}
	*entries = v;
	*n = len;
	return ERR_OK;
}

enum err ledger_hand_over(struct http_req *rq, struct http_resp *rs, struct ledger_item *it,
			  struct buf *file, const char *content_type, const char *filename)
{
	char disp[200], num[32];
	int64_t id = 0;
	it->data = file->data;
	it->len = file->len;
	enum err e = ledger_record(rq->app, it, &id);
	if (e != ERR_OK)
		return http_error(rs, e,
				  "出力を受け渡し台帳に記録できなかったため、出力しませんでした。"
				  "もう一度お試しください。");
	snprintf(disp, sizeof disp, "attachment; filename=\"%s\"", filename);
	http_set_header(rs, "Content-Disposition", disp);
	snprintf(num, sizeof num, "%" PRId64, id);
	http_set_header(rs, "X-Mimamori-Ledger-Id", num);
	rs->status = 200;
	rs->content_type = content_type;
	size_t max = file->max;
	buf_free(&rs->body);
	rs->body = *file;
	buf_init(file, max); /* the answer owns the bytes now */
	return ERR_OK;
}
