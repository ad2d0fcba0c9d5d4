#!/usr/bin/env bash
# schema-equal.sh [REV]
# Does the work tree's install script create the same schema as the one of
# git revision REV (default HEAD)?  For a change that must not alter the
# catalog: a restructure of src/sql, moved comments, a new load order.
#
# Builds both install scripts (REV's with REV's own Makefile, from a
# `git archive` copy, so it works across layout changes), installs each under
# a private version name in the server's extension folder, creates each in a
# database of a throwaway cluster, dumps both with scripts/catalog-dump.sql
# and diffs the dumps (only the version name on the extension line is
# blanked).  Exit status 0 and "identical" when they are the same, 1 and the
# unified diff when not.  Holds the test lock for the whole run (the
# installed extension is shared); `make install` of the work tree first, so
# the library matches, and the two private scripts are removed at the end.
source "$(dirname "$0")/common.sh"

rev=${1:-HEAD}
git -C "$SRCDIR" rev-parse --verify -q "$rev^{commit}" >/dev/null || die "not a revision: $rev"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/schema-equal.XXXXXX")
extdir="$("$PG_CONFIG" --sharedir)/extension"
cleanup() {
	rm -rf "$tmp"
	rm -f "$extdir/customer_class--schema-equal-a.sql" "$extdir/customer_class--schema-equal-b.sql"
}
trap cleanup EXIT

version() { sed -n "s/^default_version = '\(.*\)'/\1/p" "$1/customer_class.control"; }

# A: the revision's script, built by the revision's Makefile
mkdir "$tmp/a"
git -C "$SRCDIR" archive "$rev" | tar -x -C "$tmp/a"
va=$(version "$tmp/a")
make -s -C "$tmp/a" PG_CONFIG="$PG_CONFIG" "customer_class--$va.sql" >/dev/null
cp "$tmp/a/customer_class--$va.sql" "$tmp/a.sql"

# B: the work tree's
vb=$(version "$SRCDIR")
make -s -C "$SRCDIR" PG_CONFIG="$PG_CONFIG" "customer_class--$vb.sql" >/dev/null
cp "$SRCDIR/customer_class--$vb.sql" "$tmp/b.sql"
chmod 755 "$tmp"
chmod 644 "$tmp/a.sql" "$tmp/b.sql"

exec 9>/tmp/customer_class.test.lock
say "waiting for the test lock"
flock 9
make -s -C "$SRCDIR" PG_CONFIG="$PG_CONFIG" install >/dev/null
install -m 644 "$tmp/a.sql" "$extdir/customer_class--schema-equal-a.sql"
install -m 644 "$tmp/b.sql" "$extdir/customer_class--schema-equal-b.sql"

dump_both() {
	set -euo pipefail
	local v
	for v in a b; do
		createdb "$v"
		psql -X -q -v ON_ERROR_STOP=1 -d "$v" \
			-c "CREATE EXTENSION customer_class VERSION 'schema-equal-$v'" >/dev/null
		psql -X -q -d "$v" -f "$SRCDIR/scripts/catalog-dump.sql" \
			| sed "s/^\(extension customer_class: version \)schema-equal-$v,/\1-,/" >"$tmp/$v.catalog"
	done
}
export -f dump_both
export SRCDIR tmp
"$SRCDIR/scripts/with-cluster.sh" bash -c dump_both

[ -s "$tmp/a.catalog" ] || die "empty catalog dump"
if diff -u --label "$rev ($va)" --label "work tree ($vb)" "$tmp/a.catalog" "$tmp/b.catalog"; then
	echo "identical: $(wc -l <"$tmp/a.catalog") catalog lines, $rev and the work tree"
else
	exit 1
fi
