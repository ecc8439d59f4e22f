/* SPDX-License-Identifier: MIT */
/* err.c — messages for the project-wide error enum. */
#include "base/err.h"

const char *err_str(enum err e)
{
	switch (e) {
	case ERR_OK: return "ok";
	case ERR_INVALID: return "invalid input";
	case ERR_NOTFOUND: return "not found";
	case ERR_FORBIDDEN: return "forbidden";
	case ERR_UNAUTH: return "not signed in";
	case ERR_CONFLICT: return "conflict";
	case ERR_TOOMANY: return "too many requests";
	case ERR_TOOLARGE: return "too large";
	case ERR_DB: return "database error";
	case ERR_IO: return "i/o error";
	case ERR_CRYPTO: return "key or decryption error";
	case ERR_TEMP: return "temporary failure";
	}
	return "unknown error";
}
