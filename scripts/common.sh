# Shared helpers for the scripts in this folder (sourced, not run).
set -euo pipefail

PG_BINDIR=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
PG_CONFIG=${PG_CONFIG:-$PG_BINDIR/pg_config}
export PATH="$PG_BINDIR:$PATH"
SRCDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Run a command as the unprivileged cluster owner: PostgreSQL refuses root.
as_pg() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- env PATH="$PATH" "$@"
	else
		"$@"
	fi
}

pgxs_dir() { dirname "$(dirname "$(dirname "$("$PG_CONFIG" --pgxs)")")"; }
