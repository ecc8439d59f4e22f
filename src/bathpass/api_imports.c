/* SPDX-License-Identifier: MIT */
/* api_imports.c — head office's review of import snapshots: the list, one snapshot's
 * differences (who is new, changed in which fields, gone and why, which lines were rejected)
 * and its approval by a second person. The import itself is `mimamori import residents` on the
 * server (the host's extract is a file there, larger than a request may be). */
#include "bathpass/api.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth/audit.h"
#include "base/clock.h"
#include "store/store.h"
#include "vault/vault.h"

#define ROWS_MAX 2000 /* differences in one answer (the rest: ?offset=) */

enum err api_bath_imports(struct http_req *rq, struct http_resp *rs)
{
	struct store_conn *c = store_acquire(rq->app->store);
	struct store_stmt *st = store_prepare(
	    c,
	    "SELECT s.id, s.created_ms, u.login, s.encoding, s.total_rows, s.n_new, "
	    "s.n_changed, s.n_gone, s.n_unchanged, s.n_rejected, s.status, s.refusal, "
	    "COALESCE(d.login, ''), s.created_by FROM bath_snapshots s JOIN users u ON u.id = "
	    "s.created_by LEFT JOIN users d ON d.id = s.decided_by ORDER BY s.id DESC LIMIT 100");
	json_t *arr = json_array();
	int r = -1;
	while (st && (r = store_step(st)) == STORE_ROW) {
		char at[32];
		clock_jst_iso(store_col_int(st, 1), at, sizeof at);
		json_array_append_new(
		    arr, json_pack("{s:I,s:s,s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:s,s:s,s:s,s:b}",
				   "id", (json_int_t)store_col_int(st, 0), "created_at", at,
				   "created_by", store_col_text(st, 2), "encoding",
				   store_col_text(st, 3), "rows", (json_int_t)store_col_int(st, 4),
				   "new", (json_int_t)store_col_int(st, 5), "changed",
				   (json_int_t)store_col_int(st, 6), "gone",
				   (json_int_t)store_col_int(st, 7), "unchanged",
				   (json_int_t)store_col_int(st, 8), "rejected",
				   (json_int_t)store_col_int(st, 9), "status",
				   store_col_text(st, 10), "refusal", store_col_text(st, 11),
				   "decided_by", store_col_text(st, 12), "mine",
				   store_col_int(st, 13) == rq->user.id));
	}
	store_finish(st);
	store_release(c);
	if (r < 0) {
		json_decref(arr);
		return ERR_DB;
	}
	return http_json(rs, 200, json_pack("{s:o}", "imports", arr));
}

/* The name and kana of a difference: from its sealed row, or (gone from the extract) from the
 * ledger. Sets them on o. */
static void who(struct store_conn *c, const struct vault *v, struct store_stmt *st, json_t *o)
{
	size_t len = 0;
	char *data = NULL;
	if (!store_col_is_null(st, 6)) {
		const void *blob = store_col_blob(st, 6, &len);
		if (vault_unseal(v, "bath_snapshot_rows.data", blob, len, &data) == ERR_OK) {
			char *f[4] = {data, NULL, NULL, NULL};
			for (int i = 1; i < 4; i++) {
				char *sep = strchr(f[i - 1], '\x1f');
				if (!sep)
					break;
				*sep = '\0';
				f[i] = sep + 1;
			}
			if (f[3]) {
				char *end = strchr(f[3], '\x1f');
				if (end)
					*end = '\0';
				json_object_set_new(o, "resident_no", json_string(f[0]));
				json_object_set_new(o, "name", json_string(f[1]));
				json_object_set_new(o, "kana", json_string(f[2]));
				json_object_set_new(o, "birth", json_string(f[3]));
			}
			vault_wipe_free(data);
		}
		return;
	}
	int64_t pid = store_col_int(st, 3);
	struct bath_person p;
	if (pid && bath_person_load(c, v, pid, &p) == ERR_OK) {
		json_object_set_new(o, "resident_no", json_string(p.f[BF_RESIDENT]));
		json_object_set_new(o, "name", json_string(p.f[BF_NAME]));
		json_object_set_new(o, "kana", json_string(p.f[BF_KANA]));
		json_object_set_new(o, "birth", json_string(p.f[BF_BIRTH]));
		bath_person_clear(&p);
	}
}

enum err api_bath_import(struct http_req *rq, struct http_resp *rs)
{
	int64_t id = http_param_id(rq->params[0]);
	const char *off = http_query(rq, "offset");
	char *end = NULL;
	long long offset = off ? strtoll(off, &end, 10) : 0;
	if (off && (!end || *end || offset < 0 || offset > 10000000))
		return http_error(rs, ERR_INVALID, "offset は0以上の数です。");
	const struct vault *v = bathpass_vault(rq->app);
	struct store_conn *c = store_acquire(rq->app->store);
	struct store_stmt *st = store_prepare(
	    c, "SELECT status, refusal, n_new, n_changed, n_gone, n_unchanged, n_rejected, "
	       "total_rows, encoding, created_by FROM bath_snapshots WHERE id = ?");
	json_t *o = NULL;
	enum err e = ERR_DB;
	if (!st)
		goto out;
	store_bind_int(st, 1, id);
	int r = store_step(st);
	if (r != STORE_ROW) {
		store_finish(st);
		e = r == STORE_DONE ? http_error(rs, ERR_NOTFOUND, "その取り込みはありません。")
				    : ERR_DB;
		goto out;
	}
	o = json_pack(
	    "{s:I,s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:s,s:b}", "id", (json_int_t)id, "status",
	    store_col_text(st, 0), "refusal", store_col_text(st, 1), "new",
	    (json_int_t)store_col_int(st, 2), "changed", (json_int_t)store_col_int(st, 3), "gone",
	    (json_int_t)store_col_int(st, 4), "unchanged", (json_int_t)store_col_int(st, 5),
	    "rejected", (json_int_t)store_col_int(st, 6), "rows", (json_int_t)store_col_int(st, 7),
	    "encoding", store_col_text(st, 8), "mine", store_col_int(st, 9) == rq->user.id);
	store_finish(st);
	char object[48];
	snprintf(object, sizeof object, "bath_snapshot:%" PRId64, id);
	e = audit_read_append(c, rq->app->vault, rq->actor, "bathpass.import.read", object, "",
			      clock_now_ms(), NULL);
	if (e != ERR_OK)
		goto out;
	st = store_prepare(c, "SELECT kind, line, fields, COALESCE(person_id, 0), reason, id, data "
			      "FROM bath_snapshot_rows WHERE snapshot_id = ? ORDER BY id LIMIT ? "
			      "OFFSET ?");
	if (!st) {
		e = ERR_DB;
		goto out;
	}
	store_bind_int(st, 1, id);
	store_bind_int(st, 2, ROWS_MAX + 1);
	store_bind_int(st, 3, offset);
	json_t *arr = json_array();
	size_t n = 0;
	while ((r = store_step(st)) == STORE_ROW && n < ROWS_MAX) {
		json_t *row = json_pack("{s:s,s:I,s:s,s:s}", "kind", store_col_text(st, 0), "line",
					(json_int_t)store_col_int(st, 1), "fields",
					store_col_text(st, 2), "reason", store_col_text(st, 4));
		if (strcmp(store_col_text(st, 0), "rejected") != 0)
			who(c, v, st, row);
		json_array_append_new(arr, row);
		n++;
	}
	int more = r == STORE_ROW;
	store_finish(st);
	json_object_set_new(o, "differences", arr);
	json_object_set_new(o, "more", json_boolean(more));
	e = ERR_OK;
out:
	store_release(c);
	if (e != ERR_OK) {
		json_decref(o);
		return e;
	}
	return http_json(rs, 200, o);
}

enum err api_bath_import_approve(struct http_req *rq, struct http_resp *rs)
{
	int64_t id = http_param_id(rq->params[0]);
	const char *why = NULL;
	enum err e =
	    id ? bath_snapshot_approve(rq->app, id, rq->user.id, rq->actor, &why) : ERR_NOTFOUND;
	if (e == ERR_FORBIDDEN)
		return http_error_as(rs, e, "second_approver_required", why);
	if (e != ERR_OK && why)
		return http_error(rs, e, why);
	if (e == ERR_NOTFOUND)
		return http_error(rs, e, "その取り込みはありません。");
	if (e != ERR_OK)
		return e;
	return http_json(rs, 200,
			 json_pack("{s:I,s:s}", "id", (json_int_t)id, "status", "approved"));
}
