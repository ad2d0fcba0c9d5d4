-- The date every computation is "as of": the GUC customer_class.as_of, or the
-- current date when it is empty.  STABLE: it reads a setting.
CREATE FUNCTION @extschema@.as_of() RETURNS date
	AS 'MODULE_PATHNAME', 'as_of_date'
	LANGUAGE C STABLE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.as_of() IS
	'the as-of date in force: setting customer_class.as_of, or current_date when it is empty';
