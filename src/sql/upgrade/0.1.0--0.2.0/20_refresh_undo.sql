-- 0.1.0 -> 0.2.0, issue 14 part 3: refresh() refuses implausible as-of dates, rewind() undoes a mistaken refresh.
--
-- New: check_as_of() (the guard, with the setting customer_class.max_days_ahead
-- of the library), rewind() with its tables rewind_log and rewound_row.
-- Changed (same signatures, grants and comments): refresh(), apply_tag_rules(),
-- credit_alert_scan() and record_tag_changes() call check_as_of(); refresh()'s
-- refusal of an earlier date names rewind() in its hint.  The bodies are
-- those of src/sql/55_refresh.sql, 57_tag_rule.sql, 63_alerts.sql and
-- 59_tag_history.sql.

-- The guard of every function that writes something as of a date (refresh,
-- rewind, apply_tag_rules, credit_alert_scan, the manual tag history): the
-- date must be finite and at most customer_class.max_days_ahead days after
-- the real current date (not the as_of setting), else 22023 before anything
-- is written.  Returns the date.  STABLE: it reads the clock and a setting.
CREATE FUNCTION @extschema@.check_as_of(as_of date, what text) RETURNS date
	AS 'MODULE_PATHNAME', 'as_of_check'
	LANGUAGE C STABLE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.check_as_of(date, text) IS
	'returns the as-of date when something may be written as of it (finite, at most customer_class.max_days_ahead days after current_date); else error 22023 (22004 for NULL) naming what and the date';

-- refresh(): the guard, and the hint that names rewind()
CREATE OR REPLACE FUNCTION @extschema@.refresh(as_of date DEFAULT NULL, full_refresh boolean DEFAULT NULL)
	RETURNS bigint
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d date := @extschema@.check_as_of(coalesce(refresh.as_of, @extschema@.as_of()), 'refresh');	-- no mistyped year
	card @extschema@.scorecard := @extschema@.active_scorecard();
	pol @extschema@.lifecycle_policy := @extschema@.active_lifecycle_policy();
	bounds @extschema@.rfm_boundary;
	version bigint;
	targets bigint[];
	changed bigint;
	profiles bigint;
	latest date;
	stale boolean;
	kept bigint;
	gone bigint := 0;
BEGIN
	-- one refresh at a time; sources stay writable meanwhile
	PERFORM pg_advisory_xact_lock(pg_catalog.hashtext('customer_class.refresh'));
	SELECT last_value INTO version FROM @extschema@.policy_version;
	-- one pass over the profiles: how many, as of when, and whether any was
	-- computed under another date or policy
	SELECT count(*), max(p.as_of),
		   coalesce(bool_or(p.as_of <> d OR p.policy_version <> version
							OR p.scorecard_id <> card.scorecard_id
							OR p.lifecycle_policy_id IS DISTINCT FROM pol.policy_id), false)
	INTO profiles, latest, stale
	FROM @extschema@.profile p;
	-- class_history is a timeline in as-of order: never write into its past
	IF d < latest THEN
		RAISE EXCEPTION 'cannot refresh as of %: the profiles are as of % already', d, latest
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = 'class_history records changes in as-of order; a refresh as of an earlier date would make grade_migration() and the history wrong.',
				  HINT = format('Refresh as of %s or later.  If that date is a mistake, an administrator undoes what was refreshed as of any date after %s with customer_class.rewind(''%s'', ''the reason''), and the refresh works again.  To look at an earlier date without writing anything, call credit_facts() and credit_score().', latest, d, pg_catalog.to_char(d, 'YYYY-MM-DD'));
	END IF;

	IF full_refresh IS NULL THEN
		full_refresh := profiles = 0 OR stale OR NOT EXISTS (SELECT FROM @extschema@.rfm_boundary);
	END IF;

	IF full_refresh THEN
		DELETE FROM @extschema@.dirty;
	ELSE
		WITH queued AS (DELETE FROM @extschema@.dirty RETURNING customer_id)
		SELECT array_agg(DISTINCT customer_id) INTO targets FROM queued;
		IF targets IS NULL THEN
			RETURN 0;
		END IF;
	END IF;

	PERFORM @extschema@.refresh_compute(d, card, pol, version, targets);

	-- RFM quintile bounds: computed over every customer with an order at a
	-- full refresh, else those of the last full refresh
	IF full_refresh THEN
		INSERT INTO @extschema@.rfm_boundary (as_of, policy_version, customers, r_bounds, f_bounds, m_bounds)
		SELECT d, version, count(*),
			   percentile_disc(ARRAY[0.2, 0.4, 0.6, 0.8]) WITHIN GROUP (ORDER BY d - n.last_order_on),
			   percentile_disc(ARRAY[0.2, 0.4, 0.6, 0.8]) WITHIN GROUP (ORDER BY n.orders_12m),
			   percentile_disc(ARRAY[0.2, 0.4, 0.6, 0.8]) WITHIN GROUP (ORDER BY n.revenue_12m)
		FROM cc_refresh_new n
		WHERE n.last_order_on IS NOT NULL
		RETURNING * INTO bounds;
	ELSE
		SELECT * INTO bounds FROM @extschema@.rfm_boundary ORDER BY boundary_id DESC LIMIT 1;
	END IF;

	-- Customers gone from the sources: their profiles are added to
	-- cc_refresh_new as rows marked gone, with the old classes only.  A full
	-- refresh looks for them only when fewer profiles were matched than
	-- exist (usually none are gone, and the anti-join would read every
	-- profile and every new row once more).
	IF targets IS NULL THEN
		SELECT count(*) INTO kept FROM cc_refresh_new n WHERE n.existed;
	END IF;
	IF targets IS NOT NULL OR kept < profiles THEN
		INSERT INTO cc_refresh_new (customer_id, gone, existed, old_grade, old_stage, old_phase, old_segment,
									old_rfm, old_warning, old_override, old_last_order_on, old_as_of)
		SELECT p.customer_id, true, true, p.credit_grade, p.lifecycle_stage, p.lifecycle_phase,
			   p.behaviour_segment, p.rfm_segment, p.payment_warning, p.override_id, p.last_order_on, p.as_of
		FROM @extschema@.profile p
		WHERE (targets IS NULL OR p.customer_id = ANY (targets))
		  AND NOT EXISTS (SELECT FROM cc_refresh_new n WHERE n.customer_id = p.customer_id);
		GET DIAGNOSTICS gone = ROW_COUNT;
	END IF;

	changed := @extschema@.refresh_history(d, pol, bounds);

	-- early warnings, from the old and the new classes side by side
	PERFORM @extschema@.refresh_alerts(d);

	IF gone > 0 THEN
		DELETE FROM @extschema@.profile p
		USING cc_refresh_new n
		WHERE n.gone AND p.customer_id = n.customer_id;
	END IF;

	-- A join-driven UPDATE of the customers that had a profile, plus an
	-- INSERT of the new ones: cheaper than ON CONFLICT's row-by-row
	-- speculative inserts when most rows exist.  RFM is computed in a
	-- subquery's target list (OFFSET 0 keeps it there, one call per row), not
	-- by a lateral function scan, which builds a tuplestore per call.
	IF profiles > 0 THEN
		UPDATE @extschema@.profile p SET
			as_of = n.as_of, scorecard_id = n.scorecard_id, policy_version = n.policy_version,
			scale_points = n.scale_points, payment_points = n.payment_points,
			stability_points = n.stability_points, risk_points = n.risk_points,
			internal_score = n.internal_score, external_score = n.external_score,
			credit_score = n.credit_score, computed_grade = n.computed_grade,
			override_id = n.override_id, credit_grade = n.credit_grade,
			refreshed_at = n.refreshed_at,
			lifecycle_policy_id = n.lifecycle_policy_id, lifecycle_stage = n.lifecycle_stage,
			lifecycle_phase = n.lifecycle_phase, behaviour_segment = n.segment,
			first_order_on = n.first_order_on, last_order_on = n.last_order_on,
			orders_12m = n.orders_12m, revenue_12m = n.revenue_12m,
			rfm_r = (n.rfm).r, rfm_f = (n.rfm).f, rfm_m = (n.rfm).m, rfm_segment = (n.rfm).segment,
			open_balance = n.open_balance, overdue_balance = n.overdue_balance,
			overdue_invoices = n.overdue_invoices, payment_index = n.payment_index,
			days_beyond_terms = n.days_beyond_terms, payment_warning = n.payment_warning
		FROM (SELECT n.*, @extschema@.rfm_score(d - n.last_order_on, n.orders_12m, n.revenue_12m,
												bounds.r_bounds, bounds.f_bounds, bounds.m_bounds) AS rfm
			  FROM cc_refresh_new n WHERE n.existed AND NOT n.gone OFFSET 0) n
		WHERE n.customer_id = p.customer_id;
	END IF;

	INSERT INTO @extschema@.profile
		(customer_id, as_of, scorecard_id, policy_version, scale_points, payment_points,
		 stability_points, risk_points, internal_score, external_score, credit_score,
		 computed_grade, override_id, credit_grade, refreshed_at,
		 lifecycle_policy_id, lifecycle_stage, lifecycle_phase, behaviour_segment, first_order_on,
		 last_order_on, orders_12m, revenue_12m, rfm_r, rfm_f, rfm_m, rfm_segment,
		 open_balance, overdue_balance, overdue_invoices, payment_index, days_beyond_terms,
		 payment_warning)
	SELECT n.customer_id, n.as_of, n.scorecard_id, n.policy_version, n.scale_points, n.payment_points,
		   n.stability_points, n.risk_points, n.internal_score, n.external_score, n.credit_score,
		   n.computed_grade, n.override_id, n.credit_grade, n.refreshed_at,
		   n.lifecycle_policy_id, n.lifecycle_stage, n.lifecycle_phase, n.segment, n.first_order_on,
		   n.last_order_on, n.orders_12m, n.revenue_12m, (n.rfm).r, (n.rfm).f, (n.rfm).m, (n.rfm).segment,
		   n.open_balance, n.overdue_balance, n.overdue_invoices, n.payment_index, n.days_beyond_terms,
		   n.payment_warning
	FROM (SELECT n.*, @extschema@.rfm_score(d - n.last_order_on, n.orders_12m, n.revenue_12m,
											bounds.r_bounds, bounds.f_bounds, bounds.m_bounds) AS rfm
		  FROM cc_refresh_new n WHERE NOT n.existed OFFSET 0) n;

	DROP TABLE cc_refresh_new;
	-- rule tags last: conditions read the profiles just written
	RETURN changed + @extschema@.apply_tag_rules(d, targets);
END
$$;

-- apply_tag_rules(): the guard
CREATE OR REPLACE FUNCTION @extschema@.apply_tag_rules(as_of date, customers bigint[] DEFAULT NULL)
	RETURNS bigint
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	SET jit = off
AS $$
DECLARE
	r record;
	cond text;
	tag_ok boolean;
	-- the rules that will be evaluated, by position
	ids bigint[] := '{}';
	conds text[] := '{}';
	rule_tags text[] := '{}';
	added_why text[] := '{}';
	gone_why text[] := '{}';
	-- tags of the skipped rules: customers keep them as they were
	kept text[] := '{}';
	-- tags of rules skipped because the tag itself is refused, and why:
	-- customers lose them, and the history says which rule and why
	refused text[] := '{}';
	refused_why text[] := '{}';
	cases text[];
	bad integer[];
	changed bigint;
	err_state text;
	err_message text;
	err_detail text;
BEGIN
	-- the history is written as of this date: no mistyped year
	PERFORM @extschema@.check_as_of(apply_tag_rules.as_of, 'apply_tag_rules');
	-- serialised with refresh() (which holds this lock already when it calls
	-- here), so that a tag change is never recorded twice
	PERFORM pg_advisory_xact_lock(pg_catalog.hashtext('customer_class.refresh'));

	-- nothing to do, at the cost of two index probes
	IF NOT EXISTS (SELECT FROM @extschema@.tag_rule t WHERE t.enabled)
	   AND NOT EXISTS (SELECT FROM @extschema@.profile p
					   WHERE p.rule_tags OPERATOR(@extschema@.<>) '{}'::@extschema@.tagset) THEN
		RETURN 0;
	END IF;

	FOR r IN SELECT t.rule_id, t.tag, t.condition, t.description
			 FROM @extschema@.tag_rule t WHERE t.enabled ORDER BY t.rule_id
	LOOP
		-- Checked again, not read from condition_sql: a rule restored or
		-- written with triggers disabled must not run unchecked.  The check
		-- runs no code of the rule's author (src/tag_rule.c).
		tag_ok := false;
		BEGIN
			PERFORM @extschema@.tagset(ARRAY[r.tag]);
			-- a tag of an exclusive dimension is not kept either
			PERFORM @extschema@.check_rule_tag(r.tag);
			tag_ok := true;
			cond := @extschema@.tag_rule_normalize(r.condition);
		EXCEPTION WHEN OTHERS THEN
			GET STACKED DIAGNOSTICS err_state = RETURNED_SQLSTATE, err_message = MESSAGE_TEXT,
									err_detail = PG_EXCEPTION_DETAIL;
			UPDATE @extschema@.tag_rule t
			SET last_error = err_message, last_error_sqlstate = err_state, last_error_at = pg_catalog.now()
			WHERE t.rule_id = r.rule_id;
			RAISE WARNING 'tag rule #% skipped: %', r.rule_id, err_message
				USING DETAIL = concat_ws(' ', nullif(err_detail, ''), format('The rule''s condition: %s', r.condition)),
					  HINT = CASE WHEN tag_ok
							 THEN 'Its customers keep the tag as they had it; the error is in customer_class.tag_rule.last_error.'
							 ELSE 'Its customers lose the tag; the error is in customer_class.tag_rule.last_error.' END;
			IF tag_ok THEN
				kept := kept || r.tag;
			ELSE
				refused := refused || r.tag;
				refused_why := refused_why || format('rule #%s skipped: %s', r.rule_id, err_message);
			END IF;
			CONTINUE;
		END;
		ids := ids || r.rule_id;
		conds := conds || cond;
		rule_tags := rule_tags || r.tag;
		added_why := added_why || format('rule #%s%s: %s', r.rule_id,
			CASE WHEN coalesce(r.description, '') <> '' THEN format(' (%s)', r.description) ELSE '' END,
			r.condition);
		gone_why := gone_why || format('rule #%s no longer matches: %s', r.rule_id, r.condition);
	END LOOP;

	-- At most two attempts: all rules at once; if that fails, each rule on
	-- its own finds the failing ones, which are skipped in the second.
	FOR attempt IN 1..2 LOOP
		cases := ARRAY(SELECT format('CASE WHEN (%s) THEN %s END', conds[k], k)
					   FROM generate_subscripts(conds, 1) AS k ORDER BY k);
		BEGIN
			-- One query: every condition evaluated in one pass over
			-- rule_subject (hits: the positions of the matching rules; a
			-- NULL condition result does not match), then history and
			-- profile for the changed customers.
			EXECUTE format($q$
				WITH hit AS (
					SELECT customer_id, pg_catalog.array_remove(ARRAY[%s]::integer[], NULL) AS hits
					FROM @extschema@.rule_subject
					WHERE $1 IS NULL OR customer_id = ANY ($1)
				), diff AS (
					SELECT p.customer_id, p.rule_tags AS old_tags, n.new_tags, h.hits
					FROM hit h
					JOIN @extschema@.profile p ON p.customer_id = h.customer_id
					CROSS JOIN LATERAL (SELECT (CASE WHEN h.hits = '{}' THEN '{}'::@extschema@.tagset
												ELSE @extschema@.tagset(ARRAY(SELECT $2[i] FROM unnest(h.hits) AS i)) END)
											   OPERATOR(@extschema@.|)
											   (p.rule_tags OPERATOR(@extschema@.&) @extschema@.tagset($6))) AS n (new_tags)
					WHERE n.new_tags OPERATOR(@extschema@.<>) p.rule_tags
				), hist AS (
					INSERT INTO @extschema@.class_history (customer_id, dimension, old_value, new_value, as_of, why)
					SELECT d.customer_id, 'rule_tag', NULL, t.tag, $5,
						   (SELECT $3[u.i] FROM unnest(d.hits) WITH ORDINALITY AS u (i, o)
							WHERE $2[u.i] = t.tag ORDER BY u.o LIMIT 1)
					FROM diff d
					CROSS JOIN LATERAL @extschema@.tags(d.new_tags OPERATOR(@extschema@.-) d.old_tags) AS t (tag)
					UNION ALL
					SELECT d.customer_id, 'rule_tag', t.tag, NULL, $5,
						   coalesce((SELECT string_agg($4[i], '; ' ORDER BY i)
									 FROM generate_subscripts($2, 1) AS i WHERE $2[i] = t.tag),
									(SELECT string_agg($8[i], '; ' ORDER BY i)
									 FROM generate_subscripts($7, 1) AS i WHERE $7[i] = t.tag),
									'no enabled rule gives this tag any more')
					FROM diff d
					CROSS JOIN LATERAL @extschema@.tags(d.old_tags OPERATOR(@extschema@.-) d.new_tags) AS t (tag)
				), upd AS (
					UPDATE @extschema@.profile p SET rule_tags = d.new_tags
					FROM diff d WHERE p.customer_id = d.customer_id
				)
				SELECT count(*) FROM diff
				$q$, array_to_string(cases, ', '))
			INTO changed
			USING customers, rule_tags, added_why, gone_why, apply_tag_rules.as_of, kept,
				  refused, refused_why;
			EXIT;
		EXCEPTION WHEN OTHERS THEN
			-- (a cancel or statement_timeout is not OTHERS: it still aborts)
			IF attempt = 2 THEN
				RAISE;
			END IF;
			bad := '{}';
			FOR k IN 1 .. cardinality(conds) LOOP
				BEGIN
					EXECUTE format('SELECT count(CASE WHEN (%s) THEN 1 END) FROM @extschema@.rule_subject '
								   'WHERE $1 IS NULL OR customer_id = ANY ($1)', conds[k])
					USING customers;
				EXCEPTION WHEN OTHERS THEN
					GET STACKED DIAGNOSTICS err_state = RETURNED_SQLSTATE, err_message = MESSAGE_TEXT;
					bad := bad || k;
					UPDATE @extschema@.tag_rule t
					SET last_error = err_message, last_error_sqlstate = err_state, last_error_at = pg_catalog.now()
					WHERE t.rule_id = ids[k];
					RAISE WARNING 'tag rule #% skipped: %', ids[k], err_message
						USING DETAIL = format('The rule''s condition: %s', (SELECT t.condition FROM @extschema@.tag_rule t WHERE t.rule_id = ids[k])),
							  HINT = 'Its customers keep the tag as they had it; the error is in customer_class.tag_rule.last_error.';
				END;
			END LOOP;
			-- no single rule fails: the error is not a rule's, let it through
			IF cardinality(bad) = 0 THEN
				RAISE;
			END IF;
			kept := kept || ARRAY(SELECT rule_tags[k] FROM unnest(bad) AS k);
			SELECT coalesce(array_agg(ids[k] ORDER BY k), '{}'), coalesce(array_agg(conds[k] ORDER BY k), '{}'),
				   coalesce(array_agg(rule_tags[k] ORDER BY k), '{}'), coalesce(array_agg(added_why[k] ORDER BY k), '{}'),
				   coalesce(array_agg(gone_why[k] ORDER BY k), '{}')
			INTO ids, conds, rule_tags, added_why, gone_why
			FROM generate_subscripts(conds, 1) AS k WHERE k <> ALL (bad);
		END;
	END LOOP;

	-- the rules that ran have no error any more
	UPDATE @extschema@.tag_rule t
	SET last_error = NULL, last_error_sqlstate = NULL, last_error_at = NULL
	WHERE t.rule_id = ANY (ids) AND t.last_error IS NOT NULL;

	RETURN changed;
END
$$;

-- credit_alert_scan(): the guard
CREATE OR REPLACE FUNCTION @extschema@.credit_alert_scan(as_of date DEFAULT NULL) RETURNS bigint
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
	ORDER BY i.customer_id, i.due_on, i.invoice_id;

	-- exposure against the limit
	INSERT INTO cc_alert_found
	SELECT x.customer_id,
		   CASE WHEN x.exposure > l.credit_limit THEN 'limit_exceeded' ELSE 'limit_nearly_used' END,
		   CASE WHEN x.exposure > l.credit_limit THEN 'red' ELSE 'yellow' END::@extschema@.alert_level,
		   jsonb_build_object('exposure', x.exposure, 'credit_limit', l.credit_limit,
							  'limit_source', l.limit_source, 'as_of', d, 'what', 'credit_alert_scan')
	FROM @extschema@.credit_exposure x
	CROSS JOIN LATERAL @extschema@.credit_limit_info(x.customer_id, d) l
	WHERE l.credit_limit > 0 AND x.exposure * 100 >= l.credit_limit * pct;

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

-- record_tag_changes(): the guard when a manual tag changed
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
BEGIN
	INSERT INTO @extschema@.class_history (customer_id, dimension, old_value, new_value, as_of, why)
	SELECT n.customer_id, 'tag',
		   CASE WHEN x.added THEN NULL ELSE x.tag END,
		   CASE WHEN x.added THEN x.tag END,
		   -- refused when the as_of setting is a mistyped year (checked
		   -- only when a tag changed: other customer writes go through)
		   @extschema@.check_as_of(d, 'manual tag change'), pg_catalog.format('tag %s by %s', CASE WHEN x.added THEN 'added' ELSE 'removed' END, who)
	FROM new_rows n
	JOIN old_rows o USING (customer_id)
	CROSS JOIN LATERAL (
		SELECT t AS tag, true AS added
		FROM @extschema@.tags(@extschema@.tagset_minus(coalesce(n.tags, '{}'), coalesce(o.tags, '{}'))) t
		UNION ALL
		SELECT t, false
		FROM @extschema@.tags(@extschema@.tagset_minus(coalesce(o.tags, '{}'), coalesce(n.tags, '{}'))) t
	) x
	ORDER BY n.customer_id, x.added, x.tag;
	RETURN NULL;
END
$$;

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
