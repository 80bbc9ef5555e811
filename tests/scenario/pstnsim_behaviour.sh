#!/bin/sh
# pstnsim's test numbers, checked through a second pstnsim that plays the far end as an M3UA ASP:
#   990017 -> released with cause 17 before any ACM
#   991002 -> ACM, rings 2 s, released with cause 19
#   other  -> ACM, ANM after answer-delay; the caller releases after its hold time (cause 16)
# and pstnsim's --expect / --exit-when-done report checking (a wrong expectation fails the run).
. "${top_srcdir}/tests/common/testlib.sh"

bin="${top_builddir}/src"
scenario_init

m3ua_port=$(free_port)
sg_vty=$(free_port)
asp_vty=$(free_port)

sed -e "s/127\.0\.0\.1:2905\([^0-9]\)/127.0.0.1:$m3ua_port\1/" -e "s/port = 4281/port = $sg_vty/" \
    -e "s/answer-delay = 1000/answer-delay = 200/" -e "/span e1-0/,/^	}/d" \
    "${top_srcdir}/conf/pstnsim.conf" > "$work/sg.conf"

# the calling exchange: an ASP towards the first one, point codes the other way round
asp_conf() {	# $1: number to call
	cat <<EOC
log {
	level = notice
	category = { "DSIM=info" }
}
vty {
	port = $asp_vty
}
sip {
	listen = { "udp:127.0.0.1:5998" }
}
m3ua far {
	role = asp
	remote = "127.0.0.1:$m3ua_port"
	local-pc = 1
	adjacent-pc = 2
	routing-context = 1
	reset-on-active = false
}
trunk-group pstn {
	association = far
	dpc = 2
	cics = { "1-31" }
}
simulator {
	hold = 300
	originate = "$1"
	count = 1
}
EOC
}

"$bin/pstnsim" -c "$work/sg.conf" > "$work/sg.log" 2>&1 &
sg_pid=$!
track_pid $sg_pid
wait_port "$sg_vty" 100 || fail "the far pstnsim did not come up"

call() {	# number, expectations...
	number=$1
	shift
	asp_conf "$number" > "$work/asp.conf"
	expects=""
	for e in "$@"; do expects="$expects --expect $e"; done
	# shellcheck disable=SC2086
	timeout 30 "$bin/pstnsim" -c "$work/asp.conf" --exit-when-done $expects > "$work/asp.log" 2>&1 ||
		fail "call to $number: $(grep -h 'expectation\|pstnsim:' "$work/asp.log")"
	echo "ok: $number: $(grep '^pstnsim:' "$work/asp.log")"
}

call 990017 out=1 out_alerted=0 out_answered=0 released_by_peer=1 cause_17=1
call 991002 out=1 out_alerted=1 out_answered=0 released_by_peer=1 cause_19=1
call 4930111 out=1 out_alerted=1 out_answered=1 released=1 released_by_peer=0 cause_16=1

report=$(vty "$sg_vty" "show simulator")
for kv in in=3 in_answered=1 in_rejected=1 in_noanswer=1 released_by_peer=1 cause_16=1 active=0; do
	echo "$report" | grep -q " $kv\( \|\$\)" || fail "far end report lacks $kv: $report"
done
echo "ok: far end: $report"

# a wrong expectation makes pstnsim fail, naming it
asp_conf 990017 > "$work/asp.conf"
if timeout 30 "$bin/pstnsim" -c "$work/asp.conf" --exit-when-done --expect cause_17=2 > "$work/asp.log" 2>&1; then
	fail "pstnsim exited 0 with a failed expectation"
fi
grep -q "expectation failed: cause_17 is 1, expected 2" "$work/asp.log" || fail "no message for the failed expectation"
echo "ok: failed expectation reported and exit status 1"

kill -TERM "$sg_pid"
wait "$sg_pid" || fail "far pstnsim exit status $?"
untrack_pid "$sg_pid"
exit 0
