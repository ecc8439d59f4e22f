/* SPDX-License-Identifier: MIT */
/* events.c — what happens to a person's pass in a fiscal year (申請, 交付, 再交付, 返戻, 除外,
 * 送付先変更), the 整理番号 of each year, the counters (交付場所) and the counter of a
 * branch-office account. */
#include "bathpass/bathpass.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "store/store.h"

enum err bath_event_add_fy(struct store_conn *c, int64_t person, int fy, const char *kind,
			   const char *date, const char *place, const char *method,
			   const char *number, int64_t mailing_id, int64_t user_id, int64_t now_ms)
{
	if (!fy)
		return ERR_INVALID;
	struct store_stmt *st = store_prepare(
	    c, "INSERT INTO bath_events (person_id, fiscal_year, kind, on_date, place, method, "
	       "number, user_id, created_ms, mailing_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, person);
	store_bind_int(st, 2, fy);
	store_bind_text(st, 3, kind);
	store_bind_text(st, 4, date);
	store_bind_text(st, 5, place);
	store_bind_text(st, 6, method);
	store_bind_text(st, 7, number);
	store_bind_int(st, 8, user_id);
	store_bind_int(st, 9, now_ms);
	if (mailing_id)
		store_bind_int(st, 10, mailing_id);
	else
		store_bind_null(st, 10);
	enum err e = store_run(st);
	store_finish(st);
	return e;
}

enum err bath_event_add(struct store_conn *c, int64_t person, const char *kind, const char *date,
			const char *place, const char *method, const char *number, int64_t user_id,
			int64_t now_ms)
{
	return bath_event_add_fy(c, person, bath_fiscal_year(date), kind, date, place, method,
				 number, 0, user_id, now_ms);
}

enum err bath_numbers_take(struct store_conn *c, int fy, size_t n, int64_t *first)
{
	struct store_stmt *st = store_prepare(
	    c, "INSERT INTO bath_numbers (fiscal_year, last) VALUES (?, ?) ON CONFLICT "
	       "(fiscal_year) DO UPDATE SET last = bath_numbers.last + ?");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, fy);
	store_bind_int(st, 2, (int64_t)n);
	store_bind_int(st, 3, (int64_t)n);
	enum err e = store_run(st);
	store_finish(st);
	if (e != ERR_OK)
		return e;
	st = store_prepare(c, "SELECT last FROM bath_numbers WHERE fiscal_year = ?");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, fy);
	if (store_step(st) == STORE_ROW)
		*first = store_col_int(st, 0) - (int64_t)n + 1;
	else
		e = ERR_DB;
	store_finish(st);
	return e;
}

enum err bath_number_next(struct store_conn *c, int fy, char out[24])
{
	int64_t seq = 0;
	enum err e = bath_numbers_take(c, fy, 1, &seq);
	if (e == ERR_OK)
		snprintf(out, 24, "%d-%05" PRId64, fy, seq);
	return e;
}

int bath_place_name(struct store_conn *c, const char *code, char *out, size_t n)
{
	struct store_stmt *st = store_prepare(c, "SELECT name FROM bath_places WHERE code = ?");
	int found = 0;
	if (n)
		out[0] = '\0';
	if (!st)
		return 0;
	store_bind_text(st, 1, code);
	if (store_step(st) == STORE_ROW) {
		snprintf(out, n, "%s", store_col_text(st, 0));
		found = 1;
	}
	store_finish(st);
	return found;
}

int bath_staff_place(struct store_conn *c, int64_t user_id, char out[16])
{
	struct store_stmt *st = store_prepare(c, "SELECT place FROM bath_staff WHERE user_id = ?");
	int found = 0;
	out[0] = '\0';
	if (!st)
		return 0;
	store_bind_int(st, 1, user_id);
	if (store_step(st) == STORE_ROW) {
		snprintf(out, 16, "%s", store_col_text(st, 0));
		found = 1;
	}
	store_finish(st);
	return found;
}

enum err bath_issue_info_read(struct store_conn *c, int64_t person, int fy,
			      struct bath_issue_info *out)
{
	memset(out, 0, sizeof *out);
	struct store_stmt *st = store_prepare(
	    c, "SELECT e.kind, e.on_date, COALESCE(e.place, ''), COALESCE(e.method, ''), "
	       "COALESCE(e.number, ''), COALESCE(p.name, '') FROM bath_events e LEFT JOIN "
	       "bath_places p ON p.code = e.place WHERE e.person_id = ? AND e.fiscal_year = ? "
	       "ORDER BY e.id");
	int r;
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, person);
	store_bind_int(st, 2, fy);
	while ((r = store_step(st)) == STORE_ROW) {
		const char *kind = store_col_text(st, 0), *date = store_col_text(st, 1);
		if (strcmp(kind, "apply") == 0 && !out->applied[0]) {
			snprintf(out->applied, sizeof out->applied, "%s", date);
		} else if (strcmp(kind, "returned") == 0) {
			snprintf(out->returned, sizeof out->returned, "%s", date);
		} else if (strcmp(kind, "issue") == 0 || strcmp(kind, "reissue") == 0) {
			out->issued = 1;
			out->reissues += strcmp(kind, "reissue") == 0;
			snprintf(out->date, sizeof out->date, "%s", date);
			snprintf(out->place, sizeof out->place, "%s", store_col_text(st, 2));
			snprintf(out->method, sizeof out->method, "%s", store_col_text(st, 3));
			snprintf(out->number, sizeof out->number, "%s", store_col_text(st, 4));
			snprintf(out->place_name, sizeof out->place_name, "%s",
				 store_col_text(st, 5));
			out->returned[0] =
			    '\0'; /* a returned letter before a new issue is history */
		}
	}
	store_finish(st);
	return r < 0 ? ERR_DB : ERR_OK;
}
