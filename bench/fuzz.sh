#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/*_fuzzer.cc, clang, ASan+UBSan) and runs
# each one for SECONDS, one at a time, starting from its seed corpus
# fuzz/corpus/<target>/ (never written to). Prints one summary line per
# target: executions, executions per second, coverage (libFuzzer's cov: and
# ft: figures), corpus size and crashes. Exits 1 when any target crashed,
# leaked, timed out or broke an invariant; the input is saved under
# $FUZZ_WORK/artifacts/ (reproduce: $FUZZ_BUILD/<target> <file>).
#
#   bench/fuzz.sh [SECONDS] [TARGET...]     default: 20 seconds, every target
#
# Environment: FUZZ_BUILD (default build-fuzz-clang), FUZZ_WORK (default
# $FUZZ_BUILD/fuzz-work: the corpora the runs grow, kept between runs),
# JOBS (build parallelism, default nproc), FUZZ_SEED (libFuzzer's -seed; unset:
# a new random seed each run. `make fuzz-ci` fixes it, so CI explores the same
# inputs on every run and a failure there reproduces; explore with new seeds
# here).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=20
if [[ $# -gt 0 && $1 =~ ^[0-9]+$ ]]; then
  seconds=$1
  shift
fi
build=${FUZZ_BUILD:-build-fuzz-clang}
work=${FUZZ_WORK:-$build/fuzz-work}
jobs=${JOBS:-$(nproc)}

cmake -S . -B "$build" -DRETORT_FUZZ=ON -DRETORT_BUILD_TESTS=OFF \
  -DRETORT_BUILD_BENCH=OFF -DCMAKE_C_COMPILER=clang \
  -DCMAKE_CXX_COMPILER=clang++ >/dev/null
cmake --build "$build" -j"$jobs" --target retort_fuzzers >/dev/null

targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
  for src in fuzz/*_fuzzer.cc; do
    name=$(basename "$src" .cc)
    targets+=("${name%_fuzzer}")
  done
fi

mkdir -p "$work/artifacts"
failed=0
passed_count=0
failed_count=0
printf '%-18s %10s %8s %6s %6s %7s %s\n' target executions exec/s cov ft corpus result
for t in "${targets[@]}"; do
  bin=$build/${t}_fuzzer
  seeds=fuzz/corpus/$t
  corpus=$work/$t
  log=$work/$t.log
  mkdir -p "$corpus"
  args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048
        -print_final_stats=1 -artifact_prefix="$work/artifacts/$t-")
  [[ -f fuzz/$t.dict ]] && args+=(-dict="fuzz/$t.dict")
  [[ -n ${FUZZ_SEED:-} ]] && args+=(-seed="$FUZZ_SEED")
  result=ok
  # The run's own bound is -max_total_time; this one catches a hang of the
  # fuzzer itself.
  if ! timeout $((seconds + 120)) "$bin" "${args[@]}" "$corpus" "$seeds" \
      >"$log" 2>&1; then
    result="FAILED (see $log)"
    failed=1
  fi
  if [[ $result == ok ]]; then
    passed_count=$((passed_count + 1))
  else
    failed_count=$((failed_count + 1))
  fi
  execs=$(grep -a 'stat::number_of_executed_units' "$log" | awk '{print $2}' | tail -1)
  rate=$(grep -a 'stat::average_exec_per_sec' "$log" | awk '{print $2}' | tail -1)
  cov=$(grep -ao 'cov: [0-9]*' "$log" | tail -1 | awk '{print $2}')
  ft=$(grep -ao 'ft: [0-9]*' "$log" | tail -1 | awk '{print $2}')
  size=$(find "$corpus" -type f | wc -l)
  printf '%-18s %10s %8s %6s %6s %7s %s\n' "$t" "${execs:-?}" "${rate:-?}" \
    "${cov:-?}" "${ft:-?}" "$size" "$result"
  if [[ $result != ok ]]; then
    grep -a -m1 -A3 'invariant failed\|ERROR: ' "$log" | sed 's/^/    /' || true
  fi
done
echo "fuzz: $passed_count passed, $failed_count failed"
exit $failed
