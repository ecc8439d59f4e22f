/* SPDX-License-Identifier: MIT */
/* service.c — the plazas' registrations as the platform sees them: its name and key, its
 * subcommand (`plaza`), its demo and its metrics (its routes are in routes.c). */
#include "plaza/service.h"

#include "app.h"
#include "base/buf.h"
#include "plaza/plaza.h"
#include "store/store.h"

/* cli.c: `mimamori plaza …`. */
int plaza_cmd(int argc, char **argv);
/* demo.c: its part of `mimamori demo`. */
int plaza_demo(struct app *a, struct demo_out *out);

static const struct cli_command commands[] = {
    {"plaza", plaza_cmd,
     "plaza list|search|counts|cards|april-update|inactive|staff --data DIR …  共育プラザの利用者"
     "登録（件数、検索、来館数、登録カード、4月の学年更新、長く来館のない利用者の削除）"},
    {0, 0, 0},
};

static void metrics(struct app *a, struct buf *b)
{
	struct store_conn *c = store_acquire(a->store);
	struct store_stmt *st = store_prepare(c, "SELECT count(*) FROM plaza_users");
	if (st && store_step(st) == STORE_ROW)
		buf_printf(b,
			   "# HELP mimamori_plaza_users Users registered at the plazas.\n"
			   "# TYPE mimamori_plaza_users gauge\n"
			   "mimamori_plaza_users %lld\n",
			   (long long)store_col_int(st, 0));
	store_finish(st);
	store_release(c);
}

const struct service plaza_service = {
    .name = PLAZA_SERVICE,
    .label_ja = "共育プラザ利用者登録",
    .routes = plaza_routes,
    .commands = commands,
    .demo = plaza_demo,
    .demo_options = "plaza-users",
    .metrics = metrics,
};
