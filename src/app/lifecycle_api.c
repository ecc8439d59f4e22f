/* SPDX-License-Identifier: MIT */
/* lifecycle_api.c — the ward administrator's API for backups (the list, the last success, one
 * made now) and for erasing a service (ask, confirm as another administrator, cancel, the
 * certificate). Routes in src/routes.c; pages web/ward/backups.html and web/ward/erasure.html. */
#include "app/lifecycle_api.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "app.h"
#include "app/erase.h"
#include "app/lifecycle.h"
#include "app/service.h"
#include "auth/audit.h"
#include "base/clock.h"
#include "base/xalloc.h"
#include "store/store.h"

static json_t *stamp(int64_t ms)
{
	char iso[32];
	if (ms <= 0)
		return json_null();
	clock_jst_iso(ms, iso, sizeof iso);
	return json_string(iso);
}

/* The backup files now in dir, newest first. */
static json_t *files_in(const char *dir)
{
	json_t *arr = json_array();
	DIR *d = opendir(dir);
	if (!d)
		return arr;
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l < 6 || strcmp(de->d_name + l - 5, ".mmbk") != 0)
			continue;
		char *p = xasprintf("%s/%s", dir, de->d_name);
		struct stat sb;
		if (stat(p, &sb) == 0)
			json_array_append_new(arr, json_pack("{s:s,s:I,s:o}", "name", de->d_name,
							     "bytes", (json_int_t)sb.st_size,
							     "modified",
							     stamp((int64_t)sb.st_mtime * 1000)));
		free(p);
	}
	closedir(d);
	/* newest first: the names carry the time */
	size_t n = json_array_size(arr);
	for (size_t i = 0; i + 1 < n; i++)
		for (size_t j = 0; j + 1 < n - i; j++) {
			const char *x = json_string_value(json_object_get(json_array_get(arr, j), "name"));
			const char *y =
			    json_string_value(json_object_get(json_array_get(arr, j + 1), "name"));
			if (strcmp(x, y) < 0) {
				json_t *t = json_incref(json_array_get(arr, j));
				json_array_set(arr, j, json_array_get(arr, j + 1));
				json_array_set_new(arr, j + 1, t);
			}
		}
	return arr;
}

static json_t *run_json(struct store_stmt *st)
{
	return json_pack("{s:I,s:o,s:o,s:s,s:I,s:b,s:s,s:s,s:s?}", "id",
			 (json_int_t)store_col_int(st, 0), "started", stamp(store_col_int(st, 1)),
			 "finished", stamp(store_col_int(st, 2)), "file", store_col_text(st, 3),
			 "bytes", (json_int_t)store_col_int(st, 4), "ok", store_col_int(st, 5) == 1,
			 "how", store_col_text(st, 6), "actor", store_col_text(st, 7), "problem",
			 store_col_is_null(st, 8) ? NULL : store_col_text(st, 8));
}

enum err api_backup_list(struct http_req *rq, struct http_resp *rs)
{
	struct backup_settings set;
	backup_settings_read(rq->app->data_dir, &set);
	json_t *runs = json_array(), *last = json_null();
	struct store_conn *c = store_acquire(rq->app->store);
	struct store_stmt *st = store_prepare(
	    c, "SELECT id, started_ms, finished_ms, file, bytes, ok, how, actor, problem FROM "
	       "backup_runs ORDER BY id DESC LIMIT 50");
	enum err e = ERR_DB;
	if (st) {
		while (store_step(st) == STORE_ROW)
			json_array_append_new(runs, run_json(st));
		store_finish(st);
		st = store_prepare(c, "SELECT id, started_ms, finished_ms, file, bytes, ok, how, "
				      "actor, problem FROM backup_runs WHERE ok = 1 ORDER BY id "
				      "DESC LIMIT 1");
	}
	if (st) {
		if (store_step(st) == STORE_ROW) {
			json_decref(last);
			last = run_json(st);
		}
		store_finish(st);
		e = ERR_OK;
	}
	store_release(c);
	char hhmm[32] = "";
	if (set.time_min >= 0)
		snprintf(hhmm, sizeof hhmm, "%02d:%02d", set.time_min / 60, set.time_min % 60);
	json_t *out = json_pack("{s:s,s:i,s:s?,s:o,s:o,s:o}", "dir", set.dir, "keep", set.keep,
				"time", hhmm[0] ? hhmm : NULL, "last_success", last, "runs", runs,
				"files", files_in(set.dir));
	backup_settings_free(&set);
	if (e != ERR_OK) {
		json_decref(out);
		return http_error(rs, e, "バックアップの記録を読めません");
	}
	return http_json(rs, 200, out);
}

enum err api_backup_create(struct http_req *rq, struct http_resp *rs)
{
	char *made = NULL;
	int64_t bytes = 0;
	int key_made = 0;
	const char *why = NULL;
	enum err e = backup_make(rq->app, NULL, BACKUP_SCREEN, rq->actor, &made, &bytes, &key_made,
				 &why);
	if (e != ERR_OK)
		return http_error_as(rs, ERR_IO, "backup_failed",
				     why ? why : "バックアップできませんでした");
	const char *base = strrchr(made, '/');
	json_t *out = json_pack("{s:s,s:I,s:b}", "file", base ? base + 1 : made, "bytes",
				(json_int_t)bytes, "key_made", key_made);
	free(made);
	return http_json(rs, 201, out);
}

/* A login by user id ("" when gone). */
static json_t *login_of(struct store_conn *c, int64_t id)
{
	struct store_stmt *st = store_prepare(c, "SELECT login FROM users WHERE id = ?");
	json_t *v = json_null();
	if (!st)
		return v;
	store_bind_int(st, 1, id);
	if (store_step(st) == STORE_ROW) {
		json_decref(v);
		v = json_string(store_col_text(st, 0));
	}
	store_finish(st);
	return v;
}

enum err api_erasure_list(struct http_req *rq, struct http_resp *rs)
{
	json_t *svcs = json_array(), *list = json_array();
	for (const struct service *const *sv = app_services(); *sv; sv++) {
		const char *one[1];
		if (erase_tables((*sv)->name, one, 1) == 0)
			continue;
		char *items = erase_items_ja((*sv)->name);
		json_array_append_new(svcs, json_pack("{s:s,s:s,s:s,s:s}", "name", (*sv)->name,
						      "label", (*sv)->label_ja, "file",
						      (*sv)->label_ja, "items", items));
		free(items);
	}
	struct store_conn *c = store_acquire(rq->app->store);
	struct store_stmt *st = store_prepare(
	    c, "SELECT id, service, state, requested_by, requested_ms, confirmed_by, done_ms, "
	       "fingerprint, counts FROM erasures ORDER BY id DESC LIMIT 100");
	enum err e = ERR_DB;
	if (st) {
		struct row {
			int64_t id, by, conf, req_ms, done_ms;
			char service[64], state[16], fp[32];
			char *counts;
		} rows[100];
		size_t n = 0;
		while (n < 100 && store_step(st) == STORE_ROW) {
			struct row *r = &rows[n++];
			r->id = store_col_int(st, 0);
			snprintf(r->service, sizeof r->service, "%s", store_col_text(st, 1));
			snprintf(r->state, sizeof r->state, "%s", store_col_text(st, 2));
			r->by = store_col_int(st, 3);
			r->req_ms = store_col_int(st, 4);
			r->conf = store_col_is_null(st, 5) ? 0 : store_col_int(st, 5);
			r->done_ms = store_col_is_null(st, 6) ? 0 : store_col_int(st, 6);
			snprintf(r->fp, sizeof r->fp, "%s",
				 store_col_is_null(st, 7) ? "" : store_col_text(st, 7));
			r->counts = store_col_is_null(st, 8) ? NULL : xstrdup(store_col_text(st, 8));
		}
		store_finish(st);
		for (size_t i = 0; i < n; i++) {
			struct row *r = &rows[i];
			json_t *counts = r->counts ? json_loads(r->counts, 0, NULL) : NULL;
			json_array_append_new(
			    list,
			    json_pack("{s:I,s:s,s:s,s:o,s:o,s:b,s:o,s:o,s:s?,s:o?}", "id",
				      (json_int_t)r->id, "service", r->service, "state", r->state,
				      "requested_by", login_of(c, r->by), "requested_at",
				      stamp(r->req_ms), "mine", r->by == rq->user.id,
				      "confirmed_by", r->conf ? login_of(c, r->conf) : json_null(),
				      "done_at", stamp(r->done_ms), "fingerprint",
				      r->fp[0] ? r->fp : NULL, "counts", counts));
			free(r->counts);
		}
		e = ERR_OK;
	}
	store_release(c);
	if (e != ERR_OK) {
		json_decref(svcs);
		json_decref(list);
		return http_error(rs, e, "消去の記録を読めません");
	}
	return http_json(rs, 200, json_pack("{s:o,s:o}", "services", svcs, "erasures", list));
}

enum err api_erasure_create(struct http_req *rq, struct http_resp *rs)
{
	json_t *body = NULL;
	enum err e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	const char *service = json_string_value(json_object_get(body, "service"));
	const char *why = NULL;
	int64_t id = 0;
	if (!service)
		e = http_error(rs, ERR_INVALID, "消去するサービス（service）を指定してください");
	else
		e = erase_request(rq->app, service, rq->user.id, rq->actor, &id, &why);
	if (e == ERR_OK)
		e = http_json(rs, 201, json_pack("{s:I,s:s}", "id", (json_int_t)id, "state",
						 "pending"));
	else if (service)
		e = e == ERR_CONFLICT ? http_error_as(rs, e, "erase_pending", why)
				      : http_error(rs, e, why ? why : "消去を依頼できません");
	json_decref(body);
	return e;
}

enum err api_erasure_confirm(struct http_req *rq, struct http_resp *rs)
{
	int64_t id = http_param_id(rq->params[0]);
	const char *why = NULL;
	if (id <= 0)
		return http_error(rs, ERR_NOTFOUND, "その消去の依頼はありません");
	enum err e = erase_confirm(rq->app, id, rq->user.id, rq->actor, NULL, &why);
	if (e == ERR_FORBIDDEN)
		return http_error_as(rs, e, "same_person", why);
	if (e != ERR_OK)
		return http_error(rs, e, why ? why : "消去できませんでした");
	return http_json(rs, 200, json_pack("{s:I,s:s,s:s?}", "id", (json_int_t)id, "state", "done",
					    "warning", why));
}

enum err api_erasure_cancel(struct http_req *rq, struct http_resp *rs)
{
	int64_t id = http_param_id(rq->params[0]);
	enum err e = id > 0 ? erase_cancel(rq->app, id, rq->actor) : ERR_NOTFOUND;
	if (e != ERR_OK)
		return http_error(rs, e, "取り消せる消去の依頼はありません");
	return http_json(rs, 200, json_pack("{s:I,s:s}", "id", (json_int_t)id, "state",
					    "cancelled"));
}

enum err api_erasure_certificate(struct http_req *rq, struct http_resp *rs)
{
	int64_t id = http_param_id(rq->params[0]);
	struct store_conn *c = store_acquire(rq->app->store);
	struct store_stmt *st = store_prepare(
	    c, "SELECT certificate, service FROM erasures WHERE id = ? AND state = 'done'");
	enum err e = ERR_DB;
	char name[96] = "";
	if (st) {
		store_bind_int(st, 1, id);
		int rc = store_step(st);
		e = rc == STORE_ROW ? ERR_OK : rc == STORE_DONE ? ERR_NOTFOUND : ERR_DB;
		if (rc == STORE_ROW) {
			size_t n = 0;
			const void *p = store_col_blob(st, 0, &n);
			e = buf_append(&rs->body, p, n);
			snprintf(name, sizeof name, "attachment; filename=\"erasure-%lld-%s.pdf\"",
				 (long long)id, store_col_text(st, 1));
		}
		store_finish(st);
	}
	if (e == ERR_OK) {
		char object[32];
		snprintf(object, sizeof object, "erasure:%lld", (long long)id);
		e = audit_append(c, rq->app->vault, rq->actor, "erase.certificate", object, "");
	}
	store_release(c);
	if (e != ERR_OK)
		return http_error(rs, e, e == ERR_NOTFOUND ? "その消去証明書はありません"
							   : "消去証明書を読めません");
	rs->status = 200;
	rs->content_type = "application/pdf";
	return http_set_header(rs, "Content-Disposition", name);
}
