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

/* Reads the whole file at path into *out (malloc'd, NUL-terminated; caller frees) of *len
 * bytes. Returns ERR_OK; ERR_IO when it cannot be read; ERR_TOOLARGE when it is over max bytes
 * (nothing is kept; what was read is wiped). */
enum err file_read_all(const char *path, size_t max, char **out, size_t *len);

#endif
