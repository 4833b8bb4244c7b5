#!/bin/sh
# tests/demo.sh [BUILD]: the one-command demo (`make demo`): two sipline
# agents on 127.0.0.1, one calls the other and plays a test signal, the
# other records what arrives; then the call's statistics and a verdict on
# the received audio. No sound card needed.
#
#   B: sipline --udp 127.0.0.1:0 --auto-answer --record received.wav --json
#   A: sipline --udp 127.0.0.1:0 --call sip:demo@127.0.0.1:PORT
#              --play signal.wav --hangup-after 6 --json
#
# The signal (4.5 s of speech-like syllables and a tone sequence) comes
# from `sipline-audiocheck gen`; `sipline-audiocheck compare` finds it in
# B's recording and judges delay, SNR and spectral distance against the
# negotiated codec's limits. Exit 0 only when the call worked and the
# audio arrived intact.
#
# Environment: BUILD (default "build"; the first argument wins) names the
# folder with bin/sipline and bin/sipline-audiocheck. DEVICE=NAME plays
# the call to that ALSA device instead of recording it (B opens ALSA
# "null" for capture and NAME for playback); the verdict is then skipped.
# CODECS=LIST (e.g. G722 or opus) offers those codecs on both sides.
# KEEP=1 keeps the work folder. Every process is bounded by `timeout` and
# ended by its pid.
set -u

build=${1:-${BUILD:-build}}
sipline=$build/bin/sipline
check=$build/bin/sipline-audiocheck
device=${DEVICE:-}
codecs=${CODECS:-}

for b in "$sipline" "$check"; do
	if [ ! -x "$b" ]; then
		echo "demo: $b missing (make BUILD=$build all)" >&2
		exit 1
	fi
done

work=$(mktemp -d "${TMPDIR:-/tmp}/sipline-demo.XXXXXX") || exit 1
bpid=""
cleanup() {
	[ -n "$bpid" ] && kill -TERM "$bpid" 2>/dev/null && wait "$bpid"
	if [ -n "${KEEP:-}" ]; then
		echo "demo: files kept in $work"
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# field FILE EVENT KEY: KEY's value in the last EVENT line of FILE
# (strings without their quotes).
field() {
	grep "\"event\":\"$2\"" "$1" 2>/dev/null | tail -n 1 |
		sed -n "s/.*\"$3\":\"\{0,1\}\([^\",}]*\)\"\{0,1\}[,}].*/\1/p"
}

codec_args=""
[ -n "$codecs" ] && codec_args="--codecs $codecs"

echo "== sipline demo: two agents on 127.0.0.1"
"$check" gen "$work/signal.wav" || exit 1
echo "signal: 4.5 s of speech-like syllables and tones (16 kHz)"

if [ -n "$device" ]; then
	media="--audio-device null,$device"
	what="playing the call to ALSA device $device"
else
	media="--record $work/received.wav"
	what="recording the call"
fi
# shellcheck disable=SC2086 # $media and $codec_args are word lists
timeout -k 5 60 "$sipline" --udp 127.0.0.1:0 --user demo --auto-answer \
	$media $codec_args --json > "$work/b.jsonl" 2> "$work/b.log" &
bpid=$!

port=""
i=0
while [ $i -lt 50 ]; do
	port=$(sed -n 's/.*"listen":\["udp:127\.0\.0\.1:\([0-9]*\)".*/\1/p' \
		"$work/b.jsonl" 2>/dev/null | head -n 1)
	[ -n "$port" ] && break
	if ! kill -0 "$bpid" 2>/dev/null; then
		break
	fi
	sleep 0.1
	i=$((i + 1))
done
if [ -z "$port" ]; then
	echo "demo: agent B did not start:" >&2
	cat "$work/b.log" >&2
	exit 1
fi
echo "B: listening on udp:127.0.0.1:$port, auto-answer, $what"
echo "A: calls sip:demo@127.0.0.1:$port, plays the signal, hangs up" \
	"after 6 s"

# shellcheck disable=SC2086
timeout -k 5 30 "$sipline" --udp 127.0.0.1:0 --user caller \
	--call "sip:demo@127.0.0.1:$port" --play "$work/signal.wav" \
	--hangup-after 6 $codec_args --json > "$work/a.jsonl" \
	2> "$work/a.log"
arc=$?

# B has its closed event (and so a complete recording) soon after A's.
i=0
while [ $i -lt 50 ] && ! grep -q '"event":"closed"' "$work/b.jsonl"; do
	sleep 0.1
	i=$((i + 1))
done
kill -TERM "$bpid" 2>/dev/null
wait "$bpid"
bpid=""

echo
echo "A's events:"
sed -n 's/^{"event":"\([^"]*\)".*/  \1/p' "$work/a.jsonl" | tr '\n' ' '
echo
if [ "$arc" -ne 0 ]; then
	echo "demo: the call failed (exit $arc):"
	tail -n 3 "$work/a.log"
	echo "demo: FAILED"
	exit 1
fi

codec=$(field "$work/a.jsonl" answered codec)
echo "call: answered, codec ${codec:-?}, RTP to" \
	"$(field "$work/a.jsonl" media-started remote_rtp)"
for side in b a; do
	f=$work/$side.jsonl
	who="A (received from B)"
	[ "$side" = b ] && who="B (received from A)"
	echo "stats $who: codec $(field "$f" stats codec)," \
		"$(field "$f" stats rx_packets) packets," \
		"lost $(field "$f" stats lost)," \
		"jitter $(field "$f" stats jitter_ms) ms," \
		"MOS $(field "$f" stats mos)," \
		"concealed $(field "$f" stats concealed)"
done

if [ -n "$device" ]; then
	echo "verdict: skipped (played to ALSA device $device, not recorded)"
	echo "demo: OK"
	exit 0
fi

rec=$(field "$work/b.jsonl" closed recording)
if [ -z "$rec" ] || [ ! -s "$rec" ]; then
	echo "demo: B wrote no recording"
	cat "$work/b.log"
	echo "demo: FAILED"
	exit 1
fi
echo
echo "audio check (the sent signal against B's recording):"
"$check" compare "$work/signal.wav" "$rec" --codec "${codec:-PCMU}" \
	> "$work/verdict.txt"
vrc=$?
sed 's/^/  /' "$work/verdict.txt"
if [ "$vrc" -ne 0 ]; then
	echo "demo: FAILED (the audio did not arrive intact)"
	KEEP=1
	exit 1
fi
echo "demo: OK"
exit 0
