#!/bin/sh
# sip2isup calls (IMS -> PSTN, TS 29.163 §7.2.3.1): sipp -> mgcfd -> pstnsim on loopback, for the acceptance points
# iw_calls.sh does not show:
#  - early media: ACM with in-band information available (pstnsim 992SSS) -> 183 with the SDP answer, ANM -> 200;
#  - 100rel: an INVITE with Require: 100rel gets a reliable 180 (and a reliable 183 for early media), PRACKed;
#  - preconditions with the IAM delayed (trunk group preconditions = delay-iam): no IAM before the UPDATE that meets
#    them, then an IAM without continuity indicator; the call is answered;
#  - CANCEL with Reason: Q.850;cause=X -> REL with cause X;
#  - T7 (pstnsim 993...: no ACM) and T9 (991SSS: rings longer than mgcfd's T9), both shortened to the least Q.764
#    allows (20 s, 60 s) and run side by side: REL cause 102 / 19 at pstnsim, 504 / 480 with Reason at sipp.
# After every scenario: `show calls` empty, every CIC idle at both ends, the call's CDR line.
. "${top_srcdir}/tests/common/testlib.sh"
. "${top_srcdir}/tests/scenario/iw_lib.sh"

iw_start 's/preconditions = iam-cot/preconditions = delay-iam/' 's/"T7=25s", "T9=90s"/"T7=20s", "T9=60s"/'
grep -q '"T7=20s", "T9=60s"' "$work/mgcfd.conf" || fail "the timers of conf/mgcfd.conf moved: fix the sed"
grep -q 'preconditions = delay-iam' "$work/mgcfd.conf" || fail "conf/mgcfd.conf has no preconditions line: fix the sed"
# the configuration's timers are in force from the start (not only after a reload)
timers=$(vty "$mgcf_vty" "show timer isup")
echo "$timers" | grep -q "^isup: T7 = 20 s" || fail "T7 is not 20 s: $timers"
echo "$timers" | grep -q "^isup: T9 = 60 s" || fail "T9 is not 60 s: $timers"

# T7 and T9 take a minute: they run in the background while the other scenarios go on; their CDR lines are
# checked by called number at the end
t7_number=993000
t9_number=991090
uac "$(scenario_xml iw_uac_reject 's/@STATUS@/504/' 's/@CAUSE@/102/')" "+$t7_number" 90 t7 100 &
t7_pid=$!
track_pid "$t7_pid"
uac "$(scenario_xml iw_uac_reject 's/@STATUS@/480/' 's/@CAUSE@/19/')" "+$t9_number" 90 t9 200 &
t9_pid=$!
track_pid "$t9_pid"
until_ok 100 sh -c "$VTYCMD $mgcf_vty 'show calls' | grep -q '^2 call(s)'" ||
	fail "the T7 and T9 calls did not start: $(vty "$mgcf_vty" "show calls")"
background=2

# settled for the calls in the foreground: the two timer calls (and their circuits) are still up
fg_settled() {
	ncdr=$((ncdr + 1))
	until_ok 100 sh -c "$VTYCMD $mgcf_vty 'show calls' | grep -q '^$background call(s)'" ||
		fail "$1: calls left: $(vty "$mgcf_vty" "show calls")"
	until_ok 100 busy_is "$mgcf_vty" "$background" || fail "$1: circuits not idle at mgcfd"
	until_ok 100 busy_is "$sim_vty" "$background" || fail "$1: circuits not idle at pstnsim"
	until_ok 50 sh -c "[ \$(grep -vc '^#' '$work/cdr.log') -eq $ncdr ]" ||
		fail "$1: $(cdr_lines) CDR lines, expected $ncdr"
}

# 1. early media: 183 with SDP, no 180, then 200 (ANM after 1 s); released by BYE (REL cause 16)
c16=$(sim_val cause_16)
ans=$(sim_val in_answered)
uac "$(scenario_xml s2i_early_media)" +992001 || fail "early media: sipp failed: $(tail -5 "$work/sipp.out")"
fg_settled "early media"
until_ok 50 sim_is cause_16 $((c16 + 1)) || fail "early media: pstnsim did not see REL cause 16"
sim_is in_answered $((ans + 1)) || fail "early media: pstnsim did not answer: $(vty "$sim_vty" "show simulator")"
cdr_has +992001 sip2isup 16 sip yes
echo "ok: sip2isup early media: ACM with in-band information -> 183 with SDP answer, ANM -> 200, BYE -> REL 16"

# 2. 100rel: reliable 180 (ordinary number) and reliable 183 with SDP (early media), each PRACKed
uac "$(scenario_xml s2i_100rel 's/@PROV@/180/')" +4930123456 ||
	fail "100rel 180: sipp failed: $(tail -5 "$work/sipp.out")"
fg_settled "100rel 180"
cdr_has +4930123456 sip2isup 16 sip yes
uac "$(scenario_xml s2i_100rel 's/@PROV@/183/')" +992002 || fail "100rel 183: sipp failed: $(tail -5 "$work/sipp.out")"
fg_settled "100rel 183"
cdr_has +992002 sip2isup 16 sip yes
sim_is in_answered $((ans + 3)) || fail "100rel: pstnsim did not answer both: $(vty "$sim_vty" "show simulator")"
echo "ok: sip2isup 100rel: reliable 180 and reliable 183 (RSeq, Require: 100rel), PRACK, 200 PRACK, answered"

# 3. preconditions, IAM delayed until the UPDATE meets them: while the call waits for the UPDATE (mgcfd's call has
# no ISUP leg and no circuit both before and after pstnsim's counter is read), pstnsim has had no IAM; afterwards
# one IAM without continuity indicator
in0=$(sim_val in)
cont0=$(sim_val in_continuity)
uac "$(scenario_xml s2i_delay_iam)" +4930123459 &
uac_pid=$!
track_pid "$uac_pid"
held() { vty "$mgcf_vty" "show calls" | grep -Eq "^[0-9]+ +sip2isup +pstn +0 +[A-Z]+ +- +IN_EARLY .*-> \+4930123459$"; }
until_ok 100 held || fail "delayed IAM: the call never waited without ISUP leg: $(vty "$mgcf_vty" "show calls")"
in_held=$(sim_val in)
held || fail "delayed IAM: the UPDATE came before pstnsim's counters could be read: re-run"
[ "$in_held" -eq "$in0" ] || fail "delayed IAM: pstnsim got an IAM ($in0 -> $in_held) before the UPDATE"
wait "$uac_pid" || fail "delayed IAM: sipp failed: $(tail -5 "$work/sipp.out")"
untrack_pid "$uac_pid"
fg_settled "delayed IAM"
sim_is in $((in0 + 1)) || fail "delayed IAM: expected one IAM at pstnsim: $(vty "$sim_vty" "show simulator")"
sim_is in_continuity "$cont0" || fail "delayed IAM: the IAM asked for a continuity check"
sim_is in_answered $((ans + 4)) || fail "delayed IAM: pstnsim did not answer: $(vty "$sim_vty" "show simulator")"
cdr_has +4930123459 sip2isup 16 sip yes
echo "ok: sip2isup preconditions with delayed IAM: no IAM before the UPDATE, then IAM without continuity check"

# 4. CANCEL with Reason: Q.850;cause=X while ringing: 487, REL with cause X (not the default 31)
for cause in 21 41; do
	before=$(sim_val cause_$cause)
	uac "$(scenario_xml s2i_cancel_reason "s/@CAUSE@/$cause/")" +991005 ||
		fail "CANCEL with Reason $cause: sipp failed: $(tail -5 "$work/sipp.out")"
	fg_settled "CANCEL with Reason $cause"
	until_ok 50 sim_is cause_$cause $((before + 1)) ||
		fail "CANCEL with Reason $cause: no REL cause $cause at pstnsim: $(vty "$sim_vty" "show simulator")"
	cdr_has +991005 sip2isup "$cause" sip no
done
echo "ok: sip2isup CANCEL with Reason: Q.850;cause=X: 487, REL with cause X"

# 5. T7 (no ACM within 20 s: REL 102, 504) and T9 (no ANM within 60 s of the ACM: REL 19, 480)
wait "$t7_pid" || fail "T7: sipp did not get 504 with Reason cause 102: $(tail -5 "$work/t7.out")"
untrack_pid "$t7_pid"
background=1
until_ok 50 sim_is cause_102 1 || fail "T7: pstnsim did not see REL cause 102: $(vty "$sim_vty" "show simulator")"
cdr_has +$t7_number sip2isup 102 mgcf no
echo "ok: sip2isup T7 expiry: REL cause 102 (recovery on timer expiry), 504 with Reason: Q.850;cause=102"
wait "$t9_pid" || fail "T9: sipp did not get 480 with Reason cause 19: $(tail -5 "$work/t9.out")"
untrack_pid "$t9_pid"
settled "T7 and T9" 2
sim_is cause_19 1 || fail "T9: pstnsim did not see REL cause 19: $(vty "$sim_vty" "show simulator")"
sim_is in_noanswer 0 || fail "T9: pstnsim's own ring time ran out first"
cdr_has +$t9_number sip2isup 19 mgcf no
echo "ok: sip2isup T9 expiry: REL cause 19, 480 with Reason: Q.850;cause=19"

iw_stop
exit 0
