/* SPDX-License-Identifier: MIT */
/* clock.c — wall clock with a test offset, and Japan-time formatting (JST has no DST). */
#include "base/clock.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define JST_OFFSET_S (9 * 3600)

static int64_t real_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t clock_mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static pthread_once_t fake_once = PTHREAD_ONCE_INIT;
static _Atomic int64_t fake_offset_ms;
/* MIMAMORI_FAKE_NOW_FILE (tests only): a file holding unix seconds, re-read at most every
 * 50 ms of real time; each new value sets the clock to it, from where it runs on. */
static const char *fake_file;
static pthread_mutex_t fake_mu = PTHREAD_MUTEX_INITIALIZER;
static int64_t fake_file_value, fake_file_checked_ms;
/* MIMAMORI_FAKE_CLOCK_STILL=1 (tests only) or clock_hold: the clock stands where it was set
 * instead of running on, so that a test of a 1-second delay does not depend on how fast a
 * loaded machine runs it. */
static _Atomic int fake_still;

static void fake_init(void)
{
	fake_file = getenv("MIMAMORI_FAKE_NOW_FILE");
	if (fake_file && !*fake_file)
		fake_file = NULL;
	const char *still = getenv("MIMAMORI_FAKE_CLOCK_STILL");
	fake_still = still && strcmp(still, "1") == 0;
	const char *s = getenv("MIMAMORI_FAKE_NOW");
	if (!s || !*s)
		return;
	char *end = NULL;
	long long v = strtoll(s, &end, 10);
	if (end && *end == '\0' && v > 0)
		fake_offset_ms = (int64_t)v * 1000 - real_ms();
}

static void fake_file_reload(int64_t real)
{
	pthread_mutex_lock(&fake_mu);
	if (real - fake_file_checked_ms >= 50) {
		fake_file_checked_ms = real;
		FILE *f = fopen(fake_file, "r");
		long long v = 0;
		if (f) {
			if (fscanf(f, "%lld", &v) == 1 && v > 0 && v != fake_file_value) {
				fake_file_value = v;
				fake_offset_ms = (int64_t)v * 1000 - real;
			}
			fclose(f);
		}
	}
	pthread_mutex_unlock(&fake_mu);
}

/* The real time the clock stands at while it is held (its offset is then measured from it). */
static _Atomic int64_t still_real_ms;

int64_t clock_now_ms(void)
{
	pthread_once(&fake_once, fake_init);
	int64_t real = real_ms();
	if (fake_file)
		fake_file_reload(real);
	if (fake_still) {
		int64_t at = still_real_ms;
		if (at == 0) {
			int64_t zero = 0;
			atomic_compare_exchange_strong(&still_real_ms, &zero, real);
			at = still_real_ms;
		}
		/* A new value of the clock file moves the held clock there. */
		if (fake_file && fake_file_value)
			return fake_file_value * 1000;
		return at + fake_offset_ms;
	}
	return real + fake_offset_ms;
}

void clock_set_now_ms(int64_t ms)
{
	pthread_once(&fake_once, fake_init);
	fake_offset_ms = ms - (fake_still && still_real_ms ? still_real_ms : real_ms());
}

void clock_hold(int hold)
{
	pthread_once(&fake_once, fake_init);
	int64_t real = real_ms();
	if (hold && !fake_still)
		still_real_ms = real;
	else if (!hold && fake_still && still_real_ms)
		fake_offset_ms += still_real_ms - real; /* run on from where it stood */
	fake_still = hold;
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

int clock_hhmm_minutes(const char *hhmm)
{
	if (!hhmm || strlen(hhmm) != 5 || hhmm[2] != ':')
		return -1;
	for (int i = 0; i < 5; i++)
		if (i != 2 && (hhmm[i] < '0' || hhmm[i] > '9'))
			return -1;
	int h = (hhmm[0] - '0') * 10 + (hhmm[1] - '0');
	int m = (hhmm[3] - '0') * 10 + (hhmm[4] - '0');
	if (h > 23 || m > 59)
		return -1;
	return h * 60 + m;
}

int clock_jst_minutes(int64_t ms)
{
	struct tm tm;
	jst_tm(ms, &tm);
	return tm.tm_hour * 60 + tm.tm_min;
}

int clock_day_parse(const char *day, int64_t *midnight_ms, int *weekday)
{
	int y, mo, d;
	char tail;
	if (!day || strlen(day) != 10 || day[4] != '-' || day[7] != '-' ||
	    sscanf(day, "%4d-%2d-%2d%c", &y, &mo, &d, &tail) != 3)
		return -1;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (day[i] < '0' || day[i] > '9'))
			return -1;
	if (y < 1900 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31)
		return -1;
	struct tm tm = {0};
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	time_t t = timegm(&tm); /* normalises 02-30 to 03-02: compared below */
	struct tm back;
	gmtime_r(&t, &back);
	if (back.tm_year != y - 1900 || back.tm_mon != mo - 1 || back.tm_mday != d)
		return -1;
	if (midnight_ms)
		*midnight_ms = ((int64_t)t - JST_OFFSET_S) * 1000;
	if (weekday)
		*weekday = back.tm_wday;
	return 0;
}
