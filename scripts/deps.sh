#!/bin/sh
# Install the Debian 12 packages mgcf needs to build, test and demo, if any is missing.
# Sourced by scripts/test.sh and scripts/demo.sh; can be run alone.
set -eu

MGCF_BUILD_DEPS="build-essential autoconf automake libtool pkg-config
	libosmocore-dev libspandsp-dev libtiff-dev libconfuse-dev libtalloc-dev libssl-dev check"
MGCF_TEST_DEPS="clang libclang-rt-14-dev valgrind sip-tester tshark iproute2"

mgcf_install_deps() {
	missing=""
	for p in $MGCF_BUILD_DEPS ${1:-}; do
		if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
			missing="$missing $p"
		fi
	done
	[ -z "$missing" ] && return 0
	echo "Installing:$missing"
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	# tshark asks whether non-root users may capture; answer no, without a prompt
	echo "wireshark-common wireshark-common/install-setuid boolean false" | $sudo debconf-set-selections
	$sudo apt-get update -qq
	# shellcheck disable=SC2086
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
}

if [ "$(basename "$0")" = deps.sh ]; then
	mgcf_install_deps "$MGCF_TEST_DEPS"
fi
