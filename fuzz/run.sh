#!/usr/bin/env bash
# fuzz/run.sh [SECONDS] — builds the libFuzzer targets with clang (+ASan/UBSan) and runs
# each for SECONDS (default 60), seeded with the examples and the bundled catalogue.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
command -v clang >/dev/null || { echo "fuzz: clang is required (scripts/install-deps)"; exit 1; }
out=fuzz/out
mkdir -p "$out/corpus-snapshot" "$out/corpus-yaml"
make -s build/embedded.c
flags="-std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined $(pkg-config --cflags jansson sqlite3 libfyaml)"
libs="$(pkg-config --libs jansson sqlite3 libfyaml) -lm"
srcs=$(ls src/util/*.c src/inventory/*.c src/controls/*.c)
for t in snapshot yaml; do
    clang $flags -o "$out/fuzz_$t" "fuzz/fuzz_$t.c" $srcs build/embedded.c $libs
done
cp examples/*.json tests/fixtures/controls/*/*.json "$out/corpus-snapshot/" 2>/dev/null || true
i=0; for f in controls/*/*.yaml frameworks/*.yaml; do cp "$f" "$out/corpus-yaml/$i.yaml"; i=$((i+1)); done
export LSAN_OPTIONS="suppressions=$PWD/fuzz/lsan.supp:print_suppressions=0"
for t in snapshot yaml; do
    echo "== fuzz_$t for ${secs}s"
    # YAML: unwind fully through libfyaml (no frame pointers) so the suppression can match
    [ $t = yaml ] && export ASAN_OPTIONS=fast_unwind_on_malloc=0
    "$out/fuzz_$t" -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 "$out/corpus-$t"
done
