-- credit_facts_final fills its txn_facts result by attribute name, checked
-- once per query against the result type.  A library under SQL objects of
-- another layout (an older or newer install script) must fail with an error
-- naming the field, never fill a row by position.  Each case below binds the
-- library's credit_facts_final to a row type of some shape, as a stale
-- install script would, and runs it through an aggregate.
CREATE SCHEMA facts_shape;
CREATE TABLE facts_shape.rows (kind "char", invoice_id bigint, amount numeric, d1 date, d2 date);
INSERT INTO facts_shape.rows VALUES
	('i', 11, 1000.00, '2025-09-01', '2025-10-01'),
	('i', 12, 2000.00, '2025-10-01', '2025-10-31'),
	('p', 11, 1000.00, '2025-09-25', NULL),
	('p', 12, 1500.00, '2025-11-10', NULL),
	('o', NULL, NULL, '2025-12-20', NULL);

-- shape(name, columns): a row type, credit_facts_final returning it, and an
-- aggregate facts_shape.<name>_agg over the library's transition functions
CREATE FUNCTION facts_shape.shape(name text, columns text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE format('CREATE TYPE facts_shape.%I AS (%s)', name, columns);
	EXECUTE format($f$CREATE FUNCTION facts_shape.%I(internal) RETURNS facts_shape.%I
		AS '$libdir/customer_class', 'credit_facts_final' LANGUAGE C$f$, name || '_final', name);
	EXECUTE format($f$CREATE AGGREGATE facts_shape.%I("char", bigint, numeric, date, date, date) (
		SFUNC = customer_class.credit_facts_accum, STYPE = internal,
		FINALFUNC = facts_shape.%I)$f$, name || '_agg', name || '_final');
END
$$;

-- the columns of txn_facts as declared, in the given order
CREATE FUNCTION facts_shape.columns(order_by text) RETURNS text
LANGUAGE sql AS $$
	SELECT string_agg(format('%I %s', attname, format_type(atttypid, atttypmod)), ', '
					  ORDER BY CASE WHEN order_by = 'reversed' THEN -attnum ELSE attnum END)
	FROM pg_attribute
	WHERE attrelid = 'customer_class.txn_facts'::regclass AND attnum > 0 AND NOT attisdropped
$$;

-- the same fields in the opposite order: filled by name, the same facts
SELECT facts_shape.shape('reversed', facts_shape.columns('reversed'));
SELECT to_jsonb(facts_shape.reversed_agg(kind, invoice_id, amount, d1, d2, '2025-12-31'))
	 = to_jsonb(customer_class.credit_facts_agg(kind, invoice_id, amount, d1, d2, '2025-12-31')) AS same_facts,
	(facts_shape.reversed_agg(kind, invoice_id, amount, d1, d2, '2025-12-31')).revenue_12m,
	(facts_shape.reversed_agg(kind, invoice_id, amount, d1, d2, '2025-12-31')).oldest_open_issued_on
FROM facts_shape.rows;

-- a dropped attribute is skipped: the row still has every field
SELECT facts_shape.shape('dropped', facts_shape.columns('declared') || ', gone integer');
ALTER TYPE facts_shape.dropped DROP ATTRIBUTE gone;
SELECT to_jsonb(facts_shape.dropped_agg(kind, invoice_id, amount, d1, d2, '2025-12-31'))
	 = to_jsonb(customer_class.credit_facts_agg(kind, invoice_id, amount, d1, d2, '2025-12-31')) AS same_facts
FROM facts_shape.rows;

-- a field missing (an older layout without oldest_open_issued_on)
SELECT facts_shape.shape('missing', regexp_replace(facts_shape.columns('declared'), ', oldest_open_issued_on date$', ''));
SELECT facts_shape.missing_agg(kind, invoice_id, amount, d1, d2, '2025-12-31') FROM facts_shape.rows;
\echo :LAST_ERROR_SQLSTATE
-- a field this library does not know (a newer layout)
SELECT facts_shape.shape('extra', facts_shape.columns('declared') || ', risk_flag boolean');
SELECT facts_shape.extra_agg(kind, invoice_id, amount, d1, d2, '2025-12-31') FROM facts_shape.rows;
\echo :LAST_ERROR_SQLSTATE
-- a field of another type
SELECT facts_shape.shape('retyped', replace(facts_shape.columns('declared'), 'orders_12m integer', 'orders_12m bigint'));
SELECT facts_shape.retyped_agg(kind, invoice_id, amount, d1, d2, '2025-12-31') FROM facts_shape.rows;
\echo :LAST_ERROR_SQLSTATE

SET client_min_messages = warning;
DROP SCHEMA facts_shape CASCADE;
RESET client_min_messages;
