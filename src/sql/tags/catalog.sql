-- The tag catalog: dimensions (a tag prefix such as industry, with display
-- names and whether a customer may hold more than one tag of it) and the
-- known tags or prefixes with English and Simplified Chinese display names.
-- Exclusive dimensions are enforced on the managed customer table.
--
-- Rows shipped with the extension have shipped = true and are left out of
-- pg_dump (CREATE EXTENSION recreates them, so a restore never collides
-- with them); rows users add are dumped.  Edits to shipped rows are not
-- kept by pg_dump: add your own rows instead (see docs/tags.md).

CREATE TABLE @extschema@.tag_dimension (
	dimension			text PRIMARY KEY,
	exclusive			boolean NOT NULL DEFAULT false,
	label_en			text NOT NULL,
	label_zh			text NOT NULL,
	description			text,
	shipped				boolean NOT NULL DEFAULT false,
	CONSTRAINT tag_dimension_is_tag
		CHECK (@extschema@.cardinality(@extschema@.tagset(ARRAY[dimension])) = 1)
);

CREATE TABLE @extschema@.tag_catalog (
	tag					text PRIMARY KEY,
	dimension			text NOT NULL REFERENCES @extschema@.tag_dimension ON UPDATE CASCADE,
	label_en			text NOT NULL,
	label_zh			text NOT NULL,
	description			text,
	shipped				boolean NOT NULL DEFAULT false,
	CONSTRAINT tag_catalog_is_tag
		CHECK (@extschema@.cardinality(@extschema@.tagset(ARRAY[tag])) = 1),
	CONSTRAINT tag_catalog_tag_in_dimension
		CHECK (tag = dimension OR pg_catalog.starts_with(tag, dimension || '.'))
);
CREATE INDEX tag_catalog_dimension_idx ON @extschema@.tag_catalog (dimension);

SELECT pg_catalog.pg_extension_config_dump('@extschema@.tag_dimension', 'WHERE NOT shipped');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.tag_catalog', 'WHERE NOT shipped');

GRANT SELECT ON @extschema@.tag_dimension, @extschema@.tag_catalog TO customer_class_reader;
GRANT INSERT, UPDATE, DELETE ON @extschema@.tag_dimension, @extschema@.tag_catalog
	TO customer_class_admin;

COMMENT ON TABLE @extschema@.tag_dimension IS
	'tag dimensions: a tag prefix (industry, region, size, ...) with display names and exclusivity';
COMMENT ON COLUMN @extschema@.tag_dimension.dimension IS
	'the dimension''s tag prefix, e.g. industry: its tags are industry.<...>';
COMMENT ON COLUMN @extschema@.tag_dimension.exclusive IS
	'true: a customer holds at most one tag of this dimension (enforced on customer.tags)';
COMMENT ON COLUMN @extschema@.tag_dimension.label_en IS 'English display name';
COMMENT ON COLUMN @extschema@.tag_dimension.label_zh IS 'Simplified Chinese display name';
COMMENT ON COLUMN @extschema@.tag_dimension.description IS 'what the dimension means';
COMMENT ON COLUMN @extschema@.tag_dimension.shipped IS
	'row shipped with the extension (recreated by CREATE EXTENSION, not dumped)';

COMMENT ON TABLE @extschema@.tag_catalog IS
	'known tags and tag prefixes with English and Simplified Chinese display names';
COMMENT ON COLUMN @extschema@.tag_catalog.tag IS
	'a tag, or a prefix standing for itself and every tag below it';
COMMENT ON COLUMN @extschema@.tag_catalog.dimension IS 'the dimension the tag belongs to';
COMMENT ON COLUMN @extschema@.tag_catalog.label_en IS 'English display name';
COMMENT ON COLUMN @extschema@.tag_catalog.label_zh IS 'Simplified Chinese display name';
COMMENT ON COLUMN @extschema@.tag_catalog.description IS 'what the tag means';
COMMENT ON COLUMN @extschema@.tag_catalog.shipped IS
	'row shipped with the extension (recreated by CREATE EXTENSION, not dumped)';

INSERT INTO @extschema@.tag_dimension (dimension, exclusive, label_en, label_zh, description, shipped) VALUES
	('industry', true, 'Industry', '行业', 'the customer''s industry: one per customer', true),
	('region', true, 'Region', '地区', 'the customer''s region as a path, e.g. region.east.shanghai: one per customer', true),
	('size', true, 'Size', '规模', 'the customer''s size class: one per customer', true),
	('profit', false, 'Profitability', '盈利能力', 'profitability classes, e.g. profit.high given by a tag rule on gross_margin_12m (docs/reporting.md)', true);

INSERT INTO @extschema@.tag_catalog (tag, dimension, label_en, label_zh, shipped) VALUES
	('industry', 'industry', 'Industry', '行业', true),
	('industry.manufacturing', 'industry', 'Manufacturing', '制造业', true),
	('industry.retail', 'industry', 'Retail', '零售业', true),
	('industry.construction', 'industry', 'Construction', '建筑业', true),
	('industry.services', 'industry', 'Services', '服务业', true),
	('industry.real_estate', 'industry', 'Real estate', '房地产业', true),
	('industry.wholesale', 'industry', 'Wholesale', '批发业', true),
	('industry.logistics', 'industry', 'Logistics', '物流业', true),
	('industry.technology', 'industry', 'Technology', '科技业', true),
	('region', 'region', 'Region', '地区', true),
	('region.east', 'region', 'East China', '华东', true),
	('region.east.shanghai', 'region', 'Shanghai', '上海', true),
	('region.east.hangzhou', 'region', 'Hangzhou', '杭州', true),
	('region.east.nanjing', 'region', 'Nanjing', '南京', true),
	('region.north', 'region', 'North China', '华北', true),
	('region.north.beijing', 'region', 'Beijing', '北京', true),
	('region.north.tianjin', 'region', 'Tianjin', '天津', true),
	('region.south', 'region', 'South China', '华南', true),
	('region.south.guangzhou', 'region', 'Guangzhou', '广州', true),
	('region.south.shenzhen', 'region', 'Shenzhen', '深圳', true),
	('region.west', 'region', 'West China', '西部', true),
	('region.west.chengdu', 'region', 'Chengdu', '成都', true),
	('region.west.chongqing', 'region', 'Chongqing', '重庆', true),
	('region.central', 'region', 'Central China', '华中', true),
	('region.central.wuhan', 'region', 'Wuhan', '武汉', true),
	('size', 'size', 'Size', '规模', true),
	('size.micro', 'size', 'Micro', '微型', true),
	('size.small', 'size', 'Small', '小型', true),
	('size.medium', 'size', 'Medium', '中型', true),
	('size.large', 'size', 'Large', '大型', true),
	('profit', 'profit', 'Profitability', '盈利能力', true),
	('profit.high', 'profit', 'High-profit customer', '高利润客户', true);

-- tagquery for "prefix and everything below it", the prefix quoted
CREATE FUNCTION @extschema@.tag_subtree_query(prefix text) RETURNS @extschema@.tagquery
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	RETURN pg_catalog.concat('"', pg_catalog.replace(pg_catalog.replace(prefix, '\', '\\'), '"', '\"'), '".*')::@extschema@.tagquery;
COMMENT ON FUNCTION @extschema@.tag_subtree_query(text) IS
	'the tagquery prefix.* (the prefix and every tag below it), for any prefix text';

-- the first exclusive dimension of which tags hold more than one tag, with those tags
CREATE FUNCTION @extschema@.exclusive_conflict(tags @extschema@.tagset,
	OUT dimension text, OUT conflicting text[])
	LANGUAGE sql STABLE STRICT PARALLEL SAFE
	BEGIN ATOMIC
		SELECT d.dimension, pg_catalog.array_agg(t.tag ORDER BY t.tag)
		FROM @extschema@.tag_dimension d
		JOIN @extschema@.tags(exclusive_conflict.tags) AS t(tag)
		  ON t.tag = d.dimension OR pg_catalog.starts_with(t.tag, d.dimension || '.')
		WHERE d.exclusive
		GROUP BY d.dimension
		HAVING pg_catalog.count(*) > 1
		ORDER BY d.dimension
		LIMIT 1;
	END;
COMMENT ON FUNCTION @extschema@.exclusive_conflict(@extschema@.tagset) IS
	'the first exclusive dimension in which the tags hold more than one tag, and those tags (no row when none)';

-- the exclusive dimension a tag lies in (the dimension itself or below it)
CREATE FUNCTION @extschema@.exclusive_dimension_of(tag text) RETURNS text
	LANGUAGE sql STABLE STRICT PARALLEL SAFE
	BEGIN ATOMIC
		SELECT d.dimension
		FROM @extschema@.tag_dimension d
		WHERE d.exclusive
		  AND (exclusive_dimension_of.tag = d.dimension
			   OR pg_catalog.starts_with(exclusive_dimension_of.tag, d.dimension || '.'))
		ORDER BY d.dimension
		LIMIT 1;
	END;
COMMENT ON FUNCTION @extschema@.exclusive_dimension_of(text) IS
	'the exclusive dimension the tag is or lies below (NULL when none)';

-- trigger on customer: at most one tag per exclusive dimension
CREATE FUNCTION @extschema@.customer_tags_check() RETURNS trigger
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	c record;
BEGIN
	SELECT * INTO c FROM @extschema@.exclusive_conflict(NEW.tags);
	IF c.dimension IS NOT NULL THEN
		RAISE EXCEPTION 'customer % (%) holds % tags of exclusive dimension "%"',
			NEW.customer_id, NEW.name, cardinality(c.conflicting), c.dimension
			USING ERRCODE = 'check_violation',
				  DETAIL = format('Conflicting tags: %s.', array_to_string(c.conflicting, ', ')),
				  HINT = format('A customer holds at most one tag below "%s"; remove the others first (tags - ''tag''::text).', c.dimension);
	END IF;
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION @extschema@.customer_tags_check() IS
	'trigger: a customer holds at most one tag of each exclusive dimension';
-- its trigger on customer: sources/triggers.sql

-- trigger on tag_dimension: making a dimension exclusive must not leave a
-- customer holding several of its tags
CREATE FUNCTION @extschema@.tag_dimension_check() RETURNS trigger
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	c record;
BEGIN
	-- Wait for customer writes in flight and hold new ones off until this
	-- transaction ends: otherwise a customer inserted concurrently with two
	-- tags of the dimension, which saw it not yet exclusive, could commit
	-- beside this change.  (Under READ COMMITTED the check below then sees
	-- every committed customer; SHARE ROW EXCLUSIVE conflicts with the
	-- ROW EXCLUSIVE lock of INSERT and UPDATE, and with itself.)
	LOCK TABLE @extschema@.customer IN SHARE ROW EXCLUSIVE MODE;
	SELECT cu.customer_id, cu.name,
		   ARRAY(SELECT t FROM @extschema@.tags(cu.tags) AS t
				 WHERE t = NEW.dimension OR starts_with(t, NEW.dimension || '.')) AS conflicting
	INTO c
	FROM @extschema@.customer cu
	WHERE cu.tags OPERATOR(@extschema@.@@) @extschema@.tag_subtree_query(NEW.dimension)
	  AND cardinality(ARRAY(SELECT t FROM @extschema@.tags(cu.tags) AS t
							WHERE t = NEW.dimension OR starts_with(t, NEW.dimension || '.'))) > 1
	ORDER BY cu.customer_id
	LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'dimension "%" cannot be exclusive: customer % (%) holds % of its tags',
			NEW.dimension, c.customer_id, c.name, cardinality(c.conflicting)
			USING ERRCODE = 'check_violation',
				  DETAIL = format('Conflicting tags: %s.', array_to_string(c.conflicting, ', ')),
				  HINT = 'Leave one tag of the dimension per customer first.';
	END IF;
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION @extschema@.tag_dimension_check() IS
	'trigger: a dimension can become exclusive only when no customer holds two of its tags (locks customer against concurrent writes)';

CREATE TRIGGER tag_dimension_exclusive
	AFTER INSERT OR UPDATE OF exclusive, dimension ON @extschema@.tag_dimension
	FOR EACH ROW WHEN (NEW.exclusive)
	EXECUTE FUNCTION @extschema@.tag_dimension_check();

-- Errors that say what is accepted (checks/explain.sql): the WHEN clause is
-- true exactly when one of the table's CHECK constraints is false (a NULL
-- result passes a CHECK); keep it in step with the table's CHECKs.
CREATE TRIGGER tag_catalog_explain_check BEFORE INSERT OR UPDATE ON @extschema@.tag_catalog
	FOR EACH ROW WHEN ((NEW.tag = NEW.dimension OR pg_catalog.starts_with(NEW.tag, NEW.dimension || '.')) IS FALSE)
	EXECUTE FUNCTION @extschema@.explain_check_violation();
