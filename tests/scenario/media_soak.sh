#!/bin/sh
# 1,000 sequential calls with media through mgcfd (issue 6, acceptance: "DSP objects and channels are freed with
# the call; 1,000 sequential calls leave no channel, port or memory behind"): sipp calls pstnsim through mgcfd one
# call at a time, each answered, carrying G.711 RTP from sipp's pcap for a short hold, then BYE.  A warm-up batch
# first; then, with everything idle, mgcfd's talloc total, its media threads' talloc blocks and its RSS are the
# baseline; then the rest of the calls.  Afterwards: every call succeeded, `show media` has no channel and no
# RTP port in use, `show calls` is empty, every CIC idle at both ends, one CDR line per call, RTP went both ways,
# and the memory came back to the baseline (talloc: within SOAK_TALLOC_SLACK octets, also pstnsim's; RSS within
# SOAK_RSS_SLACK KiB).
. "${top_srcdir}/tests/common/testlib.sh"

[ "$(id -u)" -eq 0 ] || { echo "sipp's play_pcap_audio needs root"; exit 77; }
[ -f /usr/share/sip-tester/g711a.pcap ] || { echo "sipp's g711a.pcap is not installed"; exit 77; }

WARMUP=${SOAK_WARMUP:-100}
CALLS=${SOAK_CALLS:-1000}
HOLD_MS=${SOAK_HOLD_MS:-60}
# a leak of one talloc block per call (>= 100 octets with its header) over the 900 calls would be >= 90,000
SOAK_TALLOC_SLACK=${SOAK_TALLOC_SLACK:-8192}
# (AddressSanitizer keeps freed memory in quarantine, up to 256 MiB: its RSS says nothing about leaks; LeakSanitizer
# checks at exit instead)
if [ "${SANITIZE:-}" = yes ]; then
	SOAK_RSS_SLACK=${SOAK_RSS_SLACK:-1000000}
else
	SOAK_RSS_SLACK=${SOAK_RSS_SLACK:-1024}
fi

# the SIP transactions' absorbing timers (J, L: 64*T1) keep each call's last transactions for 32 s: shortened so
# that the memory is measured with nothing of the calls left
IW_SIP_TIMERS='"J=1s", "L=1s", "I=1s", "K=1s"'
IW_ANSWER_DELAY=0
. "${top_srcdir}/tests/scenario/iw_lib.sh"

# talloc total of mgcfd (or of the program on VTY port $1)
talloc_total() {
	vty "${1:-$mgcf_vty}" "show talloc-context application brief" | sed -n 's/.*(total \([0-9]*\) bytes.*/\1/p'
}
thread_blocks() { vty "$mgcf_vty" "show media" | sed -n 's/^talloc blocks in the media threads //p'; }
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$mgcf_pid/status"; }
rtp_counts() { vty "$mgcf_vty" "show media" | sed -n 's/^RTP rx \([0-9]*\) tx \([0-9]*\),.*/\1 \2/p'; }
# idle, and the talloc total the same three times in a row, 0.5 s apart (timers of the last calls have run)
_last=
stable() {
	_t=$(talloc_total)
	[ -n "$_t" ] && [ "$_t" = "$_last" ] && [ "$_t" = "$_prev" ] && return 0
	_prev=$_last
	_last=$_t
	return 1
}
quiet() {
	settled_total "" "$1"
	until_ok 150 eval 'sleep 0.4; stable' || fail "$1: mgcfd's talloc total does not settle"
}

calls() {	# $1 calls, $2 what
	sipp -sf "$xml/media_uac_soak.xml" -s +4930123456 -i 127.0.0.1 -p "$sipp_port" -m "$1" -l 1 -r 1000 \
	     -d "$HOLD_MS" -recv_timeout 10000 -timeout 300 -timeout_error -trace_err \
	     -error_file "$work/sipp_err.log" -mp "$sipp_mp" "127.0.0.1:$sip_port" > "$work/sipp_$2.log" 2>&1 ||
		fail "$2: sipp failed: $(grep -E 'Successful call|Failed call' "$work/sipp_$2.log" | tail -2)" \
		     "$(grep -m 10 -E 'ERROR|FATAL' "$work/mgcfd.log")"
	grep -E "^ +Successful call" "$work/sipp_$2.log" | tail -1 | grep -q " $1 *$" ||
		fail "$2: not $1 successful calls:" "$(grep -E 'Successful call|Failed call' "$work/sipp_$2.log" | tail -2)"
}

iw_start
start=$(date +%s)
calls "$WARMUP" warmup
quiet "warm-up"
base_talloc=$(talloc_total)
base_sim=$(talloc_total "$sim_vty")
base_blocks=$(thread_blocks)
base_rss=$(rss_kib)
set -- $(rtp_counts)
base_rx=$1
base_tx=$2
echo "warm-up: $WARMUP calls; mgcfd: talloc $base_talloc octets, media threads $base_blocks blocks," \
     "RSS $base_rss KiB;" \
     "pstnsim: talloc $base_sim octets"

calls $((CALLS - WARMUP)) run
quiet "$CALLS calls"
elapsed=$(($(date +%s) - start))
[ "$(cdr_lines)" -eq "$CALLS" ] || fail "$(cdr_lines) CDR lines for $CALLS calls"
[ "$(grep -v '^#' "$work/cdr.log" | awk -F, '$4 == "sip2isup" && $9 == 16 && $10 == "sip" && $2 != ""' | wc -l)" \
	-eq "$CALLS" ] || fail "CDR lines that are not answered sip2isup calls released by SIP with cause 16"
set -- $(rtp_counts)
rx=$(($1 - base_rx))
tx=$(($2 - base_tx))
n=$((CALLS - WARMUP))
# each call had its hold of RTP each way (20 ms packets): at least one packet per call each way, on average
[ "$rx" -ge "$n" ] && [ "$tx" -ge "$n" ] || fail "RTP over $n calls: rx $rx, tx $tx packets"
echo "ok: $CALLS calls in ${elapsed} s, all answered and released; $n after the warm-up carried RTP rx $rx, tx $tx"
echo "ok: $(vty "$mgcf_vty" "show media" | head -1); no call, all CICs idle at both ends"

talloc=$(talloc_total)
blocks=$(thread_blocks)
rss=$(rss_kib)
sim=$(talloc_total "$sim_vty")
echo "after: talloc $talloc octets ($((talloc - base_talloc))), media threads $blocks blocks" \
     "($((blocks - base_blocks)))," \
     "RSS $rss KiB ($((rss - base_rss))); pstnsim: talloc $sim octets ($((sim - base_sim)))"
[ $((sim - base_sim)) -le "$SOAK_TALLOC_SLACK" ] || fail "pstnsim's talloc total grew by $((sim - base_sim)) octets"
[ $((talloc - base_talloc)) -le "$SOAK_TALLOC_SLACK" ] ||
	fail "mgcfd's talloc total grew by $((talloc - base_talloc)) octets over $n calls"
[ "$blocks" -le "$base_blocks" ] || fail "the media threads hold $((blocks - base_blocks)) more talloc blocks"
[ $((rss - base_rss)) -le "$SOAK_RSS_SLACK" ] || fail "mgcfd's RSS grew by $((rss - base_rss)) KiB over $n calls"
echo "ok: mgcfd's memory did not grow over $n calls (talloc within $SOAK_TALLOC_SLACK octets, RSS within" \
     "$SOAK_RSS_SLACK KiB)"
iw_stop
exit 0
