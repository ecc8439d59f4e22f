/* SPDX-License-Identifier: MIT */
/* startup.c — the HTTP server's one-time settings: open files, trusted proxies, library log. */
#include "http/startup.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "base/clock.h"
#include "base/log.h"

#define LOG_PER_MINUTE 20

unsigned http_fit_descriptors(unsigned want, unsigned spare)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return want;
	if (rl.rlim_cur < rl.rlim_max) {
		struct rlimit up = {rl.rlim_max, rl.rlim_max};
		if (setrlimit(RLIMIT_NOFILE, &up) == 0)
			rl.rlim_cur = rl.rlim_max;
	}
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= (rlim_t)want + spare)
		return want;
	unsigned fit = rl.rlim_cur > 2 * (rlim_t)spare ? (unsigned)(rl.rlim_cur - spare) : spare;
	log_warn("only %llu open files allowed: at most %u connections instead of %u",
		 (unsigned long long)rl.rlim_cur, fit, want);
	return fit;
}

size_t http_parse_proxies(const char *list, uint32_t *out, size_t max)
{
	char one[64];
	size_t n = 0;
	while (list && *list) {
		size_t len = strcspn(list, ", ");
		if (len > 0 && len < sizeof one) {
			struct in_addr ia;
			memcpy(one, list, len);
			one[len] = '\0';
			if (inet_pton(AF_INET, one, &ia) == 1 && n < max)
				out[n++] = ia.s_addr;
			else
				log_warn(
				    "mimamori.conf: trusted_proxies: %s is not an IPv4 address "
				    "(or more than %zu); ignored",
				    one, max);
		}
		list += len;
		list += strspn(list, ", ");
	}
	return n;
}

void http_library_log(void *cls, const char *fmt, va_list ap)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static int64_t minute;
	static long count, dropped;
	char line[256];
	(void)cls;
	int64_t now = clock_mono_ms() / 60000;
	pthread_mutex_lock(&lock);
	if (now != minute) {
		if (dropped)
			log_warn("http: %ld more messages of the HTTP library in the last minute",
				 dropped);
		minute = now;
		count = dropped = 0;
	}
	int show = ++count <= LOG_PER_MINUTE;
	if (!show)
		dropped++;
	pthread_mutex_unlock(&lock);
	if (!show)
		return;
	vsnprintf(line, sizeof line, fmt, ap);
	line[strcspn(line, "\r\n")] = '\0';
	log_warn("http: %s", line);
}
