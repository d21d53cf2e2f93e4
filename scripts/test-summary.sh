#!/usr/bin/env bash
# Adds up the Surefire and Failsafe XML reports of every module into one closing line:
#   tests: N passed, N failed, N skipped
set -euo pipefail
root="${1:-.}"
tests=0; failed=0; skipped=0
while IFS= read -r report; do
  header="$(grep -m1 -o '<testsuite [^>]*>' "$report" || true)"
  [ -z "$header" ] && continue
  attr() { printf '%s' "$header" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*' || echo 0; }
  t="$(attr tests)"; f="$(attr failures)"; e="$(attr errors)"; s="$(attr skipped)"
  tests=$((tests + t)); failed=$((failed + f + e)); skipped=$((skipped + s))
  if [ "$((f + e))" -gt 0 ]; then
    printf 'FAILED: %s\n' "$(basename "$report" .xml | sed 's/^TEST-//')"
  fi
done < <(find "$root" -path '*/target/*-reports/TEST-*.xml' -not -path '*/.kb/*' 2>/dev/null | sort)
passed=$((tests - failed - skipped))
printf 'tests: %d passed, %d failed, %d skipped\n' "$passed" "$failed" "$skipped"
