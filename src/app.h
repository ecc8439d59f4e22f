/* SPDX-License-Identifier: MIT */
/* app.h — one opened data directory: its configuration, store and keys. */
#ifndef MIMAMORI_APP_H
#define MIMAMORI_APP_H

#include "base/err.h"

struct store;
struct vault;
struct keyring;
struct mail_sender;

struct app_config {
	char *base_url;   /* public URL used in links sent by mail */
	char *mail_url;   /* transport: smtp://host:port or maildir:PATH */
	char *mail_from;  /* From: address ([mail] from; its display name is [mail] from_name) */
	char *listen;     /* default listen address for serve */
	int secure_cookies; /* 1 behind TLS */
	int bounce_limit;   /* hard bounces after which an address is bouncing (default 3) */
	/* hardening (issue 12), all in [server] */
	int base_url_set;         /* 1 when mimamori.conf names base_url (the public origin) */
	char *admin_alert_email;  /* admin_alert_email: sign-in lock alerts go here, or NULL */
	char *trusted_proxies;    /* trusted_proxies: IPv4 addresses of reverse proxies whose
				   * X-Real-IP names the client, comma-separated, or NULL */
	unsigned max_connections; /* max_connections: the HTTP connection limit (default 4000) */
	unsigned per_ip_connections; /* per_ip_connections: per client address (default 64; 0 =
				      * no limit) */
	char *entry_word;   /* [ward] entry_word: 入室 (default), 登所 … in mails, reports, pages */
	char *exit_word;    /* [ward] exit_word: 退室 (default), 降所 … */
	char *store_url;    /* [store] url: a PostgreSQL database, or NULL for DIR/mimamori.db */
	/* issue 19 */
	int second_factor_required; /* [server] admin_second_factor = required (default) | optional:
				     * an administrator without TOTP is sent to enrolment first */
	char *metrics_token;	    /* [http] metrics_token: /metrics for others than loopback with
				     * Authorization: Bearer TOKEN, or NULL (loopback only) */
};

struct app {
	char *data_dir;
	struct app_config cfg;
	struct store *store;
	struct keyring *keys;      /* one key per service and the platform's (vault/keyring.h) */
	const struct vault *vault; /* the platform's key: the audit chain, its own mail (lock
				    * alerts); a service seals with app_vault(a, its name) */
	struct mail_sender *mail;  /* only while serving */
};

/* Creates DIR with mimamori.conf, master.key (0600) and the database. ERR_CONFLICT when DIR
 * already holds a mimamori data directory. */
enum err app_init_dir(const char *dir);
/* As app_init_dir, with mimamori.conf's [mail] from_name set to from_name (the ward's name as
 * guardians know it, e.g. 「新宿区 学童クラブ」; NULL: the default), and with store_url (NULL:
 * SQLite in DIR) as [store] url: that PostgreSQL database, which must be empty, gets the schema
 * (the master key and mimamori.conf stay in DIR). On a refusal *why is a Japanese sentence
 * (static) or NULL: ERR_CONFLICT for an existing directory or a database holding a ward,
 * ERR_INVALID for a bad name or URL, ERR_DB when the database cannot be reached. */
enum err app_init_dir_named(const char *dir, const char *from_name, const char *store_url,
			    const char **why);
/* Sets name = value in section [section] of DIR's mimamori.conf: in place of the line that sets
 * it there, else below the section's name, else in a new section at the end; the new file is
 * synced and renamed over the old one. ERR_IO when it cannot. E.g. ("store", "url", URL) for
 * migrate-store and restore, ("server", "admin_second_factor", "optional") for the demo ward. */
enum err app_conf_set(const char *dir, const char *section, const char *name, const char *value);
/* Opens the data directory DIR (config, store with pool_size connections, the keyring and the
 * key of every registered service, app_register_services) into a new app in *out; caller frees
 * with app_close. */
enum err app_open(const char *dir, int pool_size, struct app **out);
/* Returns the vault of service (its own data key: what it seals and blinds), or NULL when the
 * key cannot be opened or made (logged). The keys of registered services are opened by
 * app_open, so for them it never fails; the vault lives as long as a. */
const struct vault *app_vault(struct app *a, const char *service);
struct buf;
/* Appends the application's gauges and counters (mail queue, and each service's own) to b for
 * /metrics. */
void app_metrics_write(struct app *a, struct buf *b);
/* Stops the mail sender if running, closes the store, wipes keys, frees a; NULL no-op. */
void app_close(struct app *a);

#endif
