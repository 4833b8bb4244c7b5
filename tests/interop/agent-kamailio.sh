#!/bin/sh
# tests/interop/agent-kamailio.sh BUILD: the sipline command-line agent
# (BUILD/bin/sipline) with Kamailio (Debian's kamailio package) as
# registrar and proxy with digest authentication, configured by
# tests/interop/kamailio/kamailio.cfg (users alice, bob, carol at
# sipline.test), on 127.0.0.1 at a free port (run by `make check`).
#
#   call            bob registers (--registrar, --auto-answer --record),
#                   alice registers and calls sip:bob@sipline.test through
#                   Kamailio (--outbound-proxy; her INVITE is challenged
#                   with 407 and sent again with credentials), plays the
#                   test signal and hangs up after 6 s: both report
#                   registered (expires), alice exits 0 (closed local-bye),
#                   bob reports closed remote-bye, Kamailio relayed
#                   INVITE, ACK and BYE, and bob's recording is intact
#                   (sipline-audiocheck; skipped when it is missing).
#   sigterm         SIGTERM to the registered bob: "unregistered" code
#                   200, Kamailio saves the removal (expires 0), exit 0.
#   wrong-password  alice with a wrong password, no one driving the
#                   agent: registration-failed code 401 and exit 1 with
#                   "registration failed: 401 ..." on stderr.
# When the kamailio binary is missing the script prints "agent-kamailio:
# skipped: kamailio not installed" and exits 0. Closing line:
# "agent-kamailio: N passed, M failed"; the exit status is non-zero on
# any failure. Logs are kept only on failure, or with IL_KEEP_LOGS=1.
set -u

build=${1:?usage: $0 BUILD}
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$build" && pwd)
kam=${KAMAILIO-$(command -v kamailio || true)}
[ -z "${KAMAILIO-}" ] && [ -z "$kam" ] && [ -x /usr/sbin/kamailio ] &&
	kam=/usr/sbin/kamailio

if [ -z "$kam" ] || [ ! -x "$kam" ]; then
	echo "agent-kamailio: skipped: kamailio not installed"
	exit 0
fi

. "$here/lib.sh"
. "$here/agent-lib.sh"
ag_init agent-kamailio "$build"

# ---- Kamailio ----

ag_freeport
kport=$ag_free
sed "s/@PORT@/$kport/g" "$here/kamailio/kamailio.cfg" > "$il_logs/kamailio.cfg"
mkdir -p "$il_logs/run"
if ! "$kam" -c -f "$il_logs/kamailio.cfg" > "$il_logs/kamailio-check.log" \
	2>&1; then
	il_fail "kamailio.cfg does not load" "$il_logs/kamailio-check.log"
	il_summary
	exit 1
fi
# -m/-M: small shared and private memory; -Y: runtime files here.
il_bg kamailio 300 "$kam" -DD -E -f "$il_logs/kamailio.cfg" \
	-Y "$il_logs/run" -m 32 -M 4
kpid=$il_last
if ! il_wait_port udp "$kport" "$kpid"; then
	il_fail "kamailio did not listen on $kport" "$il_logs/kamailio.err"
	il_summary
	exit 1
fi
klog=$il_logs/kamailio.err
kam_uri="sip:127.0.0.1:$kport"

# account USER PASSWORD: the flags of USER at sipline.test through
# Kamailio.
account() {
	echo "--user $1 --domain sipline.test --password $2" \
		"--registrar $kam_uri --outbound-proxy $kam_uri --expires 60"
}

case_call() {
	why=""
	# shellcheck disable=SC2046 # account's words are flags
	ag_start call-bob 40 --udp 127.0.0.1:0 $(account bob bob-secret) \
		--auto-answer --record "$il_logs/call-bob.wav" ||
		why="bob did not start"
	bpid=$il_last
	ag_wait call-bob registered 1 5 || why="${why:+$why, }bob unregistered"
	[ "$(ag_field call-bob registered expires)" = 60 ] ||
		ag_why "bob's expires" \
			"$(ag_field call-bob registered expires)"
	play=""
	[ -f "$il_logs/signal.wav" ] && play="--play $il_logs/signal.wav"
	# shellcheck disable=SC2046,SC2086
	ag_start_bg call-alice 30 --udp 127.0.0.1:0 \
		$(account alice alice-secret) --call sip:bob@sipline.test \
		$play --hangup-after 6
	ag_done "$il_last" 20
	[ "$il_rc" -eq 0 ] || why="${why:+$why, }alice exit $il_rc"
	[ "$(ag_count call-alice registered)" -ge 1 ] ||
		why="${why:+$why, }alice never registered"
	[ "$(ag_field call-alice closed reason)" = local-bye ] ||
		ag_why "alice closed" \
			"$(ag_field call-alice closed reason)"
	ag_wait call-bob closed 1 5 || why="${why:+$why, }bob saw no closed"
	[ "$(ag_field call-bob closed reason)" = remote-bye ] ||
		why="${why:+$why, }bob closed $(ag_field call-bob closed reason)"
	for m in INVITE ACK BYE; do
		grep -q "sipline-kam: $m alice to bob src udp:127.0.0.1:" \
			"$klog" || why="${why:+$why, }kamailio relayed no $m"
	done
	grep -q "sipline-kam: INVITE alice: auth result" "$klog" ||
		why="${why:+$why, }alice's INVITE was never challenged"
	if [ -x "$audiocheck" ]; then
		"$audiocheck" compare "$il_logs/signal.wav" \
			"$il_logs/call-bob.wav" \
			--codec "$(ag_field call-alice answered codec)" \
			> "$il_logs/call.verdict" 2>&1 ||
			why="${why:+$why, }$(tail -n 1 "$il_logs/call.verdict")"
	fi
	il_stop "$bpid"
	if [ -z "$why" ]; then
		il_pass "call: alice calls bob through kamailio, audio intact"
	else
		il_fail "call: $why" "$il_logs/call-alice.out" \
			"$il_logs/call-alice.err" "$il_logs/call-bob.out" \
			"$il_logs/call.verdict"
	fi
}

case_sigterm() {
	why=""
	# shellcheck disable=SC2046
	ag_start term-bob 30 --udp 127.0.0.1:0 $(account bob bob-secret) ||
		why="bob did not start"
	bpid=$il_last
	port=$ag_port
	ag_wait term-bob registered 1 5 || why="${why:+$why, }not registered"
	kill -TERM "$bpid"
	ag_done "$bpid" 6
	[ "$il_rc" -eq 0 ] || why="${why:+$why, }exit $il_rc"
	[ "$(ag_field term-bob unregistered code)" = 200 ] ||
		ag_why "unregistered code" \
			"$(ag_field term-bob unregistered code)"
	grep -q "saved bob <sip:bob@127.0.0.1:$port> expires 0\$" "$klog" ||
		why="${why:+$why, }kamailio saw no removal"
	if [ -z "$why" ]; then
		il_pass "sigterm: the registration is removed, exit 0"
	else
		il_fail "sigterm: $why" "$il_logs/term-bob.out"
	fi
}

case_wrong_password() {
	why=""
	# shellcheck disable=SC2046
	ag_start_bg wrong 20 --udp 127.0.0.1:0 $(account alice not-it)
	ag_done "$il_last" 10
	[ "$il_rc" -eq 1 ] || why="exit $il_rc, not 1"
	[ "$(ag_field wrong registration-failed code)" = 401 ] ||
		ag_why "registration-failed code" \
			"$(ag_field wrong registration-failed code)"
	[ "$(ag_count wrong registered)" -eq 0 ] ||
		why="${why:+$why, }registered with a wrong password"
	grep -q "^sipline: registration failed: 401 " "$il_logs/wrong.err" ||
		why="${why:+$why, }no one-line reason"
	if [ -z "$why" ]; then
		il_pass "wrong-password: registration-failed 401, exit 1"
	else
		il_fail "wrong-password: $why" "$il_logs/wrong.out" \
			"$il_logs/wrong.err"
	fi
}

[ -x "$audiocheck" ] && "$audiocheck" gen "$il_logs/signal.wav"
case_call
case_sigterm
case_wrong_password
il_stop "$kpid"
il_summary
