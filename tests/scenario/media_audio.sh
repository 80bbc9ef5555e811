#!/bin/sh
# Audio through mgcfd, both directions, both trunk laws and both IMS codecs (so transcoding runs where they differ:
# PCMA/A-law, PCMU/A-law, PCMA/µ-law, PCMU/µ-law): sipp calls pstnsim through mgcfd offering one codec; the IMS
# media end is audiotool's RTP end point, pstnsim answers and plays/records on the call's bearer (on-answer).
#  - PSTN -> IMS: pstnsim plays 1004 Hz at -10 dBm0 then 2804 Hz at -20 dBm0 (1 s each); audiotool records the
#    RTP (decoded by its PT) and must hear both bursts at the right frequency (±1 %) and level (±1 dB), ~1 s each;
#  - IMS -> PSTN: audiotool sends 1004 Hz at -10 dBm0 then 604 Hz at -25 dBm0 over RTP to the port of mgcfd's
#    SDP answer; pstnsim's recording of the timeslot must hold both bursts the same way;
#  - mgcfd answers with the offered codec and sends from the port it announced;
#  - after each call: no call, no media channel and every circuit idle at both ends, one more CDR line.
. "${top_srcdir}/tests/common/testlib.sh"
. "${top_srcdir}/tests/scenario/media_lib.sh"

"$audiotool" gen "$work/to_ims.wav" 0/300 1004@-10/1000 0/500 2804@-20/1000 0/700 || fail "audiotool gen"
"$audiotool" gen "$work/to_pstn.wav" 0/300 1004@-10/1000 0/500 604@-25/1000 0/700 || fail "audiotool gen"

# check_bursts WHAT FILE "F1 L1 F2 L2": exactly two bursts of 1 s ± 100 ms, at F (±1 %) and L dBm0 (±1 dB), tones
# (≥ 90 % of their power at F)
check_bursts() {
	"$audiotool" analyze "$2" > "$work/analysis.txt" || fail "$1: cannot analyse $2"
	awk -v want="$3" 'BEGIN { split(want, w, " ") }
		/^burst/ { n++; d = $7; f = $10; l = $13; p = $16; wf = w[2 * n - 1]; wl = w[2 * n]
			   if (n > 2 || f < wf * 0.99 || f > wf * 1.01 || l < wl - 1 || l > wl + 1 || d < 0.9 || d > 1.1 ||
			       p < 0.9) bad = 1 }
		END { exit bad || n != 2 }' "$work/analysis.txt" ||
		fail "$1: expected $3 (Hz dBm0 Hz dBm0), got: $(cat "$work/analysis.txt")"
	echo "ok: $1: $(grep '^burst' "$work/analysis.txt" | sed 's/ start [0-9.]* s//' | tr '\n' ' ')"
}

for law in alaw ulaw; do
	n=0
	media_start "$law" "" "	on-answer = { \"record $work/pstn-%c.wav\", \"play $work/to_ims.wav\" }"
	for codec in ${CODECS:-8:PCMA 0:PCMU}; do
		pt=${codec%%:*}
		name="$law trunk, ${codec##*:}"
		rm -f "$work"/pstn-*.wav "$work/ims.wav"
		"$audiotool" rtp --local "$ims_rtp" --peer-file "$work/peer" --pt "$pt" --play "$work/to_pstn.wav" \
			--record "$work/ims.wav" --duration 30 > "$work/audiotool.out" 2>&1 &
		at_pid=$!
		track_pid "$at_pid"
		uac "$xml/media_uac.xml" +4930123456 "$pt" "${codec##*:}" 4500 || fail "$name: sipp failed"
		kill -TERM "$at_pid"
		wait "$at_pid" || fail "$name: audiotool failed: $(cat "$work/audiotool.out")"
		untrack_pid "$at_pid"
		n=$((n + 1))
		settled $n
		until_ok 50 sim_has "media_channels=0" || fail "$name: media channels left at pstnsim"

		# mgcfd sent the offered codec from the port it announced, and got ours
		grep -Eq "^rx [0-9]+ packets \([0-9]+ audio pt $pt, 0 other\) from 127.0.0.1:$(cat "$work/peer");" \
			"$work/audiotool.out" || fail "$name: RTP from mgcfd: $(cat "$work/audiotool.out") (answer port $(cat "$work/peer"))"
		[ "$(sed -n 's/.*; tx \([0-9]*\) packets.*/\1/p' "$work/audiotool.out")" -ge 150 ] ||
			fail "$name: audiotool sent too little: $(cat "$work/audiotool.out")"
		check_bursts "$name, PSTN -> IMS" "$work/ims.wav" "1004 -10 2804 -20"
		set -- "$work"/pstn-*.wav
		[ -f "$1" ] || fail "$name: pstnsim recorded nothing"
		check_bursts "$name, IMS -> PSTN" "$1" "1004 -10 604 -25"
	done
	media_stop
done
exit 0
