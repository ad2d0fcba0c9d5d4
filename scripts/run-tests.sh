#!/usr/bin/env bash
# run-tests.sh: build (warnings are errors), install, then run every test --
# pg_regress and isolation specs against a throwaway cluster, TAP tests with
# their own clusters -- and finish with "N passed, N failed".
source "$(dirname "$0")/common.sh"
cd "$SRCDIR"

# One install + test run at a time on this machine: the extension is installed
# into the server's shared directories, which concurrent runs would overwrite.
exec 9>"${TMPDIR:-/tmp}/customer_class.test.lock"
flock 9

say "building"
make -s WERROR=1 PG_CONFIG="$PG_CONFIG" >/dev/null
say "installing"
make -s install PG_CONFIG="$PG_CONFIG" >/dev/null \
	|| die "make install failed: run as root, or with write access to $("$PG_CONFIG" --pkglibdir)"

exec "$SRCDIR/scripts/with-cluster.sh" "$SRCDIR/scripts/run-suites.sh" "$@"
