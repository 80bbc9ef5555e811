/* Two ISUP nodes over real M3UA/TCP on 127.0.0.1 (one ASP, one SG): association up, GRS both ways, one call set up
 * and released, every circuit idle. */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <osmocom/core/select.h>
#include <osmocom/core/talloc.h>
#include <osmocom/core/tdef.h>

#include "testlib.h"
#include "isup/isup_node.h"
#include "isup/isup_timers.h"
#include "isup/m3ua.h"

struct side {
	struct isup_node *node;
	bool active;
	unsigned int incoming, answered, released, events;
	uint8_t cause;
	bool by_remote;
};

static void *b_incoming(struct isup_node *node, struct isup_call *call, const struct isup_msg *iam, void *priv)
{
	struct side *s = priv;
	struct isup_bci bci = { .charge = 2, .called_status = 1 };
	struct isup_msg m;
	char digits[16];

	ck_assert_int_gt(isup_number_get_digits(&iam->called, digits, sizeof(digits)), 0);
	ck_assert_str_eq(digits, "1234F");
	s->incoming++;
	isup_build_acm(&m, 0, &bci);
	ck_assert_int_eq(isup_call_send(call, &m), 0);
	isup_build_anm(&m, 0);
	ck_assert_int_eq(isup_call_send(call, &m), 0);
	return s;
}

static void on_event(struct isup_call *call, const struct isup_msg *msg, void *upper_priv)
{
	struct side *s = upper_priv;

	s->events++;
	if (msg->type == ISUP_ANM)
		s->answered++;
}

static void on_released(struct isup_call *call, uint8_t cause, bool by_remote, void *upper_priv)
{
	struct side *s = upper_priv;

	s->released++;
	s->cause = cause;
	s->by_remote = by_remote;
}

static void on_assoc(struct isup_node *node, const char *name, bool active, void *priv)
{
	struct side *s = priv;

	s->active = active;
}

static const struct isup_node_ops a_ops = {
	.call_event = on_event,
	.call_released = on_released,
	.assoc_state = on_assoc,
};

static const struct isup_node_ops b_ops = {
	.incoming_call = b_incoming,
	.call_event = on_event,
	.call_released = on_released,
	.assoc_state = on_assoc,
};

static struct isup_cfg *make_cfg(enum m3ua_role role, uint16_t port)
{
	struct isup_cfg *cfg = talloc_zero(test_ctx, struct isup_cfg);
	struct m3ua_assoc_cfg *ac = talloc_zero(cfg, struct m3ua_assoc_cfg);
	struct isup_trunk_cfg *tc = talloc_zero(cfg, struct isup_trunk_cfg);

	INIT_LLIST_HEAD(&cfg->assocs);
	INIT_LLIST_HEAD(&cfg->trunks);
	ac->name = talloc_strdup(ac, "a");
	ac->transport = M3UA_TRANSPORT_TCP;
	ac->role = role;
	ac->local_pc = role == M3UA_ROLE_ASP ? 1 : 2;
	ac->adjacent_pc = role == M3UA_ROLE_ASP ? 2 : 1;
	ac->network_indicator = 2;
	ac->routing_context_present = true;
	ac->routing_context = 7;
	ac->traffic_mode = M3UA_TMODE_OVERRIDE;
	ac->reset_circuits_on_active = true;
	if (role == M3UA_ROLE_SG)
		ac->local = (struct osmo_sockaddr_str){ .af = AF_INET, .ip = "127.0.0.1", .port = port };
	else
		ac->remote = (struct osmo_sockaddr_str){ .af = AF_INET, .ip = "127.0.0.1", .port = port };
	llist_add_tail(&ac->list, &cfg->assocs);
	tc->name = talloc_strdup(tc, "pstn");
	tc->assoc_name = talloc_strdup(tc, "a");
	tc->assoc = ac;
	tc->dpc = ac->adjacent_pc;
	tc->cics = talloc_zero_array(tc, struct isup_cic_range, 2);
	tc->cics[0] = (struct isup_cic_range){ 1, 31 };
	tc->cics[1] = (struct isup_cic_range){ 33, 40 };
	tc->num_cic_ranges = 2;
	tc->hunting = ISUP_HUNT_CONTROLLED;
	llist_add_tail(&tc->list, &cfg->trunks);
	return cfg;
}

static int idle_cb(const struct isup_cic_info *i, void *arg)
{
	return i->idle && !i->pend && !i->blk && !strcmp(i->state, "IDLE") ? 0 : 1;
}

static bool all_idle(struct isup_node *n)
{
	return isup_node_cic_state(n, NULL, idle_cb, NULL) == 0 && isup_node_num_calls(n) == 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

typedef bool (*cond_fn)(struct side *a, struct side *b);

/* bounded event loop: at most 10 s of real time */
static bool run_until(cond_fn cond, struct side *a, struct side *b)
{
	double deadline = now() + 10;

	while (now() < deadline) {
		osmo_select_main(1);
		if (cond(a, b))
			return true;
		usleep(1000);
	}
	fputs(test_log(), stderr);
	return false;
}

static bool up_and_reset(struct side *a, struct side *b)
{
	return a->active && b->active && all_idle(a->node) && all_idle(b->node) &&
	       isup_node_ctr(a->node, ISUP_CTR_GRS_TX) >= 2 && isup_node_ctr(b->node, ISUP_CTR_GRS_TX) >= 2;
}

static bool answered(struct side *a, struct side *b)
{
	return a->answered == 1;
}

static bool released(struct side *a, struct side *b)
{
	return a->released == 1 && b->released == 1 && all_idle(a->node) && all_idle(b->node);
}

START_TEST(test_two_nodes)
{
	struct side a = { 0 }, b = { 0 };
	struct isup_iam_args args = { .called = "1234F", .calling = "5678" };
	struct isup_call *call = NULL;
	struct isup_msg iam;
	struct isup_cfg *cfg_a, *cfg_b;
	int port;

	osmo_tdefs_reset(m3ua_tdefs);
	osmo_tdefs_reset(isup_tdefs);
	cfg_b = make_cfg(M3UA_ROLE_SG, 0);
	b.node = isup_node_alloc(test_ctx, cfg_b, NULL, &b_ops, &b, NULL);
	ck_assert_ptr_nonnull(b.node);
	ck_assert_int_eq(isup_node_start(b.node), 0);
	port = m3ua_assoc_local_port(isup_node_m3ua(b.node, "a"));
	ck_assert_int_gt(port, 0);
	cfg_a = make_cfg(M3UA_ROLE_ASP, port);
	a.node = isup_node_alloc(test_ctx, cfg_a, NULL, &a_ops, &a, NULL);
	ck_assert_ptr_nonnull(a.node);
	ck_assert_int_eq(isup_node_start(a.node), 0);

	/* 39 circuits in two runs: a GRS for 1..31 and one for 33..40, from each side */
	ck_assert(run_until(up_and_reset, &a, &b));
	ck_assert_uint_eq(isup_node_ctr(a.node, ISUP_CTR_GRS_RX), 2);
	ck_assert_uint_eq(isup_node_ctr(b.node, ISUP_CTR_GRS_RX), 2);

	ck_assert_int_eq(isup_build_iam(&iam, 0, &args), 0);
	ck_assert_int_eq(isup_call_setup(a.node, "pstn", &iam, &a, &call), 0);
	/* point code 1 < 2: node a controls the odd CICs and hunts them first */
	ck_assert_uint_eq(isup_call_cic(call), 1);
	ck_assert(run_until(answered, &a, &b));
	ck_assert_uint_eq(b.incoming, 1);
	isup_call_release(call, 16);
	ck_assert(run_until(released, &a, &b));
	ck_assert_uint_eq(b.cause, 16);
	ck_assert(b.by_remote);
	ck_assert(!a.by_remote);
	ck_assert_uint_eq(isup_node_ctr(a.node, ISUP_CTR_RX_ERRORS) + isup_node_ctr(b.node, ISUP_CTR_RX_ERRORS), 0);

	isup_node_free(a.node);
	isup_node_free(b.node);
	talloc_free(cfg_a);
	talloc_free(cfg_b);
}
END_TEST

static Suite *node_m3ua_suite(void)
{
	Suite *s = suite_create("isup_node_m3ua");
	TCase *tc = tcase_create("m3ua");

	tcase_add_checked_fixture(tc, test_setup_real_time, test_teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_two_nodes);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return test_run_suite(node_m3ua_suite());
}
