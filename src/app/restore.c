/* SPDX-License-Identifier: MIT */
/* restore.c — a backup file into a new data directory: the header checked (format, the backup
 * key's fingerprint), the whole content read and authenticated, mimamori.conf and the database
 * written (PostgreSQL: pg_restore into an empty database), then the keys of the backups' key
 * file wrapped under a new master key — except those erased since the backup, whose rows stay
 * unreadable. */
#include "app/lifecycle.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app.h"
#include "app/erase.h"
#include "base/buf.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "store/store.h"
#include "vault/backup_box.h"
#include "vault/escrow.h"
#include "vault/vault.h"

#define NAME_MAX_LEN 32
#define META_MAX ((size_t)64 << 20)

/* Returns s, or dflt when s is NULL. */
static const char *or_else(const char *s, const char *dflt)
{
	return s ? s : dflt;
}

/* Returns 1 when dir does not exist or is an empty directory; 0 otherwise. */
static int dir_free(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return errno == ENOENT;
	struct dirent *de;
	int empty = 1;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			empty = 0;
	closedir(d);
	return empty;
}

/* Reads exactly n bytes of content. ERR_INVALID when the content ends first. */
static enum err read_exact(struct vault_box_reader *r, void *p, size_t n)
{
	unsigned char *b = p;
	while (n > 0) {
		size_t got = 0;
		enum err e = vault_box_read(r, b, n, &got);
		if (e != ERR_OK)
			return e;
		if (got == 0)
			return ERR_INVALID;
		b += got;
		n -= got;
	}
	return ERR_OK;
}

/* Copies len bytes of content into f (or into mem when f is NULL). */
static enum err read_into(struct vault_box_reader *r, uint64_t len, FILE *f, struct buf *mem)
{
	unsigned char b[65536];
	enum err e = ERR_OK;
	while (len > 0 && e == ERR_OK) {
		size_t want = len < sizeof b ? (size_t)len : sizeof b;
		e = read_exact(r, b, want);
		if (e == ERR_OK && f && fwrite(b, 1, want, f) != want)
			e = ERR_IO;
		if (e == ERR_OK && !f && buf_append(mem, b, want) != ERR_OK)
			e = ERR_TOOLARGE;
		len -= want;
	}
	vault_wipe(b, sizeof b);
	return e;
}

/* Writes conf (a backup's mimamori.conf) to path without [store] url: the restored directory
 * names its own database (set after, for PostgreSQL). */
static enum err write_conf(const char *path, const char *conf)
{
	FILE *f = fopen(path, "wx");
	if (!f)
		return ERR_IO;
	int in_store = 0;
	const char *p = conf;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t l = nl ? (size_t)(nl - p + 1) : strlen(p);
		const char *q = p + strspn(p, " \t");
		if (*q == '[')
			in_store = strncmp(q, "[store]", 7) == 0;
		else if (in_store && strncmp(q, "url", 3) == 0 && strchr(" \t=", q[3]))
			q = NULL; /* dropped */
		if (q)
			fwrite(p, 1, l, f);
		p += l;
	}
	int bad = fflush(f) != 0 || fsync(fileno(f)) != 0;
	return fclose(f) != 0 || bad ? ERR_IO : ERR_OK;
}

/* Reads every section of the content: conf into conf, the SQLite file to db_path, a pg_dump to
 * dump_path, meta's rows into meta; then checks the final message came. */
static enum err read_sections(struct vault_box_reader *r, struct buf *conf, const char *db_path,
			      const char *dump_path, struct buf *meta, int *has_db)
{
	for (;;) {
		char name[NAME_MAX_LEN + 1];
		size_t nl = 0, got = 0;
		enum err e = vault_box_read(r, name, 1, &got);
		if (e != ERR_OK)
			return e;
		if (got == 0)
			return ERR_OK; /* the end, authenticated */
		while (name[nl] != '\n') {
			if (++nl > NAME_MAX_LEN)
				return ERR_CRYPTO;
			e = read_exact(r, name + nl, 1);
			if (e != ERR_OK)
				return e;
		}
		name[nl] = '\0';
		unsigned char l[8];
		e = read_exact(r, l, 8);
		if (e != ERR_OK)
			return e;
		uint64_t len = 0;
		for (int i = 0; i < 8; i++)
			len = len << 8 | l[i];
		FILE *f = NULL;
		struct buf *mem = NULL;
		if (strcmp(name, "mimamori.conf") == 0)
			mem = conf;
		else if (strcmp(name, "meta") == 0)
			mem = meta;
		else if (strcmp(name, "mimamori.db") == 0 || strcmp(name, "pg_dump") == 0) {
			f = fopen(name[0] == 'm' ? db_path : dump_path, "wbx");
			if (!f)
				return ERR_IO;
			*has_db = 1;
		} else
			return ERR_CRYPTO;
		e = read_into(r, len, f, mem);
		if (f && (fflush(f) != 0 || fsync(fileno(f)) != 0) && e == ERR_OK)
			e = ERR_IO;
		if (f && fclose(f) != 0 && e == ERR_OK)
			e = ERR_IO;
		if (e != ERR_OK)
			return e;
	}
}

/* The keys to restore: each named in the header whose key the key file still holds, into names;
 * the others (erased since) are named on report and put into erased (*m of them). Returns
 * ERR_CRYPTO when the platform's is missing. */
static enum err pick_keys(json_t *h, const struct keyring_escrow *es, const char **names,
			  size_t *n, const char **erased, size_t *m, FILE *report)
{
	const char *name;
	json_t *fp;
	*n = *m = 0;
	json_object_foreach(json_object_get(h, "keys"), name, fp) {
		if (!json_is_string(fp) || *n == 64 || *m == 64)
			continue;
		if (keyring_escrow_has(es, name, json_string_value(fp))) {
			names[(*n)++] = name;
			continue;
		}
		if (strcmp(name, VAULT_PLATFORM) == 0)
			return ERR_CRYPTO;
		const char *label = name;
		json_t *s;
		size_t i;
		json_array_foreach(json_object_get(h, "services"), i, s)
			if (strcmp(or_else(json_string_value(json_object_get(s, "name")), ""), name) == 0)
				label = or_else(json_string_value(json_object_get(s, "label")), name);
		fprintf(report, "消去済み: %s（%s）の鍵（指紋 %s）はバックアップ後に消去されています。"
				"このサービスの記録は復元しても読めません\n",
			label, name, json_string_value(fp));
		erased[(*m)++] = name;
	}
	return ERR_OK;
}

/* Deletes the rows of the n services erased since the backup from the restored store s (their
 * key is gone: every sealed field of them is unreadable), so the restored ward is as the live
 * one after the erasure — the service's pages answer "not found", not a key error. The count
 * goes on report. */
static enum err drop_erased(struct store *s, const char **erased, size_t n, FILE *report)
{
	if (n == 0)
		return ERR_OK;
	struct store_conn *c = store_acquire(s);
	json_t *counts = json_object();
	enum err e = store_begin(c);
	for (size_t i = 0; i < n && e == ERR_OK; i++) {
		int64_t total = 0;
		e = erase_rows(c, erased[i], counts, &total);
		if (e == ERR_OK)
			fprintf(report, "消去済み: %s の記録 %lld 件を復元先から削除しました\n",
				erased[i], (long long)total);
	}
	if (e == ERR_OK)
		e = store_commit(c);
	store_rollback(c);
	store_release(c);
	json_decref(counts);
	return e;
}

/* Removes what a failed restore wrote into dir (and dir when it made it). */
static void undo(const char *dir, int made_dir)
{
	static const char *const files[] = {"mimamori.conf", "mimamori.db", "mimamori.db-wal",
					    "mimamori.db-shm", "master.key", ".restore.dump", NULL};
	for (size_t i = 0; files[i]; i++) {
		char *p = xasprintf("%s/%s", dir, files[i]);
		unlink(p);
		free(p);
	}
	if (made_dir)
		rmdir(dir);
}

enum err backup_restore(const char *file, const char *dir, const char *key_path,
			const char *keys_path, const char *store_url, FILE *report,
			const char **why)
{
	unsigned char bkey[VAULT_BACKUP_KEY_LEN];
	char fp[VAULT_FINGERPRINT_LEN];
	struct buf conf, meta;
	char *header = NULL, *kp = NULL, *db = xasprintf("%s/mimamori.db", dir),
	     *dump = xasprintf("%s/.restore.dump", dir), *conf_path = xasprintf("%s/mimamori.conf", dir),
	     *master = xasprintf("%s/master.key", dir);
	json_t *h = NULL;
	struct keyring_escrow *es = NULL;
	struct vault_box_reader *r = NULL;
	struct store *s = NULL;
	int made_dir = 0, has_db = 0, ours = 0; /* ours: dir was empty or new, its files ours */
	enum err e = ERR_INVALID;
	FILE *f = NULL;
	buf_init(&conf, (size_t)1 << 20);
	buf_init(&meta, META_MAX);
	*why = NULL;
	if (!dir_free(dir)) {
		*why = "復元先のディレクトリが空ではありません。新しいディレクトリを指定してください";
		e = ERR_CONFLICT;
		goto out;
	}
	ours = 1;
	f = fopen(file, "rb");
	if (!f) {
		*why = "バックアップファイルを開けません";
		e = ERR_IO;
		goto out;
	}
	if (vault_box_read_header(f, &header) != ERR_OK || !(h = json_loads(header, 0, NULL)) ||
	    json_integer_value(json_object_get(h, "format")) != 1) {
		*why = "mimamori のバックアップファイルではありません（形式が違うか、壊れています）";
		goto out;
	}
	const char *engine = json_string_value(json_object_get(h, "engine"));
	const char *want = json_string_value(json_object_get(h, "backup_key"));
	if (!engine || !want) {
		*why = "バックアップファイルの見出しが壊れています";
		goto out;
	}
	e = vault_backup_key_read(key_path, bkey);
	if (e != ERR_OK) {
		*why = "バックアップ鍵のファイル（--key）を読めません";
		goto out;
	}
	vault_key_fingerprint(bkey, fp);
	if (strcmp(fp, want) != 0) {
		*why = "バックアップ鍵が違います（このバックアップの鍵の指紋は見出しにあります: "
		       "mimamori restore --info）";
		e = ERR_CRYPTO;
		goto out;
	}
	if (strcmp(engine, "sqlite") == 0 && store_url) {
		*why = "SQLite のバックアップは --store なしで復元します（PostgreSQL へは復元後に "
		       "migrate-store で移します）";
		e = ERR_INVALID;
		goto out;
	}
	if (strcmp(engine, "sqlite") != 0 && !store_url) {
		*why = "PostgreSQL のバックアップです。--store で空のデータベースを指定してください";
		e = ERR_INVALID;
		goto out;
	}
	if (!keys_path) {
		char *copy = xstrdup(file);
		kp = xasprintf("%s/backup-keys.mmk", dirname(copy));
		free(copy);
		keys_path = kp;
	}
	e = keyring_escrow_read(keys_path, bkey, &es);
	if (e != ERR_OK) {
		*why = e == ERR_NOTFOUND ? "バックアップの鍵ファイル（backup-keys.mmk）がありません"
					   "（--keys で指定してください）"
					 : "バックアップの鍵ファイル（backup-keys.mmk）を開けません"
					   "（別の鍵のものか、壊れています）";
		goto out;
	}
	if (mkdir(dir, 0700) == 0)
		made_dir = 1;
	else if (errno != EEXIST) {
		*why = "復元先のディレクトリを作れません";
		e = ERR_IO;
		goto out;
	}
	e = vault_box_open_read(f, bkey, header, &r);
	if (e == ERR_OK)
		e = read_sections(r, &conf, db, dump, &meta, &has_db);
	if (e == ERR_OK && (!has_db || !conf.len))
		e = ERR_INVALID;
	if (e == ERR_INVALID || e == ERR_CRYPTO) {
		*why = e == ERR_INVALID ? "バックアップファイルが途中で切れています（不完全なファイル"
					  "です。復元しません）"
					: "バックアップファイルが改ざんされているか壊れています"
					  "（復元しません）";
		goto out;
	}
	if (e != ERR_OK) {
		*why = "復元先に書けません（空き容量を確かめてください）";
		goto out;
	}
	e = write_conf(conf_path, conf.data);
	if (e == ERR_OK && store_url) {
		e = store_dump_load_pg(store_url, dump, meta.data ? meta.data : "");
		unlink(dump);
		if (e != ERR_OK) {
			*why = "PostgreSQL に復元できません（空のデータベースか、接続できるか確かめて"
			       "ください）";
			goto out;
		}
		e = app_conf_set(dir, "store", "url", store_url);
	}
	if (e != ERR_OK) {
		*why = "復元先に書けません";
		goto out;
	}
	e = store_open(store_url ? store_url : db, 0, 1, &s);
	if (e != ERR_OK) {
		*why = "復元したデータベースを開けません";
		goto out;
	}
	const char *names[64], *erased[64];
	size_t n = 0, m = 0;
	e = pick_keys(h, es, names, &n, erased, &m, report);
	if (e != ERR_OK) {
		*why = "鍵ファイルにこのバックアップの基盤の鍵がありません（別のディレクトリの鍵ファイル"
		       "です）";
		goto out;
	}
	e = keyring_restore(master, s, es, names, n);
	if (e != ERR_OK) {
		*why = "鍵を復元できません";
		goto out;
	}
	e = drop_erased(s, erased, m, report);
	if (e != ERR_OK) {
		*why = "消去済みのサービスの記録を復元先から削除できません";
		goto out;
	}
	fprintf(report, "%s を %s に復元しました（%s 作成、%s、スキーマ %lld）\n", file, dir,
		or_else(json_string_value(json_object_get(h, "created")), "?"), engine,
		(long long)json_integer_value(json_object_get(h, "schema_version")));
out:
	store_close(s);
	/* Only what this restore wrote: a refused directory's files are another ward's. */
	if (e != ERR_OK && ours)
		undo(dir, made_dir);
	vault_box_reader_free(r);
	keyring_escrow_free(es);
	if (f)
		fclose(f);
	vault_wipe(bkey, sizeof bkey);
	json_decref(h);
	free(header);
	free(kp);
	free(db);
	free(dump);
	free(conf_path);
	free(master);
	if (conf.data)
		vault_wipe(conf.data, conf.len);
	buf_free(&conf);
	buf_free(&meta);
	return e;
}
