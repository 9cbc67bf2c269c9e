#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, -fsanitize=fuzzer,address,undefined) and runs each one on a
# scratch copy of its seed corpus (tests/fuzz/corpus/<target without fuzz_>).
# Usage: toolchain/fuzz.sh [TOTAL_SECONDS]   (default 30: the smoke run of the test command;
#        toolchain/fuzz.sh 3600 for a long run). Findings are written to build-fuzz/findings/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source toolchain/env.sh
total=${1:-30}

CXX=clang++ CC=clang cmake -S . -B build-fuzz -DECHAT_FUZZ=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build-fuzz -j"$JOBS" 2>&1 | grep -E 'error:|Error [0-9]' || true
mapfile -t targets < <(find build-fuzz -maxdepth 1 -type f -name 'fuzz_*' -perm -u+x | sort)
if [ ${#targets[@]} -eq 0 ]; then echo "fuzz: no targets built" >&2; exit 1; fi
per=$(( total / ${#targets[@]} )); [ "$per" -ge 3 ] || per=3
mkdir -p build-fuzz/findings
status=0
for t in "${targets[@]}"; do
  name=$(basename "$t"); seeds="tests/fuzz/corpus/${name#fuzz_}"
  work="build-fuzz/corpus-run/${name#fuzz_}"; rm -rf "$work"; mkdir -p "$work"
  [ -d "$seeds" ] && cp -r "$seeds"/. "$work"/
  log="build-fuzz/findings/$name.log"
  if "$t" -max_total_time="$per" -print_final_stats=1 -artifact_prefix=build-fuzz/findings/"$name"- \
       "$work" >"$log" 2>&1; then
    echo "fuzz: $name ok, $(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$') executions in ${per} s"
  else
    echo "fuzz: $name FAILED (see $log)"; tail -30 "$log"; status=1
  fi
done
exit $status
