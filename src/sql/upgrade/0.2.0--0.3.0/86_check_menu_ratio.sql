-- 0.2.0 -> 0.3.0, the check menu's overdue ratio (credit/menu.sql: credit_overdue_ratio), after 85_dunning: it leaves out disputed invoices by rule.disputed_invoices.

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

COMMENT ON FUNCTION @extschema@.credit_overdue_ratio(bigint, date, integer, numeric) IS
	'internal: a customer''s open invoice balance, the part more than days past due, and whether it is above pct percent (rule overdue_ratio)';
