/* SPDX-License-Identifier: MIT */
/* audit_read.c — audited reads that pages poll (a site's board every 3 s, a send's delivery
 * view): one audit entry per caller and object per AUDIT_READ_EVERY_MS, the first read of it. */
#include "auth/audit.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "store/store.h"

#define AUDIT_READ_SLOTS 512
#define AUDIT_READ_KEY 96

/* The last audited read per caller and object: a small direct-mapped table (a collision only
 * means one more audit entry, never one less). */
static struct {
	char actor[AUDIT_READ_KEY], object[AUDIT_READ_KEY];
	int64_t at_ms;
} audited[AUDIT_READ_SLOTS];
static pthread_mutex_t audited_mu = PTHREAD_MUTEX_INITIALIZER;

/* The table slot of actor and object (FNV-1a over both, NUL between). */
static size_t slot_of(const char *actor, const char *object)
{
	uint64_t h = 1469598103934665603ULL;
	for (const char *p = actor; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	h = (h ^ 0) * 1099511628211ULL;
	for (const char *p = object; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	return (size_t)(h % AUDIT_READ_SLOTS);
}

/* Returns 1 when actor's read of object at now_ms must be audited: no entry remembered in the
 * last AUDIT_READ_EVERY_MS. Keys too long for the table are always due (more entries, not
 * fewer). A clock moved back makes the read due. */
static int read_due(const char *actor, const char *object, int64_t now_ms)
{
	size_t i = slot_of(actor, object);
	int due = 1;
	if (strlen(actor) >= AUDIT_READ_KEY || strlen(object) >= AUDIT_READ_KEY)
		return 1;
	pthread_mutex_lock(&audited_mu);
	if (strcmp(audited[i].actor, actor) == 0 && strcmp(audited[i].object, object) == 0 &&
	    now_ms >= audited[i].at_ms && now_ms - audited[i].at_ms < AUDIT_READ_EVERY_MS)
		due = 0;
	pthread_mutex_unlock(&audited_mu);
	return due;
}

/* Remembers that actor's read of object was audited at now_ms. */
static void read_done(const char *actor, const char *object, int64_t now_ms)
{
	size_t i = slot_of(actor, object);
	if (strlen(actor) >= AUDIT_READ_KEY || strlen(object) >= AUDIT_READ_KEY)
		return;
	pthread_mutex_lock(&audited_mu);
	snprintf(audited[i].actor, sizeof audited[i].actor, "%s", actor);
	snprintf(audited[i].object, sizeof audited[i].object, "%s", object);
	audited[i].at_ms = now_ms;
	pthread_mutex_unlock(&audited_mu);
}

/* One entry for append_unit. */
struct entry {
	const struct vault *v;
	const char *actor, *action, *object, *detail;
};

/* A group commit's unit: appends en's entry on the group's connection c. */
static enum err append_unit(struct store_conn *c, void *ctx)
{
	const struct entry *en = ctx;
	return audit_append(c, en->v, en->actor, en->action, en->object, en->detail);
}

enum err audit_read_append(struct store_conn *c, const struct vault *v, const char *actor,
			   const char *action, const char *object, const char *detail,
			   int64_t now_ms, int *appended)
{
	enum err e = ERR_OK;
	if (appended)
		*appended = 0;
	if (!read_due(actor, object, now_ms))
		return ERR_OK;
	if (store_in_tx(c)) {
		e = audit_append(c, v, actor, action, object, detail);
	} else {
		/* Its own commit would wait for the write turn and a flush of its own; with the
		 * writes that are in flight (a club's scans) it shares theirs. */
		struct entry en = {v, actor, action, object, detail};
		e = store_group_run(store_of(c), append_unit, &en);
	}
	if (e != ERR_OK)
		return e;
	read_done(actor, object, now_ms);
	if (appended)
		*appended = 1;
	return ERR_OK;
}
