/* SPDX-License-Identifier: MIT */
/* config.c — the service's own settings, section [bathpass] of mimamori.conf (the platform
 * ignores sections it does not know): max_exclude_percent, the share of the eligible an import
 * may exclude before it is refused as a truncated extract. */
#include "bathpass/bathpass.h"

#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "base/log.h"

#define DEFAULT_PERCENT 10

static int handler(void *user, const char *section, const char *name, const char *value)
{
	int *pct = user;
	if (strcmp(section, "bathpass") != 0 || strcmp(name, "max_exclude_percent") != 0)
		return 1;
	char *end = NULL;
	long v = strtol(value, &end, 10);
	if (!end || *end || v < 1 || v > 100)
		log_warn("bathpass: max_exclude_percent must be 1-100; using %d", DEFAULT_PERCENT);
	else
		*pct = (int)v;
	return 1;
}

int bath_max_exclude_percent(struct app *a)
{
	int pct = DEFAULT_PERCENT;
	char path[4096];
	snprintf(path, sizeof path, "%s/mimamori.conf", a->data_dir);
	if (ini_parse(path, handler, &pct) < 0)
		log_warn("bathpass: cannot read the settings; using max_exclude_percent %d", pct);
	return pct;
}
