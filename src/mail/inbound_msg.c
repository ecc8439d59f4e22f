/* SPDX-License-Identifier: MIT */
/* inbound_msg.c — reads what a service's mail-in hook needs of a message with GMime: the From
 * address, the decoded Subject, and whether it is automatic mail that must never be answered. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <gmime/gmime.h>

#include "mail/mail.h"

static pthread_once_t gmime_once = PTHREAD_ONCE_INIT;

static void gmime_start(void)
{
	g_mime_init();
}

/* 1 when the header name of m is present and its value (trimmed) is not one of the words in
 * ok (NULL-terminated, case-insensitive). */
static int header_other_than(GMimeObject *m, const char *name, const char *const *ok)
{
	const char *v = g_mime_object_get_header(m, name);
	if (!v)
		return 0;
	while (*v == ' ' || *v == '\t')
		v++;
	size_t n = strcspn(v, " \t;\r\n");
	for (; ok && *ok; ok++)
		if (strlen(*ok) == n && strncasecmp(v, *ok, n) == 0)
			return 0;
	return 1;
}

/* 1 when the header name of m holds one of the words (NULL-terminated, case-insensitive). */
static int header_is(GMimeObject *m, const char *name, const char *const *words)
{
	const char *v = g_mime_object_get_header(m, name);
	if (!v)
		return 0;
	while (*v == ' ' || *v == '\t')
		v++;
	size_t n = strcspn(v, " \t;\r\n");
	for (; *words; words++)
		if (strlen(*words) == n && strncasecmp(v, *words, n) == 0)
			return 1;
	return 0;
}

/* 1 when addr's local part names a mail daemon (bounces and other robots). */
static int daemon_address(const char *addr)
{
	static const char *const daemons[] = {"mailer-daemon", "postmaster", "mail-daemon",
					      "noreply", "no-reply", "bounces", NULL};
	size_t n = strcspn(addr, "@+");
	for (const char *const *d = daemons; *d; d++)
		if (strlen(*d) == n && strncasecmp(addr, *d, n) == 0)
			return 1;
	return 0;
}

enum err mail_in_msg_read(const char *raw, size_t len, struct mail_in_msg *m)
{
	static const char *const no[] = {"no", NULL};
	static const char *const bulk[] = {"bulk", "junk", "list", "auto_reply", NULL};
	pthread_once(&gmime_once, gmime_start);
	m->from[0] = '\0';
	m->subject[0] = '\0';
	m->automatic = 0;
	GMimeStream *stream = g_mime_stream_mem_new_with_buffer(raw, len);
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);
	g_object_unref(stream);
	GMimeMessage *msg = g_mime_parser_construct_message(parser, NULL);
	g_object_unref(parser);
	if (!msg)
		return ERR_INVALID;
	GMimeObject *o = GMIME_OBJECT(msg);
	InternetAddressList *from = g_mime_message_get_from(msg);
	if (from && internet_address_list_length(from) == 1) {
		InternetAddress *ia = internet_address_list_get_address(from, 0);
		if (INTERNET_ADDRESS_IS_MAILBOX(ia)) {
			const char *a = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia));
			if (a && strlen(a) < sizeof m->from)
				snprintf(m->from, sizeof m->from, "%s", a);
		}
	}
	const char *subject = g_mime_message_get_subject(msg);
	if (subject)
		snprintf(m->subject, sizeof m->subject, "%s", subject);
	const char *rp = g_mime_object_get_header(o, "Return-Path");
	m->automatic = header_other_than(o, "Auto-Submitted", no) ||
		       header_is(o, "Precedence", bulk) ||
		       g_mime_object_get_header(o, "List-Id") != NULL ||
		       g_mime_object_get_header(o, "List-Unsubscribe") != NULL ||
		       (rp && strstr(rp, "<>") != NULL) || (m->from[0] && daemon_address(m->from));
	g_object_unref(msg);
	return ERR_OK;
}
