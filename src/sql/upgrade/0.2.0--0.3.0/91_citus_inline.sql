-- Citus: due_reminders() is no longer STRICT, so that it is inlined like the
-- other set-returning SQL functions (a STRICT function is not inlined, and
-- Citus cannot run a SQL function's queries with parameters; src/citus_inline.c).
-- A NULL horizon still gives no rows.
CREATE OR REPLACE FUNCTION @extschema@.due_reminders(within_days integer)
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
