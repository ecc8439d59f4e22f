/* SPDX-License-Identifier: MIT */
/* audit_conf.c — reads [audit] of mimamori.conf for the monthly audit report. */
#include "app/audit_conf.h"

#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "base/clock.h"
#include "base/log.h"

/* Returns the number value in [lo, hi], or -1. */
static int number(const char *value, int lo, int hi)
{
	char *end = NULL;
	long v = strtol(value, &end, 10);
	return end && end != value && !*end && v >= lo && v <= hi ? (int)v : -1;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct audit_report_conf *c = user;
	int v = -1;
	if (strcmp(section, "audit") != 0)
		return 1;
	if (strcmp(name, "hours") == 0) {
		char from[8], to[8];
		const char *dash = strchr(value, '-');
		if (dash && dash - value < (long)sizeof from && strlen(dash + 1) < sizeof to) {
			snprintf(from, sizeof from, "%.*s", (int)(dash - value), value);
			snprintf(to, sizeof to, "%s", dash + 1);
			int a = clock_hhmm_minutes(from), b = clock_hhmm_minutes(to);
			if (a >= 0 && b > a) {
				c->day_start_min = a;
				c->day_end_min = b;
				return 1;
			}
		}
		log_warn("audit: [audit] hours must be HH:MM-HH:MM; using the default");
		return 1;
	}
	if (strcmp(name, "weekends_off") == 0 && (v = number(value, 0, 1)) >= 0)
		c->weekends_off = v;
	else if (strcmp(name, "volume_factor") == 0 && (v = number(value, 1, 1000)) >= 0)
		c->volume_factor = v;
	else if (strcmp(name, "volume_min") == 0 && (v = number(value, 0, 100000000)) >= 0)
		c->volume_min = v;
	else if (strcmp(name, "history_months") == 0 && (v = number(value, 1, 24)) >= 0)
		c->history_months = v;
	else
		log_warn("audit: [audit] %s is unknown or out of range; using the default", name);
	return 1;
}

void audit_conf_read(struct app *a, struct audit_report_conf *out)
{
	const struct audit_report_conf def = AUDIT_REPORT_CONF_DEFAULT;
	char path[4096];
	*out = def;
	snprintf(path, sizeof path, "%s/mimamori.conf", a->data_dir);
	if (ini_parse(path, handler, out) < 0)
		log_warn("audit: cannot read the settings; using the defaults");
}
