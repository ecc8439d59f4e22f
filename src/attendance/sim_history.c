/* SPDX-License-Identifier: MIT */
/* sim_history.c — `mimamori simulate-history`: a demo ward's past club days written in bulk, so
 * that a school year of history (scans, their mails already sent, audit entries, alerts) is there
 * in minutes and the benchmarks can measure a day, the board, the reports and `audit verify` on an
 * aged ward. Every row is what the real path writes (sealed mail through mail_outbox_enqueue, the
 * audit chain through audit_append); only the durable commit per scan is left out (one per day). */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "attendance/attendance.h"
#include "auth/audit.h"
#include "base/clock.h"
#include "base/xalloc.h"
#include "mail/mail.h"
#include "store/store.h"
#include "vault/vault.h"

#define HIST_MAX_DAYS 400

/* A child with a card: its site, kiosk, card, name and confirmed guardians' addresses. */
struct hchild {
	int64_t id, site_id, kiosk_id, card_id;
	char *name;
	char **to;
	size_t nto;
	int leave[7]; /* minutes since midnight per weekday; -1 when not planned that weekday */
};

struct hsite {
	int64_t id;
	char code[16];
	int due, closes; /* minutes: arrival + grace, closing */
};

/* One scan to write: minute.second of the day, child index, direction, alert to clear. */
struct hevent {
	int at_s; /* seconds since midnight */
	size_t child;
	int in;
};

struct hist {
	struct app *a;
	struct hchild *ch;
	size_t nch;
	struct hsite *site;
	size_t nsite;
	struct hevent *ev;
	size_t nev, cap;
	int64_t *in_at, *out_at; /* per child: the day's entry and exit (0: none) */
	size_t scans, mails, audits, alerts;
};

static int cmp_id(const void *x, const void *y)
{
	const struct hchild *a = x, *b = y;
	return (a->id > b->id) - (a->id < b->id);
}

static struct hchild *child_by_id(struct hist *h, int64_t id)
{
	struct hchild key = {.id = id};
	return bsearch(&key, h->ch, h->nch, sizeof *h->ch, cmp_id);
}

static struct hsite *site_by_id(struct hist *h, int64_t id)
{
	for (size_t i = 0; i < h->nsite; i++)
		if (h->site[i].id == id)
			return &h->site[i];
	return NULL;
}

/* Loads the sites, the active children with a card and a kiosk, their names, the confirmed
 * addresses and the weekly plans. */
static enum err load(struct hist *h, struct store_conn *c)
{
	enum err e = ERR_DB;
	int rc;
	const struct vault *v = attendance_vault(h->a);
	struct store_stmt *st = store_prepare(c, "SELECT id FROM sites ORDER BY id");
	if (!st)
		goto out;
	while ((rc = store_step(st)) == STORE_ROW) {
		h->site = xrealloc(h->site, (h->nsite + 1) * sizeof *h->site);
		h->site[h->nsite++].id = store_col_int(st, 0);
	}
	store_finish(st);
	st = NULL;
	if (rc != STORE_DONE)
		goto out;
	for (size_t i = 0; i < h->nsite; i++) {
		struct site s;
		e = site_get(c, h->site[i].id, &s);
		if (e != ERR_OK)
			goto out;
		snprintf(h->site[i].code, sizeof h->site[i].code, "%s", s.code);
		h->site[i].due = clock_hhmm_minutes(s.arrival) + s.grace_min;
		h->site[i].closes = clock_hhmm_minutes(s.closes);
	}
	e = ERR_DB;
	st = store_prepare(
	    c, "SELECT ch.id, ch.site_id, k.id, ch.name_enc, (SELECT MIN(id) FROM kiosks WHERE "
	       "site_id = ch.site_id AND revoked_ms IS NULL) FROM children ch JOIN cards k ON "
	       "k.child_id = ch.id AND k.revoked_ms IS NULL WHERE ch.active = 1 ORDER BY ch.id");
	if (!st)
		goto out;
	while ((rc = store_step(st)) == STORE_ROW) {
		if (store_col_is_null(st, 4))
			continue;
		h->ch = xrealloc(h->ch, (h->nch + 1) * sizeof *h->ch);
		struct hchild *k = &h->ch[h->nch];
		memset(k, 0, sizeof *k);
		k->id = store_col_int(st, 0);
		k->site_id = store_col_int(st, 1);
		k->card_id = store_col_int(st, 2);
		k->kiosk_id = store_col_int(st, 4);
		for (int d = 0; d < 7; d++)
			k->leave[d] = -1;
		size_t len;
		const void *b = store_col_blob(st, 3, &len);
		e = vault_unseal(v, "children.name", b, len, &k->name);
		if (e != ERR_OK)
			goto out;
		/* A child with a second card appears twice: the newest card (ids ascend) wins. */
		if (h->nch && h->ch[h->nch - 1].id == k->id) {
			vault_wipe_free(h->ch[h->nch - 1].name);
			h->ch[h->nch - 1] = *k;
		} else {
			h->nch++;
		}
	}
	store_finish(st);
	st = NULL;
	e = ERR_DB;
	if (rc != STORE_DONE)
		goto out;
	st = store_prepare(c, "SELECT cg.child_id, g.email_enc FROM child_guardians cg JOIN "
			      "guardians g ON g.id = cg.guardian_id WHERE g.confirmed_ms IS NOT NULL");
	if (!st)
		goto out;
	while ((rc = store_step(st)) == STORE_ROW) {
		struct hchild *k = child_by_id(h, store_col_int(st, 0));
		if (!k)
			continue;
		size_t len;
		const void *b = store_col_blob(st, 1, &len);
		char *addr = NULL;
		e = vault_unseal(v, "guardians.email", b, len, &addr);
		if (e != ERR_OK)
			goto out;
		k->to = xrealloc(k->to, (k->nto + 1) * sizeof *k->to);
		k->to[k->nto++] = addr;
	}
	store_finish(st);
	st = NULL;
	e = ERR_DB;
	if (rc != STORE_DONE)
		goto out;
	st = store_prepare(c, "SELECT child_id, weekday, leave FROM plan_weekly");
	if (!st)
		goto out;
	while ((rc = store_step(st)) == STORE_ROW) {
		struct hchild *k = child_by_id(h, store_col_int(st, 0));
		int wd = (int)store_col_int(st, 1);
		if (!k || wd < 0 || wd > 6)
			continue;
		struct hsite *s = site_by_id(h, k->site_id);
		const char *leave_s = store_col_text(st, 2);
		int leave = leave_s ? clock_hhmm_minutes(leave_s) : -1;
		if (leave < 0 || !s || leave >= s->closes)
			leave = s ? s->closes - 30 : 17 * 60;
		k->leave[wd] = leave;
	}
	e = rc == STORE_DONE ? ERR_OK : ERR_DB;
out:
	store_finish(st);
	return e;
}

static void add(struct hist *h, int at_s, size_t child, int in)
{
	if (h->nev == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 8192;
		h->ev = xrealloc(h->ev, h->cap * sizeof *h->ev);
	}
	h->ev[h->nev++] = (struct hevent){at_s, child, in};
}

static int cmp_event(const void *x, const void *y)
{
	const struct hevent *a = x, *b = y;
	if (a->at_s != b->at_s)
		return (a->at_s > b->at_s) - (a->at_s < b->at_s);
	return (a->child > b->child) - (a->child < b->child);
}

static enum err put_alert(struct store_conn *c, int64_t site, int64_t child, const char *day,
			  const char *kind, int64_t raised, int64_t cleared)
{
	struct store_stmt *st = store_prepare(
	    c, "INSERT INTO alerts(site_id, child_id, day, kind, raised_ms, due_ms, cleared_ms) "
	       "VALUES (?, ?, ?, ?, ?, ?, ?)");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, site);
	store_bind_int(st, 2, child);
	store_bind_text(st, 3, day);
	store_bind_text(st, 4, kind);
	store_bind_int(st, 5, raised);
	store_bind_int(st, 6, raised);
	if (cleared)
		store_bind_int(st, 7, cleared);
	else
		store_bind_null(st, 7);
	enum err e = store_run(st);
	store_finish(st);
	return e;
}

/* The sender's outcome for a mail just queued: sent a few seconds later, one attempt, the
 * relay's reply (while its page is still in the cache). */
static enum err mark_sent(struct store_conn *c, int64_t id, int64_t at)
{
	struct store_stmt *st = store_prepare(
	    c, "UPDATE outbox SET state = 'sent', attempts = 1, sent_ms = ?, "
	       "last_reply = '250 2.0.0 Ok' WHERE id = ? AND state = 'queued'");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, at + 3000);
	store_bind_int(st, 2, id);
	enum err e = store_run(st);
	store_finish(st);
	return e;
}

/* One scan as scan.c writes it: the row, one sealed mail per confirmed address, the audit entry;
 * the clock stands at the scan's time. */
static enum err put_scan(struct hist *h, struct store_conn *c, const struct hchild *k,
			 const char *day, int64_t at, int in)
{
	const char *dir = in ? "in" : "out";
	struct store_stmt *st =
	    store_prepare(c, "INSERT INTO scans(child_id, site_id, kiosk_id, card_id, direction, "
			     "day, at_ms) VALUES (?, ?, ?, ?, ?, ?, ?)");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, k->id);
	store_bind_int(st, 2, k->site_id);
	store_bind_int(st, 3, k->kiosk_id);
	store_bind_int(st, 4, k->card_id);
	store_bind_text(st, 5, dir);
	store_bind_text(st, 6, day);
	store_bind_int(st, 7, at);
	enum err e = store_run(st);
	store_finish(st);
	if (e != ERR_OK)
		return e;
	h->scans++;
	char hhmm[8], send_id[48], actor[48], object[48];
	clock_jst_hhmm(at, hhmm, sizeof hhmm);
	snprintf(send_id, sizeof send_id, "scan:%s:%013lld:%lld", day, (long long)at,
		 (long long)k->id); /* as scan.c */
	const char *verb = in ? h->a->cfg.entry_word : h->a->cfg.exit_word;
	char *subject = xasprintf("【見守り】%sさん %s %s", k->name, verb, hhmm);
	char *body = xasprintf("%sさんが%sしました。\n\n時刻: %s %s（日本時間）\n\n"
			       "このメールは送信専用です。返信はできません。\n",
			       k->name, verb, day, hhmm);
	for (size_t i = 0; i < k->nto && e == ERR_OK; i++) {
		e = mail_outbox_enqueue(c, attendance_vault(h->a), send_id, "notice", k->to[i],
					subject, body);
		if (e == ERR_OK)
			e = mark_sent(c, store_last_id(c), at);
		h->mails += e == ERR_OK;
	}
	vault_wipe_free(subject);
	vault_wipe_free(body);
	if (e != ERR_OK)
		return e;
	snprintf(actor, sizeof actor, "kiosk:%lld", (long long)k->kiosk_id);
	snprintf(object, sizeof object, "child:%lld", (long long)k->id);
	e = audit_append(c, h->a->vault, actor, "scan.record", object, dir);
	h->audits += e == ERR_OK;
	return e;
}

/* Writes one past club day in one transaction: its scans (2 % late, 1 % never, 1 % staying
 * past closing, as simulate-day), their mails marked sent a few seconds later, the audit
 * entries, and the alerts raised that day (cleared where the child came or left). */
static enum err put_day(struct hist *h, struct store_conn *c, const char *day, int64_t midnight,
			int wd)
{
	h->nev = 0;
	for (size_t i = 0; i < h->nch; i++) {
		const struct hchild *k = &h->ch[i];
		const struct hsite *s = site_by_id(h, k->site_id);
		if (k->leave[wd] < 0 || !s)
			continue;
		uint32_t r = vault_random_uniform(100);
		int due = s->due, arrive = due - 60 + (int)vault_random_uniform(60);
		if (r == 0)
			continue; /* never came: its alert is written below */
		if (r <= 2)
			arrive = due + 5 + (int)vault_random_uniform(40);
		int leave = r == 3 ? s->closes + 10 : k->leave[wd];
		if (leave <= arrive + 2)
			leave = arrive + 3;
		add(h, arrive * 60 + (int)vault_random_uniform(60), i, 1);
		add(h, leave * 60 + (int)vault_random_uniform(60), i, 0);
	}
	qsort(h->ev, h->nev, sizeof *h->ev, cmp_event);
	enum err e = store_begin(c);
	if (e != ERR_OK)
		return e;
	for (size_t i = 0; i < h->nev && e == ERR_OK; i++) {
		const struct hevent *ev = &h->ev[i];
		int64_t at = midnight + (int64_t)ev->at_s * 1000;
		clock_set_now_ms(at);
		e = put_scan(h, c, &h->ch[ev->child], day, at, ev->in);
	}
	/* The day's alerts: a planned child who never came, came late or stayed past closing. */
	memset(h->in_at, 0, h->nch * sizeof *h->in_at);
	memset(h->out_at, 0, h->nch * sizeof *h->out_at);
	for (size_t j = 0; j < h->nev; j++)
		(h->ev[j].in ? h->in_at : h->out_at)[h->ev[j].child] =
		    midnight + (int64_t)h->ev[j].at_s * 1000;
	for (size_t i = 0; i < h->nch && e == ERR_OK; i++) {
		const struct hchild *k = &h->ch[i];
		const struct hsite *s = site_by_id(h, k->site_id);
		if (k->leave[wd] < 0 || !s)
			continue;
		int64_t in_at = h->in_at[i], out_at = h->out_at[i];
		int64_t due_ms = midnight + (int64_t)s->due * 60000;
		int64_t closes_ms = midnight + (int64_t)s->closes * 60000;
		if (!in_at || in_at > due_ms) {
			e = put_alert(c, s->id, k->id, day, "not_arrived", due_ms, in_at);
			h->alerts++;
		}
		if (e == ERR_OK && out_at > closes_ms) {
			e = put_alert(c, s->id, k->id, day, "still_present", closes_ms, out_at);
			h->alerts++;
		}
	}
	for (size_t i = 0; i < h->nsite && e == ERR_OK; i++) {
		char object[48], detail[64];
		clock_set_now_ms(midnight + (int64_t)h->site[i].due * 60000);
		snprintf(object, sizeof object, "site:%s", h->site[i].code);
		snprintf(detail, sizeof detail, "kind=not_arrived day=%s", day);
		e = audit_append(c, h->a->vault, "system", "alert.raise", object, detail);
		h->audits += e == ERR_OK;
	}
	if (e == ERR_OK)
		e = store_commit(c);
	store_rollback(c);
	return e;
}

static void hist_free(struct hist *h)
{
	for (size_t i = 0; i < h->nch; i++) {
		vault_wipe_free(h->ch[i].name);
		for (size_t j = 0; j < h->ch[i].nto; j++)
			vault_wipe_free(h->ch[i].to[j]);
		free(h->ch[i].to);
	}
	free(h->ch);
	free(h->site);
	free(h->ev);
	free(h->in_at);
	free(h->out_at);
}

int cmd_simulate_history(int argc, char **argv)
{
	static const struct option opts[] = {{"data", required_argument, 0, 'd'},
					     {"days", required_argument, 0, 'n'},
					     {"until", required_argument, 0, 'u'},
					     {0, 0, 0, 0}};
	const char *usage = "使い方: mimamori simulate-history --data DIR --days N [--until "
			    "YYYY-MM-DD]（--until の前日までの N 日分（日曜を除く）の入退室・メール・"
			    "監査記録をまとめて書きます。デモの区で使ってください）";
	const char *dir = NULL, *until = NULL;
	char today[16];
	long days = 0;
	int ch, wd = 0, status = 1;
	int64_t midnight = 0;
	optind = 1;
	while ((ch = cli_getopt(argc, argv, opts)) != -1) {
		char *end = NULL;
		if (ch == 'd')
			dir = optarg;
		else if (ch == 'u')
			until = optarg;
		else if (ch == 'n' && (days = strtol(optarg, &end, 10), *end == '\0'))
			continue;
		else
			return cli_fail("%s", usage);
	}
	if (!dir)
		return cli_fail("%s", usage);
	if (days < 1 || days > HIST_MAX_DAYS)
		return cli_fail("simulate-history: 日数（--days）は 1 から %d で指定してください",
				HIST_MAX_DAYS);
	if (!until) {
		clock_jst_date(clock_now_ms(), today, sizeof today);
		until = today;
	}
	if (clock_day_parse(until, &midnight, &wd) != 0)
		return cli_fail("simulate-history: 日付（--until）は YYYY-MM-DD の形で指定してください");
	struct app *a = cli_open(dir, 2);
	if (!a)
		return 1;
	struct hist h = {.a = a};
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct store_conn *c = store_acquire(a->store);
	enum err e = load(&h, c);
	h.in_at = xcalloc(h.nch + 1, sizeof *h.in_at);
	h.out_at = xcalloc(h.nch + 1, sizeof *h.out_at);
	/* The club days before until, oldest first: count back skipping Sundays. */
	int64_t first = midnight;
	for (long n = 0; n < days;) {
		first -= 86400000LL;
		char d[16];
		int w = 0;
		clock_jst_date(first + 12 * 3600000LL, d, sizeof d);
		clock_day_parse(d, NULL, &w);
		n += w != 0;
	}
	long written = 0;
	for (int64_t m = first; m < midnight && e == ERR_OK; m += 86400000LL) {
		char d[16];
		int w = 0;
		int64_t mid = 0;
		clock_jst_date(m + 12 * 3600000LL, d, sizeof d);
		clock_day_parse(d, &mid, &w);
		if (w == 0)
			continue;
		e = put_day(&h, c, d, mid, w);
		written += e == ERR_OK;
	}
	store_release(c);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double wall = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (e != ERR_OK) {
		fprintf(stderr, "mimamori: simulate-history: 書き込めませんでした: %s\n",
			err_message_ja(e));
		goto out;
	}
	printf("HISTORY_RESULT days=%ld children=%zu scans=%zu mails=%zu audit=%zu alerts=%zu "
	       "wall_s=%.2f\n",
	       written, h.nch, h.scans, h.mails, h.audits, h.alerts, wall);
	status = 0;
out:
	hist_free(&h);
	app_close(a);
	return status;
}
