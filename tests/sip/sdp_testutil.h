/* Helpers shared by the SDP unit tests. */
#pragma once

#include <string.h>

#include <osmocom/core/msgb.h>
#include <talloc.h>

#include "testlib.h"
#include "sip/sdp.h"
#include "sdp_compare.h"

/* The SDP code allocates nothing; what a test allocates (sessions, built texts) goes
 * under this scratch context, freed before the harness's leak check runs. */
static void *sdp_ctx;

static inline void sdp_test_setup(void)
{
	test_setup();
	sdp_ctx = talloc_named_const(test_ctx, 0, "sdp test scratch");
}

static inline void sdp_test_teardown(void)
{
	talloc_free(sdp_ctx);
	sdp_ctx = NULL;
	test_teardown();
}

/* Parse text that must be valid; the session hangs off test_ctx. */
static inline struct sdp_session *sdp_parse_ok(const char *text)
{
	struct sdp_session *s = talloc_zero(sdp_ctx, struct sdp_session);
	struct sdp_parse_err err = { 0 };
	int rc;

	ck_assert_ptr_nonnull(s);
	rc = sdp_parse(s, text, strlen(text), &err);
	ck_assert_msg(rc == 0, "parse failed: rc=%d line %u: %s", rc, err.line, err.reason ? err.reason : "");
	return s;
}

/* Build a session into a NUL-terminated talloc string under test_ctx. */
static inline char *sdp_build_str(const struct sdp_session *s)
{
	struct msgb *msg = msgb_alloc_c(sdp_ctx, 16384, "sdp test");
	char *out;

	ck_assert_ptr_nonnull(msg);
	ck_assert_int_eq(sdp_build(msg, s), 0);
	out = talloc_strndup(sdp_ctx, (const char *)msgb_data(msg), msgb_length(msg));
	msgb_free(msg);
	return out;
}

/* Whether a built SDP has exactly this line. */
static inline bool sdp_has_line(const char *sdp, const char *line)
{
	size_t n = strlen(line);
	const char *p = sdp;

	while ((p = strstr(p, line))) {
		if ((p == sdp || p[-1] == '\n') && (p[n] == '\r' || p[n] == '\n' || p[n] == '\0'))
			return true;
		p += n;
	}
	return false;
}

#define ck_assert_line(sdp, line) ck_assert_msg(sdp_has_line(sdp, line), "missing line \"%s\" in:\n%s", line, sdp)
#define ck_assert_no_line(sdp, line) \
	ck_assert_msg(!sdp_has_line(sdp, line), "unexpected line \"%s\" in:\n%s", line, sdp)
