/* Transports: TCP framing (socketpairs and real loopback sockets), keep-alives, limits, idle close, UDP. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <talloc.h>
#include <osmocom/core/msgb.h>
#include <osmocom/core/select.h>

#include "sip/sip_transport.h"
#include "testlib.h"

static struct sip_cfg cfg;
static struct sip_tp *tp;
static unsigned int n_rx, n_closed;
static char rx_text[8][2048];
static struct sip_addr rx_src[8];

static void on_recv(void *priv, const struct sip_rx *rx)
{
	if (n_rx < 8) {
		snprintf(rx_text[n_rx], sizeof(rx_text[0]), "%.*s", (int)rx->msg->len, rx->msg->buf);
		rx_src[n_rx] = rx->src;
	}
	n_rx++;
}

static void on_closed(void *priv, uint32_t conn_id, bool error)
{
	n_closed++;
}

static const struct sip_tp_ops ops = { .recv = on_recv, .conn_closed = on_closed };

static void setup(void)
{
	test_setup();
	memset(&cfg, 0, sizeof(cfg));
	cfg.max_message_size = 2048;
	cfg.max_connections = 2;
	cfg.tcp_idle_timeout_s = 30;
	n_rx = n_closed = 0;
	tp = sip_tp_alloc(test_ctx, &cfg, &ops, NULL);
	ck_assert_ptr_nonnull(tp);
}

static void teardown(void)
{
	sip_tp_free(tp);
	test_teardown();
}

static void pump(void)
{
	int i;

	for (i = 0; i < 20; i++)
		osmo_select_main(1);
}

static struct osmo_sockaddr fake_remote(void)
{
	struct osmo_sockaddr a = {};

	a.u.sin.sin_family = AF_INET;
	a.u.sin.sin_port = htons(5099);
	inet_pton(AF_INET, "192.0.2.5", &a.u.sin.sin_addr);
	return a;
}

/* a connection whose far end is *peer */
static uint32_t pair(int *peer)
{
	struct osmo_sockaddr r = fake_remote();
	int sv[2], id;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	id = sip_tp_adopt_fd(tp, sv[0], &r);
	ck_assert_int_gt(id, 0);
	*peer = sv[1];
	return id;
}

static void put(int fd, const char *s)
{
	ck_assert_int_eq(write(fd, s, strlen(s)), (ssize_t)strlen(s));
}

/* what the peer can read now; "" if nothing, NULL at EOF */
static const char *peer_read(int fd)
{
	static char buf[4096];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);

	if (n == 0 || (n < 0 && errno != EAGAIN))
		return NULL;	/* EOF, or reset because we closed with unread data */
	if (n < 0)
		n = 0;
	buf[n] = '\0';
	return buf;
}

#define MSG(cseq) \
	"OPTIONS sip:b@192.0.2.1 SIP/2.0\r\nVia: SIP/2.0/TCP 192.0.2.5:5099;branch=z9hG4bK" cseq "\r\n" \
	"From: <sip:a@b>;tag=1\r\nTo: <sip:b@c>\r\nCall-ID: t" cseq "\r\nCSeq: " cseq " OPTIONS\r\n" \
	"Content-Length: 4\r\n\r\nbody"

START_TEST(test_two_in_one_read)
{
	int peer;
	uint32_t id = pair(&peer);

	put(peer, MSG("1") MSG("2"));
	pump();
	ck_assert_uint_eq(n_rx, 2);
	ck_assert_ptr_nonnull(strstr(rx_text[0], "CSeq: 1 OPTIONS"));
	ck_assert_ptr_nonnull(strstr(rx_text[1], "CSeq: 2 OPTIONS"));
	ck_assert(rx_src[1].proto == SIP_TRANSPORT_TCP);
	ck_assert_uint_eq(rx_src[1].conn_id, id);
	/* the top Via got received= (sent-by 192.0.2.5 is the source, but the test's socketpair has no IP; the
	 * address given at adoption is what counts) */
	ck_assert(sip_tp_conn_exists(tp, id));
	close(peer);
	pump();
	ck_assert(!sip_tp_conn_exists(tp, id));
	ck_assert_uint_eq(n_closed, 1);
}
END_TEST

START_TEST(test_byte_by_byte)
{
	static const char m[] = "\r\n" MSG("3");
	int peer;
	uint32_t id = pair(&peer);
	size_t i;

	for (i = 0; i < sizeof(m) - 1; i++) {
		ck_assert_uint_eq(n_rx, 0);
		ck_assert_int_eq(sip_tp_conn_feed(tp, id, &m[i], 1), 0);
	}
	ck_assert_uint_eq(n_rx, 1);
	ck_assert_ptr_nonnull(strstr(rx_text[0], "\r\n\r\nbody"));
	/* and the same through the socket, in two writes */
	put(peer, "OPTIONS sip:b@192.0.2.1 SIP/2.0\r\nVia: SIP/2.0/TCP 192.0.2.5:5099;branch=z9hG4bK4\r\n");
	pump();
	ck_assert_uint_eq(n_rx, 1);
	put(peer, "From: <sip:a@b>;tag=1\r\nTo: <sip:b@c>\r\nCall-ID: t4\r\nCSeq: 4 OPTIONS\r\n"
		  "Content-Length: 0\r\n\r\n");
	pump();
	ck_assert_uint_eq(n_rx, 2);
	close(peer);
}
END_TEST

START_TEST(test_missing_content_length)
{
	int peer;
	uint32_t id = pair(&peer);
	const char *r;

	put(peer, "OPTIONS sip:b@192.0.2.1 SIP/2.0\r\nVia: SIP/2.0/TCP 192.0.2.5:5099;branch=z9hG4bK5\r\n"
		  "From: <sip:a@b>;tag=1\r\nTo: <sip:b@c>\r\nCall-ID: t5\r\nCSeq: 5 OPTIONS\r\n\r\n");
	pump();
	ck_assert_uint_eq(n_rx, 0);
	r = peer_read(peer);
	ck_assert_ptr_nonnull(r);
	ck_assert_msg(!strncmp(r, "SIP/2.0 400 Missing Content-Length\r\n", 36), "got %s", r);
	/* framing is lost: the connection is closed once the answer is out */
	ck_assert(!sip_tp_conn_exists(tp, id));
	ck_assert_ptr_null(peer_read(peer));
	ck_assert_uint_eq(sip_tp_ctr(tp, SIP_TP_CTR_RX_MALFORMED_ANSWERED), 1);
	close(peer);
}
END_TEST

START_TEST(test_keepalive)
{
	int peer;
	uint32_t id = pair(&peer);

	put(peer, "\r\n\r\n");
	pump();
	ck_assert_str_eq(peer_read(peer), "\r\n");
	ck_assert_uint_eq(sip_tp_ctr(tp, SIP_TP_CTR_RX_KEEPALIVE), 1);
	/* a ping split in two, then a lone pong and a message */
	put(peer, "\r\n");
	pump();
	ck_assert_str_eq(peer_read(peer), "");
	put(peer, "\r\n");
	pump();
	ck_assert_str_eq(peer_read(peer), "\r\n");
	put(peer, "\r\n" MSG("6"));
	pump();
	ck_assert_uint_eq(n_rx, 1);
	ck_assert_str_eq(peer_read(peer), "");
	ck_assert(sip_tp_conn_exists(tp, id));
	close(peer);
}
END_TEST

START_TEST(test_too_big)
{
	int peer;
	uint32_t id = pair(&peer);
	const char *r;

	put(peer, "MESSAGE sip:b@192.0.2.1 SIP/2.0\r\nVia: SIP/2.0/TCP 192.0.2.5:5099;branch=z9hG4bK7\r\n"
		  "From: <sip:a@b>;tag=1\r\nTo: <sip:b@c>\r\nCall-ID: t7\r\nCSeq: 7 MESSAGE\r\n"
		  "Content-Length: 100000\r\n\r\n");
	pump();
	r = peer_read(peer);
	ck_assert_ptr_nonnull(r);
	ck_assert_msg(!strncmp(r, "SIP/2.0 513 ", 12), "got %s", r);
	ck_assert(!sip_tp_conn_exists(tp, id));
	ck_assert_uint_eq(sip_tp_ctr(tp, SIP_TP_CTR_RX_TOO_BIG), 1);
	close(peer);

	/* headers that never end: closed without an answer once the limit is passed */
	id = pair(&peer);
	put(peer, "MESSAGE sip:b@192.0.2.1 SIP/2.0\r\n");
	for (int i = 0; i < 60; i++)
		put(peer, "X-Filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n");
	pump();
	ck_assert(!sip_tp_conn_exists(tp, id));
	r = peer_read(peer);
	ck_assert_msg(r == NULL, "got %s", r);
	close(peer);
}
END_TEST

START_TEST(test_unroutable_garbage_closes)
{
	int peer;
	uint32_t id = pair(&peer);

	put(peer, "HELLO THERE\r\n\r\n");
	pump();
	ck_assert(!sip_tp_conn_exists(tp, id));
	ck_assert_uint_eq(sip_tp_ctr(tp, SIP_TP_CTR_RX_MALFORMED_DROPPED), 1);
	close(peer);
}
END_TEST

START_TEST(test_idle_close)
{
	int peer;
	uint32_t id = pair(&peer);

	test_time_advance(20, 0);
	put(peer, MSG("8"));	/* traffic restarts the idle timer */
	pump();
	test_time_advance(20, 0);
	ck_assert(sip_tp_conn_exists(tp, id));
	test_time_advance(11, 0);
	ck_assert(!sip_tp_conn_exists(tp, id));
	ck_assert_uint_eq(sip_tp_ctr(tp, SIP_TP_CTR_CONN_IDLE_CLOSED), 1);
	ck_assert_ptr_null(peer_read(peer));
	close(peer);
}
END_TEST

START_TEST(test_connection_limit)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int l, c[3], i, peer1, peer2;
	struct osmo_sockaddr r = fake_remote();

	l = sip_tp_listen(tp, SIP_TRANSPORT_TCP, "127.0.0.1", 0);
	ck_assert_int_ge(l, 0);
	sin.sin_port = htons(sip_tp_listen_port(tp, l));
	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	for (i = 0; i < 3; i++) {
		c[i] = socket(AF_INET, SOCK_STREAM, 0);
		ck_assert_int_eq(connect(c[i], (struct sockaddr *)&sin, sizeof(sin)), 0);
		pump();
	}
	ck_assert_uint_eq(sip_tp_num_conns(tp), 2);
	ck_assert_uint_eq(sip_tp_ctr(tp, SIP_TP_CTR_CONN_REFUSED), 1);
	fcntl(c[2], F_SETFL, O_NONBLOCK);
	ck_assert_ptr_null(peer_read(c[2]));	/* closed by us */
	/* an accepted connection carries messages and responses go back over it */
	put(c[0], MSG("9"));
	pump();
	ck_assert_uint_eq(n_rx, 1);
	{
		struct sip_addr dst = rx_src[0];
		struct msgb *m = msgb_alloc(64, "t");

		memcpy(msgb_put(m, 10), "SIP/2.0 x\n", 10);
		ck_assert_int_eq(sip_tp_send(tp, &dst, m), 0);
		pump();
		fcntl(c[0], F_SETFL, O_NONBLOCK);
		ck_assert_str_eq(peer_read(c[0]), "SIP/2.0 x\n");
	}
	/* adoption obeys the same limit */
	i = dup(c[1]);
	ck_assert_int_eq(sip_tp_adopt_fd(tp, i, &r), -EMFILE);
	close(i);	/* not taken on failure */
	for (i = 0; i < 3; i++)
		close(c[i]);
	pump();
	ck_assert_uint_eq(sip_tp_num_conns(tp), 0);
	(void)peer1;
	(void)peer2;
}
END_TEST

START_TEST(test_request_reuses_connection)
{
	int peer;
	uint32_t id = pair(&peer);
	struct sip_addr dst = { .proto = SIP_TRANSPORT_TCP, .remote = fake_remote() };
	struct msgb *m = msgb_alloc(64, "t");

	/* a request to the address a connection came from goes over that connection (RFC 3261 §18.1.1) */
	memcpy(msgb_put(m, 4), "ping", 4);
	ck_assert_int_eq(sip_tp_send(tp, &dst, m), 0);
	ck_assert_uint_eq(dst.conn_id, id);
	pump();
	ck_assert_str_eq(peer_read(peer), "ping");
	close(peer);
}
END_TEST

START_TEST(test_udp_loopback)
{
	struct sockaddr_in sin = { .sin_family = AF_INET }, from;
	socklen_t flen = sizeof(from);
	int l, s;
	char buf[2048];
	ssize_t n;
	static const char m[] =
		"OPTIONS sip:b@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bKu1;rport\r\n"
		"From: <sip:a@b>;tag=1\r\nTo: <sip:b@c>\r\nCall-ID: u1\r\nCSeq: 1 OPTIONS\r\n\r\n";
	struct sip_addr dst;
	struct msgb *msg;

	l = sip_tp_listen(tp, SIP_TRANSPORT_UDP, "127.0.0.1", 0);
	ck_assert_int_ge(l, 0);
	sin.sin_port = htons(sip_tp_listen_port(tp, l));
	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	s = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	/* datagram without Content-Length is fine on UDP (§18.3) */
	ck_assert_int_eq(sendto(s, m, sizeof(m) - 1, 0, (struct sockaddr *)&sin, sizeof(sin)), sizeof(m) - 1);
	pump();
	ck_assert_uint_eq(n_rx, 1);
	ck_assert_ptr_nonnull(strstr(rx_text[0], ";rport="));
	ck_assert_ptr_nonnull(strstr(rx_text[0], ";received=127.0.0.1"));
	/* the response goes to rport, i.e. our test socket, not port 1 */
	sip_tp_response_dst(&rx_src[0], &(struct sip_via){ .has_rport = true,
		.has_rport_value = true, .rport = ntohs(rx_src[0].remote.u.sin.sin_port) }, &dst);
	msg = msgb_alloc(64, "t");
	memcpy(msgb_put(msg, 5), "hello", 5);
	ck_assert_int_eq(sip_tp_send(tp, &dst, msg), 0);
	pump();
	n = recvfrom(s, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen);
	ck_assert_int_eq(n, 5);
	ck_assert_uint_eq(ntohs(from.sin_port), sip_tp_listen_port(tp, l));
	/* a copy sent straight from the caller's msgb, which stays intact and the caller's (teardown checks leaks) */
	msg = msgb_alloc(64, "t");
	memcpy(msgb_put(msg, 5), "again", 5);
	ck_assert_int_eq(sip_tp_send_copy(tp, &dst, msg), 0);
	ck_assert_int_eq(sip_tp_send_copy(tp, &dst, msg), 0);
	ck_assert_uint_eq(msgb_length(msg), 5);
	ck_assert_uint_eq(sip_tp_ctr(tp, SIP_TP_CTR_TX_MSGS), 3);
	msgb_free(msg);
	pump();
	for (int i = 0; i < 2; i++) {
		n = recvfrom(s, buf, sizeof(buf), 0, NULL, NULL);
		ck_assert_int_eq(n, 5);
		ck_assert(!memcmp(buf, "again", 5));
	}
	/* CRLF keep-alive datagrams are counted and ignored */
	sendto(s, "\r\n\r\n", 4, 0, (struct sockaddr *)&sin, sizeof(sin));
	pump();
	ck_assert_uint_eq(n_rx, 1);
	ck_assert_uint_eq(sip_tp_ctr(tp, SIP_TP_CTR_RX_KEEPALIVE), 1);
	close(s);
}
END_TEST

static void put_copy_soon(struct sip_addr *dst, const char *text)
{
	struct msgb *m = msgb_alloc(64, "t");

	memcpy(msgb_put(m, strlen(text)), text, strlen(text));
	sip_tp_send_copy_soon(tp, dst, m);
	msgb_free(m);	/* the caller's: copied */
}

/* the next datagram waiting on fd (non-blocking), "" if none */
static const char *udp_next(int fd)
{
	static char buf[256];
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

/* Responses sent "soon" leave together when the loop comes back to the socket (one sendmmsg), in order, with a
 * full batch (32) going at once and an immediate send letting the batch go first; freeing the transport sends
 * what waits. */
START_TEST(test_udp_batch)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t slen = sizeof(sin);
	struct sip_addr dst = { .proto = SIP_TRANSPORT_UDP };
	char text[16];
	struct msgb *m;
	int l, s, i;

	l = sip_tp_listen(tp, SIP_TRANSPORT_UDP, "127.0.0.1", 0);
	ck_assert_int_ge(l, 0);
	s = socket(AF_INET, SOCK_DGRAM, 0);
	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	ck_assert_int_eq(bind(s, (struct sockaddr *)&sin, sizeof(sin)), 0);
	getsockname(s, (struct sockaddr *)&sin, &slen);
	memcpy(&dst.remote.u.sin, &sin, sizeof(sin));

	for (i = 0; i < 3; i++) {
		snprintf(text, sizeof(text), "a%d", i);
		put_copy_soon(&dst, text);
	}
	ck_assert_str_eq(udp_next(s), "");	/* nothing before the loop runs */
	ck_assert_uint_eq(sip_tp_ctr(tp, SIP_TP_CTR_TX_MSGS), 0);
	osmo_select_main(1);
	for (i = 0; i < 3; i++) {
		snprintf(text, sizeof(text), "a%d", i);
		ck_assert_str_eq(udp_next(s), text);
	}
	ck_assert_str_eq(udp_next(s), "");
	ck_assert_uint_eq(sip_tp_ctr(tp, SIP_TP_CTR_TX_MSGS), 3);

	/* 40: the 33rd finds the batch full and sends it; an immediate send then sends the other 8 before itself */
	for (i = 0; i < 40; i++) {
		snprintf(text, sizeof(text), "b%d", i);
		put_copy_soon(&dst, text);
	}
	ck_assert_uint_eq(sip_tp_ctr(tp, SIP_TP_CTR_TX_MSGS), 3 + 32);
	m = msgb_alloc(64, "t");
	memcpy(msgb_put(m, 3), "now", 3);
	ck_assert_int_eq(sip_tp_send_copy(tp, &dst, m), 0);
	msgb_free(m);
	ck_assert_uint_eq(sip_tp_ctr(tp, SIP_TP_CTR_TX_MSGS), 3 + 40 + 1);
	for (i = 0; i < 40; i++) {
		snprintf(text, sizeof(text), "b%d", i);
		ck_assert_str_eq(udp_next(s), text);
	}
	ck_assert_str_eq(udp_next(s), "now");
	ck_assert_uint_eq(sip_tp_ctr(tp, SIP_TP_CTR_TX_ERRORS), 0);

	/* what waits when the transport goes is sent, not lost */
	put_copy_soon(&dst, "last");
	sip_tp_free(tp);
	tp = NULL;
	ck_assert_str_eq(udp_next(s), "last");
	close(s);
}
END_TEST

/* The socket of the UDP listener on port: found among our descriptors by its local address. */
static int udp_listener_fd(uint16_t port)
{
	int fd;

	for (fd = 3; fd < 1024; fd++) {
		struct sockaddr_in a;
		socklen_t alen = sizeof(a);
		int type;
		socklen_t tlen = sizeof(type);

		if (getsockname(fd, (struct sockaddr *)&a, &alen) == 0 && a.sin_family == AF_INET &&
		    ntohs(a.sin_port) == port && getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen) == 0 &&
		    type == SOCK_DGRAM)
			return fd;
	}
	return -1;
}

START_TEST(test_udp_buffer)
{
	int l, fd, rcv = 0, snd = 0;
	socklen_t len = sizeof(int);

	/* below the kernel's default cap (net.core.rmem_max is 212992 on a fresh system), above its default */
	cfg.udp_buffer = 150000;
	l = sip_tp_listen(tp, SIP_TRANSPORT_UDP, "127.0.0.1", 0);
	ck_assert_int_ge(l, 0);
	fd = udp_listener_fd(sip_tp_listen_port(tp, l));
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, &len), 0);
	ck_assert_int_eq(getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &snd, &len), 0);
	/* the kernel reports twice what it granted */
	ck_assert_int_eq(rcv, 2 * 150000);
	ck_assert_int_eq(snd, 2 * 150000);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("sip_transport");
	TCase *tc = tcase_create("transport");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_two_in_one_read);
	tcase_add_test(tc, test_udp_buffer);
	tcase_add_test(tc, test_byte_by_byte);
	tcase_add_test(tc, test_missing_content_length);
	tcase_add_test(tc, test_keepalive);
	tcase_add_test(tc, test_too_big);
	tcase_add_test(tc, test_unroutable_garbage_closes);
	tcase_add_test(tc, test_idle_close);
	tcase_add_test(tc, test_connection_limit);
	tcase_add_test(tc, test_request_reuses_connection);
	tcase_add_test(tc, test_udp_loopback);
	tcase_add_test(tc, test_udp_batch);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return test_run_suite(suite());
}
