-- The profile table: one row per customer with its current classes, written
-- by refresh().  Later concerns add their columns here.

CREATE TABLE @extschema@.profile (
	customer_id		bigint PRIMARY KEY,
	as_of			date NOT NULL,
	credit_score	numeric(5,2),
	credit_grade	@extschema@.credit_grade,
	refreshed_at	timestamptz NOT NULL DEFAULT pg_catalog.now()
);

-- Derived data, but dumped too: a restored database answers at once, and the
-- history written from it stays consistent.
SELECT pg_catalog.pg_extension_config_dump('@extschema@.profile', '');

GRANT SELECT ON @extschema@.profile TO customer_class_reader;

COMMENT ON TABLE @extschema@.profile IS
	'current classes per customer, written by refresh(); read customer_profile instead';
COMMENT ON COLUMN @extschema@.profile.customer_id IS 'customer key';
COMMENT ON COLUMN @extschema@.profile.as_of IS 'date the classes were computed as of';
COMMENT ON COLUMN @extschema@.profile.credit_score IS 'credit score 0-100';
COMMENT ON COLUMN @extschema@.profile.credit_grade IS 'credit grade A-D';
COMMENT ON COLUMN @extschema@.profile.refreshed_at IS 'when refresh() wrote this row';
