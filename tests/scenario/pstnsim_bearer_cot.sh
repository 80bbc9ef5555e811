#!/bin/sh
# (2) Continuity failure, two pstnsims over CESoPSN on 127.0.0.1: the far end's loop on CIC 1 is broken.
#  - the near end's 2000 Hz test on CIC 1 fails: COT(failed), isup:cot_failures 1 on both ends;
#  - the node repeats the call on CIC 2 (isup:reattempts 1), whose test succeeds: the call is answered;
#  - the far end's call on CIC 1 ends (cause 41) and it awaits CCR;
#  - the loop is repaired; after T25 (3 s here) the near end sends CCR and re-tests CIC 1 through an internal
#    call: the far end loops for it (ops->cot_loop), the test succeeds, REL ends the re-test;
#  - the far end's on-answer actions (play-digits, record) run on the call's bearer;
#  - finally no circuit is left non-idle, no call and no media channel on either side.
. "${top_srcdir}/tests/common/testlib.sh"
. "${top_srcdir}/tests/scenario/pstnsim_bearer_lib.sh"

law=alaw
# the far end's on-answer actions run on the call's bearer (CIC 2 here) as it answers
start_both "	on-answer = { \"play-digits 24680\", \"record $work/answered-%c.wav\" }" "continuity = required" \
	"hunting = ascending"
vty "$far_vty" "enable" "simulator cic pstn 1 continuity-loop broken" > /dev/null
vty "$near_vty" "enable" "simulator call 4930111" > /dev/null

until_ok 100 report_has "$near_vty" "cot_failed=1" ||
	fail "no failed continuity test: $(vty "$near_vty" "show simulator")"
# repaired before T25 runs out: the re-test must find the loop
vty "$far_vty" "enable" "simulator cic pstn 1 continuity-loop working" > /dev/null
until_ok 100 eval '[ "$(call_cic "$near_vty" ANSWERED)" = 2 ]' ||
	fail "the call was not answered on CIC 2: $(vty "$near_vty" "show isup calls")"
[ "$(counter "$near_vty" "isup:cot_failures")" = 1 ] || fail "near isup:cot_failures is not 1"
[ "$(counter "$near_vty" "isup:reattempts")" = 1 ] || fail "near isup:reattempts is not 1"
[ "$(counter "$far_vty" "isup:cot_failures")" = 1 ] || fail "far isup:cot_failures (COT failed received) is not 1"
grep -q "pstn CIC 1: continuity check: the loop is broken here" "$work/far.log" || fail "far end: no broken loop"
grep -q "continuity check failed: repeat attempt on CIC 2" "$work/near.log" || fail "near end: no repeat attempt"
report_has "$far_vty" "cause_41=1" || fail "far end: the call on CIC 1 did not end with cause 41"
echo "ok: COT failed on CIC 1, call repeated and answered on CIC 2"

# the re-test of CIC 1: CCR after T25, loop at the far end, tone back, REL
until_ok 100 report_has "$near_vty" "cot_ok=2" || fail "no successful re-test: $(vty "$near_vty" "show simulator")"
grep -q "T25 expired" "$work/near.log" || fail "near end: T25 did not run"
grep -q "pstn CIC 1: continuity test (re-test, CCR): 2000 Hz out" "$work/near.log" || fail "near end: no re-test"
grep -q "pstn CIC 1: CCR: the far end re-tests continuity" "$work/far.log" || fail "far end: no CCR"
[ "$(grep -c "pstn CIC 1: continuity check: loop connected" "$work/far.log")" = 1 ] ||
	fail "far end: no loop for the re-test (CCR)"
until_ok 100 eval 'vty "$near_vty" "show isup calls" | grep -q "^1 call(s)"' ||
	fail "the re-test did not end: $(vty "$near_vty" "show isup calls")"
echo "ok: CCR re-test of CIC 1 successful after the loop was repaired"

until_ok 60 cic_show_has "$near_vty" 2 "^digits: 24680\$" ||
	fail "on-answer digits not heard: $(vty "$near_vty" "show simulator cic pstn 2")"
vty "$near_vty" "enable" "simulator cic pstn 2 play-tone busy" > /dev/null
sleep 1.2
vty "$near_vty" "enable" "simulator cic pstn 2 release" > /dev/null
check_clean
report_has "$near_vty" "cot_failed=1" || fail "near end: more than one failed test"
# the call's end closed the far end's recording: a complete WAV file with the busy tone's first second
[ -f "$work/answered-2.wav" ] || fail "far end: no recording answered-2.wav"
[ "$(od -An -tu4 -j40 -N4 "$work/answered-2.wav" | tr -d " ")" = $(($(stat -c %s "$work/answered-2.wav") - 44)) ] ||
	fail "far end: the recording's WAV header was not completed"
[ "$(stat -c %s "$work/answered-2.wav")" -ge 16000 ] || fail "far end: the recording is too short"
echo "ok: on-answer actions: digits played and the call recorded ($(stat -c %s "$work/answered-2.wav") octets)"
echo "ok: all circuits idle, no call and no media channel left"
stop_both
exit 0
