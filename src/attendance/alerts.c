/* SPDX-License-Identifier: MIT */
/* alerts.c — the board's alerts: a child planned today who has not come in by the site's
 * expected arrival plus grace (未到着), and a child still present at closing. Raised once per
 * child and day, mailed to the site's mailbox (child numbers only) and, if the site says so,
 * to a missing child's guardians; a scan or an absence notice clears them. */
#include "attendance/plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "attendance/attendance.h"
#include "auth/audit.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/xalloc.h"
#include "mail/mail.h"
#include "store/store.h"
#include "vault/vault.h"

enum err alert_clear(struct store_conn *c, int64_t child_id, const char *day, const char *kind,
		     int64_t now_ms)
{
	struct store_stmt *st = store_prepare(
	    c, "UPDATE alerts SET cleared_ms = ? WHERE child_id = ? AND day = ? AND kind = ? AND "
	       "cleared_ms IS NULL");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, now_ms);
	store_bind_int(st, 2, child_id);
	store_bind_text(st, 3, day);
	store_bind_text(st, 4, kind);
	enum err e = store_run(st);
	store_finish(st);
	return e;
}

/* Children of a site with an alert of kind due today and none raised yet. */
struct due {
	int64_t *ids;
	char (*nos)[24];
	size_t n, cap;
};

static void due_free(struct due *d)
{
	free(d->ids);
	free(d->nos);
	memset(d, 0, sizeof *d);
}

/* Fills *d with site_id's children due an alert of kind on day (weekday wd), on c. */
static enum err due_load(struct store_conn *c, int64_t site_id, const char *kind,
			 const char *day, int wd, struct due *d)
{
	d->n = 0;
	struct store_stmt *st;
	if (strcmp(kind, "not_arrived") == 0)
		/* Planned today (a day exception, else the weekly pattern), not in yet. */
		st = store_prepare(
		    c, "SELECT ch.id, ch.child_no FROM children ch "
		       "LEFT JOIN plan_days pd ON pd.child_id = ch.id AND pd.day = ?2 "
		       "LEFT JOIN plan_weekly pw ON pw.child_id = ch.id AND pw.weekday = ?3 "
		       "WHERE ch.site_id = ?1 AND ch.active = 1 AND COALESCE(pd.status, "
		       " CASE WHEN pw.child_id IS NULL THEN 'off' ELSE 'attend' END) = 'attend' "
		       "AND NOT EXISTS (SELECT 1 FROM scans s WHERE s.child_id = ch.id AND "
		       " s.day = ?2 AND s.direction = 'in') "
		       "AND NOT EXISTS (SELECT 1 FROM alerts al WHERE al.child_id = ch.id AND "
		       " al.day = ?2 AND al.kind = 'not_arrived') ORDER BY ch.child_no");
	else
		/* Their last scan today is an entry. */
		st = store_prepare(
		    c, "SELECT ch.id, ch.child_no FROM children ch WHERE ch.id IN "
		       "(SELECT child_id FROM scans WHERE site_id = ?1 AND day = ?2) AND "
		       "(SELECT direction FROM scans s WHERE s.child_id = ch.id AND s.day = ?2 "
		       " ORDER BY at_ms DESC, id DESC LIMIT 1) = 'in' AND ?3 >= 0 "
		       "AND NOT EXISTS (SELECT 1 FROM alerts al WHERE al.child_id = ch.id AND "
		       " al.day = ?2 AND al.kind = 'still_present') ORDER BY ch.child_no");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, site_id);
	store_bind_text(st, 2, day);
	store_bind_int(st, 3, wd);
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		if (d->n == d->cap) {
			d->cap = d->cap ? d->cap * 2 : 16;
			d->ids = xrealloc(d->ids, d->cap * sizeof *d->ids);
			d->nos = xrealloc(d->nos, d->cap * sizeof *d->nos);
		}
		d->ids[d->n] = store_col_int(st, 0);
		snprintf(d->nos[d->n], sizeof d->nos[d->n], "%s", store_col_text(st, 1));
		d->n++;
	}
	store_finish(st);
	return rc == STORE_DONE ? ERR_OK : ERR_DB;
}

/* Mails a not-arrived child's confirmed guardians, on c. */
static enum err mail_guardians(struct app *a, struct store_conn *c, const struct site *s,
			       int64_t child_id, const char *hhmm, size_t *count)
{
	char *name = NULL, *subject = NULL, *body = NULL, send_id[48];
	enum err e = ERR_DB;
	struct store_stmt *st = store_prepare(c, "SELECT name_enc FROM children WHERE id = ?");
	if (!st)
		goto out;
	store_bind_int(st, 1, child_id);
	if (store_step(st) != STORE_ROW)
		goto out;
	size_t len;
	const void *b = store_col_blob(st, 0, &len);
	e = vault_unseal(a->vault, "children.name", b, len, &name);
	store_finish(st);
	st = NULL;
	if (e != ERR_OK)
		goto out;
	subject = xasprintf("【見守り】%sさんがまだ%sに来ていません", name, s->name);
	body = xasprintf("%sさんは今日%sを利用する予定ですが、%s の時点でまだ入室していません。\n"
			 "\n"
			 "お休みや遅れる場合は、施設にご連絡ください。%s%s\n"
			 "すでに連絡済みの場合は、このメールは破棄してください。\n"
			 "\n"
			 "このメールは送信専用です。\n",
			 name, s->name, hhmm, s->phone[0] ? "電話: " : "", s->phone);
	snprintf(send_id, sizeof send_id, "alert:%lld", (long long)child_id);
	st = store_prepare(
	    c, "SELECT g.email_enc FROM child_guardians cg JOIN guardians g ON g.id = "
	       "cg.guardian_id WHERE cg.child_id = ? AND g.confirmed_ms IS NOT NULL");
	e = ERR_DB;
	if (!st)
		goto out;
	store_bind_int(st, 1, child_id);
	e = guardian_mail_each(a, c, st, send_id, "notice", subject, body, count);
out:
	store_finish(st);
	vault_wipe_free(name);
	vault_wipe_free(subject);
	vault_wipe_free(body);
	return e;
}

/* Mails the site's mailbox the child numbers of the new alerts (no names: a shared mailbox
 * is not the board), on c. */
static enum err mail_site(struct app *a, struct store_conn *c, const struct site *s,
			  const char *kind, const struct due *d, const char *hhmm)
{
	struct buf b;
	int arrived = strcmp(kind, "not_arrived") == 0;
	buf_init(&b, 64 * 1024);
	buf_printf(&b, "%s\n\n%s の時点で、%s児童が %zu 名います。\n\n児童番号:\n", s->name, hhmm,
		   arrived ? "利用予定で未入室の" : "閉所時刻を過ぎても在室中の", d->n);
	for (size_t i = 0; i < d->n; i++)
		buf_printf(&b, "  %s\n", d->nos[i]);
	buf_printf(&b, "\n職員画面で確認してください: %s/staff/\n\nこのメールは送信専用です。\n",
		   a->cfg.base_url);
	char *subject = xasprintf("【見守り】%s %s %zu名", arrived ? "未到着" : "閉所後在室",
				  s->name, d->n);
	char send_id[48];
	snprintf(send_id, sizeof send_id, "alert-site:%lld", (long long)s->id);
	char *body = buf_steal(&b);
	enum err e = mail_outbox_enqueue(c, a->vault, send_id, "notice", s->alert_email, subject,
					 body ? body : "");
	free(subject);
	free(body);
	buf_free(&b);
	return e;
}

/* Raises site s's due alerts of kind on day at now_ms: one write transaction that re-reads
 * what is due, so a scan that just came in is not alerted. */
static enum err raise(struct app *a, struct store_conn *c, const struct site *s,
		      const char *kind, const char *day, int wd, int64_t now_ms,
		      struct alerts_summary *sum)
{
	struct due d = {0};
	char hhmm[8];
	clock_jst_hhmm(now_ms, hhmm, sizeof hhmm);
	enum err e = due_load(c, s->id, kind, day, wd, &d);
	if (e != ERR_OK || d.n == 0)
		goto out;
	e = store_begin(c);
	if (e == ERR_OK)
		e = due_load(c, s->id, kind, day, wd, &d);
	if (e != ERR_OK || d.n == 0)
		goto out;
	int guardians = strcmp(kind, "not_arrived") == 0 && s->alert_guardians;
	for (size_t i = 0; i < d.n; i++) {
		struct store_stmt *st = store_prepare(
		    c, "INSERT INTO alerts(site_id, child_id, day, kind, raised_ms) "
		       "VALUES (?, ?, ?, ?, ?)");
		e = ERR_DB;
		if (!st)
			goto out;
		store_bind_int(st, 1, s->id);
		store_bind_int(st, 2, d.ids[i]);
		store_bind_text(st, 3, day);
		store_bind_text(st, 4, kind);
		store_bind_int(st, 5, now_ms);
		e = store_run(st);
		store_finish(st);
		if (e == ERR_OK && guardians) {
			size_t m = 0;
			e = mail_guardians(a, c, s, d.ids[i], hhmm, &m);
			sum->mails += m;
		}
		if (e != ERR_OK)
			goto out;
	}
	if (s->alert_email[0]) {
		e = mail_site(a, c, s, kind, &d, hhmm);
		if (e != ERR_OK)
			goto out;
		sum->mails++;
	}
	char object[48], detail[64];
	snprintf(object, sizeof object, "site:%s", s->code);
	snprintf(detail, sizeof detail, "kind=%s day=%s children=%zu", kind, day, d.n);
	e = audit_append(c, a->vault, "system", "alert.raise", object, detail);
	if (e == ERR_OK)
		e = store_commit(c);
	if (e == ERR_OK) {
		if (strcmp(kind, "not_arrived") == 0)
			sum->not_arrived += d.n;
		else
			sum->still_present += d.n;
	}
out:
	store_rollback(c);
	due_free(&d);
	return e;
}

enum err alerts_check(struct app *a, int64_t now_ms, struct alerts_summary *sum)
{
	char day[16];
	int wd = 0;
	struct {
		int64_t id;
		int not_arrived, still_present;
	} *due = NULL;
	size_t n = 0, cap = 0;
	memset(sum, 0, sizeof *sum);
	clock_jst_date(now_ms, day, sizeof day);
	clock_day_parse(day, NULL, &wd);
	int now_min = clock_jst_minutes(now_ms);
	struct store_conn *c = store_acquire(a->store);
	enum err e = ERR_DB;
	/* Which sites are in an alert phase now, from one read of their times. */
	struct store_stmt *st = store_prepare(
	    c, "SELECT id, COALESCE(arrival, opens), grace_min, closes FROM sites ORDER BY id");
	if (!st)
		goto out;
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		int due_at = clock_hhmm_minutes(store_col_text(st, 1)) + (int)store_col_int(st, 2);
		int closes = clock_hhmm_minutes(store_col_text(st, 3));
		int na = wd != 0 && now_min >= due_at && now_min < closes;
		int sp = now_min >= closes;
		if (!na && !sp)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			due = xrealloc(due, cap * sizeof *due);
		}
		due[n].id = store_col_int(st, 0);
		due[n].not_arrived = na;
		due[n].still_present = sp;
		n++;
	}
	store_finish(st);
	if (rc != STORE_DONE)
		goto out;
	e = ERR_OK;
	for (size_t i = 0; i < n && e == ERR_OK; i++) {
		struct site s;
		e = site_get(c, due[i].id, &s);
		if (e == ERR_OK && due[i].not_arrived)
			e = raise(a, c, &s, "not_arrived", day, wd, now_ms, sum);
		if (e == ERR_OK && due[i].still_present)
			e = raise(a, c, &s, "still_present", day, wd, now_ms, sum);
	}
	if (e == ERR_OK && sum->mails && a->mail)
		mail_sender_wake(a->mail);
out:
	free(due);
	store_release(c);
	return e;
}
