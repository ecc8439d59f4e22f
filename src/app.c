/* SPDX-License-Identifier: MIT */
/* app.c — creating and opening a data directory (config file, master key, database). */
#include "app.h"

#include <stdarg.h>

#include "app/erase.h"
#include "app/service.h"
#include "auth/audit.h"
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/file.h"
#include "base/log.h"
#include "base/text.h"
#include "base/xalloc.h"
#include "mail/mail.h"
#include "store/store.h"
#include "vault/keyring.h"
#include "vault/vault.h"

#define CONF_NAME "mimamori.conf"
#define KEY_NAME "master.key"
#define DB_NAME "mimamori.db"
#define BOUNCE_LIMIT_DEFAULT 3
#define BOUNCE_LIMIT_MAX 100
#define MAX_CONNECTIONS_DEFAULT 4000
#define PER_IP_CONNECTIONS_DEFAULT 64
#define ENTRY_WORD_DEFAULT "入室"
#define EXIT_WORD_DEFAULT "退室"
#define WARD_WORD_MAX 8 /* characters of an entry/exit word */

static char *path_in(const char *dir, const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

static int exists(const char *p)
{
	struct stat sb;
	return stat(p, &sb) == 0;
}

enum err app_init_dir(const char *dir)
{
	const char *why = NULL;
	return app_init_dir_named(dir, NULL, NULL, &why);
}

/* Writes the [store] section of a new mimamori.conf to f. */
static void conf_store_section(FILE *f, const char *store_url)
{
	fputs("\n[store]\n"
	      "; the database: SQLite in this directory (mimamori.db) when url is not set, or a\n"
	      "; PostgreSQL database: a URL or a libpq connection string, e.g.\n"
	      ";   url = postgresql://mimamori@db.example.jp/mimamori?sslmode=verify-full\n"
	      "; (the password in ~mimamori/.pgpass, not here). The master key stays in this\n"
	      "; directory either way. See the operator guide.\n",
	      f);
	if (store_url)
		fprintf(f, "url = %s\n", store_url);
}

enum err app_init_dir_named(const char *dir, const char *from_name, const char *store_url,
			    const char **why)
{
	enum err e = ERR_IO;
	char *conf = path_in(dir, CONF_NAME), *key = path_in(dir, KEY_NAME),
	     *db = path_in(dir, DB_NAME);
	struct store *s = NULL;
	FILE *f = NULL;
	*why = NULL;
	if (exists(conf) || exists(key) || exists(db)) {
		*why = "すでにデータディレクトリがあります。上書きはしません";
		e = ERR_CONFLICT;
		goto out;
	}
	if (from_name && (text_line_check(from_name, MAIL_FROM_NAME_MAX) != TEXT_OK)) {
		e = ERR_INVALID;
		goto out;
	}
	if (store_url && !store_url_valid(store_url)) {
		*why = "--store には PostgreSQL の URL（postgresql://…）か接続文字列（host=… "
		       "dbname=…）を指定してください";
		e = ERR_INVALID;
		goto out;
	}
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		goto out;
	/* A database server first: one that cannot be reached, or that holds a ward already,
	 * refuses before anything is written here. */
	if (store_url) {
		e = store_open(store_url, 1, 1, &s);
		if (e == ERR_CONFLICT)
			*why = "このデータベースにはすでに mimamori のデータがあります。空のデータベースを"
			       "指定してください";
		else if (e != ERR_OK)
			*why = "データベースに接続できないか、使えません（ログを見てください）";
		if (e != ERR_OK)
			goto out;
		e = ERR_IO;
	}
	f = fopen(conf, "wx");
	if (!f)
		goto out;
	fprintf(f, "; mimamori.conf — settings of this data directory.\n"
		   "[server]\n"
		   "listen = 127.0.0.1:8080\n"
		   "; the address guardians' mail links point to\n"
		   "base_url = http://127.0.0.1:8080\n"
		   "; set to 1 when served over TLS (cookies get Secure)\n"
		   "secure_cookies = 0\n"
		   "; where a mail goes when a staff account is locked by failed sign-ins\n"
		   "; admin_alert_email = it-admin@example.jp\n"
		   "; behind nginx: its address, so that X-Real-IP names the client\n"
		   "; trusted_proxies = 127.0.0.1\n"
		   "; connections the server holds at most, and per client address (0: no limit)\n"
		   "; max_connections = 4000\n"
		   "; per_ip_connections = 64\n"
		   "; administrators (ward_admin, grant_supervisor) sign in with a second factor\n"
		   "; (TOTP): required sends one without it to enrolment before anything else;\n"
		   "; optional asks for it only once enrolled (tests, demos)\n"
		   "admin_second_factor = required\n"
		   "; /metrics answers loopback only, and others with Authorization: Bearer TOKEN\n"
		   "; when a token of 24 or more random characters is set (also read from [http])\n"
		   "; metrics_token = \n"
		   "\n[ward]\n"
		   "; the words for a child's coming in and going home, in the guardians' mails,\n"
		   "; the reports and on the pages (e.g. 登所 / 降所); up to %d characters each\n"
		   "entry_word = " ENTRY_WORD_DEFAULT "\n"
		   "exit_word = " EXIT_WORD_DEFAULT "\n",
		   WARD_WORD_MAX);
	/* [mail] stays the last section: an operator (and a test) appends mail settings. */
	conf_store_section(f, store_url);
	fprintf(f, "\n[mail]\n"
		   "; smtp://host:port or maildir:PATH (relative paths are inside this directory)\n"
		   "transport = maildir:mail\n"
		   "from = noreply@mimamori.invalid\n"
		   "; the sender's name guardians see: the ward's own name (e.g. 新宿区 学童クラブ)\n"
		   "from_name = %s\n"
		   "; permanent bounces (mail-in) after which an address gets no bulk mail\n"
		   "bounce_limit = 3\n"
		   "; SMTP sessions open at once; STARTTLS try|require|off; AUTH user and password\n"
		   "sessions = 8\n"
		   "tls = try\n"
		   "; user = \n"
		   "; password = \n"
		   "; per-domain pacing before the carriers' defaults: domain=SESSIONS/PER_MINUTE,...\n"
		   "; pace = docomo.ne.jp=2/300\n"
		   "; bounces (VERP return paths) and unsubscribe mails come back to this domain;\n"
		   "; the From domain when unset. Pipe them to `mimamori mail-in` (see the guide).\n"
		   "; bounce_domain = mimamori.example.jp\n"
		   "; domains whose mail goes as ISO-2022-JP (old phones), comma-separated; mail\n"
		   "; with characters outside JIS X 0208 (①, 髙, emoji) still goes as UTF-8\n"
		   "; iso2022jp = docomo.ne.jp, ezweb.ne.jp\n",
		   from_name ? from_name : MAIL_FROM_NAME_DEFAULT);
	if (fclose(f) != 0) {
		f = NULL;
		goto out;
	}
	f = NULL;
	if (!s) {
		e = store_open(db, 1, 1, &s);
		if (e != ERR_OK)
			goto out;
	}
	e = keyring_create(key, s);
out:
	if (f)
		fclose(f);
	store_close(s);
	free(conf);
	free(key);
	free(db);
	return e;
}

/* 1 when line (leading blanks skipped) is "name", blanks or '=' after it. */
static int sets(const char *line, const char *name)
{
	size_t n = strlen(name);
	return strncmp(line, name, n) == 0 && line[n] && strchr(" \t=", line[n]);
}

enum err app_conf_set(const char *dir, const char *section, const char *name, const char *value)
{
	char *conf = path_in(dir, CONF_NAME), *tmp = path_in(dir, CONF_NAME ".new");
	char *header = xasprintf("[%s]", section);
	FILE *in = fopen(conf, "r"), *out = NULL;
	enum err e = ERR_IO;
	char line[4096];
	int inside = 0, written = 0;
	if (!in)
		goto out;
	out = fopen(tmp, "w");
	if (!out)
		goto out;
	while (fgets(line, sizeof line, in)) {
		const char *p = line + strspn(line, " \t");
		if (*p == '[')
			inside = strncmp(p, header, strlen(header)) == 0;
		else if (inside && sets(p, name))
			continue; /* the old setting: replaced below the section's name */
		fputs(line, out);
		if (inside && *p == '[' && !written) {
			fprintf(out, "%s = %s\n", name, value);
			written = 1;
		}
	}
	if (!written)
		fprintf(out, "\n%s\n%s = %s\n", header, name, value);
	if (ferror(in) || fflush(out) != 0 || fsync(fileno(out)) != 0)
		goto out;
	if (fclose(out) != 0) {
		out = NULL;
		goto out;
	}
	out = NULL;
	if (rename(tmp, conf) == 0)
		e = ERR_OK;
out:
	if (in)
		fclose(in);
	if (out)
		fclose(out);
	if (e != ERR_OK)
		unlink(tmp);
	free(header);
	free(conf);
	free(tmp);
	return e;
}

static void set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = xstrdup(v);
}

/* bounce_limit: 1 to BOUNCE_LIMIT_MAX; anything else keeps the default, with a warning. */
static void set_bounce_limit(struct app *a, const char *value)
{
	char *end = NULL;
	errno = 0;
	long v = strtol(value, &end, 10);
	if (errno != 0 || end == value || *end != '\0' || v < 1 || v > BOUNCE_LIMIT_MAX) {
		log_warn("mimamori.conf: bounce_limit must be a number from 1 to %d; using %d",
			 BOUNCE_LIMIT_MAX, BOUNCE_LIMIT_DEFAULT);
		a->cfg.bounce_limit = BOUNCE_LIMIT_DEFAULT;
		return;
	}
	a->cfg.bounce_limit = (int)v;
}

/* The relay settings of [mail] (sessions, tls, ca, user, password, pace, bounce_domain,
 * iso2022jp) and the sender's display name (from_name) reach the sender as MIMAMORI_MAIL_<NAME>
 * environment variables, read when it starts (src/mail/sender.c); one already set in the
 * environment wins, so a test or an operator can override the file. */
static void mail_setting(const char *name, const char *value)
{
	static const char *const names[] = {"sessions",	     "tls",  "ca",	  "user",
					    "password",	     "pace", "iso2022jp", "bounce_domain",
					    "from_name"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (strcmp(name, names[i]) != 0)
			continue;
		char var[40];
		snprintf(var, sizeof var, "MIMAMORI_MAIL_%s", name);
		for (char *p = var + 14; *p; p++)
			*p = (char)toupper((unsigned char)*p);
		setenv(var, value, 0);
	}
}

/* A connection count of [server]: lo to hi; anything else keeps the default, with a warning. */
static void set_count(unsigned *dst, const char *name, const char *value, unsigned lo,
		      unsigned hi)
{
	char *end = NULL;
	errno = 0;
	unsigned long v = strtoul(value, &end, 10);
	if (errno != 0 || end == value || *end != '\0' || value[0] == '-' || v < lo || v > hi) {
		log_warn("mimamori.conf: %s must be a number from %u to %u; using %u", name, lo, hi,
			 *dst);
		return;
	}
	*dst = (unsigned)v;
}

/* entry_word / exit_word of [ward]: 1 to WARD_WORD_MAX characters on one line; anything else
 * keeps the default, with a warning. */
static void set_word(char **dst, const char *name, const char *value)
{
	if (text_line_check(value, WARD_WORD_MAX) != TEXT_OK || strpbrk(value, " \t")) {
		log_warn("mimamori.conf: [ward] %s must be 1 to %d characters without spaces; "
			 "keeping %s",
			 name, WARD_WORD_MAX, *dst);
		return;
	}
	set_str(dst, value);
}

/* admin_second_factor of [server]: required or optional; anything else keeps required. */
static void set_second_factor(struct app *a, const char *value)
{
	if (strcmp(value, "required") == 0 || strcmp(value, "optional") == 0) {
		a->cfg.second_factor_required = strcmp(value, "required") == 0;
		return;
	}
	log_warn("mimamori.conf: [server] admin_second_factor must be required or optional; "
		 "keeping required");
	a->cfg.second_factor_required = 1;
}

/* metrics_token of [http]: at least 24 printable characters without spaces; a shorter one is
 * refused (loopback only), with a warning. */
static void set_metrics_token(struct app *a, const char *value)
{
	size_t n = strlen(value);
	int ok = n >= 24 && n <= 256;
	for (size_t i = 0; ok && i < n; i++)
		ok = value[i] > ' ' && value[i] < 0x7f;
	if (!ok) {
		log_warn("mimamori.conf: [http] metrics_token must be 24 to 256 printable characters "
			 "without spaces; /metrics stays loopback only");
		return;
	}
	set_str(&a->cfg.metrics_token, value);
}

static int conf_handler(void *user, const char *section, const char *name, const char *value)
{
	struct app *a = user;
	if (strcmp(section, "server") == 0 && strcmp(name, "base_url") == 0) {
		set_str(&a->cfg.base_url, value);
		a->cfg.base_url_set = 1;
	} else if (strcmp(section, "server") == 0 && strcmp(name, "admin_alert_email") == 0)
		set_str(&a->cfg.admin_alert_email, value);
	else if (strcmp(section, "server") == 0 && strcmp(name, "trusted_proxies") == 0)
		set_str(&a->cfg.trusted_proxies, value);
	else if (strcmp(section, "server") == 0 && strcmp(name, "max_connections") == 0)
		set_count(&a->cfg.max_connections, name, value, 16, 60000);
	else if (strcmp(section, "server") == 0 && strcmp(name, "per_ip_connections") == 0)
		set_count(&a->cfg.per_ip_connections, name, value, 0, 60000);
	else if (strcmp(section, "server") == 0 && strcmp(name, "listen") == 0)
		set_str(&a->cfg.listen, value);
	else if (strcmp(section, "server") == 0 && strcmp(name, "secure_cookies") == 0)
		a->cfg.secure_cookies = strcmp(value, "1") == 0;
	else if (strcmp(section, "mail") == 0 && strcmp(name, "transport") == 0)
		set_str(&a->cfg.mail_url, value);
	else if (strcmp(section, "mail") == 0 && strcmp(name, "from") == 0)
		set_str(&a->cfg.mail_from, value);
	else if (strcmp(section, "mail") == 0 && strcmp(name, "bounce_limit") == 0)
		set_bounce_limit(a, value);
	else if (strcmp(section, "mail") == 0)
		mail_setting(name, value);
	else if (strcmp(section, "store") == 0 && strcmp(name, "url") == 0)
		set_str(&a->cfg.store_url, value);
	else if (strcmp(section, "server") == 0 && strcmp(name, "admin_second_factor") == 0)
		set_second_factor(a, value);
	else if ((strcmp(section, "http") == 0 || strcmp(section, "server") == 0) &&
		 strcmp(name, "metrics_token") == 0)
		set_metrics_token(a, value);
	else if (strcmp(section, "ward") == 0 && strcmp(name, "entry_word") == 0)
		set_word(&a->cfg.entry_word, name, value);
	else if (strcmp(section, "ward") == 0 && strcmp(name, "exit_word") == 0)
		set_word(&a->cfg.exit_word, name, value);
	return 1;
}

enum err app_open(const char *dir, int pool_size, struct app **out)
{
	enum err e = ERR_IO;
	struct app *a = xcalloc(1, sizeof *a);
	char *conf = path_in(dir, CONF_NAME), *key = path_in(dir, KEY_NAME),
	     *db = path_in(dir, DB_NAME);
	a->data_dir = xstrdup(dir);
	file_guard_dir(dir); /* no export may replace this ward's own files */
	a->cfg.base_url = xstrdup("http://127.0.0.1:8080");
	a->cfg.listen = xstrdup("127.0.0.1:8080");
	a->cfg.mail_url = xstrdup("maildir:mail");
	a->cfg.mail_from = xstrdup("noreply@mimamori.invalid");
	a->cfg.bounce_limit = BOUNCE_LIMIT_DEFAULT;
	a->cfg.max_connections = MAX_CONNECTIONS_DEFAULT;
	a->cfg.per_ip_connections = PER_IP_CONNECTIONS_DEFAULT;
	a->cfg.entry_word = xstrdup(ENTRY_WORD_DEFAULT);
	a->cfg.exit_word = xstrdup(EXIT_WORD_DEFAULT);
	a->cfg.second_factor_required = 1;
	if (!exists(conf) || !exists(key)) {
		e = ERR_NOTFOUND;
		goto out;
	}
	if (ini_parse(conf, conf_handler, a) < 0) {
		e = ERR_IO;
		goto out;
	}
	/* [store] url names a database server; without it the database is this directory's. */
	if (a->cfg.store_url && !store_url_valid(a->cfg.store_url)) {
		log_error("mimamori.conf: [store] url is not a PostgreSQL URL or connection string");
		e = ERR_INVALID;
		goto out;
	}
	if (!a->cfg.store_url && !exists(db)) {
		e = ERR_NOTFOUND;
		goto out;
	}
	/* A relative maildir path lives inside the data directory. */
	if (strncmp(a->cfg.mail_url, "maildir:", 8) == 0 && a->cfg.mail_url[8] != '/') {
		char *abs = xasprintf("maildir:%s/%s", dir, a->cfg.mail_url + 8);
		free(a->cfg.mail_url);
		a->cfg.mail_url = abs;
	}
	e = store_open(a->cfg.store_url ? a->cfg.store_url : db, 0, pool_size, &a->store);
	if (e != ERR_OK)
		goto out;
	e = keyring_open(key, a->store, &a->keys);
	if (e != ERR_OK)
		goto out;
	a->vault = keyring_platform(a->keys);
	if (keyring_upgraded(a->keys)) {
		/* The upgrade to a key per service goes into the chain (keyed with the same index
		 * key as the entries before it). */
		char object[48];
		snprintf(object, sizeof object, "key:%s", keyring_upgraded(a->keys));
		struct store_conn *c = store_acquire(a->store);
		e = audit_append(c, a->vault, "cli", "vault.keys_per_service", object,
				 "the one data key became this service's; the platform has its own");
		store_release(c);
		if (e != ERR_OK)
			goto out;
	}
	/* Every service's key now, outside any transaction: one made on first use inside a
	 * service's write transaction would wait for that very transaction. */
	for (const struct service *const *sv = app_services(); *sv; sv++)
		if (!keyring_vault(a->keys, (*sv)->name)) {
			e = ERR_CRYPTO;
			goto out;
		}
out:
	free(conf);
	free(key);
	free(db);
	if (e != ERR_OK) {
		app_close(a);
		return e;
	}
	*out = a;
	return ERR_OK;
}

void app_close(struct app *a)
{
	if (!a)
		return;
	mail_sender_stop(a->mail);
	keyring_free(a->keys);
	store_close(a->store);
	free(a->cfg.base_url);
	free(a->cfg.mail_url);
	free(a->cfg.mail_from);
	free(a->cfg.listen);
	free(a->cfg.admin_alert_email);
	free(a->cfg.trusted_proxies);
	free(a->cfg.entry_word);
	free(a->cfg.exit_word);
	vault_wipe_free(a->cfg.metrics_token);
	if (a->cfg.store_url) /* it may hold a password */
		vault_wipe_free(a->cfg.store_url);
	free(a->data_dir);
	free(a);
}

void app_metrics_write(struct app *a, struct buf *b)
{
	if (a->mail) {
		struct mail_stats ms;
		mail_sender_stats(a->mail, &ms);
		buf_printf(b,
			   "# HELP mimamori_mail_queue Messages waiting in the outbox.\n"
			   "# TYPE mimamori_mail_queue gauge\nmimamori_mail_queue %lld\n"
			   "# TYPE mimamori_mail_sent_total counter\nmimamori_mail_sent_total %lld\n"
			   "# TYPE mimamori_mail_failed_total counter\n"
			   "mimamori_mail_failed_total %lld\n"
			   "# TYPE mimamori_mail_deferred_total counter\n"
			   "mimamori_mail_deferred_total %lld\n"
			   "# HELP mimamori_mail_handed_total Notices handed to the sender in memory "
			   "by the transaction that queued them (a kiosk's scan's), without a claim.\n"
			   "# TYPE mimamori_mail_handed_total counter\n"
			   "mimamori_mail_handed_total %lld\n",
			   (long long)ms.queued, (long long)ms.sent, (long long)ms.failed,
			   (long long)ms.deferred, (long long)ms.handed);
		mail_sender_metrics(a->mail, b);
	}
	erase_watch_metrics(b);
	for (const struct service *const *sv = app_services(); *sv; sv++)
		if ((*sv)->metrics)
			(*sv)->metrics(a, b);
}

const struct vault *app_vault(struct app *a, const char *service)
{
	return keyring_vault(a->keys, service);
}

static const struct service *const no_services[] = {NULL};
static const struct service *const *registered = no_services;

void app_register_services(const struct service *const *list)
{
	registered = list ? list : no_services;
}

const struct service *const *app_services(void)
{
	return registered;
}

const struct service *app_service(const char *name)
{
	for (const struct service *const *sv = registered; *sv; sv++)
		if (strcmp((*sv)->name, name) == 0)
			return *sv;
	return NULL;
}

int cli_fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("mimamori: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return 2;
}

int cli_getopt(int argc, char **argv, const struct option *opts)
{
	opterr = 0; /* getopt's own lines are English */
	int ch = getopt_long(argc, argv, ":", opts, NULL);
	if (ch != '?' && ch != ':')
		return ch;
	/* The word the person typed, without a value given with '=' (no personal data). */
	const char *word = optind > 0 && optind <= argc ? argv[optind - 1] : "";
	int n = (int)strcspn(word, "=");
	if (ch == ':')
		fprintf(stderr, "mimamori: オプション %.*s のあとに値を書いてください\n", n, word);
	else if (optopt && word[n] == '=')
		fprintf(stderr, "mimamori: オプション %.*s は値をとりません\n", n, word);
	else
		fprintf(stderr, "mimamori: オプション %.*s はこのコマンドにはありません\n", n, word);
	return '?';
}

int cli_number(const char *s, long min, long max, long *out)
{
	char *end = NULL;
	errno = 0;
	long v = s && *s ? strtol(s, &end, 10) : 0;
	if (!s || !*s || errno || !end || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int cli_verb(int *argc, char ***argv, const char *verb)
{
	if (*argc < 2 || strcmp((*argv)[1], verb) != 0)
		return 0;
	(*argc)--;
	(*argv)++;
	optind = 1;
	return 1;
}

struct app *cli_open(const char *dir, int pool)
{
	struct app *a = NULL;
	enum err e = app_open(dir, pool, &a);
	if (e == ERR_NOTFOUND)
		fprintf(stderr, "mimamori: %s はデータディレクトリではありません（mimamori init --data %s "
				"で作成してください）\n",
			dir, dir);
	else if (e != ERR_OK)
		fprintf(stderr, "mimamori: %s を開けません: %s\n", dir, err_message_ja(e));
	return e == ERR_OK ? a : NULL;
}
