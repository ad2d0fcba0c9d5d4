-- One owner per shape (issue 15).  The facts shape is credit_facts's:
-- txn_facts is built from it at install.  The profile's columns are the
-- profile table's: the places that must stay literal SQL (refresh_row, the
-- UPDATE and INSERT of refresh(), rule_subject, customer_profile) are
-- checked against it here, so that a column added to one and not to the
-- others shows in this output.  The credit rules on an exposure are written
-- once, in credit_exposure_rule(), which credit_evaluate() follows.
SET customer_class.as_of = '2025-12-31';

-- the columns of a table, view or row type
CREATE FUNCTION pg_temp.cols(rel regclass) RETURNS TABLE (name name, type regtype, pos smallint)
	LANGUAGE sql STABLE
	AS $$ SELECT a.attname, a.atttypid::regtype, a.attnum FROM pg_attribute a
		  WHERE a.attrelid = rel AND a.attnum > 0 AND NOT a.attisdropped $$;

-- == The facts ==
-- txn_facts is credit_facts less the four fields from the customer's own
-- columns, plus invoices and first_issued: every field not in both
SELECT coalesce(c.name, t.name) AS field, c.type AS in_credit_facts, t.type AS in_txn_facts
FROM pg_temp.cols('customer_class.credit_facts') c
FULL JOIN pg_temp.cols('customer_class.txn_facts') t ON t.name = c.name
WHERE c.type IS DISTINCT FROM t.type
ORDER BY coalesce(c.pos, 100), t.pos;
-- the fields in both are in the same order
SELECT (SELECT array_agg(c.name ORDER BY c.pos) FROM pg_temp.cols('customer_class.credit_facts') c
		WHERE c.name IN (SELECT name FROM pg_temp.cols('customer_class.txn_facts')))
	 = (SELECT array_agg(t.name ORDER BY t.pos) FROM pg_temp.cols('customer_class.txn_facts') t
		WHERE t.name IN (SELECT name FROM pg_temp.cols('customer_class.credit_facts'))) AS same_order;

-- == The profile ==
-- refresh_row, the work row of refresh(), carries every profile column
-- refresh() writes, of the same type (behaviour_segment is its segment);
-- the profile columns it does not carry, and why:
--   rfm_*: computed by refresh() from the quintile bounds after the rows;
--   rule_tags: written by apply_tag_rules()
SELECT p.name AS profile_column, p.type, r.type AS in_refresh_row
FROM pg_temp.cols('customer_class.profile') p
LEFT JOIN pg_temp.cols('customer_class.refresh_row') r
	ON r.name = CASE p.name WHEN 'behaviour_segment' THEN 'segment' ELSE p.name END
WHERE r.type IS DISTINCT FROM p.type
ORDER BY p.pos;

-- refresh() and rewind() write profiles with literal column lists: what
-- each list leaves out (customer_id is the key; refresh() leaves rule_tags
-- to apply_tag_rules()), and any name in it that is no profile column
CREATE TEMP VIEW profile_lists AS
WITH f AS (SELECT p.oid::regprocedure AS fn, p.prosrc FROM pg_proc p
		   WHERE p.oid IN ('customer_class.refresh(date, boolean)'::regprocedure,
						   'customer_class.rewind(date, text)'::regprocedure))
SELECT f.fn, 'insert' AS list, btrim(c, E' \t\n') AS name
FROM f, regexp_split_to_table(substring(f.prosrc FROM 'INSERT INTO customer_class\.profile(?: AS p)?\s*\(([^)]*)\)'), ',') c
UNION ALL
SELECT f.fn, 'update', m[1]
FROM f, regexp_matches(substring(f.prosrc FROM CASE f.fn::text WHEN 'customer_class.rewind(date,text)'
												THEN 'ON CONFLICT \(customer_id\) DO UPDATE SET(.*?);'
												ELSE 'UPDATE customer_class\.profile p SET(.*?)FROM \(SELECT' END),
					   '(\w+) = ', 'g') m;
SELECT k.fn, k.list, count(*) AS names,
	   ARRAY(SELECT c.name FROM pg_temp.cols('customer_class.profile') c
			 WHERE c.name NOT IN (SELECT l.name FROM profile_lists l WHERE l.fn = k.fn AND l.list = k.list)
			 ORDER BY c.pos) AS left_out,
	   ARRAY(SELECT l.name FROM profile_lists l WHERE l.fn = k.fn AND l.list = k.list
			 AND l.name NOT IN (SELECT c.name FROM pg_temp.cols('customer_class.profile') c)) AS not_columns
FROM profile_lists k
GROUP BY k.fn, k.list
ORDER BY k.fn::text, k.list;

-- rule_subject and customer_profile show profile columns under their own
-- names and types; the ones they leave out:
SELECT v.view, p.name AS profile_column, vc.type AS shown_as
FROM (VALUES ('customer_class.rule_subject'::regclass), ('customer_class.customer_profile'::regclass)) v (view)
CROSS JOIN pg_temp.cols('customer_class.profile') p
LEFT JOIN LATERAL (SELECT * FROM pg_temp.cols(v.view) c WHERE c.name = p.name) vc ON true
WHERE vc.type IS DISTINCT FROM p.type
ORDER BY v.view::text, p.pos;

-- one index for the profiles with rule tags (there were two alike)
SELECT i.indexrelid::regclass AS index, pg_get_indexdef(i.indexrelid) AS definition
FROM pg_index i WHERE i.indrelid = 'customer_class.profile'::regclass
ORDER BY 1::text;

-- == The credit rules on an exposure ==
-- the first that holds: grade D's prepayment, the limit, nearly used
SELECT g AS grade, grade_d, credit_limit, pct, exposure,
	   customer_class.credit_exposure_rule(g, grade_d, credit_limit, pct, exposure) AS rule
FROM (VALUES
	('D'::customer_class.credit_grade, 'on', 0::numeric, 90::numeric, 0.01::numeric),
	('D', 'on', 0, 90, 0),			-- a prepayment covers it exactly
	('D', 'on', 0, 90, -500),		-- prepaid
	('D', 'on', 5000, 90, 10),		-- grade D's own limit: prepayment still first
	('D', 'off', 0, 90, 0.01),		-- rule off: the limit of 0
	('A', 'on', 1000, 90, 899.99),
	('A', 'on', 1000, 90, 900),		-- 90 % of the limit
	('A', 'on', 1000, 90, 1000),
	('A', 'on', 1000, 90, 1000.01),
	('A', 'on', NULL, 90, 1e9),		-- no limit
	('B', 'on', 1000, NULL, 999),	-- no percentage: no nearly used
	('B', 'on', 1000, 90, NULL),	-- no exposure
	(NULL, NULL, 1000, 90, 950)		-- no grade (credit_watch, credit_alert_scan)
) x (g, grade_d, credit_limit, pct, exposure);

-- credit_evaluate() follows it (own limit 1000, nearly used at 90 %)
INSERT INTO customer_class.customer (customer_id, name, credit_limit, created_on)
VALUES (901, 'Shapes Ltd', 1000, '2024-01-01');
SELECT e AS exposure_after, v.violation, v.sqlstate, v.nearly_used, v.allowed
FROM unnest(ARRAY[899.99, 900, 1000, 1000.01]::numeric[]) e
CROSS JOIN LATERAL customer_class.credit_evaluate(901, 'order', e, 10) v;
DELETE FROM customer_class.customer WHERE customer_id = 901;
