#!/bin/sh
# tests/sipmsg-test.sh SIPMSG: runs the sipmsg tool over the RFC 4475 and
# RFC 5118 torture messages (tests/data/torture/) and checks what it says
# about each, then its stream mode, standard input, options, exit statuses
# and JSON escaping. Run from the repository root. Prints one line per
# failure and a closing line "sipmsg: N passed, N failed"; exits non-zero
# when anything failed.
#
# The verdicts below are those of tests/unit/vectors/torture.h (the RFCs'
# expected handling, with sipline's policy choices noted there); keep both
# in step.
set -u

bin=${1:?usage: tests/sipmsg-test.sh path/to/sipmsg}
dir=tests/data/torture
passed=0
failed=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sipmsg-test.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT HUP INT TERM

pass() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }

# has OUTPUT NEEDLE: OUTPUT contains NEEDLE as a fixed string.
has() { printf '%s\n' "$1" | grep -F -q -- "$2"; }

# When jq is installed, every JSON line must parse.
json_ok() {
	command -v jq >/dev/null 2>&1 || return 0
	printf '%s\n' "$1" | jq -e . >/dev/null 2>&1
}

# One line per torture file: name|ok|status|fields the JSON must contain.
# Fields are fixed strings; the tool prints keys in a fixed order with no
# spaces, so "key":value is enough to match.
expectations() {
	cat <<'EOF'
rfc4475_wsinv|true|0|"method":"INVITE"|"call_id":"wsinv.ndaksdj@192.0.2.1"|"cseq":9,|"cseq_method":"INVITE"|"from_tag":"98asjd8"|"to_tag":"1918181833n"|"via_branch":"390skdjuw"|"vias":3,|"max_forwards":68,|"body_len":150,
rfc4475_intmeth|true|0|"method":"!interesting-Method0123456789_*+`.%indeed'~"|"call_id":"intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{"|"cseq":139122385,|"from_tag":"_token~1'+`*%!-."|"to_tag":""|"via_branch":"z9hG4bK-.!%66*_+`'~"|"body_len":0,
rfc4475_esc01|true|0|"method":"INVITE"|"ruri":"sip:sips%3Auser%40example.com@example.net"|"call_id":"esc01.239409asdfakjkn23onasd0-3234"|"cseq":234234,|"from_tag":"938"|"body_len":150,
rfc4475_escnull|true|0|"method":"REGISTER"|"call_id":"escnull.39203ndfvkjdasfkq3w4otrq0adsfdfnavd"|"cseq":14398234,|"from_tag":"839923423"|"body_len":0,
rfc4475_esc02|true|0|"method":"RE%47IST%45R"|"cseq_method":"RE%47IST%45R"|"via_branch":"z9hG4bK209%fzsnel234"|"from_tag":"f232jadfj23"
rfc4475_lwsdisp|true|0|"method":"OPTIONS"|"call_id":"lwsdisp.1234abcd@funky.example.com"|"from_tag":"323"
rfc4475_longreq|true|0|"method":"INVITE"|"cseq":3882340,|"vias":34,|"via_branch":""|"body_len":150,
rfc4475_dblreq|true|0|"method":"REGISTER"|"call_id":"dblreq.0ha0isndaksdj99sdfafnl3lk233412"|"body_len":0,|"length":300}
rfc4475_semiuri|true|0|"method":"OPTIONS"|"ruri":"sip:user;par=u%40example.net@example.com"|"call_id":"semiuri.0ha0isndaksdj"
rfc4475_transports|true|0|"method":"OPTIONS"|"call_id":"transports.kijh4akdnaqjkwendsasfdj"|"vias":5,
rfc4475_mpart01|true|0|"method":"MESSAGE"|"call_id":"3d9485ad0c49859b@Zmx1ZmZ5LW1hYy0xNi5sb2NhbA.."|"from_tag":"2fb0dcc9"|"body_len":553,
rfc4475_unreason|true|0|"kind":"response","code":200|"reason_phrase":"= 2**3 * 5**2 но сто девяносто девять - простое"|"call_id":"unreason.1234ksdfak3j2erwedfsASdf"|"to_tag":"2229"|"body_len":154,
rfc4475_noreason|true|0|"kind":"response","code":100|"reason_phrase":""|"call_id":"noreason.asndj203insdf99223ndf"|"to_tag":"902jndnke3"
rfc4475_badinv01|false|400|"error_code":"SL_EPARSE"
rfc4475_clerr|false|400|"error_code":"SL_EPARSE"
rfc4475_ncl|false|400|"error_code":"SL_EPARSE"
rfc4475_scalar02|false|400|"error_code":"SL_EPARSE"
rfc4475_scalarlg|false|0|"error_code":"SL_EPARSE"
rfc4475_quotbal|false|400|"error_code":"SL_EPARSE"
rfc4475_ltgtruri|false|400|"error_code":"SL_EPARSE"
rfc4475_lwsruri|false|400|"error_code":"SL_EPARSE"
rfc4475_lwsstart|false|400|"error_code":"SL_EPARSE"
rfc4475_trws|false|400|"error_code":"SL_EPARSE"
rfc4475_escruri|false|400|"error_code":"SL_EPARSE"
rfc4475_baddate|true|0|"method":"INVITE"|"call_id":"baddate.239423mnsadf3j23lj42--sedfnm234"
rfc4475_regbadct|false|400|"method":"REGISTER"
rfc4475_badaspec|false|400|"error_code":"SL_EPARSE"
rfc4475_baddn|false|400|"error_code":"SL_EPARSE"
rfc4475_badvers|false|505|"ok":false
rfc4475_mismatch01|false|400|"error_code":"SL_EPARSE"
rfc4475_mismatch02|false|400|"error_code":"SL_EPARSE"
rfc4475_bigcode|false|0|"error_code":"SL_EPARSE"
rfc4475_badbranch|true|0|"method":"OPTIONS"|"via_branch":"z9hG4bK"
rfc4475_insuf|false|400|"error_code":"SL_EPARSE"
rfc4475_unkscm|false|416|"method":"OPTIONS"|"ruri":"nobodyKnowsThisScheme:totallyopaquecontent"
rfc4475_novelsc|false|416|"method":"OPTIONS"|"ruri":"soap.beep://192.0.2.103:3002"
rfc4475_unksm2|true|0|"method":"REGISTER"|"call_id":"unksm2.daksdj@hyphenated-host.example.com"
rfc4475_bext01|false|420|"unsupported":"nothingSupportsThis"|"method":"OPTIONS"
rfc4475_invut|true|0|"method":"INVITE"|"body_len":40,
rfc4475_regaut01|true|0|"method":"REGISTER"|"call_id":"regaut01.0ha0isndaksdj"
rfc4475_multi01|false|400|"error_code":"SL_EPARSE"
rfc4475_mcl01|false|400|"error_code":"SL_EPARSE"
rfc4475_bcast|true|0|"kind":"response","code":200|"vias":2,|"body_len":154,
rfc4475_zeromf|false|483|"method":"OPTIONS"|"max_forwards":0,
rfc4475_cparam01|true|0|"method":"REGISTER"|"from_tag":"DkfVgjkrtMwaerKKpe"
rfc4475_cparam02|true|0|"method":"REGISTER"|"from_tag":"838293"
rfc4475_regescrt|true|0|"method":"REGISTER"|"call_id":"regescrt.k345asrl3fdbv@192.0.2.1"
rfc4475_sdp01|true|0|"method":"INVITE"|"call_id":"sdp01.ndaksdj9342dasdd"
rfc4475_inv2543|true|0|"method":"INVITE"|"from_tag":""|"via_branch":""|"max_forwards":-1,|"body_len":105,
rfc5118_ipv6-good|true|0|"method":"REGISTER"|"ruri":"sip:[2001:db8::10]"|"via_branch":"z9hG4bKas3-111"
rfc5118_ipv6-bad|false|400|"error_code":"SL_EPARSE"
rfc5118_port-ambiguous|true|0|"ruri":"sip:[2001:db8::10:5070]"
rfc5118_port-unambiguous|true|0|"ruri":"sip:[2001:db8::10]:5070"
rfc5118_via-received-param-with-delim|true|0|"method":"BYE"|"to_tag":"bd76ya"
rfc5118_via-received-param-no-delim|true|0|"method":"OPTIONS"|"via_branch":"z9hG4bKas3"
rfc5118_ipv6-in-sdp|true|0|"method":"INVITE"|"body_len":241,|"length":580}
rfc5118_mult-ip-in-header|true|0|"method":"BYE"|"vias":3,|"to_tag":"9817--94"
rfc5118_mult-ip-in-sdp|true|0|"method":"INVITE"|"body_len":181,|"length":522}
rfc5118_ipv4-mapped-ipv6|true|0|"method":"INVITE"|"vias":2,|"body_len":236,|"length":648}
rfc5118_ipv6-bug-abnf-3-colons|false|400|"error_code":"SL_EPARSE"
rfc5118_ipv6-correct-abnf-2-colons|true|0|"method":"OPTIONS"|"ruri":"sip:user@[2001:db8::192.0.2.1]"
EOF
}

# ---- every torture file, JSON and text ----

listed=$tmp/listed
: > "$listed"
expectations > "$tmp/expect"
while IFS='|' read -r name ok status rest; do
	file=$dir/$name.sip
	echo "$name.sip" >> "$listed"
	if [ ! -f "$file" ]; then
		fail "$name: $file is missing"
		continue
	fi
	out=$("$bin" --json "$file" 2>"$tmp/err")
	rc=$?
	want_rc=0
	[ "$ok" = true ] || want_rc=1
	bad=""
	[ "$rc" -eq "$want_rc" ] || bad="$bad exit $rc (want $want_rc);"
	[ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] ||
		bad="$bad not one line;"
	[ -s "$tmp/err" ] && bad="$bad stderr: $(head -n 1 "$tmp/err");"
	json_ok "$out" || bad="$bad invalid JSON;"
	has "$out" "{\"file\":\"$file\",\"index\":0,\"at\":0," ||
		bad="$bad wrong file/index;"
	has "$out" "\"ok\":$ok,\"status\":$status" ||
		bad="$bad want ok=$ok status=$status;"
	rest_left=$rest
	while [ -n "$rest_left" ]; do
		field=${rest_left%%|*}
		if [ "$field" = "$rest_left" ]; then
			rest_left=""
		else
			rest_left=${rest_left#*|}
		fi
		has "$out" "$field" || bad="$bad missing $field;"
	done
	if [ -n "$bad" ]; then
		fail "$name:$bad"
		echo "     got: $out"
	else
		pass
	fi

	# The same verdict in text form.
	text=$("$bin" "$file" 2>/dev/null)
	if [ "$ok" = true ]; then
		prefix="OK $file: "
	else
		prefix="ERR $file: $status "
	fi
	case $text in
	"$prefix"*) pass ;;
	*) fail "$name (text): want '$prefix...', got: $text" ;;
	esac
done < "$tmp/expect"

# Every file in the corpus has an expectation above.
for f in "$dir"/*.sip; do
	b=$(basename "$f")
	if grep -F -x -q -- "$b" "$listed"; then
		pass
	else
		fail "$b: no expectation in tests/sipmsg-test.sh"
	fi
done

# ---- stream mode ----

# dblreq over a stream: the REGISTER, then the INVITE that a datagram
# receiver ignores, then the INVITE body's bytes past its Content-Length,
# which cannot be a message.
out=$("$bin" --stream --json "$dir/rfc4475_dblreq.sip")
rc=$?
n=$(printf '%s\n' "$out" | wc -l)
l1=$(printf '%s\n' "$out" | sed -n 1p)
l2=$(printf '%s\n' "$out" | sed -n 2p)
l3=$(printf '%s\n' "$out" | sed -n 3p)
if [ "$n" -eq 3 ] && [ "$rc" -eq 1 ] &&
    has "$l1" '"index":0,"at":0,"ok":true' &&
    has "$l1" '"method":"REGISTER"' &&
    has "$l2" '"index":1,"at":300,"ok":true' &&
    has "$l2" '"method":"INVITE"' && has "$l2" '"body_len":150,' &&
    has "$l3" '"index":2,"at":743,"ok":false'; then
	pass
else
	fail "stream dblreq: exit $rc, got: $out"
fi

# Two messages back to back on standard input, then a keep-alive.
out=$( { cat "$dir/rfc4475_wsinv.sip" "$dir/rfc4475_transports.sip"
	printf '\r\n\r\n'; } | "$bin" --stream --json -)
rc=$?
if [ "$rc" -eq 0 ] && [ "$(printf '%s\n' "$out" | wc -l)" -eq 2 ] &&
    has "$out" '{"file":"<stdin>","index":0,"at":0,"ok":true' &&
    has "$out" '"index":1,"at":1001,"ok":true' &&
    has "$out" '"call_id":"transports.kijh4akdnaqjkwendsasfdj"'; then
	pass
else
	fail "stream stdin: exit $rc, got: $out"
fi

# Only keep-alives: nothing to say, nothing wrong.
out=$(printf '\r\n\r\n\r\n' | "$bin" --stream)
rc=$?
if [ "$rc" -eq 0 ] && [ -z "$out" ]; then pass
else fail "keep-alive only: exit $rc, got: $out"; fi

# A message cut short on a stream.
out=$(head -c 200 "$dir/rfc4475_wsinv.sip" | "$bin" --stream --json)
rc=$?
if [ "$rc" -eq 1 ] && has "$out" '"ok":false,"status":0' &&
    has "$out" '"error_code":"SL_EAGAIN"'; then pass
else fail "truncated stream: exit $rc, got: $out"; fi

# Stream mode in text form numbers the messages.
out=$("$bin" --stream "$dir/rfc4475_dblreq.sip")
case $out in
"OK $dir/rfc4475_dblreq.sip#1: REGISTER "*) pass ;;
*) fail "stream text: got: $out" ;;
esac

# ---- standard input, options, exit statuses ----

out=$("$bin" --json < "$dir/rfc4475_lwsdisp.sip")
rc=$?
if [ "$rc" -eq 0 ] && has "$out" '{"file":"<stdin>","index":0'; then pass
else fail "stdin without FILE: exit $rc, got: $out"; fi

out=$(: | "$bin" --json -)
rc=$?
if [ "$rc" -eq 1 ] && has "$out" '"ok":false'; then pass
else fail "empty input: exit $rc, got: $out"; fi

out=$("$bin" --help)
rc=$?
if [ "$rc" -eq 0 ] && has "$out" "usage: sipmsg"; then pass
else fail "--help: exit $rc"; fi

"$bin" --no-such-option > "$tmp/out" 2> "$tmp/err"
rc=$?
if [ "$rc" -eq 2 ] && [ ! -s "$tmp/out" ] &&
    [ "$(wc -l < "$tmp/err")" -eq 1 ]; then pass
else fail "unknown option: exit $rc, stderr: $(cat "$tmp/err")"; fi

# An unreadable file: one line on stderr, the other files still done.
"$bin" --json "$tmp/does-not-exist.sip" "$dir/rfc4475_lwsdisp.sip" \
	> "$tmp/out" 2> "$tmp/err"
rc=$?
if [ "$rc" -eq 2 ] && [ "$(wc -l < "$tmp/err")" -eq 1 ] &&
    grep -q -F '"ok":true' "$tmp/out"; then pass
else fail "missing file: exit $rc, stderr: $(cat "$tmp/err")"; fi

# A refused message and a good one: exit 1.
"$bin" "$dir/rfc4475_badvers.sip" "$dir/rfc4475_lwsdisp.sip" > "$tmp/out"
rc=$?
if [ "$rc" -eq 1 ] && [ "$(wc -l < "$tmp/out")" -eq 2 ]; then pass
else fail "mixed verdicts: exit $rc"; fi

# --supported lists what the UA understands: bext01 then passes.
out=$("$bin" --json --supported \
	nothingSupportsThis,nothingSupportsThisEither "$dir/rfc4475_bext01.sip")
rc=$?
if [ "$rc" -eq 0 ] && has "$out" '"ok":true,"status":0'; then pass
else fail "--supported: exit $rc, got: $out"; fi

# ---- JSON escaping ----

# A file name with a quote, a backslash, a tab and a byte that is not
# UTF-8 must come out as a valid JSON string.
weird=$tmp/$(printf 'q"b\\t\tx\377y\303\251.sip')
cp "$dir/rfc4475_lwsdisp.sip" "$weird"
out=$("$bin" --json "$weird")
want=$(printf '%s' "$tmp/" | sed 's/\\/\\\\/g; s/"/\\"/g')
want="{\"file\":\"${want}q\\\"b\\\\t\\tx\\u00ffy$(printf '\303\251').sip\""
if has "$out" "$want" && json_ok "$out"; then pass
else fail "JSON escaping: want $want, got: $out"; fi

# The text form stays on one line and shows the odd bytes escaped.
out=$("$bin" "$weird")
case $out in
*'q"b\t\x09x\xffy'"$(printf '\303\251')"'.sip: OPTIONS '*) pass ;;
*) fail "text escaping: got: $out" ;;
esac

echo "sipmsg: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
