/* SPDX-License-Identifier: MIT */
/* from_names.c — the sender's display name per service (its own setting, such as
 * [schoolmail] from_name 「桜台区教育委員会」), so that each service's mail goes out under its own
 * name and not the clubs'; a process-wide table, read by a sender when it starts. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "base/text.h"
#include "mail/mail.h"
#include "mail/sender.h"

static pthread_mutex_t names_mu = PTHREAD_MUTEX_INITIALIZER;
static struct mail_from_name names[MAIL_FROM_NAMES_MAX];
static size_t nnames;

enum err mail_from_name_set(const char *service, const char *name)
{
	if (!service || !service[0] || strlen(service) >= sizeof names[0].service || !name ||
	    text_line_check(name, MAIL_FROM_NAME_MAX) != TEXT_OK)
		return ERR_INVALID;
	enum err e = ERR_OK;
	pthread_mutex_lock(&names_mu);
	size_t i = 0;
	while (i < nnames && strcmp(names[i].service, service) != 0)
		i++;
	if (i == MAIL_FROM_NAMES_MAX) {
		e = ERR_TOOLARGE;
	} else {
		snprintf(names[i].service, sizeof names[i].service, "%s", service);
		snprintf(names[i].name, sizeof names[i].name, "%s", name);
		if (i == nnames)
			nnames++;
	}
	pthread_mutex_unlock(&names_mu);
	return e;
}

size_t mail_from_names_copy(struct mail_from_name *out, size_t max)
{
	pthread_mutex_lock(&names_mu);
	size_t n = nnames < max ? nnames : max;
	memcpy(out, names, n * sizeof *out);
	pthread_mutex_unlock(&names_mu);
	return n;
}
