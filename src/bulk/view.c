/* SPDX-License-Identifier: MIT */
/* view.c — a service's bulk sends as people see them: the message, who wrote and who approved
 * it, when, and where its mail stands (counts from the outbox rows and the read confirmations),
 * never an address. */
#include "bulk/bulk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "base/xalloc.h"
#include "store/store.h"
#include "vault/vault.h"

#define SEND_COLUMNS                                                                               \
	"SELECT b.id, b.state, b.audience, b.subject_enc, b.body_enc, b.created_ms, "              \
	"COALESCE(b.approved_ms, 0), COALESCE(b.at_ms, 0), COALESCE(b.sent_ms, 0), ua.login, "     \
	"COALESCE(up.login, ''), b.author_id, b.read_confirm, COALESCE(b.send_id, ''), "           \
	"COALESCE(b.parent_id, 0), COALESCE(b.refusal, ''), "                                      \
	"(SELECT count(*) FROM outbox o WHERE o.send_id = b.send_id), "                            \
	"(SELECT count(*) FROM outbox o WHERE o.send_id = b.send_id AND o.state = 'sent'), "       \
	"(SELECT count(*) FROM outbox o WHERE o.send_id = b.send_id AND o.state = 'failed'), "     \
	"(SELECT count(*) FROM mail_reads r JOIN outbox o ON o.id = r.outbox_id "                  \
	"WHERE o.send_id = b.send_id) "                                                            \
	"FROM bulk_sends b JOIN users ua ON ua.id = b.author_id "                                  \
	"LEFT JOIN users up ON up.id = b.approver_id "

void bulk_send_view_free(struct bulk_send_view *v)
{
	if (!v)
		return;
	free(v->audience);
	vault_wipe_free(v->subject);
	vault_wipe_free(v->body);
	memset(v, 0, sizeof *v);
}

/* Fills *v from the current row of a SEND_COLUMNS statement (body when with_body). */
static enum err row(const struct bulk_kind *k, const struct vault *vt, struct store_stmt *st,
		    int with_body, struct bulk_send_view *v)
{
	char field[64];
	size_t len;
	const void *b;
	memset(v, 0, sizeof *v);
	v->id = store_col_int(st, 0);
	snprintf(v->state, sizeof v->state, "%s", store_col_text(st, 1));
	v->audience = xstrdup(store_col_text(st, 2));
	v->created_ms = store_col_int(st, 5);
	v->approved_ms = store_col_int(st, 6);
	v->at_ms = store_col_int(st, 7);
	v->sent_ms = store_col_int(st, 8);
	snprintf(v->author, sizeof v->author, "%s", store_col_text(st, 9));
	snprintf(v->approver, sizeof v->approver, "%s", store_col_text(st, 10));
	v->author_id = store_col_int(st, 11);
	v->read_confirm = store_col_int(st, 12) != 0;
	snprintf(v->send_id, sizeof v->send_id, "%s", store_col_text(st, 13));
	v->parent_id = store_col_int(st, 14);
	snprintf(v->refusal, sizeof v->refusal, "%s", store_col_text(st, 15));
	v->total = store_col_int(st, 16);
	v->sent = store_col_int(st, 17);
	v->failed = store_col_int(st, 18);
	v->reads = store_col_int(st, 19);
	b = store_col_blob(st, 3, &len);
	snprintf(field, sizeof field, "%s.subject", k->list.name);
	enum err e = vault_unseal(vt, field, b, len, &v->subject);
	if (e == ERR_OK && with_body) {
		b = store_col_blob(st, 4, &len);
		snprintf(field, sizeof field, "%s.body", k->list.name);
		e = vault_unseal(vt, field, b, len, &v->body);
	}
	if (e != ERR_OK)
		bulk_send_view_free(v);
	return e;
}

enum err bulk_send_get(struct app *a, const struct bulk_kind *k, struct store_conn *c, int64_t id,
		       int with_body, struct bulk_send_view *v)
{
	const struct vault *vt = app_vault(a, k->service);
	struct store_stmt *st = store_prepare(c, SEND_COLUMNS "WHERE b.id = ? AND b.list = ?");
	memset(v, 0, sizeof *v);
	if (!st || !vt) {
		store_finish(st);
		return st ? ERR_CRYPTO : ERR_DB;
	}
	store_bind_int(st, 1, id);
	store_bind_text(st, 2, k->list.name);
	int rc = store_step(st);
	enum err e = rc == STORE_ROW	? row(k, vt, st, with_body, v)
		     : rc == STORE_DONE ? ERR_NOTFOUND
					: ERR_DB;
	store_finish(st);
	return e;
}

enum err bulk_send_list(struct app *a, const struct bulk_kind *k, const struct user *u,
			struct store_conn *c, size_t max, struct bulk_send_view **out, size_t *n)
{
	const struct vault *vt = app_vault(a, k->service);
	struct bulk_send_view *v = xcalloc(max ? max : 1, sizeof *v);
	size_t len = 0;
	enum err e = ERR_DB;
	struct store_stmt *st =
	    store_prepare(c, SEND_COLUMNS "WHERE b.list = ? ORDER BY b.id DESC");
	if (!st || !vt)
		goto out;
	store_bind_text(st, 1, k->list.name);
	int rc = STORE_DONE;
	e = ERR_OK;
	/* Only the sends the caller's scope covers: one approver's clubs, not the whole ward. */
	while (len < max && e == ERR_OK && (rc = store_step(st)) == STORE_ROW) {
		if (!k->in_scope(a, u, store_col_text(st, 2)))
			continue;
		e = row(k, vt, st, 0, &v[len]);
		if (e == ERR_OK)
			len++;
	}
	if (e == ERR_OK && len < max && rc != STORE_DONE)
		e = ERR_DB;
out:
	store_finish(st);
	if (e != ERR_OK) {
		for (size_t i = 0; i < len; i++)
			bulk_send_view_free(&v[i]);
		free(v);
		return e;
	}
	*out = v;
	*n = len;
	return ERR_OK;
}
