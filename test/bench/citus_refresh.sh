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
#   citus_refresh_initial      the first full refresh (no profile yet: every
#                              class is new, about five class_history rows
#                              per customer)
#   citus_refresh_again        a full refresh over the profiles it wrote
#   citus_refresh_incremental  after 1% of the customers (customer_id % 100
#                              = 7) got a new invoice and a payment of part
#                              of it, written into the sources, the
#                              incremental refresh of the customers queued
# printing per case, as scripts/bench.sh does,
#     case: ours X ms, baseline Y ms, ratio R
# where ours is the Citus cluster, the baseline the single node and
# R = baseline / ours (above 1: the cluster is faster).  The single node may
# use BENCH_PARALLEL parallel workers (default 2, the machine's cores).
# After the full refreshes and after the incremental one it prints the
# number of profiles (and, after the incremental one, class_history rows of
# the changed customers) differing between the two, and fails unless 0.
#
# The single node's managed tables queue the changed customers in dirty by
# their triggers.  The bound ERP tables of the Citus side are not watched:
# watch_source() does not work on Citus yet (called after distribute() its
# ON CONFLICT DO UPDATE on source_watch, a reference table then, sets now()
# and CURRENT_USER; called before, its triggers fail on the shards in
# exposure_lock_recompute(): "correlated subqueries are not supported when
# the FROM clause contains a set returning function"), so the customers are
# queued in dirty by an INSERT of their own, as test/citus/run.sh does.
#
# CITUS_BENCH_MANAGED=1 adds a second Citus database, the sample data in the
# managed tables and distribute('customer') over them (the shape "managed"
# of test/citus/run.sh), timed the same way (cases citus_managed_*): the
# writes go through the managed tables' own triggers, the credit checks
# included.
source "$(dirname "$0")/../../scripts/common.sh"
source "$SRCDIR/test/citus/lib.sh"
cd "$SRCDIR"

CITUS_CUSTOMERS=${1:-100000}
parallel=${BENCH_PARALLEL:-2}
managed=${CITUS_BENCH_MANAGED:-0}

# time_ms NODE-DB SQL...: the summed statement times of a new session
time_ms() {
	local db=$1; shift
	{ echo '\timing on'; echo '\o /dev/null'; printf '%s\n' "$@"; } |
		coord "$db" -f - | awk '/^Time: / { t += $2 } END { printf "%.1f\n", t }'
}
report() {	# report CASE OURS BASELINE
	awk -v c="$1" -v o="$2" -v b="$3" 'BEGIN { printf "%s: ours %.1f ms, baseline %.1f ms, ratio %.2f\n", c, o, b, b / o }'
}
# differing WHAT DB QUERY: how many rows of QUERY differ between single and DB
differing() {
	local d
	d=$(diff <(coord single -At -c "$3" | sort) <(coord "$2" -At -c "$3" | sort) | grep -c '^[<>]' || true)
	echo "$1 differing between the single node and $2: $d"
	[ "$d" = 0 ]
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
citus_dbs=cc

if [ "$managed" = 1 ]; then
	say "Citus: the same customers in the managed tables, distribute('customer')"
	start=$(date +%s)
	create_citus_db cm
	load_demo cm 2>/dev/null
	coord cm -c "ALTER DATABASE cm SET citus.enable_unsafe_triggers = on" >/dev/null
	coord cm -At -c "SET client_min_messages = warning" -c "SELECT count(*) FROM customer_class.distribute('customer')" >/dev/null
	coord cm -c "VACUUM (ANALYZE, FREEZE)" -c CHECKPOINT
	say "loaded in $(( $(date +%s) - start )) s"
	citus_dbs="cc cm"
fi
# the case's name on a Citus database
case_name() { [ "$1" = cm ] && echo "citus_managed_$2" || echo "citus_$2"; }

single_sql() { echo "SET max_parallel_workers_per_gather = $parallel;"; printf '%s\n' "$@"; }
citus_sql() {
	echo "SET citus.propagate_set_commands = 'local';"
	echo "BEGIN;"
	echo "SET LOCAL customer_class.as_of = '$CITUS_AS_OF';"
	printf '%s\n' "$@"
	echo "COMMIT;"
}
# the figures are worth nothing if the two did not compute the same
profile_q="SELECT customer_id, credit_score, credit_grade, lifecycle_stage, rfm_segment, open_balance,
		overdue_balance, payment_index, payment_warning FROM customer_class.profile"

q="SELECT customer_class.refresh('$CITUS_AS_OF', full_refresh => true);"
for c in initial again; do
	say "refresh_$c"
	b=$(time_ms single "$(single_sql "$q")")
	for db in $citus_dbs; do
		o=$(time_ms "$db" "$(citus_sql "$q")")
		report "$(case_name "$db" "refresh_$c")" "$o" "$b"
	done
done
rc=0
for db in $citus_dbs; do
	differing "profiles after the full refreshes" "$db" "$profile_q" || rc=1
done

# 1% of the customers: a new invoice, issued 5 days before the as-of date,
# and a payment of part of it 1 day before, into each side's sources (the
# single node's and cm's managed tables, cc's ERP tables)
slice="customer_id % 100 = 7"
writes() {	# writes SCHEMA
	# (the credit checks of the managed tables warn of customers of grade D)
	cat <<SQL
SET client_min_messages = error;
INSERT INTO $1.invoice (invoice_id, customer_id, order_id, issued_on, due_on, amount)
SELECT 1000000000000 + customer_id, customer_id, NULL, DATE '$CITUS_AS_OF' - 5, DATE '$CITUS_AS_OF' + 25,
	100 + customer_id % 900
FROM $1.customer WHERE $slice;
INSERT INTO $1.payment (payment_id, customer_id, invoice_id, paid_on, amount, kind)
SELECT 1000000000000 + customer_id, customer_id, 1000000000000 + customer_id, DATE '$CITUS_AS_OF' - 1,
	50 + customer_id % 450, 'payment'
FROM $1.customer WHERE $slice;
SQL
}
say "writes: a new invoice and a payment for 1% of the customers"
b=$(time_ms single "SET customer_class.as_of = '$CITUS_AS_OF';" "$(writes customer_class)")
for db in $citus_dbs; do
	if [ "$db" = cc ]; then	# queued by hand, in the same transaction (above)
		s="$(writes erp)
INSERT INTO customer_class.dirty (customer_id) SELECT customer_id FROM erp.customer WHERE $slice;"
	else
		s=$(writes customer_class)
	fi
	o=$(time_ms "$db" "$(citus_sql "$s")")
	report "$(case_name "$db" writes)" "$o" "$b"
done
dirty_q="SELECT DISTINCT customer_id FROM customer_class.dirty"
echo "customers queued on the single node: $(coord single -At -c "SELECT count(DISTINCT customer_id) FROM customer_class.dirty")"
for db in $citus_dbs; do
	differing "customers queued" "$db" "$dirty_q" || rc=1
done

h0=$(coord single -At -c "SELECT count(*) FROM customer_class.class_history")
q="SELECT customer_class.refresh('$CITUS_AS_OF', full_refresh => false);"
say "refresh_incremental"
b=$(time_ms single "$(single_sql "$q")")
for db in $citus_dbs; do
	o=$(time_ms "$db" "$(citus_sql "$q")")
	report "$(case_name "$db" refresh_incremental)" "$o" "$b"
done
echo "class_history rows the incremental refresh wrote on the single node: $(( $(coord single -At -c "SELECT count(*) FROM customer_class.class_history") - h0 ))"
history_q="SELECT customer_id, dimension, old_value, new_value, as_of, why FROM customer_class.class_history
	WHERE $slice"
echo "class_history rows of the changed customers on the single node: $(coord single -At -c "SELECT count(*) FROM customer_class.class_history WHERE $slice")"
for db in $citus_dbs; do
	differing "customers still queued" "$db" "$dirty_q" || rc=1
	differing "profiles after the incremental refresh" "$db" "$profile_q" || rc=1
	differing "class_history rows of the changed customers" "$db" "$history_q" || rc=1
done
exit $rc
