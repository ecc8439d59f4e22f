/* SPDX-License-Identifier: MIT */
/* pickup.c — the people allowed to collect a child (お迎え者), kept by the guardians; names and
 * relations are sealed. */
#include "attendance/plan.h"

#include <stdio.h>
#include <stdlib.h>

#include "app.h"
#include "auth/audit.h"
#include "base/clock.h"
#include "base/text.h"
#include "base/xalloc.h"
#include "store/store.h"
#include "vault/vault.h"

const char *plan_text_check(const char *text, size_t max)
{
	switch (text_line_check(text ? text : "", max)) {
	case TEXT_OK:
		return NULL;
	case TEXT_BAD_UTF8:
		return "the text is not valid UTF-8";
	case TEXT_CONTROL:
		return "line breaks and control characters are not allowed";
	case TEXT_EMPTY:
		return "the text is empty";
	case TEXT_TOO_LONG:
		break;
	}
	return "the text is too long";
}

void pickup_list_free(struct pickup *p, size_t n)
{
	for (size_t i = 0; p && i < n; i++) {
		vault_wipe_free(p[i].name);
		vault_wipe_free(p[i].relation);
	}
	free(p);
}

enum err pickup_list(struct app *a, struct store_conn *c, int64_t child_id, int all,
		     struct pickup **out, size_t *n)
{
	struct pickup *list = NULL;
	size_t len = 0, cap = 0;
	enum err e = ERR_DB;
	struct store_stmt *st = store_prepare(
	    c, "SELECT id, name_enc, relation_enc, active FROM pickups WHERE child_id = ? AND "
	       "(active = 1 OR ?) ORDER BY id");
	if (!st)
		goto out;
	store_bind_int(st, 1, child_id);
	store_bind_int(st, 2, all ? 1 : 0);
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		if (len == cap) {
			cap = cap ? cap * 2 : 4;
			list = xrealloc(list, cap * sizeof *list);
		}
		struct pickup *p = &list[len];
		size_t l1, l2;
		const void *b1 = store_col_blob(st, 1, &l1), *b2 = store_col_blob(st, 2, &l2);
		p->id = store_col_int(st, 0);
		p->active = (int)store_col_int(st, 3);
		p->name = p->relation = NULL;
		len++;
		e = vault_unseal(a->vault, "pickups.name", b1, l1, &p->name);
		if (e == ERR_OK)
			e = vault_unseal(a->vault, "pickups.relation", b2, l2, &p->relation);
		if (e != ERR_OK)
			goto out;
	}
	e = rc == STORE_DONE ? ERR_OK : ERR_DB;
out:
	store_finish(st);
	if (e != ERR_OK) {
		pickup_list_free(list, len);
		return e;
	}
	*out = list;
	*n = len;
	return ERR_OK;
}

enum err pickup_add(struct app *a, const char *actor, int64_t child_id, const char *name,
		    const char *relation, int64_t *id, const char **why)
{
	const char *bad = plan_text_check(name, PICKUP_TEXT_MAX);
	if (bad) {
		*why = "name: 1-60 characters on one line";
		return ERR_INVALID;
	}
	bad = plan_text_check(relation, PICKUP_TEXT_MAX);
	if (bad) {
		*why = "relation: 1-60 characters on one line";
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
	vault_bind_sealed(a->vault, st, 2, "pickups.name", name);
	vault_bind_sealed(a->vault, st, 3, "pickups.relation", relation);
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
