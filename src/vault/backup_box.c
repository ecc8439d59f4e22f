/* SPDX-License-Identifier: MIT */
/* backup_box.c — the backup key file, key fingerprints, and backup files: a magic line, a
 * header line, then secretstream messages of up to CHUNK bytes, each a 4-byte length and its
 * ciphertext, the last one tagged final. */
#include "vault/backup_box.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/xalloc.h"
#include "vault/vault_internal.h"

#define MAGIC "MIMAMORI-BACKUP 1\n"
#define CHUNK (1024 * 1024)
#define SS_ABYTES crypto_secretstream_xchacha20poly1305_ABYTES
#define SS_HEADERBYTES crypto_secretstream_xchacha20poly1305_HEADERBYTES

enum err vault_backup_key_read(const char *path, unsigned char key[VAULT_BACKUP_KEY_LEN])
{
	char hex[2 * VAULT_BACKUP_KEY_LEN + 2];
	enum err e = ERR_CRYPTO;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? ERR_NOTFOUND : ERR_IO;
	ssize_t n = read(fd, hex, sizeof hex - 1);
	close(fd);
	if (n < (ssize_t)(2 * VAULT_BACKUP_KEY_LEN))
		goto out;
	hex[n] = '\0';
	size_t len = 0;
	if (sodium_hex2bin(key, VAULT_BACKUP_KEY_LEN, hex, (size_t)n, "\n", &len, NULL) == 0 &&
	    len == VAULT_BACKUP_KEY_LEN)
		e = ERR_OK;
out:
	sodium_memzero(hex, sizeof hex);
	return e;
}

enum err vault_backup_key_create(const char *path)
{
	unsigned char key[VAULT_BACKUP_KEY_LEN];
	char hex[2 * VAULT_BACKUP_KEY_LEN + 2];
	enum err e = ERR_IO;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return errno == EEXIST ? ERR_CONFLICT : ERR_IO;
	crypto_secretstream_xchacha20poly1305_keygen(key);
	sodium_bin2hex(hex, sizeof hex, key, sizeof key);
	size_t hl = strlen(hex);
	hex[hl++] = '\n';
	if (write(fd, hex, hl) == (ssize_t)hl && fsync(fd) == 0)
		e = ERR_OK;
	close(fd);
	if (e != ERR_OK)
		unlink(path);
	sodium_memzero(key, sizeof key);
	sodium_memzero(hex, sizeof hex);
	return e;
}

void vault_key_fingerprint(const unsigned char *key, char out[VAULT_FINGERPRINT_LEN])
{
	static const char what[] = "mimamori key fingerprint";
	unsigned char h[crypto_generichash_BYTES];
	crypto_generichash(h, sizeof h, (const unsigned char *)what, sizeof what - 1, key, 32);
	static const char digits[] = "0123456789abcdef";
	size_t o = 0;
	for (size_t i = 0; i < 8; i++) {
		if (i && i % 2 == 0)
			out[o++] = '-';
		out[o++] = digits[h[i] >> 4];
		out[o++] = digits[h[i] & 15];
	}
	out[o] = '\0';
}

struct vault_box_writer {
	FILE *f;
	crypto_secretstream_xchacha20poly1305_state st;
	char *ad; /* the magic and header line, bound to the first message; NULL after it */
	unsigned char *buf;
	size_t n;
	unsigned char *cipher;
};

static void put_u32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

enum err vault_box_open_write(FILE *f, const unsigned char key[VAULT_BACKUP_KEY_LEN],
			      const char *header, struct vault_box_writer **out)
{
	unsigned char ssh[SS_HEADERBYTES];
	size_t hl = strlen(header);
	if (hl == 0 || hl > VAULT_BACKUP_HEADER_MAX || strchr(header, '\n'))
		return ERR_INVALID;
	struct vault_box_writer *w = xcalloc(1, sizeof *w);
	w->f = f;
	w->ad = xasprintf("%s%s\n", MAGIC, header);
	w->buf = sodium_malloc(CHUNK);
	w->cipher = xmalloc(CHUNK + SS_ABYTES);
	if (!w->buf) {
		vault_box_writer_free(w);
		return ERR_IO;
	}
	crypto_secretstream_xchacha20poly1305_init_push(&w->st, ssh, key);
	if (fputs(w->ad, f) == EOF || fwrite(ssh, 1, sizeof ssh, f) != sizeof ssh) {
		vault_box_writer_free(w);
		return ERR_IO;
	}
	*out = w;
	return ERR_OK;
}

/* Encrypts the buffered bytes as one message (tag: final or none) and writes it. */
static enum err push(struct vault_box_writer *w, unsigned char tag)
{
	unsigned long long clen = 0;
	unsigned char len[4];
	const unsigned char *ad = (const unsigned char *)w->ad;
	size_t adlen = w->ad ? strlen(w->ad) : 0;
	crypto_secretstream_xchacha20poly1305_push(&w->st, w->cipher, &clen, w->buf, w->n, ad,
						   adlen, tag);
	free(w->ad);
	w->ad = NULL;
	sodium_memzero(w->buf, w->n);
	w->n = 0;
	put_u32(len, (uint32_t)clen);
	if (fwrite(len, 1, 4, w->f) != 4 || fwrite(w->cipher, 1, (size_t)clen, w->f) != clen)
		return ERR_IO;
	return ERR_OK;
}

enum err vault_box_write(struct vault_box_writer *w, const void *p, size_t n)
{
	const unsigned char *b = p;
	while (n > 0) {
		size_t take = CHUNK - w->n < n ? CHUNK - w->n : n;
		memcpy(w->buf + w->n, b, take);
		w->n += take;
		b += take;
		n -= take;
		if (w->n == CHUNK) {
			enum err e = push(w, 0);
			if (e != ERR_OK)
				return e;
		}
	}
	return ERR_OK;
}

enum err vault_box_close(struct vault_box_writer *w)
{
	enum err e = push(w, crypto_secretstream_xchacha20poly1305_TAG_FINAL);
	if (e == ERR_OK && fflush(w->f) != 0)
		e = ERR_IO;
	vault_box_writer_free(w);
	return e;
}

void vault_box_writer_free(struct vault_box_writer *w)
{
	if (!w)
		return;
	sodium_memzero(&w->st, sizeof w->st);
	if (w->buf)
		sodium_free(w->buf);
	free(w->cipher);
	free(w->ad);
	free(w);
}

enum err vault_box_read_header(FILE *f, char **header)
{
	char magic[sizeof MAGIC];
	if (fread(magic, 1, sizeof MAGIC - 1, f) != sizeof MAGIC - 1 ||
	    memcmp(magic, MAGIC, sizeof MAGIC - 1) != 0)
		return ERR_INVALID;
	char *h = xmalloc(VAULT_BACKUP_HEADER_MAX + 2);
	if (!fgets(h, VAULT_BACKUP_HEADER_MAX + 2, f) || !strchr(h, '\n')) {
		free(h);
		return ERR_INVALID;
	}
	*strchr(h, '\n') = '\0';
	*header = h;
	return ERR_OK;
}

struct vault_box_reader {
	FILE *f;
	crypto_secretstream_xchacha20poly1305_state st;
	char *ad;
	unsigned char *plain; /* the current message's content */
	size_t len, pos;
	int final;
	unsigned char *cipher;
};

enum err vault_box_open_read(FILE *f, const unsigned char key[VAULT_BACKUP_KEY_LEN],
			     const char *header, struct vault_box_reader **out)
{
	unsigned char ssh[SS_HEADERBYTES];
	if (fread(ssh, 1, sizeof ssh, f) != sizeof ssh)
		return ERR_INVALID;
	struct vault_box_reader *r = xcalloc(1, sizeof *r);
	r->f = f;
	r->ad = xasprintf("%s%s\n", MAGIC, header);
	r->plain = sodium_malloc(CHUNK);
	r->cipher = xmalloc(CHUNK + SS_ABYTES);
	if (!r->plain || crypto_secretstream_xchacha20poly1305_init_pull(&r->st, ssh, key) != 0) {
		vault_box_reader_free(r);
		return ERR_CRYPTO;
	}
	*out = r;
	return ERR_OK;
}

/* Reads and opens the next message into r->plain. */
static enum err pull(struct vault_box_reader *r)
{
	unsigned char len[4];
	size_t got = fread(len, 1, 4, r->f);
	if (got != 4)
		return ERR_INVALID; /* the final message never came: cut short */
	uint32_t clen = (uint32_t)len[0] << 24 | (uint32_t)len[1] << 16 | (uint32_t)len[2] << 8 |
			len[3];
	if (clen < SS_ABYTES || clen > CHUNK + SS_ABYTES)
		return ERR_CRYPTO;
	if (fread(r->cipher, 1, clen, r->f) != clen)
		return ERR_INVALID;
	unsigned long long plen = 0;
	unsigned char tag = 0;
	const unsigned char *ad = (const unsigned char *)r->ad;
	size_t adlen = r->ad ? strlen(r->ad) : 0;
	if (crypto_secretstream_xchacha20poly1305_pull(&r->st, r->plain, &plen, &tag, r->cipher,
						       clen, ad, adlen) != 0)
		return ERR_CRYPTO;
	free(r->ad);
	r->ad = NULL;
	r->len = (size_t)plen;
	r->pos = 0;
	if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
		r->final = 1;
		if (fgetc(r->f) != EOF)
			return ERR_CRYPTO; /* something appended after the end */
	}
	return ERR_OK;
}

enum err vault_box_read(struct vault_box_reader *r, void *p, size_t cap, size_t *n)
{
	*n = 0;
	while (r->pos == r->len) {
		if (r->final)
			return ERR_OK;
		enum err e = pull(r);
		if (e != ERR_OK)
			return e;
	}
	size_t take = r->len - r->pos < cap ? r->len - r->pos : cap;
	memcpy(p, r->plain + r->pos, take);
	r->pos += take;
	*n = take;
	return ERR_OK;
}

void vault_box_reader_free(struct vault_box_reader *r)
{
	if (!r)
		return;
	sodium_memzero(&r->st, sizeof r->st);
	if (r->plain)
		sodium_free(r->plain);
	free(r->cipher);
	free(r->ad);
	free(r);
}
