/* SPDX-License-Identifier: MIT */
/* stream.h — what server.c needs of stream.c (the services use http.h's http_stream_*). */
#ifndef MIMAMORI_HTTP_STREAM_H
#define MIMAMORI_HTTP_STREAM_H
#include <microhttpd.h>

struct http_stream;
/* Returns a new answer reading from s on connection mc (the caller queues and destroys it),
 * or NULL when the library could not make one (then call http_stream_abandon). */
struct MHD_Response *http_stream_response(struct http_stream *s, struct MHD_Connection *mc);
/* Drops the connection's reference of a stream whose answer was never queued. */
void http_stream_abandon(struct http_stream *s);
/* A server starts: streams may be opened. */
void http_streams_start(void);
/* Ends every open stream and wakes its connection, before the daemon stops; streams opened
 * after it end at once. */
void http_streams_stop(void);

#endif
