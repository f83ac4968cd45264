#!/usr/bin/env bash
# Installs everything docent needs to build and test, from Debian's archive only.
# Idempotent: packages already present are not touched, and apt-get runs only when
# something is missing. Works without a terminal (CI=true).
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  libsqlite3-dev libutf8proc-dev libstemmer-dev libpcre2-dev libxxhash-dev
  libpoppler-cpp-dev libzip-dev libpugixml-dev zlib1g-dev
  nlohmann-json3-dev libcpp-httplib-dev libssl-dev libbrotli-dev libhnswlib-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libtesseract-dev libleptonica-dev tesseract-ocr-kor tesseract-ocr-eng
  libcairo2-dev fonts-nanum poppler-utils
  sentencepiece
  clang-14 libclang-rt-14-dev clang-format
  chromium
  nginx-light
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# Node.js for the browser test: Debian's nodejs and npm only when no node is installed (a
# machine with another Node.js build keeps its own; its npm comes with it).
if ! command -v node >/dev/null 2>&1; then missing+=(nodejs); fi
if ! command -v npm >/dev/null 2>&1; then missing+=(npm); fi

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "install-deps: all ${#PACKAGES[@]} packages present"

# Test tooling from npm, each folder with its lock file, installed only when the lock file's
# versions are not in place yet:
#   tests/browser  playwright-core, which drives the Debian Chromium above (no browser download)
#   tests/openai   the official openai client, against docent's OpenAI-compatible endpoints
#   tests/oracle   node-llama-cpp's prebuilt CPU llama.cpp, the reference for the model tests.
#                  `npm install` with the lock present: `npm ci --omit=optional` refuses this
#                  lock over node-llama-cpp's optional per-platform packages; --omit=optional
#                  keeps npm from fetching the CUDA and Vulkan builds.
root="$(cd "$(dirname "$0")/.." && pwd)"
for dir in tests/browser tests/openai tests/oracle; do
  [ -f "$root/$dir/package-lock.json" ] || continue
  if ! cmp -s "$root/$dir/package-lock.json" "$root/$dir/node_modules/.docent-lock" 2>/dev/null; then
    if [ "$dir" = tests/oracle ]; then verb=install; else verb=ci; fi
    (cd "$root/$dir" && npm "$verb" --omit=optional --no-audit --no-fund --loglevel=error &&
      cp package-lock.json node_modules/.docent-lock)
  fi
done

# One llama.cpp reference on every CPU: node-llama-cpp ships one ggml CPU library per chip
# family (haswell, skylakex, icelake, zen4, sapphirerapids, ...) and loads the best one this
# CPU runs, so an AVX-512 machine would hold docent to other sums than an AVX2 one. The oracle
# keeps only the haswell build (AVX2 + FMA + F16C, which every CPU docent supports has); the
# others move aside, so ggml finds nothing else to pick. tests/oracle/oracle.mjs reports the
# library it loaded and the oracle tests fail on any other. Idempotent.
bins="$root/tests/oracle/node_modules/@node-llama-cpp/linux-x64/bins/linux-x64"
aside="$root/tests/oracle/node_modules/.docent-other-cpu-builds"
if [ -f "$bins/libggml-cpu-haswell.so" ]; then
  for lib in "$bins"/libggml-cpu-*.so; do
    [ "$(basename "$lib")" = libggml-cpu-haswell.so ] && continue
    mkdir -p "$aside"
    mv -f "$lib" "$aside/"
  done
  echo "install-deps: llama.cpp oracle pinned to its haswell CPU build"
fi

# The speed benchmarks (bench/llamacpp_speed.mjs) compare docent with llama.cpp at its best on
# this CPU, not with the oracle's pinned build: a second copy of the oracle's packages with
# every CPU build in place, so ggml picks the one it would pick for a user. Rebuilt when the
# oracle's packages change. Idempotent.
native="$root/tests/oracle/.native-cpu"
if [ -d "$aside" ] && ! cmp -s "$root/tests/oracle/package-lock.json" "$native/.docent-lock" 2>/dev/null; then
  rm -rf "$native"
  mkdir -p "$native"
  cp -a "$root/tests/oracle/node_modules" "$native/node_modules"
  mv -f "$native/node_modules/.docent-other-cpu-builds"/*.so \
    "$native/node_modules/@node-llama-cpp/linux-x64/bins/linux-x64/"
  rmdir "$native/node_modules/.docent-other-cpu-builds"
  cp "$root/tests/oracle/package.json" "$native/package.json"
  cp "$root/tests/oracle/package-lock.json" "$native/.docent-lock"
  echo "install-deps: llama.cpp with every CPU build for the speed benchmarks in $native"
fi
