#!/bin/sh
# The demo, from a fresh Debian 12 machine: installs the missing Debian packages, builds, and runs
# pstnsim (the simulated PSTN exchange, conf/pstnsim.conf) and mgcfd (conf/mgcfd.conf) on loopback:
#   - the M3UA association between them comes up and mgcfd resets all 31 circuits (GRS);
#   - a circuit blocked at the exchange shows as remotely blocked at mgcfd;
#   - calls are bridged both ways, with sipp as the IMS side: IMS->PSTN answered, PSTN->IMS answered, and one
#     IMS->PSTN call the exchange rejects (busy); one summary line per call (from mgcfd's CDR file) and totals.
# Both stop at the end (DEMO_SECONDS=0 keeps them running until Ctrl-C).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
. scripts/deps.sh
mgcf_install_deps "sip-tester"

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
xml="$top/tests/scenario/sipp"
cdr=/tmp/mgcfd-cdr.log
cdr_before=$(grep -vc '^#' "$cdr" 2>/dev/null || true)
echo "--- IMS -> PSTN, answered: sipp calls +4930123456 through mgcfd (SIP 127.0.0.1:5060), hangs up after 0.5 s"
sipp -sf "$xml/iw_uac_bye.xml" -s +4930123456 -i 127.0.0.1 -p 5070 -m 1 -recv_timeout 15000 -timeout 30 \
     -timeout_error "127.0.0.1:5060" > "$logs/sipp_uac1.log" 2>&1 && echo "sipp: call completed" ||
	echo "sipp: call FAILED (see $logs/sipp_uac1.log)"
echo "--- PSTN -> IMS, answered: pstnsim calls 4940999888; sipp (127.0.0.1:5080) rings, answers, hangs up after 2 s"
sipp -sf "$xml/iw_uas_answer_bye.xml" -i 127.0.0.1 -p 5080 -m 1 -timeout 30 -timeout_error \
     > "$logs/sipp_uas.log" 2>&1 &
uas=$!
sleep 0.5
"$vty" 4281 "enable" "simulator call 4940999888" > /dev/null
wait $uas && echo "sipp: call completed" || echo "sipp: call FAILED (see $logs/sipp_uas.log)"
echo "--- IMS -> PSTN, rejected: sipp calls +990017 (the exchange answers 'user busy', cause 17)"
sed -e "s/@STATUS@/486/" -e "s/@CAUSE@/17/" "$xml/iw_uac_reject.xml" > "$logs/reject.xml"
sipp -sf "$logs/reject.xml" -s +990017 -i 127.0.0.1 -p 5070 -m 1 -recv_timeout 15000 -timeout 30 \
     -timeout_error "127.0.0.1:5060" > "$logs/sipp_uac2.log" 2>&1 && echo "sipp: got 486 Busy Here, Reason: Q.850;cause=17" ||
	echo "sipp: did not get 486 (see $logs/sipp_uac2.log)"
sleep 0.5
echo "--- mgcfd: show calls (none left)"
"$vty" 4280 "show calls"
echo "--- the calls (mgcfd's CDR file $cdr)"
grep -v '^#' "$cdr" | tail -n +"$((cdr_before + 1))" | awk -F, '
	{ n++; if ($2 != "") ans++; else rej++
	  printf "call %d: %s %s -> %s on %s CIC %s: %s, cause %s, released by %s, %s s\n", n, $4,
		 ($7 == "" ? "-" : $7), $8, $5, $6, ($2 != "" ? "answered" : "not answered"), $9, $10, $11 }
	END { printf "total: %d calls, %d answered, %d not answered\n", n, ans, rej }'
echo "--- pstnsim: show simulator"
"$vty" 4281 "show simulator"

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
