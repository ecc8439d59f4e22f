/* SPDX-License-Identifier: MIT */
/* report_plans.c — the plan list of a site's coming days (出欠予定表) as an A4 PDF: per day
 * the children planned to come with leave time and way home, the absences and days off with
 * the family's notice, and each changed day with who changed it and when. */
#include "attendance/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "attendance/attendance.h"
#include "attendance/plan.h"
#include "base/clock.h"
#include "base/wareki.h"
#include "base/xalloc.h"
#include "doc/attendance_pdf.h"
#include "vault/vault.h"

static const char *const wdays[] = {"日", "月", "火", "水", "木", "金", "土"};

/* "12月7日(月)" of "YYYY-MM-DD" (valid). */
static void month_day(const char *day, char *out, size_t n)
{
	int y = 0, m = 0, d = 0;
	wareki_parse_iso(day, &y, &m, &d);
	snprintf(out, n, "%d月%d日(%s)", m, d, wdays[wareki_weekday(y, m, d)]);
}

char *report_plan_note(const struct plan_upcoming_row *r)
{
	char when[48] = "";
	if (r->changed_ms) {
		char on[16], hhmm[8];
		int y = 0, m = 0, d = 0;
		clock_jst_date(r->changed_ms, on, sizeof on);
		clock_jst_hhmm(r->changed_ms, hhmm, sizeof hhmm);
		wareki_parse_iso(on, &y, &m, &d);
		snprintf(when, sizeof when, "%d/%d %s", m, d, hhmm);
	}
	const char *by = r->changed_by ? r->changed_by : "";
	if (r->plan.status == PLAN_ABSENT)
		return r->changed_ms ? xasprintf("欠席の連絡：%s（%s %s）",
						 r->plan.reason ? r->plan.reason : "", when, by)
				     : xasprintf("欠席の連絡：%s", r->plan.reason ? r->plan.reason : "");
	if (r->plan.status == PLAN_OFF)
		return r->changed_ms ? xasprintf("お休みの連絡（%s %s）", when, by)
				     : xstrdup("お休みの連絡");
	if (r->changed_ms)
		return xasprintf("予定の変更（%s %s）", when, by);
	return NULL;
}

char *report_plan_way_home(const struct plan_upcoming_row *r)
{
	if (r->plan.status != PLAN_ATTEND)
		return NULL;
	if (strcmp(r->plan.way_home, "alone") == 0)
		return xstrdup("一人で帰宅");
	if (strcmp(r->plan.way_home, "pickup") != 0)
		return NULL;
	if (!r->pickup_name)
		return xstrdup("お迎え");
	return r->pickup_relation && r->pickup_relation[0]
		   ? xasprintf("お迎え：%s（%s）", r->pickup_name, r->pickup_relation)
		   : xasprintf("お迎え：%s", r->pickup_name);
}

enum err report_plans(struct app *a, const struct site *site, const char *from, int ndays,
		      const char *format, struct report_out *out, const char **why)
{
	struct plan_upcoming u;
	struct doc_plan_row *rows = NULL;
	struct doc_plan_day days[PLAN_UPCOMING_DAYS_MAX];
	char titles[PLAN_UPCOMING_DAYS_MAX][160], period[256], printed[32], hhmm[8], today[16];
	char **owned = NULL; /* the note and way-home texts, wiped at the end */
	size_t nowned = 0;
	memset(out, 0, sizeof out[0]);
	buf_init(&out->data, REPORT_MAX_BYTES);
	buf_init(&out->lossy_list, 4096);
	memset(&u, 0, sizeof u);
	if (!format || strcmp(format, "pdf") != 0) {
		*why = "出欠予定表の形式は pdf です";
		return ERR_INVALID;
	}
	int64_t now = clock_now_ms();
	clock_jst_date(now, today, sizeof today);
	if (!from || !*from)
		from = today;
	enum err e = plan_upcoming_load(a, site, from, ndays, &u, why);
	if (e != ERR_OK)
		goto out;
	rows = xcalloc(u.n ? u.n : 1, sizeof *rows);
	owned = xcalloc(2 * (u.n ? u.n : 1), sizeof *owned);
	for (size_t i = 0; i < u.n; i++) {
		const struct plan_upcoming_row *r = &u.rows[i];
		char *way = report_plan_way_home(r), *note = report_plan_note(r);
		owned[nowned++] = way;
		owned[nowned++] = note;
		rows[i] = (struct doc_plan_row){
		    r->child_no,
		    r->name,
		    r->grade,
		    r->plan.status == PLAN_ATTEND ? "来所" : r->plan.status == PLAN_ABSENT ? "欠席"
											  : "お休み",
		    r->plan.status == PLAN_ATTEND ? r->plan.leave : "",
		    way,
		    note};
	}
	size_t at = 0;
	for (size_t d = 0; d < u.ndays; d++) {
		char md[32];
		month_day(u.days[d].day, md, sizeof md);
		snprintf(titles[d], sizeof titles[d], "%s　来所予定 %zu名・欠席 %zu名・お休み %zu名・変更 %zu件",
			 md, u.days[d].attend, u.days[d].absent, u.days[d].off, u.days[d].changed);
		size_t first = at;
		while (at < u.n && u.rows[at].day == d)
			at++;
		days[d] = (struct doc_plan_day){titles[d], rows + first, at - first};
	}
	char w1[64] = "", w2[32] = "";
	if (u.ndays) {
		int y = 0, m = 0, dd = 0;
		wareki_parse_iso(u.days[0].day, &y, &m, &dd);
		wareki_format(y, m, dd, w1, sizeof w1);
		month_day(u.days[u.ndays - 1].day, w2, sizeof w2);
		snprintf(period, sizeof period, "%s(%s)〜%s　%s〜%s", w1, wdays[u.days[0].weekday], w2,
			 u.days[0].day, u.days[u.ndays - 1].day);
	} else {
		snprintf(period, sizeof period, "%s（日曜日は閉所）", from);
	}
	clock_jst_hhmm(now, hhmm, sizeof hhmm);
	snprintf(printed, sizeof printed, "%s %s", today, hhmm);
	struct doc_plan dp = {site->name, site->code, period, printed, days, u.ndays};
	e = doc_plan_pdf(&dp, &out->data);
	out->content_type = "application/pdf";
	out->records = u.n;
	snprintf(out->filename, sizeof out->filename, "plans-%s-%s-%dd.pdf", site->code, from, ndays);
	snprintf(out->content, sizeof out->content, "plans %s %s %dd pdf", site->code, from, ndays);
	snprintf(out->object, sizeof out->object, "site:%s", site->code);
out:
	for (size_t i = 0; i < nowned; i++)
		vault_wipe_free(owned[i]);
	free(owned);
	free(rows);
	plan_upcoming_free(&u);
	return e;
}
