/* SPDX-License-Identifier: MIT */
/* service.c — course sign-up (seed 001) as the platform sees it: its name and key, its
 * subcommand (`course`), its demo, its reminder thread and its metrics (its routes are in
 * routes.c). */
#include "course/service.h"


#include "app.h"
#include "app/periodic.h"
#include "base/buf.h"
#include "course/course.h"
#include "store/store.h"

/* cli.c: `mimamori course …`. */
int course_cmd(int argc, char **argv);
/* demo.c: its part of `mimamori demo`. */
int course_demo(struct app *a, struct demo_out *out);

const struct vault *course_vault(struct app *a)
{
	return app_vault(a, COURSE_SERVICE);
}

static const struct cli_command commands[] = {
    {"course", course_cmd,
     "course list|roster|erase --data DIR [--course ID]  講座の一覧、申込者の名簿、終わった講座の"
     "申込の消去"},
    {0, 0, 0},
};

/* The reminders of the day before, sent by a thread while the server runs. */
static struct periodic *ticker;

static enum err start(struct app *a)
{
	ticker = course_ticker_start(a);
	return ticker ? ERR_OK : ERR_IO;
}

static void stop(struct app *a)
{
	(void)a;
	periodic_stop(ticker);
	ticker = NULL;
}

static void metrics(struct app *a, struct buf *b)
{
	struct store_conn *c = store_acquire(a->store);
	struct store_stmt *st = store_prepare(
	    c, "SELECT count(*) FROM course_signups WHERE cancelled_ms IS NULL");
	if (st && store_step(st) == STORE_ROW)
		buf_printf(b,
			   "# HELP mimamori_course_signups Course sign-ups not cancelled.\n"
			   "# TYPE mimamori_course_signups gauge\n"
			   "mimamori_course_signups %lld\n",
			   (long long)store_col_int(st, 0));
	store_finish(st);
	store_release(c);
}

const struct service course_service = {
    .name = COURSE_SERVICE,
    .label_ja = "講座の申込",
    .routes = course_routes,
    .commands = commands,
    .demo = course_demo,
    .start = start,
    .stop = stop,
    .metrics = metrics,
    .mail_from = "講座の申込受付", /* not the clubs' [mail] from_name */
};
