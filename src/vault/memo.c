/* SPDX-License-Identifier: MIT */
/* memo.c — unsealed texts kept from one round of renderings to the next (memo.h): two
 * generations, each an open-addressing table over its entries and page-aligned locked chunks
 * holding the blobs and their texts. A round copies what it asks for from the previous
 * generation into its own; the end of the round drops the previous generation whole. */
#include "vault/memo.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "base/xalloc.h"
#include "vault/vault.h"

#define CHUNK_MIN (64 * 1024)

struct chunk {
	struct chunk *next;
	size_t size, used; /* size: the whole allocation, this header included */
	unsigned char data[];
};

struct entry {
	const struct vault *v;
	const char *field;
	const unsigned char *blob; /* in a chunk */
	size_t blob_len;
	const char *plain; /* in a chunk, NUL-terminated */
};

struct gen {
	struct entry *e;
	size_t n, cap;
	uint32_t *slots; /* entry index + 1; 0 is empty */
	size_t nslots;	 /* a power of two, or 0 */
	struct chunk *chunks;
};

struct vault_memo {
	struct gen cur, old;
	int lock_warned;
};

struct vault_memo *vault_memo_new(void)
{
	return xcalloc(1, sizeof(struct vault_memo));
}

static void gen_free(struct gen *g)
{
	for (struct chunk *c = g->chunks, *next; c; c = next) {
		next = c->next;
		vault_mem_unlock(c, c->size); /* wipes */
		free(c);
	}
	free(g->e);
	free(g->slots);
	memset(g, 0, sizeof *g);
}

static uint64_t blob_hash(const unsigned char *b, size_t len)
{
	uint64_t h = 0;
	memcpy(&h, b, sizeof h); /* the nonce's first bytes: random */
	return h ^ (uint64_t)len * 0x9e3779b97f4a7c15u;
}

static int same(const struct entry *x, const struct vault *v, const char *field,
		const unsigned char *b, size_t len)
{
	return x->v == v && x->blob_len == len &&
	       (x->field == field || strcmp(x->field, field) == 0) && memcmp(x->blob, b, len) == 0;
}

static struct entry *find(struct gen *g, uint64_t h, const struct vault *v, const char *field,
			  const unsigned char *b, size_t len)
{
	if (!g->nslots)
		return NULL;
	for (size_t i = h & (g->nslots - 1);; i = (i + 1) & (g->nslots - 1)) {
		uint32_t s = g->slots[i];
		if (!s)
			return NULL;
		if (same(&g->e[s - 1], v, field, b, len))
			return &g->e[s - 1];
	}
}

static void place(struct gen *g, size_t idx)
{
	const struct entry *x = &g->e[idx];
	size_t i = blob_hash(x->blob, x->blob_len) & (g->nslots - 1);
	while (g->slots[i])
		i = (i + 1) & (g->nslots - 1);
	g->slots[i] = (uint32_t)(idx + 1);
}

/* n bytes in g's chunks (a new locked chunk when the last is full). */
static unsigned char *gen_alloc(struct vault_memo *m, struct gen *g, size_t n)
{
	struct chunk *c = g->chunks;
	if (!c || c->size - sizeof *c - c->used < n) {
		size_t page = (size_t)sysconf(_SC_PAGESIZE);
		size_t size = sizeof *c + n > CHUNK_MIN ? sizeof *c + n : CHUNK_MIN;
		size = (size + page - 1) / page * page; /* whole pages: see board_view.c */
		void *mem = NULL;
		if (posix_memalign(&mem, page, size) != 0)
			abort(); /* out of memory: as the x-allocators do */
		if (vault_mem_lock(mem, size) != 0 && !m->lock_warned) {
			m->lock_warned = 1;
			log_warn("vault: memory could not be locked (RLIMIT_MEMLOCK); names kept "
				 "between renderings may be swapped: raise LimitMEMLOCK "
				 "(docs/architecture.md)");
		}
		c = mem;
		c->next = g->chunks;
		c->size = size;
		c->used = 0;
		g->chunks = c;
	}
	unsigned char *p = c->data + c->used;
	c->used += n;
	return p;
}

/* Keeps blob and its text plain (plen bytes) in the current generation; returns the kept
 * text. */
static const char *keep(struct vault_memo *m, const struct vault *v, const char *field,
			const unsigned char *b, size_t len, const char *plain, size_t plen)
{
	struct gen *g = &m->cur;
	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 256;
		g->e = xrealloc(g->e, g->cap * sizeof *g->e);
	}
	if ((g->n + 1) * 2 > g->nslots) {
		g->nslots = g->nslots ? g->nslots * 2 : 512;
		free(g->slots);
		g->slots = xcalloc(g->nslots, sizeof *g->slots);
		for (size_t i = 0; i < g->n; i++)
			place(g, i);
	}
	unsigned char *at = gen_alloc(m, g, len + plen + 1);
	memcpy(at, b, len);
	memcpy(at + len, plain, plen);
	at[len + plen] = '\0';
	g->e[g->n] = (struct entry){v, field, at, len, (const char *)at + len};
	place(g, g->n);
	return g->e[g->n++].plain;
}

enum err vault_memo_unseal(struct vault_memo *m, const struct vault *v, const char *field,
			   const void *blob, size_t len, const char **plain)
{
	const unsigned char *b = blob;
	char *p = NULL;
	if (!b || len < sizeof(uint64_t))
		return ERR_CRYPTO; /* as vault_unseal: too short to be sealed */
	uint64_t h = blob_hash(b, len);
	struct entry *x = find(&m->cur, h, v, field, b, len);
	if (x) {
		*plain = x->plain;
		return ERR_OK;
	}
	x = find(&m->old, h, v, field, b, len);
	if (x) {
		*plain = keep(m, v, field, b, len, x->plain, strlen(x->plain));
		return ERR_OK;
	}
	enum err e = vault_unseal(v, field, b, len, &p);
	if (e != ERR_OK)
		return e;
	*plain = keep(m, v, field, b, len, p, strlen(p));
	vault_wipe_free(p);
	return ERR_OK;
}

size_t vault_memo_round(struct vault_memo *m)
{
	gen_free(&m->old);
	m->old = m->cur;
	memset(&m->cur, 0, sizeof m->cur);
	return m->old.n;
}

size_t vault_memo_count(const struct vault_memo *m)
{
	return m ? m->old.n + m->cur.n : 0;
}

void vault_memo_free(struct vault_memo *m)
{
	if (!m)
		return;
	gen_free(&m->cur);
	gen_free(&m->old);
	free(m);
}
