/* SPDX-License-Identifier: MIT */
/* dump.c — a copy of the whole database for a backup, without the keys meta holds (a backup
 * never holds a data key, wrapped or not: docs/architecture.md, Backups), and loading such a
 * copy into an empty PostgreSQL database. SQLite: the online backup API, then the key rows
 * deleted (secure_delete zeroes their bytes). PostgreSQL: pg_dump and pg_restore. */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "store/engine.h"
#include "store/store.h"

extern char **environ;

#define KEY_ROWS "key LIKE 'data_key:%' OR key LIKE 'index_key:%'"

const char *store_engine_name(struct store *s)
{
	return s->eng->name;
}

/* Runs argv (argv[0] looked up in PATH) and waits for it. Returns ERR_OK when it exited 0. */
static enum err run(char *const *argv)
{
	pid_t pid;
	int rc = posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ);
	if (rc != 0) {
		log_error("store: cannot start %s (%s)", argv[0], strerror(rc));
		return ERR_IO;
	}
	int status = 0;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return ERR_IO;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		log_error("store: %s failed (status %d)", argv[0], status);
		return ERR_DB;
	}
	return ERR_OK;
}

static enum err dump_sqlite(struct store *s, const char *path)
{
	struct store *copy = NULL;
	enum err e = store_backup(s, path);
	if (e != ERR_OK)
		return e;
	e = store_open(path, 0, 1, &copy);
	if (e != ERR_OK)
		return e;
	struct store_conn *c = store_acquire(copy);
	/* secure_delete (on for every connection) overwrites the deleted rows' bytes with zeros
	 * in place, so no VACUUM is needed (it would rewrite the whole file through the WAL). */
	e = store_exec(c, "DELETE FROM meta WHERE " KEY_ROWS);
	store_release(c);
	store_close(copy); /* the last connection: the WAL goes into the file and is removed */
	return e;
}

static void hex(struct buf *b, const unsigned char *p, size_t n)
{
	static const char d[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		char two[2] = {d[p[i] >> 4], d[p[i] & 15]};
		buf_append(b, two, 2);
	}
}

/* pg_dump of everything but meta's rows, while this process holds the write lock (so no writer
 * commits between the dump's snapshot and meta's rows read here); meta's other rows into meta
 * as lines "HEXKEY HEXVALUE". */
static enum err dump_pg(struct store *s, const char *path, struct buf *meta)
{
	struct store_conn *c = store_acquire(s);
	enum err e = store_begin(c);
	if (e != ERR_OK)
		goto out;
	struct store_stmt *st =
	    store_prepare(c, "SELECT key, value FROM meta WHERE NOT (" KEY_ROWS ") ORDER BY key");
	e = ERR_DB;
	if (!st)
		goto out;
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		const char *k = store_col_text(st, 0);
		size_t n = 0;
		const void *v = store_col_blob(st, 1, &n);
		hex(meta, (const unsigned char *)k, strlen(k));
		buf_append(meta, " ", 1);
		hex(meta, v, n);
		buf_append(meta, "\n", 1);
	}
	store_finish(st);
	if (rc != STORE_DONE)
		goto out;
	char *file = xasprintf("--file=%s", path), *db = xasprintf("--dbname=%s", s->target);
	char *argv[] = {"pg_dump", "--format=custom", "--no-owner", "--no-privileges",
			"--exclude-table-data=meta", file, db, NULL};
	e = run(argv);
	free(file);
	memset(db, 0, strlen(db));
	free(db);
out:
	store_rollback(c);
	store_release(c);
	return e;
}

enum err store_dump(struct store *s, const char *path, struct buf *meta)
{
	if (s->eng->dialect == STORE_SQLITE)
		return dump_sqlite(s, path);
	return dump_pg(s, path, meta);
}

static int unhex(const char *p, size_t n, unsigned char *out)
{
	if (n % 2)
		return -1;
	for (size_t i = 0; i < n; i += 2) {
		int v = 0;
		for (int j = 0; j < 2; j++) {
			char ch = p[i + (size_t)j];
			int d = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
			if (d < 0)
				return -1;
			v = v * 16 + d;
		}
		out[i / 2] = (unsigned char)v;
	}
	return 0;
}

enum err store_dump_load_pg(const char *url, const char *path, const char *meta)
{
	struct store *s = NULL;
	char *db = xasprintf("--dbname=%s", url);
	char *argv[] = {"pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
			"--single-transaction", db, (char *)path, NULL};
	enum err e = run(argv);
	memset(db, 0, strlen(db));
	free(db);
	if (e != ERR_OK)
		return e;
	e = store_open(url, 0, 1, &s);
	if (e != ERR_OK)
		return e;
	struct store_conn *c = store_acquire(s);
	e = store_begin(c);
	const char *p = meta;
	while (e == ERR_OK && *p) {
		const char *sp = strchr(p, ' '), *nl = strchr(p, '\n');
		if (!sp || !nl || sp > nl) {
			e = ERR_INVALID;
			break;
		}
		size_t kl = (size_t)(sp - p), vl = (size_t)(nl - sp - 1);
		unsigned char *k = xmalloc(kl / 2 + 1), *v = xmalloc(vl / 2 + 1);
		if (unhex(p, kl, k) != 0 || unhex(sp + 1, vl, v) != 0) {
			e = ERR_INVALID;
		} else {
			k[kl / 2] = '\0';
			struct store_stmt *st =
			    store_prepare(c, "INSERT INTO meta(key, value) VALUES (?, ?)");
			e = ERR_DB;
			if (st) {
				store_bind_text(st, 1, (const char *)k);
				store_bind_blob(st, 2, v, vl / 2);
				e = store_run(st);
				store_finish(st);
			}
		}
		free(k);
		free(v);
		p = nl + 1;
	}
	if (e == ERR_OK)
		e = store_commit(c);
	store_rollback(c);
	store_release(c);
	store_close(s);
	return e;
}
