#!/usr/bin/env bash
# pg_server.sh — a throwaway PostgreSQL 15 for the tests, in a temporary directory.
#
#   tests/pg_server.sh start    initdb + start; prints one line "DIR PORT" (the directory to give
#                               to stop, the port on 127.0.0.1)
#   tests/pg_server.sh restart DIR  stops the server (ending its connections) and starts it again
#   tests/pg_server.sh stop DIR stops the server and removes DIR
#
# The cluster runs as an unprivileged user: as root, the Debian package's `postgres` user (or a
# system user `mimamori-test`, made once, when there is none) through runuser; otherwise the
# caller. It listens on 127.0.0.1 only (a free port) and on a socket inside DIR, trusts local
# connections (a test cluster: nothing else can reach it), and keeps fsync, full_page_writes and
# synchronous_commit on, so a commit the tests see acknowledged is as durable as in production.
# Tests connect as the role `mimamori` (LOGIN CREATEDB, no superuser), the rights a deployment
# gives the program: each test data directory gets a database of its own (tests/e2e/harness.py).
set -euo pipefail
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$bin" ] || { echo "pg_server.sh: PostgreSQL is not installed (postgresql-15)" >&2; exit 1; }

as_pg() { # runs a command as the cluster's user
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u "$pguser" -- "$@"
	else
		"$@"
	fi
}

pguser=$(id -un)
if [ "$(id -u)" -eq 0 ]; then
	if id postgres >/dev/null 2>&1; then
		pguser=postgres
	else
		id mimamori-test >/dev/null 2>&1 ||
			useradd --system --no-create-home --shell /usr/sbin/nologin mimamori-test
		pguser=mimamori-test
	fi
fi

case ${1:-} in
start)
	dir=$(mktemp -d /tmp/mimamori-pg-XXXXXX)
	chmod 0755 "$dir"
	[ "$(id -u)" -ne 0 ] || chown "$pguser" "$dir"
	port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	as_pg "$bin/initdb" -D "$dir/data" -U postgres -E UTF8 --no-locale --auth=trust \
		>"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
	cat >>"$dir/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
max_connections = 600
shared_buffers = 128MB
fsync = on
synchronous_commit = on
full_page_writes = on
logging_collector = off
log_min_messages = warning
EOF
	as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null ||
		{ cat "$dir/server.log" >&2; exit 1; }
	as_pg "$bin/psql" -h "$dir" -p "$port" -U postgres -d postgres -qAt -v ON_ERROR_STOP=1 \
		-c "CREATE ROLE mimamori LOGIN CREATEDB" >/dev/null
	echo "$dir $port"
	;;
restart)
	dir=${2:?usage: pg_server.sh restart DIR}
	case $dir in /tmp/mimamori-pg-*) ;; *) echo "pg_server.sh: not a test cluster: $dir" >&2; exit 2 ;; esac
	as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -m fast -w -t 60 restart >/dev/null
	;;
stop)
	dir=${2:?usage: pg_server.sh stop DIR}
	case $dir in /tmp/mimamori-pg-*) ;; *) echo "pg_server.sh: not a test cluster: $dir" >&2; exit 2 ;; esac
	if [ -f "$dir/data/postmaster.pid" ]; then
		as_pg "$bin/pg_ctl" -D "$dir/data" -m immediate -w -t 60 stop >/dev/null 2>&1 || true
	fi
	rm -rf "$dir"
	;;
*)
	echo "usage: tests/pg_server.sh start | restart DIR | stop DIR" >&2
	exit 2
	;;
esac
