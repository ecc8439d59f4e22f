/* SPDX-License-Identifier: MIT */
/* pg_copy.c — store_copy: every table of a ward's database into a new PostgreSQL database
 * (`mimamori migrate-store`), through COPY, with the counts checked before the commit. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "store/engine.h"
#include "store/pg.h"

#define NAME_MAX_LEN 64
#define MAX_TABLES 128
#define MAX_COLS 64
#define CHUNK (64 * 1024)

struct table {
	char name[NAME_MAX_LEN];
	int identity; /* its id is an identity column: the counter continues after the copy */
	int ncols;
	char cols[MAX_COLS][NAME_MAX_LEN];
	int bytea[MAX_COLS];
	int placed; /* topological order: already in the order */
};

struct copy {
	struct store_conn *src, *dst;
	struct table *t;
	size_t n;
};

/* Reads the tables of to's schema but schema_version, each with its columns and their bytea-ness,
 * into cp. */
static enum err tables_read(struct copy *cp)
{
	struct store_stmt *st = store_prepare(
	    cp->dst, "SELECT c.relname, EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = "
		     "c.oid AND a.attname = 'id' AND a.attidentity <> '') FROM pg_class c WHERE "
		     "c.relkind = 'r' AND c.relnamespace = current_schema()::regnamespace AND "
		     "c.relname <> 'schema_version' ORDER BY c.oid");
	int rc = STORE_DONE;
	if (!st)
		return ERR_DB;
	cp->t = xcalloc(MAX_TABLES, sizeof *cp->t);
	while ((rc = store_step(st)) == STORE_ROW && cp->n < MAX_TABLES) {
		struct table *t = &cp->t[cp->n++];
		snprintf(t->name, sizeof t->name, "%s", store_col_text(st, 0));
		t->identity = (int)store_col_int(st, 1);
	}
	store_finish(st);
	if (rc != STORE_DONE)
		return ERR_DB;
	for (size_t i = 0; i < cp->n; i++) {
		struct table *t = &cp->t[i];
		st =
		    store_prepare(cp->dst, "SELECT a.attname, a.atttypid = 'bytea'::regtype FROM "
					   "pg_attribute a WHERE a.attrelid = ?::regclass AND "
					   "a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum");
		if (!st)
			return ERR_DB;
		store_bind_text(st, 1, t->name);
		while ((rc = store_step(st)) == STORE_ROW && t->ncols < MAX_COLS) {
			snprintf(t->cols[t->ncols], NAME_MAX_LEN, "%s", store_col_text(st, 0));
			t->bytea[t->ncols++] = (int)store_col_int(st, 1);
		}
		store_finish(st);
		if (rc != STORE_DONE)
			return ERR_DB;
	}
	return ERR_OK;
}

/* Orders cp->t so that a table comes after the tables its foreign keys name. */
static enum err tables_order(struct copy *cp)
{
	struct store_stmt *st = store_prepare(
	    cp->dst,
	    "SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint "
	    "WHERE contype = 'f' AND connamespace = current_schema()::regnamespace");
	if (!st)
		return ERR_DB;
	char(*child)[NAME_MAX_LEN] = xcalloc(1024, sizeof *child);
	char(*parent)[NAME_MAX_LEN] = xcalloc(1024, sizeof *parent);
	size_t nfk = 0;
	int rc;
	while ((rc = store_step(st)) == STORE_ROW && nfk < 1024) {
		snprintf(child[nfk], NAME_MAX_LEN, "%s", store_col_text(st, 0));
		snprintf(parent[nfk], NAME_MAX_LEN, "%s", store_col_text(st, 1));
		nfk++;
	}
	store_finish(st);
	enum err e = rc == STORE_DONE ? ERR_OK : ERR_DB;
	struct table *sorted = xcalloc(MAX_TABLES, sizeof *sorted);
	size_t ns = 0;
	while (e == ERR_OK && ns < cp->n) {
		size_t before = ns;
		for (size_t i = 0; i < cp->n; i++) {
			struct table *t = &cp->t[i];
			int ready = !t->placed;
			for (size_t f = 0; ready && f < nfk; f++) {
				if (strcmp(child[f], t->name) != 0 ||
				    strcmp(parent[f], t->name) == 0)
					continue; /* not its key, or a key to itself (bulk_sends) */
				for (size_t j = 0; j < cp->n; j++)
					if (strcmp(cp->t[j].name, parent[f]) == 0 &&
					    !cp->t[j].placed)
						ready = 0;
			}
			if (ready)
				sorted[ns++] = *t;
		}
		for (size_t i = before; i < ns; i++)
			for (size_t j = 0; j < cp->n; j++)
				if (strcmp(cp->t[j].name, sorted[i].name) == 0)
					cp->t[j].placed = 1;
		if (ns == before) {
			log_error("store: copy: the tables' foreign keys form a cycle");
			e = ERR_DB;
		}
	}
	if (e == ERR_OK)
		memcpy(cp->t, sorted, cp->n * sizeof *sorted);
	free(sorted);
	free(child);
	free(parent);
	return e;
}

/* Appends name as a quoted identifier (a double quote in it doubled): the names are the
 * destination catalog's, and are written as SQL (standard, for both engines) so that no name
 * can end its quotes. */
static void put_ident(struct buf *b, const char *name)
{
	buf_puts(b, "\"");
	for (const char *p = name; *p; p++) {
		buf_append(b, p, 1);
		if (*p == '"')
			buf_append(b, p, 1);
	}
	buf_puts(b, "\"");
}

/* Returns name as a quoted identifier (put_ident), malloc'd. */
static char *quoted(const char *name)
{
	struct buf b;
	buf_init(&b, 512);
	put_ident(&b, name);
	char *q = xstrdup(b.data);
	buf_free(&b);
	return q;
}

/* Sets *n to the number of rows of table on c. */
static enum err count_rows(struct store_conn *c, const char *table, int64_t *n)
{
	char *name = quoted(table);
	char *sql = xasprintf("SELECT count(*) FROM %s", name);
	free(name);
	struct store_stmt *st = store_prepare(c, sql);
	enum err e = ERR_DB;
	if (st && store_step(st) == STORE_ROW) {
		*n = store_col_int(st, 0);
		e = ERR_OK;
	}
	store_finish(st);
	free(sql);
	return e;
}

/* Deletes the rows of table on c (a database just made: only what its migrations wrote; the
 * append-only tables hold none, so their triggers do not refuse). */
static enum err clear_table(struct store_conn *c, const char *table)
{
	char *name = quoted(table);
	char *sql = xasprintf("DELETE FROM %s", name);
	struct store_stmt *st = store_prepare(c, sql); /* one statement, no value in it */
	enum err e = st ? store_run(st) : ERR_DB;
	store_finish(st);
	free(sql);
	free(name);
	return e;
}

/* Moves the identity counter of table on c past its largest id (the sequence's name looked up
 * from the quoted table name, bound as a value). */
static enum err continue_counter(struct store_conn *c, const char *table)
{
	char *name = quoted(table);
	char *sql = xasprintf("SELECT setval(pg_get_serial_sequence(?, 'id'), "
			      "GREATEST(MAX(id), 1), MAX(id) IS NOT NULL) FROM %s",
			      name);
	struct store_stmt *st = store_prepare(c, sql);
	enum err e = ERR_DB;
	if (st) {
		store_bind_text(st, 1, name);
		e = store_step(st) == STORE_ROW ? ERR_OK : ERR_DB;
	}
	store_finish(st);
	free(sql);
	free(name);
	return e;
}

/* Appends p (n bytes) to b as a value of COPY's text format. */
static void put_text(struct buf *b, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		switch (p[i]) {
		case '\\':
			buf_append(b, "\\\\", 2);
			break;
		case '\t':
			buf_append(b, "\\t", 2);
			break;
		case '\n':
			buf_append(b, "\\n", 2);
			break;
		case '\r':
			buf_append(b, "\\r", 2);
			break;
		default:
			buf_append(b, &p[i], 1);
		}
	}
}

static void put_bytea(struct buf *b, const unsigned char *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	buf_append(b, "\\\\x", 3);
	for (size_t i = 0; i < n; i++) {
		char two[2] = {hex[p[i] >> 4], hex[p[i] & 15]};
		buf_append(b, two, 2);
	}
}

/* Appends column col of src's current row to b, for a column of t. */
static void put_value(struct buf *b, struct store_stmt *src, const struct table *t, int col)
{
	enum store_type type = store_col_type(src, col);
	char num[32];
	const unsigned char *p = (const unsigned char *)num;
	size_t n = 0;
	switch (type) {
	case STORE_T_NULL:
		buf_append(b, "\\N", 2);
		return;
	case STORE_T_INT:
		n = (size_t)snprintf(num, sizeof num, "%" PRId64, store_col_int(src, col));
		break;
	case STORE_T_REAL: {
		/* No REAL column in the schema; kept as text as SQLite would print it. */
		const char *v = store_col_text(src, col);
		p = (const unsigned char *)v;
		n = strlen(v);
		break;
	}
	default:
		p = store_col_blob(src, col, &n); /* TEXT or BLOB: the bytes as stored */
	}
	if (t->bytea[col])
		put_bytea(b, p ? p : (const unsigned char *)"", n);
	else
		put_text(b, p ? p : (const unsigned char *)"", n);
}

/* Copies table t from cp->src into cp->dst (COPY … FROM STDIN); *rows the number copied. */
static enum err copy_table(struct copy *cp, const struct table *t, int64_t *rows)
{
	struct buf cols, data;
	buf_init(&cols, 1 << 16);
	buf_init(&data, 1 << 26);
	struct buf name;
	buf_init(&name, 512);
	put_ident(&name, t->name);
	for (int i = 0; i < t->ncols; i++) {
		if (i)
			buf_puts(&cols, ", ");
		put_ident(&cols, t->cols[i]);
	}
	char *select = xasprintf("SELECT %s FROM %s", cols.data, name.data);
	char *copy = xasprintf("COPY %s (%s) FROM STDIN", name.data, cols.data);
	buf_free(&name);
	PGconn *pg = pg_raw(cp->dst);
	struct store_stmt *st = store_prepare(cp->src, select);
	enum err e = ERR_DB;
	PGresult *r = NULL;
	int copying = 0, rc = STORE_DONE;
	*rows = 0;
	if (!st || !pg)
		goto out;
	/* One statement, no value: the extended protocol, which runs no second statement. */
	r = PQexecParams(pg, copy, 0, NULL, NULL, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_COPY_IN) {
		log_error("store: copy: COPY %s refused: %s", t->name,
			  PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY));
		goto out;
	}
	PQclear(r);
	r = NULL;
	copying = 1;
	while ((rc = store_step(st)) == STORE_ROW) {
		for (int i = 0; i < t->ncols; i++) {
			if (i)
				buf_append(&data, "\t", 1);
			put_value(&data, st, t, i);
		}
		buf_append(&data, "\n", 1);
		(*rows)++;
		if (data.len >= CHUNK) {
			if (PQputCopyData(pg, data.data, (int)data.len) != 1)
				break;
			data.len = 0;
		}
	}
	if (rc == STORE_DONE && data.len && PQputCopyData(pg, data.data, (int)data.len) != 1)
		rc = -ERR_DB;
	copying = 0;
	if (PQputCopyEnd(pg, rc == STORE_DONE ? NULL : "the source could not be read") != 1)
		goto out;
	r = PQgetResult(pg);
	if (rc != STORE_DONE || PQresultStatus(r) != PGRES_COMMAND_OK) {
		log_error("store: copy: table %s failed: %s", t->name,
			  rc != STORE_DONE ? "reading the source"
					   : PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY));
		goto out;
	}
	if (strtoll(PQcmdTuples(r), NULL, 10) != *rows) {
		log_error("store: copy: table %s: %" PRId64 " rows read, %s written", t->name,
			  *rows, PQcmdTuples(r));
		goto out;
	}
	e = ERR_OK;
out:
	if (copying)
		PQputCopyEnd(pg, "stopped");
	PQclear(r);
	/* Drain what the COPY left (a result per call until NULL) before the next statement. */
	while (pg && (r = PQgetResult(pg)) != NULL)
		PQclear(r);
	store_finish(st);
	free(select);
	free(copy);
	buf_free(&cols);
	buf_free(&data);
	return e;
}

/* Checks that the source has exactly the tables of the target (schema_version aside). */
static enum err same_tables(struct copy *cp)
{
	const char *sql =
	    cp->src->owner->eng->dialect == STORE_SQLITE
		? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
		  "'sqlite_%' "
		  "AND name <> 'schema_version'"
		: "SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = "
		  "current_schema()::regnamespace AND relname <> 'schema_version'";
	struct store_stmt *st = store_prepare(cp->src, sql);
	size_t n = 0;
	int rc;
	enum err e = ERR_OK;
	if (!st)
		return ERR_DB;
	while ((rc = store_step(st)) == STORE_ROW) {
		const char *name = store_col_text(st, 0);
		int found = 0;
		for (size_t i = 0; i < cp->n; i++)
			found |= strcmp(cp->t[i].name, name) == 0;
		if (!found) {
			log_error("store: copy: table %s is not in the new database", name);
			e = ERR_INVALID;
		}
		n++;
	}
	store_finish(st);
	if (rc != STORE_DONE)
		return ERR_DB;
	if (e == ERR_OK && n != cp->n) {
		log_error("store: copy: the databases have different tables");
		e = ERR_INVALID;
	}
	return e;
}

enum err store_copy(struct store *from, struct store *to, store_copy_fn report, void *ctx)
{
	if (to->eng != &store_pg_engine)
		return ERR_INVALID;
	int vf = store_schema_version(from), vt = store_schema_version(to);
	if (vf != vt || vf == 0) {
		log_error("store: copy: schema versions differ (%d, %d)", vf, vt);
		return ERR_INVALID;
	}
	struct copy cp = {store_acquire(from), store_acquire(to), NULL, 0};
	int64_t *counts = NULL;
	enum err e = tables_read(&cp);
	if (e == ERR_OK)
		e = tables_order(&cp);
	/* The source's write lock: one snapshot, and no writer changes it while it is copied. */
	if (e == ERR_OK)
		e = store_begin(cp.src);
	if (e == ERR_OK)
		e = same_tables(&cp);
	if (e == ERR_OK)
		e = store_begin(cp.dst);
	counts = xcalloc(cp.n ? cp.n : 1, sizeof *counts);
	/* The rows the migrations wrote (the emergency list's declaration) are the source's to
	 * give: they go first, the tables that point at others before those. */
	for (size_t i = cp.n; e == ERR_OK && i-- > 0;)
		e = clear_table(cp.dst, cp.t[i].name);
	for (size_t i = 0; e == ERR_OK && i < cp.n; i++)
		e = copy_table(&cp, &cp.t[i], &counts[i]);
	/* The counts of both, read again, must be what was copied. */
	for (size_t i = 0; e == ERR_OK && i < cp.n; i++) {
		int64_t a = -1, b = -2;
		e = count_rows(cp.src, cp.t[i].name, &a);
		if (e == ERR_OK)
			e = count_rows(cp.dst, cp.t[i].name, &b);
		if (e == ERR_OK && (a != counts[i] || b != counts[i])) {
			log_error("store: copy: table %s: %" PRId64 " rows, %" PRId64 " copied",
				  cp.t[i].name, a, b);
			e = ERR_DB;
		}
	}
	for (size_t i = 0; e == ERR_OK && i < cp.n; i++) {
		if (!cp.t[i].identity)
			continue;
		e = continue_counter(cp.dst, cp.t[i].name);
	}
	if (e == ERR_OK)
		e = store_commit(cp.dst);
	if (e == ERR_OK && report)
		for (size_t i = 0; i < cp.n; i++)
			report(cp.t[i].name, counts[i], ctx);
	store_rollback(cp.dst);
	store_rollback(cp.src);
	store_release(cp.dst);
	store_release(cp.src);
	free(counts);
	free(cp.t);
	return e;
}
