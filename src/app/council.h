/* SPDX-License-Identifier: MIT */
/* council.h — the privacy council's paperwork generated from the live schema and the
 * migrations' annotations (store/items.h): the item lists (個人の範囲, 記録項目, roles,
 * retention, storage, the flow of personal information) as Markdown, PDF or XLSX, the
 * designated handlers (取扱責任者・取扱者) from the accounts, and the check that every column
 * of the live schema is annotated. docs/architecture.md, "The council's paperwork". */
#ifndef MIMAMORI_APP_COUNCIL_H
#define MIMAMORI_APP_COUNCIL_H
#include <stddef.h>

#include "auth/role.h"
#include "base/buf.h"
#include "base/err.h"

struct app;
struct http_route;

/* What the council approves as one personal-information file: a registered service, or the
 * platform ("platform", 共通基盤: accounts, the audit log, the mail of every service). */
struct council_unit {
	const char *name;
	const char *label;		 /* 入退室管理 */
	const struct http_route *routes; /* its route table (the platform's: routes_platform) */
	int benefit; /* a benefit on the grant path: staff scoped by grant_staff */
};

#define COUNCIL_UNITS_MAX 32
/* Fills out with the platform and every registered service, or only the one named only (NULL:
 * all). Returns how many; 0 when only names none. */
size_t council_units(const char *only, struct council_unit *out);

enum council_format { COUNCIL_MD, COUNCIL_PDF, COUNCIL_XLSX };
/* Parses "md", "pdf" or "xlsx" into *f; returns 0 for anything else. */
int council_format_parse(const char *s, enum council_format *f);
/* The file name and Content-Type of a format (static strings). */
const char *council_format_ext(enum council_format f);
const char *council_format_type(enum council_format f);

/* Appends the item lists of the units chosen by only (NULL: all) to out in format f, read from
 * a's live schema. Returns ERR_OK, ERR_NOTFOUND for an unknown service, ERR_DB, ERR_IO or
 * ERR_TOOLARGE. */
enum err council_items(struct app *a, const char *only, enum council_format f, struct buf *out);

/* Checks every table and column of a's live schema against the annotations; appends one
 * Japanese line per problem to report (a column or table without its annotation, an owner that
 * is no registered service, a sealed column that is not a BLOB) and sets *problems. ERR_DB when
 * the schema cannot be read. */
enum err council_check(struct app *a, struct buf *report, size_t *problems);

/* A designated handler of a unit. */
struct council_person {
	const char *unit;  /* the unit's name (static, from council_units) */
	const char *label; /* the unit's label */
	int responsible;   /* 1: 取扱責任者, 0: 取扱者 */
	char *login;	   /* malloc'd */
	enum role role;
};
/* Lists the active staff accounts whose role reaches a route of each unit chosen by only (a
 * benefit's grant roles: only accounts scoped to it), responsible ones first, into a new array
 * *out of *n (free with council_people_free). ERR_NOTFOUND for an unknown service, ERR_DB. */
enum err council_staff(struct app *a, const char *only, struct council_person **out, size_t *n);
void council_people_free(struct council_person *p, size_t n);
/* 1 when role is a responsible one (取扱責任者), 0 for a handler (取扱者). */
int council_role_responsible(enum role r);
/* The Japanese name of a role (static; as the ward's pages show it). */
const char *council_role_ja(enum role r);

struct retention_result;
/* The retention of the records of table (owned by owner): the periods in effect of the daily
 * retention job's kinds that delete rows of table (periods: from retention_periods; written into
 * buf of size n), else the documented rule for records the job leaves to people (a static
 * string; src/app/council_retention.c). */
const char *council_retention(const struct retention_result *periods, const char *owner,
			      const char *table, char *buf, size_t n);

#endif
