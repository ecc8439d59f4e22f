/* SPDX-License-Identifier: MIT */
/* test_periodic.c — the platform's periodic job (src/app/periodic.c): a turn at once and then
 * every interval of its variable, none after the stop, the default interval when the variable is
 * not above 0, and a stop that cuts a long wait short. */
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

#include <cmocka.h>

#include "app.h"
#include "app/periodic.h"
#include "base/xalloc.h"
#include "vault/vault.h"

#define VAR "MIMAMORI_TEST_PERIODIC_MS"

struct env {
	char dir[64];
	struct app *a;
};

static atomic_int turns;
static struct app *_Atomic seen; /* the app the last turn got (checked on the test's thread) */

static void count_turn(struct app *a)
{
	atomic_store(&seen, a);
	atomic_fetch_add(&turns, 1);
}

static const struct periodic_job job = {
    .name = "test",
    .lock = "job:test",
    .turn = "count",
    .interval_env = VAR,
    .default_ms = 3600000,
    .run = count_turn,
};

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static int setup(void **state)
{
	struct env *e = xcalloc(1, sizeof *e);
	snprintf(e->dir, sizeof e->dir, "/tmp/mimamori-periodic-XXXXXX");
	assert_non_null(mkdtemp(e->dir));
	char *dir = xasprintf("%s/data", e->dir);
	assert_int_equal(app_init_dir(dir), ERR_OK);
	assert_int_equal(app_open(dir, 2, &e->a), ERR_OK);
	free(dir);
	atomic_store(&turns, 0);
	atomic_store(&seen, NULL);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;
	unsetenv(VAR);
	app_close(e->a);
	nftw(e->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(e);
	return 0;
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* Waits (5 s at most) until at least n turns ran; returns how many did. */
static int wait_turns(int n)
{
	for (int i = 0; i < 500 && atomic_load(&turns) < n; i++)
		sleep_ms(10);
	return atomic_load(&turns);
}

/* Every 20 ms while it runs; not one turn after periodic_stop returns. */
static void test_turns_until_stopped(void **state)
{
	struct env *e = *state;
	setenv(VAR, "20", 1);
	struct periodic *p = periodic_start(e->a, &job);
	assert_non_null(p);
	assert_true(wait_turns(3) >= 3);
	periodic_stop(p);
	assert_ptr_equal(atomic_load(&seen), e->a);
	int n = atomic_load(&turns);
	sleep_ms(100);
	assert_int_equal(atomic_load(&turns), n);
}

/* A variable of 0 falls back to the default (an hour): one turn at the start, no second one,
 * and the stop does not wait the hour out. */
static void test_default_interval_and_prompt_stop(void **state)
{
	struct env *e = *state;
	setenv(VAR, "0", 1);
	struct periodic *p = periodic_start(e->a, &job);
	assert_non_null(p);
	assert_int_equal(wait_turns(1), 1);
	sleep_ms(100);
	assert_int_equal(atomic_load(&turns), 1);
	int64_t t = mono_ms();
	periodic_stop(p);
	assert_true(mono_ms() - t < 2000);
	periodic_stop(NULL);
}

int main(void)
{
	if (vault_global_init() != ERR_OK)
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_turns_until_stopped, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_default_interval_and_prompt_stop, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
