/* SPDX-License-Identifier: MIT */
/* static_files.c — files of web/ with their content types; no directory listing. */
#include "http/static_files.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http/headers.h"
#include "http/http.h"

static const char *type_of(const char *path)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
		{".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
		{".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
		{".svg", "image/svg+xml"}, {".png", "image/png"}, {".ico", "image/x-icon"},
		{".json", "application/json"}, {".webmanifest", "application/manifest+json"},
		{".txt", "text/plain; charset=utf-8"},
	};
	const char *dot = strrchr(path, '.');
	for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
		if (strcmp(dot, types[i].ext) == 0)
			return types[i].type;
	return "application/octet-stream";
}

#define NOT_FOUND "ページが見つかりません。アドレスを確かめてください。\n"
#define BAD_PATH "このアドレスは使えません。\n"

static enum MHD_Result plain(struct MHD_Connection *c, unsigned status, const char *msg)
{
	return http_plain(c, status, msg, NULL, NULL);
}

static int path_ok(const char *url)
{
	if (url[0] != '/' || strstr(url, "..") || strstr(url, "//"))
		return 0;
	for (const char *p = url; *p; p++) {
		unsigned char ch = (unsigned char)*p;
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '/' || ch == '.' || ch == '-' || ch == '_'))
			return 0;
	}
	return 1;
}

enum MHD_Result http_static_serve(struct MHD_Connection *c, const char *web_dir, const char *url)
{
	char path[1024];
	if (!path_ok(url) || strlen(url) > 200)
		return plain(c, 400, BAD_PATH);
	int n = snprintf(path, sizeof path, "%s%s%s", web_dir, url,
			 url[strlen(url) - 1] == '/' ? "index.html" : "");
	if (n < 0 || (size_t)n >= sizeof path)
		return plain(c, 400, BAD_PATH);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat sb;
	if (fd < 0)
		return plain(c, 404, NOT_FOUND);
	if (fstat(fd, &sb) != 0) {
		close(fd);
		return plain(c, 404, NOT_FOUND);
	}
	if (!S_ISREG(sb.st_mode)) {
		close(fd);
		/* "/kiosk" without the slash: send the browser to the directory. */
		if (S_ISDIR(sb.st_mode)) {
			char loc[256];
			snprintf(loc, sizeof loc, "%s/", url);
			struct MHD_Response *r =
			    MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
			MHD_add_response_header(r, "Location", loc);
			http_security_headers(r);
			enum MHD_Result ret = MHD_queue_response(c, 301, r);
			MHD_destroy_response(r);
			return ret;
		}
		return plain(c, 404, NOT_FOUND);
	}
	struct MHD_Response *r = MHD_create_response_from_fd((uint64_t)sb.st_size, fd);
	if (!r) {
		close(fd);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", type_of(path));
	http_security_headers(r);
	MHD_add_response_header(r, "Cache-Control", "no-cache");
	enum MHD_Result ret = MHD_queue_response(c, 200, r);
	MHD_destroy_response(r);
	http_metrics_count(200);
	return ret;
}
