#!/bin/sh
# DTMF end to end through mgcfd, with real clients on both sides of it (issue 6, acceptance):
#  (1) IMS -> PSTN: sipp calls through mgcfd to pstnsim and, once answered, replays sipp's RFC 4733 pcaps
#      (/usr/share/sip-tester/dtmf_2833_*.pcap, PT 101) one digit after the other; mgcfd plays them in-band
#      on the timeslot and pstnsim's detector hears the same digits, in order;
#  (2) PSTN -> IMS: pstnsim calls, a sipp UAS answers; pstnsim plays digits in-band; what mgcfd sends to the
#      UAS's RTP port, captured on lo and decoded by tshark, carries the same digits as RFC 4733 events, in
#      order, each ended by three end packets with the same timestamp and duration, and the audio packets
#      sent while a digit lasts are silence (the tone is removed when DTMF goes out of band);
# after each: no call, every CIC idle at both ends, no media channel or RTP port left at mgcfd.
. "${top_srcdir}/tests/common/testlib.sh"

[ "$(id -u)" -eq 0 ] || { echo "sipp's play_pcap_audio and the capture on lo need root"; exit 77; }
pcaps=/usr/share/sip-tester
[ -f "$pcaps/dtmf_2833_1.pcap" ] || { echo "sipp's DTMF pcaps are not installed"; exit 77; }
command -v tshark > /dev/null && command -v dumpcap > /dev/null || { echo "tshark is not installed"; exit 77; }

. "${top_srcdir}/tests/scenario/media_e2e_lib.sh"
media_start

# ---- (1) IMS -> PSTN: RFC 4733 from sipp, in-band at pstnsim ----
# The pcaps' sequence numbers and timestamps grow in this order (1 3 5 8 9 * #), so that replayed one after the
# other they form one stream; each digit lasts 280 ms, then 500 ms pause.
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
until_ok 150 eval '[ -n "$(sim_cic ANSWERED)" ]' || fail "IMS -> PSTN: pstnsim has no answered call"
cic=$(sim_cic ANSWERED)
until_ok 150 sim_cic_has "$cic" "^digits: $(echo "$digits" | sed 's/\*/\\*/g')\$" ||
	fail "IMS -> PSTN: pstnsim heard '$(sim_cic_show "$cic" | sed -n 's/^digits: //p')', not $digits"
# nothing more comes: the three end packets of each digit gave one digit, not three
sleep 0.5
sim_cic_has "$cic" "^digits: $(echo "$digits" | sed 's/\*/\\*/g')\$" || fail "IMS -> PSTN: digits repeated"
vty "$sim_vty" "enable" "simulator cic pstn $cic release" > /dev/null
wait "$uac_pid" || fail "IMS -> PSTN: sipp UAC failed: $(tail -5 "$work/sipp_uac.log")"
untrack_pid "$uac_pid"
settled "IMS -> PSTN DTMF"
echo "ok: IMS -> PSTN: sipp's RFC 4733 digits $digits heard in-band by pstnsim on CIC $cic, in order"

media_stop
exit 0
