/* SPDX-License-Identifier: MIT */
/* sender.h — what the sender's two threads share (src/mail/ only): the network thread
 * (sender.c) sends claimed rows over the transport; the keeper (outbox_rows.c) claims due rows
 * and records outcomes, so the network never waits for a disk flush. */
#ifndef MIMAMORI_MAIL_SENDER_H
#define MIMAMORI_MAIL_SENDER_H
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "mail/mail_internal.h"

struct store;
struct vault;
struct keyring;

#define SENDER_BATCH 500     /* rows the network thread holds at most, waiting or in flight */
#define SENDER_CLAIM_LOW 200 /* the keeper claims more when fewer than this are ready */
#define SENDER_RECORD_MIN 250 /* the keeper records at once when this many have finished */
#define SENDER_NICE 10        /* the sender's threads' nice value (sender_thread_background) */
#define SENDER_ID_LEN 32      /* a sender's name in outbox.claimed_by: 128 random bits in hex */

/* One claimed row; blobs copied out of the statement. */
struct job {
	int64_t id;
	int64_t attempts;
	char *kind;
	char *message_id;
	char *domain;
	char *service;    /* whose row: its key unseals it */
	int may_leave;    /* bulk: its list may be left (a list nobody declared may) */
	char *list_label; /* bulk: what people call its declared list, or NULL */
	int read_link;    /* bulk: the body gets a 「読みました」 link */
	unsigned char *blob[3]; /* to, subject, body (sealed) */
	size_t len[3];
	enum { JOB_WAITING, JOB_FLIGHT, JOB_DONE } state;
	int64_t claimed_ms;
	/* the outcome, once done */
	enum mail_result r;
	int paced;       /* deferred by pacing, never tried: no attempt counted */
	int64_t next_ms; /* for a paced row: when to try */
	char reply[MAIL_REPLY_MAX];
};

/* Jobs in order. */
struct queue {
	struct job **j;
	size_t n, cap;
};

/* A service's own display name of the sender (from_names.c). */
#define MAIL_FROM_NAMES_MAX 16
struct mail_from_name {
	char service[32];
	char name[4 * MAIL_FROM_NAME_MAX + 1];
};
/* Copies the names set so far (at most max) into out; returns how many. */
size_t mail_from_names_copy(struct mail_from_name *out, size_t max);

struct mail_sender {
	struct store *s;
	struct keyring *k;      /* each row's service's key */
	const struct vault *v;  /* the platform's: return paths and unsubscribe tokens */
	struct mail_transport *t;
	struct mail_pacer *pacer;
	char *from_name; /* [mail] from_name: every service's mail that names no own */
	struct mail_from_name names[MAIL_FROM_NAMES_MAX]; /* services' own names, at start */
	size_t nnames;
	char *from_addr;
	char *bounce_domain; /* VERP return paths and unsubscribe mailtos are at this domain */
	char *base_url;      /* public URL; List-Unsubscribe links start with it */
	char *iso2022jp; /* "domain,domain" (lower case) that get ISO-2022-JP mail, or NULL */
	int64_t backoff_ms;
	/* This sender's name, written into the rows it claims; it holds the lock mail-sender:ID
	 * while it runs, so other servers know its rows are in flight. */
	char id[SENDER_ID_LEN + 1];
	int64_t recover_ms; /* how often the keeper looks for rows of senders that are gone */
	pthread_t thread, keeper;
	pthread_mutex_t mu; /* guards everything below */
	pthread_cond_t cv;  /* the network thread waits here */
	pthread_cond_t kcv; /* the keeper waits here */
	int stop;           /* the network thread stops */
	int keeper_stop;    /* the keeper stops (after the network thread has) */
	int woken;          /* new rows were committed */
	struct queue ready; /* claimed, for the network thread to take */
	struct queue finished; /* done, for the keeper to record */
	int64_t relay_down_until; /* no claims before this (the relay did not answer) */
	/* Rows claimed for a handoff whose transaction is not known to have committed
	 * (handoff.c): the keeper puts them back once the database answers. */
	int64_t *putback;
	size_t nputback, capputback;
	int64_t sent, failed, deferred;
	int64_t handed; /* notices handed over in memory (handoff.c) */
};

/* Frees j and its blobs; NULL is a no-op. */
void sender_job_free(struct job *j);
/* Appends j to q. */
void sender_queue_push(struct queue *q, struct job *j);
/* Adds row id to m->putback (m->mu held). */
void sender_putback_add(struct mail_sender *m, int64_t id);
/* The keeper thread (outbox_rows.c): claims due rows into m->ready while it runs low, records
 * m->finished in one transaction per round, and on stop records what is left and puts
 * unstarted rows back. arg is the sender. */
void *sender_keeper_main(void *arg);
/* Lowers the calling thread's CPU priority to SENDER_NICE: mail is background work, queued
 * durably; while kiosks' scans keep the cores busy the answers go first and the outbox drains
 * when they leave room (on an idle machine the nice value changes nothing). */
void sender_thread_background(void);
/* Marks rows left 'sending' by senders that are gone as queued again — a crash, or another
 * server killed (they may or may not have gone out; sending them again is the only way not to
 * lose them) —: those claimed by a sender whose lock (mail-sender:ID, store_lock_take) no
 * process holds, and with unnamed set those that name no sender (left by an older program). A
 * live sender's rows, this one's or another server's, are never touched. ERR_DB when the
 * database cannot be asked now. */
enum err sender_recover(struct mail_sender *m, int unnamed);

#endif
