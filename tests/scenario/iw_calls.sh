#!/bin/sh
# Interworking calls: sipp <-> mgcfd <-> pstnsim on loopback (issue "Interworking core"):
#  - sip2isup: answered and released by BYE; with preconditions (IAM + COT); CANCEL while ringing (REL cause 31);
#    answered and released by REL (pstnsim's hold: BYE with Reason Q.850 cause 16); ringing without answer
#    (991SSS: pstnsim's cause 19 -> 480) (every row of the Q.850 -> SIP table: iw_q850_sip.sh);
#  - isup2sip: pstnsim originates, sipp answers (pstnsim counts the answer); the rejections by the IMS (rows of
#    the SIP -> Q.850 table) are in iw_sip_q850.sh;
#  - after every scenario: `show calls` empty, every CIC idle at both ends, and the CDR file has the right lines.
. "${top_srcdir}/tests/common/testlib.sh"

. "${top_srcdir}/tests/scenario/iw_lib.sh"

# the shipped configurations on free ports; pstnsim releases answered calls after 3 s (the REL cases)
iw_configs
sed -i -e "s/hold = 0/hold = 3000/" "$work/pstnsim.conf"
iw_start

# 1. sip2isup answered, released by BYE: REL cause 16 towards pstnsim
uac "$xml/iw_uac_bye.xml" +4930123456 || fail "sip2isup BYE: sipp failed"
n=$((n + 1))
settled_total $n "sip2isup BYE"
until_ok 50 sim_has "in_answered=1" || fail "pstnsim did not answer the call"
until_ok 50 sim_has "cause_16=1" || fail "pstnsim did not see cause 16: $(vty "$sim_vty" "show simulator")"
cdr_last_has sip2isup 16 sip yes
echo "ok: sip2isup answered, released by BYE (REL cause 16), CDR line"

# 1b. sip2isup with preconditions: IAM with "continuity check performed on a previous circuit", reliable 183,
# PRACK, UPDATE, COT; pstnsim waits for the COT, then rings and answers
uac "$xml/iw_uac_precond.xml" +4930123458 || fail "sip2isup preconditions: sipp failed"
n=$((n + 1))
settled_total $n "sip2isup preconditions"
cdr_last_has sip2isup 16 sip yes
echo "ok: sip2isup with preconditions (IAM + COT, reliable 183/180, PRACK, UPDATE), CDR line"

# 2. sip2isup answered, released by REL (pstnsim hold): BYE with Reason Q.850 cause 16
uac "$xml/iw_uac_remote_bye.xml" +4930123457 || fail "sip2isup REL: sipp failed"
n=$((n + 1))
settled_total $n "sip2isup REL"
cdr_last_has sip2isup 16 isup yes
echo "ok: sip2isup answered, released by REL (BYE with Reason: Q.850;cause=16), CDR line"

# 4. sip2isup ringing without answer (991001: rings 1 s, then pstnsim releases with cause 19 -> 480)
sed -e "s/@STATUS@/480/" -e "s/@CAUSE@/19/" "$xml/iw_uac_reject.xml" > "$work/noanswer.xml"
uac "$work/noanswer.xml" +991001 || fail "sip2isup no answer: sipp did not get 480 with Reason cause 19"
n=$((n + 1))
settled_total $n "sip2isup no answer"
cdr_last_has sip2isup 19 isup no
grep -q "180 Ringing\|180" "$work/sipp.out" || true
echo "ok: sip2isup ringing, no answer: 480 with Reason cause 19"

# 4b. sip2isup CANCEL while the PSTN side rings (991005): 487, REL cause 31
before=$(vty "$sim_vty" "show simulator" | sed -n "s/.* cause_31=\([0-9]*\).*/\1/p")
uac "$xml/iw_uac_cancel.xml" +991005 || fail "sip2isup CANCEL: sipp failed"
n=$((n + 1))
settled_total $n "sip2isup CANCEL"
until_ok 50 sim_has "cause_31=$((${before:-0} + 1))" || fail "pstnsim did not see cause 31 after the CANCEL"
cdr_last_has sip2isup 31 sip no
echo "ok: sip2isup CANCEL while ringing: 487, REL cause 31, CDR line"

# 5. isup2sip answered by the IMS (sipp UAS); pstnsim releases after its hold, mgcfd sends BYE
uas_start "$xml/iw_uas_answer.xml"
vty "$sim_vty" "enable" "simulator call 4940999888" > /dev/null
# while it is up (pstnsim holds it 3 s): `show calls` has it with both legs' states, the CIC and the age
active_line='^[0-9]+ +isup2sip +pstn +[0-9]+ +ACTIVE +[A-Z_]+ +CONFIRMED +[0-9]+ +4930123456 -> 4940999888'
until_ok 50 sh -c "$VTYCMD $mgcf_vty 'show calls' | grep -Eq '$active_line'" ||
	fail "show calls does not show the active call: $(vty "$mgcf_vty" "show calls")"
uas_wait "isup2sip answer"
n=$((n + 1))
settled_total $n "isup2sip answer"
until_ok 50 sim_has "out_answered=1" || fail "pstnsim saw no answer: $(vty "$sim_vty" "show simulator")"
cdr_last_has isup2sip 16 isup yes
echo "ok: isup2sip answered by the IMS, released by REL (BYE), CDR line"

# 5b. isup2sip answered by the IMS, which hangs up: REL cause 16 towards pstnsim
before=$(vty "$sim_vty" "show simulator" | sed -n "s/.* cause_16=\([0-9]*\).*/\1/p")
uas_start "$xml/iw_uas_answer_bye.xml"
vty "$sim_vty" "enable" "simulator call 4940999888" > /dev/null
uas_wait "isup2sip BYE"
n=$((n + 1))
settled_total $n "isup2sip BYE"
until_ok 50 sim_has "cause_16=$((${before:-0} + 1))" || fail "pstnsim did not see cause 16 after the BYE"
cdr_last_has isup2sip 16 sip yes
echo "ok: isup2sip answered by the IMS, released by BYE (REL cause 16), CDR line"

iw_stop
exit 0
