/* SPDX-License-Identifier: MIT */
/* window_letters.c — benchmark of the March mailing's PDF (issue 15: 25,972 letters < 60 s):
 * generated addressees, sorted by postcode, written as 長3 window-envelope letters into one
 * PDF file (src/doc/window_letter_pdf.c), against two floors measured in the same run on the
 * same machine: writing the same PDF bytes to the same filesystem, and laying out the same
 * strings with pango alone (no PDF, no drawing).
 *
 * usage: bench_window_letters DIR [N]   (N defaults to 25972; DIR must exist; DIR/letters.pdf
 *        and DIR/copy.pdf are overwritten) — prints one line of figures. */
#include <cairo.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/xalloc.h"
#include "doc/window_letter_pdf.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Fictional names and places only (no real person's data). */
static const char *const SURNAMES[] = {"佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺",	 "山本",
				       "中村", "小林", "加藤", "吉田", "山田", "佐々木", "山口",
				       "松本", "井上", "木村", "林",   "清水", "山﨑"};
static const char *const GIVEN[] = {"一郎",   "花子", "和子",	"正男", "幸子", "清",	"節子",
				    "博",     "洋子", "茂",	"恵子", "勇",	"京子", "武",
				    "美智子", "進",   "久美子", "實",	"悦子", "髙志"};
static const char *const TOWNS[] = {"桜台",   "青葉町",	    "若松町",	"北山伏町", "中里町",
				    "弁天町", "早稲田南町", "新小川町", "水道町",   "東五軒町"};

struct person {
	char postcode[8];
	char address[128];
	char katagaki[64];
	char name[64];
	char ref[48];
};

static int by_postcode(const void *a, const void *b)
{
	return strcmp(((const struct person *)a)->postcode, ((const struct person *)b)->postcode);
}

static void make_people(struct person *p, size_t n)
{
	unsigned s = 12345;
	for (size_t i = 0; i < n; i++) {
		s = s * 1103515245u + 12345u;
		unsigned r = s >> 8;
		size_t t = r % 10;
		snprintf(p[i].postcode, sizeof p[i].postcode, "16%05u", 10 + (unsigned)t * 7);
		snprintf(p[i].address, sizeof p[i].address, "東京都桜台区%s%u丁目%u番%u号",
			 TOWNS[t], 1 + r % 6, 1 + (r >> 4) % 30, 1 + (r >> 9) % 25);
		if (r % 3 == 0)
			snprintf(p[i].katagaki, sizeof p[i].katagaki, "さくらハイツ%u号",
				 101 + (r >> 13) % 400);
		else
			p[i].katagaki[0] = '\0';
		snprintf(p[i].name, sizeof p[i].name, "%s　%s", SURNAMES[(r >> 3) % 20],
			 GIVEN[(r >> 11) % 20]);
		snprintf(p[i].ref, sizeof p[i].ref, "整理番号 R8-%06zu", i + 1);
	}
	qsort(p, n, sizeof *p, by_postcode);
}

static struct doc_window_letter letter_of(const struct person *p)
{
	struct doc_window_letter L = {
	    .postcode = p->postcode,
	    .address = p->address,
	    .katagaki = p->katagaki,
	    .name = p->name,
	    .barcode = 1,
	    .sender = "桜台区 福祉部 地域包括ケア推進課\n〒160-0000 桜台区役所 電話 03-0000-0000",
	    .year = 2026,
	    .month = 3,
	    .day = 23,
	    .ref = p->ref,
	    .title = "ふれあい入浴証の送付について",
	    .paragraphs = {"日頃より区政にご理解とご協力をいただき、ありがとうございます。",
			   "令和8年度のふれあい入浴証をお送りします。入浴証を区内の公衆浴場に"
			   "お持ちいただくと、月4回まで無料でご利用いただけます。",
			   "紛失された場合は、地域包括ケア推進課または各特別出張所で再交付の"
			   "申請ができます。"},
	    .fields = {{"有効期間", "令和8年4月1日から令和9年3月31日まで", 0},
		       {"お問い合わせ", "地域包括ケア推進課 電話 03-0000-0000", 0}},
	    .notes = {"この通知は、昨年度に入浴証の交付を受けた方で、引き続き対象となる方に"
		      "お送りしています。"},
	};
	return L;
}

/* The pango floor: the strings that differ from letter to letter (〒, address, 方書, name,
 * reference; the rest of the page is laid out once per mailing) laid out — itemised, shaped,
 * wrapped — with one reused layout, measured but not drawn, for m letters. */
static double pango_floor(const struct person *p, size_t m)
{
	cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_A8, 8, 8);
	cairo_t *cr = cairo_create(s);
	PangoLayout *l = pango_cairo_create_layout(cr);
	PangoFontDescription *fd = pango_font_description_from_string("IPAexGothic 10.5");
	pango_layout_set_font_description(l, fd);
	pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
	pango_layout_set_width(l, 480 * PANGO_SCALE);
	double t0 = now();
	int w, h;
	for (size_t i = 0; i < m; i++) {
		struct doc_window_letter L = letter_of(&p[i]);
		const char *all[] = {"〒160-0000", L.address, L.katagaki, L.name, L.ref};
		for (size_t k = 0; k < sizeof all / sizeof all[0]; k++) {
			pango_layout_set_text(l, all[k], -1);
			pango_layout_get_size(l, &w, &h);
		}
	}
	double t = now() - t0;
	pango_font_description_free(fd);
	g_object_unref(l);
	cairo_destroy(cr);
	cairo_surface_destroy(s);
	return t;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: bench_window_letters DIR [N]\n");
		return 2;
	}
	size_t n = argc > 2 ? (size_t)strtoul(argv[2], NULL, 10) : 25972;
	if (n == 0)
		n = 1;
	char *pdf = xasprintf("%s/letters.pdf", argv[1]);
	char *copy = xasprintf("%s/copy.pdf", argv[1]);
	struct person *people = xcalloc(n, sizeof *people);
	make_people(people, n);

	struct doc_window_pdf *w = NULL;
	double t0 = now(), c0 = cpu();
	if (doc_window_pdf_open(pdf, "ふれあい入浴証の送付", &w) != ERR_OK)
		return 1;
	for (size_t i = 0; i < n; i++) {
		struct doc_window_letter L = letter_of(&people[i]);
		enum err e = doc_window_pdf_add(w, &L);
		if (e != ERR_OK) {
			fprintf(stderr, "letter %zu: %s\n", i, err_str(e));
			return 1;
		}
	}
	if (doc_window_pdf_close(w) != ERR_OK)
		return 1;
	double total = now() - t0, total_cpu = cpu() - c0;

	/* Floor 1: the same bytes, read back into memory, written to the same filesystem. */
	FILE *f = fopen(pdf, "rb");
	if (!f)
		return 1;
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *bytes = xmalloc((size_t)size);
	if (fread(bytes, 1, (size_t)size, f) != (size_t)size)
		return 1;
	fclose(f);
	t0 = now();
	f = fopen(copy, "wb");
	if (!f || fwrite(bytes, 1, (size_t)size, f) != (size_t)size || fclose(f) != 0)
		return 1;
	double write_s = now() - t0;
	unlink(copy);
	free(bytes);

	/* Floor 2: pango alone on a sample of the letters, scaled to n. */
	size_t m = n < 5000 ? n : 5000;
	double pango_s = pango_floor(people, m) * (double)n / (double)m;

	printf("window letters: %zu letters in %.2f s (%.0f letters/s, CPU %.2f s), PDF %.1f MB; "
	       "same bytes written in %.3f s (x%.0f); its pango layouts alone %.2f s (x%.1f)\n",
	       n, total, (double)n / total, total_cpu, (double)size / 1e6, write_s, total / write_s,
	       pango_s, total / pango_s);
	free(people);
	free(pdf);
	free(copy);
	return 0;
}
