/* media_uring: the io_uring the media threads do their channel packet I/O with, on real loopback sockets
 * (ephemeral ports).  Skipped (77) where the kernel does not offer io_uring to this process. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <check.h>
#include <talloc.h>

#include "testlib.h"
#include "media/media_uring.h"

#define NSOCK	200

static int udp_bound(struct sockaddr_in *a)
{
	socklen_t len = sizeof(*a);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);

	ck_assert_int_ge(fd, 0);
	*a = (struct sockaddr_in){ .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	ck_assert_int_eq(bind(fd, (struct sockaddr *)a, sizeof(*a)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)a, &len), 0);
	return fd;
}

static const struct msghdr rx_mh = { .msg_namelen = sizeof(struct sockaddr_in6) };

static void arm(struct media_uring *u, int fd, uint64_t ud)
{
	struct io_uring_sqe *sqe = media_uring_get_sqe(u);

	ck_assert_ptr_nonnull(sqe);
	media_uring_prep_recvmsg_multishot(sqe, fd, &rx_mh, ud);
}

/* the payload of a receive completion (buffer given back by the caller) */
static const uint8_t *rx_payload(struct media_uring *u, const struct io_uring_cqe *c,
				 const struct io_uring_recvmsg_out **o)
{
	const uint8_t *b = media_uring_buf(u, c->flags >> IORING_CQE_BUFFER_SHIFT);

	*o = (const void *)b;
	if ((*o)->flags & MSG_TRUNC)
		ck_assert_int_eq(c->res, (int)media_uring_buf_size(u));
	else
		ck_assert_int_eq(c->res, (int)(sizeof(**o) + rx_mh.msg_namelen + (*o)->payloadlen));
	return b + sizeof(**o) + rx_mh.msg_namelen;
}

/* Every datagram that arrived is delivered by one non-waiting enter, however many sockets have one (the
 * kernel's default is to run only 20 deferred completions per call), with its source address. */
START_TEST(all_receives_in_one_enter)
{
	struct media_uring *u = media_uring_alloc(test_ctx, 256, 512, 256);
	struct sockaddr_in a[NSOCK], pa;
	int fd[NSOCK], peer = udp_bound(&pa), seen[NSOCK] = { 0 };
	struct io_uring_cqe c;
	unsigned int i, n = 0;

	ck_assert_ptr_nonnull(u);
	for (i = 0; i < NSOCK; i++) {
		fd[i] = udp_bound(&a[i]);
		arm(u, fd[i], i);
	}
	ck_assert_int_eq(media_uring_enter(u, 0), 0);
	ck_assert(!media_uring_next_cqe(u, &c));
	for (i = 0; i < NSOCK; i++) {
		char msg[16];
		int len = snprintf(msg, sizeof(msg), "pkt %u", i);
		ck_assert_int_eq(sendto(peer, msg, len, 0, (struct sockaddr *)&a[i], sizeof(a[i])), len);
	}
	ck_assert_int_eq(media_uring_enter(u, 0), 0);
	while (media_uring_next_cqe(u, &c)) {
		const struct io_uring_recvmsg_out *o;
		const uint8_t *p;
		const struct sockaddr_in *from;
		char want[16];
		ck_assert_uint_lt(c.user_data, NSOCK);
		ck_assert(c.flags & IORING_CQE_F_BUFFER);
		ck_assert(c.flags & IORING_CQE_F_MORE);
		p = rx_payload(u, &c, &o);
		from = (const void *)((const uint8_t *)o + sizeof(*o));
		snprintf(want, sizeof(want), "pkt %u", (unsigned int)c.user_data);
		ck_assert_uint_eq(o->payloadlen, strlen(want));
		ck_assert(!memcmp(p, want, o->payloadlen));
		ck_assert_uint_eq(o->namelen, sizeof(struct sockaddr_in));
		ck_assert_uint_eq(from->sin_port, pa.sin_port);
		ck_assert(!(o->flags & MSG_TRUNC));
		seen[c.user_data]++;
		media_uring_buf_put(u, c.flags >> IORING_CQE_BUFFER_SHIFT);
		n++;
	}
	ck_assert_uint_eq(n, NSOCK);
	for (i = 0; i < NSOCK; i++) {
		ck_assert_int_eq(seen[i], 1);
		close(fd[i]);
	}
	close(peer);
	talloc_free(u);
}
END_TEST

/* SEND on a connected socket, SENDMSG to an address: each completes with its length, the peer gets both. */
START_TEST(send_and_sendmsg)
{
	struct media_uring *u = media_uring_alloc(test_ctx, 8, 8, 256);
	struct sockaddr_in pa, sa;
	int peer = udp_bound(&pa), s = udp_bound(&sa), n = 0;
	struct iovec iov = { (void *)"unconnected", 11 };
	struct msghdr mh = { .msg_name = &pa, .msg_namelen = sizeof(pa), .msg_iov = &iov, .msg_iovlen = 1 };
	struct io_uring_cqe c;
	char buf[64];

	ck_assert_ptr_nonnull(u);
	media_uring_prep_sendmsg(media_uring_get_sqe(u), s, &mh, 2);
	ck_assert_int_eq(connect(s, (struct sockaddr *)&pa, sizeof(pa)), 0);
	media_uring_prep_send(media_uring_get_sqe(u), s, "connected", 9, 1);
	ck_assert_int_eq(media_uring_enter(u, 0), 0);
	while (media_uring_next_cqe(u, &c)) {
		ck_assert_int_eq(c.res, c.user_data == 1 ? 9 : 11);
		n++;
	}
	ck_assert_int_eq(n, 2);
	/* submitted in queue order */
	ck_assert_int_eq(recv(peer, buf, sizeof(buf), MSG_DONTWAIT), 11);
	ck_assert(!memcmp(buf, "unconnected", 11));
	ck_assert_int_eq(recv(peer, buf, sizeof(buf), MSG_DONTWAIT), 9);
	ck_assert(!memcmp(buf, "connected", 9));
	close(peer);
	close(s);
	talloc_free(u);
}
END_TEST

/* With no buffer left the request ends (-ENOBUFS, no F_MORE); the datagrams wait in the socket and a new
 * request delivers them, in order. */
START_TEST(buffers_exhausted_rearm)
{
	struct media_uring *u = media_uring_alloc(test_ctx, 8, 4, 256);
	struct sockaddr_in a, pa;
	int fd = udp_bound(&a), peer = udp_bound(&pa);
	unsigned int i, next = 0, ended = 0, rounds;
	struct io_uring_cqe c;

	ck_assert_ptr_nonnull(u);
	arm(u, fd, 7);
	ck_assert_int_eq(media_uring_enter(u, 0), 0);
	for (i = 0; i < 10; i++)
		ck_assert_int_eq(sendto(peer, &i, sizeof(i), 0, (struct sockaddr *)&a, sizeof(a)), sizeof(i));
	for (rounds = 0; rounds < 10 && next < 10; rounds++) {
		unsigned int bids[4], nb = 0;
		bool more = true;
		ck_assert_int_eq(media_uring_enter(u, 0), 0);
		while (media_uring_next_cqe(u, &c)) {
			ck_assert_uint_eq(c.user_data, 7);
			if (c.flags & IORING_CQE_F_BUFFER) {
				const struct io_uring_recvmsg_out *o;
				const uint8_t *p = rx_payload(u, &c, &o);
				unsigned int v;
				ck_assert_uint_eq(o->payloadlen, sizeof(v));
				memcpy(&v, p, sizeof(v));
				ck_assert_uint_eq(v, next);
				next++;
				bids[nb++] = c.flags >> IORING_CQE_BUFFER_SHIFT;
			}
			if (!(c.flags & IORING_CQE_F_MORE)) {
				ck_assert_int_eq(c.res, -ENOBUFS);
				more = false;
				ended++;
			}
		}
		for (i = 0; i < nb; i++)
			media_uring_buf_put(u, bids[i]);
		if (!more)
			arm(u, fd, 7);
	}
	ck_assert_uint_eq(next, 10);
	ck_assert_uint_ge(ended, 2);	/* 10 datagrams, 4 buffers */
	close(fd);
	close(peer);
	talloc_free(u);
}
END_TEST

/* A cancelled request ends with -ECANCELED and no F_MORE; a datagram larger than the buffer is flagged
 * MSG_TRUNC, not split. */
START_TEST(cancel_and_truncation)
{
	struct media_uring *u = media_uring_alloc(test_ctx, 8, 8, 128);
	struct sockaddr_in a, pa;
	int fd = udp_bound(&a), peer = udp_bound(&pa), tries;
	uint8_t big[300];
	struct io_uring_cqe c;
	bool trunc = false, cancelled = false, cancel_done = false;

	ck_assert_ptr_nonnull(u);
	memset(big, 0x55, sizeof(big));
	arm(u, fd, 3);
	ck_assert_int_eq(media_uring_enter(u, 0), 0);
	ck_assert_int_eq(sendto(peer, big, sizeof(big), 0, (struct sockaddr *)&a, sizeof(a)), sizeof(big));
	ck_assert_int_eq(media_uring_enter(u, 0), 0);
	while (media_uring_next_cqe(u, &c)) {
		const struct io_uring_recvmsg_out *o;
		ck_assert(c.flags & IORING_CQE_F_BUFFER);
		rx_payload(u, &c, &o);
		/* what fitted: the rest of the datagram is discarded */
		ck_assert_uint_eq(o->payloadlen, media_uring_buf_size(u) - sizeof(*o) - rx_mh.msg_namelen);
		trunc = o->flags & MSG_TRUNC;
		media_uring_buf_put(u, c.flags >> IORING_CQE_BUFFER_SHIFT);
	}
	ck_assert(trunc);
	media_uring_prep_cancel(media_uring_get_sqe(u), 3, 4);
	for (tries = 0; tries < 100 && !(cancelled && cancel_done); tries++) {
		ck_assert_int_eq(media_uring_enter(u, 1), 0);
		while (media_uring_next_cqe(u, &c)) {
			if (c.user_data == 3) {
				ck_assert_int_eq(c.res, -ECANCELED);
				ck_assert(!(c.flags & IORING_CQE_F_MORE));
				cancelled = true;
			} else {
				ck_assert_uint_eq(c.user_data, 4);
				ck_assert_int_eq(c.res, 0);
				cancel_done = true;
			}
		}
	}
	ck_assert(cancelled && cancel_done);
	close(fd);
	close(peer);
	talloc_free(u);
}
END_TEST

static Suite *uring_suite(void)
{
	Suite *s = suite_create("media io_uring");
	TCase *tc = tcase_create("uring");

	tcase_set_timeout(tc, 30);
	tcase_add_checked_fixture(tc, test_setup_real_time, test_teardown);
	tcase_add_test(tc, all_receives_in_one_enter);
	tcase_add_test(tc, send_and_sendmsg);
	tcase_add_test(tc, buffers_exhausted_rearm);
	tcase_add_test(tc, cancel_and_truncation);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	void *ctx = talloc_named_const(NULL, 0, "probe");
	bool avail = media_uring_alloc(ctx, 8, 8, 256) != NULL;

	talloc_free(ctx);
	if (!avail) {
		fprintf(stderr, "io_uring (multishot RECVMSG, provided buffer rings) not available here: skipped\n");
		return 77;
	}
	return test_run_suite(uring_suite());
}
