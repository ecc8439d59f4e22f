/* SPDX-License-Identifier: MIT */
/* checks.c — the items a benefit's pre-screen checks, kept as a comma-joined list of item names
 * in the service's own row: set or clear one, and find the first not yet checked. */
#include "grant/checks.h"

#include <stdio.h>
#include <string.h>

/* 1 when item is in the comma-joined list have. */
int grant_checked(const char *have, const char *item)
{
	size_t n = strlen(item);
	for (const char *p = have; p && *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len == n && strncmp(p, item, n) == 0)
			return 1;
		p = end ? end + 1 : p + len;
	}
	return 0;
}

void grant_checks_set(const char *have, const char *const *items, int k, int on, char *out,
		      size_t n)
{
	out[0] = '\0';
	for (int i = 0; items[i]; i++)
		if (i == k ? on : grant_checked(have, items[i]))
			snprintf(out + strlen(out), n - strlen(out), "%s%s", out[0] ? "," : "",
				 items[i]);
}

int grant_checks_missing(const char *have, const char *const *items)
{
	for (int i = 0; items[i]; i++)
		if (!grant_checked(have, items[i]))
			return i;
	return -1;
}

int grant_check_index(const char *const *items, const char *item)
{
	for (int i = 0; item && items[i]; i++)
		if (strcmp(items[i], item) == 0)
			return i;
	return -1;
}
