/* SPDX-License-Identifier: MIT */
/* throttle.c — a leaky bucket per source address (GCRA: each failure pushes the address's
 * "empty at" time DRAIN_MS further; an attempt waits while that time is more than FREE-1
 * drains ahead), in a fixed table: many addresses evict the ones closest to empty, so the
 * table never grows and a busy attacker's own entry is the last to go. */
#include "auth/throttle.h"

#include <pthread.h>
#include <string.h>

#define SLOTS 4096 /* a power of two */
#define PROBE 8

static struct {
	char addr[THROTTLE_ADDR_MAX];
	int64_t empty_at; /* when this address's bucket drains to 0; 0: free slot */
} slots[SLOTS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static uint32_t fnv1a(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h;
}

/* The slot of addr (under lock): its own, else a free or drained one in its probe window,
 * else the one of the window that drains first. *found says whether it was addr's own. */
static size_t slot_for(const char *addr, int64_t now, int *found)
{
	size_t home = fnv1a(addr) & (SLOTS - 1), best = home;
	int64_t best_at = INT64_MAX;
	for (size_t k = 0; k < PROBE; k++) {
		size_t i = (home + k) & (SLOTS - 1);
		if (slots[i].empty_at > now && strcmp(slots[i].addr, addr) == 0) {
			*found = 1;
			return i;
		}
		int64_t at = slots[i].empty_at > now ? slots[i].empty_at : 0;
		if (at < best_at) {
			best_at = at;
			best = i;
		}
	}
	*found = 0;
	return best;
}

static int usable(const char *addr)
{
	return addr && addr[0] && strlen(addr) < THROTTLE_ADDR_MAX;
}

int64_t auth_throttle_wait(const char *addr, int64_t now_ms)
{
	int found = 0;
	int64_t wait = 0;
	if (!usable(addr))
		return 0;
	pthread_mutex_lock(&lock);
	size_t i = slot_for(addr, now_ms, &found);
	if (found) {
		int64_t ahead = slots[i].empty_at - now_ms;
		int64_t allowed = (int64_t)(THROTTLE_FREE - 1) * THROTTLE_DRAIN_MS;
		if (ahead > allowed)
			wait = ahead - allowed;
	}
	pthread_mutex_unlock(&lock);
	return wait;
}

void auth_throttle_fail(const char *addr, int64_t now_ms)
{
	int found = 0;
	if (!usable(addr))
		return;
	pthread_mutex_lock(&lock);
	size_t i = slot_for(addr, now_ms, &found);
	if (!found) {
		memcpy(slots[i].addr, addr, strlen(addr) + 1);
		slots[i].empty_at = now_ms;
	}
	slots[i].empty_at += THROTTLE_DRAIN_MS;
	pthread_mutex_unlock(&lock);
}
