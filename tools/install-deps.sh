#!/bin/sh
# tools/install-deps.sh: installs the Debian packages sipline builds, tests and
# fuzzes with, when any is missing. Run as root on Debian; `make check` and
# `make demo` call it first so one command does the whole set-up.
#
# Usage: tools/install-deps.sh [build|check|all]
#   build  the library's own dependencies and the compiler toolchain
#   check  build + the test peers and tools (Check, clang/libFuzzer, SIPp...)
set -eu

what=${1:-check}

build_pkgs="build-essential pkg-config libsrtp2-dev libmbedtls-dev
libspeexdsp-dev libopus-dev libvpx-dev libasound2-dev"
check_pkgs="check clang libclang-rt-14-dev sip-tester nftables iproute2
kamailio libspandsp-dev baresip-core alsa-utils"

case "$what" in
build) pkgs=$build_pkgs ;;
check|all) pkgs="$build_pkgs $check_pkgs" ;;
*) echo "usage: $0 [build|check|all]" >&2; exit 2 ;;
esac

missing=""
for p in $pkgs; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
	    grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing Debian packages:$missing" >&2
	echo "install-deps: run as root, or install them yourself" >&2
	exit 1
fi

echo "install-deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086 # word splitting of the package list is wanted
apt-get install -y -qq --no-install-recommends $missing >/dev/null
