#!/usr/bin/env python3
"""embed_items.py — read the council annotations of sql/NNNN_*.sql (what each table and column
is, in Japanese, and whether it is personal, sealed or 要配慮) into a C table the program reads
(src/store/items.h), and check them (docs/architecture.md, "The council's annotations").

The annotations are SQL comments, so the migrations' SQL (and so upgrades of existing data
directories) does not change when they are added or edited:

  CREATE TABLE children (          -- 表: 児童; attendance; 本人: 児童
    name_enc BLOB NOT NULL,        -- 項目: 児童の氏名; 個人; 暗号化
    grade    INTEGER NOT NULL,     -- 項目: 学年; 一般 — free text may follow a dash
  ALTER TABLE scans ADD COLUMN reason_enc BLOB; -- 項目: 手入力の理由; 個人; 暗号化
  -- 流れ: attendance; 保護者 → 学童クラブ; 児童の氏名・保護者のメールアドレス; 申込書から名簿の取り込み

  表:   Japanese name; owner (a service's name, or platform); optionally 本人: whose data;
        optionally 固定 (a fixed list the migration fills, no personal data: the erasure at the
        contract's end keeps it, so the service can start again — the plazas, the bath places)
  項目: Japanese name; class: 一般 (not personal) | 個人 (personal) | 要配慮 (special care);
        optionally 暗号化 (sealed under the service's data key: the column must be a BLOB)
  流れ: owner; from → to; what; how   (one hand-over of personal information)

An annotation stands in a comment on a line of the column's (or table's) definition itself.
Usage: embed_items.py OUT.c sql/*.sql          (generate; a malformed annotation stops the build)
       embed_items.py --check sql/*.sql        (also fails on a table or column without one)"""
import json
import os
import re
import sys

MARKER = re.compile(r"^\s*--\s*\[(sqlite|postgresql|both)\]\s*$")
CREATE = re.compile(r"^\s*CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)\s*\(", re.I)
DROP = re.compile(r"^\s*DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?(\w+)", re.I)
RENAME = re.compile(r"^\s*ALTER\s+TABLE\s+(\w+)\s+RENAME\s+TO\s+(\w+)", re.I)
ALTER_ADD = re.compile(r"^\s*ALTER\s+TABLE\s+(\w+)\s+ADD\s+(?:COLUMN\s+)?(?!CONSTRAINT\b)(\w+)\s+(\w+)", re.I)
CONSTRAINT = {"PRIMARY", "UNIQUE", "FOREIGN", "CHECK", "CONSTRAINT"}
CLASSES = {"一般": "STORE_ITEM_PLAIN", "個人": "STORE_ITEM_PERSONAL", "要配慮": "STORE_ITEM_CARE"}
ITEM = re.compile(r"項目[:：]\s*(.*)$")
TABLE = re.compile(r"表[:：]\s*(.*)$")
FLOW = re.compile(r"^\s*--\s*流れ[:：]\s*(.*)$")
ITEM_SYNTAX = "-- 項目: 日本語名; 一般|個人|要配慮[; 暗号化]"
TABLE_SYNTAX = "-- 表: 日本語名; サービス名|platform[; 本人: 誰の情報か][; 固定]"
FLOW_SYNTAX = "-- 流れ: サービス名|platform; 渡す人 → 受ける人; 何を; どうやって"
# Made by the program itself (src/store/store.c), not by a migration.
BUILTIN_TABLES = [("schema_version", "スキーマの版", "platform", "", 0)]
BUILTIN_ITEMS = [("schema_version", "version", "適用した移行の番号", "STORE_ITEM_PLAIN", 0, "INTEGER")]


class Bad(Exception):
    pass


def split_code(line):
    """Splits line into (code, comment) at the first -- outside a string literal."""
    quote = False
    for i, ch in enumerate(line):
        if ch == "'":
            quote = not quote
        elif not quote and line.startswith("--", i):
            return line[:i], line[i + 2:]
    return line, ""


def fields(text):
    """The ;-separated fields of an annotation, up to a dash that starts free text."""
    text = re.split(r"\s+[—–]\s+|\s+--\s+", text, maxsplit=1)[0]
    return [f.strip() for f in text.split(";")]


def parse_item(comment, where, table, column, ctype):
    m = ITEM.search(comment)
    if not m:
        return None
    f = fields(m.group(1))
    if len(f) < 2 or not f[0] or f[1] not in CLASSES or len(f) > 3 or (
            len(f) == 3 and f[2] != "暗号化"):
        raise Bad("%s: %s.%s の注記の書式が違います（書式: %s）/ the annotation of %s.%s is "
                  "malformed (syntax: %s)" % (where, table, column, ITEM_SYNTAX, table, column,
                                               ITEM_SYNTAX))
    sealed = len(f) == 3
    if sealed and ctype.upper() != "BLOB":
        raise Bad("%s: %s.%s は暗号化と注記されていますが型が %s です（暗号化する列は BLOB）"
                  % (where, table, column, ctype))
    return (table, column, f[0], CLASSES[f[1]], 1 if sealed else 0, ctype.upper())


def parse_table(comment, where, table):
    m = TABLE.search(comment)
    if not m:
        return None
    f = fields(m.group(1))
    whose, fixed, ok = "", 0, len(f) >= 2
    for extra in f[2:]:
        if extra.startswith("本人") and not whose:
            whose = re.sub(r"^本人[:：]\s*", "", extra)
            ok = ok and bool(whose)
        elif extra == "固定" and not fixed:
            fixed = 1
        else:
            ok = False
    if not ok or not f[0] or not re.fullmatch(r"[a-z][a-z0-9_]*", f[1]):
        raise Bad("%s: 表 %s の注記の書式が違います（書式: %s）/ the annotation of table %s is "
                  "malformed (syntax: %s)" % (where, table, TABLE_SYNTAX, table, TABLE_SYNTAX))
    if fixed and whose:
        raise Bad("%s: 表 %s は本人のある表なので固定にできません / table %s names whose data it "
                  "holds, so it cannot be a fixed list" % (where, table, table))
    return (table, f[0], f[1], whose, fixed)


def elements(body_lines):
    """Splits the lines of a CREATE TABLE body into its elements: [(first code, [comments])]."""
    out, depth, cur, quote = [], 0, None, False
    for code, comment in body_lines:
        if not code.strip():
            continue  # a line of comment only belongs to no element
        if cur is None:
            cur = [code, []]
            out.append(cur)
        cur[1].append(comment)
        for ch in code:
            if ch == "'":
                quote = not quote
            elif quote:
                continue
            elif ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
            elif ch == "," and depth == 0:
                cur = None  # the next code line starts a new element
    return out


def forget(table, tables, items, missing):
    """Removes what the lists hold of table (dropped by a migration: no longer the council's)."""
    tables[:] = [x for x in tables if x[0] != table]
    items[:] = [x for x in items if x[0] != table]
    missing[:] = [x for x in missing if x[0] != table]


def parse_file(path, tables, items, flows, missing):
    base = os.path.basename(path)
    with open(path, encoding="utf-8") as s:
        lines = s.read().splitlines()
    mode, i = "both", 0
    while i < len(lines):
        line = lines[i]
        m = MARKER.match(line)
        if m:
            mode = m.group(1)
            i += 1
            continue
        where = "%s:%d" % (base, i + 1)
        if mode == "postgresql":
            i += 1
            continue
        fm = FLOW.match(line)
        if fm:
            f = fields(fm.group(1))
            arrow = re.split(r"\s*[→>]\s*", f[1]) if len(f) == 4 else []
            if len(f) != 4 or len(arrow) != 2 or not all(f) or not all(arrow):
                raise Bad("%s: 流れの注記の書式が違います（書式: %s）" % (where, FLOW_SYNTAX))
            flows.append((f[0], arrow[0], arrow[1], f[2], f[3]))
            i += 1
            continue
        code, comment = split_code(line)
        dm = DROP.match(code)
        if dm:
            # In order: a table dropped and made again (a rebuild) keeps the new annotations.
            forget(dm.group(1), tables, items, missing)
        rm = RENAME.match(code)
        if rm:
            # A rebuild's new table renamed to the old name: its annotations go with it.
            old_name, new_name = rm.group(1), rm.group(2)
            forget(new_name, tables, items, missing)
            tables[:] = [(new_name,) + x[1:] if x[0] == old_name else x for x in tables]
            items[:] = [(new_name,) + x[1:] if x[0] == old_name else x for x in items]
            missing[:] = [(new_name, m) if tb == old_name else (tb, m) for tb, m in missing]
            i += 1
            continue
        am = ALTER_ADD.match(code)
        if am:
            table, column, ctype = am.group(1), am.group(2), am.group(3)
            it = parse_item(comment, where, table, column, ctype)
            if it:
                items.append(it)
            else:
                missing.append((table, "%s: %s.%s" % (where, table, column)))
            i += 1
            continue
        cm = CREATE.match(code)
        if not cm:
            i += 1
            continue
        table = cm.group(1)
        t = parse_table(comment, where, table)
        if t:
            tables.append(t)
        else:
            missing.append((table, "%s: 表 %s" % (where, table)))
        # The body: from after the "(" to the line whose depth returns to 0.
        body, depth, start = [], 1, i
        rest = code[cm.end():]
        first = (rest, "") if rest.strip() else None
        if first:
            body.append((first[0], comment))
        i += 1
        while i < len(lines) and depth > 0:
            c, cmt = split_code(lines[i])
            d = depth + c.count("(") - c.count(")")
            if d <= 0:
                c = c[:c.rfind(")")]
            body.append((c, cmt))
            depth = d
            i += 1
        lineno = start + 1
        for first_code, comments in elements(body):
            words = first_code.strip().split()
            if not words or words[0].upper() in CONSTRAINT:
                continue
            column = words[0].strip('"')
            ctype = words[1].rstrip(",") if len(words) > 1 else ""
            it = None
            for cmt in comments:
                it = it or parse_item(cmt, "%s:%d" % (base, lineno), table, column, ctype)
            if it:
                items.append(it)
            else:
                missing.append((table, "%s: %s.%s" % (base, table, column)))


def read_all(paths):
    tables, items, flows, missing = list(BUILTIN_TABLES), list(BUILTIN_ITEMS), [], []
    for path in sorted(paths, key=os.path.basename):
        parse_file(path, tables, items, flows, missing)
    # A fixed list outlives the erasure: nothing personal or sealed may be in it.
    fixed = {t[0] for t in tables if t[4]}
    for t, col, name, cls, sealed, ctype in items:
        if t in fixed and (cls != "STORE_ITEM_PLAIN" or sealed):
            raise Bad("表 %s は固定（消去で残す一覧）なので、列 %s を個人・要配慮・暗号化にできません / "
                      "table %s is a fixed list (kept by an erasure): column %s cannot be "
                      "personal, special-care or sealed" % (t, col, t, col))
    return tables, items, flows, [m for t, m in missing]


def c(s):
    return json.dumps(s, ensure_ascii=True)


def write(out, paths):
    """Writes the C file of the annotations of paths to out; exits on a malformed one."""
    try:
        tables, items, flows, missing = read_all(paths)
    except Bad as e:
        sys.exit(str(e))
    with open(out, "w", encoding="utf-8") as f:
        f.write('/* Generated by scripts/embed_items.py from the migrations in sql/; do not edit. */\n'
                '#include "store/items.h"\n')
        f.write("const struct store_item_table store_item_tables[] = {\n")
        for t in tables:
            f.write("\t{%s, %s, %s, %s, %d},\n" % (tuple(c(x) for x in t[:4]) + (t[4],)))
        f.write("};\nconst size_t store_item_tables_count = %d;\n" % len(tables))
        f.write("const struct store_item store_items[] = {\n")
        for t, col, name, cls, sealed, ctype in items:
            f.write("\t{%s, %s, %s, %s, %d},\n" % (c(t), c(col), c(name), cls, sealed))
        f.write("};\nconst size_t store_items_count = %d;\n" % len(items))
        f.write("const struct store_item_flow store_item_flows[] = {\n")
        for fl in flows:
            f.write("\t{%s, %s, %s, %s, %s},\n" % tuple(c(x) for x in fl))
        f.write("\t{0},\n};\nconst size_t store_item_flows_count = %d;\n" % len(flows))


def main():
    if sys.argv[1] != "--check":
        write(sys.argv[1], sys.argv[2:])
        return
    try:
        tables, items, flows, missing = read_all(sys.argv[2:])
    except Bad as e:
        sys.exit(str(e))
    for m in missing:
        print("%s: 注記がありません（書式: 列は %s、表は %s）" % (m, ITEM_SYNTAX, TABLE_SYNTAX))
    sys.exit(1 if missing else 0)


if __name__ == "__main__":
    main()
