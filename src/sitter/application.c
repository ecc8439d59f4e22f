/* SPDX-License-Identifier: MIT */
/* application.c — an application of the babysitter subsidy as stored: its number and link
 * token, the sealed form and account, the child hours the cap counts, the search terms; loading
 * it back and counting it under the cap as it stands; its JSON. */
#include "sitter/sitter.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/text.h"
#include "base/xalloc.h"
#include "grant/checks.h"
#include "store/store.h"
#include "vault/vault.h"

const struct grant_tables sitter_tables = {
    "UPDATE sitter_applications SET state = ?1, updated_ms = ?2 WHERE id = ?3 AND state = ?4",
    "INSERT INTO sitter_steps (application_id, from_state, to_state, user_id, note, at_ms) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    "sitter_steps.note"};

const char *const sitter_check_items[] = {"guardian", "children", "uses", "receipts", "bank",
					  NULL};
const char *const sitter_check_labels[] = {"申請者", "お子さま", "利用日・金額", "領収書",
					   "振込先口座", NULL};

void sitter_app_clear(struct sitter_app *p)
{
	sitter_form_clear(&p->form);
	vault_wipe_free(p->fix_note);
	vault_wipe_free(p->reason);
	p->fix_note = p->reason = NULL;
}

/* The token's blind index (the applicant's link is its capability; only the index is kept). */
static void token_index(const struct vault *v, const char *token, unsigned char out[32])
{
	vault_blind(v, "sitter-token", token, out);
}

void sitter_link_token(const struct vault *v, int64_t id, char out[65])
{
	char text[32];
	unsigned char mac[32];
	snprintf(text, sizeof text, "%" PRId64, id);
	vault_blind(v, "sitter-link", text, mac);
	vault_hex(mac, sizeof mac, out);
}

/* Takes the next 申請番号 of fiscal year fy on c (inside the caller's transaction). */
static enum err next_number(struct store_conn *c, int fy, char out[16])
{
	struct store_stmt *st = store_prepare(
	    c, "INSERT INTO sitter_numbers (fiscal_year, last) VALUES (?1, 1) ON CONFLICT "
	       "(fiscal_year) DO UPDATE SET last = sitter_numbers.last + 1 RETURNING last");
	enum err e = ERR_DB;
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, fy);
	if (store_step(st) == STORE_ROW) {
		snprintf(out, 16, "%04d%06" PRId64, fy, store_col_int(st, 0));
		e = ERR_OK;
	}
	store_finish(st);
	return e;
}

void sitter_term(const struct vault *v, const char *kind, const char *text,
		 unsigned char out[32])
{
	char t[400];
	size_t at = (size_t)snprintf(t, sizeof t, "%s:", kind);
	if (strcmp(kind, "phone") == 0) {
		for (const char *s = text; *s && at + 1 < sizeof t; s++)
			if (*s >= '0' && *s <= '9')
				t[at++] = *s;
		t[at] = '\0';
	} else if (strcmp(kind, "mail") == 0) {
		for (const char *s = text; *s && at + 1 < sizeof t; s++)
			t[at++] = (char)(*s >= 'A' && *s <= 'Z' ? *s - 'A' + 'a' : *s);
		t[at] = '\0';
	} else {
		text_fold_spaces(text, t + at, sizeof t - at);
	}
	vault_blind(v, "sitter-term", t, out);
	vault_wipe(t, sizeof t);
}

void sitter_form_term(const struct vault *v, const struct sitter_form *f, unsigned char out[32])
{
	json_t *j = sitter_form_json(f, 1);
	char *text = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(j);
	struct buf t;
	buf_init(&t, 64 * 1024);
	buf_puts(&t, "form:");
	if (text)
		buf_puts(&t, text);
	vault_blind(v, "sitter-term", t.data ? t.data : "form:", out);
	if (t.data)
		vault_wipe(t.data, t.len);
	buf_free(&t);
	if (text)
		vault_wipe_free(text);
}

/* Writes the form's search terms of application id (after removing the old ones), and the
 * whole form's (sitter_form_term). */
static enum err write_terms(struct store_conn *c, const struct vault *v, int64_t id,
			    const struct sitter_form *f)
{
	const char *kinds[4] = {"name", "kana", "phone", "mail"};
	const char *texts[4] = {f->name, f->kana, f->phone, f->email};
	enum err e = ERR_DB;
	struct store_stmt *st = store_prepare(c, "DELETE FROM sitter_terms WHERE application_id = ?1");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, id);
	e = store_run(st);
	store_finish(st);
	/* a statement runs once between store_finish calls (which reset it): one per row */
	for (size_t i = 0; i < 4 && e == ERR_OK; i++) {
		unsigned char idx[32];
		st = store_prepare(c, "INSERT INTO sitter_terms (application_id, term) VALUES "
				      "(?1, ?2)");
		if (!st) {
			e = ERR_DB;
			break;
		}
		sitter_term(v, kinds[i], texts[i], idx);
		store_bind_int(st, 1, id);
		store_bind_blob(st, 2, idx, sizeof idx);
		e = store_run(st);
		store_finish(st);
	}
	st = e == ERR_OK ? store_prepare(c, "INSERT INTO sitter_terms (application_id, term) "
					    "VALUES (?1, ?2)")
			 : NULL;
	if (st) {
		unsigned char idx[32];
		sitter_form_term(v, f, idx);
		store_bind_int(st, 1, id);
		store_bind_blob(st, 2, idx, sizeof idx);
		e = store_run(st);
		store_finish(st);
	} else if (e == ERR_OK) {
		e = ERR_DB;
	}
	return e;
}

/* Writes the child hours of application id: what the uses of f ask (calc, f counted without a
 * cap), per child and fiscal year. */
static enum err write_hours(struct store_conn *c, const struct vault *v, int64_t id,
			    const struct sitter_form *f, const struct sitter_calc *calc)
{
	enum err e;
	struct store_stmt *st =
	    store_prepare(c, "DELETE FROM sitter_child_hours WHERE application_id = ?1");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, id);
	e = store_run(st);
	store_finish(st);
	/* one statement per row: a statement runs once between store_finish calls */
	for (size_t i = 0; e == ERR_OK && i < calc->nkids; i++) {
		const struct sitter_calc_child *k = &calc->kids[i];
		unsigned char key[32];
		st = store_prepare(c, "INSERT INTO sitter_child_hours (application_id, child, "
				      "child_key, fiscal_year, multiple, claim_min) VALUES "
				      "(?1, ?2, ?3, ?4, ?5, ?6)");
		if (!st) {
			e = ERR_DB;
			break;
		}
		sitter_child_key(v, &f->children[k->child], key);
		store_bind_int(st, 1, id);
		store_bind_int(st, 2, k->child);
		store_bind_blob(st, 3, key, sizeof key);
		store_bind_int(st, 4, k->fiscal_year);
		store_bind_int(st, 5, k->multiple);
		store_bind_int(st, 6, k->claim_min);
		e = store_run(st);
		store_finish(st);
	}
	return e;
}

/* Seals the form (without the account) and the account as JSON text for their columns. */
static char *form_text(const struct sitter_form *f)
{
	json_t *j = sitter_form_json(f, 0);
	char *s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return s;
}

static char *bank_text(const struct sitter_bank *b)
{
	json_t *j = json_pack("{s:s, s:s, s:i, s:s, s:s}", "bank_code", b->bank, "branch_code",
			      b->branch, "type", b->type, "number", b->number, "holder", b->holder);
	char *s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return s;
}

enum err sitter_app_create(struct store_conn *c, const struct vault *v,
			   const struct sitter_rates *r, const struct sitter_form *f,
			   const char *channel, enum grant_state state, int64_t user_id,
			   int64_t now_ms, int64_t *id, char number[16])
{
	char today[11], *form = NULL, *bank = NULL, token[65];
	unsigned char idx[32];
	struct sitter_calc *calc = xcalloc(1, sizeof *calc);
	struct store_stmt *st = NULL;
	enum err e;
	clock_jst_date(now_ms, today, sizeof today);
	e = next_number(c, sitter_fiscal_year(today), number);
	if (e != ERR_OK)
		goto out;
	vault_random(idx, sizeof idx); /* until the id is known */
	sitter_calc(r, f, NULL, NULL, calc);
	form = form_text(f);
	bank = bank_text(&f->bank);
	st = store_prepare(
	    c, "INSERT INTO sitter_applications (number, fiscal_year, channel, state, form, bank, "
	       "token_idx, paid_yen, claim_yen, created_ms, submitted_ms, updated_ms) VALUES (?1, ?2, "
	       "?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?10)");
	e = ERR_DB;
	if (!st)
		goto out;
	store_bind_text(st, 1, number);
	store_bind_int(st, 2, sitter_fiscal_year(today));
	store_bind_text(st, 3, channel);
	store_bind_text(st, 4, grant_state_name(state));
	vault_bind_sealed(v, st, 5, "sitter_applications.form", form);
	vault_bind_sealed(v, st, 6, "sitter_applications.bank", bank);
	store_bind_blob(st, 7, idx, sizeof idx);
	store_bind_int(st, 8, calc->paid_yen);
	store_bind_int(st, 9, calc->grant_yen);
	store_bind_int(st, 10, now_ms);
	if (state == GRANT_SUBMITTED)
		store_bind_int(st, 11, now_ms);
	else
		store_bind_null(st, 11);
	e = store_run(st);
	if (e != ERR_OK)
		goto out;
	*id = store_last_id(c);
	store_finish(st);
	sitter_link_token(v, *id, token);
	token_index(v, token, idx);
	st = store_prepare(c, "UPDATE sitter_applications SET token_idx = ?1 WHERE id = ?2");
	e = ERR_DB;
	if (!st)
		goto out;
	store_bind_blob(st, 1, idx, sizeof idx);
	store_bind_int(st, 2, *id);
	e = store_run(st);
	if (e == ERR_OK)
		e = write_hours(c, v, *id, f, calc);
	if (e == ERR_OK)
		e = write_terms(c, v, *id, f);
	if (e == ERR_OK && state != GRANT_DRAFT) {
		/* a paper application is received as it is keyed in: its first step */
		store_finish(st);
		st = store_prepare(c, "INSERT INTO sitter_steps (application_id, from_state, to_state, "
				      "user_id, at_ms) VALUES (?1, 'draft', ?2, ?3, ?4)");
		e = ERR_DB;
		if (st) {
			store_bind_int(st, 1, *id);
			store_bind_text(st, 2, grant_state_name(state));
			if (user_id > 0)
				store_bind_int(st, 3, user_id);
			else
				store_bind_null(st, 3);
			store_bind_int(st, 4, now_ms);
			e = store_run(st);
		}
	}
out:
	store_finish(st);
	vault_wipe_free(form);
	vault_wipe_free(bank);
	free(calc);
	return e;
}

enum err sitter_app_replace(struct store_conn *c, const struct vault *v,
			    const struct sitter_rates *r, int64_t id, const struct sitter_form *f,
			    int64_t now_ms)
{
	char *form = form_text(f), *bank = bank_text(&f->bank);
	struct sitter_calc *calc = xcalloc(1, sizeof *calc);
	enum err e = ERR_DB;
	sitter_calc(r, f, NULL, NULL, calc);
	struct store_stmt *st = store_prepare(
	    c, "UPDATE sitter_applications SET form = ?1, bank = ?2, paid_yen = ?3, claim_yen = ?4, "
	       "checks = '', updated_ms = ?5 WHERE id = ?6");
	if (st) {
		vault_bind_sealed(v, st, 1, "sitter_applications.form", form);
		vault_bind_sealed(v, st, 2, "sitter_applications.bank", bank);
		store_bind_int(st, 3, calc->paid_yen);
		store_bind_int(st, 4, calc->grant_yen);
		store_bind_int(st, 5, now_ms);
		store_bind_int(st, 6, id);
		e = store_run(st);
		store_finish(st);
	}
	if (e == ERR_OK)
		e = write_hours(c, v, id, f, calc);
	if (e == ERR_OK)
		e = write_terms(c, v, id, f);
	vault_wipe_free(form);
	vault_wipe_free(bank);
	free(calc);
	return e;
}

enum err sitter_app_replace_bank(struct store_conn *c, const struct vault *v, int64_t id,
				 const struct sitter_bank *b, int64_t now_ms)
{
	char *bank = bank_text(b);
	enum err e = ERR_DB;
	struct store_stmt *st = store_prepare(
	    c, "UPDATE sitter_applications SET bank = ?1, updated_ms = ?2 WHERE id = ?3");
	if (st) {
		vault_bind_sealed(v, st, 1, "sitter_applications.bank", bank);
		store_bind_int(st, 2, now_ms);
		store_bind_int(st, 3, id);
		e = store_run(st);
		store_finish(st);
	}
	vault_wipe_free(bank);
	return e;
}

enum err sitter_app_load(struct store_conn *c, const struct vault *v, int64_t id,
			 struct sitter_app *p)
{
	char *form = NULL, *bank = NULL, why[SITTER_WHY_MAX];
	json_t *j = NULL, *bj = NULL;
	enum err e = ERR_DB;
	memset(p, 0, sizeof *p);
	struct store_stmt *st = store_prepare(
	    c, "SELECT number, fiscal_year, channel, state, decision, form, bank, checks, fix_note, "
	       "reason, paid_yen, claim_yen, grant_yen, decided_on, created_ms, submitted_ms, "
	       "notice_id, payment_id FROM sitter_applications WHERE id = ?1");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, id);
	int rc = store_step(st);
	if (rc != STORE_ROW) {
		e = rc == STORE_DONE ? ERR_NOTFOUND : ERR_DB;
		goto out;
	}
	p->id = id;
	snprintf(p->number, sizeof p->number, "%s", store_col_text(st, 0));
	p->fiscal_year = (int)store_col_int(st, 1);
	snprintf(p->channel, sizeof p->channel, "%s", store_col_text(st, 2));
	p->state = (enum grant_state)grant_state_parse(store_col_text(st, 3));
	p->approved = !store_col_is_null(st, 4) && strcmp(store_col_text(st, 4), "approved") == 0;
	snprintf(p->checks, sizeof p->checks, "%s", store_col_text(st, 7));
	p->paid_yen = store_col_int(st, 10);
	p->claim_yen = store_col_int(st, 11);
	p->grant_yen = store_col_int(st, 12);
	if (!store_col_is_null(st, 13))
		snprintf(p->decided_on, sizeof p->decided_on, "%s", store_col_text(st, 13));
	p->created_ms = store_col_int(st, 14);
	p->submitted_ms = store_col_is_null(st, 15) ? 0 : store_col_int(st, 15);
	p->notice_id = store_col_is_null(st, 16) ? 0 : store_col_int(st, 16);
	p->payment_id = store_col_is_null(st, 17) ? 0 : store_col_int(st, 17);
	e = vault_unseal_column(v, st, 5, "sitter_applications.form", &form);
	if (e == ERR_OK)
		e = vault_unseal_column(v, st, 6, "sitter_applications.bank", &bank);
	if (e == ERR_OK)
		e = vault_unseal_column(v, st, 8, "sitter_applications.fix_note", &p->fix_note);
	if (e == ERR_OK)
		e = vault_unseal_column(v, st, 9, "sitter_applications.reason", &p->reason);
	if (e != ERR_OK)
		goto out;
	j = json_loads(form, 0, NULL);
	bj = json_loads(bank, 0, NULL);
	e = ERR_CRYPTO;
	if (!j || !bj)
		goto out;
	json_object_set(j, "bank", bj);
	/* The stored form was checked when it came in; read it back without the day checks of a
	 * new one (its uses may now be over a year old). */
	{
		struct sitter_form *f = &p->form;
		json_t *g = json_object_get(j, "guardian"), *arr, *x;
		size_t i;
		f->name = xstrdup(json_string_value(json_object_get(g, "name")));
		f->kana = xstrdup(json_string_value(json_object_get(g, "kana")));
		snprintf(f->birth, sizeof f->birth, "%s", json_string_value(json_object_get(g, "birth")));
		snprintf(f->postcode, sizeof f->postcode, "%s",
			 json_string_value(json_object_get(g, "postcode")));
		f->address = xstrdup(json_string_value(json_object_get(g, "address")));
		f->phone = xstrdup(json_string_value(json_object_get(g, "phone")));
		f->email = xstrdup(json_string_value(json_object_get(g, "email")));
		arr = json_object_get(j, "children");
		json_array_foreach(arr, i, x)
		{
			if (i >= SITTER_CHILDREN_MAX)
				break;
			f->children[i].name = xstrdup(json_string_value(json_object_get(x, "name")));
			snprintf(f->children[i].birth, 11, "%s",
				 json_string_value(json_object_get(x, "birth")));
			f->children[i].multiple = json_is_true(json_object_get(x, "multiple"));
			f->nchildren = i + 1;
		}
		arr = json_object_get(j, "uses");
		json_array_foreach(arr, i, x)
		{
			struct sitter_use *u = &f->uses[i];
			json_t *k;
			size_t q;
			if (i >= SITTER_USES_MAX)
				break;
			snprintf(u->date, 11, "%s", json_string_value(json_object_get(x, "date")));
			u->start_min = clock_hhmm_minutes(json_string_value(json_object_get(x, "start")));
			u->end_min = clock_hhmm_minutes(json_string_value(json_object_get(x, "end")));
			json_array_foreach(json_object_get(x, "children"), q, k)
				u->children |= 1u << json_integer_value(k);
			u->company = xstrdup(json_string_value(json_object_get(x, "company")));
			u->paid_yen = json_integer_value(json_object_get(x, "paid_yen"));
			f->nuses = i + 1;
		}
		if (!f->name || !f->kana || !f->address || !f->phone || !f->email)
			goto out;
		/* the account: checked again; as stored when its bank has left the code list */
		if (sitter_bank_parse(j, &f->bank, why) != ERR_OK) {
			json_t *b = json_object_get(j, "bank");
			snprintf(f->bank.bank, 5, "%s",
				 json_string_value(json_object_get(b, "bank_code")));
			snprintf(f->bank.branch, 4, "%s",
				 json_string_value(json_object_get(b, "branch_code")));
			f->bank.type = (int)json_integer_value(json_object_get(b, "type"));
			snprintf(f->bank.number, 8, "%s",
				 json_string_value(json_object_get(b, "number")));
			f->bank.holder = xstrdup(json_string_value(json_object_get(b, "holder")));
			f->bank.holder_zengin = xstrdup("");
		}
	}
	e = ERR_OK;
out:
	store_finish(st);
	json_decref(j);
	json_decref(bj);
	vault_wipe_free(form);
	vault_wipe_free(bank);
	if (e != ERR_OK)
		sitter_app_clear(p);
	return e;
}

enum err sitter_app_by_token(struct store_conn *c, const struct vault *v, const char *token,
			     int64_t *id)
{
	unsigned char idx[32];
	enum err e = ERR_NOTFOUND;
	if (!token || strlen(token) < 20 || strlen(token) > 100)
		return ERR_NOTFOUND;
	token_index(v, token, idx);
	struct store_stmt *st =
	    store_prepare(c, "SELECT id FROM sitter_applications WHERE token_idx = ?1");
	if (!st)
		return ERR_DB;
	store_bind_blob(st, 1, idx, sizeof idx);
	if (store_step(st) == STORE_ROW) {
		*id = store_col_int(st, 0);
		e = ERR_OK;
	}
	store_finish(st);
	return e;
}

enum err sitter_app_by_number(struct store_conn *c, const char *number, int64_t *id)
{
	enum err e = ERR_NOTFOUND;
	struct store_stmt *st =
	    store_prepare(c, "SELECT id FROM sitter_applications WHERE number = ?1");
	if (!st)
		return ERR_DB;
	store_bind_text(st, 1, number ? number : "");
	if (store_step(st) == STORE_ROW) {
		*id = store_col_int(st, 0);
		e = ERR_OK;
	}
	store_finish(st);
	return e;
}

/* What the cap counted already for a child of another approved application. */
struct before_ctx {
	struct store_conn *c;
	const struct vault *v;
	const struct sitter_form *f;
	int64_t id;
	enum err e;
};

static int before_min(void *arg, int child, int fy)
{
	struct before_ctx *b = arg;
	unsigned char key[32];
	int minutes = 0;
	sitter_child_key(b->v, &b->f->children[child], key);
	struct store_stmt *st = store_prepare(
	    b->c, "SELECT coalesce(sum(h.minutes), 0) FROM sitter_child_hours h JOIN "
		  "sitter_applications a ON a.id = h.application_id WHERE h.child_key = ?1 AND "
		  "h.fiscal_year = ?2 AND a.decision = 'approved' AND a.id <> ?3");
	if (!st) {
		b->e = ERR_DB;
		return 0;
	}
	store_bind_blob(st, 1, key, sizeof key);
	store_bind_int(st, 2, fy);
	store_bind_int(st, 3, b->id);
	if (store_step(st) == STORE_ROW)
		minutes = (int)store_col_int(st, 0);
	else
		b->e = ERR_DB;
	store_finish(st);
	return minutes;
}

enum err sitter_app_calc(struct store_conn *c, const struct vault *v,
			 const struct sitter_rates *r, const struct sitter_app *p,
			 struct sitter_calc *out)
{
	struct before_ctx b = {c, v, &p->form, p->id, ERR_OK};
	sitter_calc(r, &p->form, before_min, &b, out);
	return b.e;
}

/* Writes the cap lock rows of application id's children and years (its sitter_child_hours, in
 * key order, so that no two decisions wait for each other in a circle) on c: a concurrent
 * decision on one of them waits for this one. */
static enum err lock_children(struct store_conn *c, int64_t id)
{
	enum err e = ERR_DB;
	struct store_stmt *st = store_prepare(
	    c, "INSERT INTO sitter_cap_locks (child_key, fiscal_year, decisions) SELECT DISTINCT "
	       "child_key, fiscal_year, 1 FROM sitter_child_hours WHERE application_id = ?1 ORDER "
	       "BY child_key, fiscal_year ON CONFLICT (child_key, fiscal_year) DO UPDATE SET "
	       "decisions = sitter_cap_locks.decisions + 1");
	if (st) {
		store_bind_int(st, 1, id);
		e = store_run(st);
		store_finish(st);
	}
	return e;
}

enum err sitter_app_decide(struct store_conn *c, const struct vault *v,
			   const struct sitter_rates *r, const struct sitter_app *p, int approve,
			   const char *reason, int64_t user_id, int64_t now_ms)
{
	struct sitter_calc *calc = xcalloc(1, sizeof *calc);
	char today[11];
	enum err e;
	clock_jst_date(now_ms, today, sizeof today);
	e = lock_children(c, p->id);
	if (e == ERR_OK)
		e = sitter_app_calc(c, v, r, p, calc);
	struct store_stmt *st = NULL;
	/* one statement per row: a statement runs once between store_finish calls */
	for (size_t i = 0; e == ERR_OK && i < calc->nkids; i++) {
		st = store_prepare(c, "UPDATE sitter_child_hours SET minutes = ?1 WHERE "
				      "application_id = ?2 AND child = ?3 AND fiscal_year = ?4");
		if (!st) {
			e = ERR_DB;
			break;
		}
		store_bind_int(st, 1, approve ? calc->kids[i].counted_min : 0);
		store_bind_int(st, 2, p->id);
		store_bind_int(st, 3, calc->kids[i].child);
		store_bind_int(st, 4, calc->kids[i].fiscal_year);
		e = store_run(st);
		store_finish(st);
	}
	st = e == ERR_OK ? store_prepare(c, "UPDATE sitter_applications SET decision = ?1, grant_yen "
					    "= ?2, decided_on = ?3, decided_by = ?4, reason = ?5 "
					    "WHERE id = ?6")
			 : NULL;
	if (e == ERR_OK && !st)
		e = ERR_DB;
	if (st) {
		store_bind_text(st, 1, approve ? "approved" : "rejected");
		store_bind_int(st, 2, approve ? calc->grant_yen : 0);
		store_bind_text(st, 3, today);
		store_bind_int(st, 4, user_id);
		if (reason)
			vault_bind_sealed(v, st, 5, "sitter_applications.reason", reason);
		else
			store_bind_null(st, 5);
		store_bind_int(st, 6, p->id);
		e = store_run(st);
		store_finish(st);
	}
	free(calc);
	return e;
}

/* The receipts and steps of p, read on c, into o. */
static void add_history(struct store_conn *c, const struct sitter_app *p, json_t *o)
{
	json_t *receipts = json_array(), *steps = json_array();
	struct store_stmt *st = store_prepare(
	    c, "SELECT id, media, bytes FROM sitter_receipts WHERE application_id = ?1 ORDER BY id");
	if (st) {
		store_bind_int(st, 1, p->id);
		while (store_step(st) == STORE_ROW)
			json_array_append_new(receipts,
					      json_pack("{s:I, s:s, s:I}", "id",
							(json_int_t)store_col_int(st, 0), "media",
							store_col_text(st, 1), "bytes",
							(json_int_t)store_col_int(st, 2)));
		store_finish(st);
	}
	st = store_prepare(c, "SELECT s.from_state, s.to_state, s.at_ms, u.login FROM sitter_steps s "
			      "LEFT JOIN users u ON u.id = s.user_id WHERE s.application_id = ?1 "
			      "ORDER BY s.id");
	if (st) {
		store_bind_int(st, 1, p->id);
		while (store_step(st) == STORE_ROW) {
			char at[32];
			int to = grant_state_parse(store_col_text(st, 1));
			clock_jst_iso(store_col_int(st, 2), at, sizeof at);
			json_array_append_new(
			    steps, json_pack("{s:s, s:s, s:s, s:s, s:s}", "from", store_col_text(st, 0),
					     "to", store_col_text(st, 1), "label",
					     grant_state_label((enum grant_state)to, p->approved), "at",
					     at, "by",
					     store_col_is_null(st, 3) ? "申請者" : store_col_text(st, 3)));
		}
		store_finish(st);
	}
	json_object_set_new(o, "receipts", receipts);
	json_object_set_new(o, "steps", steps);
}

json_t *sitter_app_json(struct store_conn *c, const struct vault *v, const struct sitter_app *p,
			const struct sitter_calc *calc, int staff)
{
	(void)v;
	json_t *o = json_pack(
	    "{s:s, s:s, s:s, s:s, s:o, s:o, s:s?, s:s?, s:I, s:I, s:I, s:s?}", "number", p->number,
	    "state", grant_state_name(p->state), "state_label",
	    grant_state_label(p->state, p->approved), "channel", p->channel, "decision",
	    p->state >= GRANT_APPROVED && p->state != GRANT_REJECTED && p->approved
		? json_string("approved")
	    : (p->state == GRANT_REJECTED || (p->state == GRANT_NOTIFIED && !p->approved))
		? json_string("rejected")
		: json_null(),
	    "form", sitter_form_json(&p->form, 1), "fix_note", p->fix_note, "reason", p->reason,
	    "paid_yen", (json_int_t)p->paid_yen, "claim_yen", (json_int_t)p->claim_yen, "grant_yen",
	    (json_int_t)p->grant_yen, "decided_on", p->decided_on[0] ? p->decided_on : NULL);
	if (staff)
		json_object_set_new(o, "id", json_integer(p->id));
	if (calc) {
		json_t *uses = json_array(), *kids = json_array();
		for (size_t i = 0; i < p->form.nuses; i++) {
			const struct sitter_calc_use *u = &calc->uses[i];
			json_array_append_new(uses, json_pack("{s:i, s:i, s:i, s:I, s:I}", "day_min",
							      u->day_min, "night_min", u->night_min,
							      "over_min", u->over_min, "rate_yen",
							      (json_int_t)u->rate_yen, "subsidy_yen",
							      (json_int_t)u->subsidy_yen));
		}
		for (size_t i = 0; i < calc->nkids; i++) {
			const struct sitter_calc_child *k = &calc->kids[i];
			int left = k->cap_min - k->before_min - k->counted_min;
			json_array_append_new(
			    kids, json_pack("{s:i, s:i, s:b, s:i, s:i, s:i, s:i, s:i}", "child",
					    k->child, "fiscal_year", k->fiscal_year, "multiple",
					    k->multiple, "cap_min", k->cap_min, "before_min",
					    k->before_min, "claim_min", k->claim_min, "counted_min",
					    k->counted_min, "remaining_min", left > 0 ? left : 0));
		}
		json_object_set_new(o, "calc",
				    json_pack("{s:o, s:o, s:I, s:i}", "uses", uses, "children", kids,
					      "grant_yen", (json_int_t)calc->grant_yen, "over_min",
					      calc->over_min));
	}
	if (staff) {
		json_t *checks = json_array();
		for (size_t i = 0; sitter_check_items[i]; i++)
			json_array_append_new(checks, json_pack("{s:s, s:s, s:b}", "item",
								sitter_check_items[i], "label",
								sitter_check_labels[i], "checked",
								grant_checked(p->checks,
									      sitter_check_items[i])));
		json_object_set_new(o, "checks", checks);
	}
	add_history(c, p, o);
	return o;
}
