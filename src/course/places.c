/* SPDX-License-Identifier: MIT */
/* places.c — the places of course sign-up: a sign-up gets one place, the first session of its
 * choices (in order of preference) with room, else it waits on each chosen session; a freed
 * place goes to the first waiting (in order of sign-up), who is mailed; the person cancels by
 * their link; the staff cancel or change a session. Everything runs on the caller's connection
 * inside its transaction; statements are read to the end before the next one runs. */
#include "course/course.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/xalloc.h"
#include "store/store.h"
#include "vault/vault.h"

/* A session as the places see it. */
struct sess {
	int64_t id, course_id;
	char date[11];
	int start_min, end_min, capacity, open;
	char place[256], title[256], contact[256];
};

void course_ctx_init(struct course_ctx *x, struct store_conn *c, const struct vault *v,
		     const char *base_url, int64_t now_ms)
{
	memset(x, 0, sizeof *x);
	x->c = c;
	x->v = v;
	x->base_url = base_url ? base_url : "";
	x->now_ms = now_ms;
	clock_jst_date(now_ms, x->today, sizeof x->today);
}

void course_link_token(const struct vault *v, int64_t id, char out[65])
{
	char text[32];
	unsigned char mac[VAULT_BLIND_LEN];
	snprintf(text, sizeof text, "%" PRId64, id);
	vault_blind(v, "course-link", text, mac);
	vault_hex(mac, sizeof mac, out);
}

enum err course_signup_by_token(struct store_conn *c, const struct vault *v, const char *token,
				int64_t *id)
{
	unsigned char idx[VAULT_BLIND_LEN];
	enum err e = ERR_NOTFOUND;
	if (!token || strlen(token) != 64)
		return ERR_NOTFOUND;
	vault_blind(v, "course-token", token, idx);
	struct store_stmt *st = store_prepare(c, "SELECT id FROM course_signups WHERE token_idx = ?1");
	if (!st)
		return ERR_DB;
	store_bind_blob(st, 1, idx, sizeof idx);
	if (store_step(st) == STORE_ROW) {
		*id = store_col_int(st, 0);
		e = ERR_OK;
	}
	store_finish(st);
	return e;
}

/* Loads session id with its course's title and contact. ERR_NOTFOUND when none. */
static enum err load_session(struct store_conn *c, int64_t id, struct sess *s)
{
	enum err e = ERR_NOTFOUND;
	struct store_stmt *st = store_prepare(
	    c, "SELECT s.course_id, s.on_date, s.start_min, s.end_min, s.place, s.capacity, "
	       "s.state, c.title, c.contact FROM course_sessions s JOIN course_courses c ON c.id = "
	       "s.course_id WHERE s.id = ?1");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, id);
	memset(s, 0, sizeof *s);
	if (store_step(st) == STORE_ROW) {
		s->id = id;
		s->course_id = store_col_int(st, 0);
		snprintf(s->date, sizeof s->date, "%s", store_col_text(st, 1));
		s->start_min = (int)store_col_int(st, 2);
		s->end_min = (int)store_col_int(st, 3);
		snprintf(s->place, sizeof s->place, "%s", store_col_text(st, 4));
		s->capacity = (int)store_col_int(st, 5);
		s->open = strcmp(store_col_text(st, 6), "open") == 0;
		snprintf(s->title, sizeof s->title, "%s", store_col_text(st, 7));
		snprintf(s->contact, sizeof s->contact, "%s", store_col_text(st, 8));
		e = ERR_OK;
	}
	store_finish(st);
	return e;
}

/* Returns the entries of session id in state (or -1 on a database error). */
static int64_t count_in(struct store_conn *c, int64_t session_id, const char *state)
{
	int64_t n = -1;
	struct store_stmt *st = store_prepare(
	    c, "SELECT count(*) FROM course_entries WHERE session_id = ?1 AND state = ?2");
	if (!st)
		return -1;
	store_bind_int(st, 1, session_id);
	store_bind_text(st, 2, state);
	if (store_step(st) == STORE_ROW)
		n = store_col_int(st, 0);
	store_finish(st);
	return n;
}

/* Runs sql with the integer parameters a, b (b unused when the SQL has one). */
static enum err run2(struct store_conn *c, const char *sql, int64_t a, int64_t b)
{
	struct store_stmt *st = store_prepare(c, sql);
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, a);
	if (strstr(sql, "?2"))
		store_bind_int(st, 2, b);
	enum err e = store_run(st);
	store_finish(st);
	return e;
}

/* Gives entry id of sign-up signup_id the place; its other choices are dropped. */
static enum err book(struct course_ctx *x, int64_t entry_id, int64_t signup_id)
{
	enum err e = run2(x->c,
			  "UPDATE course_entries SET state = 'booked', reminded_ms = NULL, "
			  "updated_ms = ?2 WHERE id = ?1",
			  entry_id, x->now_ms);
	if (e == ERR_OK)
		e = run2(x->c,
			 "UPDATE course_entries SET state = 'off' WHERE signup_id = ?1 AND id <> ?2 "
			 "AND state IN ('booked', 'waiting')",
			 signup_id, entry_id);
	return e;
}

/* Returns 1 when session s can still take people: open, and not begun. */
static int bookable(const struct course_ctx *x, const struct sess *s)
{
	int c = strcmp(s->date, x->today);
	return s->open && (c > 0 || (c == 0 && s->start_min > clock_jst_minutes(x->now_ms)));
}

int64_t course_wait_position(struct store_conn *c, int64_t entry_id)
{
	int64_t n = 0;
	struct store_stmt *st = store_prepare(
	    c, "SELECT count(*) FROM course_entries e JOIN course_entries w ON w.session_id = "
	       "e.session_id AND w.state = 'waiting' AND (w.queued_ms < e.queued_ms OR (w.queued_ms "
	       "= e.queued_ms AND w.id <= e.id)) WHERE e.id = ?1 AND e.state = 'waiting'");
	if (!st)
		return 0;
	store_bind_int(st, 1, entry_id);
	if (store_step(st) == STORE_ROW)
		n = store_col_int(st, 0);
	store_finish(st);
	return n;
}

enum err course_place(struct course_ctx *x, int64_t signup_id, int64_t *booked)
{
	int64_t entry[COURSE_CHOICES_MAX], session[COURSE_CHOICES_MAX];
	int is_booked[COURSE_CHOICES_MAX];
	size_t n = 0;
	enum err e = ERR_OK;
	*booked = 0;
	struct store_stmt *st = store_prepare(
	    x->c, "SELECT id, session_id, state FROM course_entries WHERE signup_id = ?1 AND state "
		  "<> 'cancelled' ORDER BY pref");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, signup_id);
	while (n < COURSE_CHOICES_MAX && store_step(st) == STORE_ROW) {
		entry[n] = store_col_int(st, 0);
		session[n] = store_col_int(st, 1);
		is_booked[n] = strcmp(store_col_text(st, 2), "booked") == 0;
		n++;
	}
	store_finish(st);
	for (size_t i = 0; i < n; i++)
		if (is_booked[i]) {
			*booked = session[i];
			return ERR_OK;
		}
	/* the first choice with room */
	int usable[COURSE_CHOICES_MAX] = {0};
	for (size_t i = 0; i < n && e == ERR_OK; i++) {
		struct sess s;
		e = load_session(x->c, session[i], &s);
		if (e != ERR_OK || !bookable(x, &s))
			continue;
		usable[i] = 1;
		int64_t taken = count_in(x->c, s.id, "booked");
		if (taken < 0)
			return ERR_DB;
		if (taken < s.capacity) {
			e = book(x, entry[i], signup_id);
			if (e == ERR_OK)
				*booked = s.id;
			return e;
		}
	}
	/* none: wait on each choice that can still take people */
	for (size_t i = 0; i < n && e == ERR_OK; i++)
		if (usable[i])
			e = run2(x->c,
				 "UPDATE course_entries SET state = 'waiting', updated_ms = ?2 WHERE id = "
				 "?1 AND state = 'off'",
				 entry[i], x->now_ms);
	return e;
}

enum err course_signup_person(struct course_ctx *x, int64_t signup_id, struct course_person *p,
			      int64_t *course_id)
{
	char *plain = NULL;
	enum err e = ERR_NOTFOUND;
	memset(p, 0, sizeof *p);
	struct store_stmt *st =
	    store_prepare(x->c, "SELECT person, course_id FROM course_signups WHERE id = ?1");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, signup_id);
	if (store_step(st) == STORE_ROW) {
		e = vault_unseal_column(x->v, st, 0, "course_signups.person", &plain);
		if (course_id)
			*course_id = store_col_int(st, 1);
	}
	store_finish(st);
	if (e == ERR_OK)
		e = plain ? course_person_read(plain, p) : ERR_CRYPTO;
	vault_wipe_free(plain);
	return e;
}

/* Appends each choice of sign-up signup_id and where it stands to b (for the mails). */
static enum err status_lines(struct course_ctx *x, int64_t signup_id, struct buf *b)
{
	struct {
		int64_t entry, session;
		int pref;
		char state[12];
	} rows[COURSE_CHOICES_MAX];
	size_t n = 0;
	enum err e = ERR_OK;
	struct store_stmt *st = store_prepare(
	    x->c, "SELECT id, session_id, pref, state FROM course_entries WHERE signup_id = ?1 "
		  "ORDER BY pref");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, signup_id);
	while (n < COURSE_CHOICES_MAX && store_step(st) == STORE_ROW) {
		rows[n].entry = store_col_int(st, 0);
		rows[n].session = store_col_int(st, 1);
		rows[n].pref = (int)store_col_int(st, 2);
		snprintf(rows[n].state, sizeof rows[n].state, "%s", store_col_text(st, 3));
		n++;
	}
	store_finish(st);
	for (size_t i = 0; i < n && e == ERR_OK; i++) {
		struct sess s;
		char when[96], what[96];
		e = load_session(x->c, rows[i].session, &s);
		if (e != ERR_OK)
			break;
		course_when_label(s.date, s.start_min, s.end_min, when, sizeof when);
		if (!s.open)
			snprintf(what, sizeof what, "この回は中止になりました");
		else if (strcmp(rows[i].state, "booked") == 0)
			snprintf(what, sizeof what, "参加が決まっています");
		else if (strcmp(rows[i].state, "waiting") == 0)
			snprintf(what, sizeof what, "キャンセル待ち（%" PRId64 "番目）",
				 course_wait_position(x->c, rows[i].entry));
		else if (strcmp(rows[i].state, "cancelled") == 0)
			snprintf(what, sizeof what, "キャンセルしました");
		else
			snprintf(what, sizeof what, "ほかの希望の回で決まったため、この回はありません");
		e = buf_printf(b, "第%d希望 %s 会場: %s\n  → %s\n", rows[i].pref, when, s.place, what);
	}
	return e;
}

/* Queues a mail to the person of signup_id about course s: subject after the course's title,
 * the lead paragraph, then each choice's standing, the link and the contact. */
static enum err mail_person(struct course_ctx *x, int64_t signup_id, const struct sess *s,
			    const char *kind, const char *subject, const char *lead)
{
	struct course_person p;
	struct buf b;
	char subj[512], token[65];
	buf_init(&b, 64 * 1024);
	enum err e = course_signup_person(x, signup_id, &p, NULL);
	if (e != ERR_OK)
		return e;
	course_link_token(x->v, signup_id, token);
	snprintf(subj, sizeof subj, "【%s】%s", s->title, subject);
	e = buf_printf(&b, "%s 様\n\n%s\n\n講座: %s\n", p.name, lead, s->title);
	if (e == ERR_OK)
		e = status_lines(x, signup_id, &b);
	if (e == ERR_OK)
		e = buf_printf(&b,
			       "\n申込の確認とキャンセルは次のページからできます（ご本人だけのリンク"
			       "です。ほかの人に知らせないでください）。\n%s/course/mine.html#t=%s\n\n"
			       "問い合わせ先: %s\n",
			       x->base_url, token, s->contact);
	if (e == ERR_OK)
		e = course_mail(x, kind, &p, subj, b.data);
	if (b.data)
		vault_wipe(b.data, b.len);
	buf_free(&b);
	course_person_clear(&p);
	return e;
}

enum err course_promote(struct course_ctx *x, int64_t session_id, size_t *moved)
{
	struct sess s;
	enum err e = load_session(x->c, session_id, &s);
	if (moved)
		*moved = 0;
	for (int guard = 0; e == ERR_OK && guard <= COURSE_CAPACITY_MAX; guard++) {
		int64_t entry = 0, signup = 0;
		if (!bookable(x, &s) || count_in(x->c, session_id, "booked") >= s.capacity)
			break;
		struct store_stmt *st = store_prepare(
		    x->c, "SELECT id, signup_id FROM course_entries WHERE session_id = ?1 AND state "
			  "= 'waiting' ORDER BY queued_ms, id LIMIT 1");
		if (!st)
			return ERR_DB;
		store_bind_int(st, 1, session_id);
		if (store_step(st) == STORE_ROW) {
			entry = store_col_int(st, 0);
			signup = store_col_int(st, 1);
		}
		store_finish(st);
		if (!entry)
			break;
		e = book(x, entry, signup);
		if (e == ERR_OK)
			e = mail_person(x, signup, &s, "moved_up", "キャンセル待ちから参加が決まりました",
					"空きが出たため、キャンセル待ちの方から順にご案内しています。"
					"次の回への参加が決まりました。ご都合が悪くなったときは、下のリンク"
					"からキャンセルしてください。");
		if (e == ERR_OK && moved)
			(*moved)++;
	}
	return e;
}

/* Checks choice i of f against the course: ERR_CONFLICT / ERR_NOTFOUND with why. */
static enum err check_choice(struct course_ctx *x, const struct course_signup_form *f, size_t i,
			     char *why)
{
	struct sess s;
	enum err e = load_session(x->c, f->choices[i], &s);
	if (e == ERR_NOTFOUND || (e == ERR_OK && s.course_id != f->course_id)) {
		snprintf(why, COURSE_WHY_MAX, "第%zu希望の回はこの講座にありません。", i + 1);
		return ERR_INVALID;
	}
	if (e == ERR_OK && !bookable(x, &s)) {
		snprintf(why, COURSE_WHY_MAX,
			 "第%zu希望の回は受付を終えています（中止または終了）。ほかの日を選んでくだ"
			 "さい。",
			 i + 1);
		return ERR_CONFLICT;
	}
	return e;
}

enum err course_signup_create(struct course_ctx *x, const struct course_signup_form *f,
			      int64_t *id, char token[65], char why[COURSE_WHY_MAX])
{
	unsigned char idx[VAULT_BLIND_LEN];
	int64_t booked = 0;
	char *person = NULL;
	int open = 0, erased = 1;
	enum err e = ERR_NOTFOUND;
	why[0] = '\0';
	struct store_stmt *st = store_prepare(
	    x->c, "SELECT open, erased_ms IS NOT NULL FROM course_courses WHERE id = ?1");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, f->course_id);
	if (store_step(st) == STORE_ROW) {
		open = store_col_int(st, 0) != 0;
		erased = store_col_int(st, 1) != 0;
		e = ERR_OK;
	}
	store_finish(st);
	if (e == ERR_NOTFOUND || (e == ERR_OK && (!open || erased))) {
		snprintf(why, COURSE_WHY_MAX, "この講座は申込を受け付けていません。");
		return e == ERR_OK ? ERR_CONFLICT : e;
	}
	for (size_t i = 0; i < f->nchoices && e == ERR_OK; i++)
		e = check_choice(x, f, i, why);
	if (e != ERR_OK)
		return e;
	/* the sign-up, with a placeholder index until its id (hence its token) is known */
	json_t *pj = course_person_json(&f->person);
	person = json_dumps(pj, JSON_COMPACT);
	json_decref(pj);
	vault_random(idx, sizeof idx);
	st = store_prepare(x->c, "INSERT INTO course_signups (course_id, person, token_idx, "
				 "created_ms) VALUES (?1, ?2, ?3, ?4)");
	e = ERR_DB;
	if (st && person) {
		store_bind_int(st, 1, f->course_id);
		vault_bind_sealed(x->v, st, 2, "course_signups.person", person);
		store_bind_blob(st, 3, idx, sizeof idx);
		store_bind_int(st, 4, x->now_ms);
		e = store_run(st);
	}
	store_finish(st);
	vault_wipe_free(person);
	if (e != ERR_OK)
		return e;
	*id = store_last_id(x->c);
	course_link_token(x->v, *id, token);
	vault_blind(x->v, "course-token", token, idx);
	st = store_prepare(x->c, "UPDATE course_signups SET token_idx = ?1 WHERE id = ?2");
	e = ERR_DB;
	if (st) {
		store_bind_blob(st, 1, idx, sizeof idx);
		store_bind_int(st, 2, *id);
		e = store_run(st);
	}
	store_finish(st);
	for (size_t i = 0; i < f->nchoices && e == ERR_OK; i++) {
		st = store_prepare(x->c, "INSERT INTO course_entries (signup_id, session_id, pref, "
					 "state, queued_ms, updated_ms) VALUES (?1, ?2, ?3, 'off', ?4, "
					 "?4)");
		e = ERR_DB;
		if (st) {
			store_bind_int(st, 1, *id);
			store_bind_int(st, 2, f->choices[i]);
			store_bind_int(st, 3, (int64_t)i + 1);
			store_bind_int(st, 4, x->now_ms);
			e = store_run(st);
		}
		store_finish(st);
	}
	if (e == ERR_OK)
		e = course_place(x, *id, &booked);
	if (e == ERR_OK) {
		struct sess s;
		e = load_session(x->c, f->choices[0], &s);
		if (e == ERR_OK)
			e = mail_person(x, *id, &s, "received",
					booked ? "お申込みを受け付けました（参加決定）"
					       : "お申込みを受け付けました（キャンセル待ち）",
					booked ? "講座へのお申込みを受け付けました。次の回への参加が決まり"
						 "ました。前日にもご案内のメールをお送りします。"
					       : "講座へのお申込みを受け付けました。ご希望の回はどれも定員"
						 "に達しているため、キャンセル待ちでお受けしました。キャンセ"
						 "ルが出たら順にご案内し、参加が決まったときにメールでお知ら"
						 "せします。");
	}
	return e;
}

enum err course_signup_cancel(struct course_ctx *x, int64_t signup_id)
{
	int64_t booked = 0, first = 0;
	int cancelled = 0;
	enum err e = ERR_NOTFOUND;
	struct store_stmt *st = store_prepare(
	    x->c, "SELECT cancelled_ms IS NOT NULL, (SELECT session_id FROM course_entries WHERE "
		  "signup_id = ?1 AND state = 'booked'), (SELECT session_id FROM course_entries "
		  "WHERE signup_id = ?1 AND pref = 1) FROM course_signups WHERE id = ?1");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, signup_id);
	if (store_step(st) == STORE_ROW) {
		cancelled = store_col_int(st, 0) != 0;
		booked = store_col_is_null(st, 1) ? 0 : store_col_int(st, 1);
		first = store_col_int(st, 2);
		e = ERR_OK;
	}
	store_finish(st);
	if (e != ERR_OK)
		return e;
	if (cancelled)
		return ERR_CONFLICT;
	e = run2(x->c, "UPDATE course_signups SET cancelled_ms = ?2 WHERE id = ?1", signup_id,
		 x->now_ms);
	if (e == ERR_OK)
		e = run2(x->c,
			 "UPDATE course_entries SET state = 'cancelled', updated_ms = ?2 WHERE "
			 "signup_id = ?1 AND state <> 'cancelled'",
			 signup_id, x->now_ms);
	if (e == ERR_OK) {
		struct sess s;
		e = load_session(x->c, booked ? booked : first, &s);
		if (e == ERR_OK)
			e = mail_person(x, signup_id, &s, "cancelled", "キャンセルを受け付けました",
					"講座のお申込みのキャンセルを受け付けました。またのご参加をお待"
					"ちしています。");
	}
	if (e == ERR_OK && booked)
		e = course_promote(x, booked, NULL);
	return e;
}

/* The sign-ups with a place or a place in the queue of session_id, first queued first: a
 * malloc'd array in *who (the caller frees it; NULL when none), their number in *n. */
static enum err session_people(struct store_conn *c, int64_t session_id, int64_t **who, size_t *n)
{
	size_t cap = 0;
	*who = NULL;
	*n = 0;
	struct store_stmt *st = store_prepare(
	    c, "SELECT signup_id FROM course_entries WHERE session_id = ?1 AND state IN "
	       "('booked', 'waiting') ORDER BY queued_ms, id");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, session_id);
	while (store_step(st) == STORE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*who = xrealloc(*who, cap * sizeof **who);
		}
		(*who)[(*n)++] = store_col_int(st, 0);
	}
	store_finish(st);
	return ERR_OK;
}

enum err course_session_cancel(struct course_ctx *x, int64_t session_id, size_t *affected)
{
	struct sess s;
	int64_t *who = NULL;
	size_t n = 0;
	enum err e = load_session(x->c, session_id, &s);
	*affected = 0;
	if (e != ERR_OK)
		return e;
	if (!s.open)
		return ERR_CONFLICT;
	e = run2(x->c, "UPDATE course_sessions SET state = 'cancelled', updated_ms = ?2 WHERE id = ?1",
		 session_id, x->now_ms);
	if (e == ERR_OK)
		e = session_people(x->c, session_id, &who, &n);
	if (e == ERR_OK)
		e = run2(x->c,
			 "UPDATE course_entries SET state = 'off', updated_ms = ?2 WHERE session_id "
			 "= ?1 AND state IN ('booked', 'waiting')",
			 session_id, x->now_ms);
	s.open = 0;
	for (size_t i = 0; i < n && e == ERR_OK; i++) {
		int64_t booked = 0;
		e = course_place(x, who[i], &booked);
		if (e == ERR_OK)
			e = mail_person(x, who[i], &s, "session_cancelled", "開催回の中止のお知らせ",
					"申し訳ありません。お申込みの講座の次の回を中止することになりま"
					"した。ほかにご希望の回があるときは、その回にご案内しています（"
					"下の一覧をご覧ください）。");
		if (e == ERR_OK)
			(*affected)++;
	}
	free(who);
	return e;
}

enum err course_session_update(struct course_ctx *x, int64_t session_id,
			       const struct course_session_in *in, char why[COURSE_WHY_MAX])
{
	struct sess s;
	int64_t *who = NULL;
	size_t n = 0;
	enum err e = load_session(x->c, session_id, &s);
	why[0] = '\0';
	if (e != ERR_OK)
		return e;
	if (!s.open) {
		snprintf(why, COURSE_WHY_MAX, "中止した回は変更できません。");
		return ERR_CONFLICT;
	}
	int64_t taken = count_in(x->c, session_id, "booked");
	if (taken < 0)
		return ERR_DB;
	if (taken > in->capacity) {
		snprintf(why, COURSE_WHY_MAX,
			 "定員を参加が決まっている人数（%" PRId64 "人）より少なくはできません。", taken);
		return ERR_CONFLICT;
	}
	int moved = strcmp(s.date, in->date) != 0 || s.start_min != in->start_min ||
		    s.end_min != in->end_min || strcmp(s.place, in->place) != 0;
	struct store_stmt *st = store_prepare(
	    x->c, "UPDATE course_sessions SET on_date = ?1, start_min = ?2, end_min = ?3, place = "
		  "?4, capacity = ?5, updated_ms = ?6 WHERE id = ?7");
	if (!st)
		return ERR_DB;
	store_bind_text(st, 1, in->date);
	store_bind_int(st, 2, in->start_min);
	store_bind_int(st, 3, in->end_min);
	store_bind_text(st, 4, in->place);
	store_bind_int(st, 5, in->capacity);
	store_bind_int(st, 6, x->now_ms);
	store_bind_int(st, 7, session_id);
	e = store_run(st);
	store_finish(st);
	if (e == ERR_OK && strcmp(s.date, in->date) != 0) /* a new day: remind again */
		e = run2(x->c, "UPDATE course_entries SET reminded_ms = NULL WHERE session_id = ?1", session_id,
			 0);
	if (e == ERR_OK && moved) {
		e = session_people(x->c, session_id, &who, &n);
		if (e == ERR_OK)
			e = load_session(x->c, session_id, &s);
		for (size_t i = 0; i < n && e == ERR_OK; i++)
			e = mail_person(x, who[i], &s, "session_changed", "開催回の変更のお知らせ",
					"お申込みの講座の回の日時または会場が変わりました。新しい日時と"
					"会場は下の一覧のとおりです。ご都合が悪いときは、下のリンクから"
					"キャンセルしてください。");
	}
	if (e == ERR_OK)
		e = course_promote(x, session_id, NULL);
	free(who);
	return e;
}
