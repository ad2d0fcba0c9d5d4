-- The managed tables (sources/tables.sql) are the user's data and outlive the
-- extension: DROP EXTENSION ... CASCADE keeps them and their rows (see
-- sources/user_data.sql and docs/backup.md).  Creating the extension again while
-- they are still in its schema would fail on the first CREATE TABLE with a
-- bare "already exists"; say instead what they are and what to do.
DO $left$
DECLARE
	left_over text;
BEGIN
	SELECT pg_catalog.string_agg(pg_catalog.quote_ident(t), ', ' ORDER BY t) INTO left_over
	FROM pg_catalog.unnest(ARRAY['customer', 'sales_order', 'invoice', 'payment']) AS t
	WHERE pg_catalog.to_regclass(pg_catalog.quote_ident('@extschema@') || '.' || pg_catalog.quote_ident(t)) IS NOT NULL;
	IF left_over IS NOT NULL THEN
		RAISE EXCEPTION 'the managed tables of customer_class are already there: %', left_over
			USING ERRCODE = 'duplicate_table',
				  DETAIL = 'They are user data that DROP EXTENSION customer_class CASCADE kept.',
				  HINT = 'Move them out of schema customer_class (ALTER TABLE ... SET SCHEMA) or drop them, create the extension, then copy their rows back.';
	END IF;
END
$left$;
