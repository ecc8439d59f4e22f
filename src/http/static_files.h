/* SPDX-License-Identifier: MIT */
/* static_files.h — serving the web UI's files from web/ (internal to src/http/). */
#ifndef MIMAMORI_HTTP_STATIC_FILES_H
#define MIMAMORI_HTTP_STATIC_FILES_H
#include <microhttpd.h>

/* Queues the file under web_dir for url ("/dir/" → "/dir/index.html"), 404 if missing, 400 for
 * any path with ".." or odd characters. */
enum MHD_Result http_static_serve(struct MHD_Connection *c, const char *web_dir, const char *url);

#endif
