/* SPDX-License-Identifier: MIT */
/* rollover.c — the yearly roll-over (年度更新) in one transaction: the counts per school and
 * grade are kept, every registration moves up a grade, those past their school's top grade
 * leave (deleted), every school gets a new security code, and each grade (from the second) is
 * compared with its cohort a moment before and with the same grade a year ago: a drop beyond
 * [schoolmail] rollover_drop_percent alerts the ward (school_alerts, audit, a mail). A
 * roll-over that silently unregisters families is the incident this prevents. */
#include "schoolmail/schoolmail.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth/audit.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/xalloc.h"
#include "mail/mail.h"
#include "store/store.h"
#include "vault/vault.h"

#define MIN_FAMILIES 5 /* a grade smaller than this a year ago is not compared */

/* Runs sql with the integer parameters p (n of them) on c; *changes (may be NULL) after. */
static enum err run(struct store_conn *c, const char *sql, const int64_t *p, int n,
		    int64_t *changes)
{
	struct store_stmt *st = store_prepare(c, sql);
	if (!st)
		return ERR_DB;
	for (int i = 0; i < n; i++)
		store_bind_int(st, i + 1, p[i]);
	enum err e = store_run(st);
	store_finish(st);
	if (changes)
		*changes = store_changes(c);
	return e;
}

/* The count of (year, school, grade) in school_year_counts, 0 when none. */
static enum err snapshot(struct store_conn *c, int year, int64_t school_id, int grade,
			 int64_t *n)
{
	struct store_stmt *st = store_prepare(c, "SELECT registrants FROM school_year_counts WHERE "
						 "year = ? AND school_id = ? AND grade = ?");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, year);
	store_bind_int(st, 2, school_id);
	store_bind_int(st, 3, grade);
	int rc = store_step(st);
	*n = rc == STORE_ROW ? store_col_int(st, 0) : 0;
	store_finish(st);
	return rc == STORE_ROW || rc == STORE_DONE ? ERR_OK : ERR_DB;
}

/* 1 when actual is below expected by more than pct percent. */
static int dropped(int64_t expected, int64_t actual, int pct)
{
	return expected >= MIN_FAMILIES && actual < expected &&
	       (expected - actual) * 100 > (int64_t)pct * expected;
}

/* Records one alert and adds its line to the mail; audited with pv (the platform's key). */
static enum err alert(struct store_conn *c, const struct vault *pv, const char *actor, int year,
		      const struct school *s, int grade, const char *basis, int64_t expected,
		      int64_t actual, struct buf *mail)
{
	struct store_stmt *st = store_prepare(
	    c, "INSERT INTO school_alerts(year, school_id, grade, basis, expected, actual, "
	       "raised_ms) VALUES (?, ?, ?, ?, ?, ?, ?)");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, year);
	store_bind_int(st, 2, s->id);
	store_bind_int(st, 3, grade);
	store_bind_text(st, 4, basis);
	store_bind_int(st, 5, expected);
	store_bind_int(st, 6, actual);
	store_bind_int(st, 7, clock_now_ms());
	enum err e = store_run(st);
	store_finish(st);
	if (e != ERR_OK)
		return e;
	char label[32], object[48], detail[96];
	schoolmail_grade_label(s->kind, s->grades, grade, label, sizeof label);
	buf_printf(mail, "・%s（%s）%s: %s %" PRId64 "人 → 今 %" PRId64 "人\n", s->name, s->code,
		   label, strcmp(basis, "cohort") == 0 ? "年度更新の直前" : "昨年度の同じ学年",
		   expected, actual);
	snprintf(object, sizeof object, "school:%" PRId64, s->id);
	snprintf(detail, sizeof detail, "grade %d %s %" PRId64 " -> %" PRId64, grade, basis,
		 expected, actual);
	return audit_append(c, pv, actor, "school.rollover.alert", object, detail);
}

enum err schoolmail_rollover(struct app *a, const char *actor, int year, int dry_run,
			     struct schoolmail_rollover *res, const char **why)
{
	const struct schoolmail_config *cfg = schoolmail_config(a);
	const struct vault *v = schoolmail_vault(a);
	struct store_conn *c = store_acquire(a->store);
	struct school *schools = NULL;
	size_t nschools = 0;
	struct buf mail;
	int current = 0;
	buf_init(&mail, 1 << 20);
	memset(res, 0, sizeof *res);
	*why = NULL;
	enum err e = store_begin(c);
	if (e == ERR_OK)
		e = schoolmail_year(c, &current);
	if (e != ERR_OK)
		goto out;
	if (!current) {
		*why = "学校・園がまだありません（school add で追加してください）。";
		e = ERR_CONFLICT;
		goto out;
	}
	if (year == 0)
		year = current + 1;
	if (year != current + 1) {
		*why = "年度更新は今の年度の次の年度にだけできます（--year を確かめてください）。";
		e = ERR_CONFLICT;
		goto out;
	}
	res->from_year = current;
	res->to_year = year;
	int64_t p[3] = {current, 0, 0};
	/* 1. What each school and grade had at the end of the year. */
	e = run(c, "INSERT INTO school_year_counts(year, school_id, grade, registrants) "
		   "SELECT ?, school_id, grade, COUNT(*) FROM school_registrants WHERE true "
		   "GROUP BY school_id, grade ON CONFLICT (year, school_id, grade) "
		   "DO UPDATE SET registrants = excluded.registrants",
		p, 1, NULL);
	/* 2. The top grade leaves: its registrations, then addresses left with none. */
	if (e == ERR_OK)
		e = run(c, "DELETE FROM school_registrants WHERE grade >= (SELECT grades FROM "
			   "schools s WHERE s.id = school_registrants.school_id)",
			NULL, 0, &res->left);
	if (e == ERR_OK)
		e = run(c, "DELETE FROM school_links WHERE address_id IS NOT NULL AND address_id NOT "
			   "IN (SELECT address_id FROM school_registrants)",
			NULL, 0, NULL);
	if (e == ERR_OK)
		e = run(c, "DELETE FROM school_addresses WHERE id NOT IN (SELECT address_id FROM "
			   "school_registrants)",
			NULL, 0, NULL);
	/* 3. Everyone else moves up a grade. */
	if (e == ERR_OK)
		e = run(c, "UPDATE school_registrants SET grade = grade + 1", NULL, 0,
			&res->advanced);
	/* 4. The new year, and new codes. */
	if (e == ERR_OK) {
		int64_t q[2] = {year, clock_now_ms()};
		struct store_stmt *st = store_prepare(
		    c, "INSERT INTO school_years(year, started_ms, actor) VALUES (?, ?, ?)");
		e = ERR_DB;
		if (st) {
			store_bind_int(st, 1, q[0]);
			store_bind_int(st, 2, q[1]);
			store_bind_text(st, 3, actor);
			e = store_run(st);
			store_finish(st);
		}
	}
	if (e == ERR_OK)
		e = schoolmail_school_list(c, &schools, &nschools);
	for (size_t i = 0; i < nschools && e == ERR_OK; i++) {
		char code[SCHOOLMAIL_CODE_LEN + 1];
		e = schoolmail_code_issue(c, schools[i].id, year, code);
	}
	/* 5. Each grade against its cohort before and against the same grade a year ago. */
	for (size_t i = 0; i < nschools && e == ERR_OK; i++) {
		int64_t counts[SCHOOLMAIL_GRADES_MAX + 1][SCHOOLMAIL_CLASSES_MAX + 1];
		e = schoolmail_counts(c, schools[i].id, counts);
		for (int g = 2; g <= schools[i].grades && e == ERR_OK; g++) {
			int64_t now = 0, cohort = 0, last = 0;
			for (int k = 1; k <= SCHOOLMAIL_CLASSES_MAX; k++)
				now += counts[g][k];
			e = snapshot(c, current, schools[i].id, g - 1, &cohort);
			if (e == ERR_OK)
				e = snapshot(c, current, schools[i].id, g, &last);
			if (e == ERR_OK && dropped(cohort, now, cfg->drop_percent)) {
				e = alert(c, a->vault, actor, year, &schools[i], g, "cohort", cohort, now, &mail);
				res->alerts++;
			} else if (e == ERR_OK && dropped(last, now, cfg->drop_percent)) {
				e = alert(c, a->vault, actor, year, &schools[i], g, "last_year", last, now,
					  &mail);
				res->alerts++;
			}
		}
	}
	if (e != ERR_OK)
		goto out;
	const char *to = cfg->alert_email[0] ? cfg->alert_email : a->cfg.admin_alert_email;
	if (res->alerts && to && to[0]) {
		struct buf body;
		buf_init(&body, 1 << 20);
		buf_printf(&body,
			   "%d年度への年度更新で、登録者の数が%d%%を超えて減った学年があります"
			   "（%d件）。登録が消えていないか、登録案内が届いているかを確かめてください。"
			   "\n\n%s\n一斉メール配信の「学校・園」画面で確認できます。\n",
			   year, cfg->drop_percent, res->alerts, mail.data ? mail.data : "");
		e = schoolmail_mail_queue(c, v, "alert", to, "【一斉メール】年度更新で登録者が減りました",
					  body.data);
		buf_free(&body);
	}
	char object[32], detail[96];
	snprintf(object, sizeof object, "year:%d", year);
	snprintf(detail, sizeof detail, "advanced=%" PRId64 " left=%" PRId64 " alerts=%d",
		 res->advanced, res->left, res->alerts);
	if (e == ERR_OK)
		e = audit_append(c, a->vault, actor, "school.rollover", object, detail);
	if (e == ERR_OK && !dry_run)
		e = store_commit(c);
out:
	store_rollback(c);
	store_release(c);
	free(schools);
	buf_free(&mail);
	return e;
}
