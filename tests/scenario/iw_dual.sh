#!/bin/sh
# Dual seizure between mgcfd and pstnsim on the same CIC (issue 5; Q.764 §2.9.1.4), made deterministic: pstnsim
# stops reading its association for a while (`simulator association mgcf hold-rx`, what arrives is buffered),
# mgcfd sends its IAM on CIC N (sipp INVITE; ascending hunting with the CICs below N blocked makes N the first
# idle one), and pstnsim sends its own IAM on N (`simulator call ... cic N`): the two IAMs cross.
# The exchange with the higher point code (pstnsim, 2) controls the even CICs, mgcfd (1) the odd ones; the other
# side backs off and repeats its call on another circuit.  For an even and an odd CIC: both sides count the dual
# seizure, the non-controlling side logs the back-off, both calls are answered at both ends and released, the
# repeated call is on another CIC (CDR lines), and everything settles.
. "${top_srcdir}/tests/common/testlib.sh"
. "${top_srcdir}/tests/scenario/iw_lib.sh"

iw_configs
sed -i -e "s/hunting = controlled\(.*\)/hunting = ascending/" "$work/mgcfd.conf"
grep -q "hunting = ascending" "$work/mgcfd.conf" || fail "the test could not set mgcfd's hunting"
iw_start

cic_state() { vty "$1" "show isup circuits" | awk -v c="$2" '$2 == c { print $3 }'; }
cic_is() { [ "$(cic_state "$1" "$2")" = "$3" ]; }
nothing_pending() { vty "$1" "show isup circuits" | awk 'NR > 1 && NF > 7 { bad = 1 } END { exit bad }'; }
# The last two CDR lines: how many are direction $1, answered, cause 16, on CIC $2 ("=N") or not on it ("!N")
cdr_calls() {
	grep -v '^#' "$work/cdr.log" | tail -2 | awk -F, -v d="$1" -v op="$(echo "$2" | cut -c1)" -v c="${2#?}" \
		'$4 == d && $2 != "" && $9 == 16 && ((op == "=" && $6 == c) || (op == "!" && $6 != c)) { k++ }
		 END { print k + 0 }'
}

# mgcfd blocks ($2 block) or unblocks ($2 unblock) the CICs below $1: with ascending hunting $1 is its first choice
below() {
	[ "$1" -gt 1 ] || return 0
	if [ "$1" -gt 2 ]; then
		vty "$mgcf_vty" enable "isup $2 pstn 1 $(($1 - 1))" > /dev/null
	else
		vty "$mgcf_vty" enable "isup $2 pstn 1" > /dev/null
	fi
	until_ok 100 nothing_pending "$mgcf_vty" || fail "CIC $1: $2 of the CICs below not acknowledged"
}

# $1 CIC, $2 the side that controls it (pstnsim / mgcfd)
dual() {
	cic=$1
	below "$cic" block
	ds_mgcf=$(counter "$mgcf_vty" isup:dual_seizures)
	ds_sim=$(counter "$sim_vty" isup:dual_seizures)
	in_ans=$(sim_val in_answered)
	out_ans=$(sim_val out_answered)
	uas_start "$xml/iw_uas_answer_bye.xml"
	# pstnsim reads nothing for 8 s (generous on a loaded machine): mgcfd's IAM waits in its socket
	sim_cmd "simulator association mgcf hold-rx 8000"
	sipp -sf "$xml/iw_uac_bye.xml" -s "+4930123456" -i 127.0.0.1 -p "$sipp_port" -m 1 -recv_timeout 30000 \
	     -timeout 60 -timeout_error -mp "$((sipp_mp + 350))" "127.0.0.1:$sip_port" > "$work/uac.out" 2>&1 &
	uac_pid=$!
	track_pid "$uac_pid"
	until_ok 60 cic_is "$mgcf_vty" "$cic" BUSY_OUT ||
		fail "CIC $cic: mgcfd sent no IAM on it: $(vty "$mgcf_vty" "show isup circuits")"
	cic_is "$sim_vty" "$cic" IDLE || fail "CIC $cic: pstnsim read mgcfd's IAM during its hold"
	sim_cmd "simulator call 4940999888 cic $cic"
	wait "$uac_pid" || fail "CIC $cic: the sip2isup call failed: $(tail -5 "$work/uac.out")"
	untrack_pid "$uac_pid"
	uas_wait "CIC $cic: the isup2sip call"
	n=$((n + 2))
	settled_total $n "dual seizure on CIC $cic"
	[ "$(counter "$mgcf_vty" isup:dual_seizures)" -eq $((ds_mgcf + 1)) ] ||
		fail "CIC $cic: mgcfd saw no dual seizure"
	[ "$(counter "$sim_vty" isup:dual_seizures)" -eq $((ds_sim + 1)) ] ||
		fail "CIC $cic: pstnsim saw no dual seizure"
	[ "$(sim_val in_answered)" -eq $((in_ans + 1)) ] || fail "CIC $cic: pstnsim did not answer mgcfd's call"
	[ "$(sim_val out_answered)" -eq $((out_ans + 1)) ] || fail "CIC $cic: pstnsim's call was not answered"
	if [ "$2" = pstnsim ]; then
		# mgcfd backs off: its call is repeated on another CIC, pstnsim's completes on this one
		grep -q "the far end controls CIC $cic, backing off" "$work/mgcfd.log" ||
			fail "CIC $cic: mgcfd did not back off"
		grep -q "we control CIC $cic, received IAM ignored" "$work/pstnsim.log" ||
			fail "CIC $cic: pstnsim did not keep its call"
		[ "$(cdr_calls sip2isup "!$cic")" -eq 1 ] ||
			fail "CIC $cic: mgcfd's call was not repeated on another CIC"
		[ "$(cdr_calls isup2sip "=$cic")" -eq 1 ] || fail "CIC $cic: pstnsim's call did not complete on it"
	else
		grep -q "the far end controls CIC $cic, backing off" "$work/pstnsim.log" ||
			fail "CIC $cic: pstnsim did not back off"
		grep -q "we control CIC $cic, received IAM ignored" "$work/mgcfd.log" ||
			fail "CIC $cic: mgcfd did not keep its call"
		[ "$(cdr_calls sip2isup "=$cic")" -eq 1 ] || fail "CIC $cic: mgcfd's call did not complete on it"
		[ "$(cdr_calls isup2sip "!$cic")" -eq 1 ] ||
			fail "CIC $cic: pstnsim's call was not repeated on another CIC"
	fi
	below "$cic" unblock
	settled_total $n "after CIC $cic"
}

dual 2 pstnsim
echo "ok: dual seizure on even CIC 2: pstnsim (higher point code) keeps it, mgcfd repeats on another CIC"
dual 3 mgcfd
echo "ok: dual seizure on odd CIC 3: mgcfd keeps it, pstnsim repeats on another CIC"

iw_stop
exit 0
