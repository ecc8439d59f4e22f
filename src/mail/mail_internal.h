/* SPDX-License-Identifier: MIT */
/* mail_internal.h — interfaces shared inside src/mail/: address rendering, MIME building and
 * the transports the sender thread drives. Not for use outside src/mail/ (tests excepted). */
#ifndef MIMAMORI_MAIL_MAIL_INTERNAL_H
#define MIMAMORI_MAIL_MAIL_INTERNAL_H
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

/* Caps on what the outbox accepts (bytes). */
#define MAIL_SUBJECT_MAX 998
#define MAIL_BODY_MAX (1024 * 1024)
/* Cap on a built message: base64 grows the body by 4/3 plus line breaks. */
#define MAIL_MESSAGE_MAX (2 * MAIL_BODY_MAX)
/* Longest SMTP reply text kept in outbox.last_reply. */
#define MAIL_REPLY_MAX 200

/* Returns a malloc'd copy of a valid addr (see mail_address_valid) for SMTP envelopes and
 * headers: the local part is quoted when it is not an RFC 5322 dot-atom, e.g.
 * taro..yamada.@docomo.ne.jp → "taro..yamada."@docomo.ne.jp. Caller frees. */
char *mail_address_render(const char *addr);
/* Returns a malloc'd lower-case copy of the domain of a valid addr. Caller frees. */
char *mail_address_domain(const char *addr);

/* Splits a From setting, "Name <addr>" or "addr", into malloc'd *name (maybe "") and *addr
 * (caller frees both). ERR_INVALID when the address part is not valid. */
enum err mail_from_parse(const char *spec, char **name, char **addr);
/* Appends text as RFC 2047 encoded-words (=?UTF-8?B?...?=, each at most 75 characters,
 * never splitting a UTF-8 sequence), separated by CRLF SP (folding) to out. */
enum err mail_mime_encode_words(struct buf *out, const char *text);

/* What one message needs to be built; all strings are borrowed. */
struct mail_message {
	const char *from_name; /* display name, may be "" */
	const char *from_addr;
	const char *to; /* one valid recipient address */
	const char *subject;
	const char *body;	/* UTF-8 text, LF or CRLF line ends */
	const char *message_id; /* "<token@mimamori.invalid>" */
	const char *kind;	/* "notice" adds Auto-Submitted: auto-generated */
	int64_t date_ms;
};
/* Builds the full RFC 5322 message (CRLF line ends, base64 UTF-8 text body) into out, which
 * the caller has initialised. ERR_TOOLARGE past out's cap. */
enum err mail_mime_build(const struct mail_message *msg, struct buf *out);

/* The result of handing one message to a transport. */
enum mail_result {
	MAIL_SENT,     /* accepted (2xx) */
	MAIL_DEFERRED, /* temporary failure (4xx, no connection): try again later */
	MAIL_FAILED,   /* permanent failure (5xx) */
};

/* A way out for messages, used by the sender thread only (not thread-safe). */
struct mail_transport {
	/* Sends msg (len bytes, CRLF line ends) from envelope sender `from` to the one recipient
	 * `rcpt` (a valid address). Writes the server's reply (or a reason) into reply. */
	enum mail_result (*send)(struct mail_transport *t, const char *from, const char *rcpt,
				 const char *msg, size_t len, char *reply, size_t reply_n);
	/* Frees t. */
	void (*free)(struct mail_transport *t);
};

/* Creates an SMTP transport for url ("smtp://host:port"); keeps its connection open across
 * messages. Returns NULL when libcurl cannot be set up. Free with t->free. */
struct mail_transport *mail_transport_smtp_new(const char *url);
/* Creates a Maildir transport delivering into dir (creating dir/{tmp,new,cur}). Returns NULL
 * and logs when the folders cannot be created. Free with t->free. */
struct mail_transport *mail_transport_maildir_new(const char *dir);

#endif
