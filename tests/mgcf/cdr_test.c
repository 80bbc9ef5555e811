/* CDR lines: format, header once, append, reopen after rotation. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <talloc.h>

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
	tcase_add_test(tc, test_file);
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
