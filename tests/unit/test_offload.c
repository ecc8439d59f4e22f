/* SPDX-License-Identifier: MIT */
/* test_offload.c — unit tests for src/http/offload.c (the writer threads) and http_resp_parts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>

#include "http/http.h"
#include "http/offload.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int ran, order_ok = 1, last = -1;

static void job(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&mu);
	ran++;
	pthread_mutex_unlock(&mu);
}

/* Every job given runs exactly once, also those still queued when the pool stops. */
static void test_all_jobs_run(void **state)
{
	(void)state;
	struct offload *p = offload_start(4);
	assert_non_null(p);
	ran = 0;
	for (int i = 0; i < 1000; i++)
		offload_add(p, job, (void *)(intptr_t)i);
	offload_stop(p);
	assert_int_equal(ran, 1000);
	offload_stop(NULL); /* a no-op */
}

static void one_thread_job(void *arg)
{
	int i = (int)(intptr_t)arg;
	if (i != last + 1)
		order_ok = 0;
	last = i;
}

/* One thread takes the jobs in the order given. */
static void test_fifo(void **state)
{
	(void)state;
	struct offload *p = offload_start(1);
	last = -1;
	order_ok = 1;
	for (int i = 0; i < 200; i++)
		offload_add(p, one_thread_job, (void *)(intptr_t)i);
	offload_stop(p);
	assert_true(order_ok);
	assert_int_equal(last, 199);
}

static int released;
static void release(void *arg)
{
	released += (int)(intptr_t)arg;
}

/* http_resp_parts lends the parts and their release; nothing is copied. */
static void test_parts(void **state)
{
	(void)state;
	struct http_resp rs = {0};
	static const char a[] = "{\"now\":\"", b[] = "12:34", c[] = "\"}";
	struct http_part parts[3] = {{a, 8}, {b, 5}, {c, 2}};
	http_resp_parts(&rs, parts, 3, release, (void *)(intptr_t)7);
	assert_int_equal(rs.nparts, 3);
	assert_ptr_equal(rs.parts[1].data, b);
	assert_int_equal(rs.parts[2].len, 2);
	released = 0;
	rs.parts_free(rs.parts_arg);
	assert_int_equal(released, 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_all_jobs_run),
	    cmocka_unit_test(test_fifo),
	    cmocka_unit_test(test_parts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
