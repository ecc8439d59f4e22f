/* SPDX-License-Identifier: MIT */
/* test_mail.c — unit tests for src/mail/: addresses, MIME, the outbox and the sender with its
 * Maildir and SMTP transports (against tests/unit/smtp_sink.py). */
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/buf.h"
#include "base/xalloc.h"
#include "mail/mail.h"
#include "mail/mail_internal.h"
#include "store/store.h"
#include "vault/keyring.h"
#include "vault/vault.h"

#include "store_env.h"

#define WAIT_MS 10000


static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	struct buf b;
	buf_init(&b, 1 << 22);
	char tmp[4096];
	for (size_t n = fread(tmp, 1, sizeof tmp, f); n > 0; n = fread(tmp, 1, sizeof tmp, f))
		assert_int_equal(buf_append(&b, tmp, n), ERR_OK);
	fclose(f);
	buf_puts(&b, "");
	return buf_steal(&b);
}

/* Returns the malloc'd paths of regular files in dir whose names end in suffix ("" = all). */
static size_t list_files(const char *dir, const char *suffix, char **out, size_t max)
{
	size_t n = 0;
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	for (struct dirent *de = readdir(d); de; de = readdir(d)) {
		size_t l = strlen(de->d_name), sl = strlen(suffix);
		if (de->d_name[0] == '.' || l < sl || strcmp(de->d_name + l - sl, suffix) != 0)
			continue;
		if (n < max)
			out[n] = xasprintf("%s/%s", dir, de->d_name);
		n++;
	}
	closedir(d);
	return n;
}

static void free_files(char **f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(f[i]);
}

/* Waits (bounded) until dir holds want files ending in suffix. */
static size_t wait_files(const char *dir, const char *suffix, size_t want)
{
	size_t n = 0;
	for (int waited = 0; waited < WAIT_MS; waited += 50) {
		char *f[16];
		n = list_files(dir, suffix, f, 16);
		free_files(f, n < 16 ? n : 16);
		if (n >= want)
			break;
		sleep_ms(50);
	}
	return n;
}

static int64_t count_state(struct store *s, const char *state)
{
	struct store_conn *c = store_acquire(s);
	struct store_stmt *st = store_prepare(c, "SELECT COUNT(*) FROM outbox WHERE state = ?");
	assert_non_null(st);
	store_bind_text(st, 1, state);
	assert_int_equal(store_step(st), STORE_ROW);
	int64_t n = store_col_int(st, 0);
	store_finish(st);
	store_release(c);
	return n;
}

static int64_t wait_state(struct store *s, const char *state, int64_t want)
{
	int64_t n = 0;
	for (int waited = 0; waited < WAIT_MS; waited += 50) {
		n = count_state(s, state);
		if (n >= want)
			break;
		sleep_ms(50);
	}
	return n;
}

/* Returns the malloc'd value of column col ("state", "last_reply"…) of the row whose
 * decrypted recipient is to. */
static char *row_col(struct env_base *e, const char *to, const char *col)
{
	char *sql = xasprintf("SELECT to_enc, %s FROM outbox ORDER BY id", col);
	struct store_conn *c = store_acquire(e->s);
	struct store_stmt *st = store_prepare(c, sql);
	char *val = NULL;
	assert_non_null(st);
	while (!val && store_step(st) == STORE_ROW) {
		size_t len;
		const void *p = store_col_blob(st, 0, &len);
		char *addr = NULL;
		assert_int_equal(vault_unseal(e->v, "outbox.to", p, len, &addr), ERR_OK);
		if (strcmp(addr, to) == 0)
			val = xstrdup(store_col_is_null(st, 1) ? "(null)" : store_col_text(st, 1));
		vault_wipe_free(addr);
	}
	store_finish(st);
	store_release(c);
	free(sql);
	assert_non_null(val);
	return val;
}

static int b64val(char ch)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = ch ? strchr(a, ch) : NULL;
	return p ? (int)(p - a) : -1;
}

/* Decodes n base64 characters (with padding) appending to out. */
static void b64_decode(const char *s, size_t n, struct buf *out)
{
	assert_int_equal(n % 4, 0);
	for (size_t i = 0; i < n; i += 4) {
		int v[4];
		for (int k = 0; k < 4; k++)
			v[k] = s[i + k] == '=' ? 0 : b64val(s[i + k]);
		for (int k = 0; k < 4; k++)
			assert_true(v[k] >= 0);
		unsigned char o[3] = {(unsigned char)(v[0] << 2 | v[1] >> 4),
				      (unsigned char)((v[1] & 15) << 4 | v[2] >> 2),
				      (unsigned char)((v[2] & 3) << 6 | v[3])};
		size_t keep = s[i + 2] == '=' ? 1 : s[i + 3] == '=' ? 2 : 3;
		buf_append(out, o, keep);
	}
}

/* Decodes a header value made of RFC 2047 B encoded-words separated by folding whitespace,
 * checking each word's length and that no word starts inside a UTF-8 sequence. Returns a
 * malloc'd string. */
static char *decode_words(const char *v, const char *end)
{
	struct buf out;
	buf_init(&out, 1 << 16);
	buf_puts(&out, "");
	while (v < end) {
		while (v < end && (*v == ' ' || *v == '\r' || *v == '\n' || *v == '\t'))
			v++;
		if (v >= end)
			break;
		assert_memory_equal(v, "=?UTF-8?B?", 10);
		const char *q = strstr(v + 10, "?=");
		assert_non_null(q);
		assert_true(q + 2 - v <= 75);
		size_t before = out.len;
		b64_decode(v + 10, (size_t)(q - v - 10), &out);
		if (out.len > before)
			assert_int_not_equal((unsigned char)out.data[before] & 0xC0, 0x80);
		v = q + 2;
	}
	return buf_steal(&out);
}

/* Finds header name (e.g. "Subject:") in msg and returns its unfolded extent. */
static const char *header(const char *msg, const char *name, const char **end)
{
	const char *p = strstr(msg, name);
	assert_non_null(p);
	const char *e = p + strlen(name);
	for (;;) {
		e = strchr(e, '\n');
		assert_non_null(e);
		if (e[1] != ' ' && e[1] != '\t')
			break;
		e++;
	}
	*end = e;
	return p + strlen(name);
}

static int count_substr(const char *s, const char *needle)
{
	int n = 0;
	for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

static void test_address_valid(void **state)
{
	(void)state;
	assert_true(mail_address_valid("taro@example.jp"));
	assert_true(mail_address_valid("taro..yamada.@docomo.ne.jp"));
	assert_true(mail_address_valid(".taro@ezweb.ne.jp"));
	assert_true(mail_address_valid("a+b_c-d@i.softbank.jp"));
	assert_true(mail_address_valid("x@Mail.Example.COM"));
	assert_false(mail_address_valid(NULL));
	assert_false(mail_address_valid(""));
	assert_false(mail_address_valid("a b@x.jp"));
	assert_false(mail_address_valid("x@y\r\nBcc: z"));
	assert_false(mail_address_valid("x@y.jp\r\nBcc: z@w.jp"));
	assert_false(mail_address_valid("noat.example.jp"));
	assert_false(mail_address_valid("@example.jp"));
	assert_false(mail_address_valid("a@b@example.jp"));
	assert_false(mail_address_valid("a@localhost"));
	assert_false(mail_address_valid("a@-x.jp"));
	assert_false(mail_address_valid("a@x..jp"));
	assert_false(mail_address_valid("a@x.jp."));
	assert_false(mail_address_valid("\"quoted\"@x.jp"));
	assert_false(mail_address_valid("a<b>@x.jp"));
	assert_false(mail_address_valid("太郎@x.jp"));
	assert_false(mail_address_valid("a\t@x.jp"));
	char longl[80];
	memset(longl, 'a', 65);
	memcpy(longl + 65, "@x.jp", 6);
	assert_false(mail_address_valid(longl));
	char big[300];
	memset(big, 'a', sizeof big);
	memcpy(big, "a@", 2);
	for (size_t i = 10; i < 290; i += 10)
		big[i] = '.';
	memcpy(big + 290, ".jp", 4);
	assert_false(mail_address_valid(big));
}

static void test_address_render(void **state)
{
	(void)state;
	const char *cases[][2] = {
	    {"taro@example.jp", "taro@example.jp"},
	    {"taro.yamada@example.jp", "taro.yamada@example.jp"},
	    {"taro..yamada.@docomo.ne.jp", "\"taro..yamada.\"@docomo.ne.jp"},
	    {".taro@ezweb.ne.jp", "\".taro\"@ezweb.ne.jp"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *r = mail_address_render(cases[i][0]);
		assert_string_equal(r, cases[i][1]);
		free(r);
	}
	char *d = mail_address_domain("x@Mail.Example.COM");
	assert_string_equal(d, "mail.example.com");
	free(d);
}

static void test_subject_words(void **state)
{
	(void)state;
	const char *subjects[] = {
	    "",
	    "Hello",
	    "お知らせ",
	    /* 4-byte sequences and a length that forces several words */
	    "【重要】児童の下校時刻の変更について🏫🏫🏫 — みまもり区役所からのお知らせです。"
	    "ご確認ください。",
	    "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghij",
	};
	for (size_t i = 0; i < sizeof subjects / sizeof subjects[0]; i++) {
		struct buf b;
		buf_init(&b, 4096);
		assert_int_equal(mail_mime_encode_words(&b, subjects[i]), ERR_OK);
		char *dec = decode_words(b.data, b.data + b.len);
		assert_string_equal(dec, subjects[i]);
		free(dec);
		buf_free(&b);
	}
	struct buf b;
	buf_init(&b, 4096);
	assert_int_equal(mail_mime_encode_words(&b, "お知らせ"), ERR_OK);
	assert_string_equal(b.data, "=?UTF-8?B?44GK55+l44KJ44Gb?=");
	buf_free(&b);
}

static void test_mime_build(void **state)
{
	(void)state;
	struct mail_message m = {
	    .from_name = "みまもり",
	    .from_addr = "noreply@mimamori.invalid",
	    .to = "taro..yamada.@docomo.ne.jp",
	    .subject = "下校のお知らせ：本日は台風の接近に伴い、すべての学童クラブを早めに閉所します",
	    .body = "本日は14時に下校します。\n"
		    ".\nline with a dot above\n",
	    .message_id = "<abc@mimamori.invalid>",
	    .kind = "notice",
	    .date_ms = 1700000000000,
	};
	struct buf b;
	buf_init(&b, MAIL_MESSAGE_MAX);
	assert_int_equal(mail_mime_build(&m, &b), ERR_OK);
	/* Every line ends in CRLF. */
	for (size_t i = 0; i < b.len; i++)
		if (b.data[i] == '\n')
			assert_true(i > 0 && b.data[i - 1] == '\r');
	assert_non_null(strstr(b.data, "\r\nTo: <\"taro..yamada.\"@docomo.ne.jp>\r\n"));
	assert_non_null(strstr(b.data, "From: =?UTF-8?B?"));
	assert_non_null(strstr(b.data, " <noreply@mimamori.invalid>\r\n"));
	assert_non_null(strstr(b.data, "\r\nMessage-ID: <abc@mimamori.invalid>\r\n"));
	assert_non_null(strstr(b.data, "\r\nDate: "));
	assert_non_null(strstr(b.data, "+0900\r\n"));
	assert_non_null(strstr(b.data, "\r\nMIME-Version: 1.0\r\n"));
	/* Header lines with encoded-words stay within 76 characters (RFC 2047), the first one
	 * included ("Subject: " + its first word). */
	for (const char *line = b.data; line && line < b.data + b.len;) {
		const char *eol = strstr(line, "\r\n");
		if (!eol || eol == line)
			break; /* the header ends */
		if (strstr(line, "=?") && strstr(line, "=?") < eol)
			assert_true(eol - line <= 76);
		line = eol + 2;
	}
	/* A notice has no List-Unsubscribe; bulk mail carries both targets and one-click. */
	assert_null(strstr(b.data, "List-Unsubscribe"));
	struct buf bulk;
	buf_init(&bulk, MAIL_MESSAGE_MAX);
	m.kind = "bulk";
	m.unsubscribe_url = "https://mimamori.example.jp/api/v1/unsubscribe/7-00ff";
	m.unsubscribe_mailto = "unsubscribe+7-00ff@mimamori.example.jp";
	assert_int_equal(mail_mime_build(&m, &bulk), ERR_OK);
	assert_non_null(strstr(bulk.data,
			       "\r\nList-Unsubscribe: "
			       "<https://mimamori.example.jp/api/v1/unsubscribe/7-00ff>,\r\n "
			       "<mailto:unsubscribe+7-00ff@mimamori.example.jp?subject=unsubscribe>\r\n"
			       "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"));
	assert_null(strstr(bulk.data, "Auto-Submitted"));
	buf_free(&bulk);
	assert_non_null(strstr(b.data, "\r\nContent-Type: text/plain; charset=UTF-8\r\n"));
	assert_non_null(strstr(b.data, "\r\nContent-Transfer-Encoding: base64\r\n"));
	assert_non_null(strstr(b.data, "\r\nAuto-Submitted: auto-generated\r\n"));
	assert_int_equal(count_substr(b.data, "\nTo:"), 1);
	assert_null(strstr(b.data, "Cc:"));
	const char *end;
	const char *subj = header(b.data, "\nSubject:", &end);
	char *dec = decode_words(subj, end);
	assert_string_equal(dec, m.subject);
	free(dec);
	/* The body decodes to the text with CRLF line ends, in lines of at most 76. */
	const char *body = strstr(b.data, "\r\n\r\n") + 4;
	struct buf raw, plain;
	buf_init(&raw, 1 << 16);
	buf_init(&plain, 1 << 16);
	for (const char *p = body; *p;) {
		const char *nl = strstr(p, "\r\n");
		assert_non_null(nl);
		assert_true(nl - p <= 76);
		buf_append(&raw, p, (size_t)(nl - p));
		p = nl + 2;
	}
	b64_decode(raw.data, raw.len, &plain);
	buf_puts(&plain, "");
	assert_string_equal(plain.data,
			    "本日は14時に下校します。\r\n.\r\nline with a dot above\r\n");
	buf_free(&raw);
	buf_free(&plain);
	buf_free(&b);

	m.kind = "bulk";
	m.from_name = "";
	buf_init(&b, MAIL_MESSAGE_MAX);
	assert_int_equal(mail_mime_build(&m, &b), ERR_OK);
	assert_null(strstr(b.data, "Auto-Submitted"));
	assert_non_null(strstr(b.data, "From: <noreply@mimamori.invalid>\r\n"));
	buf_free(&b);
}

static void test_from_parse(void **state)
{
	(void)state;
	char *n = NULL, *a = NULL;
	assert_int_equal(mail_from_parse("mimamori <noreply@mimamori.invalid>", &n, &a), ERR_OK);
	assert_string_equal(n, "mimamori");
	assert_string_equal(a, "noreply@mimamori.invalid");
	free(n);
	free(a);
	assert_int_equal(mail_from_parse("\"区役所\" <a@b.jp>", &n, &a), ERR_OK);
	assert_string_equal(n, "区役所");
	free(n);
	free(a);
	assert_int_equal(mail_from_parse("a@b.jp", &n, &a), ERR_OK);
	assert_string_equal(n, "");
	assert_string_equal(a, "a@b.jp");
	free(n);
	free(a);
	assert_int_equal(mail_from_parse("x <bad address>", &n, &a), ERR_INVALID);
	/* Header injection through the display name is refused. */
	assert_int_equal(mail_from_parse("区役所\r\nBcc: z@w.jp <a@b.jp>", &n, &a), ERR_INVALID);
	assert_int_equal(mail_from_parse("区役所\n <a@b.jp>", &n, &a), ERR_INVALID);
}

static void test_enqueue(void **state)
{
	(void)state;
	struct env_base e;
	store_env_open(&e, "mail");
	struct store_conn *c = store_acquire(e.s);
	assert_int_equal(mail_outbox_enqueue(c, e.v, "s1", "notice", "a b@x.jp", "s", "b"),
			 ERR_INVALID);
	assert_int_equal(mail_outbox_enqueue(c, e.v, "s1", "notice", "x@y\r\nBcc: z", "s", "b"),
			 ERR_INVALID);
	assert_int_equal(
	    mail_outbox_enqueue(c, e.v, "s1", "notice", "a@x.jp", "s\r\nBcc: z@w.jp", "b"),
	    ERR_INVALID);
	assert_int_equal(mail_outbox_enqueue(c, e.v, "s1", "notice", "a@x.jp", "s\nx", "b"),
			 ERR_INVALID);
	assert_int_equal(mail_outbox_enqueue(c, e.v, "s1", "spam", "a@x.jp", "s", "b"),
			 ERR_INVALID);
	/* Inside a transaction that rolls back, nothing is queued. */
	assert_int_equal(store_begin(c), ERR_OK);
	assert_int_equal(mail_outbox_enqueue(c, e.v, "s1", "bulk", "a@x.jp", "s", "b"), ERR_OK);
	store_rollback(c);
	assert_int_equal(
	    mail_outbox_enqueue(c, e.v, "s2", "notice", "Taro@Mail.Example.JP", "件名", "本文"),
	    ERR_OK);
	assert_int_equal(mail_outbox_enqueue(c, e.v, "s2", "notice", "b@x.jp", "件名", "本文"),
			 ERR_OK);
	struct store_stmt *st = store_prepare(
	    c, "SELECT domain, state, message_id, to_enc, subject_enc FROM outbox ORDER BY id");
	assert_int_equal(store_step(st), STORE_ROW);
	assert_string_equal(store_col_text(st, 0), "mail.example.jp");
	assert_string_equal(store_col_text(st, 1), "queued");
	const char *mid = store_col_text(st, 2);
	assert_true(mid[0] == '<' && strstr(mid, "@mimamori.invalid>") != NULL);
	size_t len;
	const char *blob = store_col_blob(st, 3, &len);
	assert_null(memmem(blob, len, "Taro", 4));
	char *to = NULL;
	assert_int_equal(vault_unseal(e.v, "outbox.to", blob, len, &to), ERR_OK);
	assert_string_equal(to, "Taro@Mail.Example.JP");
	vault_wipe_free(to);
	blob = store_col_blob(st, 4, &len);
	assert_int_not_equal(vault_unseal(e.v, "outbox.to", blob, len, &to), ERR_OK);
	char *mid1 = xstrdup(mid);
	assert_int_equal(store_step(st), STORE_ROW);
	assert_string_not_equal(store_col_text(st, 2), mid1);
	assert_int_equal(store_step(st), STORE_DONE);
	free(mid1);
	store_finish(st);
	store_release(c);
	store_env_close(&e);
}

static void test_bad_transport(void **state)
{
	(void)state;
	struct env_base e;
	store_env_open(&e, "mail");
	struct mail_sender *m = (struct mail_sender *)1;
	assert_int_equal(mail_sender_start(e.s, e.k, "ftp://x", "http://127.0.0.1:8080", &m), ERR_INVALID);
	assert_null(m);
	assert_int_equal(mail_sender_start(e.s, e.k, "maildir:", "http://127.0.0.1:8080", &m), ERR_INVALID);
	mail_sender_stop(NULL);
	store_env_close(&e);
}

static const char *const maildir_to[] = {"taro..yamada.@docomo.ne.jp", "hanako@example.jp",
					 "jiro@ezweb.ne.jp"};
static const char maildir_subject[] = "【みまもり】入館のお知らせ — 山田太郎さんが 15:02 に"
				      "入館しました";

static void test_maildir_end_to_end(void **state)
{
	(void)state;
	struct env_base e;
	store_env_open(&e, "mail");
	struct store_conn *c = store_acquire(e.s);
	assert_int_equal(store_begin(c), ERR_OK);
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(mail_outbox_enqueue(c, e.v, "send-1", "notice", maildir_to[i],
						     maildir_subject, "本文です。\n二行目。\n"),
				 ERR_OK);
	assert_int_equal(store_commit(c), ERR_OK);
	/* As if a crash left the first row in flight: it must be sent on start. */
	assert_int_equal(
	    store_exec(c, "UPDATE outbox SET state = 'sending' WHERE id = (SELECT MIN(id) FROM "
			  "outbox)"),
	    ERR_OK);
	store_release(c);

	char *url = xasprintf("maildir:%s/Maildir", e.dir);
	char *newdir = xasprintf("%s/Maildir/new", e.dir);
	struct mail_sender *m = NULL;
	assert_int_equal(mail_sender_start(e.s, e.k, url, "http://127.0.0.1:8080", &m), ERR_OK);
	mail_sender_wake(m);
	assert_int_equal(wait_files(newdir, "", 3), 3);
	assert_int_equal(wait_state(e.s, "sent", 3), 3);

	char *files[8];
	size_t n = list_files(newdir, "", files, 8);
	assert_int_equal(n, 3);
	int seen[3] = {0, 0, 0};
	for (size_t i = 0; i < n; i++) {
		char *msg = read_all(files[i]);
		assert_null(strchr(msg, '\r')); /* Maildir files use LF */
		assert_int_equal(count_substr(msg, "\nTo:"), 1);
		assert_null(strstr(msg, "\nCc:"));
		assert_null(strstr(msg, "\nBcc:"));
		int hits = 0;
		for (size_t k = 0; k < 3; k++) {
			char *r = mail_address_render(maildir_to[k]);
			char *line = xasprintf("\nTo: <%s>\n", r);
			if (strstr(msg, line)) {
				seen[k]++;
				hits++;
			}
			free(line);
			free(r);
		}
		assert_int_equal(hits, 1);
		const char *end;
		const char *subj = header(msg, "\nSubject:", &end);
		assert_memory_equal(subj, " =?UTF-8?B?", 11);
		char *dec = decode_words(subj, end);
		assert_string_equal(dec, maildir_subject);
		free(dec);
		assert_non_null(strstr(msg, "\nAuto-Submitted: auto-generated\n"));
		assert_non_null(strstr(msg, "\nMessage-ID: <"));
		free(msg);
	}
	free_files(files, n);
	for (size_t k = 0; k < 3; k++)
		assert_int_equal(seen[k], 1);
	char *tmpdir = xasprintf("%s/Maildir/tmp", e.dir);
	char *tf[4];
	assert_int_equal(list_files(tmpdir, "", tf, 4), 0);
	free(tmpdir);

	struct mail_stats st;
	mail_sender_stats(m, &st);
	assert_int_equal(st.sent, 3);
	assert_int_equal(st.failed, 0);
	assert_int_equal(st.queued, 0);
	mail_sender_stop(m);

	c = store_acquire(e.s);
	struct store_stmt *q = store_prepare(
	    c, "SELECT COUNT(*) FROM outbox WHERE state = 'sent' AND sent_ms IS NOT NULL "
	       "AND attempts = 1");
	assert_int_equal(store_step(q), STORE_ROW);
	assert_int_equal(store_col_int(q, 0), 3);
	store_finish(q);
	store_release(c);
	free(url);
	free(newdir);
	store_env_close(&e);
}

/* Decodes the base64 body of maildir message msg (after the blank line) into a malloc'd
 * string. */
static char *body_of(const char *msg)
{
	const char *p = strstr(msg, "\n\n");
	assert_non_null(p);
	struct buf raw, out;
	buf_init(&raw, 1 << 20);
	buf_init(&out, 1 << 20);
	for (p += 2; *p; p++)
		if (*p != '\n' && *p != '\r')
			buf_append(&raw, p, 1);
	b64_decode(raw.data, raw.len, &out);
	buf_puts(&out, "");
	buf_free(&raw);
	return buf_steal(&out);
}

/* Whether a recipient may leave a list is the list's own property: ordinary notices
 * ("school") carry List-Unsubscribe and a footer link, and an unsubscribe is recorded; a
 * club's emergency mail carries neither, says so in its footer, and an unsubscribe of it is
 * refused; bulk mail of an undeclared list is not queued. */
static void test_lists_and_unsubscribe(void **state)
{
	(void)state;
	struct env_base e;
	enum mail_skip skip;
	struct mail_unsub_result u;
	store_env_open(&e, "mail");
	/* Lists are declared by the service that sends on them (emergency: attendance's, by
	 * migration 0018); each list's mail is sealed under its service's key. */
	static const struct mail_list school_list = {"school", "学校・園からのお知らせ", 1};
	const struct vault *att = keyring_vault(e.k, "attendance"),
			   *schools = keyring_vault(e.k, "schoolmail");
	struct store_conn *c = store_acquire(e.s);
	assert_int_equal(mail_list_declare(c, "schoolmail", &school_list), ERR_OK);
	assert_int_equal(mail_list_declare(c, "attendance", &school_list), ERR_CONFLICT);
	int may = -1;
	assert_int_equal(mail_list_may_unsubscribe(c, "school:1", &may), ERR_OK);
	assert_int_equal(may, 1);
	assert_int_equal(mail_list_may_unsubscribe(c, "emergency:1", &may), ERR_OK);
	assert_int_equal(may, 0);
	struct mail_list_info info;
	assert_int_equal(mail_list_find(c, "emergency:9", &info), ERR_OK);
	assert_string_equal(info.label_ja, "緊急連絡");
	assert_string_equal(info.service, "attendance");
	assert_int_equal(mail_list_find(c, "newsletter:1", &info), ERR_NOTFOUND);
	assert_int_equal(mail_outbox_enqueue_bulk(c, schools, "newsletter:1", "a@x.jp", "件名",
						  "本文", NULL, &skip),
			 ERR_INVALID);
	/* Another service's list: refused. */
	assert_int_equal(mail_outbox_enqueue_bulk(c, att, "school:1", "a@x.jp", "件名", "本文",
						  NULL, &skip),
			 ERR_INVALID);
	assert_int_equal(mail_outbox_enqueue_bulk(c, schools, "school:1", "leave.me@x.jp",
						  "学校からのお知らせ", "遠足は晴天なら実施します。\n",
						  NULL, &skip),
			 ERR_OK);
	int64_t school = store_last_id(c);
	assert_int_equal(mail_outbox_enqueue_bulk(c, att, "emergency:1", "keep.me@x.jp",
						  "緊急のお知らせ", "本日は15時で閉所します。\n", NULL,
						  &skip),
			 ERR_OK);
	int64_t emergency = store_last_id(c);
	/* An unsubscribe of emergency mail is refused and records nothing. */
	assert_int_equal(mail_unsubscribe(c, e.k, emergency, "web", &u), ERR_FORBIDDEN);
	assert_string_equal(u.list, "emergency");
	assert_int_equal(mail_unsubscribe(c, e.k, school, "web", &u), ERR_OK);
	assert_int_equal(u.already, 0);
	struct store_stmt *q = store_prepare(c, "SELECT list FROM unsubscribes");
	assert_int_equal(store_step(q), STORE_ROW);
	assert_string_equal(store_col_text(q, 0), "school");
	assert_int_equal(store_step(q), STORE_DONE);
	store_finish(q);
	/* An unsubscribe row of the emergency list (made before it was declared so) never keeps
	 * emergency mail from an address; the school list's does keep school mail. */
	q = store_prepare(c, "INSERT INTO unsubscribes (addr_idx, list, at_ms, via) VALUES "
			     "(?, 'emergency', 1, 'web')");
	unsigned char idx[VAULT_BLIND_LEN];
	mail_address_index(att, "keep.me@x.jp", idx);
	store_bind_blob(q, 1, idx, sizeof idx);
	assert_int_equal(store_run(q), ERR_OK);
	store_finish(q);
	int yes = 1;
	assert_int_equal(mail_unsubscribed(c, att, "keep.me@x.jp", "emergency:2", &yes), ERR_OK);
	assert_int_equal(yes, 0);
	assert_int_equal(mail_unsubscribed(c, schools, "leave.me@x.jp", "school:2", &yes), ERR_OK);
	assert_int_equal(yes, 1);
	/* The schools' unsubscribe is theirs: the same address is another record to attendance. */
	assert_int_equal(mail_unsubscribed(c, att, "leave.me@x.jp", "school:2", &yes), ERR_OK);
	assert_int_equal(yes, 0);
	assert_int_equal(mail_outbox_enqueue_bulk(c, schools, "school:2", "leave.me@x.jp", "s", "b",
						  NULL, &skip),
			 ERR_OK);
	assert_int_equal(skip, MAIL_SKIP_UNSUBSCRIBED);
	store_release(c);

	char *url = xasprintf("maildir:%s/Maildir", e.dir);
	char *newdir = xasprintf("%s/Maildir/new", e.dir);
	struct mail_sender *m = NULL;
	assert_int_equal(mail_sender_start(e.s, e.k, url, "https://mimamori.example.jp", &m),
			 ERR_OK);
	mail_sender_wake(m);
	assert_int_equal(wait_files(newdir, "", 2), 2);
	mail_sender_stop(m);
	char *files[4];
	size_t n = list_files(newdir, "", files, 4);
	assert_int_equal(n, 2);
	int seen = 0;
	for (size_t i = 0; i < n; i++) {
		char *msg = read_all(files[i]);
		char *body = body_of(msg);
		if (strstr(msg, "\nTo: <leave.me@x.jp>\n")) {
			seen |= 1;
			assert_non_null(strstr(msg, "\nList-Unsubscribe: <https://mimamori.example.jp"
						    "/api/v1/unsubscribe/"));
			assert_non_null(strstr(msg, "\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\n"));
			assert_non_null(strstr(body, "このメールの配信停止: https://mimamori.example.jp/"));
			assert_null(strstr(body, "配信停止はできません"));
		} else {
			seen |= 2;
			assert_non_null(strstr(msg, "\nTo: <keep.me@x.jp>\n"));
			assert_null(strstr(msg, "List-Unsubscribe"));
			/* MIME bodies have CRLF line ends. */
			assert_non_null(strstr(body, "本日は15時で閉所します。\r\n\r\n\r\n--\r\n"
						     "このメールは緊急連絡のため、配信停止はできません。\r\n"));
			assert_null(strstr(body, "/api/v1/unsubscribe/"));
		}
		free(body);
		free(msg);
	}
	assert_int_equal(seen, 3);
	free_files(files, n);
	free(url);
	free(newdir);
	store_env_close(&e);
}

/* Returns a TCP port on 127.0.0.1 that was free a moment ago. */
static int free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	socklen_t l = sizeof a;
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &l), 0);
	close(fd);
	return ntohs(a.sin_port);
}

static pid_t sink_pid; /* stopped by stop_sink even when a test fails */

static int stop_sink(void **state)
{
	(void)state;
	if (sink_pid > 0) {
		int status;
		kill(sink_pid, SIGTERM);
		waitpid(sink_pid, &status, 0);
		sink_pid = 0;
	}
	return 0;
}

static pid_t start_sink(int port, const char *outdir)
{
	char ps[16];
	snprintf(ps, sizeof ps, "%d", port);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* Keep the sink off our stdout so a caller waiting on it is not held open. */
		char *log = xasprintf("%s/sink.log", outdir);
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		execl("/usr/bin/python3", "python3", "tests/unit/smtp_sink.py", ps, outdir,
		      "--defer-once", "defer@example.jp", "--reject", "nobody@example.jp",
		      (char *)NULL);
		_exit(127);
	}
	sink_pid = pid;
	char *ready = xasprintf("%s/ready", outdir);
	int ok = 0;
	for (int waited = 0; waited < WAIT_MS && !ok; waited += 50) {
		ok = access(ready, F_OK) == 0;
		if (!ok)
			sleep_ms(50);
	}
	free(ready);
	assert_true(ok);
	return pid;
}

static void test_smtp_end_to_end(void **state)
{
	(void)state;
	struct env_base e;
	store_env_open(&e, "mail");
	char *outdir = xasprintf("%s/sink", e.dir);
	assert_int_equal(mkdir(outdir, 0700), 0);
	int port = free_port();
	pid_t pid = start_sink(port, outdir);
	setenv("MIMAMORI_MAIL_BACKOFF_MS", "200", 1);
	setenv("MIMAMORI_MAIL_SESSIONS", "2", 1);

	const char *good[] = {"hanako@example.jp", "taro..yamada.@docomo.ne.jp",
			      "jiro@i.softbank.jp"};
	struct store_conn *c = store_acquire(e.s);
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(
		    mail_outbox_enqueue(c, e.v, "s", "bulk", good[i], "お知らせ", "本文\n"),
		    ERR_OK);
	store_release(c);

	char *url = xasprintf("smtp://127.0.0.1:%d", port);
	struct mail_sender *m = NULL;
	assert_int_equal(mail_sender_start(e.s, e.k, url, "http://127.0.0.1:8080", &m), ERR_OK);
	assert_int_equal(wait_files(outdir, ".eml", 3), 3);
	assert_int_equal(wait_state(e.s, "sent", 3), 3);

	/* At most the configured 2 SMTP sessions carried the three messages (reused). */
	char *sessions_path = xasprintf("%s/sessions", outdir);
	char *sessions = read_all(sessions_path);
	assert_in_range(count_substr(sessions, "ehlo"), 1, 2);
	free(sessions);
	unsetenv("MIMAMORI_MAIL_SESSIONS");

	char *files[8];
	size_t n = list_files(outdir, ".eml", files, 8);
	assert_int_equal(n, 3);
	int quoted = 0;
	for (size_t i = 0; i < n; i++) {
		char *msg = read_all(files[i]);
		assert_int_equal(count_substr(msg, "X-Rcpt:"), 1);
		assert_int_equal(count_substr(msg, "\nTo:"), 1);
		if (strstr(msg, "X-Rcpt: <taro..yamada.@docomo.ne.jp>")) {
			quoted++;
			assert_non_null(strstr(msg, "\nTo: <\"taro..yamada.\"@docomo.ne.jp>\r\n"));
		}
		free(msg);
	}
	free_files(files, n);
	assert_int_equal(quoted, 1);
	/* On the wire the legacy local part was quoted. */
	char *raw_path = xasprintf("%s/rcpt_raw", outdir);
	char *raw = read_all(raw_path);
	assert_non_null(strstr(raw, "TO:<\"taro..yamada.\"@docomo.ne.jp>\n"));
	assert_int_equal(count_substr(raw, "TO:"), 3);
	free(raw);
	free(raw_path);

	/* A 451 is deferred and retried; a 550 fails for good with the reply kept. */
	c = store_acquire(e.s);
	assert_int_equal(
	    mail_outbox_enqueue(c, e.v, "t", "notice", "defer@example.jp", "再送", "x"), ERR_OK);
	assert_int_equal(
	    mail_outbox_enqueue(c, e.v, "t", "notice", "nobody@example.jp", "失敗", "x"), ERR_OK);
	store_release(c);
	mail_sender_wake(m);
	assert_int_equal(wait_state(e.s, "sent", 4), 4);
	assert_int_equal(wait_state(e.s, "failed", 1), 1);
	assert_int_equal(wait_files(outdir, ".eml", 4), 4);

	char *s = row_col(&e, "defer@example.jp", "attempts");
	assert_string_equal(s, "2");
	free(s);
	s = row_col(&e, "nobody@example.jp", "last_reply");
	assert_memory_equal(s, "550", 3);
	assert_non_null(strstr(s, "user unknown"));
	assert_null(strchr(s, '@')); /* no address in a plaintext column */
	free(s);
	s = row_col(&e, "nobody@example.jp", "sent_ms");
	assert_string_equal(s, "(null)");
	free(s);

	struct mail_stats st;
	mail_sender_stats(m, &st);
	assert_int_equal(st.sent, 4);
	assert_int_equal(st.failed, 1);
	assert_int_equal(st.deferred, 1);
	assert_int_equal(st.queued, 0);
	mail_sender_stop(m);

	assert_int_equal(pid, sink_pid);
	stop_sink(NULL);
	unsetenv("MIMAMORI_MAIL_BACKOFF_MS");
	free(sessions_path);
	free(url);
	free(outdir);
	store_env_close(&e);
}

static void test_smtp_unreachable(void **state)
{
	(void)state;
	struct env_base e;
	store_env_open(&e, "mail");
	setenv("MIMAMORI_MAIL_BACKOFF_MS", "60000", 1);
	struct store_conn *c = store_acquire(e.s);
	assert_int_equal(mail_outbox_enqueue(c, e.v, "u", "notice", "a@example.jp", "s", "b"),
			 ERR_OK);
	store_release(c);
	char *url = xasprintf("smtp://127.0.0.1:%d", free_port());
	struct mail_sender *m = NULL;
	assert_int_equal(mail_sender_start(e.s, e.k, url, "http://127.0.0.1:8080", &m), ERR_OK);
	assert_int_equal(wait_state(e.s, "deferred", 1), 1);
	mail_sender_stop(m);
	char *s = row_col(&e, "a@example.jp", "last_reply");
	assert_memory_equal(s, "curl: ", 6);
	free(s);
	unsetenv("MIMAMORI_MAIL_BACKOFF_MS");
	free(url);
	store_env_close(&e);
}

int main(void)
{
	if (vault_global_init() != ERR_OK)
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_address_valid),
	    cmocka_unit_test(test_address_render),
	    cmocka_unit_test(test_subject_words),
	    cmocka_unit_test(test_mime_build),
	    cmocka_unit_test(test_from_parse),
	    cmocka_unit_test(test_enqueue),
	    cmocka_unit_test(test_bad_transport),
	    cmocka_unit_test(test_maildir_end_to_end),
	    cmocka_unit_test(test_lists_and_unsubscribe),
	    cmocka_unit_test_teardown(test_smtp_end_to_end, stop_sink),
	    cmocka_unit_test(test_smtp_unreachable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
