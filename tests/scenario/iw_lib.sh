# The frame of the interworking scenarios (iw_sip2isup.sh, iw_q850_sip.sh, iw_isup2sip.sh, iw_sip_q850.sh,
# iw_dual.sh, iw_admission.sh): pstnsim <-> mgcfd <-> sipp on free loopback ports, the shipped configurations
# rewritten onto them, and the checks run after every call.
# Source after testlib.sh; then either `iw_start [SED-EXPRESSION...]` (extra sed expressions for mgcfd.conf), or
# iw_configs, edits of $work/pstnsim.conf / $work/mgcfd.conf, and iw_start; the scenarios; iw_stop.
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
# below the ephemeral range the free ports come from, so that RTP ranges never hold a span port
rtp_base=$((10000 + $(od -An -N2 -tu2 /dev/urandom) % 4000 * 2))

# $work/pstnsim.conf and $work/mgcfd.conf: conf/ on the free ports, the CDRs in $work/cdr.log
iw_configs() {
	sed -e "s/127.0.0.1:2905/127.0.0.1:$m3ua_port/" -e "s/port = 4281/port = $sim_vty/" \
	    -e "s/127.0.0.1:42000/127.0.0.1:$span_a/" -e "s/127.0.0.1:41000/127.0.0.1:$span_b/" \
	    -e "s/udp:127.0.0.1:5999/udp:127.0.0.1:$(free_port)/" \
	    -e "s/18000-18999/$((rtp_base + 2000))-$((rtp_base + 2999))/" \
	    "${top_srcdir}/conf/pstnsim.conf" > "$work/pstnsim.conf"
	sed -e "s/127.0.0.1:2905/127.0.0.1:$m3ua_port/" -e "s/port = 4280/port = $mgcf_vty/" \
	    -e "s/127.0.0.1:5060/127.0.0.1:$sip_port/g" -e "s/127.0.0.1:5080/127.0.0.1:$ims_port/g" \
	    -e "s|/tmp/mgcfd-cdr.log|$work/cdr.log|" -e "s/16000-16999/$rtp_base-$((rtp_base + 999))/" \
	    -e "s/127.0.0.1:42000/127.0.0.1:$span_a/" -e "s/127.0.0.1:41000/127.0.0.1:$span_b/" \
	    "${top_srcdir}/conf/mgcfd.conf" > "$work/mgcfd.conf"
}

# iw_start [SED-EXPRESSION...]: start pstnsim and mgcfd (on fresh configurations edited by the expressions when
# some are given or none were written yet); return once the association is active and every circuit idle at both
# ends.
iw_start() {
	if [ $# -gt 0 ] || [ ! -f "$work/mgcfd.conf" ]; then
		iw_configs
		printf '%s\n' "$@" > "$work/extra.sed"
		sed -i -f "$work/extra.sed" "$work/mgcfd.conf"
	fi
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
	n=0
	ncdr=0
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

# settled_total N WHAT: after a scenario: no call left, every circuit idle at both ends, N CDR lines in all
settled_total() {
	ncdr=$1
	until_ok 150 no_calls || fail "$2: calls left: $(vty "$mgcf_vty" "show calls")"
	until_ok 150 all_idle "$mgcf_vty" ||
		fail "$2: circuits not idle at mgcfd: $(vty "$mgcf_vty" "show isup circuits")"
	until_ok 150 all_idle "$sim_vty" ||
		fail "$2: circuits not idle at pstnsim: $(vty "$sim_vty" "show isup circuits")"
	until_ok 50 cdr_count_is "$ncdr" || fail "$2: $(cdr_lines) CDR lines, expected $ncdr"
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
# UAS_TIMEOUT_S: the whole call's limit (default 60 s; half of it without a message fails too).
uas_start() {
	_sf=$1
	shift
	sipp -sf "$_sf" -i 127.0.0.1 -p "$ims_port" -m 1 -timeout "${UAS_TIMEOUT_S:-60}" -timeout_error \
	     -recv_timeout "$((${UAS_TIMEOUT_S:-60} * 500))" \
	     -mp "$((rtp_base + 3100))" -trace_err -error_file "$work/sipp_uas_err.log" "$@" > "$work/uas.out" 2>&1 &
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

# pstnsim VTY command in enable mode
sim_cmd() {
	_out=$(vty "$sim_vty" "enable" "$@")
	case $_out in *%*) fail "pstnsim: '$*': $_out" ;; esac
}
