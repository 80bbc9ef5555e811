#!/bin/sh
# mgcfd <-> pstnsim on loopback, over M3UA/TCP (issue: ISUP stack over M3UA, circuit supervision, pstnsim):
#  - the association comes up and GRS over all configured circuits completes;
#  - blocking from either side shows in `show isup circuits` on both (LM here, RM there);
#  - a restart of pstnsim takes the association down and back, the circuits are reset again (GRS), local
#    blocking is re-announced, and no circuit is left in a transient state;
#  - calls from pstnsim cross the association and every circuit returns to idle.
. "${top_srcdir}/tests/common/testlib.sh"

IW_NO_SIPP=1
. "${top_srcdir}/tests/scenario/iw_lib.sh"

# the shipped configurations, moved to free ports; calls from pstnsim find no route to the IMS here (prefix 0000)
iw_configs
sed -i -e 's|^\(\turi = "sip:{e164}\)|\tprefix = "0000"\n\1|' "$work/mgcfd.conf"

start_sim() {
	"$bin/pstnsim" -c "$work/pstnsim.conf" "$@" >> "$work/pstnsim.log" 2>&1 &
	sim_pid=$!
	track_pid $sim_pid
	wait_port "$sim_vty" 100 || fail "pstnsim VTY never came up"
}

counter_is() { [ "$(counter "$1" "$2")" = "$3" ]; }
# CIC line of `show isup circuits`: "pstn  5  IDLE  LM RM LH RH  pending"
cic_line() { vty "$1" "show isup circuits pstn" | awk -v c="$2" '$2 == c'; }
cic_has() { cic_line "$1" "$2" | grep -q -- "$3"; }
cic_lacks() { ! cic_line "$1" "$2" | grep -q -- "$3"; }

start_sim
"$bin/mgcfd" -c "$work/mgcfd.conf" > "$work/mgcfd.log" 2>&1 &
mgcf_pid=$!
track_pid $mgcf_pid
wait_port "$mgcf_vty" 100 || fail "mgcfd VTY never came up"

until_ok 100 active "$mgcf_vty" || fail "association not active at mgcfd"
until_ok 100 active "$sim_vty" || fail "association not active at pstnsim"
until_ok 100 counter_is "$sim_vty" isup:grs_rx 1 || fail "pstnsim received no GRS"
until_ok 100 all_idle "$mgcf_vty" || fail "circuits not idle after GRS at mgcfd"
until_ok 100 all_idle "$sim_vty" || fail "circuits not idle after GRS at pstnsim"
[ "$(vty "$mgcf_vty" "show isup circuits" | awk 'NR > 1' | wc -l)" -eq 31 ] || fail "mgcfd does not show 31 circuits"
echo "ok: association up, GRS over 31 circuits, all idle"

# blocking from pstnsim: LM there, RM here
vty "$sim_vty" "enable" "isup block pstn 5" > /dev/null
until_ok 50 cic_has "$mgcf_vty" 5 " RM " || fail "CIC 5 not remotely blocked at mgcfd: $(cic_line "$mgcf_vty" 5)"
until_ok 50 cic_has "$sim_vty" 5 "LM " || fail "CIC 5 not locally blocked at pstnsim: $(cic_line "$sim_vty" 5)"
until_ok 50 cic_lacks "$sim_vty" 5 "BLA" || fail "CIC 5: BLA never came: $(cic_line "$sim_vty" 5)"
# blocking from mgcfd: LM here, RM there
vty "$mgcf_vty" "enable" "isup block pstn 7" > /dev/null
until_ok 50 cic_has "$sim_vty" 7 " RM " || fail "CIC 7 not remotely blocked at pstnsim: $(cic_line "$sim_vty" 7)"
until_ok 50 cic_has "$mgcf_vty" 7 "LM " || fail "CIC 7 not locally blocked at mgcfd: $(cic_line "$mgcf_vty" 7)"
echo "ok: blocking from either side shows on both"

# restart pstnsim: down, back up, reset again, local blocking re-announced
kill -TERM "$sim_pid"
wait "$sim_pid"
untrack_pid "$sim_pid"
until_ok 100 sh -c "! $VTYCMD $mgcf_vty 'show m3ua' | head -1 | grep -q ', ACTIVE\$'" ||
	fail "mgcfd did not notice the association going down"
echo "ok: association down at mgcfd while pstnsim is away"
start_sim
until_ok 150 active "$mgcf_vty" || fail "association not active again at mgcfd"
until_ok 100 counter_is "$sim_vty" isup:grs_rx 1 || fail "the new pstnsim received no GRS"
until_ok 100 cic_has "$sim_vty" 7 " RM " || fail "CIC 7 blocking not re-announced: $(cic_line "$sim_vty" 7)"
until_ok 100 cic_lacks "$mgcf_vty" 5 " RM " || fail "CIC 5 still remotely blocked at mgcfd after the reset"
until_ok 100 all_idle "$mgcf_vty" || fail "circuits left in a transient state at mgcfd"
until_ok 100 all_idle "$sim_vty" || fail "circuits left in a transient state at pstnsim"
echo "ok: restart: association down and up, GRS again, blocking re-announced, all idle"

# pstnsim drops its association and restores it: mgcfd sees it go and come back, and resets again
vty "$sim_vty" "enable" "simulator association mgcf drop" > /dev/null
until_ok 100 sh -c "! $VTYCMD $mgcf_vty 'show m3ua' | head -1 | grep -q ', ACTIVE\$'" ||
	fail "mgcfd did not notice the dropped association"
vty "$sim_vty" "enable" "simulator association mgcf restore" > /dev/null
until_ok 150 active "$mgcf_vty" || fail "association not restored at mgcfd"
until_ok 100 counter_is "$sim_vty" isup:grs_rx 2 || fail "no GRS after the association was restored"
until_ok 100 all_idle "$mgcf_vty" || fail "circuits not idle after the restored association"
echo "ok: association dropped and restored from pstnsim's VTY; circuits reset again"

# calls from pstnsim cross to mgcfd (whose route to the IMS is narrowed to prefix 0000 here: no route, cause 3)
vty "$sim_vty" "enable" "simulator call 4940999888 5 10" > /dev/null
until_ok 100 sh -c "$VTYCMD $sim_vty 'show simulator' | grep -q ' released=5 '" || fail "calls did not complete"
vty "$sim_vty" "show simulator" | grep -q " out=5 " || fail "pstnsim sent no 5 IAMs"
until_ok 50 all_idle "$mgcf_vty" || fail "circuits not idle after calls at mgcfd"
until_ok 50 all_idle "$sim_vty" || fail "circuits not idle after calls at pstnsim"
echo "ok: 5 calls crossed the association; all circuits idle afterwards"

iw_stop
exit 0
