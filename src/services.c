/* SPDX-License-Identifier: MIT */
/* services.c — the one place that names the services: each is its own folder and its own
 * personal-information file (own tables, own data key); the platform only iterates this list.
 * The lean mimamori-mail-in's list of mail-in hooks is generated from this file
 * (scripts/gen_mail_in_services.py): each entry is &<folder>_service of src/<folder>/. */
#include "services.h"

#include "attendance/service.h"
#include "schoolmail/service.h"
#include "bathpass/service.h"
#include "sitter/service.h"
#include "homehelp/service.h"
#include "plaza/service.h"
#include "course/service.h"
#include "youth/service.h"
#include "centre/service.h"
#include "exchange/service.h"

const struct service *const services[] = {
    &attendance_service, /* 入退室管理 (seed 000) */
    &schoolmail_service, /* 一斉メール配信 (seed 003) */
    &bathpass_service,   /* ふれあい入浴証 (seed 002) */
    &sitter_service,     /* ベビーシッター利用支援 (seed 004) */
    &homehelp_service,   /* 家事・育児支援 (seed 001) */
    &plaza_service,      /* 共育プラザ利用者登録 (seed 001) */
    &course_service,     /* 講座の申込 (seed 001) */
    &youth_service,      /* ユースサポート (seed 001) */
    &centre_service,     /* 児童発達支援センター (seed 001) */
    &exchange_service,   /* ファイル授受 (issue 17) */
    NULL,
};
