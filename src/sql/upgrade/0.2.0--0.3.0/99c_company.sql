-- 0.3.0: company(), the setting customer_class.company (the 'tenant' shape on Citus)
CREATE FUNCTION @extschema@.company() RETURNS bigint
	AS 'MODULE_PATHNAME', 'customer_class_company'
	LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.company() IS
	'the company (tenant) this session works for: setting customer_class.company, NULL when it is empty';
