# The TAP tests run as the cluster owner (postgres when make test runs as
# root), from whatever directory the clone lies in.  This test is what
# run-suites.sh's "layout" suite runs from a copy of the tree in a private
# (mode 0700) directory: it fails when the runner hands the tests a path
# their user cannot read.
use strict;
use warnings;
use PostgreSQL::Test::Utils;
use Test::More;
use File::Find;

my $src = $ENV{CC_SRCDIR} or die "CC_SRCDIR not set";
isnt($>, 0, 'the TAP tests do not run as root');
ok(-d $src && -x $src, "the tree handed to the tests ($src) can be entered");

# every file a test may read: the tests themselves, the sample data, the
# demo and load scripts, the docs whose examples a test runs, the releases
my @unreadable;
find(sub { push @unreadable, $File::Find::name if -f $_ && !-r $_ },
	map { "$src/$_" } qw(test scripts docs releases presets README.md Makefile));
is_deeply(\@unreadable, [], 'every file the tests may read is readable');
ok(-r "$src/test/data/generate.sql", 'the sample data generator is there');

done_testing();
