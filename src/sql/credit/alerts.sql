-- Credit control, part 4: alerts.
--
-- Kinds:   limit_nearly_used (yellow)  exposure reached alert.nearly_used_pct of the limit
--          limit_exceeded    (red)     a check in warn mode let the limit be exceeded,
--                                      or credit_alert_scan() found exposure above it
--          invoice_overdue   (yellow: up to 30 days, red: more) an invoice is past due
--                                      (credit_alert_scan(); warn mode of rule.overdue_days)
--          grade_d           (red)     a check in warn mode passed a grade D customer
--          blocked           (red)     credit_check() answered "blocked"
-- and the early warnings of credit/warnings.sql:
--          payment_rhythm    (yellow/red) the last two settlements clearly later than
--                                      the customer's own rhythm (red: orders falling too)
--          became_dormant    (yellow)  refresh() saw a buying customer turn dormant or churned
--          external_event    (red)     a negative event was recorded in external_event
-- and of collections (collections/collections.sql):
--          promise_broken    (red)     a promise to pay passed its date unpaid (dunning_run())
-- At most one open alert per customer and kind: raising it again counts an
-- occurrence and refreshes the detail.  Each new alert is announced with
-- NOTIFY customer_class_alerts, payload
--   {"alert_id":..}
-- (sent when the transaction commits, like every NOTIFY).  Nothing else is
-- in it: a NOTIFY reaches every listener of the database, whatever customers
-- it may see (docs/access.md), so a listener reads the row by alert_id,
-- through row-level security; a NOTIFY payload is limited to 8000 bytes and
-- a detail can be any size; and a payload cannot be trusted by itself --
-- any role may NOTIFY any channel -- the row can.

CREATE TABLE @extschema@.alerts (
	alert_id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	customer_id		bigint NOT NULL,
	kind			text NOT NULL,
	level			@extschema@.alert_level NOT NULL,
	detail			jsonb NOT NULL DEFAULT '{}',
	raised_at		timestamptz NOT NULL DEFAULT pg_catalog.now(),
	last_seen_at	timestamptz NOT NULL DEFAULT pg_catalog.now(),
	occurrences		integer NOT NULL DEFAULT 1,
	resolved_at		timestamptz,
	resolved_by		name,
	CONSTRAINT alerts_kind_valid CHECK (kind IN ('limit_nearly_used', 'limit_exceeded', 'invoice_overdue', 'grade_d', 'blocked',
											  'payment_rhythm', 'became_dormant', 'external_event', 'promise_broken',
											  'horizon_limit_exceeded', 'document_value_exceeded', 'overdue_ratio_exceeded',
											  'dunning_level_exceeded'))
)
-- Each refresh counts one more occurrence on every open payment_rhythm alert
-- whose warning goes on: with room on the page those updates are HOT and
-- add no entries to the three indexes.
WITH (fillfactor = 50);
CREATE UNIQUE INDEX alerts_one_open ON @extschema@.alerts (customer_id, kind) WHERE resolved_at IS NULL;
CREATE INDEX alerts_customer_idx ON @extschema@.alerts (customer_id, raised_at);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.alerts', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.alerts_alert_id_seq', '');

-- Raise an alert (or count one more occurrence of the open one); returns
-- the id of a new alert, NULL when an open one was refreshed.  SECURITY
-- DEFINER: nobody writes alerts but the extension's functions (admins may
-- call this one), so no role needs INSERT or UPDATE on the table.
CREATE FUNCTION @extschema@.raise_alert(customer_id bigint, kind text, level @extschema@.alert_level, detail jsonb)
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
-- Alerts are raised by the extension's own checks; raising one by hand
-- (an alert nobody's figures back) is for admins.
REVOKE EXECUTE ON FUNCTION @extschema@.raise_alert(bigint, text, @extschema@.alert_level, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.raise_alert(bigint, text, @extschema@.alert_level, jsonb) TO customer_class_admin;

-- Close an alert by hand; returns false, with a notice saying when and by
-- whom, when it was already resolved, and fails for an alert that does not
-- exist (a mistyped id must not look like "already done").  SECURITY
-- DEFINER: analysts resolve alerts without the right to write the table.
CREATE FUNCTION @extschema@.resolve_alert(alert_id bigint) RETURNS boolean
	LANGUAGE plpgsql VOLATILE STRICT SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	done record;
BEGIN
	-- resolved by the caller, not the definer this runs as
	UPDATE @extschema@.alerts a SET resolved_at = pg_catalog.now(), resolved_by = @extschema@.access_caller()
	WHERE a.alert_id = resolve_alert.alert_id AND a.resolved_at IS NULL
	  -- only an alert of a customer the caller may see (docs/access.md)
	  AND @extschema@.access_allows(a.customer_id, @extschema@.access_caller());
	IF FOUND THEN
		RETURN true;
	END IF;
	SELECT a.resolved_at, a.resolved_by INTO done FROM @extschema@.alerts a
	WHERE a.alert_id = resolve_alert.alert_id
	  AND @extschema@.access_allows(a.customer_id, @extschema@.access_caller());
	IF NOT FOUND THEN
		RAISE EXCEPTION 'alert % does not exist', alert_id
			USING ERRCODE = 'no_data_found',
				  HINT = 'SELECT alert_id, customer_id, kind FROM customer_class.alerts WHERE resolved_at IS NULL lists the open alerts.';
	END IF;
	RAISE NOTICE 'the alert was already resolved'
		USING DETAIL = pg_catalog.format('Alert %s was resolved at %s by %s.', alert_id, done.resolved_at, done.resolved_by);
	RETURN false;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.resolve_alert(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.resolve_alert(bigint) TO customer_class_analyst;

-- The periodic scan (schedule it, e.g. with pg_cron, daily): raises
-- invoice_overdue, limit_nearly_used and limit_exceeded alerts from the
-- current figures as of a date, and resolves the open ones of those kinds
-- whose condition is gone.  Returns the number of new alerts.  SECURITY
-- DEFINER: analysts run it without the right to write alerts by hand.
CREATE FUNCTION @extschema@.credit_alert_scan(as_of date DEFAULT NULL) RETURNS bigint
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	-- alerts are raised as of this date: no mistyped year
	d date := @extschema@.check_as_of(coalesce(credit_alert_scan.as_of, @extschema@.as_of()), 'credit_alert_scan');
	pct numeric := @extschema@.credit_setting('alert.nearly_used_pct')::numeric;
	n bigint := 0;
	r record;
BEGIN
	CREATE TEMP TABLE cc_alert_found (customer_id bigint, kind text, level @extschema@.alert_level, detail jsonb)
		ON COMMIT DROP;

	-- the oldest open invoice past due, per customer
	INSERT INTO cc_alert_found
	SELECT DISTINCT ON (i.customer_id) i.customer_id, 'invoice_overdue',
		   CASE WHEN d - i.due_on > 30 THEN 'red' ELSE 'yellow' END::@extschema@.alert_level,
		   jsonb_build_object('invoice_id', i.invoice_id, 'due_on', i.due_on, 'days_overdue', d - i.due_on,
							  'open_amount', i.amount - coalesce(p.paid, 0), 'as_of', d)
	FROM @extschema@.src_invoice i
	LEFT JOIN (SELECT sp.invoice_id, sum(sp.amount) AS paid FROM @extschema@.src_payment sp
			   WHERE sp.invoice_id IS NOT NULL AND sp.paid_on <= d GROUP BY sp.invoice_id) p ON p.invoice_id = i.invoice_id
	WHERE i.due_on < d AND i.amount > coalesce(p.paid, 0)
	  -- an invoice under open dispute, when rule.disputed_invoices says so
	  AND NOT (@extschema@.credit_setting('rule.disputed_invoices') = 'ignore'
			   AND @extschema@.invoice_disputed(i.invoice_id, i.customer_id, d))
	ORDER BY i.customer_id, i.due_on, i.invoice_id;

	-- exposure against a positive limit (a limit of 0, grade D's, is the
	-- prepayment rule of the checkpoints, not an alert of the scan)
	INSERT INTO cc_alert_found
	SELECT w.customer_id, w.kind,
		   CASE w.kind WHEN 'limit_exceeded' THEN 'red' ELSE 'yellow' END::@extschema@.alert_level,
		   jsonb_build_object('exposure', w.exposure, 'credit_limit', w.credit_limit,
							  'limit_source', w.limit_source, 'as_of', d, 'what', 'credit_alert_scan')
	FROM (SELECT x.customer_id, x.exposure, l.credit_limit, l.limit_source,
				 @extschema@.credit_exposure_rule(NULL, NULL, l.credit_limit, pct, x.exposure) AS kind
		  FROM @extschema@.credit_exposure x
		  CROSS JOIN LATERAL @extschema@.credit_limit_info(x.customer_id, d) l
		  WHERE l.credit_limit > 0) w
	WHERE w.kind IS NOT NULL;

	-- resolve what no longer holds
	UPDATE @extschema@.alerts a SET resolved_at = pg_catalog.now(), resolved_by = CURRENT_USER
	WHERE a.resolved_at IS NULL AND a.kind IN ('invoice_overdue', 'limit_nearly_used', 'limit_exceeded')
	  AND NOT EXISTS (SELECT FROM cc_alert_found f WHERE f.customer_id = a.customer_id AND f.kind = a.kind);

	FOR r IN SELECT * FROM cc_alert_found ORDER BY customer_id, kind LOOP
		IF @extschema@.raise_alert(r.customer_id, r.kind, r.level, r.detail) IS NOT NULL THEN
			n := n + 1;
		END IF;
	END LOOP;
	DROP TABLE cc_alert_found;
	RETURN n;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.credit_alert_scan(date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.credit_alert_scan(date) TO customer_class_analyst;

-- Only read: every function that writes alerts (raise_alert, resolve_alert,
-- credit_alert_scan, the credit checks and triggers, refresh() and the
-- external_event trigger) runs as the extension's owner.
GRANT SELECT ON @extschema@.alerts TO customer_class_reader;

COMMENT ON TABLE @extschema@.alerts IS
	'credit alerts: at most one open per customer and kind; each new one is announced by NOTIFY customer_class_alerts';
COMMENT ON COLUMN @extschema@.alerts.alert_id IS 'alert key';
COMMENT ON COLUMN @extschema@.alerts.customer_id IS 'customer';
COMMENT ON COLUMN @extschema@.alerts.kind IS 'limit_nearly_used, limit_exceeded, invoice_overdue, grade_d, blocked, payment_rhythm, became_dormant, external_event, promise_broken, horizon_limit_exceeded, document_value_exceeded, overdue_ratio_exceeded or dunning_level_exceeded';
COMMENT ON COLUMN @extschema@.alerts.level IS 'green, yellow or red';
COMMENT ON COLUMN @extschema@.alerts.detail IS 'the figures behind the alert (the credit check verdict, the overdue invoice, ...)';
COMMENT ON COLUMN @extschema@.alerts.raised_at IS 'when it was raised';
COMMENT ON COLUMN @extschema@.alerts.last_seen_at IS 'when it was last raised again while open';
COMMENT ON COLUMN @extschema@.alerts.occurrences IS 'how often it was raised while open';
COMMENT ON COLUMN @extschema@.alerts.resolved_at IS 'when it was resolved (NULL: open)';
COMMENT ON COLUMN @extschema@.alerts.resolved_by IS 'who resolved it (the scan''s role when the condition went away)';
COMMENT ON FUNCTION @extschema@.raise_alert(bigint, text, @extschema@.alert_level, jsonb) IS
	'raise an alert (NOTIFY customer_class_alerts when new) or count one more occurrence of the open one; returns the new alert id or NULL';
COMMENT ON FUNCTION @extschema@.resolve_alert(bigint) IS
	'resolve an open alert by hand; false (with a notice) when it was already resolved, an error when it does not exist';
COMMENT ON FUNCTION @extschema@.credit_alert_scan(date) IS
	'periodic scan: raises overdue-invoice and limit alerts as of a date and resolves those no longer true; returns new alerts';

-- The whole credit picture of one customer, as jsonb for an application:
-- customer, grade with its explanation (profile and explain_score), limit
-- and its source, exposure and available credit, the check modes in force
-- for it, receivables aging of the open invoices (buckets current, 1-30,
-- 31-60, 61-90, 91+ days past due), payment figures (payment index, days
-- beyond terms, on-time ratio from credit_facts), open alerts and the last
-- 20 changes of class; for a member of a credit group, the group: parent,
-- root and every group limit over it with the group's exposure.
CREATE FUNCTION @extschema@.credit_report(customer_id bigint, as_of date DEFAULT NULL) RETURNS jsonb
	LANGUAGE plpgsql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d date := coalesce(credit_report.as_of, @extschema@.as_of());
	c record;
	li @extschema@.credit_limit_info;
	x @extschema@.credit_exposure;
	f @extschema@.credit_facts;
	report jsonb;
	card text;
	cj jsonb;
BEGIN
	SELECT sc.customer_id, sc.name, sc.customer_type, sc.industry, sc.region, sc.payment_terms_days
	INTO c FROM @extschema@.src_customer sc WHERE sc.customer_id = credit_report.customer_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'customer % does not exist', customer_id USING ERRCODE = 'no_data_found';
	END IF;
	-- (to jsonb here: Citus cannot send a record to the shard's query)
	cj := to_jsonb(c);
	li := @extschema@.credit_limit_info(customer_id, d);
	SELECT * INTO x FROM @extschema@.credit_exposure e WHERE e.customer_id = credit_report.customer_id;
	-- the scorecard first: on Citus a function reading a table must not be
	-- evaluated in the query that runs on the customer's shard
	card := (@extschema@.active_scorecard()).scorecard_id;
	SELECT (cf.facts).* INTO f
	FROM @extschema@.credit_facts(d, card, ARRAY[customer_id]) cf;

	report := jsonb_build_object(
		'customer', cj,
		'as_of', d,
		'grade', (SELECT jsonb_build_object('grade', p.credit_grade, 'score', p.credit_score,
											'computed_grade', p.computed_grade, 'overridden', p.override_id IS NOT NULL,
											'label_en', l.label_en, 'label_zh', l.label_zh,
											'graded_as_of', p.as_of, 'refreshed_at', p.refreshed_at)
				  FROM @extschema@.profile p
				  LEFT JOIN @extschema@.class_label l ON l.dimension = 'credit_grade' AND l.value = p.credit_grade::text
				  WHERE p.customer_id = credit_report.customer_id),
		'explanation', (SELECT jsonb_agg(jsonb_strip_nulls(to_jsonb(e)) ORDER BY e.step)
						FROM @extschema@.explain_score(customer_id, d) e),
		'limit', jsonb_build_object('credit_limit', li.credit_limit, 'source', li.limit_source,
									'valid_until', li.valid_until),
		'exposure', jsonb_build_object(
			'open_orders', coalesce(x.open_orders, 0), 'shipped_not_invoiced', coalesce(x.shipped_not_invoiced, 0),
			'invoice_balance', coalesce(x.invoice_balance, 0), 'unapplied_credits', coalesce(x.unapplied_credits, 0),
			'exposure', coalesce(x.exposure, 0),
			'available', li.credit_limit - coalesce(x.exposure, 0),
			'used_pct', round(coalesce(x.exposure, 0) * 100 / nullif(li.credit_limit, 0), 1)),
		'checks', jsonb_build_object(
			'order', @extschema@.credit_check_mode(customer_id, 'order', d),
			'delivery', @extschema@.credit_check_mode(customer_id, 'delivery', d),
			'invoice', @extschema@.credit_check_mode(customer_id, 'invoice', d),
			'rule.overdue_days', @extschema@.credit_setting('rule.overdue_days'),
			'rule.grade_d', @extschema@.credit_setting('rule.grade_d')),
		'aging', (SELECT jsonb_build_object(
						'current', coalesce(sum(o.open) FILTER (WHERE d - o.due_on <= 0), 0),
						'1-30', coalesce(sum(o.open) FILTER (WHERE d - o.due_on BETWEEN 1 AND 30), 0),
						'31-60', coalesce(sum(o.open) FILTER (WHERE d - o.due_on BETWEEN 31 AND 60), 0),
						'61-90', coalesce(sum(o.open) FILTER (WHERE d - o.due_on BETWEEN 61 AND 90), 0),
						'91+', coalesce(sum(o.open) FILTER (WHERE d - o.due_on > 90), 0),
						'open_invoices', count(*) FILTER (WHERE o.open > 0))
				  FROM (SELECT i.due_on, i.amount - coalesce((SELECT sum(p.amount) FROM @extschema@.src_payment p
															  WHERE p.customer_id = i.customer_id AND p.invoice_id = i.invoice_id
																AND p.paid_on <= d), 0) AS open
						FROM @extschema@.src_invoice i
						WHERE i.customer_id = credit_report.customer_id AND i.issued_on <= d) o
				  WHERE o.open > 0),
		'payments', jsonb_build_object('payment_index', f.payment_index, 'recent_payment_index', f.recent_payment_index,
									   'days_beyond_terms', f.days_beyond_terms, 'on_time_ratio', f.on_time_ratio,
									   'invoices_paid', f.invoices_paid, 'overdue_balance', f.overdue_balance,
									   'revenue_12m', f.revenue_12m),
		'open_alerts', coalesce((SELECT jsonb_agg(jsonb_build_object('alert_id', a.alert_id, 'kind', a.kind, 'level', a.level,
															 'raised_at', a.raised_at, 'occurrences', a.occurrences,
															 'detail', a.detail) ORDER BY a.alert_id)
								 FROM @extschema@.alerts a
								 WHERE a.customer_id = credit_report.customer_id AND a.resolved_at IS NULL), '[]'),
		'alert_level', coalesce((SELECT max(a.level)::text FROM @extschema@.alerts a
								 WHERE a.customer_id = credit_report.customer_id AND a.resolved_at IS NULL), 'green'),
		'history', coalesce((SELECT jsonb_agg(jsonb_build_object('dimension', h.dimension, 'old', h.old_value, 'new', h.new_value,
														 'as_of', h.as_of, 'why', h.why) ORDER BY h.history_id DESC)
							 FROM (SELECT * FROM @extschema@.class_history ch
								   WHERE ch.customer_id = credit_report.customer_id
								   ORDER BY ch.history_id DESC LIMIT 20) h), '[]'));
	-- a member of a credit group: its parent, root, and each limit over it
	IF x.group_path IS NOT NULL THEN
		report := report || jsonb_build_object('group', jsonb_build_object(
			'parent_id', (SELECT sc.parent_id FROM @extschema@.src_customer sc WHERE sc.customer_id = credit_report.customer_id),
			'group_id', coalesce(x.group_path[1], x.customer_id),
			'limits', (SELECT jsonb_agg(jsonb_build_object('group_id', l.group_id, 'level', l.level,
														   'exposure', l.group_exposure, 'credit_limit', l.credit_limit,
														   'limit_source', l.limit_source,
														   'available', l.credit_limit - l.group_exposure) ORDER BY l.level)
					   FROM @extschema@.credit_group_limits(customer_id, NULL, d) l)));
	END IF;
	RETURN report;
END
$$;
GRANT EXECUTE ON FUNCTION @extschema@.credit_report(bigint, date) TO customer_class_reader;
COMMENT ON FUNCTION @extschema@.credit_report(bigint, date) IS
	'the whole credit picture of one customer as jsonb: grade and explanation, limit, exposure, check modes, aging, payment index, open alerts, recent history';

-- Errors that say what is accepted (checks/explain.sql): the WHEN clause is
-- true exactly when one of the table's CHECK constraints is false (a NULL
-- result passes a CHECK); keep it in step with the table's CHECKs.
CREATE TRIGGER alerts_explain_check BEFORE INSERT OR UPDATE ON @extschema@.alerts
	FOR EACH ROW WHEN ((NEW.kind IN ('limit_nearly_used', 'limit_exceeded', 'invoice_overdue', 'grade_d', 'blocked',
									 'payment_rhythm', 'became_dormant', 'external_event', 'promise_broken',
									 'horizon_limit_exceeded', 'document_value_exceeded', 'overdue_ratio_exceeded',
											  'dunning_level_exceeded')) IS FALSE)
	EXECUTE FUNCTION @extschema@.explain_check_violation();
