/* SPDX-License-Identifier: MIT */
/* server.c — the libmicrohttpd daemon: reads bodies under a cap, identifies the caller,
 * enforces each route's roles and CSRF, dispatches, and serves web/ for everything else. */
#include "http/http.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth/audit.h"
#include "auth/device.h"
#include "auth/session.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "http/static_files.h"
#include "store/store.h"
#include "vault/vault.h"

struct http_server {
	struct MHD_Daemon *d;
	struct app *app;
	const struct http_route *routes;
	char *web_dir;
};

struct http_conn {
	struct MHD_Connection *mhd;
};

/* Per-request state kept across MHD's calls of the access handler. */
struct req_state {
	struct buf body;
	int too_large;
};

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
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, "Content-Security-Policy",
				"default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
				"base-uri 'none'; form-action 'self'");
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
	enum MHD_Result ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	http_metrics_count(status);
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
	    user_load(srv->app->store, uid, &rq->user) == ERR_OK) {
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

static enum MHD_Result dispatch_api(struct http_server *srv, struct MHD_Connection *mc,
				    const char *method, const char *url, struct req_state *rs_)
{
	struct http_conn hc = {mc};
	struct http_req rq = {0};
	struct http_resp rs = {0};
	char csrf[64];
	char *scratch = xmalloc(strlen(url) + 1);
	int known = 0;
	enum MHD_Result ret;
	rq.method = method;
	rq.path = url;
	rq.conn = &hc;
	rq.app = srv->app;
	rq.body = rs_->body.data ? rs_->body.data : "";
	rq.body_len = rs_->body.len;
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
	identify(srv, &rq, csrf);
	if (!(r->roles & ROLE_PUBLIC) && !(r->roles & rq.role)) {
		if (rq.role == ROLE_PUBLIC) {
			const char *authz = http_header(&rq, "Authorization");
			ret = authz && strncmp(authz, "Bearer ", 7) == 0
				  ? send_error(mc, 401, "bad_device_token",
					       "端末トークンが無効です。この端末をもう一度設定してください。")
				  : send_error(mc, 401, "sign_in_required",
					       "ログインが必要です。もう一度ログインしてください。");
		} else {
			audit_denial(srv, &rq, "role");
			ret = send_error(mc, 403, "role_denied",
					 "この操作を行う権限がありません。");
		}
		goto out;
	}
	if ((rq.role & ROLE_ANY_USER) && rq.user.must_change_password &&
	    !(r->roles & (HTTP_PASSWORD_DUE_OK | ROLE_PUBLIC))) {
		ret = send_error(mc, 403, "password_change_required",
				 "パスワードの変更が必要です。新しいパスワードを設定してください。");
		goto out;
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 && !r->csrf_exempt &&
	    (rq.role & (ROLE_ANY_USER | ROLE_GUARDIAN))) {
		const char *got = http_header(&rq, "X-CSRF-Token");
		if (!got || !csrf[0] || strlen(got) != strlen(csrf) ||
		    !vault_equal_str(got, csrf)) {
			audit_denial(srv, &rq, "csrf");
			ret = send_error(mc, 403, "csrf",
					 "画面の有効期限が切れました。ページを再読み込みしてください。");
			goto out;
		}
	}
	enum err e = r->handler(&rq, &rs);
	if (e != ERR_OK) {
		ret = send_error(mc, http_status_for(e), rs.error_code ? rs.error_code : err_code(e),
				 rs.error ? rs.error : err_message_ja(e));
		goto out;
	}
	ret = send_buf(mc, rs.status ? rs.status : 200,
		       rs.content_type ? rs.content_type : "application/json; charset=utf-8",
		       &rs.body, rs.set_cookie, 1, &rs);
out:
	free(scratch);
	buf_free(&rs.body);
	free(rs.set_cookie);
	free(rs.error);
	for (size_t i = 0; i < HTTP_RESP_HEADERS; i++)
		free(rs.headers[i].value);
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
		st = xcalloc(1, sizeof *st);
		buf_init(&st->body, HTTP_BODY_MAX);
		*con_cls = st;
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (buf_append(&st->body, upload_data, *upload_data_size) != ERR_OK)
			st->too_large = 1;
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (strcmp(url, "/healthz") == 0) {
		struct buf b;
		buf_init(&b, 64);
		buf_puts(&b, "{\"status\":\"ok\"}");
		return send_buf(mc, 200, "application/json", &b, NULL, 1, NULL);
	}
	if (strcmp(url, "/metrics") == 0) {
		struct buf b;
		buf_init(&b, 1 << 20);
		http_metrics_write(&b);
		app_metrics_write(srv->app, &b);
		return send_buf(mc, 200, "text/plain; version=0.0.4", &b, NULL, 1, NULL);
	}
	if (strncmp(url, "/api/", 5) == 0)
		return dispatch_api(srv, mc, method, url, st);
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return send_error(mc, 405, "method_not_allowed",
				  "この操作（メソッド）はこのURLでは使えません。");
	return http_static_serve(mc, srv->web_dir, url);
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls,
		    enum MHD_RequestTerminationCode toe)
{
	struct req_state *st = *con_cls;
	(void)cls;
	(void)c;
	(void)toe;
	if (st) {
		buf_free(&st->body);
		free(st);
		*con_cls = NULL;
	}
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
	srv->app = a;
	srv->routes = routes;
	srv->web_dir = xstrdup(web_dir);
	srv->d = MHD_start_daemon(
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG, 0, NULL, NULL,
	    on_request, srv, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned)http_threads(), MHD_OPTION_NOTIFY_COMPLETED, on_done, srv,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60, MHD_OPTION_CONNECTION_LIMIT,
	    (unsigned)1000, MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned)1, MHD_OPTION_END);
	if (!srv->d) {
		free(srv->web_dir);
		free(srv);
		return ERR_IO;
	}
	*out = srv;
	return ERR_OK;
}

void http_server_stop(struct http_server *srv)
{
	if (!srv)
		return;
	MHD_stop_daemon(srv->d);
	free(srv->web_dir);
	free(srv);
}
