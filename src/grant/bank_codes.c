/* SPDX-License-Identifier: MIT */
/* bank_codes.c — the bank and branch code list: the embedded one, lookups, a ward's full list. */
#include "grant/bank_codes.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/text.h"
#include "base/xalloc.h"
#include "grant/kana.h"

/* Generated from data/bank_codes.tsv by scripts/embed_bank_codes.py, sorted by bank code and
 * branch code (a bank's own line, branch "", first). */
extern const struct grant_bank_row grant_bank_rows_embedded[];
extern const size_t grant_bank_rows_embedded_count;

#define LOAD_MAX_BYTES (32u * 1024 * 1024)
#define NAME_MAX_CHARS 100

/* A list loaded by grant_bank_codes_load. Never freed: names handed out live as long as the
 * process, and prev keeps every replaced list reachable. */
struct table {
	struct grant_bank_row *rows; /* sorted as the embedded list */
	size_t n;
	struct table *prev;
};

static _Atomic(struct table *) loaded; /* NULL: the embedded list */
static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;

static void current(const struct grant_bank_row **rows, size_t *n)
{
	struct table *t = atomic_load_explicit(&loaded, memory_order_acquire);
	if (t) {
		*rows = t->rows;
		*n = t->n;
	} else {
		*rows = grant_bank_rows_embedded;
		*n = grant_bank_rows_embedded_count;
	}
}

static int all_digits(const char *s, size_t len)
{
	if (!s || strlen(s) != len)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static int row_cmp_key(const struct grant_bank_row *r, const char *bank, const char *branch)
{
	int c = strcmp(r->bank_code, bank);
	return c ? c : strcmp(r->branch_code, branch);
}

/* Returns the index of the first row not before (bank, branch). */
static size_t lower_bound(const struct grant_bank_row *rows, size_t n, const char *bank,
			  const char *branch)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (row_cmp_key(&rows[mid], bank, branch) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int grant_bank_lookup(const char *bank_code, const char *branch_code, const char **bank_name,
		      const char **bank_kana, const char **branch_name, const char **branch_kana)
{
	const struct grant_bank_row *rows, *r;
	size_t n, i;
	if (!all_digits(bank_code, 4) || (branch_code && !all_digits(branch_code, 3)))
		return 0;
	current(&rows, &n);
	i = lower_bound(rows, n, bank_code, branch_code ? branch_code : "");
	if (i >= n || strcmp(rows[i].bank_code, bank_code) != 0)
		return 0;
	r = &rows[i];
	if (branch_code && strcmp(r->branch_code, branch_code) != 0)
		return 0;
	if (bank_name)
		*bank_name = r->bank_name;
	if (bank_kana)
		*bank_kana = r->bank_kana;
	if (branch_name)
		*branch_name = branch_code ? r->branch_name : NULL;
	if (branch_kana)
		*branch_kana = branch_code ? r->branch_kana : NULL;
	return 1;
}

size_t grant_bank_branches(const char *bank_code, struct grant_bank_row *out, size_t max)
{
	const struct grant_bank_row *rows;
	size_t n, count = 0;
	if (!all_digits(bank_code, 4))
		return 0;
	current(&rows, &n);
	for (size_t i = lower_bound(rows, n, bank_code, "");
	     i < n && strcmp(rows[i].bank_code, bank_code) == 0; i++) {
		if (rows[i].branch_code[0] == '\0')
			continue;
		if (count < max)
			out[count] = rows[i];
		count++;
	}
	return count;
}

size_t grant_bank_codes_count(void)
{
	const struct grant_bank_row *rows;
	size_t n;
	current(&rows, &n);
	return n;
}

/* ---- loading a ward's list ---- */

struct pending {
	struct grant_bank_row row;
	size_t line;
};

static int pending_cmp(const void *a, const void *b)
{
	const struct grant_bank_row *x = &((const struct pending *)a)->row;
	const struct grant_bank_row *y = &((const struct pending *)b)->row;
	return row_cmp_key(x, y->bank_code, y->branch_code);
}

static void row_free(struct grant_bank_row *r)
{
	free((char *)r->bank_code);
	free((char *)r->branch_code);
	free((char *)r->bank_name);
	free((char *)r->bank_kana);
	free((char *)r->branch_name);
	free((char *)r->branch_kana);
}

/* Returns a malloc'd 全銀 half-width form of kana, or NULL when it is not one. */
static char *kana_dup(const char *kana)
{
	size_t cap = 2 * strlen(kana) + 1;
	char *out = xmalloc(cap);
	if (grant_kana_to_zengin(kana, out, cap, NULL) != ERR_OK) {
		free(out);
		return NULL;
	}
	return out;
}

/* Parses one line (NUL-terminated, without its line break) into *r (strings the caller frees
 * with row_free, also on failure). Returns 1 for a row, 0 for a comment or blank line, -1 for a
 * malformed line. */
static int parse_line(char *line, struct grant_bank_row *r)
{
	char *f[7];
	size_t nf = 0;
	memset(r, 0, sizeof *r);
	if (line[0] == '#' || line[strspn(line, " \t")] == '\0')
		return 0;
	for (char *p = line;;) {
		char *tab = strchr(p, '\t');
		if (nf == 7)
			return -1;
		f[nf++] = p;
		if (!tab)
			break;
		*tab = '\0';
		p = tab + 1;
	}
	if (nf != 3 && nf != 6)
		return -1;
	if (nf == 3)
		f[3] = f[4] = f[5] = (char *)"";
	if (!all_digits(f[0], 4) || (f[3][0] && !all_digits(f[3], 3)))
		return -1;
	r->bank_code = xstrdup(f[0]);
	r->branch_code = xstrdup(f[3]);
	if (text_line_check(f[1], NAME_MAX_CHARS) != TEXT_OK)
		return -1;
	r->bank_name = xstrdup(f[1]);
	r->bank_kana = kana_dup(f[2]);
	if (!r->bank_kana)
		return -1;
	if (f[3][0] == '\0') { /* the bank's own line: no branch names */
		if (f[4][0] || f[5][0])
			return -1;
		r->branch_name = xstrdup("");
		r->branch_kana = xstrdup("");
		return 1;
	}
	if (text_line_check(f[4], NAME_MAX_CHARS) != TEXT_OK)
		return -1;
	r->branch_name = xstrdup(f[4]);
	r->branch_kana = kana_dup(f[5]);
	return r->branch_kana ? 1 : -1;
}

/* Reads the file at path into a malloc'd NUL-terminated buffer (*data, the caller frees). */
static enum err read_file(const char *path, char **data, size_t *len)
{
	struct stat st;
	enum err e = ERR_IO;
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	*data = NULL;
	if (!f)
		goto out;
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode))
		goto out;
	if (st.st_size > (off_t)LOAD_MAX_BYTES) {
		e = ERR_TOOLARGE;
		goto out;
	}
	buf = xmalloc((size_t)st.st_size + 1);
	*len = fread(buf, 1, (size_t)st.st_size, f);
	if (ferror(f) || *len != (size_t)st.st_size)
		goto out;
	buf[*len] = '\0';
	*data = buf;
	buf = NULL;
	e = ERR_OK;
out:
	free(buf);
	if (f)
		fclose(f);
	return e;
}

enum err grant_bank_codes_load(const char *path, size_t *bad_line)
{
	struct pending *rows = NULL;
	struct table *t = NULL;
	size_t n = 0, cap = 0, line = 0, len = 0, bad = 0;
	char *data = NULL;
	enum err e = read_file(path, &data, &len);
	if (e != ERR_OK)
		goto out;
	e = ERR_INVALID;
	if (memchr(data, '\0', len))
		goto out;
	for (char *p = data; *p;) {
		char *nl = strchr(p, '\n');
		struct grant_bank_row r;
		int got;
		line++;
		if (nl)
			*nl = '\0';
		if (nl && nl > p && nl[-1] == '\r')
			nl[-1] = '\0';
		if (line == 1 && (unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBB &&
		    (unsigned char)p[2] == 0xBF)
			p += 3; /* a UTF-8 byte order mark */
		got = parse_line(p, &r);
		if (got < 0) {
			row_free(&r);
			bad = line;
			goto out;
		}
		if (got > 0) {
			if (n == cap) {
				cap = cap ? cap * 2 : 1024;
				rows = xrealloc(rows, cap * sizeof *rows);
			}
			rows[n].row = r;
			rows[n++].line = line;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	if (n == 0)
		goto out;
	qsort(rows, n, sizeof *rows, pending_cmp);
	for (size_t i = 1; i < n; i++) {
		if (pending_cmp(&rows[i - 1], &rows[i]) == 0) {
			bad = rows[i - 1].line > rows[i].line ? rows[i - 1].line : rows[i].line;
			goto out;
		}
	}
	t = xcalloc(1, sizeof *t);
	t->rows = xmalloc(n * sizeof *t->rows);
	for (size_t i = 0; i < n; i++)
		t->rows[i] = rows[i].row;
	t->n = n;
	n = 0; /* the strings now belong to t */
	pthread_mutex_lock(&load_lock);
	t->prev = atomic_load_explicit(&loaded, memory_order_relaxed);
	atomic_store_explicit(&loaded, t, memory_order_release);
	pthread_mutex_unlock(&load_lock);
	e = ERR_OK;
out:
	for (size_t i = 0; i < n; i++)
		row_free(&rows[i].row);
	free(rows);
	free(data);
	if (bad_line)
		*bad_line = e == ERR_INVALID ? bad : 0;
	return e;
}
