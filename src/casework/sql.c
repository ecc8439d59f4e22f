/* SPDX-License-Identifier: MIT */
/* sql.c — a casework statement in a service's own tables: '@' stands for the table prefix. */
#include <assert.h>
#include <stdio.h>
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

int casework_exists(struct store_stmt *st)
{
	if (!st)
		return -1;
	int r = store_step(st);
	store_finish(st);
	return r == STORE_ROW ? 1 : r == STORE_DONE ? 0 : -1;
}

int casework_unit_read(struct store_stmt *st, int64_t id, char out[CASEWORK_UNIT_MAX])
{
	int ret = -1;
	if (!st)
		return -1;
	store_bind_int(st, 1, id);
	int r = store_step(st);
	if (r == STORE_ROW) {
		snprintf(out, CASEWORK_UNIT_MAX, "%s", store_col_text(st, 0));
		ret = 1;
	} else if (r == STORE_DONE) {
		out[0] = '\0';
		ret = 0;
	}
	store_finish(st);
	return ret;
}
