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

/* Reads up to 4 ASCII digits at *p (full-width digits are taken too) and advances *p; returns
 * 1 when at least one digit was read. */
static int read_num(const char **p, int *v)
{
	int x = 0, n = 0;
	const unsigned char *s = (const unsigned char *)*p;
	while (n < 4) {
		if (*s >= '0' && *s <= '9') {
			x = x * 10 + (*s - '0');
			s++;
		} else if (s[0] == 0xEF && s[1] == 0xBC && s[2] >= 0x90 && s[2] <= 0x99) {
			x = x * 10 + (s[2] - 0x90); /* ０-９ U+FF10-FF19 */
			s += 3;
		} else {
			break;
		}
		n++;
	}
	if (!n)
		return 0;
	*v = x;
	*p = (const char *)s;
	return 1;
}

/* Skips the literal lit at *p; returns 1 when it was there. */
static int skip(const char **p, const char *lit)
{
	size_t n = strlen(lit);
	if (strncmp(*p, lit, n) != 0)
		return 0;
	*p += n;
	return 1;
}

enum err wareki_parse_date(const char *s, int *y, int *m, int *d)
{
	static const struct {
		const char *letter, *upper;
		size_t era;
	} letters[] = {{"R", "r", 0}, {"H", "h", 1}, {"S", "s", 2}, {"T", "t", 3}, {"M", "m", 4}};
	if (!s)
		return ERR_INVALID;
	if (wareki_parse_iso(s, y, m, d) == ERR_OK)
		return ERR_OK;
	const char *p = s;
	size_t era = sizeof eras / sizeof eras[0];
	int kanji = 0;
	for (size_t i = 0; i < sizeof eras / sizeof eras[0] && era == sizeof eras / sizeof eras[0];
	     i++)
		if (skip(&p, eras[i].name)) {
			era = i;
			kanji = 1;
		}
	for (size_t i = 0; i < sizeof letters / sizeof letters[0] && !kanji &&
			   era == sizeof eras / sizeof eras[0];
	     i++)
		if (skip(&p, letters[i].letter) || skip(&p, letters[i].upper))
			era = letters[i].era;
	if (era == sizeof eras / sizeof eras[0])
		return ERR_INVALID;
	int ey = 0, mm = 0, dd = 0;
	if (kanji && skip(&p, "元"))
		ey = 1;
	else if (!read_num(&p, &ey))
		return ERR_INVALID;
	if (kanji ? !skip(&p, "年") : !(skip(&p, ".") || skip(&p, "/") || skip(&p, "-")))
		return ERR_INVALID;
	if (!read_num(&p, &mm))
		return ERR_INVALID;
	if (kanji ? !skip(&p, "月") : !(skip(&p, ".") || skip(&p, "/") || skip(&p, "-")))
		return ERR_INVALID;
	if (!read_num(&p, &dd))
		return ERR_INVALID;
	if (kanji && !skip(&p, "日"))
		return ERR_INVALID;
	if (*p || ey < 1 || mm < 1 || mm > 12)
		return ERR_INVALID;
	const struct era *e = &eras[era];
	int yy = e->y + ey - 1;
	if (dd < 1 || dd > wareki_days_in_month(yy, mm))
		return ERR_INVALID;
	/* The date must lie in that era: not before its first day, not after the next one began. */
	if (key(yy, mm, dd) < key(e->y, e->m, e->d))
		return ERR_INVALID;
	if (era > 0 && key(yy, mm, dd) >= key(eras[era - 1].y, eras[era - 1].m, eras[era - 1].d))
		return ERR_INVALID;
	*y = yy;
	*m = mm;
	*d = dd;
	return ERR_OK;
}
