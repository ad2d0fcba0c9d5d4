-- The class report of one dimension (credit grade: customers, revenue,
-- cost, gross profit and margin, open and overdue AR, shares, labels)
-- against the SQL an analyst writes for it: invoices of the year and
-- their costs, payments applied by the date, unapplied credits, the profile
-- for the grade, class_label for the names, one GROUP BY.  Both read the
-- src_* views; the baseline skips what ours adds (shares that add up to
-- exactly 1, average days delinquent, advances counted as credits).
-- Target: ours no slower than the baseline (ratio >= 1).
-- @runs 3
-- @setup
-- costs on 90 % of the invoices (50-89 % of the amount), and the grades
UPDATE customer_class.invoice SET cost = round(amount * (0.5 + (invoice_id % 40) / 100.0), 2)
WHERE invoice_id % 10 <> 0;
SELECT customer_class.refresh('2025-12-31', full_refresh => true);
ANALYZE customer_class.invoice;
-- @ours
SELECT * FROM customer_class.class_report('credit_grade', '2025-12-31');
-- @baseline
WITH inv AS (
	SELECT i.customer_id,
		   sum(i.amount) FILTER (WHERE i.issued_on > date '2025-12-31' - 365) AS revenue,
		   sum(i.cost) FILTER (WHERE i.issued_on > date '2025-12-31' - 365) AS cost,
		   sum(i.amount) FILTER (WHERE i.issued_on > date '2025-12-31' - 365 AND i.cost IS NOT NULL) AS costed,
		   sum(i.amount - coalesce(p.paid, 0)) AS open_invoices,
		   sum(i.amount - coalesce(p.paid, 0)) FILTER (WHERE i.due_on < date '2025-12-31') AS overdue
	FROM customer_class.src_invoice i
	LEFT JOIN (SELECT invoice_id, sum(amount) AS paid FROM customer_class.src_payment
			   WHERE invoice_id IS NOT NULL AND paid_on <= date '2025-12-31' GROUP BY invoice_id) p
		   ON p.invoice_id = i.invoice_id
	WHERE i.issued_on <= date '2025-12-31'
	GROUP BY i.customer_id
), unapplied AS (
	SELECT customer_id, sum(amount) AS credits FROM customer_class.src_payment
	WHERE invoice_id IS NULL AND paid_on <= date '2025-12-31' GROUP BY customer_id
)
SELECT pr.credit_grade, l.label_en, l.label_zh, count(*) AS customers,
	   round(count(*) / sum(count(*)) OVER (), 4) AS customer_share,
	   coalesce(sum(inv.revenue), 0) AS revenue,
	   round(coalesce(sum(inv.revenue), 0) / sum(sum(inv.revenue)) OVER (), 4) AS revenue_share,
	   sum(inv.cost) AS cost, sum(inv.costed) - sum(inv.cost) AS gross_profit,
	   round((sum(inv.costed) - sum(inv.cost)) / sum(inv.costed), 4) AS gross_margin,
	   coalesce(sum(inv.open_invoices), 0) - coalesce(sum(u.credits), 0) AS open_ar,
	   coalesce(sum(inv.overdue), 0) AS overdue_ar
FROM customer_class.src_customer c
LEFT JOIN customer_class.profile pr ON pr.customer_id = c.customer_id
LEFT JOIN inv ON inv.customer_id = c.customer_id
LEFT JOIN unapplied u ON u.customer_id = c.customer_id
LEFT JOIN customer_class.class_label l ON l.dimension = 'credit_grade' AND l.value = pr.credit_grade::text
GROUP BY pr.credit_grade, l.label_en, l.label_zh
ORDER BY pr.credit_grade;
-- @teardown
UPDATE customer_class.invoice SET cost = NULL WHERE cost IS NOT NULL;
