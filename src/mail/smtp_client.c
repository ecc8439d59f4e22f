/* SPDX-License-Identifier: MIT */
/* smtp_client.c — one SMTP session's mail transactions on bytes: writes MAIL, RCPT and DATA
 * (together when the server pipelines, RFC 2920; one by one when not), the dot-stuffed data
 * with the next message's envelope right behind it, and reads the replies into results. */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "mail/mail.h"
#include "mail/smtp_client.h"

void smtp_client_init(struct smtp_client *c)
{
	memset(c, 0, sizeof *c);
	/* A message plus its dot-stuffing (at most one extra byte a line) and commands. */
	buf_init(&c->out, SMTP_CLIENT_HOLD * (2 * MAIL_MESSAGE_MAX + 4096));
}

void smtp_client_free(struct smtp_client *c)
{
	buf_free(&c->out);
}

int smtp_client_room(const struct smtp_client *c)
{
	return c->n_held + c->n_finished < SMTP_CLIENT_HOLD;
}

int smtp_client_idle(const struct smtp_client *c)
{
	return c->n_held == 0 && c->exp_n == 0;
}

static void expect(struct smtp_client *c, struct smtp_msg *m, enum smtp_cmd cmd)
{
	assert(c->exp_n < SMTP_EXPECT_MAX);
	size_t at = (c->exp_head + c->exp_n++) % SMTP_EXPECT_MAX;
	c->expect[at].m = m;
	c->expect[at].c = cmd;
}

/* Appends to the output. The cap is sized for what can be held, so this cannot fail. */
static void put(struct smtp_client *c, const char *p, size_t n)
{
	enum err e = buf_append(&c->out, p, n);
	assert(e == ERR_OK);
	(void)e;
}

static void put_cmd(struct smtp_client *c, const char *verb, const char *arg)
{
	put(c, verb, strlen(verb));
	put(c, arg, strlen(arg));
	put(c, "\r\n", 2);
}

/* Writes m's data, dot-stuffed (RFC 5321 4.5.2), ending in CRLF "." CRLF. A base64 body has
 * no line that starts with a dot, so this is mostly one copy. */
static void put_body(struct smtp_client *c, const struct smtp_msg *m)
{
	const char *p = m->msg, *end = m->msg + m->len, *seg = p;
	if (p < end && *p == '.')
		put(c, ".", 1);
	for (const char *nl; p < end && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL;) {
		p = nl + 1;
		if (p < end && *p == '.') {
			put(c, seg, (size_t)(p - seg));
			put(c, ".", 1);
			seg = p;
		}
	}
	put(c, seg, (size_t)(end - seg));
	if (m->len < 2 || m->msg[m->len - 2] != '\r' || m->msg[m->len - 1] != '\n')
		put(c, "\r\n", 2);
	put(c, ".\r\n", 3);
}

/* Writes the next held message's envelope when the protocol allows: never while a DATA waits
 * for its 354; with pipelining MAIL, RCPT and DATA at once, else MAIL once nothing is due. */
static void fill(struct smtp_client *c)
{
	if (!c->ready || c->await_354 || c->n_env >= c->n_held)
		return;
	struct smtp_msg *m = c->held[c->n_env];
	if (c->pipelining) {
		put_cmd(c, "MAIL FROM:", m->from_arg);
		put_cmd(c, "RCPT TO:", m->rcpt_arg);
		put(c, "DATA\r\n", 6);
		expect(c, m, SMTP_MAIL);
		expect(c, m, SMTP_RCPT);
		expect(c, m, SMTP_DATA);
		c->await_354 = 1;
		c->n_env++;
	} else if (c->exp_n == 0) {
		put_cmd(c, "MAIL FROM:", m->from_arg);
		expect(c, m, SMTP_MAIL);
		c->n_env++;
	}
}

void smtp_client_add(struct smtp_client *c, struct smtp_msg *m)
{
	assert(smtp_client_room(c)); /* the transport asks for room first */
	m->answered = 0;
	m->fail_code = 0;
	m->reply[0] = '\0';
	c->held[c->n_held++] = m;
	fill(c);
}

void smtp_client_ready(struct smtp_client *c, int pipelining)
{
	c->ready = 1;
	c->pipelining = pipelining;
	fill(c);
}

/* Keeps the first refusing reply of m. */
static void note_fail(struct smtp_msg *m, long code, const char *line)
{
	if (m->fail_code)
		return;
	m->fail_code = code;
	mail_text_blank_addresses(line, m->reply, sizeof m->reply);
}

/* Finishes the oldest held message (m, always the head: replies come in command order). */
static void finish(struct smtp_client *c, struct smtp_msg *m, long code)
{
	assert(c->n_held > 0 && c->held[0] == m);
	memmove(c->held, c->held + 1, (c->n_held - 1) * sizeof *c->held);
	c->n_held--;
	c->n_env--;
	c->finished[c->n_finished++] = m;
	if (m->fail_code) {
		m->result = m->fail_code >= 500 ? MAIL_FAILED : MAIL_DEFERRED;
	} else {
		m->result = MAIL_SENT;
		snprintf(m->reply, sizeof m->reply, "%ld", code);
	}
}

/* One complete reply: code and its first line. Moves the transaction of the command it
 * answers on. */
static enum err on_reply(struct smtp_client *c, long code, const char *line)
{
	if (c->exp_n == 0)
		return ERR_INVALID; /* nobody asked (a 421 before closing comes here too) */
	struct smtp_msg *m = c->expect[c->exp_head].m;
	enum smtp_cmd cmd = c->expect[c->exp_head].c;
	int ok = code >= 200 && code < 300;
	c->exp_head = (c->exp_head + 1) % SMTP_EXPECT_MAX;
	c->exp_n--;
	if (m)
		m->answered = 1;
	switch (cmd) {
	case SMTP_MAIL:
		if (!ok)
			note_fail(m, code, line);
		if (!c->pipelining) {
			if (ok) {
				put_cmd(c, "RCPT TO:", m->rcpt_arg);
				expect(c, m, SMTP_RCPT);
			} else {
				finish(c, m, code); /* no transaction was opened */
			}
		}
		break;
	case SMTP_RCPT:
		if (!ok)
			note_fail(m, code, line);
		if (!c->pipelining) {
			if (ok) {
				put(c, "DATA\r\n", 6);
				expect(c, m, SMTP_DATA);
				c->await_354 = 1;
			} else {
				finish(c, m, code);
				put(c, "RSET\r\n", 6); /* the open MAIL transaction */
				expect(c, NULL, SMTP_RSET);
			}
		}
		break;
	case SMTP_DATA:
		c->await_354 = 0;
		if (code == 354) {
			/* With one recipient a refused MAIL or RCPT leaves none, so a 354 now
			 * would start a message to nobody: the server is not to be trusted. */
			if (m->fail_code)
				return ERR_INVALID;
			put_body(c, m);
			expect(c, m, SMTP_BODY);
		} else {
			if (ok)
				return ERR_INVALID; /* DATA accepted without asking for the data */
			note_fail(m, code, line);
			finish(c, m, code);
			put(c, "RSET\r\n", 6);
			expect(c, NULL, SMTP_RSET);
		}
		break;
	case SMTP_BODY:
		if (!ok)
			note_fail(m, code, line);
		finish(c, m, code);
		break;
	case SMTP_RSET:
		if (!ok)
			return ERR_INVALID;
		break;
	}
	fill(c);
	return ERR_OK;
}

/* One complete line (without its line end): a reply line "NNN-text" (more follow) or
 * "NNN text" / "NNN" (the last). */
static enum err on_line(struct smtp_client *c, const char *line, size_t n)
{
	if (n < 3 || line[0] < '2' || line[0] > '5' || line[1] < '0' || line[1] > '9' ||
	    line[2] < '0' || line[2] > '9' || (n > 3 && line[3] != ' ' && line[3] != '-'))
		return ERR_INVALID;
	long code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
	if (!c->in_reply) {
		memcpy(c->first, line, n);
		c->first[n] = '\0';
	} else if (strncmp(c->first, line, 3) != 0) {
		return ERR_INVALID; /* a multi-line reply changed its code */
	}
	if (n > 3 && line[3] == '-') {
		c->in_reply = 1;
		return ERR_OK;
	}
	c->in_reply = 0;
	return on_reply(c, code, c->first);
}

enum err smtp_client_read(struct smtp_client *c, const char *p, size_t n)
{
	const char *end = p + n;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t take = (size_t)((nl ? nl : end) - p);
		/* Keep what fits of the line (one byte stays for the NUL); the rest is cut. */
		size_t room = sizeof c->line - 1 - c->line_n;
		if (take > room) {
			c->line_over = 1;
			memcpy(c->line + c->line_n, p, room);
			c->line_n += room;
		} else {
			memcpy(c->line + c->line_n, p, take);
			c->line_n += take;
		}
		if (!nl)
			break;
		p = nl + 1;
		size_t len = c->line_n;
		if (len && c->line[len - 1] == '\r')
			len--;
		if (c->line_over)
			len = smtp_line_cut_at_word(c->line, len);
		c->line[len] = '\0';
		c->line_n = 0;
		c->line_over = 0;
		enum err e = on_line(c, c->line, len);
		if (e != ERR_OK)
			return e;
	}
	return ERR_OK;
}

struct smtp_msg *smtp_client_take(struct smtp_client *c)
{
	if (c->n_finished == 0)
		return NULL;
	struct smtp_msg *m = c->finished[0];
	c->n_finished--;
	memmove(c->finished, c->finished + 1, c->n_finished * sizeof *c->finished);
	return m;
}

size_t smtp_client_lost(struct smtp_client *c, struct smtp_msg **out)
{
	size_t n = c->n_held;
	memcpy(out, c->held, n * sizeof *out);
	c->n_held = c->n_env = 0;
	c->exp_head = c->exp_n = 0;
	c->await_354 = c->ready = c->pipelining = 0;
	c->line_n = 0;
	c->line_over = c->in_reply = 0;
	c->out.len = 0;
	if (c->out.data)
		c->out.data[0] = '\0';
	return n;
}

size_t smtp_line_cut_at_word(const char *line, size_t n)
{
	while (n > 3 && line[n - 1] != ' ')
		n--;
	return n;
}
