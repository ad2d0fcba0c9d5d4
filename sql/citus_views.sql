-- The views on Citus (docs/citus.md, issue 19): no view of the extension
-- calls, per row, a function that reads a table (Citus cannot run it from a
-- query on a shard), and none reads other customers through a correlated
-- sub-select (a credit group's members are on different shards).  The
-- set-returning forms the views join instead must agree with the per-row
-- functions.  In a transaction rolled back at the end.
SET customer_class.as_of = '2025-12-31';
\set VERBOSITY default
\set SHOW_CONTEXT never
BEGIN;
-- a group of three levels (1901 > 1902 > 1903) and a customer in no group
-- (1904); overdue, due soon and disputed invoices, dunned at 12-31
INSERT INTO customer_class.customer (customer_id, name, credit_limit, created_on) VALUES
	(1901, 'Views Holding', 5000, '2024-01-01'), (1904, 'Views Solo', 1000, '2024-01-01');
INSERT INTO customer_class.customer (customer_id, name, credit_limit, created_on, parent_id) VALUES
	(1902, 'Views East', 3000, '2024-01-01', 1901);
INSERT INTO customer_class.customer (customer_id, name, credit_limit, created_on, parent_id) VALUES
	(1903, 'Views Shop', 1000, '2024-01-01', 1902);
INSERT INTO customer_class.invoice (invoice_id, customer_id, issued_on, due_on, amount) VALUES
	(919021, 1902, '2025-10-01', '2025-10-31', 800.00), (919022, 1902, '2025-12-01', '2025-12-20', 300.00),
	(919031, 1903, '2025-11-01', '2025-12-01', 400.00), (919041, 1904, '2025-12-10', '2026-01-05', 200.00);
INSERT INTO customer_class.payment (payment_id, customer_id, invoice_id, paid_on, amount) VALUES
	(919021, 1902, 919021, '2025-12-10', 100.00);
SELECT customer_class.open_dispute(919031, 'wrong goods', '2025-12-15') IS NOT NULL AS disputed;
SELECT customer_class.dunning_run('2025-12-31') > 0 AS dunned;

-- == The per-row functions the views still call: none (customer_profile's
-- group limits come from credit_group_subtrees() too) ==
SELECT v.relname AS view, p.proname AS calls
FROM pg_catalog.pg_depend d
JOIN pg_catalog.pg_rewrite r ON r.oid = d.objid
JOIN pg_catalog.pg_class v ON v.oid = r.ev_class
JOIN pg_catalog.pg_proc p ON p.oid = d.refobjid
WHERE d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.refclassid = 'pg_catalog.pg_proc'::regclass
  AND v.relnamespace = 'customer_class'::regnamespace
  AND p.proname IN ('invoice_disputed', 'customer_dunning_level', 'credit_limit', 'credit_limit_info',
					'credit_group_limits', 'credit_event_cap', 'class_in_force')
ORDER BY 1, 2;

-- == disputed_invoices(): invoice_disputed() for every invoice ==
SELECT * FROM customer_class.disputed_invoices('2025-12-31') WHERE customer_id BETWEEN 1901 AND 1904 ORDER BY 1, 2;
SELECT count(*) AS invoices,
	   count(*) FILTER (WHERE customer_class.invoice_disputed(i.invoice_id, i.customer_id, d.d)
						IS DISTINCT FROM (x.invoice_id IS NOT NULL)) AS differing
FROM (VALUES (date '2025-12-14'), ('2025-12-31')) d(d)
CROSS JOIN customer_class.invoice i
LEFT JOIN LATERAL customer_class.disputed_invoices(d.d) x ON x.customer_id = i.customer_id AND x.invoice_id = i.invoice_id;

-- == customer_dunning_levels(): customer_dunning_level() for every customer ==
SELECT * FROM customer_class.customer_dunning_levels('2025-12-31') WHERE customer_id BETWEEN 1901 AND 1904 ORDER BY 1;
SELECT count(*) AS customers,
	   count(*) FILTER (WHERE customer_class.customer_dunning_level(c.customer_id, d.d)
						<> coalesce(l.dunning_level, 0)) AS differing
FROM (VALUES (date '2025-11-30'), ('2025-12-31')) d(d)
CROSS JOIN customer_class.customer c
LEFT JOIN LATERAL customer_class.customer_dunning_levels(d.d) l ON l.customer_id = c.customer_id;

-- == credit_group_subtrees(): each member's subtree and limit ==
SELECT * FROM customer_class.credit_group_subtrees('2025-12-31') WHERE customer_id BETWEEN 1901 AND 1904 ORDER BY 1;
-- as credit_group_limits() has them for every ancestor of every member
SELECT count(*) AS limits,
	   count(*) FILTER (WHERE (l.group_exposure, l.credit_limit) IS DISTINCT FROM (s.subtree_exposure, s.credit_limit))
		   AS differing
FROM customer_class.credit_exposure m
CROSS JOIN LATERAL customer_class.credit_group_limits(m.customer_id) l
LEFT JOIN customer_class.credit_group_subtrees('2025-12-31') s ON s.customer_id = l.group_id
WHERE m.group_path IS NOT NULL;

-- == The views: the same as the per-row functions gave ==
SELECT customer_id, group_id, group_exposure, group_credit_limit, group_available_credit,
	   credit_limit, limit_source, available_credit
FROM customer_class.customer_profile WHERE customer_id BETWEEN 1901 AND 1904 ORDER BY customer_id;
SELECT p.customer_id,
	   (SELECT least(customer_class.credit_limit(p.customer_id) - p.exposure, min(l.credit_limit - l.group_exposure))
		FROM customer_class.credit_group_limits(p.customer_id) l HAVING count(*) > 0)
		   IS NOT DISTINCT FROM p.group_available_credit AS same_available,
	   customer_class.credit_limit(p.customer_id) IS NOT DISTINCT FROM p.credit_limit AS same_limit
FROM customer_class.customer_profile p WHERE p.customer_id BETWEEN 1901 AND 1904 ORDER BY 1;
-- the due_reminders view lists due_reminders(14) in its order
SELECT (SELECT array_agg(r.invoice_id) FROM customer_class.due_reminders r)
	   = (SELECT array_agg(f.invoice_id) FROM customer_class.due_reminders(14) f) AS same_rows_same_order,
	   (SELECT count(*) FROM customer_class.due_reminders) AS reminders;
SELECT invoice_id, status, dunning_level, disputed FROM customer_class.due_reminders
WHERE customer_id BETWEEN 1901 AND 1904 ORDER BY invoice_id;
ROLLBACK;
