# pg_dump of a database with the extension and the sample data restores into
# a fresh database with the same rows, identity counters and config.
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
$node->safe_psql('origin', q{INSERT INTO customer_class.tag_rule (tag, condition, description)
	VALUES ('watch.collection', $$tags @@ 'industry.construction' AND overdue_invoices >= 2$$, 'dump test')});
$node->safe_psql('origin', q{SELECT customer_class.refresh('2025-12-31')});

# every table of the extension, and the sample schema, with a digest of its
# rows in key order
my $digest = q{
	SELECT string_agg(format('%s %s %s', c.oid::regclass, x.n, x.h), E'\n' ORDER BY c.oid::regclass::text)
	FROM pg_class c
	CROSS JOIN LATERAL (SELECT * FROM query_to_xml(format(
		'SELECT count(*) AS n, md5(coalesce(string_agg(t::text, %L ORDER BY t::text), %L)) AS h FROM %s t',
		',', '', c.oid::regclass), false, false, '')) q(x0)
	CROSS JOIN LATERAL (SELECT (xpath('//n/text()', x0))[1]::text AS n, (xpath('//h/text()', x0))[1]::text AS h) x
	WHERE c.relnamespace IN ('customer_class'::regnamespace, 'sample'::regnamespace) AND c.relkind = 'r'
	  -- the refresh queue is not dumped: the restore itself queues every customer
	  AND c.oid <> 'customer_class.dirty'::regclass
};
my $sequences = q{
	SELECT string_agg(format('%s %s', c.oid::regclass, pg_sequence_last_value(c.oid)), E'\n' ORDER BY c.oid::regclass::text)
	FROM pg_class c WHERE c.relnamespace = 'customer_class'::regnamespace AND c.relkind = 'S'
};

my $before = $node->safe_psql('origin', $digest);
my $seq_before = $node->safe_psql('origin', $sequences);
like($before, qr/customer_class\.invoice \d{3,}/, 'digest covers the invoices');
like($before, qr/customer_class\.class_history \d{3,} /, 'digest covers the history');
like($before, qr/customer_class\.tag_rule 1 /, 'digest covers the tag rules');

my $dumpfile = $node->basedir . '/origin.dump';
$node->command_ok([ 'pg_dump', '-Fc', '-f', $dumpfile, '-d', $node->connstr('origin') ], 'pg_dump');
$node->safe_psql('postgres', 'CREATE DATABASE copy');
$node->command_ok([ 'pg_restore', '--exit-on-error', '-d', $node->connstr('copy'), $dumpfile ], 'pg_restore');

is($node->safe_psql('copy', $digest), $before, 'every table has the same rows after restore');
is($node->safe_psql('copy', $sequences), $seq_before, 'identity counters survive');
is($node->safe_psql('copy', 'SELECT count(DISTINCT customer_id) FROM customer_class.dirty'), '300',
	'the restore queued every customer for the next refresh');

# the restored database keeps working: a new customer takes the next key
is($node->safe_psql('copy',
	q{INSERT INTO customer_class.customer (name) VALUES ('after restore') RETURNING customer_id}),
	'301', 'identity continues after the restored keys');

$node->stop;
done_testing();
