/* SPDX-License-Identifier: MIT */
/* board.h — the staff board kept in memory per site (board_view.c), its rendering
 * (board_render.c) and its live updates (board_events.c). */
#ifndef MIMAMORI_ATTENDANCE_BOARD_H
#define MIMAMORI_ATTENDANCE_BOARD_H
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

struct app;
struct store_conn;
struct http_req;
struct http_resp;
struct vault_memo;

/* Renders site code's board for day (YYYY-MM-DD) on c: head gets the answer up to the minute
 * (`…"now":"`), b the rest (`","children":[…]…}`), *nchildren the children listed. The caller
 * owns both buffers (they hold names: wipe them). With memo (the site's, or NULL), names are
 * unsealed through it: a rendering unseals only what changed since the one before (the caller
 * ends the memo's round). ERR_NOTFOUND for no such site. */
enum err board_render(struct app *a, struct store_conn *c, const char *code, const char *day,
		      struct vault_memo *memo, struct buf *head, struct buf *b,
		      size_t *nchildren);

/* One rendering of a site's board, shared by the answers that send it; its memory is locked
 * (no swap) and wiped when the last reference goes. */
struct board_doc {
	int refs;
	int64_t site_id;
	int64_t version; /* sites.board_version it was rendered at (or after) */
	char day[16];
	char *mem;	  /* head then tail, one page-aligned locked allocation */
	size_t mem_len;
	size_t head_len, tail_len;
	size_t nchildren;
};

/* Reads site_id's board_version on c into *version. */
enum err board_version_read(struct store_conn *c, int64_t site_id, int64_t *version);
/* Sets *out to site (id, code)'s board for day at the database's current version, rendered
 * again only when the version or the day moved since the last rendering (one rendering at a
 * time per site; the others wait for it). The caller releases *out with board_doc_release. */
enum err board_view_get(struct app *a, struct store_conn *c, int64_t site_id, const char *code,
			const char *day, struct board_doc **out);
/* Drops a reference of d (NULL: nothing); the last one wipes and frees it. */
void board_doc_release(struct board_doc *d);
/* Writes d's ETag for the minute hhmm into out (n >= 96). */
void board_doc_etag(const struct board_doc *d, const char *hhmm, char *out, size_t n);
/* The static text "HH:MM" of the minute of the day of now_ms (Japan time). */
const char *board_minute_text(int64_t now_ms);
/* Wipes and frees every kept board (the server stops). */
void board_view_clear(void);
/* Wipes every kept board and the names kept for the next renderings, while serving (the
 * service's data was just erased); each site renders afresh on its next read. */
void board_view_forget(void);
/* Sets *boards to the renderings kept and *names to the unsealed texts kept for the next
 * renderings (for /metrics; a site rendering at that moment is not waited for, and its names
 * are left out). */
void board_view_kept(size_t *boards, size_t *names);

/* Starts the live updates' watcher thread (reads every site's version a few times a second
 * while someone subscribes; MIMAMORI_BOARD_WATCH_MS, default 100). ERR_IO when it cannot. */
enum err board_events_start(struct app *a);
/* Ends every subscription and stops the watcher. */
void board_events_stop(void);
/* GET /api/v1/sites/{code}/board/events: the board's Server-Sent Events. */
enum err api_board_events(struct http_req *rq, struct http_resp *rs);

#endif
