-- Undoing a mistaken refresh.  refresh() never writes into the past of
-- class_history, so one refresh as of a wrong, later date (a mistyped year)
-- would refuse every refresh at the right date for good.  rewind(to_date,
-- reason) takes back everything refresh() wrote as of any date after
-- to_date, and leaves the database as if the last refresh had been as of
-- to_date: the next refresh then writes what a database that never saw the
-- mistake would write.  Nothing taken back is lost: it is kept, with who did
-- it and why, in rewind_log and rewound_row.  See docs/scoring.md.

CREATE TABLE @extschema@.rewind_log (
	rewind_id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	to_date			date NOT NULL,
	from_date		date NOT NULL,
	reason			text NOT NULL,
	why				text NOT NULL,
	rewound_by		name NOT NULL,
	rewound_at		timestamptz NOT NULL DEFAULT pg_catalog.now(),
	customers		bigint NOT NULL DEFAULT 0,
	history_rows	bigint NOT NULL DEFAULT 0,
	profiles_removed bigint NOT NULL DEFAULT 0,
	alerts_removed	bigint NOT NULL DEFAULT 0,
	alerts_reopened	bigint NOT NULL DEFAULT 0,
	rfm_boundaries_removed bigint NOT NULL DEFAULT 0
);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.rewind_log', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.rewind_log_rewind_id_seq', '');
COMMENT ON SEQUENCE @extschema@.rewind_log_rewind_id_seq IS 'keys of rewind_log (identity)';
GRANT SELECT ON @extschema@.rewind_log TO customer_class_reader;

COMMENT ON TABLE @extschema@.rewind_log IS
	'every rewind(): to which date, from which, who, why, and how much it took back (the rows themselves are in rewound_row)';
COMMENT ON COLUMN @extschema@.rewind_log.rewind_id IS 'rewind key, in the order of the rewinds';
COMMENT ON COLUMN @extschema@.rewind_log.to_date IS 'the date rewound to: what was refreshed as of a later date was taken back';
COMMENT ON COLUMN @extschema@.rewind_log.from_date IS 'the latest as-of date taken back (the profiles'' date before the rewind)';
COMMENT ON COLUMN @extschema@.rewind_log.reason IS 'the reason the administrator gave';
COMMENT ON COLUMN @extschema@.rewind_log.why IS 'the audit line: rewind from which date to which, by whom, and the reason';
COMMENT ON COLUMN @extschema@.rewind_log.rewound_by IS 'the role that ran rewind() (SET ROLE shows; the session user otherwise)';
COMMENT ON COLUMN @extschema@.rewind_log.rewound_at IS 'when (transaction time)';
COMMENT ON COLUMN @extschema@.rewind_log.customers IS 'customers whose class_history was taken back';
COMMENT ON COLUMN @extschema@.rewind_log.history_rows IS 'class_history rows taken back';
COMMENT ON COLUMN @extschema@.rewind_log.profiles_removed IS 'profiles removed: customers not yet classified as of to_date';
COMMENT ON COLUMN @extschema@.rewind_log.alerts_removed IS 'alerts raised by a refresh taken back, removed';
COMMENT ON COLUMN @extschema@.rewind_log.alerts_reopened IS 'alerts resolved by a refresh taken back, open again';
COMMENT ON COLUMN @extschema@.rewind_log.rfm_boundaries_removed IS 'rfm_boundary rows of full refreshes taken back';

-- The rows a rewind took out of class_history, rfm_boundary and alerts,
-- whole, as jsonb (jsonb_populate_record(NULL::customer_class.class_history,
-- row_data) gives a row back).  Customer data: admins only.
CREATE TABLE @extschema@.rewound_row (
	rewind_id		bigint NOT NULL,
	relation		text NOT NULL,
	customer_id		bigint,
	row_data		jsonb NOT NULL,
	CONSTRAINT rewound_row_relation_valid CHECK (relation IN ('class_history', 'rfm_boundary', 'alerts'))
);
-- no foreign key to rewind_log: a parallel restore (pg_restore -j) loads
-- the two tables in any order
CREATE INDEX rewound_row_rewind_idx ON @extschema@.rewound_row (rewind_id, relation);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.rewound_row', '');
GRANT SELECT ON @extschema@.rewound_row TO customer_class_admin;

COMMENT ON TABLE @extschema@.rewound_row IS
	'the rows rewind() took back from class_history, rfm_boundary and alerts, kept whole as jsonb';
COMMENT ON COLUMN @extschema@.rewound_row.rewind_id IS 'the rewind (rewind_log)';
COMMENT ON COLUMN @extschema@.rewound_row.relation IS 'the table the row was in: class_history, rfm_boundary or alerts';
COMMENT ON COLUMN @extschema@.rewound_row.customer_id IS 'its customer (NULL for rfm_boundary)';
COMMENT ON COLUMN @extschema@.rewound_row.row_data IS 'the row as it was (to_jsonb)';

-- rewind(to_date, reason): take back everything refresh() (and
-- apply_tag_rules()) wrote as of a date after to_date.
--   class_history: the rows of the dimensions refresh() writes (grade,
--     lifecycle stage and phase, segment, RFM segment, payment warning, rule
--     tags) as of a later date go to rewound_row; manual tag changes and
--     ended overrides are no refresh's and stay.
--   profile: put back to the classes the remaining history records as of
--     to_date (so the next refresh compares with exactly those), with the
--     figures recomputed from the sources as of to_date; customers the
--     history has not classified by then lose their profile.  A customer
--     classified by then but gone from the sources since keeps a profile
--     with its classes (figures 0), which the next refresh removes with
--     history, as it would have without the mistake.  as_of becomes to_date,
--     and the policy version is bumped so the next refresh is a full one.
--   rfm_boundary: the bounds of full refreshes as of a later date go.
--   alerts (payment_rhythm, became_dormant, the kinds refresh() raises):
--     recognised by the transaction times of the refreshes taken back
--     (changed_at, refreshed_at, computed_at all read now()).  Raised by
--     one: removed; resolved by one: open again; seen again by one:
--     occurrences less one per such refresh.  NOTIFYs sent cannot be
--     recalled, and the detail of an alert seen again stays the later
--     refresh's until the next refresh sees it.
-- Returns the number of customers whose history was taken back.
--
-- SECURITY DEFINER: nobody writes profiles, history or alerts directly;
-- admins only (granted below).  It takes refresh()'s lock, so it never
-- runs beside a refresh or apply_tag_rules(), and a refresh waiting for it
-- sees the rewound profiles.
CREATE FUNCTION @extschema@.rewind(to_date date, reason text) RETURNS bigint
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	-- NULL, infinite or implausible dates fail here, before anything is written
	d date := @extschema@.check_as_of(rewind.to_date, 'rewind');
	-- the role that asked: CURRENT_USER is this function's owner here
	who text := CASE WHEN pg_catalog.current_setting('role') = 'none' THEN SESSION_USER::text
					 ELSE pg_catalog.current_setting('role') END;
	dims text[] := ARRAY['credit_grade', 'lifecycle_stage', 'lifecycle_phase', 'segment', 'rfm_segment',
						 'payment_warning', 'rule_tag'];
	alert_kinds text[] := ARRAY['payment_rhythm', 'became_dormant'];
	card @extschema@.scorecard := @extschema@.active_scorecard();
	pol @extschema@.lifecycle_policy := @extschema@.active_lifecycle_policy();
	bounds @extschema@.rfm_boundary;
	version bigint;
	latest date;
	id bigint;
	n_customers bigint;
	n_history bigint;
	n_profiles bigint;
	n_alerts bigint;
	n_reopened bigint;
	n_bounds bigint;
BEGIN
	IF rewind.reason IS NULL OR pg_catalog.btrim(rewind.reason) = '' THEN
		RAISE EXCEPTION 'rewind needs a reason'
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = 'The reason is kept in customer_class.rewind_log beside who rewound and when.',
				  HINT = 'Say what went wrong, e.g. rewind(''2026-01-31'', ''refresh as of 2206-01-31 was a typo'').';
	END IF;

	-- one at a time with refresh() and apply_tag_rules()
	PERFORM pg_advisory_xact_lock(pg_catalog.hashtext('customer_class.refresh'));

	SELECT pg_catalog.max(x.as_of) INTO latest
	FROM (SELECT pg_catalog.max(p.as_of) AS as_of FROM @extschema@.profile p
		  UNION ALL
		  SELECT pg_catalog.max(h.as_of) FROM @extschema@.class_history h WHERE h.dimension = ANY (dims)
		  UNION ALL
		  SELECT pg_catalog.max(b.as_of) FROM @extschema@.rfm_boundary b) x;
	IF latest IS NULL OR latest <= d THEN
		RAISE EXCEPTION 'nothing to rewind: nothing was refreshed as of a date after %', d
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = CASE WHEN latest IS NULL THEN 'Nothing has been refreshed yet.'
								ELSE pg_catalog.format('The latest as-of date of the profiles and their history is %s.', latest) END,
				  HINT = 'Give the last right as-of date, before the mistaken one.';
	END IF;

	INSERT INTO @extschema@.rewind_log (to_date, from_date, reason, why, rewound_by)
	VALUES (d, latest, rewind.reason,
			pg_catalog.format('rewind from %s to %s by %s: %s', latest, d, who, rewind.reason), who)
	RETURNING rewind_id INTO id;

	-- the transaction times of the refreshes taken back
	CREATE TEMP TABLE cc_rewound_at ON COMMIT DROP AS
	SELECT h.changed_at AS at FROM @extschema@.class_history h WHERE h.dimension = ANY (dims) AND h.as_of > d
	UNION
	SELECT p.refreshed_at FROM @extschema@.profile p WHERE p.as_of > d
	UNION
	SELECT b.computed_at FROM @extschema@.rfm_boundary b WHERE b.as_of > d;

	WITH moved AS (
		DELETE FROM @extschema@.class_history h
		WHERE h.dimension = ANY (dims) AND h.as_of > d
		RETURNING h.*
	)
	INSERT INTO @extschema@.rewound_row (rewind_id, relation, customer_id, row_data)
	SELECT id, 'class_history', m.customer_id, pg_catalog.to_jsonb(m) FROM moved m ORDER BY m.history_id;
	GET DIAGNOSTICS n_history = ROW_COUNT;
	SELECT pg_catalog.count(DISTINCT r.customer_id) INTO n_customers
	FROM @extschema@.rewound_row r WHERE r.rewind_id = id AND r.relation = 'class_history';

	WITH moved AS (
		DELETE FROM @extschema@.rfm_boundary b WHERE b.as_of > d RETURNING b.*
	)
	INSERT INTO @extschema@.rewound_row (rewind_id, relation, customer_id, row_data)
	SELECT id, 'rfm_boundary', NULL, pg_catalog.to_jsonb(m) FROM moved m ORDER BY m.boundary_id;
	GET DIAGNOSTICS n_bounds = ROW_COUNT;

	-- alerts raised by a refresh taken back
	WITH moved AS (
		DELETE FROM @extschema@.alerts a
		WHERE a.kind = ANY (alert_kinds) AND a.raised_at IN (SELECT r.at FROM cc_rewound_at r)
		RETURNING a.*
	)
	INSERT INTO @extschema@.rewound_row (rewind_id, relation, customer_id, row_data)
	SELECT id, 'alerts', m.customer_id, pg_catalog.to_jsonb(m) FROM moved m ORDER BY m.alert_id;
	GET DIAGNOSTICS n_alerts = ROW_COUNT;
	-- resolved by one: open again (unless another one of its kind is open)
	UPDATE @extschema@.alerts a SET resolved_at = NULL, resolved_by = NULL
	FROM (SELECT DISTINCT ON (x.customer_id, x.kind) x.alert_id
		  FROM @extschema@.alerts x
		  WHERE x.kind = ANY (alert_kinds) AND x.resolved_at IN (SELECT r.at FROM cc_rewound_at r)
			AND NOT EXISTS (SELECT FROM @extschema@.alerts o
							WHERE o.customer_id = x.customer_id AND o.kind = x.kind AND o.resolved_at IS NULL)
		  ORDER BY x.customer_id, x.kind, x.resolved_at, x.alert_id) r
	WHERE a.alert_id = r.alert_id;
	GET DIAGNOSTICS n_reopened = ROW_COUNT;
	-- seen again by one: one occurrence less per such refresh
	UPDATE @extschema@.alerts a SET occurrences = greatest(a.occurrences - s.times, 1)
	FROM (SELECT x.alert_id, pg_catalog.count(*) AS times
		  FROM @extschema@.alerts x
		  JOIN cc_rewound_at r ON r.at > x.raised_at AND r.at <= x.last_seen_at
		  WHERE x.kind = ANY (alert_kinds)
		  GROUP BY x.alert_id) s
	WHERE a.alert_id = s.alert_id;

	-- The classes as of d: per customer and dimension the latest value the
	-- history still holds, and the rule tags still held.
	CREATE TEMP TABLE cc_rewind_state ON COMMIT DROP AS
	SELECT coalesce(c.customer_id, t.customer_id) AS customer_id, c.grade, c.stage, c.phase, c.segment,
		   c.rfm, c.warning, coalesce(t.tags, '{}') AS tags
	FROM (SELECT s.customer_id,
				 pg_catalog.max(s.new_value) FILTER (WHERE s.dimension = 'credit_grade') AS grade,
				 pg_catalog.max(s.new_value) FILTER (WHERE s.dimension = 'lifecycle_stage') AS stage,
				 pg_catalog.max(s.new_value) FILTER (WHERE s.dimension = 'lifecycle_phase') AS phase,
				 pg_catalog.max(s.new_value) FILTER (WHERE s.dimension = 'segment') AS segment,
				 pg_catalog.max(s.new_value) FILTER (WHERE s.dimension = 'rfm_segment') AS rfm,
				 pg_catalog.max(s.new_value) FILTER (WHERE s.dimension = 'payment_warning') AS warning
		  FROM (SELECT DISTINCT ON (h.customer_id, h.dimension) h.customer_id, h.dimension, h.new_value
				FROM @extschema@.class_history h
				WHERE h.dimension = ANY (dims) AND h.dimension <> 'rule_tag' AND h.as_of <= d
				ORDER BY h.customer_id, h.dimension, h.as_of DESC, h.history_id DESC) s
		  GROUP BY s.customer_id) c
	FULL JOIN (SELECT k.customer_id, @extschema@.tagset(pg_catalog.array_agg(k.tag)) AS tags
			   FROM (SELECT DISTINCT ON (h.customer_id, coalesce(h.new_value, h.old_value))
							h.customer_id, coalesce(h.new_value, h.old_value) AS tag, h.new_value
					 FROM @extschema@.class_history h
					 WHERE h.dimension = 'rule_tag' AND h.as_of <= d
					 ORDER BY h.customer_id, coalesce(h.new_value, h.old_value), h.as_of DESC, h.history_id DESC) k
			   WHERE k.new_value IS NOT NULL
			   GROUP BY k.customer_id) t ON t.customer_id = c.customer_id;

	-- not classified as of d: no profile
	DELETE FROM @extschema@.profile p
	WHERE NOT EXISTS (SELECT FROM cc_rewind_state s WHERE s.customer_id = p.customer_id AND s.grade IS NOT NULL);
	GET DIAGNOSTICS n_profiles = ROW_COUNT;

	-- the figures as of d, from the sources (refresh()'s own computation)
	SELECT last_value INTO version FROM @extschema@.policy_version;
	PERFORM @extschema@.refresh_compute(d, card, pol, version, NULL);
	SELECT * INTO bounds FROM @extschema@.rfm_boundary ORDER BY boundary_id DESC LIMIT 1;

	INSERT INTO @extschema@.profile AS p
		(customer_id, as_of, scorecard_id, policy_version, scale_points, payment_points,
		 stability_points, risk_points, internal_score, external_score, credit_score,
		 computed_grade, override_id, credit_grade, refreshed_at,
		 lifecycle_policy_id, lifecycle_stage, lifecycle_phase, behaviour_segment, first_order_on,
		 last_order_on, orders_12m, revenue_12m, rfm_r, rfm_f, rfm_m, rfm_segment,
		 open_balance, overdue_balance, overdue_invoices, payment_index, days_beyond_terms,
		 payment_warning, rule_tags)
	SELECT s.customer_id, d, coalesce(n.scorecard_id, card.scorecard_id), version,
		   coalesce(n.scale_points, 0), coalesce(n.payment_points, 0),
		   coalesce(n.stability_points, 0), coalesce(n.risk_points, 0), coalesce(n.internal_score, 0),
		   n.external_score, coalesce(n.credit_score, 0),
		   coalesce(n.computed_grade, s.grade::@extschema@.credit_grade), n.override_id,
		   s.grade::@extschema@.credit_grade, pg_catalog.now(),
		   coalesce(n.lifecycle_policy_id, pol.policy_id), s.stage::@extschema@.lifecycle_stage,
		   s.phase::@extschema@.lifecycle_phase, s.segment::@extschema@.behaviour_segment, n.first_order_on,
		   n.last_order_on, n.orders_12m, n.revenue_12m, (n.rfm).r, (n.rfm).f, (n.rfm).m,
		   s.rfm::@extschema@.rfm_segment,
		   n.open_balance, n.overdue_balance, n.overdue_invoices, n.payment_index, n.days_beyond_terms,
		   s.warning::@extschema@.alert_level, s.tags
	FROM cc_rewind_state s
	LEFT JOIN (SELECT n.*, @extschema@.rfm_score(d - n.last_order_on, n.orders_12m, n.revenue_12m,
												 bounds.r_bounds, bounds.f_bounds, bounds.m_bounds) AS rfm
			   FROM cc_refresh_new n OFFSET 0) n ON n.customer_id = s.customer_id
	WHERE s.grade IS NOT NULL
	ON CONFLICT (customer_id) DO UPDATE SET
		as_of = excluded.as_of, scorecard_id = excluded.scorecard_id, policy_version = excluded.policy_version,
		scale_points = excluded.scale_points, payment_points = excluded.payment_points,
		stability_points = excluded.stability_points, risk_points = excluded.risk_points,
		internal_score = excluded.internal_score, external_score = excluded.external_score,
		credit_score = excluded.credit_score, computed_grade = excluded.computed_grade,
		override_id = excluded.override_id, credit_grade = excluded.credit_grade,
		refreshed_at = excluded.refreshed_at, lifecycle_policy_id = excluded.lifecycle_policy_id,
		lifecycle_stage = excluded.lifecycle_stage, lifecycle_phase = excluded.lifecycle_phase,
		behaviour_segment = excluded.behaviour_segment, first_order_on = excluded.first_order_on,
		last_order_on = excluded.last_order_on, orders_12m = excluded.orders_12m,
		revenue_12m = excluded.revenue_12m, rfm_r = excluded.rfm_r, rfm_f = excluded.rfm_f,
		rfm_m = excluded.rfm_m, rfm_segment = excluded.rfm_segment, open_balance = excluded.open_balance,
		overdue_balance = excluded.overdue_balance, overdue_invoices = excluded.overdue_invoices,
		payment_index = excluded.payment_index, days_beyond_terms = excluded.days_beyond_terms,
		payment_warning = excluded.payment_warning, rule_tags = excluded.rule_tags;

	-- the profiles are as of d under an older version: the next refresh is full
	PERFORM pg_catalog.nextval('@extschema@.policy_version');

	UPDATE @extschema@.rewind_log l
	SET customers = n_customers, history_rows = n_history, profiles_removed = n_profiles,
		alerts_removed = n_alerts, alerts_reopened = n_reopened, rfm_boundaries_removed = n_bounds
	WHERE l.rewind_id = id;

	DROP TABLE cc_refresh_new;
	DROP TABLE cc_rewind_state;
	DROP TABLE cc_rewound_at;
	RETURN n_customers;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.rewind(date, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.rewind(date, text) TO customer_class_admin;
COMMENT ON FUNCTION @extschema@.rewind(date, text) IS
	'undo every refresh as of a date after to_date (e.g. a mistyped year): takes back their class_history rows, RFM bounds and alerts, puts the profiles back to the classes recorded as of to_date, logs it in rewind_log (rows kept in rewound_row); then refresh() works again from to_date on; admins only; returns customers whose history was taken back';
