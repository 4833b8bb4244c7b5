#!/bin/sh
# tests/fuzz/smoke.sh BUILD SECONDS NAME...: runs each libFuzzer harness for
# SECONDS on a scratch copy of its seed corpus (the repo's corpus is only
# read). Fails on any crash, leak, timeout or out-of-memory; the input that
# did it is left in BUILD/fuzz/findings/NAME for tests/fuzz/crashers/NAME.
set -u
build=$1
secs=$2
shift 2
status=0
for name in "$@"; do
	work=$build/fuzz/work/$name
	findings=$build/fuzz/findings/$name
	rm -rf "$work"
	mkdir -p "$work" "$findings"
	echo "fuzz-smoke: $name for ${secs}s"
	if ! "$build/fuzz/fuzz_$name" -max_total_time="$secs" -timeout=10 \
		-rss_limit_mb=2048 -max_len=16384 -print_final_stats=1 \
		-artifact_prefix="$findings/" "$work" "tests/fuzz/corpus/$name" \
		> "$build/fuzz/$name.log" 2>&1; then
		echo "fuzz-smoke: $name FAILED; see $build/fuzz/$name.log"
		tail -n 40 "$build/fuzz/$name.log"
		status=1
	else
		grep -E 'stat::number_of_executed_units|stat::peak_rss' \
			"$build/fuzz/$name.log" | sed "s/^/fuzz-smoke: $name /"
	fi
done
[ "$status" -eq 0 ] && echo "fuzz-smoke: $# passed, 0 failed"
exit $status
