-- 0.2.0 -> 0.3.0, issue 19 (task 19H): credit holds on Citus, and the
-- access filter of a bound customer source in a router query.
-- (credit/hold.sql, access/entries.sql; docs/citus.md)

-- one open hold per customer, document and checkpoint: customer_id in
-- front, as distribute() needs it, so that the ON CONFLICT names it on both
DROP INDEX @extschema@.credit_hold_one_open;
CREATE UNIQUE INDEX credit_hold_one_open ON @extschema@.credit_hold
	(customer_id, checkpoint, order_id, invoice_id, relation, document_key) NULLS NOT DISTINCT WHERE status = 'held';

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

CREATE OR REPLACE FUNCTION @extschema@.credit_hold_for_decision(hold_id bigint, reason text, what text)
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

CREATE OR REPLACE FUNCTION @extschema@.release_credit_hold(hold_id bigint, reason text)
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

CREATE OR REPLACE FUNCTION @extschema@.reject_credit_hold(hold_id bigint, reason text)
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
	-- (on Citus the trigger fires on a shard, named sales_order_<shard id>)
	IF TG_TABLE_NAME = 'sales_order' OR TG_TABLE_NAME ~ '^sales_order_[0-9]+$' THEN
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

-- a nested read of the customer's own shards from a shard's query
ALTER FUNCTION @extschema@.credit_event_cap(bigint, date) SET citus.allow_nested_distributed_execution = on;

-- the role's access query read from a shard's query (the reference table
-- customer_access), and access_allows() in PL/pgSQL
CREATE OR REPLACE FUNCTION @extschema@.access_query_of(role_name name) RETURNS @extschema@.tagquery
	LANGUAGE sql STABLE STRICT PARALLEL SAFE
	SET citus.allow_nested_distributed_execution = on
BEGIN ATOMIC
	SELECT CASE
		WHEN pg_catalog.pg_has_role(access_query_of.role_name, 'customer_class_admin', 'MEMBER') THEN NULL
		WHEN pg_catalog.bool_or(a.tags IS NULL) THEN NULL
		ELSE pg_catalog.string_agg('(' || a.tags::text || ')', ' | ' ORDER BY a.tags)::@extschema@.tagquery
	END
	FROM @extschema@.customer_access a
	-- the role by to_regrole() (NULL for a role dropped: pg_has_role() is
	-- strict), not a join with pg_roles: Citus plans this query on a worker
	-- with pg_roles expanded to pg_authid, which a non-superuser may not read
	WHERE pg_catalog.pg_has_role(access_query_of.role_name,
								 pg_catalog.to_regrole(pg_catalog.quote_ident(a.role_name))::oid, 'MEMBER');
END;
CREATE OR REPLACE FUNCTION @extschema@.access_allows(customer_id bigint, role_name name) RETURNS boolean
	LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
AS $$
BEGIN
	RETURN EXISTS (SELECT FROM @extschema@.src_customer c, (SELECT @extschema@.access_query_of($2) AS q) s
				   WHERE c.customer_id = $1 AND (s.q IS NULL OR c.tags OPERATOR(@extschema@.@@) s.q));
END
$$;
