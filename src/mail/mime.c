/* SPDX-License-Identifier: MIT */
/* mime.c — builds one outgoing message: headers (RFC 5322, RFC 2047 words) and a base64
 * UTF-8 text body, or an ISO-2022-JP 7bit one for the domains that ask for it. */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/xalloc.h"
#include "mail/iso2022jp.h"
#include "mail/mail.h"
#include "mail/mail_internal.h"
#include "vault/vault.h"

/* An encoded-word is "=?UTF-8?B?" + base64 + "?=" and at most 75 characters, leaving 63 for
 * base64: 60 characters carry 45 bytes. */
#define WORD_BYTES 45
#define BODY_LINE 76

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Appends the base64 of n bytes (one unbroken run) to out. */
static enum err put_base64(struct buf *out, const unsigned char *p, size_t n)
{
	char q[256]; /* encoded in chunks of 64 groups, appended at once */
	size_t k = 0;
	enum err e = ERR_OK;
	for (size_t i = 0; i < n && e == ERR_OK; i += 3) {
		unsigned v = (unsigned)p[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		q[k++] = b64[(v >> 18) & 63];
		q[k++] = b64[(v >> 12) & 63];
		q[k++] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
		q[k++] = i + 2 < n ? b64[v & 63] : '=';
		if (k == sizeof q) {
			e = buf_append(out, q, k);
			k = 0;
		}
	}
	if (e == ERR_OK && k)
		e = buf_append(out, q, k);
	return e;
}

enum err mail_mime_base64(struct buf *out, const void *p, size_t n)
{
	return put_base64(out, p, n);
}

/* RFC 2047 section 2: a header line holding encoded-words is at most 76 characters. */
#define WORD_LINE 76

/* Returns the column out ends at: the characters after its last line end. */
static size_t column(const struct buf *out)
{
	size_t col = 0;
	while (col < out->len && out->data[out->len - 1 - col] != '\n')
		col++;
	return col;
}

size_t mail_mime_first_word_bytes(const struct buf *out, size_t overhead, size_t max)
{
	size_t col = column(out);
	if (col + overhead + 4 > WORD_LINE)
		return max; /* a header name this long never happens: a long line, not no progress
			     */
	size_t n = (WORD_LINE - col - overhead) / 4 * 3;
	return n < max ? n : max;
}

enum err mail_mime_encode_words(struct buf *out, const char *text)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t n = strlen(text);
	enum err e = ERR_OK;
	int first = 1;
	if (n == 0)
		return buf_puts(out, "=?UTF-8?B?"
				     "?=");
	/* "=?UTF-8?B?" and "?=": 12 characters around the base64. */
	size_t limit = mail_mime_first_word_bytes(out, 12, WORD_BYTES);
	while (n > 0 && e == ERR_OK) {
		size_t take = n < limit ? n : limit;
		/* Never end a word inside a UTF-8 sequence: step back over continuation bytes
		 * (at most 3, so invalid input still makes progress). */
		if (take < n) {
			size_t k = take;
			while (k > take - 3 && (p[k] & 0xC0) == 0x80)
				k--;
			if ((p[k] & 0xC0) != 0x80)
				take = k;
		}
		if (!first)
			e = buf_puts(out, "\r\n ");
		if (e == ERR_OK)
			e = buf_puts(out, "=?UTF-8?B?");
		if (e == ERR_OK)
			e = put_base64(out, p, take);
		if (e == ERR_OK)
			e = buf_puts(out, "?=");
		p += take;
		n -= take;
		first = 0;
		limit = WORD_BYTES;
	}
	return e;
}

enum err mail_from_parse(const char *spec, char **name, char **addr)
{
	const char *lt = strrchr(spec, '<');
	const char *gt = lt ? strchr(lt, '>') : NULL;
	char *a = NULL, *nm = NULL;
	if (lt && gt) {
		a = xstrndup(lt + 1, (size_t)(gt - lt - 1));
		size_t nl = (size_t)(lt - spec);
		while (nl > 0 && (spec[nl - 1] == ' ' || spec[nl - 1] == '\t'))
			nl--;
		size_t start = 0;
		while (start < nl && (spec[start] == ' ' || spec[start] == '\t'))
			start++;
		if (nl - start >= 2 && spec[start] == '"' && spec[nl - 1] == '"') {
			start++;
			nl--;
		}
		nm = xstrndup(spec + start, nl - start);
	} else {
		a = xstrdup(spec);
		nm = xstrdup("");
	}
	if (!mail_address_valid(a) || strpbrk(nm, "\r\n")) {
		free(a);
		free(nm);
		return ERR_INVALID;
	}
	*name = nm;
	*addr = a;
	return ERR_OK;
}

/* Returns 1 when s can stand as a phrase (display name) without quoting or encoding. */
static int is_plain_phrase(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == ' ' || *p == '-' || *p == '_'))
			return 0;
	return 1;
}

/* Appends the body as base64 of its canonical form (every line end CRLF), 76 per line. */
static enum err put_body(struct buf *out, const char *body)
{
	struct buf canon;
	enum err e = ERR_OK;
	buf_init(&canon, MAIL_MESSAGE_MAX);
	/* Bare LFs become CRLF; the runs between them are copied whole. */
	const char *seg = body, *p = body;
	for (const char *nl; e == ERR_OK && (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
		if (nl == body || nl[-1] != '\r') {
			e = buf_append(&canon, seg, (size_t)(nl - seg));
			if (e == ERR_OK)
				e = buf_append(&canon, "\r", 1);
			seg = nl;
		}
	}
	if (e == ERR_OK)
		e = buf_puts(&canon, seg);
	/* 57 input bytes make one 76-character line. */
	const unsigned char *c = (const unsigned char *)canon.data;
	for (size_t i = 0; i < canon.len && e == ERR_OK; i += BODY_LINE / 4 * 3) {
		size_t n = canon.len - i < BODY_LINE / 4 * 3 ? canon.len - i : BODY_LINE / 4 * 3;
		e = put_base64(out, c + i, n);
		if (e == ERR_OK)
			e = buf_append(out, "\r\n", 2);
	}
	if (canon.data) /* the body is personal data */
		vault_wipe(canon.data, canon.len);
	buf_free(&canon);
	return e;
}

enum err mail_mime_build(const struct mail_message *msg, struct buf *out)
{
	enum err e;
	char date[64];
	char *to = mail_address_render(msg->to);
	char *from = mail_address_render(msg->from_addr);
	size_t start = out->len;

	clock_rfc5322(msg->date_ms, date, sizeof date);
	e = buf_puts(out, "From: ");
	if (e == ERR_OK && msg->from_name[0]) {
		if (is_plain_phrase(msg->from_name))
			e = buf_puts(out, msg->from_name);
		else
			e = msg->iso2022jp ? mail_iso2022jp_words(out, msg->from_name)
					   : mail_mime_encode_words(out, msg->from_name);
		/* The address goes on the name's last line when it fits in 76, else on its own. */
		if (e == ERR_OK)
			e = buf_puts(out, column(out) + 1 + strlen(from) + 2 > WORD_LINE ? "\r\n "
											 : " ");
	}
	if (e == ERR_OK)
		e = buf_printf(out, "<%s>\r\nTo: <%s>\r\nSubject: ", from, to);
	if (e == ERR_OK)
		e = msg->iso2022jp ? mail_iso2022jp_words(out, msg->subject)
				   : mail_mime_encode_words(out, msg->subject);
	if (e == ERR_OK)
		e = buf_printf(out,
			       "\r\nDate: %s\r\nMessage-ID: %s\r\nMIME-Version: 1.0\r\n"
			       "Content-Type: text/plain; charset=%s\r\n"
			       "Content-Transfer-Encoding: %s\r\n",
			       date, msg->message_id, msg->iso2022jp ? "ISO-2022-JP" : "UTF-8",
			       msg->iso2022jp ? "7bit" : "base64");
	if (e == ERR_OK && strcmp(msg->kind, "notice") == 0)
		e = buf_puts(out, "Auto-Submitted: auto-generated\r\n");
	if (e == ERR_OK && msg->unsubscribe_url && msg->unsubscribe_mailto)
		e = buf_printf(out,
			       "List-Unsubscribe: <%s>,\r\n <mailto:%s?subject=unsubscribe>\r\n"
			       "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n",
			       msg->unsubscribe_url, msg->unsubscribe_mailto);
	if (e == ERR_OK)
		e = buf_puts(out, "\r\n");
	if (e == ERR_OK)
		e = msg->iso2022jp ? mail_iso2022jp_body(out, msg->body) : put_body(out, msg->body);
	free(to);
	free(from);
	if (e == ERR_INVALID && msg->iso2022jp) {
		/* Something ISO-2022-JP cannot carry: the whole message goes as UTF-8. */
		struct mail_message utf8 = *msg;
		utf8.iso2022jp = 0;
		if (out->data) {
			vault_wipe(out->data + start, out->len - start);
			out->len = start;
		}
		return mail_mime_build(&utf8, out);
	}
	return e;
}
