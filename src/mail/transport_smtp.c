/* SPDX-License-Identifier: MIT */
/* transport_smtp.c — sends over SMTP to the relay: up to N sessions at once, each kept open and
 * reused for many messages, one recipient per transaction. libcurl's multi interface opens each
 * session (TCP, greeting, EHLO, STARTTLS when offered or required, AUTH) with CURLOPT_CONNECT_ONLY;
 * the transactions on it are smtp_client.c's, over curl_easy_send/curl_easy_recv, pipelined
 * (RFC 2920) when the relay offers it — libcurl's own SMTP transfer makes every command a round
 * trip. All of it runs in the sender's network thread, inside wait(): one poll over every
 * session, no other thread. */
#include <curl/curl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "mail/mail.h"
#include "mail/mail_internal.h"
#include "mail/smtp_client.h"
#include "vault/vault.h"

#define CONNECT_TIMEOUT_S 10L
#define SETUP_TIMEOUT_S 60L	    /* connect, greeting, EHLO, STARTTLS and AUTH together */
#define REPLY_TIMEOUT_MS 120000	    /* a session waiting this long for a reply is given up */
#define IDLE_CLOSE_MS 60000	    /* a session unused this long is closed (QUIT) */
#define CONNECT_FDS 4		    /* sockets libcurl may watch while connecting one session */
#define READ_CHUNK 16384
#define W_KEEP (256 * 1024) /* a write buffer grown past this is freed once written */

/* One message handed to the transport: from start until its outcome is collected by wait. */
struct item {
	struct smtp_msg m; /* what the session's client reads, and the outcome */
	int busy;
	int requeued;	   /* once sent to another session after its own was lost unanswered */
	char *msg;	   /* owned while busy (m.msg points here); wiped when done */
	char *from_arg, *rcpt_arg; /* owned while busy (m's point here) */
};

/* A ring of items (capacity: the transport's n_items). */
struct ring {
	struct item **v;
	size_t head, n;
};

/* In the order sessions are preferred for a new message at equal load. */
enum session_state { S_READY, S_CONNECTING, S_DOWN };

/* One SMTP session. Each has its own multi handle: a multi's connection cache prunes idle
 * connections it thinks dead (readable, or older than CURLOPT_MAXAGE_CONN) whenever one of its
 * transfers connects, and to libcurl a CONNECT_ONLY session we are using is idle. */
struct session {
	CURLM *multi;
	CURL *h;
	enum session_state st;
	curl_socket_t fd; /* while ready */
	int tls;	  /* the session runs over TLS: reads go on until libcurl has nothing */
	struct smtp_client c;
	struct buf w;	  /* bytes being written; unchanged until written (TLS retries) */
	size_t w_off;
	int64_t last_ms;  /* last bytes read or written */
	/* While connecting: the sockets and events libcurl wants, and its timer. */
	struct {
		curl_socket_t fd;
		int what;
	} cfd[CONNECT_FDS];
	size_t n_cfd;
	int64_t timer_at; /* -1: none */
	int pipelining;	  /* the relay's EHLO offered PIPELINING (header callback) */
	char err_line[MAIL_REPLY_MAX]; /* last 4xx/5xx line while connecting */
};

struct smtp {
	struct mail_transport base; /* first, so a transport pointer is an smtp pointer */
	struct session *s;
	size_t ns;
	struct item *items;
	size_t n_items, busy;
	struct ring pend; /* requeued, waiting for a session */
	struct ring done; /* finished, their outcomes not yet collected */
	struct pollfd *pfd;
	struct session **pfd_s;
	char *url;
};

/* ---- connecting (libcurl) ---- */

/* Sees the relay's replies while libcurl sets the session up: notes PIPELINING in the EHLO
 * answer (the one after STARTTLS counts: a greeting or the STARTTLS go-ahead resets it) and
 * keeps the last 4xx/5xx line, addresses blanked. */
static size_t header_cb(char *data, size_t size, size_t nmemb, void *ud)
{
	struct session *s = ud;
	size_t n = size * nmemb;
	char line[SMTP_LINE_MAX];
	size_t k = 0; /* data is not NUL-terminated: bounded by n */
	while (k < n && k < sizeof line - 1 && data[k] != '\r' && data[k] != '\n')
		k++;
	if (k < n && data[k] != '\r' && data[k] != '\n')
		k = smtp_line_cut_at_word(data, k); /* longer than line */
	memcpy(line, data, k);
	line[k] = '\0';
	if (k >= 3 && memcmp(line, "220", 3) == 0)
		s->pipelining = 0;
	else if (k >= 14 && memcmp(line, "250", 3) == 0 &&
		 strncasecmp(line + 4, "PIPELINING", 10) == 0 && (line[14] == '\0' || line[14] == ' '))
		s->pipelining = 1;
	if (k >= 3 && (line[0] == '4' || line[0] == '5'))
		mail_text_blank_addresses(line, s->err_line, sizeof s->err_line);
	return n;
}

static int socket_cb(CURL *h, curl_socket_t fd, int what, void *ud, void *sockp)
{
	struct session *s = ud;
	(void)h;
	(void)sockp;
	size_t i = 0;
	while (i < s->n_cfd && s->cfd[i].fd != fd)
		i++;
	if (what == CURL_POLL_REMOVE) {
		if (i < s->n_cfd)
			s->cfd[i] = s->cfd[--s->n_cfd];
	} else if (i < s->n_cfd) {
		s->cfd[i].what = what;
	} else if (s->n_cfd < CONNECT_FDS) {
		s->cfd[s->n_cfd].fd = fd;
		s->cfd[s->n_cfd++].what = what;
	}
	return 0;
}

static int timer_cb(CURLM *multi, long timeout_ms, void *ud)
{
	struct session *s = ud;
	(void)multi;
	s->timer_at = timeout_ms < 0 ? -1 : clock_mono_ms() + timeout_ms;
	return 0;
}

/* Starts opening session s. */
static void session_connect(struct session *s)
{
	s->pipelining = 0;
	s->err_line[0] = '\0';
	s->n_cfd = 0;
	s->timer_at = -1;
	s->st = S_CONNECTING;
	curl_multi_add_handle(s->multi, s->h); /* sets the timer: the loop kicks it off */
}

/* Closes session s (libcurl closes a CONNECT_ONLY connection when its handle leaves the
 * multi). */
static void session_close(struct session *s)
{
	if (s->st != S_DOWN)
		curl_multi_remove_handle(s->multi, s->h);
	s->st = S_DOWN;
	s->fd = CURL_SOCKET_BAD;
	s->n_cfd = 0;
	s->timer_at = -1;
	s->w.len = 0;
	s->w_off = 0;
}

/* ---- items and outcomes ---- */

static void ring_push(struct smtp *m, struct ring *r, struct item *it)
{
	r->v[(r->head + r->n++) % m->n_items] = it;
}

static struct item *ring_pop(struct smtp *m, struct ring *r)
{
	struct item *it = r->v[r->head];
	r->head = (r->head + 1) % m->n_items;
	r->n--;
	return it;
}

/* Wipes and frees what item it holds for its message. */
static void item_clear(struct item *it)
{
	if (it->msg)
		vault_wipe(it->msg, it->m.len);
	free(it->msg);
	free(it->from_arg);
	free(it->rcpt_arg);
	it->msg = it->from_arg = it->rcpt_arg = NULL;
}

/* Item it is finished (its m.result and m.reply set): its message is no longer needed and its
 * outcome waits for wait to collect it. */
static void done_push(struct smtp *m, struct item *it)
{
	item_clear(it);
	ring_push(m, &m->done, it);
}

/* Item it finished without the relay's verdict: r for the reason why. */
static void done_with(struct smtp *m, struct item *it, enum mail_result r, const char *why)
{
	it->m.result = r;
	snprintf(it->m.reply, sizeof it->m.reply, "%.*s", (int)sizeof it->m.reply - 1, why);
	done_push(m, it);
}

/* Moves the messages s's client has finished into the outcomes. */
static void take_finished(struct smtp *m, struct session *s)
{
	struct smtp_msg *fm;
	while ((fm = smtp_client_take(&s->c)) != NULL)
		done_push(m, (struct item *)fm);
}

/* Session s is gone: finished messages are reported; a message the relay never answered goes
 * to another session once; the others (perhaps delivered, perhaps not) are deferred. */
static void session_lost(struct smtp *m, struct session *s, const char *why)
{
	struct smtp_msg *held[SMTP_CLIENT_HOLD];
	char reply[2 * MAIL_REPLY_MAX]; /* cut to MAIL_REPLY_MAX by done_with */
	take_finished(m, s);
	size_t n = smtp_client_lost(&s->c, held);
	snprintf(reply, sizeof reply, "mimamori: connection to the relay lost (%s)", why);
	for (size_t i = 0; i < n; i++) {
		struct item *it = (struct item *)held[i];
		if (!it->m.answered && !it->requeued) {
			it->requeued = 1;
			ring_push(m, &m->pend, it);
		} else {
			done_with(m, it, MAIL_DEFERRED, reply);
		}
	}
	session_close(s);
}

/* Why opening a session failed, for every message it held. "curl: " marks the relay as not
 * usable for now (the sender backs off), and the recipients are not at fault: deferred. */
static void connect_failed(struct smtp *m, struct session *s, CURLcode rc)
{
	struct smtp_msg *held[SMTP_CLIENT_HOLD];
	char reply[2 * MAIL_REPLY_MAX]; /* cut to MAIL_REPLY_MAX by done_with */
	if (rc == CURLE_LOGIN_DENIED || rc == CURLE_USE_SSL_FAILED || rc == CURLE_SSL_CONNECT_ERROR ||
	    rc == CURLE_PEER_FAILED_VERIFICATION)
		snprintf(reply, sizeof reply, "curl: relay refused our %s (%s)",
			 rc == CURLE_LOGIN_DENIED ? "login" : "TLS", curl_easy_strerror(rc));
	else if (s->err_line[0])
		snprintf(reply, sizeof reply, "curl: %s: %s", curl_easy_strerror(rc), s->err_line);
	else
		snprintf(reply, sizeof reply, "curl: %s", curl_easy_strerror(rc));
	size_t n = smtp_client_lost(&s->c, held);
	for (size_t i = 0; i < n; i++)
		done_with(m, (struct item *)held[i], MAIL_DEFERRED, reply);
	session_close(s);
}

static int session_write(struct smtp *m, struct session *s);

/* Session s finished connecting with rc. */
static void connect_done(struct smtp *m, struct session *s, CURLcode rc)
{
	curl_socket_t fd = CURL_SOCKET_BAD;
	struct curl_tlssessioninfo *tls = NULL;
	if (rc == CURLE_OK && curl_easy_getinfo(s->h, CURLINFO_ACTIVESOCKET, &fd) != CURLE_OK)
		fd = CURL_SOCKET_BAD;
	if (rc == CURLE_OK && fd == CURL_SOCKET_BAD)
		rc = CURLE_COULDNT_CONNECT;
	if (rc != CURLE_OK) {
		connect_failed(m, s, rc);
		return;
	}
	s->tls = curl_easy_getinfo(s->h, CURLINFO_TLS_SSL_PTR, &tls) == CURLE_OK && tls &&
		 tls->backend != CURLSSLBACKEND_NONE && tls->internals;
	s->fd = fd;
	s->st = S_READY;
	s->n_cfd = 0;
	s->timer_at = -1;
	s->last_ms = clock_mono_ms();
	smtp_client_ready(&s->c, s->pipelining);
	session_write(m, s); /* the commands of the messages it already holds */
}

/* Runs libcurl for connecting session s on fd (CURL_SOCKET_TIMEOUT for its timer) and
 * handles the end of the connect. */
static void session_drive(struct smtp *m, struct session *s, curl_socket_t fd, int ev)
{
	int running = 0;
	CURLMsg *cm;
	int left = 0;
	curl_multi_socket_action(s->multi, fd, ev, &running);
	while ((cm = curl_multi_info_read(s->multi, &left)) != NULL)
		if (cm->msg == CURLMSG_DONE && s->st == S_CONNECTING)
			connect_done(m, s, cm->data.result);
}

/* ---- reading and writing a ready session ---- */

/* Writes what s's client has for the relay, as far as the socket takes it. Returns 0 when
 * the session was lost. */
static int session_write(struct smtp *m, struct session *s)
{
	for (;;) {
		if (s->w_off == s->w.len) {
			if (s->c.out.len == 0)
				return 1;
			/* Hand the client's bytes over whole; it starts a new buffer. The bytes
			 * being written stay where they are until written: OpenSSL wants a
			 * retried write to pass the same buffer. */
			struct buf t = s->w;
			s->w = s->c.out;
			s->c.out = t;
			s->c.out.len = 0;
			s->w_off = 0;
		}
		size_t sent = 0;
		CURLcode rc = curl_easy_send(s->h, s->w.data + s->w_off, s->w.len - s->w_off, &sent);
		if (rc == CURLE_AGAIN)
			return 1;
		if (rc != CURLE_OK) {
			session_lost(m, s, curl_easy_strerror(rc));
			return 0;
		}
		s->w_off += sent;
		s->last_ms = clock_mono_ms();
		if (s->w_off == s->w.len) {
			s->w.len = s->w_off = 0;
			if (s->w.cap > W_KEEP) /* a large message passed: do not keep its room */
				buf_free(&s->w);
		}
	}
}

/* Reads what the relay sent on s into its client. */
static void session_read(struct smtp *m, struct session *s)
{
	char in[READ_CHUNK];
	for (;;) {
		size_t n = 0;
		CURLcode rc = curl_easy_recv(s->h, in, sizeof in, &n);
		if (rc == CURLE_AGAIN)
			break;
		if (rc != CURLE_OK || n == 0) {
			session_lost(m, s, rc != CURLE_OK ? curl_easy_strerror(rc) : "closed by the relay");
			return;
		}
		s->last_ms = clock_mono_ms();
		if (smtp_client_read(&s->c, in, n) != ERR_OK) {
			session_lost(m, s, "the relay broke the SMTP protocol");
			return;
		}
		take_finished(m, s);
		/* A short read of a plain socket took all it had; TLS may hold more inside. */
		if (!s->tls && n < sizeof in)
			break;
	}
	session_write(m, s);
}

/* ---- handing messages to sessions ---- */

/* Gives item it to the session with the fewest messages (an open one before one still
 * connecting, that before one to be opened). Returns 0 when no session has room. */
static int assign(struct smtp *m, struct item *it)
{
	struct session *best = NULL;
	size_t best_load = 0;
	for (size_t i = 0; i < m->ns; i++) {
		struct session *s = &m->s[i];
		if (!smtp_client_room(&s->c))
			continue;
		size_t load = s->c.n_held + s->c.n_finished;
		if (!best || load < best_load || (load == best_load && s->st < best->st)) {
			best = s;
			best_load = load;
		}
	}
	if (!best)
		return 0;
	if (smtp_client_idle(&best->c))
		best->last_ms = clock_mono_ms(); /* the reply timeout runs from now */
	smtp_client_add(&best->c, &it->m);
	if (best->st == S_DOWN)
		session_connect(best);
	return 1;
}

/* Gives requeued items to sessions with room. */
static void assign_pending(struct smtp *m)
{
	while (m->pend.n && assign(m, m->pend.v[m->pend.head]))
		ring_pop(m, &m->pend);
}

static size_t smtp_room(struct mail_transport *t)
{
	struct smtp *m = (struct smtp *)t;
	return m->n_items - m->busy;
}

static size_t smtp_busy(struct mail_transport *t)
{
	return ((struct smtp *)t)->busy;
}

static void smtp_start(struct mail_transport *t, const char *from, const char *rcpt, char *msg,
		       size_t len, void *tag)
{
	struct smtp *m = (struct smtp *)t;
	struct item *it = NULL;
	for (size_t i = 0; i < m->n_items && !it; i++)
		if (!m->items[i].busy)
			it = &m->items[i];
	if (!it) /* the sender asks for room first; this is a programming error */
		abort();
	char *env_from = mail_address_render(from), *r = mail_address_render(rcpt);
	it->from_arg = xasprintf("<%s>", env_from);
	it->rcpt_arg = xasprintf("<%s>", r);
	free(env_from);
	free(r);
	it->msg = msg;
	it->busy = 1;
	it->requeued = 0;
	it->m.tag = tag;
	it->m.from_arg = it->from_arg;
	it->m.rcpt_arg = it->rcpt_arg;
	it->m.msg = msg;
	it->m.len = len;
	m->busy++;
	/* Every session holds SMTP_CLIENT_HOLD and there are as many items as they hold: a free
	 * item means a session has room, unless requeued items wait. */
	if (m->pend.n || !assign(m, it))
		ring_push(m, &m->pend, it);
}

/* ---- the loop ---- */

/* Runs libcurl's due timers of connecting sessions; gives up sessions that waited too long
 * for a reply, closes long-unused ones. */
static void run_timers(struct smtp *m, int64_t now)
{
	for (size_t i = 0; i < m->ns; i++) {
		struct session *s = &m->s[i];
		if (s->st == S_CONNECTING && s->timer_at >= 0 && s->timer_at <= now) {
			s->timer_at = -1;
			session_drive(m, s, CURL_SOCKET_TIMEOUT, 0);
		} else if (s->st == S_READY && !smtp_client_idle(&s->c) &&
			   now - s->last_ms > REPLY_TIMEOUT_MS) {
			session_lost(m, s, "the relay did not answer in time");
		} else if (s->st == S_READY && smtp_client_idle(&s->c) &&
			   now - s->last_ms > IDLE_CLOSE_MS) {
			size_t sent;
			curl_easy_send(s->h, "QUIT\r\n", 6, &sent); /* a courtesy: no wait for 221 */
			session_close(s);
		}
	}
}

/* One round: writes what is due, waits at most ms for the sockets (and libcurl's timers),
 * and handles what came. */
static void run_once(struct smtp *m, int ms)
{
	int64_t now = clock_mono_ms();
	size_t n = 0;
	assign_pending(m);
	for (size_t i = 0; i < m->ns; i++) {
		struct session *s = &m->s[i];
		if (s->st == S_READY && !session_write(m, s))
			continue;
		if (s->st == S_READY) {
			m->pfd[n].fd = s->fd;
			m->pfd[n].events = POLLIN | (s->w_off < s->w.len ? POLLOUT : 0);
			m->pfd_s[n++] = s;
			if (!smtp_client_idle(&s->c) && s->last_ms + REPLY_TIMEOUT_MS - now < ms)
				ms = (int)(s->last_ms + REPLY_TIMEOUT_MS - now);
		} else if (s->st == S_CONNECTING) {
			for (size_t k = 0; k < s->n_cfd; k++) {
				m->pfd[n].fd = s->cfd[k].fd;
				m->pfd[n].events = (s->cfd[k].what & CURL_POLL_IN ? POLLIN : 0) |
						   (s->cfd[k].what & CURL_POLL_OUT ? POLLOUT : 0);
				m->pfd_s[n++] = s;
			}
			if (s->timer_at >= 0 && s->timer_at - now < ms)
				ms = (int)(s->timer_at - now);
		}
	}
	if (m->done.n)
		ms = 0; /* outcomes are waiting to be collected */
	if (ms < 0)
		ms = 0;
	int got = poll(m->pfd, (nfds_t)n, ms);
	for (size_t i = 0; got > 0 && i < n; i++) {
		struct session *s = m->pfd_s[i];
		short re = m->pfd[i].revents;
		if (!re)
			continue;
		if (s->st == S_READY && m->pfd[i].fd == s->fd) {
			if (re & POLLOUT && !session_write(m, s))
				continue;
			if (re & (POLLIN | POLLHUP | POLLERR))
				session_read(m, s);
		} else if (s->st == S_CONNECTING) {
			int ev = (re & POLLIN ? CURL_CSELECT_IN : 0) | (re & POLLOUT ? CURL_CSELECT_OUT : 0) |
				 (re & (POLLERR | POLLHUP) ? CURL_CSELECT_ERR : 0);
			session_drive(m, s, m->pfd[i].fd, ev);
		}
	}
	run_timers(m, clock_mono_ms());
}

static size_t smtp_wait(struct mail_transport *t, int timeout_ms, struct mail_done *done,
			size_t max)
{
	struct smtp *m = (struct smtp *)t;
	int64_t until = clock_mono_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	do {
		int64_t left = until - clock_mono_ms();
		run_once(m, left > 0 ? (int)left : 0);
	} while (m->done.n == 0 && m->busy > 0 && clock_mono_ms() < until);
	size_t n = 0;
	for (; n < max && m->done.n > 0; n++) {
		struct item *it = ring_pop(m, &m->done);
		done[n].tag = it->m.tag;
		done[n].r = it->m.result;
		memcpy(done[n].reply, it->m.reply, sizeof done[n].reply);
		it->busy = 0; /* the item is free again */
		m->busy--;
	}
	return n;
}

static void smtp_free(struct mail_transport *t)
{
	struct smtp *m = (struct smtp *)t;
	if (!m)
		return;
	/* Messages in flight are dropped (their rows stay 'sending'). */
	for (size_t i = 0; m->s && i < m->ns; i++) {
		struct session *s = &m->s[i];
		if (s->st == S_READY && smtp_client_idle(&s->c)) {
			size_t sent;
			curl_easy_send(s->h, "QUIT\r\n", 6, &sent);
		}
		if (s->h) {
			session_close(s);
			curl_easy_cleanup(s->h);
		}
		if (s->multi)
			curl_multi_cleanup(s->multi);
		smtp_client_free(&s->c);
		buf_free(&s->w);
	}
	for (size_t i = 0; m->items && i < m->n_items; i++)
		item_clear(&m->items[i]);
	free(m->s);
	free(m->items);
	free(m->pend.v);
	free(m->done.v);
	free(m->pfd);
	free(m->pfd_s);
	free(m->url);
	free(m);
	curl_global_cleanup();
}

/* Sets up session s's easy handle and multi. Returns 0 when libcurl cannot. */
static int session_setup(struct session *s, const char *url, const struct mail_smtp_options *o)
{
	smtp_client_init(&s->c);
	buf_init(&s->w, s->c.out.max);
	s->st = S_DOWN;
	s->fd = CURL_SOCKET_BAD;
	s->timer_at = -1;
	s->multi = curl_multi_init();
	s->h = curl_easy_init();
	if (!s->multi || !s->h)
		return 0;
	curl_multi_setopt(s->multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
	curl_multi_setopt(s->multi, CURLMOPT_SOCKETDATA, s);
	curl_multi_setopt(s->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
	curl_multi_setopt(s->multi, CURLMOPT_TIMERDATA, s);
	CURL *h = s->h;
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CONNECT_ONLY, 1L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT_S);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, SETUP_TIMEOUT_S);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, s);
	/* STARTTLS: when offered ("try"), always ("require"), never ("off"). */
	curl_easy_setopt(h, CURLOPT_USE_SSL,
			 o->tls == MAIL_TLS_REQUIRE ? (long)CURLUSESSL_ALL
			 : o->tls == MAIL_TLS_OFF   ? (long)CURLUSESSL_NONE
						    : (long)CURLUSESSL_TRY);
	if (o->ca_file && o->ca_file[0])
		curl_easy_setopt(h, CURLOPT_CAINFO, o->ca_file);
	if (o->user && o->user[0]) {
		curl_easy_setopt(h, CURLOPT_USERNAME, o->user);
		curl_easy_setopt(h, CURLOPT_PASSWORD, o->password ? o->password : "");
	}
	return 1;
}

struct mail_transport *mail_transport_smtp_new(const char *url, const struct mail_smtp_options *o)
{
	/* libcurl counts these calls; each transport pairs one with curl_global_cleanup. */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_error("mail: curl_global_init failed");
		return NULL;
	}
	struct smtp *m = xcalloc(1, sizeof *m);
	size_t n = o->sessions > 0 ? (size_t)o->sessions : 8;
	m->base.room = smtp_room;
	m->base.busy = smtp_busy;
	m->base.start = smtp_start;
	m->base.wait = smtp_wait;
	m->base.free = smtp_free;
	m->base.per_session = SMTP_CLIENT_HOLD;
	m->url = xstrdup(url);
	m->ns = n;
	m->n_items = SMTP_CLIENT_HOLD * n;
	m->items = xcalloc(m->n_items, sizeof *m->items);
	m->pend.v = xcalloc(m->n_items, sizeof *m->pend.v);
	m->done.v = xcalloc(m->n_items, sizeof *m->done.v);
	m->pfd = xcalloc(n * CONNECT_FDS, sizeof *m->pfd);
	m->pfd_s = xcalloc(n * CONNECT_FDS, sizeof *m->pfd_s);
	m->s = xcalloc(n, sizeof *m->s);
	for (size_t i = 0; i < n; i++) {
		if (!session_setup(&m->s[i], m->url, o)) {
			log_error("mail: libcurl could not be set up");
			smtp_free(&m->base);
			return NULL;
		}
	}
	return &m->base;
}
