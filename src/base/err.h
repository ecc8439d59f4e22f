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

#endif
