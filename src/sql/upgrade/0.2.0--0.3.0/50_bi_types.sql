-- 0.2.0 -> 0.3.0, BI-friendly views (issue 17 A): one date for every view (report_date()), only types a JDBC/ODBC client maps, label twins, customer_profile's size_class and payment_terms_days, aging::jsonb with a total.

-- The one date every shipped view reports as of (docs/reporting.md).  The
-- classes in profile are as of the last refresh(); the receivables figures
-- can be computed as of any date.  So that a BI tool's session, which sets
-- nothing, sees classes and figures of the same day, the views use the
-- refresh's date when customer_class.as_of is not set.  A session that sets
-- customer_class.as_of asks for that date and gets it.  The credit checks
-- do not read this: they decide as of as_of() (today at write time).
-- Every refresh at a new date is a full one and records its bounds in
-- rfm_boundary (rewind() takes back those of the dates it undoes), so the
-- latest row there is the date of the profile, found without reading the
-- profile (which row-level security filters, and which is large).  The
-- fallback is as_of(), never current_date, and as_of() is asked before
-- rfm_boundary is read (a one-time filter of that scan): where as_of()
-- refuses to guess the date (a Citus worker that did not get the session's
-- setting), report_date() refuses too, rather than read the node's own copy.
CREATE FUNCTION @extschema@.report_date() RETURNS date
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT coalesce(CASE WHEN coalesce(pg_catalog.current_setting('customer_class.as_of', true), '') <> ''
						 THEN @extschema@.as_of() END,
					(SELECT b.as_of FROM @extschema@.rfm_boundary b
					 WHERE @extschema@.as_of() IS NOT NULL ORDER BY b.boundary_id DESC LIMIT 1),
					@extschema@.as_of());
END;

COMMENT ON FUNCTION @extschema@.report_date() IS
	'the date the views report as of: the setting customer_class.as_of when set, else the as-of date of the last refresh() (the classes'' date), else current_date';

-- class_label: customer_type and size_class get display names
CREATE OR REPLACE VIEW @extschema@.class_label AS
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
		('alert_level', 'red', 'red', '红色'),
		('customer_type', 'enterprise', 'enterprise', '企业'),
		('customer_type', 'individual', 'individual', '个人'),
		('size_class', 'micro', 'micro', '微型'),
		('size_class', 'small', 'small', '小型'),
		('size_class', 'medium', 'medium', '中型'),
		('size_class', 'large', 'large', '大型')
	) AS l (dimension, value, label_en, label_zh);

COMMENT ON VIEW @extschema@.class_label IS
	'display names of class values in English and Simplified Chinese';
COMMENT ON COLUMN @extschema@.class_label.dimension IS
	'class dimension: credit_grade, lifecycle_stage, lifecycle_phase, segment, rfm_segment, alert_level, customer_type, size_class';

-- aging: the function behind ->, and the jsonb form's total
COMMENT ON FUNCTION @extschema@.aging_get(@extschema@.aging, text) IS
	'amount of the bucket with that label, or ''total''; NULL for an unknown label: the function of the operator ->, to call schema-qualified when customer_class is not on the search_path';
COMMENT ON FUNCTION @extschema@.aging_jsonb(@extschema@.aging) IS
	'the aging as jsonb: {"bounds": [...], "current": ..., ..., "total": ...}, amounts as exact numerics';

-- The views that lose a column (aging) or change a column's type (tags as
-- text[]) cannot be replaced: drop them (no object of the extension depends
-- on them but each other) and create them anew below.
DROP VIEW @extschema@.customer_profile;
DROP VIEW @extschema@.aging_report_by_class;
DROP VIEW @extschema@.aging_report;

-- Every invoice issued by the as-of date with what was applied to it by
-- then (the sum of its payments and credit notes, refunds and reversals as
-- negative amounts), its open amount and the date it was settled: the day
-- from which the running total of what was applied (in date order) stayed
-- at or above the invoice amount, i.e. the first payment after the last one
-- that left the running total short.  NULL while the sum falls short.
CREATE OR REPLACE VIEW @extschema@.invoice_status WITH (security_invoker = true) AS
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
CREATE OR REPLACE VIEW @extschema@.open_item WITH (security_invoker = true) AS
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

CREATE VIEW @extschema@.aging_report_by_class WITH (security_invoker = true) AS
SELECT s.dimension, s.class, (SELECT @extschema@.report_date()) AS as_of, s.customers,
	   s.current_amount, s.days_1_30, s.days_31_60, s.days_61_90, s.days_over_90, s.total, s.overdue,
	   coalesce(l.label_en, s.class) AS class_label_en,
	   coalesce(l.label_zh, s.class) AS class_label_zh
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
LEFT JOIN @extschema@.class_label l ON l.dimension = s.dimension AND l.value = s.class;

COMMENT ON VIEW @extschema@.aging_report_by_class IS
	'receivables aging per class (customer type, industry, region, size, credit grade) and per tag as of customer_class.report_date()';
COMMENT ON COLUMN @extschema@.aging_report_by_class.dimension IS 'customer_type, industry, region, size_class, credit_grade or tag';
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
COMMENT ON COLUMN @extschema@.aging_report_by_class.class_label_en IS 'class display name, English (class_label; else the class itself, e.g. a tag or an industry code)';
COMMENT ON COLUMN @extschema@.aging_report_by_class.class_label_zh IS 'class display name, Simplified Chinese (class_label; else the class itself, e.g. a tag or an industry code)';

-- Per customer over the 365 days ending at the as-of date.
CREATE OR REPLACE VIEW @extschema@.ar_kpi WITH (security_invoker = true) AS
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
CREATE OR REPLACE VIEW @extschema@.ar_kpi_by_class WITH (security_invoker = true) AS
SELECT s.dimension, s.class, s.customers, s.period_days, s.begin_ar, s.credit_sales, s.collections,
	   s.end_ar, s.end_current_ar, s.end_overdue_ar,
	   @extschema@.dso(s.end_ar, s.credit_sales, s.period_days) AS dso,
	   @extschema@.best_possible_dso(s.end_current_ar, s.credit_sales, s.period_days) AS best_possible_dso,
	   @extschema@.average_days_delinquent(s.end_ar, s.end_current_ar, s.credit_sales, s.period_days) AS average_days_delinquent,
	   @extschema@.collection_effectiveness_index(s.begin_ar, s.credit_sales, s.end_ar, s.end_current_ar) AS collection_effectiveness_index,
	   @extschema@.collection_rate(s.collections, s.begin_ar, s.credit_sales) AS collection_rate,
	   coalesce(l.label_en, s.class) AS class_label_en,
	   coalesce(l.label_zh, s.class) AS class_label_zh
FROM (SELECT m.dimension, m.class, pg_catalog.count(*) AS customers, pg_catalog.max(k.period_days) AS period_days,
			 pg_catalog.sum(k.begin_ar) AS begin_ar, pg_catalog.sum(k.credit_sales) AS credit_sales,
			 pg_catalog.sum(k.collections) AS collections, pg_catalog.sum(k.end_ar) AS end_ar,
			 pg_catalog.sum(k.end_current_ar) AS end_current_ar, pg_catalog.sum(k.end_overdue_ar) AS end_overdue_ar
	  FROM @extschema@.ar_kpi k
	  JOIN @extschema@.customer_class_member m ON m.customer_id = k.customer_id
	  GROUP BY m.dimension, m.class) s
LEFT JOIN @extschema@.class_label l ON l.dimension = s.dimension AND l.value = s.class;

COMMENT ON VIEW @extschema@.ar_kpi_by_class IS
	'AR figures per class over the 365 days ending at customer_class.report_date(), from the summed inputs';
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
COMMENT ON COLUMN @extschema@.ar_kpi_by_class.class_label_en IS 'class display name, English (class_label; else the class itself, e.g. a tag or an industry code)';
COMMENT ON COLUMN @extschema@.ar_kpi_by_class.class_label_zh IS 'class display name, Simplified Chinese (class_label; else the class itself, e.g. a tag or an industry code)';

-- Payment behaviour per customer as of the as-of date.
CREATE OR REPLACE VIEW @extschema@.customer_payment_behavior WITH (security_invoker = true) AS
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
CREATE OR REPLACE FUNCTION @extschema@.due_reminders(within_days integer)
	RETURNS TABLE (customer_id bigint, customer_name text, invoice_id bigint, issued_on date,
				   due_on date, days_past_due integer, open_amount numeric, bucket text, status text)
	LANGUAGE sql STABLE STRICT PARALLEL SAFE
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

GRANT SELECT ON @extschema@.aging_report, @extschema@.aging_report_by_class TO customer_class_reader;

-- The migration between the two latest as-of dates at which grades changed
-- (usually the last two refreshes that moved anyone), up to the date the
-- views report as of (report_date(): the last refresh unless a date is set).
CREATE OR REPLACE VIEW @extschema@.grade_migration_latest WITH (security_invoker = true) AS
	SELECT d.from_date, d.to_date, m.from_grade, m.to_grade, m.customers,
		   (SELECT l.label_en FROM @extschema@.class_label l
			WHERE l.dimension = 'credit_grade' AND l.value = m.from_grade::text) AS from_grade_label_en,
		   (SELECT l.label_zh FROM @extschema@.class_label l
			WHERE l.dimension = 'credit_grade' AND l.value = m.from_grade::text) AS from_grade_label_zh,
		   (SELECT l.label_en FROM @extschema@.class_label l
			WHERE l.dimension = 'credit_grade' AND l.value = m.to_grade::text) AS to_grade_label_en,
		   (SELECT l.label_zh FROM @extschema@.class_label l
			WHERE l.dimension = 'credit_grade' AND l.value = m.to_grade::text) AS to_grade_label_zh
	FROM (SELECT min(x.as_of) AS from_date, max(x.as_of) AS to_date
		  FROM (SELECT DISTINCT h.as_of FROM @extschema@.class_history h
				WHERE h.dimension = 'credit_grade' AND h.as_of <= (SELECT @extschema@.report_date())
				ORDER BY h.as_of DESC LIMIT 2) x
		  HAVING count(*) = 2) d
	CROSS JOIN LATERAL @extschema@.grade_migration(d.from_date, d.to_date) m;
GRANT SELECT ON @extschema@.grade_migration_latest TO customer_class_reader;
COMMENT ON VIEW @extschema@.grade_migration_latest IS
	'grade migration between the two latest as-of dates at which any grade changed (class_history), up to customer_class.report_date(); empty before there are two';
COMMENT ON COLUMN @extschema@.grade_migration_latest.from_date IS 'the earlier as-of date';
COMMENT ON COLUMN @extschema@.grade_migration_latest.to_date IS 'the later as-of date';
COMMENT ON COLUMN @extschema@.grade_migration_latest.from_grade IS 'grade at from_date (NULL: not yet graded)';
COMMENT ON COLUMN @extschema@.grade_migration_latest.to_grade IS 'grade at to_date (NULL: gone from the sources)';
COMMENT ON COLUMN @extschema@.grade_migration_latest.customers IS 'customers who moved so';
COMMENT ON COLUMN @extschema@.grade_migration_latest.from_grade_label_en IS 'display name of from_grade, English (NULL: not yet graded)';
COMMENT ON COLUMN @extschema@.grade_migration_latest.from_grade_label_zh IS 'display name of from_grade, Simplified Chinese (NULL: not yet graded)';
COMMENT ON COLUMN @extschema@.grade_migration_latest.to_grade_label_en IS 'display name of to_grade, English (NULL: gone from the sources)';
COMMENT ON COLUMN @extschema@.grade_migration_latest.to_grade_label_zh IS 'display name of to_grade, Simplified Chinese (NULL: gone from the sources)';

-- customer_profile (views/customer_profile.sql)
CREATE VIEW @extschema@.customer_profile WITH (security_invoker = true) AS
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
		   CAST(c.tags OPERATOR(@extschema@.|) coalesce(p.rule_tags, '{}'::@extschema@.tagset) AS pg_catalog.text[]) AS all_tags
	FROM @extschema@.src_customer c
	LEFT JOIN @extschema@.profile p ON p.customer_id = c.customer_id
	LEFT JOIN LATERAL (SELECT @extschema@.aging_agg(o.open_amount, o.due_on, (SELECT @extschema@.report_date())) AS a
					   FROM @extschema@.open_item o WHERE o.customer_id = c.customer_id) ag ON true
	LEFT JOIN LATERAL (SELECT coalesce(max(a.level), 'green') AS alert_level, count(*) AS open_alerts
					   FROM @extschema@.alerts a
					   WHERE a.customer_id = c.customer_id AND a.resolved_at IS NULL) al ON true
	LEFT JOIN @extschema@.class_label cl ON cl.dimension = 'credit_grade' AND cl.value = p.computed_grade::text
	LEFT JOIN @extschema@.class_label gl ON gl.dimension = 'credit_grade' AND gl.value = p.credit_grade::text
	LEFT JOIN @extschema@.class_label sl ON sl.dimension = 'lifecycle_stage' AND sl.value = p.lifecycle_stage::text
	LEFT JOIN @extschema@.class_label pl ON pl.dimension = 'lifecycle_phase' AND pl.value = p.lifecycle_phase::text
	LEFT JOIN @extschema@.class_label bl ON bl.dimension = 'segment' AND bl.value = p.behaviour_segment::text
	LEFT JOIN @extschema@.class_label rl ON rl.dimension = 'rfm_segment' AND rl.value = p.rfm_segment::text
	LEFT JOIN @extschema@.class_label wl ON wl.dimension = 'alert_level' AND wl.value = p.payment_warning::text;

GRANT SELECT ON @extschema@.customer_profile TO customer_class_reader;
COMMENT ON VIEW @extschema@.customer_profile IS
	'one row per customer: its classes as of the last refresh() (NULLs until the first refresh), its receivables as of customer_class.report_date() (the same date unless customer_class.as_of is set), its credit position as the credit checks see it now';
COMMENT ON COLUMN @extschema@.customer_profile.customer_id IS 'customer key';
COMMENT ON COLUMN @extschema@.customer_profile.name IS 'customer name';
COMMENT ON COLUMN @extschema@.customer_profile.customer_type IS 'enterprise or individual';
COMMENT ON COLUMN @extschema@.customer_profile.industry IS 'industry code';
COMMENT ON COLUMN @extschema@.customer_profile.region IS 'region as a dotted path';
COMMENT ON COLUMN @extschema@.customer_profile.size_class IS 'micro, small, medium or large';
COMMENT ON COLUMN @extschema@.customer_profile.payment_terms_days IS 'agreed payment terms in days';
COMMENT ON COLUMN @extschema@.customer_profile.as_of IS 'date the classes were computed as of';
COMMENT ON COLUMN @extschema@.customer_profile.credit_score IS 'credit score 0-100';
COMMENT ON COLUMN @extschema@.customer_profile.credit_grade IS 'credit grade in force (enum, A best)';
COMMENT ON COLUMN @extschema@.customer_profile.grade IS 'credit grade in force, as text';
COMMENT ON COLUMN @extschema@.customer_profile.grade_label_en IS 'grade display name, English';
COMMENT ON COLUMN @extschema@.customer_profile.grade_label_zh IS 'grade display name, Simplified Chinese';
COMMENT ON COLUMN @extschema@.customer_profile.computed_grade IS 'grade from the score, before any override';
COMMENT ON COLUMN @extschema@.customer_profile.computed_grade_label_en IS 'display name of computed_grade, English';
COMMENT ON COLUMN @extschema@.customer_profile.computed_grade_label_zh IS 'display name of computed_grade, Simplified Chinese';
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
COMMENT ON COLUMN @extschema@.customer_profile.aging_current IS 'receivables not yet due, less unapplied credits, as of customer_class.report_date() (NULL: nothing open)';
COMMENT ON COLUMN @extschema@.customer_profile.aging_1_30 IS 'receivables 1-30 days past due as of customer_class.report_date()';
COMMENT ON COLUMN @extschema@.customer_profile.aging_31_60 IS 'receivables 31-60 days past due as of customer_class.report_date()';
COMMENT ON COLUMN @extschema@.customer_profile.aging_61_90 IS 'receivables 61-90 days past due as of customer_class.report_date()';
COMMENT ON COLUMN @extschema@.customer_profile.aging_over_90 IS 'receivables more than 90 days past due as of customer_class.report_date()';
COMMENT ON COLUMN @extschema@.customer_profile.aging_total IS 'total owed as of customer_class.report_date() (credits deducted; NULL: nothing open)';
COMMENT ON COLUMN @extschema@.customer_profile.aging_overdue IS 'total past due as of customer_class.report_date()';
COMMENT ON COLUMN @extschema@.customer_profile.alert_level IS 'highest level of the open alerts (green: none)';
COMMENT ON COLUMN @extschema@.customer_profile.alert_level_label_en IS 'display name of alert_level, English';
COMMENT ON COLUMN @extschema@.customer_profile.alert_level_label_zh IS 'display name of alert_level, Simplified Chinese';
COMMENT ON COLUMN @extschema@.customer_profile.open_alerts IS 'number of open alerts';
COMMENT ON COLUMN @extschema@.customer_profile.refreshed_at IS 'when refresh() last wrote the profile';
COMMENT ON COLUMN @extschema@.customer_profile.tags IS 'manual tags (customer.tags, a tagset there), never written by rules, as text[]';
COMMENT ON COLUMN @extschema@.customer_profile.rule_tags IS 'tags given by tag rules at the last refresh (profile.rule_tags), as text[] (NULL until the first refresh)';
COMMENT ON COLUMN @extschema@.customer_profile.all_tags IS 'manual and rule tags together (tags | rule_tags), as text[]';
