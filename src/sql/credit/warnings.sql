-- Early warnings (docs/warnings.md): the payment-rhythm warning computed by
-- refresh() from the facts, a customer turning dormant, and negative events
-- recorded from outside (court records, credit agencies).  All land in the
-- alerts table and are announced with NOTIFY customer_class_alerts.

CREATE FUNCTION @extschema@.payment_warning(facts @extschema@.credit_facts,
											policy @extschema@.lifecycle_policy, as_of date)
	RETURNS @extschema@.alert_level
	AS 'MODULE_PATHNAME', 'payment_warning'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.payment_warning(@extschema@.credit_facts, @extschema@.lifecycle_policy, date) IS
	'payment-rhythm warning of a customer''s facts as of a date: yellow when its last two settlements each took clearly longer than its own baseline, red when its orders fell sharply too, NULL otherwise (rule in docs/warnings.md)';

-- The NOTIFY of a new alert; the payload is the documented one.  Not from a
-- Citus worker (raise_alert() says why).
CREATE FUNCTION @extschema@.notify_alert(a @extschema@.alerts) RETURNS void
	LANGUAGE sql VOLATILE STRICT
	SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	SELECT pg_catalog.pg_notify('customer_class_alerts', pg_catalog.jsonb_build_object('alert_id', a.alert_id)::text)
	WHERE pg_catalog.current_setting('application_name') NOT LIKE 'citus\_internal gpid=%';
END;
REVOKE EXECUTE ON FUNCTION @extschema@.notify_alert(@extschema@.alerts) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.notify_alert(@extschema@.alerts) TO customer_class_analyst;
COMMENT ON FUNCTION @extschema@.notify_alert(@extschema@.alerts) IS
	'send NOTIFY customer_class_alerts with the JSON payload of an alert';

-- Called by refresh() after it computed this refresh's classes into the temp
-- table cc_refresh_new, beside the previous ones (old_*), before it writes
-- them to profile:
--   payment_rhythm: raised when the warning appears or changes level against
--     the previous profile.payment_warning; an open one whose level changed
--     is resolved first (so a yellow that turns red is announced again), one
--     whose warning went away is resolved; while the warning stays as it
--     was, an open alert counts an occurrence and one resolved by hand stays
--     resolved;
--   became_dormant: raised when a customer that had ordered is dormant or
--     churned and its silence, for the first time since its last order,
--     reaches dormant_gap_factor x its own last gap between orders too
--     (buyers of large orders months apart are not alerted at every pause);
--     resolved when it buys again.  The first classification raises none:
--     it cannot tell when that happened.
-- Returns the number of new alerts.
CREATE FUNCTION @extschema@.refresh_alerts(as_of date) RETURNS bigint
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	n bigint;
	-- now() once, in a variable: on Citus, ON CONFLICT ... DO UPDATE on a
	-- distributed table accepts immutable functions only
	at timestamptz := pg_catalog.now();
BEGIN
	UPDATE @extschema@.alerts a SET resolved_at = at, resolved_by = SESSION_USER
	FROM pg_temp.cc_refresh_new r
	WHERE a.customer_id = r.customer_id AND a.resolved_at IS NULL AND NOT r.gone
	  AND (a.kind = 'payment_rhythm' AND a.level IS DISTINCT FROM r.payment_warning
		   OR a.kind = 'became_dormant' AND r.lifecycle_stage NOT IN ('dormant', 'churned'));

	WITH found AS (
		SELECT r.customer_id, 'payment_rhythm' AS kind, r.payment_warning AS level,
			   jsonb_build_object('as_of', refresh_alerts.as_of,
								  'last_pay_days', (r.facts).last_pay_days, 'prev_pay_days', (r.facts).prev_pay_days,
								  'usual_pay_days', (r.facts).pay_days_median, 'spread_days', (r.facts).pay_days_spread,
								  'last_settled_on', (r.facts).last_settled_on,
								  'oldest_open_issued_on', (r.facts).oldest_open_issued_on,
								  'orders_90d', (r.facts).orders_90d, 'orders_prior_90d', (r.facts).orders_prior_90d) AS detail,
			   r.payment_warning IS DISTINCT FROM r.old_warning AS changed
		FROM pg_temp.cc_refresh_new r
		WHERE r.payment_warning IS NOT NULL
		UNION ALL
		SELECT r.customer_id, 'became_dormant', 'yellow',
			   jsonb_build_object('as_of', refresh_alerts.as_of, 'stage', r.lifecycle_stage,
								  'previous_stage', r.old_stage, 'last_order_on', r.last_order_on,
								  'days_since_last_order', refresh_alerts.as_of - r.last_order_on,
								  'last_gap_days', r.last_order_on - (r.facts).previous_order_on,
								  'quiet_after_days', q.days),
			   true
		FROM pg_temp.cc_refresh_new r
		JOIN @extschema@.lifecycle_policy pol ON pol.policy_id = r.lifecycle_policy_id
		CROSS JOIN LATERAL (SELECT greatest(pol.dormant_days,
											ceil(pol.dormant_gap_factor * (r.last_order_on - (r.facts).previous_order_on)))::integer) q (days)
		WHERE r.lifecycle_stage IN ('dormant', 'churned') AND r.existed AND r.old_stage <> 'potential'
		  AND refresh_alerts.as_of - r.last_order_on >= q.days
		  -- not yet that quiet at the previous refresh (or it ordered since)
		  AND (r.old_stage NOT IN ('dormant', 'churned')
			   OR r.old_last_order_on IS DISTINCT FROM r.last_order_on
			   OR r.old_as_of - r.old_last_order_on < q.days)
	),
	-- a warning as it was: seen again on its open alert, if there is one
	seen AS (
		UPDATE @extschema@.alerts x
		SET occurrences = x.occurrences + 1, last_seen_at = at, detail = f.detail
		FROM found f
		WHERE NOT f.changed AND x.customer_id = f.customer_id AND x.kind = f.kind AND x.resolved_at IS NULL
	),
	raised AS (
		INSERT INTO @extschema@.alerts AS x (customer_id, kind, level, detail)
		SELECT f.customer_id, f.kind, f.level::@extschema@.alert_level, f.detail FROM found f
		WHERE f.changed
		ORDER BY f.customer_id, f.kind
		ON CONFLICT (customer_id, kind) WHERE resolved_at IS NULL DO UPDATE
		SET occurrences = x.occurrences + 1, last_seen_at = at, detail = excluded.detail
		-- the columns, not the row x: on Citus the row would be the shard's
		-- type; an alert just raised is the one seen once (an update counts)
		RETURNING x.*
	)
	SELECT count(@extschema@.notify_alert(r.alert)) INTO n
	FROM (SELECT raised::@extschema@.alerts AS alert FROM raised WHERE raised.occurrences = 1
		  ORDER BY raised.customer_id, raised.kind) r;
	RETURN n;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.refresh_alerts(date) FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.refresh_alerts(date) IS
	'part of refresh(): raises and resolves payment_rhythm and became_dormant alerts from the classes being written; returns new alerts';

-- Negative events about a customer from outside: imported (COPY, an API
-- feed) by an analyst.  No foreign key to the customer table: customers may
-- live in a bound ERP table.
CREATE TABLE @extschema@.external_event (
	event_id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	customer_id		bigint NOT NULL,
	event_on		date NOT NULL,
	kind			text NOT NULL,
	source			text NOT NULL,
	reference		text,
	detail			text NOT NULL DEFAULT '',
	imported_at		timestamptz NOT NULL DEFAULT pg_catalog.now(),
	imported_by		name NOT NULL DEFAULT CURRENT_USER,
	alert_id		bigint,
	CONSTRAINT external_event_kind_valid CHECK (kind IN ('litigation', 'frozen_equity', 'enforcement', 'bankruptcy',
														  'administrative_penalty', 'dishonoured_bill', 'rating_downgrade', 'other')),
	CONSTRAINT external_event_source_given CHECK (source <> '')
);
CREATE INDEX external_event_customer_idx ON @extschema@.external_event (customer_id, event_on);

-- The grade rule.external_event caps each customer at on a date (NULL: the
-- rule is off or nothing to cap): the customers with an external event on or
-- before the date whose alert is not resolved, i.e. not yet reviewed.  For
-- every customer at once, so that the views join it on customer_id (Citus
-- pushes that down per customer); credit_event_cap() reads it for one.
CREATE FUNCTION @extschema@.credit_event_caps(as_of date)
	RETURNS TABLE (customer_id bigint, cap @extschema@.credit_grade)
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT e.customer_id, s.value::@extschema@.credit_grade
	FROM @extschema@.external_event e
	LEFT JOIN @extschema@.alerts a ON a.alert_id = e.alert_id AND a.customer_id = e.customer_id
	CROSS JOIN (SELECT cs.value FROM @extschema@.credit_setting cs
				WHERE cs.name = 'rule.external_event' ORDER BY cs.shipped LIMIT 1) s
	WHERE s.value <> 'off' AND e.event_on <= credit_event_caps.as_of AND a.resolved_at IS NULL
	GROUP BY e.customer_id, s.value;
END;
COMMENT ON FUNCTION @extschema@.credit_event_caps(date) IS
	'the grade rule.external_event caps each customer at on a date: customers with an external event on or before it not yet reviewed (its alert open)';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.external_event', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.external_event_event_id_seq', '');
GRANT SELECT ON @extschema@.external_event TO customer_class_reader;
GRANT INSERT, UPDATE, DELETE ON @extschema@.external_event TO customer_class_analyst;

COMMENT ON TABLE @extschema@.external_event IS
	'negative events about customers from outside (litigation, frozen equity, ...); each insert raises a red external_event alert';
COMMENT ON COLUMN @extschema@.external_event.event_id IS 'event key';
COMMENT ON COLUMN @extschema@.external_event.customer_id IS 'customer concerned';
COMMENT ON COLUMN @extschema@.external_event.event_on IS 'when it happened (per the source)';
COMMENT ON COLUMN @extschema@.external_event.kind IS 'litigation, frozen_equity, enforcement, bankruptcy, administrative_penalty, dishonoured_bill, rating_downgrade or other';
COMMENT ON COLUMN @extschema@.external_event.source IS 'where it comes from (court records, rating agency, ...)';
COMMENT ON COLUMN @extschema@.external_event.reference IS 'the source''s own reference (case number, ...)';
COMMENT ON COLUMN @extschema@.external_event.detail IS 'free text';
COMMENT ON COLUMN @extschema@.external_event.imported_at IS 'when it was recorded here';
COMMENT ON COLUMN @extschema@.external_event.imported_by IS 'who recorded it';
COMMENT ON COLUMN @extschema@.external_event.alert_id IS 'the external_event alert this event raised or was counted on (set by the insert trigger; an event inserted with it set, as by a restore, raises nothing)';

-- One statement, one alert per customer (a COPY of a whole feed announces
-- each customer once); an open alert counts the new events as occurrences.
-- Each event remembers its alert in alert_id.  That is also how a restore
-- is told apart: pg_dump writes the events with their alert_id and the
-- alerts themselves, so restored events (alert_id set) raise nothing again,
-- whether or not their alerts were restored first.  No session setting is
-- consulted: none of them is reserved to a restore.  SECURITY DEFINER:
-- analysts record events, but only the extension writes alerts.
CREATE FUNCTION @extschema@.external_event_alert() RETURNS trigger
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	n bigint;
BEGIN
	WITH per_customer AS (
		SELECT e.customer_id, count(*) AS events,
			   (array_agg(jsonb_build_object('event_id', e.event_id, 'event_on', e.event_on, 'kind', e.kind,
											 'source', e.source, 'reference', e.reference, 'detail', e.detail)
						  ORDER BY e.event_on DESC, e.event_id DESC))[1] AS latest
		FROM new_events e
		WHERE e.alert_id IS NULL
		GROUP BY e.customer_id
	),
	raised AS (
		INSERT INTO @extschema@.alerts AS x (customer_id, kind, level, detail)
		SELECT c.customer_id, 'external_event', 'red', c.latest || jsonb_build_object('events', c.events)
		FROM per_customer c
		ON CONFLICT (customer_id, kind) WHERE resolved_at IS NULL DO UPDATE
		SET occurrences = x.occurrences + (excluded.detail ->> 'events')::integer,
			last_seen_at = pg_catalog.now(), detail = excluded.detail
		RETURNING x AS alert, x.xmax = 0 AS fresh
	),
	linked AS (
		UPDATE @extschema@.external_event e SET alert_id = (r.alert).alert_id
		FROM new_events ne, raised r
		WHERE e.event_id = ne.event_id AND ne.alert_id IS NULL AND ne.customer_id = (r.alert).customer_id
	)
	SELECT count(@extschema@.notify_alert(r.alert)) INTO n
	FROM (SELECT alert FROM raised WHERE fresh ORDER BY (alert).customer_id) r;
	RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.external_event_alert() FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.external_event_alert() IS
	'statement trigger: raises a red external_event alert per customer of the inserted events that have no alert_id yet, and links the events to it';
CREATE TRIGGER external_event_alert AFTER INSERT ON @extschema@.external_event
	REFERENCING NEW TABLE AS new_events
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.external_event_alert();

-- Errors that say what is accepted (checks/explain.sql): the WHEN clause is
-- true exactly when one of the table's CHECK constraints is false (a NULL
-- result passes a CHECK); keep it in step with the table's CHECKs.
CREATE TRIGGER external_event_explain_check BEFORE INSERT OR UPDATE ON @extschema@.external_event
	FOR EACH ROW WHEN ((NEW.kind IN ('litigation', 'frozen_equity', 'enforcement', 'bankruptcy', 'administrative_penalty',
									 'dishonoured_bill', 'rating_downgrade', 'other')) IS FALSE
		OR (NEW.source <> '') IS FALSE)
	EXECUTE FUNCTION @extschema@.explain_check_violation();
