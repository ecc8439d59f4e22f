/* SPDX-License-Identifier: MIT */
/* attendance.h — the entry/exit service (seed 000): sites, rosters, guardians' addresses,
 * cards, scans and the board. Handlers for its API routes are declared in attendance_api.h. */
#ifndef MIMAMORI_ATTENDANCE_ATTENDANCE_H
#define MIMAMORI_ATTENDANCE_ATTENDANCE_H
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct app;
struct store_conn;

#define SCAN_REPEAT_MS (60 * 1000) /* the same card again within this is not recorded */

struct site {
	int64_t id;
	char code[16];
	char name[256];
	char type[16];
	char opens[6];
	char closes[6];
};

/* Adds a site. ERR_INVALID with *why (static text) for a bad code, name, type or hours;
 * ERR_CONFLICT when the code exists. */
enum err site_add(struct app *a, const char *code, const char *name, const char *type,
		  const char *opens, const char *closes, const char **why);
/* Loads the site with code into *s. ERR_NOTFOUND when there is none. */
enum err site_find(struct store_conn *c, const char *code, struct site *s);
/* Loads the site with id into *s. */
enum err site_get(struct store_conn *c, int64_t id, struct site *s);

/* Result of a roster import. */
struct import_report {
	size_t rows, applied, rejected;
	size_t children_added, children_updated, guardians_added;
	char encoding[16];
};
/* Imports the roster CSV in data (len bytes). Good rows are applied, each row whole or not at
 * all; each bad row is reported through on_error(line, reason, ctx). New guardian addresses
 * get a confirmation mail (queued). ERR_INVALID when the file itself is unusable (*why). */
enum err roster_import(struct app *a, const char *data, size_t len, struct import_report *rep,
		       void (*on_error)(size_t line, const char *reason, void *ctx), void *ctx,
		       const char **why);

/* Creates a confirmation token for guardian_id and queues the mail with the link, on c inside
 * the caller's transaction. */
enum err guardian_confirm_request(struct app *a, struct store_conn *c, int64_t guardian_id,
				  const char *email);
/* Confirms the address whose link carried token. ERR_NOTFOUND for an unknown, used or expired
 * token. */
enum err guardian_confirm(struct app *a, const char *token);
/* Marks guardian_id confirmed directly (the demo's generated guardians), on c. */
enum err guardian_confirm_direct(struct store_conn *c, int64_t guardian_id);

/* Issues a new card to child_id on c (inside the caller's transaction), revoking older ones.
 * *code (malloc'd, caller frees) is the new card's code. */
enum err card_issue(struct app *a, struct store_conn *c, int64_t child_id, char **code);
/* Writes the A4 card sheet of site_code's active children with valid cards to path.
 * *count is the number of cards. */
enum err card_sheet(struct app *a, const char *site_code, const char *path, size_t *count);

/* The outcome of a scan. */
struct scan_result {
	int recorded;        /* 0 when it was the same card again within SCAN_REPEAT_MS */
	char direction[4];   /* "in" or "out" */
	int64_t at_ms;
	char *child_name;    /* malloc'd; free with vault_wipe_free */
	size_t mails;        /* messages queued */
};
/* Records a scan of card code at kiosk_id (of site_id) at time at_ms (0: now, read inside the
 * shared transaction, so live scans are timed in commit order): looks the card up, decides
 * the direction, stores the scan, and queues one mail per confirmed guardian, all in one
 * transaction. ERR_NOTFOUND for an unknown or revoked card, ERR_FORBIDDEN for another site's
 * card (*why names it). */
enum err scan_record(struct app *a, int64_t kiosk_id, int64_t site_id, const char *code,
		     int64_t at_ms, struct scan_result *res, const char **why);

#endif
