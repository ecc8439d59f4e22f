/* SPDX-License-Identifier: MIT */
/* centre.h — the child development support centre's own parts (児童発達支援センター, seed 001;
 * 要配慮個人情報): a child's application and usage contract, development assessments, support
 * plans with six-monthly reviews, attendance and the bus list, the monthly usage-fee
 * statements, the parents and the contact thread. Access, openings and the versioned daily
 * records are the platform's casework layer (casework/casework.h) on the service's own tables
 * (ce_*); everything personal is sealed under the service's own key (centre_vault). */
#ifndef MIMAMORI_CENTRE_CENTRE_H
#define MIMAMORI_CENTRE_CENTRE_H
#include <jansson.h>
#include <stdint.h>

#include "base/err.h"
#include "casework/casework.h"

struct app;
struct buf;
struct store_conn;
struct vault;

#define CENTRE_SERVICE "centre"
#define CENTRE_UNIT "centre" /* the one unit: the ward's centre */
#define CENTRE_WHY_MAX 200
#define CENTRE_MESSAGE_MAX 4000 /* bytes of a message */

/* The service's casework (tables ce_*, audit objects centre_child:ID). */
extern const struct casework_kind centre_casework;
/* Returns the service's vault (its own data key); lives as long as a. */
const struct vault *centre_vault(struct app *a);

/* The kinds of daily records (支援記録 …), ending with NULL. */
extern const char *const centre_note_kinds[];
/* Returns 1 when kind is one of them. */
int centre_note_kind_ok(const char *kind);

/* child.c: the application and the contract. */
/* Checks the child (name, kana, birth) of JSON j and returns its JSON text (malloc'd; caller
 * wipes with vault_wipe_free), or NULL with why. */
char *centre_person_parse(json_t *j, const char *today, char why[CENTRE_WHY_MAX]);
/* Checks the contacts (parent, phone, email) and bus stop (stop, may be "") of JSON j and
 * returns its JSON text (malloc'd; caller wipes it), or NULL with why. */
char *centre_contact_parse(json_t *j, char why[CENTRE_WHY_MAX]);
/* Stores a new application (state applied) with the person and contact texts (sealed here), in
 * the caller's transaction: its id and number (C2026-0001). */
enum err centre_child_create(struct store_conn *c, const struct vault *v, const char *person,
			     const char *contact, int64_t user_id, int64_t now_ms, int64_t *id,
			     char number[16]);
/* The plain terms of a usage contract. */
struct centre_terms {
	char from[11], to[11]; /* the contract period (ISO) */
	int days;	       /* 支給量: days per month granted, 1..31 */
	int weekdays;	       /* bit d set: weekday d (0 Sunday … 6 Saturday) contracted */
	char route[32];	       /* the bus route's code, "" when the child does not ride */
	int unit_fee;	       /* yen per day attended */
	int cap;	       /* 上限月額: the household's monthly cap (0, 4600, 37200) */
};
/* Checks the terms of JSON j (from, to, days, weekdays [0..6], route, unit_fee, cap) into *t;
 * ERR_INVALID with why. The route must exist (checked on c). */
enum err centre_terms_parse(struct store_conn *c, json_t *j, struct centre_terms *t,
			    char why[CENTRE_WHY_MAX]);
/* Makes child id's contract the terms t (state contracted) and, when contact is not NULL, its
 * contacts; ERR_NOTFOUND. */
enum err centre_contract_set(struct store_conn *c, const struct vault *v, int64_t id,
			     const struct centre_terms *t, const char *contact, int64_t now_ms);
/* Returns child id as the centre's staff see it once opened (number, state, person, contract,
 * assigned staff, records, assessments, plans, attendance of the month, parents, messages,
 * statements) in *out (new reference). ERR_NOTFOUND, ERR_CRYPTO, ERR_DB. */
enum err centre_child_json(struct store_conn *c, const struct vault *v, int64_t id, json_t **out);
/* Returns the weekdays of mask (bit d: 0 Sunday … 6 Saturday) as a JSON array (new reference). */
json_t *centre_weekdays_json(int mask);
/* Returns the person of child id (unsealed JSON, new reference) in *out: ERR_NOTFOUND,
 * ERR_CRYPTO, ERR_DB. */
enum err centre_person_json(struct store_conn *c, const struct vault *v, int64_t id, json_t **out);

/* care.c: assessments and plans. */
/* Writes the date six months after ISO date on (the month's last day when it has no such day)
 * into out; ERR_INVALID for a bad date. */
enum err centre_review_date(const char *on, char out[11]);
/* Adds a development assessment of JSON j (on_date, areas: summary, motor, language, social,
 * daily living; findings) to child id; ERR_INVALID with why. */
enum err centre_assessment_add(struct store_conn *c, const struct vault *v, int64_t id, json_t *j,
			       int64_t user_id, int64_t now_ms, char why[CENTRE_WHY_MAX]);
/* Stores a new version of child id's support plan of JSON j (on_date, policy, goals [text]):
 * its next review six months after on_date. *version the new version, review the date. */
enum err centre_plan_add(struct store_conn *c, const struct vault *v, int64_t id, json_t *j,
			 int64_t user_id, int64_t now_ms, int64_t *version, char review[11],
			 char why[CENTRE_WHY_MAX]);
/* Appends child id's assessments and plans (newest first) to o. ERR_CRYPTO, ERR_DB. */
enum err centre_care_json(struct store_conn *c, const struct vault *v, int64_t id, json_t *o);
/* Returns the contracted children whose latest plan's review falls on or before until (or who
 * have no plan), as a JSON array (new reference) of {id, number, review_on, plan_on, version}. */
json_t *centre_reviews_due(struct store_conn *c, const char *until);

/* day.c: attendance and the bus list. */
/* Records child id on day (ISO) as present or absent, riding the bus or not; ERR_INVALID with
 * why for a bad day or state, ERR_NOTFOUND. */
enum err centre_attendance_set(struct store_conn *c, int64_t id, const char *day, const char *state,
			       int bus, int64_t user_id, int64_t now_ms, char why[CENTRE_WHY_MAX]);
/* Returns the children due on day (contracted for its weekday within the contract) or marked
 * that day, of user_id's assignments (every child when all), with their names, route, stop and
 * attendance, as a JSON array in *out (new reference), by route then number. */
enum err centre_day_json(struct store_conn *c, const struct vault *v, const char *day, int all,
			 int64_t user_id, json_t **out);
/* Adds or changes bus route code (a-z, 0-9, -) with its label and the pick-up and drop-off
 * times (HH:MM); ERR_INVALID with why. */
enum err centre_route_put(struct store_conn *c, const char *code, const char *label,
			  const char *pickup, const char *dropoff, char why[CENTRE_WHY_MAX]);
/* Returns the bus routes as a JSON array (new reference) of {code, label, pickup, dropoff}. */
json_t *centre_routes_json(struct store_conn *c);

/* fees.c: the monthly usage fee. */
/* Returns the month's fee: days × unit_fee, at most cap (0 when any is negative). */
int64_t centre_fee(int64_t days, int64_t unit_fee, int64_t cap);
/* Makes (or makes again) the statements of month (YYYY-MM) for every child contracted in it
 * (only child_id when > 0): the days attended, the fee; *count how many. ERR_INVALID. */
enum err centre_statements_make(struct store_conn *c, const char *month, int64_t child_id,
				int64_t user_id, int64_t now_ms, int *count);
/* Appends statement sid's PDF to out (the child's name, the month, the days, the unit fee, the
 * cap and the amount) and its child in *child_id, its file name (ASCII) in name.
 * ERR_NOTFOUND, ERR_CRYPTO, ERR_IO. */
enum err centre_statement_pdf(struct store_conn *c, const struct vault *v, int64_t sid,
			      int64_t *child_id, char name[64], struct buf *out);
/* Returns the statements of child id (child_id > 0) or of month (otherwise) as a JSON array
 * (new reference), without names. */
json_t *centre_statements_json(struct store_conn *c, int64_t child_id, const char *month);

/* thread.c: parents and the contact thread. */
/* Returns 1 when user_id is a parent of child id, 0 when not, -1 on a database error. */
int centre_is_parent(struct store_conn *c, int64_t user_id, int64_t id);
/* Links parent account user_id to child id with its mail address (sealed). */
enum err centre_parent_link(struct store_conn *c, const struct vault *v, int64_t user_id,
			    int64_t id, const char *email, int64_t by, int64_t now_ms);
/* Adds a message of body to child id's thread (from_parent set for a parent's). When it is
 * the centre's, queues a notice without the content to each parent of the child (*mailed how
 * many), linking to base_url. ERR_INVALID with why for a bad body. */
enum err centre_message_add(struct store_conn *c, const struct vault *v, int64_t id,
			    int64_t user_id, int from_parent, const char *body,
			    const char *base_url, int64_t now_ms, int *mailed,
			    char why[CENTRE_WHY_MAX]);
/* Returns child id's thread (oldest first: id, from_parent, login, body, at_ms) in *out. */
enum err centre_messages_json(struct store_conn *c, const struct vault *v, int64_t id,
			      json_t **out);
/* Returns the parent accounts of child id as a JSON array of {id, login} (new reference). */
json_t *centre_parents_json(struct store_conn *c, int64_t id);

/* welcome.c: a parent's one-time link to set their password. */
#define CENTRE_WELCOME_DAYS 7 /* how long the link holds */
/* Makes a one-time link for parent account user_id (login) and queues the mail that carries it
 * to email (the login, the link to base_url's /centre/welcome.html, its expiry; nothing of the
 * child), in the caller's transaction. Only the token's hash is kept. */
enum err centre_welcome_issue(struct store_conn *c, const struct vault *v, int64_t user_id,
			      const char *login, const char *email, const char *base_url,
			      int64_t now_ms);
/* Returns in *user_id the account of an unused, unexpired token (without using it):
 * ERR_NOTFOUND for none (a wrong, used or expired token look the same). */
enum err centre_welcome_peek(struct store_conn *c, const char *token, int64_t now_ms,
			     int64_t *user_id);
/* Marks token used (once): ERR_NOTFOUND when it is not (any more) usable. */
enum err centre_welcome_use(struct store_conn *c, const char *token, int64_t now_ms);

#endif
