#!/bin/sh
# tests/interop/sipp-txn.sh BUILD: the transaction layer against SIPp over
# real sockets on 127.0.0.1 (run by `make check`).
#
# Eight cases, each with fresh processes on ephemeral ports:
#   SIPp as UAC (tests/interop/sipp/{options,invite}-uac.xml) against
#   `txn_peer uas`, and `txn_peer uac` against SIPp as UAS
#   ({options,invite}-uas.xml), for OPTIONS and INVITE (INVITE, 180, 200,
#   ACK, BYE, 200), over UDP (SIPp -t u1, its retransmissions on) and TCP
#   (-t t1); SIPP_TXN_COUNT (50) transactions each at SIPP_TXN_RATE (50)
#   per second.
# A SIPp-UAC case passes when SIPp exits 0 with every call successful in
# its statistics file and txn_peer uas saw every request and left no call
# unacknowledged; a txn_peer-UAC case when txn_peer reports every
# transaction passed. Closing line: "sipp-txn: N passed, M failed"; the
# exit status is non-zero on any failure. Logs are kept only on failure.
set -u

build=${1:?usage: $0 BUILD}
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$build" && pwd)
peer=$build/tests/txn_peer
scen=$here/sipp
count=${SIPP_TXN_COUNT:-50}
rate=${SIPP_TXN_RATE:-50}

. "$here/lib.sh"
il_init sipp-txn

if ! command -v sipp > /dev/null 2>&1; then
	il_fail "sipp not found (tools/install-deps.sh check installs" \
		"sip-tester)"
	il_summary
	exit 1
fi
if [ ! -x "$peer" ]; then
	il_fail "$peer missing (make BUILD=... $peer)"
	il_summary
	exit 1
fi

# SIPp as UAC against txn_peer uas: sipp_uac options|invite udp|tcp
sipp_uac() {
	what="sipp uac $1/$2 -> txn_peer uas ($count)"
	name=sipp-uac-$1-$2
	il_bg "$name-peer" 90 "$peer" uas --udp 127.0.0.1:0 \
		--tcp 127.0.0.1:0 --max-seconds 80
	ppid=$il_last
	port=$(il_listen_port "$il_logs/$name-peer.out" "$2")
	if [ -z "$port" ]; then
		il_stop "$ppid"
		il_fail "$what: txn_peer did not come up" \
			"$il_logs/$name-peer.err"
		return
	fi
	mode=u1
	[ "$2" = tcp ] && mode=t1
	# SIPp's own port is given too: its default, 5060, may be taken.
	lport=$("$peer" freeport)
	il_bg "$name-sipp" 75 sipp -sf "$scen/$1-uac.xml" -t $mode \
		-i 127.0.0.1 -p "$lport" -m "$count" -r "$rate" -nostdin \
		-timeout 60s -timeout_error -trace_stat -stf "$name.csv" \
		-fd 1 -trace_err -error_file "$name-sipp.errors" \
		"127.0.0.1:$port"
	il_wait "$il_last"
	src=$il_rc
	il_stop "$ppid"
	prc=$il_rc
	ok=$(il_csv "$name.csv" "SuccessfulCall(C)")
	bad=$(il_csv "$name.csv" "FailedCall(C)")
	out=$il_logs/$name-peer.out
	if [ "$1" = invite ]; then
		seen=$(il_field "$out" invite)
		byes=$(il_field "$out" bye)
	else
		seen=$(il_field "$out" options)
		byes=$count
	fi
	unacked=$(il_field "$out" unacked)
	if [ "$src" -eq 0 ] && [ "${ok:-0}" -eq "$count" ] &&
	   [ "${bad:-1}" -eq 0 ] && [ "$prc" -eq 0 ] &&
	   [ "${seen:-0}" -ge "$count" ] && [ "${byes:-0}" -ge "$count" ] &&
	   [ "${unacked:-1}" -eq 0 ]; then
		il_pass "$what"
	else
		il_fail "$what: sipp exit $src, successful ${ok:-?}," \
			"failed ${bad:-?}; txn_peer exit $prc, requests" \
			"${seen:-?}, unacked ${unacked:-?}" \
			"$il_logs/$name-sipp.out" "$out" \
			"$il_logs/$name-peer.err" "$il_logs/$name-sipp.errors"
	fi
}

# txn_peer uac against SIPp as UAS: peer_uac options|invite udp|tcp
peer_uac() {
	what="txn_peer uac $1/$2 -> sipp uas ($count)"
	name=peer-uac-$1-$2
	method=OPTIONS
	[ "$1" = invite ] && method=INVITE
	mode=u1
	[ "$2" = tcp ] && mode=t1
	port=$("$peer" freeport)
	# No -m: the UAS keeps each call 32 s for retransmissions and is
	# stopped once txn_peer is done.
	il_bg "$name-sipp" 90 sipp -sf "$scen/$1-uas.xml" -t $mode \
		-i 127.0.0.1 -p "$port" -nostdin \
		-trace_err -error_file "$name-sipp.errors"
	spid=$il_last
	if ! il_wait_port "$2" "$port" "$spid"; then
		il_stop "$spid"
		il_fail "$what: sipp did not listen on $port" \
			"$il_logs/$name-sipp.out" "$il_logs/$name-sipp.err"
		return
	fi
	il_bg "$name-peer" 75 "$peer" uac --target "127.0.0.1:$port" \
		--transport "$2" --method "$method" --count "$count" \
		--rate "$rate" --max-seconds 60
	il_wait "$il_last"
	prc=$il_rc
	il_stop "$spid"
	out=$il_logs/$name-peer.out
	if [ "$prc" -eq 0 ] &&
	   grep -qx "txn_peer: $count passed, 0 failed" "$out"; then
		il_pass "$what"
	else
		il_fail "$what: txn_peer exit $prc" "$out" \
			"$il_logs/$name-peer.err" "$il_logs/$name-sipp.out" \
			"$il_logs/$name-sipp.errors"
	fi
}

for tp in udp tcp; do
	for m in options invite; do
		sipp_uac $m $tp
		peer_uac $m $tp
	done
done
il_summary
