-- The ordered classes.  Enum order is the order of the class: A is the best
-- grade (A < B < C < D), a lifecycle runs potential -> churned, and so on.
-- class_label gives every label an English and a Simplified Chinese name.

CREATE TYPE @extschema@.credit_grade AS ENUM ('A', 'B', 'C', 'D');
CREATE TYPE @extschema@.lifecycle_stage AS ENUM
	('potential', 'new', 'active', 'reactivated', 'dormant', 'churned');
CREATE TYPE @extschema@.lifecycle_phase AS ENUM
	('introduction', 'growth', 'maturity', 'decline');
CREATE TYPE @extschema@.alert_level AS ENUM ('green', 'yellow', 'red');
CREATE TYPE @extschema@.behaviour_segment AS ENUM
	('high_frequency_stable', 'regular', 'occasional_large', 'newcomer',
	 'late_payer', 'overdue_high_risk', 'lapsed', 'no_purchase');
CREATE TYPE @extschema@.rfm_segment AS ENUM
	('champions', 'loyal', 'potential_loyalist', 'new', 'promising', 'need_attention',
	 'about_to_sleep', 'at_risk', 'cant_lose_them', 'hibernating', 'lost');

COMMENT ON TYPE @extschema@.credit_grade IS 'credit grade: A (best) to D (worst)';
COMMENT ON TYPE @extschema@.lifecycle_stage IS 'where a customer is in its life with us';
COMMENT ON TYPE @extschema@.lifecycle_phase IS 'revenue phase: introduction, growth, maturity, decline';
COMMENT ON TYPE @extschema@.alert_level IS 'alert level: green, yellow, red';
COMMENT ON TYPE @extschema@.behaviour_segment IS 'how a customer buys and pays (first-match rules in docs/lifecycle.md)';
COMMENT ON TYPE @extschema@.rfm_segment IS 'named RFM segment from the recency, frequency and monetary quintile scores';

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
		('segment', 'high_frequency_stable', 'high-frequency stable', '高频稳定'),
		('segment', 'regular', 'regular', '常规客户'),
		('segment', 'occasional_large', 'occasional large', '偶发大额'),
		('segment', 'newcomer', 'newcomer', '新近客户'),
		('segment', 'late_payer', 'late payer', '惯性拖欠'),
		('segment', 'overdue_high_risk', 'overdue high-risk', '逾期高风险'),
		('segment', 'lapsed', 'lapsed', '失联客户'),
		('segment', 'no_purchase', 'no purchase yet', '尚未购买'),
		('rfm_segment', 'champions', 'Champions', '冠军客户'),
		('rfm_segment', 'loyal', 'Loyal', '忠诚客户'),
		('rfm_segment', 'potential_loyalist', 'Potential Loyalist', '潜在忠诚客户'),
		('rfm_segment', 'new', 'New', '新客户'),
		('rfm_segment', 'promising', 'Promising', '有潜力客户'),
		('rfm_segment', 'need_attention', 'Need Attention', '需要关注'),
		('rfm_segment', 'about_to_sleep', 'About to Sleep', '即将沉睡'),
		('rfm_segment', 'at_risk', 'At Risk', '有流失风险'),
		('rfm_segment', 'cant_lose_them', 'Can''t Lose Them', '不能失去'),
		('rfm_segment', 'hibernating', 'Hibernating', '休眠客户'),
		('rfm_segment', 'lost', 'Lost', '已流失'),
		('alert_level', 'green', 'green', '绿色'),
		('alert_level', 'yellow', 'yellow', '黄色'),
		('alert_level', 'red', 'red', '红色'),
		('customer_type', 'enterprise', 'enterprise', '企业'),
		('customer_type', 'individual', 'individual', '个人'),
		('size_class', 'micro', 'micro', '微型'),
		('size_class', 'small', 'small', '小型'),
		('size_class', 'medium', 'medium', '中型'),
		('size_class', 'large', 'large', '大型')
	) AS l (dimension, value, label_en, label_zh);

COMMENT ON VIEW @extschema@.class_label IS
	'display names of class values in English and Simplified Chinese';
COMMENT ON COLUMN @extschema@.class_label.dimension IS
	'class dimension: credit_grade, lifecycle_stage, lifecycle_phase, segment, rfm_segment, alert_level, customer_type, size_class';
COMMENT ON COLUMN @extschema@.class_label.value IS 'the class value as stored';
COMMENT ON COLUMN @extschema@.class_label.label_en IS 'English display name';
COMMENT ON COLUMN @extschema@.class_label.label_zh IS 'Simplified Chinese display name';

GRANT SELECT ON @extschema@.class_label TO customer_class_reader;
