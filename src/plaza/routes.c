/* SPDX-License-Identifier: MIT */
/* routes.c — the plazas' API routes with the roles that may call them; reads like a menu. A
 * plaza's desk (plaza_staff, one plaza each) registers, searches, prints cards and scans visits
 * of its own users; the ward's administrator and staff see the counts of every plaza, and the
 * administrator runs the yearly work and says which plaza each desk account works at. */
#include "plaza/service.h"

#include "plaza/api.h"

#define DESK ROLE_PLAZA_STAFF
#define WARD (ROLE_WARD_ADMIN | ROLE_WARD_STAFF)

/* clang-format off */
const struct http_route plaza_routes[] = {
	/* method, pattern, roles, flags, handler, summary */
	{"GET", "/api/v1/plaza/me", DESK | WARD, 0, api_plaza_me,
	 "the caller's plaza (none for the ward), the plazas, today's school year"},
	/* the desk */
	{"GET", "/api/v1/plaza/users", DESK, 0, api_plaza_search,
	 "search the plaza's users (ふりがな, 氏名, 生年月日, 電話番号, カード番号): the first 50 in kana order and how many in all"},
	{"POST", "/api/v1/plaza/users", DESK, 0, api_plaza_user_add,
	 "register a user at the plaza: 氏名, ふりがな, 住所, 生年月日, 電話番号, 学校名, 学年; a card number is given"},
	{"GET", "/api/v1/plaza/users/{}", DESK, 0, api_plaza_user,
	 "one user of the plaza (年齢 computed)"},
	{"PUT", "/api/v1/plaza/users/{}", DESK, 0, api_plaza_user_update,
	 "correct a user's items"},
	{"GET", "/api/v1/plaza/cards", DESK, 0, api_plaza_cards,
	 "registration cards with a QR code for users ids=1,2,… (PDF, up to 1000; in the handover ledger)"},
	{"POST", "/api/v1/plaza/visits", DESK, 0, api_plaza_visit,
	 "a card scanned at the desk: the day's visit (once a day)"},
	{"GET", "/api/v1/plaza/counts", DESK | WARD, 0, api_plaza_counts,
	 "visits per plaza, day and age band from..to (JSON or format=csv)"},
	/* the ward's yearly work */
	{"GET", "/api/v1/plaza/grade-updates", WARD, 0, api_plaza_grade_runs,
	 "the April updates of 学年 made"},
	{"POST", "/api/v1/plaza/grade-updates", ROLE_WARD_ADMIN, 0, api_plaza_grade_update,
	 "move every user's 学年 on to this school year (once a year)"},
	{"GET", "/api/v1/plaza/inactive", ROLE_WARD_ADMIN, 0, api_plaza_inactive,
	 "users not seen for years=N (the setting by default): how many per plaza, the first 200"},
	{"POST", "/api/v1/plaza/inactive/delete", ROLE_WARD_ADMIN, 0, api_plaza_inactive_delete,
	 "delete the users listed (the count seen must match), each with an audit entry"},
	{"GET", "/api/v1/plaza/staff", ROLE_WARD_ADMIN, 0, api_plaza_staff,
	 "the plaza_staff accounts and their plazas"},
	{"PUT", "/api/v1/plaza/staff/{}", ROLE_WARD_ADMIN, 0, api_plaza_staff_set,
	 "say which plaza a plaza_staff account works at"},
	{0},
};
/* clang-format on */
