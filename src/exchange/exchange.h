/* SPDX-License-Identifier: MIT */
/* exchange.h — secure file exchange (ファイル授受; issue 17 section 5): a contractor sends a file
 * to a named member of the ward's staff. The file is sealed under a key of its own, that key is
 * wrapped under a password the system makes and mails to the recipient apart from the link, and
 * at the file's expiry nothing of it remains. */
#ifndef MIMAMORI_EXCHANGE_EXCHANGE_H
#define MIMAMORI_EXCHANGE_EXCHANGE_H
#include <stddef.h>
#include <stdint.h>

#include "auth/role.h"
#include "base/err.h"

struct app;
struct store_conn;
struct vault;

#define EXCHANGE_SERVICE "exchange"
/* Who sends: the clubs' contractor and the benefits' contractors (grant/homehelp operators and
 * supervisors). Who receives: the ward's staff (the clubs' and the benefits'). */
#define EXCHANGE_SENDERS (ROLE_CONTRACTOR | ROLE_GRANT_OPERATOR | ROLE_GRANT_SUPERVISOR)
#define EXCHANGE_RECEIVERS                                                                         \
	(ROLE_WARD_STAFF | ROLE_WARD_ADMIN | ROLE_GRANT_STAFF | ROLE_GRANT_APPROVER)
#define EXCHANGE_NAME_MAX 200 /* bytes of a file's name */
#define EXCHANGE_HARD_MAX (8 * 1024 * 1024) /* the largest max_bytes (within HTTP_UPLOAD_MAX) */

/* The settings, section [exchange] of mimamori.conf. */
struct exchange_config {
	size_t max_bytes;      /* max_bytes: the largest file (default and at most 8 MiB) */
	int max_days;	       /* max_days: the longest expiry (default 14, at most 90) */
	int attempts;	       /* attempts: wrong passwords before a file locks (default 5) */
	int sweep_seconds;     /* sweep_seconds: the sweeper's period (default 300) */
	char scan_command[512]; /* scan_command: run on each file (stdin) before it is stored,
				 * e.g. "clamdscan --no-summary -"; empty: no scan */
};

/* Returns the service's key (its own data key). */
const struct vault *exchange_vault(struct app *a);
/* Reads the settings of a's data directory into *out (defaults for what is missing or bad,
 * with a warning in the log). */
void exchange_config_read(struct app *a, struct exchange_config *out);

/* What a sender gives. */
struct exchange_upload {
	int64_t sender_id;
	int64_t recipient_id; /* an active recipient (ex_recipients) */
	const char *name;     /* the file's name (one line, at most EXCHANGE_NAME_MAX bytes) */
	const char *type;     /* its media type as sent, or NULL */
	const void *data;
	size_t len;
	int days; /* 1..max_days */
};

/* Stores a file: scans it (scan_command), seals it under a new key, wraps the key under a new
 * password, and in one transaction stores the row, queues the two mails to the recipient (the
 * link, then the password, never together), and records the upload. Sets *id. On a refusal
 * *code is a stable machine code and *why a Japanese sentence (both static): ERR_INVALID
 * (bad name, empty, days, no such recipient; "virus_found"), ERR_TOOLARGE ("file_too_large"),
 * ERR_TEMP ("scan_failed"), ERR_DB. Refused scans are recorded too. The password is never
 * returned: only the recipient's mail has it. actor names the caller in the audit log. */
enum err exchange_put(struct app *a, const struct exchange_upload *u, const char *actor,
		      int64_t *id, const char **code, const char **why);

/* What a download gives: the file (malloc'd; caller wipes and frees with exchange_got_free). */
struct exchange_got {
	unsigned char *data;
	size_t len;
	char *meta; /* JSON {"name":…, "type":…} */
};
void exchange_got_free(struct exchange_got *g);

/* Opens file id for recipient user_id with password. Each try is counted before the password
 * is checked, so that no more than `attempts` wrong passwords are ever tried; a right one takes
 * its count back. ERR_NOTFOUND (not theirs, gone), ERR_TOOMANY ("file_locked"), ERR_FORBIDDEN
 * ("wrong_password"; *left says how many tries remain), ERR_DB. Every outcome is recorded. */
enum err exchange_get(struct app *a, int64_t id, int64_t user_id, const char *password,
		      const char *actor, struct exchange_got *out, int *left, const char **code,
		      const char **why);

/* Destroys file id before its expiry: by its sender (sender_id != 0 must match) or the ward's
 * administrator (sender_id 0). ERR_NOTFOUND when there is no such file of theirs. */
enum err exchange_withdraw(struct app *a, int64_t id, int64_t user_id, int64_t sender_id,
			   const char *actor);

/* Destroys every file whose expiry is at or before now: the row (the sealed file and its
 * wrapped key) deleted, the password mail's text blanked, the deletion recorded, and the
 * deleted bytes scrubbed from the database's files (store_scrub) — after any deletion, after
 * an earlier scrub of this process that could not finish, and always when scrub_always (the
 * command line's sweep: a scrub another process left waiting is not known here). Sets *n to
 * the number destroyed, also when the scrub must wait. ERR_OK, ERR_DB, or ERR_TEMP when the
 * scrub must be tried again (the sweeper does at its next turn). */
enum err exchange_sweep(struct app *a, int64_t now_ms, int scrub_always, int *n);

/* Runs cfg's scan command on data: 0 clean, 1 found (exit status 1), -1 could not scan. */
int exchange_scan(const struct exchange_config *cfg, const void *data, size_t len);

/* Fills out (at least 15 bytes) with a new password: three groups of four characters from an
 * alphabet with no look-alikes (about 59 bits), e.g. "k7mw-q2ds-9hpt". */
void exchange_password_new(char out[15]);

/* Sets a recipient: user login's name, department and mail address (sealed), active or not.
 * ERR_NOTFOUND for no such account, ERR_INVALID (why) for a role that does not receive or a
 * bad field. Sets *user_id. */
enum err exchange_recipient_set(struct app *a, struct store_conn *c, const char *login,
				const char *name, const char *dept, const char *mail, int active,
				int64_t *user_id, const char **why);
/* Takes login's account off the recipients (its name and mail kept for the list), on c in the
 * caller's transaction: ERR_OK with *user_id, or ERR_NOTFOUND with why (no such recipient). */
enum err exchange_recipient_stop(struct store_conn *c, const char *login, int64_t *user_id,
				 const char **why);

#endif
