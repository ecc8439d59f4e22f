/* SPDX-License-Identifier: MIT */
/* path.c — the benefit path's states and moves (path.h): who may move an application from
 * which state to which, and the step itself (the state changed only from the state seen, the
 * step appended in the service's own table). */
#include "grant/path.h"

#include <stdio.h>
#include <string.h>

#include "store/store.h"
#include "vault/vault.h"

static const char *const names[GRANT_STATE_COUNT] = {
    "draft",	"submitted", "returned", "screened", "approved",
    "rejected", "notified",  "paid",	 "unpaid",
};

static const char *const labels[GRANT_STATE_COUNT] = {
    "入力中（未提出）",
    "受付（事前審査中）",
    "補正依頼中",
    "事前審査済（区の決定待ち）",
    "交付決定（通知前）",
    "不交付決定（通知前）",
    "交付決定・通知済（振込待ち）",
    "振込済",
    "振込不能（口座の確認中）",
};

#define CONTRACTOR (ROLE_GRANT_OPERATOR | ROLE_GRANT_SUPERVISOR)
#define WARD (ROLE_GRANT_STAFF | ROLE_GRANT_APPROVER)

/* The path: every move there is, and who may make it. Nothing else moves an application. */
static const struct {
	enum grant_state from, to;
	unsigned roles;
} moves[] = {
    /* the applicant sends the form, and sends it again after a correction */
    {GRANT_DRAFT, GRANT_SUBMITTED, GRANT_BY_APPLICANT | CONTRACTOR},
    {GRANT_RETURNED, GRANT_SUBMITTED, GRANT_BY_APPLICANT | CONTRACTOR},
    /* the contractor's pre-screen: back for correction, or done */
    {GRANT_SUBMITTED, GRANT_RETURNED, CONTRACTOR},
    {GRANT_SUBMITTED, GRANT_SCREENED, CONTRACTOR},
    /* the ward alone decides; its staff may send a screened one back to the contractor */
    {GRANT_SCREENED, GRANT_APPROVED, ROLE_GRANT_APPROVER},
    {GRANT_SCREENED, GRANT_REJECTED, ROLE_GRANT_APPROVER},
    {GRANT_SCREENED, GRANT_SUBMITTED, WARD},
    /* the notices (the contractor sends them, seed 004 (4); or the ward) */
    {GRANT_APPROVED, GRANT_NOTIFIED, ROLE_GRANT_SUPERVISOR | WARD},
    {GRANT_REJECTED, GRANT_NOTIFIED, ROLE_GRANT_SUPERVISOR | WARD},
    /* the ward pays; a transfer that came back waits for a corrected account */
    {GRANT_NOTIFIED, GRANT_PAID, WARD},
    {GRANT_PAID, GRANT_UNPAID, WARD},
    {GRANT_UNPAID, GRANT_NOTIFIED, GRANT_BY_APPLICANT | CONTRACTOR | WARD},
};

const char *grant_state_name(enum grant_state s)
{
	return (unsigned)s < GRANT_STATE_COUNT ? names[s] : "";
}

int grant_state_parse(const char *name)
{
	for (int i = 0; name && i < GRANT_STATE_COUNT; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	return -1;
}

const char *grant_state_label(enum grant_state s, int approved)
{
	if (s == GRANT_NOTIFIED && !approved)
		return "不交付決定・通知済";
	return (unsigned)s < GRANT_STATE_COUNT ? labels[s] : "";
}

/* Returns the roles of the move from → to, or 0 when it is not on the path. */
static unsigned move_roles(enum grant_state from, enum grant_state to)
{
	for (size_t i = 0; i < sizeof moves / sizeof moves[0]; i++)
		if (moves[i].from == from && moves[i].to == to)
			return moves[i].roles;
	return 0;
}

int grant_move_allowed(enum grant_state from, enum grant_state to, enum role role)
{
	return (move_roles(from, to) & (unsigned)role) != 0;
}

enum err grant_step(struct store_conn *c, const struct vault *v, const struct grant_tables *t,
		    int64_t id, enum grant_state from, enum grant_state to, int64_t user_id,
		    const char *note, int64_t now_ms)
{
	struct store_stmt *st = NULL;
	enum err e = ERR_DB;
	if (!move_roles(from, to))
		return ERR_INVALID;
	st = store_prepare(c, t->set_state);
	if (!st)
		goto out;
	store_bind_text(st, 1, names[to]);
	store_bind_int(st, 2, now_ms);
	store_bind_int(st, 3, id);
	store_bind_text(st, 4, names[from]);
	e = store_run(st);
	store_finish(st);
	st = NULL;
	if (e != ERR_OK)
		goto out;
	if (store_changes(c) != 1) {
		e = ERR_CONFLICT;
		goto out;
	}
	st = store_prepare(c, t->add_step);
	e = ERR_DB;
	if (!st)
		goto out;
	store_bind_int(st, 1, id);
	store_bind_text(st, 2, names[from]);
	store_bind_text(st, 3, names[to]);
	if (user_id > 0)
		store_bind_int(st, 4, user_id);
	else
		store_bind_null(st, 4);
	if (note && *note)
		vault_bind_sealed(v, st, 5, t->note_field, note);
	else
		store_bind_null(st, 5);
	store_bind_int(st, 6, now_ms);
	e = store_run(st);
out:
	store_finish(st);
	return e;
}

int grant_staff_service(struct store_conn *c, int64_t user_id, char *out, size_t n)
{
	int found = 0;
	struct store_stmt *st =
	    store_prepare(c, "SELECT service FROM grant_staff WHERE user_id = ?1");
	if (!st)
		return 0;
	store_bind_int(st, 1, user_id);
	if (store_step(st) == STORE_ROW) {
		snprintf(out, n, "%s", store_col_text(st, 0));
		found = 1;
	}
	store_finish(st);
	return found;
}

enum err grant_staff_set(struct store_conn *c, int64_t user_id, const char *service)
{
	struct store_stmt *st = store_prepare(
	    c, "INSERT INTO grant_staff (user_id, service) VALUES (?1, ?2) ON CONFLICT (user_id) "
	       "DO UPDATE SET service = excluded.service");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, user_id);
	store_bind_text(st, 2, service);
	enum err e = store_run(st);
	store_finish(st);
	return e;
}
