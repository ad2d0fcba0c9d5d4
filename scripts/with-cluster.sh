#!/usr/bin/env bash
# with-cluster.sh [--profile test|bench] COMMAND...
# Start a throwaway PostgreSQL cluster (initdb in a temporary directory, unix
# socket there only, run as the unprivileged postgres user when we are root),
# run COMMAND with PGHOST/PGPORT/PGUSER/PGDATABASE pointing at it, then stop it
# and delete every file -- also when COMMAND or a set-up step fails.
source "$(dirname "$0")/common.sh"

profile=test
if [ "${1:-}" = --profile ]; then profile=$2; shift 2; fi

CLUSTER_DIR=$(mktemp -d "${TMPDIR:-/tmp}/customer_class.XXXXXX")
chmod 755 "$CLUSTER_DIR"
[ "$(id -u)" = 0 ] && chown postgres: "$CLUSTER_DIR"
export CLUSTER_DIR

cleanup() {
	local rc=$?
	if [ -f "$CLUSTER_DIR/data/postmaster.pid" ]; then
		as_pg pg_ctl -D "$CLUSTER_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
	fi
	rm -rf "$CLUSTER_DIR"
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

as_pg initdb -D "$CLUSTER_DIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
	--no-sync >"$CLUSTER_DIR/initdb.log" 2>&1 || { cat "$CLUSTER_DIR/initdb.log" >&2; exit 1; }

conf="$CLUSTER_DIR/data/postgresql.conf"
cat >>"$conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$CLUSTER_DIR'
port = 5432
fsync = off
synchronous_commit = off
full_page_writes = off
max_worker_processes = 8
max_parallel_workers = 4
max_parallel_workers_per_gather = 2
max_prepared_transactions = 10
lc_messages = 'C'
timezone = 'UTC'
datestyle = 'iso, mdy'
CONF
if [ "$profile" = bench ]; then
	cat >>"$conf" <<CONF
shared_buffers = 4GB
work_mem = 256MB
maintenance_work_mem = 2GB
max_wal_size = 20GB
checkpoint_timeout = 30min
wal_level = minimal
max_wal_senders = 0
jit = off
CONF
else
	echo "shared_buffers = 256MB" >>"$conf"
fi

as_pg pg_ctl -D "$CLUSTER_DIR/data" -l "$CLUSTER_DIR/server.log" -w -t "${PG_START_TIMEOUT:-60}" start >/dev/null \
	|| { cat "$CLUSTER_DIR/server.log" >&2; exit 1; }

export PGHOST="$CLUSTER_DIR" PGPORT=5432 PGUSER=postgres PGDATABASE=postgres
"$@"
