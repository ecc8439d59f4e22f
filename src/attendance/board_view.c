/* SPDX-License-Identifier: MIT */
/* board_view.c — each site's board kept rendered in memory: a request reads the site's change
 * counter (sites.board_version, bumped by triggers in every transaction that changes what the
 * board shows, whichever server or command wrote; sql/0034_board_versions.sql) and gets the
 * kept rendering when it is of that version and today, else renders it once (board_render.c)
 * for everyone waiting. The version is read before the data, so a rendering is never older
 * than its version says. Renderings hold names: their memory is locked (vault_mem_lock: no
 * swap, no core dump) and wiped when replaced, when the last answer sending it is done, and
 * when the server stops or the service's data is erased (board_view_forget); so are the names a
 * site's renderings unsealed, kept for its next rendering (vault/memo.h). */
#include "attendance/board.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "store/store.h"
#include "vault/memo.h"
#include "vault/vault.h"

#define SLOTS_MAX 4096

struct slot {
	int64_t site_id;
	pthread_mutex_t render; /* one rendering of this site at a time */
	struct board_doc *doc;	/* the latest, or NULL */
	struct vault_memo *memo; /* its names, unsealed, for the next rendering (render held) */
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER; /* slots and each slot's doc */
static struct slot *slots[SLOTS_MAX];
static size_t nslots;
static uint32_t boot; /* this process's part of the ETag */
static int lock_warned;
static char minutes[24 * 60][6];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void init_once(void)
{
	for (int i = 0; i < 24 * 60; i++)
		snprintf(minutes[i], sizeof minutes[i], "%02d:%02d", i / 60, i % 60);
	uint8_t r[4];
	vault_random(r, sizeof r);
	boot = (uint32_t)r[0] << 24 | (uint32_t)r[1] << 16 | (uint32_t)r[2] << 8 | r[3];
}

const char *board_minute_text(int64_t now_ms)
{
	pthread_once(&once, init_once);
	char hhmm[8];
	clock_jst_hhmm(now_ms, hhmm, sizeof hhmm);
	int m = (hhmm[0] - '0') * 600 + (hhmm[1] - '0') * 60 + (hhmm[3] - '0') * 10 + (hhmm[4] - '0');
	return minutes[m >= 0 && m < 24 * 60 ? m : 0];
}

enum err board_version_read(struct store_conn *c, int64_t site_id, int64_t *version)
{
	struct store_stmt *st = store_prepare(c, "SELECT board_version FROM sites WHERE id = ?1");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, site_id);
	int rc = store_step(st);
	enum err e = rc == STORE_ROW ? ERR_OK : rc == STORE_DONE ? ERR_NOTFOUND : ERR_DB;
	if (e == ERR_OK)
		*version = store_col_int(st, 0);
	store_finish(st);
	return e;
}

static void doc_free(struct board_doc *d)
{
	vault_mem_unlock(d->mem, d->mem_len); /* wipes */
	free(d->mem);
	free(d);
}

void board_doc_release(struct board_doc *d)
{
	if (d && __atomic_sub_fetch(&d->refs, 1, __ATOMIC_ACQ_REL) == 0)
		doc_free(d);
}

void board_doc_etag(const struct board_doc *d, const char *hhmm, char *out, size_t n)
{
	pthread_once(&once, init_once);
	snprintf(out, n, "\"s%lld-b%lld-%.10s-%c%c%c%c-%08x\"", (long long)d->site_id,
		 (long long)d->version, d->day, hhmm[0], hhmm[1], hhmm[3], hhmm[4], boot);
}

/* The slot of site_id, made when missing; NULL when the table is full (served unkept). mu held. */
static struct slot *slot_of(int64_t site_id)
{
	for (size_t i = 0; i < nslots; i++)
		if (slots[i]->site_id == site_id)
			return slots[i];
	if (nslots == SLOTS_MAX)
		return NULL;
	struct slot *s = xcalloc(1, sizeof *s);
	s->site_id = site_id;
	pthread_mutex_init(&s->render, NULL);
	s->memo = vault_memo_new();
	slots[nslots++] = s;
	return s;
}

/* The kept doc of s when it is of version and day, with a reference for the caller. mu held. */
static struct board_doc *kept(struct slot *s, int64_t version, const char *day)
{
	struct board_doc *d = s ? s->doc : NULL;
	if (!d || d->version != version || strcmp(d->day, day) != 0)
		return NULL;
	__atomic_add_fetch(&d->refs, 1, __ATOMIC_ACQ_REL);
	return d;
}

/* Renders site code's board into a new doc (one reference) in *out, unsealing through memo
 * (the slot's, its render lock held; or NULL), whose round it ends. */
static enum err render(struct app *a, struct store_conn *c, int64_t site_id, const char *code,
		       const char *day, int64_t version, struct vault_memo *memo,
		       struct board_doc **out)
{
	struct buf head, tail;
	size_t nchildren = 0;
	buf_init(&head, 64 * 1024);
	buf_init(&tail, 64 * 1024 * 1024);
	enum err e = board_render(a, c, code, day, memo, &head, &tail, &nchildren);
	if (memo)
		vault_memo_round(memo); /* names no longer on the board go after the next one */
	if (e != ERR_OK)
		goto out;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t len = head.len + tail.len;
	/* whole pages: munlock of one doc must not unlock a page another still uses */
	size_t mem_len = (len + page - 1) / page * page;
	void *mem = NULL;
	if (posix_memalign(&mem, page, mem_len ? mem_len : page) != 0)
		abort(); /* out of memory: as the x-allocators do */
	if (vault_mem_lock(mem, mem_len) != 0 && !__atomic_exchange_n(&lock_warned, 1,
								       __ATOMIC_ACQ_REL))
		log_warn("board: memory could not be locked (RLIMIT_MEMLOCK); the boards may be "
			 "swapped: raise LimitMEMLOCK (docs/architecture.md)");
	memcpy(mem, head.data, head.len);
	memcpy((char *)mem + head.len, tail.data, tail.len);
	struct board_doc *d = xcalloc(1, sizeof *d);
	d->refs = 1;
	d->site_id = site_id;
	d->version = version;
	snprintf(d->day, sizeof d->day, "%s", day);
	d->mem = mem;
	d->mem_len = mem_len;
	d->head_len = head.len;
	d->tail_len = tail.len;
	d->nchildren = nchildren;
	*out = d;
out:
	if (head.data)
		vault_wipe(head.data, head.len);
	if (tail.data)
		vault_wipe(tail.data, tail.len);
	buf_free(&head);
	buf_free(&tail);
	return e;
}

enum err board_view_get(struct app *a, struct store_conn *c, int64_t site_id, const char *code,
			const char *day, struct board_doc **out)
{
	int64_t version = 0;
	enum err e = board_version_read(c, site_id, &version);
	if (e != ERR_OK)
		return e;
	pthread_mutex_lock(&mu);
	struct slot *s = slot_of(site_id);
	struct board_doc *d = kept(s, version, day);
	pthread_mutex_unlock(&mu);
	if (d) {
		*out = d;
		return ERR_OK;
	}
	if (!s) /* more sites than slots: rendered for this answer only */
		return render(a, c, site_id, code, day, version, NULL, out);
	pthread_mutex_lock(&s->render);
	/* Another request may have rendered it while this one waited. */
	pthread_mutex_lock(&mu);
	d = kept(s, version, day);
	pthread_mutex_unlock(&mu);
	if (!d) {
		e = render(a, c, site_id, code, day, version, s->memo, &d);
		if (e == ERR_OK) {
			__atomic_add_fetch(&d->refs, 1, __ATOMIC_ACQ_REL); /* the slot's */
			pthread_mutex_lock(&mu);
			struct board_doc *old = s->doc;
			/* a newer one may be kept already (a request that read a later version) */
			if (old && old->version > version && strcmp(old->day, day) == 0) {
				pthread_mutex_unlock(&mu);
				board_doc_release(d); /* the slot's reference, not taken */
			} else {
				s->doc = d;
				pthread_mutex_unlock(&mu);
				board_doc_release(old);
			}
		}
	}
	pthread_mutex_unlock(&s->render);
	if (e == ERR_OK)
		*out = d;
	return e;
}

void board_view_clear(void)
{
	pthread_mutex_lock(&mu);
	for (size_t i = 0; i < nslots; i++) {
		board_doc_release(slots[i]->doc);
		vault_memo_free(slots[i]->memo); /* wipes the names */
		pthread_mutex_destroy(&slots[i]->render);
		free(slots[i]);
		slots[i] = NULL;
	}
	nslots = 0;
	pthread_mutex_unlock(&mu);
}

/* Copies the slots' pointers into out (they are freed only by board_view_clear, at the stop);
 * returns how many. */
static size_t slots_now(struct slot **out)
{
	pthread_mutex_lock(&mu);
	size_t n = nslots;
	memcpy(out, slots, n * sizeof *out);
	pthread_mutex_unlock(&mu);
	return n;
}

void board_view_forget(void)
{
	static struct slot *all[SLOTS_MAX];
	static pthread_mutex_t one = PTHREAD_MUTEX_INITIALIZER; /* all[] is one caller's */
	pthread_mutex_lock(&one);
	size_t n = slots_now(all);
	for (size_t i = 0; i < n; i++) {
		struct slot *s = all[i];
		pthread_mutex_lock(&s->render); /* no rendering of it meanwhile */
		pthread_mutex_lock(&mu);
		struct board_doc *old = s->doc;
		s->doc = NULL;
		pthread_mutex_unlock(&mu);
		board_doc_release(old); /* an answer still sending it wipes it when done */
		vault_memo_free(s->memo); /* wipes the names */
		s->memo = vault_memo_new();
		pthread_mutex_unlock(&s->render);
	}
	pthread_mutex_unlock(&one);
}

void board_view_kept(size_t *boards, size_t *names)
{
	static struct slot *all[SLOTS_MAX];
	static pthread_mutex_t one = PTHREAD_MUTEX_INITIALIZER;
	pthread_mutex_lock(&one);
	size_t n = slots_now(all);
	*boards = *names = 0;
	for (size_t i = 0; i < n; i++) {
		struct slot *s = all[i];
		/* a site rendering now is not waited for: its names are counted at the next scrape */
		if (pthread_mutex_trylock(&s->render) == 0) {
			*names += vault_memo_count(s->memo);
			pthread_mutex_unlock(&s->render);
		}
		pthread_mutex_lock(&mu);
		*boards += s->doc != NULL;
		pthread_mutex_unlock(&mu);
	}
	pthread_mutex_unlock(&one);
}
