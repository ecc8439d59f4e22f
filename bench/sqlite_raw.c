/* SPDX-License-Identifier: MIT */
/* sqlite_raw.c — the baseline for bench/run.sh: how many scan-shaped rows per second SQLite
 * itself commits on this filesystem, one transaction per row, WAL, synchronous=FULL (the
 * settings src/store/sqlite.c uses).
 *
 * usage: sqlite_raw DIR [SECONDS]   (default 5 s; DIR must exist; DIR/raw.db is recreated)
 * prints: "rows N seconds S rows_per_s R" on stdout. */
#define _POSIX_C_SOURCE 200809L
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "sqlite_raw: %s: %s\n", sql, msg ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: sqlite_raw DIR [SECONDS]\n");
		return 2;
	}
	double secs = argc == 3 ? atof(argv[2]) : 5.0;
	if (secs <= 0)
		secs = 5.0;
	char path[4096];
	snprintf(path, sizeof path, "%s/raw.db", argv[1]);
	const char *suffix[] = {"", "-wal", "-shm"};
	for (int i = 0; i < 3; i++) {
		char p[4200];
		snprintf(p, sizeof p, "%s%s", path, suffix[i]);
		unlink(p);
	}

	sqlite3 *db = NULL;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		fprintf(stderr, "sqlite_raw: cannot open %s\n", path);
		return 1;
	}
	/* The server's pragmas and the scans table with its two indexes (no foreign keys: the
	 * referenced tables would be empty). */
	if (exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;") ||
	    exec(db, "CREATE TABLE scans (id INTEGER PRIMARY KEY, child_id INTEGER NOT NULL, "
		     "site_id INTEGER NOT NULL, kiosk_id INTEGER, card_id INTEGER, "
		     "direction TEXT NOT NULL CHECK (direction IN ('in','out')), "
		     "day TEXT NOT NULL, at_ms INTEGER NOT NULL);"
		     "CREATE INDEX scans_child_day ON scans(child_id, day, at_ms);"
		     "CREATE INDEX scans_site_day ON scans(site_id, day);"))
		return 1;

	sqlite3_stmt *ins = NULL, *begin = NULL, *commit = NULL;
	if (sqlite3_prepare_v2(db,
			       "INSERT INTO scans(child_id, site_id, kiosk_id, card_id, direction, "
			       "day, at_ms) VALUES (?, ?, ?, ?, ?, ?, ?)",
			       -1, &ins, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "BEGIN IMMEDIATE", -1, &begin, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "COMMIT", -1, &commit, NULL) != SQLITE_OK) {
		fprintf(stderr, "sqlite_raw: prepare: %s\n", sqlite3_errmsg(db));
		return 1;
	}

	long long rows = 0;
	double t0 = now_s(), t = t0;
	while (t - t0 < secs) {
		long long child = rows % 30000 + 1;
		if (sqlite3_step(begin) != SQLITE_DONE)
			goto fail;
		sqlite3_reset(begin);
		sqlite3_bind_int64(ins, 1, child);
		sqlite3_bind_int64(ins, 2, child % 59 + 1);
		sqlite3_bind_int64(ins, 3, child % 59 + 1);
		sqlite3_bind_int64(ins, 4, child);
		sqlite3_bind_text(ins, 5, rows / 30000 % 2 ? "out" : "in", -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 6, "2025-06-02", -1, SQLITE_STATIC);
		sqlite3_bind_int64(ins, 7, 1748840400000LL + rows);
		if (sqlite3_step(ins) != SQLITE_DONE)
			goto fail;
		sqlite3_reset(ins);
		if (sqlite3_step(commit) != SQLITE_DONE)
			goto fail;
		sqlite3_reset(commit);
		rows++;
		t = now_s();
	}
	double el = t - t0;
	printf("rows %lld seconds %.3f rows_per_s %.1f\n", rows, el, (double)rows / el);
	sqlite3_finalize(ins);
	sqlite3_finalize(begin);
	sqlite3_finalize(commit);
	sqlite3_close(db);
	return 0;
fail:
	fprintf(stderr, "sqlite_raw: step: %s\n", sqlite3_errmsg(db));
	return 1;
}
