/* SPDX-License-Identifier: MIT */
/* board_events.c — GET /api/v1/sites/{code}/board/events: the board's live updates as
 * Server-Sent Events. A subscriber (the staff page's EventSource) is told `event: board` with
 * the site's version whenever the board changed, and then reads the board (GET …/board, with
 * its ETag: access checked and audited there as always); the events carry no personal data.
 * One watcher thread per server reads every site's change counter (sites.board_version, bumped
 * in every writing transaction by the triggers of sql/0034) every 100 ms while someone
 * subscribes (MIMAMORI_BOARD_WATCH_MS), so a write by this server, another server on the same
 * PostgreSQL, or a command reaches the subscribers alike; and when the day turns. A comment
 * line every 15 s (MIMAMORI_BOARD_PING_MS) keeps proxies and libmicrohttpd's 30 s inactivity
 * timeout from closing the stream, and finds subscribers that left (a suspended connection
 * sees nothing until it writes: the second write after the peer closed fails).
 * Streams wait suspended in libmicrohttpd (http/stream.c) and hold no worker thread; at most
 * MIMAMORI_BOARD_SUBSCRIBERS (default 512) at once: more are refused 429 and the page polls. */
#include "attendance/board.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "attendance/attendance.h"
#include "attendance/attendance_api.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "http/http.h"
#include "store/store.h"


struct sub {
	struct http_stream *stream;
	int64_t site_id;
	int64_t version; /* the last version told */
	char day[16];	 /* the day of it */
	struct sub *next;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static struct sub *subs;
static size_t nsubs, max_subs = 512;
static int running, stop_flag;
static int64_t watch_ms = 100, ping_ms = 15000;
static pthread_t thread;
static struct app *app;

static int64_t env_int(const char *name, int64_t dflt, int64_t lo, int64_t hi)
{
	const char *v = getenv(name);
	char *end = NULL;
	long long n = v ? strtoll(v, &end, 10) : 0;
	return (v && end && *end == '\0' && n >= lo && n <= hi) ? n : dflt;
}

/* Tells sub of the site's version (day: today). Returns 0 when its stream has ended. */
static int tell(struct sub *s, int64_t version, const char *day)
{
	char ev[128];
	int n = snprintf(ev, sizeof ev, "event: board\ndata: {\"version\":%lld,\"day\":\"%s\"}\n\n",
			 (long long)version, day);
	s->version = version;
	snprintf(s->day, sizeof s->day, "%s", day);
	return http_stream_send(s->stream, ev, (size_t)n);
}

/* One look at every site's version; tells the subscribers whose board moved, pings all of them
 * when ping is set, and drops those whose stream ended. */
static void watch_once(int ping)
{
	struct store_conn *c = store_acquire(app->store);
	struct store_stmt *st = store_prepare(c, "SELECT id, board_version FROM sites ORDER BY id");
	int64_t *ids = NULL, *vers = NULL;
	size_t n = 0, cap = 0;
	int rc = STORE_DONE;
	while (st && (rc = store_step(st)) == STORE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 128;
			ids = xrealloc(ids, cap * sizeof *ids);
			vers = xrealloc(vers, cap * sizeof *vers);
		}
		ids[n] = store_col_int(st, 0);
		vers[n++] = store_col_int(st, 1);
	}
	store_finish(st);
	store_release(c);
	if (!st || rc != STORE_DONE) {
		free(ids);
		free(vers);
		return; /* the database did not answer: the next turn tries again */
	}
	char day[16];
	clock_jst_date(clock_now_ms(), day, sizeof day);
	pthread_mutex_lock(&mu);
	for (struct sub **p = &subs; *p;) {
		struct sub *s = *p;
		int alive = 1;
		for (size_t i = 0; i < n; i++) {
			if (ids[i] == s->site_id && (vers[i] != s->version || strcmp(day, s->day) != 0))
				alive = tell(s, vers[i], day);
		}
		if (alive && ping)
			alive = http_stream_send(s->stream, ": ping\n\n", 8);
		if (alive && http_stream_alive(s->stream)) {
			p = &s->next;
			continue;
		}
		*p = s->next;
		nsubs--;
		http_stream_release(s->stream);
		free(s);
	}
	pthread_mutex_unlock(&mu);
	free(ids);
	free(vers);
}

static void *watch(void *arg)
{
	(void)arg;
	int64_t last_ping = clock_mono_ms();
	pthread_mutex_lock(&mu);
	while (!stop_flag) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		int64_t ns = ts.tv_nsec + watch_ms * 1000000;
		ts.tv_sec += ns / 1000000000;
		ts.tv_nsec = ns % 1000000000;
		if (!subs)
			pthread_cond_wait(&cv, &mu); /* nobody listens: nothing to watch */
		else
			pthread_cond_timedwait(&cv, &mu, &ts);
		if (stop_flag || !subs)
			continue;
		pthread_mutex_unlock(&mu);
		int64_t now = clock_mono_ms();
		int ping = now - last_ping >= ping_ms;
		if (ping)
			last_ping = now;
		watch_once(ping);
		pthread_mutex_lock(&mu);
	}
	pthread_mutex_unlock(&mu);
	return NULL;
}

enum err board_events_start(struct app *a)
{
	app = a;
	watch_ms = env_int("MIMAMORI_BOARD_WATCH_MS", 100, 10, 60000);
	max_subs = (size_t)env_int("MIMAMORI_BOARD_SUBSCRIBERS", 512, 0, 100000);
	ping_ms = env_int("MIMAMORI_BOARD_PING_MS", 15000, 100, 25000);
	stop_flag = 0;
	if (pthread_create(&thread, NULL, watch, NULL) != 0)
		return ERR_IO;
	pthread_setname_np(thread, "board-events"); /* for top -H and perf */
	running = 1;
	return ERR_OK;
}

void board_events_stop(void)
{
	if (!running)
		return;
	pthread_mutex_lock(&mu);
	stop_flag = 1;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
	pthread_join(thread, NULL);
	running = 0;
	pthread_mutex_lock(&mu);
	while (subs) {
		struct sub *s = subs;
		subs = s->next;
		http_stream_end(s->stream);
		http_stream_release(s->stream);
		free(s);
	}
	nsubs = 0;
	pthread_mutex_unlock(&mu);
}

enum err api_board_events(struct http_req *rq, struct http_resp *rs)
{
	struct site site;
	int64_t version = 0;
	struct store_conn *c = store_acquire(rq->app->store);
	enum err e = api_site_for_caller(rq, rs, c, &site, "board of another site",
					 "この施設の出欠を見る権限がありません。");
	if (e == ERR_OK)
		e = board_version_read(c, site.id, &version);
	store_release(c);
	if (e != ERR_OK)
		return e;
	pthread_mutex_lock(&mu);
	if (!running || nsubs >= max_subs) {
		pthread_mutex_unlock(&mu);
		return http_error_as(rs, ERR_TOOMANY, "board_events_full",
				     "自動更新の接続が上限に達しています。3秒ごとの更新に切り替えます。");
	}
	struct sub *s = xcalloc(1, sizeof *s);
	http_stream_open(rs, &s->stream);
	s->site_id = site.id;
	char day[16];
	clock_jst_date(clock_now_ms(), day, sizeof day);
	/* The reconnection delay, and the version now: the page reads the board if it has an
	 * older one (the stream may have been down a while). */
	http_stream_send(s->stream, "retry: 3000\n\n", 13);
	tell(s, version, day);
	s->next = subs;
	subs = s;
	nsubs++;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
	return ERR_OK;
}
