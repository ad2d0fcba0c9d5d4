-- customer_class 0.2.0: generated from src/sql/<concern>/*.sql, do not edit
\echo Use "CREATE EXTENSION customer_class" to load this file. \quit

-- ---- src/sql/base/roles.sql ----
-- Roles.  They are cluster-wide, so they may exist already (another database,
-- an earlier install): create each only when missing, never fail.
--   customer_class_reader   reads profiles, reports and sources (BI tools)
--   customer_class_analyst  reader + runs computations, writes manual tags
--   customer_class_admin    analyst + edits policies, sources and managed data
--   customer_class_rule_checker  no privileges at all, member of nothing:
--                           tag rule conditions are parsed and checked as
--                           this role (src/tag_rule.c, docs/rules.md);
--                           it is never granted to anyone
DO $roles$
DECLARE
	r text;
BEGIN
	FOREACH r IN ARRAY ARRAY['customer_class_reader', 'customer_class_analyst', 'customer_class_admin']
	LOOP
		IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r) THEN
			EXECUTE pg_catalog.format('CREATE ROLE %I NOLOGIN', r);
		END IF;
	END LOOP;
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'customer_class_rule_checker') THEN
		CREATE ROLE customer_class_rule_checker NOLOGIN;
	END IF;
	IF NOT pg_catalog.pg_has_role('customer_class_analyst', 'customer_class_reader', 'MEMBER') THEN
		GRANT customer_class_reader TO customer_class_analyst;
	END IF;
	IF NOT pg_catalog.pg_has_role('customer_class_admin', 'customer_class_analyst', 'MEMBER') THEN
		GRANT customer_class_analyst TO customer_class_admin;
	END IF;
END
$roles$;

GRANT USAGE ON SCHEMA @extschema@ TO customer_class_reader;
-- the checker resolves the extension's names, and may do nothing else
GRANT USAGE ON SCHEMA @extschema@ TO customer_class_rule_checker;

COMMENT ON SCHEMA @extschema@ IS
	'customer_class: customer classification and trade-credit control';

-- ---- src/sql/base/as_of.sql ----
-- The date every computation is "as of": the GUC customer_class.as_of, or the
-- current date when it is empty.  STABLE: it reads a setting.
CREATE FUNCTION @extschema@.as_of() RETURNS date
	AS 'MODULE_PATHNAME', 'as_of_date'
	LANGUAGE C STABLE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.as_of() IS
	'the as-of date in force: setting customer_class.as_of, or current_date when it is empty';

-- The guard of every function that writes something as of a date (refresh,
-- rewind, apply_tag_rules, credit_alert_scan, the manual tag history): the
-- date must be finite and at most customer_class.max_days_ahead days after
-- the real current date (not the as_of setting), else 22023 before anything
-- is written.  Returns the date.  STABLE: it reads the clock and a setting.
CREATE FUNCTION @extschema@.check_as_of(as_of date, what text) RETURNS date
	AS 'MODULE_PATHNAME', 'as_of_check'
	LANGUAGE C STABLE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.check_as_of(date, text) IS
	'returns the as-of date when something may be written as of it (finite, at most customer_class.max_days_ahead days after current_date); else error 22023 (22004 for NULL) naming what and the date';

-- ---- src/sql/checks/explain.sql ----
-- Errors that say what is accepted.  A raw CHECK failure names the
-- constraint and dumps the row; a user who wrote 'East.Shanghai' as a region
-- or a negative limit is left to read the table's definition.  So every table
-- of the schema with CHECK constraints has a BEFORE ROW trigger that fires
-- only when one of them is false (its WHEN clause restates the CHECKs, so a
-- valid row costs a few comparisons and no function call, bulk loads
-- included), finds the constraint that fails and raises the same error
-- (23514, the same constraint, table and schema fields) with a DETAIL that
-- names the value and the rule and a HINT that says what to write.  The
-- constraints stay as the backstop: a row that a later BEFORE trigger changes,
-- or a constraint added without updating the WHEN clause, still fails, only
-- with the core message.
--
-- Load order: before every table (PL/pgSQL binds names when it runs).  The
-- trigger of each table is created in the table's own file, after it.

-- The rule behind one CHECK constraint of this schema, for the row at hand
-- (new_row: the row as jsonb, to name the offending value; table_name bare
-- or schema-qualified, as regclass prints it).  NULL detail
-- for a constraint without an explanation here; the catalog regression test
-- (sql/errors.sql) keeps every CHECK of the schema explained.
CREATE FUNCTION @extschema@.check_rule(table_name text, constraint_name text, new_row jsonb,
									   OUT detail text, OUT hint text)
	LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	r jsonb := coalesce(new_row, '{}');
	-- a value as the row holds it, double-quoted like identifiers in messages
	v text;
BEGIN
	CASE pg_catalog.regexp_replace(table_name, '^.*\.', '') || '.' || constraint_name
	WHEN 'customer.customer_name_not_blank' THEN
		detail := 'The customer name is empty or only blanks.';
		hint := 'Give the customer a name.';
	WHEN 'customer.customer_type_valid' THEN
		detail := format('customer_type "%s" is not one of: enterprise, individual.', r->>'customer_type');
		hint := 'Write enterprise or individual, in lower case.';
	WHEN 'customer.customer_size_class_valid' THEN
		detail := format('size_class "%s" is not one of: micro, small, medium, large.', r->>'size_class');
		hint := 'Write micro, small, medium or large, in lower case, or leave it NULL when unknown.';
	WHEN 'customer.customer_region_is_path' THEN
		v := r->>'region';
		detail := format('region "%s" is not a region path: labels of lower-case letters a-z, digits, '
						 'underscores or Chinese characters, separated by single dots.', v);
		hint := CASE
			WHEN v ~ '[A-Z]' THEN format('Regions are lower case: write "%s".', lower(v))
			WHEN v ~ '[\s。．、]' THEN 'Separate the labels with a plain dot (.), without spaces, as in "east.shanghai" or "华东.上海".'
			ELSE 'Write a dotted path such as "east.shanghai" or "华东.上海", or leave it NULL when unknown.'
		END;
	WHEN 'customer.customer_credit_limit_not_negative' THEN
		detail := format('credit_limit %s is negative.', r->>'credit_limit');
		hint := 'Set 0 to give no credit, or NULL to apply the default limit of the customer''s grade.';
	WHEN 'customer.customer_payment_terms_valid' THEN
		detail := format('payment_terms_days %s is not between 0 and 365.', r->>'payment_terms_days');
		hint := 'Give the agreed payment terms in days: 0 (cash) to 365.';
	WHEN 'customer.customer_payment_terms_basis_valid' THEN
		detail := format('payment_terms_basis "%s" is not one of: invoice, month_end.', r->>'payment_terms_basis');
		hint := 'Write invoice (due the terms after the invoice date) or month_end (after the end of the invoice''s month, 月结).';
	WHEN 'sales_order.sales_order_amount_not_negative' THEN
		detail := format('amount %s is negative.', r->>'amount');
		hint := 'An order amount is 0 or more: cancel an order with status cancelled, and credit an invoice with a payment of kind credit_note.';
	WHEN 'sales_order.sales_order_status_valid' THEN
		detail := format('status "%s" is not one of: open, shipped, invoiced, cancelled.', r->>'status');
		hint := 'Write one of these, in lower case.';
	WHEN 'sales_order.sales_order_shipped_after_ordered' THEN
		detail := format('shipped_on %s is before ordered_on %s.', r->>'shipped_on', r->>'ordered_on');
		hint := 'An order is shipped on or after the day it was ordered.';
	WHEN 'invoice.invoice_amount_positive' THEN
		detail := format('amount %s is not positive.', r->>'amount');
		hint := 'An invoice amount is more than 0: record a credit as a payment of kind credit_note.';
	WHEN 'invoice.invoice_due_not_before_issue' THEN
		detail := format('due_on %s is before issued_on %s.', r->>'due_on', r->>'issued_on');
		hint := 'An invoice falls due on or after the day it was issued.';
	WHEN 'payment.payment_amount_positive' THEN
		detail := format('amount %s is not positive.', r->>'amount');
		hint := 'A payment or credit note amount is more than 0: correct or delete a wrong one instead of offsetting it.';
	WHEN 'payment.payment_kind_valid' THEN
		detail := format('kind "%s" is not one of: payment, credit_note.', r->>'kind');
		hint := 'Write payment or credit_note, in lower case.';
	WHEN 'risk_factor.risk_factor_prefix_valid' THEN
		detail := format('prefix "%s" is not industry or region, alone or followed by dot-separated labels.', r->>'prefix');
		hint := 'Write the dimension and the customer''s industry or region, as in industry.construction or region.east.';
	WHEN 'risk_factor.risk_factor_points_range' THEN
		detail := format('points %s is not between 0 and 100.', r->>'points');
		hint := 'Give the risk points from 0 (highest risk) to 100 (lowest).';
	WHEN 'external_score.external_score_range' THEN
		detail := format('score %s is not between 0 and 100.', r->>'score');
		hint := 'Scale the agency''s score to 0-100, 100 the best, before loading it.';
	WHEN 'external_score.external_score_source_not_blank' THEN
		detail := 'The source is empty or only blanks.';
		hint := 'Name the agency or file the score comes from.';
	WHEN 'credit_override.credit_override_reason_given' THEN
		detail := 'The reason is empty or only blanks.';
		hint := 'Say why the grade is overridden: the history keeps it.';
	WHEN 'credit_override.credit_override_expires_after_start' THEN
		detail := format('expires_on %s is not after valid_from %s.', r->>'expires_on', r->>'valid_from');
		hint := 'An override ends (expires_on) after the day it starts (valid_from, by default the as-of date).';
	WHEN 'credit_limit_policy.credit_limit_policy_method_valid' THEN
		detail := format('method "%s" is not one of: amount, sales_multiple, none.', r->>'method');
		hint := 'Write amount (a fixed amount), sales_multiple (a multiple of recent sales) or none (no credit).';
	WHEN 'credit_limit_policy.credit_limit_policy_amount_given' THEN
		detail := 'Method amount needs an amount.';
		hint := 'Set amount to the limit of the grade.';
	WHEN 'credit_limit_policy.credit_limit_policy_multiple_given' THEN
		detail := format('Method sales_multiple needs sales_multiple above 0 (here %s) and sales_months between 1 and 120 (here %s).',
						 coalesce(r->>'sales_multiple', 'NULL'), r->>'sales_months');
		hint := 'Set, e.g., sales_multiple 0.25 and sales_months 12 for a quarter of the last year''s sales.';
	WHEN 'credit_limit_policy.credit_limit_policy_amounts_not_negative' THEN
		detail := format('amount %s or max_amount %s is negative.', coalesce(r->>'amount', 'NULL'), coalesce(r->>'max_amount', 'NULL'));
		hint := 'Limits are 0 or more; use method none for no credit.';
	WHEN 'credit_limit_policy.credit_limit_policy_terms_valid' THEN
		detail := format('payment terms %s days from %s: the days must be 0 to 365 and the basis invoice or month_end.',
						 r->>'payment_terms_days', r->>'payment_terms_basis');
		hint := 'Write e.g. 30 and invoice (30 days net), or 30 and month_end (30 days end of month, 月结30天).';
	WHEN 'credit_limit_policy.credit_limit_policy_terms_complete' THEN
		detail := 'Only one of payment_terms_days and payment_terms_basis is set.';
		hint := 'Set both to give the grade its own terms, or neither to keep each customer''s.';
	WHEN 'credit_limit_override.credit_limit_override_reason_given' THEN
		detail := 'The reason is empty or only blanks.';
		hint := 'Say why the limit is overridden: the history keeps it.';
	WHEN 'credit_limit_override.credit_limit_override_not_negative' THEN
		detail := format('credit_limit %s is negative.', r->>'credit_limit');
		hint := 'A limit override is 0 (no credit) or more.';
	WHEN 'credit_limit_override.credit_limit_override_expires_after_start' THEN
		detail := format('expires_on %s is not after valid_from %s.', r->>'expires_on', r->>'valid_from');
		hint := 'An override ends (expires_on) after the day it starts (valid_from, by default the as-of date).';
	WHEN 'credit_check_exception.credit_check_exception_checkpoint_valid' THEN
		detail := format('checkpoint "%s" is not one of: order, delivery, invoice.', r->>'checkpoint');
		hint := 'Write order, delivery or invoice, or leave it NULL for every checkpoint.';
	WHEN 'credit_check_exception.credit_check_exception_mode_valid' THEN
		detail := format('mode "%s" is not one of: block, warn, off.', r->>'mode');
		hint := 'Write block, warn or off, in lower case.';
	WHEN 'credit_check_exception.credit_check_exception_reason_given' THEN
		detail := 'The reason is empty or only blanks.';
		hint := 'Say why the customer is excepted from the check: the history keeps it.';
	WHEN 'alerts.alerts_kind_valid' THEN
		detail := format('kind "%s" is not one of: limit_nearly_used, limit_exceeded, invoice_overdue, grade_d, '
						 'blocked, payment_rhythm, became_dormant, external_event.', r->>'kind');
		hint := 'Raise an alert of one of these kinds.';
	WHEN 'external_event.external_event_kind_valid' THEN
		detail := format('kind "%s" is not one of: litigation, frozen_equity, enforcement, bankruptcy, '
						 'administrative_penalty, dishonoured_bill, rating_downgrade, other.', r->>'kind');
		hint := 'Record any other negative event as other, and describe it in detail.';
	WHEN 'external_event.external_event_source_given' THEN
		detail := 'The source is empty.';
		hint := 'Name where the event was found, e.g. court records.';
	WHEN 'tag_dimension.tag_dimension_is_tag' THEN
		detail := format('dimension "%s" is not a single tag.', r->>'dimension');
		hint := 'A dimension is a tag such as industry or region.';
	WHEN 'tag_catalog.tag_catalog_is_tag' THEN
		detail := format('tag "%s" is not a single tag.', r->>'tag');
		hint := 'Write one tag, such as industry.construction.';
	WHEN 'tag_catalog.tag_catalog_tag_in_dimension' THEN
		detail := format('tag "%s" does not lie in its dimension "%s".', r->>'tag', r->>'dimension');
		hint := format('A tag of dimension "%s" is "%s" itself or starts with "%s.".',
					   r->>'dimension', r->>'dimension', r->>'dimension');
	WHEN 'rewound_row.rewound_row_relation_valid' THEN
		detail := format('relation "%s" is not one of: class_history, rfm_boundary, alerts.', r->>'relation');
		hint := 'Only rewind() writes this table, and only rows of those tables.';
	ELSE
		NULL;
	END CASE;
END
$$;
COMMENT ON FUNCTION @extschema@.check_rule(text, text, jsonb) IS
	'the rule behind a CHECK constraint of the schema and what to write instead, for a row given as jsonb (NULLs for a constraint it does not know)';

-- Trigger: which CHECK of the table does the new row break?  Each one is
-- evaluated for the row (only rows the WHEN clause let through get here, so
-- the dynamic SQL costs nothing on valid rows), and the first that is false,
-- in name order, is reported with check_rule's detail and hint.
CREATE FUNCTION @extschema@.explain_check_violation() RETURNS trigger
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	c record;
	ok boolean;
	e record;
BEGIN
	FOR c IN SELECT con.conname, pg_catalog.pg_get_expr(con.conbin, con.conrelid) AS expr,
					pg_catalog.pg_get_constraintdef(con.oid) AS def
			 FROM pg_catalog.pg_constraint con
			 WHERE con.conrelid = TG_RELID AND con.contype = 'c'
			 ORDER BY con.conname
	LOOP
		EXECUTE pg_catalog.format('SELECT %s FROM (SELECT ($1).*) AS t', c.expr) INTO ok USING NEW;
		CONTINUE WHEN ok IS NOT FALSE;
		e := @extschema@.check_rule(TG_TABLE_NAME, c.conname, pg_catalog.to_jsonb(NEW));
		RAISE EXCEPTION 'new row for relation "%" violates check constraint "%"', TG_TABLE_NAME, c.conname
			USING ERRCODE = 'check_violation', SCHEMA = TG_TABLE_SCHEMA, TABLE = TG_TABLE_NAME,
				  CONSTRAINT = c.conname,
				  DETAIL = coalesce(e.detail, pg_catalog.format('The row breaks %s.', c.def)),
				  HINT = coalesce(e.hint, 'Correct the value to satisfy the constraint.');
	END LOOP;
	-- the WHEN clause and the constraints disagree: let the constraint decide
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION @extschema@.explain_check_violation() IS
	'trigger: reports the CHECK constraint a new row breaks with the rule and what to write (check_rule), before the constraint''s own error';

-- ---- src/sql/classes/types.sql ----
-- The ordered classes.  Enum order is the order of the class: A is the best
-- grade (A < B < C < D), a lifecycle runs potential -> churned, and so on.
-- class_label gives every label an English and a Simplified Chinese name.

CREATE TYPE @extschema@.credit_grade AS ENUM ('A', 'B', 'C', 'D');
CREATE TYPE @extschema@.lifecycle_stage AS ENUM
	('potential', 'new', 'active', 'reactivated', 'dormant', 'churned');
CREATE TYPE @extschema@.lifecycle_phase AS ENUM
	('introduction', 'growth', 'maturity', 'decline');
CREATE TYPE @extschema@.alert_level AS ENUM ('green', 'yellow', 'red');
CREATE TYPE @extschema@.behaviour_segment AS ENUM
	('high_frequency_stable', 'regular', 'occasional_large', 'newcomer',
	 'late_payer', 'overdue_high_risk', 'lapsed', 'no_purchase');
CREATE TYPE @extschema@.rfm_segment AS ENUM
	('champions', 'loyal', 'potential_loyalist', 'new', 'promising', 'need_attention',
	 'about_to_sleep', 'at_risk', 'cant_lose_them', 'hibernating', 'lost');

COMMENT ON TYPE @extschema@.credit_grade IS 'credit grade: A (best) to D (worst)';
COMMENT ON TYPE @extschema@.lifecycle_stage IS 'where a customer is in its life with us';
COMMENT ON TYPE @extschema@.lifecycle_phase IS 'revenue phase: introduction, growth, maturity, decline';
COMMENT ON TYPE @extschema@.alert_level IS 'alert level: green, yellow, red';
COMMENT ON TYPE @extschema@.behaviour_segment IS 'how a customer buys and pays (first-match rules in docs/lifecycle.md)';
COMMENT ON TYPE @extschema@.rfm_segment IS 'named RFM segment from the recency, frequency and monetary quintile scores';

-- Display names, as a view over constants: they are part of the extension
-- (not user data), so a dump/restore or an upgrade brings them back as shipped.
CREATE VIEW @extschema@.class_label AS
	SELECT dimension, value, label_en, label_zh
	FROM (VALUES
	('credit_grade', 'A', 'A - excellent', 'A - 优'),
		('credit_grade', 'B', 'B - good', 'B - 良'),
		('credit_grade', 'C', 'C - watch', 'C - 关注'),
		('credit_grade', 'D', 'D - high risk', 'D - 高风险'),
		('lifecycle_stage', 'potential', 'potential', '潜在客户'),
		('lifecycle_stage', 'new', 'new', '新客户'),
		('lifecycle_stage', 'active', 'active', '活跃客户'),
		('lifecycle_stage', 'reactivated', 'reactivated', '回流客户'),
		('lifecycle_stage', 'dormant', 'dormant', '沉睡客户'),
		('lifecycle_stage', 'churned', 'churned', '流失客户'),
		('lifecycle_phase', 'introduction', 'introduction', '导入期'),
		('lifecycle_phase', 'growth', 'growth', '成长期'),
		('lifecycle_phase', 'maturity', 'maturity', '成熟期'),
		('lifecycle_phase', 'decline', 'decline', '衰退期'),
		('segment', 'high_frequency_stable', 'high-frequency stable', '高频稳定'),
		('segment', 'regular', 'regular', '常规客户'),
		('segment', 'occasional_large', 'occasional large', '偶发大额'),
		('segment', 'newcomer', 'newcomer', '新近客户'),
		('segment', 'late_payer', 'late payer', '惯性拖欠'),
		('segment', 'overdue_high_risk', 'overdue high-risk', '逾期高风险'),
		('segment', 'lapsed', 'lapsed', '失联客户'),
		('segment', 'no_purchase', 'no purchase yet', '尚未购买'),
		('rfm_segment', 'champions', 'Champions', '冠军客户'),
		('rfm_segment', 'loyal', 'Loyal', '忠诚客户'),
		('rfm_segment', 'potential_loyalist', 'Potential Loyalist', '潜在忠诚客户'),
		('rfm_segment', 'new', 'New', '新客户'),
		('rfm_segment', 'promising', 'Promising', '有潜力客户'),
		('rfm_segment', 'need_attention', 'Need Attention', '需要关注'),
		('rfm_segment', 'about_to_sleep', 'About to Sleep', '即将沉睡'),
		('rfm_segment', 'at_risk', 'At Risk', '有流失风险'),
		('rfm_segment', 'cant_lose_them', 'Can''t Lose Them', '不能失去'),
		('rfm_segment', 'hibernating', 'Hibernating', '休眠客户'),
		('rfm_segment', 'lost', 'Lost', '已流失'),
		('alert_level', 'green', 'green', '绿色'),
		('alert_level', 'yellow', 'yellow', '黄色'),
		('alert_level', 'red', 'red', '红色')
	) AS l (dimension, value, label_en, label_zh);

COMMENT ON VIEW @extschema@.class_label IS
	'display names of class values in English and Simplified Chinese';
COMMENT ON COLUMN @extschema@.class_label.dimension IS
	'class dimension: credit_grade, lifecycle_stage, lifecycle_phase, segment, rfm_segment, alert_level, ...';
COMMENT ON COLUMN @extschema@.class_label.value IS 'the class value as stored';
COMMENT ON COLUMN @extschema@.class_label.label_en IS 'English display name';
COMMENT ON COLUMN @extschema@.class_label.label_zh IS 'Simplified Chinese display name';

GRANT SELECT ON @extschema@.class_label TO customer_class_reader;

-- ---- src/sql/tags/tagset.sql ----
-- Tags: the tagset type (a sorted, de-duplicated set of hierarchical tags),
-- the tagquery type (a boolean query over tags), their operators and the
-- btree, hash and GIN operator classes.  See docs/tags.md.

-- ---- tagset ----

CREATE TYPE @extschema@.tagset;

CREATE FUNCTION @extschema@.tagset_in(cstring) RETURNS @extschema@.tagset
	AS 'MODULE_PATHNAME', 'tagset_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tagset_out(@extschema@.tagset) RETURNS cstring
	AS 'MODULE_PATHNAME', 'tagset_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tagset_recv(internal) RETURNS @extschema@.tagset
	AS 'MODULE_PATHNAME', 'tagset_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tagset_send(@extschema@.tagset) RETURNS bytea
	AS 'MODULE_PATHNAME', 'tagset_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.tagset_typanalyze(internal) RETURNS boolean
	AS 'MODULE_PATHNAME', 'tagset_typanalyze' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.tagset_typanalyze(internal) IS
	'ANALYZE support: standard statistics plus the most common tags (most_common_elems) and a histogram of tags per set';

CREATE TYPE @extschema@.tagset (
	INPUT = @extschema@.tagset_in,
	OUTPUT = @extschema@.tagset_out,
	RECEIVE = @extschema@.tagset_recv,
	SEND = @extschema@.tagset_send,
	ANALYZE = @extschema@.tagset_typanalyze,
	INTERNALLENGTH = VARIABLE,
	ALIGNMENT = int4,
	STORAGE = extended
);
COMMENT ON TYPE @extschema@.tagset IS
	'sorted, de-duplicated set of hierarchical tags, e.g. {vip,industry.construction,"key account",重点客户}';

-- ---- tagquery ----

CREATE TYPE @extschema@.tagquery;

CREATE FUNCTION @extschema@.tagquery_in(cstring) RETURNS @extschema@.tagquery
	AS 'MODULE_PATHNAME', 'tagquery_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tagquery_out(@extschema@.tagquery) RETURNS cstring
	AS 'MODULE_PATHNAME', 'tagquery_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tagquery_recv(internal) RETURNS @extschema@.tagquery
	AS 'MODULE_PATHNAME', 'tagquery_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tagquery_send(@extschema@.tagquery) RETURNS bytea
	AS 'MODULE_PATHNAME', 'tagquery_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE @extschema@.tagquery (
	INPUT = @extschema@.tagquery_in,
	OUTPUT = @extschema@.tagquery_out,
	RECEIVE = @extschema@.tagquery_recv,
	SEND = @extschema@.tagquery_send,
	INTERNALLENGTH = VARIABLE,
	ALIGNMENT = int4,
	STORAGE = extended
);
COMMENT ON TYPE @extschema@.tagquery IS
	'boolean query over tags: & | ! parentheses, quoted tags and prefix.* (the prefix and every tag below it)';

-- ---- conversions ----

CREATE FUNCTION @extschema@.tagset(text[]) RETURNS @extschema@.tagset
	AS 'MODULE_PATHNAME', 'tagset_from_array' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.tagset(text[]) IS
	'the set of the given tags, sorted and de-duplicated; NULL elements are an error';

CREATE FUNCTION @extschema@.tagset_to_array(@extschema@.tagset) RETURNS text[]
	AS 'MODULE_PATHNAME', 'tagset_to_array' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.tagset_to_array(@extschema@.tagset) IS
	'the tags as a text array, in byte order';

CREATE FUNCTION @extschema@.tags(@extschema@.tagset) RETURNS SETOF text
	AS 'MODULE_PATHNAME', 'tagset_tags' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
	ROWS 10;
COMMENT ON FUNCTION @extschema@.tags(@extschema@.tagset) IS
	'one row per tag, in byte order';

CREATE FUNCTION @extschema@.cardinality(@extschema@.tagset) RETURNS integer
	AS 'MODULE_PATHNAME', 'tagset_cardinality' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.cardinality(@extschema@.tagset) IS
	'number of tags in the set';

CREATE CAST (text[] AS @extschema@.tagset)
	WITH FUNCTION @extschema@.tagset(text[]) AS ASSIGNMENT;
COMMENT ON CAST (text[] AS @extschema@.tagset) IS
	'text array to tagset (sorted, de-duplicated; NULL elements are an error)';
CREATE CAST (@extschema@.tagset AS text[])
	WITH FUNCTION @extschema@.tagset_to_array(@extschema@.tagset);
COMMENT ON CAST (@extschema@.tagset AS text[]) IS 'tagset to text array, in byte order';

-- ---- operator functions ----

CREATE FUNCTION @extschema@.tagset_contains(@extschema@.tagset, @extschema@.tagset) RETURNS boolean
	AS 'MODULE_PATHNAME', 'tagset_contains' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tagset_contained(@extschema@.tagset, @extschema@.tagset) RETURNS boolean
	AS 'MODULE_PATHNAME', 'tagset_contained' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tagset_overlap(@extschema@.tagset, @extschema@.tagset) RETURNS boolean
	AS 'MODULE_PATHNAME', 'tagset_overlap' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tagset_exists(@extschema@.tagset, text) RETURNS boolean
	AS 'MODULE_PATHNAME', 'tagset_exists' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tagset_match(@extschema@.tagset, @extschema@.tagquery) RETURNS boolean
	AS 'MODULE_PATHNAME', 'tagset_match' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tagquery_match(@extschema@.tagquery, @extschema@.tagset) RETURNS boolean
	AS 'MODULE_PATHNAME', 'tagquery_match' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tagset_add(@extschema@.tagset, text) RETURNS @extschema@.tagset
	AS 'MODULE_PATHNAME', 'tagset_add' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tagset_remove(@extschema@.tagset, text) RETURNS @extschema@.tagset
	AS 'MODULE_PATHNAME', 'tagset_remove' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tagset_union(@extschema@.tagset, @extschema@.tagset) RETURNS @extschema@.tagset
	AS 'MODULE_PATHNAME', 'tagset_union' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tagset_intersect(@extschema@.tagset, @extschema@.tagset) RETURNS @extschema@.tagset
	AS 'MODULE_PATHNAME', 'tagset_intersect' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tagset_minus(@extschema@.tagset, @extschema@.tagset) RETURNS @extschema@.tagset
	AS 'MODULE_PATHNAME', 'tagset_minus' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tagset_eq(@extschema@.tagset, @extschema@.tagset) RETURNS boolean
	AS 'MODULE_PATHNAME', 'tagset_eq' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tagset_ne(@extschema@.tagset, @extschema@.tagset) RETURNS boolean
	AS 'MODULE_PATHNAME', 'tagset_ne' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tagset_lt(@extschema@.tagset, @extschema@.tagset) RETURNS boolean
	AS 'MODULE_PATHNAME', 'tagset_lt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tagset_le(@extschema@.tagset, @extschema@.tagset) RETURNS boolean
	AS 'MODULE_PATHNAME', 'tagset_le' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tagset_gt(@extschema@.tagset, @extschema@.tagset) RETURNS boolean
	AS 'MODULE_PATHNAME', 'tagset_gt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tagset_ge(@extschema@.tagset, @extschema@.tagset) RETURNS boolean
	AS 'MODULE_PATHNAME', 'tagset_ge' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tagset_cmp(@extschema@.tagset, @extschema@.tagset) RETURNS integer
	AS 'MODULE_PATHNAME', 'tagset_cmp' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tagset_hash(@extschema@.tagset) RETURNS integer
	AS 'MODULE_PATHNAME', 'tagset_hash' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tagset_hash_extended(@extschema@.tagset, bigint) RETURNS bigint
	AS 'MODULE_PATHNAME', 'tagset_hash_extended' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- Restriction estimators: from the most common tags that ANALYZE collects
-- (tagset_typanalyze), or constants without statistics.  STABLE as they
-- read the statistics, like core's arraycontsel and tsmatchsel.
CREATE FUNCTION @extschema@.tagset_contains_sel(internal, oid, internal, integer) RETURNS float8
	AS 'MODULE_PATHNAME', 'tagset_contains_sel' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.tagset_contains_sel(internal, oid, internal, integer) IS
	'restriction selectivity of tagset @> tagset: product of the tags'' frequencies (0.1% without statistics)';
CREATE FUNCTION @extschema@.tagset_contained_sel(internal, oid, internal, integer) RETURNS float8
	AS 'MODULE_PATHNAME', 'tagset_contained_sel' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.tagset_contained_sel(internal, oid, internal, integer) IS
	'restriction selectivity of tagset <@ tagset: from the tags'' frequencies and the histogram of tags per set (0.1% without statistics)';
CREATE FUNCTION @extschema@.tagset_overlap_sel(internal, oid, internal, integer) RETURNS float8
	AS 'MODULE_PATHNAME', 'tagset_overlap_sel' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.tagset_overlap_sel(internal, oid, internal, integer) IS
	'restriction selectivity of tagset && tagset: 1 - product of (1 - frequency) (0.1% without statistics)';
CREATE FUNCTION @extschema@.tagset_exists_sel(internal, oid, internal, integer) RETURNS float8
	AS 'MODULE_PATHNAME', 'tagset_exists_sel' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.tagset_exists_sel(internal, oid, internal, integer) IS
	'restriction selectivity of tagset ? text: the tag''s frequency (0.1% without statistics)';
CREATE FUNCTION @extschema@.tagset_match_sel(internal, oid, internal, integer) RETURNS float8
	AS 'MODULE_PATHNAME', 'tagset_match_sel' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.tagset_match_sel(internal, oid, internal, integer) IS
	'restriction selectivity of tagset @@ tagquery: tag and prefix frequencies combined by the query''s operators (0.5% per tag, 2% per prefix without statistics)';
CREATE FUNCTION @extschema@.tagquery_match_sel(internal, oid, internal, integer) RETURNS float8
	AS 'MODULE_PATHNAME', 'tagquery_match_sel' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.tagquery_match_sel(internal, oid, internal, integer) IS
	'restriction selectivity of tagquery @@ tagset, as tagset_match_sel';

-- ---- operators ----

CREATE OPERATOR @extschema@.@> (
	LEFTARG = @extschema@.tagset, RIGHTARG = @extschema@.tagset,
	FUNCTION = @extschema@.tagset_contains,
	COMMUTATOR = OPERATOR(@extschema@.<@),
	RESTRICT = @extschema@.tagset_contains_sel, JOIN = pg_catalog.contjoinsel
);
COMMENT ON OPERATOR @extschema@.@> (@extschema@.tagset, @extschema@.tagset) IS 'contains every tag of';

CREATE OPERATOR @extschema@.<@ (
	LEFTARG = @extschema@.tagset, RIGHTARG = @extschema@.tagset,
	FUNCTION = @extschema@.tagset_contained,
	COMMUTATOR = OPERATOR(@extschema@.@>),
	RESTRICT = @extschema@.tagset_contained_sel, JOIN = pg_catalog.contjoinsel
);
COMMENT ON OPERATOR @extschema@.<@ (@extschema@.tagset, @extschema@.tagset) IS 'every tag is in';

CREATE OPERATOR @extschema@.&& (
	LEFTARG = @extschema@.tagset, RIGHTARG = @extschema@.tagset,
	FUNCTION = @extschema@.tagset_overlap,
	COMMUTATOR = OPERATOR(@extschema@.&&),
	RESTRICT = @extschema@.tagset_overlap_sel, JOIN = pg_catalog.contjoinsel
);
COMMENT ON OPERATOR @extschema@.&& (@extschema@.tagset, @extschema@.tagset) IS 'has a tag in common with';

CREATE OPERATOR @extschema@.? (
	LEFTARG = @extschema@.tagset, RIGHTARG = text,
	FUNCTION = @extschema@.tagset_exists,
	RESTRICT = @extschema@.tagset_exists_sel, JOIN = pg_catalog.contjoinsel
);
COMMENT ON OPERATOR @extschema@.? (@extschema@.tagset, text) IS 'holds exactly this tag (no hierarchy)';

CREATE OPERATOR @extschema@.@@ (
	LEFTARG = @extschema@.tagset, RIGHTARG = @extschema@.tagquery,
	FUNCTION = @extschema@.tagset_match,
	COMMUTATOR = OPERATOR(@extschema@.@@),
	RESTRICT = @extschema@.tagset_match_sel, JOIN = pg_catalog.contjoinsel
);
COMMENT ON OPERATOR @extschema@.@@ (@extschema@.tagset, @extschema@.tagquery) IS 'matches the tag query';

CREATE OPERATOR @extschema@.@@ (
	LEFTARG = @extschema@.tagquery, RIGHTARG = @extschema@.tagset,
	FUNCTION = @extschema@.tagquery_match,
	COMMUTATOR = OPERATOR(@extschema@.@@),
	RESTRICT = @extschema@.tagquery_match_sel, JOIN = pg_catalog.contjoinsel
);
COMMENT ON OPERATOR @extschema@.@@ (@extschema@.tagquery, @extschema@.tagset) IS 'the tag query matches';

CREATE OPERATOR @extschema@.+ (
	LEFTARG = @extschema@.tagset, RIGHTARG = text,
	FUNCTION = @extschema@.tagset_add
);
COMMENT ON OPERATOR @extschema@.+ (@extschema@.tagset, text) IS 'add one tag';

CREATE OPERATOR @extschema@.- (
	LEFTARG = @extschema@.tagset, RIGHTARG = text,
	FUNCTION = @extschema@.tagset_remove
);
COMMENT ON OPERATOR @extschema@.- (@extschema@.tagset, text) IS 'remove one tag (if present)';

CREATE OPERATOR @extschema@.| (
	LEFTARG = @extschema@.tagset, RIGHTARG = @extschema@.tagset,
	FUNCTION = @extschema@.tagset_union,
	COMMUTATOR = OPERATOR(@extschema@.|)
);
COMMENT ON OPERATOR @extschema@.| (@extschema@.tagset, @extschema@.tagset) IS 'union';

CREATE OPERATOR @extschema@.& (
	LEFTARG = @extschema@.tagset, RIGHTARG = @extschema@.tagset,
	FUNCTION = @extschema@.tagset_intersect,
	COMMUTATOR = OPERATOR(@extschema@.&)
);
COMMENT ON OPERATOR @extschema@.& (@extschema@.tagset, @extschema@.tagset) IS 'intersection';

CREATE OPERATOR @extschema@.- (
	LEFTARG = @extschema@.tagset, RIGHTARG = @extschema@.tagset,
	FUNCTION = @extschema@.tagset_minus
);
COMMENT ON OPERATOR @extschema@.- (@extschema@.tagset, @extschema@.tagset) IS 'difference';

CREATE OPERATOR @extschema@.= (
	LEFTARG = @extschema@.tagset, RIGHTARG = @extschema@.tagset,
	FUNCTION = @extschema@.tagset_eq,
	COMMUTATOR = OPERATOR(@extschema@.=), NEGATOR = OPERATOR(@extschema@.<>),
	RESTRICT = pg_catalog.eqsel, JOIN = pg_catalog.eqjoinsel,
	HASHES, MERGES
);
COMMENT ON OPERATOR @extschema@.= (@extschema@.tagset, @extschema@.tagset) IS 'same tags';

CREATE OPERATOR @extschema@.<> (
	LEFTARG = @extschema@.tagset, RIGHTARG = @extschema@.tagset,
	FUNCTION = @extschema@.tagset_ne,
	COMMUTATOR = OPERATOR(@extschema@.<>), NEGATOR = OPERATOR(@extschema@.=),
	RESTRICT = pg_catalog.neqsel, JOIN = pg_catalog.neqjoinsel
);
COMMENT ON OPERATOR @extschema@.<> (@extschema@.tagset, @extschema@.tagset) IS 'different tags';

CREATE OPERATOR @extschema@.< (
	LEFTARG = @extschema@.tagset, RIGHTARG = @extschema@.tagset,
	FUNCTION = @extschema@.tagset_lt,
	COMMUTATOR = OPERATOR(@extschema@.>), NEGATOR = OPERATOR(@extschema@.>=),
	RESTRICT = pg_catalog.scalarltsel, JOIN = pg_catalog.scalarltjoinsel
);
COMMENT ON OPERATOR @extschema@.< (@extschema@.tagset, @extschema@.tagset) IS 'sorts before (tag by tag in byte order)';

CREATE OPERATOR @extschema@.<= (
	LEFTARG = @extschema@.tagset, RIGHTARG = @extschema@.tagset,
	FUNCTION = @extschema@.tagset_le,
	COMMUTATOR = OPERATOR(@extschema@.>=), NEGATOR = OPERATOR(@extschema@.>),
	RESTRICT = pg_catalog.scalarlesel, JOIN = pg_catalog.scalarlejoinsel
);
COMMENT ON OPERATOR @extschema@.<= (@extschema@.tagset, @extschema@.tagset) IS 'sorts before or equal';

CREATE OPERATOR @extschema@.> (
	LEFTARG = @extschema@.tagset, RIGHTARG = @extschema@.tagset,
	FUNCTION = @extschema@.tagset_gt,
	COMMUTATOR = OPERATOR(@extschema@.<), NEGATOR = OPERATOR(@extschema@.<=),
	RESTRICT = pg_catalog.scalargtsel, JOIN = pg_catalog.scalargtjoinsel
);
COMMENT ON OPERATOR @extschema@.> (@extschema@.tagset, @extschema@.tagset) IS 'sorts after';

CREATE OPERATOR @extschema@.>= (
	LEFTARG = @extschema@.tagset, RIGHTARG = @extschema@.tagset,
	FUNCTION = @extschema@.tagset_ge,
	COMMUTATOR = OPERATOR(@extschema@.<=), NEGATOR = OPERATOR(@extschema@.<),
	RESTRICT = pg_catalog.scalargesel, JOIN = pg_catalog.scalargejoinsel
);
COMMENT ON OPERATOR @extschema@.>= (@extschema@.tagset, @extschema@.tagset) IS 'sorts after or equal';

-- ---- operator classes ----

CREATE OPERATOR CLASS @extschema@.tagset_ops
	DEFAULT FOR TYPE @extschema@.tagset USING btree AS
		OPERATOR 1 @extschema@.<,
		OPERATOR 2 @extschema@.<=,
		OPERATOR 3 @extschema@.=,
		OPERATOR 4 @extschema@.>=,
		OPERATOR 5 @extschema@.>,
		FUNCTION 1 @extschema@.tagset_cmp(@extschema@.tagset, @extschema@.tagset);

CREATE OPERATOR CLASS @extschema@.tagset_ops
	DEFAULT FOR TYPE @extschema@.tagset USING hash AS
		OPERATOR 1 @extschema@.=,
		FUNCTION 1 @extschema@.tagset_hash(@extschema@.tagset),
		FUNCTION 2 @extschema@.tagset_hash_extended(@extschema@.tagset, bigint);

CREATE FUNCTION @extschema@.tagset_gin_compare(text, text) RETURNS integer
	AS 'MODULE_PATHNAME', 'tagset_gin_compare' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tagset_gin_extract_value(@extschema@.tagset, internal, internal) RETURNS internal
	AS 'MODULE_PATHNAME', 'tagset_gin_extract_value' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tagset_gin_extract_query(internal, internal, int2, internal, internal, internal, internal) RETURNS internal
	AS 'MODULE_PATHNAME', 'tagset_gin_extract_query' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tagset_gin_consistent(internal, int2, internal, int4, internal, internal, internal, internal) RETURNS boolean
	AS 'MODULE_PATHNAME', 'tagset_gin_consistent' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tagset_gin_compare_partial(text, text, int2, internal) RETURNS integer
	AS 'MODULE_PATHNAME', 'tagset_gin_compare_partial' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.tagset_gin_tri_consistent(internal, int2, internal, int4, internal, internal, internal) RETURNS "char"
	AS 'MODULE_PATHNAME', 'tagset_gin_tri_consistent' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OPERATOR CLASS @extschema@.tagset_ops
	DEFAULT FOR TYPE @extschema@.tagset USING gin AS
		OPERATOR 1 @extschema@.&& (@extschema@.tagset, @extschema@.tagset),
		OPERATOR 2 @extschema@.@> (@extschema@.tagset, @extschema@.tagset),
		OPERATOR 3 @extschema@.<@ (@extschema@.tagset, @extschema@.tagset),
		OPERATOR 4 @extschema@.? (@extschema@.tagset, text),
		OPERATOR 5 @extschema@.@@ (@extschema@.tagset, @extschema@.tagquery),
		FUNCTION 1 @extschema@.tagset_gin_compare(text, text),
		FUNCTION 2 @extschema@.tagset_gin_extract_value(@extschema@.tagset, internal, internal),
		FUNCTION 3 @extschema@.tagset_gin_extract_query(internal, internal, int2, internal, internal, internal, internal),
		FUNCTION 4 @extschema@.tagset_gin_consistent(internal, int2, internal, int4, internal, internal, internal, internal),
		FUNCTION 5 @extschema@.tagset_gin_compare_partial(text, text, int2, internal),
		FUNCTION 6 @extschema@.tagset_gin_tri_consistent(internal, int2, internal, int4, internal, internal, internal),
		STORAGE text;

COMMENT ON OPERATOR CLASS @extschema@.tagset_ops USING btree IS
	'total order of tagsets: tag by tag in byte order, then the shorter set first';
COMMENT ON OPERATOR CLASS @extschema@.tagset_ops USING hash IS 'hashing of tagsets (GROUP BY, DISTINCT, hash joins)';
COMMENT ON OPERATOR CLASS @extschema@.tagset_ops USING gin IS
	'GIN index over the tags: && @> <@ ? and @@ (prefix.* by partial match)';


-- ---- tagquery equality, btree and hash ----

CREATE FUNCTION @extschema@.tagquery_eq(@extschema@.tagquery, @extschema@.tagquery) RETURNS boolean
	AS 'MODULE_PATHNAME', 'tagquery_eq' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.tagquery_eq(@extschema@.tagquery, @extschema@.tagquery) IS
	'implementation of tagquery = tagquery: the same stored query (whitespace, quoting and redundant parentheses aside)';
CREATE FUNCTION @extschema@.tagquery_ne(@extschema@.tagquery, @extschema@.tagquery) RETURNS boolean
	AS 'MODULE_PATHNAME', 'tagquery_ne' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.tagquery_ne(@extschema@.tagquery, @extschema@.tagquery) IS
	'implementation of tagquery <> tagquery';
CREATE FUNCTION @extschema@.tagquery_lt(@extschema@.tagquery, @extschema@.tagquery) RETURNS boolean
	AS 'MODULE_PATHNAME', 'tagquery_lt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.tagquery_lt(@extschema@.tagquery, @extschema@.tagquery) IS
	'implementation of tagquery < tagquery (byte order of the stored form)';
CREATE FUNCTION @extschema@.tagquery_le(@extschema@.tagquery, @extschema@.tagquery) RETURNS boolean
	AS 'MODULE_PATHNAME', 'tagquery_le' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.tagquery_le(@extschema@.tagquery, @extschema@.tagquery) IS
	'implementation of tagquery <= tagquery';
CREATE FUNCTION @extschema@.tagquery_gt(@extschema@.tagquery, @extschema@.tagquery) RETURNS boolean
	AS 'MODULE_PATHNAME', 'tagquery_gt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.tagquery_gt(@extschema@.tagquery, @extschema@.tagquery) IS
	'implementation of tagquery > tagquery';
CREATE FUNCTION @extschema@.tagquery_ge(@extschema@.tagquery, @extschema@.tagquery) RETURNS boolean
	AS 'MODULE_PATHNAME', 'tagquery_ge' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.tagquery_ge(@extschema@.tagquery, @extschema@.tagquery) IS
	'implementation of tagquery >= tagquery';
CREATE FUNCTION @extschema@.tagquery_cmp(@extschema@.tagquery, @extschema@.tagquery) RETURNS integer
	AS 'MODULE_PATHNAME', 'tagquery_cmp' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.tagquery_cmp(@extschema@.tagquery, @extschema@.tagquery) IS
	'btree support: -1, 0 or 1 comparing the stored forms of two tagqueries';
CREATE FUNCTION @extschema@.tagquery_hash(@extschema@.tagquery) RETURNS integer
	AS 'MODULE_PATHNAME', 'tagquery_hash' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.tagquery_hash(@extschema@.tagquery) IS
	'hash support: 32-bit hash of a tagquery''s stored form';
CREATE FUNCTION @extschema@.tagquery_hash_extended(@extschema@.tagquery, bigint) RETURNS bigint
	AS 'MODULE_PATHNAME', 'tagquery_hash_extended' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.tagquery_hash_extended(@extschema@.tagquery, bigint) IS
	'hash support: seeded 64-bit hash of a tagquery''s stored form';

CREATE OPERATOR @extschema@.= (
	LEFTARG = @extschema@.tagquery, RIGHTARG = @extschema@.tagquery,
	FUNCTION = @extschema@.tagquery_eq,
	COMMUTATOR = OPERATOR(@extschema@.=), NEGATOR = OPERATOR(@extschema@.<>),
	RESTRICT = pg_catalog.eqsel, JOIN = pg_catalog.eqjoinsel,
	HASHES, MERGES
);
COMMENT ON OPERATOR @extschema@.= (@extschema@.tagquery, @extschema@.tagquery) IS
	'same query (as stored: whitespace, quoting and redundant parentheses aside)';

CREATE OPERATOR @extschema@.<> (
	LEFTARG = @extschema@.tagquery, RIGHTARG = @extschema@.tagquery,
	FUNCTION = @extschema@.tagquery_ne,
	COMMUTATOR = OPERATOR(@extschema@.<>), NEGATOR = OPERATOR(@extschema@.=),
	RESTRICT = pg_catalog.neqsel, JOIN = pg_catalog.neqjoinsel
);
COMMENT ON OPERATOR @extschema@.<> (@extschema@.tagquery, @extschema@.tagquery) IS 'different query';

CREATE OPERATOR @extschema@.< (
	LEFTARG = @extschema@.tagquery, RIGHTARG = @extschema@.tagquery,
	FUNCTION = @extschema@.tagquery_lt,
	COMMUTATOR = OPERATOR(@extschema@.>), NEGATOR = OPERATOR(@extschema@.>=),
	RESTRICT = pg_catalog.scalarltsel, JOIN = pg_catalog.scalarltjoinsel
);
COMMENT ON OPERATOR @extschema@.< (@extschema@.tagquery, @extschema@.tagquery) IS 'sorts before (byte order of the stored form)';

CREATE OPERATOR @extschema@.<= (
	LEFTARG = @extschema@.tagquery, RIGHTARG = @extschema@.tagquery,
	FUNCTION = @extschema@.tagquery_le,
	COMMUTATOR = OPERATOR(@extschema@.>=), NEGATOR = OPERATOR(@extschema@.>),
	RESTRICT = pg_catalog.scalarlesel, JOIN = pg_catalog.scalarlejoinsel
);
COMMENT ON OPERATOR @extschema@.<= (@extschema@.tagquery, @extschema@.tagquery) IS 'sorts before or equal';

CREATE OPERATOR @extschema@.> (
	LEFTARG = @extschema@.tagquery, RIGHTARG = @extschema@.tagquery,
	FUNCTION = @extschema@.tagquery_gt,
	COMMUTATOR = OPERATOR(@extschema@.<), NEGATOR = OPERATOR(@extschema@.<=),
	RESTRICT = pg_catalog.scalargtsel, JOIN = pg_catalog.scalargtjoinsel
);
COMMENT ON OPERATOR @extschema@.> (@extschema@.tagquery, @extschema@.tagquery) IS 'sorts after';

CREATE OPERATOR @extschema@.>= (
	LEFTARG = @extschema@.tagquery, RIGHTARG = @extschema@.tagquery,
	FUNCTION = @extschema@.tagquery_ge,
	COMMUTATOR = OPERATOR(@extschema@.<=), NEGATOR = OPERATOR(@extschema@.<),
	RESTRICT = pg_catalog.scalargesel, JOIN = pg_catalog.scalargejoinsel
);
COMMENT ON OPERATOR @extschema@.>= (@extschema@.tagquery, @extschema@.tagquery) IS 'sorts after or equal';

CREATE OPERATOR CLASS @extschema@.tagquery_ops
	DEFAULT FOR TYPE @extschema@.tagquery USING btree AS
		OPERATOR 1 @extschema@.< (@extschema@.tagquery, @extschema@.tagquery),
		OPERATOR 2 @extschema@.<= (@extschema@.tagquery, @extschema@.tagquery),
		OPERATOR 3 @extschema@.= (@extschema@.tagquery, @extschema@.tagquery),
		OPERATOR 4 @extschema@.>= (@extschema@.tagquery, @extschema@.tagquery),
		OPERATOR 5 @extschema@.> (@extschema@.tagquery, @extschema@.tagquery),
		FUNCTION 1 @extschema@.tagquery_cmp(@extschema@.tagquery, @extschema@.tagquery);
COMMENT ON OPERATOR CLASS @extschema@.tagquery_ops USING btree IS
	'total order of tagqueries by their stored form (for DISTINCT, GROUP BY, unique indexes)';

CREATE OPERATOR CLASS @extschema@.tagquery_ops
	DEFAULT FOR TYPE @extschema@.tagquery USING hash AS
		OPERATOR 1 @extschema@.= (@extschema@.tagquery, @extschema@.tagquery),
		FUNCTION 1 @extschema@.tagquery_hash(@extschema@.tagquery),
		FUNCTION 2 @extschema@.tagquery_hash_extended(@extschema@.tagquery, bigint);
COMMENT ON OPERATOR CLASS @extschema@.tagquery_ops USING hash IS
	'hashing of tagqueries (GROUP BY, DISTINCT, hash joins)';

-- ---- comments on the I/O, operator and support functions ----

COMMENT ON FUNCTION @extschema@.tagset_in(cstring) IS
	'tagset text input: {tag,tag,...}';
COMMENT ON FUNCTION @extschema@.tagset_out(@extschema@.tagset) IS
	'tagset text output, sorted, tags quoted where needed';
COMMENT ON FUNCTION @extschema@.tagset_recv(internal) IS
	'tagset binary input (version byte, count, length-prefixed tags)';
COMMENT ON FUNCTION @extschema@.tagset_send(@extschema@.tagset) IS
	'tagset binary output';
COMMENT ON FUNCTION @extschema@.tagquery_in(cstring) IS
	'tagquery text input: & | ! ( ) quoted tags and prefix.*';
COMMENT ON FUNCTION @extschema@.tagquery_out(@extschema@.tagquery) IS
	'tagquery text output, normalised (minimal parentheses)';
COMMENT ON FUNCTION @extschema@.tagquery_recv(internal) IS
	'tagquery binary input (version byte, count, postfix items)';
COMMENT ON FUNCTION @extschema@.tagquery_send(@extschema@.tagquery) IS
	'tagquery binary output';
COMMENT ON FUNCTION @extschema@.tagset_contains(@extschema@.tagset, @extschema@.tagset) IS
	'implementation of tagset @> tagset: the first holds every tag of the second';
COMMENT ON FUNCTION @extschema@.tagset_contained(@extschema@.tagset, @extschema@.tagset) IS
	'implementation of tagset <@ tagset: every tag of the first is in the second';
COMMENT ON FUNCTION @extschema@.tagset_overlap(@extschema@.tagset, @extschema@.tagset) IS
	'implementation of tagset && tagset: the sets share a tag';
COMMENT ON FUNCTION @extschema@.tagset_exists(@extschema@.tagset, text) IS
	'implementation of tagset ? text: the set holds exactly this tag (no hierarchy)';
COMMENT ON FUNCTION @extschema@.tagset_match(@extschema@.tagset, @extschema@.tagquery) IS
	'implementation of tagset @@ tagquery: the set matches the query';
COMMENT ON FUNCTION @extschema@.tagquery_match(@extschema@.tagquery, @extschema@.tagset) IS
	'implementation of tagquery @@ tagset: the query matches the set';
COMMENT ON FUNCTION @extschema@.tagset_add(@extschema@.tagset, text) IS
	'implementation of tagset + text: the set with one more tag (checked)';
COMMENT ON FUNCTION @extschema@.tagset_remove(@extschema@.tagset, text) IS
	'implementation of tagset - text: the set without this tag, if it held it';
COMMENT ON FUNCTION @extschema@.tagset_union(@extschema@.tagset, @extschema@.tagset) IS
	'implementation of tagset | tagset: union';
COMMENT ON FUNCTION @extschema@.tagset_intersect(@extschema@.tagset, @extschema@.tagset) IS
	'implementation of tagset & tagset: intersection';
COMMENT ON FUNCTION @extschema@.tagset_minus(@extschema@.tagset, @extschema@.tagset) IS
	'implementation of tagset - tagset: difference';
COMMENT ON FUNCTION @extschema@.tagset_eq(@extschema@.tagset, @extschema@.tagset) IS
	'implementation of tagset = tagset: same tags';
COMMENT ON FUNCTION @extschema@.tagset_ne(@extschema@.tagset, @extschema@.tagset) IS
	'implementation of tagset <> tagset: different tags';
COMMENT ON FUNCTION @extschema@.tagset_lt(@extschema@.tagset, @extschema@.tagset) IS
	'implementation of tagset < tagset (tag by tag in byte order, then the shorter set first)';
COMMENT ON FUNCTION @extschema@.tagset_le(@extschema@.tagset, @extschema@.tagset) IS
	'implementation of tagset <= tagset';
COMMENT ON FUNCTION @extschema@.tagset_gt(@extschema@.tagset, @extschema@.tagset) IS
	'implementation of tagset > tagset';
COMMENT ON FUNCTION @extschema@.tagset_ge(@extschema@.tagset, @extschema@.tagset) IS
	'implementation of tagset >= tagset';
COMMENT ON FUNCTION @extschema@.tagset_cmp(@extschema@.tagset, @extschema@.tagset) IS
	'btree support: -1, 0 or 1 as the first tagset sorts before, equal to or after the second';
COMMENT ON FUNCTION @extschema@.tagset_hash(@extschema@.tagset) IS
	'hash support: 32-bit hash of a tagset';
COMMENT ON FUNCTION @extschema@.tagset_hash_extended(@extschema@.tagset, bigint) IS
	'hash support: seeded 64-bit hash of a tagset';
COMMENT ON FUNCTION @extschema@.tagset_gin_compare(text, text) IS
	'GIN support: order of index keys (tags, byte order)';
COMMENT ON FUNCTION @extschema@.tagset_gin_extract_value(@extschema@.tagset, internal, internal) IS
	'GIN support: the tags of an indexed tagset';
COMMENT ON FUNCTION @extschema@.tagset_gin_extract_query(internal, internal, int2, internal, internal, internal, internal) IS
	'GIN support: the keys a query needs (prefixes as partial matches)';
COMMENT ON FUNCTION @extschema@.tagset_gin_consistent(internal, int2, internal, int4, internal, internal, internal, internal) IS
	'GIN support: does an item with these keys match (binary logic)';
COMMENT ON FUNCTION @extschema@.tagset_gin_compare_partial(text, text, int2, internal) IS
	'GIN support: does an index key lie under a query prefix';
COMMENT ON FUNCTION @extschema@.tagset_gin_tri_consistent(internal, int2, internal, int4, internal, internal, internal) IS
	'GIN support: does an item with these keys match (ternary logic)';

-- ---- src/sql/sources/user_tables_left.sql ----
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

-- ---- src/sql/sources/tables.sql ----
-- Managed source tables: the embedded default for users without an ERP, and
-- the tables the demo and the tests load.  Every computation reads them only
-- through the src_* views (sources/views.sql), never directly.
--
-- Amounts are numeric(18,2): exact money.  Keys are bigint identities that
-- also accept explicit values, since ERP imports bring their own numbers.

CREATE TABLE @extschema@.customer (
	customer_id			bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	name				text NOT NULL,
	customer_type		text NOT NULL DEFAULT 'enterprise',
	industry			text,
	region				text,
	size_class			text,
	credit_limit		numeric(18,2),
	payment_terms_days	integer NOT NULL DEFAULT 30,
	created_on			date NOT NULL DEFAULT CURRENT_DATE,
	tags				@extschema@.tagset NOT NULL DEFAULT '{}',
	payment_terms_basis	text NOT NULL DEFAULT 'invoice',
	CONSTRAINT customer_name_not_blank CHECK (btrim(name) <> ''),
	CONSTRAINT customer_type_valid CHECK (customer_type IN ('enterprise', 'individual')),
	CONSTRAINT customer_size_class_valid
		CHECK (size_class IN ('micro', 'small', 'medium', 'large')),
	-- labels of lower-case a-z, digits, _ or Chinese characters (CJK unified
	-- ideographs and extension A: 华东.上海), so that one region is one path
	CONSTRAINT customer_region_is_path
		CHECK (region ~ '^[a-z0-9_\u3400-\u4dbf\u4e00-\u9fff]+(\.[a-z0-9_\u3400-\u4dbf\u4e00-\u9fff]+)*$'),
	CONSTRAINT customer_credit_limit_not_negative CHECK (credit_limit >= 0),
	CONSTRAINT customer_payment_terms_valid CHECK (payment_terms_days BETWEEN 0 AND 365),
	CONSTRAINT customer_payment_terms_basis_valid CHECK (payment_terms_basis IN ('invoice', 'month_end'))
);

CREATE TABLE @extschema@.sales_order (
	order_id			bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	customer_id			bigint NOT NULL REFERENCES @extschema@.customer,
	ordered_on			date NOT NULL,
	amount				numeric(18,2) NOT NULL,
	status				text NOT NULL DEFAULT 'open',
	shipped_on			date,
	CONSTRAINT sales_order_amount_not_negative CHECK (amount >= 0),
	CONSTRAINT sales_order_status_valid
		CHECK (status IN ('open', 'shipped', 'invoiced', 'cancelled')),
	CONSTRAINT sales_order_shipped_after_ordered CHECK (shipped_on >= ordered_on),
	-- lets invoices reference (order_id, customer_id) so an invoice can only
	-- bill its own customer's order
	CONSTRAINT sales_order_id_customer_key UNIQUE (order_id, customer_id)
);

CREATE TABLE @extschema@.invoice (
	invoice_id			bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	customer_id			bigint NOT NULL REFERENCES @extschema@.customer,
	order_id			bigint,
	issued_on			date NOT NULL,
	due_on				date NOT NULL,
	amount				numeric(18,2) NOT NULL,
	CONSTRAINT invoice_amount_positive CHECK (amount > 0),
	CONSTRAINT invoice_due_not_before_issue CHECK (due_on >= issued_on),
	CONSTRAINT invoice_order_of_same_customer FOREIGN KEY (order_id, customer_id)
		REFERENCES @extschema@.sales_order (order_id, customer_id),
	CONSTRAINT invoice_id_customer_key UNIQUE (invoice_id, customer_id)
);

-- A payment settles (part of) one invoice, or is unapplied (invoice_id NULL)
-- and then reduces the customer's balance as a whole.  A credit note is kept
-- here too, as kind 'credit_note': it settles an invoice without cash.
CREATE TABLE @extschema@.payment (
	payment_id			bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	customer_id			bigint NOT NULL REFERENCES @extschema@.customer,
	invoice_id			bigint,
	paid_on				date NOT NULL,
	amount				numeric(18,2) NOT NULL,
	kind				text NOT NULL DEFAULT 'payment',
	CONSTRAINT payment_amount_positive CHECK (amount > 0),
	CONSTRAINT payment_kind_valid CHECK (kind IN ('payment', 'credit_note')),
	CONSTRAINT payment_invoice_of_same_customer FOREIGN KEY (invoice_id, customer_id)
		REFERENCES @extschema@.invoice (invoice_id, customer_id)
);

-- Per-customer access paths every later computation needs.  The three
-- (customer_id, date) indexes also carry every other column refresh()
-- reads, so that it reads the sources in customer order by index-only scans
-- and never visits the tables (a quarter less time for the facts of a full
-- refresh, for indexes about 60% larger).
CREATE INDEX customer_tags_idx ON @extschema@.customer USING gin (tags);
CREATE INDEX invoice_customer_due_idx ON @extschema@.invoice (customer_id, due_on)
	INCLUDE (issued_on, invoice_id, amount);
CREATE INDEX invoice_order_idx ON @extschema@.invoice (order_id) WHERE order_id IS NOT NULL;
CREATE INDEX payment_customer_paid_idx ON @extschema@.payment (customer_id, paid_on)
	INCLUDE (invoice_id, amount);
CREATE INDEX payment_invoice_idx ON @extschema@.payment (invoice_id) WHERE invoice_id IS NOT NULL;
CREATE INDEX sales_order_customer_ordered_idx ON @extschema@.sales_order (customer_id, ordered_on)
	INCLUDE (status);
CREATE INDEX sales_order_open_idx ON @extschema@.sales_order (customer_id)
	WHERE status IN ('open', 'shipped');

-- These tables and their rows are the user's data, not the extension's:
-- sources/user_data.sql takes them out of the extension at the end of this
-- script, so pg_dump writes them as ordinary tables (their foreign keys and
-- triggers after the rows) and DROP EXTENSION does not drop them.

GRANT SELECT ON @extschema@.customer, @extschema@.sales_order,
	@extschema@.invoice, @extschema@.payment TO customer_class_reader;
GRANT INSERT, UPDATE, DELETE ON @extschema@.customer, @extschema@.sales_order,
	@extschema@.invoice, @extschema@.payment TO customer_class_admin;

COMMENT ON TABLE @extschema@.customer IS
	'managed source: customers (read through src_customer)';
COMMENT ON COLUMN @extschema@.customer.customer_id IS 'customer key';
COMMENT ON COLUMN @extschema@.customer.name IS 'customer name';
COMMENT ON COLUMN @extschema@.customer.customer_type IS 'enterprise or individual';
COMMENT ON COLUMN @extschema@.customer.industry IS 'industry code, e.g. construction';
COMMENT ON COLUMN @extschema@.customer.region IS 'region as a dotted path of lower-case labels, e.g. east.shanghai or 华东.上海';
COMMENT ON COLUMN @extschema@.customer.size_class IS 'micro, small, medium or large';
COMMENT ON COLUMN @extschema@.customer.credit_limit IS
	'the customer''s own credit limit (an override); NULL means the grade''s default applies';
COMMENT ON COLUMN @extschema@.customer.payment_terms_days IS 'agreed payment terms in days';
COMMENT ON COLUMN @extschema@.customer.payment_terms_basis IS
	'what payment_terms_days count from: invoice (the issue date) or month_end (the end of the month of issue, 月结)';
COMMENT ON COLUMN @extschema@.customer.created_on IS 'date the customer was opened';
COMMENT ON COLUMN @extschema@.customer.tags IS
	'the customer''s tags, e.g. {industry.construction,region.east.shanghai,vip}; exclusive dimensions of tag_dimension hold at most one tag each';

COMMENT ON TABLE @extschema@.sales_order IS
	'managed source: sales orders (read through src_order)';
COMMENT ON COLUMN @extschema@.sales_order.order_id IS 'order key';
COMMENT ON COLUMN @extschema@.sales_order.customer_id IS 'ordering customer';
COMMENT ON COLUMN @extschema@.sales_order.ordered_on IS 'order date';
COMMENT ON COLUMN @extschema@.sales_order.amount IS 'order amount';
COMMENT ON COLUMN @extschema@.sales_order.status IS 'open, shipped, invoiced or cancelled';
COMMENT ON COLUMN @extschema@.sales_order.shipped_on IS 'delivery date, when shipped';

COMMENT ON TABLE @extschema@.invoice IS
	'managed source: customer invoices (read through src_invoice)';
COMMENT ON COLUMN @extschema@.invoice.invoice_id IS 'invoice key';
COMMENT ON COLUMN @extschema@.invoice.customer_id IS 'billed customer';
COMMENT ON COLUMN @extschema@.invoice.order_id IS 'the order billed, if any (same customer)';
COMMENT ON COLUMN @extschema@.invoice.issued_on IS 'issue date';
COMMENT ON COLUMN @extschema@.invoice.due_on IS
	'due date (not before the issue date); written as NULL, it is set from the payment terms (invoice_due_on)';
COMMENT ON COLUMN @extschema@.invoice.amount IS 'invoiced amount, positive';

COMMENT ON TABLE @extschema@.payment IS
	'managed source: payments and credit notes (read through src_payment)';
COMMENT ON COLUMN @extschema@.payment.payment_id IS 'payment key';
COMMENT ON COLUMN @extschema@.payment.customer_id IS 'paying customer';
COMMENT ON COLUMN @extschema@.payment.invoice_id IS
	'invoice settled (same customer); NULL for an unapplied payment or credit';
COMMENT ON COLUMN @extschema@.payment.paid_on IS 'payment or credit date';
COMMENT ON COLUMN @extschema@.payment.amount IS 'amount, positive';
COMMENT ON COLUMN @extschema@.payment.kind IS 'payment or credit_note';


-- ---- src/sql/access/entries.sql ----
-- Access by customer category (docs/access.md): which roles see which
-- customers.  The entries and the functions that read them live here, before
-- everything that carries a customer's data; the row-level security policies
-- that enforce them on every such table load last (access/policies.sql),
-- once all those tables exist.
--
-- Semantics:
--   - a role with no entry that applies to it sees every customer (so an
--     install without entries behaves as before: access control is opt-in);
--   - an entry applies to its role and to every member of it (pg_has_role
--     ... 'MEMBER', the same inheritance as GRANT);
--   - several applicable entries: the union of what each lets see;
--   - an entry with tags NULL lets see every customer (for a role that is a
--     member of a restricted role but must see everything, e.g. auditors);
--   - members of customer_class_admin (and superusers, and the extension's
--     owner, which row-level security never restricts) see everything: they
--     edit these entries anyway.

CREATE TABLE @extschema@.customer_access (
	role_name		name NOT NULL,
	tags			@extschema@.tagquery,
	granted_at		timestamptz NOT NULL DEFAULT pg_catalog.now(),
	granted_by		name NOT NULL DEFAULT CURRENT_USER,
	CONSTRAINT customer_access_entry_key UNIQUE NULLS NOT DISTINCT (role_name, tags)
);
-- The entries are configuration: pg_dump keeps them.
SELECT pg_catalog.pg_extension_config_dump('@extschema@.customer_access', '');

-- Every role may read the entries that apply to it (the policies of all the
-- customer tables read them as the caller), and only those; admins read and
-- write all of them.
ALTER TABLE @extschema@.customer_access ENABLE ROW LEVEL SECURITY;
CREATE POLICY customer_access_own ON @extschema@.customer_access
	USING (pg_catalog.pg_has_role('customer_class_admin', 'MEMBER')
		   OR EXISTS (SELECT FROM pg_catalog.pg_roles r
					  WHERE r.rolname = customer_access.role_name AND pg_catalog.pg_has_role(r.oid, 'MEMBER')))
	WITH CHECK (pg_catalog.pg_has_role('customer_class_admin', 'MEMBER'));
GRANT SELECT ON @extschema@.customer_access TO PUBLIC;
GRANT INSERT, UPDATE, DELETE ON @extschema@.customer_access TO customer_class_admin;

-- The session's role, also inside a SECURITY DEFINER function, where
-- current_user is the owner: such functions check access for this role.
-- (SET ROLE shows in the setting "role", as in record_tag_changes().)
CREATE FUNCTION @extschema@.access_caller() RETURNS name
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT CASE WHEN pg_catalog.current_setting('role') = 'none' THEN SESSION_USER
				ELSE pg_catalog.current_setting('role')::name END;
END;

-- The tag query of the customers a role may see; NULL when it sees every
-- customer.  Several entries are joined with |.  Entries naming a role that
-- no longer exists are ignored.
CREATE FUNCTION @extschema@.access_query_of(role_name name) RETURNS @extschema@.tagquery
	LANGUAGE sql STABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
	SELECT CASE
		WHEN pg_catalog.pg_has_role(access_query_of.role_name, 'customer_class_admin', 'MEMBER') THEN NULL
		WHEN pg_catalog.bool_or(a.tags IS NULL) THEN NULL
		ELSE pg_catalog.string_agg('(' || a.tags::text || ')', ' | ' ORDER BY a.tags)::@extschema@.tagquery
	END
	FROM @extschema@.customer_access a
	JOIN pg_catalog.pg_roles r ON r.rolname = a.role_name
	WHERE pg_catalog.pg_has_role(access_query_of.role_name, r.oid, 'MEMBER');
END;

-- The caller's own: what the row-level security policies use, once per
-- statement (they call it as an uncorrelated subquery).
CREATE FUNCTION @extschema@.access_query() RETURNS @extschema@.tagquery
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT @extschema@.access_query_of(CURRENT_USER);
END;

-- The test of the row-level security policies (95_access_policies.sql): the
-- caller's query NULL (sees every customer) or the customer among those the
-- caller sees in src_customer, read once per statement (src/access.c says
-- why this is C and not an EXISTS in the policy).
CREATE FUNCTION @extschema@.access_visible(customer_id bigint, query @extschema@.tagquery) RETURNS boolean
	AS 'MODULE_PATHNAME', 'customer_class_access_visible'
	LANGUAGE C STABLE PARALLEL SAFE COST 1;
COMMENT ON FUNCTION @extschema@.access_visible(bigint, @extschema@.tagquery) IS
	'row-level security test: true when the query (the caller''s access_query()) is NULL or the customer is one the caller sees in src_customer';

-- May this role see this customer?  For SECURITY DEFINER functions, which
-- row-level security does not restrict, to check before they answer: they
-- pass access_caller().  A customer that does not exist is not visible.
-- A string body, like src_*_rows() (sources/views.sql): the customers are the
-- user's table, which nothing of the extension may pin (sources/user_data.sql).
CREATE FUNCTION @extschema@.access_allows(customer_id bigint, role_name name) RETURNS boolean
	LANGUAGE sql STABLE STRICT PARALLEL SAFE
AS $$
	SELECT EXISTS (SELECT FROM @extschema@.src_customer c, (SELECT @extschema@.access_query_of($2) AS q) s
				   WHERE c.customer_id = $1 AND (s.q IS NULL OR c.tags OPERATOR(@extschema@.@@) s.q))
$$;

-- Let a role (and its members) see the customers whose tags match a query,
-- or every customer.  Returns false when the entry existed already.
CREATE FUNCTION @extschema@.grant_customer_access(role_name name, tags @extschema@.tagquery DEFAULT NULL,
												  all_customers boolean DEFAULT false)
	RETURNS boolean
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF role_name IS NULL OR NOT EXISTS (SELECT FROM pg_catalog.pg_roles r WHERE r.rolname = grant_customer_access.role_name) THEN
		RAISE EXCEPTION 'role "%" does not exist', role_name
			USING ERRCODE = 'undefined_object',
				  HINT = 'Create the role first; access is granted to existing roles only.';
	END IF;
	IF tags IS NULL AND all_customers IS NOT TRUE THEN
		RAISE EXCEPTION 'no tag query given for role "%"', role_name
			USING ERRCODE = 'null_value_not_allowed',
				  HINT = 'Give a tag query, e.g. ''region.east.*'', or all_customers => true to let the role see every customer.';
	END IF;
	IF tags IS NOT NULL AND all_customers THEN
		RAISE EXCEPTION 'a tag query and all_customers => true exclude each other'
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Grant one entry for the query, or one for every customer.';
	END IF;
	INSERT INTO @extschema@.customer_access (role_name, tags)
	VALUES (grant_customer_access.role_name, grant_customer_access.tags)
	ON CONFLICT ON CONSTRAINT customer_access_entry_key DO NOTHING;
	RETURN FOUND;
END
$$;

-- Remove one entry of a role (tags given), its every-customer entry
-- (all_customers => true), or all its entries (neither); returns how many.
CREATE FUNCTION @extschema@.revoke_customer_access(role_name name, tags @extschema@.tagquery DEFAULT NULL,
												   all_customers boolean DEFAULT false)
	RETURNS bigint
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	n bigint;
BEGIN
	IF tags IS NOT NULL AND all_customers THEN
		RAISE EXCEPTION 'a tag query and all_customers => true exclude each other'
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Revoke the entry for the query, or the one for every customer.';
	END IF;
	DELETE FROM @extschema@.customer_access a
	WHERE a.role_name = revoke_customer_access.role_name
	  AND (CASE WHEN revoke_customer_access.tags IS NOT NULL THEN a.tags OPERATOR(@extschema@.=) revoke_customer_access.tags
				WHEN all_customers THEN a.tags IS NULL
				ELSE true END);
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END
$$;

REVOKE EXECUTE ON FUNCTION @extschema@.grant_customer_access(name, @extschema@.tagquery, boolean) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.revoke_customer_access(name, @extschema@.tagquery, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.grant_customer_access(name, @extschema@.tagquery, boolean) TO customer_class_admin;
GRANT EXECUTE ON FUNCTION @extschema@.revoke_customer_access(name, @extschema@.tagquery, boolean) TO customer_class_admin;

COMMENT ON TABLE @extschema@.customer_access IS
	'access by customer category: a role and its members see the customers whose tags match the query (NULL: every customer); a role with no entry sees every customer; several entries add up (docs/access.md)';
COMMENT ON COLUMN @extschema@.customer_access.role_name IS 'the role granted (its members too)';
COMMENT ON COLUMN @extschema@.customer_access.tags IS
	'tag query of the customers it may see, e.g. region.east.*; NULL: every customer';
COMMENT ON COLUMN @extschema@.customer_access.granted_at IS 'when the entry was made';
COMMENT ON COLUMN @extschema@.customer_access.granted_by IS 'who made it';
COMMENT ON POLICY customer_access_own ON @extschema@.customer_access IS
	'a role reads the entries that apply to it; admins read and write all';
COMMENT ON FUNCTION @extschema@.access_caller() IS
	'the session''s role (login or SET ROLE), also inside SECURITY DEFINER functions: whose access they check';
COMMENT ON FUNCTION @extschema@.access_query_of(name) IS
	'the tag query of the customers a role may see (its entries and those of the roles it is a member of, joined with |); NULL when it sees every customer';
COMMENT ON FUNCTION @extschema@.access_query() IS
	'access_query_of(current_user): what the row-level security policies compare each customer''s tags with';
COMMENT ON FUNCTION @extschema@.access_allows(bigint, name) IS
	'may this role see this customer? (false for a customer that does not exist); for SECURITY DEFINER functions, with access_caller()';
COMMENT ON FUNCTION @extschema@.grant_customer_access(name, @extschema@.tagquery, boolean) IS
	'let a role and its members see the customers whose tags match the query, or every customer (all_customers => true); false when the entry existed';
COMMENT ON FUNCTION @extschema@.revoke_customer_access(name, @extschema@.tagquery, boolean) IS
	'remove a role''s entry for a query, its every-customer entry (all_customers => true), or all its entries (neither); returns how many';

-- ---- src/sql/sources/views.sql ----
-- Canonical source views.  Every computation reads these, never the managed
-- tables, so that bind_source() can later point them at an ERP's own tables.
-- security_invoker: the caller's privileges and row-level security apply.
--
-- The managed tables are the user's data, not part of the extension (see
-- sources/user_data.sql): pg_dump writes them as ordinary tables, which a restore
-- creates after CREATE EXTENSION.  So no view of the extension may name them
-- directly (a view pins the table it reads): each view reads its table
-- through a SQL function with a string body, which records no dependency and
-- is looked up when a query is planned.  The planner inlines these functions
-- (STABLE, not STRICT, not SECURITY DEFINER, no SET): plans are the same as
-- with the table named in the view.  The casts keep the views' column types
-- (numeric(18,2)) those of the tables.

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

CREATE VIEW @extschema@.src_customer WITH (security_invoker = true) AS
	SELECT customer_id, name, customer_type, industry, region, size_class,
		   credit_limit::numeric(18,2) AS credit_limit, payment_terms_days, created_on, tags, payment_terms_basis
	FROM @extschema@.src_customer_rows();

CREATE VIEW @extschema@.src_order WITH (security_invoker = true) AS
	SELECT order_id, customer_id, ordered_on, amount::numeric(18,2) AS amount, status, shipped_on
	FROM @extschema@.src_order_rows();

CREATE VIEW @extschema@.src_invoice WITH (security_invoker = true) AS
	SELECT invoice_id, customer_id, order_id, issued_on, due_on, amount::numeric(18,2) AS amount
	FROM @extschema@.src_invoice_rows();

CREATE VIEW @extschema@.src_payment WITH (security_invoker = true) AS
	SELECT payment_id, customer_id, invoice_id, paid_on, amount::numeric(18,2) AS amount, kind
	FROM @extschema@.src_payment_rows();

GRANT SELECT ON @extschema@.src_customer, @extschema@.src_order,
	@extschema@.src_invoice, @extschema@.src_payment TO customer_class_reader;

COMMENT ON VIEW @extschema@.src_customer IS 'canonical source of customers';
COMMENT ON COLUMN @extschema@.src_customer.customer_id IS 'customer key';
COMMENT ON COLUMN @extschema@.src_customer.name IS 'customer name';
COMMENT ON COLUMN @extschema@.src_customer.customer_type IS 'enterprise or individual';
COMMENT ON COLUMN @extschema@.src_customer.industry IS 'industry code';
COMMENT ON COLUMN @extschema@.src_customer.region IS 'region as a dotted path';
COMMENT ON COLUMN @extschema@.src_customer.size_class IS 'micro, small, medium or large';
COMMENT ON COLUMN @extschema@.src_customer.credit_limit IS 'own credit limit; NULL = grade default';
COMMENT ON COLUMN @extschema@.src_customer.payment_terms_days IS 'agreed payment terms in days';
COMMENT ON COLUMN @extschema@.src_customer.created_on IS 'date the customer was opened';
COMMENT ON COLUMN @extschema@.src_customer.tags IS 'the customer''s tags (tagset)';
COMMENT ON COLUMN @extschema@.src_customer.payment_terms_basis IS 'payment terms count from: invoice or month_end';

COMMENT ON VIEW @extschema@.src_order IS 'canonical source of sales orders';
COMMENT ON COLUMN @extschema@.src_order.order_id IS 'order key';
COMMENT ON COLUMN @extschema@.src_order.customer_id IS 'ordering customer';
COMMENT ON COLUMN @extschema@.src_order.ordered_on IS 'order date';
COMMENT ON COLUMN @extschema@.src_order.amount IS 'order amount';
COMMENT ON COLUMN @extschema@.src_order.status IS 'open, shipped, invoiced or cancelled';
COMMENT ON COLUMN @extschema@.src_order.shipped_on IS 'delivery date, when shipped';

COMMENT ON VIEW @extschema@.src_invoice IS 'canonical source of customer invoices';
COMMENT ON COLUMN @extschema@.src_invoice.invoice_id IS 'invoice key';
COMMENT ON COLUMN @extschema@.src_invoice.customer_id IS 'billed customer';
COMMENT ON COLUMN @extschema@.src_invoice.order_id IS 'the order billed, if any';
COMMENT ON COLUMN @extschema@.src_invoice.issued_on IS 'issue date';
COMMENT ON COLUMN @extschema@.src_invoice.due_on IS 'due date (from the payment terms when the invoice was written without one)';
COMMENT ON COLUMN @extschema@.src_invoice.amount IS 'invoiced amount';

COMMENT ON VIEW @extschema@.src_payment IS 'canonical source of payments and credit notes';
COMMENT ON COLUMN @extschema@.src_payment.payment_id IS 'payment key';
COMMENT ON COLUMN @extschema@.src_payment.customer_id IS 'paying customer';
COMMENT ON COLUMN @extschema@.src_payment.invoice_id IS 'invoice settled; NULL when unapplied';
COMMENT ON COLUMN @extschema@.src_payment.paid_on IS 'payment or credit date';
COMMENT ON COLUMN @extschema@.src_payment.amount IS 'amount, positive';
COMMENT ON COLUMN @extschema@.src_payment.kind IS 'payment or credit_note';

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

-- ---- src/sql/tags/catalog.sql ----
-- The tag catalog: dimensions (a tag prefix such as industry, with display
-- names and whether a customer may hold more than one tag of it) and the
-- known tags or prefixes with English and Simplified Chinese display names.
-- Exclusive dimensions are enforced on the managed customer table.
--
-- Rows shipped with the extension have shipped = true and are left out of
-- pg_dump (CREATE EXTENSION recreates them, so a restore never collides
-- with them); rows users add are dumped.  Edits to shipped rows are not
-- kept by pg_dump: add your own rows instead (see docs/tags.md).

CREATE TABLE @extschema@.tag_dimension (
	dimension			text PRIMARY KEY,
	exclusive			boolean NOT NULL DEFAULT false,
	label_en			text NOT NULL,
	label_zh			text NOT NULL,
	description			text,
	shipped				boolean NOT NULL DEFAULT false,
	CONSTRAINT tag_dimension_is_tag
		CHECK (@extschema@.cardinality(@extschema@.tagset(ARRAY[dimension])) = 1)
);

CREATE TABLE @extschema@.tag_catalog (
	tag					text PRIMARY KEY,
	dimension			text NOT NULL REFERENCES @extschema@.tag_dimension ON UPDATE CASCADE,
	label_en			text NOT NULL,
	label_zh			text NOT NULL,
	description			text,
	shipped				boolean NOT NULL DEFAULT false,
	CONSTRAINT tag_catalog_is_tag
		CHECK (@extschema@.cardinality(@extschema@.tagset(ARRAY[tag])) = 1),
	CONSTRAINT tag_catalog_tag_in_dimension
		CHECK (tag = dimension OR pg_catalog.starts_with(tag, dimension || '.'))
);
CREATE INDEX tag_catalog_dimension_idx ON @extschema@.tag_catalog (dimension);

SELECT pg_catalog.pg_extension_config_dump('@extschema@.tag_dimension', 'WHERE NOT shipped');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.tag_catalog', 'WHERE NOT shipped');

GRANT SELECT ON @extschema@.tag_dimension, @extschema@.tag_catalog TO customer_class_reader;
GRANT INSERT, UPDATE, DELETE ON @extschema@.tag_dimension, @extschema@.tag_catalog
	TO customer_class_admin;

COMMENT ON TABLE @extschema@.tag_dimension IS
	'tag dimensions: a tag prefix (industry, region, size, ...) with display names and exclusivity';
COMMENT ON COLUMN @extschema@.tag_dimension.dimension IS
	'the dimension''s tag prefix, e.g. industry: its tags are industry.<...>';
COMMENT ON COLUMN @extschema@.tag_dimension.exclusive IS
	'true: a customer holds at most one tag of this dimension (enforced on customer.tags)';
COMMENT ON COLUMN @extschema@.tag_dimension.label_en IS 'English display name';
COMMENT ON COLUMN @extschema@.tag_dimension.label_zh IS 'Simplified Chinese display name';
COMMENT ON COLUMN @extschema@.tag_dimension.description IS 'what the dimension means';
COMMENT ON COLUMN @extschema@.tag_dimension.shipped IS
	'row shipped with the extension (recreated by CREATE EXTENSION, not dumped)';

COMMENT ON TABLE @extschema@.tag_catalog IS
	'known tags and tag prefixes with English and Simplified Chinese display names';
COMMENT ON COLUMN @extschema@.tag_catalog.tag IS
	'a tag, or a prefix standing for itself and every tag below it';
COMMENT ON COLUMN @extschema@.tag_catalog.dimension IS 'the dimension the tag belongs to';
COMMENT ON COLUMN @extschema@.tag_catalog.label_en IS 'English display name';
COMMENT ON COLUMN @extschema@.tag_catalog.label_zh IS 'Simplified Chinese display name';
COMMENT ON COLUMN @extschema@.tag_catalog.description IS 'what the tag means';
COMMENT ON COLUMN @extschema@.tag_catalog.shipped IS
	'row shipped with the extension (recreated by CREATE EXTENSION, not dumped)';

INSERT INTO @extschema@.tag_dimension (dimension, exclusive, label_en, label_zh, description, shipped) VALUES
	('industry', true, 'Industry', '行业', 'the customer''s industry: one per customer', true),
	('region', true, 'Region', '地区', 'the customer''s region as a path, e.g. region.east.shanghai: one per customer', true),
	('size', true, 'Size', '规模', 'the customer''s size class: one per customer', true);

INSERT INTO @extschema@.tag_catalog (tag, dimension, label_en, label_zh, shipped) VALUES
	('industry', 'industry', 'Industry', '行业', true),
	('industry.manufacturing', 'industry', 'Manufacturing', '制造业', true),
	('industry.retail', 'industry', 'Retail', '零售业', true),
	('industry.construction', 'industry', 'Construction', '建筑业', true),
	('industry.services', 'industry', 'Services', '服务业', true),
	('industry.real_estate', 'industry', 'Real estate', '房地产业', true),
	('industry.wholesale', 'industry', 'Wholesale', '批发业', true),
	('industry.logistics', 'industry', 'Logistics', '物流业', true),
	('industry.technology', 'industry', 'Technology', '科技业', true),
	('region', 'region', 'Region', '地区', true),
	('region.east', 'region', 'East China', '华东', true),
	('region.east.shanghai', 'region', 'Shanghai', '上海', true),
	('region.east.hangzhou', 'region', 'Hangzhou', '杭州', true),
	('region.east.nanjing', 'region', 'Nanjing', '南京', true),
	('region.north', 'region', 'North China', '华北', true),
	('region.north.beijing', 'region', 'Beijing', '北京', true),
	('region.north.tianjin', 'region', 'Tianjin', '天津', true),
	('region.south', 'region', 'South China', '华南', true),
	('region.south.guangzhou', 'region', 'Guangzhou', '广州', true),
	('region.south.shenzhen', 'region', 'Shenzhen', '深圳', true),
	('region.west', 'region', 'West China', '西部', true),
	('region.west.chengdu', 'region', 'Chengdu', '成都', true),
	('region.west.chongqing', 'region', 'Chongqing', '重庆', true),
	('region.central', 'region', 'Central China', '华中', true),
	('region.central.wuhan', 'region', 'Wuhan', '武汉', true),
	('size', 'size', 'Size', '规模', true),
	('size.micro', 'size', 'Micro', '微型', true),
	('size.small', 'size', 'Small', '小型', true),
	('size.medium', 'size', 'Medium', '中型', true),
	('size.large', 'size', 'Large', '大型', true);

-- tagquery for "prefix and everything below it", the prefix quoted
CREATE FUNCTION @extschema@.tag_subtree_query(prefix text) RETURNS @extschema@.tagquery
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	RETURN pg_catalog.concat('"', pg_catalog.replace(pg_catalog.replace(prefix, '\', '\\'), '"', '\"'), '".*')::@extschema@.tagquery;
COMMENT ON FUNCTION @extschema@.tag_subtree_query(text) IS
	'the tagquery prefix.* (the prefix and every tag below it), for any prefix text';

-- the first exclusive dimension of which tags hold more than one tag, with those tags
CREATE FUNCTION @extschema@.exclusive_conflict(tags @extschema@.tagset,
	OUT dimension text, OUT conflicting text[])
	LANGUAGE sql STABLE STRICT PARALLEL SAFE
	BEGIN ATOMIC
		SELECT d.dimension, pg_catalog.array_agg(t.tag ORDER BY t.tag)
		FROM @extschema@.tag_dimension d
		JOIN @extschema@.tags(exclusive_conflict.tags) AS t(tag)
		  ON t.tag = d.dimension OR pg_catalog.starts_with(t.tag, d.dimension || '.')
		WHERE d.exclusive
		GROUP BY d.dimension
		HAVING pg_catalog.count(*) > 1
		ORDER BY d.dimension
		LIMIT 1;
	END;
COMMENT ON FUNCTION @extschema@.exclusive_conflict(@extschema@.tagset) IS
	'the first exclusive dimension in which the tags hold more than one tag, and those tags (no row when none)';

-- the exclusive dimension a tag lies in (the dimension itself or below it)
CREATE FUNCTION @extschema@.exclusive_dimension_of(tag text) RETURNS text
	LANGUAGE sql STABLE STRICT PARALLEL SAFE
	BEGIN ATOMIC
		SELECT d.dimension
		FROM @extschema@.tag_dimension d
		WHERE d.exclusive
		  AND (exclusive_dimension_of.tag = d.dimension
			   OR pg_catalog.starts_with(exclusive_dimension_of.tag, d.dimension || '.'))
		ORDER BY d.dimension
		LIMIT 1;
	END;
COMMENT ON FUNCTION @extschema@.exclusive_dimension_of(text) IS
	'the exclusive dimension the tag is or lies below (NULL when none)';

-- trigger on customer: at most one tag per exclusive dimension
CREATE FUNCTION @extschema@.customer_tags_check() RETURNS trigger
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	c record;
BEGIN
	SELECT * INTO c FROM @extschema@.exclusive_conflict(NEW.tags);
	IF c.dimension IS NOT NULL THEN
		RAISE EXCEPTION 'customer % (%) holds % tags of exclusive dimension "%"',
			NEW.customer_id, NEW.name, cardinality(c.conflicting), c.dimension
			USING ERRCODE = 'check_violation',
				  DETAIL = format('Conflicting tags: %s.', array_to_string(c.conflicting, ', ')),
				  HINT = format('A customer holds at most one tag below "%s"; remove the others first (tags - ''tag''::text).', c.dimension);
	END IF;
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION @extschema@.customer_tags_check() IS
	'trigger: a customer holds at most one tag of each exclusive dimension';
-- its trigger on customer: sources/triggers.sql

-- trigger on tag_dimension: making a dimension exclusive must not leave a
-- customer holding several of its tags
CREATE FUNCTION @extschema@.tag_dimension_check() RETURNS trigger
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	c record;
BEGIN
	-- Wait for customer writes in flight and hold new ones off until this
	-- transaction ends: otherwise a customer inserted concurrently with two
	-- tags of the dimension, which saw it not yet exclusive, could commit
	-- beside this change.  (Under READ COMMITTED the check below then sees
	-- every committed customer; SHARE ROW EXCLUSIVE conflicts with the
	-- ROW EXCLUSIVE lock of INSERT and UPDATE, and with itself.)
	LOCK TABLE @extschema@.customer IN SHARE ROW EXCLUSIVE MODE;
	SELECT cu.customer_id, cu.name,
		   ARRAY(SELECT t FROM @extschema@.tags(cu.tags) AS t
				 WHERE t = NEW.dimension OR starts_with(t, NEW.dimension || '.')) AS conflicting
	INTO c
	FROM @extschema@.customer cu
	WHERE cu.tags OPERATOR(@extschema@.@@) @extschema@.tag_subtree_query(NEW.dimension)
	  AND cardinality(ARRAY(SELECT t FROM @extschema@.tags(cu.tags) AS t
							WHERE t = NEW.dimension OR starts_with(t, NEW.dimension || '.'))) > 1
	ORDER BY cu.customer_id
	LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'dimension "%" cannot be exclusive: customer % (%) holds % of its tags',
			NEW.dimension, c.customer_id, c.name, cardinality(c.conflicting)
			USING ERRCODE = 'check_violation',
				  DETAIL = format('Conflicting tags: %s.', array_to_string(c.conflicting, ', ')),
				  HINT = 'Leave one tag of the dimension per customer first.';
	END IF;
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION @extschema@.tag_dimension_check() IS
	'trigger: a dimension can become exclusive only when no customer holds two of its tags (locks customer against concurrent writes)';

CREATE TRIGGER tag_dimension_exclusive
	AFTER INSERT OR UPDATE OF exclusive, dimension ON @extschema@.tag_dimension
	FOR EACH ROW WHEN (NEW.exclusive)
	EXECUTE FUNCTION @extschema@.tag_dimension_check();

-- Errors that say what is accepted (checks/explain.sql): the WHEN clause is
-- true exactly when one of the table's CHECK constraints is false (a NULL
-- result passes a CHECK); keep it in step with the table's CHECKs.
CREATE TRIGGER tag_catalog_explain_check BEFORE INSERT OR UPDATE ON @extschema@.tag_catalog
	FOR EACH ROW WHEN ((NEW.tag = NEW.dimension OR pg_catalog.starts_with(NEW.tag, NEW.dimension || '.')) IS FALSE)
	EXECUTE FUNCTION @extschema@.explain_check_violation();

-- ---- src/sql/receivables/aging.sql ----
-- Receivables aging: the aging type, aging_bucket() and the aging_agg()
-- aggregate.  See docs/receivables.md for the rules and examples.

CREATE TYPE @extschema@.aging;

CREATE FUNCTION @extschema@.aging_in(cstring) RETURNS @extschema@.aging
	AS 'MODULE_PATHNAME', 'aging_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.aging_out(@extschema@.aging) RETURNS cstring
	AS 'MODULE_PATHNAME', 'aging_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.aging_recv(internal) RETURNS @extschema@.aging
	AS 'MODULE_PATHNAME', 'aging_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.aging_send(@extschema@.aging) RETURNS bytea
	AS 'MODULE_PATHNAME', 'aging_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE @extschema@.aging (
	INPUT = @extschema@.aging_in,
	OUTPUT = @extschema@.aging_out,
	RECEIVE = @extschema@.aging_recv,
	SEND = @extschema@.aging_send,
	INTERNALLENGTH = VARIABLE,
	ALIGNMENT = double,
	STORAGE = plain
);
COMMENT ON TYPE @extschema@.aging IS
	'open amounts per aging bucket with the bounds they were built with; text form {"bounds": [30, 60, 90], "current": 0.00, "1-30": 0.00, "31-60": 0.00, "61-90": 0.00, "91+": 0.00}';

CREATE FUNCTION @extschema@.aging_bucket(days_past_due integer, bounds integer[] DEFAULT '{30,60,90}')
	RETURNS text
	AS 'MODULE_PATHNAME', 'aging_bucket' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.aging_bucket(integer, integer[]) IS
	'aging bucket label of a number of days past due: current (<= 0), 1-30, 31-60, 61-90, 91+ for bounds {30,60,90}';

-- transition and combine functions of aging_agg
CREATE FUNCTION @extschema@.aging_accum(@extschema@.aging, numeric, date, date)
	RETURNS @extschema@.aging
	AS 'MODULE_PATHNAME', 'aging_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.aging_accum(@extschema@.aging, numeric, date, date, integer[])
	RETURNS @extschema@.aging
	AS 'MODULE_PATHNAME', 'aging_accum_bounds' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.aging_combine(@extschema@.aging, @extschema@.aging)
	RETURNS @extschema@.aging
	AS 'MODULE_PATHNAME', 'aging_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE @extschema@.aging_agg(amount numeric, due_on date, as_of date) (
	SFUNC = @extschema@.aging_accum,
	STYPE = @extschema@.aging,
	COMBINEFUNC = @extschema@.aging_combine,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.aging_agg(numeric, date, date) IS
	'open amounts per aging bucket (bounds {30,60,90}) as of a date; NULL amounts are skipped, a NULL due date counts as current';

CREATE AGGREGATE @extschema@.aging_agg(amount numeric, due_on date, as_of date, bounds integer[]) (
	SFUNC = @extschema@.aging_accum,
	STYPE = @extschema@.aging,
	COMBINEFUNC = @extschema@.aging_combine,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.aging_agg(numeric, date, date, integer[]) IS
	'open amounts per aging bucket with the given bounds (the same in every row) as of a date';

CREATE FUNCTION @extschema@.aging_add(@extschema@.aging, @extschema@.aging)
	RETURNS @extschema@.aging
	AS 'MODULE_PATHNAME', 'aging_add' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OPERATOR @extschema@.+ (
	LEFTARG = @extschema@.aging,
	RIGHTARG = @extschema@.aging,
	FUNCTION = @extschema@.aging_add,
	COMMUTATOR = OPERATOR(@extschema@.+)
);
COMMENT ON OPERATOR @extschema@.+ (@extschema@.aging, @extschema@.aging) IS
	'bucket-wise sum of two agings with the same bounds';

CREATE FUNCTION @extschema@.aging_get(@extschema@.aging, text) RETURNS numeric
	AS 'MODULE_PATHNAME', 'aging_get' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OPERATOR @extschema@.-> (
	LEFTARG = @extschema@.aging,
	RIGHTARG = text,
	FUNCTION = @extschema@.aging_get
);
COMMENT ON OPERATOR @extschema@.-> (@extschema@.aging, text) IS
	'amount of the bucket with that label (''current'', ''1-30'', ..., or ''total''); NULL for an unknown label';

CREATE FUNCTION @extschema@.aging_total(@extschema@.aging) RETURNS numeric
	AS 'MODULE_PATHNAME', 'aging_total' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.aging_total(@extschema@.aging) IS
	'sum of all buckets (unapplied credits included)';

CREATE FUNCTION @extschema@.aging_bounds(@extschema@.aging) RETURNS integer[]
	AS 'MODULE_PATHNAME', 'aging_bounds' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.aging_bounds(@extschema@.aging) IS
	'the bucket bounds an aging was built with';

CREATE FUNCTION @extschema@.aging_jsonb(@extschema@.aging) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'aging_jsonb' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.aging_jsonb(@extschema@.aging) IS
	'the aging as jsonb: {"bounds": [...], "current": ..., ...}';
CREATE CAST (@extschema@.aging AS jsonb) WITH FUNCTION @extschema@.aging_jsonb(@extschema@.aging);

CREATE FUNCTION @extschema@.aging_buckets(@extschema@.aging,
	OUT label text, OUT lower integer, OUT upper integer, OUT amount numeric)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'aging_buckets' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 5;
COMMENT ON FUNCTION @extschema@.aging_buckets(@extschema@.aging) IS
	'the buckets as rows: label, lower and upper days past due (NULL = open-ended), amount';

CREATE FUNCTION @extschema@.aging_allowance(@extschema@.aging, rates numeric[]) RETURNS numeric
	AS 'MODULE_PATHNAME', 'aging_allowance' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.aging_allowance(@extschema@.aging, numeric[]) IS
	'doubtful-accounts allowance: sum of bucket amount x rate, one rate (0-1) per bucket';

-- sum(aging): bucket-wise total of aging values (per class, per region ...);
-- the transition function is the combine function, as for pgvector's sum(vector)
CREATE AGGREGATE @extschema@.sum(@extschema@.aging) (
	SFUNC = @extschema@.aging_combine,
	STYPE = @extschema@.aging,
	COMBINEFUNC = @extschema@.aging_combine,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.sum(@extschema@.aging) IS
	'bucket-wise total of aging values with the same bounds';

-- Equality (same bounds, same amount in every bucket whatever the scale:
-- 1.5 = 1.50) and hashing, so DISTINCT, GROUP BY, UNION and hash joins work
-- on aging values.  There is no order: agings are not ranked.
CREATE FUNCTION @extschema@.aging_eq(@extschema@.aging, @extschema@.aging) RETURNS boolean
	AS 'MODULE_PATHNAME', 'aging_eq' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.aging_eq(@extschema@.aging, @extschema@.aging) IS
	'same bounds and the same amount in every bucket';
CREATE FUNCTION @extschema@.aging_ne(@extschema@.aging, @extschema@.aging) RETURNS boolean
	AS 'MODULE_PATHNAME', 'aging_ne' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.aging_ne(@extschema@.aging, @extschema@.aging) IS
	'other bounds or another amount in some bucket';
CREATE FUNCTION @extschema@.aging_hash(@extschema@.aging) RETURNS integer
	AS 'MODULE_PATHNAME', 'aging_hash' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.aging_hash(@extschema@.aging) IS
	'hash of an aging, consistent with = (support of the hash operator class)';
CREATE FUNCTION @extschema@.aging_hash_extended(@extschema@.aging, bigint) RETURNS bigint
	AS 'MODULE_PATHNAME', 'aging_hash_extended' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.aging_hash_extended(@extschema@.aging, bigint) IS
	'seeded 64-bit hash of an aging, consistent with = (support of the hash operator class)';

CREATE OPERATOR @extschema@.= (
	LEFTARG = @extschema@.aging, RIGHTARG = @extschema@.aging,
	FUNCTION = @extschema@.aging_eq,
	COMMUTATOR = OPERATOR(@extschema@.=), NEGATOR = OPERATOR(@extschema@.<>),
	RESTRICT = pg_catalog.eqsel, JOIN = pg_catalog.eqjoinsel,
	HASHES
);
COMMENT ON OPERATOR @extschema@.= (@extschema@.aging, @extschema@.aging) IS
	'same bounds and the same amount in every bucket (1.5 = 1.50)';

CREATE OPERATOR @extschema@.<> (
	LEFTARG = @extschema@.aging, RIGHTARG = @extschema@.aging,
	FUNCTION = @extschema@.aging_ne,
	COMMUTATOR = OPERATOR(@extschema@.<>), NEGATOR = OPERATOR(@extschema@.=),
	RESTRICT = pg_catalog.neqsel, JOIN = pg_catalog.neqjoinsel
);
COMMENT ON OPERATOR @extschema@.<> (@extschema@.aging, @extschema@.aging) IS
	'other bounds or another amount in some bucket';

CREATE OPERATOR CLASS @extschema@.aging_ops
	DEFAULT FOR TYPE @extschema@.aging USING hash AS
		OPERATOR 1 @extschema@.=,
		FUNCTION 1 @extschema@.aging_hash(@extschema@.aging),
		FUNCTION 2 @extschema@.aging_hash_extended(@extschema@.aging, bigint);
COMMENT ON OPERATOR CLASS @extschema@.aging_ops USING hash IS
	'hashing of aging values (GROUP BY, DISTINCT, hash joins)';

-- ---- src/sql/receivables/payment_behavior.sql ----
-- Payment behaviour over a customer's invoices: the state type
-- payment_stats, the result type payment_behavior and the aggregates.
-- See docs/receivables.md for the rules and the index anchors.

CREATE TYPE @extschema@.payment_stats;

CREATE FUNCTION @extschema@.payment_stats_in(cstring) RETURNS @extschema@.payment_stats
	AS 'MODULE_PATHNAME', 'payment_stats_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.payment_stats_out(@extschema@.payment_stats) RETURNS cstring
	AS 'MODULE_PATHNAME', 'payment_stats_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.payment_stats_recv(internal) RETURNS @extschema@.payment_stats
	AS 'MODULE_PATHNAME', 'payment_stats_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.payment_stats_send(@extschema@.payment_stats) RETURNS bytea
	AS 'MODULE_PATHNAME', 'payment_stats_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE @extschema@.payment_stats (
	INPUT = @extschema@.payment_stats_in,
	OUTPUT = @extschema@.payment_stats_out,
	RECEIVE = @extschema@.payment_stats_recv,
	SEND = @extschema@.payment_stats_send,
	INTERNALLENGTH = VARIABLE,
	ALIGNMENT = double,
	STORAGE = plain
);
COMMENT ON TYPE @extschema@.payment_stats IS
	'state of payment_behavior_agg: exact counts, balances and amount x days sums over a customer''s invoices; text form is JSON and round-trips exactly';

CREATE TYPE @extschema@.payment_behavior AS (
	invoices			bigint,
	billed				numeric,
	open_invoices		bigint,
	open_balance		numeric,
	overdue_balance		numeric,
	max_days_past_due	integer,
	paid_invoices		bigint,
	paid_on_time		bigint,
	paid_late			bigint,
	on_time_ratio		numeric,
	on_time_amount_ratio numeric,
	avg_days_to_pay		numeric,
	days_beyond_terms	numeric,
	avg_days_vs_terms	numeric,
	payment_index		numeric
);
COMMENT ON TYPE @extschema@.payment_behavior IS
	'payment behaviour of a customer as of a date: invoices and amount billed, open and overdue balance, max days past due of an open invoice, paid / on time / late counts, on-time ratio by count and by amount, amount-weighted days to pay, days beyond terms (early = 0), signed days vs terms, PAYDEX-style index 20-100 (NULL below 3 paid invoices)';

CREATE FUNCTION @extschema@.payment_stats_accum(@extschema@.payment_stats,
	numeric, date, date, date, date)
	RETURNS @extschema@.payment_stats
	AS 'MODULE_PATHNAME', 'payment_stats_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.payment_stats_accum(@extschema@.payment_stats,
	numeric, date, date, date, date, numeric)
	RETURNS @extschema@.payment_stats
	AS 'MODULE_PATHNAME', 'payment_stats_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.payment_stats_combine(@extschema@.payment_stats, @extschema@.payment_stats)
	RETURNS @extschema@.payment_stats
	AS 'MODULE_PATHNAME', 'payment_stats_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.payment_behavior(@extschema@.payment_stats)
	RETURNS @extschema@.payment_behavior
	AS 'MODULE_PATHNAME', 'payment_behavior_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.payment_behavior(@extschema@.payment_stats) IS
	'the ratios, averages and payment index of a payment_stats value';

CREATE FUNCTION @extschema@.payment_stats_add(@extschema@.payment_stats, @extschema@.payment_stats)
	RETURNS @extschema@.payment_stats
	AS 'MODULE_PATHNAME', 'payment_stats_add' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OPERATOR @extschema@.+ (
	LEFTARG = @extschema@.payment_stats,
	RIGHTARG = @extschema@.payment_stats,
	FUNCTION = @extschema@.payment_stats_add,
	COMMUTATOR = OPERATOR(@extschema@.+)
);
COMMENT ON OPERATOR @extschema@.+ (@extschema@.payment_stats, @extschema@.payment_stats) IS
	'combined payment statistics of two sets of invoices';

CREATE AGGREGATE @extschema@.payment_stats_agg(amount numeric, issued_on date, due_on date,
	paid_on date, as_of date) (
	SFUNC = @extschema@.payment_stats_accum,
	STYPE = @extschema@.payment_stats,
	COMBINEFUNC = @extschema@.payment_stats_combine,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.payment_stats_agg(numeric, date, date, date, date) IS
	'payment statistics (state form, for storing and combining) of invoices as of a date; paid_on NULL = still open';

CREATE AGGREGATE @extschema@.payment_stats_agg(amount numeric, issued_on date, due_on date,
	paid_on date, as_of date, open_amount numeric) (
	SFUNC = @extschema@.payment_stats_accum,
	STYPE = @extschema@.payment_stats,
	COMBINEFUNC = @extschema@.payment_stats_combine,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.payment_stats_agg(numeric, date, date, date, date, numeric) IS
	'payment statistics (state form) with each invoice''s open amount as of the date given';

CREATE AGGREGATE @extschema@.payment_behavior_agg(amount numeric, issued_on date, due_on date,
	paid_on date, as_of date) (
	SFUNC = @extschema@.payment_stats_accum,
	STYPE = @extschema@.payment_stats,
	FINALFUNC = @extschema@.payment_behavior,
	COMBINEFUNC = @extschema@.payment_stats_combine,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.payment_behavior_agg(numeric, date, date, date, date) IS
	'payment behaviour of invoices as of a date (paid_on NULL = still open): counts, balances, on-time ratios, days to pay, days beyond terms, PAYDEX-style index';

CREATE AGGREGATE @extschema@.payment_behavior_agg(amount numeric, issued_on date, due_on date,
	paid_on date, as_of date, open_amount numeric) (
	SFUNC = @extschema@.payment_stats_accum,
	STYPE = @extschema@.payment_stats,
	FINALFUNC = @extschema@.payment_behavior,
	COMBINEFUNC = @extschema@.payment_stats_combine,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.payment_behavior_agg(numeric, date, date, date, date, numeric) IS
	'payment behaviour of invoices with each one''s open amount as of the date given (partial payments)';

-- ---- src/sql/classes/profile.sql ----
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

-- ---- src/sql/classes/scorecard.sql ----
-- Scorecards: the policy that turns facts into a score and a grade.
-- Several may exist; the one marked active is used, else the shipped
-- 'default'.  Shipped rows are part of the extension and cannot be changed
-- (copy one with copy_scorecard() and edit the copy); rows users add are
-- dumped by pg_dump.

-- Bumped by every change of a policy: refresh() recomputes every customer
-- when the version differs from the one a profile was computed under.
CREATE SEQUENCE @extschema@.policy_version;
COMMENT ON SEQUENCE @extschema@.policy_version IS
	'bumped by every policy change; a changed version makes refresh() recompute all customers';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.policy_version', '');

CREATE TABLE @extschema@.scorecard (
	scorecard_id		text PRIMARY KEY,
	description			text NOT NULL DEFAULT '',
	w_scale				numeric NOT NULL,
	w_payment			numeric NOT NULL,
	w_stability			numeric NOT NULL,
	w_risk				numeric NOT NULL,
	cutoff_a			numeric NOT NULL,
	cutoff_b			numeric NOT NULL,
	cutoff_c			numeric NOT NULL,
	scale_full_revenue	numeric NOT NULL DEFAULT 1000000,
	scale_full_orders	integer NOT NULL DEFAULT 24,
	tenure_full_days	integer NOT NULL DEFAULT 1825,
	no_history_points	numeric NOT NULL DEFAULT 50,
	overdue_tolerance	numeric NOT NULL DEFAULT 0.25,
	risk_default_points	numeric NOT NULL DEFAULT 70,
	external_weight		numeric NOT NULL DEFAULT 0,
	external_max_age_days integer NOT NULL DEFAULT 365,
	active				boolean NOT NULL DEFAULT false,
	shipped				boolean NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX scorecard_one_active ON @extschema@.scorecard ((true)) WHERE active;

CREATE TABLE @extschema@.risk_factor (
	scorecard_id	text NOT NULL REFERENCES @extschema@.scorecard ON DELETE CASCADE,
	prefix			text NOT NULL,
	points			numeric NOT NULL,
	note			text NOT NULL DEFAULT '',
	shipped			boolean NOT NULL DEFAULT false,
	PRIMARY KEY (scorecard_id, prefix),
	CONSTRAINT risk_factor_prefix_valid
		CHECK (prefix ~ '^(industry|region)(\.[^.]+)*$'),
	CONSTRAINT risk_factor_points_range CHECK (points BETWEEN 0 AND 100)
);

-- Clear errors for a policy that cannot work.
CREATE FUNCTION @extschema@.scorecard_validate() RETURNS trigger
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	total numeric := NEW.w_scale + NEW.w_payment + NEW.w_stability + NEW.w_risk;
BEGIN
	-- numeric admits NaN and infinities: none of them is a usable setting
	IF 'NaN' = ANY (ARRAY[NEW.w_scale, NEW.w_payment, NEW.w_stability, NEW.w_risk, NEW.cutoff_a,
						  NEW.cutoff_b, NEW.cutoff_c, NEW.scale_full_revenue, NEW.no_history_points,
						  NEW.overdue_tolerance, NEW.risk_default_points, NEW.external_weight])
	   OR 'Infinity' = ANY (ARRAY[abs(NEW.w_scale), abs(NEW.w_payment), abs(NEW.w_stability), abs(NEW.w_risk),
							   abs(NEW.cutoff_a), abs(NEW.cutoff_b), abs(NEW.cutoff_c),
							   abs(NEW.scale_full_revenue), abs(NEW.no_history_points),
							   abs(NEW.overdue_tolerance), abs(NEW.risk_default_points),
							   abs(NEW.external_weight)]) THEN
		RAISE EXCEPTION 'scorecard "%": settings must be finite numbers', NEW.scorecard_id
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = 'NaN and Infinity are not accepted.';
	END IF;
	IF least(NEW.w_scale, NEW.w_payment, NEW.w_stability, NEW.w_risk) < 0 THEN
		RAISE EXCEPTION 'scorecard "%": weights must not be negative', NEW.scorecard_id
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF total <> 100 THEN
		RAISE EXCEPTION 'scorecard "%": weights must sum to 100', NEW.scorecard_id
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = format('scale %s + payment %s + stability %s + risk %s = %s.',
								  NEW.w_scale, NEW.w_payment, NEW.w_stability, NEW.w_risk, total);
	END IF;
	-- scoring is exact: weights in 1/10000, scores and cut-offs in hundredths
	IF NEW.w_scale <> round(NEW.w_scale, 4) OR NEW.w_payment <> round(NEW.w_payment, 4)
	   OR NEW.w_stability <> round(NEW.w_stability, 4) OR NEW.w_risk <> round(NEW.w_risk, 4)
	   OR NEW.external_weight <> round(NEW.external_weight, 4) THEN
		RAISE EXCEPTION 'scorecard "%": weights may have at most four decimals', NEW.scorecard_id
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF NEW.cutoff_a <> round(NEW.cutoff_a, 2) OR NEW.cutoff_b <> round(NEW.cutoff_b, 2)
	   OR NEW.cutoff_c <> round(NEW.cutoff_c, 2) THEN
		RAISE EXCEPTION 'scorecard "%": cut-offs may have at most two decimals', NEW.scorecard_id
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = 'Scores are compared with cut-offs in hundredths.';
	END IF;
	IF NOT (100 >= NEW.cutoff_a AND NEW.cutoff_a > NEW.cutoff_b
			AND NEW.cutoff_b > NEW.cutoff_c AND NEW.cutoff_c >= 0) THEN
		RAISE EXCEPTION 'scorecard "%": cut-offs must satisfy 100 >= A > B > C >= 0', NEW.scorecard_id
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = format('A %s, B %s, C %s.', NEW.cutoff_a, NEW.cutoff_b, NEW.cutoff_c);
	END IF;
	IF NEW.scale_full_revenue <= 0 OR NEW.scale_full_orders <= 0 OR NEW.tenure_full_days <= 0
	   OR NEW.overdue_tolerance <= 0 OR NEW.external_max_age_days <= 0 THEN
		RAISE EXCEPTION 'scorecard "%": scale_full_revenue, scale_full_orders, tenure_full_days, overdue_tolerance and external_max_age_days must be positive', NEW.scorecard_id
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF NEW.no_history_points NOT BETWEEN 0 AND 100 OR NEW.risk_default_points NOT BETWEEN 0 AND 100
	   OR NEW.external_weight NOT BETWEEN 0 AND 100 THEN
		RAISE EXCEPTION 'scorecard "%": no_history_points, risk_default_points and external_weight must be between 0 and 100', NEW.scorecard_id
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	RETURN NEW;
END
$$;

CREATE TRIGGER scorecard_validate BEFORE INSERT OR UPDATE ON @extschema@.scorecard
	FOR EACH ROW EXECUTE FUNCTION @extschema@.scorecard_validate();

-- Whether the install or update script of this extension is running.
CREATE FUNCTION @extschema@.in_extension_script() RETURNS boolean
	AS 'MODULE_PATHNAME', 'customer_class_in_extension_script'
	LANGUAGE C STABLE PARALLEL RESTRICTED;
COMMENT ON FUNCTION @extschema@.in_extension_script() IS
	'true while CREATE EXTENSION or ALTER EXTENSION UPDATE of customer_class runs its script (shipped rows may be written then only)';

-- Shipped rows come back with CREATE EXTENSION, so they are kept as shipped;
-- only the extension's own script may add one (they are left out of dumps).
-- On INSERT, OLD is NULL: only the last check applies.
CREATE FUNCTION @extschema@.protect_shipped_row() RETURNS trigger
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF OLD.shipped THEN
		RAISE EXCEPTION 'row of %.% is shipped with the extension and cannot be changed', TG_TABLE_SCHEMA, TG_TABLE_NAME
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'Insert a row of your own (for a scorecard: copy_scorecard(''default'', ''mine''), then edit and activate it).';
	END IF;
	IF TG_OP = 'DELETE' THEN
		RETURN OLD;
	END IF;
	IF NEW.shipped AND (TG_OP = 'UPDATE' OR NOT @extschema@.in_extension_script()) THEN
		RAISE EXCEPTION 'only the extension may mark rows of %.% as shipped', TG_TABLE_SCHEMA, TG_TABLE_NAME
			USING ERRCODE = 'insufficient_privilege';
	END IF;
	RETURN NEW;
END
$$;

-- Any policy change bumps the version (statement level: one bump per change).
CREATE FUNCTION @extschema@.bump_policy_version() RETURNS trigger
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM nextval('@extschema@.policy_version');
	RETURN NULL;
END
$$;

CREATE TRIGGER scorecard_protect_shipped BEFORE INSERT OR UPDATE OR DELETE ON @extschema@.scorecard
	FOR EACH ROW EXECUTE FUNCTION @extschema@.protect_shipped_row();
CREATE TRIGGER risk_factor_protect_shipped BEFORE INSERT OR UPDATE OR DELETE ON @extschema@.risk_factor
	FOR EACH ROW EXECUTE FUNCTION @extschema@.protect_shipped_row();
CREATE TRIGGER scorecard_policy_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.scorecard
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.bump_policy_version();
CREATE TRIGGER risk_factor_policy_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.risk_factor
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.bump_policy_version();

-- The shipped default: payment performance weighs most.
INSERT INTO @extschema@.scorecard
	(scorecard_id, description, w_scale, w_payment, w_stability, w_risk,
	 cutoff_a, cutoff_b, cutoff_c, shipped)
VALUES ('default', 'shipped default: payment 50, scale 20, stability 20, risk 10; A >= 78, B >= 66, C >= 40',
		20, 50, 20, 10, 78, 66, 40, true);

INSERT INTO @extschema@.risk_factor (scorecard_id, prefix, points, note, shipped) VALUES
	('default', 'industry', 70, 'any industry not listed', true),
	('default', 'industry.manufacturing', 70, '', true),
	('default', 'industry.technology', 70, '', true),
	('default', 'industry.services', 75, '', true),
	('default', 'industry.retail', 65, 'thin margins', true),
	('default', 'industry.wholesale', 65, 'thin margins', true),
	('default', 'industry.logistics', 65, '', true),
	('default', 'industry.construction', 45, 'long payment chains, project risk', true),
	('default', 'industry.real_estate', 40, 'cyclical, leveraged', true),
	('default', 'region', 70, 'any region not listed', true),
	('default', 'region.east', 75, '', true),
	('default', 'region.south', 75, '', true),
	('default', 'region.north', 70, '', true),
	('default', 'region.central', 65, '', true),
	('default', 'region.west', 65, '', true);

SELECT pg_catalog.pg_extension_config_dump('@extschema@.scorecard', 'WHERE NOT shipped');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.risk_factor', 'WHERE NOT shipped');

-- the scorecard in force: the active one, else the shipped default
CREATE FUNCTION @extschema@.active_scorecard() RETURNS @extschema@.scorecard
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT s FROM @extschema@.scorecard s
	WHERE s.active OR s.scorecard_id = 'default'
	ORDER BY s.active DESC
	LIMIT 1;
END;

-- copy a scorecard and its risk factors under a new name, to edit
CREATE FUNCTION @extschema@.copy_scorecard(source text, target text) RETURNS @extschema@.scorecard
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	card @extschema@.scorecard;
BEGIN
	SELECT * INTO card FROM @extschema@.scorecard WHERE scorecard_id = source;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'scorecard "%" does not exist', source
			USING ERRCODE = 'undefined_object';
	END IF;
	card.scorecard_id := target;
	card.description := 'copy of ' || source;
	card.active := false;
	card.shipped := false;
	INSERT INTO @extschema@.scorecard SELECT card.*;
	INSERT INTO @extschema@.risk_factor (scorecard_id, prefix, points, note)
	SELECT target, prefix, points, note FROM @extschema@.risk_factor WHERE scorecard_id = source;
	RETURN card;
END
$$;

-- make a scorecard the active one (at most one is: the unique index would
-- reject swapping in a single UPDATE); 'default' deactivates all others
CREATE FUNCTION @extschema@.activate_scorecard(scorecard_id text) RETURNS @extschema@.scorecard
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	target text := activate_scorecard.scorecard_id;
	card @extschema@.scorecard;
BEGIN
	SELECT * INTO card FROM @extschema@.scorecard s WHERE s.scorecard_id = target;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'scorecard "%" does not exist', target
			USING ERRCODE = 'undefined_object';
	END IF;
	UPDATE @extschema@.scorecard s SET active = false WHERE s.active AND s.scorecard_id <> target;
	IF NOT card.shipped AND NOT card.active THEN
		UPDATE @extschema@.scorecard s SET active = true WHERE s.scorecard_id = target
		RETURNING * INTO card;
	END IF;
	RETURN card;
END
$$;

REVOKE EXECUTE ON FUNCTION @extschema@.activate_scorecard(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.activate_scorecard(text) TO customer_class_admin;
REVOKE EXECUTE ON FUNCTION @extschema@.copy_scorecard(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.copy_scorecard(text, text) TO customer_class_admin;
GRANT SELECT ON @extschema@.scorecard, @extschema@.risk_factor TO customer_class_reader;
GRANT INSERT, UPDATE, DELETE ON @extschema@.scorecard, @extschema@.risk_factor TO customer_class_admin;
GRANT USAGE ON SEQUENCE @extschema@.policy_version TO customer_class_admin;
GRANT SELECT ON SEQUENCE @extschema@.policy_version TO customer_class_reader;

COMMENT ON TABLE @extschema@.scorecard IS
	'credit scorecards: dimension weights (sum 100), grade cut-offs and formula settings; one may be active';
COMMENT ON COLUMN @extschema@.scorecard.scorecard_id IS 'scorecard name';
COMMENT ON COLUMN @extschema@.scorecard.description IS 'what the scorecard is for';
COMMENT ON COLUMN @extschema@.scorecard.w_scale IS 'weight of transaction scale (weights sum to 100)';
COMMENT ON COLUMN @extschema@.scorecard.w_payment IS 'weight of payment performance';
COMMENT ON COLUMN @extschema@.scorecard.w_stability IS 'weight of relationship stability';
COMMENT ON COLUMN @extschema@.scorecard.w_risk IS 'weight of industry/region risk';
COMMENT ON COLUMN @extschema@.scorecard.cutoff_a IS 'lowest score graded A';
COMMENT ON COLUMN @extschema@.scorecard.cutoff_b IS 'lowest score graded B';
COMMENT ON COLUMN @extschema@.scorecard.cutoff_c IS 'lowest score graded C (below: D)';
COMMENT ON COLUMN @extschema@.scorecard.scale_full_revenue IS '12-month revenue that earns full revenue points';
COMMENT ON COLUMN @extschema@.scorecard.scale_full_orders IS '12-month order count that earns full order points';
COMMENT ON COLUMN @extschema@.scorecard.tenure_full_days IS 'tenure that earns full tenure points';
COMMENT ON COLUMN @extschema@.scorecard.no_history_points IS 'points for on-time ratio and payment index when nothing was paid yet';
COMMENT ON COLUMN @extschema@.scorecard.overdue_tolerance IS 'overdue balance, as a share of 12-month revenue, that costs all overdue points';
COMMENT ON COLUMN @extschema@.scorecard.risk_default_points IS 'risk points when no risk factor matches';
COMMENT ON COLUMN @extschema@.scorecard.external_weight IS 'weight 0-100 of a valid external score in the blend';
COMMENT ON COLUMN @extschema@.scorecard.external_max_age_days IS 'an external score older than this is ignored';
COMMENT ON COLUMN @extschema@.scorecard.active IS 'the scorecard in force (at most one; none: default)';
COMMENT ON COLUMN @extschema@.scorecard.shipped IS 'shipped with the extension (read-only)';

COMMENT ON TABLE @extschema@.risk_factor IS
	'risk points per industry or region tag prefix; the longest matching prefix applies';
COMMENT ON COLUMN @extschema@.risk_factor.scorecard_id IS 'scorecard';
COMMENT ON COLUMN @extschema@.risk_factor.prefix IS 'tag prefix: industry[.x] or region[.x[.y]]';
COMMENT ON COLUMN @extschema@.risk_factor.points IS 'points 0-100 (100 = lowest risk)';
COMMENT ON COLUMN @extschema@.risk_factor.note IS 'why';
COMMENT ON COLUMN @extschema@.risk_factor.shipped IS 'shipped with the extension (read-only)';

COMMENT ON FUNCTION @extschema@.scorecard_validate() IS 'trigger: rejects scorecards whose weights or cut-offs cannot work';
COMMENT ON FUNCTION @extschema@.protect_shipped_row() IS 'trigger: shipped policy rows are read-only';
COMMENT ON FUNCTION @extschema@.bump_policy_version() IS 'trigger: a policy changed, so the next refresh recomputes everyone';
COMMENT ON FUNCTION @extschema@.active_scorecard() IS 'the scorecard in force: the active one, else the shipped default';
COMMENT ON FUNCTION @extschema@.copy_scorecard(text, text) IS 'copy a scorecard and its risk factors under a new name';
COMMENT ON FUNCTION @extschema@.activate_scorecard(text) IS 'make a scorecard the one in force (deactivating the active one); the shipped default: deactivate all';

-- Errors that say what is accepted (checks/explain.sql): the WHEN clause is
-- true exactly when one of the table's CHECK constraints is false (a NULL
-- result passes a CHECK); keep it in step with the table's CHECKs.
CREATE TRIGGER risk_factor_explain_check BEFORE INSERT OR UPDATE ON @extschema@.risk_factor
	FOR EACH ROW WHEN ((NEW.prefix ~ '^(industry|region)(\.[^.]+)*$') IS FALSE
		OR (NEW.points BETWEEN 0 AND 100) IS FALSE)
	EXECUTE FUNCTION @extschema@.explain_check_violation();

-- ---- src/sql/classes/external_override.sql ----
-- Scores from outside (a rating agency's file, loaded with COPY) and manual
-- grade overrides.  Both are kept, never overwritten: the history of what
-- was believed when stays readable.  An override can only be ended early
-- (a shorter expires_on), and that is recorded in class_history.

CREATE TABLE @extschema@.external_score (
	customer_id		bigint NOT NULL,
	source			text NOT NULL,
	scored_on		date NOT NULL,
	score			numeric(5,2) NOT NULL,
	rating			text,
	imported_at		timestamptz NOT NULL DEFAULT pg_catalog.now(),
	PRIMARY KEY (customer_id, source, scored_on),
	CONSTRAINT external_score_range CHECK (score BETWEEN 0 AND 100),
	CONSTRAINT external_score_source_not_blank CHECK (btrim(source) <> '')
);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.external_score', '');

CREATE TABLE @extschema@.credit_override (
	override_id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	customer_id		bigint NOT NULL,
	grade			@extschema@.credit_grade NOT NULL,
	reason			text NOT NULL,
	set_by			name NOT NULL DEFAULT SESSION_USER,
	set_at			timestamptz NOT NULL DEFAULT pg_catalog.now(),
	valid_from		date NOT NULL DEFAULT @extschema@.as_of(),
	expires_on		date NOT NULL,
	CONSTRAINT credit_override_reason_given CHECK (btrim(reason) <> ''),
	CONSTRAINT credit_override_expires_after_start CHECK (expires_on > valid_from)
);
CREATE INDEX credit_override_customer_idx ON @extschema@.credit_override (customer_id, valid_from);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.credit_override', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.credit_override_override_id_seq', '');
COMMENT ON SEQUENCE @extschema@.credit_override_override_id_seq IS 'keys of credit_override (identity)';

-- Who set an override and when is recorded, not claimed: the trigger sets
-- them.  The one exception is a role that owns the table (the extension
-- owner, a superuser): pg_restore loads the dumped rows with COPY as such a
-- role, and must keep the recorded author and time.  Such a role could
-- disable the trigger anyway.
CREATE FUNCTION @extschema@.credit_override_guard() RETURNS trigger
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	owner boolean := pg_catalog.pg_has_role(
		(SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = TG_RELID), 'USAGE');
BEGIN
	IF TG_OP = 'INSERT' THEN
		IF NOT owner OR NEW.set_by IS NULL OR NEW.set_at IS NULL THEN
			NEW.set_by := SESSION_USER;
			NEW.set_at := pg_catalog.now();
		END IF;
		RETURN NEW;
	END IF;
	IF owner THEN
		RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
	END IF;
	IF TG_OP = 'DELETE' THEN
		RAISE EXCEPTION 'credit overrides are kept, not deleted'
			USING ERRCODE = 'insufficient_privilege',
				  HINT = 'To end override #' || OLD.override_id || ' early, set its expires_on to an earlier date.';
	END IF;
	-- an UPDATE may only end an override early
	IF (NEW.override_id, NEW.customer_id, NEW.grade, NEW.reason, NEW.set_by, NEW.set_at, NEW.valid_from)
		IS DISTINCT FROM
	   (OLD.override_id, OLD.customer_id, OLD.grade, OLD.reason, OLD.set_by, OLD.set_at, OLD.valid_from)
	   OR NEW.expires_on > OLD.expires_on THEN
		RAISE EXCEPTION 'credit override #% can only be ended early', OLD.override_id
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = 'An override is never rewritten: only an earlier expires_on is accepted.',
				  HINT = 'Insert a new override (the latest one set wins).';
	END IF;
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION @extschema@.credit_override_guard() IS
	'trigger: records who set an override and when, and lets an UPDATE only end it early (table owners, e.g. a restore, excepted)';
CREATE TRIGGER credit_override_guard BEFORE INSERT OR UPDATE OR DELETE ON @extschema@.credit_override
	FOR EACH ROW EXECUTE FUNCTION @extschema@.credit_override_guard();

-- Ending an override early lands in class_history (dimension
-- credit_override): who ended it, when, and the dates.  SECURITY DEFINER:
-- admins may not write history themselves.
CREATE FUNCTION @extschema@.credit_override_ended() RETURNS trigger
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	INSERT INTO @extschema@.class_history (customer_id, dimension, old_value, new_value, as_of, why)
	SELECT n.customer_id, 'credit_override',
		   pg_catalog.format('#%s %s until %s', o.override_id, o.grade, o.expires_on),
		   pg_catalog.format('#%s %s until %s', n.override_id, n.grade, n.expires_on),
		   @extschema@.as_of(),
		   pg_catalog.format('override #%s %s by %s', n.override_id,
							 CASE WHEN n.expires_on < o.expires_on THEN 'ended early' ELSE 'extended' END,
							 SESSION_USER)
	FROM new_rows n JOIN old_rows o USING (override_id)
	WHERE n.expires_on IS DISTINCT FROM o.expires_on;
	RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.credit_override_ended() FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.credit_override_ended() IS
	'statement trigger: records in class_history every override ended early';
CREATE TRIGGER credit_override_ended AFTER UPDATE ON @extschema@.credit_override
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.credit_override_ended();

GRANT SELECT ON @extschema@.external_score, @extschema@.credit_override TO customer_class_reader;
GRANT INSERT, UPDATE, DELETE ON @extschema@.external_score TO customer_class_admin;
-- overrides: added, and ended early (expires_on), never rewritten
GRANT INSERT, UPDATE (expires_on) ON @extschema@.credit_override TO customer_class_admin;

COMMENT ON TABLE @extschema@.external_score IS
	'scores imported from outside (e.g. a rating agency file via COPY); the latest valid one is blended in';
COMMENT ON COLUMN @extschema@.external_score.customer_id IS 'customer';
COMMENT ON COLUMN @extschema@.external_score.source IS 'who scored (agency, bureau, ...)';
COMMENT ON COLUMN @extschema@.external_score.scored_on IS 'date of the score';
COMMENT ON COLUMN @extschema@.external_score.score IS 'score on our 0-100 scale';
COMMENT ON COLUMN @extschema@.external_score.rating IS 'the source''s own rating text, for reference';
COMMENT ON COLUMN @extschema@.external_score.imported_at IS 'when it was loaded';

COMMENT ON TABLE @extschema@.credit_override IS
	'manual grade overrides with reason, author and expiry; after expiry the computed grade returns';
COMMENT ON COLUMN @extschema@.credit_override.override_id IS 'override key';
COMMENT ON COLUMN @extschema@.credit_override.customer_id IS 'customer';
COMMENT ON COLUMN @extschema@.credit_override.grade IS 'grade imposed';
COMMENT ON COLUMN @extschema@.credit_override.reason IS 'why (required)';
COMMENT ON COLUMN @extschema@.credit_override.set_by IS 'who set it (the session user, set by the trigger)';
COMMENT ON COLUMN @extschema@.credit_override.set_at IS 'when it was set (set by the trigger)';
COMMENT ON COLUMN @extschema@.credit_override.valid_from IS 'first as-of date it applies to (default as_of())';
COMMENT ON COLUMN @extschema@.credit_override.expires_on IS 'first as-of date it no longer applies to; may only be moved earlier (ending the override early)';

-- Errors that say what is accepted (checks/explain.sql): the WHEN clause is
-- true exactly when one of the table's CHECK constraints is false (a NULL
-- result passes a CHECK); keep it in step with the table's CHECKs.
CREATE TRIGGER external_score_explain_check BEFORE INSERT OR UPDATE ON @extschema@.external_score
	FOR EACH ROW WHEN ((NEW.score BETWEEN 0 AND 100) IS FALSE OR (btrim(NEW.source) <> '') IS FALSE)
	EXECUTE FUNCTION @extschema@.explain_check_violation();
CREATE TRIGGER credit_override_explain_check BEFORE INSERT OR UPDATE ON @extschema@.credit_override
	FOR EACH ROW WHEN ((btrim(NEW.reason) <> '') IS FALSE OR (NEW.expires_on > NEW.valid_from) IS FALSE)
	EXECUTE FUNCTION @extschema@.explain_check_violation();

-- ---- src/sql/facts/facts.sql ----
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

-- Risk points for every distinct industry and region: the longest matching
-- risk_factor prefix of the scorecard.
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

-- What one customer's transactions say, from credit_facts_agg.
CREATE TYPE @extschema@.txn_facts AS (
	revenue_12m		numeric,
	orders_12m		integer,
	order_months	integer,
	invoices		integer,
	invoices_paid	integer,
	on_time_ratio	numeric,
	days_beyond_terms numeric,
	payment_index	numeric,
	recent_payment_index numeric,
	open_balance	numeric,
	overdue_balance	numeric,
	defaults		integer,
	first_issued	date,
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

-- credit_facts(as_of, scorecard_id, customers, from_customer, to_customer):
-- the facts of every customer, of those listed, or of those with
-- from_customer <= customer_id < to_customer (NULL: unbounded).  A SQL
-- function the planner inlines, so the filters reach the index scans.
--
-- The three sources form one UNION ALL whose branches have no WHERE of their
-- own and the same column types: only then does the planner flatten it into
-- an append of the tables themselves, which can be read in customer_id order
-- (a merge of the (customer_id, date) indexes) and aggregated one customer at
-- a time, in constant memory.  The filters stand outside, and reach every
-- branch.  refresh() cuts a full run into customer_id ranges, so that
-- parallel workers take whole ranges (see refresh_rows_query).
CREATE FUNCTION @extschema@.credit_facts(as_of date, scorecard_id text, customers bigint[] DEFAULT NULL,
										 from_customer bigint DEFAULT NULL, to_customer bigint DEFAULT NULL)
	RETURNS TABLE (customer_id bigint, facts @extschema@.credit_facts)
	LANGUAGE sql STABLE PARALLEL SAFE
AS $$
	WITH card AS (
		SELECT s.external_max_age_days FROM @extschema@.scorecard s WHERE s.scorecard_id = $2
	),
	txn AS (
		SELECT t.customer_id, @extschema@.credit_facts_agg(t.kind, t.invoice_id, t.amount, t.d1, t.d2, $1) AS f
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
		WHERE t.d1 <= $1 AND NOT t.cancelled
		  AND ($3 IS NULL OR t.customer_id = ANY ($3))
		  AND ($4 IS NULL OR t.customer_id >= $4) AND ($5 IS NULL OR t.customer_id < $5)
		GROUP BY t.customer_id
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
	LEFT JOIN txn t ON t.customer_id = c.customer_id
	LEFT JOIN ext ON ext.customer_id = c.customer_id
	-- the longest matching risk prefix, looked up once per distinct value
	-- among the customers asked for (only those are read)
	-- (GROUP BY, not DISTINCT in a subquery: a grouped subquery is not
	-- pulled up, so the lookup runs once per group, not once per customer)
	LEFT JOIN (SELECT s.industry, @extschema@.risk_points($2, 'industry.' || s.industry) AS points
			   FROM @extschema@.src_customer s
			   WHERE ($3 IS NULL OR s.customer_id = ANY ($3))
				 AND ($4 IS NULL OR s.customer_id >= $4) AND ($5 IS NULL OR s.customer_id < $5)
			   GROUP BY s.industry) ind
		ON ind.industry = c.industry
	LEFT JOIN (SELECT s.region, @extschema@.risk_points($2, 'region.' || s.region) AS points
			   FROM @extschema@.src_customer s
			   WHERE ($3 IS NULL OR s.customer_id = ANY ($3))
				 AND ($4 IS NULL OR s.customer_id >= $4) AND ($5 IS NULL OR s.customer_id < $5)
			   GROUP BY s.region) reg
		ON reg.region = c.region
	WHERE ($3 IS NULL OR c.customer_id = ANY ($3))
	  AND ($4 IS NULL OR c.customer_id >= $4) AND ($5 IS NULL OR c.customer_id < $5)
$$;
COMMENT ON FUNCTION @extschema@.credit_facts(date, text, bigint[], bigint, bigint) IS
	'per-customer credit facts as of a date under a scorecard (risk factors, external score age): all customers, those listed, or those with from_customer <= customer_id < to_customer';

-- ---- src/sql/classes/lifecycle.sql ----
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

-- ---- src/sql/classes/score.sql ----
-- Scoring: facts + scorecard -> dimension points, score and grade, in C.

CREATE TYPE @extschema@.credit_result AS (
	scale_points	numeric,
	payment_points	numeric,
	stability_points numeric,
	risk_points		numeric,
	internal_score	numeric,
	score			numeric,
	grade			@extschema@.credit_grade,
	scale_contribution numeric,
	payment_contribution numeric,
	stability_contribution numeric,
	risk_contribution numeric,
	external_contribution numeric
);
COMMENT ON TYPE @extschema@.credit_result IS
	'a credit score: points per dimension (0-100, hundredths), the weighted internal score, the score after blending an external one (the exact weighted sum rounded once, half away from zero), the grade, and the contribution of each dimension and of the external score (NULL when none is blended), which add up to the score exactly';

CREATE FUNCTION @extschema@.credit_score(facts @extschema@.credit_facts, card @extschema@.scorecard)
	RETURNS @extschema@.credit_result
	AS 'MODULE_PATHNAME', 'credit_score_compute'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.credit_score(@extschema@.credit_facts, @extschema@.scorecard) IS
	'score credit facts under a scorecard: dimension points, score and grade (formulas in docs/scoring.md)';

-- ---- src/sql/refresh/queue.sql ----
-- Keeping profiles current.  Writes to the sources mark their customers
-- dirty (a cheap statement-level trigger); refresh() recomputes the dirty
-- customers, or everyone when the as-of date or the policy changed, and
-- records every change of class in class_history.

-- An append-only queue, no unique key: marking never waits on a refresh
-- that is consuming the queue, and duplicates cost nothing.
CREATE TABLE @extschema@.dirty (
	customer_id		bigint NOT NULL,
	marked_at		timestamptz NOT NULL DEFAULT pg_catalog.now()
);
-- Dumped as it is: a restore loads the managed tables before their
-- triggers exist (they are the user's tables, see sources/user_data.sql), so it
-- queues nothing by itself, and the customers still waiting at the dump
-- must still be waiting after it.
SELECT pg_catalog.pg_extension_config_dump('@extschema@.dirty', '');
GRANT SELECT ON @extschema@.dirty TO customer_class_reader;
COMMENT ON TABLE @extschema@.dirty IS
	'customers whose source rows changed since the last refresh (a queue refresh() consumes)';
COMMENT ON COLUMN @extschema@.dirty.customer_id IS 'customer to recompute';
COMMENT ON COLUMN @extschema@.dirty.marked_at IS 'when the change was seen';

-- SECURITY DEFINER so that any role allowed to write invoices, payments or
-- orders marks the customer without write access to the queue itself; it
-- only copies customer ids out of the transition tables.
CREATE FUNCTION @extschema@.mark_dirty() RETURNS trigger
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
REVOKE EXECUTE ON FUNCTION @extschema@.mark_dirty() FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.mark_dirty() IS
	'statement trigger: queues the customers of the changed rows for the next refresh()';

-- A TRUNCATE has no transition table to name its customers: it makes the
-- next refresh() a full one instead, by bumping the policy version.
-- SECURITY DEFINER: whoever may truncate a source need not use the sequence.
CREATE FUNCTION @extschema@.mark_all_dirty() RETURNS trigger
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM pg_catalog.nextval('@extschema@.policy_version');
	RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.mark_all_dirty() FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.mark_all_dirty() IS
	'statement trigger on TRUNCATE of a source: the next refresh() recomputes every customer';

-- The triggers that call them: sources/triggers.sql (the managed tables),
-- classes/triggers.sql (external_score, credit_override) and
-- credit/triggers.sql (external_event).

-- ---- src/sql/classes/explain.sql ----
-- Explanations of scores and grade migrations over time (customer_profile,
-- the view over all classes, is in views/customer_profile.sql: it also shows
-- credit and receivables figures defined after this file).

-- "Why is this customer C?": the score's parts, computed now from the
-- sources as of a date under the scorecard in force.  The date defaults to
-- the as-of date of the customer's profile (so that the explanation is of
-- the grade customer_profile shows), else as_of().  The contributions are
-- credit_score()'s own: they add up to the score exactly.
CREATE FUNCTION @extschema@.explain_score(customer_id bigint, as_of date DEFAULT NULL)
	RETURNS TABLE (step integer, dimension text, label_en text, label_zh text, inputs text,
				   points numeric, weight numeric, contribution numeric)
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d date := coalesce(explain_score.as_of,
					   (SELECT p.as_of FROM @extschema@.profile p
						WHERE p.customer_id = explain_score.customer_id),
					   @extschema@.as_of());
	card @extschema@.scorecard := @extschema@.active_scorecard();
	f @extschema@.credit_facts;
	r @extschema@.credit_result;
	o record;
	keep numeric;
BEGIN
	SELECT (cf.facts).* INTO f FROM @extschema@.credit_facts(d, card.scorecard_id, ARRAY[explain_score.customer_id]) cf;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'customer % does not exist', explain_score.customer_id
			USING ERRCODE = 'no_data_found';
	END IF;
	r := @extschema@.credit_score(f, card);
	-- the dimensions' share when an external score is blended in
	keep := CASE WHEN r.external_contribution IS NULL THEN 100 ELSE 100 - card.external_weight END;

	RETURN QUERY
	SELECT x.step, x.dimension, x.label_en, x.label_zh, x.inputs, x.points,
		   pg_catalog.trim_scale(x.weight * keep / 100), x.contribution
	FROM (VALUES
		(1, 'scale', 'transaction scale', '交易规模',
		 format('revenue 12m %s, orders 12m %s', f.revenue_12m, f.orders_12m),
		 r.scale_points, card.w_scale, r.scale_contribution),
		(2, 'payment', 'payment performance', '付款表现',
		 format('on-time %s, days beyond terms %s, payment index %s (last 90 days %s), overdue %s, defaults %s',
				coalesce(round(f.on_time_ratio * 100, 1) || '%', 'n/a'),
				coalesce(f.days_beyond_terms::text, 'n/a'), coalesce(f.payment_index::text, 'n/a'),
				coalesce(f.recent_payment_index::text, 'n/a'),
				f.overdue_balance, f.defaults),
		 r.payment_points, card.w_payment, r.payment_contribution),
		(3, 'stability', 'relationship stability', '合作稳定性',
		 format('tenure %s days, months with orders %s of 12', f.tenure_days,
				length(replace((f.order_months & 4095)::bit(12)::text, '0', ''))),
		 r.stability_points, card.w_stability, r.stability_contribution),
		(4, 'risk', 'industry and region risk', '行业与地区风险',
		 format('industry %s, region %s', f.industry_points, f.region_points),
		 r.risk_points, card.w_risk, r.risk_contribution)
	) AS x (step, dimension, label_en, label_zh, inputs, points, weight, contribution);

	IF r.external_contribution IS NOT NULL THEN
		RETURN QUERY SELECT 5, 'external'::text, 'external score'::text, '外部评分'::text,
			'latest valid external score'::text, f.external_score, card.external_weight,
			r.external_contribution;
	END IF;

	RETURN QUERY SELECT 6, 'score'::text, 'credit score'::text, '信用评分'::text,
		format('cut-offs A >= %s, B >= %s, C >= %s (scorecard %s)',
			   card.cutoff_a, card.cutoff_b, card.cutoff_c, card.scorecard_id),
		r.score, 100::numeric, r.score;

	SELECT co.override_id, co.grade, co.reason, co.set_by, co.expires_on INTO o
	FROM @extschema@.credit_override co
	WHERE co.customer_id = explain_score.customer_id AND co.valid_from <= d AND d < co.expires_on
	ORDER BY co.set_at DESC, co.override_id DESC LIMIT 1;

	-- an unreviewed external negative event caps the grade (as refresh() does)
	RETURN QUERY SELECT 7, 'grade'::text, 'credit grade'::text, '信用等级'::text,
		CASE WHEN o.override_id IS NOT NULL THEN format('computed %s, overridden to %s by %s until %s: %s',
														r.grade, o.grade, o.set_by, o.expires_on, o.reason)
			 WHEN c.cap > r.grade THEN format('computed %s, capped at %s: external negative event not yet reviewed (rule.external_event)',
											  r.grade, c.cap)
			 ELSE format('computed %s', r.grade) END,
		NULL::numeric, NULL::numeric, NULL::numeric
	FROM (SELECT @extschema@.credit_event_cap(explain_score.customer_id, d) AS cap) c;
END
$$;
COMMENT ON FUNCTION @extschema@.explain_score(bigint, date) IS
	'why a customer has its score and grade, as of a date (default: the as-of date of its profile, else as_of()): one row per dimension (inputs, points, effective weight, contribution; the contributions add up to the score), the score and the grade, with English and Chinese labels';

-- How many customers moved from each grade to each other grade between two
-- dates, from class_history (NULL from_grade: not yet graded at from_date;
-- NULL to_grade: gone by to_date).  Sound because refresh() never writes
-- into the past of the history (it refuses an as-of date before the
-- profiles').
CREATE FUNCTION @extschema@.grade_migration(from_date date, to_date date)
	RETURNS TABLE (from_grade @extschema@.credit_grade, to_grade @extschema@.credit_grade, customers bigint)
	LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF from_date > to_date THEN
		RAISE EXCEPTION 'grade_migration: from_date % is after to_date %', from_date, to_date
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Give the earlier date first.';
	END IF;
	RETURN QUERY
	WITH at_from AS (
		SELECT DISTINCT ON (h.customer_id) h.customer_id, h.new_value
		FROM @extschema@.class_history h
		WHERE h.dimension = 'credit_grade' AND h.as_of <= from_date
		ORDER BY h.customer_id, h.as_of DESC, h.history_id DESC
	), at_to AS (
		SELECT DISTINCT ON (h.customer_id) h.customer_id, h.new_value
		FROM @extschema@.class_history h
		WHERE h.dimension = 'credit_grade' AND h.as_of <= to_date
		ORDER BY h.customer_id, h.as_of DESC, h.history_id DESC
	)
	SELECT f.new_value::@extschema@.credit_grade, t.new_value::@extschema@.credit_grade, count(*)
	FROM at_from f FULL JOIN at_to t USING (customer_id)
	WHERE f.new_value IS NOT NULL OR t.new_value IS NOT NULL
	GROUP BY 1, 2
	ORDER BY 1 NULLS FIRST, 2 NULLS LAST;
END
$$;
COMMENT ON FUNCTION @extschema@.grade_migration(date, date) IS
	'grade migration matrix between two dates from class_history: customers per (grade at from_date, grade at to_date); from_date after to_date is an error (22023)';

-- The migration between the two latest as-of dates at which grades changed
-- (usually the last two refreshes that moved anyone).
CREATE VIEW @extschema@.grade_migration_latest WITH (security_invoker = true) AS
	SELECT d.from_date, d.to_date, m.from_grade, m.to_grade, m.customers
	FROM (SELECT min(x.as_of) AS from_date, max(x.as_of) AS to_date
		  FROM (SELECT DISTINCT h.as_of FROM @extschema@.class_history h
				WHERE h.dimension = 'credit_grade'
				ORDER BY h.as_of DESC LIMIT 2) x
		  HAVING count(*) = 2) d
	CROSS JOIN LATERAL @extschema@.grade_migration(d.from_date, d.to_date) m;
GRANT SELECT ON @extschema@.grade_migration_latest TO customer_class_reader;
COMMENT ON VIEW @extschema@.grade_migration_latest IS
	'grade migration between the two latest as-of dates at which any grade changed (class_history); empty before there are two';
COMMENT ON COLUMN @extschema@.grade_migration_latest.from_date IS 'the earlier as-of date';
COMMENT ON COLUMN @extschema@.grade_migration_latest.to_date IS 'the later as-of date';
COMMENT ON COLUMN @extschema@.grade_migration_latest.from_grade IS 'grade at from_date (NULL: not yet graded)';
COMMENT ON COLUMN @extschema@.grade_migration_latest.to_grade IS 'grade at to_date (NULL: gone from the sources)';
COMMENT ON COLUMN @extschema@.grade_migration_latest.customers IS 'customers who moved so';

-- ---- src/sql/tags/rules.sql ----
-- Rule-based tags: an admin writes a tag and a condition over the columns of
-- rule_subject; refresh() gives the tag to every customer the condition holds
-- for, in profile.rule_tags (apart from the manual customer.tags), and records
-- each tag gained or lost in class_history.  Conditions are validated and
-- normalised in C (src/tag_rule.c): they may compute over the rule_subject
-- row and nothing else, because refresh() runs them with the privileges of
-- whoever runs refresh().  See docs/rules.md.

-- What a condition can see: one row per profiled customer.
CREATE VIEW @extschema@.rule_subject WITH (security_invoker = true) AS
	SELECT c.customer_id, c.name, c.customer_type, c.industry, c.region, c.size_class,
		   c.payment_terms_days, c.credit_limit, c.created_on, c.tags,
		   p.as_of, p.credit_score, p.credit_grade, p.lifecycle_stage, p.lifecycle_phase,
		   p.behaviour_segment, p.rfm_r, p.rfm_f, p.rfm_m, p.rfm_segment,
		   p.first_order_on, p.last_order_on, p.orders_12m, p.revenue_12m,
		   p.open_balance, p.overdue_balance, p.overdue_invoices, p.payment_index,
		   p.days_beyond_terms, p.payment_warning
	FROM @extschema@.src_customer c
	JOIN @extschema@.profile p ON p.customer_id = c.customer_id;

GRANT SELECT ON @extschema@.rule_subject TO customer_class_reader;
COMMENT ON VIEW @extschema@.rule_subject IS
	'what a tag rule condition can see: one row per profiled customer, its source attributes and its classes as of the last refresh';
COMMENT ON COLUMN @extschema@.rule_subject.customer_id IS 'customer key';
COMMENT ON COLUMN @extschema@.rule_subject.name IS 'customer name';
COMMENT ON COLUMN @extschema@.rule_subject.customer_type IS 'enterprise or individual';
COMMENT ON COLUMN @extschema@.rule_subject.industry IS 'industry code';
COMMENT ON COLUMN @extschema@.rule_subject.region IS 'region as a dotted path';
COMMENT ON COLUMN @extschema@.rule_subject.size_class IS 'micro, small, medium or large';
COMMENT ON COLUMN @extschema@.rule_subject.payment_terms_days IS 'agreed payment terms in days';
COMMENT ON COLUMN @extschema@.rule_subject.credit_limit IS 'own credit limit; NULL = grade default';
COMMENT ON COLUMN @extschema@.rule_subject.created_on IS 'date the customer was opened';
COMMENT ON COLUMN @extschema@.rule_subject.tags IS 'the manual tags (tagset); rule tags are not visible to rules';
COMMENT ON COLUMN @extschema@.rule_subject.as_of IS 'the as-of date of the refresh: compare dates with it';
COMMENT ON COLUMN @extschema@.rule_subject.credit_score IS 'credit score 0-100';
COMMENT ON COLUMN @extschema@.rule_subject.credit_grade IS 'credit grade in force (enum A < B < C < D, A best)';
COMMENT ON COLUMN @extschema@.rule_subject.lifecycle_stage IS 'lifecycle stage (enum): potential, new, active, reactivated, dormant, churned';
COMMENT ON COLUMN @extschema@.rule_subject.lifecycle_phase IS 'revenue phase (enum): introduction, growth, maturity, decline; NULL: no order yet';
COMMENT ON COLUMN @extschema@.rule_subject.behaviour_segment IS 'behaviour segment (enum)';
COMMENT ON COLUMN @extschema@.rule_subject.rfm_r IS 'RFM recency score 1-5 (5 = most recent)';
COMMENT ON COLUMN @extschema@.rule_subject.rfm_f IS 'RFM frequency score 1-5';
COMMENT ON COLUMN @extschema@.rule_subject.rfm_m IS 'RFM monetary score 1-5';
COMMENT ON COLUMN @extschema@.rule_subject.rfm_segment IS 'named RFM segment (enum); NULL: no order yet';
COMMENT ON COLUMN @extschema@.rule_subject.first_order_on IS 'first (non-cancelled) order by as_of';
COMMENT ON COLUMN @extschema@.rule_subject.last_order_on IS 'last (non-cancelled) order by as_of';
COMMENT ON COLUMN @extschema@.rule_subject.orders_12m IS 'orders in the 365 days up to as_of';
COMMENT ON COLUMN @extschema@.rule_subject.revenue_12m IS 'invoiced in the 365 days up to as_of';
COMMENT ON COLUMN @extschema@.rule_subject.open_balance IS 'open receivables as of as_of';
COMMENT ON COLUMN @extschema@.rule_subject.overdue_balance IS 'open amount of invoices past due as of as_of';
COMMENT ON COLUMN @extschema@.rule_subject.overdue_invoices IS 'open invoices past due as of as_of';
COMMENT ON COLUMN @extschema@.rule_subject.payment_index IS 'PAYDEX-style payment index 20-100 (NULL below 3 paid invoices)';
COMMENT ON COLUMN @extschema@.rule_subject.days_beyond_terms IS 'amount-weighted days beyond terms of paid invoices (negative: early)';
COMMENT ON COLUMN @extschema@.rule_subject.payment_warning IS 'payment-rhythm warning (alert_level yellow or red; NULL: none), see docs/warnings.md';

-- Validation and normalisation of a condition (src/tag_rule.c).  STABLE: the
-- result depends on the catalogs.  PARALLEL UNSAFE: it sets search_path for
-- the duration of the call, which is refused in parallel mode.
CREATE FUNCTION @extschema@.tag_rule_normalize(condition text) RETURNS text
	AS 'MODULE_PATHNAME', 'tag_rule_normalize'
	LANGUAGE C STABLE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@.tag_rule_normalize(text) IS
	'validates a tag rule condition over rule_subject (a boolean expression of its columns, constants, immutable built-in functions and operators, the extension''s functions and current_date) and returns it normalised and schema-qualified; errors otherwise';

CREATE TABLE @extschema@.tag_rule (
	rule_id			bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	tag				text NOT NULL,
	condition		text NOT NULL,
	condition_sql	text NOT NULL,
	description		text,
	enabled			boolean NOT NULL DEFAULT true,
	created_by		name NOT NULL DEFAULT CURRENT_USER,
	created_at		timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at		timestamptz NOT NULL DEFAULT pg_catalog.now(),
	-- written by refresh() (apply_tag_rules), not by the author
	last_error		text,
	last_error_sqlstate text,
	last_error_at	timestamptz
);

-- A rule may not give a tag of an exclusive dimension (industry, region,
-- size, ...).  Such a tag is a fact kept on the customer (customer.tags),
-- one per customer; a rule tag comes on top of the customer's own tags in
-- all_tags, so it could only ever be a second one, or stand in for a fact
-- nobody recorded.  Rules give their own tags (watch.*, review.*) instead.
-- tag_dimension_rule_check keeps it so when a dimension becomes exclusive.
CREATE FUNCTION @extschema@.check_rule_tag(tag text) RETURNS void
	LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	dim text := @extschema@.exclusive_dimension_of(tag);
BEGIN
	IF dim IS NOT NULL THEN
		RAISE EXCEPTION 'a tag rule cannot give tag "%" of exclusive dimension "%"', tag, dim
			USING ERRCODE = 'check_violation',
				  DETAIL = format('A customer holds at most one tag of "%s", set on the customer (customer.tags); a rule tag would be a second one.', dim),
				  HINT = 'Give the rule a tag of its own dimension (such as watch.collection), or make the dimension not exclusive first.';
	END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.check_rule_tag(text) IS
	'raises check_violation (23514) when a tag rule''s tag lies in an exclusive dimension: those tags are kept on the customer only';

-- BEFORE trigger: the tag must be one valid tag, the condition a valid one;
-- condition_sql is always derived here, whatever the writer put there.
-- Attribution cannot be forged: on INSERT created_by is the inserting role
-- and the timestamps are now(), on UPDATE created_by and created_at stay.
-- Superusers are exempt, because a restore (pg_restore of a dump, which
-- needs a superuser for this extension) writes the rows back with COPY and
-- must keep their authors; a superuser can change any row anyway.
-- The trigger fires for every column but the last_error ones, which
-- refresh() writes (and the author does not).
CREATE FUNCTION @extschema@.tag_rule_check() RETURNS trigger
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	trusted boolean := coalesce((SELECT r.rolsuper FROM pg_catalog.pg_roles r
								 WHERE r.rolname = current_user), false);
BEGIN
	IF NEW.tag IS NOT NULL THEN
		-- the tag grammar's own errors (22P02 and friends)
		PERFORM @extschema@.tagset(ARRAY[NEW.tag]);
		PERFORM @extschema@.check_rule_tag(NEW.tag);
	END IF;
	IF NEW.condition IS NOT NULL THEN
		NEW.condition_sql := @extschema@.tag_rule_normalize(NEW.condition);
	END IF;
	IF TG_OP = 'INSERT' THEN
		-- a restore (superuser) keeps the dumped values
		IF NOT trusted THEN
			NEW.created_by := current_user;
			NEW.created_at := pg_catalog.now();
			NEW.updated_at := pg_catalog.now();
			NEW.last_error := NULL;
			NEW.last_error_sqlstate := NULL;
			NEW.last_error_at := NULL;
		END IF;
	ELSE
		IF NOT trusted THEN
			NEW.created_by := OLD.created_by;
			NEW.created_at := OLD.created_at;
		END IF;
		NEW.updated_at := pg_catalog.now();
		-- a changed rule has not failed yet
		IF (NEW.tag, NEW.condition) IS DISTINCT FROM (OLD.tag, OLD.condition) THEN
			NEW.last_error := NULL;
			NEW.last_error_sqlstate := NULL;
			NEW.last_error_at := NULL;
		END IF;
	END IF;
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION @extschema@.tag_rule_check() IS
	'trigger: validates a tag rule''s tag and condition, stores the normalised condition in condition_sql and keeps created_by/created_at truthful';

CREATE TRIGGER tag_rule_check
	BEFORE INSERT OR UPDATE OF rule_id, tag, condition, condition_sql, description, enabled,
		created_by, created_at, updated_at
	ON @extschema@.tag_rule
	FOR EACH ROW EXECUTE FUNCTION @extschema@.tag_rule_check();
-- any change of rules: the next refresh() recomputes everyone (refresh()
-- recording an error in the last_error columns is no change of rules)
CREATE TRIGGER tag_rule_policy_version
	AFTER INSERT OR UPDATE OF rule_id, tag, condition, condition_sql, description, enabled,
		created_by, created_at, updated_at OR DELETE OR TRUNCATE
	ON @extschema@.tag_rule
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.bump_policy_version();

-- trigger on tag_dimension: a dimension cannot become exclusive while a
-- rule gives one of its tags, or a customer still holds one as a rule tag
-- (of a rule deleted since the last refresh).  Rule writes in flight are
-- waited for and new ones held off until this transaction ends, as
-- tag_dimension_check does for customer writes.
CREATE FUNCTION @extschema@.tag_dimension_rule_check() RETURNS trigger
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	r record;
BEGIN
	LOCK TABLE @extschema@.tag_rule IN SHARE ROW EXCLUSIVE MODE;
	SELECT t.rule_id, t.tag INTO r
	FROM @extschema@.tag_rule t
	WHERE t.tag = NEW.dimension OR starts_with(t.tag, NEW.dimension || '.')
	ORDER BY t.rule_id
	LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'dimension "%" cannot be exclusive: tag rule #% gives its tag "%"',
			NEW.dimension, r.rule_id, r.tag
			USING ERRCODE = 'check_violation',
				  DETAIL = 'Tags of an exclusive dimension are kept on the customer only; a rule tag would be a second one.',
				  HINT = 'Give the rule another tag, or delete it, first.';
	END IF;
	SELECT p.customer_id, t.tag INTO r
	FROM @extschema@.profile p
	CROSS JOIN LATERAL @extschema@.tags(p.rule_tags) AS t (tag)
	WHERE p.rule_tags OPERATOR(@extschema@.<>) '{}'::@extschema@.tagset
	  AND (t.tag = NEW.dimension OR starts_with(t.tag, NEW.dimension || '.'))
	ORDER BY p.customer_id
	LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'dimension "%" cannot be exclusive: customer % still holds rule tag "%"',
			NEW.dimension, r.customer_id, r.tag
			USING ERRCODE = 'check_violation',
				  DETAIL = 'The rule that gave it is gone or changed, but no refresh has removed the tag yet.',
				  HINT = 'Run customer_class.refresh() first.';
	END IF;
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION @extschema@.tag_dimension_rule_check() IS
	'trigger: a dimension can become exclusive only when no tag rule gives, and no customer holds as a rule tag, one of its tags (locks tag_rule against concurrent writes)';
-- its trigger on tag_dimension: tags/triggers.sql

SELECT pg_catalog.pg_extension_config_dump('@extschema@.tag_rule', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.tag_rule_rule_id_seq', '');

GRANT SELECT ON @extschema@.tag_rule TO customer_class_reader;
GRANT INSERT, UPDATE, DELETE ON @extschema@.tag_rule TO customer_class_admin;
GRANT USAGE ON SEQUENCE @extschema@.tag_rule_rule_id_seq TO customer_class_admin;
-- refresh() runs as an analyst and records a failing rule's error
GRANT UPDATE (last_error, last_error_sqlstate, last_error_at) ON @extschema@.tag_rule
	TO customer_class_analyst;

COMMENT ON TABLE @extschema@.tag_rule IS
	'rules that give tags: refresh() gives tag to every customer whose rule_subject row satisfies condition (rule tags, kept apart from manual tags)';
COMMENT ON COLUMN @extschema@.tag_rule.rule_id IS 'rule key';
COMMENT ON COLUMN @extschema@.tag_rule.tag IS 'the tag the rule gives (one valid tag, e.g. watch.collection)';
COMMENT ON COLUMN @extschema@.tag_rule.condition IS 'the condition as written: a boolean expression over the columns of rule_subject';
COMMENT ON COLUMN @extschema@.tag_rule.condition_sql IS 'the condition validated, normalised and schema-qualified (set by the trigger); what refresh() evaluates';
COMMENT ON COLUMN @extschema@.tag_rule.description IS 'what the rule is for (shown in class_history)';
COMMENT ON COLUMN @extschema@.tag_rule.enabled IS 'false: the rule gives no tag';
COMMENT ON COLUMN @extschema@.tag_rule.created_by IS 'role that created the rule (set by the trigger; kept on update)';
COMMENT ON COLUMN @extschema@.tag_rule.created_at IS 'when the rule was created (set by the trigger; kept on update)';
COMMENT ON COLUMN @extschema@.tag_rule.updated_at IS 'when the rule was last changed';
COMMENT ON COLUMN @extschema@.tag_rule.last_error IS 'the error of the rule''s last evaluation by refresh() (the rule was skipped); NULL: it succeeded';
COMMENT ON COLUMN @extschema@.tag_rule.last_error_sqlstate IS 'SQLSTATE of last_error';
COMMENT ON COLUMN @extschema@.tag_rule.last_error_at IS 'when last_error happened';

-- Finds the customers that have rule tags at once (the early exit of
-- apply_tag_rules when no rule is enabled); empty while nobody has one.
CREATE INDEX profile_rule_tags_idx ON @extschema@.profile (customer_id)
	WHERE rule_tags OPERATOR(@extschema@.<>) '{}'::@extschema@.tagset;

-- apply_tag_rules(as_of, customers): evaluate every enabled rule for the
-- given customers (NULL: everyone), store the tags in profile.rule_tags and
-- record each tag gained or lost in class_history.  Returns the number of
-- customers whose rule tags changed.
-- A rule that is invalid or fails at run time (division by zero ...) is
-- skipped with a WARNING and its error recorded in tag_rule.last_error; the
-- other rules are applied, and the tags the skipped rules give stay as they
-- were.  Cost: one subtransaction for the whole evaluation, and only when it
-- fails one more per rule to find the failing ones (never one per customer).
-- jit = off: the planner's estimate is inflated by the history subqueries,
-- which run only for the few changed customers, and JIT compilation of the
-- one query cost ten times its run time (2,000 customers: 32 ms against 3 ms).
-- SECURITY DEFINER like refresh(), which calls it: analysts may apply the
-- rules but not write profile or class_history themselves.  That is why
-- conditions are restricted: they are parsed and checked as
-- customer_class_rule_checker before they run.
CREATE FUNCTION @extschema@.apply_tag_rules(as_of date, customers bigint[] DEFAULT NULL)
	RETURNS bigint
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	SET jit = off
AS $$
DECLARE
	r record;
	cond text;
	tag_ok boolean;
	-- the rules that will be evaluated, by position
	ids bigint[] := '{}';
	conds text[] := '{}';
	rule_tags text[] := '{}';
	added_why text[] := '{}';
	gone_why text[] := '{}';
	-- tags of the skipped rules: customers keep them as they were
	kept text[] := '{}';
	-- tags of rules skipped because the tag itself is refused, and why:
	-- customers lose them, and the history says which rule and why
	refused text[] := '{}';
	refused_why text[] := '{}';
	cases text[];
	bad integer[];
	changed bigint;
	err_state text;
	err_message text;
	err_detail text;
BEGIN
	-- the history is written as of this date: no mistyped year
	PERFORM @extschema@.check_as_of(apply_tag_rules.as_of, 'apply_tag_rules');
	-- serialised with refresh() (which holds this lock already when it calls
	-- here), so that a tag change is never recorded twice
	PERFORM pg_advisory_xact_lock(pg_catalog.hashtext('customer_class.refresh'));

	-- nothing to do, at the cost of two index probes
	IF NOT EXISTS (SELECT FROM @extschema@.tag_rule t WHERE t.enabled)
	   AND NOT EXISTS (SELECT FROM @extschema@.profile p
					   WHERE p.rule_tags OPERATOR(@extschema@.<>) '{}'::@extschema@.tagset) THEN
		RETURN 0;
	END IF;

	FOR r IN SELECT t.rule_id, t.tag, t.condition, t.description
			 FROM @extschema@.tag_rule t WHERE t.enabled ORDER BY t.rule_id
	LOOP
		-- Checked again, not read from condition_sql: a rule restored or
		-- written with triggers disabled must not run unchecked.  The check
		-- runs no code of the rule's author (src/tag_rule.c).
		tag_ok := false;
		BEGIN
			PERFORM @extschema@.tagset(ARRAY[r.tag]);
			-- a tag of an exclusive dimension is not kept either
			PERFORM @extschema@.check_rule_tag(r.tag);
			tag_ok := true;
			cond := @extschema@.tag_rule_normalize(r.condition);
		EXCEPTION WHEN OTHERS THEN
			GET STACKED DIAGNOSTICS err_state = RETURNED_SQLSTATE, err_message = MESSAGE_TEXT,
									err_detail = PG_EXCEPTION_DETAIL;
			UPDATE @extschema@.tag_rule t
			SET last_error = err_message, last_error_sqlstate = err_state, last_error_at = pg_catalog.now()
			WHERE t.rule_id = r.rule_id;
			RAISE WARNING 'tag rule #% skipped: %', r.rule_id, err_message
				USING DETAIL = concat_ws(' ', nullif(err_detail, ''), format('The rule''s condition: %s', r.condition)),
					  HINT = CASE WHEN tag_ok
							 THEN 'Its customers keep the tag as they had it; the error is in customer_class.tag_rule.last_error.'
							 ELSE 'Its customers lose the tag; the error is in customer_class.tag_rule.last_error.' END;
			IF tag_ok THEN
				kept := kept || r.tag;
			ELSE
				refused := refused || r.tag;
				refused_why := refused_why || format('rule #%s skipped: %s', r.rule_id, err_message);
			END IF;
			CONTINUE;
		END;
		ids := ids || r.rule_id;
		conds := conds || cond;
		rule_tags := rule_tags || r.tag;
		added_why := added_why || format('rule #%s%s: %s', r.rule_id,
			CASE WHEN coalesce(r.description, '') <> '' THEN format(' (%s)', r.description) ELSE '' END,
			r.condition);
		gone_why := gone_why || format('rule #%s no longer matches: %s', r.rule_id, r.condition);
	END LOOP;

	-- At most two attempts: all rules at once; if that fails, each rule on
	-- its own finds the failing ones, which are skipped in the second.
	FOR attempt IN 1..2 LOOP
		cases := ARRAY(SELECT format('CASE WHEN (%s) THEN %s END', conds[k], k)
					   FROM generate_subscripts(conds, 1) AS k ORDER BY k);
		BEGIN
			-- One query: every condition evaluated in one pass over
			-- rule_subject (hits: the positions of the matching rules; a
			-- NULL condition result does not match), then history and
			-- profile for the changed customers.
			EXECUTE format($q$
				WITH hit AS (
					SELECT customer_id, pg_catalog.array_remove(ARRAY[%s]::integer[], NULL) AS hits
					FROM @extschema@.rule_subject
					WHERE $1 IS NULL OR customer_id = ANY ($1)
				), diff AS (
					SELECT p.customer_id, p.rule_tags AS old_tags, n.new_tags, h.hits
					FROM hit h
					JOIN @extschema@.profile p ON p.customer_id = h.customer_id
					CROSS JOIN LATERAL (SELECT (CASE WHEN h.hits = '{}' THEN '{}'::@extschema@.tagset
												ELSE @extschema@.tagset(ARRAY(SELECT $2[i] FROM unnest(h.hits) AS i)) END)
											   OPERATOR(@extschema@.|)
											   (p.rule_tags OPERATOR(@extschema@.&) @extschema@.tagset($6))) AS n (new_tags)
					WHERE n.new_tags OPERATOR(@extschema@.<>) p.rule_tags
				), hist AS (
					INSERT INTO @extschema@.class_history (customer_id, dimension, old_value, new_value, as_of, why)
					SELECT d.customer_id, 'rule_tag', NULL, t.tag, $5,
						   (SELECT $3[u.i] FROM unnest(d.hits) WITH ORDINALITY AS u (i, o)
							WHERE $2[u.i] = t.tag ORDER BY u.o LIMIT 1)
					FROM diff d
					CROSS JOIN LATERAL @extschema@.tags(d.new_tags OPERATOR(@extschema@.-) d.old_tags) AS t (tag)
					UNION ALL
					SELECT d.customer_id, 'rule_tag', t.tag, NULL, $5,
						   coalesce((SELECT string_agg($4[i], '; ' ORDER BY i)
									 FROM generate_subscripts($2, 1) AS i WHERE $2[i] = t.tag),
									(SELECT string_agg($8[i], '; ' ORDER BY i)
									 FROM generate_subscripts($7, 1) AS i WHERE $7[i] = t.tag),
									'no enabled rule gives this tag any more')
					FROM diff d
					CROSS JOIN LATERAL @extschema@.tags(d.old_tags OPERATOR(@extschema@.-) d.new_tags) AS t (tag)
				), upd AS (
					UPDATE @extschema@.profile p SET rule_tags = d.new_tags
					FROM diff d WHERE p.customer_id = d.customer_id
				)
				SELECT count(*) FROM diff
				$q$, array_to_string(cases, ', '))
			INTO changed
			USING customers, rule_tags, added_why, gone_why, apply_tag_rules.as_of, kept,
				  refused, refused_why;
			EXIT;
		EXCEPTION WHEN OTHERS THEN
			-- (a cancel or statement_timeout is not OTHERS: it still aborts)
			IF attempt = 2 THEN
				RAISE;
			END IF;
			bad := '{}';
			FOR k IN 1 .. cardinality(conds) LOOP
				BEGIN
					EXECUTE format('SELECT count(CASE WHEN (%s) THEN 1 END) FROM @extschema@.rule_subject '
								   'WHERE $1 IS NULL OR customer_id = ANY ($1)', conds[k])
					USING customers;
				EXCEPTION WHEN OTHERS THEN
					GET STACKED DIAGNOSTICS err_state = RETURNED_SQLSTATE, err_message = MESSAGE_TEXT;
					bad := bad || k;
					UPDATE @extschema@.tag_rule t
					SET last_error = err_message, last_error_sqlstate = err_state, last_error_at = pg_catalog.now()
					WHERE t.rule_id = ids[k];
					RAISE WARNING 'tag rule #% skipped: %', ids[k], err_message
						USING DETAIL = format('The rule''s condition: %s', (SELECT t.condition FROM @extschema@.tag_rule t WHERE t.rule_id = ids[k])),
							  HINT = 'Its customers keep the tag as they had it; the error is in customer_class.tag_rule.last_error.';
				END;
			END LOOP;
			-- no single rule fails: the error is not a rule's, let it through
			IF cardinality(bad) = 0 THEN
				RAISE;
			END IF;
			kept := kept || ARRAY(SELECT rule_tags[k] FROM unnest(bad) AS k);
			SELECT coalesce(array_agg(ids[k] ORDER BY k), '{}'), coalesce(array_agg(conds[k] ORDER BY k), '{}'),
				   coalesce(array_agg(rule_tags[k] ORDER BY k), '{}'), coalesce(array_agg(added_why[k] ORDER BY k), '{}'),
				   coalesce(array_agg(gone_why[k] ORDER BY k), '{}')
			INTO ids, conds, rule_tags, added_why, gone_why
			FROM generate_subscripts(conds, 1) AS k WHERE k <> ALL (bad);
		END;
	END LOOP;

	-- the rules that ran have no error any more
	UPDATE @extschema@.tag_rule t
	SET last_error = NULL, last_error_sqlstate = NULL, last_error_at = NULL
	WHERE t.rule_id = ANY (ids) AND t.last_error IS NOT NULL;

	RETURN changed;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.apply_tag_rules(date, bigint[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.apply_tag_rules(date, bigint[]) TO customer_class_analyst;
COMMENT ON FUNCTION @extschema@.apply_tag_rules(date, bigint[]) IS
	'evaluates the enabled tag rules for the given customers (NULL: all) into profile.rule_tags, recording every rule tag gained or lost in class_history; returns the number of customers whose rule tags changed (refresh() calls it)';

-- ---- src/sql/receivables/views.sql ----
-- Receivables as of customer_class.as_of(): the open position of every
-- invoice, the standard AR figures, and the report views analysts and BI
-- tools read.  Everything reads the canonical src_* views.  Formulas and
-- rules: docs/receivables.md.

-- AR figures (C, exact numeric, rounded to 2 decimals; NULL when the
-- denominator is 0)
CREATE FUNCTION @extschema@.dso(ending_ar numeric, credit_sales numeric, days integer)
	RETURNS numeric
	AS 'MODULE_PATHNAME', 'ar_dso' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.dso(numeric, numeric, integer) IS
	'days sales outstanding: ending AR / credit sales of the period x days of the period';

CREATE FUNCTION @extschema@.best_possible_dso(current_ar numeric, credit_sales numeric, days integer)
	RETURNS numeric
	AS 'MODULE_PATHNAME', 'ar_dso' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.best_possible_dso(numeric, numeric, integer) IS
	'best-possible DSO: current (not yet due) AR / credit sales x days';

CREATE FUNCTION @extschema@.average_days_delinquent(total_ar numeric, current_ar numeric,
	credit_sales numeric, days integer)
	RETURNS numeric
	AS 'MODULE_PATHNAME', 'ar_add' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.average_days_delinquent(numeric, numeric, numeric, integer) IS
	'average days delinquent: DSO - best-possible DSO, each rounded to 2 decimals first, so it is the difference of the figures shown';

CREATE FUNCTION @extschema@.collection_effectiveness_index(begin_ar numeric, credit_sales numeric,
	end_ar numeric, end_current_ar numeric)
	RETURNS numeric
	AS 'MODULE_PATHNAME', 'ar_cei' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.collection_effectiveness_index(numeric, numeric, numeric, numeric) IS
	'CEI in percent: (begin AR + credit sales - end AR) / (begin AR + credit sales - end current AR) x 100, sales of the whole period';

CREATE FUNCTION @extschema@.collection_rate(collections numeric, begin_ar numeric, credit_sales numeric)
	RETURNS numeric
	AS 'MODULE_PATHNAME', 'ar_collection_rate' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.collection_rate(numeric, numeric, numeric) IS
	'collection rate in percent: cash collected in the period / (begin AR + credit sales of the period) x 100';

-- Every invoice issued by the as-of date with what was applied to it by
-- then (the sum of its payments and credit notes, refunds and reversals as
-- negative amounts), its open amount and the date it was settled: the day
-- from which the running total of what was applied (in date order) stayed
-- at or above the invoice amount, i.e. the first payment after the last one
-- that left the running total short.  NULL while the sum falls short.
CREATE VIEW @extschema@.invoice_status WITH (security_invoker = true) AS
SELECT i.invoice_id, i.customer_id, i.issued_on, i.due_on, i.amount,
	   coalesce(pg_catalog.sum(w.amount), 0) AS applied_amount,
	   i.amount - coalesce(pg_catalog.sum(w.amount), 0) AS open_amount,
	   CASE WHEN coalesce(pg_catalog.sum(w.amount), 0) >= i.amount
			THEN coalesce(pg_catalog.max(w.next_paid_on) FILTER (WHERE w.running < i.amount),
						  pg_catalog.min(w.paid_on)) END AS paid_on,
	   @extschema@.as_of() - i.due_on AS days_past_due,
	   CASE WHEN coalesce(pg_catalog.sum(w.amount), 0) >= i.amount THEN 'paid'
			WHEN i.due_on < @extschema@.as_of() THEN 'overdue'
			ELSE 'open' END AS status
FROM @extschema@.src_invoice i
LEFT JOIN (
	SELECT p.customer_id, p.invoice_id, p.paid_on, p.amount,
		   pg_catalog.sum(p.amount) OVER pw AS running,
		   pg_catalog.lead(p.paid_on) OVER pw AS next_paid_on
	FROM @extschema@.src_payment p
	WHERE p.invoice_id IS NOT NULL AND p.paid_on <= @extschema@.as_of()
	WINDOW pw AS (PARTITION BY p.customer_id, p.invoice_id ORDER BY p.paid_on, p.payment_id
				 ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
) w ON w.invoice_id = i.invoice_id AND w.customer_id = i.customer_id
WHERE i.issued_on <= @extschema@.as_of()
GROUP BY i.invoice_id, i.customer_id, i.issued_on, i.due_on, i.amount;

COMMENT ON VIEW @extschema@.invoice_status IS
	'every invoice issued by customer_class.as_of(): amount applied by then, open amount, settlement date, days past due, status';
COMMENT ON COLUMN @extschema@.invoice_status.invoice_id IS 'invoice key';
COMMENT ON COLUMN @extschema@.invoice_status.customer_id IS 'billed customer';
COMMENT ON COLUMN @extschema@.invoice_status.issued_on IS 'issue date';
COMMENT ON COLUMN @extschema@.invoice_status.due_on IS 'due date';
COMMENT ON COLUMN @extschema@.invoice_status.amount IS 'invoiced amount';
COMMENT ON COLUMN @extschema@.invoice_status.applied_amount IS 'sum of the payments and credit notes applied by the as-of date (refunds and reversals negative)';
COMMENT ON COLUMN @extschema@.invoice_status.open_amount IS 'amount - applied_amount (negative when overpaid)';
COMMENT ON COLUMN @extschema@.invoice_status.paid_on IS 'date from which the running applied total stayed at or above the amount; NULL while open';
COMMENT ON COLUMN @extschema@.invoice_status.days_past_due IS 'as-of date - due date (negative: due in that many days)';
COMMENT ON COLUMN @extschema@.invoice_status.status IS 'paid, overdue (open and past due) or open (not yet due)';

-- The open receivable lines of every customer as of the as-of date, as
-- aging_agg() wants them: open invoices by due date; unapplied payments and
-- credit notes, overpayments, and advances (applied to an invoice that is
-- not issued by the as-of date) as negative amounts without a due date
-- (they age as "current").  So the total is invoices issued by then -
-- payments and credit notes dated by then, as in ar_figures() and the
-- credit facts.
CREATE VIEW @extschema@.open_item WITH (security_invoker = true) AS
SELECT i.customer_id, i.invoice_id,
	   CASE WHEN x.open_amount < 0 THEN 'overpayment' ELSE 'invoice' END AS kind,
	   CASE WHEN x.open_amount < 0 THEN NULL ELSE i.due_on END AS due_on,
	   x.open_amount
FROM @extschema@.src_invoice i
LEFT JOIN (
	SELECT p.customer_id, p.invoice_id, pg_catalog.sum(p.amount) AS applied
	FROM @extschema@.src_payment p
	WHERE p.invoice_id IS NOT NULL AND p.paid_on <= @extschema@.as_of()
	GROUP BY p.customer_id, p.invoice_id
) a ON a.invoice_id = i.invoice_id AND a.customer_id = i.customer_id
CROSS JOIN LATERAL (SELECT i.amount - coalesce(a.applied, 0) AS open_amount) x
WHERE i.issued_on <= @extschema@.as_of() AND x.open_amount <> 0
UNION ALL
SELECT p.customer_id, NULL, 'unapplied ' || p.kind, NULL, -p.amount
FROM @extschema@.src_payment p
WHERE p.invoice_id IS NULL AND p.paid_on <= @extschema@.as_of()
UNION ALL
SELECT p.customer_id, p.invoice_id, 'advance ' || p.kind, NULL, -p.amount
FROM @extschema@.src_payment p
WHERE p.invoice_id IS NOT NULL AND p.paid_on <= @extschema@.as_of()
  AND NOT EXISTS (SELECT FROM @extschema@.src_invoice i
				  WHERE i.invoice_id = p.invoice_id AND i.customer_id = p.customer_id
					AND i.issued_on <= @extschema@.as_of());

COMMENT ON VIEW @extschema@.open_item IS
	'open receivable lines as of customer_class.as_of(): open invoices, and unapplied payments / credit notes, overpayments and advances (applied to an invoice not issued by then) as negative amounts with no due date';
COMMENT ON COLUMN @extschema@.open_item.customer_id IS 'customer';
COMMENT ON COLUMN @extschema@.open_item.invoice_id IS 'the invoice (for an advance: the invoice it will settle); NULL for an unapplied payment or credit note';
COMMENT ON COLUMN @extschema@.open_item.kind IS 'invoice, overpayment, unapplied payment, unapplied credit_note, advance payment or advance credit_note';
COMMENT ON COLUMN @extschema@.open_item.due_on IS 'due date; NULL for credits (they age as current)';
COMMENT ON COLUMN @extschema@.open_item.open_amount IS 'open amount; negative for credits';

-- Aging per customer, default bounds {30,60,90}.
CREATE VIEW @extschema@.aging_report WITH (security_invoker = true) AS
SELECT r.customer_id, c.name AS customer_name, @extschema@.as_of() AS as_of, r.aging,
	   r.aging OPERATOR(@extschema@.->) 'current' AS current_amount,
	   r.aging OPERATOR(@extschema@.->) '1-30' AS days_1_30,
	   r.aging OPERATOR(@extschema@.->) '31-60' AS days_31_60,
	   r.aging OPERATOR(@extschema@.->) '61-90' AS days_61_90,
	   r.aging OPERATOR(@extschema@.->) '91+' AS days_over_90,
	   @extschema@.aging_total(r.aging) AS total,
	   @extschema@.aging_total(r.aging) - (r.aging OPERATOR(@extschema@.->) 'current') AS overdue
FROM (SELECT o.customer_id, @extschema@.aging_agg(o.open_amount, o.due_on, @extschema@.as_of()) AS aging
	  FROM @extschema@.open_item o
	  GROUP BY o.customer_id) r
JOIN @extschema@.src_customer c ON c.customer_id = r.customer_id;

COMMENT ON VIEW @extschema@.aging_report IS
	'receivables aging per customer with anything open, as of customer_class.as_of() (bounds 30/60/90; credits in current)';
COMMENT ON COLUMN @extschema@.aging_report.customer_id IS 'customer key';
COMMENT ON COLUMN @extschema@.aging_report.customer_name IS 'customer name';
COMMENT ON COLUMN @extschema@.aging_report.as_of IS 'date the aging is as of';
COMMENT ON COLUMN @extschema@.aging_report.aging IS 'the aging value (all buckets)';
COMMENT ON COLUMN @extschema@.aging_report.current_amount IS 'not yet due, less unapplied credits';
COMMENT ON COLUMN @extschema@.aging_report.days_1_30 IS '1-30 days past due';
COMMENT ON COLUMN @extschema@.aging_report.days_31_60 IS '31-60 days past due';
COMMENT ON COLUMN @extschema@.aging_report.days_61_90 IS '61-90 days past due';
COMMENT ON COLUMN @extschema@.aging_report.days_over_90 IS 'more than 90 days past due';
COMMENT ON COLUMN @extschema@.aging_report.total IS 'total owed (credits deducted)';
COMMENT ON COLUMN @extschema@.aging_report.overdue IS 'total past due';

-- The classes a customer belongs to, one row per dimension: used by the
-- per-class views.
CREATE VIEW @extschema@.customer_class_member WITH (security_invoker = true) AS
SELECT c.customer_id, d.dimension, d.class
FROM @extschema@.src_customer c
LEFT JOIN @extschema@.profile p ON p.customer_id = c.customer_id
CROSS JOIN LATERAL (VALUES
	('customer_type', c.customer_type),
	('industry', c.industry),
	('region', pg_catalog.split_part(c.region, '.', 1)),
	('size_class', c.size_class),
	('credit_grade', p.credit_grade::text)) AS d(dimension, class)
WHERE d.class IS NOT NULL
UNION ALL
SELECT c.customer_id, 'tag', t.tag
FROM @extschema@.src_customer c
CROSS JOIN LATERAL @extschema@.tags(c.tags) AS t(tag);

COMMENT ON VIEW @extschema@.customer_class_member IS
	'the class of every customer in each dimension (customer_type, industry, top-level region, size_class, credit_grade), and one row per tag (dimension tag)';
COMMENT ON COLUMN @extschema@.customer_class_member.customer_id IS 'customer key';
COMMENT ON COLUMN @extschema@.customer_class_member.dimension IS 'customer_type, industry, region, size_class, credit_grade or tag';
COMMENT ON COLUMN @extschema@.customer_class_member.class IS 'the customer''s class in that dimension (for tag: the tag)';

CREATE VIEW @extschema@.aging_report_by_class WITH (security_invoker = true) AS
SELECT m.dimension, m.class, @extschema@.as_of() AS as_of,
	   pg_catalog.count(*) AS customers,
	   @extschema@.sum(r.aging) AS aging,
	   pg_catalog.sum(r.current_amount) AS current_amount,
	   pg_catalog.sum(r.days_1_30) AS days_1_30,
	   pg_catalog.sum(r.days_31_60) AS days_31_60,
	   pg_catalog.sum(r.days_61_90) AS days_61_90,
	   pg_catalog.sum(r.days_over_90) AS days_over_90,
	   pg_catalog.sum(r.total) AS total,
	   pg_catalog.sum(r.overdue) AS overdue
FROM @extschema@.aging_report r
JOIN @extschema@.customer_class_member m ON m.customer_id = r.customer_id
GROUP BY m.dimension, m.class;

COMMENT ON VIEW @extschema@.aging_report_by_class IS
	'receivables aging per class (customer type, industry, region, size, credit grade) and per tag as of customer_class.as_of()';
COMMENT ON COLUMN @extschema@.aging_report_by_class.dimension IS 'customer_type, industry, region, size_class, credit_grade or tag';
COMMENT ON COLUMN @extschema@.aging_report_by_class.class IS 'class within the dimension';
COMMENT ON COLUMN @extschema@.aging_report_by_class.as_of IS 'date the aging is as of';
COMMENT ON COLUMN @extschema@.aging_report_by_class.customers IS 'customers of the class with anything open';
COMMENT ON COLUMN @extschema@.aging_report_by_class.aging IS 'the class''s aging value';
COMMENT ON COLUMN @extschema@.aging_report_by_class.current_amount IS 'not yet due, less unapplied credits';
COMMENT ON COLUMN @extschema@.aging_report_by_class.days_1_30 IS '1-30 days past due';
COMMENT ON COLUMN @extschema@.aging_report_by_class.days_31_60 IS '31-60 days past due';
COMMENT ON COLUMN @extschema@.aging_report_by_class.days_61_90 IS '61-90 days past due';
COMMENT ON COLUMN @extschema@.aging_report_by_class.days_over_90 IS 'more than 90 days past due';
COMMENT ON COLUMN @extschema@.aging_report_by_class.total IS 'total owed';
COMMENT ON COLUMN @extschema@.aging_report_by_class.overdue IS 'total past due';

CREATE FUNCTION @extschema@.ar_period_days(period_start date, period_end date) RETURNS integer
	AS 'MODULE_PATHNAME', 'ar_period_days' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.ar_period_days(date, date) IS
	'days in a period, both ends included; an error (22023) when it ends before it starts';

-- The inputs of the AR figures per customer over a period, and the figures.
-- AR at a date = invoices issued by then - payments and credit notes dated
-- by then (applied or not; one applied to an invoice issued later is an
-- advance, a credit as in open_item).  Amounts show at least 2 decimals
-- (0.00 when there is nothing).  Overdue AR = open amounts of invoices past due
-- at the end; current AR = end AR - overdue AR.  Collections = cash
-- payments (not credit notes) dated in the period.
CREATE FUNCTION @extschema@.ar_figures(period_start date, period_end date)
	RETURNS TABLE (customer_id bigint, period_days integer, begin_ar numeric, credit_sales numeric,
				   collections numeric, end_ar numeric, end_current_ar numeric, end_overdue_ar numeric,
				   dso numeric, best_possible_dso numeric, average_days_delinquent numeric,
				   collection_effectiveness_index numeric, collection_rate numeric)
	LANGUAGE sql STABLE PARALLEL SAFE
AS $$
	WITH inv AS (
		SELECT i.customer_id,
			   pg_catalog.sum(i.amount) FILTER (WHERE i.issued_on < $1) AS billed_before,
			   pg_catalog.sum(i.amount) FILTER (WHERE i.issued_on BETWEEN $1 AND $2) AS sales,
			   pg_catalog.sum(greatest(i.amount - coalesce(a.applied, 0), 0))
				   FILTER (WHERE i.due_on < $2) AS overdue
		FROM @extschema@.src_invoice i
		LEFT JOIN (SELECT p.customer_id, p.invoice_id, pg_catalog.sum(p.amount) AS applied
				   FROM @extschema@.src_payment p
				   WHERE p.invoice_id IS NOT NULL AND p.paid_on <= $2
				   GROUP BY p.customer_id, p.invoice_id) a
			   ON a.invoice_id = i.invoice_id AND a.customer_id = i.customer_id
		WHERE i.issued_on <= $2
		GROUP BY i.customer_id
	),
	pay AS (
		SELECT p.customer_id,
			   pg_catalog.sum(p.amount) FILTER (WHERE p.paid_on < $1) AS paid_before,
			   pg_catalog.sum(p.amount) FILTER (WHERE p.paid_on >= $1) AS paid_in,
			   pg_catalog.sum(p.amount) FILTER (WHERE p.paid_on >= $1 AND p.kind = 'payment') AS cash_in
		FROM @extschema@.src_payment p
		WHERE p.paid_on <= $2
		GROUP BY p.customer_id
	),
	f AS (
		SELECT coalesce(inv.customer_id, pay.customer_id) AS customer_id,
			   @extschema@.ar_period_days($1, $2) AS days,
			   coalesce(inv.billed_before, 0.00) - coalesce(pay.paid_before, 0.00) AS begin_ar,
			   coalesce(inv.sales, 0.00) AS sales,
			   coalesce(pay.cash_in, 0.00) AS collections,
			   coalesce(inv.billed_before, 0.00) + coalesce(inv.sales, 0.00)
				   - coalesce(pay.paid_before, 0.00) - coalesce(pay.paid_in, 0.00) AS end_ar,
			   coalesce(inv.overdue, 0.00) AS overdue
		FROM inv FULL JOIN pay ON pay.customer_id = inv.customer_id
	)
	SELECT f.customer_id, f.days, f.begin_ar, f.sales, f.collections, f.end_ar,
		   f.end_ar - f.overdue, f.overdue,
		   @extschema@.dso(f.end_ar, f.sales, f.days),
		   @extschema@.best_possible_dso(f.end_ar - f.overdue, f.sales, f.days),
		   @extschema@.average_days_delinquent(f.end_ar, f.end_ar - f.overdue, f.sales, f.days),
		   @extschema@.collection_effectiveness_index(f.begin_ar, f.sales, f.end_ar, f.end_ar - f.overdue),
		   @extschema@.collection_rate(f.collections, f.begin_ar, f.sales)
	FROM f
	WHERE @extschema@.ar_period_days($1, $2) > 0
$$;
COMMENT ON FUNCTION @extschema@.ar_figures(date, date) IS
	'per customer over a period: begin AR, credit sales, collections, end AR, current and overdue end AR, DSO, best-possible DSO, average days delinquent, CEI, collection rate';

-- Per customer over the 365 days ending at the as-of date.
CREATE VIEW @extschema@.ar_kpi WITH (security_invoker = true) AS
SELECT f.customer_id, c.name AS customer_name, @extschema@.as_of() - 364 AS period_start,
	   @extschema@.as_of() AS period_end, f.period_days, f.begin_ar, f.credit_sales, f.collections,
	   f.end_ar, f.end_current_ar, f.end_overdue_ar, f.dso, f.best_possible_dso,
	   f.average_days_delinquent, f.collection_effectiveness_index, f.collection_rate
FROM @extschema@.ar_figures(@extschema@.as_of() - 364, @extschema@.as_of()) f
JOIN @extschema@.src_customer c ON c.customer_id = f.customer_id;

COMMENT ON VIEW @extschema@.ar_kpi IS
	'AR figures per customer over the 365 days ending at customer_class.as_of()';
COMMENT ON COLUMN @extschema@.ar_kpi.customer_id IS 'customer key';
COMMENT ON COLUMN @extschema@.ar_kpi.customer_name IS 'customer name';
COMMENT ON COLUMN @extschema@.ar_kpi.period_start IS 'first day of the period';
COMMENT ON COLUMN @extschema@.ar_kpi.period_end IS 'last day of the period (the as-of date)';
COMMENT ON COLUMN @extschema@.ar_kpi.period_days IS 'days in the period';
COMMENT ON COLUMN @extschema@.ar_kpi.begin_ar IS 'AR at the start of the period';
COMMENT ON COLUMN @extschema@.ar_kpi.credit_sales IS 'invoiced in the period';
COMMENT ON COLUMN @extschema@.ar_kpi.collections IS 'cash payments received in the period';
COMMENT ON COLUMN @extschema@.ar_kpi.end_ar IS 'AR at the end of the period';
COMMENT ON COLUMN @extschema@.ar_kpi.end_current_ar IS 'end AR not yet due (credits included)';
COMMENT ON COLUMN @extschema@.ar_kpi.end_overdue_ar IS 'end AR past due';
COMMENT ON COLUMN @extschema@.ar_kpi.dso IS 'days sales outstanding';
COMMENT ON COLUMN @extschema@.ar_kpi.best_possible_dso IS 'best-possible DSO (negative when unapplied credits exceed the current invoices)';
COMMENT ON COLUMN @extschema@.ar_kpi.average_days_delinquent IS 'DSO - best-possible DSO';
COMMENT ON COLUMN @extschema@.ar_kpi.collection_effectiveness_index IS 'CEI in percent';
COMMENT ON COLUMN @extschema@.ar_kpi.collection_rate IS 'collections / (begin AR + credit sales), percent';

-- Per class: the figures of the summed inputs (not averages of customers).
CREATE VIEW @extschema@.ar_kpi_by_class WITH (security_invoker = true) AS
SELECT s.dimension, s.class, s.customers, s.period_days, s.begin_ar, s.credit_sales, s.collections,
	   s.end_ar, s.end_current_ar, s.end_overdue_ar,
	   @extschema@.dso(s.end_ar, s.credit_sales, s.period_days) AS dso,
	   @extschema@.best_possible_dso(s.end_current_ar, s.credit_sales, s.period_days) AS best_possible_dso,
	   @extschema@.average_days_delinquent(s.end_ar, s.end_current_ar, s.credit_sales, s.period_days) AS average_days_delinquent,
	   @extschema@.collection_effectiveness_index(s.begin_ar, s.credit_sales, s.end_ar, s.end_current_ar) AS collection_effectiveness_index,
	   @extschema@.collection_rate(s.collections, s.begin_ar, s.credit_sales) AS collection_rate
FROM (SELECT m.dimension, m.class, pg_catalog.count(*) AS customers, pg_catalog.max(k.period_days) AS period_days,
			 pg_catalog.sum(k.begin_ar) AS begin_ar, pg_catalog.sum(k.credit_sales) AS credit_sales,
			 pg_catalog.sum(k.collections) AS collections, pg_catalog.sum(k.end_ar) AS end_ar,
			 pg_catalog.sum(k.end_current_ar) AS end_current_ar, pg_catalog.sum(k.end_overdue_ar) AS end_overdue_ar
	  FROM @extschema@.ar_kpi k
	  JOIN @extschema@.customer_class_member m ON m.customer_id = k.customer_id
	  GROUP BY m.dimension, m.class) s;

COMMENT ON VIEW @extschema@.ar_kpi_by_class IS
	'AR figures per class over the 365 days ending at customer_class.as_of(), from the summed inputs';
COMMENT ON COLUMN @extschema@.ar_kpi_by_class.dimension IS 'customer_type, industry, region, size_class, credit_grade or tag';
COMMENT ON COLUMN @extschema@.ar_kpi_by_class.class IS 'class within the dimension';
COMMENT ON COLUMN @extschema@.ar_kpi_by_class.customers IS 'customers of the class with receivables activity';
COMMENT ON COLUMN @extschema@.ar_kpi_by_class.period_days IS 'days in the period';
COMMENT ON COLUMN @extschema@.ar_kpi_by_class.begin_ar IS 'AR at the start of the period';
COMMENT ON COLUMN @extschema@.ar_kpi_by_class.credit_sales IS 'invoiced in the period';
COMMENT ON COLUMN @extschema@.ar_kpi_by_class.collections IS 'cash payments received in the period';
COMMENT ON COLUMN @extschema@.ar_kpi_by_class.end_ar IS 'AR at the end of the period';
COMMENT ON COLUMN @extschema@.ar_kpi_by_class.end_current_ar IS 'end AR not yet due';
COMMENT ON COLUMN @extschema@.ar_kpi_by_class.end_overdue_ar IS 'end AR past due';
COMMENT ON COLUMN @extschema@.ar_kpi_by_class.dso IS 'days sales outstanding';
COMMENT ON COLUMN @extschema@.ar_kpi_by_class.best_possible_dso IS 'best-possible DSO (negative when unapplied credits exceed the current invoices)';
COMMENT ON COLUMN @extschema@.ar_kpi_by_class.average_days_delinquent IS 'DSO - best-possible DSO';
COMMENT ON COLUMN @extschema@.ar_kpi_by_class.collection_effectiveness_index IS 'CEI in percent';
COMMENT ON COLUMN @extschema@.ar_kpi_by_class.collection_rate IS 'collections / (begin AR + credit sales), percent';

-- Payment behaviour per customer as of the as-of date.
CREATE VIEW @extschema@.customer_payment_behavior WITH (security_invoker = true) AS
SELECT b.customer_id, c.name AS customer_name, c.payment_terms_days, @extschema@.as_of() AS as_of,
	   (b.pb).invoices, (b.pb).billed, (b.pb).open_invoices, (b.pb).open_balance, (b.pb).overdue_balance,
	   (b.pb).max_days_past_due, (b.pb).paid_invoices, (b.pb).paid_on_time, (b.pb).paid_late,
	   (b.pb).on_time_ratio, (b.pb).on_time_amount_ratio, (b.pb).avg_days_to_pay,
	   (b.pb).days_beyond_terms, (b.pb).avg_days_vs_terms, (b.pb).payment_index
FROM (SELECT s.customer_id,
			 @extschema@.payment_behavior_agg(s.amount, s.issued_on, s.due_on, s.paid_on,
											  @extschema@.as_of(), greatest(s.open_amount, 0)) AS pb
	  FROM @extschema@.invoice_status s
	  GROUP BY s.customer_id) b
JOIN @extschema@.src_customer c ON c.customer_id = b.customer_id;

COMMENT ON VIEW @extschema@.customer_payment_behavior IS
	'payment behaviour per customer as of customer_class.as_of() (invoices issued by then; partial payments reduce the open balance)';
COMMENT ON COLUMN @extschema@.customer_payment_behavior.customer_id IS 'customer key';
COMMENT ON COLUMN @extschema@.customer_payment_behavior.customer_name IS 'customer name';
COMMENT ON COLUMN @extschema@.customer_payment_behavior.payment_terms_days IS 'agreed payment terms in days';
COMMENT ON COLUMN @extschema@.customer_payment_behavior.as_of IS 'date the behaviour is as of';
COMMENT ON COLUMN @extschema@.customer_payment_behavior.invoices IS 'invoices issued';
COMMENT ON COLUMN @extschema@.customer_payment_behavior.billed IS 'amount billed';
COMMENT ON COLUMN @extschema@.customer_payment_behavior.open_invoices IS 'invoices not fully paid';
COMMENT ON COLUMN @extschema@.customer_payment_behavior.open_balance IS 'open amount of the invoices (unapplied credits not deducted)';
COMMENT ON COLUMN @extschema@.customer_payment_behavior.overdue_balance IS 'open amount past due';
COMMENT ON COLUMN @extschema@.customer_payment_behavior.max_days_past_due IS 'most days past due of an open invoice; NULL when none is open';
COMMENT ON COLUMN @extschema@.customer_payment_behavior.paid_invoices IS 'invoices fully paid';
COMMENT ON COLUMN @extschema@.customer_payment_behavior.paid_on_time IS 'paid on or before the due date';
COMMENT ON COLUMN @extschema@.customer_payment_behavior.paid_late IS 'paid after the due date';
COMMENT ON COLUMN @extschema@.customer_payment_behavior.on_time_ratio IS 'paid on time / paid, by count';
COMMENT ON COLUMN @extschema@.customer_payment_behavior.on_time_amount_ratio IS 'paid on time / paid, by amount';
COMMENT ON COLUMN @extschema@.customer_payment_behavior.avg_days_to_pay IS 'amount-weighted days from issue to settlement';
COMMENT ON COLUMN @extschema@.customer_payment_behavior.days_beyond_terms IS 'amount-weighted days paid after the due date (early = 0)';
COMMENT ON COLUMN @extschema@.customer_payment_behavior.avg_days_vs_terms IS 'amount-weighted days paid after the due date, early negative';
COMMENT ON COLUMN @extschema@.customer_payment_behavior.payment_index IS 'PAYDEX-style index 20-100 (80 = on time); NULL below 3 paid invoices';

-- Open invoices falling due within the given days, and overdue ones, for a
-- collector: overdue first (most days, then biggest amount), then by due date.
CREATE FUNCTION @extschema@.due_reminders(within_days integer)
	RETURNS TABLE (customer_id bigint, customer_name text, invoice_id bigint, issued_on date,
				   due_on date, days_past_due integer, open_amount numeric, bucket text, status text)
	LANGUAGE sql STABLE STRICT PARALLEL SAFE
AS $$
	SELECT o.customer_id, c.name, o.invoice_id, i.issued_on, o.due_on,
		   @extschema@.as_of() - o.due_on,
		   o.open_amount,
		   @extschema@.aging_bucket(@extschema@.as_of() - o.due_on),
		   CASE WHEN o.due_on < @extschema@.as_of() THEN 'overdue'
				WHEN o.due_on = @extschema@.as_of() THEN 'due today'
				ELSE 'due soon' END
	FROM @extschema@.open_item o
	JOIN @extschema@.src_invoice i ON i.invoice_id = o.invoice_id AND i.customer_id = o.customer_id
	JOIN @extschema@.src_customer c ON c.customer_id = o.customer_id
	WHERE o.kind = 'invoice'
	  AND o.due_on <= @extschema@.as_of() + $1
	ORDER BY (o.due_on < @extschema@.as_of()) DESC,
			 CASE WHEN o.due_on < @extschema@.as_of() THEN @extschema@.as_of() - o.due_on END DESC,
			 o.due_on, o.open_amount DESC, o.invoice_id
$$;
COMMENT ON FUNCTION @extschema@.due_reminders(integer) IS
	'open invoices overdue or falling due within the given days as of customer_class.as_of(), in collector order; a negative number keeps only invoices at least that many days overdue';

CREATE VIEW @extschema@.due_reminders WITH (security_invoker = true) AS
SELECT r.customer_id, r.customer_name, r.invoice_id, r.issued_on, r.due_on, r.days_past_due,
	   r.open_amount, r.bucket, r.status
FROM @extschema@.due_reminders(14) r;

COMMENT ON VIEW @extschema@.due_reminders IS
	'open invoices overdue or falling due within 14 days as of customer_class.as_of(), overdue first (oldest, biggest), then by due date';
COMMENT ON COLUMN @extschema@.due_reminders.customer_id IS 'customer key';
COMMENT ON COLUMN @extschema@.due_reminders.customer_name IS 'customer name';
COMMENT ON COLUMN @extschema@.due_reminders.invoice_id IS 'invoice key';
COMMENT ON COLUMN @extschema@.due_reminders.issued_on IS 'issue date';
COMMENT ON COLUMN @extschema@.due_reminders.due_on IS 'due date';
COMMENT ON COLUMN @extschema@.due_reminders.days_past_due IS 'days past due (negative: due in that many days)';
COMMENT ON COLUMN @extschema@.due_reminders.open_amount IS 'amount still open';
COMMENT ON COLUMN @extschema@.due_reminders.bucket IS 'aging bucket (30/60/90)';
COMMENT ON COLUMN @extschema@.due_reminders.status IS 'overdue, due today or due soon';

GRANT SELECT ON @extschema@.invoice_status, @extschema@.open_item, @extschema@.aging_report,
	@extschema@.customer_class_member, @extschema@.aging_report_by_class, @extschema@.ar_kpi,
	@extschema@.ar_kpi_by_class, @extschema@.customer_payment_behavior, @extschema@.due_reminders
	TO customer_class_reader;

-- ---- src/sql/tags/history.sql ----
-- Manual tags are classes too: every tag added to or removed from a
-- customer of the managed customer table lands in class_history (dimension
-- 'tag'), with who did it.  A new customer's first tags are its starting
-- point, not a change, so an INSERT records nothing (bulk loads stay cheap).
-- Tags set by rules are recorded by apply_tag_rules() (dimension 'rule_tag').
--
-- SECURITY DEFINER, like mark_dirty(): whoever may edit customers records
-- the change without write access to class_history; it only copies from the
-- transition tables.
CREATE FUNCTION @extschema@.record_tag_changes() RETURNS trigger
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d date := @extschema@.as_of();
	-- the role that made the change: CURRENT_USER is this function's owner
	-- here, but SET ROLE shows in the setting "role"
	who text := CASE WHEN pg_catalog.current_setting('role') = 'none' THEN SESSION_USER::text
					 ELSE pg_catalog.current_setting('role') END;
BEGIN
	INSERT INTO @extschema@.class_history (customer_id, dimension, old_value, new_value, as_of, why)
	SELECT n.customer_id, 'tag',
		   CASE WHEN x.added THEN NULL ELSE x.tag END,
		   CASE WHEN x.added THEN x.tag END,
		   -- refused when the as_of setting is a mistyped year (checked
		   -- only when a tag changed: other customer writes go through)
		   @extschema@.check_as_of(d, 'manual tag change'), pg_catalog.format('tag %s by %s', CASE WHEN x.added THEN 'added' ELSE 'removed' END, who)
	FROM new_rows n
	JOIN old_rows o USING (customer_id)
	CROSS JOIN LATERAL (
		SELECT t AS tag, true AS added
		FROM @extschema@.tags(@extschema@.tagset_minus(coalesce(n.tags, '{}'), coalesce(o.tags, '{}'))) t
		UNION ALL
		SELECT t, false
		FROM @extschema@.tags(@extschema@.tagset_minus(coalesce(o.tags, '{}'), coalesce(n.tags, '{}'))) t
	) x
	ORDER BY n.customer_id, x.added, x.tag;
	RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.record_tag_changes() FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.record_tag_changes() IS
	'statement trigger on customer: records every manual tag added or removed in class_history (dimension tag)';
-- its trigger on customer: sources/triggers.sql

-- ---- src/sql/credit/policy.sql ----
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
		IF NEW.value NOT IN ('block', 'warn', 'off') THEN
			RAISE EXCEPTION 'invalid value "%" for credit setting "%"', NEW.value, NEW.name
				USING ERRCODE = 'invalid_parameter_value', HINT = 'A check mode is block, warn or off.';
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
	('rule.external_event', 'D', 'cap the grade of a customer with an external negative event not yet reviewed (its alert open) at this grade: B, C, D or off', 'customer_class', '2000-01-01', true);

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
BEGIN
	INSERT INTO @extschema@.credit_setting AS s (name, value, description)
	SELECT set_credit_setting.name, set_credit_setting.value, d.description
	FROM (SELECT coalesce((SELECT description FROM @extschema@.credit_setting
						   WHERE credit_setting.name = set_credit_setting.name AND shipped), '') AS description) d
	ON CONFLICT ON CONSTRAINT credit_setting_pkey DO UPDATE
		SET value = excluded.value, set_by = CURRENT_USER, set_at = pg_catalog.now();
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
	CONSTRAINT credit_check_exception_mode_valid CHECK (mode IN ('block', 'warn', 'off')),
	CONSTRAINT credit_check_exception_reason_given CHECK (btrim(reason) <> '')
);
CREATE INDEX credit_check_exception_customer_idx ON @extschema@.credit_check_exception (customer_id);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.credit_check_exception', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.credit_check_exception_exception_id_seq', '');

-- The check mode for a customer at a checkpoint on a date: an exception in
-- force (one for this checkpoint before one for all, the newest first),
-- else the setting mode.<checkpoint>.
CREATE FUNCTION @extschema@.credit_check_mode(customer_id bigint, checkpoint text, as_of date DEFAULT NULL)
	RETURNS text
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT coalesce(
		(SELECT e.mode FROM @extschema@.credit_check_exception e
		 WHERE e.customer_id = credit_check_mode.customer_id
		   AND (e.checkpoint = credit_check_mode.checkpoint OR e.checkpoint IS NULL)
		   AND (e.expires_on IS NULL OR e.expires_on > coalesce(credit_check_mode.as_of, @extschema@.as_of()))
		 ORDER BY e.checkpoint IS NULL, e.set_at DESC, e.exception_id DESC LIMIT 1),
		(SELECT s.value FROM @extschema@.credit_setting s
		 WHERE s.name = 'mode.' || credit_check_mode.checkpoint ORDER BY s.shipped LIMIT 1));
END;

-- The grade an external negative event caps a customer at (setting
-- rule.external_event; NULL: no cap): while the customer has an event dated
-- on or before as_of whose external_event alert is not resolved, i.e. not
-- yet reviewed by credit control.  PL/pgSQL, because external_event and
-- alerts are created after this file (credit/warnings.sql, credit/alerts.sql).
CREATE FUNCTION @extschema@.credit_event_cap(customer_id bigint, as_of date)
	RETURNS @extschema@.credit_grade
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RETURN (SELECT s.value::@extschema@.credit_grade
			FROM (SELECT cs.value FROM @extschema@.credit_setting cs
				  WHERE cs.name = 'rule.external_event' ORDER BY cs.shipped LIMIT 1) s
			WHERE s.value <> 'off'
			  AND EXISTS (SELECT FROM @extschema@.external_event e
						  LEFT JOIN @extschema@.alerts a ON a.alert_id = e.alert_id
						  WHERE e.customer_id = credit_event_cap.customer_id
							AND e.event_on <= coalesce(credit_event_cap.as_of, @extschema@.as_of())
							AND a.resolved_at IS NULL));
END
$$;

-- The credit limit in force and where it comes from.
CREATE TYPE @extschema@.credit_limit_info AS (
	credit_limit	numeric,
	limit_source	text,
	credit_grade	@extschema@.credit_grade,
	valid_until		date
);

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
-- One SQL query, so that the planner inlines it into the credit checks.
CREATE FUNCTION @extschema@.credit_limit_rows(customer_id bigint, as_of date)
	RETURNS TABLE (credit_limit numeric, limit_source text, credit_grade @extschema@.credit_grade, valid_until date,
				   limit_method text)
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT CASE
			   WHEN o.override_id IS NOT NULL THEN o.credit_limit
			   WHEN c.credit_limit IS NOT NULL THEN c.credit_limit
			   WHEN p.method = 'amount' THEN p.amount
			   WHEN p.method = 'sales_multiple' THEN
				   least(greatest(round(
					   (SELECT coalesce(sum(i.amount), 0) FROM @extschema@.src_invoice i
						WHERE i.customer_id = k.customer_id
						  AND i.issued_on > k.as_of - pg_catalog.make_interval(months => p.sales_months)
						  AND i.issued_on <= k.as_of)
					   / p.sales_months * p.sales_multiple, 2), p.amount), p.max_amount)
		   END,
		   CASE
			   WHEN o.override_id IS NOT NULL THEN
				   pg_catalog.format('override #%s by %s: %s', o.override_id, o.set_by, o.reason)
			   WHEN c.credit_limit IS NOT NULL THEN 'customer credit_limit'
			   WHEN p.method IS NULL THEN
				   pg_catalog.format('no limit policy for grade %s', coalesce(g.credit_grade::text, '(not graded)'))
			   ELSE pg_catalog.format('policy for grade %s: %s', coalesce(g.credit_grade::text, '(not graded)'),
					CASE p.method WHEN 'amount' THEN p.amount::text
						WHEN 'sales_multiple' THEN pg_catalog.format('%s x monthly sales over %s months', p.sales_multiple, p.sales_months)
						ELSE 'no limit' END)
		   END || CASE WHEN g.capped THEN ' (grade capped: unreviewed external event)' ELSE '' END,
		   g.credit_grade,
		   CASE
			   WHEN o.override_id IS NOT NULL THEN o.expires_on
			   WHEN c.credit_limit IS NOT NULL OR p.method IS NULL THEN NULL
			   ELSE (SELECT min(lp.valid_from) FROM @extschema@.credit_limit_policy lp
					 WHERE lp.grade IS NOT DISTINCT FROM g.credit_grade AND lp.valid_from > k.as_of
					   AND (NOT lp.shipped OR p.shipped))
		   END,
		   CASE
			   WHEN o.override_id IS NOT NULL THEN 'override'
			   WHEN c.credit_limit IS NOT NULL THEN 'customer'
			   ELSE p.method
		   END
	FROM (SELECT credit_limit_rows.customer_id AS customer_id,
				 coalesce(credit_limit_rows.as_of, @extschema@.as_of()) AS as_of) k
	LEFT JOIN @extschema@.profile pr ON pr.customer_id = k.customer_id
	-- OFFSET 0: computed once, not at every use of the grade below
	CROSS JOIN LATERAL (SELECT CASE WHEN pr.override_id IS NULL
									THEN @extschema@.credit_event_cap(k.customer_id, k.as_of) END AS cap
						OFFSET 0) ev
	-- the grade before any cap: refresh() writes a capped grade into
	-- credit_grade, computed_grade keeps the score's (the cap is lifted here
	-- as soon as the event is reviewed, not at the next refresh)
	CROSS JOIN LATERAL (SELECT CASE WHEN pr.override_id IS NULL THEN coalesce(pr.computed_grade, pr.credit_grade)
									ELSE pr.credit_grade END AS credit_grade) pg
	CROSS JOIN LATERAL (SELECT ev.cap IS NOT NULL AND (pg.credit_grade IS NULL OR ev.cap > pg.credit_grade) AS capped) cc
	CROSS JOIN LATERAL (SELECT CASE WHEN cc.capped THEN ev.cap ELSE pg.credit_grade END AS credit_grade,
							   cc.capped) g
	LEFT JOIN LATERAL (
		SELECT lo.override_id, lo.credit_limit, lo.set_by, lo.reason, lo.expires_on
		FROM @extschema@.credit_limit_override lo
		WHERE lo.customer_id = k.customer_id AND lo.valid_from <= k.as_of AND k.as_of < lo.expires_on
		ORDER BY lo.set_at DESC, lo.override_id DESC LIMIT 1) o ON true
	LEFT JOIN @extschema@.src_customer c ON c.customer_id = k.customer_id
	LEFT JOIN LATERAL (
		SELECT lp.method, lp.amount, lp.sales_multiple, lp.sales_months, lp.max_amount, lp.shipped
		FROM @extschema@.credit_limit_policy lp
		WHERE lp.grade IS NOT DISTINCT FROM g.credit_grade AND lp.valid_from <= k.as_of
		ORDER BY lp.shipped, lp.valid_from DESC LIMIT 1) p ON true;
END;

CREATE FUNCTION @extschema@.credit_limit_info(customer_id bigint, as_of date DEFAULT NULL)
	RETURNS @extschema@.credit_limit_info
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT ROW(l.credit_limit, l.limit_source, l.credit_grade, l.valid_until)::@extschema@.credit_limit_info
	FROM @extschema@.credit_limit_rows(credit_limit_info.customer_id, credit_limit_info.as_of) l;
END;

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
COMMENT ON COLUMN @extschema@.credit_check_exception.mode IS 'mode for this customer: block, warn or off';
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
		OR (NEW.mode IN ('block', 'warn', 'off')) IS FALSE OR (btrim(NEW.reason) <> '') IS FALSE)
	EXECUTE FUNCTION @extschema@.explain_check_violation();

-- ---- src/sql/credit/exposure.sql ----
-- Credit control, part 2: the exposure ledger.
--
-- exposure = open_orders + shipped_not_invoiced + invoice_balance - unapplied_credits
--
--   open_orders           the part not yet invoiced of orders with status
--                         'open': amount minus the invoices that name the
--                         order (order_id), never below zero
--   shipped_not_invoiced  the same for orders with status 'shipped'
--                         (delivered, not invoiced)
--   invoice_balance       invoice amounts minus payments and credit notes
--                         applied to them (an overpayment lowers it further)
--   unapplied_credits     payments and credit notes with no invoice
--
-- So an invoice for an order replaces the part of the order it bills at
-- once, whether or not (and whenever) the ERP sets the order to 'invoiced';
-- partial invoices work.  Orders with status 'invoiced' or 'cancelled' count
-- nothing.  One row per customer, kept by the row triggers of
-- credit/check.sql with deltas; exposure_recomputed() computes the same
-- figures from the canonical src_* views, recompute_exposure() rewrites the
-- ledger from it and verify_exposure() lists the differences.
--
-- Source columns the triggers rely on (the src_* names; a source bound to an
-- ERP table must offer them under these names):
--   orders    customer_id, amount, status ('open', 'shipped', 'invoiced',
--             'cancelled'), order_id
--   invoices  customer_id, amount, due_on, order_id (NULL: no order)
--   payments  customer_id, amount, invoice_id (NULL: unapplied), payment_id
--             (messages only)
--   customers customer_id
-- They are read in one place each: the first lines of the trigger functions
-- credit_order_trigger, credit_invoice_trigger, credit_payment_trigger and
-- credit_customer_trigger.  An invoice is expected to be written after the
-- order it names (the managed tables' foreign key makes sure of it).

CREATE TABLE @extschema@.credit_exposure (
	customer_id				bigint PRIMARY KEY,
	open_orders				numeric(18,2) NOT NULL DEFAULT 0,
	shipped_not_invoiced	numeric(18,2) NOT NULL DEFAULT 0,
	invoice_balance			numeric(18,2) NOT NULL DEFAULT 0,
	unapplied_credits		numeric(18,2) NOT NULL DEFAULT 0,
	exposure				numeric(18,2) NOT NULL
		GENERATED ALWAYS AS (open_orders + shipped_not_invoiced + invoice_balance - unapplied_credits) STORED
);
-- Dumped as it is: a restore loads the managed tables before their
-- triggers exist (they are the user's tables, see sources/user_data.sql), so the
-- triggers rebuild nothing and the dumped ledger is the only one.  (A
-- data-only restore must disable the triggers for the same reason; see
-- docs/backup.md.)
SELECT pg_catalog.pg_extension_config_dump('@extschema@.credit_exposure', '');
-- nobody writes it but the triggers and recompute_exposure()
GRANT SELECT ON @extschema@.credit_exposure TO customer_class_reader;

-- Add deltas to a customer's ledger row (created when missing), locking it
-- until the end of the transaction; returns the row after the change.
-- Under READ COMMITTED a concurrent holder makes this wait, then it adds to
-- the committed figures; under REPEATABLE READ or SERIALIZABLE the wait ends
-- in a serialization failure (40001) when the other transaction committed.
CREATE FUNCTION @extschema@.exposure_add(customer_id bigint, open_orders numeric, shipped_not_invoiced numeric,
										 invoice_balance numeric, unapplied_credits numeric)
	RETURNS @extschema@.credit_exposure
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	e @extschema@.credit_exposure;
BEGIN
	UPDATE @extschema@.credit_exposure x
	SET open_orders = x.open_orders + exposure_add.open_orders,
		shipped_not_invoiced = x.shipped_not_invoiced + exposure_add.shipped_not_invoiced,
		invoice_balance = x.invoice_balance + exposure_add.invoice_balance,
		unapplied_credits = x.unapplied_credits + exposure_add.unapplied_credits
	WHERE x.customer_id = exposure_add.customer_id
	RETURNING x.* INTO e;
	IF NOT FOUND THEN
		INSERT INTO @extschema@.credit_exposure AS x
			(customer_id, open_orders, shipped_not_invoiced, invoice_balance, unapplied_credits)
		VALUES (exposure_add.customer_id, exposure_add.open_orders, exposure_add.shipped_not_invoiced,
				exposure_add.invoice_balance, exposure_add.unapplied_credits)
		ON CONFLICT ON CONSTRAINT credit_exposure_pkey DO UPDATE
		SET open_orders = x.open_orders + excluded.open_orders,
			shipped_not_invoiced = x.shipped_not_invoiced + excluded.shipped_not_invoiced,
			invoice_balance = x.invoice_balance + excluded.invoice_balance,
			unapplied_credits = x.unapplied_credits + excluded.unapplied_credits
		RETURNING x.* INTO e;
	END IF;
	RETURN e;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.exposure_add(bigint, numeric, numeric, numeric, numeric) FROM PUBLIC;

-- Exposure computed from the sources (all customers, or those listed).
CREATE FUNCTION @extschema@.exposure_recomputed(customers bigint[] DEFAULT NULL)
	RETURNS TABLE (customer_id bigint, open_orders numeric, shipped_not_invoiced numeric,
				   invoice_balance numeric, unapplied_credits numeric, exposure numeric)
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	WITH o AS (
		SELECT so.customer_id,
			   coalesce(sum(so.open_part) FILTER (WHERE so.status = 'open'), 0.00) AS open_orders,
			   coalesce(sum(so.open_part) FILTER (WHERE so.status = 'shipped'), 0.00) AS shipped_not_invoiced
		FROM (SELECT s.customer_id, s.status,
					 greatest(s.amount - coalesce((SELECT sum(si.amount) FROM @extschema@.src_invoice si
												   WHERE si.order_id = s.order_id), 0), 0) AS open_part
			  FROM @extschema@.src_order s
			  WHERE s.status IN ('open', 'shipped') AND (customers IS NULL OR s.customer_id = ANY (customers))) so
		GROUP BY so.customer_id
	), i AS (
		SELECT si.customer_id, sum(si.amount) AS invoiced
		FROM @extschema@.src_invoice si
		WHERE customers IS NULL OR si.customer_id = ANY (customers)
		GROUP BY si.customer_id
	), p AS (
		SELECT sp.customer_id,
			   coalesce(sum(sp.amount) FILTER (WHERE sp.invoice_id IS NOT NULL), 0.00) AS applied,
			   coalesce(sum(sp.amount) FILTER (WHERE sp.invoice_id IS NULL), 0.00) AS unapplied
		FROM @extschema@.src_payment sp
		WHERE customers IS NULL OR sp.customer_id = ANY (customers)
		GROUP BY sp.customer_id
	), c AS (
		SELECT sc.customer_id FROM @extschema@.src_customer sc
		WHERE customers IS NULL OR sc.customer_id = ANY (customers)
	), ids AS (
		SELECT c.customer_id FROM c UNION SELECT o.customer_id FROM o
		UNION SELECT i.customer_id FROM i UNION SELECT p.customer_id FROM p
	)
	SELECT ids.customer_id,
		   coalesce(o.open_orders, 0.00), coalesce(o.shipped_not_invoiced, 0.00),
		   coalesce(i.invoiced, 0.00) - coalesce(p.applied, 0.00), coalesce(p.unapplied, 0.00),
		   coalesce(o.open_orders, 0.00) + coalesce(o.shipped_not_invoiced, 0.00)
			   + coalesce(i.invoiced, 0.00) - coalesce(p.applied, 0.00) - coalesce(p.unapplied, 0.00)
	FROM ids
	LEFT JOIN o ON o.customer_id = ids.customer_id
	LEFT JOIN i ON i.customer_id = ids.customer_id
	LEFT JOIN p ON p.customer_id = ids.customer_id;
END;

-- Customers whose maintained exposure differs from the recomputed one
-- (a missing ledger row counts as zeros).  One query, so one snapshot: a
-- transaction writes a source row and its ledger delta together, so the
-- snapshot sees both or neither and no lock is needed -- order entry never
-- waits for it, and it gives the same answer under any isolation level.
-- SECURITY DEFINER so that row-level security on a source cannot hide rows
-- from the comparison.
CREATE FUNCTION @extschema@.verify_exposure()
	RETURNS TABLE (customer_id bigint, maintained numeric, recomputed numeric,
				   maintained_row @extschema@.credit_exposure, recomputed_parts numeric[])
	LANGUAGE sql STABLE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	SELECT coalesce(x.customer_id, r.customer_id), coalesce(x.exposure, 0)::numeric, coalesce(r.exposure, 0), x,
		   ARRAY[r.open_orders, r.shipped_not_invoiced, r.invoice_balance, r.unapplied_credits]
	FROM @extschema@.credit_exposure x
	FULL JOIN @extschema@.exposure_recomputed() r ON r.customer_id = x.customer_id
	WHERE (coalesce(x.open_orders, 0) <> coalesce(r.open_orders, 0)
		   OR coalesce(x.shipped_not_invoiced, 0) <> coalesce(r.shipped_not_invoiced, 0)
		   OR coalesce(x.invoice_balance, 0) <> coalesce(r.invoice_balance, 0)
		   OR coalesce(x.unapplied_credits, 0) <> coalesce(r.unapplied_credits, 0))
	  -- only the customers the caller may see (docs/access.md); checked
	  -- last, so only for the differences
	  AND @extschema@.access_allows(coalesce(x.customer_id, r.customer_id), @extschema@.access_caller())
	ORDER BY 1;
END;

-- Rewrite the ledger from the sources (after a load with triggers disabled,
-- or when verify_exposure() found a difference).  Locks
-- the ledger EXCLUSIVE: writers wait, and those that wrote before the lock
-- are in the recomputation.  Returns the number of rows changed.
CREATE FUNCTION @extschema@.recompute_exposure() RETURNS bigint
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	n bigint;
	m bigint;
BEGIN
	IF current_setting('transaction_isolation') <> 'read committed' THEN
		RAISE EXCEPTION 'recompute_exposure() must run under READ COMMITTED'
			USING ERRCODE = 'active_sql_transaction',
				  DETAIL = 'It locks the ledger first and then needs a snapshot taken after the lock.';
	END IF;
	LOCK TABLE @extschema@.credit_exposure IN EXCLUSIVE MODE;
	INSERT INTO @extschema@.credit_exposure AS x
		(customer_id, open_orders, shipped_not_invoiced, invoice_balance, unapplied_credits)
	SELECT r.customer_id, r.open_orders, r.shipped_not_invoiced, r.invoice_balance, r.unapplied_credits
	FROM @extschema@.exposure_recomputed() r
	ON CONFLICT ON CONSTRAINT credit_exposure_pkey DO UPDATE
	SET open_orders = excluded.open_orders, shipped_not_invoiced = excluded.shipped_not_invoiced,
		invoice_balance = excluded.invoice_balance, unapplied_credits = excluded.unapplied_credits
	WHERE (x.open_orders, x.shipped_not_invoiced, x.invoice_balance, x.unapplied_credits)
		IS DISTINCT FROM (excluded.open_orders, excluded.shipped_not_invoiced,
						  excluded.invoice_balance, excluded.unapplied_credits);
	GET DIAGNOSTICS n = ROW_COUNT;
	-- customers gone from every source (those exposure_recomputed() has no
	-- row for), by anti-joins: one call of it per ledger row would take
	-- hours at a million customers
	DELETE FROM @extschema@.credit_exposure x
	WHERE NOT EXISTS (SELECT FROM @extschema@.src_customer c WHERE c.customer_id = x.customer_id)
	  AND NOT EXISTS (SELECT FROM @extschema@.src_order o
					  WHERE o.customer_id = x.customer_id AND o.status IN ('open', 'shipped'))
	  AND NOT EXISTS (SELECT FROM @extschema@.src_invoice i WHERE i.customer_id = x.customer_id)
	  AND NOT EXISTS (SELECT FROM @extschema@.src_payment p WHERE p.customer_id = x.customer_id);
	GET DIAGNOSTICS m = ROW_COUNT;
	RETURN n + m;
END
$$;

-- TRUNCATE fires no row trigger: rebuild the ledger instead.  That needs a
-- snapshot taken after the ledger is locked, which a REPEATABLE READ or
-- SERIALIZABLE transaction does not have (rows other transactions committed
-- since its snapshot would be missed): there the TRUNCATE fails, saying so.
CREATE FUNCTION @extschema@.credit_truncate_trigger() RETURNS trigger
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF current_setting('transaction_isolation') <> 'read committed' THEN
		RAISE EXCEPTION 'TRUNCATE of %.% must run under READ COMMITTED', TG_TABLE_SCHEMA, TG_TABLE_NAME
			USING ERRCODE = 'active_sql_transaction',
				  DETAIL = format('The credit exposure ledger is recomputed from the sources after a TRUNCATE, which needs a snapshot taken after the ledger is locked; this transaction is %s.',
								  upper(current_setting('transaction_isolation'))),
				  HINT = 'Run the TRUNCATE in a READ COMMITTED transaction, or DELETE the rows instead (the row triggers keep the ledger).';
	END IF;
	PERFORM @extschema@.recompute_exposure();
	RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.credit_truncate_trigger() FROM PUBLIC;

REVOKE EXECUTE ON FUNCTION @extschema@.recompute_exposure() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.verify_exposure() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.recompute_exposure() TO customer_class_admin;
GRANT EXECUTE ON FUNCTION @extschema@.verify_exposure() TO customer_class_analyst;

COMMENT ON TABLE @extschema@.credit_exposure IS
	'exposure ledger: one row per customer, kept by triggers with deltas; the credit checks lock it';
COMMENT ON COLUMN @extschema@.credit_exposure.customer_id IS 'customer';
COMMENT ON COLUMN @extschema@.credit_exposure.open_orders IS 'orders with status open: amount minus the invoices naming the order, at least 0';
COMMENT ON COLUMN @extschema@.credit_exposure.shipped_not_invoiced IS 'orders with status shipped (delivered): amount minus the invoices naming the order, at least 0';
COMMENT ON COLUMN @extschema@.credit_exposure.invoice_balance IS 'invoices minus payments and credit notes applied to them';
COMMENT ON COLUMN @extschema@.credit_exposure.unapplied_credits IS 'payments and credit notes not applied to an invoice';
COMMENT ON COLUMN @extschema@.credit_exposure.exposure IS 'open_orders + shipped_not_invoiced + invoice_balance - unapplied_credits';
COMMENT ON FUNCTION @extschema@.exposure_add(bigint, numeric, numeric, numeric, numeric) IS
	'internal: add deltas to a customer''s exposure row, locking it; returns the row after';
COMMENT ON FUNCTION @extschema@.exposure_recomputed(bigint[]) IS
	'exposure and its parts computed from the src_* views, for all customers or those listed';
COMMENT ON FUNCTION @extschema@.verify_exposure() IS
	'customers whose maintained exposure differs from the recomputed one (no rows: all agree)';
COMMENT ON FUNCTION @extschema@.recompute_exposure() IS
	'rewrite the exposure ledger from the sources; returns the number of rows changed';
COMMENT ON FUNCTION @extschema@.credit_truncate_trigger() IS
	'trigger: a source was truncated, so the exposure ledger is recomputed';

-- ---- src/sql/credit/check.sql ----
-- Credit control, part 3: the credit checks.
--
-- Three checkpoints, each with a mode (block, warn, off; settings mode.order,
-- mode.delivery, mode.invoice, per-customer exceptions):
--   order     an order adds exposure (inserted open or shipped, amount
--             raised, reopened): the new exposure must stay within the limit
--   delivery  an order's status becomes 'shipped': the exposure with it must
--             be within the limit
--   invoice   an invoice is written: the exposure after it (minus the open
--             or shipped order it bills, which the ERP sets to 'invoiced')
--             must be within the limit
-- Rules checked at every checkpoint beside the limit: rule.grade_d (grade
-- D requires prepayment: it fails unless the customer's prepayment, i.e. a
-- negative exposure, covers the amount), rule.overdue_days (an invoice more
-- than N days past due fails).
--
-- A failed check in mode block raises an error; SQLSTATE KC001 (limit),
-- KC002 (overdue invoice), KC003 (grade D); in mode warn a WARNING and an
-- alert.  The row triggers first add the row's delta to the customer's
-- ledger row, which locks it: concurrent writers for one customer are
-- serialised, and every check sees the exposure including every committed
-- write and its own.
--
-- During a restore (pg_dump's output sets check_function_bodies = off) the
-- ledger is kept but nothing is checked: restored rows were accepted once.

CREATE TYPE @extschema@.credit_verdict AS (
	customer_id		bigint,
	checkpoint		text,
	mode			text,
	allowed			boolean,
	exposure_before	numeric,
	asked			numeric,
	exposure_after	numeric,
	credit_limit	numeric,
	limit_source	text,
	credit_grade	@extschema@.credit_grade,
	violation		text,
	sqlstate		text,
	overdue_invoice	bigint,
	overdue_days	integer,
	nearly_used		boolean,
	prepayment_missing numeric
);

-- The oldest invoice of a customer more than days past its due date (as of
-- a date) with an open balance as of that date (payments made later do not
-- count): what rule.overdue_days looks for.  A table
-- function (no row: none), so that the planner inlines it where it is used
-- in FROM; a scalar SQL function with a subquery would not be.
CREATE FUNCTION @extschema@.credit_overdue_invoice(customer_id bigint, as_of date, days integer)
	RETURNS TABLE (invoice_id bigint)
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT i.invoice_id FROM @extschema@.src_invoice i
	WHERE i.customer_id = credit_overdue_invoice.customer_id
	  AND i.due_on < credit_overdue_invoice.as_of - credit_overdue_invoice.days
	  AND i.amount > coalesce((SELECT sum(p.amount) FROM @extschema@.src_payment p
							   WHERE p.invoice_id = i.invoice_id
								 AND p.paid_on <= credit_overdue_invoice.as_of), 0)
	ORDER BY i.due_on, i.invoice_id
	LIMIT 1;
END;

-- Everything a check needs to know about a customer, in one query: the
-- mode in force at the checkpoint (an exception, else the setting), the
-- limit with its source and the grade (credit_limit_rows, inlined), the
-- rule settings, and the oldest invoice past rule.overdue_days (only looked
-- for when that rule is on).  One SQL query, so that it is inlined both into
-- credit_evaluate() and into the C order trigger's queries, which cache it
-- (src/credit_context.c).
CREATE FUNCTION @extschema@.credit_context(customer_id bigint, checkpoint text, as_of date)
	RETURNS TABLE (mode text, credit_limit numeric, limit_source text, credit_grade @extschema@.credit_grade,
				   grade_d text, pct numeric, overdue_invoice bigint, overdue_days text, limit_method text)
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT coalesce(
			   (SELECT e.mode FROM @extschema@.credit_check_exception e
				WHERE e.customer_id = k.customer_id
				  AND (e.checkpoint = k.checkpoint OR e.checkpoint IS NULL)
				  AND (e.expires_on IS NULL OR e.expires_on > k.as_of)
				ORDER BY e.checkpoint IS NULL, e.set_at DESC, e.exception_id DESC LIMIT 1),
			   st.mode),
		   l.credit_limit, l.limit_source, l.credit_grade, st.grade_d, st.pct,
		   CASE WHEN st.overdue_days <> 'off' THEN
			   (SELECT o.invoice_id
				FROM @extschema@.credit_overdue_invoice(k.customer_id, k.as_of, st.overdue_days::integer) o) END,
		   st.overdue_days, l.limit_method
	FROM (SELECT credit_context.customer_id AS customer_id, credit_context.checkpoint AS checkpoint,
				 coalesce(credit_context.as_of, @extschema@.as_of()) AS as_of) k
	CROSS JOIN LATERAL @extschema@.credit_limit_rows(k.customer_id, k.as_of) l
	CROSS JOIN LATERAL
		(SELECT (SELECT cs.value FROM @extschema@.credit_setting cs
				 WHERE cs.name = 'mode.' || k.checkpoint ORDER BY cs.shipped LIMIT 1) AS mode,
				(SELECT cs.value FROM @extschema@.credit_setting cs
				 WHERE cs.name = 'rule.overdue_days' ORDER BY cs.shipped LIMIT 1) AS overdue_days,
				(SELECT cs.value FROM @extschema@.credit_setting cs
				 WHERE cs.name = 'rule.grade_d' ORDER BY cs.shipped LIMIT 1) AS grade_d,
				(SELECT cs.value FROM @extschema@.credit_setting cs
				 WHERE cs.name = 'alert.nearly_used_pct' ORDER BY cs.shipped LIMIT 1)::numeric AS pct) st;
END;

-- Evaluate a check: exposure_after is the exposure with the amount asked.
-- violation: NULL (passes), grade_d, limit_exceeded or invoice_overdue (the
-- first that fails, in this order).  allowed is false only in mode block.
-- Grade D with rule.grade_d on means "prepayment required" (D类要求预付款):
-- a customer's prepayment is a negative exposure (unapplied payments and
-- credit notes above what it owes), so the check passes when the exposure
-- after the amount is still at most zero, and otherwise fails with the
-- uncovered part in prepayment_missing.  It comes first: for a grade D
-- customer the missing prepayment is what credit control wants to read (the
-- shipped D limit of 0 would fail on the same amount).  The C fast path
-- (src/credit_context.c) decides "may act" by the same test.
CREATE FUNCTION @extschema@.credit_evaluate(customer_id bigint, checkpoint text, exposure_after numeric,
											asked numeric, as_of date DEFAULT NULL)
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

	IF v.credit_grade = 'D' AND grade_d = 'on' AND exposure_after > 0 THEN
		v.violation := 'grade_d';
		v.sqlstate := 'KC003';
		v.prepayment_missing := exposure_after;
	END IF;

	IF v.violation IS NULL AND v.credit_limit IS NOT NULL AND exposure_after > v.credit_limit THEN
		v.violation := 'limit_exceeded';
		v.sqlstate := 'KC001';
	END IF;

	IF v.violation IS NULL AND v.overdue_invoice IS NOT NULL THEN
		SELECT d - i.due_on INTO v.overdue_days FROM @extschema@.src_invoice i WHERE i.invoice_id = v.overdue_invoice;
		v.violation := 'invoice_overdue';
		v.sqlstate := 'KC002';
	END IF;

	IF v.violation IS NULL AND v.credit_limit > 0 THEN
		v.nearly_used := exposure_after * 100 >= v.credit_limit * pct;
	END IF;
	v.allowed := v.violation IS NULL OR v.mode <> 'block';
	RETURN v;
END
$$;

-- The message of a failed check (what the error or warning says).
CREATE FUNCTION @extschema@.credit_verdict_message(v @extschema@.credit_verdict, what text DEFAULT NULL)
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
			ELSE 'passed' END);

CREATE FUNCTION @extschema@.credit_verdict_detail(v @extschema@.credit_verdict) RETURNS text
	LANGUAGE sql STABLE PARALLEL SAFE
	RETURN pg_catalog.format('Exposure %s, amount asked %s, exposure after %s, credit limit %s (%s), grade %s, mode %s.',
		v.exposure_before, v.asked, v.exposure_after, coalesce(v.credit_limit::text, 'none'),
		v.limit_source, coalesce(v.credit_grade::text, 'not graded'), v.mode);

CREATE FUNCTION @extschema@.credit_verdict_json(v @extschema@.credit_verdict) RETURNS jsonb
	LANGUAGE sql STABLE PARALLEL SAFE
	RETURN pg_catalog.jsonb_strip_nulls(pg_catalog.to_jsonb(v));

-- Act on a check from a trigger: nothing, a nearly-used alert, a warning
-- and an alert (warn), or an error (block).
CREATE FUNCTION @extschema@.credit_enforce(customer_id bigint, checkpoint text, exposure_after numeric,
										   asked numeric, what text)
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
	v := @extschema@.credit_evaluate(customer_id, checkpoint, exposure_after, asked);
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
			HINT = CASE v.violation
				WHEN 'limit_exceeded' THEN 'Lower the amount, collect payment first, or raise the limit (credit_limit_override).'
				WHEN 'grade_d' THEN pg_catalog.format('Collect a prepayment of at least %s (a payment with no invoice) before this %s, or ask credit control: the rule can be excepted in credit_check_exception.',
					v.prepayment_missing, v.checkpoint)
				ELSE 'Ask credit control: the customer''s rule can be excepted in credit_check_exception.' END;
	END IF;
	-- warn
	RAISE WARNING USING
		MESSAGE = @extschema@.credit_verdict_message(v, what),
		DETAIL = @extschema@.credit_verdict_detail(v);
	PERFORM @extschema@.raise_alert(customer_id, v.violation, 'red',
		@extschema@.credit_verdict_json(v) || jsonb_build_object('what', what));
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.credit_enforce(bigint, text, numeric, numeric, text) FROM PUBLIC;

-- Orders: ledger delta, then the order or delivery check.  In C
-- (src/credit_trigger.c, src/credit_check.c) because order entry is the hot
-- path; it takes the same steps as the other triggers here: the delta,
-- locking the customer's ledger row, then the check through credit_context()
-- (and credit_enforce() when the check has something to say).  The columns
-- read: customer_id, amount, status, order_id.
CREATE FUNCTION @extschema@.credit_order_trigger() RETURNS trigger
	LANGUAGE c VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	AS 'MODULE_PATHNAME', 'credit_order_trigger';

-- A change that raises a customer's exposure without passing a checkpoint
-- (a payment deleted, lowered, moved to another customer): checked against
-- the limit in the manner of mode warn, whatever the modes -- it is never
-- blocked, but a WARNING and a limit_exceeded alert (red) say so, or a
-- limit_nearly_used alert (yellow) when it reaches alert.nearly_used_pct.
CREATE FUNCTION @extschema@.credit_watch(customer_id bigint, exposure_after numeric, increase numeric, what text)
	RETURNS void
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	l @extschema@.credit_limit_info;
	pct numeric;
	det jsonb;
BEGIN
	-- a restore re-inserts rows accepted before: check nothing
	IF current_setting('check_function_bodies') = 'off' THEN
		RETURN;
	END IF;
	l := @extschema@.credit_limit_info(customer_id);
	IF l.credit_limit IS NULL THEN
		RETURN;
	END IF;
	pct := @extschema@.credit_setting('alert.nearly_used_pct')::numeric;
	det := jsonb_build_object('customer_id', customer_id, 'exposure_before', exposure_after - increase,
							  'increase', increase, 'exposure_after', exposure_after,
							  'credit_limit', l.credit_limit, 'limit_source', l.limit_source, 'what', what);
	IF exposure_after > l.credit_limit THEN
		RAISE WARNING USING
			MESSAGE = format('exposure of customer %s rose above its credit limit (%s): %s > %s',
							 customer_id, what, exposure_after, l.credit_limit),
			DETAIL = format('Exposure %s, increase %s, exposure after %s, credit limit %s (%s).',
							exposure_after - increase, increase, exposure_after, l.credit_limit, l.limit_source);
		PERFORM @extschema@.raise_alert(customer_id, 'limit_exceeded', 'red', det);
	ELSIF l.credit_limit > 0 AND exposure_after * 100 >= l.credit_limit * pct THEN
		PERFORM @extschema@.raise_alert(customer_id, 'limit_nearly_used', 'yellow', det);
	END IF;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.credit_watch(bigint, numeric, numeric, text) FROM PUBLIC;

-- Invoices: the invoice balance delta and the open part of the order each
-- names (see credit/exposure.sql), then the invoice check on insert and on a
-- higher amount.  The order is locked first (FOR NO KEY UPDATE, before any
-- ledger row, as the order trigger's statement has it locked before its
-- ledger row), so that writes to one order and its invoices are serialised
-- and each reads the other's committed figures; its customer's ledger row is
-- always updated, so that a REPEATABLE READ writer of the same order whose
-- snapshot predates this one fails with 40001 instead of counting from stale
-- figures.
CREATE FUNCTION @extschema@.credit_invoice_trigger() RETURNS trigger
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

-- Payments and credit notes: ledger delta; they lower exposure, and when a
-- change raises it (deleted, lowered, moved away) credit_watch() says so.
CREATE FUNCTION @extschema@.credit_payment_trigger() RETURNS trigger
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	e @extschema@.credit_exposure;
	what text;
BEGIN
	-- the columns read: customer_id, amount, invoice_id
	IF TG_OP = 'UPDATE' AND OLD.customer_id = NEW.customer_id AND OLD.amount = NEW.amount
	   AND (OLD.invoice_id IS NULL) = (NEW.invoice_id IS NULL) THEN
		RETURN NULL;
	END IF;
	IF TG_OP <> 'INSERT' THEN
		IF OLD.invoice_id IS NULL THEN
			e := @extschema@.exposure_add(OLD.customer_id, 0, 0, 0, -OLD.amount);
		ELSE
			e := @extschema@.exposure_add(OLD.customer_id, 0, 0, OLD.amount, 0);
		END IF;
		what := format('payment %s %s', OLD.payment_id, CASE TG_OP WHEN 'DELETE' THEN 'deleted' ELSE 'changed' END);
		-- the old customer's exposure grew unless the new version pays as much for it
		IF TG_OP = 'DELETE' OR OLD.customer_id <> NEW.customer_id THEN
			IF OLD.amount > 0 THEN
				PERFORM @extschema@.credit_watch(OLD.customer_id, e.exposure, OLD.amount, what);
			END IF;
		ELSIF OLD.amount > NEW.amount THEN
			PERFORM @extschema@.credit_watch(OLD.customer_id, e.exposure - NEW.amount, OLD.amount - NEW.amount, what);
		END IF;
	END IF;
	IF TG_OP <> 'DELETE' THEN
		IF NEW.invoice_id IS NULL THEN
			PERFORM @extschema@.exposure_add(NEW.customer_id, 0, 0, 0, NEW.amount);
		ELSE
			PERFORM @extschema@.exposure_add(NEW.customer_id, 0, 0, -NEW.amount, 0);
		END IF;
	END IF;
	RETURN NULL;
END
$$;

-- Customers: a ledger row from the start, gone with the customer.
CREATE FUNCTION @extschema@.credit_customer_trigger() RETURNS trigger
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	-- the column read: customer_id
	IF TG_OP = 'INSERT' THEN
		INSERT INTO @extschema@.credit_exposure (customer_id) VALUES (NEW.customer_id)
		ON CONFLICT ON CONSTRAINT credit_exposure_pkey DO NOTHING;
	ELSIF TG_OP = 'DELETE' THEN
		DELETE FROM @extschema@.credit_exposure x
		WHERE x.customer_id = OLD.customer_id AND x.open_orders = 0 AND x.shipped_not_invoiced = 0
		  AND x.invoice_balance = 0 AND x.unapplied_credits = 0;
	ELSIF OLD.customer_id <> NEW.customer_id THEN
		INSERT INTO @extschema@.credit_exposure (customer_id) VALUES (NEW.customer_id)
		ON CONFLICT ON CONSTRAINT credit_exposure_pkey DO NOTHING;
	END IF;
	RETURN NULL;
END
$$;

REVOKE EXECUTE ON FUNCTION @extschema@.credit_order_trigger() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.credit_invoice_trigger() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.credit_payment_trigger() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.credit_customer_trigger() FROM PUBLIC;
-- their triggers on the managed tables are in sources/triggers.sql

-- The C order trigger keeps, per backend, what credit_context() reads
-- (src/credit_context.c).  A write to a table it reads tells every backend
-- (when the writer commits) to drop that cache: a relcache invalidation of
-- credit_setting, or for invoices and payments, which only concern the
-- overdue rule, of the sequence credit_receivables_signal (never used as a
-- sequence: nothing else is rebuilt for it).  ENABLE ALWAYS: a load in
-- replica mode must flush the caches too.
CREATE SEQUENCE @extschema@.credit_receivables_signal;

CREATE FUNCTION @extschema@.credit_context_changed() RETURNS trigger
	LANGUAGE c VOLATILE
	AS 'MODULE_PATHNAME', 'credit_context_changed';
REVOKE EXECUTE ON FUNCTION @extschema@.credit_context_changed() FROM PUBLIC;

-- Its triggers, on every table credit_context() reads: credit/triggers.sql,
-- classes/triggers.sql (profile) and sources/triggers.sql (customer; invoice
-- and payment with the argument receivables).

-- What a check reads besides the ledger -- a customer's override, exception,
-- own credit_limit or grade, and the settings and limit policy of everyone --
-- can change while an order is being written.  So that a check never passes
-- against a limit or rule that a committed change has already tightened, every
-- such change also updates (without changing) the ledger rows it concerns:
-- the customer's, or for settings and the limit policy every row.  A check
-- locks that row first, so under READ COMMITTED it waits for the change and
-- then reads it; under REPEATABLE READ or SERIALIZABLE, where its snapshot
-- may predate the change, it fails with 40001 and the application retries.
-- And a change waits for the orders in progress of its customers.
CREATE FUNCTION @extschema@.credit_touch_exposure() RETURNS trigger
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF TG_LEVEL = 'STATEMENT' THEN
		UPDATE @extschema@.credit_exposure x SET open_orders = x.open_orders;
		RETURN NULL;
	END IF;
	-- the column read: customer_id
	IF TG_OP <> 'DELETE' THEN
		UPDATE @extschema@.credit_exposure x SET open_orders = x.open_orders WHERE x.customer_id = NEW.customer_id;
	END IF;
	IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.customer_id IS DISTINCT FROM NEW.customer_id) THEN
		UPDATE @extschema@.credit_exposure x SET open_orders = x.open_orders WHERE x.customer_id = OLD.customer_id;
	END IF;
	RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.credit_touch_exposure() FROM PUBLIC;

-- The same for the customers of a statement's rows (transition table
-- changed_rows), in one UPDATE.
CREATE FUNCTION @extschema@.credit_touch_exposure_rows() RETURNS trigger
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	UPDATE @extschema@.credit_exposure x SET open_orders = x.open_orders
	WHERE x.customer_id IN (SELECT c.customer_id FROM changed_rows c);
	RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.credit_touch_exposure_rows() FROM PUBLIC;

-- Their triggers: credit/triggers.sql (the credit tables and external_event),
-- classes/triggers.sql (profile) and sources/triggers.sql (customer.credit_limit).

-- Ask before writing: would an amount pass the check now?  Changes no
-- exposure; when the answer is "blocked" it records a 'blocked' alert
-- (record => false: just ask).  An application calls it before saving an
-- order, or after a blocked insert (whose transaction, rolled back, could
-- record nothing).  The amount is what the order, delivery or invoice adds
-- to the exposure: a negative one (a payment, a return) is never checked,
-- so asking about it is an error rather than a verdict of "allowed".
CREATE FUNCTION @extschema@.credit_check(customer_id bigint, amount numeric, checkpoint text DEFAULT 'order',
										 record boolean DEFAULT true)
	RETURNS jsonb
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v @extschema@.credit_verdict;
	current_exposure numeric;
BEGIN
	IF amount IS NULL OR amount < 0 THEN
		RAISE EXCEPTION 'credit_check: amount must be 0 or more, not %', coalesce(amount::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = 'The amount is what the order, delivery or invoice adds to the customer''s exposure.',
				  HINT = 'Payments and credit notes lower the exposure and need no check; pass the amount of the document to be saved.';
	END IF;
	-- a customer the caller may not see (docs/access.md) is answered like
	-- one that does not exist
	IF NOT @extschema@.access_allows(customer_id, @extschema@.access_caller())
	   AND EXISTS (SELECT FROM @extschema@.src_customer c WHERE c.customer_id = credit_check.customer_id) THEN
		RAISE EXCEPTION 'customer % does not exist', customer_id USING ERRCODE = 'no_data_found';
	END IF;
	SELECT x.exposure INTO current_exposure FROM @extschema@.credit_exposure x
	WHERE x.customer_id = credit_check.customer_id;
	IF NOT FOUND AND NOT EXISTS (SELECT FROM @extschema@.src_customer c WHERE c.customer_id = credit_check.customer_id) THEN
		RAISE EXCEPTION 'customer % does not exist', customer_id USING ERRCODE = 'no_data_found';
	END IF;
	v := @extschema@.credit_evaluate(customer_id, checkpoint, coalesce(current_exposure, 0) + amount, amount);
	IF record AND NOT v.allowed THEN
		PERFORM @extschema@.raise_alert(customer_id, 'blocked', 'red',
			@extschema@.credit_verdict_json(v) || jsonb_build_object('what', 'credit_check'));
	END IF;
	RETURN @extschema@.credit_verdict_json(v)
		|| CASE WHEN v.violation IS NULL THEN '{}'::jsonb
				ELSE jsonb_build_object('message', @extschema@.credit_verdict_message(v)) END;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.credit_check(bigint, numeric, text, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.credit_check(bigint, numeric, text, boolean) TO customer_class_analyst;

COMMENT ON TYPE @extschema@.credit_verdict IS
	'the outcome of a credit check: mode, exposure before and after, amount asked, limit and its source, grade, the violation (NULL: passed) with its SQLSTATE, whether the limit is nearly used, and for grade D (prepayment required) the prepayment missing';
COMMENT ON FUNCTION @extschema@.credit_overdue_invoice(bigint, date, integer) IS
	'internal: the oldest invoice of a customer more than the given days overdue with an open balance (rule.overdue_days)';
COMMENT ON FUNCTION @extschema@.credit_context(bigint, text, date) IS
	'internal: what a credit check needs to know about a customer (mode in force, limit and source, grade, rule settings, oldest overdue invoice)';
COMMENT ON FUNCTION @extschema@.credit_evaluate(bigint, text, numeric, numeric, date) IS
	'evaluate a credit check (limit, overdue rule, grade D rule, nearly-used threshold) without acting on it';
COMMENT ON FUNCTION @extschema@.credit_verdict_message(@extschema@.credit_verdict, text) IS
	'the one-line message of a credit check verdict';
COMMENT ON FUNCTION @extschema@.credit_verdict_detail(@extschema@.credit_verdict) IS
	'the detail line of a credit check verdict: exposure, amount asked, limit and its source, grade, mode';
COMMENT ON FUNCTION @extschema@.credit_verdict_json(@extschema@.credit_verdict) IS
	'a credit check verdict as jsonb (NULL fields left out)';
COMMENT ON FUNCTION @extschema@.credit_enforce(bigint, text, numeric, numeric, text) IS
	'internal: act on a credit check from a trigger (error in block mode, warning and alert in warn mode)';
COMMENT ON FUNCTION @extschema@.credit_order_trigger() IS
	'trigger on orders: exposure delta, then the order check (more exposure) or the delivery check (status to shipped)';
COMMENT ON FUNCTION @extschema@.credit_invoice_trigger() IS
	'trigger on invoices: invoice balance and the open part of the order billed, then the invoice check';
COMMENT ON FUNCTION @extschema@.credit_payment_trigger() IS
	'trigger on payments and credit notes: exposure delta; a change that raises exposure is watched (credit_watch)';
COMMENT ON FUNCTION @extschema@.credit_watch(bigint, numeric, numeric, text) IS
	'internal: a change that raised exposure outside the checkpoints: WARNING and limit_exceeded alert above the limit, limit_nearly_used alert near it; never blocks';
COMMENT ON FUNCTION @extschema@.credit_customer_trigger() IS
	'trigger on customers: creates and removes the exposure ledger row';
COMMENT ON SEQUENCE @extschema@.credit_receivables_signal IS
	'internal, never incremented: its relcache invalidation tells the backends that invoices or payments changed (the credit checks'' cache of overdue invoices)';
COMMENT ON FUNCTION @extschema@.credit_touch_exposure() IS
	'trigger: a change to a customer''s limit, exception or grade (or to the settings or limit policy) updates the ledger rows concerned, so that concurrent credit checks wait for it or retry';
COMMENT ON FUNCTION @extschema@.credit_touch_exposure_rows() IS
	'statement trigger: the ledger rows of the customers whose profile a statement added or removed are updated, as credit_touch_exposure() does row by row';
COMMENT ON FUNCTION @extschema@.credit_context_changed() IS
	'trigger: a table the credit checks read changed, so every backend drops its cache of check contexts';
COMMENT ON FUNCTION @extschema@.credit_check(bigint, numeric, text, boolean) IS
	'would this amount pass the credit check now? returns the verdict as jsonb; records a blocked alert when it would be blocked';

-- ---- src/sql/credit/alerts.sql ----
-- Credit control, part 4: alerts.
--
-- Kinds:   limit_nearly_used (yellow)  exposure reached alert.nearly_used_pct of the limit
--          limit_exceeded    (red)     a check in warn mode let the limit be exceeded,
--                                      or credit_alert_scan() found exposure above it
--          invoice_overdue   (yellow: up to 30 days, red: more) an invoice is past due
--                                      (credit_alert_scan(); warn mode of rule.overdue_days)
--          grade_d           (red)     a check in warn mode passed a grade D customer
--          blocked           (red)     credit_check() answered "blocked"
-- and the early warnings of credit/warnings.sql:
--          payment_rhythm    (yellow/red) the last two settlements clearly later than
--                                      the customer's own rhythm (red: orders falling too)
--          became_dormant    (yellow)  refresh() saw a buying customer turn dormant or churned
--          external_event    (red)     a negative event was recorded in external_event
-- At most one open alert per customer and kind: raising it again counts an
-- occurrence and refreshes the detail.  Each new alert is announced with
-- NOTIFY customer_class_alerts, payload
--   {"alert_id":..}
-- (sent when the transaction commits, like every NOTIFY).  Nothing else is
-- in it: a NOTIFY reaches every listener of the database, whatever customers
-- it may see (docs/access.md), so a listener reads the row by alert_id,
-- through row-level security; a NOTIFY payload is limited to 8000 bytes and
-- a detail can be any size; and a payload cannot be trusted by itself --
-- any role may NOTIFY any channel -- the row can.

CREATE TABLE @extschema@.alerts (
	alert_id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	customer_id		bigint NOT NULL,
	kind			text NOT NULL,
	level			@extschema@.alert_level NOT NULL,
	detail			jsonb NOT NULL DEFAULT '{}',
	raised_at		timestamptz NOT NULL DEFAULT pg_catalog.now(),
	last_seen_at	timestamptz NOT NULL DEFAULT pg_catalog.now(),
	occurrences		integer NOT NULL DEFAULT 1,
	resolved_at		timestamptz,
	resolved_by		name,
	CONSTRAINT alerts_kind_valid CHECK (kind IN ('limit_nearly_used', 'limit_exceeded', 'invoice_overdue', 'grade_d', 'blocked',
											  'payment_rhythm', 'became_dormant', 'external_event'))
)
-- Each refresh counts one more occurrence on every open payment_rhythm alert
-- whose warning goes on: with room on the page those updates are HOT and
-- add no entries to the three indexes.
WITH (fillfactor = 50);
CREATE UNIQUE INDEX alerts_one_open ON @extschema@.alerts (customer_id, kind) WHERE resolved_at IS NULL;
CREATE INDEX alerts_customer_idx ON @extschema@.alerts (customer_id, raised_at);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.alerts', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.alerts_alert_id_seq', '');

-- Raise an alert (or count one more occurrence of the open one); returns
-- the id of a new alert, NULL when an open one was refreshed.  SECURITY
-- DEFINER: nobody writes alerts but the extension's functions (admins may
-- call this one), so no role needs INSERT or UPDATE on the table.
CREATE FUNCTION @extschema@.raise_alert(customer_id bigint, kind text, level @extschema@.alert_level, detail jsonb)
	RETURNS bigint
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	id bigint;
	fresh boolean;
BEGIN
	INSERT INTO @extschema@.alerts AS x (customer_id, kind, level, detail)
	VALUES (raise_alert.customer_id, raise_alert.kind, raise_alert.level, coalesce(raise_alert.detail, '{}'))
	ON CONFLICT (customer_id, kind) WHERE resolved_at IS NULL DO UPDATE
	SET occurrences = x.occurrences + 1, last_seen_at = pg_catalog.now(),
		level = excluded.level, detail = excluded.detail
	RETURNING x.alert_id, x.xmax = 0 INTO id, fresh;
	IF NOT fresh THEN
		RETURN NULL;
	END IF;
	-- the payload of notify_alert() (64_warnings.sql), the same for every kind
	PERFORM pg_catalog.pg_notify('customer_class_alerts', pg_catalog.jsonb_build_object('alert_id', id)::text);
	RETURN id;
END
$$;
-- Alerts are raised by the extension's own checks; raising one by hand
-- (an alert nobody's figures back) is for admins.
REVOKE EXECUTE ON FUNCTION @extschema@.raise_alert(bigint, text, @extschema@.alert_level, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.raise_alert(bigint, text, @extschema@.alert_level, jsonb) TO customer_class_admin;

-- Close an alert by hand; returns false, with a notice saying when and by
-- whom, when it was already resolved, and fails for an alert that does not
-- exist (a mistyped id must not look like "already done").  SECURITY
-- DEFINER: analysts resolve alerts without the right to write the table.
CREATE FUNCTION @extschema@.resolve_alert(alert_id bigint) RETURNS boolean
	LANGUAGE plpgsql VOLATILE STRICT SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	done record;
BEGIN
	-- resolved by the caller, not the definer this runs as
	UPDATE @extschema@.alerts a SET resolved_at = pg_catalog.now(), resolved_by = @extschema@.access_caller()
	WHERE a.alert_id = resolve_alert.alert_id AND a.resolved_at IS NULL
	  -- only an alert of a customer the caller may see (docs/access.md)
	  AND @extschema@.access_allows(a.customer_id, @extschema@.access_caller());
	IF FOUND THEN
		RETURN true;
	END IF;
	SELECT a.resolved_at, a.resolved_by INTO done FROM @extschema@.alerts a
	WHERE a.alert_id = resolve_alert.alert_id
	  AND @extschema@.access_allows(a.customer_id, @extschema@.access_caller());
	IF NOT FOUND THEN
		RAISE EXCEPTION 'alert % does not exist', alert_id
			USING ERRCODE = 'no_data_found',
				  HINT = 'SELECT alert_id, customer_id, kind FROM customer_class.alerts WHERE resolved_at IS NULL lists the open alerts.';
	END IF;
	RAISE NOTICE 'the alert was already resolved'
		USING DETAIL = pg_catalog.format('Alert %s was resolved at %s by %s.', alert_id, done.resolved_at, done.resolved_by);
	RETURN false;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.resolve_alert(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.resolve_alert(bigint) TO customer_class_analyst;

-- The periodic scan (schedule it, e.g. with pg_cron, daily): raises
-- invoice_overdue, limit_nearly_used and limit_exceeded alerts from the
-- current figures as of a date, and resolves the open ones of those kinds
-- whose condition is gone.  Returns the number of new alerts.  SECURITY
-- DEFINER: analysts run it without the right to write alerts by hand.
CREATE FUNCTION @extschema@.credit_alert_scan(as_of date DEFAULT NULL) RETURNS bigint
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	-- alerts are raised as of this date: no mistyped year
	d date := @extschema@.check_as_of(coalesce(credit_alert_scan.as_of, @extschema@.as_of()), 'credit_alert_scan');
	pct numeric := @extschema@.credit_setting('alert.nearly_used_pct')::numeric;
	n bigint := 0;
	r record;
BEGIN
	CREATE TEMP TABLE cc_alert_found (customer_id bigint, kind text, level @extschema@.alert_level, detail jsonb)
		ON COMMIT DROP;

	-- the oldest open invoice past due, per customer
	INSERT INTO cc_alert_found
	SELECT DISTINCT ON (i.customer_id) i.customer_id, 'invoice_overdue',
		   CASE WHEN d - i.due_on > 30 THEN 'red' ELSE 'yellow' END::@extschema@.alert_level,
		   jsonb_build_object('invoice_id', i.invoice_id, 'due_on', i.due_on, 'days_overdue', d - i.due_on,
							  'open_amount', i.amount - coalesce(p.paid, 0), 'as_of', d)
	FROM @extschema@.src_invoice i
	LEFT JOIN (SELECT sp.invoice_id, sum(sp.amount) AS paid FROM @extschema@.src_payment sp
			   WHERE sp.invoice_id IS NOT NULL AND sp.paid_on <= d GROUP BY sp.invoice_id) p ON p.invoice_id = i.invoice_id
	WHERE i.due_on < d AND i.amount > coalesce(p.paid, 0)
	ORDER BY i.customer_id, i.due_on, i.invoice_id;

	-- exposure against the limit
	INSERT INTO cc_alert_found
	SELECT x.customer_id,
		   CASE WHEN x.exposure > l.credit_limit THEN 'limit_exceeded' ELSE 'limit_nearly_used' END,
		   CASE WHEN x.exposure > l.credit_limit THEN 'red' ELSE 'yellow' END::@extschema@.alert_level,
		   jsonb_build_object('exposure', x.exposure, 'credit_limit', l.credit_limit,
							  'limit_source', l.limit_source, 'as_of', d, 'what', 'credit_alert_scan')
	FROM @extschema@.credit_exposure x
	CROSS JOIN LATERAL @extschema@.credit_limit_info(x.customer_id, d) l
	WHERE l.credit_limit > 0 AND x.exposure * 100 >= l.credit_limit * pct;

	-- resolve what no longer holds
	UPDATE @extschema@.alerts a SET resolved_at = pg_catalog.now(), resolved_by = CURRENT_USER
	WHERE a.resolved_at IS NULL AND a.kind IN ('invoice_overdue', 'limit_nearly_used', 'limit_exceeded')
	  AND NOT EXISTS (SELECT FROM cc_alert_found f WHERE f.customer_id = a.customer_id AND f.kind = a.kind);

	FOR r IN SELECT * FROM cc_alert_found ORDER BY customer_id, kind LOOP
		IF @extschema@.raise_alert(r.customer_id, r.kind, r.level, r.detail) IS NOT NULL THEN
			n := n + 1;
		END IF;
	END LOOP;
	DROP TABLE cc_alert_found;
	RETURN n;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.credit_alert_scan(date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.credit_alert_scan(date) TO customer_class_analyst;

-- Only read: every function that writes alerts (raise_alert, resolve_alert,
-- credit_alert_scan, the credit checks and triggers, refresh() and the
-- external_event trigger) runs as the extension's owner.
GRANT SELECT ON @extschema@.alerts TO customer_class_reader;

COMMENT ON TABLE @extschema@.alerts IS
	'credit alerts: at most one open per customer and kind; each new one is announced by NOTIFY customer_class_alerts';
COMMENT ON COLUMN @extschema@.alerts.alert_id IS 'alert key';
COMMENT ON COLUMN @extschema@.alerts.customer_id IS 'customer';
COMMENT ON COLUMN @extschema@.alerts.kind IS 'limit_nearly_used, limit_exceeded, invoice_overdue, grade_d, blocked, payment_rhythm, became_dormant or external_event';
COMMENT ON COLUMN @extschema@.alerts.level IS 'green, yellow or red';
COMMENT ON COLUMN @extschema@.alerts.detail IS 'the figures behind the alert (the credit check verdict, the overdue invoice, ...)';
COMMENT ON COLUMN @extschema@.alerts.raised_at IS 'when it was raised';
COMMENT ON COLUMN @extschema@.alerts.last_seen_at IS 'when it was last raised again while open';
COMMENT ON COLUMN @extschema@.alerts.occurrences IS 'how often it was raised while open';
COMMENT ON COLUMN @extschema@.alerts.resolved_at IS 'when it was resolved (NULL: open)';
COMMENT ON COLUMN @extschema@.alerts.resolved_by IS 'who resolved it (the scan''s role when the condition went away)';
COMMENT ON FUNCTION @extschema@.raise_alert(bigint, text, @extschema@.alert_level, jsonb) IS
	'raise an alert (NOTIFY customer_class_alerts when new) or count one more occurrence of the open one; returns the new alert id or NULL';
COMMENT ON FUNCTION @extschema@.resolve_alert(bigint) IS
	'resolve an open alert by hand; false (with a notice) when it was already resolved, an error when it does not exist';
COMMENT ON FUNCTION @extschema@.credit_alert_scan(date) IS
	'periodic scan: raises overdue-invoice and limit alerts as of a date and resolves those no longer true; returns new alerts';

-- The whole credit picture of one customer, as jsonb for an application:
-- customer, grade with its explanation (profile and explain_score), limit
-- and its source, exposure and available credit, the check modes in force
-- for it, receivables aging of the open invoices (buckets current, 1-30,
-- 31-60, 61-90, 91+ days past due), payment figures (payment index, days
-- beyond terms, on-time ratio from credit_facts), open alerts and the last
-- 20 changes of class.
CREATE FUNCTION @extschema@.credit_report(customer_id bigint, as_of date DEFAULT NULL) RETURNS jsonb
	LANGUAGE plpgsql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d date := coalesce(credit_report.as_of, @extschema@.as_of());
	c record;
	li @extschema@.credit_limit_info;
	x @extschema@.credit_exposure;
	f @extschema@.credit_facts;
	report jsonb;
BEGIN
	SELECT sc.customer_id, sc.name, sc.customer_type, sc.industry, sc.region, sc.payment_terms_days
	INTO c FROM @extschema@.src_customer sc WHERE sc.customer_id = credit_report.customer_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'customer % does not exist', customer_id USING ERRCODE = 'no_data_found';
	END IF;
	li := @extschema@.credit_limit_info(customer_id, d);
	SELECT * INTO x FROM @extschema@.credit_exposure e WHERE e.customer_id = credit_report.customer_id;
	SELECT (cf.facts).* INTO f
	FROM @extschema@.credit_facts(d, (@extschema@.active_scorecard()).scorecard_id, ARRAY[customer_id]) cf;

	report := jsonb_build_object(
		'customer', to_jsonb(c),
		'as_of', d,
		'grade', (SELECT jsonb_build_object('grade', p.credit_grade, 'score', p.credit_score,
											'computed_grade', p.computed_grade, 'overridden', p.override_id IS NOT NULL,
											'label_en', l.label_en, 'label_zh', l.label_zh,
											'graded_as_of', p.as_of, 'refreshed_at', p.refreshed_at)
				  FROM @extschema@.profile p
				  LEFT JOIN @extschema@.class_label l ON l.dimension = 'credit_grade' AND l.value = p.credit_grade::text
				  WHERE p.customer_id = credit_report.customer_id),
		'explanation', (SELECT jsonb_agg(jsonb_strip_nulls(to_jsonb(e)) ORDER BY e.step)
						FROM @extschema@.explain_score(customer_id, d) e),
		'limit', jsonb_build_object('credit_limit', li.credit_limit, 'source', li.limit_source,
									'valid_until', li.valid_until),
		'exposure', jsonb_build_object(
			'open_orders', coalesce(x.open_orders, 0), 'shipped_not_invoiced', coalesce(x.shipped_not_invoiced, 0),
			'invoice_balance', coalesce(x.invoice_balance, 0), 'unapplied_credits', coalesce(x.unapplied_credits, 0),
			'exposure', coalesce(x.exposure, 0),
			'available', li.credit_limit - coalesce(x.exposure, 0),
			'used_pct', round(coalesce(x.exposure, 0) * 100 / nullif(li.credit_limit, 0), 1)),
		'checks', jsonb_build_object(
			'order', @extschema@.credit_check_mode(customer_id, 'order', d),
			'delivery', @extschema@.credit_check_mode(customer_id, 'delivery', d),
			'invoice', @extschema@.credit_check_mode(customer_id, 'invoice', d),
			'rule.overdue_days', @extschema@.credit_setting('rule.overdue_days'),
			'rule.grade_d', @extschema@.credit_setting('rule.grade_d')),
		'aging', (SELECT jsonb_build_object(
						'current', coalesce(sum(o.open) FILTER (WHERE d - o.due_on <= 0), 0),
						'1-30', coalesce(sum(o.open) FILTER (WHERE d - o.due_on BETWEEN 1 AND 30), 0),
						'31-60', coalesce(sum(o.open) FILTER (WHERE d - o.due_on BETWEEN 31 AND 60), 0),
						'61-90', coalesce(sum(o.open) FILTER (WHERE d - o.due_on BETWEEN 61 AND 90), 0),
						'91+', coalesce(sum(o.open) FILTER (WHERE d - o.due_on > 90), 0),
						'open_invoices', count(*) FILTER (WHERE o.open > 0))
				  FROM (SELECT i.due_on, i.amount - coalesce((SELECT sum(p.amount) FROM @extschema@.src_payment p
															  WHERE p.invoice_id = i.invoice_id AND p.paid_on <= d), 0) AS open
						FROM @extschema@.src_invoice i
						WHERE i.customer_id = credit_report.customer_id AND i.issued_on <= d) o
				  WHERE o.open > 0),
		'payments', jsonb_build_object('payment_index', f.payment_index, 'recent_payment_index', f.recent_payment_index,
									   'days_beyond_terms', f.days_beyond_terms, 'on_time_ratio', f.on_time_ratio,
									   'invoices_paid', f.invoices_paid, 'overdue_balance', f.overdue_balance,
									   'revenue_12m', f.revenue_12m),
		'open_alerts', coalesce((SELECT jsonb_agg(jsonb_build_object('alert_id', a.alert_id, 'kind', a.kind, 'level', a.level,
															 'raised_at', a.raised_at, 'occurrences', a.occurrences,
															 'detail', a.detail) ORDER BY a.alert_id)
								 FROM @extschema@.alerts a
								 WHERE a.customer_id = credit_report.customer_id AND a.resolved_at IS NULL), '[]'),
		'alert_level', coalesce((SELECT max(a.level)::text FROM @extschema@.alerts a
								 WHERE a.customer_id = credit_report.customer_id AND a.resolved_at IS NULL), 'green'),
		'history', coalesce((SELECT jsonb_agg(jsonb_build_object('dimension', h.dimension, 'old', h.old_value, 'new', h.new_value,
														 'as_of', h.as_of, 'why', h.why) ORDER BY h.history_id DESC)
							 FROM (SELECT * FROM @extschema@.class_history ch
								   WHERE ch.customer_id = credit_report.customer_id
								   ORDER BY ch.history_id DESC LIMIT 20) h), '[]'));
	RETURN report;
END
$$;
GRANT EXECUTE ON FUNCTION @extschema@.credit_report(bigint, date) TO customer_class_reader;
COMMENT ON FUNCTION @extschema@.credit_report(bigint, date) IS
	'the whole credit picture of one customer as jsonb: grade and explanation, limit, exposure, check modes, aging, payment index, open alerts, recent history';

-- Errors that say what is accepted (checks/explain.sql): the WHEN clause is
-- true exactly when one of the table's CHECK constraints is false (a NULL
-- result passes a CHECK); keep it in step with the table's CHECKs.
CREATE TRIGGER alerts_explain_check BEFORE INSERT OR UPDATE ON @extschema@.alerts
	FOR EACH ROW WHEN ((NEW.kind IN ('limit_nearly_used', 'limit_exceeded', 'invoice_overdue', 'grade_d', 'blocked',
									 'payment_rhythm', 'became_dormant', 'external_event')) IS FALSE)
	EXECUTE FUNCTION @extschema@.explain_check_violation();

-- ---- src/sql/credit/warnings.sql ----
-- Early warnings (docs/warnings.md): the payment-rhythm warning computed by
-- refresh() from the facts, a customer turning dormant, and negative events
-- recorded from outside (court records, credit agencies).  All land in the
-- alerts table and are announced with NOTIFY customer_class_alerts.

CREATE FUNCTION @extschema@.payment_warning(facts @extschema@.credit_facts,
											policy @extschema@.lifecycle_policy, as_of date)
	RETURNS @extschema@.alert_level
	AS 'MODULE_PATHNAME', 'payment_warning'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.payment_warning(@extschema@.credit_facts, @extschema@.lifecycle_policy, date) IS
	'payment-rhythm warning of a customer''s facts as of a date: yellow when its last two settlements each took clearly longer than its own baseline, red when its orders fell sharply too, NULL otherwise (rule in docs/warnings.md)';

-- The NOTIFY of a new alert; the payload is the documented one.
CREATE FUNCTION @extschema@.notify_alert(a @extschema@.alerts) RETURNS void
	LANGUAGE sql VOLATILE STRICT
	SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	SELECT pg_catalog.pg_notify('customer_class_alerts', pg_catalog.jsonb_build_object('alert_id', a.alert_id)::text);
END;
REVOKE EXECUTE ON FUNCTION @extschema@.notify_alert(@extschema@.alerts) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.notify_alert(@extschema@.alerts) TO customer_class_analyst;
COMMENT ON FUNCTION @extschema@.notify_alert(@extschema@.alerts) IS
	'send NOTIFY customer_class_alerts with the JSON payload of an alert';

-- Called by refresh() after it computed this refresh's classes into the temp
-- table cc_refresh_new, beside the previous ones (old_*), before it writes
-- them to profile:
--   payment_rhythm: raised when the warning appears or changes level against
--     the previous profile.payment_warning; an open one whose level changed
--     is resolved first (so a yellow that turns red is announced again), one
--     whose warning went away is resolved; while the warning stays as it
--     was, an open alert counts an occurrence and one resolved by hand stays
--     resolved;
--   became_dormant: raised when a customer that had ordered is dormant or
--     churned and its silence, for the first time since its last order,
--     reaches dormant_gap_factor x its own last gap between orders too
--     (buyers of large orders months apart are not alerted at every pause);
--     resolved when it buys again.  The first classification raises none:
--     it cannot tell when that happened.
-- Returns the number of new alerts.
CREATE FUNCTION @extschema@.refresh_alerts(as_of date) RETURNS bigint
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	n bigint;
BEGIN
	UPDATE @extschema@.alerts a SET resolved_at = pg_catalog.now(), resolved_by = SESSION_USER
	FROM pg_temp.cc_refresh_new r
	WHERE a.customer_id = r.customer_id AND a.resolved_at IS NULL AND NOT r.gone
	  AND (a.kind = 'payment_rhythm' AND a.level IS DISTINCT FROM r.payment_warning
		   OR a.kind = 'became_dormant' AND r.lifecycle_stage NOT IN ('dormant', 'churned'));

	WITH found AS (
		SELECT r.customer_id, 'payment_rhythm' AS kind, r.payment_warning AS level,
			   jsonb_build_object('as_of', refresh_alerts.as_of,
								  'last_pay_days', (r.facts).last_pay_days, 'prev_pay_days', (r.facts).prev_pay_days,
								  'usual_pay_days', (r.facts).pay_days_median, 'spread_days', (r.facts).pay_days_spread,
								  'last_settled_on', (r.facts).last_settled_on,
								  'oldest_open_issued_on', (r.facts).oldest_open_issued_on,
								  'orders_90d', (r.facts).orders_90d, 'orders_prior_90d', (r.facts).orders_prior_90d) AS detail,
			   r.payment_warning IS DISTINCT FROM r.old_warning AS changed
		FROM pg_temp.cc_refresh_new r
		WHERE r.payment_warning IS NOT NULL
		UNION ALL
		SELECT r.customer_id, 'became_dormant', 'yellow',
			   jsonb_build_object('as_of', refresh_alerts.as_of, 'stage', r.lifecycle_stage,
								  'previous_stage', r.old_stage, 'last_order_on', r.last_order_on,
								  'days_since_last_order', refresh_alerts.as_of - r.last_order_on,
								  'last_gap_days', r.last_order_on - (r.facts).previous_order_on,
								  'quiet_after_days', q.days),
			   true
		FROM pg_temp.cc_refresh_new r
		JOIN @extschema@.lifecycle_policy pol ON pol.policy_id = r.lifecycle_policy_id
		CROSS JOIN LATERAL (SELECT greatest(pol.dormant_days,
											ceil(pol.dormant_gap_factor * (r.last_order_on - (r.facts).previous_order_on)))::integer) q (days)
		WHERE r.lifecycle_stage IN ('dormant', 'churned') AND r.existed AND r.old_stage <> 'potential'
		  AND refresh_alerts.as_of - r.last_order_on >= q.days
		  -- not yet that quiet at the previous refresh (or it ordered since)
		  AND (r.old_stage NOT IN ('dormant', 'churned')
			   OR r.old_last_order_on IS DISTINCT FROM r.last_order_on
			   OR r.old_as_of - r.old_last_order_on < q.days)
	),
	-- a warning as it was: seen again on its open alert, if there is one
	seen AS (
		UPDATE @extschema@.alerts x
		SET occurrences = x.occurrences + 1, last_seen_at = pg_catalog.now(), detail = f.detail
		FROM found f
		WHERE NOT f.changed AND x.customer_id = f.customer_id AND x.kind = f.kind AND x.resolved_at IS NULL
	),
	raised AS (
		INSERT INTO @extschema@.alerts AS x (customer_id, kind, level, detail)
		SELECT f.customer_id, f.kind, f.level::@extschema@.alert_level, f.detail FROM found f
		WHERE f.changed
		ORDER BY f.customer_id, f.kind
		ON CONFLICT (customer_id, kind) WHERE resolved_at IS NULL DO UPDATE
		SET occurrences = x.occurrences + 1, last_seen_at = pg_catalog.now(), detail = excluded.detail
		RETURNING x AS alert, x.xmax = 0 AS fresh
	)
	SELECT count(@extschema@.notify_alert(r.alert)) INTO n
	FROM (SELECT alert FROM raised WHERE fresh ORDER BY (alert).customer_id, (alert).kind) r;
	RETURN n;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.refresh_alerts(date) FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.refresh_alerts(date) IS
	'part of refresh(): raises and resolves payment_rhythm and became_dormant alerts from the classes being written; returns new alerts';

-- Negative events about a customer from outside: imported (COPY, an API
-- feed) by an analyst.  No foreign key to the customer table: customers may
-- live in a bound ERP table.
CREATE TABLE @extschema@.external_event (
	event_id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	customer_id		bigint NOT NULL,
	event_on		date NOT NULL,
	kind			text NOT NULL,
	source			text NOT NULL,
	reference		text,
	detail			text NOT NULL DEFAULT '',
	imported_at		timestamptz NOT NULL DEFAULT pg_catalog.now(),
	imported_by		name NOT NULL DEFAULT CURRENT_USER,
	alert_id		bigint,
	CONSTRAINT external_event_kind_valid CHECK (kind IN ('litigation', 'frozen_equity', 'enforcement', 'bankruptcy',
														  'administrative_penalty', 'dishonoured_bill', 'rating_downgrade', 'other')),
	CONSTRAINT external_event_source_given CHECK (source <> '')
);
CREATE INDEX external_event_customer_idx ON @extschema@.external_event (customer_id, event_on);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.external_event', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.external_event_event_id_seq', '');
GRANT SELECT ON @extschema@.external_event TO customer_class_reader;
GRANT INSERT, UPDATE, DELETE ON @extschema@.external_event TO customer_class_analyst;

COMMENT ON TABLE @extschema@.external_event IS
	'negative events about customers from outside (litigation, frozen equity, ...); each insert raises a red external_event alert';
COMMENT ON COLUMN @extschema@.external_event.event_id IS 'event key';
COMMENT ON COLUMN @extschema@.external_event.customer_id IS 'customer concerned';
COMMENT ON COLUMN @extschema@.external_event.event_on IS 'when it happened (per the source)';
COMMENT ON COLUMN @extschema@.external_event.kind IS 'litigation, frozen_equity, enforcement, bankruptcy, administrative_penalty, dishonoured_bill, rating_downgrade or other';
COMMENT ON COLUMN @extschema@.external_event.source IS 'where it comes from (court records, rating agency, ...)';
COMMENT ON COLUMN @extschema@.external_event.reference IS 'the source''s own reference (case number, ...)';
COMMENT ON COLUMN @extschema@.external_event.detail IS 'free text';
COMMENT ON COLUMN @extschema@.external_event.imported_at IS 'when it was recorded here';
COMMENT ON COLUMN @extschema@.external_event.imported_by IS 'who recorded it';
COMMENT ON COLUMN @extschema@.external_event.alert_id IS 'the external_event alert this event raised or was counted on (set by the insert trigger; an event inserted with it set, as by a restore, raises nothing)';

-- One statement, one alert per customer (a COPY of a whole feed announces
-- each customer once); an open alert counts the new events as occurrences.
-- Each event remembers its alert in alert_id.  That is also how a restore
-- is told apart: pg_dump writes the events with their alert_id and the
-- alerts themselves, so restored events (alert_id set) raise nothing again,
-- whether or not their alerts were restored first.  No session setting is
-- consulted: none of them is reserved to a restore.  SECURITY DEFINER:
-- analysts record events, but only the extension writes alerts.
CREATE FUNCTION @extschema@.external_event_alert() RETURNS trigger
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	n bigint;
BEGIN
	WITH per_customer AS (
		SELECT e.customer_id, count(*) AS events,
			   (array_agg(jsonb_build_object('event_id', e.event_id, 'event_on', e.event_on, 'kind', e.kind,
											 'source', e.source, 'reference', e.reference, 'detail', e.detail)
						  ORDER BY e.event_on DESC, e.event_id DESC))[1] AS latest
		FROM new_events e
		WHERE e.alert_id IS NULL
		GROUP BY e.customer_id
	),
	raised AS (
		INSERT INTO @extschema@.alerts AS x (customer_id, kind, level, detail)
		SELECT c.customer_id, 'external_event', 'red', c.latest || jsonb_build_object('events', c.events)
		FROM per_customer c
		ON CONFLICT (customer_id, kind) WHERE resolved_at IS NULL DO UPDATE
		SET occurrences = x.occurrences + (excluded.detail ->> 'events')::integer,
			last_seen_at = pg_catalog.now(), detail = excluded.detail
		RETURNING x AS alert, x.xmax = 0 AS fresh
	),
	linked AS (
		UPDATE @extschema@.external_event e SET alert_id = (r.alert).alert_id
		FROM new_events ne, raised r
		WHERE e.event_id = ne.event_id AND ne.alert_id IS NULL AND ne.customer_id = (r.alert).customer_id
	)
	SELECT count(@extschema@.notify_alert(r.alert)) INTO n
	FROM (SELECT alert FROM raised WHERE fresh ORDER BY (alert).customer_id) r;
	RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.external_event_alert() FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.external_event_alert() IS
	'statement trigger: raises a red external_event alert per customer of the inserted events that have no alert_id yet, and links the events to it';
CREATE TRIGGER external_event_alert AFTER INSERT ON @extschema@.external_event
	REFERENCING NEW TABLE AS new_events
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.external_event_alert();

-- Errors that say what is accepted (checks/explain.sql): the WHEN clause is
-- true exactly when one of the table's CHECK constraints is false (a NULL
-- result passes a CHECK); keep it in step with the table's CHECKs.
CREATE TRIGGER external_event_explain_check BEFORE INSERT OR UPDATE ON @extschema@.external_event
	FOR EACH ROW WHEN ((NEW.kind IN ('litigation', 'frozen_equity', 'enforcement', 'bankruptcy', 'administrative_penalty',
									 'dishonoured_bill', 'rating_downgrade', 'other')) IS FALSE
		OR (NEW.source <> '') IS FALSE)
	EXECUTE FUNCTION @extschema@.explain_check_violation();

-- ---- src/sql/credit/rules.sql ----
-- Credit control, part 4: the rules a credit manager relies on beyond the
-- limit (docs/credit.md).
--
--   external events   an external negative event not yet reviewed caps the
--                     grade (rule.external_event, credit_event_cap() in
--                     credit/policy.sql); the triggers (in credit/triggers.sql)
--                     that make a new event count at once: the checks' cache, the
--                     ledger row that concurrent checks wait on, the dirty
--                     queue, and the review (its alert resolved)
--   customer checks   overrides, external scores, check exceptions and
--                     external events must name a customer that exists; a
--                     window wholly in the past is accepted with a WARNING
--   payment terms     an invoice written without due_on is due by the
--                     customer's terms (days from the invoice or from the
--                     end of its month), shortened by its grade's terms

-- == External negative events ==

-- A new, changed or deleted event can change what the checks read (the
-- grade cap): flush the C order trigger's cache (ENABLE ALWAYS, as for the
-- other tables the checks read), lock the customer's ledger row so that a
-- concurrent order waits for it (credit_touch_exposure, credit/check.sql),
-- and queue the customer for the next refresh().
-- Those triggers on external_event are in credit/triggers.sql.

-- Reviewing an event is resolving its external_event alert
-- (resolve_alert()): the cap is lifted at once for the checks (which read
-- the alert), and the customer is queued so that the next refresh() grades
-- it without the cap.  No ledger row is touched: lifting a cap only loosens
-- the check.  SECURITY DEFINER like mark_dirty(): whoever resolves the alert
-- need not write the queue.
CREATE FUNCTION @extschema@.external_event_reviewed() RETURNS trigger
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	INSERT INTO @extschema@.dirty (customer_id) VALUES (NEW.customer_id);
	RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.external_event_reviewed() FROM PUBLIC;
-- its trigger on alerts: credit/triggers.sql

-- == Rows that must name an existing customer ==

-- An override, external score, check exception or external event for a
-- customer that does not exist would be accepted and do nothing: refused
-- (23503, like a foreign key).  Not a foreign key: customers may live in a
-- bound ERP relation (src_customer), and pg_restore -j loads these config
-- tables beside the customers, in any order; so, like the other triggers
-- that check (credit_enforce), it checks nothing while check_function_bodies
-- is off, which pg_dump's output sets -- restored rows were accepted once.
-- (In session_replication_role = replica, as for a logical replica or the
-- sample load, ordinary triggers do not fire either.)  A new row whose
-- window lies wholly before the as-of date is accepted with a WARNING that
-- it has no effect: history may be recorded on purpose.  An UPDATE is
-- checked only for a changed customer: setting expires_on to end a row
-- early is the documented way to end it.
CREATE FUNCTION @extschema@.customer_reference_check() RETURNS trigger
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d date;
	ends date;
	max_age integer;
BEGIN
	IF current_setting('check_function_bodies') = 'off' THEN
		RETURN NEW;
	END IF;
	IF NOT EXISTS (SELECT FROM @extschema@.src_customer c WHERE c.customer_id = NEW.customer_id) THEN
		RAISE EXCEPTION 'customer % does not exist', NEW.customer_id
			USING ERRCODE = 'foreign_key_violation',
				  DETAIL = format('Every row of %s must name a customer of customer_class.src_customer.', TG_TABLE_NAME),
				  HINT = 'Correct customer_id, or create the customer first.';
	END IF;
	IF TG_OP <> 'INSERT' THEN
		RETURN NEW;
	END IF;
	d := @extschema@.as_of();
	IF TG_TABLE_NAME IN ('credit_limit_override', 'credit_override', 'credit_check_exception') THEN
		ends := (to_jsonb(NEW) ->> 'expires_on')::date;
		-- (a window ending before it starts fails its CHECK constraint next)
		IF ends <= d AND NOT coalesce(ends <= (to_jsonb(NEW) ->> 'valid_from')::date, false) THEN
			RAISE WARNING '% row for customer % expires on %, not after the as-of date %: it has no effect',
				TG_TABLE_NAME, NEW.customer_id, ends, d
				USING HINT = 'Give an expires_on after customer_class.as_of() for it to apply.';
		END IF;
	ELSIF TG_TABLE_NAME = 'external_score' THEN
		SELECT s.external_max_age_days INTO max_age FROM @extschema@.active_scorecard() s;
		IF NEW.scored_on <= d - max_age THEN
			RAISE WARNING 'external score for customer % of % is older than % days at the as-of date %: it has no effect',
				NEW.customer_id, NEW.scored_on, max_age, d
				USING HINT = 'The scorecard blends only scores of the last external_max_age_days days.';
		END IF;
	END IF;
	RETURN NEW;
END
$$;
-- its triggers: classes/triggers.sql (external_score, credit_override) and
-- credit/triggers.sql (credit_limit_override, credit_check_exception,
-- external_event)

-- == Payment terms ==

-- The due date of terms: days from the issue date (basis invoice), or from
-- the last day of the month of issue (basis month_end: "30 days end of
-- month", 月结30天: issued 2026-01-10 or 2026-01-31, due 2026-03-02).
CREATE FUNCTION @extschema@.payment_due_on(issued_on date, terms_days integer, basis text DEFAULT 'invoice')
	RETURNS date
	LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF basis = 'invoice' THEN
		RETURN issued_on + terms_days;
	ELSIF basis = 'month_end' THEN
		RETURN (date_trunc('month', issued_on::timestamp) + interval '1 month')::date - 1 + terms_days;
	END IF;
	RAISE EXCEPTION 'invalid payment terms basis "%"', basis
		USING ERRCODE = 'invalid_parameter_value',
			  HINT = 'The basis is invoice (days from the issue date) or month_end (days from the end of the month of issue).';
END
$$;

-- The due date of a customer's invoice issued on a date: by the customer's
-- own terms (src_customer.payment_terms_days and payment_terms_basis), or
-- by the terms of its grade's limit policy row in force on that date when
-- they fall due earlier (the grade is the one the credit checks read, an
-- external event's cap included).  NULL for an unknown customer.
CREATE FUNCTION @extschema@.invoice_due_on(customer_id bigint, issued_on date) RETURNS date
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT least(@extschema@.payment_due_on(invoice_due_on.issued_on, c.payment_terms_days, c.payment_terms_basis),
				 @extschema@.payment_due_on(invoice_due_on.issued_on, p.payment_terms_days, p.payment_terms_basis))
	FROM @extschema@.src_customer c
	CROSS JOIN LATERAL @extschema@.credit_limit_rows(c.customer_id, invoice_due_on.issued_on) l
	LEFT JOIN LATERAL (
		SELECT lp.payment_terms_days, lp.payment_terms_basis
		FROM @extschema@.credit_limit_policy lp
		WHERE lp.grade IS NOT DISTINCT FROM l.credit_grade AND lp.valid_from <= invoice_due_on.issued_on
		ORDER BY lp.shipped, lp.valid_from DESC LIMIT 1) p ON true
	WHERE c.customer_id = invoice_due_on.customer_id;
END;

-- An invoice written without due_on gets it from the terms, once: a later
-- change of terms does not move an issued invoice's due date.  The managed
-- table keeps due_on NOT NULL (checked after this trigger), so src_invoice
-- and everything that reads it see the computed date.  SECURITY DEFINER, as
-- the credit triggers: any role allowed to write invoices gets the date
-- from the customer, grade and policy whatever it may read itself.
CREATE FUNCTION @extschema@.invoice_fill_due_on() RETURNS trigger
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	NEW.due_on := @extschema@.invoice_due_on(NEW.customer_id, NEW.issued_on);
	RETURN NEW;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.invoice_fill_due_on() FROM PUBLIC;
-- its trigger on invoice: sources/triggers.sql

GRANT EXECUTE ON FUNCTION @extschema@.invoice_due_on(bigint, date) TO customer_class_reader;

COMMENT ON FUNCTION @extschema@.external_event_reviewed() IS
	'trigger: an external_event alert resolved (the event reviewed) queues its customer, so that the next refresh() lifts the grade cap';
COMMENT ON FUNCTION @extschema@.customer_reference_check() IS
	'trigger: refuses an override, external score, check exception or external event for a customer not in src_customer (23503; not during a restore), and warns when a new row''s window lies wholly before the as-of date';
COMMENT ON FUNCTION @extschema@.payment_due_on(date, integer, text) IS
	'due date of payment terms: issued_on + days (basis invoice), or the last day of the month of issue + days (basis month_end, 月结)';
COMMENT ON FUNCTION @extschema@.invoice_due_on(bigint, date) IS
	'due date of a customer''s invoice issued on a date: the earlier of its own payment terms and those of its grade''s limit policy';
COMMENT ON FUNCTION @extschema@.invoice_fill_due_on() IS
	'trigger: an invoice written without due_on is due by invoice_due_on()';

-- ---- src/sql/refresh/refresh.sql ----
-- refresh(): recomputes the customers queued in dirty (queue.sql), or
-- everyone when the as-of date or the policy changed, writes profile and
-- records every change of class in class_history.

-- One row of cc_refresh_new, the work table of refresh(): a customer's new
-- classes and the figures profile keeps, beside its previous classes from
-- profile (existed: it had one), and its facts whole (the explanations in
-- class_history and the alerts read a few rows' other figures from them).
-- gone marks a profile whose customer is no longer in the sources (then
-- only the old_* columns are set).  The columns every row is compared on
-- come first, so a scan that filters on them need not take the rest of the
-- row apart.
CREATE TYPE @extschema@.refresh_row AS (
	customer_id				bigint,
	gone					boolean,
	existed					boolean,
	credit_grade			@extschema@.credit_grade,
	lifecycle_stage			@extschema@.lifecycle_stage,
	lifecycle_phase			@extschema@.lifecycle_phase,
	segment					@extschema@.behaviour_segment,
	payment_warning			@extschema@.alert_level,
	last_order_on			date,
	orders_12m				integer,
	revenue_12m				numeric,
	old_grade				@extschema@.credit_grade,
	old_stage				@extschema@.lifecycle_stage,
	old_phase				@extschema@.lifecycle_phase,
	old_segment				@extschema@.behaviour_segment,
	old_rfm					@extschema@.rfm_segment,
	old_warning				@extschema@.alert_level,
	old_override			bigint,
	old_last_order_on		date,
	old_as_of				date,
	as_of					date,
	scorecard_id			text,
	policy_version			bigint,
	scale_points			numeric(5,2),
	payment_points			numeric(5,2),
	stability_points		numeric(5,2),
	risk_points				numeric(5,2),
	internal_score			numeric(5,2),
	external_score			numeric,
	credit_score			numeric(5,2),
	computed_grade			@extschema@.credit_grade,
	override_id				bigint,
	refreshed_at			timestamptz,
	lifecycle_policy_id		text,
	first_order_on			date,
	payment_index			numeric,
	days_beyond_terms		numeric,
	open_balance			numeric,
	overdue_balance			numeric,
	overdue_invoices		integer,
	facts					@extschema@.credit_facts
);
COMMENT ON TYPE @extschema@.refresh_row IS
	'part of refresh(): one customer''s new classes and figures beside its previous classes (the rows of the temp table cc_refresh_new)';

-- refresh_rows(as_of, scorecard, lifecycle policy, policy version, customers,
-- from_customer, to_customer): the refresh_row of every customer, of those
-- listed, or of those with from_customer <= customer_id < to_customer (NULL:
-- unbounded).  Planned for its bounds on each call.  Not inlined, on
-- purpose: a parallel append runs each call whole in one worker (see
-- refresh_rows_query), which then does all the work of its customers --
-- facts, scores, and the lookups of the override in force and of the
-- previous profile -- and hands the leader finished rows.  The cost tells
-- the planner that a call is worth a worker of its own.
--
-- The scores are computed in a subquery's target list (OFFSET 0 keeps them
-- there, one call per customer) rather than by lateral function scans, which
-- build a tuplestore per call.
CREATE FUNCTION @extschema@.refresh_rows(as_of date, card @extschema@.scorecard,
										 pol @extschema@.lifecycle_policy, version bigint,
										 customers bigint[] DEFAULT NULL,
										 from_customer bigint DEFAULT NULL, to_customer bigint DEFAULT NULL)
	RETURNS SETOF @extschema@.refresh_row
	LANGUAGE plpgsql STABLE PARALLEL SAFE COST 1000000000 ROWS 100000
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	lo text := coalesce(from_customer::text, 'NULL');
	hi text := coalesce(to_customer::text, 'NULL');
BEGIN
	RETURN QUERY EXECUTE pg_catalog.format($q$
	SELECT x.customer_id, false AS gone, p.customer_id IS NOT NULL AS existed,
		   coalesce(o.grade, greatest((x.s).grade, ev.cap)) AS credit_grade, (x.l).stage AS lifecycle_stage,
		   (x.l).phase AS lifecycle_phase, (x.l).segment, x.payment_warning, (x.facts).last_order_on,
		   (x.facts).orders_12m, (x.facts).revenue_12m, p.credit_grade AS old_grade,
		   p.lifecycle_stage AS old_stage, p.lifecycle_phase AS old_phase,
		   p.behaviour_segment AS old_segment, p.rfm_segment AS old_rfm,
		   p.payment_warning AS old_warning, p.override_id AS old_override,
		   p.last_order_on AS old_last_order_on, p.as_of AS old_as_of, $1 AS as_of, ($2).scorecard_id,
		   $4 AS policy_version, (x.s).scale_points::numeric(5,2) AS scale_points,
		   (x.s).payment_points::numeric(5,2) AS payment_points,
		   (x.s).stability_points::numeric(5,2) AS stability_points,
		   (x.s).risk_points::numeric(5,2) AS risk_points,
		   (x.s).internal_score::numeric(5,2) AS internal_score,
		   (x.facts).external_score,
		   (x.s).score::numeric(5,2) AS credit_score, (x.s).grade AS computed_grade, o.override_id,
		   pg_catalog.now() AS refreshed_at, ($3).policy_id AS lifecycle_policy_id,
		   (x.facts).first_order_on, (x.facts).payment_index, (x.facts).days_beyond_terms,
		   (x.facts).open_balance, (x.facts).overdue_balance, (x.facts).overdue_invoices, x.facts
	FROM (SELECT f.customer_id, f.facts, @extschema@.credit_score(f.facts, $2) AS s,
				 @extschema@.lifecycle_classify(f.facts, $3, $1) AS l,
				 @extschema@.payment_warning(f.facts, $3, $1) AS payment_warning
		  FROM @extschema@.credit_facts($1, ($2).scorecard_id, $5, %1$s, %2$s) f OFFSET 0) x
	-- the override in force: the latest set
	LEFT JOIN (SELECT DISTINCT ON (co.customer_id) co.customer_id, co.override_id, co.grade
			   FROM @extschema@.credit_override co
			   WHERE co.valid_from <= $1 AND $1 < co.expires_on
				 AND ($5 IS NULL OR co.customer_id = ANY ($5))
				 AND (%1$s::bigint IS NULL OR co.customer_id >= %1$s) AND (%2$s::bigint IS NULL OR co.customer_id < %2$s)
			   ORDER BY co.customer_id, co.set_at DESC, co.override_id DESC) o ON o.customer_id = x.customer_id
	-- an external negative event not yet reviewed (its alert open) caps the
	-- grade at rule.external_event, as credit_event_cap() does for the checks
	LEFT JOIN (SELECT DISTINCT e.customer_id,
					  (SELECT nullif(cs.value, 'off') FROM @extschema@.credit_setting cs
					   WHERE cs.name = 'rule.external_event' ORDER BY cs.shipped LIMIT 1)::@extschema@.credit_grade AS cap
			   FROM @extschema@.external_event e
			   LEFT JOIN @extschema@.alerts a ON a.alert_id = e.alert_id
			   WHERE e.event_on <= $1 AND a.resolved_at IS NULL
				 AND ($5 IS NULL OR e.customer_id = ANY ($5))
				 AND (%1$s::bigint IS NULL OR e.customer_id >= %1$s) AND (%2$s::bigint IS NULL OR e.customer_id < %2$s)) ev
		ON ev.customer_id = x.customer_id
	LEFT JOIN (SELECT p.* FROM @extschema@.profile p
			   WHERE ($5 IS NULL OR p.customer_id = ANY ($5))
				 AND (%1$s::bigint IS NULL OR p.customer_id >= %1$s) AND (%2$s::bigint IS NULL OR p.customer_id < %2$s)) p
		ON p.customer_id = x.customer_id
	$q$, lo, hi)
	USING as_of, card, pol, version, customers;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.refresh_rows(date, @extschema@.scorecard, @extschema@.lifecycle_policy, bigint, bigint[], bigint, bigint) FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.refresh_rows(date, @extschema@.scorecard, @extschema@.lifecycle_policy, bigint, bigint[], bigint, bigint) IS
	'part of refresh(): new classes beside the previous ones of everyone, of the customers listed, or of one customer_id range (one parallel worker takes a whole range)';

-- refresh_rows_query(everyone, min_customers): the query refresh() fills
-- cc_refresh_new from, with $1 as_of, $2 the scorecard, $3 the lifecycle
-- policy, $4 the policy version and $5 the customers asked for.  For
-- everyone, when parallel workers may be used and there are at least
-- min_customers customers, a UNION ALL of refresh_rows() over customer_id
-- ranges of about equal size, a few per worker: a parallel append hands each
-- range to one worker, which aggregates it in customer order.  (Partial
-- aggregation would not help: every worker would see nearly every customer,
-- and ship each one's invoices to the leader.)
CREATE FUNCTION @extschema@.refresh_rows_query(everyone boolean, min_customers bigint DEFAULT 20000) RETURNS text
	LANGUAGE plpgsql STABLE PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	workers int := pg_catalog.current_setting('max_parallel_workers_per_gather')::int;
	parts int := 3 * greatest(workers, 1);
	customers bigint;
	cuts bigint[];
	q text := '';
	lo bigint;
	hi bigint;
BEGIN
	IF NOT everyone THEN
		RETURN 'SELECT * FROM @extschema@.refresh_rows($1, $2, $3, $4, $5)';
	END IF;
	IF workers > 0 THEN
		SELECT count(*), percentile_disc((SELECT array_agg(k::float8 / parts) FROM generate_series(1, parts - 1) k))
						 WITHIN GROUP (ORDER BY c.customer_id)
		INTO customers, cuts
		FROM @extschema@.src_customer c;
	END IF;
	IF workers = 0 OR customers < min_customers THEN
		RETURN 'SELECT * FROM @extschema@.refresh_rows($1, $2, $3, $4)';
	END IF;
	FOR i IN 1 .. pg_catalog.array_length(cuts, 1) + 1 LOOP
		hi := cuts[i];			-- NULL past the last cut: unbounded
		CONTINUE WHEN hi IS NOT NULL AND hi IS NOT DISTINCT FROM lo;
		q := q || CASE WHEN q = '' THEN '' ELSE ' UNION ALL ' END
			 || pg_catalog.format('SELECT * FROM @extschema@.refresh_rows($1, $2, $3, $4, NULL, %s, %s)',
								  coalesce(lo::text, 'NULL'), coalesce(hi::text, 'NULL'));
		lo := hi;
	END LOOP;
	RETURN q;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.refresh_rows_query(boolean, bigint) FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.refresh_rows_query(boolean, bigint) IS
	'part of refresh(): the query of the rows to recompute (everyone: customer_id ranges of refresh_rows() for parallel workers; else the queued customers)';

-- refresh_compute(as_of, scorecard, lifecycle policy, policy version,
-- customers): part of refresh().  Fills the temp table cc_refresh_new with
-- the refresh_row of everyone, or of the customers listed.
--
-- CREATE TABLE AS, not INSERT ... SELECT: only the former may run its query
-- in parallel workers.  Facts are aggregated one customer at a time over
-- the sources read in customer_id order (an index merge, or a sort):
-- constant memory, where a hash aggregate would hold every customer's
-- invoices at once and spill.  The leader takes no range itself: while it
-- computed one (seconds) the workers' result queues would fill and stop
-- them; it writes the rows they send.
CREATE FUNCTION @extschema@.refresh_compute(as_of date, card @extschema@.scorecard,
											pol @extschema@.lifecycle_policy, version bigint, customers bigint[])
	RETURNS void
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
	SET enable_hashagg = off
	SET parallel_leader_participation = off
AS $$
BEGIN
	IF pg_catalog.to_regclass('pg_temp.cc_refresh_new') IS NOT NULL THEN
		DROP TABLE pg_temp.cc_refresh_new;
	END IF;
	EXECUTE 'CREATE TEMP TABLE cc_refresh_new ON COMMIT DROP AS '
			|| @extschema@.refresh_rows_query(customers IS NULL)
	USING as_of, card, pol, version, customers;
	-- no ANALYZE: the statements after this one scan the table whole, and
	-- its size, which the planner reads off the file, is all they need
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.refresh_compute(date, @extschema@.scorecard, @extschema@.lifecycle_policy, bigint, bigint[]) FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.refresh_compute(date, @extschema@.scorecard, @extschema@.lifecycle_policy, bigint, bigint[]) IS
	'part of refresh(): the new classes of everyone or of the customers listed, beside their previous ones, into the temp table cc_refresh_new';

-- refresh_history(as_of, lifecycle policy, RFM bounds): part of refresh().
-- Appends to class_history every class in cc_refresh_new that differs from
-- the previous one, with the reason; returns the customers with a change.
CREATE FUNCTION @extschema@.refresh_history(d date, pol @extschema@.lifecycle_policy,
											bounds @extschema@.rfm_boundary)
	RETURNS bigint
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	changed bigint;
BEGIN
	WITH hist AS (
		INSERT INTO @extschema@.class_history (customer_id, dimension, old_value, new_value, as_of, why)
		SELECT j.customer_id, x.dimension, x.old_value, x.new_value, d, x.why
		FROM (
			SELECT n.customer_id, n.gone,
				   n.old_grade, n.credit_grade AS new_grade,
				   n.old_stage, n.lifecycle_stage AS new_stage,
				   n.old_phase, n.lifecycle_phase AS new_phase,
				   n.old_segment, n.segment AS new_segment,
				   n.old_rfm, (@extschema@.rfm_score(d - n.last_order_on, n.orders_12m, n.revenue_12m,
												 bounds.r_bounds, bounds.f_bounds, bounds.m_bounds)).segment AS new_rfm,
				   n.old_warning, n.payment_warning AS new_warning,
				   (n.facts).invoices_paid, (n.facts).pay_days_median, (n.facts).pay_days_spread,
				   (n.facts).last_pay_days, (n.facts).prev_pay_days, (n.facts).orders_90d,
				   (n.facts).orders_prior_90d, (n.facts).last_settled_on, (n.facts).oldest_open_issued_on,
				   n.old_override, n.override_id, n.computed_grade, n.credit_score, n.scale_points, n.payment_points,
				   n.stability_points, n.risk_points, n.external_score, n.scorecard_id,
				   n.first_order_on, n.last_order_on, (n.facts).previous_order_on, n.orders_12m,
				   n.revenue_12m, (n.facts).order_months, (n.facts).invoices_12m, (n.facts).revenue_180d,
				   (n.facts).revenue_prior_180d, (n.facts).overdue_30d_balance, (n.facts).defaults,
				   n.payment_index, n.days_beyond_terms,
				   (@extschema@.rfm_score(d - n.last_order_on, n.orders_12m, n.revenue_12m,
										   bounds.r_bounds, bounds.f_bounds, bounds.m_bounds)).r,
				   (@extschema@.rfm_score(d - n.last_order_on, n.orders_12m, n.revenue_12m,
										   bounds.r_bounds, bounds.f_bounds, bounds.m_bounds)).f,
				   (@extschema@.rfm_score(d - n.last_order_on, n.orders_12m, n.revenue_12m,
										   bounds.r_bounds, bounds.f_bounds, bounds.m_bounds)).m
			-- RFM by plain calls: one per row to compare, a few more per changed
			-- row.  (A lateral call costs twice as much per row; computing it
			-- once in an OFFSET 0 subquery, as the UPDATE does, projects every
			-- row before the filter: 15-20% slower here, measured.)
			FROM pg_temp.cc_refresh_new n
			WHERE n.credit_grade IS DISTINCT FROM n.old_grade
			   OR n.lifecycle_stage IS DISTINCT FROM n.old_stage
			   OR n.lifecycle_phase IS DISTINCT FROM n.old_phase
			   OR n.segment IS DISTINCT FROM n.old_segment
			   OR (@extschema@.rfm_score(d - n.last_order_on, n.orders_12m, n.revenue_12m,
										   bounds.r_bounds, bounds.f_bounds, bounds.m_bounds)).segment
				  IS DISTINCT FROM n.old_rfm
			   OR n.payment_warning IS DISTINCT FROM n.old_warning
		) j
		-- unnest() of arrays, not VALUES: a lateral VALUES list compiles its
		-- expressions anew for every row it is joined to
		CROSS JOIN LATERAL unnest(
			ARRAY['credit_grade', 'lifecycle_stage', 'lifecycle_phase', 'segment', 'rfm_segment', 'payment_warning'],
			ARRAY[j.old_grade::text, j.old_stage::text, j.old_phase::text, j.old_segment::text, j.old_rfm::text, j.old_warning::text],
			ARRAY[j.new_grade::text, j.new_stage::text, j.new_phase::text, j.new_segment::text, j.new_rfm::text, j.new_warning::text],
			ARRAY[
				CASE
					 WHEN j.old_grade IS NOT DISTINCT FROM j.new_grade THEN NULL
					 WHEN j.gone THEN 'customer no longer in the sources'
					 WHEN j.override_id IS NOT NULL THEN
						 (SELECT format('override #%s by %s: %s', co.override_id, co.set_by, co.reason)
						  FROM @extschema@.credit_override co WHERE co.override_id = j.override_id)
					 WHEN j.new_grade IS DISTINCT FROM j.computed_grade THEN
						 format('computed grade %s (score %s) capped at %s: external negative event not yet reviewed (rule.external_event)',
								j.computed_grade, j.credit_score, j.new_grade)
					 ELSE format('score %s (scale %s, payment %s, stability %s, risk %s%s) under scorecard %s%s',
								 j.credit_score, j.scale_points, j.payment_points, j.stability_points, j.risk_points,
								 CASE WHEN j.external_score IS NOT NULL THEN ', external ' || j.external_score ELSE '' END,
								 j.scorecard_id,
								 CASE WHEN j.old_override IS NOT NULL THEN format('; override #%s ended', j.old_override) ELSE '' END)
				 END,
				CASE
					 WHEN j.old_stage IS NOT DISTINCT FROM j.new_stage THEN NULL
					 WHEN j.gone THEN 'customer no longer in the sources'
					 WHEN j.last_order_on IS NULL THEN 'no order yet'
					 ELSE format('last order %s (%s days before %s), first order %s, order before the last %s; new < %s days, dormant >= %s, churned >= %s, reactivated: gap >= %s (lifecycle policy %s)',
								 j.last_order_on, d - j.last_order_on, d, j.first_order_on,
								 coalesce(j.previous_order_on::text, 'none'),
								 pol.new_days, pol.dormant_days, pol.churned_days, pol.dormant_days, pol.policy_id)
				 END,
				CASE
					 WHEN j.old_phase IS NOT DISTINCT FROM j.new_phase THEN NULL
					 WHEN j.gone THEN 'customer no longer in the sources'
					 WHEN j.last_order_on IS NULL THEN 'no order yet'
					 ELSE format('revenue last 180 days %s, the 180 days before %s; first order %s; introduction < %s days, growth >= x%s, decline <= x%s (lifecycle policy %s)',
								 j.revenue_180d, j.revenue_prior_180d, j.first_order_on,
								 pol.introduction_days, pol.growth_ratio, pol.decline_ratio, pol.policy_id)
				 END,
				CASE
					 WHEN j.old_segment IS NOT DISTINCT FROM j.new_segment THEN NULL
					 WHEN j.gone THEN 'customer no longer in the sources'
					 WHEN j.last_order_on IS NULL THEN 'no order yet'
					 ELSE format('%s orders in %s of the last 12 months, revenue 12m %s over %s invoices, overdue > 30 days %s, defaults %s, payment index %s, days beyond terms %s, last order %s days ago (lifecycle policy %s)',
								 j.orders_12m, length(replace((j.order_months & 4095)::bit(12)::text, '0', '')),
								 j.revenue_12m, j.invoices_12m, j.overdue_30d_balance, j.defaults,
								 coalesce(j.payment_index::text, 'n/a'), coalesce(j.days_beyond_terms::text, 'n/a'),
								 d - j.last_order_on, pol.policy_id)
				 END,
				CASE
					 WHEN j.old_rfm IS NOT DISTINCT FROM j.new_rfm THEN NULL
					 WHEN j.gone THEN 'customer no longer in the sources'
					 WHEN j.last_order_on IS NULL THEN 'no order yet'
					 ELSE format('R%s F%s M%s: last order %s days ago, %s orders and revenue %s in 12 months; quintile bounds of the full refresh as of %s: days %s, orders %s, revenue %s',
								 j.r, j.f, j.m, d - j.last_order_on, j.orders_12m, j.revenue_12m,
								 bounds.as_of, bounds.r_bounds, bounds.f_bounds, bounds.m_bounds)
				 END,
				CASE
					 WHEN j.old_warning IS NOT DISTINCT FROM j.new_warning THEN NULL
					 WHEN j.gone THEN 'customer no longer in the sources'
					 ELSE format('last settlement %s days after issue, the one before %s; usual %s days (spread %s) over %s earlier settlements; orders last 90 days %s, the 90 days before %s; late means more than usual + max(%s, %s x spread) days (lifecycle policy %s)',
								 coalesce(j.last_pay_days::text, 'n/a'), coalesce(j.prev_pay_days::text, 'n/a'),
								 coalesce(j.pay_days_median::text, 'n/a'), coalesce(j.pay_days_spread::text, 'n/a'),
								 greatest(j.invoices_paid - 2, 0), j.orders_90d, j.orders_prior_90d,
								 pol.drift_min_days, pol.drift_spread_factor, pol.policy_id)
						  || CASE WHEN j.last_settled_on IS NULL OR d - j.last_settled_on <= pol.drift_recent_days THEN ''
								  WHEN j.new_warning IS NULL THEN format('; last settlement %s days ago (more than %s)',
																		  d - j.last_settled_on, pol.drift_recent_days)
								  ELSE format('; last settlement %s days ago, but an invoice issued %s is still open after %s days',
											  d - j.last_settled_on, j.oldest_open_issued_on, d - j.oldest_open_issued_on)
							 END
				 END
			]) AS x (dimension, old_value, new_value, why)
		WHERE x.old_value IS DISTINCT FROM x.new_value
		RETURNING customer_id
	)
	SELECT count(DISTINCT customer_id) INTO changed FROM hist;
	RETURN changed;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.refresh_history(date, @extschema@.lifecycle_policy, @extschema@.rfm_boundary) FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.refresh_history(date, @extschema@.lifecycle_policy, @extschema@.rfm_boundary) IS
	'part of refresh(): appends to class_history every class in cc_refresh_new that changed, with the reason; returns the customers with a change';

-- refresh(as_of, full_refresh): recompute profiles as of a date (default: as_of()).
-- full_refresh NULL decides by itself: everyone when there are no profiles yet, or
-- they were computed as of another date or under another policy version, or no
-- RFM bounds were stored yet; otherwise only the customers queued in dirty.
-- A full refresh stores new RFM quintile bounds; an incremental one scores its
-- customers with the latest stored bounds.  Returns the number of customers
-- whose classes changed (new customers included).
--
-- SECURITY DEFINER: analysts run it, but may not write profiles, history or
-- the queue themselves (they could forge grades).  So it reads the sources
-- as the extension owner: profiles are computed over all rows, whatever
-- row-level security the caller would see through the src_* views.
CREATE FUNCTION @extschema@.refresh(as_of date DEFAULT NULL, full_refresh boolean DEFAULT NULL)
	RETURNS bigint
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d date := @extschema@.check_as_of(coalesce(refresh.as_of, @extschema@.as_of()), 'refresh');	-- no mistyped year
	card @extschema@.scorecard := @extschema@.active_scorecard();
	pol @extschema@.lifecycle_policy := @extschema@.active_lifecycle_policy();
	bounds @extschema@.rfm_boundary;
	version bigint;
	targets bigint[];
	changed bigint;
	profiles bigint;
	latest date;
	stale boolean;
	kept bigint;
	gone bigint := 0;
BEGIN
	-- one refresh at a time; sources stay writable meanwhile
	PERFORM pg_advisory_xact_lock(pg_catalog.hashtext('customer_class.refresh'));
	SELECT last_value INTO version FROM @extschema@.policy_version;
	-- one pass over the profiles: how many, as of when, and whether any was
	-- computed under another date or policy
	SELECT count(*), max(p.as_of),
		   coalesce(bool_or(p.as_of <> d OR p.policy_version <> version
							OR p.scorecard_id <> card.scorecard_id
							OR p.lifecycle_policy_id IS DISTINCT FROM pol.policy_id), false)
	INTO profiles, latest, stale
	FROM @extschema@.profile p;
	-- class_history is a timeline in as-of order: never write into its past
	IF d < latest THEN
		RAISE EXCEPTION 'cannot refresh as of %: the profiles are as of % already', d, latest
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = 'class_history records changes in as-of order; a refresh as of an earlier date would make grade_migration() and the history wrong.',
				  HINT = format('Refresh as of %s or later.  If that date is a mistake, an administrator undoes what was refreshed as of any date after %s with customer_class.rewind(''%s'', ''the reason''), and the refresh works again.  To look at an earlier date without writing anything, call credit_facts() and credit_score().', latest, d, pg_catalog.to_char(d, 'YYYY-MM-DD'));
	END IF;

	IF full_refresh IS NULL THEN
		full_refresh := profiles = 0 OR stale OR NOT EXISTS (SELECT FROM @extschema@.rfm_boundary);
	END IF;

	IF full_refresh THEN
		DELETE FROM @extschema@.dirty;
	ELSE
		WITH queued AS (DELETE FROM @extschema@.dirty RETURNING customer_id)
		SELECT array_agg(DISTINCT customer_id) INTO targets FROM queued;
		IF targets IS NULL THEN
			RETURN 0;
		END IF;
	END IF;

	PERFORM @extschema@.refresh_compute(d, card, pol, version, targets);

	-- RFM quintile bounds: computed over every customer with an order at a
	-- full refresh, else those of the last full refresh
	IF full_refresh THEN
		INSERT INTO @extschema@.rfm_boundary (as_of, policy_version, customers, r_bounds, f_bounds, m_bounds)
		SELECT d, version, count(*),
			   percentile_disc(ARRAY[0.2, 0.4, 0.6, 0.8]) WITHIN GROUP (ORDER BY d - n.last_order_on),
			   percentile_disc(ARRAY[0.2, 0.4, 0.6, 0.8]) WITHIN GROUP (ORDER BY n.orders_12m),
			   percentile_disc(ARRAY[0.2, 0.4, 0.6, 0.8]) WITHIN GROUP (ORDER BY n.revenue_12m)
		FROM cc_refresh_new n
		WHERE n.last_order_on IS NOT NULL
		RETURNING * INTO bounds;
	ELSE
		SELECT * INTO bounds FROM @extschema@.rfm_boundary ORDER BY boundary_id DESC LIMIT 1;
	END IF;

	-- Customers gone from the sources: their profiles are added to
	-- cc_refresh_new as rows marked gone, with the old classes only.  A full
	-- refresh looks for them only when fewer profiles were matched than
	-- exist (usually none are gone, and the anti-join would read every
	-- profile and every new row once more).
	IF targets IS NULL THEN
		SELECT count(*) INTO kept FROM cc_refresh_new n WHERE n.existed;
	END IF;
	IF targets IS NOT NULL OR kept < profiles THEN
		INSERT INTO cc_refresh_new (customer_id, gone, existed, old_grade, old_stage, old_phase, old_segment,
									old_rfm, old_warning, old_override, old_last_order_on, old_as_of)
		SELECT p.customer_id, true, true, p.credit_grade, p.lifecycle_stage, p.lifecycle_phase,
			   p.behaviour_segment, p.rfm_segment, p.payment_warning, p.override_id, p.last_order_on, p.as_of
		FROM @extschema@.profile p
		WHERE (targets IS NULL OR p.customer_id = ANY (targets))
		  AND NOT EXISTS (SELECT FROM cc_refresh_new n WHERE n.customer_id = p.customer_id);
		GET DIAGNOSTICS gone = ROW_COUNT;
	END IF;

	changed := @extschema@.refresh_history(d, pol, bounds);

	-- early warnings, from the old and the new classes side by side
	PERFORM @extschema@.refresh_alerts(d);

	IF gone > 0 THEN
		DELETE FROM @extschema@.profile p
		USING cc_refresh_new n
		WHERE n.gone AND p.customer_id = n.customer_id;
	END IF;

	-- A join-driven UPDATE of the customers that had a profile, plus an
	-- INSERT of the new ones: cheaper than ON CONFLICT's row-by-row
	-- speculative inserts when most rows exist.  RFM is computed in a
	-- subquery's target list (OFFSET 0 keeps it there, one call per row), not
	-- by a lateral function scan, which builds a tuplestore per call.
	IF profiles > 0 THEN
		UPDATE @extschema@.profile p SET
			as_of = n.as_of, scorecard_id = n.scorecard_id, policy_version = n.policy_version,
			scale_points = n.scale_points, payment_points = n.payment_points,
			stability_points = n.stability_points, risk_points = n.risk_points,
			internal_score = n.internal_score, external_score = n.external_score,
			credit_score = n.credit_score, computed_grade = n.computed_grade,
			override_id = n.override_id, credit_grade = n.credit_grade,
			refreshed_at = n.refreshed_at,
			lifecycle_policy_id = n.lifecycle_policy_id, lifecycle_stage = n.lifecycle_stage,
			lifecycle_phase = n.lifecycle_phase, behaviour_segment = n.segment,
			first_order_on = n.first_order_on, last_order_on = n.last_order_on,
			orders_12m = n.orders_12m, revenue_12m = n.revenue_12m,
			rfm_r = (n.rfm).r, rfm_f = (n.rfm).f, rfm_m = (n.rfm).m, rfm_segment = (n.rfm).segment,
			open_balance = n.open_balance, overdue_balance = n.overdue_balance,
			overdue_invoices = n.overdue_invoices, payment_index = n.payment_index,
			days_beyond_terms = n.days_beyond_terms, payment_warning = n.payment_warning
		FROM (SELECT n.*, @extschema@.rfm_score(d - n.last_order_on, n.orders_12m, n.revenue_12m,
												bounds.r_bounds, bounds.f_bounds, bounds.m_bounds) AS rfm
			  FROM cc_refresh_new n WHERE n.existed AND NOT n.gone OFFSET 0) n
		WHERE n.customer_id = p.customer_id;
	END IF;

	INSERT INTO @extschema@.profile
		(customer_id, as_of, scorecard_id, policy_version, scale_points, payment_points,
		 stability_points, risk_points, internal_score, external_score, credit_score,
		 computed_grade, override_id, credit_grade, refreshed_at,
		 lifecycle_policy_id, lifecycle_stage, lifecycle_phase, behaviour_segment, first_order_on,
		 last_order_on, orders_12m, revenue_12m, rfm_r, rfm_f, rfm_m, rfm_segment,
		 open_balance, overdue_balance, overdue_invoices, payment_index, days_beyond_terms,
		 payment_warning)
	SELECT n.customer_id, n.as_of, n.scorecard_id, n.policy_version, n.scale_points, n.payment_points,
		   n.stability_points, n.risk_points, n.internal_score, n.external_score, n.credit_score,
		   n.computed_grade, n.override_id, n.credit_grade, n.refreshed_at,
		   n.lifecycle_policy_id, n.lifecycle_stage, n.lifecycle_phase, n.segment, n.first_order_on,
		   n.last_order_on, n.orders_12m, n.revenue_12m, (n.rfm).r, (n.rfm).f, (n.rfm).m, (n.rfm).segment,
		   n.open_balance, n.overdue_balance, n.overdue_invoices, n.payment_index, n.days_beyond_terms,
		   n.payment_warning
	FROM (SELECT n.*, @extschema@.rfm_score(d - n.last_order_on, n.orders_12m, n.revenue_12m,
											bounds.r_bounds, bounds.f_bounds, bounds.m_bounds) AS rfm
		  FROM cc_refresh_new n WHERE NOT n.existed OFFSET 0) n;

	DROP TABLE cc_refresh_new;
	-- rule tags last: conditions read the profiles just written
	RETURN changed + @extschema@.apply_tag_rules(d, targets);
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.refresh(date, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.refresh(date, boolean) TO customer_class_analyst;
COMMENT ON FUNCTION @extschema@.refresh(date, boolean) IS
	'recompute customer profiles (credit grade, lifecycle stage and phase, behaviour segment, RFM) as of a date (default as_of()): everyone when full or when date/policy changed, else the queued dirty customers; records class changes in class_history; then applies the tag rules (apply_tag_rules); returns customers whose classes changed plus customers whose rule tags changed (a customer with both counts twice)';

-- ---- src/sql/refresh/rewind.sql ----
-- Undoing a mistaken refresh.  refresh() never writes into the past of
-- class_history, so one refresh as of a wrong, later date (a mistyped year)
-- would refuse every refresh at the right date for good.  rewind(to_date,
-- reason) takes back everything refresh() wrote as of any date after
-- to_date, and leaves the database as if the last refresh had been as of
-- to_date: the next refresh then writes what a database that never saw the
-- mistake would write.  Nothing taken back is lost: it is kept, with who did
-- it and why, in rewind_log and rewound_row.  See docs/scoring.md.

CREATE TABLE @extschema@.rewind_log (
	rewind_id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	to_date			date NOT NULL,
	from_date		date NOT NULL,
	reason			text NOT NULL,
	why				text NOT NULL,
	rewound_by		name NOT NULL,
	rewound_at		timestamptz NOT NULL DEFAULT pg_catalog.now(),
	customers		bigint NOT NULL DEFAULT 0,
	history_rows	bigint NOT NULL DEFAULT 0,
	profiles_removed bigint NOT NULL DEFAULT 0,
	alerts_removed	bigint NOT NULL DEFAULT 0,
	alerts_reopened	bigint NOT NULL DEFAULT 0,
	rfm_boundaries_removed bigint NOT NULL DEFAULT 0
);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.rewind_log', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.rewind_log_rewind_id_seq', '');
COMMENT ON SEQUENCE @extschema@.rewind_log_rewind_id_seq IS 'keys of rewind_log (identity)';
GRANT SELECT ON @extschema@.rewind_log TO customer_class_reader;

COMMENT ON TABLE @extschema@.rewind_log IS
	'every rewind(): to which date, from which, who, why, and how much it took back (the rows themselves are in rewound_row)';
COMMENT ON COLUMN @extschema@.rewind_log.rewind_id IS 'rewind key, in the order of the rewinds';
COMMENT ON COLUMN @extschema@.rewind_log.to_date IS 'the date rewound to: what was refreshed as of a later date was taken back';
COMMENT ON COLUMN @extschema@.rewind_log.from_date IS 'the latest as-of date taken back (the profiles'' date before the rewind)';
COMMENT ON COLUMN @extschema@.rewind_log.reason IS 'the reason the administrator gave';
COMMENT ON COLUMN @extschema@.rewind_log.why IS 'the audit line: rewind from which date to which, by whom, and the reason';
COMMENT ON COLUMN @extschema@.rewind_log.rewound_by IS 'the role that ran rewind() (SET ROLE shows; the session user otherwise)';
COMMENT ON COLUMN @extschema@.rewind_log.rewound_at IS 'when (transaction time)';
COMMENT ON COLUMN @extschema@.rewind_log.customers IS 'customers whose class_history was taken back';
COMMENT ON COLUMN @extschema@.rewind_log.history_rows IS 'class_history rows taken back';
COMMENT ON COLUMN @extschema@.rewind_log.profiles_removed IS 'profiles removed: customers not yet classified as of to_date';
COMMENT ON COLUMN @extschema@.rewind_log.alerts_removed IS 'alerts raised by a refresh taken back, removed';
COMMENT ON COLUMN @extschema@.rewind_log.alerts_reopened IS 'alerts resolved by a refresh taken back, open again';
COMMENT ON COLUMN @extschema@.rewind_log.rfm_boundaries_removed IS 'rfm_boundary rows of full refreshes taken back';

-- The rows a rewind took out of class_history, rfm_boundary and alerts,
-- whole, as jsonb (jsonb_populate_record(NULL::customer_class.class_history,
-- row_data) gives a row back).  Customer data: admins only.
CREATE TABLE @extschema@.rewound_row (
	rewind_id		bigint NOT NULL,
	relation		text NOT NULL,
	customer_id		bigint,
	row_data		jsonb NOT NULL,
	CONSTRAINT rewound_row_relation_valid CHECK (relation IN ('class_history', 'rfm_boundary', 'alerts'))
);
-- no foreign key to rewind_log: a parallel restore (pg_restore -j) loads
-- the two tables in any order
CREATE INDEX rewound_row_rewind_idx ON @extschema@.rewound_row (rewind_id, relation);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.rewound_row', '');
GRANT SELECT ON @extschema@.rewound_row TO customer_class_admin;

COMMENT ON TABLE @extschema@.rewound_row IS
	'the rows rewind() took back from class_history, rfm_boundary and alerts, kept whole as jsonb';
COMMENT ON COLUMN @extschema@.rewound_row.rewind_id IS 'the rewind (rewind_log)';
COMMENT ON COLUMN @extschema@.rewound_row.relation IS 'the table the row was in: class_history, rfm_boundary or alerts';
COMMENT ON COLUMN @extschema@.rewound_row.customer_id IS 'its customer (NULL for rfm_boundary)';
COMMENT ON COLUMN @extschema@.rewound_row.row_data IS 'the row as it was (to_jsonb)';

-- rewind(to_date, reason): take back everything refresh() (and
-- apply_tag_rules()) wrote as of a date after to_date.
--   class_history: the rows of the dimensions refresh() writes (grade,
--     lifecycle stage and phase, segment, RFM segment, payment warning, rule
--     tags) as of a later date go to rewound_row; manual tag changes and
--     ended overrides are no refresh's and stay.
--   profile: put back to the classes the remaining history records as of
--     to_date (so the next refresh compares with exactly those), with the
--     figures recomputed from the sources as of to_date; customers the
--     history has not classified by then lose their profile.  A customer
--     classified by then but gone from the sources since keeps a profile
--     with its classes (figures 0), which the next refresh removes with
--     history, as it would have without the mistake.  as_of becomes to_date,
--     and the policy version is bumped so the next refresh is a full one.
--   rfm_boundary: the bounds of full refreshes as of a later date go.
--   alerts (payment_rhythm, became_dormant, the kinds refresh() raises):
--     recognised by the transaction times of the refreshes taken back
--     (changed_at, refreshed_at, computed_at all read now()).  Raised by
--     one: removed; resolved by one: open again; seen again by one:
--     occurrences less one per such refresh.  NOTIFYs sent cannot be
--     recalled, and the detail of an alert seen again stays the later
--     refresh's until the next refresh sees it.
-- Returns the number of customers whose history was taken back.
--
-- SECURITY DEFINER: nobody writes profiles, history or alerts directly;
-- admins only (granted below).  It takes refresh()'s lock, so it never
-- runs beside a refresh or apply_tag_rules(), and a refresh waiting for it
-- sees the rewound profiles.
CREATE FUNCTION @extschema@.rewind(to_date date, reason text) RETURNS bigint
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	-- NULL, infinite or implausible dates fail here, before anything is written
	d date := @extschema@.check_as_of(rewind.to_date, 'rewind');
	-- the role that asked: CURRENT_USER is this function's owner here
	who text := CASE WHEN pg_catalog.current_setting('role') = 'none' THEN SESSION_USER::text
					 ELSE pg_catalog.current_setting('role') END;
	dims text[] := ARRAY['credit_grade', 'lifecycle_stage', 'lifecycle_phase', 'segment', 'rfm_segment',
						 'payment_warning', 'rule_tag'];
	alert_kinds text[] := ARRAY['payment_rhythm', 'became_dormant'];
	card @extschema@.scorecard := @extschema@.active_scorecard();
	pol @extschema@.lifecycle_policy := @extschema@.active_lifecycle_policy();
	bounds @extschema@.rfm_boundary;
	version bigint;
	latest date;
	id bigint;
	n_customers bigint;
	n_history bigint;
	n_profiles bigint;
	n_alerts bigint;
	n_reopened bigint;
	n_bounds bigint;
BEGIN
	IF rewind.reason IS NULL OR pg_catalog.btrim(rewind.reason) = '' THEN
		RAISE EXCEPTION 'rewind needs a reason'
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = 'The reason is kept in customer_class.rewind_log beside who rewound and when.',
				  HINT = 'Say what went wrong, e.g. rewind(''2026-01-31'', ''refresh as of 2206-01-31 was a typo'').';
	END IF;

	-- one at a time with refresh() and apply_tag_rules()
	PERFORM pg_advisory_xact_lock(pg_catalog.hashtext('customer_class.refresh'));

	SELECT pg_catalog.max(x.as_of) INTO latest
	FROM (SELECT pg_catalog.max(p.as_of) AS as_of FROM @extschema@.profile p
		  UNION ALL
		  SELECT pg_catalog.max(h.as_of) FROM @extschema@.class_history h WHERE h.dimension = ANY (dims)
		  UNION ALL
		  SELECT pg_catalog.max(b.as_of) FROM @extschema@.rfm_boundary b) x;
	IF latest IS NULL OR latest <= d THEN
		RAISE EXCEPTION 'nothing to rewind: nothing was refreshed as of a date after %', d
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = CASE WHEN latest IS NULL THEN 'Nothing has been refreshed yet.'
								ELSE pg_catalog.format('The latest as-of date of the profiles and their history is %s.', latest) END,
				  HINT = 'Give the last right as-of date, before the mistaken one.';
	END IF;

	INSERT INTO @extschema@.rewind_log (to_date, from_date, reason, why, rewound_by)
	VALUES (d, latest, rewind.reason,
			pg_catalog.format('rewind from %s to %s by %s: %s', latest, d, who, rewind.reason), who)
	RETURNING rewind_id INTO id;

	-- the transaction times of the refreshes taken back
	CREATE TEMP TABLE cc_rewound_at ON COMMIT DROP AS
	SELECT h.changed_at AS at FROM @extschema@.class_history h WHERE h.dimension = ANY (dims) AND h.as_of > d
	UNION
	SELECT p.refreshed_at FROM @extschema@.profile p WHERE p.as_of > d
	UNION
	SELECT b.computed_at FROM @extschema@.rfm_boundary b WHERE b.as_of > d;

	WITH moved AS (
		DELETE FROM @extschema@.class_history h
		WHERE h.dimension = ANY (dims) AND h.as_of > d
		RETURNING h.*
	)
	INSERT INTO @extschema@.rewound_row (rewind_id, relation, customer_id, row_data)
	SELECT id, 'class_history', m.customer_id, pg_catalog.to_jsonb(m) FROM moved m ORDER BY m.history_id;
	GET DIAGNOSTICS n_history = ROW_COUNT;
	SELECT pg_catalog.count(DISTINCT r.customer_id) INTO n_customers
	FROM @extschema@.rewound_row r WHERE r.rewind_id = id AND r.relation = 'class_history';

	WITH moved AS (
		DELETE FROM @extschema@.rfm_boundary b WHERE b.as_of > d RETURNING b.*
	)
	INSERT INTO @extschema@.rewound_row (rewind_id, relation, customer_id, row_data)
	SELECT id, 'rfm_boundary', NULL, pg_catalog.to_jsonb(m) FROM moved m ORDER BY m.boundary_id;
	GET DIAGNOSTICS n_bounds = ROW_COUNT;

	-- alerts raised by a refresh taken back
	WITH moved AS (
		DELETE FROM @extschema@.alerts a
		WHERE a.kind = ANY (alert_kinds) AND a.raised_at IN (SELECT r.at FROM cc_rewound_at r)
		RETURNING a.*
	)
	INSERT INTO @extschema@.rewound_row (rewind_id, relation, customer_id, row_data)
	SELECT id, 'alerts', m.customer_id, pg_catalog.to_jsonb(m) FROM moved m ORDER BY m.alert_id;
	GET DIAGNOSTICS n_alerts = ROW_COUNT;
	-- resolved by one: open again (unless another one of its kind is open)
	UPDATE @extschema@.alerts a SET resolved_at = NULL, resolved_by = NULL
	FROM (SELECT DISTINCT ON (x.customer_id, x.kind) x.alert_id
		  FROM @extschema@.alerts x
		  WHERE x.kind = ANY (alert_kinds) AND x.resolved_at IN (SELECT r.at FROM cc_rewound_at r)
			AND NOT EXISTS (SELECT FROM @extschema@.alerts o
							WHERE o.customer_id = x.customer_id AND o.kind = x.kind AND o.resolved_at IS NULL)
		  ORDER BY x.customer_id, x.kind, x.resolved_at, x.alert_id) r
	WHERE a.alert_id = r.alert_id;
	GET DIAGNOSTICS n_reopened = ROW_COUNT;
	-- seen again by one: one occurrence less per such refresh
	UPDATE @extschema@.alerts a SET occurrences = greatest(a.occurrences - s.times, 1)
	FROM (SELECT x.alert_id, pg_catalog.count(*) AS times
		  FROM @extschema@.alerts x
		  JOIN cc_rewound_at r ON r.at > x.raised_at AND r.at <= x.last_seen_at
		  WHERE x.kind = ANY (alert_kinds)
		  GROUP BY x.alert_id) s
	WHERE a.alert_id = s.alert_id;

	-- The classes as of d: per customer and dimension the latest value the
	-- history still holds, and the rule tags still held.
	CREATE TEMP TABLE cc_rewind_state ON COMMIT DROP AS
	SELECT coalesce(c.customer_id, t.customer_id) AS customer_id, c.grade, c.stage, c.phase, c.segment,
		   c.rfm, c.warning, coalesce(t.tags, '{}') AS tags
	FROM (SELECT s.customer_id,
				 pg_catalog.max(s.new_value) FILTER (WHERE s.dimension = 'credit_grade') AS grade,
				 pg_catalog.max(s.new_value) FILTER (WHERE s.dimension = 'lifecycle_stage') AS stage,
				 pg_catalog.max(s.new_value) FILTER (WHERE s.dimension = 'lifecycle_phase') AS phase,
				 pg_catalog.max(s.new_value) FILTER (WHERE s.dimension = 'segment') AS segment,
				 pg_catalog.max(s.new_value) FILTER (WHERE s.dimension = 'rfm_segment') AS rfm,
				 pg_catalog.max(s.new_value) FILTER (WHERE s.dimension = 'payment_warning') AS warning
		  FROM (SELECT DISTINCT ON (h.customer_id, h.dimension) h.customer_id, h.dimension, h.new_value
				FROM @extschema@.class_history h
				WHERE h.dimension = ANY (dims) AND h.dimension <> 'rule_tag' AND h.as_of <= d
				ORDER BY h.customer_id, h.dimension, h.as_of DESC, h.history_id DESC) s
		  GROUP BY s.customer_id) c
	FULL JOIN (SELECT k.customer_id, @extschema@.tagset(pg_catalog.array_agg(k.tag)) AS tags
			   FROM (SELECT DISTINCT ON (h.customer_id, coalesce(h.new_value, h.old_value))
							h.customer_id, coalesce(h.new_value, h.old_value) AS tag, h.new_value
					 FROM @extschema@.class_history h
					 WHERE h.dimension = 'rule_tag' AND h.as_of <= d
					 ORDER BY h.customer_id, coalesce(h.new_value, h.old_value), h.as_of DESC, h.history_id DESC) k
			   WHERE k.new_value IS NOT NULL
			   GROUP BY k.customer_id) t ON t.customer_id = c.customer_id;

	-- not classified as of d: no profile
	DELETE FROM @extschema@.profile p
	WHERE NOT EXISTS (SELECT FROM cc_rewind_state s WHERE s.customer_id = p.customer_id AND s.grade IS NOT NULL);
	GET DIAGNOSTICS n_profiles = ROW_COUNT;

	-- the figures as of d, from the sources (refresh()'s own computation)
	SELECT last_value INTO version FROM @extschema@.policy_version;
	PERFORM @extschema@.refresh_compute(d, card, pol, version, NULL);
	SELECT * INTO bounds FROM @extschema@.rfm_boundary ORDER BY boundary_id DESC LIMIT 1;

	INSERT INTO @extschema@.profile AS p
		(customer_id, as_of, scorecard_id, policy_version, scale_points, payment_points,
		 stability_points, risk_points, internal_score, external_score, credit_score,
		 computed_grade, override_id, credit_grade, refreshed_at,
		 lifecycle_policy_id, lifecycle_stage, lifecycle_phase, behaviour_segment, first_order_on,
		 last_order_on, orders_12m, revenue_12m, rfm_r, rfm_f, rfm_m, rfm_segment,
		 open_balance, overdue_balance, overdue_invoices, payment_index, days_beyond_terms,
		 payment_warning, rule_tags)
	SELECT s.customer_id, d, coalesce(n.scorecard_id, card.scorecard_id), version,
		   coalesce(n.scale_points, 0), coalesce(n.payment_points, 0),
		   coalesce(n.stability_points, 0), coalesce(n.risk_points, 0), coalesce(n.internal_score, 0),
		   n.external_score, coalesce(n.credit_score, 0),
		   coalesce(n.computed_grade, s.grade::@extschema@.credit_grade), n.override_id,
		   s.grade::@extschema@.credit_grade, pg_catalog.now(),
		   coalesce(n.lifecycle_policy_id, pol.policy_id), s.stage::@extschema@.lifecycle_stage,
		   s.phase::@extschema@.lifecycle_phase, s.segment::@extschema@.behaviour_segment, n.first_order_on,
		   n.last_order_on, n.orders_12m, n.revenue_12m, (n.rfm).r, (n.rfm).f, (n.rfm).m,
		   s.rfm::@extschema@.rfm_segment,
		   n.open_balance, n.overdue_balance, n.overdue_invoices, n.payment_index, n.days_beyond_terms,
		   s.warning::@extschema@.alert_level, s.tags
	FROM cc_rewind_state s
	LEFT JOIN (SELECT n.*, @extschema@.rfm_score(d - n.last_order_on, n.orders_12m, n.revenue_12m,
												 bounds.r_bounds, bounds.f_bounds, bounds.m_bounds) AS rfm
			   FROM cc_refresh_new n OFFSET 0) n ON n.customer_id = s.customer_id
	WHERE s.grade IS NOT NULL
	ON CONFLICT (customer_id) DO UPDATE SET
		as_of = excluded.as_of, scorecard_id = excluded.scorecard_id, policy_version = excluded.policy_version,
		scale_points = excluded.scale_points, payment_points = excluded.payment_points,
		stability_points = excluded.stability_points, risk_points = excluded.risk_points,
		internal_score = excluded.internal_score, external_score = excluded.external_score,
		credit_score = excluded.credit_score, computed_grade = excluded.computed_grade,
		override_id = excluded.override_id, credit_grade = excluded.credit_grade,
		refreshed_at = excluded.refreshed_at, lifecycle_policy_id = excluded.lifecycle_policy_id,
		lifecycle_stage = excluded.lifecycle_stage, lifecycle_phase = excluded.lifecycle_phase,
		behaviour_segment = excluded.behaviour_segment, first_order_on = excluded.first_order_on,
		last_order_on = excluded.last_order_on, orders_12m = excluded.orders_12m,
		revenue_12m = excluded.revenue_12m, rfm_r = excluded.rfm_r, rfm_f = excluded.rfm_f,
		rfm_m = excluded.rfm_m, rfm_segment = excluded.rfm_segment, open_balance = excluded.open_balance,
		overdue_balance = excluded.overdue_balance, overdue_invoices = excluded.overdue_invoices,
		payment_index = excluded.payment_index, days_beyond_terms = excluded.days_beyond_terms,
		payment_warning = excluded.payment_warning, rule_tags = excluded.rule_tags;

	-- the profiles are as of d under an older version: the next refresh is full
	PERFORM pg_catalog.nextval('@extschema@.policy_version');

	UPDATE @extschema@.rewind_log l
	SET customers = n_customers, history_rows = n_history, profiles_removed = n_profiles,
		alerts_removed = n_alerts, alerts_reopened = n_reopened, rfm_boundaries_removed = n_bounds
	WHERE l.rewind_id = id;

	DROP TABLE cc_refresh_new;
	DROP TABLE cc_rewind_state;
	DROP TABLE cc_rewound_at;
	RETURN n_customers;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.rewind(date, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.rewind(date, text) TO customer_class_admin;
COMMENT ON FUNCTION @extschema@.rewind(date, text) IS
	'undo every refresh as of a date after to_date (e.g. a mistyped year): takes back their class_history rows, RFM bounds and alerts, puts the profiles back to the classes recorded as of to_date, logs it in rewind_log (rows kept in rewound_row); then refresh() works again from to_date on; admins only; returns customers whose history was taken back';

-- ---- src/sql/tags/triggers.sql ----
-- The triggers on tags/ tables whose functions load after the table
-- (tags/catalog.sql creates tag_dimension; the rule check is in
-- tags/rules.sql, which needs the classes).  Rule: docs/architecture.md.

-- tag_dimension
CREATE TRIGGER tag_dimension_rule_exclusive
	AFTER INSERT OR UPDATE OF exclusive, dimension ON @extschema@.tag_dimension
	FOR EACH ROW WHEN (NEW.exclusive)
	EXECUTE FUNCTION @extschema@.tag_dimension_rule_check();

-- ---- src/sql/classes/triggers.sql ----
-- The triggers on classes/ tables whose functions load after the table: the
-- refresh queue (refresh/queue.sql), the credit checks' ledger and cache
-- (credit/check.sql) and the customer check (credit/rules.sql).  What each
-- does is said beside its function; the table's own triggers are in the
-- table's file.  Rule: docs/architecture.md.
--
-- profile rows come and go a million at a time (the first refresh): one
-- statement touches their ledger rows, not one trigger call per row.

-- profile
CREATE TRIGGER credit_touch_exposure_ins AFTER INSERT ON @extschema@.profile
	REFERENCING NEW TABLE AS changed_rows
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.credit_touch_exposure_rows();
CREATE TRIGGER credit_touch_exposure_del AFTER DELETE ON @extschema@.profile
	REFERENCING OLD TABLE AS changed_rows
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.credit_touch_exposure_rows();
CREATE TRIGGER credit_touch_exposure_grade AFTER UPDATE OF credit_grade ON @extschema@.profile
	FOR EACH ROW WHEN (OLD.credit_grade IS DISTINCT FROM NEW.credit_grade)
	EXECUTE FUNCTION @extschema@.credit_touch_exposure();
CREATE TRIGGER credit_touch_exposure_truncate AFTER TRUNCATE ON @extschema@.profile
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.credit_touch_exposure();
CREATE TRIGGER credit_context_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.profile
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.credit_context_changed('context');
ALTER TABLE @extschema@.profile ENABLE ALWAYS TRIGGER credit_context_changed;

-- external_score
CREATE TRIGGER external_score_dirty_ins AFTER INSERT ON @extschema@.external_score REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.mark_dirty();
CREATE TRIGGER external_score_dirty_upd AFTER UPDATE ON @extschema@.external_score REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.mark_dirty();
CREATE TRIGGER external_score_dirty_del AFTER DELETE ON @extschema@.external_score REFERENCING OLD TABLE AS old_rows
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.mark_dirty();
CREATE TRIGGER external_score_dirty_truncate AFTER TRUNCATE ON @extschema@.external_score
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.mark_all_dirty();
CREATE TRIGGER customer_reference_check BEFORE INSERT OR UPDATE OF customer_id ON @extschema@.external_score
	FOR EACH ROW EXECUTE FUNCTION @extschema@.customer_reference_check();

-- credit_override
CREATE TRIGGER credit_override_dirty_ins AFTER INSERT ON @extschema@.credit_override REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.mark_dirty();
CREATE TRIGGER credit_override_dirty_upd AFTER UPDATE ON @extschema@.credit_override REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.mark_dirty();
CREATE TRIGGER credit_override_dirty_del AFTER DELETE ON @extschema@.credit_override REFERENCING OLD TABLE AS old_rows
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.mark_dirty();
CREATE TRIGGER credit_override_dirty_truncate AFTER TRUNCATE ON @extschema@.credit_override
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.mark_all_dirty();
CREATE TRIGGER customer_reference_check BEFORE INSERT OR UPDATE OF customer_id ON @extschema@.credit_override
	FOR EACH ROW EXECUTE FUNCTION @extschema@.customer_reference_check();

-- ---- src/sql/credit/triggers.sql ----
-- The triggers on credit/ tables whose functions load after the table: the
-- checks' ledger and cache (credit_touch_exposure, credit_context_changed:
-- credit/check.sql), the refresh queue (refresh/queue.sql), the customer
-- check and the review of external events (credit/rules.sql).  What each
-- does is said beside its function; the table's own triggers are in the
-- table's file.  Rule: docs/architecture.md.

-- credit_setting
CREATE TRIGGER credit_touch_exposure AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.credit_setting
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.credit_touch_exposure();
CREATE TRIGGER credit_context_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.credit_setting
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.credit_context_changed('context');
ALTER TABLE @extschema@.credit_setting ENABLE ALWAYS TRIGGER credit_context_changed;

-- credit_limit_policy
CREATE TRIGGER credit_touch_exposure AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.credit_limit_policy
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.credit_touch_exposure();
CREATE TRIGGER credit_context_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.credit_limit_policy
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.credit_context_changed('context');
ALTER TABLE @extschema@.credit_limit_policy ENABLE ALWAYS TRIGGER credit_context_changed;

-- credit_limit_override
CREATE TRIGGER credit_touch_exposure AFTER INSERT OR UPDATE OR DELETE ON @extschema@.credit_limit_override
	FOR EACH ROW EXECUTE FUNCTION @extschema@.credit_touch_exposure();
CREATE TRIGGER credit_touch_exposure_truncate AFTER TRUNCATE ON @extschema@.credit_limit_override
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.credit_touch_exposure();
CREATE TRIGGER credit_context_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.credit_limit_override
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.credit_context_changed('context');
ALTER TABLE @extschema@.credit_limit_override ENABLE ALWAYS TRIGGER credit_context_changed;
CREATE TRIGGER customer_reference_check BEFORE INSERT OR UPDATE OF customer_id ON @extschema@.credit_limit_override
	FOR EACH ROW EXECUTE FUNCTION @extschema@.customer_reference_check();

-- credit_check_exception
CREATE TRIGGER credit_touch_exposure AFTER INSERT OR UPDATE OR DELETE ON @extschema@.credit_check_exception
	FOR EACH ROW EXECUTE FUNCTION @extschema@.credit_touch_exposure();
CREATE TRIGGER credit_touch_exposure_truncate AFTER TRUNCATE ON @extschema@.credit_check_exception
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.credit_touch_exposure();
CREATE TRIGGER credit_context_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.credit_check_exception
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.credit_context_changed('context');
ALTER TABLE @extschema@.credit_check_exception ENABLE ALWAYS TRIGGER credit_context_changed;
CREATE TRIGGER customer_reference_check BEFORE INSERT OR UPDATE OF customer_id ON @extschema@.credit_check_exception
	FOR EACH ROW EXECUTE FUNCTION @extschema@.customer_reference_check();

-- alerts
CREATE TRIGGER external_event_reviewed AFTER UPDATE OF resolved_at ON @extschema@.alerts
	FOR EACH ROW WHEN (NEW.kind = 'external_event' AND OLD.resolved_at IS DISTINCT FROM NEW.resolved_at)
	EXECUTE FUNCTION @extschema@.external_event_reviewed();

-- external_event
CREATE TRIGGER credit_context_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.external_event
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.credit_context_changed('context');
ALTER TABLE @extschema@.external_event ENABLE ALWAYS TRIGGER credit_context_changed;
CREATE TRIGGER credit_touch_exposure AFTER INSERT OR UPDATE OR DELETE ON @extschema@.external_event
	FOR EACH ROW EXECUTE FUNCTION @extschema@.credit_touch_exposure();
CREATE TRIGGER external_event_dirty_ins AFTER INSERT ON @extschema@.external_event
	REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.mark_dirty();
CREATE TRIGGER external_event_dirty_upd AFTER UPDATE ON @extschema@.external_event
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.mark_dirty();
CREATE TRIGGER external_event_dirty_del AFTER DELETE ON @extschema@.external_event
	REFERENCING OLD TABLE AS old_rows
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.mark_dirty();
CREATE TRIGGER external_event_dirty_truncate AFTER TRUNCATE ON @extschema@.external_event
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.mark_all_dirty();
CREATE TRIGGER customer_reference_check BEFORE INSERT OR UPDATE OF customer_id ON @extschema@.external_event
	FOR EACH ROW EXECUTE FUNCTION @extschema@.customer_reference_check();

-- ---- src/sql/sources/triggers.sql ----
-- The triggers on the managed tables customer, sales_order, invoice and
-- payment (sources/tables.sql), all in one place, per table.  Every later
-- concern hooks into these tables, so their triggers load here, once every
-- trigger function exists (after credit/), not in tables.sql: a trigger
-- needs its function, and the functions need the tables.  What each one does
-- is said beside its function:
--   *_explain_check          checks/explain.sql   a failed CHECK explained
--   customer_tags_exclusive  tags/catalog.sql     one tag per exclusive dimension
--   customer_tag_history     tags/history.sql     manual tags in class_history
--   *_dirty_*                refresh/queue.sql    queue the customers for refresh()
--   credit_*                 credit/check.sql     the credit checks and the exposure ledger
--   credit_*_truncate        credit/exposure.sql  a TRUNCATE rebuilds the ledger
--   credit_context_changed   credit/check.sql     drop the credit checks' caches
--   credit_touch_exposure    credit/check.sql     a changed limit waits for the checks in progress
--   invoice_fill_due_on      credit/rules.sql     the due date from the payment terms
-- pg_dump writes them after the rows of these tables (sources/user_data.sql).
-- Triggers fire in name order, whatever the order here.

-- customer
CREATE TRIGGER customer_explain_check BEFORE INSERT OR UPDATE ON @extschema@.customer
	FOR EACH ROW WHEN ((btrim(NEW.name) <> '') IS FALSE
		OR (NEW.customer_type IN ('enterprise', 'individual')) IS FALSE
		OR (NEW.size_class IN ('micro', 'small', 'medium', 'large')) IS FALSE
		OR (NEW.region ~ '^[a-z0-9_\u3400-\u4dbf\u4e00-\u9fff]+(\.[a-z0-9_\u3400-\u4dbf\u4e00-\u9fff]+)*$') IS FALSE
		OR (NEW.credit_limit >= 0) IS FALSE
		OR (NEW.payment_terms_days BETWEEN 0 AND 365) IS FALSE
		OR (NEW.payment_terms_basis IN ('invoice', 'month_end')) IS FALSE)
	EXECUTE FUNCTION @extschema@.explain_check_violation();
CREATE TRIGGER customer_tags_exclusive
	BEFORE INSERT OR UPDATE OF tags ON @extschema@.customer
	FOR EACH ROW WHEN (@extschema@.cardinality(NEW.tags) > 1)
	EXECUTE FUNCTION @extschema@.customer_tags_check();
CREATE TRIGGER customer_tag_history AFTER UPDATE ON @extschema@.customer
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.record_tag_changes();
CREATE TRIGGER customer_dirty_ins AFTER INSERT ON @extschema@.customer REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.mark_dirty();
CREATE TRIGGER customer_dirty_upd AFTER UPDATE ON @extschema@.customer REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.mark_dirty();
CREATE TRIGGER customer_dirty_del AFTER DELETE ON @extschema@.customer REFERENCING OLD TABLE AS old_rows
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.mark_dirty();
CREATE TRIGGER customer_dirty_truncate AFTER TRUNCATE ON @extschema@.customer
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.mark_all_dirty();
CREATE TRIGGER credit_customer AFTER INSERT OR UPDATE OF customer_id OR DELETE ON @extschema@.customer
	FOR EACH ROW EXECUTE FUNCTION @extschema@.credit_customer_trigger();
CREATE TRIGGER credit_customer_truncate AFTER TRUNCATE ON @extschema@.customer
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.credit_truncate_trigger();
CREATE TRIGGER credit_context_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.customer
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.credit_context_changed('context');
ALTER TABLE @extschema@.customer ENABLE ALWAYS TRIGGER credit_context_changed;
CREATE TRIGGER credit_touch_exposure AFTER UPDATE OF credit_limit ON @extschema@.customer
	FOR EACH ROW WHEN (OLD.credit_limit IS DISTINCT FROM NEW.credit_limit)
	EXECUTE FUNCTION @extschema@.credit_touch_exposure();

-- sales_order
CREATE TRIGGER sales_order_explain_check BEFORE INSERT OR UPDATE ON @extschema@.sales_order
	FOR EACH ROW WHEN ((NEW.amount >= 0) IS FALSE
		OR (NEW.status IN ('open', 'shipped', 'invoiced', 'cancelled')) IS FALSE
		OR (NEW.shipped_on >= NEW.ordered_on) IS FALSE)
	EXECUTE FUNCTION @extschema@.explain_check_violation();
CREATE TRIGGER sales_order_dirty_ins AFTER INSERT ON @extschema@.sales_order REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.mark_dirty();
CREATE TRIGGER sales_order_dirty_upd AFTER UPDATE ON @extschema@.sales_order REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.mark_dirty();
CREATE TRIGGER sales_order_dirty_del AFTER DELETE ON @extschema@.sales_order REFERENCING OLD TABLE AS old_rows
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.mark_dirty();
CREATE TRIGGER sales_order_dirty_truncate AFTER TRUNCATE ON @extschema@.sales_order
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.mark_all_dirty();
CREATE TRIGGER credit_order AFTER INSERT OR UPDATE OR DELETE ON @extschema@.sales_order
	FOR EACH ROW EXECUTE FUNCTION @extschema@.credit_order_trigger();
CREATE TRIGGER credit_order_truncate AFTER TRUNCATE ON @extschema@.sales_order
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.credit_truncate_trigger();

-- invoice
CREATE TRIGGER invoice_explain_check BEFORE INSERT OR UPDATE ON @extschema@.invoice
	FOR EACH ROW WHEN ((NEW.amount > 0) IS FALSE OR (NEW.due_on >= NEW.issued_on) IS FALSE)
	EXECUTE FUNCTION @extschema@.explain_check_violation();
CREATE TRIGGER invoice_fill_due_on BEFORE INSERT OR UPDATE ON @extschema@.invoice
	FOR EACH ROW WHEN (NEW.due_on IS NULL)
	EXECUTE FUNCTION @extschema@.invoice_fill_due_on();
CREATE TRIGGER invoice_dirty_ins AFTER INSERT ON @extschema@.invoice REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.mark_dirty();
CREATE TRIGGER invoice_dirty_upd AFTER UPDATE ON @extschema@.invoice REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.mark_dirty();
CREATE TRIGGER invoice_dirty_del AFTER DELETE ON @extschema@.invoice REFERENCING OLD TABLE AS old_rows
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.mark_dirty();
CREATE TRIGGER invoice_dirty_truncate AFTER TRUNCATE ON @extschema@.invoice
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.mark_all_dirty();
CREATE TRIGGER credit_invoice AFTER INSERT OR UPDATE OR DELETE ON @extschema@.invoice
	FOR EACH ROW EXECUTE FUNCTION @extschema@.credit_invoice_trigger();
CREATE TRIGGER credit_invoice_truncate AFTER TRUNCATE ON @extschema@.invoice
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.credit_truncate_trigger();
CREATE TRIGGER credit_context_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.invoice
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.credit_context_changed('receivables');
ALTER TABLE @extschema@.invoice ENABLE ALWAYS TRIGGER credit_context_changed;

-- payment
CREATE TRIGGER payment_explain_check BEFORE INSERT OR UPDATE ON @extschema@.payment
	FOR EACH ROW WHEN ((NEW.amount > 0) IS FALSE OR (NEW.kind IN ('payment', 'credit_note')) IS FALSE)
	EXECUTE FUNCTION @extschema@.explain_check_violation();
CREATE TRIGGER payment_dirty_ins AFTER INSERT ON @extschema@.payment REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.mark_dirty();
CREATE TRIGGER payment_dirty_upd AFTER UPDATE ON @extschema@.payment REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.mark_dirty();
CREATE TRIGGER payment_dirty_del AFTER DELETE ON @extschema@.payment REFERENCING OLD TABLE AS old_rows
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.mark_dirty();
CREATE TRIGGER payment_dirty_truncate AFTER TRUNCATE ON @extschema@.payment
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.mark_all_dirty();
CREATE TRIGGER credit_payment AFTER INSERT OR UPDATE OR DELETE ON @extschema@.payment
	FOR EACH ROW EXECUTE FUNCTION @extschema@.credit_payment_trigger();
CREATE TRIGGER credit_payment_truncate AFTER TRUNCATE ON @extschema@.payment
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.credit_truncate_trigger();
CREATE TRIGGER credit_context_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.payment
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.credit_context_changed('receivables');
ALTER TABLE @extschema@.payment ENABLE ALWAYS TRIGGER credit_context_changed;

-- ---- src/sql/views/customer_profile.sql ----
-- What people and BI tools read: customer_profile, one row per customer
-- with every class the last refresh() wrote (as of its as_of), and the live
-- credit and receivables figures beside them (as of customer_class.as_of():
-- limit in force, exposure, available credit, aging, open alerts).  The live
-- figures are scalar subqueries, so a query that does not select them does
-- not compute them; for every customer at once, aging_report is cheaper than
-- the aging column.

CREATE VIEW @extschema@.customer_profile WITH (security_invoker = true) AS
	SELECT c.customer_id, c.name, c.customer_type, c.industry, c.region,
		   p.as_of,
		   p.credit_score,
		   p.credit_grade,
		   p.credit_grade::text AS grade,
		   gl.label_en AS grade_label_en,
		   gl.label_zh AS grade_label_zh,
		   p.computed_grade,
		   p.override_id IS NOT NULL AS grade_overridden,
		   p.scale_points, p.payment_points, p.stability_points, p.risk_points,
		   p.external_score,
		   format('%s: scale %s, payment %s, stability %s, risk %s%s',
				  p.credit_score, p.scale_points, p.payment_points, p.stability_points, p.risk_points,
				  CASE WHEN p.external_score IS NOT NULL THEN ', external ' || p.external_score ELSE '' END)
			   || CASE WHEN p.override_id IS NOT NULL THEN format('; overridden to %s', p.credit_grade) ELSE '' END
			   AS score_explanation,
		   c.credit_limit AS own_credit_limit,
		   p.lifecycle_stage,
		   p.lifecycle_stage::text AS stage,
		   sl.label_en AS stage_label_en,
		   sl.label_zh AS stage_label_zh,
		   p.lifecycle_phase,
		   p.lifecycle_phase::text AS phase,
		   pl.label_en AS phase_label_en,
		   pl.label_zh AS phase_label_zh,
		   p.behaviour_segment,
		   p.behaviour_segment::text AS behaviour,
		   bl.label_en AS behaviour_label_en,
		   bl.label_zh AS behaviour_label_zh,
		   p.rfm_r, p.rfm_f, p.rfm_m,
		   p.rfm_r::text || p.rfm_f::text || p.rfm_m::text AS rfm_score,
		   p.rfm_segment,
		   p.rfm_segment::text AS rfm,
		   rl.label_en AS rfm_label_en,
		   rl.label_zh AS rfm_label_zh,
		   p.first_order_on,
		   p.last_order_on,
		   p.as_of - p.last_order_on AS days_since_last_order,
		   p.orders_12m,
		   p.revenue_12m,
		   p.open_balance,
		   p.overdue_balance,
		   p.overdue_invoices,
		   p.payment_index,
		   p.days_beyond_terms,
		   p.payment_warning,
		   p.payment_warning::text AS warning,
		   wl.label_en AS warning_label_en,
		   wl.label_zh AS warning_label_zh,
		   @extschema@.credit_limit(c.customer_id) AS credit_limit,
		   (@extschema@.credit_limit_info(c.customer_id)).limit_source AS limit_source,
		   coalesce((SELECT e.exposure FROM @extschema@.credit_exposure e WHERE e.customer_id = c.customer_id), 0)
			   AS exposure,
		   @extschema@.credit_limit(c.customer_id)
			   - coalesce((SELECT e.exposure FROM @extschema@.credit_exposure e WHERE e.customer_id = c.customer_id), 0)
			   AS available_credit,
		   (SELECT @extschema@.aging_agg(o.open_amount, o.due_on, @extschema@.as_of())
			FROM @extschema@.open_item o WHERE o.customer_id = c.customer_id) AS aging,
		   coalesce((SELECT max(a.level) FROM @extschema@.alerts a
					 WHERE a.customer_id = c.customer_id AND a.resolved_at IS NULL), 'green') AS alert_level,
		   (SELECT count(*) FROM @extschema@.alerts a
			WHERE a.customer_id = c.customer_id AND a.resolved_at IS NULL) AS open_alerts,
		   p.refreshed_at,
		   c.tags,
		   p.rule_tags,
		   c.tags OPERATOR(@extschema@.|) coalesce(p.rule_tags, '{}'::@extschema@.tagset) AS all_tags
	FROM @extschema@.src_customer c
	LEFT JOIN @extschema@.profile p ON p.customer_id = c.customer_id
	LEFT JOIN @extschema@.class_label gl ON gl.dimension = 'credit_grade' AND gl.value = p.credit_grade::text
	LEFT JOIN @extschema@.class_label sl ON sl.dimension = 'lifecycle_stage' AND sl.value = p.lifecycle_stage::text
	LEFT JOIN @extschema@.class_label pl ON pl.dimension = 'lifecycle_phase' AND pl.value = p.lifecycle_phase::text
	LEFT JOIN @extschema@.class_label bl ON bl.dimension = 'segment' AND bl.value = p.behaviour_segment::text
	LEFT JOIN @extschema@.class_label rl ON rl.dimension = 'rfm_segment' AND rl.value = p.rfm_segment::text
	LEFT JOIN @extschema@.class_label wl ON wl.dimension = 'alert_level' AND wl.value = p.payment_warning::text;

GRANT SELECT ON @extschema@.customer_profile TO customer_class_reader;
COMMENT ON VIEW @extschema@.customer_profile IS
	'one row per customer: its current classes as of the last refresh() (NULLs until the first refresh)';
COMMENT ON COLUMN @extschema@.customer_profile.customer_id IS 'customer key';
COMMENT ON COLUMN @extschema@.customer_profile.name IS 'customer name';
COMMENT ON COLUMN @extschema@.customer_profile.customer_type IS 'enterprise or individual';
COMMENT ON COLUMN @extschema@.customer_profile.industry IS 'industry code';
COMMENT ON COLUMN @extschema@.customer_profile.region IS 'region as a dotted path';
COMMENT ON COLUMN @extschema@.customer_profile.as_of IS 'date the classes were computed as of';
COMMENT ON COLUMN @extschema@.customer_profile.credit_score IS 'credit score 0-100';
COMMENT ON COLUMN @extschema@.customer_profile.credit_grade IS 'credit grade in force (enum, A best)';
COMMENT ON COLUMN @extschema@.customer_profile.grade IS 'credit grade in force, as text';
COMMENT ON COLUMN @extschema@.customer_profile.grade_label_en IS 'grade display name, English';
COMMENT ON COLUMN @extschema@.customer_profile.grade_label_zh IS 'grade display name, Simplified Chinese';
COMMENT ON COLUMN @extschema@.customer_profile.computed_grade IS 'grade from the score, before any override';
COMMENT ON COLUMN @extschema@.customer_profile.grade_overridden IS 'a manual override is in force';
COMMENT ON COLUMN @extschema@.customer_profile.scale_points IS 'transaction scale points 0-100';
COMMENT ON COLUMN @extschema@.customer_profile.payment_points IS 'payment performance points 0-100';
COMMENT ON COLUMN @extschema@.customer_profile.stability_points IS 'relationship stability points 0-100';
COMMENT ON COLUMN @extschema@.customer_profile.risk_points IS 'industry/region risk points 0-100';
COMMENT ON COLUMN @extschema@.customer_profile.external_score IS 'external score blended in, if any';
COMMENT ON COLUMN @extschema@.customer_profile.score_explanation IS 'the score and its parts in one line';
COMMENT ON COLUMN @extschema@.customer_profile.own_credit_limit IS 'the customer''s own credit limit, if set';
COMMENT ON COLUMN @extschema@.customer_profile.lifecycle_stage IS 'lifecycle stage (enum): potential, new, active, reactivated, dormant, churned';
COMMENT ON COLUMN @extschema@.customer_profile.stage IS 'lifecycle stage, as text';
COMMENT ON COLUMN @extschema@.customer_profile.stage_label_en IS 'lifecycle stage display name, English';
COMMENT ON COLUMN @extschema@.customer_profile.stage_label_zh IS 'lifecycle stage display name, Simplified Chinese';
COMMENT ON COLUMN @extschema@.customer_profile.lifecycle_phase IS 'revenue phase (enum): introduction, growth, maturity, decline; NULL: no order yet';
COMMENT ON COLUMN @extschema@.customer_profile.phase IS 'revenue phase, as text';
COMMENT ON COLUMN @extschema@.customer_profile.phase_label_en IS 'revenue phase display name, English';
COMMENT ON COLUMN @extschema@.customer_profile.phase_label_zh IS 'revenue phase display name, Simplified Chinese';
COMMENT ON COLUMN @extschema@.customer_profile.behaviour_segment IS 'behaviour segment (enum)';
COMMENT ON COLUMN @extschema@.customer_profile.behaviour IS 'behaviour segment, as text';
COMMENT ON COLUMN @extschema@.customer_profile.behaviour_label_en IS 'behaviour segment display name, English';
COMMENT ON COLUMN @extschema@.customer_profile.behaviour_label_zh IS 'behaviour segment display name, Simplified Chinese';
COMMENT ON COLUMN @extschema@.customer_profile.rfm_r IS 'RFM recency score 1-5 (5 = most recent)';
COMMENT ON COLUMN @extschema@.customer_profile.rfm_f IS 'RFM frequency score 1-5';
COMMENT ON COLUMN @extschema@.customer_profile.rfm_m IS 'RFM monetary score 1-5';
COMMENT ON COLUMN @extschema@.customer_profile.rfm_score IS 'RFM scores as one code, e.g. 545';
COMMENT ON COLUMN @extschema@.customer_profile.rfm_segment IS 'named RFM segment (enum); NULL: no order yet';
COMMENT ON COLUMN @extschema@.customer_profile.rfm IS 'named RFM segment, as text';
COMMENT ON COLUMN @extschema@.customer_profile.rfm_label_en IS 'RFM segment display name, English';
COMMENT ON COLUMN @extschema@.customer_profile.rfm_label_zh IS 'RFM segment display name, Simplified Chinese';
COMMENT ON COLUMN @extschema@.customer_profile.first_order_on IS 'first order (cancelled ones do not count)';
COMMENT ON COLUMN @extschema@.customer_profile.last_order_on IS 'last order (cancelled ones do not count)';
COMMENT ON COLUMN @extschema@.customer_profile.days_since_last_order IS 'days from the last order to as_of (RFM recency)';
COMMENT ON COLUMN @extschema@.customer_profile.orders_12m IS 'orders in the 12 months up to as_of (RFM frequency)';
COMMENT ON COLUMN @extschema@.customer_profile.revenue_12m IS 'invoiced in the 12 months up to as_of (RFM monetary)';
COMMENT ON COLUMN @extschema@.customer_profile.open_balance IS 'open receivables as of as_of (unapplied credits deducted)';
COMMENT ON COLUMN @extschema@.customer_profile.overdue_balance IS 'open amount past due as of as_of';
COMMENT ON COLUMN @extschema@.customer_profile.overdue_invoices IS 'open invoices past due as of as_of';
COMMENT ON COLUMN @extschema@.customer_profile.payment_index IS 'PAYDEX-style payment index 20-100 as of as_of (NULL below 3 paid invoices)';
COMMENT ON COLUMN @extschema@.customer_profile.days_beyond_terms IS 'amount-weighted days beyond terms of paid invoices (negative: early)';
COMMENT ON COLUMN @extschema@.customer_profile.payment_warning IS 'payment-rhythm warning as of as_of (enum alert_level): yellow, red, NULL for none';
COMMENT ON COLUMN @extschema@.customer_profile.warning IS 'payment-rhythm warning, as text';
COMMENT ON COLUMN @extschema@.customer_profile.warning_label_en IS 'payment-rhythm warning display name, English';
COMMENT ON COLUMN @extschema@.customer_profile.warning_label_zh IS 'payment-rhythm warning display name, Simplified Chinese';
COMMENT ON COLUMN @extschema@.customer_profile.credit_limit IS 'credit limit in force as of customer_class.as_of() (override, own limit or grade policy); NULL: no limit';
COMMENT ON COLUMN @extschema@.customer_profile.limit_source IS 'where the limit in force comes from';
COMMENT ON COLUMN @extschema@.customer_profile.exposure IS 'credit exposure now: open orders + shipped not invoiced + open invoices - unapplied credits (the maintained ledger)';
COMMENT ON COLUMN @extschema@.customer_profile.available_credit IS 'credit_limit - exposure (negative: over the limit; NULL: no limit)';
COMMENT ON COLUMN @extschema@.customer_profile.aging IS 'receivables aging as of customer_class.as_of() (bounds 30/60/90; NULL: nothing open); see aging_report for every customer at once';
COMMENT ON COLUMN @extschema@.customer_profile.alert_level IS 'highest level of the open alerts (green: none)';
COMMENT ON COLUMN @extschema@.customer_profile.open_alerts IS 'number of open alerts';
COMMENT ON COLUMN @extschema@.customer_profile.refreshed_at IS 'when refresh() last wrote the profile';
COMMENT ON COLUMN @extschema@.customer_profile.tags IS 'manual tags (customer.tags), never written by rules';
COMMENT ON COLUMN @extschema@.customer_profile.rule_tags IS 'tags given by tag rules at the last refresh (NULL until the first refresh)';
COMMENT ON COLUMN @extschema@.customer_profile.all_tags IS 'manual and rule tags together (tags | rule_tags)';

-- ---- src/sql/access/policies.sql ----
-- Access by customer category, enforced (docs/access.md; the entries and
-- access_query() are in access/entries.sql).  Every table that carries a
-- customer's data gets row-level security and one policy:
--   customer        the customer's tags match the caller's access_query();
--   the others      their customer_id names a customer the caller sees in
--                   src_customer (customer's own policy then decides; the
--                   view, not the table: nothing may pin the user's table,
--                   sources/user_data.sql).
-- The policies apply to reading and writing (USING and WITH CHECK), so a
-- restricted role can neither read nor write another category's rows.
--
-- Cost: access_query() runs once per statement (an uncorrelated subquery,
-- an InitPlan), never per row.  A role that sees every customer stops at
-- that NULL; a restricted one pays the tag match per customer row (the C
-- operator, no SQL function call) and, on the other tables, one binary
-- search per row in the ids of its customers, read once per statement by
-- access_visible() (src/access.c; an EXISTS here was costed as a subquery
-- per row, which cost every analyst JIT and the parallel plans).
--
-- The extension's owner is never restricted by row-level security, so
-- refresh(), the credit check triggers and the other SECURITY DEFINER
-- functions still see and keep every customer; those that answer a caller
-- about one customer check access_allows(..., access_caller()) themselves.
-- Views read these tables with security_invoker, so they honour the
-- policies as well.

-- Once a table has row-level security, a condition of the caller's query
-- is used in an index scan only when its function is LEAKPROOF (otherwise
-- it could see rows before the policy has filtered them): without this, a
-- reader's GIN tag query on customer would turn into a sequential scan.
-- The tag comparisons are: on valid values they raise no error and have no
-- side effect (src/tagset_sql.c, TagQueryMatch in src/tagquery.c).
ALTER FUNCTION @extschema@.tagset_contains(@extschema@.tagset, @extschema@.tagset) LEAKPROOF;
ALTER FUNCTION @extschema@.tagset_contained(@extschema@.tagset, @extschema@.tagset) LEAKPROOF;
ALTER FUNCTION @extschema@.tagset_overlap(@extschema@.tagset, @extschema@.tagset) LEAKPROOF;
ALTER FUNCTION @extschema@.tagset_exists(@extschema@.tagset, text) LEAKPROOF;
ALTER FUNCTION @extschema@.tagset_match(@extschema@.tagset, @extschema@.tagquery) LEAKPROOF;
ALTER FUNCTION @extschema@.tagquery_match(@extschema@.tagquery, @extschema@.tagset) LEAKPROOF;
ALTER FUNCTION @extschema@.tagset_eq(@extschema@.tagset, @extschema@.tagset) LEAKPROOF;
ALTER FUNCTION @extschema@.tagset_ne(@extschema@.tagset, @extschema@.tagset) LEAKPROOF;

ALTER TABLE @extschema@.customer ENABLE ROW LEVEL SECURITY;
CREATE POLICY customer_access ON @extschema@.customer
	USING (coalesce(customer.tags OPERATOR(@extschema@.@@) (SELECT @extschema@.access_query()), true))
	WITH CHECK (coalesce(customer.tags OPERATOR(@extschema@.@@) (SELECT @extschema@.access_query()), true));
COMMENT ON POLICY customer_access ON @extschema@.customer IS
	'access by customer category: a restricted role sees and writes the customers whose tags match its access_query()';

DO $policies$
DECLARE
	t text;
BEGIN
	-- the same policy on each of these tables: keep this list complete (the
	-- regression test access.sql fails for a table with a customer_id
	-- column and no policy)
	FOREACH t IN ARRAY ARRAY['sales_order', 'invoice', 'payment', 'profile', 'class_history', 'dirty',
							 'external_score', 'credit_override', 'credit_limit_override',
							 'credit_check_exception', 'credit_exposure', 'alerts', 'external_event', 'rewound_row']
	LOOP
		EXECUTE pg_catalog.format('ALTER TABLE @extschema@.%I ENABLE ROW LEVEL SECURITY', t);
		EXECUTE pg_catalog.format($f$
			CREATE POLICY customer_access ON @extschema@.%1$I
				USING (@extschema@.access_visible(%1$I.customer_id, (SELECT @extschema@.access_query())))
				WITH CHECK (@extschema@.access_visible(%1$I.customer_id, (SELECT @extschema@.access_query())))$f$, t);
		EXECUTE pg_catalog.format($f$COMMENT ON POLICY customer_access ON @extschema@.%I IS %L$f$, t,
			'access by customer category: a restricted role sees and writes the rows of the customers it sees in customer');
	END LOOP;
END
$policies$;

-- ---- src/sql/sources/user_data.sql ----
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
-- The extension reads them only through the late-bound src_*_rows()
-- functions (sources/views.sql), so nothing of the extension pins them.
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
-- then the tables just created are dropped again, empty, for the dump to
-- create them as they were.  Nothing of the extension depends on them, so a
-- plain DROP TABLE does it.

CREATE FUNCTION @extschema@.session_is_restore() RETURNS boolean
	AS 'MODULE_PATHNAME', 'customer_class_session_is_restore'
	LANGUAGE C STABLE PARALLEL RESTRICTED;
REVOKE EXECUTE ON FUNCTION @extschema@.session_is_restore() FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.session_is_restore() IS
	'internal: true when the session runs with check_function_bodies off, as pg_dump''s output and pg_restore do (inside the extension''s script: the value the session had before it)';

DO $user_data$
BEGIN
	IF @extschema@.session_is_restore() THEN
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
	END IF;
END
$user_data$;
