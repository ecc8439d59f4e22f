/* SPDX-License-Identifier: MIT */
/* lifecycle.h — backups, restoring them, and erasing a service at its contract's end
 * (docs/architecture.md, "Backups and erasure"): the settings of [backup], making a backup
 * file, restoring one into a new directory, the nightly job. */
#ifndef MIMAMORI_APP_LIFECYCLE_H
#define MIMAMORI_APP_LIFECYCLE_H
#include <stdint.h>
#include <stdio.h>

#include "base/err.h"

struct app;
struct periodic;

/* [backup] of mimamori.conf, with defaults. Every string malloc'd (backup_settings_free). */
struct backup_settings {
	char *dir;	/* dir: where backups go (default DIR/backups) */
	char *key_path; /* key: the backup key file (default DIR/backup.key) */
	char *keys_path; /* the key file of the backups: <dir>/backup-keys.mmk */
	int keep;	/* keep: nightly backups kept (default 7) */
	int time_min;	/* time: HH:MM (JST) of the nightly backup, or -1 when none is set */
};

/* Reads [backup] of data_dir's mimamori.conf into *s (defaults for what is not set; a value
 * that is not valid keeps its default, with a warning). Free with backup_settings_free. */
void backup_settings_read(const char *data_dir, struct backup_settings *s);
void backup_settings_free(struct backup_settings *s);

enum backup_how { BACKUP_CLI, BACKUP_NIGHTLY, BACKUP_SCREEN };

/* Makes an encrypted backup of a: into out, or (out NULL) a new file in [backup] dir, after
 * which the oldest of that dir's backups beyond keep are removed. The backup key is made at its
 * path when there is none (*key_made set). Rewrites the backups' key file; records the run
 * (backup_runs) and an audit entry as actor. Returns the file's path in *made (malloc'd; caller
 * frees) and its size in *bytes; on a failure *why is a Japanese sentence (static). */
enum err backup_make(struct app *a, const char *out, enum backup_how how, const char *actor,
		     char **made, int64_t *bytes, int *key_made, const char **why);

/* Restores the backup file into dir (missing or empty), with the backup key at key_path and
 * the backups' key file at keys_path (NULL: backup-keys.mmk next to file); a PostgreSQL backup
 * into store_url, an empty database. Says what it restored, and which services' keys were
 * erased since (their rows stay unreadable), on report. On a failure *why is a Japanese sentence
 * (static) and nothing is left in dir. */
enum err backup_restore(const char *file, const char *dir, const char *key_path,
			const char *keys_path, const char *store_url, FILE *report,
			const char **why);

/* Starts the nightly backup ([backup] time; a turn every minute, or
 * MIMAMORI_BACKUP_INTERVAL_MS) on the server holding the job's lock. Returns the job or NULL
 * when no time is set or the thread could not start (*failed then set). */
struct periodic *backup_job_start(struct app *a, int *failed);

#endif
