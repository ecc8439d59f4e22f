/* SPDX-License-Identifier: MIT */
/* sql.c — a casework statement in a service's own tables: '@' stands for the table prefix. */
#include <assert.h>
#include <string.h>

#include "casework/casework.h"
#include "store/store.h"

const char *casework_sql(const struct casework_kind *k, const char *sql, char *out, size_t n)
{
	size_t o = 0, pl = strlen(k->prefix);
	for (const char *p = sql; *p; p++) {
		if (*p == '@') {
			assert(o + pl < n);
			memcpy(out + o, k->prefix, pl);
			o += pl;
		} else {
			assert(o + 1 < n);
			out[o++] = *p;
		}
	}
	assert(o < n);
	out[o] = '\0';
	return out;
}

enum err casework_run(struct store_stmt *st)
{
	enum err e = store_run(st);
	store_finish(st);
	return e;
}
