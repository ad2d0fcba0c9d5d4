-- The credit limit rule on Citus (docs/citus.md, "The views on Citus"):
-- credit_limits() computes it for every customer at once, joined on
-- customer_id (what Citus pushes down), and is the only copy of the rule:
-- credit_limit_rows() (the credit checks) and credit_limit_info() read it for
-- one customer, and credit_event_cap() reads credit_event_caps().  They
-- must agree for every kind of limit: an override, the customer's own, a
-- policy amount, a sales multiple, none, and a grade capped by an external
-- event.  In a transaction rolled back at the end.
SET customer_class.as_of = '2025-12-31';
\set VERBOSITY default
\set SHOW_CONTEXT never
BEGIN;
INSERT INTO customer_class.customer (customer_id, name, credit_limit, created_on) VALUES
	(1951, 'Limits Own', 7000, '2024-01-01'), (1952, 'Limits Override', NULL, '2024-01-01'),
	(1953, 'Limits Sales', NULL, '2024-01-01'), (1954, 'Limits Capped', NULL, '2024-01-01'),
	(1955, 'Limits Ungraded', NULL, '2024-01-01');
-- (none of them graded: the policy of grade NULL, a sales multiple here)
INSERT INTO customer_class.credit_limit_override (customer_id, credit_limit, reason, set_by, valid_from, expires_on)
VALUES (1952, 1234, 'trial', 'tester', '2025-12-01', '2026-02-01');
INSERT INTO customer_class.credit_limit_policy (grade, method, amount, sales_multiple, sales_months, max_amount, valid_from, note)
VALUES (NULL, 'sales_multiple', 100, 2, 3, 100000, '2025-01-01', 'test: ungraded, twice the monthly sales of 3 months');
INSERT INTO customer_class.invoice (invoice_id, customer_id, issued_on, due_on, amount) VALUES
	(919531, 1953, '2025-11-15', '2025-12-15', 3000.00), (919532, 1953, '2025-06-01', '2025-07-01', 9000.00);
INSERT INTO customer_class.external_event (customer_id, event_on, kind, source, detail)
VALUES (1954, '2025-12-20', 'litigation', 'test', 'a lawsuit');

-- the set form, with the capped customers from credit_event_caps()
SELECT l.customer_id, l.credit_limit, l.limit_source, l.credit_grade, l.valid_until, l.limit_method
FROM customer_class.credit_limits('2025-12-31',
		(SELECT array_agg(ec.customer_id) FROM customer_class.credit_event_caps('2025-12-31') ec)) l
WHERE l.customer_id BETWEEN 1951 AND 1955 ORDER BY 1;
SELECT * FROM customer_class.credit_event_caps('2025-12-31') WHERE customer_id BETWEEN 1951 AND 1955;

-- every customer: the per-customer forms and customer_profile agree with it
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

-- the functions Citus cannot plan with parameters are PL/pgSQL
SELECT p.proname, l.lanname FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_language l ON l.oid = p.prolang
WHERE p.pronamespace = 'customer_class'::regnamespace
  AND p.proname IN ('credit_limit_info', 'credit_check_mode', 'credit_limits', 'credit_event_caps')
ORDER BY 1;
ROLLBACK;
