-- Access by customer category (docs/access.md): a role restricted to the
-- customers whose tags match a query sees no other customer's row in any
-- table, view or function of the schema -- checked by iterating over the
-- catalog, so that a new object cannot forget it -- and cannot write them.
-- Start from a fresh install: the tests before leave rows behind (the
-- managed tables are the user's: DROP EXTENSION keeps them, so drop them too).
SET client_min_messages = warning;
DROP EXTENSION customer_class CASCADE;
DROP TABLE customer_class.payment, customer_class.invoice, customer_class.sales_order, customer_class.customer;
RESET client_min_messages;
CREATE EXTENSION customer_class;
SET customer_class.as_of = '2025-12-31';
\set VERBOSITY default
\set SHOW_CONTEXT never

-- two east customers (1, 3), one west (2), one north (4)
INSERT INTO customer_class.customer (customer_id, name, region, credit_limit, created_on, tags) VALUES
	(1, 'East One', 'east.shanghai', 5000, '2024-01-01', '{region.east.shanghai}'),
	(2, 'West Two', 'west.chengdu', 5000, '2024-01-01', '{region.west.chengdu}'),
	(3, 'East Three', 'east.hangzhou', 5000, '2024-01-01', '{region.east.hangzhou,vip}'),
	(4, 'North Four', 'north.beijing', 5000, '2024-01-01', '{region.north.beijing}');
-- each: two invoiced orders, one paid late, one overdue, one open order
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount, status)
SELECT c * 10 + k, c, date '2025-06-01' + k * 30, 1000, CASE WHEN k = 3 THEN 'open' ELSE 'invoiced' END
FROM generate_series(1, 4) c, generate_series(1, 3) k;
INSERT INTO customer_class.invoice (invoice_id, customer_id, order_id, issued_on, due_on, amount)
SELECT c * 10 + k, c, c * 10 + k, date '2025-06-01' + k * 30, date '2025-07-01' + k * 30, 1000
FROM generate_series(1, 4) c, generate_series(1, 2) k;
INSERT INTO customer_class.payment (payment_id, customer_id, invoice_id, paid_on, amount)
SELECT c * 10 + 1, c, c * 10 + 1, '2025-09-15', 1000 FROM generate_series(1, 4) c;
INSERT INTO customer_class.external_score (customer_id, source, scored_on, score)
SELECT c, 'agency', '2025-11-01', 60 + c FROM generate_series(1, 4) c;
INSERT INTO customer_class.credit_override (customer_id, grade, reason, valid_from, expires_on)
SELECT c, 'B', 'review', '2025-12-01', '2026-06-30' FROM generate_series(1, 4) c;
INSERT INTO customer_class.credit_limit_override (customer_id, credit_limit, reason, valid_from, expires_on)
SELECT c, 6000, 'season', '2025-12-01', '2026-06-30' FROM generate_series(1, 4) c;
INSERT INTO customer_class.credit_check_exception (customer_id, checkpoint, mode, reason)
SELECT c, 'invoice', 'off', 'trusted' FROM generate_series(1, 4) c;
INSERT INTO customer_class.external_event (customer_id, event_on, kind, source)
SELECT c, '2025-12-20', 'litigation', 'court' FROM generate_series(1, 4) c;
SELECT customer_class.refresh() AS refreshed, customer_class.credit_alert_scan() > 0 AS alerts_raised;
-- a change after the refresh queues every customer again (dirty)
UPDATE customer_class.sales_order SET amount = 900 WHERE status = 'open';

-- == Who sees what ==
-- the east team sees region.east.*; bob is in it and also sees the north;
-- the auditor is in it too but sees every customer; bi has no entry (sees all)
CREATE ROLE cc_acc_east_team NOLOGIN;
CREATE ROLE cc_acc_alice LOGIN IN ROLE cc_acc_east_team, customer_class_analyst;
CREATE ROLE cc_acc_bob LOGIN IN ROLE cc_acc_east_team, customer_class_reader;
CREATE ROLE cc_acc_auditor LOGIN IN ROLE cc_acc_east_team, customer_class_reader;
CREATE ROLE cc_acc_bi LOGIN IN ROLE customer_class_reader;
-- the east team enters its own orders
GRANT INSERT, UPDATE ON customer_class.sales_order, customer_class.customer TO cc_acc_east_team;

SELECT customer_class.grant_customer_access('cc_acc_east_team', 'region.east.*') AS added;
SELECT customer_class.grant_customer_access('cc_acc_east_team', 'region.east.*') AS added_again;
SELECT customer_class.grant_customer_access('cc_acc_bob', 'region.north.*');
SELECT customer_class.grant_customer_access('cc_acc_auditor', all_customers => true);
SELECT role_name, tags FROM customer_class.customer_access ORDER BY 1, 2;
SELECT r AS role_name, customer_class.access_query_of(r) AS sees
FROM unnest(ARRAY['cc_acc_alice', 'cc_acc_bob', 'cc_acc_auditor', 'cc_acc_bi', 'customer_class_admin']::name[]) r;

SET ROLE cc_acc_alice;
SELECT customer_id, name FROM customer_class.customer ORDER BY 1;
-- a role reads the entries that apply to it, no others
SELECT role_name, tags FROM customer_class.customer_access ORDER BY 1, 2;
RESET ROLE;
SET ROLE cc_acc_bob;
SELECT array_agg(customer_id ORDER BY customer_id) AS bob_sees FROM customer_class.customer_profile;
RESET ROLE;
SET ROLE cc_acc_auditor;
SELECT array_agg(customer_id ORDER BY customer_id) AS auditor_sees FROM customer_class.customer_profile;
RESET ROLE;
SET ROLE cc_acc_bi;
SELECT array_agg(customer_id ORDER BY customer_id) AS bi_sees FROM customer_class.customer_profile;
RESET ROLE;

-- a reader's tag query still uses the GIN index under row-level security
-- (the tag operators are LEAKPROOF, so the planner may run them first)
SET ROLE cc_acc_bi;
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT customer_id FROM customer_class.customer WHERE tags OPERATOR(customer_class.@@) 'vip';
RESET enable_seqscan;
RESET ROLE;

-- == Every table with a customer_id has row-level security and a policy;
-- every view with one runs as its caller (security_invoker) ==
SELECT c.relname, c.relkind
FROM pg_class c
WHERE c.relnamespace = 'customer_class'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm')
  AND EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'customer_id' AND NOT a.attisdropped)
  AND CASE WHEN c.relkind IN ('r', 'p')
		   THEN NOT (c.relrowsecurity AND EXISTS (SELECT FROM pg_policy p WHERE p.polrelid = c.oid))
		   ELSE NOT coalesce('security_invoker=true' = ANY (c.reloptions), false) END;
-- the relations without a customer_id column, for a reviewer to judge
-- (policies, settings, labels, or figures aggregated over the customers the
-- caller sees)
SELECT c.relname, c.relkind, c.relrowsecurity, c.reloptions
FROM pg_class c
WHERE c.relnamespace = 'customer_class'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm')
  AND NOT EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'customer_id' AND NOT a.attisdropped)
ORDER BY 1;

-- == Every relation, as a restricted role: no other customer's row ==
CREATE FUNCTION public.cc_acc_relations(visible bigint[])
	RETURNS TABLE (relation text, sees_own boolean, others bigint)
	LANGUAGE plpgsql AS $$
DECLARE
	r regclass;
BEGIN
	FOR r IN SELECT c.oid FROM pg_class c
			 WHERE c.relnamespace = 'customer_class'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm')
			   AND EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'customer_id'
							 AND NOT a.attisdropped)
			 ORDER BY c.relname
	LOOP
		relation := r::text;
		BEGIN
			EXECUTE format('SELECT count(*) FILTER (WHERE customer_id = ANY ($1)) > 0,
								   count(*) FILTER (WHERE customer_id IS NULL OR customer_id <> ALL ($1)) FROM %s', r)
				INTO sees_own, others USING visible;
		EXCEPTION WHEN insufficient_privilege THEN
			sees_own := NULL; others := NULL;
		END;
		RETURN NEXT;
	END LOOP;
END
$$;
SET ROLE cc_acc_alice;
SELECT * FROM public.cc_acc_relations('{1,3}');
RESET ROLE;
-- the same function as the owner sees the others (the check has teeth)
SELECT relation, others FROM public.cc_acc_relations('{1,3}') WHERE others = 0;

-- == Every function taking a customer id, as a restricted role: for a
-- customer it may not see, the same answer as for one that does not exist
-- (value or SQLSTATE); every function returning customer_id rows: only its
-- customers ==
CREATE FUNCTION public.cc_acc_call(f regprocedure, customer bigint, OUT answer text)
	LANGUAGE plpgsql AS $$
DECLARE
	p pg_proc;
	args text[] := '{}';
	n text;
	t regtype;
	i integer;
	first_default integer;
BEGIN
	SELECT * INTO p FROM pg_proc WHERE oid = f;
	first_default := p.pronargs - p.pronargdefaults;
	FOR i IN 0 .. p.pronargs - 1 LOOP
		n := p.proargnames[i + 1];
		t := p.proargtypes[i];
		IF n = 'customer_id' THEN
			args := args || format('%I => %s', n, customer);
		ELSIF t = 'bigint[]'::regtype AND n = 'customers' THEN
			args := args || format('%I => ARRAY[%s]::bigint[]', n, customer);
		ELSIF i >= first_default THEN
			CONTINUE;
		ELSIF t = 'date'::regtype THEN
			args := args || format('%I => date %L', n, '2025-12-31');
		ELSIF t IN ('integer'::regtype, 'numeric'::regtype, 'bigint'::regtype) THEN
			args := args || format('%I => 30', n);
		ELSIF t = 'name'::regtype THEN
			args := args || format('%I => CURRENT_USER', n);
		ELSIF t = 'text'::regtype AND n = 'checkpoint' THEN
			args := args || format('%I => %L', n, 'order');
		ELSIF t = 'text'::regtype THEN
			args := args || format('%I => %L', n, 'default');
		ELSE
			answer := 'cannot call: argument ' || n || ' ' || t::text;
			RETURN;
		END IF;
	END LOOP;
	BEGIN
		EXECUTE format('SELECT coalesce(jsonb_agg(to_jsonb(x)), %L) FROM %s(%s) x', '[]',
					   f::regproc::text, array_to_string(args, ', ')) INTO answer;
	EXCEPTION WHEN OTHERS THEN
		answer := 'error ' || SQLSTATE;
	END;
	-- a function may echo the id it was asked about: that tells nothing
	IF customer IS NOT NULL THEN
		answer := regexp_replace(answer, '"customer_id": ' || customer || '\M', '"customer_id": (asked)', 'g');
	END IF;
END
$$;
CREATE FUNCTION public.cc_acc_functions(hidden bigint, visible bigint[])
	RETURNS TABLE (func text, verdict text)
	LANGUAGE plpgsql AS $$
DECLARE
	f regprocedure;
	a text;
	b text;
BEGIN
	FOR f IN SELECT p.oid FROM pg_proc p
			 WHERE p.pronamespace = 'customer_class'::regnamespace AND p.prokind = 'f'
			   AND has_function_privilege(p.oid, 'EXECUTE')
			   AND p.prorettype <> 'trigger'::regtype
			   AND ('customer_id' = ANY (p.proargnames[1:p.pronargs])
					OR 'customers' = ANY (p.proargnames[1:p.pronargs])
					OR (p.proretset AND 'customer_id' = ANY (p.proargnames)))
			 ORDER BY p.oid::regprocedure::text
	LOOP
		func := f::text;
		IF (SELECT proargnames[1:pronargs] && '{customer_id,customers}' FROM pg_proc WHERE oid = f) THEN
			a := public.cc_acc_call(f, hidden);
			b := public.cc_acc_call(f, 999999);
			verdict := CASE WHEN a = b THEN 'as for a missing customer: ' || left(a, 30)
							ELSE 'LEAK: ' || a || ' <> ' || b END;
		ELSE
			a := public.cc_acc_call(f, NULL);
			verdict := CASE WHEN a LIKE 'error%' OR a LIKE 'cannot%' THEN a
							WHEN EXISTS (SELECT FROM jsonb_array_elements(a::jsonb) e
										 WHERE (e ->> 'customer_id')::bigint <> ALL (visible))
							THEN 'LEAK: ' || a
							ELSE 'only its customers, ' || jsonb_array_length(a::jsonb) || ' rows' END;
		END IF;
		RETURN NEXT;
	END LOOP;
END
$$;
SET ROLE cc_acc_alice;
SELECT * FROM public.cc_acc_functions(2, '{1,3}');
RESET ROLE;
-- as the owner the same calls do answer for customer 2 (the check has teeth)
SELECT count(*) FILTER (WHERE verdict LIKE 'LEAK%') > 0 AS owner_sees_customer_2
FROM public.cc_acc_functions(2, '{1,3}');

-- == Writes ==
SELECT min(alert_id) AS alert_of_2 FROM customer_class.alerts WHERE customer_id = 2 \gset
SET ROLE cc_acc_alice;
-- an order for one of its customers: the credit trigger and the ledger work
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (100, 1, '2025-12-30', 50);
SELECT customer_id, open_orders, exposure FROM customer_class.credit_exposure ORDER BY 1;
-- an order for a customer it cannot see is refused
INSERT INTO customer_class.sales_order (order_id, customer_id, ordered_on, amount) VALUES (101, 2, '2025-12-30', 50);
\echo :LAST_ERROR_SQLSTATE
-- another customer's order cannot be moved in, nor its own moved out
UPDATE customer_class.sales_order SET amount = 1 WHERE customer_id = 2;
UPDATE customer_class.sales_order SET customer_id = 2 WHERE order_id = 100;
\echo :LAST_ERROR_SQLSTATE
-- nor can a customer be given away by changing its tags
UPDATE customer_class.customer SET tags = '{region.west.chengdu}' WHERE customer_id = 1;
\echo :LAST_ERROR_SQLSTATE
-- events are recorded for its customers only
INSERT INTO customer_class.external_event (customer_id, event_on, kind, source) VALUES (2, '2025-12-30', 'other', 'x');
\echo :LAST_ERROR_SQLSTATE
-- SECURITY DEFINER functions check the caller: a hidden customer's alert
-- cannot be resolved, its credit checked, its ledger compared
SELECT customer_class.resolve_alert(:alert_of_2) AS resolved;
SELECT customer_class.credit_check(2, 10);
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.credit_check(1, 10) ->> 'allowed' AS allowed;
-- refresh() still sees and refreshes every customer
SELECT customer_class.refresh() AS refreshed;
RESET ROLE;
SELECT count(*) AS profiles, count(*) FILTER (WHERE refreshed_at = (SELECT max(refreshed_at) FROM customer_class.profile))
	AS refreshed_last FROM customer_class.profile;
SELECT count(*) AS open_alerts_of_2 FROM customer_class.alerts WHERE customer_id = 2 AND resolved_at IS NULL;
SELECT amount FROM customer_class.sales_order WHERE customer_id = 2 AND status = 'open';

-- == The entries: bad input, revoking, privileges ==
SELECT customer_class.grant_customer_access('cc_acc_nobody', 'vip');
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.grant_customer_access('cc_acc_east_team', 'region.east.* &');
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.grant_customer_access('cc_acc_east_team', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT customer_class.grant_customer_access('cc_acc_east_team', 'vip', all_customers => true);
\echo :LAST_ERROR_SQLSTATE
SET ROLE cc_acc_alice;
SELECT customer_class.grant_customer_access('cc_acc_alice', all_customers => true);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO customer_class.customer_access (role_name) VALUES ('cc_acc_alice');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT customer_class.revoke_customer_access('cc_acc_bob', 'region.north.*') AS revoked;
SELECT customer_class.access_query_of('cc_acc_bob') AS bob_sees;
-- an entry for a role dropped since is ignored, and can be revoked
CREATE ROLE cc_acc_gone;
SELECT customer_class.grant_customer_access('cc_acc_gone', 'vip');
DROP ROLE cc_acc_gone;
SET ROLE cc_acc_bi;
SELECT count(*) AS bi_sees FROM customer_class.customer;
RESET ROLE;
SELECT customer_class.revoke_customer_access('cc_acc_gone') AS revoked;
-- deny by default: an entry for customer_class_reader restricts every reader
-- that has no wider entry of its own (the auditor keeps every customer)
SELECT customer_class.grant_customer_access('customer_class_reader', 'vip');
SET ROLE cc_acc_bi;
SELECT array_agg(customer_id ORDER BY customer_id) AS bi_sees FROM customer_class.customer;
RESET ROLE;
SET ROLE cc_acc_alice;
SELECT array_agg(customer_id ORDER BY customer_id) AS alice_sees FROM customer_class.customer;
RESET ROLE;
SET ROLE cc_acc_auditor;
SELECT array_agg(customer_id ORDER BY customer_id) AS auditor_sees FROM customer_class.customer;
RESET ROLE;
SELECT customer_class.revoke_customer_access('customer_class_reader') AS revoked;
SELECT customer_class.revoke_customer_access('cc_acc_east_team') AS revoked;
SET ROLE cc_acc_alice;
SELECT count(*) AS alice_sees_all_again FROM customer_class.customer;
RESET ROLE;

DROP FUNCTION public.cc_acc_functions(bigint, bigint[]), public.cc_acc_call(regprocedure, bigint),
	public.cc_acc_relations(bigint[]);
REVOKE ALL ON customer_class.sales_order, customer_class.customer FROM cc_acc_east_team;
DELETE FROM customer_class.customer_access;
DROP ROLE cc_acc_alice, cc_acc_bob, cc_acc_auditor, cc_acc_bi, cc_acc_east_team;
SET client_min_messages = warning;
DROP EXTENSION customer_class CASCADE;
DROP TABLE customer_class.payment, customer_class.invoice, customer_class.sales_order, customer_class.customer;
RESET client_min_messages;
CREATE EXTENSION customer_class;
