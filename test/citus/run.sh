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
# the extension's tables colocated with the bound ERP customer table
coord cc -c "ALTER DATABASE cc SET citus.enable_unsafe_triggers = on" >/dev/null
coord cc -At -F ' ' -c "SELECT relation, placement FROM customer_class.distribute('customer')" >"$work/distribute.cc.out" 2>&1 || true
out=$(coord cc -At -c "SELECT count(*) FROM pg_dist_partition p, pg_dist_partition e
	WHERE p.logicalrelid = 'customer_class.profile'::regclass AND e.logicalrelid = 'erp.customer'::regclass
		AND p.colocationid = e.colocationid" 2>&1)
[ "$out" = 1 ] && report bound.distribute_colocated_with_erp ok \
	|| report bound.distribute_colocated_with_erp FAILED "$out $(head -c 300 "$work/distribute.cc.out")"
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
# compare DB NAME QUERY [KNOWN-WHY]: the sorted rows of QUERY on the single
# node and on the Citus database DB; with SOFT=1 a known failure that
# passes is just passed
compare() {
	local db=$1 name=$2 query=$3 why=${4:-}
	coord single -At -c "SET customer_class.as_of = '$CITUS_AS_OF'" -c "$query" 2>&1 \
		| sort >"$work/$name.single" || true
	citus_q "$db" "$query" 2>&1 | sort >"$work/$name.citus" || true
	# (equal errors are no pass: a check that fails alike on both is a failure)
	if cmp -s "$work/$name.single" "$work/$name.citus" && { [ -s "$work/$name.single" ] || [ -n "${SOFT:-}" ]; } \
		&& ! grep -q 'ERROR:' "$work/$name.single"; then
		if [ -n "$why" ] && [ -z "${SOFT:-}" ]; then report "$name" FAILED "equal now: remove it from the known failures"; else report "$name" ok; fi
	else
		local detail
		detail=$(grep -m1 -h -o 'ERROR:.*' "$work/$name.citus" || true)
		[ -n "$detail" ] || detail="$( (diff "$work/$name.single" "$work/$name.citus" || true) | grep -c '^[<>]' || true) differing lines"
		if [ -n "$why" ]; then report "$name" known "$why; $detail"; else report "$name" FAILED "$detail"; fi
	fi
}
# known SHAPE NAME: why check NAME is a known failure in SHAPE (empty: none)
known() {
	case $1:$2 in
	esac
}
# compare_all DB SHAPE: every view and the refresh on DB, checks SHAPE.NAME
compare_all() {
	local db=$1 shape=$2 name query
	# refresh() first: the views over the classes read the profile it writes
	# (on the coordinator; its figures compared through profile)
	citus_q "$db" "SELECT customer_class.refresh('$CITUS_AS_OF')" >"$work/refresh.$db.out" 2>&1 || true
	compare "$db" "$shape.refresh" "SELECT customer_id, as_of, credit_score, credit_grade, lifecycle_stage, lifecycle_phase,
			behaviour_segment, rfm_segment, open_balance, overdue_balance, payment_warning, rule_tags
		FROM customer_class.profile" "$(known "$shape" refresh)"
	while IFS='|' read -r name query; do
		compare "$db" "$shape.$name" "$query" "$(known "$shape" "$name")"
	done <<SQL
view_invoice_status|SELECT * FROM customer_class.invoice_status
view_open_item|SELECT * FROM customer_class.open_item
view_aging_report|SELECT * FROM customer_class.aging_report
aging_report_overdue_total|SELECT sum(overdue), count(*) FROM customer_class.aging_report
view_aging_report_one_customer|SELECT * FROM customer_class.aging_report WHERE customer_id = 17
aging_agg_global|SELECT customer_class.aging_agg(open_amount, due_on, '$CITUS_AS_OF')::text FROM customer_class.open_item
view_customer_payment_behavior|SELECT * FROM customer_class.customer_payment_behavior
credit_facts|SELECT f::text FROM customer_class.credit_facts('$CITUS_AS_OF', 'default') f
credit_facts_some|SELECT f::text FROM customer_class.credit_facts('$CITUS_AS_OF', 'default', ARRAY[3, 17, 1999]) f
view_ar_kpi|SELECT * FROM customer_class.ar_kpi
view_aging_report_by_class|SELECT * FROM customer_class.aging_report_by_class
view_due_reminders|SELECT * FROM customer_class.due_reminders
SQL
	# what makes them work: without the planner hook (src/citus_inline.c)
	# Citus meets the functions only once PostgreSQL has inlined them, and stops
	out=$(citus_q "$db" "SET LOCAL customer_class.inline_before_citus = off; SELECT count(*) FROM customer_class.ar_kpi" 2>&1 || true)
	case $out in
	*"parameterized queries for SQL functions referencing distributed tables are not supported"*) report "$shape.inline_before_citus_off_fails" ok ;;
	*) report "$shape.inline_before_citus_off_fails" FAILED "answered: $out" ;;
	esac
	# (every column but refreshed_at, the time of each side's own refresh)
	compare "$db" "$shape.view_customer_profile" "SELECT $(coord single -At -c "SELECT string_agg(quote_ident(attname), ', '
			ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'customer_class.customer_profile'::regclass
			AND attnum > 0 AND attname <> 'refreshed_at'") FROM customer_class.customer_profile" \
		"$(known "$shape" view_customer_profile)"
	# every other view of the schema, from the catalog: equal, or a known
	# failure until the views are made to run on the distributed tables
	# (the list above is the strict one).  Left out: the src_* views and
	# source_<role> (compared through the views over them), and the views
	# of settings, identical by construction
	local v
	for v in $(coord single -At -c "SELECT viewname FROM pg_views WHERE schemaname = 'customer_class'
			AND viewname !~ '^(src_|source_)' AND viewname NOT IN ('invoice_status', 'open_item', 'aging_report',
				'customer_payment_behavior', 'ar_kpi', 'aging_report_by_class', 'due_reminders', 'customer_profile')
			ORDER BY 1"); do
		SOFT=1 compare "$db" "$shape.every_view.$v" "SELECT * FROM customer_class.$v" \
			"not equal on the distributed tables yet"
	done
}
compare_all cc bound

# Row access on the worker: the bound customer source's filter, read there
# for a router query (docs/citus.md, "Queries routed to a shard"), still
# restricts.  A role restricted to a tag nobody has sees no row of customer
# 17, one with every customer sees it; the same on the single node.
coord cc -c "CREATE ROLE cc_restricted LOGIN IN ROLE customer_class_reader" -c "CREATE ROLE cc_everyone LOGIN IN ROLE customer_class_reader" >/dev/null
for db in single cc; do
	coord "$db" -c "SELECT customer_class.grant_customer_access('cc_restricted', 'watch.nobody')" \
		-c "SELECT customer_class.grant_customer_access('cc_everyone', all_customers => true)" >/dev/null
	for r in cc_restricted cc_everyone; do
		PGUSER=$r psql -X -q -At -p "$CITUS_COORD_PORT" -d "$db" -c "SET citus.propagate_set_commands = 'local'" -c "BEGIN" \
			-c "SET LOCAL customer_class.as_of = '$CITUS_AS_OF'" \
			-c "SELECT '$r', count(*) FROM customer_class.aging_report WHERE customer_id = 17" \
			-c "SELECT '$r all', count(*) > 0 FROM customer_class.aging_report" -c "COMMIT" 2>&1
	done >"$work/access.$db" || true
done
if cmp -s "$work/access.single" "$work/access.cc" && grep -q '^cc_restricted|0$' "$work/access.cc" \
	&& grep -q '^cc_everyone|1$' "$work/access.cc"; then
	report bound.access_one_customer ok
else
	report bound.access_one_customer FAILED "$(tr '\n' ' ' <"$work/access.cc") against $(tr '\n' ' ' <"$work/access.single")"
fi

# watch_source() and bind_checkpoint() after distribute(), on the bound ERP
# tables: the same calls and writes through the coordinator on this
# database and on a single node with the same ERP tables, not distributed
# ("singleb"), give the same rows (docs/citus.md, "Triggers on the
# shards").  Each write queues its customers in dirty and rewrites their
# ledger rows from the sources on the shards (exposure_lock_recompute(),
# one statement per customer); the ledger stays equal to the sources
# (verify_exposure() empty); the bound checkpoint checks a new order on the
# shard and refuses one above the limit (KC001).  A second watch_source()
# or bind_checkpoint() of the same table takes the ON CONFLICT DO UPDATE
# path of a reference table by then.  Failed on Citus: the now() and
# CURRENT_USER in those ON CONFLICT DO UPDATE, and the ledger rewrite on a
# shard (a correlated sub-select beside unnest(); exposure_recomputed()
# planned in steps).
create_single_db singleb
load_demo singleb
sed '/create_distributed_table/d' test/citus/shape_customer.sql | coord singleb >/dev/null
for db in singleb cc; do
	coord "$db" -At -v ON_ERROR_STOP=0 -v VERBOSITY=sqlstate -f - >"$work/watch.$db" 2>&1 <<SQL || true
SET client_min_messages = warning;
SELECT 'ledger rows', count(*) > 0 FROM customer_class.recompute_exposure();
SELECT customer_class.watch_source('erp.sales_order', 'SELECT customer_id FROM changed');
SELECT customer_class.watch_source('erp.invoice', 'SELECT customer_id FROM changed');
SELECT customer_class.watch_source('erp.invoice', 'SELECT c.customer_id FROM changed c');
SELECT relation, customers, bound_by FROM customer_class.source_watch ORDER BY 1;
DELETE FROM customer_class.dirty;
INSERT INTO erp.sales_order (order_id, customer_id, ordered_on, amount, status)
VALUES (900001, 17, '$CITUS_AS_OF', 1234.50, 'open'), (900002, 3, '$CITUS_AS_OF', 99.00, 'open');
-- 40 customers in one statement (more than one per shard)
INSERT INTO erp.sales_order (order_id, customer_id, ordered_on, amount, status)
SELECT 901000 + g, g, '$CITUS_AS_OF', 10.00 * g, 'open' FROM generate_series(1, 40) g;
INSERT INTO erp.invoice (invoice_id, customer_id, order_id, issued_on, due_on, amount)
VALUES (900001, 17, 900001, '$CITUS_AS_OF', DATE '$CITUS_AS_OF' + 30, 1000.00);
UPDATE erp.sales_order SET status = 'shipped', shipped_on = ordered_on WHERE order_id = 900002 AND customer_id = 3;
DELETE FROM erp.invoice WHERE customer_id = 150 AND invoice_id = (SELECT min(invoice_id) FROM erp.invoice WHERE customer_id = 150);
SELECT 'dirty', count(DISTINCT customer_id), count(*) FROM customer_class.dirty;
SELECT 'dirty', customer_id, count(*) FROM customer_class.dirty WHERE customer_id IN (3, 17, 40, 150) GROUP BY 2 ORDER BY 2;
SELECT * FROM customer_class.credit_exposure WHERE customer_id IN (3, 17, 40, 150) ORDER BY 1;
SELECT 'verify', count(*) FROM customer_class.verify_exposure();
SELECT customer_class.bind_checkpoint('order', 'erp.sales_order', 'customer_id', \$\$status = 'open'\$\$);
SELECT customer_class.bind_checkpoint('order', 'erp.sales_order', 'customer_id', \$\$status = 'open'\$\$, amount => 'amount');
SELECT checkpoint, relation, customer, entered, amount, bound_by FROM customer_class.checkpoint_binding ORDER BY 1;
INSERT INTO erp.sales_order (order_id, customer_id, ordered_on, amount, status)
VALUES (900003, 17, '$CITUS_AS_OF', 999999999.00, 'open');
SELECT 'refused', :'LAST_ERROR_SQLSTATE', :'LAST_ERROR_MESSAGE';
SELECT 'order', count(*) FROM erp.sales_order WHERE order_id = 900003 AND customer_id = 17;
SELECT 'verify', count(*) FROM customer_class.verify_exposure();
SELECT customer_class.unbind_checkpoint('order');
SELECT customer_class.unwatch_source('erp.sales_order');
SELECT customer_class.unwatch_source('erp.invoice');
SELECT 'left', count(*) FROM customer_class.source_watch;
SQL
done
if cmp -s "$work/watch.singleb" "$work/watch.cc" && grep -q '^verify|0$' "$work/watch.cc" \
	&& grep -q '^dirty|41|' "$work/watch.cc" && grep -q '^refused|KC001|' "$work/watch.cc" \
	&& [ "$(grep -c 'ERROR' "$work/watch.cc")" = 1 ]; then
	report bound.watch_source_bind_checkpoint ok
else
	report bound.watch_source_bind_checkpoint FAILED "$(grep -m1 -h -o 'ERROR:.*' "$work/watch.cc" | cut -c 1-200) $( (diff "$work/watch.singleb" "$work/watch.cc" || true) | grep '^[<>]' | head -n 6 | tr '\n' ' ')"
fi
# the ledger rewrite of one customer, as exposure_lock_recompute() runs it:
# one task (a router query), not a plan in steps (Distributed Subplan)
coord cc -c "EXPLAIN (COSTS OFF) UPDATE customer_class.credit_exposure x
	SET open_orders = coalesce(r.open_orders, 0), shipped_not_invoiced = coalesce(r.shipped_not_invoiced, 0),
		invoice_balance = coalesce(r.invoice_balance, 0), unapplied_credits = coalesce(r.unapplied_credits, 0)
	FROM (SELECT 17::bigint AS customer_id) u
	LEFT JOIN customer_class.exposure_recomputed(ARRAY[17::bigint]) r ON r.customer_id = u.customer_id
	WHERE x.customer_id = 17" >"$work/watch.plan" 2>&1 || true
if grep -q 'Task Count: 1$' "$work/watch.plan" && ! grep -q 'Distributed Subplan' "$work/watch.plan"; then
	report bound.ledger_rewrite_router_query ok
else
	report bound.ledger_rewrite_router_query FAILED "$(grep -m3 'Task Count\|Subplan\|ERROR' "$work/watch.plan" | tr '\n' ' ')"
fi

# ---- shape managed: the managed tables, customer_class.distribute() --------
say "Citus: sample data in the managed tables, customer_class.distribute('customer')"
create_citus_db cm
load_demo cm 2>/dev/null
# the credit triggers run on the shards: Citus must allow them (docs/citus.md)
coord cm -c "ALTER DATABASE cm SET citus.enable_unsafe_triggers = on" >/dev/null
# credit groups: refused (their members would lie on different shards),
# nothing done (in a transaction that ends with the error)
# (customers 1 to 3: there whatever CITUS_CUSTOMERS is)
out=$(coord cm -At -c "BEGIN" -c "UPDATE customer_class.customer SET parent_id = 1 WHERE customer_id IN (2, 3)" \
	-c "SELECT count(*) FROM customer_class.distribute('customer')" 2>&1 || true)
case $out in
*"customer_class cannot be distributed by customer while there are credit groups"*"2 customers have a parent"*) report managed.distribute_groups_refused ok ;;
*) report managed.distribute_groups_refused FAILED "answered: $out" ;;
esac
coord cm -At -F ' ' -c "SELECT relation, placement FROM customer_class.distribute('customer')" \
	>"$work/distribute.out" 2>&1 || true
# what distribute() did, checked in Citus's metadata: every table the issue
# names distributed by customer_id and colocated with customer, the
# settings reference tables, refresh()'s bookkeeping local
out=$(coord cm -At -c "
	SELECT string_agg(t, ' ' ORDER BY t) FROM unnest(ARRAY['customer', 'sales_order', 'invoice', 'payment',
		'profile', 'credit_exposure', 'dirty', 'alerts', 'class_history', 'credit_hold', 'dunning_notice',
		'payment_promise', 'invoice_dispute', 'credit_override', 'credit_limit_override', 'external_score',
		'external_event', 'credit_check_exception', 'credit_limit_request']) t
	WHERE NOT EXISTS (SELECT FROM pg_dist_partition p
		WHERE p.logicalrelid = ('customer_class.' || t)::regclass AND p.partmethod = 'h'
			AND column_to_column_name(p.logicalrelid, p.partkey) = 'customer_id'
			AND p.colocationid = (SELECT colocationid FROM pg_dist_partition
								  WHERE logicalrelid = 'customer_class.customer'::regclass))" 2>&1)
[ -z "$out" ] && report managed.distributed_colocated ok \
	|| report managed.distributed_colocated FAILED "not distributed by customer_id with customer: $out $(head -c 300 "$work/distribute.out")"
out=$(coord cm -At -c "
	SELECT string_agg(c.relname, ' ' ORDER BY c.relname) FROM pg_class c
	WHERE c.relnamespace = 'customer_class'::regnamespace AND c.relkind = 'r'
		AND c.relname NOT IN ('rfm_boundary', 'rewind_log')
		AND NOT EXISTS (SELECT FROM pg_dist_partition p WHERE p.logicalrelid = c.oid)
	UNION ALL
	SELECT string_agg(t, ' ') FROM unnest(ARRAY['credit_setting', 'scorecard', 'risk_factor', 'tag_dimension',
		'tag_catalog', 'tag_rule', 'credit_limit_policy', 'customer_access', 'source_binding']) t
	WHERE NOT EXISTS (SELECT FROM pg_dist_partition p
		WHERE p.logicalrelid = ('customer_class.' || t)::regclass AND p.partmethod = 'n')
	UNION ALL
	SELECT string_agg(logicalrelid::text, ' ') FROM pg_dist_partition
	WHERE logicalrelid IN ('customer_class.rfm_boundary'::regclass, 'customer_class.rewind_log'::regclass)" 2>&1)
[ -z "$(echo "$out" | tr -d '\n')" ] && report managed.reference_and_local ok \
	|| report managed.reference_and_local FAILED "left out / not reference / not local: $out"
out=$(coord cm -At -c "SELECT customer_class.distributed(), customer_class.distributed_shape()" 2>&1)
[ "$out" = "t|customer" ] && report managed.distributed_recorded ok \
	|| report managed.distributed_recorded FAILED "distributed(), distributed_shape(): $out"
out=$(coord cm -At -c "SELECT customer_class.distribute('customer')" 2>&1 || true)
case $out in
*"customer_class is already distributed (shape customer)"*) report managed.distribute_twice_refused ok ;;
*) report managed.distribute_twice_refused FAILED "answered: $out" ;;
esac
# a new parent once distributed: refused with what to do (the group's
# members would lie on different shards)
out=$(coord cm -At -c "UPDATE customer_class.customer SET parent_id = 1 WHERE customer_id = 2" 2>&1 || true)
case $out in
*"credit groups cannot be changed once customer_class is distributed on Citus"*) report managed.group_change_refused ok ;;
*) report managed.group_change_refused FAILED "answered: $out" ;;
esac
compare_all cm managed

# ---- credit checks through the coordinator: the verdicts of the single node
say "credit checks at order, delivery and invoice: single node and Citus (shape managed)"
# The grades the checks read are the single node's last refresh (refresh()
# on Citus is compared above): the same profile in both, and the exposure
# ledger rebuilt from the sources on both
coord cm -c "DELETE FROM customer_class.profile" >/dev/null
coord single -c "\copy customer_class.profile TO STDOUT" | coord cm -c "\copy customer_class.profile FROM STDIN"
for db in single cm; do
	coord "$db" -At -c "SELECT customer_class.recompute_exposure()" >"$work/recompute.$db" 2>&1 || true
done
cmp -s "$work/recompute.single" "$work/recompute.cm" \
	&& report managed.recompute_exposure ok \
	|| report managed.recompute_exposure FAILED "$(head -c 300 "$work/recompute.cm")"
compare cm managed.ledger_before "SELECT * FROM customer_class.credit_exposure"
# a customer's explanations and credit report through the coordinator
compare cm managed.explain_score "SELECT c, customer_class.explain_score(c, '$CITUS_AS_OF')::text
	FROM unnest(ARRAY[3, 17, $CITUS_CUSTOMERS - 1]) c"
for c in 3 17 $((CITUS_CUSTOMERS - 1)); do
	compare cm "managed.credit_report_$c" "SELECT customer_class.credit_report($c, '$CITUS_AS_OF')::text"
done
since=$(coord single -At -c "SELECT now()")
for db in single cm; do
	psql -X -q -p "$CITUS_COORD_PORT" -d "$db" -f test/citus/credit_checks.sql >"$work/credit.$db" 2>&1 || true
	sed -i 's/^psql:[^ ]*: //' "$work/credit.$db"
done
if cmp -s "$work/credit.single" "$work/credit.cm" && grep -q 'order 5000 KC001' "$work/credit.single" \
	&& grep -q 'order 400 00000' "$work/credit.single"; then
	report managed.credit_checks ok
else
	report managed.credit_checks FAILED "$( (diff "$work/credit.single" "$work/credit.cm" || true) | head -n 6 | tr '\n' ' ')"
fi
# every checkpoint refused once and accepted once per customer
for step in 'order 5000 KC' 'order 400 00000' 'delivery over the limit KC' 'delivery 00000' \
		'invoice of the order 00000' 'invoice 50000 KC' 'payment 00000' 'tag 00000'; do
	n=$(grep -c " $step" "$work/credit.cm" || true)
	[ "$n" = 3 ] || report "managed.credit_step '$step'" FAILED "$n of 3 customers: $(grep -m3 -h 'ERROR' "$work/credit.cm" | tr '\n' ' ')"
done
# mode hold (test/citus/credit_holds.sql): held, held again (ON CONFLICT),
# KC010, release refused then done, reject; the same outputs but for the
# hold ids (each node's own) and the DETAIL and HINT Citus prints with a
# worker's WARNING (psql's terse verbosity hides them on the single node)
for db in single cm; do
	psql -X -q -p "$CITUS_COORD_PORT" -d "$db" -f test/citus/credit_holds.sql 2>&1 \
		| sed -E 's/^psql:[^ ]*: //; s/hold [0-9]+/hold N/g' | grep -v '^DETAIL:\|^HINT:' >"$work/holds.$db" || true
done
if cmp -s "$work/holds.single" "$work/holds.cm" && grep -q 'order 5000 held 00000' "$work/holds.single" \
	&& grep -q 'release refused KC001' "$work/holds.single" && grep -q 'release 00000' "$work/holds.single" \
	&& grep -q 'reject 00000' "$work/holds.single" && grep -q 'ship held order KC010' "$work/holds.single"; then
	report managed.credit_holds ok
else
	report managed.credit_holds FAILED "$( (diff "$work/holds.single" "$work/holds.cm" || true) | grep '^[<>]' | head -n 6 | tr '\n' ' ')"
fi
compare cm managed.ledger_after "SELECT * FROM customer_class.credit_exposure"
compare cm managed.verify_exposure "SELECT count(*) FROM customer_class.verify_exposure()"
# alerts and history written by the triggers on the workers' shards, read
# through the coordinator: those of the checks above (the single node's
# refresh raised others; ids are each node's own, not compared)
# (without the holds' ids: each node's own)
compare cm managed.alerts "SELECT customer_id, kind, level, detail - 'hold_id', resolved_at FROM customer_class.alerts
	WHERE last_seen_at >= '$since'"
compare cm managed.class_history_tags "SELECT customer_id, dimension, old_value, new_value, as_of, why
	FROM customer_class.class_history WHERE as_of = current_date"
# and nowhere else: the workers' own copies of the extension's tables (the
# shells Citus reads the shards through) stay empty
for port in $CITUS_WORKER_PORTS; do
	out=$(on "$port" cm -At -c "SELECT string_agg(c.relname, ' ') FROM pg_class c
		WHERE c.relnamespace = 'customer_class'::regnamespace AND c.relkind = 'r'
			AND c.oid IN (SELECT logicalrelid FROM pg_dist_partition WHERE partmethod = 'h')
			AND pg_relation_size(c.oid) > 0" 2>&1)
	[ -z "$out" ] && report "managed.worker_shells_empty_$port" ok \
		|| report "managed.worker_shells_empty_$port" FAILED "rows in the shells: $out"
done
out=$(coord cm -At -c "SELECT count(*) FROM (SELECT alert_id FROM customer_class.alerts GROUP BY 1 HAVING count(*) > 1) d")
[ "$out" = 0 ] && report managed.alert_ids_unique ok || report managed.alert_ids_unique FAILED "$out alert ids used twice"

# ---- the 'tenant' shape's company filter (src/citus_tenant.c) -------------------
# Three tables laid out by company_id by hand (test/citus/tenant_layout.sql).
# The SQL below joins them on customer_id only, as the extension's SQL does:
# with customer_class.company set, the planner hook filters every table of
# the shape by it, and Citus sends the whole query to one shard group; the
# answer must be the one the same query gives with the filters written out.
say "the 'tenant' shape's company filter (tables laid out by company_id by hand)"
create_citus_db tn
coord tn -f test/citus/tenant_layout.sql >/dev/null
tq="SELECT x.customer_id, x.open_orders, d.n FROM customer_class.credit_exposure x
	LEFT JOIN (SELECT customer_id, count(*) AS n FROM customer_class.dirty GROUP BY customer_id) d USING (customer_id)
	WHERE EXISTS (SELECT FROM customer_class.dirty q WHERE q.customer_id = x.customer_id) ORDER BY 1"
tq_written="SELECT x.customer_id, x.open_orders, d.n FROM customer_class.credit_exposure x
	LEFT JOIN (SELECT customer_id, count(*) AS n FROM customer_class.dirty WHERE company_id = 2 GROUP BY customer_id) d
		USING (customer_id)
	WHERE x.company_id = 2
		AND EXISTS (SELECT FROM customer_class.dirty q WHERE q.company_id = 2 AND q.customer_id = x.customer_id) ORDER BY 1"
got=$(coord tn -At -c "SET customer_class.company = 2" -c "$tq" 2>&1 || true)
want=$(coord tn -At -c "$tq_written" 2>&1 || true)
[ "$got" = "$want" ] && [ "$(echo "$want" | wc -l)" = 20 ] && report tenant.filter_join_equal ok \
	|| report tenant.filter_join_equal FAILED "$(echo "$got" | head -3) against $(echo "$want" | head -3)"
out=$(coord tn -At -c "SET customer_class.company = 2" -c "EXPLAIN (COSTS OFF) $tq" 2>&1 || true)
case $out in
*"Task Count: 1"*) report tenant.filter_one_shard_group ok ;;
*) report tenant.filter_one_shard_group FAILED "$(echo "$out" | head -4)" ;;
esac
# without a company nothing is added: Citus refuses the join, never one company silently
out=$(coord tn -At -c "$tq" 2>&1 || true)
case $out in
*ERROR*) report tenant.no_company_no_filter ok ;;
*) report tenant.no_company_no_filter FAILED "answered: $(echo "$out" | head -2)" ;;
esac
# a prepared statement, planned generic after 5 runs, is planned again for another company
got=$(coord tn -At -c "SET customer_class.company = 1" \
	-c "PREPARE p AS SELECT count(*), sum(x.open_orders) FROM customer_class.credit_exposure x
		JOIN customer_class.dirty d USING (customer_id)" \
	-c "EXECUTE p" -c "EXECUTE p" -c "EXECUTE p" -c "EXECUTE p" -c "EXECUTE p" -c "EXECUTE p" \
	-c "SET customer_class.company = 0" -c "EXECUTE p" 2>&1 || true)
want=$(for c in 1 1 1 1 1 1 0; do coord tn -At -c "SELECT count(*), sum(x.open_orders) FROM customer_class.credit_exposure x
	JOIN customer_class.dirty d ON d.customer_id = x.customer_id AND d.company_id = $c WHERE x.company_id = $c"; done)
[ "$got" = "$want" ] && report tenant.prepared_replanned_per_company ok \
	|| report tenant.prepared_replanned_per_company FAILED "$(echo $got) against $(echo $want)"
# a write touches the company's rows; a row inserted through the coordinator
# takes the session's company from the column default (evaluated there)
got=$(coord tn -At -c "BEGIN" -c "SET LOCAL customer_class.company = 1" \
	-c "UPDATE customer_class.credit_exposure SET open_orders = open_orders + 1
		WHERE customer_id IN (SELECT customer_id FROM customer_class.dirty)" \
	-c "INSERT INTO customer_class.dirty (customer_id) VALUES (1000)" -c "COMMIT" \
	-c "SELECT count(*) FILTER (WHERE open_orders <> customer_id * 10), min(company_id), max(company_id)
		FROM customer_class.credit_exposure WHERE open_orders <> customer_id * 10" \
	-c "SELECT company_id FROM customer_class.dirty WHERE customer_id = 1000" 2>&1 || true)
want=$(printf '20|1|1\n1')
[ "$got" = "$want" ] && report tenant.write_one_company ok \
	|| report tenant.write_one_company FAILED "$(echo $got)"

# CITUS_STOP_BEFORE=race: the checks so far only (scripts/memcheck.sh, under valgrind)
if [ "${CITUS_STOP_BEFORE:-}" = race ]; then
	echo "(stopped before the race: CITUS_STOP_BEFORE=race)"
	echo "$passed passed, $failed failed, $known known failures"
	[ "$failed" -eq 0 ]
	exit
fi

# ---- the race through the coordinator (race.sh) ------------------------------
say "the race: concurrent orders, payments and cancellations through the coordinator"
"$TESTDIR/race.sh" >"$work/race.out" 2>&1 || true
for run in rc rr hold; do
	line=$(grep -m1 "^race $run:" "$work/race.out" || true)
	case $line in
	*"breaches at acceptance 0, limit breaches 0, maintained-vs-recomputed differences 0") report "managed.race_$run" ok; echo "  $line" ;;
	"") report "managed.race_$run" FAILED "$(grep -m1 -h 'ERROR\|error' "$work/race.out" || tail -n 1 "$work/race.out")" ;;
	*) report "managed.race_$run" FAILED "$line" ;;
	esac
done

# ---- refresh() on Citus: equal to the single node, full and incremental ----
# A Citus database of its own, the sources bound to ERP tables and the
# extension's tables distributed beside them, refreshed for the first time.
say "Citus: refresh, the bound sources and the extension's tables distributed"
create_citus_db ccr
load_demo ccr 2>/dev/null
coord ccr -f test/citus/shape_customer.sql >/dev/null
coord ccr -c "ALTER DATABASE ccr SET citus.enable_unsafe_triggers = on" >/dev/null
coord ccr -At -c "SET client_min_messages = warning" -c "SELECT count(*) FROM customer_class.distribute('customer')" >/dev/null
# and a single node with the same data, not refreshed yet
create_single_db singler
load_demo singler
# the demo load queued customers in dirty on both: a full refresh empties it
coord singler -At -c "SELECT customer_class.refresh('$CITUS_AS_OF', full_refresh => true)" >"$work/r1.single"
citus_q ccr "SELECT customer_class.refresh('$CITUS_AS_OF', full_refresh => true)" >"$work/r1.citus" 2>&1 || true
# compare_db NAME QUERY: the sorted rows of QUERY on single and on ccr
compare_db() {
	local name=$1 query=$2
	coord singler -At -c "$query" 2>&1 | sort >"$work/$name.single" || true
	coord ccr -At -c "$query" 2>&1 | sort >"$work/$name.citus" || true
	if cmp -s "$work/$name.single" "$work/$name.citus" && [ -s "$work/$name.single" ]; then
		report "$name" ok
	else
		local detail
		detail=$(grep -m1 -h -o 'ERROR:.*' "$work/$name.citus" || true)
		[ -n "$detail" ] || detail="$( (diff "$work/$name.single" "$work/$name.citus" || true) | grep -c '^[<>]' || true) differing lines, first: $( (diff "$work/$name.single" "$work/$name.citus" || true) | grep -m2 '^[<>]' | cut -c 1-400)"
		report "$name" FAILED "$detail"
	fi
}
# (policy_version aside: bind_source() on the Citus side counted up the
# policy version)
profile_q="SELECT customer_id, as_of, scorecard_id, scale_points, payment_points,
		stability_points, risk_points, internal_score, external_score, credit_score, computed_grade,
		override_id, credit_grade, lifecycle_policy_id, lifecycle_stage, lifecycle_phase,
		behaviour_segment, first_order_on, last_order_on, orders_12m, revenue_12m, rfm_r, rfm_f, rfm_m,
		rfm_segment, open_balance, overdue_balance, overdue_invoices, payment_index, days_beyond_terms,
		payment_warning, rule_tags
	FROM customer_class.profile"
history_q="SELECT customer_id, dimension, old_value, new_value, as_of, why FROM customer_class.class_history"
if cmp -s "$work/r1.single" "$work/r1.citus"; then report refresh_full_result ok
else report refresh_full_result FAILED "returned $(head -c 200 "$work/r1.citus") against $(cat "$work/r1.single")"; fi
compare_db refresh_full_profile "$profile_q"
compare_db refresh_full_class_history "$history_q"
compare_db refresh_full_rfm_boundary "SELECT as_of, customers, r_bounds, f_bounds, m_bounds FROM customer_class.rfm_boundary"
# (the alerts refresh() raises; the single node's credit checks raise others)
alerts_q="SELECT customer_id, kind, level, detail, occurrences, resolved_at IS NULL FROM customer_class.alerts
	WHERE kind IN ('payment_rhythm', 'became_dormant')"
compare_db refresh_full_alerts "$alerts_q"
# the profiles are in the shards, on the workers
n=$(coord ccr -At -c "SELECT sum(result::bigint) FROM pg_catalog.run_command_on_shards('customer_class.profile', 'SELECT count(*) FROM %s')" 2>&1)
[ "$n" = "$CITUS_CUSTOMERS" ] && report refresh_profile_in_shards ok \
	|| report refresh_profile_in_shards FAILED "$n profile rows in the shards"

# The same documents on both: new invoices (one big and long overdue), a
# payment of one of them, an unapplied payment, a cancelled order.  The
# single node's managed tables queue the customers in dirty by their
# triggers; the bound ERP tables of ccr are not watched, so they are queued
# by hand, as watch_source() would.
docs="INSERT INTO %s.invoice (invoice_id, customer_id, order_id, issued_on, due_on, amount) VALUES
		(900001, 5, NULL, '2025-12-20', '2026-01-19', 120.00),
		(900002, 17, NULL, '2025-06-01', '2025-07-01', 250000.00),
		(900003, 42, NULL, '2025-12-01', '2025-12-31', 80.50),
		(900004, 777, NULL, '2025-11-02', '2025-12-02', 999.99);
	INSERT INTO %s.payment (payment_id, customer_id, invoice_id, paid_on, amount, kind) VALUES
		(900001, 42, 900003, '2025-12-30', 80.50, 'payment'),
		(900002, 300, NULL, '2025-12-15', 50.00, 'payment');
	UPDATE %s.sales_order SET status = 'cancelled' WHERE order_id = (SELECT min(order_id) FROM %s.sales_order WHERE customer_id = 1500 AND status = 'open');"
coord singler -At -c "SET customer_class.as_of = '$CITUS_AS_OF'" -c "$(printf "$docs" customer_class customer_class customer_class customer_class)" >/dev/null 2>"$work/docs.single" \
	|| report refresh_documents_single FAILED "$(cat "$work/docs.single")"
coord ccr -At -c "$(printf "$docs" erp erp erp erp)" \
	-c "INSERT INTO customer_class.dirty (customer_id) VALUES (5), (17), (42), (777), (300), (1500)" >/dev/null 2>"$work/docs.citus" \
	|| report refresh_documents_citus FAILED "$(cat "$work/docs.citus")"
compare_db refresh_dirty_queue "SELECT DISTINCT customer_id FROM customer_class.dirty"
coord singler -At -c "SELECT customer_class.refresh('$CITUS_AS_OF')" >"$work/r2.single"
citus_q ccr "SELECT customer_class.refresh('$CITUS_AS_OF')" >"$work/r2.citus" 2>&1 || true
if cmp -s "$work/r2.single" "$work/r2.citus"; then report refresh_incremental_result ok
else report refresh_incremental_result FAILED "returned $(head -c 200 "$work/r2.citus") against $(cat "$work/r2.single")"; fi
compare_db refresh_incremental_profile "$profile_q"
compare_db refresh_incremental_class_history "$history_q"
compare_db refresh_incremental_alerts "$alerts_q"
n=$(coord singler -At -c "SELECT count(*) FROM customer_class.class_history WHERE customer_id IN (5, 17, 42, 777, 300, 1500) AND as_of = '$CITUS_AS_OF' AND history_id > (SELECT max(history_id) - 40 FROM customer_class.class_history)")
[ "$n" -gt 0 ] && report refresh_incremental_changed_classes ok \
	|| report refresh_incremental_changed_classes FAILED "the documents changed no class: the check proves nothing"

# The heavy part runs on the workers: the plans of refresh()'s two Citus
# statements (refresh_citus_sql()) aggregate each customer's invoices,
# payments and orders with credit_facts_agg in the shards' task queries, and
# no Distributed Subplan pulls invoice, payment or order rows to the
# coordinator (only the customers' distinct industries and regions, and
# settings, go through it).
coord ccr -At -f - >"$work/plans.txt" 2>&1 <<SQL || true
SET client_min_messages = warning;
BEGIN;
CREATE UNLOGGED TABLE customer_class.cc_refresh_txn (customer_id bigint, f customer_class.txn_facts);
SELECT pg_catalog.create_distributed_table('customer_class.cc_refresh_txn', 'customer_id', colocate_with => 'customer_class.profile');
CREATE UNLOGGED TABLE customer_class.cc_refresh_work OF customer_class.refresh_row;
SELECT pg_catalog.create_distributed_table('customer_class.cc_refresh_work', 'customer_id', colocate_with => 'customer_class.profile');
SELECT 'EXPLAIN (VERBOSE, COSTS OFF) ' || q
FROM unnest(customer_class.refresh_citus_sql('$CITUS_AS_OF', customer_class.active_scorecard(),
	customer_class.active_lifecycle_policy(), 1, NULL)) q \gexec
ROLLBACK;
SQL
pulled=$(awk '
	{ match($0, /^ */); ind = RLENGTH }
	insub && ind <= subind { insub = 0 }
	/Distributed Subplan/ { insub = 1; subind = ind; next }
	insub && /(invoice|payment|sales_order)_[0-9]+/ { n++ }
	END { print n + 0 }' "$work/plans.txt")
tasks=$(grep -c 'Output: .*customer_class.credit_facts_agg(' "$work/plans.txt" || true)
if grep -q 'ERROR' "$work/plans.txt"; then
	report refresh_heavy_part_on_workers FAILED "$(grep -m1 ERROR "$work/plans.txt")"
elif [ "$pulled" = 0 ] && [ "$tasks" -gt 0 ]; then
	report refresh_heavy_part_on_workers ok
else
	report refresh_heavy_part_on_workers FAILED "$pulled source scans pulled to the coordinator, credit_facts_agg in $tasks task outputs"
fi
# A trigger that branches on its table (customer_reference_check) asks
# trigger_table(): on a shard TG_TABLE_NAME carries the shard id, and the
# warning about an external score too old to count was skipped there.
out=$(citus_q cm "INSERT INTO customer_class.external_score (customer_id, source, scored_on, score)
	VALUES (17, 'citus-test', DATE '$CITUS_AS_OF' - 4000, 50)" 2>&1 || true)
case $out in
*"external score for customer 17 of "*"is older than"*"days at the as-of date"*) report managed.trigger_warning_on_shard ok ;;
*) report managed.trigger_warning_on_shard FAILED "answered: $out" ;;
esac

echo "$passed passed, $failed failed, $known known failures"
[ "$failed" -eq 0 ]
