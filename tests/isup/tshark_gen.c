/* Helper for tshark_check.sh: encodes a sample of every Q.763 message type (without and with optional
 * parameters), wraps each in an M3UA DATA message (RFC 4666 §3.3.1, built by hand here so that the check does
 * not depend on our M3UA code) and writes it to DIR/NNN.bin.  Prints one line per message with what tshark must
 * find: file|cic|message type|called digits|calling digits|cause value ('-' where absent). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isup/isup_codec.h"
#include "sample_msgs.h"

#define OPC	0x0111
#define DPC	0x0222

static size_t put32(uint8_t *b, uint32_t v)
{
	b[0] = v >> 24;
	b[1] = v >> 16;
	b[2] = v >> 8;
	b[3] = v;
	return 4;
}

static int write_m3ua(const char *path, const uint8_t *isup, size_t len, uint8_t sls)
{
	uint8_t buf[600];
	size_t p = 0, plen = 4 + 12 + len, total = 8 + ((plen + 3) & ~3u);
	FILE *f;

	if (total > sizeof(buf))
		return -EMSGSIZE;
	memset(buf, 0, sizeof(buf));
	buf[p++] = 1;		/* version */
	buf[p++] = 0;		/* reserved */
	buf[p++] = 1;		/* class: transfer */
	buf[p++] = 1;		/* type: DATA */
	p += put32(buf + p, total);
	buf[p++] = 0x02;	/* tag 0x0210: protocol data */
	buf[p++] = 0x10;
	buf[p++] = plen >> 8;
	buf[p++] = plen;
	p += put32(buf + p, OPC);
	p += put32(buf + p, DPC);
	buf[p++] = 5;		/* SI: ISUP */
	buf[p++] = 2;		/* NI: national */
	buf[p++] = 0;		/* MP */
	buf[p++] = sls;
	memcpy(buf + p, isup, len);
	f = fopen(path, "wb");
	if (!f)
		return -errno;
	if (fwrite(buf, 1, total, f) != total) {
		fclose(f);
		return -EIO;
	}
	return fclose(f) ? -errno : 0;
}

int main(int argc, char **argv)
{
	static struct isup_msg m;
	unsigned int t, n = 0, opt;
	uint8_t buf[300];
	char path[4096];

	if (argc != 2) {
		fprintf(stderr, "usage: tshark_gen DIR\n");
		return 2;
	}
	for (t = 0; t < 256; t++) {
		if (!isup_msg_known(t))
			continue;
		for (opt = 0; opt < 2; opt++) {
			char called[64] = "-", calling[64] = "-", cause[8] = "-";
			int len;

			isup_sample_msg(&m, t, opt);
			if (opt && !isup_msg_has(&m, ISUP_P_CALLING_NUMBER))
				continue;	/* no optional part: same as without */
			len = isup_encode_buf(buf, sizeof(buf), &m);
			if (len < 0) {
				fprintf(stderr, "encode %s: %d\n", isup_msg_name(t), len);
				return 1;
			}
			if (isup_msg_has(&m, ISUP_P_CALLED_NUMBER))
				isup_number_get_digits(&m.called, called, sizeof(called));
			if (isup_msg_has(&m, ISUP_P_CALLING_NUMBER))
				isup_number_get_digits(&m.calling, calling, sizeof(calling));
			if (isup_msg_has(&m, ISUP_P_CAUSE))
				snprintf(cause, sizeof(cause), "%u", m.cause.value);
			snprintf(path, sizeof(path), "%s/%03u.bin", argv[1], n);
			if (write_m3ua(path, buf, len, n & 15)) {
				fprintf(stderr, "cannot write %s\n", path);
				return 1;
			}
			printf("%03u|%u|%u|%s|%s|%s\n", n, m.cic, t, called, calling, cause);
			n++;
		}
	}
	return 0;
}
