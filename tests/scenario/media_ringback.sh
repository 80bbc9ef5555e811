#!/bin/sh
# Ringing tone through mgcfd (issue 6, acceptance): pstnsim calls the IMS, a sipp UAS answers 180 without SDP
# and 200 some seconds later.  While it rings mgcfd plays the trunk group's ringing tone on the timeslot, and
# pstnsim's caller hears it: bursts of the plan's frequencies, told from other tones by their cadence (on time
# and the silence to the next burst).  Once the 200 is there the tone stops: nothing more is heard.  Run for
# the ITU plan (425 Hz, 1 s on / 4 s off) and the British one (400+450 Hz, 0.4/0.2/0.4/2 s).
. "${top_srcdir}/tests/common/testlib.sh"
. "${top_srcdir}/tests/scenario/media_e2e_lib.sh"

sim_any_cic() { vty "$sim_vty" "show isup calls" | awk '$2 ~ /^[0-9]+$/ { print $2; exit }'; }
tones_of() { sim_cic_show "$1" | sed -n 's/^tones: //p'; }
cadences_of() { sim_cic_show "$1" | sed -n 's/^cadences: //p'; }

# $1 plan, $2 ms from 180 to 200, $3 "ON/OFF ..." pairs of the plan's ringing cadence, $4 its frequencies ("425Hz")
run() {
	MEDIA_TONE_PLAN=$1
	media_start
	sipp -sf "$xml/media_uas_answer.xml" -i 127.0.0.1 -p "$ims_port" -m 1 -d "$2" -timeout 90 -timeout_error \
	     -trace_err -error_file "$work/sipp_uas_err.log" -mp "$sipp_mp" > "$work/sipp_uas.log" 2>&1 &
	uas_pid=$!
	track_pid "$uas_pid"
	until_ok 100 udp_bound "$ims_port" || fail "$1: the sipp UAS does not listen"
	vty "$sim_vty" "enable" "simulator call 4940999888" > /dev/null
	until_ok 100 eval '[ -n "$(sim_any_cic)" ]' || fail "$1: pstnsim has no call"
	cic=$(sim_any_cic)
	until_ok 100 sim_has "out_alerted=1" || fail "$1: no ACM at pstnsim"
	# every on/off pair of the cadence, within a detector block or three of the plan's
	for pair in $3; do
		on=${pair%/*}
		off=${pair#*/}
		until_ok 150 eval 'cadences_of "$cic" | tr " " "\n" | awk -F"[(/m]" -v on="$on" -v off="$off" \
			"\$1 == \"ringback\" && \$2 >= on - 60 && \$2 <= on + 60 && \$3 >= off - 60 && \$3 <= off + 60 \
			 { ok = 1 } END { exit !ok }"' ||
			fail "$1: no ringing cadence $pair heard: tones $(tones_of "$cic"); cadences $(cadences_of "$cic")"
	done
	tones_of "$cic" | grep -q "ringback($4/[0-9]*ms)" || fail "$1: no ringback burst of $4: $(tones_of "$cic")"
	until_ok 150 eval '[ "$(sim_cic ANSWERED)" = "$cic" ]' || fail "$1: the call was not answered"
	# the burst the answer cut short is reported once it ends; after that the line does not grow
	sleep 0.5
	heard=$(tones_of "$cic")
	sleep 5.5
	[ "$(tones_of "$cic")" = "$heard" ] ||
		fail "$1: tones after the answer: before '$heard', now '$(tones_of "$cic")'"
	cadences=$(cadences_of "$cic")
	vty "$sim_vty" "enable" "simulator cic pstn $cic release" > /dev/null
	wait "$uas_pid" || fail "$1: sipp UAS failed: $(tail -5 "$work/sipp_uas.log")"
	untrack_pid "$uas_pid"
	settled "$1 ringback"
	echo "ok: $1: ringing tone heard by pstnsim's caller until the 200: cadences $cadences"
	echo "    tones: $heard"
	media_stop
}

run itu 6500 "1000/4000" 425Hz
run gb 3700 "400/200 400/2000" 400+450Hz
exit 0
