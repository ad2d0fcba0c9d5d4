-- The table a trigger fires for, by the name the extension knows it by.  On
-- Citus a distributed table's triggers fire on its shards, on the workers,
-- and TG_TABLE_NAME is then the shard's name: the table's with the shard id
-- appended (sales_order_102008).  A trigger that branches on its table, or
-- looks a rule up by it, asks this instead of reading TG_TABLE_NAME.
CREATE FUNCTION @extschema@.trigger_table(schema_name name, table_name name) RETURNS name
	LANGUAGE sql STABLE STRICT PARALLEL SAFE
RETURN CASE WHEN table_name ~ '_[0-9]+$'
				 AND pg_catalog.to_regclass(pg_catalog.format('%I.%I', schema_name,
						 pg_catalog.regexp_replace(table_name, '_[0-9]+$', ''))) IS NOT NULL
			THEN pg_catalog.regexp_replace(table_name, '_[0-9]+$', '')::name
			ELSE table_name END;
COMMENT ON FUNCTION @extschema@.trigger_table(name, name) IS
	'internal: the name of the table a trigger fires for (TG_TABLE_SCHEMA, TG_TABLE_NAME), with the shard id a Citus shard appends taken off';
