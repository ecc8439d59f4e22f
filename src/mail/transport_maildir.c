/* SPDX-License-Identifier: MIT */
/* transport_maildir.c — delivers into a local Maildir (tmp/ → fsync → new/), for tests, demos
 * and sites without a relay. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "mail/mail_internal.h"
#include "vault/vault.h"

struct maildir {
	struct mail_transport base; /* first, so a transport pointer is a maildir pointer */
	char *dir;
	char host[64];
};

static int mkdir_p(const char *path)
{
	char *p = xstrdup(path);
	int rc = 0;
	for (char *s = p + 1; *s && rc == 0; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0700) != 0 && errno != EEXIST)
			rc = -1;
		*s = '/';
	}
	if (rc == 0 && mkdir(p, 0700) != 0 && errno != EEXIST)
		rc = -1;
	free(p);
	return rc;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	close(fd);
	return rc;
}

static enum mail_result maildir_send(struct mail_transport *t, const char *from, const char *rcpt,
				     const char *msg, size_t len, char *reply, size_t reply_n)
{
	struct maildir *m = (struct maildir *)t;
	enum mail_result r = MAIL_DEFERRED;
	struct buf text;
	char *tmp = NULL, *dst = NULL, *newdir = NULL, *sender = mail_address_render(from);
	int fd = -1;
	unsigned char rnd[8];
	char hex[2 * sizeof rnd + 1];

	(void)rcpt; /* the To: header names the one recipient */
	snprintf(reply, reply_n, "maildir: write failed");
	/* Maildir files use plain LF line ends. */
	buf_init(&text, len + 512);
	enum err e = buf_printf(&text, "Return-Path: <%s>\n", sender);
	for (size_t i = 0; i < len && e == ERR_OK; i++)
		if (!(msg[i] == '\r' && i + 1 < len && msg[i + 1] == '\n'))
			e = buf_append(&text, &msg[i], 1);
	if (e != ERR_OK)
		goto out;

	vault_random(rnd, sizeof rnd);
	vault_hex(rnd, sizeof rnd, hex);
	int64_t now = clock_now_ms();
	char *name = xasprintf("%lld.M%lldP%ldR%s.%s", (long long)(now / 1000),
			       (long long)(now % 1000 * 1000), (long)getpid(), hex, m->host);
	tmp = xasprintf("%s/tmp/%s", m->dir, name);
	dst = xasprintf("%s/new/%s", m->dir, name);
	newdir = xasprintf("%s/new", m->dir);
	free(name);

	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || write_all(fd, text.data, text.len) != 0 || fsync(fd) != 0) {
		log_warn("mail: maildir write failed: %s", strerror(errno));
		unlink(tmp);
		goto out;
	}
	close(fd);
	fd = -1;
	if (rename(tmp, dst) != 0 || fsync_dir(newdir) != 0) {
		log_warn("mail: maildir rename failed: %s", strerror(errno));
		unlink(tmp);
		goto out;
	}
	snprintf(reply, reply_n, "250 delivered to maildir");
	r = MAIL_SENT;
out:
	if (fd >= 0)
		close(fd);
	buf_free(&text);
	free(tmp);
	free(dst);
	free(newdir);
	free(sender);
	return r;
}

static void maildir_free(struct mail_transport *t)
{
	struct maildir *m = (struct maildir *)t;
	if (!m)
		return;
	free(m->dir);
	free(m);
}

struct mail_transport *mail_transport_maildir_new(const char *dir)
{
	static const char *const sub[] = {"tmp", "new", "cur"};
	if (!dir[0] || mkdir_p(dir) != 0) {
		log_error("mail: cannot create maildir: %s", strerror(errno));
		return NULL;
	}
	for (size_t i = 0; i < sizeof sub / sizeof sub[0]; i++) {
		char *p = xasprintf("%s/%s", dir, sub[i]);
		int rc = mkdir(p, 0700);
		free(p);
		if (rc != 0 && errno != EEXIST) {
			log_error("mail: cannot create maildir: %s", strerror(errno));
			return NULL;
		}
	}
	struct maildir *m = xcalloc(1, sizeof *m);
	m->base.send = maildir_send;
	m->base.free = maildir_free;
	m->base.per_session = 1;
	m->dir = xstrdup(dir);
	if (gethostname(m->host, sizeof m->host - 1) != 0 || !m->host[0])
		snprintf(m->host, sizeof m->host, "localhost");
	/* '/' and ':' have meaning in Maildir names. */
	for (char *p = m->host; *p; p++)
		if (*p == '/' || *p == ':')
			*p = '_';
	return &m->base;
}
