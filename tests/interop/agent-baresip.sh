#!/bin/sh
# tests/interop/agent-baresip.sh BUILD: the sipline command-line agent
# (BUILD/bin/sipline) against baresip (Debian's baresip-core 1.0) on
# 127.0.0.1, with the received audio judged by BUILD/bin/sipline-audiocheck
# (run by `make check`).
#
# Each case starts its own baresip with a configuration written here
# (config + accounts in a fresh folder, -f): SIP and RTP on 127.0.0.1
# only (net_interface), PCMU, the "aufile" module sending the test signal
# from the start of each call, the "sndfile" filter writing what baresip
# sends (-enc.wav) and receives (-dec.wav), the "cons" module taking
# commands over UDP on 127.0.0.1 (sent with perl: no netcat needed), and
# answermode=auto. Why 8 kHz for baresip's signal: aufile wants the file
# at the source rate, and baresip's own 16-to-8 kHz resampler changes the
# level, which is not what is tested here. The DTMF is sent after the
# test signal: digits take the audio's packet slots, and sipline's
# playout is known to shift (and conceal) around received RFC 4733
# events, which would be judged as damaged audio.
#
#   sipline-calls  sipline calls baresip, plays the signal, then (a
#                  --script) sends DTMF 159 (RFC 4733) and hangs up after
#                  7 s: sipline exits 0 (closed local-bye); baresip reports
#                  the three digits and the end of the call; the audio is
#                  intact both ways (baresip's -dec.wav against the
#                  signal, sipline's recording against baresip's).
#   baresip-calls  baresip calls sipline (--auto-answer, --record), then
#                  sends DTMF 4 and 2 and hangs up (/sndcode, /hangup):
#                  sipline reports incoming, the digits by rfc4733, closed
#                  remote-bye, and its recording of baresip's signal is
#                  intact.
# When baresip is missing the script prints "agent-baresip: skipped" and
# exits 0. Closing line: "agent-baresip: N passed, M failed"; the exit
# status is non-zero on any failure. Logs are kept only on failure, or
# with IL_KEEP_LOGS=1.
set -u

build=${1:?usage: $0 BUILD}
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$build" && pwd)
baresip=${BARESIP-$(command -v baresip || true)}
modules=${BARESIP_MODULES:-/usr/lib/baresip/modules}

if [ -z "$baresip" ] || [ ! -x "$baresip" ] || [ ! -d "$modules" ]; then
	echo "agent-baresip: skipped: baresip not installed"
	exit 0
fi

. "$here/lib.sh"
. "$here/agent-lib.sh"
ag_init agent-baresip "$build"

if [ ! -x "$audiocheck" ]; then
	il_fail "$audiocheck missing (make BUILD=... all)"
	il_summary
	exit 1
fi
if ! perl -MIO::Socket::INET -e 1 2> /dev/null; then
	il_fail "perl with IO::Socket::INET is needed to drive baresip"
	il_summary
	exit 1
fi
"$audiocheck" gen "$il_logs/signal.wav" || exit 1
# baresip's copy at 8 kHz: every second sample (the signal stays under
# 3.3 kHz, so nothing folds back), then 15 s of silence: baresip ends
# the call when its aufile source reaches the end of the file.
perl -e '
	open(my $in, "<:raw", $ARGV[0]) or die; local $/; my $d = <$in>;
	my @s = unpack("s<*", substr($d, 44)); my @o;
	for (my $i = 0; $i < @s; $i += 2) { push @o, $s[$i]; }
	push @o, (0) x 120000;
	my $n = 2 * @o;
	open(my $out, ">:raw", $ARGV[1]) or die;
	print $out "RIFF", pack("V", 36 + $n), "WAVEfmt ",
		pack("VvvVVvv", 16, 1, 1, 8000, 16000, 2, 16),
		"data", pack("V", $n), pack("s<*", @o);' \
	"$il_logs/signal.wav" "$il_logs/signal8.wav" || exit 1

# bs_start NAME: baresip with its own folder $il_logs/NAME; sets $bs_dir,
# $bs_port (SIP), $bs_cons (console) and $bs_pid. Return: 1 when it did
# not come up.
bs_start() {
	bs_dir=$il_logs/$1
	mkdir -p "$bs_dir"
	ag_freeport
	bs_port=$ag_free
	ag_freeport
	bs_cons=$ag_free
	ag_freeport
	_rtp=$ag_free
	cat > "$bs_dir/config" <<EOF
poll_method		epoll
sip_listen		127.0.0.1:$bs_port
net_interface		127.0.0.1
call_local_timeout	120
call_max_calls		4
audio_player		aufile,/dev/null
audio_source		aufile,$il_logs/signal8.wav
audio_alert		aufile,/dev/null
ausrc_srate		8000
auplay_srate		8000
rtp_tos			0
rtp_ports		$_rtp-$((_rtp + 40))
jitter_buffer_delay	1-10
module_path		$modules
module			cons.so
module			g711.so
module			aufile.so
module			sndfile.so
module_tmp		account.so
module_app		menu.so
cons_listen		127.0.0.1:$bs_cons
snd_path		$bs_dir
EOF
	echo "<sip:bs@127.0.0.1:$bs_port>;regint=0;answermode=auto" \
		> "$bs_dir/accounts"
	il_bg "$1-baresip" 60 "$baresip" -f "$bs_dir"
	bs_pid=$il_last
	_i=0
	while [ $_i -lt 50 ]; do
		grep -q "baresip is ready" "$il_logs/$1-baresip.out" \
			2>/dev/null && return 0
		kill -0 "$bs_pid" 2>/dev/null || return 1
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

# bs_cmd COMMAND: one command to baresip's console (UDP).
bs_cmd() {
	perl -MIO::Socket::INET -e '
		my $s = IO::Socket::INET->new(PeerAddr => $ARGV[0],
					      Proto => "udp") or die;
		$s->send("$ARGV[1]\n");' "127.0.0.1:$bs_cons" "$1"
}

# bs_wait NAME PATTERN [SECONDS]: waits for PATTERN in baresip's output.
bs_wait() {
	_i=0
	while [ $_i -lt $(( ${3:-10} * 10 )) ]; do
		grep -q "$2" "$il_logs/$1-baresip.out" 2>/dev/null && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

# judge WHAT SENT RECEIVED: sipline-audiocheck's verdict; prints the
# problem, if any.
judge() {
	if ! "$audiocheck" compare "$2" "$3" --codec PCMU \
		> "$il_logs/$1.verdict" 2>&1; then
		echo "$1 audio: $(tail -n 1 "$il_logs/$1.verdict")"
	fi
}

case_sipline_calls() {
	why=""
	if ! bs_start c1; then
		il_fail "sipline-calls: baresip did not start" \
			"$il_logs/c1-baresip.out" "$il_logs/c1-baresip.err"
		return
	fi
	# The digits once the signal is over (RFC 4733 events take the
	# audio's packet slots), then the hang-up.
	printf 'wait media-started 10\nsleep 5\ndtmf 159\n' \
		> "$il_logs/c1.script"
	ag_start_bg c1-sipline 30 --udp 127.0.0.1:0 --codecs PCMU \
		--call "sip:bs@127.0.0.1:$bs_port" \
		--play "$il_logs/signal.wav" \
		--record "$il_logs/c1-from-baresip.wav" \
		--script "$il_logs/c1.script" --hangup-after 7
	ag_done "$il_last" 20
	[ "$il_rc" -eq 0 ] || why="sipline exit $il_rc"
	[ "$(ag_field c1-sipline closed reason)" = local-bye ] ||
		why="${why:+$why, }closed $(ag_field c1-sipline closed reason)"
	bs_wait c1 "terminated" 5 || why="${why:+$why, }baresip saw no end"
	for d in 1 5 9; do
		grep -q "received event: '$d' (end=1)" \
			"$il_logs/c1-baresip.out" ||
			why="${why:+$why, }baresip got no DTMF $d"
	done
	dec=$(ls "$bs_dir"/dump-*-dec.wav 2>/dev/null | head -n 1)
	if [ -z "$dec" ]; then
		why="${why:+$why, }baresip wrote no -dec.wav"
	else
		j=$(judge c1-to-baresip "$il_logs/signal.wav" "$dec")
		[ -z "$j" ] || why="${why:+$why, }$j"
	fi
	j=$(judge c1-from-baresip "$il_logs/signal8.wav" \
		"$il_logs/c1-from-baresip.wav")
	[ -z "$j" ] || why="${why:+$why, }$j"
	bs_cmd "/quit"
	ag_done "$bs_pid" 3
	if [ -z "$why" ]; then
		il_pass "sipline-calls: audio both ways, DTMF 159, hang-up"
	else
		il_fail "sipline-calls: $why" "$il_logs/c1-sipline.out" \
			"$il_logs/c1-to-baresip.verdict" \
			"$il_logs/c1-from-baresip.verdict" \
			"$il_logs/c1-baresip.out"
	fi
}

case_baresip_calls() {
	why=""
	if ! bs_start c2; then
		il_fail "baresip-calls: baresip did not start" \
			"$il_logs/c2-baresip.out"
		return
	fi
	if ! ag_start c2-sipline 40 --udp 127.0.0.1:0 --auto-answer \
		--codecs PCMU --record "$il_logs/c2-from-baresip.wav"; then
		il_fail "baresip-calls: sipline did not start" \
			"$il_logs/c2-sipline.err"
		return
	fi
	apid=$il_last
	bs_cmd "/dial sip:sipline@127.0.0.1:$ag_port"
	if ag_wait c2-sipline connected 1 10; then
		# The signal lasts 4.5 s from the answer; the digits after
		# it (RFC 4733 events take the audio's packet slots).
		sleep 5
		bs_cmd "/sndcode 4"
		sleep 0.5
		bs_cmd "/sndcode 2"
		sleep 1
		bs_cmd "/hangup"
		ag_wait c2-sipline closed 1 10 || why="no closed"
	else
		why="no call"
	fi
	[ "$(ag_field c2-sipline closed reason)" = remote-bye ] ||
		why="${why:+$why, }closed $(ag_field c2-sipline closed reason)"
	[ "$(ag_count c2-sipline incoming)" -eq 1 ] ||
		why="${why:+$why, }$(ag_count c2-sipline incoming) incoming"
	d=$(grep '"event":"dtmf".*"method":"rfc4733"' \
		"$il_logs/c2-sipline.out" |
		sed -n 's/.*"digit":"\([^"]*\)".*/\1/p' | tr -d '\n')
	[ "$d" = 42 ] || why="${why:+$why, }sipline got DTMF '$d'"
	j=$(judge c2-from-baresip "$il_logs/signal8.wav" \
		"$il_logs/c2-from-baresip.wav")
	[ -z "$j" ] || why="${why:+$why, }$j"
	ag_cmd c2-sipline quit
	ag_done "$apid" 5
	[ "$il_rc" -eq 0 ] || why="${why:+$why, }sipline exit $il_rc"
	bs_cmd "/quit"
	ag_done "$bs_pid" 3
	if [ -z "$why" ]; then
		il_pass "baresip-calls: audio, DTMF 42, baresip hangs up"
	else
		il_fail "baresip-calls: $why" "$il_logs/c2-sipline.out" \
			"$il_logs/c2-from-baresip.verdict" \
			"$il_logs/c2-baresip.out"
	fi
}

case_sipline_calls
case_baresip_calls
il_summary
