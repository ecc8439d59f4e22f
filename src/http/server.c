/* SPDX-License-Identifier: MIT */
/* server.c — the libmicrohttpd daemon: guards its connections (guard.c), reads bodies under a
 * cap, refuses foreign origins and non-JSON bodies, identifies the caller, enforces each
 * route's roles, CSRF and sign-in throttle, dispatches, and serves web/ for everything else. */
#include "http/http.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app.h"
#include "auth/approved_device.h"
#include "auth/audit.h"
#include "auth/device.h"
#include "auth/session.h"
#include "auth/throttle.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "http/guard.h"
#include "http/headers.h"
#include "http/later.h"
#include "http/metrics_access.h"
#include "http/origin.h"
#include "http/startup.h"
#include "http/stream.h"
#include "http/waiters.h"
#include "http/static_files.h"
#include "store/store.h"
#include "vault/vault.h"
#include "base/text.h"

/* Deadlines and limits of the connection guard (see guard.h and docs/architecture.md). */
#define HEADER_MS 10000	       /* a request's headers, from connect or the previous answer */
#define PRESSED_HEADER_MS 250 /* the same while connections are near the limit */
#define BODY_MS 60000	       /* a body, from its headers (1 MiB on a slow phone line) */
#define IDLE_S 30	       /* libmicrohttpd's own inactivity timeout */
#define FD_SPARE 256	       /* descriptors kept for the database, mail, files */

struct http_server {
	struct MHD_Daemon *d;
	struct app *app;
	const struct http_route *routes;
	char *web_dir;
	struct guard *guard;
	struct later *later; /* http_after's work, run a little after the answer */
	struct waiters *waiters; /* state-changing API requests (they wait on a durable commit) */
	/* Requests whose answer is made after their handler returned (http_defer): counted, so
	 * that the server stops only once every one has been answered. */
	pthread_mutex_t defer_mu;
	pthread_cond_t defer_cv;
	unsigned deferred;
	int defer_closed; /* stopping: no new deferral */
	char origin[HTTP_ORIGIN_MAX]; /* the public origin (base_url's, else the listen address's) */
	uint32_t proxies[GUARD_EXEMPT_MAX]; /* trusted reverse proxies (IPv4, network order) */
	size_t nproxies;
};

struct http_conn {
	struct MHD_Connection *mhd;
	/* Set while a handler runs on the connection's worker: it may answer later (http_defer). */
	struct http_server *srv;
	struct req_state *st;
	struct http_deferred *deferred; /* the handler deferred its answer */
};

/* A request answered after its handler returned (http_defer), its connection suspended. */
struct http_deferred {
	struct http_server *srv;
	struct MHD_Connection *mc;
	struct req_state *st;
	struct http_resp rs;
};

/* Per-request state kept across MHD's calls of the access handler; made by on_uri when the
 * request line arrives, freed by on_done. */
struct req_state {
	struct buf body;
	int too_large;
	int started; /* the access handler has been called: the headers are complete */
	int bad_uri; /* the raw URI holds an encoded NUL */
	void (*after)(void *arg); /* http_after's work, run by on_done */
	void *after_arg;
	/* A state-changing request handed to a waiting thread (its connection suspended):
	 * the answer it made, queued when the connection resumes. */
	int parked;
	struct MHD_Response *answer;
	unsigned answer_status;
};

/* Set on a waiting thread while it runs a parked request: that request's answer is kept in
 * its state instead of being queued from outside the connection's worker. */
static _Thread_local struct req_state *parking;

/* Queues r (status) on c, or keeps it for the parked request being run; takes r. */
static enum MHD_Result answer(struct MHD_Connection *c, unsigned status, struct MHD_Response *r)
{
	if (parking) {
		parking->answer = r;
		parking->answer_status = status;
		return MHD_YES;
	}
	enum MHD_Result ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

const char *http_header(struct http_req *rq, const char *name)
{
	return MHD_lookup_connection_value(rq->conn->mhd, MHD_HEADER_KIND, name);
}

const char *http_cookie(struct http_req *rq, const char *name)
{
	return MHD_lookup_connection_value(rq->conn->mhd, MHD_COOKIE_KIND, name);
}

const char *http_query(struct http_req *rq, const char *name)
{
	return MHD_lookup_connection_value(rq->conn->mhd, MHD_GET_ARGUMENT_KIND, name);
}

static void add_common_headers(struct MHD_Response *r, int api)
{
	http_security_headers(r);
	if (api)
		MHD_add_response_header(r, "Cache-Control", "no-store");
}

enum err http_set_header(struct http_resp *rs, const char *name, const char *value)
{
	if (strpbrk(value, "\r\n"))
		return ERR_INVALID;
	for (size_t i = 0; i < HTTP_RESP_HEADERS; i++) {
		if (!rs->headers[i].name) {
			rs->headers[i].name = name;
			rs->headers[i].value = xstrdup(value);
			return ERR_OK;
		}
	}
	return ERR_TOOLARGE;
}

/* extra (may be NULL) holds more headers of a handler's response. */
static enum MHD_Result send_buf(struct MHD_Connection *c, unsigned status, const char *type,
				struct buf *b, const char *cookie, int api,
				const struct http_resp *extra)
{
	size_t len = b->len;
	char *data = buf_steal(b);
	struct MHD_Response *r =
	    MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(data);
		return MHD_NO;
	}
	if (type)
		MHD_add_response_header(r, "Content-Type", type);
	if (cookie)
		MHD_add_response_header(r, "Set-Cookie", cookie);
	for (size_t i = 0; extra && i < HTTP_RESP_HEADERS && extra->headers[i].name; i++)
		MHD_add_response_header(r, extra->headers[i].name, extra->headers[i].value);
	add_common_headers(r, api);
	enum MHD_Result ret = answer(c, status, r);
	http_metrics_count(status);
	return ret;
}

static void parts_freed(void *cls)
{
	struct http_resp *hold = cls;
	hold->parts_free(hold->parts_arg);
	free(hold);
}

/* Sends rs's parts without copying them; the parts' owner is released when the library is
 * done with the answer (or here, when it could not take it). */
static enum MHD_Result send_parts(struct MHD_Connection *c, struct http_resp *rs)
{
	struct MHD_IoVec iov[HTTP_RESP_PARTS];
	unsigned n = (unsigned)rs->nparts;
	for (size_t i = 0; i < n; i++) {
		iov[i].iov_base = rs->parts[i].data;
		iov[i].iov_len = rs->parts[i].len;
	}
	struct http_resp *hold = xcalloc(1, sizeof *hold);
	hold->parts_free = rs->parts_free;
	hold->parts_arg = rs->parts_arg;
	rs->nparts = 0;
	rs->parts_free = NULL;
	struct MHD_Response *r =
	    MHD_create_response_from_iovec(iov, n, parts_freed, hold);
	if (!r) {
		parts_freed(hold);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type",
				rs->content_type ? rs->content_type
						 : "application/json; charset=utf-8");
	for (size_t i = 0; i < HTTP_RESP_HEADERS && rs->headers[i].name; i++)
		MHD_add_response_header(r, rs->headers[i].name, rs->headers[i].value);
	add_common_headers(r, 1);
	unsigned status = rs->status ? rs->status : 200;
	enum MHD_Result ret = answer(c, status, r);
	http_metrics_count(status);
	return ret;
}

/* Sends rs's event stream: 200, and the connection stays open for what is sent later. */
static enum MHD_Result send_stream(struct MHD_Connection *c, struct http_resp *rs)
{
	struct http_stream *s = rs->stream;
	rs->stream = NULL;
	struct MHD_Response *r = http_stream_response(s, c);
	if (!r) {
		http_stream_abandon(s);
		return MHD_NO;
	}
	add_common_headers(r, 1);
	/* the connection keeps it; its end releases the stream */
	enum MHD_Result ret = answer(c, 200, r);
	http_metrics_count(200);
	return ret;
}

/* The one error shape: {"code": stable machine code, "message": Japanese sentence}. */
static enum MHD_Result send_error(struct MHD_Connection *c, unsigned status, const char *code,
				  const char *msg)
{
	struct buf b;
	buf_init(&b, 4096);
	json_t *j = json_pack("{s:s,s:s}", "code", code, "message", msg);
	char *s = json_dumps(j, JSON_COMPACT);
	buf_puts(&b, s ? s : "{\"code\":\"server\",\"message\":\"エラーが発生しました。\"}");
	free(s);
	json_decref(j);
	return send_buf(c, status, "application/json; charset=utf-8", &b, NULL, 1, NULL);
}

/* Reads the session cookie or the bearer token and sets the caller's role. */
static void identify(struct http_server *srv, struct http_req *rq, char csrf[64])
{
	rq->role = ROLE_PUBLIC;
	snprintf(rq->actor, sizeof rq->actor, "anon");
	csrf[0] = '\0';
	const char *authz = http_header(rq, "Authorization");
	if (authz && strncmp(authz, "Bearer ", 7) == 0) {
		int64_t kid = 0, sid = 0;
		if (device_kiosk_check(srv->app->store, authz + 7, &kid, &sid) == ERR_OK) {
			rq->role = ROLE_KIOSK;
			rq->kiosk_id = kid;
			rq->kiosk_site_id = sid;
			snprintf(rq->actor, sizeof rq->actor, "kiosk:%lld", (long long)kid);
		}
		return;
	}
	const char *tok = MHD_lookup_connection_value(rq->conn->mhd, MHD_COOKIE_KIND, SESSION_COOKIE);
	int64_t uid = 0;
	if (tok && session_check(srv->app->store, tok, &uid, csrf) == ERR_OK &&
	    user_load(srv->app->store, uid, &rq->user) == ERR_OK &&
	    /* a sender's every request comes from its approved device (a revocation applies at
	     * once; a session cookie taken elsewhere is of no use) */
	    (!role_needs_device(rq->user.role) ||
	     approved_device_check(srv->app->store,
				   MHD_lookup_connection_value(rq->conn->mhd, MHD_COOKIE_KIND,
							       APPROVED_DEVICE_COOKIE),
				   uid) == ERR_OK)) {
		rq->role = rq->user.role;
		snprintf(rq->actor, sizeof rq->actor, "user:%lld", (long long)uid);
		return;
	}
	/* A guardian's session (/parent/) is a cookie of its own: one browser may hold both. */
	csrf[0] = '\0';
	tok = MHD_lookup_connection_value(rq->conn->mhd, MHD_COOKIE_KIND, SESSION_PARENT_COOKIE);
	if (tok && session_check_kind(srv->app->store, SESSION_GUARDIAN, tok, &uid, csrf) == ERR_OK) {
		rq->role = ROLE_GUARDIAN;
		rq->guardian_id = uid;
		snprintf(rq->actor, sizeof rq->actor, "guardian:%lld", (long long)uid);
		return;
	}
	csrf[0] = '\0';
}

static void audit_denial(struct http_server *srv, struct http_req *rq, const char *why)
{
	struct store_conn *c = store_acquire(srv->app->store);
	char object[160];
	snprintf(object, sizeof object, "%s %.120s", rq->method, rq->path);
	audit_append(c, srv->app->vault, rq->actor, "denied", object, why);
	store_release(c);
}

/* The caller's address as text into out: the peer's, or, when the peer is a trusted proxy,
 * the address its X-Real-IP names (when it is one). */
static void client_addr(struct http_server *srv, struct MHD_Connection *mc, char *out, size_t n)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	out[0] = '\0';
	if (!ci || !ci->client_addr || ci->client_addr->sa_family != AF_INET)
		return;
	const struct sockaddr_in *sin = (const struct sockaddr_in *)ci->client_addr;
	inet_ntop(AF_INET, &sin->sin_addr, out, (socklen_t)n);
	for (size_t i = 0; i < srv->nproxies; i++) {
		if (srv->proxies[i] != sin->sin_addr.s_addr)
			continue;
		const char *real = MHD_lookup_connection_value(mc, MHD_HEADER_KIND, "X-Real-IP");
		unsigned char tmp[16];
		if (real && strlen(real) < n &&
		    (inet_pton(AF_INET, real, tmp) == 1 || inet_pton(AF_INET6, real, tmp) == 1))
			snprintf(out, n, "%s", real);
		return;
	}
}

/* 1 when the media type of content type ct (parameters such as charset ignored) is type. */
static int media_type_is(const char *ct, const char *type)
{
	size_t n = strcspn(ct, ";");
	while (n > 0 && (ct[n - 1] == ' ' || ct[n - 1] == '\t'))
		n--;
	while (n > 0 && (*ct == ' ' || *ct == '\t')) {
		ct++;
		n--;
	}
	return n == strlen(type) && strncasecmp(ct, type, n) == 0;
}

static int state_changing(const char *method)
{
	return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 &&
	       strcmp(method, "OPTIONS") != 0;
}

static int has_bearer(struct MHD_Connection *mc)
{
	const char *a = MHD_lookup_connection_value(mc, MHD_HEADER_KIND, "Authorization");
	return a && strncmp(a, "Bearer ", 7) == 0;
}

/* The answer to a request refused because the server is near its connection limit: quick,
 * and the connection is closed after it. */
static enum MHD_Result send_busy(struct http_server *srv, struct MHD_Connection *mc, int api)
{
	static const char msg[] = "ただいま混み合っています。しばらくしてからもう一度お試しください。";
	guard_count_shed(srv->guard);
	if (!api)
		return http_plain(mc, 503, msg, "Retry-After", "5");
	struct buf b;
	buf_init(&b, 4096);
	buf_printf(&b, "{\"code\":\"busy\",\"message\":\"%s\"}", msg);
	size_t len = b.len;
	char *data = buf_steal(&b);
	struct MHD_Response *r = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(data);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", "application/json; charset=utf-8");
	MHD_add_response_header(r, "Retry-After", "5");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
	add_common_headers(r, 1);
	enum MHD_Result ret = answer(mc, 503, r);
	http_metrics_count(503);
	return ret;
}

/* The answer to a request that failed because the database could not be reached (its server
 * lost, a replica being promoted): 503 with Retry-After; nothing of it was stored, or, when it
 * failed at the commit, possibly was — a kiosk's scan sent again is told it was recorded. */
static enum MHD_Result send_unavailable(struct MHD_Connection *mc)
{
	struct http_resp extra = {0};
	extra.headers[0].name = "Retry-After";
	extra.headers[0].value = "2";
	struct buf b;
	buf_init(&b, 4096);
	buf_puts(&b, "{\"code\":\"database_unavailable\",\"message\":\""
		     "データベースに接続できないため、処理できませんでした。"
		     "数秒後にもう一度お試しください（サーバーの切り替え中の可能性があります）。\"}");
	return send_buf(mc, 503, "application/json; charset=utf-8", &b, NULL, 1, &extra);
}

/* The checks every API request passes before its caller is identified: a JSON body (or the
 * form of an RFC 8058 one-click), and, for a state change, an Origin (or Referer) of this
 * server's. Returns MHD_YES with *done 0 when the request may go on, else the refusal. */
static enum MHD_Result check_request(struct http_server *srv, struct MHD_Connection *mc,
				     struct http_req *rq, const struct http_route *r, int *done)
{
	*done = 1;
	if (!state_changing(rq->method)) {
		*done = 0;
		return MHD_YES;
	}
	/* RFC 8058 one-click posts come form-encoded or as multipart (its handler reads them);
	 * everything else is JSON. */
	const char *ct = http_header(rq, "Content-Type");
	if (!(r->flags & (HTTP_ROUTE_ONE_CLICK | HTTP_ROUTE_UPLOAD)) && (ct || rq->body_len > 0) &&
	    !(ct && media_type_is(ct, "application/json")))
		return send_error(mc, 415, "content_type",
				  "送信形式が正しくありません。JSON（Content-Type: "
				  "application/json）で送ってください。");
	/* A kiosk's bearer token is never attached by a browser on its own, so a foreign page
	 * cannot ride on it: Origin does not matter for it (kiosks may be set up by the server's
	 * IP address rather than its public name). */
	if (!(r->flags & HTTP_ROUTE_ONE_CLICK) && !has_bearer(mc) &&
	    !http_origin_allowed(srv->origin, http_header(rq, "Host"), http_header(rq, "Origin"),
				 http_header(rq, "Referer"))) {
		char msg[HTTP_ORIGIN_MAX + 256];
		audit_denial(srv, rq, "origin");
		snprintf(msg, sizeof msg,
			 "ほかのサイトからの操作は受け付けません。%s のページから操作してください。",
			 srv->origin);
		return send_error(mc, 403, "foreign_origin", msg);
	}
	*done = 0;
	return MHD_YES;
}

/* Answers a handler's result: e and its response rs, or 503 when it failed for want of a
 * reachable database (unavailable). Takes what rs holds for the answer (resp_free frees what
 * is left). */
static enum MHD_Result respond(struct MHD_Connection *mc, struct http_resp *rs, enum err e,
			       int unavailable)
{
	if (unavailable && e != ERR_OK)
		return send_unavailable(mc);
	if (e != ERR_OK)
		return send_error(mc, http_status_for(e), rs->error_code ? rs->error_code : err_code(e),
				  rs->error ? rs->error : err_message_ja(e));
	if (rs->stream)
		return send_stream(mc, rs);
	if (rs->parts_free)
		return send_parts(mc, rs);
	return send_buf(mc, rs->status ? rs->status : 200,
			rs->content_type ? rs->content_type : "application/json; charset=utf-8",
			&rs->body, rs->set_cookie, 1, rs);
}

/* Frees what a handler's response still holds (not rs itself). */
static void resp_free(struct http_resp *rs)
{
	/* A handler that failed after it made a stream or lent parts: nothing was queued. */
	if (rs->stream)
		http_stream_abandon(rs->stream);
	if (rs->parts_free)
		rs->parts_free(rs->parts_arg);
	buf_free(&rs->body);
	free(rs->set_cookie);
	free(rs->error);
	for (size_t i = 0; i < HTTP_RESP_HEADERS; i++)
		free(rs->headers[i].value);
}

struct http_deferred *http_defer(struct http_req *rq)
{
	struct http_conn *hc = rq->conn;
	if (!hc || !hc->srv || hc->deferred)
		return NULL;
	struct http_server *srv = hc->srv;
	pthread_mutex_lock(&srv->defer_mu);
	int closed = srv->defer_closed;
	if (!closed)
		srv->deferred++;
	pthread_mutex_unlock(&srv->defer_mu);
	if (closed)
		return NULL;
	struct http_deferred *d = xcalloc(1, sizeof *d);
	d->srv = srv;
	d->mc = hc->mhd;
	d->st = hc->st;
	buf_init(&d->rs.body, 64 * 1024 * 1024);
	hc->deferred = d;
	/* Before anything can finish it: the worker stops polling the connection now, and the
	 * answer is queued when it resumes (parked_answer). */
	d->st->parked = 1;
	MHD_suspend_connection(d->mc);
	return d;
}

struct http_resp *http_deferred_resp(struct http_deferred *d)
{
	return &d->rs;
}

void http_deferred_finish(struct http_deferred *d, enum err e, int unavailable)
{
	struct http_server *srv = d->srv;
	struct req_state *outer = parking;
	parking = d->st; /* the answer is kept for the connection's worker */
	respond(d->mc, &d->rs, e, unavailable);
	parking = outer;
	resp_free(&d->rs);
	MHD_resume_connection(d->mc);
	free(d);
	pthread_mutex_lock(&srv->defer_mu);
	if (--srv->deferred == 0)
		pthread_cond_broadcast(&srv->defer_cv);
	pthread_mutex_unlock(&srv->defer_mu);
}

static enum MHD_Result dispatch_api(struct http_server *srv, struct MHD_Connection *mc,
				    const char *method, const char *url, struct req_state *rs_)
{
	struct http_conn hc = {mc, NULL, NULL, NULL};
	struct http_req rq = {0};
	struct http_resp rs = {0};
	char csrf[64];
	char *scratch = xmalloc(strlen(url) + 1);
	int known = 0, done = 0;
	enum MHD_Result ret;
	rq.method = method;
	rq.path = url;
	rq.conn = &hc;
	rq.app = srv->app;
	rq.body = rs_->body.data ? rs_->body.data : "";
	rq.body_len = rs_->body.len;
	client_addr(srv, mc, rq.client_addr, sizeof rq.client_addr);
	buf_init(&rs.body, 64 * 1024 * 1024);
	const struct http_route *r =
	    http_route_match(srv->routes, method, url, scratch, rq.params, &known);
	if (!r) {
		ret = known ? send_error(mc, 405, "method_not_allowed",
					 "この操作（メソッド）はこのURLでは使えません。")
			    : send_error(mc, 404, "no_such_route", "そのAPIはありません。");
		goto out;
	}
	if (rs_->too_large) {
		ret = send_error(mc, 413, "body_too_large", "送信内容が大きすぎます。");
		goto out;
	}
	ret = check_request(srv, mc, &rq, r, &done);
	if (done)
		goto out;
	store_unavailable_take(); /* a mark left by earlier work of this thread is not ours */
	identify(srv, &rq, csrf);
	if (store_unavailable_take()) {
		/* Who the caller is could not be read (a failover): not a 401 that would make a
		 * kiosk or a person sign in again. */
		ret = send_unavailable(mc);
		goto out;
	}
	if (rq.role == ROLE_PUBLIC && guard_pressed(srv->guard)) {
		/* Near the connection limit the remaining share is for kiosks and signed-in staff
		 * and guardians. */
		ret = send_busy(srv, mc, 1);
		goto out;
	}
	if (!(r->roles & ROLE_PUBLIC) && !(r->roles & rq.role)) {
		if (rq.role == ROLE_PUBLIC) {
			ret = has_bearer(mc)
				  ? send_error(mc, 401, "bad_device_token",
					       "端末トークンが無効です。この端末をもう一度設定してください。")
				  : send_error(mc, 401, "sign_in_required",
					       "ログインが必要です。もう一度ログインしてください。");
		} else {
			audit_denial(srv, &rq, "role");
			ret = (r->flags & HTTP_ROUTE_HIDDEN)
				  ? send_error(mc, 404, "not_found", "見つかりません。")
				  : send_error(mc, 403, "role_denied",
					       "この操作を行う権限がありません。");
		}
		goto out;
	}
	if ((rq.role & ROLE_SIGNED_IN) && rq.user.must_change_password &&
	    !(r->roles & (HTTP_PASSWORD_DUE_OK | ROLE_PUBLIC))) {
		ret = send_error(mc, 403, "password_change_required",
				 "パスワードの変更が必要です。新しいパスワードを設定してください。");
		goto out;
	}
	/* An administrator without a second factor enrols one before anything else (issue 19;
	 * [server] admin_second_factor = required). */
	if ((rq.role & ROLE_SECOND_FACTOR) && rq.user.totp_due && srv->app->cfg.second_factor_required &&
	    !(r->roles & (HTTP_PASSWORD_DUE_OK | ROLE_PUBLIC))) {
		ret = send_error(mc, 403, "second_factor_enrolment_required",
				 "管理者は二段階認証の登録が必要です。認証アプリを登録してください。");
		goto out;
	}
	if (state_changing(method) && !(r->flags & HTTP_ROUTE_NO_CSRF) &&
	    (rq.role & (ROLE_SIGNED_IN | ROLE_GUARDIAN))) {
		const char *got = http_header(&rq, "X-CSRF-Token");
		if (!got || !csrf[0] || strlen(got) != strlen(csrf) ||
		    !vault_equal_str(got, csrf)) {
			audit_denial(srv, &rq, "csrf");
			ret = send_error(mc, 403, "csrf",
					 "画面の有効期限が切れました。ページを再読み込みしてください。");
			goto out;
		}
	}
	if (r->flags & (HTTP_ROUTE_THROTTLE_FAILED | HTTP_ROUTE_THROTTLE_EACH)) {
		int64_t wait = auth_throttle_wait(rq.client_addr, clock_mono_ms());
		if (wait > 0) {
			char msg[192], words[32];
			audit_denial(srv, &rq, "address throttled");
			snprintf(msg, sizeof msg,
				 "この接続元からの試行が多すぎます。%sにもう一度お試しください。",
				 text_wait_ja(wait, words, sizeof words));
			ret = send_error(mc, 429, "address_throttled", msg);
			goto out;
		}
		if (r->flags & HTTP_ROUTE_THROTTLE_EACH)
			auth_throttle_fail(rq.client_addr, clock_mono_ms());
	}
	if (r->flags & HTTP_ROUTE_DEFERS) {
		hc.srv = srv; /* the handler may answer later (http_defer) */
		hc.st = rs_;
	}
	enum err e = r->handler(&rq, &rs);
	if ((r->flags & HTTP_ROUTE_THROTTLE_FAILED) && (e == ERR_UNAUTH || e == ERR_NOTFOUND))
		auth_throttle_fail(rq.client_addr, clock_mono_ms());
	if (hc.deferred) {
		/* Answered by http_deferred_finish; the connection is suspended till then. */
		ret = MHD_YES;
		goto out;
	}
	ret = respond(mc, &rs, e, store_unavailable_take());
out:
	/* Work meant for after the answer runs when the daemon says it has been sent. */
	rs_->after = rs.after;
	rs_->after_arg = rs.after_arg;
	free(scratch);
	resp_free(&rs);
	return ret;
}

static struct guard_conn *guard_of(struct MHD_Connection *mc)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(mc, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return ci ? ci->socket_context : NULL;
}

/* 1 when an anonymous request might still be a kiosk or signed-in person's: it carries a
 * bearer token or a session cookie (checked for real when the API identifies the caller). */
static int has_credentials(struct MHD_Connection *mc)
{
	return has_bearer(mc) ||
	       MHD_lookup_connection_value(mc, MHD_COOKIE_KIND, SESSION_COOKIE) ||
	       MHD_lookup_connection_value(mc, MHD_COOKIE_KIND, SESSION_PARENT_COOKIE);
}

static struct req_state *req_state_new(void)
{
	struct req_state *st = xcalloc(1, sizeof *st);
	buf_init(&st->body, HTTP_BODY_MAX);
	return st;
}

/* The request line has arrived (before any decoding): its state starts here. libmicrohttpd
 * decodes %00 into a NUL that would cut the path ("/staff/index.html%00.css" would serve
 * index.html), so an encoded NUL anywhere in the URI is noted and refused. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *mc)
{
	struct req_state *st = req_state_new();
	(void)cls;
	(void)mc;
	st->bad_uri = strstr(uri, "%00") != NULL;
	return st;
}

/* A route that takes a file (HTTP_ROUTE_UPLOAD) may have a body past HTTP_BODY_MAX. The route
 * is looked up here only for a body that may pass it (a Content-Length over the cap, or none:
 * chunked), so that the small requests of the hot path are matched once, at dispatch. */
static void upload_allow(struct http_server *srv, struct MHD_Connection *mc,
			 struct req_state *st, const char *method, const char *url)
{
	const char *params[HTTP_MAX_PARAMS];
	int known = 0;
	const char *cl = MHD_lookup_connection_value(mc, MHD_HEADER_KIND, "Content-Length");
	if (strncmp(url, "/api/", 5) != 0 || strlen(url) > 512 ||
	    (cl && strtoull(cl, NULL, 10) <= HTTP_BODY_MAX))
		return;
	char *scratch = xmalloc(strlen(url) + 1);
	const struct http_route *r = http_route_match(srv->routes, method, url, scratch, params,
						      &known);
	if (r && (r->flags & HTTP_ROUTE_UPLOAD))
		st->body.max = HTTP_UPLOAD_MAX;
	free(scratch);
}

/* 1 when the request goes to a waiting thread: every state-changing API request (it waits on a
 * durable — for the hot path's small writes, group — commit; meanwhile this worker serves the
 * reads of its other connections, the boards' polls among them), but those whose handler
 * defers its answer instead of waiting. */
static int route_waits(struct http_server *srv, const char *method, const char *url)
{
	if (!srv->waiters || !state_changing(method))
		return 0;
	/* A route whose handler answers after its group commit without waiting (a kiosk's scan,
	 * HTTP_ROUTE_DEFERS) runs on the worker: no hand-off to a waiting thread and back. */
	char *scratch = xmalloc(strlen(url) + 1);
	const char *params[HTTP_MAX_PARAMS];
	int known = 0;
	const struct http_route *r =
	    http_route_match(srv->routes, method, url, scratch, params, &known);
	free(scratch);
	return !(r && (r->flags & HTTP_ROUTE_DEFERS));
}

/* A request handed to a waiting thread. */
struct parked {
	struct http_server *srv;
	struct MHD_Connection *mc;
	const char *method, *url; /* the connection's own, valid while the request lives */
	struct req_state *st;
};

/* Under the waiters' lock, before any thread may run it: the connection stops being polled. */
static void parked_accept(void *arg)
{
	struct parked *p = arg;
	p->st->parked = 1;
	MHD_suspend_connection(p->mc);
}

/* On a waiting thread: runs the request as its worker would (the connection is suspended, so
 * no worker touches it), keeps the answer and resumes the connection, whose worker then calls
 * on_request again to queue it. */
static void parked_run(void *arg)
{
	struct parked *p = arg;
	parking = p->st;
	store_unavailable_take(); /* a mark left by earlier work of this thread is not ours */
	dispatch_api(p->srv, p->mc, p->method, p->url, p->st);
	parking = NULL;
	MHD_resume_connection(p->mc);
	free(p);
}

/* The resumed connection of a parked request: queues its answer (none: the connection is
 * closed, as when a worker's handler fails). */
static enum MHD_Result parked_answer(struct MHD_Connection *mc, struct req_state *st)
{
	struct MHD_Response *r = st->answer;
	st->answer = NULL;
	if (!r)
		return MHD_NO;
	enum MHD_Result ret = MHD_queue_response(mc, st->answer_status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *mc, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size,
				  void **con_cls)
{
	struct http_server *srv = cls;
	struct req_state *st = *con_cls;
	(void)version;
	if (!st) {
		st = req_state_new();
		*con_cls = st;
	}
	if (!st->started) {
		/* The headers are complete: the body has its own deadline from now. */
		st->started = 1;
		guard_set_phase(guard_of(mc), GUARD_BODY);
		upload_allow(srv, mc, st, method, url);
		if (guard_pressed(srv->guard) && strcmp(url, "/healthz") != 0 &&
		    strcmp(url, "/metrics") != 0 && !has_credentials(mc))
			return send_busy(srv, mc, strncmp(url, "/api/", 5) == 0);
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (buf_append(&st->body, upload_data, *upload_data_size) != ERR_OK)
			st->too_large = 1;
		*upload_data_size = 0;
		return MHD_YES;
	}
	guard_set_phase(guard_of(mc), GUARD_BUSY);
	if (st->bad_uri) {
		if (strncmp(url, "/api/", 5) == 0)
			return send_error(mc, 400, "bad_path", "このアドレスは使えません。");
		return http_plain(mc, 400, "このアドレスは使えません。\n", NULL, NULL);
	}
	if (strcmp(url, "/healthz") == 0) {
		struct buf b;
		buf_init(&b, 64);
		buf_puts(&b, "{\"status\":\"ok\"}");
		return send_buf(mc, 200, "application/json", &b, NULL, 1, NULL);
	}
	if (strcmp(url, "/metrics") == 0) {
		/* Loopback (not through a proxy) or [http] metrics_token only (issue 19). */
		enum metrics_access ma = http_metrics_access(mc, srv->app->cfg.metrics_token);
		if (ma == METRICS_BAD_TOKEN)
			return send_error(mc, 401, "bad_metrics_token",
					  "メトリクスのトークンが違います。");
		if (ma != METRICS_ALLOWED)
			return send_error(mc, 404, "not_found", "見つかりません。");
		struct buf b;
		buf_init(&b, 1 << 20);
		http_metrics_write(&b);
		guard_metrics_write(srv->guard, &b);
		app_metrics_write(srv->app, &b);
		return send_buf(mc, 200, "text/plain; version=0.0.4", &b, NULL, 1, NULL);
	}
	if (strncmp(url, "/api/", 5) == 0) {
		if (st->parked)
			return parked_answer(mc, st);
		if (route_waits(srv, method, url)) {
			struct parked *p = xcalloc(1, sizeof *p);
			*p = (struct parked){srv, mc, method, url, st};
			if (waiters_submit(srv->waiters, parked_run, parked_accept, p) == 0)
				return MHD_YES; /* answered when the connection resumes */
			free(p);
		}
		return dispatch_api(srv, mc, method, url, st);
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return send_error(mc, 405, "method_not_allowed",
				  "この操作（メソッド）はこのURLでは使えません。");
	return http_static_serve(mc, srv->web_dir, url);
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls,
		    enum MHD_RequestTerminationCode toe)
{
	struct http_server *srv = cls;
	struct req_state *st = *con_cls;
	(void)toe;
	/* Back to waiting for the next request's headers (keep-alive). */
	guard_set_phase(guard_of(c), GUARD_WAIT);
	if (st) {
		/* The answer has been sent; the work runs a random 50-150 ms later in its own
		 * thread, when the caller is long done measuring. */
		if (st->after)
			later_add(srv->later, st->after, st->after_arg);
		if (st->answer)
			MHD_destroy_response(st->answer); /* a parked answer never queued */
		buf_free(&st->body);
		free(st);
		*con_cls = NULL;
	}
}

/* libmicrohttpd says a connection started or closed. CLOSED comes before the daemon closes
 * the socket, so the guard never shuts down a descriptor that another connection reuses. */
static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	struct http_server *srv = cls;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *fd =
		    MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
		const union MHD_ConnectionInfo *sa =
		    MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		*socket_context = fd ? guard_open(srv->guard, fd->connect_fd,
						  sa ? sa->client_addr : NULL)
				     : NULL;
	} else if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
		guard_close(srv->guard, *socket_context);
		*socket_context = NULL;
	}
}

/* The daemon asks whether to take a new connection from addr. */
static enum MHD_Result on_accept(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
	struct http_server *srv = cls;
	(void)addrlen;
	return guard_admit(srv->guard, addr) ? MHD_YES : MHD_NO;
}

/* Worker threads: MIMAMORI_HTTP_THREADS, else 16. Handlers mostly wait on the shared commit,
 * so more threads than cores let more scans join each group commit (measured on 2 cores with
 * as many kiosk connections: 8 → 16 → 32 threads gave 2,020 → 2,380 → 2,580 scans/s, p99
 * 14 → 23 → 44 ms). */
static unsigned http_threads(void)
{
	const char *v = getenv("MIMAMORI_HTTP_THREADS");
	char *end = NULL;
	long n = v ? strtol(v, &end, 10) : 0;
	return (v && end && *end == '\0' && n >= 1 && n <= 64) ? (unsigned)n : 16;
}

/* Waiting threads (waiters.c) for the state-changing API requests (scans, manual scans,
 * check-outs and plans join a group commit; every write waits on a durable commit):
 * MIMAMORI_HTTP_WAITERS, else 128. A worker hands such a request
 * over and suspends its connection, so requests from connections that share a worker join the
 * same commit; with one waiting thread per request in flight, every kiosk that sent a scan
 * while a commit synced is in the next one. 0 runs them on the workers (as before). */
static unsigned http_waiters(void)
{
	const char *v = getenv("MIMAMORI_HTTP_WAITERS");
	char *end = NULL;
	long n = v ? strtol(v, &end, 10) : -1;
	return (v && end && *end == '\0' && n >= 0 && n <= 1024) ? (unsigned)n : 128;
}

enum err http_server_start(struct app *a, const char *listen_addr, const char *web_dir,
			   const struct http_route *routes, struct http_server **out)
{
	struct sockaddr_in sa = {0};
	char host[64];
	const char *colon = strrchr(listen_addr, ':');
	if (!colon || (size_t)(colon - listen_addr) >= sizeof host)
		return ERR_INVALID;
	memcpy(host, listen_addr, (size_t)(colon - listen_addr));
	host[colon - listen_addr] = '\0';
	char *end = NULL;
	long port = strtol(colon + 1, &end, 10);
	if (!end || *end || port < 1 || port > 65535)
		return ERR_INVALID;
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		return ERR_INVALID;
	struct http_server *srv = xcalloc(1, sizeof *srv);
	pthread_mutex_init(&srv->defer_mu, NULL);
	pthread_cond_init(&srv->defer_cv, NULL);
	srv->app = a;
	srv->routes = routes;
	srv->web_dir = xstrdup(web_dir);
	/* The public origin: base_url's when the configuration names one, else the listen
	 * address's. */
	char *listen_url = xasprintf("http://%s", listen_addr);
	if (!(a->cfg.base_url_set &&
	      http_origin_of(a->cfg.base_url, srv->origin, sizeof srv->origin) == 0) &&
	    http_origin_of(listen_url, srv->origin, sizeof srv->origin) != 0)
		snprintf(srv->origin, sizeof srv->origin, "http://127.0.0.1");
	free(listen_url);
	srv->nproxies = http_parse_proxies(a->cfg.trusted_proxies, srv->proxies, GUARD_EXEMPT_MAX);
	struct guard_limits gl = {
	    .max_conns = http_fit_descriptors(a->cfg.max_connections, FD_SPARE),
	    .per_addr = a->cfg.per_ip_connections,
	    .header_ms = HEADER_MS,
	    .pressed_header_ms = PRESSED_HEADER_MS,
	    .body_ms = BODY_MS,
	    .nexempt = srv->nproxies,
	};
	memcpy(gl.exempt, srv->proxies, sizeof gl.exempt);
	srv->guard = guard_start(&gl);
	srv->later = later_start();
	unsigned nwait = http_waiters();
	srv->waiters = nwait ? waiters_start(nwait) : NULL;
	http_streams_start();
	if (!srv->guard || !srv->later || (nwait && !srv->waiters))
		goto fail;
	srv->d = MHD_start_daemon(
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
		MHD_ALLOW_SUSPEND_RESUME,
	    0, on_accept, srv,
	    /* The logger first: the library logs its own way about options before it. */
	    on_request, srv, MHD_OPTION_EXTERNAL_LOGGER, http_library_log, srv,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned)http_threads(), MHD_OPTION_NOTIFY_COMPLETED,
	    on_done, srv, MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv,
	    MHD_OPTION_URI_LOG_CALLBACK, on_uri, srv,
	    MHD_OPTION_CONNECTION_TIMEOUT,
	    (unsigned)IDLE_S, MHD_OPTION_CONNECTION_LIMIT, gl.max_conns,
	    MHD_OPTION_END);
	if (!srv->d)
		goto fail;
	log_info("public origin %s; at most %u connections, %u per address", srv->origin,
		 gl.max_conns, gl.per_addr);
	if (vault_password_cost_is_test())
		log_warn("passwords are hashed at the test suite's cost (MIMAMORI_PASSWORD_COST=test): "
			 "never set it in production");
	*out = srv;
	return ERR_OK;
fail:
	http_streams_stop();
	waiters_stop(srv->waiters);
	later_stop(srv->later);
	guard_stop(srv->guard);
	pthread_mutex_destroy(&srv->defer_mu);
	pthread_cond_destroy(&srv->defer_cv);
	free(srv->web_dir);
	free(srv);
	return ERR_IO;
}

void http_server_stop(struct http_server *srv)
{
	if (!srv)
		return;
	http_streams_stop(); /* the library will not stop with connections suspended */
	/* Parked requests are answered first: the library will not stop with connections
	 * suspended. */
	waiters_stop(srv->waiters);
	srv->waiters = NULL;
	/* Deferred answers too: their units are in the store's group commit, which finishes
	 * them; later ones wait on their worker instead. */
	pthread_mutex_lock(&srv->defer_mu);
	srv->defer_closed = 1;
	while (srv->deferred)
		pthread_cond_wait(&srv->defer_cv, &srv->defer_mu);
	pthread_mutex_unlock(&srv->defer_mu);
	MHD_stop_daemon(srv->d);
	later_stop(srv->later); /* runs what is still waiting */
	guard_stop(srv->guard);
	pthread_mutex_destroy(&srv->defer_mu);
	pthread_cond_destroy(&srv->defer_cv);
	free(srv->web_dir);
	free(srv);
}
