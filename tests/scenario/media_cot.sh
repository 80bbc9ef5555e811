#!/bin/sh
# The continuity check through mgcfd (Q.764 §2.1.8, standards.md §3.5), sipp <-> mgcfd <-> pstnsim on 127.0.0.1;
# mgcfd's trunk group asks for the check on every SIP->ISUP call (continuity = required), T25 is 4 s:
#  (1) IAM with "continuity check required on this circuit": mgcfd sends 2000 Hz on the circuit, pstnsim loops the
#      timeslot, the tone comes back, COT(success): pstnsim rings and answers, sipp gets 180 and 200;
#  (2) pstnsim's loop on CIC 1 broken: mgcfd's test fails, COT(failed), the call is repeated on CIC 3 and answered;
#      after T25 mgcfd re-tests CIC 1 with CCR (the loop still broken: COT failed again, T26 follows); meanwhile and
#      afterwards calls avoid CIC 1, which stays held for its re-test;
#  (3) the loop of CIC 3 broken, then repaired before T25: the CCR re-test succeeds, REL/RLC make CIC 3 idle and the
#      next call uses it again;
#  (4) the PSTN side: pstnsim's IAM asks for continuity, mgcfd loops the timeslot, pstnsim measures its tone and
#      sends COT, only then the INVITE goes to the IMS (precondition = disabled) and sipp answers;
#  (5) pstnsim tests an idle circuit (`isup continuity-test`, CCR): mgcfd loops it (ops->cot_loop) until the REL;
#  (6) congestion (cause 34) after a successful check: the re-attempt's check runs on the new circuit's channel;
#  after each: no call, no media channel, every circuit idle at both ends but CIC 1 (held for its re-test), CDRs.
. "${top_srcdir}/tests/common/testlib.sh"
. "${top_srcdir}/tests/scenario/media_lib.sh"

cot_failures() { counter "$mgcf_vty" "isup:cot_failures"; }
cdr_cic() { grep -v '^#' "$work/cdr.log" | tail -1 | cut -d, -f6; }
log_has() { grep -q -- "$1" "$work/mgcfd-alaw.log"; }
sim_log_has() { grep -q -- "$1" "$work/pstnsim-alaw.log"; }
# answered sip2isup call (180 and 200 required by the scenario); $1: what it is
call_ok() {
	uac "$xml/media_uac.xml" +4930123456 8 PCMA 300 || fail "$1: sipp failed: $(tail -5 "$work/sipp.out")"
}

media_start alaw "" "	continuity = required" \
	's/continuity = none/continuity = required/; s/precondition = supported/precondition = disabled/
	 s/isup = { "T7=25s", "T9=90s" }/isup = { "T7=25s", "T9=90s", "T25=4s" }/' \
	's/hold = 0/hold = 1500/'
n=0

# (1) successful check on CIC 1
call_ok "continuity ok"
n=$((n + 1))
settled $n
[ "$(cdr_cic)" = 1 ] || fail "(1): the call was not on CIC 1"
log_has "continuity test on CIC 1: 2000 Hz out" || fail "(1): mgcfd sent no check tone"
log_has "continuity test on CIC 1 successful" || fail "(1): mgcfd's check did not succeed"
sim_log_has "pstn CIC 1: continuity check: loop connected" || fail "(1): pstnsim did not loop CIC 1"
[ "$(cot_failures)" = 0 ] || fail "(1): isup:cot_failures is not 0"
echo "ok: (1) IAM with continuity required: 2000 Hz looped back by pstnsim, COT(success), 180 and 200"

# (2) broken loop on CIC 1: COT failed, repeat attempt on CIC 3; the re-test after T25 fails again
vty "$sim_vty" "enable" "simulator cic pstn 1 continuity-loop broken" > /dev/null
call_ok "repeat attempt"
n=$((n + 1))
settled $n 1
[ "$(cdr_cic)" = 3 ] || fail "(2): the call was not repeated on CIC 3 (CDR: CIC $(cdr_cic))"
log_has "continuity test on CIC 1 failed" || fail "(2): mgcfd's check on CIC 1 did not fail"
log_has "continuity check failed: repeat attempt on CIC 3" || fail "(2): no repeat attempt"
sim_log_has "pstn CIC 1: continuity check: the loop is broken here" || fail "(2): pstnsim's loop was not broken"
[ "$(counter "$mgcf_vty" "isup:reattempts")" = 1 ] || fail "(2): isup:reattempts is not 1"
until_ok 150 eval '[ "$(cot_failures)" = 2 ]' || fail "(2): no failed re-test after T25: $(cot_failures) failures"
log_has "pstn CIC 1: continuity re-test (CCR): 2000 Hz out" || fail "(2): no CCR re-test"
log_has "pstn CIC 1: continuity re-test failed" || fail "(2): the re-test did not fail"
sim_log_has "pstn CIC 1: CCR: the far end re-tests continuity" || fail "(2): pstnsim got no CCR"
until_ok 50 eval '[ "$(cic_state 1)" = RETEST_WAIT ]' || fail "(2): CIC 1 not awaiting T26: $(cic_state 1)"
call_ok "CIC 1 held"
n=$((n + 1))
settled $n 1
[ "$(cdr_cic)" = 3 ] || fail "(2): a call used CIC $(cdr_cic) while CIC 1 awaits its re-test"
echo "ok: (2) loop broken on CIC 1: COT(failed), call repeated on CIC 3; CCR re-test after T25 failed; CIC 1 held"

# (3) broken loop on CIC 3, repaired before T25: the re-test succeeds and frees the circuit
vty "$sim_vty" "enable" "simulator cic pstn 3 continuity-loop broken" > /dev/null
call_ok "CIC 3 repeat" &
uac_pid=$!
track_pid "$uac_pid"
until_ok 100 eval '[ "$(cot_failures)" = 3 ]' || fail "(3): the check on CIC 3 did not fail"
vty "$sim_vty" "enable" "simulator cic pstn 3 continuity-loop working" > /dev/null
wait "$uac_pid" || fail "(3): the repeated call failed"
untrack_pid "$uac_pid"
n=$((n + 1))
settled $n 1
[ "$(cdr_cic)" = 5 ] || fail "(3): the call was not repeated on CIC 5 (CDR: CIC $(cdr_cic))"
until_ok 150 eval 'log_has "pstn CIC 3: continuity re-test successful"' || fail "(3): no successful re-test of CIC 3"
until_ok 50 eval '[ "$(cic_state 3)" = - ]' || fail "(3): CIC 3 not released after its re-test: $(cic_state 3)"
settled $n 1
[ "$(cot_failures)" = 3 ] || fail "(3): isup:cot_failures is $(cot_failures), not 3"
call_ok "CIC 3 back"
n=$((n + 1))
settled $n 1
[ "$(cdr_cic)" = 3 ] || fail "(3): CIC 3 was not used again after its re-test (CDR: CIC $(cdr_cic))"
echo "ok: (3) loop of CIC 3 repaired before T25: CCR re-test successful, REL, CIC 3 in use again"

# (4) pstnsim asks for the check: mgcfd loops, pstnsim's tone comes back, COT, then the INVITE
sipp -sf "$xml/iw_uas_answer.xml" -i 127.0.0.1 -p "$ims_port" -m 1 -timeout 30 -timeout_error \
     -mp "$((sipp_mp + 100))" > "$work/uas.out" 2>&1 &
uas_pid=$!
track_pid "$uas_pid"
sleep 0.5
vty "$sim_vty" "enable" "simulator call 4940999888" > /dev/null
wait "$uas_pid" || fail "(4): sipp UAS failed: $(tail -5 "$work/uas.out")"
untrack_pid "$uas_pid"
n=$((n + 1))
settled $n 1
until_ok 50 sim_has "cot_ok=1" || fail "(4): pstnsim's check did not succeed: $(vty "$sim_vty" "show simulator")"
until_ok 50 sim_has "out_answered=1" || fail "(4): pstnsim saw no answer"
cic=$(cdr_cic)
log_has "continuity check required on CIC $cic: timeslot looped until COT" || fail "(4): mgcfd did not loop CIC $cic"
# the INVITE waits for the COT
awk '/COT received: continuity check successful/ && !cot { cot = NR } /tx INVITE sip:\+4940999888/ { inv = NR }
     END { exit !(cot && inv > cot) }' "$work/mgcfd-alaw.log" || fail "(4): the INVITE did not wait for COT"
echo "ok: (4) pstnsim's IAM with continuity required: looped by mgcfd, COT, INVITE answered by the IMS"

# (5) pstnsim tests idle CIC 4 (maintenance, CCR): mgcfd loops it on a channel of its own until the REL
out=$(vty "$sim_vty" "enable" "isup continuity-test pstn 4")
case $out in *%*) fail "(5): isup continuity-test: $out" ;; esac
until_ok 100 sim_has "cot_ok=2" ||
	fail "(5): pstnsim's test of CIC 4 did not succeed: $(vty "$sim_vty" "show simulator")"
log_has "pstn CIC 4: CCR: loop connected for the far end's re-test" || fail "(5): mgcfd did not loop CIC 4"
settled $n 1
echo "ok: (5) pstnsim's CCR on idle CIC 4: looped by mgcfd, tone back, REL, no channel left"

# (6) congestion after a successful check (pstnsim's 990034: REL cause 34 once COT is in): the call is tried once
# more on another circuit, whose check runs on the new circuit's channel; both attempts end in 480 (the Q.850 -> SIP table) with cause 34
sed -e "s/@STATUS@/480/" -e "s/@CAUSE@/34/" "$xml/iw_uac_reject.xml" > "$work/reject.xml"
cot_ok() { grep -c "continuity test on CIC [0-9]* successful" "$work/mgcfd-alaw.log"; }
before=$(cot_ok)
uac "$work/reject.xml" +990034 8 PCMA 0 || fail "(6): sipp did not get 480 with cause 34: $(tail -5 "$work/sipp.out")"
n=$((n + 1))
settled $n 1
[ "$(cot_ok)" = $((before + 2)) ] || fail "(6): $(($(cot_ok) - before)) successful checks, expected 2"
log_has "cause 34 from the far end: re-attempt on CIC" || fail "(6): no re-attempt after cause 34"
echo "ok: (6) cause 34 after COT: re-attempt on another circuit, checked there, then 480"

[ "$(cic_state 1)" = RETEST_WAIT ] || fail "CIC 1 is no longer held for its re-test: $(cic_state 1)"
media_stop
exit 0
