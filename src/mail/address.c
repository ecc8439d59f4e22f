/* SPDX-License-Identifier: MIT */
/* address.c — which recipient addresses we accept, how they are written on the wire, and the
 * blind index that names an address without holding it. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/xalloc.h"
#include "mail/mail.h"
#include "mail/mail_internal.h"
#include "vault/vault.h"

#define ADDRESS_MAX 254
#define LOCAL_MAX 64
#define LABEL_MAX 63

/* RFC 5322 atext: letters, digits and these specials. */
static int is_atext(unsigned char ch)
{
	if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9'))
		return 1;
	return ch != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", ch) != NULL;
}

static int is_ldh(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '-';
}

/* Local part: atext and dots in any arrangement (legacy carrier addresses), 1..64 bytes. */
static int local_valid(const char *p, size_t n)
{
	if (n == 0 || n > LOCAL_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (p[i] != '.' && !is_atext((unsigned char)p[i]))
			return 0;
	return 1;
}

/* Domain: dot-separated LDH labels of 1..63 bytes, not starting or ending in '-', at least
 * two labels. */
static int domain_valid(const char *p, size_t n)
{
	size_t labels = 0, len = 0;
	if (n == 0)
		return 0;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || p[i] == '.') {
			if (len == 0 || len > LABEL_MAX || p[i - len] == '-' || p[i - 1] == '-')
				return 0;
			labels++;
			len = 0;
		} else if (is_ldh((unsigned char)p[i])) {
			len++;
		} else {
			return 0;
		}
	}
	return labels >= 2;
}

int mail_address_valid(const char *addr)
{
	if (!addr)
		return 0;
	size_t n = strnlen(addr, ADDRESS_MAX + 1);
	if (n > ADDRESS_MAX)
		return 0;
	const char *at = strchr(addr, '@');
	if (!at)
		return 0;
	size_t ln = (size_t)(at - addr);
	return local_valid(addr, ln) && domain_valid(at + 1, n - ln - 1);
}

int mail_domain_valid(const char *domain)
{
	size_t n = strnlen(domain, ADDRESS_MAX + 1);
	return n <= ADDRESS_MAX && domain_valid(domain, n);
}

/* Returns 1 when the n-byte local part is an RFC 5322 dot-atom (no leading, trailing or
 * doubled dot). */
static int is_dot_atom(const char *p, size_t n)
{
	if (n == 0 || p[0] == '.' || p[n - 1] == '.')
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '.') {
			if (p[i + 1] == '.')
				return 0;
		} else if (!is_atext((unsigned char)p[i])) {
			return 0;
		}
	}
	return 1;
}

char *mail_address_render(const char *addr)
{
	const char *at = strrchr(addr, '@');
	if (!at)
		return xstrdup(addr);
	size_t ln = (size_t)(at - addr);
	if (is_dot_atom(addr, ln))
		return xstrdup(addr);
	struct buf b;
	buf_init(&b, 2 * ADDRESS_MAX + 3);
	buf_puts(&b, "\"");
	for (size_t i = 0; i < ln; i++) {
		/* Not reachable for valid addresses, but a quoted string must escape these. */
		if (addr[i] == '"' || addr[i] == '\\')
			buf_puts(&b, "\\");
		buf_append(&b, &addr[i], 1);
	}
	buf_puts(&b, "\"");
	buf_puts(&b, at);
	return buf_steal(&b);
}

char *mail_address_domain(const char *addr)
{
	const char *at = strrchr(addr, '@');
	char *d = xstrdup(at ? at + 1 : "");
	for (char *p = d; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return d;
}

void mail_address_index(const struct vault *v, const char *addr, unsigned char *idx)
{
	char *lower = xstrdup(addr);
	for (char *p = lower; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	vault_blind(v, "guardian-email", lower, idx);
	vault_wipe_free(lower);
}
