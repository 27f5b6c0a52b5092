#!/usr/bin/env bash
# Runs every benchmark and prints their reports (make bench). Each one compares against a reference
# measured in the same run; see docs/BENCHMARKS.md for what each figure means and its target.
set -euo pipefail
cd "$(dirname "$0")/.."
B=${BUILD:-build}
echo "== gateway overhead vs nginx (bench/proxy/run.sh)"
bench/proxy/run.sh "${PROXY_SECONDS:-10}" "${PROXY_ROUNDS:-3}"
echo "== privacy scanner"
"$B"/bench/bench_privacy_scan --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
"$B"/bench/bench_privacy_corpus
echo "== complexity scorer"
"$B"/bench/bench_complexity_score --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
echo "== routing decision (all signals + policy, 2 KiB prompt)"
TIERGATE_SOURCE_DIR=$PWD "$B"/bench/bench_route_decision --benchmark_repetitions=10 --benchmark_report_aggregates_only=true
echo "== budget pacing replay (synthetic day)"
"$B"/bench/bench_budget_replay --seeds 5
echo "== embedded tier vs raw llama.cpp"
"$B"/bench/bench_embedded_tier
