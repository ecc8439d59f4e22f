/* SPDX-License-Identifier: MIT */
/* api_papers.c — the staff's papers and the end of a course: the attendance list of a session
 * for the facilitator (出席簿, PDF: the people with a place, then the waitlist; in the handover
 * ledger) and the erasure of a course's sign-ups once it is over. */
#include "course/api.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "base/buf.h"
#include "base/clock.h"
#include "doc/table_pdf.h"
#include "ledger/ledger.h"
#include "store/store.h"
#include "vault/vault.h"

#define FILE_MAX (16u * 1024 * 1024)

/* Adds the people of session sid in state to pdf, numbered from 1; *n counts them. */
static enum err people_rows(struct http_req *rq, struct store_conn *c, int64_t sid,
			    const char *state, struct doc_table_pdf *pdf, size_t *n)
{
	const struct vault *v = course_vault(rq->app);
	enum err e = ERR_OK;
	struct store_stmt *st = store_prepare(
	    c, "SELECT s.person, e.pref FROM course_entries e JOIN course_signups s ON s.id = "
	       "e.signup_id WHERE e.session_id = ?1 AND e.state = ?2 ORDER BY e.queued_ms, e.id");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, sid);
	store_bind_text(st, 2, state);
	while (e == ERR_OK && store_step(st) == STORE_ROW) {
		char *plain = NULL, no[16], age[32], pref[16];
		struct course_person p = {0};
		e = vault_unseal_column(v, st, 0, "course_signups.person", &plain);
		if (e == ERR_OK)
			e = plain ? course_person_read(plain, &p) : ERR_CRYPTO;
		vault_wipe_free(plain);
		if (e != ERR_OK)
			break;
		(*n)++;
		snprintf(no, sizeof no, "%zu", *n);
		snprintf(pref, sizeof pref, "第%d希望", (int)store_col_int(st, 1));
		course_age_label(p.child_age, age, sizeof age);
		const char *row[] = {no, p.name, age, p.phone, pref, ""};
		const int num[] = {1, 0, 0, 0, 0, 0};
		e = doc_table_pdf_row(pdf, row, num, 6, DOC_TABLE_PLAIN);
		course_person_clear(&p);
	}
	store_finish(st);
	return e;
}

enum err api_course_attendance(struct http_req *rq, struct http_resp *rs)
{
	int64_t sid = http_param_id(rq->params[0]);
	char title[512], when[96], line[512], content[96], name[64], object[48];
	char place[256] = "", ctitle[256] = "", date[11] = "", state[16] = "";
	int sm = 0, em = 0, cap = 0, found = 0;
	size_t booked = 0, waiting = 0;
	struct buf out;
	enum err e = ERR_OK;
	struct store_conn *c = store_acquire(rq->app->store);
	struct store_stmt *st = store_prepare(
	    c, "SELECT c.title, s.on_date, s.start_min, s.end_min, s.place, s.capacity, s.state "
	       "FROM course_sessions s JOIN course_courses c ON c.id = s.course_id WHERE s.id = ?1");
	if (!st) {
		store_release(c);
		return ERR_DB;
	}
	store_bind_int(st, 1, sid);
	if (store_step(st) == STORE_ROW) {
		found = 1;
		snprintf(ctitle, sizeof ctitle, "%s", store_col_text(st, 0));
		snprintf(date, sizeof date, "%s", store_col_text(st, 1));
		sm = (int)store_col_int(st, 2);
		em = (int)store_col_int(st, 3);
		snprintf(place, sizeof place, "%s", store_col_text(st, 4));
		cap = (int)store_col_int(st, 5);
		snprintf(state, sizeof state, "%s", store_col_text(st, 6));
	}
	store_finish(st);
	if (!found) {
		store_release(c);
		return http_error_as(rs, ERR_NOTFOUND, "no_session", "その回はありません。");
	}
	course_when_label(date, sm, em, when, sizeof when);
	snprintf(title, sizeof title, "出席簿 %s", ctitle);
	struct doc_table_pdf *pdf = doc_table_pdf_new(title);
	doc_table_pdf_section(pdf, "出席簿");
	const char *t[] = {title};
	doc_table_pdf_row(pdf, t, NULL, 1, DOC_TABLE_TITLE);
	snprintf(line, sizeof line, "%s　会場: %s　定員: %d人%s", when, place, cap,
		 strcmp(state, "open") == 0 ? "" : "（この回は中止）");
	const char *l[] = {line};
	doc_table_pdf_row(pdf, l, NULL, 1, DOC_TABLE_PLAIN);
	const double wd[] = {0.6, 3, 1.2, 2.2, 1.2, 1.6};
	doc_table_pdf_widths(pdf, wd, 6);
	const char *head[] = {"番号", "氏名", "子の年齢", "電話番号", "希望", "出欠"};
	doc_table_pdf_row(pdf, head, NULL, 6, DOC_TABLE_BOLD);
	e = people_rows(rq, c, sid, "booked", pdf, &booked);
	if (e == ERR_OK) {
		const char *w[] = {"キャンセル待ち"};
		doc_table_pdf_row(pdf, w, NULL, 1, DOC_TABLE_BOLD);
		doc_table_pdf_row(pdf, head, NULL, 6, DOC_TABLE_BOLD);
		e = people_rows(rq, c, sid, "waiting", pdf, &waiting);
	}
	store_release(c);
	buf_init(&out, FILE_MAX);
	if (e == ERR_OK)
		e = doc_table_pdf_finish(pdf, &out);
	else
		doc_table_pdf_free(pdf);
	if (e == ERR_OK) {
		snprintf(content, sizeof content, "attendance session %" PRId64 " %s pdf", sid, date);
		snprintf(name, sizeof name, "course-attendance-%" PRId64 "-%s.pdf", sid, date);
		snprintf(object, sizeof object, "course_session:%" PRId64, sid);
		struct ledger_item it = {.service = COURSE_SERVICE,
					 .actor = rq->actor,
					 .content = content,
					 .object = object,
					 .records = booked + waiting};
		e = ledger_hand_over(rq, rs, &it, &out, "application/pdf", name);
	}
	if (out.data)
		vault_wipe(out.data, out.len);
	buf_free(&out);
	return e;
}

enum err api_course_erase(struct http_req *rq, struct http_resp *rs)
{
	int64_t id = http_param_id(rq->params[0]);
	char today[11], why[COURSE_WHY_MAX];
	size_t n = 0;
	json_t *o = NULL;
	clock_jst_date(clock_now_ms(), today, sizeof today);
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = course_erase(c, rq->app->vault, id, today, rq->actor, &n, why);
	if (e == ERR_NOTFOUND)
		e = http_error_as(rs, e, "no_course", why);
	else if (e == ERR_CONFLICT)
		e = http_error_as(rs, e, "erase_refused", why);
	if (e == ERR_OK)
		e = course_object(c, id, 1, today, &o);
	store_release(c);
	if (e != ERR_OK)
		return e;
	json_object_set_new(o, "erased_signups", json_integer((json_int_t)n));
	return http_json(rs, 200, o);
}
