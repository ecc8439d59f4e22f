/* SPDX-License-Identifier: MIT */
/* http.h — requests, responses and routes as the services see them. Only src/http/ includes
 * <microhttpd.h>; handlers get a parsed request and fill a response. */
#ifndef MIMAMORI_HTTP_HTTP_H
#define MIMAMORI_HTTP_HTTP_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/role.h"
#include "auth/user.h"
#include "base/buf.h"
#include "base/err.h"

struct app;
struct http_conn; /* opaque: the underlying connection */

#define HTTP_MAX_PARAMS 4
#define HTTP_BODY_MAX (1024 * 1024)
#define HTTP_RESP_HEADERS 4
#define HTTP_RESP_PARTS 4

struct http_req {
	const char *method;
	const char *path;
	const char *params[HTTP_MAX_PARAMS]; /* the {} segments of the route, in order */
	const char *body;                    /* NUL-terminated; "" when none */
	size_t body_len;
	struct app *app;
	struct http_conn *conn;
	enum role role;      /* the caller's role (ROLE_PUBLIC when anonymous) */
	struct user user;    /* valid when role is a user role */
	int64_t kiosk_id;    /* valid when role == ROLE_KIOSK */
	int64_t kiosk_site_id;
	int64_t guardian_id; /* valid when role == ROLE_GUARDIAN */
	char actor[96];      /* who, for the audit log: "user:7", "kiosk:3", "guardian:5", "anon" */
	char client_addr[64]; /* the caller's IP address (a trusted proxy's X-Real-IP), or "" */
};

struct http_resp {
	unsigned status;
	const char *content_type; /* static string */
	struct buf body;
	char *set_cookie;         /* malloc'd Set-Cookie header value, or NULL */
	char *error;              /* malloc'd Japanese message for an error return, or NULL */
	const char *error_code;   /* static machine code for an error return, or NULL */
	struct {
		const char *name; /* static header name, e.g. "Content-Disposition" */
		char *value;      /* malloc'd */
	} headers[HTTP_RESP_HEADERS]; /* more headers of a successful response (downloads) */
	void (*after)(void *arg); /* run after the answer has been sent (http_after), or NULL */
	void *after_arg;
	/* A body sent without a copy (http_resp_parts): parts held alive by parts_arg until
	 * parts_free(parts_arg) runs, once the answer is sent or dropped. */
	struct http_part {
		const void *data;
		size_t len;
	} parts[HTTP_RESP_PARTS];
	size_t nparts;
	void (*parts_free)(void *arg);
	void *parts_arg;
	struct http_stream *stream; /* set by http_stream_open: the answer is an event stream */
};

/* A route: method, path pattern with {} for a segment parameter, roles allowed, handler. A
 * handler returns ERR_OK after filling rs, or an error; http_error sets its message. */
typedef enum err (*http_handler)(struct http_req *rq, struct http_resp *rs);
/* A bit of a route's roles that is no role: the route stays open to a user who must change a
 * password an administrator set (every other route but the public ones answers 403
 * password_change_required). */
/* (Bit 30, above every role: 1 << 16 was ROLE_YOUTH_WORKER's, which let a youth worker's
 * every route past the password-change and second-factor checks.) */
#define HTTP_PASSWORD_DUE_OK (1u << 30)
struct http_route {
	const char *method;
	const char *pattern;
	unsigned roles;  /* bitmask of enum role */
	unsigned flags;  /* HTTP_ROUTE_* below, or'ed; 1 (HTTP_ROUTE_NO_CSRF) for routes that
			  * need no CSRF token (sign-in, kiosk, public links) */
	http_handler handler;
	const char *summary;
};

/* Route flags. Without HTTP_ROUTE_ONE_CLICK a route takes only application/json bodies and
 * refuses a state-changing request whose Origin (or Referer) is another site's. */
#define HTTP_ROUTE_NO_CSRF 1u	/* no X-CSRF-Token needed */
#define HTTP_ROUTE_ONE_CLICK 2u /* RFC 8058 one-click: any body (form-encoded or multipart,
				 * the handler reads it), from any origin (a capability URL used
				 * without cookies) */
#define HTTP_ROUTE_THROTTLE_FAILED 4u /* sign-in by token: refused (429) while the caller's
				       * address is throttled; a 401 or 404 counts against it */
#define HTTP_ROUTE_THROTTLE_EACH 8u   /* every call counts against the caller's address */
#define HTTP_ROUTE_UPLOAD 16u	      /* a file as the body: up to HTTP_UPLOAD_MAX bytes of any
				       * Content-Type (the handler checks the type on the bytes) */
#define HTTP_ROUTE_HIDDEN 32u	      /* a signed-in caller without the route's role gets the
				       * 404 of a missing object ("not_found"), not a 403 that
				       * would say there is something there (casework) */
#define HTTP_ROUTE_DEFERS 64u	      /* the handler may answer after it returned (http_defer):
				       * it runs on the connection's worker, not on a waiting
				       * thread, and hands its answer to the thread that finishes
				       * its work (a kiosk's scan, answered after its group commit) */
/* The largest body of an HTTP_ROUTE_UPLOAD route (an 8 MiB receipt and its headers). */
#define HTTP_UPLOAD_MAX (9 * 1024 * 1024)

/* Returns the value of request header name (case-insensitive) or NULL; valid for the request. */
const char *http_header(struct http_req *rq, const char *name);
/* Returns the value of cookie name or NULL; valid for the request. */
const char *http_cookie(struct http_req *rq, const char *name);
/* Returns the positive decimal id in a path segment s (at most 15 digits), or 0 when s is not
 * one. */
int64_t http_param_id(const char *s);
/* Returns the value of query argument name or NULL; valid for the request. */
const char *http_query(struct http_req *rq, const char *name);

/* Parses the JSON body into a new reference (caller json_decref's). ERR_INVALID when the body
 * is not a JSON object; the response error is set. */
enum err http_json_body(struct http_req *rq, struct http_resp *rs, json_t **out);
/* Serialises obj as the 200 (or status) JSON response; steals the reference to obj. */
enum err http_json(struct http_resp *rs, unsigned status, json_t *obj);
/* Sets rs's error message (copied; Japanese, shown to a person) and returns e, for
 * `return http_error(rs, ERR_X, "…")`. The answer is {"code": err_code(e), "message": msg}. */
enum err http_error(struct http_resp *rs, enum err e, const char *msg);
/* As http_error, with a precise stable machine code (static snake_case text) instead of the
 * class of e. */
enum err http_error_as(struct http_resp *rs, enum err e, const char *code, const char *msg);
/* Adds header name (static) with value (copied) to a successful response; ERR_TOOLARGE when
 * HTTP_RESP_HEADERS are already set, ERR_INVALID for a value with CR or LF. */
enum err http_set_header(struct http_resp *rs, const char *name, const char *value);
/* Has fn(arg) run in the server's delayed-work thread a random 50-150 ms after the answer to
 * this request has been sent (work whose duration must show neither in the answer's timing nor
 * right after it); fn runs exactly once, whatever happens (at the latest when the server
 * stops), and owns arg. At most one per response. */
void http_after(struct http_resp *rs, void (*fn)(void *arg), void *arg);
/* An answer made after the handler returned, on another thread (HTTP_ROUTE_DEFERS routes). */
struct http_deferred;
/* For a handler of an HTTP_ROUTE_DEFERS route whose work finishes on another thread without
 * its waiting (a unit queued with store_group_submit): suspends the request's connection and
 * returns the handle that thread answers with — http_deferred_finish, exactly once, on every
 * path —; the handler then returns ERR_OK without touching rs. Returns NULL when the request
 * cannot be deferred (another route, or the server is stopping): the handler works as usual.
 * http_after is not available to a deferred answer. */
struct http_deferred *http_defer(struct http_req *rq);
/* Returns the response the finishing thread fills (http_json, http_error …); owned by d. */
struct http_resp *http_deferred_resp(struct http_deferred *d);
/* Answers a deferred request as a handler's result e would be (ERR_OK: the filled response;
 * unavailable: 503, the database could not be reached), resumes its connection and frees d.
 * Any thread. */
void http_deferred_finish(struct http_deferred *d, enum err e, int unavailable);
/* Returns the HTTP status for an error value (the one place that maps them). */
unsigned http_status_for(enum err e);

/* The server. routes is a table ending with a zero entry; the table must outlive the server.
 * web_dir is served for paths outside /api/. Returns ERR_IO when it cannot listen. */
struct http_server;
enum err http_server_start(struct app *a, const char *listen_addr, const char *web_dir,
			   const struct http_route *routes, struct http_server **out);
/* Stops the server and frees it; NULL is a no-op. */
void http_server_stop(struct http_server *srv);

/* Matches method+path against routes; on a match returns the route and fills params
 * (pointers into the scratch copy `scratch`, which must hold at least strlen(path)+1 bytes).
 * *path_known is 1 when some route has that path under another method. */
const struct http_route *http_route_match(const struct http_route *routes, const char *method,
					  const char *path, char *scratch,
					  const char *params[HTTP_MAX_PARAMS], int *path_known);

/* Long-lived answers (Server-Sent Events, src/http/stream.c). While nothing waits to be sent
 * the connection is suspended (MHD_suspend_connection): a subscriber holds no worker thread. */
struct http_stream;
/* Makes rs's answer an open text/event-stream (200, no-store, X-Accel-Buffering: no) and sets
 * *out to the stream, which the caller owns one reference of (http_stream_release); the
 * connection holds the other until it ends. The handler returns ERR_OK after this. */
void http_stream_open(struct http_resp *rs, struct http_stream **out);
/* Queues len bytes of data on s and wakes its connection. Returns 1, or 0 when the stream has
 * ended (the client left, or more than 256 KiB waited: a reader too slow is let go). */
int http_stream_send(struct http_stream *s, const char *data, size_t len);
/* 1 while s's connection is open. */
int http_stream_alive(struct http_stream *s);
/* Ends s after what is queued (the client reconnects: EventSource does). */
void http_stream_end(struct http_stream *s);
/* Drops the caller's reference; NULL is a no-op. */
void http_stream_release(struct http_stream *s);
/* Sets rs's body to the n parts (copied as pointers, not bytes) of memory that stays valid
 * until release(arg) is called, which happens exactly once, after the answer (or the
 * request's failure). n <= HTTP_RESP_PARTS. */
void http_resp_parts(struct http_resp *rs, const struct http_part *parts, size_t n,
		     void (*release)(void *arg), void *arg);

/* Counters for /metrics. */
void http_metrics_count(unsigned status);
/* Appends the HTTP counters in Prometheus text format to b. */
void http_metrics_write(struct buf *b);

#endif
