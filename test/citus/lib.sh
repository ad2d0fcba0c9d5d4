# Helpers of the Citus test driver (sourced by test/citus/run.sh), for the
# cluster scripts/citus-test.sh started: PGHOST (its socket directory),
# CITUS_COORD_PORT and CITUS_WORKER_PORTS.

CITUS_AS_OF=${CITUS_AS_OF:-2025-12-31}
CITUS_CUSTOMERS=${CITUS_CUSTOMERS:-2000}
TESTDIR=$SRCDIR/test/citus

# psql on a node (port) and database, stopping at the first error
on() { local port=$1 db=$2; shift 2; psql -X -q -v ON_ERROR_STOP=1 -p "$port" -d "$db" "$@"; }
coord() { local db=$1; shift; on "$CITUS_COORD_PORT" "$db" "$@"; }

# create_citus_db DB: the database on every node with the citus extension,
# the workers added to the coordinator's metadata, then customer_class
# (CREATE EXTENSION propagates it to the workers).
create_citus_db() {
	local db=$1 port
	for port in $CITUS_COORD_PORT $CITUS_WORKER_PORTS; do
		on "$port" postgres -c "CREATE DATABASE $db"
		on "$port" "$db" -c "SET client_min_messages = warning; CREATE EXTENSION citus"
	done
	coord "$db" -c "SELECT pg_catalog.citus_set_coordinator_host('127.0.0.1', $CITUS_COORD_PORT)" >/dev/null
	for port in $CITUS_WORKER_PORTS; do
		coord "$db" -c "SELECT pg_catalog.citus_add_node('127.0.0.1', $port)" >/dev/null
	done
	coord "$db" -c "CREATE EXTENSION customer_class"
}

# create_single_db DB: a plain PostgreSQL database (Citus is preloaded on
# the server but not created in it, so it plans nothing there).
create_single_db() {
	coord postgres -c "CREATE DATABASE $1"
	coord "$1" -c "CREATE EXTENSION customer_class"
}

# load_demo DB: the sample data (test/data/generate.sql) in the managed tables
load_demo() {
	PGOPTIONS="-c customer_class.as_of=$CITUS_AS_OF" coord "$1" -v customers="$CITUS_CUSTOMERS" \
		-v as_of="$CITUS_AS_OF" -v fast=1 -f "$SRCDIR/test/data/generate.sql" >/dev/null
}
