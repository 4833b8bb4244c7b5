#!/bin/sh
# tests/check-install.sh: `make install` into a scratch prefix, then build a
# program against it through pkg-config, statically and dynamically, and
# run both: what a firmware build does with the installed files.
set -eu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix
make -s install PREFIX="$prefix" BUILD="${BUILD:-build}" > "$tmp/install.log"
cat > "$tmp/app.c" <<'C'
#include <stdio.h>
#include <string.h>
#include <sipline/sipline.h>
int main(void)
{
	static const char m[] = "OPTIONS sip:a@example.com SIP/2.0\r\n"
		"Via: SIP/2.0/UDP h.example.com;branch=z9hG4bK1\r\n"
		"To: <sip:a@example.com>\r\nFrom: <sip:b@example.com>;tag=1\r\n"
		"Call-ID: x\r\nCSeq: 1 OPTIONS\r\n\r\n";
	char v[32];
	int rc = sl_msg_get_header(m, strlen(m), "CSeq", v, sizeof(v));
	printf("%s %s\n", sl_version(), rc > 0 ? v : sl_strerror(rc));
	return rc > 0 ? 0 : 1;
}
C
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
# shellcheck disable=SC2046 # pkg-config output is a list of flags
${CC:-cc} -o "$tmp/app-static" "$tmp/app.c" \
	$(pkg-config --cflags sipline) "$prefix/lib/libsipline.a" \
	$(pkg-config --static --libs-only-other --libs-only-l sipline | sed 's/-lsipline//')
# shellcheck disable=SC2046
${CC:-cc} -o "$tmp/app-shared" "$tmp/app.c" $(pkg-config --cflags --libs sipline)
out1=$("$tmp/app-static")
out2=$(LD_LIBRARY_PATH="$prefix/lib" "$tmp/app-shared")
[ "$out1" = "0.1.0 1 OPTIONS" ] || { echo "install: static app printed '$out1'"; exit 1; }
[ "$out2" = "$out1" ] || { echo "install: shared app printed '$out2'"; exit 1; }
# The shared library exports the public API only.
if nm -D --defined-only "$prefix/lib/libsipline.so" | grep -q ' sl__'; then
	echo "install: libsipline.so exports internal sl__ symbols"; exit 1
fi
echo "install: 1 passed, 0 failed"
