#!/bin/sh
# tests/run-unit.sh BUILD BIN...: runs every Check binary, prints each
# suite's result and one closing line "unit: N passed, N failed".
# Exits non-zero when any test failed or any binary crashed outright.
set -u
build=$1
shift
passed=0
failed=0
bad=0
log=$build/unit.log
: > "$log"
for bin in "$@"; do
	out=$("$bin" 2>&1)
	rc=$?
	printf '%s\n' "$out" >> "$log"
	line=$(printf '%s\n' "$out" | grep -E '^[0-9]+%: Checks: ' | tail -n 1)
	if [ -z "$line" ]; then
		echo "$(basename "$bin"): no result (exit $rc)"
		printf '%s\n' "$out" | tail -n 20
		bad=$((bad + 1))
		continue
	fi
	n=$(printf '%s' "$line" | sed -E 's/.*Checks: ([0-9]+).*/\1/')
	f=$(printf '%s' "$line" | sed -E 's/.*Failures: ([0-9]+).*/\1/')
	e=$(printf '%s' "$line" | sed -E 's/.*Errors: ([0-9]+).*/\1/')
	passed=$((passed + n - f - e))
	failed=$((failed + f + e))
	echo "$(basename "$bin"): $line"
	if [ "$rc" -ne 0 ] || [ $((f + e)) -ne 0 ]; then
		printf '%s\n' "$out" | grep -vE '^(Running suite|[0-9]+%: Checks)' | head -n 40
		bad=$((bad + 1))
	fi
done
echo "unit ($build): $passed passed, $failed failed"
[ "$bad" -eq 0 ] && [ "$failed" -eq 0 ]
