# Shared by the media_*.sh tests: pstnsim and mgcfd on free ports of 127.0.0.1 (the shipped configurations
# rewritten with sed), sipp and audiotool as the IMS side.  Source after testlib.sh.
command -v sipp > /dev/null || { echo "sipp (sip-tester) is not installed"; exit 77; }

bin="${top_builddir}/src"
xml="${top_srcdir}/tests/scenario/sipp"
audiotool="${top_builddir}/tests/scenario/audiotool"
scenario_init
sim_pid=
mgcf_pid=

m3ua_port=$(free_port)
sim_vty=$(free_port)
mgcf_vty=$(free_port)
sip_port=$(free_port)
ims_port=$(free_port)
span_a=$(free_port)
span_b=$(free_port)
sipp_port=$(free_port)
# below the ephemeral range the free ports come from, so that RTP ranges never hold a span port
rtp_base=$((10000 + $(od -An -N2 -tu2 /dev/urandom) % 4000 * 2))
sipp_mp=$((rtp_base + 3100))	# sipp's own media port (unused by the scenarios, bound all the same)
ims_rtp=$(free_port)	# audiotool: a port the kernel gave nobody, not one of a range other jobs may use

no_calls() { vty "$mgcf_vty" "show calls" | tail -1 | grep -q "^0 call(s)"; }
sim_has() { vty "$sim_vty" "show simulator" | grep -Eq "(^| )$1( |$)"; }
no_channels() { vty "$mgcf_vty" "show media" | grep -q "^channels 0,"; }
# the CIC of mgcfd's (only) call
call_cic() { vty "$mgcf_vty" "show calls" | awk 'NR == 2 { print $4 }'; }
# the state of a circuit at mgcfd and the state of its call ("-" without): "IDLE -"
cic_state() {
	vty "$mgcf_vty" "show isup calls" | awk -v c="$1" '$2 == c { print $4; f = 1 } END { if (!f) print "-" }'
}

# after a scenario: no call, no media channel, every circuit idle at both ends (but those named in $2), $1 CDR lines
settled() {
	until_ok 100 no_calls || fail "calls left: $(vty "$mgcf_vty" "show calls")"
	until_ok 100 no_channels || fail "media channels left at mgcfd: $(vty "$mgcf_vty" "show media")"
	until_ok 100 idle_but "$mgcf_vty" "${2:-}" ||
		fail "circuits not idle at mgcfd: $(vty "$mgcf_vty" "show isup circuits")"
	until_ok 100 idle_but "$sim_vty" "${2:-}" || fail "circuits not idle at pstnsim"
	until_ok 50 sh -c "[ \$(grep -vc '^#' '$work/cdr.log') -eq $1 ]" ||
		fail "$(grep -vc '^#' "$work/cdr.log") CDR lines, expected $1"
}
# all_idle, except the CICs listed in $2 (space separated)
idle_but() {
	vty "$1" "show isup circuits" | awk -v skip=" $2 " \
		'NR > 1 && index(skip, " " $2 " ") == 0 && ($3 != "IDLE" || NF > 7) { bad = 1 } END { exit bad }'
}

# media_start LAW MGCF_TRUNK_LINES SIM_LINES [MGCF_SED [SIM_SED]]: both programs on trunk law LAW, with extra lines in
# mgcfd's trunk group and pstnsim's simulator section and an extra sed expression for each file; returns once the
# association is up and every circuit idle
media_start() {
	sed -e "s/127.0.0.1:2905/127.0.0.1:$m3ua_port/" -e "s/port = 4281/port = $sim_vty/" \
	    -e "s/127.0.0.1:42000/127.0.0.1:$span_a/" -e "s/127.0.0.1:41000/127.0.0.1:$span_b/" \
	    -e "s/udp:127.0.0.1:5999/udp:127.0.0.1:$(free_port)/" -e "s/law = alaw/law = $1/" \
	    -e "s/18000-18999/$((rtp_base + 2000))-$((rtp_base + 2999))/" -e "${5:-s/^$//}" \
	    "${top_srcdir}/conf/pstnsim.conf" | awk -v extra="$3" '{ print } /^simulator {/ { print extra }' \
		> "$work/pstnsim.conf"
	sed -e "s/127.0.0.1:2905/127.0.0.1:$m3ua_port/" -e "s/port = 4280/port = $mgcf_vty/" \
	    -e "s/127.0.0.1:5060/127.0.0.1:$sip_port/g" -e "s/127.0.0.1:5080/127.0.0.1:$ims_port/g" \
	    -e "s|/tmp/mgcfd-cdr.log|$work/cdr.log|" -e "s/16000-16999/$rtp_base-$((rtp_base + 999))/" \
	    -e "s/127.0.0.1:42000/127.0.0.1:$span_a/" -e "s/127.0.0.1:41000/127.0.0.1:$span_b/" \
	    -e "s/law = alaw/law = $1/" -e "${4:-s/^$//}" \
	    "${top_srcdir}/conf/mgcfd.conf" | awk -v extra="$2" '{ print } /^trunk-group pstn {/ { print extra }' \
		> "$work/mgcfd.conf"
	rm -f "$work/cdr.log"
	"$bin/pstnsim" -c "$work/pstnsim.conf" > "$work/pstnsim-$1.log" 2>&1 &
	sim_pid=$!
	track_pid "$sim_pid"
	wait_port "$sim_vty" 100 || fail "pstnsim VTY never came up"
	"$bin/mgcfd" -c "$work/mgcfd.conf" > "$work/mgcfd-$1.log" 2>&1 &
	mgcf_pid=$!
	track_pid "$mgcf_pid"
	wait_port "$mgcf_vty" 100 || fail "mgcfd VTY never came up"
	until_ok 100 active "$mgcf_vty" || fail "association not active at mgcfd"
	until_ok 100 all_idle "$mgcf_vty" || fail "circuits not idle after GRS at mgcfd"
	until_ok 100 all_idle "$sim_vty" || fail "circuits not idle after GRS at pstnsim"
}

media_stop() {
	kill -TERM "$mgcf_pid"
	wait "$mgcf_pid" || fail "mgcfd exit status $?"
	untrack_pid "$mgcf_pid"
	kill -TERM "$sim_pid"
	wait "$sim_pid" || fail "pstnsim exit status $?"
	untrack_pid "$sim_pid"
}

# uac SCENARIO NUMBER PT CODEC HOLD_MS [sipp options]: one sip2isup call from the media UAC; the answer's port goes to
# $work/peer
uac() {
	_sf=$1 _num=$2 _pt=$3 _codec=$4 _hold=$5
	shift 5
	rm -f "$work/peer"
	sed -e "s/@RTPPORT@/$ims_rtp/" -e "s/@PT@/$_pt/g" -e "s/@CODEC@/$_codec/" -e "s/@HOLD@/$_hold/" \
	    -e "s|@PEERFILE@|$work/peer|" "$_sf" > "$work/uac.xml"
	sipp -sf "$work/uac.xml" -s "$_num" -i 127.0.0.1 -p "$sipp_port" -mp "$sipp_mp" -m 1 -recv_timeout 15000 \
	     -timeout 60 -timeout_error -trace_err -error_file "$work/sipp_err.log" "$@" "127.0.0.1:$sip_port" \
	     > "$work/sipp.out" 2>&1
}
