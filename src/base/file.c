/* SPDX-License-Identifier: MIT */
/* file.c — writing a whole file through a temporary name (mkstemp: mode 0600), synced, then
 * renamed over the target. */
#include "base/file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum err file_write_atomic(const char *path, const void *data, size_t len)
{
	size_t n = strlen(path) + 16;
	char *tmp = malloc(n);
	enum err e = ERR_IO;
	int fd = -1;
	if (!tmp)
		return ERR_IO;
	snprintf(tmp, n, "%s.partXXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0)
		goto out;
	const char *p = data;
	size_t left = len;
	while (left) {
		ssize_t w = write(fd, p, left);
		if (w <= 0)
			goto out;
		p += w;
		left -= (size_t)w;
	}
	if (fsync(fd) != 0 || close(fd) != 0) {
		fd = -1;
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) != 0)
		goto out;
	e = ERR_OK;
out:
	if (fd >= 0)
		close(fd);
	if (e != ERR_OK)
		unlink(tmp);
	free(tmp);
	return e;
}
