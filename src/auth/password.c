/* SPDX-License-Identifier: MIT */
/* password.c — the password rules (ASVS 2.1.1, 2.1.2, 2.1.7, 2.1.9): a length window and
 * refusals of what an attacker tries first, never rules about character classes. */
#include "auth/password.h"

#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

/* Counts characters (UTF-8 code points), not bytes: あいうえお is five. */
static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

/* A copy of s with ASCII letters lower-cased (malloc'd). */
static char *ascii_lower(const char *s)
{
	char *l = xstrdup(s);
	for (char *p = l; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return l;
}

static int cmp_entry(const void *key, const void *elem)
{
	return strcmp(key, auth_common_blob + *(const unsigned *)elem);
}

int auth_password_is_common(const char *password)
{
	char *l = ascii_lower(password);
	int hit = bsearch(l, auth_common_offsets, auth_common_count, sizeof auth_common_offsets[0],
			  cmp_entry) != NULL;
	free(l);
	return hit;
}

/* 1 when lowered (a lower-cased password) is word, or holds word (case-insensitive) and word
 * is long enough (3 characters) for that to mean more than chance. */
static int uses_word(const char *lowered, const char *word)
{
	if (!word || !word[0])
		return 0;
	char *w = ascii_lower(word);
	int hit = strcmp(lowered, w) == 0 || (strlen(w) >= 3 && strstr(lowered, w) != NULL);
	free(w);
	return hit;
}

/* Distinct characters (code points) of s, up to max. */
static size_t distinct_chars(const char *s, size_t max)
{
	const char *seen[8];
	size_t lens[8], n = 0;
	for (const char *p = s; *p && n < max && n < 8;) {
		size_t len = 1;
		while (p[len] && ((unsigned char)p[len] & 0xC0) == 0x80)
			len++;
		size_t i = 0;
		while (i < n && !(lens[i] == len && memcmp(seen[i], p, len) == 0))
			i++;
		if (i == n) {
			seen[n] = p;
			lens[n++] = len;
		}
		p += len;
	}
	return n;
}

const char *auth_password_refusal(const char *password, const char *login,
				  const char *const *site_codes, size_t nsites)
{
	size_t n = utf8_chars(password);
	const char *why = NULL;
	if (n < AUTH_PASSWORD_MIN)
		return "パスワードは10文字以上にしてください（文字の種類は問いません。長い文やフレ"
		       "ーズがおすすめです）。";
	if (n > AUTH_PASSWORD_MAX)
		return "パスワードは128文字以内にしてください。";
	if (distinct_chars(password, 4) < 4)
		return "同じ文字の繰り返しのような推測されやすいパスワードは使えません。";
	if (auth_password_is_common(password))
		return "よく使われていて推測されやすいパスワードです。別のものにしてください。";
	char *l = ascii_lower(password);
	if (uses_word(l, login))
		why = "パスワードにログイン名を含めないでください。";
	for (size_t i = 0; !why && i < nsites; i++)
		if (uses_word(l, site_codes[i]))
			why = "パスワードに施設コードを含めないでください。";
	if (!why && (uses_word(l, "mimamori") || strstr(password, "見守り")))
		why = "パスワードにサービス名（見守り）を含めないでください。";
	free(l);
	return why;
}
