/* SPDX-License-Identifier: MIT */
/* alerts.c — the board's alerts: a child planned today who has not come in by the site's
 * expected arrival plus grace (未到着), and a child still present at closing. Each alert says
 * the time it is about (arrival + grace, or closing) and stays true: a scan, an absence or a
 * day off clears it, and a change of the site's times moves it (cleared when that time has
 * not come yet, raised again when it comes). Raised alerts are mailed to the site's mailbox
 * (child numbers only, a board link that shows the names after sign-in) and, if the site says
 * so, to a missing child's guardians. */
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

/* The times a site's alerts of one day are about, in ms and "HH:MM". */
struct site_times {
	char day[16];
	int weekday;
	int64_t due_ms;    /* arrival + grace: a planned child not in by then is not arrived */
	int64_t closes_ms; /* closing: a child still in then is still present */
	char arrival[8], due[8], closes[8];
};

static void site_times(const struct site *s, int64_t now_ms, struct site_times *t)
{
	int64_t midnight = 0;
	clock_jst_date(now_ms, t->day, sizeof t->day);
	clock_day_parse(t->day, &midnight, &t->weekday);
	int due = clock_hhmm_minutes(s->arrival) + s->grace_min;
	int closes = clock_hhmm_minutes(s->closes);
	t->due_ms = midnight + (int64_t)due * 60000;
	t->closes_ms = midnight + (int64_t)closes * 60000;
	snprintf(t->arrival, sizeof t->arrival, "%s", s->arrival);
	clock_jst_hhmm(t->due_ms, t->due, sizeof t->due);
	snprintf(t->closes, sizeof t->closes, "%s", s->closes);
}

/* Returns 1 when site s's times, read again on c (inside the check's write transaction, so
 * after any change of the site that committed first), are not t's any more: the ward moved the
 * arrival, grace or closing while this check ran on the times it read before. Such a check
 * raises and settles nothing (its next turn does, on the new times): with the old times it
 * would raise again the alerts the change had just cleared. A site that cannot be read counts
 * as moved. */
static int site_moved(struct store_conn *c, const struct site *s, int64_t now_ms,
		      const struct site_times *t)
{
	struct site fresh;
	struct site_times ft;
	if (site_get(c, s->id, &fresh) != ERR_OK)
		return 1;
	site_times(&fresh, now_ms, &ft);
	return ft.due_ms != t->due_ms || ft.closes_ms != t->closes_ms;
}

/* A child planned today (a day exception, else the weekly pattern), with ?2 the day and ?3 its
 * weekday, ch the child. */
#define PLANNED_TODAY                                                                          \
	"COALESCE((SELECT pd.status FROM plan_days pd WHERE pd.child_id = ch.id AND pd.day = ?2), " \
	" CASE WHEN EXISTS (SELECT 1 FROM plan_weekly pw WHERE pw.child_id = ch.id AND "          \
	" pw.weekday = ?3) THEN 'attend' ELSE 'off' END) = 'attend'"
#define CAME_IN_TODAY                                                                          \
	"EXISTS (SELECT 1 FROM scans s WHERE s.child_id = ch.id AND s.day = ?2 AND "              \
	"s.direction = 'in')"
#define IN_NOW                                                                                 \
	"(SELECT direction FROM scans s WHERE s.child_id = ch.id AND s.day = ?2 "                 \
	" ORDER BY at_ms DESC, id DESC LIMIT 1) = 'in'"

/* Children of a site with an alert of kind due today and none active. */
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

/* Fills *d with site_id's children due an alert of kind on t's day, on c: not arrived —
 * planned, never in; still present — last scan an entry. A child whose alert of that kind was
 * cleared (an absence since withdrawn, a time moved) is due again. */
static enum err due_load(struct store_conn *c, int64_t site_id, const char *kind,
			 const struct site_times *t, struct due *d)
{
	d->n = 0;
	struct store_stmt *st;
	if (strcmp(kind, "not_arrived") == 0)
		st = store_prepare(
		    c, "SELECT ch.id, ch.child_no FROM children ch WHERE ch.site_id = ?1 AND "
		       "ch.active = 1 AND " PLANNED_TODAY " AND NOT " CAME_IN_TODAY " AND NOT "
		       "EXISTS (SELECT 1 FROM alerts al WHERE al.child_id = ch.id AND al.day = ?2 "
		       "AND al.kind = 'not_arrived' AND al.cleared_ms IS NULL) ORDER BY ch.child_no");
	else
		st = store_prepare(
		    c, "SELECT ch.id, ch.child_no FROM children ch WHERE ch.id IN "
		       "(SELECT child_id FROM scans WHERE site_id = ?1 AND day = ?2) AND " IN_NOW
		       " AND ?3 >= 0 AND NOT EXISTS (SELECT 1 FROM alerts al WHERE al.child_id = "
		       "ch.id AND al.day = ?2 AND al.kind = 'still_present' AND al.cleared_ms IS NULL) "
		       "ORDER BY ch.child_no");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, site_id);
	store_bind_text(st, 2, t->day);
	store_bind_int(st, 3, t->weekday);
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

/* Active alerts of site ?1 on day ?2 (weekday ?3) that are no longer true at ?6: a not-arrived
 * child who came in, is not planned (absence, day off) or whose due time ?4 has not come; a
 * still-present child who left, or before closing ?5. */
#define STALE                                                                                  \
	" FROM alerts al JOIN children ch ON ch.id = al.child_id WHERE al.site_id = ?1 AND "       \
	"al.day = ?2 AND al.cleared_ms IS NULL AND ((al.kind = 'not_arrived' AND (?4 > ?6 OR "     \
	"ch.active = 0 OR NOT " PLANNED_TODAY " OR " CAME_IN_TODAY ")) OR (al.kind = "            \
	"'still_present' AND (?5 > ?6 OR NOT " IN_NOW ")))"
/* Active alerts whose time is not the site's time now (a setting changed, or raised before
 * alerts kept their time). */
#define MOVED                                                                                  \
	" FROM alerts al WHERE al.site_id = ?1 AND al.day = ?2 AND al.cleared_ms IS NULL AND "     \
	"al.due_ms IS DISTINCT FROM (CASE al.kind WHEN 'not_arrived' THEN ?4 ELSE ?5 END) AND ?3 >= 0 AND " \
	"?6 >= 0"

static void bind_times(struct store_stmt *st, int64_t site_id, const struct site_times *t,
		       int64_t now_ms)
{
	store_bind_int(st, 1, site_id);
	store_bind_text(st, 2, t->day);
	store_bind_int(st, 3, t->weekday);
	store_bind_int(st, 4, t->due_ms);
	store_bind_int(st, 5, t->closes_ms);
	store_bind_int(st, 6, now_ms);
}

/* Counts (read only) the site's alerts that settle would change, on c. */
static enum err settle_count(struct store_conn *c, const struct site *s,
			     const struct site_times *t, int64_t now_ms, int64_t *n)
{
	struct store_stmt *st =
	    store_prepare(c, "SELECT (SELECT count(*)" STALE ") + (SELECT count(*)" MOVED ")");
	*n = 0;
	if (!st)
		return ERR_DB;
	bind_times(st, s->id, t, now_ms);
	int rc = store_step(st);
	if (rc == STORE_ROW)
		*n = store_col_int(st, 0);
	store_finish(st);
	return rc == STORE_ROW ? ERR_OK : ERR_DB;
}

enum err alerts_settle(struct store_conn *c, const struct site *s, int64_t now_ms,
		       size_t *cleared)
{
	struct site_times t;
	site_times(s, now_ms, &t);
	*cleared = 0;
	struct store_stmt *st = store_prepare(
	    c, "UPDATE alerts SET cleared_ms = ?6 WHERE id IN (SELECT al.id" STALE ")");
	if (!st)
		return ERR_DB;
	bind_times(st, s->id, &t, now_ms);
	enum err e = store_run(st);
	store_finish(st);
	if (e != ERR_OK)
		return e;
	*cleared = (size_t)store_changes(c);
	/* The rest are still true: they now say the site's current time. */
	st = store_prepare(c, "UPDATE alerts SET due_ms = CASE kind WHEN 'not_arrived' THEN ?4 "
			      "ELSE ?5 END WHERE id IN (SELECT al.id" MOVED ")");
	if (!st)
		return ERR_DB;
	bind_times(st, s->id, &t, now_ms);
	e = store_run(st);
	store_finish(st);
	return e;
}

/* Mails a not-arrived child's confirmed guardians, on c. */
static enum err mail_guardians(struct app *a, struct store_conn *c, const struct site *s,
			       int64_t child_id, const struct site_times *t, size_t *count)
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
	e = vault_unseal(attendance_vault(a), "children.name", b, len, &name);
	store_finish(st);
	st = NULL;
	if (e != ERR_OK)
		goto out;
	subject = xasprintf("【見守り】%sさんがまだ%sに来ていません", name, s->name);
	body = xasprintf("%sさんは今日%sを利用する予定ですが、到着予定の %s から %d 分を過ぎた "
			 "%s になっても、まだ入室していません。\n"
			 "\n"
			 "お休みや遅れる場合は、施設にご連絡ください。%s%s\n"
			 "すでに連絡済みの場合は、このメールは破棄してください。\n"
			 "\n"
			 "このメールは送信専用です。\n",
			 name, s->name, t->arrival, s->grace_min, t->due,
			 s->phone[0] ? "電話: " : "", s->phone);
	snprintf(send_id, sizeof send_id, "alert:%lld", (long long)child_id);
	st = store_prepare(
	    c, "SELECT g.email_enc FROM child_guardians cg JOIN guardians g ON g.id = "
	       "cg.guardian_id WHERE cg.child_id = ? AND g.confirmed_ms IS NOT NULL");
	e = ERR_DB;
	if (!st)
		goto out;
	store_bind_int(st, 1, child_id);
	e = guardian_mail_each(a, c, st, send_id, subject, body, NULL, count);
out:
	store_finish(st);
	vault_wipe_free(name);
	vault_wipe_free(subject);
	vault_wipe_free(body);
	return e;
}

/* Mails the site's mailbox the child numbers of the new alerts (no names: a shared mailbox
 * is not the board) with a link to the board that shows them after sign-in, on c. */
static enum err mail_site(struct app *a, struct store_conn *c, const struct site *s,
			  const char *kind, const struct due *d, const struct site_times *t)
{
	struct buf b;
	int arrived = strcmp(kind, "not_arrived") == 0;
	buf_init(&b, 64 * 1024);
	if (arrived)
		buf_printf(&b,
			   "%s\n\n到着予定 %s から %d 分を過ぎた %s になっても入室していない、"
			   "利用予定の児童が %zu 名います。\n\n児童番号:\n",
			   s->name, t->arrival, s->grace_min, t->due, d->n);
	else
		buf_printf(&b, "%s\n\n閉所時刻 %s を過ぎても在室中の児童が %zu 名います。\n\n児童番号:\n",
			   s->name, t->closes, d->n);
	for (size_t i = 0; i < d->n; i++)
		buf_printf(&b, "  %s\n", d->nos[i]);
	/* The page opens this alert (with the names) once the reader has signed in. */
	buf_printf(&b,
		   "\n職員画面で名前を確認してください（ログインが必要です）:\n%s/staff/#site=%s&alert=%s"
		   "\n\nこのメールは送信専用です。\n",
		   a->cfg.base_url, s->code, kind);
	char *subject = xasprintf("【見守り】%s %s %zu名", arrived ? "未到着" : "閉所後在室",
				  s->name, d->n);
	char send_id[48];
	snprintf(send_id, sizeof send_id, "alert-site:%lld", (long long)s->id);
	char *body = buf_steal(&b);
	enum err e = mail_outbox_enqueue(c, attendance_vault(a), send_id, "notice", s->alert_email, subject,
					 body ? body : "");
	free(subject);
	free(body);
	buf_free(&b);
	return e;
}

/* Raises site s's due alerts of kind at now_ms: one write transaction that re-reads what is
 * due, so a scan that just came in is not alerted. An alert cleared earlier today is raised
 * again (its time and raising time renewed). */
static enum err raise(struct app *a, struct store_conn *c, const struct site *s,
		      const char *kind, const struct site_times *t, int64_t now_ms,
		      struct alerts_summary *sum)
{
	struct due d = {0};
	enum err e = due_load(c, s->id, kind, t, &d);
	if (e != ERR_OK || d.n == 0)
		goto out;
	e = store_begin(c);
	if (e == ERR_OK && site_moved(c, s, now_ms, t))
		goto out; /* nothing raised: the next turn sees the new times */
	if (e == ERR_OK)
		e = due_load(c, s->id, kind, t, &d);
	if (e != ERR_OK || d.n == 0)
		goto out;
	int arrived = strcmp(kind, "not_arrived") == 0;
	int guardians = arrived && s->alert_guardians;
	for (size_t i = 0; i < d.n; i++) {
		struct store_stmt *st = store_prepare(
		    c, "INSERT INTO alerts(site_id, child_id, day, kind, raised_ms, due_ms) "
		       "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (child_id, day, kind) DO UPDATE SET "
		       "site_id = excluded.site_id, raised_ms = excluded.raised_ms, "
		       "due_ms = excluded.due_ms, cleared_ms = NULL");
		e = ERR_DB;
		if (!st)
			goto out;
		store_bind_int(st, 1, s->id);
		store_bind_int(st, 2, d.ids[i]);
		store_bind_text(st, 3, t->day);
		store_bind_text(st, 4, kind);
		store_bind_int(st, 5, now_ms);
		store_bind_int(st, 6, arrived ? t->due_ms : t->closes_ms);
		e = store_run(st);
		store_finish(st);
		if (e == ERR_OK && guardians) {
			size_t m = 0;
			e = mail_guardians(a, c, s, d.ids[i], t, &m);
			sum->mails += m;
		}
		if (e != ERR_OK)
			goto out;
	}
	if (s->alert_email[0]) {
		e = mail_site(a, c, s, kind, &d, t);
		if (e != ERR_OK)
			goto out;
		sum->mails++;
	}
	char object[48], detail[64];
	snprintf(object, sizeof object, "site:%s", s->code);
	snprintf(detail, sizeof detail, "kind=%s day=%s children=%zu", kind, t->day, d.n);
	e = audit_append(c, a->vault, "system", "alert.raise", object, detail);
	if (e == ERR_OK)
		e = store_commit(c);
	if (e == ERR_OK) {
		if (arrived)
			sum->not_arrived += d.n;
		else
			sum->still_present += d.n;
	}
out:
	store_rollback(c);
	due_free(&d);
	return e;
}

/* Clears and moves site s's alerts that are no longer true (read first; a write transaction
 * only when something changes). */
static enum err settle(struct store_conn *c, const struct site *s, const struct site_times *t,
		       int64_t now_ms, struct alerts_summary *sum)
{
	int64_t n = 0;
	size_t cleared = 0;
	enum err e = settle_count(c, s, t, now_ms, &n);
	if (e != ERR_OK || n == 0)
		return e;
	e = store_begin(c);
	if (e == ERR_OK && site_moved(c, s, now_ms, t)) {
		store_rollback(c); /* settled already by the change itself (site.c) */
		return ERR_OK;
	}
	if (e == ERR_OK)
		e = alerts_settle(c, s, now_ms, &cleared);
	if (e == ERR_OK)
		e = store_commit(c);
	store_rollback(c);
	if (e == ERR_OK)
		sum->cleared += cleared;
	return e;
}

/* Checks site_id (at board_version version, read before): settles, then raises what is due;
 * notes the site quiet when nothing changed (alerts_quiet.c). */
static enum err check_site(struct app *a, struct store_conn *c, int64_t site_id,
			   int64_t version, int64_t now_ms, struct alerts_summary *sum)
{
	struct site s;
	struct site_times t;
	enum err e = site_get(c, site_id, &s);
	if (e != ERR_OK)
		return e;
	site_times(&s, now_ms, &t);
	struct alerts_summary before = *sum;
	/* First what is no longer true, then what has become due. */
	e = settle(c, &s, &t, now_ms, sum);
	if (e == ERR_OK && t.weekday != 0 && now_ms >= t.due_ms && now_ms < t.closes_ms)
		e = raise(a, c, &s, "not_arrived", &t, now_ms, sum);
	if (e == ERR_OK && now_ms >= t.closes_ms)
		e = raise(a, c, &s, "still_present", &t, now_ms, sum);
	if (e == ERR_OK && sum->not_arrived == before.not_arrived &&
	    sum->still_present == before.still_present && sum->cleared == before.cleared)
		alerts_quiet_note(a->store, site_id, version, t.day, t.due_ms, t.closes_ms, now_ms);
	return e;
}

enum err alerts_check(struct app *a, int64_t now_ms, struct alerts_summary *sum)
{
	int64_t *ids = NULL, *versions = NULL;
	size_t n = 0, cap = 0;
	char day[16];
	memset(sum, 0, sizeof *sum);
	clock_jst_date(now_ms, day, sizeof day);
	struct store_conn *c = store_acquire(a->store);
	enum err e = ERR_DB;
	/* Each site's version is read before anything of it: a write after that read makes the
	 * next turn check it again. */
	struct store_stmt *st = store_prepare(c, "SELECT id, board_version FROM sites ORDER BY id");
	if (!st)
		goto out;
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			ids = xrealloc(ids, cap * sizeof *ids);
			versions = xrealloc(versions, cap * sizeof *versions);
		}
		ids[n] = store_col_int(st, 0);
		versions[n++] = store_col_int(st, 1);
	}
	store_finish(st);
	if (rc != STORE_DONE)
		goto out;
	e = ERR_OK;
	for (size_t i = 0; i < n && e == ERR_OK; i++)
		if (!alerts_quiet(a->store, ids[i], versions[i], day, now_ms))
			e = check_site(a, c, ids[i], versions[i], now_ms, sum);
	if (e == ERR_OK && sum->mails && a->mail)
		mail_sender_wake(a->mail);
out:
	free(ids);
	free(versions);
	store_release(c);
	return e;
}
