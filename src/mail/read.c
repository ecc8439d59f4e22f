/* SPDX-License-Identifier: MIT */
/* read.c — read confirmation of bulk mail (「読みました」): the per-message token, and recording
 * a read once per message. Counts per send are the bulk layer's (bulk_send_view). */
#include <string.h>

#include "base/clock.h"
#include "mail/mail.h"
#include "mail/mail_internal.h"
#include "store/store.h"

#define READ_PURPOSE "read"

enum err mail_read_token(const struct vault *v, int64_t outbox_id, char *out, size_t n)
{
	return mail_keyed_id_write(v, READ_PURPOSE, outbox_id, MAIL_READ_MAC_LEN, out, n);
}

enum err mail_read_parse(const struct vault *v, const char *token, int64_t *outbox_id)
{
	int forged = 0;
	int64_t id = 0;
	*outbox_id = 0;
	const char *end =
	    token ? mail_keyed_id_read(v, READ_PURPOSE, token, MAIL_READ_MAC_LEN, &id, &forged)
		  : NULL;
	if (!end || *end)
		return ERR_NOTFOUND;
	*outbox_id = id;
	return ERR_OK;
}

enum err mail_read_record(struct store_conn *c, int64_t outbox_id, int *already)
{
	*already = 0;
	struct store_stmt *st = store_prepare(
	    c, "SELECT 1 FROM outbox WHERE id = ? AND kind = 'bulk' AND read_link = 1");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, outbox_id);
	int rc = store_step(st);
	store_finish(st);
	if (rc != STORE_ROW)
		return rc == STORE_DONE ? ERR_NOTFOUND : ERR_DB;
	/* The first read counts; a second press, or a second person, changes nothing. */
	st = store_prepare(c, "INSERT INTO mail_reads(outbox_id, at_ms) VALUES (?, ?) "
			      "ON CONFLICT(outbox_id) DO NOTHING");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, outbox_id);
	store_bind_int(st, 2, clock_now_ms());
	enum err e = store_run(st);
	store_finish(st);
	if (e == ERR_OK)
		*already = store_changes(c) == 0;
	return e;
}
