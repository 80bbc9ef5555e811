#!/bin/sh
# SIP transports and transactions against sipp (UDP and TCP): sipp as UAC calling the test UA (INVITE, 180, 200,
# ACK, BYE), sipp as UAS answering the test UA's OPTIONS/MESSAGE, and retransmissions under packet loss.
. "${top_srcdir}/tests/common/testlib.sh"

SIPP=$(command -v sipp) || { echo "sipp not installed"; exit 77; }
TESTUA="${top_builddir}/tests/sip/testua"
SCEN="${top_srcdir}/tests/sip"
W=$(mktemp -d)
UAS_PID=
BG=	# background sipp / test UA processes, killed if the test ends early
cleanup() {
	for p in $UAS_PID $BG; do kill "$p" 2>/dev/null; done
	rm -rf "$W"
}
trap cleanup EXIT
cd "$W" || exit 1
fail() {
	echo "FAIL: $*"
	[ -f uas.out ] && { echo "--- testua:"; cat uas.out uas.err; }
	exit 1
}

start_uas() {
	UAS_PORT=$(free_port)
	"$TESTUA" --listen "udp:127.0.0.1:$UAS_PORT" --listen "tcp:127.0.0.1:$UAS_PORT" >uas.out 2>uas.err &
	UAS_PID=$!
	wait_port "$UAS_PORT" || fail "testua did not start"
}

stop_uas() {
	kill "$UAS_PID"
	wait_gone "$UAS_PID" 50 || fail "testua did not stop"
	wait "$UAS_PID"
	UAS_PID=
}

count() {
	grep -c "^$1\$" uas.out
}

# 1. sipp UAC → testua UAS over UDP, then TCP: 3 calls each
start_uas
"$SIPP" -sn uac "127.0.0.1:$UAS_PORT" -m 3 -r 10 -recv_timeout 5000 -timeout 30 -p "$(free_port)" -i 127.0.0.1 \
	>sipp-udp.log 2>&1 || fail "sipp uac over UDP"
[ "$(count 'rx INVITE')" = 3 ] || fail "3 INVITEs over UDP expected"
[ "$(count 'tx 180')" = 3 ] || fail "3 x 180 expected"
[ "$(count 'rx ACK')" = 3 ] || fail "3 ACKs expected"
[ "$(count 'rx BYE')" = 3 ] || fail "3 BYEs expected"
"$SIPP" -sn uac "127.0.0.1:$UAS_PORT" -t t1 -m 3 -r 10 -recv_timeout 5000 -timeout 30 -p "$(free_port)" \
	-i 127.0.0.1 >sipp-tcp.log 2>&1 || fail "sipp uac over TCP"
[ "$(count 'rx INVITE')" = 6 ] || fail "3 more INVITEs over TCP expected"
[ "$(count 'rx BYE')" = 6 ] || fail "3 more BYEs over TCP expected"

# 2. packet loss on UDP: sipp drops 10% of what it sends and receives; retransmissions (sipp's Timer A/E, our
#    replayed responses and 2xx retransmissions) must still complete every call
"$SIPP" -sn uac "127.0.0.1:$UAS_PORT" -m 10 -r 20 -lost 10 -recv_timeout 20000 -timeout 60 -p "$(free_port)" \
	-i 127.0.0.1 >sipp-lost.log 2>&1 || fail "sipp uac with 10% loss"
stop_uas
grep -q '^counter sip:tls_handshake_failed 0$' uas.out || fail "counters at exit"
echo "UAS: $(count 'rx INVITE') INVITEs; $(grep 'strans_retransmits\|rx_req_absorbed' uas.out | tr '\n' ' ')"

# 3. testua UAC → sipp UAS: OPTIONS over UDP, MESSAGE over TCP
for t in udp tcp; do
	P=$(free_port)
	if [ $t = udp ]; then
		tflag=u1; uri="sip:127.0.0.1:$P"; m=OPTIONS
	else
		tflag=t1; uri="sip:127.0.0.1:$P;transport=tcp"; m=MESSAGE
	fi
	"$SIPP" -sf "$SCEN/sip_transport_uas_options.xml" -t $tflag -p "$P" -i 127.0.0.1 -m 1 -timeout 20 \
		>sipp-uas-$t.log 2>&1 &
	SP=$!
	BG="$BG $SP"
	if [ $t = tcp ]; then wait_port "$P" || fail "sipp uas over TCP did not start"; else sleep 0.5; fi
	"$TESTUA" --uac $m "$uri" >uac-$t.out 2>uac-$t.err || { cat uac-$t.out uac-$t.err; fail "testua $m over $t"; }
	grep -q '^final 200$' uac-$t.out || fail "final 200 over $t"
	wait "$SP" || fail "sipp uas over $t"
done

# 4. a server that answers only after 1.6 s: the client retransmits its MESSAGE over UDP at 0.5, 1.5 s (Timer E)
#    and the server's transaction absorbs both copies (a deterministic stand-in for a lost request)
P=$(free_port)
"$TESTUA" --listen "udp:127.0.0.1:$P" --listen "tcp:127.0.0.1:$P" --answer-delay 1600 >slow.out 2>slow.err &
SLOW=$!
BG="$BG $SLOW"
wait_port "$P" || fail "slow UAS did not start"
"$TESTUA" --uac MESSAGE "sip:127.0.0.1:$P" >uac-slow.out 2>uac-slow.err || { cat uac-slow.out; fail "slow MESSAGE"; }
grep -q '^final 200$' uac-slow.out || fail "final 200 from the slow UAS"
grep -q '^counter sip:ctrans_retransmits 2$' uac-slow.out || { cat uac-slow.out; fail "2 retransmissions expected"; }
kill "$SLOW"
wait_gone "$SLOW" 50 || fail "slow UAS did not stop"
grep -q '^counter sip:rx_req_absorbed 2$' slow.out || { cat slow.out; fail "server should absorb 2 copies"; }
[ "$(grep -c '^rx MESSAGE$' slow.out)" = 1 ] || fail "the TU saw a retransmission"

# 5. no peer at all (a closed TCP port): connection refused → 503 (RFC 3261 §8.1.3.1); Timer F itself is
#    covered by sip_trans_test
P=$(free_port)
"$TESTUA" --uac OPTIONS "sip:127.0.0.1:$P;transport=tcp" >uac-refused.out 2>&1 &&
	fail "request to a closed port succeeded"
grep -q '^final 503$' uac-refused.out || fail "503 for a refused connection"

# 6. IPv6 (if the host has ::1): test UA to test UA over UDP and TCP
if "$TESTUA" --listen "udp:::1:0" --exit-after 1 >/dev/null 2>&1; then
	P=$(free_port)
	"$TESTUA" --listen "udp:::1:$P" --listen "tcp:::1:$P" >v6.out 2>v6.err &
	V6=$!
	BG="$BG $V6"
	sleep 0.5
	"$TESTUA" --uac MESSAGE "sip:[::1]:$P" >uac-v6u.out 2>&1 ||
		{ cat uac-v6u.out v6.err; fail "MESSAGE over UDP/IPv6"; }
	"$TESTUA" --uac OPTIONS "sip:[::1]:$P;transport=tcp" >uac-v6t.out 2>&1 ||
		{ cat uac-v6t.out v6.err; fail "OPTIONS over TCP/IPv6"; }
	kill "$V6"
	wait_gone "$V6" 50 || fail "IPv6 UAS did not stop"
	grep -q '^rx MESSAGE$' v6.out || fail "IPv6 UAS did not get the MESSAGE"
else
	echo "no ::1 here: IPv6 part skipped"
fi

echo "OK"
