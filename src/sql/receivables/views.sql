-- Receivables as of customer_class.report_date() (the one date of every view,
-- docs/reporting.md): the open position of every
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
	   (SELECT @extschema@.report_date()) - i.due_on AS days_past_due,
	   CASE WHEN coalesce(pg_catalog.sum(w.amount), 0) >= i.amount THEN 'paid'
			WHEN i.due_on < (SELECT @extschema@.report_date()) THEN 'overdue'
			ELSE 'open' END AS status
FROM @extschema@.src_invoice i
LEFT JOIN (
	SELECT p.customer_id, p.invoice_id, p.paid_on, p.amount,
		   pg_catalog.sum(p.amount) OVER pw AS running,
		   pg_catalog.lead(p.paid_on) OVER pw AS next_paid_on
	FROM @extschema@.src_payment p
	WHERE p.invoice_id IS NOT NULL AND p.paid_on <= (SELECT @extschema@.report_date())
	WINDOW pw AS (PARTITION BY p.customer_id, p.invoice_id ORDER BY p.paid_on, p.payment_id
				 ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
) w ON w.invoice_id = i.invoice_id AND w.customer_id = i.customer_id
WHERE i.issued_on <= (SELECT @extschema@.report_date())
GROUP BY i.invoice_id, i.customer_id, i.issued_on, i.due_on, i.amount;

COMMENT ON VIEW @extschema@.invoice_status IS
	'every invoice issued by customer_class.report_date(): amount applied by then, open amount, settlement date, days past due, status';
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
	WHERE p.invoice_id IS NOT NULL AND p.paid_on <= (SELECT @extschema@.report_date())
	GROUP BY p.customer_id, p.invoice_id
) a ON a.invoice_id = i.invoice_id AND a.customer_id = i.customer_id
CROSS JOIN LATERAL (SELECT i.amount - coalesce(a.applied, 0) AS open_amount) x
WHERE i.issued_on <= (SELECT @extschema@.report_date()) AND x.open_amount <> 0
UNION ALL
SELECT p.customer_id, NULL, 'unapplied ' || p.kind, NULL, -p.amount
FROM @extschema@.src_payment p
WHERE p.invoice_id IS NULL AND p.paid_on <= (SELECT @extschema@.report_date())
UNION ALL
SELECT p.customer_id, p.invoice_id, 'advance ' || p.kind, NULL, -p.amount
FROM @extschema@.src_payment p
WHERE p.invoice_id IS NOT NULL AND p.paid_on <= (SELECT @extschema@.report_date())
  AND NOT EXISTS (SELECT FROM @extschema@.src_invoice i
				  WHERE i.invoice_id = p.invoice_id AND i.customer_id = p.customer_id
					AND i.issued_on <= (SELECT @extschema@.report_date()));

COMMENT ON VIEW @extschema@.open_item IS
	'open receivable lines as of customer_class.report_date(): open invoices, and unapplied payments / credit notes, overpayments and advances (applied to an invoice not issued by then) as negative amounts with no due date';
COMMENT ON COLUMN @extschema@.open_item.customer_id IS 'customer';
COMMENT ON COLUMN @extschema@.open_item.invoice_id IS 'the invoice (for an advance: the invoice it will settle); NULL for an unapplied payment or credit note';
COMMENT ON COLUMN @extschema@.open_item.kind IS 'invoice, overpayment, unapplied payment, unapplied credit_note, advance payment or advance credit_note';
COMMENT ON COLUMN @extschema@.open_item.due_on IS 'due date; NULL for credits (they age as current)';
COMMENT ON COLUMN @extschema@.open_item.open_amount IS 'open amount; negative for credits';

-- Aging per customer, default bounds {30,60,90}, as numeric columns (a BI
-- tool reads no custom type; SQL users aggregate open_item with aging_agg()
-- for the aging value, as the docs show).
CREATE VIEW @extschema@.aging_report WITH (security_invoker = true) AS
SELECT r.customer_id, c.name AS customer_name, (SELECT @extschema@.report_date()) AS as_of,
	   r.aging OPERATOR(@extschema@.->) 'current' AS current_amount,
	   r.aging OPERATOR(@extschema@.->) '1-30' AS days_1_30,
	   r.aging OPERATOR(@extschema@.->) '31-60' AS days_31_60,
	   r.aging OPERATOR(@extschema@.->) '61-90' AS days_61_90,
	   r.aging OPERATOR(@extschema@.->) '91+' AS days_over_90,
	   @extschema@.aging_total(r.aging) AS total,
	   @extschema@.aging_total(r.aging) - (r.aging OPERATOR(@extschema@.->) 'current') AS overdue
FROM (SELECT o.customer_id, @extschema@.aging_agg(o.open_amount, o.due_on, (SELECT @extschema@.report_date())) AS aging
	  FROM @extschema@.open_item o
	  GROUP BY o.customer_id) r
JOIN @extschema@.src_customer c ON c.customer_id = r.customer_id;

COMMENT ON VIEW @extschema@.aging_report IS
	'receivables aging per customer with anything open, as of customer_class.report_date() (bounds 30/60/90; credits in current)';
COMMENT ON COLUMN @extschema@.aging_report.customer_id IS 'customer key';
COMMENT ON COLUMN @extschema@.aging_report.customer_name IS 'customer name';
COMMENT ON COLUMN @extschema@.aging_report.as_of IS 'date the aging is as of';
COMMENT ON COLUMN @extschema@.aging_report.current_amount IS 'not yet due, less unapplied credits';
COMMENT ON COLUMN @extschema@.aging_report.days_1_30 IS '1-30 days past due';
COMMENT ON COLUMN @extschema@.aging_report.days_31_60 IS '31-60 days past due';
COMMENT ON COLUMN @extschema@.aging_report.days_61_90 IS '61-90 days past due';
COMMENT ON COLUMN @extschema@.aging_report.days_over_90 IS 'more than 90 days past due';
COMMENT ON COLUMN @extschema@.aging_report.total IS 'total owed (credits deducted)';
COMMENT ON COLUMN @extschema@.aging_report.overdue IS 'total past due';

-- The classes a customer belongs to, one row per dimension (the rule is
-- class_members(), reports/members.sql): used by the per-class views.
CREATE VIEW @extschema@.customer_class_member WITH (security_invoker = true) AS
SELECT m.customer_id, m.dimension, m.class
FROM (SELECT (SELECT @extschema@.report_date()) AS d) rd
CROSS JOIN LATERAL @extschema@.class_members(rd.d) m
WHERE m.class IS NOT NULL;

COMMENT ON VIEW @extschema@.customer_class_member IS
	'the class of every customer in each dimension it is classified in (credit_grade, lifecycle_stage, lifecycle_phase, segment, rfm_segment, customer_type, industry, region, region_2, region_3, size_class), and one row per manual or rule tag (dimension tag)';
COMMENT ON COLUMN @extschema@.customer_class_member.customer_id IS 'customer key';
COMMENT ON COLUMN @extschema@.customer_class_member.dimension IS 'credit_grade, lifecycle_stage, lifecycle_phase, segment, rfm_segment, customer_type, industry, region (top level), region_2, region_3 (the first two, three labels), size_class or tag';
COMMENT ON COLUMN @extschema@.customer_class_member.class IS 'the customer''s class in that dimension (for tag: the tag)';

CREATE VIEW @extschema@.aging_report_by_class WITH (security_invoker = true) AS
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
COMMENT ON COLUMN @extschema@.aging_report_by_class.class IS 'class within the dimension';
COMMENT ON COLUMN @extschema@.aging_report_by_class.as_of IS 'date the aging is as of';
COMMENT ON COLUMN @extschema@.aging_report_by_class.customers IS 'customers of the class with anything open';
COMMENT ON COLUMN @extschema@.aging_report_by_class.current_amount IS 'not yet due, less unapplied credits';
COMMENT ON COLUMN @extschema@.aging_report_by_class.days_1_30 IS '1-30 days past due';
COMMENT ON COLUMN @extschema@.aging_report_by_class.days_31_60 IS '31-60 days past due';
COMMENT ON COLUMN @extschema@.aging_report_by_class.days_61_90 IS '61-90 days past due';
COMMENT ON COLUMN @extschema@.aging_report_by_class.days_over_90 IS 'more than 90 days past due';
COMMENT ON COLUMN @extschema@.aging_report_by_class.total IS 'total owed';
COMMENT ON COLUMN @extschema@.aging_report_by_class.overdue IS 'total past due';
COMMENT ON COLUMN @extschema@.aging_report_by_class.class_label_en IS 'class display name, English (class_label_of(): class_label, else the tag catalog, else the class itself)';
COMMENT ON COLUMN @extschema@.aging_report_by_class.class_label_zh IS 'class display name, Simplified Chinese (class_label_of(): class_label, else the tag catalog, else the class itself)';

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
SELECT f.customer_id, c.name AS customer_name, (SELECT @extschema@.report_date()) - 364 AS period_start,
	   (SELECT @extschema@.report_date()) AS period_end, f.period_days, f.begin_ar, f.credit_sales, f.collections,
	   f.end_ar, f.end_current_ar, f.end_overdue_ar, f.dso, f.best_possible_dso,
	   f.average_days_delinquent, f.collection_effectiveness_index, f.collection_rate
FROM @extschema@.ar_figures(@extschema@.report_date() - 364, @extschema@.report_date()) f
JOIN @extschema@.src_customer c ON c.customer_id = f.customer_id;

COMMENT ON VIEW @extschema@.ar_kpi IS
	'AR figures per customer over the 365 days ending at customer_class.report_date()';
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
COMMENT ON COLUMN @extschema@.ar_kpi_by_class.class_label_en IS 'class display name, English (class_label_of(): class_label, else the tag catalog, else the class itself)';
COMMENT ON COLUMN @extschema@.ar_kpi_by_class.class_label_zh IS 'class display name, Simplified Chinese (class_label_of(): class_label, else the tag catalog, else the class itself)';

-- Payment behaviour per customer as of the as-of date.
CREATE VIEW @extschema@.customer_payment_behavior WITH (security_invoker = true) AS
SELECT b.customer_id, c.name AS customer_name, c.payment_terms_days, (SELECT @extschema@.report_date()) AS as_of,
	   (b.pb).invoices, (b.pb).billed, (b.pb).open_invoices, (b.pb).open_balance, (b.pb).overdue_balance,
	   (b.pb).max_days_past_due, (b.pb).paid_invoices, (b.pb).paid_on_time, (b.pb).paid_late,
	   (b.pb).on_time_ratio, (b.pb).on_time_amount_ratio, (b.pb).avg_days_to_pay,
	   (b.pb).days_beyond_terms, (b.pb).avg_days_vs_terms, (b.pb).payment_index
FROM (SELECT s.customer_id,
			 @extschema@.payment_behavior_agg(s.amount, s.issued_on, s.due_on, s.paid_on,
											  (SELECT @extschema@.report_date()), greatest(s.open_amount, 0)) AS pb
	  FROM @extschema@.invoice_status s
	  GROUP BY s.customer_id) b
JOIN @extschema@.src_customer c ON c.customer_id = b.customer_id;

COMMENT ON VIEW @extschema@.customer_payment_behavior IS
	'payment behaviour per customer as of customer_class.report_date() (invoices issued by then; partial payments reduce the open balance)';
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
	LANGUAGE sql STABLE PARALLEL SAFE
AS $$
	SELECT o.customer_id, c.name, o.invoice_id, i.issued_on, o.due_on,
		   (SELECT @extschema@.report_date()) - o.due_on,
		   o.open_amount,
		   @extschema@.aging_bucket((SELECT @extschema@.report_date()) - o.due_on),
		   CASE WHEN o.due_on < (SELECT @extschema@.report_date()) THEN 'overdue'
				WHEN o.due_on = (SELECT @extschema@.report_date()) THEN 'due today'
				ELSE 'due soon' END
	FROM @extschema@.open_item o
	JOIN @extschema@.src_invoice i ON i.invoice_id = o.invoice_id AND i.customer_id = o.customer_id
	JOIN @extschema@.src_customer c ON c.customer_id = o.customer_id
	WHERE o.kind = 'invoice'
	  AND o.due_on <= (SELECT @extschema@.report_date()) + $1
	ORDER BY (o.due_on < (SELECT @extschema@.report_date())) DESC,
			 CASE WHEN o.due_on < (SELECT @extschema@.report_date()) THEN (SELECT @extschema@.report_date()) - o.due_on END DESC,
			 o.due_on, o.open_amount DESC, o.invoice_id
$$;
COMMENT ON FUNCTION @extschema@.due_reminders(integer) IS
	'open invoices overdue or falling due within the given days as of customer_class.report_date(), in collector order; a negative number keeps only invoices at least that many days overdue';

-- The view due_reminders over it (14 days), with each invoice's dunning
-- level and dispute, is in collections/collections.sql.

GRANT SELECT ON @extschema@.invoice_status, @extschema@.open_item, @extschema@.aging_report,
	@extschema@.customer_class_member, @extschema@.aging_report_by_class, @extschema@.ar_kpi,
	@extschema@.ar_kpi_by_class, @extschema@.customer_payment_behavior
	TO customer_class_reader;
