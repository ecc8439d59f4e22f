/* SPDX-License-Identifier: MIT */
/* role.c — role names. */
#include "auth/role.h"

#include <string.h>

static const struct {
	enum role role;
	const char *name;
} roles[] = {
	{ROLE_WARD_ADMIN, "ward_admin"}, {ROLE_WARD_STAFF, "ward_staff"},
	{ROLE_CONTRACTOR, "contractor"}, {ROLE_SITE_STAFF, "site_staff"},
	{ROLE_KIOSK, "kiosk"}, {ROLE_GUARDIAN, "guardian"},
	{ROLE_SCHOOL_ADMIN, "school_admin"}, {ROLE_SENDER, "sender"},
	{ROLE_BATH_OFFICE, "bath_office"}, {ROLE_BATH_BRANCH, "bath_branch"},
	{ROLE_GRANT_OPERATOR, "grant_operator"}, {ROLE_GRANT_SUPERVISOR, "grant_supervisor"},
	{ROLE_GRANT_STAFF, "grant_staff"}, {ROLE_GRANT_APPROVER, "grant_approver"},
	{ROLE_PLAZA_STAFF, "plaza_staff"}, {ROLE_YOUTH_WORKER, "youth_worker"},
	{ROLE_YOUTH_SUPERVISOR, "youth_supervisor"}, {ROLE_CENTRE_STAFF, "centre_staff"},
	{ROLE_CENTRE_MANAGER, "centre_manager"}, {ROLE_CENTRE_PARENT, "centre_parent"},
	{ROLE_COURSE_STAFF, "course_staff"},
};

enum role role_parse(const char *name)
{
	for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
		if (strcmp(roles[i].name, name) == 0 && roles[i].role != ROLE_KIOSK &&
		    roles[i].role != ROLE_GUARDIAN)
			return roles[i].role;
	return ROLE_NONE;
}

const char *role_name(enum role r)
{
	for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
		if (roles[i].role == r)
			return roles[i].name;
	return "none";
}

int role_needs_device(enum role r)
{
	return r == ROLE_SENDER;
}
