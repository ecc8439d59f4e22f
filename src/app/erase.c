/* SPDX-License-Identifier: MIT */
/* erase.c — erasing a service at its contract's end: the request, its confirmation by another
 * ward administrator, and the erasure itself (key, rows, certificate, audit entry, the backups'
 * key file, the database's files scrubbed). */
#include "app/erase.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "app/lifecycle.h"
#include "app/service.h"
#include "auth/audit.h"
#include "auth/user.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "store/items.h"
#include "store/store.h"
#include "vault/backup_box.h"
#include "vault/escrow.h"
#include "vault/vault.h"

/* The platform's rows that are a service's: its mail and what hangs on it, its bulk sends and
 * templates. In the order they can be deleted (what refers to a row before the row). ?1 is the
 * service's name. */
static const struct {
	const char *what; /* the counts' name */
	const char *sql;
} platform_rows[] = {
    {"mail_reads", "DELETE FROM mail_reads WHERE outbox_id IN "
		   "(SELECT id FROM outbox WHERE service = ?1)"},
    {"bounce_addresses", "DELETE FROM bounce_addresses WHERE addr_idx IN (SELECT addr_idx FROM "
			 "bounce_events WHERE outbox_id IN (SELECT id FROM outbox WHERE service = "
			 "?1))"},
    {"bounce_events", "DELETE FROM bounce_events WHERE outbox_id IN "
		      "(SELECT id FROM outbox WHERE service = ?1)"},
    {"resubscribe_tokens", "DELETE FROM resubscribe_tokens WHERE outbox_id IN (SELECT id FROM "
			   "outbox WHERE service = ?1) OR list IN (SELECT name FROM mail_lists "
			   "WHERE service = ?1)"},
    {"unsubscribes", "DELETE FROM unsubscribes WHERE outbox_id IN (SELECT id FROM outbox WHERE "
		     "service = ?1) OR list IN (SELECT name FROM mail_lists WHERE service = ?1)"},
    {"outbox", "DELETE FROM outbox WHERE service = ?1"},
    {"bulk_sends", "DELETE FROM bulk_sends WHERE service = ?1"},
    {"bulk_templates", "DELETE FROM bulk_templates WHERE service = ?1"},
};

#define TABLES_MAX 64 /* tables of one service */

size_t erase_tables(const char *service, const char **tables, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < store_item_tables_count && n < max; i++)
		if (strcmp(store_item_tables[i].owner, service) == 0 && !store_item_tables[i].fixed)
			tables[n++] = store_item_tables[i].table;
	return n;
}

char *erase_kept_ja(const char *service)
{
	struct buf b;
	buf_init(&b, 4096);
	for (size_t i = 0; i < store_item_tables_count; i++)
		if (strcmp(store_item_tables[i].owner, service) == 0 && store_item_tables[i].fixed)
			buf_printf(&b, "%s%s（%s）", b.len ? "、" : "", store_item_tables[i].name_ja,
				   store_item_tables[i].table);
	char *out = xstrdup(b.len ? b.data : "（なし）");
	buf_free(&b);
	return out;
}

char *erase_items_ja(const char *service)
{
	struct buf b;
	buf_init(&b, (size_t)1 << 16);
	const char *tables[TABLES_MAX];
	size_t nt = erase_tables(service, tables, TABLES_MAX);
	for (size_t i = 0; i < store_items_count; i++) {
		const struct store_item *it = &store_items[i];
		int mine = 0;
		for (size_t t = 0; t < nt && !mine; t++)
			mine = strcmp(it->table, tables[t]) == 0;
		if (!mine || it->cls == STORE_ITEM_PLAIN)
			continue;
		/* each name once (the same item may be in several tables) */
		int seen = 0;
		for (size_t j = 0; j < i && !seen; j++)
			for (size_t t = 0; t < nt && !seen; t++)
				seen = strcmp(store_items[j].table, tables[t]) == 0 &&
				       store_items[j].cls != STORE_ITEM_PLAIN &&
				       strcmp(store_items[j].name_ja, it->name_ja) == 0;
		if (seen)
			continue;
		buf_printf(&b, "%s%s%s", b.len ? "、" : "", it->name_ja,
			   it->cls == STORE_ITEM_CARE ? "（要配慮）" : "");
	}
	if (!b.len)
		buf_puts(&b, "（なし）");
	char *out = xstrdup(b.data);
	buf_free(&b);
	return out;
}

enum err erase_request(struct app *a, const char *service, int64_t user_id, const char *actor,
		       int64_t *id, const char **why)
{
	const struct service *sv = app_service(service);
	const char *tables[1];
	*why = NULL;
	if (!sv || erase_tables(service, tables, 1) == 0) {
		*why = "そのサービスはありません（消去できるサービスの名前を指定してください）";
		return ERR_NOTFOUND;
	}
	struct store_conn *c = store_acquire(a->store);
	enum err e = store_begin(c);
	struct store_stmt *st = NULL;
	if (e != ERR_OK)
		goto out;
	st = store_prepare(c, "INSERT INTO erasures(service, state, requested_by, requested_ms) "
			      "VALUES (?, 'pending', ?, ?)");
	e = ERR_DB;
	if (!st)
		goto out;
	store_bind_text(st, 1, service);
	store_bind_int(st, 2, user_id);
	store_bind_int(st, 3, clock_now_ms());
	e = store_run(st);
	store_finish(st);
	if (e == ERR_CONFLICT) {
		*why = "このサービスの消去はすでに依頼されています（別の区の管理者の確認を待って"
		       "います）";
		goto out;
	}
	if (e != ERR_OK)
		goto out;
	*id = store_last_id(c);
	char object[64];
	snprintf(object, sizeof object, "service:%s", service);
	e = audit_append(c, a->vault, actor, "erase.requested", object,
			 "waiting for another ward administrator");
	if (e == ERR_OK)
		e = store_commit(c);
out:
	store_rollback(c);
	store_release(c);
	if (e != ERR_OK && !*why)
		*why = "消去の依頼を記録できません";
	return e;
}

enum err erase_pending(struct app *a, const char *service, int64_t *id, int64_t *by)
{
	struct store_conn *c = store_acquire(a->store);
	struct store_stmt *st = store_prepare(
	    c, "SELECT id, requested_by FROM erasures WHERE service = ? AND state = 'pending'");
	enum err e = ERR_DB;
	if (st) {
		store_bind_text(st, 1, service);
		int rc = store_step(st);
		e = rc == STORE_ROW ? ERR_OK : rc == STORE_DONE ? ERR_NOTFOUND : ERR_DB;
		if (rc == STORE_ROW) {
			*id = store_col_int(st, 0);
			*by = store_col_int(st, 1);
		}
		store_finish(st);
	}
	store_release(c);
	return e;
}

enum err erase_cancel(struct app *a, int64_t id, const char *actor)
{
	struct store_conn *c = store_acquire(a->store);
	char service[64] = "";
	enum err e = store_begin(c);
	struct store_stmt *st = NULL;
	if (e != ERR_OK)
		goto out;
	st = store_prepare(c, "SELECT service FROM erasures WHERE id = ? AND state = 'pending'");
	e = ERR_DB;
	if (!st)
		goto out;
	store_bind_int(st, 1, id);
	int rc = store_step(st);
	if (rc == STORE_ROW)
		snprintf(service, sizeof service, "service:%s", store_col_text(st, 0));
	store_finish(st);
	e = rc == STORE_ROW ? ERR_OK : rc == STORE_DONE ? ERR_NOTFOUND : ERR_DB;
	if (e != ERR_OK)
		goto out;
	st = store_prepare(c, "UPDATE erasures SET state = 'cancelled', done_ms = ? WHERE id = ?");
	e = ERR_DB;
	if (!st)
		goto out;
	store_bind_int(st, 1, clock_now_ms());
	store_bind_int(st, 2, id);
	e = store_run(st);
	store_finish(st);
	if (e == ERR_OK)
		e = audit_append(c, a->vault, actor, "erase.cancelled", service, "");
	if (e == ERR_OK)
		e = store_commit(c);
out:
	store_rollback(c);
	store_release(c);
	return e;
}

enum err erase_rows(struct store_conn *c, const char *service, json_t *counts, int64_t *total)
{
	const char *tables[TABLES_MAX];
	size_t n = erase_tables(service, tables, TABLES_MAX);
	for (size_t i = n; i-- > 0;) {
		int64_t rows = 0;
		enum err e = store_table_clear(c, tables[i], &rows);
		if (e != ERR_OK) {
			log_error("erase: cannot empty %s (%s)", tables[i], err_str(e));
			return e;
		}
		json_object_set_new(counts, tables[i], json_integer(rows));
		*total += rows;
	}
	for (size_t i = 0; i < sizeof platform_rows / sizeof platform_rows[0]; i++) {
		struct store_stmt *st = store_prepare(c, platform_rows[i].sql);
		if (!st)
			return ERR_DB;
		store_bind_text(st, 1, service);
		enum err e = store_run(st);
		store_finish(st);
		if (e != ERR_OK) {
			log_error("erase: cannot delete the %s rows (%s)", platform_rows[i].what,
				  err_str(e));
			return e;
		}
		int rows = store_changes(c);
		json_object_set_new(counts, platform_rows[i].what, json_integer(rows));
		*total += rows;
	}
	return ERR_OK;
}

/* Loads request id (pending) into *service (malloc'd) and *asker. */
static enum err load_request(struct store_conn *c, int64_t id, char **service, int64_t *asker)
{
	struct store_stmt *st = store_prepare(
	    c, "SELECT service, requested_by FROM erasures WHERE id = ? AND state = 'pending'");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, id);
	int rc = store_step(st);
	if (rc == STORE_ROW) {
		*service = xstrdup(store_col_text(st, 0));
		*asker = store_col_int(st, 1);
	}
	store_finish(st);
	return rc == STORE_ROW ? ERR_OK : rc == STORE_DONE ? ERR_NOTFOUND : ERR_DB;
}

/* Rewrites the backups' key file (when there is one) with the keys as they are now. Returns
 * NULL, or why it could not (static). */
static const char *rewrite_keys_file(struct app *a)
{
	struct backup_settings set;
	unsigned char bkey[VAULT_BACKUP_KEY_LEN];
	const char *why = NULL;
	backup_settings_read(a->data_dir, &set);
	FILE *f = fopen(set.keys_path, "rb");
	if (f) {
		fclose(f);
		if (vault_backup_key_read(set.key_path, bkey) != ERR_OK ||
		    keyring_escrow_write(a->keys, bkey, set.keys_path) != ERR_OK)
			why = "消去しましたが、バックアップの鍵ファイル（backup-keys.mmk）を書き換えられ"
			      "ません。古いバックアップから読める状態です。バックアップ鍵を確かめて "
			      "mimamori backup を実行してください";
		vault_wipe(bkey, sizeof bkey);
	}
	backup_settings_free(&set);
	return why;
}

enum err erase_confirm(struct app *a, int64_t id, int64_t user_id, const char *actor,
		       struct buf *pdf, const char **why)
{
	struct store_conn *c = NULL;
	struct keyring_undo *undo = NULL;
	char *service = NULL, fp[VAULT_FINGERPRINT_LEN] = "", *counts_s = NULL, *medium = NULL,
	     *items = NULL;
	int64_t asker_id = 0, total = 0, now = clock_now_ms();
	struct user asker, confirmer;
	json_t *counts = json_object();
	struct buf cert;
	int committed = 0;
	buf_init(&cert, (size_t)16 << 20);
	*why = NULL;
	c = store_acquire(a->store);
	enum err e = load_request(c, id, &service, &asker_id);
	store_release(c);
	c = NULL;
	if (e != ERR_OK) {
		*why = "確認を待っている消去の依頼はありません";
		goto out;
	}
	if (asker_id == user_id) {
		*why = "消去を依頼した人は確認できません。別の区の管理者が確認してください";
		e = ERR_FORBIDDEN;
		goto out;
	}
	const struct service *sv = app_service(service);
	const char *tables[TABLES_MAX];
	size_t ntables = erase_tables(service, tables, TABLES_MAX);
	if (!sv || ntables == 0) {
		*why = "そのサービスはありません";
		e = ERR_NOTFOUND;
		goto out;
	}
	e = user_load(a->store, asker_id, &asker);
	if (e == ERR_OK)
		e = user_load(a->store, user_id, &confirmer);
	if (e != ERR_OK) {
		*why = "依頼者か確認者の利用者が見つかりません";
		goto out;
	}
	medium = strcmp(store_engine_name(a->store), "sqlite") == 0
		     ? xasprintf("データベース（SQLite、%s/mimamori.db）とその以前のすべてのバックアップ",
				 a->data_dir)
		     : xstrdup("データベース（PostgreSQL）とその以前のすべてのバックアップ");
	c = store_acquire(a->store);
	e = store_begin(c);
	if (e != ERR_OK)
		goto fail;
	/* The key first: from this moment no copy of the rows anywhere opens. */
	e = keyring_replace(a->keys, c, service, fp, &undo);
	if (e != ERR_OK)
		goto fail;
	e = erase_rows(c, sv->name, counts, &total);
	if (e != ERR_OK)
		goto fail;
	counts_s = json_dumps(counts, JSON_COMPACT | JSON_PRESERVE_ORDER);
	items = erase_items_ja(service);
	e = erase_certificate_pdf(id, service, sv->label_ja, sv->label_ja, items, counts_s,
				  asker.login, confirmer.login, now, fp, medium, &cert);
	if (e != ERR_OK)
		goto fail;
	struct store_stmt *st = store_prepare(
	    c, "UPDATE erasures SET state = 'done', confirmed_by = ?, done_ms = ?, fingerprint = ?, "
	       "counts = ?, certificate = ? WHERE id = ? AND state = 'pending'");
	e = ERR_DB;
	if (!st)
		goto fail;
	store_bind_int(st, 1, user_id);
	store_bind_int(st, 2, now);
	store_bind_text(st, 3, fp);
	store_bind_text(st, 4, counts_s);
	store_bind_blob(st, 5, cert.data, cert.len);
	store_bind_int(st, 6, id);
	e = store_run(st);
	store_finish(st);
	if (e != ERR_OK)
		goto fail;
	char object[64], detail[160];
	snprintf(object, sizeof object, "service:%s", service);
	snprintf(detail, sizeof detail, "key %s destroyed; %lld rows deleted; asked by user:%lld",
		 fp, (long long)total, (long long)asker_id);
	e = audit_append(c, a->vault, actor, "erase.done", object, detail);
	if (e == ERR_OK)
		e = store_commit(c);
	if (e != ERR_OK)
		goto fail;
	committed = 1;
	keyring_replace_done(a->keys, undo, 1);
	undo = NULL;
	store_release(c);
	c = NULL;
	log_info("erase: %s erased (key %s, %lld rows)", service, fp, (long long)total);
	if (sv->forget)
		sv->forget(a); /* names the running server kept in memory: wiped now */
	/* Earlier backups: the key file that opens them no longer holds the old key. */
	*why = rewrite_keys_file(a);
	/* The deleted rows out of the database's files (SQLite's WAL; PostgreSQL's pages). */
	for (size_t i = 0; i < ntables; i++)
		if (store_scrub(a->store, tables[i]) != ERR_OK)
			log_warn("erase: %s could not be scrubbed now", tables[i]);
	if (store_scrub(a->store, "outbox") != ERR_OK)
		log_warn("erase: outbox could not be scrubbed now");
	if (pdf)
		buf_append(pdf, cert.data, cert.len);
	goto out;
fail:
	if (!*why)
		*why = "消去できませんでした（何も消していません。ログを見てください）";
	if (c)
		store_rollback(c);
	keyring_replace_done(a->keys, undo, 0);
	undo = NULL;
out:
	(void)committed;
	if (c) {
		store_rollback(c);
		store_release(c);
	}
	json_decref(counts);
	free(counts_s);
	free(service);
	free(medium);
	free(items);
	buf_free(&cert);
	return e;
}
