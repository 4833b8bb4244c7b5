#!/bin/sh
# tools/bench/call-bench.sh BUILD: the call benchmark of `make bench` -
# SIPp as the caller (tools/bench/call-uac.xml: INVITE with SDP, 100/180,
# 200, ACK, BYE, 200, no media) against `sipline-bench uas`, a sipline UA
# that answers every call at once (tools/bench/uas.c, public API only,
# media off), both on 127.0.0.1 over UDP. Informational: README figures,
# not a pass/fail test (it fails only when a run itself breaks).
#
# 1. Set-up rate: SIPp calls at CALL_BENCH_RATES (calls/s, ascending) for
#    CALL_BENCH_STEP_S seconds each (calls last no time: -d 0), the UAS
#    left to drain between steps; the steps stop at the first one with a
#    failed call (SIPp's FailedCall, or a call the UAS saw fail). Reported:
#      call-rate: R calls/s: N ok, F failed, US us CPU/call (uas)
#    per step, then the highest rate with zero failures, and the UAS's
#    CPU per call over the run (user + system over calls answered).
# 2. Memory per established call: a fresh UAS (CALL_BENCH_CALLS + 1000
#    lines); its resident size idle (RSS0); SIPp makes CALL_BENCH_CALLS
#    short calls at CALL_BENCH_MEM_RATE/s (this touches every transaction
#    and receive buffer the held run will need), all ended and drained
#    (RSS1); then the same number of calls held open (-d
#    CALL_BENCH_HOLD_MS), measured once every one is connected and their
#    set-up transactions ended (RSS2). (RSS2 - RSS1) / N is what a held
#    call adds (dialog text, the line's names and descriptions). The
#    pools sized per line (line slots, two dialog slots, the media state
#    of a line) are written when the UA starts: (RSS0 - RSS of the same UA
#    with 1000 lines) / N gives that part. Reported (bytes):
#      call-mem: N calls held: B per established call ...
#      call-mem: B per line slot before any call ...; B per call in all
#      call-mem: B per call counting the set-up burst's transactions ...
#    Both UAs get the largest transaction pool (32768), so only the line
#    count differs.
#
# Timers: a server transaction lives 64*T1 after its last message (Timer
# J for the BYE, Timer L for the INVITE's 2xx, RFC 6026), two per call,
# and the pool holds at most 32768 (lib/txn): with the RFC default T1 =
# 500 ms that caps any sustained rate at 32768 / (2 * 32 s), about 510
# calls/s, whatever the CPU. The rate is therefore measured with T1 =
# CALL_BENCH_T1 (default 20 ms: 64*T1 = 1.28 s, a bound of about 12800
# calls/s; loopback round trips take microseconds), like txn-bench.sh
# (T1 = 100 ms); the line printed says which T1 was used.
#
# Bounded: every process runs under `timeout`, stopped by pid at the end;
# the whole run takes about 60 to 90 s.
set -u

build=${1:?usage: $0 BUILD}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "$build" && pwd)
bench=$build/bin/sipline-bench
scen=$here/call-uac.xml
rates=${CALL_BENCH_RATES:-2000 4000 5000 6000 8000 10000 12000}
step_s=${CALL_BENCH_STEP_S:-3}
t1=${CALL_BENCH_T1:-20}
calls=${CALL_BENCH_CALLS:-10000}
mem_rate=${CALL_BENCH_MEM_RATE:-2000}
hold_ms=${CALL_BENCH_HOLD_MS:-15000}

. "$root/tests/interop/lib.sh"
il_init call-bench

if ! command -v sipp > /dev/null 2>&1 || [ ! -x "$bench" ]; then
	il_fail "needs sipp and $bench"
	il_summary
	exit 1
fi

# drain_s: 64*T1 plus a second, in whole seconds.
drain_s=$(( (64 * t1 + 999) / 1000 + 1 ))

# uas_start NAME LINES [ARGS...]: starts the UAS; $uas_pid, $uas_port,
# $uas_log.
uas_start() {
	_n=$1
	_l=$2
	shift 2
	il_bg "$_n" 400 "$bench" uas --lines "$_l" --t1 "$t1" --every 200 \
		--seconds 380 "$@"
	set -- "$_n"
	uas_pid=$il_last
	uas_log=$il_logs/$1.out
	uas_port=""
	_i=0
	while [ $_i -lt 100 ] && [ -z "$uas_port" ]; do
		uas_port=$(sed -n 's/^uas: listening .*:\([0-9]*\)$/\1/p' \
			"$uas_log" 2>/dev/null | head -n 1)
		[ -n "$uas_port" ] && break
		sleep 0.1
		_i=$((_i + 1))
	done
	[ -n "$uas_port" ]
}

# uas_field KEY: KEY's value in the UAS's last counter line.
uas_field() {
	il_field "$uas_log" "$1"
}

# sipp_run NAME RATE CALLS HOLD_MS SECONDS: SIPp against the UAS, waited
# for; $il_rc is its exit status, NAME.csv its statistics.
sipp_run() {
	il_bg "$1" "$5" sipp -sf "$scen" -t u1 -i 127.0.0.1 -p 0 \
		-m "$3" -r "$2" -d "$4" -l $(( $3 + 10 )) -nostdin \
		-timeout "$(( $5 - 5 ))s" -timeout_error -trace_stat \
		-stf "$1.csv" -fd 1 -max_recv_loops 10000 \
		-max_sched_loops 10000 -buff_size 4194304 \
		"127.0.0.1:$uas_port"
	il_wait "$il_last"
}

# ---- 1. set-up rate ----

if ! uas_start uas-rate 4096; then
	il_fail "the UAS did not come up" "$il_logs/uas-rate.err"
	il_summary
	exit 1
fi
best=0
broke=0
for r in $rates; do
	n=$((r * step_s))
	before=$(uas_field answered)
	fails_before=$(uas_field failed)
	sipp_run "sipp-$r" "$r" "$n" 0 $((step_s * 4 + 30))
	src=$il_rc
	# Let the last BYEs and their transactions end before counting.
	sleep "$drain_s"
	ok=$(il_csv "sipp-$r.csv" "SuccessfulCall(C)")
	bad=$(il_csv "sipp-$r.csv" "FailedCall(C)")
	uas_bad=$(( $(uas_field failed) - fails_before ))
	answered=$(( $(uas_field answered) - before ))
	if [ -z "$ok" ]; then
		il_fail "no statistics at $r calls/s (sipp exit $src)" \
			"$il_logs/sipp-$r.err" "$il_logs/sipp-$r.out"
		broke=1
		break
	fi
	echo "call-rate: $r calls/s for ${step_s} s (T1 $t1 ms): $ok ok," \
	     "${bad:-0} failed (sipp), $uas_bad failed (uas), $answered" \
	     "answered"
	if [ "${bad:-0}" -ne 0 ] || [ "$uas_bad" -ne 0 ] ||
	   [ "$ok" -lt "$n" ]; then
		break
	fi
	best=$r
done
answered=$(uas_field answered)
cpu=$(uas_field cpu_s)
il_stop "$uas_pid"
if [ "$broke" -eq 0 ]; then
	awk -v best="$best" -v cpu="$cpu" -v n="$answered" -v t1="$t1" '
	BEGIN {
		us = n > 0 ? cpu * 1e6 / n : 0;
		cps = us > 0 ? 1e6 / us : 0;
		printf "call-rate: %d calls/s sustained with no failed call " \
		       "(T1 %d ms); uas %.1f us CPU per call (%d calls, " \
		       "%.2f s), about %d calls/s on one core\n", best, t1,
		       us, n, cpu, cps;
		printf "call-rate: with T1 = 500 ms the transaction pool " \
		       "bounds a sustained rate at %d calls/s\n",
		       32768 / (2 * 64 * 0.5);
	}'
	il_pass "set-up rate measured"
fi

# ---- 2. memory per established call ----

# What a line slot costs before any call: the same UA with 1000 lines
# and with CALL_BENCH_CALLS more (the same transaction pool), idle.
if ! uas_start uas-small 1000 --transactions 32768; then
	il_fail "the UAS did not come up" "$il_logs/uas-small.err"
	il_summary
	exit 1
fi
sleep 1
rss_small=$(uas_field rss_kb)
il_stop "$uas_pid"
if ! uas_start uas-mem $((calls + 1000)) --transactions 32768; then
	il_fail "the UAS did not come up" "$il_logs/uas-mem.err"
	il_summary
	exit 1
fi
sleep 1
rss0=$(uas_field rss_kb)
sipp_run sipp-warm "$mem_rate" "$calls" 0 $((calls / mem_rate + 40))
warm_rc=$il_rc
sleep "$drain_s"
rss1=$(uas_field rss_kb)
sipp_run_bg() {
	il_bg sipp-hold $((calls / mem_rate + hold_ms / 1000 + 60)) sipp \
		-sf "$scen" -t u1 -i 127.0.0.1 -p 0 -m "$calls" \
		-r "$mem_rate" -d "$hold_ms" -l $((calls + 10)) -nostdin \
		-timeout "$((calls / mem_rate + hold_ms / 1000 + 50))s" \
		-timeout_error -trace_stat -stf sipp-hold.csv -fd 1 \
		-max_recv_loops 10000 -max_sched_loops 10000 \
		-buff_size 4194304 "127.0.0.1:$uas_port"
	hold_pid=$il_last
}
sipp_run_bg
# Every call connected, then their INVITE transactions ended.
_i=0
while [ $_i -lt $((hold_ms / 100)) ]; do
	[ "$(uas_field active)" = "$calls" ] && break
	sleep 0.1
	_i=$((_i + 1))
done
active=$(uas_field active)
sleep "$drain_s"
rss2=$(uas_field rss_kb)
active2=$(uas_field active)
il_wait "$hold_pid"
hold_rc=$il_rc
sleep 1
mem_failed=$(uas_field failed)
il_stop "$uas_pid"
held_ok=$(il_csv sipp-hold.csv "SuccessfulCall(C)")
held_bad=$(il_csv sipp-hold.csv "FailedCall(C)")
if [ "$active" != "$calls" ] || [ "$active2" != "$calls" ] ||
   [ -z "$rss0" ] || [ -z "$rss1" ] || [ -z "$rss2" ]; then
	il_fail "only ${active:-?} of $calls calls held (sipp exits" \
		"$warm_rc/$hold_rc)" "$il_logs/uas-mem.out" \
		"$il_logs/sipp-hold.out"
else
	awk -v n="$calls" -v r0="$rss0" -v r1="$rss1" -v r2="$rss2" \
	    -v rs="$rss_small" -v ok="${held_ok:-0}" -v bad="${held_bad:-0}" \
	    -v uf="${mem_failed:-0}" '
	BEGIN {
		dyn = (r2 - r1) * 1024 / n;
		slot = (r0 - rs) * 1024 / n;
		printf "call-mem: %d calls held: %.0f bytes per established " \
		       "call (RSS %d -> %d kB after an equal burst of short " \
		       "calls)\n", n, dyn, r1, r2;
		printf "call-mem: %.0f bytes per line slot before any call " \
		       "(idle RSS %d kB with %d more lines than %d kB); " \
		       "%.0f bytes per call in all\n", slot, r0, n, rs,
		       dyn + slot;
		printf "call-mem: %.0f bytes per call counting the " \
		       "transactions and receive buffers of the set-up " \
		       "burst\n", (r2 - r0) * 1024 / n;
		printf "call-mem: held calls ended: %d ok, %d failed " \
		       "(sipp), %d failed (uas)\n", ok, bad, uf;
	}'
	il_pass "memory per established call measured"
fi
il_summary
