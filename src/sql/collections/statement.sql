-- Collections, part 3: the statement of account (对账单) of a customer over
-- a period (docs/collections.md).  Reads the src_* views, so a bound ERP's
-- documents make the statement.

-- The opening balance (invoices issued before the period - payments and
-- credit notes dated before it), then every invoice, payment, credit note
-- and adjustment of the period in date order (on one day: invoices first,
-- then payments and credit notes, each by id) with a running balance, and
-- the closing balance: invoices issued by the end - payments and credit
-- notes dated by then, the AR of ar_figures() and the total of open_item /
-- aging_report as of the last day.  An adjustment is a negative amount a
-- bound ERP may hold: a refund or reversal of a payment (a debit) or a
-- negative invoice (a credit).  The caller's rights apply: a customer it
-- may not see does not exist.
CREATE FUNCTION @extschema@.statement_of_account(customer_id bigint, from_date date, to_date date)
	RETURNS TABLE (line integer, entry_on date, entry text, document_id bigint, invoice_id bigint,
				   due_on date, description text, debit numeric, credit numeric, balance numeric)
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	opening numeric;
BEGIN
	IF statement_of_account.customer_id IS NULL OR from_date IS NULL OR to_date IS NULL THEN
		RAISE EXCEPTION 'statement_of_account needs a customer and both dates of the period'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF NOT isfinite(from_date) OR NOT isfinite(to_date) THEN
		RAISE EXCEPTION 'statement period % to % is not a period of days', from_date, to_date
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Give finite dates.';
	END IF;
	IF to_date < from_date THEN
		RAISE EXCEPTION 'statement period ends on % before it starts on %', to_date, from_date
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Give the first day of the period, then the last.';
	END IF;
	IF NOT EXISTS (SELECT FROM @extschema@.src_customer c WHERE c.customer_id = statement_of_account.customer_id) THEN
		RAISE EXCEPTION 'customer % does not exist', statement_of_account.customer_id
			USING ERRCODE = 'no_data_found';
	END IF;

	opening := coalesce((SELECT sum(i.amount) FROM @extschema@.src_invoice i
						 WHERE i.customer_id = statement_of_account.customer_id AND i.issued_on < from_date), 0.00)
			 - coalesce((SELECT sum(p.amount) FROM @extschema@.src_payment p
						 WHERE p.customer_id = statement_of_account.customer_id AND p.paid_on < from_date), 0.00);

	RETURN QUERY
	WITH doc AS (
		SELECT i.issued_on AS entry_on, 1 AS sort,
			   CASE WHEN i.amount < 0 THEN 'adjustment' ELSE 'invoice' END AS entry,
			   i.invoice_id AS document_id, i.invoice_id, i.due_on,
			   CASE WHEN i.amount < 0 THEN format('negative invoice %s', i.invoice_id)
					ELSE format('invoice %s, due %s', i.invoice_id, i.due_on) END AS description,
			   CASE WHEN i.amount >= 0 THEN i.amount END AS debit,
			   CASE WHEN i.amount < 0 THEN -i.amount END AS credit
		FROM @extschema@.src_invoice i
		WHERE i.customer_id = statement_of_account.customer_id AND i.issued_on BETWEEN from_date AND to_date
		UNION ALL
		SELECT p.paid_on, 2,
			   CASE WHEN p.amount < 0 THEN 'adjustment' WHEN p.kind = 'credit_note' THEN 'credit note' ELSE 'payment' END,
			   p.payment_id, p.invoice_id, NULL::date,
			   CASE WHEN p.amount < 0 THEN format('reversal or refund %s (%s)', p.payment_id, replace(p.kind, '_', ' '))
					ELSE format('%s %s', replace(p.kind, '_', ' '), p.payment_id) END
			   || CASE WHEN p.invoice_id IS NULL THEN ', on account' ELSE format(', for invoice %s', p.invoice_id) END,
			   CASE WHEN p.amount < 0 THEN -p.amount END,
			   CASE WHEN p.amount >= 0 THEN p.amount END
		FROM @extschema@.src_payment p
		WHERE p.customer_id = statement_of_account.customer_id AND p.paid_on BETWEEN from_date AND to_date
	),
	lines AS (
		SELECT 0 AS n, from_date AS entry_on, 0 AS sort, 'opening balance'::text AS entry, NULL::bigint AS document_id,
			   NULL::bigint AS invoice_id, NULL::date AS due_on, format('balance before %s', from_date) AS description,
			   NULL::numeric AS debit, NULL::numeric AS credit, 0::numeric AS delta
		UNION ALL
		SELECT 1, d.entry_on, d.sort, d.entry, d.document_id, d.invoice_id, d.due_on, d.description, d.debit, d.credit,
			   coalesce(d.debit, 0) - coalesce(d.credit, 0)
		FROM doc d
		UNION ALL
		SELECT 2, to_date, 3, 'closing balance', NULL, NULL, NULL, format('balance at the end of %s', to_date),
			   NULL, NULL, 0
	)
	SELECT (row_number() OVER w - 1)::integer, l.entry_on, l.entry, l.document_id, l.invoice_id, l.due_on,
		   l.description, l.debit, l.credit, opening + sum(l.delta) OVER w
	FROM lines l
	WINDOW w AS (ORDER BY l.n, l.entry_on, l.sort, l.document_id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
	ORDER BY 1;
END
$$;
GRANT EXECUTE ON FUNCTION @extschema@.statement_of_account(bigint, date, date) TO customer_class_reader;
COMMENT ON FUNCTION @extschema@.statement_of_account(bigint, date, date) IS
	'statement of account (对账单) of a customer for a period: opening balance, every invoice, payment, credit note and adjustment with a running balance, and the closing balance (the AR at the end of the period)';
