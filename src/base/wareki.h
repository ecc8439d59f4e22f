/* SPDX-License-Identifier: MIT */
/* wareki.h — ISO dates checked and written in the Japanese era calendar (和暦), from our own
 * era table (no locale, no ICU): 令和 2019-05-01, 平成 1989-01-08, 昭和 1926-12-25, … */
#ifndef MIMAMORI_BASE_WAREKI_H
#define MIMAMORI_BASE_WAREKI_H
#include <stddef.h>

#include "base/err.h"

/* Parses a strict "YYYY-MM-DD" (a real calendar date, year 1900-9999) into *y, *m, *d.
 * Returns ERR_OK or ERR_INVALID (outputs untouched). */
enum err wareki_parse_iso(const char *s, int *y, int *m, int *d);

/* Parses a date as people write it: ISO "YYYY-MM-DD", or 和暦 as "S25.4.1" (M/T/S/H/R, upper
 * or lower case; '.', '/' or '-' between) or "昭和25年4月1日" (元年 for year 1; full-width digits
 * accepted). The date must be real and lie inside its era (平成31年4月30日 yes, 平成31年5月1日
 * no). Returns ERR_OK with *y, *m, *d set, or ERR_INVALID (outputs untouched). */
enum err wareki_parse_date(const char *s, int *y, int *m, int *d);
/* Parses a strict "YYYY-MM" (year 1900-9999) into *y, *m. Returns ERR_OK or ERR_INVALID. */
enum err wareki_parse_month(const char *s, int *y, int *m);

/* Returns the number of days in month m of year y (Gregorian), or 0 for a bad month. */
int wareki_days_in_month(int y, int m);

/* Returns the weekday of y-m-d, 0 = Sunday … 6 = Saturday. */
int wareki_weekday(int y, int m, int d);

/* Writes y-m-d in the era calendar into out (n bytes; 40 is always enough), e.g.
 * "令和8年11月23日"; the first year of an era is written 元年 ("令和元年5月1日"). Returns
 * ERR_OK, or ERR_INVALID for a date that is not real or lies before 明治 (1868-01-25), or
 * ERR_TOOLARGE when out is too small (out is then ""). */
enum err wareki_format(int y, int m, int d, char *out, size_t n);

/* Writes the era year of a month, e.g. 2026-11 → "令和8年11月" (the era in force on the
 * month's last day, as ward forms do). Same results as wareki_format. */
enum err wareki_format_month(int y, int m, char *out, size_t n);

#endif
