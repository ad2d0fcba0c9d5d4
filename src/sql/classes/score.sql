-- Scoring: facts + scorecard -> dimension points, score and grade, in C.

CREATE TYPE @extschema@.credit_result AS (
	scale_points	numeric,
	payment_points	numeric,
	stability_points numeric,
	risk_points		numeric,
	internal_score	numeric,
	score			numeric,
	grade			@extschema@.credit_grade,
	scale_contribution numeric,
	payment_contribution numeric,
	stability_contribution numeric,
	risk_contribution numeric,
	external_contribution numeric
);
COMMENT ON TYPE @extschema@.credit_result IS
	'a credit score: points per dimension (0-100, hundredths), the weighted internal score, the score after blending an external one (the exact weighted sum rounded once, half away from zero), the grade, and the contribution of each dimension and of the external score (NULL when none is blended), which add up to the score exactly';

CREATE FUNCTION @extschema@.credit_score(facts @extschema@.credit_facts, card @extschema@.scorecard)
	RETURNS @extschema@.credit_result
	AS 'MODULE_PATHNAME', 'credit_score_compute'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.credit_score(@extschema@.credit_facts, @extschema@.scorecard) IS
	'score credit facts under a scorecard: dimension points, score and grade (formulas in docs/scoring.md)';
