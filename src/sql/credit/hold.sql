-- Credit control, part 7: credit holds and their release (docs/credit.md,
-- "Holds and release").
--
-- A checkpoint in mode hold (setting mode.<checkpoint> or an exception)
-- does not refuse a document that fails its check: the statement commits,
-- the document is saved, and a row of credit_hold says that it is held,
-- why, and for how much.  A credit manager (customer_class_admin) releases
-- it, after a new check, or rejects it, each with a reason kept in the row.
--
-- Exposure: a held document counts in the ledger and in every report like
-- any other, as SAP counts blocked orders as open orders, so the ledger
-- knows nothing of holds.  But an order on hold at the order checkpoint
-- does not use the customer's credit until it is released: a check that
-- fails against the ledger's exposure is judged again without the
-- customer's orders on hold (their part not invoiced, read from the orders
-- now; credit_enforce(), credit_check()), and a release passes when the
-- exposure without the OTHER orders on hold is within the limit.  So what
-- credit control has accepted stays within the limit.  Every check, and a
-- release, first locks the customer's ledger row: two releases (or a
-- release and an order) of one customer run one after the other, and the
-- second sees the first.  Holds at the delivery and invoice checkpoints
-- and holds of bound ERP tables are never left out: the order behind a
-- delivery was accepted at the order checkpoint, and what a held ERP
-- document still counts is not known here (counting it is the safe side).
--
-- While an order is held at the order checkpoint it cannot be shipped, and
-- while it is held at the order or the delivery checkpoint it cannot be
-- invoiced (status invoiced, or an invoice naming it): SQLSTATE KC010.
-- Rejecting a hold of a managed order cancels the order (order checkpoint)
-- or takes the delivery back (delivery: status open again); a rejected
-- invoice, or a document of a bound ERP table, keeps its row: only the hold
-- changes, and the ERP reads the decision from credit_hold.

-- Written by the functions below only (no role may write it), which keep
-- it consistent: checkpoint order, delivery or invoice; status held,
-- released or rejected, with decided_by, decided_at and decision_reason set
-- exactly when decided; the document named by exactly one of order_id,
-- invoice_id and (relation, document_key).  So, like checkpoint_binding,
-- no CHECK constraints restate it.
CREATE TABLE @extschema@.credit_hold (
	hold_id			bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	customer_id		bigint NOT NULL,
	checkpoint		text NOT NULL,
	order_id		bigint,
	invoice_id		bigint,
	relation		text,
	document_key	text,
	company_id		bigint,
	amount			numeric(18,2),
	reasons			text[] NOT NULL,
	sqlstate		text NOT NULL,
	message			text NOT NULL,
	verdict			jsonb NOT NULL,
	held_at			timestamptz NOT NULL DEFAULT pg_catalog.now(),
	held_by			name NOT NULL,
	status			text NOT NULL DEFAULT 'held',
	decided_by		name,
	decided_at		timestamptz,
	decision_reason	text
);
-- one open hold per document and checkpoint: a document that fails again
-- while held updates its hold.  customer_id in front (a document belongs to
-- one customer, so it is as unique): on Citus every unique index of a
-- distributed table must hold the distribution column, and the same index
-- on a single node lets credit_hold_place()'s ON CONFLICT name it on both
CREATE UNIQUE INDEX credit_hold_one_open ON @extschema@.credit_hold
	(customer_id, checkpoint, order_id, invoice_id, relation, document_key) NULLS NOT DISTINCT WHERE status = 'held';
CREATE INDEX credit_hold_customer_idx ON @extschema@.credit_hold (customer_id) WHERE status = 'held';
CREATE INDEX credit_hold_order_idx ON @extschema@.credit_hold (order_id) WHERE status = 'held';
-- the holds and their decisions are records, like the alerts: dumped
SELECT pg_catalog.pg_extension_config_dump('@extschema@.credit_hold', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.credit_hold_hold_id_seq', '');
-- nobody writes it but the checks and release/reject_credit_hold()
GRANT SELECT ON @extschema@.credit_hold TO customer_class_reader;

-- Put a document on hold (or, when it is held already at this checkpoint,
-- add the amount and the newest verdict to its hold); returns the hold id.
-- Called by credit_enforce() and checkpoint_enforce() while they hold the
-- customer's ledger row.  Each new hold is announced with NOTIFY
-- customer_class_holds, payload {"hold_id": ..} (sent at commit, with the
-- document; a listener reads the row through row-level security).
CREATE FUNCTION @extschema@.credit_hold_place(v @extschema@.credit_verdict, what text, order_id bigint,
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
	ON CONFLICT (customer_id, checkpoint, order_id, invoice_id, relation, document_key) WHERE status = 'held' DO UPDATE
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
REVOKE EXECUTE ON FUNCTION @extschema@.credit_hold_place(@extschema@.credit_verdict, text, bigint, bigint, text, text, bigint) FROM PUBLIC;

-- What the customer's orders on hold at the order checkpoint (but one,
-- except_order) count in its exposure now: each one's part not invoiced
-- while open or shipped (0 once cancelled, invoiced or deleted), as the
-- ledger counts it.  The checks leave it out of the exposure they judge.
-- PL/pgSQL, each table filtered by the customer itself: on Citus a query of
-- a SQL function's parameters cannot be routed to the customer's shard
-- group (docs/citus.md).
CREATE FUNCTION @extschema@.credit_hold_others(customer_id bigint, except_order bigint) RETURNS numeric
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

-- A hold the caller may decide on, locked, with the customer's ledger row
-- locked before it (the order every check takes); errors for a missing
-- reason, an unknown hold (or one of a customer the caller may not see)
-- and a hold already decided.
CREATE FUNCTION @extschema@.credit_hold_for_decision(hold_id bigint, reason text, what text)
	RETURNS @extschema@.credit_hold
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	h @extschema@.credit_hold;
BEGIN
	IF nullif(btrim(reason), '') IS NULL THEN
		RAISE EXCEPTION '%: a reason is required', what
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Say why the document is released or rejected: the hold keeps it.';
	END IF;
	SELECT * INTO h FROM @extschema@.credit_hold x WHERE x.hold_id = credit_hold_for_decision.hold_id;
	IF NOT FOUND OR NOT @extschema@.access_allows(h.customer_id, @extschema@.access_caller()) THEN
		RAISE EXCEPTION 'credit hold % does not exist', coalesce(hold_id::text, 'NULL')
			USING ERRCODE = 'no_data_found',
				  HINT = 'SELECT hold_id, customer_id, checkpoint, message FROM customer_class.credit_hold WHERE status = ''held'' lists the open holds.';
	END IF;
	-- the ledger row first, as the checks lock it: a concurrent order or
	-- decision of the customer waits, and is seen by the statements below
	IF h.relation IS NULL THEN
		PERFORM @extschema@.exposure_add(h.customer_id, 0, 0, 0, 0);
	ELSE
		-- a bound ERP table: its triggers never wait, and neither does this
		PERFORM @extschema@.exposure_lock_recompute(ARRAY[h.customer_id]);
	END IF;
	-- (by the customer too: on Citus a router query to its shard, which
	-- FOR UPDATE needs)
	SELECT * INTO h FROM @extschema@.credit_hold x
	WHERE x.hold_id = credit_hold_for_decision.hold_id AND x.customer_id = h.customer_id FOR UPDATE;
	IF h.status <> 'held' THEN
		RAISE EXCEPTION 'credit hold % was already %', hold_id, h.status
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = pg_catalog.format('It was %s by %s: %s', h.status, h.decided_by, h.decision_reason),
				  HINT = 'A decision is final; a document that fails its check again gets a new hold.';
	END IF;
	RETURN h;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.credit_hold_for_decision(bigint, text, text) FROM PUBLIC;

-- Release a hold: the document's check is made again, now, and the hold
-- is released only when it passes (or the mode in force is now warn, with a
-- WARNING, or off).  The check is the whole check, the check menu's rules
-- included (credit_check_rule).  Refused, the error is the check's (KC001
-- to KC006) and the hold stays.  SECURITY DEFINER: credit managers decide
-- without the right to write holds or the ledger; EXECUTE for
-- customer_class_admin only.
CREATE FUNCTION @extschema@.release_credit_hold(hold_id bigint, reason text)
	RETURNS @extschema@.credit_hold
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	h @extschema@.credit_hold;
	v @extschema@.credit_verdict;
	x numeric;
	others numeric := 0;
	asked numeric;
	doc_value numeric;
	what text;
	-- a value, not a call in the UPDATE: Citus refuses non-immutable
	-- functions in its CASE (access_caller() inlined)
	who name := @extschema@.access_caller();
BEGIN
	h := @extschema@.credit_hold_for_decision(hold_id, reason, 'release_credit_hold');
	what := coalesce('order ' || h.order_id, 'invoice ' || h.invoice_id, h.relation || ' ' || h.document_key);
	IF h.relation IS NULL THEN
		SELECT e.exposure INTO x FROM @extschema@.credit_exposure e WHERE e.customer_id = h.customer_id;
		others := @extschema@.credit_hold_others(h.customer_id, h.order_id);
		-- the order's part not invoiced (NULL when no longer open or
		-- shipped), and for the check menu's rule document_value its amount,
		-- as the order trigger passes them; else the amount held (the part
		-- delivered, the invoice).  Plain statements with the customer: on
		-- Citus each is a router query to its shard
		asked := h.amount;
		IF h.order_id IS NOT NULL AND h.checkpoint = 'order' THEN
			SELECT greatest(o.amount - coalesce((SELECT sum(si.amount) FROM @extschema@.src_invoice si
												 WHERE si.order_id = o.order_id
												   AND si.customer_id = o.customer_id), 0), 0)
			INTO asked
			FROM @extschema@.src_order o
			WHERE o.order_id = h.order_id AND o.customer_id = h.customer_id AND o.status IN ('open', 'shipped');
			SELECT o.amount INTO doc_value
			FROM @extschema@.src_order o WHERE o.order_id = h.order_id AND o.customer_id = h.customer_id;
		END IF;
		v := @extschema@.credit_evaluate(h.customer_id, h.checkpoint, coalesce(x, 0) - others, coalesce(asked, 0), NULL,
										 doc_value);
	ELSE
		x := @extschema@.exposure_in_company(h.customer_id, h.company_id);
		v := @extschema@.credit_evaluate_in_company(h.customer_id, h.company_id, h.checkpoint, x, h.amount);
	END IF;
	IF v.violation IS NOT NULL AND v.mode IN ('block', 'hold') THEN
		RAISE EXCEPTION USING
			ERRCODE = v.sqlstate,
			MESSAGE = pg_catalog.format('credit hold %s cannot be released: %s', h.hold_id,
										@extschema@.credit_verdict_message(v, what)),
			DETAIL = CASE WHEN h.relation IS NULL THEN @extschema@.credit_verdict_detail(v)
						  ELSE @extschema@.checkpoint_verdict_detail(v, h.company_id) END
				|| CASE WHEN others > 0 THEN pg_catalog.format(' Not counted: %s of other orders on hold.', others) ELSE '' END,
			-- what to do is the failed rule's (the check menu's rules included)
			HINT = 'The hold stays. ' || @extschema@.credit_verdict_hint(v)
				|| ' Then release it again, or reject it (reject_credit_hold).';
	END IF;
	IF v.violation IS NOT NULL THEN
		-- mode warn now: released as a warn-mode check would accept it
		RAISE WARNING USING
			MESSAGE = @extschema@.credit_verdict_message(v, what),
			DETAIL = @extschema@.credit_verdict_detail(v);
	END IF;
	UPDATE @extschema@.credit_hold x
	SET status = 'released', decided_by = who, decided_at = pg_catalog.now(),
		decision_reason = reason
	WHERE x.hold_id = h.hold_id AND x.customer_id = h.customer_id
	RETURNING x.* INTO h;
	RETURN h;
END
$$;

-- Reject a hold: the document is not accepted.  A managed order held at
-- the order checkpoint is cancelled; one held at delivery goes back to
-- open (not shipped).  An invoice, or a document of a bound ERP table,
-- is left as it is: only the hold changes (the ERP acts on the decision).
CREATE FUNCTION @extschema@.reject_credit_hold(hold_id bigint, reason text)
	RETURNS @extschema@.credit_hold
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	h @extschema@.credit_hold;
	who name := @extschema@.access_caller();	-- (a value: release_credit_hold() says why)
BEGIN
	h := @extschema@.credit_hold_for_decision(hold_id, reason, 'reject_credit_hold');
	-- decided first, so that the order's own triggers see no open hold
	UPDATE @extschema@.credit_hold x
	SET status = 'rejected', decided_by = who, decided_at = pg_catalog.now(),
		decision_reason = reason
	WHERE x.hold_id = h.hold_id AND x.customer_id = h.customer_id
	RETURNING x.* INTO h;
	IF h.order_id IS NOT NULL AND h.checkpoint = 'order' THEN
		UPDATE @extschema@.sales_order o SET status = 'cancelled'
		WHERE o.order_id = h.order_id AND o.customer_id = h.customer_id AND o.status IN ('open', 'shipped');
	ELSIF h.order_id IS NOT NULL AND h.checkpoint = 'delivery' THEN
		UPDATE @extschema@.sales_order o SET status = 'open', shipped_on = NULL
		WHERE o.order_id = h.order_id AND o.customer_id = h.customer_id AND o.status = 'shipped';
	END IF;
	RETURN h;
END
$$;

-- On Citus release_credit_hold() checks the document again from the
-- coordinator: credit_evaluate()'s query goes to the customer's shard, where
-- credit_event_cap(), called in it, reads the customer's external events
-- and alerts (colocated shards of the same node).  Citus refuses such a
-- nested query from a shard's query ("cannot execute a distributed query
-- from a query on a shard"; a trigger on the shard, the other callers, may)
-- unless citus.allow_nested_distributed_execution is on.  Its reads are of
-- the one customer's rows, on the node that runs it.  Without Citus the
-- setting is an unused placeholder.  (An ALTER, not in the function's
-- CREATE: credit_limit_rows() and its parts are being reworked for Citus.)
ALTER FUNCTION @extschema@.credit_event_cap(bigint, date) SET citus.allow_nested_distributed_execution = on;

REVOKE EXECUTE ON FUNCTION @extschema@.release_credit_hold(bigint, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.reject_credit_hold(bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.release_credit_hold(bigint, text) TO customer_class_admin;
GRANT EXECUTE ON FUNCTION @extschema@.reject_credit_hold(bigint, text) TO customer_class_admin;

-- A held order may not be shipped or invoiced (KC010).  Row triggers on
-- orders (status to shipped or invoiced) and invoices (naming an order),
-- in sources/triggers.sql; their WHEN clauses let only those rows through,
-- so an order entered open never calls this.  BEFORE the update or the
-- invoice, so that the hold is the reason given, whatever the checks would
-- say; and AFTER an order inserted shipped, which its own order check
-- (credit_order, earlier by name) may just have held.  SECURITY DEFINER:
-- the holds are read whatever the writer may see.
CREATE FUNCTION @extschema@.credit_hold_guard() RETURNS trigger
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
	IF @extschema@.trigger_table(TG_TABLE_SCHEMA, TG_TABLE_NAME) = 'sales_order' THEN
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
REVOKE EXECUTE ON FUNCTION @extschema@.credit_hold_guard() FROM PUBLIC;
-- its triggers on the managed tables are in sources/triggers.sql

COMMENT ON TABLE @extschema@.credit_hold IS
	'documents saved on credit hold (a check in mode hold failed) and the credit manager''s decision: released or rejected';
COMMENT ON COLUMN @extschema@.credit_hold.hold_id IS 'hold key';
COMMENT ON COLUMN @extschema@.credit_hold.customer_id IS 'customer';
COMMENT ON COLUMN @extschema@.credit_hold.checkpoint IS 'the checkpoint whose check failed: order, delivery or invoice';
COMMENT ON COLUMN @extschema@.credit_hold.order_id IS 'the managed order held (order and delivery checkpoints)';
COMMENT ON COLUMN @extschema@.credit_hold.invoice_id IS 'the managed invoice held (invoice checkpoint)';
COMMENT ON COLUMN @extschema@.credit_hold.relation IS 'a bound ERP table: the table whose document is held (bind_checkpoint)';
COMMENT ON COLUMN @extschema@.credit_hold.document_key IS 'a bound ERP table: the held documents'' primary keys, e.g. id=7 (several when one statement moved them together)';
COMMENT ON COLUMN @extschema@.credit_hold.company_id IS 'a bound ERP table: the documents'' company (NULL: the one company)';
COMMENT ON COLUMN @extschema@.credit_hold.amount IS 'what the document added to the exposure when it was held (a second failure while held adds to it)';
COMMENT ON COLUMN @extschema@.credit_hold.reasons IS 'the reason codes of the failed check: grade_d, limit_exceeded, invoice_overdue';
COMMENT ON COLUMN @extschema@.credit_hold.sqlstate IS 'the SQLSTATE the check would have raised in mode block (KC001, KC002, KC003)';
COMMENT ON COLUMN @extschema@.credit_hold.message IS 'the message of the failed check';
COMMENT ON COLUMN @extschema@.credit_hold.verdict IS 'the verdict of the failed check (credit_verdict as jsonb)';
COMMENT ON COLUMN @extschema@.credit_hold.held_at IS 'when the document was held';
COMMENT ON COLUMN @extschema@.credit_hold.held_by IS 'the role that wrote the document';
COMMENT ON COLUMN @extschema@.credit_hold.status IS 'held, released or rejected';
COMMENT ON COLUMN @extschema@.credit_hold.decided_by IS 'the credit manager who released or rejected it';
COMMENT ON COLUMN @extschema@.credit_hold.decided_at IS 'when it was released or rejected';
COMMENT ON COLUMN @extschema@.credit_hold.decision_reason IS 'why it was released or rejected';
COMMENT ON SEQUENCE @extschema@.credit_hold_hold_id_seq IS 'keys of credit_hold (identity)';
COMMENT ON FUNCTION @extschema@.credit_hold_place(@extschema@.credit_verdict, text, bigint, bigint, text, text, bigint) IS
	'internal: puts a document on credit hold (or adds to its open hold) and announces a new hold (NOTIFY customer_class_holds)';
COMMENT ON FUNCTION @extschema@.credit_hold_others(bigint, bigint) IS
	'internal: what the customer''s orders on hold at the order checkpoint (but one) count in its exposure now: the checks leave it out';
COMMENT ON FUNCTION @extschema@.credit_hold_for_decision(bigint, text, text) IS
	'internal: the open hold to release or reject, locked after the customer''s ledger row; errors for a missing reason, an unknown or decided hold';
COMMENT ON FUNCTION @extschema@.release_credit_hold(bigint, text) IS
	'credit manager: release a held document after checking it again (refused with the check''s error when it fails: the hold stays)';
COMMENT ON FUNCTION @extschema@.reject_credit_hold(bigint, text) IS
	'credit manager: reject a held document (a managed order held at order is cancelled, at delivery set open again; otherwise only the hold changes)';
COMMENT ON FUNCTION @extschema@.credit_hold_guard() IS
	'trigger: an order on credit hold cannot be shipped or invoiced (KC010)';
