/* SPDX-License-Identifier: MIT */
/* device_api.h — handlers of the ward-approved devices (auth/approved_device.h): a device's
 * enrolment request and its state, the ward's list, approval and revocation. */
#ifndef MIMAMORI_HTTP_DEVICE_API_H
#define MIMAMORI_HTTP_DEVICE_API_H
#include "http/http.h"

/* POST /api/v1/devices/enrolment {login, password, label}: the owner's password checked as a
 * sign-in (same delay, lockout and throttle), a pending request recorded, the credential set
 * as the cookie APPROVED_DEVICE_COOKIE; 201 {device}. */
enum err api_device_enrol(struct http_req *rq, struct http_resp *rs);
/* GET /api/v1/devices/enrolment: this browser's device ({device} or {device: null}). */
enum err api_device_enrolment_get(struct http_req *rq, struct http_resp *rs);
/* GET /api/v1/devices: every device, pending first (the ward). */
enum err api_device_list(struct http_req *rq, struct http_resp *rs);
/* POST /api/v1/devices/{id}/approve and …/revoke (the ward administrator). */
enum err api_device_approve(struct http_req *rq, struct http_resp *rs);
enum err api_device_revoke(struct http_req *rq, struct http_resp *rs);

#endif
