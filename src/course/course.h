/* SPDX-License-Identifier: MIT */
/* course.h — course sign-up's own parts (講座の申込: 父親ピアサポート and other courses; seed 001):
 * the forms (a course with its sessions, a person's sign-up), the places (one per sign-up: the
 * first chosen session with room, else the waitlists of the chosen sessions), cancellations that
 * move the waitlist up, the reminder of the day before and the erasure after a course ends.
 * Everything personal is sealed under the service's own key (course_vault). */
#ifndef MIMAMORI_COURSE_COURSE_H
#define MIMAMORI_COURSE_COURSE_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct app;
struct store_conn;
struct vault;

#define COURSE_SERVICE "course"
#define COURSE_WHY_MAX 256
#define COURSE_CHOICES_MAX 8	/* sessions one sign-up may choose */
#define COURSE_SESSIONS_MAX 40	/* sessions of a course */
#define COURSE_CAPACITY_MAX 500
#define COURSE_AGE_EXPECTING -1 /* the child is not born yet (出産前) */
#define COURSE_AGE_MAX 18

/* Returns the service's vault (its own data key); lives as long as a. */
const struct vault *course_vault(struct app *a);

/* form.c: what comes in, each item checked (one Japanese sentence naming the first problem). */
/* A person's items (malloc'd strings; course_person_clear wipes them). */
struct course_person {
	char *name;    /* 氏名 */
	char *email;   /* メールアドレス */
	char *phone;   /* 電話番号 */
	int child_age; /* お子さまの年齢: 0..COURSE_AGE_MAX, or COURSE_AGE_EXPECTING */
};
/* A sign-up from the public form. */
struct course_signup_form {
	int64_t course_id;
	struct course_person person;
	size_t nchoices;
	int64_t choices[COURSE_CHOICES_MAX]; /* session ids, first preference first, no repeats */
};
/* A session as the staff enter it. */
struct course_session_in {
	char date[11]; /* ISO */
	int start_min, end_min;
	char place[256];
	int capacity;
};
/* A new course. */
struct course_in {
	char title[256];
	char description[2048];
	char contact[256];
	size_t nsessions;
	struct course_session_in sessions[COURSE_SESSIONS_MAX];
};
/* Reads the sign-up of JSON j into *f (caller clears it): ERR_INVALID with why. */
enum err course_signup_parse(json_t *j, struct course_signup_form *f, char why[COURSE_WHY_MAX]);
/* Reads a session of JSON j (its date today or later) into *s: ERR_INVALID with why. n is its
 * place in the list (from 1; 0 for a single session) for the message. */
enum err course_session_parse(json_t *j, const char *today, size_t n, struct course_session_in *s,
			      char why[COURSE_WHY_MAX]);
/* Reads a course's title, description and contact of JSON j into *c (no sessions): ERR_INVALID
 * with why. */
enum err course_about_parse(json_t *j, struct course_in *c, char why[COURSE_WHY_MAX]);
/* Reads a new course of JSON j with its sessions into *c: ERR_INVALID with why. */
enum err course_parse(json_t *j, const char *today, struct course_in *c, char why[COURSE_WHY_MAX]);
/* Returns p as JSON (new reference). */
json_t *course_person_json(const struct course_person *p);
/* Reads p back from its JSON text (the unsealed field); ERR_CRYPTO when it is not one. */
enum err course_person_read(const char *text, struct course_person *p);
/* Wipes and frees what p holds. */
void course_person_clear(struct course_person *p);
/* Writes the Japanese label of a child's age ("3歳", "出産前") into out. */
void course_age_label(int age, char *out, size_t n);
/* Writes "2026年12月5日（土）10:00〜12:00" for a session into out. */
void course_when_label(const char *date, int start_min, int end_min, char *out, size_t n);

/* places.c: places, waitlists, cancellations (each on c inside the caller's transaction). */
/* What the places need: the connection, the service's key (seals and mails), the public base
 * URL for the links in mails, the time and its Japan-time date. */
struct course_ctx {
	struct store_conn *c;
	const struct vault *v;
	const char *base_url;
	int64_t now_ms;
	char today[11];
	size_t mails; /* mails queued so far */
};
/* Fills a context for c, v and base_url (borrowed) at now_ms. */
void course_ctx_init(struct course_ctx *x, struct store_conn *c, const struct vault *v,
		     const char *base_url, int64_t now_ms);
/* The person's link token of sign-up id (64 hex digits and NUL). */
void course_link_token(const struct vault *v, int64_t id, char out[65]);
/* Finds the sign-up of a link token: ERR_NOTFOUND when none (or token is NULL). */
enum err course_signup_by_token(struct store_conn *c, const struct vault *v, const char *token,
				int64_t *id);
/* Stores sign-up f (checked: the course open, its chosen sessions open and not past), places it
 * and mails the person a confirmation with the cancel link. ERR_INVALID / ERR_CONFLICT with
 * why; the new id and its token in *id and token. */
enum err course_signup_create(struct course_ctx *x, const struct course_signup_form *f,
			      int64_t *id, char token[65], char why[COURSE_WHY_MAX]);
/* Gives sign-up id a place when it has none: the first choice with room, else the waitlists of
 * its choices still open. *booked: the session it holds then (0: waiting or nowhere). */
enum err course_place(struct course_ctx *x, int64_t signup_id, int64_t *booked);
/* Moves the waitlist of session id up while it has room: each person moved up gets the place
 * (their other choices are dropped) and a mail. *moved (may be NULL): how many. */
enum err course_promote(struct course_ctx *x, int64_t session_id, size_t *moved);
/* The person of sign-up id cancels: every choice is cancelled, the freed place goes to the
 * first waiting, the person gets a mail. ERR_CONFLICT when it was cancelled already. */
enum err course_signup_cancel(struct course_ctx *x, int64_t signup_id);
/* The staff cancel session id: everyone booked or waiting there is mailed and placed again on
 * their other choices. ERR_CONFLICT when it was cancelled already; *affected: people told. */
enum err course_session_cancel(struct course_ctx *x, int64_t session_id, size_t *affected);
/* The staff change session id to s (its capacity not below the places taken: ERR_CONFLICT with
 * why); the people booked are mailed when the day, hours or place changed, and the waitlist
 * moves up when the capacity grew. */
enum err course_session_update(struct course_ctx *x, int64_t session_id,
			       const struct course_session_in *s, char why[COURSE_WHY_MAX]);
/* Reads sign-up id's person (caller clears it) and course id. */
enum err course_signup_person(struct course_ctx *x, int64_t signup_id, struct course_person *p,
			      int64_t *course_id);
/* Returns the place of entry id on its session's waitlist (1 first), or 0 when not waiting. */
int64_t course_wait_position(struct store_conn *c, int64_t entry_id);

/* remind.c: the reminder of the day before. */
/* Queues the reminder of every place in a session tomorrow (after x->today) not reminded yet,
 * each once (marked in the same transaction); *sent: how many. Opens and commits its own
 * transaction on x->c. */
enum err course_remind(struct course_ctx *x, size_t *sent);
struct periodic;
/* Starts a thread that sends the reminders every MIMAMORI_COURSE_INTERVAL_MS (tests shorten it;
 * else 10 min; of several servers on one database, the one holding the lock job:course). NULL
 * when it cannot. Stop it with periodic_stop (app/periodic.h). */
struct periodic *course_ticker_start(struct app *a);

/* erase.c: after a course ends. */
/* Erases the sign-ups of course id (every session over by today): their rows are deleted, the
 * course marked erased and closed, an audit entry by actor appended. ERR_NOTFOUND, ERR_CONFLICT
 * (not over yet, or erased already) with why; *count: the sign-ups erased. Opens and commits its
 * own transaction. */
enum err course_erase(struct store_conn *c, const struct vault *audit_key, int64_t id,
		      const char *today, const char *actor, size_t *count,
		      char why[COURSE_WHY_MAX]);

/* mail.c: queues a mail of kind to the person of p, with subject and body, under the service's
 * key inside the caller's transaction; counts it in x. */
enum err course_mail(struct course_ctx *x, const char *kind, const struct course_person *p,
		     const char *subject, const char *body);

#endif
