#!/usr/bin/env bash
# run.sh: the Citus test driver, run by scripts/citus-test.sh inside its
# cluster (coordinator + 2 workers).  Loads the sample data into a plain
# database ("single", on the coordinator's server, without the citus
# extension) and into a Citus database ("cc"), distributes it there, and
# compares what the extension computes on both.  Prints one line per check
# and "N passed, N failed, N known failures"; exits non-zero when a check
# that is not a known failure fails.  Known failures are the parts of issue
# 19 not built yet (docs/citus.md, "What works"), each named with its cause.
source "$(dirname "$0")/../../scripts/common.sh"
source "$(dirname "$0")/lib.sh"
cd "$SRCDIR"

passed=0 failed=0 known=0
work=$(mktemp -d "${TMPDIR:-/tmp}/customer_class_citus_out.XXXXXX")
[ -n "${CITUS_KEEP_OUT:-}" ] && echo "comparison files kept in $work"
trap '[ -n "${CITUS_KEEP_OUT:-}" ] || rm -rf "$work"' EXIT

report() {	# report NAME ok|FAILED|known [why]
	case $2 in
	ok) passed=$((passed + 1)); echo "citus $1 ... ok" ;;
	known) known=$((known + 1)); echo "citus $1 ... known failure: $3" ;;
	*) failed=$((failed + 1)); echo "citus $1 ... FAILED${3:+: $3}" ;;
	esac
}

say "single node: sample data ($CITUS_CUSTOMERS customers as of $CITUS_AS_OF), refresh"
create_single_db single
load_demo single
coord single -At -c "SELECT customer_class.refresh('$CITUS_AS_OF')" >/dev/null

say "Citus: sample data, shape 'customer' (ERP tables distributed by customer_id, bound)"
create_citus_db cc
# (Citus warns that generate.sql's check function stays local: it is)
load_demo cc 2>/dev/null
coord cc -f test/citus/shape_customer.sql >/dev/null
#coord cc -f test/citus/citus_mode.sql >/dev/null
n=$(coord cc -At -c "SELECT count(*) FROM pg_catalog.pg_dist_partition WHERE logicalrelid::text LIKE 'erp.%'")
[ "$n" = 4 ] && report shape_customer_distributed ok || report shape_customer_distributed FAILED "$n of 4 tables distributed"

# ---- as_of on the workers -------------------------------------------------
# citus_q DB SQL: psql on the coordinator in a transaction with the date
# propagated to the workers (SET LOCAL + citus.propagate_set_commands)
citus_q() {
	coord "$1" -At -c "SET citus.propagate_set_commands = 'local'" -c "BEGIN" \
		-c "SET LOCAL customer_class.as_of = '$CITUS_AS_OF'" -c "$2" -c "COMMIT"
}
# The date the workers compute with, asked through a multi-shard query.
out=$(coord cc -At -c "SET customer_class.as_of = '$CITUS_AS_OF'" \
	-c "SELECT DISTINCT customer_class.as_of() FROM erp.invoice" 2>&1 || true)
case $out in
*"customer_class.as_of is not known on this Citus worker"*) report as_of_session_set_refused_on_workers ok ;;
*) report as_of_session_set_refused_on_workers FAILED "workers answered: $out" ;;
esac
out=$(citus_q cc "SELECT DISTINCT customer_class.as_of() FROM erp.invoice" 2>&1 || true)
[ "$out" = "$CITUS_AS_OF" ] && report as_of_set_local_propagated ok \
	|| report as_of_set_local_propagated FAILED "workers answered: $out"
out=$(coord cc -At -c "SET customer_class.as_of = '$CITUS_AS_OF'" \
	-c "SELECT DISTINCT (SELECT customer_class.as_of()) FROM erp.invoice" 2>&1 || true)
[ "$out" = "$CITUS_AS_OF" ] && report as_of_scalar_subquery_on_coordinator ok \
	|| report as_of_scalar_subquery_on_coordinator FAILED "answered: $out"
# a router query (one customer): the whole query goes to one worker
out=$(coord cc -At -c "SET customer_class.as_of = '$CITUS_AS_OF'" \
	-c "SELECT (SELECT customer_class.as_of()) FROM erp.invoice WHERE customer_id = 17 LIMIT 1" 2>&1 || true)
case $out in
*"customer_class.as_of is not known on this Citus worker"*) report as_of_router_query_refused ok ;;
*) report as_of_router_query_refused FAILED "worker answered: $out" ;;
esac
# The issue's case: aging_report with a session SET is refused, not as of today.
out=$(coord cc -At -c "SET customer_class.as_of = '$CITUS_AS_OF'" \
	-c "SELECT sum(overdue) FROM customer_class.aging_report" 2>&1 || true)
expected=$(coord single -At -c "SET customer_class.as_of = '$CITUS_AS_OF'" \
	-c "SELECT sum(overdue) FROM customer_class.aging_report")
case $out in
"$expected") report aging_report_session_set ok ;;
*"customer_class.as_of is not known on this Citus worker"*) report aging_report_session_set ok ;;
*) report aging_report_session_set FAILED "overdue $out against $expected on a single node" ;;
esac

# A write's checks run on the workers: with the session's date set but not
# propagated the write is refused on the coordinator (src/citus_write_date.c)
# instead of being checked there as of today.
write="UPDATE erp.invoice SET amount = amount WHERE customer_id = 17"
out=$(coord cc -At -c "SET customer_class.as_of = '$CITUS_AS_OF'" -c "BEGIN" -c "$write" -c "ROLLBACK" 2>&1 || true)
case $out in
*"customer_class.as_of is set in this session, but the Citus workers that check this write do not see it"*) report write_session_date_refused ok ;;
*) report write_session_date_refused FAILED "answered: $out" ;;
esac
out=$(coord cc -At -c "SET customer_class.as_of = '$CITUS_AS_OF'" \
	-c "WITH w AS ($write RETURNING 1) SELECT count(*) FROM w" 2>&1 || true)
case $out in
*"the Citus workers that check this write do not see it"*) report write_in_with_refused ok ;;
*) report write_in_with_refused FAILED "answered: $out" ;;
esac
out=$(citus_q cc "$write" 2>&1 || true)
[ "$out" = "UPDATE 0" ] || [ -z "$(echo "$out" | grep -i error)" ] && report write_set_local_propagated ok \
	|| report write_set_local_propagated FAILED "answered: $out"
out=$(coord cc -At -c "$write" 2>&1 || true)
[ -z "$(echo "$out" | grep -i error)" ] && report write_without_date ok \
	|| report write_without_date FAILED "answered: $out"

# ---- every view, with the date propagated: equal to the single node --------
# compare NAME QUERY [KNOWN-WHY]: the sorted rows of QUERY on both
compare() {
	local name=$1 query=$2 why=${3:-}
	coord single -At -c "SET customer_class.as_of = '$CITUS_AS_OF'" -c "$query" 2>&1 \
		| sort >"$work/$name.single" || true
	citus_q cc "$query" 2>&1 | sort >"$work/$name.citus" || true
	if cmp -s "$work/$name.single" "$work/$name.citus" && [ -s "$work/$name.single" ]; then
		if [ -n "$why" ]; then report "$name" FAILED "equal now: remove it from the known failures"; else report "$name" ok; fi
	else
		local detail
		detail=$(grep -m1 -h -o 'ERROR:.*' "$work/$name.citus" || true)
		[ -n "$detail" ] || detail="$( (diff "$work/$name.single" "$work/$name.citus" || true) | grep -c '^[<>]' || true) differing lines"
		if [ -n "$why" ]; then report "$name" known "$why; $detail"; else report "$name" FAILED "$detail"; fi
	fi
}
compare view_invoice_status "SELECT * FROM customer_class.invoice_status"
compare view_open_item "SELECT * FROM customer_class.open_item"
compare view_aging_report "SELECT * FROM customer_class.aging_report"
compare aging_report_overdue_total "SELECT sum(overdue), count(*) FROM customer_class.aging_report"
compare view_aging_report_one_customer "SELECT * FROM customer_class.aging_report WHERE customer_id = 17"
compare aging_agg_global "SELECT customer_class.aging_agg(open_amount, due_on, '$CITUS_AS_OF')::text FROM customer_class.open_item"
compare view_customer_payment_behavior "SELECT * FROM customer_class.customer_payment_behavior"
compare credit_facts "SELECT f::text FROM customer_class.credit_facts('$CITUS_AS_OF', 'default') f"
compare credit_facts_some "SELECT f::text FROM customer_class.credit_facts('$CITUS_AS_OF', 'default', ARRAY[3, 17, 1999]) f"
compare view_ar_kpi "SELECT * FROM customer_class.ar_kpi"
# what makes them work: without the planner hook (src/citus_inline.c) Citus
# meets the functions only once PostgreSQL has inlined them, and stops
out=$(citus_q cc "SET LOCAL customer_class.inline_before_citus = off; SELECT count(*) FROM customer_class.ar_kpi" 2>&1 || true)
case $out in
*"parameterized queries for SQL functions referencing distributed tables are not supported"*) report inline_before_citus_off_fails ok ;;
*) report inline_before_citus_off_fails FAILED "answered: $out" ;;
esac
compare view_aging_report_by_class "SELECT * FROM customer_class.aging_report_by_class" \
	"class_members() joins the local profile with the distributed customers (distribute() makes it distributed)"
compare view_due_reminders "SELECT * FROM customer_class.due_reminders" \
	"joins the coordinator's local dunning tables with the distributed sources (distribute() makes them distributed)"
# refresh() on the coordinator, with its figures compared through profile
citus_q cc "SELECT customer_class.refresh('$CITUS_AS_OF')" >"$work/refresh.out" 2>&1 || true
compare refresh "SELECT customer_id, as_of, credit_score, credit_grade, lifecycle_stage, lifecycle_phase,
		behaviour_segment, rfm_segment, open_balance, overdue_balance, payment_warning, rule_tags
	FROM customer_class.profile"
compare view_customer_profile "SELECT * FROM customer_class.customer_profile" \
	"the local profile joined with the distributed sources"

echo "$passed passed, $failed failed, $known known failures"
[ "$failed" -eq 0 ]
