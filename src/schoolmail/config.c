/* SPDX-License-Identifier: MIT */
/* config.c — the service's settings, [schoolmail] of mimamori.conf (read by the service itself:
 * the platform's app.c ignores sections it does not know), and its data key. */
#include "schoolmail/schoolmail.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth/password_term.h"
#include "base/log.h"
#include "base/text.h"
#include "base/xalloc.h"
#include "mail/mail.h"

static pthread_mutex_t config_mu = PTHREAD_MUTEX_INITIALIZER;
static struct schoolmail_config config;
static int config_loaded;

const struct vault *schoolmail_vault(struct app *a)
{
	/* The service's own key (registered services' keys are opened by app_open). */
	return app_vault(a, SCHOOLMAIL_SERVICE);
}

/* A number setting from lo to hi; anything else keeps *dst, with a warning. */
static void set_int(int *dst, const char *name, const char *value, int lo, int hi)
{
	char *end = NULL;
	errno = 0;
	long v = strtol(value, &end, 10);
	if (errno || end == value || *end || v < lo || v > hi) {
		log_warn("mimamori.conf: [schoolmail] %s must be a number from %d to %d; using %d",
			 name, lo, hi, *dst);
		return;
	}
	*dst = (int)v;
}

/* Splits the sign-up address into its lower-cased local part and domain; 0, or -1 when it is
 * not an address. */
static int split_address(struct schoolmail_config *c)
{
	const char *at = strrchr(c->signup_address, '@');
	if (!at || at == c->signup_address || !mail_address_valid(c->signup_address) ||
	    (size_t)(at - c->signup_address) >= sizeof c->signup_local ||
	    strlen(at + 1) >= sizeof c->signup_domain)
		return -1;
	size_t n = (size_t)(at - c->signup_address);
	for (size_t i = 0; i < n; i++)
		c->signup_local[i] = (char)tolower((unsigned char)c->signup_address[i]);
	c->signup_local[n] = '\0';
	char *plus = strchr(c->signup_local, '+');
	if (plus)
		*plus = '\0'; /* touroku+ABCD… is the same address with a tag */
	size_t k = 0;
	for (const char *p = at + 1; *p; p++)
		c->signup_domain[k++] = (char)tolower((unsigned char)*p);
	c->signup_domain[k] = '\0';
	return 0;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct schoolmail_config *c = user;
	if (strcmp(section, "schoolmail") != 0)
		return 1;
	if (strcmp(name, "signup_address") == 0) {
		char keep[sizeof c->signup_address];
		memcpy(keep, c->signup_address, sizeof keep);
		snprintf(c->signup_address, sizeof c->signup_address, "%s", value);
		if (split_address(c) != 0) {
			log_warn("mimamori.conf: [schoolmail] signup_address is not a mail address; "
				 "using %s", keep);
			memcpy(c->signup_address, keep, sizeof keep);
			split_address(c);
		}
	} else if (strcmp(name, "link_hours") == 0) {
		set_int(&c->link_hours, name, value, 1, 72);
	} else if (strcmp(name, "links_per_hour") == 0) {
		set_int(&c->links_per_hour, name, value, 1, 100);
	} else if (strcmp(name, "replies_per_hour") == 0) {
		set_int(&c->replies_per_hour, name, value, 10, 1000000);
	} else if (strcmp(name, "rollover_drop_percent") == 0) {
		set_int(&c->drop_percent, name, value, 1, 100);
	} else if (strcmp(name, "term_starts") == 0) {
		int md[AUTH_TERMS_MAX];
		if (auth_password_terms_parse(value, md) == 0 || strlen(value) >= sizeof c->term_starts)
			log_warn("mimamori.conf: [schoolmail] term_starts must be dates MM-DD separated "
				 "by commas; using %s", c->term_starts);
		else
			snprintf(c->term_starts, sizeof c->term_starts, "%s", value);
	} else if (strcmp(name, "alert_email") == 0) {
		if (mail_address_valid(value))
			snprintf(c->alert_email, sizeof c->alert_email, "%s", value);
		else
			log_warn("mimamori.conf: [schoolmail] alert_email is not a mail address");
	} else if (strcmp(name, "from_name") == 0) {
		if (text_line_check(value, MAIL_FROM_NAME_MAX) == TEXT_OK)
			snprintf(c->from_name, sizeof c->from_name, "%s", value);
		else
			log_warn("mimamori.conf: [schoolmail] from_name must be 1 to %d characters "
				 "on one line; using ward_name",
				 MAIL_FROM_NAME_MAX);
	} else if (strcmp(name, "ward_name") == 0) {
		if (text_line_check(value, 40) == TEXT_OK)
			snprintf(c->ward_name, sizeof c->ward_name, "%s", value);
		else
			log_warn("mimamori.conf: [schoolmail] ward_name must be 1 to 40 characters");
	}
	return 1;
}

const struct schoolmail_config *schoolmail_config(struct app *a)
{
	pthread_mutex_lock(&config_mu);
	if (!config_loaded) {
		struct schoolmail_config *c = &config;
		const char *at = strrchr(a->cfg.mail_from, '@');
		snprintf(c->signup_address, sizeof c->signup_address, "touroku@%s",
			 at && at[1] ? at + 1 : "mimamori.invalid");
		if (split_address(c) != 0) {
			snprintf(c->signup_address, sizeof c->signup_address,
				 "touroku@mimamori.invalid");
			split_address(c);
		}
		c->link_hours = 24;
		c->links_per_hour = 5;
		c->replies_per_hour = 3000;
		c->drop_percent = 10;
		snprintf(c->term_starts, sizeof c->term_starts, "04-01,09-01,01-08");
		snprintf(c->ward_name, sizeof c->ward_name, "教育委員会");
		char *path = xasprintf("%s/mimamori.conf", a->data_dir);
		if (ini_parse(path, handler, c) < 0)
			log_warn("schoolmail: cannot read %s; using the defaults", path);
		free(path);
		config_loaded = 1;
	}
	pthread_mutex_unlock(&config_mu);
	return &config;
}
