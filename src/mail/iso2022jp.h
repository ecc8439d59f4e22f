/* SPDX-License-Identifier: MIT */
/* iso2022jp.h — ISO-2022-JP (RFC 1468) headers and bodies for recipient domains whose old
 * phones read nothing else. Inside src/mail/ only (tests excepted). */
#ifndef MIMAMORI_MAIL_ISO2022JP_H
#define MIMAMORI_MAIL_ISO2022JP_H
#include "base/buf.h"
#include "base/err.h"

/* Appends UTF-8 text as RFC 2047 =?ISO-2022-JP?B?…?= encoded-words separated by CRLF SP: each
 * at most 75 characters and self-contained (starts in ASCII, ends back in ASCII), never
 * splitting a character. CP932 look-alikes (～ ∥ － ￠ ￡ ￢ —) and half-width katakana become
 * their JIS X 0208 characters first. ERR_INVALID (out may hold a partial word: the caller
 * discards it) when text is not UTF-8 or holds a character ISO-2022-JP cannot carry (①, 髙,
 * 𠮷, emoji, ESC); ERR_TOOLARGE past out's cap. */
enum err mail_iso2022jp_words(struct buf *out, const char *text);

/* Appends UTF-8 body text converted to ISO-2022-JP for Content-Transfer-Encoding: 7bit: lines
 * end in CRLF (LF or CRLF in, a last line without one gets one), every line back in ASCII
 * before its CRLF, and a line longer than 998 bytes is broken between two characters. Mapping
 * and errors as for mail_iso2022jp_words (a lone CR is ERR_INVALID too). */
enum err mail_iso2022jp_body(struct buf *out, const char *body);

#endif
