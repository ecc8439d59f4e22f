/* SPDX-License-Identifier: MIT */
/* erase_watch.c — every server follows the erasures that another server (or `mimamori erase`)
 * confirmed on the same database: the erased service's new key in place of the old one in
 * memory, and what the server kept of its data forgotten. */
#include "app/erase.h"

#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include "app.h"
#include "app/periodic.h"
#include "app/service.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/log.h"
#include "store/store.h"
#include "vault/keyring.h"

#define SERVICE_NAME_MAX 64

/* The newest erasure (erasures.id, done) this server has followed; 0 before its first turn. */
static _Atomic int64_t applied;

/* Reads the next erasure done after `after` into *id and service (ERR_NOTFOUND when there is
 * none). */
static enum err next_done(struct app *a, int64_t after, int64_t *id, char *service, size_t cap)
{
	struct store_conn *c = store_acquire(a->store);
	enum err e = ERR_DB;
	struct store_stmt *st = store_prepare(
	    c,
	    "SELECT id, service FROM erasures WHERE state = 'done' AND id > ? ORDER BY id LIMIT 1");
	if (!st)
		goto out;
	store_bind_int(st, 1, after);
	int r = store_step(st);
	if (r == STORE_ROW) {
		*id = store_col_int(st, 0);
		const char *s = store_col_text(st, 1);
		snprintf(service, cap, "%s", s ? s : "");
		e = ERR_OK;
	} else if (r == STORE_DONE) {
		e = ERR_NOTFOUND;
	}
	store_finish(st);
out:
	store_release(c);
	return e;
}

/* One turn: each erasure done since the last turn, in order. The key of a service this server
 * has open is read again; when it changed (erased elsewhere), the service forgets what the
 * server kept of it. An erasure this server confirmed finds its key already in place. A key
 * that cannot be read is tried again at the next turn. */
static void turn(struct app *a)
{
	for (;;) {
		int64_t id = 0;
		char service[SERVICE_NAME_MAX];
		enum err e = next_done(a, applied, &id, service, sizeof service);
		if (e == ERR_NOTFOUND)
			return;
		if (e != ERR_OK) {
			log_warn("erase-watch: cannot read the erasures (%s)", err_str(e));
			return;
		}
		int changed = 0;
		e = keyring_reload(a->keys, service, &changed);
		if (e != ERR_OK && e != ERR_NOTFOUND) {
			log_error("erase-watch: the new key of %s cannot be read (%s); tried again",
				  service, err_str(e));
			return;
		}
		if (changed) {
			const struct service *sv = app_service(service);
			if (sv && sv->forget)
				sv->forget(a);
			log_info("erase-watch: %s was erased elsewhere (erasure %lld): its new key "
				 "is in use here and what this server kept of it is forgotten",
				 service, (long long)id);
		}
		applied = id;
	}
}

static const struct periodic_job watch_job = {
    .name = "erase-watch",
    .lock = NULL, /* every server keeps keys and names of its own */
    .turn = "follow the erasures",
    .interval_env = "MIMAMORI_ERASE_WATCH_MS",
    .default_ms = 2000,
    .interval_ms = NULL,
    .run = turn,
};

struct periodic *erase_watch_start(struct app *a)
{
	return periodic_start(a, &watch_job);
}

void erase_watch_metrics(struct buf *b)
{
	buf_printf(b,
		   "# HELP mimamori_erasure_followed The newest erasure (its number) this server "
		   "has followed: its key in use, its kept names forgotten.\n"
		   "# TYPE mimamori_erasure_followed gauge\nmimamori_erasure_followed %lld\n",
		   (long long)applied);
}
