-- Source binding (docs/binding.md): each canonical source -- customer, order,
-- invoice, payment, credit_limit -- is read through a view
-- source_<role>, which by default reads the managed table and which
-- bind_source() points at any relation of the user's: an ERP's table, or a
-- view the integrator writes over several.
--
-- The source_<role> views are the user's configuration, like the managed
-- tables: they leave the extension at the end of the script
-- (sources/user_data.sql), so pg_dump writes them after the ERP tables they
-- read and any restore, serial or parallel, recreates them pointing at the
-- restored tables; an update of the extension never touches them.  The
-- extension reads them only through the late-bound src_*_rows() functions
-- (sources/views.sql), so nothing of the extension pins them.  They are
-- owned by customer_class_admin, whose members bind (through bind_source()),
-- and are security_invoker: whoever reads a source needs SELECT on the bound
-- relation, and its row-level security applies.

-- The canonical shape, written once: every source's columns, in the order
-- of its view, with their type, whether a binding must map them and what an
-- unmapped one reads (an SQL literal; NULL: NULL).  The defaults are the
-- managed tables' column defaults, but created_on: an ERP's customer without
-- an opening date has a tenure from its first invoice (credit_facts_of()
-- takes the earlier of the two, and ignores a NULL).
CREATE FUNCTION @extschema@.source_shape()
	RETURNS TABLE (role text, ordinal integer, column_name text, data_type regtype,
				   required boolean, default_value text)
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
	VALUES
		('customer', 1, 'customer_id', 'pg_catalog.int8'::pg_catalog.regtype, true, NULL),
		('customer', 2, 'name', 'pg_catalog.text', true, NULL),
		('customer', 3, 'customer_type', 'pg_catalog.text', false, '''enterprise'''),
		('customer', 4, 'industry', 'pg_catalog.text', false, NULL),
		('customer', 5, 'region', 'pg_catalog.text', false, NULL),
		('customer', 6, 'size_class', 'pg_catalog.text', false, NULL),
		('customer', 7, 'credit_limit', 'pg_catalog.numeric', false, NULL),
		('customer', 8, 'payment_terms_days', 'pg_catalog.int4', false, '30'),
		('customer', 9, 'created_on', 'pg_catalog.date', false, NULL),
		('customer', 10, 'tags', '@extschema@.tagset', false, '''{}'''),
		('customer', 11, 'payment_terms_basis', 'pg_catalog.text', false, '''invoice'''),
		('order', 1, 'order_id', 'pg_catalog.int8', true, NULL),
		('order', 2, 'customer_id', 'pg_catalog.int8', true, NULL),
		('order', 3, 'ordered_on', 'pg_catalog.date', true, NULL),
		('order', 4, 'amount', 'pg_catalog.numeric', true, NULL),
		('order', 5, 'status', 'pg_catalog.text', false, '''open'''),
		('order', 6, 'shipped_on', 'pg_catalog.date', false, NULL),
		('order', 7, 'company_id', 'pg_catalog.int8', false, NULL),
		('order', 8, 'cost', 'pg_catalog.numeric', false, NULL),
		('order', 9, 'planned_ship_on', 'pg_catalog.date', false, NULL),
		('invoice', 1, 'invoice_id', 'pg_catalog.int8', true, NULL),
		('invoice', 2, 'customer_id', 'pg_catalog.int8', true, NULL),
		('invoice', 3, 'order_id', 'pg_catalog.int8', false, NULL),
		('invoice', 4, 'issued_on', 'pg_catalog.date', true, NULL),
		('invoice', 5, 'due_on', 'pg_catalog.date', true, NULL),
		('invoice', 6, 'amount', 'pg_catalog.numeric', true, NULL),
		('invoice', 7, 'company_id', 'pg_catalog.int8', false, NULL),
		('invoice', 8, 'cost', 'pg_catalog.numeric', false, NULL),
		('payment', 1, 'payment_id', 'pg_catalog.int8', true, NULL),
		('payment', 2, 'customer_id', 'pg_catalog.int8', true, NULL),
		('payment', 3, 'invoice_id', 'pg_catalog.int8', false, NULL),
		('payment', 4, 'paid_on', 'pg_catalog.date', true, NULL),
		('payment', 5, 'amount', 'pg_catalog.numeric', true, NULL),
		('payment', 6, 'kind', 'pg_catalog.text', false, '''payment'''),
		('payment', 7, 'company_id', 'pg_catalog.int8', false, NULL),
		('credit_limit', 1, 'customer_id', 'pg_catalog.int8', true, NULL),
		('credit_limit', 2, 'company_id', 'pg_catalog.int8', false, NULL),
		('credit_limit', 3, 'credit_limit', 'pg_catalog.numeric', true, NULL)
$$;
COMMENT ON FUNCTION @extschema@.source_shape() IS
	'the canonical sources: per role, its columns in view order, their type, whether a binding must map them and the SQL literal an unmapped one reads (NULL: NULL)';
GRANT EXECUTE ON FUNCTION @extschema@.source_shape() TO customer_class_reader;

-- The bindings in force, one row per bound source (an unbound source reads
-- its managed table and has no row).  Configuration: pg_dump writes the rows.
-- Written by bind_source() and unbind_source() only, which validate (no
-- CHECK constraints to restate): the views are what is read, this table
-- says how they were made.
-- relation is text, schema-qualified and quoted as given to bind_source():
-- it pins nothing (the view does), and says what the view was built on.
CREATE TABLE @extschema@.source_binding (
	role		text PRIMARY KEY,
	relation	text NOT NULL,
	columns		jsonb NOT NULL,
	filter		text,
	bound_at	timestamptz NOT NULL DEFAULT pg_catalog.now(),
	bound_by	name NOT NULL DEFAULT CURRENT_USER
);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.source_binding', '');
GRANT SELECT ON @extschema@.source_binding TO customer_class_reader;
COMMENT ON TABLE @extschema@.source_binding IS
	'the sources bound to a relation of the user''s by bind_source() (an unbound source reads its managed table)';
COMMENT ON COLUMN @extschema@.source_binding.role IS 'canonical source: customer, order, invoice, payment or credit_limit';
COMMENT ON COLUMN @extschema@.source_binding.relation IS 'the relation read, schema-qualified and quoted';
COMMENT ON COLUMN @extschema@.source_binding.columns IS 'canonical column -> the relation''s column, or {"column": ..., "cast": true}';
COMMENT ON COLUMN @extschema@.source_binding.filter IS 'boolean SQL expression over the relation''s columns selecting its rows; NULL: all rows';
COMMENT ON COLUMN @extschema@.source_binding.bound_at IS 'when the binding was made';
COMMENT ON COLUMN @extschema@.source_binding.bound_by IS 'who made it';

-- Every source_<role> view names this function (WHERE ... AND
-- source_of_extension()), so that the views go with DROP EXTENSION ...
-- CASCADE, as the bindings in source_binding do, while the tables they read
-- stay.  Inlined to the constant true, it costs nothing.
CREATE FUNCTION @extschema@.source_of_extension() RETURNS boolean
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	RETURN true;
COMMENT ON FUNCTION @extschema@.source_of_extension() IS
	'internal: always true; the source_<role> views call it so that they depend on the extension (DROP EXTENSION ... CASCADE drops them)';

-- The filter of a binding is pasted into the view: make sure it is one
-- expression and nothing more (src/binding.c).
CREATE FUNCTION @extschema@.source_filter_check(role text, filter text) RETURNS void
	AS 'MODULE_PATHNAME', 'source_filter_check'
	LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.source_filter_check(text, text) IS
	'internal: raises syntax_error (42601) unless filter parses as exactly one SQL expression';

-- CREATE OR REPLACE VIEW source_<role> reading relation through the
-- mapping.  Every canonical column is cast to its type (text columns also to
-- the default collation: a view column cannot change collation), the
-- relation's columns are always quoted, and the filter goes on lines of its
-- own, so that a trailing comment cannot swallow the closing parenthesis.
-- Checks nothing: bind_source() validates first.
CREATE FUNCTION @extschema@.source_view_sql(role text, relation regclass, columns jsonb, filter text)
	RETURNS text
	LANGUAGE plpgsql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	s record;
	m jsonb;
	expr text;
	cols text[] := '{}';
	tags_expr text;
BEGIN
	FOR s IN SELECT * FROM @extschema@.source_shape() sh WHERE sh.role = source_view_sql.role ORDER BY sh.ordinal
	LOOP
		m := columns -> s.column_name;
		IF m IS NULL OR jsonb_typeof(m) = 'null' THEN
			expr := coalesce(s.default_value, 'NULL');
		ELSE
			expr := format('%I.%I', 'src', CASE WHEN jsonb_typeof(m) = 'object' THEN m ->> 'column' ELSE m #>> '{}' END);
		END IF;
		expr := format('(%s)::%s', expr, s.data_type);
		IF s.data_type = 'text'::regtype THEN
			expr := expr || ' COLLATE pg_catalog."default"';
		END IF;
		IF s.column_name = 'tags' THEN
			tags_expr := expr;
		END IF;
		cols := cols || format('%s AS %I', expr, s.column_name);
	END LOOP;
	RETURN format(E'CREATE OR REPLACE VIEW @extschema@.%I WITH (security_invoker = true) AS\n SELECT %s\n FROM %s src\n WHERE @extschema@.source_of_extension()',
				  'source_' || role, array_to_string(cols, E',\n\t'), relation::text)
		|| CASE WHEN filter IS NOT NULL
				THEN E'\n AND (\n' || filter || E'\n)' ELSE '' END
		-- the managed customer table has its own row-level security policy
		-- (access/policies.sql); a bound customer source applies the same
		-- test, so that every policy reading src_customer still restricts
		|| CASE WHEN role = 'customer' AND relation IS DISTINCT FROM pg_catalog.to_regclass('@extschema@.customer')
				THEN format(E'\n AND coalesce(%s OPERATOR(@extschema@.@@) (SELECT @extschema@.access_query()), true)',
							tags_expr)
				ELSE '' END;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.source_view_sql(text, regclass, jsonb, text) FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.source_view_sql(text, regclass, jsonb, text) IS
	'internal: the CREATE OR REPLACE VIEW statement of source_<role> over relation with the given mapping and filter (validated by bind_source())';

-- The managed table of a role and its identity mapping (every canonical
-- column it has); NULL for credit_limit, which has none.
CREATE FUNCTION @extschema@.source_managed(role text, OUT relation regclass, OUT columns jsonb)
	LANGUAGE sql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
	SELECT r.rel, (SELECT jsonb_object_agg(sh.column_name, sh.column_name)
				   FROM @extschema@.source_shape() sh
				   JOIN pg_attribute a ON a.attrelid = r.rel AND a.attname = sh.column_name
							AND a.attnum > 0 AND NOT a.attisdropped
				   WHERE sh.role = $1)
	FROM (SELECT pg_catalog.to_regclass(CASE $1 WHEN 'customer' THEN '@extschema@.customer'
												WHEN 'order' THEN '@extschema@.sales_order'
												WHEN 'invoice' THEN '@extschema@.invoice'
												WHEN 'payment' THEN '@extschema@.payment' END) AS rel) r
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.source_managed(text) FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.source_managed(text) IS
	'internal: the managed table of a source and the mapping of its columns (NULL for credit_limit, which has none)';

-- (Re)create source_<role> over its managed table: at install, and by
-- unbind_source().  credit_limit has no managed table: its default view has
-- no rows (every customer keeps its own limit or its grade's default).
CREATE FUNCTION @extschema@.source_view_default(role text) RETURNS void
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	m record;
	s record;
	cols text[] := '{}';
BEGIN
	SELECT * INTO m FROM @extschema@.source_managed(role);
	IF m.relation IS NOT NULL THEN
		EXECUTE @extschema@.source_view_sql(role, m.relation, m.columns, NULL);
	ELSE
		FOR s IN SELECT * FROM @extschema@.source_shape() sh WHERE sh.role = source_view_default.role ORDER BY sh.ordinal
		LOOP
			cols := cols || format('NULL::%s AS %I', s.data_type, s.column_name);
		END LOOP;
		EXECUTE format(E'CREATE OR REPLACE VIEW @extschema@.%I WITH (security_invoker = true) AS\n SELECT %s\n WHERE NOT @extschema@.source_of_extension()',
					   'source_' || role, array_to_string(cols, ', '));
	END IF;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.source_view_default(text) FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.source_view_default(text) IS
	'internal: points source_<role> back at its managed table (credit_limit: no rows)';

-- Bind a source.  Everything is checked before anything changes, and each
-- error names the source, the column and the fix; a failed bind leaves the
-- binding in force untouched.  SECURITY DEFINER: replacing a view of the
-- extension's schema needs CREATE on that schema, which the binders
-- (customer_class_admin, the only grantee) must not get; the relation
-- exposed is still read with each reader's own privileges (security_invoker).
CREATE FUNCTION @extschema@.bind_source(role text, relation regclass, columns jsonb, filter text DEFAULT NULL)
	RETURNS void
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	rel_name text;
	roles text := (SELECT string_agg(DISTINCT sh.role, ', ') FROM @extschema@.source_shape() sh);
	canon text;
	relcols text;
	s record;
	m jsonb;
	col text;
	want_cast boolean;
	att record;
	from_type oid;
	to_type oid;
	view_name text := 'source_' || role;
	owner name := (SELECT e.extowner::regrole::name FROM pg_extension e WHERE e.extname = 'customer_class');
	caller name := @extschema@.access_caller();
	checker name;
	d record;
	err_state text;
	msg text;
BEGIN
	-- who: the members of customer_class_admin (EXECUTE is theirs; this
	-- says so clearly when it was granted further)
	IF NOT pg_has_role(caller, 'customer_class_admin', 'MEMBER') THEN
		RAISE EXCEPTION 'permission denied to bind source "%"', role
			USING ERRCODE = 'insufficient_privilege',
				  HINT = 'Bind as a member of customer_class_admin.';
	END IF;
	IF role IS NULL OR NOT EXISTS (SELECT FROM @extschema@.source_shape() sh WHERE sh.role = bind_source.role) THEN
		RAISE EXCEPTION 'unknown source role "%"', role
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = format('The sources are: %s.', roles);
	END IF;
	IF relation IS NULL THEN
		RAISE EXCEPTION 'source "%": no relation given', role
			USING ERRCODE = 'null_value_not_allowed',
				  HINT = 'Give the table or view to read, or call unbind_source() to read the managed table.';
	END IF;
	SELECT format('%I.%I', n.nspname, c.relname), c.relkind, n.nspname INTO STRICT s
	FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = relation;
	rel_name := s.format;
	IF s.relkind NOT IN ('r', 'v', 'm', 'f', 'p') THEN
		RAISE EXCEPTION 'source "%": % is not a table or view', role, rel_name
			USING ERRCODE = 'wrong_object_type',
				  HINT = 'Bind a table, a view, a materialized view or a foreign table.';
	END IF;
	-- the extension's own relations would read themselves (src_* reads
	-- source_*) or skip the binding; only the managed tables may be named
	IF s.nspname = '@extschema@' AND relation IS DISTINCT FROM (@extschema@.source_managed(role)).relation THEN
		RAISE EXCEPTION 'source "%" cannot read %, a relation of customer_class', role, rel_name
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = format('Bind a relation outside schema customer_class; unbind_source(%L) reads the managed table.', role);
	END IF;
	IF columns IS NULL OR jsonb_typeof(columns) <> 'object' THEN
		RAISE EXCEPTION 'source "%": columns must be a JSON object', role
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Map each canonical column to a column of the relation: ''{"customer_id": "id", "name": "Customer Name"}''.';
	END IF;
	SELECT string_agg(sh.column_name, ', ' ORDER BY sh.ordinal) INTO canon
	FROM @extschema@.source_shape() sh WHERE sh.role = bind_source.role;
	SELECT string_agg(format('%I', a.attname), ', ' ORDER BY a.attnum) INTO relcols
	FROM pg_attribute a WHERE a.attrelid = relation AND a.attnum > 0 AND NOT a.attisdropped;

	-- every key a canonical column, every value a column of the relation
	FOR col IN SELECT k FROM jsonb_object_keys(columns) k ORDER BY k
	LOOP
		IF NOT EXISTS (SELECT FROM @extschema@.source_shape() sh
					   WHERE sh.role = bind_source.role AND sh.column_name = col) THEN
			RAISE EXCEPTION 'source "%" has no column "%"', role, col
				USING ERRCODE = 'undefined_column',
					  HINT = format('The columns of source %s are: %s.', role, canon);
		END IF;
	END LOOP;

	FOR s IN SELECT * FROM @extschema@.source_shape() sh WHERE sh.role = bind_source.role ORDER BY sh.ordinal
	LOOP
		m := columns -> s.column_name;
		IF m IS NULL OR jsonb_typeof(m) = 'null' THEN
			IF s.required THEN
				RAISE EXCEPTION 'source "%": required column "%" is not mapped', role, s.column_name
					USING ERRCODE = 'invalid_parameter_value',
						  HINT = format('Map it to a column of %s: {"%s": "<column>"} (its columns: %s).',
										rel_name, s.column_name, relcols);
			END IF;
			CONTINUE;
		END IF;
		IF jsonb_typeof(m) = 'string' THEN
			col := m #>> '{}';
			want_cast := false;
		ELSIF jsonb_typeof(m) = 'object' AND jsonb_typeof(m -> 'column') = 'string'
			  AND (m - 'column' - 'cast') = '{}'::jsonb
			  AND coalesce(jsonb_typeof(m -> 'cast'), 'boolean') = 'boolean' THEN
			col := m ->> 'column';
			want_cast := coalesce((m ->> 'cast')::boolean, false);
		ELSE
			RAISE EXCEPTION 'source "%": the mapping of column "%" is neither a column name nor {"column": ..., "cast": true}', role, s.column_name
				USING ERRCODE = 'invalid_parameter_value',
					  DETAIL = format('It is %s.', m),
					  HINT = format('Write {"%s": "<column>"}, or {"%s": {"column": "<column>", "cast": true}} to cast it explicitly.',
									s.column_name, s.column_name);
		END IF;
		SELECT a.attname, a.atttypid, a.attnum INTO att
		FROM pg_attribute a
		WHERE a.attrelid = relation AND a.attname = col AND a.attnum > 0 AND NOT a.attisdropped;
		IF NOT FOUND THEN
			RAISE EXCEPTION 'source "%": column "%" of % does not exist (mapped to %)', role, col, rel_name, s.column_name
				USING ERRCODE = 'undefined_column',
					  HINT = format('Name the column exactly as it is spelt, without quotes; the columns of %s are: %s.', rel_name, relcols);
		END IF;
		-- the type: the same, or an implicit cast (integer -> bigint,
		-- varchar -> text); anything that may lose or reinterpret data
		-- (float8 -> numeric, timestamp -> date, text -> date) only when
		-- asked for with "cast": true
		from_type := coalesce(nullif((SELECT t.typbasetype FROM pg_type t WHERE t.oid = att.atttypid), 0), att.atttypid);
		to_type := s.data_type;
		IF from_type <> to_type AND NOT want_cast
		   AND NOT EXISTS (SELECT FROM pg_cast c WHERE c.castsource = from_type AND c.casttarget = to_type
						   AND c.castcontext = 'i') THEN
			RAISE EXCEPTION 'source "%": column "%" of % is of type %, but column "%" is %', role, col, rel_name,
				format_type(att.atttypid, NULL), s.column_name, format_type(to_type, NULL)
				USING ERRCODE = 'datatype_mismatch',
					  HINT = format('Convert it in a view, or map it as {"%s": {"column": "%s", "cast": true}} to cast it explicitly.',
									s.column_name, col);
		END IF;
		IF from_type <> to_type AND want_cast
		   AND NOT EXISTS (SELECT FROM pg_cast c WHERE c.castsource = from_type AND c.casttarget = to_type)
		   AND NOT (SELECT t.typcategory = 'S' FROM pg_type t WHERE t.oid = from_type)
		   AND NOT (SELECT t.typcategory = 'S' FROM pg_type t WHERE t.oid = to_type) THEN
			RAISE EXCEPTION 'source "%": column "%" of % (type %) cannot be cast to % for column "%"', role, col, rel_name,
				format_type(att.atttypid, NULL), format_type(to_type, NULL), s.column_name
				USING ERRCODE = 'cannot_coerce',
					  HINT = 'Convert it in a view over the relation and bind the view.';
		END IF;
	END LOOP;

	IF filter IS NOT NULL THEN
		PERFORM @extschema@.source_filter_check(role, filter);
	END IF;

	-- the view itself: what is left to go wrong is the filter's meaning
	-- (its type, its names); a failure here rolls the replaced view back
	BEGIN
		EXECUTE @extschema@.source_view_sql(role, relation, columns, filter);
	EXCEPTION
		WHEN OTHERS THEN
			IF filter IS NULL THEN
				RAISE;
			END IF;
			GET STACKED DIAGNOSTICS err_state = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
			RAISE EXCEPTION 'source "%": the filter is not a boolean expression over %: %', role, rel_name, msg
				USING ERRCODE = err_state,
					  DETAIL = format('The filter is: %s', filter),
					  HINT = 'Write a condition over the relation''s columns, such as company = 1 AND active.';
	END;

	-- who reads: every reader of the sources and the role refresh() and the
	-- checks run as (the extension's owner) need SELECT on each column the
	-- view reads, the filter's included (the view's dependencies say which)
	FOREACH checker IN ARRAY ARRAY['customer_class_reader', owner]
	LOOP
		FOR d IN
			SELECT dp.refobjid::regclass AS rel, a.attname
			FROM pg_rewrite r
			JOIN pg_depend dp ON dp.classid = 'pg_rewrite'::regclass AND dp.objid = r.oid
			JOIN pg_attribute a ON a.attrelid = dp.refobjid AND a.attnum = dp.refobjsubid
			WHERE r.ev_class = format('@extschema@.%I', view_name)::regclass
			  AND dp.refclassid = 'pg_class'::regclass AND dp.refobjsubid > 0
			  AND dp.refobjid <> r.ev_class
			ORDER BY 1, 2
		LOOP
			IF NOT has_column_privilege(checker, d.rel, d.attname, 'SELECT') THEN
				RAISE EXCEPTION 'source "%": role % may not read column "%" of %', role, checker, d.attname, d.rel
					USING ERRCODE = 'insufficient_privilege',
						  DETAIL = CASE WHEN checker = 'customer_class_reader'
										THEN 'Everyone who reads the sources is a member of customer_class_reader.'
										ELSE 'refresh() and the credit checks run as the extension''s owner.' END,
						  HINT = format('GRANT SELECT ON %s TO %I;', d.rel, checker);
			END IF;
		END LOOP;
	END LOOP;

	INSERT INTO @extschema@.source_binding (role, relation, columns, filter, bound_by)
	VALUES (role, rel_name, columns, filter, caller)
	ON CONFLICT ON CONSTRAINT source_binding_pkey DO UPDATE
		SET relation = EXCLUDED.relation, columns = EXCLUDED.columns, filter = EXCLUDED.filter,
			bound_at = EXCLUDED.bound_at, bound_by = EXCLUDED.bound_by;
	-- other data: the next refresh() recomputes every customer
	PERFORM nextval('@extschema@.policy_version');
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.bind_source(text, regclass, jsonb, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.bind_source(text, regclass, jsonb, text) TO customer_class_admin;
COMMENT ON FUNCTION @extschema@.bind_source(text, regclass, jsonb, text) IS
	'point a canonical source (customer, order, invoice, payment, credit_limit) at a relation: columns maps canonical names to its columns, filter selects its rows; validated before anything changes';

-- The same with the relation's name as text, so that a relation that does
-- not exist is reported with the source it was meant for (a regclass
-- argument fails before the function runs).  A quoted literal chooses this
-- form; the name is read as in a query ('erp."Sales Order"').
CREATE FUNCTION @extschema@.bind_source(role text, relation text, columns jsonb, filter text DEFAULT NULL)
	RETURNS void
	LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
	rel regclass;
BEGIN
	-- no SET search_path: an unqualified name is looked up in the caller's
	-- search_path, as in a query (the body names everything qualified)
	BEGIN
		rel := pg_catalog.to_regclass(relation);
	EXCEPTION WHEN invalid_name OR syntax_error OR invalid_parameter_value THEN
		rel := NULL;
	END;
	IF rel IS NULL AND relation IS NOT NULL THEN
		RAISE EXCEPTION 'source "%": relation % does not exist', role, relation
			USING ERRCODE = 'undefined_table',
				  HINT = 'Name it schema-qualified, with double quotes around a name with capitals, spaces or other characters: erp."Sales Order".';
	END IF;
	PERFORM @extschema@.bind_source(role, rel, columns, filter);
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.bind_source(text, text, jsonb, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.bind_source(text, text, jsonb, text) TO customer_class_admin;
COMMENT ON FUNCTION @extschema@.bind_source(text, text, jsonb, text) IS
	'bind_source() with the relation named as text: a missing relation is reported for the source (undefined_table, 42P01)';

-- SECURITY DEFINER as bind_source() is.
CREATE FUNCTION @extschema@.unbind_source(role text) RETURNS void
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF NOT pg_has_role(@extschema@.access_caller(), 'customer_class_admin', 'MEMBER') THEN
		RAISE EXCEPTION 'permission denied to unbind source "%"', role
			USING ERRCODE = 'insufficient_privilege',
				  HINT = 'Unbind as a member of customer_class_admin.';
	END IF;
	IF role IS NULL OR NOT EXISTS (SELECT FROM @extschema@.source_shape() sh WHERE sh.role = unbind_source.role) THEN
		RAISE EXCEPTION 'unknown source role "%"', role
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = format('The sources are: %s.', (SELECT string_agg(DISTINCT sh.role, ', ') FROM @extschema@.source_shape() sh));
	END IF;
	PERFORM @extschema@.source_view_default(role);
	DELETE FROM @extschema@.source_binding b WHERE b.role = unbind_source.role;
	PERFORM nextval('@extschema@.policy_version');
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.unbind_source(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.unbind_source(text) TO customer_class_admin;
COMMENT ON FUNCTION @extschema@.unbind_source(text) IS
	'point a canonical source back at its managed table (credit_limit: no per-company limits)';

-- the views, over the managed tables; handed over to the user with the
-- managed tables at the end of the script (sources/user_data.sql)
SELECT @extschema@.source_view_default(r)
FROM pg_catalog.unnest(ARRAY['customer', 'order', 'invoice', 'payment', 'credit_limit']) AS r;
ALTER VIEW @extschema@.source_customer OWNER TO customer_class_admin;
ALTER VIEW @extschema@.source_order OWNER TO customer_class_admin;
ALTER VIEW @extschema@.source_invoice OWNER TO customer_class_admin;
ALTER VIEW @extschema@.source_payment OWNER TO customer_class_admin;
ALTER VIEW @extschema@.source_credit_limit OWNER TO customer_class_admin;
GRANT SELECT ON @extschema@.source_customer, @extschema@.source_order, @extschema@.source_invoice,
	@extschema@.source_payment, @extschema@.source_credit_limit TO customer_class_reader;
COMMENT ON VIEW @extschema@.source_customer IS 'the customer source as bound (bind_source()); read it through src_customer';
COMMENT ON VIEW @extschema@.source_order IS 'the order source as bound (bind_source()); read it through src_order';
COMMENT ON VIEW @extschema@.source_invoice IS 'the invoice source as bound (bind_source()); read it through src_invoice';
COMMENT ON VIEW @extschema@.source_payment IS 'the payment source as bound (bind_source()); read it through src_payment';
COMMENT ON VIEW @extschema@.source_credit_limit IS 'the per-company credit limits as bound (bind_source()); read them through src_credit_limit';
