/* SPDX-License-Identifier: MIT */
/* api_schools.c — schools as staff see them: the list with registrant counts (the ward every
 * school, school staff their own), counts per grade and class against last year (the only thing
 * a sender is ever shown), the printable registration letter, the school's staff accounts, and
 * the roll-over's alerts. */
#include "schoolmail/api.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth/audit.h"
#include "auth/user_admin.h"
#include "base/clock.h"
#include "store/store.h"
#include "vault/vault.h"

json_t *schoolmail_school_json(const struct school *s, int with_code)
{
	json_t *labels = json_array();
	for (int g = 1; g <= s->grades; g++) {
		char label[32];
		schoolmail_grade_label(s->kind, s->grades, g, label, sizeof label);
		json_array_append_new(labels, json_pack("{s:i,s:s}", "grade", g, "label", label));
	}
	json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:i,s:o,s:i,s:I}", "code", s->code, "name", s->name,
			      "kind", s->kind, "kind_label", schoolmail_kind_label(s->kind), "grades",
			      s->grades, "grade_labels", labels, "classes", s->classes,
			      "registrants", (json_int_t)s->registrants);
	if (o && with_code)
		json_object_set_new(o, "security_code", json_string(s->security_code));
	return o ? o : json_object();
}

/* Open roll-over alerts (not acknowledged) on c. */
static enum err open_alerts(struct store_conn *c, int64_t *n)
{
	struct store_stmt *st =
	    store_prepare(c, "SELECT COUNT(*) FROM school_alerts WHERE acknowledged_ms IS NULL");
	if (!st)
		return ERR_DB;
	enum err e = store_step(st) == STORE_ROW ? ERR_OK : ERR_DB;
	*n = e == ERR_OK ? store_col_int(st, 0) : 0;
	store_finish(st);
	return e;
}

enum err api_schools_list(struct http_req *rq, struct http_resp *rs)
{
	struct store_conn *c = store_acquire(rq->app->store);
	struct school *rows = NULL;
	size_t n = 0;
	int year = 0;
	int64_t own = 0, total = 0, alerts = 0;
	int ward = (rq->role & (ROLE_WARD_ADMIN | ROLE_WARD_STAFF)) != 0;
	enum err e = schoolmail_year(c, &year);
	if (e == ERR_OK && !ward) {
		e = schoolmail_user_school(c, rq->user.id, &own);
		if (e == ERR_NOTFOUND) {
			store_release(c);
			return http_error_as(rs, ERR_FORBIDDEN, "no_school",
					     "この利用者には学校・園が割り当てられていません。区の担当者に"
					     "連絡してください。");
		}
	}
	if (e == ERR_OK)
		e = schoolmail_school_list(c, &rows, &n);
	if (e == ERR_OK && ward)
		e = open_alerts(c, &alerts);
	store_release(c);
	if (e != ERR_OK) {
		free(rows);
		return e;
	}
	/* The security code is for those who print the letter: the ward admin and the school's
	 * administrator. A sender sees counts only. */
	int with_code = (rq->role & (ROLE_WARD_ADMIN | ROLE_SCHOOL_ADMIN)) != 0;
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++) {
		if (!ward && rows[i].id != own)
			continue;
		total += rows[i].registrants;
		json_array_append_new(arr, schoolmail_school_json(&rows[i], with_code));
	}
	free(rows);
	json_t *o = json_pack("{s:i,s:o,s:I}", "year", year, "schools", arr, "registrants",
			      (json_int_t)total);
	if (o && ward)
		json_object_set_new(o, "open_alerts", json_integer(alerts));
	return http_json(rs, 200, o);
}

/* Last year's registrants of school_id per grade (snapshot of the roll-over) into last[]. */
static enum err last_year(struct store_conn *c, int64_t school_id, int year,
			  int64_t last[SCHOOLMAIL_GRADES_MAX + 1], int *have)
{
	struct store_stmt *st = store_prepare(c, "SELECT grade, registrants FROM school_year_counts "
						 "WHERE year = ? AND school_id = ?");
	int rc = 0;
	*have = 0;
	memset(last, 0, sizeof(int64_t) * (SCHOOLMAIL_GRADES_MAX + 1));
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, year - 1);
	store_bind_int(st, 2, school_id);
	while ((rc = store_step(st)) == STORE_ROW) {
		int g = (int)store_col_int(st, 0);
		*have = 1;
		if (g >= 1 && g <= SCHOOLMAIL_GRADES_MAX)
			last[g] = store_col_int(st, 1);
	}
	store_finish(st);
	return rc == STORE_DONE ? ERR_OK : ERR_DB;
}

enum err api_school_counts(struct http_req *rq, struct http_resp *rs)
{
	struct school s;
	int64_t counts[SCHOOLMAIL_GRADES_MAX + 1][SCHOOLMAIL_CLASSES_MAX + 1];
	int64_t last[SCHOOLMAIL_GRADES_MAX + 1];
	int year = 0, have = 0;
	enum err e = schoolmail_scope(rq, rs, rq->params[0], &s);
	if (e != ERR_OK)
		return e;
	struct store_conn *c = store_acquire(rq->app->store);
	e = schoolmail_year(c, &year);
	if (e == ERR_OK)
		e = schoolmail_counts(c, s.id, counts);
	if (e == ERR_OK)
		e = last_year(c, s.id, year, last, &have);
	store_release(c);
	if (e != ERR_OK)
		return e;
	json_t *grades = json_array();
	int64_t total = 0;
	for (int g = 1; g <= s.grades; g++) {
		char label[32];
		int64_t sum = 0;
		json_t *classes = json_array();
		for (int k = 1; k <= s.classes; k++) {
			sum += counts[g][k];
			json_array_append_new(classes, json_pack("{s:i,s:I}", "class", k, "registrants",
								 (json_int_t)counts[g][k]));
		}
		/* registrations whose class is above the school's (classes reduced since) */
		for (int k = s.classes + 1; k <= SCHOOLMAIL_CLASSES_MAX; k++)
			sum += counts[g][k];
		total += sum;
		schoolmail_grade_label(s.kind, s.grades, g, label, sizeof label);
		json_t *o = json_pack("{s:i,s:s,s:I,s:o}", "grade", g, "label", label, "registrants",
				      (json_int_t)sum, "classes", classes);
		json_object_set_new(o, "last_year", have ? json_integer(last[g]) : json_null());
		json_array_append_new(grades, o);
	}
	json_t *school = json_pack("{s:s,s:s,s:s,s:i,s:i}", "code", s.code, "name", s.name,
				   "kind_label", schoolmail_kind_label(s.kind), "grades", s.grades,
				   "classes", s.classes);
	return http_json(rs, 200, json_pack("{s:o,s:i,s:I,s:o}", "school", school, "year", year,
					    "registrants", (json_int_t)total, "grades", grades));
}

enum err api_school_letter(struct http_req *rq, struct http_resp *rs)
{
	struct school s;
	char disp[96];
	enum err e = schoolmail_scope(rq, rs, rq->params[0], &s);
	if (e != ERR_OK)
		return e;
	const char *codes[1] = {s.code};
	e = schoolmail_letters(rq->app, codes, 1, &rs->body);
	if (e != ERR_OK)
		return http_error(rs, e == ERR_TOOLARGE ? ERR_TOOLARGE : ERR_IO,
				  "登録案内のPDFを作れませんでした。");
	rs->content_type = "application/pdf";
	snprintf(disp, sizeof disp, "attachment; filename=\"letter-%s.pdf\"", s.code);
	http_set_header(rs, "Content-Disposition", disp);
	struct store_conn *c = store_acquire(rq->app->store);
	char object[48];
	snprintf(object, sizeof object, "school:%" PRId64, s.id);
	e = audit_append(c, rq->app->vault, rq->actor, "school.letter", object, "");
	store_release(c);
	return e;
}

enum err api_school_users_list(struct http_req *rq, struct http_resp *rs)
{
	struct school s;
	enum err e = schoolmail_scope(rq, rs, rq->params[0], &s);
	if (e != ERR_OK)
		return e;
	struct store_conn *c = store_acquire(rq->app->store);
	struct store_stmt *st = store_prepare(
	    c, "SELECT u.id, u.login, u.role, u.disabled, u.must_change_password, "
	       "(SELECT COUNT(*) FROM approved_devices d WHERE d.user_id = u.id AND "
	       "d.approved_ms IS NOT NULL AND d.revoked_ms IS NULL) FROM school_users su "
	       "JOIN users u ON u.id = su.user_id WHERE su.school_id = ? ORDER BY u.login");
	json_t *arr = json_array();
	int rc = 0;
	e = ERR_DB;
	if (st) {
		store_bind_int(st, 1, s.id);
		while ((rc = store_step(st)) == STORE_ROW)
			json_array_append_new(
			    arr, json_pack("{s:I,s:s,s:s,s:s,s:b,s:b,s:I}", "id",
					   (json_int_t)store_col_int(st, 0), "login",
					   store_col_text(st, 1), "role", store_col_text(st, 2),
					   "role_label", user_role_label(store_col_text(st, 2)),
					   "locked", (int)store_col_int(st, 3), "must_change_password",
					   (int)store_col_int(st, 4), "approved_devices",
					   (json_int_t)store_col_int(st, 5)));
		e = rc == STORE_DONE ? ERR_OK : ERR_DB;
	}
	store_finish(st);
	store_release(c);
	if (e != ERR_OK) {
		json_decref(arr);
		return e;
	}
	return http_json(rs, 200, json_pack("{s:o}", "users", arr));
}

enum err api_school_users_create(struct http_req *rq, struct http_resp *rs)
{
	struct school s;
	json_t *body = NULL;
	const char *login = NULL, *role = NULL, *why = NULL;
	char *password = NULL;
	int64_t id = 0;
	enum err e = schoolmail_scope(rq, rs, rq->params[0], &s);
	if (e != ERR_OK)
		return e;
	e = http_json_body(rq, rs, &body);
	if (e != ERR_OK)
		return e;
	if (json_unpack(body, "{s:s,s:s}", "login", &login, "role", &role) != 0 ||
	    (strcmp(role, "school_admin") != 0 && strcmp(role, "sender") != 0)) {
		e = http_error(rs, ERR_INVALID, "ログインIDと役割（学校管理者か送信者）を指定してください。");
		goto out;
	}
	e = user_admin_add(rq->app->store, rq->app->vault, rq->actor, login, role, NULL, 0,
			   &password, &id, &why);
	if (e == ERR_CONFLICT || e == ERR_INVALID) {
		e = http_error(rs, e, why ? why : "この利用者は追加できません。");
		goto out;
	}
	if (e != ERR_OK)
		goto out;
	struct store_conn *c = store_acquire(rq->app->store);
	struct store_stmt *st = NULL;
	e = store_begin(c);
	if (e == ERR_OK) {
		st = store_prepare(c, "INSERT INTO school_users(user_id, school_id) VALUES (?, ?)");
		e = st ? ERR_OK : ERR_DB;
	}
	if (e == ERR_OK) {
		store_bind_int(st, 1, id);
		store_bind_int(st, 2, s.id);
		e = store_run(st);
	}
	store_finish(st);
	if (e == ERR_OK) {
		char object[48], detail[48];
		snprintf(object, sizeof object, "user:%" PRId64, id);
		snprintf(detail, sizeof detail, "school:%" PRId64, s.id);
		e = audit_append(c, rq->app->vault, rq->actor, "school.user.add", object,
				 detail);
	}
	if (e == ERR_OK)
		e = store_commit(c);
	store_rollback(c);
	store_release(c);
	if (e == ERR_OK)
		e = http_json(rs, 201, json_pack("{s:{s:I,s:s,s:s,s:s},s:s}", "user", "id",
						 (json_int_t)id, "login", login, "role", role,
						 "school", s.code, "password", password));
out:
	vault_wipe_free(password);
	json_decref(body);
	return e;
}

enum err api_school_alerts(struct http_req *rq, struct http_resp *rs)
{
	struct store_conn *c = store_acquire(rq->app->store);
	struct store_stmt *st = store_prepare(
	    c, "SELECT a.id, a.year, s.code, s.name, s.kind, s.grades, a.grade, a.expected, "
	       "a.actual, a.raised_ms, COALESCE(a.acknowledged_ms, 0), a.basis FROM school_alerts a "
	       "JOIN schools s ON s.id = a.school_id "
	       "ORDER BY (a.acknowledged_ms IS NULL) DESC, a.raised_ms DESC, s.code, a.grade "
	       "LIMIT 500");
	json_t *arr = json_array();
	enum err e = ERR_DB;
	int rc = 0;
	if (st) {
		while ((rc = store_step(st)) == STORE_ROW) {
			char label[32], raised[32], ack[32] = "";
			schoolmail_grade_label(store_col_text(st, 4), (int)store_col_int(st, 5),
					       (int)store_col_int(st, 6), label, sizeof label);
			clock_jst_iso(store_col_int(st, 9), raised, sizeof raised);
			if (store_col_int(st, 10))
				clock_jst_iso(store_col_int(st, 10), ack, sizeof ack);
			json_t *o = json_pack(
			    "{s:I,s:i,s:s,s:s,s:i,s:s,s:I,s:I,s:s}", "id",
			    (json_int_t)store_col_int(st, 0), "year", (int)store_col_int(st, 1),
			    "school", store_col_text(st, 2), "school_name", store_col_text(st, 3),
			    "grade", (int)store_col_int(st, 6), "grade_label", label, "expected",
			    (json_int_t)store_col_int(st, 7), "actual",
			    (json_int_t)store_col_int(st, 8), "raised_at", raised);
			json_object_set_new(o, "acknowledged_at", ack[0] ? json_string(ack) : json_null());
			json_object_set_new(o, "basis", json_string(store_col_text(st, 11)));
			json_array_append_new(arr, o);
		}
		e = rc == STORE_DONE ? ERR_OK : ERR_DB;
	}
	store_finish(st);
	store_release(c);
	if (e != ERR_OK) {
		json_decref(arr);
		return e;
	}
	return http_json(rs, 200, json_pack("{s:o}", "alerts", arr));
}

enum err api_school_alert_ack(struct http_req *rq, struct http_resp *rs)
{
	int64_t id = http_param_id(rq->params[0]);
	struct store_conn *c = store_acquire(rq->app->store);
	struct store_stmt *st = NULL;
	enum err e = store_begin(c);
	if (e != ERR_OK)
		goto out;
	st = store_prepare(c, "UPDATE school_alerts SET acknowledged_ms = ?, acknowledged_by = ? "
			      "WHERE id = ? AND acknowledged_ms IS NULL");
	e = ERR_DB;
	if (!st)
		goto out;
	store_bind_int(st, 1, clock_now_ms());
	store_bind_int(st, 2, rq->user.id);
	store_bind_int(st, 3, id);
	e = store_run(st);
	if (e == ERR_OK && store_changes(c) != 1) {
		e = http_error_as(rs, ERR_NOTFOUND, "no_open_alert",
				  "その警告はないか、すでに確認済みです。");
		goto out;
	}
	char object[48];
	snprintf(object, sizeof object, "school_alert:%" PRId64, id);
	if (e == ERR_OK)
		e = audit_append(c, rq->app->vault, rq->actor, "school.alert.ack", object,
				 "");
	if (e == ERR_OK)
		e = store_commit(c);
	if (e == ERR_OK)
		e = http_json(rs, 200, json_pack("{s:I,s:b}", "id", (json_int_t)id, "acknowledged", 1));
out:
	store_finish(st);
	store_rollback(c);
	store_release(c);
	return e;
}
