/*! \file media_uring.h
 * A minimal io_uring (raw syscalls, <linux/io_uring.h>) for the media threads' packet I/O: one
 * io_uring_enter() per tick submits all of the tick's RTP sends and collects every RTP/RTCP packet that
 * arrived, instead of one send and one receive system call per channel and packet time.
 *
 *   channel sockets ──(multishot RECVMSG, armed once per socket)──▶ provided buffer ring ─▶ CQEs
 *   tick's packets ──(SEND / SENDMSG SQEs, MSG_DONTWAIT)──────────▶ one io_uring_enter() per tick
 *
 * The ring is created with DEFER_TASKRUN where the kernel has it: packet completions are then only
 * produced inside our own io_uring_enter(), i.e. once per tick and in a batch, never in between.
 * media_uring_alloc() returns NULL whenever io_uring cannot do all of this here (old kernel,
 * kernel.io_uring_disabled, seccomp): the caller then uses plain socket calls.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <linux/io_uring.h>

struct media_uring;

/*! \brief A ring of sq_entries submissions (power of two) with nbufs (power of two) receive buffers of
 * buf_size octets for multishot receives, created on and for the calling thread only.  NULL if io_uring is
 * unavailable or lacks a feature used here (verified with a real loopback datagram). */
struct media_uring *media_uring_alloc(void *ctx, unsigned int sq_entries, unsigned int nbufs, unsigned int buf_size);

/*! \brief The next free submission entry (zeroed), or NULL when all are queued: media_uring_enter() first. */
struct io_uring_sqe *media_uring_get_sqe(struct media_uring *u);

/*! \brief Whether submissions are queued that no media_uring_enter() has handed to the kernel yet. */
bool media_uring_pending(const struct media_uring *u);
/*! \brief Submit what is queued and run the completions due (received packets, all of them); wait for at
 * least wait_nr completions, 100 ms at most.  Returns 0 (also when the wait timed out) or a negative errno. */
int media_uring_enter(struct media_uring *u, unsigned int wait_nr);

/*! \brief Take the next completion into *cqe; false when there is none. */
bool media_uring_next_cqe(struct media_uring *u, struct io_uring_cqe *cqe);

/*! \brief Start of receive buffer bid (from a completion's flags) and the buffers' size. */
uint8_t *media_uring_buf(const struct media_uring *u, unsigned int bid);
size_t media_uring_buf_size(const struct media_uring *u);
/*! \brief Give receive buffer bid back to the kernel. */
void media_uring_buf_put(struct media_uring *u, unsigned int bid);

/*! \brief Receive datagrams on fd until cancelled, each into a provided buffer laid out as struct
 * io_uring_recvmsg_out, the source address (mh->msg_namelen octets), the payload.  mh is a template
 * (msg_namelen set, no iovec) that must stay valid while the request lives. */
void media_uring_prep_recvmsg_multishot(struct io_uring_sqe *sqe, int fd, const struct msghdr *mh, uint64_t ud);
/*! \brief Send on a connected socket; buf must stay valid until the completion. */
void media_uring_prep_send(struct io_uring_sqe *sqe, int fd, const void *buf, size_t len, uint64_t ud);
/*! \brief Send mh; mh, its iovec, address and data must stay valid until the completion. */
void media_uring_prep_sendmsg(struct io_uring_sqe *sqe, int fd, const struct msghdr *mh, uint64_t ud);
/*! \brief Cancel the request whose user data is target. */
void media_uring_prep_cancel(struct io_uring_sqe *sqe, uint64_t target, uint64_t ud);
