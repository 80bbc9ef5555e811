#!/bin/sh
# DTMF end to end through mgcfd, with real clients on both sides of it (issue 6, acceptance):
#  (1) IMS -> PSTN: sipp calls through mgcfd to pstnsim and, once answered, replays sipp's RFC 4733 pcaps
#      (/usr/share/sip-tester/dtmf_2833_*.pcap, PT 101) one digit after the other; mgcfd plays them in-band
#      on the timeslot and pstnsim's detector hears the same digits, in order;
#  (2) PSTN -> IMS: pstnsim calls, a sipp UAS answers; pstnsim plays digits in-band; what mgcfd sends to the
#      UAS's RTP port, captured on lo and decoded by tshark, carries the same digits as RFC 4733 events, in
#      order, each ended by three end packets with the same timestamp and duration, and the audio packets
#      sent while a digit lasts are silence (the tone is removed when DTMF goes out of band);
# each for an A-law and a µ-law trunk; after each: no call, every CIC idle at both ends, no media channel or RTP
# port left at mgcfd.
. "${top_srcdir}/tests/common/testlib.sh"

[ "$(id -u)" -eq 0 ] || { echo "sipp's play_pcap_audio and the capture on lo need root"; exit 77; }
pcaps=/usr/share/sip-tester
[ -f "$pcaps/dtmf_2833_1.pcap" ] || { echo "sipp's DTMF pcaps are not installed"; exit 77; }
command -v tshark > /dev/null && command -v dumpcap > /dev/null || { echo "tshark is not installed"; exit 77; }

. "${top_srcdir}/tests/scenario/iw_lib.sh"
# what reached the UAS's media port: PT, marker, timestamp, event, end bit, duration, payload
rtp_fields() {
	tshark -r "$cap" -d "udp.port==$sipp_mp,rtp" -T fields -E separator=, -e rtp.p_type -e rtp.marker \
		-e rtp.timestamp -e rtpevent.event_id -e rtpevent.end_of_event -e rtpevent.duration -e rtp.payload \
		2> /dev/null
}
ends_seen() { [ "$(rtp_fields | awk -F, '$1 == 101 && $5 == 1' | wc -l)" -ge $((3 * ${#digits})) ]; }

# the trunk group's law (both ends): the RTP side stays PCMA, so µ-law also runs the transcoding
for law in ${DTMF_LAWS:-alaw ulaw}; do
	IW_LAW=$law
	iw_start

	# ---- (1) IMS -> PSTN: RFC 4733 from sipp, in-band at pstnsim ----
	# The pcaps' sequence numbers and timestamps grow in the order 1 2 ... 9 * # (0's sequence numbers come last),
	# so that replayed one after the other in that order they form one stream; each digit lasts 280 ms, then
	# about 500 ms pause.
	digits="1358*#"
	play=""
	for d in 1 3 5 8 '*' '#'; do
		case $d in '*') f=star ;; '#') f=pound ;; *) f=$d ;; esac
		play="$play<nop><action><exec play_pcap_audio=\"$pcaps/dtmf_2833_$f.pcap\"/></action></nop>"
		play="$play<pause milliseconds=\"800\"/>"
	done
	sed "s|<!-- PLAY -->|$play|" "$xml/media_uac_dtmf.xml" > "$work/uac_dtmf.xml"
	sipp -sf "$work/uac_dtmf.xml" -s +4930123456 -i 127.0.0.1 -p "$sipp_port" -m 1 -recv_timeout 60000 \
	     -timeout 90 -timeout_error -trace_err -error_file "$work/sipp_err.log" -mp "$sipp_mp" \
	     "127.0.0.1:$sip_port" > "$work/sipp_uac.log" 2>&1 &
	uac_pid=$!
	track_pid "$uac_pid"
	until_ok 150 eval '[ -n "$(sim_cic ANSWERED)" ]' || fail "$law: IMS -> PSTN: pstnsim has no answered call"
	cic=$(sim_cic ANSWERED)
	until_ok 150 sim_cic_has "$cic" "^digits: $(echo "$digits" | sed 's/\*/\\*/g')\$" ||
		fail "$law: IMS -> PSTN: pstnsim heard '$(sim_cic_show "$cic" | sed -n 's/^digits: //p')', not $digits"
	# nothing more comes: the three end packets of each digit gave one digit, not three
	sleep 0.5
	sim_cic_has "$cic" "^digits: $(echo "$digits" | sed 's/\*/\\*/g')\$" ||
		fail "$law: IMS -> PSTN: digits repeated"
	vty "$sim_vty" "enable" "simulator cic pstn $cic release" > /dev/null
	wait "$uac_pid" || fail "$law: IMS -> PSTN: sipp UAC failed: $(tail -5 "$work/sipp_uac.log")"
	untrack_pid "$uac_pid"
	settled "$law: IMS -> PSTN DTMF"
	echo "ok: $law: IMS -> PSTN: sipp's RFC 4733 digits $digits heard in-band by pstnsim on CIC $cic, in order"

	# ---- (2) PSTN -> IMS: in-band from pstnsim, RFC 4733 to the sipp UAS, checked on the wire ----
	cap="$work/pstn2ims-$law.pcapng"
	dumpcap -q -i lo -f "udp dst port $sipp_mp" -w "$cap" > "$work/dumpcap.log" 2>&1 &
	cap_pid=$!
	track_pid "$cap_pid"
	until_ok 100 grep -q "Capturing on" "$work/dumpcap.log" ||
		fail "dumpcap did not start: $(cat "$work/dumpcap.log")"
	uas_and_call "$xml/media_uas_answer.xml" 100
	until_ok 150 eval '[ -n "$(sim_cic ANSWERED)" ]' || fail "$law: PSTN -> IMS: the call was not answered"
	cic=$(sim_cic ANSWERED)
	digits="4711*#0290"
	vty "$sim_vty" "enable" "simulator cic pstn $cic play-digits $digits" > /dev/null
	until_ok 150 eval '! sim_cic_has "$cic" "digits still to play"' ||
		fail "$law: PSTN -> IMS: pstnsim did not play"
	until_ok 150 ends_seen ||
		fail "$law: PSTN -> IMS: not all end packets captured: $(rtp_fields | awk -F, '$1 == 101' | tail -5)"
	sleep 0.3	# anything more (a digit twice, a fourth end packet) would be in the capture by now
	kill -INT "$cap_pid"
	wait "$cap_pid"
	untrack_pid "$cap_pid"
	rtp_fields > "$work/rtp.csv"
	# one line per event (by timestamp, in order): digit, marker of its first packet, end packets, their durations
	awk -F, '$1 == 101 {
			if (!($3 in n)) { order[++k] = $3; first_m[$3] = $2; ev[$3] = $4 }
			n[$3]++
			if ($5 == 1) { ends[$3]++; durs[$3] = durs[$3] " " $6 }
		}
		END {
			split("0 1 2 3 4 5 6 7 8 9 * # A B C D", name, " ")
			for (i = 1; i <= k; i++) {
				t = order[i]
				print name[ev[t] + 1], first_m[t], ends[t] + 0, durs[t]
			}
		}' "$work/rtp.csv" > "$work/events.txt"
	got=$(awk '{ printf "%s", $1 }' "$work/events.txt")
	[ "$got" = "$digits" ] ||
		fail "$law: PSTN -> IMS: RFC 4733 events carry '$got', pstnsim played $digits:" \
		     "$(cat "$work/events.txt")"
	# RFC 4733 §2.5.1: the first packet of an event has the marker bit; the end is sent three times, same duration.
	# The durations are what the detector heard of pstnsim's 80 ms tones: 60-80 ms here, less when the loaded
	# machine delays span packets past the reorder window (the digit is cut short); 20 ms is the floor of a digit.
	awk '$2 != 1 || $3 != 3 || $4 != $5 || $5 != $6 || $4 < 160 || $4 > 800 { print; bad = 1 } END { exit bad }' \
		"$work/events.txt" > "$work/bad_events.txt" ||
		fail "$law: PSTN -> IMS: events without marker, 3 equal end packets or 20-100 ms:" \
		     "$(cat "$work/bad_events.txt"); $(vty "$mgcf_vty" "show media" | grep CESoPSN)"
	# the tone went out of band: every audio packet is A-law silence (|sample| < 4: codes d4-d7, 54-57)
	audio=$(awk -F, '$1 == 8' "$work/rtp.csv" | wc -l)
	loud=$(awk -F, '$1 == 8 && $7 !~ /^([d5][4-7])+$/' "$work/rtp.csv" | wc -l)
	[ "$audio" -ge 50 ] || fail "$law: PSTN -> IMS: only $audio audio packets captured"
	[ "$loud" -eq 0 ] ||
		fail "$law: PSTN -> IMS: $loud of $audio audio packets are not silence: the digits leak in-band"
	vty "$sim_vty" "enable" "simulator cic pstn $cic release" > /dev/null
	uas_done "$law: PSTN -> IMS"
	settled "$law: PSTN -> IMS DTMF"
	durs=$(awk 'NR == 1 || $4 < mn { mn = $4 } $4 > mx { mx = $4 } END { print mn / 8 ".." mx / 8 }' \
		"$work/events.txt")
	echo "ok: $law: PSTN -> IMS: pstnsim's in-band $digits reached sipp as RFC 4733 events in order" \
	     "(marker, 3 end packets each, $durs ms), $audio audio packets all silence"
	iw_stop
done
exit 0
