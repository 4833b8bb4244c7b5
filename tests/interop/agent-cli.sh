#!/bin/sh
# tests/interop/agent-cli.sh BUILD: the sipline command-line agent
# (BUILD/bin/sipline) on its own and against itself on 127.0.0.1 (run by
# `make check`).
#
# The cases:
#   usage        bad flags and bad values exit 2 with the usage on
#                stderr; --help and --version exit 0; --audio-device list
#                prints "device" events and exits 0.
#   script       A runs a --script file against B (auto-answer): call,
#                wait, dtmf, hold, unhold, stats, lines, message (UTF-8,
#                quotes, a backslash, a tab: the body must come back
#                intact through the JSON), hangup, quit. Every line of
#                both is JSON with "event" and "t";
#                the events are the contract's names (calling, answered,
#                connected, media-started, dtmf-sent, held, updated,
#                stats, lines, message-sent, message-result, closed; B:
#                incoming, dtmf x3 by rfc4733, held by remote, message
#                with the body, closed remote-bye). A exits 0 on quit.
#   stdin        B without auto-answer is driven through its standard
#                input: a bad command gives an error event, "answer"
#                answers A's call, "hangup" ends it (B local-bye, A
#                remote-bye, A exits 0), "quit" ends B (exit 0).
#   tcp, tls     B listens on TCP (TLS, with a certificate made by
#                openssl) only; A listens on UDP and calls
#                sip:b@...;transport=tcp (tls): the agent adds the socket
#                the URI needs; A exits 0, B reports remote-bye.
#   dtmf-info    --dtmf 5* --dtmf-info: B reports both digits, method info.
#   reject       B --answer-code 486: A's --call fails: exit 1, one line
#                "call failed: rejected, 486 ..." on stderr, closed
#                rejected code 486.
#   registrar    a registrar that refuses the connection (TCP to a port
#                nobody listens on), no one driving: registration-failed
#                and exit 1 within 5 s.
#   sigterm      SIGTERM to B during a call: B hangs up (closed
#                local-bye), A sees remote-bye, B exits 0 within 4 s.
#   record-dir   --record DIR: B writes DIR/call-SESSION.wav, complete
#                (RIFF sizes match the file) when "closed" is printed.
#   audio-CODEC  A plays the test signal to B over PCMU, PCMA, G722,
#                L16/16000 and opus; sipline-audiocheck finds it intact in
#                B's recording (skipped when sipline-audiocheck is
#                missing).
# Closing line: "agent-cli: N passed, M failed"; exit status non-zero on
# any failure. Logs are kept only on failure, or with IL_KEEP_LOGS=1.
set -u

build=${1:?usage: $0 BUILD}
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$build" && pwd)

. "$here/lib.sh"
. "$here/agent-lib.sh"
ag_init agent-cli "$build"

# ---- usage ----

case_usage() {
	why=""
	for args in "--bogus" "--udp x" "--udp 127.0.0.1:99999" \
		"--expires 0" "--ptime 25" "--answer-code 99" "--cps 5" \
		"--play /nonexistent.wav" "--record notawav.txt" \
		"--transport sctp" "--rtp-ports 5000" "--dtmf 12x" \
		"--calls 0 --call sip:x@127.0.0.1" "--log-level loud" \
		"--hangup-after -1" "--auto-answer=soon" "extra-argument"; do
		# shellcheck disable=SC2086 # split on purpose
		timeout 5 "$sipline" $args > "$il_logs/usage.out" \
			2> "$il_logs/usage.err" < /dev/null
		rc=$?
		if [ "$rc" -ne 2 ]; then
			why="${why:+$why, }'$args' exit $rc"
		elif ! grep -q "^usage: sipline" "$il_logs/usage.err"; then
			why="${why:+$why, }'$args' printed no usage"
		fi
	done
	timeout 5 "$sipline" --help > "$il_logs/help.out" 2>&1 ||
		why="${why:+$why, }--help exit $?"
	grep -q "^usage: sipline" "$il_logs/help.out" ||
		why="${why:+$why, }--help printed no usage"
	v=$(timeout 5 "$sipline" --version)
	case $v in
	"sipline "[0-9]*) ;;
	*) why="${why:+$why, }--version printed '$v'" ;;
	esac
	timeout 5 "$sipline" --audio-device list --json \
		> "$il_logs/devices.out" 2>&1 ||
		why="${why:+$why, }list exit $?"
	grep -q '"event":"device".*"driver":"virtual".*"name":"null"' \
		"$il_logs/devices.out" ||
		why="${why:+$why, }no virtual null device"
	if [ -z "$why" ]; then
		il_pass "usage: bad flags exit 2; help, version, list"
	else
		il_fail "usage: $why" "$il_logs/usage.err"
	fi
}

# ---- the script file ----

case_script() {
	why=""
	if ! ag_start script-b 30 --udp 127.0.0.1:0 --user bob \
		--auto-answer; then
		il_fail "script: B did not start" "$il_logs/script-b.err"
		return
	fi
	bpid=$il_last
	uri="sip:bob@127.0.0.1:$ag_port"
	cat > "$il_logs/a.script" <<EOF
# a comment, then a blank line

call $uri
wait connected 5
wait media-started 5
dtmf 12#
sleep 0.8
hold
wait held 5
unhold
wait updated 5
stats
lines
message $uri héllo "quoted" back\\slash	tab
wait message-result 5
bogus-command
hangup
wait closed 5
quit
EOF
	ag_start script-a 30 --udp 127.0.0.1:0 --user alice \
		--script "$il_logs/a.script" || why="A did not start"
	apid=$il_last
	ag_done "$apid" 20
	[ "$il_rc" -eq 0 ] || why="${why:+$why, }A exit $il_rc"
	ag_wait script-b closed 1 5 || why="${why:+$why, }B saw no closed"
	for ev in calling answered connected media-started dtmf-sent held \
		updated stats lines message-sent message-result closed; do
		[ "$(ag_count script-a "$ev")" -ge 1 ] ||
			why="${why:+$why, }A printed no $ev"
	done
	[ "$(ag_field script-a error command)" = bogus-command ] ||
		why="${why:+$why, }no error event for bogus-command"
	[ "$(ag_field script-a message-result code)" = 200 ] ||
		why="${why:+$why, }message-result $(ag_field script-a \
			message-result code)"
	[ "$(ag_field script-a closed reason)" = local-bye ] ||
		why="${why:+$why, }A closed $(ag_field script-a closed reason)"
	for ev in incoming answered connected held message closed; do
		[ "$(ag_count script-b "$ev")" -ge 1 ] ||
			why="${why:+$why, }B printed no $ev"
	done
	n=$(grep -c '"event":"dtmf".*"method":"rfc4733"' \
		"$il_logs/script-b.out")
	[ "$n" -eq 3 ] || why="${why:+$why, }B got $n rfc4733 digits, not 3"
	d=$(grep '"event":"dtmf"' "$il_logs/script-b.out" |
		sed -n 's/.*"digit":"\([^"]*\)".*/\1/p' | tr -d '\n')
	[ "$d" = "12#" ] || why="${why:+$why, }B got digits '$d'"
	[ "$(ag_field script-b held by)" = remote ] ||
		why="${why:+$why, }B's held is not by remote"
	# The body through JSON escaping and back (python3, when there is
	# one): UTF-8, quotes, a backslash and a tab.
	if command -v python3 > /dev/null 2>&1; then
		b=$(python3 -c '
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    o = json.loads(line)
    if o["event"] == "message":
        print(o["body"] == "h\u00e9llo \"quoted\" back\\slash\ttab")' \
			"$il_logs/script-b.out")
		[ "$b" = True ] || ag_why "B's message body did not survive"
	fi
	[ "$(ag_field script-b closed reason)" = remote-bye ] ||
		why="${why:+$why, }B closed $(ag_field script-b closed reason)"
	for n in script-a script-b; do
		j=$(ag_json_ok "$n") || why="${why:+$why, }$n: $j"
	done
	il_stop "$bpid"
	if [ -z "$why" ]; then
		il_pass "script: --script commands and the events' names"
	else
		il_fail "script: $why" "$il_logs/script-a.out" \
			"$il_logs/script-b.out" "$il_logs/script-a.err"
	fi
}

# ---- standard input ----

case_stdin() {
	why=""
	if ! ag_start stdin-b 30 --udp 127.0.0.1:0 --user bob; then
		il_fail "stdin: B did not start" "$il_logs/stdin-b.err"
		return
	fi
	bpid=$il_last
	ag_cmd stdin-b "frobnicate now"
	ag_cmd stdin-b "answer"
	ag_wait stdin-b error 2 5 || why="errors not reported"
	ag_start stdin-a 30 --udp 127.0.0.1:0 --user alice --no-media \
		--call "sip:bob@127.0.0.1:$ag_port" ||
		why="${why:+$why, }A down"
	apid=$il_last
	if ag_wait stdin-b incoming 1 5; then
		ag_cmd stdin-b "lines"
		ag_cmd stdin-b "answer"
		ag_wait stdin-a connected 1 5 ||
			why="${why:+$why, }A not connected"
		ag_cmd stdin-b "hangup"
	else
		why="${why:+$why, }B saw no incoming"
	fi
	ag_done "$apid" 10
	[ "$il_rc" -eq 0 ] || why="${why:+$why, }A exit $il_rc"
	ag_wait stdin-b closed 1 5 || why="${why:+$why, }B saw no closed"
	[ "$(ag_field stdin-b closed reason)" = local-bye ] ||
		why="${why:+$why, }B closed $(ag_field stdin-b closed reason)"
	[ "$(ag_field stdin-a closed reason)" = remote-bye ] ||
		why="${why:+$why, }A closed $(ag_field stdin-a closed reason)"
	grep -q '"event":"lines".*"state":"ringing"' "$il_logs/stdin-b.out" ||
		why="${why:+$why, }lines showed no ringing line"
	ag_cmd stdin-b "quit"
	ag_done "$bpid" 5
	[ "$il_rc" -eq 0 ] || why="${why:+$why, }B exit $il_rc after quit"
	if [ -z "$why" ]; then
		il_pass "stdin: answer, hangup, lines, errors, quit"
	else
		il_fail "stdin: $why" "$il_logs/stdin-b.out" \
			"$il_logs/stdin-a.out"
	fi
}

# ---- TCP and TLS ----

# case_transport NAME B_LISTEN URI_SUFFIX [B_ARGS...]: B listens on
# B_LISTEN only; A (UDP only: the agent adds the socket the URI needs)
# calls sip:b@127.0.0.1:PORT plus URI_SUFFIX and hangs up after 1 s.
case_transport() {
	name=$1
	blisten=$2
	suffix=$3
	shift 3
	why=""
	ag_start "$name-b" 20 "$blisten" 127.0.0.1:0 --auto-answer \
		--no-media "$@" || why="B down"
	bpid=$il_last
	ag_start_bg "$name-a" 20 --udp 127.0.0.1:0 --no-media \
		--call "sip:b@127.0.0.1:$ag_port$suffix" --hangup-after 1 "$@"
	ag_done "$il_last" 10
	[ "$il_rc" -eq 0 ] || why="${why:+$why, }A exit $il_rc"
	[ "$(ag_field "$name-b" closed reason)" = remote-bye ] ||
		ag_why "B closed $(ag_field "$name-b" closed reason)"
	il_stop "$bpid"
	if [ -z "$why" ]; then
		il_pass "$name: a call over ${blisten#--}"
	else
		il_fail "$name: $why" "$il_logs/$name-a.out" \
			"$il_logs/$name-a.err" "$il_logs/$name-b.out"
	fi
}

case_tls() {
	if ! command -v openssl > /dev/null 2>&1; then
		echo "$il_tag: skipped tls: no openssl to make a certificate"
		return
	fi
	if ! openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
		-subj "/CN=sipline.test" -keyout "$il_logs/key.pem" \
		-out "$il_logs/cert.pem" > "$il_logs/openssl.log" 2>&1; then
		il_fail "tls: openssl made no certificate" \
			"$il_logs/openssl.log"
		return
	fi
	cat "$il_logs/cert.pem" "$il_logs/key.pem" > "$il_logs/tls.pem"
	case_transport tls --tls ";transport=tls" \
		--tls-cert "$il_logs/tls.pem" --no-tls-verify
}

# ---- DTMF by INFO ----

case_dtmf_info() {
	why=""
	ag_start dinfo-b 30 --udp 127.0.0.1:0 --auto-answer || why="B down"
	bpid=$il_last
	ag_start_bg dinfo-a 30 --udp 127.0.0.1:0 --dtmf-info --dtmf "5*" \
		--hangup-after 2 --call "sip:b@127.0.0.1:$ag_port"
	ag_done "$il_last" 10
	[ "$il_rc" -eq 0 ] || why="${why:+$why, }A exit $il_rc"
	d=$(grep '"event":"dtmf".*"method":"info"' "$il_logs/dinfo-b.out" |
		sed -n 's/.*"digit":"\([^"]*\)".*/\1/p' | tr -d '\n')
	[ "$d" = "5*" ] || why="${why:+$why, }B got INFO digits '$d'"
	il_stop "$bpid"
	if [ -z "$why" ]; then
		il_pass "dtmf-info: digits by SIP INFO"
	else
		il_fail "dtmf-info: $why" "$il_logs/dinfo-b.out" \
			"$il_logs/dinfo-a.out"
	fi
}

# ---- a failed call, no one driving ----

case_reject() {
	why=""
	ag_start reject-b 30 --udp 127.0.0.1:0 --answer-code 486 || why="B down"
	bpid=$il_last
	ag_start_bg reject-a 30 --udp 127.0.0.1:0 \
		--call "sip:b@127.0.0.1:$ag_port"
	ag_done "$il_last" 10
	[ "$il_rc" -eq 1 ] || why="${why:+$why, }A exit $il_rc, not 1"
	n=$(wc -l < "$il_logs/reject-a.err")
	grep -q "^sipline: call failed: rejected, 486 " \
		"$il_logs/reject-a.err" && [ "$n" -eq 1 ] ||
		why="${why:+$why, }stderr is not the one-line reason"
	[ "$(ag_field reject-a closed reason)" = rejected ] &&
	[ "$(ag_field reject-a closed code)" = 486 ] ||
		why="${why:+$why, }closed is not rejected 486"
	il_stop "$bpid"
	if [ -z "$why" ]; then
		il_pass "reject: a refused --call exits 1 with the reason"
	else
		il_fail "reject: $why" "$il_logs/reject-a.out" \
			"$il_logs/reject-a.err"
	fi
}

case_registrar() {
	why=""
	ag_freeport
	port=$ag_free
	start=$(date +%s)
	ag_start_bg registrar-a 20 --tcp 127.0.0.1:0 \
		--registrar "sip:127.0.0.1:$port;transport=tcp" || true
	ag_done "$il_last" 10
	rc=$il_rc
	took=$(($(date +%s) - start))
	[ "$rc" -eq 1 ] || why="exit $rc, not 1"
	[ "$took" -le 5 ] || why="${why:+$why, }took ${took}s"
	[ "$(ag_count registrar-a registration-failed)" -ge 1 ] ||
		why="${why:+$why, }no registration-failed event"
	grep -q "^sipline: registration failed: " "$il_logs/registrar-a.err" ||
		why="${why:+$why, }no one-line reason"
	if [ -z "$why" ]; then
		il_pass "registrar: unreachable registrar exits 1"
	else
		il_fail "registrar: $why" "$il_logs/registrar-a.out" \
			"$il_logs/registrar-a.err"
	fi
}

# ---- SIGTERM ----

case_sigterm() {
	why=""
	ag_start sigterm-b 30 --udp 127.0.0.1:0 --auto-answer || why="B down"
	bpid=$il_last
	ag_start_bg sigterm-a 30 --udp 127.0.0.1:0 \
		--call "sip:b@127.0.0.1:$ag_port"
	apid=$il_last
	ag_wait sigterm-b connected 1 5 || why="${why:+$why, }no call"
	start=$(date +%s)
	kill -TERM "$bpid"
	ag_done "$bpid" 6
	brc=$il_rc
	took=$(($(date +%s) - start))
	[ "$brc" -eq 0 ] || why="${why:+$why, }B exit $brc"
	[ "$took" -le 4 ] || why="${why:+$why, }B took ${took}s"
	[ "$(ag_field sigterm-b signal name)" = SIGTERM ] ||
		why="${why:+$why, }no signal event"
	[ "$(ag_field sigterm-b closed reason)" = local-bye ] ||
		why="${why:+$why, }B closed $(ag_field sigterm-b closed reason)"
	ag_done "$apid" 5
	[ "$il_rc" -eq 0 ] || why="${why:+$why, }A exit $il_rc"
	[ "$(ag_field sigterm-a closed reason)" = remote-bye ] ||
		why="${why:+$why, }A closed $(ag_field sigterm-a closed reason)"
	if [ -z "$why" ]; then
		il_pass "sigterm: hangs up and exits 0 within 4 s"
	else
		il_fail "sigterm: $why" "$il_logs/sigterm-b.out" \
			"$il_logs/sigterm-a.out"
	fi
}

# ---- recordings ----

# wav_complete FILE: the RIFF and data sizes match the file's length.
wav_complete() {
	_len=$(wc -c < "$1")
	_riff=$(od -An -t u4 -j 4 -N 4 "$1" | tr -d ' ')
	_data=$(od -An -t u4 -j 40 -N 4 "$1" | tr -d ' ')
	[ "$_len" -gt 44 ] && [ "$_riff" -eq $((_len - 8)) ] &&
		[ "$_data" -eq $((_len - 44)) ]
}

case_record_dir() {
	why=""
	mkdir -p "$il_logs/rec"
	ag_start recdir-b 30 --udp 127.0.0.1:0 --auto-answer \
		--record "$il_logs/rec" || why="B down"
	bpid=$il_last
	ag_start_bg recdir-a 30 --udp 127.0.0.1:0 --hangup-after 1.5 \
		--call "sip:b@127.0.0.1:$ag_port"
	ag_done "$il_last" 10
	ag_wait recdir-b closed 1 5 || why="${why:+$why, }B saw no closed"
	# Read at once: the file must be whole when "closed" is printed.
	f=$(ag_field recdir-b closed recording)
	s=$(ag_field recdir-b incoming session)
	[ "$f" = "$il_logs/rec/call-$s.wav" ] || why="${why:+$why, }file '$f'"
	if [ -f "$f" ] && wav_complete "$f"; then
		:
	else
		why="${why:+$why, }$f is not a complete WAV file"
	fi
	il_stop "$bpid"
	if [ -z "$why" ]; then
		il_pass "record-dir: one complete WAV file per call"
	else
		il_fail "record-dir: $why" "$il_logs/recdir-b.out"
	fi
}

case_audio() {
	codec=$1
	name=audio-$(echo "$codec" | tr '/' '_')
	why=""
	ag_start "$name-b" 30 --udp 127.0.0.1:0 --auto-answer \
		--codecs "$codec" --record "$il_logs/$name.wav" || why="B down"
	bpid=$il_last
	ag_start_bg "$name-a" 30 --udp 127.0.0.1:0 --codecs "$codec" \
		--play "$il_logs/signal.wav" --hangup-after 5 \
		--call "sip:b@127.0.0.1:$ag_port"
	ag_done "$il_last" 15
	[ "$il_rc" -eq 0 ] || why="A exit $il_rc"
	ag_wait "$name-b" closed 1 5 || why="${why:+$why, }B saw no closed"
	got=$(ag_field "$name-a" answered codec)
	want=${codec%%/*}
	[ "$got" = "$want" ] || why="${why:+$why, }negotiated '$got'"
	"$audiocheck" compare "$il_logs/signal.wav" "$il_logs/$name.wav" \
		--codec "$want" > "$il_logs/$name.verdict" 2>&1 ||
		why="${why:+$why, }$(tail -n 1 "$il_logs/$name.verdict")"
	il_stop "$bpid"
	if [ -z "$why" ]; then
		il_pass "$name: $(sed -n 's/^snr_db /SNR /p' \
			"$il_logs/$name.verdict") dB, intact"
	else
		il_fail "$name: $why" "$il_logs/$name.verdict" \
			"$il_logs/$name-b.out" "$il_logs/$name-a.out"
	fi
}

case_usage
case_script
case_stdin
case_transport tcp --tcp ";transport=tcp"
case_tls
case_dtmf_info
case_reject
case_registrar
case_sigterm
case_record_dir
if [ -x "$audiocheck" ] && "$audiocheck" gen "$il_logs/signal.wav"; then
	for c in PCMU PCMA G722 L16/16000 opus; do
		case_audio "$c"
	done
else
	echo "$il_tag: skipped audio: $audiocheck missing"
fi
il_summary
