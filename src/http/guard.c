/* SPDX-License-Identifier: MIT */
/* guard.c — the connection guard: a list of open connections with their phase and the time
 * it began, a per-address count table, and a sweeper thread that shuts down connections past
 * their deadline. libmicrohttpd's own timeout restarts on every byte, so a client trickling
 * one header byte every few seconds would hold its connection for ever without this. */
#include "http/guard.h"

#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "base/clock.h"
#include "base/xalloc.h"

/* Between sweeps; near the limit more often, so that waiting connections are cut before the
 * daemon fills up and new ones queue in the listen backlog. */
#define SWEEP_MS 200
#define SWEEP_PRESSED_MS 50

struct guard_conn {
	struct guard_conn *prev, *next; /* under g->lock */
	int fd;
	uint32_t addr;	       /* IPv4, network order; 0 for another family */
	int shut;	       /* the sweeper has shut it down (under g->lock) */
	_Atomic int64_t since; /* clock_mono_ms when the phase began; written before phase */
	_Atomic int phase;
};

struct addr_slot {
	uint32_t addr;
	uint32_t count; /* 0: empty slot */
};

struct guard {
	struct guard_limits l;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t sweeper;
	int stopping;
	struct guard_conn *head;
	atomic_size_t open;
	struct addr_slot *slots; /* open addressing, linear probing; under lock */
	size_t mask;
	atomic_llong refused, shut_header, shut_body, shed;
};

static size_t slot_home(const struct guard *g, uint32_t addr)
{
	return (size_t)((addr * 0x9E3779B1u) >> 7) & g->mask;
}

/* The slot holding addr, or the empty slot where it would go. The table never fills: it has
 * at least twice as many slots as the daemon allows connections. */
static size_t slot_find(const struct guard *g, uint32_t addr)
{
	size_t i = slot_home(g, addr);
	while (g->slots[i].count && g->slots[i].addr != addr)
		i = (i + 1) & g->mask;
	return i;
}

/* Empties slot i and shifts later members of its probe run back (no tombstones). */
static void slot_remove(struct guard *g, size_t i)
{
	size_t j = i;
	for (;;) {
		g->slots[i].count = 0;
		size_t k;
		do {
			j = (j + 1) & g->mask;
			if (!g->slots[j].count)
				return;
			k = slot_home(g, g->slots[j].addr);
		} while (i <= j ? (i < k && k <= j) : (i < k || k <= j));
		g->slots[i] = g->slots[j];
		i = j;
	}
}

static uint32_t ipv4_of(const struct sockaddr *sa)
{
	if (!sa || sa->sa_family != AF_INET)
		return 0;
	return ((const struct sockaddr_in *)sa)->sin_addr.s_addr;
}

static int exempt(const struct guard *g, uint32_t addr)
{
	for (size_t i = 0; i < g->l.nexempt; i++)
		if (g->l.exempt[i] == addr)
			return 1;
	return 0;
}

static int pressed(const struct guard *g, size_t open)
{
	return (uint64_t)open * 4 >= (uint64_t)g->l.max_conns * 3;
}

static void sweep(struct guard *g)
{
	int64_t now = clock_mono_ms();
	int hard = pressed(g, atomic_load(&g->open));
	for (struct guard_conn *c = g->head; c; c = c->next) {
		if (c->shut)
			continue;
		int phase = atomic_load(&c->phase);
		int64_t since = atomic_load(&c->since);
		int64_t limit = phase == GUARD_WAIT
				    ? (hard ? g->l.pressed_header_ms : g->l.header_ms)
				: phase == GUARD_BODY ? g->l.body_ms
						      : 0;
		if (limit <= 0 || now - since <= limit)
			continue;
		/* Under g->lock, which guard_close also takes before the daemon closes the socket:
		 * the descriptor is still this connection's, never a reused number. The daemon sees
		 * end of file and closes the connection itself. */
		shutdown(c->fd, SHUT_RDWR);
		c->shut = 1;
		atomic_fetch_add(phase == GUARD_WAIT ? &g->shut_header : &g->shut_body, 1);
	}
}

static void *sweeper_main(void *arg)
{
	struct guard *g = arg;
	pthread_mutex_lock(&g->lock);
	while (!g->stopping) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_nsec +=
		    (pressed(g, atomic_load(&g->open)) ? SWEEP_PRESSED_MS : SWEEP_MS) * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&g->wake, &g->lock, &ts);
		if (!g->stopping)
			sweep(g);
	}
	pthread_mutex_unlock(&g->lock);
	return NULL;
}

struct guard *guard_start(const struct guard_limits *l)
{
	struct guard *g = xcalloc(1, sizeof *g);
	pthread_condattr_t ca;
	g->l = *l;
	size_t n = 64;
	while (n < 2 * ((size_t)l->max_conns + 64))
		n *= 2;
	g->slots = xcalloc(n, sizeof *g->slots);
	g->mask = n - 1;
	pthread_mutex_init(&g->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&g->wake, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&g->sweeper, NULL, sweeper_main, g) != 0) {
		pthread_cond_destroy(&g->wake);
		pthread_mutex_destroy(&g->lock);
		free(g->slots);
		free(g);
		return NULL;
	}
	pthread_setname_np(g->sweeper, "http-guard"); /* for top -H and perf */
	return g;
}

void guard_stop(struct guard *g)
{
	if (!g)
		return;
	pthread_mutex_lock(&g->lock);
	g->stopping = 1;
	pthread_cond_signal(&g->wake);
	pthread_mutex_unlock(&g->lock);
	pthread_join(g->sweeper, NULL);
	/* The daemon has closed every connection (and told us) before this is called. */
	while (g->head) {
		struct guard_conn *c = g->head;
		g->head = c->next;
		free(c);
	}
	pthread_cond_destroy(&g->wake);
	pthread_mutex_destroy(&g->lock);
	free(g->slots);
	free(g);
}

int guard_admit(struct guard *g, const struct sockaddr *sa)
{
	uint32_t addr = ipv4_of(sa);
	if (!g->l.per_addr || !addr || exempt(g, addr))
		return 1;
	pthread_mutex_lock(&g->lock);
	size_t i = slot_find(g, addr);
	int ok = g->slots[i].count < g->l.per_addr;
	pthread_mutex_unlock(&g->lock);
	if (!ok)
		atomic_fetch_add(&g->refused, 1);
	return ok;
}

struct guard_conn *guard_open(struct guard *g, int fd, const struct sockaddr *sa)
{
	struct guard_conn *c = xcalloc(1, sizeof *c);
	c->fd = fd;
	c->addr = ipv4_of(sa);
	atomic_store(&c->since, clock_mono_ms());
	atomic_store(&c->phase, GUARD_WAIT);
	pthread_mutex_lock(&g->lock);
	c->next = g->head;
	if (g->head)
		g->head->prev = c;
	g->head = c;
	if (c->addr) {
		size_t i = slot_find(g, c->addr);
		g->slots[i].addr = c->addr;
		g->slots[i].count++;
		/* guard_admit runs in each worker thread at once, so a burst from one address can
		 * pass it a few times too often: the extra ones end here, before any byte is read.
		 */
		if (g->l.per_addr && g->slots[i].count > g->l.per_addr && !exempt(g, c->addr)) {
			shutdown(fd, SHUT_RDWR);
			c->shut = 1;
			atomic_fetch_add(&g->refused, 1);
		}
	}
	atomic_fetch_add(&g->open, 1);
	pthread_mutex_unlock(&g->lock);
	return c;
}

void guard_close(struct guard *g, struct guard_conn *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&g->lock);
	if (c->prev)
		c->prev->next = c->next;
	else
		g->head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	if (c->addr) {
		size_t i = slot_find(g, c->addr);
		if (g->slots[i].count && --g->slots[i].count == 0)
			slot_remove(g, i);
	}
	atomic_fetch_sub(&g->open, 1);
	pthread_mutex_unlock(&g->lock);
	free(c);
}

void guard_set_phase(struct guard_conn *c, enum guard_phase p)
{
	if (!c)
		return;
	/* The time first: a sweeper that reads the new phase also reads its new time. */
	atomic_store(&c->since, clock_mono_ms());
	atomic_store(&c->phase, (int)p);
}

int guard_pressed(struct guard *g)
{
	return pressed(g, atomic_load(&g->open));
}

void guard_count_shed(struct guard *g)
{
	atomic_fetch_add(&g->shed, 1);
}

void guard_metrics_write(struct guard *g, struct buf *b)
{
	size_t open = atomic_load(&g->open);
	buf_printf(
	    b,
	    "# HELP mimamori_http_connections Open HTTP connections.\n"
	    "# TYPE mimamori_http_connections gauge\n"
	    "mimamori_http_connections %zu\n"
	    "# HELP mimamori_http_connections_limit The server's connection limit.\n"
	    "# TYPE mimamori_http_connections_limit gauge\n"
	    "mimamori_http_connections_limit %u\n"
	    "# HELP mimamori_http_pressed 1 while connections are near the limit.\n"
	    "# TYPE mimamori_http_pressed gauge\n"
	    "mimamori_http_pressed %d\n"
	    "# HELP mimamori_http_refused_total Connections refused: address over its limit.\n"
	    "# TYPE mimamori_http_refused_total counter\n"
	    "mimamori_http_refused_total %lld\n"
	    "# HELP mimamori_http_deadline_total Connections shut down past a deadline.\n"
	    "# TYPE mimamori_http_deadline_total counter\n"
	    "mimamori_http_deadline_total{phase=\"headers\"} %lld\n"
	    "mimamori_http_deadline_total{phase=\"body\"} %lld\n"
	    "# HELP mimamori_http_shed_total Anonymous requests answered 503 near the limit.\n"
	    "# TYPE mimamori_http_shed_total counter\n"
	    "mimamori_http_shed_total %lld\n",
	    open, g->l.max_conns, pressed(g, open), (long long)atomic_load(&g->refused),
	    (long long)atomic_load(&g->shut_header), (long long)atomic_load(&g->shut_body),
	    (long long)atomic_load(&g->shed));
}
