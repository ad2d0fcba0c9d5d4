-- What belongs to whom (docs/backup.md).  Keep this fragment last: it acts on
-- everything the script created on the managed tables before it.
--
-- The managed tables customer, sales_order, invoice and payment (sources/tables.sql)
-- hold the user's books: they are the user's data, not the extension's.  So
-- the script creates them -- with their keys, foreign keys, indexes, triggers,
-- grants and comments -- and then hands them over: they leave the extension,
-- with their identity sequences.  pg_dump then writes them as ordinary tables:
-- the table, then its rows, then its foreign keys, indexes and triggers, so
-- that any restore (serial or pg_restore -j) loads rows that no foreign key
-- or trigger checks yet.  DROP EXTENSION refuses to drop them (their
-- triggers and the tags column depend on the extension) unless CASCADE, which
-- keeps the tables and their rows but drops what depends on the extension.
-- The views source_<role> (sources/binding.sql), which read them or the
-- relations bind_source() bound, are handed over the same way: pg_dump
-- writes each after the tables it reads, so a restore recreates the
-- binding on the restored tables.  The extension reads them only through
-- the late-bound src_*_rows() functions (sources/views.sql), so nothing of
-- the extension pins them or the tables.
--
-- Everything else is the extension's: configuration (registered with
-- pg_extension_config_dump, user rows only where shipped rows exist) and
-- derived state -- profile, class_history, alerts, the exposure ledger
-- credit_exposure and the refresh queue dirty -- dumped as it is, so a
-- restored database is in the very state the dump saw.
--
-- A restore runs CREATE EXTENSION before it creates the user's tables, so
-- there the tables must not be left behind: pg_dump's output and every
-- pg_restore session set check_function_bodies = off (the signal the credit
-- triggers also take for a restore; session_is_restore() reads the value the
-- session had before CREATE EXTENSION switched it off for this script), and
-- then the tables and views just created are dropped again, empty, for the
-- dump to create them as they were.  Nothing of the extension depends on
-- them, so a plain DROP does it.

CREATE FUNCTION @extschema@.session_is_restore() RETURNS boolean
	AS 'MODULE_PATHNAME', 'customer_class_session_is_restore'
	LANGUAGE C STABLE PARALLEL RESTRICTED;
REVOKE EXECUTE ON FUNCTION @extschema@.session_is_restore() FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.session_is_restore() IS
	'internal: true when the session runs with check_function_bodies off, as pg_dump''s output and pg_restore do (inside the extension''s script: the value the session had before it)';

DO $user_data$
BEGIN
	IF @extschema@.session_is_restore() THEN
		DROP VIEW @extschema@.source_customer, @extschema@.source_order, @extschema@.source_invoice,
			@extschema@.source_payment, @extschema@.source_credit_limit;
		DROP TABLE @extschema@.payment, @extschema@.invoice, @extschema@.sales_order, @extschema@.customer;
		-- pg_dump's output and pg_restore also set row_security off: with
		-- it on, this is more likely a user's session, so say what happened
		-- (a NOTICE would not show: the script runs with at least WARNING)
		IF pg_catalog.current_setting('row_security') = 'on' THEN
			RAISE WARNING 'check_function_bodies is off: taken for a restore, the managed tables are left to the dump to create'
				USING HINT = 'If this is not a restore, drop the extension and create it again with check_function_bodies on.';
		END IF;
	ELSE
		ALTER EXTENSION customer_class DROP TABLE @extschema@.customer;
		ALTER EXTENSION customer_class DROP TABLE @extschema@.sales_order;
		ALTER EXTENSION customer_class DROP TABLE @extschema@.invoice;
		ALTER EXTENSION customer_class DROP TABLE @extschema@.payment;
		ALTER EXTENSION customer_class DROP SEQUENCE @extschema@.customer_customer_id_seq;
		ALTER EXTENSION customer_class DROP SEQUENCE @extschema@.sales_order_order_id_seq;
		ALTER EXTENSION customer_class DROP SEQUENCE @extschema@.invoice_invoice_id_seq;
		ALTER EXTENSION customer_class DROP SEQUENCE @extschema@.payment_payment_id_seq;
		ALTER EXTENSION customer_class DROP VIEW @extschema@.source_customer;
		ALTER EXTENSION customer_class DROP VIEW @extschema@.source_order;
		ALTER EXTENSION customer_class DROP VIEW @extschema@.source_invoice;
		ALTER EXTENSION customer_class DROP VIEW @extschema@.source_payment;
		ALTER EXTENSION customer_class DROP VIEW @extschema@.source_credit_limit;
	END IF;
END
$user_data$;
