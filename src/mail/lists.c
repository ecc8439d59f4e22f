/* SPDX-License-Identifier: MIT */
/* lists.c — the lists bulk mail goes out on (table mail_lists): each declared by the service
 * that sends on it, with whether a recipient may leave it. The sender's headers and footer, the
 * unsubscribe link and mailto, and the checks before queueing and retrying all ask here. */
#include <stdio.h>
#include <string.h>

#include "base/clock.h"
#include "mail/mail.h"
#include "store/store.h"

void mail_send_list(const char *send_id, char *list, size_t n)
{
	size_t k = strcspn(send_id, ":");
	if (k >= n)
		k = n - 1;
	memcpy(list, send_id, k);
	list[k] = '\0';
}

/* Returns 1 when name may name a list: 1 to MAIL_LIST_MAX - 1 lower-case letters, digits,
 * '_' or '-'. */
static int list_name_ok(const char *name)
{
	size_t n = name ? strlen(name) : 0;
	if (n == 0 || n >= MAIL_LIST_MAX)
		return 0;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' ||
		      *p == '-'))
			return 0;
	return 1;
}

enum err mail_list_declare(struct store_conn *c, const char *service, const struct mail_list *l)
{
	if (!service || !l || !list_name_ok(l->name) || !l->label_ja || !l->label_ja[0])
		return ERR_INVALID;
	/* A list belongs to one service: another may not take it over. */
	struct store_stmt *st = store_prepare(
	    c,
	    "INSERT INTO mail_lists(name, service, label_ja, may_leave, declared_ms) "
	    "VALUES (?, ?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET label_ja = excluded.label_ja, "
	    "may_leave = excluded.may_leave, declared_ms = excluded.declared_ms "
	    "WHERE service = excluded.service");
	if (!st)
		return ERR_DB;
	store_bind_text(st, 1, l->name);
	store_bind_text(st, 2, service);
	store_bind_text(st, 3, l->label_ja);
	store_bind_int(st, 4, l->may_unsubscribe ? 1 : 0);
	store_bind_int(st, 5, clock_now_ms());
	enum err e = store_run(st);
	store_finish(st);
	if (e != ERR_OK)
		return e;
	struct mail_list_info info;
	e = mail_list_find(c, l->name, &info);
	if (e == ERR_OK && strcmp(info.service, service) != 0)
		e = ERR_CONFLICT;
	return e;
}

enum err mail_list_find(struct store_conn *c, const char *send_id, struct mail_list_info *out)
{
	char list[MAIL_LIST_MAX];
	memset(out, 0, sizeof *out);
	if (!send_id)
		return ERR_NOTFOUND;
	mail_send_list(send_id, list, sizeof list);
	struct store_stmt *st = store_prepare(
	    c, "SELECT name, service, label_ja, may_leave FROM mail_lists WHERE name = ?");
	if (!st)
		return ERR_DB;
	store_bind_text(st, 1, list);
	int rc = store_step(st);
	enum err e = rc == STORE_DONE ? ERR_NOTFOUND : ERR_DB;
	if (rc == STORE_ROW) {
		snprintf(out->name, sizeof out->name, "%s", store_col_text(st, 0));
		snprintf(out->service, sizeof out->service, "%s", store_col_text(st, 1));
		snprintf(out->label_ja, sizeof out->label_ja, "%s", store_col_text(st, 2));
		out->may_unsubscribe = store_col_int(st, 3) != 0;
		e = ERR_OK;
	}
	store_finish(st);
	return e;
}

enum err mail_list_may_unsubscribe(struct store_conn *c, const char *send_id, int *may)
{
	struct mail_list_info info;
	enum err e = mail_list_find(c, send_id, &info);
	*may = 1; /* a list nobody declared is ordinary bulk mail */
	if (e == ERR_OK)
		*may = info.may_unsubscribe;
	return e == ERR_NOTFOUND ? ERR_OK : e;
}
