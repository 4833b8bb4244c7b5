#!/usr/bin/env bash
# tools/bench/compare.sh: make bench-compare. Runs the sipline-bench parse
# workload with sipline and with the SIP parsers of GNU oSIP (libosip2),
# Sofia-SIP and libre (baresip) over the same corpus, and prints sipline's
# throughput as a ratio to each.
#
# Usage: tools/bench/compare.sh [BUILD]      (BUILD defaults to "build")
# Environment: BENCH_ROUNDS (default 5), BENCH_SECONDS per run (default 1),
#   BENCH_CORPUS (default tests/data/corpus), CC, CFLAGS, PKG_CONFIG.
#
# The competitors are Debian -dev packages installed here, never library
# dependencies: a package that cannot be installed is skipped with a note.
# Each competitor program (tools/bench/compare/bench_*.c) shares harness.c
# with sipline-bench, so loading, timing, allocation counting and the fields
# read are the same code. Before timing, each one dumps the values it read
# from every message; parse failures and values that differ from sipline's
# are reported. Runs are interleaved (A B C D, A B C D, ...) so a slow phase
# of the machine hits every program alike; the median of the rounds is
# reported.
set -eu

build=${1:-build}
rounds=${BENCH_ROUNDS:-5}
seconds=${BENCH_SECONDS:-1}
corpus=${BENCH_CORPUS:-tests/data/corpus}
cc=${CC:-cc}
cflags=${CFLAGS:--O2 -g}
pkg_config=${PKG_CONFIG:-pkg-config}
out=$build/bench-compare
sipline=$build/bin/sipline-bench

note() { echo "compare: note: $*"; }
die() { echo "compare: $*" >&2; exit 1; }

[ -x "$sipline" ] || die "$sipline not built (run make all first)"
[ -d "$corpus" ] || die "no corpus at $corpus"
mkdir -p "$out"

# name|Debian package|pkg-config module|source
competitors="libosip2|libosip2-dev|libosip2|bench_osip.c
sofia-sip|libsofia-sip-ua-dev|sofia-sip-ua|bench_sofia.c
libre|libre-dev|libre|bench_re.c"

installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null |
		grep -q "install ok installed"
}

# Installs the missing packages, once, with apt-get update only when the
# package lists do not know one of them.
missing=""
while IFS='|' read -r _ pkg _ _; do
	installed "$pkg" || missing="$missing $pkg"
done <<EOF
$competitors
EOF
if [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
		note "not root or no apt-get: cannot install$missing"
	else
		export DEBIAN_FRONTEND=noninteractive
		need_update=0
		for p in $missing; do
			apt-cache show "$p" >/dev/null 2>&1 || need_update=1
		done
		if [ $need_update = 1 ]; then
			apt-get update -qq >/dev/null 2>&1 || true
		fi
		for p in $missing; do
			log=$out/apt-$p.log
			apt-get install -y -qq --no-install-recommends "$p" \
				>"$log" 2>&1 ||
				note "apt-get install $p failed, see $log"
		done
	fi
fi

# sipline's own reading of the corpus, the reference for the others.
"$sipline" parse --dump "$corpus" >"$out/sipline.dump" 2>"$out/sipline.err" ||
	die "sipline-bench fails on the corpus: $(head -n 3 "$out/sipline.err")"
n_msgs=$(wc -l <"$out/sipline.dump")

# Build and check each competitor; the survivors go into $progs.
names="sipline"
declare -A cmd
cmd[sipline]="$sipline parse --seconds $seconds $corpus"
while IFS='|' read -r name pkg mod src; do
	if ! installed "$pkg"; then
		note "$name skipped: Debian package $pkg is not installed"
		continue
	fi
	if ! flags=$($pkg_config --cflags --libs "$mod" 2>/dev/null); then
		note "$name skipped: pkg-config does not know $mod"
		continue
	fi
	bin=$out/bench-$name
	# shellcheck disable=SC2086 # flag lists are meant to split
	if ! $cc -std=c11 -D_GNU_SOURCE $cflags -Wall -Wextra -Itools/bench \
		-o "$bin" "tools/bench/compare/$src" tools/bench/harness.c \
		$flags >"$out/build-$name.log" 2>&1; then
		note "$name skipped: build failed (see $out/build-$name.log)"
		continue
	fi
	"$bin" --dump "$corpus" >"$out/$name.dump" 2>"$out/$name.err" || true
	n_fail=$(grep -c . "$out/$name.err" || true)
	if [ "$n_fail" -gt 0 ]; then
		note "$name rejects $n_fail of $n_msgs message(s)" \
			"(timed without them):"
		sed 's/^/compare: note:   /' "$out/$name.err"
	fi
	diff "$out/sipline.dump" "$out/$name.dump" >"$out/$name.diff" || true
	n_diff=$(grep -c '^>' "$out/$name.diff" || true)
	if [ "$n_diff" -gt 0 ]; then
		note "$name reads other values than sipline from" \
			"$n_diff message(s) (see $out/$name.diff):"
		grep '^>' "$out/$name.diff" | cut -c3- | cut -f1 |
			sed 's/^/compare: note:   /'
	fi
	names="$names $name"
	cmd[$name]="$bin --keep-going --seconds $seconds $corpus"
done <<EOF
$competitors
EOF

# Pin to one CPU when possible: less migration noise on a small machine.
pin=""
if command -v taskset >/dev/null; then
	cpu=$(($(nproc) - 1))
	pin="taskset -c $cpu"
fi

echo "compare: $n_msgs messages from $corpus, $rounds interleaved rounds of" \
	"${seconds} s per program, medians"
for name in $names; do
	: >"$out/$name.runs"
done
for r in $(seq 1 "$rounds"); do
	for name in $names; do
		# shellcheck disable=SC2086
		line=$($pin ${cmd[$name]} 2>>"$out/$name.runs.err") ||
			die "$name failed in round $r:" \
				"$(tail -n 2 "$out/$name.runs.err")"
		echo "$line" >>"$out/$name.runs"
	done
done

# Median of field $2 (1: msgs/s, 3: ns/msg, 5: allocs/msg) of "parse: ..."
median() {
	awk -v f="$2" '{ sub(/^parse: /, ""); gsub(/,/, ""); print $f }' "$1" |
		sort -g | awk '{ v[NR] = $1 } END {
			if (NR % 2) print v[(NR + 1) / 2];
			else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

summary=""
for name in $names; do
	rate=$(median "$out/$name.runs" 1)
	ns=$(median "$out/$name.runs" 3)
	allocs=$(median "$out/$name.runs" 5)
	printf 'compare: %-10s %10.0f msgs/s %8.0f ns/msg %8s allocs/msg\n' \
		"$name" "$rate" "$ns" "$allocs"
	if [ "$name" = sipline ]; then
		base=$rate
		summary=$(printf 'compare: sipline %.0f msgs/s' "$rate")
	else
		summary="$summary$(awk -v n="$name" -v b="$base" -v r="$rate" \
			'BEGIN { printf "; %s %.0f (%.1fx)", n, r, b / r }')"
	fi
done
echo "$summary"
