#!/bin/sh
# Sessions against sipp (UDP and TCP): sipp as UAC calling the test UA in session mode (100rel/PRACK, UPDATE with
# preconditions in the early dialog, re-INVITE, CANCEL, BYE from the called side, session-timer refresh, loss on
# UDP) and sipp as UAS called by the test UA (100rel, CANCEL before and across the 200, BYE from the called side).
. "${top_srcdir}/tests/common/testlib.sh"

SIPP=$(command -v sipp) || { echo "sipp not installed"; exit 77; }
TESTUA="${top_builddir}/tests/sip/testua"
SCEN="${top_srcdir}/tests/sip/scenarios"
W=$(mktemp -d)
UAS_PID=
BG=
cleanup() {
	for p in $UAS_PID $BG; do kill "$p" 2>/dev/null; done
	rm -rf "$W"
}
trap cleanup EXIT
cd "$W" || exit 1
fail() {
	echo "FAIL: $*"
	for f in uas.out uas.err uac.out uac.err sipp.log; do [ -f $f ] && { echo "--- $f"; tail -40 $f; }; done
	for f in ./*errors*; do [ -f "$f" ] && { echo "--- $f"; tail -20 "$f"; }; done
	exit 1
}

# start_uas SCRIPT [testua options]: the test UA as UAS on UDP and TCP
start_uas() {
	_s=$1
	shift
	UAS_PORT=$(free_port)
	"$TESTUA" --sess --listen "udp:127.0.0.1:$UAS_PORT" --listen "tcp:127.0.0.1:$UAS_PORT" --script "$_s" "$@" \
		>uas.out 2>uas.err &
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
	grep -c "^$1\$" "${2:-uas.out}"
}

# sipp_uac SCENARIO TRANSPORT(u1|t1) CALLS [sipp options]
sipp_uac() {
	_sc=$1 _t=$2 _m=$3
	shift 3
	"$SIPP" -sf "$SCEN/$_sc.xml" "127.0.0.1:$UAS_PORT" -t "$_t" -m "$_m" -r 5 -recv_timeout 8000 -timeout 60 \
		-p "$(free_port)" -i 127.0.0.1 -trace_err "$@" >sipp.log 2>&1 || fail "sipp $_sc over $_t"
}

# 1. sipp UAC → testua UAS
for t in u1 t1; do
	start_uas "183r,200"
	sipp_uac uac_100rel $t 2
	stop_uas
	[ "$(count 'step 183r')" = 2 ] && [ "$(count 'sess established')" = 2 ] &&
		[ "$(count 'sess ended bye 0 remote')" = 2 ] || fail "100rel over $t"

	start_uas "183r,wait:1000,200"
	sipp_uac uac_update_precond $t 1
	stop_uas
	[ "$(count 'sess offer UPDATE')" = 1 ] && [ "$(count 'sess established')" = 1 ] || fail "early UPDATE over $t"

	start_uas "180,200"
	sipp_uac uac_reinvite $t 2
	stop_uas
	[ "$(count 'sess offer INVITE')" = 2 ] && [ "$(count 'sess ended bye 0 remote')" = 2 ] || fail "re-INVITE over $t"

	start_uas "180,wait:4000,200"
	sipp_uac uac_cancel $t 1
	stop_uas
	[ "$(count 'sess ended cancelled 487 remote')" = 1 ] || fail "CANCEL over $t"

	start_uas "200,est,wait:200,bye"
	sipp_uac uac_recv_bye $t 1
	stop_uas
	[ "$(count 'sess ended bye 200 local')" = 1 ] || fail "BYE from the UAS over $t"
done

# 2. session timer: refreshes by UPDATE at half of 4 s (Min-SE lowered to 2 s for the test)
start_uas "200" --timer 4 --min-se 2
sipp_uac uac_session_timer u1 1
stop_uas
grep -q '^sess timer 4 we-refresh$' uas.out || fail "session timer negotiation"

# 3. loss on UDP: 10% of sipp's messages lost both ways; our 2xx and reliable 1xx retransmissions cover it
start_uas "180,200"
"$SIPP" -sn uac "127.0.0.1:$UAS_PORT" -m 10 -r 10 -lost 10 -recv_timeout 20000 -timeout 90 -p "$(free_port)" \
	-i 127.0.0.1 >sipp.log 2>&1 || fail "sipp uac with 10% loss"
# sipp's built-in scenario takes any 200 as the answer to its BYE: when its ACK and BYE were lost, a retransmitted
# 200 to the INVITE ends the call on sipp's side, and ours ends after Timer L without ACK and Timer F of the BYE
i=0
while [ "$(grep -c '^sess ended ' uas.out)" -lt 10 ] && [ $i -lt 150 ]; do
	sleep 0.5
	i=$((i + 1))
done
stop_uas
# (a call whose ACKs were all lost before sipp's BYE ends without "established", one whose BYEs were all lost
# ends by itself: every call must end one way or another)
n_in=$(count 'sess incoming sdp')
n_end=$(grep -c '^sess ended ' uas.out)
[ "$n_in" = 10 ] && [ "$n_end" = 10 ] || fail "10 calls under loss: $n_in incoming, $n_end ended"

# 4. testua UAC → sipp UAS
for t in u1 t1; do
	P=$(free_port)
	if [ $t = u1 ]; then uri="sip:127.0.0.1:$P"; else uri="sip:127.0.0.1:$P;transport=tcp"; fi
	for sc in "uas_100rel est,wait:200,bye bye" "uas_cancel prog,cancel cancelled" \
		  "uas_cancel_cross prog,cancel cancelled" "uas_bye est bye"; do
		set -- $sc
		"$SIPP" -sf "$SCEN/$1.xml" -t $t -p "$P" -i 127.0.0.1 -m 1 -timeout 30 -trace_err >sipp.log 2>&1 &
		SP=$!
		BG="$BG $SP"
		if [ $t = t1 ]; then wait_port "$P" || fail "sipp $1 over TCP did not start"; else sleep 0.5; fi
		"$TESTUA" --sess --call "$uri" --script "$2" --expect "$3" --exit-after 20 >uac.out 2>uac.err ||
			fail "testua calling sipp $1 over $t"
		wait "$SP" || fail "sipp $1 over $t"
	done
done
exit 0
