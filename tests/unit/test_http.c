/* SPDX-License-Identifier: MIT */
/* test_http.c — unit tests for src/http/: the router, the error → status map and responses. */
#include <setjmp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/buf.h"
#include "http/guard.h"
#include "http/http.h"
#include "http/origin.h"
#include "http/waiters.h"

/* Handlers are never called here; distinct functions tell the routes apart. */
static enum err h_sites(struct http_req *rq, struct http_resp *rs)
{
	(void)rq;
	(void)rs;
	return ERR_OK;
}

static enum err h_site(struct http_req *rq, struct http_resp *rs)
{
	(void)rq;
	(void)rs;
	return ERR_OK;
}

static const struct http_route routes[] = {
    {"GET", "/api/sites", ROLE_ANY_USER, 0, h_sites, "list sites"},
    {"POST", "/api/sites", ROLE_WARD_ADMIN, 0, h_sites, "add a site"},
    {"GET", "/api/sites/{}", ROLE_ANY_USER, 0, h_site, "one site"},
    {"GET", "/api/sites/{}/children/{}", ROLE_ANY_USER, 0, h_site, "one child"},
    {"PUT", "/api/sites/{}/children/{}/cards", ROLE_WARD_STAFF, 0, h_site, "reissue"},
    {"GET", "/api/sites/{}/board", ROLE_SITE_STAFF, 0, h_site, "board"},
    {"POST", "/api/session", ROLE_PUBLIC, 1, h_sites, "sign in"},
    {"GET", "/api/a/{}/{}/{}/{}", ROLE_PUBLIC, 0, h_site, "four params"},
    {"GET", "/api/b/{}/{}/{}/{}/{}", ROLE_PUBLIC, 0, h_site, "five params"},
    {0},
};

/* Matches method and path with a scratch copy of exactly the required size. */
static const struct http_route *route(const char *method, const char *path,
				      const char *params[HTTP_MAX_PARAMS], int *known,
				      char **scratch)
{
	*scratch = malloc(strlen(path) + 1);
	assert_non_null(*scratch);
	for (int i = 0; i < HTTP_MAX_PARAMS; i++)
		params[i] = "untouched";
	*known = -1;
	return http_route_match(routes, method, path, *scratch, params, known);
}

static void test_route_exact(void **state)
{
	(void)state;
	const char *p[HTTP_MAX_PARAMS];
	int known;
	char *sc;
	const struct http_route *r = route("GET", "/api/sites", p, &known, &sc);
	assert_ptr_equal(r, &routes[0]);
	assert_int_equal(known, 0);
	free(sc);
	r = route("POST", "/api/sites", p, &known, &sc);
	assert_ptr_equal(r, &routes[1]);
	free(sc);
	r = route("POST", "/api/session", p, &known, &sc);
	assert_ptr_equal(r, &routes[6]);
	assert_int_equal(r->flags & HTTP_ROUTE_NO_CSRF, HTTP_ROUTE_NO_CSRF);
	free(sc);
	/* Unknown paths. */
	r = route("GET", "/api/site", p, &known, &sc);
	assert_null(r);
	assert_int_equal(known, 0);
	free(sc);
	r = route("GET", "/api/sitesx", p, &known, &sc);
	assert_null(r);
	free(sc);
	r = route("GET", "/", p, &known, &sc);
	assert_null(r);
	free(sc);
	r = route("GET", "", p, &known, &sc);
	assert_null(r);
	assert_int_equal(known, 0);
	free(sc);
	/* Method names are exact. */
	r = route("get", "/api/sites", p, &known, &sc);
	assert_null(r);
	assert_int_equal(known, 1);
	free(sc);
}

static void test_route_params(void **state)
{
	(void)state;
	const char *p[HTTP_MAX_PARAMS];
	int known;
	char *sc;
	const char *path = "/api/sites/G01/children/1234";
	const struct http_route *r = route("GET", path, p, &known, &sc);
	assert_ptr_equal(r, &routes[3]);
	assert_string_equal(p[0], "G01"); /* NUL-terminated in the scratch copy */
	assert_string_equal(p[1], "1234");
	assert_null(p[2]);
	assert_null(p[3]);
	/* The params point into the scratch copy; the path itself is untouched. */
	assert_true(p[0] >= sc && p[0] < sc + strlen(path) + 1);
	assert_true(p[1] >= sc && p[1] < sc + strlen(path) + 1);
	assert_string_equal(path, "/api/sites/G01/children/1234");
	free(sc);

	r = route("GET", "/api/sites/G01", p, &known, &sc);
	assert_ptr_equal(r, &routes[2]);
	assert_string_equal(p[0], "G01");
	assert_null(p[1]);
	free(sc);

	r = route("GET", "/api/sites/G%2001/board", p, &known, &sc);
	assert_ptr_equal(r, &routes[5]);
	assert_string_equal(p[0], "G%2001");
	free(sc);

	r = route("PUT", "/api/sites/S/children/77/cards", p, &known, &sc);
	assert_ptr_equal(r, &routes[4]);
	assert_string_equal(p[0], "S");
	assert_string_equal(p[1], "77");
	free(sc);

	r = route("GET", "/api/a/1/22/333/4444", p, &known, &sc);
	assert_ptr_equal(r, &routes[7]);
	assert_string_equal(p[0], "1");
	assert_string_equal(p[1], "22");
	assert_string_equal(p[2], "333");
	assert_string_equal(p[3], "4444");
	free(sc);

	/* More {} than HTTP_MAX_PARAMS never matches (and never overflows params). */
	r = route("GET", "/api/b/1/2/3/4/5", p, &known, &sc);
	assert_null(r);
	free(sc);
}

static void test_route_method_mismatch(void **state)
{
	(void)state;
	const char *p[HTTP_MAX_PARAMS];
	int known;
	char *sc;
	const struct http_route *r = route("DELETE", "/api/sites", p, &known, &sc);
	assert_null(r);
	assert_int_equal(known, 1);
	/* params are left alone when nothing matched. */
	assert_string_equal(p[0], "untouched");
	free(sc);
	r = route("POST", "/api/sites/G01/children/9", p, &known, &sc);
	assert_null(r);
	assert_int_equal(known, 1);
	free(sc);
	r = route("GET", "/api/sites/G01/children/9/cards", p, &known, &sc);
	assert_null(r);
	assert_int_equal(known, 1);
	free(sc);
	r = route("GET", "/api/session", p, &known, &sc);
	assert_null(r);
	assert_int_equal(known, 1);
	free(sc);
}

static void test_route_no_match(void **state)
{
	(void)state;
	static const char *const paths[] = {
	    "/api/sites/",		      /* trailing slash */
	    "/api/sites/G01/",		      /* trailing slash after a parameter */
	    "/api/sites/G01/children/9/",     /* trailing slash after the last parameter */
	    "/api/sites/G01/extra",	      /* extra segment */
	    "/api/sites/G01/children/9/x",    /* extra segment after a parameter */
	    "/api/sites/G01/board/x",	      /* extra segment after a literal */
	    "/api/sites//board",	      /* empty parameter segment */
	    "/api/sites/G01/children//cards", /* empty parameter in the middle */
	    "/api/sites/G01/children/",	      /* empty final parameter */
	    "/api//sites",		      /* empty literal segment */
	    "/api/sites/G01//",		      /* empty segments */
	    "/api/a/1/2/3",		      /* too few parameters */
	    "/api/a/1/2/3/4/5",		      /* too many */
	};
	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		const char *p[HTTP_MAX_PARAMS];
		int known;
		char *sc;
		const struct http_route *r = route("GET", paths[i], p, &known, &sc);
		if (r)
			print_error("path %s matched %s\n", paths[i], r->pattern);
		assert_null(r);
		assert_int_equal(known, 0);
		free(sc);
		/* Under any method. */
		r = route("PUT", paths[i], p, &known, &sc);
		assert_null(r);
		free(sc);
	}
}

static void test_status_for(void **state)
{
	(void)state;
	assert_int_equal(http_status_for(ERR_OK), 200);
	assert_int_equal(http_status_for(ERR_INVALID), 400);
	assert_int_equal(http_status_for(ERR_UNAUTH), 401);
	assert_int_equal(http_status_for(ERR_FORBIDDEN), 403);
	assert_int_equal(http_status_for(ERR_NOTFOUND), 404);
	assert_int_equal(http_status_for(ERR_CONFLICT), 409);
	assert_int_equal(http_status_for(ERR_TOOLARGE), 413);
	assert_int_equal(http_status_for(ERR_TOOMANY), 429);
	assert_int_equal(http_status_for(ERR_DB), 500);
	assert_int_equal(http_status_for(ERR_IO), 500);
	assert_int_equal(http_status_for(ERR_CRYPTO), 500);
	assert_int_equal(http_status_for(ERR_TEMP), 503);
	assert_int_equal(http_status_for((enum err)999), 500);
}

static void resp_init(struct http_resp *rs)
{
	memset(rs, 0, sizeof *rs);
	buf_init(&rs->body, HTTP_BODY_MAX);
}

static void resp_free(struct http_resp *rs)
{
	buf_free(&rs->body);
	free(rs->set_cookie);
	free(rs->error);
}

static void test_json(void **state)
{
	(void)state;
	struct http_resp rs;
	resp_init(&rs);
	json_t *o = json_pack("{s:s, s:i, s:[i,i], s:b}", "name", "髙橋 𠮷田", "n", 3, "list", 1, 2,
			      "ok", 1);
	assert_non_null(o);
	assert_int_equal(http_json(&rs, 201, o), ERR_OK);
	assert_int_equal(rs.status, 201);
	assert_non_null(rs.content_type);
	assert_non_null(strstr(rs.content_type, "application/json"));
	/* Compact, UTF-8 kept as is; jansson keeps insertion order. */
	assert_string_equal(rs.body.data,
			    "{\"name\":\"髙橋 𠮷田\",\"n\":3,\"list\":[1,2],\"ok\":true}");
	assert_int_equal(rs.body.len, strlen(rs.body.data));
	assert_null(rs.error);

	/* A second call replaces the body. */
	assert_int_equal(http_json(&rs, 200, json_pack("{s:n}", "x")), ERR_OK);
	assert_int_equal(rs.status, 200);
	assert_string_equal(rs.body.data, "{\"x\":null}");
	resp_free(&rs);

	/* Nothing to encode: an error, and no body. */
	resp_init(&rs);
	assert_int_not_equal(http_json(&rs, 200, NULL), ERR_OK);
	assert_non_null(rs.error);
	assert_null(rs.body.data);
	resp_free(&rs);

	/* A body over the response cap is refused. */
	resp_init(&rs);
	rs.body.max = 8;
	assert_int_equal(http_json(&rs, 200, json_pack("{s:s}", "long", "0123456789")),
			 ERR_TOOLARGE);
	resp_free(&rs);
}

static void test_error(void **state)
{
	(void)state;
	struct http_resp rs;
	resp_init(&rs);
	assert_int_equal(http_error(&rs, ERR_NOTFOUND, "no such child"), ERR_NOTFOUND);
	assert_string_equal(rs.error, "no such child");
	/* The message is copied and a second error replaces the first. */
	char msg[] = "first";
	assert_int_equal(http_error(&rs, ERR_CONFLICT, msg), ERR_CONFLICT);
	msg[0] = 'F';
	assert_string_equal(rs.error, "first");
	assert_int_equal(http_error(&rs, ERR_FORBIDDEN, "見られません"), ERR_FORBIDDEN);
	assert_string_equal(rs.error, "見られません");
	resp_free(&rs);
}


/* ---- origins (login CSRF) ---- */

static void test_origin_of(void **state)
{
	(void)state;
	char o[HTTP_ORIGIN_MAX];
	assert_int_equal(http_origin_of("https://Mimamori.Example.JP/path?q#f", o, sizeof o), 0);
	assert_string_equal(o, "https://mimamori.example.jp");
	assert_int_equal(http_origin_of("http://127.0.0.1:8080", o, sizeof o), 0);
	assert_string_equal(o, "http://127.0.0.1:8080");
	assert_int_equal(http_origin_of("http://example.jp:80/", o, sizeof o), 0);
	assert_string_equal(o, "http://example.jp");
	assert_int_equal(http_origin_of("https://example.jp:443", o, sizeof o), 0);
	assert_string_equal(o, "https://example.jp");
	assert_int_equal(http_origin_of("https://example.jp:8443", o, sizeof o), 0);
	assert_string_equal(o, "https://example.jp:8443");
	assert_int_equal(http_origin_of("http://[::1]:80/x", o, sizeof o), 0);
	assert_string_equal(o, "http://[::1]");
	static const char *const bad[] = {"null", "", "ftp://x", "http://", "http://u@evil/",
					  "javascript:alert(1)", "http://a b/"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(http_origin_of(bad[i], o, sizeof o), -1);
	char small[12];
	assert_int_equal(http_origin_of("https://long.example.jp", small, sizeof small), -1);
}

static void test_origin_allowed(void **state)
{
	(void)state;
	const char *pub = "https://mimamori.example.jp";
	/* Neither header: not a browser's cross-site form. */
	assert_int_equal(http_origin_allowed(pub, "x", NULL, NULL), 1);
	assert_int_equal(http_origin_allowed(pub, NULL, "https://mimamori.example.jp", NULL), 1);
	assert_int_equal(http_origin_allowed(pub, NULL, "https://MIMAMORI.example.jp:443", NULL), 1);
	assert_int_equal(http_origin_allowed(pub, NULL, "https://evil.example", NULL), 0);
	assert_int_equal(http_origin_allowed(pub, NULL, "null", NULL), 0);
	/* Origin wins over Referer; Referer counts only without Origin. */
	assert_int_equal(http_origin_allowed(pub, NULL, "https://evil.example",
					     "https://mimamori.example.jp/staff/"),
			 0);
	assert_int_equal(http_origin_allowed(pub, NULL, NULL, "https://mimamori.example.jp/a"), 1);
	assert_int_equal(http_origin_allowed(pub, NULL, NULL, "https://evil.example/a"), 0);
	/* A page of this server opened by another name (its IP address): Host matches. */
	assert_int_equal(http_origin_allowed(pub, "192.0.2.5:8080", "http://192.0.2.5:8080", NULL),
			 1);
	assert_int_equal(http_origin_allowed(pub, "192.0.2.5", "http://192.0.2.5:80", NULL), 1);
	assert_int_equal(http_origin_allowed(pub, "192.0.2.5:8080", "http://192.0.2.5:8081", NULL),
			 0);
	assert_int_equal(http_origin_allowed(pub, "mimamori.example.jp",
					     "https://mimamori.example.jp.evil.example", NULL),
			 0);
}

/* ---- the connection guard ---- */

static struct sockaddr_in addr4(const char *ip)
{
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, ip, &sa.sin_addr), 1);
	return sa;
}

static void test_guard_per_address(void **state)
{
	(void)state;
	struct guard_limits l = {.max_conns = 100, .per_addr = 3, .header_ms = 60000,
				 .pressed_header_ms = 60000, .body_ms = 60000};
	struct sockaddr_in a = addr4("192.0.2.1"), b = addr4("192.0.2.2"), p = addr4("10.0.0.1");
	inet_pton(AF_INET, "10.0.0.1", &l.exempt[0]);
	l.nexempt = 1;
	struct guard *g = guard_start(&l);
	assert_non_null(g);
	struct guard_conn *c[8];
	for (int i = 0; i < 3; i++) {
		assert_int_equal(guard_admit(g, (struct sockaddr *)&a), 1);
		c[i] = guard_open(g, -1, (struct sockaddr *)&a);
	}
	assert_int_equal(guard_admit(g, (struct sockaddr *)&a), 0); /* a is full */
	assert_int_equal(guard_admit(g, (struct sockaddr *)&b), 1); /* b is not */
	for (int i = 3; i < 8; i++) /* the trusted proxy has no limit */
		c[i] = guard_open(g, -1, (struct sockaddr *)&p);
	assert_int_equal(guard_admit(g, (struct sockaddr *)&p), 1);
	guard_close(g, c[1]);
	assert_int_equal(guard_admit(g, (struct sockaddr *)&a), 1); /* room again */
	struct buf m;
	buf_init(&m, 1 << 16);
	guard_metrics_write(g, &m);
	assert_non_null(strstr(m.data, "mimamori_http_connections 7\n"));
	assert_non_null(strstr(m.data, "mimamori_http_refused_total 1\n"));
	buf_free(&m);
	for (int i = 0; i < 8; i++)
		if (i != 1)
			guard_close(g, c[i]);
	guard_stop(g);
}

/* A connection that trickles: the sweeper shuts its socket down at the header deadline, and
 * bytes arriving do not move it. */
static void test_guard_header_deadline(void **state)
{
	(void)state;
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	struct guard_limits l = {.max_conns = 100, .per_addr = 0, .header_ms = 300,
				 .pressed_header_ms = 300, .body_ms = 60000};
	struct guard *g = guard_start(&l);
	struct sockaddr_in a = addr4("192.0.2.9");
	struct guard_conn *c = guard_open(g, sv[0], (struct sockaddr *)&a);
	char ch;
	for (int i = 0; i < 20; i++) {
		/* the peer sends a byte every 50 ms; the server side never sees headers end */
		if (send(sv[1], "G", 1, MSG_NOSIGNAL) != 1)
			break;
		usleep(50 * 1000);
		if (read(sv[0], &ch, 1) == 0)
			break; /* shut down: end of file */
	}
	assert_int_equal(read(sv[0], &ch, 1), 0);
	guard_close(g, c);
	guard_stop(g);
	close(sv[0]);
	close(sv[1]);
}

/* Waiting threads: every accepted job runs exactly once, after its accepted() under the lock;
 * stopping runs what is still queued; no pool refuses without calling anything. */
struct wait_counts {
	pthread_mutex_t mu;
	int accepted, ran, ran_before_accept;
};

static void wait_accepted(void *arg)
{
	struct wait_counts *w = arg;
	pthread_mutex_lock(&w->mu);
	w->accepted++;
	pthread_mutex_unlock(&w->mu);
}

static void wait_run(void *arg)
{
	struct wait_counts *w = arg;
	usleep(200);
	pthread_mutex_lock(&w->mu);
	w->ran++;
	if (w->ran > w->accepted)
		w->ran_before_accept++;
	pthread_mutex_unlock(&w->mu);
}

static void test_waiters(void **state)
{
	(void)state;
	struct wait_counts w = {PTHREAD_MUTEX_INITIALIZER, 0, 0, 0};
	assert_int_equal(waiters_submit(NULL, wait_run, wait_accepted, &w), -1);
	struct waiters *ws = waiters_start(4);
	assert_non_null(ws);
	for (int i = 0; i < 200; i++)
		assert_int_equal(waiters_submit(ws, wait_run, wait_accepted, &w), 0);
	waiters_stop(ws); /* runs what is still queued */
	assert_int_equal(w.accepted, 200);
	assert_int_equal(w.ran, 200);
	assert_int_equal(w.ran_before_accept, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_origin_of),
	    cmocka_unit_test(test_origin_allowed),
	    cmocka_unit_test(test_waiters),
	    cmocka_unit_test(test_guard_per_address),
	    cmocka_unit_test(test_guard_header_deadline),
	    cmocka_unit_test(test_route_exact),
	    cmocka_unit_test(test_route_params),
	    cmocka_unit_test(test_route_method_mismatch),
	    cmocka_unit_test(test_route_no_match),
	    cmocka_unit_test(test_status_for),
	    cmocka_unit_test(test_json),
	    cmocka_unit_test(test_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
