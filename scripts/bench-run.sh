#!/usr/bin/env bash
# bench-run.sh: the part of bench.sh that runs inside the cluster.
source "$(dirname "$0")/common.sh"
cd "$SRCDIR"

runs=${BENCH_RUNS:-3}
psql_q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }

if [ -z "${BENCH_REUSE:-}" ]; then
	psql_q -c "CREATE EXTENSION customer_class" -c "CREATE EXTENSION intarray"
	say "loading sample data: $BENCH_CUSTOMERS customers"
	start=$(date +%s)
	psql_q -v customers="$BENCH_CUSTOMERS" -v fast=1 -f test/data/generate.sql >/dev/null
else
	start=$(date +%s)
	say "reusing the loaded cluster at $PGHOST"
fi
psql -X -At -F ' ' -c "SELECT 'loaded in $(( $(date +%s) - start )) s:',
	(SELECT count(*) FROM customer_class.customer) || ' customers,',
	(SELECT count(*) FROM customer_class.invoice) || ' invoices,',
	(SELECT count(*) FROM customer_class.payment) || ' payments,',
	(SELECT count(*) FROM customer_class.sales_order) || ' orders'" >&2
[ -n "${BENCH_REUSE:-}" ] || psql_q -c "VACUUM (ANALYZE, FREEZE)" -c CHECKPOINT

# section FILE NAME: the lines after "-- @NAME" up to the next "-- @" line
section() { awk -v want="-- @$2" '/^-- @runs / { next } /^-- @/ { on = ($0 == want); next } on' "$1"; }

# time_ms SQL: run it once in a new session, print the summed statement times
time_ms() {
	{ echo '\timing on'; echo '\o /dev/null'; cat; } |
		psql -X -q -v ON_ERROR_STOP=1 -f - |
		awk '/^Time: / { t += $2 } END { printf "%.1f\n", t }'
}

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

echo "ratio = baseline / ours (above 1: ours is faster); median of $runs runs"
for c in $BENCH_CASES; do
	f=test/bench/cases/$c.sql
	section "$f" setup | psql_q -f - >/dev/null
	# a case may ask for fewer runs ("-- @runs 1") when one run takes minutes
	n=$(sed -n 's/^-- @runs \([0-9]*\)$/\1/p' "$f")
	n=${n:-$runs}
	ours=() base=()
	for ((i = 0; i < n; i++)); do
		ours+=("$(section "$f" ours | time_ms)")
		base+=("$(section "$f" baseline | time_ms)")
	done
	o=$(printf '%s\n' "${ours[@]}" | median)
	[ "$n" = "$runs" ] || echo "($c: $n runs)"
	b=$(printf '%s\n' "${base[@]}" | median)
	awk -v c="$c" -v o="$o" -v b="$b" \
		'BEGIN { printf "%s: ours %.1f ms, baseline %.1f ms, ratio %.2f\n", c, o, b, (o > 0 ? b / o : 0) }'
	section "$f" teardown | psql -X -q -At -v ON_ERROR_STOP=1 -f - | sed "s/^/  $c: /"
done
