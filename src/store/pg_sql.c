/* SPDX-License-Identifier: MIT */
/* pg_sql.c — parameters `?` to `$n`, and the table an INSERT writes, for the PostgreSQL engine. */
#include "store/pg_sql.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"

/* Returns the length of the literal, quoted identifier or comment starting at p (0 if none). */
static size_t skip_quoted(const char *p)
{
	const char *q = p;
	if (*p == '\'' || *p == '"') {
		char quote = *p;
		for (q = p + 1; *q; q++)
			if (*q == quote) {
				if (q[1] != quote)
					return (size_t)(q + 1 - p);
				q++; /* a doubled quote stands for itself */
			}
		return (size_t)(q - p);
	}
	if (p[0] == '-' && p[1] == '-') {
		q = strchr(p, '\n');
		return q ? (size_t)(q + 1 - p) : strlen(p);
	}
	if (p[0] == '/' && p[1] == '*') {
		q = strstr(p + 2, "*/");
		return q ? (size_t)(q + 2 - p) : strlen(p);
	}
	return 0;
}

char *pg_sql_params(const char *sql, int *nparams, unsigned char *used)
{
	struct buf b;
	buf_init(&b, (size_t)1 << 24);
	int highest = 0;
	memset(used, 0, PG_SQL_MAX_PARAMS);
	for (const char *p = sql; *p;) {
		size_t k = skip_quoted(p);
		if (k) {
			buf_append(&b, p, k);
			p += k;
			continue;
		}
		if (*p != '?') {
			buf_append(&b, p, 1);
			p++;
			continue;
		}
		p++;
		long n = highest + 1;
		if (isdigit((unsigned char)*p)) {
			n = 0;
			while (isdigit((unsigned char)*p) && n <= PG_SQL_MAX_PARAMS)
				n = n * 10 + (*p++ - '0');
		}
		if (n < 1 || n > PG_SQL_MAX_PARAMS) {
			buf_free(&b);
			return NULL;
		}
		if (n > highest)
			highest = (int)n;
		used[n - 1] = 1;
		buf_printf(&b, "$%ld", n);
	}
	*nparams = highest;
	return buf_steal(&b);
}

/* Skips spaces and comments from p. */
static const char *skip_space(const char *p)
{
	for (;;) {
		while (isspace((unsigned char)*p))
			p++;
		if ((p[0] == '-' && p[1] == '-') || (p[0] == '/' && p[1] == '*'))
			p += skip_quoted(p);
		else
			return p;
	}
}

/* Returns p past the keyword word (case-insensitive, followed by a non-identifier character),
 * or NULL. */
static const char *keyword(const char *p, const char *word)
{
	size_t n = strlen(word);
	if (strncasecmp(p, word, n) != 0 || isalnum((unsigned char)p[n]) || p[n] == '_')
		return NULL;
	return p + n;
}

int pg_sql_insert_table(const char *sql, char *table, size_t n)
{
	const char *p = keyword(skip_space(sql), "INSERT");
	if (!p || !(p = keyword(skip_space(p), "INTO")))
		return 0;
	p = skip_space(p);
	size_t k = 0;
	while (isalnum((unsigned char)p[k]) || p[k] == '_')
		k++;
	if (k == 0 || k >= n)
		return 0;
	/* A RETURNING anywhere outside quotes means the caller reads its own rows. */
	for (const char *q = p + k; *q;) {
		size_t s = skip_quoted(q);
		if (s) {
			q += s;
			continue;
		}
		if ((q == sql || !(isalnum((unsigned char)q[-1]) || q[-1] == '_')) &&
		    keyword(q, "RETURNING"))
			return 0;
		q++;
	}
	memcpy(table, p, k);
	table[k] = '\0';
	return 1;
}
