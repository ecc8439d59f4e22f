#!/usr/bin/env bash
# pg_pair.sh — a throwaway PostgreSQL 15 primary with a synchronous streaming replica, both on
# 127.0.0.1, for the failover test (tests/e2e/test_pg_failover.py).
#
#   tests/pg_pair.sh start             initdb + start the primary (synchronous_commit = on,
#                                      synchronous_standby_names = 'replica'), pg_basebackup -R
#                                      the replica through a replication slot, start it and wait
#                                      until pg_stat_replication says it streams as 'sync';
#                                      prints one line "DIR PRIMARY_PORT REPLICA_PORT"
#   tests/pg_pair.sh kill-primary DIR  kill -9 of the primary's postmaster and every process of
#                                      it at once (the machine lost: no shutdown checkpoint)
#   tests/pg_pair.sh promote DIR       promotes the replica (pg_ctl promote, waits until it
#                                      takes writes); it runs alone, without a synchronous
#                                      standby, until another replica is made from it
#   tests/pg_pair.sh rejoin DIR        after kill-primary and promote: the old primary made a
#                                      synchronous replica of the promoted one with pg_rewind
#                                      (deploy/postgresql/README.md); waits for 'sync'
#   tests/pg_pair.sh stop DIR          stops both and removes DIR
#
# The clusters run as the cluster user of tests/pg_server.sh (as root: `postgres`, or the system
# user `mimamori-test`), listen on 127.0.0.1 only, trust local connections (test clusters), and
# keep fsync and full_page_writes on. Tests connect as the role `mimamori` (LOGIN CREATEDB). The
# settings are those of deploy/postgresql/ (the same names and values), less the passwords.
set -euo pipefail
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$bin" ] || { echo "pg_pair.sh: PostgreSQL is not installed (postgresql-15)" >&2; exit 1; }

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

as_pg() { # runs a command as the clusters' user
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u "$pguser" -- "$@"
	else
		"$@"
	fi
}

free_port() { # a free port below the kernel's ephemeral range (see harness.free_port)
	/usr/bin/python3 -c '
import random, socket
lo = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
for _ in range(64):
    p = random.randint(20000 if lo > 21000 else 1024, lo - 1)
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p))
    except OSError:
        continue
    finally:
        s.close()
    print(p)
    break
else:
    s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])
'
}

sql() { # port sql: one value from the cluster on port, as its superuser
	as_pg "$bin/psql" -h "$dir" -p "$1" -U postgres -d postgres -qAt -v ON_ERROR_STOP=1 -c "$2"
}

checked_dir() {
	dir=${1:?usage: pg_pair.sh $2 DIR}
	case $dir in /tmp/mimamori-pgpair-*) ;; *) echo "pg_pair.sh: not a test pair: $dir" >&2; exit 2 ;; esac
}

case ${1:-} in
start)
	dir=$(mktemp -d /tmp/mimamori-pgpair-XXXXXX)
	chmod 0755 "$dir"
	[ "$(id -u)" -ne 0 ] || chown "$pguser" "$dir"
	p1=$(free_port)
	p2=$(free_port)
	while [ "$p2" = "$p1" ]; do p2=$(free_port); done
	# --data-checksums: pg_rewind can then bring an old primary back as a replica.
	as_pg "$bin/initdb" -D "$dir/primary" -U postgres -E UTF8 --no-locale --auth=trust \
		--data-checksums >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
	cat >>"$dir/primary/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $p1
unix_socket_directories = '$dir'
max_connections = 200
shared_buffers = 64MB
fsync = on
full_page_writes = on
logging_collector = off
log_min_messages = warning
# deploy/postgresql/primary.conf
wal_level = replica
max_wal_senders = 5
max_replication_slots = 5
wal_keep_size = 256MB
hot_standby = on
synchronous_commit = on
synchronous_standby_names = 'replica'
wal_log_hints = on
EOF
	cat >>"$dir/primary/pg_hba.conf" <<EOF
host replication postgres 127.0.0.1/32 trust
EOF
	as_pg "$bin/pg_ctl" -D "$dir/primary" -l "$dir/primary.log" -w -t 60 start >/dev/null ||
		{ cat "$dir/primary.log" >&2; exit 1; }
	sql "$p1" "SET synchronous_commit = local; CREATE ROLE mimamori LOGIN CREATEDB" >/dev/null
	# (Local: no standby acknowledges anything yet.)
	# The replica: a copy through a slot (the primary keeps the WAL it has not received), with
	# standby.signal and primary_conninfo written (-R).
	as_pg "$bin/pg_basebackup" -h 127.0.0.1 -p "$p1" -U postgres -D "$dir/replica" -R -X stream \
		-C -S replica >"$dir/basebackup.log" 2>&1 || { cat "$dir/basebackup.log" >&2; exit 1; }
	# postgresql.auto.conf (where -R wrote its primary_conninfo) is read last: the replica's
	# own lines go there.
	cat >>"$dir/replica/postgresql.auto.conf" <<EOF
# deploy/postgresql/replica.conf
port = $p2
primary_conninfo = 'host=127.0.0.1 port=$p1 user=postgres application_name=replica'
primary_slot_name = 'replica'
hot_standby = on
# Promoted, it runs alone until a new replica is made from it (then set this to that one's name).
synchronous_standby_names = ''
EOF
	as_pg "$bin/pg_ctl" -D "$dir/replica" -l "$dir/replica.log" -w -t 60 start >/dev/null ||
		{ cat "$dir/replica.log" >&2; exit 1; }
	state=
	for _ in $(seq 1 150); do
		state=$(sql "$p1" "SELECT sync_state FROM pg_stat_replication WHERE application_name = 'replica' AND state = 'streaming'" || true)
		[ "$state" = sync ] && break
		sleep 0.2
	done
	if [ "$state" != sync ]; then
		echo "pg_pair.sh: the replica is not streaming synchronously (sync_state '$state')" >&2
		cat "$dir/replica.log" >&2
		exit 1
	fi
	echo "$dir $p1 $p2"
	;;
kill-primary)
	checked_dir "${2:-}" kill-primary
	pm=$(head -1 "$dir/primary/postmaster.pid")
	# The postmaster and its children (backends, walsender, checkpointer…) in one kill.
	kids=$(ps -o pid= --ppid "$pm" | tr -d ' ' | tr '\n' ' ')
	# shellcheck disable=SC2086
	kill -9 "$pm" $kids
	for _ in $(seq 1 100); do
		kill -0 "$pm" 2>/dev/null || break
		sleep 0.1
	done
	;;
promote)
	checked_dir "${2:-}" promote
	as_pg "$bin/pg_ctl" -D "$dir/replica" -w -t 60 promote >/dev/null
	;;
rejoin)
	checked_dir "${2:-}" rejoin
	p1=$(sed -n 's/^port = //p' "$dir/primary/postgresql.conf" | tail -1)
	p2=$(sed -n 's/^port = //p' "$dir/replica/postgresql.auto.conf" | tail -1)
	# The promoted server's control file names its new timeline only after a checkpoint.
	sql "$p2" "CHECKPOINT" >/dev/null
	sql "$p2" "SELECT pg_create_physical_replication_slot('replica')" >/dev/null
	as_pg "$bin/pg_rewind" -D "$dir/primary" \
		--source-server="host=127.0.0.1 port=$p2 user=postgres dbname=postgres" -R \
		>"$dir/rewind.log" 2>&1 || { cat "$dir/rewind.log" >&2; exit 1; }
	# pg_rewind copied the promoted server's postgresql.auto.conf (its port among them).
	cat >>"$dir/primary/postgresql.auto.conf" <<EOF
port = $p1
primary_conninfo = 'host=127.0.0.1 port=$p2 user=postgres application_name=replica'
primary_slot_name = 'replica'
synchronous_standby_names = ''
EOF
	as_pg "$bin/pg_ctl" -D "$dir/primary" -l "$dir/primary.log" -w -t 60 start >/dev/null ||
		{ cat "$dir/primary.log" >&2; exit 1; }
	sql "$p2" "ALTER SYSTEM SET synchronous_standby_names = 'replica'" >/dev/null
	sql "$p2" "SELECT pg_reload_conf()" >/dev/null
	state=
	for _ in $(seq 1 150); do
		state=$(sql "$p2" "SELECT sync_state FROM pg_stat_replication WHERE application_name = 'replica' AND state = 'streaming'" || true)
		[ "$state" = sync ] && break
		sleep 0.2
	done
	if [ "$state" != sync ]; then
		echo "pg_pair.sh: the old primary does not stream as 'sync'" >&2
		cat "$dir/primary.log" >&2
		exit 1
	fi
	;;
stop)
	checked_dir "${2:-}" stop
	for c in replica primary; do
		if [ -f "$dir/$c/postmaster.pid" ]; then
			as_pg "$bin/pg_ctl" -D "$dir/$c" -m immediate -w -t 60 stop >/dev/null 2>&1 || true
		fi
	done
	rm -rf "$dir"
	;;
*)
	echo "usage: tests/pg_pair.sh start | kill-primary DIR | promote DIR | rejoin DIR | stop DIR" >&2
	exit 2
	;;
esac
