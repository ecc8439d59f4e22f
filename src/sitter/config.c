/* SPDX-License-Identifier: MIT */
/* config.c — the babysitter subsidy's settings, section [sitter] of mimamori.conf: the rates
 * (day_yen, night_yen, night_from, night_to), the yearly cap (cap_hours, cap_multiple_hours), the
 * notices' sender and contact (letter_sender, letter_contact; "\n" written as two characters
 * breaks a line), and the ward's account that the transfers come from (client_code,
 * client_kana, bank, branch, account_type, account). */
#include "sitter/sitter.h"

#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/text.h"

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

/* Sets *out to the integer value within lo..hi, or warns and keeps the default. */
static void int_setting(const char *name, const char *value, int lo, int hi, int *out)
{
	char *end = NULL;
	long v = strtol(value, &end, 10);
	if (!end || *end || v < lo || v > hi)
		log_warn("sitter: %s must be %d-%d; using %d", name, lo, hi, *out);
	else
		*out = (int)v;
}

/* Copies a string setting of at most n-1 bytes of digits (digits != 0) or one line of text. */
static void str_setting(const char *name, const char *value, char *out, size_t n, int digits)
{
	int ok = strlen(value) < n;
	for (const char *s = value; ok && digits && *s; s++)
		ok = *s >= '0' && *s <= '9';
	if (ok && !digits)
		ok = text_line_check(value, n) == TEXT_OK;
	if (!ok)
		log_warn("sitter: %s is not valid; using the default", name);
	else
		unescape_lines(value, out, n);
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct sitter_settings *s = user;
	struct sitter_rates *r = &s->rates;
	if (strcmp(section, "sitter") != 0)
		return 1;
	if (strcmp(name, "day_yen") == 0)
		int_setting(name, value, 0, 100000, &r->day_yen);
	else if (strcmp(name, "night_yen") == 0)
		int_setting(name, value, 0, 100000, &r->night_yen);
	else if (strcmp(name, "cap_hours") == 0)
		int_setting(name, value, 1, 8784, &r->cap_hours);
	else if (strcmp(name, "cap_multiple_hours") == 0)
		int_setting(name, value, 1, 8784, &r->cap_multiple_hours);
	else if (strcmp(name, "night_from") == 0 || strcmp(name, "night_to") == 0) {
		int m = clock_hhmm_minutes(value);
		if (m < 0)
			log_warn("sitter: %s must be HH:MM; using the default", name);
		else
			*(name[6] == 'f' ? &r->night_from : &r->night_to) = m;
	} else if (strcmp(name, "letter_sender") == 0)
		str_setting(name, value, s->sender, sizeof s->sender, 0);
	else if (strcmp(name, "letter_contact") == 0)
		str_setting(name, value, s->contact, sizeof s->contact, 0);
	else if (strcmp(name, "client_code") == 0)
		str_setting(name, value, s->client_code, sizeof s->client_code, 1);
	else if (strcmp(name, "client_kana") == 0)
		str_setting(name, value, s->client_kana, sizeof s->client_kana, 0);
	else if (strcmp(name, "bank") == 0)
		str_setting(name, value, s->bank, sizeof s->bank, 1);
	else if (strcmp(name, "branch") == 0)
		str_setting(name, value, s->branch, sizeof s->branch, 1);
	else if (strcmp(name, "account") == 0)
		str_setting(name, value, s->account, sizeof s->account, 1);
	else if (strcmp(name, "account_type") == 0)
		int_setting(name, value, 1, 2, &s->account_type);
	return 1;
}

void sitter_settings_read(struct app *a, struct sitter_settings *out)
{
	char path[4096];
	memset(out, 0, sizeof *out);
	out->rates = (struct sitter_rates){2500, 3500, 22 * 60, 7 * 60, 144, 288};
	snprintf(out->sender, sizeof out->sender, "%s", "子ども家庭支援課");
	snprintf(out->contact, sizeof out->contact, "%s",
		 "ベビーシッター利用支援事業 コールセンター");
	/* the demo's and tests' originator: the fictional bank 9990 (never a real one) */
	snprintf(out->client_code, sizeof out->client_code, "%s", "0000000001");
	snprintf(out->client_kana, sizeof out->client_kana, "%s", "ｻｸﾗﾀﾞｲｸ");
	snprintf(out->bank, sizeof out->bank, "%s", "9990");
	snprintf(out->branch, sizeof out->branch, "%s", "001");
	snprintf(out->account, sizeof out->account, "%s", "0000001");
	out->account_type = 1;
	snprintf(path, sizeof path, "%s/mimamori.conf", a->data_dir);
	if (ini_parse(path, handler, out) < 0)
		log_warn("sitter: cannot read the settings; using the defaults");
}
