-- The credit limit rule (credit/policy.sql, "The credit limit rule"): its
-- parts, each written once, and the two forms built from them,
-- credit_limit_rows() for one customer (the credit checks, credit_limit_info())
-- and credit_limits() for every customer (customer_profile and the credit
-- groups, a join on customer_id that Citus pushes down).  Every kind of
-- limit: an override (the newest in force), the customer's own, a policy
-- amount, a sales multiple between its floor and its ceiling, none, and a
-- grade capped by an unreviewed external event; the boundaries of each
-- validity.  In a transaction rolled back at the end.
SET customer_class.as_of = '2025-12-31';
\set VERBOSITY default
\set SHOW_CONTEXT never
BEGIN;
INSERT INTO customer_class.customer (customer_id, name, credit_limit, created_on) VALUES
	(1951, 'Limits Own', 7000, '2024-01-01'), (1952, 'Limits Override', 5000, '2024-01-01'),
	(1953, 'Limits Sales', NULL, '2024-01-01'), (1954, 'Limits Capped', NULL, '2024-01-01'),
	(1955, 'Limits Ungraded', NULL, '2024-01-01'), (1956, 'Limits Big Sales', NULL, '2024-01-01');

-- == the overrides in force: the newest set of those covering the date ==
INSERT INTO customer_class.credit_limit_override
	(customer_id, credit_limit, reason, set_by, set_at, valid_from, expires_on) VALUES
	(1952, 1111, 'older', 'tester', '2025-11-01', '2025-11-01', '2026-03-01'),
	(1952, 2222, 'newer', 'tester', '2025-12-01', '2025-12-01', '2026-02-01'),
	(1952, 4444, 'ended', 'tester', '2025-12-10', '2025-12-05', '2025-12-31'),
	(1952, 3333, 'later', 'tester', '2025-12-20', '2026-01-01', '2026-06-01');
-- (ended, the newest on 2025-12-30, ends on the as-of date: not in force
-- on it; the others take over again)
SELECT as_of, o.override_id IS NOT NULL AS found, o.credit_limit, o.reason, o.expires_on
FROM unnest(ARRAY['2025-10-15', '2025-11-30', '2025-12-01', '2025-12-30', '2025-12-31', '2026-01-31', '2026-03-01',
				  '2026-06-01']::date[]) as_of
LEFT JOIN LATERAL customer_class.credit_limit_overrides_in_force(as_of) o ON o.customer_id = 1952
ORDER BY as_of;

-- == the policy in force per grade: the user's row before a shipped one,
-- the latest valid_from first; next_from, when the next row takes over ==
INSERT INTO customer_class.credit_limit_policy (grade, method, amount, sales_multiple, sales_months, max_amount, valid_from, note)
VALUES (NULL, 'sales_multiple', 100, 2, 3, 10000, '2025-01-01', 'test: ungraded, twice the monthly sales of 3 months'),
	   ('B', 'amount', 150000, NULL, 12, NULL, '2026-01-15', 'test: B lowered from mid-January');
SELECT p.grade, p.method, p.amount, p.sales_multiple, p.sales_months, p.max_amount, p.next_from
FROM customer_class.credit_limit_policies_in_force('2025-12-31') p ORDER BY p.grade NULLS FIRST;
-- the day before the user's row of B starts (next_from) and that day
SELECT as_of, p.method, p.amount, p.next_from
FROM unnest(ARRAY['2026-01-14', '2026-01-15']::date[]) as_of
CROSS JOIN LATERAL customer_class.credit_limit_policies_in_force(as_of) p
WHERE p.grade = 'B' ORDER BY as_of;

-- == the sales over a window: (date - months, date] ==
-- (the invoice check off: these test invoices are over the limits)
SELECT customer_class.set_credit_setting('mode.invoice', 'off') IS NOT NULL AS check_off;
INSERT INTO customer_class.invoice (invoice_id, customer_id, issued_on, due_on, amount) VALUES
	(919531, 1953, '2025-11-15', '2025-12-15', 3000.00),
	(919532, 1953, '2025-09-30', '2025-10-30', 900.00),	-- exactly 3 months before: outside
	(919533, 1953, '2025-10-01', '2025-10-31', 600.00),	-- the first day inside
	(919534, 1953, '2026-01-02', '2026-02-01', 5000.00),	-- after the date: outside
	(919561, 1956, '2025-12-01', '2025-12-31', 90000.00);
-- (no sales_months: nothing read, NULL; a customer without invoices: NULL)
SELECT c, m AS sales_months, s.sales
FROM (VALUES (1953, 3), (1953, 1), (1956, 3), (1953, NULL), (1951, 3)) v(c, m)
CROSS JOIN LATERAL customer_class.credit_limit_sales(c, m, '2025-12-31') s ORDER BY c, m;

-- == the grade the policy is chosen by ==
SELECT g AS profile_grade, c AS computed_grade, o AS overridden, cap,
	   customer_class.credit_limit_grade(g, c, o, cap) AS grade
FROM (VALUES (NULL::customer_class.credit_grade, NULL::customer_class.credit_grade, false, NULL::customer_class.credit_grade),
			 ('B', 'A', false, NULL),	-- the score's grade: A
			 ('B', 'A', true, NULL),	-- overridden by hand: B
			 ('A', 'A', false, 'C'),	-- capped at C
			 ('D', 'D', false, 'C'),	-- a cap above the grade changes nothing
			 ('C', 'C', false, 'C'),	-- nor a cap equal to it
			 (NULL, NULL, false, 'D'),	-- not graded: the cap
			 ('A', 'A', true, 'D')) v(g, c, o, cap);	-- a manual override is not capped

-- == the decision from its parts ==
SELECT (d).* FROM (VALUES
	-- nothing known: no policy
	(customer_class.credit_limit_decide(NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, false, NULL,
		NULL, NULL, NULL, NULL, NULL, NULL, NULL)),
	-- an override before the customer's own limit
	(customer_class.credit_limit_decide(7, 100, 'ann', 'trial', '2026-01-01', 900, 'A', 'A', false, NULL,
		'amount', 500000, NULL, 12, NULL, NULL, NULL)),
	-- the customer's own limit before the policy
	(customer_class.credit_limit_decide(NULL, NULL, NULL, NULL, NULL, 900, 'A', 'A', false, NULL,
		'amount', 500000, NULL, 12, NULL, NULL, NULL)),
	-- a policy amount, valid until the next row of the grade
	(customer_class.credit_limit_decide(NULL, NULL, NULL, NULL, NULL, NULL, 'B', 'B', false, NULL,
		'amount', 200000, NULL, 12, NULL, '2026-01-15', NULL)),
	-- a sales multiple: 2 x 3,600 / 3 months = 2,400
	(customer_class.credit_limit_decide(NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, false, NULL,
		'sales_multiple', 100, 2, 3, 10000, NULL, 3600)),
	-- ... at least its amount, with no sales at all
	(customer_class.credit_limit_decide(NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, false, NULL,
		'sales_multiple', 100, 2, 3, 10000, NULL, NULL)),
	-- ... at most max_amount
	(customer_class.credit_limit_decide(NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, false, NULL,
		'sales_multiple', 100, 2, 3, 10000, NULL, 90000)),
	-- no limit by policy; a grade capped
	(customer_class.credit_limit_decide(NULL, NULL, NULL, NULL, NULL, NULL, 'A', 'A', false, 'D',
		'none', NULL, NULL, 12, NULL, NULL, NULL))) v(d);

-- == the two forms on these customers ==
INSERT INTO customer_class.external_event (customer_id, event_on, kind, source, detail)
VALUES (1954, '2025-12-20', 'litigation', 'test', 'a lawsuit');
SELECT * FROM customer_class.credit_event_caps('2025-12-31') WHERE customer_id BETWEEN 1951 AND 1956;
-- the set form, with the capped customers from credit_event_caps()
SELECT l.customer_id, l.credit_limit, l.limit_source, l.credit_grade, l.valid_until, l.limit_method
FROM customer_class.credit_limits('2025-12-31',
		(SELECT array_agg(ec.customer_id) FROM customer_class.credit_event_caps('2025-12-31') ec)) l
WHERE l.customer_id BETWEEN 1951 AND 1956 ORDER BY 1;
-- the one-customer form, also for a customer not in the sources (the checks
-- see its ungraded policy) and with the date left to as_of()
SELECT c, l.* FROM unnest(ARRAY[1951, 1952, 1953, 1954, 1955, 1956, 424242]) c
CROSS JOIN LATERAL customer_class.credit_limit_rows(c, NULL) l ORDER BY c;
SELECT customer_class.credit_limit_info(424242) AS not_a_customer, customer_class.credit_limit(1952, '2025-11-15') AS older_override,
	   customer_class.credit_limit(1952, '2026-06-01') AS after_the_overrides;

-- every customer: the one-customer forms and customer_profile agree with
-- the set form (the same parts: this holds the joins around them together)
SELECT count(*) AS customers,
	   count(*) FILTER (WHERE (r.credit_limit, r.limit_source, r.credit_grade, r.valid_until, r.limit_method)
						IS DISTINCT FROM (l.credit_limit, l.limit_source, l.credit_grade, l.valid_until, l.limit_method))
		   AS rows_differ,
	   count(*) FILTER (WHERE (i.credit_limit, i.limit_source, i.credit_grade, i.valid_until)
						IS DISTINCT FROM (l.credit_limit, l.limit_source, l.credit_grade, l.valid_until)) AS info_differs,
	   count(*) FILTER (WHERE (p.credit_limit, p.limit_source) IS DISTINCT FROM (l.credit_limit, l.limit_source))
		   AS profile_differs
FROM customer_class.credit_limits('2025-12-31',
		(SELECT array_agg(ec.customer_id) FROM customer_class.credit_event_caps('2025-12-31') ec)) l
CROSS JOIN LATERAL customer_class.credit_limit_rows(l.customer_id, '2025-12-31') r
CROSS JOIN LATERAL customer_class.credit_limit_info(l.customer_id, '2025-12-31') i
JOIN customer_class.customer_profile p ON p.customer_id = l.customer_id;
SELECT count(*) AS caps_differ
FROM customer_class.customer c
LEFT JOIN customer_class.credit_event_caps('2025-12-31') ec ON ec.customer_id = c.customer_id
WHERE ec.cap IS DISTINCT FROM customer_class.credit_event_cap(c.customer_id, '2025-12-31');

-- the parts are inlined into the checks' query: no call of them is left
-- in its plan (only the cap, PL/pgSQL, is called)
CREATE FUNCTION pg_temp.plan_lines(q text) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
	l text;
BEGIN
	FOR l IN EXECUTE 'EXPLAIN (COSTS OFF, VERBOSE) ' || q LOOP
		RETURN NEXT l;
	END LOOP;
END
$$;
SELECT count(*) FILTER (WHERE line ~ 'credit_limit_(decide|grade|overrides_in_force|policies_in_force|sales)\(') AS parts_called,
	   count(*) FILTER (WHERE line ~ 'credit_event_cap\(') > 0 AS cap_called
FROM pg_temp.plan_lines($$SELECT * FROM customer_class.credit_limit_rows(1952, '2025-12-31')$$) line;

-- the functions Citus cannot plan with parameters are PL/pgSQL
SELECT p.proname, l.lanname FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_language l ON l.oid = p.prolang
WHERE p.pronamespace = 'customer_class'::regnamespace
  AND p.proname IN ('credit_limit_info', 'credit_check_mode', 'credit_limits', 'credit_event_caps')
ORDER BY 1;
ROLLBACK;
