-- The ordered classes.  Enum order is the order of the class: A is the best
-- grade (A < B < C < D), a lifecycle runs potential -> churned, and so on.
-- class_label gives every label an English and a Simplified Chinese name.

CREATE TYPE @extschema@.credit_grade AS ENUM ('A', 'B', 'C', 'D');
CREATE TYPE @extschema@.lifecycle_stage AS ENUM
	('potential', 'new', 'active', 'reactivated', 'dormant', 'churned');
CREATE TYPE @extschema@.lifecycle_phase AS ENUM
	('introduction', 'growth', 'maturity', 'decline');
CREATE TYPE @extschema@.alert_level AS ENUM ('green', 'yellow', 'red');

COMMENT ON TYPE @extschema@.credit_grade IS 'credit grade: A (best) to D (worst)';
COMMENT ON TYPE @extschema@.lifecycle_stage IS 'where a customer is in its life with us';
COMMENT ON TYPE @extschema@.lifecycle_phase IS 'revenue phase: introduction, growth, maturity, decline';
COMMENT ON TYPE @extschema@.alert_level IS 'alert level: green, yellow, red';

-- Display names, as a view over constants: they are part of the extension
-- (not user data), so a dump/restore or an upgrade brings them back as shipped.
CREATE VIEW @extschema@.class_label AS
	SELECT dimension, value, label_en, label_zh
	FROM (VALUES
	('credit_grade', 'A', 'A - excellent', 'A - 优'),
		('credit_grade', 'B', 'B - good', 'B - 良'),
		('credit_grade', 'C', 'C - watch', 'C - 关注'),
		('credit_grade', 'D', 'D - high risk', 'D - 高风险'),
		('lifecycle_stage', 'potential', 'potential', '潜在客户'),
		('lifecycle_stage', 'new', 'new', '新客户'),
		('lifecycle_stage', 'active', 'active', '活跃客户'),
		('lifecycle_stage', 'reactivated', 'reactivated', '回流客户'),
		('lifecycle_stage', 'dormant', 'dormant', '沉睡客户'),
		('lifecycle_stage', 'churned', 'churned', '流失客户'),
		('lifecycle_phase', 'introduction', 'introduction', '导入期'),
		('lifecycle_phase', 'growth', 'growth', '成长期'),
		('lifecycle_phase', 'maturity', 'maturity', '成熟期'),
		('lifecycle_phase', 'decline', 'decline', '衰退期'),
		('alert_level', 'green', 'green', '绿色'),
		('alert_level', 'yellow', 'yellow', '黄色'),
		('alert_level', 'red', 'red', '红色')
	) AS l (dimension, value, label_en, label_zh);

COMMENT ON VIEW @extschema@.class_label IS
	'display names of class values in English and Simplified Chinese';
COMMENT ON COLUMN @extschema@.class_label.dimension IS
	'class dimension: credit_grade, lifecycle_stage, lifecycle_phase, alert_level, ...';
COMMENT ON COLUMN @extschema@.class_label.value IS 'the class value as stored';
COMMENT ON COLUMN @extschema@.class_label.label_en IS 'English display name';
COMMENT ON COLUMN @extschema@.class_label.label_zh IS 'Simplified Chinese display name';

GRANT SELECT ON @extschema@.class_label TO customer_class_reader;
