/* SPDX-License-Identifier: MIT */
/* demo_names.h — synthetic Japanese names (kanji + full-width katakana) for every service's demo
 * data (the platform's: services share no code). */
#ifndef MIMAMORI_APP_DEMO_NAMES_H
#define MIMAMORI_APP_DEMO_NAMES_H
#include <stddef.h>
#include <stdint.h>

/*
 * The names are common surnames and given names put together at random: fictional
 * combinations, not real persons. A few surnames use characters outside JIS X 0208
 * (髙橋, 山﨑, 𠮷田) so every layer sees them in demos.
 *
 * rnd(upper) must return a uniform value in [0, upper). Buffers of DEMO_NAME_MAX bytes
 * are always large enough; smaller buffers are a programmer error (assert).
 * Outputs are NUL-terminated UTF-8 written into caller-owned buffers.
 */
#define DEMO_NAME_MAX 96

/* Writes a random surname into name and its katakana reading into kana. */
void demo_surname_pick(uint32_t (*rnd)(uint32_t upper), char *name, size_t nlen, char *kana,
		       size_t klen);

/*
 * Writes a child's full name "姓 名" and reading "セイ メイ" (U+3000 between). With
 * surname_hint (a surname from demo_surname_pick, for siblings) that surname is reused;
 * a hint not in the table is used verbatim and its reading is left out of kana.
 * female selects the girls' or boys' list.
 */
void demo_name_pick(uint32_t (*rnd)(uint32_t upper), const char *surname_hint, int female,
		    char *name, size_t nlen, char *kana, size_t klen);

/* Same as demo_name_pick, but draws from adult (guardian) given names. */
void demo_guardian_pick(uint32_t (*rnd)(uint32_t upper), const char *surname_hint, int female,
			char *name, size_t nlen, char *kana, size_t klen);

#endif
