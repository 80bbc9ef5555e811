# The frame of the scenarios through mgcfd (iw_*.sh, media_dtmf/ringback/soak.sh, mgcfd_pstnsim.sh): pstnsim <->
# mgcfd <-> sipp on free loopback ports, the shipped configurations rewritten onto them (with the bearer, CESoPSN
# spans, between the two), and the checks run after every call.
# Source after testlib.sh (it calls scenario_init); then either `iw_start [SED-EXPRESSION...]` (extra sed
# expressions for mgcfd.conf), or iw_configs, edits of $work/pstnsim.conf / $work/mgcfd.conf, and iw_start; the
# scenarios; iw_stop.
#   ports: sim_vty, mgcf_vty, sip_port (mgcfd's SIP), ims_port (where mgcfd sends INVITEs), sipp_port, rtp_base
#   (mgcfd's RTP range: +0 .. +399; pstnsim's +400 .. +499), sipp_mp (sipp's media ports: rtp_base + 500 .. +999)
# Before iw_configs/iw_start, optionally: IW_ANSWER_DELAY (pstnsim's, ms), IW_SIM_HOLD (pstnsim releases answered
# calls after it, ms), IW_SIM_EXTRA (lines for pstnsim's simulator section), IW_TONE_PLAN and IW_LAW (both trunk
# groups'), IW_SIP_TIMERS (more SIP timers for mgcfd: '"J=1s", ...').
# IW_NO_SIPP=1: for scripts that use no sipp (mgcfd_pstnsim.sh).
[ -n "$IW_NO_SIPP" ] || command -v sipp > /dev/null || { echo "sipp (sip-tester) is not installed"; exit 77; }

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
# to 503, cause 47: no media channel), and nothing is given out above it.  A window of IW_RTP_WINDOW in which
# nothing is bound now, small enough for several scenarios side by side (make -j).
IW_RTP_WINDOW=1000
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

# $work/pstnsim.conf and $work/mgcfd.conf: conf/ on the free ports, the CDRs in $work/cdr.log
iw_configs() {
	# the default ports end at a non-digit: a free port put in by one expression (50809) must not be taken for
	# a default one (5080) by the next
	sed -e "s/127\.0\.0\.1:2905\([^0-9]\)/127.0.0.1:$m3ua_port\1/" -e "s/port = 4281/port = $sim_vty/" \
	    -e "s/127\.0\.0\.1:42000\([^0-9]\)/127.0.0.1:$span_a\1/" \
	    -e "s/127\.0\.0\.1:41000\([^0-9]\)/127.0.0.1:$span_b\1/" \
	    -e "s/answer-delay = 1000/answer-delay = ${IW_ANSWER_DELAY:-1000}/" \
	    -e "s/hold = 0/hold = ${IW_SIM_HOLD:-0}/" -e "s/udp:127\.0\.0\.1:5999\([^0-9]\)/udp:127.0.0.1:$(free_port)\1/" \
	    -e "s/18000-18999/$((rtp_base + 400))-$((rtp_base + 499))/" \
	    -e "s/law = alaw/law = ${IW_LAW:-alaw}\n\ttone-plan = ${IW_TONE_PLAN:-itu}/" \
	    "${top_srcdir}/conf/pstnsim.conf" |
		awk -v extra="${IW_SIM_EXTRA:-}" '{ print } /^simulator {/ && extra != "" { print extra }' \
		> "$work/pstnsim.conf"
	sed -e "s/127\.0\.0\.1:2905\([^0-9]\)/127.0.0.1:$m3ua_port\1/" -e "s/port = 4280/port = $mgcf_vty/" \
	    -e "s/127\.0\.0\.1:5060\([^0-9]\)/127.0.0.1:$sip_port\1/g" \
	    -e "s/127\.0\.0\.1:5080\([^0-9]\)/127.0.0.1:$ims_port\1/g" \
	    -e "s|/tmp/mgcfd-cdr.log|$work/cdr.log|" -e "s/16000-16999/$rtp_base-$((rtp_base + 399))/" \
	    -e "s/127\.0\.0\.1:42000\([^0-9]\)/127.0.0.1:$span_a\1/" \
	    -e "s/127\.0\.0\.1:41000\([^0-9]\)/127.0.0.1:$span_b\1/" \
	    -e "s/tone-plan = itu/tone-plan = ${IW_TONE_PLAN:-itu}/" -e "s/law = alaw/law = ${IW_LAW:-alaw}/" \
	    -e "s/sip = { \"T1=500ms\" }/sip = { \"T1=500ms\"${IW_SIP_TIMERS:+, $IW_SIP_TIMERS} }/" \
	    "${top_srcdir}/conf/mgcfd.conf" > "$work/mgcfd.conf"
	iw_configured=1
}

# iw_start [SED-EXPRESSION...]: start pstnsim and mgcfd, on the configurations iw_configs wrote (and the caller
# edited) since the last start, else on fresh ones edited by the expressions; return once the association is active
# and every circuit idle at both ends.  Their logs: $work/pstnsim$IW_LOG_SUFFIX.log, $work/mgcfd$IW_LOG_SUFFIX.log.
iw_start() {
	if [ $# -gt 0 ] || [ -z "${iw_configured:-}" ]; then
		iw_configs
		printf '%s\n' "$@" > "$work/extra.sed"
		sed -i -f "$work/extra.sed" "$work/mgcfd.conf"
	fi
	"$bin/pstnsim" -c "$work/pstnsim.conf" > "$work/pstnsim${IW_LOG_SUFFIX:-}.log" 2>&1 &
	sim_pid=$!
	track_pid "$sim_pid"
	wait_port "$sim_vty" 100 || fail "pstnsim VTY never came up"
	"$bin/mgcfd" -c "$work/mgcfd.conf" > "$work/mgcfd${IW_LOG_SUFFIX:-}.log" 2>&1 &
	mgcf_pid=$!
	track_pid "$mgcf_pid"
	wait_port "$mgcf_vty" 100 || fail "mgcfd VTY never came up"
	until_ok 100 active "$mgcf_vty" || fail "association not active at mgcfd"
	until_ok 100 all_idle "$mgcf_vty" || fail "circuits not idle after GRS at mgcfd"
	until_ok 100 all_idle "$sim_vty" || fail "circuits not idle after GRS at pstnsim"
	iw_configured=
	n=$(cdr_lines)
	ncdr=$n
}
# Stop both; each must exit cleanly.
iw_stop() {
	kill -TERM "$mgcf_pid"
	wait "$mgcf_pid" || fail "mgcfd exit status $?"
	untrack_pid "$mgcf_pid"
	kill -TERM "$sim_pid"
	wait "$sim_pid" || fail "pstnsim exit status $?"
	untrack_pid "$sim_pid"
}

no_calls() { vty "$mgcf_vty" "show calls" | tail -1 | grep -q "^0 call(s)"; }
# pstnsim's report has KEY=VALUE ("cause_17=2")
sim_has() { vty "$sim_vty" "show simulator" | grep -Eq "(^| )$1( |$)"; }
# The value of a pstnsim report key, 0 when absent (cause_N are listed once non-zero)
sim_val() {
	_v=$(vty "$sim_vty" "show simulator" | tr ' ' '\n' | sed -n "s/^$1=//p")
	echo "${_v:-0}"
}
cdr_lines() { grep -vc '^#' "$work/cdr.log" 2>/dev/null || true; }
cdr_count_is() { [ "$(cdr_lines)" -eq "$1" ]; }

sim_is() { [ "$(sim_val "$1")" -eq "$2" ]; }
# busy_is PORT N: N circuits not idle (busy, blocked or with something pending), as all_idle counts them
busy_is() {
	[ "$(vty "$1" "show isup circuits" | awk 'NR > 1 && ($3 != "IDLE" || NF > 7) { n++ } END { print n + 0 }')" \
	  -eq "$2" ]
}

# mgcfd's media plane: no channel left and no RTP port in use
media_idle() { vty "$mgcf_vty" "show media" | grep -q "^channels 0, RTP ports in use 0,"; }

# settled_total N WHAT: after a scenario: no call left, every circuit idle at both ends, no media channel or RTP
# port at mgcfd and no media channel at pstnsim, N CDR lines in all (not checked when N is empty)
settled_total() {
	[ -z "$1" ] || ncdr=$1
	until_ok 150 no_calls || fail "$2: calls left: $(vty "$mgcf_vty" "show calls")"
	until_ok 150 all_idle "$mgcf_vty" ||
		fail "$2: circuits not idle at mgcfd: $(vty "$mgcf_vty" "show isup circuits")"
	until_ok 150 all_idle "$sim_vty" ||
		fail "$2: circuits not idle at pstnsim: $(vty "$sim_vty" "show isup circuits")"
	until_ok 150 media_idle || fail "$2: media not idle at mgcfd: $(vty "$mgcf_vty" "show media")"
	until_ok 100 sim_has "media_channels=0" || fail "$2: media channels left at pstnsim"
	[ -z "$1" ] || until_ok 50 cdr_count_is "$ncdr" || fail "$2: $(cdr_lines) CDR lines, expected $ncdr"
}
# settled WHAT [CALLS]: the same after a scenario of CALLS calls (default 1): one more CDR line per call
settled() { settled_total $((ncdr + ${2:-1})) "$1"; }

# The CDR line $1 from the end (1: the last): start,answer,end,direction,trunk,cic,calling,called,cause,released_by,
# duration; $2 direction, $3 cause, $4 released by, $5 answered yes/no, $6 (optional) CIC.
cdr_line_has() {
	echo "$1" | awk -F, -v d="$2" -v cause="$3" -v by="$4" -v ans="$5" -v cic="${6:-any}" \
		'$4 == d && $9 == cause && $10 == by && (ans == "yes" ? $2 != "" : $2 == "") &&
		 (cic == "any" || $6 == cic) { ok = 1 } END { exit !ok }' ||
		fail "CDR line '$1' is not $2 cause $3 by $4 answered=$5 cic=${6:-any}"
}
cdr_nth_has() {
	_l=$(grep -v '^#' "$work/cdr.log" | tail -"$1" | head -1)
	shift
	cdr_line_has "$_l" "$@"
}
cdr_last_has() { cdr_nth_has 1 "$@"; }
# cdr_has CALLED DIRECTION CAUSE RELEASED_BY ANSWERED(yes|no): the CDR line of the last call to CALLED
cdr_has() {
	_l=$(grep -v '^#' "$work/cdr.log" | awk -F, -v n="$1" '$8 == n' | tail -1)
	shift
	cdr_line_has "$_l" "$@"
}

# Something has UDP port $1 bound (/proc/net/udp: local address HEXIP:HEXPORT in the second column).
udp_bound() {
	awk -v p="$(printf ':%04X' "$1")" 'substr($2, length($2) - 4) == p { f = 1 } END { exit !f }' /proc/net/udp
}

# A sipp UAS on the IMS next hop's port running $1 (more sipp options after it); returns once it listens.
# UAS_MP: its media port (default sipp_mp + 300).  UAS_TIMEOUT_S: the whole call's limit (default 60 s; half of it without a message fails too).
uas_start() {
	_sf=$1
	shift
	sipp -sf "$_sf" -i 127.0.0.1 -p "$ims_port" -m 1 -timeout "${UAS_TIMEOUT_S:-60}" -timeout_error \
	     -recv_timeout "$((${UAS_TIMEOUT_S:-60} * 500))" \
	     -mp "${UAS_MP:-$((sipp_mp + 300))}" -trace_err -error_file "$work/sipp_uas_err.log" "$@" > "$work/uas.out" 2>&1 &
	uas_pid=$!
	track_pid "$uas_pid"
	until_ok 100 udp_bound "$ims_port" || fail "the sipp UAS never listened: $(cat "$work/uas.out")"
}

# Wait for the UAS; it must have passed ($1 names the scenario).
uas_wait() {
	wait "$uas_pid" ||
		fail "$1: sipp UAS failed: $(tail -5 "$work/uas.out"; tail -20 "$work/sipp_uas_err.log" 2>/dev/null)"
	untrack_pid "$uas_pid"
}

# uac SCENARIO NUMBER [TIMEOUT-S] [NAME] [MEDIA-OFFSET]: one call from sipp; -recv_timeout fails a missing
# message.  NAME and MEDIA-OFFSET keep calls run side by side apart.
uac() {
	_t=${3:-15}
	_n=${4:-sipp}
	sipp -sf "$1" -s "$2" -i 127.0.0.1 -p "$(free_port)" -m 1 -recv_timeout $((_t * 1000)) -timeout $((_t * 2)) \
	     -timeout_error -trace_err -error_file "$work/${_n}_err.log" -mp "$((sipp_mp + ${5:-0}))" \
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

# pstnsim VTY command in enable mode
sim_cmd() {
	_out=$(vty "$sim_vty" "enable" "$@")
	case $_out in *%*) fail "pstnsim: '$*': $_out" ;; esac
}

# the CIC of pstnsim's (only) call in ISUP call state $1, or in any state without $1
sim_cic() {
	vty "$sim_vty" "show isup calls" |
		awk -v s="${1:-}" '$2 ~ /^[0-9]+$/ && (s == "" || $4 == s) { print $2; exit }'
}
sim_cic_show() { vty "$sim_vty" "show simulator cic pstn $1"; }
sim_cic_has() { sim_cic_show "$1" | grep -Eq -- "$2"; }

# uas_and_call SCENARIO PAUSE-MS: a sipp UAS (sipp -d PAUSE-MS) on the IMS side, then pstnsim calls it through
# mgcfd; uas_done WHAT waits for the UAS to end well.
uas_and_call() {
	UAS_TIMEOUT_S=90 UAS_MP=$sipp_mp uas_start "$1" -d "$2"
	sim_cmd "simulator call 4940999888"
}
uas_done() { uas_wait "$@"; }
