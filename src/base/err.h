/* SPDX-License-Identifier: MIT */
/* err.h — the one project-wide error enum and its messages. */
#ifndef MIMAMORI_BASE_ERR_H
#define MIMAMORI_BASE_ERR_H

enum err {
	ERR_OK = 0,
	ERR_INVALID,     /* bad input from outside */
	ERR_NOTFOUND,    /* no such thing */
	ERR_FORBIDDEN,   /* authenticated but not allowed */
	ERR_UNAUTH,      /* not authenticated */
	ERR_CONFLICT,    /* already exists / state does not allow it */
	ERR_TOOMANY,     /* rate limited or locked out */
	ERR_TOOLARGE,    /* input over its cap */
	ERR_DB,          /* storage failure */
	ERR_IO,          /* file or network failure */
	ERR_CRYPTO,      /* decryption or key failure */
	ERR_TEMP,        /* try again later */
};

/* Returns a static English description of e; never NULL. */
const char *err_str(enum err e);
/* Returns a static Japanese sentence for e, shown to a person when nothing more precise is
 * known; never NULL. */
const char *err_message_ja(enum err e);
/* Returns the stable machine code of e's class ("invalid", "not_found", …); never NULL. API
 * answers carry it as "code" unless the handler names a more precise one. */
const char *err_code(enum err e);

#endif
