/* SPDX-License-Identifier: MIT */
/* config.c — file exchange's settings, section [exchange] of mimamori.conf: max_bytes,
 * max_days, attempts, sweep_seconds, scan_command. */
#include "exchange/exchange.h"

#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "base/log.h"
#include "base/text.h"

/* Sets *out to the integer value within lo..hi, or warns and keeps the default. */
static void int_setting(const char *name, const char *value, long lo, long hi, long *out)
{
	char *end = NULL;
	long v = strtol(value, &end, 10);
	if (!end || *end || v < lo || v > hi)
		log_warn("exchange: %s must be %ld-%ld; using %ld", name, lo, hi, *out);
	else
		*out = v;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct exchange_config *c = user;
	long v;
	if (strcmp(section, "exchange") != 0)
		return 1;
	if (strcmp(name, "max_bytes") == 0) {
		v = (long)c->max_bytes;
		int_setting(name, value, 1, EXCHANGE_HARD_MAX, &v);
		c->max_bytes = (size_t)v;
	} else if (strcmp(name, "max_days") == 0) {
		v = c->max_days;
		int_setting(name, value, 1, 90, &v);
		c->max_days = (int)v;
	} else if (strcmp(name, "attempts") == 0) {
		v = c->attempts;
		int_setting(name, value, 1, 20, &v);
		c->attempts = (int)v;
	} else if (strcmp(name, "sweep_seconds") == 0) {
		v = c->sweep_seconds;
		int_setting(name, value, 1, 86400, &v);
		c->sweep_seconds = (int)v;
	} else if (strcmp(name, "scan_command") == 0) {
		if (strlen(value) >= sizeof c->scan_command ||
		    text_line_check(value, sizeof c->scan_command) != TEXT_OK)
			log_warn("exchange: scan_command is not valid; files are not scanned");
		else
			snprintf(c->scan_command, sizeof c->scan_command, "%s", value);
	}
	return 1;
}

const struct vault *exchange_vault(struct app *a)
{
	return app_vault(a, EXCHANGE_SERVICE);
}

void exchange_config_read(struct app *a, struct exchange_config *out)
{
	char path[4096];
	memset(out, 0, sizeof *out);
	out->max_bytes = EXCHANGE_HARD_MAX;
	out->max_days = 14;
	out->attempts = 5;
	out->sweep_seconds = 300;
	snprintf(path, sizeof path, "%s/mimamori.conf", a->data_dir);
	if (ini_parse(path, handler, out) < 0)
		log_warn("exchange: cannot read the settings; using the defaults");
}
