/* INVITE -> IAM and IAM -> INVITE mapping (TS 29.163 §7.2.3.1.2, §7.2.3.2.2), checked on the encoded IAM. */
#include <errno.h>
#include <string.h>

#include <talloc.h>
#include <osmocom/core/msgb.h>
#include <osmocom/core/utils.h>

#include "testlib.h"
#include "mgcf/mgcf_map.h"

static const struct mgcf_route_out intl = {
	.name = "intl", .prefix = "+", .trunk = "pstn", .strip = 1, .prepend = "", .nai = MGCF_NAI_INTERNATIONAL,
};

/* Encode and decode again, as the far exchange would see it. */
static void wire(const struct isup_msg *in, struct isup_msg *out, struct msgb *msg)
{
	struct isup_decode_err err;

	msgb_reset(msg);
	ck_assert_int_gt(isup_encode(msg, in), 0);
	ck_assert_msg(isup_decode(out, msgb_data(msg), msgb_length(msg), &err) == 0, "decode: %s", err.reason);
}

static const char *digits(const struct isup_number *n, char *buf, size_t len)
{
	ck_assert_int_ge(isup_number_get_digits(n, buf, len), 0);
	return buf;
}

START_TEST(test_basic_iam)
{
	struct mgcf_sip_call_info c = {
		.called = "+4930123456", .pai_uri = "tel:+4940555666", .from_uri = "sip:+4940555666@ims.example.net",
		.max_forwards = 70,
	};
	struct mgcf_iam_digits d;
	struct isup_msg iam, rx;
	struct msgb *msg = msgb_alloc(512, "test");
	char buf[40];

	ck_assert_int_eq(mgcf_map_iam(&iam, &d, &intl, &c), 0);
	wire(&iam, &rx, msg);
	ck_assert_uint_eq(rx.type, ISUP_IAM);
	ck_assert_str_eq(digits(&rx.called, buf, sizeof(buf)), "4930123456F");	/* en bloc: ST */
	ck_assert_uint_eq(rx.called.nai, 4);
	ck_assert_str_eq(digits(&rx.calling, buf, sizeof(buf)), "4940555666");
	ck_assert_uint_eq(rx.calling.nai, 4);
	ck_assert_uint_eq(rx.calling.apri, 0);
	ck_assert_uint_eq(rx.calling.screening, 3);	/* network provided */
	ck_assert_uint_eq(rx.cpc, 0x0a);
	ck_assert_uint_eq(rx.tmr, 0x03);		/* 3.1 kHz audio */
	ck_assert_uint_eq(rx.nci.satellite, 1);
	ck_assert_uint_eq(rx.nci.continuity, 0);
	ck_assert(rx.fci.interworking);
	ck_assert(rx.fci.international);
	ck_assert_uint_eq(rx.fci.isup_pref, 1);
	ck_assert(isup_msg_has(&rx, ISUP_P_HOP_COUNTER));
	ck_assert_uint_eq(rx.hop_counter, 31);
	ck_assert(!isup_msg_has(&rx, ISUP_P_GENERIC_NUMBER));	/* From = PAI */
	msgb_free(msg);
}
END_TEST

START_TEST(test_privacy_generic_cpc_clearmode)
{
	struct mgcf_sip_call_info c = {
		.called = "+4930123456", .pai_uri = "tel:+4940555666;cpc=payphone",
		.from_uri = "sip:+4940777888@ims.example.net", .privacy_id = true, .max_forwards = 10,
		.clearmode = true, .continuity_previous = true,
	};
	struct mgcf_iam_digits d;
	struct isup_msg iam, rx;
	struct msgb *msg = msgb_alloc(512, "test");
	char buf[40];

	ck_assert_int_eq(mgcf_map_iam(&iam, &d, &intl, &c), 0);
	wire(&iam, &rx, msg);
	ck_assert_uint_eq(rx.calling.apri, 1);		/* Privacy: id -> presentation restricted */
	ck_assert_uint_eq(rx.cpc, 0x0f);		/* cpc=payphone */
	ck_assert_uint_eq(rx.tmr, 0x02);		/* CLEARMODE: 64 kbit/s unrestricted */
	ck_assert_uint_eq(rx.nci.continuity, 2);	/* performed on a previous circuit: COT follows */
	ck_assert_uint_eq(rx.hop_counter, 5);		/* 10 * 31 / 70, rounded up */
	ck_assert_uint_eq(rx.n_generic, 1);
	ck_assert_uint_eq(rx.generic[0].nqi, 6);	/* additional calling party number */
	ck_assert_str_eq(digits(&rx.generic[0], buf, sizeof(buf)), "4940777888");
	ck_assert_uint_eq(rx.generic[0].screening, 0);	/* user provided, not verified */
	ck_assert_uint_eq(rx.generic[0].apri, 1);
	msgb_free(msg);
}
END_TEST

START_TEST(test_continuity_required)
{
	/* a trunk with continuity = required: NCI "required on this circuit"; preconditions' "previous circuit" wins */
	struct mgcf_sip_call_info c = { .called = "+4930123456", .max_forwards = -1, .continuity_required = true };
	struct mgcf_iam_digits d;
	struct isup_msg iam, rx;
	struct msgb *msg = msgb_alloc(512, "test");

	ck_assert_int_eq(mgcf_map_iam(&iam, &d, &intl, &c), 0);
	wire(&iam, &rx, msg);
	ck_assert_uint_eq(rx.nci.continuity, 1);
	c.continuity_previous = true;
	ck_assert_int_eq(mgcf_map_iam(&iam, &d, &intl, &c), 0);
	wire(&iam, &rx, msg);
	ck_assert_uint_eq(rx.nci.continuity, 2);
	msgb_free(msg);
}
END_TEST

START_TEST(test_no_pai)
{
	/* untrusted or absent P-Asserted-Identity: no calling party number at all */
	struct mgcf_sip_call_info c = { .called = "+12125550100", .from_uri = "sip:+4940777888@x", .max_forwards = -1 };
	struct mgcf_iam_digits d;
	struct isup_msg iam, rx;
	struct msgb *msg = msgb_alloc(512, "test");

	ck_assert_int_eq(mgcf_map_iam(&iam, &d, &intl, &c), 0);
	wire(&iam, &rx, msg);
	ck_assert(!isup_msg_has(&rx, ISUP_P_CALLING_NUMBER));
	ck_assert(!isup_msg_has(&rx, ISUP_P_GENERIC_NUMBER));
	ck_assert(!isup_msg_has(&rx, ISUP_P_HOP_COUNTER));
	/* a route that leaves nothing to dial */
	c.called = "+";
	ck_assert_int_eq(mgcf_map_iam(&iam, &d, &intl, &c), -EINVAL);
	msgb_free(msg);
}
END_TEST

static struct isup_msg *iam_from(struct msgb *msg, const struct isup_iam_args *a, uint8_t tmr)
{
	static struct isup_msg m, rx;

	ck_assert_int_eq(isup_build_iam(&m, 1, a), 0);
	if (tmr)
		m.tmr = tmr;
	wire(&m, &rx, msg);
	return &rx;
}

START_TEST(test_invite_from_iam)
{
	struct msgb *msg = msgb_alloc(512, "test");
	struct isup_iam_args a = {
		.called = "4930123456", .called_nai = 4, .calling = "4940555666", .calling_nai = 4,
		.hop_counter = 31,
	};
	struct mgcf_invite_info inv;

	ck_assert_int_eq(mgcf_map_invite(test_ctx, &inv, iam_from(msg, &a, 0), "mgcf.example.net", "49", false), 0);
	ck_assert_str_eq(inv.from, "<sip:+4940555666@mgcf.example.net;user=phone>");
	ck_assert_str_eq(inv.pai, "<tel:+4940555666>");
	ck_assert(!inv.privacy_id);
	ck_assert_uint_eq(inv.max_forwards, 70);
	ck_assert(!inv.clearmode);
	ck_assert(!inv.preconditions);
	talloc_free(inv.from);
	talloc_free(inv.pai);

	/* national number with the country code; presentation restricted; CLEARMODE; continuity */
	a.calling = "40555666";
	a.calling_nai = 3;
	a.calling_apri = 1;
	a.hop_counter = 10;
	a.continuity_previous = true;
	ck_assert_int_eq(mgcf_map_invite(test_ctx, &inv, iam_from(msg, &a, 0x02), "mgcf.example.net", "49", false), 0);
	ck_assert_str_eq(inv.from, "\"Anonymous\" <sip:anonymous@anonymous.invalid>");
	ck_assert_str_eq(inv.pai, "<tel:+4940555666>");
	ck_assert(inv.privacy_id);
	ck_assert_uint_eq(inv.max_forwards, 23);
	ck_assert(inv.clearmode);
	ck_assert(inv.preconditions);
	talloc_free(inv.from);
	talloc_free(inv.pai);

	/* no calling number: anonymous, no PAI; a route may ask for preconditions anyway */
	a.calling = NULL;
	a.continuity_previous = false;
	ck_assert_int_eq(mgcf_map_invite(test_ctx, &inv, iam_from(msg, &a, 0), "mgcf.example.net", NULL, true), 0);
	ck_assert_str_eq(inv.from, "\"Anonymous\" <sip:anonymous@anonymous.invalid>");
	ck_assert_ptr_null(inv.pai);
	ck_assert(inv.preconditions);
	talloc_free(inv.from);
	msgb_free(msg);
}
END_TEST

START_TEST(test_hop_scaling)
{
	ck_assert_uint_eq(mgcf_hop_counter_from_max_forwards(70), 31);
	ck_assert_uint_eq(mgcf_hop_counter_from_max_forwards(200), 31);
	ck_assert_uint_eq(mgcf_hop_counter_from_max_forwards(1), 1);
	ck_assert_uint_eq(mgcf_hop_counter_from_max_forwards(0), 1);
	ck_assert_uint_eq(mgcf_max_forwards_from_hop_counter(31), 70);
	ck_assert_uint_eq(mgcf_max_forwards_from_hop_counter(1), 3);
	/* monotonic both ways */
	for (unsigned int mf = 1; mf < 70; mf++)
		ck_assert_uint_le(mgcf_hop_counter_from_max_forwards(mf), mgcf_hop_counter_from_max_forwards(mf + 1));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("mgcf_map");
	TCase *tc = tcase_create("map");

	tcase_add_checked_fixture(tc, test_setup, test_teardown);
	tcase_add_test(tc, test_basic_iam);
	tcase_add_test(tc, test_privacy_generic_cpc_clearmode);
	tcase_add_test(tc, test_no_pai);
	tcase_add_test(tc, test_continuity_required);
	tcase_add_test(tc, test_invite_from_iam);
	tcase_add_test(tc, test_hop_scaling);
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
