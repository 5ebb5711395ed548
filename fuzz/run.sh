#!/usr/bin/env bash
# Runs every libFuzzer target of a -Dfuzz=true build for SECONDS each, starting from its seed
# corpus (copied, so the tree is not written), and prints executions and coverage per target.
# Usage: fuzz/run.sh BUILD_DIR SECONDS [TARGET...]. Exit 1 when any target found a failure; its
# input is in BUILD_DIR/fuzz-artifacts/TARGET/.
set -uo pipefail
build=$1 seconds=$2
shift 2
src=$(cd "$(dirname "$0")" && pwd)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(safetensors vocab vec lines text beir fasttext word2vec eval lm labelled smart bm25_index)
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
failed=0
printf '%-12s %10s %8s %8s %7s  %s\n' target execs exec/s cov corpus result
for t in "${targets[@]}"; do
  work="$build/fuzz-corpus/$t" art="$build/fuzz-artifacts/$t/"
  mkdir -p "$work" "$art"
  cp -n "$src/corpus/$t/"* "$work/" 2>/dev/null || true
  dict=()
  [ "$t" = safetensors ] && dict=(-dict="$src/safetensors.dict")
  log="$build/fuzz-$t.log"
  "$build/fuzz/fuzz_$t" "${dict[@]}" -max_total_time="$seconds" -max_len=8192 -timeout=20 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$art" "$work" >"$log" 2>&1
  rc=$?
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$')
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*')
  corp=$(ls "$work" | wc -l)
  result=ok
  if [ $rc -ne 0 ]; then result="FAILED (see $log, $art)"; failed=1; fi
  printf '%-12s %10s %8s %8s %7s  %s\n' "$t" "${execs:-?}" "${rate:-?}" "${cov:-?}" "$corp" "$result"
done
exit $failed
