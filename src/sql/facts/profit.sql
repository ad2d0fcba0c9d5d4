-- Gross profit (docs/reporting.md#profit).  Invoices are the revenue: an
-- invoice issued in a period is revenue of that period (as credit_sales of
-- ar_figures()), and its cost, when known, is the cost of that revenue.  An
-- invoice without a cost (NULL: not known) has no gross profit: profit and
-- margin are of the invoices that have one (costed_revenue), so that a cost
-- that is missing never reads as a margin of 100 %.  Orders carry a cost too,
-- for the integrator's own use; they are not revenue, so they never count.

-- The margin of a gross profit on its revenue, as a fraction rounded to 4
-- decimals (half away from zero); NULL when the revenue is 0.  Written once:
-- per customer and per class (of the summed figures) alike.
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
