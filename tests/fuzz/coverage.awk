# Sums libFuzzer's -print_coverage=1 report per source file of src/: functions reached, and edges
# covered out of those instrumented (the sanitizers' own checks count as edges, so 100 % is out of
# reach). -v uncovered=1 also lists the functions never reached. POSIX awk (mawk is enough):
#   build-fuzz/fuzz_im_client -runs=0 -print_coverage=1 build-fuzz/corpus-long/im_client 2>&1 \
#     | awk -f tests/fuzz/coverage.awk | sort
/^(COVERED|UNCOVERED)_FUNC:/ {
  file = $NF
  sub(/:[0-9]+$/, "", file)
  i = index(file, "/src/")
  if (i == 0) next
  file = substr(file, i + 1)
  split($0, parts, "edges: ")
  split(parts[2], e, /[\/ ]/)
  funcs[file]++
  edges_hit[file] += e[1]
  edges[file] += e[2]
  if ($1 == "COVERED_FUNC:") {
    reached[file]++
  } else if (uncovered) {
    name = $0
    sub(/^.*edges: [0-9]+\/[0-9]+ /, "", name)
    sub(/ \/.*$/, "", name)
    missed[file] = missed[file] "|" name
  }
}
END {
  for (f in funcs) {
    printf "%-28s functions %3d/%-3d edges %4d/%-4d (%d%%)", f, reached[f], funcs[f], edges_hit[f], edges[f],
           edges[f] ? 100 * edges_hit[f] / edges[f] : 0
    if (uncovered && missed[f] != "") printf "   not reached: %s", substr(missed[f], 2)
    printf "\n"
  }
}
