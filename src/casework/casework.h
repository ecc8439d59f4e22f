/* SPDX-License-Identifier: MIT */
/* casework.h — the platform's casework layer for services that hold 要配慮個人情報 (special-care
 * personal information): cases of a unit (a plaza, a centre), workers of a unit assigned to a
 * case, the one access rule ("an assigned worker of the case's unit, or the supervisor; anyone
 * else: not found"), openings recorded with the reason asked at the first open of the day
 * (user × case), break-glass opens for emergencies flagged for review, and versioned case notes
 * (each edit a new version, none changed). It knows no service: each names its own tables by a
 * prefix P, in its own migration, with at least these columns:
 *   P_cases (id, number, unit), P_numbers (fiscal_year key, last),
 *   P_workers (user_id, unit, set_by, set_ms),
 *   P_assignments (case_id, user_id, assigned_by, at_ms; key case_id, user_id),
 *   P_opens (id, case_id, user_id, day, reason, break_glass, reviewed_by, review_note,
 *            reviewed_ms, at_ms),
 *   P_notes (id, case_id, kind, on_date, created_by, created_ms),
 *   P_note_versions (id, note_id, version, body sealed, user_id, at_ms; unique note_id, version;
 *            append-only),
 * and seals the notes under its own key. Runs on the caller's connection; functions that write
 * expect the caller's transaction unless they say otherwise. */
#ifndef MIMAMORI_CASEWORK_CASEWORK_H
#define MIMAMORI_CASEWORK_CASEWORK_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct store_conn;
struct store_stmt;
struct vault;

#define CASEWORK_UNIT_MAX 32
#define CASEWORK_REASON_MAX 200 /* characters of an opening's reason */
#define CASEWORK_NOTE_MAX 4000	/* characters of a note's body */

/* A service's casework: static, named by the service. */
struct casework_kind {
	const char *prefix;	       /* its tables' prefix ("yo") */
	const char *object;	       /* the audit object's kind ("youth_case") */
	unsigned worker_role;	       /* enum role bit of its case workers */
	unsigned supervisor_role;      /* enum role bit of its supervisor */
	const char *service;	       /* its name: its data key (app_vault), audit actions
					  ("youth.note_add"), the handover ledger and file ("youth") */
	const char *noun;	       /* what a person calls a case, in messages ("ケース") */
	const char *key;	       /* a case's name in JSON answers and files ("case") */
	char number_letter;	       /* the first letter of its case numbers ('Y': Y2026-0001) */
	const char *supervisor_how;    /* the supervisor's access as answered ("supervisor") */
	const char *closed_state;      /* <p>_cases.state of a case that takes no more writes */
	const char *closed_message;    /* the 409 case_closed message: what to do to write again */
	const char *const *note_kinds; /* its notes' kinds, NULL-terminated */
	/* The whole case id unsealed under v as a new JSON object in *out (with "notes"). */
	enum err (*case_json)(struct store_conn *c, const struct vault *v, int64_t id,
			      json_t **out);
};

/* The retention kinds (app/retention.h: include it) of what the casework layer keeps of the
 * cases that select names (a parenthesised SELECT of their ids with the cutoff day ?1), under
 * key, label and default days: the note versions (append-only, let through: purge), the notes,
 * the openings and the assignments. A service lists them before its own tables' kinds and the
 * kind that deletes its cases. */
/* clang-format off */
#define CASEWORK_RETENTION_KINDS(key, label, days, prefix, select)                              \
	{key, label, days, prefix "_note_versions",                                             \
	 "DELETE FROM " prefix "_note_versions WHERE note_id IN (SELECT id FROM " prefix        \
	 "_notes WHERE case_id IN " select ")", 1, 1, 1, 0},                                    \
	RETENTION_REFERRING(key, label, days, 1, prefix "_notes", "case_id", select),           \
	RETENTION_REFERRING(key, label, days, 1, prefix "_opens", "case_id", select),           \
	RETENTION_REFERRING(key, label, days, 1, prefix "_assignments", "case_id", select)
/* clang-format on */

/* How a caller reaches a case. */
enum casework_access {
	CASEWORK_NONE = 0,
	CASEWORK_ASSIGNED,    /* an assigned worker of the case's unit */
	CASEWORK_SUPERVISOR,  /* the supervisor */
	CASEWORK_BREAK_GLASS, /* a worker's emergency open today, to be reviewed */
};

/* Returns the statement text of sql with every '@' replaced by k's prefix in out (n bytes);
 * asserts it fits. Returns out. */
const char *casework_sql(const struct casework_kind *k, const char *sql, char *out, size_t n);

/* Runs st to completion expecting no rows and releases it (store_run, then store_finish):
 * ERR_OK, ERR_CONFLICT or ERR_DB. */
enum err casework_run(struct store_stmt *st);
/* Steps st (bound, or NULL when it could not be prepared) once and releases it: 1 when it gave
 * a row, 0 when none, -1 on a database error. */
int casework_exists(struct store_stmt *st);
/* Binds id to ?1 of st (or NULL), steps it once and releases it: 1 with the row's first column
 * (a unit) in out, 0 when no row (out ""), -1 on a database error. */
int casework_unit_read(struct store_stmt *st, int64_t id, char out[CASEWORK_UNIT_MAX]);

/* person.c */
/* A one-line field of a form: its JSON key, its label in messages, its most characters, and
 * whether it may be left empty. */
struct casework_field {
	const char *key, *label;
	size_t max;
	int optional;
};
/* Copies the fields f (n) of j into a new object (optional ones missing as ""), or returns
 * NULL with why (why_n bytes, Japanese) for the first missing or bad one. */
json_t *casework_fields_take(const json_t *j, const struct casework_field *f, size_t n, char *why,
			     size_t why_n);
/* Returns a case's person as JSON text (malloc'd; the caller wipes it with vault_wipe_free):
 * the fields f (n) of j and its "birth" (ISO, a real date up to today), or NULL with why. */
char *casework_person_parse(const json_t *j, const struct casework_field *f, size_t n,
			    const char *today, char *why, size_t why_n);

/* sealed.c */
/* Unseals column col of st (sealed as field, e.g. "yo_cases.person") as JSON: a new reference,
 * or NULL when it does not unseal or parse. */
json_t *casework_sealed_json(const struct vault *v, struct store_stmt *st, int col,
			     const char *field);

/* numbers.c */
/* Takes the next case number of the fiscal year (April to March, Asia/Tokyo) of now_ms from
 * P_numbers into number: the kind's letter, the year and the sequence ("Y2026-0001").
 * ERR_INVALID, ERR_DB. */
enum err casework_number_next(struct store_conn *c, const struct casework_kind *k, int64_t now_ms,
			      char number[16]);

/* workers.c: a worker's unit and the assignments. */
/* Returns 1 with the unit of worker user_id in out, or 0 when the worker has none (or -1 on a
 * database error). */
int casework_worker_unit(struct store_conn *c, const struct casework_kind *k, int64_t user_id,
			 char out[CASEWORK_UNIT_MAX]);
/* Sets the unit of worker user_id (an upsert; unassigns the worker from cases of other
 * units). ERR_DB. */
enum err casework_worker_set(struct store_conn *c, const struct casework_kind *k, int64_t user_id,
			     const char *unit, int64_t by, int64_t now_ms);
/* Assigns worker user_id to case_id: ERR_INVALID when the worker's unit is not the case's,
 * ERR_NOTFOUND when there is no such case, ERR_OK when already assigned. */
enum err casework_assign(struct store_conn *c, const struct casework_kind *k, int64_t case_id,
			 int64_t user_id, int64_t by, int64_t now_ms);
/* Removes the assignment; ERR_NOTFOUND when there was none. */
enum err casework_unassign(struct store_conn *c, const struct casework_kind *k, int64_t case_id,
			   int64_t user_id);
/* Returns the assigned workers of case_id as a JSON array of {id, login} (new reference). */
json_t *casework_assigned_json(struct store_conn *c, const struct casework_kind *k,
			       int64_t case_id);

/* access.c: the rule and the openings. */
/* Decides how user_id of role reaches case_id on day (ISO, Asia/Tokyo) into *out: ERR_OK, or
 * ERR_NOTFOUND when not at all (also when there is no such case: the two look the same),
 * ERR_DB. */
enum err casework_access(struct store_conn *c, const struct casework_kind *k, int64_t user_id,
			 unsigned role, int64_t case_id, const char *day,
			 enum casework_access *out);
/* Returns 1 when user_id has opened case_id on day (so no reason is asked again), 0 when not,
 * -1 on a database error. */
int casework_opened_today(struct store_conn *c, const struct casework_kind *k, int64_t user_id,
			  int64_t case_id, const char *day);
/* Opens case_id for user_id of role on the day of now_ms, with reason (one line, up to
 * CASEWORK_REASON_MAX characters; may be "" only when the caller has opened it that day) and
 * break_glass (a worker without access opens it in an emergency: the reason is mandatory):
 * records the opening and appends its audit entry (action casework.open or
 * casework.break_glass, object "<object>:<id>", the reason in its detail; actor as given,
 * chained under audit_key) in the caller's transaction. *how says how the caller reaches it.
 * ERR_NOTFOUND (no access and no break-glass, or no case), ERR_INVALID with *why (static
 * Japanese) for a missing or bad reason, ERR_DB. */
enum err casework_open(struct store_conn *c, const struct vault *audit_key,
		       const struct casework_kind *k, const char *actor, int64_t user_id,
		       unsigned role, int64_t case_id, const char *reason, int break_glass,
		       int64_t now_ms, enum casework_access *how, const char **why);
/* Returns the openings as a JSON array (new reference), newest first (at most 500): of case_id
 * (0: every case), only break-glass ones not yet reviewed when pending is set. Each: id,
 * case_id, user_id, login, day, reason, break_glass, reviewed_by, review_note, at_ms. */
json_t *casework_opens_json(struct store_conn *c, const struct casework_kind *k, int64_t case_id,
			    int pending);
/* Marks break-glass opening open_id reviewed by user_id with note (one line, may be "").
 * ERR_NOTFOUND (no such break-glass opening), ERR_CONFLICT (already reviewed), ERR_DB. */
enum err casework_review(struct store_conn *c, const struct casework_kind *k, int64_t open_id,
			 int64_t user_id, const char *note, int64_t now_ms, int64_t *case_id);

/* notes.c: versioned case notes, sealed under the service's key v as "<prefix>_note_versions.body".
 */
/* Adds a note of kind (static or copied; up to 32 bytes) on on_date (ISO) with body as its
 * version 1; *note_id its id. ERR_INVALID with *why for a bad body, kind or date. */
enum err casework_note_add(struct store_conn *c, const struct vault *v,
			   const struct casework_kind *k, int64_t case_id, const char *kind,
			   const char *on_date, const char *body, int64_t user_id, int64_t now_ms,
			   int64_t *note_id, const char **why);
/* Adds version expect+1 of note_id with body: ERR_CONFLICT when expect is not the latest
 * version (someone else edited it), ERR_NOTFOUND, ERR_INVALID with *why. */
enum err casework_note_edit(struct store_conn *c, const struct vault *v,
			    const struct casework_kind *k, int64_t note_id, int64_t expect,
			    const char *body, int64_t user_id, int64_t now_ms, const char **why);
/* Returns the case of note_id in *case_id: ERR_OK or ERR_NOTFOUND. */
enum err casework_note_case(struct store_conn *c, const struct casework_kind *k, int64_t note_id,
			    int64_t *case_id);
/* Returns the notes of case_id, newest session first, each with its latest version (id, kind,
 * on_date, version, body, by, at_ms) as a JSON array in *out (new reference). ERR_CRYPTO when
 * a body does not unseal, ERR_DB. */
enum err casework_notes_json(struct store_conn *c, const struct vault *v,
			     const struct casework_kind *k, int64_t case_id, json_t **out);
/* Returns every version of note_id, oldest first ({version, body, by, at_ms}) in *out. */
enum err casework_note_history(struct store_conn *c, const struct vault *v,
			       const struct casework_kind *k, int64_t note_id, json_t **out);

#endif
