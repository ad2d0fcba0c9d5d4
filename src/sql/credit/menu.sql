-- Credit control, part 1b: the check menu (docs/credit.md, "The check menu").
--
-- Rules a credit manager switches on beside the static limit check, the
-- oldest open item (rule.overdue_days) and grade D (rule.grade_d):
--   horizon          the dynamic check: the limit is checked against an
--                    exposure counting an open order only when it is due to
--                    ship within days (src_order.planned_ship_on; NULL:
--                    counted) -- SAP's check with a horizon
--   document_value   one document (the order, the delivery, the invoice)
--                    above amount fails, even within the limit
--   overdue_ratio    more than pct percent of the open invoice balance more
--                    than days past due fails
--   dunning_level    the customer's dunning level (customer_dunning_level():
--                    its open invoices not under dispute) above days fails;
--                    the column days holds the highest level allowed (0-9)
-- Each row of credit_check_rule sets one rule for a scope: a checkpoint
-- (NULL: every checkpoint) and a grade or a customer (both NULL: everyone).
-- For a check, the most specific row in force wins -- the customer's over
-- its grade's over everyone's, and at each of those a checkpoint's over all
-- checkpoints' -- and a row with enabled false switches the rule off in its
-- scope.  A rule no row sets is off.  What fails is reported with its own
-- reason (credit_verdict.violation, the alert kind): horizon_limit_exceeded
-- (SQLSTATE KC001, a limit exceeded), document_value_exceeded (KC004),
-- overdue_ratio_exceeded (KC005), dunning_level_exceeded (KC006).

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
	IF NEW.rule IS NULL OR NEW.rule NOT IN ('horizon', 'document_value', 'overdue_ratio', 'dunning_level') THEN
		RAISE EXCEPTION 'unknown credit check rule "%"', coalesce(NEW.rule, 'NULL')
			USING ERRCODE = 'undefined_object',
				  HINT = 'The rules are horizon (days), document_value (amount), overdue_ratio (days, pct) and dunning_level (days: the highest level allowed).';
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
							WHEN 'dunning_level' THEN '{days}' ELSE '{days,pct}' END;
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
					  WHEN 'dunning_level' THEN 'days: the highest dunning level allowed (0-9); a customer whose open invoices not under dispute reached a higher level fails.'
					  ELSE 'days: past due by more than that many days (0-9999); pct: the largest share of the open balance so overdue, in percent (0-100).' END;
	END IF;
	IF NEW.days NOT BETWEEN 0 AND (CASE NEW.rule WHEN 'horizon' THEN 3650 WHEN 'dunning_level' THEN 9 ELSE 9999 END)
	   OR NEW.amount < 0 OR NEW.pct NOT BETWEEN 0 AND 100 THEN
		RAISE EXCEPTION 'credit check rule %: % out of range', NEW.rule,
			concat_ws(', ', 'days ' || NEW.days, 'amount ' || NEW.amount, 'pct ' || NEW.pct)
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = CASE NEW.rule
					  WHEN 'horizon' THEN 'days is 0 to 3650.'
					  WHEN 'document_value' THEN 'amount is 0 or more.'
					  WHEN 'dunning_level' THEN 'days (the highest level allowed) is 0 to 9.'
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
	RETURNS TABLE (horizon_days integer, max_document numeric, ratio_days integer, ratio_pct numeric,
				   max_dunning_level integer)
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT max(r.days) FILTER (WHERE r.rule = 'horizon'),
		   max(r.amount) FILTER (WHERE r.rule = 'document_value'),
		   max(r.days) FILTER (WHERE r.rule = 'overdue_ratio'),
		   max(r.pct) FILTER (WHERE r.rule = 'overdue_ratio'),
		   max(r.days) FILTER (WHERE r.rule = 'dunning_level')
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

-- The rule overdue_ratio: a customer's open invoice balance as of a date
-- (invoices issued by then, less the payments made by then), the part of it
-- more than days past due, and whether that part is more than pct percent
-- of it (exceeded; never with nothing open).  With rule.disputed_invoices =
-- ignore, an invoice under open dispute that date is not overdue here, as
-- for rule.overdue_days (collections/dunning.sql); it stays in the balance.
-- Written once: credit_evaluate() and the C order trigger's cache
-- (src/credit_context.c) both ask it.
CREATE FUNCTION @extschema@.credit_overdue_ratio(customer_id bigint, as_of date, days integer, pct numeric)
	RETURNS TABLE (overdue numeric, open_balance numeric, exceeded boolean)
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT t.overdue, t.open_balance, t.open_balance > 0 AND t.overdue * 100 > credit_overdue_ratio.pct * t.open_balance
	FROM (SELECT coalesce(sum(b.open) FILTER (WHERE b.due_on < credit_overdue_ratio.as_of - credit_overdue_ratio.days
													   AND NOT b.disputed), 0) AS overdue,
				 coalesce(sum(b.open), 0) AS open_balance
		  FROM (SELECT i.due_on,
					   i.amount - coalesce((SELECT sum(p.amount) FROM @extschema@.src_payment p
											WHERE p.invoice_id = i.invoice_id
											  AND p.paid_on <= credit_overdue_ratio.as_of), 0) AS open,
					   coalesce((SELECT cs.value FROM @extschema@.credit_setting cs
								 WHERE cs.name = 'rule.disputed_invoices' ORDER BY cs.shipped LIMIT 1) = 'ignore'
								AND EXISTS (SELECT FROM @extschema@.invoice_dispute x
											WHERE x.invoice_id = i.invoice_id AND x.customer_id = i.customer_id
											  AND x.opened_on <= credit_overdue_ratio.as_of
											  AND (x.resolved_on IS NULL OR x.resolved_on > credit_overdue_ratio.as_of)),
								false) AS disputed
				FROM @extschema@.src_invoice i
				WHERE i.customer_id = credit_overdue_ratio.customer_id
				  AND i.issued_on <= credit_overdue_ratio.as_of) b
		  WHERE b.open > 0) t;
END;

GRANT SELECT ON @extschema@.credit_check_rule TO customer_class_reader;
GRANT INSERT, UPDATE, DELETE ON @extschema@.credit_check_rule TO customer_class_admin;

COMMENT ON TABLE @extschema@.credit_check_rule IS
	'the check menu: rules horizon, document_value, overdue_ratio and dunning_level per checkpoint, for everyone, a grade or a customer (the most specific row wins)';
COMMENT ON COLUMN @extschema@.credit_check_rule.rule_id IS 'rule row key';
COMMENT ON COLUMN @extschema@.credit_check_rule.rule IS 'horizon, document_value, overdue_ratio or dunning_level';
COMMENT ON COLUMN @extschema@.credit_check_rule.checkpoint IS 'order, delivery or invoice; NULL for every checkpoint';
COMMENT ON COLUMN @extschema@.credit_check_rule.grade IS 'the grade the row is for (NULL: every grade, unless customer_id is set)';
COMMENT ON COLUMN @extschema@.credit_check_rule.customer_id IS 'the customer the row is for (NULL: every customer of grade, or everyone)';
COMMENT ON COLUMN @extschema@.credit_check_rule.enabled IS 'false: the rule is off in this scope (e.g. one customer excepted)';
COMMENT ON COLUMN @extschema@.credit_check_rule.days IS 'horizon: open orders count when due to ship within days; overdue_ratio: past due by more than days; dunning_level: the highest dunning level allowed';
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
COMMENT ON FUNCTION @extschema@.credit_overdue_ratio(bigint, date, integer, numeric) IS
	'internal: a customer''s open invoice balance, the part more than days past due, and whether it is above pct percent (rule overdue_ratio)';
