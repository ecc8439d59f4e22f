/* SPDX-License-Identifier: MIT */
/* static_files.c — files of web/ with their content types; no directory listing. */
#include "http/static_files.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

static enum MHD_Result plain(struct MHD_Connection *c, unsigned status, const char *msg)
{
	struct MHD_Response *r =
	    MHD_create_response_from_buffer(strlen(msg), (void *)msg, MHD_RESPMEM_PERSISTENT);
	MHD_add_response_header(r, "Content-Type", "text/plain; charset=utf-8");
	enum MHD_Result ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	http_metrics_count(status);
	return ret;
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
		return plain(c, 400, "bad path\n");
	int n = snprintf(path, sizeof path, "%s%s%s", web_dir, url,
			 url[strlen(url) - 1] == '/' ? "index.html" : "");
	if (n < 0 || (size_t)n >= sizeof path)
		return plain(c, 400, "bad path\n");
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat sb;
	if (fd < 0)
		return plain(c, 404, "not found\n");
	if (fstat(fd, &sb) != 0) {
		close(fd);
		return plain(c, 404, "not found\n");
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
			enum MHD_Result ret = MHD_queue_response(c, 301, r);
			MHD_destroy_response(r);
			return ret;
		}
		return plain(c, 404, "not found\n");
	}
	struct MHD_Response *r = MHD_create_response_from_fd((uint64_t)sb.st_size, fd);
	if (!r) {
		close(fd);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", type_of(path));
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, "Content-Security-Policy",
				"default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
				"base-uri 'none'; form-action 'self'");
	MHD_add_response_header(r, "Cache-Control", "no-cache");
	enum MHD_Result ret = MHD_queue_response(c, 200, r);
	MHD_destroy_response(r);
	http_metrics_count(200);
	return ret;
}
