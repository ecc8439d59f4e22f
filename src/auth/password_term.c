/* SPDX-License-Identifier: MIT */
/* password_term.c — the school terms' password rule: term starts, the current term, due. */
#include "auth/password_term.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"

/* Set once before the server's threads start (the service's start), read after. */
static unsigned term_roles;
static int term_md[AUTH_TERMS_MAX];
static int term_n;

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

int auth_password_terms_parse(const char *spec, int out[AUTH_TERMS_MAX])
{
	int n = 0;
	const char *p = spec;
	if (!spec || !*spec)
		return 0;
	for (;;) {
		while (*p == ' ')
			p++;
		if (!(p[0] >= '0' && p[0] <= '9' && p[1] >= '0' && p[1] <= '9' && p[2] == '-' &&
		      p[3] >= '0' && p[3] <= '9' && p[4] >= '0' && p[4] <= '9'))
			return 0;
		int m = (p[0] - '0') * 10 + (p[1] - '0'), d = (p[3] - '0') * 10 + (p[4] - '0');
		char day[32];
		snprintf(day, sizeof day, "2024-%02d-%02d", m, d); /* a leap year: 02-29 is a day */
		if (n == AUTH_TERMS_MAX || clock_day_parse(day, NULL, NULL) != 0)
			return 0;
		out[n++] = m * 100 + d;
		p += 5;
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		if (*p != ',')
			return 0;
		p++;
	}
	qsort(out, (size_t)n, sizeof out[0], cmp_int);
	for (int i = 1; i < n; i++)
		if (out[i] == out[i - 1])
			return 0;
	return n;
}

int auth_password_terms_set(unsigned roles, const char *spec)
{
	int md[AUTH_TERMS_MAX];
	int n = auth_password_terms_parse(spec, md);
	if (n == 0)
		return -1;
	memcpy(term_md, md, sizeof md);
	term_n = n;
	term_roles = roles;
	return 0;
}

/* Japan-time midnight of year-mm-dd; 02-29 of a common year is 03-01's. */
static int64_t midnight(int year, int md)
{
	char day[48];
	int64_t ms = 0;
	snprintf(day, sizeof day, "%04d-%02d-%02d", year, md / 100, md % 100);
	if (clock_day_parse(day, &ms, NULL) != 0) {
		snprintf(day, sizeof day, "%04d-03-01", year);
		clock_day_parse(day, &ms, NULL);
	}
	return ms;
}

int64_t auth_password_term_start(const int *md, int n, int64_t now_ms)
{
	char today[16];
	clock_jst_date(now_ms, today, sizeof today);
	int year = (int)strtol(today, NULL, 10);
	int now_md = (int)strtol(today + 5, NULL, 10) * 100 + (int)strtol(today + 8, NULL, 10);
	if (n <= 0)
		return 0;
	/* The latest start on or before today: this year's, else last year's last one. */
	for (int i = n - 1; i >= 0; i--)
		if (md[i] <= now_md)
			return midnight(year, md[i]);
	return midnight(year - 1, md[n - 1]);
}

int auth_password_term_due(enum role r, int64_t changed_ms, int64_t now_ms)
{
	if (!term_n || !((unsigned)r & term_roles))
		return 0;
	return changed_ms < auth_password_term_start(term_md, term_n, now_ms);
}
