#!/usr/bin/env bash
# citus_refresh.sh [CUSTOMERS]: refresh() on a Citus cluster (coordinator +
# 2 workers) against a single node, the same data on the same machine
# (issue 19).  Not part of `make test` or `make bench`: it needs Citus, so it
# runs inside the cluster scripts/citus-test.sh starts:
#
#     scripts/citus-test.sh test/bench/citus_refresh.sh 100000
#
# Loads CUSTOMERS customers (default 100,000) of the sample data into a
# plain database on the coordinator's server (the single node) and into a
# Citus database, there the sources bound to ERP tables distributed by
# customer_id and the extension's tables distributed beside them
# (test/citus/shape_customer.sql, customer_class.distribute()), and
# times, once per side, in a new session each:
#   citus_refresh_initial  the first full refresh (no profile yet: every
#                          class is new, about five class_history rows per
#                          customer)
#   citus_refresh_again    a full refresh over the profiles it wrote
# printing per case, as scripts/bench.sh does,
#     case: ours X ms, baseline Y ms, ratio R
# where ours is the Citus cluster, the baseline the single node and
# R = baseline / ours (above 1: the cluster is faster).  The single node may
# use BENCH_PARALLEL parallel workers (default 2, the machine's cores).
source "$(dirname "$0")/../../scripts/common.sh"
source "$SRCDIR/test/citus/lib.sh"
cd "$SRCDIR"

CITUS_CUSTOMERS=${1:-100000}
parallel=${BENCH_PARALLEL:-2}

# time_ms NODE-DB SQL...: the summed statement times of a new session
time_ms() {
	local db=$1; shift
	{ echo '\timing on'; echo '\o /dev/null'; printf '%s\n' "$@"; } |
		coord "$db" -f - | awk '/^Time: / { t += $2 } END { printf "%.1f\n", t }'
}
report() {	# report CASE OURS BASELINE
	awk -v c="$1" -v o="$2" -v b="$3" 'BEGIN { printf "%s: ours %.1f ms, baseline %.1f ms, ratio %.2f\n", c, o, b, b / o }'
}

say "single node: $CITUS_CUSTOMERS customers"
start=$(date +%s)
create_single_db single
load_demo single
coord single -c "VACUUM (ANALYZE, FREEZE)" -c CHECKPOINT
say "loaded in $(( $(date +%s) - start )) s"

say "Citus: the same customers, sources and the extension's tables distributed"
start=$(date +%s)
create_citus_db cc
load_demo cc 2>/dev/null
coord cc -f test/citus/shape_customer.sql >/dev/null
coord cc -c "ALTER DATABASE cc SET citus.enable_unsafe_triggers = on" >/dev/null
coord cc -At -c "SET client_min_messages = warning" -c "SELECT count(*) FROM customer_class.distribute('customer')" >/dev/null
# (the managed tables keep their copy of the sample data, not read any more)
coord cc -c "VACUUM (ANALYZE, FREEZE)" -c CHECKPOINT
say "loaded in $(( $(date +%s) - start )) s"
coord cc -At -c "SELECT 'shards per table: ' || count(*) FROM pg_catalog.pg_dist_shard WHERE logicalrelid = 'erp.invoice'::regclass" >&2

single_sql() { echo "SET max_parallel_workers_per_gather = $parallel;"; printf '%s\n' "$@"; }
citus_sql() {
	echo "SET citus.propagate_set_commands = 'local';"
	echo "BEGIN;"
	echo "SET LOCAL customer_class.as_of = '$CITUS_AS_OF';"
	printf '%s\n' "$@"
	echo "COMMIT;"
}
q="SELECT customer_class.refresh('$CITUS_AS_OF', full_refresh => true);"
for c in initial again; do
	say "citus_refresh_$c"
	b=$(time_ms single "$(single_sql "$q")")
	o=$(time_ms cc "$(citus_sql "$q")")
	report "citus_refresh_$c" "$o" "$b"
done
# the figures are worth nothing if the two did not compute the same
d=$(diff <(coord single -At -c "SELECT customer_id, credit_grade, lifecycle_stage, rfm_segment, open_balance FROM customer_class.profile ORDER BY 1") \
	<(coord cc -At -c "SELECT customer_id, credit_grade, lifecycle_stage, rfm_segment, open_balance FROM customer_class.profile ORDER BY 1") | grep -c '^[<>]' || true)
echo "profiles differing between the two: $d"
[ "$d" = 0 ]
