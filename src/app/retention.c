/* SPDX-License-Identifier: MIT */
/* retention.c — the retention job: each kind's expired rows deleted in one transaction with the
 * audit log's old months (behind a checkpoint) and an audit entry of the counts, then the
 * database's files scrubbed so the deleted content does not linger. */
#include "app/retention.h"

#include <ini.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "app/periodic.h"
#include "app/service.h"
#include "auth/audit.h"
#include "auth/user_admin.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "store/store.h"

#define DAY_MS (24LL * 3600 * 1000)

/* The platform's own kinds: the content of sent mail (every service's), bounce data, staff
 * sessions and sign-in device cookies, links to join a list again. */
static const struct retention_kind platform_kinds[] = {
    /* The recipient, subject and body (they hold children's names) of mail that went out or
     * failed for good; the delivery facts (state, times, attempts, the server's reply with
     * addresses blanked, bounces, reads) stay. */
    {"mail_content", "送信済みメールの宛先・件名・本文", 30, "outbox",
     "UPDATE outbox SET to_enc = substr(to_enc, 1, 0), subject_enc = substr(subject_enc, 1, 0), "
     "body_enc = substr(body_enc, 1, 0) WHERE state IN ('sent', 'failed') AND created_ms < ?1 "
     "AND length(body_enc) > 0",
     0, 0, 0, 0},
    /* The delivery facts themselves, years later: the rows referring to a message first. */
    {"mail_facts", "配信の記録（状態・時刻・不達・既読）", 1095, "mail_reads",
     "DELETE FROM mail_reads WHERE outbox_id IN (SELECT id FROM outbox WHERE state IN ('sent', "
     "'failed') AND created_ms < ?1)",
     0, 1, 0, 0},
    {"mail_facts", "配信の記録（状態・時刻・不達・既読）", 1095, "bounce_events",
     "DELETE FROM bounce_events WHERE outbox_id IN (SELECT id FROM outbox WHERE state IN "
     "('sent', 'failed') AND created_ms < ?1)",
     0, 1, 0, 0},
    {"mail_facts", "配信の記録（状態・時刻・不達・既読）", 1095, "resubscribe_tokens",
     "DELETE FROM resubscribe_tokens WHERE outbox_id IN (SELECT id FROM outbox WHERE state IN "
     "('sent', 'failed') AND created_ms < ?1)",
     0, 1, 0, 0},
    /* an unsubscribe stays (by address and list); only its link to the message goes */
    {"mail_facts", "配信の記録（状態・時刻・不達・既読）", 1095, "unsubscribes",
     "UPDATE unsubscribes SET outbox_id = NULL WHERE outbox_id IN (SELECT id FROM outbox WHERE "
     "state IN ('sent', 'failed') AND created_ms < ?1)",
     0, 1, 0, 0},
    {"mail_facts", "配信の記録（状態・時刻・不達・既読）", 1095, "outbox",
     "DELETE FROM outbox WHERE state IN ('sent', 'failed') AND created_ms < ?1", 0, 0, 0, 0},
    /* The notifications taken in (diagnostics); an address's bouncing status stays. */
    {"bounces", "不達通知（バウンス）の記録", 180, "bounce_events",
     "DELETE FROM bounce_events WHERE at_ms < ?1", 0, 0, 0, 0},
    {"bounces", "不達通知（バウンス）の記録", 180, "bounce_addresses",
     "DELETE FROM bounce_addresses WHERE bouncing_ms IS NULL AND last_ms < ?1", 0, 0, 0, 0},
    {"sessions", "ログインの記録（セッション）", 7, "sessions",
     "DELETE FROM sessions WHERE last_seen_ms < ?1", 0, 0, 0, 0},
    {"device_cookies", "ログインに使った端末の記録", 365, "device_cookies",
     "DELETE FROM device_cookies WHERE last_used_ms < ?1", 0, 0, 0, 0},
    {"links", "期限切れの登録・確認リンク", 7, "resubscribe_tokens",
     "DELETE FROM resubscribe_tokens WHERE expires_ms < ?1", 0, 0, 0, 0},
    {0},
};

/* [retention] values read from mimamori.conf. */
struct settings {
	struct {
		char key[40];
		int value;
	} v[RETENTION_MAX_KEYS];
	size_t n;
};

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct settings *s = user;
	if (strcmp(section, "retention") != 0 || s->n == RETENTION_MAX_KEYS)
		return 1;
	char *end = NULL;
	long v = strtol(value, &end, 10);
	if (!end || *end || v < 1 || v > 36500 || strlen(name) >= sizeof s->v[0].key) {
		/* audit_months counts months, every other key days */
		log_warn("retention: [retention] %s must be a number of %s 1-36500; using the "
			 "default",
			 name, strcmp(name, "audit_months") == 0 ? "months" : "days");
		return 1;
	}
	snprintf(s->v[s->n].key, sizeof s->v[s->n].key, "%s", name);
	s->v[s->n++].value = (int)v;
	return 1;
}

/* Returns the setting name (e.g. "scans_days") from s, or def. */
static int setting(const struct settings *s, const char *name, int def)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i].key, name) == 0)
			return s->v[i].value;
	return def;
}

/* Adds kind k's period to r unless its key is there already. */
static void period_add(struct retention_result *r, const struct settings *s,
		       const struct retention_kind *k)
{
	char name[64];
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->k[i].key, k->key) == 0)
			return;
	if (r->n == RETENTION_MAX_KEYS) {
		log_warn("retention: too many kinds of record; %s is not kept track of", k->key);
		return;
	}
	snprintf(name, sizeof name, "%s_days", k->key);
	r->k[r->n].key = k->key;
	r->k[r->n].label_ja = k->label_ja;
	r->k[r->n].days = setting(s, name, k->default_days);
	r->k[r->n].n = 0;
	r->n++;
}

/* Returns r's entry of key (it was added by retention_periods). */
static struct retention_count *count_of(struct retention_result *r, const char *key)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->k[i].key, key) == 0)
			return &r->k[i];
	return NULL;
}

void retention_periods(struct app *a, struct retention_result *r)
{
	struct settings s = {0};
	char path[4096];
	memset(r, 0, sizeof *r);
	snprintf(path, sizeof path, "%s/mimamori.conf", a->data_dir);
	if (ini_parse(path, handler, &s) < 0)
		log_warn("retention: cannot read the settings; using the defaults");
	for (const struct retention_kind *k = platform_kinds; k->key; k++)
		period_add(r, &s, k);
	for (const struct service *const *sv = app_services(); *sv; sv++)
		for (const struct retention_kind *k = (*sv)->retention; k && k->key; k++)
			period_add(r, &s, k);
	r->audit_months = setting(&s, "audit_months", RETENTION_AUDIT_MONTHS);
	/* A misspelt name would keep a longer default without a word: say so. */
	for (size_t i = 0; i < s.n; i++) {
		int known = strcmp(s.v[i].key, "audit_months") == 0;
		for (size_t j = 0; j < r->n && !known; j++) {
			size_t n = strlen(r->k[j].key);
			known = strncmp(s.v[i].key, r->k[j].key, n) == 0 &&
				strcmp(s.v[i].key + n, "_days") == 0;
		}
		if (!known)
			log_warn("retention: [retention] %s is no retention period; ignored", s.v[i].key);
	}
}

int retention_days(struct app *a, const char *key)
{
	struct retention_result r;
	retention_periods(a, &r);
	for (size_t i = 0; i < r.n; i++)
		if (strcmp(r.k[i].key, key) == 0)
			return r.k[i].days;
	return 0;
}

/* Appends kind k's period (from r) to out unless its key is in it already (keys seen so far in
 * seen[*nseen]); quiet kinds, which only make room, are left out. */
static void text_add(const struct retention_result *r, const struct retention_kind *k,
		     const char *table, const char **seen, size_t *nseen, char *out, size_t n)
{
	if (k->quiet || strcmp(k->table, table) != 0)
		return;
	for (size_t i = 0; i < *nseen; i++)
		if (strcmp(seen[i], k->key) == 0)
			return;
	for (size_t i = 0; i < r->n; i++) {
		if (strcmp(r->k[i].key, k->key) != 0)
			continue;
		size_t len = strlen(out);
		snprintf(out + len, n - len, "%s%d日（%s）", len ? "、" : "", r->k[i].days,
			 r->k[i].label_ja);
		if (*nseen < RETENTION_MAX_KEYS)
			seen[(*nseen)++] = k->key;
		return;
	}
}

const char *retention_table_text(const struct retention_result *r, const char *table, char *out,
				 size_t n)
{
	const char *seen[RETENTION_MAX_KEYS];
	size_t nseen = 0;
	out[0] = '\0';
	for (const struct retention_kind *k = platform_kinds; k->key; k++)
		text_add(r, k, table, seen, &nseen, out, n);
	for (const struct service *const *sv = app_services(); *sv; sv++)
		for (const struct retention_kind *k = (*sv)->retention; k && k->key; k++)
			text_add(r, k, table, seen, &nseen, out, n);
	return *out ? out : NULL;
}

/* Returns the Japan-time start of the month months before now_ms's month. */
static int64_t month_start_before(int64_t now_ms, int months)
{
	char day[16];
	int y = 0, m = 0;
	int64_t ms = 0;
	clock_jst_date(now_ms, day, sizeof day);
	if (sscanf(day, "%d-%d", &y, &m) != 2)
		return 0;
	int idx = y * 12 + (m - 1) - months;
	snprintf(day, sizeof day, "%04d-%02d-01", (idx / 12) % 10000, idx % 12 + 1);
	if (clock_day_parse(day, &ms, NULL) != 0)
		return 0;
	return ms;
}

/* Retires (user_retire_on, audited by "system" under v) every account the running statement
 * st lists (one column: users.id) and adds their number to *n. The ids are read first: the
 * retirement writes the rows the statement reads. */
static enum err retire_listed(struct store_conn *c, struct store_stmt *st, const struct vault *v,
			      int64_t *n)
{
	int64_t *ids = NULL;
	size_t len = 0, cap = 0;
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		if (len == cap) {
			cap = cap ? cap * 2 : 16;
			ids = xrealloc(ids, cap * sizeof *ids);
		}
		ids[len++] = store_col_int(st, 0);
	}
	enum err e = rc == STORE_DONE ? ERR_OK : ERR_DB;
	for (size_t i = 0; e == ERR_OK && i < len; i++)
		e = user_retire_on(c, v, "system", ids[i], "retention");
	if (e == ERR_OK)
		*n += (int64_t)len;
	free(ids);
	return e;
}

/* Runs kind k's statement on c with its cutoff for period days at now_ms; adds the rows changed
 * (or the accounts retired) to *n (unless k is quiet). v: the platform's key, for the audit
 * entries of retired accounts. */
static enum err kind_run(struct store_conn *c, const struct vault *v,
			 const struct retention_kind *k, int days, int64_t now_ms, int64_t *n)
{
	int64_t cutoff = now_ms - (int64_t)days * DAY_MS;
	char day[16];
	struct store_stmt *st = store_prepare(c, k->sql);
	if (!st) {
		log_error("retention: the statement of %s (%s) cannot be prepared", k->key, k->table);
		return ERR_DB;
	}
	if (k->by_day) {
		clock_jst_date(cutoff, day, sizeof day);
		store_bind_text(st, 1, day);
	} else {
		store_bind_int(st, 1, cutoff);
	}
	if (k->retire) {
		enum err e = retire_listed(c, st, v, n);
		store_finish(st);
		return e;
	}
	enum err e = k->purge ? store_purge_mark(c, k->table, 1) : ERR_OK;
	if (e == ERR_OK)
		e = store_run(st);
	store_finish(st);
	if (e == ERR_OK && !k->quiet)
		*n += store_changes(c);
	if (e == ERR_OK && k->purge)
		e = store_purge_mark(c, k->table, 0);
	return e;
}

/* Appends "key=n " for each count, and "audit=n", to b. */
static void counts_text(const struct retention_result *r, struct buf *b)
{
	for (size_t i = 0; i < r->n; i++)
		buf_printf(b, "%s=%" PRId64 " ", r->k[i].key, r->k[i].n);
	buf_printf(b, "audit=%" PRId64, r->audit_pruned);
}

/* Keeps r in meta as the last run, on c. */
static enum err last_store(struct store_conn *c, const struct retention_result *r)
{
	struct buf b;
	buf_init(&b, 1 << 16);
	buf_printf(&b, "{\"at_ms\":%" PRId64 ",\"counts\":{", r->at_ms);
	for (size_t i = 0; i < r->n; i++)
		buf_printf(&b, "%s\"%s\":%" PRId64, i ? "," : "", r->k[i].key, r->k[i].n);
	buf_printf(&b, "},\"audit\":%" PRId64 ",\"audit_before_ms\":%" PRId64 "}", r->audit_pruned,
		   r->audit_before_ms);
	struct store_stmt *st = store_prepare(
	    c, "INSERT INTO meta(key, value) VALUES ('retention_last', ?) "
	       "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
	enum err e = ERR_DB;
	if (st) {
		store_bind_blob(st, 1, b.data, b.len);
		e = store_run(st);
	}
	store_finish(st);
	buf_free(&b);
	return e;
}

/* Collects the platform's kinds, then each registered service's, into out (up to max);
 * returns how many. */
static size_t kinds_all(const struct retention_kind **out, size_t max)
{
	size_t n = 0;
	for (const struct retention_kind *k = platform_kinds; k->key && n < max; k++)
		out[n++] = k;
	for (const struct service *const *sv = app_services(); *sv; sv++)
		for (const struct retention_kind *k = (*sv)->retention; k && k->key && n < max; k++)
			out[n++] = k;
	return n;
}

#define KINDS_MAX 128

/* 1 while a scrub of this process could not finish (tried again at the next run). */
static _Atomic int scrub_pending;

/* Scrubs each table whose rows r deleted, once (SQLite: the first empties the WAL into the
 * file; PostgreSQL: each table written anew), and all of them after a scrub that failed. */
static void scrub(struct app *a, const struct retention_result *r)
{
	const struct retention_kind *kinds[KINDS_MAX];
	const char *done[KINDS_MAX];
	size_t nk = kinds_all(kinds, KINDS_MAX), nd = 0;
	int failed = 0, again = scrub_pending;
	if ((r->audit_pruned > 0 || again) && store_scrub(a->store, "audit") != ERR_OK)
		failed = 1;
	for (size_t i = 0; i < nk; i++) {
		const struct retention_count *n = NULL;
		int seen = 0;
		for (size_t j = 0; j < r->n; j++)
			if (strcmp(r->k[j].key, kinds[i]->key) == 0)
				n = &r->k[j];
		for (size_t j = 0; j < nd; j++)
			seen |= strcmp(done[j], kinds[i]->table) == 0;
		if (seen || !n || (n->n == 0 && !again))
			continue;
		done[nd++] = kinds[i]->table;
		if (store_scrub(a->store, kinds[i]->table) != ERR_OK)
			failed = 1;
	}
	scrub_pending = failed;
}

enum err retention_run(struct app *a, int64_t now_ms, int dry_run, const char *actor,
		       struct retention_result *r)
{
	struct store_conn *c = NULL;
	const struct retention_kind *kinds[KINDS_MAX];
	size_t nk = kinds_all(kinds, KINDS_MAX);
	enum err e;
	retention_periods(a, r);
	r->at_ms = now_ms;
	r->audit_before_ms = month_start_before(now_ms, r->audit_months);
	c = store_acquire(a->store);
	e = store_begin(c);
	if (e != ERR_OK)
		goto out;
	for (size_t i = 0; e == ERR_OK && i < nk; i++) {
		struct retention_count *n = count_of(r, kinds[i]->key);
		if (n) /* none: more keys than RETENTION_MAX_KEYS (logged) */
			e = kind_run(c, a->vault, kinds[i], n->days, now_ms, &n->n);
	}
	if (e == ERR_OK && r->audit_before_ms > 0)
		e = audit_prune(c, a->vault, r->audit_before_ms, now_ms, &r->audit_pruned);
	if (e != ERR_OK || dry_run) {
		store_rollback(c);
		goto out;
	}
	struct buf detail;
	buf_init(&detail, 4096);
	counts_text(r, &detail);
	e = audit_append(c, a->vault, actor, "retention.run", "retention",
			 detail.data ? detail.data : "");
	buf_free(&detail);
	if (e == ERR_OK)
		e = last_store(c, r);
	if (e == ERR_OK)
		e = store_commit(c);
	if (e != ERR_OK)
		store_rollback(c);
out:
	store_release(c);
	if (e == ERR_OK && !dry_run) {
		scrub(a, r);
		r->scrub_pending = scrub_pending;
	}
	return e;
}

enum err retention_last_json(struct app *a, struct buf *b)
{
	struct store_conn *c = store_acquire(a->store);
	struct store_stmt *st =
	    store_prepare(c, "SELECT value FROM meta WHERE key = 'retention_last'");
	enum err e = ERR_DB;
	if (!st)
		goto out;
	int rc = store_step(st);
	if (rc == STORE_ROW) {
		size_t len = 0;
		const void *v = store_col_blob(st, 0, &len);
		e = buf_append(b, v, len);
	} else if (rc == STORE_DONE) {
		e = buf_puts(b, "null");
	}
out:
	store_finish(st);
	store_release(c);
	return e;
}

/* The daily turn: a run by "system", its counts in the log (no personal data: counts only). */
static void job_run(struct app *a)
{
	struct retention_result r;
	struct buf b;
	enum err e = retention_run(a, clock_now_ms(), 0, "system", &r);
	if (e != ERR_OK) {
		log_warn("retention: the run failed (%s); tried again at the next turn",
			 err_str(e));
		return;
	}
	buf_init(&b, 4096);
	counts_text(&r, &b);
	log_info("retention: done: %s%s", b.data ? b.data : "",
		 r.scrub_pending ? " (the scrub waits for readers; tried again next time)" : "");
	buf_free(&b);
}

const struct periodic_job retention_job = {
    .name = "retention",
    .lock = "job:retention",
    .turn = "delete what is past its retention period",
    .interval_env = "MIMAMORI_RETENTION_INTERVAL_MS",
    .default_ms = DAY_MS,
    .interval_ms = NULL,
    .run = job_run,
};
