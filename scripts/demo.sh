#!/bin/sh
# The demo, from a fresh Debian 12 machine: installs the missing Debian packages, builds, and runs
# pstnsim (the simulated PSTN exchange, conf/pstnsim.conf) and mgcfd (conf/mgcfd.conf) on loopback:
#   - the M3UA association between them comes up and mgcfd resets all 31 circuits (GRS);
#   - a circuit blocked at the exchange shows as remotely blocked at mgcfd;
#   - pstnsim places calls across the trunk and reports what happened.
# Both stop at the end (DEMO_SECONDS=0 keeps them running until Ctrl-C).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
. scripts/deps.sh
mgcf_install_deps ""

jobs=$(nproc 2>/dev/null || echo 2)
dir="$top/build/gcc"
if [ ! -f "$dir/Makefile" ]; then
	./autogen.sh > /dev/null 2>&1
	mkdir -p "$dir"
	(cd "$dir" && "$top/configure" > configure.out 2>&1) || { cat "$dir/configure.out"; exit 1; }
fi
make -C "$dir" -j"$jobs" > "$dir/make.out" 2>&1 || { tail -50 "$dir/make.out"; exit 1; }
make -C "$dir/tests" common/vtycmd > /dev/null 2>&1
vty="$dir/tests/common/vtycmd"
logs=$(mktemp -d)

for c in mgcfd pstnsim; do
	"$dir/src/mgcfd" -c "$top/conf/$c.conf" --check-config
done
echo "configurations conf/mgcfd.conf and conf/pstnsim.conf are valid; logs in $logs"

"$dir/src/pstnsim" -c "$top/conf/pstnsim.conf" > "$logs/pstnsim.log" 2>&1 &
sim=$!
"$dir/src/mgcfd" -c "$top/conf/mgcfd.conf" > "$logs/mgcfd.log" 2>&1 &
mgcf=$!
trap 'kill -TERM $mgcf $sim 2>/dev/null || true' INT TERM EXIT

wait_for() {	# what, command...
	what=$1
	shift
	i=0
	until "$@" > /dev/null 2>&1; do
		i=$((i + 1)); [ $i -lt 100 ] || { echo "demo: $what did not happen"; exit 1; }; sleep 0.1
	done
}
wait_for "mgcfd VTY" "$vty" --probe 4280
wait_for "pstnsim VTY" "$vty" --probe 4281
wait_for "association" sh -c "'$vty' 4280 'show m3ua' | head -1 | grep -q ', ACTIVE\$'"
sleep 0.5

echo "--- mgcfd (telnet 127.0.0.1 4280): show version"
"$vty" 4280 "show version" | head -1
echo "--- mgcfd: show m3ua"
"$vty" 4280 "show m3ua" | head -4
echo "--- pstnsim blocks CIC 5; mgcfd: show isup circuits (first 6)"
"$vty" 4281 "enable" "isup block pstn 5" > /dev/null
sleep 0.5
"$vty" 4280 "show isup circuits" | head -7
echo "--- pstnsim places 5 calls across the trunk (mgcfd has no route to the IMS yet and refuses them)"
"$vty" 4281 "enable" "simulator call 4940999888 5 5" > /dev/null
sleep 2
"$vty" 4281 "show simulator"
echo "--- mgcfd log"
grep -v "DLGLOBAL" "$logs/mgcfd.log" | tail -8

seconds=${DEMO_SECONDS:-1}
if [ "$seconds" -eq 0 ]; then
	echo "--- running; Ctrl-C stops both"
	wait $mgcf
else
	sleep "$seconds"
fi
trap - INT TERM EXIT
kill -TERM $mgcf
wait $mgcf && echo "mgcfd stopped cleanly (exit 0)"
kill -TERM $sim
wait $sim > /dev/null && echo "pstnsim stopped cleanly (exit 0)"
