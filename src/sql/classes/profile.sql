-- The profile table: one row per customer with its current classes, written
-- by refresh().  Later concerns add their columns here.

CREATE TABLE @extschema@.profile (
	customer_id		bigint PRIMARY KEY,
	as_of			date NOT NULL,
	scorecard_id	text NOT NULL,
	policy_version	bigint NOT NULL,
	scale_points	numeric(5,2) NOT NULL,
	payment_points	numeric(5,2) NOT NULL,
	stability_points numeric(5,2) NOT NULL,
	risk_points		numeric(5,2) NOT NULL,
	internal_score	numeric(5,2) NOT NULL,
	external_score	numeric(5,2),
	credit_score	numeric(5,2) NOT NULL,
	computed_grade	@extschema@.credit_grade NOT NULL,
	override_id		bigint,
	credit_grade	@extschema@.credit_grade NOT NULL,
	refreshed_at	timestamptz NOT NULL DEFAULT pg_catalog.now(),
	lifecycle_policy_id text,
	lifecycle_stage	@extschema@.lifecycle_stage,
	lifecycle_phase	@extschema@.lifecycle_phase,
	behaviour_segment @extschema@.behaviour_segment,
	first_order_on	date,
	last_order_on	date,
	orders_12m		integer,
	revenue_12m		numeric,
	rfm_r			smallint,
	rfm_f			smallint,
	rfm_m			smallint,
	rfm_segment		@extschema@.rfm_segment,
	open_balance	numeric,
	overdue_balance	numeric,
	overdue_invoices integer,
	payment_index	numeric,
	days_beyond_terms numeric,
	payment_warning	@extschema@.alert_level,
	rule_tags		@extschema@.tagset NOT NULL DEFAULT '{}'
)
-- refresh() rewrites most rows: room on each page lets the new versions stay
-- there (HOT updates, no index entry per row), which makes a full refresh's
-- UPDATE about a third cheaper at the price of a larger table.
WITH (fillfactor = 60);

-- The few profiles with rule tags: apply_tag_rules() finds out whether
-- there are any without reading every profile.  (rule_tags is not among
-- the columns refresh() rewrites, so this index keeps its updates HOT.)
CREATE INDEX profile_rule_tagged_idx ON @extschema@.profile (customer_id)
	WHERE rule_tags OPERATOR(@extschema@.<>) '{}'::@extschema@.tagset;
COMMENT ON INDEX @extschema@.profile_rule_tagged_idx IS 'profiles with rule tags (apply_tag_rules checks for any)';

-- Derived data, but dumped too: a restored database answers at once, and the
-- history written from it stays consistent.
SELECT pg_catalog.pg_extension_config_dump('@extschema@.profile', '');

GRANT SELECT ON @extschema@.profile TO customer_class_reader;

COMMENT ON TABLE @extschema@.profile IS
	'current classes per customer, written by refresh(); read customer_profile instead';
COMMENT ON COLUMN @extschema@.profile.customer_id IS 'customer key';
COMMENT ON COLUMN @extschema@.profile.as_of IS 'date the classes were computed as of';
COMMENT ON COLUMN @extschema@.profile.scorecard_id IS 'scorecard the score was computed with';
COMMENT ON COLUMN @extschema@.profile.policy_version IS 'policy version in force at the refresh (a later policy change forces a full refresh)';
COMMENT ON COLUMN @extschema@.profile.scale_points IS 'transaction scale points 0-100';
COMMENT ON COLUMN @extschema@.profile.payment_points IS 'payment performance points 0-100';
COMMENT ON COLUMN @extschema@.profile.stability_points IS 'relationship stability points 0-100';
COMMENT ON COLUMN @extschema@.profile.risk_points IS 'industry/region risk points 0-100 (100 = lowest risk)';
COMMENT ON COLUMN @extschema@.profile.internal_score IS 'weighted total of the four dimensions';
COMMENT ON COLUMN @extschema@.profile.external_score IS 'external score blended in, if any';
COMMENT ON COLUMN @extschema@.profile.credit_score IS 'credit score 0-100 (internal blended with external)';
COMMENT ON COLUMN @extschema@.profile.computed_grade IS 'grade from the score, before any override';
COMMENT ON COLUMN @extschema@.profile.override_id IS 'credit_override in force, if any';
COMMENT ON COLUMN @extschema@.profile.credit_grade IS 'credit grade A-D in force (override, else computed)';
COMMENT ON COLUMN @extschema@.profile.refreshed_at IS 'when refresh() wrote this row';
COMMENT ON COLUMN @extschema@.profile.lifecycle_policy_id IS 'lifecycle policy the stage, phase and segment were computed under';
COMMENT ON COLUMN @extschema@.profile.lifecycle_stage IS 'lifecycle stage: potential, new, active, reactivated, dormant, churned';
COMMENT ON COLUMN @extschema@.profile.lifecycle_phase IS 'revenue phase: introduction, growth, maturity, decline (NULL: no order yet)';
COMMENT ON COLUMN @extschema@.profile.behaviour_segment IS 'behaviour segment (first-match rules of the lifecycle policy)';
COMMENT ON COLUMN @extschema@.profile.first_order_on IS 'first (non-cancelled) order by as_of';
COMMENT ON COLUMN @extschema@.profile.last_order_on IS 'last (non-cancelled) order by as_of';
COMMENT ON COLUMN @extschema@.profile.orders_12m IS 'orders in the 365 days up to as_of (RFM frequency)';
COMMENT ON COLUMN @extschema@.profile.revenue_12m IS 'invoiced in the 365 days up to as_of (RFM monetary)';
COMMENT ON COLUMN @extschema@.profile.rfm_r IS 'RFM recency quintile score 1-5 (5 = most recent order)';
COMMENT ON COLUMN @extschema@.profile.rfm_f IS 'RFM frequency quintile score 1-5 (5 = most orders in 12 months)';
COMMENT ON COLUMN @extschema@.profile.rfm_m IS 'RFM monetary quintile score 1-5 (5 = most revenue in 12 months)';
COMMENT ON COLUMN @extschema@.profile.rfm_segment IS 'named RFM segment (NULL: no order yet)';
COMMENT ON COLUMN @extschema@.profile.open_balance IS 'open receivables as of as_of (unapplied payments and credit notes deducted)';
COMMENT ON COLUMN @extschema@.profile.overdue_balance IS 'open amount of invoices past due as of as_of';
COMMENT ON COLUMN @extschema@.profile.overdue_invoices IS 'open invoices past due as of as_of';
COMMENT ON COLUMN @extschema@.profile.payment_index IS 'PAYDEX-style payment index 20-100 (NULL below 3 paid invoices)';
COMMENT ON COLUMN @extschema@.profile.payment_warning IS 'payment-rhythm warning: yellow (last two settlements clearly late against the customer''s own rhythm), red (and orders falling), NULL (none)';
COMMENT ON COLUMN @extschema@.profile.days_beyond_terms IS 'amount-weighted days beyond terms of paid invoices (negative: early)';
COMMENT ON COLUMN @extschema@.profile.rule_tags IS 'tags given by the enabled tag rules at the refresh (apply_tag_rules); apart from the manual customer.tags';

-- Every change of class, kept: grades can be compared over time.
CREATE TABLE @extschema@.class_history (
	history_id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	customer_id		bigint NOT NULL,
	dimension		text NOT NULL,
	old_value		text,
	new_value		text,
	as_of			date NOT NULL,
	changed_at		timestamptz NOT NULL DEFAULT pg_catalog.now(),
	why				text NOT NULL
);
CREATE INDEX class_history_customer_idx ON @extschema@.class_history (customer_id, dimension, as_of);
CREATE INDEX class_history_dimension_idx ON @extschema@.class_history (dimension, as_of);

SELECT pg_catalog.pg_extension_config_dump('@extschema@.class_history', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.class_history_history_id_seq', '');
COMMENT ON SEQUENCE @extschema@.class_history_history_id_seq IS 'keys of class_history (identity)';

-- analysts run refresh(), which appends history and writes profiles as the
-- extension owner (SECURITY DEFINER); nobody else writes either
GRANT SELECT ON @extschema@.class_history TO customer_class_reader;

COMMENT ON TABLE @extschema@.class_history IS
	'every change of a customer''s class (grade, stage, segment, tags, ...), append-only';
COMMENT ON COLUMN @extschema@.class_history.history_id IS 'row key, in the order changes were recorded';
COMMENT ON COLUMN @extschema@.class_history.customer_id IS 'customer';
COMMENT ON COLUMN @extschema@.class_history.dimension IS 'which class changed: credit_grade, lifecycle_stage, lifecycle_phase, segment, rfm_segment, payment_warning, tag (manual), rule_tag, credit_limit (override), ...';
COMMENT ON COLUMN @extschema@.class_history.old_value IS 'value before (NULL: first classification)';
COMMENT ON COLUMN @extschema@.class_history.new_value IS 'value after (NULL: customer gone)';
COMMENT ON COLUMN @extschema@.class_history.as_of IS 'the as-of date of the refresh that saw the change';
COMMENT ON COLUMN @extschema@.class_history.changed_at IS 'when the change was recorded';
COMMENT ON COLUMN @extschema@.class_history.why IS 'the reason: score and its parts, override, expiry, ...';
