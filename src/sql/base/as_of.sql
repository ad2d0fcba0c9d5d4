-- The date every computation is "as of": the GUC customer_class.as_of, or the
-- current date when it is empty.  STABLE: it reads a setting.
CREATE FUNCTION @extschema@.as_of() RETURNS date
	AS 'MODULE_PATHNAME', 'as_of_date'
	LANGUAGE C STABLE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.as_of() IS
	'the as-of date in force: setting customer_class.as_of, or current_date when it is empty';

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
