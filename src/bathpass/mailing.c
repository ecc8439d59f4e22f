/* SPDX-License-Identifier: MIT */
/* mailing.c — passes by post: the March mailing (who gets next year's pass by mail, recorded as
 * one mailing of passes with their 整理番号 in one transaction) and its cover letters in one
 * PDF in postcode order for the postal discount; and one person's letter for a pass sent by
 * mail during the year (a reissue after a loss, a late application). The letters are made
 * from the ledger each time they are asked for; no file of them is kept. */
#include "bathpass/bathpass.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth/audit.h"
#include "base/clock.h"
#include "base/wareki.h"
#include "base/xalloc.h"
#include "bathpass/letter.h"
#include "doc/window_letter_pdf.h"
#include "store/store.h"
#include "vault/vault.h"

#define MAILING_PAST_DAYS 31  /* a mailing recorded after it went out */
#define MAILING_AHEAD_DAYS 90 /* letters printed ahead of the day they go out */

static int cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static int has_id(const int64_t *ids, size_t n, int64_t id)
{
	return n && bsearch(&id, ids, n, sizeof *ids, cmp_id) != NULL;
}

/* Appends id to the growing array *v (*n used, *cap allocated). */
static void push_id(int64_t **v, size_t *n, size_t *cap, int64_t id)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 1024;
		*v = xrealloc(*v, *cap * sizeof **v);
	}
	(*v)[(*n)++] = id;
}

/* The people with a pass of fiscal year fy (issue or reissue), sorted, into *ids. */
static enum err with_pass(struct store_conn *c, int fy, int64_t **ids, size_t *n)
{
	size_t cap = 0;
	int r;
	*ids = NULL;
	*n = 0;
	struct store_stmt *st = store_prepare(
	    c, "SELECT DISTINCT person_id FROM bath_events WHERE fiscal_year = ? AND kind IN "
	       "('issue', 'reissue') ORDER BY person_id");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, fy);
	while ((r = store_step(st)) == STORE_ROW)
		push_id(ids, n, &cap, store_col_int(st, 0));
	store_finish(st);
	return r < 0 ? ERR_DB : ERR_OK;
}

/* The people whose last pass of fiscal year fy came back by post (a returned event after their
 * last issue or reissue), sorted, into *ids. */
static enum err came_back(struct store_conn *c, int fy, int64_t **ids, size_t *n)
{
	size_t cap = 0;
	int r;
	int64_t person = 0;
	int back = 0;
	*ids = NULL;
	*n = 0;
	struct store_stmt *st = store_prepare(
	    c, "SELECT person_id, kind FROM bath_events WHERE fiscal_year = ? AND kind IN "
	       "('issue', 'reissue', 'returned') ORDER BY person_id, id");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, fy);
	while ((r = store_step(st)) == STORE_ROW) {
		int64_t p = store_col_int(st, 0);
		if (p != person && back)
			push_id(ids, n, &cap, person);
		if (p != person)
			back = 0;
		person = p;
		back = strcmp(store_col_text(st, 1), "returned") == 0;
	}
	if (r == STORE_DONE && back)
		push_id(ids, n, &cap, person);
	store_finish(st);
	return r < 0 ? ERR_DB : ERR_OK;
}

/* A letter's place in the postcode order, while the plan is made. */
struct order_key {
	int64_t id;
	char *key; /* postcode, address, 方書 joined by '\x1f' (wiped when freed) */
};

static int by_key(const void *a, const void *b)
{
	const struct order_key *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	return c ? c : cmp_id(&x->id, &y->id);
}

/* The order key of p (malloc'd). */
static char *key_of(const struct bath_person *p)
{
	size_t n = strlen(p->f[BF_POSTCODE]) + strlen(p->f[BF_ADDRESS]) +
		   strlen(p->f[BF_KATAGAKI]) + strlen(p->f[BF_NAME]) + 4;
	char *k = xmalloc(n);
	snprintf(k, n, "%s\x1f%s\x1f%s\x1f%s", p->f[BF_POSTCODE], p->f[BF_ADDRESS],
		 p->f[BF_KATAGAKI], p->f[BF_NAME]);
	return k;
}

static void keys_free(struct order_key *k, size_t n)
{
	for (size_t i = 0; i < n; i++)
		vault_wipe_free(k[i].key);
	free(k);
}

static void held_push(struct bath_mailing_plan *plan, size_t *cap, int64_t id, char reason)
{
	if (plan->nheld == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		plan->held = xrealloc(plan->held, *cap * sizeof *plan->held);
	}
	plan->held[plan->nheld].id = id;
	plan->held[plan->nheld].reason = reason;
	plan->nheld++;
}

enum err bath_mailing_plan(struct app *a, int fy, const char *date, struct bath_mailing_plan *out)
{
	const struct vault *v = bathpass_vault(a);
	int64_t *had = NULL, *back = NULL;
	size_t nhad = 0, nback = 0, nkeys = 0, kcap = 0, hcap = 0;
	struct order_key *keys = NULL;
	int r = STORE_DONE;
	memset(out, 0, sizeof *out);
	out->fy = fy;
	snprintf(out->date, sizeof out->date, "%s", date);
	struct store_conn *c = store_acquire(a->store);
	enum err e = store_begin_read(c);
	if (e == ERR_OK)
		e = with_pass(c, fy, &had, &nhad);
	if (e == ERR_OK)
		e = came_back(c, fy - 1, &back, &nback);
	struct store_stmt *st =
	    e == ERR_OK
		? store_prepare(c, "SELECT id, " BATH_PERSON_COLS " FROM bath_people WHERE id IN "
				   "(SELECT person_id FROM bath_events WHERE fiscal_year = ? AND "
				   "kind IN ('apply', 'issue', 'reissue')) ORDER BY id")
		: NULL;
	if (e == ERR_OK && !st)
		e = ERR_DB;
	if (e == ERR_OK)
		store_bind_int(st, 1, fy - 1);
	while (e == ERR_OK && (r = store_step(st)) == STORE_ROW) {
		struct bath_person p;
		const char *why, *code;
		int64_t id = store_col_int(st, 0);
		e = bath_person_from_row(v, st, 1, id, &p);
		if (e != ERR_OK)
			break;
		if (!bath_eligible(&p, date, &why, &code)) {
			out->not_eligible++;
		} else if (has_id(had, nhad, id)) {
			out->already++;
		} else if (has_id(back, nback, id)) {
			out->held_returned++;
			held_push(out, &hcap, id, 'r');
		} else if (p.note && *p.note) {
			out->held_note++;
			held_push(out, &hcap, id, 'n');
		} else {
			if (nkeys == kcap) {
				kcap = kcap ? kcap * 2 : 1024;
				keys = xrealloc(keys, kcap * sizeof *keys);
			}
			keys[nkeys].id = id;
			keys[nkeys].key = key_of(&p);
			nkeys++;
			const char *cat = p.f[BF_CATEGORY];
			out->by_category[strcmp(cat, "高齢") == 0   ? 0
					 : strcmp(cat, "障害") == 0 ? 1
								     : 2]++;
		}
		bath_person_clear(&p);
	}
	if (e == ERR_OK && r < 0)
		e = ERR_DB;
	store_finish(st);
	store_rollback(c);
	store_release(c);
	if (e == ERR_OK && nkeys) {
		qsort(keys, nkeys, sizeof *keys, by_key);
		out->ids = xmalloc(nkeys * sizeof *out->ids);
		for (size_t i = 0; i < nkeys; i++)
			out->ids[i] = keys[i].id;
		out->n = nkeys;
	}
	keys_free(keys, nkeys);
	free(had);
	free(back);
	if (e != ERR_OK)
		bath_mailing_plan_free(out);
	return e;
}

void bath_mailing_plan_free(struct bath_mailing_plan *plan)
{
	free(plan->ids);
	free(plan->held);
	plan->ids = NULL;
	plan->held = NULL;
	plan->n = plan->nheld = 0;
}

enum err bath_mailing_make(struct app *a, const struct bath_mailing_plan *plan, int64_t user_id,
			   const char *actor, int64_t *id)
{
	int64_t *had = NULL, first = 0, now = clock_now_ms();
	size_t nhad = 0;
	char first_no[24], last_no[24], number[24], detail[96], object[48];
	*id = 0;
	if (!plan->n)
		return ERR_INVALID;
	struct store_conn *c = store_acquire(a->store);
	enum err e = store_begin(c);
	if (e == ERR_OK)
		e = with_pass(c, plan->fy, &had, &nhad);
	for (size_t i = 0; e == ERR_OK && i < plan->n; i++)
		if (has_id(had, nhad, plan->ids[i]))
			e = ERR_CONFLICT;
	if (e == ERR_OK)
		e = bath_numbers_take(c, plan->fy, plan->n, &first);
	snprintf(first_no, sizeof first_no, "%d-%05" PRId64, plan->fy, first);
	snprintf(last_no, sizeof last_no, "%d-%05" PRId64, plan->fy,
		 first + (int64_t)plan->n - 1);
	struct store_stmt *st =
	    e == ERR_OK ? store_prepare(c, "INSERT INTO bath_mailings (fiscal_year, on_date, "
					   "letters, first_no, last_no, held, created_by, "
					   "created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
			: NULL;
	if (e == ERR_OK && !st)
		e = ERR_DB;
	if (e == ERR_OK) {
		store_bind_int(st, 1, plan->fy);
		store_bind_text(st, 2, plan->date);
		store_bind_int(st, 3, (int64_t)plan->n);
		store_bind_text(st, 4, first_no);
		store_bind_text(st, 5, last_no);
		store_bind_int(st, 6, (int64_t)plan->nheld);
		store_bind_int(st, 7, user_id);
		store_bind_int(st, 8, now);
		e = store_run(st);
	}
	store_finish(st);
	if (e == ERR_OK)
		*id = store_last_id(c);
	for (size_t i = 0; e == ERR_OK && i < plan->n; i++) {
		snprintf(number, sizeof number, "%d-%05" PRId64, plan->fy, first + (int64_t)i);
		e = bath_event_add_fy(c, plan->ids[i], plan->fy, "issue", plan->date, NULL, "mail",
				      number, *id, user_id, now);
	}
	snprintf(object, sizeof object, "bath_mailing:%" PRId64, *id);
	snprintf(detail, sizeof detail, "fy=%d date=%s letters=%zu held=%zu numbers=%s..%s",
		 plan->fy, plan->date, plan->n, plan->nheld, first_no, last_no);
	if (e == ERR_OK)
		e = audit_append(c, a->vault, actor, "bathpass.mailing", object, detail);
	if (e == ERR_OK)
		e = store_commit(c);
	store_rollback(c);
	store_release(c);
	free(had);
	if (e != ERR_OK)
		*id = 0;
	return e;
}

/* Fills one listed mailing from the current row of st (the columns of MAILING_COLS). */
#define MAILING_COLS                                                                               \
	"m.id, m.fiscal_year, m.on_date, m.letters, m.held, m.first_no, m.last_no, "              \
	"COALESCE(u.login, ''), m.created_ms FROM bath_mailings m LEFT JOIN users u ON u.id = "   \
	"m.created_by"
static void mailing_of(struct store_stmt *st, struct bath_mailing *m)
{
	memset(m, 0, sizeof *m);
	m->id = store_col_int(st, 0);
	m->fy = (int)store_col_int(st, 1);
	snprintf(m->date, sizeof m->date, "%s", store_col_text(st, 2));
	m->letters = store_col_int(st, 3);
	m->held = store_col_int(st, 4);
	snprintf(m->first_no, sizeof m->first_no, "%s", store_col_text(st, 5));
	snprintf(m->last_no, sizeof m->last_no, "%s", store_col_text(st, 6));
	snprintf(m->created_by, sizeof m->created_by, "%s", store_col_text(st, 7));
	m->created_ms = store_col_int(st, 8);
}

enum err bath_mailings_list(struct store_conn *c, struct bath_mailing **out, size_t *n)
{
	size_t cap = 0;
	int r;
	*out = NULL;
	*n = 0;
	struct store_stmt *st = store_prepare(c, "SELECT " MAILING_COLS " ORDER BY m.id DESC");
	if (!st)
		return ERR_DB;
	while ((r = store_step(st)) == STORE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*out = xrealloc(*out, cap * sizeof **out);
		}
		mailing_of(st, &(*out)[(*n)++]);
	}
	store_finish(st);
	return r < 0 ? ERR_DB : ERR_OK;
}

enum err bath_mailing_get(struct store_conn *c, int64_t id, struct bath_mailing *out)
{
	struct store_stmt *st = store_prepare(c, "SELECT " MAILING_COLS " WHERE m.id = ?");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, id);
	int r = store_step(st);
	if (r == STORE_ROW)
		mailing_of(st, out);
	store_finish(st);
	return r == STORE_ROW ? ERR_OK : r == STORE_DONE ? ERR_NOTFOUND : ERR_DB;
}

enum err bath_mailing_pdf(struct app *a, int64_t id, struct buf *pdf, size_t *letters,
			  int64_t *why_id)
{
	const struct vault *v = bathpass_vault(a);
	struct bath_settings s;
	struct bath_mailing m;
	struct doc_window_pdf *w = NULL;
	int r = STORE_DONE;
	char title[96];
	*letters = 0;
	*why_id = 0;
	bath_settings_read(a, &s);
	struct store_conn *c = store_acquire(a->store);
	enum err e = store_begin_read(c);
	if (e == ERR_OK)
		e = bath_mailing_get(c, id, &m);
	if (e == ERR_OK) {
		snprintf(title, sizeof title, "ふれあい入浴証 送付状 %d年度 発送 %" PRId64, m.fy,
			 id);
		e = doc_window_pdf_open_buf(pdf, title, &w);
	}
	/* In the order of the 整理番号, which the mailing gave in postcode order; one person's
	 * plaintext at a time (an address changed since goes where the person now lives, in its
	 * old place in the order). */
	struct store_stmt *st =
	    e == ERR_OK ? store_prepare(c, "SELECT p.id, e.number, " BATH_PERSON_COLS
					   " FROM bath_events e JOIN bath_people p ON p.id = "
					   "e.person_id WHERE e.mailing_id = ? ORDER BY e.id")
			: NULL;
	if (e == ERR_OK && !st)
		e = ERR_DB;
	if (e == ERR_OK)
		store_bind_int(st, 1, id);
	while (e == ERR_OK && (r = store_step(st)) == STORE_ROW) {
		struct bath_person p;
		struct bath_letter b;
		char number[24];
		e = bath_person_from_row(v, st, 2, store_col_int(st, 0), &p);
		if (e != ERR_OK)
			break;
		snprintf(number, sizeof number, "%s", store_col_text(st, 1));
		e = bath_letter_fill(&b, &p, &s, m.fy, m.date, number, 0, 1);
		if (e == ERR_OK)
			e = doc_window_pdf_add(w, &b.letter);
		if (e == ERR_INVALID)
			*why_id = p.id;
		bath_person_clear(&p);
	}
	if (e == ERR_OK && r < 0)
		e = ERR_DB;
	store_finish(st);
	store_rollback(c);
	store_release(c);
	*letters = w ? doc_window_pdf_pages(w) : 0;
	enum err ce = doc_window_pdf_close(w);
	if (e == ERR_OK)
		e = ce;
	return e;
}

enum err bath_letter_pdf(struct app *a, int64_t person, int fy, struct buf *pdf,
			 char number[24])
{
	const struct vault *v = bathpass_vault(a);
	struct bath_settings s;
	struct bath_person p = {0};
	struct bath_letter b;
	struct doc_window_pdf *w = NULL;
	char date[11] = "", kind[16] = "", title[96];
	int64_t mailing = 0;
	number[0] = '\0';
	bath_settings_read(a, &s);
	struct store_conn *c = store_acquire(a->store);
	enum err e = store_begin_read(c);
	struct store_stmt *st =
	    e == ERR_OK
		? store_prepare(c, "SELECT kind, on_date, number, COALESCE(mailing_id, 0) FROM "
				   "bath_events WHERE person_id = ? AND fiscal_year = ? AND kind IN "
				   "('issue', 'reissue') AND method = 'mail' ORDER BY id DESC")
		: NULL;
	if (e == ERR_OK && !st)
		e = ERR_DB;
	if (e == ERR_OK) {
		store_bind_int(st, 1, person);
		store_bind_int(st, 2, fy);
		int r = store_step(st);
		if (r == STORE_ROW) {
			snprintf(kind, sizeof kind, "%s", store_col_text(st, 0));
			snprintf(date, sizeof date, "%s", store_col_text(st, 1));
			snprintf(number, 24, "%s", store_col_text(st, 2));
			mailing = store_col_int(st, 3);
		} else {
			e = r == STORE_DONE ? ERR_NOTFOUND : ERR_DB;
		}
	}
	store_finish(st);
	if (e == ERR_OK)
		e = bath_person_load(c, v, person, &p);
	store_rollback(c);
	store_release(c);
	if (e == ERR_OK)
		e = bath_letter_fill(&b, &p, &s, fy, date, number, strcmp(kind, "reissue") == 0,
				     mailing != 0);
	snprintf(title, sizeof title, "ふれあい入浴証 送付状 %s", number);
	if (e == ERR_OK)
		e = doc_window_pdf_open_buf(pdf, title, &w);
	if (e == ERR_OK)
		e = doc_window_pdf_add(w, &b.letter);
	enum err ce = doc_window_pdf_close(w);
	if (e == ERR_OK)
		e = ce;
	bath_person_clear(&p);
	return e;
}

enum err bath_mailing_when(const char *date, int fy, char iso[11], int *out_fy, const char **why)
{
	char today[11];
	int y, m, d;
	int64_t at = 0, now_day = 0;
	bath_today(today);
	*why = NULL;
	if (!date || !*date)
		date = today;
	if (wareki_parse_date(date, &y, &m, &d) != ERR_OK) {
		*why = "発送日が読めません（2027-03-23 や R9.3.23 の形で）。";
		return ERR_INVALID;
	}
	snprintf(iso, 11, "%04d-%02d-%02d", y, m, d);
	clock_day_parse(iso, &at, NULL);
	clock_day_parse(today, &now_day, NULL);
	int64_t days = (at - now_day) / 86400000;
	if (days < -MAILING_PAST_DAYS || days > MAILING_AHEAD_DAYS) {
		*why = "発送日は、今日の31日前から90日先までの日にしてください。";
		return ERR_INVALID;
	}
	int base = bath_fiscal_year(iso);
	if (!fy)
		fy = base + 1;
	if (fy != base && fy != base + 1) {
		*why = "入浴証の年度は、発送日の年度かその次の年度です。";
		return ERR_INVALID;
	}
	*out_fy = fy;
	return ERR_OK;
}
