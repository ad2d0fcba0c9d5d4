# Every ```sql block of README.md and docs/*.md runs as written against a
# database with the extension and the sample data (test/data/generate.sql,
# 300 customers as of 2025-12-31), set up as the README says a user sets up
# theirs: customer_class on the database's search_path.  A statement that
# fails is a test failure, so an example cannot break silently.
#
# The blocks of one page run in order, in one psql session, in a fresh copy
# of that database (a page's later examples may use what its earlier ones
# set or created; pages do not see each other's changes).
#
# Markers a page can carry (HTML comments do not show on a rendered page):
#
#   SELECT ...;   -- ERROR 22023: ...
#   SELECT ...;
#   -- ERROR:  message as psql prints it
#       a statement whose last line (the line of its closing semicolon) has
#       a comment starting with "ERROR", or is followed by a comment line
#       starting so, is shown failing on purpose: it must fail, and with
#       the SQLSTATE that follows "ERROR " when one is given.
#
#   <!-- doctest: setup
#   CREATE ROLE bi_tool;
#   -->
#       SQL run (and required to succeed) just before the next sql block,
#       for what a reader is assumed to have already (a role, an ERP table).
#
#   <!-- doctest: skip because ... -->
#       the next sql block is not run; say why.  Use it sparingly.
#
# A marker applies to the next ```sql block of the page.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $src = $ENV{CC_SRCDIR} or die "CC_SRCDIR not set";
my @pages = ("README.md", map { s{^\Q$src\E/}{}r } sort glob("$src/docs/*.md"));

# Split a page into its sql blocks: each with its first line number on the
# page, its lines, the setup lines before it and whether it is skipped.
sub sql_blocks
{
	my ($page) = @_;
	open my $fh, '<', "$src/$page" or die "$src/$page: $!";
	my @lines = <$fh>;
	close $fh;
	chomp @lines;
	my (@blocks, @setup, $skip, $in_setup, $block);
	for my $i (0 .. $#lines)
	{
		my $l = $lines[$i];
		if ($block)
		{
			if ($l =~ /^\s*```\s*$/)
			{
				push @blocks, $block;
				undef $block;
			}
			else
			{
				push @{ $block->{lines} }, $l;
			}
		}
		elsif ($in_setup)
		{
			if ($l =~ /^(.*?)-->\s*$/)
			{
				push @setup, $1 if $1 =~ /\S/;
				$in_setup = 0;
			}
			else
			{
				push @setup, $l;
			}
		}
		elsif ($l =~ /^\s*<!--\s*doctest:\s*skip\b/)
		{
			$skip = 1;
		}
		elsif ($l =~ /^\s*<!--\s*doctest:\s*setup\b(.*)$/)
		{
			my $rest = $1;
			if ($rest =~ /^(.*?)-->\s*$/)
			{
				push @setup, $1 if $1 =~ /\S/;
			}
			else
			{
				push @setup, $rest if $rest =~ /\S/;
				$in_setup = 1;
			}
		}
		elsif ($l =~ /^\s*```sql\s*$/)
		{
			$block = { first => $i + 2, lines => [], setup => [@setup], skip => $skip };
			@setup = ();
			$skip = 0;
		}
	}
	die "$page: unterminated sql block" if $block;
	die "$page: unterminated doctest setup" if $in_setup;
	return @blocks;
}

my $node = PostgreSQL::Test::Cluster->new('docs');
$node->init;
$node->start;

$node->safe_psql('postgres', 'CREATE DATABASE sample');
$node->safe_psql('sample', 'CREATE EXTENSION customer_class');
$node->command_ok(
	[ 'psql', '-X', '-q', '-d', $node->connstr('sample'), '-v', 'customers=300',
	  '-v', 'as_of=2025-12-31', '-f', "$src/test/data/generate.sql" ],
	'sample data loads');

# Why the set-up matters: without customer_class on the search_path the
# README's tag query finds no operator; with the documented database
# setting, a new session finds it.
my $tag_query = q{SELECT count(*) >= 0 FROM customer_class.customer WHERE tags @@ 'industry.construction & !vip'};
my ($rc, $out, $err) = $node->psql('sample', $tag_query);
like($err, qr/operator does not exist: customer_class\.tagset @@ unknown/,
	'without the search_path setting the tag query fails');
$node->safe_psql('postgres', 'CREATE DATABASE search_path_set TEMPLATE sample');
$node->safe_psql('postgres',
	q{ALTER DATABASE search_path_set SET search_path = "$user", public, customer_class});
is($node->safe_psql('search_path_set', $tag_query), 't',
	'with ALTER DATABASE ... SET search_path it runs as written');

my $tmp = PostgreSQL::Test::Utils::tempdir;
my $n = 0;
for my $page (@pages)
{
	my @blocks = sql_blocks($page);
	next unless @blocks;
	my $db = 'doc' . ++$n;
	$node->safe_psql('postgres', "CREATE DATABASE $db TEMPLATE sample");
	# the set-up the README asks of a user (section "Installing into an
	# existing PostgreSQL"); settings are not copied with a template
	$node->safe_psql('postgres',
		qq{ALTER DATABASE $db SET search_path = "\$user", public, customer_class});

	# one script for the page; @where maps its line numbers back to the page
	my (@script, @where, %must_fail);
	my $add = sub {
		my ($line, $where, $expect) = @_;
		push @script, $line;
		push @where, $where;
		$must_fail{ scalar @script } = $expect if defined $expect;
	};
	$add->('\set VERBOSITY verbose', "$page (test set-up)");
	my $blocks_run = 0;
	for my $b (@blocks)
	{
		next if $b->{skip};
		$blocks_run++;
		$add->($_, "$page: doctest setup before line $b->{first}") for @{ $b->{setup} };
		my $lineno = $b->{first};
		my $code_line;
		for my $l (@{ $b->{lines} })
		{
			my $expect;
			$expect = $1 // '' if $l =~ /--\s*ERROR\b(?:\s+([0-9A-Z]{5})\b)?/;
			if (defined $expect && $l =~ /^\s*--/)
			{
				# a comment line under the statement, as psql prints it
				$must_fail{$code_line} //= $expect if defined $code_line;
				undef $expect;
			}
			$add->($l, "$page:$lineno", $expect);
			$code_line = scalar @script if $l =~ /^\s*[^-\s]/;
			$lineno++;
		}
	}
	my $file = "$tmp/$db.sql";
	open my $fh, '>', $file or die "$file: $!";
	print $fh "$_\n" for @script;
	close $fh;

	my ($stdout, $stderr);
	IPC::Run::run([ 'psql', '-X', '-d', $node->connstr($db), '-f', $file ],
		'>', \$stdout, '2>', \$stderr);

	my (@unexpected, %failed);
	for my $l (split /\n/, $stderr)
	{
		next unless $l =~ /^psql:\Q$file\E:(\d+): (ERROR|FATAL|PANIC|error):\s+(?:([0-9A-Z]{5}): )?(.*)$/;
		my ($line, $code, $msg) = ($1, $3 // '', $4);
		if (exists $must_fail{$line}
			&& ($must_fail{$line} eq '' || $must_fail{$line} eq $code))
		{
			$failed{$line} = 1;
			next;
		}
		push @unexpected, "$where[$line - 1]: $code $msg";
	}
	for my $line (sort { $a <=> $b } keys %must_fail)
	{
		push @unexpected, "$where[$line - 1]: marked -- ERROR $must_fail{$line} but did not fail that way"
		  unless $failed{$line};
	}
	is(join("\n", @unexpected), '', "$page: $blocks_run sql blocks run as written")
	  or diag($stderr);
}

$node->stop;
done_testing();
