# SPDX-License-Identifier: MIT
"""engines.py — the two databases the end-to-end tests run on, as the tests see them.

Every test module runs twice in `make test` (tests/run_all.sh): on SQLite (a file in each data
directory, the default) and on PostgreSQL. For the second run MIMAMORI_TEST_PG holds the URL of a
throwaway server (tests/pg_server.sh: `postgresql://mimamori@127.0.0.1:PORT`) and
MIMAMORI_TEST_PG_DIR its directory; every data directory a test makes (`mimamori init` or `demo`
through harness.cli) then gets a database of its own on that server, named after the directory,
and `--store` pointing at it. Tests reach the database through `connect()` (sqlite3's small
interface: execute with `?` parameters, fetchone/fetchall, commit, `with`), never through
sqlite3 or psycopg2 directly, so each assertion holds for both engines."""
import contextlib
import glob
import hashlib
import os
import re
import shutil
import sqlite3

PG = os.environ.get("MIMAMORI_TEST_PG") or None
PG_DIR = os.environ.get("MIMAMORI_TEST_PG_DIR") or None
ENGINE = "postgresql" if PG else "sqlite"

if PG:
    import psycopg2  # Debian's python3-psycopg2 (scripts/install-deps.sh)
    import psycopg2.extensions

    DB_ERRORS = (sqlite3.DatabaseError, psycopg2.Error)
else:
    DB_ERRORS = (sqlite3.DatabaseError,)

# The key of the advisory lock every write transaction takes (src/store/pg.c, WRITE_LOCK).
PG_WRITE_LOCK = 7883681224226140777

_databases = {}  # absolute data directory -> its database's name (PostgreSQL)


def sqlite_only(what):
    """skipIf's arguments for a test of what exists only in SQLite (a file it corrupts, its
    WAL): `@unittest.skipIf(*engines.sqlite_only("why"))`."""
    return (PG is not None, "SQLite only: " + what)


def db_name(path):
    """The database of data directory path: readable, unique, at most 63 bytes."""
    path = os.path.abspath(path)
    tail = re.sub(r"[^a-z0-9]+", "_", path.lower())[-40:].strip("_")
    return "m_%s_%s" % (tail, hashlib.sha1(path.encode()).hexdigest()[:10])


def _admin(dbname="postgres"):
    con = psycopg2.connect(PG + "/" + dbname)
    con.autocommit = True
    return con


def _superuser(dbname):
    """A connection as the test cluster's superuser (checkpoints, amcheck)."""
    con = psycopg2.connect(PG.replace("//mimamori@", "//postgres@") + "/" + dbname)
    con.autocommit = True
    return con


def create_database(path, fresh=False):
    """Makes the (empty) database of data directory path unless it exists (fresh: a new one in
    place of one that exists); returns its URL."""
    name = db_name(path)
    if fresh:
        _databases[os.path.abspath(path)] = name
        drop_databases(path)
    con = _admin()
    try:
        with con.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            if not cur.fetchone():
                cur.execute('CREATE DATABASE "%s"' % name)
    finally:
        con.close()
    _databases[os.path.abspath(path)] = name
    return url_of(path)


def url_of(path):
    return PG + "/" + db_name(path)


def drop_databases(under):
    """Drops the databases of the data directories under the directory under (its servers
    stopped or not: their connections are ended)."""
    if not PG:
        return
    under = os.path.abspath(under) + os.sep
    names = [n for p, n in list(_databases.items()) if (p + os.sep).startswith(under)]
    if not names:
        return
    # As the superuser: WITH (FORCE) ends the autovacuum workers on it too.
    con = _superuser("postgres")
    try:
        with con.cursor() as cur:
            for n in names:
                cur.execute('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % n)
    finally:
        con.close()
    for p in [p for p, n in _databases.items() if n in names]:
        del _databases[p]


def store_args(args):
    """The arguments of a `mimamori` command line, with `--store URL` added (and the database
    made) when the command makes a data directory and the tests run on PostgreSQL."""
    args = [str(a) for a in args]
    if not PG or not args or args[0] not in ("init", "demo") or "--store" in args:
        return args
    for i, a in enumerate(args):
        if a == "--data" and i + 1 < len(args):
            return args + ["--store", create_database(args[i + 1])]
        if a.startswith("--data="):
            return args + ["--store", create_database(a[7:])]
    return args


class _Rows:
    def __init__(self, rows):
        self.rows = rows

    def fetchone(self):
        return self.rows[0] if self.rows else None

    def fetchall(self):
        return list(self.rows)

    def __iter__(self):
        return iter(self.rows)


def _plain(v):
    return bytes(v) if isinstance(v, memoryview) else v


class Db:
    """A connection to a data directory's database with the part of sqlite3's interface the
    tests use. `?` parameters on both; blobs come back as bytes, booleans as 0/1 compare
    equal either way. As a context manager it commits (or rolls back on an exception) and
    closes."""

    def __init__(self, data_path, readonly=False):
        self.pg = PG is not None
        if self.pg:
            self.con = psycopg2.connect(url_of(data_path))
            if readonly:
                self.con.set_session(readonly=True, autocommit=True)
        else:
            db = os.path.join(data_path, "mimamori.db")
            self.con = (sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=10)
                        if readonly else sqlite3.connect(db, timeout=10))

    def execute(self, sql, params=()):
        if not self.pg:
            return self.con.execute(sql, params)
        with self.con.cursor() as cur:
            cur.execute(sql.replace("%", "%%").replace("?", "%s"), tuple(params))
            rows = [tuple(_plain(v) for v in r) for r in cur.fetchall()] \
                if cur.description else []
        return _Rows(rows)

    def commit(self):
        self.con.commit()

    def rollback(self):
        self.con.rollback()

    def close(self):
        self.con.close()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is None:
                self.con.commit()
            else:
                self.con.rollback()
        finally:
            self.con.close()
        return False


def connect(data_path, readonly=False):
    return Db(data_path, readonly)


@contextlib.contextmanager
def write_lock_held(data_path):
    """Holds the database's write lock (what every write transaction of mimamori waits for)
    until the block ends."""
    if PG:
        con = psycopg2.connect(url_of(data_path))
        try:
            with con.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(%s)", (PG_WRITE_LOCK,))
            yield
        finally:
            con.rollback()
            con.close()
    else:
        con = sqlite3.connect(os.path.join(data_path, "mimamori.db"), timeout=10,
                              isolation_level=None)
        con.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            con.execute("ROLLBACK")
            con.close()


def drop_trigger(name, table):
    """The statement that removes trigger name of table (an intruder with the database's
    rights undoing the append-only rule)."""
    return "DROP TRIGGER %s ON %s" % (name, table) if PG else "DROP TRIGGER %s" % name


def clone(data_path, new_path):
    """Copies data directory data_path (its server stopped) to new_path, with a database of its
    own: on PostgreSQL a copy of the database, and new_path's [store] url pointing at it."""
    shutil.copytree(data_path, new_path)
    if not PG:
        return
    name = db_name(new_path)
    con = _admin()
    try:
        with con.cursor() as cur:
            cur.execute('CREATE DATABASE "%s" TEMPLATE "%s"' % (name, db_name(data_path)))
    finally:
        con.close()
    _databases[os.path.abspath(new_path)] = name
    conf = os.path.join(new_path, "mimamori.conf")
    with open(conf, encoding="utf-8") as f:
        text = f.read()
    text = re.sub(r"(?m)^url\s*=.*$", "url = " + url_of(new_path), text)
    with open(conf, "w", encoding="utf-8") as f:
        f.write(text)


def integrity_problems(data_path):
    """What the engine's own check finds wrong with the database (a list; empty when sound):
    SQLite's integrity_check; on PostgreSQL amcheck over every table and B-tree index."""
    if not PG:
        con = sqlite3.connect(os.path.join(data_path, "mimamori.db"), timeout=10)
        try:
            rows = con.execute("PRAGMA integrity_check").fetchall()
        finally:
            con.close()
        return [] if rows == [("ok",)] else [r[0] for r in rows]
    con = _superuser(db_name(data_path))
    out = []
    try:
        with con.cursor() as cur:
            cur.execute("CREATE EXTENSION IF NOT EXISTS amcheck")
            cur.execute("SELECT c.oid::regclass::text FROM pg_class c WHERE c.relkind = 'r' "
                        "AND c.relnamespace = 'public'::regnamespace")
            for (t,) in cur.fetchall():
                cur.execute("SELECT * FROM verify_heapam(%s)", (t,))
                out += ["%s: %r" % (t, r) for r in cur.fetchall()]
            cur.execute("SELECT c.oid::regclass::text FROM pg_class c JOIN pg_am a ON a.oid = "
                        "c.relam WHERE c.relkind = 'i' AND a.amname = 'btree' AND "
                        "c.relnamespace = 'public'::regnamespace")
            for (i,) in cur.fetchall():
                cur.execute("SELECT bt_index_check(%s, true)", (i,))
    except psycopg2.Error as e:
        out.append(str(e).strip())
    finally:
        con.close()
    return out


def store_files(data_path, since=None, wal=True):
    """The files that hold data directory data_path's database: SQLite's database, WAL and
    shared-memory files; on PostgreSQL (after a checkpoint, so the tables are on disk) the
    database's own directory, the cluster's shared catalogs and server log, and the WAL
    segments written since the time since (all when None; none when wal is False: they are
    the whole cluster's, shared by the tests running meanwhile)."""
    if not PG:
        return [p for p in glob.glob(os.path.join(data_path, "mimamori.db*"))]
    name = db_name(data_path)
    con = _superuser(name)
    try:
        with con.cursor() as cur:
            cur.execute("CHECKPOINT")
            cur.execute("SELECT oid FROM pg_database WHERE datname = %s", (name,))
            oid = cur.fetchone()[0]
    finally:
        con.close()
    data = os.path.join(PG_DIR, "data")
    files = []
    for sub in ("base/%d" % oid, "global"):
        for root, _dirs, names in os.walk(os.path.join(data, sub)):
            files += [os.path.join(root, n) for n in names]
    for p in glob.glob(os.path.join(data, "pg_wal", "0*")) if wal else []:
        if since is None or os.path.getmtime(p) >= since - 1:
            files.append(p)
    files += glob.glob(os.path.join(PG_DIR, "*.log"))
    return files


def read_bytes(path):
    """The bytes of a file that store_files or a data directory's walk named. PostgreSQL
    removes files of its own while it runs (pg_internal.init, a finished WAL segment): such a
    file, gone, holds nothing any more and reads as b"". On SQLite nothing may vanish."""
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        if not PG:
            raise
        return b""
