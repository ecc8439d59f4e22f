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
struct vault;

/* The service's name: the name of its data key, of its rows in the outbox and the ledger. */
#define ATTENDANCE_SERVICE "attendance"
/* Returns attendance's own vault: every field it seals and every blind index it keeps is under
 * this key (one personal-information file, one key). Lives as long as a. */
const struct vault *attendance_vault(struct app *a);

#define SCAN_REPEAT_MS (60 * 1000) /* the same card again within this is not recorded */

struct site {
	int64_t id;
	char code[16];
	char name[256];
	char type[16];
	char opens[6];
	char closes[6];
	char arrival[6];      /* expected arrival (the opening time unless set) */
	int grace_min;        /* a planned child not in by arrival + grace raises an alert */
	char deadline[6];     /* same-day plan changes close at this time */
	char phone[24];       /* the facility's phone, shown to guardians */
	char alert_email[256]; /* the facility's mailbox for alerts ("" none) */
	int alert_guardians;  /* 1: a not-arrived alert is mailed to the guardians too */
};

/* Adds a site. ERR_INVALID with *why (static text) for a bad code, name, type or hours;
 * ERR_CONFLICT when the code exists. */
enum err site_add(struct app *a, const char *code, const char *name, const char *type,
		  const char *opens, const char *closes, const char **why);
/* Loads the site with code into *s. ERR_NOTFOUND when there is none. */
enum err site_find(struct store_conn *c, const char *code, struct site *s);
/* Loads the site with id into *s. */
enum err site_get(struct store_conn *c, int64_t id, struct site *s);
/* Stores s's hours and settings (the site s->id), audited as actor. ERR_INVALID with *why
 * (static text) for a bad value. */
enum err site_update(struct app *a, const char *actor, const struct site *s, const char **why);

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
struct store_stmt;
/* Steps st (a query whose column 0 is guardians.email_enc) to its end and queues one notice to
 * each address on c, in the caller's transaction (bulk mail goes through src/bulk/); with h
 * (mail_handoff_new, may be NULL) they are claimed for this server's sender and handed to it
 * when the caller commits h. *count is the number queued. The caller still finishes st. */
struct mail_handoff;
enum err guardian_mail_each(struct app *a, struct store_conn *c, struct store_stmt *st,
			    const char *send_id, const char *subject, const char *body,
			    struct mail_handoff *h, size_t *count);
/* Marks guardian_id confirmed directly (the demo's generated guardians), on c. */
enum err guardian_confirm_direct(struct store_conn *c, int64_t guardian_id);

/* Issues a new card to child_id on c (inside the caller's transaction), revoking older ones.
 * *code (malloc'd, caller frees) is the new card's code. */
enum err card_issue(struct app *a, struct store_conn *c, int64_t child_id, char **code);

/* The outcome of a scan. */
struct scan_result {
	int recorded;        /* 0 when it was the same card again within SCAN_REPEAT_MS */
	char direction[4];   /* "in" or "out" */
	int64_t at_ms;
	char *child_name;    /* malloc'd; free with vault_wipe_free */
	size_t mails;        /* messages queued */
	char site_name[256]; /* the kiosk's site, for the answer */
};
/* Records a scan of card code at kiosk_id (of site_id) at time at_ms (0: now, read inside the
 * shared transaction, so live scans are timed in commit order): looks the card up, decides
 * the direction, stores the scan, and queues one mail per confirmed guardian, all in one
 * transaction. ERR_NOTFOUND for an unknown or revoked card, ERR_FORBIDDEN for another site's
 * card (*why names it). */
enum err scan_record(struct app *a, int64_t kiosk_id, int64_t site_id, const char *code,
		     int64_t at_ms, struct scan_result *res, const char **why);
/* Told how a scan queued by scan_record_async ended: e and *why as scan_record returns them,
 * res as it fills it (valid during the call only: the child's name is wiped after it), and
 * unavailable when it failed for want of a reachable database. Runs on the thread that
 * committed the scan, which must not wait on the store. */
typedef void (*scan_done_fn)(void *arg, enum err e, const struct scan_result *res,
			     const char *why, int unavailable);
/* Records a scan as scan_record does, without waiting for its commit: queues it for the next
 * group commit and returns; done(arg, …) is called once, after that commit. Returns ERR_OK
 * when queued, else an error (done is not called: the caller may use scan_record). */
enum err scan_record_async(struct app *a, int64_t kiosk_id, int64_t site_id, const char *code,
			   int64_t at_ms, scan_done_fn done, void *arg);
/* Records a staff member's manual entry or exit (a forgotten card) of child_no at site_id by
 * user_id: direction "in" or "out" must be the opposite of the child's state today; reason
 * (1-200 characters, no control characters) is stored sealed ("scans.reason"). The scan has no
 * card and no kiosk; guardians' mails are queued as for a card scan (marked as entered by
 * staff) and the audit entry "scan.manual" is written, all in one transaction (group commit).
 * The caller checks that user_id may see site_id. *why (static text) explains an error:
 * ERR_INVALID (direction, reason, child_no), ERR_NOTFOUND (unknown or inactive child),
 * ERR_FORBIDDEN (a child of another site), ERR_CONFLICT (already present / not present).
 * res->child_name is malloc'd (free with vault_wipe_free). */
enum err scan_record_manual(struct app *a, int64_t user_id, int64_t site_id,
			    const char *child_no, const char *direction, const char *reason,
			    struct scan_result *res, const char **why);

/* Who collected a child at a check-out (お迎え). */
struct checkout_who {
	char name[256], relation[256];
};
/* Records that pickup person pickup_id collected child_no at site_id, as staff user_id: a
 * present child is checked out now (an exit entered by staff; the guardians' mail names the
 * collector); a child who left today without a recorded collector gets it attached. The
 * caller checks that user_id may see site_id. *who is the collector. *why explains an error:
 * ERR_INVALID (no such pickup person of the child), ERR_NOTFOUND (child), ERR_FORBIDDEN
 * (another site's child), ERR_CONFLICT (not here today, collector already recorded).
 * res->child_name is malloc'd (free with vault_wipe_free). Audited ("scan.pickup"). */
enum err scan_record_checkout(struct app *a, int64_t user_id, int64_t site_id,
			      const char *child_no, int64_t pickup_id, struct scan_result *res,
			      struct checkout_who *who, const char **why);

/* Emergency mail (緊急時の一斉メール配信, emergency.c): attendance's kind of bulk send
 * (src/bulk/): the list 緊急連絡 (which may not be left), the confirmed guardians of the chosen
 * sites ("G01,G02", or "*" for every site), site staff's scope of their own sites, and the
 * roster's names and addresses as the personal data a message must not hold. */
struct bulk_kind;
extern const struct bulk_kind emergency_kind;
#define EMERGENCY_SITES_MAX 100 /* codes in one request */
/* Returns "A,B,C" of the distinct site codes (ncodes 0: "*", every site) after checking that
 * each names a site (malloc'd; caller frees), or NULL with *e set (ERR_INVALID with *why, a
 * static Japanese sentence, for an unknown code). */
char *emergency_sites_join(struct app *a, const char *const *codes, size_t ncodes, enum err *e,
			   const char **why);
/* Counts on c the audience of a send to sites (comma-separated codes, or "*"): confirmed
 * guardians of active children there, each once, as of now. */
enum err emergency_audience_count(struct store_conn *c, const char *sites, size_t *n);

/* The service's subcommands (cli.c, cli_report.c, simulate.c): each takes argc/argv starting at
 * its own name and returns the exit status. */
int cmd_site(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_card(int argc, char **argv);
int cmd_kiosk(int argc, char **argv);
int cmd_report(int argc, char **argv);
/* `simulate-day`: a whole ward's club day with injected time (simulate.c). */
int cmd_simulate_day(int argc, char **argv);
/* `simulate-history`: a demo ward's past club days written in bulk (sim_history.c). */
int cmd_simulate_history(int argc, char **argv);
struct demo_out;
/* Its part of `mimamori demo` (demo.c): with a NULL checks the options (--children,
 * --codes-out) and returns 0, or 2 after printing why; with the app adds the clubs, children,
 * guardians, site staff, kiosks and cards. Returns 0 or the exit status. */
int attendance_demo(struct app *a, struct demo_out *d);

#endif
