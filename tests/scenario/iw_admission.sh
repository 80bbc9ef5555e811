#!/bin/sh
# Admission and OPTIONS (issue 5; RFC 3261 §11, §21.5.4): mgcfd answers OPTIONS with its state, and refuses
# INVITEs it cannot carry with 503 + Retry-After (and Reason: Q.850;cause=34):
#  1. in service: OPTIONS 200 with Allow, Accept and Supported;
#  2. the association dropped at pstnsim: OPTIONS 503 with Retry-After, INVITE 503 with Retry-After;
#  3. restored: OPTIONS 200 again;
#  4. every circuit blocked: OPTIONS 503, INVITE 503 with Retry-After; unblocked: OPTIONS 200;
#  5. the trunk group's limit (max-calls = 2) filled with two held calls: the next INVITE 503 with Retry-After,
#     OPTIONS 503; once they are released (by pstnsim): OPTIONS 200.
. "${top_srcdir}/tests/common/testlib.sh"
. "${top_srcdir}/tests/scenario/iw_lib.sh"

iw_configs
sed -i -e "s/max-calls = 0/max-calls = 2/" "$work/mgcfd.conf"
grep -q "max-calls = 2" "$work/mgcfd.conf" || fail "the test could not set max-calls"
iw_start

# OPTIONS answered with $1 (200 or 503), with the headers of that status
options() {
	if [ "$1" = 200 ]; then
		vars=allow,accept,supported
		cat > "$work/checks" <<'XML'
      <ereg regexp="INVITE.*OPTIONS" search_in="hdr" header="Allow:" check_it="true" assign_to="allow"/>
      <ereg regexp="application/sdp" search_in="hdr" header="Accept:" check_it="true" assign_to="accept"/>
      <ereg regexp="100rel" search_in="hdr" header="Supported:" check_it="true" assign_to="supported"/>
XML
	else
		vars=ra
		cat > "$work/checks" <<'XML'
      <ereg regexp="^ *[1-9][0-9]*" search_in="hdr" header="Retry-After:" check_it="true" assign_to="ra"/>
XML
	fi
	sed -e "s/@STATUS@/$1/" -e "s/@VARS@/$vars/" -e "/@CHECKS@/r $work/checks" "$xml/i2s_options.xml" |
		sed -e "/@CHECKS@/d" > "$work/options.xml"
	uac "$work/options.xml" options || fail "$2: OPTIONS not answered $1 as expected: $(tail -5 "$work/sipp.out";
		cat "$work/sipp_err.log" 2>/dev/null | tail -5)"
}
not_active() { ! active "$mgcf_vty"; }
active_calls() { vty "$mgcf_vty" "show calls" | awk 'NR > 1 && $5 == "ACTIVE"' | wc -l; }
two_active() { [ "$(active_calls)" -eq 2 ]; }

# 1. in service
options 200 "in service"
echo "ok: OPTIONS in service: 200 with Allow, Accept, Supported"

# 2. no association
sim_cmd "simulator association mgcf drop"
until_ok 100 not_active || fail "mgcfd still sees the association active"
options 503 "association down"
uac "$xml/i2s_uac_503.xml" +4930123456 || fail "association down: INVITE not refused with 503 + Retry-After"
n=$((n + 1))
until_ok 50 no_calls || fail "association down: calls left"
until_ok 50 cdr_count_is $n || fail "association down: no CDR line"
cdr_last_has sip2isup 34 mgcf no
echo "ok: association down: OPTIONS 503 with Retry-After, INVITE 503 with Retry-After and cause 34"

# 3. restored
sim_cmd "simulator association mgcf restore"
until_ok 300 active "$mgcf_vty" || fail "the association did not come back"
settled_total $n "association restored"
options 200 "association restored"
echo "ok: association restored: OPTIONS 200"

# 4. no circuit: all 31 blocked (CGB, maintenance) at mgcfd
nothing_pending() { vty "$mgcf_vty" "show isup circuits" | awk 'NR > 1 && NF > 7 { bad = 1 } END { exit bad }'; }
vty "$mgcf_vty" enable "isup block pstn 1 31" > /dev/null
until_ok 100 nothing_pending || fail "no circuit: CGB not acknowledged"
options 503 "no circuit"
uac "$xml/i2s_uac_503.xml" +4930123456 || fail "no circuit: INVITE not refused with 503 + Retry-After"
n=$((n + 1))
until_ok 50 cdr_count_is $n || fail "no circuit: no CDR line"
cdr_last_has sip2isup 34 mgcf no
vty "$mgcf_vty" enable "isup unblock pstn 1 31" > /dev/null
until_ok 100 nothing_pending || fail "no circuit: CGU not acknowledged"
settled_total $n "circuits unblocked"
options 200 "circuits unblocked"
echo "ok: no circuit (all blocked): OPTIONS 503, INVITE 503 with Retry-After; unblocked: OPTIONS 200"

# 5. the call limit: two held calls (answered by pstnsim, released by it on command below)
for i in 1 2; do
	sipp -sf "$xml/iw_uac_remote_bye.xml" -s "+4930123456" -i 127.0.0.1 -p "$(free_port)" -m 1 \
	     -recv_timeout 60000 -timeout 90 -timeout_error -mp "$((sipp_mp + 400 + i * 10))" \
	     "127.0.0.1:$sip_port" > "$work/held$i.out" 2>&1 &
	eval "held$i=\$!"
	track_pid "$!"
done
until_ok 150 two_active || fail "the two held calls are not up: $(vty "$mgcf_vty" "show calls")"
uac "$xml/i2s_uac_503.xml" +4930123456 || fail "limit: third INVITE not refused with 503 + Retry-After"
n=$((n + 1))
until_ok 50 cdr_count_is $n || fail "limit: no CDR line for the refused call"
cdr_last_has sip2isup 34 mgcf no
options 503 "limit reached"
for cic in $(vty "$mgcf_vty" "show calls" | awk 'NR > 1 && $5 == "ACTIVE" { print $4 }'); do
	sim_cmd "simulator cic pstn $cic release"
done
for pid in $held1 $held2; do
	wait "$pid" || fail "a held call's sipp failed: $(tail -5 "$work/held1.out" "$work/held2.out")"
	untrack_pid "$pid"
done
n=$((n + 2))
settled_total $n "limit"
options 200 "limit released"
echo "ok: call limit 2: third INVITE 503 with Retry-After, OPTIONS 503, then 200 once the calls are released"

iw_stop
exit 0
