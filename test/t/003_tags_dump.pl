# Tags survive pg_dump/restore: tagged customers, user tag dimensions and
# catalog rows come back once, shipped catalog rows are not duplicated, and
# the GIN index and the exclusivity trigger work in the restored database.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('tags_dump');
$node->init;
$node->start;

$node->safe_psql('postgres', 'CREATE DATABASE origin');
$node->safe_psql('origin', q{
	CREATE EXTENSION customer_class;
	INSERT INTO customer_class.tag_dimension (dimension, exclusive, label_en, label_zh)
		VALUES ('channel', true, 'Sales channel', '销售渠道');
	INSERT INTO customer_class.tag_catalog (tag, dimension, label_en, label_zh)
		VALUES ('channel.online', 'channel', 'Online', '线上');
	INSERT INTO customer_class.customer (customer_id, name, tags) VALUES
		(1, 'A', '{industry.construction,region.east.shanghai,vip,"key account",重点客户,channel.online}'),
		(2, 'B', '{industry.retail,region.east}'),
		(3, 'C', '{}');
});

my $rows = q{
	SELECT string_agg(format('%s %s', customer_id, tags), E'\n' ORDER BY customer_id) FROM customer_class.customer
	UNION ALL
	SELECT string_agg(format('%s %s %s', dimension, exclusive, shipped), E'\n' ORDER BY dimension) FROM customer_class.tag_dimension
	UNION ALL
	SELECT count(*) || ' catalog rows, ' || count(*) FILTER (WHERE NOT shipped) || ' added' FROM customer_class.tag_catalog
};
my $before = $node->safe_psql('origin', $rows);
like($before, qr/channel t f/, 'the user dimension is there');

my $dumpfile = $node->basedir . '/origin.dump';
$node->command_ok([ 'pg_dump', '-Fc', '-f', $dumpfile, '-d', $node->connstr('origin') ], 'pg_dump');
$node->safe_psql('postgres', 'CREATE DATABASE copy');
$node->command_ok([ 'pg_restore', '--exit-on-error', '-d', $node->connstr('copy'), $dumpfile ],
	'pg_restore (no collision with shipped catalog rows)');
is($node->safe_psql('copy', $rows), $before, 'customers, dimensions and catalog rows are the same');

is($node->safe_psql('copy', q{
	SET enable_seqscan = off;
	SELECT string_agg(customer_id::text, ',' ORDER BY customer_id) FROM customer_class.customer
	WHERE tags OPERATOR(customer_class.@@) 'region.east.* & !vip'}),
	'2', 'tag query through the restored GIN index');

my ($ret, $out, $err) = $node->psql('copy',
	q{UPDATE customer_class.customer SET tags = tags OPERATOR(customer_class.+) 'channel.shop' WHERE customer_id = 1});
like($err, qr/holds 2 tags of exclusive dimension "channel"/, 'exclusivity of a restored user dimension holds');

$node->stop;
done_testing();
