/* SPDX-License-Identifier: MIT */
/* text.h — checks of short free-text fields typed by people (reasons, names, relations). */
#ifndef MIMAMORI_BASE_TEXT_H
#define MIMAMORI_BASE_TEXT_H
#include <stddef.h>
#include <stdint.h>

/* What is wrong with a one-line text field, if anything. */
enum text_problem {
	TEXT_OK = 0,
	TEXT_BAD_UTF8,  /* not valid UTF-8 */
	TEXT_CONTROL,   /* a line break or another control character (C0, DEL, C1) */
	TEXT_EMPTY,     /* nothing but spaces (ASCII or U+3000) */
	TEXT_TOO_LONG,  /* more than max characters (code points) */
};

/* Returns TEXT_OK when s is 1..max characters of UTF-8 on one line with something visible. */
enum text_problem text_line_check(const char *s, size_t max);

/* Returns 0 when s is such a line; else -1 with why (n bytes) saying in Japanese what is wrong
 * with the field named label: missing or blank (s NULL or ""), several lines, bad characters,
 * or too long. */
int text_line_why(const char *s, size_t max, const char *label, char *why, size_t n);

/* Returns 1 when s is a note of 1..max_bytes bytes of UTF-8 with something visible, whose only
 * control characters are line breaks (LF); else 0. */
int text_note_ok(const char *s, size_t max_bytes);

/* Writes s without its spaces (ASCII and the ideographic U+3000) into out (n bytes, cut at a
 * character's end when full): 「山田　花子」 and 「山田 花子」 are the same name. */
void text_fold_spaces(const char *s, char *out, size_t n);

/* Returns 1 when the len bytes at s are valid UTF-8 (no overlong forms, no surrogates), else 0. */
int text_utf8_valid(const char *s, size_t len);

/* Decodes one UTF-8 code point at s (valid UTF-8 assumed: checked by the caller's reader) into
 * *cp; returns its length in bytes, 0 at the end. */
size_t text_utf8_next(const unsigned char *s, unsigned *cp);

/* Writes kana folded for search and sorting into out (n bytes): hiragana as katakana, spaces
 * (ASCII and U+3000) dropped. Returns the number of characters (code points) written. */
size_t text_kana_fold(const char *in, char *out, size_t n);

/* Returns 1 when s is only kana (hiragana, katakana, ー, ゛゜) and spaces, and not empty. */
int text_is_kana(const char *s);

/* Writes how long to wait for wait_ms as a person reads it into out (n bytes): 「8秒後」 under
 * a minute, else 「約15分後」 (minutes rounded up; 900秒 was hard to read). Returns out. */
const char *text_wait_ja(int64_t wait_ms, char *out, size_t n);

#endif
