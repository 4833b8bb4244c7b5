# tests/interop/lib.sh: shell helpers shared by the interop scripts
# (sipp-txn.sh, netns-loss.sh) and tools/bench/txn-bench.sh. Sourced, not
# run. POSIX sh.
#
# Every process is started in the background through `timeout`, its pid
# recorded in $il_pids; il_cleanup (installed as the EXIT trap by
# il_init) sends SIGTERM to each recorded pid -- by pid, never by name --
# and reaps it. Logs go to a fresh directory, which is also the working
# directory (SIPp writes its trace files there).

il_pids=""
il_passed=0
il_failed=0

# il_init TAG: the log directory ($il_logs, also the working directory)
# and the traps.
il_init() {
	il_tag=$1
	il_logs=$(mktemp -d "${TMPDIR:-/tmp}/$il_tag.XXXXXX") || exit 1
	trap il_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	cd "$il_logs" || exit 1
}

# The logs stay only after a failure (or with IL_KEEP_LOGS=1); a case
# run in a subshell (il_spawn) leaves them to the main shell.
il_cleanup() {
	for p in $il_pids; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in $il_pids; do
		wait "$p" 2>/dev/null
	done
	il_pids=""
	[ -n "${il_sub:-}" ] && return
	cd / || return
	if [ "$il_failed" -eq 0 ] && [ -z "${IL_KEEP_LOGS:-}" ]; then
		rm -rf "$il_logs"
	fi
}

# il_forget PID: no longer ours to kill (it was reaped).
il_forget() {
	_rest=""
	for p in $il_pids; do
		[ "$p" = "$1" ] || _rest="$_rest $p"
	done
	il_pids=$_rest
}

# il_bg NAME SECONDS CMD...: runs CMD bounded by SECONDS with stdout in
# NAME.out and stderr in NAME.err; the pid is in $il_last.
il_bg() {
	_name=$1
	_secs=$2
	shift 2
	timeout -k 5 "$_secs" "$@" > "$il_logs/$_name.out" \
		2> "$il_logs/$_name.err" &
	il_last=$!
	il_pids="$il_pids $il_last"
}

# il_wait PID: waits for it; its exit status is $il_rc.
il_wait() {
	wait "$1"
	il_rc=$?
	il_forget "$1"
}

# il_stop PID: SIGTERM, then waits; the exit status is $il_rc.
il_stop() {
	kill -TERM "$1" 2>/dev/null
	il_wait "$1"
}

# il_listen_port FILE udp|tcp: the port txn_peer printed for that
# transport ("txn_peer: listening udp 127.0.0.1:PORT"), waiting up to 5 s
# for the line. Prints nothing when it never came.
il_listen_port() {
	_re="s/^txn_peer: listening $2 .*:\([0-9][0-9]*\)\$/\1/p"
	_i=0
	while [ $_i -lt 50 ]; do
		_p=$(sed -n "$_re" "$1" 2>/dev/null | head -n 1)
		if [ -n "$_p" ]; then
			echo "$_p"
			return 0
		fi
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

# il_wait_port udp|tcp PORT [PID]: waits up to 5 s until something
# listens on 127.0.0.1:PORT (SIPp as a UAS prints no ready line); gives
# up early when PID has exited.
il_wait_port() {
	_flag=-lnu
	[ "$1" = tcp ] && _flag=-lnt
	_i=0
	while [ $_i -lt 50 ]; do
		if ss -H $_flag "sport = :$2" 2>/dev/null | grep -q .; then
			return 0
		fi
		if [ -n "${3:-}" ] && ! kill -0 "$3" 2>/dev/null; then
			return 1
		fi
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

# il_csv FILE COLUMN: the value of COLUMN (by header name) in the last
# line of SIPp's ';'-separated statistics file; empty when missing.
il_csv() {
	[ -s "$1" ] || return 0
	awk -F';' -v col="$2" '
		NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i; next }
		c { v = $c }
		END { if (c && v != "") print v + 0 }' "$1"
}

# il_field FILE KEY: the value of "KEY=value" in txn_peer's counter lines.
il_field() {
	sed -n "s/.* $2=\([0-9.][0-9.]*\).*/\1/p" "$1" 2>/dev/null | tail -n 1
}

# il_spawn NAME CMD...: runs the shell function CMD in a subshell of its
# own, in the background (pid recorded), its output in NAME.res; the
# subshell kills its own processes when it ends or gets SIGTERM. Collect
# with il_collect.
il_spawn() {
	_res=$il_logs/$1.res
	shift
	(
		il_pids=""
		il_sub=1
		trap il_cleanup EXIT
		trap 'exit 143' TERM
		"$@"
	) > "$_res" 2>&1 &
	il_pids="$il_pids $!"
	il_spawned="${il_spawned:-} $!:$_res"
}

# il_collect: waits for every il_spawn, prints their results in order and
# counts their "ok" and "FAIL" lines (a case that printed neither failed).
il_collect() {
	for _e in ${il_spawned:-}; do
		_pid=${_e%%:*}
		_res=${_e#*:}
		il_wait "$_pid"
		cat "$_res"
		_ok=$(grep -c "^$il_tag: ok " "$_res")
		_bad=$(grep -c "^$il_tag: FAIL " "$_res")
		if [ "$_ok" -eq 0 ] && [ "$_bad" -eq 0 ]; then
			echo "$il_tag: FAIL  $_res: no result (exit $il_rc)"
			_bad=1
		fi
		il_passed=$((il_passed + _ok))
		il_failed=$((il_failed + _bad))
	done
	il_spawned=""
}

# il_pass MSG / il_fail MSG [LOG...]: one result line; a failure shows the
# end of each log named.
il_pass() {
	il_passed=$((il_passed + 1))
	echo "$il_tag: ok    $1"
}

il_fail() {
	il_failed=$((il_failed + 1))
	echo "$il_tag: FAIL  $1"
	shift
	for f in "$@"; do
		[ -s "$f" ] || continue
		case $f in
		*.errors)
			# SIPp's -trace_err file: why it aborted calls.
			echo "---- $f (SIPp's reasons)"
			grep -E "unexpected|Aborting|Dead call|retrans" "$f" |
				cut -c 1-220 | head -n 10
			;;
		*)
			echo "---- $f (last lines)"
			tail -n 15 "$f"
			;;
		esac
	done
}

# il_summary: the closing line; returns non-zero on any failure.
il_summary() {
	[ "$il_failed" -eq 0 ] || echo "$il_tag: logs kept in $il_logs"
	echo "$il_tag: $il_passed passed, $il_failed failed"
	[ "$il_failed" -eq 0 ]
}
