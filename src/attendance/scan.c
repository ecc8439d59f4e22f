/* SPDX-License-Identifier: MIT */
/* scan.c — one card scan (or a staff member's manual entry/exit for a forgotten card):
 * direction, the 60-second repeat rule, the scan row, guardians' mail and the audit entry, all
 * in one transaction. */
#include "attendance/attendance.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "attendance/plan.h"
#include "auth/audit.h"
#include "base/clock.h"
#include "base/text.h"
#include "base/xalloc.h"
#include "mail/mail.h"
#include "store/store.h"
#include "vault/vault.h"

/* A scan recorded more than this after it happened (a kiosk that was offline) is "delayed":
 * its mail says so. api_scan.c uses the same limit for the answer's "delayed". */
#define SCAN_DELAYED_MS (2 * 60 * 1000)

struct card_row {
	int64_t card_id, child_id, site_id;
	int revoked, active;
};

/* Looks the card with blind index idx up on c, with its child's site and whether it is active,
 * and the child's name (*name, caller wipes with vault_wipe_free). ERR_NOTFOUND when there is no
 * such card. */
static enum err find_card(struct app *a, struct store_conn *c,
			  const unsigned char idx[VAULT_BLIND_LEN], struct card_row *cr, char **name)
{
	enum err e = ERR_DB;
	struct store_stmt *st = store_prepare(
	    c, "SELECT k.id, k.child_id, k.revoked_ms IS NOT NULL, ch.site_id, ch.active, "
	       "ch.name_enc FROM cards k JOIN children ch ON ch.id = k.child_id "
	       "WHERE k.code_idx = ?");
	if (!st)
		goto out;
	store_bind_blob(st, 1, idx, VAULT_BLIND_LEN);
	int rc = store_step(st);
	if (rc != STORE_ROW) {
		e = rc == STORE_DONE ? ERR_NOTFOUND : ERR_DB;
		goto out;
	}
	cr->card_id = store_col_int(st, 0);
	cr->child_id = store_col_int(st, 1);
	cr->revoked = (int)store_col_int(st, 2);
	cr->site_id = store_col_int(st, 3);
	cr->active = (int)store_col_int(st, 4);
	size_t len;
	const void *b = store_col_blob(st, 5, &len);
	e = vault_unseal(attendance_vault(a), "children.name", b, len, name);
out:
	store_finish(st);
	return e;
}

static enum err queue_mails(struct app *a, struct store_conn *c, int64_t child_id,
			    const char *child_name, const char *site_name, const char *direction,
			    int64_t at_ms, const char *note, struct mail_handoff *h, size_t *count)
{
	char date[16], hhmm[8], send_id[48];
	clock_jst_date(at_ms, date, sizeof date);
	clock_jst_hhmm(at_ms, hhmm, sizeof hhmm);
	/* scan:<day>:<ms>:<child>: notices go into the outbox's send_id index in the order they
	 * happen, at its end (one region per child grew all year; a day's region in child order
	 * still took each scan's insert to a page of its own). The child stays last. */
	snprintf(send_id, sizeof send_id, "scan:%s:%013lld:%lld", date, (long long)at_ms,
		 (long long)child_id);
	/* The ward's words (mimamori.conf [ward]): 入室/退室 by default, 登所/降所 … */
	const char *verb = strcmp(direction, "in") == 0 ? a->cfg.entry_word : a->cfg.exit_word;
	/* A scan a kiosk kept while offline and sent later says so; the time is when it happened. */
	const char *late = clock_now_ms() - at_ms > SCAN_DELAYED_MS
			       ? "（通信が途切れていたため、送信が遅れました）\n"
			       : "";
	char *subject = xasprintf("【見守り】%sさん %s %s", child_name, verb, hhmm);
	/* 施設に入室し、施設を退室する: the particle goes with the direction. */
	const char *particle = strcmp(direction, "in") == 0 ? "に" : "を";
	char *body = xasprintf("%sさんが%s%s%sしました。\n"
			       "\n"
			       "施設: %s\n"
			       "区分: %s\n"
			       "時刻: %.4s年%.2s月%.2s日 %s（日本時間）\n"
			       "%s"
			       "%s"
			       "\n"
			       "このメールは送信専用です。返信はできません。\n",
			       child_name, site_name, particle, verb, site_name, verb, date, date + 5,
			       date + 8, hhmm, late, note ? note : "");
	enum err e = ERR_DB;
	struct store_stmt *st = store_prepare(
	    c, "SELECT g.email_enc FROM child_guardians cg JOIN guardians g ON g.id = "
	       "cg.guardian_id WHERE cg.child_id = ? AND g.confirmed_ms IS NOT NULL");
	*count = 0;
	if (!st)
		goto out;
	store_bind_int(st, 1, child_id);
	e = guardian_mail_each(a, c, st, send_id, subject, body, h, count);
out:
	store_finish(st);
	vault_wipe_free(subject);
	vault_wipe_free(body);
	return e;
}

/* What one scan's transaction needs and produces (group-commit unit context). */
struct scan_unit {
	struct app *a;
	int64_t kiosk_id, site_id, at_ms;
	unsigned char idx[VAULT_BLIND_LEN]; /* the card code's blind index */
	struct card_row cr;
	struct site site;
	struct scan_result *res;
	const char **why;
	/* The guardians' notices, handed to the sender once committed (NULL: queued for its
	 * keeper to claim). */
	struct mail_handoff *mail;
};

/* The card's lookup and checks, on the group's connection: the card, its child and the
 * kiosk's site are read inside the shared transaction (that connection's pages stay cached;
 * a pooled reader's cache would be emptied by every commit). Sets res->child_name and
 * res->site_name; ERR_NOTFOUND / ERR_FORBIDDEN with *u->why when the card may not be used. */
static enum err scan_card_check(struct store_conn *c, struct scan_unit *u)
{
	struct scan_result *res = u->res;
	enum err e = find_card(u->a, c, u->idx, &u->cr, &res->child_name);
	if (e == ERR_OK)
		e = site_get(c, u->site_id, &u->site);
	if (e == ERR_NOTFOUND && !res->child_name) {
		*u->why = "このカードは登録されていません。職員に声をかけてください。";
		return e;
	}
	if (e != ERR_OK)
		return e;
	if (u->cr.revoked || !u->cr.active) {
		*u->why = "このカードは使えません（再発行済みまたは登録終了）。職員に声をかけてください。";
		return ERR_NOTFOUND;
	}
	if (u->cr.site_id != u->site_id) {
		*u->why = "このカードは別の施設のものです。職員に声をかけてください。";
		return ERR_FORBIDDEN;
	}
	snprintf(res->site_name, sizeof res->site_name, "%s", u->site.name);
	return ERR_OK;
}

/* The scan's work, run inside a shared transaction: the card's checks, the 60 s rule,
 * direction, the scan row, the guardians' mails and the audit entry. */
static enum err scan_unit_run(struct store_conn *c, void *ctx)
{
	struct scan_unit *u = ctx;
	struct scan_result *res = u->res;
	char day[16], last_dir[4] = "";
	int64_t last_at = 0, last_card = 0;
	enum err e = scan_card_check(c, u);
	if (e != ERR_OK)
		return e;
	e = ERR_DB;
	int live = u->at_ms == 0;
	if (live)
		u->at_ms = clock_now_ms(); /* a live scan: timed inside the write transaction */
	clock_jst_date(u->at_ms, day, sizeof day);
	/* The child's state at the scan's time: the last scan of that day at or before at_ms.
	 * For a live scan that is the last scan of the day; a scan sent late by a kiosk that was
	 * offline is placed where it happened (see docs/openapi.yaml, POST /api/v1/scans). */
	struct store_stmt *st = store_prepare(
	    c, "SELECT direction, at_ms, card_id FROM scans WHERE child_id = ? AND day = ? "
	       "AND at_ms <= ? ORDER BY at_ms DESC, id DESC LIMIT 1");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, u->cr.child_id);
	store_bind_text(st, 2, day);
	store_bind_int(st, 3, u->at_ms);
	int rc = store_step(st);
	int have_last = rc == STORE_ROW;
	if (have_last) {
		snprintf(last_dir, sizeof last_dir, "%s", store_col_text(st, 0));
		last_at = store_col_int(st, 1);
		last_card = store_col_int(st, 2);
	}
	store_finish(st);
	if (!have_last && rc != STORE_DONE)
		return ERR_DB;
	res->at_ms = u->at_ms;
	if (have_last && last_card == u->cr.card_id && u->at_ms - last_at < SCAN_REPEAT_MS) {
		res->recorded = 0;
		snprintf(res->direction, sizeof res->direction, "%s", last_dir);
		res->at_ms = last_at;
		return ERR_OK; /* nothing written */
	}
	/* The repeat rule looks both ways: a late scan less than 60 s BEFORE a recorded scan of
	 * the same card is that scan sent again (the kiosk's first attempt was recorded but the
	 * answer was lost), not a new one. A live scan is timed now, so nothing lies after it. */
	if (live)
		goto record;
	st = store_prepare(c, "SELECT direction, at_ms FROM scans WHERE child_id = ? AND day = ? "
			      "AND card_id = ? AND at_ms > ? AND at_ms < ? "
			      "ORDER BY at_ms, id LIMIT 1");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, u->cr.child_id);
	store_bind_text(st, 2, day);
	store_bind_int(st, 3, u->cr.card_id);
	store_bind_int(st, 4, u->at_ms);
	store_bind_int(st, 5, u->at_ms + SCAN_REPEAT_MS);
	rc = store_step(st);
	if (rc == STORE_ROW) {
		res->recorded = 0;
		snprintf(res->direction, sizeof res->direction, "%s", store_col_text(st, 0));
		res->at_ms = store_col_int(st, 1);
		store_finish(st);
		return ERR_OK; /* nothing written */
	}
	store_finish(st);
	if (rc != STORE_DONE)
		return ERR_DB;
record:
	snprintf(res->direction, sizeof res->direction, "%s",
		 have_last && strcmp(last_dir, "in") == 0 ? "out" : "in");
	st = store_prepare(c, "INSERT INTO scans(child_id, site_id, kiosk_id, card_id, direction, "
			      "day, at_ms) VALUES (?, ?, ?, ?, ?, ?, ?)");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, u->cr.child_id);
	store_bind_int(st, 2, u->site_id);
	if (u->kiosk_id)
		store_bind_int(st, 3, u->kiosk_id);
	else
		store_bind_null(st, 3);
	store_bind_int(st, 4, u->cr.card_id);
	store_bind_text(st, 5, res->direction);
	store_bind_text(st, 6, day);
	store_bind_int(st, 7, u->at_ms);
	e = store_run(st);
	store_finish(st);
	if (e != ERR_OK)
		return e;
	/* An entry clears "not arrived"; an exit clears "still present". */
	e = alert_clear(c, u->cr.child_id, day,
			strcmp(res->direction, "in") == 0 ? "not_arrived" : "still_present", u->at_ms);
	if (e != ERR_OK)
		return e;
	e = queue_mails(u->a, c, u->cr.child_id, res->child_name, u->site.name, res->direction,
			u->at_ms, NULL, u->mail, &res->mails);
	if (e != ERR_OK)
		return e;
	char actor[48], object[48];
	snprintf(actor, sizeof actor, "kiosk:%lld", (long long)u->kiosk_id);
	snprintf(object, sizeof object, "child:%lld", (long long)u->cr.child_id);
	e = audit_append(c, u->a->vault, actor, "scan.record", object, res->direction);
	if (e == ERR_OK)
		res->recorded = 1;
	return e;
}

/* Makes the unit of a scan of code (u->res and u->why still to be set): the blind index (a
 * MAC) is worked out here, on the caller's thread, not by the group's leader. */
static void scan_unit_init(struct scan_unit *u, struct app *a, int64_t kiosk_id, int64_t site_id,
			   const char *code, int64_t at_ms)
{
	/* Codes are upper-case base32; a reader typing with Caps Lock on sends lower case. */
	char upper[160];
	size_t i = 0;
	for (; code[i] && i < sizeof upper - 1; i++)
		upper[i] = (char)((code[i] >= 'a' && code[i] <= 'z') ? code[i] - 32 : code[i]);
	upper[i] = '\0';
	*u = (struct scan_unit){.a = a, .kiosk_id = kiosk_id, .site_id = site_id, .at_ms = at_ms,
				.mail = mail_handoff_new(a->mail)};
	vault_blind(attendance_vault(a), "card", upper, u->idx);
}

/* After the scan's group commit (e): a failed scan keeps no name and hands no mail; a recorded
 * one's notices go to the sender (or wake it to claim them). */
static void scan_settled(struct scan_unit *u, enum err e)
{
	struct scan_result *res = u->res;
	if (e != ERR_OK) {
		mail_handoff_drop(u->mail);
		vault_wipe_free(res->child_name);
		res->child_name = NULL;
		res->recorded = 0;
	} else if (u->mail) {
		mail_handoff_commit(u->mail);
	} else if (res->recorded && u->a->mail) {
		mail_sender_wake(u->a->mail);
	}
	u->mail = NULL;
}

enum err scan_record(struct app *a, int64_t kiosk_id, int64_t site_id, const char *code,
		     int64_t at_ms, struct scan_result *res, const char **why)
{
	memset(res, 0, sizeof *res);
	*why = NULL;
	struct scan_unit *u = xcalloc(1, sizeof *u);
	scan_unit_init(u, a, kiosk_id, site_id, code, at_ms);
	u->res = res;
	u->why = why;
	/* Scans arriving together share one durable commit (group commit); each is still
	 * answered only after the commit that holds it, its mails and its audit entry. */
	enum err e = store_group_run(a->store, scan_unit_run, u);
	scan_settled(u, e);
	free(u);
	return e;
}

/* A scan queued without waiting (scan_record_async): its unit, result and caller. */
struct scan_async {
	struct scan_unit u;
	struct scan_result res;
	const char *why;
	scan_done_fn done;
	void *arg;
};

/* The committing thread, once the scan's batch is over: tells the caller, then wipes. */
static void scan_async_finished(void *ctx, enum err e, int unavailable)
{
	struct scan_async *q = ctx;
	scan_settled(&q->u, e);
	q->done(q->arg, e, &q->res, q->why, unavailable);
	vault_wipe_free(q->res.child_name);
	free(q);
}

enum err scan_record_async(struct app *a, int64_t kiosk_id, int64_t site_id, const char *code,
			   int64_t at_ms, scan_done_fn done, void *arg)
{
	struct scan_async *q = xcalloc(1, sizeof *q);
	scan_unit_init(&q->u, a, kiosk_id, site_id, code, at_ms);
	q->u.res = &q->res;
	q->u.why = &q->why;
	q->done = done;
	q->arg = arg;
	enum err e = store_group_submit(a->store, scan_unit_run, &q->u, scan_async_finished);
	if (e != ERR_OK) {
		mail_handoff_drop(q->u.mail);
		free(q);
	}
	return e;
}

/* A manual entry/exit's reason: 1..MANUAL_REASON_MAX characters (code points). */
#define MANUAL_REASON_MAX 200

/* What one manual scan's transaction needs and produces (group-commit unit context). */
struct manual_unit {
	struct app *a;
	int64_t user_id, site_id, child_id;
	const char *direction; /* wanted: "in" or "out" */
	const char *reason;       /* a manual entry/exit's reason; NULL for a pickup check-out */
	const char *site_name;
	struct scan_result *res;
	const char **why;
	int64_t pickup_id;        /* a check-out by this pickup person; 0 for a manual scan */
	const char *pickup_note;  /* "お迎え: name（relation）" for the guardians' mail */
};

/* 0 when reason is 1..MANUAL_REASON_MAX characters on one line, not blank; else -1 with *why. */
static int manual_reason_check(const char *reason, const char **why)
{
	switch (text_line_check(reason, MANUAL_REASON_MAX)) {
	case TEXT_OK:
		return 0;
	case TEXT_BAD_UTF8:
		*why = "理由の文字が正しくありません。入力し直してください。";
		break;
	case TEXT_CONTROL:
		*why = "理由は1行で入力してください（改行は使えません）。";
		break;
	case TEXT_EMPTY:
		*why = "理由を入力してください。";
		break;
	case TEXT_TOO_LONG:
		*why = "理由は200文字以内で入力してください。";
		break;
	}
	return -1;
}

/* Looks child_no up on c: its id, site, whether it is active, and its name (*name, caller
 * wipes with vault_wipe_free). ERR_NOTFOUND when there is no such child. */
static enum err find_child(struct app *a, struct store_conn *c, const char *child_no,
			   int64_t *child_id, int64_t *site_id, int *active, char **name)
{
	enum err e = ERR_DB;
	struct store_stmt *st = store_prepare(
	    c, "SELECT id, site_id, active, name_enc FROM children WHERE child_no = ?");
	if (!st)
		goto out;
	store_bind_text(st, 1, child_no);
	int rc = store_step(st);
	if (rc != STORE_ROW) {
		e = rc == STORE_DONE ? ERR_NOTFOUND : ERR_DB;
		goto out;
	}
	*child_id = store_col_int(st, 0);
	*site_id = store_col_int(st, 1);
	*active = (int)store_col_int(st, 2);
	size_t len;
	const void *b = store_col_blob(st, 3, &len);
	e = vault_unseal(attendance_vault(a), "children.name", b, len, name);
out:
	store_finish(st);
	return e;
}

/* The manual scan's writes, run inside a shared transaction: the child's state now must allow
 * the wanted direction; then the scan row (no card, no kiosk; who and why), the guardians'
 * mails and the audit entry. ERR_CONFLICT with *why when the direction does not fit. */
static enum err manual_unit_run(struct store_conn *c, void *ctx)
{
	struct manual_unit *u = ctx;
	struct scan_result *res = u->res;
	char day[16];
	int64_t at_ms = clock_now_ms(); /* timed inside the write transaction, like a live scan */
	int64_t last_id = 0, last_at = 0;
	int last_collected = 0;
	enum err e = ERR_DB;
	clock_jst_date(at_ms, day, sizeof day);
	/* The child's state as the board shows it: the last scan of today. */
	struct store_stmt *st = store_prepare(
	    c, "SELECT direction, id, at_ms, pickup_id IS NOT NULL FROM scans WHERE child_id = ? "
	       "AND day = ? ORDER BY at_ms DESC, id DESC LIMIT 1");
	if (!st)
		goto out;
	store_bind_int(st, 1, u->child_id);
	store_bind_text(st, 2, day);
	int rc = store_step(st);
	int present = rc == STORE_ROW && strcmp(store_col_text(st, 0), "in") == 0;
	if (rc == STORE_ROW) {
		last_id = store_col_int(st, 1);
		last_at = store_col_int(st, 2);
		last_collected = (int)store_col_int(st, 3);
	}
	store_finish(st);
	st = NULL;
	if (rc != STORE_ROW && rc != STORE_DONE)
		goto out;
	if (u->pickup_id && !present) {
		/* Left already (by card) without a recorded collector: say who collected. */
		if (!last_id) {
			*u->why = "この子どもは今日まだ来ていません。お迎えの記録はできません。";
			e = ERR_CONFLICT;
			goto out;
		}
		if (last_collected) {
			*u->why = "この子どものお迎えの方は、すでに記録されています。";
			e = ERR_CONFLICT;
			goto out;
		}
		st = store_prepare(c, "UPDATE scans SET pickup_id = ? WHERE id = ?");
		if (!st)
			goto out;
		store_bind_int(st, 1, u->pickup_id);
		store_bind_int(st, 2, last_id);
		e = store_run(st);
		if (e != ERR_OK)
			goto out;
		res->at_ms = last_at;
		snprintf(res->direction, sizeof res->direction, "out");
		goto audit;
	}
	if (strcmp(u->direction, "in") == 0 && present) {
		*u->why = "この子どもは、すでに施設にいる記録になっています。画面を更新して確かめてください。";
		e = ERR_CONFLICT;
		goto out;
	}
	if (strcmp(u->direction, "out") == 0 && !present) {
		*u->why = "この子どもは、施設にいる記録になっていません。画面を更新して確かめてください。";
		e = ERR_CONFLICT;
		goto out;
	}
	st = store_prepare(c, "INSERT INTO scans(child_id, site_id, kiosk_id, card_id, direction, "
			      "day, at_ms, manual_by, reason_enc, pickup_id) "
			      "VALUES (?, ?, NULL, NULL, ?, ?, ?, ?, ?, ?)");
	if (!st)
		goto out;
	store_bind_int(st, 1, u->child_id);
	store_bind_int(st, 2, u->site_id);
	store_bind_text(st, 3, u->direction);
	store_bind_text(st, 4, day);
	store_bind_int(st, 5, at_ms);
	store_bind_int(st, 6, u->user_id);
	if (u->reason)
		vault_bind_sealed(attendance_vault(u->a), st, 7, "scans.reason", u->reason);
	else
		store_bind_null(st, 7);
	if (u->pickup_id)
		store_bind_int(st, 8, u->pickup_id);
	else
		store_bind_null(st, 8);
	e = store_run(st);
	if (e != ERR_OK)
		goto out;
	res->at_ms = at_ms;
	snprintf(res->direction, sizeof res->direction, "%s", u->direction);
	e = alert_clear(c, u->child_id, day,
			strcmp(u->direction, "in") == 0 ? "not_arrived" : "still_present", at_ms);
	if (e != ERR_OK)
		goto out;
	e = queue_mails(u->a, c, u->child_id, res->child_name, u->site_name, res->direction,
			at_ms, u->pickup_note ? u->pickup_note : "（職員による手入力）\n",
			NULL, &res->mails);
	if (e != ERR_OK)
		goto out;
audit:;
	char actor[48], object[48];
	snprintf(actor, sizeof actor, "user:%lld", (long long)u->user_id);
	snprintf(object, sizeof object, "child:%lld", (long long)u->child_id);
	/* The reason and the collector's name stay sealed in the rows, never in the audit log. */
	e = audit_append(c, u->a->vault, actor, u->pickup_id ? "scan.pickup" : "scan.manual",
			 object, res->direction);
	if (e == ERR_OK)
		res->recorded = 1;
out:
	store_finish(st);
	return e;
}

/* Finds the pickup person pickup_id of child_id on c and writes "お迎え: name（relation）" for the
 * mail into note, and the name and relation into who. ERR_NOTFOUND when it is not the child's
 * active pickup person. */
static enum err find_pickup(struct app *a, struct store_conn *c, int64_t child_id,
			    int64_t pickup_id, char *note, size_t n, struct checkout_who *who)
{
	struct pickup *list = NULL;
	size_t len = 0;
	enum err e = pickup_list(a, c, child_id, 0, &list, &len);
	if (e != ERR_OK)
		return e;
	e = ERR_NOTFOUND;
	for (size_t i = 0; i < len; i++) {
		if (list[i].id != pickup_id)
			continue;
		snprintf(note, n, "お迎え: %s（%s）\n", list[i].name, list[i].relation);
		snprintf(who->name, sizeof who->name, "%s", list[i].name);
		snprintf(who->relation, sizeof who->relation, "%s", list[i].relation);
		e = ERR_OK;
	}
	pickup_list_free(list, len);
	return e;
}

/* The shared part of a manual scan and a pickup check-out: finds child_no (of site_id), and
 * the pickup person when pickup_id, then runs the unit in a group commit. */
static enum err staff_scan(struct app *a, int64_t user_id, int64_t site_id, const char *child_no,
			   const char *direction, const char *reason, int64_t pickup_id,
			   struct checkout_who *who, struct scan_result *res, const char **why)
{
	struct site site;
	char *name = NULL, note[600] = "";
	int64_t child_id = 0, child_site = 0;
	int active = 0;
	enum err e = ERR_INVALID;
	if (!child_no || !child_no[0] || strlen(child_no) > 64) {
		*why = "児童番号を指定してください。";
		goto out;
	}
	struct store_conn *c = store_acquire(a->store);
	e = find_child(a, c, child_no, &child_id, &child_site, &active, &name);
	if (e == ERR_OK)
		e = site_get(c, site_id, &site);
	if (e == ERR_OK && pickup_id && child_site == site_id &&
	    find_pickup(a, c, child_id, pickup_id, note, sizeof note, who) != ERR_OK) {
		*why = "このお迎えの方は、この子どものお迎えの方として登録されていません。";
		e = ERR_INVALID;
	}
	store_release(c);
	if (e == ERR_NOTFOUND) {
		*why = "この児童番号の子どもは登録されていません。番号を確かめてください。";
		goto out;
	}
	if (e != ERR_OK)
		goto out;
	if (!active) {
		*why = "この子どもは登録が終了しています。";
		e = ERR_NOTFOUND;
		goto out;
	}
	if (child_site != site_id) {
		*why = "この子どもは別の施設に登録されています。";
		e = ERR_FORBIDDEN;
		goto out;
	}
	res->child_name = name;
	name = NULL;
	snprintf(res->site_name, sizeof res->site_name, "%s", site.name);
	struct manual_unit u = {a,	  user_id, site_id,   child_id,		    direction,
				reason,	  site.name, res,	why,
				pickup_id, pickup_id ? note : NULL};
	e = store_group_run(a->store, manual_unit_run, &u);
out:
	vault_wipe_free(name);
	if (e != ERR_OK) {
		vault_wipe_free(res->child_name);
		res->child_name = NULL;
		res->recorded = 0;
	} else if (a->mail) {
		mail_sender_wake(a->mail);
	}
	return e;
}

enum err scan_record_manual(struct app *a, int64_t user_id, int64_t site_id,
			    const char *child_no, const char *direction, const char *reason,
			    struct scan_result *res, const char **why)
{
	memset(res, 0, sizeof *res);
	*why = NULL;
	if (!direction || (strcmp(direction, "in") != 0 && strcmp(direction, "out") != 0)) {
		*why = "入室（\"in\"）か退室（\"out\"）かを direction で指定してください。";
		return ERR_INVALID;
	}
	if (!reason || manual_reason_check(reason, why) != 0)
		return ERR_INVALID;
	return staff_scan(a, user_id, site_id, child_no, direction, reason, 0, NULL, res, why);
}

enum err scan_record_checkout(struct app *a, int64_t user_id, int64_t site_id,
			      const char *child_no, int64_t pickup_id, struct scan_result *res,
			      struct checkout_who *who, const char **why)
{
	memset(res, 0, sizeof *res);
	memset(who, 0, sizeof *who);
	*why = NULL;
	if (pickup_id <= 0) {
		*why = "お迎えの方（pickup_id）を指定してください。";
		return ERR_INVALID;
	}
	return staff_scan(a, user_id, site_id, child_no, "out", NULL, pickup_id, who, res, why);
}
