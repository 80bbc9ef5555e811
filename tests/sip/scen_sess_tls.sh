#!/bin/sh
# Sessions over TLS between two test UAs in session mode (sipp has no TLS): reliable 183 with PRACK, 200, then
# UPDATE and re-INVITE from the caller over the same connection, BYE from the caller; verification on.
. "${top_srcdir}/tests/common/testlib.sh"

OPENSSL=$(command -v openssl) || { echo "openssl not installed"; exit 77; }
TESTUA="${top_builddir}/tests/sip/testua"
W=$(mktemp -d)
SRV_PID=
cleanup() {
	[ -n "$SRV_PID" ] && kill "$SRV_PID" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
cd "$W" || exit 1
fail() {
	echo "FAIL: $*"
	for f in srv.out srv.err uac.out uac.err; do [ -f $f ] && { echo "--- $f"; tail -30 $f; }; done
	exit 1
}

"$OPENSSL" req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj "/CN=mgcf test CA" \
	>/dev/null 2>&1 || fail "CA"
"$OPENSSL" req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr -subj "/CN=sip.test" >/dev/null 2>&1 ||
	fail "server key"
printf 'subjectAltName=DNS:sip.test,IP:127.0.0.1\n' >ext.cnf
"$OPENSSL" x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out srv.pem -days 2 -extfile ext.cnf \
	>/dev/null 2>&1 || fail "server certificate"

PORT=$(free_port)
"$TESTUA" --sess --listen "tls:127.0.0.1:$PORT" --cert srv.pem --key srv.key --script "183r,200" >srv.out \
	2>srv.err &
SRV_PID=$!
wait_port "$PORT" || fail "TLS server did not start"

"$TESTUA" --sess --ca ca.pem --call "sip:127.0.0.1:$PORT;transport=tls" \
	--script "est,wait:200,update,wait:200,reinvite,wait:200,bye" --expect bye --exit-after 20 >uac.out 2>uac.err ||
	fail "call over TLS"
grep -q '^sess progress 183 r$' uac.out || fail "reliable 183 over TLS"
grep -q '^sess established$' uac.out || fail "established over TLS"
[ "$(grep -c '^sess answer$' uac.out)" = 3 ] || fail "answers to INVITE, UPDATE and re-INVITE"
grep -q '^sess ended bye 200 local$' uac.out || fail "BYE over TLS"
grep -q '^counter sip:tls_handshake_ok 1$' uac.out || fail "one TLS connection for the whole call"
sleep 0.3
kill "$SRV_PID"
wait_gone "$SRV_PID" 50 || fail "server did not stop"
SRV_PID=
grep -q '^sess offer UPDATE$' srv.out && grep -q '^sess offer INVITE$' srv.out || fail "offers at the server"
grep -q '^sess ended bye 0 remote$' srv.out || fail "BYE at the server"
exit 0
