#!/usr/bin/env bash
# bench.sh [SIZE] [CASE...]: build and install, start a throwaway cluster
# tuned for benchmarks, load the sample data once at SIZE (demo = 2,000
# customers, bench = 1,000,000 customers / ~10M invoices / ~10M payments, or
# a number of customers), then run each named case of test/bench/cases
# (all when none is named) and print, per case,
#     case: ours X ms, baseline Y ms, ratio R
# where R = baseline / ours (above 1: our way is faster).  Each side runs
# BENCH_RUNS times (default 3), alternating, each time in a new session, and
# the median is reported.  A case of short queries ("-- @rounds N") is timed
# per query in one session instead, ours and the baseline interleaved
# statement by statement; a "-- @cold_of NAME" case times case NAME's
# queries as the first ones of new sessions (scripts/bench-run.sh).
source "$(dirname "$0")/common.sh"
cd "$SRCDIR"

size=${1:-demo}
[ $# -gt 0 ] && shift
case $size in
demo) customers=2000 ;;
bench) customers=1000000 ;;
[0-9]*) customers=$size ;;
*) die "unknown size '$size' (demo, bench or a number of customers)" ;;
esac
cases=("$@")
if [ ${#cases[@]} -eq 0 ]; then
	for f in test/bench/cases/*.sql; do cases+=("$(basename "$f" .sql)"); done
fi
for c in "${cases[@]}"; do
	[ -f "test/bench/cases/$c.sql" ] || die "no such case: test/bench/cases/$c.sql"
done

exec 9>"${TMPDIR:-/tmp}/customer_class.test.lock"
flock 9
make -s PG_CONFIG="$PG_CONFIG" >/dev/null
make -s install PG_CONFIG="$PG_CONFIG" >/dev/null || die "make install failed (run as root)"

export BENCH_CUSTOMERS=$customers BENCH_CASES="${cases[*]}"
# BENCH_REUSE=1 with PGHOST/PGPORT set: run against a cluster already loaded
# by an earlier run (faster while developing; the figures are the same kind)
if [ -n "${BENCH_REUSE:-}" ]; then
	exec scripts/bench-run.sh
fi
exec scripts/with-cluster.sh --profile bench scripts/bench-run.sh
