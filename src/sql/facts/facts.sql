-- The facts a credit score is computed from, per customer, as of a date.
-- One pass over each source view; read through src_* so that bound ERP
-- tables work the same as the managed ones.

CREATE TYPE @extschema@.credit_facts AS (
	revenue_12m		numeric,
	orders_12m		integer,
	order_months	integer,
	invoices_paid	integer,
	on_time_ratio	numeric,
	days_beyond_terms numeric,
	payment_index	numeric,
	recent_payment_index numeric,
	open_balance	numeric,
	overdue_balance	numeric,
	defaults		integer,
	tenure_days		integer,
	industry_points	numeric,
	region_points	numeric,
	external_score	numeric,
	invoices_12m	integer,
	overdue_invoices integer,
	revenue_180d	numeric,
	revenue_prior_180d numeric,
	orders_90d		integer,
	orders_prior_90d integer,
	first_order_on	date,
	last_order_on	date,
	previous_order_on date,
	overdue_30d_balance numeric,
	pay_days_median	numeric,
	pay_days_spread	numeric,
	last_pay_days	integer,
	prev_pay_days	integer,
	last_settled_on	date,
	oldest_open_issued_on date
);
COMMENT ON TYPE @extschema@.credit_facts IS
	'inputs of the credit score: revenue_12m, orders_12m, order_months (bit i = an order in the 30-day window i back from as_of), invoices_paid, on_time_ratio (by amount), days_beyond_terms (amount-weighted, signed: early is negative), payment_index (20-100, NULL below 3 paid invoices), recent_payment_index (the same over invoices settled in the last 90 days, NULL when none), open_balance, overdue_balance, defaults (open > 90 days past due), tenure_days, industry_points, region_points, external_score; and for lifecycle, segments and RFM: invoices_12m (invoices issued in the last 365 days), overdue_invoices (open and past due), revenue_180d (invoiced 0-179 days back), revenue_prior_180d (180-359 days back), orders_90d (0-89 days back), orders_prior_90d (90-179 days back), first_order_on, last_order_on, previous_order_on (the latest order day before last_order_on), overdue_30d_balance (open more than 30 days past due); and for payment-rhythm warnings, over fully settled invoices ordered by settlement day: pay_days_median and pay_days_spread (median and median absolute deviation of days from issue to settlement of every settlement but the last two; NULL when there are no such), last_pay_days and prev_pay_days (days to pay of the last two settlements), last_settled_on, oldest_open_issued_on (issue day of the oldest invoice not fully paid, NULL when none); cancelled orders do not count; for a customer with no order up to as_of (direct invoicing) its invoices stand for its orders in orders_12m, order_months, orders_90d, orders_prior_90d and the order days';

-- PAYDEX-style index from amount-weighted days beyond terms (signed):
-- 100 at 30 days early, 90 at 20 early, 80 on time, 70 at 15 late, 50 at 30,
-- 40 at 60, 30 at 90, 20 at 120 and later; linear in between.
CREATE FUNCTION @extschema@.payment_index(days_beyond_terms numeric) RETURNS numeric
	AS 'MODULE_PATHNAME', 'payment_index_numeric'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.payment_index(numeric) IS
	'PAYDEX-style payment index 20-100 from amount-weighted days beyond terms (negative = early)';

-- Risk points of a tag: the longest matching risk_factor prefix of the
-- scorecard.  credit_facts() applies the same rule as a join (see there).
CREATE FUNCTION @extschema@.risk_points(scorecard_id text, tag text) RETURNS numeric
	LANGUAGE sql STABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
	SELECT r.points FROM @extschema@.risk_factor r
	WHERE r.scorecard_id = risk_points.scorecard_id
	  AND (tag = r.prefix OR pg_catalog.starts_with(tag, r.prefix || '.'))
	ORDER BY length(r.prefix) DESC
	LIMIT 1;
END;
COMMENT ON FUNCTION @extschema@.risk_points(text, text) IS
	'risk points of a tag (industry.x, region.x.y) under a scorecard: the longest matching prefix';

-- What one customer's transactions say, from credit_facts_agg.  The facts
-- shape has one owner, credit_facts above: txn_facts is built from it, so
-- that the two cannot drift apart.  Its fields are those of credit_facts, in
-- their order and with their types, less the four that come from the
-- customer's own columns (credit_facts_of adds them), plus two that only the
-- aggregate knows: invoices (after order_months) and first_issued (after
-- defaults; credit_facts_of computes tenure_days from it).  The C code
-- fills and reads both types by field name, checking every field once per
-- query (src/facts_agg.c, src/facts_row.c).
DO $txn_facts$
DECLARE
	fields text;
BEGIN
	SELECT pg_catalog.string_agg(pg_catalog.format('%I %s', a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod))
								 || CASE a.attname WHEN 'order_months' THEN ', invoices integer'
												   WHEN 'defaults' THEN ', first_issued date'
												   ELSE '' END,
								 ', ' ORDER BY a.attnum)
	INTO fields
	FROM pg_catalog.pg_attribute a
	WHERE a.attrelid = '@extschema@.credit_facts'::pg_catalog.regclass AND a.attnum > 0 AND NOT a.attisdropped
	  AND a.attname NOT IN ('tenure_days', 'industry_points', 'region_points', 'external_score');
	EXECUTE pg_catalog.format('CREATE TYPE @extschema@.txn_facts AS (%s)', fields);
END
$txn_facts$;
COMMENT ON TYPE @extschema@.txn_facts IS
	'per-customer transaction facts from credit_facts_agg (see credit_facts for the meaning of each field; invoices counts invoices issued by as_of, first_issued is the first issue date)';

CREATE FUNCTION @extschema@.credit_facts_accum(internal, "char", bigint, numeric, date, date, date)
	RETURNS internal AS 'MODULE_PATHNAME', 'credit_facts_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.credit_facts_combine(internal, internal)
	RETURNS internal AS 'MODULE_PATHNAME', 'credit_facts_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.credit_facts_serialize(internal)
	RETURNS bytea AS 'MODULE_PATHNAME', 'credit_facts_serialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.credit_facts_deserialize(bytea, internal)
	RETURNS internal AS 'MODULE_PATHNAME', 'credit_facts_deserialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.credit_facts_final(internal)
	RETURNS @extschema@.txn_facts AS 'MODULE_PATHNAME', 'credit_facts_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- credit_facts_agg(kind, invoice_id, amount, d1, d2, as_of) over a UNION
-- ALL of a customer's invoices ('i': d1 issued, d2 due), payments and credit
-- notes ('p': d1 paid; invoice_id NULL when unapplied) and orders ('o': d1
-- ordered).  Payments are matched to invoices inside the aggregate, so no
-- join is needed.  Amounts: at most four decimals (exact integer arithmetic).
COMMENT ON FUNCTION @extschema@.credit_facts_accum(internal, "char", bigint, numeric, date, date, date) IS
	'transition function of credit_facts_agg: adds one invoice, payment or order row to the per-customer state';
COMMENT ON FUNCTION @extschema@.credit_facts_combine(internal, internal) IS
	'combine function of credit_facts_agg: merges two partial states (parallel aggregation)';
COMMENT ON FUNCTION @extschema@.credit_facts_serialize(internal) IS
	'serial function of credit_facts_agg: the state as bytea, to pass between parallel workers';
COMMENT ON FUNCTION @extschema@.credit_facts_deserialize(bytea, internal) IS
	'deserial function of credit_facts_agg: a state back from its bytea form';
COMMENT ON FUNCTION @extschema@.credit_facts_final(internal) IS
	'final function of credit_facts_agg: matches payments to invoices and computes the txn_facts';

-- SSPACE: a state holds the customer's invoices (eight inline, more in an
-- array), about a kilobyte for a customer with a dozen invoices.  Without
-- it the planner assumes 8 kB per group and makes a hash aggregate spill
-- after 65,536 customers even when memory would hold them all.
CREATE AGGREGATE @extschema@.credit_facts_agg("char", bigint, numeric, date, date, date) (
	SFUNC = @extschema@.credit_facts_accum,
	STYPE = internal,
	SSPACE = 1024,
	FINALFUNC = @extschema@.credit_facts_final,
	COMBINEFUNC = @extschema@.credit_facts_combine,
	SERIALFUNC = @extschema@.credit_facts_serialize,
	DESERIALFUNC = @extschema@.credit_facts_deserialize,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.credit_facts_agg("char", bigint, numeric, date, date, date) IS
	'per-customer transaction facts from a UNION ALL of invoices (i), payments (p) and orders (o), as of the last argument';

-- credit_facts_of(txn, as_of, created_on, industry_points, region_points,
-- external_score): one customer's credit_facts from its txn_facts (NULL: no
-- transactions) and its own columns.  The counts and amounts are 0 rather
-- than NULL for a customer without them; tenure_days is as_of minus the
-- earlier of created_on and the first invoice.  In C, because the same row
-- built with ROW() takes the txn_facts row apart once per attribute.
CREATE FUNCTION @extschema@.credit_facts_of(txn @extschema@.txn_facts, as_of date, created_on date,
											industry_points numeric, region_points numeric,
											external_score numeric)
	RETURNS @extschema@.credit_facts
	AS 'MODULE_PATHNAME', 'credit_facts_of'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.credit_facts_of(@extschema@.txn_facts, date, date, numeric, numeric, numeric) IS
	'one customer''s credit_facts from its txn_facts (NULL: no transactions; counts and amounts then 0) and its own columns: tenure_days = as_of - least(created_on, first invoice)';

-- credit_facts_txn(customer_id, as_of): one customer's txn_facts (NULL
-- when it has no transaction), for credit_facts(), which inlines it in a
-- lateral join.  The three sources form one UNION ALL whose branches have no
-- WHERE of their own and the same column types, so that the planner
-- flattens it into an append of index scans on (customer_id, date).  An
-- aggregate without GROUP BY: one row whether or not there are
-- transactions (with their number beside it: a function of one composite
-- column would read as that type's columns; not the customer id, which
-- would answer for a customer the caller may not see).  A function of its own so that
-- refresh() on Citus can run it apart (refresh_compute): Citus pushes a
-- UNION ALL down to the shards only in a query whose every join is on the
-- distribution column.
CREATE FUNCTION @extschema@.credit_facts_txn(customer_id bigint, as_of date)
	RETURNS TABLE (transactions bigint, f @extschema@.txn_facts)
	LANGUAGE sql STABLE PARALLEL SAFE
AS $$
	SELECT count(*) AS transactions, @extschema@.credit_facts_agg(t.kind, t.invoice_id, t.amount, t.d1, t.d2, $2) AS f
	FROM (
		SELECT 'i'::"char" AS kind, i.customer_id, i.invoice_id, i.amount, i.issued_on AS d1,
			   i.due_on AS d2, false AS cancelled
		FROM @extschema@.src_invoice i
		UNION ALL
		SELECT 'p'::"char", p.customer_id, p.invoice_id, p.amount, p.paid_on, NULL::date, false
		FROM @extschema@.src_payment p
		UNION ALL
		SELECT 'o'::"char", o.customer_id, NULL::bigint, NULL::numeric, o.ordered_on, NULL::date,
			   o.status = 'cancelled'
		FROM @extschema@.src_order o
	) t
	WHERE t.customer_id = $1 AND t.d1 <= $2 AND NOT t.cancelled
$$;
COMMENT ON FUNCTION @extschema@.credit_facts_txn(bigint, date) IS
	'one customer''s transaction facts (credit_facts_agg over its invoices, payments and orders up to as_of; NULL when none) and their number, for credit_facts()';

-- credit_facts(as_of, scorecard_id, customers, from_customer, to_customer):
-- the facts of every customer, of those listed, or of those with
-- from_customer <= customer_id < to_customer (NULL: unbounded).  A SQL
-- function the planner inlines, so the filters reach the index scans.
--
-- Each customer's transactions are aggregated one customer at a time
-- (constant memory) by credit_facts_txn() in a lateral join.  As fast as
-- aggregating the sources read in customer_id order and LEFT JOINed to the
-- customers (measured, 100,000 customers), and unlike that form Citus can
-- push it down to the shards when the sources are distributed by
-- customer_id and colocated: it cannot push down an outer join whose inner
-- side is a UNION ALL (docs/citus.md).  refresh() cuts a full run into
-- customer_id ranges, so that parallel workers take whole ranges (see
-- refresh_rows_query).
CREATE FUNCTION @extschema@.credit_facts(as_of date, scorecard_id text, customers bigint[] DEFAULT NULL,
										 from_customer bigint DEFAULT NULL, to_customer bigint DEFAULT NULL)
	RETURNS TABLE (customer_id bigint, facts @extschema@.credit_facts)
	LANGUAGE sql STABLE PARALLEL SAFE
AS $$
	WITH card AS (
		SELECT s.external_max_age_days FROM @extschema@.scorecard s WHERE s.scorecard_id = $2
	),
	ext AS (
		SELECT DISTINCT ON (e.customer_id) e.customer_id, e.score
		FROM @extschema@.external_score e, card
		WHERE e.scored_on <= $1 AND e.scored_on > $1 - card.external_max_age_days
		  AND ($3 IS NULL OR e.customer_id = ANY ($3))
		  AND ($4 IS NULL OR e.customer_id >= $4) AND ($5 IS NULL OR e.customer_id < $5)
		ORDER BY e.customer_id, e.scored_on DESC, e.imported_at DESC
	),
	risk AS (
		SELECT r.prefix, r.points FROM @extschema@.risk_factor r WHERE r.scorecard_id = $2
	)
	SELECT c.customer_id,
		   @extschema@.credit_facts_of(t.f, $1, c.created_on,
									   coalesce(ind.points, (SELECT points FROM risk WHERE prefix = 'industry')),
									   coalesce(reg.points, (SELECT points FROM risk WHERE prefix = 'region')),
									   ext.score)
	FROM @extschema@.src_customer c
	CROSS JOIN LATERAL @extschema@.credit_facts_txn(c.customer_id, $1) t
	LEFT JOIN ext ON ext.customer_id = c.customer_id
	-- the longest matching risk prefix, looked up once per distinct value
	-- among the customers asked for (only those are read): risk_points()'s
	-- rule, as a join with the scorecard's risk factors rather than a call,
	-- because on Citus the call would run on the workers, where a function
	-- may not query a distributed or reference table
	-- (GROUP BY, not DISTINCT in a subquery: a grouped subquery is not
	-- pulled up, so the lookup runs once per group, not once per customer)
	LEFT JOIN (SELECT DISTINCT ON (s.industry) s.industry, r.points
			   FROM (SELECT s.industry FROM @extschema@.src_customer s
					 WHERE ($3 IS NULL OR s.customer_id = ANY ($3))
					   AND ($4 IS NULL OR s.customer_id >= $4) AND ($5 IS NULL OR s.customer_id < $5)
					 GROUP BY s.industry) s
			   JOIN risk r ON 'industry.' || s.industry = r.prefix
							  OR pg_catalog.starts_with('industry.' || s.industry, r.prefix || '.')
			   ORDER BY s.industry, length(r.prefix) DESC) ind
		ON ind.industry = c.industry
	LEFT JOIN (SELECT DISTINCT ON (s.region) s.region, r.points
			   FROM (SELECT s.region FROM @extschema@.src_customer s
					 WHERE ($3 IS NULL OR s.customer_id = ANY ($3))
					   AND ($4 IS NULL OR s.customer_id >= $4) AND ($5 IS NULL OR s.customer_id < $5)
					 GROUP BY s.region) s
			   JOIN risk r ON 'region.' || s.region = r.prefix
							  OR pg_catalog.starts_with('region.' || s.region, r.prefix || '.')
			   ORDER BY s.region, length(r.prefix) DESC) reg
		ON reg.region = c.region
	WHERE ($3 IS NULL OR c.customer_id = ANY ($3))
	  AND ($4 IS NULL OR c.customer_id >= $4) AND ($5 IS NULL OR c.customer_id < $5)
$$;
COMMENT ON FUNCTION @extschema@.credit_facts(date, text, bigint[], bigint, bigint) IS
	'per-customer credit facts as of a date under a scorecard (risk factors, external score age): all customers, those listed, or those with from_customer <= customer_id < to_customer';
