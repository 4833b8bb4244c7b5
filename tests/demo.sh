#!/bin/sh
# tests/demo.sh BUILD: the main job until the command-line agent lands: run
# sipmsg over the sample corpus and the RFC 4475/5118 torture messages and
# show what a UA would do with each. Exits 0 when every corpus message
# parses (the torture set is expected to contain rejected messages).
set -u
build=$1
echo "== sipmsg over tests/data/corpus (realistic traffic; all must parse)"
"$build/bin/sipmsg" tests/data/corpus/*.sip || exit 1
if [ -d tests/data/torture ]; then
	echo
	echo "== sipmsg over tests/data/torture (RFC 4475 / RFC 5118; some must be rejected)"
	"$build/bin/sipmsg" tests/data/torture/*.sip
fi
echo
echo "demo: every corpus message parsed"
