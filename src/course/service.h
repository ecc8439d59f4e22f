/* SPDX-License-Identifier: MIT */
/* service.h — course sign-up as the platform sees it (composed by src/services.c). */
#ifndef MIMAMORI_COURSE_SERVICE_H
#define MIMAMORI_COURSE_SERVICE_H
#include "app/service.h"
#include "http/http.h"

/* Course sign-up (講座の申込: 父親ピアサポート and other courses, seed 001). */
extern const struct service course_service;
/* Its API routes, ending with {0} (routes.c). */
extern const struct http_route course_routes[];

#endif
