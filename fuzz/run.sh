#!/usr/bin/env bash
# Builds the libFuzzer targets (standalone CMake project, clang) and runs each for SECONDS
# (default 60) on a scratch copy of the committed seed corpus. Exits non-zero if any target
# crashed; crash inputs are left in build-fuzz/artifacts/<target>/.
#   fuzz/run.sh [SECONDS] [TARGET...]
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
build=${BUILD_DIR:-$root/build-fuzz}
seconds=${1:-60}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(fuzz_chat_request fuzz_upstream_sse fuzz_http_request fuzz_config fuzz_privacy_scan
           fuzz_privacy_restore)
fi

cmake -S "$here" -B "$build" -DCMAKE_CXX_COMPILER=clang++ >/dev/null || exit 2
cmake --build "$build" -j2 || exit 2

status=0
summary=()
for t in "${targets[@]}"; do
  scratch="$build/corpus/$t"
  artifacts="$build/artifacts/$t"
  mkdir -p "$scratch" "$artifacts"
  cp -n "$here/corpus/$t/"* "$scratch/" 2>/dev/null || true
  log="$build/$t.log"
  echo "== $t: ${seconds}s"
  "$build/$t" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=25 -print_final_stats=1 \
    -artifact_prefix="$artifacts/" "$scratch" >"$log" 2>&1
  rc=$?
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$')
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*')
  crash=no
  if [ $rc -ne 0 ]; then
    crash="yes (rc=$rc, see $log and $artifacts)"
    status=1
  fi
  summary+=("$(printf '%-22s execs=%-10s execs/s=%-7s cov=%-6s crash=%s' "$t" "${execs:-?}" \
    "${rate:-?}" "${cov:-?}" "$crash")")
done
echo "== summary (${seconds}s each)"
printf '%s\n' "${summary[@]}"
exit $status
