-- Scores from outside (a rating agency's file, loaded with COPY) and manual
-- grade overrides.  Both are kept, never overwritten: the history of what
-- was believed when stays readable.

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
	set_by			name NOT NULL DEFAULT CURRENT_USER,
	set_at			timestamptz NOT NULL DEFAULT pg_catalog.now(),
	valid_from		date NOT NULL DEFAULT @extschema@.as_of(),
	expires_on		date NOT NULL,
	CONSTRAINT credit_override_reason_given CHECK (btrim(reason) <> ''),
	CONSTRAINT credit_override_expires_after_start CHECK (expires_on > valid_from)
);
CREATE INDEX credit_override_customer_idx ON @extschema@.credit_override (customer_id, valid_from);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.credit_override', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.credit_override_override_id_seq', '');

GRANT SELECT ON @extschema@.external_score, @extschema@.credit_override TO customer_class_reader;
GRANT INSERT, UPDATE, DELETE ON @extschema@.external_score, @extschema@.credit_override TO customer_class_admin;

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
COMMENT ON COLUMN @extschema@.credit_override.set_by IS 'who set it';
COMMENT ON COLUMN @extschema@.credit_override.set_at IS 'when it was set';
COMMENT ON COLUMN @extschema@.credit_override.valid_from IS 'first as-of date it applies to';
COMMENT ON COLUMN @extschema@.credit_override.expires_on IS 'first as-of date it no longer applies to';
