/* Q.763 codec tests: wire vectors from public traces, round trips of every message type, malformed input. */
#include <errno.h>
#include <string.h>

#include <osmocom/core/msgb.h>
#include <osmocom/core/utils.h>
#include <talloc.h>

#include "isup/isup_codec.h"
#include "isup/isup_codec_int.h"
#include "testlib.h"
#include "sample_msgs.h"

/* The shared fixture (talloc context per test, leak-checked at teardown), plus scratch memory of one test
 * (hex vectors, copies) freed before the leak check. */
static void *ctx;
static void *scratch;

static void codec_setup(void)
{
	test_setup();
	ctx = test_ctx;
	scratch = talloc_named_const(NULL, 0, "codec_test_scratch");
}

static void codec_teardown(void)
{
	talloc_free(scratch);
	scratch = NULL;
	ctx = NULL;
	test_teardown();
}

static uint8_t *hex(const char *s, size_t *len)
{
	/* osmo_hexparse() wants contiguous hex digits */
	size_t n = strlen(s);
	char *clean = talloc_size(scratch, n + 1);
	uint8_t *out = talloc_size(scratch, n / 2 + 1);
	size_t i, j = 0;
	int rc;

	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '|')
			clean[j++] = s[i];
	clean[j] = '\0';
	rc = osmo_hexparse(clean, out, n / 2 + 1);
	ck_assert_int_ge(rc, 0);
	*len = rc;
	return out;
}

static char *digits(const struct isup_number *n)
{
	char *buf = talloc_size(scratch, 600);
	ck_assert_int_ge(isup_number_get_digits(n, buf, 600), 0);
	return buf;
}

/* encode(m) into a fresh buffer; returns the length */
static int enc(const struct isup_msg *m, uint8_t *buf, size_t len)
{
	struct msgb *msg = msgb_alloc_c(ctx, len, "test");
	int rc = isup_encode(msg, m);
	if (rc >= 0) {
		ck_assert_int_eq(msgb_length(msg), rc);
		memcpy(buf, msgb_data(msg), rc);
	} else {
		ck_assert_int_eq(msgb_length(msg), 0);
	}
	msgb_free(msg);
	return rc;
}

/* decode, re-encode, compare the bytes; returns the decoded message (talloc'd) */
static struct isup_msg *decode_reencode(const uint8_t *buf, size_t len)
{
	struct isup_msg *m = talloc_zero(scratch, struct isup_msg);
	struct isup_decode_err err = { 0 };
	uint8_t out[300];
	int rc;

	rc = isup_decode(m, buf, len, &err);
	ck_assert_msg(rc == 0, "decode failed at %zu: %s", err.offset, err.reason);
	rc = enc(m, out, sizeof(out));
	ck_assert_int_eq(rc, len);
	ck_assert_msg(!memcmp(out, buf, len), "re-encoding differs: %s", osmo_hexdump(out, rc));
	return m;
}

/* Source: osmo_ss7 (Harald Welte), test/isup_codec_tests.erl, ISUP_IAM_BIN: a real IAM with an unknown national
 * parameter 0xF2 in the optional part. */
START_TEST(test_iam_osmo_ss7_trace)
{
	size_t len;
	uint8_t *b = hex("0900011048000a03020a08831029992400800f0a0803139403423093"
			 "20f2153619080000" "15ffffffffffffffffffff1d4538cb2000", &len);
	struct isup_msg *m = decode_reencode(b, len);

	ck_assert_int_eq(m->cic, 9);
	ck_assert_int_eq(m->type, ISUP_IAM);
	ck_assert(m->nci.echo_device);
	ck_assert_int_eq(m->nci.satellite, 0);
	ck_assert(m->fci.interworking);
	ck_assert_int_eq(m->fci.isup_pref, 1);
	ck_assert(!m->fci.isup_all_the_way);
	ck_assert_int_eq(m->cpc, 0x0a);
	ck_assert_int_eq(m->tmr, 3);
	ck_assert(isup_msg_has(m, ISUP_P_CALLED_NUMBER));
	ck_assert_int_eq(m->called.nai, 3);
	ck_assert_int_eq(m->called.npi, 1);
	ck_assert(!m->called.inn_ni);
	ck_assert_int_eq(m->called.n_digits, 11);
	ck_assert_str_eq(digits(&m->called), "9299420008F");
	ck_assert(isup_msg_has(m, ISUP_P_CALLING_NUMBER));
	ck_assert_int_eq(m->calling.nai, 3);
	ck_assert_int_eq(m->calling.npi, 1);
	ck_assert_int_eq(m->calling.apri, 0);
	ck_assert_int_eq(m->calling.screening, 3);
	ck_assert_str_eq(digits(&m->calling), "493024033902");
	ck_assert_int_eq(m->n_raw, 1);
	ck_assert_int_eq(m->raw[0].code, 0xf2);
	ck_assert(!m->raw[0].known);
	ck_assert(!m->raw[0].has_instr);
	ck_assert_int_eq(m->raw[0].val.len, 0x15);
}
END_TEST

/* Source: a public Linkbit MSU trace, worked through in shared/docs/standards.md §2.1. */
START_TEST(test_iam_linkbit_trace)
{
	size_t len;
	uint8_t *b = hex("05 | BC 41 53 E0 | 05 00 | 01 | 00 | 20 00 | 0A | 03 | 02 08 | 06 03 10 11 11 11 F1 |"
			 " 0A 06 03 13 22 22 22 22 | 00", &len);
	struct isup_label l;
	struct isup_msg *m;
	uint8_t lab[4];

	ck_assert_int_eq(b[0], 0x05);	/* SIO: international, ISUP */
	ck_assert_int_eq(isup_label_decode(&l, b + 1, len - 1), 0);
	ck_assert_int_eq(l.dpc, 444);
	ck_assert_int_eq(l.opc, 333);
	ck_assert_int_eq(l.sls, 14);
	ck_assert_int_eq(isup_label_encode(lab, &l), 0);
	ck_assert(!memcmp(lab, b + 1, 4));

	m = decode_reencode(b + 5, len - 5);
	ck_assert_int_eq(m->cic, 5);
	ck_assert(m->fci.isup_all_the_way);
	ck_assert_int_eq(m->called.nai, 3);
	ck_assert_int_eq(m->called.n_digits, 8);
	ck_assert_str_eq(digits(&m->called), "1111111F");
	ck_assert_str_eq(digits(&m->calling), "22222222");
	ck_assert_int_eq(m->calling.screening, 3);
	ck_assert_int_eq(m->n_raw, 0);
	ck_assert_int_eq(m->n_order, 1);
}
END_TEST

/* Source: osmo_ss7 test/isup_codec_tests.erl ISUP_GRS_BIN. */
START_TEST(test_grs_osmo_ss7_trace)
{
	size_t len;
	uint8_t *b = hex("010017010 10e", &len);
	struct isup_msg *m = decode_reencode(b, len);

	ck_assert_int_eq(m->cic, 1);
	ck_assert_int_eq(m->type, ISUP_GRS);
	ck_assert_int_eq(m->rs.range, 14);
	ck_assert_int_eq(m->rs.status_len, 0);
}
END_TEST

static void roundtrip_type(uint8_t type, bool with_opt)
{
	struct isup_msg *m = talloc_zero(scratch, struct isup_msg);
	struct isup_msg *d = talloc_zero(scratch, struct isup_msg);
	struct isup_decode_err err = { 0 };
	uint8_t buf[300], buf2[300];
	int len, len2, rc;

	isup_sample_msg(m, type, with_opt);
	len = enc(m, buf, sizeof(buf));
	ck_assert_msg(len > 0, "encode %s: %d", isup_msg_name(type), len);
	rc = isup_decode(d, buf, len, &err);
	ck_assert_msg(rc == 0, "decode %s: %s at %zu", isup_msg_name(type), err.reason, err.offset);
	/* the decoder fills in what only it knows */
	if (with_opt && isup_msg_defs[type].opt) {
		ck_assert_int_eq(d->n_raw, 2);
		ck_assert(d->raw[0].has_instr);
		ck_assert(d->raw[0].instr.discard_param);
		ck_assert(!d->raw[1].has_instr);
	}
	ck_assert_msg(isup_msg_equal(m, d), "decode(encode(x)) != x for %s", isup_msg_name(type));
	len2 = enc(d, buf2, sizeof(buf2));
	ck_assert_int_eq(len2, len);
	ck_assert(!memcmp(buf, buf2, len));
}

START_TEST(test_roundtrip_all_types)
{
	unsigned int t, n = 0;

	for (t = 0; t < 256; t++) {
		if (!isup_msg_known(t))
			continue;
		roundtrip_type(t, false);
		roundtrip_type(t, true);
		n++;
	}
	/* Q.763 Table 4 minus reserved codes */
	ck_assert_int_eq(n, 49);
}
END_TEST

static bool msg_known_by_list(unsigned int type)
{
	switch (type) {
#define ISUP_X_(abbr, code, name) case code:
	ISUP_MSG_LIST(ISUP_X_)
#undef ISUP_X_
		return true;
	default:
		return false;
	}
}

START_TEST(test_supported_set)
{
	static const uint8_t full[] = { ISUP_IAM, ISUP_SAM, ISUP_INR, ISUP_INF, ISUP_COT, ISUP_CCR, ISUP_ACM,
		ISUP_CPG, ISUP_CON, ISUP_ANM, ISUP_REL, ISUP_RLC, ISUP_SUS, ISUP_RES, ISUP_FOT, ISUP_RSC, ISUP_GRS,
		ISUP_GRA, ISUP_BLO, ISUP_BLA, ISUP_UBL, ISUP_UBA, ISUP_CGB, ISUP_CGBA, ISUP_CGU, ISUP_CGUA,
		ISUP_CQM, ISUP_CQR, ISUP_UCIC, ISUP_CFN, ISUP_FAC, ISUP_USR, ISUP_LPA };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(full); i++)
		ck_assert_msg(isup_msg_supported(full[i]), "%s", isup_msg_name(full[i]));
	ck_assert(!isup_msg_supported(ISUP_APM));
	ck_assert(isup_msg_known(ISUP_APM));
	ck_assert(!isup_msg_known(0x0a));
	ck_assert(!isup_msg_known(0x1c));
	ck_assert_str_eq(isup_msg_name(ISUP_CGBA), "CGBA");
	ck_assert_str_eq(isup_msg_long_name(ISUP_IAM), "Initial address");
	ck_assert_str_eq(isup_param_name(ISUP_P_HOP_COUNTER), "Hop counter");
	ck_assert_str_eq(isup_param_name(0xf2), "unknown");
	ck_assert_str_eq(get_value_string(isup_msg_type_names, 0x2f), "CFN");
	ck_assert_str_eq(get_value_string(isup_cause_names, 16), "normal call clearing");
	/* name tables agree with the O(1) helpers */
	for (i = 0; isup_param_names[i].str; i++)
		ck_assert_str_eq(isup_param_names[i].str, isup_param_name(isup_param_names[i].value));
	for (i = 0; i < 256; i++) {
		const struct isup_msg_def *md = &isup_msg_defs[i];
		unsigned int j;

		ck_assert(!isup_param_typed(i) || isup_param_known(i));
		ck_assert_int_le(md->n_fixed + md->n_var, ISUP_MAX_MAND);
		ck_assert_int_le(md->n_fixed, ARRAY_SIZE(md->fixed));
		/* the encoder keeps the mandatory parameters in a 64-bit mask */
		for (j = 0; j < md->n_fixed; j++)
			ck_assert_int_lt(md->fixed[j], 64);
		for (j = 0; j < md->n_var; j++)
			ck_assert_int_lt(md->var[j].code, 64);
		/* a generated fixed part covers the whole fixed part, at the parameter table's lengths */
		ck_assert_int_eq(!md->fixed_dec, !md->fixed_enc);
		if (md->fixed_dec) {
			unsigned int sum = 0;

			ck_assert_int_gt(md->n_fixed, 0);
			for (j = 0; j < md->n_fixed; j++) {
				const struct isup_param_def *pd = &isup_param_defs[md->fixed[j]];

				ck_assert_int_eq(pd->min, pd->max);
				ck_assert(pd->dec != NULL);
				sum += pd->min;
			}
			ck_assert_int_eq(md->fixed_len, sum);
		}
		ck_assert_int_eq(md->known, msg_known_by_list(i));
	}
}
END_TEST

/* ---- exact wire bytes of the builders ---- */

START_TEST(test_builders_bytes)
{
	struct isup_msg *m = talloc_zero(scratch, struct isup_msg);
	struct isup_iam_args ia = { .called = "12345F", .calling = "0301234567", .hop_counter = 31 };
	struct isup_bci bci = { .charge = 2, .called_status = 1, .called_category = 1, .isup_all_the_way = true };
	static const uint8_t diag[] = { 0x0b };
	uint8_t buf[300];
	size_t elen;
	uint8_t *e;
	int len;

	ck_assert_int_eq(isup_build_iam(m, 17, &ia), 0);
	len = enc(m, buf, sizeof(buf));
	/* CIC 17, IAM, NCI 0, FCI 20 00, CPC 0a, TMR 00, ptrs 02 08, CdPN 05 03 10 21 43 f5,
	 * CgPN 0a 07 03 13 30 10 32 54 76, hop counter 3d 01 1f, end 00 */
	e = hex("1100 01 00 2000 0a 00 02 07 0503102143f5 0a07031330103254 76 3d011f 00", &elen);
	ck_assert_int_eq(len, elen);
	ck_assert_msg(!memcmp(buf, e, elen), "%s", osmo_hexdump(buf, len));

	isup_build_rel(m, 1, 10, 16);
	len = enc(m, buf, sizeof(buf));
	e = hex("0100 0c 02 00 02 8a 90", &elen);
	ck_assert_int_eq(len, elen);
	ck_assert(!memcmp(buf, e, elen));

	isup_build_rlc(m, 1);
	len = enc(m, buf, sizeof(buf));
	e = hex("0100 10 00", &elen);
	ck_assert_int_eq(len, elen);
	ck_assert(!memcmp(buf, e, elen));

	isup_build_acm(m, 2, &bci);
	len = enc(m, buf, sizeof(buf));
	e = hex("0200 06 1604 00", &elen);
	ck_assert_int_eq(len, elen);
	ck_assert(!memcmp(buf, e, elen));

	isup_build_con(m, 2, &bci);
	ck_assert_int_eq(enc(m, buf, sizeof(buf)), 6);
	ck_assert_int_eq(buf[2], ISUP_CON);

	isup_build_anm(m, 2);
	len = enc(m, buf, sizeof(buf));
	e = hex("0200 09 00", &elen);
	ck_assert_int_eq(len, elen);
	ck_assert(!memcmp(buf, e, elen));

	isup_build_simple(m, ISUP_BLO, 0xfff);
	len = enc(m, buf, sizeof(buf));
	e = hex("ff0f 13", &elen);
	ck_assert_int_eq(len, elen);
	ck_assert(!memcmp(buf, e, elen));

	isup_build_grs(m, 1, 29);
	len = enc(m, buf, sizeof(buf));
	e = hex("0100 17 01 01 1d", &elen);
	ck_assert_int_eq(len, elen);
	ck_assert(!memcmp(buf, e, elen));

	/* CFN, cause 99 with the unrecognised parameter name as diagnostic (Q.850 diagnostics) */
	isup_build_cfn(m, 3, 2, 99, diag, sizeof(diag));
	len = enc(m, buf, sizeof(buf));
	e = hex("0300 2f 02 00 03 82 e3 0b", &elen);
	ck_assert_int_eq(len, elen);
	ck_assert(!memcmp(buf, e, elen));

	ck_assert_int_eq(isup_build_iam(m, 1, &(struct isup_iam_args){ 0 }), -EINVAL);
}
END_TEST

/* ---- range and status ---- */

START_TEST(test_range_status)
{
	struct isup_msg *m = talloc_zero(scratch, struct isup_msg);
	struct isup_msg *d = talloc_zero(scratch, struct isup_msg);
	uint8_t buf[64];
	size_t elen;
	uint8_t *e;
	int len;

	/* CGB maintenance, circuits 100..107, block 100 and 107 */
	ck_assert_int_eq(isup_build_group(m, ISUP_CGB, 100, 0, 7, 0x81), 0);
	len = enc(m, buf, sizeof(buf));
	e = hex("6400 18 00 01 02 07 81", &elen);
	ck_assert_int_eq(len, elen);
	ck_assert(!memcmp(buf, e, elen));
	ck_assert_int_eq(isup_decode(d, buf, len, NULL), 0);
	ck_assert(isup_rs_status_bit(&d->rs, 0));
	ck_assert(!isup_rs_status_bit(&d->rs, 1));
	ck_assert(isup_rs_status_bit(&d->rs, 7));
	ck_assert(!isup_rs_status_bit(&d->rs, 8));

	/* GRA for 32 circuits: 4 status octets, bits beyond range masked off */
	ck_assert_int_eq(isup_build_group(m, ISUP_GRA, 1, 0, 31, 0x80000001), 0);
	len = enc(m, buf, sizeof(buf));
	e = hex("0100 29 01 05 1f 01000080", &elen);
	ck_assert_int_eq(len, elen);
	ck_assert(!memcmp(buf, e, elen));
	ck_assert_int_eq(isup_decode(d, buf, len, NULL), 0);
	ck_assert_int_eq(d->rs.range, 31);
	ck_assert(isup_rs_status_bit(&d->rs, 31));
	ck_assert(isup_msg_equal(m, d));

	ck_assert_int_eq(isup_build_group(m, ISUP_CGU, 1, 1, 3, 0xff), 0);
	ck_assert_int_eq(m->rs.status[0], 0x0f);
	ck_assert_int_eq(isup_build_group(m, ISUP_GRS, 1, 0, 3, 0), -EINVAL);
	ck_assert_int_eq(isup_build_group(m, ISUP_CGB, 1, 0, 32, 0), -EINVAL);

	/* status length must follow the range: range 9 needs 2 octets */
	e = hex("0100 29 01 02 09 ff", &elen);
	ck_assert_int_eq(isup_decode(d, e, elen, NULL), -EBADMSG);
}
END_TEST

/* ---- numbers ---- */

START_TEST(test_number_digits)
{
	struct isup_msg *m = talloc_zero(scratch, struct isup_msg);
	struct isup_msg *d = talloc_zero(scratch, struct isup_msg);
	uint8_t buf[64];
	int len;

	/* digits as characters -> O/E indicator and packed octets (first digit in the low nibble, filler 0) ->
	 * digits as decoded.  Long numbers pack eight decimal digits at a time, so runs of eight with a non-digit
	 * anywhere (just below '0', just above '9', high bit) must still be refused, and runs holding code 11/12 or
	 * hex digits still pack. */
	static const struct {
		const char *ascii;
		const char *packed;	/* O/E octet then the digit octets, hex; NULL: refused */
		const char *decoded;
	} cases[] = {
		{ "123", "80 21 03", "123" },
		{ "1234", "00 21 43", "1234" },
		{ "*#a0F", "80 cb 0a 0f", "*#A0F" },
		{ "0123456789012345678", "80 10 32 54 76 98 10 32 54 76 08", "0123456789012345678" },
		{ "12*45#78ABCDEF0F", "00 21 4b c5 87 ba dc fe f0", "12*45#78A*#DEF0F" },
		{ "12x", NULL }, { "1234567x9012", NULL }, { "12345678901234/6", NULL }, { "123456789012345:", NULL },
		{ ":2345678", NULL }, { "1234567\x80", NULL }, { "0123456789012345678G", NULL },
	};
	unsigned int i;

	isup_msg_init(m, ISUP_SAM, 1);
	isup_msg_set(m, ISUP_P_SUBSEQUENT_NUMBER);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		size_t plen;
		const uint8_t *packed;

		m->subsequent.ascii = cases[i].ascii;
		len = enc(m, buf, sizeof(buf));
		if (!cases[i].packed) {
			ck_assert_msg(len == -EINVAL, "%s: %d", cases[i].ascii, len);
			continue;
		}
		packed = hex(cases[i].packed, &plen);
		/* CIC, type, pointers, length, then the parameter */
		ck_assert_msg(len == (int)(6 + plen) && buf[5] == plen && !memcmp(buf + 6, packed, plen),
			      "%s: %s", cases[i].ascii, osmo_hexdump(buf, len > 0 ? len : 0));
		ck_assert_int_eq(isup_decode(d, buf, len, NULL), 0);
		ck_assert_str_eq(digits(&d->subsequent), cases[i].decoded);
	}

	ck_assert_int_eq(isup_digit_code('B'), 0xb);
	ck_assert_int_eq(isup_digit_code('#'), 0xc);
	ck_assert_int_eq(isup_digit_code('G'), -EINVAL);
	ck_assert_int_eq(isup_digit_char(0xf), 'F');

	/* too small a destination is reported, not truncated */
	{
		char small[3];
		ck_assert_int_eq(isup_number_get_digits(&d->subsequent, small, sizeof(small)), -EMSGSIZE);
		ck_assert_str_eq(small, "");
	}

	/* calling party number, presentation restricted, address not available: no digits (Q.763 §3.10) */
	isup_msg_init(m, ISUP_ANM, 1);
	m->connected.nai = 0;
	m->connected.apri = 2;
	m->connected.screening = 3;
	m->connected.ascii = "";
	isup_msg_set(m, ISUP_P_CONNECTED_NUMBER);
	len = enc(m, buf, sizeof(buf));
	ck_assert_int_eq(isup_decode(d, buf, len, NULL), 0);
	ck_assert_int_eq(d->connected.n_digits, 0);
	ck_assert_int_eq(d->connected.apri, 2);
	ck_assert(isup_msg_equal(m, d));
}
END_TEST

/* ---- cause ---- */

START_TEST(test_cause_diagnostics)
{
	size_t len;
	/* REL, cause: ITU-T, location RLN, recommendation octet (ext 0 in octet 1), cause 97, diagnostic 0x33 */
	uint8_t *b = hex("0700 0c 02 00 04 04 81 e1 33", &len);
	struct isup_msg *m = decode_reencode(b, len);

	ck_assert_int_eq(m->cause.coding_std, 0);
	ck_assert_int_eq(m->cause.location, 4);
	ck_assert(m->cause.has_recommendation);
	ck_assert_int_eq(m->cause.recommendation, 1);
	ck_assert_int_eq(m->cause.value, 97);
	ck_assert_int_eq(m->cause.diag.len, 1);
	ck_assert_int_eq(m->cause.diag.data[0], 0x33);

	/* national coding standard, location BI, no diagnostics */
	b = hex("0700 0c 02 00 02 ca a2", &len);
	m = decode_reencode(b, len);
	ck_assert_int_eq(m->cause.coding_std, 2);
	ck_assert_int_eq(m->cause.location, 10);
	ck_assert(!m->cause.has_recommendation);
	ck_assert_int_eq(m->cause.value, 34);
	ck_assert_int_eq(m->cause.diag.len, 0);

	/* recommendation octet but no cause value */
	b = hex("0700 0c 02 00 02 04 81", &len);
	ck_assert_int_eq(isup_decode(m, b, len, NULL), -EBADMSG);
}
END_TEST

/* ---- compatibility information ---- */

START_TEST(test_compat_info)
{
	size_t len;
	/* ACM with unknown 0xF4 (from the Wireshark wiki ISUP example: instructions 0x90 = discard parameter),
	 * an unknown 0xF5 without instructions, MCI "release call", and PCI naming 0xF4 */
	uint8_t *b = hex("0200 06 1604 01 f4 02 aabb f5 00 38 01 82 39 02 f4 90 00", &len);
	struct isup_msg *m = decode_reencode(b, len);
	struct isup_instr in;

	ck_assert_int_eq(m->n_raw, 2);
	ck_assert_int_eq(m->raw[0].code, 0xf4);
	ck_assert(m->raw[0].has_instr);
	ck_assert(m->raw[0].instr.discard_param);
	ck_assert(!m->raw[0].instr.release_call);
	ck_assert_int_eq(m->raw[0].instr.pass_on_not_possible, 0);
	ck_assert_int_eq(m->raw[1].code, 0xf5);
	ck_assert(!m->raw[1].has_instr);
	ck_assert_int_eq(m->raw[1].val.len, 0);
	ck_assert(m->mci.release_call);
	ck_assert(!m->mci.transit);
	ck_assert_int_eq(isup_pci_lookup(m, 0xf4, &in), 0);
	ck_assert_int_eq(isup_pci_lookup(m, 0xf5, &in), -ENOENT);

	/* PCI with two octets of instructions (second: BNI) */
	b = hex("0200 06 1604 01 39 03 f4 31 81 00", &len);
	m = decode_reencode(b, len);
	ck_assert_int_eq(isup_pci_lookup(m, 0xf4, &in), 0);
	ck_assert(in.transit);
	ck_assert(in.discard_param);
	ck_assert_int_eq(in.pass_on_not_possible, 1);
	ck_assert(in.has_bni);
	ck_assert_int_eq(in.bni, 1);

	/* instructions not terminated by an ext=1 octet */
	b = hex("0200 06 1604 01 39 02 f4 10 00", &len);
	ck_assert_int_eq(isup_decode(m, b, len, NULL), -EBADMSG);
}
END_TEST

START_TEST(test_usi_and_misc_params)
{
	size_t len;
	/* IAM with USI speech A-law, OFCI, redirection information (2 octets), original called number,
	 * access transport, and a second hop counter (kept raw) */
	uint8_t *b = hex("0100 01 00 2000 0a 00 02 06 04 03 10 21 43"
			 " 1d 03 80 90 a3 08 01 80 13 02 03 31 28 04 83 14 21 03 03 02 1e 02"
			 " 3d 01 05 3d 01 06 00", &len);
	struct isup_msg *m = decode_reencode(b, len);

	ck_assert_int_eq(m->usi.itc, 0);
	ck_assert_int_eq(m->usi.itr, 16);
	ck_assert(m->usi.has_l1);
	ck_assert_int_eq(m->usi.l1_proto, 3);
	ck_assert(m->ofci.connected_line_id_req);
	ck_assert_int_eq(m->redir_info.indicator, 3);
	ck_assert_int_eq(m->redir_info.counter, 1);
	ck_assert_int_eq(m->redir_info.reason, 3);
	ck_assert_str_eq(digits(&m->original_called), "123");
	ck_assert_int_eq(m->original_called.apri, 1);
	ck_assert_int_eq(m->access_transport.len, 2);
	ck_assert_int_eq(m->hop_counter, 5);
	ck_assert_int_eq(m->n_raw, 1);
	ck_assert_int_eq(m->raw[0].code, ISUP_P_HOP_COUNTER);
	ck_assert(m->raw[0].known);
}
END_TEST

/* ---- malformed input ---- */

START_TEST(test_truncated_iam)
{
	size_t len, i;
	uint8_t *b = hex("0900011048000a03020a08831029992400800f0a0803139403423093"
			 "20f2153619080000" "15ffffffffffffffffffff1d4538cb2000", &len);
	struct isup_msg *m = talloc_zero(scratch, struct isup_msg);
	struct isup_decode_err err;

	for (i = 0; i < len; i++) {
		/* an exact-size copy, so that a read past the end shows under ASan/valgrind */
		uint8_t *t = talloc_memdup(scratch, b, i ? i : 1);
		err.reason = NULL;
		ck_assert_msg(isup_decode(m, t, i, &err) == -EBADMSG, "truncated to %zu accepted", i);
		ck_assert(err.reason != NULL);
		ck_assert_uint_le(err.offset, i);
		talloc_free(t);
	}
	ck_assert_int_eq(isup_decode(m, b, len, &err), 0);
}
END_TEST

static const struct {
	const char *name;
	const char *hex;
	int rc;
	size_t offset;
} malformed[] = {
	{ "empty", "", -EBADMSG, 0 },
	{ "no message type", "0100", -EBADMSG, 2 },
	{ "unknown message type 0x0a", "01000a", -ENOMSG, 2 },
	{ "reserved message type 0x1c", "01001c00", -ENOMSG, 2 },
	{ "IAM fixed part truncated", "0100010020", -EBADMSG, 5 },
	{ "IAM pointers truncated", "0100 01 00 2000 0a 03 02", -EBADMSG, 9 },
	{ "IAM null pointer to called number", "0100 01 00 2000 0a 03 00 00", -EBADMSG, 8 },
	{ "IAM pointer into pointers", "0100 01 00 2000 0a 03 01 00 03 03 10 21", -EBADMSG, 8 },
	{ "IAM pointer beyond end", "0100 01 00 2000 0a 03 40 00 03 03 10 21", -EBADMSG, 8 },
	{ "IAM called length beyond end", "0100 01 00 2000 0a 03 02 00 09 03 10 21", -EBADMSG, 10 },
	{ "IAM called length below minimum", "0100 01 00 2000 0a 03 02 00 02 03 10", -EBADMSG, 10 },
	{ "IAM optional part overlapping the called number", "0100 01 00 2000 0a 03 02 01 03 03 10 21", -EBADMSG, 9 },
	{ "IAM optional part not terminated", "0100 01 00 2000 0a 03 02 05 03 03 10 21 3d 01 05", -EBADMSG, 17 },
	{ "IAM optional length beyond end", "0100 01 00 2000 0a 03 02 05 03 03 10 21 0a 09 03 13", -EBADMSG, 15 },
	{ "IAM optional header truncated", "0100 01 00 2000 0a 03 02 05 03 03 10 21 0a", -EBADMSG, 15 },
	{ "IAM hop counter length 2", "0100 01 00 2000 0a 03 02 05 03 03 10 21 3d 02 05 05 00", -EBADMSG, 14 },
	{ "IAM calling number without indicator octet", "0100 01 00 2000 0a 03 02 05 03 03 10 21 0a 01 03 00",
	  -EBADMSG, 14 },
	{ "REL without cause (null pointer)", "0100 0c 00 00", -EBADMSG, 3 },
	{ "REL cause length 1", "0100 0c 02 00 01 84", -EBADMSG, 5 },
	{ "GRS range and status length 2", "0100 17 01 02 05 00", -EBADMSG, 4 },
	{ "GRA without status", "0100 29 01 01 05", -EBADMSG, 4 },
	{ "CGB missing type", "0100 18", -EBADMSG, 3 },
	{ "CQR second pointer null", "0100 2b 02 00 01 00", -EBADMSG, 4 },
	{ "COT truncated", "0100 05", -EBADMSG, 3 },
	{ "USR user-to-user length 0", "0100 2d 02 00 00", -EBADMSG, 5 },
	{ "MCI ext bit inconsistent", "0100 09 01 38 01 02 00", -EBADMSG, 6 },
};

START_TEST(test_malformed_table)
{
	struct isup_msg *m = talloc_zero(scratch, struct isup_msg);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(malformed); i++) {
		struct isup_decode_err err = { 0 };
		size_t len;
		uint8_t *b = hex(malformed[i].hex, &len);
		uint8_t *t = talloc_memdup(scratch, b, len ? len : 1);
		int rc = isup_decode(m, t, len, &err);

		ck_assert_msg(rc == malformed[i].rc, "%s: rc %d (%s at %zu)", malformed[i].name, rc,
			      err.reason ? err.reason : "-", err.offset);
		ck_assert_msg(err.offset == malformed[i].offset, "%s: offset %zu (%s)", malformed[i].name,
			      err.offset, err.reason);
		ck_assert(err.reason && *err.reason);
	}
}
END_TEST

START_TEST(test_odd_without_digits)
{
	size_t len;
	/* calling party number with odd indicator but no digit octets */
	uint8_t *b = hex("0100 01 00 2000 0a 03 02 05 03 03 10 21 0a 02 83 13 00", &len);
	struct isup_msg *m = talloc_zero(scratch, struct isup_msg);
	struct isup_decode_err err;

	ck_assert_int_eq(isup_decode(m, b, len, &err), -EBADMSG);
	ck_assert_int_eq(err.offset, 16);
}
END_TEST

START_TEST(test_unknown_type_gives_cic)
{
	size_t len;
	uint8_t *b = hex("2a00 0b 00", &len);
	struct isup_msg *m = talloc_zero(scratch, struct isup_msg);

	ck_assert_int_eq(isup_decode(m, b, len, NULL), -ENOMSG);
	ck_assert_int_eq(m->cic, 42);
	ck_assert_int_eq(m->type, 0x0b);
}
END_TEST

/* ---- encoder errors ---- */

START_TEST(test_encode_errors)
{
	struct isup_msg *m = talloc_zero(scratch, struct isup_msg);
	struct isup_iam_args ia = { .called = "1234567890", .calling = "0987654321" };
	struct msgb *msg;
	uint8_t buf[64];

	/* missing mandatory */
	isup_msg_init(m, ISUP_REL, 1);
	ck_assert_int_eq(enc(m, buf, sizeof(buf)), -EINVAL);
	/* unknown type, CIC beyond 12 bits */
	isup_msg_init(m, 0x0a, 1);
	ck_assert_int_eq(enc(m, buf, sizeof(buf)), -EINVAL);
	isup_build_rlc(m, 0x1000);
	ck_assert_int_eq(enc(m, buf, sizeof(buf)), -EINVAL);
	/* field out of range */
	isup_build_rel(m, 1, 16, 16);
	ck_assert_int_eq(enc(m, buf, sizeof(buf)), -EINVAL);
	/* optional parameter on a message without optional part */
	isup_build_simple(m, ISUP_BLO, 1);
	m->hop_counter = 1;
	isup_msg_set(m, ISUP_P_HOP_COUNTER);
	ck_assert_int_eq(enc(m, buf, sizeof(buf)), -EINVAL);

	/* a raw parameter named like the end of the optional part would cut the message short */
	isup_build_anm(m, 1);
	ck_assert_int_eq(isup_msg_add_raw(m, ISUP_P_END_OF_OPTIONAL, NULL, 0), -EINVAL);
	m->raw[0].code = ISUP_P_END_OF_OPTIONAL;
	m->raw[0].val.len = 0;
	m->n_raw = 1;
	ck_assert_int_eq(enc(m, buf, sizeof(buf)), -EINVAL);

	/* no room: every size short of the full message fails and leaves the msgb as it was */
	ck_assert_int_eq(isup_build_iam(m, 1, &ia), 0);
	{
		int full = isup_encode_buf(buf, sizeof(buf), m);
		int room;
		ck_assert_int_gt(full, 0);
		for (room = 0; room < full; room++)
			ck_assert_int_eq(isup_encode_buf(buf, room, m), -EMSGSIZE);
	}
	msg = msgb_alloc_c(ctx, 10, "small");
	msgb_put(msg, 3);
	ck_assert_int_eq(isup_encode(msg, m), -EMSGSIZE);
	ck_assert_int_eq(msgb_length(msg), 3);
	msgb_free(msg);
}
END_TEST

/* ---- label and point codes ---- */

START_TEST(test_label_pc)
{
	struct isup_label l = { .dpc = 0x3fff, .opc = 1, .sls = 15 }, d;
	uint8_t b[4];
	uint16_t pc;
	char s[16];

	ck_assert_int_eq(isup_label_encode(b, &l), 0);
	ck_assert_int_eq(b[0], 0xff);
	ck_assert_int_eq(b[1], 0x7f);
	ck_assert_int_eq(b[2], 0x00);
	ck_assert_int_eq(b[3], 0xf0);
	ck_assert_int_eq(isup_label_decode(&d, b, 4), 0);
	ck_assert_int_eq(d.dpc, 0x3fff);
	ck_assert_int_eq(d.opc, 1);
	ck_assert_int_eq(d.sls, 15);
	ck_assert_int_eq(isup_label_decode(&d, b, 3), -EBADMSG);
	l.opc = 0x4000;
	ck_assert_int_eq(isup_label_encode(b, &l), -EINVAL);

	ck_assert_int_eq(isup_pc_parse(&pc, "3-8-3"), 0);
	ck_assert_int_eq(pc, 3 << 11 | 8 << 3 | 3);
	ck_assert_int_eq(isup_pc_fmt(s, sizeof(s), pc), 5);
	ck_assert_str_eq(s, "3-8-3");
	ck_assert_int_eq(isup_pc_parse(&pc, "7-255-7"), 0);
	ck_assert_int_eq(pc, 0x3fff);
	ck_assert_int_eq(isup_pc_parse(&pc, "444"), 0);
	ck_assert_int_eq(pc, 444);
	ck_assert_int_eq(isup_pc_parse(&pc, "0x3fff"), 0);
	ck_assert_int_eq(pc, 0x3fff);
	ck_assert_int_eq(isup_pc_parse(&pc, "16384"), -EINVAL);
	ck_assert_int_eq(isup_pc_parse(&pc, "8-0-0"), -EINVAL);
	ck_assert_int_eq(isup_pc_parse(&pc, "1-2"), -EINVAL);
	ck_assert_int_eq(isup_pc_parse(&pc, "1-256-0"), -EINVAL);
	ck_assert_int_eq(isup_pc_parse(&pc, "-1"), -EINVAL);
	ck_assert_int_eq(isup_pc_parse(&pc, ""), -EINVAL);
	ck_assert_int_eq(isup_pc_parse(&pc, "12a"), -EINVAL);
	ck_assert_int_eq(isup_pc_fmt(s, 5, 0x3fff), -EMSGSIZE);
	ck_assert_str_eq(s, "");
}
END_TEST

/* Deterministic mutation sweep: flipping bytes of valid messages never crashes, and what decodes re-encodes
 * to something that decodes to the same message. */
START_TEST(test_mutation_sweep)
{
	static const char *const seeds[] = {
		"0900011048000a03020a08831029992400800f0a0803139403423093"
		"20f2153619080000" "15ffffffffffffffffffff1d4538cb2000",
		"0200 06 1604 01 f4 02 aabb f5 00 38 01 82 39 02 f4 90 00",
		"0100 29 01 05 1f 01000080",
		"0700 0c 02 00 04 04 81 e1 33",
	};
	struct isup_msg *m = talloc_zero(scratch, struct isup_msg);
	struct isup_msg *d = talloc_zero(scratch, struct isup_msg);
	unsigned int s, i, v;
	uint8_t out[512];

	for (s = 0; s < ARRAY_SIZE(seeds); s++) {
		size_t len;
		uint8_t *b = hex(seeds[s], &len);
		for (i = 0; i < len; i++) {
			for (v = 0; v < 256; v += 7) {
				uint8_t *t = talloc_memdup(scratch, b, len);
				int n;
				t[i] = v;
				if (isup_decode(m, t, len, NULL) == 0) {
					n = isup_encode_buf(out, sizeof(out), m);
					ck_assert_int_gt(n, 0);
					ck_assert_int_eq(isup_decode(d, out, n, NULL), 0);
					ck_assert(isup_msg_equal(m, d));
				}
				talloc_free(t);
			}
		}
	}
}
END_TEST

static Suite *codec_suite(void)
{
	Suite *s = suite_create("isup_codec");
	TCase *tc = tcase_create("codec");

	tcase_add_checked_fixture(tc, codec_setup, codec_teardown);
	tcase_add_test(tc, test_iam_osmo_ss7_trace);
	tcase_add_test(tc, test_iam_linkbit_trace);
	tcase_add_test(tc, test_grs_osmo_ss7_trace);
	tcase_add_test(tc, test_roundtrip_all_types);
	tcase_add_test(tc, test_supported_set);
	tcase_add_test(tc, test_builders_bytes);
	tcase_add_test(tc, test_range_status);
	tcase_add_test(tc, test_number_digits);
	tcase_add_test(tc, test_cause_diagnostics);
	tcase_add_test(tc, test_compat_info);
	tcase_add_test(tc, test_usi_and_misc_params);
	tcase_add_test(tc, test_truncated_iam);
	tcase_add_test(tc, test_malformed_table);
	tcase_add_test(tc, test_odd_without_digits);
	tcase_add_test(tc, test_unknown_type_gives_cic);
	tcase_add_test(tc, test_encode_errors);
	tcase_add_test(tc, test_label_pc);
	tcase_add_test(tc, test_mutation_sweep);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return test_run_suite(codec_suite());
}
