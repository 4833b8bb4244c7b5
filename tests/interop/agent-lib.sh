# tests/interop/agent-lib.sh: shell helpers for the tests of the sipline
# command-line agent (tests/interop/agent-*.sh), on top of lib.sh. Sourced,
# not run. POSIX sh.
#
# The agent prints one JSON object per line with --json; the helpers read
# those files with grep and sed (every agent runs with --json, its stdout
# in NAME.out). Agents listen on port 0 and the "ready" event says which
# port they got, so no port is ever guessed for them.

# The first listen port in a "ready" event.
ag_ready_re='s/.*"event":"ready".*"listen":\["[a-z]*:[^"]*:\([0-9]*\)".*/\1/p'

# ag_init TAG BUILD: lib.sh's il_init, and $sipline / $audiocheck from
# BUILD/bin. Fails the run when the agent is missing.
ag_init() {
	il_init "$1"
	sipline=$2/bin/sipline
	audiocheck=$2/bin/sipline-audiocheck
	if [ ! -x "$sipline" ]; then
		il_fail "$sipline missing (make BUILD=$2 all)"
		il_summary
		exit 1
	fi
}

# ag_start NAME SECONDS [ARGS...]: the agent in the background (bounded by
# SECONDS), stdout in NAME.out, stdin from the fifo NAME.in (kept open by
# a sleeper so the agent never sees its end; write commands with ag_cmd).
# Waits up to 5 s for "ready": $ag_port is its first listen port, $il_last
# its pid. Return: 1 when it never got ready.
ag_start() {
	_n=$1
	_s=$2
	shift 2
	rm -f "$il_logs/$_n.in"
	mkfifo "$il_logs/$_n.in" || return 1
	# The fifo's writer: without one, opening it would block the agent.
	sleep $((_s + 15)) > "$il_logs/$_n.in" &
	il_pids="$il_pids $!"
	timeout -k 5 "$_s" "$sipline" --json "$@" < "$il_logs/$_n.in" \
		> "$il_logs/$_n.out" 2> "$il_logs/$_n.err" &
	il_last=$!
	il_pids="$il_pids $il_last"
	ag_port=""
	_i=0
	while [ $_i -lt 50 ]; do
		ag_port=$(sed -n "$ag_ready_re" "$il_logs/$_n.out" \
			2>/dev/null | head -n 1)
		[ -n "$ag_port" ] && return 0
		kill -0 "$il_last" 2>/dev/null || return 1
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

# ag_start_bg NAME SECONDS [ARGS...]: like ag_start with standard input
# from /dev/null (an agent no one drives: failures end it).
ag_start_bg() {
	_n=$1
	_s=$2
	shift 2
	timeout -k 5 "$_s" "$sipline" --json "$@" < /dev/null \
		> "$il_logs/$_n.out" 2> "$il_logs/$_n.err" &
	il_last=$!
	il_pids="$il_pids $il_last"
	ag_port=""
	_i=0
	while [ $_i -lt 50 ]; do
		ag_port=$(sed -n "$ag_ready_re" "$il_logs/$_n.out" \
			2>/dev/null | head -n 1)
		[ -n "$ag_port" ] && return 0
		kill -0 "$il_last" 2>/dev/null || return 1
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

# ag_why TEXT...: adds one problem (the words joined) to $why.
ag_why() {
	why="${why:+$why, }$*"
}

# ag_cmd NAME LINE: one command to the agent NAME (ag_start).
ag_cmd() {
	printf '%s\n' "$2" > "$il_logs/$1.in"
}

# ag_count NAME EVENT: how many EVENT lines NAME printed.
ag_count() {
	grep -c "^{\"event\":\"$2\"" "$il_logs/$1.out" 2>/dev/null
}

# ag_wait NAME EVENT [COUNT] [SECONDS]: waits until NAME printed COUNT
# (default 1) EVENT lines, at most SECONDS (default 10). Return: 1 on
# time-out.
ag_wait() {
	_want=${3:-1}
	_lim=$(( ${4:-10} * 10 ))
	_i=0
	while [ $_i -lt $_lim ]; do
		_c=$(ag_count "$1" "$2")
		[ "${_c:-0}" -ge "$_want" ] && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

# ag_field NAME EVENT KEY: KEY's value in NAME's last EVENT line (a
# string without its quotes, a number as written).
ag_field() {
	grep "^{\"event\":\"$2\"" "$il_logs/$1.out" 2>/dev/null | tail -n 1 |
		sed -n "s/.*\"$3\":\"\{0,1\}\([^\",}]*\)\"\{0,1\}[,}].*/\1/p"
}

# ag_done PID SECONDS: waits for PID at most SECONDS (then SIGTERM);
# $il_rc is its exit status, or 124 when it had to be stopped.
ag_done() {
	_i=0
	while [ $_i -lt $(($2 * 10)) ] && kill -0 "$1" 2>/dev/null; do
		sleep 0.1
		_i=$((_i + 1))
	done
	if kill -0 "$1" 2>/dev/null; then
		il_stop "$1"
		il_rc=124
	else
		il_wait "$1"
	fi
}

# ag_json_ok NAME: every line NAME printed is a JSON object with "event"
# (a string) and "t" (a number) - checked with python3 when there is one.
# Prints what is wrong.
ag_json_ok() {
	command -v python3 > /dev/null 2>&1 || return 0
	python3 - "$il_logs/$1.out" <<'EOF'
import json, sys
for n, line in enumerate(open(sys.argv[1], encoding="utf-8"), 1):
    try:
        o = json.loads(line)
    except ValueError as e:
        print("line %d is not JSON: %s" % (n, e))
        sys.exit(1)
    if not isinstance(o, dict) or not isinstance(o.get("event"), str) \
       or not isinstance(o.get("t"), (int, float)):
        print("line %d lacks event/t" % n)
        sys.exit(1)
EOF
}

# ag_freeport: sets $ag_free to a port on 127.0.0.1 that nothing listens
# on (UDP nor TCP) right now, for a peer that must be told its port
# (SIPp, baresip, Kamailio). Successive calls give different ports.
ag_freeport() {
	ag_fp_n=$(( ${ag_fp_n:-0} + 1 ))
	_p=$(( ($$ * 7 + ag_fp_n * 131) % 20000 + 21000 ))
	_i=0
	while [ $_i -lt 200 ]; do
		if ! ss -Hlnu "sport = :$_p" 2>/dev/null | grep -q . &&
		   ! ss -Hlnt "sport = :$_p" 2>/dev/null | grep -q .; then
			ag_free=$_p
			return 0
		fi
		_p=$(( (_p - 21000 + 17) % 20000 + 21000 ))
		_i=$((_i + 1))
	done
	return 1
}
