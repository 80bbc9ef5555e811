/* CDR lines: format, header once, append, reopen after rotation. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <osmocom/core/utils.h>
#include <talloc.h>

#include <mgcf/dec.h>

#include "testlib.h"
#include "mgcf/mgcf_cdr.h"

static const struct mgcf_cdr answered = {
	.start = { 1764145800, 120000000 },	/* 2025-11-26T08:30:00.120Z */
	.answer = { 1764145802, 500000000 },
	.end = { 1764145862, 750000000 },
	.direction = MGCF_CDR_SIP2ISUP,
	.trunk = "pstn",
	.cic = 17,
	.calling = "+4930123456",
	.called = "4940999888",
	.cause = 16,
	.released_by = MGCF_CDR_REL_SIP,
};

START_TEST(test_format)
{
	struct mgcf_cdr c = answered;
	char buf[256];

	ck_assert_int_gt(mgcf_cdr_format(buf, sizeof(buf), &c), 0);
	ck_assert_str_eq(buf, "2025-11-26T08:30:00.120Z,2025-11-26T08:30:02.500Z,2025-11-26T08:31:02.750Z,"
			      "sip2isup,pstn,17,+4930123456,4940999888,16,sip,60.250");
	c.answer.tv_sec = 0;
	c.direction = MGCF_CDR_ISUP2SIP;
	c.calling = NULL;
	c.cause = 17;
	c.released_by = MGCF_CDR_REL_ISUP;
	ck_assert_int_gt(mgcf_cdr_format(buf, sizeof(buf), &c), 0);
	ck_assert_str_eq(buf, "2025-11-26T08:30:00.120Z,,2025-11-26T08:31:02.750Z,isup2sip,pstn,17,,4940999888,17,"
			      "isup,0.000");
	ck_assert_int_eq(mgcf_cdr_format(buf, 20, &c), -EMSGSIZE);
}
END_TEST

/* The line as strftime() and printf() made it before the formatter was written by hand: the reference. */
static void ref_time(char *buf, size_t len, const struct timespec *ts)
{
	struct tm tm;
	size_t n;

	buf[0] = '\0';
	if (!ts->tv_sec)
		return;
	gmtime_r(&ts->tv_sec, &tm);
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%03ldZ", ts->tv_nsec / 1000000);
}

static void ref_format(char *buf, size_t len, const struct mgcf_cdr *c)
{
	char start[64], answer[64], end[64];
	double dur = 0;

	ref_time(start, sizeof(start), &c->start);
	ref_time(answer, sizeof(answer), &c->answer);
	ref_time(end, sizeof(end), &c->end);
	if (c->answer.tv_sec)
		dur = (c->end.tv_sec - c->answer.tv_sec) + (c->end.tv_nsec - c->answer.tv_nsec) / 1e9;
	snprintf(buf, len, "%s,%s,%s,sip2isup,pstn,17,+4930123456,4940999888,16,sip,%.3f", start, answer, end,
		 dur < 0 ? 0 : dur);
}

static void check_same(const struct mgcf_cdr *c)
{
	char buf[256], ref[256];

	ref_format(ref, sizeof(ref), c);
	ck_assert_int_eq(mgcf_cdr_format(buf, sizeof(buf), c), strlen(ref));
	ck_assert_str_eq(buf, ref);
}

/* Dates across leap years, century rules, before 1970 and past 9999; durations at and around millisecond ties,
 * negative, and long: the same text as strftime()/printf(). */
START_TEST(test_format_dates)
{
	static const int64_t secs[] = {
		1, 59, 86399, 86400, 951782400 /* 2000-02-29 */, 951868800 /* 2000-03-01 */, 4107542400 /* 2100-03-01 */,
		4107456000 /* 2100-02-28 */, 1709164800 /* 2024-02-29 */, 253402300799 /* 9999-12-31T23:59:59 */,
		253402300800 /* 10000-01-01 */, -1, -86400, -86401, -2208988800 /* 1900-01-01 */,
		-30610224000 /* 1000-01-01 */, -30610224001 /* 0999-12-31 */,
	};
	static const long durs_ns[] = { 0, 1, 499999, 500000, 500001, 1500000, 2500000, 999999999, 1000000000,
					60250000000, -1, -500000 };
	struct mgcf_cdr c = answered;
	unsigned int i;
	int64_t t;

	for (i = 0; i < ARRAY_SIZE(secs); i++) {
		c.start = (struct timespec){ secs[i], 999999999 };
		c.answer = (struct timespec){ 0, 0 };
		c.end = (struct timespec){ secs[i] + 3600, 0 };
		check_same(&c);
	}
	/* every day over 1000 years, at a varying time of day */
	for (t = -2208988800; t < 29379542400; t += 86400 * 7 + 3607)
		check_same(&(struct mgcf_cdr){ .start = { t, 123456789 }, .end = { t + 1, 5 }, .trunk = "pstn",
					       .cic = 17, .calling = "+4930123456", .called = "4940999888",
					       .cause = 16, .released_by = MGCF_CDR_REL_SIP });
	for (i = 0; i < ARRAY_SIZE(durs_ns); i++) {
		long ns = durs_ns[i];

		c.start = (struct timespec){ 1764145800, 0 };
		c.answer = (struct timespec){ 1764145802, 250000000 };
		c.end = (struct timespec){ 1764145802 + (250000000 + ns) / 1000000000 - (250000000 + ns < 0),
					   (250000000 + ns) % 1000000000 + (250000000 + ns < 0 ? 1000000000 : 0) };
		check_same(&c);
	}
	/* a duration of more than 10^6 s */
	c.end = (struct timespec){ 1764145802 + 2000000, 750500000 };
	check_same(&c);
	/* the terminating NUL must fit: one byte short fails, exactly enough works */
	{
		char buf[256];
		int n = mgcf_cdr_format(buf, sizeof(buf), &c);

		ck_assert_int_eq(mgcf_cdr_format(buf, n, &c), -EMSGSIZE);
		ck_assert_int_eq(mgcf_cdr_format(buf, n + 1, &c), n);
		ck_assert_int_eq(mgcf_cdr_format(buf, 0, &c), -EMSGSIZE);
	}
}
END_TEST

/* The hand-written decimals the CDR line and the instance ids are made of */
START_TEST(test_put_dec)
{
	static const struct {
		unsigned long v;
		const char *text;
	} rows[] = {
		{ 0, "0" }, { 7, "7" }, { 9, "9" }, { 10, "10" }, { 4095, "4095" }, { 4294967295UL, "4294967295" },
		{ 18446744073709551615UL, "18446744073709551615" },
	};
	char buf[24];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		char *end = mgcf_put_dec(buf, rows[i].v);

		ck_assert_uint_eq(end - buf, strlen(rows[i].text));
		*end = '\0';
		ck_assert_str_eq(buf, rows[i].text);
	}
}
END_TEST

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *s = talloc_strdup(test_ctx, "");
	char line[512];

	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f))
		s = talloc_strdup_append(s, line);
	fclose(f);
	return s;
}

START_TEST(test_file)
{
	char path[] = "/tmp/mgcf-cdr-test-XXXXXX";
	char rotated[64];
	struct mgcf_cdr_writer *w;
	int fd = mkstemp(path);
	char *text;

	close(fd);
	w = mgcf_cdr_open(test_ctx, path);
	ck_assert_ptr_nonnull(w);
	ck_assert_int_eq(mgcf_cdr_write(w, &answered), 0);
	ck_assert_int_eq(mgcf_cdr_write(w, &answered), 0);
	text = slurp(path);
	/* header once, then one line per call, flushed at once */
	ck_assert_ptr_eq(strstr(text, "# start,"), text);
	ck_assert_ptr_nonnull(strstr(strstr(text, ",sip,60.250\n") + 1, ",sip,60.250\n"));
	talloc_free(text);

	/* rotation: the file is moved away, reopen starts a new one */
	snprintf(rotated, sizeof(rotated), "%s.1", path);
	ck_assert_int_eq(rename(path, rotated), 0);
	ck_assert_int_eq(mgcf_cdr_reopen(w), 0);
	ck_assert_int_eq(mgcf_cdr_write(w, &answered), 0);
	text = slurp(path);
	ck_assert_int_eq(strlen(text) > 0, 1);
	ck_assert_ptr_null(strstr(strstr(text, ",sip,60.250\n") + 1, ",sip,60.250\n"));
	talloc_free(text);
	mgcf_cdr_close(w);
	unlink(path);
	unlink(rotated);
	ck_assert_ptr_null(mgcf_cdr_open(test_ctx, "/nonexistent/dir/cdr.log"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("mgcf_cdr");
	TCase *tc = tcase_create("cdr");

	tcase_add_checked_fixture(tc, test_setup, test_teardown);
	tcase_add_test(tc, test_format);
	tcase_add_test(tc, test_format_dates);
	tcase_add_test(tc, test_put_dec);
	tcase_add_test(tc, test_file);
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
