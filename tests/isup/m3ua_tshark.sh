#!/bin/sh
# Independent check of the M3UA wire bytes: the seed messages of the fuzz corpus (the same bytes as the
# codec test's table) must decode in Wireshark's dissector without any malformation, with the fields
# the codec test expects.  Skipped (77) where tshark/text2pcap are not installed.
set -eu
command -v tshark >/dev/null 2>&1 && command -v text2pcap >/dev/null 2>&1 || { echo "tshark not installed"; exit 77; }
corpus="${top_srcdir}/tests/fuzz/corpus/m3ua"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0

# file expected "class,type[,extra fields...]"
decode() {
	od -Ax -tx1 -v "$corpus/$1" > "$work/hex"
	text2pcap -q -S 2905,2905,3 "$work/hex" "$work/pcap" >/dev/null 2>&1
	tshark -r "$work/pcap" -o mtp3.standard:ITU --disable-protocol isup -T fields -E separator=, -e _ws.expert.severity \
		-e m3ua.message_class -e m3ua.message_type $2 2>/dev/null
}

check() {
	got=$(decode "$1" "${3:-}")
	if [ "$got" != "$2" ]; then
		echo "FAIL $1: tshark says '$got', expected '$2'"
		fail=1
	else
		echo "ok   $1: $got"
	fi
}

check aspup ",3,1"
check aspup_ack ",3,4"
check aspdn_info ",3,2"
check beat ",3,3"
check aspac_rc_tm ",4,1,100" "-e m3ua.routing_context"
check aspia ",4,2,100" "-e m3ua.routing_context"
check ntfy ",0,1,3" "-e m3ua.status_info"
check err ",0,0,6" "-e m3ua.error_code"
check duna ",2,1,291,1024" "-e m3ua.affected_point_code_pc"
check dupu ",2,5"
check scon ",2,4"
check data ",1,1,100,1,2,5,2,7" "-e m3ua.routing_context -e m3ua.protocol_data_opc -e m3ua.protocol_data_dpc \
	-e m3ua.protocol_data_si -e m3ua.protocol_data_ni -e m3ua.protocol_data_sls"
exit $fail
