#!/bin/sh
# Interworking load benchmark: sipp (IMS side) -> mgcfd -> pstnsim (PSTN side) on loopback, basic call with BYE.
# Steps the call rate up; for each step it reports the calls attempted and failed, and mgcfd's CPU per call from
# /proc (user+system time over the step), and the highest rate sustained with no failed call.  With a hold time it
# also reports mgcfd's memory per established call (RSS growth while calls are held, over the calls up).
# Usage (from the build directory): bench/iw_load.sh [RATES] [SECONDS_PER_STEP]
#   e.g. bench/iw_load.sh "50 100 200 400" 5
# The simulated trunk has 31 circuits (one E1), which bounds the concurrent calls.
set -eu
top_srcdir=$(cd "$(dirname "$0")/.." && pwd)
top_builddir=$(pwd)
export top_srcdir top_builddir
. "$top_srcdir/tests/common/testlib.sh"
command -v sipp > /dev/null || { echo "iw_load: sipp (sip-tester) is not installed"; exit 1; }

rates=${1:-"50 100 200 400 800"}
secs=${2:-5}
bin="$top_builddir/src"
scenario_init

m3ua_port=$(free_port); sim_vty=$(free_port); mgcf_vty=$(free_port); sip_port=$(free_port)
span_a=$(free_port); span_b=$(free_port); sipp_port=$(free_port)
sed -e "s/127.0.0.1:2905/127.0.0.1:$m3ua_port/" -e "s/port = 4281/port = $sim_vty/" \
    -e "s/127.0.0.1:42000/127.0.0.1:$span_a/" -e "s/127.0.0.1:41000/127.0.0.1:$span_b/" \
    -e "s/answer-delay = 1000/answer-delay = 0/" -e "s/udp:127.0.0.1:5999/udp:127.0.0.1:$(free_port)/" \
    -e "s/level = notice/level = error/" -e 's/category = { "DSIM=info" }//' \
    "$top_srcdir/conf/pstnsim.conf" > "$work/pstnsim.conf"
sed -e "s/127.0.0.1:2905/127.0.0.1:$m3ua_port/" -e "s/port = 4280/port = $mgcf_vty/" \
    -e "s/127.0.0.1:5060/127.0.0.1:$sip_port/g" -e "s|/tmp/mgcfd-cdr.log|$work/cdr.log|" \
    -e "s/127.0.0.1:42000/127.0.0.1:$span_a/" -e "s/127.0.0.1:41000/127.0.0.1:$span_b/" \
    -e "s/level = notice/level = error/" -e 's/category = { "DMGCF=info" }//' \
    "$top_srcdir/conf/mgcfd.conf" > "$work/mgcfd.conf"

"$bin/pstnsim" -c "$work/pstnsim.conf" > "$work/pstnsim.log" 2>&1 &
track_pid $!
wait_port "$sim_vty" 100 || fail "pstnsim did not start"
"$bin/mgcfd" -c "$work/mgcfd.conf" > "$work/mgcfd.log" 2>&1 &
mgcf=$!
track_pid $mgcf
wait_port "$mgcf_vty" 100 || fail "mgcfd did not start"
until_ok 100 sh -c "$VTYCMD $mgcf_vty 'show m3ua' | head -1 | grep -q ', ACTIVE\$'" || fail "no association"
sleep 1

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$mgcf/stat"; }
rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$mgcf/status"; }
hz=$(getconf CLK_TCK)
best=0
echo "iw_load: sipp -> mgcfd -> pstnsim, basic call with BYE, ${secs} s per step, 31 circuits"
for r in $rates; do
	n=$((r * secs))
	t0=$(cpu_ticks)
	if sipp -sf "$top_srcdir/bench/sipp_uac_call.xml" -s +4930123456 -i 127.0.0.1 -p "$sipp_port" -r "$r" -m "$n" \
	     -d 0 -l 200 -recv_timeout 5000 -timeout $((secs * 4 + 20)) -timeout_error -buff_size 4194304 \
	     -trace_stat -stf "$work/stat.csv" "127.0.0.1:$sip_port" > "$work/sipp.out" 2>&1; then
		failed=0
	else
		failed=$(tail -1 "$work/stat.csv" | awk -F';' '{ print $16 }')
		[ -n "$failed" ] || failed="?"
	fi
	t1=$(cpu_ticks)
	us=$(( (t1 - t0) * 1000000 / hz / n ))
	echo "iw_load: rate $r calls/s: $n calls, $failed failed, mgcfd CPU $us us/call"
	[ "$failed" = 0 ] && best=$r
	until_ok 100 sh -c "$VTYCMD $mgcf_vty 'show calls' | tail -1 | grep -q '^0 call(s)'" || fail "calls left"
done

# memory per established call: hold ~25 calls up
rss0=$(rss_kb)
sipp -sf "$top_srcdir/bench/sipp_uac_call.xml" -s +4930123456 -i 127.0.0.1 -p "$sipp_port" -r 25 -m 25 -d 4000 \
     -recv_timeout 5000 -timeout 30 "127.0.0.1:$sip_port" > "$work/sipp_hold.out" 2>&1 &
hold=$!
sleep 2.5
up=$($VTYCMD "$mgcf_vty" "show calls" | tail -1 | awk '{ print $1 }')
rss1=$(rss_kb)
wait $hold || true
if [ "${up:-0}" -gt 0 ]; then
	echo "iw_load: memory: $up calls up, RSS +$((rss1 - rss0)) kB, $(( (rss1 - rss0) * 1024 / up )) bytes per established call"
fi
echo "iw_load: highest rate with no failed call: $best calls/s (target 5,000 calls/s with at most 50 us of mgcfd CPU per call)"
