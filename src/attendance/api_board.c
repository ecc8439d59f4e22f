/* SPDX-License-Identifier: MIT */
/* api_board.c — GET /api/v1/sites/{code}/board: today's children at a site (present, left,
 * not yet arrived; "manual" when staff entered the last scan). Reading names is a read of
 * personal data and is audited. */
#include "attendance/attendance_api.h"

#include <stdio.h>
#include <string.h>

#include "app.h"
#include "attendance/attendance.h"
#include "auth/audit.h"
#include "base/clock.h"
#include "store/store.h"
#include "vault/vault.h"

static json_t *time_or_null(int64_t ms)
{
	if (!ms)
		return json_null();
	char hhmm[8];
	clock_jst_hhmm(ms, hhmm, sizeof hhmm);
	return json_string(hhmm);
}

enum err api_board_get(struct http_req *rq, struct http_resp *rs)
{
	struct site site;
	char day[16];
	json_t *children = json_array();
	int64_t counts[3] = {0, 0, 0};
	struct store_conn *c = store_acquire(rq->app->store);
	struct store_stmt *st = NULL;
	enum err e = api_site_for_caller(rq, rs, c, &site, "board of another site",
					 "this board belongs to another site");
	if (e != ERR_OK)
		goto out;
	clock_jst_date(clock_now_ms(), day, sizeof day);
	/* First entry and last scan of today per child, in one pass. */
	st = store_prepare(
	    c, "SELECT ch.id, ch.child_no, ch.name_enc, ch.kana_enc, ch.grade, "
	       "(SELECT MIN(at_ms) FROM scans s WHERE s.child_id = ch.id AND s.day = ?2 AND "
	       " s.direction = 'in'), "
	       "(SELECT direction || ':' || at_ms || ':' || (manual_by IS NOT NULL) FROM scans s "
	       " WHERE s.child_id = ch.id AND "
	       " s.day = ?2 ORDER BY at_ms DESC, id DESC LIMIT 1) "
	       "FROM children ch WHERE ch.site_id = ?1 AND ch.active = 1 "
	       "ORDER BY ch.grade, ch.child_no");
	e = ERR_DB;
	if (!st)
		goto out;
	store_bind_int(st, 1, site.id);
	store_bind_text(st, 2, day);
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		char *name = NULL, *kana = NULL;
		size_t l1, l2;
		const void *b1 = store_col_blob(st, 2, &l1), *b2 = store_col_blob(st, 3, &l2);
		if (vault_unseal(rq->app->vault, "children.name", b1, l1, &name) != ERR_OK ||
		    vault_unseal(rq->app->vault, "children.kana", b2, l2, &kana) != ERR_OK) {
			vault_wipe_free(name);
			e = ERR_CRYPTO;
			goto out;
		}
		int64_t first_in = store_col_is_null(st, 5) ? 0 : store_col_int(st, 5);
		const char *last = store_col_text(st, 6);
		const char *status = "not_arrived";
		int64_t out_at = 0;
		int idx = 2;
		if (last && strncmp(last, "in:", 3) == 0) {
			status = "present";
			idx = 0;
		} else if (last && strncmp(last, "out:", 4) == 0) {
			status = "left";
			idx = 1;
			long long v = 0;
			if (sscanf(last + 4, "%lld", &v) == 1)
				out_at = v;
		}
		/* "in:<ms>:<manual>": a last scan entered by staff is shown as manual. */
		const char *flag = last ? strrchr(last, ':') : NULL;
		int manual = flag && strcmp(flag, ":1") == 0;
		counts[idx]++;
		json_t *row = json_pack("{s:s,s:s,s:s,s:i,s:s,s:o,s:o}", "child_no",
					store_col_text(st, 1), "name", name, "kana", kana, "grade",
					(int)store_col_int(st, 4), "status", status, "in_at",
					time_or_null(first_in), "out_at", time_or_null(out_at));
		vault_wipe_free(name);
		vault_wipe_free(kana);
		if (row && manual)
			json_object_set_new(row, "manual", json_true());
		if (!row) {
			/* A board that silently lacks a child is worse than no board. */
			e = ERR_IO;
			goto out;
		}
		json_array_append_new(children, row);
	}
	if (rc != STORE_DONE)
		goto out;
	store_finish(st);
	st = NULL;
	char object[64], detail[48];
	snprintf(object, sizeof object, "site:%s", site.code);
	snprintf(detail, sizeof detail, "children=%zu", json_array_size(children));
	e = audit_append(c, rq->app->vault, rq->actor, "board.read", object, detail);
out:
	store_finish(st);
	store_release(c);
	if (e != ERR_OK) {
		json_decref(children);
		return e;
	}
	return http_json(rs, 200,
			 json_pack("{s:{s:s,s:s},s:s,s:{s:I,s:I,s:I},s:o}", "site", "code",
				   site.code, "name", site.name, "day", day, "counts", "present",
				   (json_int_t)counts[0], "left", (json_int_t)counts[1],
				   "not_arrived", (json_int_t)counts[2], "children", children));
}
