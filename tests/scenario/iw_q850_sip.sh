#!/bin/sh
# Every row of the Q.850 -> SIP table (sip2isup, REL before the final response): for each cause value 1..127 one
# call to pstnsim's 990CCC, which releases with cause CCC before any ACM; sipp must get the status the standard
# gives, with Reason: Q.850;cause=CCC.  Congestion (34, 42, 44) is tried once more on another circuit: two IAMs.
# After every call: `show calls` empty, every CIC idle at both ends, the call's CDR line.
#
# The statuses are written here from the standard, not read from mgcf/mgcf_cause.c, so that a wrong row fails:
# TS 29.163's REL cause table (standards.md §4(c); where it and RFC 3398 differ, 29.163 wins: 18 -> 480, no 503
# for the resource class, 500 for the service, implementation and invalid-message classes).  A cause without a
# row of its own is treated as its class's "unspecified" cause (31, 47, 63, 79, 95, 111, 127).
. "${top_srcdir}/tests/common/testlib.sh"
. "${top_srcdir}/tests/scenario/iw_lib.sh"

# expected_status CAUSE
expected_status() {
	case $1 in
	1|2|3|5|25) echo 404 ;;		# unallocated number, no route, misdialled prefix, exchange routing error
	4|8|9|29) echo 500 ;;		# special information tone, preemption, facility rejected
	17) echo 486 ;;			# user busy
	18|19|20|21|31) echo 480 ;;	# no user responding, no answer, subscriber absent, call rejected, normal
	22|23) echo 410 ;;		# number changed, redirection to new destination
	27) echo 502 ;;			# destination out of order
	28) echo 484 ;;			# invalid number format (address incomplete)
	34|42|47) echo 480 ;;		# no circuit, switching equipment congestion, resource unavailable
	38|41) echo 500 ;;		# network out of order, temporary failure
	102) echo 504 ;;		# recovery on timer expiry
	*)
		# no row: the class's unspecified cause (normal 31 and resource 47: 480; all later classes: 500)
		if [ $(($1 >> 4)) -le 2 ]; then echo 480; else echo 500; fi
		;;
	esac
}

iw_start

for cause in $(seq 1 127); do
	status=$(expected_status "$cause")
	number=990$(printf %03u "$cause")
	case $cause in 34|42|44) attempts=2 ;; *) attempts=1 ;; esac
	in_before=$(sim_val in)
	uac "$(scenario_xml iw_uac_reject "s/@STATUS@/$status/" "s/@CAUSE@/$cause/")" "+$number" ||
		fail "cause $cause: sipp did not get $status with Reason: Q.850;cause=$cause:" \
		     "$(grep -m1 "SIP/2.0 [3-6]" "$work/sipp_err.log")"
	settled "cause $cause"
	sim_is in $((in_before + attempts)) ||
		fail "cause $cause: expected $attempts IAM(s) at pstnsim: $(vty "$sim_vty" "show simulator")"
	cdr_has "+$number" sip2isup "$cause" isup no
	echo "ok: REL cause $cause -> $status with Reason: Q.850;cause=$cause ($attempts IAM(s)), CDR line"
done

iw_stop
exit 0
