# The scaffolding of the interworking scenarios (iw_calls.sh, media_*.sh): pstnsim and mgcfd on the shipped
# configurations moved to free ports, with the bearer (CESoPSN span) between them and sipp as the IMS side.
# Source after testlib.sh; it calls scenario_init.
#   ports: sim_vty, mgcf_vty, sip_port (mgcfd's SIP), ims_port (where mgcfd sends INVITEs), sipp_port (sipp UAC's
#   SIP), rtp_base (mgcfd's RTP range starts there), sipp_mp (sipp's media port: rtp_base + 500; + 100 is free too)
# Before iw_start, optionally: IW_ANSWER_DELAY (pstnsim's, ms), IW_SIM_HOLD (pstnsim releases answered calls
# after it, ms), IW_SIM_EXTRA (lines for pstnsim's simulator section), IW_TONE_PLAN and IW_LAW (both trunk groups'),
# IW_SIP_TIMERS (more SIP timers for mgcfd: '"J=1s", ...').
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
sipp_port=$(free_port)
# RTP ranges outside the ephemeral range the free ports come from (so that they never hold a span port), above it:
# other tests and benchmarks on this machine bind blocks of ports below it (a soak run once lost 15 calls in a row
# to 503, cause 47: no media channel), and nothing is given out above it.  A window of 700 in which nothing is bound
# now, small enough for several scenarios side by side (make -j): mgcfd's rtp_base .. +399 (200 pairs: the soak's
# calls with the 10 s reuse quarantine need about 120), pstnsim's +400 .. +499 (its channels bind none), sipp's
# media ports from +500.
IW_RTP_WINDOW=700
eph_hi=$(awk '{ print $2 }' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 60999)
rtp_range_free() {
	ss -Hlun | awk -v lo="$1" -v hi="$(($1 + IW_RTP_WINDOW))" '{ sub(/.*:/, "", $4); p = $4 + 0 }
		p >= lo && p < hi { busy = 1 } END { exit busy }'
}
_i=0
while :; do
	if [ "$eph_hi" -le $((65535 - 2 * IW_RTP_WINDOW)) ]; then
		_r=$(od -An -N2 -tu2 /dev/urandom)
		rtp_base=$(((eph_hi + 2) / 2 * 2 + _r % ((65535 - IW_RTP_WINDOW - eph_hi) / 2) * 2))
	else
		rtp_base=$((10000 + $(od -An -N2 -tu2 /dev/urandom) % 9000 * 2))
	fi
	rtp_range_free "$rtp_base" && break
	_i=$((_i + 1))
	[ $_i -lt 50 ] || { echo "FAIL: no free RTP port range"; exit 1; }
done
sipp_mp=$((rtp_base + 500))

no_calls() { vty "$mgcf_vty" "show calls" | tail -1 | grep -q "^0 call(s)"; }
sim_has() { vty "$sim_vty" "show simulator" | grep -Eq "(^| )$1( |$)"; }
cdr_lines() { grep -vc '^#' "$work/cdr.log" 2>/dev/null || true; }
# mgcfd's media plane: no channel left and no RTP port in use
media_idle() { vty "$mgcf_vty" "show media" | grep -q "^channels 0, RTP ports in use 0,"; }
# the CIC of pstnsim's (only) call in ISUP call state $1, or in any state without $1
sim_cic() {
	vty "$sim_vty" "show isup calls" |
		awk -v s="${1:-}" '$2 ~ /^[0-9]+$/ && (s == "" || $4 == s) { print $2; exit }'
}
sim_cic_show() { vty "$sim_vty" "show simulator cic pstn $1"; }
sim_cic_has() { sim_cic_show "$1" | grep -Eq -- "$2"; }
# Something is bound to UDP port $1 (sipp listens on UDP only: the VTY probe cannot see it).
udp_bound() { ss -Hlun "sport = :$1" | grep -q .; }

# after a scenario ($1 names it): no call, every circuit idle at both ends, no media channel or RTP port at
# mgcfd, no media channel at pstnsim; with $2, that many CDR lines in all
settled() {
	until_ok 150 no_calls || fail "$1: calls left: $(vty "$mgcf_vty" "show calls")"
	until_ok 150 all_idle "$mgcf_vty" || fail "$1: circuits not idle at mgcfd"
	until_ok 150 all_idle "$sim_vty" || fail "$1: circuits not idle at pstnsim"
	until_ok 150 media_idle || fail "$1: media not idle at mgcfd: $(vty "$mgcf_vty" "show media")"
	until_ok 100 sim_has "media_channels=0" || fail "$1: media channels left at pstnsim"
	_cdr_want=${2:-}
	[ -z "$_cdr_want" ] || until_ok 50 eval '[ "$(cdr_lines)" -eq "$_cdr_want" ]' ||
		fail "$1: $(cdr_lines) CDR lines, expected $_cdr_want"
}

iw_start() {
	sed -e "s/127.0.0.1:2905/127.0.0.1:$m3ua_port/" -e "s/port = 4281/port = $sim_vty/" \
	    -e "s/127.0.0.1:42000/127.0.0.1:$span_a/" -e "s/127.0.0.1:41000/127.0.0.1:$span_b/" \
	    -e "s/answer-delay = 1000/answer-delay = ${IW_ANSWER_DELAY:-1000}/" \
	    -e "s/hold = 0/hold = ${IW_SIM_HOLD:-0}/" -e "s/udp:127.0.0.1:5999/udp:127.0.0.1:$(free_port)/" \
	    -e "s/18000-18999/$((rtp_base + 400))-$((rtp_base + 499))/" \
	    -e "s/law = alaw/law = ${IW_LAW:-alaw}\n\ttone-plan = ${IW_TONE_PLAN:-itu}/" \
	    "${top_srcdir}/conf/pstnsim.conf" |
		awk -v extra="${IW_SIM_EXTRA:-}" '{ print } /^simulator {/ && extra != "" { print extra }' \
		> "$work/pstnsim.conf"
	sed -e "s/127.0.0.1:2905/127.0.0.1:$m3ua_port/" -e "s/port = 4280/port = $mgcf_vty/" \
	    -e "s/127.0.0.1:5060/127.0.0.1:$sip_port/g" -e "s/127.0.0.1:5080/127.0.0.1:$ims_port/g" \
	    -e "s|/tmp/mgcfd-cdr.log|$work/cdr.log|" -e "s/16000-16999/$rtp_base-$((rtp_base + 399))/" \
	    -e "s/127.0.0.1:42000/127.0.0.1:$span_a/" -e "s/127.0.0.1:41000/127.0.0.1:$span_b/" \
	    -e "s/tone-plan = itu/tone-plan = ${IW_TONE_PLAN:-itu}/" -e "s/law = alaw/law = ${IW_LAW:-alaw}/" \
	    -e "s/sip = { \"T1=500ms\" }/sip = { \"T1=500ms\"${IW_SIP_TIMERS:+, $IW_SIP_TIMERS} }/" \
	    "${top_srcdir}/conf/mgcfd.conf" > "$work/mgcfd.conf"
	"$bin/pstnsim" -c "$work/pstnsim.conf" > "$work/pstnsim.log" 2>&1 &
	sim_pid=$!
	track_pid "$sim_pid"
	wait_port "$sim_vty" 100 || fail "pstnsim VTY never came up"
	"$bin/mgcfd" -c "$work/mgcfd.conf" > "$work/mgcfd.log" 2>&1 &
	mgcf_pid=$!
	track_pid "$mgcf_pid"
	wait_port "$mgcf_vty" 100 || fail "mgcfd VTY never came up"
	until_ok 150 active "$mgcf_vty" || fail "association not active at mgcfd"
	until_ok 150 all_idle "$mgcf_vty" || fail "circuits not idle after GRS at mgcfd"
	until_ok 150 all_idle "$sim_vty" || fail "circuits not idle after GRS at pstnsim"
}

# Stop both; each must exit 0.
iw_stop() {
	kill -TERM "$mgcf_pid"
	wait "$mgcf_pid" || fail "mgcfd exit status $?"
	untrack_pid "$mgcf_pid"
	kill -TERM "$sim_pid"
	wait "$sim_pid" || fail "pstnsim exit status $?"
	untrack_pid "$sim_pid"
}

# A sipp UAS ($1: its scenario, $2: sipp -d, the pause it makes) in the background (uas_pid), then pstnsim calls
# it through mgcfd.
uas_and_call() {
	sipp -sf "$1" -i 127.0.0.1 -p "$ims_port" -m 1 -d "$2" -timeout 90 -timeout_error -trace_err \
	     -error_file "$work/sipp_uas_err.log" -mp "$sipp_mp" > "$work/sipp_uas.log" 2>&1 &
	uas_pid=$!
	track_pid "$uas_pid"
	until_ok 100 udp_bound "$ims_port" || fail "the sipp UAS does not listen"
	vty "$sim_vty" "enable" "simulator call 4940999888" > /dev/null
}
# Wait for the UAS to end well.
uas_done() {
	wait "$uas_pid" || fail "$1: sipp UAS failed: $(tail -5 "$work/sipp_uas.log")"
	untrack_pid "$uas_pid"
}
