/* SPDX-License-Identifier: MIT */
/* file.h — writing a whole file so that a reader never sees half of it. */
#ifndef MIMAMORI_BASE_FILE_H
#define MIMAMORI_BASE_FILE_H
#include <stddef.h>

#include "base/err.h"

/* Writes len bytes of data to a new file at path (replacing one there), readable by its owner
 * only (0600), through a temporary name in the same directory, synced before the rename.
 * Returns ERR_OK or ERR_IO (nothing is left behind). */
enum err file_write_atomic(const char *path, const void *data, size_t len);

/* Remembers dir as the ward's data directory whose own files (database, keys, settings) no
 * export may replace (file_guard.c); NULL forgets it. */
void file_guard_dir(const char *dir);

/* Returns 1 (with a Japanese line on stderr) when path is one of the guarded data directory's
 * own files, which an export must not write; else 0. */
int file_export_refused(const char *path);

/* Returns 0 when an export could be written at path (not a guarded file, its folder there and
 * writable), else -1 with a Japanese line on stderr: checked before a step that cannot be undone
 * records what the file is to hold. */
int file_export_check(const char *path);

/* file_write_atomic for what a person asked to be written (an export's --out). Returns ERR_OK;
 * ERR_FORBIDDEN when path is one of the guarded data directory's own files; ERR_IO when it
 * cannot be written. Every failure is said in one Japanese line on stderr, so a caller adds
 * only what the failure means for its command. */
enum err file_write_export(const char *path, const void *data, size_t len);

/* Reads the whole file at path into *out (malloc'd, NUL-terminated; caller frees) of *len
 * bytes. Returns ERR_OK; ERR_IO when it cannot be read; ERR_TOOLARGE when it is over max bytes
 * (nothing is kept; what was read is wiped). */
enum err file_read_all(const char *path, size_t max, char **out, size_t *len);

/* file_read_all for a file a person named (a command's FILE): every failure is said in one
 * Japanese line on stderr — no such file, a folder, no permission, over max (in MB) — so a
 * caller adds nothing. Same returns. */
enum err file_read_input(const char *path, size_t max, char **out, size_t *len);

#endif
