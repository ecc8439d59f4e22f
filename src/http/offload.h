/* SPDX-License-Identifier: MIT */
/* offload.h — a pool of threads for the requests of HTTP_ROUTE_OFFLOAD routes (server.c): their
 * connections wait suspended while a pool thread runs the handler, so libmicrohttpd's workers
 * stay free for the quick requests. */
#ifndef MIMAMORI_HTTP_OFFLOAD_H
#define MIMAMORI_HTTP_OFFLOAD_H
#include <stddef.h>

struct offload;
/* Starts n threads; NULL when none could be started. */
struct offload *offload_start(size_t n);
/* Has fn(arg) run by one of p's threads, in the order given. */
void offload_add(struct offload *p, void (*fn)(void *arg), void *arg);
/* Runs what is still queued, stops the threads and frees p; NULL is a no-op. */
void offload_stop(struct offload *p);

#endif
