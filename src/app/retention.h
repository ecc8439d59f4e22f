/* SPDX-License-Identifier: MIT */
/* retention.h — retention periods (保存期間, issue 19): what each kind of record is kept for
 * ([retention] in mimamori.conf), the job that deletes what expired (daily while serving, and
 * `mimamori retention run`), its audit entry, and the audit log's pruning by whole months. */
#ifndef MIMAMORI_APP_RETENTION_H
#define MIMAMORI_APP_RETENTION_H
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct app;
struct buf;

/* One kind of record a period applies to: one statement that deletes (or, for the content of
 * sent mail, empties) the rows older than the cutoff. Kinds sharing a key share one period and
 * one count (links of several services: "links"). Strings are static. */
struct retention_kind {
	const char *key;      /* the period's name: [retention] <key>_days, e.g. "scans" */
	const char *label_ja; /* what it is, for the screen and the guide: 入退室の記録 */
	int default_days;     /* the period when mimamori.conf sets none */
	const char *table;    /* the table the statement changes (scrubbed after) */
	/* One parameter ?1: the cutoff, as epoch ms (by_day 0) or as the Japan-time day
	 * "YYYY-MM-DD" (by_day 1); rows older than it go. */
	const char *sql;
	int by_day;
	/* 1: a statement that only makes room for the next one of its key (rows referring to what
	 * it deletes); its rows are not counted. */
	int quiet;
	/* 1: table is append-only for every other statement (its DELETE trigger refuses unless the
	 * table is marked in purge_marks, 0041); marked while this statement runs. */
	int purge;
	/* 1: sql is a SELECT of accounts (users.id) nothing needs any more — a service's parents
	 * whose children's records went — each retired as the ward administrator's 廃止 does
	 * (user_retire_on: login and password gone, audited "user.retire" by "system") and counted;
	 * table is "users". */
	int retire;
};

/* A quiet kind of key (label, default days, by_day) that deletes the rows of table whose
 * column names a row of select (a parenthesised SELECT of ids with the cutoff ?1): what refers
 * to the records about to go, deleted before them. */
#define RETENTION_REFERRING(key, label, days, by_day, table, column, select)                       \
	{                                                                                          \
		key, label, days, table, "DELETE FROM " table " WHERE " column " IN " select,      \
		    by_day, 1, 0, 0                                                                \
	}

#define RETENTION_AUDIT_MONTHS 60 /* [retention] audit_months when not set: five years */
#define RETENTION_MAX_KEYS 24

/* One period and what the last run did with it. */
struct retention_count {
	const char *key, *label_ja; /* static */
	int days;		    /* the period in effect */
	int64_t n;		    /* rows deleted (or emptied) */
};

/* What a run did (or, dry, would do). */
struct retention_result {
	int64_t at_ms;
	size_t n;
	struct retention_count k[RETENTION_MAX_KEYS];
	int audit_months;
	int64_t audit_before_ms; /* entries older than this (a month's start) pruned */
	int64_t audit_pruned;
	int scrub_pending; /* 1 when the files could not be scrubbed yet (tried at the next run) */
};

/* Fills r with every period of a's configuration (the platform's kinds, then each registered
 * service's; [retention] <key>_days, audit_months), counts 0. Never fails: a bad value is
 * logged and the default used. */
void retention_periods(struct app *a, struct retention_result *r);

/* Returns the period in effect, in days, of the kind key ([retention] <key>_days or its
 * default), or 0 when no kind has that key. Reads mimamori.conf. */
int retention_days(struct app *a, const char *key);

/* Writes to out (size n) the periods in effect (r, filled by retention_periods) of the kinds that
 * delete or empty rows of table, e.g. "30日（送信済みメールの宛先・件名・本文）", several joined
 * by "、", and returns out; returns NULL (out emptied) when no kind applies to table. */
const char *retention_table_text(const struct retention_result *r, const char *table, char *out,
				 size_t n);

/* Runs retention at now_ms in one write transaction: every kind's rows older than its period
 * deleted, the audit log's whole months older than audit_months pruned behind a checkpoint,
 * and (not dry) an audit entry "retention.run" by actor with the counts, and the counts kept
 * in meta for the screen; then the changed tables scrubbed (store_scrub). dry_run: the same
 * statements rolled back (the counts are what a run would delete). Fills r. ERR_OK, ERR_DB,
 * ERR_CRYPTO (the audit checkpoints do not verify: nothing is deleted). */
enum err retention_run(struct app *a, int64_t now_ms, int dry_run, const char *actor,
		       struct retention_result *r);

/* Appends the last run kept in meta to b as JSON ({"at_ms":…,"counts":{key:n},"audit":n}), or
 * "null" when none ran. ERR_OK or ERR_DB. */
enum err retention_last_json(struct app *a, struct buf *b);

/* The daily job while serving (periodic.h): MIMAMORI_RETENTION_INTERVAL_MS, default a day. */
extern const struct periodic_job retention_job;

#endif
