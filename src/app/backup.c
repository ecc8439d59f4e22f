/* SPDX-License-Identifier: MIT */
/* backup.c — [backup] settings and making a backup: the database copied online without its keys
 * (store_dump), mimamori.conf, and a header naming what is inside, encrypted with the backup
 * key (vault/backup_box.h); the backups' key file rewritten; the run recorded; rotation. */
#include "app/lifecycle.h"

#include <dirent.h>
#include <errno.h>
#include <ini.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app.h"
#include "app/service.h"
#include "auth/audit.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "store/store.h"
#include "vault/backup_box.h"
#include "vault/escrow.h"
#include "vault/keyring.h"
#include "vault/vault.h"

#define KEEP_DEFAULT 7
#define KEEP_MAX 3650
#define KEYS_FILE "backup-keys.mmk"
#define PREFIX "mimamori-"
#define SUFFIX ".mmbk"
#define COPY_CHUNK (64 * 1024)

static int conf_handler(void *user, const char *section, const char *name, const char *value)
{
	struct backup_settings *s = user;
	if (strcmp(section, "backup") != 0)
		return 1;
	if (strcmp(name, "dir") == 0 && value[0]) {
		free(s->dir);
		s->dir = xstrdup(value);
	} else if (strcmp(name, "key") == 0 && value[0]) {
		free(s->key_path);
		s->key_path = xstrdup(value);
	} else if (strcmp(name, "keep") == 0) {
		char *end = NULL;
		long v = strtol(value, &end, 10);
		if (end == value || *end || v < 1 || v > KEEP_MAX)
			log_warn("mimamori.conf: [backup] keep must be 1 to %d; using %d", KEEP_MAX,
				 s->keep);
		else
			s->keep = (int)v;
	} else if (strcmp(name, "time") == 0) {
		int m = clock_hhmm_minutes(value);
		if (m < 0)
			log_warn("mimamori.conf: [backup] time must be HH:MM; no nightly backup");
		s->time_min = m;
	}
	return 1;
}

/* A relative path of the configuration is inside the data directory. */
static void anchor(char **p, const char *dir)
{
	if ((*p)[0] != '/') {
		char *abs = xasprintf("%s/%s", dir, *p);
		free(*p);
		*p = abs;
	}
}

void backup_settings_read(const char *data_dir, struct backup_settings *s)
{
	char *conf = xasprintf("%s/mimamori.conf", data_dir);
	memset(s, 0, sizeof *s);
	s->dir = xstrdup("backups");
	s->key_path = xstrdup("backup.key");
	s->keep = KEEP_DEFAULT;
	s->time_min = -1;
	if (ini_parse(conf, conf_handler, s) < 0)
		log_warn("backup: cannot read mimamori.conf; the defaults of [backup] apply");
	free(conf);
	anchor(&s->dir, data_dir);
	anchor(&s->key_path, data_dir);
	s->keys_path = xasprintf("%s/" KEYS_FILE, s->dir);
}

void backup_settings_free(struct backup_settings *s)
{
	free(s->dir);
	free(s->key_path);
	free(s->keys_path);
	memset(s, 0, sizeof *s);
}

/* The header: what is inside, in one line of JSON (malloc'd). */
static char *header_json(struct app *a, const unsigned char *bkey, int64_t now)
{
	char iso[32], fp[VAULT_FINGERPRINT_LEN];
	clock_jst_iso(now, iso, sizeof iso);
	json_t *svcs = json_array();
	for (const struct service *const *sv = app_services(); *sv; sv++) {
		if (keyring_fingerprint(a->keys, (*sv)->name, fp) != ERR_OK)
			continue;
		json_array_append_new(svcs, json_pack("{s:s,s:s,s:s}", "name", (*sv)->name,
						      "label", (*sv)->label_ja, "key", fp));
	}
	/* Keys of the directory that no registered service has (the platform's, an old one). */
	json_t *keys = json_object();
	const char *names[64];
	size_t n = keyring_names(a->keys, names, 64);
	for (size_t i = 0; i < n; i++)
		if (keyring_fingerprint(a->keys, names[i], fp) == ERR_OK)
			json_object_set_new(keys, names[i], json_string(fp));
	vault_key_fingerprint(bkey, fp);
	json_t *h = json_pack("{s:i,s:s,s:s,s:I,s:i,s:o,s:o,s:s}", "format", 1, "engine",
			      store_engine_name(a->store), "created", iso, "created_ms",
			      (json_int_t)now, "schema_version", store_schema_version(a->store),
			      "services", svcs, "keys", keys, "backup_key", fp);
	char *s = json_dumps(h, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(h);
	return s;
}

/* Writes a section: its name, a newline, its length (8 bytes, big-endian), its bytes. */
static enum err section_head(struct vault_box_writer *w, const char *name, uint64_t len)
{
	unsigned char l[8];
	for (int i = 0; i < 8; i++)
		l[i] = (unsigned char)(len >> (56 - 8 * i));
	enum err e = vault_box_write(w, name, strlen(name));
	if (e == ERR_OK)
		e = vault_box_write(w, "\n", 1);
	if (e == ERR_OK)
		e = vault_box_write(w, l, 8);
	return e;
}

/* Writes the file at path as section name. */
static enum err section_file(struct vault_box_writer *w, const char *name, const char *path)
{
	struct stat sb;
	FILE *f = fopen(path, "rb");
	if (!f || fstat(fileno(f), &sb) != 0) {
		if (f)
			fclose(f);
		return ERR_IO;
	}
	enum err e = section_head(w, name, (uint64_t)sb.st_size);
	unsigned char *b = xmalloc(COPY_CHUNK);
	uint64_t left = (uint64_t)sb.st_size;
	while (e == ERR_OK && left > 0) {
		size_t got = fread(b, 1, COPY_CHUNK, f);
		if (got == 0 || got > left) {
			e = ERR_IO; /* the file changed under us */
			break;
		}
		e = vault_box_write(w, b, got);
		left -= got;
	}
	vault_wipe(b, COPY_CHUNK);
	free(b);
	fclose(f);
	return e;
}

/* Records the run, and an audit entry. */
static void record(struct app *a, int64_t started, const char *file, int64_t bytes, int ok,
		   enum backup_how how, const char *actor, const char *problem)
{
	static const char *const hows[] = {"cli", "nightly", "screen"};
	struct store_conn *c = store_acquire(a->store);
	enum err e = store_begin(c);
	struct store_stmt *st = e == ERR_OK ? store_prepare(
	    c, "INSERT INTO backup_runs(started_ms, finished_ms, file, bytes, ok, how, actor, "
	       "problem) VALUES (?, ?, ?, ?, ?, ?, ?, ?)") : NULL;
	if (st) {
		store_bind_int(st, 1, started);
		store_bind_int(st, 2, clock_now_ms());
		store_bind_text(st, 3, file);
		store_bind_int(st, 4, bytes);
		store_bind_int(st, 5, ok);
		store_bind_text(st, 6, hows[how]);
		store_bind_text(st, 7, actor);
		store_bind_text(st, 8, problem);
		e = store_run(st);
		store_finish(st);
	}
	char detail[64];
	snprintf(detail, sizeof detail, "%s %lld bytes", hows[how], (long long)bytes);
	const char *base = strrchr(file, '/');
	if (e == ERR_OK)
		e = audit_append(c, a->vault, actor, ok ? "backup.made" : "backup.failed",
				 base ? base + 1 : file, detail);
	if (e == ERR_OK)
		e = store_commit(c);
	if (e != ERR_OK)
		log_error("backup: cannot record the run (%s)", err_str(e));
	store_rollback(c);
	store_release(c);
}

static int by_name(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Removes the oldest backups of dir beyond keep (their names sort by time). */
static void rotate(const char *dir, int keep)
{
	DIR *d = opendir(dir);
	char **names = NULL;
	size_t n = 0, cap = 0;
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (strncmp(de->d_name, PREFIX, strlen(PREFIX)) != 0 || l < strlen(SUFFIX) ||
		    strcmp(de->d_name + l - strlen(SUFFIX), SUFFIX) != 0)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			names = xrealloc(names, cap * sizeof *names);
		}
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof *names, by_name);
	for (size_t i = 0; i < n; i++) {
		if (i + (size_t)keep < n) {
			char *p = xasprintf("%s/%s", dir, names[i]);
			if (unlink(p) == 0)
				log_info("backup: removed the old backup %s (keep %d)", names[i], keep);
			free(p);
		}
		free(names[i]);
	}
	free(names);
}

/* Writes the backup file at part (the database copy made at tmp first). */
static enum err write_file(struct app *a, const unsigned char *bkey, const char *part,
			   const char *tmp, int64_t now, const char **why)
{
	struct buf meta;
	struct vault_box_writer *w = NULL;
	char *conf = xasprintf("%s/mimamori.conf", a->data_dir), *header = NULL;
	FILE *f = NULL;
	buf_init(&meta, (size_t)1 << 30);
	enum err e = store_dump(a->store, tmp, &meta);
	if (e != ERR_OK) {
		*why = "データベースを写せません（PostgreSQL では pg_dump が使えるか確かめてください）";
		goto out;
	}
	header = header_json(a, bkey, now);
	f = fopen(part, "wbx");
	e = ERR_IO;
	*why = "バックアップファイルを書けません（置き場所と空き容量を確かめてください）";
	if (!f)
		goto out;
	e = vault_box_open_write(f, bkey, header, &w);
	if (e == ERR_OK)
		e = section_file(w, "mimamori.conf", conf);
	if (e == ERR_OK && strcmp(store_engine_name(a->store), "sqlite") == 0)
		e = section_file(w, "mimamori.db", tmp);
	if (e == ERR_OK && strcmp(store_engine_name(a->store), "sqlite") != 0) {
		e = section_file(w, "pg_dump", tmp);
		if (e == ERR_OK)
			e = section_head(w, "meta", meta.len);
		if (e == ERR_OK && meta.len)
			e = vault_box_write(w, meta.data, meta.len);
	}
	if (e == ERR_OK) {
		e = vault_box_close(w);
		w = NULL;
	}
	if (e == ERR_OK && fsync(fileno(f)) != 0)
		e = ERR_IO;
	if (e == ERR_OK)
		*why = NULL;
out:
	vault_box_writer_free(w);
	if (f && fclose(f) != 0 && e == ERR_OK)
		e = ERR_IO;
	free(header);
	free(conf);
	buf_free(&meta);
	return e;
}

enum err backup_make(struct app *a, const char *out, enum backup_how how, const char *actor,
		     char **made, int64_t *bytes, int *key_made, const char **why)
{
	struct backup_settings set;
	unsigned char bkey[VAULT_BACKUP_KEY_LEN];
	int64_t now = clock_now_ms();
	char *path = NULL, *part = NULL, *tmp = NULL;
	struct stat sb;
	enum err e = ERR_IO;
	backup_settings_read(a->data_dir, &set);
	*made = NULL;
	*bytes = 0;
	*key_made = 0;
	*why = NULL;
	if (mkdir(set.dir, 0700) != 0 && errno != EEXIST) {
		*why = "バックアップの置き場所（[backup] dir）を作れません";
		path = xstrdup(out ? out : set.dir);
		goto fail;
	}
	if (out) {
		path = xstrdup(out);
	} else {
		char stamp[32];
		clock_jst_iso(now, stamp, sizeof stamp);
		/* mimamori-YYYYMMDD-HHMMSS-NN.mmbk (NN: the first free of the second): names sort
		 * by time, which rotation relies on */
		for (int i = 1; i < 100; i++) {
			free(path);
			path = xasprintf("%s/" PREFIX "%.4s%.2s%.2s-%.2s%.2s%.2s-%02d" SUFFIX, set.dir,
					 stamp, stamp + 5, stamp + 8, stamp + 11, stamp + 14,
					 stamp + 17, i);
			if (stat(path, &sb) != 0)
				break;
		}
	}
	if (stat(path, &sb) == 0) {
		*why = "同じ名前のファイルがあります。上書きはしません";
		goto fail;
	}
	e = vault_backup_key_read(set.key_path, bkey);
	if (e == ERR_NOTFOUND) {
		e = vault_backup_key_create(set.key_path);
		if (e == ERR_OK) {
			*key_made = 1;
			e = vault_backup_key_read(set.key_path, bkey);
		}
	}
	if (e != ERR_OK) {
		*why = "バックアップ鍵（[backup] key）を読めないか作れません";
		goto fail;
	}
	part = xasprintf("%s.part", path);
	tmp = xasprintf("%s.db-part", path);
	unlink(tmp);
	e = write_file(a, bkey, part, tmp, now, why);
	unlink(tmp);
	if (e == ERR_OK && rename(part, path) != 0) {
		e = ERR_IO;
		*why = "バックアップファイルを書けません（置き場所と空き容量を確かめてください）";
	}
	if (e != ERR_OK) {
		unlink(part);
		goto fail;
	}
	/* The keys go only into the backups' key file, never into a backup. */
	if (keyring_escrow_write(a->keys, bkey, set.keys_path) != ERR_OK) {
		*why = "バックアップの鍵ファイル（backup-keys.mmk）を書けません。このバックアップは"
		       "復元できません";
		unlink(path);
		goto fail;
	}
	if (stat(path, &sb) == 0)
		*bytes = sb.st_size;
	if (!out)
		rotate(set.dir, set.keep);
	record(a, now, path, *bytes, 1, how, actor, NULL);
	*made = path;
	path = NULL;
	e = ERR_OK;
	goto done;
fail:
	e = ERR_IO;
	log_error("backup: failed: %s", *why ? *why : "?");
	record(a, now, path ? path : "?", 0, 0, how, actor, *why);
done:
	vault_wipe(bkey, sizeof bkey);
	backup_settings_free(&set);
	free(path);
	free(part);
	free(tmp);
	return e;
}
