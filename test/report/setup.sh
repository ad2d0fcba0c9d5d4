#!/usr/bin/env bash
# test/report/setup.sh packages: install what test/t/051_report_html.pl
# renders the HTML report with, from Debian, when it is missing: headless
# Chromium, and a font with Chinese glyphs (the report's zh labels).  Root
# only; exit 0 when present or installed, 3 when apt cannot install them.
set -euo pipefail
PACKAGES="chromium fonts-noto-cjk"

say() { printf '==> report: %s\n' "$*" >&2; }

packages() {
	local missing=() p
	for p in $PACKAGES; do
		dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" != 0 ]; then
		say "missing Debian packages (install as root): ${missing[*]}"
		return 3
	fi
	say "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	if ! { apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 ||
		{ apt-get update -qq >/dev/null 2>&1 &&
		  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1; }; }; then
		say "apt-get could not install ${missing[*]}"
		return 3
	fi
}

case ${1:-} in
packages) packages ;;
*) echo "usage: $0 packages" >&2; exit 2 ;;
esac
