/* SPDX-License-Identifier: MIT */
/* kana.h — account holders' names into the 全銀 character set (half-width katakana) and its
 * single-byte Shift_JIS (JIS X 0201) form, as bank transfer files carry them.
 *
 * The 全銀 set: A-Z, 0-9, the half-width katakana ｱ-ﾝ and ｦ with the marks ﾞ ﾟ, space, and the
 * symbols ( ) - . / , ｢ ｣. Small kana are not in it (banks hold ｷﾕｳﾖ for キュウヨ), and a long
 * vowel is written with the half-width hyphen '-' (as in the banks' own master data, e.g.
 * ﾐﾂﾋﾞｼﾕ-ｴﾌｼﾞｴｲ), not with ｰ, which many banks refuse. */
#ifndef MIMAMORI_GRANT_KANA_H
#define MIMAMORI_GRANT_KANA_H
#include <stddef.h>

#include "base/err.h"

/* Converts utf8, a name typed by a person (full-width katakana or hiragana, already half-width
 * katakana, full- or half-width letters and digits, spaces U+0020/U+3000, the symbols above in
 * either width and 「」), into the 全銀 set written as UTF-8 half-width katakana (U+FF61-U+FF9F)
 * and ASCII, into out (n bytes, NUL-terminated; 2 * strlen(utf8) + 1 is always enough):
 *   - voiced and semi-voiced kana become base + ﾞ/ﾟ (ガ → ｶﾞ, パ → ﾊﾟ, ヴ/ゔ → ｳﾞ); a
 *     combining or separate mark (U+3099-U+309C) becomes ﾞ/ﾟ;
 *   - small kana become large (ァィゥェォャュョッヮヵヶ → ｱｲｳｴｵﾔﾕﾖﾂﾜｶｹ), ヰ → ｲ, ヱ → ｴ, ヲ → ｦ;
 *   - the long vowel (ー, ｰ, －, ‐, −) becomes '-';
 *   - lower-case letters are upper-cased (banks do the same), full-width ASCII made half-width.
 * "やまだ　はなこ" gives "ﾔﾏﾀﾞ ﾊﾅｺ". Returns ERR_OK; ERR_INVALID for anything else (kanji,
 * emoji, ・, control characters, bad UTF-8) or a name of spaces only; ERR_TOOLARGE when out is
 * too small. On failure *why (when why is not NULL) is a static Japanese sentence naming the
 * problem, and out is "" (when n > 0). */
enum err grant_kana_to_zengin(const char *utf8, char *out, size_t n, const char **why);

/* Returns the number of characters in halfwidth_utf8 — the bytes it takes in single-byte
 * Shift_JIS, one per ASCII character (U+0020-U+007E) or half-width katakana (U+FF61-U+FF9F) —
 * or SIZE_MAX when it holds a character with no single-byte form or is not UTF-8. */
size_t grant_kana_width(const char *halfwidth_utf8);

/* Writes halfwidth_utf8 as single-byte Shift_JIS (JIS X 0201) into out (n bytes, followed by a
 * NUL; grant_kana_width() + 1 bytes are enough): ASCII as is, U+FF61-U+FF9F as 0xA1-0xDF.
 * Returns ERR_OK; ERR_INVALID for a character with no single-byte form, a control character
 * or bad UTF-8; ERR_TOOLARGE when out is too small (out is then ""). */
enum err grant_zengin_sjis(const char *halfwidth_utf8, char *out, size_t n);

/* The reverse of grant_zengin_sjis: writes the len bytes at sjis (0x20-0x7E, 0xA1-0xDF) as UTF-8
 * into out (n bytes, NUL-terminated; 3 * len + 1 is always enough). Returns ERR_OK;
 * ERR_INVALID for any other byte (a two-byte character, a control character); ERR_TOOLARGE when
 * out is too small. out is "" on failure. */
enum err grant_zengin_from_sjis(const char *sjis, size_t len, char *out, size_t n);

#endif
