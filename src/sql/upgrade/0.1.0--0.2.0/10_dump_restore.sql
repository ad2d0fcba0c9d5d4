-- 10_dump_restore: issue 14 part 2 -- the managed tables customer, sales_order, invoice and payment leave the extension (they are the user's data: pg_dump writes them as ordinary tables, so every restore path loads their rows before their foreign keys and triggers, and DROP EXTENSION no longer drops them); the src_* views read them through late-bound functions; the exposure ledger and the refresh queue are dumped as they are.
-- (src/sql/20_sources.sql, 55_refresh.sql, 61_exposure.sql, 99_user_data.sql; docs/backup.md)

-- the src_* views no longer name the tables (20_sources.sql): same columns,
-- same types, so CREATE OR REPLACE keeps the views, their comments, grants
-- and everything built on them
CREATE FUNCTION @extschema@.src_customer_rows()
	RETURNS TABLE (customer_id bigint, name text, customer_type text, industry text, region text,
				   size_class text, credit_limit numeric, payment_terms_days integer, created_on date,
				   tags @extschema@.tagset, payment_terms_basis text)
	LANGUAGE sql STABLE PARALLEL SAFE
AS $$
	SELECT customer_id, name, customer_type, industry, region, size_class,
		   credit_limit, payment_terms_days, created_on, tags, payment_terms_basis
	FROM @extschema@.customer
$$;

CREATE FUNCTION @extschema@.src_order_rows()
	RETURNS TABLE (order_id bigint, customer_id bigint, ordered_on date, amount numeric, status text,
				   shipped_on date)
	LANGUAGE sql STABLE PARALLEL SAFE
AS $$
	SELECT order_id, customer_id, ordered_on, amount, status, shipped_on
	FROM @extschema@.sales_order
$$;

CREATE FUNCTION @extschema@.src_invoice_rows()
	RETURNS TABLE (invoice_id bigint, customer_id bigint, order_id bigint, issued_on date, due_on date,
				   amount numeric)
	LANGUAGE sql STABLE PARALLEL SAFE
AS $$
	SELECT invoice_id, customer_id, order_id, issued_on, due_on, amount
	FROM @extschema@.invoice
$$;

CREATE FUNCTION @extschema@.src_payment_rows()
	RETURNS TABLE (payment_id bigint, customer_id bigint, invoice_id bigint, paid_on date, amount numeric,
				   kind text)
	LANGUAGE sql STABLE PARALLEL SAFE
AS $$
	SELECT payment_id, customer_id, invoice_id, paid_on, amount, kind
	FROM @extschema@.payment
$$;

-- Row locks do not pass through these functions: FOR UPDATE on a view over
-- a function call locks nothing (the rewriter marks tables only, and the
-- function is inlined later).  So the one caller that locks a source row --
-- the invoice trigger, which locks the order it bills -- locks it through
-- this function, late-bound like the others.
CREATE FUNCTION @extschema@.src_order_locked(order_id bigint)
	RETURNS TABLE (customer_id bigint, amount numeric, status text)
	LANGUAGE sql VOLATILE
AS $$
	SELECT so.customer_id, so.amount, so.status
	FROM @extschema@.sales_order so
	WHERE so.order_id = $1
	FOR NO KEY UPDATE
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.src_order_locked(bigint) FROM PUBLIC;

CREATE OR REPLACE VIEW @extschema@.src_customer WITH (security_invoker = true) AS
	SELECT customer_id, name, customer_type, industry, region, size_class,
		   credit_limit::numeric(18,2) AS credit_limit, payment_terms_days, created_on, tags, payment_terms_basis
	FROM @extschema@.src_customer_rows();

CREATE OR REPLACE VIEW @extschema@.src_order WITH (security_invoker = true) AS
	SELECT order_id, customer_id, ordered_on, amount::numeric(18,2) AS amount, status, shipped_on
	FROM @extschema@.src_order_rows();

CREATE OR REPLACE VIEW @extschema@.src_invoice WITH (security_invoker = true) AS
	SELECT invoice_id, customer_id, order_id, issued_on, due_on, amount::numeric(18,2) AS amount
	FROM @extschema@.src_invoice_rows();

CREATE OR REPLACE VIEW @extschema@.src_payment WITH (security_invoker = true) AS
	SELECT payment_id, customer_id, invoice_id, paid_on, amount::numeric(18,2) AS amount, kind
	FROM @extschema@.src_payment_rows();

COMMENT ON FUNCTION @extschema@.src_customer_rows() IS
	'internal: the rows of the managed table customer, for src_customer (late-bound: the view does not pin the table)';
COMMENT ON FUNCTION @extschema@.src_order_rows() IS
	'internal: the rows of the managed table sales_order, for src_order (late-bound: the view does not pin the table)';
COMMENT ON FUNCTION @extschema@.src_invoice_rows() IS
	'internal: the rows of the managed table invoice, for src_invoice (late-bound: the view does not pin the table)';
COMMENT ON FUNCTION @extschema@.src_payment_rows() IS
	'internal: the rows of the managed table payment, for src_payment (late-bound: the view does not pin the table)';

COMMENT ON FUNCTION @extschema@.src_order_locked(bigint) IS
	'internal: an order''s customer, amount and status, its row locked FOR NO KEY UPDATE (row locks do not pass through the late-bound src_order)';

-- the invoice trigger locks the order it bills through src_order_locked()
-- (62_credit_check.sql): row locks do not pass through the late-bound view
CREATE OR REPLACE FUNCTION @extschema@.credit_invoice_trigger() RETURNS trigger
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	-- the columns read: customer_id, amount, order_id, invoice_id
	o_cust bigint;
	o_amt numeric := 0;
	o_ord bigint;
	n_cust bigint;
	n_amt numeric := 0;
	n_ord bigint;
	ord bigint;
	billed numeric;
	so_cust bigint;
	so_amt numeric;
	so_status text;
	invoiced numeric;
	part numeric;
	d_open numeric := 0;	-- open part of the orders of n_cust
	d_ship numeric := 0;
	grow numeric;			-- what n_cust's exposure grows by
	e @extschema@.credit_exposure;
BEGIN
	IF TG_OP <> 'INSERT' THEN
		o_cust := OLD.customer_id;
		o_amt := OLD.amount;
		o_ord := OLD.order_id;
	END IF;
	IF TG_OP <> 'DELETE' THEN
		n_cust := NEW.customer_id;
		n_amt := NEW.amount;
		n_ord := NEW.order_id;
	END IF;
	IF o_cust IS NOT DISTINCT FROM n_cust AND o_amt = n_amt AND o_ord IS NOT DISTINCT FROM n_ord THEN
		RETURN NULL;
	END IF;

	-- the orders billed, old and new: their open part shrinks or grows
	FOREACH ord IN ARRAY ARRAY[o_ord, CASE WHEN n_ord IS DISTINCT FROM o_ord THEN n_ord END] LOOP
		CONTINUE WHEN ord IS NULL;
		billed := CASE WHEN ord = n_ord THEN n_amt ELSE 0 END - CASE WHEN ord = o_ord THEN o_amt ELSE 0 END;
		CONTINUE WHEN billed = 0;
		SELECT so.customer_id, so.amount, so.status INTO so_cust, so_amt, so_status
		FROM @extschema@.src_order_locked(ord) so;
		CONTINUE WHEN NOT FOUND;
		part := 0;
		IF so_status IN ('open', 'shipped') THEN
			SELECT coalesce(sum(si.amount), 0) INTO invoiced FROM @extschema@.src_invoice si WHERE si.order_id = ord;
			part := greatest(so_amt - invoiced, 0) - greatest(so_amt - (invoiced - billed), 0);
		END IF;
		IF so_cust IS NOT DISTINCT FROM n_cust THEN
			IF so_status = 'open' THEN
				d_open := d_open + part;
			ELSE
				d_ship := d_ship + part;
			END IF;
		ELSE
			PERFORM @extschema@.exposure_add(so_cust, CASE WHEN so_status = 'open' THEN part ELSE 0 END,
											 CASE WHEN so_status = 'shipped' THEN part ELSE 0 END, 0, 0);
		END IF;
	END LOOP;

	-- the invoice balance
	IF o_cust IS DISTINCT FROM n_cust THEN
		IF o_cust IS NOT NULL THEN
			PERFORM @extschema@.exposure_add(o_cust, 0, 0, -o_amt, 0);
		END IF;
		IF n_cust IS NULL THEN
			RETURN NULL;
		END IF;
		o_amt := 0;
	END IF;
	e := @extschema@.exposure_add(n_cust, d_open, d_ship, n_amt - o_amt, 0);
	grow := n_amt - o_amt + d_open + d_ship;
	IF n_amt > o_amt THEN
		PERFORM @extschema@.credit_enforce(n_cust, 'invoice', e.exposure, grow, 'invoice ' || NEW.invoice_id);
	ELSIF grow > 0 THEN
		PERFORM @extschema@.credit_watch(n_cust, e.exposure, grow, 'invoice ' || NEW.invoice_id);
	END IF;
	RETURN NULL;
END
$$;

-- a data-only restore with the managed tables' triggers on says so (55_refresh.sql)
CREATE OR REPLACE FUNCTION @extschema@.mark_dirty() RETURNS trigger
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	-- A restore never fires this on the managed tables: it loads their rows
	-- before it creates their triggers (99_user_data.sql).  A data-only
	-- restore into tables whose triggers are on does, and then the ledger and
	-- the queue are derived again beside the rows the dump brings for them:
	-- say so, with the repair.  (check_function_bodies off: the restore signal.)
	IF TG_TABLE_NAME IN ('customer', 'sales_order', 'invoice', 'payment')
	   AND pg_catalog.current_setting('check_function_bodies') = 'off' THEN
		RAISE WARNING 'rows written to %.% by a restore with the triggers on', TG_TABLE_SCHEMA, TG_TABLE_NAME
			USING DETAIL = 'The exposure ledger and the refresh queue are derived from them again, beside what the dump brings for them.',
				  HINT = 'Restore data only with session_replication_role = replica (docs/backup.md); after this restore, run SELECT customer_class.recompute_exposure().';
	END IF;
	-- each branch names only the transition tables its event has
	IF TG_OP = 'INSERT' THEN
		INSERT INTO @extschema@.dirty (customer_id) SELECT DISTINCT customer_id FROM new_rows;
	ELSIF TG_OP = 'UPDATE' THEN
		INSERT INTO @extschema@.dirty (customer_id)
		SELECT customer_id FROM new_rows UNION SELECT customer_id FROM old_rows;
	ELSE
		INSERT INTO @extschema@.dirty (customer_id) SELECT DISTINCT customer_id FROM old_rows;
	END IF;
	RETURN NULL;
END
$$;

-- what a restore is, as the install script asks it (99_user_data.sql)
CREATE FUNCTION @extschema@.session_is_restore() RETURNS boolean
	AS 'MODULE_PATHNAME', 'customer_class_session_is_restore'
	LANGUAGE C STABLE PARALLEL RESTRICTED;
REVOKE EXECUTE ON FUNCTION @extschema@.session_is_restore() FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.session_is_restore() IS
	'internal: true when the session runs with check_function_bodies off, as pg_dump''s output and pg_restore do (inside the extension''s script: the value the session had before it)';

-- the managed tables and their identity sequences leave the extension; this
-- also takes them out of pg_extension_config_dump (extconfig), where 0.1.0
-- had them
ALTER EXTENSION customer_class DROP TABLE @extschema@.customer;
ALTER EXTENSION customer_class DROP TABLE @extschema@.sales_order;
ALTER EXTENSION customer_class DROP TABLE @extschema@.invoice;
ALTER EXTENSION customer_class DROP TABLE @extschema@.payment;
ALTER EXTENSION customer_class DROP SEQUENCE @extschema@.customer_customer_id_seq;
ALTER EXTENSION customer_class DROP SEQUENCE @extschema@.sales_order_order_id_seq;
ALTER EXTENSION customer_class DROP SEQUENCE @extschema@.invoice_invoice_id_seq;
ALTER EXTENSION customer_class DROP SEQUENCE @extschema@.payment_payment_id_seq;

-- the ledger and the refresh queue are dumped whole (0.1.0: no row): a
-- restore no longer fires the triggers that rebuilt them
SELECT pg_catalog.pg_extension_config_dump('@extschema@.credit_exposure', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.dirty', '');
