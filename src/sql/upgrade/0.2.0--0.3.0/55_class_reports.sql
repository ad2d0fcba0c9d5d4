-- 0.2.0 -> 0.3.0, class reports and profit (issue 17 part B): cost on the managed sales_order and invoice and on the order and invoice sources (a new last column), customer_profit() and gross_margin(), class_members() and class_label_of() (customer_class_member and the per-class views read them), the class reports (view and function class_report, class_ranking), profit columns in customer_profile and rule_subject, the profit.high tag label.

-- sources/tables.sql: the managed tables (the user's, not members) gain cost
ALTER TABLE @extschema@.sales_order ADD COLUMN cost numeric(18,2),
	ADD CONSTRAINT sales_order_cost_not_negative CHECK (cost >= 0);
ALTER TABLE @extschema@.invoice ADD COLUMN cost numeric(18,2),
	ADD CONSTRAINT invoice_cost_not_negative CHECK (cost >= 0);
COMMENT ON COLUMN @extschema@.sales_order.cost IS
	'expected cost of the goods and services ordered; NULL: not known (gross profit counts invoices, not orders)';
COMMENT ON COLUMN @extschema@.invoice.cost IS
	'cost of the goods and services invoiced (cost of sales), 0 or more; NULL: not known, the invoice then has no gross profit';

-- checks/explain.sql: the two new constraints explained
CREATE OR REPLACE FUNCTION @extschema@.check_rule(table_name text, constraint_name text, new_row jsonb,
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
	WHEN 'sales_order.sales_order_cost_not_negative' THEN
		detail := format('cost %s is negative.', r->>'cost');
		hint := 'A cost is 0 or more, or NULL when it is not known.';
	WHEN 'invoice.invoice_amount_positive' THEN
		detail := format('amount %s is not positive.', r->>'amount');
		hint := 'An invoice amount is more than 0: record a credit as a payment of kind credit_note.';
	WHEN 'invoice.invoice_due_not_before_issue' THEN
		detail := format('due_on %s is before issued_on %s.', r->>'due_on', r->>'issued_on');
		hint := 'An invoice falls due on or after the day it was issued.';
	WHEN 'invoice.invoice_cost_not_negative' THEN
		detail := format('cost %s is negative.', r->>'cost');
		hint := 'The cost of what an invoice bills is 0 or more, or NULL when it is not known.';
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

-- sources/triggers.sql: the explained-CHECK triggers restate the new constraints
DROP TRIGGER sales_order_explain_check ON @extschema@.sales_order;
CREATE TRIGGER sales_order_explain_check BEFORE INSERT OR UPDATE ON @extschema@.sales_order
	FOR EACH ROW WHEN ((NEW.amount >= 0) IS FALSE
		OR (NEW.status IN ('open', 'shipped', 'invoiced', 'cancelled')) IS FALSE
		OR (NEW.shipped_on >= NEW.ordered_on) IS FALSE
		OR (NEW.cost >= 0) IS FALSE)
	EXECUTE FUNCTION @extschema@.explain_check_violation();
DROP TRIGGER invoice_explain_check ON @extschema@.invoice;
CREATE TRIGGER invoice_explain_check BEFORE INSERT OR UPDATE ON @extschema@.invoice
	FOR EACH ROW WHEN ((NEW.amount > 0) IS FALSE OR (NEW.due_on >= NEW.issued_on) IS FALSE
		OR (NEW.cost >= 0) IS FALSE)
	EXECUTE FUNCTION @extschema@.explain_check_violation();

-- sources/binding.sql: the canonical shape gains cost for order and invoice
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

-- The source views of order and invoice gain the column: rebuilt from the
-- binding in force (none, coming from 0.2.0) or over the managed table.
-- They are the user's, not members: taken in for the rebuild, since an
-- extension script may only replace its own objects, and handed over again.
ALTER EXTENSION customer_class ADD VIEW @extschema@.source_order;
ALTER EXTENSION customer_class ADD VIEW @extschema@.source_invoice;
DO $rebuild$
DECLARE
	r text;
	b record;
BEGIN
	FOREACH r IN ARRAY ARRAY['order', 'invoice']
	LOOP
		SELECT * INTO b FROM @extschema@.source_binding sb WHERE sb.role = r;
		IF FOUND THEN
			EXECUTE @extschema@.source_view_sql(r, b.relation::regclass, b.columns, b.filter);
		ELSE
			PERFORM @extschema@.source_view_default(r);
		END IF;
	END LOOP;
END
$rebuild$;
ALTER EXTENSION customer_class DROP VIEW @extschema@.source_order;
ALTER EXTENSION customer_class DROP VIEW @extschema@.source_invoice;

-- sources/views.sql: src_order_rows() and src_invoice_rows() gain cost, a
-- new result column: each is dropped and created again, its view reading
-- the source view directly in between (the views over src_* stay)
CREATE OR REPLACE VIEW @extschema@.src_order WITH (security_invoker = true) AS
	SELECT order_id, customer_id, ordered_on, amount::numeric(18,2) AS amount, status, shipped_on, company_id
	FROM @extschema@.source_order;
DROP FUNCTION @extschema@.src_order_rows();
CREATE FUNCTION @extschema@.src_order_rows()
	RETURNS TABLE (order_id bigint, customer_id bigint, ordered_on date, amount numeric, status text,
				   shipped_on date, company_id bigint, cost numeric)
	LANGUAGE sql STABLE PARALLEL SAFE
AS $$
	SELECT order_id, customer_id, ordered_on, amount, status, shipped_on, company_id, cost
	FROM @extschema@.source_order
$$;

CREATE OR REPLACE VIEW @extschema@.src_order WITH (security_invoker = true) AS
	SELECT order_id, customer_id, ordered_on, amount::numeric(18,2) AS amount, status, shipped_on, company_id,
		   cost::numeric(18,2) AS cost
	FROM @extschema@.src_order_rows();

CREATE OR REPLACE VIEW @extschema@.src_invoice WITH (security_invoker = true) AS
	SELECT invoice_id, customer_id, order_id, issued_on, due_on, amount::numeric(18,2) AS amount, company_id
	FROM @extschema@.source_invoice;
DROP FUNCTION @extschema@.src_invoice_rows();
CREATE FUNCTION @extschema@.src_invoice_rows()
	RETURNS TABLE (invoice_id bigint, customer_id bigint, order_id bigint, issued_on date, due_on date,
				   amount numeric, company_id bigint, cost numeric)
	LANGUAGE sql STABLE PARALLEL SAFE
AS $$
	SELECT invoice_id, customer_id, order_id, issued_on, due_on, amount, company_id, cost
	FROM @extschema@.source_invoice
$$;

CREATE OR REPLACE VIEW @extschema@.src_invoice WITH (security_invoker = true) AS
	SELECT invoice_id, customer_id, order_id, issued_on, due_on, amount::numeric(18,2) AS amount, company_id,
		   cost::numeric(18,2) AS cost
	FROM @extschema@.src_invoice_rows();
COMMENT ON FUNCTION @extschema@.src_order_rows() IS
	'internal: the rows of source_order (the managed table sales_order or the bound relation), for src_order (late-bound: the view does not pin it)';
COMMENT ON FUNCTION @extschema@.src_invoice_rows() IS
	'internal: the rows of source_invoice (the managed table invoice or the bound relation), for src_invoice (late-bound: the view does not pin it)';
COMMENT ON COLUMN @extschema@.src_order.cost IS 'expected cost of what was ordered; NULL: not known';
COMMENT ON COLUMN @extschema@.source_order.cost IS 'expected cost of what was ordered; NULL: not known';
COMMENT ON COLUMN @extschema@.src_invoice.cost IS 'cost of what was invoiced (cost of sales), in the company''s currency; NULL: not known (no gross profit)';
COMMENT ON COLUMN @extschema@.source_invoice.cost IS 'cost of what was invoiced (cost of sales), in the company''s currency; NULL: not known (no gross profit)';

-- facts/profit.sql
CREATE FUNCTION @extschema@.gross_margin(gross_profit numeric, costed_revenue numeric) RETURNS numeric
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	RETURN pg_catalog.round(gross_profit / NULLIF(costed_revenue, 0), 4);
COMMENT ON FUNCTION @extschema@.gross_margin(numeric, numeric) IS
	'gross profit / revenue of the invoices with a cost, as a fraction rounded to 4 decimals (0.2500 = 25 %); NULL when that revenue is 0';

-- Per customer, over the invoices issued from period_start to period_end
-- (both included).  Customers without an invoice in the period have no row.
CREATE FUNCTION @extschema@.customer_profit(period_start date, period_end date)
	RETURNS TABLE (customer_id bigint, revenue numeric, cost numeric, costed_revenue numeric,
				   gross_profit numeric, gross_margin numeric)
	LANGUAGE sql STABLE PARALLEL SAFE
AS $$
	SELECT i.customer_id,
		   pg_catalog.sum(i.amount),
		   pg_catalog.sum(i.cost),
		   pg_catalog.sum(i.amount) FILTER (WHERE i.cost IS NOT NULL),
		   pg_catalog.sum(i.amount - i.cost),
		   @extschema@.gross_margin(pg_catalog.sum(i.amount - i.cost),
									pg_catalog.sum(i.amount) FILTER (WHERE i.cost IS NOT NULL))
	FROM @extschema@.src_invoice i
	WHERE i.issued_on BETWEEN $1 AND $2
	GROUP BY i.customer_id
$$;
COMMENT ON FUNCTION @extschema@.customer_profit(date, date) IS
	'per customer, the invoices issued in a period (both ends included): revenue, cost (of those with a cost), their revenue (costed_revenue), gross profit = costed_revenue - cost, gross margin = gross profit / costed_revenue';

-- tags/catalog.sql: the profit dimension and the label of profit.high
INSERT INTO @extschema@.tag_dimension (dimension, exclusive, label_en, label_zh, description, shipped) VALUES
	('profit', false, 'Profitability', '盈利能力', 'profitability classes, e.g. profit.high given by a tag rule on gross_margin_12m (docs/reporting.md)', true);
INSERT INTO @extschema@.tag_catalog (tag, dimension, label_en, label_zh, shipped) VALUES
	('profit', 'profit', 'Profitability', '盈利能力', true),
	('profit.high', 'profit', 'High-profit customer', '高利润客户', true);

-- tags/rules.sql: rule conditions may use gross profit and margin
CREATE OR REPLACE VIEW @extschema@.rule_subject WITH (security_invoker = true) AS
	SELECT c.customer_id, c.name, c.customer_type, c.industry, c.region, c.size_class,
		   c.payment_terms_days, c.credit_limit, c.created_on, c.tags,
		   p.as_of, p.credit_score, p.credit_grade, p.lifecycle_stage, p.lifecycle_phase,
		   p.behaviour_segment, p.rfm_r, p.rfm_f, p.rfm_m, p.rfm_segment,
		   p.first_order_on, p.last_order_on, p.orders_12m, p.revenue_12m,
		   p.open_balance, p.overdue_balance, p.overdue_invoices, p.payment_index,
		   p.days_beyond_terms, p.payment_warning,
		   (SELECT pr.gross_profit FROM @extschema@.customer_profit(p.as_of - 364, p.as_of) pr
			WHERE pr.customer_id = c.customer_id) AS gross_profit_12m,
		   (SELECT pr.gross_margin FROM @extschema@.customer_profit(p.as_of - 364, p.as_of) pr
			WHERE pr.customer_id = c.customer_id) AS gross_margin_12m
	FROM @extschema@.src_customer c
	JOIN @extschema@.profile p ON p.customer_id = c.customer_id;
COMMENT ON COLUMN @extschema@.rule_subject.gross_profit_12m IS 'gross profit of the invoices with a cost issued in the 365 days up to as_of (NULL: none), see docs/reporting.md';
COMMENT ON COLUMN @extschema@.rule_subject.gross_margin_12m IS 'gross_profit_12m / revenue of those invoices, fraction with 4 decimals (0.3000 = 30 %)';

-- reports/members.sql
-- A region path cut to its first n labels (a shorter path stays whole):
-- east.shanghai is east at level 1 and east.shanghai at levels 2 and 3.
CREATE FUNCTION @extschema@.region_level(region text, level integer) RETURNS text
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	RETURN pg_catalog.array_to_string((pg_catalog.string_to_array(region, '.'))[1:level], '.');
COMMENT ON FUNCTION @extschema@.region_level(text, integer) IS
	'a dotted path (region or tag) cut to its first n labels; a shorter path stays whole';

-- The value class_history records for a customer's class in a dimension as
-- of a date: the one the last refresh at or before it gave (NULL: not yet
-- classified by then).
CREATE FUNCTION @extschema@.class_in_force(customer_id bigint, dimension text, as_of date) RETURNS text
	LANGUAGE sql STABLE STRICT PARALLEL SAFE
AS $$
	SELECT h.new_value
	FROM @extschema@.class_history h
	WHERE h.customer_id = $1 AND h.dimension = $2 AND h.as_of <= $3
	ORDER BY h.as_of DESC, h.history_id DESC
	LIMIT 1
$$;
COMMENT ON FUNCTION @extschema@.class_in_force(bigint, text, date) IS
	'a customer''s class in a dimension (credit_grade, lifecycle_stage, lifecycle_phase, segment, rfm_segment, ...) as of a date, from class_history: the value of the last refresh at or before it';

-- Every customer once in every dimension (class NULL: not classified in
-- it), and once under each of its tags (manual and rule tags; NULL: none).
-- The classes refresh() computes are the profile's when the profile is as
-- of the date or earlier, else those class_history had on the date, so a
-- report as of an earlier date shows the classes of that date.  With
-- tag_prefix, dimension tag holds the tags at or below the prefix, cut one
-- label below it (prefix region: region.east), and NULL for a customer
-- without one.  Tags are those held now: the tag history is not read.
CREATE FUNCTION @extschema@.class_members(as_of date, tag_prefix text DEFAULT NULL)
	RETURNS TABLE (customer_id bigint, dimension text, class text)
	LANGUAGE sql STABLE PARALLEL SAFE
AS $$
	SELECT c.customer_id, d.dimension, d.class
	FROM @extschema@.src_customer c
	LEFT JOIN @extschema@.profile p ON p.customer_id = c.customer_id
	CROSS JOIN LATERAL (VALUES
		('credit_grade', CASE WHEN p.as_of <= $1 THEN p.credit_grade::text
							  WHEN p.as_of > $1 THEN @extschema@.class_in_force(c.customer_id, 'credit_grade', $1) END),
		('lifecycle_stage', CASE WHEN p.as_of <= $1 THEN p.lifecycle_stage::text
								 WHEN p.as_of > $1 THEN @extschema@.class_in_force(c.customer_id, 'lifecycle_stage', $1) END),
		('lifecycle_phase', CASE WHEN p.as_of <= $1 THEN p.lifecycle_phase::text
								 WHEN p.as_of > $1 THEN @extschema@.class_in_force(c.customer_id, 'lifecycle_phase', $1) END),
		('segment', CASE WHEN p.as_of <= $1 THEN p.behaviour_segment::text
						 WHEN p.as_of > $1 THEN @extschema@.class_in_force(c.customer_id, 'segment', $1) END),
		('rfm_segment', CASE WHEN p.as_of <= $1 THEN p.rfm_segment::text
							 WHEN p.as_of > $1 THEN @extschema@.class_in_force(c.customer_id, 'rfm_segment', $1) END),
		('customer_type', c.customer_type),
		('industry', c.industry),
		('region', @extschema@.region_level(c.region, 1)),
		('region_2', @extschema@.region_level(c.region, 2)),
		('region_3', @extschema@.region_level(c.region, 3)),
		('size_class', c.size_class)) AS d(dimension, class)
	UNION ALL
	SELECT c.customer_id, 'tag', t.class
	FROM @extschema@.src_customer c
	LEFT JOIN @extschema@.profile p ON p.customer_id = c.customer_id
	LEFT JOIN LATERAL (
		SELECT DISTINCT CASE WHEN $2 IS NULL THEN x.tag
							 ELSE @extschema@.region_level(x.tag, pg_catalog.array_length(pg_catalog.string_to_array($2, '.'), 1) + 1) END
		FROM @extschema@.tags(c.tags OPERATOR(@extschema@.|) coalesce(p.rule_tags, '{}'::@extschema@.tagset)) AS x(tag)
		WHERE $2 IS NULL OR x.tag = $2 OR pg_catalog.starts_with(x.tag, $2 || '.')
	) AS t(class) ON true
$$;
COMMENT ON FUNCTION @extschema@.class_members(date, text) IS
	'every customer''s class in each dimension (credit_grade, lifecycle_stage, lifecycle_phase, segment, rfm_segment, customer_type, industry, region, region_2, region_3, size_class; NULL: unclassified) and one row per tag (dimension tag; with tag_prefix: the tags below the prefix, cut one label below it), classes as of the date';

-- The display names of a class, written once for every per-class view:
-- class_label (the classes refresh() computes, customer types and sizes),
-- else the tag catalog -- industry.<class>, size.<class>, region.<path>,
-- or the tag itself -- else the class itself; for NULL (the customers not
-- classified in the dimension) unclassified / 未分类.
CREATE FUNCTION @extschema@.class_label_of(dimension text, class text)
	RETURNS TABLE (label_en text, label_zh text)
	LANGUAGE sql STABLE PARALLEL SAFE
AS $$
	SELECT CASE WHEN $2 IS NULL THEN 'unclassified' ELSE coalesce(l.label_en, t.label_en, $2) END,
		   CASE WHEN $2 IS NULL THEN '未分类' ELSE coalesce(l.label_zh, t.label_zh, $2) END
	FROM (SELECT) one
	LEFT JOIN @extschema@.class_label l ON l.dimension = $1 AND l.value = $2
	LEFT JOIN @extschema@.tag_catalog t
		   ON t.tag = CASE WHEN $1 = 'industry' THEN 'industry.' || $2
						   WHEN $1 = 'size_class' THEN 'size.' || $2
						   WHEN $1 IN ('region', 'region_2', 'region_3') THEN 'region.' || $2
						   WHEN $1 = 'tag' THEN $2 END
$$;
COMMENT ON FUNCTION @extschema@.class_label_of(text, text) IS
	'English and Simplified Chinese display names of a class of a dimension: class_label, else the tag catalog (industry.<class>, size.<class>, region.<path>, the tag), else the class itself; unclassified / 未分类 for NULL';

-- receivables/views.sql: customer_class_member reads class_members(), the
-- per-class views label their classes with class_label_of()
CREATE OR REPLACE VIEW @extschema@.customer_class_member WITH (security_invoker = true) AS
SELECT m.customer_id, m.dimension, m.class
FROM (SELECT (SELECT @extschema@.report_date()) AS d) rd
CROSS JOIN LATERAL @extschema@.class_members(rd.d) m
WHERE m.class IS NOT NULL;

COMMENT ON VIEW @extschema@.customer_class_member IS
	'the class of every customer in each dimension it is classified in (credit_grade, lifecycle_stage, lifecycle_phase, segment, rfm_segment, customer_type, industry, region, region_2, region_3, size_class), and one row per manual or rule tag (dimension tag)';
COMMENT ON COLUMN @extschema@.customer_class_member.customer_id IS 'customer key';
COMMENT ON COLUMN @extschema@.customer_class_member.dimension IS 'credit_grade, lifecycle_stage, lifecycle_phase, segment, rfm_segment, customer_type, industry, region (top level), region_2, region_3 (the first two, three labels), size_class or tag';
COMMENT ON COLUMN @extschema@.customer_class_member.class IS 'the customer''s class in that dimension (for tag: the tag)';

CREATE OR REPLACE VIEW @extschema@.aging_report_by_class WITH (security_invoker = true) AS
SELECT s.dimension, s.class, (SELECT @extschema@.report_date()) AS as_of, s.customers,
	   s.current_amount, s.days_1_30, s.days_31_60, s.days_61_90, s.days_over_90, s.total, s.overdue,
	   l.label_en AS class_label_en,
	   l.label_zh AS class_label_zh
FROM (SELECT m.dimension, m.class,
			 pg_catalog.count(*) AS customers,
			 pg_catalog.sum(r.current_amount) AS current_amount,
			 pg_catalog.sum(r.days_1_30) AS days_1_30,
			 pg_catalog.sum(r.days_31_60) AS days_31_60,
			 pg_catalog.sum(r.days_61_90) AS days_61_90,
			 pg_catalog.sum(r.days_over_90) AS days_over_90,
			 pg_catalog.sum(r.total) AS total,
			 pg_catalog.sum(r.overdue) AS overdue
	  FROM @extschema@.aging_report r
	  JOIN @extschema@.customer_class_member m ON m.customer_id = r.customer_id
	  GROUP BY m.dimension, m.class) s
CROSS JOIN LATERAL @extschema@.class_label_of(s.dimension, s.class) l;
COMMENT ON VIEW @extschema@.aging_report_by_class IS
	'receivables aging per class (every dimension of customer_class_member) as of customer_class.report_date()';
COMMENT ON COLUMN @extschema@.aging_report_by_class.dimension IS 'a dimension of customer_class_member (credit_grade, lifecycle_stage, ..., tag)';
COMMENT ON COLUMN @extschema@.aging_report_by_class.class_label_en IS 'class display name, English (class_label_of(): class_label, else the tag catalog, else the class itself)';
COMMENT ON COLUMN @extschema@.aging_report_by_class.class_label_zh IS 'class display name, Simplified Chinese (class_label_of(): class_label, else the tag catalog, else the class itself)';
CREATE OR REPLACE VIEW @extschema@.ar_kpi_by_class WITH (security_invoker = true) AS
SELECT s.dimension, s.class, s.customers, s.period_days, s.begin_ar, s.credit_sales, s.collections,
	   s.end_ar, s.end_current_ar, s.end_overdue_ar,
	   @extschema@.dso(s.end_ar, s.credit_sales, s.period_days) AS dso,
	   @extschema@.best_possible_dso(s.end_current_ar, s.credit_sales, s.period_days) AS best_possible_dso,
	   @extschema@.average_days_delinquent(s.end_ar, s.end_current_ar, s.credit_sales, s.period_days) AS average_days_delinquent,
	   @extschema@.collection_effectiveness_index(s.begin_ar, s.credit_sales, s.end_ar, s.end_current_ar) AS collection_effectiveness_index,
	   @extschema@.collection_rate(s.collections, s.begin_ar, s.credit_sales) AS collection_rate,
	   l.label_en AS class_label_en,
	   l.label_zh AS class_label_zh
FROM (SELECT m.dimension, m.class, pg_catalog.count(*) AS customers, pg_catalog.max(k.period_days) AS period_days,
			 pg_catalog.sum(k.begin_ar) AS begin_ar, pg_catalog.sum(k.credit_sales) AS credit_sales,
			 pg_catalog.sum(k.collections) AS collections, pg_catalog.sum(k.end_ar) AS end_ar,
			 pg_catalog.sum(k.end_current_ar) AS end_current_ar, pg_catalog.sum(k.end_overdue_ar) AS end_overdue_ar
	  FROM @extschema@.ar_kpi k
	  JOIN @extschema@.customer_class_member m ON m.customer_id = k.customer_id
	  GROUP BY m.dimension, m.class) s
CROSS JOIN LATERAL @extschema@.class_label_of(s.dimension, s.class) l;
COMMENT ON VIEW @extschema@.ar_kpi_by_class IS
	'AR figures per class over the 365 days ending at customer_class.report_date(), from the summed inputs';
COMMENT ON COLUMN @extschema@.ar_kpi_by_class.dimension IS 'a dimension of customer_class_member (credit_grade, lifecycle_stage, ..., tag)';
COMMENT ON COLUMN @extschema@.ar_kpi_by_class.class_label_en IS 'class display name, English (class_label_of(): class_label, else the tag catalog, else the class itself)';
COMMENT ON COLUMN @extschema@.ar_kpi_by_class.class_label_zh IS 'class display name, Simplified Chinese (class_label_of(): class_label, else the tag catalog, else the class itself)';

-- reports/class_report.sql
-- The dimensions, in the order the docs list them.
CREATE FUNCTION @extschema@.class_dimensions() RETURNS text[]
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	RETURN ARRAY['credit_grade', 'lifecycle_stage', 'lifecycle_phase', 'segment', 'rfm_segment',
				 'customer_type', 'industry', 'region', 'region_2', 'region_3', 'size_class', 'tag'];
COMMENT ON FUNCTION @extschema@.class_dimensions() IS
	'the dimensions of the class reports (those of class_members())';

-- Refuses (22023) a dimension that is not one, and a tag prefix given for
-- another dimension than tag or that is not a tag.
CREATE FUNCTION @extschema@.class_dimension_check(dimension text, tag_prefix text) RETURNS void
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF dimension IS NULL OR NOT dimension = ANY (@extschema@.class_dimensions()) THEN
		RAISE EXCEPTION 'unknown class dimension "%"', dimension
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = format('The dimensions are: %s.', array_to_string(@extschema@.class_dimensions(), ', '));
	END IF;
	IF tag_prefix IS NOT NULL AND dimension <> 'tag' THEN
		RAISE EXCEPTION 'a tag prefix applies to dimension tag only, not to "%"', dimension
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = format('Call class_report(''tag'', tag_prefix => %L).', tag_prefix);
	END IF;
	IF tag_prefix IS NOT NULL
	   AND @extschema@.cardinality(@extschema@.tagset(ARRAY[tag_prefix])) <> 1 THEN
		RAISE EXCEPTION 'tag prefix "%" is not a tag', tag_prefix
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Give a tag such as industry or region.east.';
	END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.class_dimension_check(text, text) IS
	'internal: raises 22023 for an unknown class dimension, or a tag prefix for another dimension than tag';

-- What the reports sum, per customer as of a date: the revenue, cost and
-- gross profit of the 365 days up to it (customer_profit()), and the AR at
-- it (ar_figures(): open = invoices - payments and credits to date, overdue
-- = open amounts past due, current = the rest).
CREATE FUNCTION @extschema@.class_report_figures(as_of date)
	RETURNS TABLE (customer_id bigint, customer_name text, revenue numeric, cost numeric,
				   costed_revenue numeric, gross_profit numeric, open_ar numeric, current_ar numeric,
				   overdue_ar numeric)
	LANGUAGE sql STABLE PARALLEL SAFE
AS $$
	SELECT c.customer_id, c.name, coalesce(pr.revenue, 0.00), pr.cost, pr.costed_revenue, pr.gross_profit,
		   coalesce(a.end_ar, 0.00), coalesce(a.end_current_ar, 0.00), coalesce(a.end_overdue_ar, 0.00)
	FROM @extschema@.src_customer c
	LEFT JOIN @extschema@.customer_profit($1 - 364, $1) pr ON pr.customer_id = c.customer_id
	LEFT JOIN @extschema@.ar_figures($1 - 364, $1) a ON a.customer_id = c.customer_id
$$;
COMMENT ON FUNCTION @extschema@.class_report_figures(date) IS
	'per customer as of a date: revenue, cost, revenue with a cost and gross profit of the 365 days up to it, and open, current and overdue AR at it (what the class reports sum)';

-- Every class of every dimension as of a date.  Shares are fractions
-- rounded to 4 decimals; where the classes divide the whole (every
-- dimension but tag) they are rounded by largest remainder, so that they
-- add up to exactly 1: each share is its exact value rounded down, and the
-- ten-thousandths left go one each to the classes with the largest
-- remainders (the first of equals in class order), as the score's
-- contributions are.  Figures of a class are those of its summed customers
-- (margin and average days delinquent of the sums, not averages).
CREATE FUNCTION @extschema@.class_report_rows(as_of date, tag_prefix text DEFAULT NULL)
	RETURNS TABLE (dimension text, class text, class_order bigint, class_label_en text, class_label_zh text,
				   as_of date, customers bigint, customer_share numeric, revenue numeric, revenue_share numeric,
				   cost numeric, costed_revenue numeric, gross_profit numeric, gross_margin numeric,
				   open_ar numeric, overdue_ar numeric, average_days_delinquent numeric)
	LANGUAGE sql STABLE PARALLEL SAFE
AS $$
	WITH f AS (
		SELECT * FROM @extschema@.class_report_figures($1)
	), total AS (
		SELECT pg_catalog.count(*) AS customers, pg_catalog.sum(f.revenue) AS revenue FROM f
	), g AS (
		SELECT m.dimension, m.class, pg_catalog.count(*) AS customers,
			   pg_catalog.sum(f.revenue) AS revenue, pg_catalog.sum(f.cost) AS cost,
			   pg_catalog.sum(f.costed_revenue) AS costed_revenue, pg_catalog.sum(f.gross_profit) AS gross_profit,
			   pg_catalog.sum(f.open_ar) AS open_ar, pg_catalog.sum(f.current_ar) AS current_ar,
			   pg_catalog.sum(f.overdue_ar) AS overdue_ar
		FROM @extschema@.class_members($1, $2) m
		JOIN f ON f.customer_id = m.customer_id
		GROUP BY m.dimension, m.class
	), o AS (
		-- ordered classes in their order (grade A first, lifecycle from
		-- potential on, size from micro up), the others by name; NULL last
		SELECT g.*, t.customers AS all_customers, t.revenue AS all_revenue,
			   pg_catalog.row_number() OVER (PARTITION BY g.dimension ORDER BY g.class IS NULL,
				   CASE g.dimension
					   WHEN 'credit_grade' THEN pg_catalog.array_position(pg_catalog.enum_range(NULL::@extschema@.credit_grade)::text[], g.class)
					   WHEN 'lifecycle_stage' THEN pg_catalog.array_position(pg_catalog.enum_range(NULL::@extschema@.lifecycle_stage)::text[], g.class)
					   WHEN 'lifecycle_phase' THEN pg_catalog.array_position(pg_catalog.enum_range(NULL::@extschema@.lifecycle_phase)::text[], g.class)
					   WHEN 'segment' THEN pg_catalog.array_position(pg_catalog.enum_range(NULL::@extschema@.behaviour_segment)::text[], g.class)
					   WHEN 'rfm_segment' THEN pg_catalog.array_position(pg_catalog.enum_range(NULL::@extschema@.rfm_segment)::text[], g.class)
					   WHEN 'size_class' THEN pg_catalog.array_position(ARRAY['micro', 'small', 'medium', 'large'], g.class)
				   END, g.class) AS class_order,
			   g.customers * 10000.0 / NULLIF(t.customers, 0) AS c_units,
			   g.revenue * 10000 / NULLIF(t.revenue, 0) AS r_units
		FROM g CROSS JOIN total t
	), s AS (
		SELECT o.*,
			   pg_catalog.sum(o.customers) OVER w = o.all_customers AS c_whole,
			   pg_catalog.sum(o.revenue) OVER w = o.all_revenue AS r_whole,
			   10000 - pg_catalog.sum(pg_catalog.floor(o.c_units)) OVER w AS c_left,
			   10000 - pg_catalog.sum(pg_catalog.floor(o.r_units)) OVER w AS r_left,
			   pg_catalog.row_number() OVER (PARTITION BY o.dimension
											 ORDER BY o.c_units - pg_catalog.floor(o.c_units) DESC, o.class_order) AS c_rank,
			   pg_catalog.row_number() OVER (PARTITION BY o.dimension
											 ORDER BY o.r_units - pg_catalog.floor(o.r_units) DESC, o.class_order) AS r_rank
		FROM o
		WINDOW w AS (PARTITION BY o.dimension)
	)
	SELECT s.dimension, s.class, s.class_order,
		   lb.label_en, lb.label_zh,
		   $1, s.customers,
		   pg_catalog.round(CASE WHEN s.c_whole
								 THEN pg_catalog.floor(s.c_units) + CASE WHEN s.c_rank <= s.c_left THEN 1 ELSE 0 END
								 ELSE pg_catalog.round(s.c_units) END / 10000, 4),
		   s.revenue,
		   pg_catalog.round(CASE WHEN s.r_whole
								 THEN pg_catalog.floor(s.r_units) + CASE WHEN s.r_rank <= s.r_left THEN 1 ELSE 0 END
								 ELSE pg_catalog.round(s.r_units) END / 10000, 4),
		   s.cost, s.costed_revenue, s.gross_profit,
		   @extschema@.gross_margin(s.gross_profit, s.costed_revenue),
		   s.open_ar, s.overdue_ar,
		   @extschema@.average_days_delinquent(s.open_ar, s.current_ar, s.revenue,
											   @extschema@.ar_period_days($1 - 364, $1))
	FROM s
	CROSS JOIN LATERAL @extschema@.class_label_of(s.dimension, s.class) lb
$$;
COMMENT ON FUNCTION @extschema@.class_report_rows(date, text) IS
	'part of the class reports: every class of every dimension as of a date, with its labels, customers, revenue, cost, gross profit and margin, open and overdue AR and average days delinquent (read class_report)';

CREATE VIEW @extschema@.class_report WITH (security_invoker = true) AS
SELECT r.dimension, r.class, r.class_order, r.class_label_en, r.class_label_zh, r.as_of,
	   r.customers, r.customer_share, r.revenue, r.revenue_share, r.cost, r.costed_revenue,
	   r.gross_profit, r.gross_margin, r.open_ar, r.overdue_ar, r.average_days_delinquent
FROM (SELECT (SELECT @extschema@.report_date()) AS d) rd
CROSS JOIN LATERAL @extschema@.class_report_rows(rd.d) r;

GRANT SELECT ON @extschema@.class_report TO customer_class_reader;
COMMENT ON VIEW @extschema@.class_report IS
	'every class of every dimension (credit_grade, lifecycle_stage, lifecycle_phase, segment, rfm_segment, customer_type, industry, region, region_2, region_3, size_class, tag) as of report_date(): customers, revenue, cost, gross profit, AR; filter on dimension';
COMMENT ON COLUMN @extschema@.class_report.dimension IS
	'what customers are classified by: credit_grade, lifecycle_stage, lifecycle_phase, segment, rfm_segment, customer_type, industry, region (top level), region_2, region_3 (first two, three labels), size_class or tag';
COMMENT ON COLUMN @extschema@.class_report.class IS 'the class (for tag: the tag); NULL: the customers not classified in the dimension';
COMMENT ON COLUMN @extschema@.class_report.class_order IS 'position of the class in its dimension (1 first): the order of the classes (grade A first), else by name; unclassified last';
COMMENT ON COLUMN @extschema@.class_report.class_label_en IS 'class display name, English (class_label_of(); unclassified)';
COMMENT ON COLUMN @extschema@.class_report.class_label_zh IS 'class display name, Simplified Chinese (class_label_of(); 未分类)';
COMMENT ON COLUMN @extschema@.class_report.as_of IS 'the date the report is as of: classes in force then, revenue of the 365 days up to it, AR at it';
COMMENT ON COLUMN @extschema@.class_report.customers IS 'customers in the class';
COMMENT ON COLUMN @extschema@.class_report.customer_share IS 'customers / all customers, fraction with 4 decimals (a dimension''s shares add up to 1 but for tag)';
COMMENT ON COLUMN @extschema@.class_report.revenue IS 'invoiced in the 365 days up to as_of';
COMMENT ON COLUMN @extschema@.class_report.revenue_share IS 'revenue / all revenue, fraction with 4 decimals (a dimension''s shares add up to 1 but for tag); NULL when there is no revenue';
COMMENT ON COLUMN @extschema@.class_report.cost IS 'cost of the invoices of the period that have one; NULL when none has';
COMMENT ON COLUMN @extschema@.class_report.costed_revenue IS 'revenue of the invoices of the period that have a cost (the base of gross profit)';
COMMENT ON COLUMN @extschema@.class_report.gross_profit IS 'costed_revenue - cost';
COMMENT ON COLUMN @extschema@.class_report.gross_margin IS 'gross_profit / costed_revenue, fraction with 4 decimals';
COMMENT ON COLUMN @extschema@.class_report.open_ar IS 'AR at as_of: invoices - payments and credit notes to date';
COMMENT ON COLUMN @extschema@.class_report.overdue_ar IS 'open amount of invoices past due at as_of';
COMMENT ON COLUMN @extschema@.class_report.average_days_delinquent IS 'average days late: DSO - best-possible DSO of the class''s summed AR and revenue (as ar_kpi_by_class)';

-- One dimension as of any date (default report_date(), the view's), in class
-- order; for dimension tag, optionally the tags below a prefix.
CREATE FUNCTION @extschema@.class_report(dimension text, as_of date DEFAULT NULL, tag_prefix text DEFAULT NULL)
	RETURNS SETOF @extschema@.class_report
	LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
DECLARE
	d date := coalesce(class_report.as_of, @extschema@.report_date());
BEGIN
	PERFORM @extschema@.class_dimension_check(dimension, tag_prefix);
	RETURN QUERY
		SELECT r.dimension, r.class, r.class_order, r.class_label_en, r.class_label_zh, r.as_of,
			   r.customers, r.customer_share, r.revenue, r.revenue_share, r.cost, r.costed_revenue,
			   r.gross_profit, r.gross_margin, r.open_ar, r.overdue_ar, r.average_days_delinquent
		FROM @extschema@.class_report_rows(d, class_report.tag_prefix) r
		WHERE r.dimension = class_report.dimension
		ORDER BY r.class_order;
END
$$;
COMMENT ON FUNCTION @extschema@.class_report(text, date, text) IS
	'the class report of one dimension as of a date (default report_date(), as the view); for dimension tag, tag_prefix reports the tags below a prefix, cut one label below it';

-- The top n customers of a class by revenue, gross_profit or overdue_ar,
-- as of a date.  rank() order: equal values share a rank, and every
-- customer tied at rank n is listed, so there may be more than n rows.
-- Customers with nothing in the measure (0, or no gross profit known) are
-- not ranked.  class NULL: the customers not classified in the dimension.
CREATE FUNCTION @extschema@.class_ranking(dimension text, class text, by text, n integer,
										  as_of date DEFAULT NULL, tag_prefix text DEFAULT NULL)
	RETURNS TABLE (rank bigint, customer_id bigint, customer_name text, revenue numeric,
				   gross_profit numeric, gross_margin numeric, overdue_ar numeric, share_of_class numeric)
	LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
DECLARE
	d date := coalesce(class_ranking.as_of, @extschema@.report_date());
BEGIN
	PERFORM @extschema@.class_dimension_check(dimension, tag_prefix);
	IF by IS NULL OR by NOT IN ('revenue', 'gross_profit', 'overdue_ar') THEN
		RAISE EXCEPTION 'unknown ranking measure "%"', by
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Rank by revenue, gross_profit or overdue_ar.';
	END IF;
	IF n IS NULL OR n < 1 THEN
		RAISE EXCEPTION 'the number of customers to rank must be at least 1, not %', coalesce(n::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	RETURN QUERY
		WITH m AS (
			SELECT f.*, CASE class_ranking.by WHEN 'revenue' THEN f.revenue
											  WHEN 'gross_profit' THEN f.gross_profit
											  ELSE f.overdue_ar END AS measure
			FROM @extschema@.class_members(d, class_ranking.tag_prefix) cm
			JOIN @extschema@.class_report_figures(d) f ON f.customer_id = cm.customer_id
			WHERE cm.dimension = class_ranking.dimension AND cm.class IS NOT DISTINCT FROM class_ranking.class
		), r AS (
			SELECT m.*, pg_catalog.rank() OVER (ORDER BY m.measure DESC) AS pos,
				   pg_catalog.sum(m.measure) OVER () AS class_total
			FROM m
			WHERE m.measure <> 0
		)
		SELECT r.pos, r.customer_id, r.customer_name, r.revenue, r.gross_profit,
			   @extschema@.gross_margin(r.gross_profit, r.costed_revenue), r.overdue_ar,
			   pg_catalog.round(r.measure / NULLIF(r.class_total, 0), 4)
		FROM r
		WHERE r.pos <= class_ranking.n
		ORDER BY r.pos, r.customer_id;
END
$$;
COMMENT ON FUNCTION @extschema@.class_ranking(text, text, text, integer, date, text) IS
	'the top n customers of a class (dimension and class as in class_report) by revenue, gross_profit or overdue_ar as of a date (default report_date()): rank (ties share one, all tied at n listed), figures and share of the class''s total of the measure';

-- views/customer_profile.sql: gross profit per customer
CREATE OR REPLACE VIEW @extschema@.customer_profile WITH (security_invoker = true) AS
	SELECT c.customer_id, c.name, c.customer_type, c.industry, c.region, c.size_class, c.payment_terms_days,
		   p.as_of,
		   p.credit_score,
		   p.credit_grade,
		   p.credit_grade::text AS grade,
		   gl.label_en AS grade_label_en,
		   gl.label_zh AS grade_label_zh,
		   p.computed_grade,
		   cl.label_en AS computed_grade_label_en,
		   cl.label_zh AS computed_grade_label_zh,
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
		   ag.a OPERATOR(@extschema@.->) 'current' AS aging_current,
		   ag.a OPERATOR(@extschema@.->) '1-30' AS aging_1_30,
		   ag.a OPERATOR(@extschema@.->) '31-60' AS aging_31_60,
		   ag.a OPERATOR(@extschema@.->) '61-90' AS aging_61_90,
		   ag.a OPERATOR(@extschema@.->) '91+' AS aging_over_90,
		   @extschema@.aging_total(ag.a) AS aging_total,
		   @extschema@.aging_total(ag.a) - (ag.a OPERATOR(@extschema@.->) 'current') AS aging_overdue,
		   al.alert_level,
		   (SELECT l.label_en FROM @extschema@.class_label l
			WHERE l.dimension = 'alert_level' AND l.value = al.alert_level::text) AS alert_level_label_en,
		   (SELECT l.label_zh FROM @extschema@.class_label l
			WHERE l.dimension = 'alert_level' AND l.value = al.alert_level::text) AS alert_level_label_zh,
		   al.open_alerts,
		   p.refreshed_at,
		   CAST(c.tags AS pg_catalog.text[]) AS tags,
		   CAST(p.rule_tags AS pg_catalog.text[]) AS rule_tags,
		   CAST(c.tags OPERATOR(@extschema@.|) coalesce(p.rule_tags, '{}'::@extschema@.tagset) AS pg_catalog.text[]) AS all_tags,
		   pf.revenue, pf.cost, pf.costed_revenue, pf.gross_profit, pf.gross_margin
	FROM @extschema@.src_customer c
	LEFT JOIN @extschema@.profile p ON p.customer_id = c.customer_id
	LEFT JOIN LATERAL (SELECT @extschema@.aging_agg(o.open_amount, o.due_on, (SELECT @extschema@.report_date())) AS a
					   FROM @extschema@.open_item o WHERE o.customer_id = c.customer_id) ag ON true
	LEFT JOIN LATERAL (SELECT coalesce(max(a.level), 'green') AS alert_level, count(*) AS open_alerts
					   FROM @extschema@.alerts a
					   WHERE a.customer_id = c.customer_id AND a.resolved_at IS NULL) al ON true
	-- gross profit of the 365 days up to the report date (facts/profit.sql);
	-- the date comes in as a column so that customer_profit() is inlined
	-- and reads this customer's invoices only
	LEFT JOIN LATERAL (SELECT pr.revenue, pr.cost, pr.costed_revenue, pr.gross_profit, pr.gross_margin
					   FROM (SELECT (SELECT @extschema@.report_date()) AS d) rd
					   CROSS JOIN LATERAL @extschema@.customer_profit(rd.d - 364, rd.d) pr
					   WHERE pr.customer_id = c.customer_id) pf ON true
	LEFT JOIN @extschema@.class_label cl ON cl.dimension = 'credit_grade' AND cl.value = p.computed_grade::text
	LEFT JOIN @extschema@.class_label gl ON gl.dimension = 'credit_grade' AND gl.value = p.credit_grade::text
	LEFT JOIN @extschema@.class_label sl ON sl.dimension = 'lifecycle_stage' AND sl.value = p.lifecycle_stage::text
	LEFT JOIN @extschema@.class_label pl ON pl.dimension = 'lifecycle_phase' AND pl.value = p.lifecycle_phase::text
	LEFT JOIN @extschema@.class_label bl ON bl.dimension = 'segment' AND bl.value = p.behaviour_segment::text
	LEFT JOIN @extschema@.class_label rl ON rl.dimension = 'rfm_segment' AND rl.value = p.rfm_segment::text
	LEFT JOIN @extschema@.class_label wl ON wl.dimension = 'alert_level' AND wl.value = p.payment_warning::text;

COMMENT ON COLUMN @extschema@.customer_profile.revenue IS 'invoiced in the 365 days up to report_date() (NULL: nothing)';
COMMENT ON COLUMN @extschema@.customer_profile.cost IS 'cost of those invoices that have one (NULL: none has)';
COMMENT ON COLUMN @extschema@.customer_profile.costed_revenue IS 'revenue of the invoices with a cost: the base of gross profit';
COMMENT ON COLUMN @extschema@.customer_profile.gross_profit IS 'costed_revenue - cost';
COMMENT ON COLUMN @extschema@.customer_profile.gross_margin IS 'gross_profit / costed_revenue, fraction with 4 decimals';
