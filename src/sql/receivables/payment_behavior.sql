-- Payment behaviour over a customer's invoices: the state type
-- payment_stats, the result type payment_behavior and the aggregates.
-- See docs/receivables.md for the rules and the index anchors.

CREATE TYPE @extschema@.payment_stats;

CREATE FUNCTION @extschema@.payment_stats_in(cstring) RETURNS @extschema@.payment_stats
	AS 'MODULE_PATHNAME', 'payment_stats_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.payment_stats_out(@extschema@.payment_stats) RETURNS cstring
	AS 'MODULE_PATHNAME', 'payment_stats_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.payment_stats_recv(internal) RETURNS @extschema@.payment_stats
	AS 'MODULE_PATHNAME', 'payment_stats_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.payment_stats_send(@extschema@.payment_stats) RETURNS bytea
	AS 'MODULE_PATHNAME', 'payment_stats_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE @extschema@.payment_stats (
	INPUT = @extschema@.payment_stats_in,
	OUTPUT = @extschema@.payment_stats_out,
	RECEIVE = @extschema@.payment_stats_recv,
	SEND = @extschema@.payment_stats_send,
	INTERNALLENGTH = VARIABLE,
	ALIGNMENT = double,
	STORAGE = plain
);
COMMENT ON TYPE @extschema@.payment_stats IS
	'state of payment_behavior_agg: exact counts, balances and amount x days sums over a customer''s invoices; text form is JSON and round-trips exactly';

CREATE TYPE @extschema@.payment_behavior AS (
	invoices			bigint,
	billed				numeric,
	open_invoices		bigint,
	open_balance		numeric,
	overdue_balance		numeric,
	max_days_past_due	integer,
	paid_invoices		bigint,
	paid_on_time		bigint,
	paid_late			bigint,
	on_time_ratio		numeric,
	on_time_amount_ratio numeric,
	avg_days_to_pay		numeric,
	days_beyond_terms	numeric,
	avg_days_vs_terms	numeric,
	payment_index		numeric
);
COMMENT ON TYPE @extschema@.payment_behavior IS
	'payment behaviour of a customer as of a date: invoices and amount billed, open and overdue balance, max days past due of an open invoice, paid / on time / late counts, on-time ratio by count and by amount, amount-weighted days to pay, days beyond terms (early = 0), signed days vs terms, PAYDEX-style index 20-100 (NULL below 3 paid invoices)';

CREATE FUNCTION @extschema@.payment_stats_accum(@extschema@.payment_stats,
	numeric, date, date, date, date)
	RETURNS @extschema@.payment_stats
	AS 'MODULE_PATHNAME', 'payment_stats_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.payment_stats_accum(@extschema@.payment_stats,
	numeric, date, date, date, date, numeric)
	RETURNS @extschema@.payment_stats
	AS 'MODULE_PATHNAME', 'payment_stats_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.payment_stats_combine(@extschema@.payment_stats, @extschema@.payment_stats)
	RETURNS @extschema@.payment_stats
	AS 'MODULE_PATHNAME', 'payment_stats_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.payment_behavior(@extschema@.payment_stats)
	RETURNS @extschema@.payment_behavior
	AS 'MODULE_PATHNAME', 'payment_behavior_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.payment_behavior(@extschema@.payment_stats) IS
	'the ratios, averages and payment index of a payment_stats value';

CREATE FUNCTION @extschema@.payment_stats_add(@extschema@.payment_stats, @extschema@.payment_stats)
	RETURNS @extschema@.payment_stats
	AS 'MODULE_PATHNAME', 'payment_stats_add' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OPERATOR @extschema@.+ (
	LEFTARG = @extschema@.payment_stats,
	RIGHTARG = @extschema@.payment_stats,
	FUNCTION = @extschema@.payment_stats_add,
	COMMUTATOR = OPERATOR(@extschema@.+)
);
COMMENT ON OPERATOR @extschema@.+ (@extschema@.payment_stats, @extschema@.payment_stats) IS
	'combined payment statistics of two sets of invoices';

CREATE AGGREGATE @extschema@.payment_stats_agg(amount numeric, issued_on date, due_on date,
	paid_on date, as_of date) (
	SFUNC = @extschema@.payment_stats_accum,
	STYPE = @extschema@.payment_stats,
	COMBINEFUNC = @extschema@.payment_stats_combine,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.payment_stats_agg(numeric, date, date, date, date) IS
	'payment statistics (state form, for storing and combining) of invoices as of a date; paid_on NULL = still open';

CREATE AGGREGATE @extschema@.payment_stats_agg(amount numeric, issued_on date, due_on date,
	paid_on date, as_of date, open_amount numeric) (
	SFUNC = @extschema@.payment_stats_accum,
	STYPE = @extschema@.payment_stats,
	COMBINEFUNC = @extschema@.payment_stats_combine,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.payment_stats_agg(numeric, date, date, date, date, numeric) IS
	'payment statistics (state form) with each invoice''s open amount as of the date given';

CREATE AGGREGATE @extschema@.payment_behavior_agg(amount numeric, issued_on date, due_on date,
	paid_on date, as_of date) (
	SFUNC = @extschema@.payment_stats_accum,
	STYPE = @extschema@.payment_stats,
	FINALFUNC = @extschema@.payment_behavior,
	COMBINEFUNC = @extschema@.payment_stats_combine,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.payment_behavior_agg(numeric, date, date, date, date) IS
	'payment behaviour of invoices as of a date (paid_on NULL = still open): counts, balances, on-time ratios, days to pay, days beyond terms, PAYDEX-style index';

CREATE AGGREGATE @extschema@.payment_behavior_agg(amount numeric, issued_on date, due_on date,
	paid_on date, as_of date, open_amount numeric) (
	SFUNC = @extschema@.payment_stats_accum,
	STYPE = @extschema@.payment_stats,
	FINALFUNC = @extschema@.payment_behavior,
	COMBINEFUNC = @extschema@.payment_stats_combine,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.payment_behavior_agg(numeric, date, date, date, date, numeric) IS
	'payment behaviour of invoices with each one''s open amount as of the date given (partial payments)';
