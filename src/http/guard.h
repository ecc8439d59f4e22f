/* SPDX-License-Identifier: MIT */
/* guard.h — the HTTP server's connection guard (internal to src/http/): how many connections
 * one peer address may hold, deadlines for a request's headers and body that trickling bytes
 * cannot extend, and the pressure mode that keeps a share of capacity for kiosks and signed-in
 * staff. It knows sockets, addresses and times, not libmicrohttpd. */
#ifndef MIMAMORI_HTTP_GUARD_H
#define MIMAMORI_HTTP_GUARD_H
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "base/buf.h"

#define GUARD_EXEMPT_MAX 8

/* Where a connection is: the sweeper holds WAIT and BODY to their deadlines. */
enum guard_phase {
	GUARD_WAIT = 0, /* waiting for a request line and headers (also between requests) */
	GUARD_BODY,	/* headers read, the body is arriving */
	GUARD_BUSY,	/* the request is being handled or answered: no deadline here */
};

struct guard_limits {
	unsigned max_conns; /* the daemon's connection limit */
	unsigned per_addr;  /* connections one IPv4 peer address may hold; 0 = unlimited */
	int64_t header_ms; /* a request's headers must be complete this long after the wait began */
	int64_t pressed_header_ms;	   /* the same while the server is near max_conns */
	int64_t body_ms;		   /* a body must be complete this long after its headers */
	uint32_t exempt[GUARD_EXEMPT_MAX]; /* IPv4 addresses (network order) with no per-address
					    * limit: a trusted reverse proxy */
	size_t nexempt;
};

struct guard;
struct guard_conn;

/* Starts a guard with limits l (copied) and its sweeper thread; returns NULL when the thread
 * cannot start. Stop and free with guard_stop. */
struct guard *guard_start(const struct guard_limits *l);
/* Stops the sweeper and frees g; every connection must have been closed. NULL is a no-op. */
void guard_stop(struct guard *g);
/* Returns 1 when the peer at sa may open one more connection (its address is under the
 * per-address limit), else 0 and counts a refusal. */
int guard_admit(struct guard *g, const struct sockaddr *sa);
/* Registers a started connection on socket fd from sa, in the WAIT phase. Returns the entry
 * (owned by g until guard_close). */
struct guard_conn *guard_open(struct guard *g, int fd, const struct sockaddr *sa);
/* Unregisters c (NULL is a no-op) before its socket is closed: after this returns the
 * sweeper never touches the socket again. */
void guard_close(struct guard *g, struct guard_conn *c);
/* Moves c (NULL is a no-op) to phase p, restarting its clock. Lock-free. */
void guard_set_phase(struct guard_conn *c, enum guard_phase p);
/* Returns 1 while the open connections are at or above three quarters of max_conns. */
int guard_pressed(struct guard *g);
/* Counts an anonymous request answered 503 because of pressure. */
void guard_count_shed(struct guard *g);
/* Appends the guard's gauges and counters (Prometheus text) to b. */
void guard_metrics_write(struct guard *g, struct buf *b);

#endif
