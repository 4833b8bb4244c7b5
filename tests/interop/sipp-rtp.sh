#!/bin/sh
# tests/interop/sipp-rtp.sh BUILD: real RTP between SIPp and the sipline
# command-line agent (BUILD/bin/sipline) over UDP on 127.0.0.1 (run by
# `make check`). SIPp plays the RTP captures Debian's sip-tester ships in
# /usr/share/sip-tester; scenarios in tests/interop/sipp/rtp-*.xml.
#
# SIPp calls the agent (--auto-answer --codecs PCMA --record DIR):
#   pcma   SIPp offers PCMA and telephone-event 101 and plays g711a.pcap
#          (236 PCMA packets of 30 ms, 7.05 s), then hangs up. The agent
#          must report incoming, answered and media-started with PCMA,
#          stats before closed remote-bye with rx_packets within 5 of the
#          pcap's count and at most 3 lost, and a recording of about the
#          pcap's length (-0.3 s, +2 s) whose audio matches the pcap's:
#          the same active time (30 ms blocks with RMS above -45 dBFS,
#          within 15% of the pcap's length) and the same loudness of the
#          active part (within 3 dB) -- measured by python3 on both, the
#          pcap decoded from A-law.
#   dtmf   SIPp plays dtmf_2833_1, _5, _9 and _pound.pcap (RFC 2833,
#          payload type 101, 10 packets each, the last three with the E
#          bit): the agent must report dtmf 1, 5, 9, # in that order,
#          each exactly once, method rfc4733.
# SIPp answers (-rtp_echo: it sends each RTP packet back):
#   echo   the agent calls it with --codecs PCMA --play (the signal of
#          `sipline-audiocheck gen`) --record --hangup-after 6: exit 0,
#          closed local-bye, and `sipline-audiocheck compare --codec
#          PCMA` finds the signal intact in the recording.
# Closing line: "sipp-rtp: N passed, M failed"; the exit status is
# non-zero on any failure. Logs are kept only on failure, or with
# IL_KEEP_LOGS=1.
set -u

build=${1:?usage: $0 BUILD}
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$build" && pwd)
scen=$here/sipp
pcaps=/usr/share/sip-tester

. "$here/lib.sh"
. "$here/agent-lib.sh"
ag_init sipp-rtp "$build"

if ! command -v sipp > /dev/null 2>&1; then
	il_fail "sipp not found (tools/install-deps.sh check installs" \
		"sip-tester)"
	il_summary
	exit 1
fi
if [ ! -r "$pcaps/g711a.pcap" ] || [ ! -r "$pcaps/dtmf_2833_1.pcap" ]; then
	il_fail "no SIPp pcaps in $pcaps (Debian's sip-tester ships them)"
	il_summary
	exit 1
fi
if ! command -v python3 > /dev/null 2>&1; then
	il_fail "python3 not found (it measures the audio)"
	il_summary
	exit 1
fi

# rtp_call NAME SCENARIO SECONDS: the agent listens (auto-answer, PCMA,
# recording into NAME.rec/), SIPp calls it with media on 127.0.0.1 at a
# free even port; waits for SIPp (bounded) and for the agent's "closed".
# Sets $why.
rtp_call() {
	_n=$1
	_sc=$2
	_s=$3
	why=""
	mkdir -p "$il_logs/$_n.rec"
	if ! ag_start "$_n" $((_s + 20)) --udp 127.0.0.1:0 --user b \
	    --auto-answer --codecs PCMA --record "$il_logs/$_n.rec"; then
		why="the agent did not start"
		return
	fi
	apid=$il_last
	aport=$ag_port
	ag_freeport
	sport=$ag_free
	ag_freeport
	# SIPp takes the RTP port and the next ones (RTCP, video): even.
	mport=$((ag_free / 2 * 2))
	il_bg "$_n-sipp" $((_s + 10)) sipp -i 127.0.0.1 -t u1 -nostdin \
		-timeout "${_s}s" -timeout_error -trace_err \
		-error_file "$il_logs/$_n-sipp.errors" \
		-message_file "$il_logs/$_n-sipp.msg" -trace_msg \
		-mi 127.0.0.1 -mp "$mport" -m 1 \
		"127.0.0.1:$aport" -sf "$scen/$_sc" -s b -p "$sport"
	spid=$il_last
	ag_done "$spid" $((_s + 5))
	[ "$il_rc" -eq 0 ] || ag_why "sipp exit $il_rc"
	ag_wait "$_n" closed 1 5 || ag_why "no closed"
	for ev in incoming answered media-started stats closed; do
		[ "$(ag_count "$_n" "$ev")" = 1 ] ||
			ag_why "$(ag_count "$_n" "$ev") $ev"
	done
	[ "$(ag_field "$_n" closed reason)" = remote-bye ] ||
		ag_why "closed $(ag_field "$_n" closed reason)"
	[ "$(ag_field "$_n" answered codec)" = PCMA ] ||
		ag_why "answered codec $(ag_field "$_n" answered codec)"
	[ "$(ag_field "$_n" media-started codec)" = PCMA ] ||
		ag_why "media-started codec" \
			"$(ag_field "$_n" media-started codec)"
	[ "$(ag_field "$_n" media-started payload_type)" = 8 ] ||
		ag_why "media-started pt" \
			"$(ag_field "$_n" media-started payload_type)"
	_j=$(ag_json_ok "$_n")
	[ -z "$_j" ] || ag_why "$_j"
	il_stop "$apid"
}

# result WHAT [LOG...]: pass or fail on $why.
result() {
	_w=$1
	shift
	if [ -z "$why" ]; then
		il_pass "$_w"
	else
		il_fail "$_w: $why" "$@"
	fi
}

# pcma_audio PCAP WAV: compares the recording with the pcap's A-law
# audio; prints the measures, then the problems (none: the audio is
# there).
pcma_audio() {
	python3 - "$1" "$2" <<'EOF'
import math, struct, sys, wave

def alaw(b):
    b ^= 0x55
    t = (b & 0x0f) << 4
    seg = (b & 0x70) >> 4
    if seg == 0:
        t += 8
    elif seg == 1:
        t += 0x108
    else:
        t = (t + 0x108) << (seg - 1)
    return t if b & 0x80 else -t

def pcap_pcma(path):
    d = open(path, "rb").read()
    off, out, n = 24, [], 0
    while off + 16 <= len(d):
        cl = struct.unpack("<I", d[off + 8:off + 12])[0]
        p = d[off + 16:off + 16 + cl]
        off += 16 + cl
        o = 14 + (p[14] & 15) * 4 + 8       # Ethernet, IPv4, UDP
        rtp = p[o:]
        if rtp[1] & 0x7f != 8:
            continue
        n += 1
        out.extend(alaw(x) for x in rtp[12:])
    return out, 8000, n

def blocks(s, rate):
    k = rate * 30 // 1000
    r = []
    for i in range(0, len(s) - k + 1, k):
        e = sum(x * x for x in s[i:i + k]) / k
        r.append(10 * math.log10(e / 32768.0 ** 2 + 1e-12))
    return r

ref, rr, npk = pcap_pcma(sys.argv[1])
w = wave.open(sys.argv[2], "rb")
if w.getsampwidth() != 2 or w.getnchannels() != 1:
    print("problem: recording is not 16-bit mono")
    sys.exit(0)
rate = w.getframerate()
raw = w.readframes(w.getnframes())
rec = list(struct.unpack("<%dh" % (len(raw) // 2), raw))
a, b = blocks(ref, rr), blocks(rec, rate)
act = lambda v: [x for x in v if x > -45]
aa, ab = act(a), act(b)
def mean_db(v):
    return 10 * math.log10(sum(10 ** (x / 10) for x in v) / len(v)) \
        if v else -120
ra, rb = len(aa) / max(len(a), 1), len(ab) / max(len(b), 1)
la, lb = mean_db(aa), mean_db(ab)
print("pcap: %d packets, %.2f s, %.0f%% active, %.1f dBFS" %
      (npk, len(ref) / rr, 100 * ra, la))
print("recording: %.2f s at %d Hz, %.0f%% active, %.1f dBFS" %
      (len(rec) / rate, rate, 100 * rb, lb))
dur_ref, dur_rec = len(ref) / rr, len(rec) / rate
if dur_rec < dur_ref - 0.3 or dur_rec > dur_ref + 2.0:
    print("problem: recorded %.2f s, the pcap holds %.2f s" %
          (dur_rec, dur_ref))
# Active time: the pcap's against the recording's, in seconds (the
# recording may hold a little silence before and after).
if abs(len(ab) - len(aa)) * 0.03 > 0.15 * dur_ref:
    print("problem: %.2f s active, the pcap %.2f s" %
          (len(ab) * 0.03, len(aa) * 0.03))
if abs(la - lb) > 3:
    print("problem: loudness %.1f dBFS, the pcap %.1f dBFS" % (lb, la))
EOF
}

case_pcma() {
	rtp_call pcma rtp-pcma.xml 30
	wav=$(ag_field pcma closed recording)
	npk=236
	rx=$(ag_field pcma stats rx_packets)
	lost=$(ag_field pcma stats lost)
	if [ -z "$rx" ] || [ "$rx" -lt $((npk - 5)) ] ||
	   [ "$rx" -gt $((npk + 5)) ]; then
		ag_why "rx_packets ${rx:-none}, the pcap $npk"
	fi
	if [ -z "$lost" ] || [ "$lost" -gt 3 ] || [ "$lost" -lt 0 ]; then
		ag_why "lost ${lost:-none}"
	fi
	if [ -z "$wav" ] || [ ! -s "$wav" ]; then
		ag_why "no recording '$wav'"
	else
		pcma_audio "$pcaps/g711a.pcap" "$wav" > "$il_logs/pcma.audio"
		p=$(sed -n 's/^problem: //p' "$il_logs/pcma.audio" |
			tr '\n' ';')
		[ -z "$p" ] || ag_why "$p"
	fi
	result "pcma: SIPp plays g711a.pcap, the agent records it" \
		"$il_logs/pcma.out" "$il_logs/pcma.audio" \
		"$il_logs/pcma.err" "$il_logs/pcma-sipp.errors"
}

case_dtmf() {
	rtp_call dtmf rtp-dtmf.xml 30
	got=$(grep '^{"event":"dtmf"' "$il_logs/dtmf.out" |
		sed -n 's/.*"digit":"\([^"]*\)".*/\1/p' | tr -d '\n')
	[ "$got" = "159#" ] || ag_why "digits '$got', not '159#'"
	n=$(grep '^{"event":"dtmf"' "$il_logs/dtmf.out" |
		grep -c '"method":"rfc4733"')
	[ "$n" -eq 4 ] || ag_why "$n of 4 digits by rfc4733"
	result "dtmf: SIPp plays RFC 2833 digits 1 5 9 #, once each" \
		"$il_logs/dtmf.out" "$il_logs/dtmf.err" \
		"$il_logs/dtmf-sipp.errors"
}

# SIPp answers with -rtp_echo, the agent calls it playing the test signal
# and records what comes back.
case_echo() {
	why=""
	sig=$il_logs/signal.wav
	if ! "$audiocheck" gen "$sig" > "$il_logs/gen.out" 2>&1; then
		why="sipline-audiocheck gen failed"
		result "echo: the agent's PCMA through SIPp's -rtp_echo" \
			"$il_logs/gen.out"
		return
	fi
	ag_freeport
	sport=$ag_free
	ag_freeport
	mport=$((ag_free / 2 * 2))
	il_bg echo-sipp 40 sipp -i 127.0.0.1 -t u1 -nostdin -timeout 30s \
		-timeout_error -trace_err \
		-error_file "$il_logs/echo-sipp.errors" \
		-message_file "$il_logs/echo-sipp.msg" -trace_msg \
		-mi 127.0.0.1 -mp "$mport" -rtp_echo -m 1 \
		-sf "$scen/rtp-echo-uas.xml" -p "$sport"
	spid=$il_last
	if ! il_wait_port udp "$sport" "$spid"; then
		ag_why "sipp did not listen on $sport"
		il_stop "$spid"
		result "echo: the agent's PCMA through SIPp's -rtp_echo" \
			"$il_logs/echo-sipp.err"
		return
	fi
	# The signal lasts 4.5 s; 6 s leave room for the way back.
	ag_start_bg echo 30 --udp 127.0.0.1:0 --user a --codecs PCMA \
		--play "$sig" --record "$il_logs/echo.wav" \
		--hangup-after 6 --call "sip:sipp@127.0.0.1:$sport"
	ag_done "$il_last" 30
	[ "$il_rc" -eq 0 ] || ag_why "agent exit $il_rc"
	ag_done "$spid" 5
	[ "$il_rc" -eq 0 ] || ag_why "sipp exit $il_rc"
	[ "$(ag_field echo closed reason)" = local-bye ] ||
		ag_why "closed $(ag_field echo closed reason)"
	[ "$(ag_field echo media-started codec)" = PCMA ] ||
		ag_why "media-started codec" \
			"$(ag_field echo media-started codec)"
	"$audiocheck" compare "$sig" "$il_logs/echo.wav" --codec PCMA \
		> "$il_logs/echo.compare" 2>&1 ||
		ag_why "$(grep verdict "$il_logs/echo.compare")"
	result "echo: the agent's PCMA through SIPp's -rtp_echo, intact" \
		"$il_logs/echo.out" "$il_logs/echo.compare" \
		"$il_logs/echo.err" "$il_logs/echo-sipp.errors"
}

case_pcma
case_dtmf
case_echo
il_summary
