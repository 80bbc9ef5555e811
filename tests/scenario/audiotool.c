/* audiotool: the IMS end of the audio tests and the measurements of both ends.
 *
 *   audiotool gen FILE.wav SEGMENT...      SEGMENT: FREQ@DBM0/MS (a sine) or 0/MS (silence); 16-bit 8 kHz WAV
 *   audiotool analyze FILE                 one line per burst of signal (tone_analysis.h); FILE: WAV, or raw
 *                                          16-bit host-order samples unless it ends in .wav
 *   audiotool rtp --local PORT (--peer HOST:PORT | --peer-file FILE) --pt 0|8 [--play FILE.wav]
 *                 [--record FILE.wav] [--duration S] [--ts FIRST-TIMESTAMP]
 *       an RTP end point on 127.0.0.1:PORT: records what it receives (PCMU/PCMA decoded by the packets' PT,
 *       placed by timestamp, so a lost packet is a gap), and once the peer is known (FILE holds "PORT" or
 *       "HOST:PORT", written when the SDP answer arrives) sends FILE in 20 ms packets of the PT, then silence,
 *       until S seconds (default 10) or SIGTERM; prints what it received and sent.  The first RTP timestamp is
 *       random unless given (to place a wrap-around).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <spandsp.h>

#include "tone_analysis.h"

#define PTIME_SAMPLES	160
#define RTP_HDR		12
#define MAX_BURSTS	32

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static void put_le(uint8_t *p, uint32_t v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		p[i] = v >> (8 * i);
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static int wav_write(const char *path, const int16_t *x, size_t n)
{
	uint8_t h[44] = "RIFF....WAVEfmt ";
	FILE *f = fopen(path, "wb");
	size_t i;

	if (!f)
		return -errno;
	put_le(h + 4, 36 + 2 * n, 4);
	put_le(h + 16, 16, 4);
	put_le(h + 20, 1, 2);		/* PCM */
	put_le(h + 22, 1, 2);		/* mono */
	put_le(h + 24, TONE_RATE, 4);
	put_le(h + 28, 2 * TONE_RATE, 4);
	put_le(h + 32, 2, 2);
	put_le(h + 34, 16, 2);
	memcpy(h + 36, "data", 4);
	put_le(h + 40, 2 * n, 4);
	fwrite(h, 1, sizeof(h), f);
	for (i = 0; i < n; i++) {
		uint8_t s[2];

		put_le(s, (uint16_t)x[i], 2);
		fwrite(s, 1, 2, f);
	}
	return fclose(f) ? -errno : 0;
}

/* A WAV file's 16-bit samples (its data chunk, up to the end of the file when the size was never filled in),
 * or a raw file's; malloc()ed. */
static int16_t *audio_read(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	size_t len = strlen(path), cap = 0, got = 0, i;
	uint8_t *buf = NULL, *p;
	int16_t *x;

	if (!f)
		return NULL;
	for (;;) {
		if (got == cap) {
			cap = cap ? 2 * cap : 65536;
			buf = realloc(buf, cap);
			if (!buf) {
				fclose(f);
				return NULL;
			}
		}
		i = fread(buf + got, 1, cap - got, f);
		if (!i)
			break;
		got += i;
	}
	fclose(f);
	p = buf;
	if (len > 4 && !strcmp(path + len - 4, ".wav")) {
		/* walk the chunks to "data" */
		size_t off = 12;

		if (got < 12 || memcmp(buf, "RIFF", 4) || memcmp(buf + 8, "WAVE", 4)) {
			free(buf);
			return NULL;
		}
		while (off + 8 <= got && memcmp(buf + off, "data", 4)) {
			const uint8_t *s = buf + off + 4;
			uint32_t sz = s[0] | s[1] << 8 | s[2] << 16 | (uint32_t)s[3] << 24;

			off += 8 + sz;
		}
		if (off + 8 > got) {
			free(buf);
			return NULL;
		}
		p = buf + off + 8;
		got -= off + 8;
		*n = got / 2;
		x = malloc(*n * sizeof(*x) + 1);
		for (i = 0; x && i < *n; i++)
			x[i] = (int16_t)(p[2 * i] | p[2 * i + 1] << 8);
	} else {
		*n = got / 2;
		x = malloc(*n * sizeof(*x) + 1);
		if (x)
			memcpy(x, buf, *n * sizeof(*x));
	}
	free(buf);
	return x;
}

static int cmd_gen(int argc, char **argv)
{
	size_t n = 0, cap = 0, len;
	int16_t *x = NULL;
	double f, level;
	unsigned int ms;
	int i, rc;

	if (argc < 2)
		return 2;
	for (i = 1; i < argc; i++) {
		level = 0;
		if (sscanf(argv[i], "%lf@%lf/%u", &f, &level, &ms) != 3 &&
		    (sscanf(argv[i], "%lf/%u", &f, &ms) != 2 || f)) {
			fprintf(stderr, "bad segment '%s' (FREQ@DBM0/MS or 0/MS)\n", argv[i]);
			free(x);
			return 2;
		}
		len = (size_t)ms * TONE_RATE / 1000;
		if (n + len > cap) {
			cap = n + len;
			x = realloc(x, cap * sizeof(*x));
			if (!x)
				return 1;
		}
		tone_generate(x + n, len, f, level);
		n += len;
	}
	rc = wav_write(argv[0], x, n);
	free(x);
	if (rc < 0) {
		fprintf(stderr, "%s: %s\n", argv[0], strerror(-rc));
		return 1;
	}
	return 0;
}

static int cmd_analyze(int argc, char **argv)
{
	struct tone_burst b[MAX_BURSTS];
	int16_t *x;
	size_t n;
	int k, i;

	if (argc != 1)
		return 2;
	x = audio_read(argv[0], &n);
	if (!x) {
		fprintf(stderr, "%s: cannot read audio\n", argv[0]);
		return 1;
	}
	k = tone_analyze(x, n, b, MAX_BURSTS);
	free(x);
	if (k < 0) {
		fprintf(stderr, "%s: more than %u bursts\n", argv[0], MAX_BURSTS);
		return 1;
	}
	printf("%s: %.2f s, %d burst(s)\n", argv[0], (double)n / TONE_RATE, k);
	for (i = 0; i < k; i++)
		printf("burst %d: start %.2f s duration %.2f s freq %.1f Hz level %.2f dBm0 purity %.3f\n", i + 1,
		       b[i].start_s, b[i].duration_s, b[i].freq_hz, b[i].level_dbm0, b[i].purity);
	return 0;
}

static bool parse_addr(const char *s, struct sockaddr_in *sa)
{
	char host[64] = "127.0.0.1";
	const char *colon = strrchr(s, ':');
	unsigned long port;
	char *end;

	if (colon) {
		if ((size_t)(colon - s) >= sizeof(host))
			return false;
		memcpy(host, s, colon - s);
		host[colon - s] = '\0';
		s = colon + 1;
	}
	port = strtoul(s, &end, 10);
	if (end == s || (*end && *end != '\n') || !port || port > 65535)
		return false;
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons(port);
	return inet_pton(AF_INET, host, &sa->sin_addr) == 1;
}

static bool peer_from_file(const char *path, struct sockaddr_in *sa)
{
	char line[80];
	FILE *f = fopen(path, "r");
	bool ok;

	if (!f)
		return false;
	ok = fgets(line, sizeof(line), f) && parse_addr(line, sa);
	fclose(f);
	return ok;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct rtp_rx {
	int16_t *rec;
	size_t rec_n, rec_max;
	bool have_first;
	uint32_t ts0;
	unsigned long packets, audio, other_pt;
	int pt;
	struct sockaddr_in from;
};

static void rx_packet(struct rtp_rx *r, const uint8_t *p, ssize_t len, const struct sockaddr_in *from)
{
	uint32_t ts, off;
	size_t hl, i, n;
	int pt;

	if (len < RTP_HDR || (p[0] >> 6) != 2)
		return;
	hl = RTP_HDR + 4 * (p[0] & 0x0f);
	if (p[0] & 0x10) {
		if ((size_t)len < hl + 4)
			return;
		hl += 4 + 4 * (p[hl + 2] << 8 | p[hl + 3]);
	}
	if ((size_t)len < hl)
		return;
	r->packets++;
	r->from = *from;
	pt = p[1] & 0x7f;
	if (pt != 0 && pt != 8) {
		r->other_pt++;
		return;
	}
	r->audio++;
	r->pt = pt;
	ts = (uint32_t)p[4] << 24 | p[5] << 16 | p[6] << 8 | p[7];
	if (!r->have_first) {
		r->have_first = true;
		r->ts0 = ts;
	}
	off = ts - r->ts0;
	n = len - hl;
	for (i = 0; i < n && off + i < r->rec_max; i++)
		r->rec[off + i] = pt == 8 ? alaw_to_linear(p[hl + i]) : ulaw_to_linear(p[hl + i]);
	if (off + i > r->rec_n && off < r->rec_max)
		r->rec_n = off + i;
}

static int cmd_rtp(int argc, char **argv)
{
	const char *peer_file = NULL, *play = NULL, *record = NULL;
	struct sockaddr_in local, peer, from;
	struct rtp_rx r = { .pt = -1 };
	int16_t *tx = NULL;
	size_t tx_n = 0, tx_pos = 0;
	bool have_peer = false;
	double duration = 10, t0, next = 0;
	unsigned long sent = 0;
	uint32_t ssrc, ts;
	long long ts0 = -1;
	uint16_t seq;
	int pt = -1, fd, i, rc = 0;
	struct sigaction sa = { .sa_handler = on_term };

	memset(&local, 0, sizeof(local));
	for (i = 0; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--local") && parse_addr(argv[i + 1], &local))
			continue;
		if (!strcmp(argv[i], "--peer") && parse_addr(argv[i + 1], &peer))
			have_peer = true;
		else if (!strcmp(argv[i], "--peer-file"))
			peer_file = argv[i + 1];
		else if (!strcmp(argv[i], "--pt"))
			pt = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--play"))
			play = argv[i + 1];
		else if (!strcmp(argv[i], "--record"))
			record = argv[i + 1];
		else if (!strcmp(argv[i], "--duration"))
			duration = atof(argv[i + 1]);
		else if (!strcmp(argv[i], "--ts"))
			ts0 = strtoll(argv[i + 1], NULL, 0);
		else
			return 2;
	}
	if (i != argc || !local.sin_port || (pt != 0 && pt != 8) || duration <= 0 || duration > 600)
		return 2;
	if (play && !(tx = audio_read(play, &tx_n))) {
		fprintf(stderr, "%s: cannot read audio\n", play);
		return 1;
	}
	r.rec_max = (size_t)(duration * TONE_RATE) + TONE_RATE;
	r.rec = calloc(r.rec_max, sizeof(*r.rec));
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (!r.rec || fd < 0 || bind(fd, (struct sockaddr *)&local, sizeof(local)) < 0) {
		perror("rtp socket");
		free(tx);
		free(r.rec);
		return 1;
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	srandom(getpid() ^ time(NULL));
	ssrc = random();
	seq = random();
	ts = ts0 >= 0 ? (uint32_t)ts0 : (uint32_t)random();
	t0 = now_s();
	while (!stop && now_s() - t0 < duration) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		double wait = have_peer ? next - now_s() : 0.01;
		uint8_t buf[2048];
		socklen_t fl = sizeof(from);
		ssize_t len;

		if (!have_peer && peer_file && peer_from_file(peer_file, &peer))
			have_peer = true;
		if (have_peer && !next)
			next = now_s();
		if (have_peer && wait <= 0) {
			/* one 20 ms packet per period, late ones sent at once */
			uint8_t pkt[RTP_HDR + PTIME_SAMPLES];
			int k;

			pkt[0] = 0x80;
			pkt[1] = pt | (sent ? 0 : 0x80);
			pkt[2] = seq >> 8;
			pkt[3] = seq;
			put_be32(pkt + 4, ts);
			put_be32(pkt + 8, ssrc);
			for (k = 0; k < PTIME_SAMPLES; k++) {
				int16_t s = tx_pos < tx_n ? tx[tx_pos++] : 0;

				pkt[RTP_HDR + k] = pt == 8 ? linear_to_alaw(s) : linear_to_ulaw(s);
			}
			if (sendto(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&peer, sizeof(peer)) == sizeof(pkt))
				sent++;
			seq++;
			ts += PTIME_SAMPLES;
			next += PTIME_SAMPLES / (double)TONE_RATE;
			continue;
		}
		if (poll(&pfd, 1, wait > 0 ? (int)(wait * 1000) + 1 : 10) <= 0)
			continue;
		len = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
		if (len > 0)
			rx_packet(&r, buf, len, &from);
	}
	close(fd);
	printf("rx %lu packets (%lu audio pt %d, %lu other) from %s:%u; ", r.packets, r.audio, r.pt, r.other_pt,
	       inet_ntoa(r.from.sin_addr), ntohs(r.from.sin_port));
	printf("tx %lu packets pt %d to %s:%u\n", sent, pt, have_peer ? inet_ntoa(peer.sin_addr) : "-",
	       have_peer ? ntohs(peer.sin_port) : 0);
	if (record && wav_write(record, r.rec, r.rec_n) < 0) {
		perror(record);
		rc = 1;
	}
	free(tx);
	free(r.rec);
	return rc;
}

int main(int argc, char **argv)
{
	int rc = 2;

	if (argc >= 2 && !strcmp(argv[1], "gen"))
		rc = cmd_gen(argc - 2, argv + 2);
	else if (argc >= 2 && !strcmp(argv[1], "analyze"))
		rc = cmd_analyze(argc - 2, argv + 2);
	else if (argc >= 2 && !strcmp(argv[1], "rtp"))
		rc = cmd_rtp(argc - 2, argv + 2);
	if (rc == 2)
		fprintf(stderr, "usage: audiotool gen FILE.wav FREQ@DBM0/MS|0/MS...\n"
				"       audiotool analyze FILE\n"
				"       audiotool rtp --local PORT (--peer HOST:PORT | --peer-file FILE) --pt 0|8 "
				"[--play FILE] [--record FILE.wav] [--duration S] [--ts N]\n");
	return rc;
}
