#!/bin/sh
# The demo, from a fresh Debian 12 machine: installs the missing Debian packages,
# builds, and runs mgcfd on conf/mgcfd.conf (SIP on 127.0.0.1:5060, VTY on
# 127.0.0.1:4280, M3UA towards 127.0.0.1:2905).  It shows the VTY answering,
# then stops the daemon after DEMO_SECONDS (default 5; 0 runs until Ctrl-C).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
. scripts/deps.sh
mgcf_install_deps ""

jobs=$(nproc 2>/dev/null || echo 2)
dir="$top/build/gcc"
if [ ! -x "$dir/src/mgcfd" ]; then
	./autogen.sh > /dev/null 2>&1
	mkdir -p "$dir"
	(cd "$dir" && "$top/configure" > configure.out 2>&1) || { cat "$dir/configure.out"; exit 1; }
fi
make -C "$dir" -j"$jobs" > "$dir/make.out" 2>&1 || { tail -50 "$dir/make.out"; exit 1; }
make -C "$dir/tests" common/vtycmd > /dev/null 2>&1

conf="$top/conf/mgcfd.conf"
"$dir/src/mgcfd" -c "$conf" --check-config
echo "mgcfd: configuration $conf is valid"
"$dir/src/mgcfd" -c "$conf" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null || true' INT TERM EXIT
i=0
until "$dir/tests/common/vtycmd" --probe 4280 2>/dev/null; do
	i=$((i + 1)); [ $i -lt 50 ] || { echo "mgcfd did not come up"; exit 1; }; sleep 0.1
done
echo "--- telnet 127.0.0.1 4280: show version"
"$dir/tests/common/vtycmd" 4280 "show version"
echo "--- show timer isup"
"$dir/tests/common/vtycmd" 4280 "show timer isup" | head -12
seconds=${DEMO_SECONDS:-5}
if [ "$seconds" -eq 0 ]; then
	echo "--- mgcfd runs; Ctrl-C stops it"
	wait $pid
else
	echo "--- mgcfd runs for $seconds s"
	sleep "$seconds"
	kill -TERM $pid
	wait $pid && echo "mgcfd stopped cleanly (exit 0)"
fi
trap - INT TERM EXIT
