/* Preconditions (RFC 3312 / RFC 4032): status tables and the SDP they produce, step by
 * step through the RFC 3312 example flows (end-to-end and segmented) and the IMS
 * UE -> MGCF case. */
#include <errno.h>
#include <string.h>

#include "sdp_testutil.h"
#include "sip/sdp_precond.h"

/* One side of a call: its capabilities, o= line and precondition tables. */
struct ua {
	struct sdp_caps caps;
	struct sdp_local_origin lo;
	struct sdp_precond pc;
};

static struct ua *ua_alloc(const char *name, const char *addr, uint16_t port)
{
	struct ua *u = talloc_zero(sdp_ctx, struct ua);

	u->caps.codecs[0] = SDP_CODEC_PCMU;
	u->caps.num_codecs = 1;
	u->caps.addr = addr;
	u->caps.addr_type = SDP_ADDR_IP4;
	u->caps.audio_port = port;
	u->caps.username = name;
	u->caps.session_name = "-";
	u->lo.sess_id = 1000;
	u->lo.sess_version = 1;
	sdp_precond_init(&u->pc);
	return u;
}

/* u makes an offer carrying its precondition lines: the SDP text. */
static char *ua_offer(struct ua *u)
{
	struct sdp_session *s = talloc_zero(sdp_ctx, struct sdp_session);

	ck_assert_int_eq(sdp_offer(s, &u->caps, &u->lo, false, SDP_DIR_UNSPEC), 0);
	ck_assert_int_eq(sdp_precond_write(&u->pc, s, false), 0);
	return sdp_build_str(s);
}

/* u receives an offer; its tables are updated (the caller may then change them) and
 * the returned session is the answer to fill in with ua_answer_finish(). */
static struct sdp_session *ua_recv_offer(struct ua *u, const char *offer_text)
{
	struct sdp_session *offer = sdp_parse_ok(offer_text);
	struct sdp_session *ans = talloc_zero(sdp_ctx, struct sdp_session);
	struct sdp_oa_result res;

	sdp_precond_update(&u->pc, offer);
	ck_assert_int_eq(sdp_answer(ans, &res, offer, &u->caps, &u->lo), 0);
	return ans;
}

static char *ua_answer_finish(struct ua *u, struct sdp_session *ans)
{
	ck_assert_int_eq(sdp_precond_write(&u->pc, ans, false), 0);
	return sdp_build_str(ans);
}

static void ua_recv_answer(struct ua *u, const char *text)
{
	sdp_precond_update(&u->pc, sdp_parse_ok(text));
}

/* Assert one row of a table: current, desired strength, confirm (peer asked / we ask). */
static void row_is(const struct ua *u, enum sdp_pc_status st, enum sdp_pc_row_idx r, bool cur,
		   enum sdp_pc_strength des, bool conf_peer, bool conf_ours, int line)
{
	const struct sdp_pc_row *row = &u->pc.s[0].tbl[st].row[r];

	ck_assert_msg(u->pc.s[0].used[st], "line %d: status type %s unused", line,
		      get_value_string(sdp_pc_status_names, st));
	ck_assert_msg(row->cur == cur, "line %d: current %d", line, row->cur);
	ck_assert_msg(row->des == des, "line %d: desired %s", line, get_value_string(sdp_pc_strength_names, row->des));
	ck_assert_msg(row->conf_peer == conf_peer, "line %d: conf_peer %d", line, row->conf_peer);
	ck_assert_msg(row->conf_ours == conf_ours, "line %d: conf_ours %d", line, row->conf_ours);
}
#define ROW(u, st, r, cur, des, cp, co) row_is(u, SDP_PC_##st, SDP_PC_ROW_##r, cur, SDP_PC_STR_##des, cp, co, __LINE__)

/* RFC 3312 §13.1 (end-to-end status): A offers in the INVITE, B answers in a reliable 183
 * asking to be told when its receive direction is ready, A sends an UPDATE once it has
 * reserved, B answers in the 200 OK (UPDATE) with everything ready. */
START_TEST(test_rfc3312_e2e_flow)
{
	struct ua *a = ua_alloc("alice", "192.0.2.1", 40000);
	struct ua *b = ua_alloc("bob", "192.0.2.4", 30000);
	struct sdp_session *ans;
	char *sdp1, *sdp2, *sdp3, *sdp4;

	/* SDP1: A's offer, nothing reserved */
	sdp_precond_set_desired(&a->pc, 0, SDP_PC_E2E, SDP_PC_DIR_SENDRECV, SDP_PC_STR_MANDATORY);
	sdp1 = ua_offer(a);
	ck_assert_str_eq(sdp1, "v=0\r\n"
			       "o=alice 1000 1 IN IP4 192.0.2.1\r\n"
			       "s=-\r\n"
			       "c=IN IP4 192.0.2.1\r\n"
			       "t=0 0\r\n"
			       "m=audio 40000 RTP/AVP 0\r\n"
			       "a=rtpmap:0 PCMU/8000\r\n"
			       "a=curr:qos e2e none\r\n"
			       "a=des:qos mandatory e2e sendrecv\r\n");
	ck_assert_line(sdp1, "a=curr:qos e2e none");
	ck_assert_line(sdp1, "a=des:qos mandatory e2e sendrecv");
	ck_assert(!strstr(sdp1, "a=conf"));
	ROW(a, E2E, SEND, false, MANDATORY, false, false);
	ROW(a, E2E, RECV, false, MANDATORY, false, false);
	ck_assert(!sdp_precond_met(&a->pc));

	/* B receives it: same table from its side */
	ans = ua_recv_offer(b, sdp1);
	ROW(b, E2E, SEND, false, MANDATORY, false, false);
	ROW(b, E2E, RECV, false, MANDATORY, false, false);
	ck_assert(!sdp_precond_met(&b->pc));
	ck_assert(!sdp_precond_failed(&b->pc));

	/* SDP2: B's answer (183), asking for confirmation of its recv direction */
	sdp_precond_request_confirm(&b->pc, 0, SDP_PC_E2E, SDP_PC_DIR_RECV);
	sdp2 = ua_answer_finish(b, ans);
	ck_assert_str_eq(sdp2, "v=0\r\n"
			       "o=bob 1000 1 IN IP4 192.0.2.4\r\n"
			       "s=-\r\n"
			       "c=IN IP4 192.0.2.4\r\n"
			       "t=0 0\r\n"
			       "m=audio 30000 RTP/AVP 0\r\n"
			       "a=rtpmap:0 PCMU/8000\r\n"
			       "a=curr:qos e2e none\r\n"
			       "a=des:qos mandatory e2e sendrecv\r\n"
			       "a=conf:qos e2e recv\r\n"
			       "a=sendrecv\r\n");
	ck_assert_line(sdp2, "a=curr:qos e2e none");
	ck_assert_line(sdp2, "a=des:qos mandatory e2e sendrecv");
	ck_assert_line(sdp2, "a=conf:qos e2e recv");
	ROW(b, E2E, RECV, false, MANDATORY, false, true);

	/* A: B's recv is A's send, so A owes a confirmation for its send row */
	ua_recv_answer(a, sdp2);
	ROW(a, E2E, SEND, false, MANDATORY, true, false);
	ROW(a, E2E, RECV, false, MANDATORY, false, false);
	ck_assert(!sdp_precond_confirm_due(&a->pc));
	/* A's reservation for sending completes */
	sdp_precond_set_local_current(&a->pc, 0, SDP_PC_DIR_SEND, true);
	ck_assert(sdp_precond_confirm_due(&a->pc));

	/* SDP3: A's UPDATE offer */
	sdp3 = ua_offer(a);
	ck_assert_line(sdp3, "o=alice 1000 2 IN IP4 192.0.2.1");
	ck_assert_line(sdp3, "a=curr:qos e2e send");
	ck_assert_line(sdp3, "a=des:qos mandatory e2e sendrecv");
	ck_assert(!strstr(sdp3, "a=conf"));
	ck_assert(!sdp_precond_confirm_due(&a->pc));
	ROW(a, E2E, SEND, true, MANDATORY, false, false);

	/* B: its recv is now reserved; its own send too once its reservation completes */
	ans = ua_recv_offer(b, sdp3);
	ROW(b, E2E, RECV, true, MANDATORY, false, true);
	ROW(b, E2E, SEND, false, MANDATORY, false, false);
	ck_assert(!sdp_precond_met(&b->pc));
	sdp_precond_set_local_current(&b->pc, 0, SDP_PC_DIR_SEND, true);
	ck_assert(sdp_precond_met(&b->pc));

	/* SDP4: B's answer in the 200 OK (UPDATE): B may now alert */
	sdp4 = ua_answer_finish(b, ans);
	ck_assert_line(sdp4, "o=bob 1000 2 IN IP4 192.0.2.4");
	ck_assert_line(sdp4, "a=curr:qos e2e sendrecv");
	ck_assert_line(sdp4, "a=des:qos mandatory e2e sendrecv");
	ck_assert(!strstr(sdp4, "a=conf"));

	ua_recv_answer(a, sdp4);
	ROW(a, E2E, SEND, true, MANDATORY, false, false);
	ROW(a, E2E, RECV, true, MANDATORY, false, false);
	ck_assert(sdp_precond_met(&a->pc));
}
END_TEST

/* RFC 3312 §13.2 (segmented status): each side reserves its own access segment. */
START_TEST(test_rfc3312_segmented_flow)
{
	struct ua *a = ua_alloc("alice", "192.0.2.1", 40000);
	struct ua *b = ua_alloc("bob", "192.0.2.4", 30000);
	struct sdp_session *ans;
	char *sdp1, *sdp2, *sdp3, *sdp4;

	sdp_precond_set_desired(&a->pc, 0, SDP_PC_LOCAL, SDP_PC_DIR_SENDRECV, SDP_PC_STR_MANDATORY);
	sdp_precond_set_desired(&a->pc, 0, SDP_PC_REMOTE, SDP_PC_DIR_SENDRECV, SDP_PC_STR_MANDATORY);
	sdp1 = ua_offer(a);
	ck_assert_line(sdp1, "a=curr:qos local none");
	ck_assert_line(sdp1, "a=curr:qos remote none");
	ck_assert_line(sdp1, "a=des:qos mandatory local sendrecv");
	ck_assert_line(sdp1, "a=des:qos mandatory remote sendrecv");
	ck_assert(!strstr(sdp1, "e2e"));

	ans = ua_recv_offer(b, sdp1);
	ROW(b, LOCAL, SEND, false, MANDATORY, false, false);
	ROW(b, REMOTE, RECV, false, MANDATORY, false, false);
	sdp_precond_request_confirm(&b->pc, 0, SDP_PC_REMOTE, SDP_PC_DIR_SENDRECV);
	sdp2 = ua_answer_finish(b, ans);
	ck_assert_line(sdp2, "a=curr:qos local none");
	ck_assert_line(sdp2, "a=curr:qos remote none");
	ck_assert_line(sdp2, "a=des:qos mandatory local sendrecv");
	ck_assert_line(sdp2, "a=des:qos mandatory remote sendrecv");
	ck_assert_line(sdp2, "a=conf:qos remote sendrecv");

	/* B's "remote" is A's "local": A owes confirmation of its own segment */
	ua_recv_answer(a, sdp2);
	ROW(a, LOCAL, SEND, false, MANDATORY, true, false);
	ROW(a, LOCAL, RECV, false, MANDATORY, true, false);
	ROW(a, REMOTE, SEND, false, MANDATORY, false, false);
	sdp_precond_set_local_current(&a->pc, 0, SDP_PC_DIR_SENDRECV, true);
	ck_assert(sdp_precond_confirm_due(&a->pc));
	ck_assert(!sdp_precond_met(&a->pc));

	sdp3 = ua_offer(a);
	ck_assert_line(sdp3, "a=curr:qos local sendrecv");
	ck_assert_line(sdp3, "a=curr:qos remote none");
	ck_assert_line(sdp3, "a=des:qos mandatory local sendrecv");
	ck_assert_line(sdp3, "a=des:qos mandatory remote sendrecv");

	ans = ua_recv_offer(b, sdp3);
	/* B's confirmation request is satisfied: it is no longer written (see sdp4) */
	ROW(b, REMOTE, SEND, true, MANDATORY, false, true);
	ROW(b, REMOTE, RECV, true, MANDATORY, false, true);
	ck_assert(!sdp_precond_met(&b->pc));
	sdp_precond_set_local_current(&b->pc, 0, SDP_PC_DIR_SENDRECV, true);
	ck_assert(sdp_precond_met(&b->pc));
	sdp4 = ua_answer_finish(b, ans);
	ck_assert_line(sdp4, "a=curr:qos local sendrecv");
	ck_assert_line(sdp4, "a=curr:qos remote sendrecv");
	ck_assert(!strstr(sdp4, "a=conf"));

	ua_recv_answer(a, sdp4);
	ROW(a, REMOTE, SEND, true, MANDATORY, false, false);
	ROW(a, REMOTE, RECV, true, MANDATORY, false, false);
	ck_assert(sdp_precond_met(&a->pc));
}
END_TEST

/* IMS: the UE offers with only its own segment mandatory; the MGCF (MGW side ready)
 * upgrades its segment to mandatory and asks the UE to confirm (shared/docs/standards.md §5.3). */
START_TEST(test_ims_ue_to_mgcf)
{
	static const char ue_offer[] =
		"v=0\r\no=ue 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n"
		"m=audio 30000 RTP/AVP 0\r\n"
		"a=curr:qos local none\r\na=curr:qos remote none\r\n"
		"a=des:qos mandatory local sendrecv\r\na=des:qos none remote sendrecv\r\n";
	static const char ue_update[] =
		"v=0\r\no=ue 1 2 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n"
		"m=audio 30000 RTP/AVP 0\r\n"
		"a=curr:qos local sendrecv\r\na=curr:qos remote sendrecv\r\n"
		"a=des:qos mandatory local sendrecv\r\na=des:qos mandatory remote sendrecv\r\n";
	struct ua *mgcf = ua_alloc("mgcf", "192.0.2.10", 16000);
	struct sdp_session *ans;
	char *sdp;

	ans = ua_recv_offer(mgcf, ue_offer);
	ROW(mgcf, REMOTE, SEND, false, MANDATORY, false, false);
	ROW(mgcf, LOCAL, SEND, false, NONE, false, false);
	sdp_precond_set_desired(&mgcf->pc, 0, SDP_PC_LOCAL, SDP_PC_DIR_SENDRECV, SDP_PC_STR_MANDATORY);
	sdp_precond_set_local_current(&mgcf->pc, 0, SDP_PC_DIR_SENDRECV, true);
	sdp_precond_request_confirm(&mgcf->pc, 0, SDP_PC_REMOTE, SDP_PC_DIR_SENDRECV);
	sdp = ua_answer_finish(mgcf, ans);
	ck_assert_line(sdp, "a=curr:qos local sendrecv");
	ck_assert_line(sdp, "a=curr:qos remote none");
	ck_assert_line(sdp, "a=des:qos mandatory local sendrecv");
	ck_assert_line(sdp, "a=des:qos mandatory remote sendrecv");
	ck_assert_line(sdp, "a=conf:qos remote sendrecv");
	ck_assert(!sdp_precond_met(&mgcf->pc));

	/* the UE's UPDATE: its bearer is up -> COT (or IAM) */
	ans = ua_recv_offer(mgcf, ue_update);
	ck_assert(sdp_precond_met(&mgcf->pc));
	sdp = ua_answer_finish(mgcf, ans);
	ck_assert_line(sdp, "a=curr:qos remote sendrecv");
	ck_assert(!strstr(sdp, "a=conf"));
}
END_TEST

/* RFC 3312 §5: when offer and answer disagree the stronger strength is kept. */
static const struct {
	enum sdp_pc_strength a, b, out;
} stronger_table[] = {
	{ SDP_PC_STR_NONE, SDP_PC_STR_NONE, SDP_PC_STR_NONE },
	{ SDP_PC_STR_NONE, SDP_PC_STR_OPTIONAL, SDP_PC_STR_OPTIONAL },
	{ SDP_PC_STR_NONE, SDP_PC_STR_MANDATORY, SDP_PC_STR_MANDATORY },
	{ SDP_PC_STR_OPTIONAL, SDP_PC_STR_NONE, SDP_PC_STR_OPTIONAL },
	{ SDP_PC_STR_OPTIONAL, SDP_PC_STR_OPTIONAL, SDP_PC_STR_OPTIONAL },
	{ SDP_PC_STR_OPTIONAL, SDP_PC_STR_MANDATORY, SDP_PC_STR_MANDATORY },
	{ SDP_PC_STR_MANDATORY, SDP_PC_STR_NONE, SDP_PC_STR_MANDATORY },
	{ SDP_PC_STR_MANDATORY, SDP_PC_STR_OPTIONAL, SDP_PC_STR_MANDATORY },
	{ SDP_PC_STR_MANDATORY, SDP_PC_STR_MANDATORY, SDP_PC_STR_MANDATORY },
	{ SDP_PC_STR_MANDATORY, SDP_PC_STR_FAILURE, SDP_PC_STR_FAILURE },
	{ SDP_PC_STR_FAILURE, SDP_PC_STR_NONE, SDP_PC_STR_FAILURE },
	{ SDP_PC_STR_OPTIONAL, SDP_PC_STR_UNKNOWN, SDP_PC_STR_OPTIONAL },
};

START_TEST(test_stronger_table)
{
	ck_assert_int_eq(sdp_pc_stronger(stronger_table[_i].a, stronger_table[_i].b), stronger_table[_i].out);
}
END_TEST

#define PC_HDR "v=0\r\no=x 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 30000 RTP/AVP 0\r\n"

START_TEST(test_strength_upgrade_from_peer)
{
	struct ua *u = ua_alloc("u", "192.0.2.1", 1000);

	sdp_precond_set_desired(&u->pc, 0, SDP_PC_E2E, SDP_PC_DIR_SENDRECV, SDP_PC_STR_OPTIONAL);
	ua_recv_answer(u, PC_HDR "a=curr:qos e2e none\r\na=des:qos mandatory e2e send\r\na=des:qos none e2e recv\r\n");
	/* the peer's send is our recv */
	ROW(u, E2E, RECV, false, MANDATORY, false, false);
	ROW(u, E2E, SEND, false, OPTIONAL, false, false);
	ck_assert_line(ua_offer(u), "a=des:qos optional e2e send");
	ck_assert_line(ua_offer(u), "a=des:qos mandatory e2e recv");
	/* optional rows do not block */
	sdp_precond_set_local_current(&u->pc, 0, SDP_PC_DIR_RECV, true);
	ck_assert(sdp_precond_met(&u->pc));
}
END_TEST

START_TEST(test_direction_mirroring)
{
	struct ua *u = ua_alloc("u", "192.0.2.1", 1000);

	ck_assert_int_eq(sdp_pc_status_mirror(SDP_PC_LOCAL), SDP_PC_REMOTE);
	ck_assert_int_eq(sdp_pc_status_mirror(SDP_PC_E2E), SDP_PC_E2E);
	ck_assert_int_eq(sdp_pc_dir_mirror(SDP_PC_DIR_SEND), SDP_PC_DIR_RECV);
	ck_assert_int_eq(sdp_pc_dir_mirror(SDP_PC_DIR_SENDRECV), SDP_PC_DIR_SENDRECV);
	ck_assert_int_eq(sdp_pc_dir_mirror(SDP_PC_DIR_NONE), SDP_PC_DIR_NONE);

	/* the peer's own segment, sending ready: our remote segment, receiving ready */
	ua_recv_answer(u, PC_HDR "a=curr:qos local send\r\na=curr:qos remote recv\r\n"
				 "a=des:qos mandatory remote recv\r\na=conf:qos remote recv\r\n");
	ROW(u, REMOTE, RECV, true, NONE, false, false);
	ROW(u, REMOTE, SEND, false, NONE, false, false);
	/* its view of our segment is ignored for current status, not for what it asks */
	ROW(u, LOCAL, SEND, false, MANDATORY, true, false);
	ROW(u, LOCAL, RECV, false, NONE, false, false);

	/* the peer's segment status may go down again */
	ua_recv_answer(u, PC_HDR "a=curr:qos local none\r\n");
	ROW(u, REMOTE, RECV, false, NONE, false, false);
}
END_TEST

START_TEST(test_failure_and_unknown)
{
	struct ua *u = ua_alloc("u", "192.0.2.1", 1000);
	struct sdp_session *s;
	char *text;

	/* the peer reports a failed precondition: 580, and our SDP says failure */
	sdp_precond_set_desired(&u->pc, 0, SDP_PC_E2E, SDP_PC_DIR_SENDRECV, SDP_PC_STR_MANDATORY);
	ua_recv_answer(u, PC_HDR "a=curr:qos e2e none\r\na=des:qos failure e2e sendrecv\r\n");
	ck_assert(sdp_precond_failed(&u->pc));
	ck_assert(!sdp_precond_met(&u->pc));
	s = talloc_zero(sdp_ctx, struct sdp_session);
	ck_assert_int_eq(sdp_offer(s, &u->caps, &u->lo, false, SDP_DIR_UNSPEC), 0);
	ck_assert_int_eq(sdp_precond_write(&u->pc, s, true), 0);
	text = sdp_build_str(s);
	ck_assert_line(text, "a=des:qos failure e2e sendrecv");

	/* "unknown" on a mandatory row cannot be met */
	u = ua_alloc("u", "192.0.2.1", 1000);
	sdp_precond_set_desired(&u->pc, 0, SDP_PC_E2E, SDP_PC_DIR_SENDRECV, SDP_PC_STR_MANDATORY);
	ua_recv_answer(u, PC_HDR "a=des:qos unknown e2e sendrecv\r\n");
	ck_assert(sdp_precond_failed(&u->pc));

	/* ... on an optional one it is just not met */
	u = ua_alloc("u", "192.0.2.1", 1000);
	sdp_precond_set_desired(&u->pc, 0, SDP_PC_E2E, SDP_PC_DIR_SENDRECV, SDP_PC_STR_OPTIONAL);
	ua_recv_answer(u, PC_HDR "a=des:qos unknown e2e sendrecv\r\n");
	ck_assert(!sdp_precond_failed(&u->pc));
	ck_assert(sdp_precond_met(&u->pc));

	/* an unknown precondition type is noted, not used */
	u = ua_alloc("u", "192.0.2.1", 1000);
	ua_recv_answer(u, PC_HDR "a=des:foo optional e2e sendrecv\r\n");
	ck_assert(u->pc.s[0].unknown_type);
	ck_assert(!sdp_precond_in_use(&u->pc));
	ck_assert(sdp_precond_met(&u->pc));
	ck_assert(!sdp_precond_failed(&u->pc));
	/* ... unless the peer makes it mandatory (RFC 3312 §9): 580 */
	ua_recv_answer(u, PC_HDR "a=des:foo mandatory e2e sendrecv\r\n");
	ck_assert(sdp_precond_failed(&u->pc));
	ck_assert(!sdp_precond_met(&u->pc));
}
END_TEST

START_TEST(test_no_preconditions)
{
	struct ua *u = ua_alloc("u", "192.0.2.1", 1000);
	char *text;

	ua_recv_answer(u, PC_HDR);
	ck_assert(!sdp_precond_in_use(&u->pc));
	ck_assert(sdp_precond_met(&u->pc));
	ck_assert(!sdp_precond_failed(&u->pc));
	text = ua_offer(u);
	ck_assert(!strstr(text, "a=curr"));
	ck_assert(!strstr(text, "a=des"));

	/* a rejected stream drops its preconditions */
	sdp_precond_set_desired(&u->pc, 0, SDP_PC_E2E, SDP_PC_DIR_SENDRECV, SDP_PC_STR_MANDATORY);
	ck_assert(!sdp_precond_met(&u->pc));
	ua_recv_answer(u, "v=0\r\no=x 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n"
			  "m=audio 0 RTP/AVP 0\r\n");
	ck_assert(!sdp_precond_in_use(&u->pc));
	ck_assert(sdp_precond_met(&u->pc));

	ck_assert_int_eq(sdp_precond_set_desired(&u->pc, SDP_MAX_MEDIA, SDP_PC_E2E, SDP_PC_DIR_SEND,
						 SDP_PC_STR_MANDATORY), -EINVAL);
	ck_assert_int_eq(sdp_precond_set_desired(&u->pc, 0, SDP_PC_E2E, SDP_PC_DIR_SEND, SDP_PC_STR_UNKNOWN),
			 -EINVAL);
}
END_TEST

/* Two streams: the session is met only when both are. */
START_TEST(test_two_streams)
{
	struct ua *u = ua_alloc("u", "192.0.2.1", 1000);
	struct sdp_session *ans;
	char *text;

	ans = ua_recv_offer(u, "v=0\r\no=x 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n"
			       "m=audio 30000 RTP/AVP 0\r\na=curr:qos e2e none\r\na=des:qos mandatory e2e sendrecv\r\n"
			       "m=audio 30002 RTP/AVP 0\r\na=curr:qos e2e sendrecv\r\n"
			       "a=des:qos mandatory e2e sendrecv\r\n");
	ck_assert_uint_eq(u->pc.num_streams, 2);
	ck_assert(!sdp_precond_met(&u->pc));
	sdp_precond_set_local_current(&u->pc, 1, SDP_PC_DIR_SENDRECV, true);
	ck_assert(!sdp_precond_met(&u->pc));
	/* e2e: our reservation covers what we send; the peer reports the other direction */
	sdp_precond_set_local_current(&u->pc, 0, SDP_PC_DIR_SEND, true);
	ck_assert(!sdp_precond_met(&u->pc));
	text = ua_answer_finish(u, ans);
	ck_assert_ptr_nonnull(strstr(text, "m=audio 1000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
					   "a=curr:qos e2e send\r\n"));
	ua_recv_answer(u, "v=0\r\no=x 1 2 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n"
			  "m=audio 30000 RTP/AVP 0\r\na=curr:qos e2e send\r\n"
			  "m=audio 30002 RTP/AVP 0\r\n");
	ck_assert(sdp_precond_met(&u->pc));
}
END_TEST

static Suite *sdp_precond_suite(void)
{
	Suite *s = suite_create("sdp_precond");
	TCase *tc = tcase_create("precond");

	tcase_add_checked_fixture(tc, sdp_test_setup, sdp_test_teardown);
	tcase_add_test(tc, test_rfc3312_e2e_flow);
	tcase_add_test(tc, test_rfc3312_segmented_flow);
	tcase_add_test(tc, test_ims_ue_to_mgcf);
	tcase_add_loop_test(tc, test_stronger_table, 0, ARRAY_SIZE(stronger_table));
	tcase_add_test(tc, test_strength_upgrade_from_peer);
	tcase_add_test(tc, test_direction_mirroring);
	tcase_add_test(tc, test_failure_and_unknown);
	tcase_add_test(tc, test_no_preconditions);
	tcase_add_test(tc, test_two_streams);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return test_run_suite(sdp_precond_suite());
}
