#!/bin/sh
# Ringing tone through mgcfd (issue 6, acceptance): pstnsim calls the IMS, a sipp UAS answers 180 without SDP
# and 200 some seconds later.  While it rings mgcfd plays the trunk group's ringing tone on the timeslot, and
# pstnsim's caller hears it: bursts of the plan's frequencies, told from other tones by their cadence (on time
# and the silence to the next burst).  Once the 200 is there the tone stops: nothing more is heard.  Run for
# the ITU plan (425 Hz, 1 s on / 4 s off) and the British one (400+450 Hz, 0.4/0.2/0.4/2 s).  A 180 with SDP (early
# media from the IMS) gets no ringing tone.
. "${top_srcdir}/tests/common/testlib.sh"
. "${top_srcdir}/tests/scenario/iw_lib.sh"

tones_of() { sim_cic_show "$1" | sed -n 's/^tones: //p'; }
cadences_of() { sim_cic_show "$1" | sed -n 's/^cadences: //p'; }

# $1 plan, $2 ms from 180 to 200, $3 "ON/OFF ..." pairs of the plan's ringing cadence, $4 its frequencies ("425Hz").
# The ringing lasts two or three cadence periods: on a loaded machine a span packet late past the reorder window
# breaks a burst (seen under AddressSanitizer with make -j2), and each pair needs to be heard whole once.
run() {
	IW_TONE_PLAN=$1
	iw_start
	uas_and_call "$xml/media_uas_answer.xml" "$2"
	until_ok 100 eval '[ -n "$(sim_cic)" ]' || fail "$1: pstnsim has no call"
	cic=$(sim_cic)
	until_ok 100 sim_has "out_alerted=1" || fail "$1: no ACM at pstnsim"
	# every on/off pair of the cadence, within a detector block or three of the plan's
	for pair in $3; do
		on=${pair%/*}
		off=${pair#*/}
		until_ok 250 eval 'cadences_of "$cic" | tr " " "\n" | awk -F"[(/m]" -v on="$on" -v off="$off" \
			"\$1 == \"ringback\" && \$2 >= on - 60 && \$2 <= on + 60 && \$3 >= off - 60 && \$3 <= off + 60 \
			 { ok = 1 } END { exit !ok }"' ||
			fail "$1: no ringing cadence $pair: tones $(tones_of "$cic"); cadences $(cadences_of "$cic")"
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
	uas_done "$1"
	settled "$1 ringback"
	echo "ok: $1: ringing tone heard by pstnsim's caller until the 200: cadences $cadences"
	echo "    tones: $heard"
	iw_stop
}

run itu 11500 "1000/4000" 425Hz
run gb 9700 "400/200 400/2000" 400+450Hz

# early media: the 180 carries the SDP answer, the IMS side gives the caller its own ringing: mgcfd plays none
IW_TONE_PLAN=itu
iw_start
uas_and_call "$xml/media_uas_early.xml" 6000
until_ok 100 eval '[ -n "$(sim_cic)" ]' || fail "early media: pstnsim has no call"
cic=$(sim_cic)
until_ok 100 sim_has "out_alerted=1" || fail "early media: no ACM at pstnsim"
until_ok 150 eval '[ "$(sim_cic ANSWERED)" = "$cic" ]' || fail "early media: the call was not answered"
[ -z "$(tones_of "$cic")" ] || fail "early media: pstnsim heard tones: $(tones_of "$cic")"
! grep -q "ringing tone on" "$work/mgcfd.log" || fail "early media: mgcfd played ringing tone"
vty "$sim_vty" "enable" "simulator cic pstn $cic release" > /dev/null
uas_done "early media"
settled "early media"
echo "ok: 180 with SDP (early media): no ringing tone from mgcfd, nothing heard by pstnsim in 6 s of alerting"
iw_stop
exit 0
