/* io_uring for the media threads through the raw system calls (no liburing: no new library).
 * See media_uring.h. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <talloc.h>

#include "media/media_uring.h"

#define PROBE_UD	1
#define MAX_WAIT_NS	100000000	/* 100 ms: a wait for completions never blocks the media thread longer */

struct media_uring {
	int fd;
	/* submission queue */
	void *sq_map, *cq_map;
	size_t sq_map_len, cq_map_len;
	unsigned int *sq_head, *sq_tail, sq_mask, sq_entries;
	unsigned int sq_local_tail;	/* entries handed out, published to *sq_tail at enter */
	struct io_uring_sqe *sqes;
	size_t sqes_len;
	/* completion queue */
	unsigned int *cq_head, *cq_tail, cq_mask, cq_entries;
	struct io_uring_cqe *cqes;
	/* provided receive buffers (group 0) */
	struct io_uring_buf_ring *br;
	size_t br_len;
	unsigned int nbufs;
	uint16_t br_tail;
	uint8_t *bufs;			/* nbufs * buf_size octets, mmap()ed */
	size_t buf_size;
};

static int sys_setup(unsigned int entries, struct io_uring_params *p)
{
	return (int)syscall(__NR_io_uring_setup, entries, p);
}

static int sys_enter(int fd, unsigned int to_submit, unsigned int min_complete, unsigned int flags, void *arg,
		     size_t argsz)
{
	return (int)syscall(__NR_io_uring_enter, fd, to_submit, min_complete, flags, arg, argsz);
}

static int sys_register(int fd, unsigned int op, void *arg, unsigned int nr)
{
	return (int)syscall(__NR_io_uring_register, fd, op, arg, nr);
}

static int uring_destructor(struct media_uring *u)
{
	/* closing the ring cancels whatever is still armed and drops its file references */
	if (u->fd >= 0)
		close(u->fd);
	if (u->sqes)
		munmap(u->sqes, u->sqes_len);
	if (u->cq_map && u->cq_map != u->sq_map)
		munmap(u->cq_map, u->cq_map_len);
	if (u->sq_map)
		munmap(u->sq_map, u->sq_map_len);
	if (u->br)
		munmap(u->br, u->br_len);
	if (u->bufs)
		munmap(u->bufs, (size_t)u->nbufs * u->buf_size);
	return 0;
}

static void *map_ring(int fd, size_t len, off_t off)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, off);
	return p == MAP_FAILED ? NULL : p;
}

static int ring_setup(struct media_uring *u, unsigned int sq_entries)
{
	/* fastest first: completions run only in our io_uring_enter() (6.1+), then without that (5.19+) */
	static const unsigned int flag_sets[] = {
		IORING_SETUP_CQSIZE | IORING_SETUP_SUBMIT_ALL | IORING_SETUP_COOP_TASKRUN |
			IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
		IORING_SETUP_CQSIZE | IORING_SETUP_SUBMIT_ALL | IORING_SETUP_COOP_TASKRUN,
		IORING_SETUP_CQSIZE,
	};
	struct io_uring_params p;
	unsigned int i, k;

	for (k = 0; k < sizeof(flag_sets) / sizeof(flag_sets[0]); k++) {
		memset(&p, 0, sizeof(p));
		p.flags = flag_sets[k];
		/* receive completions of a whole tick plus its sends must fit without overflowing */
		p.cq_entries = 4 * sq_entries;
		u->fd = sys_setup(sq_entries, &p);
		if (u->fd >= 0 || errno != EINVAL)
			break;
	}
	if (u->fd < 0)
		return -errno;
	if (!(p.features & IORING_FEAT_SINGLE_MMAP) || !(p.features & IORING_FEAT_NODROP) ||
	    !(p.features & IORING_FEAT_EXT_ARG))
		return -ENOTSUP;
	u->sq_map_len = p.sq_off.array + p.sq_entries * sizeof(unsigned int);
	u->cq_map_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	if (u->cq_map_len > u->sq_map_len)
		u->sq_map_len = u->cq_map_len;
	u->sq_map = map_ring(u->fd, u->sq_map_len, IORING_OFF_SQ_RING);
	if (!u->sq_map)
		return -ENOMEM;
	u->cq_map = u->sq_map;
	u->sqes_len = p.sq_entries * sizeof(struct io_uring_sqe);
	u->sqes = map_ring(u->fd, u->sqes_len, IORING_OFF_SQES);
	if (!u->sqes)
		return -ENOMEM;
	u->sq_head = (unsigned int *)((char *)u->sq_map + p.sq_off.head);
	u->sq_tail = (unsigned int *)((char *)u->sq_map + p.sq_off.tail);
	u->sq_mask = *(unsigned int *)((char *)u->sq_map + p.sq_off.ring_mask);
	u->sq_entries = p.sq_entries;
	u->sq_local_tail = *u->sq_tail;
	/* submission slot i always uses entry i */
	for (i = 0; i < p.sq_entries; i++)
		((unsigned int *)((char *)u->sq_map + p.sq_off.array))[i] = i;
	u->cq_head = (unsigned int *)((char *)u->cq_map + p.cq_off.head);
	u->cq_tail = (unsigned int *)((char *)u->cq_map + p.cq_off.tail);
	u->cq_mask = *(unsigned int *)((char *)u->cq_map + p.cq_off.ring_mask);
	u->cq_entries = p.cq_entries;
	u->cqes = (struct io_uring_cqe *)((char *)u->cq_map + p.cq_off.cqes);
	return 0;
}

static int bufs_setup(struct media_uring *u, unsigned int nbufs, unsigned int buf_size)
{
	struct io_uring_buf_reg reg = { 0 };
	unsigned int i;
	void *p;

	u->br_len = nbufs * sizeof(struct io_uring_buf);
	p = mmap(NULL, u->br_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -ENOMEM;
	u->br = p;
	/* mapped, not malloc()ed: memory checkers (valgrind) that cannot see the kernel write into it then take
	 * it as initialised (zero-filled) rather than report every received datagram.  Populated: the ring hands
	 * the buffers out in turn, so untouched pages would otherwise become resident one by one over the first
	 * minutes of traffic, a creep of the RSS that looks like a leak; a media thread's memory is fixed from its
	 * start instead. */
	p = mmap(NULL, (size_t)nbufs * buf_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE,
		 -1, 0);
	if (p == MAP_FAILED)
		return -ENOMEM;
	u->bufs = p;
	u->nbufs = nbufs;
	u->buf_size = buf_size;
	reg.ring_addr = (uintptr_t)u->br;
	reg.ring_entries = nbufs;
	reg.bgid = 0;
	if (sys_register(u->fd, IORING_REGISTER_PBUF_RING, &reg, 1) < 0)
		return -errno;
	for (i = 0; i < nbufs; i++)
		media_uring_buf_put(u, i);
	return 0;
}

/* a datagram through a multishot RECVMSG into a provided buffer, then cancelled: what the media thread
 * relies on, tried for real (a kernel may have io_uring but not this, or forbid it) */
static int probe(struct media_uring *u)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	struct msghdr mh = { .msg_namelen = sizeof(struct sockaddr_in6) };
	struct io_uring_cqe cqe;
	struct io_uring_sqe *sqe;
	int rx = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0), tx = socket(AF_INET, SOCK_DGRAM, 0);
	int rc = -ENOTSUP, tries;
	bool got = false, ended = false;

	if (rx < 0 || tx < 0 || bind(rx, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    getsockname(rx, (struct sockaddr *)&a, &alen) < 0)
		goto out;
	sqe = media_uring_get_sqe(u);
	media_uring_prep_recvmsg_multishot(sqe, rx, &mh, PROBE_UD);
	if (media_uring_enter(u, 0) < 0 || sendto(tx, "probe", 5, 0, (struct sockaddr *)&a, sizeof(a)) != 5)
		goto out;
	for (tries = 0; tries < 10 && !got; tries++) {
		if (media_uring_enter(u, 1) < 0)
			goto out;
		while (media_uring_next_cqe(u, &cqe)) {
			if (cqe.res > 0 && (cqe.flags & IORING_CQE_F_BUFFER)) {
				unsigned int bid = cqe.flags >> IORING_CQE_BUFFER_SHIFT;
				const struct io_uring_recvmsg_out *o = (const void *)media_uring_buf(u, bid);
				got = o->payloadlen == 5 && (cqe.flags & IORING_CQE_F_MORE);
				media_uring_buf_put(u, bid);
			}
			if (!(cqe.flags & IORING_CQE_F_MORE))
				ended = true;
		}
		if (ended)
			break;
	}
	if (!got)
		goto out;
	sqe = media_uring_get_sqe(u);
	media_uring_prep_cancel(sqe, PROBE_UD, PROBE_UD + 1);
	for (tries = 0; tries < 10 && !ended; tries++) {
		if (media_uring_enter(u, 1) < 0)
			goto out;
		while (media_uring_next_cqe(u, &cqe))
			if (cqe.user_data == PROBE_UD && !(cqe.flags & IORING_CQE_F_MORE))
				ended = true;
	}
	/* the cancel's own completion may come after the request's last one */
	media_uring_enter(u, 0);
	while (media_uring_next_cqe(u, &cqe))
		;
	rc = ended ? 0 : -ENOTSUP;
out:
	if (rx >= 0)
		close(rx);
	if (tx >= 0)
		close(tx);
	return rc;
}

struct media_uring *media_uring_alloc(void *ctx, unsigned int sq_entries, unsigned int nbufs, unsigned int buf_size)
{
	struct media_uring *u = talloc_zero(ctx, struct media_uring);

	if (!u)
		return NULL;
	u->fd = -1;
	talloc_set_destructor(u, uring_destructor);
	if (ring_setup(u, sq_entries) < 0 || bufs_setup(u, nbufs, buf_size) < 0 || probe(u) < 0) {
		talloc_free(u);
		return NULL;
	}
	return u;
}

struct io_uring_sqe *media_uring_get_sqe(struct media_uring *u)
{
	unsigned int head = __atomic_load_n(u->sq_head, __ATOMIC_ACQUIRE);
	struct io_uring_sqe *sqe;

	if (u->sq_local_tail - head >= u->sq_entries)
		return NULL;
	sqe = &u->sqes[u->sq_local_tail & u->sq_mask];
	memset(sqe, 0, sizeof(*sqe));
	u->sq_local_tail++;
	return sqe;
}

bool media_uring_pending(const struct media_uring *u)
{
	return u->sq_local_tail != __atomic_load_n(u->sq_head, __ATOMIC_ACQUIRE);
}

int media_uring_enter(struct media_uring *u, unsigned int wait_nr)
{
	/* Not waiting: ask for a full completion queue with a zero timeout.  The kernel runs deferred
	 * completions (received datagrams) up to the number asked for before it looks at the timeout; with
	 * min_complete 0 recent kernels run only a few (IO_LOCAL_TW_DEFAULT_MAX, 20) per call and leave the
	 * rest for later, i.e. late for their tick. */
	struct __kernel_timespec ts = { .tv_nsec = wait_nr ? MAX_WAIT_NS : 0 };
	struct io_uring_getevents_arg arg = { .ts = (uintptr_t)&ts };
	unsigned int to_submit;
	int rc;

	if (!wait_nr)
		wait_nr = u->cq_entries;
	/* the kernel must see the entries' contents before the new tail */
	__atomic_store_n(u->sq_tail, u->sq_local_tail, __ATOMIC_RELEASE);
	do {
		to_submit = u->sq_local_tail - __atomic_load_n(u->sq_head, __ATOMIC_ACQUIRE);
		rc = sys_enter(u->fd, to_submit, wait_nr, IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG, &arg,
			       sizeof(arg));
	} while (rc < 0 && errno == EINTR);
	return rc < 0 && errno != ETIME ? -errno : 0;
}

bool media_uring_next_cqe(struct media_uring *u, struct io_uring_cqe *cqe)
{
	unsigned int head = *u->cq_head;

	if (head == __atomic_load_n(u->cq_tail, __ATOMIC_ACQUIRE))
		return false;
	*cqe = u->cqes[head & u->cq_mask];
	__atomic_store_n(u->cq_head, head + 1, __ATOMIC_RELEASE);
	return true;
}

uint8_t *media_uring_buf(const struct media_uring *u, unsigned int bid)
{
	return u->bufs + (size_t)(bid % u->nbufs) * u->buf_size;
}

size_t media_uring_buf_size(const struct media_uring *u)
{
	return u->buf_size;
}

void media_uring_buf_put(struct media_uring *u, unsigned int bid)
{
	struct io_uring_buf *b = &u->br->bufs[u->br_tail & (u->nbufs - 1)];

	b->addr = (uintptr_t)media_uring_buf(u, bid);
	b->len = u->buf_size;
	b->bid = bid;
	u->br_tail++;
	__atomic_store_n(&u->br->tail, u->br_tail, __ATOMIC_RELEASE);
}

static void prep(struct io_uring_sqe *sqe, uint8_t op, int fd, const void *addr, uint32_t len, uint64_t ud)
{
	sqe->opcode = op;
	sqe->fd = fd;
	sqe->addr = (uintptr_t)addr;
	sqe->len = len;
	sqe->user_data = ud;
}

void media_uring_prep_recvmsg_multishot(struct io_uring_sqe *sqe, int fd, const struct msghdr *mh, uint64_t ud)
{
	prep(sqe, IORING_OP_RECVMSG, fd, mh, 1, ud);
	sqe->ioprio = IORING_RECV_MULTISHOT;
	sqe->flags = IOSQE_BUFFER_SELECT;
	sqe->buf_group = 0;
}

void media_uring_prep_send(struct io_uring_sqe *sqe, int fd, const void *buf, size_t len, uint64_t ud)
{
	prep(sqe, IORING_OP_SEND, fd, buf, len, ud);
	/* a full socket buffer fails the send (counted) instead of parking it until there is room */
	sqe->msg_flags = MSG_DONTWAIT;
}

void media_uring_prep_sendmsg(struct io_uring_sqe *sqe, int fd, const struct msghdr *mh, uint64_t ud)
{
	prep(sqe, IORING_OP_SENDMSG, fd, mh, 1, ud);
	sqe->msg_flags = MSG_DONTWAIT;
}

void media_uring_prep_cancel(struct io_uring_sqe *sqe, uint64_t target, uint64_t ud)
{
	prep(sqe, IORING_OP_ASYNC_CANCEL, -1, NULL, 0, ud);
	sqe->addr = target;
}
