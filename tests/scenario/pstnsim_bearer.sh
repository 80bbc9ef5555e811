#!/bin/sh
# pstnsim's bearer side, two pstnsims bearer to bearer over real CESoPSN on 127.0.0.1, for A-law and µ-law:
#  (1) continuity required: the near end's IAM asks for the check, the far end loops the timeslot, the 2000 Hz
#      test runs through both media planes, COT(success) lets the call complete;
#  (3) digits played in-band at one end are detected at the other, in order, both ways;
#  (4) tones played at one end are detected and named at the other: busy (its cadence), SIT, 2000 Hz;
#  (5) what one end hears is recorded (WAV, raw) and played back: the other end hears it;
# and at the end no circuit is left non-idle, no call and no media channel on either side.
. "${top_srcdir}/tests/common/testlib.sh"
. "${top_srcdir}/tests/scenario/pstnsim_bearer_lib.sh"

run() {
	law=$1
	start_both "" "continuity = required"
	vty "$near_vty" "enable" "simulator call 4930111" > /dev/null
	until_ok 100 eval '[ -n "$(call_cic "$near_vty" ANSWERED)" ]' || fail "$law: the call was not answered"
	cic=$(call_cic "$near_vty" ANSWERED)
	report_has "$near_vty" "cot_ok=1" || fail "$law: no successful continuity test: $(vty "$near_vty" "show simulator")"
	report_has "$near_vty" "cot_failed=0" || fail "$law: a continuity test failed"
	grep -q "pstn CIC $cic: continuity check: loop connected" "$work/far.log" || fail "$law: the far end did not loop"
	[ "$(counter "$near_vty" "isup:cot_failures")" = 0 ] || fail "$law: isup:cot_failures is not 0"
	echo "ok: $law: continuity check on CIC $cic successful, call answered"

	# (3) digits, both ways
	vty "$near_vty" "enable" "simulator cic pstn $cic play-digits 1234567890*#" > /dev/null
	until_ok 60 cic_show_has "$far_vty" "$cic" "^digits: 1234567890\*#\$" ||
		fail "$law: digits not detected at the far end: $(vty "$far_vty" "show simulator cic pstn $cic")"
	vty "$far_vty" "enable" "simulator cic pstn $cic play-digits 4711ABCD" > /dev/null
	until_ok 60 cic_show_has "$near_vty" "$cic" "^digits: 4711ABCD\$" ||
		fail "$law: digits not detected at the near end: $(vty "$near_vty" "show simulator cic pstn $cic")"
	report_has "$far_vty" "digits_rx=12" || fail "$law: far end digits_rx is not 12"
	report_has "$near_vty" "digits_rx=8" || fail "$law: near end digits_rx is not 8"
	echo "ok: $law: in-band digits detected in order both ways"

	# (4) tones: busy (ITU plan: 425 Hz, 500 ms on / 500 ms off), SIT, then the 2000 Hz tone for a second
	vty "$far_vty" "enable" "simulator cic pstn $cic play-tone busy" > /dev/null
	until_ok 60 cic_show_has "$near_vty" "$cic" "busy(425Hz/[0-9]*ms) busy(425Hz/[0-9]*ms)" ||
		fail "$law: busy tone not detected: $(vty "$near_vty" "show simulator cic pstn $cic")"
	vty "$far_vty" "enable" "simulator cic pstn $cic play-tone sit" > /dev/null
	until_ok 60 cic_show_has "$near_vty" "$cic" "sit(950Hz/[0-9]*ms) sit(1400Hz/[0-9]*ms) sit(1800Hz/[0-9]*ms)" ||
		fail "$law: SIT not detected: $(vty "$near_vty" "show simulator cic pstn $cic")"
	vty "$far_vty" "enable" "simulator cic pstn $cic play-tone cot" > /dev/null
	sleep 1
	vty "$far_vty" "enable" "simulator cic pstn $cic play-tone none" > /dev/null
	until_ok 30 cic_show_has "$near_vty" "$cic" "cot(2000Hz/[0-9]*ms)" ||
		fail "$law: 2000 Hz not detected: $(vty "$near_vty" "show simulator cic pstn $cic")"
	# the busy bursts last 500 ms give or take a detector block (20 ms) at each edge
	vty "$near_vty" "show simulator cic pstn $cic" | grep '^tones:' | tr ' ' '\n' |
		sed -n 's/^busy(425Hz\/\([0-9]*\)ms)$/\1/p' | while read -r ms; do
			[ "$ms" -ge 440 ] && [ "$ms" -le 560 ] || { echo "busy burst of $ms ms"; exit 1; }
		done || fail "$law: busy cadence off"
	echo "ok: $law: $(vty "$near_vty" "show simulator cic pstn $cic" | grep '^tones:' | cut -c1-150)..."

	# (5) record what the far end sends (its busy tone) and play the recording back to it: it hears busy tone
	# (WAV in the A-law run, raw samples in the µ-law run)
	rec="$work/rec-$law.$2"
	vty "$near_vty" "enable" "simulator cic pstn $cic record $rec" > /dev/null
	vty "$far_vty" "enable" "simulator cic pstn $cic play-tone busy" > /dev/null
	sleep 3.2
	vty "$far_vty" "enable" "simulator cic pstn $cic play-tone none" > /dev/null
	vty "$near_vty" "enable" "simulator cic pstn $cic stop-recording" > /dev/null
	if [ "$2" = wav ]; then
		# RIFF size = data size + 36, data size = what follows the 44-octet header
		until_ok 20 eval '[ "$(od -An -tu4 -j40 -N4 "$rec" | tr -d " ")" -ge 48000 ]' ||
			fail "$law: WAV data size not filled in: $(od -An -tu4 -j4 -N4 "$rec") $(od -An -tu4 -j40 -N4 "$rec")"
		[ "$(od -An -tu4 -j4 -N4 "$rec" | tr -d " ")" = $(($(stat -c %s "$rec") - 8)) ] || fail "$law: RIFF size"
		[ "$(od -An -tu4 -j40 -N4 "$rec" | tr -d " ")" = $(($(stat -c %s "$rec") - 44)) ] || fail "$law: data size"
	fi
	until_ok 20 eval '[ "$(stat -c %s "$rec")" -ge 48000 ]' || fail "$law: recording too short"
	vty "$near_vty" "enable" "simulator cic pstn $cic play $rec" > /dev/null
	until_ok 60 cic_show_has "$far_vty" "$cic" "busy(425Hz/[0-9]*ms) busy(425Hz/[0-9]*ms)" ||
		fail "$law: the recording played back is no busy tone: $(vty "$far_vty" "show simulator cic pstn $cic")"
	echo "ok: $law: recorded ($2, $(stat -c %s "$rec") octets) and played back: the far end hears busy tone"

	vty "$near_vty" "enable" "simulator cic pstn $cic release" > /dev/null
	check_clean
	echo "ok: $law: all circuits idle, no call and no media channel left"
	stop_both
}

run alaw wav
run ulaw raw
exit 0
