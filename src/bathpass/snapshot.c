/* SPDX-License-Identifier: MIT */
/* snapshot.c — an import of the host extract as a snapshot of differences against the ledger
 * (new, changed with which fields, gone with reason, unchanged, rejected), refused when it would
 * exclude more than the set share (a truncated extract), and applied only when a second person
 * approves it. Matching is on the blind index of 宛名番号 only. */
#include "bathpass/bathpass.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth/audit.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "store/store.h"
#include "vault/vault.h"

#define SEP '\x1f'
#define ABSENT_WHY "抽出データに含まれない"

/* A person of the ledger as the diff sees it, without unsealing. */
struct cur {
	unsigned char idx[32];
	unsigned char mac[32];
	int64_t id;
	int excluded;
	int seen;
};

/* One difference before it is stored. */
struct diff {
	const char *kind; /* new, changed, gone, rejected */
	size_t line;
	int64_t person_id;
	char fields[256];
	const char *reason;
	const struct bath_host_row *row; /* sealed as data (new, changed, gone from the file) */
};

static int cur_cmp(const void *a, const void *b)
{
	return memcmp(((const struct cur *)a)->idx, ((const struct cur *)b)->idx, 32);
}

/* Loads every person's match key, hash and exclusion on c into *out (malloc'd). */
static enum err load_current(struct store_conn *c, struct cur **out, size_t *n)
{
	struct store_stmt *st =
	    store_prepare(c, "SELECT id, resident_idx, row_mac, excluded FROM bath_people");
	size_t cap = 1024, k = 0;
	struct cur *v = xmalloc(cap * sizeof *v);
	enum err e = ERR_OK;
	int r;
	if (!st) {
		free(v);
		return ERR_DB;
	}
	while ((r = store_step(st)) == STORE_ROW) {
		size_t l1 = 0, l2 = 0;
		const void *idx = store_col_blob(st, 1, &l1), *mac = store_col_blob(st, 2, &l2);
		if (l1 != 32 || l2 != 32)
			continue;
		if (k == cap) {
			cap *= 2;
			v = xrealloc(v, cap * sizeof *v);
		}
		v[k].id = store_col_int(st, 0);
		memcpy(v[k].idx, idx, 32);
		memcpy(v[k].mac, mac, 32);
		v[k].excluded = (int)store_col_int(st, 3);
		v[k].seen = 0;
		k++;
	}
	if (r < 0)
		e = ERR_DB;
	store_finish(st);
	if (e != ERR_OK) {
		free(v);
		return e;
	}
	qsort(v, k, sizeof *v, cur_cmp);
	*out = v;
	*n = k;
	return ERR_OK;
}

/* The row's fields for the snapshot: the ten host fields, 異動事由 and 異動日, joined by US. */
static char *row_join(const struct bath_host_row *r)
{
	struct buf b;
	buf_init(&b, 1u << 16);
	for (int i = 0; i < BF_COUNT; i++) {
		buf_append(&b, r->f[i], strlen(r->f[i]));
		buf_append(&b, "\x1f", 1);
	}
	buf_append(&b, r->move, strlen(r->move));
	buf_append(&b, "\x1f", 1);
	buf_append(&b, r->move_date, strlen(r->move_date));
	return buf_steal(&b);
}

/* Names the fields of row that differ from p, comma-joined, into out. */
static void changed_fields(const struct bath_person *p, const struct bath_host_row *row, char *out,
			   size_t n)
{
	size_t at = 0;
	out[0] = '\0';
	if (p->excluded)
		at += (size_t)snprintf(out, n, "除外の取消");
	for (int i = 0; i < BF_COUNT && at < n; i++)
		if (strcmp(p->f[i], row->f[i]) != 0)
			at += (size_t)snprintf(out + at, n - at, "%s%s", at ? "," : "",
					       bath_field_ja[i]);
}

static const char *gone_reason(const char *move)
{
	if (strcmp(move, "転出") == 0)
		return "moved";
	if (strcmp(move, "死亡") == 0)
		return "died";
	return "lost";
}

/* Stores the snapshot and its differences on c (inside the caller's transaction). */
static enum err store_snapshot(struct store_conn *c, const struct vault *v,
			       struct bath_snapshot_summary *sum, int64_t user_id, int64_t base,
			       const struct diff *d, size_t nd, int64_t now)
{
	struct store_stmt *st = store_prepare(
	    c, "INSERT INTO bath_snapshots (created_ms, created_by, base_id, encoding, total_rows, "
	       "n_new, n_changed, n_gone, n_unchanged, n_rejected, status, refusal) VALUES (?, ?, "
	       "?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	if (!st)
		return ERR_DB;
	store_bind_int(st, 1, now);
	store_bind_int(st, 2, user_id);
	store_bind_int(st, 3, base);
	store_bind_text(st, 4, sum->encoding);
	store_bind_int(st, 5, (int64_t)sum->rows);
	store_bind_int(st, 6, (int64_t)sum->n_new);
	store_bind_int(st, 7, (int64_t)sum->n_changed);
	store_bind_int(st, 8, (int64_t)sum->n_gone);
	store_bind_int(st, 9, (int64_t)sum->n_unchanged);
	store_bind_int(st, 10, (int64_t)sum->n_rejected);
	store_bind_text(st, 11, sum->refused ? "refused" : "pending");
	store_bind_text(st, 12, sum->refusal);
	enum err e = store_run(st);
	store_finish(st);
	if (e != ERR_OK)
		return e;
	sum->id = store_last_id(c);
	/* A refused import keeps its counts only: nothing of its people is kept. */
	if (sum->refused)
		return ERR_OK;
	for (size_t i = 0; i < nd && e == ERR_OK; i++) {
		st = store_prepare(c,
				   "INSERT INTO bath_snapshot_rows (snapshot_id, line, kind, "
				   "person_id, fields, reason, data) VALUES (?, ?, ?, ?, ?, ?, ?)");
		if (!st)
			return ERR_DB;
		store_bind_int(st, 1, sum->id);
		store_bind_int(st, 2, (int64_t)d[i].line);
		store_bind_text(st, 3, d[i].kind);
		if (d[i].person_id)
			store_bind_int(st, 4, d[i].person_id);
		else
			store_bind_null(st, 4);
		store_bind_text(st, 5, d[i].fields);
		store_bind_text(st, 6, d[i].reason ? d[i].reason : "");
		if (d[i].row) {
			char *joined = row_join(d[i].row);
			vault_bind_sealed(v, st, 7, "bath_snapshot_rows.data", joined);
			vault_wipe_free(joined);
		} else {
			store_bind_null(st, 7);
		}
		e = store_run(st);
		store_finish(st);
	}
	return e;
}

enum err bath_snapshot_make(struct app *a, const struct bath_host_file *h, int64_t user_id,
			    int max_percent, struct bath_snapshot_summary *sum)
{
	const struct vault *v = bathpass_vault(a);
	struct store_conn *c = store_acquire(a->store);
	struct cur *cur = NULL;
	size_t ncur = 0, nd = 0;
	struct diff *d = xcalloc(h->nrows + 1, sizeof *d);
	int64_t base = 0, now = clock_now_ms();
	memset(sum, 0, sizeof *sum);
	sum->encoding = h->encoding;
	sum->rows = h->nrows;
	enum err e = store_begin(c);
	if (e != ERR_OK)
		goto out;
	e = load_current(c, &cur, &ncur);
	if (e != ERR_OK)
		goto out;
	struct store_stmt *st = store_prepare(
	    c, "SELECT COALESCE(MAX(id), 0) FROM bath_snapshots WHERE status = 'approved'");
	if (!st || store_step(st) != STORE_ROW) {
		store_finish(st);
		e = ERR_DB;
		goto out;
	}
	base = store_col_int(st, 0);
	store_finish(st);
	for (size_t i = 0; i < h->nrows && e == ERR_OK; i++) {
		const struct bath_host_row *r = &h->rows[i];
		struct diff *x = &d[nd];
		x->line = r->line;
		if (r->why) {
			/* A rejected row of someone in the ledger is not their leaving. */
			if (*r->f[BF_RESIDENT]) {
				struct cur key, *hit;
				bath_resident_index(v, r->f[BF_RESIDENT], key.idx);
				hit = ncur ? bsearch(&key, cur, ncur, sizeof *cur, cur_cmp) : NULL;
				if (hit)
					hit->seen = 1;
			}
			x->kind = "rejected";
			x->reason = r->why;
			sum->n_rejected++;
			nd++;
			continue;
		}
		struct cur key, *p;
		bath_resident_index(v, r->f[BF_RESIDENT], key.idx);
		p = ncur ? bsearch(&key, cur, ncur, sizeof *cur, cur_cmp) : NULL;
		if (p)
			p->seen = 1;
		if (*r->move) {
			if (p && !p->excluded) {
				x->kind = "gone";
				x->reason = gone_reason(r->move);
				x->person_id = p->id;
				x->row = r;
				sum->n_gone++;
				nd++;
			} else if (p) {
				sum->n_unchanged++;
			} else {
				sum->n_skipped++; /* never in the ledger and already gone */
			}
			continue;
		}
		if (!p) {
			x->kind = "new";
			x->row = r;
			sum->n_new++;
			nd++;
			continue;
		}
		unsigned char mac[32];
		bath_row_mac(v, r->f, mac);
		if (!p->excluded && memcmp(mac, p->mac, 32) == 0) {
			sum->n_unchanged++;
			continue;
		}
		struct bath_person old;
		e = bath_person_load(c, v, p->id, &old);
		if (e != ERR_OK)
			break;
		changed_fields(&old, r, x->fields, sizeof x->fields);
		bath_person_clear(&old);
		if (!x->fields[0]) {
			sum->n_unchanged++;
			continue;
		}
		x->kind = "changed";
		x->person_id = p->id;
		x->row = r;
		sum->n_changed++;
		nd++;
	}
	if (e != ERR_OK)
		goto out;
	for (size_t i = 0; i < ncur; i++) {
		if (!cur[i].excluded)
			sum->active++;
		if (cur[i].seen || cur[i].excluded)
			continue;
		d = xrealloc(d, (nd + 1) * sizeof *d);
		memset(&d[nd], 0, sizeof d[nd]);
		d[nd].kind = "gone";
		d[nd].reason = "absent";
		d[nd].person_id = cur[i].id;
		sum->n_gone++;
		nd++;
	}
	if (sum->active && sum->n_gone * 100 > (size_t)max_percent * sum->active) {
		sum->refused = 1;
		snprintf(sum->refusal, sizeof sum->refusal,
			 "除外が%zu人（対象者%zu人の%zu%%）になり、上限の%d%%を超えるため取り込み"
			 "ません。抽出データが途中で切れていないか確かめてください。",
			 sum->n_gone, sum->active, sum->n_gone * 100 / sum->active, max_percent);
	}
	e = store_snapshot(c, v, sum, user_id, base, d, nd, now);
	if (e == ERR_OK) {
		char object[48], actor[48], detail[160];
		snprintf(object, sizeof object, "bath_snapshot:%" PRId64, sum->id);
		snprintf(actor, sizeof actor, "user:%" PRId64, user_id);
		snprintf(detail, sizeof detail,
			 "rows=%zu new=%zu changed=%zu gone=%zu unchanged=%zu rejected=%zu%s",
			 sum->rows, sum->n_new, sum->n_changed, sum->n_gone, sum->n_unchanged,
			 sum->n_rejected, sum->refused ? " refused" : "");
		e = audit_append(c, a->vault, actor, "bathpass.import.snapshot", object, detail);
	}
	if (e == ERR_OK)
		e = store_commit(c);
out:
	if (e != ERR_OK)
		store_rollback(c);
	store_release(c);
	free(cur);
	free(d);
	return e;
}

/* One stored difference to apply. */
struct todo {
	char kind[16];
	int64_t person_id;
	char *data; /* unsealed row, or NULL */
};

/* Splits a joined row into its 12 parts (in place). Returns 1 when there were 12. */
static int row_split(char *s, char *parts[12])
{
	int k = 0;
	parts[k++] = s;
	for (char *p = s; *p; p++)
		if (*p == SEP) {
			*p = '\0';
			if (k == 12)
				return 0;
			parts[k++] = p + 1;
		}
	return k == 12;
}

/* Reads the snapshot's differences to apply on c into *out (malloc'd; data unsealed). */
static enum err load_todo(struct store_conn *c, const struct vault *v, int64_t id,
			  struct todo **out, size_t *n)
{
	struct store_stmt *st = store_prepare(
	    c, "SELECT kind, COALESCE(person_id, 0), data FROM bath_snapshot_rows WHERE "
	       "snapshot_id = ? AND kind IN ('new', 'changed', 'gone') ORDER BY id");
	size_t cap = 256, k = 0;
	struct todo *t = xmalloc(cap * sizeof *t);
	enum err e = ERR_OK;
	int r;
	if (!st) {
		free(t);
		return ERR_DB;
	}
	store_bind_int(st, 1, id);
	while (e == ERR_OK && (r = store_step(st)) == STORE_ROW) {
		if (k == cap) {
			cap *= 2;
			t = xrealloc(t, cap * sizeof *t);
		}
		snprintf(t[k].kind, sizeof t[k].kind, "%s", store_col_text(st, 0));
		t[k].person_id = store_col_int(st, 1);
		t[k].data = NULL;
		if (!store_col_is_null(st, 2)) {
			size_t len = 0;
			const void *blob = store_col_blob(st, 2, &len);
			e = vault_unseal(v, "bath_snapshot_rows.data", blob, len, &t[k].data);
		}
		k++;
	}
	if (e == ERR_OK && r < 0)
		e = ERR_DB;
	store_finish(st);
	*out = t;
	*n = k;
	return e;
}

static const char *gone_why(const char *move)
{
	return *move ? move : ABSENT_WHY;
}

/* Applies one difference on c. */
static enum err apply_one(struct store_conn *c, const struct vault *v, const struct todo *t,
			  int64_t id, int64_t user_id, const char *day, int64_t now)
{
	char *parts[12];
	if (t->data && !row_split(t->data, parts))
		return ERR_CRYPTO;
	if (strcmp(t->kind, "new") == 0)
		return t->data ? bath_person_write(c, v, 0, parts, id, now, NULL) : ERR_CRYPTO;
	if (strcmp(t->kind, "changed") == 0)
		return t->data ? bath_person_write(c, v, t->person_id, parts, id, now, NULL)
			       : ERR_CRYPTO;
	/* gone: from the file's 異動事由 and 異動日, or absent from the extract (its date). */
	const char *on = t->data ? parts[11] : day;
	const char *why = t->data ? gone_why(parts[10]) : ABSENT_WHY;
	enum err e = bath_person_exclude(c, v, t->person_id, on, why, id, now);
	if (e == ERR_OK)
		e = bath_event_add(c, t->person_id, "exclude", on, NULL, NULL, NULL, user_id, now);
	return e;
}

enum err bath_snapshot_approve(struct app *a, int64_t id, int64_t user_id, const char *actor,
			       const char **why)
{
	const struct vault *v = bathpass_vault(a);
	struct store_conn *c = store_acquire(a->store);
	struct todo *t = NULL;
	size_t nt = 0;
	int64_t now = clock_now_ms(), maker = 0, base = 0, created = 0;
	char status[16] = "", day[11];
	*why = NULL;
	enum err e = store_begin(c);
	if (e != ERR_OK)
		goto out;
	struct store_stmt *st = store_prepare(
	    c, "SELECT created_by, status, base_id, created_ms FROM bath_snapshots WHERE id = ?");
	if (!st) {
		e = ERR_DB;
		goto out;
	}
	store_bind_int(st, 1, id);
	int r = store_step(st);
	if (r == STORE_ROW) {
		maker = store_col_int(st, 0);
		snprintf(status, sizeof status, "%s", store_col_text(st, 1));
		base = store_col_int(st, 2);
		created = store_col_int(st, 3);
	}
	store_finish(st);
	if (r != STORE_ROW) {
		e = r == STORE_DONE ? ERR_NOTFOUND : ERR_DB;
		*why = r == STORE_DONE ? "その取り込みはありません。" : NULL;
		goto out;
	}
	if (strcmp(status, "pending") != 0) {
		e = ERR_CONFLICT;
		*why = strcmp(status, "refused") == 0
			   ? "この取り込みは除外が多すぎるため受け付けられていません。"
			   : "この取り込みは承認待ちではありません（承認済みか、後の取り込みに置き"
			     "換えられました）。";
		goto out;
	}
	if (maker == user_id) {
		e = ERR_FORBIDDEN;
		*why = "取り込んだ本人は承認できません。別の職員が承認してください。";
		goto out;
	}
	st = store_prepare(
	    c, "SELECT COALESCE(MAX(id), 0) FROM bath_snapshots WHERE status = 'approved'");
	if (!st || store_step(st) != STORE_ROW) {
		store_finish(st);
		e = ERR_DB;
		goto out;
	}
	int64_t last = store_col_int(st, 0);
	store_finish(st);
	if (last != base) {
		e = ERR_CONFLICT;
		*why =
		    "この取り込みの後に別の取り込みが承認されました。もう一度取り込んでください。";
		goto out;
	}
	e = load_todo(c, v, id, &t, &nt);
	clock_jst_date(created, day, sizeof day);
	for (size_t i = 0; i < nt && e == ERR_OK; i++)
		e = apply_one(c, v, &t[i], id, user_id, day, now);
	if (e != ERR_OK)
		goto out;
	/* Applied: the ledger holds the rows now, so the snapshot keeps no copy of them. */
	st = store_prepare(c, "UPDATE bath_snapshot_rows SET data = NULL WHERE snapshot_id = ?");
	if (!st) {
		e = ERR_DB;
		goto out;
	}
	store_bind_int(st, 1, id);
	e = store_run(st);
	store_finish(st);
	if (e != ERR_OK)
		goto out;
	st = store_prepare(c, "UPDATE bath_snapshots SET status = CASE WHEN id = ?1 THEN "
			      "'approved' ELSE 'superseded' END, decided_by = ?2, decided_ms = ?3 "
			      "WHERE status = 'pending'");
	if (!st) {
		e = ERR_DB;
		goto out;
	}
	store_bind_int(st, 1, id);
	store_bind_int(st, 2, user_id);
	store_bind_int(st, 3, now);
	e = store_run(st);
	store_finish(st);
	if (e == ERR_OK) {
		char object[48], detail[48];
		snprintf(object, sizeof object, "bath_snapshot:%" PRId64, id);
		snprintf(detail, sizeof detail, "applied=%zu", nt);
		e = audit_append(c, a->vault, actor, "bathpass.import.approve", object, detail);
	}
	if (e == ERR_OK)
		e = store_commit(c);
out:
	if (e != ERR_OK)
		store_rollback(c);
	store_release(c);
	for (size_t i = 0; i < nt; i++)
		vault_wipe_free(t[i].data);
	free(t);
	if (e != ERR_OK && !*why && e != ERR_DB)
		log_warn("bathpass: snapshot %" PRId64 " could not be applied: %s", id, err_str(e));
	return e;
}
