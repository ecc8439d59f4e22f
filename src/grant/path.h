/* SPDX-License-Identifier: MIT */
/* path.h — the path every benefit takes (申請 → 事業者の事前審査 → 区の決定 → 通知 → 支払),
 * the platform's part of the subsidies: its states, the moves between them with the roles that
 * may make each, and the one function that moves an application and records the step. A state
 * cannot be skipped: a move is made only from the state the caller saw, in the service's own
 * tables (named in struct grant_tables), inside the caller's transaction. */
#ifndef MIMAMORI_GRANT_PATH_H
#define MIMAMORI_GRANT_PATH_H
#include <stddef.h>
#include <stdint.h>

#include "auth/role.h"
#include "base/err.h"

struct store_conn;
struct vault;

enum grant_state {
	GRANT_DRAFT,	 /* the applicant is filling it in (receipts uploading) */
	GRANT_SUBMITTED, /* received: the contractor's pre-screen */
	GRANT_RETURNED,	 /* sent back to the applicant for correction */
	GRANT_SCREENED,	 /* pre-screen done: the ward decides */
	GRANT_APPROVED,	 /* 交付決定 */
	GRANT_REJECTED,	 /* 不交付決定 */
	GRANT_NOTIFIED,	 /* the decision notice made (approved: waiting for the transfer) */
	GRANT_PAID,	 /* in a transfer file */
	GRANT_UNPAID,	 /* the transfer came back (振込不能): the account is being corrected */
	GRANT_STATE_COUNT
};

/* The applicant by the link of their application (no account): a role of its own for the
 * moves' table only, never a session's. */
#define GRANT_BY_APPLICANT ROLE_PUBLIC

/* Returns the stored name of s ("submitted"), or "" for an invalid value. */
const char *grant_state_name(enum grant_state s);
/* Returns the state named name, or -1 when unknown. */
int grant_state_parse(const char *name);
/* Returns the Japanese label of s as people see it (受付（事前審査中）…); for GRANT_NOTIFIED the
 * label depends on the decision: approved 1 or 0. Static. */
const char *grant_state_label(enum grant_state s, int approved);

/* Returns 1 when a caller of role may move an application from `from` to `to` (the table in
 * path.c), else 0. */
int grant_move_allowed(enum grant_state from, enum grant_state to, enum role role);

/* A service's statements on its own tables (constant SQL, never formatted): set_state
 * ("UPDATE <its applications> SET state = ?1, updated_ms = ?2 WHERE id = ?3 AND state = ?4")
 * and add_step ("INSERT INTO <its steps> (application_id, from_state, to_state, user_id, note,
 * at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"), and the sealed field name of a step's note
 * ("sitter_steps.note"). */
struct grant_tables {
	const char *set_state;
	const char *add_step;
	const char *note_field;
};

/* Moves application id from `from` to `to` on c, inside the caller's transaction: updates its
 * state (only when it is still `from`) and appends the step (by user_id, 0 for the applicant;
 * note sealed under v, may be NULL). Does not check the role: callers check grant_move_allowed
 * first. Returns ERR_OK, ERR_CONFLICT when the application is no longer in `from` (someone
 * else moved it), ERR_INVALID for a move that is not on the path, ERR_DB. */
enum err grant_step(struct store_conn *c, const struct vault *v, const struct grant_tables *t,
		    int64_t id, enum grant_state from, enum grant_state to, int64_t user_id,
		    const char *note, int64_t now_ms);

/* Returns the service an account of a grant_* role works on (grant_staff) into out (n bytes)
 * and 1, or 0 when it has none. */
int grant_staff_service(struct store_conn *c, int64_t user_id, char *out, size_t n);
/* Sets the service of account user_id on c (an upsert). ERR_DB. */
enum err grant_staff_set(struct store_conn *c, int64_t user_id, const char *service);

#endif
