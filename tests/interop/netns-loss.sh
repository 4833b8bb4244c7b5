#!/bin/sh
# tests/interop/netns-loss.sh BUILD: the transaction layer against SIPp
# over UDP with 20% of the datagrams lost (run by `make check`).
#
# Needs root, unshare and nft; without them it prints "netns-loss:
# skipped: ..." and exits 0. The script runs itself again inside a new
# network namespace (unshare -n, loopback brought up), where an nftables
# rule drops 20% of all UDP at random on the input hook. (On the output
# hook the drop would be seen by the sender: sendto() fails with EPERM,
# which is a local error, not loss.) The namespace disappears with its
# processes.
#
# Four cases, run side by side, each LOSS_COUNT (100) calls or
# transactions at LOSS_RATE (20) per second, every one of which must
# succeed -- the retransmissions of both sides (Timers A and E, the UAS
# core's 2xx retransmission, SIPp's own, with more tries than its default
# so that a run fails less often than once in thousands) must carry every
# transaction through:
#   SIPp INVITE UAC and SIPp OPTIONS UAC -> txn_peer uas (SIPp's
#   statistics: successful calls == total, none failed; txn_peer left no
#   call unacknowledged)
#   txn_peer uac INVITE and OPTIONS -> SIPp UAS (all passed)
# and the rule must have dropped packets. Closing line: "netns-loss: N
# passed, M failed".
set -u

build=${1:?usage: $0 BUILD}
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$build" && pwd)

if [ "${2:-}" != --in-netns ]; then
	skip() {
		echo "netns-loss: skipped: $1"
		exit 0
	}
	[ "$(id -u)" = 0 ] || skip "not root"
	command -v unshare > /dev/null 2>&1 || skip "no unshare"
	command -v nft > /dev/null 2>&1 || skip "no nft"
	command -v ip > /dev/null 2>&1 || skip "no ip (iproute2)"
	unshare -n true 2> /dev/null || skip "no unshare (refused here)"
	if ! command -v sipp > /dev/null 2>&1; then
		echo "netns-loss: sipp not found (tools/install-deps.sh check)"
		echo "netns-loss: 0 passed, 1 failed"
		exit 1
	fi
	timeout -k 5 240 unshare -n sh "$here/netns-loss.sh" "$build" \
		--in-netns &
	inner=$!
	trap 'kill -TERM $inner 2>/dev/null; wait $inner; exit 143' TERM
	trap 'kill -TERM $inner 2>/dev/null; wait $inner; exit 130' INT
	wait $inner
	rc=$?
	[ $rc -eq 77 ] && skip "no nft (refused in the namespace)"
	if [ $rc -eq 124 ]; then
		echo "netns-loss: timed out"
		echo "netns-loss: 0 passed, 1 failed"
	fi
	exit $rc
fi

# ---- inside the namespace ----

peer=$build/tests/txn_peer
scen=$here/sipp
count=${LOSS_COUNT:-100}
rate=${LOSS_RATE:-20}
loss=20
# SIPp's defaults give up after 5 INVITE / 7 non-INVITE retransmissions:
# at 20% loss each way a BYE would fail in ~3 of 10,000 calls.
retrans="-max_invite_retrans 10 -max_non_invite_retrans 12"
# SIPp 3.6.1 recognises a copy of a message only when it sent a single
# message after the original; otherwise it aborts the call on it as
# unexpected. Loss brings such copies: as UAS, an INVITE after it sent
# 180 and 200, a late ACK (one per 200 copy that reached the UAC)
# during its final wait, after which it would ignore retransmitted
# BYEs; as UAC, a 200 to the INVITE after it sent ACK and BYE. With
# "abortunexp" off it logs them and goes on; the retransmissions of both
# sides (SIPp's 200s and BYEs, ours) still carry every call through.
lenient="-default_behaviors all,-abortunexp"

ip link set lo up || exit 77
nft -f - << EOF || exit 77
table inet loss {
	chain in {
		type filter hook input priority 0; policy accept;
		meta l4proto udp numgen random mod 100 < $loss counter drop
	}
}
EOF

. "$here/lib.sh"
il_init netns-loss

if [ ! -x "$peer" ]; then
	il_fail "$peer missing"
	il_summary
	exit 1
fi

# SIPp as UAC against txn_peer uas: sipp_uac options|invite
sipp_uac() {
	what="sipp uac $1/udp -> txn_peer uas ($count, $loss% loss)"
	name=sipp-uac-$1
	il_bg "$name-peer" 120 "$peer" uas --udp 127.0.0.1:0 \
		--max-seconds 110
	ppid=$il_last
	port=$(il_listen_port "$il_logs/$name-peer.out" udp)
	if [ -z "$port" ]; then
		il_stop "$ppid"
		il_fail "$what: txn_peer did not come up" \
			"$il_logs/$name-peer.err"
		return
	fi
	lport=$("$peer" freeport)
	# shellcheck disable=SC2086 # $retrans is a list of options
	il_bg "$name-sipp" 100 sipp -sf "$scen/$1-uac.xml" -t u1 \
		-i 127.0.0.1 -p "$lport" -m "$count" -r "$rate" -nostdin \
		$retrans $lenient \
		-timeout 90s -timeout_error -trace_stat -stf "$name.csv" \
		-fd 1 -trace_err -error_file "$name-sipp.errors" \
		"127.0.0.1:$port"
	il_wait "$il_last"
	src=$il_rc
	il_stop "$ppid"
	prc=$il_rc
	ok=$(il_csv "$name.csv" "SuccessfulCall(C)")
	bad=$(il_csv "$name.csv" "FailedCall(C)")
	out=$il_logs/$name-peer.out
	unacked=$(il_field "$out" unacked)
	# Every call's last request reached txn_peer (not just SIPp's
	# statistics): a BYE per INVITE, or the OPTIONS.
	last=$(il_field "$out" options)
	[ "$1" = invite ] && last=$(il_field "$out" bye)
	if [ "$src" -eq 0 ] && [ "${ok:-0}" -eq "$count" ] &&
	   [ "${bad:-1}" -eq 0 ] && [ "$prc" -eq 0 ] &&
	   [ "${unacked:-1}" -eq 0 ] && [ "${last:-0}" -ge "$count" ]; then
		il_pass "$what"
	else
		il_fail "$what: sipp exit $src, successful ${ok:-?}," \
			"failed ${bad:-?}; txn_peer exit $prc, unacked" \
			"${unacked:-?}, last requests ${last:-?}" \
			"$il_logs/$name-sipp.out" "$out" \
			"$il_logs/$name-peer.err" "$il_logs/$name-sipp.errors"
	fi
}

# txn_peer uac against SIPp as UAS: peer_uac options|invite
peer_uac() {
	what="txn_peer uac $1/udp -> sipp uas ($count, $loss% loss)"
	name=peer-uac-$1
	method=OPTIONS
	[ "$1" = invite ] && method=INVITE
	port=$("$peer" freeport)
	# shellcheck disable=SC2086
	il_bg "$name-sipp" 120 sipp -sf "$scen/$1-uas.xml" -t u1 \
		-i 127.0.0.1 -p "$port" -nostdin $retrans $lenient \
		-trace_err -error_file "$name-sipp.errors"
	spid=$il_last
	if ! il_wait_port udp "$port" "$spid"; then
		il_stop "$spid"
		il_fail "$what: sipp did not listen on $port" \
			"$il_logs/$name-sipp.out" "$il_logs/$name-sipp.err"
		return
	fi
	il_bg "$name-peer" 100 "$peer" uac --target "127.0.0.1:$port" \
		--transport udp --method "$method" --count "$count" \
		--rate "$rate" --max-seconds 90
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

# The four cases run side by side (20 transactions per second each is
# light work): a run takes as long as its slowest case, whose last
# transaction may need several retransmissions T2 (4 s) apart.
il_spawn c1 sipp_uac invite
il_spawn c2 peer_uac invite
il_spawn c3 sipp_uac options
il_spawn c4 peer_uac options
il_collect

dropped=$(nft list chain inet loss in 2> /dev/null |
	sed -n 's/.*counter packets \([0-9][0-9]*\).*/\1/p' | head -n 1)
if [ "${dropped:-0}" -gt 0 ]; then
	il_pass "the rule dropped $dropped datagrams"
else
	il_fail "the loss rule dropped nothing"
fi
il_summary
