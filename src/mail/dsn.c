/* SPDX-License-Identifier: MIT */
/* dsn.c — reads inbound mail with GMime: is it a delivery status notification (RFC 3464), what
 * does it say per recipient, which Message-ID did the returned message carry, and which
 * addresses may hold our VERP return path. */
#include <ctype.h>
#include <pthread.h>
#include <string.h>
#include <strings.h>

#include <gmime/gmime.h>

#include "base/xalloc.h"
#include "mail/mail.h"
#include "vault/vault.h"

/* Decoded bytes read of a delivery-status or returned-headers part; the rest is ignored. */
#define DSN_PART_MAX (64 * 1024)
/* Longest field (name, colon and unfolded value) kept while reading a block of fields. */
#define DSN_LINE_MAX 2048

static pthread_once_t gmime_once = PTHREAD_ONCE_INIT;

static void gmime_start(void)
{
	g_mime_init();
}

/* Copies the n bytes at s into dst (cap bytes), cutting what does not fit, NUL-terminated. */
static void put(char *dst, size_t cap, const char *s, size_t n)
{
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

static int is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

/* Trims s[0..*n) of white space on both ends; returns the new start. */
static const char *trim(const char *s, size_t *n)
{
	while (*n && is_space(*s)) {
		s++;
		(*n)--;
	}
	while (*n && is_space(s[*n - 1]))
		(*n)--;
	return s;
}

/* Adds addr (an addr-spec, maybe in <>) to the list addrs of *naddrs (at most
 * MAIL_DSN_ADDRS_MAX), once. */
static void add_to(char (*addrs)[MAIL_DSN_FIELD_MAX], size_t *naddrs, const char *addr, size_t n)
{
	addr = trim(addr, &n);
	if (n && addr[0] == '<') {
		addr++;
		n--;
	}
	if (n && addr[n - 1] == '>')
		n--;
	if (n == 0 || n >= MAIL_DSN_FIELD_MAX || !memchr(addr, '@', n) ||
	    *naddrs >= MAIL_DSN_ADDRS_MAX)
		return;
	for (size_t i = 0; i < *naddrs; i++)
		if (strlen(addrs[i]) == n && strncasecmp(addrs[i], addr, n) == 0)
			return;
	put(addrs[(*naddrs)++], MAIL_DSN_FIELD_MAX, addr, n);
}

/* Adds addr to d's VERP candidates, once. */
static void add_addr(struct mail_dsn *d, const char *addr, size_t n)
{
	add_to(d->addrs, &d->naddrs, addr, n);
}

/* Adds every mailbox of an address-list header value to the list addrs of *naddrs. */
static void add_addr_list(char (*addrs)[MAIL_DSN_FIELD_MAX], size_t *naddrs, const char *value)
{
	if (!value)
		return;
	InternetAddressList *list = internet_address_list_parse(NULL, value);
	if (!list)
		return;
	int n = internet_address_list_length(list);
	for (int i = 0; i < n; i++) {
		InternetAddress *ia = internet_address_list_get_address(list, i);
		if (!INTERNET_ADDRESS_IS_MAILBOX(ia))
			continue;
		const char *a = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia));
		if (a)
			add_to(addrs, naddrs, a, strlen(a));
	}
	g_object_unref(list);
}

/* "rfc822; <Jiro@Example.NE.JP>" → "Jiro@Example.NE.JP" into dst (cap bytes). */
static void typed_address(char *dst, size_t cap, const char *v, size_t n)
{
	const char *semi = memchr(v, ';', n);
	if (semi) {
		n -= (size_t)(semi + 1 - v);
		v = semi + 1;
	}
	v = trim(v, &n);
	if (n && v[0] == '<') {
		v++;
		n--;
	}
	size_t k = 0;
	while (k < n && !is_space(v[k]) && v[k] != '>')
		k++;
	put(dst, cap, v, k);
}

/* A status code class.subject.detail (class 2, 4 or 5; one to three digits each) at the start
 * of v, copied into dst (cap bytes); "" when v does not start with one. */
static void status_code(char *dst, size_t cap, const char *v, size_t n)
{
	size_t i = 0;
	dst[0] = '\0';
	if (n == 0 || (v[0] != '2' && v[0] != '4' && v[0] != '5') || n < 5 || v[1] != '.')
		return;
	i = 2;
	for (int part = 0; part < 2; part++) {
		size_t start = i;
		while (i < n && i - start < 4 && isdigit((unsigned char)v[i]))
			i++;
		if (i == start || i - start > 3)
			return;
		if (part == 0) {
			if (i >= n || v[i] != '.')
				return;
			i++;
		}
	}
	if (i < n && !is_space(v[i]) && v[i] != '(' && v[i] != ';')
		return;
	put(dst, cap, v, i);
}

/* "<id@host>" out of a Message-ID value into dst (cap bytes); "" when there is none. */
static void message_id(char *dst, size_t cap, const char *v, size_t n)
{
	dst[0] = '\0';
	v = trim(v, &n);
	const char *lt = memchr(v, '<', n);
	if (lt) {
		size_t rest = n - (size_t)(lt - v);
		const char *gt = memchr(lt, '>', rest);
		if (!gt)
			return;
		n = (size_t)(gt - lt) + 1;
		v = lt;
	}
	if (n < 3 || n + 3 > cap)
		return;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)v[i] <= ' ' || (unsigned char)v[i] >= 0x7f)
			return;
	if (lt) {
		put(dst, cap, v, n);
	} else {
		dst[0] = '<';
		memcpy(dst + 1, v, n);
		dst[n + 1] = '>';
		dst[n + 2] = '\0';
	}
}

/* What reads one block of fields: the notification being filled, and the group of the
 * recipient slot in use (-1 before the first). */
struct reader {
	struct mail_dsn *d;
	int slot_group;
};

/* A field "Name: value" of a block (group counts the blank-line-separated groups). */
typedef void (*field_fn)(struct reader *rd, int group, const char *name, size_t nlen,
			 const char *value, size_t vlen);

/* Hands each complete field in line[0..len) to fn. */
static void field_flush(struct reader *rd, int group, const char *line, size_t len, field_fn fn)
{
	const char *colon = memchr(line, ':', len);
	if (!colon)
		return;
	size_t nlen = (size_t)(colon - line);
	const char *name = trim(line, &nlen);
	if (nlen == 0 || nlen > 64)
		return;
	for (size_t i = 0; i < nlen; i++)
		if (is_space(name[i]))
			return;
	size_t vlen = len - (size_t)(colon + 1 - line);
	const char *value = trim(colon + 1, &vlen);
	fn(rd, group, name, nlen, value, vlen);
}

/* Reads text (n bytes) as blocks of header fields separated by blank lines, unfolding
 * continuation lines (joined by one space), and hands each field to fn with its group number. */
static void fields_read(struct reader *rd, const char *text, size_t n, field_fn fn)
{
	char *line = xmalloc(DSN_LINE_MAX);
	size_t len = 0;
	int group = 0, group_used = 0, have = 0;
	size_t i = 0;
	while (i < n) {
		size_t start = i;
		while (i < n && text[i] != '\n')
			i++;
		size_t ll = i - start;
		const char *l = text + start;
		if (i < n)
			i++; /* the LF */
		if (ll && l[ll - 1] == '\r')
			ll--;
		size_t tl = ll;
		trim(l, &tl);
		if (tl == 0) { /* a blank line ends a group */
			if (have)
				field_flush(rd, group, line, len, fn);
			have = 0;
			if (group_used)
				group++;
			group_used = 0;
			continue;
		}
		if ((l[0] == ' ' || l[0] == '\t') && have) { /* folded: continues the field */
			size_t cl = ll;
			const char *c = trim(l, &cl);
			if (len + 1 + cl < DSN_LINE_MAX) {
				line[len++] = ' ';
				memcpy(line + len, c, cl);
				len += cl;
			}
			continue;
		}
		if (have)
			field_flush(rd, group, line, len, fn);
		len = ll < DSN_LINE_MAX ? ll : DSN_LINE_MAX - 1;
		memcpy(line, l, len);
		have = 1;
		group_used = 1;
	}
	if (have)
		field_flush(rd, group, line, len, fn);
	vault_wipe(line, DSN_LINE_MAX);
	free(line);
}

static int name_is(const char *name, size_t nlen, const char *want)
{
	return strlen(want) == nlen && strncasecmp(name, want, nlen) == 0;
}

/* The recipient slot for fields of group (a new slot when the group changes); NULL when the
 * notification has more recipients than we keep. */
static struct mail_dsn_rcpt *rcpt_for(struct reader *rd, int group)
{
	struct mail_dsn *d = rd->d;
	if (rd->slot_group != group) {
		if (d->nrcpt >= MAIL_DSN_RCPT_MAX)
			return NULL;
		d->nrcpt++;
		rd->slot_group = group;
	}
	return &d->rcpt[d->nrcpt - 1];
}

/* One field of a message/delivery-status body. */
static void on_status_field(struct reader *rd, int group, const char *name, size_t nlen,
			    const char *v, size_t vlen)
{
	struct mail_dsn_rcpt *r = NULL;
	struct mail_dsn *d = rd->d;
	if (name_is(name, nlen, "X-Postfix-Sender")) {
		char a[MAIL_DSN_FIELD_MAX];
		typed_address(a, sizeof a, v, vlen);
		add_addr(d, a, strlen(a));
		return;
	}
	int is_rcpt_field = name_is(name, nlen, "Final-Recipient") ||
			    name_is(name, nlen, "Original-Recipient") ||
			    name_is(name, nlen, "Action") || name_is(name, nlen, "Status") ||
			    name_is(name, nlen, "Diagnostic-Code");
	if (!is_rcpt_field)
		return;
	r = rcpt_for(rd, group);
	if (!r)
		return;
	if (name_is(name, nlen, "Final-Recipient")) {
		typed_address(r->final_rcpt, sizeof r->final_rcpt, v, vlen);
	} else if (name_is(name, nlen, "Original-Recipient")) {
		typed_address(r->orig_rcpt, sizeof r->orig_rcpt, v, vlen);
	} else if (name_is(name, nlen, "Action")) {
		size_t k = 0;
		while (k < vlen && k + 1 < sizeof r->action && !is_space(v[k]) && v[k] != '(') {
			r->action[k] = (char)tolower((unsigned char)v[k]);
			k++;
		}
		r->action[k] = '\0';
	} else if (name_is(name, nlen, "Status")) {
		status_code(r->status, sizeof r->status, v, vlen);
	} else {
		const char *semi = memchr(v, ';', vlen);
		/* "smtp; 550 …": drop the diagnostic type when there is one (a word before ';'). */
		if (semi && !memchr(v, ' ', (size_t)(semi - v))) {
			vlen -= (size_t)(semi + 1 - v);
			v = semi + 1;
			v = trim(v, &vlen);
		}
		put(r->diagnostic, sizeof r->diagnostic, v, vlen);
	}
}

/* One field of returned headers (text/rfc822-headers): the Message-ID and Return-Path. Only
 * the first block counts (the headers end at the first blank line). */
static void on_header_field(struct reader *rd, int group, const char *name, size_t nlen,
			    const char *v, size_t vlen)
{
	struct mail_dsn *d = rd->d;
	if (group != 0)
		return;
	if (name_is(name, nlen, "Message-ID") && !d->message_id[0])
		message_id(d->message_id, sizeof d->message_id, v, vlen);
	else if (name_is(name, nlen, "Return-Path"))
		add_addr(d, v, vlen);
}

/* The decoded content of a leaf part, at most DSN_PART_MAX bytes (NULs turned into spaces),
 * malloc'd and NUL-terminated (caller frees), or NULL. */
static char *part_content(GMimeObject *obj, size_t *len)
{
	if (!GMIME_IS_PART(obj))
		return NULL;
	GMimeDataWrapper *w = g_mime_part_get_content(GMIME_PART(obj));
	if (!w)
		return NULL;
	GMimeStream *mem = g_mime_stream_mem_new();
	char *out = NULL;
	if (g_mime_data_wrapper_write_to_stream(w, mem) >= 0) {
		GByteArray *arr = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
		size_t n = arr->len < DSN_PART_MAX ? arr->len : DSN_PART_MAX;
		out = xmalloc(n + 1);
		if (n)
			memcpy(out, arr->data, n);
		out[n] = '\0';
		for (size_t i = 0; i < n; i++)
			if (out[i] == '\0')
				out[i] = ' ';
		*len = n;
		if (arr->len)
			vault_wipe(arr->data, arr->len);
	}
	g_object_unref(mem);
	return out;
}

static int type_is(GMimeObject *obj, const char *type, const char *subtype)
{
	GMimeContentType *ct = g_mime_object_get_content_type(obj);
	return ct && g_mime_content_type_is_type(ct, type, subtype);
}

/* Reads one part of a multipart/report: the delivery status, or the returned message. */
static void report_part(struct mail_dsn *d, GMimeObject *part, int *seen_status)
{
	size_t len = 0;
	char *text = NULL;
	struct reader rd = {d, -1};
	if (!*seen_status && (type_is(part, "message", "delivery-status") ||
			      type_is(part, "message", "global-delivery-status"))) {
		text = part_content(part, &len);
		if (text) {
			*seen_status = 1;
			fields_read(&rd, text, len, on_status_field);
		}
	} else if (GMIME_IS_MESSAGE_PART(part)) { /* message/rfc822: the whole message back */
		GMimeMessage *m = g_mime_message_part_get_message(GMIME_MESSAGE_PART(part));
		const char *mid = m ? g_mime_message_get_message_id(m) : NULL;
		if (mid && !d->message_id[0])
			message_id(d->message_id, sizeof d->message_id, mid, strlen(mid));
		const char *rp =
		    m ? g_mime_object_get_header(GMIME_OBJECT(m), "Return-Path") : NULL;
		if (rp)
			add_addr(d, rp, strlen(rp));
	} else if (type_is(part, "text", "rfc822-headers") ||
		   type_is(part, "message", "rfc822-headers") ||
		   type_is(part, "message", "global-headers")) {
		text = part_content(part, &len);
		if (text)
			fields_read(&rd, text, len, on_header_field);
	}
	if (text) {
		vault_wipe(text, len);
		free(text);
	}
}

/* Returns 1 when obj is multipart/report with report-type delivery-status. */
static int is_status_report(GMimeObject *obj)
{
	if (!obj || !GMIME_IS_MULTIPART(obj) || !type_is(obj, "multipart", "report"))
		return 0;
	const char *rt =
	    g_mime_content_type_get_parameter(g_mime_object_get_content_type(obj), "report-type");
	return rt && (strcasecmp(rt, "delivery-status") == 0 ||
		      strcasecmp(rt, "global-delivery-status") == 0);
}

/* The headers naming where a message was delivered, most precise first. */
static const char *const rcpt_headers[] = {"Delivered-To", "X-Original-To", "To"};

enum err mail_dsn_parse(const char *msg, size_t len, struct mail_dsn *d)
{
	memset(d, 0, sizeof *d);
	pthread_once(&gmime_once, gmime_start);
	GMimeStream *stream = g_mime_stream_mem_new_with_buffer(msg, len);
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);
	g_object_unref(stream);
	GMimeMessage *m = g_mime_parser_construct_message(parser, NULL);
	g_object_unref(parser);
	if (!m)
		return ERR_INVALID;
	for (size_t i = 0; i < sizeof rcpt_headers / sizeof rcpt_headers[0]; i++)
		add_addr_list(d->addrs, &d->naddrs,
			      g_mime_object_get_header(GMIME_OBJECT(m), rcpt_headers[i]));
	GMimeObject *top = g_mime_message_get_mime_part(m);
	if (is_status_report(top)) {
		GMimeMultipart *mp = GMIME_MULTIPART(top);
		int seen_status = 0, n = g_mime_multipart_get_count(mp);
		for (int i = 0; i < n; i++)
			report_part(d, g_mime_multipart_get_part(mp, i), &seen_status);
		d->is_dsn = seen_status && d->nrcpt > 0;
	}
	g_object_unref(m);
	return ERR_OK;
}

/* Returns 1 when header value v (may be NULL) starts with one of the words of list (", "
 * separated), letter case ignored. */
static int header_is(const char *v, const char *const *list, size_t n)
{
	while (v && is_space(*v))
		v++;
	for (size_t i = 0; v && i < n; i++)
		if (strncasecmp(v, list[i], strlen(list[i])) == 0)
			return 1;
	return 0;
}

/* Returns 1 when addr's local part names a mail daemon or a robot (bounces, postmaster …):
 * mail from it is never answered. */
static int daemon_address(const char *addr)
{
	static const char *const daemons[] = {"mailer-daemon", "postmaster", "mail-daemon",
					      "noreply", "no-reply", "bounces"};
	size_t n = strcspn(addr, "@+");
	for (size_t i = 0; i < sizeof daemons / sizeof daemons[0]; i++)
		if (strlen(daemons[i]) == n && strncasecmp(addr, daemons[i], n) == 0)
			return 1;
	return 0;
}

enum err mail_in_msg_read(const char *msg, size_t len, const char *rcpt, struct mail_in_msg *m)
{
	static const char *const bulk[] = {"bulk", "junk", "list", "auto_reply"};
	static const char *const null_path[] = {"<>"};
	memset(m, 0, sizeof *m);
	m->raw = msg;
	m->len = len;
	m->rcpt = rcpt;
	pthread_once(&gmime_once, gmime_start);
	GMimeStream *stream = g_mime_stream_mem_new_with_buffer(msg, len);
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);
	g_object_unref(stream);
	GMimeMessage *gm = g_mime_parser_construct_message(parser, NULL);
	g_object_unref(parser);
	if (!gm)
		return ERR_INVALID;
	InternetAddressList *from = g_mime_message_get_from(gm);
	for (int i = 0; from && i < internet_address_list_length(from) && !m->from[0]; i++) {
		InternetAddress *ia = internet_address_list_get_address(from, i);
		if (INTERNET_ADDRESS_IS_MAILBOX(ia)) {
			const char *a = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia));
			if (a)
				put(m->from, sizeof m->from, a, strlen(a));
		}
	}
	const char *subject = g_mime_message_get_subject(gm);
	if (subject) {
		/* Cut on a character boundary. */
		size_t n = strlen(subject);
		if (n >= sizeof m->subject) {
			n = sizeof m->subject - 1;
			while (n > 0 && ((unsigned char)subject[n] & 0xc0) == 0x80)
				n--;
		}
		put(m->subject, sizeof m->subject, subject, n);
	}
	GMimeObject *o = GMIME_OBJECT(gm);
	const char *auto_sub = g_mime_object_get_header(o, "Auto-Submitted");
	m->automatic = (auto_sub && !header_is(auto_sub, (const char *const[]){"no"}, 1)) ||
		       header_is(g_mime_object_get_header(o, "Precedence"), bulk, 4) ||
		       header_is(g_mime_object_get_header(o, "Return-Path"), null_path, 1) ||
		       g_mime_object_get_header(o, "List-Id") != NULL ||
		       g_mime_object_get_header(o, "List-Unsubscribe") != NULL ||
		       (m->from[0] && daemon_address(m->from));
	for (size_t i = 0; i < sizeof rcpt_headers / sizeof rcpt_headers[0]; i++)
		add_addr_list(m->addrs, &m->naddrs, g_mime_object_get_header(o, rcpt_headers[i]));
	g_object_unref(gm);
	return ERR_OK;
}

void mail_in_msg_clear(struct mail_in_msg *m)
{
	vault_wipe(m->addrs, sizeof m->addrs);
	vault_wipe(m->from, sizeof m->from);
	vault_wipe(m->subject, sizeof m->subject);
}

void mail_dsn_clear(struct mail_dsn *d)
{
	vault_wipe(d, sizeof *d);
}

enum mail_bounce_kind mail_dsn_rcpt_kind(const struct mail_dsn_rcpt *r)
{
	char cls = r->status[0];
	if (strcmp(r->action, "failed") == 0)
		return cls == '5' ? MAIL_BOUNCE_HARD : MAIL_BOUNCE_SOFT;
	if (strcmp(r->action, "delayed") == 0)
		return MAIL_BOUNCE_SOFT;
	if (strcmp(r->action, "delivered") == 0 || strcmp(r->action, "relayed") == 0 ||
	    strcmp(r->action, "expanded") == 0)
		return MAIL_BOUNCE_NONE;
	/* No or an unknown action: a failure status is at most temporary for us. */
	return cls == '4' || cls == '5' ? MAIL_BOUNCE_SOFT : MAIL_BOUNCE_NONE;
}

/* Returns 1 when a and b are the same address, ignoring letter case and the quotes of a quoted
 * local part ("taro..yamada."@docomo.ne.jp is taro..yamada.@docomo.ne.jp). */
static int same_address(const char *a, const char *b)
{
	for (;;) {
		while (*a == '"')
			a++;
		while (*b == '"')
			b++;
		if (!*a || !*b)
			return !*a && !*b;
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return 0;
		a++;
		b++;
	}
}

/* Returns 1 when recipient group r names addr. */
static int names(const struct mail_dsn_rcpt *r, const char *addr)
{
	return (r->final_rcpt[0] && same_address(r->final_rcpt, addr)) ||
	       (r->orig_rcpt[0] && same_address(r->orig_rcpt, addr));
}

enum mail_bounce_kind mail_dsn_verdict(const struct mail_dsn *d, const char *addr, size_t *which)
{
	int named = 0;
	for (size_t i = 0; addr && i < d->nrcpt; i++)
		named |= names(&d->rcpt[i], addr);
	enum mail_bounce_kind worst = MAIL_BOUNCE_NONE;
	*which = 0;
	for (size_t i = 0; i < d->nrcpt; i++) {
		if (named && !names(&d->rcpt[i], addr))
			continue;
		enum mail_bounce_kind k = mail_dsn_rcpt_kind(&d->rcpt[i]);
		if (k > worst) {
			worst = k;
			*which = i;
		}
	}
	return worst;
}
