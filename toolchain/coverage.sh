#!/usr/bin/env bash
# Line coverage of src/ by the native Catch2 suites (gcov through lcov).
# Usage: toolchain/coverage.sh      -> prints a per-folder summary; HTML-free, report in build-cov/cov.info
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source toolchain/env.sh
cmake -S . -B build-cov -DCMAKE_BUILD_TYPE=Debug -DECHAT_COVERAGE=ON -DECHAT_SANITIZE=OFF >/dev/null
cmake --build build-cov -j"$JOBS" >/dev/null
find build-cov -name '*.gcda' -delete
(cd build-cov && ctest --output-on-failure >/dev/null)
lcov --quiet --capture --directory build-cov --output-file build-cov/all.info --rc lcov_branch_coverage=0 2>/dev/null
lcov --quiet --extract build-cov/all.info "$PWD/src/*" --output-file build-cov/cov.info 2>/dev/null
for d in core engineio socketio im host; do
  lcov --quiet --extract build-cov/cov.info "$PWD/src/$d/*" --output-file build-cov/$d.info 2>/dev/null || continue
  printf 'src/%-10s %s\n' "$d" "$(lcov --summary build-cov/$d.info 2>&1 | grep -o 'lines.*')"
done
printf '%-14s %s\n' "src (all)" "$(lcov --summary build-cov/cov.info 2>&1 | grep -o 'lines.*')"
