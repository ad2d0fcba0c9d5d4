#!/usr/bin/env bash
# demo-run.sh: the part of demo.sh that runs inside the cluster.
source "$(dirname "$0")/common.sh"
cd "$SRCDIR"

export DEMO_AS_OF=${DEMO_AS_OF:-2025-12-31}
export PGOPTIONS="-c customer_class.as_of=$DEMO_AS_OF"
psql -X -q -v ON_ERROR_STOP=1 -c "CREATE EXTENSION customer_class"
say "loading the sample ERP data (2,000 customers, as of $DEMO_AS_OF)"
psql -X -q -v ON_ERROR_STOP=1 -v customers=2000 -v as_of="$DEMO_AS_OF" -f test/data/generate.sql >/dev/null
for f in test/demo/*.sql; do
	echo
	psql -X -q -v ON_ERROR_STOP=1 -P pager=off -f "$f"
done
