#!/bin/sh
# Audio through mgcfd, both directions, both trunk laws and both IMS codecs (so transcoding runs where they differ:
# PCMA/A-law, PCMU/A-law, PCMA/µ-law, PCMU/µ-law), on calls set up both ways: sipp calls pstnsim through mgcfd
# offering one codec (pstnsim answers and plays/records on the call's bearer: on-answer), and pstnsim calls a sipp
# UAS that answers with one codec (pstnsim plays/records from the VTY once answered).  The IMS media end is
# audiotool's RTP end point.
#  - PSTN -> IMS: pstnsim plays 1004 Hz at -10 dBm0 then 2804 Hz at -20 dBm0 (1 s each); audiotool records the
#    RTP (decoded by its PT) and must hear both tones at the right frequency (±1 %) and level (±1 dB), in order
#    (check_bursts says how much dropout a loaded machine may cause);
#  - IMS -> PSTN: audiotool sends 1004 Hz at -10 dBm0 then 604 Hz at -25 dBm0 over RTP to the port of mgcfd's
#    SDP, with timestamps that wrap in the middle of the first tone; pstnsim's recording of the timeslot must hold
#    both tones the same way;
#  - mgcfd uses the codec of the offer (sip2isup) or of the answer (isup2sip) and sends from the port it announced;
#  - after each call: no call, no media channel and every circuit idle at both ends, one more CDR line.
. "${top_srcdir}/tests/common/testlib.sh"
. "${top_srcdir}/tests/scenario/media_lib.sh"

"$audiotool" gen "$work/to_ims.wav" 0/300 1004@-10/1000 0/500 2804@-20/1000 0/700 || fail "audiotool gen"
"$audiotool" gen "$work/to_pstn.wav" 0/300 1004@-10/1000 0/500 604@-25/1000 0/700 || fail "audiotool gen"

# check_bursts WHAT FILE "F1 L1 F2 L2": tone 1 then tone 2, each a clean tone (≥ 90 % of a burst's power) at F ± 1 %,
# its longest burst at L dBm0 ± 1 dB, nothing clean at another frequency.  On a loaded machine a burst may come in
# pieces (a media thread held up for longer than its buffers hold: loss concealment, then silence), so the pieces
# are summed (at least 300 ms of the 1 s sent, the longest at least 200 ms) and debris that is no clean tone is
# counted, not failed.
check_bursts() {
	"$audiotool" analyze "$2" > "$work/analysis.txt" || fail "$1: cannot analyse $2"
	awk -v want="$3" 'BEGIN { split(want, w, " ") }
		/^burst/ { d = $7; f = $10; l = $13; p = $16; m = 0
			   if (p < 0.9) { debris++; next }
			   for (i = 1; i <= 2; i++)
				if (f >= w[2 * i - 1] * 0.99 && f <= w[2 * i - 1] * 1.01) m = i
			   if (!m) { if (d >= 0.2) bad = bad " unexpected " f " Hz for " d " s;"; next }
			   if (m < last) bad = bad " tone " m " after tone " last ";"
			   last = m; dur[m] += d; pieces[m]++
			   if (d > best[m]) { best[m] = d; lev[m] = l } }
		END { for (i = 1; i <= 2; i++) {
			if (dur[i] < 0.3 || dur[i] > 1.1) bad = bad " tone " i " lasted " dur[i] + 0 " s;"
			if (best[i] < 0.2 || lev[i] < w[2 * i] - 1 || lev[i] > w[2 * i] + 1)
				bad = bad " tone " i " at " lev[i] " dBm0;" }
		      if (bad) { print bad; exit 1 }
		      if (pieces[1] + pieces[2] > 2 || debris)
			print "(in " pieces[1] + pieces[2] " pieces, " debris + 0 " bursts of debris: dropouts)" }' \
		"$work/analysis.txt" > "$work/verdict.txt" ||
		fail "$1: expected $3 (Hz dBm0 Hz dBm0):$(cat "$work/verdict.txt") $(cat "$work/analysis.txt")"
	echo "ok: $1: $(grep '^burst' "$work/analysis.txt" | sed 's/ start [0-9.]* s//' | tr '\n' ' ')" \
	     "$(cat "$work/verdict.txt")"
}

# isup2sip: pstnsim calls the IMS (sipp UAS answering with PT $1, CODEC $2); once answered, pstnsim plays and
# records on the call's circuit
i2s_call() {
	sed -e "s/@RTPPORT@/$ims_rtp/" -e "s/@PT@/$1/g" -e "s/@CODEC@/$2/" -e "s/@HOLD@/4500/" -e "s/@LEAD@/800/" \
	    -e "s|@PEERFILE@|$work/peer|" "$xml/media_uas.xml" > "$work/uas.xml"
	answered=$(vty "$sim_vty" "show simulator" | sed -n "s/.* out_answered=\([0-9]*\).*/\1/p")
	sipp -sf "$work/uas.xml" -i 127.0.0.1 -p "$ims_port" -mp "$((sipp_mp + 100))" -m 1 -timeout 60 -timeout_error \
	     -trace_err -error_file "$work/sipp_err.log" > "$work/uas.out" 2>&1 &
	uas_pid=$!
	track_pid "$uas_pid"
	sleep 0.5	# sipp binds its port (mgcfd would retransmit the INVITE anyway)
	vty "$sim_vty" "enable" "simulator call 4940999888" > /dev/null
	until_ok 100 sim_has "out_answered=$((${answered:-0} + 1))" || fail "$name: pstnsim's call was not answered"
	cic=$(vty "$sim_vty" "show isup calls" | awk '$4 == "ANSWERED" { print $2; exit }')
	vty "$sim_vty" "enable" "simulator cic pstn $cic record $work/pstn-$cic.wav" \
		"simulator cic pstn $cic play $work/to_ims.wav" > /dev/null
	wait "$uas_pid" || fail "$name: sipp UAS failed: $(tail -5 "$work/uas.out")"
	untrack_pid "$uas_pid"
}

for law in alaw ulaw; do
	n=0
	media_start "$law" "" "	on-answer = { \"record $work/pstn-%c.wav\", \"play $work/to_ims.wav\" }"
	for call in ${CALLS:-s2i:8:PCMA s2i:0:PCMU i2s:8:PCMA i2s:0:PCMU}; do
		dir=${call%%:*}
		codec=${call#*:}
		pt=${codec%%:*}
		name="$dir, $law trunk, ${codec##*:}"
		# the previous call's answer port must not be taken for this one's
		rm -f "$work"/pstn-*.wav "$work/ims.wav" "$work/peer"
		# RTP timestamps that wrap 0.8 s into the stream, in the middle of the first tone: at 2^32 on calls
		# to the PSTN, at 2^31 (where SpanDSP's signed timestamp_t wraps) on calls from it
		[ "$dir" = s2i ] && ts=0xffffe700 || ts=0x7fffe700
		"$audiotool" rtp --local "$ims_rtp" --peer-file "$work/peer" --pt "$pt" --ts "$ts" \
			--play "$work/to_pstn.wav" --record "$work/ims.wav" --duration 30 > "$work/audiotool.out" 2>&1 &
		at_pid=$!
		track_pid "$at_pid"
		if [ "$dir" = s2i ]; then
			uac "$xml/media_uac.xml" +4930123456 "$pt" "${codec##*:}" 4500 || fail "$name: sipp failed"
		else
			i2s_call "$pt" "${codec##*:}"
		fi
		kill -TERM "$at_pid"
		wait "$at_pid" || fail "$name: audiotool failed: $(cat "$work/audiotool.out")"
		untrack_pid "$at_pid"
		n=$((n + 1))
		settled $n
		until_ok 50 sim_has "media_channels=0" || fail "$name: media channels left at pstnsim"

		# mgcfd sent the negotiated codec from the port it announced, and got ours
		port=$(cat "$work/peer")
		rtp_re="^rx [0-9]+ packets \([0-9]+ audio pt $pt, 0 other\) from 127.0.0.1:$port;"
		rtp_re="$rtp_re .* to 127.0.0.1:$port\$"
		grep -Eq "$rtp_re" "$work/audiotool.out" ||
			fail "$name: RTP with mgcfd: $(cat "$work/audiotool.out") (port $port)"
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
