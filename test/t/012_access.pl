# Access by customer category (docs/access.md) where a regression test cannot
# look: NOTIFY reaches every listener, so its payload carries only the
# alert's id, and a restricted listener reads through row-level security
# the alerts of its own customers only; the access entries survive a dump
# and restore (pg_extension_config_dump) and keep restricting.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('access');
$node->init;
$node->start;

$node->safe_psql('postgres', q{
	CREATE DATABASE origin;
	CREATE ROLE cc_east LOGIN;
});
$node->safe_psql('origin', q{
	CREATE EXTENSION customer_class;
	GRANT customer_class_reader TO cc_east;
	INSERT INTO customer_class.customer (customer_id, name, created_on, tags) VALUES
		(1, 'East', '2024-01-01', '{region.east.shanghai}'), (2, 'West', '2024-01-01', '{region.west.chengdu}');
	SELECT customer_class.grant_customer_access('cc_east', 'region.east.*');
});

# the restricted role listens; alerts are raised for both customers
my $out = $node->safe_psql('origin', q{
	LISTEN customer_class_alerts;
	SET ROLE cc_east;
	SELECT 1;
	RESET ROLE;
	SELECT customer_class.raise_alert(1, 'grade_d', 'red', '{"why": "east"}') IS NOT NULL;
	SELECT customer_class.raise_alert(2, 'grade_d', 'red', '{"why": "west"}') IS NOT NULL;
});
my @notes = ($out =~ /Asynchronous notification "customer_class_alerts" with payload "(.*?)" received/g);
is(scalar @notes, 2, 'the listener hears of both alerts');
is(scalar(grep { /^\{"alert_id": \d+\}$/ } @notes), 2, 'each payload is the alert id only: no customer, kind or level');
my @ids = map { /(\d+)/ ? $1 : 0 } @notes;
my $read = "SELECT string_agg(format('%s %s', customer_id, detail->>'why'), '; ' ORDER BY alert_id)
	FROM customer_class.alerts WHERE alert_id IN (" . join(',', @ids, 0) . ")";
is($node->safe_psql('origin', "SET ROLE cc_east; $read"), '1 east',
	'the restricted listener reads back only the alert of its own customer');
is($node->safe_psql('origin', $read), '1 east; 2 west', 'an unrestricted one reads both');

# dump and restore keep the entries, which keep restricting
my $dumpfile = $node->basedir . '/access.dump';
$node->command_ok([ 'pg_dump', '-Fc', '-f', $dumpfile, '-d', $node->connstr('origin') ], 'pg_dump');
$node->safe_psql('postgres', 'CREATE DATABASE copy');
$node->command_ok([ 'pg_restore', '--exit-on-error', '-d', $node->connstr('copy'), $dumpfile ], 'pg_restore');
is($node->safe_psql('copy', 'SELECT role_name || \' \' || tags FROM customer_class.customer_access'),
	'cc_east region.east.*', 'the access entry is restored');
is($node->safe_psql('copy', 'SET ROLE cc_east; SELECT string_agg(name, \',\') FROM customer_class.customer'),
	'East', 'and restricts the restored database');

$node->stop;
done_testing();
