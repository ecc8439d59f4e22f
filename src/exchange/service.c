/* SPDX-License-Identifier: MIT */
/* service.c — file exchange as the platform sees it: its name and key, its subcommand
 * (`exchange`), its demo, its sweeper (a thread while serving: expired files destroyed every
 * [exchange] sweep_seconds) and its metrics (its routes are in routes.c). */
#include "exchange/service.h"

#include <pthread.h>
#include <time.h>

#include "app.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/log.h"
#include "exchange/exchange.h"
#include "store/store.h"

/* cli.c: `mimamori exchange …`. */
int exchange_cmd(int argc, char **argv);
/* demo.c: its part of `mimamori demo`. */
int exchange_demo(struct app *a, struct demo_out *out);

static const struct cli_command commands[] = {
    {"exchange", exchange_cmd,
     "exchange recipient|put|list|get|sweep --data DIR ...  ファイル授受（受託事業者から区の職員"
     "へ、パスワードつき・期限つき）"},
    {0, 0, 0},
};

/* The sweeper: one per process, while serving. */
static pthread_t sweeper;
static pthread_mutex_t sweep_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t sweep_cv = PTHREAD_COND_INITIALIZER;
static int sweeping, sweep_stop;

static void *sweep_main(void *arg)
{
	struct app *a = arg;
	struct exchange_config cfg;
	exchange_config_read(a, &cfg);
	pthread_mutex_lock(&sweep_mu);
	while (!sweep_stop) {
		pthread_mutex_unlock(&sweep_mu);
		int n = 0;
		enum err e = exchange_sweep(a, clock_now_ms(), 0, &n);
		if (n > 0)
			log_info("exchange: %d expired files destroyed", n);
		if (e == ERR_TEMP)
			log_info("exchange: the scrub waits for older transactions; tried again next "
				 "time");
		else if (e != ERR_OK)
			log_warn("exchange: the sweep did not finish (%s); tried again next time",
				 err_str(e));
		pthread_mutex_lock(&sweep_mu);
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += cfg.sweep_seconds;
		while (!sweep_stop &&
		       pthread_cond_timedwait(&sweep_cv, &sweep_mu, &until) == 0)
			;
	}
	pthread_mutex_unlock(&sweep_mu);
	return NULL;
}

static enum err start(struct app *a)
{
	sweep_stop = 0;
	if (pthread_create(&sweeper, NULL, sweep_main, a) != 0)
		return ERR_IO;
	sweeping = 1;
	return ERR_OK;
}

static void stop(struct app *a)
{
	(void)a;
	if (!sweeping)
		return;
	pthread_mutex_lock(&sweep_mu);
	sweep_stop = 1;
	pthread_cond_broadcast(&sweep_cv);
	pthread_mutex_unlock(&sweep_mu);
	pthread_join(sweeper, NULL);
	sweeping = 0;
}

static void metrics(struct app *a, struct buf *b)
{
	struct store_conn *c = store_acquire(a->store);
	struct store_stmt *st = store_prepare(c, "SELECT count(*) FROM ex_files");
	if (st && store_step(st) == STORE_ROW)
		buf_printf(b,
			   "# HELP mimamori_exchange_files Files waiting for their recipients.\n"
			   "# TYPE mimamori_exchange_files gauge\n"
			   "mimamori_exchange_files %lld\n",
			   (long long)store_col_int(st, 0));
	store_finish(st);
	store_release(c);
}

const struct service exchange_service = {
    .name = EXCHANGE_SERVICE,
    .label_ja = "ファイル授受",
    .routes = exchange_routes,
    .commands = commands,
    .demo = exchange_demo,
    .start = start,
    .stop = stop,
    .metrics = metrics,
};
