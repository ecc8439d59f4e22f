/* SPDX-License-Identifier: MIT */
/* mail.h — the mail layer's public interface: the outbox (the only way mail leaves),
 * address checks, and the sender thread with its transports (smtp://, maildir:). */
#ifndef MIMAMORI_MAIL_MAIL_H
#define MIMAMORI_MAIL_MAIL_H
#include <stdint.h>

#include "base/err.h"

struct store;
struct store_conn;
struct vault;
struct mail_sender;

/* Returns 1 when addr is an address we accept and can deliver: a local part and a domain
 * with a dot, no spaces/CR/LF/control chars, at most 254 bytes. Legacy Japanese carrier local
 * parts that break RFC 5322 (consecutive dots, a dot before '@', e.g. taro..yamada.@docomo.ne.jp)
 * are accepted. */
int mail_address_valid(const char *addr);

/* Queues one message to one recipient on connection c, inside the caller's transaction if one
 * is open (so the mail is committed together with what caused it). Recipient, subject and body
 * are sealed with the vault before they are stored. kind is "notice" (automatic, gets
 * Auto-Submitted) or "bulk". send_id groups messages of one send. Refuses CR/LF in subject
 * (ERR_INVALID) and invalid addresses (ERR_INVALID). Does not copy or keep any pointer. */
enum err mail_outbox_enqueue(struct store_conn *c, const struct vault *v, const char *send_id,
			     const char *kind, const char *to, const char *subject,
			     const char *body);

/* Starts the sender thread for transport_url ("smtp://host:port" or "maildir:PATH"). It sends
 * due outbox rows, marks them sent/failed/deferred, retries 4xx with back-off, and on start
 * re-queues rows left 'sending' by a crash. Returns the sender in *out (stop with
 * mail_sender_stop). ERR_INVALID for an unknown transport. s and v must outlive the sender. */
enum err mail_sender_start(struct store *s, const struct vault *v, const char *transport_url,
			   struct mail_sender **out);
/* Wakes the sender after new rows were committed (cheap; safe from any thread). */
void mail_sender_wake(struct mail_sender *m);
/* Stops the thread, waits for it, frees m; NULL is a no-op. */
void mail_sender_stop(struct mail_sender *m);

struct mail_stats {
	int64_t queued;   /* rows waiting (queued + deferred + sending) */
	int64_t sent;     /* sent since start */
	int64_t failed;   /* permanently failed since start */
	int64_t deferred; /* 4xx deferrals since start */
};
/* Fills *st with the sender's counters and the current queue depth. */
void mail_sender_stats(struct mail_sender *m, struct mail_stats *st);

#endif
