/* SPDX-License-Identifier: MIT */
/* mail_internal.h — interfaces shared inside src/mail/: address rendering, MIME building and
 * the transports the sender thread drives. Not for use outside src/mail/ (tests excepted). */
#ifndef MIMAMORI_MAIL_MAIL_INTERNAL_H
#define MIMAMORI_MAIL_MAIL_INTERNAL_H
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

struct vault;

/* Caps on what the outbox accepts (bytes). */
#define MAIL_SUBJECT_MAX 998
#define MAIL_BODY_MAX (1024 * 1024)
/* Cap on a built message: base64 grows the body by 4/3 plus line breaks. */
#define MAIL_MESSAGE_MAX (2 * MAIL_BODY_MAX)
/* Longest SMTP reply text kept in outbox.last_reply. */
#define MAIL_REPLY_MAX 200

/* A row just inserted already claimed for a sender (outbox.c → handoff.c): the job's fields.
 * blob[], domain and message_id are malloc'd and pass to the handoff; kind and service are
 * copied. */
struct mail_sealed {
	int64_t id;
	const char *kind, *service;
	int64_t claimed_ms;
	unsigned char *blob[3]; /* to, subject, body (sealed) */
	size_t len[3];
	char *domain, *message_id;
};
struct mail_handoff;
/* Returns the name the handoff's rows are claimed under (outbox.claimed_by); owned by h. */
const char *mail_handoff_claimer(const struct mail_handoff *h);
/* Adds the job of a row claimed for h's sender; takes the malloc'd parts of row. */
void mail_handoff_add(struct mail_handoff *h, const struct mail_sealed *row);

/* Returns a malloc'd copy of a valid addr (see mail_address_valid) for SMTP envelopes and
 * headers: the local part is quoted when it is not an RFC 5322 dot-atom, e.g.
 * taro..yamada.@docomo.ne.jp → "taro..yamada."@docomo.ne.jp. Caller frees. */
char *mail_address_render(const char *addr);
/* Returns a malloc'd lower-case copy of the domain of a valid addr. Caller frees. */
char *mail_address_domain(const char *addr);
/* Returns 1 when domain is one a valid address may have (dot-separated LDH labels, two or
 * more). */
int mail_domain_valid(const char *domain);

/* Writes "<id>-<mac>" into out (n bytes): mac the first mac_len (at most 64) lower-case hex
 * characters of the vault's keyed BLAKE2b of the id under purpose (a blind-index domain, e.g.
 * "verp"). ERR_INVALID for an id <= 0, ERR_TOOLARGE when out is too small. */
enum err mail_keyed_id_write(const struct vault *v, const char *purpose, int64_t id,
			     size_t mac_len, char *out, size_t n);
/* Reads "<id>-<mac>" at the start of p into *id and returns the first byte after it; NULL when
 * p does not start with one whose mac is right (*forged set to 1 when only the mac is wrong,
 * else left alone). Letter case of the mac is ignored. */
const char *mail_keyed_id_read(const struct vault *v, const char *purpose, const char *p,
			       size_t mac_len, int64_t *id, int *forged);
/* Writes the address "<prefix><id>-<mac>@domain" into out (n bytes). ERR_INVALID for a bad id or
 * an address that is not valid, ERR_TOOLARGE when out is too small. */
enum err mail_keyed_address_write(const struct vault *v, const char *purpose, const char *prefix,
				  int64_t id, size_t mac_len, const char *domain, char *out,
				  size_t n);
/* Reads an address written by mail_keyed_address_write (optionally in <>, any letter case, any
 * domain) into *id. ERR_NOTFOUND when addr does not have that shape, ERR_INVALID when it does
 * but its mac is wrong (forged or mangled). */
enum err mail_keyed_address_read(const struct vault *v, const char *purpose, const char *prefix,
				 size_t mac_len, const char *addr, int64_t *id);

/* Splits a From setting, "Name <addr>" or "addr", into malloc'd *name (maybe "") and *addr
 * (caller frees both). ERR_INVALID when the address part is not valid. */
enum err mail_from_parse(const char *spec, char **name, char **addr);
/* Appends the base64 of n bytes as one unbroken run to out. */
enum err mail_mime_base64(struct buf *out, const void *p, size_t n);
/* Appends text as RFC 2047 encoded-words (=?UTF-8?B?...?=, each at most 75 characters,
 * never splitting a UTF-8 sequence), separated by CRLF SP (folding) to out. */
enum err mail_mime_encode_words(struct buf *out, const char *text);
/* Returns how many bytes of text the first encoded-word appended to out may carry so that its
 * line stays within RFC 2047's 76 characters: out's current column (after its last CRLF) plus
 * overhead (the word's fixed characters) plus the base64 of the bytes; at most max, a multiple
 * of 3. */
size_t mail_mime_first_word_bytes(const struct buf *out, size_t overhead, size_t max);

/* What one message needs to be built; all strings are borrowed. */
struct mail_message {
	const char *from_name; /* display name, may be "" */
	const char *from_addr;
	const char *to; /* one valid recipient address */
	const char *subject;
	const char *body;	/* UTF-8 text, LF or CRLF line ends */
	int iso2022jp;		/* 1: ISO-2022-JP 7bit when subject, from_name and body convert */
	const char *message_id; /* "<token@mimamori.invalid>" */
	const char *kind;	/* "notice" adds Auto-Submitted: auto-generated */
	int64_t date_ms;
	/* Bulk mail: List-Unsubscribe targets (RFC 8058), both or neither; NULL for none. */
	const char *unsubscribe_url;    /* https URL for the one-click POST */
	const char *unsubscribe_mailto; /* address whose mail unsubscribes */
};
/* Builds the full RFC 5322 message (CRLF line ends, base64 UTF-8 text body; with iso2022jp an
 * ISO-2022-JP 7bit one, or UTF-8 when a character has no ISO-2022-JP form) into out, which the
 * caller has initialised. ERR_TOOLARGE past out's cap. */
enum err mail_mime_build(const struct mail_message *msg, struct buf *out);

/* The result of handing one message to a transport. */
enum mail_result {
	MAIL_SENT,     /* accepted (2xx) */
	MAIL_DEFERRED, /* temporary failure (4xx, no connection): try again later */
	MAIL_FAILED,   /* permanent failure (5xx) */
};

/* The outcome of one message a transport was given. */
struct mail_done {
	void *tag; /* as given to start */
	enum mail_result r;
	char reply[MAIL_REPLY_MAX]; /* the server's reply (addresses scrubbed) or a reason */
};

/* A way out for messages, used by the sender thread only (not thread-safe). A transport
 * either sends one message at a time (send) or several at once (room/start/wait/busy). */
struct mail_transport {
	/* Sends msg (len bytes, CRLF line ends) from envelope sender `from` to the one recipient
	 * `rcpt` (a valid address). Writes the server's reply (or a reason) into reply. NULL for
	 * a concurrent transport. */
	enum mail_result (*send)(struct mail_transport *t, const char *from, const char *rcpt,
				 const char *msg, size_t len, char *reply, size_t reply_n);
	/* Returns how many more messages can be started now. */
	size_t (*room)(struct mail_transport *t);
	/* Starts sending msg (malloc'd, len bytes: the transport owns it from here, wipes and
	 * frees it) from `from` to `rcpt`; its outcome comes back from wait with tag. Only when
	 * room() > 0. */
	void (*start)(struct mail_transport *t, const char *from, const char *rcpt, char *msg,
		      size_t len, void *tag);
	/* Waits at most timeout_ms for outcomes; writes up to max into done and returns how
	 * many (0 when none finished in time). */
	size_t (*wait)(struct mail_transport *t, int timeout_ms, struct mail_done *done,
		       size_t max);
	/* Returns how many messages are in flight. */
	size_t (*busy)(struct mail_transport *t);
	/* Frees t (messages in flight are dropped: their rows stay 'sending' and are sent again
	 * after a restart). */
	void (*free)(struct mail_transport *t);
	/* Messages one session carries at once (pacing counts a domain's sessions by them). */
	int per_session;
};

/* STARTTLS to the relay. */
enum mail_tls { MAIL_TLS_TRY, MAIL_TLS_REQUIRE, MAIL_TLS_OFF };
/* How to talk to the relay; strings borrowed for the call. */
struct mail_smtp_options {
	int sessions;         /* SMTP sessions open at once (default 8) */
	enum mail_tls tls;    /* STARTTLS when offered (default), always, or never */
	const char *ca_file;  /* CA certificates to verify the relay with (NULL: the system's) */
	const char *user;     /* SMTP AUTH user (NULL or "": no AUTH) */
	const char *password;
};

/* Creates an SMTP transport for url ("smtp://host:port") with o->sessions sessions, each kept
 * open across messages. Returns NULL when libcurl cannot be set up. Free with t->free. */
struct mail_transport *mail_transport_smtp_new(const char *url,
					       const struct mail_smtp_options *o);
/* Creates a Maildir transport delivering into dir (creating dir/{tmp,new,cur}). Returns NULL
 * and logs when the folders cannot be created. Free with t->free. */
struct mail_transport *mail_transport_maildir_new(const char *dir);

/* Per-domain pacing (pacing.c): at most N sessions and M messages a minute per recipient
 * domain, and a domain that answers 421/451/452 is slowed. */
struct mail_pacer;
/* Creates a pacer from spec ("domain=SESSIONS/PER_MINUTE,…", before the defaults for the
 * Japanese carriers) with default_sessions for other domains; a domain may have its sessions
 * times per_session messages in flight (a pipelining session carries the next message's
 * envelope behind the data of the one before); a throttling reply pauses its domain for
 * pause_ms. *bad is set to the reason (static text) and NULL returned when spec cannot be
 * read. Free with mail_pacer_free. */
struct mail_pacer *mail_pacer_new(const char *spec, int default_sessions, int per_session,
				  int64_t pause_ms, const char **bad);
/* Frees p; NULL is a no-op. */
void mail_pacer_free(struct mail_pacer *p);
/* Returns 0 when a message to domain may start at now_ms, else the earliest time it may
 * (ms since the epoch) — after a pause or when its minute's budget refills. */
int64_t mail_pacer_wait_until(struct mail_pacer *p, const char *domain, int64_t now_ms);
/* Returns the time between two messages to domain at its current rate (ms; 0 unlimited). */
int64_t mail_pacer_interval_ms(struct mail_pacer *p, const char *domain, int64_t now_ms);
/* Counts a message to domain as started at now_ms. */
void mail_pacer_started(struct mail_pacer *p, const char *domain, int64_t now_ms);
/* Counts a message to domain as finished with r and the server's reply at now_ms: a 421,
 * 451 or 452 (throttling) pauses and slows the domain; successes speed it up again. */
void mail_pacer_done(struct mail_pacer *p, const char *domain, enum mail_result r,
		     const char *reply, int64_t now_ms);
/* Writes per-domain lines "mimamori_mail_…{domain="…"} N" for /metrics into b. */
void mail_pacer_metrics(struct mail_pacer *p, struct buf *b);

#endif
