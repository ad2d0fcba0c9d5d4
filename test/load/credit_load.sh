#!/usr/bin/env bash
# credit_load.sh: the credit-control load test.  Runs against the cluster in
# PGHOST/PGPORT/PGUSER (start one with scripts/with-cluster.sh --profile bench,
# or use `make loadtest`).  CLIENTS (16) pgbench clients for DURATION (60) s
# on CUSTOMERS (100) customers insert orders (60%), payments (20%) and
# cancellations (20%); each customer has a limit of 100,000 and starts at
# 80,000 of exposure, so orders are blocked all the time.  Three runs, each
# on fresh data:
#   rc        READ COMMITTED, credit triggers on
#   rr        REPEATABLE READ, credit triggers on (pgbench retries 40001)
#   off       READ COMMITTED, credit triggers disabled (the throughput baseline)
#   hold      READ COMMITTED, mode.order hold: orders above the limit are
#             saved on hold, and a fourth script (10%) releases the oldest
#             hold of a customer (refused, KC001, when it does not fit)
# Every accepted order records, in its own transaction, the customer's
# exposure just after it (the ledger row, which that transaction holds
# locked) and the limit: a breach at acceptance is an order accepted with
# exposure above the limit.  After each run: those breaches at acceptance,
# limit breaches at the end (customers whose recomputed exposure is above the
# limit), both only with the triggers on, and maintained-vs-recomputed
# differences (verify_exposure(); with the triggers off the ledger is not
# kept, so not counted).  Prints one line per run and exits non-zero on a
# breach or a difference.
set -euo pipefail
CLIENTS=${CLIENTS:-16}
SECONDS_RUN=${DURATION:-60}
CUSTOMERS=${CUSTOMERS:-100}
RUNS=${RUNS:-rc rr off}
DB=${LOAD_DB:-credit_load}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
psql_q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }

cat >"$work/order.sql" <<'SQL'
\set c random(1, :customers)
\set amt random(100, 5000)
SELECT credit_load.place_order(:c, :amt);
SQL
cat >"$work/pay.sql" <<'SQL'
\set c random(1, :customers)
\set amt random(100, 2000)
INSERT INTO customer_class.payment (customer_id, invoice_id, paid_on, amount)
VALUES (:c, CASE WHEN :amt % 2 = 0 THEN :c END, '2025-12-30', :amt);
SQL
cat >"$work/release.sql" <<'SQL'
\set c random(1, :customers)
SELECT credit_load.release_one(:c);
SQL
cat >"$work/cancel.sql" <<'SQL'
\set c random(1, :customers)
UPDATE customer_class.sales_order SET status = 'cancelled'
WHERE order_id = (SELECT order_id FROM customer_class.sales_order
				  WHERE customer_id = :c AND status = 'open' ORDER BY order_id LIMIT 1);
SQL

failed=0
for run in $RUNS; do
	psql_q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
	psql_q -d "$DB" -v customers="$CUSTOMERS" <<'SQL'
CREATE EXTENSION customer_class;
ALTER DATABASE credit_load SET customer_class.as_of = '2025-12-31';
SET customer_class.as_of = '2025-12-31';
CREATE SCHEMA credit_load;
-- each accepted order: the exposure just after it and the limit (the
-- customer's own credit_limit, the only limit in this load)
CREATE TABLE credit_load.accepted (order_id bigint, customer_id bigint, exposure_after numeric, credit_limit numeric);
-- an order that may be blocked: the block is counted, not an error
CREATE FUNCTION credit_load.place_order(c bigint, amt numeric) RETURNS boolean
	LANGUAGE plpgsql AS $$
DECLARE
	id bigint;
BEGIN
	INSERT INTO customer_class.sales_order (customer_id, ordered_on, amount) VALUES (c, '2025-12-30', amt)
	RETURNING order_id INTO id;
	-- saved on hold (mode hold): not accepted
	IF EXISTS (SELECT FROM customer_class.credit_hold h WHERE h.order_id = id AND h.status = 'held') THEN
		RETURN false;
	END IF;
	INSERT INTO credit_load.accepted
	SELECT id, c, x.exposure - customer_class.credit_hold_others(c, NULL), cu.credit_limit
	FROM customer_class.credit_exposure x JOIN customer_class.customer cu USING (customer_id)
	WHERE x.customer_id = c;
	RETURN true;
EXCEPTION WHEN SQLSTATE 'KC001' THEN
	RETURN false;
END $$;
-- release the oldest order on hold of a customer: accepted, with what
-- credit control has accepted just after it (the exposure less the orders
-- still on hold), or refused
CREATE FUNCTION credit_load.release_one(c bigint) RETURNS boolean
	LANGUAGE plpgsql AS $$
DECLARE
	h bigint;
	o bigint;
BEGIN
	SELECT hold_id, order_id INTO h, o FROM customer_class.credit_hold
	WHERE customer_id = c AND status = 'held' ORDER BY hold_id LIMIT 1;
	IF h IS NULL THEN
		RETURN false;
	END IF;
	PERFORM customer_class.release_credit_hold(h, 'load test');
	INSERT INTO credit_load.accepted
	SELECT o, c, x.exposure - customer_class.credit_hold_others(c, NULL), cu.credit_limit
	FROM customer_class.credit_exposure x JOIN customer_class.customer cu USING (customer_id)
	WHERE x.customer_id = c;
	RETURN true;
EXCEPTION WHEN SQLSTATE 'KC001' OR SQLSTATE '55000' THEN
	RETURN false;
END $$;
INSERT INTO customer_class.customer (customer_id, name, credit_limit, created_on)
SELECT c, 'Load ' || c, 100000, '2024-01-01' FROM generate_series(1, :customers) c;
-- 60,000 invoiced and 20,000 on order to start with
INSERT INTO customer_class.invoice (invoice_id, customer_id, issued_on, due_on, amount)
SELECT c, c, '2025-12-01', '2026-01-31', 60000 FROM generate_series(1, :customers) c;
INSERT INTO customer_class.sales_order (customer_id, ordered_on, amount)
SELECT c, '2025-12-01', 5000 FROM generate_series(1, :customers) c, generate_series(1, 4);
VACUUM ANALYZE;
SQL
	opts=()
	case $run in
	rr) opts=(--max-tries=100); export PGOPTIONS="-c default_transaction_isolation=repeatable\\ read" ;;
	hold) unset PGOPTIONS
		psql_q -d "$DB" -c "SELECT customer_class.set_credit_setting('mode.order', 'hold')" >/dev/null ;;
	off) unset PGOPTIONS
		psql_q -d "$DB" -c "ALTER TABLE customer_class.sales_order DISABLE TRIGGER credit_order" \
			-c "ALTER TABLE customer_class.payment DISABLE TRIGGER credit_payment" ;;
	*) unset PGOPTIONS ;;
	esac
	pgbench -n -c "$CLIENTS" -j "$CLIENTS" -T "$SECONDS_RUN" -D customers="$CUSTOMERS" "${opts[@]}" \
		-f "$work/order.sql@6" -f "$work/pay.sql@2" -f "$work/cancel.sql@2" \
		$([ "$run" = hold ] && echo "-f $work/release.sql@1") "$DB" >"$work/$run.out" 2>&1 \
		|| { cat "$work/$run.out"; failed=1; continue; }
	unset PGOPTIONS
	tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$work/$run.out" | tail -1)
	tx=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$work/$run.out")
	retried=$(sed -n 's/^number of transactions retried: \([0-9]*\).*/\1/p' "$work/$run.out")
	if [ "$run" = off ]; then
		psql_q -d "$DB" -c "ALTER TABLE customer_class.sales_order ENABLE TRIGGER credit_order" \
			-c "ALTER TABLE customer_class.payment ENABLE TRIGGER credit_payment"
	fi
	read -r orders open at_acceptance breaches diffs < <(psql -X -At -F ' ' -d "$DB" -c "
		SELECT (SELECT count(*) FROM customer_class.sales_order WHERE ordered_on = '2025-12-30'),
			   (SELECT count(*) FROM customer_class.sales_order WHERE status = 'open'),
			   (SELECT count(*) FROM credit_load.accepted WHERE exposure_after > credit_limit),
			   (SELECT count(*) FROM customer_class.exposure_recomputed() r
				WHERE r.exposure - customer_class.credit_hold_others(r.customer_id, NULL)
					  > customer_class.credit_limit(r.customer_id)),
			   CASE WHEN '$run' = 'off' THEN 'n/a' ELSE (SELECT count(*) FROM customer_class.verify_exposure())::text END")
	printf 'credit load %-3s: %s clients x %s s, %s customers: tps %s (%s transactions%s), orders accepted %s, breaches at acceptance %s, limit breaches %s, maintained-vs-recomputed differences %s\n' \
		"$run" "$CLIENTS" "$SECONDS_RUN" "$CUSTOMERS" "$tps" "$tx" "${retried:+, $retried retried}" "$orders" \
		"$([ "$run" = off ] && echo "n/a" || echo "$at_acceptance")" \
		"$([ "$run" = off ] && echo "n/a ($breaches customers above the limit: no checks)" || echo "$breaches")" "$diffs"
	if [ "$run" != off ] && { [ "$at_acceptance" != 0 ] || [ "$breaches" != 0 ] || [ "$diffs" != 0 ]; }; then failed=1; fi
done
psql_q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $DB"
exit $failed
