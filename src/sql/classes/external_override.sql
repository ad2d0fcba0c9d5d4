-- Scores from outside (a rating agency's file, loaded with COPY) and manual
-- grade overrides.  Both are kept, never overwritten: the history of what
-- was believed when stays readable.  An override can only be ended early
-- (a shorter expires_on), and that is recorded in class_history.

CREATE TABLE @extschema@.external_score (
	customer_id		bigint NOT NULL,
	source			text NOT NULL,
	scored_on		date NOT NULL,
	score			numeric(5,2) NOT NULL,
	rating			text,
	imported_at		timestamptz NOT NULL DEFAULT pg_catalog.now(),
	PRIMARY KEY (customer_id, source, scored_on),
	CONSTRAINT external_score_range CHECK (score BETWEEN 0 AND 100),
	CONSTRAINT external_score_source_not_blank CHECK (btrim(source) <> '')
);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.external_score', '');

CREATE TABLE @extschema@.credit_override (
	override_id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	customer_id		bigint NOT NULL,
	grade			@extschema@.credit_grade NOT NULL,
	reason			text NOT NULL,
	set_by			name NOT NULL DEFAULT SESSION_USER,
	set_at			timestamptz NOT NULL DEFAULT pg_catalog.now(),
	valid_from		date NOT NULL DEFAULT @extschema@.as_of(),
	expires_on		date NOT NULL,
	CONSTRAINT credit_override_reason_given CHECK (btrim(reason) <> ''),
	CONSTRAINT credit_override_expires_after_start CHECK (expires_on > valid_from)
);
CREATE INDEX credit_override_customer_idx ON @extschema@.credit_override (customer_id, valid_from);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.credit_override', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.credit_override_override_id_seq', '');
COMMENT ON SEQUENCE @extschema@.credit_override_override_id_seq IS 'keys of credit_override (identity)';

-- Who set an override and when is recorded, not claimed: the trigger sets
-- them.  The one exception is a role that owns the table (the extension
-- owner, a superuser): pg_restore loads the dumped rows with COPY as such a
-- role, and must keep the recorded author and time.  Such a role could
-- disable the trigger anyway.
CREATE FUNCTION @extschema@.credit_override_guard() RETURNS trigger
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	owner boolean := pg_catalog.pg_has_role(
		(SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = TG_RELID), 'USAGE');
BEGIN
	IF TG_OP = 'INSERT' THEN
		IF NOT owner OR NEW.set_by IS NULL OR NEW.set_at IS NULL THEN
			NEW.set_by := SESSION_USER;
			NEW.set_at := pg_catalog.now();
		END IF;
		RETURN NEW;
	END IF;
	IF owner THEN
		RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
	END IF;
	IF TG_OP = 'DELETE' THEN
		RAISE EXCEPTION 'credit overrides are kept, not deleted'
			USING ERRCODE = 'insufficient_privilege',
				  HINT = 'To end override #' || OLD.override_id || ' early, set its expires_on to an earlier date.';
	END IF;
	-- an UPDATE may only end an override early
	IF (NEW.override_id, NEW.customer_id, NEW.grade, NEW.reason, NEW.set_by, NEW.set_at, NEW.valid_from)
		IS DISTINCT FROM
	   (OLD.override_id, OLD.customer_id, OLD.grade, OLD.reason, OLD.set_by, OLD.set_at, OLD.valid_from)
	   OR NEW.expires_on > OLD.expires_on THEN
		RAISE EXCEPTION 'credit override #% can only be ended early', OLD.override_id
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = 'An override is never rewritten: only an earlier expires_on is accepted.',
				  HINT = 'Insert a new override (the latest one set wins).';
	END IF;
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION @extschema@.credit_override_guard() IS
	'trigger: records who set an override and when, and lets an UPDATE only end it early (table owners, e.g. a restore, excepted)';
CREATE TRIGGER credit_override_guard BEFORE INSERT OR UPDATE OR DELETE ON @extschema@.credit_override
	FOR EACH ROW EXECUTE FUNCTION @extschema@.credit_override_guard();

-- Ending an override early lands in class_history (dimension
-- credit_override): who ended it, when, and the dates.  SECURITY DEFINER:
-- admins may not write history themselves.
CREATE FUNCTION @extschema@.credit_override_ended() RETURNS trigger
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
REVOKE EXECUTE ON FUNCTION @extschema@.credit_override_ended() FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.credit_override_ended() IS
	'statement trigger: records in class_history every override ended early';
CREATE TRIGGER credit_override_ended AFTER UPDATE ON @extschema@.credit_override
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.credit_override_ended();

GRANT SELECT ON @extschema@.external_score, @extschema@.credit_override TO customer_class_reader;
GRANT INSERT, UPDATE, DELETE ON @extschema@.external_score TO customer_class_admin;
-- overrides: added, and ended early (expires_on), never rewritten
GRANT INSERT, UPDATE (expires_on) ON @extschema@.credit_override TO customer_class_admin;

COMMENT ON TABLE @extschema@.external_score IS
	'scores imported from outside (e.g. a rating agency file via COPY); the latest valid one is blended in';
COMMENT ON COLUMN @extschema@.external_score.customer_id IS 'customer';
COMMENT ON COLUMN @extschema@.external_score.source IS 'who scored (agency, bureau, ...)';
COMMENT ON COLUMN @extschema@.external_score.scored_on IS 'date of the score';
COMMENT ON COLUMN @extschema@.external_score.score IS 'score on our 0-100 scale';
COMMENT ON COLUMN @extschema@.external_score.rating IS 'the source''s own rating text, for reference';
COMMENT ON COLUMN @extschema@.external_score.imported_at IS 'when it was loaded';

COMMENT ON TABLE @extschema@.credit_override IS
	'manual grade overrides with reason, author and expiry; after expiry the computed grade returns';
COMMENT ON COLUMN @extschema@.credit_override.override_id IS 'override key';
COMMENT ON COLUMN @extschema@.credit_override.customer_id IS 'customer';
COMMENT ON COLUMN @extschema@.credit_override.grade IS 'grade imposed';
COMMENT ON COLUMN @extschema@.credit_override.reason IS 'why (required)';
COMMENT ON COLUMN @extschema@.credit_override.set_by IS 'who set it (the session user, set by the trigger)';
COMMENT ON COLUMN @extschema@.credit_override.set_at IS 'when it was set (set by the trigger)';
COMMENT ON COLUMN @extschema@.credit_override.valid_from IS 'first as-of date it applies to (default as_of())';
COMMENT ON COLUMN @extschema@.credit_override.expires_on IS 'first as-of date it no longer applies to; may only be moved earlier (ending the override early)';

-- Errors that say what is accepted (checks/explain.sql): the WHEN clause is
-- true exactly when one of the table's CHECK constraints is false (a NULL
-- result passes a CHECK); keep it in step with the table's CHECKs.
CREATE TRIGGER external_score_explain_check BEFORE INSERT OR UPDATE ON @extschema@.external_score
	FOR EACH ROW WHEN ((NEW.score BETWEEN 0 AND 100) IS FALSE OR (btrim(NEW.source) <> '') IS FALSE)
	EXECUTE FUNCTION @extschema@.explain_check_violation();
CREATE TRIGGER credit_override_explain_check BEFORE INSERT OR UPDATE ON @extschema@.credit_override
	FOR EACH ROW WHEN ((btrim(NEW.reason) <> '') IS FALSE OR (NEW.expires_on > NEW.valid_from) IS FALSE)
	EXECUTE FUNCTION @extschema@.explain_check_violation();
