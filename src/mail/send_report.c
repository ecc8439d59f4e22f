/* SPDX-License-Identifier: MIT */
/* send_report.c — one send's delivery read from the outbox (counts per state and per domain,
 * hard bounces, unsubscribes, the newest failures) and the retry of its failed rows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "mail/mail.h"
#include "store/store.h"
#include "vault/keyring.h"
#include "vault/vault.h"

/* The per-domain totals of a send: index-only on outbox_send plus the domain column, which
 * sits before the sealed blobs (a row's first page). The state column comes after the body
 * and would drag every row's overflow pages in: it is read from outbox_due instead, for the
 * rows that are not sent — see STATE_SQL. */
static const char TOTALS_SQL[] = "SELECT domain, count(*) FROM outbox WHERE send_id = ? "
				 "GROUP BY domain ORDER BY 2 DESC, domain";
/* Rows of the send in each unsent state, by domain. The unary + keeps the planner from
 * driving by rowid (43,000 row reads); it walks outbox_due for the few unsent states and
 * tests each rowid against the send's list instead. */
static const char STATE_SQL[] =
    "SELECT domain, state, count(*) FROM outbox WHERE state IN ('queued', 'sending', "
    "'deferred', 'failed') AND +id IN (SELECT id FROM outbox WHERE send_id = ?) "
    "GROUP BY domain, state";
/* A row bounces hard at most once (bounce_events_hard_once), so a count is distinct rows. */
static const char BOUNCED_SQL[] =
    "SELECT o.domain, count(*) FROM outbox o JOIN bounce_events b ON b.outbox_id = o.id "
    "WHERE o.send_id = ? AND b.kind = 'hard' GROUP BY o.domain";
static const char UNSUBSCRIBED_SQL[] =
    "SELECT count(*) FROM outbox o JOIN unsubscribes u ON u.outbox_id = o.id "
    "WHERE o.send_id = ?";
/* A failed row's next_ms is the time of its last attempt (outbox_rows.c sets it then);
 * outbox_due (state, next_ms) gives them newest first without a sort. */
static const char FAILURES_SQL[] =
    "SELECT id, domain, attempts, last_reply, next_ms FROM outbox WHERE state = 'failed' "
    "AND send_id = ? ORDER BY next_ms DESC, id DESC LIMIT ?";

/* Per-domain counts while the report is built: every domain, not only the listed ones. */
struct domain_acc {
	char *domain;
	struct mail_send_counts n;
};

/* Returns the accumulator of domain in acc (n entries, sorted by name for bsearch), or NULL. */
static struct domain_acc *acc_find(struct domain_acc *by_name, size_t n, const char *domain)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(by_name[mid].domain, domain);
		if (c == 0)
			return &by_name[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int acc_cmp_name(const void *a, const void *b)
{
	return strcmp(((const struct domain_acc *)a)->domain,
		      ((const struct domain_acc *)b)->domain);
}

/* Largest total first, then by name: the order of the listed domains. */
static int acc_cmp_total(const void *a, const void *b)
{
	const struct domain_acc *x = a, *y = b;
	if (x->n.total != y->n.total)
		return x->n.total > y->n.total ? -1 : 1;
	return strcmp(x->domain, y->domain);
}

/* Adds count rows in state to *n (sent is derived later). */
static void count_state(struct mail_send_counts *n, const char *state, int64_t count)
{
	if (strcmp(state, "queued") == 0)
		n->queued += count;
	else if (strcmp(state, "sending") == 0)
		n->sending += count;
	else if (strcmp(state, "deferred") == 0)
		n->deferred += count;
	else if (strcmp(state, "failed") == 0)
		n->failed += count;
}

/* Derives sent and pending of *n from its total and unsent states. */
static void derive(struct mail_send_counts *n)
{
	n->pending = n->queued + n->sending + n->deferred;
	n->sent = n->total - n->pending - n->failed;
}

/* Reads the domains and their counts of send_id into a malloc'd array sorted by name
 * (*acc, *nacc; free with acc_free). */
static enum err read_domains(struct store_conn *c, const char *send_id, struct domain_acc **acc,
			     size_t *nacc)
{
	size_t n = 0, cap = 16;
	struct domain_acc *a = xcalloc(cap, sizeof *a);
	enum err e = ERR_DB;
	int rc;
	struct store_stmt *st = store_prepare(c, TOTALS_SQL);
	if (!st)
		goto out;
	store_bind_text(st, 1, send_id);
	while ((rc = store_step(st)) == STORE_ROW) {
		if (n == cap) {
			cap *= 2;
			a = xrealloc(a, cap * sizeof *a);
		}
		memset(&a[n], 0, sizeof a[n]);
		a[n].domain = xstrdup(store_col_text(st, 0));
		a[n].n.total = store_col_int(st, 1);
		n++;
	}
	if (rc != STORE_DONE)
		goto out;
	store_finish(st);
	qsort(a, n, sizeof *a, acc_cmp_name);
	st = store_prepare(c, STATE_SQL);
	if (!st)
		goto out;
	store_bind_text(st, 1, send_id);
	while ((rc = store_step(st)) == STORE_ROW) {
		struct domain_acc *d = acc_find(a, n, store_col_text(st, 0));
		if (d)
			count_state(&d->n, store_col_text(st, 1), store_col_int(st, 2));
	}
	if (rc != STORE_DONE)
		goto out;
	store_finish(st);
	st = store_prepare(c, BOUNCED_SQL);
	if (!st)
		goto out;
	store_bind_text(st, 1, send_id);
	while ((rc = store_step(st)) == STORE_ROW) {
		struct domain_acc *d = acc_find(a, n, store_col_text(st, 0));
		if (d)
			d->n.bounced += store_col_int(st, 1);
	}
	if (rc != STORE_DONE)
		goto out;
	e = ERR_OK;
out:
	store_finish(st);
	*acc = a;
	*nacc = n;
	return e;
}

static void acc_free(struct domain_acc *a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(a[i].domain);
	free(a);
}

/* Reads the newest failed rows of send_id into r->failures. */
static enum err read_failures(struct store_conn *c, const char *send_id, struct mail_send_report *r)
{
	int rc;
	struct store_stmt *st = store_prepare(c, FAILURES_SQL);
	if (!st)
		return ERR_DB;
	store_bind_text(st, 1, send_id);
	store_bind_int(st, 2, MAIL_SEND_FAILURES_MAX);
	while ((rc = store_step(st)) == STORE_ROW && r->nfailures < MAIL_SEND_FAILURES_MAX) {
		struct mail_send_failure *f = &r->failures[r->nfailures++];
		f->outbox_id = store_col_int(st, 0);
		snprintf(f->domain, sizeof f->domain, "%s", store_col_text(st, 1));
		f->attempts = store_col_int(st, 2);
		/* Replies are stored scrubbed; blanking again costs nothing and holds if not. */
		mail_text_blank_addresses(store_col_is_null(st, 3) ? "" : store_col_text(st, 3),
					  f->reply, sizeof f->reply);
		f->at_ms = store_col_int(st, 4);
	}
	store_finish(st);
	return rc == STORE_ROW || rc == STORE_DONE ? ERR_OK : ERR_DB;
}

enum err mail_send_report(struct store_conn *c, const char *send_id, struct mail_send_report *r)
{
	struct domain_acc *acc = NULL;
	size_t nacc = 0;
	struct store_stmt *st = NULL;
	memset(r, 0, sizeof *r);
	enum err e = read_domains(c, send_id, &acc, &nacc);
	if (e != ERR_OK)
		goto out;
	if (nacc == 0) {
		e = ERR_NOTFOUND;
		goto out;
	}
	for (size_t i = 0; i < nacc; i++) {
		struct mail_send_counts *d = &acc[i].n;
		derive(d);
		r->n.total += d->total;
		r->n.queued += d->queued;
		r->n.sending += d->sending;
		r->n.deferred += d->deferred;
		r->n.failed += d->failed;
		r->n.bounced += d->bounced;
	}
	derive(&r->n);
	r->complete = r->n.pending == 0 && r->n.total > 0;
	r->bounce_rate = r->n.sent > 0 ? (double)r->n.bounced / (double)r->n.sent : 0.0;
	qsort(acc, nacc, sizeof *acc, acc_cmp_total);
	for (size_t i = 0; i < nacc; i++) {
		if (r->ndomains == MAIL_SEND_DOMAINS_MAX) {
			r->domains_more++;
			continue;
		}
		struct mail_send_domain *d = &r->domains[r->ndomains++];
		snprintf(d->domain, sizeof d->domain, "%s", acc[i].domain);
		d->n = acc[i].n;
	}
	e = ERR_DB;
	st = store_prepare(c, UNSUBSCRIBED_SQL);
	if (!st)
		goto out;
	store_bind_text(st, 1, send_id);
	if (store_step(st) != STORE_ROW)
		goto out;
	r->unsubscribed = store_col_int(st, 0);
	store_finish(st);
	st = NULL;
	e = read_failures(c, send_id, r);
out:
	store_finish(st);
	acc_free(acc, nacc);
	return e;
}

/* Sets *any to 1 when the query sql (bound with text arg, or nothing when arg is NULL) yields
 * a row. */
static enum err exists(struct store_conn *c, const char *sql, const char *arg, int *any)
{
	struct store_stmt *st = store_prepare(c, sql);
	*any = 0;
	if (!st)
		return ERR_DB;
	if (arg)
		store_bind_text(st, 1, arg);
	int rc = store_step(st);
	store_finish(st);
	*any = rc == STORE_ROW;
	return rc == STORE_ROW || rc == STORE_DONE ? ERR_OK : ERR_DB;
}

/* Decides for the failed row id, whose sealed recipient is blob (len bytes), whether its
 * address is bouncing (*skip 1) or unsubscribed from the row's list (*skip 2; list: the row's
 * own, which is the send's or, for a service with a list per group, the recipient's); *skip 0
 * to retry it. */
static enum err row_check(struct store_conn *c, const struct vault *v, const void *blob, size_t len,
			  const char *list, int check_bouncing, int check_unsub, int *skip)
{
	char *addr = NULL;
	int bouncing = 0, unsubscribed = 0;
	*skip = 0;
	if (!v)
		return ERR_CRYPTO;
	if (len == 0) {
		*skip = 3; /* its content destroyed at the end of its retention period */
		return ERR_OK;
	}
	enum err e = vault_unseal(v, "outbox.to", blob, len, &addr);
	if (e != ERR_OK)
		goto out;
	if (check_bouncing) {
		e = mail_bounce_is_bouncing(c, v, addr, &bouncing);
		if (e != ERR_OK)
			goto out;
		if (bouncing) {
			*skip = 1;
			goto out;
		}
	}
	if (check_unsub) {
		e = mail_unsubscribed(c, v, addr, list, &unsubscribed);
		if (e == ERR_OK && unsubscribed)
			*skip = 2;
	}
out:
	vault_wipe_free(addr);
	return e;
}

/* Moves one failed row back to queued (it stays as it is when it is no longer failed). */
static enum err requeue(struct store_conn *c, const char *send_id, int64_t id, int64_t *moved)
{
	/* id 0: every failed row of the send at once. */
	struct store_stmt *st =
	    store_prepare(c, id ? "UPDATE outbox SET state = 'queued', attempts = 0, next_ms = 0, "
				  "last_reply = 'retried: ' || coalesce(last_reply, '') "
				  "WHERE id = ? AND state = 'failed'"
				: "UPDATE outbox SET state = 'queued', attempts = 0, next_ms = 0, "
				  "last_reply = 'retried: ' || coalesce(last_reply, '') "
				  "WHERE state = 'failed' AND send_id = ?");
	if (!st)
		return ERR_DB;
	if (id)
		store_bind_int(st, 1, id);
	else
		store_bind_text(st, 1, send_id);
	enum err e = store_run(st);
	store_finish(st);
	if (e == ERR_OK)
		*moved += store_changes(c);
	return e;
}

enum err mail_send_retry(struct store_conn *c, struct keyring *k, const char *send_id,
			 struct mail_send_retry *res)
{
	char send_list[MAIL_LIST_MAX];
	int any = 0, check_bouncing = 0, check_unsub = 0;
	int64_t *ids = NULL;
	size_t n = 0, cap = 0;
	struct store_stmt *st = NULL;
	enum err e;
	memset(res, 0, sizeof *res);
	e = exists(c, "SELECT 1 FROM outbox WHERE send_id = ?", send_id, &any);
	if (e == ERR_OK && !any)
		e = ERR_NOTFOUND;
	/* Notices (entry/exit, alerts, sign-in and confirmation links) are never sent again late:
	 * a late notice misleads, and a link has expired. */
	if (e == ERR_OK)
		e = exists(c, "SELECT 1 FROM outbox WHERE send_id = ? AND kind = 'notice'", send_id,
			   &any);
	if (e == ERR_OK && any)
		e = ERR_FORBIDDEN;
	if (e == ERR_OK)
		e = exists(c, "SELECT 1 FROM outbox WHERE state = 'failed' AND send_id = ?",
			   send_id, &any);
	if (e == ERR_OK && !any)
		e = ERR_CONFLICT;
	if (e == ERR_OK)
		e = exists(c, "SELECT 1 FROM bounce_addresses WHERE bouncing_ms IS NOT NULL", NULL,
			   &check_bouncing);
	if (e == ERR_OK)
		e = exists(c,
			   "SELECT 1 FROM unsubscribes WHERE list IN (SELECT list FROM outbox "
			   "WHERE state = 'failed' AND send_id = ?)",
			   send_id, &check_unsub);
	/* Rows queued without a list of their own are on their send's list. */
	mail_send_list(send_id, send_list, sizeof send_list);
	if (e == ERR_OK && !check_unsub)
		e = exists(c, "SELECT 1 FROM unsubscribes WHERE list = ?", send_list, &check_unsub);
	if (e != ERR_OK)
		goto out;
	if (!check_bouncing && !check_unsub) {
		/* Nobody to leave out: one statement, no unsealing. */
		e = requeue(c, send_id, 0, &res->retried);
		goto out;
	}
	/* The rows first (ids only), then one check and update each: no update while the
	 * statement over the same rows is open. */
	e = ERR_DB;
	st = store_prepare(c, "SELECT id FROM outbox WHERE state = 'failed' AND send_id = ?");
	if (!st)
		goto out;
	store_bind_text(st, 1, send_id);
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			ids = xrealloc(ids, cap * sizeof *ids);
		}
		ids[n++] = store_col_int(st, 0);
	}
	if (rc != STORE_DONE)
		goto out;
	store_finish(st);
	st = NULL;
	for (size_t i = 0; i < n; i++) {
		int skip = 0;
		e = ERR_DB;
		st = store_prepare(c, "SELECT to_enc, service, COALESCE(list, send_id) FROM outbox "
				      "WHERE id = ?");
		if (!st)
			goto out;
		store_bind_int(st, 1, ids[i]);
		if (store_step(st) != STORE_ROW)
			goto out;
		size_t len;
		const void *blob = store_col_blob(st, 0, &len);
		/* The address is sealed, and blinded, under the key of the row's service. */
		const struct vault *v = keyring_vault(k, store_col_text(st, 1));
		char list[MAIL_LIST_MAX];
		mail_send_list(store_col_text(st, 2), list, sizeof list);
		e = row_check(c, v, blob, len, list, check_bouncing, check_unsub, &skip);
		store_finish(st);
		st = NULL;
		if (e != ERR_OK)
			goto out;
		if (skip == 1) {
			res->skipped_bouncing++;
			continue;
		}
		if (skip == 2) {
			res->skipped_unsubscribed++;
			continue;
		}
		if (skip == 3) {
			res->skipped_expired++;
			continue;
		}
		e = requeue(c, send_id, ids[i], &res->retried);
		if (e != ERR_OK)
			goto out;
	}
	e = ERR_OK;
out:
	store_finish(st);
	free(ids);
	return e;
}
