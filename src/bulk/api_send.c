/* SPDX-License-Identifier: MIT */
/* api_mail_send.c — /api/v1/mail/sends/{send_id}: the delivery of one send (counts per state
 * and per domain, bounces, unsubscribes, failures with the server's reply, never an address)
 * and the ward admin's retry of its failed recipients. Both are audited: the view once per
 * caller and send per minute (the page polls it), the retry every time. */
#include "bulk/bulk_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "app/service.h"
#include "auth/audit.h"
#include "base/clock.h"
#include "bulk/bulk.h"
#include "base/xalloc.h"
#include "mail/mail.h"
#include "store/store.h"

/* Returns 1 when s is a send_id we name things by: 1 to MAIL_SEND_ID_MAX bytes of letters,
 * digits, ':', '_', '.', '-' ("emergency:12", "alert-site:3", "confirm"). */
static int send_id_valid(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > MAIL_SEND_ID_MAX)
		return 0;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == ':' || *p == '_' || *p == '.' || *p == '-'))
			return 0;
	return 1;
}

/* The counts of n as a new JSON object (NULL when out of memory). */
static json_t *counts_json(const struct mail_send_counts *n)
{
	return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "total", (json_int_t)n->total,
			 "queued", (json_int_t)n->queued, "sending", (json_int_t)n->sending,
			 "deferred", (json_int_t)n->deferred, "sent", (json_int_t)n->sent, "failed",
			 (json_int_t)n->failed, "pending", (json_int_t)n->pending, "bounced",
			 (json_int_t)n->bounced);
}

/* The report r of send_id as a new JSON object (NULL when out of memory). */
static json_t *report_json(const char *send_id, const struct mail_send_report *r)
{
	json_t *o = json_pack("{s:s,s:b}", "send_id", send_id, "complete", r->complete);
	json_t *counts = counts_json(&r->n), *domains = json_array(), *failures = json_array();
	if (!o || !counts || !domains || !failures || json_object_update(o, counts) != 0) {
		json_decref(o);
		json_decref(counts);
		json_decref(domains);
		json_decref(failures);
		return NULL;
	}
	json_decref(counts);
	for (size_t i = 0; i < r->ndomains; i++) {
		json_t *d = counts_json(&r->domains[i].n);
		if (d)
			json_object_set_new(d, "domain", json_string(r->domains[i].domain));
		json_array_append_new(domains, d);
	}
	for (size_t i = 0; i < r->nfailures; i++) {
		const struct mail_send_failure *f = &r->failures[i];
		char at[32];
		clock_jst_iso(f->at_ms, at, sizeof at);
		json_array_append_new(
		    failures, json_pack("{s:I,s:s,s:I,s:s,s:s}", "outbox_id",
					(json_int_t)f->outbox_id, "domain", f->domain, "attempts",
					(json_int_t)f->attempts, "reply", f->reply, "at", at));
	}
	/* A rate of four decimals, rounded: 0.0125 is 1.25 %. */
	double rate = r->n.sent > 0
			  ? (double)((r->n.bounced * 10000 + r->n.sent / 2) / r->n.sent) / 10000.0
			  : 0.0;
	json_object_set_new(o, "bounce_rate", json_real(rate));
	json_object_set_new(o, "unsubscribed", json_integer((json_int_t)r->unsubscribed));
	json_object_set_new(o, "domains", domains);
	json_object_set_new(o, "domains_more", json_integer((json_int_t)r->domains_more));
	json_object_set_new(o, "failures", failures);
	return o;
}

/* 1 when the caller may see send_id's delivery: the ward's roles any send's; anyone else (the
 * clubs' contractor) only a bulk send of a kind whose audience is in its scope — not a school's
 * mass mail, an applicant's confirmation or a child's scan mail. */
static int may_see(struct http_req *rq, struct store_conn *c, const char *send_id)
{
	if (rq->role & (ROLE_WARD_ADMIN | ROLE_WARD_STAFF))
		return 1;
	const struct bulk_kind *kind = NULL;
	for (const struct service *const *sv = app_services(); *sv && !kind; sv++)
		for (const struct bulk_kind *const *k = (*sv)->bulk; k && *k && !kind; k++) {
			size_t n = strlen((*k)->list.name);
			if (strncmp(send_id, (*k)->list.name, n) == 0 && send_id[n] == ':')
				kind = *k;
		}
	if (!kind)
		return 0;
	int ok = 0;
	struct store_stmt *st =
	    store_prepare(c, "SELECT audience FROM bulk_sends WHERE send_id = ?1 AND list = ?2");
	if (st) {
		store_bind_text(st, 1, send_id);
		store_bind_text(st, 2, kind->list.name);
		ok = store_step(st) == STORE_ROW &&
		     kind->in_scope(rq->app, &rq->user, store_col_text(st, 0));
	}
	store_finish(st);
	return ok;
}

enum err api_mail_send_get(struct http_req *rq, struct http_resp *rs)
{
	const char *send_id = rq->params[0];
	char object[MAIL_SEND_ID_MAX + 8], detail[96];
	if (!send_id_valid(send_id))
		return http_error(rs, ERR_INVALID, "送信の番号が正しくありません。一覧から選び直してください。");
	struct mail_send_report *r = xcalloc(1, sizeof *r);
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = ERR_OK;
	if (!may_see(rq, c, send_id)) {
		e = http_error_as(rs, ERR_FORBIDDEN, "not_your_send",
				  "この送信の配信状況は見られません（区の職員と、その送信を扱う人だけが"
				  "見られます）。");
		goto out;
	}
	e = mail_send_report(c, send_id, r);
	if (e == ERR_NOTFOUND) {
		e = http_error(rs, e, "この送信のメールは見つかりません。");
		goto out;
	}
	if (e != ERR_OK)
		goto out;
	/* Counts only: the failures' replies are the servers' words, addresses blanked. */
	snprintf(object, sizeof object, "send:%s", send_id);
	snprintf(detail, sizeof detail, "total=%lld failed=%lld", (long long)r->n.total,
		 (long long)r->n.failed);
	e = audit_read_append(c, rq->app->vault, rq->actor, "mail.send.view", object, detail,
			      clock_now_ms(), NULL);
	if (e != ERR_OK)
		goto out;
	json_t *o = report_json(send_id, r);
	e = o ? http_json(rs, 200, o) : ERR_IO;
out:
	store_release(c);
	free(r);
	return e;
}

enum err api_mail_send_retry(struct http_req *rq, struct http_resp *rs)
{
	const char *send_id = rq->params[0];
	char object[MAIL_SEND_ID_MAX + 8], detail[512];
	struct mail_send_retry res;
	if (!send_id_valid(send_id))
		return http_error(rs, ERR_INVALID, "送信の番号が正しくありません。一覧から選び直してください。");
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = store_begin(c);
	if (e != ERR_OK)
		goto out;
	e = mail_send_retry(c, rq->app->keys, send_id, &res);
	if (e == ERR_NOTFOUND) {
		e = http_error(rs, e, "この送信のメールは見つかりません。");
		goto out;
	}
	if (e == ERR_FORBIDDEN) {
		e = http_error_as(rs, ERR_CONFLICT, "notice_not_retried",
				  "再送できるのは一斉メールだけです。入退室などのお知らせは、遅れて届くと"
				  "かえって誤解を招くため再送しません。");
		goto out;
	}
	if (e == ERR_CONFLICT) {
		e = http_error_as(rs, e, "nothing_to_retry",
				  "再送するメール（送信に失敗したもの）はありません。");
		goto out;
	}
	if (e != ERR_OK)
		goto out;
	if (res.retried == 0) {
		/* Every failed recipient was left out: nothing changed, nothing to record. */
		snprintf(detail, sizeof detail,
			 "再送できるメールはありません。失敗したメールは、不達が続いているアドレスあて"
			 "%lld通と、配信を停止したアドレスあて%lld通、保存期間を過ぎて宛先と本文を"
			 "消したもの%lld通です。",
			 (long long)res.skipped_bouncing, (long long)res.skipped_unsubscribed,
			 (long long)res.skipped_expired);
		e = http_error_as(rs, ERR_CONFLICT, "retry_not_possible", detail);
		goto out;
	}
	/* Counts only, never addresses. */
	snprintf(object, sizeof object, "send:%s", send_id);
	snprintf(detail, sizeof detail,
		 "retried=%lld skipped_bouncing=%lld skipped_unsubscribed=%lld skipped_expired=%lld",
		 (long long)res.retried, (long long)res.skipped_bouncing,
		 (long long)res.skipped_unsubscribed, (long long)res.skipped_expired);
	e = audit_append(c, rq->app->vault, rq->actor, "mail.send.retry", object, detail);
	if (e == ERR_OK)
		e = store_commit(c);
	if (e != ERR_OK)
		goto out;
	if (res.retried > 0 && rq->app->mail)
		mail_sender_wake(rq->app->mail);
	e = http_json(rs, 200,
		      json_pack("{s:s,s:I,s:I,s:I,s:I}", "send_id", send_id, "retried",
				(json_int_t)res.retried, "skipped_bouncing",
				(json_int_t)res.skipped_bouncing, "skipped_unsubscribed",
				(json_int_t)res.skipped_unsubscribed, "skipped_expired",
				(json_int_t)res.skipped_expired));
out:
	store_rollback(c);
	store_release(c);
	return e;
}
