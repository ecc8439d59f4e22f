/* SPDX-License-Identifier: MIT */
/* erase.h — erasing a service at its contract's end (データ消去): one ward administrator asks,
 * another confirms; then the service's data key is destroyed (a new one takes its place) and its
 * rows deleted in one transaction, the backups' key file rewritten without the old key (so every
 * earlier backup of the service is unreadable too), and a certificate (消去証明書, PDF) and an
 * audit entry are written. A service's tables and items are those its migrations' council
 * annotations give it (src/store/items.h: "-- 表: …; <service>"). */
#ifndef MIMAMORI_APP_ERASE_H
#define MIMAMORI_APP_ERASE_H
#include <stdint.h>

#include <jansson.h>

#include "base/buf.h"
#include "base/err.h"

struct app;

/* Puts up to max names of service's own tables (the migrations' annotations: owner service), in
 * the order the migrations made them, into tables (static strings) and returns their number.
 * Fixed lists (固定: the plazas, the bath places — filled by the migrations, no personal data)
 * are not among them: an erasure keeps them, so that the service can start again. */
size_t erase_tables(const char *service, const char **tables, size_t max);
/* Returns service's fixed lists, which an erasure keeps ("共育プラザ（plaza_plazas）", "、"-
 * separated; "（なし）" when none), malloc'd (caller frees). */
char *erase_kept_ja(const char *service);
/* Returns service's personal items (記録項目: the annotated columns of its tables that are 個人
 * or 要配慮, each once, "、"-separated; 要配慮 and sealed ones marked), malloc'd (caller frees). */
char *erase_items_ja(const char *service);

struct store_conn;
/* Deletes service's rows on c, inside the caller's transaction: its own tables (newest first)
 * and the platform's rows that are its (its mail and what hangs on it, its bulk sends and
 * templates). Adds each table's count to counts (a JSON object, borrowed) and their sum to
 * *total. The erasure itself, and a restore of a backup made before one (the service's rows
 * are then unreadable: its key is gone). */
enum err erase_rows(struct store_conn *c, const char *service, json_t *counts, int64_t *total);

/* Asks to erase service on behalf of ward administrator user_id (actor for the audit log): a
 * pending request another administrator must confirm. Returns its id in *id. ERR_NOTFOUND for
 * a service that is not registered or cannot be erased, ERR_CONFLICT when one is pending; *why
 * then says so (Japanese, static). */
enum err erase_request(struct app *a, const char *service, int64_t user_id, const char *actor,
		       int64_t *id, const char **why);
/* Returns the id of service's pending request in *id and who asked in *by. ERR_NOTFOUND when
 * none waits. */
enum err erase_pending(struct app *a, const char *service, int64_t *id, int64_t *by);
/* Confirms request id as ward administrator user_id and erases: the key replaced, the rows
 * deleted, the certificate made and stored, an audit entry (all in one transaction); then the
 * backups' key file rewritten and the deleted rows scrubbed from the database's files. The
 * certificate is appended to pdf when not NULL. ERR_FORBIDDEN when user_id asked for it
 * itself, ERR_NOTFOUND when id is no pending request, ERR_DB/ERR_CRYPTO on a failure (nothing
 * erased); *why says why (Japanese, static). ERR_OK with *why set: erased, but the key file
 * could not be rewritten (say so to the operator). */
enum err erase_confirm(struct app *a, int64_t id, int64_t user_id, const char *actor,
		       struct buf *pdf, const char **why);
/* Cancels pending request id (any ward administrator). ERR_NOTFOUND when none. */
enum err erase_cancel(struct app *a, int64_t id, const char *actor);

struct periodic;
/* Starts this server's watch of the erasures confirmed elsewhere — by another server on the
 * same database or by `mimamori erase` (erase_watch.c): every MIMAMORI_ERASE_WATCH_MS (2 s),
 * the new key of an erased service replaces the old one in memory and the service's forget
 * hook wipes what the server kept. Returns the job (stop it with periodic_stop), NULL when its
 * thread could not be started. */
struct periodic *erase_watch_start(struct app *a);
/* Appends the watch's gauge (the newest erasure followed) to b for /metrics. */
void erase_watch_metrics(struct buf *b);

/* Writes the certificate as a PDF into out. service, file_ja, items_ja: what was erased; counts:
 * the rows deleted per table (a JSON object's text); asker, confirmer: the two administrators'
 * logins; at_ms: when; fingerprint: the destroyed key's; medium: where the data lived. Returns
 * ERR_OK, ERR_IO or ERR_TOOLARGE. */
enum err erase_certificate_pdf(int64_t id, const char *service, const char *label,
			       const char *file_ja, const char *items_ja, const char *counts,
			       const char *asker, const char *confirmer, int64_t at_ms,
			       const char *fingerprint, const char *medium, struct buf *out);

#endif
