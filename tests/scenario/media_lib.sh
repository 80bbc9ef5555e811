# Shared by media_audio.sh and media_cot.sh: the frame of iw_lib.sh (pstnsim and mgcfd on free ports of 127.0.0.1,
# the shipped configurations rewritten), with sipp and audiotool as the IMS side.  Source after testlib.sh.
. "${top_srcdir}/tests/scenario/iw_lib.sh"

audiotool="${top_builddir}/tests/scenario/audiotool"
ims_rtp=$(free_port)	# audiotool: a port the kernel gave nobody, not one of a range other jobs may use

# the CIC of mgcfd's (only) call
call_cic() { vty "$mgcf_vty" "show calls" | awk 'NR == 2 { print $4 }'; }
# the state of a circuit at mgcfd and the state of its call ("-" without): "IDLE -"
cic_state() {
	vty "$mgcf_vty" "show isup calls" | awk -v c="$1" '$2 == c { print $4; f = 1 } END { if (!f) print "-" }'
}

# after a scenario: no call, no media channel, every circuit idle at both ends (but those named in $2), $1 CDR lines
settled() {
	until_ok 100 no_calls || fail "calls left: $(vty "$mgcf_vty" "show calls")"
	until_ok 100 media_idle || fail "media channels left at mgcfd: $(vty "$mgcf_vty" "show media")"
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
	IW_LAW=$1
	IW_SIM_EXTRA=$3
	iw_configs
	awk -v extra="$2" '{ print } /^trunk-group pstn {/ { print extra }' "$work/mgcfd.conf" > "$work/mgcfd.conf.new"
	mv "$work/mgcfd.conf.new" "$work/mgcfd.conf"
	sed -i -e "${4:-s/^$//}" "$work/mgcfd.conf"
	sed -i -e "${5:-s/^$//}" "$work/pstnsim.conf"
	rm -f "$work/cdr.log"
	IW_LOG_SUFFIX=-$1 iw_start
}

media_stop() { iw_stop; }

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
