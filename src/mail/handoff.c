/* SPDX-License-Identifier: MIT */
/* handoff.c — notices handed to this server's sender in memory once the transaction that
 * queued them has committed (mail.h, mail_handoff_new): their rows are inserted already claimed,
 * so a kiosk's scan costs the outbox no claiming transaction of its own. */
#include <stdlib.h>

#include "base/xalloc.h"
#include "mail/mail.h"
#include "mail/mail_internal.h"
#include "mail/sender.h"

/* The sender takes at most this many messages waiting in memory this way; beyond, notices are
 * queued as usual and claimed by its keeper when there is room. */
#define HANDOFF_READY_MAX (4 * SENDER_BATCH)

struct mail_handoff {
	struct mail_sender *m;
	struct queue jobs;
};

struct mail_handoff *mail_handoff_new(struct mail_sender *m)
{
	if (!m)
		return NULL;
	pthread_mutex_lock(&m->mu);
	int room = !m->stop && m->ready.n < HANDOFF_READY_MAX;
	pthread_mutex_unlock(&m->mu);
	if (!room)
		return NULL;
	struct mail_handoff *h = xcalloc(1, sizeof *h);
	h->m = m;
	return h;
}

const char *mail_handoff_claimer(const struct mail_handoff *h)
{
	return h->m->id;
}

void mail_handoff_add(struct mail_handoff *h, const struct mail_sealed *row)
{
	struct job *j = xcalloc(1, sizeof *j);
	j->id = row->id;
	j->kind = xstrdup(row->kind);
	j->service = xstrdup(row->service);
	j->message_id = row->message_id;
	j->domain = row->domain;
	j->may_leave = 1; /* a notice is on no list */
	j->claimed_ms = row->claimed_ms;
	for (int i = 0; i < 3; i++) {
		j->blob[i] = row->blob[i];
		j->len[i] = row->len[i];
	}
	sender_queue_push(&h->jobs, j);
}

size_t mail_handoff_count(const struct mail_handoff *h)
{
	return h ? h->jobs.n : 0;
}

/* Frees h and what it still holds. */
static void handoff_free(struct mail_handoff *h)
{
	for (size_t i = 0; i < h->jobs.n; i++)
		sender_job_free(h->jobs.j[i]);
	free(h->jobs.j);
	free(h);
}

void mail_handoff_commit(struct mail_handoff *h)
{
	if (!h)
		return;
	struct mail_sender *m = h->m;
	if (h->jobs.n) {
		pthread_mutex_lock(&m->mu);
		/* After a stop began the network thread takes nothing more: the rows stay claimed
		 * by a sender that will be gone, and the next start puts them back. */
		if (!m->stop) {
			for (size_t i = 0; i < h->jobs.n; i++)
				sender_queue_push(&m->ready, h->jobs.j[i]);
			m->handed += (int64_t)h->jobs.n;
			h->jobs.n = 0;
			pthread_cond_signal(&m->cv); /* the network thread takes them */
		}
		pthread_mutex_unlock(&m->mu);
	}
	handoff_free(h);
}

void mail_handoff_drop(struct mail_handoff *h)
{
	if (!h)
		return;
	if (h->jobs.n) {
		/* A COMMIT that failed may still have been stored (a server lost at that moment):
		 * the keeper puts such rows back once the database answers (none, when they were
		 * rolled back). */
		struct mail_sender *m = h->m;
		pthread_mutex_lock(&m->mu);
		for (size_t i = 0; i < h->jobs.n; i++)
			sender_putback_add(m, h->jobs.j[i]->id);
		pthread_cond_signal(&m->kcv);
		pthread_mutex_unlock(&m->mu);
	}
	handoff_free(h);
}
