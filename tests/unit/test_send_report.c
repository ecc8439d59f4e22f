/* SPDX-License-Identifier: MIT */
/* test_send_report.c — unit tests for src/mail/send_report.c: one send's counts per state and
 * domain, hard bounces, unsubscribes and failures (other sends never counted), and the retry of
 * failed rows that leaves bouncing and unsubscribed addresses alone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/xalloc.h"
#include "mail/mail.h"
#include "store/store.h"
#include "vault/vault.h"

#include "store_env.h"

struct env {
	struct env_base b; /* store and vault (store_env.c): e->b.s, e->b.v */
	struct store_conn *c;
	struct mail_send_report *r;
};

static int setup(void **state)
{
	struct env *e = xcalloc(1, sizeof *e);
	store_env_open(&e->b, "report");
	e->c = store_acquire(e->b.s);
	e->r = xcalloc(1, sizeof *e->r);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;
	free(e->r);
	store_release(e->c);
	store_env_close(&e->b);
	free(e);
	return 0;
}

/* Queues a message of send_id to addr; returns its outbox id. */
static int64_t queue(struct env *e, const char *send_id, const char *addr)
{
	assert_int_equal(mail_outbox_enqueue(e->c, e->b.v, send_id, "bulk", addr, "件名", "本文"),
			 ERR_OK);
	return store_last_id(e->c);
}

/* Sets row id to state with the reply and next_ms given (what the sender would record). */
static void set_state(struct env *e, int64_t id, const char *state, const char *reply,
		      int64_t next_ms)
{
	struct store_stmt *st = store_prepare(
	    e->c, "UPDATE outbox SET state = ?, last_reply = ?, next_ms = ?, attempts = 1 "
		  "WHERE id = ?");
	assert_non_null(st);
	store_bind_text(st, 1, state);
	store_bind_text(st, 2, reply);
	store_bind_int(st, 3, next_ms);
	store_bind_int(st, 4, id);
	assert_int_equal(store_run(st), ERR_OK);
	store_finish(st);
}

static void bounce(struct env *e, int64_t outbox_id, const char *kind)
{
	unsigned char idx[VAULT_BLIND_LEN] = {0};
	struct store_stmt *st = store_prepare(
	    e->c, "INSERT INTO bounce_events (outbox_id, addr_idx, at_ms, kind, action, status, "
		  "diagnostic, matched_by) VALUES (?, ?, 1, ?, 'failed', '5.1.1', '', 'verp')");
	assert_non_null(st);
	store_bind_int(st, 1, outbox_id);
	store_bind_blob(st, 2, idx, sizeof idx);
	store_bind_text(st, 3, kind);
	assert_int_equal(store_run(st), ERR_OK);
	store_finish(st);
}

/* Records that addr unsubscribed from list by the link in outbox row outbox_id (0: none). */
static void unsubscribe(struct env *e, const char *addr, const char *list, int64_t outbox_id)
{
	unsigned char idx[VAULT_BLIND_LEN];
	mail_address_index(e->b.v, addr, idx);
	struct store_stmt *st =
	    store_prepare(e->c, "INSERT INTO unsubscribes (addr_idx, list, at_ms, via, outbox_id) "
				"VALUES (?, ?, 1, 'web', ?)");
	assert_non_null(st);
	store_bind_blob(st, 1, idx, sizeof idx);
	store_bind_text(st, 2, list);
	if (outbox_id)
		store_bind_int(st, 3, outbox_id);
	else
		store_bind_null(st, 3);
	assert_int_equal(store_run(st), ERR_OK);
	store_finish(st);
}

static void make_bouncing(struct env *e, const char *addr)
{
	unsigned char idx[VAULT_BLIND_LEN];
	mail_address_index(e->b.v, addr, idx);
	struct store_stmt *st = store_prepare(
	    e->c, "INSERT INTO bounce_addresses (addr_idx, hard_count, last_ms, last_kind, "
		  "last_status, last_diagnostic, bouncing_ms) VALUES (?, 3, 1, 'hard', '5.1.1', "
		  "'', 1)");
	assert_non_null(st);
	store_bind_blob(st, 1, idx, sizeof idx);
	assert_int_equal(store_run(st), ERR_OK);
	store_finish(st);
}

/* Returns the state, attempts, next_ms and reply of row id (reply copied into reply). */
static void row(struct env *e, int64_t id, char *state, int64_t *attempts, int64_t *next_ms,
		char *reply, size_t n)
{
	struct store_stmt *st = store_prepare(
	    e->c, "SELECT state, attempts, next_ms, coalesce(last_reply, '') FROM outbox "
		  "WHERE id = ?");
	assert_non_null(st);
	store_bind_int(st, 1, id);
	assert_int_equal(store_step(st), STORE_ROW);
	snprintf(state, 16, "%s", store_col_text(st, 0));
	*attempts = store_col_int(st, 1);
	*next_ms = store_col_int(st, 2);
	snprintf(reply, n, "%s", store_col_text(st, 3));
	store_finish(st);
}

static const struct mail_send_domain *domain(const struct mail_send_report *r, const char *d)
{
	for (size_t i = 0; i < r->ndomains; i++)
		if (strcmp(r->domains[i].domain, d) == 0)
			return &r->domains[i];
	return NULL;
}

static void test_report_counts(void **state)
{
	struct env *e = *state;
	struct mail_send_report *r = e->r;
	assert_int_equal(mail_send_report(e->c, "emergency:1", r), ERR_NOTFOUND);

	int64_t a1 = queue(e, "emergency:1", "a1@a.example.jp");
	int64_t a2 = queue(e, "emergency:1", "a2@a.example.jp");
	int64_t a3 = queue(e, "emergency:1", "a3@a.example.jp");
	int64_t b1 = queue(e, "emergency:1", "b1@b.example.jp");
	int64_t b2 = queue(e, "emergency:1", "b2@b.example.jp");
	int64_t d1 = queue(e, "emergency:1", "taro..yamada.@docomo.ne.jp");
	int64_t d2 = queue(e, "emergency:1", "d2@docomo.ne.jp");
	/* Another send, in every state: never counted. */
	int64_t o1 = queue(e, "emergency:10", "a1@a.example.jp");
	int64_t o2 = queue(e, "emergency:10", "z@z.example.jp");
	queue(e, "emergency:10", "b1@b.example.jp");
	set_state(e, o1, "failed", "550 other send", 5000);
	set_state(e, o2, "sent", "250 OK", 0);
	bounce(e, o2, "hard");
	unsubscribe(e, "z@z.example.jp", "emergency", o2);

	set_state(e, a1, "sent", "250 OK", 0);
	set_state(e, a2, "sent", "250 OK", 0);
	set_state(e, a3, "failed", "550 5.1.1 <a3@a.example.jp>: Recipient address rejected", 2000);
	set_state(e, b1, "deferred", "451 try later", 99999);
	set_state(e, b2, "failed", "554 denied", 3000);
	set_state(e, d1, "sending", NULL, 0);
	set_state(e, d2, "sent", "250 OK", 0);
	bounce(e, a1, "hard");
	bounce(e, a1, "soft"); /* soft never counts, nor a second event of the row */
	bounce(e, a2, "soft");
	bounce(e, d2, "other");
	unsubscribe(e, "a2@a.example.jp", "emergency", a2);
	unsubscribe(e, "b2@b.example.jp", "emergency", 0);

	assert_int_equal(mail_send_report(e->c, "emergency:1", r), ERR_OK);
	assert_int_equal(r->n.total, 7);
	assert_int_equal(r->n.sent, 3);
	assert_int_equal(r->n.failed, 2);
	assert_int_equal(r->n.deferred, 1);
	assert_int_equal(r->n.sending, 1);
	assert_int_equal(r->n.queued, 0);
	assert_int_equal(r->n.pending, 2);
	assert_int_equal(r->n.bounced, 1);
	assert_int_equal(r->complete, 0);
	assert_true(r->bounce_rate > 0.3333 && r->bounce_rate < 0.3334);
	assert_int_equal(r->unsubscribed, 1);
	/* By total descending, then name. */
	assert_int_equal(r->ndomains, 3);
	assert_int_equal(r->domains_more, 0);
	assert_string_equal(r->domains[0].domain, "a.example.jp");
	assert_string_equal(r->domains[1].domain, "b.example.jp");
	assert_string_equal(r->domains[2].domain, "docomo.ne.jp");
	const struct mail_send_domain *a = domain(r, "a.example.jp");
	assert_int_equal(a->n.total, 3);
	assert_int_equal(a->n.sent, 2);
	assert_int_equal(a->n.failed, 1);
	assert_int_equal(a->n.bounced, 1);
	assert_int_equal(a->n.pending, 0);
	const struct mail_send_domain *b = domain(r, "b.example.jp");
	assert_int_equal(b->n.sent, 0);
	assert_int_equal(b->n.deferred, 1);
	assert_int_equal(b->n.failed, 1);
	assert_int_equal(b->n.pending, 1);
	const struct mail_send_domain *d = domain(r, "docomo.ne.jp");
	assert_int_equal(d->n.sending, 1);
	assert_int_equal(d->n.sent, 1);
	assert_int_equal(d->n.bounced, 0);
	/* Failures newest first, addresses blanked. */
	assert_int_equal(r->nfailures, 2);
	assert_int_equal(r->failures[0].outbox_id, b2);
	assert_int_equal(r->failures[0].at_ms, 3000);
	assert_string_equal(r->failures[0].domain, "b.example.jp");
	assert_int_equal(r->failures[1].outbox_id, a3);
	assert_int_equal(r->failures[1].attempts, 1);
	assert_string_equal(r->failures[1].reply, "550 5.1.1 <address> Recipient address rejected");
	assert_null(strchr(r->failures[1].reply, '@'));

	/* Once nothing is pending the send is complete. */
	set_state(e, b1, "sent", "250 OK", 0);
	set_state(e, d1, "sent", "250 OK", 0);
	assert_int_equal(mail_send_report(e->c, "emergency:1", r), ERR_OK);
	assert_int_equal(r->complete, 1);
	assert_int_equal(r->n.sent, 5);
	assert_int_equal(r->n.pending, 0);
}

static void test_report_caps(void **state)
{
	struct env *e = *state;
	struct mail_send_report *r = e->r;
	char addr[64];
	assert_int_equal(store_begin(e->c), ERR_OK);
	for (int i = 0; i < MAIL_SEND_DOMAINS_MAX + 5; i++) {
		snprintf(addr, sizeof addr, "x%d@d%03d.example.jp", i, i);
		int64_t id = queue(e, "big", addr);
		set_state(e, id, "failed", "550 no", 1000 + i);
	}
	/* The largest domain first even when its name sorts last. */
	for (int i = 0; i < 3; i++) {
		snprintf(addr, sizeof addr, "y%d@zz.example.jp", i);
		queue(e, "big", addr);
	}
	assert_int_equal(store_commit(e->c), ERR_OK);
	assert_int_equal(mail_send_report(e->c, "big", r), ERR_OK);
	assert_int_equal(r->n.total, MAIL_SEND_DOMAINS_MAX + 8);
	assert_int_equal(r->n.failed, MAIL_SEND_DOMAINS_MAX + 5);
	assert_int_equal(r->n.queued, 3);
	assert_int_equal(r->ndomains, MAIL_SEND_DOMAINS_MAX);
	assert_int_equal(r->domains_more, 6);
	assert_string_equal(r->domains[0].domain, "zz.example.jp");
	assert_string_equal(r->domains[1].domain, "d000.example.jp");
	assert_int_equal(r->nfailures, MAIL_SEND_FAILURES_MAX);
	assert_int_equal(r->failures[0].at_ms, 1000 + MAIL_SEND_DOMAINS_MAX + 4);
	for (size_t i = 1; i < r->nfailures; i++)
		assert_true(r->failures[i].at_ms < r->failures[i - 1].at_ms);
}

static void test_retry_all(void **state)
{
	struct env *e = *state;
	struct mail_send_retry res;
	char st[16], reply[300];
	int64_t attempts, next_ms;
	assert_int_equal(mail_send_retry(e->c, e->b.k, "emergency:7", &res), ERR_NOTFOUND);
	int64_t a = queue(e, "emergency:7", "a@a.example.jp");
	int64_t b = queue(e, "emergency:7", "b@b.example.jp");
	int64_t c = queue(e, "emergency:7", "c@c.example.jp");
	int64_t other = queue(e, "emergency:8", "d@a.example.jp");
	set_state(e, a, "failed", "550 5.1.1 user unknown", 1000);
	set_state(e, b, "sent", "250 OK", 0);
	set_state(e, other, "failed", "550 other", 1000);
	(void)c;
	/* Addresses bouncing or unsubscribed elsewhere do not matter here. */
	make_bouncing(e, "zz@z.example.jp");
	unsubscribe(e, "a@a.example.jp", "school", 0);

	assert_int_equal(store_begin(e->c), ERR_OK);
	assert_int_equal(mail_send_retry(e->c, e->b.k, "emergency:7", &res), ERR_OK);
	assert_int_equal(store_commit(e->c), ERR_OK);
	assert_int_equal(res.retried, 1);
	assert_int_equal(res.skipped_bouncing, 0);
	assert_int_equal(res.skipped_unsubscribed, 0);
	row(e, a, st, &attempts, &next_ms, reply, sizeof reply);
	assert_string_equal(st, "queued");
	assert_int_equal(attempts, 0);
	assert_int_equal(next_ms, 0);
	assert_string_equal(reply, "retried: 550 5.1.1 user unknown");
	row(e, other, st, &attempts, &next_ms, reply, sizeof reply);
	assert_string_equal(st, "failed"); /* another send's row is left alone */
	row(e, b, st, &attempts, &next_ms, reply, sizeof reply);
	assert_string_equal(st, "sent");

	/* Nothing failed any more. */
	assert_int_equal(mail_send_retry(e->c, e->b.k, "emergency:7", &res), ERR_CONFLICT);
}

static void test_retry_skips(void **state)
{
	struct env *e = *state;
	struct mail_send_retry res;
	char st[16], reply[300];
	int64_t attempts, next_ms;
	int64_t bouncing = queue(e, "school:3", "Bounce.Me@a.example.jp");
	int64_t unsub = queue(e, "school:3", "taro..yamada.@docomo.ne.jp");
	int64_t other_list = queue(e, "school:3", "emergency.only@b.example.jp");
	int64_t plain = queue(e, "school:3", "plain@b.example.jp");
	int64_t plain_fast = queue(e, "confirm", "plain@b.example.jp");
	for (int64_t id = bouncing; id <= plain; id++)
		set_state(e, id, "failed", "550 no such user", 1000);
	set_state(e, plain_fast, "failed", "550 no such user", 1000);
	make_bouncing(e, "bounce.me@a.example.jp"); /* the index is of the lower-cased address */
	unsubscribe(e, "TARO..yamada.@docomo.ne.jp", "school", 0);
	unsubscribe(e, "emergency.only@b.example.jp", "emergency", 0);

	assert_int_equal(store_begin(e->c), ERR_OK);
	assert_int_equal(mail_send_retry(e->c, e->b.k, "school:3", &res), ERR_OK);
	assert_int_equal(store_commit(e->c), ERR_OK);
	assert_int_equal(res.retried, 2);
	assert_int_equal(res.skipped_bouncing, 1);
	assert_int_equal(res.skipped_unsubscribed, 1);
	row(e, bouncing, st, &attempts, &next_ms, reply, sizeof reply);
	assert_string_equal(st, "failed");
	assert_string_equal(reply, "550 no such user");
	row(e, unsub, st, &attempts, &next_ms, reply, sizeof reply);
	assert_string_equal(st, "failed");
	row(e, other_list, st, &attempts, &next_ms, reply, sizeof reply);
	assert_string_equal(st, "queued");
	row(e, plain, st, &attempts, &next_ms, reply, sizeof reply);
	assert_string_equal(st, "queued");

	/* The skipped rows stay failed: a second retry skips them again and retries nothing. */
	assert_int_equal(store_begin(e->c), ERR_OK);
	assert_int_equal(mail_send_retry(e->c, e->b.k, "school:3", &res), ERR_OK);
	store_rollback(e->c);
	assert_int_equal(res.retried, 0);
	assert_int_equal(res.skipped_bouncing + res.skipped_unsubscribed, 2);

	/* Emergency mail may not be left: an unsubscribe recorded for that list (before it was
	 * declared so) does not stop its retry. */
	int64_t kept = queue(e, "emergency:4", "emergency.only@b.example.jp");
	set_state(e, kept, "failed", "550 no such user", 1000);
	assert_int_equal(store_begin(e->c), ERR_OK);
	assert_int_equal(mail_send_retry(e->c, e->b.k, "emergency:4", &res), ERR_OK);
	assert_int_equal(store_commit(e->c), ERR_OK);
	assert_int_equal(res.retried, 1);
	assert_int_equal(res.skipped_unsubscribed, 0);
	row(e, kept, st, &attempts, &next_ms, reply, sizeof reply);
	assert_string_equal(st, "queued");

	/* A list is the send_id before ':': "confirm" has no unsubscribes; the bouncing check
	 * still applies (none of its addresses bounce). */
	assert_int_equal(mail_send_retry(e->c, e->b.k, "confirm", &res), ERR_OK);
	assert_int_equal(res.retried, 1);
	row(e, plain_fast, st, &attempts, &next_ms, reply, sizeof reply);
	assert_string_equal(st, "queued");
}

static void test_blank_addresses(void **state)
{
	(void)state;
	char out[64];
	mail_text_blank_addresses("550 <a@b.jp>: no\tmailbox x@y", out, sizeof out);
	assert_string_equal(out, "550 <address> no mailbox <address>");
	mail_text_blank_addresses(NULL, out, sizeof out);
	assert_string_equal(out, "");
	mail_text_blank_addresses("\xe3\x81\x82 ok", out, sizeof out);
	assert_string_equal(out, "??? ok");
	mail_text_blank_addresses("0123456789", out, 5);
	assert_string_equal(out, "0123");
}

int main(void)
{
	if (vault_global_init() != ERR_OK)
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_report_counts, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_report_caps, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_retry_all, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_retry_skips, setup, teardown),
	    cmocka_unit_test(test_blank_addresses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
