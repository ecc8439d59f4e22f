/* SPDX-License-Identifier: MIT */
/* service.c — file exchange as the platform sees it: its name and key, its subcommand
 * (`exchange`), its demo, its sweeper (the platform's periodic job while serving: expired files
 * destroyed every [exchange] sweep_seconds) and its metrics (its routes are in routes.c). */
#include "exchange/service.h"

#include "app.h"
#include "app/periodic.h"
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

/* One turn of the sweeper: the expired files destroyed. */
static void sweep_turn(struct app *a)
{
	int n = 0;
	enum err e = exchange_sweep(a, clock_now_ms(), 0, &n);
	if (n > 0)
		log_info("exchange: %d expired files destroyed", n);
	if (e == ERR_TEMP)
		log_info("exchange: the scrub waits for older transactions; tried again next time");
	else if (e != ERR_OK)
		log_warn("exchange: the sweep did not finish (%s); tried again next time",
			 err_str(e));
}

/* The sweeper's period: [exchange] sweep_seconds. */
static int64_t sweep_interval_ms(struct app *a)
{
	struct exchange_config cfg;
	exchange_config_read(a, &cfg);
	return (int64_t)cfg.sweep_seconds * 1000;
}

static const struct periodic_job sweeper_job = {
    .name = "exchange",
    .lock = "job:exchange",
    .turn = "sweep",
    .default_ms = 300 * 1000,
    .interval_ms = sweep_interval_ms,
    .run = sweep_turn,
};

/* The sweeper, while serving (of several servers, the holder of job:exchange sweeps). */
static struct periodic *sweeper;

static enum err start(struct app *a)
{
	sweeper = periodic_start(a, &sweeper_job);
	return sweeper ? ERR_OK : ERR_IO;
}

static void stop(struct app *a)
{
	(void)a;
	periodic_stop(sweeper);
	sweeper = NULL;
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
    .mail_from = "ファイル授受", /* not the clubs' [mail] from_name */
};
