# Shared helpers for the scripts in this folder (sourced, not run).
set -euo pipefail

PG_BINDIR=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
PG_CONFIG=${PG_CONFIG:-$PG_BINDIR/pg_config}
export PATH="$PG_BINDIR:$PATH"
SRCDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Run a command as the unprivileged cluster owner: PostgreSQL refuses root.
# It starts in / when it may not enter our working directory (a clone in a
# private directory), so initdb and pg_ctl do not warn about it.
as_pg() {
	if [ "$(id -u)" = 0 ]; then
		local dir=$PWD
		runuser -u postgres -- test -x "$dir" 2>/dev/null || dir=/
		(cd "$dir" && runuser -u postgres -- env PATH="$PATH" "$@")
	else
		"$@"
	fi
}

pgxs_dir() { dirname "$(dirname "$(dirname "$("$PG_CONFIG" --pgxs)")")"; }
