#!/bin/sh
# tools/bench/txn-bench.sh BUILD: non-INVITE transactions per second
# through the transaction layer over loopback UDP (informational; run by
# `make bench`).
#
# SIPp (tests/interop/sipp/options-uac.xml) sends TXN_BENCH_CALLS (20000)
# OPTIONS at TXN_BENCH_RATE (5000) per second to `txn_peer uas`, which
# runs the loop, the UDP transport and one server transaction per request
# (answered 200, kept until Timer J). txn_peer runs with T1 = TXN_BENCH_T1
# (100) ms so that Timer J (64*T1 = 6.4 s: longer than SIPp's third
# retransmission, 3.5 s after a lost 200) ends every transaction soon
# after the traffic; it is stopped only then, so its CPU time covers each
# transaction's whole life. Reported:
#   txn: <tps> tps, <us> us CPU/txn (sipline), <us> us CPU/txn (sipp),
#   ratio <sipline/sipp>
# tps counts the 200s SIPp received over SIPp's run; CPU time is
# user+system, txn_peer's from getrusage at its exit, SIPp's (the
# baseline: the same transactions on the other end) from its rusage as a
# child of a small perl wrapper. Exits non-zero when the run itself fails.
set -u

build=${1:?usage: $0 BUILD}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "$build" && pwd)
peer=$build/tests/txn_peer
calls=${TXN_BENCH_CALLS:-20000}
rate=${TXN_BENCH_RATE:-5000}
t1=${TXN_BENCH_T1:-100}

. "$root/tests/interop/lib.sh"
il_init txn-bench

if ! command -v sipp > /dev/null 2>&1 || [ ! -x "$peer" ]; then
	il_fail "needs sipp and $peer"
	il_summary
	exit 1
fi

il_bg peer 300 "$peer" uas --udp 127.0.0.1:0 --pool 32768 --t1 "$t1" \
	--max-seconds 290
ppid=$il_last
port=$(il_listen_port "$il_logs/peer.out" udp)
if [ -z "$port" ]; then
	il_stop "$ppid"
	il_fail "txn_peer did not come up" "$il_logs/peer.err"
	il_summary
	exit 1
fi

# The perl wrapper runs SIPp as its child and prints the child's CPU
# seconds (user + system) when it ends; SIGTERM is passed on to SIPp.
lport=$("$peer" freeport)
start=$(date +%s%N)
il_bg sipp 240 perl -e '
	my $pid = fork();
	die "fork: $!" unless defined $pid;
	if ($pid == 0) { exec @ARGV or die "exec: $!"; }
	$SIG{TERM} = sub { kill "TERM", $pid; };
	waitpid($pid, 0);
	my $rc = $?;
	my (undef, undef, $cu, $cs) = times();
	printf STDERR "sipp_cpu_s=%.3f\n", $cu + $cs;
	exit($rc >> 8);' \
	sipp -sf "$root/tests/interop/sipp/options-uac.xml" -t u1 \
	-i 127.0.0.1 -p "$lport" -m "$calls" -r "$rate" -nostdin -timeout 200s \
	-timeout_error -trace_stat -stf sipp.csv -fd 1 \
	-max_recv_loops 10000 -max_sched_loops 10000 "127.0.0.1:$port"
il_wait "$il_last"
src=$il_rc
end=$(date +%s%N)
# Let Timer J end the last transactions before txn_peer is stopped.
sleep $(( (64 * t1 + 999) / 1000 + 1 ))
il_stop "$ppid"
prc=$il_rc

ok=$(il_csv sipp.csv "SuccessfulCall(C)")
bad=$(il_csv sipp.csv "FailedCall(C)")
txns=$(il_field "$il_logs/peer.out" server_txns)
peer_cpu=$(il_field "$il_logs/peer.out" cpu_us)
sipp_cpu=$(sed -n 's/^sipp_cpu_s=//p' "$il_logs/sipp.err" | tail -n 1)

if [ "$src" -ne 0 ] || [ "$prc" -ne 0 ] || [ -z "$ok" ] ||
   [ -z "$txns" ] || [ "${txns:-0}" -eq 0 ] || [ -z "$sipp_cpu" ]; then
	il_fail "run failed: sipp exit $src (successful ${ok:-?}, failed" \
		"${bad:-?}), txn_peer exit $prc" "$il_logs/sipp.out" \
		"$il_logs/sipp.err" "$il_logs/peer.out" "$il_logs/peer.err"
	il_summary
	exit 1
fi

awk -v ok="$ok" -v bad="$bad" -v ns="$((end - start))" -v txns="$txns" \
    -v pcpu="$peer_cpu" -v scpu="$sipp_cpu" -v calls="$calls" \
    -v rate="$rate" 'BEGIN {
	tps = ok / (ns / 1e9);
	us_peer = pcpu / txns;
	us_sipp = scpu * 1e6 / (ok + bad);
	ratio = us_sipp > 0 ? us_peer / us_sipp : 0;
	printf "txn: %d OPTIONS offered at %d/s: %d answered, %d failed, " \
	       "%d server transactions\n", calls, rate, ok, bad, txns;
	printf "txn: %.0f tps, %.1f us CPU/txn (sipline), %.1f us CPU/txn " \
	       "(sipp), ratio %.2f\n", tps, us_peer, us_sipp, ratio;
}'
