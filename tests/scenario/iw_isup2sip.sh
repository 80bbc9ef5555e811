#!/bin/sh
# isup2sip (PSTN -> IMS) scenarios of issue 5: pstnsim originates, mgcfd sends the INVITE, a sipp UAS plays the IMS.
#  1. preconditions: IAM with "continuity check performed on a previous circuit", COT successful after 1.5 s;
#     INVITE with preconditions (local segment not met), reliable 183, PRACK; UPDATE only after the COT; then
#     180, 200: pstnsim sees no backward message before its COT (Q.764 §2.1.8), then the ACM the 183 caused ("no
#     indication", held back until the COT), a CPG (alerting) for the 180 and ANM; pstnsim's hold releases the
#     call (BYE).
#  2. the check on the previous circuit failed (COT failed): CANCEL with Reason cause 41, REL cause 41.
#  3. no COT at all: mgcfd's T8 (10 s, Q.764's least) releases: CANCEL with Reason cause 41, REL cause 41.
#  4. no answer: the IMS rings and never answers; Q.764 gives T9 to the exchange that receives the ACM (pstnsim,
#     the originating side; its least value, 60 s): REL cause 19 from pstnsim, CANCEL with Reason cause 19.
#  5. no answer with mgcfd's own no-answer supervision (mgcf T3) shorter than T9 (10 s here): REL cause 19 from
#     mgcfd, CANCEL with Reason cause 19.
# After each: no call, every CIC idle at both ends, the CDR line.
. "${top_srcdir}/tests/common/testlib.sh"
. "${top_srcdir}/tests/scenario/iw_lib.sh"

iw_configs
# pstnsim releases answered calls after 1 s; its T9 (no answer after ACM) at Q.764's least value
sed -i -e "s/hold = 0/hold = 1000/" "$work/pstnsim.conf"
printf 'timers {\n\tisup = { "T9=60s" }\n}\n' >> "$work/pstnsim.conf"
sed -i -e 's/isup = { "T7=25s", "T9=90s" }/isup = { "T7=25s", "T8=10s", "T9=90s" }/' "$work/mgcfd.conf"
grep -q '"T8=10s"' "$work/mgcfd.conf" || fail "the test could not set mgcfd's T8"
iw_start

# The first line of pstnsim's log matching $1 comes before the first one matching $2.
log_order() {
	_a=$(grep -n "$1" "$work/pstnsim.log" | head -1 | cut -d: -f1)
	_b=$(grep -n "$2" "$work/pstnsim.log" | head -1 | cut -d: -f1)
	[ -n "$_a" ] && [ -n "$_b" ] && [ "$_a" -lt "$_b" ]
}

# 1. preconditions, COT successful
uas_start "$xml/i2s_precond.xml"
sim_cmd "simulator call 4940999888 continuity previous 1500"
uas_wait "isup2sip preconditions"
n=$((n + 1))
settled_total $n "isup2sip preconditions"
grep -q "before the COT" "$work/pstnsim.log" && fail "a backward message reached pstnsim before its COT"
log_order "COT sent (check on a previous circuit successful)" ": ACM received" ||
	fail "pstnsim's COT did not precede the ACM"
# the 183 (preconditions) gave the ACM "no indication", held back until the COT; the 180 then alerts with a CPG
log_order ": ACM received" ": CPG received" || fail "no CPG (alerting) after the ACM"
[ "$(sim_val out_answered)" -eq 1 ] || fail "pstnsim saw no answer: $(vty "$sim_vty" "show simulator")"
grep -q "UPDATE: local preconditions met" "$work/mgcfd.log" || fail "mgcfd logged no UPDATE"
cdr_last_has isup2sip 16 isup yes
echo "ok: isup2sip with preconditions: INVITE (local qos none), 183/PRACK, COT, ACM, UPDATE, 180 -> CPG, 200 -> ANM"

# The check on the previous circuit fails ($1: previous-fail, COT failed after 0.5 s; previous-none, no COT and
# mgcfd's T8): CANCEL with Reason cause 41 after the reliable 183, REL cause 41, nothing backwards before that.
# $2 names the case, $3 who released in the CDR.
cot_failure() {
	_before=$(sim_val cause_41)
	sed -e "s/@CAUSE@/41/" "$xml/i2s_precond_cancel.xml" > "$work/precond_cancel.xml"
	uas_start "$work/precond_cancel.xml"
	sim_cmd "simulator call 4940999888 continuity $1 500"
	uas_wait "isup2sip $2"
	n=$((n + 1))
	settled_total $n "isup2sip $2"
	[ "$(sim_val cause_41)" -eq $((_before + 1)) ] || fail "$2: pstnsim did not see cause 41"
	grep -q "before the COT" "$work/pstnsim.log" && fail "$2: a backward message reached pstnsim before its COT"
	cdr_last_has isup2sip 41 "$3" no
}

# 2. COT failed (the check on a previous circuit failed)
cot_failure previous-fail "COT failed" isup
echo "ok: isup2sip, COT failed: CANCEL with Reason cause 41, REL cause 41, CDR line"

# 3. no COT: mgcfd's T8
cot_failure previous-none "no COT" mgcf
echo "ok: isup2sip, no COT: T8 at mgcfd, CANCEL with Reason cause 41, REL cause 41, CDR line"

# No answer: the IMS rings (180) and never answers; the call is released with cause 19 and mgcfd CANCELs the INVITE
# with Reason cause 19.  $1 names the case, $2 who releases: pstnsim (its T9, REL towards mgcfd) or mgcf (mgcfd's
# own no-answer supervision, REL towards pstnsim).
no_answer() {
	_before=$(sim_val cause_19)
	_alerted=$(sim_val out_alerted)
	_by_peer=$(sim_val released_by_peer)
	sed -e "s/@CAUSE@/19/" "$xml/i2s_cancel.xml" > "$work/ring_cancel.xml"
	UAS_TIMEOUT_S=150 uas_start "$work/ring_cancel.xml"
	sim_cmd "simulator call 4940999888"
	uas_wait "isup2sip $1"
	n=$((n + 1))
	settled_total $n "isup2sip $1"
	[ "$(sim_val cause_19)" -eq $((_before + 1)) ] || fail "$1: the call was not released with cause 19"
	[ "$(sim_val out_alerted)" -eq $((_alerted + 1)) ] || fail "$1: pstnsim saw no ACM"
	if [ "$2" = pstnsim ]; then
		[ "$(sim_val released_by_peer)" -eq "$_by_peer" ] || fail "$1: pstnsim did not release itself"
		cdr_last_has isup2sip 19 isup no
	else
		[ "$(sim_val released_by_peer)" -eq $((_by_peer + 1)) ] || fail "$1: mgcfd sent no REL"
		cdr_last_has isup2sip 19 mgcf no
	fi
}

# 4. T9 at pstnsim (60 s) runs out before mgcfd's no-answer supervision (mgcf T3, 180 s)
no_answer "no answer, T9" pstnsim
echo "ok: isup2sip, no answer: T9 at pstnsim, REL cause 19, CANCEL with Reason cause 19, CDR line"

# 5. mgcfd's own no-answer supervision at its least value (10 s), before pstnsim's T9
vty "$mgcf_vty" enable "configure terminal" "timer mgcf T3 10" > /dev/null
no_answer "no answer, mgcfd's supervision" mgcf
echo "ok: isup2sip, no answer: mgcfd's supervision, REL cause 19 to pstnsim, CANCEL with Reason cause 19, CDR line"

iw_stop
exit 0
