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
#include "vault/escrow.h"
#include "vault/keyring.h"
#include "vault/vault.h"

/* How many erasures were done when this server last found every key it holds current; -1
 * before its first turn. */
static _Atomic int64_t followed = -1;

/* Reads the number of erasures done into *n. */
static enum err count_done(struct app *a, int64_t *n)
{
	struct store_conn *c = store_acquire(a->store);
	enum err e = ERR_DB;
	struct store_stmt *st =
	    store_prepare(c, "SELECT count(*) FROM erasures WHERE state = 'done'");
	if (st && store_step(st) == STORE_ROW) {
		*n = store_col_int(st, 0);
		e = ERR_OK;
	}
	store_finish(st);
	store_release(c);
	return e;
}

/* One turn. When the number of erasures done moved (a new one, whatever its number: requests
 * of several services may be confirmed in any order), every service key this server holds is
 * read again from the database; one that changed (erased elsewhere) takes the new key, and its
 * service forgets what the server kept of it. An erasure this server confirmed finds its key
 * already in place (and one still in its transaction is left to it: keyring_reload). A key
 * that cannot be read is logged and the next turn tries every key again. */
static void turn(struct app *a)
{
	int64_t done = 0;
	enum err e = count_done(a, &done);
	if (e != ERR_OK) {
		log_warn("erase-watch: cannot read the erasures (%s)", err_str(e));
		return;
	}
	if (done == followed)
		return;
	const char *names[64];
	size_t n = keyring_names(a->keys, names, sizeof names / sizeof names[0]);
	int all = 1;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(names[i], VAULT_PLATFORM) == 0)
			continue;
		int changed = 0;
		e = keyring_reload(a->keys, names[i], &changed);
		if (e != ERR_OK && e != ERR_NOTFOUND) {
			log_error("erase-watch: the key of %s cannot be read again (%s)", names[i],
				  err_str(e));
			all = 0;
			continue;
		}
		if (!changed)
			continue;
		const struct service *sv = app_service(names[i]);
		if (sv && sv->forget)
			sv->forget(a);
		log_info(
		    "erase-watch: %s was erased elsewhere: its new key is in use here and what "
		    "this server kept of it is forgotten",
		    names[i]);
	}
	if (all)
		followed = done;
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
	int64_t n = followed;
	buf_printf(b,
		   "# HELP mimamori_erasures_followed Erasures done that this server has followed "
		   "(every key it holds found current after them).\n"
		   "# TYPE mimamori_erasures_followed gauge\nmimamori_erasures_followed %lld\n",
		   (long long)(n < 0 ? 0 : n));
}
