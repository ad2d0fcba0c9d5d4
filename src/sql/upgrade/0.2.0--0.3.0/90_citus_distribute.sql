-- 0.2.0 -> 0.3.0, Citus (issue 19, 19D): distribute(shape), distributed(), distributed_shape() (citus/distribute.sql); the functions the credit checks, the queue and the history triggers run on Citus shards, as in the install script (transition tables read first, every table filtered by the customer itself, no calls in DO UPDATE, no NOTIFY from a worker); src_order_locked(order_id, order_customer_id)

-- == sources/views.sql: src_order_locked takes the order's customer ==
DROP FUNCTION @extschema@.src_order_locked(bigint);
CREATE FUNCTION @extschema@.src_order_locked(order_id bigint, order_customer_id bigint)
	RETURNS TABLE (customer_id bigint, amount numeric, status text)
	LANGUAGE sql VOLATILE
AS $$
	SELECT so.customer_id, so.amount, so.status
	FROM @extschema@.sales_order so
	WHERE so.order_id = $1 AND so.customer_id = $2
	FOR NO KEY UPDATE
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.src_order_locked(bigint, bigint) FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.src_order_locked(bigint, bigint) IS
	'internal: an order''s customer, amount and status (the order and its customer given: on Citus the customer routes the query), its row locked FOR NO KEY UPDATE (row locks do not pass through the late-bound src_order)';

-- == refresh/queue.sql: mark_dirty ==
CREATE OR REPLACE FUNCTION @extschema@.mark_dirty() RETURNS trigger
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	ids bigint[];
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
		ids := ARRAY(SELECT DISTINCT customer_id FROM new_rows);
	ELSIF TG_OP = 'UPDATE' THEN
		ids := ARRAY(SELECT customer_id FROM new_rows UNION SELECT customer_id FROM old_rows);
	ELSE
		ids := ARRAY(SELECT DISTINCT customer_id FROM old_rows);
	END IF;
	IF pg_catalog.cardinality(ids) > 0 THEN
		INSERT INTO @extschema@.dirty (customer_id) SELECT pg_catalog.unnest(ids);
	END IF;
	RETURN NULL;
END
$$;

-- == classes/external_override.sql: credit_override_ended ==
CREATE OR REPLACE FUNCTION @extschema@.credit_override_ended() RETURNS trigger
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	h @extschema@.class_history[];
BEGIN
	-- the rows first, from the transition tables alone (on Citus a statement
	-- naming one and a distributed table fails on the shard: docs/citus.md)
	h := ARRAY(
		SELECT ROW(NULL, n.customer_id, 'credit_override',
				   pg_catalog.format('#%s %s until %s', o.override_id, o.grade, o.expires_on),
				   pg_catalog.format('#%s %s until %s', n.override_id, n.grade, n.expires_on),
				   @extschema@.as_of(), NULL,
				   pg_catalog.format('override #%s %s by %s', n.override_id,
									 CASE WHEN n.expires_on < o.expires_on THEN 'ended early' ELSE 'extended' END,
									 SESSION_USER))::@extschema@.class_history
		FROM new_rows n JOIN old_rows o USING (override_id)
		WHERE n.expires_on IS DISTINCT FROM o.expires_on
		ORDER BY n.override_id);
	IF pg_catalog.cardinality(h) > 0 THEN
		INSERT INTO @extschema@.class_history (customer_id, dimension, old_value, new_value, as_of, why)
		SELECT r.customer_id, r.dimension, r.old_value, r.new_value, r.as_of, r.why
		FROM pg_catalog.unnest(h) WITH ORDINALITY r
		ORDER BY r.ordinality;
	END IF;
	RETURN NULL;
END
$$;

-- == tags/history.sql: record_tag_changes ==
CREATE OR REPLACE FUNCTION @extschema@.record_tag_changes() RETURNS trigger
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d date := @extschema@.as_of();
	-- the role that made the change: CURRENT_USER is this function's owner
	-- here, but SET ROLE shows in the setting "role"
	who text := CASE WHEN pg_catalog.current_setting('role') = 'none' THEN SESSION_USER::text
					 ELSE pg_catalog.current_setting('role') END;
	h @extschema@.class_history[];
BEGIN
	-- the rows first, from the transition tables alone (on Citus a statement
	-- naming one and a distributed table fails on the shard: docs/citus.md)
	h := ARRAY(
	SELECT ROW(NULL, n.customer_id, 'tag',
		   CASE WHEN x.added THEN NULL ELSE x.tag END,
		   CASE WHEN x.added THEN x.tag END,
		   -- refused when the as_of setting is a mistyped year (checked
		   -- only when a tag changed: other customer writes go through)
		   @extschema@.check_as_of(d, 'manual tag change'), NULL,
		   pg_catalog.format('tag %s by %s', CASE WHEN x.added THEN 'added' ELSE 'removed' END, who))::@extschema@.class_history
	FROM new_rows n
	JOIN old_rows o USING (customer_id)
	CROSS JOIN LATERAL (
		SELECT t AS tag, true AS added
		FROM @extschema@.tags(@extschema@.tagset_minus(coalesce(n.tags, '{}'), coalesce(o.tags, '{}'))) t
		UNION ALL
		SELECT t, false
		FROM @extschema@.tags(@extschema@.tagset_minus(coalesce(o.tags, '{}'), coalesce(n.tags, '{}'))) t
	) x
	ORDER BY n.customer_id, x.added, x.tag);
	IF pg_catalog.cardinality(h) > 0 THEN
		INSERT INTO @extschema@.class_history (customer_id, dimension, old_value, new_value, as_of, why)
		SELECT r.customer_id, r.dimension, r.old_value, r.new_value, r.as_of, r.why
		FROM pg_catalog.unnest(h) WITH ORDINALITY r
		ORDER BY r.ordinality;
	END IF;
	RETURN NULL;
END
$$;

-- == credit/alerts.sql: raise_alert ==
CREATE OR REPLACE FUNCTION @extschema@.raise_alert(customer_id bigint, kind text, level @extschema@.alert_level, detail jsonb)
	RETURNS bigint
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	id bigint;
	fresh boolean;
	-- a value, not a call, in DO UPDATE: Citus takes only immutable
	-- functions there
	seen_now timestamptz := pg_catalog.now();
BEGIN
	INSERT INTO @extschema@.alerts AS x (customer_id, kind, level, detail)
	VALUES (raise_alert.customer_id, raise_alert.kind, raise_alert.level, coalesce(raise_alert.detail, '{}'))
	ON CONFLICT (customer_id, kind) WHERE resolved_at IS NULL DO UPDATE
	SET occurrences = x.occurrences + 1, last_seen_at = seen_now,
		level = excluded.level, detail = excluded.detail
	RETURNING x.alert_id, x.xmax = 0 INTO id, fresh;
	IF NOT fresh THEN
		RETURN NULL;
	END IF;
	-- the payload of notify_alert() (64_warnings.sql), the same for every kind;
	-- not from a Citus worker (a check on a shard): nobody listens there, and
	-- Citus cannot commit in two phases a transaction that sent a NOTIFY
	IF pg_catalog.current_setting('application_name') NOT LIKE 'citus\_internal gpid=%' THEN
		PERFORM pg_catalog.pg_notify('customer_class_alerts', pg_catalog.jsonb_build_object('alert_id', id)::text);
	END IF;
	RETURN id;
END
$$;

-- == credit/warnings.sql: notify_alert ==
CREATE OR REPLACE FUNCTION @extschema@.notify_alert(a @extschema@.alerts) RETURNS void
	LANGUAGE sql VOLATILE STRICT
	SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	SELECT pg_catalog.pg_notify('customer_class_alerts', pg_catalog.jsonb_build_object('alert_id', a.alert_id)::text)
	WHERE pg_catalog.current_setting('application_name') NOT LIKE 'citus\_internal gpid=%';
END;

-- == credit/check.sql: credit_overdue_invoice ==
CREATE OR REPLACE FUNCTION @extschema@.credit_overdue_invoice(customer_id bigint, as_of date, days integer)
	RETURNS TABLE (invoice_id bigint)
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT i.invoice_id FROM @extschema@.src_invoice i
	WHERE i.customer_id = credit_overdue_invoice.customer_id
	  AND i.due_on < credit_overdue_invoice.as_of - credit_overdue_invoice.days
	  AND i.amount > coalesce((SELECT sum(p.amount) FROM @extschema@.src_payment p
							   WHERE p.invoice_id = i.invoice_id AND p.customer_id = credit_overdue_invoice.customer_id
								 AND p.paid_on <= credit_overdue_invoice.as_of), 0)
	  AND NOT ((SELECT cs.value FROM @extschema@.credit_setting cs
				WHERE cs.name = 'rule.disputed_invoices' ORDER BY cs.shipped LIMIT 1) = 'ignore'
			   AND EXISTS (SELECT FROM @extschema@.invoice_dispute x
						   WHERE x.invoice_id = i.invoice_id AND x.customer_id = credit_overdue_invoice.customer_id
							 AND x.opened_on <= credit_overdue_invoice.as_of
							 AND (x.resolved_on IS NULL OR x.resolved_on > credit_overdue_invoice.as_of)))
	ORDER BY i.due_on, i.invoice_id
	LIMIT 1;
END;

-- == credit/policy.sql: credit_event_cap ==
CREATE OR REPLACE FUNCTION @extschema@.credit_event_cap(customer_id bigint, as_of date)
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
						  LEFT JOIN @extschema@.alerts a ON a.alert_id = e.alert_id AND a.customer_id = e.customer_id
						  WHERE e.customer_id = credit_event_cap.customer_id
							AND e.event_on <= coalesce(credit_event_cap.as_of, @extschema@.as_of())
							AND a.resolved_at IS NULL));
END
$$;

-- == credit/policy.sql: credit_limit_rows ==
CREATE OR REPLACE FUNCTION @extschema@.credit_limit_rows(customer_id bigint, as_of date)
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
						WHERE i.customer_id = credit_limit_rows.customer_id
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
	LEFT JOIN @extschema@.profile pr ON pr.customer_id = credit_limit_rows.customer_id
	-- OFFSET 0: computed once, not at every use of the grade below
	CROSS JOIN LATERAL (SELECT CASE WHEN pr.override_id IS NULL
									THEN @extschema@.credit_event_cap(credit_limit_rows.customer_id, k.as_of) END AS cap
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
		WHERE lo.customer_id = credit_limit_rows.customer_id AND lo.valid_from <= k.as_of AND k.as_of < lo.expires_on
		ORDER BY lo.set_at DESC, lo.override_id DESC LIMIT 1) o ON true
	LEFT JOIN @extschema@.src_customer c ON c.customer_id = credit_limit_rows.customer_id
	LEFT JOIN LATERAL (
		SELECT lp.method, lp.amount, lp.sales_multiple, lp.sales_months, lp.max_amount, lp.shipped
		FROM @extschema@.credit_limit_policy lp
		WHERE lp.grade IS NOT DISTINCT FROM g.credit_grade AND lp.valid_from <= k.as_of
		ORDER BY lp.shipped, lp.valid_from DESC LIMIT 1) p ON true;
END;

-- == credit/check.sql: credit_context ==
CREATE OR REPLACE FUNCTION @extschema@.credit_context(customer_id bigint, checkpoint text, as_of date)
	RETURNS TABLE (mode text, credit_limit numeric, limit_source text, credit_grade @extschema@.credit_grade,
				   grade_d text, pct numeric, overdue_invoice bigint, overdue_days text, limit_method text)
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT coalesce(
			   (SELECT e.mode FROM @extschema@.credit_check_exception e
				WHERE e.customer_id = credit_context.customer_id
				  AND (e.checkpoint = k.checkpoint OR e.checkpoint IS NULL)
				  AND (e.expires_on IS NULL OR e.expires_on > k.as_of)
				ORDER BY e.checkpoint IS NULL, e.set_at DESC, e.exception_id DESC LIMIT 1),
			   st.mode),
		   l.credit_limit, l.limit_source, l.credit_grade, st.grade_d, st.pct,
		   CASE WHEN st.overdue_days <> 'off' THEN
			   (SELECT o.invoice_id
				FROM @extschema@.credit_overdue_invoice(credit_context.customer_id, k.as_of, st.overdue_days::integer) o) END,
		   st.overdue_days, l.limit_method
	FROM (SELECT credit_context.customer_id AS customer_id, credit_context.checkpoint AS checkpoint,
				 coalesce(credit_context.as_of, @extschema@.as_of()) AS as_of) k
	CROSS JOIN LATERAL @extschema@.credit_limit_rows(credit_context.customer_id, k.as_of) l
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

-- == credit/check.sql: credit_touch_exposure_rows ==
CREATE OR REPLACE FUNCTION @extschema@.credit_touch_exposure_rows() RETURNS trigger
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	ids bigint[] := ARRAY(SELECT DISTINCT c.customer_id FROM changed_rows c);
BEGIN
	-- none (a statement that changed no row): nothing to touch, and on
	-- Citus an empty list would reach every shard
	IF pg_catalog.cardinality(ids) > 0 THEN
		UPDATE @extschema@.credit_exposure x SET open_orders = x.open_orders
		WHERE x.customer_id = ANY (ids);
	END IF;
	RETURN NULL;
END
$$;

-- == credit/check.sql: credit_invoice_trigger ==
CREATE OR REPLACE FUNCTION @extschema@.credit_invoice_trigger() RETURNS trigger
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
	cust bigint;
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
		-- the order is the invoice's customer's (on Citus each query names
		-- the customer, to be routed to its shard group)
		cust := CASE WHEN ord = n_ord THEN n_cust ELSE o_cust END;
		SELECT so.customer_id, so.amount, so.status INTO so_cust, so_amt, so_status
		FROM @extschema@.src_order_locked(ord, cust) so;
		CONTINUE WHEN NOT FOUND;
		part := 0;
		IF so_status IN ('open', 'shipped') THEN
			SELECT coalesce(sum(si.amount), 0) INTO invoiced FROM @extschema@.src_invoice si
			WHERE si.order_id = ord AND si.customer_id = cust;
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
		PERFORM @extschema@.credit_enforce(n_cust, 'invoice', e.exposure, grow, 'invoice ' || NEW.invoice_id, n_amt);
	ELSIF grow > 0 THEN
		PERFORM @extschema@.credit_watch(n_cust, e.exposure, grow, 'invoice ' || NEW.invoice_id);
	END IF;
	RETURN NULL;
END
$$;

-- == credit/exposure.sql: exposure_recomputed ==
CREATE OR REPLACE FUNCTION @extschema@.exposure_recomputed(customers bigint[] DEFAULT NULL)
	RETURNS TABLE (customer_id bigint, open_orders numeric, shipped_not_invoiced numeric,
				   invoice_balance numeric, unapplied_credits numeric, exposure numeric)
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	WITH o AS (
		SELECT so.customer_id,
			   coalesce(sum(so.open_part) FILTER (WHERE so.status = 'open'), 0.00) AS open_orders,
			   coalesce(sum(so.open_part) FILTER (WHERE so.status = 'shipped'), 0.00) AS shipped_not_invoiced
		FROM (SELECT s.customer_id, s.status,
					 -- (an order's invoices are its customer's: said, so that
					 -- Citus joins them shard by shard)
					 greatest(s.amount - coalesce((SELECT sum(si.amount) FROM @extschema@.src_invoice si
												   WHERE si.order_id = s.order_id AND si.customer_id = s.customer_id), 0), 0) AS open_part
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

-- == credit/exposure.sql: recompute_exposure ==
CREATE OR REPLACE FUNCTION @extschema@.recompute_exposure() RETURNS bigint
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
	-- and the credit groups (customers written with triggers disabled); on
	-- Citus only when there are groups: their paths are found across shards,
	-- which Citus cannot do (docs/citus.md, credit groups)
	IF @extschema@.distributed() THEN
		PERFORM FROM @extschema@.src_customer c WHERE c.parent_id IS NOT NULL LIMIT 1;
	END IF;
	IF NOT @extschema@.distributed() OR FOUND THEN
		PERFORM @extschema@.credit_group_sync(NULL);
	END IF;
	RETURN n + m;
END
$$;

-- == credit/groups.sql: credit_group_fill ==
CREATE OR REPLACE FUNCTION @extschema@.credit_group_fill(v @extschema@.credit_verdict, member_exposure numeric, as_of date)
	RETURNS @extschema@.credit_verdict
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	g record;
BEGIN
	v.group_id := NULL;
	v.group_exposure := NULL;
	v.group_limit := NULL;
	v.group_limit_source := NULL;
	-- on Citus, a customer in no group (its ledger row says so) has no
	-- group limit to look for: the lookup reads the group's members, which
	-- may lie on other nodes than the shard the check runs on (docs/citus.md)
	IF @extschema@.distributed() AND NOT EXISTS (SELECT FROM @extschema@.credit_exposure x
				   WHERE x.customer_id = v.customer_id AND x.group_path IS NOT NULL) THEN
		RETURN v;
	END IF;
	SELECT l.group_id, l.group_exposure, l.credit_limit, l.limit_source INTO g
	FROM @extschema@.credit_group_limits(v.customer_id, member_exposure, as_of) l
	WHERE l.credit_limit IS NOT NULL
	ORDER BY l.group_exposure > l.credit_limit DESC,
			 CASE WHEN l.group_exposure > l.credit_limit THEN l.level END,
			 l.credit_limit - l.group_exposure, l.level
	LIMIT 1;
	IF FOUND THEN
		v.group_id := g.group_id;
		v.group_exposure := g.group_exposure;
		v.group_limit := g.credit_limit;
		v.group_limit_source := g.limit_source;
	END IF;
	RETURN v;
END
$$;

-- == credit/hold.sql: credit_hold_others ==
CREATE OR REPLACE FUNCTION @extschema@.credit_hold_others(customer_id bigint, except_order bigint) RETURNS numeric
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RETURN (
		SELECT coalesce(sum(greatest(o.amount - coalesce((SELECT sum(si.amount) FROM @extschema@.src_invoice si
														   WHERE si.order_id = o.order_id
															 AND si.customer_id = credit_hold_others.customer_id), 0), 0)), 0)
		FROM @extschema@.credit_hold h
		JOIN @extschema@.src_order o ON o.order_id = h.order_id AND o.customer_id = credit_hold_others.customer_id
		WHERE h.customer_id = credit_hold_others.customer_id AND h.status = 'held' AND h.checkpoint = 'order'
		  AND h.order_id IS DISTINCT FROM credit_hold_others.except_order AND o.status IN ('open', 'shipped'));
END
$$;

-- == credit/hold.sql: credit_hold_place ==
CREATE OR REPLACE FUNCTION @extschema@.credit_hold_place(v @extschema@.credit_verdict, what text, order_id bigint,
											  invoice_id bigint, relation text, document_key text, company_id bigint)
	RETURNS bigint
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	id bigint;
	fresh boolean;
BEGIN
	INSERT INTO @extschema@.credit_hold AS h
		(customer_id, checkpoint, order_id, invoice_id, relation, document_key, company_id, amount,
		 reasons, sqlstate, message, verdict, held_by)
	VALUES (v.customer_id, v.checkpoint, credit_hold_place.order_id, credit_hold_place.invoice_id,
			credit_hold_place.relation, credit_hold_place.document_key, credit_hold_place.company_id, v.asked,
			ARRAY[v.violation], v.sqlstate, @extschema@.credit_verdict_message(v, what),
			@extschema@.credit_verdict_json(v), @extschema@.access_caller())
	ON CONFLICT (checkpoint, order_id, invoice_id, relation, document_key) WHERE status = 'held' DO UPDATE
	SET amount = h.amount + excluded.amount, reasons = excluded.reasons, sqlstate = excluded.sqlstate,
		message = excluded.message, verdict = excluded.verdict
	RETURNING h.hold_id, h.xmax = 0 INTO id, fresh;
	-- (not from a Citus worker: raise_alert() says why)
	IF fresh AND pg_catalog.current_setting('application_name') NOT LIKE 'citus\_internal gpid=%' THEN
		PERFORM pg_catalog.pg_notify('customer_class_holds', pg_catalog.jsonb_build_object('hold_id', id)::text);
	END IF;
	RETURN id;
END
$$;

-- == credit/hold.sql: credit_hold_guard ==
CREATE OR REPLACE FUNCTION @extschema@.credit_hold_guard() RETURNS trigger
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	h @extschema@.credit_hold;
	doing text;
BEGIN
	-- a restore re-inserts rows accepted before
	IF current_setting('check_function_bodies') = 'off' THEN
		RETURN NEW;
	END IF;
	-- the columns read: order_id, and on orders status
	doing := 'invoiced';
	IF TG_TABLE_NAME = 'sales_order' THEN
		IF NEW.status = 'shipped' THEN
			doing := 'shipped';
		END IF;
	END IF;
	SELECT * INTO h FROM @extschema@.credit_hold x
	WHERE x.order_id = NEW.order_id AND x.customer_id = NEW.customer_id AND x.status = 'held'
	  AND (x.checkpoint = 'order' OR (doing = 'invoiced' AND x.checkpoint = 'delivery'))
	ORDER BY x.hold_id LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'order % is on credit hold % and cannot be %', NEW.order_id, h.hold_id, doing
			USING ERRCODE = 'KC010',
				  DETAIL = pg_catalog.format('Held at %s: %s.', h.checkpoint, h.message),
				  HINT = pg_catalog.format('A credit manager releases it (release_credit_hold(%s, reason)) or rejects it (reject_credit_hold(%s, reason)).',
										   h.hold_id, h.hold_id);
	END IF;
	RETURN NEW;
END
$$;

-- == credit/policy.sql: set_credit_setting ==
CREATE OR REPLACE FUNCTION @extschema@.set_credit_setting(name text, value text) RETURNS text
	LANGUAGE plpgsql VOLATILE STRICT
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	-- values, not calls, in DO UPDATE: Citus (a reference table) takes
	-- only immutable functions there
	who name := CURRENT_USER;
	set_now timestamptz := pg_catalog.now();
BEGIN
	INSERT INTO @extschema@.credit_setting AS s (name, value, description)
	SELECT set_credit_setting.name, set_credit_setting.value, d.description
	FROM (SELECT coalesce((SELECT description FROM @extschema@.credit_setting
						   WHERE credit_setting.name = set_credit_setting.name AND shipped), '') AS description) d
	ON CONFLICT ON CONSTRAINT credit_setting_pkey DO UPDATE
		SET value = excluded.value, set_by = who, set_at = set_now;
	RETURN value;
END
$$;

-- == citus/distribute.sql ==
-- Running on Citus (docs/citus.md, "Running on Citus"): distribute() turns
-- the extension's tables and the managed source tables of a database that
-- has the citus extension into a Citus layout in one call, and
-- distributed() / distributed_shape() tell code which layout it runs on.
--
-- What goes where is read from the catalog, not from a list, so that a
-- table added later is placed by the same rules:
--   * a table of the schema with a NOT NULL distribution column (customer_id
--     for the shape 'customer') holds customer rows: distributed by it and
--     colocated with customer, so that one customer's documents, ledger,
--     profile, queue, alerts and history are on one shard group and the
--     triggers, which only touch the rows of the customer they fire for,
--     stay on that group;
--   * rfm_boundary and rewind_log stay local on the coordinator: refresh()
--     and rewind() write them there, nothing on a worker reads them
--     (report_date() refuses on a worker before it would);
--   * every other table (settings, bindings, access entries) becomes a
--     reference table, copied to every node, since the triggers on the
--     shards read them.
-- The shape 'tenant' will be the same function with company_id as the
-- distribution column (docs/citus.md, "The two shapes").
--
-- Citus requires the distribution column in every primary key and unique
-- constraint of a distributed table.  The managed tables' keys are one
-- identity column (order_id, ...); they stay so on a single node, and
-- distribute() adds customer_id to them when it distributes (a key that an
-- existing unique constraint on the same columns plus customer_id already
-- covers is dropped instead of doubled).  Changing them for everyone would
-- weaken the single node (order_id alone would no longer be unique) and
-- change the user's tables under every ERP that relies on their keys, for a
-- layout most never use.  The identity sequences stay: Citus gives each
-- node's copy of a bigint identity sequence its own range.
-- Foreign keys between distributed tables that do not join on customer_id
-- (customer.parent_id, a credit group across customers, possibly across
-- shards) cannot be kept by Citus: distribute() drops them and says so.

CREATE FUNCTION @extschema@.distributed_shape() RETURNS text
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	col name;
BEGIN
	-- Citus's metadata is the record: nothing to keep in step, and a dump
	-- restored into a plain database answers NULL by itself
	IF pg_catalog.to_regclass('pg_catalog.pg_dist_partition') IS NULL THEN
		RETURN NULL;
	END IF;
	EXECUTE $q$SELECT a.attname
		FROM pg_catalog.pg_dist_partition p
		JOIN pg_catalog.pg_attribute a
			ON a.attrelid = p.logicalrelid
			AND a.attname = pg_catalog.column_to_column_name(p.logicalrelid, p.partkey)
		WHERE p.logicalrelid = $1 AND p.partmethod = 'h'$q$
		INTO col USING '@extschema@.profile'::pg_catalog.regclass;
	RETURN CASE col WHEN 'customer_id' THEN 'customer' WHEN 'company_id' THEN 'tenant' END;
END;
$$;
COMMENT ON FUNCTION @extschema@.distributed_shape() IS
	'the shape the extension''s tables are distributed by on Citus (customer or tenant), read from Citus''s metadata; NULL when they are not distributed';

CREATE FUNCTION @extschema@.distributed() RETURNS boolean
	LANGUAGE sql STABLE PARALLEL SAFE
	RETURN @extschema@.distributed_shape() IS NOT NULL;
COMMENT ON FUNCTION @extschema@.distributed() IS
	'true when distribute() has distributed the extension''s tables on Citus';

CREATE FUNCTION @extschema@.distribute(shape text DEFAULT 'customer')
	RETURNS TABLE (relation regclass, placement text)
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	dist_col name;
	done text := @extschema@.distributed_shape();
	schema_oid oid := '@extschema@'::pg_catalog.regnamespace;
	-- refresh() and rewind() write these on the coordinator only
	local_tables regclass[] := ARRAY['@extschema@.rfm_boundary', '@extschema@.rewind_log']::regclass[];
	dist_tables regclass[];
	ref_tables regclass[];
	rel regclass;
	con record;
	owner_name name;
	-- (SELECT f() AS f), a scalar subquery of a call without arguments
	enable_triggers text[];
	add_fkeys text[];
	worker_ddl text;
	modify_mode text;
	n_grouped bigint;
	-- what the customer rows are colocated with: the customer source
	colocate_rel regclass;
	stmt text;
	unwrap text := '\(\s*SELECT\s+([[:alnum:]_."]+\(\))\s+AS\s+[[:alnum:]_"]+\s*\)';
BEGIN
	IF shape IS NULL OR shape NOT IN ('customer', 'tenant') THEN
		RAISE EXCEPTION 'unknown distribution shape "%"', shape
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = 'The shapes are customer (one large company, distributed by customer) and tenant (multi-tenant, distributed by company).';
	END IF;
	IF shape = 'tenant' THEN
		RAISE EXCEPTION 'the distribution shape tenant is not available yet'
			USING ERRCODE = 'feature_not_supported',
				  HINT = 'Distribute by customer: SELECT customer_class.distribute(''customer'').';
	END IF;
	dist_col := 'customer_id';
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'citus') THEN
		RAISE EXCEPTION 'the citus extension is not installed in this database'
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'Create it first (CREATE EXTENSION citus) and add the worker nodes; see docs/citus.md, "Running on Citus".';
	END IF;
	-- The extension's planner hook (src/citus_inline.c) must run before
	-- Citus plans, on every node: without it queries over the extension's
	-- SQL functions fail, or read the coordinator's empty shell tables
	-- without a word.  customer_class after citus in
	-- shared_preload_libraries (a hook loaded later runs first).
	FOR con IN
		SELECT 'the coordinator' AS node, pg_catalog.current_setting('shared_preload_libraries') AS libs
		UNION ALL
		SELECT pg_catalog.format('the worker %s:%s', w.nodename, w.nodeport), w.result
		FROM pg_catalog.run_command_on_workers('SHOW shared_preload_libraries') w
	LOOP
		IF coalesce(pg_catalog.array_position(pg_catalog.regexp_split_to_array(con.libs, '\s*,\s*'), 'customer_class'), 0)
		   <= coalesce(pg_catalog.array_position(pg_catalog.regexp_split_to_array(con.libs, '\s*,\s*'), 'citus'), 0) THEN
			RAISE EXCEPTION 'customer_class is not preloaded after citus on %', con.node
				USING ERRCODE = 'object_not_in_prerequisite_state',
					  DETAIL = pg_catalog.format('shared_preload_libraries is ''%s'' there.', con.libs),
					  HINT = 'Set shared_preload_libraries = ''citus,customer_class'' on the coordinator and every worker and restart them (docs/citus.md, "Running on Citus").';
		END IF;
	END LOOP;
	IF done IS NOT NULL THEN
		RAISE EXCEPTION 'customer_class is already distributed (shape %)', done
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = 'distribute() runs once per database.';
	END IF;
	-- Sources bound to the ERP's own tables (bind_source()): those must be
	-- distributed by the column bound to customer_id already, colocated with
	-- the bound customer relation, which the extension's tables then join.
	-- They are the ERP's tables: distribute() does not move them itself.
	FOR con IN
		SELECT b.role, b.relation, b.columns ->> dist_col AS col,
			pg_catalog.to_regclass(b.relation) AS rel
		FROM @extschema@.source_binding b
		ORDER BY b.role <> 'customer', b.role
	LOOP
		IF NOT EXISTS (
			SELECT FROM pg_catalog.pg_dist_partition p
			WHERE p.logicalrelid = con.rel AND p.partmethod = 'h'
				AND pg_catalog.column_to_column_name(p.logicalrelid, p.partkey) = con.col
				AND (colocate_rel IS NULL OR p.colocationid = (SELECT q.colocationid FROM pg_catalog.pg_dist_partition q
															  WHERE q.logicalrelid = colocate_rel))) THEN
			RAISE EXCEPTION 'the % source is bound to %, which is not distributed by its column % colocated with the customer source',
				con.role, con.relation, con.col
				USING ERRCODE = 'object_not_in_prerequisite_state',
					  HINT = 'Distribute the ERP''s tables first, each by its customer column and colocated with the customer table (create_distributed_table(..., colocate_with => ...)), then call distribute() again.';
		END IF;
		IF con.role = 'customer' THEN
			colocate_rel := con.rel;
		END IF;
	END LOOP;
	colocate_rel := coalesce(colocate_rel, '@extschema@.customer'::regclass);

	-- Citus copies the rows of each table as its owner would; say so at once
	-- rather than after half the tables
	SELECT c.relowner::regrole::name INTO owner_name FROM pg_catalog.pg_class c
	WHERE c.oid = '@extschema@.profile'::regclass;
	IF NOT pg_catalog.pg_has_role(owner_name, 'USAGE') THEN
		RAISE EXCEPTION 'permission denied to distribute the tables of customer_class'
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = pg_catalog.format('The tables are owned by %I.', owner_name),
				  HINT = 'Run distribute() as their owner, the role that created the extension.';
	END IF;
	-- the managed tables' and the ledger's triggers run on the shards
	-- (Citus refuses tables with triggers otherwise); the database must keep
	-- this on for the writes that follow (docs/citus.md)
	PERFORM pg_catalog.set_config('citus.enable_unsafe_triggers', 'on', true);
	-- foreign keys between reference tables once tables were distributed in
	-- the same transaction: Citus needs one connection per node for both
	modify_mode := pg_catalog.current_setting('citus.multi_shard_modify_mode');
	PERFORM pg_catalog.set_config('citus.multi_shard_modify_mode', 'sequential', true);
	-- Credit groups: a group's members would lie on different shards, and
	-- the check of a member reads and locks the ledger rows of the others
	-- (credit/groups.sql), which a trigger on one shard cannot reach.  Said
	-- now rather than at the first order of a member; once distributed, a
	-- new parent is refused too (credit_group_change_refused()).  (Asked in
	-- sequential mode: Citus distributes no table in a transaction that read
	-- a distributed one, a bound source, in parallel.)
	SELECT count(*) INTO n_grouped FROM @extschema@.src_customer c
	WHERE c.parent_id IS NOT NULL AND c.parent_id <> c.customer_id;
	IF n_grouped > 0 THEN
		RAISE EXCEPTION 'customer_class cannot be distributed by customer while there are credit groups'
			USING ERRCODE = 'feature_not_supported',
				  DETAIL = pg_catalog.format('%s customers have a parent (src_customer.parent_id): the members of a group would lie on different shards, and the credit check of one member reads and locks the ledger rows of the others.', n_grouped),
				  HINT = 'Keep a database with credit groups on a single node, or clear the parents first (docs/citus.md, "What works").';
	END IF;

	SELECT pg_catalog.array_agg(c.oid ORDER BY c.relname) INTO dist_tables
	FROM pg_catalog.pg_class c
	JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attname = dist_col
		AND a.attnum > 0 AND NOT a.attisdropped AND a.attnotnull
	WHERE c.relnamespace = schema_oid AND c.relkind IN ('r', 'p')
		AND c.oid <> ALL (local_tables);
	SELECT pg_catalog.array_agg(c.oid ORDER BY c.relname) INTO ref_tables
	FROM pg_catalog.pg_class c
	WHERE c.relnamespace = schema_oid AND c.relkind IN ('r', 'p')
		AND c.oid <> ALL (local_tables) AND c.oid <> ALL (dist_tables);

	-- Foreign keys Citus cannot keep between distributed tables: those that
	-- do not map the distribution column onto itself (customer.parent_id)
	FOR con IN
		SELECT k.conrelid::regclass AS rel, k.conname, pg_catalog.pg_get_constraintdef(k.oid) AS def
		FROM pg_catalog.pg_constraint k
		WHERE k.contype = 'f' AND k.conrelid = ANY (dist_tables) AND k.confrelid = ANY (dist_tables)
			AND NOT EXISTS (
				SELECT FROM pg_catalog.generate_subscripts(k.conkey, 1) i
				WHERE (SELECT attname FROM pg_catalog.pg_attribute
					   WHERE attrelid = k.conrelid AND attnum = k.conkey[i]) = dist_col
					AND (SELECT attname FROM pg_catalog.pg_attribute
						 WHERE attrelid = k.confrelid AND attnum = k.confkey[i]) = dist_col)
		ORDER BY 1, 2
	LOOP
		EXECUTE pg_catalog.format('ALTER TABLE %s DROP CONSTRAINT %I', con.rel, con.conname);
		relation := con.rel;
		placement := pg_catalog.format('dropped foreign key %s: %s', con.conname, con.def);
		RETURN NEXT;
	END LOOP;

	-- Primary keys and unique constraints of the distributed tables must
	-- hold the distribution column
	FOR con IN
		SELECT k.conrelid::regclass AS rel, k.conname, k.contype, k.conkey,
			(SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY i.n)
			 FROM pg_catalog.unnest(k.conkey) WITH ORDINALITY i(attnum, n)
			 JOIN pg_catalog.pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = i.attnum) AS cols,
			(SELECT a.attnum FROM pg_catalog.pg_attribute a
			 WHERE a.attrelid = k.conrelid AND a.attname = dist_col) AS dist_attnum
		FROM pg_catalog.pg_constraint k
		WHERE k.contype IN ('p', 'u') AND k.conrelid = ANY (dist_tables)
		ORDER BY 1, 2
	LOOP
		CONTINUE WHEN con.dist_attnum = ANY (con.conkey);
		IF EXISTS (SELECT FROM pg_catalog.pg_constraint o
				   WHERE o.conrelid = con.rel AND o.contype IN ('p', 'u') AND o.conname <> con.conname
					   AND o.conkey @> (con.conkey || con.dist_attnum)
					   AND o.conkey <@ (con.conkey || con.dist_attnum)) THEN
			-- (order_id) beside (order_id, customer_id): the wider one is the key
			EXECUTE pg_catalog.format('ALTER TABLE %s DROP CONSTRAINT %I', con.rel, con.conname);
			placement := pg_catalog.format('dropped key %s (%s): a unique constraint with %I covers it',
										   con.conname, con.cols, dist_col);
		ELSE
			EXECUTE pg_catalog.format('ALTER TABLE %s DROP CONSTRAINT %I, ADD CONSTRAINT %I %s (%s, %I)',
									  con.rel, con.conname, con.conname,
									  CASE con.contype WHEN 'p' THEN 'PRIMARY KEY' ELSE 'UNIQUE' END,
									  con.cols, dist_col);
			placement := pg_catalog.format('key %s (%s) became (%s, %I)', con.conname, con.cols, con.cols, dist_col);
		END IF;
		relation := con.rel;
		RETURN NEXT;
	END LOOP;

	-- The same for unique indexes that back no constraint (credit_hold's
	-- one open hold per document): the document belongs to one customer, so
	-- with customer_id in front it is as unique as before
	FOR con IN
		SELECT i.indrelid::regclass AS rel, i.indexrelid::regclass::text AS idx,
			pg_catalog.pg_get_indexdef(i.indexrelid) AS def
		FROM pg_catalog.pg_index i
		WHERE i.indisunique AND i.indrelid = ANY (dist_tables)
			AND NOT EXISTS (SELECT FROM pg_catalog.pg_constraint k WHERE k.conindid = i.indexrelid)
			AND NOT (SELECT a.attnum FROM pg_catalog.pg_attribute a
					 WHERE a.attrelid = i.indrelid AND a.attname = dist_col) = ANY (i.indkey::int2[])
		ORDER BY 1, 2
	LOOP
		EXECUTE pg_catalog.format('DROP INDEX %s', con.idx);
		EXECUTE pg_catalog.regexp_replace(con.def, ' USING (\w+) \(', pg_catalog.format(' USING \1 (%I, ', dist_col));
		relation := con.rel;
		placement := pg_catalog.format('unique index %s with %I', con.idx, dist_col);
		RETURN NEXT;
	END LOOP;

	-- Citus refuses subqueries in the policies of distributed and reference
	-- tables.  The policies read the caller's access_query() in a scalar
	-- subquery so that a single node evaluates it once per statement (an
	-- InitPlan): called directly it means the same, per row.  The policy of
	-- customer_access itself looks the role up in pg_roles: the same test
	-- without a subquery.
	FOR con IN
		SELECT p.polrelid::regclass AS rel, p.polname,
			pg_catalog.pg_get_expr(p.polqual, p.polrelid) AS qual,
			pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) AS chk
		FROM pg_catalog.pg_policy p
		WHERE p.polrelid = ANY (dist_tables || ref_tables)
		ORDER BY 1, 2
	LOOP
		IF con.rel = '@extschema@.customer_access'::regclass AND con.polname = 'customer_access_own'
			AND con.qual ~ 'SELECT' THEN
			con.qual := $e$pg_catalog.pg_has_role('customer_class_admin', 'MEMBER')
				OR coalesce(pg_catalog.pg_has_role(pg_catalog.to_regrole(pg_catalog.quote_ident(role_name)), 'MEMBER'), false)$e$;
		END IF;
		IF con.qual ~ 'SELECT' OR con.chk ~ 'SELECT' OR con.polname = 'customer_access_own' THEN
			EXECUTE pg_catalog.format('ALTER POLICY %I ON %s%s%s', con.polname, con.rel,
				' USING (' || pg_catalog.regexp_replace(con.qual, unwrap, '\1', 'g') || ')',
				' WITH CHECK (' || pg_catalog.regexp_replace(con.chk, unwrap, '\1', 'g') || ')');
			relation := con.rel;
			placement := pg_catalog.format('policy %s without subqueries', con.polname);
			RETURN NEXT;
		END IF;
	END LOOP;

	-- Citus turns a local table that references a table it distributes into
	-- a table of its own (a "Citus local table"), which the extension's own
	-- tables cannot become: the foreign keys between the tables that move
	-- go while they move and come back after, Citus then creating them
	-- shard by shard
	SELECT pg_catalog.array_agg(pg_catalog.format('ALTER TABLE %s ADD CONSTRAINT %I %s', k.conrelid::regclass,
					k.conname, pg_catalog.pg_get_constraintdef(k.oid))
				ORDER BY k.conrelid::regclass::text, k.conname)
		INTO add_fkeys
	FROM pg_catalog.pg_constraint k
	WHERE k.contype = 'f' AND k.conrelid = ANY (dist_tables || ref_tables);
	-- (on the workers too: Citus adds them back to the workers' own copies
	-- of the extension's tables, which CREATE EXTENSION made there)
	worker_ddl := '';
	FOR con IN
		SELECT k.conrelid::regclass AS rel, k.conname FROM pg_catalog.pg_constraint k
		WHERE k.contype = 'f' AND k.conrelid = ANY (dist_tables || ref_tables)
	LOOP
		EXECUTE pg_catalog.format('ALTER TABLE %s DROP CONSTRAINT %I', con.rel, con.conname);
		worker_ddl := worker_ddl || pg_catalog.format('ALTER TABLE IF EXISTS %s DROP CONSTRAINT IF EXISTS %I; ',
													  con.rel, con.conname);
	END LOOP;

	-- The triggers must not fire for the rows Citus copies into the shards
	-- (the ledger would count them again, the queue take every customer, a
	-- shipped row be refused): off while the tables move, then back as they
	-- were (Citus carries ALTER TABLE ... ENABLE to the shards)
	SELECT pg_catalog.array_agg(pg_catalog.format('ALTER TABLE %s ENABLE %s TRIGGER %I', g.tgrelid::regclass,
					CASE g.tgenabled WHEN 'A' THEN 'ALWAYS' WHEN 'R' THEN 'REPLICA' ELSE '' END, g.tgname)
				ORDER BY g.tgrelid::regclass::text, g.tgname)
		INTO enable_triggers
	FROM pg_catalog.pg_trigger g
	WHERE NOT g.tgisinternal AND g.tgenabled <> 'D' AND g.tgrelid = ANY (dist_tables || ref_tables);
	FOREACH rel IN ARRAY dist_tables || ref_tables LOOP
		EXECUTE pg_catalog.format('ALTER TABLE %s DISABLE TRIGGER USER', rel);
	END LOOP;

	-- CREATE EXTENSION ran on every worker too and left there empty copies
	-- of the managed tables, which are the user's, not the extension's:
	-- Citus creates its own (shell tables) where they are, so these go (and
	-- the source_<role> views over them: Citus creates the views that
	-- depend on a table it distributes on the workers)
	SELECT pg_catalog.string_agg(t::text, ', ' ORDER BY t::text) INTO stmt
	FROM pg_catalog.unnest(dist_tables || ref_tables) t
	WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_depend d
					  WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = t
						  AND d.deptype = 'e');
	IF stmt IS NOT NULL THEN
		worker_ddl := worker_ddl || 'DROP TABLE IF EXISTS ' || stmt || ' CASCADE';
	END IF;
	FOR con IN
		SELECT w.nodename, w.nodeport, w.result
		FROM pg_catalog.run_command_on_workers(worker_ddl) w
		WHERE NOT w.success
	LOOP
		RAISE EXCEPTION 'could not prepare the worker %:% for distribute()', con.nodename, con.nodeport
			USING ERRCODE = 'object_not_in_prerequisite_state', DETAIL = con.result;
	END LOOP;

	-- Reference tables first, a referenced table before the tables that
	-- reference it (Citus requires the foreign keys' targets to be there)
	FOR rel IN
		WITH RECURSIVE depth(rel, d) AS (
			SELECT t, 0 FROM pg_catalog.unnest(ref_tables) t
			UNION ALL
			SELECT k.conrelid::regclass, depth.d + 1
			FROM depth JOIN pg_catalog.pg_constraint k
				ON k.contype = 'f' AND k.confrelid = depth.rel AND k.conrelid <> k.confrelid
			WHERE k.conrelid = ANY (ref_tables))
		SELECT depth.rel FROM depth GROUP BY depth.rel ORDER BY max(depth.d), depth.rel::text
	LOOP
		PERFORM pg_catalog.create_reference_table(rel);
		relation := rel;
		placement := 'reference';
		RETURN NEXT;
	END LOOP;

	-- customer first, the others colocated with it, referenced before
	-- referencing (sales_order, invoice, payment)
	FOR rel IN
		WITH RECURSIVE depth(rel, d) AS (
			SELECT t, 0 FROM pg_catalog.unnest(dist_tables) t
			UNION ALL
			SELECT k.conrelid::regclass, depth.d + 1
			FROM depth JOIN pg_catalog.pg_constraint k
				ON k.contype = 'f' AND k.confrelid = depth.rel AND k.conrelid <> k.confrelid
			WHERE k.conrelid = ANY (dist_tables))
		SELECT depth.rel FROM depth GROUP BY depth.rel
		ORDER BY depth.rel <> colocate_rel, max(depth.d), depth.rel::text
	LOOP
		IF rel = colocate_rel THEN
			PERFORM pg_catalog.create_distributed_table(rel, dist_col::text);
		ELSE
			PERFORM pg_catalog.create_distributed_table(rel, dist_col::text, colocate_with => colocate_rel::text);
		END IF;
		relation := rel;
		placement := pg_catalog.format('distributed by %I', dist_col);
		RETURN NEXT;
	END LOOP;

	-- the coordinator's own copy of the rows, now hidden behind the shards (the
	-- triggers still off: it is no change of the user's data)
	FOREACH rel IN ARRAY dist_tables || ref_tables LOOP
		PERFORM pg_catalog.truncate_local_data_after_distributing_table(rel);
	END LOOP;
	FOREACH stmt IN ARRAY coalesce(add_fkeys, '{}') LOOP
		EXECUTE stmt;
	END LOOP;
	FOREACH stmt IN ARRAY coalesce(enable_triggers, '{}') LOOP
		EXECUTE stmt;
	END LOOP;

	PERFORM pg_catalog.set_config('citus.multi_shard_modify_mode', modify_mode, true);

	-- The identity keys of the extension's distributed tables (alert_id,
	-- history_id, ...) are drawn on the worker where the trigger runs, from
	-- the worker's own copy of the sequence, which Citus leaves alone for an
	-- extension's table: each worker gets its own range, as Citus gives the
	-- tables it creates (group g: from g * 2^48 + 1), so that no key is
	-- drawn twice.
	SELECT pg_catalog.string_agg(pg_catalog.format(
			'EXECUTE pg_catalog.format(%L, (g << 48) + 1, ((g + 1) << 48) - 1, (g << 48) + 1);',
			'ALTER SEQUENCE ' || s::text || ' MINVALUE %s MAXVALUE %s START %s RESTART'), ' ' ORDER BY s::text)
		INTO stmt
	FROM pg_catalog.unnest(dist_tables) t
	JOIN pg_catalog.pg_attribute a ON a.attrelid = t AND a.attidentity <> '' AND NOT a.attisdropped
	CROSS JOIN LATERAL pg_catalog.pg_get_serial_sequence(t::text, a.attname) q
	CROSS JOIN LATERAL (SELECT q::regclass AS s) sq
	WHERE EXISTS (SELECT FROM pg_catalog.pg_depend d
				  WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = t AND d.deptype = 'e');
	IF stmt IS NOT NULL THEN
		FOR con IN
			SELECT w.nodename, w.nodeport, w.result
			FROM pg_catalog.run_command_on_workers(
				'DO $seq$ DECLARE g bigint := (SELECT groupid FROM pg_catalog.pg_dist_local_group); BEGIN '
				|| stmt || ' END $seq$') w
			WHERE NOT w.success
		LOOP
			RAISE EXCEPTION 'could not give the worker %:% its range of keys', con.nodename, con.nodeport
				USING ERRCODE = 'object_not_in_prerequisite_state', DETAIL = con.result;
		END LOOP;
	END IF;

	FOREACH rel IN ARRAY local_tables LOOP
		relation := rel;
		placement := 'local';
		RETURN NEXT;
	END LOOP;
END;
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.distribute(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.distribute(text) TO customer_class_admin;
COMMENT ON FUNCTION @extschema@.distribute(text) IS
	'Citus: distributes the tables with customer rows by customer_id colocated with customer (shape customer; tenant: not yet), makes the settings tables reference tables, keeps rfm_boundary and rewind_log local; returns what it did per table';
