#!/bin/sh
# tests/check-headers.sh CC: every public header compiles on its own, as C11
# and as C++ when a C++ compiler is there, with no warning (STYLE.md §1:
# guard, extern "C", own includes).
set -u
cc=${1:-cc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
bad=0
for h in include/sipline/*.h; do
	name=$(basename "$h")
	printf '#include "sipline/%s"\n#include "sipline/%s"\n' "$name" "$name" \
		> "$tmp/t.c"
	if ! $cc -std=c11 -Wall -Wextra -Werror -pedantic -Iinclude \
		-c "$tmp/t.c" -o "$tmp/t.o" 2> "$tmp/err"; then
		echo "header $name does not compile alone:"; cat "$tmp/err"
		bad=$((bad + 1))
	fi
	if command -v c++ >/dev/null 2>&1; then
		cp "$tmp/t.c" "$tmp/t.cc"
		if ! c++ -Wall -Wextra -Werror -Iinclude -c "$tmp/t.cc" \
			-o "$tmp/t.o" 2> "$tmp/err"; then
			echo "header $name does not compile as C++:"; cat "$tmp/err"
			bad=$((bad + 1))
		fi
	fi
	n=$((n + 1))
done
echo "headers: $((n - bad)) passed, $bad failed"
[ "$bad" -eq 0 ]
