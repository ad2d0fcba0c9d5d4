-- credit_group_subtrees() (credit/group_views.sql) reads the customers whose
-- grade an unreviewed external event caps as customer_profile does: one
-- aggregate of credit_event_caps(), not a PL/pgSQL credit_event_cap() call
-- per group member.  The limits it gives are those of the one-customer rule
-- (credit_limit_info()), capped or not, for a date, another and NULL
-- (as_of()).  In a transaction rolled back at the end.
SET customer_class.as_of = '2025-12-31';
\set VERBOSITY default
\set SHOW_CONTEXT never
BEGIN;
-- a group of three levels (1971 > 1972 > 1973), no own limit but Shop's,
-- and a customer in no group (1974); East and Solo have an external event
INSERT INTO customer_class.customer (customer_id, name, credit_limit, created_on) VALUES
	(1971, 'Caps Holding', NULL, '2024-01-01'), (1974, 'Caps Solo', NULL, '2024-01-01');
INSERT INTO customer_class.customer (customer_id, name, credit_limit, created_on, parent_id) VALUES
	(1972, 'Caps East', NULL, '2024-01-01', 1971);
INSERT INTO customer_class.customer (customer_id, name, credit_limit, created_on, parent_id) VALUES
	(1973, 'Caps Shop', 900, '2024-01-01', 1972);
INSERT INTO customer_class.external_event (customer_id, event_on, kind, source, detail) VALUES
	(1972, '2025-12-20', 'litigation', 'test', 'a lawsuit'),
	(1974, '2025-12-01', 'enforcement', 'test', 'an enforcement');
SELECT * FROM customer_class.credit_event_caps('2025-12-31') WHERE customer_id BETWEEN 1971 AND 1974 ORDER BY 1;

-- == what the body reads: credit_event_caps(), not credit_event_cap() ==
SELECT p.proname AS reads
FROM pg_catalog.pg_depend d
JOIN pg_catalog.pg_proc p ON p.oid = d.refobjid
WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.refclassid = 'pg_catalog.pg_proc'::regclass
  AND d.objid = 'customer_class.credit_group_subtrees(date)'::regprocedure
  AND p.proname IN ('credit_event_cap', 'credit_event_caps', 'credit_limits')
ORDER BY 1;
-- ... inlined: neither is called in its plan
CREATE FUNCTION pg_temp.plan_lines(q text) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
	l text;
BEGIN
	FOR l IN EXECUTE 'EXPLAIN (COSTS OFF, VERBOSE) ' || q LOOP
		RETURN NEXT l;
	END LOOP;
END
$$;
SELECT count(*) FILTER (WHERE line ~ 'credit_event_caps?\(') AS cap_calls
FROM pg_temp.plan_lines($$SELECT * FROM customer_class.credit_group_subtrees('2025-12-31')$$) line;

-- == the limits: East is capped from 12-20 on (grade D: its policy), Shop
-- keeps its own, Solo is in no group ==
SELECT d, s.*
FROM unnest(ARRAY['2025-12-15', '2025-12-31']::date[]) d
CROSS JOIN LATERAL customer_class.credit_group_subtrees(d) s
WHERE s.customer_id BETWEEN 1971 AND 1974 ORDER BY 1, 2;
-- every member, at those dates and with the date left to as_of(): the
-- one-customer rule gives the same limits
SELECT d, count(*) AS members,
	   count(*) FILTER (WHERE s.credit_limit IS DISTINCT FROM (customer_class.credit_limit_info(s.customer_id, d)).credit_limit)
		   AS differing
FROM unnest(ARRAY['2025-12-15', '2025-12-31', NULL]::date[]) d
CROSS JOIN LATERAL customer_class.credit_group_subtrees(d) s
GROUP BY d ORDER BY d;
-- the views over it
SELECT customer_id, parent_id, group_id, level, own_exposure, subtree_exposure, credit_limit
FROM customer_class.credit_group WHERE customer_id BETWEEN 1971 AND 1974 ORDER BY 1;
SELECT customer_id, credit_limit, limit_source, group_id, group_exposure, group_credit_limit, group_available_credit
FROM customer_class.customer_profile WHERE customer_id BETWEEN 1971 AND 1974 ORDER BY 1;
ROLLBACK;
