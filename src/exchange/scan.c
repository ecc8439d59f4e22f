/* SPDX-License-Identifier: MIT */
/* scan.c — the virus-scan hook: the configured command (clamav's `clamdscan --no-summary -`)
 * gets the file on its standard input before anything of it is stored; its exit status says
 * (0 clean, 1 found, anything else: no answer). No shell: the command is split on spaces. */
#include "exchange/exchange.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <time.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/log.h"

extern char **environ;

#define SCAN_ARGS 16

/* Writes len bytes of p to fd with SIGPIPE held back in this thread (a scanner that stops
 * reading must not end the process: the CLI does not ignore SIGPIPE); returns the bytes left. */
static size_t feed(int fd, const unsigned char *p, size_t len)
{
	sigset_t pipe_set, old;
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	while (len > 0) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break; /* the scanner stopped reading: its status says why */
		p += w;
		len -= (size_t)w;
	}
	if (len > 0) {
		struct timespec zero = {0, 0};
		sigtimedwait(&pipe_set, NULL, &zero); /* the SIGPIPE of that write, if it came */
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return len;
}

int exchange_scan(const struct exchange_config *cfg, const void *data, size_t len)
{
	char cmd[sizeof cfg->scan_command];
	char *argv[SCAN_ARGS + 1];
	int n = 0, fds[2] = {-1, -1}, status = 0, result = -1;
	pid_t pid = 0;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	int fa_ok = 0, at_ok = 0;
	sigset_t none, pipe_set;
	memcpy(cmd, cfg->scan_command, sizeof cmd);
	for (char *save = NULL, *t = strtok_r(cmd, " ", &save); t && n < SCAN_ARGS;
	     t = strtok_r(NULL, " ", &save))
		argv[n++] = t;
	argv[n] = NULL;
	if (n == 0)
		return 0;
	if (pipe2(fds, O_CLOEXEC) != 0)
		goto out;
	if (posix_spawn_file_actions_init(&fa) != 0)
		goto out;
	fa_ok = 1;
	/* The scanner starts with no signal blocked (the server blocks its stop signals) and
	 * SIGPIPE at its default. */
	if (posix_spawnattr_init(&at) != 0)
		goto out;
	at_ok = 1;
	sigemptyset(&none);
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &pipe_set);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	posix_spawn_file_actions_adddup2(&fa, fds[0], 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	if (posix_spawnp(&pid, argv[0], &fa, &at, argv, environ) != 0) {
		log_warn("exchange: the scan command cannot be run");
		pid = 0;
		goto out;
	}
	close(fds[0]);
	fds[0] = -1;
	size_t left = feed(fds[1], data, len);
	close(fds[1]);
	fds[1] = -1;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	pid = 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && left == 0)
		result = 0;
	else if (WIFEXITED(status) && WEXITSTATUS(status) == 1)
		result = 1;
	else
		log_warn("exchange: the scan command gave no answer (status %d)", status);
out:
	if (fa_ok)
		posix_spawn_file_actions_destroy(&fa);
	if (at_ok)
		posix_spawnattr_destroy(&at);
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
	if (pid > 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	return result;
}
