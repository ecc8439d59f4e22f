/* SPDX-License-Identifier: MIT */
/* template.c — templates of a kind of bulk mail (休校のお知らせ, 不審者情報 …): a title and a
 * text staff start from, checked like a message (a template holds no personal data either)
 * and sealed under the service's key. */
#include "bulk/bulk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth/audit.h"
#include "auth/user.h"
#include "base/clock.h"
#include "base/text.h"
#include "base/xalloc.h"
#include "store/store.h"
#include "vault/vault.h"

void bulk_template_free(struct bulk_template *t)
{
	if (!t)
		return;
	free(t->name);
	vault_wipe_free(t->subject);
	vault_wipe_free(t->body);
	memset(t, 0, sizeof *t);
}

/* The sealed field of a template's subject or body: "<list>.template.<what>". */
static void field_of(const struct bulk_kind *k, const char *what, char *out, size_t n)
{
	snprintf(out, n, "%s.template.%s", k->list.name, what);
}

enum err bulk_template_save(struct app *a, const struct bulk_kind *k, const struct user *u,
			    const char *actor, int64_t *id, const char *name, const char *subject,
			    const char *body, const char **why, const char **code)
{
	char field[64], object[64], action[64];
	*code = NULL;
	*why = NULL;
	if (!name || text_line_check(name, BULK_TEMPLATE_NAME_MAX) != TEXT_OK) {
		*why = "テンプレートの名前は1〜40文字の1行で入力してください。";
		return ERR_INVALID;
	}
	/* The text is checked as a message is; the title too, since it is shown as it is. */
	enum err e = bulk_check(a, k, subject, body, why, code);
	if (e == ERR_OK)
		e = bulk_check(a, k, name, name, why, code);
	if (e != ERR_OK)
		return e;
	const struct vault *v = app_vault(a, k->service);
	if (!v)
		return ERR_CRYPTO;
	struct store_conn *c = store_acquire(a->store);
	struct store_stmt *st = NULL;
	e = store_begin(c);
	if (e != ERR_OK)
		goto out;
	if (*id > 0) {
		st =
		    store_prepare(c, "UPDATE bulk_templates SET name = ?, subject_enc = ?, "
				     "body_enc = ?, author_id = ?, updated_ms = ? WHERE id = ? AND "
				     "list = ?");
	} else {
		st = store_prepare(
		    c, "INSERT INTO bulk_templates(name, subject_enc, body_enc, "
		       "author_id, updated_ms, service, list) VALUES (?, ?, ?, ?, ?, ?, "
		       "?)");
	}
	e = ERR_DB;
	if (!st)
		goto out;
	store_bind_text(st, 1, name);
	field_of(k, "subject", field, sizeof field);
	vault_bind_sealed(v, st, 2, field, subject);
	field_of(k, "body", field, sizeof field);
	vault_bind_sealed(v, st, 3, field, body);
	store_bind_int(st, 4, u->id);
	store_bind_int(st, 5, clock_now_ms());
	if (*id > 0) {
		store_bind_int(st, 6, *id);
		store_bind_text(st, 7, k->list.name);
	} else {
		store_bind_text(st, 6, k->service);
		store_bind_text(st, 7, k->list.name);
	}
	e = store_run(st);
	store_finish(st);
	st = NULL;
	if (e == ERR_CONFLICT) {
		*why = "同じ名前のテンプレートがあります。別の名前にしてください。";
		goto out;
	}
	if (e != ERR_OK)
		goto out;
	if (*id > 0 && store_changes(c) == 0) {
		*why = "このテンプレートは見つかりません。一覧を更新してください。";
		e = ERR_NOTFOUND;
		goto out;
	}
	if (*id <= 0)
		*id = store_last_id(c);
	snprintf(object, sizeof object, "%s-template:%lld", k->list.name, (long long)*id);
	snprintf(action, sizeof action, "%s.template.save", k->list.name);
	e = audit_append(c, a->vault, actor, action, object, "");
	if (e == ERR_OK)
		e = store_commit(c);
out:
	store_finish(st);
	store_rollback(c);
	store_release(c);
	return e;
}

enum err bulk_template_list(struct app *a, const struct bulk_kind *k, struct bulk_template **out,
			    size_t *n)
{
	char fs[64], fb[64];
	const struct vault *v = app_vault(a, k->service);
	struct bulk_template *t = NULL;
	size_t len = 0, cap = 0;
	struct store_conn *c = store_acquire(a->store);
	enum err e = ERR_DB;
	struct store_stmt *st = store_prepare(
	    c, "SELECT t.id, t.name, t.subject_enc, t.body_enc, u.login, t.updated_ms FROM "
	       "bulk_templates t JOIN users u ON u.id = t.author_id WHERE t.list = ? ORDER BY "
	       "t.name LIMIT ?");
	if (!st || !v)
		goto out;
	field_of(k, "subject", fs, sizeof fs);
	field_of(k, "body", fb, sizeof fb);
	store_bind_text(st, 1, k->list.name);
	store_bind_int(st, 2, BULK_TEMPLATES_MAX);
	int rc;
	e = ERR_OK;
	while (e == ERR_OK && (rc = store_step(st)) == STORE_ROW) {
		if (len == cap) {
			cap = cap ? cap * 2 : 16;
			t = xrealloc(t, cap * sizeof *t);
		}
		struct bulk_template *x = &t[len];
		memset(x, 0, sizeof *x);
		size_t l1, l2;
		const void *b1 = store_col_blob(st, 2, &l1), *b2 = store_col_blob(st, 3, &l2);
		x->id = store_col_int(st, 0);
		x->name = xstrdup(store_col_text(st, 1));
		snprintf(x->author, sizeof x->author, "%s", store_col_text(st, 4));
		x->updated_ms = store_col_int(st, 5);
		e = vault_unseal(v, fs, b1, l1, &x->subject);
		if (e == ERR_OK)
			e = vault_unseal(v, fb, b2, l2, &x->body);
		len++;
	}
	if (e == ERR_OK && rc != STORE_DONE)
		e = ERR_DB;
out:
	store_finish(st);
	store_release(c);
	if (e != ERR_OK) {
		for (size_t i = 0; i < len; i++)
			bulk_template_free(&t[i]);
		free(t);
		return e;
	}
	*out = t;
	*n = len;
	return ERR_OK;
}

enum err bulk_template_delete(struct app *a, const struct bulk_kind *k, const char *actor,
			      int64_t id)
{
	char object[64], action[64];
	struct store_conn *c = store_acquire(a->store);
	struct store_stmt *st = NULL;
	enum err e = store_begin(c);
	if (e != ERR_OK)
		goto out;
	st = store_prepare(c, "DELETE FROM bulk_templates WHERE id = ? AND list = ?");
	e = ERR_DB;
	if (!st)
		goto out;
	store_bind_int(st, 1, id);
	store_bind_text(st, 2, k->list.name);
	e = store_run(st);
	store_finish(st);
	st = NULL;
	if (e == ERR_OK && store_changes(c) == 0)
		e = ERR_NOTFOUND;
	if (e != ERR_OK)
		goto out;
	snprintf(object, sizeof object, "%s-template:%lld", k->list.name, (long long)id);
	snprintf(action, sizeof action, "%s.template.delete", k->list.name);
	e = audit_append(c, a->vault, actor, action, object, "");
	if (e == ERR_OK)
		e = store_commit(c);
out:
	store_finish(st);
	store_rollback(c);
	store_release(c);
	return e;
}
