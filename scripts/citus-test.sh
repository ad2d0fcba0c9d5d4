#!/usr/bin/env bash
# citus-test.sh [COMMAND...]: `make citus-test` (docs/citus.md).  Not part of
# `make test`: Citus is not in Debian's archive, so it runs only where Citus
# (13.2, built for this PostgreSQL) is installed, and refuses otherwise.
#
# Builds and installs the extension (under the test lock, held for the whole
# run: the installed extension is shared), starts a Citus coordinator and two
# workers as the cluster owner in a temporary directory -- TCP on 127.0.0.1
# only, unix sockets in that directory -- and runs COMMAND (default: the
# driver test/citus/run.sh) with PGHOST, PGUSER and CITUS_COORD_PORT,
# CITUS_WORKER_PORTS set.  Every server is stopped and every file removed
# afterwards, also when a step fails.
source "$(dirname "$0")/common.sh"
cd "$SRCDIR"

libdir=$("$PG_CONFIG" --pkglibdir)
sharedir=$("$PG_CONFIG" --sharedir)
if [ ! -f "$libdir/citus.so" ] || [ ! -f "$sharedir/extension/citus.control" ]; then
	cat >&2 <<EOF
citus-test: Citus is not installed for this PostgreSQL ($("$PG_CONFIG" --version)):
  $libdir/citus.so and $sharedir/extension/citus.control are needed.
Build and install Citus 13.2 from its source first (docs/citus.md, "Testing");
\`make test\` does not need it.
EOF
	exit 2
fi

# (CITUS_TEST_LOCKED: the caller, scripts/memcheck.sh, holds it already)
if [ -z "${CITUS_TEST_LOCKED:-}" ]; then
	exec 9>"${TMPDIR:-/tmp}/customer_class.test.lock"
	say "waiting for the test lock"
	flock 9
fi
say "building and installing customer_class"
make -s WERROR=1 PG_CONFIG="$PG_CONFIG" >/dev/null
make -s install PG_CONFIG="$PG_CONFIG" >/dev/null || die "make install failed (run as root)"

CITUS_DIR=$(mktemp -d "${TMPDIR:-/tmp}/customer_class_citus.XXXXXX")
chmod 755 "$CITUS_DIR"
[ "$(id -u)" = 0 ] && chown postgres: "$CITUS_DIR"
NODES=(coordinator worker1 worker2)

cleanup() {
	local rc=$? n
	for n in "${NODES[@]}"; do
		if [ -f "$CITUS_DIR/$n/postmaster.pid" ]; then
			as_pg pg_ctl -D "$CITUS_DIR/$n" -m immediate -w stop >/dev/null 2>&1 || true
		fi
	done
	if [ $rc -ne 0 ] && [ -z "${CITUS_KEEP_LOGS:-}" ]; then
		for n in "${NODES[@]}"; do
			# the last errors only: a worker logs whole shard queries
			[ -f "$CITUS_DIR/$n.log" ] && { echo "--- $n.log (last errors)" >&2
				grep -E 'ERROR|FATAL|PANIC' "$CITUS_DIR/$n.log" | tail -n 5 | cut -c 1-300 >&2; }
		done
	fi
	rm -rf "$CITUS_DIR"
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# three free TCP ports on 127.0.0.1, from a random base
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
ports=()
p=$((20000 + RANDOM % 20000))
while [ ${#ports[@]} -lt ${#NODES[@]} ]; do
	port_free "$p" && ports+=("$p")
	p=$((p + 1))
done

i=0
for n in "${NODES[@]}"; do
	as_pg initdb -D "$CITUS_DIR/$n" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
		--no-sync >"$CITUS_DIR/initdb.log" 2>&1 || { cat "$CITUS_DIR/initdb.log" >&2; exit 1; }
	cat >>"$CITUS_DIR/$n/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = ${ports[$i]}
unix_socket_directories = '$CITUS_DIR'
shared_preload_libraries = 'citus,customer_class'
max_connections = 60
shared_buffers = 64MB
fsync = off
synchronous_commit = off
full_page_writes = off
max_worker_processes = 16
max_parallel_workers_per_gather = 0
max_prepared_transactions = 30
lc_messages = 'C'
timezone = 'UTC'
datestyle = 'iso, mdy'
citus.shard_count = 8
CONF
	# CITUS_COORD_BINDIR: the coordinator's pg_ctl from there (scripts/memcheck.sh
	# puts a postgres under valgrind next to it)
	pg_ctl=pg_ctl
	[ "$n" = coordinator ] && [ -n "${CITUS_COORD_BINDIR:-}" ] && pg_ctl=$CITUS_COORD_BINDIR/pg_ctl
	as_pg "$pg_ctl" -D "$CITUS_DIR/$n" -l "$CITUS_DIR/$n.log" -w -t "${PG_START_TIMEOUT:-60}" start >/dev/null \
		|| { cat "$CITUS_DIR/$n.log" >&2; exit 1; }
	i=$((i + 1))
done

export PGHOST="$CITUS_DIR" PGUSER=postgres PGDATABASE=postgres
export CITUS_COORD_PORT=${ports[0]} CITUS_WORKER_PORTS="${ports[1]} ${ports[2]}"
say "Citus coordinator on 127.0.0.1:${ports[0]}, workers on ${ports[1]} and ${ports[2]}"
if [ $# -eq 0 ]; then
	set -- "$SRCDIR/test/citus/run.sh"
fi
"$@"
