/* SPDX-License-Identifier: MIT */
/* test_smtp_client.c — the SMTP client's transactions on bytes (src/mail/smtp_client.c):
 * what it writes with and without PIPELINING, how replies finish messages, dot-stuffing, and
 * the protocol errors that close a session. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "mail/smtp_client.h"

static void msg_init(struct smtp_msg *m, const char *rcpt, const char *body, void *tag)
{
	memset(m, 0, sizeof *m);
	m->tag = tag;
	m->from_arg = "<bounces+1-abc@example.jp>";
	m->rcpt_arg = rcpt;
	m->msg = body;
	m->len = strlen(body);
}

/* Asserts that c has written exactly want since the last call, and forgets it. */
static void assert_out(struct smtp_client *c, const char *want)
{
	const char *got = c->out.data ? c->out.data : "";
	if (c->out.len != strlen(want) || memcmp(got, want, c->out.len) != 0)
		fail_msg("client wrote\n[%.*s]\nwanted\n[%s]", (int)c->out.len, got, want);
	c->out.len = 0;
}

static void feed(struct smtp_client *c, const char *replies)
{
	assert_int_equal(smtp_client_read(c, replies, strlen(replies)), ERR_OK);
}

/* Takes the next finished message and checks its result and the start of its reply. */
static void assert_taken(struct smtp_client *c, struct smtp_msg *want, enum mail_result r,
			 const char *reply_prefix)
{
	struct smtp_msg *m = smtp_client_take(c);
	assert_ptr_equal(m, want);
	assert_int_equal(m->result, r);
	if (strncmp(m->reply, reply_prefix, strlen(reply_prefix)) != 0)
		fail_msg("reply [%s] does not start with [%s]", m->reply, reply_prefix);
	assert_null(strchr(m->reply, '@'));
}

/* A connected client (pipelining or not) holding the n messages ms, its first commands
 * written and forgotten. */
static void client_start(struct smtp_client *c, int pipelining, struct smtp_msg *const *ms,
			 size_t n)
{
	smtp_client_init(c);
	smtp_client_ready(c, pipelining);
	for (size_t i = 0; i < n; i++)
		smtp_client_add(c, ms[i]);
	c->out.len = 0;
}

static void test_pipelined_envelope_rides_behind_the_data(void **state)
{
	(void)state;
	struct smtp_client c;
	struct smtp_msg a, b, d;
	msg_init(&a, "<a@example.jp>", "Subject: a\r\n\r\nAAA\r\n", &a);
	msg_init(&b, "<b@example.jp>", "Subject: b\r\n\r\nBBB\r\n", &b);
	msg_init(&d, "<d@example.jp>", "Subject: d\r\n\r\nDDD\r\n", &d);
	smtp_client_init(&c);
	smtp_client_add(&c, &a);
	assert_out(&c, ""); /* not connected yet: nothing is written */
	smtp_client_ready(&c, 1);
	assert_out(&c, "MAIL FROM:<bounces+1-abc@example.jp>\r\nRCPT TO:<a@example.jp>\r\nDATA\r\n");
	smtp_client_add(&c, &b);
	smtp_client_add(&c, &d);
	assert_false(smtp_client_room(&c));
	assert_out(&c, ""); /* a DATA waits for its 354: nothing more may go */
	feed(&c, "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n");
	assert_out(&c, "Subject: a\r\n\r\nAAA\r\n.\r\n"
		       "MAIL FROM:<bounces+1-abc@example.jp>\r\nRCPT TO:<b@example.jp>\r\nDATA\r\n");
	assert_null(smtp_client_take(&c));
	/* One answer for a's data and b's envelope; d goes behind b's data. */
	feed(&c, "250 2.0.0 Ok: queued as 1\r\n250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 go ahead\r\n");
	assert_taken(&c, &a, MAIL_SENT, "250");
	assert_out(&c, "Subject: b\r\n\r\nBBB\r\n.\r\n"
		       "MAIL FROM:<bounces+1-abc@example.jp>\r\nRCPT TO:<d@example.jp>\r\nDATA\r\n");
	feed(&c, "250 2.0.0 Ok: queued as 2\r\n250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 go ahead\r\n");
	assert_taken(&c, &b, MAIL_SENT, "250");
	assert_out(&c, "Subject: d\r\n\r\nDDD\r\n.\r\n");
	assert_false(smtp_client_idle(&c));
	feed(&c, "250 2.0.0 Ok: queued as 3\r\n");
	assert_taken(&c, &d, MAIL_SENT, "250");
	assert_true(smtp_client_idle(&c));
	assert_true(smtp_client_room(&c));
	smtp_client_free(&c);
}

static void test_one_command_at_a_time_without_pipelining(void **state)
{
	(void)state;
	struct smtp_client c;
	struct smtp_msg a, b;
	msg_init(&a, "<a@example.jp>", "X: a\r\n\r\nA\r\n", &a);
	msg_init(&b, "<b@example.jp>", "X: b\r\n\r\nB\r\n", &b);
	smtp_client_init(&c);
	smtp_client_ready(&c, 0);
	smtp_client_add(&c, &a);
	smtp_client_add(&c, &b);
	assert_out(&c, "MAIL FROM:<bounces+1-abc@example.jp>\r\n");
	feed(&c, "250 ok\r\n");
	assert_out(&c, "RCPT TO:<a@example.jp>\r\n");
	feed(&c, "250 ok\r\n");
	assert_out(&c, "DATA\r\n");
	feed(&c, "354 go\r\n");
	assert_out(&c, "X: a\r\n\r\nA\r\n.\r\n");
	feed(&c, "250 queued\r\n");
	assert_taken(&c, &a, MAIL_SENT, "250");
	assert_out(&c, "MAIL FROM:<bounces+1-abc@example.jp>\r\n");
	/* A refused recipient: the open transaction is reset before the next MAIL. */
	feed(&c, "250 ok\r\n");
	assert_out(&c, "RCPT TO:<b@example.jp>\r\n");
	feed(&c, "550 5.1.1 <b@example.jp>: Recipient address rejected\r\n");
	assert_taken(&c, &b, MAIL_FAILED, "550 5.1.1");
	assert_out(&c, "RSET\r\n");
	feed(&c, "250 reset\r\n");
	assert_true(smtp_client_idle(&c));
	smtp_client_free(&c);
}

static void test_refusals_with_pipelining(void **state)
{
	(void)state;
	struct smtp_client c;
	struct smtp_msg a, b, d;
	msg_init(&a, "<a@bad.example.jp>", "A\r\n", &a);
	msg_init(&b, "<b@docomo.ne.jp>", "B\r\n", &b);
	msg_init(&d, "<d@example.jp>", "D\r\n", &d);
	client_start(&c, 1, (struct smtp_msg *[]){&a, &b, &d}, 3);
	/* a: RCPT refused for good, DATA refused for want of recipients: failed with the first
	 * refusal, then RSET and b's envelope in the same write. */
	feed(&c, "250 ok\r\n550 5.1.1 <a@bad.example.jp>: user unknown\r\n"
		 "554 5.5.1 Error: no valid recipients\r\n");
	assert_taken(&c, &a, MAIL_FAILED, "550 5.1.1");
	assert_out(&c, "RSET\r\nMAIL FROM:<bounces+1-abc@example.jp>\r\nRCPT TO:<b@docomo.ne.jp>\r\n"
		       "DATA\r\n");
	/* b: a throttling 421 at RCPT is temporary. */
	feed(&c, "250 reset\r\n250 ok\r\n421 4.7.0 too many messages, slow down\r\n"
		 "503 5.5.1 Error: need RCPT command\r\n");
	assert_taken(&c, &b, MAIL_DEFERRED, "421 4.7.0");
	assert_out(&c, "RSET\r\nMAIL FROM:<bounces+1-abc@example.jp>\r\nRCPT TO:<d@example.jp>\r\n"
		       "DATA\r\n");
	/* d: refused at the end of the data, temporarily. */
	feed(&c, "250 reset\r\n250 ok\r\n250 ok\r\n354 go\r\n");
	assert_out(&c, "D\r\n.\r\n");
	feed(&c, "451 4.3.0 Error: queue file write error\r\n");
	assert_taken(&c, &d, MAIL_DEFERRED, "451 4.3.0");
	assert_true(smtp_client_idle(&c));
	smtp_client_free(&c);
}

static void test_dot_stuffing_and_final_line_end(void **state)
{
	(void)state;
	struct smtp_client c;
	struct smtp_msg a;
	msg_init(&a, "<a@example.jp>", ".first\r\nmid\r\n.\r\n..two\r\nlast", &a);
	client_start(&c, 1, (struct smtp_msg *[]){&a}, 1);
	feed(&c, "250 ok\r\n250 ok\r\n354 go\r\n");
	assert_out(&c, "..first\r\nmid\r\n..\r\n...two\r\nlast\r\n.\r\n");
	smtp_client_free(&c);
}

/* The same replies fed a byte at a time give the same bytes out and the same results. */
static void test_replies_split_anywhere_and_multiline(void **state)
{
	(void)state;
	const char *replies = "250-first line\r\n250-second\r\n250 ok\r\n250 ok\r\n354 go\r\n"
			      "550-5.7.1 <a@example.jp> refused: first line kept\r\n"
			      "550 5.7.1 see https://example.jp/policy\r\n";
	struct smtp_client c;
	struct smtp_msg a;
	msg_init(&a, "<a@example.jp>", "A\r\n", &a);
	client_start(&c, 1, (struct smtp_msg *[]){&a}, 1);
	for (const char *p = replies; *p; p++)
		assert_int_equal(smtp_client_read(&c, p, 1), ERR_OK);
	assert_out(&c, "A\r\n.\r\n");
	assert_taken(&c, &a, MAIL_FAILED, "550-5.7.1");
	smtp_client_free(&c);
}

/* Each of these breaks the protocol: the session must be closed. */
static void test_protocol_errors(void **state)
{
	(void)state;
	static const char *const bad[] = {
	    "250 ok\r\n250 ok\r\n354 go\r\n250 done\r\n250 nobody asked\r\n", /* unsolicited */
	    "hello there\r\n",						/* not a reply */
	    "25\r\n",							/* too short */
	    "250-one\r\n451 two\r\n",				/* code changes mid-reply */
	    "250 ok\r\n550 no\r\n354 go\r\n",			/* 354 for nobody */
	    "250 ok\r\n250 ok\r\n250 ok\r\n",			/* DATA without asking */
	    "6xx weird\r\n",					/* no such class */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct smtp_client c;
		struct smtp_msg a;
		msg_init(&a, "<a@example.jp>", "A\r\n", &a);
		client_start(&c, 1, (struct smtp_msg *[]){&a}, 1);
		if (smtp_client_read(&c, bad[i], strlen(bad[i])) != ERR_INVALID)
			fail_msg("accepted: %s", bad[i]);
		smtp_client_free(&c);
	}
}

static void test_lost_session_says_which_were_answered(void **state)
{
	(void)state;
	struct smtp_client c;
	struct smtp_msg a, b, d, *back[SMTP_CLIENT_HOLD];
	msg_init(&a, "<a@example.jp>", "A\r\n", &a);
	msg_init(&b, "<b@example.jp>", "B\r\n", &b);
	msg_init(&d, "<d@example.jp>", "D\r\n", &d);
	client_start(&c, 1, (struct smtp_msg *[]){&a, &b, &d}, 3);
	feed(&c, "250 ok\r\n250 ok\r\n354 go\r\n"); /* a's data and b's envelope went out */
	assert_int_equal(smtp_client_lost(&c, back), 3);
	assert_ptr_equal(back[0], &a);
	assert_true(a.answered); /* perhaps delivered: only a retry later may send it again */
	assert_ptr_equal(back[1], &b);
	assert_false(b.answered); /* never answered: safe to send on another session */
	assert_ptr_equal(back[2], &d);
	assert_false(d.answered);
	assert_true(smtp_client_idle(&c));
	assert_int_equal(c.out.len, 0);
	assert_false(c.ready);
	/* The session comes back: a message given to it starts afresh. */
	smtp_client_add(&c, &b);
	smtp_client_ready(&c, 0);
	assert_out(&c, "MAIL FROM:<bounces+1-abc@example.jp>\r\n");
	smtp_client_free(&c);
}

static void test_long_reply_line_is_cut_without_addresses(void **state)
{
	(void)state;
	char reply[4096];
	size_t n = (size_t)snprintf(reply, sizeof reply, "250 ok\r\n550 5.1.1 ");
	while (n < 3000)
		n += (size_t)snprintf(reply + n, sizeof reply - n, "user%zu@example.jp ", n);
	snprintf(reply + n, sizeof reply - n, "\r\n554 no valid recipients\r\n");
	struct smtp_client c;
	struct smtp_msg a;
	msg_init(&a, "<a@example.jp>", "A\r\n", &a);
	client_start(&c, 1, (struct smtp_msg *[]){&a}, 1);
	feed(&c, reply);
	assert_taken(&c, &a, MAIL_FAILED, "550 5.1.1");
	smtp_client_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pipelined_envelope_rides_behind_the_data),
	    cmocka_unit_test(test_one_command_at_a_time_without_pipelining),
	    cmocka_unit_test(test_refusals_with_pipelining),
	    cmocka_unit_test(test_dot_stuffing_and_final_line_end),
	    cmocka_unit_test(test_replies_split_anywhere_and_multiline),
	    cmocka_unit_test(test_protocol_errors),
	    cmocka_unit_test(test_lost_session_says_which_were_answered),
	    cmocka_unit_test(test_long_reply_line_is_cut_without_addresses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
