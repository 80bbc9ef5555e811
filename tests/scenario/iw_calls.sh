#!/bin/sh
# Interworking calls: sipp <-> mgcfd <-> pstnsim on loopback (issue "Interworking core"):
#  - sip2isup: answered and released by BYE; with preconditions (IAM + COT); CANCEL while ringing (REL cause 31);
#    answered and released by REL (pstnsim's hold: BYE with Reason Q.850 cause 16); ringing without answer
#    (991SSS: pstnsim's cause 19 -> 480) (every row of the Q.850 -> SIP table: iw_q850_sip.sh);
#  - isup2sip: pstnsim originates, sipp answers (pstnsim counts the answer); the rejections by the IMS (rows of
#    the SIP -> Q.850 table) are in iw_sip_q850.sh;
#  - after every scenario: `show calls` empty, every CIC idle at both ends, and the CDR file has the right lines.
. "${top_srcdir}/tests/common/testlib.sh"

command -v sipp > /dev/null || { echo "sipp (sip-tester) is not installed"; exit 77; }

bin="${top_builddir}/src"
xml="${top_srcdir}/tests/scenario/sipp"
work=$(mktemp -d)
sim_pid=
mgcf_pid=
uas_pid=
cleanup() {
	[ -n "$uas_pid" ] && kill -9 "$uas_pid" 2>/dev/null
	[ -n "$sim_pid" ] && kill -9 "$sim_pid" 2>/dev/null
	[ -n "$mgcf_pid" ] && kill -9 "$mgcf_pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
fail() {
	echo "FAIL: $*"
	for f in "$work"/*.log; do echo "--- $f"; tail -40 "$f"; done
	exit 1
}

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

# the shipped configurations on free ports; pstnsim releases answered calls after 3 s (the REL cases)
sed -e "s/127.0.0.1:2905/127.0.0.1:$m3ua_port/" -e "s/port = 4281/port = $sim_vty/" \
    -e "s/127.0.0.1:42000/127.0.0.1:$span_a/" -e "s/127.0.0.1:41000/127.0.0.1:$span_b/" \
    -e "s/hold = 0/hold = 3000/" -e "s/udp:127.0.0.1:5999/udp:127.0.0.1:$(free_port)/" \
    -e "s/18000-18999/$((rtp_base + 2000))-$((rtp_base + 2999))/" \
    "${top_srcdir}/conf/pstnsim.conf" > "$work/pstnsim.conf"
sed -e "s/127.0.0.1:2905/127.0.0.1:$m3ua_port/" -e "s/port = 4280/port = $mgcf_vty/" \
    -e "s/127.0.0.1:5060/127.0.0.1:$sip_port/g" -e "s/127.0.0.1:5080/127.0.0.1:$ims_port/g" \
    -e "s|/tmp/mgcfd-cdr.log|$work/cdr.log|" -e "s/16000-16999/$rtp_base-$((rtp_base + 999))/" \
    -e "s/127.0.0.1:42000/127.0.0.1:$span_a/" -e "s/127.0.0.1:41000/127.0.0.1:$span_b/" \
    "${top_srcdir}/conf/mgcfd.conf" > "$work/mgcfd.conf"

no_calls() { vty "$mgcf_vty" "show calls" | tail -1 | grep -q "^0 call(s)"; }
sim_has() { vty "$sim_vty" "show simulator" | grep -Eq "(^| )$1( |$)"; }
cdr_lines() { grep -vc '^#' "$work/cdr.log" 2>/dev/null || true; }

# after a scenario: no call left, every circuit idle at both ends, $1 CDR lines in all
settled() {
	until_ok 100 no_calls || fail "$2: calls left: $(vty "$mgcf_vty" "show calls")"
	until_ok 100 all_idle "$mgcf_vty" || fail "$2: circuits not idle at mgcfd"
	until_ok 100 all_idle "$sim_vty" || fail "$2: circuits not idle at pstnsim"
	until_ok 50 sh -c "[ \$(grep -vc '^#' '$work/cdr.log') -eq $1 ]" ||
		fail "$2: $(cdr_lines) CDR lines, expected $1"
}
# the last CDR line: start,answer,end,direction,trunk,cic,calling,called,cause,released_by,duration
cdr_last_has() {
	_l=$(grep -v '^#' "$work/cdr.log" | tail -1)
	echo "$_l" | awk -F, -v d="$1" -v cause="$2" -v by="$3" -v ans="$4" \
		'$4 == d && $9 == cause && $10 == by && (ans == "yes" ? $2 != "" : $2 == "") { ok = 1 }
		 END { exit !ok }' ||
		fail "CDR line '$_l' is not $1 cause $2 by $3 answered=$4"
}

uac() {
	# $1 scenario file, $2 number; -recv_timeout fails a missing answer
	sipp -sf "$1" -s "$2" -i 127.0.0.1 -p "$sipp_port" -m 1 -recv_timeout 15000 -timeout 30 -timeout_error \
	     -trace_err -error_file "$work/sipp_err.log" -mp "$((rtp_base + 3000))" \
	     "127.0.0.1:$sip_port" > "$work/sipp.out" 2>&1
}

"$bin/pstnsim" -c "$work/pstnsim.conf" > "$work/pstnsim.log" 2>&1 &
sim_pid=$!
wait_port "$sim_vty" 100 || fail "pstnsim VTY never came up"
"$bin/mgcfd" -c "$work/mgcfd.conf" > "$work/mgcfd.log" 2>&1 &
mgcf_pid=$!
wait_port "$mgcf_vty" 100 || fail "mgcfd VTY never came up"
until_ok 100 active "$mgcf_vty" || fail "association not active at mgcfd"
until_ok 100 all_idle "$mgcf_vty" || fail "circuits not idle after GRS at mgcfd"
until_ok 100 all_idle "$sim_vty" || fail "circuits not idle after GRS at pstnsim"
n=0

# 1. sip2isup answered, released by BYE: REL cause 16 towards pstnsim
uac "$xml/iw_uac_bye.xml" +4930123456 || fail "sip2isup BYE: sipp failed"
n=$((n + 1))
settled $n "sip2isup BYE"
until_ok 50 sim_has "in_answered=1" || fail "pstnsim did not answer the call"
until_ok 50 sim_has "cause_16=1" || fail "pstnsim did not see cause 16: $(vty "$sim_vty" "show simulator")"
cdr_last_has sip2isup 16 sip yes
echo "ok: sip2isup answered, released by BYE (REL cause 16), CDR line"

# 1b. sip2isup with preconditions: IAM with "continuity check performed on a previous circuit", reliable 183,
# PRACK, UPDATE, COT; pstnsim waits for the COT, then rings and answers
uac "$xml/iw_uac_precond.xml" +4930123458 || fail "sip2isup preconditions: sipp failed"
n=$((n + 1))
settled $n "sip2isup preconditions"
cdr_last_has sip2isup 16 sip yes
echo "ok: sip2isup with preconditions (IAM + COT, reliable 183/180, PRACK, UPDATE), CDR line"

# 2. sip2isup answered, released by REL (pstnsim hold): BYE with Reason Q.850 cause 16
uac "$xml/iw_uac_remote_bye.xml" +4930123457 || fail "sip2isup REL: sipp failed"
n=$((n + 1))
settled $n "sip2isup REL"
cdr_last_has sip2isup 16 isup yes
echo "ok: sip2isup answered, released by REL (BYE with Reason: Q.850;cause=16), CDR line"

# 4. sip2isup ringing without answer (991001: rings 1 s, then pstnsim releases with cause 19 -> 480)
sed -e "s/@STATUS@/480/" -e "s/@CAUSE@/19/" "$xml/iw_uac_reject.xml" > "$work/noanswer.xml"
uac "$work/noanswer.xml" +991001 || fail "sip2isup no answer: sipp did not get 480 with Reason cause 19"
n=$((n + 1))
settled $n "sip2isup no answer"
cdr_last_has sip2isup 19 isup no
grep -q "180 Ringing\|180" "$work/sipp.out" || true
echo "ok: sip2isup ringing, no answer: 480 with Reason cause 19"

# 4b. sip2isup CANCEL while the PSTN side rings (991005): 487, REL cause 31
before=$(vty "$sim_vty" "show simulator" | sed -n "s/.* cause_31=\([0-9]*\).*/\1/p")
uac "$xml/iw_uac_cancel.xml" +991005 || fail "sip2isup CANCEL: sipp failed"
n=$((n + 1))
settled $n "sip2isup CANCEL"
until_ok 50 sim_has "cause_31=$((${before:-0} + 1))" || fail "pstnsim did not see cause 31 after the CANCEL"
cdr_last_has sip2isup 31 sip no
echo "ok: sip2isup CANCEL while ringing: 487, REL cause 31, CDR line"

# 5. isup2sip answered by the IMS (sipp UAS); pstnsim releases after its hold, mgcfd sends BYE
sipp -sf "$xml/iw_uas_answer.xml" -i 127.0.0.1 -p "$ims_port" -m 1 -timeout 30 -timeout_error \
     -mp "$((rtp_base + 3100))" > "$work/uas.out" 2>&1 &
uas_pid=$!
sleep 0.5
vty "$sim_vty" "enable" "simulator call 4940999888" > /dev/null
# while it is up (pstnsim holds it 3 s): `show calls` has it with both legs' states, the CIC and the age
active_line='^[0-9]+ +isup2sip +pstn +[0-9]+ +ACTIVE +[A-Z_]+ +CONFIRMED +[0-9]+ +4930123456 -> 4940999888'
until_ok 50 sh -c "$VTYCMD $mgcf_vty 'show calls' | grep -Eq '$active_line'" ||
	fail "show calls does not show the active call: $(vty "$mgcf_vty" "show calls")"
wait "$uas_pid" || fail "isup2sip answer: sipp UAS failed: $(tail -5 "$work/uas.out")"
uas_pid=
n=$((n + 1))
settled $n "isup2sip answer"
until_ok 50 sim_has "out_answered=1" || fail "pstnsim saw no answer: $(vty "$sim_vty" "show simulator")"
cdr_last_has isup2sip 16 isup yes
echo "ok: isup2sip answered by the IMS, released by REL (BYE), CDR line"

# 5b. isup2sip answered by the IMS, which hangs up: REL cause 16 towards pstnsim
before=$(vty "$sim_vty" "show simulator" | sed -n "s/.* cause_16=\([0-9]*\).*/\1/p")
sipp -sf "$xml/iw_uas_answer_bye.xml" -i 127.0.0.1 -p "$ims_port" -m 1 -timeout 30 -timeout_error \
     -mp "$((rtp_base + 3100))" > "$work/uas.out" 2>&1 &
uas_pid=$!
sleep 0.5
vty "$sim_vty" "enable" "simulator call 4940999888" > /dev/null
wait "$uas_pid" || fail "isup2sip BYE: sipp UAS failed: $(tail -5 "$work/uas.out")"
uas_pid=
n=$((n + 1))
settled $n "isup2sip BYE"
until_ok 50 sim_has "cause_16=$((${before:-0} + 1))" || fail "pstnsim did not see cause 16 after the BYE"
cdr_last_has isup2sip 16 sip yes
echo "ok: isup2sip answered by the IMS, released by BYE (REL cause 16), CDR line"

kill -TERM "$mgcf_pid"
wait "$mgcf_pid" || fail "mgcfd exit status $?"
mgcf_pid=
kill -TERM "$sim_pid"
wait "$sim_pid" || fail "pstnsim exit status $?"
sim_pid=
exit 0
