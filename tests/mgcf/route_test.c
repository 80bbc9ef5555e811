/* Numbers from URIs, route selection and digit manipulation, request-URI templates. */
#include <errno.h>
#include <string.h>

#include <talloc.h>
#include <osmocom/core/utils.h>

#include "testlib.h"
#include "mgcf/mgcf_route.h"

START_TEST(test_number_from_uri)
{
	static const struct { const char *uri; int rc; const char *num; } cases[] = {
		{ "tel:+4930123456", 0, "+4930123456" },
		{ "tel:+49-30-(123).456;phone-context=x", 0, "+4930123456" },
		{ "sip:+4930123456@ims.example.net;user=phone", 0, "+4930123456" },
		{ "sips:+1-212-555-0100@[2001:db8::1]:5061;user=phone;transport=tls", 0, "+12125550100" },
		{ "sip:+4930123456@ims.example.net", 0, "+4930123456" },	/* global number without user=phone */
		{ "sip:0301234@ims.example.net;user=phone", 0, "0301234" },
		{ "sip:0301234@ims.example.net", -EINVAL, NULL },	/* a user name, not a number */
		{ "sip:alice@ims.example.net;user=phone", -EINVAL, NULL },
		{ "tel:+", -EINVAL, NULL },
		{ "tel:", -EINVAL, NULL },
		{ "mailto:+49@x", -EINVAL, NULL },
		{ "sip:+4930123456", -EINVAL, NULL },
		{ "tel:+123456789012345678901234567890123", -EMSGSIZE, NULL },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		char out[MGCF_NUMBER_MAX + 1];
		int rc = mgcf_number_from_uri(cases[i].uri, strlen(cases[i].uri), out, sizeof(out));

		ck_assert_msg(rc == cases[i].rc, "%s: rc %d", cases[i].uri, rc);
		if (!rc)
			ck_assert_str_eq(out, cases[i].num);
	}
}
END_TEST

static struct mgcf_cfg *make_cfg(void)
{
	static const struct { const char *name, *prefix, *trunk; unsigned int strip; const char *prepend; } out[] = {
		{ "intl", "+", "transit", 1, "" },
		{ "de", "+49", "national", 3, "0" },
		{ "berlin", "+4930", "local", 5, "" },
	};
	static const struct { const char *name, *trunk, *prefix, *uri; } in[] = {
		{ "any", NULL, "", "sip:{e164}@ims.example.net;user=phone" },
		{ "local", "local", "", "tel:{e164}" },
		{ "local-svc", "local", "11", "sip:{number}@svc.example.net" },
	};
	struct mgcf_cfg *cfg = talloc_zero(test_ctx, struct mgcf_cfg);
	unsigned int i;

	INIT_LLIST_HEAD(&cfg->routes_out);
	INIT_LLIST_HEAD(&cfg->routes_in);
	for (i = 0; i < ARRAY_SIZE(out); i++) {
		struct mgcf_route_out *r = talloc_zero(cfg, struct mgcf_route_out);

		r->name = talloc_strdup(r, out[i].name);
		r->prefix = talloc_strdup(r, out[i].prefix);
		r->trunk = talloc_strdup(r, out[i].trunk);
		r->strip = out[i].strip;
		r->prepend = talloc_strdup(r, out[i].prepend);
		llist_add_tail(&r->list, &cfg->routes_out);
	}
	for (i = 0; i < ARRAY_SIZE(in); i++) {
		struct mgcf_route_in *r = talloc_zero(cfg, struct mgcf_route_in);

		r->name = talloc_strdup(r, in[i].name);
		r->trunk = in[i].trunk ? talloc_strdup(r, in[i].trunk) : NULL;
		r->prefix = talloc_strdup(r, in[i].prefix);
		r->uri_template = talloc_strdup(r, in[i].uri);
		llist_add_tail(&r->list, &cfg->routes_in);
	}
	return cfg;
}

START_TEST(test_route_out)
{
	struct mgcf_cfg *cfg = make_cfg();
	const struct mgcf_route_out *r;
	char digits[MGCF_NUMBER_MAX + 1];

	r = mgcf_route_out_find(cfg, "+4930123456");
	ck_assert_str_eq(r->name, "berlin");	/* longest prefix */
	ck_assert_int_eq(mgcf_route_out_apply(r, "+4930123456", digits, sizeof(digits)), 0);
	ck_assert_str_eq(digits, "123456");
	r = mgcf_route_out_find(cfg, "+4940123456");
	ck_assert_str_eq(r->name, "de");
	ck_assert_int_eq(mgcf_route_out_apply(r, "+4940123456", digits, sizeof(digits)), 0);
	ck_assert_str_eq(digits, "040123456");
	r = mgcf_route_out_find(cfg, "+12125550100");
	ck_assert_str_eq(r->name, "intl");
	ck_assert_int_eq(mgcf_route_out_apply(r, "+12125550100", digits, sizeof(digits)), 0);
	ck_assert_str_eq(digits, "12125550100");
	ck_assert_ptr_null(mgcf_route_out_find(cfg, "0301234"));
	/* stripping everything leaves nothing to dial */
	r = mgcf_route_out_find(cfg, "+4930");
	ck_assert_int_eq(mgcf_route_out_apply(r, "+4930", digits, sizeof(digits)), -EINVAL);
	ck_assert_int_eq(mgcf_route_out_apply(mgcf_route_out_find(cfg, "+49301"), "+49301", digits, 1), -EMSGSIZE);
	talloc_free(cfg);
}
END_TEST

START_TEST(test_route_in)
{
	struct mgcf_cfg *cfg = make_cfg();
	const struct mgcf_route_in *r;
	char *uri;

	r = mgcf_route_in_find(cfg, "transit", "4930123");
	ck_assert_str_eq(r->name, "any");
	uri = mgcf_route_in_uri(test_ctx, r, "4930123", MGCF_NAI_INTERNATIONAL, NULL);
	ck_assert_str_eq(uri, "sip:+4930123@ims.example.net;user=phone");
	talloc_free(uri);
	/* a national number gets the country code */
	uri = mgcf_route_in_uri(test_ctx, r, "30123", MGCF_NAI_NATIONAL, "49");
	ck_assert_str_eq(uri, "sip:+4930123@ims.example.net;user=phone");
	talloc_free(uri);
	/* ... and cannot be made international without one */
	ck_assert_ptr_null(mgcf_route_in_uri(test_ctx, r, "30123", MGCF_NAI_NATIONAL, NULL));
	ck_assert_ptr_null(mgcf_route_in_uri(test_ctx, r, "30123", MGCF_NAI_SUBSCRIBER, "49"));

	/* a route for the trunk group beats one for any trunk; then the longest prefix */
	r = mgcf_route_in_find(cfg, "local", "4930123");
	ck_assert_str_eq(r->name, "local");
	r = mgcf_route_in_find(cfg, "local", "112");
	ck_assert_str_eq(r->name, "local-svc");
	uri = mgcf_route_in_uri(test_ctx, r, "112", MGCF_NAI_SUBSCRIBER, NULL);
	ck_assert_str_eq(uri, "sip:112@svc.example.net");
	talloc_free(uri);
	talloc_free(cfg);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("mgcf_route");
	TCase *tc = tcase_create("route");

	tcase_add_checked_fixture(tc, test_setup, test_teardown);
	tcase_add_test(tc, test_number_from_uri);
	tcase_add_test(tc, test_route_out);
	tcase_add_test(tc, test_route_in);
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
