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

# The picture of the book: report_html() of the sample data, in English and
# Chinese, written by psql (this user) where any user may read it (the clone
# may lie in a directory only root can read).
report_dir=${DEMO_REPORT_DIR:-${TMPDIR:-/tmp}/customer_class_report}
mkdir -p "$report_dir"
for lang in en zh; do
	psql -X -q -At -v ON_ERROR_STOP=1 -c "SELECT customer_class.report_html(NULL, '$lang')" >"$report_dir/report_$lang.html"
done
chmod 755 "$report_dir"
chmod 644 "$report_dir"/report_*.html
echo
say "the HTML report of the sample data (open it in a browser): $report_dir/report_en.html"
say "in Chinese: $report_dir/report_zh.html"
