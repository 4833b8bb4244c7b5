#!/bin/sh
# tests/interop/agent-sipp.sh BUILD: the sipline command-line agent
# (BUILD/bin/sipline) against SIPp over UDP on 127.0.0.1 (run by `make
# check`). Scenarios in tests/interop/sipp/agent-*.xml.
#
# SIPp calls the agent (the agent answers or not):
#   uac          --auto-answer: incoming, answered, connected; SIPp hangs
#                up after 1 s: closed remote-bye.
#   cancel       no auto-answer: the agent rings, SIPp CANCELs: closed
#                cancelled.
#   load         1,000 calls at 50 calls/s, each 1 s long, against
#                `sipline --auto-answer --max-lines 256` (media on): SIPp
#                must count 1,000 successful and 0 failed calls, the agent
#                1,000 incoming and 1,000 closed remote-bye, no error.
#                Why 256 lines for ~55 calls at once: the library sizes
#                its transaction pool at 16 per line, and each call leaves
#                its INVITE and BYE server transactions for 32 s after it
#                ends (RFC 6026 Timer L, RFC 3261 Timer J): at 50 calls/s
#                that is 3,200 transactions, more than 128 lines allow
#                (the surplus calls would get 503).
# The agent calls SIPp (--call: the agent's exit status is the outcome):
#   uas          SIPp answers; --hangup-after 1: closed local-bye, exit 0.
#   uas-bye      SIPp answers and hangs up: closed remote-bye, exit 0.
#   uas-486      SIPp refuses with 486: closed rejected 486, exit 1 with
#                "call failed: rejected, 486 Busy Here" on stderr.
#   load-out     the agent's own load mode: --calls 200 --cps 50 against
#                SIPp answering: summary attempted 200, answered 200,
#                failed 0, exit 0.
# Closing line: "agent-sipp: N passed, M failed"; the exit status is
# non-zero on any failure. Logs (SIPp's errors and message traces, the
# agents' events) are kept only on failure, or with IL_KEEP_LOGS=1.
set -u

build=${1:?usage: $0 BUILD}
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$build" && pwd)
scen=$here/sipp

. "$here/lib.sh"
. "$here/agent-lib.sh"
ag_init agent-sipp "$build"

if ! command -v sipp > /dev/null 2>&1; then
	il_fail "sipp not found (tools/install-deps.sh check installs" \
		"sip-tester)"
	il_summary
	exit 1
fi

# sipp_bg NAME SECONDS ARGS...: SIPp on 127.0.0.1 over UDP (one socket),
# no keyboard, its errors and statistics in NAME-sipp.* ($il_last).
sipp_bg() {
	_n=$1
	_s=$2
	shift 2
	il_bg "$_n-sipp" $((_s + 10)) sipp -i 127.0.0.1 -t u1 -nostdin \
		-timeout "${_s}s" -timeout_error -trace_err \
		-error_file "$il_logs/$_n-sipp.errors" -trace_stat \
		-stf "$il_logs/$_n-sipp.csv" -fd 1 "$@"
}

# result NAME WHAT PROBLEMS [LOG...]
result() {
	if [ -z "$3" ]; then
		il_pass "$2"
	else
		_n=$1
		_w=$2
		_p=$3
		shift 3
		il_fail "$_w: $_p" "$@"
	fi
}

# sipp_calls NAME SCENARIO SIPP_ARGS -- AGENT_ARGS: the agent listens,
# SIPp calls it. Sets $why (problems so far) and $sport.
sipp_calls() {
	_n=$1
	_sc=$2
	shift 2
	_sargs=""
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		_sargs="$_sargs $1"
		shift
	done
	[ $# -gt 0 ] && shift
	why=""
	if ! ag_start "$_n" 120 --udp 127.0.0.1:0 --user b "$@"; then
		why="the agent did not start"
		return
	fi
	apid=$il_last
	aport=$ag_port
	ag_freeport
	sport=$ag_free
	# shellcheck disable=SC2086 # $_sargs is a word list
	sipp_bg "$_n" 100 "127.0.0.1:$aport" -sf "$scen/$_sc" -s b \
		-p "$sport" -message_file "$il_logs/$_n-sipp.msg" \
		-trace_msg $_sargs
	spid=$il_last
}

case_uac() {
	sipp_calls uac agent-uac.xml -m 1 -d 1000 -- --auto-answer
	ag_done "$spid" 20
	[ "$il_rc" -eq 0 ] || why="${why:+$why, }sipp exit $il_rc"
	ag_wait uac closed 1 5 || why="${why:+$why, }no closed"
	for ev in incoming answered connected closed; do
		[ "$(ag_count uac "$ev")" -ge 1 ] ||
			why="${why:+$why, }no $ev"
	done
	[ "$(ag_field uac closed reason)" = remote-bye ] ||
		why="${why:+$why, }closed $(ag_field uac closed reason)"
	il_stop "$apid"
	result uac "uac: SIPp calls the agent, hangs up" "$why" \
		"$il_logs/uac.out" "$il_logs/uac-sipp.errors"
}

case_cancel() {
	sipp_calls cancel agent-uac-cancel.xml -m 1 --
	ag_done "$spid" 20
	[ "$il_rc" -eq 0 ] || why="${why:+$why, }sipp exit $il_rc"
	ag_wait cancel closed 1 5 || why="${why:+$why, }no closed"
	[ "$(ag_field cancel closed reason)" = cancelled ] ||
		why="${why:+$why, }closed $(ag_field cancel closed reason)"
	il_stop "$apid"
	result cancel "cancel: SIPp cancels the ringing agent" "$why" \
		"$il_logs/cancel.out" "$il_logs/cancel-sipp.errors"
}

case_load() {
	sipp_calls load agent-uac.xml -m 1000 -r 50 -l 200 -d 1000 -- \
		--auto-answer --max-lines 256
	ag_done "$spid" 90
	src=$il_rc
	ok=$(il_csv "$il_logs/load-sipp.csv" "SuccessfulCall(C)")
	bad=$(il_csv "$il_logs/load-sipp.csv" "FailedCall(C)")
	[ "$src" -eq 0 ] || why="${why:+$why, }sipp exit $src"
	[ "${ok:-0}" -eq 1000 ] || why="${why:+$why, }sipp: $ok successful"
	[ "${bad:-1}" -eq 0 ] || why="${why:+$why, }sipp: $bad failed"
	ag_wait load closed 1000 10 ||
		why="${why:+$why, }agent: $(ag_count load closed) closed"
	n=$(grep -c '"event":"closed".*"reason":"remote-bye"' \
		"$il_logs/load.out")
	[ "$n" -eq 1000 ] || why="${why:+$why, }agent: $n remote-bye"
	[ "$(ag_count load incoming)" -eq 1000 ] ||
		why="${why:+$why, }agent: $(ag_count load incoming) incoming"
	[ "$(ag_count load error)" -eq 0 ] ||
		why="${why:+$why, }agent: $(ag_count load error) errors"
	il_stop "$apid"
	result load "load: 1,000 calls at 50/s to the agent, none failed" \
		"$why" "$il_logs/load-sipp.errors" "$il_logs/load.err"
}

# agent_calls NAME SCENARIO SECONDS [AGENT_ARGS...]: SIPp answers
# ${sipp_m:-1} calls, the agent (no one driving: its exit status says how
# the call went) calls it. $arc is the agent's exit status, $src SIPp's.
agent_calls() {
	_n=$1
	_sc=$2
	_s=$3
	shift 3
	why=""
	ag_freeport
	sport=$ag_free
	sipp_bg "$_n" "$_s" -sf "$scen/$_sc" -p "$sport" -m "${sipp_m:-1}" \
		-message_file "$il_logs/$_n-sipp.msg" -trace_msg
	spid=$il_last
	if ! il_wait_port udp "$sport" "$spid"; then
		why="sipp did not listen on $sport"
		il_stop "$spid"
		arc=255
		src=255
		return
	fi
	ag_start_bg "$_n" "$_s" --udp 127.0.0.1:0 --user a \
		--call "sip:sipp@127.0.0.1:$sport" "$@"
	ag_done "$il_last" "$_s"
	arc=$il_rc
	ag_done "$spid" 5
	src=$il_rc
}

case_uas() {
	agent_calls uas agent-uas.xml 20 --hangup-after 1
	[ "$arc" -eq 0 ] || why="${why:+$why, }agent exit $arc"
	[ "$src" -eq 0 ] || why="${why:+$why, }sipp exit $src"
	[ "$(ag_field uas closed reason)" = local-bye ] ||
		why="${why:+$why, }closed $(ag_field uas closed reason)"
	result uas "uas: the agent calls SIPp, hangs up" "$why" \
		"$il_logs/uas.out" "$il_logs/uas.err" "$il_logs/uas-sipp.errors"
}

case_uas_bye() {
	agent_calls uas-bye agent-uas-bye.xml 20
	[ "$arc" -eq 0 ] || why="${why:+$why, }agent exit $arc"
	[ "$src" -eq 0 ] || why="${why:+$why, }sipp exit $src"
	[ "$(ag_field uas-bye closed reason)" = remote-bye ] ||
		why="${why:+$why, }closed $(ag_field uas-bye closed reason)"
	result uas-bye "uas-bye: SIPp answers the agent and hangs up" \
		"$why" "$il_logs/uas-bye.out" "$il_logs/uas-bye-sipp.errors"
}

case_uas_486() {
	agent_calls uas-486 agent-uas-486.xml 20
	[ "$arc" -eq 1 ] || why="${why:+$why, }agent exit $arc, not 1"
	[ "$src" -eq 0 ] || why="${why:+$why, }sipp exit $src"
	grep -q "^sipline: call failed: rejected, 486 Busy Here" \
		"$il_logs/uas-486.err" || why="${why:+$why, }no one-line reason"
	[ "$(ag_field uas-486 closed code)" = 486 ] ||
		why="${why:+$why, }closed code $(ag_field uas-486 closed code)"
	result uas-486 "uas-486: a refused --call exits 1" "$why" \
		"$il_logs/uas-486.out" "$il_logs/uas-486.err"
}

case_load_out() {
	sipp_m=200
	agent_calls load-out agent-uas.xml 60 --calls 200 --cps 50 \
		--hangup-after 0.5
	sipp_m=1
	[ "$arc" -eq 0 ] || why="${why:+$why, }agent exit $arc"
	[ "$src" -eq 0 ] || why="${why:+$why, }sipp exit $src"
	[ "$(ag_field load-out summary attempted)" = 200 ] &&
	[ "$(ag_field load-out summary answered)" = 200 ] &&
	[ "$(ag_field load-out summary failed)" = 0 ] ||
		why="${why:+$why, }summary $(grep '"summary"' \
			"$il_logs/load-out.out")"
	result load-out "load-out: --calls 200 --cps 50, none failed" \
		"$why" "$il_logs/load-out.err" "$il_logs/load-out-sipp.errors"
}

case_uac
case_cancel
case_uas
case_uas_bye
case_uas_486
case_load_out
case_load
il_summary
