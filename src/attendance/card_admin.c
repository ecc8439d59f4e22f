/* SPDX-License-Identifier: MIT */
/* card_admin.c — a site's children with their cards, cards for chosen children (the others'
 * cards stay valid), reissues, and sheets of a site or of chosen children. */
#include "attendance/card_admin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "attendance/attendance.h"
#include "auth/audit.h"
#include "base/xalloc.h"
#include "doc/cards_pdf.h"
#include "store/store.h"
#include "vault/vault.h"

void card_list_free(struct card_child *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		vault_wipe_free(v[i].name);
		vault_wipe_free(v[i].kana);
	}
	free(v);
}

enum err card_list(struct app *a, int64_t site_id, struct card_child **out, size_t *count)
{
	struct card_child *v = NULL;
	size_t n = 0, cap = 0;
	struct store_conn *c = store_acquire(a->store);
	enum err e = ERR_DB;
	struct store_stmt *st = store_prepare(
	    c, "SELECT ch.child_no, ch.name_enc, ch.kana_enc, ch.grade, "
	       "(SELECT MAX(issued_ms) FROM cards k WHERE k.child_id = ch.id AND "
	       " k.revoked_ms IS NULL), "
	       "(SELECT COUNT(*) FROM cards k WHERE k.child_id = ch.id AND "
	       " k.revoked_ms IS NOT NULL) "
	       "FROM children ch WHERE ch.site_id = ? AND ch.active = 1 "
	       "ORDER BY ch.grade, ch.child_no");
	if (!st)
		goto out;
	store_bind_int(st, 1, site_id);
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			v = xrealloc(v, cap * sizeof *v);
		}
		struct card_child *k = &v[n];
		memset(k, 0, sizeof *k);
		size_t l1, l2;
		const void *b1 = store_col_blob(st, 1, &l1), *b2 = store_col_blob(st, 2, &l2);
		if (vault_unseal(attendance_vault(a), "children.name", b1, l1, &k->name) != ERR_OK ||
		    vault_unseal(attendance_vault(a), "children.kana", b2, l2, &k->kana) != ERR_OK) {
			vault_wipe_free(k->name);
			e = ERR_CRYPTO;
			goto out;
		}
		n++;
		snprintf(k->child_no, sizeof k->child_no, "%s", store_col_text(st, 0));
		k->grade = (int)store_col_int(st, 3);
		k->issued_ms = store_col_is_null(st, 4) ? 0 : store_col_int(st, 4);
		k->revoked = store_col_int(st, 5);
	}
	e = rc == STORE_DONE ? ERR_OK : ERR_DB;
out:
	store_finish(st);
	store_release(c);
	if (e != ERR_OK) {
		card_list_free(v, n);
		return e;
	}
	*out = v;
	*count = n;
	return ERR_OK;
}

/* Returns 1 when child_nos[i] appeared before i. */
static int seen_before(const char *const *child_nos, size_t i)
{
	for (size_t k = 0; k < i; k++)
		if (strcmp(child_nos[k], child_nos[i]) == 0)
			return 1;
	return 0;
}

/* Appends id to *ids (growing it). */
static void push_id(int64_t **ids, size_t *n, size_t *cap, int64_t id)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*ids = xrealloc(*ids, *cap * sizeof **ids);
	}
	(*ids)[(*n)++] = id;
}

/* Collects on c the ids of the children mode names (see card_issue_for). */
static enum err pick_children(struct store_conn *c, const struct site *site,
			      const char *const *child_nos, size_t n, enum card_mode mode,
			      int64_t **ids, size_t *nids, const char **why)
{
	size_t cap = 0;
	struct store_stmt *st = NULL;
	if (mode == CARD_MISSING) {
		st = store_prepare(c, "SELECT ch.id FROM children ch WHERE ch.site_id = ? AND "
				      "ch.active = 1 AND NOT EXISTS (SELECT 1 FROM cards k WHERE "
				      "k.child_id = ch.id AND k.revoked_ms IS NULL) "
				      "ORDER BY ch.grade, ch.child_no");
		if (!st)
			return ERR_DB;
		store_bind_int(st, 1, site->id);
		int rc;
		while ((rc = store_step(st)) == STORE_ROW)
			push_id(ids, nids, &cap, store_col_int(st, 0));
		store_finish(st);
		return rc == STORE_DONE ? ERR_OK : ERR_DB;
	}
	if (n == 0) {
		*why = "カードを発行する児童を選んでください。";
		return ERR_INVALID;
	}
	for (size_t i = 0; i < n; i++) {
		if (seen_before(child_nos, i))
			continue;
		st = store_prepare(c, "SELECT ch.id, EXISTS (SELECT 1 FROM cards k WHERE "
				      "k.child_id = ch.id AND k.revoked_ms IS NULL) FROM children ch "
				      "WHERE ch.child_no = ? AND ch.site_id = ? AND ch.active = 1");
		if (!st)
			return ERR_DB;
		store_bind_text(st, 1, child_nos[i]);
		store_bind_int(st, 2, site->id);
		int rc = store_step(st);
		int64_t id = rc == STORE_ROW ? store_col_int(st, 0) : 0;
		int has = rc == STORE_ROW ? (int)store_col_int(st, 1) : 0;
		store_finish(st);
		if (rc < 0)
			return ERR_DB;
		if (!id) {
			*why = "この施設に在籍していない児童番号が含まれています。";
			return ERR_NOTFOUND;
		}
		if (has && mode == CARD_NEW) {
			*why = "すでに有効なカードを持っている児童が含まれています。作り直すときは「再発行」を使ってください。";
			return ERR_CONFLICT;
		}
		push_id(ids, nids, &cap, id);
	}
	return ERR_OK;
}

enum err card_issue_for(struct app *a, const char *actor, const struct site *site,
			const char *const *child_nos, size_t n, enum card_mode mode, size_t *issued,
			const char **why)
{
	static const char *const mode_names[] = {"new", "reissue", "missing"};
	int64_t *ids = NULL;
	size_t nids = 0;
	char object[64], detail[256];
	struct store_conn *c = NULL;
	enum err e = ERR_INVALID;
	*why = NULL;
	*issued = 0;
	if (n > CARD_CHILDREN_MAX) {
		*why = "一度に発行できるのは500人までです。";
		return ERR_INVALID;
	}
	c = store_acquire(a->store);
	e = store_begin(c);
	if (e != ERR_OK)
		goto out;
	e = pick_children(c, site, child_nos, n, mode, &ids, &nids, why);
	if (e != ERR_OK)
		goto out;
	for (size_t i = 0; i < nids; i++) {
		char *code = NULL;
		e = card_issue(a, c, ids[i], &code); /* revokes this child's older cards only */
		vault_wipe_free(code);
		if (e != ERR_OK)
			goto out;
	}
	/* Child numbers are the roster's identifiers (alerts mail them too), not names. */
	size_t len = (size_t)snprintf(detail, sizeof detail, "mode=%s cards=%zu", mode_names[mode],
				      nids);
	for (size_t i = 0; mode != CARD_MISSING && i < n && len < sizeof detail - 40; i++)
		if (!seen_before(child_nos, i))
			len += (size_t)snprintf(detail + len, sizeof detail - len, "%s%.31s",
						i ? "," : " children=", child_nos[i]);
	snprintf(object, sizeof object, "site:%s", site->code);
	e = audit_append(c, a->vault, actor, "card.issue", object, detail);
	if (e == ERR_OK)
		e = store_commit(c);
	if (e == ERR_OK)
		*issued = nids;
out:
	store_rollback(c);
	store_release(c);
	free(ids);
	return e;
}

void card_cards_free(struct doc_card *cards, size_t n)
{
	for (size_t i = 0; cards && i < n; i++) {
		vault_wipe_free((char *)cards[i].child_name);
		vault_wipe_free((char *)cards[i].child_kana);
		vault_wipe_free((char *)cards[i].code);
		free((char *)cards[i].child_no);
	}
	free(cards);
}

/* Unseals the row of st (child_no, name, kana, code) into d. */
static enum err read_card(struct app *a, struct store_stmt *st, const struct site *site,
			  struct doc_card *d)
{
	char *name = NULL, *kana = NULL, *code = NULL;
	size_t l1, l2, l3;
	const void *b1 = store_col_blob(st, 1, &l1), *b2 = store_col_blob(st, 2, &l2),
		   *b3 = store_col_blob(st, 3, &l3);
	memset(d, 0, sizeof *d);
	if (vault_unseal(attendance_vault(a), "children.name", b1, l1, &name) != ERR_OK ||
	    vault_unseal(attendance_vault(a), "children.kana", b2, l2, &kana) != ERR_OK ||
	    vault_unseal(attendance_vault(a), "cards.code", b3, l3, &code) != ERR_OK) {
		vault_wipe_free(name);
		vault_wipe_free(kana);
		return ERR_CRYPTO;
	}
	d->child_no = xstrdup(store_col_text(st, 0));
	d->child_name = name;
	d->child_kana = kana;
	d->code = code;
	d->site_name = site->name;
	return ERR_OK;
}

#define CARD_COLUMNS                                                                             \
	"SELECT ch.child_no, ch.name_enc, ch.kana_enc, k.code_enc FROM children ch "             \
	"JOIN cards k ON k.child_id = ch.id WHERE ch.site_id = ? AND ch.active = 1 AND "         \
	"k.revoked_ms IS NULL "

enum err card_cards_load(struct app *a, const struct site *site, const char *const *child_nos,
			 size_t n, struct doc_card **out, size_t *count, const char **why)
{
	struct doc_card *cards = NULL;
	size_t len = 0, cap = 0;
	struct store_conn *c = store_acquire(a->store);
	struct store_stmt *st = NULL;
	enum err e = ERR_OK;
	*why = NULL;
	/* One pass over the site (n 0), or one lookup per child named, in the order given. */
	for (size_t i = 0; e == ERR_OK && (n == 0 ? i == 0 : i < n); i++) {
		if (n && seen_before(child_nos, i))
			continue;
		st = store_prepare(c, n == 0 ? CARD_COLUMNS "ORDER BY ch.grade, ch.child_no"
					     : CARD_COLUMNS "AND ch.child_no = ?");
		if (!st) {
			e = ERR_DB;
			break;
		}
		store_bind_int(st, 1, site->id);
		if (n)
			store_bind_text(st, 2, child_nos[i]);
		size_t before = len;
		int rc = STORE_DONE;
		while (e == ERR_OK && (rc = store_step(st)) == STORE_ROW) {
			if (len == cap) {
				cap = cap ? cap * 2 : 64;
				cards = xrealloc(cards, cap * sizeof *cards);
			}
			e = read_card(a, st, site, &cards[len]);
			if (e == ERR_OK)
				len++;
		}
		store_finish(st);
		st = NULL;
		if (e == ERR_OK && rc != STORE_DONE)
			e = ERR_DB;
		if (e == ERR_OK && n && len == before) {
			*why = "カードのない児童、またはこの施設に在籍していない児童が含まれています。";
			e = ERR_NOTFOUND;
		}
	}
	store_release(c);
	if (e != ERR_OK) {
		card_cards_free(cards, len);
		return e;
	}
	*out = cards;
	*count = len;
	return ERR_OK;
}

enum err card_sheet_pdf(struct app *a, const char *actor, const struct site *site,
			const char *const *child_nos, size_t n, struct buf *out, size_t *count,
			const char **why)
{
	struct doc_card *cards = NULL;
	size_t len = 0;
	enum err e = card_cards_load(a, site, child_nos, n, &cards, &len, why);
	if (e != ERR_OK)
		return e;
	if (len == 0) {
		*why = "印刷するカードがありません。先にカードを発行してください。";
		return ERR_INVALID;
	}
	e = doc_cards_pdf_buf(cards, len, out);
	card_cards_free(cards, len);
	if (e != ERR_OK)
		return e;
	char object[64], detail[48];
	snprintf(object, sizeof object, "site:%s", site->code);
	snprintf(detail, sizeof detail, "cards=%zu", len);
	struct store_conn *c = store_acquire(a->store);
	e = audit_append(c, a->vault, actor, "card.sheet", object, detail);
	store_release(c);
	*count = len;
	return e;
}
