-- Credit control, part 2c: credit limit requests (SAP's credit limit
-- requests, Dynamics' temporary limits, 临时授信 / 信用特批).  docs/credit.md,
-- "Credit limit requests".
--
-- An analyst asks for a new or a temporary limit for a customer
-- (request_credit_limit); someone in a role above the requester's, never
-- the requester, approves it (approve_credit_limit), which writes a
-- credit_limit_override with the request's validity -- the one mechanism
-- that sets a customer's limit by hand, with its history in class_history --
-- or rejects it (reject_credit_limit).  "Above" by the roles of
-- base/roles.sql, each a member of the one before: customer_class_reader <
-- customer_class_analyst < customer_class_admin < superuser.  Every step is
-- recorded in class_history (dimension credit_limit_request), beside the
-- override's own credit_limit rows.  The table is written by these
-- functions only (SECURITY DEFINER, search_path pinned): nobody can approve
-- by an UPDATE.

CREATE TABLE @extschema@.credit_limit_request (
	request_id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	customer_id		bigint NOT NULL,
	credit_limit	numeric(18,2) NOT NULL,
	valid_from		date NOT NULL,
	valid_until		date,
	reason			text NOT NULL,
	requested_by	name NOT NULL,
	requester_role	text NOT NULL,
	requested_at	timestamptz NOT NULL DEFAULT pg_catalog.now(),
	status			text NOT NULL DEFAULT 'pending',
	decided_by		name,
	decided_at		timestamptz,
	decision_note	text,
	override_id		bigint
);
-- Written by request_credit_limit(), approve_credit_limit() and
-- reject_credit_limit() only, which validate (no CHECK constraints to
-- restate), like source_binding.
CREATE INDEX credit_limit_request_customer_idx ON @extschema@.credit_limit_request (customer_id, requested_at);
CREATE INDEX credit_limit_request_pending_idx ON @extschema@.credit_limit_request (requested_at) WHERE status = 'pending';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.credit_limit_request', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.credit_limit_request_request_id_seq', '');
GRANT SELECT ON @extschema@.credit_limit_request TO customer_class_reader;

-- The rank of a role among the extension's roles: 4 superuser, 3 member of
-- customer_class_admin, 2 of customer_class_analyst, 1 of
-- customer_class_reader, 0 none.
CREATE FUNCTION @extschema@.credit_role_rank(role_name name) RETURNS integer
	LANGUAGE sql STABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
	SELECT CASE
		WHEN (SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = credit_role_rank.role_name) THEN 4
		WHEN pg_catalog.pg_has_role(credit_role_rank.role_name, 'customer_class_admin', 'MEMBER') THEN 3
		WHEN pg_catalog.pg_has_role(credit_role_rank.role_name, 'customer_class_analyst', 'MEMBER') THEN 2
		WHEN pg_catalog.pg_has_role(credit_role_rank.role_name, 'customer_class_reader', 'MEMBER') THEN 1
		ELSE 0 END;
END;

-- the name of a rank, for the messages
CREATE FUNCTION @extschema@.credit_role_rank_name(rank integer) RETURNS text
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	RETURN CASE rank WHEN 4 THEN 'superuser' WHEN 3 THEN 'customer_class_admin'
					 WHEN 2 THEN 'customer_class_analyst' WHEN 1 THEN 'customer_class_reader' ELSE 'none' END;

-- Ask for a limit: valid_until NULL asks for a new limit with no end,
-- otherwise for a temporary one; valid_from defaults to as_of().  Returns
-- the request's id.
CREATE FUNCTION @extschema@.request_credit_limit(customer_id bigint, credit_limit numeric, reason text,
												 valid_from date DEFAULT NULL, valid_until date DEFAULT NULL)
	RETURNS bigint
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	caller name := @extschema@.access_caller();
	rank integer := @extschema@.credit_role_rank(@extschema@.access_caller());
	d date := coalesce(request_credit_limit.valid_from, @extschema@.as_of());
	id bigint;
BEGIN
	IF rank < 2 THEN
		RAISE EXCEPTION 'permission denied to request a credit limit'
			USING ERRCODE = 'insufficient_privilege',
				  HINT = 'Credit limits are requested by members of customer_class_analyst.';
	END IF;
	IF customer_id IS NULL OR NOT @extschema@.access_allows(customer_id, caller) THEN
		RAISE EXCEPTION 'customer % does not exist', coalesce(customer_id::text, 'NULL') USING ERRCODE = 'no_data_found';
	END IF;
	IF credit_limit IS NULL OR credit_limit < 0 THEN
		RAISE EXCEPTION 'request_credit_limit: the credit limit must be 0 or more, not %', coalesce(credit_limit::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF nullif(btrim(reason), '') IS NULL THEN
		RAISE EXCEPTION 'request_credit_limit: a reason is required'
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Say why the customer needs the limit, e.g. the order or the guarantee behind it.';
	END IF;
	IF valid_until IS NOT NULL AND valid_until <= d THEN
		RAISE EXCEPTION 'request_credit_limit: valid_until % is not after valid_from %', valid_until, d
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'valid_until is the first day the limit no longer applies; leave it NULL for a limit with no end.';
	END IF;
	IF valid_until IS NOT NULL AND valid_until <= @extschema@.as_of() THEN
		RAISE EXCEPTION 'request_credit_limit: valid_until % is past (as of %)', valid_until, @extschema@.as_of()
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	INSERT INTO @extschema@.credit_limit_request (customer_id, credit_limit, valid_from, valid_until, reason,
												  requested_by, requester_role)
	VALUES (customer_id, credit_limit, d, valid_until, reason, caller, @extschema@.credit_role_rank_name(rank))
	RETURNING request_id INTO id;
	INSERT INTO @extschema@.class_history (customer_id, dimension, old_value, new_value, as_of, why)
	VALUES (customer_id, 'credit_limit_request', NULL, 'pending', @extschema@.as_of(),
			format('credit limit request #%s by %s: %s from %s%s: %s', id, caller, credit_limit::numeric(18,2), d,
				   coalesce(' until ' || valid_until, ' with no end'), reason));
	RETURN id;
END
$$;

-- The request to decide, locked; errors for one that does not exist, is
-- decided already, is the caller's own or was asked by a role not below
-- the caller's.
CREATE FUNCTION @extschema@.credit_limit_request_to_decide(request_id bigint, verb text)
	RETURNS @extschema@.credit_limit_request
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	r @extschema@.credit_limit_request;
	caller name := @extschema@.access_caller();
	rank integer := @extschema@.credit_role_rank(@extschema@.access_caller());
	asked integer;
BEGIN
	SELECT * INTO r FROM @extschema@.credit_limit_request q WHERE q.request_id = credit_limit_request_to_decide.request_id
	FOR UPDATE;
	IF NOT FOUND OR NOT @extschema@.access_allows(r.customer_id, caller) THEN
		RAISE EXCEPTION 'credit limit request % does not exist', coalesce(request_id::text, 'NULL')
			USING ERRCODE = 'no_data_found';
	END IF;
	IF r.status <> 'pending' THEN
		RAISE EXCEPTION 'credit limit request % is % already', request_id, r.status
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = format('It was %s by %s.', r.status, r.decided_by),
				  HINT = 'A request is decided once; ask again with request_credit_limit().';
	END IF;
	IF r.requested_by = caller THEN
		RAISE EXCEPTION 'cannot % credit limit request %: you requested it', verb, request_id
			USING ERRCODE = 'insufficient_privilege',
				  HINT = 'Another person, in a role above yours, decides it.';
	END IF;
	-- above the requester's role when asking and now, whichever is higher
	asked := greatest(@extschema@.credit_role_rank(r.requested_by),
					  CASE r.requester_role WHEN 'superuser' THEN 4 WHEN 'customer_class_admin' THEN 3 ELSE 2 END);
	IF rank <= asked THEN
		RAISE EXCEPTION 'permission denied to % credit limit request %', verb, request_id
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = format('It was requested by %s (%s); you are %s.', r.requested_by, r.requester_role,
								  @extschema@.credit_role_rank_name(rank)),
				  HINT = format('A role above the requester''s decides it: %s.',
								@extschema@.credit_role_rank_name(least(asked + 1, 4)));
	END IF;
	RETURN r;
END
$$;
REVOKE EXECUTE ON FUNCTION @extschema@.credit_limit_request_to_decide(bigint, text) FROM PUBLIC;

-- Approve: writes the override (the requested limit from valid_from until
-- valid_until; none: with no end) and returns its id.
CREATE FUNCTION @extschema@.approve_credit_limit(request_id bigint, note text DEFAULT NULL) RETURNS bigint
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	r @extschema@.credit_limit_request;
	caller name := @extschema@.access_caller();
	o bigint;
BEGIN
	r := @extschema@.credit_limit_request_to_decide(request_id, 'approve');
	IF r.valid_until IS NOT NULL AND r.valid_until <= @extschema@.as_of() THEN
		RAISE EXCEPTION 'credit limit request % ended on % (as of %)', request_id, r.valid_until, @extschema@.as_of()
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Reject it, and ask again with new dates.';
	END IF;
	INSERT INTO @extschema@.credit_limit_override (customer_id, credit_limit, reason, set_by, valid_from, expires_on)
	VALUES (r.customer_id, r.credit_limit,
			format('credit limit request #%s by %s, approved by %s: %s%s', r.request_id, r.requested_by, caller,
				   r.reason, coalesce(' (' || nullif(btrim(note), '') || ')', '')),
			caller, r.valid_from, coalesce(r.valid_until, 'infinity'))
	RETURNING override_id INTO o;
	UPDATE @extschema@.credit_limit_request q
	SET status = 'approved', decided_by = caller, decided_at = pg_catalog.now(), decision_note = note, override_id = o
	WHERE q.request_id = r.request_id;
	INSERT INTO @extschema@.class_history (customer_id, dimension, old_value, new_value, as_of, why)
	VALUES (r.customer_id, 'credit_limit_request', 'pending', 'approved', @extschema@.as_of(),
			format('credit limit request #%s approved by %s: override #%s%s', r.request_id, caller, o,
				   coalesce(': ' || nullif(btrim(note), ''), '')));
	RETURN o;
END
$$;

-- Reject, with the reason why (required).
CREATE FUNCTION @extschema@.reject_credit_limit(request_id bigint, note text) RETURNS void
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	r @extschema@.credit_limit_request;
	caller name := @extschema@.access_caller();
BEGIN
	r := @extschema@.credit_limit_request_to_decide(request_id, 'reject');
	IF nullif(btrim(note), '') IS NULL THEN
		RAISE EXCEPTION 'reject_credit_limit: say why the request is rejected'
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Give the reason as the note; the requester reads it in credit_limit_request.';
	END IF;
	UPDATE @extschema@.credit_limit_request q
	SET status = 'rejected', decided_by = caller, decided_at = pg_catalog.now(), decision_note = note
	WHERE q.request_id = r.request_id;
	INSERT INTO @extschema@.class_history (customer_id, dimension, old_value, new_value, as_of, why)
	VALUES (r.customer_id, 'credit_limit_request', 'pending', 'rejected', @extschema@.as_of(),
			format('credit limit request #%s rejected by %s: %s', r.request_id, caller, note));
END
$$;

REVOKE EXECUTE ON FUNCTION @extschema@.request_credit_limit(bigint, numeric, text, date, date) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.approve_credit_limit(bigint, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.reject_credit_limit(bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.request_credit_limit(bigint, numeric, text, date, date) TO customer_class_analyst;
GRANT EXECUTE ON FUNCTION @extschema@.approve_credit_limit(bigint, text) TO customer_class_admin;
GRANT EXECUTE ON FUNCTION @extschema@.reject_credit_limit(bigint, text) TO customer_class_admin;

COMMENT ON TABLE @extschema@.credit_limit_request IS
	'requests for a new or temporary credit limit, approved or rejected by a role above the requester''s; an approval writes a credit_limit_override';
COMMENT ON COLUMN @extschema@.credit_limit_request.request_id IS 'request key';
COMMENT ON COLUMN @extschema@.credit_limit_request.customer_id IS 'customer';
COMMENT ON COLUMN @extschema@.credit_limit_request.credit_limit IS 'limit asked for';
COMMENT ON COLUMN @extschema@.credit_limit_request.valid_from IS 'first as-of date the limit is to apply to';
COMMENT ON COLUMN @extschema@.credit_limit_request.valid_until IS 'first as-of date it no longer applies to (a temporary limit); NULL: a new limit with no end';
COMMENT ON COLUMN @extschema@.credit_limit_request.reason IS 'why (required)';
COMMENT ON COLUMN @extschema@.credit_limit_request.requested_by IS 'who asked (the session''s role)';
COMMENT ON COLUMN @extschema@.credit_limit_request.requester_role IS 'the requester''s highest role when asking: customer_class_analyst, customer_class_admin or superuser';
COMMENT ON COLUMN @extschema@.credit_limit_request.requested_at IS 'when it was asked';
COMMENT ON COLUMN @extschema@.credit_limit_request.status IS 'pending, approved or rejected';
COMMENT ON COLUMN @extschema@.credit_limit_request.decided_by IS 'who approved or rejected it';
COMMENT ON COLUMN @extschema@.credit_limit_request.decided_at IS 'when';
COMMENT ON COLUMN @extschema@.credit_limit_request.decision_note IS 'the decider''s note (required for a rejection)';
COMMENT ON COLUMN @extschema@.credit_limit_request.override_id IS 'the credit_limit_override the approval wrote';
COMMENT ON FUNCTION @extschema@.credit_role_rank(name) IS
	'rank of a role among the extension''s: 4 superuser, 3 customer_class_admin, 2 customer_class_analyst, 1 customer_class_reader, 0 none';
COMMENT ON FUNCTION @extschema@.credit_role_rank_name(integer) IS 'the role a rank of credit_role_rank() stands for';
COMMENT ON FUNCTION @extschema@.request_credit_limit(bigint, numeric, text, date, date) IS
	'ask for a new (valid_until NULL) or temporary credit limit for a customer; returns the request id';
COMMENT ON FUNCTION @extschema@.credit_limit_request_to_decide(bigint, text) IS
	'internal: the pending request a caller in a role above the requester''s may decide, locked';
COMMENT ON FUNCTION @extschema@.approve_credit_limit(bigint, text) IS
	'approve a credit limit request (a role above the requester''s, not the requester): writes the override; returns its id';
COMMENT ON FUNCTION @extschema@.reject_credit_limit(bigint, text) IS
	'reject a credit limit request (a role above the requester''s, not the requester), saying why';
