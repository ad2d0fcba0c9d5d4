#!/usr/bin/env bash
# loadtest.sh: build and install, start a throwaway cluster tuned for
# benchmarks and run the credit-control load test (test/load/credit_load.sh;
# CLIENTS, DURATION, CUSTOMERS and RUNS pass through).  Not part of `make test`.
source "$(dirname "$0")/common.sh"
cd "$SRCDIR"

exec 9>"${TMPDIR:-/tmp}/customer_class.test.lock"
flock 9
make -s PG_CONFIG="$PG_CONFIG" >/dev/null
make -s install PG_CONFIG="$PG_CONFIG" >/dev/null || die "make install failed (run as root)"
exec scripts/with-cluster.sh --profile bench test/load/credit_load.sh
