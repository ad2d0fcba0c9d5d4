-- 0.2.0 -> 0.3.0, the check menu (issue 18 A): rules horizon, document_value and overdue_ratio per checkpoint, grade or customer (credit_check_rule), sales_order.planned_ship_on and src_order.planned_ship_on.

-- sources/tables.sql: the rule horizon's date on the managed orders (the
-- user's table: added in place, at the end like in a fresh install)
ALTER TABLE @extschema@.sales_order ADD COLUMN planned_ship_on date;
COMMENT ON COLUMN @extschema@.sales_order.planned_ship_on IS
	'requested or planned delivery date; the credit check rule horizon counts an open order only when it is due to ship within its days (NULL: always counted)';

-- sources/binding.sql: the canonical shape gains the optional order column
CREATE OR REPLACE FUNCTION @extschema@.source_shape()
	RETURNS TABLE (role text, ordinal integer, column_name text, data_type regtype,
				   required boolean, default_value text)
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
	VALUES
		('customer', 1, 'customer_id', 'pg_catalog.int8'::pg_catalog.regtype, true, NULL),
		('customer', 2, 'name', 'pg_catalog.text', true, NULL),
		('customer', 3, 'customer_type', 'pg_catalog.text', false, '''enterprise'''),
		('customer', 4, 'industry', 'pg_catalog.text', false, NULL),
		('customer', 5, 'region', 'pg_catalog.text', false, NULL),
		('customer', 6, 'size_class', 'pg_catalog.text', false, NULL),
		('customer', 7, 'credit_limit', 'pg_catalog.numeric', false, NULL),
		('customer', 8, 'payment_terms_days', 'pg_catalog.int4', false, '30'),
		('customer', 9, 'created_on', 'pg_catalog.date', false, NULL),
		('customer', 10, 'tags', '@extschema@.tagset', false, '''{}'''),
		('customer', 11, 'payment_terms_basis', 'pg_catalog.text', false, '''invoice'''),
		('order', 1, 'order_id', 'pg_catalog.int8', true, NULL),
		('order', 2, 'customer_id', 'pg_catalog.int8', true, NULL),
		('order', 3, 'ordered_on', 'pg_catalog.date', true, NULL),
		('order', 4, 'amount', 'pg_catalog.numeric', true, NULL),
		('order', 5, 'status', 'pg_catalog.text', false, '''open'''),
		('order', 6, 'shipped_on', 'pg_catalog.date', false, NULL),
		('order', 7, 'company_id', 'pg_catalog.int8', false, NULL),
		('order', 8, 'cost', 'pg_catalog.numeric', false, NULL),
		('order', 9, 'planned_ship_on', 'pg_catalog.date', false, NULL),
		('invoice', 1, 'invoice_id', 'pg_catalog.int8', true, NULL),
		('invoice', 2, 'customer_id', 'pg_catalog.int8', true, NULL),
		('invoice', 3, 'order_id', 'pg_catalog.int8', false, NULL),
		('invoice', 4, 'issued_on', 'pg_catalog.date', true, NULL),
		('invoice', 5, 'due_on', 'pg_catalog.date', true, NULL),
		('invoice', 6, 'amount', 'pg_catalog.numeric', true, NULL),
		('invoice', 7, 'company_id', 'pg_catalog.int8', false, NULL),
		('invoice', 8, 'cost', 'pg_catalog.numeric', false, NULL),
		('payment', 1, 'payment_id', 'pg_catalog.int8', true, NULL),
		('payment', 2, 'customer_id', 'pg_catalog.int8', true, NULL),
		('payment', 3, 'invoice_id', 'pg_catalog.int8', false, NULL),
		('payment', 4, 'paid_on', 'pg_catalog.date', true, NULL),
		('payment', 5, 'amount', 'pg_catalog.numeric', true, NULL),
		('payment', 6, 'kind', 'pg_catalog.text', false, '''payment'''),
		('payment', 7, 'company_id', 'pg_catalog.int8', false, NULL),
		('credit_limit', 1, 'customer_id', 'pg_catalog.int8', true, NULL),
		('credit_limit', 2, 'company_id', 'pg_catalog.int8', false, NULL),
		('credit_limit', 3, 'credit_limit', 'pg_catalog.numeric', true, NULL)
$$;

-- source_order (the user's view, not a member) gains the column: rebuilt as
-- bound (unmapped: NULL) or over sales_order.  CREATE OR REPLACE in an
-- extension script needs a member: it is one for the time of it.
ALTER EXTENSION customer_class ADD VIEW @extschema@.source_order;
DO $menu_source$
DECLARE
	b record;
BEGIN
	SELECT * INTO b FROM @extschema@.source_binding sb WHERE sb.role = 'order';
	IF FOUND AND pg_catalog.to_regclass(b.relation) IS NOT NULL THEN
		EXECUTE @extschema@.source_view_sql('order', b.relation::regclass, b.columns, b.filter);
	ELSE
		PERFORM @extschema@.source_view_default('order');
	END IF;
END
$menu_source$;
-- its columns carry src_order's comments (sources/views.sql)
COMMENT ON COLUMN @extschema@.source_order.planned_ship_on IS 'requested or planned delivery date (NULL: none; the rule horizon then counts the order)';
ALTER EXTENSION customer_class DROP VIEW @extschema@.source_order;

-- sources/views.sql: src_order_rows() gains the column (a new result
-- column: dropped and created again, src_order reading the source view
-- meanwhile)
CREATE OR REPLACE VIEW @extschema@.src_order WITH (security_invoker = true) AS
	SELECT order_id, customer_id, ordered_on, amount::numeric(18,2) AS amount, status, shipped_on, company_id,
		   cost::numeric(18,2) AS cost
	FROM @extschema@.source_order;
DROP FUNCTION @extschema@.src_order_rows();
CREATE FUNCTION @extschema@.src_order_rows()
	RETURNS TABLE (order_id bigint, customer_id bigint, ordered_on date, amount numeric, status text,
				   shipped_on date, company_id bigint, cost numeric, planned_ship_on date)
	LANGUAGE sql STABLE PARALLEL SAFE
AS $$
	SELECT order_id, customer_id, ordered_on, amount, status, shipped_on, company_id, cost, planned_ship_on
	FROM @extschema@.source_order
$$;

CREATE OR REPLACE VIEW @extschema@.src_order WITH (security_invoker = true) AS
	SELECT order_id, customer_id, ordered_on, amount::numeric(18,2) AS amount, status, shipped_on, company_id,
		   cost::numeric(18,2) AS cost, planned_ship_on
	FROM @extschema@.src_order_rows();
COMMENT ON COLUMN @extschema@.src_order.planned_ship_on IS 'requested or planned delivery date (NULL: none; the rule horizon then counts the order)';
COMMENT ON FUNCTION @extschema@.src_order_rows() IS
	'internal: the rows of source_order (the managed table sales_order or the bound relation), for src_order (late-bound: the view does not pin it)';

-- credit/menu.sql, whole (new)
CREATE TABLE @extschema@.credit_check_rule (
	rule_id			bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	rule			text NOT NULL,
	checkpoint		text,
	grade			@extschema@.credit_grade,
	customer_id		bigint,
	enabled			boolean NOT NULL DEFAULT true,
	days			integer,
	amount			numeric(18,2),
	pct				numeric,
	reason			text NOT NULL DEFAULT '',
	set_by			name NOT NULL DEFAULT CURRENT_USER,
	set_at			timestamptz NOT NULL DEFAULT pg_catalog.now(),
	expires_on		date,
	-- one row per scope, so that "the most specific row" is one row
	CONSTRAINT credit_check_rule_scope_key UNIQUE NULLS NOT DISTINCT (rule, checkpoint, grade, customer_id)
);
CREATE INDEX credit_check_rule_customer_idx ON @extschema@.credit_check_rule (customer_id) WHERE customer_id IS NOT NULL;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.credit_check_rule', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.credit_check_rule_rule_id_seq', '');

-- The rules there are and the parameters each takes, with errors that say
-- what to write (a CHECK constraint could only name itself).
CREATE FUNCTION @extschema@.credit_check_rule_validate() RETURNS trigger
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	wanted text[];
	given text[];
BEGIN
	IF NEW.rule IS NULL OR NEW.rule NOT IN ('horizon', 'document_value', 'overdue_ratio') THEN
		RAISE EXCEPTION 'unknown credit check rule "%"', coalesce(NEW.rule, 'NULL')
			USING ERRCODE = 'undefined_object',
				  HINT = 'The rules are horizon (days), document_value (amount) and overdue_ratio (days, pct).';
	END IF;
	IF NEW.checkpoint NOT IN ('order', 'delivery', 'invoice') THEN
		RAISE EXCEPTION 'unknown credit checkpoint "%"', NEW.checkpoint
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'The checkpoints are order, delivery and invoice; NULL sets the rule for every checkpoint.';
	END IF;
	IF NEW.grade IS NOT NULL AND NEW.customer_id IS NOT NULL THEN
		RAISE EXCEPTION 'credit check rule % is set for grade % and customer % at once', NEW.rule, NEW.grade, NEW.customer_id
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Give a grade or a customer (neither: everyone); a customer''s row wins over its grade''s.';
	END IF;
	wanted := CASE NEW.rule WHEN 'horizon' THEN '{days}' WHEN 'document_value' THEN '{amount}'
							ELSE '{days,pct}' END;
	given := array_remove(ARRAY[CASE WHEN NEW.days IS NOT NULL THEN 'days' END,
								CASE WHEN NEW.amount IS NOT NULL THEN 'amount' END,
								CASE WHEN NEW.pct IS NOT NULL THEN 'pct' END], NULL);
	-- a row that switches the rule off needs no parameters, but takes no others
	IF NOT given <@ wanted OR (NEW.enabled AND NOT wanted <@ given) THEN
		RAISE EXCEPTION 'credit check rule % takes %, not %', NEW.rule, array_to_string(wanted, ' and '),
			CASE WHEN given = '{}' THEN 'nothing' ELSE array_to_string(given, ' and ') END
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = CASE NEW.rule
					  WHEN 'horizon' THEN 'days: open orders count when due to ship within that many days (0-3650).'
					  WHEN 'document_value' THEN 'amount: the largest value of one document (0 or more).'
					  ELSE 'days: past due by more than that many days (0-9999); pct: the largest share of the open balance so overdue, in percent (0-100).' END;
	END IF;
	IF NEW.days NOT BETWEEN 0 AND (CASE NEW.rule WHEN 'horizon' THEN 3650 ELSE 9999 END)
	   OR NEW.amount < 0 OR NEW.pct NOT BETWEEN 0 AND 100 THEN
		RAISE EXCEPTION 'credit check rule %: % out of range', NEW.rule,
			concat_ws(', ', 'days ' || NEW.days, 'amount ' || NEW.amount, 'pct ' || NEW.pct)
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = CASE NEW.rule
					  WHEN 'horizon' THEN 'days is 0 to 3650.'
					  WHEN 'document_value' THEN 'amount is 0 or more.'
					  ELSE 'days is 0 to 9999, pct 0 to 100.' END;
	END IF;
	RETURN NEW;
END
$$;
CREATE TRIGGER credit_check_rule_validate BEFORE INSERT OR UPDATE ON @extschema@.credit_check_rule
	FOR EACH ROW EXECUTE FUNCTION @extschema@.credit_check_rule_validate();

-- The menu in force for a customer of a grade at a checkpoint on a date:
-- one row, each rule's parameters (NULL: the rule is off).  One SQL query,
-- inlined into credit_evaluate() and into the C order trigger's context
-- query (src/credit_context.c), which caches it.
CREATE FUNCTION @extschema@.credit_menu(customer_id bigint, checkpoint text, grade @extschema@.credit_grade,
										as_of date)
	RETURNS TABLE (horizon_days integer, max_document numeric, ratio_days integer, ratio_pct numeric)
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT max(r.days) FILTER (WHERE r.rule = 'horizon'),
		   max(r.amount) FILTER (WHERE r.rule = 'document_value'),
		   max(r.days) FILTER (WHERE r.rule = 'overdue_ratio'),
		   max(r.pct) FILTER (WHERE r.rule = 'overdue_ratio')
	FROM (SELECT DISTINCT ON (r.rule) r.rule, r.enabled, r.days, r.amount, r.pct
		  FROM @extschema@.credit_check_rule r
		  WHERE (r.customer_id = credit_menu.customer_id OR r.customer_id IS NULL)
			AND (r.grade = credit_menu.grade OR r.grade IS NULL)
			AND (r.checkpoint = credit_menu.checkpoint OR r.checkpoint IS NULL)
			AND (r.expires_on IS NULL OR r.expires_on > coalesce(credit_menu.as_of, @extschema@.as_of()))
		  ORDER BY r.rule, r.customer_id IS NULL, r.grade IS NULL, r.checkpoint IS NULL) r
	WHERE r.enabled;
END;

-- The rule horizon: what the open orders of a customer due to ship more
-- than days after as_of add to its exposure (their part not invoiced yet,
-- as in the ledger); company NULL: all its orders.
CREATE FUNCTION @extschema@.credit_beyond_horizon(customer_id bigint, company_id bigint, as_of date, days integer)
	RETURNS numeric
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT coalesce(sum(greatest(o.amount - coalesce((SELECT sum(i.amount) FROM @extschema@.src_invoice i
													  WHERE i.order_id = o.order_id), 0), 0)), 0)
	FROM @extschema@.src_order o
	WHERE o.customer_id = credit_beyond_horizon.customer_id
	  AND (credit_beyond_horizon.company_id IS NULL OR o.company_id = credit_beyond_horizon.company_id)
	  AND o.status = 'open'
	  AND o.planned_ship_on > credit_beyond_horizon.as_of + credit_beyond_horizon.days;
END;

-- (credit_overdue_ratio() reads 85_dunning's disputes: 86_check_menu_ratio.sql)

GRANT SELECT ON @extschema@.credit_check_rule TO customer_class_reader;
GRANT INSERT, UPDATE, DELETE ON @extschema@.credit_check_rule TO customer_class_admin;

COMMENT ON TABLE @extschema@.credit_check_rule IS
	'the check menu: rules horizon, document_value and overdue_ratio per checkpoint, for everyone, a grade or a customer (the most specific row wins)';
COMMENT ON COLUMN @extschema@.credit_check_rule.rule_id IS 'rule row key';
COMMENT ON COLUMN @extschema@.credit_check_rule.rule IS 'horizon, document_value or overdue_ratio';
COMMENT ON COLUMN @extschema@.credit_check_rule.checkpoint IS 'order, delivery or invoice; NULL for every checkpoint';
COMMENT ON COLUMN @extschema@.credit_check_rule.grade IS 'the grade the row is for (NULL: every grade, unless customer_id is set)';
COMMENT ON COLUMN @extschema@.credit_check_rule.customer_id IS 'the customer the row is for (NULL: every customer of grade, or everyone)';
COMMENT ON COLUMN @extschema@.credit_check_rule.enabled IS 'false: the rule is off in this scope (e.g. one customer excepted)';
COMMENT ON COLUMN @extschema@.credit_check_rule.days IS 'horizon: open orders count when due to ship within days; overdue_ratio: past due by more than days';
COMMENT ON COLUMN @extschema@.credit_check_rule.amount IS 'document_value: the largest value of one document';
COMMENT ON COLUMN @extschema@.credit_check_rule.pct IS 'overdue_ratio: the largest share of the open invoice balance so overdue, in percent';
COMMENT ON COLUMN @extschema@.credit_check_rule.reason IS 'why the rule is set';
COMMENT ON COLUMN @extschema@.credit_check_rule.set_by IS 'who set it';
COMMENT ON COLUMN @extschema@.credit_check_rule.set_at IS 'when it was set';
COMMENT ON COLUMN @extschema@.credit_check_rule.expires_on IS 'first as-of date it no longer applies to (NULL: no expiry)';
COMMENT ON FUNCTION @extschema@.credit_check_rule_validate() IS
	'trigger: a credit check rule row names a known rule and checkpoint, a grade or a customer, and the parameters its rule takes';
COMMENT ON FUNCTION @extschema@.credit_menu(bigint, text, @extschema@.credit_grade, date) IS
	'internal: the check menu in force for a customer of a grade at a checkpoint (each rule''s parameters; NULL: off)';
COMMENT ON FUNCTION @extschema@.credit_beyond_horizon(bigint, bigint, date, integer) IS
	'internal: the exposure of a customer''s open orders due to ship more than days after as_of (rule horizon; company NULL: all)';

-- credit/check.sql: the verdict carries the menu's figures (attributes
-- added at the end, as in a fresh install)
ALTER TYPE @extschema@.credit_verdict ADD ATTRIBUTE document_value numeric;
ALTER TYPE @extschema@.credit_verdict ADD ATTRIBUTE max_document numeric;
ALTER TYPE @extschema@.credit_verdict ADD ATTRIBUTE horizon_days integer;
ALTER TYPE @extschema@.credit_verdict ADD ATTRIBUTE exposure_in_horizon numeric;
ALTER TYPE @extschema@.credit_verdict ADD ATTRIBUTE overdue_ratio numeric;
ALTER TYPE @extschema@.credit_verdict ADD ATTRIBUTE overdue_ratio_days integer;
ALTER TYPE @extschema@.credit_verdict ADD ATTRIBUTE overdue_ratio_pct numeric;

CREATE FUNCTION @extschema@.credit_document_value_rule(document_value numeric, max_document numeric)
	RETURNS boolean
	AS 'MODULE_PATHNAME', 'credit_document_value_rule'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE OR REPLACE FUNCTION @extschema@.credit_verdict_decide(v @extschema@.credit_verdict, grade_d text, pct numeric, as_of date)
	RETURNS @extschema@.credit_verdict
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	rule text;
	r record;
BEGIN
	v.violation := NULL;
	v.sqlstate := NULL;
	v.prepayment_missing := NULL;
	v.overdue_days := NULL;
	IF v.horizon_days IS NULL THEN
		v.exposure_in_horizon := NULL;
		rule := @extschema@.credit_exposure_rule(v.credit_grade, grade_d, v.credit_limit, pct, v.exposure_after);
	ELSE
		IF v.exposure_in_horizon IS NULL THEN
			v.exposure_in_horizon := v.exposure_after
				- @extschema@.credit_beyond_horizon(v.customer_id, NULL, credit_verdict_decide.as_of, v.horizon_days);
		END IF;
		rule := coalesce(@extschema@.credit_exposure_rule(v.credit_grade, grade_d, NULL, NULL, v.exposure_after),
						 @extschema@.credit_exposure_rule(NULL, NULL, v.credit_limit, pct, v.exposure_in_horizon));
	END IF;
	IF rule = 'grade_d' THEN
		v.violation := 'grade_d';
		v.sqlstate := 'KC003';
		v.prepayment_missing := v.exposure_after;
	ELSIF rule = 'limit_exceeded' THEN
		v.violation := CASE WHEN v.horizon_days IS NULL THEN 'limit_exceeded' ELSE 'horizon_limit_exceeded' END;
		v.sqlstate := 'KC001';
	END IF;

	IF v.violation IS NULL AND @extschema@.credit_document_value_rule(v.document_value, v.max_document) THEN
		v.violation := 'document_value_exceeded';
		v.sqlstate := 'KC004';
	END IF;

	IF v.violation IS NULL AND v.overdue_invoice IS NOT NULL THEN
		SELECT credit_verdict_decide.as_of - i.due_on INTO v.overdue_days
		FROM @extschema@.src_invoice i WHERE i.invoice_id = v.overdue_invoice;
		v.violation := 'invoice_overdue';
		v.sqlstate := 'KC002';
	END IF;

	IF v.overdue_ratio_days IS NOT NULL THEN
		SELECT * INTO r FROM @extschema@.credit_overdue_ratio(v.customer_id, credit_verdict_decide.as_of,
															  v.overdue_ratio_days, v.overdue_ratio_pct);
		v.overdue_ratio := round(100 * r.overdue / nullif(r.open_balance, 0), 2);
		IF v.violation IS NULL AND r.exceeded THEN
			v.violation := 'overdue_ratio_exceeded';
			v.sqlstate := 'KC005';
		END IF;
	END IF;

	v.nearly_used := v.violation IS NULL AND rule IS NOT DISTINCT FROM 'limit_nearly_used';
	v.allowed := v.violation IS NULL OR v.mode <> 'block';
	RETURN v;
END
$$;

-- credit_evaluate() and credit_enforce() gain document_value: a new
-- signature, so dropped and created again (PL/pgSQL callers bind at run time)
DROP FUNCTION @extschema@.credit_evaluate(bigint, text, numeric, numeric, date);
CREATE FUNCTION @extschema@.credit_evaluate(customer_id bigint, checkpoint text, exposure_after numeric,
											asked numeric, as_of date DEFAULT NULL, document_value numeric DEFAULT NULL)
	RETURNS @extschema@.credit_verdict
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d date := coalesce(credit_evaluate.as_of, @extschema@.as_of());
	v @extschema@.credit_verdict;
	grade_d text;
	pct numeric;
BEGIN
	IF checkpoint NOT IN ('order', 'delivery', 'invoice') THEN
		RAISE EXCEPTION 'unknown credit checkpoint "%"', checkpoint
			USING ERRCODE = 'invalid_parameter_value', HINT = 'The checkpoints are order, delivery and invoice.';
	END IF;
	v.customer_id := customer_id;
	v.checkpoint := checkpoint;
	v.asked := asked;
	v.exposure_after := exposure_after;
	v.exposure_before := exposure_after - asked;
	v.allowed := true;
	v.nearly_used := false;
	SELECT c.mode, c.credit_limit, c.limit_source, c.credit_grade, c.grade_d, c.pct, c.overdue_invoice
	INTO v.mode, v.credit_limit, v.limit_source, v.credit_grade, grade_d, pct, v.overdue_invoice
	FROM @extschema@.credit_context(credit_evaluate.customer_id, credit_evaluate.checkpoint, d) c;
	IF v.mode = 'off' THEN
		RETURN v;
	END IF;
	SELECT m.horizon_days, m.max_document, m.ratio_days, m.ratio_pct
	INTO v.horizon_days, v.max_document, v.overdue_ratio_days, v.overdue_ratio_pct
	FROM @extschema@.credit_menu(credit_evaluate.customer_id, credit_evaluate.checkpoint, v.credit_grade, d) m;
	IF v.max_document IS NOT NULL THEN
		-- the value of the document checked (an order raised: its new amount);
		-- not given: the amount asked
		v.document_value := coalesce(credit_evaluate.document_value, asked);
	END IF;

	RETURN @extschema@.credit_verdict_decide(v, grade_d, pct, d);
END
$$;

CREATE OR REPLACE FUNCTION @extschema@.credit_verdict_message(v @extschema@.credit_verdict, what text DEFAULT NULL)
	RETURNS text
	LANGUAGE sql STABLE PARALLEL SAFE
	RETURN pg_catalog.format('credit check at %s failed for customer %s%s: %s',
		v.checkpoint, v.customer_id, coalesce(' (' || what || ')', ''),
		CASE v.violation
			WHEN 'limit_exceeded' THEN pg_catalog.format('exposure %s is above the credit limit %s',
				v.exposure_after, v.credit_limit)
			WHEN 'invoice_overdue' THEN pg_catalog.format('invoice %s is %s days overdue',
				v.overdue_invoice, v.overdue_days)
			WHEN 'grade_d' THEN pg_catalog.format('credit grade is D and requires prepayment: %s of prepayment missing',
				v.prepayment_missing)
			WHEN 'horizon_limit_exceeded' THEN pg_catalog.format('exposure %s within the %s-day horizon is above the credit limit %s',
				v.exposure_in_horizon, v.horizon_days, v.credit_limit)
			WHEN 'document_value_exceeded' THEN pg_catalog.format('document value %s is above the maximum %s for one document',
				v.document_value, v.max_document)
			WHEN 'overdue_ratio_exceeded' THEN pg_catalog.format('%s%% of the open invoice balance is more than %s days overdue, above the maximum %s%%',
				v.overdue_ratio, v.overdue_ratio_days, v.overdue_ratio_pct)
			ELSE 'passed' END);

CREATE FUNCTION @extschema@.credit_verdict_reason(v @extschema@.credit_verdict) RETURNS text
	LANGUAGE sql STABLE PARALLEL SAFE
	RETURN coalesce(CASE v.violation
		WHEN 'horizon_limit_exceeded' THEN pg_catalog.format(' Reason: %s (open orders due to ship more than %s days ahead not counted: %s).',
			v.violation, v.horizon_days, v.exposure_after - v.exposure_in_horizon)
		WHEN 'document_value_exceeded' THEN pg_catalog.format(' Reason: %s (document value %s, at most %s).',
			v.violation, v.document_value, v.max_document)
		WHEN 'overdue_ratio_exceeded' THEN pg_catalog.format(' Reason: %s (%s%% more than %s days overdue, at most %s%%).',
			v.violation, v.overdue_ratio, v.overdue_ratio_days, v.overdue_ratio_pct) END, '');

CREATE OR REPLACE FUNCTION @extschema@.credit_verdict_detail(v @extschema@.credit_verdict) RETURNS text
	LANGUAGE sql STABLE PARALLEL SAFE
	RETURN pg_catalog.format('Exposure %s, amount asked %s, exposure after %s, credit limit %s (%s), grade %s, mode %s.',
		v.exposure_before, v.asked, v.exposure_after, coalesce(v.credit_limit::text, 'none'),
		v.limit_source, coalesce(v.credit_grade::text, 'not graded'), v.mode)
		|| @extschema@.credit_verdict_reason(v);

CREATE OR REPLACE FUNCTION @extschema@.credit_verdict_hint(v @extschema@.credit_verdict) RETURNS text
	LANGUAGE sql STABLE PARALLEL SAFE
	RETURN CASE v.violation
		WHEN 'limit_exceeded' THEN 'Lower the amount, collect payment first, or raise the limit (credit_limit_override).'
		WHEN 'grade_d' THEN pg_catalog.format('Collect a prepayment of at least %s (a payment with no invoice) before this %s, or ask credit control: the rule can be excepted in credit_check_exception.',
			v.prepayment_missing, v.checkpoint)
		WHEN 'horizon_limit_exceeded' THEN 'Lower the amount, plan the delivery later (planned_ship_on), collect payment first, or raise the limit (credit_limit_override).'
		WHEN 'document_value_exceeded' THEN 'Split or lower the document, or ask credit control: a row of credit_check_rule with enabled false sets the rule off for the customer.'
		WHEN 'overdue_ratio_exceeded' THEN 'Collect the overdue invoices first, or ask credit control: a row of credit_check_rule with enabled false sets the rule off for the customer.'
		ELSE 'Ask credit control: the customer''s rule can be excepted in credit_check_exception.' END;

DROP FUNCTION @extschema@.credit_enforce(bigint, text, numeric, numeric, text);
CREATE FUNCTION @extschema@.credit_enforce(customer_id bigint, checkpoint text, exposure_after numeric,
										   asked numeric, what text, document_value numeric DEFAULT NULL)
	RETURNS void
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v @extschema@.credit_verdict;
BEGIN
	-- a restore re-inserts rows accepted before: check nothing
	IF current_setting('check_function_bodies') = 'off' THEN
		RETURN;
	END IF;
	v := @extschema@.credit_evaluate(customer_id, checkpoint, exposure_after, asked, NULL, document_value);
	IF v.violation IS NULL THEN
		IF v.nearly_used THEN
			PERFORM @extschema@.raise_alert(customer_id, 'limit_nearly_used', 'yellow',
				@extschema@.credit_verdict_json(v) || jsonb_build_object('what', what));
		END IF;
		RETURN;
	END IF;
	IF v.mode = 'block' THEN
		RAISE EXCEPTION USING
			ERRCODE = v.sqlstate,
			MESSAGE = @extschema@.credit_verdict_message(v, what),
			DETAIL = @extschema@.credit_verdict_detail(v),
			HINT = @extschema@.credit_verdict_hint(v);
	END IF;
	-- warn
	RAISE WARNING USING
		MESSAGE = @extschema@.credit_verdict_message(v, what),
		DETAIL = @extschema@.credit_verdict_detail(v);
	PERFORM @extschema@.raise_alert(customer_id, v.violation, 'red',
		@extschema@.credit_verdict_json(v) || jsonb_build_object('what', what));
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.credit_enforce(bigint, text, numeric, numeric, text, numeric) FROM PUBLIC;

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
		PERFORM @extschema@.credit_enforce(n_cust, 'invoice', e.exposure, grow, 'invoice ' || NEW.invoice_id, n_amt);
	ELSIF grow > 0 THEN
		PERFORM @extschema@.credit_watch(n_cust, e.exposure, grow, 'invoice ' || NEW.invoice_id);
	END IF;
	RETURN NULL;
END
$$;

COMMENT ON FUNCTION @extschema@.credit_document_value_rule(numeric, numeric) IS
	'internal: the rule document_value of the check menu: is the document''s value above the maximum for one document';
COMMENT ON FUNCTION @extschema@.credit_evaluate(bigint, text, numeric, numeric, date, numeric) IS
	'evaluate a credit check (limit, overdue rule, grade D rule, the check menu, nearly-used threshold) without acting on it';
COMMENT ON FUNCTION @extschema@.credit_verdict_reason(@extschema@.credit_verdict) IS
	'the reason sentence of a failed rule of the check menu in a verdict''s detail (empty for the other violations)';
COMMENT ON FUNCTION @extschema@.credit_enforce(bigint, text, numeric, numeric, text, numeric) IS
	'internal: act on a credit check from a trigger (error in block mode, warning and alert in warn mode)';

-- credit/checkpoints.sql: the write side applies the menu
CREATE OR REPLACE FUNCTION @extschema@.credit_evaluate_in_company(customer_id bigint, company_id bigint, checkpoint text,
													   exposure_after numeric, asked numeric, as_of date DEFAULT NULL)
	RETURNS @extschema@.credit_verdict
	LANGUAGE plpgsql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d date := coalesce(credit_evaluate_in_company.as_of, @extschema@.as_of());
	v @extschema@.credit_verdict;
	lim numeric;
	n bigint;
	redecide boolean := false;
BEGIN
	v := @extschema@.credit_evaluate(customer_id, checkpoint, exposure_after, asked, d);
	IF v.mode = 'off' THEN
		RETURN v;
	END IF;
	-- the rule horizon: the orders of this company beyond it
	IF v.horizon_days IS NOT NULL AND company_id IS NOT NULL THEN
		v.exposure_in_horizon := exposure_after
			- @extschema@.credit_beyond_horizon(customer_id, company_id, d, v.horizon_days);
		redecide := true;
	END IF;
	IF pg_catalog.to_regclass('@extschema@.src_credit_limit') IS NOT NULL THEN
		EXECUTE 'SELECT l.credit_limit FROM @extschema@.src_credit_limit l
				 WHERE l.customer_id = $1 AND l.company_id IS NOT DISTINCT FROM $2 LIMIT 1'
			INTO lim USING customer_id, company_id;
		-- EXECUTE does not set FOUND
		GET DIAGNOSTICS n = ROW_COUNT;
		IF n > 0
		   AND (SELECT l.limit_method FROM @extschema@.credit_limit_rows(customer_id, d) l) IS DISTINCT FROM 'override' THEN
			v.credit_limit := lim;
			v.limit_source := pg_catalog.format('credit limit of company %s', coalesce(company_id::text, '(none)'));
			redecide := true;
		END IF;
	END IF;
	IF NOT redecide THEN
		RETURN v;
	END IF;
	RETURN @extschema@.credit_verdict_decide(v, @extschema@.credit_setting('rule.grade_d'),
											 @extschema@.credit_setting('alert.nearly_used_pct')::numeric, d);
END
$$;

CREATE OR REPLACE FUNCTION @extschema@.checkpoint_verdict_detail(v @extschema@.credit_verdict, company_id bigint) RETURNS text
	LANGUAGE sql STABLE PARALLEL SAFE
	RETURN CASE WHEN v.asked IS NULL
				THEN pg_catalog.format('Exposure after %s, credit limit %s (%s), grade %s, mode %s.',
					v.exposure_after, coalesce(v.credit_limit::text, 'none'), v.limit_source,
					coalesce(v.credit_grade::text, 'not graded'), v.mode) || @extschema@.credit_verdict_reason(v)
				ELSE @extschema@.credit_verdict_detail(v) END
		|| CASE WHEN company_id IS NULL THEN '' ELSE pg_catalog.format(' Company %s.', company_id) END;

-- credit/alerts.sql: the menu's reasons are alert kinds
ALTER TABLE @extschema@.alerts DROP CONSTRAINT alerts_kind_valid;
ALTER TABLE @extschema@.alerts ADD CONSTRAINT alerts_kind_valid CHECK (kind IN ('limit_nearly_used', 'limit_exceeded', 'invoice_overdue', 'grade_d', 'blocked',
											  'payment_rhythm', 'became_dormant', 'external_event',
											  'horizon_limit_exceeded', 'document_value_exceeded', 'overdue_ratio_exceeded'));

-- credit/triggers.sql
-- credit_check_rule: a row for everyone or a grade concerns every customer,
-- so every ledger row is touched, as for credit_setting
CREATE TRIGGER credit_touch_exposure AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.credit_check_rule
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.credit_touch_exposure();
CREATE TRIGGER credit_context_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.credit_check_rule
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.credit_context_changed('context');
ALTER TABLE @extschema@.credit_check_rule ENABLE ALWAYS TRIGGER credit_context_changed;
CREATE TRIGGER customer_reference_check BEFORE INSERT OR UPDATE OF customer_id ON @extschema@.credit_check_rule
	FOR EACH ROW WHEN (NEW.customer_id IS NOT NULL) EXECUTE FUNCTION @extschema@.customer_reference_check();

-- access/policies.sql
-- The check menu's rows for everyone or a grade (customer_id NULL) concern
-- no customer in particular: every reader sees them, as it sees the
-- settings, so that credit_evaluate() answers the same for every role.
ALTER TABLE @extschema@.credit_check_rule ENABLE ROW LEVEL SECURITY;
CREATE POLICY customer_access ON @extschema@.credit_check_rule
	USING (credit_check_rule.customer_id IS NULL
		   OR @extschema@.access_visible(credit_check_rule.customer_id, (SELECT @extschema@.access_query())))
	WITH CHECK (credit_check_rule.customer_id IS NULL
				OR @extschema@.access_visible(credit_check_rule.customer_id, (SELECT @extschema@.access_query())));
COMMENT ON POLICY customer_access ON @extschema@.credit_check_rule IS
	'access by customer category: a restricted role sees the rules for everyone and for grades, and those of the customers it sees in customer';
