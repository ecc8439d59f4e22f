/* SPDX-License-Identifier: MIT */
/* mail.h — the mail layer's public interface: the outbox (the only way mail leaves),
 * address checks, and the sender thread with its transports (smtp://, maildir:). */
#ifndef MIMAMORI_MAIL_MAIL_H
#define MIMAMORI_MAIL_MAIL_H
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct store;
struct store_conn;
struct vault;
struct keyring;
struct mail_sender;

/* Returns 1 when addr is an address we accept and can deliver: a local part and a domain
 * with a dot, no spaces/CR/LF/control chars, at most 254 bytes. Legacy Japanese carrier local
 * parts that break RFC 5322 (consecutive dots, a dot before '@', e.g. taro..yamada.@docomo.ne.jp)
 * are accepted. */
int mail_address_valid(const char *addr);

/* Queues one message to one recipient on connection c, inside the caller's transaction if one
 * is open (so the mail is committed together with what caused it). Recipient, subject and body
 * are sealed with v — the key of the service that queues it (the platform's for its own mail) —
 * and the row is marked as that service's (outbox.service = vault_name(v)), so the sender, a
 * bounce or a retry open it with the same key. kind is "notice" (automatic, gets
 * Auto-Submitted) or "bulk". send_id groups messages of one send. Refuses CR/LF in subject
 * (ERR_INVALID) and invalid addresses (ERR_INVALID). Does not copy or keep any pointer. */
enum err mail_outbox_enqueue(struct store_conn *c, const struct vault *v, const char *send_id,
			     const char *kind, const char *to, const char *subject,
			     const char *body);

/* Notices handed to this server's sender in memory (handoff.c): the rows are inserted already
 * claimed by it, in the caller's transaction, and the sender takes them once that transaction
 * has committed — no claiming transaction of their own. A crash in between leaves them
 * 'sending' under a sender that is gone: the next start (or another server) puts them back.
 * Returns a handoff for sender m, or NULL when there is none or its queue already holds as
 * many as it takes this way (then queue with mail_outbox_enqueue as usual). */
struct mail_handoff *mail_handoff_new(struct mail_sender *m);
/* As mail_outbox_enqueue for a notice; with h the row is claimed for h's sender (h NULL: as
 * mail_outbox_enqueue). */
enum err mail_outbox_enqueue_handoff(struct store_conn *c, const struct vault *v,
				     const char *send_id, const char *to, const char *subject,
				     const char *body, struct mail_handoff *h);
/* After the transaction committed: gives h's messages to its sender and frees h. NULL is a
 * no-op. */
void mail_handoff_commit(struct mail_handoff *h);
/* After it rolled back (or when it is not known to have committed): frees h and its messages;
 * their rows, if they were stored after all, are put back by the recovery of gone senders'
 * rows at the next start. NULL is a no-op. */
void mail_handoff_drop(struct mail_handoff *h);
/* Returns how many messages h holds (0 for NULL). */
size_t mail_handoff_count(const struct mail_handoff *h);

/* Replaces the subject and body of every message of send_id queued under v's key (sent or not)
 * with text, sealed as before: for a message that must not outlive what it carried (a file's
 * password). The row stays (bounces and delivery refer to it). ERR_OK or ERR_DB. */
enum err mail_outbox_blank(struct store_conn *c, const struct vault *v, const char *send_id,
			   const char *text);

/* Why a bulk message was not queued. */
enum mail_skip {
	MAIL_QUEUED,            /* it was queued */
	MAIL_SKIP_BOUNCING,     /* the address bounces: no bulk mail until confirmed again */
	MAIL_SKIP_UNSUBSCRIBED, /* the address unsubscribed from the send's list */
};
/* What a bulk message carries besides its text. */
struct mail_bulk_opts {
	int64_t owner_id; /* the recipient's record in the service's own tables (0: none) */
	int read_link;    /* 1: the body gets a 「読みました」 link (read confirmation, read.c) */
	const char *list; /* the message's list when it is not send_id's (a service that sends on
			   * a list per group, such as one per school), or NULL */
};
/* Queues one bulk message (kind "bulk", see mail_outbox_enqueue) unless its address is
 * bouncing or unsubscribed from its list (o->list, else the part of send_id before ':');
 * *skip says which.
 * o may be NULL (no owner, no read link). Same errors as mail_outbox_enqueue, and ERR_INVALID
 * for a list that is not declared (mail_list_declare) or is another service's than v's. Keeps
 * no pointer. */
enum err mail_outbox_enqueue_bulk(struct store_conn *c, const struct vault *v,
				  const char *send_id, const char *to, const char *subject,
				  const char *body, const struct mail_bulk_opts *o,
				  enum mail_skip *skip);

/* The sender's display name when mimamori.conf names none ([mail] from_name). */
#define MAIL_FROM_NAME_DEFAULT "学童クラブ 見守りメール"
#define MAIL_FROM_NAME_MAX 64 /* characters of the display name */
/* Gives the mail service queued (its outbox rows) the sender's display name name instead of
 * [mail] from_name — a service's own, such as [schoolmail] from_name — for every sender started
 * afterwards (a process-wide table; `serve` sets each service's before it starts the sender).
 * ERR_INVALID for a name that is not 1 to MAIL_FROM_NAME_MAX characters on one line,
 * ERR_TOOLARGE past MAIL_FROM_NAMES_MAX services. (from_names.c) */
enum err mail_from_name_set(const char *service, const char *name);

/* After mail_sender_start answered ERR_INVALID: which setting is wrong and how to write it, one
 * Japanese sentence naming the mimamori.conf key (static); NULL when none was named. */
const char *mail_sender_config_why(void);

/* Starts the sender thread for transport_url ("smtp://host:port" or "maildir:PATH"). It sends
 * due outbox rows, marks them sent/failed/deferred, retries 4xx with back-off, and re-queues
 * rows left 'sending' by a sender that is gone (a crash, another server killed), never a live
 * sender's: on start and every few seconds (several servers may share one PostgreSQL). Each message goes out with its VERP return path
 * (MIMAMORI_MAIL_BOUNCE_DOMAIN, default the From domain) and From: MIMAMORI_MAIL_FROM with the
 * display name MIMAMORI_MAIL_FROM_NAME (else the name in the former, else
 * MAIL_FROM_NAME_DEFAULT); bulk mail carries List-Unsubscribe
 * links under base_url (the public URL, e.g. "https://mimamori.example.jp"). Returns the sender
 * in *out (stop with mail_sender_stop). ERR_INVALID for an unknown transport or a bad setting,
 * ERR_CONFLICT when another server uses this SQLite database (only one may).
 * Each row is unsealed with its service's key from k; return paths and unsubscribe tokens are
 * keyed with the platform's. s and k must outlive the sender; base_url is copied. */
enum err mail_sender_start(struct store *s, struct keyring *k, const char *transport_url,
			   const char *base_url, struct mail_sender **out);
/* Wakes the sender after new rows were committed (cheap; safe from any thread). */
void mail_sender_wake(struct mail_sender *m);
/* Stops the thread, waits for it, frees m; NULL is a no-op. */
void mail_sender_stop(struct mail_sender *m);

struct mail_stats {
	int64_t queued;   /* rows waiting (queued + deferred + sending) */
	int64_t sent;     /* sent since start */
	int64_t failed;   /* permanently failed since start */
	int64_t deferred; /* 4xx deferrals since start */
	int64_t handed;   /* notices handed to the sender in memory since start (handoff.c) */
};
struct buf;
/* Appends the per-domain counters (sent, failed, deferred, throttled, in flight) for /metrics
 * to b. */
void mail_sender_metrics(struct mail_sender *m, struct buf *b);
/* Fills *st with the sender's counters and the current queue depth. */
void mail_sender_stats(struct mail_sender *m, struct mail_stats *st);

/* ---- Bounces and inbound mail (address.c, verp.c, dsn.c, bounce.c, inbound.c) ---- */
#include <stddef.h>

/* Writes the blind index of addr (lower-cased) under v into idx (VAULT_BLIND_LEN bytes). With
 * a service's vault it is the index its own tables keep (attendance's guardians.email_idx), so
 * the bounces and unsubscribes of that service's mail name an address as the service does —
 * and another service's records of the same address are other records. */
void mail_address_index(const struct vault *v, const char *addr, unsigned char *idx);

/* VERP return paths: bounces+<outbox id>-<mac>@<domain>, mac the first MAIL_VERP_MAC_LEN
 * lower-case hex characters of the vault's keyed BLAKE2b of the id (blind index domain
 * "verp"), so nobody without the key can address a bounce to an arbitrary outbox row. */
#define MAIL_VERP_MAC_LEN 10
/* Writes the VERP envelope sender of outbox row outbox_id at domain into out (n bytes).
 * ERR_INVALID for an id <= 0 or a domain that does not make a valid address, ERR_TOOLARGE
 * when out is too small. Keeps no pointer. */
enum err mail_verp_make(const struct vault *v, int64_t outbox_id, const char *domain, char *out,
			size_t n);
/* Reads addr ("bounces+42-0a1b2c3d4e@example.jp", optionally in <>, any letter case) into
 * *outbox_id. ERR_NOTFOUND when addr is not a VERP address, ERR_INVALID when it is one but its
 * mac is wrong (forged or mangled). The domain is not checked: the mac is what counts. */
enum err mail_verp_parse(const struct vault *v, const char *addr, int64_t *outbox_id);

/* List-Unsubscribe (unsubscribe.c): bulk mail carries <BASE/api/v1/unsubscribe/TOKEN> for a
 * one-click POST (RFC 8058) and <mailto:unsubscribe+TOKEN@domain>; TOKEN is "<outbox id>-<mac>",
 * mac the first MAIL_UNSUB_MAC_LEN hex characters of the vault's keyed BLAKE2b of the id (blind
 * index domain "unsubscribe"): 128 bits, so it cannot be guessed for another row. */
#define MAIL_UNSUB_MAC_LEN 32
#define MAIL_LIST_MAX 32 /* bytes kept of a list name (send_id before ':') */
/* Copies the list of send_id — the part before ':', e.g. "emergency" — into list (n bytes, cut
 * at n - 1). Unsubscribes are kept per list. */
void mail_send_list(const char *send_id, char *list, size_t n);
/* A list bulk mail goes out on (lists.c): its name (the send_id before ':'), what a person
 * calls it, and whether a recipient may leave it. A list that may not be left (a club's
 * emergency mail: the club's duty of care to every enrolled child) carries no List-Unsubscribe,
 * says so in its footer, and its unsubscribe links and mailtos are refused. */
struct mail_list {
	const char *name;      /* "emergency": 1 to 31 of a-z 0-9 _ - */
	const char *label_ja;  /* 「緊急連絡」 */
	int may_unsubscribe;   /* 1: ordinary notices, a recipient may leave the list */
};
/* A declared list as stored (table mail_lists). */
struct mail_list_info {
	char name[MAIL_LIST_MAX];
	char service[32]; /* the service that declared it: its key seals the list's mail */
	char label_ja[128];
	int may_unsubscribe;
};
/* Declares (or updates) list l as service's on c: the lists table says whether its mail may
 * be left in every process (the sender, mail-in, the unsubscribe page). ERR_INVALID for a bad
 * name or label, ERR_CONFLICT when another service declared the name. */
enum err mail_list_declare(struct store_conn *c, const char *service, const struct mail_list *l);
/* Loads the declared list of send_id (or a list name) into *out. ERR_NOTFOUND when nobody
 * declared it. */
enum err mail_list_find(struct store_conn *c, const char *send_id, struct mail_list_info *out);
/* Sets *may to 1 when a recipient may leave the list of send_id, on c. A list nobody declared
 * is ordinary bulk mail and may be left (mail_outbox_enqueue_bulk queues only declared
 * lists). */
enum err mail_list_may_unsubscribe(struct store_conn *c, const char *send_id, int *may);

/* Joining a list again (resubscribe.c). */
struct mail_resubscribe {
	char list[MAIL_LIST_MAX];
	char label_ja[128]; /* what people call the list */
	int64_t outbox_id;  /* the message whose link asked */
};
/* Asks, on c inside the caller's transaction, to put the recipient of bulk row outbox_id back
 * on the row's list: a one-time link (BASE/unsubscribe/?r=TOKEN, 24 hours; only its hash is
 * kept) goes to that address as a notice sealed under the row's service's key (from k).
 * ERR_NOTFOUND for no such bulk row, ERR_FORBIDDEN for a list that may not be left, ERR_CONFLICT
 * when the address has not left the list, ERR_TOOMANY after 3 asks in 24 hours. */
enum err mail_resubscribe_request(struct store_conn *c, struct keyring *k, int64_t outbox_id,
				  const char *base_url, struct mail_resubscribe *res);
/* Confirms the ask of token on c: the address is on its list again (its unsubscribe removed),
 * the token used. ERR_NOTFOUND for an unknown, used or expired token. */
enum err mail_resubscribe_confirm(struct store_conn *c, const char *token,
				  struct mail_resubscribe *res);

/* Read confirmation (read.c): bulk mail queued with a read link carries
 * <BASE/read/?t=TOKEN>, TOKEN = "<outbox id>-<mac>" (blind-index domain "read", MAIL_READ_MAC_LEN
 * hex characters under the platform's key): the page's button 「読みました」 records the read. */
#define MAIL_READ_MAC_LEN 32
/* Writes the read token of outbox row outbox_id into out (n bytes). ERR_INVALID for an id <= 0,
 * ERR_TOOLARGE when out is too small. */
enum err mail_read_token(const struct vault *v, int64_t outbox_id, char *out, size_t n);
/* Reads token into *outbox_id. ERR_NOTFOUND when it is not a token or its mac is wrong. */
enum err mail_read_parse(const struct vault *v, const char *token, int64_t *outbox_id);
/* Records on c that the recipient of outbox row outbox_id read it (once: *already 1 when it
 * was recorded before, nothing changed). ERR_NOTFOUND when the row carries no read link. */
enum err mail_read_record(struct store_conn *c, int64_t outbox_id, int *already);
/* Writes the token of outbox row outbox_id into out (n bytes). ERR_INVALID for an id <= 0,
 * ERR_TOOLARGE when out is too small. */
enum err mail_unsub_token(const struct vault *v, int64_t outbox_id, char *out, size_t n);
/* Reads token into *outbox_id. ERR_NOTFOUND when it is not a token or its mac is wrong (one
 * answer for both: a caller must not learn which). */
enum err mail_unsub_parse(const struct vault *v, const char *token, int64_t *outbox_id);
/* Writes the mailto address unsubscribe+TOKEN@domain of outbox row outbox_id into out (n
 * bytes). ERR_INVALID for a bad id or domain, ERR_TOOLARGE when out is too small. */
enum err mail_unsub_mailto(const struct vault *v, int64_t outbox_id, const char *domain,
			   char *out, size_t n);
/* Reads an unsubscribe mailto address (optionally in <>, any letter case) into *outbox_id.
 * ERR_NOTFOUND when addr is not one, ERR_INVALID when it is one with a wrong mac. */
enum err mail_unsub_mailto_parse(const struct vault *v, const char *addr, int64_t *outbox_id);
/* What mail_unsubscribe did. */
struct mail_unsub_result {
	char list[MAIL_LIST_MAX]; /* the list the address left */
	int already;              /* 1 when it had left it before (nothing changed) */
};
/* Records on c (inside the caller's transaction, if any) that the recipient of outbox row
 * outbox_id wants no more mail of that row's list; via is "one-click", "web" or "mailto". The
 * address is unsealed and blinded with the key of the row's service (from k).
 * ERR_NOTFOUND when there is no such row or it is no bulk mail; ERR_FORBIDDEN (nothing
 * recorded, res->list set) when the row's list may not be left. */
enum err mail_unsubscribe(struct store_conn *c, struct keyring *k, int64_t outbox_id,
			  const char *via, struct mail_unsub_result *res);
/* Sets *yes to 1 when addr (blinded under v, the key of the list's service) unsubscribed from
 * the list of send_id (its part before ':'; a list's own name names it), on c; always 0 for a
 * list
 * that may not be left (an unsubscribe recorded before it was declared so does not count). */
enum err mail_unsubscribed(struct store_conn *c, const struct vault *v, const char *addr,
			   const char *send_id, int *yes);

/* Delivery status notifications (RFC 3464), read by dsn.c with GMime. */
#define MAIL_DSN_RCPT_MAX 16   /* recipient groups kept; later ones are ignored */
#define MAIL_DSN_ADDRS_MAX 8   /* addresses kept that may carry a VERP return path */
#define MAIL_DSN_FIELD_MAX 256 /* bytes kept of one field (longer values are cut) */

/* What a recipient's status means for the address. */
enum mail_bounce_kind {
	MAIL_BOUNCE_NONE, /* delivered, relayed, expanded, or nothing usable */
	MAIL_BOUNCE_SOFT, /* temporary: Action delayed or a 4.x.x status; never makes bouncing */
	MAIL_BOUNCE_HARD, /* permanent: Action failed with a 5.x.x status */
};

/* One per-recipient group of a message/delivery-status part. */
struct mail_dsn_rcpt {
	char action[16];                      /* lower-cased first word: "failed", "delayed" … */
	char status[16];                      /* "5.1.1"; "" when missing or malformed */
	char final_rcpt[MAIL_DSN_FIELD_MAX];  /* address of Final-Recipient, "" when none */
	char orig_rcpt[MAIL_DSN_FIELD_MAX];   /* address of Original-Recipient, "" when none */
	char diagnostic[MAIL_DSN_FIELD_MAX];  /* Diagnostic-Code after its type, unfolded */
};

/* A parsed inbound message. Holds addresses (personal data): clear with mail_dsn_clear. */
struct mail_dsn {
	int is_dsn; /* multipart/report; report-type=delivery-status with at least one recipient */
	char message_id[MAIL_DSN_FIELD_MAX]; /* the returned message's "<Message-ID>", or "" */
	size_t naddrs;                       /* addresses that may be our VERP return path: */
	char addrs[MAIL_DSN_ADDRS_MAX][MAIL_DSN_FIELD_MAX]; /* Delivered-To, X-Original-To, To,
							     * X-Postfix-Sender, Return-Path */
	size_t nrcpt;
	struct mail_dsn_rcpt rcpt[MAIL_DSN_RCPT_MAX];
};

/* Parses the message msg (len bytes, as received) into *d (filled by the caller's storage;
 * keeps no pointer into msg). Returns ERR_OK for any mail message, with d->is_dsn telling
 * whether it is a delivery status notification; ERR_INVALID when msg is not a mail message
 * at all. Never reads past len; any bytes are safe. */
enum err mail_dsn_parse(const char *msg, size_t len, struct mail_dsn *d);
/* Wipes *d (it holds addresses). */
void mail_dsn_clear(struct mail_dsn *d);
/* Returns what recipient group r reports: HARD for Action failed with Status 5.x.x; SOFT for
 * Action delayed, or a 4.x.x status, or failed without a usable status; else NONE. */
enum mail_bounce_kind mail_dsn_rcpt_kind(const struct mail_dsn_rcpt *r);
/* Returns the verdict of d for our recipient addr: the worst kind among the groups whose
 * Final- or Original-Recipient is addr (letter case ignored), or among all groups when none
 * names it (an address rewritten on the way). *which is the deciding group's index (valid
 * when the result is not NONE). */
enum mail_bounce_kind mail_dsn_verdict(const struct mail_dsn *d, const char *addr,
				       size_t *which);

/* The bounce state of addresses (bounce.c), kept by blind index only. */
/* Sets *bouncing to 1 when addr (blinded under v: the key of the service asking) has reached
 * the bounce limit and was not confirmed since, on c. */
enum err mail_bounce_is_bouncing(struct store_conn *c, const struct vault *v, const char *addr,
				 int *bouncing);
/* Clears the bounce state of the address with blind index idx (VAULT_BLIND_LEN bytes) after
 * its owner confirmed it again, on c inside the caller's transaction: counts back to 0, not
 * bouncing, and hard bounces of mail queued before now no longer count. */
enum err mail_bounce_confirmed(struct store_conn *c, const unsigned char *idx);

/* One bounce to record; strings and idx are borrowed. */
struct mail_bounce_event {
	int64_t outbox_id;
	int64_t queued_ms;        /* the row's created_ms */
	const unsigned char *idx; /* the recipient's blind index (VAULT_BLIND_LEN bytes) */
	const char *kind;         /* "hard", "soft", or "other" (VERP-addressed but no DSN) */
	const char *action;       /* the deciding recipient's Action ("" for other) */
	const char *status;       /* its Status ("" when none) */
	const char *diagnostic;   /* its Diagnostic-Code; stored with addresses blanked */
	const char *matched_by;   /* "verp" or "message-id" */
	int counts;               /* set by mail_bounce_record: 1 when it counted */
};
/* Records ev on c inside the caller's transaction: the event; for hard and soft, the
 * address's counts and last status; for hard, "bounced <status>: <diagnostic>" in the outbox
 * row's last_reply when the row is 'sent' (it stays sent: the relay took it). A hard bounce
 * counts when its mail was queued after the address was last confirmed; at limit counted hard
 * bounces the address becomes bouncing (*became 1). *bouncing is the state after.
 * ERR_CONFLICT when this row's hard bounce was already recorded (nothing changed). */
enum err mail_bounce_record(struct store_conn *c, struct mail_bounce_event *ev, int limit,
			    int *became, int *bouncing);

/* Appends an audit entry on c (the signature of audit_append in src/auth/audit.h, which the
 * mail layer does not link: the caller passes it in). */
typedef enum err (*mail_audit_fn)(struct store_conn *c, const struct vault *v, const char *actor,
				  const char *action, const char *object, const char *detail);

/* What mail_inbound did with a message. */
enum mail_inbound_outcome {
	MAIL_IN_DROPPED,   /* not ours, not a bounce, or nothing to record: logged and dropped */
	MAIL_IN_RECORDED,  /* a bounce event was stored */
	MAIL_IN_DUPLICATE, /* this hard bounce of this row was already stored */
	MAIL_IN_UNSUBSCRIBED, /* a mail to an unsubscribe address: its list was left */
	MAIL_IN_OTHER,        /* no bounce, no unsubscribe: the services' (mail_in hooks) */
};
struct mail_inbound_result {
	enum mail_inbound_outcome outcome;
	const char *why;             /* static text for the log (never personal data) */
	int64_t outbox_id;           /* the matched row, 0 when none */
	enum mail_bounce_kind kind;  /* the verdict stored */
	char status[16];             /* the deciding recipient's Status ("" when none) */
	int counted;                 /* 1 when the event counted toward bouncing */
	int bouncing;                /* 1 when the address is bouncing after this message */
};
/* Takes one inbound message (msg, len bytes, as handed over by the MTA; rcpt the envelope
 * recipient or NULL): a mail to an unsubscribe address (unsubscribe+TOKEN@, not a notification)
 * unsubscribes its row's recipient from the row's list (audited); an RFC 3464 notification or
 * any VERP-addressed mail is matched to its
 * outbox row (by the VERP address, else by the returned Message-ID) and recorded: a bounce
 * event, the address's counts (a hard bounce once per row), bouncing from bounce_limit hard
 * bounces, the diagnostic in the row's last_reply (addresses blanked); audited with audit
 * (may be NULL; with the platform's key) in the same transaction. Rows are opened with their
 * service's key from k; VERP and unsubscribe addresses are checked with the platform's.
 * A notification that matches no row is dropped; any other mail is left to the services
 * (MAIL_IN_OTHER, nothing done). Returns ERR_OK when the
 * message was taken (recorded or dropped; *res says which); an error (ERR_DB, ERR_CRYPTO …)
 * when nothing could be stored now and the MTA should try again later. */
enum err mail_inbound(struct store *s, struct keyring *k, const char *msg, size_t len,
		      const char *rcpt, int bounce_limit, mail_audit_fn audit,
		      struct mail_inbound_result *res);

/* An inbound mail as a service's mail-in hook sees it (struct service.mail_in). Holds
 * addresses: clear with mail_in_msg_clear. */
struct mail_in_msg {
	const char *raw;     /* the message as received (borrowed) */
	size_t len;
	const char *rcpt;    /* the envelope recipient (Postfix's --recipient), or NULL */
	size_t naddrs;       /* the addresses it was delivered to, when the MTA gave no rcpt: */
	char addrs[MAIL_DSN_ADDRS_MAX][MAIL_DSN_FIELD_MAX]; /* Delivered-To, X-Original-To, To */
	char from[256];      /* the From address ("" when none could be read) */
	char subject[512];   /* the Subject, decoded to UTF-8 and cut to fit ("" when none) */
	int automatic;       /* 1 for an auto-reply or list mail (Auto-Submitted other than no,
			      * Precedence bulk/junk/list/auto_reply, a null return path, List-Id
			      * or List-Unsubscribe, From a mail daemon): never answered */
};
/* Reads the From, Subject and whether it is automatic of msg (len bytes; rcpt the envelope
 * recipient or NULL) into *m, which borrows msg and rcpt. ERR_INVALID when msg is not a mail
 * message. (dsn.c, GMime.) */
enum err mail_in_msg_read(const char *msg, size_t len, const char *rcpt, struct mail_in_msg *m);
/* Wipes the addresses *m holds. */
void mail_in_msg_clear(struct mail_in_msg *m);

/* ---- One send's delivery and the retry of its failures (send_report.c) ---- */

#define MAIL_SEND_ID_MAX 64        /* bytes of a send_id the report accepts */
#define MAIL_SEND_DOMAINS_MAX 200  /* domains listed (the largest); the rest are counted */
#define MAIL_SEND_FAILURES_MAX 200 /* failed rows listed (the newest) */
#define MAIL_SEND_REPLY_MAX 256    /* bytes kept of a failed row's reply */

/* Counts of one send's outbox rows (all of them, or those of one domain). */
struct mail_send_counts {
	int64_t total, queued, sending, deferred, sent, failed;
	int64_t pending; /* queued + sending + deferred */
	int64_t bounced; /* distinct rows with a hard bounce event (they stay 'sent') */
};

/* One recipient domain of a send. */
struct mail_send_domain {
	char domain[256];
	struct mail_send_counts n;
};

/* One failed row: never the address; the reply with every word holding an '@' replaced by
 * "<address>". */
struct mail_send_failure {
	int64_t outbox_id;
	char domain[256];
	int64_t attempts;
	char reply[MAIL_SEND_REPLY_MAX];
	int64_t at_ms; /* time of the last attempt */
};

/* The delivery of one send. */
struct mail_send_report {
	struct mail_send_counts n;
	int complete;        /* pending == 0 and total > 0 */
	double bounce_rate;  /* bounced / sent; 0 when nothing was sent */
	int64_t unsubscribed; /* unsubscribes whose outbox_id is a row of this send */
	size_t ndomains;     /* domains listed: by total descending, then name */
	struct mail_send_domain domains[MAIL_SEND_DOMAINS_MAX];
	int64_t domains_more; /* further domains, counted in n but not listed */
	size_t nfailures;    /* failed rows listed: newest attempt first */
	struct mail_send_failure failures[MAIL_SEND_FAILURES_MAX];
};

/* Fills *r (the caller's storage; it is large: allocate it) with the delivery of send_id on c:
 * counts per state, per domain, bounces, unsubscribes and the newest failed rows. Reads only
 * the plaintext columns (never unseals). ERR_NOTFOUND when the send has no rows. Runs a few
 * index-driven queries (outbox_send, outbox_due) that never read the sealed blobs: about 0.1 s
 * for a 43,000-row send with 9 KB bodies (one pass reading each row's state took 0.3 s). */
enum err mail_send_report(struct store_conn *c, const char *send_id, struct mail_send_report *r);

/* What a retry did. */
struct mail_send_retry {
	int64_t retried;              /* failed rows moved back to queued */
	int64_t skipped_bouncing;     /* left failed: the address is bouncing now */
	int64_t skipped_unsubscribed; /* left failed: unsubscribed from the row's list */
	int64_t skipped_expired;      /* left failed: its content destroyed (retention period) */
};

/* Moves the failed rows of send_id back to 'queued' on c inside the caller's open transaction
 * (attempts 0, next_ms 0, last_reply prefixed with "retried: " so the failure stays readable
 * until the sender records the new outcome). Rows whose address is bouncing now, or whose
 * address unsubscribed from the send's list (the send_id before ':'), stay failed and are
 * counted in *res. Unseals each failed row's recipient only when some address is bouncing or
 * unsubscribed from that list. ERR_NOTFOUND when the send has no rows, ERR_FORBIDDEN when it
 * is a send of notices (never sent again late), ERR_CONFLICT when it has no failed rows. The
 * caller wakes the sender after committing. */
enum err mail_send_retry(struct store_conn *c, struct keyring *k, const char *send_id,
			 struct mail_send_retry *res);

/* Copies text into out (n bytes, n > 0) as printable ASCII with every word holding an '@'
 * replaced by "<address>" and other bytes outside 0x20..0x7e by '?'; cut at n - 1 bytes.
 * text NULL is "". (bounce.c: diagnostics and replies are stored and shown this way.) */
void mail_text_blank_addresses(const char *text, char *out, size_t n);

#endif
