/* SPDX-License-Identifier: MIT */
/* plan.h — guardians' side of a club (seed 000: 利用予定・欠席連絡): sign-in by mail link,
 * planned attendance (a weekly pattern plus day exceptions), absence notices, the pickup list,
 * and the board's alerts (a planned child not arrived, a child still present at closing). */
#ifndef MIMAMORI_ATTENDANCE_PLAN_H
#define MIMAMORI_ATTENDANCE_PLAN_H
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct app;
struct site;
struct store_conn;

#define LOGIN_LINK_MS (15LL * 60 * 1000) /* a guardian's sign-in link is valid this long */
#define LOGIN_LINKS_PER_WINDOW 3         /* links sent to one address per LOGIN_LINK_MS */
#define PLAN_TEXT_MAX 200                /* characters of an absence reason */
#define PICKUP_TEXT_MAX 60               /* characters of a pickup person's name or relation */

/* ---- sign-in by mail link (guardian_login.c) ---- */

/* Queues a sign-in link mail to email when it is a confirmed guardian's address (at most
 * LOGIN_LINKS_PER_WINDOW per window); any other address is silently ignored, so the answer
 * never tells whether an address is registered. Errors only for a broken store. */
enum err guardian_login_request(struct app *a, const char *email);
struct http_resp;
/* Has guardian_login_request(a, email) run once rs's answer has been sent (email copied), so
 * that a registered address and an unknown one answer after the same work: none. */
void guardian_login_request_later(struct app *a, struct http_resp *rs, const char *email);
/* Uses a sign-in link's token once: *guardian_id is its guardian. ERR_NOTFOUND for an unknown,
 * used or expired token. */
enum err guardian_login_redeem(struct app *a, const char *token, int64_t *guardian_id);
/* Copies the guardian's name (malloc'd, free with vault_wipe_free) into *name. */
enum err guardian_name(struct app *a, int64_t guardian_id, char **name);
/* Finds guardian_id's active child child_no on c: *child_id and *site_id. ERR_NOTFOUND when
 * there is none or it is another family's (the caller answers 404 either way). */
enum err guardian_child(struct store_conn *c, int64_t guardian_id, const char *child_no,
			int64_t *child_id, int64_t *site_id);

/* ---- plans (plan.c) ---- */

enum plan_status { PLAN_OFF, PLAN_ATTEND, PLAN_ABSENT };

/* One day's plan: as the guardian set it for the day, or from the weekly pattern. */
struct plan_entry {
	enum plan_status status;
	char leave[6];      /* planned leave time "HH:MM", "" none */
	char way_home[8];   /* "alone", "pickup", "" none */
	int64_t pickup_id;  /* 0 none */
	char *reason;       /* absent only: malloc'd, free with vault_wipe_free; NULL otherwise */
};

/* A child's weekly pattern, by weekday 0 (Sunday, never planned) … 6 (Saturday). */
struct plan_week {
	int attend[7];
	struct plan_entry day[7]; /* reason unused */
};

/* One day of a month's plan as the guardian's calendar shows it. */
struct plan_day {
	char day[11];
	int weekday;              /* 0 Sunday … 6 Saturday */
	int from_day;             /* 1 when a day exception decides it, 0 the weekly pattern */
	struct plan_entry plan;
	char in_at[6], out_at[6]; /* first entry and last exit that day, "" none */
};

/* Returns "attend", "off" or "absent". */
const char *plan_status_name(enum plan_status s);
/* Parses a status name; -1 when unknown. */
int plan_status_parse(const char *name);
/* Returns "sun" … "sat" for weekday 0-6. */
const char *plan_weekday_name(int weekday);
/* Returns 0-6 for "sun" … "sat", -1 otherwise. */
int plan_weekday_parse(const char *name);

/* Returns the day of the month of "YYYY-MM-DD" minus one (an index into a month's days), or
 * SIZE_MAX when day is not shaped so. */
size_t plan_day_index(const char *day);
/* Loads child_id's weekly pattern on c into *w. */
enum err plan_week_load(struct store_conn *c, int64_t child_id, struct plan_week *w);
/* Loads child_id's plan of every day of month "YYYY-MM" with attendance from scans: *days
 * (malloc'd, free with plan_days_free) and *n. ERR_INVALID for a bad month. */
enum err plan_month(struct app *a, struct store_conn *c, int64_t child_id, const char *month,
		    struct plan_day **days, size_t *n);
/* Frees n days from plan_month, wiping the reasons. */
void plan_days_free(struct plan_day *days, size_t n);
/* Wipes and frees e's reason. */
void plan_entry_clear(struct plan_entry *e);

/* Returns NULL when day may be changed now at site s, else why (written into msg, n bytes):
 * a past day, or today after the site's deadline (the message gives the phone number). */
const char *plan_change_locked(const struct site *s, const char *day, int64_t now_ms,
			       char *msg, size_t n);
/* Checks an entry for child_id at site s on c: status fields, leave within the hours, a
 * pickup way home naming one of the child's active pickup people, a reason for an absence.
 * Returns NULL or a static reason. */
const char *plan_entry_check(struct store_conn *c, const struct site *s, int64_t child_id,
			     const struct plan_entry *p);

/* Sets child_id's plan for day (YYYY-MM-DD) as actor; p NULL removes the day's exception (back
 * to the pattern). Refuses (ERR_CONFLICT, *why written into msg, *code the stable answer code:
 * "plan_locked" for a locked day, "already_attended" for an absence or a day off on a day the
 * child has already come and gone), (ERR_INVALID, *why) bad fields or a Sunday. An absence or
 * an "off" clears the day's not-arrived alert. Audited ("plan.day", never the reason). */
enum err plan_set_day(struct app *a, const char *actor, int64_t child_id, const struct site *s,
		      const char *day, const struct plan_entry *p, char *msg, size_t n,
		      const char **why, const char **code);
/* Replaces child_id's weekly pattern as actor. When today's plan is already locked, today
 * keeps the plan it had (stored as a day exception). ERR_INVALID with *why for bad fields.
 * Audited ("plan.weekly"). */
enum err plan_set_week(struct app *a, const char *actor, int64_t child_id, const struct site *s,
		       const struct plan_week *w, const char **why);

/* ---- a child's status on a day (day_status.c): one rule for the board and the reports ---- */

/* In the board's order: who is still missing, who is to come, who is here, who has gone. */
enum day_status {
	DAY_EXPECTED,    /* planned, not in yet (来所予定) */
	DAY_NOT_ARRIVED, /* planned, not in by arrival + grace, or never came on a past day (未到着) */
	DAY_PRESENT,     /* last scan an entry (在室) */
	DAY_LEFT,        /* last scan an exit (退室) */
	DAY_ABSENT,      /* an absence notice, never came (欠席) */
	DAY_OFF,         /* not planned that day, never came (予定なし) */
	DAY_NO_EXIT,     /* a past day whose last scan is an entry (退室未記録) */
	DAY_STATUS_COUNT
};
/* Decides a child's status on a day from the direction of the day's last scan ("in", "out",
 * NULL none), the day's plan, whether a not-arrived alert is active, and whether the day has
 * passed. Scans win (a child who came is present or left, whatever the plan said; the board
 * shows a notice beside it); then the absence notice, then no plan. */
enum day_status day_status_decide(const char *last_direction, enum plan_status plan,
				  int not_arrived_alert, int past);
/* Returns the status's stable name ("present"), as the board's JSON says it. */
const char *day_status_name(enum day_status s);
/* Returns the status's Japanese label ("在室"), as the board and the reports print it. */
const char *day_status_label(enum day_status s);

/* ---- what staff are told of guardians' changes (plan_changes.c) ---- */

/* Records on c (inside the caller's transaction) that actor changed child_id's plan for day at
 * at_ms; status is the day's plan after it: "attend", "off", "absent" or "weekly" (the day
 * follows the pattern again). */
enum err plan_change_log(struct store_conn *c, int64_t child_id, const char *day,
			 const char *status, const char *actor, int64_t at_ms);
/* Copies who actor ("guardian:12", "user:3") is, as staff see it, into *name: the guardian's
 * name or the user's login (malloc'd; free with vault_wipe_free); *name NULL for anyone else
 * or someone no longer there. */
enum err plan_actor_name(struct app *a, struct store_conn *c, const char *actor, char **name);

/* One child on one day of the plan list: planned to come, or with a notice for the day. */
struct plan_upcoming_row {
	size_t day;                /* index into plan_upcoming.days */
	char child_no[24];
	char *name, *kana;         /* malloc'd; wiped by plan_upcoming_free */
	int grade;
	struct plan_entry plan;    /* status, leave, way home, pickup, reason (absent) */
	char *pickup_name;         /* the planned pickup person (malloc'd) or NULL */
	char *pickup_relation;
	int from_day;              /* 1 when a day exception (a guardian's change) decides it */
	int64_t changed_ms;        /* the last change of that day's plan, 0 none */
	char *changed_by;          /* who made it (plan_actor_name), NULL unknown */
	char changed_status[8];    /* its status: attend, off, absent, weekly */
};
#define PLAN_UPCOMING_DAYS_MAX 14
/* A site's plans for some days, each child planned or with a notice, in grade order. */
struct plan_upcoming {
	size_t ndays;
	struct {
		char day[11];
		int weekday;
		size_t attend, absent, off; /* off: a notice that the child does not come */
		size_t changed;             /* rows whose day plan was changed */
	} days[PLAN_UPCOMING_DAYS_MAX];
	struct plan_upcoming_row *rows; /* by day, then grade and child number */
	size_t n;
};
/* Loads site s's plans for ndays (1-14) days from "YYYY-MM-DD" into *u (free with
 * plan_upcoming_free, also after an error): the weekly patterns with each day's exceptions,
 * reasons, pickup people and the last change of each day with its author. Sundays are
 * skipped (the clubs are closed). ERR_INVALID with *why (static) for a bad date or count. */
enum err plan_upcoming_load(struct app *a, const struct site *s, const char *from, int ndays,
			    struct plan_upcoming *u, const char **why);
/* Frees what u holds, wiping the names and reasons; safe on a zeroed u. */
void plan_upcoming_free(struct plan_upcoming *u);

/* ---- the pickup list (pickup.c) ---- */

struct vault_memo;
struct pickup {
	int64_t child_id, id;
	char *name, *relation; /* malloc'd; free with pickup_list_free */
	int active;
};
/* Loads child_id's pickup people on c (active only unless all): *out (malloc'd) and *n. */
enum err pickup_list(struct app *a, struct store_conn *c, int64_t child_id, int all,
		     struct pickup **out, size_t *n);
/* Loads every pickup person (removed ones too) of site_id's active children on c, ordered by
 * child and id: *out (malloc'd) and *n. One query for a whole board; with memo (or NULL), the
 * names are unsealed through it (vault/memo.h). */
enum err pickup_list_site(struct app *a, struct store_conn *c, int64_t site_id,
			  struct vault_memo *memo, struct pickup **out, size_t *n);
/* Frees a list from pickup_list or pickup_list_site, wiping the names. */
void pickup_list_free(struct pickup *p, size_t n);
/* Adds a pickup person (name and relation 1-60 characters, no control characters) to
 * child_id as actor: *id. ERR_INVALID with *why. Audited. */
enum err pickup_add(struct app *a, const char *actor, int64_t child_id, const char *name,
		    const char *relation, int64_t *id, const char **why);
/* Removes (deactivates) pickup id of child_id as actor. ERR_NOTFOUND when it is not the
 * child's. Audited. */
enum err pickup_remove(struct app *a, const char *actor, int64_t child_id, int64_t id);

/* ---- alerts (alerts.c) ---- */

/* What one alert check did. */
struct alerts_summary {
	size_t not_arrived, still_present; /* alerts raised */
	size_t cleared;                    /* alerts no longer true, cleared */
	size_t mails;                      /* mails queued */
};
/* At every site at now_ms: first clears the alerts no longer true (settled as alerts_settle),
 * then raises the alerts due: planned children without entry by arrival + grace (until
 * closing), children still present at closing. An alert is active once per child, day and kind
 * (raised again after it was cleared, when it is due again); it keeps the time it is about.
 * Mails go to the site's alert address (child numbers only, a board link) and, when the site
 * says so, to a not-arrived child's confirmed guardians. Audited. */
enum err alerts_check(struct app *a, int64_t now_ms, struct alerts_summary *sum);
struct store;
/* Returns 1 when site_id of store needs no alert check at now_ms: its last check (noted with
 * alerts_quiet_note) found nothing to change at this board_version, on day, with the same
 * thresholds passed; else 0. */
int alerts_quiet(const struct store *store, int64_t site_id, int64_t version, const char *day,
		 int64_t now_ms);
/* Notes that site_id's check at now_ms, begun at board_version version, changed nothing on
 * day, whose arrival + grace is due_ms and closing closes_ms. */
void alerts_quiet_note(const struct store *store, int64_t site_id, int64_t version,
		       const char *day, int64_t due_ms, int64_t closes_ms, int64_t now_ms);
/* Sets the numbers of site checks alerts_quiet let run and passed over since the start. */
void alerts_quiet_counts(uint64_t *checked, uint64_t *passed);
/* Forgets every note of store (it closes). */
void alerts_quiet_forget(const struct store *store);
/* Inside the caller's transaction on c: clears site s's active alerts of today that are no
 * longer true at now_ms with s's settings (a not-arrived child who came, is no longer planned,
 * or whose arrival + grace has not come yet; a still-present child who left, or before
 * closing), and sets the rest to s's current times. *cleared counts the cleared. */
enum err alerts_settle(struct store_conn *c, const struct site *s, int64_t now_ms,
		       size_t *cleared);
/* Clears child_id's active alert of kind ("not_arrived", "still_present") for day on c at
 * now_ms, inside the caller's transaction. */
enum err alert_clear(struct store_conn *c, int64_t child_id, const char *day, const char *kind,
		     int64_t now_ms);

struct periodic;
/* Starts a thread that runs alerts_check every MIMAMORI_ALERT_INTERVAL_MS (tests shorten it;
 * else 30 s) from now on; NULL when no thread could be started. Stop it with periodic_stop
 * (app/periodic.h). */
struct periodic *alerts_ticker_start(struct app *a);

#endif
