/* SPDX-License-Identifier: MIT */
/* wareki.c — the era table and the date arithmetic behind 和暦 output. */
#include "base/wareki.h"

#include <stdio.h>
#include <string.h>

/* Newest first. An era starts on its first day; the day before belongs to the previous era. */
static const struct era {
	const char *name;
	int y, m, d;
} eras[] = {
    {"令和", 2019, 5, 1},  {"平成", 1989, 1, 8},  {"昭和", 1926, 12, 25},
    {"大正", 1912, 7, 30}, {"明治", 1868, 1, 25}, /* 明治 in the Gregorian calendar (明治6年 adopted
						     it) */
};

int wareki_days_in_month(int y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m < 1 || m > 12)
		return 0;
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return days[m - 1];
}

static int digits(const char *s, size_t n, int *v)
{
	int x = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		x = x * 10 + (s[i] - '0');
	}
	*v = x;
	return 1;
}

enum err wareki_parse_month(const char *s, int *y, int *m)
{
	int yy, mm;
	if (!s || strlen(s) != 7 || s[4] != '-' || !digits(s, 4, &yy) || !digits(s + 5, 2, &mm))
		return ERR_INVALID;
	if (yy < 1900 || mm < 1 || mm > 12)
		return ERR_INVALID;
	*y = yy;
	*m = mm;
	return ERR_OK;
}

enum err wareki_parse_iso(const char *s, int *y, int *m, int *d)
{
	int yy, mm, dd;
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-' || !digits(s, 4, &yy) ||
	    !digits(s + 5, 2, &mm) || !digits(s + 8, 2, &dd))
		return ERR_INVALID;
	if (yy < 1900 || dd < 1 || dd > wareki_days_in_month(yy, mm))
		return ERR_INVALID;
	*y = yy;
	*m = mm;
	*d = dd;
	return ERR_OK;
}

int wareki_weekday(int y, int m, int d)
{
	/* Sakamoto's method. */
	static const int t[] = {0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4};
	if (m < 3)
		y -= 1;
	return (y + y / 4 - y / 100 + y / 400 + t[m - 1] + d) % 7;
}

static long key(int y, int m, int d)
{
	return (long)y * 10000 + m * 100 + d;
}

enum err wareki_format(int y, int m, int d, char *out, size_t n)
{
	if (n)
		out[0] = '\0';
	if (y < 1 || y > 9999 || d < 1 || d > wareki_days_in_month(y, m))
		return ERR_INVALID;
	for (size_t i = 0; i < sizeof eras / sizeof eras[0]; i++) {
		const struct era *e = &eras[i];
		if (key(y, m, d) < key(e->y, e->m, e->d))
			continue;
		int ey = y - e->y + 1;
		char year[16] = "元";
		if (ey > 1)
			snprintf(year, sizeof year, "%d", ey);
		int w = snprintf(out, n, "%s%s年%d月%d日", e->name, year, m, d);
		if (w < 0 || (size_t)w >= n) {
			if (n)
				out[0] = '\0';
			return ERR_TOOLARGE;
		}
		return ERR_OK;
	}
	return ERR_INVALID;
}

enum err wareki_format_month(int y, int m, char *out, size_t n)
{
	char full[48];
	enum err e = wareki_format(y, m, wareki_days_in_month(y, m), full, sizeof full);
	if (n)
		out[0] = '\0';
	if (e != ERR_OK)
		return e;
	/* Cut after "月": the day part is not wanted. */
	const char *p = strstr(full, "月");
	size_t len = (size_t)(p - full) + strlen("月");
	if (len >= n)
		return ERR_TOOLARGE;
	memcpy(out, full, len);
	out[len] = '\0';
	return ERR_OK;
}
