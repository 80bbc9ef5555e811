/* Slice helpers of the SIP parser: numbers, copies, unescaping and unquoting. */
#include <errno.h>
#include <string.h>

#include "sip/sip_str.h"
#include "sip/sip_chars.h"

int sip_str_to_u32(struct sip_str s, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (s.len == 0)
		return -EBADMSG;
	for (i = 0; i < s.len; i++) {
		if (s.p[i] < '0' || s.p[i] > '9')
			return -EBADMSG;
		v = v * 10 + (uint64_t)(s.p[i] - '0');
		/* Leading zeros are allowed (RFC 4475 §3.1.1.1 "0068"), so only the value is bounded. */
		if (v > max)
			return -ERANGE;
	}
	*out = (uint32_t)v;
	return 0;
}

size_t sip_u64_dec(char *buf, uint64_t v, unsigned int min_digits)
{
	return mgcf_put_dec_pad(buf, v, min_digits) - buf;
}

int sip_str_copy(char *dst, size_t dst_len, struct sip_str s)
{
	if (!dst_len || s.len > dst_len - 1)
		return -EMSGSIZE;
	if (s.len)
		memcpy(dst, s.p, s.len);
	dst[s.len] = '\0';
	return (int)s.len;
}

int sip_unescape(char *dst, size_t dst_len, struct sip_str s)
{
	size_t i, o = 0;

	for (i = 0; i < s.len; i++) {
		char c = s.p[i];

		if (c == '%') {
			if (i + 2 >= s.len || !sipc_hex(s.p[i + 1]) || !sipc_hex(s.p[i + 2]))
				return -EBADMSG;
			c = (char)(sipc_hexval(s.p[i + 1]) << 4 | sipc_hexval(s.p[i + 2]));
			i += 2;
		}
		if (o >= dst_len)
			return -EMSGSIZE;
		dst[o++] = c;
	}
	return (int)o;
}

int sip_unquote(char *dst, size_t dst_len, struct sip_str s)
{
	size_t i, o = 0;

	for (i = 0; i < s.len; i++) {
		char c = s.p[i];

		if (c == '\\' && i + 1 < s.len)
			c = s.p[++i];
		if (o >= dst_len)
			return -EMSGSIZE;
		dst[o++] = c;
	}
	return (int)o;
}
