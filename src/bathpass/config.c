/* SPDX-License-Identifier: MIT */
/* config.c — the service's own settings, section [bathpass] of mimamori.conf (the platform
 * ignores sections it does not know): max_exclude_percent, the share of the eligible an import
 * may exclude before it is refused as a truncated extract; letter_sender and letter_contact,
 * the sender printed on the cover letters (lines joined by "\n" written as two characters) and
 * the office people are told to call. */
#include "bathpass/bathpass.h"

#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "base/log.h"
#include "base/text.h"

#define DEFAULT_PERCENT 10
#define DEFAULT_SENDER "福祉部 地域包括ケア推進課"
#define DEFAULT_CONTACT "地域包括ケア推進課 または 各特別出張所"

/* Copies value into out (n bytes) with each two-character "\n" made a line break. */
static void unescape_lines(const char *value, char *out, size_t n)
{
	size_t k = 0;
	for (const char *s = value; *s && k + 1 < n; s++) {
		if (s[0] == '\\' && s[1] == 'n') {
			out[k++] = '\n';
			s++;
		} else {
			out[k++] = *s;
		}
	}
	out[k] = '\0';
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct bath_settings *s = user;
	if (strcmp(section, "bathpass") != 0)
		return 1;
	if (strcmp(name, "max_exclude_percent") == 0) {
		char *end = NULL;
		long v = strtol(value, &end, 10);
		if (!end || *end || v < 1 || v > 100)
			log_warn("bathpass: max_exclude_percent must be 1-100; using %d",
				 DEFAULT_PERCENT);
		else
			s->max_exclude_percent = (int)v;
	} else if (strcmp(name, "letter_sender") == 0 || strcmp(name, "letter_contact") == 0) {
		int sender = name[7] == 's';
		char *out = sender ? s->sender : s->contact;
		size_t n = sender ? sizeof s->sender : sizeof s->contact;
		if (strlen(value) >= n || text_line_check(value, n) != TEXT_OK)
			log_warn("bathpass: %s must be one line of UTF-8 text under %zu bytes; "
				 "using the default",
				 name, n);
		else
			unescape_lines(value, out, n);
	}
	return 1;
}

void bath_settings_read(struct app *a, struct bath_settings *out)
{
	char path[4096];
	out->max_exclude_percent = DEFAULT_PERCENT;
	snprintf(out->sender, sizeof out->sender, "%s", DEFAULT_SENDER);
	snprintf(out->contact, sizeof out->contact, "%s", DEFAULT_CONTACT);
	snprintf(path, sizeof path, "%s/mimamori.conf", a->data_dir);
	if (ini_parse(path, handler, out) < 0)
		log_warn("bathpass: cannot read the settings; using the defaults");
}

int bath_max_exclude_percent(struct app *a)
{
	struct bath_settings s;
	bath_settings_read(a, &s);
	return s.max_exclude_percent;
}
