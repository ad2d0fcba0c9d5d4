#!/usr/bin/env bash
# Install what the build and the tests need, only when it is missing.
source "$(dirname "$0")/common.sh"

missing=()
[ -x "$PG_BINDIR/postgres" ] || missing+=(postgresql-15)
[ -x "$PG_BINDIR/psql" ] || missing+=(postgresql-client-15)
[ -f /usr/include/postgresql/15/server/postgres.h ] || missing+=(postgresql-server-dev-15)
command -v gcc >/dev/null || missing+=(gcc)
command -v make >/dev/null || missing+=(make)
perl -MIPC::Run -e1 2>/dev/null || missing+=(libipc-run-perl)
command -v prove >/dev/null || missing+=(perl)
id postgres >/dev/null 2>&1 || [ "$(id -u)" != 0 ] || missing+=(postgresql-15)

# optional: pg_cron, for the test of scheduled refreshes (skipped without it)
optional=()
[ -f "$("$PG_CONFIG" --pkglibdir 2>/dev/null)/pg_cron.so" ] || optional+=(postgresql-15-cron)

if [ ${#missing[@]} -eq 0 ]; then
	if [ ${#optional[@]} -gt 0 ] && [ "$(id -u)" = 0 ] && [ ! -e "${TMPDIR:-/tmp}/customer_class.optional-tried" ]; then
		touch "${TMPDIR:-/tmp}/customer_class.optional-tried"
		say "installing optional packages: ${optional[*]}"
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${optional[@]}"; } >/dev/null 2>&1 \
			|| say "could not install ${optional[*]}: the tests that need it are skipped"
	fi
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	die "missing packages: ${missing[*]}
Install them as root: apt-get update && apt-get install -y ${missing[*]}"
fi
say "installing missing packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
apt-get install -y -qq --no-install-recommends "${optional[@]}" >/dev/null 2>&1 \
	|| say "could not install ${optional[*]}: the tests that need it are skipped"
say "packages installed"
