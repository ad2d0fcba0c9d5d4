-- Scorecards: the policy that turns facts into a score and a grade.
-- Several may exist; the one marked active is used, else the shipped
-- 'default'.  Shipped rows are part of the extension and cannot be changed
-- (copy one with copy_scorecard() and edit the copy); rows users add are
-- dumped by pg_dump.

-- Bumped by every change of a policy: refresh() recomputes every customer
-- when the version differs from the one a profile was computed under.
CREATE SEQUENCE @extschema@.policy_version;
COMMENT ON SEQUENCE @extschema@.policy_version IS
	'bumped by every policy change; a changed version makes refresh() recompute all customers';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.policy_version', '');

CREATE TABLE @extschema@.scorecard (
	scorecard_id		text PRIMARY KEY,
	description			text NOT NULL DEFAULT '',
	w_scale				numeric NOT NULL,
	w_payment			numeric NOT NULL,
	w_stability			numeric NOT NULL,
	w_risk				numeric NOT NULL,
	cutoff_a			numeric NOT NULL,
	cutoff_b			numeric NOT NULL,
	cutoff_c			numeric NOT NULL,
	scale_full_revenue	numeric NOT NULL DEFAULT 1000000,
	scale_full_orders	integer NOT NULL DEFAULT 24,
	tenure_full_days	integer NOT NULL DEFAULT 1825,
	no_history_points	numeric NOT NULL DEFAULT 50,
	overdue_tolerance	numeric NOT NULL DEFAULT 0.25,
	risk_default_points	numeric NOT NULL DEFAULT 70,
	external_weight		numeric NOT NULL DEFAULT 0,
	external_max_age_days integer NOT NULL DEFAULT 365,
	active				boolean NOT NULL DEFAULT false,
	shipped				boolean NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX scorecard_one_active ON @extschema@.scorecard ((true)) WHERE active;

CREATE TABLE @extschema@.risk_factor (
	scorecard_id	text NOT NULL REFERENCES @extschema@.scorecard ON DELETE CASCADE,
	prefix			text NOT NULL,
	points			numeric NOT NULL,
	note			text NOT NULL DEFAULT '',
	shipped			boolean NOT NULL DEFAULT false,
	PRIMARY KEY (scorecard_id, prefix),
	CONSTRAINT risk_factor_prefix_valid
		CHECK (prefix ~ '^(industry|region)(\.[^.]+)*$'),
	CONSTRAINT risk_factor_points_range CHECK (points BETWEEN 0 AND 100)
);

-- Clear errors for a policy that cannot work.
CREATE FUNCTION @extschema@.scorecard_validate() RETURNS trigger
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	total numeric := NEW.w_scale + NEW.w_payment + NEW.w_stability + NEW.w_risk;
BEGIN
	-- numeric admits NaN and infinities: none of them is a usable setting
	IF 'NaN' = ANY (ARRAY[NEW.w_scale, NEW.w_payment, NEW.w_stability, NEW.w_risk, NEW.cutoff_a,
						  NEW.cutoff_b, NEW.cutoff_c, NEW.scale_full_revenue, NEW.no_history_points,
						  NEW.overdue_tolerance, NEW.risk_default_points, NEW.external_weight])
	   OR 'Infinity' = ANY (ARRAY[abs(NEW.w_scale), abs(NEW.w_payment), abs(NEW.w_stability), abs(NEW.w_risk),
							   abs(NEW.cutoff_a), abs(NEW.cutoff_b), abs(NEW.cutoff_c),
							   abs(NEW.scale_full_revenue), abs(NEW.no_history_points),
							   abs(NEW.overdue_tolerance), abs(NEW.risk_default_points),
							   abs(NEW.external_weight)]) THEN
		RAISE EXCEPTION 'scorecard "%": settings must be finite numbers', NEW.scorecard_id
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = 'NaN and Infinity are not accepted.';
	END IF;
	IF least(NEW.w_scale, NEW.w_payment, NEW.w_stability, NEW.w_risk) < 0 THEN
		RAISE EXCEPTION 'scorecard "%": weights must not be negative', NEW.scorecard_id
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF total <> 100 THEN
		RAISE EXCEPTION 'scorecard "%": weights must sum to 100', NEW.scorecard_id
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = format('scale %s + payment %s + stability %s + risk %s = %s.',
								  NEW.w_scale, NEW.w_payment, NEW.w_stability, NEW.w_risk, total);
	END IF;
	-- scoring is exact: weights in 1/10000, scores and cut-offs in hundredths
	IF NEW.w_scale <> round(NEW.w_scale, 4) OR NEW.w_payment <> round(NEW.w_payment, 4)
	   OR NEW.w_stability <> round(NEW.w_stability, 4) OR NEW.w_risk <> round(NEW.w_risk, 4)
	   OR NEW.external_weight <> round(NEW.external_weight, 4) THEN
		RAISE EXCEPTION 'scorecard "%": weights may have at most four decimals', NEW.scorecard_id
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF NEW.cutoff_a <> round(NEW.cutoff_a, 2) OR NEW.cutoff_b <> round(NEW.cutoff_b, 2)
	   OR NEW.cutoff_c <> round(NEW.cutoff_c, 2) THEN
		RAISE EXCEPTION 'scorecard "%": cut-offs may have at most two decimals', NEW.scorecard_id
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = 'Scores are compared with cut-offs in hundredths.';
	END IF;
	IF NOT (100 >= NEW.cutoff_a AND NEW.cutoff_a > NEW.cutoff_b
			AND NEW.cutoff_b > NEW.cutoff_c AND NEW.cutoff_c >= 0) THEN
		RAISE EXCEPTION 'scorecard "%": cut-offs must satisfy 100 >= A > B > C >= 0', NEW.scorecard_id
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = format('A %s, B %s, C %s.', NEW.cutoff_a, NEW.cutoff_b, NEW.cutoff_c);
	END IF;
	IF NEW.scale_full_revenue <= 0 OR NEW.scale_full_orders <= 0 OR NEW.tenure_full_days <= 0
	   OR NEW.overdue_tolerance <= 0 OR NEW.external_max_age_days <= 0 THEN
		RAISE EXCEPTION 'scorecard "%": scale_full_revenue, scale_full_orders, tenure_full_days, overdue_tolerance and external_max_age_days must be positive', NEW.scorecard_id
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF NEW.no_history_points NOT BETWEEN 0 AND 100 OR NEW.risk_default_points NOT BETWEEN 0 AND 100
	   OR NEW.external_weight NOT BETWEEN 0 AND 100 THEN
		RAISE EXCEPTION 'scorecard "%": no_history_points, risk_default_points and external_weight must be between 0 and 100', NEW.scorecard_id
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	RETURN NEW;
END
$$;

CREATE TRIGGER scorecard_validate BEFORE INSERT OR UPDATE ON @extschema@.scorecard
	FOR EACH ROW EXECUTE FUNCTION @extschema@.scorecard_validate();

-- Whether the install or update script of this extension is running.
CREATE FUNCTION @extschema@.in_extension_script() RETURNS boolean
	AS 'MODULE_PATHNAME', 'customer_class_in_extension_script'
	LANGUAGE C STABLE PARALLEL RESTRICTED;
COMMENT ON FUNCTION @extschema@.in_extension_script() IS
	'true while CREATE EXTENSION or ALTER EXTENSION UPDATE of customer_class runs its script (shipped rows may be written then only)';

-- Shipped rows come back with CREATE EXTENSION, so they are kept as shipped;
-- only the extension's own script may add one (they are left out of dumps).
-- On INSERT, OLD is NULL: only the last check applies.
CREATE FUNCTION @extschema@.protect_shipped_row() RETURNS trigger
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF OLD.shipped THEN
		RAISE EXCEPTION 'row of %.% is shipped with the extension and cannot be changed', TG_TABLE_SCHEMA, TG_TABLE_NAME
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'Insert a row of your own (for a scorecard: copy_scorecard(''default'', ''mine''), then edit and activate it).';
	END IF;
	IF TG_OP = 'DELETE' THEN
		RETURN OLD;
	END IF;
	IF NEW.shipped AND (TG_OP = 'UPDATE' OR NOT @extschema@.in_extension_script()) THEN
		RAISE EXCEPTION 'only the extension may mark rows of %.% as shipped', TG_TABLE_SCHEMA, TG_TABLE_NAME
			USING ERRCODE = 'insufficient_privilege';
	END IF;
	RETURN NEW;
END
$$;

-- Any policy change bumps the version (statement level: one bump per change).
CREATE FUNCTION @extschema@.bump_policy_version() RETURNS trigger
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM nextval('@extschema@.policy_version');
	RETURN NULL;
END
$$;

CREATE TRIGGER scorecard_protect_shipped BEFORE INSERT OR UPDATE OR DELETE ON @extschema@.scorecard
	FOR EACH ROW EXECUTE FUNCTION @extschema@.protect_shipped_row();
CREATE TRIGGER risk_factor_protect_shipped BEFORE INSERT OR UPDATE OR DELETE ON @extschema@.risk_factor
	FOR EACH ROW EXECUTE FUNCTION @extschema@.protect_shipped_row();
CREATE TRIGGER scorecard_policy_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.scorecard
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.bump_policy_version();
CREATE TRIGGER risk_factor_policy_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.risk_factor
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.bump_policy_version();

-- The shipped default: payment performance weighs most.
INSERT INTO @extschema@.scorecard
	(scorecard_id, description, w_scale, w_payment, w_stability, w_risk,
	 cutoff_a, cutoff_b, cutoff_c, shipped)
VALUES ('default', 'shipped default: payment 50, scale 20, stability 20, risk 10; A >= 78, B >= 66, C >= 40',
		20, 50, 20, 10, 78, 66, 40, true);

INSERT INTO @extschema@.risk_factor (scorecard_id, prefix, points, note, shipped) VALUES
	('default', 'industry', 70, 'any industry not listed', true),
	('default', 'industry.manufacturing', 70, '', true),
	('default', 'industry.technology', 70, '', true),
	('default', 'industry.services', 75, '', true),
	('default', 'industry.retail', 65, 'thin margins', true),
	('default', 'industry.wholesale', 65, 'thin margins', true),
	('default', 'industry.logistics', 65, '', true),
	('default', 'industry.construction', 45, 'long payment chains, project risk', true),
	('default', 'industry.real_estate', 40, 'cyclical, leveraged', true),
	('default', 'region', 70, 'any region not listed', true),
	('default', 'region.east', 75, '', true),
	('default', 'region.south', 75, '', true),
	('default', 'region.north', 70, '', true),
	('default', 'region.central', 65, '', true),
	('default', 'region.west', 65, '', true);

SELECT pg_catalog.pg_extension_config_dump('@extschema@.scorecard', 'WHERE NOT shipped');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.risk_factor', 'WHERE NOT shipped');

-- the scorecard in force: the active one, else the shipped default
CREATE FUNCTION @extschema@.active_scorecard() RETURNS @extschema@.scorecard
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT s FROM @extschema@.scorecard s
	WHERE s.active OR s.scorecard_id = 'default'
	ORDER BY s.active DESC
	LIMIT 1;
END;

-- copy a scorecard and its risk factors under a new name, to edit
CREATE FUNCTION @extschema@.copy_scorecard(source text, target text) RETURNS @extschema@.scorecard
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	card @extschema@.scorecard;
BEGIN
	SELECT * INTO card FROM @extschema@.scorecard WHERE scorecard_id = source;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'scorecard "%" does not exist', source
			USING ERRCODE = 'undefined_object';
	END IF;
	card.scorecard_id := target;
	card.description := 'copy of ' || source;
	card.active := false;
	card.shipped := false;
	INSERT INTO @extschema@.scorecard SELECT card.*;
	INSERT INTO @extschema@.risk_factor (scorecard_id, prefix, points, note)
	SELECT target, prefix, points, note FROM @extschema@.risk_factor WHERE scorecard_id = source;
	RETURN card;
END
$$;

-- make a scorecard the active one (at most one is: the unique index would
-- reject swapping in a single UPDATE); 'default' deactivates all others
CREATE FUNCTION @extschema@.activate_scorecard(scorecard_id text) RETURNS @extschema@.scorecard
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	target text := activate_scorecard.scorecard_id;
	card @extschema@.scorecard;
BEGIN
	SELECT * INTO card FROM @extschema@.scorecard s WHERE s.scorecard_id = target;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'scorecard "%" does not exist', target
			USING ERRCODE = 'undefined_object';
	END IF;
	UPDATE @extschema@.scorecard s SET active = false WHERE s.active AND s.scorecard_id <> target;
	IF NOT card.shipped AND NOT card.active THEN
		UPDATE @extschema@.scorecard s SET active = true WHERE s.scorecard_id = target
		RETURNING * INTO card;
	END IF;
	RETURN card;
END
$$;

REVOKE EXECUTE ON FUNCTION @extschema@.activate_scorecard(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.activate_scorecard(text) TO customer_class_admin;
REVOKE EXECUTE ON FUNCTION @extschema@.copy_scorecard(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.copy_scorecard(text, text) TO customer_class_admin;
GRANT SELECT ON @extschema@.scorecard, @extschema@.risk_factor TO customer_class_reader;
GRANT INSERT, UPDATE, DELETE ON @extschema@.scorecard, @extschema@.risk_factor TO customer_class_admin;
GRANT USAGE ON SEQUENCE @extschema@.policy_version TO customer_class_admin;
GRANT SELECT ON SEQUENCE @extschema@.policy_version TO customer_class_reader;

COMMENT ON TABLE @extschema@.scorecard IS
	'credit scorecards: dimension weights (sum 100), grade cut-offs and formula settings; one may be active';
COMMENT ON COLUMN @extschema@.scorecard.scorecard_id IS 'scorecard name';
COMMENT ON COLUMN @extschema@.scorecard.description IS 'what the scorecard is for';
COMMENT ON COLUMN @extschema@.scorecard.w_scale IS 'weight of transaction scale (weights sum to 100)';
COMMENT ON COLUMN @extschema@.scorecard.w_payment IS 'weight of payment performance';
COMMENT ON COLUMN @extschema@.scorecard.w_stability IS 'weight of relationship stability';
COMMENT ON COLUMN @extschema@.scorecard.w_risk IS 'weight of industry/region risk';
COMMENT ON COLUMN @extschema@.scorecard.cutoff_a IS 'lowest score graded A';
COMMENT ON COLUMN @extschema@.scorecard.cutoff_b IS 'lowest score graded B';
COMMENT ON COLUMN @extschema@.scorecard.cutoff_c IS 'lowest score graded C (below: D)';
COMMENT ON COLUMN @extschema@.scorecard.scale_full_revenue IS '12-month revenue that earns full revenue points';
COMMENT ON COLUMN @extschema@.scorecard.scale_full_orders IS '12-month order count that earns full order points';
COMMENT ON COLUMN @extschema@.scorecard.tenure_full_days IS 'tenure that earns full tenure points';
COMMENT ON COLUMN @extschema@.scorecard.no_history_points IS 'points for on-time ratio and payment index when nothing was paid yet';
COMMENT ON COLUMN @extschema@.scorecard.overdue_tolerance IS 'overdue balance, as a share of 12-month revenue, that costs all overdue points';
COMMENT ON COLUMN @extschema@.scorecard.risk_default_points IS 'risk points when no risk factor matches';
COMMENT ON COLUMN @extschema@.scorecard.external_weight IS 'weight 0-100 of a valid external score in the blend';
COMMENT ON COLUMN @extschema@.scorecard.external_max_age_days IS 'an external score older than this is ignored';
COMMENT ON COLUMN @extschema@.scorecard.active IS 'the scorecard in force (at most one; none: default)';
COMMENT ON COLUMN @extschema@.scorecard.shipped IS 'shipped with the extension (read-only)';

COMMENT ON TABLE @extschema@.risk_factor IS
	'risk points per industry or region tag prefix; the longest matching prefix applies';
COMMENT ON COLUMN @extschema@.risk_factor.scorecard_id IS 'scorecard';
COMMENT ON COLUMN @extschema@.risk_factor.prefix IS 'tag prefix: industry[.x] or region[.x[.y]]';
COMMENT ON COLUMN @extschema@.risk_factor.points IS 'points 0-100 (100 = lowest risk)';
COMMENT ON COLUMN @extschema@.risk_factor.note IS 'why';
COMMENT ON COLUMN @extschema@.risk_factor.shipped IS 'shipped with the extension (read-only)';

COMMENT ON FUNCTION @extschema@.scorecard_validate() IS 'trigger: rejects scorecards whose weights or cut-offs cannot work';
COMMENT ON FUNCTION @extschema@.protect_shipped_row() IS 'trigger: shipped policy rows are read-only';
COMMENT ON FUNCTION @extschema@.bump_policy_version() IS 'trigger: a policy changed, so the next refresh recomputes everyone';
COMMENT ON FUNCTION @extschema@.active_scorecard() IS 'the scorecard in force: the active one, else the shipped default';
COMMENT ON FUNCTION @extschema@.copy_scorecard(text, text) IS 'copy a scorecard and its risk factors under a new name';
COMMENT ON FUNCTION @extschema@.activate_scorecard(text) IS 'make a scorecard the one in force (deactivating the active one); the shipped default: deactivate all';

-- Errors that say what is accepted (checks/explain.sql): the WHEN clause is
-- true exactly when one of the table's CHECK constraints is false (a NULL
-- result passes a CHECK); keep it in step with the table's CHECKs.
CREATE TRIGGER risk_factor_explain_check BEFORE INSERT OR UPDATE ON @extschema@.risk_factor
	FOR EACH ROW WHEN ((NEW.prefix ~ '^(industry|region)(\.[^.]+)*$') IS FALSE
		OR (NEW.points BETWEEN 0 AND 100) IS FALSE)
	EXECUTE FUNCTION @extschema@.explain_check_violation();
