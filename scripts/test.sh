#!/usr/bin/env bash
# The whole test suite, stage by stage, each stage timed so a slow one shows.
# Stages: deps, build (-Werror), tests, browser and openai-client tests, ASan+UBSan build and
# tests, fuzz smoke runs.
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-$(nproc)}
FUZZ_SECONDS=${FUZZ_SECONDS:-20}
t_all=$SECONDS

stage() {
  local stage_name=$1; shift
  local t0=$SECONDS
  echo "=== stage: $stage_name"
  "$@"
  echo "=== stage: $stage_name took $((SECONDS - t0)) s"
}

configure_build() {
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DDOCENT_WERROR=ON >/dev/null
  cmake --build build -j "$JOBS"
}
unit_tests() {
  ctest --test-dir build -j "$JOBS" --output-on-failure
  # What the llama.cpp comparison ran on and how close it came, per tensor type.
  grep -h '^\[ oracle summary \]' build/Testing/Temporary/LastTest.log || true
}
asan_build() {
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DDOCENT_SANITIZE=ON \
    -DDOCENT_BENCH=OFF -DDOCENT_WERROR=ON >/dev/null
  cmake --build build-asan -j "$JOBS"
}
asan_tests() {
  # "slow" and "oracle" tests are differential runs too slow under ASan (llama.cpp runs as a
  # subprocess for every case); they ran in the normal build.
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build-asan -j "$JOBS" --output-on-failure -LE 'slow|oracle' 
}
fuzz() {
  CC=clang-14 CXX=clang++-14 cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=Debug \
    -DDOCENT_FUZZ=ON -DDOCENT_TESTS=OFF -DDOCENT_BENCH=OFF -DDOCENT_WERROR=ON >/dev/null
  cmake --build build-fuzz -j "$JOBS"
  for f in build-fuzz/tests/fuzz/fuzz_*; do
    [ -x "$f" ] || continue
    local name
    name=$(basename "$f")
    mkdir -p "build-fuzz/corpus/$name"
    seeds="tests/fuzz/seeds/${name#fuzz_}"
    if [ "$name" = fuzz_hwp ] && [ -d ../shared/documents/hwp ]; then
      # The small real HWP files (not the 1 MB one with an image: it would set max_len).
      seeds=build-fuzz/seeds-hwp
      mkdir -p "$seeds"
      find ../shared/documents/hwp -name '*.hwp' -size -40k -exec cp {} "$seeds/" \;
    fi
    echo "fuzzing $name for ${FUZZ_SECONDS}s"
    "$f" -max_total_time="$FUZZ_SECONDS" -rss_limit_mb=2048 -print_final_stats=1 \
      "build-fuzz/corpus/$name" $( [ -d "$seeds" ] && echo "$seeds" ) 2>&1 | tail -n 3
  done
}

browser_tests() {
  # The web UI in Debian's Chromium; the screenshot lands in build/browser-artifacts/.
  DOCENT_BINARY="$PWD/build/docent" node --test tests/browser/
}
openai_client_tests() {
  # The official openai npm client against `docent serve --model` (stories260K) and docent-rag.
  DOCENT_BINARY="$PWD/build/docent" node --test tests/openai/
}

stage deps scripts/install-deps.sh
stage build configure_build
stage tests unit_tests
stage browser browser_tests
stage openai-client openai_client_tests
stage asan-build asan_build
stage asan-tests asan_tests
stage fuzz fuzz
echo "=== all stages passed in $((SECONDS - t_all)) s"
