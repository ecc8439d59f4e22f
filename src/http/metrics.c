/* SPDX-License-Identifier: MIT */
/* metrics.c — HTTP request counters by status class, for /metrics. */
#include "http/http.h"

#include <stdatomic.h>

static atomic_llong by_class[6];

void http_metrics_count(unsigned status)
{
	unsigned c = status / 100;
	if (c > 5)
		c = 5;
	atomic_fetch_add(&by_class[c], 1);
}

void http_metrics_write(struct buf *b)
{
	buf_puts(b, "# HELP mimamori_http_requests_total HTTP requests answered, by status class.\n"
		    "# TYPE mimamori_http_requests_total counter\n");
	for (unsigned c = 1; c <= 5; c++)
		buf_printf(b, "mimamori_http_requests_total{class=\"%uxx\"} %lld\n", c,
			   (long long)atomic_load(&by_class[c]));
}
