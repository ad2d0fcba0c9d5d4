#!/usr/bin/env bash
# build.sh: build the libFuzzer + ASan target test/fuzz/build/fuzz_tags from
# the tag parsers (src/tagset.c, src/tagquery.c) and stubs for the server.
set -euo pipefail
cd "$(dirname "$0")/../.."
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
CC=${CC:-clang-14}
mkdir -p test/fuzz/build
$CC -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-Wno-ignored-attributes -DUSE_ASSERT_CHECKING -Isrc -I"$($PG_CONFIG --includedir-server)" \
	test/fuzz/fuzz_tags.c src/tagset.c src/tagquery.c \
	-L"$($PG_CONFIG --pkglibdir)" -L"$($PG_CONFIG --libdir)" -lpgcommon -lpgport \
	-o test/fuzz/build/fuzz_tags
echo "built test/fuzz/build/fuzz_tags"
