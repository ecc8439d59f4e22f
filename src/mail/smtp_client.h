/* SPDX-License-Identifier: MIT */
/* smtp_client.h — the client side of the mail transactions on one SMTP session, on bytes only
 * (transport_smtp.c does the I/O): one recipient per transaction, commands pipelined (RFC 2920)
 * when the server offers PIPELINING, one at a time when it does not. src/mail/ only. */
#ifndef MIMAMORI_MAIL_SMTP_CLIENT_H
#define MIMAMORI_MAIL_SMTP_CLIENT_H
#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"
#include "mail/mail_internal.h"

/* Messages one session holds at most: one whose data has gone out and waits for the server's
 * verdict, the next, whose envelope went out behind that data and waits for its 354, and a
 * third, ready to go behind the second's data the moment that 354 comes. Without the third,
 * the server would answer the second's data and the third's envelope in two writes, and a
 * server that leaves Nagle on holds the second write until our delayed ACK. */
#define SMTP_CLIENT_HOLD 3
/* Longest reply line kept (RFC 5321 4.5.3.1.5 allows 512); longer lines are cut. */
#define SMTP_LINE_MAX 1024

/* One message on a session. The caller fills tag, from_arg, rcpt_arg ("<address>", already
 * rendered and checked: no CR/LF), msg and len (CRLF line ends) and keeps ownership of them;
 * the client only reads them while it holds the message. */
struct smtp_msg {
	void *tag;
	const char *from_arg, *rcpt_arg;
	const char *msg;
	size_t len;
	/* Set by the client. */
	int answered;    /* the server answered at least one of its commands */
	long fail_code;  /* the first refusing reply's code, 0 while none */
	enum mail_result result;    /* once finished */
	char reply[MAIL_REPLY_MAX]; /* the first refusing reply's first line (addresses blanked),
				     * or the accepting code alone ("250") */
};

enum smtp_cmd { SMTP_MAIL, SMTP_RCPT, SMTP_DATA, SMTP_BODY, SMTP_RSET };
/* Replies due at most: MAIL, RCPT, DATA and the data of each held message, plus one RSET. */
#define SMTP_EXPECT_MAX (4 * SMTP_CLIENT_HOLD + 1)

/* The state of one session's transactions. Initialise with smtp_client_init; all fields are
 * the client's. */
struct smtp_client {
	int ready;      /* the session is connected: commands may be written */
	int pipelining; /* the server offered PIPELINING */
	struct smtp_msg *held[SMTP_CLIENT_HOLD]; /* in the order of their commands */
	size_t n_held;
	size_t n_env;  /* held messages whose envelope (or its first command) has been written */
	int await_354; /* DATA written, its reply not in: nothing more may be written */
	struct {
		struct smtp_msg *m;
		enum smtp_cmd c;
	} expect[SMTP_EXPECT_MAX]; /* replies due, oldest first (a ring) */
	size_t exp_head, exp_n;
	struct buf out; /* bytes to write, in order */
	char line[SMTP_LINE_MAX]; /* the reply line being read */
	size_t line_n;
	int line_over;		       /* the line was longer than line: the rest is skipped */
	char first[SMTP_LINE_MAX];     /* the first line of the reply being read */
	int in_reply;		       /* a multi-line reply has started */
	struct smtp_msg *finished[SMTP_CLIENT_HOLD]; /* done, for smtp_client_take */
	size_t n_finished;
};

/* Makes c an idle client of a session that is not connected yet. */
void smtp_client_init(struct smtp_client *c);
/* Frees what c holds (its output buffer); the messages stay the caller's. */
void smtp_client_free(struct smtp_client *c);
/* Returns 1 when c can take another message (it holds fewer than SMTP_CLIENT_HOLD). */
int smtp_client_room(const struct smtp_client *c);
/* Returns 1 when c holds no message and awaits no reply. */
int smtp_client_idle(const struct smtp_client *c);
/* Hands m to c (only when smtp_client_room): its commands are written as soon as the session
 * is ready and the protocol allows. c keeps the pointer until the message is taken back. */
void smtp_client_add(struct smtp_client *c, struct smtp_msg *m);
/* The session is connected and the server greeted us; pipelining is 1 when its EHLO offered
 * PIPELINING. Writes the commands of the messages already held. */
void smtp_client_ready(struct smtp_client *c, int pipelining);
/* Reads n bytes the server sent: every complete reply moves the transactions on (writing the
 * next commands into c->out, finishing messages). ERR_INVALID when the server broke the
 * protocol (a reply nobody waits for, a line that is not a reply, a 354 for a message it had
 * refused): the session must be closed with smtp_client_lost. */
enum err smtp_client_read(struct smtp_client *c, const char *p, size_t n);
/* Takes back the oldest finished message (its result and reply set). Returns NULL when none
 * has finished. */
struct smtp_msg *smtp_client_take(struct smtp_client *c);
/* The session is gone (closed, broken, timed out): takes back every held message in order
 * into out (room for SMTP_CLIENT_HOLD) and returns how many; m->answered says whether the
 * server had answered any of its commands (if not, it is safe to send it elsewhere). Messages
 * already finished stay for smtp_client_take. c is then idle and not ready. */
size_t smtp_client_lost(struct smtp_client *c, struct smtp_msg **out);

/* Returns how much of an SMTP reply line of n bytes to keep when it was cut at n: up to its
 * last space (a cut address could lose its '@' and escape the blanking), at least 3. */
size_t smtp_line_cut_at_word(const char *line, size_t n);

#endif
