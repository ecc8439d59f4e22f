/* SPDX-License-Identifier: MIT */
/* clock.c — wall clock with a test offset, and Japan-time formatting (JST has no DST). */
#include "base/clock.h"

#include <pthread.h>
#include <stdlib.h>
#include <stdio.h>
#include <time.h>

#define JST_OFFSET_S (9 * 3600)

static int64_t real_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static pthread_once_t fake_once = PTHREAD_ONCE_INIT;
static int64_t fake_offset_ms;

static void fake_init(void)
{
	const char *s = getenv("MIMAMORI_FAKE_NOW");
	if (!s || !*s)
		return;
	char *end = NULL;
	long long v = strtoll(s, &end, 10);
	if (end && *end == '\0' && v > 0)
		fake_offset_ms = (int64_t)v * 1000 - real_ms();
}

int64_t clock_now_ms(void)
{
	pthread_once(&fake_once, fake_init);
	return real_ms() + fake_offset_ms;
}

static void jst_tm(int64_t ms, struct tm *tm)
{
	time_t t = (time_t)(ms / 1000) + JST_OFFSET_S;
	gmtime_r(&t, tm);
}

void clock_jst_date(int64_t ms, char *out, size_t n)
{
	struct tm tm;
	jst_tm(ms, &tm);
	strftime(out, n, "%Y-%m-%d", &tm);
}

void clock_jst_hhmm(int64_t ms, char *out, size_t n)
{
	struct tm tm;
	jst_tm(ms, &tm);
	strftime(out, n, "%H:%M", &tm);
}

void clock_jst_iso(int64_t ms, char *out, size_t n)
{
	struct tm tm;
	jst_tm(ms, &tm);
	strftime(out, n, "%Y-%m-%dT%H:%M:%S+09:00", &tm);
}

void clock_rfc5322(int64_t ms, char *out, size_t n)
{
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	struct tm tm;
	jst_tm(ms, &tm);
	char hms[16];
	strftime(hms, sizeof hms, "%H:%M:%S", &tm);
	/* Built by hand: strftime's %a/%b follow the locale. */
	snprintf(out, n, "%s, %02d %s %04d %s +0900", days[tm.tm_wday], tm.tm_mday,
		 months[tm.tm_mon], tm.tm_year + 1900, hms);
}
