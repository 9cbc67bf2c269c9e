#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, -fsanitize=fuzzer,address,undefined) and runs them.
#
#   toolchain/fuzz.sh [TOTAL_SECONDS]            smoke run (default 30 s shared by all targets; the test
#                                                command runs this), each target on a scratch copy of its
#                                                seed corpus tests/fuzz/corpus/<target without fuzz_>
#   toolchain/fuzz.sh --runs N [--max-seconds S] [--workers W] [TARGET...]
#                                                long run: each target (all, or the ones named, e.g.
#                                                fuzz_url) runs N executions (or S seconds, whichever
#                                                comes first), one target after the other,
#                                                under nice -n 19, keeping its corpus in
#                                                build-fuzz/corpus-long/<target> across runs; prints
#                                                executions, exec/s, seconds and corpus size per target;
#                                                --workers W runs W processes per target on the same
#                                                corpus (each N executions; the figures are their sum)
#
# Per-target settings: a dictionary tests/fuzz/<target>.dict is passed with -dict when present;
# -max_len comes from max_len() below. Findings (crash-*, leak-*, timeout-* inputs and the logs) are
# written to build-fuzz/findings/. See docs/fuzzing.md.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source toolchain/env.sh
# Allocation stacks are not needed to report a crash's own stack; skipping them speeds up the
# allocation-heavy session targets by about a quarter.
export ASAN_OPTIONS=${ASAN_OPTIONS:-malloc_context_size=0}

runs=""
max_seconds=""
total=30
workers=1
if [ "${1:-}" = "--runs" ]; then
  runs=${2:?--runs needs a number}
  shift 2
  if [ "${1:-}" = "--max-seconds" ]; then
    max_seconds=${2:?--max-seconds needs a number}
    shift 2
  fi
  if [ "${1:-}" = "--workers" ]; then
    workers=${2:?--workers needs a number}
    shift 2
  fi
elif [ $# -gt 0 ]; then
  total=$1
  shift
fi
wanted=("$@")

# Longest input per target: the session scripts are cut short so one execution stays small.
max_len() {
  case "$1" in
    fuzz_im_client) echo 512 ;;
    fuzz_url) echo 512 ;;
    fuzz_config) echo 1024 ;;
    *) echo 4096 ;;
  esac
}

CXX=clang++ CC=clang cmake -S . -B build-fuzz -DECHAT_FUZZ=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build-fuzz -j"$JOBS" 2>&1 | grep -E 'error:|Error [0-9]' || true
mapfile -t targets < <(find build-fuzz -maxdepth 1 -type f -name 'fuzz_*' -perm -u+x | sort)
if [ ${#targets[@]} -eq 0 ]; then echo "fuzz: no targets built" >&2; exit 1; fi
if [ ${#wanted[@]} -gt 0 ]; then
  targets=()
  for w in "${wanted[@]}"; do
    [ -x "build-fuzz/$w" ] || { echo "fuzz: no target $w" >&2; exit 1; }
    targets+=("build-fuzz/$w")
  done
fi
mkdir -p build-fuzz/findings
status=0

# The entropic power schedule (libFuzzer's default) spends most of the time of a target with many
# features on its bookkeeping: with it off, fuzz_im_client runs about 10x more executions per second,
# fuzz_config and fuzz_url about 1.6x (docs/fuzzing.md).
schedule() {
  case "$1" in
    fuzz_im_client|fuzz_config|fuzz_url) echo "-entropic=0" ;;
  esac
}

common_args() {  # target name -> libFuzzer flags shared by both modes
  local name=$1
  echo "-max_len=$(max_len "$name") $(schedule "$name") -print_final_stats=1 -artifact_prefix=build-fuzz/findings/$name-"
  [ -f "tests/fuzz/$name.dict" ] && echo "-dict=tests/fuzz/$name.dict"
  return 0
}

stat() {  # log, stat name -> value
  grep -o "stat::$2: *[0-9]*" "$1" | grep -o '[0-9]*$' | tail -1
}

if [ -z "$runs" ]; then
  per=$(( total / ${#targets[@]} )); [ "$per" -ge 3 ] || per=3
  for t in "${targets[@]}"; do
    name=$(basename "$t"); seeds="tests/fuzz/corpus/${name#fuzz_}"
    work="build-fuzz/corpus-run/${name#fuzz_}"; rm -rf "$work"; mkdir -p "$work"
    [ -d "$seeds" ] && cp -r "$seeds"/. "$work"/
    log="build-fuzz/findings/$name.log"
    # shellcheck disable=SC2046
    if "$t" -max_total_time="$per" $(common_args "$name") "$work" >"$log" 2>&1; then
      echo "fuzz: $name ok, $(stat "$log" number_of_executed_units) executions in ${per} s"
    else
      echo "fuzz: $name FAILED (see $log)"; tail -30 "$log"; status=1
    fi
  done
  exit $status
fi

# Long run: a copy of each binary (so a rebuild during the run does not replace it), one at a time.
mkdir -p build-fuzz/long
for t in "${targets[@]}"; do
  name=$(basename "$t"); seeds="tests/fuzz/corpus/${name#fuzz_}"
  work="build-fuzz/corpus-long/${name#fuzz_}"; mkdir -p "$work"
  [ -d "$seeds" ] && cp -rn "$seeds"/. "$work"/
  cp "$t" "build-fuzz/long/$name"
  start=$(date +%s)
  # shellcheck disable=SC2046
  limit=(-runs="$runs"); [ -n "$max_seconds" ] && limit+=(-max_total_time="$max_seconds")
  # W processes on one corpus directory: each reloads what the others add (libFuzzer -reload).
  pids=(); logs=()
  trap 'kill "${pids[@]}" 2>/dev/null || true' INT TERM
  for ((w = 1; w <= workers; w++)); do
    log="build-fuzz/findings/$name-long.log"; [ "$workers" -gt 1 ] && log="build-fuzz/findings/$name-long-$w.log"
    logs+=("$log")
    # shellcheck disable=SC2046
    nice -n 19 "build-fuzz/long/$name" "${limit[@]}" $(common_args "$name") "$work" >"$log" 2>&1 &
    pids+=($!)
  done
  failed=0
  for p in "${pids[@]}"; do wait "$p" || failed=1; done
  secs=$(( $(date +%s) - start )); [ "$secs" -gt 0 ] || secs=1
  execs=0
  for log in "${logs[@]}"; do execs=$(( execs + $(stat "$log" number_of_executed_units || echo 0) )); done
  if [ "$failed" = 0 ]; then
    echo "fuzz: $name ok, $execs executions in $secs s ($(( execs / secs )) exec/s, $workers worker(s))," \
         "corpus $(find "$work" -type f | wc -l) inputs, $(git rev-parse --short HEAD), $(date -u +%FT%TZ)"
  else
    echo "fuzz: $name FAILED after $execs executions (see ${logs[*]})"
    for log in "${logs[@]}"; do tail -30 "$log"; done
    status=1
  fi
done
exit $status
