#!/usr/bin/env bash
# demo.sh: build and install the extension, start a throwaway cluster, load
# the sample ERP data (test/data/generate.sql, 2,000 customers as of
# 2025-12-31) and run the demo scripts test/demo/*.sql in order, each
# showing what one capability makes of the data.  The cluster and its files
# are removed afterwards, whatever happens.
source "$(dirname "$0")/common.sh"
cd "$SRCDIR"

exec 9>"${TMPDIR:-/tmp}/customer_class.test.lock"
flock 9
say "building"
make -s PG_CONFIG="$PG_CONFIG" >/dev/null
say "installing"
make -s install PG_CONFIG="$PG_CONFIG" >/dev/null || die "make install failed (run as root)"
exec scripts/with-cluster.sh scripts/demo-run.sh
