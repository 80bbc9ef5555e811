/* Cause mapping: both tables are total, the known 29.163 rows hold, overrides and Reason win. */
#include <errno.h>
#include <string.h>

#include "testlib.h"
#include <osmocom/core/utils.h>
#include "mgcf/mgcf_cause.h"

START_TEST(test_q850_to_sip_total)
{
	unsigned int c;

	/* every cause value, at every location, maps to a final failure status */
	for (c = 0; c <= 127; c++) {
		uint16_t s = mgcf_q850_to_sip(NULL, c, MGCF_LOC_BI);

		ck_assert_msg(s >= 400 && s <= 699, "cause %u -> %u", c, s);
		ck_assert_uint_eq(mgcf_q850_to_sip(NULL, c, MGCF_LOC_USER) / 100 >= 4, 1);
	}
	ck_assert_uint_eq(mgcf_q850_to_sip(NULL, 200, MGCF_LOC_BI), mgcf_q850_to_sip(NULL, 127, MGCF_LOC_BI));
}
END_TEST

START_TEST(test_q850_to_sip_rows)
{
	/* values on which TS 29.163 and RFC 3398 agree */
	static const struct { uint8_t cause; uint16_t sip; } agreed[] = {
		{ 1, 404 }, { 2, 404 }, { 3, 404 }, { 17, 486 }, { 19, 480 }, { 20, 480 }, { 22, 410 },
		{ 27, 502 }, { 28, 484 }, { 31, 480 }, { 102, 504 }, { 111, 500 }, { 127, 500 },
	};
	/* where they differ, 29.163 wins (standards.md §4(c)): RFC 3398 has 408, 503, 403, 488, 501 here */
	static const struct { uint8_t cause; uint16_t sip; } ts29163[] = {
		{ 18, 480 }, { 29, 500 }, { 34, 480 }, { 38, 500 }, { 41, 500 }, { 42, 480 }, { 47, 480 },
		{ 55, 500 }, { 57, 500 }, { 58, 500 }, { 65, 500 }, { 70, 500 }, { 79, 500 }, { 87, 500 },
		{ 88, 500 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(agreed); i++)
		ck_assert_msg(mgcf_q850_to_sip(NULL, agreed[i].cause, MGCF_LOC_LN) == agreed[i].sip,
			      "cause %u", agreed[i].cause);
	for (i = 0; i < ARRAY_SIZE(ts29163); i++)
		ck_assert_msg(mgcf_q850_to_sip(NULL, ts29163[i].cause, MGCF_LOC_LN) == ts29163[i].sip,
			      "cause %u", ts29163[i].cause);
	/* call rejected by the user is final: 603; by the network: 480 */
	ck_assert_uint_eq(mgcf_q850_to_sip(NULL, 21, MGCF_LOC_USER), 603);
	ck_assert_uint_eq(mgcf_q850_to_sip(NULL, 21, MGCF_LOC_LN), 480);
	/* causes without a row take the row of their class's unspecified cause: 31, 47, 63, 79, 95, 111, 127 */
	ck_assert_uint_eq(mgcf_q850_to_sip(NULL, 24, MGCF_LOC_LN), 480);
	ck_assert_uint_eq(mgcf_q850_to_sip(NULL, 26, MGCF_LOC_LN), 480);
	ck_assert_uint_eq(mgcf_q850_to_sip(NULL, 45, MGCF_LOC_LN), 480);
	ck_assert_uint_eq(mgcf_q850_to_sip(NULL, 50, MGCF_LOC_LN), 500);
	ck_assert_uint_eq(mgcf_q850_to_sip(NULL, 120, MGCF_LOC_LN), 500);
}
END_TEST

START_TEST(test_sip_to_q850_total)
{
	unsigned int s;

	for (s = 300; s <= 799; s++) {
		uint8_t c = mgcf_sip_to_q850(NULL, s);

		ck_assert_msg(c >= 1 && c <= 127, "status %u -> %u", s, c);
	}
	ck_assert_uint_eq(mgcf_sip_to_q850(NULL, 404), 1);
	ck_assert_uint_eq(mgcf_sip_to_q850(NULL, 410), 22);
	ck_assert_uint_eq(mgcf_sip_to_q850(NULL, 480), 20);	/* 29.163 (RFC 3398: 18) */
	ck_assert_uint_eq(mgcf_sip_to_q850(NULL, 484), 28);
	ck_assert_uint_eq(mgcf_sip_to_q850(NULL, 486), 17);
	ck_assert_uint_eq(mgcf_sip_to_q850(NULL, 600), 17);
	ck_assert_uint_eq(mgcf_sip_to_q850(NULL, 603), 21);
	ck_assert_uint_eq(mgcf_sip_to_q850(NULL, 604), 1);
	ck_assert_uint_eq(mgcf_sip_to_q850(NULL, 403), 127);
	ck_assert_uint_eq(mgcf_sip_to_q850(NULL, 503), 127);
	ck_assert_uint_eq(mgcf_sip_to_q850(NULL, 699), 127);
}
END_TEST

START_TEST(test_overrides_win)
{
	struct mgcf_cause_override q2s[] = { { 17, 600 }, { 34, 486 } };
	struct mgcf_cause_override s2q[] = { { 480, 18 } };
	struct mgcf_trunk_policy tp = {
		.q850_to_sip = q2s, .num_q850_to_sip = 2, .sip_to_q850 = s2q, .num_sip_to_q850 = 1,
	};

	ck_assert_uint_eq(mgcf_q850_to_sip(&tp, 17, MGCF_LOC_LN), 600);
	ck_assert_uint_eq(mgcf_q850_to_sip(&tp, 34, MGCF_LOC_LN), 486);
	ck_assert_uint_eq(mgcf_q850_to_sip(&tp, 1, MGCF_LOC_LN), 404);	/* not overridden */
	ck_assert_uint_eq(mgcf_sip_to_q850(&tp, 480), 18);
	ck_assert_uint_eq(mgcf_sip_to_q850(&tp, 486), 17);
}
END_TEST

START_TEST(test_reason_header)
{
	static const struct { const char *hdr; int cause; } cases[] = {
		{ "Q.850;cause=17;text=\"User busy\"", 17 },
		{ "Q.850 ; cause = 34", 34 },
		{ "q.850;cause=16", 16 },
		{ "SIP;cause=200;text=\"Call completed elsewhere\", Q.850;cause=26", 26 },
		{ "SIP;cause=486", -ENOENT },
		{ "Q.850;text=\"no cause\"", -ENOENT },
		{ "Q.850;cause=0", -ENOENT },
		{ "Q.850;cause=128", -ENOENT },
		{ "Q.850;cause=", -ENOENT },
		{ "", -ENOENT },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		ck_assert_msg(mgcf_cause_from_reason(cases[i].hdr, strlen(cases[i].hdr)) == cases[i].cause, "%s",
			      cases[i].hdr);
	/* bounded by the length, not by a NUL */
	ck_assert_int_eq(mgcf_cause_from_reason("Q.850;cause=17", 12), -ENOENT);
	ck_assert_int_eq(mgcf_cause_from_reason("Q.850;cause=17", 13), 1);
}
END_TEST

START_TEST(test_names)
{
	ck_assert_str_eq(mgcf_q850_name(17), "User busy");
	ck_assert_str_eq(mgcf_q850_name(24), "Unknown cause");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("mgcf_cause");
	TCase *tc = tcase_create("cause");

	tcase_add_checked_fixture(tc, test_setup, test_teardown);
	tcase_add_test(tc, test_q850_to_sip_total);
	tcase_add_test(tc, test_q850_to_sip_rows);
	tcase_add_test(tc, test_sip_to_q850_total);
	tcase_add_test(tc, test_overrides_win);
	tcase_add_test(tc, test_reason_header);
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
