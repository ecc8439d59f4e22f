/* SPDX-License-Identifier: MIT */
/* send.c — a bulk send's life: the check of its text, composing, the second person's decision,
 * withdrawal, the scheduled time, the re-send to those who have not read it, and queueing one
 * outbox row per recipient of the audience the service chooses anew each time. */
#include "bulk/bulk.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth/audit.h"
#include "base/buf.h"
#include "auth/role.h"
#include "auth/user.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "mail/mail.h"
#include "store/store.h"
#include "vault/vault.h"

#define DAY_MS (24LL * 3600 * 1000)
#define RESEND_MARK "【再送】"

/* Any number that reads as a telephone number: a person's cannot be told from a club's. */
static const char WHY_PHONE[] = "電話番号が含まれています。一斉配信には、施設や区の番号も含めて"
				"電話番号を書けません（個人の番号がまぎれ込むのを防ぐため）。"
				"番号を消し、問い合わせ先は名前で書いてください。";
static const char WHY_SCOPE[] = "この送信先には、あなたの担当の範囲の外が含まれています。担当の"
				"範囲の人に依頼してください。";

/* "<list>:<id>": the send_id of send id's mail, into out (n bytes). */
static void send_id_of(const struct bulk_kind *k, int64_t id, char *out, size_t n)
{
	snprintf(out, n, "%s:%" PRId64, k->list.name, id);
}

/* "<list>.<step>": the audit action, into out (n bytes). */
static void action_of(const struct bulk_kind *k, const char *step, char *out, size_t n)
{
	snprintf(out, n, "%s.%s", k->list.name, step);
}

/* The field name a send's text is sealed under: "<list>.subject" (binds it to its list). */
static void field_of(const struct bulk_kind *k, const char *what, char *out, size_t n)
{
	snprintf(out, n, "%s.%s", k->list.name, what);
}

enum err bulk_check(struct app *a, const struct bulk_kind *k, const char *subject, const char *body,
		    const char **why, const char **code)
{
	*code = NULL;
	*why = bulk_shape_check(subject, body);
	if (*why)
		return ERR_INVALID;
	if (bulk_has_phone(subject) || bulk_has_phone(body)) {
		*why = WHY_PHONE;
		*code = "personal_data";
		return ERR_INVALID;
	}
	if (!k->personal)
		return ERR_OK;
	int64_t t0 = clock_now_ms();
	char *folded = xasprintf("%s\n%s", subject, body);
	bulk_fold(folded);
	enum err e = k->personal(a, folded, why);
	vault_wipe_free(folded);
	if (e == ERR_INVALID)
		*code = "personal_data";
	log_info("bulk: %s content check %lld ms", k->list.name, (long long)(clock_now_ms() - t0));
	return e;
}

/* Audits a refusal for personal data (the kind found, never the value) as actor. */
static void audit_refused(struct app *a, const struct bulk_kind *k, const char *actor,
			  const char *why)
{
	char action[64];
	action_of(k, "refused", action, sizeof action);
	struct store_conn *c = store_acquire(a->store);
	audit_append(c, a->vault, actor, action, k->list.name, why);
	store_release(c);
}

/* Audits a denial of actor on object (the send_id or the list) for reason (ASCII). */
static void audit_denied(struct app *a, const char *actor, const char *object, const char *reason)
{
	struct store_conn *c = store_acquire(a->store);
	audit_append(c, a->vault, actor, "denied", object, reason);
	store_release(c);
}

/* Checks a draft's time: 0 (at once), or a future time within BULK_SCHEDULE_DAYS. */
static const char *time_check(int64_t at_ms)
{
	int64_t now = clock_now_ms();
	if (at_ms == 0)
		return NULL;
	if (at_ms <= now)
		return "送信予定の日時が過ぎています。これから先の日時を指定してください。";
	if (at_ms > now + BULK_SCHEDULE_DAYS * DAY_MS)
		return "送信予定の日時は、31日先までで指定してください。";
	return NULL;
}

/* The checks common to previewing and composing: the audience's size and the author's scope,
 * the time, the text. */
static enum err draft_check(struct app *a, const struct bulk_kind *k, const struct user *u,
			    const struct bulk_draft *d, const char **why, const char **code)
{
	*code = NULL;
	if (!d->audience || !d->audience[0] || strlen(d->audience) > BULK_AUDIENCE_MAX) {
		*why = "送信先を選んでください。";
		return ERR_INVALID;
	}
	if (!k->in_scope(a, u, d->audience)) {
		*why = WHY_SCOPE;
		*code = "out_of_scope";
		return ERR_FORBIDDEN;
	}
	*why = time_check(d->at_ms);
	if (*why)
		return ERR_INVALID;
	return bulk_check(a, k, d->subject, d->body, why, code);
}

/* Whether an audience waits for a second person. */
static int needs_approval(const struct bulk_kind *k, const char *audience)
{
	return k->four_eyes_multi && k->groups(audience) != 1;
}

enum err bulk_preview(struct app *a, const struct bulk_kind *k, const struct user *u,
		      const struct bulk_draft *d, size_t *recipients, int *needs, const char **why,
		      const char **code)
{
	*recipients = 0;
	*needs = 0;
	enum err e = draft_check(a, k, u, d, why, code);
	if (e != ERR_OK)
		return e;
	*needs = needs_approval(k, d->audience);
	struct store_conn *c = store_acquire(a->store);
	e = k->count(a, c, d->audience, recipients);
	store_release(c);
	return e;
}

/* What queueing one send needs for each recipient. */
struct queue_ctx {
	struct app *a;
	const struct bulk_kind *k;
	struct store_conn *c;
	const struct vault *v;
	const char *send_id, *subject, *body;
	struct mail_bulk_opts opts;
	struct buf own; /* the recipient's own footer lines (k->footer) */
	size_t queued, bouncing, unsubscribed;
};

static enum err emit(void *arg, const struct bulk_recipient *r)
{
	struct queue_ctx *q = arg;
	enum mail_skip skip = MAIL_QUEUED;
	char *body = NULL;
	enum err e = ERR_OK;
	q->opts.owner_id = r->owner_id;
	q->opts.list = r->list;
	if (q->k->footer) {
		/* The same text for all, then the lines of this recipient's own (its link). */
		q->own.len = 0;
		if (q->own.data)
			q->own.data[0] = '\0';
		e = q->k->footer(q->a, q->c, r, &q->own);
		if (e == ERR_OK)
			body = xasprintf("%s%s", q->body, q->own.data ? q->own.data : "");
	}
	if (e == ERR_OK)
		e = mail_outbox_enqueue_bulk(q->c, q->v, q->send_id, r->address, q->subject,
					     body ? body : q->body, &q->opts, &skip);
	vault_wipe_free(body);
	if (e != ERR_OK)
		return e;
	if (skip == MAIL_QUEUED)
		q->queued++;
	else if (skip == MAIL_SKIP_BOUNCING)
		q->bouncing++;
	else
		q->unsubscribed++;
	return ERR_OK;
}

/* The body as it goes out: the text and the kind's footer. Malloc'd (vault_wipe_free). */
static char *full_body(const struct bulk_kind *k, const char *body)
{
	return k->footer_ja ? xasprintf("%s\n\n--\n%s", body, k->footer_ja) : xasprintf("%s", body);
}

/* Queues send id on c (inside the caller's transaction): one outbox row per recipient the
 * service chooses now, and marks the send sent (by approver, 0: keep who approved it). */
static enum err queue(struct app *a, const struct bulk_kind *k, struct store_conn *c, int64_t id,
		      const char *audience, const char *subject, const char *body, int read_confirm,
		      int64_t approver, size_t *n)
{
	char send_id[64];
	send_id_of(k, id, send_id, sizeof send_id);
	char *full = full_body(k, body);
	struct queue_ctx q = {.a = a,
			      .k = k,
			      .c = c,
			      .v = app_vault(a, k->service),
			      .send_id = send_id,
			      .subject = subject,
			      .body = full,
			      .opts = {.read_link = read_confirm}};
	buf_init(&q.own, 64 * 1024);
	enum err e = q.v ? mail_list_declare(c, k->service, &k->list) : ERR_CRYPTO;
	if (e == ERR_OK)
		e = k->audience(a, c, audience, emit, &q);
	vault_wipe_free(full);
	buf_free(&q.own);
	if (e != ERR_OK)
		return e;
	if (q.bouncing || q.unsubscribed)
		log_info("bulk: %s left out %zu bouncing and %zu unsubscribed addresses", send_id,
			 q.bouncing, q.unsubscribed);
	struct store_stmt *st = store_prepare(
	    c, "UPDATE bulk_sends SET state = 'sent', send_id = ?, recipients = ?, sent_ms = ?, "
	       "approver_id = COALESCE(?, approver_id), approved_ms = COALESCE(?, approved_ms) "
	       "WHERE id = ?");
	if (!st)
		return ERR_DB;
	int64_t now = clock_now_ms();
	store_bind_text(st, 1, send_id);
	store_bind_int(st, 2, (int64_t)q.queued);
	store_bind_int(st, 3, now);
	if (approver) {
		store_bind_int(st, 4, approver);
		store_bind_int(st, 5, now);
	} else {
		store_bind_null(st, 4);
		store_bind_null(st, 5);
	}
	store_bind_int(st, 6, id);
	e = store_run(st);
	store_finish(st);
	*n = q.queued;
	return e;
}

enum err bulk_compose(struct app *a, const struct bulk_kind *k, const struct user *u,
		      const char *actor, const struct bulk_draft *d, struct bulk_result *res,
		      const char **why)
{
	char object[64], detail[256], action[64], field[64];
	struct store_conn *c = NULL;
	memset(res, 0, sizeof *res);
	*why = NULL;
	enum err e = draft_check(a, k, u, d, why, &res->code);
	if (e == ERR_FORBIDDEN)
		audit_denied(a, actor, k->list.name, "compose outside the caller's scope");
	if (e == ERR_INVALID && res->code)
		audit_refused(a, k, actor, *why);
	if (e != ERR_OK)
		return e;
	const struct vault *v = app_vault(a, k->service);
	int waits = needs_approval(k, d->audience), immediate = !waits && !d->at_ms;
	if (!v)
		return ERR_CRYPTO;
	c = store_acquire(a->store);
	e = store_begin(c);
	if (e != ERR_OK)
		goto out;
	struct store_stmt *st = store_prepare(
	    c, "INSERT INTO bulk_sends(service, list, audience, subject_enc, body_enc, state, "
	       "author_id, created_ms, at_ms, read_confirm) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	e = ERR_DB;
	if (!st)
		goto out;
	store_bind_text(st, 1, k->service);
	store_bind_text(st, 2, k->list.name);
	store_bind_text(st, 3, d->audience);
	field_of(k, "subject", field, sizeof field);
	vault_bind_sealed(v, st, 4, field, d->subject);
	field_of(k, "body", field, sizeof field);
	vault_bind_sealed(v, st, 5, field, d->body);
	store_bind_text(st, 6, waits ? "awaiting_approval" : "scheduled");
	store_bind_int(st, 7, u->id);
	store_bind_int(st, 8, clock_now_ms());
	if (d->at_ms)
		store_bind_int(st, 9, d->at_ms);
	else
		store_bind_null(st, 9);
	store_bind_int(st, 10, d->read_confirm ? 1 : 0);
	e = store_run(st);
	store_finish(st);
	if (e != ERR_OK)
		goto out;
	res->id = store_last_id(c);
	res->at_ms = d->at_ms;
	if (immediate) {
		e = queue(a, k, c, res->id, d->audience, d->subject, d->body, d->read_confirm, 0,
			  &res->recipients);
		snprintf(res->state, sizeof res->state, "sent");
	} else {
		e = k->count(a, c, d->audience, &res->recipients);
		snprintf(res->state, sizeof res->state, "%s",
			 waits ? "awaiting_approval" : "scheduled");
	}
	if (e != ERR_OK)
		goto out;
	send_id_of(k, res->id, object, sizeof object);
	action_of(k, "compose", action, sizeof action);
	snprintf(detail, sizeof detail, "groups=%zu state=%s recipients=%zu%s%s",
		 k->groups(d->audience), res->state, res->recipients, d->at_ms ? " scheduled" : "",
		 d->read_confirm ? " read_confirm" : "");
	e = audit_append(c, a->vault, actor, action, object, detail);
	if (e == ERR_OK)
		e = store_commit(c);
	if (e == ERR_OK && immediate && a->mail)
		mail_sender_wake(a->mail);
out:
	if (c) {
		store_rollback(c);
		store_release(c);
	}
	return e;
}

/* A stored send, as deciding, withdrawing or sending it needs. */
struct stored {
	int64_t author, at_ms;
	int read_confirm;
	char state[24];
	char send_id[64];
	char *audience, *subject, *body; /* malloc'd; subject/body wiped */
};

static void stored_free(struct stored *s)
{
	free(s->audience);
	vault_wipe_free(s->subject);
	vault_wipe_free(s->body);
	memset(s, 0, sizeof *s);
}

/* Loads send id of kind k on c into *s (stored_free). ERR_NOTFOUND for no send of k's list. */
static enum err load(struct app *a, const struct bulk_kind *k, struct store_conn *c, int64_t id,
		     struct stored *s)
{
	char field[64];
	memset(s, 0, sizeof *s);
	struct store_stmt *st = store_prepare(
	    c, "SELECT author_id, state, audience, subject_enc, body_enc, COALESCE(at_ms, 0), "
	       "read_confirm, COALESCE(send_id, '') FROM bulk_sends WHERE id = ? AND list = ?");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, id);
	store_bind_text(st, 2, k->list.name);
	int rc = store_step(st);
	enum err e = rc == STORE_DONE ? ERR_NOTFOUND : ERR_DB;
	const struct vault *v = app_vault(a, k->service);
	if (rc == STORE_ROW && !v)
		e = ERR_CRYPTO;
	if (rc == STORE_ROW && v) {
		size_t len;
		const void *b;
		s->author = store_col_int(st, 0);
		snprintf(s->state, sizeof s->state, "%s", store_col_text(st, 1));
		s->audience = xstrdup(store_col_text(st, 2));
		s->at_ms = store_col_int(st, 5);
		s->read_confirm = store_col_int(st, 6) != 0;
		snprintf(s->send_id, sizeof s->send_id, "%s", store_col_text(st, 7));
		b = store_col_blob(st, 3, &len);
		field_of(k, "subject", field, sizeof field);
		e = vault_unseal(v, field, b, len, &s->subject);
		if (e == ERR_OK) {
			b = store_col_blob(st, 4, &len);
			field_of(k, "body", field, sizeof field);
			e = vault_unseal(v, field, b, len, &s->body);
		}
	}
	store_finish(st);
	if (e != ERR_OK)
		stored_free(s);
	return e;
}

/* Reads send id's state again on c (inside the write transaction: two deciders at once
 * decide once) into state. */
static enum err state_now(struct store_conn *c, int64_t id, char *state, size_t n)
{
	struct store_stmt *st = store_prepare(c, "SELECT state FROM bulk_sends WHERE id = ?");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, id);
	enum err e = ERR_DB;
	if (store_step(st) == STORE_ROW) {
		snprintf(state, n, "%s", store_col_text(st, 0));
		e = ERR_OK;
	}
	store_finish(st);
	return e;
}

/* Sets send id's state (and who decided, when by > 0) on c. */
static enum err set_state(struct store_conn *c, int64_t id, const char *state, int64_t by,
			  const char *refusal)
{
	struct store_stmt *st = store_prepare(
	    c, "UPDATE bulk_sends SET state = ?, approver_id = COALESCE(?, approver_id), "
	       "approved_ms = COALESCE(?, approved_ms), refusal = COALESCE(?, refusal) "
	       "WHERE id = ?");
	if (!st)
		return ERR_DB;
	store_bind_text(st, 1, state);
	if (by > 0) {
		store_bind_int(st, 2, by);
		store_bind_int(st, 3, clock_now_ms());
	} else {
		store_bind_null(st, 2);
		store_bind_null(st, 3);
	}
	store_bind_text(st, 4, refusal);
	store_bind_int(st, 5, id);
	enum err e = store_run(st);
	store_finish(st);
	return e;
}

/* A send of another kind is not found either: one service never sees another's sends. */
static const char WHY_NOT_FOUND[] = "この送信は見つかりません。一覧から選び直してください。";

enum err bulk_decide(struct app *a, const struct bulk_kind *k, const struct user *u,
		     const char *actor, int64_t id, int approve, struct bulk_result *res,
		     const char **why)
{
	struct stored s = {0};
	char object[64], detail[64], action[64];
	struct store_conn *c = store_acquire(a->store);
	memset(res, 0, sizeof *res);
	res->id = id;
	*why = NULL;
	send_id_of(k, id, object, sizeof object);
	enum err e = load(a, k, c, id, &s);
	if (e == ERR_NOTFOUND)
		*why = WHY_NOT_FOUND;
	if (e != ERR_OK)
		goto out;
	/* Four eyes: the author neither approves nor rejects their own send (they may withdraw
	 * it: bulk_cancel). */
	if (s.author == u->id) {
		*why =
		    approve
			? "作成者は自分の送信を承認できません。別の担当者（区の管理者・委託事業者"
			  "）が承認してください。"
			: "作成者は自分の送信を却下できません。取りやめるときは「取り消す」を使う"
			  "か、別の担当者に判断を依頼してください。";
		res->code = "second_approver_required";
		audit_append(c, a->vault, actor, "denied", object,
			     approve ? "approval by the author" : "rejection by the author");
		e = ERR_FORBIDDEN;
		goto out;
	}
	/* Only someone whose scope covers every recipient decides for them. */
	if (!k->in_scope(a, u, s.audience)) {
		*why = WHY_SCOPE;
		res->code = "out_of_scope";
		audit_append(c, a->vault, actor, "denied", object,
			     approve ? "approval outside the caller's scope"
				     : "rejection outside the caller's scope");
		e = ERR_FORBIDDEN;
		goto out;
	}
	if (approve && strcmp(s.state, "awaiting_approval") == 0) {
		/* The people may have changed since composing: check the text again (outside the
		 * write transaction: it reads every name). */
		store_release(c);
		c = NULL;
		e = bulk_check(a, k, s.subject, s.body, why, &res->code);
		if (e == ERR_INVALID && res->code)
			audit_refused(a, k, actor, *why);
		c = store_acquire(a->store);
		if (e != ERR_OK)
			goto out;
	}
	e = store_begin(c);
	if (e == ERR_OK)
		e = state_now(c, id, s.state, sizeof s.state);
	if (e != ERR_OK)
		goto out;
	if (strcmp(s.state, "awaiting_approval") != 0) {
		*why = "この送信は、すでに承認または却下されています。";
		res->code = "already_decided";
		e = ERR_CONFLICT;
		goto out;
	}
	int64_t now = clock_now_ms();
	if (approve && s.at_ms > now) {
		e = set_state(c, id, "scheduled", u->id, NULL);
		if (e == ERR_OK)
			e = k->count(a, c, s.audience, &res->recipients);
		snprintf(res->state, sizeof res->state, "scheduled");
		res->at_ms = s.at_ms;
	} else if (approve) {
		e = queue(a, k, c, id, s.audience, s.subject, s.body, s.read_confirm, u->id,
			  &res->recipients);
		snprintf(res->state, sizeof res->state, "sent");
	} else {
		e = set_state(c, id, "rejected", u->id, NULL);
		snprintf(res->state, sizeof res->state, "rejected");
	}
	if (e != ERR_OK)
		goto out;
	action_of(k, approve ? "approve" : "reject", action, sizeof action);
	snprintf(detail, sizeof detail, "recipients=%zu state=%s", res->recipients, res->state);
	e = audit_append(c, a->vault, actor, action, object, detail);
	if (e == ERR_OK)
		e = store_commit(c);
	if (e == ERR_OK && strcmp(res->state, "sent") == 0 && a->mail)
		mail_sender_wake(a->mail);
out:
	if (c) {
		store_rollback(c);
		store_release(c);
	}
	stored_free(&s);
	return e;
}

enum err bulk_cancel(struct app *a, const struct bulk_kind *k, const struct user *u,
		     const char *actor, int64_t id, struct bulk_result *res, const char **why)
{
	struct stored s = {0};
	char object[64], action[64];
	struct store_conn *c = store_acquire(a->store);
	memset(res, 0, sizeof *res);
	res->id = id;
	*why = NULL;
	send_id_of(k, id, object, sizeof object);
	enum err e = load(a, k, c, id, &s);
	if (e == ERR_NOTFOUND)
		*why = WHY_NOT_FOUND;
	if (e != ERR_OK)
		goto out;
	if (s.author != u->id && !(u->role == ROLE_WARD_ADMIN && k->in_scope(a, u, s.audience))) {
		*why = "送信を取り消せるのは、作成した人か区の管理者だけです。";
		res->code = "not_author";
		audit_append(c, a->vault, actor, "denied", object, "cancel by another user");
		e = ERR_FORBIDDEN;
		goto out;
	}
	e = store_begin(c);
	if (e == ERR_OK)
		e = state_now(c, id, s.state, sizeof s.state);
	if (e != ERR_OK)
		goto out;
	if (strcmp(s.state, "awaiting_approval") != 0 && strcmp(s.state, "scheduled") != 0) {
		*why = "この送信は、もう取り消せません（送信済み・却下・取り消し済みのいずれかです"
		       "）。";
		res->code = "already_decided";
		e = ERR_CONFLICT;
		goto out;
	}
	e = set_state(c, id, "cancelled", 0, NULL);
	snprintf(res->state, sizeof res->state, "cancelled");
	action_of(k, "cancel", action, sizeof action);
	if (e == ERR_OK)
		e = audit_append(c, a->vault, actor, action, object, "");
	if (e == ERR_OK)
		e = store_commit(c);
out:
	store_rollback(c);
	store_release(c);
	stored_free(&s);
	return e;
}

/* One recipient of a send who has not read it: the sealed address, its owner and its list. */
struct unread {
	unsigned char *to;
	size_t len;
	int64_t owner;
	char list[MAIL_LIST_MAX];
};

/* Reads the outbox rows of send_id that no read confirms, on c, into *out (*n of them); rows
 * whose recipient was destroyed at the end of its retention period are not among them. */
static enum err unread_rows(struct store_conn *c, const char *send_id, struct unread **out,
			    size_t *n)
{
	size_t cap = 0;
	*out = NULL;
	*n = 0;
	struct store_stmt *st = store_prepare(
	    c, "SELECT o.to_enc, COALESCE(o.owner_id, 0), COALESCE(o.list, '') FROM outbox o "
	       "LEFT JOIN mail_reads r ON r.outbox_id = o.id WHERE o.send_id = ? AND "
	       "r.outbox_id IS NULL AND length(o.to_enc) > 0 ORDER BY o.id");
	if (!st)
		return ERR_DB;
	store_bind_text(st, 1, send_id);
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			*out = xrealloc(*out, cap * sizeof **out);
		}
		struct unread *r = &(*out)[(*n)++];
		const void *b = store_col_blob(st, 0, &r->len);
		r->to = xmalloc(r->len ? r->len : 1);
		memcpy(r->to, b, r->len);
		r->owner = store_col_int(st, 1);
		snprintf(r->list, sizeof r->list, "%s", store_col_text(st, 2));
	}
	store_finish(st);
	return rc == STORE_DONE ? ERR_OK : ERR_DB;
}

/* Counts into *n the mails of send id (list:id) and of its re-sends that have not gone yet
 * (queued, being sent or deferred), on c. */
static enum err still_going_out(struct store_conn *c, const struct bulk_kind *k, int64_t id,
				int64_t *n)
{
	char send_id[64];
	send_id_of(k, id, send_id, sizeof send_id);
	struct store_stmt *st = store_prepare(
	    c, "SELECT count(*) FROM outbox WHERE state IN ('queued', 'sending', 'deferred') AND "
	       "(send_id = ? OR send_id IN (SELECT CAST(? AS TEXT) || ':' || CAST(b.id AS TEXT) "
	       "FROM bulk_sends b WHERE b.parent_id = ?))");
	enum err e = ERR_DB;
	if (st) {
		store_bind_text(st, 1, send_id);
		store_bind_text(st, 2, k->list.name);
		store_bind_int(st, 3, id);
		if (store_step(st) == STORE_ROW) {
			*n = store_col_int(st, 0);
			e = ERR_OK;
		}
	}
	store_finish(st);
	return e;
}

enum err bulk_resend_unread(struct app *a, const struct bulk_kind *k, const struct user *u,
			    const char *actor, int64_t id, struct bulk_result *res,
			    const char **why)
{
	struct stored s = {0};
	struct unread *rows = NULL;
	size_t nrows = 0;
	char *subject = NULL, *full = NULL;
	char object[64], parent[64], detail[128], action[64], field[64];
	struct store_conn *c = store_acquire(a->store);
	const struct vault *v = app_vault(a, k->service);
	memset(res, 0, sizeof *res);
	*why = NULL;
	enum err e = v ? load(a, k, c, id, &s) : ERR_CRYPTO;
	if (e == ERR_NOTFOUND)
		*why = WHY_NOT_FOUND;
	if (e != ERR_OK)
		goto out;
	if (!k->in_scope(a, u, s.audience)) {
		*why = WHY_SCOPE;
		res->code = "out_of_scope";
		e = ERR_FORBIDDEN;
		goto out;
	}
	if (strcmp(s.state, "sent") != 0 || !s.read_confirm) {
		*why = "再送できるのは、「読みました」の確認を求めて送った送信だけです。";
		res->code = "nothing_to_resend";
		e = ERR_CONFLICT;
		goto out;
	}
	store_release(c);
	c = NULL;
	e = bulk_check(a, k, s.subject, s.body, why, &res->code);
	if (e == ERR_INVALID && res->code)
		audit_refused(a, k, actor, *why);
	if (e != ERR_OK)
		goto out;
	c = store_acquire(a->store);
	e = store_begin(c);
	if (e == ERR_OK)
		e = unread_rows(c, s.send_id, &rows, &nrows);
	if (e != ERR_OK)
		goto out;
	if (nrows == 0) {
		*why = "全員が「読みました」を押しています。再送する相手はいません。";
		res->code = "nothing_to_resend";
		e = ERR_CONFLICT;
		goto out;
	}
	/* Not while the send, or an earlier re-send of it, is still going out: those guardians
	 * would get the same mail twice (a second press, or a press before the first delivery). */
	int64_t going = 0;
	e = still_going_out(c, k, id, &going);
	if (e == ERR_OK && going > 0) {
		*why = "まだ届け終わっていないメールがあります。配信が終わってから再送してください。";
		res->code = "still_sending";
		e = ERR_CONFLICT;
	}
	if (e != ERR_OK)
		goto out;
	/* The same text, marked as a re-send when it still fits the subject's length. */
	if (strncmp(s.subject, RESEND_MARK, strlen(RESEND_MARK)) != 0 &&
	    bulk_chars(s.subject) + bulk_chars(RESEND_MARK) <= BULK_SUBJECT_MAX)
		subject = xasprintf("%s%s", RESEND_MARK, s.subject);
	else
		subject = xstrdup(s.subject);
	struct store_stmt *st = store_prepare(
	    c, "INSERT INTO bulk_sends(service, list, audience, subject_enc, body_enc, state, "
	       "author_id, created_ms, read_confirm, parent_id) "
	       "VALUES (?, ?, ?, ?, ?, 'scheduled', ?, ?, 1, ?)");
	e = ERR_DB;
	if (!st)
		goto out;
	store_bind_text(st, 1, k->service);
	store_bind_text(st, 2, k->list.name);
	store_bind_text(st, 3, s.audience);
	field_of(k, "subject", field, sizeof field);
	vault_bind_sealed(v, st, 4, field, subject);
	field_of(k, "body", field, sizeof field);
	vault_bind_sealed(v, st, 5, field, s.body);
	store_bind_int(st, 6, u->id);
	store_bind_int(st, 7, clock_now_ms());
	store_bind_int(st, 8, id);
	e = store_run(st);
	store_finish(st);
	if (e != ERR_OK)
		goto out;
	res->id = store_last_id(c);
	send_id_of(k, res->id, object, sizeof object);
	full = full_body(k, s.body);
	struct queue_ctx q = {.a = a,
			      .k = k,
			      .c = c,
			      .v = v,
			      .send_id = object,
			      .subject = subject,
			      .body = full,
			      .opts = {.read_link = 1}};
	buf_init(&q.own, 64 * 1024);
	e = mail_list_declare(c, k->service, &k->list);
	for (size_t i = 0; i < nrows && e == ERR_OK; i++) {
		char *addr = NULL;
		e = vault_unseal(v, "outbox.to", rows[i].to, rows[i].len, &addr);
		if (e == ERR_OK) {
			/* The same list as before: the kind's, or the recipient's own. */
			int own = rows[i].list[0] && strcmp(rows[i].list, k->list.name) != 0;
			struct bulk_recipient r = {addr, rows[i].owner, own ? rows[i].list : NULL};
			e = emit(&q, &r);
		}
		vault_wipe_free(addr);
	}
	buf_free(&q.own);
	if (e != ERR_OK)
		goto out;
	st = store_prepare(c, "UPDATE bulk_sends SET state = 'sent', send_id = ?, recipients = ?, "
			      "sent_ms = ? WHERE id = ?");
	e = ERR_DB;
	if (!st)
		goto out;
	store_bind_text(st, 1, object);
	store_bind_int(st, 2, (int64_t)q.queued);
	store_bind_int(st, 3, clock_now_ms());
	store_bind_int(st, 4, res->id);
	e = store_run(st);
	store_finish(st);
	res->recipients = q.queued;
	snprintf(res->state, sizeof res->state, "sent");
	send_id_of(k, id, parent, sizeof parent);
	action_of(k, "resend", action, sizeof action);
	snprintf(detail, sizeof detail, "parent=%s recipients=%zu", parent, q.queued);
	if (e == ERR_OK)
		e = audit_append(c, a->vault, actor, action, object, detail);
	if (e == ERR_OK)
		e = store_commit(c);
	if (e == ERR_OK && a->mail)
		mail_sender_wake(a->mail);
out:
	if (c) {
		store_rollback(c);
		store_release(c);
	}
	for (size_t i = 0; i < nrows; i++)
		free(rows[i].to);
	free(rows);
	vault_wipe_free(subject);
	vault_wipe_free(full);
	stored_free(&s);
	return e;
}

/* Sends scheduled send id of kind k whose time has come (actor "scheduler"). */
static enum err send_due(struct app *a, const struct bulk_kind *k, int64_t id, int *queued)
{
	struct stored s = {0};
	char object[64], action[64], detail[64];
	const char *why = NULL, *code = NULL;
	struct store_conn *c = store_acquire(a->store);
	size_t n = 0;
	*queued = 0;
	send_id_of(k, id, object, sizeof object);
	enum err e = load(a, k, c, id, &s);
	store_release(c);
	c = NULL;
	if (e != ERR_OK)
		goto out;
	/* The people of now decide: the text is checked again, the audience chosen anew. */
	enum err check = bulk_check(a, k, s.subject, s.body, &why, &code);
	if (check != ERR_OK && check != ERR_INVALID) {
		e = check;
		goto out;
	}
	c = store_acquire(a->store);
	e = store_begin(c);
	if (e == ERR_OK)
		e = state_now(c, id, s.state, sizeof s.state);
	if (e != ERR_OK || strcmp(s.state, "scheduled") != 0)
		goto out; /* withdrawn meanwhile */
	if (check == ERR_INVALID) {
		e = set_state(c, id, "refused", 0, why);
		action_of(k, "refused", action, sizeof action);
		if (e == ERR_OK)
			e = audit_append(c, a->vault, "scheduler", action, object, why);
		log_warn("bulk: scheduled send %s refused at its time (its text holds what is "
			 "personal data now)",
			 object);
	} else {
		e = queue(a, k, c, id, s.audience, s.subject, s.body, s.read_confirm, 0, &n);
		action_of(k, "send", action, sizeof action);
		snprintf(detail, sizeof detail, "scheduled recipients=%zu", n);
		if (e == ERR_OK)
			e = audit_append(c, a->vault, "scheduler", action, object, detail);
		*queued = e == ERR_OK;
	}
	if (e == ERR_OK)
		e = store_commit(c);
out:
	if (c) {
		store_rollback(c);
		store_release(c);
	}
	stored_free(&s);
	return e;
}

enum err bulk_run_due(struct app *a, const struct bulk_kind *const *kinds, int64_t now_ms,
		      size_t *sent)
{
	int64_t ids[64];
	char lists[64][MAIL_LIST_MAX];
	size_t n = 0;
	*sent = 0;
	struct store_conn *c = store_acquire(a->store);
	struct store_stmt *st =
	    store_prepare(c, "SELECT id, list FROM bulk_sends WHERE state = 'scheduled' AND "
			     "at_ms IS NOT NULL AND at_ms <= ? ORDER BY at_ms, id LIMIT 64");
	enum err e = ERR_DB;
	if (st) {
		store_bind_int(st, 1, now_ms);
		int rc;
		while ((rc = store_step(st)) == STORE_ROW && n < 64) {
			ids[n] = store_col_int(st, 0);
			snprintf(lists[n], sizeof lists[0], "%s", store_col_text(st, 1));
			n++;
		}
		e = rc == STORE_DONE || rc == STORE_ROW ? ERR_OK : ERR_DB;
	}
	store_finish(st);
	store_release(c);
	for (size_t i = 0; i < n && e == ERR_OK; i++) {
		const struct bulk_kind *const *k = kinds;
		while (*k && strcmp((*k)->list.name, lists[i]) != 0)
			k++;
		if (!*k)
			continue; /* no service sends this list in this program */
		int queued = 0;
		e = send_due(a, *k, ids[i], &queued);
		*sent += (size_t)queued;
	}
	if (*sent && a->mail)
		mail_sender_wake(a->mail);
	return e;
}

const char *bulk_delivery(const char *state, int64_t total, int64_t sent, int64_t failed)
{
	if (!state || strcmp(state, "sent") != 0)
		return NULL;
	if (sent + failed < total)
		return sent + failed == 0 ? "queued" : "sending";
	return failed ? "partly_failed" : "done";
}
