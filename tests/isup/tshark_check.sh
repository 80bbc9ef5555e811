#!/bin/sh
# Independent check of the ISUP encoder with tshark: every Q.763 message type, encoded by our codec and wrapped
# in M3UA DATA, must dissect without malformed packets or warning/error expert items, and CIC, message type,
# called/calling number and cause must read back as encoded.
set -eu
command -v tshark >/dev/null 2>&1 && command -v text2pcap >/dev/null 2>&1 || { echo "tshark/text2pcap missing: skip"; exit 77; }
gen="${top_builddir}/tests/isup/tshark_gen"
[ -x "$gen" ] || { echo "missing $gen" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$gen" "$work" > "$work/expected"
n=$(wc -l < "$work/expected")
[ "$n" -ge 49 ] || { echo "only $n messages generated" >&2; exit 1; }
for f in "$work"/*.bin; do od -Ax -tx1 -v "$f"; done > "$work/all.txt"
text2pcap -q -S 2905,2905,3 "$work/all.txt" "$work/out.pcap" >/dev/null 2>&1
tshark -r "$work/out.pcap" -o mtp3.standard:ITU -T fields -E separator='|' -E occurrence=a -E aggregator='~' \
	-e isup.cic -e isup.message_type -e isup.called -e isup.calling -e isup.cause_indicator \
	-e _ws.malformed -e _ws.expert.severity -e _ws.expert.message 2>/dev/null > "$work/got"
got=$(wc -l < "$work/got")
[ "$got" -eq "$n" ] || { echo "tshark dissected $got packets, expected $n" >&2; exit 1; }

# Wireshark 4.0 does not dissect these beyond the message type: PAM carries an embedded message, CRG and SDM
# are national formats.  They are still checked for CIC, type and the absence of errors.
opaque=" 40 49 67 "
fail=0
paste -d'|' "$work/expected" "$work/got" | while IFS='|' read -r id cic type called calling cause \
		gcic gtype gcalled gcalling gcause gmal gsev gmsg; do
	err=""
	# multi-valued fields (PAM embeds a second message): the first value is the outer message
	gcic=${gcic%%~*}; gtype=${gtype%%~*}; gcalled=${gcalled%%~*}; gcalling=${gcalling%%~*}; gcause=${gcause%%~*}
	[ "$gcic" = "$cic" ] || err="$err cic=$gcic"
	[ "$gtype" = "$type" ] || err="$err type=$gtype"
	case "$opaque" in
	*" $type "*) ;;
	*)
		[ "$called" = "-" ] && called=""
		[ "$calling" = "-" ] && calling=""
		[ "$cause" = "-" ] && cause=""
		[ "$gcalled" = "$called" ] || err="$err called='$gcalled' (want '$called')"
		[ "$gcalling" = "$calling" ] || err="$err calling='$gcalling' (want '$calling')"
		[ "$gcause" = "$cause" ] || err="$err cause='$gcause' (want '$cause')"
		;;
	esac
	[ -z "$gmal" ] || err="$err malformed"
	# severities: 6291456 warning, 8388608 error
	sev=$(echo "$gsev" | tr '~' '\n' | awk '$1 >= 6291456' | head -1)
	[ -z "$sev" ] || err="$err expert severity $sev: $gmsg"
	if [ -n "$err" ]; then
		echo "FAIL message $id (type $type):$err"
		echo x >> "$work/failed"
	else
		echo "ok   message $id (type $type) cic $gcic${gcalled:+ called $gcalled}${gcalling:+ calling $gcalling}${gcause:+ cause $gcause}"
	fi
done
[ ! -e "$work/failed" ] || { echo "$(wc -l < "$work/failed") message(s) failed" >&2; exit 1; }

# and our own M3UA-level decoder reads every one of them back
dec="${top_builddir}/src/isupdecode"
if [ -x "$dec" ]; then
	for f in "$work"/*.bin; do
		od -An -tx1 -v "$f" | "$dec" --m3ua > /dev/null || { echo "isupdecode --m3ua failed on $(basename "$f")" >&2; exit 1; }
	done
fi
echo "all $n messages dissected by tshark as encoded"
