/* SPDX-License-Identifier: MIT */
/* backup_box.h — backup files: the backup key (a file the operator keeps, like master.key), a
 * key's fingerprint, and a file that is a plain header line naming what is inside followed by
 * the content encrypted with the backup key (libsodium secretstream XChaCha20-Poly1305, the
 * header bound to the first message): a truncated, altered or foreign file never opens. */
#ifndef MIMAMORI_VAULT_BACKUP_BOX_H
#define MIMAMORI_VAULT_BACKUP_BOX_H
#include <stddef.h>
#include <stdio.h>

#include "base/err.h"

#define VAULT_BACKUP_KEY_LEN 32
#define VAULT_FINGERPRINT_LEN 20 /* "xxxx-xxxx-xxxx-xxxx" and its NUL */
#define VAULT_BACKUP_HEADER_MAX 65536

/* Reads the backup key file at path (64 hex digits) into key. ERR_NOTFOUND when there is no
 * file, ERR_IO when it cannot be read, ERR_CRYPTO when it is malformed. */
enum err vault_backup_key_read(const char *path, unsigned char key[VAULT_BACKUP_KEY_LEN]);
/* Creates a new random backup key file at path (mode 0600). ERR_CONFLICT when one exists,
 * ERR_IO when it cannot be written. */
enum err vault_backup_key_create(const char *path);
/* Writes the fingerprint of key (32 bytes: a keyed BLAKE2b, which tells nothing of the key)
 * into out as four groups of four hex digits. */
void vault_key_fingerprint(const unsigned char *key, char out[VAULT_FINGERPRINT_LEN]);

struct vault_box_writer;
/* Writes the magic line and header (one line of JSON, no newline inside) to f and starts the
 * encrypted stream under key. Returns the writer in *out (finish with vault_box_close or
 * abandon with vault_box_writer_free); ERR_INVALID for a header with a newline or too long,
 * ERR_IO when f cannot be written. f stays the caller's. */
enum err vault_box_open_write(FILE *f, const unsigned char key[VAULT_BACKUP_KEY_LEN],
			      const char *header, struct vault_box_writer **out);
/* Appends n bytes of plain content. ERR_IO when f cannot be written. */
enum err vault_box_write(struct vault_box_writer *w, const void *p, size_t n);
/* Writes the last message (marked final), flushes f and frees w. ERR_IO on a write error. */
enum err vault_box_close(struct vault_box_writer *w);
/* Abandons w (wipes its buffers); NULL is a no-op. */
void vault_box_writer_free(struct vault_box_writer *w);

/* Reads the magic line and the header of a backup file from f into *header (malloc'd, caller
 * frees). ERR_INVALID when f is no backup file of this format. */
enum err vault_box_read_header(FILE *f, char **header);
struct vault_box_reader;
/* Starts reading the encrypted content of f (after vault_box_read_header gave header) under
 * key. Returns the reader in *out (free with vault_box_reader_free). ERR_INVALID for a file cut
 * short, ERR_CRYPTO when key does not open it. */
enum err vault_box_open_read(FILE *f, const unsigned char key[VAULT_BACKUP_KEY_LEN],
			     const char *header, struct vault_box_reader **out);
/* Reads up to cap bytes of content into p, their number in *n (0 at the end, after the final
 * message was checked and nothing follows it). ERR_INVALID when the file ends before its final
 * message (cut short), ERR_CRYPTO when a message does not open (altered) or bytes follow the
 * final one. */
enum err vault_box_read(struct vault_box_reader *r, void *p, size_t cap, size_t *n);
/* Wipes and frees r; NULL is a no-op. */
void vault_box_reader_free(struct vault_box_reader *r);

#endif
