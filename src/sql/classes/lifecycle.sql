-- Lifecycle stage, revenue phase, behaviour segment and RFM: C functions of
-- the facts (credit_facts) and a policy row (lifecycle_policy).  The rules
-- are in src/lifecycle.c and docs/lifecycle.md.  Like scorecards: several
-- policies may exist, the active one is used, else the shipped 'default';
-- shipped rows are read-only and a change of any policy bumps the policy
-- version, so the next refresh() recomputes everyone.

CREATE TABLE @extschema@.lifecycle_policy (
	policy_id			text PRIMARY KEY,
	description			text NOT NULL DEFAULT '',
	new_days			integer NOT NULL DEFAULT 90,
	dormant_days		integer NOT NULL DEFAULT 90,
	churned_days		integer NOT NULL DEFAULT 180,
	introduction_days	integer NOT NULL DEFAULT 180,
	growth_ratio		numeric NOT NULL DEFAULT 1.25,
	decline_ratio		numeric NOT NULL DEFAULT 0.75,
	hf_orders_12m		integer NOT NULL DEFAULT 20,
	hf_active_months	integer NOT NULL DEFAULT 10,
	large_invoice_amount numeric NOT NULL DEFAULT 50000,
	occasional_orders_12m integer NOT NULL DEFAULT 6,
	risk_overdue_share	numeric NOT NULL DEFAULT 0.25,
	risk_payment_index	numeric NOT NULL DEFAULT 50,
	late_days			numeric NOT NULL DEFAULT 10,
	drift_min_baseline	integer NOT NULL DEFAULT 4,
	drift_min_days		numeric NOT NULL DEFAULT 7,
	drift_spread_factor	numeric NOT NULL DEFAULT 2,
	drift_recent_days	integer NOT NULL DEFAULT 90,
	volume_drop_ratio	numeric NOT NULL DEFAULT 0.5,
	volume_min_prior_orders integer NOT NULL DEFAULT 2,
	dormant_gap_factor	numeric NOT NULL DEFAULT 1.5,
	active				boolean NOT NULL DEFAULT false,
	shipped				boolean NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX lifecycle_policy_one_active ON @extschema@.lifecycle_policy ((true)) WHERE active;

-- Clear errors for a policy that cannot work.
CREATE FUNCTION @extschema@.lifecycle_policy_validate() RETURNS trigger
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF NOT (0 < NEW.dormant_days AND NEW.dormant_days < NEW.churned_days) THEN
		RAISE EXCEPTION 'lifecycle policy "%": days must satisfy 0 < dormant_days < churned_days', NEW.policy_id
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = format('dormant_days %s, churned_days %s.', NEW.dormant_days, NEW.churned_days);
	END IF;
	IF NEW.new_days <= 0 OR NEW.introduction_days <= 0 OR NEW.hf_orders_12m <= 0
	   OR NEW.occasional_orders_12m <= 0 OR NEW.hf_active_months NOT BETWEEN 1 AND 12 THEN
		RAISE EXCEPTION 'lifecycle policy "%": new_days, introduction_days, hf_orders_12m and occasional_orders_12m must be positive, hf_active_months between 1 and 12', NEW.policy_id
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF NOT (0 <= NEW.decline_ratio AND NEW.decline_ratio < 1 AND 1 < NEW.growth_ratio) THEN
		RAISE EXCEPTION 'lifecycle policy "%": ratios must satisfy 0 <= decline_ratio < 1 < growth_ratio', NEW.policy_id
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = format('decline_ratio %s, growth_ratio %s.', NEW.decline_ratio, NEW.growth_ratio);
	END IF;
	IF NEW.large_invoice_amount < 0 OR NEW.risk_overdue_share <= 0 OR NEW.late_days < 0
	   OR NEW.risk_payment_index NOT BETWEEN 0 AND 100 THEN
		RAISE EXCEPTION 'lifecycle policy "%": large_invoice_amount and late_days must not be negative, risk_overdue_share must be positive, risk_payment_index between 0 and 100', NEW.policy_id
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF NEW.drift_min_baseline < 1 OR NEW.drift_recent_days < 0 OR NEW.drift_min_days < 0
	   OR NEW.drift_spread_factor NOT BETWEEN 0 AND 100 OR NEW.volume_min_prior_orders < 1
	   OR NOT (0 <= NEW.volume_drop_ratio AND NEW.volume_drop_ratio < 1) THEN
		RAISE EXCEPTION 'lifecycle policy "%": drift_min_baseline and volume_min_prior_orders must be at least 1, drift_recent_days and drift_min_days not negative, drift_spread_factor between 0 and 100, 0 <= volume_drop_ratio < 1', NEW.policy_id
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF greatest(scale(NEW.growth_ratio), scale(NEW.decline_ratio), scale(NEW.large_invoice_amount),
				scale(NEW.risk_overdue_share), scale(NEW.risk_payment_index), scale(NEW.late_days),
				scale(NEW.drift_min_days), scale(NEW.drift_spread_factor), scale(NEW.volume_drop_ratio), scale(NEW.dormant_gap_factor)) > 4 THEN
		RAISE EXCEPTION 'lifecycle policy "%": amounts and ratios have at most four decimals', NEW.policy_id
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Round the value: the rules compare amounts exactly in units of 1/10000.';
	END IF;
	IF NEW.dormant_gap_factor NOT BETWEEN 0 AND 100 THEN
		RAISE EXCEPTION 'lifecycle policy "%": dormant_gap_factor must be between 0 and 100', NEW.policy_id
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = format('dormant_gap_factor %s.', NEW.dormant_gap_factor);
	END IF;
	RETURN NEW;
END
$$;

CREATE TRIGGER lifecycle_policy_validate BEFORE INSERT OR UPDATE ON @extschema@.lifecycle_policy
	FOR EACH ROW EXECUTE FUNCTION @extschema@.lifecycle_policy_validate();
CREATE TRIGGER lifecycle_policy_policy_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.lifecycle_policy
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.bump_policy_version();

INSERT INTO @extschema@.lifecycle_policy (policy_id, description, shipped)
VALUES ('default', 'shipped default: new < 90 days, dormant >= 90, churned >= 180; growth >= x1.25, decline <= x0.75', true);

-- after the shipped row: from now on nobody else inserts, changes or deletes
-- a shipped row (one inserted as shipped would be lost by pg_dump)
CREATE TRIGGER lifecycle_policy_protect_shipped BEFORE INSERT OR UPDATE OR DELETE ON @extschema@.lifecycle_policy
	FOR EACH ROW EXECUTE FUNCTION @extschema@.protect_shipped_row();

SELECT pg_catalog.pg_extension_config_dump('@extschema@.lifecycle_policy', 'WHERE NOT shipped');

GRANT SELECT ON @extschema@.lifecycle_policy TO customer_class_reader;
GRANT INSERT, UPDATE, DELETE ON @extschema@.lifecycle_policy TO customer_class_admin;

COMMENT ON TABLE @extschema@.lifecycle_policy IS
	'thresholds of lifecycle stages, phases and behaviour segments; one may be active (none: the shipped default)';
COMMENT ON COLUMN @extschema@.lifecycle_policy.policy_id IS 'policy name';
COMMENT ON COLUMN @extschema@.lifecycle_policy.description IS 'what the policy is for';
COMMENT ON COLUMN @extschema@.lifecycle_policy.new_days IS 'first order less than this many days ago: stage new, segment newcomer';
COMMENT ON COLUMN @extschema@.lifecycle_policy.dormant_days IS 'no order for at least this many days: dormant; an order after such a gap: reactivated';
COMMENT ON COLUMN @extschema@.lifecycle_policy.churned_days IS 'no order for at least this many days: churned';
COMMENT ON COLUMN @extschema@.lifecycle_policy.introduction_days IS 'first order less than this many days ago: phase introduction';
COMMENT ON COLUMN @extschema@.lifecycle_policy.growth_ratio IS 'revenue of the last 180 days at least this times the 180 before: growth';
COMMENT ON COLUMN @extschema@.lifecycle_policy.decline_ratio IS 'revenue of the last 180 days at most this times the 180 before: decline';
COMMENT ON COLUMN @extschema@.lifecycle_policy.hf_orders_12m IS 'high-frequency stable: at least this many orders in 12 months ...';
COMMENT ON COLUMN @extschema@.lifecycle_policy.hf_active_months IS '... in at least this many of the last twelve 30-day windows';
COMMENT ON COLUMN @extschema@.lifecycle_policy.large_invoice_amount IS 'occasional large: average invoice of the last 12 months at least this ...';
COMMENT ON COLUMN @extschema@.lifecycle_policy.occasional_orders_12m IS '... with 1 to this many orders in 12 months';
COMMENT ON COLUMN @extschema@.lifecycle_policy.risk_overdue_share IS 'overdue high-risk: balance more than 30 days past due at least this share of 12-month revenue (or any default, or a payment index below risk_payment_index)';
COMMENT ON COLUMN @extschema@.lifecycle_policy.risk_payment_index IS 'overdue high-risk: payment index below this (50 = 30 days late on average)';
COMMENT ON COLUMN @extschema@.lifecycle_policy.late_days IS 'late payer: amount-weighted days beyond terms at least this';
COMMENT ON COLUMN @extschema@.lifecycle_policy.drift_min_baseline IS 'payment-rhythm warning: settlements needed before the last two to form the customer''s baseline';
COMMENT ON COLUMN @extschema@.lifecycle_policy.drift_min_days IS 'payment-rhythm warning: the last two settlements must each take more than the baseline median plus at least this many days';
COMMENT ON COLUMN @extschema@.lifecycle_policy.drift_spread_factor IS 'payment-rhythm warning: ... or plus this many times the baseline spread (median absolute deviation), whichever is more';
COMMENT ON COLUMN @extschema@.lifecycle_policy.drift_recent_days IS 'payment-rhythm warning: the last settlement is at most this many days before as_of';
COMMENT ON COLUMN @extschema@.lifecycle_policy.volume_drop_ratio IS 'red payment-rhythm warning: orders of the last 90 days at most this share of the 90 days before';
COMMENT ON COLUMN @extschema@.lifecycle_policy.volume_min_prior_orders IS 'red payment-rhythm warning: orders needed in the 90 days before the last 90 for a fall to count';
COMMENT ON COLUMN @extschema@.lifecycle_policy.dormant_gap_factor IS 'became_dormant alert: only once the days since the last order reach this many times the customer''s own last gap between orders too (0: dormant_days alone)';
COMMENT ON COLUMN @extschema@.lifecycle_policy.active IS 'the policy in force (at most one; none: default)';
COMMENT ON COLUMN @extschema@.lifecycle_policy.shipped IS 'shipped with the extension (read-only)';
COMMENT ON FUNCTION @extschema@.lifecycle_policy_validate() IS 'trigger: rejects lifecycle policies whose thresholds cannot work';

-- the lifecycle policy in force: the active one, else the shipped default
CREATE FUNCTION @extschema@.active_lifecycle_policy() RETURNS @extschema@.lifecycle_policy
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT p FROM @extschema@.lifecycle_policy p
	WHERE p.active OR p.policy_id = 'default'
	ORDER BY p.active DESC
	LIMIT 1;
END;
COMMENT ON FUNCTION @extschema@.active_lifecycle_policy() IS
	'the lifecycle policy in force: the active one, else the shipped default';

CREATE TYPE @extschema@.lifecycle_result AS (
	stage		@extschema@.lifecycle_stage,
	phase		@extschema@.lifecycle_phase,
	segment		@extschema@.behaviour_segment
);
COMMENT ON TYPE @extschema@.lifecycle_result IS
	'lifecycle stage, revenue phase (NULL: no order yet) and behaviour segment of a customer';

CREATE FUNCTION @extschema@.lifecycle_classify(facts @extschema@.credit_facts,
											   policy @extschema@.lifecycle_policy, as_of date)
	RETURNS @extschema@.lifecycle_result
	AS 'MODULE_PATHNAME', 'lifecycle_classify'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.lifecycle_classify(@extschema@.credit_facts, @extschema@.lifecycle_policy, date) IS
	'lifecycle stage, phase and behaviour segment of a customer''s facts as of a date under a lifecycle policy (rules in docs/lifecycle.md)';

CREATE TYPE @extschema@.rfm_result AS (
	r			integer,
	f			integer,
	m			integer,
	segment		@extschema@.rfm_segment
);
COMMENT ON TYPE @extschema@.rfm_result IS
	'RFM quintile scores 1-5 (recency reversed: 5 = most recent) and the named segment';

CREATE FUNCTION @extschema@.rfm_score(recency_days integer, frequency integer, monetary numeric,
									  r_bounds integer[], f_bounds integer[], m_bounds numeric[])
	RETURNS @extschema@.rfm_result
	AS 'MODULE_PATHNAME', 'rfm_score'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.rfm_score(integer, integer, numeric, integer[], integer[], numeric[]) IS
	'RFM scores against quintile bounds (the 20/40/60/80th percentiles): F, M = 1 + bounds below the value, R = 5 - bounds below the days since the last order; and the named segment (first-match rules in docs/lifecycle.md)';

-- The quintile bounds of every full refresh: an incremental refresh scores
-- its customers with those of the last full refresh, so that the scores of
-- all customers stay comparable.
CREATE TABLE @extschema@.rfm_boundary (
	boundary_id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	as_of			date NOT NULL,
	policy_version	bigint NOT NULL,
	customers		bigint NOT NULL,
	r_bounds		integer[],
	f_bounds		integer[],
	m_bounds		numeric[],
	computed_at		timestamptz NOT NULL DEFAULT pg_catalog.now()
);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.rfm_boundary', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.rfm_boundary_boundary_id_seq', '');
GRANT SELECT ON @extschema@.rfm_boundary TO customer_class_reader;
GRANT INSERT ON @extschema@.rfm_boundary TO customer_class_analyst;

COMMENT ON TABLE @extschema@.rfm_boundary IS
	'RFM quintile bounds computed by each full refresh() over every customer with an order; the latest row scores incremental refreshes';
COMMENT ON COLUMN @extschema@.rfm_boundary.boundary_id IS 'row key, in the order of the refreshes';
COMMENT ON COLUMN @extschema@.rfm_boundary.as_of IS 'as-of date of the full refresh';
COMMENT ON COLUMN @extschema@.rfm_boundary.policy_version IS 'policy version of the full refresh';
COMMENT ON COLUMN @extschema@.rfm_boundary.customers IS 'customers with an order the bounds were computed over';
COMMENT ON COLUMN @extschema@.rfm_boundary.r_bounds IS '20/40/60/80th percentiles of days since the last order (NULL: no customer with an order)';
COMMENT ON COLUMN @extschema@.rfm_boundary.f_bounds IS '20/40/60/80th percentiles of orders in 12 months';
COMMENT ON COLUMN @extschema@.rfm_boundary.m_bounds IS '20/40/60/80th percentiles of revenue in 12 months';
COMMENT ON COLUMN @extschema@.rfm_boundary.computed_at IS 'when the bounds were computed';
