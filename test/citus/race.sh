#!/usr/bin/env bash
# race.sh: the credit-control race of test/t/010_credit.pl (its load,
# test/load/credit_load.sh) through the Citus coordinator, on the managed
# tables distributed by customer_class.distribute('customer').  Called by
# run.sh inside the cluster (lib.sh's helpers).  RACE_CLIENTS (8) pgbench
# clients for RACE_SECONDS (5) s on RACE_CUSTOMERS (20) customers insert
# orders (60%), payments (20%) and cancellations (20%); each customer has a
# limit of 100,000 and starts at 80,000 of exposure, so orders are refused
# all the time.  Under READ COMMITTED and REPEATABLE READ (pgbench retries
# 40001), each on fresh data.  Every accepted order records, in its own
# transaction, the exposure just after it (its ledger row, which that
# transaction holds locked) and the limit.  A third run, hold, in mode
# hold at the order checkpoint (READ COMMITTED): an order over the limit is
# saved on hold instead of refused, and 20% of the transactions release a
# held order of the customer (release_credit_hold(): checked again, refused
# while the limit is short); what is accepted (orders not held, releases)
# records the exposure without the orders still on hold, which must stay
# within the limit, as must the recomputed exposure without them at the
# end.  Prints one line per run:
# "race RUN: ... breaches at acceptance N, limit breaches N,
# maintained-vs-recomputed differences N"; exits non-zero unless all are 0.
set -euo pipefail
source "$(dirname "$0")/../../scripts/common.sh"
source "$(dirname "$0")/lib.sh"
CLIENTS=${RACE_CLIENTS:-8}
SECONDS_RUN=${RACE_SECONDS:-5}
CUSTOMERS=${RACE_CUSTOMERS:-20}
work=$(mktemp -d "${TMPDIR:-/tmp}/customer_class_race.XXXXXX")
trap 'rm -rf "$work"' EXIT

cat >"$work/order.sql" <<'SQL'
\set c random(1, :customers)
\set amt random(100, 5000)
SELECT race.place_order(:c, :amt);
SQL
cat >"$work/pay.sql" <<'SQL'
\set c random(1, :customers)
\set amt random(100, 2000)
INSERT INTO customer_class.payment (customer_id, invoice_id, paid_on, amount)
VALUES (:c, CASE WHEN :amt % 2 = 0 THEN :c END, current_date, :amt);
SQL
cat >"$work/cancel.sql" <<'SQL'
\set c random(1, :customers)
UPDATE customer_class.sales_order SET status = 'cancelled'
WHERE customer_id = :c AND order_id = (SELECT order_id FROM customer_class.sales_order
				  WHERE customer_id = :c AND status = 'open' ORDER BY order_id LIMIT 1);
SQL

cat >"$work/release.sql" <<'SQL'
\set c random(1, :customers)
SELECT race.release_one(:c);
SQL

failed=0
for run in rc rr hold; do
	db=race_$run
	create_citus_db "$db" >/dev/null
	coord "$db" -c "ALTER DATABASE $db SET citus.enable_unsafe_triggers = on" >/dev/null
	coord "$db" -v customers="$CUSTOMERS" >/dev/null <<'SQL'
SET client_min_messages = warning;
INSERT INTO customer_class.customer (customer_id, name, credit_limit, created_on)
SELECT c, 'Race ' || c, 100000, '2024-01-01' FROM generate_series(1, :customers) c;
-- 60,000 invoiced and 20,000 on order to start with
INSERT INTO customer_class.invoice (invoice_id, customer_id, issued_on, due_on, amount)
SELECT c, c, current_date - 30, current_date + 30, 60000 FROM generate_series(1, :customers) c;
INSERT INTO customer_class.sales_order (customer_id, ordered_on, amount)
SELECT c, current_date - 30, 5000 FROM generate_series(1, :customers) c, generate_series(1, 4);
SELECT count(*) FROM customer_class.distribute('customer');
CREATE SCHEMA race;
-- each accepted order: the exposure just after it and the limit, on the
-- customer's shard group
CREATE TABLE race.accepted (order_id bigint, customer_id bigint NOT NULL, exposure_after numeric, credit_limit numeric);
SELECT create_distributed_table('race.accepted', 'customer_id', colocate_with => 'customer_class.customer');
-- an order that may be refused: the refusal is counted, not an error
CREATE FUNCTION race.place_order(c bigint, amt numeric) RETURNS boolean
	LANGUAGE plpgsql AS $$
DECLARE
	id bigint;
	others numeric;
BEGIN
	INSERT INTO customer_class.sales_order (customer_id, ordered_on, amount) VALUES (c, current_date, amt)
	RETURNING order_id INTO id;
	-- mode hold: saved on hold, not accepted
	PERFORM FROM customer_class.credit_hold h WHERE h.customer_id = c AND h.order_id = id AND h.status = 'held';
	IF FOUND THEN
		RETURN false;
	END IF;
	-- (a value: a per-row call reading the shards would nest on the shard)
	others := customer_class.credit_hold_others(c, NULL);
	INSERT INTO race.accepted
	SELECT id, c, x.exposure - others, cu.credit_limit
	FROM customer_class.credit_exposure x JOIN customer_class.customer cu USING (customer_id)
	WHERE x.customer_id = c AND cu.customer_id = c;
	RETURN true;
EXCEPTION WHEN SQLSTATE 'KC001' THEN
	RETURN false;
END $$;
-- release the customer's oldest order on hold: accepted when the check
-- passes again (KC001 refused; 55000 decided by another client meanwhile)
CREATE FUNCTION race.release_one(c bigint) RETURNS boolean
	LANGUAGE plpgsql AS $$
DECLARE
	h customer_class.credit_hold;
	others numeric;
BEGIN
	SELECT * INTO h FROM customer_class.credit_hold x
	WHERE x.customer_id = c AND x.status = 'held' AND x.checkpoint = 'order' ORDER BY x.hold_id LIMIT 1;
	IF NOT FOUND THEN
		RETURN false;
	END IF;
	PERFORM customer_class.release_credit_hold(h.hold_id, 'race');
	others := customer_class.credit_hold_others(c, NULL);
	INSERT INTO race.accepted
	SELECT h.order_id, c, x.exposure - others, cu.credit_limit
	FROM customer_class.credit_exposure x JOIN customer_class.customer cu USING (customer_id)
	WHERE x.customer_id = c AND cu.customer_id = c;
	RETURN true;
EXCEPTION WHEN SQLSTATE 'KC001' OR SQLSTATE '55000' THEN
	RETURN false;
END $$;
SQL
	scripts=(-f "$work/order.sql@6" -f "$work/pay.sql@2" -f "$work/cancel.sql@2")
	if [ "$run" = hold ]; then
		coord "$db" -c "SELECT customer_class.set_credit_setting('mode.order', 'hold')" >/dev/null
		scripts=(-f "$work/order.sql@5" -f "$work/pay.sql@2" -f "$work/cancel.sql@1" -f "$work/release.sql@2")
	fi
	opts=()
	if [ "$run" = rr ]; then
		opts=(--max-tries=100)
		export PGOPTIONS="-c default_transaction_isolation=repeatable\\ read"
	fi
	pgbench -n -h "$PGHOST" -p "$CITUS_COORD_PORT" -c "$CLIENTS" -j "$CLIENTS" -T "$SECONDS_RUN" \
		-D customers="$CUSTOMERS" "${opts[@]}" \
		"${scripts[@]}" "$db" >"$work/$run.out" 2>&1 \
		|| { cat "$work/$run.out"; failed=1; unset PGOPTIONS; continue; }
	unset PGOPTIONS
	tx=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$work/$run.out")
	failed_tx=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$work/$run.out")
	retried=$(sed -n 's/^number of transactions retried: \([0-9]*\).*/\1/p' "$work/$run.out")
	# (the exposure without the orders still on hold at the order
	# checkpoint, their amount: the race invoices no order; none in runs rc
	# and rr; joined on
	# the coordinator, each part a materialized CTE)
	read -r orders at_acceptance breaches diffs held released < <(coord "$db" -At -F ' ' -c "
		WITH r AS MATERIALIZED (SELECT customer_id, exposure FROM customer_class.exposure_recomputed()),
			 k AS MATERIALIZED (
				SELECT h.customer_id, sum(o.amount) AS held, count(*) AS n
				FROM customer_class.credit_hold h
				JOIN customer_class.sales_order o ON o.order_id = h.order_id AND o.customer_id = h.customer_id
				WHERE h.status = 'held' AND h.checkpoint = 'order' AND o.status IN ('open', 'shipped')
				GROUP BY h.customer_id),
			 cu AS MATERIALIZED (SELECT customer_id, credit_limit FROM customer_class.customer)
		SELECT (SELECT count(*) FROM race.accepted),
			   (SELECT count(*) FROM race.accepted WHERE exposure_after > credit_limit),
			   (SELECT count(*) FROM r JOIN cu USING (customer_id) LEFT JOIN k USING (customer_id)
				WHERE r.exposure - coalesce(k.held, 0) > cu.credit_limit),
			   (SELECT count(*) FROM customer_class.verify_exposure()),
			   (SELECT coalesce(sum(n), 0) FROM k),
			   (SELECT count(*) FROM customer_class.credit_hold WHERE status = 'released')")
	holds=
	[ "$run" = hold ] && holds=" ($held on hold at the end, $released released)"
	echo "race $run: $CLIENTS clients x $SECONDS_RUN s, $CUSTOMERS customers: $tx transactions (${failed_tx:-0} failed${retried:+, $retried retried}), orders accepted $orders$holds, breaches at acceptance $at_acceptance, limit breaches $breaches, maintained-vs-recomputed differences $diffs"
	if [ "$at_acceptance" != 0 ] || [ "$breaches" != 0 ] || [ "$diffs" != 0 ] || [ "${orders:-0}" = 0 ] \
		|| { [ "$run" = hold ] && [ "$((held + released))" = 0 ]; }; then
		failed=1
	fi
done
exit $failed
