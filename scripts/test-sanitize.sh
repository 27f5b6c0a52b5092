#!/usr/bin/env bash
# Builds tiergate under sanitizers and runs its tests (issue 7). Run by `make test-sanitize`.
#   scripts/test-sanitize.sh [asan|tsan|all]     (default all)
#
# asan: build-asan, AddressSanitizer + UndefinedBehaviorSanitizer (+ LeakSanitizer at exit), the
#       whole ctest suite: unit, integration (the real binary, instrumented) and compat, but the
#       short soak (it bounds RSS growth, which ASan's quarantine inflates by design), and with
#       2,000 instead of 10,000 no-leak conversations.
#       ASAN_CTEST_ARGS replaces the ctest arguments (default "-E soak_short").
# tsan: build-tsan, ThreadSanitizer, the tests where threads meet: the unit tests of http,
#       embedded (engine thread), privacy (concurrent scans) and route_health (breaker under
#       contention), and the gateway, limits and embedded integration tests against an
#       instrumented binary (event loops, upstream pool, engine thread, cross-thread channel).
#
# Every report goes to <build>/sanitizer-logs/ and fails the run, also when the test that caused it
# passed (a report in a tiergate process a Node test started, a leak found at exit). The llama.cpp
# libraries are prebuilt and not instrumented; scripts/sanitizers/*.supp silence reports from them.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
what=${1:-all}
jobs=${JOBS:-2}
# -O1: sanitizer builds compile much faster than at -O2 and still run the suite at a usable speed;
# debug asserts on (no NDEBUG).
flags=(-DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -g" -DTIERGATE_BUILD_BENCH=OFF)

configure() {  # build-dir sanitizers
  if [[ ! -f $1/CMakeCache.txt ]] || ! grep -q "^TIERGATE_SANITIZE:STRING=$2\$" "$1/CMakeCache.txt"; then
    cmake -S . -B "$1" "${flags[@]}" -DTIERGATE_SANITIZE="$2" >/dev/null
  fi
}

check_logs() {  # log-dir name
  if compgen -G "$1/*" >/dev/null; then
    echo "== $2: sanitizer reports:" >&2
    for f in "$1"/*; do echo "--- $f" >&2; head -60 "$f" >&2; done
    return 1
  fi
  echo "== $2: no sanitizer reports"
}

run_asan() {
  local b=build-asan logs=$root/build-asan/sanitizer-logs
  configure "$b" address,undefined
  cmake --build "$b" -j "$jobs"
  rm -rf "$logs" && mkdir -p "$logs"
  export ASAN_OPTIONS="log_path=$logs/asan:detect_leaks=1:halt_on_error=1:detect_stack_use_after_return=0"
  export UBSAN_OPTIONS="log_path=$logs/ubsan:print_stacktrace=1:halt_on_error=1"
  export LSAN_OPTIONS="suppressions=$root/scripts/sanitizers/lsan.supp:print_suppressions=0"
  # The no-leak proof's 10,000 conversations run in `make test`; 2,000 here keep the instrumented
  # run within the CI budget while still driving every privacy path.
  export TIERGATE_NOLEAK_CONVERSATIONS=${TIERGATE_NOLEAK_CONVERSATIONS:-2000}
  local rc=0
  # shellcheck disable=SC2086
  (cd "$b" && ctest --output-on-failure -j "$jobs" --timeout 900 ${ASAN_CTEST_ARGS--E soak_short}) || rc=$?
  check_logs "$logs" asan || rc=1
  unset ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS TIERGATE_NOLEAK_CONVERSATIONS
  return $rc
}

run_tsan() {
  local b=build-tsan logs=$root/build-tsan/sanitizer-logs
  configure "$b" thread
  local units=(unit_http unit_embedded unit_privacy unit_route_health)
  local have=()
  for u in "${units[@]}"; do [[ -d tests/unit/${u#unit_} ]] && have+=("$u"); done
  cmake --build "$b" -j "$jobs" --target tiergate "${have[@]}"
  rm -rf "$logs" && mkdir -p "$logs"
  export TSAN_OPTIONS="log_path=$logs/tsan:halt_on_error=1:second_deadlock_stack=1:suppressions=$root/scripts/sanitizers/tsan.supp"
  local rc=0
  for u in "${have[@]}"; do
    echo "== tsan: $u"
    "$b/tests/$u" --gtest_brief=1 || { echo "== tsan: $u failed" >&2; rc=1; }
  done
  echo "== tsan: integration tests against the instrumented binary"
  TIERGATE_BIN=$root/$b/tiergate TIERGATE_SOURCE_DIR=$root \
    node --test --test-reporter=spec --test-concurrency=1 \
    tests/integration/gateway.test.mjs tests/integration/limits.test.mjs \
    tests/integration/embedded.test.mjs || rc=1
  check_logs "$logs" tsan || rc=1
  unset TSAN_OPTIONS
  return $rc
}

status=0
case $what in
  asan) run_asan || status=1 ;;
  tsan) run_tsan || status=1 ;;
  all) run_asan || status=1; run_tsan || status=1 ;;
  *) echo "usage: $0 [asan|tsan|all]" >&2; exit 2 ;;
esac
exit $status
