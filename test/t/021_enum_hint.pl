# A bad literal of any enum type of the schema gets a HINT listing exactly
# the type's labels (src/enum_hint.c), from the first statement of a session
# when customer_class is in session_preload_libraries, as the README says.
# The types and labels are read from the catalog, so a new enum type or
# label that the hook does not know fails here.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('enum_hint');
$node->init;
$node->append_conf('postgresql.conf', "session_preload_libraries = 'customer_class'");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION customer_class');

my @enums = split /\n/, $node->safe_psql('postgres', q{
	SELECT t.typname || '|' || string_agg(e.enumlabel, ', ' ORDER BY e.enumsortorder)
	FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
	WHERE t.typnamespace = 'customer_class'::regnamespace
	GROUP BY t.typname ORDER BY t.typname});
ok(@enums >= 6, 'the schema has its enum types');

for my $row (@enums)
{
	my ($type, $labels) = split /\|/, $row, 2;
	# a fresh session each time: the hint is there from its first statement
	my ($rc, $out, $err) = $node->psql('postgres', "SELECT 'no such label'::customer_class.$type",
		extra_params => [ '-v', 'VERBOSITY=default' ]);
	like($err, qr/ERROR:  invalid input value for enum customer_class\.$type: "no such label"/,
		"$type: core's 22P02 error");
	my ($hint) = $err =~ /^HINT:  (.*)$/m;
	is($hint // '', "customer_class.$type accepts $labels" . ($type eq 'credit_grade' ? ' (A is the best grade), in capitals.' : '.'),
		"$type: the hint lists exactly its labels");
}

# a caught error is never reported, so it gets no hint, and nothing breaks
is($node->safe_psql('postgres', q{
	DO $$ BEGIN PERFORM 'E'::customer_class.credit_grade; EXCEPTION WHEN invalid_text_representation THEN
	RAISE NOTICE 'caught'; END $$; SELECT 'ok'}), 'ok', 'an error caught in PL/pgSQL is unaffected');

# errors of other kinds and of other enums pass through unchanged
$node->safe_psql('postgres', q{CREATE TYPE public.mood AS ENUM ('happy')});
my ($rc, $out, $err) = $node->psql('postgres', q{SELECT 'sad'::public.mood});
unlike($err, qr/HINT/, 'an enum of another schema, not named like ours, gets no hint');

# without the preload the hint comes once the library is loaded
$node->append_conf('postgresql.conf', "session_preload_libraries = ''");
$node->reload;
($rc, $out, $err) = $node->psql('postgres', q{SELECT 'E'::customer_class.credit_grade});
unlike($err, qr/HINT/, 'no preload, library not loaded yet: core error only');
($rc, $out, $err) = $node->psql('postgres', q{SELECT customer_class.as_of() IS NOT NULL; SELECT 'E'::customer_class.credit_grade});
like($err, qr/HINT:  customer_class\.credit_grade accepts A, B, C, D/, 'no preload, after a C function of the extension: the hint');

$node->stop;
done_testing();
