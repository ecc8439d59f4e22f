/* SPDX-License-Identifier: MIT */
/* pg.c — the PostgreSQL engine of store.h (libpq): a server's database, chosen by [store] url.
 *
 * It behaves as the SQLite engine does, so that no caller can tell them apart:
 * - `?`/`?N` become `$N` once per statement (pg_sql.c); each statement is prepared on each
 *   connection once (PQprepare, named, cached with the statement), when it first runs: then the
 *   kinds of its first bindings are known (integers are int8, blobs bytea; text is left for the
 *   server to infer), and PQdescribePrepared says what the server made of each parameter (text
 *   bound where it wants bytea goes as bytes).
 * - Results come as text: integers are parsed, booleans (`x IS NULL` in a select list) are 1/0,
 *   bytea is decoded from hex.
 * - A write transaction is BEGIN plus pg_advisory_xact_lock(one key): writers of every process
 *   and server take turns, as SQLite's BEGIN IMMEDIATE makes them, so read-then-write code (the
 *   audit chain's next id, "re-read under the write lock") stays correct. Reads do not wait.
 * - An INSERT into a table whose id is an identity column gets RETURNING id, read by
 *   store_last_id; store_changes is PQcmdTuples of the last INSERT/UPDATE/DELETE.
 * - A unique violation (SQLSTATE 23505) is ERR_CONFLICT. Unlike SQLite, PostgreSQL then refuses
 *   the rest of the transaction: every caller rolls back on a conflict, or ran the statement in a
 *   SAVEPOINT (group commit, imports), whose ROLLBACK TO makes the transaction usable again.
 * - A connection found broken when borrowed is made again (PQreset: with a multi-host
 *   connection string and target_session_attrs=read-write, to whichever server is the primary
 *   now); its statements are prepared again. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/log.h"
#include "base/xalloc.h"
#include "store/engine.h"
#include "store/pg.h"
#include "store/pg_sql.h"

#define OID_BOOL 16
#define OID_BYTEA 17
#define OID_INT8 20
#define OID_INT2 21
#define OID_INT4 23
#define OID_TEXT 25
#define OID_OID 26
#define OID_FLOAT4 700
#define OID_FLOAT8 701
#define OID_NUMERIC 1700

/* The advisory lock every write transaction takes: "mimamori" in ASCII. */
#define WRITE_LOCK "7883681224226140777"
#define TABLE_NAME_MAX 64

struct pg_conn {
	PGconn *pg;
	unsigned generation; /* counts (re)connections: statements of an older one are gone */
	int64_t last_id;
	int changes;
};

/* Per store: the tables whose id is an identity column (an INSERT into one returns its id). */
struct pg_store {
	size_t n;
	char (*tables)[TABLE_NAME_MAX];
};

enum bind_kind { B_NONE, B_NULL, B_INT, B_TEXT, B_BLOB };

struct pg_stmt {
	struct store_stmt base; /* first: the cache's part */
	char *sql;		/* with $n */
	int nparams;
	unsigned char used[PG_SQL_MAX_PARAMS];
	int returning;	     /* " RETURNING id" added: its rows are the new ids, not results */
	char name[16];	     /* the prepared statement's name on the connection */
	unsigned generation; /* of the connection it is prepared on; 0: not prepared */
	Oid *types;	     /* nparams, as the server resolved them */
	enum bind_kind *kind;
	char **val;
	int *len;
	PGresult *res;
	int row, nrows, executed;
	unsigned char **dec; /* bytea columns of the current row, decoded on demand */
	size_t *declen;
	int ncols;
};

static struct pg_conn *conn_of(struct store_conn *c)
{
	return c->db;
}

PGconn *pg_raw(struct store_conn *c)
{
	return conn_of(c) ? conn_of(c)->pg : NULL;
}

/* Logs a failed result without the values it may quote: SQLSTATE and the primary message,
 * except for data exceptions (class 22: "invalid input syntax for type bigint: "…""). */
static void log_result(const char *what, const PGresult *r, PGconn *pg)
{
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	if (!msg)
		msg = PQerrorMessage(pg);
	if (state && strncmp(state, "22", 2) == 0)
		msg = "data exception (value not logged)";
	log_error("store: %s failed: %s %s", what, state ? state : "-", msg ? msg : "?");
}

/* Marks this thread's call as failed for want of a reachable primary (store_unavailable_take:
 * the request is answered 503) when the connection is gone, or the server says it is shutting
 * down, starting, in recovery or read-only (SQLSTATE 08…, 57P01-57P03, 25006): a failover. */
static void note_unreachable(const struct pg_conn *pc, const PGresult *r)
{
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	if (!pc || !pc->pg || PQstatus(pc->pg) != CONNECTION_OK ||
	    (state && (strncmp(state, "08", 2) == 0 || strcmp(state, "57P01") == 0 ||
		       strcmp(state, "57P02") == 0 || strcmp(state, "57P03") == 0 ||
		       strcmp(state, "25006") == 0)))
		store_note_unavailable();
}

/* Runs one statement of the engine's own fixed text (ROLLBACK, SAVEPOINT …) through the
 * extended protocol with no parameters: one statement only, no value in it. Returns the result
 * (caller PQclears). */
static PGresult *run_fixed(struct pg_conn *pc, const char *sql)
{
	return PQexecParams(pc->pg, sql, 0, NULL, NULL, NULL, NULL, 0);
}

/* Runs sql (no parameters, one or more statements); returns the last result when it went
 * well (caller PQclears), NULL after logging. This is the one PQexec of the engine, and it
 * runs only the engine's own text, never a value (every value goes through
 * PQprepare/PQexecPrepared): texts of several statements, which PQexecParams refuses (the
 * embedded migrations, the session's set-up, BEGIN with its advisory lock in one round trip).
 * Single fixed statements (ROLLBACK, SAVEPOINT, pg_stmt_free's DEALLOCATE of a name this file
 * made, "m" and a number: libpq 15 has no PQclosePrepared) go through run_fixed. */
static PGresult *run_simple(struct pg_conn *pc, const char *sql, const char *what)
{
	if (!pc || !pc->pg) {
		store_note_unavailable();
		return NULL;
	}
	PGresult *r = PQexec(pc->pg, sql);
	ExecStatusType t = PQresultStatus(r);
	if (t == PGRES_COMMAND_OK || t == PGRES_TUPLES_OK)
		return r;
	log_result(what, r, pc->pg);
	note_unreachable(pc, r);
	PQclear(r);
	return NULL;
}

static enum err session_setup(struct pg_conn *pc)
{
	/* A writer waits for the write lock as long as SQLite's busy timeout lets it (10 s), then
	 * fails (mail-in answers 75 and Postfix retries). */
	PGresult *r = run_simple(pc,
				 "SET lock_timeout = '10s';"
				 "SELECT current_setting('server_encoding')",
				 "session setup");
	if (!r)
		return ERR_DB;
	enum err e = ERR_OK;
	if (strcmp(PQgetvalue(r, 0, 0), "UTF8") != 0) {
		log_error("store: the PostgreSQL database's encoding is %s; mimamori needs UTF8 "
			  "(CREATE DATABASE … ENCODING 'UTF8')",
			  PQgetvalue(r, 0, 0));
		e = ERR_DB;
	}
	PQclear(r);
	return e;
}

static void notice_ignore(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

static enum err pg_connect(struct store *s, struct store_conn *c, int create)
{
	(void)create; /* the database is made by its administrator (docs/guide.md) */
	/* Entries before dbname may be overridden by the connection string, entries after it
	 * may not (PQconnectdbParams). */
	/* Bounds on a server that stops answering (a machine lost without a reset): each host of a
	 * multi-host string gets connect_timeout seconds; an established connection is given up
	 * when keepalives go unanswered (10 + 3 × 3 s) or sent data stays unacknowledged
	 * (tcp_user_timeout, ms). Then the next use connects again, to the new primary. */
	const char *const keys[] = {"connect_timeout", "keepalives", "keepalives_idle",
				    "keepalives_interval", "keepalives_count", "tcp_user_timeout",
				    "fallback_application_name", "dbname", "client_encoding", NULL};
	const char *const vals[] = {"5",	"1",	    "10",      "3", "3",
				    "20000", "mimamori", s->target, "UTF8", NULL};
	PGconn *pg = PQconnectdbParams(keys, vals, 1);
	if (!pg || PQstatus(pg) != CONNECTION_OK) {
		store_note_unavailable();
		log_error("store: cannot connect to PostgreSQL: %s",
			  pg ? PQerrorMessage(pg) : "no memory");
		PQfinish(pg);
		return ERR_DB;
	}
	/* The server's notices ("relation … already exists, skipping") are not the operator's
	 * business; its errors reach the log through the calls that fail. */
	PQsetNoticeProcessor(pg, notice_ignore, NULL);
	struct pg_conn *pc = xcalloc(1, sizeof *pc);
	pc->pg = pg;
	pc->generation = 1;
	if (session_setup(pc) != ERR_OK) {
		PQfinish(pg);
		free(pc);
		return ERR_DB;
	}
	c->db = pc;
	return ERR_OK;
}

static void pg_disconnect(struct store_conn *c)
{
	struct pg_conn *pc = conn_of(c);
	if (!pc)
		return;
	PQfinish(pc->pg);
	free(pc);
	c->db = NULL;
}

static enum err pg_check(struct store_conn *c)
{
	struct pg_conn *pc = conn_of(c);
	if (PQstatus(pc->pg) == CONNECTION_OK)
		return ERR_OK;
	log_warn("store: the connection to PostgreSQL was lost; connecting again");
	PQreset(pc->pg);
	pc->generation++;
	if (PQstatus(pc->pg) != CONNECTION_OK) {
		store_note_unavailable();
		log_error("store: cannot connect to PostgreSQL: %s", PQerrorMessage(pc->pg));
		return ERR_DB;
	}
	return session_setup(pc);
}

static enum err pg_ready(struct store *s, struct store_conn *c)
{
	struct pg_store *ps = xcalloc(1, sizeof *ps);
	s->engine_data = ps;
	PGresult *r = run_simple(conn_of(c),
				 "SELECT c.relname FROM pg_attribute a JOIN pg_class c ON c.oid = "
				 "a.attrelid WHERE a.attname = 'id' AND a.attidentity <> '' AND "
				 "c.relnamespace = current_schema()::regnamespace ORDER BY 1",
				 "reading the tables");
	if (!r)
		return ERR_DB;
	ps->n = (size_t)PQntuples(r);
	ps->tables = xcalloc(ps->n ? ps->n : 1, sizeof *ps->tables);
	for (size_t i = 0; i < ps->n; i++)
		snprintf(ps->tables[i], TABLE_NAME_MAX, "%s", PQgetvalue(r, (int)i, 0));
	PQclear(r);
	/* Text sorts as in SQLite (bytes, code points) only under the C collation. */
	r = run_simple(conn_of(c),
		       "SELECT datcollate FROM pg_database WHERE datname = current_database()",
		       "reading the collation");
	if (r && PQntuples(r) == 1) {
		const char *coll = PQgetvalue(r, 0, 0);
		if (strcmp(coll, "C") != 0 && strcmp(coll, "POSIX") != 0 &&
		    strncmp(coll, "C.", 2) != 0)
			log_warn("store: the database's collation is %s; lists sort as with SQLite "
				 "only under C (CREATE DATABASE … LC_COLLATE 'C')",
				 coll);
	}
	PQclear(r);
	return ERR_OK;
}

static void pg_done(struct store *s)
{
	struct pg_store *ps = s->engine_data;
	if (!ps)
		return;
	free(ps->tables);
	free(ps);
	s->engine_data = NULL;
}

static enum err pg_exec(struct store_conn *c, const char *sql)
{
	PGresult *r = run_simple(conn_of(c), sql, "statement");
	if (!r)
		return ERR_DB;
	PQclear(r);
	return ERR_OK;
}

static int pg_in_tx(struct store_conn *c)
{
	struct pg_conn *pc = conn_of(c);
	if (!pc)
		return 0;
	PGTransactionStatusType t = PQtransactionStatus(pc->pg);
	return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

static void pg_rollback(struct store_conn *c)
{
	struct pg_conn *pc = conn_of(c);
	if (pg_in_tx(c))
		PQclear(run_fixed(pc, "ROLLBACK"));
}

/* Returns 1 when c's connection was found lost and is made again (the server restarted, or a
 * multi-host connection string now leads to the new primary): what failed outside a
 * transaction, before it could change anything, may then be tried once more. */
static int repaired(struct store_conn *c)
{
	struct pg_conn *pc = conn_of(c);
	if (!pc || PQstatus(pc->pg) != CONNECTION_BAD || pg_check(c) != ERR_OK)
		return 0;
	store_reachable_again(); /* what failed runs again, on the repaired connection */
	return 1;
}

#define BEGIN_WRITE "BEGIN; SELECT pg_advisory_xact_lock(" WRITE_LOCK ")"
#define BEGIN_READ "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"

static enum err pg_begin(struct store_conn *c)
{
	PGresult *r = run_simple(conn_of(c), BEGIN_WRITE, "begin");
	if (!r && repaired(c))
		r = run_simple(conn_of(c), BEGIN_WRITE, "begin");
	if (!r) {
		pg_rollback(c);
		return ERR_DB;
	}
	PQclear(r);
	return ERR_OK;
}

static enum err pg_begin_read(struct store_conn *c)
{
	enum err e = pg_exec(c, BEGIN_READ);
	if (e != ERR_OK && repaired(c))
		e = pg_exec(c, BEGIN_READ);
	return e;
}

static enum err pg_commit(struct store_conn *c)
{
	PGresult *r = run_simple(conn_of(c), "COMMIT", "commit");
	if (!r)
		return ERR_DB;
	/* COMMIT of a transaction a statement had failed in answers ROLLBACK. */
	int ok = strcmp(PQcmdStatus(r), "COMMIT") == 0;
	PQclear(r);
	if (!ok)
		log_error("store: commit failed: the transaction had failed and was rolled back");
	return ok ? ERR_OK : ERR_DB;
}

static int is_identity_table(struct store *s, const char *table)
{
	struct pg_store *ps = s->engine_data;
	for (size_t i = 0; ps && i < ps->n; i++)
		if (strcmp(ps->tables[i], table) == 0)
			return 1;
	return 0;
}

static struct store_stmt *pg_stmt_new(struct store_conn *c, const char *sql)
{
	int n = 0;
	unsigned char used[PG_SQL_MAX_PARAMS];
	char *text = pg_sql_params(sql, &n, used);
	if (!text) {
		log_error("store: prepare failed: a parameter number is out of range");
		return NULL;
	}
	struct pg_stmt *st = xcalloc(1, sizeof *st);
	char table[TABLE_NAME_MAX];
	if (pg_sql_insert_table(text, table, sizeof table) && is_identity_table(c->owner, table)) {
		size_t k = strlen(text);
		while (k > 0 && (isspace((unsigned char)text[k - 1]) || text[k - 1] == ';'))
			k--;
		st->sql = xasprintf("%.*s RETURNING id", (int)k, text);
		st->returning = 1;
		free(text);
	} else {
		st->sql = text;
	}
	st->nparams = n;
	memcpy(st->used, used, sizeof used);
	/* Names unique in the process: a statement made while its connection was down must not
	 * share one with another. */
	static _Atomic unsigned names;
	snprintf(st->name, sizeof st->name, "m%u", ++names);
	size_t np = n ? (size_t)n : 1;
	st->types = xcalloc(np, sizeof *st->types);
	st->kind = xcalloc(np, sizeof *st->kind);
	st->val = xcalloc(np, sizeof *st->val);
	st->len = xcalloc(np, sizeof *st->len);
	st->base.conn = c;
	return &st->base;
}

static void row_clear(struct pg_stmt *st)
{
	for (int i = 0; st->dec && i < st->ncols; i++) {
		free(st->dec[i]);
		st->dec[i] = NULL;
	}
}

static void result_clear(struct pg_stmt *st)
{
	row_clear(st);
	free(st->dec);
	free(st->declen);
	st->dec = NULL;
	st->declen = NULL;
	st->ncols = 0;
	PQclear(st->res);
	st->res = NULL;
	st->row = -1;
	st->nrows = 0;
	st->executed = 0;
}

static void pg_stmt_reset(struct store_stmt *bs)
{
	struct pg_stmt *st = (struct pg_stmt *)bs;
	result_clear(st);
	for (int i = 0; i < st->nparams; i++) {
		free(st->val[i]);
		st->val[i] = NULL;
		st->kind[i] = B_NONE;
		st->len[i] = 0;
	}
}

static void pg_stmt_free(struct store_stmt *bs)
{
	struct pg_stmt *st = (struct pg_stmt *)bs;
	struct pg_conn *pc = conn_of(bs->conn);
	pg_stmt_reset(bs);
	/* A statement replaced in the cache (store_prepare) is forgotten by the server too; when
	 * the store closes, the connection's end does that. */
	if (pc && st->generation == pc->generation && !bs->conn->owner->closing &&
	    PQtransactionStatus(pc->pg) != PQTRANS_INERROR) {
		char sql[32];
		snprintf(sql, sizeof sql, "DEALLOCATE %s", st->name);
		PQclear(run_fixed(pc, sql));
	}
	free(st->sql);
	free(st->types);
	free(st->kind);
	free(st->val);
	free(st->len);
	free(st);
}

/* Stores a copy of n bytes of p as parameter idx (1-based; others are ignored, as SQLite
 * ignores them). */
static void bind(struct store_stmt *bs, int idx, enum bind_kind kind, const void *p, size_t n)
{
	struct pg_stmt *st = (struct pg_stmt *)bs;
	if (idx < 1 || idx > st->nparams)
		return;
	int i = idx - 1;
	free(st->val[i]);
	st->val[i] = NULL;
	st->kind[i] = kind;
	st->len[i] = (int)n;
	if (kind != B_NULL) {
		st->val[i] = xmalloc(n + 1);
		if (n)
			memcpy(st->val[i], p, n);
		st->val[i][n] = '\0';
	}
}

static void pg_bind_text(struct store_stmt *st, int idx, const char *v)
{
	bind(st, idx, v ? B_TEXT : B_NULL, v, v ? strlen(v) : 0);
}

static void pg_bind_int(struct store_stmt *st, int idx, int64_t v)
{
	char num[24];
	int n = snprintf(num, sizeof num, "%" PRId64, v);
	bind(st, idx, B_INT, num, (size_t)n);
}

static void pg_bind_blob(struct store_stmt *st, int idx, const void *p, size_t n)
{
	bind(st, idx, B_BLOB, p, n);
}

static void pg_bind_null(struct store_stmt *st, int idx)
{
	bind(st, idx, B_NULL, NULL, 0);
}

/* PQprepare of st with the parameter types types; returns its result (caller PQclears). */
static PGresult *prepare_as(struct pg_stmt *st, struct pg_conn *pc, const Oid *types)
{
	return PQprepare(pc->pg, st->name, st->sql, st->nparams, types);
}

static int sqlstate_is(const PGresult *r, const char *state)
{
	const char *s = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	return s && strcmp(s, state) == 0;
}

/* Prepares st on pc unless it is already (a statement is prepared once per connection).
 * Parameters bound as integers are int8, blobs bytea; text and NULL are left for the server to
 * infer, and where it cannot (`?2 IS NULL OR code = ?2`: SQLSTATE 42P18 or 42P08) they are
 * prepared again as text. Inside a transaction the first try runs in
 * a savepoint, so that refusal does not end the caller's transaction. */
static enum err prepare_now(struct pg_stmt *st, struct pg_conn *pc)
{
	if (st->generation == pc->generation)
		return ERR_OK;
	Oid *types = xcalloc(st->nparams ? (size_t)st->nparams : 1, sizeof *types);
	for (int i = 0; i < st->nparams; i++) {
		if (st->kind[i] == B_INT)
			types[i] = OID_INT8;
		else if (st->kind[i] == B_BLOB)
			types[i] = OID_BYTEA;
		else if (!st->used[i]) /* a number the text skips: the server cannot infer it */
			types[i] = OID_TEXT;
	}
	enum err e = ERR_DB;
	int in_tx = PQtransactionStatus(pc->pg) == PQTRANS_INTRANS;
	if (in_tx)
		PQclear(run_fixed(pc, "SAVEPOINT store_prepare"));
	PGresult *r = prepare_as(st, pc, types);
	if (sqlstate_is(r, "42P18") || sqlstate_is(r, "42P08")) {
		PQclear(r);
		if (in_tx)
			PQclear(run_fixed(pc, "ROLLBACK TO SAVEPOINT store_prepare"));
		for (int i = 0; i < st->nparams; i++)
			if (types[i] == 0)
				types[i] = OID_TEXT;
		r = prepare_as(st, pc, types);
	}
	if (in_tx) {
		if (PQresultStatus(r) != PGRES_COMMAND_OK)
			PQclear(run_fixed(pc, "ROLLBACK TO SAVEPOINT store_prepare"));
		PQclear(run_fixed(pc, "RELEASE SAVEPOINT store_prepare"));
	}
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		/* A programming error: the statement's text (never a value) says which. */
		log_result("prepare", r, pc->pg);
		log_error("store: the statement: %.300s", st->sql);
		goto out;
	}
	PQclear(r);
	r = PQdescribePrepared(pc->pg, st->name);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		log_result("describe", r, pc->pg);
		goto out;
	}
	for (int i = 0; i < st->nparams; i++)
		st->types[i] = PQparamtype(r, i);
	st->generation = pc->generation;
	e = ERR_OK;
out:
	PQclear(r);
	free(types);
	return e;
}

/* Records the rows an INSERT, UPDATE or DELETE changed (a SELECT leaves the count, as in
 * SQLite). */
static void note_changes(struct pg_conn *pc, PGresult *r)
{
	const char *status = PQcmdStatus(r);
	if (strncmp(status, "INSERT", 6) == 0 || strncmp(status, "UPDATE", 6) == 0 ||
	    strncmp(status, "DELETE", 6) == 0)
		pc->changes = (int)strtol(PQcmdTuples(r), NULL, 10);
}

static int execute(struct pg_stmt *st, struct pg_conn *pc)
{
	if (!pc || !pc->pg || prepare_now(st, pc) != ERR_OK) {
		note_unreachable(pc, NULL);
		return -ERR_DB;
	}
	size_t np = st->nparams ? (size_t)st->nparams : 1;
	const char **vals = xcalloc(np, sizeof *vals);
	int *lens = xcalloc(np, sizeof *lens), *fmts = xcalloc(np, sizeof *fmts);
	for (int i = 0; i < st->nparams; i++) {
		vals[i] = st->val[i]; /* NULL for SQL NULL (and for a number never bound) */
		lens[i] = st->len[i];
		/* Blobs, and text the server wants as bytea, go as bytes (binary format). */
		fmts[i] =
		    st->kind[i] == B_BLOB || (st->kind[i] == B_TEXT && st->types[i] == OID_BYTEA);
	}
	PGresult *r = PQexecPrepared(pc->pg, st->name, st->nparams, vals, lens, fmts, 0);
	free(vals);
	free(lens);
	free(fmts);
	int rc = STORE_DONE;
	switch (PQresultStatus(r)) {
	case PGRES_COMMAND_OK:
		note_changes(pc, r);
		break;
	case PGRES_TUPLES_OK:
		if (st->returning) {
			int n = PQntuples(r);
			if (n > 0)
				pc->last_id = strtoll(PQgetvalue(r, n - 1, 0), NULL, 10);
			note_changes(pc, r);
			break;
		}
		st->res = r;
		st->nrows = PQntuples(r);
		st->ncols = PQnfields(r);
		st->dec = xcalloc(st->ncols ? (size_t)st->ncols : 1, sizeof *st->dec);
		st->declen = xcalloc(st->ncols ? (size_t)st->ncols : 1, sizeof *st->declen);
		return STORE_ROW; /* the caller moves to the first row */
	default: {
		const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
		if (state && strcmp(state, "23505") == 0)
			rc = -ERR_CONFLICT;
		else {
			log_result("step", r, pc->pg);
			note_unreachable(pc, r);
			rc = -ERR_DB;
		}
	}
	}
	PQclear(r);
	return rc;
}

static int pg_step(struct store_stmt *bs)
{
	struct pg_stmt *st = (struct pg_stmt *)bs;
	if (!st->executed) {
		st->executed = 1;
		st->row = -1;
		int idle = !pg_in_tx(bs->conn);
		int rc = execute(st, conn_of(bs->conn));
		/* A SELECT outside a transaction changed nothing: it may run again on a connection
		 * made again. */
		if (rc == -ERR_DB && idle && strncasecmp(st->sql, "SELECT", 6) == 0 &&
		    repaired(bs->conn))
			rc = execute(st, conn_of(bs->conn));
		if (rc != STORE_ROW)
			return rc;
	}
	row_clear(st);
	if (st->res && st->row + 1 < st->nrows) {
		st->row++;
		return STORE_ROW;
	}
	st->row = st->nrows;
	return STORE_DONE;
}

/* 1 when column col of the current row exists and is not NULL. */
static int has_value(struct pg_stmt *st, int col)
{
	return st->res && st->row >= 0 && st->row < st->nrows && col >= 0 && col < st->ncols &&
	       !PQgetisnull(st->res, st->row, col);
}

static int hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* The bytes of bytea column col of the current row (NUL-terminated; owned by st until the next
 * row), decoded from the text result ("\x" and hex, or the old escape format). */
static const unsigned char *bytea_of(struct pg_stmt *st, int col, size_t *len)
{
	if (!st->dec[col]) {
		const char *v = PQgetvalue(st->res, st->row, col);
		size_t n = (size_t)PQgetlength(st->res, st->row, col), k = 0;
		unsigned char *out;
		if (n >= 2 && v[0] == '\\' && v[1] == 'x') {
			out = xmalloc((n - 2) / 2 + 1);
			for (size_t i = 2; i + 1 < n; i += 2) {
				int hi = hexval(v[i]), lo = hexval(v[i + 1]);
				if (hi < 0 || lo < 0)
					break;
				out[k++] = (unsigned char)(hi << 4 | lo);
			}
		} else {
			unsigned char *u = PQunescapeBytea((const unsigned char *)v, &k);
			out = xmalloc(k + 1);
			if (u && k)
				memcpy(out, u, k);
			PQfreemem(u);
		}
		out[k] = '\0';
		st->dec[col] = out;
		st->declen[col] = k;
	}
	*len = st->declen[col];
	return st->dec[col];
}

static const char *pg_col_text(struct store_stmt *bs, int col)
{
	struct pg_stmt *st = (struct pg_stmt *)bs;
	if (!has_value(st, col))
		return NULL;
	if (PQftype(st->res, col) == OID_BYTEA) {
		size_t n;
		return (const char *)bytea_of(st, col, &n);
	}
	return PQgetvalue(st->res, st->row, col);
}

static int64_t pg_col_int(struct store_stmt *bs, int col)
{
	struct pg_stmt *st = (struct pg_stmt *)bs;
	if (!has_value(st, col))
		return 0;
	const char *v = PQgetvalue(st->res, st->row, col);
	if (PQftype(st->res, col) == OID_BOOL)
		return v[0] == 't';
	return strtoll(v, NULL, 10);
}

static const void *pg_col_blob(struct store_stmt *bs, int col, size_t *len)
{
	struct pg_stmt *st = (struct pg_stmt *)bs;
	*len = 0;
	if (!has_value(st, col))
		return NULL;
	if (PQftype(st->res, col) == OID_BYTEA)
		return bytea_of(st, col, len);
	*len = (size_t)PQgetlength(st->res, st->row, col);
	return PQgetvalue(st->res, st->row, col);
}

static enum store_type pg_col_type(struct store_stmt *bs, int col)
{
	struct pg_stmt *st = (struct pg_stmt *)bs;
	if (!has_value(st, col))
		return STORE_T_NULL;
	switch (PQftype(st->res, col)) {
	case OID_BOOL:
	case OID_INT2:
	case OID_INT4:
	case OID_INT8:
	case OID_OID:
		return STORE_T_INT;
	case OID_FLOAT4:
	case OID_FLOAT8:
		return STORE_T_REAL;
	case OID_NUMERIC:
		return strchr(PQgetvalue(st->res, st->row, col), '.') ? STORE_T_REAL : STORE_T_INT;
	case OID_BYTEA:
		return STORE_T_BLOB;
	default:
		return STORE_T_TEXT;
	}
}

static int pg_col_count(struct store_stmt *bs)
{
	struct pg_stmt *st = (struct pg_stmt *)bs;
	return st->res ? st->ncols : 0;
}

static int64_t pg_last_id(struct store_conn *c)
{
	return conn_of(c) ? conn_of(c)->last_id : 0;
}

static int pg_changes(struct store_conn *c)
{
	return conn_of(c) ? conn_of(c)->changes : 0;
}

static enum err pg_backup(struct store *s, struct store_conn *c, const char *path)
{
	(void)s;
	(void)c;
	(void)path;
	log_error("store: a PostgreSQL database is backed up with pg_dump (docs/guide.md)");
	return ERR_INVALID;
}

/* PostgreSQL keeps a deleted row's tuple in the table's pages until they are reused (VACUUM only
 * marks the space free): VACUUM FULL writes the table anew without them, and the old files are
 * emptied at the next checkpoint. The WAL keeps the old pages until its segments are recycled
 * (docs/architecture.md, File exchange, says what holds). */
/* Returns the first transaction id not yet given out (its low 32 bits, as pg_stat_activity shows
 * ids); -1 when it cannot be read. */
static int64_t next_xid(struct store_conn *c)
{
	int64_t mark = -1;
	struct store_stmt *st = pg_stmt_new(
	    c, "SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint % 4294967296");
	if (st && pg_step(st) == STORE_ROW)
		mark = pg_col_int(st, 0);
	if (st)
		pg_stmt_free(st);
	return mark < 3 && mark >= 0 ? 3 : mark; /* 0-2 are no transaction's */
}

/* 1 when another session holds a snapshot or a transaction older than mark (it might still see
 * rows deleted before, which VACUUM must then keep), 0 when none does, -1 when it cannot be
 * asked. Sessions of every database count: a snapshot's xmin is the oldest transaction running
 * in the whole cluster, so a reader of this database can hold an old horizon because of a long
 * transaction elsewhere — once no session is older than mark, no snapshot taken later can be. */
static int older_readers(struct store_conn *c, int64_t mark)
{
	int older = -1;
	struct store_stmt *st = pg_stmt_new(
	    c, "SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
	       "AND ((backend_xmin IS NOT NULL AND "
	       "age(backend_xmin) > age(?::text::xid)) OR (backend_xid IS NOT NULL AND "
	       "age(backend_xid) > age(?::text::xid)))");
	if (!st)
		return -1;
	pg_bind_int(st, 1, mark);
	pg_bind_int(st, 2, mark);
	if (pg_step(st) == STORE_ROW)
		older = pg_col_int(st, 0) > 0;
	pg_stmt_free(st);
	return older;
}

/* VACUUM FULL rewrites table without its dead rows — but keeps those a running snapshot might
 * still see (the server's other threads, another server, a long transaction of another
 * database): it runs once every session that began before the deletions has moved past them
 * (waited for 5 s, as a request's transaction ends within it; ERR_TEMP after, and the caller
 * tries again later). Sessions of other roles show no horizon to a role without
 * pg_read_all_stats: the server's own role is what the wait sees. */
static enum err pg_scrub(struct store_conn *c, const char *table)
{
	char sql[96];
	for (const char *p = table; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || *p == '_'))
			return ERR_INVALID;
	if (pg_in_tx(c) || strlen(table) > 63)
		return ERR_INVALID;
	int64_t mark = next_xid(c);
	if (mark < 0)
		return ERR_DB;
	int older = 1;
	for (int i = 0; i < 250 && older == 1; i++) {
		older = older_readers(c, mark);
		if (older == 1) {
			struct timespec ts = {0, 20 * 1000 * 1000};
			nanosleep(&ts, NULL);
		}
	}
	if (older != 0)
		return older < 0 ? ERR_DB : ERR_TEMP;
	snprintf(sql, sizeof sql, "VACUUM FULL %s", table);
	return pg_exec(c, sql);
}

const struct store_engine store_pg_engine = {
    .name = "postgresql",
    .dialect = STORE_POSTGRESQL,
    .connect = pg_connect,
    .disconnect = pg_disconnect,
    .check = pg_check,
    .ready = pg_ready,
    .done = pg_done,
    .exec = pg_exec,
    .begin = pg_begin,
    .begin_read = pg_begin_read,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .in_tx = pg_in_tx,
    .stmt_new = pg_stmt_new,
    .stmt_reset = pg_stmt_reset,
    .stmt_free = pg_stmt_free,
    .bind_text = pg_bind_text,
    .bind_int = pg_bind_int,
    .bind_blob = pg_bind_blob,
    .bind_null = pg_bind_null,
    .step = pg_step,
    .col_text = pg_col_text,
    .col_int = pg_col_int,
    .col_blob = pg_col_blob,
    .col_type = pg_col_type,
    .col_count = pg_col_count,
    .last_id = pg_last_id,
    .changes = pg_changes,
    .backup = pg_backup,
    .scrub = pg_scrub,
    .strict_create = 1,
};
