/* vtycmd: a minimal telnet VTY client for the shell tests.
 *
 *   vtycmd PORT CMD...   run each command on 127.0.0.1:PORT, print what it answered
 *   vtycmd --probe PORT  exit 0 if something accepts TCP connections on 127.0.0.1:PORT
 *   vtycmd --free-port   print a port free for both TCP and UDP on 127.0.0.1
 *
 * Telnet option negotiation (IAC …) is dropped; a command's answer ends when the
 * prompt ("NAME> ", "NAME# ", "NAME(config)# ") comes back.  Exits 1 on time-out. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static char buf[1 << 20];
static size_t len;

static int connect_port(int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Append readable bytes without telnet commands; 0 on time-out, -1 on EOF/error. */
static int read_some(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	unsigned char tmp[4096];
	ssize_t n, i;

	if (poll(&p, 1, timeout_ms) <= 0)
		return 0;
	n = read(fd, tmp, sizeof(tmp));
	if (n <= 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (tmp[i] == 0xff) {	/* IAC: 3-byte option command; subnegotiation up to IAC SE */
			if (i + 1 < n && tmp[i + 1] == 0xfa) {
				while (i + 1 < n && !(tmp[i] == 0xff && tmp[i + 1] == 0xf0))
					i++;
				i++;
			} else {
				i += 2;
			}
			continue;
		}
		if (tmp[i] == '\r' || tmp[i] == 0)
			continue;
		if (len < sizeof(buf) - 1)
			buf[len++] = tmp[i];
	}
	buf[len] = '\0';
	return 1;
}

static int ends_with_prompt(const char *name)
{
	const char *last = strrchr(buf, '\n');

	last = last ? last + 1 : buf;
	if (strncmp(last, name, strlen(name)))
		return 0;
	return len >= 2 && (!strcmp(buf + len - 2, "> ") || !strcmp(buf + len - 2, "# "));
}

static int wait_prompt(int fd, const char *name)
{
	int waited = 0;

	while (!ends_with_prompt(name)) {
		int rc = read_some(fd, 100);

		if (rc < 0)
			return -1;
		if (rc == 0 && (waited += 100) > 5000)
			return -1;
	}
	return 0;
}

static int free_port(void)
{
	int tries;

	for (tries = 0; tries < 100; tries++) {
		struct sockaddr_in sin = { .sin_family = AF_INET };
		socklen_t sl = sizeof(sin);
		int t = socket(AF_INET, SOCK_STREAM, 0), u = socket(AF_INET, SOCK_DGRAM, 0);
		int port;

		inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
		if (bind(t, (struct sockaddr *)&sin, sizeof(sin)) < 0 || getsockname(t, (struct sockaddr *)&sin, &sl) < 0)
			return -1;
		port = ntohs(sin.sin_port);
		if (bind(u, (struct sockaddr *)&sin, sizeof(sin)) == 0) {
			close(t);
			close(u);
			printf("%d\n", port);
			return 0;
		}
		close(t);
		close(u);
	}
	return -1;
}

int main(int argc, char **argv)
{
	char name[256];
	const char *nl, *p;
	int fd, i;

	if (argc == 2 && !strcmp(argv[1], "--free-port"))
		return free_port() ? 1 : 0;
	if (argc == 3 && !strcmp(argv[1], "--probe")) {
		fd = connect_port(atoi(argv[2]));
		if (fd < 0)
			return 1;
		close(fd);
		return 0;
	}
	if (argc < 3) {
		fprintf(stderr, "usage: vtycmd PORT CMD... | --probe PORT | --free-port\n");
		return 2;
	}
	fd = connect_port(atoi(argv[1]));
	if (fd < 0) {
		fprintf(stderr, "vtycmd: cannot connect to 127.0.0.1:%s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	/* the banner ends with the first prompt, "NAME> " */
	while (!(len >= 2 && !strcmp(buf + len - 2, "> "))) {
		if (read_some(fd, 5000) <= 0) {
			fprintf(stderr, "vtycmd: no prompt\n");
			return 1;
		}
	}
	p = strrchr(buf, '\n');
	p = p ? p + 1 : buf;
	snprintf(name, sizeof(name), "%.*s", (int)(strlen(p) - 2), p);
	for (i = 2; i < argc; i++) {
		len = 0;
		buf[0] = '\0';
		if (dprintf(fd, "%s\n", argv[i]) < 0 || wait_prompt(fd, name) < 0) {
			fprintf(stderr, "vtycmd: no answer to '%s'\n", argv[i]);
			return 1;
		}
		/* drop the echoed command line and the trailing prompt */
		nl = strchr(buf, '\n');
		p = strrchr(buf, '\n');
		if (nl && p > nl)
			fwrite(nl + 1, 1, p - nl, stdout);
	}
	close(fd);
	return 0;
}
