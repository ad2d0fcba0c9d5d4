# Every dump/restore path PostgreSQL documents keeps every row of every table
# and every sequence position, and leaves the restored database in the very
# state of the origin: the same refresh queue, the same exposure ledger, the
# same profiles, history and alerts, so that the next refresh() gives the
# same classes.  Paths: plain pg_dump | psql; -Fc with serial pg_restore, also
# in a single transaction; -Fc with pg_restore -j 2; -Fd -j 2 both ways; and
# data-only (plain, and -Fc with pg_restore -j 2, both in replication mode)
# into a database that already has the extension.  A data-only restore with
# the triggers on warns and is repaired.  Then DROP EXTENSION refuses to drop
# the managed tables, with CASCADE keeps their rows, and CREATE EXTENSION
# again wants them moved aside first.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $src = $ENV{CC_SRCDIR} or die "CC_SRCDIR not set";
my $node = PostgreSQL::Test::Cluster->new('dump');
$node->init;
$node->start;

$node->safe_psql('postgres', 'CREATE DATABASE origin');
$node->safe_psql('origin', 'CREATE EXTENSION customer_class');
$node->command_ok(
	[ 'psql', '-X', '-q', '-d', $node->connstr('origin'), '-v', 'customers=300',
	  '-v', 'as_of=2025-12-31', '-f', "$src/test/data/generate.sql" ],
	'sample data loads');
$node->safe_psql('origin', q{
	INSERT INTO customer_class.tag_rule (tag, condition, description)
	VALUES ('watch.collection', $$tags @@ 'industry.construction' AND overdue_invoices >= 2$$, 'dump test');
	SELECT customer_class.refresh('2025-12-31');
	-- after the refresh: work still queued, which a restore must keep queued
	-- (and an unapplied payment in the ledger)
	INSERT INTO customer_class.payment (customer_id, paid_on, amount) VALUES (7, '2025-12-31', 123.45);
});

# every table of the extension's schema and of the sample schema, with a
# digest of its rows
my $digest = q{
	SELECT string_agg(format('%s %s %s', c.oid::regclass, x.n, x.h), E'\n' ORDER BY c.oid::regclass::text)
	FROM pg_class c
	CROSS JOIN LATERAL (SELECT * FROM query_to_xml(format(
		'SELECT count(*) AS n, md5(coalesce(string_agg(t::text, %L ORDER BY t::text), %L)) AS h FROM %s t',
		',', '', c.oid::regclass), false, false, '')) q(x0)
	CROSS JOIN LATERAL (SELECT (xpath('//n/text()', x0))[1]::text AS n, (xpath('//h/text()', x0))[1]::text AS h) x
	WHERE c.relnamespace IN ('customer_class'::regnamespace, 'sample'::regnamespace) AND c.relkind = 'r'
};
my $sequences = q{
	SELECT string_agg(format('%s %s', c.oid::regclass, pg_sequence_last_value(c.oid)), E'\n' ORDER BY c.oid::regclass::text)
	FROM pg_class c
	WHERE c.relnamespace IN ('customer_class'::regnamespace, 'sample'::regnamespace) AND c.relkind = 'S'
};
# what belongs to the extension, and what the user's tables carry
my $shape = q{
	SELECT string_agg(d, E'\n' ORDER BY d) FROM (
		SELECT 'member ' || pg_describe_object(classid, objid, objsubid) AS d
		FROM pg_depend
		WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
		  AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'customer_class')
		UNION ALL
		SELECT format('trigger %s %s %s', tgrelid::regclass, tgname, tgenabled) FROM pg_trigger
		WHERE NOT tgisinternal AND tgrelid::regclass::text ~ '^customer_class\.(customer|sales_order|invoice|payment)$'
		UNION ALL
		SELECT format('constraint %s %s %s', conrelid::regclass, conname, pg_get_constraintdef(oid)) FROM pg_constraint
		WHERE conrelid::regclass::text ~ '^customer_class\.(customer|sales_order|invoice|payment)$'
		UNION ALL
		SELECT format('relation %s %s %s', oid::regclass, relkind, relacl) FROM pg_class
		WHERE relnamespace = 'customer_class'::regnamespace) s
};
# the restored database keeps working: a new key, a credit check, a refresh
# of the queued customer, then a full one at the same date; the ledger agrees
# with the sources and the classes are the origin's
my $work = q{
	SET customer_class.as_of = '2025-12-31';
	INSERT INTO customer_class.customer (name) VALUES ('after restore') RETURNING customer_id;
	SELECT customer_class.credit_check(7, 1000, record => false);
	SELECT customer_class.refresh('2025-12-31');
	SELECT count(*) FROM customer_class.dirty;
	SELECT customer_class.refresh('2025-12-31', full_refresh => true);
	SELECT count(*) AS ledger_differences FROM customer_class.verify_exposure();
	SELECT md5(string_agg(format('%s %s %s %s %s %s %s %s', customer_id, credit_score, credit_grade, lifecycle_stage,
								 lifecycle_phase, behaviour_segment, rfm_segment, rule_tags), ',' ORDER BY customer_id))
	FROM customer_class.profile;
	SELECT count(*) FROM customer_class.class_history;
};

my $before = $node->safe_psql('origin', $digest);
my $seq_before = $node->safe_psql('origin', $sequences);
my $shape_before = $node->safe_psql('origin', $shape);
like($before, qr/customer_class\.sales_order \d{3,} /, 'digest covers the orders');
like($before, qr/customer_class\.payment \d{3,} /, 'digest covers the payments');
like($before, qr/customer_class\.class_history \d{3,} /, 'digest covers the history');
like($before, qr/customer_class\.credit_exposure 300 /, 'digest covers the exposure ledger');
like($before, qr/customer_class\.dirty 1 /, 'digest covers the refresh queue (one customer waiting)');
like($before, qr/customer_class\.tag_rule 1 /, 'digest covers the tag rules');
like($seq_before, qr/customer_class\.payment_payment_id_seq \d+/, 'the managed identity counters are compared');
unlike($shape_before, qr/^member table customer_class\.(customer|sales_order|invoice|payment)$/m,
	'the managed tables are not members of the extension');
like($shape_before, qr/^member table customer_class\.credit_exposure$/m, 'the ledger is');

my $base = $node->basedir;
my @dumpcmd = ('pg_dump', '-d', $node->connstr('origin'));
$node->command_ok([ @dumpcmd, '-f', "$base/origin.sql" ], 'pg_dump (plain)');
$node->command_ok([ @dumpcmd, '-Fc', '-f', "$base/origin.dump" ], 'pg_dump -Fc');
$node->command_ok([ @dumpcmd, '-Fd', '-j', '2', '-f', "$base/origin.dir" ], 'pg_dump -Fd -j 2');
$node->command_ok([ @dumpcmd, '--data-only', '-f', "$base/data.sql" ], 'pg_dump --data-only (plain)');
$node->command_ok([ @dumpcmd, '--data-only', '-Fc', '-f', "$base/data.dump" ], 'pg_dump --data-only -Fc');
$node->command_ok([ @dumpcmd, '--schema-only', '-n', 'sample', '-f', "$base/sample_schema.sql" ],
	'pg_dump of the sample schema');

# A data-only restore loads rows into tables whose triggers and foreign keys
# are in place: it runs with session_replication_role = replica (docs/backup.md),
# so that the triggers do not derive again what the dump brings.
my @psql = ('psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1');
my %paths = (
	plain => [ [ @psql, '-f', "$base/origin.sql" ] ],
	fc_serial => [ [ 'pg_restore', '--exit-on-error', "$base/origin.dump" ] ],
	fc_j2 => [ [ 'pg_restore', '--exit-on-error', '-j', '2', "$base/origin.dump" ] ],
	fc_single => [ [ 'pg_restore', '--exit-on-error', '--single-transaction', "$base/origin.dump" ] ],
	fd_j2 => [ [ 'pg_restore', '--exit-on-error', '-j', '2', "$base/origin.dir" ] ],
	# into a database that already has the extension (and the sample schema)
	data_plain => [
		[ @psql, '-c', 'CREATE EXTENSION customer_class' ],
		[ @psql, '-f', "$base/sample_schema.sql" ],
		[ 'replica', @psql, '-f', "$base/data.sql" ] ],
	data_fc_j2 => [
		[ @psql, '-c', 'CREATE EXTENSION customer_class' ],
		[ @psql, '-f', "$base/sample_schema.sql" ],
		[ 'replica', 'pg_restore', '--exit-on-error', '-j', '2', "$base/data.dump" ] ],
);

for my $path (sort keys %paths)
{
	my $db = "copy_$path";
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	my $i = 0;
	for my $step (@{ $paths{$path} })
	{
		my @cmd = @$step;
		local $ENV{PGOPTIONS} = '-c session_replication_role=replica' if $cmd[0] eq 'replica';
		shift @cmd if $cmd[0] eq 'replica';
		$i++;
		$node->command_ok([ @cmd, '-d', $node->connstr($db) ], "$path: step $i ($cmd[0]) succeeds");
	}
	is($node->safe_psql($db, $digest), $before, "$path: every table has the same rows");
	is($node->safe_psql($db, $sequences), $seq_before, "$path: every sequence is where it was");
	is($node->safe_psql($db, $shape), $shape_before,
		"$path: the same extension members, and the same triggers, constraints and grants on the managed tables");
}

# A data-only restore with the triggers on derives the ledger and the queue
# again beside the dumped ones: it says so, and recompute_exposure() repairs
# the ledger (the extra queue entries only make the next refresh recompute
# customers that have not changed).
$node->safe_psql('postgres', 'CREATE DATABASE copy_triggers_on');
$node->safe_psql('copy_triggers_on', 'CREATE EXTENSION customer_class');
$node->command_ok([ @psql, '-f', "$base/sample_schema.sql", '-d', $node->connstr('copy_triggers_on') ],
	'triggers on: the sample schema');
my ($stdout, $stderr) = run_command([ @psql, '-f', "$base/data.sql", '-d', $node->connstr('copy_triggers_on') ]);
like($stderr, qr/WARNING:  rows written to customer_class\.sales_order by a restore with the triggers on/,
	'a data-only restore with the triggers on warns');
like($stderr, qr/HINT:  Restore data only with session_replication_role = replica .*recompute_exposure/,
	'... and gives the repair');
isnt($node->safe_psql('copy_triggers_on', 'SELECT count(*) FROM customer_class.verify_exposure()'), '0',
	'... whose ledger counts the orders twice');
$node->safe_psql('copy_triggers_on', 'SELECT customer_class.recompute_exposure()');
my ($ledger_before) = $before =~ /^(customer_class\.credit_exposure .*)$/m;
like($node->safe_psql('copy_triggers_on', $digest), qr/^\Q$ledger_before\E$/m,
	'recompute_exposure() repairs the ledger');

# the origin last: the same work there gives the same answers
my $work_origin = $node->safe_psql('origin', $work);
like($work_origin, qr/^301\n/, 'a new customer takes the next key');
like($work_origin, qr/\n0\n.*\n0\n[0-9a-f]{32}\n/s, 'the refresh empties the queue, and the ledger agrees with the sources');
for my $path (sort keys %paths)
{
	is($node->safe_psql("copy_$path", $work), $work_origin,
		"$path: key, credit check, refreshes, ledger and classes are the origin's");
}

# DROP EXTENSION does not take the user's books with it
my ($ret, $out, $err) = $node->psql('copy_plain', q{
	\set VERBOSITY verbose
	DROP EXTENSION customer_class});
like($err, qr/ERROR:  2BP01: cannot drop extension customer_class because other objects depend on it/,
	'DROP EXTENSION without CASCADE refuses');
like($err, qr/column tags of table customer_class\.customer depends on type customer_class\.tagset/,
	'... naming what depends on it');
my $books = q{
	SELECT format('%s %s %s %s', (SELECT count(*) FROM customer_class.customer),
		(SELECT count(*) FROM customer_class.sales_order), (SELECT count(*) FROM customer_class.invoice),
		(SELECT count(*) FROM customer_class.payment))
};
my $books_before = $node->safe_psql('copy_plain', $books);
is($node->safe_psql('copy_plain', q{SELECT count(*) FROM pg_extension WHERE extname = 'customer_class'}), '1',
	'the extension is still there');
$node->safe_psql('copy_plain', 'DROP EXTENSION customer_class CASCADE');
is($node->safe_psql('copy_plain', $books), $books_before, 'DROP EXTENSION ... CASCADE keeps every row of the managed tables');
is($node->safe_psql('copy_plain', q{
	SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute
	WHERE attrelid = 'customer_class.customer'::regclass AND attnum > 0 AND NOT attisdropped}),
	'customer_id,name,customer_type,industry,region,size_class,credit_limit,payment_terms_days,created_on,payment_terms_basis,parent_id',
	'... but drops the tags column (its type was the extension\'s)');
is($node->safe_psql('copy_plain', q{
	SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal
	AND tgrelid IN ('customer_class.customer'::regclass, 'customer_class.payment'::regclass)}),
	'0', '... and the triggers');

# creating the extension again: refused while the tables are in its schema,
# done after moving them aside (the SQL of docs/backup.md)
($ret, $out, $err) = $node->psql('copy_plain', q{
	\set VERBOSITY verbose
	CREATE EXTENSION customer_class});
like($err, qr/ERROR:  42P07: the managed tables of customer_class are already there: customer, invoice, payment, sales_order/,
	'CREATE EXTENSION over the kept tables says what they are');
$node->safe_psql('copy_plain', q{
	CREATE SCHEMA books;
	ALTER TABLE customer_class.customer SET SCHEMA books;
	ALTER TABLE customer_class.sales_order SET SCHEMA books;
	ALTER TABLE customer_class.invoice SET SCHEMA books;
	ALTER TABLE customer_class.payment SET SCHEMA books;
	CREATE EXTENSION customer_class;
});
is($node->safe_psql('copy_plain', $books =~ s/customer_class\./books./gr), $books_before,
	'moved aside, the books keep their rows, and the extension is created again');
is($node->safe_psql('copy_plain', $books), '0 0 0 0', '... with empty managed tables');

$node->stop;
done_testing();
