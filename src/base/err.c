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

const char *err_message_ja(enum err e)
{
	switch (e) {
	case ERR_OK: return "正常に処理しました。";
	case ERR_INVALID: return "入力内容に誤りがあります。";
	case ERR_NOTFOUND: return "見つかりませんでした。";
	case ERR_FORBIDDEN: return "この操作を行う権限がありません。";
	case ERR_UNAUTH: return "ログインが必要です。";
	case ERR_CONFLICT: return "現在の状態ではこの操作はできません。";
	case ERR_TOOMANY: return "操作が多すぎます。しばらく待ってからもう一度お試しください。";
	case ERR_TOOLARGE: return "データが大きすぎます。";
	case ERR_DB: return "データベースでエラーが発生しました。しばらくしてからもう一度お試しください。";
	case ERR_IO: return "サーバーでエラーが発生しました。しばらくしてからもう一度お試しください。";
	case ERR_CRYPTO: return "暗号鍵のエラーが発生しました。管理者に連絡してください。";
	case ERR_TEMP: return "一時的に処理できません。しばらくしてからもう一度お試しください。";
	}
	return "エラーが発生しました。";
}

const char *err_code(enum err e)
{
	switch (e) {
	case ERR_OK: return "ok";
	case ERR_INVALID: return "invalid";
	case ERR_NOTFOUND: return "not_found";
	case ERR_FORBIDDEN: return "forbidden";
	case ERR_UNAUTH: return "unauthenticated";
	case ERR_CONFLICT: return "conflict";
	case ERR_TOOMANY: return "too_many";
	case ERR_TOOLARGE: return "too_large";
	case ERR_DB: return "database";
	case ERR_IO: return "server";
	case ERR_CRYPTO: return "key";
	case ERR_TEMP: return "temporary";
	}
	return "error";
}
