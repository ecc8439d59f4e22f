/* SPDX-License-Identifier: MIT */
/* api.h — file exchange's HTTP handlers (one file per resource). */
#ifndef MIMAMORI_EXCHANGE_API_H
#define MIMAMORI_EXCHANGE_API_H
#include "http/http.h"

/* api_files.c: send, list, download, withdraw */
enum err api_ex_upload(struct http_req *rq, struct http_resp *rs);
enum err api_ex_files(struct http_req *rq, struct http_resp *rs);
enum err api_ex_download(struct http_req *rq, struct http_resp *rs);
enum err api_ex_withdraw(struct http_req *rq, struct http_resp *rs);
/* api_events.c: what happened to the files (the sender's, the recipient's, the ward's list) */
enum err api_ex_events(struct http_req *rq, struct http_resp *rs);
/* api_recipients.c: the ward's staff who receive */
enum err api_ex_recipients(struct http_req *rq, struct http_resp *rs);
enum err api_ex_recipient_set(struct http_req *rq, struct http_resp *rs);

#endif
