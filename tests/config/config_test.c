/* Unit tests of the configuration loader: typed values, defaults, timers, errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <talloc.h>
#include <osmocom/core/tdef.h>

#include "testlib.h"
#include "src/config.h"
#include "isup/isup_timers.h"
#include "sip/sip_timers.h"

/* Write TEXT to a temporary file named under test_ctx; the test unlinks it. */
static char *write_tmp(const char *text)
{
	char *path = talloc_strdup(test_ctx, "/tmp/mgcf-config-test-XXXXXX");
	int fd = mkstemp(path);
	ssize_t len = strlen(text);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, len), len);
	close(fd);
	return path;
}

static struct mgcfd_config *load_text(const char *text, char **errors)
{
	char *path = write_tmp(text);
	struct mgcfd_config *cfg = mgcfd_config_load(test_ctx, path, errors);

	unlink(path);
	talloc_free(path);
	return cfg;
}

static const char *minimal =
	"m3ua stp {\n"
	"	remote = \"127.0.0.1:2905\"\n"
	"	local-pc = \"2-150-1\"\n"
	"	adjacent-pc = 4402\n"
	"	routing-context = 7\n"
	"}\n"
	"trunk-group pstn {\n"
	"	association = stp\n"
	"	dpc = 2\n"
	"	cics = { \"1-15\", \"17-31\" }\n"
	"	law = ulaw\n"
	"	hunting = odd\n"
	"	q850-to-sip = { \"17=486\" }\n"
	"	continuity = required\n"
	"	span s0 {\n"
	"		timeslots = \"1-15,17-31\"\n"
	"		local = \"127.0.0.1:41000\"\n"
	"		remote = \"[::1]:42000\"\n"
	"	}\n"
	"}\n"
	"route-out all {\n"
	"	prefix = \"+\"\n"
	"	trunk-group = pstn\n"
	"	strip = 1\n"
	"	nai = national\n"
	"}\n"
	"timers {\n"
	"	isup = { \"T7=22s\", \"T29=400\" }\n"
	"	sip = { \"T1=250ms\", \"B=16s\" }\n"
	"}\n";

START_TEST(test_typed_values)
{
	char *errors;
	struct mgcfd_config *cfg = load_text(minimal, &errors);
	struct m3ua_assoc_cfg *a;
	struct isup_trunk_cfg *t;
	struct media_span_cfg *s;
	struct media_trunk_cfg *mt;
	struct mgcf_trunk_policy *mp;
	struct mgcf_route_out *r;

	ck_assert_msg(cfg, "errors: %s", errors);
	a = llist_first_entry(&cfg->isup.assocs, struct m3ua_assoc_cfg, list);
	ck_assert_str_eq(a->name, "stp");
	ck_assert_int_eq(a->transport, M3UA_TRANSPORT_TCP);
	ck_assert_int_eq(a->role, M3UA_ROLE_ASP);
	ck_assert_str_eq(a->remote.ip, "127.0.0.1");
	ck_assert_int_eq(a->remote.port, 2905);
	/* 3-8-3: 2 << 11 | 150 << 3 | 1 */
	ck_assert_uint_eq(a->local_pc, (2 << 11) | (150 << 3) | 1);
	ck_assert_uint_eq(a->adjacent_pc, 4402);
	ck_assert(a->routing_context_present);
	ck_assert_uint_eq(a->routing_context, 7);
	ck_assert(a->reset_circuits_on_active);

	t = llist_first_entry(&cfg->isup.trunks, struct isup_trunk_cfg, list);
	ck_assert_ptr_eq(t->assoc, a);
	ck_assert_uint_eq(t->num_cic_ranges, 2);
	ck_assert_uint_eq(isup_trunk_cfg_num_cics(t), 30);
	ck_assert(isup_trunk_cfg_has_cic(t, 15));
	ck_assert(!isup_trunk_cfg_has_cic(t, 16));
	ck_assert_int_eq(t->hunting, ISUP_HUNT_ODD);

	s = llist_first_entry(&cfg->media.spans, struct media_span_cfg, list);
	ck_assert_uint_eq(s->timeslots, 0xfffefffe);
	ck_assert_str_eq(s->remote.ip, "::1");
	ck_assert_int_eq(s->frames_per_packet, 8);
	mt = llist_first_entry(&cfg->media.trunks, struct media_trunk_cfg, list);
	ck_assert_int_eq(mt->law, MEDIA_LAW_ULAW);
	ck_assert_str_eq(mt->tone_plan, "itu");
	mp = llist_first_entry(&cfg->mgcf.trunks, struct mgcf_trunk_policy, list);
	ck_assert_uint_eq(mp->num_q850_to_sip, 1);
	ck_assert_uint_eq(mp->q850_to_sip[0].from, 17);
	ck_assert_uint_eq(mp->q850_to_sip[0].to, 486);
	ck_assert_int_eq(mp->continuity, MGCF_CONTINUITY_REQUIRED);
	r = llist_first_entry(&cfg->mgcf.routes_out, struct mgcf_route_out, list);
	ck_assert_str_eq(r->prefix, "+");
	ck_assert_int_eq(r->nai, MGCF_NAI_NATIONAL);

	/* defaults of sections the file does not mention */
	ck_assert_uint_eq(cfg->sip.num_listen, 1);
	ck_assert_int_eq(cfg->sip.listen[0].transport, SIP_TRANSPORT_UDP);
	ck_assert_int_eq(cfg->sip.listen[0].addr.port, 5060);
	ck_assert_int_eq(cfg->sip.rel100, SIP_EXT_SUPPORTED);
	ck_assert_uint_eq(cfg->sip.min_se_s, 90);
	ck_assert_uint_eq(cfg->sip.udp_buffer, 4194304);
	ck_assert_uint_eq(cfg->media.rtp_port_min, 16000);
	ck_assert_uint_eq(cfg->media.rtp_port_max, 16999);
	ck_assert_uint_eq(cfg->vty.port, 4280);
	talloc_free(cfg);
}
END_TEST

START_TEST(test_timers_applied)
{
	char *errors;
	struct mgcfd_config *cfg = load_text(minimal, &errors);

	ck_assert_msg(cfg, "errors: %s", errors);
	mgcfd_config_apply_timers(cfg);
	ck_assert_uint_eq(osmo_tdef_get(isup_tdefs, 7, OSMO_TDEF_S, -1), 22);
	ck_assert_uint_eq(osmo_tdef_get(isup_tdefs, 29, OSMO_TDEF_MS, -1), 400);
	ck_assert_uint_eq(osmo_tdef_get(isup_tdefs, 9, OSMO_TDEF_S, -1), 90);	/* default kept */
	ck_assert_uint_eq(osmo_tdef_get(sip_tdefs, SIP_T1, OSMO_TDEF_MS, -1), 250);
	ck_assert_uint_eq(osmo_tdef_get(sip_tdefs, SIP_TB, OSMO_TDEF_MS, -1), 16000);
	talloc_free(cfg);
	/* a reload without the overrides puts the defaults back */
	cfg = load_text("", &errors);
	ck_assert_msg(cfg, "errors: %s", errors);
	mgcfd_config_apply_timers(cfg);
	ck_assert_uint_eq(osmo_tdef_get(isup_tdefs, 7, OSMO_TDEF_S, -1), 25);
	ck_assert_uint_eq(osmo_tdef_get(sip_tdefs, SIP_T1, OSMO_TDEF_MS, -1), 500);
	talloc_free(cfg);
}
END_TEST

START_TEST(test_all_errors_reported)
{
	/* three independent mistakes: all three are reported, each with its line */
	char *errors;
	struct mgcfd_config *cfg = load_text(
		"vty {\n"
		"	port = 0\n"
		"}\n"
		"media {\n"
		"	ptime = 25\n"
		"	dtmf = smoke\n"
		"}\n", &errors);

	ck_assert_ptr_null(cfg);
	ck_assert_ptr_nonnull(strstr(errors, ":2: VTY port 0 is out of range (1..65535)"));
	ck_assert_ptr_nonnull(strstr(errors, ":5: ptime 25 must be 10, 20, 30, 40, 50 or 60 ms"));
	ck_assert_ptr_nonnull(strstr(errors, ":6: 'smoke' is not a valid value (expected one of: rfc4733, inband, info)"));
	talloc_free(errors);
}
END_TEST

START_TEST(test_missing_file)
{
	char *errors;
	struct mgcfd_config *cfg = mgcfd_config_load(test_ctx, "/nonexistent/mgcfd.conf", &errors);

	ck_assert_ptr_null(cfg);
	ck_assert_ptr_nonnull(strstr(errors, "/nonexistent/mgcfd.conf: cannot read the file"));
	talloc_free(errors);
}
END_TEST

START_TEST(test_sample_files_load)
{
	static const char *files[] = {
		"../conf/mgcfd.conf", "../conf/pstnsim.conf", "../conf/examples/itu-e1.conf", "../conf/examples/two-trunk-groups.conf",
	};
	unsigned int i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *errors, *path = test_srcfile(files[i]);
		struct mgcfd_config *cfg = mgcfd_config_load(test_ctx, path, &errors);

		ck_assert_msg(cfg, "%s: %s", files[i], errors);
		talloc_free(cfg);
		talloc_free(path);
	}
}
END_TEST

static Suite *config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("load");

	tcase_add_checked_fixture(tc, test_setup, test_teardown);
	tcase_add_test(tc, test_typed_values);
	tcase_add_test(tc, test_timers_applied);
	tcase_add_test(tc, test_all_errors_reported);
	tcase_add_test(tc, test_missing_file);
	tcase_add_test(tc, test_sample_files_load);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return test_run_suite(config_suite());
}
