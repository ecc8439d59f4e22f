/* SPDX-License-Identifier: MIT */
/* remind.c — the reminder the day before each session: every place in a session tomorrow gets
 * one mail, marked sent in the same transaction as the mail is queued (so a restart, or a second
 * server, never sends it twice); the server's thread (ticker.c) checks every interval. */
#include "course/course.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/xalloc.h"
#include "mail/mail.h"
#include "store/store.h"
#include "vault/vault.h"

/* One place to remind. */
struct due {
	int64_t entry, signup;
	char date[11], place[256], title[256], contact[256];
	int start_min, end_min;
};

/* Queues the reminder of d (marked first: nothing when another run took it). */
static enum err remind_one(struct course_ctx *x, const struct due *d, int *sent)
{
	struct course_person p;
	struct buf b;
	char subj[512], when[96], token[65];
	*sent = 0;
	struct store_stmt *st = store_prepare(
	    x->c, "UPDATE course_entries SET reminded_ms = ?1 WHERE id = ?2 AND state = 'booked' "
		  "AND reminded_ms IS NULL");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, x->now_ms);
	store_bind_int(st, 2, d->entry);
	enum err e = store_run(st);
	store_finish(st);
	if (e != ERR_OK || store_changes(x->c) != 1)
		return e;
	e = course_signup_person(x, d->signup, &p, NULL);
	if (e != ERR_OK)
		return e;
	buf_init(&b, 16 * 1024);
	course_when_label(d->date, d->start_min, d->end_min, when, sizeof when);
	course_link_token(x->v, d->signup, token);
	snprintf(subj, sizeof subj, "【%s】明日の講座のご案内", d->title);
	e = buf_printf(&b,
		       "%s 様\n\n明日はお申込みの講座の日です。お気をつけてお越しください。\n\n講座: "
		       "%s\n日時: %s\n会場: %s\n\nご都合が悪くなったときは、次のページからキャンセ"
		       "ルしてください（キャンセル待ちの方にご案内します）。\n%s/course/mine.html#t="
		       "%s\n\n問い合わせ先: %s\n",
		       p.name, d->title, when, d->place, x->base_url, token, d->contact);
	if (e == ERR_OK)
		e = course_mail(x, "reminder", &p, subj, b.data);
	if (e == ERR_OK)
		*sent = 1;
	if (b.data)
		vault_wipe(b.data, b.len);
	buf_free(&b);
	course_person_clear(&p);
	return e;
}

enum err course_remind(struct course_ctx *x, size_t *sent)
{
	char tomorrow[11];
	int64_t midnight = 0;
	struct due *due = NULL;
	size_t n = 0, cap = 0;
	*sent = 0;
	if (clock_day_parse(x->today, &midnight, NULL) != 0)
		return ERR_INVALID;
	clock_jst_date(midnight + 36 * 3600 * 1000LL, tomorrow, sizeof tomorrow);
	enum err e = store_begin(x->c);
	if (e != ERR_OK)
		return e;
	struct store_stmt *st = store_prepare(
	    x->c, "SELECT e.id, e.signup_id, s.on_date, s.start_min, s.end_min, s.place, c.title, "
		  "c.contact FROM course_entries e JOIN course_sessions s ON s.id = e.session_id "
		  "JOIN course_courses c ON c.id = s.course_id WHERE s.on_date = ?1 AND s.state = "
		  "'open' AND e.state = 'booked' AND e.reminded_ms IS NULL ORDER BY e.id");
	e = ERR_DB;
	if (st) {
		store_bind_text(st, 1, tomorrow);
		while (store_step(st) == STORE_ROW) {
			if (n == cap) {
				cap = cap ? cap * 2 : 32;
				due = xrealloc(due, cap * sizeof *due);
			}
			struct due *d = &due[n++];
			d->entry = store_col_int(st, 0);
			d->signup = store_col_int(st, 1);
			snprintf(d->date, sizeof d->date, "%s", store_col_text(st, 2));
			d->start_min = (int)store_col_int(st, 3);
			d->end_min = (int)store_col_int(st, 4);
			snprintf(d->place, sizeof d->place, "%s", store_col_text(st, 5));
			snprintf(d->title, sizeof d->title, "%s", store_col_text(st, 6));
			snprintf(d->contact, sizeof d->contact, "%s", store_col_text(st, 7));
		}
		e = ERR_OK;
	}
	store_finish(st);
	for (size_t i = 0; i < n && e == ERR_OK; i++) {
		int one = 0;
		e = remind_one(x, &due[i], &one);
		*sent += (size_t)one;
	}
	if (e == ERR_OK)
		e = store_commit(x->c);
	else
		store_rollback(x->c);
	if (e != ERR_OK)
		*sent = 0;
	free(due);
	return e;
}
