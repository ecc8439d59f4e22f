/* SPDX-License-Identifier: MIT */
/* signup_mail.c — sign-up by empty mail (the service's mail-in hook): a mail to the sign-up
 * address ([schoolmail] signup_address, touroku@…) with a school's security code as its subject
 * or as touroku+CODE@… is answered with a one-time link to the registration page; a wrong or
 * last year's code, a mail to an unknown address of the sign-up domain or a flood gets a short
 * reply at most once per address an hour; automatic mail is never answered. No reply depends on
 * whether the address is registered. Linked into the lean mail-in program: nothing here may
 * need the PDF, HTTP or spreadsheet libraries. */
#include "schoolmail/schoolmail.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app.h"
#include "auth/audit.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "mail/mail.h"
#include "store/store.h"
#include "vault/vault.h"

#define HOUR_MS (3600LL * 1000)

enum answer {
	ANSWER_LINK,	/* a valid code of this year: the link */
	ANSWER_OLD,	/* a code of an earlier year */
	ANSWER_WRONG,	/* no code, or no such code */
	ANSWER_UNKNOWN, /* a mail to another address of the sign-up domain */
	ANSWER_FLOOD,	/* too many links for this address this hour, or for everyone */
};

static const char *const answer_names[] = {"link", "old_code", "wrong_code", "unknown_address",
					   "flood"};

/* The recipient of the message at the sign-up domain: the envelope recipient first, then the
 * addresses it was delivered to. Copies its local part (lower-cased) into local and returns 1,
 * or 0 when none is at the sign-up domain. */
static int our_recipient(const struct schoolmail_config *cfg, const struct mail_in_msg *m,
			 char *local, size_t n)
{
	for (size_t i = 0; i <= m->naddrs; i++) {
		const char *a = i == 0 ? m->rcpt : m->addrs[i - 1];
		if (!a || !*a)
			continue;
		while (*a == '<' || *a == ' ')
			a++;
		const char *at = strrchr(a, '@');
		if (!at || at == a || (size_t)(at - a) >= n)
			continue;
		size_t dn = strcspn(at + 1, "> \t");
		if (dn != strlen(cfg->signup_domain) ||
		    strncasecmp(at + 1, cfg->signup_domain, dn) != 0)
			continue;
		size_t ln = (size_t)(at - a);
		for (size_t k = 0; k < ln; k++)
			local[k] = (char)tolower((unsigned char)a[k]);
		local[ln] = '\0';
		return 1;
	}
	return 0;
}

/* 1 for the local parts the platform or the mail system answer for (bounces, unsubscribes,
 * postmaster): never given a reply here. */
static int platform_local(const char *base)
{
	static const char *const names[] = {"bounces", "unsubscribe", "postmaster",
					    "mailer-daemon", "abuse", "noreply"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(base, names[i]) == 0)
			return 1;
	return 0;
}

/* The subject and body of a reply into *subject and body. */
static void compose(enum answer ans, const struct schoolmail_config *cfg, const char *base_url,
		    const struct school *s, const char *token, const char **subject,
		    struct buf *body)
{
	switch (ans) {
	case ANSWER_LINK:
		*subject = "【一斉メール登録】登録のご案内";
		buf_printf(body,
			   "%sの一斉メールへの登録のご案内です。\n\n"
			   "次のリンクを開き、学年・組・お子さまの氏名・保護者の氏名を入力して、"
			   "登録を完了してください。\n%s/school/signup/#t=%s\n\n"
			   "・このリンクは%d時間有効で、1回だけ使えます。\n"
			   "・きょうだいが同じ学校・園にいる場合は、同じ画面でまとめて登録できます。\n"
			   "・お心当たりのない場合は、このメールを破棄してください"
			   "（登録はされません）。\n",
			   s->name, base_url, token, cfg->link_hours);
		break;
	case ANSWER_OLD:
		*subject = "【一斉メール登録】セキュリティコードが変わっています";
		buf_printf(body,
			   "お送りいただいたセキュリティコードは、前の年度のものです。"
			   "セキュリティコードは年度ごとに変わります。\n"
			   "今年度、学校・園から配られた「一斉メール登録のご案内」に書かれた"
			   "セキュリティコードを件名に入れて、%s へ空メールを送ってください。\n",
			   cfg->signup_address);
		break;
	case ANSWER_WRONG:
		*subject = "【一斉メール登録】セキュリティコードを確認してください";
		buf_printf(body,
			   "お送りいただいたメールからは、登録できるセキュリティコードが"
			   "見つかりませんでした。\n"
			   "学校・園から配られた「一斉メール登録のご案内」に書かれた"
			   "セキュリティコード（8文字）を件名に入れて、%s へ空メールを送って"
			   "ください。案内のQRコードを読み取ると、宛先と件名が入ります。\n",
			   cfg->signup_address);
		break;
	case ANSWER_UNKNOWN:
		*subject = "【一斉メール登録】宛先を確認してください";
		buf_printf(body,
			   "このアドレスでは、メールを受け付けていません。\n"
			   "一斉メールへの登録は、セキュリティコードを件名に入れて %s へ"
			   "空メールを送ってください。\n",
			   cfg->signup_address);
		break;
	case ANSWER_FLOOD:
		*subject = "【一斉メール登録】しばらくしてから送ってください";
		buf_printf(body,
			   "短い時間に多くの登録メールが届いたため、このアドレスからの受け付けを"
			   "しばらく止めています。\n"
			   "1時間ほどたってから、もう一度空メールを送ってください。"
			   "すでに届いている登録用のリンクは、有効期限まで使えます。\n");
		break;
	}
	if (ans != ANSWER_LINK)
		buf_puts(body, "\nこのお知らせは、同じメールアドレスには1時間に1回までお送りします。\n");
	buf_printf(body, "\n%s\n（このメールには返信できません）\n", cfg->ward_name);
}

/* This address's limits on c: links sent this hour (*links), the last short reply (*short_ms),
 * and whether it has a row (*known). */
static enum err limits_get(struct store_conn *c, const unsigned char *idx, int64_t now,
			   int64_t *links, int64_t *short_ms)
{
	struct store_stmt *st = store_prepare(
	    c, "SELECT window_ms, links, short_ms FROM school_mail_in WHERE email_idx = ?");
	if (!st)
		return ERR_DB;
	store_bind_blob(st, 1, idx, VAULT_BLIND_LEN);
	int rc = store_step(st);
	*links = 0;
	*short_ms = 0;
	if (rc == STORE_ROW) {
		*links = store_col_int(st, 0) > now - HOUR_MS ? store_col_int(st, 1) : 0;
		*short_ms = store_col_int(st, 2);
	}
	store_finish(st);
	return rc == STORE_ROW || rc == STORE_DONE ? ERR_OK : ERR_DB;
}

static enum err limits_put(struct store_conn *c, const unsigned char *idx, int64_t now,
			   int link, int short_reply)
{
	/* A window starts with the first link of an hour. */
	struct store_stmt *st = store_prepare(
	    c, "INSERT INTO school_mail_in(email_idx, window_ms, links, short_ms) "
	       "VALUES (?1, ?2, ?3, CASE WHEN ?4 = 1 THEN ?2 ELSE 0 END) "
	       "ON CONFLICT(email_idx) DO UPDATE SET "
	       "links = CASE WHEN school_mail_in.window_ms > ?2 - 3600000 "
	       "THEN school_mail_in.links + ?3 ELSE ?3 END, "
	       "window_ms = CASE WHEN school_mail_in.window_ms > ?2 - 3600000 "
	       "THEN school_mail_in.window_ms ELSE ?2 END, "
	       "short_ms = CASE WHEN ?4 = 1 THEN ?2 ELSE school_mail_in.short_ms END");
	if (!st)
		return ERR_DB;
	store_bind_blob(st, 1, idx, VAULT_BLIND_LEN);
	store_bind_int(st, 2, now);
	store_bind_int(st, 3, link);
	store_bind_int(st, 4, short_reply);
	enum err e = store_run(st);
	store_finish(st);
	return e;
}

/* Replies of this hour for everyone (links + shorts) on c. */
static enum err hour_get(struct store_conn *c, int64_t hour, int64_t *n)
{
	struct store_stmt *st =
	    store_prepare(c, "SELECT links + shorts FROM school_mail_in_hours WHERE hour = ?");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, hour);
	int rc = store_step(st);
	*n = rc == STORE_ROW ? store_col_int(st, 0) : 0;
	store_finish(st);
	return rc == STORE_ROW || rc == STORE_DONE ? ERR_OK : ERR_DB;
}

static enum err hour_add(struct store_conn *c, int64_t hour, int link)
{
	struct store_stmt *st = store_prepare(
	    c, "INSERT INTO school_mail_in_hours(hour, links, shorts) VALUES (?1, ?2, 1 - ?2) "
	       "ON CONFLICT(hour) DO UPDATE SET links = school_mail_in_hours.links + ?2, "
	       "shorts = school_mail_in_hours.shorts + 1 - ?2");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, hour);
	store_bind_int(st, 2, link);
	enum err e = store_run(st);
	store_finish(st);
	if (e == ERR_OK && link == 0 && hour % 24 == 0) {
		/* Once in a while, forget old hours. */
		st = store_prepare(c, "DELETE FROM school_mail_in_hours WHERE hour < ?");
		if (!st)
			return ERR_DB;
		store_bind_int(st, 1, hour - 48);
		e = store_run(st);
		store_finish(st);
	}
	return e;
}

/* Decides and records the answer to from (code as read, base the recipient's local part) on c
 * in one transaction: *ans and *replied (0 when nothing is sent). */
static enum err answer(struct app *a, struct store_conn *c, const char *from, const char *code,
		       int unknown_address, enum answer *ans, int *replied, int64_t *school_id)
{
	const struct schoolmail_config *cfg = schoolmail_config(a);
	const struct vault *v = schoolmail_vault(a);
	unsigned char idx[VAULT_BLIND_LEN];
	char *lower = xstrdup(from), *token = NULL, object[48], detail[64];
	int64_t now = clock_now_ms(), links = 0, short_ms = 0, hour_n = 0;
	int year = 0, code_year = 0;
	struct school s;
	struct buf body;
	buf_init(&body, 64 * 1024);
	for (char *p = lower; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	vault_blind(v, "school-mail-in", lower, idx);
	vault_wipe_free(lower);
	*replied = 0;
	*school_id = 0;
	enum err e = store_begin(c);
	if (e == ERR_OK)
		e = schoolmail_year(c, &year);
	if (e != ERR_OK)
		goto out;
	*ans = ANSWER_WRONG;
	if (unknown_address) {
		*ans = ANSWER_UNKNOWN;
	} else if (code[0]) {
		e = schoolmail_code_lookup(c, code, school_id, &code_year);
		if (e == ERR_OK)
			*ans = code_year == year ? ANSWER_LINK : ANSWER_OLD;
		else if (e != ERR_NOTFOUND)
			goto out;
		else
			*school_id = 0;
	}
	e = limits_get(c, idx, now, &links, &short_ms);
	if (e == ERR_OK)
		e = hour_get(c, now / HOUR_MS, &hour_n);
	if (e != ERR_OK)
		goto out;
	if (*ans == ANSWER_LINK && (links >= cfg->links_per_hour || hour_n >= cfg->replies_per_hour))
		*ans = ANSWER_FLOOD;
	const char *subject = NULL;
	if (*ans == ANSWER_LINK) {
		e = schoolmail_school_get(c, *school_id, &s);
		if (e == ERR_OK)
			e = schoolmail_signup_link(c, v, *school_id, from, cfg->link_hours, &token);
		if (e != ERR_OK)
			goto out;
		compose(*ans, cfg, a->cfg.base_url, &s, token, &subject, &body);
		*replied = 1;
	} else if (short_ms <= now - HOUR_MS && hour_n < cfg->replies_per_hour) {
		compose(*ans, cfg, a->cfg.base_url, NULL, NULL, &subject, &body);
		*replied = 1;
	}
	if (*replied) {
		e = schoolmail_mail_queue(c, v, *ans == ANSWER_LINK ? "signup" : "reply", from,
					  subject, body.data);
		if (e == ERR_OK)
			e = limits_put(c, idx, now, *ans == ANSWER_LINK, *ans != ANSWER_LINK);
		if (e == ERR_OK)
			e = hour_add(c, now / HOUR_MS, *ans == ANSWER_LINK);
		if (e != ERR_OK)
			goto out;
	}
	if (*school_id)
		snprintf(object, sizeof object, "school:%" PRId64, *school_id);
	else
		snprintf(object, sizeof object, "school:-");
	snprintf(detail, sizeof detail, "%s%s", answer_names[*ans], *replied ? "" : " (no reply)");
	e = audit_append(c, a->vault, "mail-in", "school.signup.mail", object, detail);
	if (e == ERR_OK)
		e = store_commit(c);
out:
	store_rollback(c);
	if (body.data)
		vault_wipe(body.data, body.len);
	buf_free(&body);
	vault_wipe_free(token);
	return e;
}

enum err schoolmail_mail_in(struct app *a, const struct mail_in_msg *m, int *taken)
{
	const struct schoolmail_config *cfg = schoolmail_config(a);
	char local[128], code[SCHOOLMAIL_CODE_LEN + 1] = "";
	*taken = 0;
	if (!our_recipient(cfg, m, local, sizeof local))
		return ERR_OK;
	*taken = 1;
	char *plus = strchr(local, '+');
	const char *tag = plus ? plus + 1 : NULL;
	if (plus)
		*plus = '\0';
	int unknown = strcmp(local, cfg->signup_local) != 0;
	if (unknown && platform_local(local)) {
		log_info("schoolmail: mail-in: a mail to a system address of the sign-up domain, "
			 "not answered");
		return ERR_OK;
	}
	if (m->automatic) {
		log_info("schoolmail: mail-in: automatic mail (auto-reply, list, bounce), not "
			 "answered");
		return ERR_OK;
	}
	const char *at = strrchr(m->from, '@');
	if (!m->from[0] || !mail_address_valid(m->from) ||
	    (at && strcasecmp(at + 1, cfg->signup_domain) == 0)) {
		log_info("schoolmail: mail-in: no sender address to answer, dropped");
		return ERR_OK;
	}
	if (!unknown && !(tag && schoolmail_code_read(tag, code)))
		schoolmail_code_read(m->subject, code);
	enum answer ans = ANSWER_WRONG;
	int replied = 0;
	int64_t school_id = 0;
	struct store_conn *c = store_acquire(a->store);
	enum err e = answer(a, c, m->from, code, unknown, &ans, &replied, &school_id);
	store_release(c);
	if (e != ERR_OK) {
		log_error("schoolmail: mail-in: could not record the sign-up mail now (%s)",
			  err_str(e));
		return e;
	}
	log_info("schoolmail: mail-in: %s for school %" PRId64 "%s", answer_names[ans], school_id,
		 replied ? ", answered" : ", not answered (once an hour)");
	return ERR_OK;
}
