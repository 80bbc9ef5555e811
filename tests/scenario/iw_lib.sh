# Shared set-up of the sip2isup scenario scripts (iw_sip2isup.sh, iw_q850_sip.sh): pstnsim and mgcfd on the shipped
# configurations moved to free ports, sipp as the IMS side, and the checks run after every call.
# Source after testlib.sh; then `iw_start [SED-EXPRESSION...]` (extra sed expressions for mgcfd.conf).
command -v sipp > /dev/null || { echo "sipp (sip-tester) is not installed"; exit 77; }

bin="${top_builddir}/src"
xml="${top_srcdir}/tests/scenario/sipp"
scenario_init

m3ua_port=$(free_port)
sim_vty=$(free_port)
mgcf_vty=$(free_port)
sip_port=$(free_port)
ims_port=$(free_port)
span_a=$(free_port)
span_b=$(free_port)
# below the ephemeral range the free ports come from, so that RTP ranges never hold a span port
rtp_base=$((10000 + $(od -An -N2 -tu2 /dev/urandom) % 4000 * 2))

# iw_start [SED-EXPRESSION...]: write both configurations, start pstnsim and mgcfd, wait for the circuits
iw_start() {
	sed -e "s/127.0.0.1:2905/127.0.0.1:$m3ua_port/" -e "s/port = 4281/port = $sim_vty/" \
	    -e "s/127.0.0.1:42000/127.0.0.1:$span_a/" -e "s/127.0.0.1:41000/127.0.0.1:$span_b/" \
	    -e "s/udp:127.0.0.1:5999/udp:127.0.0.1:$(free_port)/" \
	    -e "s/18000-18999/$((rtp_base + 2000))-$((rtp_base + 2999))/" \
	    "${top_srcdir}/conf/pstnsim.conf" > "$work/pstnsim.conf"
	printf '%s\n' "$@" > "$work/extra.sed"
	sed -e "s/127.0.0.1:2905/127.0.0.1:$m3ua_port/" -e "s/port = 4280/port = $mgcf_vty/" \
	    -e "s/127.0.0.1:5060/127.0.0.1:$sip_port/g" -e "s/127.0.0.1:5080/127.0.0.1:$ims_port/g" \
	    -e "s|/tmp/mgcfd-cdr.log|$work/cdr.log|" -e "s/16000-16999/$rtp_base-$((rtp_base + 999))/" \
	    -e "s/127.0.0.1:42000/127.0.0.1:$span_a/" -e "s/127.0.0.1:41000/127.0.0.1:$span_b/" \
	    "${top_srcdir}/conf/mgcfd.conf" | sed -f "$work/extra.sed" > "$work/mgcfd.conf"

	"$bin/pstnsim" -c "$work/pstnsim.conf" > "$work/pstnsim.log" 2>&1 &
	sim_pid=$!
	track_pid "$sim_pid"
	wait_port "$sim_vty" 100 || fail "pstnsim VTY never came up"
	"$bin/mgcfd" -c "$work/mgcfd.conf" > "$work/mgcfd.log" 2>&1 &
	mgcf_pid=$!
	track_pid "$mgcf_pid"
	wait_port "$mgcf_vty" 100 || fail "mgcfd VTY never came up"
	until_ok 100 active "$mgcf_vty" || fail "association not active at mgcfd"
	until_ok 100 all_idle "$mgcf_vty" || fail "circuits not idle after GRS at mgcfd"
	until_ok 100 all_idle "$sim_vty" || fail "circuits not idle after GRS at pstnsim"
	ncdr=0
}

# Stop both and check their exit status.
iw_stop() {
	kill -TERM "$mgcf_pid"
	wait "$mgcf_pid" || fail "mgcfd exit status $?"
	untrack_pid "$mgcf_pid"
	kill -TERM "$sim_pid"
	wait "$sim_pid" || fail "pstnsim exit status $?"
	untrack_pid "$sim_pid"
}

no_calls() { vty "$mgcf_vty" "show calls" | tail -1 | grep -q "^0 call(s)"; }
# sim_count KEY: a pstnsim counter (0 when not listed, as cause_N are until they happen)
sim_count() {
	vty "$sim_vty" "show simulator" | tr ' ' '\n' | sed -n "s/^$1=\([0-9]*\)$/\1/p" | grep . || echo 0
}
sim_is() { [ "$(sim_count "$1")" -eq "$2" ]; }
# busy_is PORT N: N circuits not idle (busy, blocked or with something pending), as all_idle counts them
busy_is() {
	[ "$(vty "$1" "show isup circuits" | awk 'NR > 1 && ($3 != "IDLE" || NF > 7) { n++ } END { print n + 0 }')" \
	  -eq "$2" ]
}
cdr_count() { grep -vc '^#' "$work/cdr.log" 2>/dev/null || true; }

# settled WHAT [CALLS]: after a scenario of CALLS calls (default 1): no call left, every circuit idle at both
# ends, one more CDR line per call
settled() {
	ncdr=$((ncdr + ${2:-1}))
	until_ok 100 no_calls || fail "$1: calls left: $(vty "$mgcf_vty" "show calls")"
	until_ok 100 all_idle "$mgcf_vty" || fail "$1: circuits not idle at mgcfd"
	until_ok 100 all_idle "$sim_vty" || fail "$1: circuits not idle at pstnsim"
	until_ok 50 sh -c "[ \$(grep -vc '^#' '$work/cdr.log') -eq $ncdr ]" ||
		fail "$1: $(cdr_count) CDR lines, expected $ncdr"
}

# cdr_has CALLED DIRECTION CAUSE RELEASED_BY ANSWERED(yes|no): the CDR line of the call to CALLED
# (start,answer,end,direction,trunk,cic,calling,called,cause,released_by,duration)
cdr_has() {
	_l=$(grep -v '^#' "$work/cdr.log" | awk -F, -v n="$1" '$8 == n' | tail -1)
	echo "$_l" | awk -F, -v d="$2" -v cause="$3" -v by="$4" -v ans="$5" \
		'$4 == d && $9 == cause && $10 == by && (ans == "yes" ? $2 != "" : $2 == "") { ok = 1 }
		 END { exit !ok }' ||
		fail "CDR line of $1 '$_l' is not $2 cause $3 by $4 answered=$5"
}

# uac SCENARIO NUMBER [TIMEOUT-S] [NAME] [MEDIA-OFFSET]: one call from sipp; -recv_timeout fails a missing
# message.  NAME and MEDIA-OFFSET keep calls run side by side apart.
uac() {
	_t=${3:-15}
	_n=${4:-sipp}
	sipp -sf "$1" -s "$2" -i 127.0.0.1 -p "$(free_port)" -m 1 -recv_timeout $((_t * 1000)) -timeout $((_t * 2)) \
	     -timeout_error -trace_err -error_file "$work/${_n}_err.log" -mp "$((rtp_base + 3000 + ${5:-0}))" \
	     "127.0.0.1:$sip_port" > "$work/$_n.out" 2>&1
}

# scenario_xml NAME SED-EXPRESSION...: the path of a copy of sipp/NAME.xml with its @KEY@ placeholders filled in
scenario_xml() {
	_src="$xml/$1.xml"
	_dst="$work/$1-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ').xml"
	shift
	printf '%s\n' "$@" > "$_dst.sed"
	sed -f "$_dst.sed" "$_src" > "$_dst"
	echo "$_dst"
}
