/* SPDX-License-Identifier: MIT */
/* periodic.h — a service's background job while the server runs: a thread that runs it now and
 * then every interval, on one server of several on one database (the holder of the job's lock). */
#ifndef MIMAMORI_APP_PERIODIC_H
#define MIMAMORI_APP_PERIODIC_H
#include <stdint.h>

struct app;

/* What runs, under which lock, how often by default. Its strings are static (literals). */
struct periodic_job {
	const char *name; /* the log lines' prefix: "course" */
	/* The store lock that says whose turn it is ("job:course"), or NULL for a job that runs
	 * on every server (what each server keeps in memory: src/app/erase_watch.c). */
	const char *lock;
	const char *turn; /* what a turn does, for the log: "remind" */
	/* The environment variable that sets the interval in ms (tests shorten it), or NULL. */
	const char *interval_env;
	int64_t default_ms; /* the interval when the variable is not set or not above 0 */
	/* The interval in ms from the service's configuration (read once, at the start; in place
	 * of interval_env when set; not above 0: default_ms), or NULL. */
	int64_t (*interval_ms)(struct app *a);
	/* One turn, on the server holding the lock (every server without one); it logs its own
	 * outcome. */
	void (*run)(struct app *a);
};

struct periodic;
/* Returns a started thread that runs job->run(a) now and then every interval (job->interval_ms's
 * or job->interval_env's value in ms, or job->default_ms) while this server holds the store lock
 * job->lock (another server takes it over when that one is gone); NULL when no thread could be
 * started. job must outlive the thread. Stop it with periodic_stop. */
struct periodic *periodic_start(struct app *a, const struct periodic_job *job);
/* Stops and frees p (waits for a turn in progress); NULL is a no-op. */
void periodic_stop(struct periodic *p);

#endif
