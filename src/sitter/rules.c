/* SPDX-License-Identifier: MIT */
/* rules.c — the babysitter subsidy's rules (seed 004 and the issue): 2,500 yen an hour per child
 * by day, 3,500 yen from 22:00 to 07:00, never above what was paid; at most 144 hours per child
 * per fiscal year (288 for a child of a multiple birth), counted across approved applications;
 * children from birth to the end of the fiscal year in which they turn 6. A use is counted
 * minute by minute in time order, so that one across midnight, a rate boundary or March 31st
 * is split exactly where it crosses, and the cap takes the earliest minutes first. */
#include "sitter/sitter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/wareki.h"

/* Days since 1970-01-01 of a civil date (Howard Hinnant's days_from_civil). */
static long days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The civil date of a day count (civil_from_days). */
static void civil_from_days(long z, int *y, int *m, int *d)
{
	z += 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

int sitter_date_add(const char *iso, int days, char out[11])
{
	int y, m, d;
	char tmp[32];
	if (wareki_parse_iso(iso, &y, &m, &d) != ERR_OK)
		return -1;
	civil_from_days(days_from_civil(y, m, d) + days, &y, &m, &d);
	snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", y, m, d);
	memcpy(out, tmp, 10);
	out[10] = '\0';
	return 0;
}

int sitter_fiscal_year(const char *iso)
{
	int y, m, d;
	if (wareki_parse_iso(iso, &y, &m, &d) != ERR_OK)
		return 0;
	return m >= 4 ? y : y - 1;
}

int sitter_child_eligible(const char *birth, const char *date)
{
	int y, m, d;
	char last[32];
	if (wareki_parse_iso(birth, &y, &m, &d) != ERR_OK || strcmp(date, birth) < 0)
		return 0;
	/* By law an age is reached the day before the birthday: a child born on April 1st turns
	 * 6 on March 31st, in the fiscal year before the one of a child born on April 2nd. */
	int turns6_fy = (m > 4 || (m == 4 && d >= 2)) ? y + 6 : y + 5;
	snprintf(last, sizeof last, "%04d-03-31", turns6_fy + 1);
	return strcmp(date, last) <= 0;
}

/* The entry of child c in fiscal year fy of out, added (with its cap and what was counted
 * before) the first time. */
static struct sitter_calc_child *kid(const struct sitter_rates *r, const struct sitter_form *f,
				     int (*before)(void *, int, int), void *arg,
				     struct sitter_calc *out, int c, int fy)
{
	for (size_t i = 0; i < out->nkids; i++)
		if (out->kids[i].child == c && out->kids[i].fiscal_year == fy)
			return &out->kids[i];
	if (out->nkids == sizeof out->kids / sizeof out->kids[0])
		return NULL;
	struct sitter_calc_child *k = &out->kids[out->nkids++];
	memset(k, 0, sizeof *k);
	k->child = c;
	k->fiscal_year = fy;
	k->multiple = f->children[c].multiple;
	k->cap_min = (k->multiple ? r->cap_multiple_hours : r->cap_hours) * 60;
	k->before_min = before ? before(arg, c, fy) : 0;
	return k;
}

/* 1 when minute-of-day t is in the night rate (night_from … night_to, across midnight). */
static int is_night(const struct sitter_rates *r, int t)
{
	if (r->night_from > r->night_to)
		return t >= r->night_from || t < r->night_to;
	return t >= r->night_from && t < r->night_to;
}

void sitter_calc(const struct sitter_rates *r, const struct sitter_form *f,
		 int (*before)(void *arg, int child, int fiscal_year), void *arg,
		 struct sitter_calc *out)
{
	size_t order[SITTER_USES_MAX];
	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < f->nuses; i++)
		order[i] = i;
	/* time order (insertion sort on date and start: at most 31 uses) */
	for (size_t i = 1; i < f->nuses; i++)
		for (size_t j = i; j > 0; j--) {
			const struct sitter_use *p = &f->uses[order[j - 1]], *q = &f->uses[order[j]];
			int c = strcmp(p->date, q->date);
			if (c < 0 || (c == 0 && p->start_min <= q->start_min))
				break;
			size_t t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	for (size_t n = 0; n < f->nuses; n++) {
		const struct sitter_use *u = &f->uses[order[n]];
		struct sitter_calc_use *cu = &out->uses[order[n]];
		int len = u->end_min > u->start_min ? u->end_min - u->start_min
						    : u->end_min + 1440 - u->start_min;
		int64_t yen_min = 0; /* yen × 60: whole yen only at the end of the use */
		for (int k = 0; k < len; k++) {
			int t = u->start_min + k;
			char day[11];
			sitter_date_add(u->date, t / 1440, day);
			int fy = sitter_fiscal_year(day), night = is_night(r, t % 1440);
			for (size_t c = 0; c < f->nchildren; c++) {
				if (!(u->children & (1u << c)))
					continue;
				struct sitter_calc_child *ck = kid(r, f, before, arg, out, (int)c, fy);
				if (!ck)
					continue;
				ck->claim_min++;
				if (ck->before_min + ck->counted_min >= ck->cap_min) {
					cu->over_min++;
					continue;
				}
				ck->counted_min++;
				if (night) {
					cu->night_min++;
					yen_min += r->night_yen;
				} else {
					cu->day_min++;
					yen_min += r->day_yen;
				}
			}
		}
		cu->rate_yen = yen_min / 60;
		cu->subsidy_yen = cu->rate_yen < u->paid_yen ? cu->rate_yen : u->paid_yen;
		out->paid_yen += u->paid_yen;
		out->grant_yen += cu->subsidy_yen;
		out->over_min += cu->over_min;
	}
}
