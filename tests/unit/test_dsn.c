/* SPDX-License-Identifier: MIT */
/* test_dsn.c — unit tests for bounces: reading delivery status notifications (RFC 3464) from
 * the fixtures in tests/unit/dsn/, VERP return paths (a forged mac too), and mail_inbound
 * against a real SQLite file and vault: hard, soft, duplicate, VERP and Message-ID matches,
 * the bounce limit and clearing on re-confirmation. Bad input is fed in cut and mutated. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/buf.h"
#include "base/xalloc.h"
#include "mail/mail.h"
#include "store/store.h"
#include "vault/vault.h"

#include "store_env.h"

#define FIXTURES "tests/unit/dsn/"

/* Returns the fixture's bytes (malloc'd, NUL-terminated; caller frees) and their length. */
static char *fixture(const char *name, size_t *len)
{
	char *path = xasprintf(FIXTURES "%s", name);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	struct buf b;
	buf_init(&b, 1 << 20);
	char tmp[4096];
	for (size_t n = fread(tmp, 1, sizeof tmp, f); n > 0; n = fread(tmp, 1, sizeof tmp, f))
		assert_int_equal(buf_append(&b, tmp, n), ERR_OK);
	fclose(f);
	free(path);
	buf_puts(&b, "");
	*len = b.len;
	return buf_steal(&b);
}

/* Returns a malloc'd copy of s with every `from` replaced by `to`. */
static char *replace(const char *s, const char *from, const char *to)
{
	struct buf b;
	buf_init(&b, 1 << 22);
	size_t fl = strlen(from);
	for (const char *p = s;;) {
		const char *hit = strstr(p, from);
		if (!hit) {
			buf_puts(&b, p);
			break;
		}
		buf_append(&b, p, (size_t)(hit - p));
		buf_puts(&b, to);
		p = hit + fl;
	}
	return buf_steal(&b);
}

static void parse_fixture(const char *name, struct mail_dsn *d)
{
	size_t len;
	char *msg = fixture(name, &len);
	assert_int_equal(mail_dsn_parse(msg, len, d), ERR_OK);
	free(msg);
}

static int has_addr(const struct mail_dsn *d, const char *addr)
{
	for (size_t i = 0; i < d->naddrs; i++)
		if (strcmp(d->addrs[i], addr) == 0)
			return 1;
	return 0;
}

static void test_postfix_hard(void **state)
{
	(void)state;
	struct mail_dsn d;
	size_t which = 9;
	parse_fixture("postfix_hard_511.eml", &d);
	assert_true(d.is_dsn);
	assert_int_equal(d.nrcpt, 1);
	assert_string_equal(d.rcpt[0].action, "failed");
	assert_string_equal(d.rcpt[0].status, "5.1.1");
	assert_string_equal(d.rcpt[0].final_rcpt, "no.such.user@example.jp");
	assert_string_equal(d.rcpt[0].orig_rcpt, "no.such.user@example.jp");
	assert_string_equal(d.rcpt[0].diagnostic,
			    "550 5.1.1 <no.such.user@example.jp>: Recipient address rejected: "
			    "User unknown in virtual mailbox table");
	assert_string_equal(d.message_id, "<q3Z0f4mXc1gT7r2Yb8kLpA9e@mimamori.invalid>");
	assert_true(has_addr(&d, "bounces+42-0a1b2c3d4e@mimamori.example.jp"));
	assert_int_equal(mail_dsn_rcpt_kind(&d.rcpt[0]), MAIL_BOUNCE_HARD);
	assert_int_equal(mail_dsn_verdict(&d, "No.Such.User@example.jp", &which), MAIL_BOUNCE_HARD);
	assert_int_equal(which, 0);
	mail_dsn_clear(&d);
	assert_int_equal(d.nrcpt, 0);
}

static void test_postfix_delayed(void **state)
{
	(void)state;
	struct mail_dsn d;
	size_t which;
	parse_fixture("postfix_delayed_422.eml", &d);
	assert_true(d.is_dsn);
	assert_int_equal(d.nrcpt, 1);
	assert_string_equal(d.rcpt[0].action, "delayed");
	assert_string_equal(d.rcpt[0].status, "4.2.2");
	/* A folded Message-ID header in the returned headers. */
	assert_string_equal(d.message_id, "<Rk4uW2xYpQ7nB0cV5tZs1mHj@mimamori.invalid>");
	assert_int_equal(mail_dsn_verdict(&d, "hanako.full@example.jp", &which), MAIL_BOUNCE_SOFT);
	mail_dsn_clear(&d);
}

static void test_multi_recipient(void **state)
{
	(void)state;
	struct mail_dsn d;
	size_t which;
	parse_fixture("multi_rcpt.eml", &d);
	assert_true(d.is_dsn);
	assert_int_equal(d.nrcpt, 3);
	assert_string_equal(d.rcpt[0].action, "failed"); /* "Failed" */
	assert_string_equal(d.rcpt[0].final_rcpt, "ichiro@example.ne.jp");
	assert_string_equal(d.rcpt[0].orig_rcpt, "family@example.ne.jp");
	assert_string_equal(d.rcpt[1].final_rcpt, "Jiro@Example.NE.JP");
	assert_string_equal(d.rcpt[1].status, "4.4.1");
	assert_string_equal(d.rcpt[2].action, "relayed");
	assert_string_equal(d.rcpt[2].status, "2.0.0");
	assert_string_equal(d.message_id, "<Mx9pL0aQ4vW8eR2tY6uI1oPs@mimamori.invalid>");
	assert_true(has_addr(&d, "bounces+7-99aa88bb77@mimamori.example.jp"));
	/* The groups that name our recipient decide… */
	assert_int_equal(mail_dsn_verdict(&d, "family@example.ne.jp", &which), MAIL_BOUNCE_HARD);
	assert_int_equal(which, 0);
	assert_int_equal(mail_dsn_verdict(&d, "jiro@example.ne.jp", &which), MAIL_BOUNCE_SOFT);
	assert_int_equal(which, 1);
	assert_int_equal(mail_dsn_verdict(&d, "saburo@example.ne.jp", &which), MAIL_BOUNCE_NONE);
	assert_int_equal(mail_dsn_verdict(&d, "\"saburo\"@example.ne.jp", &which),
			 MAIL_BOUNCE_NONE); /* a quoted local part is the same address */
	/* …and when none names it (rewritten on the way), all of them. */
	assert_int_equal(mail_dsn_verdict(&d, "someone@else.example", &which), MAIL_BOUNCE_HARD);
	assert_int_equal(which, 0);
	mail_dsn_clear(&d);
}

static void test_rfc822_returned(void **state)
{
	(void)state;
	struct mail_dsn d;
	size_t which;
	parse_fixture("rfc822_returned.eml", &d); /* CRLF; the status part in base64 */
	assert_true(d.is_dsn);
	assert_int_equal(d.nrcpt, 1);
	assert_string_equal(d.rcpt[0].status, "5.2.1");
	assert_string_equal(d.rcpt[0].final_rcpt, "hanako.old@example-mobile.jp");
	assert_string_equal(d.rcpt[0].diagnostic,
			    "550 5.2.1 The email account that you tried to reach is disabled. "
			    "(hanako.old@example-mobile.jp)");
	assert_string_equal(d.message_id, "<Zz8yX1cVbN3mQ5wE7rT9aS2d@mimamori.invalid>");
	assert_true(has_addr(&d, "bounces+1234-5f5f5f5f5f@mimamori.example.jp"));
	assert_int_equal(mail_dsn_verdict(&d, "hanako.old@example-mobile.jp", &which),
			 MAIL_BOUNCE_HARD);
	mail_dsn_clear(&d);
}

static void test_not_reports(void **state)
{
	(void)state;
	struct mail_dsn d;
	size_t len, which;
	parse_fixture("not_report.eml", &d); /* an out-of-office reply */
	assert_false(d.is_dsn);
	assert_int_equal(d.nrcpt, 0);
	parse_fixture("mdn_report.eml", &d); /* multipart/report, but a read receipt */
	assert_false(d.is_dsn);
	char *g = fixture("garbage.bin", &len);
	enum err e = mail_dsn_parse(g, len, &d);
	assert_true(e == ERR_INVALID || (e == ERR_OK && !d.is_dsn));
	free(g);
	assert_int_equal(mail_dsn_parse("", 0, &d), ERR_INVALID);
	e = mail_dsn_parse("hello", 5, &d);
	assert_true(e == ERR_INVALID || !d.is_dsn);
	/* Cut in the middle of a recipient group: nothing usable. */
	parse_fixture("truncated.eml", &d);
	assert_int_equal(mail_dsn_verdict(&d, "x@example.jp", &which), MAIL_BOUNCE_NONE);
	mail_dsn_clear(&d);
}

/* A minimal multipart/report around a delivery-status body. */
static char *report_with(const char *status_body)
{
	return xasprintf("From: MAILER-DAEMON@mx.example.jp\r\nTo: bounces@example.jp\r\n"
			 "MIME-Version: 1.0\r\nContent-Type: multipart/report; "
			 "report-type=delivery-status; boundary=b\r\n\r\n--b\r\n"
			 "Content-Type: text/plain\r\n\r\nfailed\r\n--b\r\n"
			 "Content-Type: message/delivery-status\r\n\r\n%s\r\n--b--\r\n",
			 status_body);
}

static void status_of(const char *status_line, const char *want, const char *action)
{
	char *body = xasprintf("Reporting-MTA: dns; mx.example.jp\r\n\r\nFinal-Recipient: rfc822; "
			       "a@example.jp\r\nAction: %s\r\n%s\r\n",
			       action, status_line);
	char *msg = report_with(body);
	struct mail_dsn d;
	assert_int_equal(mail_dsn_parse(msg, strlen(msg), &d), ERR_OK);
	assert_true(d.is_dsn);
	assert_int_equal(d.nrcpt, 1);
	assert_string_equal(d.rcpt[0].status, want);
	free(body);
	free(msg);
}

static void test_status_and_kinds(void **state)
{
	(void)state;
	status_of("Status: 5.1.1", "5.1.1", "failed");
	status_of("Status: 5.1.10 (bad destination mailbox)", "5.1.10", "failed");
	status_of("Status: 4.7.0", "4.7.0", "delayed");
	status_of("Status: 5.1", "", "failed");
	status_of("Status: 9.1.1", "", "failed");
	status_of("Status: 5.1111.1", "", "failed");
	status_of("Status:    2.0.0", "2.0.0", "delivered");
	status_of("Status: 5.1.1x", "", "failed");
	static const struct {
		const char *action, *status;
		enum mail_bounce_kind kind;
	} cases[] = {
	    {"failed", "5.1.1", MAIL_BOUNCE_HARD},  {"failed", "4.4.7", MAIL_BOUNCE_SOFT},
	    {"failed", "", MAIL_BOUNCE_SOFT},	    {"delayed", "4.2.2", MAIL_BOUNCE_SOFT},
	    {"delayed", "5.0.0", MAIL_BOUNCE_SOFT}, {"delivered", "2.0.0", MAIL_BOUNCE_NONE},
	    {"relayed", "2.0.0", MAIL_BOUNCE_NONE}, {"expanded", "2.0.0", MAIL_BOUNCE_NONE},
	    {"", "5.0.0", MAIL_BOUNCE_SOFT},	    {"", "", MAIL_BOUNCE_NONE},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct mail_dsn_rcpt r;
		memset(&r, 0, sizeof r);
		snprintf(r.action, sizeof r.action, "%s", cases[i].action);
		snprintf(r.status, sizeof r.status, "%s", cases[i].status);
		assert_int_equal(mail_dsn_rcpt_kind(&r), cases[i].kind);
	}
	/* More recipient groups than kept: the first MAIL_DSN_RCPT_MAX, nothing overflows. */
	struct buf b;
	buf_init(&b, 1 << 20);
	buf_puts(&b, "Reporting-MTA: dns; mx.example.jp\r\n");
	for (int i = 0; i < 40; i++)
		buf_printf(&b,
			   "\r\nFinal-Recipient: rfc822; r%d@example.jp\r\nAction: failed\r\n"
			   "Status: 5.1.1\r\n",
			   i);
	char *msg = report_with(b.data);
	struct mail_dsn d;
	assert_int_equal(mail_dsn_parse(msg, strlen(msg), &d), ERR_OK);
	assert_int_equal(d.nrcpt, MAIL_DSN_RCPT_MAX);
	assert_string_equal(d.rcpt[MAIL_DSN_RCPT_MAX - 1].final_rcpt, "r15@example.jp");
	free(msg);
	buf_free(&b);
	/* A field longer than we keep is cut, NUL-terminated. */
	char *longdiag = xmalloc(5000);
	memset(longdiag, 'x', 4999);
	longdiag[4999] = '\0';
	char *body = xasprintf("Final-Recipient: rfc822; a@example.jp\r\nAction: failed\r\n"
			       "Status: 5.0.0\r\nDiagnostic-Code: smtp; 550 %s\r\n",
			       longdiag);
	msg = report_with(body);
	assert_int_equal(mail_dsn_parse(msg, strlen(msg), &d), ERR_OK);
	assert_int_equal(strlen(d.rcpt[0].diagnostic), MAIL_DSN_FIELD_MAX - 1);
	free(longdiag);
	free(body);
	free(msg);
}

/* Checks the invariants of whatever a parse produced. */
static void check_sane(const struct mail_dsn *d)
{
	assert_true(d->nrcpt <= MAIL_DSN_RCPT_MAX);
	assert_true(d->naddrs <= MAIL_DSN_ADDRS_MAX);
	assert_true(strlen(d->message_id) < MAIL_DSN_FIELD_MAX);
	for (size_t i = 0; i < d->nrcpt; i++) {
		assert_true(strlen(d->rcpt[i].action) < sizeof d->rcpt[i].action);
		assert_true(strlen(d->rcpt[i].status) < sizeof d->rcpt[i].status);
		assert_true(strlen(d->rcpt[i].diagnostic) < MAIL_DSN_FIELD_MAX);
		assert_true(strlen(d->rcpt[i].final_rcpt) < MAIL_DSN_FIELD_MAX);
	}
}

/* Every fixture cut at many lengths and mutated (deterministic xorshift): never a crash, a
 * leak or undefined behaviour (run under ASan+UBSan), and sane results. */
static void test_cut_and_mutated(void **state)
{
	(void)state;
	static const char *const names[] = {"postfix_hard_511.eml", "postfix_delayed_422.eml",
					    "multi_rcpt.eml",	    "rfc822_returned.eml",
					    "not_report.eml",	    "mdn_report.eml",
					    "truncated.eml",	    "garbage.bin"};
	uint32_t x = 2463534242u;
	struct mail_dsn *d = xmalloc(sizeof *d);
	for (size_t f = 0; f < sizeof names / sizeof names[0]; f++) {
		size_t len;
		char *msg = fixture(names[f], &len);
		for (size_t cut = 0; cut <= len; cut += cut < 400 ? 1 : 13) {
			char *part =
			    xmalloc(cut ? cut : 1); /* exactly cut bytes: ASan sees overreads */
			memcpy(part, msg, cut);
			if (mail_dsn_parse(part, cut, d) == ERR_OK)
				check_sane(d);
			free(part);
		}
		for (int round = 0; round < 1500; round++) {
			char *m = xmalloc(len);
			memcpy(m, msg, len);
			for (int k = 0; k < 1 + round % 8; k++) {
				x ^= x << 13;
				x ^= x >> 17;
				x ^= x << 5;
				static const char bytes[] = {'\n', '\r', ':',	    ';', '-',
							     ' ',  '\0', '<',	    '>', '"',
							     '=',  'A',	 (char)0xff};
				m[x % len] = bytes[(x >> 8) % sizeof bytes];
			}
			if (mail_dsn_parse(m, len, d) == ERR_OK)
				check_sane(d);
			free(m);
		}
		free(msg);
	}
	free(d);
}

static void test_verp(void **state)
{
	(void)state;
	struct env_base e;
	char addr[256], bad[300];
	int64_t id = 0;
	store_env_open(&e, "dsn");
	assert_int_equal(mail_verp_make(e.v, 42, "mimamori.example.jp", addr, sizeof addr), ERR_OK);
	assert_int_equal(strncmp(addr, "bounces+42-", 11), 0);
	assert_int_equal(strlen(addr),
			 strlen("bounces+42-@mimamori.example.jp") + MAIL_VERP_MAC_LEN);
	assert_true(mail_address_valid(addr));
	assert_int_equal(mail_verp_parse(e.v, addr, &id), ERR_OK);
	assert_int_equal(id, 42);
	/* Letter case changed on the way, or written in <>: still ours. */
	snprintf(bad, sizeof bad, "<%s>", addr);
	for (char *p = bad; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	assert_int_equal(mail_verp_parse(e.v, bad, &id), ERR_OK);
	assert_int_equal(id, 42);
	/* A forged mac: one character changed. */
	snprintf(bad, sizeof bad, "%s", addr);
	bad[11] = bad[11] == '0' ? '1' : '0';
	assert_int_equal(mail_verp_parse(e.v, bad, &id), ERR_INVALID);
	assert_int_equal(id, 0);
	/* Row 42's mac on row 43. */
	char *other =
	    xasprintf("bounces+43-%.*s@mimamori.example.jp", MAIL_VERP_MAC_LEN, addr + 11);
	assert_int_equal(mail_verp_parse(e.v, other, &id), ERR_INVALID);
	free(other);
	/* Not VERP at all. */
	static const char *const notverp[] = {"noreply@mimamori.example.jp",
					      "bounces@mimamori.example.jp",
					      "bounces+42@mimamori.example.jp",
					      "bounces+-0a1b2c3d4e@mimamori.example.jp",
					      "bounces+42-0a1b2c3d4@mimamori.example.jp",
					      "bounces+42-0a1b2c3d4e5@mimamori.example.jp",
					      "bounces+42-0a1b2c3d4g@mimamori.example.jp",
					      "bounces+42-0a1b2c3d4e@",
					      "bounces+0-0a1b2c3d4e@x.jp",
					      "bounces+1234567890123456789-0a1b2c3d4e@x.jp",
					      "",
					      NULL};
	for (size_t i = 0; i < sizeof notverp / sizeof notverp[0]; i++)
		assert_int_equal(mail_verp_parse(e.v, notverp[i], &id), ERR_NOTFOUND);
	/* Make: bad arguments and a small buffer. */
	assert_int_equal(mail_verp_make(e.v, 0, "x.jp", addr, sizeof addr), ERR_INVALID);
	assert_int_equal(mail_verp_make(e.v, 1, "bad domain", addr, sizeof addr), ERR_INVALID);
	assert_int_equal(mail_verp_make(e.v, 1, "", addr, sizeof addr), ERR_INVALID);
	assert_int_equal(mail_verp_make(e.v, 123456, "mimamori.example.jp", addr, 20),
			 ERR_TOOLARGE);
	assert_string_equal(addr, "");
	/* Another data key (another ward) makes another mac. */
	struct env_base e2;
	store_env_open(&e2, "dsn");
	assert_int_equal(mail_verp_make(e.v, 7, "x.example.jp", addr, sizeof addr), ERR_OK);
	assert_int_equal(mail_verp_parse(e2.v, addr, &id), ERR_INVALID);
	store_env_close(&e2);
	store_env_close(&e);
}

/* List-Unsubscribe tokens and mailto addresses: made and read back, forged ones refused. */
static void test_unsubscribe_token(void **state)
{
	struct env_base e;
	char tok[80], bad[200], addr[160];
	int64_t id = 0;
	(void)state;
	store_env_open(&e, "dsn");
	assert_int_equal(mail_unsub_token(e.v, 42, tok, sizeof tok), ERR_OK);
	assert_int_equal(strlen(tok), strlen("42-") + MAIL_UNSUB_MAC_LEN);
	assert_int_equal(mail_unsub_parse(e.v, tok, &id), ERR_OK);
	assert_int_equal(id, 42);
	/* One character of the mac changed, another row's mac, trailing bytes: one answer. */
	snprintf(bad, sizeof bad, "%s", tok);
	bad[5] = bad[5] == '0' ? '1' : '0';
	assert_int_equal(mail_unsub_parse(e.v, bad, &id), ERR_NOTFOUND);
	assert_int_equal(id, 0);
	snprintf(bad, sizeof bad, "43%s", tok + 2);
	assert_int_equal(mail_unsub_parse(e.v, bad, &id), ERR_NOTFOUND);
	snprintf(bad, sizeof bad, "%sx", tok);
	assert_int_equal(mail_unsub_parse(e.v, bad, &id), ERR_NOTFOUND);
	static const char *const nottok[] = {"", "42", "42-", "-abc", "0-00", "x-1", NULL};
	for (size_t i = 0; i < sizeof nottok / sizeof nottok[0]; i++)
		assert_int_equal(mail_unsub_parse(e.v, nottok[i], &id), ERR_NOTFOUND);
	assert_int_equal(mail_unsub_token(e.v, 0, tok, sizeof tok), ERR_INVALID);
	assert_int_equal(mail_unsub_token(e.v, 42, tok, 8), ERR_TOOLARGE);

	/* The mailto address: a valid address (local part < 64 bytes) that reads back. */
	assert_int_equal(mail_unsub_mailto(e.v, 123456789, "mimamori.example.jp", addr,
					   sizeof addr),
			 ERR_OK);
	assert_true(mail_address_valid(addr));
	assert_int_equal(strncmp(addr, "unsubscribe+123456789-", 22), 0);
	assert_int_equal(mail_unsub_mailto_parse(e.v, addr, &id), ERR_OK);
	assert_int_equal(id, 123456789);
	snprintf(bad, sizeof bad, "<%s>", addr);
	for (char *p = bad; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	assert_int_equal(mail_unsub_mailto_parse(e.v, bad, &id), ERR_OK);
	snprintf(bad, sizeof bad, "%s", addr);
	bad[25] = bad[25] == '0' ? '1' : '0';
	assert_int_equal(mail_unsub_mailto_parse(e.v, bad, &id), ERR_INVALID);
	assert_int_equal(mail_unsub_mailto_parse(e.v, "noreply@x.jp", &id), ERR_NOTFOUND);
	assert_int_equal(mail_unsub_mailto_parse(e.v, "unsubscribe+1-00@x.jp", &id), ERR_NOTFOUND);
	assert_int_equal(mail_unsub_mailto(e.v, 1, "bad domain", addr, sizeof addr), ERR_INVALID);
	/* The VERP mac is not the unsubscribe mac (another blind-index domain). */
	char verp[160];
	assert_int_equal(mail_verp_make(e.v, 42, "x.jp", verp, sizeof verp), ERR_OK);
	assert_int_equal(mail_unsub_token(e.v, 42, tok, sizeof tok), ERR_OK);
	assert_int_equal(strncmp(verp + 11, tok + 3, MAIL_VERP_MAC_LEN) == 0, 0);
	store_env_close(&e);
}

static void test_address_index(void **state)
{
	(void)state;
	struct env_base e;
	unsigned char a[VAULT_BLIND_LEN], b[VAULT_BLIND_LEN], c[VAULT_BLIND_LEN];
	store_env_open(&e, "dsn");
	mail_address_index(e.v, "Taro..Yamada.@DoCoMo.ne.jp", a);
	mail_address_index(e.v, "taro..yamada.@docomo.ne.jp", b);
	vault_blind(e.v, "guardian-email", "taro..yamada.@docomo.ne.jp", c);
	assert_memory_equal(a, b, sizeof a);
	assert_memory_equal(a, c, sizeof a); /* the guardians' index: the same */
	mail_address_index(e.v, "taro.yamada@docomo.ne.jp", b);
	assert_memory_not_equal(a, b, sizeof a);
	store_env_close(&e);
}

/* ---- mail_inbound on a real database ---- */

struct audit_log {
	int n;
	char actions[16][40];
};
static struct audit_log audit_seen;

/* Collects the entries mail_inbound would append (the real audit_append is in src/auth/, which
 * this layer does not link; the e2e test checks the real chain). */
static enum err audit_collect(struct store_conn *c, const struct vault *v, const char *actor,
			      const char *action, const char *object, const char *detail)
{
	(void)c;
	(void)v;
	assert_string_equal(actor, "mail-in");
	assert_int_equal(strncmp(object, "outbox:", 7), 0);
	assert_null(strchr(detail, '@'));
	if (audit_seen.n < 16)
		snprintf(audit_seen.actions[audit_seen.n++], 40, "%s", action);
	return ERR_OK;
}

/* Queues a message to `to`, marks it sent (as the sender would); returns its id and copies its
 * Message-ID into mid. */
static int64_t sent_row(struct env_base *e, const char *to, char *mid, size_t n)
{
	struct store_conn *c = store_acquire(e->s);
	assert_int_equal(mail_outbox_enqueue(c, e->v, "test", "bulk", to, "件名", "本文"), ERR_OK);
	int64_t id = store_last_id(c);
	struct store_stmt *st =
	    store_prepare(c, "UPDATE outbox SET state = 'sent', sent_ms = 1 WHERE id = ?");
	store_bind_int(st, 1, id);
	assert_int_equal(store_run(st), ERR_OK);
	store_finish(st);
	st = store_prepare(c, "SELECT message_id FROM outbox WHERE id = ?");
	store_bind_int(st, 1, id);
	assert_int_equal(store_step(st), STORE_ROW);
	snprintf(mid, n, "%s", store_col_text(st, 0));
	store_finish(st);
	store_release(c);
	return id;
}

static int64_t query_int(struct env_base *e, const char *sql, int64_t arg)
{
	struct store_conn *c = store_acquire(e->s);
	struct store_stmt *st = store_prepare(c, sql);
	assert_non_null(st);
	store_bind_int(st, 1, arg);
	int64_t v = store_step(st) == STORE_ROW ? store_col_int(st, 0) : -1;
	store_finish(st);
	store_release(c);
	return v;
}

static char *query_text(struct env_base *e, const char *sql, int64_t arg)
{
	struct store_conn *c = store_acquire(e->s);
	struct store_stmt *st = store_prepare(c, sql);
	assert_non_null(st);
	store_bind_int(st, 1, arg);
	assert_int_equal(store_step(st), STORE_ROW);
	char *v = xstrdup(store_col_text(st, 0));
	store_finish(st);
	store_release(c);
	return v;
}

/* Feeds fixture name to mail_inbound with its Message-ID and/or VERP address replaced. */
static enum err feed(struct env_base *e, const char *name, const char *mid, const char *verp,
		     const char *rcpt, struct mail_inbound_result *res)
{
	size_t len;
	char *raw = fixture(name, &len);
	char *a = replace(raw, "<q3Z0f4mXc1gT7r2Yb8kLpA9e@mimamori.invalid>",
			  mid ? mid : "<unknown@example.invalid>");
	char *b = replace(a, "<Rk4uW2xYpQ7nB0cV5tZs1mHj@mimamori.invalid>",
			  mid ? mid : "<unknown@example.invalid>");
	char *c = replace(b, "bounces+42-0a1b2c3d4e@mimamori.example.jp",
			  verp ? verp : "bounces@mimamori.example.jp");
	char *m = replace(c, "bounces+43-f0e1d2c3b4@mimamori.example.jp",
			  verp ? verp : "bounces@mimamori.example.jp");
	enum err r = mail_inbound(e->s, e->k, m, strlen(m), rcpt, 3, audit_collect, res);
	free(raw);
	free(a);
	free(b);
	free(c);
	free(m);
	return r;
}

static void test_inbound(void **state)
{
	(void)state;
	struct env_base e;
	struct mail_inbound_result res;
	char mid[3][128], verp[128];
	int bouncing = 0;
	const char *to = "no.such.user@example.jp";
	store_env_open(&e, "dsn");
	memset(&audit_seen, 0, sizeof audit_seen);
	int64_t r1 = sent_row(&e, to, mid[0], sizeof mid[0]);
	int64_t r2 = sent_row(&e, to, mid[1], sizeof mid[1]);
	int64_t r3 = sent_row(&e, to, mid[2], sizeof mid[2]);

	/* 1. Matched by the returned Message-ID: a hard bounce, counted, not yet bouncing. */
	assert_int_equal(feed(&e, "postfix_hard_511.eml", mid[0], NULL, NULL, &res), ERR_OK);
	assert_int_equal(res.outcome, MAIL_IN_RECORDED);
	assert_int_equal(res.outbox_id, r1);
	assert_int_equal(res.kind, MAIL_BOUNCE_HARD);
	assert_true(res.counted);
	assert_false(res.bouncing);
	char *reply = query_text(&e, "SELECT last_reply FROM outbox WHERE id = ?", r1);
	assert_string_equal(reply, "bounced 5.1.1: 550 5.1.1 <address> Recipient address "
				   "rejected: User unknown in virtual mailbox table");
	free(reply);
	assert_int_equal(
	    query_int(&e, "SELECT count(*) FROM outbox WHERE id = ? AND state = 'sent'", r1), 1);
	char *diag = query_text(&e, "SELECT diagnostic FROM bounce_events WHERE outbox_id = ?", r1);
	assert_null(strchr(diag, '@'));
	free(diag);

	/* 2. The same notification again (the MTA retried): not counted twice. */
	assert_int_equal(feed(&e, "postfix_hard_511.eml", mid[0], NULL, NULL, &res), ERR_OK);
	assert_int_equal(res.outcome, MAIL_IN_DUPLICATE);
	assert_int_equal(
	    query_int(&e, "SELECT count(*) FROM bounce_events WHERE outbox_id = ?", r1), 1);

	/* 3. Soft bounces never make an address bouncing. */
	for (int i = 0; i < 5; i++) {
		assert_int_equal(feed(&e, "postfix_delayed_422.eml", mid[1], NULL, NULL, &res),
				 ERR_OK);
		assert_int_equal(res.outcome, MAIL_IN_RECORDED);
		assert_int_equal(res.kind, MAIL_BOUNCE_SOFT);
		assert_false(res.bouncing);
	}

	/* 4. Matched by VERP (envelope recipient; the Message-ID is unknown to us). */
	assert_int_equal(mail_verp_make(e.v, r2, "mimamori.example.jp", verp, sizeof verp), ERR_OK);
	assert_int_equal(feed(&e, "postfix_hard_511.eml", NULL, verp, verp, &res), ERR_OK);
	assert_int_equal(res.outcome, MAIL_IN_RECORDED);
	assert_int_equal(res.outbox_id, r2);
	assert_false(res.bouncing);
	struct store_conn *c = store_acquire(e.s);
	assert_int_equal(mail_bounce_is_bouncing(c, e.v, to, &bouncing), ERR_OK);
	assert_false(bouncing);
	store_release(c);

	/* 5. VERP in the headers only (To:/Delivered-To:), third hard bounce: bouncing. */
	assert_int_equal(mail_verp_make(e.v, r3, "mimamori.example.jp", verp, sizeof verp), ERR_OK);
	assert_int_equal(feed(&e, "postfix_hard_511.eml", NULL, verp, NULL, &res), ERR_OK);
	assert_int_equal(res.outcome, MAIL_IN_RECORDED);
	assert_int_equal(res.outbox_id, r3);
	assert_true(res.bouncing);
	c = store_acquire(e.s);
	assert_int_equal(mail_bounce_is_bouncing(c, e.v, "No.Such.User@EXAMPLE.jp", &bouncing),
			 ERR_OK);
	assert_true(bouncing);
	assert_int_equal(mail_bounce_is_bouncing(c, e.v, "someone.else@example.jp", &bouncing),
			 ERR_OK);
	assert_false(bouncing);
	store_release(c);
	assert_int_equal(audit_seen.n, 1 + 5 + 1 + 2);
	assert_string_equal(audit_seen.actions[audit_seen.n - 1], "mail.bouncing");

	/* 6. A forged VERP address and no known Message-ID: dropped. */
	char *forged = xasprintf("bounces+%lld-0000000000@mimamori.example.jp", (long long)r1);
	assert_int_equal(feed(&e, "postfix_hard_511.eml", NULL, forged, forged, &res), ERR_OK);
	assert_int_equal(res.outcome, MAIL_IN_DROPPED);
	free(forged);

	/* 7. Not a notification, not VERP: left to the services (mail-in's hooks), nothing
	 * recorded; VERP-addressed but no DSN: kept as 'other'. */
	assert_int_equal(feed(&e, "not_report.eml", NULL, NULL, NULL, &res), ERR_OK);
	assert_int_equal(res.outcome, MAIL_IN_OTHER);
	assert_int_equal(feed(&e, "not_report.eml", NULL, NULL, verp, &res), ERR_OK);
	assert_int_equal(res.outcome, MAIL_IN_RECORDED);
	assert_int_equal(res.kind, MAIL_BOUNCE_NONE);
	assert_false(res.counted);
	assert_int_equal(feed(&e, "garbage.bin", NULL, NULL, NULL, &res), ERR_OK);
	assert_int_equal(res.outcome, MAIL_IN_DROPPED);
	assert_int_equal(feed(&e, "mdn_report.eml", NULL, NULL, NULL, &res), ERR_OK);
	assert_int_equal(res.outcome, MAIL_IN_OTHER);
	/* A message id we never sent. */
	assert_int_equal(
	    feed(&e, "postfix_hard_511.eml", "<nope@mimamori.invalid>", NULL, NULL, &res), ERR_OK);
	assert_int_equal(res.outcome, MAIL_IN_DROPPED);
	/* A VERP address with a valid mac for a row that does not exist. */
	assert_int_equal(mail_verp_make(e.v, 999999, "mimamori.example.jp", verp, sizeof verp),
			 ERR_OK);
	assert_int_equal(feed(&e, "postfix_hard_511.eml", NULL, verp, verp, &res), ERR_OK);
	assert_int_equal(res.outcome, MAIL_IN_DROPPED);

	/* 8. Confirmed again: cleared; a late bounce of mail queued before does not count. */
	unsigned char idx[VAULT_BLIND_LEN];
	mail_address_index(e.v, to, idx);
	c = store_acquire(e.s);
	assert_int_equal(mail_bounce_confirmed(c, idx), ERR_OK);
	assert_int_equal(mail_bounce_is_bouncing(c, e.v, to, &bouncing), ERR_OK);
	assert_false(bouncing);
	store_release(c);
	assert_int_equal(query_int(&e, "SELECT hard_count FROM bounce_addresses LIMIT ?", 1), 0);
	char mid4[128];
	int64_t r4 = sent_row(&e, to, mid4, sizeof mid4);
	struct store_conn *c2 = store_acquire(e.s);
	struct store_stmt *st = store_prepare(c2, "UPDATE outbox SET created_ms = 1 WHERE id = ?");
	store_bind_int(st, 1, r4);
	assert_int_equal(store_run(st), ERR_OK);
	store_finish(st);
	store_release(c2);
	assert_int_equal(feed(&e, "postfix_hard_511.eml", mid4, NULL, NULL, &res), ERR_OK);
	assert_int_equal(res.outcome, MAIL_IN_RECORDED);
	assert_int_equal(res.kind, MAIL_BOUNCE_HARD);
	assert_false(res.counted);
	assert_int_equal(query_int(&e, "SELECT hard_count FROM bounce_addresses LIMIT ?", 1), 0);
	store_env_close(&e);
}

/* What a service's mail-in hook is given: the From address, the decoded Subject, and whether
 * the mail is automatic (never to be answered). */
static void test_in_msg(void **state)
{
	(void)state;
	struct mail_in_msg m;
	const char *empty = "From: =?UTF-8?B?5bGx55SwIOiKseWtkA==?= <Hanako.Yamada@example.jp>\r\n"
			    "To: touroku+AB12CD@mimamori.example.jp\r\n"
			    "Subject: =?UTF-8?B?QUIxMkNE44Gu55m76Yyy?=\r\n\r\n";
	assert_int_equal(mail_in_msg_read(empty, strlen(empty), "touroku+AB12CD@m.example.jp", &m),
			 ERR_OK);
	assert_string_equal(m.from, "Hanako.Yamada@example.jp");
	assert_string_equal(m.subject, "AB12CDの登録");
	assert_string_equal(m.rcpt, "touroku+AB12CD@m.example.jp");
	assert_int_equal(m.automatic, 0);
	mail_in_msg_clear(&m);
	assert_string_equal(m.from, "");
	static const char *const automatic[] = {
	    "From: a@example.jp\r\nAuto-Submitted: auto-replied\r\nSubject: x\r\n\r\n",
	    "From: a@example.jp\r\nPrecedence: bulk\r\nSubject: x\r\n\r\n",
	    "From: a@example.jp\r\nList-Id: <x.example.jp>\r\n\r\n",
	    "Return-Path: <>\r\nFrom: MAILER-DAEMON@example.jp\r\n\r\n",
	};
	for (size_t i = 0; i < sizeof automatic / sizeof automatic[0]; i++) {
		assert_int_equal(mail_in_msg_read(automatic[i], strlen(automatic[i]), NULL, &m),
				 ERR_OK);
		assert_int_equal(m.automatic, 1);
	}
	const char *human = "From: a@example.jp\r\nAuto-Submitted: no\r\n\r\n";
	assert_int_equal(mail_in_msg_read(human, strlen(human), NULL, &m), ERR_OK);
	assert_int_equal(m.automatic, 0);
	assert_string_equal(m.subject, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_postfix_hard),    cmocka_unit_test(test_postfix_delayed),
	    cmocka_unit_test(test_multi_recipient), cmocka_unit_test(test_rfc822_returned),
	    cmocka_unit_test(test_not_reports),	    cmocka_unit_test(test_status_and_kinds),
	    cmocka_unit_test(test_cut_and_mutated), cmocka_unit_test(test_verp),
	    cmocka_unit_test(test_address_index),   cmocka_unit_test(test_inbound),
	    cmocka_unit_test(test_unsubscribe_token), cmocka_unit_test(test_in_msg),
	};
	if (vault_global_init() != ERR_OK)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
