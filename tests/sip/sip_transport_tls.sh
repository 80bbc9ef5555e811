#!/bin/sh
# SIP over TLS between two test UAs: a test CA made with openssl, verification on; a client trusting another CA
# and a client expecting another name are refused at the handshake, and both sides count the failure.
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
	for f in srv.out srv.err; do [ -f $f ] && { echo "--- $f"; cat $f; }; done
	exit 1
}

# test PKI: a CA, a server certificate for sip.test and 127.0.0.1 signed by it, and an unrelated CA
"$OPENSSL" req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj "/CN=mgcf test CA" \
	>/dev/null 2>&1 || fail "CA"
"$OPENSSL" req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr -subj "/CN=sip.test" >/dev/null 2>&1 ||
	fail "server key"
printf 'subjectAltName=DNS:sip.test,IP:127.0.0.1\n' >ext.cnf
"$OPENSSL" x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out srv.pem -days 2 -extfile ext.cnf \
	>/dev/null 2>&1 || fail "server certificate"
"$OPENSSL" req -x509 -newkey rsa:2048 -nodes -keyout other.key -out other.pem -days 2 -subj "/CN=other CA" \
	>/dev/null 2>&1 || fail "other CA"

PORT=$(free_port)
"$TESTUA" --listen "tls:127.0.0.1:$PORT" --cert srv.pem --key srv.key >srv.out 2>srv.err &
SRV_PID=$!
wait_port "$PORT" || fail "TLS server did not start"

# good: verified by IP address and by name
"$TESTUA" --ca ca.pem --uac OPTIONS "sip:127.0.0.1:$PORT;transport=tls" >ok1.out 2>ok1.err ||
	{ cat ok1.out ok1.err; fail "OPTIONS over TLS (IP)"; }
grep -q '^final 200$' ok1.out || fail "final 200 (IP)"
grep -q '^counter sip:tls_handshake_ok 1$' ok1.out || fail "client handshake not counted"
"$TESTUA" --ca ca.pem --tls-name sip.test --uac MESSAGE "sip:127.0.0.1:$PORT;transport=tls" >ok2.out 2>ok2.err ||
	{ cat ok2.out ok2.err; fail "MESSAGE over TLS (name)"; }
grep -q '^final 200$' ok2.out || fail "final 200 (name)"

# bad: unknown CA, then wrong name: the handshake fails, the request gets 503
"$TESTUA" --ca other.pem --uac OPTIONS "sip:127.0.0.1:$PORT;transport=tls" >bad1.out 2>bad1.err &&
	fail "TLS with an unknown CA succeeded"
grep -q '^final 503$' bad1.out || fail "503 for an unknown CA"
grep -q '^counter sip:tls_handshake_failed 1$' bad1.out || fail "client did not count the failed handshake"
grep -q 'certificate verify failed' bad1.err || fail "no verification error logged"
"$TESTUA" --ca ca.pem --tls-name other.test --uac OPTIONS "sip:127.0.0.1:$PORT;transport=tls" >bad2.out 2>bad2.err &&
	fail "TLS with a wrong server name succeeded"
grep -q '^final 503$' bad2.out || fail "503 for a wrong name"
grep -q 'hostname mismatch' bad2.err || fail "no hostname mismatch logged"

# without verification the unknown CA is accepted (cfg.tls.verify_peer off)
"$TESTUA" --no-verify --uac OPTIONS "sip:127.0.0.1:$PORT;transport=tls" >nv.out 2>nv.err || fail "--no-verify"

kill "$SRV_PID"
wait_gone "$SRV_PID" 50 || fail "server did not stop"
wait "$SRV_PID"
SRV_PID=
[ "$(grep -c '^rx OPTIONS$' srv.out)" = 2 ] || fail "server should have answered 2 OPTIONS"
grep -q '^rx MESSAGE$' srv.out || fail "server did not get the MESSAGE"
grep -q '^counter sip:tls_handshake_ok 3$' srv.out || fail "server: 3 handshakes expected"
# the third is wait_port's probe, which connects and closes without a handshake
grep -q '^counter sip:tls_handshake_failed 3$' srv.out || fail "server: 3 failed handshakes expected"
echo "OK"
