#!/bin/sh
# Interworking calls: sipp <-> mgcfd <-> pstnsim on loopback (issue "Interworking core"):
#  - sip2isup: answered and released by BYE; with preconditions (IAM + COT); CANCEL while ringing (REL cause 31);
#    answered and released by REL (pstnsim's hold: BYE with Reason Q.850 cause 16); rejected (990CCC: the
#    Q.850 -> SIP table's status with Reason: Q.850;cause=CCC), one row per cause listed in REJECT_ROWS,
#    congestion causes tried twice; ringing without answer (991SSS: pstnsim's cause 19 -> 480);
#  - isup2sip: pstnsim originates, sipp answers (pstnsim counts the answer); sipp rejects with a status from
#    UAS_ROWS and pstnsim sees the cause of the SIP -> Q.850 table;
#  - after every scenario: `show calls` empty, every CIC idle at both ends, and the CDR file has the right lines.
. "${top_srcdir}/tests/common/testlib.sh"

# pstnsim releases answered calls after 3 s (the REL cases)
IW_SIM_HOLD=3000
. "${top_srcdir}/tests/scenario/iw_lib.sh"

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
	     -trace_err -error_file "$work/sipp_err.log" -mp "$sipp_mp" \
	     "127.0.0.1:$sip_port" > "$work/sipp.out" 2>&1
}

iw_start
n=0

# 1. sip2isup answered, released by BYE: REL cause 16 towards pstnsim
uac "$xml/iw_uac_bye.xml" +4930123456 || fail "sip2isup BYE: sipp failed"
n=$((n + 1))
settled "sip2isup BYE" $n
until_ok 50 sim_has "in_answered=1" || fail "pstnsim did not answer the call"
until_ok 50 sim_has "cause_16=1" || fail "pstnsim did not see cause 16: $(vty "$sim_vty" "show simulator")"
cdr_last_has sip2isup 16 sip yes
echo "ok: sip2isup answered, released by BYE (REL cause 16), CDR line"

# 1b. sip2isup with preconditions: IAM with "continuity check performed on a previous circuit", reliable 183,
# PRACK, UPDATE, COT; pstnsim waits for the COT, then rings and answers
uac "$xml/iw_uac_precond.xml" +4930123458 || fail "sip2isup preconditions: sipp failed"
n=$((n + 1))
settled "sip2isup preconditions" $n
cdr_last_has sip2isup 16 sip yes
echo "ok: sip2isup with preconditions (IAM + COT, reliable 183/180, PRACK, UPDATE), CDR line"

# 2. sip2isup answered, released by REL (pstnsim hold): BYE with Reason Q.850 cause 16
uac "$xml/iw_uac_remote_bye.xml" +4930123457 || fail "sip2isup REL: sipp failed"
n=$((n + 1))
settled "sip2isup REL" $n
cdr_last_has sip2isup 16 isup yes
echo "ok: sip2isup answered, released by REL (BYE with Reason: Q.850;cause=16), CDR line"

# 3. sip2isup rejected by the PSTN side: rows of the Q.850 -> SIP table (TS 29.163 Table 7.2.3.1.7-1)
for row in ${REJECT_ROWS:-17:486 1:404 3:404 18:480 19:480 21:480 22:410 27:502 28:484 34:503 38:503 \
		41:503 42:503 47:503 58:503 65:488 88:488 102:504 111:500 127:500}; do
	cause=${row%%:*}
	status=${row##*:}
	sed -e "s/@STATUS@/$status/" -e "s/@CAUSE@/$cause/" "$xml/iw_uac_reject.xml" > "$work/reject.xml"
	in_before=$(vty "$sim_vty" "show simulator" | sed -n "s/.* in=\([0-9]*\) .*/\1/p")
	uac "$work/reject.xml" "+990$(printf %03u "$cause")" ||
		fail "sip2isup reject cause $cause: sipp did not get $status with Reason cause $cause"
	n=$((n + 1))
	settled "sip2isup reject $cause" $n
	# congestion (34, 42, 44) is tried once more on another circuit
	case $cause in 34|42|44) attempts=2 ;; *) attempts=1 ;; esac
	sim_has "in=$((in_before + attempts))" ||
		fail "cause $cause: expected $attempts IAM(s) at pstnsim: $(vty "$sim_vty" "show simulator")"
	cdr_last_has sip2isup "$cause" isup no
done
echo "ok: sip2isup rejected: Q.850 causes to SIP statuses with Reason, CDR lines"

# 4. sip2isup ringing without answer (991001: rings 1 s, then pstnsim releases with cause 19 -> 480)
sed -e "s/@STATUS@/480/" -e "s/@CAUSE@/19/" "$xml/iw_uac_reject.xml" > "$work/noanswer.xml"
uac "$work/noanswer.xml" +991001 || fail "sip2isup no answer: sipp did not get 480 with Reason cause 19"
n=$((n + 1))
settled "sip2isup no answer" $n
cdr_last_has sip2isup 19 isup no
grep -q "180 Ringing\|180" "$work/sipp.out" || true
echo "ok: sip2isup ringing, no answer: 480 with Reason cause 19"

# 4b. sip2isup CANCEL while the PSTN side rings (991005): 487, REL cause 31
before=$(vty "$sim_vty" "show simulator" | sed -n "s/.* cause_31=\([0-9]*\).*/\1/p")
uac "$xml/iw_uac_cancel.xml" +991005 || fail "sip2isup CANCEL: sipp failed"
n=$((n + 1))
settled "sip2isup CANCEL" $n
until_ok 50 sim_has "cause_31=$((${before:-0} + 1))" || fail "pstnsim did not see cause 31 after the CANCEL"
cdr_last_has sip2isup 31 sip no
echo "ok: sip2isup CANCEL while ringing: 487, REL cause 31, CDR line"

# 5. isup2sip answered by the IMS (sipp UAS); pstnsim releases after its hold, mgcfd sends BYE
sipp -sf "$xml/iw_uas_answer.xml" -i 127.0.0.1 -p "$ims_port" -m 1 -timeout 30 -timeout_error \
     -mp "$((sipp_mp + 100))" > "$work/uas.out" 2>&1 &
uas_pid=$!
track_pid "$uas_pid"
until_ok 100 udp_bound "$ims_port" || fail "the sipp UAS does not listen"
vty "$sim_vty" "enable" "simulator call 4940999888" > /dev/null
# while it is up (pstnsim holds it 3 s): `show calls` has it with both legs' states, the CIC and the age
active_line='^[0-9]+ +isup2sip +pstn +[0-9]+ +ACTIVE +[A-Z_]+ +CONFIRMED +[0-9]+ +4930123456 -> 4940999888'
until_ok 50 sh -c "$VTYCMD $mgcf_vty 'show calls' | grep -Eq '$active_line'" ||
	fail "show calls does not show the active call: $(vty "$mgcf_vty" "show calls")"
wait "$uas_pid" || fail "isup2sip answer: sipp UAS failed: $(tail -5 "$work/uas.out")"
untrack_pid "$uas_pid"
n=$((n + 1))
settled "isup2sip answer" $n
until_ok 50 sim_has "out_answered=1" || fail "pstnsim saw no answer: $(vty "$sim_vty" "show simulator")"
cdr_last_has isup2sip 16 isup yes
echo "ok: isup2sip answered by the IMS, released by REL (BYE), CDR line"

# 5b. isup2sip answered by the IMS, which hangs up: REL cause 16 towards pstnsim
before=$(vty "$sim_vty" "show simulator" | sed -n "s/.* cause_16=\([0-9]*\).*/\1/p")
sipp -sf "$xml/iw_uas_answer_bye.xml" -i 127.0.0.1 -p "$ims_port" -m 1 -timeout 30 -timeout_error \
     -mp "$((sipp_mp + 100))" > "$work/uas.out" 2>&1 &
uas_pid=$!
track_pid "$uas_pid"
until_ok 100 udp_bound "$ims_port" || fail "the sipp UAS does not listen"
vty "$sim_vty" "enable" "simulator call 4940999888" > /dev/null
wait "$uas_pid" || fail "isup2sip BYE: sipp UAS failed: $(tail -5 "$work/uas.out")"
untrack_pid "$uas_pid"
n=$((n + 1))
settled "isup2sip BYE" $n
until_ok 50 sim_has "cause_16=$((${before:-0} + 1))" || fail "pstnsim did not see cause 16 after the BYE"
cdr_last_has isup2sip 16 sip yes
echo "ok: isup2sip answered by the IMS, released by BYE (REL cause 16), CDR line"

# 6. isup2sip rejected by the IMS: rows of the SIP -> Q.850 table (TS 29.163 Table 7.2.3.2.6-1 / standards.md C1)
for row in ${UAS_ROWS:-486:17 404:1 480:20 403:127 410:22 484:28 488:127 500:127 503:127 600:17 603:21 604:1}; do
	status=${row%%:*}
	cause=${row##*:}
	sed -e "s/@STATUS@/$status/" "$xml/iw_uas_reject.xml" > "$work/uas_reject.xml"
	before=$(vty "$sim_vty" "show simulator" | sed -n "s/.* cause_$cause=\([0-9]*\).*/\1/p")
	sipp -sf "$work/uas_reject.xml" -i 127.0.0.1 -p "$ims_port" -m 1 -timeout 30 -timeout_error \
	     > "$work/uas.out" 2>&1 &
	uas_pid=$!
track_pid "$uas_pid"
	until_ok 100 udp_bound "$ims_port" || fail "the sipp UAS does not listen"
	vty "$sim_vty" "enable" "simulator call 4940999888" > /dev/null
	wait "$uas_pid" || fail "isup2sip $status: sipp UAS failed: $(tail -5 "$work/uas.out")"
	untrack_pid "$uas_pid"
	n=$((n + 1))
	settled "isup2sip reject $status" $n
	until_ok 50 sim_has "cause_$cause=$((${before:-0} + 1))" ||
		fail "isup2sip $status: pstnsim did not see cause $cause: $(vty "$sim_vty" "show simulator")"
	cdr_last_has isup2sip "$cause" sip no
done
echo "ok: isup2sip rejected by the IMS: SIP statuses to Q.850 causes at pstnsim, CDR lines"

iw_stop
exit 0
