/* SPDX-License-Identifier: MIT */
/* audit_report.h — the monthly analysis of the audit log (「ログを定期的に分析」): per staff user,
 * reads, exports and denials, with flags for use outside working hours and for a volume unusual
 * for that user (compared with the median of the user's previous months). */
#ifndef MIMAMORI_AUTH_AUDIT_REPORT_H
#define MIMAMORI_AUTH_AUDIT_REPORT_H
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct store;

/* What is unusual ([audit] in mimamori.conf, app/audit_report_conf.c). */
struct audit_report_conf {
	int day_start_min, day_end_min; /* working hours, Japan time: [start, end) in minutes */
	int weekends_off;		/* 1: Saturdays and Sundays are outside working hours */
	int volume_factor;		/* flag when reads + exports > factor × the median … */
	int volume_min;			/* … and at least this many */
	int history_months;		/* the previous months the median is taken over */
};
#define AUDIT_REPORT_CONF_DEFAULT {8 * 60, 19 * 60, 1, 3, 100, 6}

/* One staff user's month. */
struct audit_report_row {
	int64_t user_id;
	char login[64];
	int64_t reads, exports, denials, changes;
	int64_t off_hours;	/* reads and exports outside working hours */
	int64_t median;		/* reads + exports: the median of the previous months */
	int flag_off_hours;	/* 1 when off_hours > 0 */
	int flag_volume;	/* 1 when reads + exports is unusual (conf) */
};

/* Returns the kind of an audit action: 'r' read, 'e' export, 'd' denial, 'c' anything else. */
char audit_action_class(const char *action);

/* Reads the audit entries of month "YYYY-MM" (Japan time) of staff users ("user:N" actors),
 * and of the conf's previous months for the median, into *rows (*n of them, by login; the
 * caller frees *rows with free). ERR_INVALID when month is no month, ERR_DB. */
enum err audit_report(struct store *s, const char *month, const struct audit_report_conf *conf,
		      struct audit_report_row **rows, size_t *n);

#endif
