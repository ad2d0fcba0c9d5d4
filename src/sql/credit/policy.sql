-- Credit control, part 1: the policy.
--
--   credit_setting          check modes per checkpoint, rule parameters, alert
--                           threshold: shipped defaults + the admin's own rows
--   credit_limit_policy     the default limit per grade (amount or a multiple of
--                           average monthly sales), with a validity date
--   credit_limit_override   a customer's own limit with reason and expiry
--   credit_check_exception  per-customer exceptions to the check mode
--
-- Shipped rows (shipped = true) come back with CREATE EXTENSION, so they are
-- read-only (protect_shipped_row) and not dumped (filter 'WHERE NOT shipped');
-- a row of the admin's own for the same key wins over the shipped one, and
-- pg_dump keeps it.

CREATE TABLE @extschema@.credit_setting (
	name			text NOT NULL,
	value			text NOT NULL,
	description		text NOT NULL DEFAULT '',
	set_by			name NOT NULL DEFAULT CURRENT_USER,
	set_at			timestamptz NOT NULL DEFAULT pg_catalog.now(),
	shipped			boolean NOT NULL DEFAULT false,
	PRIMARY KEY (name, shipped)
);

-- the settings there are, and the values each accepts
CREATE FUNCTION @extschema@.credit_setting_validate() RETURNS trigger
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF NEW.name IN ('mode.order', 'mode.delivery', 'mode.invoice') THEN
		IF NEW.value NOT IN ('block', 'warn', 'hold', 'off') THEN
			RAISE EXCEPTION 'invalid value "%" for credit setting "%"', NEW.value, NEW.name
				USING ERRCODE = 'invalid_parameter_value', HINT = 'A check mode is block, warn, hold or off.';
		END IF;
	ELSIF NEW.name = 'rule.overdue_days' THEN
		IF NEW.value <> 'off' AND (NEW.value !~ '^[0-9]{1,4}$') THEN
			RAISE EXCEPTION 'invalid value "%" for credit setting "%"', NEW.value, NEW.name
				USING ERRCODE = 'invalid_parameter_value',
					  HINT = 'Give a number of days (0-9999) or off.';
		END IF;
	ELSIF NEW.name = 'rule.grade_d' THEN
		IF NEW.value NOT IN ('on', 'off') THEN
			RAISE EXCEPTION 'invalid value "%" for credit setting "%"', NEW.value, NEW.name
				USING ERRCODE = 'invalid_parameter_value', HINT = 'The value is on or off.';
		END IF;
	ELSIF NEW.name = 'rule.external_event' THEN
		IF NEW.value NOT IN ('off', 'B', 'C', 'D') THEN
			RAISE EXCEPTION 'invalid value "%" for credit setting "%"', NEW.value, NEW.name
				USING ERRCODE = 'invalid_parameter_value',
					  HINT = 'Give the grade a customer with an unreviewed external event is capped at (B, C or D), or off.';
		END IF;
	ELSIF NEW.name = 'rule.disputed_invoices' THEN
		IF NEW.value NOT IN ('count', 'ignore') THEN
			RAISE EXCEPTION 'invalid value "%" for credit setting "%"', NEW.value, NEW.name
				USING ERRCODE = 'invalid_parameter_value',
					  HINT = 'count (an invoice under open dispute counts in the overdue rules) or ignore (it does not).';
		END IF;
	ELSIF NEW.name = 'dunning.interval_days' THEN
		IF NEW.value !~ '^[0-9]{1,3}$' OR NEW.value::integer > 365 THEN
			RAISE EXCEPTION 'invalid value "%" for credit setting "%"', NEW.value, NEW.name
				USING ERRCODE = 'invalid_parameter_value', HINT = 'Give a number of days between 0 and 365.';
		END IF;
	ELSIF NEW.name = 'dunning.broken_promise' THEN
		IF NEW.value NOT IN ('escalate', 'alert') THEN
			RAISE EXCEPTION 'invalid value "%" for credit setting "%"', NEW.value, NEW.name
				USING ERRCODE = 'invalid_parameter_value',
					  HINT = 'escalate (alert, and the next run raises the promised invoices one level at once) or alert (alert only).';
		END IF;
	ELSIF NEW.name = 'alert.nearly_used_pct' THEN
		IF NEW.value !~ '^[0-9]{1,3}(\.[0-9]+)?$' OR NEW.value::numeric NOT BETWEEN 1 AND 100 THEN
			RAISE EXCEPTION 'invalid value "%" for credit setting "%"', NEW.value, NEW.name
				USING ERRCODE = 'invalid_parameter_value', HINT = 'Give a percentage between 1 and 100.';
		END IF;
	ELSE
		RAISE EXCEPTION 'unknown credit setting "%"', NEW.name
			USING ERRCODE = 'undefined_object',
				  HINT = 'SELECT name FROM customer_class.credit_settings lists the settings.';
	END IF;
	RETURN NEW;
END
$$;

CREATE TRIGGER credit_setting_validate BEFORE INSERT OR UPDATE ON @extschema@.credit_setting
	FOR EACH ROW EXECUTE FUNCTION @extschema@.credit_setting_validate();
CREATE TRIGGER credit_setting_protect_shipped BEFORE UPDATE OR DELETE ON @extschema@.credit_setting
	FOR EACH ROW EXECUTE FUNCTION @extschema@.protect_shipped_row();

INSERT INTO @extschema@.credit_setting (name, value, description, set_by, set_at, shipped) VALUES
	('mode.order', 'block', 'check mode when an order is written (new order or higher amount): block, warn or off', 'customer_class', '2000-01-01', true),
	('mode.delivery', 'block', 'check mode when an order is delivered (status to shipped): block, warn or off', 'customer_class', '2000-01-01', true),
	('mode.invoice', 'warn', 'check mode when an invoice is written: block, warn or off', 'customer_class', '2000-01-01', true),
	('rule.overdue_days', 'off', 'fail the check when an invoice is more than this many days overdue (off: no such rule)', 'customer_class', '2000-01-01', true),
	('rule.grade_d', 'on', 'fail the check when the customer''s grade is D: on or off', 'customer_class', '2000-01-01', true),
	('alert.nearly_used_pct', '90', 'raise a limit_nearly_used alert when exposure reaches this percentage of the limit', 'customer_class', '2000-01-01', true),
	('rule.external_event', 'D', 'cap the grade of a customer with an external negative event not yet reviewed (its alert open) at this grade: B, C, D or off', 'customer_class', '2000-01-01', true),
	('rule.disputed_invoices', 'count', 'whether an invoice under open dispute counts in the overdue rules (rule.overdue_days, invoice_overdue alerts): count or ignore', 'customer_class', '2000-01-01', true),
	('dunning.interval_days', '7', 'a dunning run raises an invoice to its next level only this many days after its previous notice (0 to 365)', 'customer_class', '2000-01-01', true),
	('dunning.broken_promise', 'escalate', 'a broken promise to pay raises a promise_broken alert; escalate: the run that finds it also raises the promised invoices one level at once; alert: the alert only', 'customer_class', '2000-01-01', true);

SELECT pg_catalog.pg_extension_config_dump('@extschema@.credit_setting', 'WHERE NOT shipped');

-- The value in force: the admin's row, else the shipped one.
CREATE FUNCTION @extschema@.credit_setting(name text) RETURNS text
	LANGUAGE sql STABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
	SELECT s.value FROM @extschema@.credit_setting s
	WHERE s.name = credit_setting.name
	ORDER BY s.shipped
	LIMIT 1;
END;

-- Set a value: writes (or rewrites) the admin's own row.
CREATE FUNCTION @extschema@.set_credit_setting(name text, value text) RETURNS text
	LANGUAGE plpgsql VOLATILE STRICT
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	-- values, not calls, in DO UPDATE: Citus (a reference table) takes
	-- only immutable functions there
	who name := CURRENT_USER;
	set_now timestamptz := pg_catalog.now();
BEGIN
	INSERT INTO @extschema@.credit_setting AS s (name, value, description)
	SELECT set_credit_setting.name, set_credit_setting.value, d.description
	FROM (SELECT coalesce((SELECT description FROM @extschema@.credit_setting
						   WHERE credit_setting.name = set_credit_setting.name AND shipped), '') AS description) d
	ON CONFLICT ON CONSTRAINT credit_setting_pkey DO UPDATE
		SET value = excluded.value, set_by = who, set_at = set_now;
	RETURN value;
END
$$;

-- Back to the shipped default: deletes the admin's row.
CREATE FUNCTION @extschema@.reset_credit_setting(name text) RETURNS text
	LANGUAGE plpgsql VOLATILE STRICT
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	DELETE FROM @extschema@.credit_setting s WHERE s.name = reset_credit_setting.name AND NOT s.shipped;
	RETURN @extschema@.credit_setting(reset_credit_setting.name);
END
$$;

CREATE VIEW @extschema@.credit_settings WITH (security_invoker = true) AS
	SELECT d.name, coalesce(u.value, d.value) AS value, d.value AS default_value,
		   u.name IS NOT NULL AS changed, u.set_by, u.set_at, d.description
	FROM @extschema@.credit_setting d
	LEFT JOIN @extschema@.credit_setting u ON u.name = d.name AND NOT u.shipped
	WHERE d.shipped;

-- Default credit limit per grade.  grade NULL is the row for customers not
-- graded yet (no profile row).  Methods:
--   amount          the limit is amount
--   sales_multiple  sales_multiple x average monthly invoiced sales over the
--                   last sales_months months, at least amount (when set) and
--                   at most max_amount (when set)
--   none            no limit: the limit check is skipped (the rules still apply)
-- The row in force for a grade on a date: the latest valid_from not after the
-- date, an admin's row before a shipped one.
CREATE TABLE @extschema@.credit_limit_policy (
	grade			@extschema@.credit_grade,
	valid_from		date NOT NULL DEFAULT '-infinity',
	method			text NOT NULL,
	amount			numeric(18,2),
	sales_multiple	numeric,
	sales_months	integer NOT NULL DEFAULT 12,
	max_amount		numeric(18,2),
	note			text NOT NULL DEFAULT '',
	shipped			boolean NOT NULL DEFAULT false,
	payment_terms_days integer,
	payment_terms_basis text,
	CONSTRAINT credit_limit_policy_key UNIQUE NULLS NOT DISTINCT (grade, valid_from, shipped),
	CONSTRAINT credit_limit_policy_method_valid CHECK (method IN ('amount', 'sales_multiple', 'none')),
	CONSTRAINT credit_limit_policy_amount_given CHECK (method <> 'amount' OR amount IS NOT NULL),
	CONSTRAINT credit_limit_policy_multiple_given
		CHECK (method <> 'sales_multiple' OR (sales_multiple > 0 AND sales_months BETWEEN 1 AND 120)),
	CONSTRAINT credit_limit_policy_amounts_not_negative CHECK (amount >= 0 AND max_amount >= 0),
	CONSTRAINT credit_limit_policy_terms_valid
		CHECK (payment_terms_days BETWEEN 0 AND 365 AND payment_terms_basis IN ('invoice', 'month_end')),
	CONSTRAINT credit_limit_policy_terms_complete
		CHECK ((payment_terms_days IS NULL) = (payment_terms_basis IS NULL))
);

CREATE TRIGGER credit_limit_policy_protect_shipped BEFORE UPDATE OR DELETE ON @extschema@.credit_limit_policy
	FOR EACH ROW EXECUTE FUNCTION @extschema@.protect_shipped_row();

INSERT INTO @extschema@.credit_limit_policy (grade, method, amount, note, shipped) VALUES
	('A', 'amount', 500000, 'shipped default for grade A', true),
	('B', 'amount', 200000, 'shipped default for grade B', true),
	('C', 'amount', 50000, 'shipped default for grade C', true),
	('D', 'amount', 0, 'shipped default for grade D: no credit', true),
	(NULL, 'none', NULL, 'not graded yet: no default limit (the customer''s own limit applies when set)', true);

SELECT pg_catalog.pg_extension_config_dump('@extschema@.credit_limit_policy', 'WHERE NOT shipped');

-- A customer's own limit, with reason, author and expiry.  A new row
-- supersedes an older one; edits and deletions are allowed and recorded in
-- class_history like new rows (credit_limit_override_history).
CREATE TABLE @extschema@.credit_limit_override (
	override_id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	customer_id		bigint NOT NULL,
	credit_limit	numeric(18,2) NOT NULL,
	reason			text NOT NULL,
	set_by			name NOT NULL DEFAULT CURRENT_USER,
	set_at			timestamptz NOT NULL DEFAULT pg_catalog.now(),
	valid_from		date NOT NULL DEFAULT @extschema@.as_of(),
	expires_on		date NOT NULL,
	CONSTRAINT credit_limit_override_reason_given CHECK (btrim(reason) <> ''),
	CONSTRAINT credit_limit_override_not_negative CHECK (credit_limit >= 0),
	CONSTRAINT credit_limit_override_expires_after_start CHECK (expires_on > valid_from)
);
CREATE INDEX credit_limit_override_customer_idx ON @extschema@.credit_limit_override (customer_id, valid_from);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.credit_limit_override', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.credit_limit_override_override_id_seq', '');

-- Per-customer exceptions: a mode for one checkpoint (or all: checkpoint
-- NULL) that replaces the general one until it expires.
CREATE TABLE @extschema@.credit_check_exception (
	exception_id	bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	customer_id		bigint NOT NULL,
	checkpoint		text,
	mode			text NOT NULL DEFAULT 'off',
	reason			text NOT NULL,
	set_by			name NOT NULL DEFAULT CURRENT_USER,
	set_at			timestamptz NOT NULL DEFAULT pg_catalog.now(),
	expires_on		date,
	CONSTRAINT credit_check_exception_checkpoint_valid CHECK (checkpoint IN ('order', 'delivery', 'invoice')),
	CONSTRAINT credit_check_exception_mode_valid CHECK (mode IN ('block', 'warn', 'hold', 'off')),
	CONSTRAINT credit_check_exception_reason_given CHECK (btrim(reason) <> '')
);
CREATE INDEX credit_check_exception_customer_idx ON @extschema@.credit_check_exception (customer_id);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.credit_check_exception', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.credit_check_exception_exception_id_seq', '');

-- The check mode for a customer at a checkpoint on a date: an exception in
-- force (one for this checkpoint before one for all, the newest first),
-- else the setting mode.<checkpoint>.
-- PL/pgSQL: see credit_limit_info().
CREATE FUNCTION @extschema@.credit_check_mode(customer_id bigint, checkpoint text, as_of date DEFAULT NULL)
	RETURNS text
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RETURN coalesce(
		(SELECT e.mode FROM @extschema@.credit_check_exception e
		 WHERE e.customer_id = credit_check_mode.customer_id
		   AND (e.checkpoint = credit_check_mode.checkpoint OR e.checkpoint IS NULL)
		   AND (e.expires_on IS NULL OR e.expires_on > coalesce(credit_check_mode.as_of, @extschema@.as_of()))
		 ORDER BY e.checkpoint IS NULL, e.set_at DESC, e.exception_id DESC LIMIT 1),
		(SELECT s.value FROM @extschema@.credit_setting s
		 WHERE s.name = 'mode.' || credit_check_mode.checkpoint ORDER BY s.shipped LIMIT 1));
END
$$;

-- The grade an external negative event caps a customer at (setting
-- rule.external_event; NULL: no cap): while the customer has an event dated
-- on or before as_of whose external_event alert is not resolved, i.e. not
-- yet reviewed by credit control.  PL/pgSQL, because external_event and
-- alerts are created after this file (credit/warnings.sql, credit/alerts.sql),
-- like credit_event_caps(), which holds the rule.
CREATE FUNCTION @extschema@.credit_event_cap(customer_id bigint, as_of date)
	RETURNS @extschema@.credit_grade
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	-- the rule is credit_event_caps(), for every customer at once (the views)
	RETURN (SELECT ec.cap FROM @extschema@.credit_event_caps(coalesce(credit_event_cap.as_of, @extschema@.as_of())) ec
			WHERE ec.customer_id = credit_event_cap.customer_id);
END
$$;

-- The credit limit in force and where it comes from.
CREATE TYPE @extschema@.credit_limit_info AS (
	credit_limit	numeric,
	limit_source	text,
	credit_grade	@extschema@.credit_grade,
	valid_until		date
);

-- == The credit limit rule ==
--
-- A customer's credit limit on a date, in this order:
--   1. a credit_limit_override in force (its reason in limit_source)
--   2. the customer's own credit_limit (src_customer)
--   3. the limit policy row of its grade (profile; no profile row: the
--      row for grade NULL, "not graded yet")
-- The grade is the profile's, capped by credit_event_cap() (an unreviewed
-- external negative event) unless a manual grade override made it: the cap
-- takes effect, and is lifted, at once, not at the next refresh().
-- credit_limit NULL means no limit.  valid_until: the override's expiry or the
-- first date a later policy row of the grade takes over (NULL: open-ended).
-- limit_method: override, customer, or the policy's method (amount,
-- sales_multiple, none; NULL without a policy row): only a sales_multiple
-- limit moves with the invoices (the credit checks' cache needs to know).
--
-- Two forms read it: credit_limit_rows() for one customer (the credit
-- checks, a query routed to the customer's shard on Citus) and
-- credit_limits() for every customer (the views, joined on customer_id,
-- which Citus pushes down).  Each part of the rule is written once below and
-- both forms are joins of these parts; all are SQL functions the planner
-- inlines, so that a filter on the customer reaches every table read.

-- The override in force on a date, per customer: the newest set of those
-- whose validity covers the date.
CREATE FUNCTION @extschema@.credit_limit_overrides_in_force(as_of date)
	RETURNS TABLE (customer_id bigint, override_id bigint, credit_limit numeric, set_by name, reason text,
				   expires_on date)
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT DISTINCT ON (lo.customer_id)
		   lo.customer_id, lo.override_id, lo.credit_limit, lo.set_by, lo.reason, lo.expires_on
	FROM @extschema@.credit_limit_override lo
	WHERE lo.valid_from <= credit_limit_overrides_in_force.as_of
	  AND credit_limit_overrides_in_force.as_of < lo.expires_on
	ORDER BY lo.customer_id, lo.set_at DESC, lo.override_id DESC;
END;

-- The limit policy row in force on a date, per grade (NULL: not graded): a
-- row the user set before a shipped one, the latest valid_from first; and
-- next_from, the first date a later row of the grade takes over (a shipped
-- row only after a shipped one: a user's row is not replaced by a shipped
-- default).
CREATE FUNCTION @extschema@.credit_limit_policies_in_force(as_of date)
	RETURNS TABLE (grade @extschema@.credit_grade, method text, amount numeric, sales_multiple numeric,
				   sales_months integer, max_amount numeric, next_from date)
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT DISTINCT ON (lp.grade)
		   lp.grade, lp.method, lp.amount, lp.sales_multiple, lp.sales_months, lp.max_amount,
		   (SELECT min(ln.valid_from) FROM @extschema@.credit_limit_policy ln
			WHERE ln.grade IS NOT DISTINCT FROM lp.grade
			  AND ln.valid_from > credit_limit_policies_in_force.as_of
			  AND (NOT ln.shipped OR lp.shipped))
	FROM @extschema@.credit_limit_policy lp
	WHERE lp.valid_from <= credit_limit_policies_in_force.as_of
	ORDER BY lp.grade, lp.shipped, lp.valid_from DESC;
END;

-- The invoiced sales a sales_multiple policy multiplies: a customer's
-- invoices issued in the sales_months months up to the date (NULL: none,
-- or sales_months NULL).  Joined laterally on the customer, with
-- sales_months NULL unless the policy is a sales multiple: the planner then
-- reads no invoice (a one-time filter), and a join over every customer's
-- sales is not needed; Citus pushes it down with the customer's shard.
CREATE FUNCTION @extschema@.credit_limit_sales(customer_id bigint, sales_months integer, as_of date)
	RETURNS TABLE (sales numeric)
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT sum(i.amount)
	FROM @extschema@.src_invoice i
	WHERE credit_limit_sales.sales_months IS NOT NULL
	  AND i.customer_id = credit_limit_sales.customer_id
	  AND i.issued_on > credit_limit_sales.as_of - pg_catalog.make_interval(months => credit_limit_sales.sales_months)
	  AND i.issued_on <= credit_limit_sales.as_of;
END;

-- The grade the limit policy is chosen by: the profile's grade (the score's,
-- computed_grade, unless a manual override made credit_grade), capped at
-- cap (credit_event_cap(); a manual override is not capped).
CREATE FUNCTION @extschema@.credit_limit_grade(credit_grade @extschema@.credit_grade,
											   computed_grade @extschema@.credit_grade,
											   overridden boolean, cap @extschema@.credit_grade)
	RETURNS @extschema@.credit_grade
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	RETURN CASE WHEN NOT overridden AND cap IS NOT NULL
					 AND (coalesce(computed_grade, credit_grade) IS NULL OR cap > coalesce(computed_grade, credit_grade))
				THEN cap
				WHEN overridden THEN credit_grade
				ELSE coalesce(computed_grade, credit_grade) END;

-- What credit_limit_rows() and credit_limits() return for a customer.
CREATE TYPE @extschema@.credit_limit_decision AS (
	credit_limit	numeric,
	limit_source	text,
	credit_grade	@extschema@.credit_grade,
	valid_until		date,
	limit_method	text
);

-- The limit from its parts (the order at the top of this section): the
-- override in force (override_*; override_id NULL: none), the customer's own
-- limit, its profile grade (credit_limit_grade()'s arguments), the policy
-- row of that grade (policy_*, as credit_limit_policies_in_force() returns
-- it; method NULL: none) and the customer's sales over the policy's window.
CREATE FUNCTION @extschema@.credit_limit_decide(
		override_id bigint, override_limit numeric, override_set_by name, override_reason text,
		override_expires_on date, own_limit numeric,
		profile_grade @extschema@.credit_grade, computed_grade @extschema@.credit_grade,
		grade_overridden boolean, cap @extschema@.credit_grade,
		policy_method text, policy_amount numeric, policy_sales_multiple numeric, policy_sales_months integer,
		policy_max_amount numeric, policy_next_from date, sales numeric)
	RETURNS @extschema@.credit_limit_decision
	LANGUAGE sql STABLE PARALLEL SAFE
	RETURN ROW(
		CASE
			WHEN override_id IS NOT NULL THEN override_limit
			WHEN own_limit IS NOT NULL THEN own_limit
			WHEN policy_method = 'amount' THEN policy_amount
			WHEN policy_method = 'sales_multiple' THEN
				least(greatest(round(coalesce(sales, 0) / policy_sales_months * policy_sales_multiple, 2),
							   policy_amount),
					  policy_max_amount)
		END,
		CASE
			WHEN override_id IS NOT NULL THEN
				pg_catalog.format('override #%s by %s: %s', override_id, override_set_by, override_reason)
			WHEN own_limit IS NOT NULL THEN 'customer credit_limit'
			WHEN policy_method IS NULL THEN
				pg_catalog.format('no limit policy for grade %s',
					coalesce(@extschema@.credit_limit_grade(profile_grade, computed_grade, grade_overridden, cap)::text,
							 '(not graded)'))
			ELSE pg_catalog.format('policy for grade %s: %s',
					coalesce(@extschema@.credit_limit_grade(profile_grade, computed_grade, grade_overridden, cap)::text,
							 '(not graded)'),
					CASE policy_method WHEN 'amount' THEN policy_amount::text
						WHEN 'sales_multiple' THEN pg_catalog.format('%s x monthly sales over %s months',
																	 policy_sales_multiple, policy_sales_months)
						ELSE 'no limit' END)
		END || CASE WHEN @extschema@.credit_limit_grade(profile_grade, computed_grade, grade_overridden, cap)
						 IS DISTINCT FROM @extschema@.credit_limit_grade(profile_grade, computed_grade, grade_overridden, NULL)
					THEN ' (grade capped: unreviewed external event)' ELSE '' END,
		@extschema@.credit_limit_grade(profile_grade, computed_grade, grade_overridden, cap),
		CASE
			WHEN override_id IS NOT NULL THEN override_expires_on
			WHEN own_limit IS NOT NULL OR policy_method IS NULL THEN NULL
			ELSE policy_next_from
		END,
		CASE
			WHEN override_id IS NOT NULL THEN 'override'
			WHEN own_limit IS NOT NULL THEN 'customer'
			ELSE policy_method
		END)::@extschema@.credit_limit_decision;

-- Every customer's credit limit on a date (the rule above), or those listed
-- in customers (NULL: all), the grades of
-- the customers listed in capped capped at rule.external_event (their
-- unreviewed external events: credit_event_caps(), created after this file,
-- so they come as an argument).  For the views: Citus pushes it down as a
-- join on customer_id (the one lateral join, the sales, names the customer
-- and reads no reference table).  A view passes the date and the capped list
-- from a one-row subquery with OFFSET 0 (customer_profile): as sub-selects
-- put in place of the arguments the planner would not inline the parts.
CREATE FUNCTION @extschema@.credit_limits(as_of date, capped bigint[], customers bigint[] DEFAULT NULL)
	RETURNS TABLE (customer_id bigint, credit_limit numeric, limit_source text, credit_grade @extschema@.credit_grade,
				   valid_until date, limit_method text)
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT x.customer_id, (x.l).credit_limit, (x.l).limit_source, (x.l).credit_grade, (x.l).valid_until,
		   (x.l).limit_method
	FROM (SELECT g.customer_id,
				 @extschema@.credit_limit_decide(o.override_id, o.credit_limit, o.set_by, o.reason, o.expires_on,
					 g.own_limit, g.profile_grade, g.computed_grade, g.overridden, g.cap,
					 p.method, p.amount, p.sales_multiple, p.sales_months, p.max_amount, p.next_from,
					 s.sales) AS l
		  FROM (SELECT c.customer_id, c.credit_limit AS own_limit, pr.credit_grade AS profile_grade,
					   pr.computed_grade, pr.override_id IS NOT NULL AS overridden,
					   CASE WHEN c.customer_id = ANY (credit_limits.capped) THEN r.cap END AS cap
				FROM @extschema@.src_customer c
				LEFT JOIN @extschema@.profile pr ON pr.customer_id = c.customer_id
				-- the grade rule.external_event caps at (a join, not a sub-select:
				-- credit_limit_decide() is then inlined, called once per row)
				CROSS JOIN (SELECT NULLIF((SELECT cs.value FROM @extschema@.credit_setting cs
										   WHERE cs.name = 'rule.external_event'
										   ORDER BY cs.shipped LIMIT 1), 'off')::@extschema@.credit_grade AS cap
							OFFSET 0) r
				WHERE credit_limits.customers IS NULL OR c.customer_id = ANY (credit_limits.customers)) g
		  LEFT JOIN @extschema@.credit_limit_overrides_in_force(coalesce(credit_limits.as_of, @extschema@.as_of())) o
			  ON o.customer_id = g.customer_id
		  LEFT JOIN @extschema@.credit_limit_policies_in_force(coalesce(credit_limits.as_of, @extschema@.as_of())) p
			  ON p.grade IS NOT DISTINCT FROM @extschema@.credit_limit_grade(g.profile_grade, g.computed_grade,
																			g.overridden, g.cap)
		  LEFT JOIN LATERAL @extschema@.credit_limit_sales(g.customer_id,
				CASE WHEN p.method = 'sales_multiple' THEN p.sales_months END,
				coalesce(credit_limits.as_of, @extschema@.as_of())) s ON true) x;
END;

-- One customer's credit limit on a date (the rule above), also for a
-- customer not in src_customer (the checks see its ungraded policy).  For
-- the credit checks: inlined into credit_context(), every table filtered by
-- the customer, so that on Citus the query is routed to its shard.
CREATE FUNCTION @extschema@.credit_limit_rows(customer_id bigint, as_of date)
	RETURNS TABLE (credit_limit numeric, limit_source text, credit_grade @extschema@.credit_grade, valid_until date,
				   limit_method text)
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT (x.l).credit_limit, (x.l).limit_source, (x.l).credit_grade, (x.l).valid_until, (x.l).limit_method
	FROM (SELECT @extschema@.credit_limit_decide(o.override_id, o.credit_limit, o.set_by, o.reason, o.expires_on,
					 c.credit_limit, pr.credit_grade, pr.computed_grade, pr.override_id IS NOT NULL, ev.cap,
					 p.method, p.amount, p.sales_multiple, p.sales_months, p.max_amount, p.next_from,
					 s.sales) AS l
		  FROM (SELECT coalesce(credit_limit_rows.as_of, @extschema@.as_of()) AS as_of) k
		  LEFT JOIN @extschema@.profile pr ON pr.customer_id = credit_limit_rows.customer_id
		  -- OFFSET 0: looked up once, not at every use of the cap
		  CROSS JOIN LATERAL (SELECT CASE WHEN pr.override_id IS NULL
										  THEN @extschema@.credit_event_cap(credit_limit_rows.customer_id, k.as_of)
									 END AS cap
							  OFFSET 0) ev
		  LEFT JOIN @extschema@.src_customer c ON c.customer_id = credit_limit_rows.customer_id
		  LEFT JOIN @extschema@.credit_limit_overrides_in_force(k.as_of) o
			  ON o.customer_id = credit_limit_rows.customer_id
		  LEFT JOIN @extschema@.credit_limit_policies_in_force(k.as_of) p
			  ON p.grade IS NOT DISTINCT FROM @extschema@.credit_limit_grade(pr.credit_grade, pr.computed_grade,
																			pr.override_id IS NOT NULL, ev.cap)
		  LEFT JOIN LATERAL @extschema@.credit_limit_sales(credit_limit_rows.customer_id,
				CASE WHEN p.method = 'sales_multiple' THEN p.sales_months END, k.as_of) s ON true) x;
END;

-- PL/pgSQL, not SQL: Citus cannot plan the queries of a SQL function that is
-- not inlined when they take parameters ("could not create distributed
-- plan"); PL/pgSQL plans them with the values (docs/citus.md).
CREATE FUNCTION @extschema@.credit_limit_info(customer_id bigint, as_of date DEFAULT NULL)
	RETURNS @extschema@.credit_limit_info
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	r @extschema@.credit_limit_info;
BEGIN
	SELECT l.credit_limit, l.limit_source, l.credit_grade, l.valid_until INTO r
	FROM @extschema@.credit_limit_rows(credit_limit_info.customer_id, credit_limit_info.as_of) l;
	RETURN r;
END
$$;

CREATE FUNCTION @extschema@.credit_limit(customer_id bigint, as_of date DEFAULT NULL) RETURNS numeric
	LANGUAGE sql STABLE PARALLEL SAFE
	RETURN (@extschema@.credit_limit_info(customer_id, as_of)).credit_limit;

-- Every change of a limit override is recorded in class_history (dimension
-- credit_limit): a new one (old_value NULL), an edit (old and new limit, what
-- changed) and a deletion (new_value NULL), each with who did it.  To end an
-- override early, set its expires_on (recorded as an edit).
CREATE FUNCTION @extschema@.credit_limit_override_history() RETURNS trigger
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	changes text[] := '{}';
BEGIN
	-- a restore brings the history row back by itself
	IF current_setting('check_function_bodies') = 'off' THEN
		RETURN NULL;
	END IF;
	IF TG_OP = 'INSERT' THEN
		INSERT INTO @extschema@.class_history (customer_id, dimension, old_value, new_value, as_of, why)
		VALUES (NEW.customer_id, 'credit_limit', NULL, NEW.credit_limit::text, NEW.valid_from,
				format('limit override #%s by %s from %s until %s: %s', NEW.override_id, NEW.set_by,
					   NEW.valid_from, NEW.expires_on, NEW.reason));
	ELSIF TG_OP = 'UPDATE' THEN
		IF OLD.customer_id IS DISTINCT FROM NEW.customer_id THEN
			changes := changes || format('customer %s -> %s', OLD.customer_id, NEW.customer_id);
		END IF;
		IF OLD.credit_limit IS DISTINCT FROM NEW.credit_limit THEN
			changes := changes || format('limit %s -> %s', OLD.credit_limit, NEW.credit_limit);
		END IF;
		IF OLD.valid_from IS DISTINCT FROM NEW.valid_from THEN
			changes := changes || format('valid_from %s -> %s', OLD.valid_from, NEW.valid_from);
		END IF;
		IF OLD.expires_on IS DISTINCT FROM NEW.expires_on THEN
			changes := changes || format('expires_on %s -> %s', OLD.expires_on, NEW.expires_on);
		END IF;
		IF OLD.reason IS DISTINCT FROM NEW.reason THEN
			changes := changes || format('reason %L -> %L', OLD.reason, NEW.reason);
		END IF;
		IF cardinality(changes) = 0 THEN
			RETURN NULL;
		END IF;
		INSERT INTO @extschema@.class_history (customer_id, dimension, old_value, new_value, as_of, why)
		VALUES (NEW.customer_id, 'credit_limit', OLD.credit_limit::text, NEW.credit_limit::text, @extschema@.as_of(),
				format('limit override #%s changed by %s: %s', NEW.override_id, CURRENT_USER,
					   array_to_string(changes, ', ')));
	ELSE
		INSERT INTO @extschema@.class_history (customer_id, dimension, old_value, new_value, as_of, why)
		VALUES (OLD.customer_id, 'credit_limit', OLD.credit_limit::text, NULL, @extschema@.as_of(),
				format('limit override #%s deleted by %s (was from %s until %s: %s)', OLD.override_id, CURRENT_USER,
					   OLD.valid_from, OLD.expires_on, OLD.reason));
	END IF;
	RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.credit_limit_override_history() FROM PUBLIC;
CREATE TRIGGER credit_limit_override_history AFTER INSERT OR UPDATE OR DELETE ON @extschema@.credit_limit_override
	FOR EACH ROW EXECUTE FUNCTION @extschema@.credit_limit_override_history();

GRANT SELECT ON @extschema@.credit_setting, @extschema@.credit_settings, @extschema@.credit_limit_policy,
	@extschema@.credit_limit_override, @extschema@.credit_check_exception TO customer_class_reader;
GRANT INSERT, UPDATE, DELETE ON @extschema@.credit_setting, @extschema@.credit_limit_policy,
	@extschema@.credit_limit_override, @extschema@.credit_check_exception TO customer_class_admin;
REVOKE EXECUTE ON FUNCTION @extschema@.set_credit_setting(text, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.reset_credit_setting(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.set_credit_setting(text, text) TO customer_class_admin;
GRANT EXECUTE ON FUNCTION @extschema@.reset_credit_setting(text) TO customer_class_admin;

COMMENT ON TABLE @extschema@.credit_setting IS
	'credit check settings: shipped defaults (read-only) and the admin''s own rows, which win; use set_credit_setting()';
COMMENT ON COLUMN @extschema@.credit_setting.name IS 'setting: mode.order, mode.delivery, mode.invoice, rule.overdue_days, rule.grade_d, rule.external_event, alert.nearly_used_pct';
COMMENT ON COLUMN @extschema@.credit_setting.value IS 'value as text (validated per setting)';
COMMENT ON COLUMN @extschema@.credit_setting.description IS 'what the setting does';
COMMENT ON COLUMN @extschema@.credit_setting.set_by IS 'who set it';
COMMENT ON COLUMN @extschema@.credit_setting.set_at IS 'when it was set';
COMMENT ON COLUMN @extschema@.credit_setting.shipped IS 'shipped default (read-only); an admin row for the same name wins';
COMMENT ON VIEW @extschema@.credit_settings IS 'credit check settings in force, with their shipped defaults';
COMMENT ON COLUMN @extschema@.credit_settings.name IS 'setting name';
COMMENT ON COLUMN @extschema@.credit_settings.value IS 'value in force';
COMMENT ON COLUMN @extschema@.credit_settings.default_value IS 'shipped default';
COMMENT ON COLUMN @extschema@.credit_settings.changed IS 'the admin changed it';
COMMENT ON COLUMN @extschema@.credit_settings.set_by IS 'who changed it';
COMMENT ON COLUMN @extschema@.credit_settings.set_at IS 'when it was changed';
COMMENT ON COLUMN @extschema@.credit_settings.description IS 'what the setting does';

COMMENT ON TABLE @extschema@.credit_limit_policy IS
	'default credit limit per grade (NULL grade: not graded yet), by amount or a multiple of average monthly sales, from a date';
COMMENT ON COLUMN @extschema@.credit_limit_policy.grade IS 'credit grade; NULL for customers not graded yet';
COMMENT ON COLUMN @extschema@.credit_limit_policy.valid_from IS 'first as-of date the row applies to';
COMMENT ON COLUMN @extschema@.credit_limit_policy.method IS 'amount, sales_multiple or none (no limit)';
COMMENT ON COLUMN @extschema@.credit_limit_policy.amount IS 'the limit (amount); the floor (sales_multiple)';
COMMENT ON COLUMN @extschema@.credit_limit_policy.sales_multiple IS 'multiple of average monthly invoiced sales (sales_multiple)';
COMMENT ON COLUMN @extschema@.credit_limit_policy.sales_months IS 'months of sales averaged (sales_multiple)';
COMMENT ON COLUMN @extschema@.credit_limit_policy.max_amount IS 'cap of the computed limit (sales_multiple)';
COMMENT ON COLUMN @extschema@.credit_limit_policy.note IS 'why';
COMMENT ON COLUMN @extschema@.credit_limit_policy.shipped IS 'shipped default (read-only); an admin row for the grade wins';
COMMENT ON COLUMN @extschema@.credit_limit_policy.payment_terms_days IS
	'the longest payment terms of the grade in days (NULL: the grade sets none); an invoice written without due_on is due by the earlier of these terms and the customer''s own';
COMMENT ON COLUMN @extschema@.credit_limit_policy.payment_terms_basis IS
	'what payment_terms_days count from: invoice (the issue date) or month_end (the end of the month of issue, 月结)';

COMMENT ON TABLE @extschema@.credit_limit_override IS
	'a customer''s own credit limit with reason, author and expiry; the newest in force wins over customer.credit_limit and the policy';
COMMENT ON COLUMN @extschema@.credit_limit_override.override_id IS 'override key';
COMMENT ON COLUMN @extschema@.credit_limit_override.customer_id IS 'customer';
COMMENT ON COLUMN @extschema@.credit_limit_override.credit_limit IS 'limit imposed';
COMMENT ON COLUMN @extschema@.credit_limit_override.reason IS 'why (required)';
COMMENT ON COLUMN @extschema@.credit_limit_override.set_by IS 'who set it';
COMMENT ON COLUMN @extschema@.credit_limit_override.set_at IS 'when it was set';
COMMENT ON COLUMN @extschema@.credit_limit_override.valid_from IS 'first as-of date it applies to (default: customer_class.as_of())';
COMMENT ON COLUMN @extschema@.credit_limit_override.expires_on IS 'first as-of date it no longer applies to';

COMMENT ON TABLE @extschema@.credit_check_exception IS
	'per-customer exceptions to the check mode (e.g. off for a group company), optionally expiring';
COMMENT ON COLUMN @extschema@.credit_check_exception.exception_id IS 'exception key';
COMMENT ON COLUMN @extschema@.credit_check_exception.customer_id IS 'customer';
COMMENT ON COLUMN @extschema@.credit_check_exception.checkpoint IS 'order, delivery or invoice; NULL for every checkpoint';
COMMENT ON COLUMN @extschema@.credit_check_exception.mode IS 'mode for this customer: block, warn, hold or off';
COMMENT ON COLUMN @extschema@.credit_check_exception.reason IS 'why (required)';
COMMENT ON COLUMN @extschema@.credit_check_exception.set_by IS 'who set it';
COMMENT ON COLUMN @extschema@.credit_check_exception.set_at IS 'when it was set';
COMMENT ON COLUMN @extschema@.credit_check_exception.expires_on IS 'first as-of date it no longer applies to (NULL: no expiry)';

COMMENT ON TYPE @extschema@.credit_limit_info IS 'a credit limit (NULL: none), where it comes from, the grade it was read with and until when it holds';
COMMENT ON FUNCTION @extschema@.credit_setting_validate() IS 'trigger: rejects unknown credit settings and invalid values';
COMMENT ON FUNCTION @extschema@.credit_setting(text) IS 'the value in force of a credit setting (admin row, else shipped default)';
COMMENT ON FUNCTION @extschema@.set_credit_setting(text, text) IS 'set a credit setting (writes the admin''s own row, kept by pg_dump)';
COMMENT ON FUNCTION @extschema@.reset_credit_setting(text) IS 'back to the shipped default of a credit setting; returns the value now in force';
COMMENT ON FUNCTION @extschema@.credit_check_mode(bigint, text, date) IS 'check mode (block, warn, off) of a customer at a checkpoint: its exception in force, else mode.<checkpoint>';
COMMENT ON FUNCTION @extschema@.credit_limit_info(bigint, date) IS 'credit limit in force on a date: override, else customer credit_limit, else the grade''s limit policy; with its source and validity';
COMMENT ON FUNCTION @extschema@.credit_limit_rows(bigint, date) IS 'credit limit in force on a date as one row (inlined into the credit checks): limit, source, grade, valid until, method';
COMMENT ON FUNCTION @extschema@.credit_limits(date, bigint[], bigint[]) IS 'credit limit in force on a date of every customer (or those listed in customers), the grades of those in capped capped at rule.external_event: limit, source, grade, valid until, method (inlined into the views)';
COMMENT ON FUNCTION @extschema@.credit_limit_overrides_in_force(date) IS 'part of the credit limit rule: per customer, the limit override in force on the date (the newest set)';
COMMENT ON FUNCTION @extschema@.credit_limit_policies_in_force(date) IS 'part of the credit limit rule: per grade, the limit policy row in force on the date and the date the next one takes over';
COMMENT ON FUNCTION @extschema@.credit_limit_sales(bigint, integer, date) IS 'part of the credit limit rule: a customer''s sales invoiced in the sales_months months up to the date (NULL: none, or sales_months NULL)';
COMMENT ON FUNCTION @extschema@.credit_limit_grade(@extschema@.credit_grade, @extschema@.credit_grade, boolean, @extschema@.credit_grade) IS 'part of the credit limit rule: the grade the limit policy is chosen by (the profile''s, capped by an unreviewed external event unless overridden by hand)';
COMMENT ON FUNCTION @extschema@.credit_limit_decide(bigint, numeric, name, text, date, numeric, @extschema@.credit_grade, @extschema@.credit_grade, boolean, @extschema@.credit_grade, text, numeric, numeric, integer, numeric, date, numeric) IS 'part of the credit limit rule: the limit, its source, the grade, valid until and method from the override, own limit, grade and policy in force';
COMMENT ON TYPE @extschema@.credit_limit_decision IS 'a credit limit in force with where it comes from (credit_limit_decide())';
COMMENT ON FUNCTION @extschema@.credit_limit(bigint, date) IS 'credit limit in force on a date (NULL: no limit)';
COMMENT ON FUNCTION @extschema@.credit_event_cap(bigint, date) IS 'the grade rule.external_event caps a customer at while it has an external event on or before the date not yet reviewed (its alert open); NULL: no cap';
COMMENT ON FUNCTION @extschema@.credit_limit_override_history() IS 'trigger: records every new, changed or deleted limit override in class_history';

-- Errors that say what is accepted (checks/explain.sql): the WHEN clause is
-- true exactly when one of the table's CHECK constraints is false (a NULL
-- result passes a CHECK); keep it in step with the table's CHECKs.
CREATE TRIGGER credit_limit_policy_explain_check BEFORE INSERT OR UPDATE ON @extschema@.credit_limit_policy
	FOR EACH ROW WHEN ((NEW.method IN ('amount', 'sales_multiple', 'none')) IS FALSE
		OR (NEW.method <> 'amount' OR NEW.amount IS NOT NULL) IS FALSE
		OR (NEW.method <> 'sales_multiple' OR (NEW.sales_multiple > 0 AND NEW.sales_months BETWEEN 1 AND 120)) IS FALSE
		OR (NEW.amount >= 0 AND NEW.max_amount >= 0) IS FALSE
		OR (NEW.payment_terms_days BETWEEN 0 AND 365 AND NEW.payment_terms_basis IN ('invoice', 'month_end')) IS FALSE
		OR ((NEW.payment_terms_days IS NULL) = (NEW.payment_terms_basis IS NULL)) IS FALSE)
	EXECUTE FUNCTION @extschema@.explain_check_violation();
CREATE TRIGGER credit_limit_override_explain_check BEFORE INSERT OR UPDATE ON @extschema@.credit_limit_override
	FOR EACH ROW WHEN ((btrim(NEW.reason) <> '') IS FALSE OR (NEW.credit_limit >= 0) IS FALSE
		OR (NEW.expires_on > NEW.valid_from) IS FALSE)
	EXECUTE FUNCTION @extschema@.explain_check_violation();
CREATE TRIGGER credit_check_exception_explain_check BEFORE INSERT OR UPDATE ON @extschema@.credit_check_exception
	FOR EACH ROW WHEN ((NEW.checkpoint IN ('order', 'delivery', 'invoice')) IS FALSE
		OR (NEW.mode IN ('block', 'warn', 'hold', 'off')) IS FALSE OR (btrim(NEW.reason) <> '') IS FALSE)
	EXECUTE FUNCTION @extschema@.explain_check_violation();
