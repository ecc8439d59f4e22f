/* SPDX-License-Identifier: MIT */
/* pickup.c — the people allowed to collect a child (お迎え者), kept by the guardians; names and
 * relations are sealed. */
#include "attendance/plan.h"

#include <stdio.h>
#include <stdlib.h>

#include "app.h"
#include "attendance/attendance.h"
#include "auth/audit.h"
#include "base/clock.h"
#include "base/text.h"
#include "base/xalloc.h"
#include "store/store.h"
#include "vault/memo.h"
#include "vault/vault.h"

void pickup_list_free(struct pickup *p, size_t n)
{
	for (size_t i = 0; p && i < n; i++) {
		vault_wipe_free(p[i].name);
		vault_wipe_free(p[i].relation);
	}
	free(p);
}

/* The text of blob sealed as field, malloc'd (the caller wipes it): through memo when given. */
static enum err unseal(struct app *a, struct vault_memo *memo, const char *field,
		       const void *blob, size_t len, char **out)
{
	if (!memo)
		return vault_unseal(attendance_vault(a), field, blob, len, out);
	const char *kept = NULL;
	enum err e = vault_memo_unseal(memo, attendance_vault(a), field, blob, len, &kept);
	if (e == ERR_OK)
		*out = xstrdup(kept);
	return e;
}

/* Steps st (columns child_id, id, name_enc, relation_enc, active) to its end into *out
 * (malloc'd) and *n, unsealing the names (through memo, or NULL); finishes st. */
static enum err read_rows(struct app *a, struct store_stmt *st, struct vault_memo *memo,
			  struct pickup **out, size_t *n)
{
	struct pickup *list = NULL;
	size_t len = 0, cap = 0;
	enum err e = ERR_OK;
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		if (len == cap) {
			cap = cap ? cap * 2 : 4;
			list = xrealloc(list, cap * sizeof *list);
		}
		struct pickup *p = &list[len++];
		size_t l1, l2;
		const void *b1 = store_col_blob(st, 2, &l1), *b2 = store_col_blob(st, 3, &l2);
		p->child_id = store_col_int(st, 0);
		p->id = store_col_int(st, 1);
		p->active = (int)store_col_int(st, 4);
		p->name = p->relation = NULL;
		e = unseal(a, memo, "pickups.name", b1, l1, &p->name);
		if (e == ERR_OK)
			e = unseal(a, memo, "pickups.relation", b2, l2, &p->relation);
		if (e != ERR_OK)
			break;
	}
	if (e == ERR_OK && rc != STORE_DONE)
		e = ERR_DB;
	store_finish(st);
	if (e != ERR_OK) {
		pickup_list_free(list, len);
		return e;
	}
	*out = list;
	*n = len;
	return ERR_OK;
}

enum err pickup_list(struct app *a, struct store_conn *c, int64_t child_id, int all,
		     struct pickup **out, size_t *n)
{
	struct store_stmt *st = store_prepare(
	    c, "SELECT child_id, id, name_enc, relation_enc, active FROM pickups WHERE "
	       "child_id = ? AND (active = 1 OR ? = 1) ORDER BY id");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, child_id);
	store_bind_int(st, 2, all ? 1 : 0);
	return read_rows(a, st, NULL, out, n);
}

enum err pickup_list_site(struct app *a, struct store_conn *c, int64_t site_id,
			  struct vault_memo *memo, struct pickup **out, size_t *n)
{
	struct store_stmt *st = store_prepare(
	    c, "SELECT p.child_id, p.id, p.name_enc, p.relation_enc, p.active FROM pickups p "
	       "JOIN children ch ON ch.id = p.child_id WHERE ch.site_id = ? AND ch.active = 1 "
	       "ORDER BY p.child_id, p.id");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, site_id);
	return read_rows(a, st, memo, out, n);
}

enum err pickup_add(struct app *a, const char *actor, int64_t child_id, const char *name,
		    const char *relation, int64_t *id, const char **why)
{
	enum text_problem bad = text_line_check(name ? name : "", PICKUP_TEXT_MAX);
	if (bad != TEXT_OK) {
		*why = bad == TEXT_EMPTY ? "お迎えの方の名前を入力してください。"
					 : "お迎えの方の名前を、1行・60文字以内で入力してください。";
		return ERR_INVALID;
	}
	bad = text_line_check(relation ? relation : "", PICKUP_TEXT_MAX);
	if (bad != TEXT_OK) {
		*why = bad == TEXT_EMPTY ? "続柄（母、祖父など）を入力してください。"
					 : "続柄（母、祖父など）を、1行・60文字以内で入力してください。";
		return ERR_INVALID;
	}
	struct store_conn *c = store_acquire(a->store);
	struct store_stmt *st = NULL;
	enum err e = store_begin(c);
	if (e != ERR_OK)
		goto out;
	st = store_prepare(c, "INSERT INTO pickups(child_id, name_enc, relation_enc, created_ms) "
			      "VALUES (?, ?, ?, ?)");
	e = ERR_DB;
	if (!st)
		goto out;
	store_bind_int(st, 1, child_id);
	vault_bind_sealed(attendance_vault(a), st, 2, "pickups.name", name);
	vault_bind_sealed(attendance_vault(a), st, 3, "pickups.relation", relation);
	store_bind_int(st, 4, clock_now_ms());
	e = store_run(st);
	if (e != ERR_OK)
		goto out;
	*id = store_last_id(c);
	char object[48], detail[48];
	snprintf(object, sizeof object, "child:%lld", (long long)child_id);
	snprintf(detail, sizeof detail, "pickup=%lld", (long long)*id);
	e = audit_append(c, a->vault, actor, "pickup.add", object, detail);
	if (e == ERR_OK)
		e = store_commit(c);
out:
	store_finish(st);
	store_rollback(c);
	store_release(c);
	return e;
}

enum err pickup_remove(struct app *a, const char *actor, int64_t child_id, int64_t id)
{
	struct store_conn *c = store_acquire(a->store);
	struct store_stmt *st = NULL;
	enum err e = store_begin(c);
	if (e != ERR_OK)
		goto out;
	st = store_prepare(c, "UPDATE pickups SET active = 0 WHERE id = ? AND child_id = ? AND "
			      "active = 1");
	e = ERR_DB;
	if (!st)
		goto out;
	store_bind_int(st, 1, id);
	store_bind_int(st, 2, child_id);
	e = store_run(st);
	if (e != ERR_OK)
		goto out;
	if (store_changes(c) != 1) {
		e = ERR_NOTFOUND;
		goto out;
	}
	char object[48], detail[48];
	snprintf(object, sizeof object, "child:%lld", (long long)child_id);
	snprintf(detail, sizeof detail, "pickup=%lld", (long long)id);
	e = audit_append(c, a->vault, actor, "pickup.remove", object, detail);
	if (e == ERR_OK)
		e = store_commit(c);
out:
	store_finish(st);
	store_rollback(c);
	store_release(c);
	return e;
}
