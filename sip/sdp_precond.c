/* Precondition status tables (RFC 3312, RFC 4032). */
#include <errno.h>
#include <string.h>

#include "sip/sdp_precond.h"

/* Rank of the strengths that order (RFC 3312 §5); failure and unknown do not. */
static int strength_rank(enum sdp_pc_strength s)
{
	switch (s) {
	case SDP_PC_STR_NONE:
		return 0;
	case SDP_PC_STR_OPTIONAL:
		return 1;
	case SDP_PC_STR_MANDATORY:
		return 2;
	default:
		return -1;
	}
}

enum sdp_pc_strength sdp_pc_stronger(enum sdp_pc_strength a, enum sdp_pc_strength b)
{
	if (a == SDP_PC_STR_FAILURE || b == SDP_PC_STR_FAILURE)
		return SDP_PC_STR_FAILURE;
	if (b == SDP_PC_STR_UNKNOWN || strength_rank(b) < 0)
		return a;
	if (a == SDP_PC_STR_UNKNOWN || strength_rank(a) < 0)
		return b;
	return strength_rank(a) >= strength_rank(b) ? a : b;
}

enum sdp_pc_status sdp_pc_status_mirror(enum sdp_pc_status s)
{
	switch (s) {
	case SDP_PC_LOCAL:
		return SDP_PC_REMOTE;
	case SDP_PC_REMOTE:
		return SDP_PC_LOCAL;
	case SDP_PC_E2E:
	default:
		return SDP_PC_E2E;
	}
}

enum sdp_pc_dir sdp_pc_dir_mirror(enum sdp_pc_dir d)
{
	unsigned int m = 0;

	if (d & SDP_PC_DIR_SEND)
		m |= SDP_PC_DIR_RECV;
	if (d & SDP_PC_DIR_RECV)
		m |= SDP_PC_DIR_SEND;
	return m;
}

static bool dir_has(enum sdp_pc_dir d, enum sdp_pc_row_idx r)
{
	return d & (r == SDP_PC_ROW_SEND ? SDP_PC_DIR_SEND : SDP_PC_DIR_RECV);
}

void sdp_precond_init(struct sdp_precond *pc)
{
	memset(pc, 0, sizeof(*pc));
}

static bool stream_used(const struct sdp_pc_stream *s)
{
	return s->used[SDP_PC_E2E] || s->used[SDP_PC_LOCAL] || s->used[SDP_PC_REMOTE];
}

bool sdp_precond_in_use(const struct sdp_precond *pc)
{
	unsigned int i;

	for (i = 0; i < pc->num_streams; i++) {
		if (stream_used(&pc->s[i]))
			return true;
	}
	return false;
}

static struct sdp_pc_stream *stream(struct sdp_precond *pc, unsigned int idx)
{
	if (idx >= SDP_MAX_MEDIA)
		return NULL;
	if (idx >= pc->num_streams)
		pc->num_streams = idx + 1;
	return &pc->s[idx];
}

static void use(struct sdp_pc_stream *s, enum sdp_pc_status st)
{
	/* Segmented status always has both segments (RFC 3312 §5) */
	if (st == SDP_PC_E2E) {
		s->used[SDP_PC_E2E] = true;
	} else {
		s->used[SDP_PC_LOCAL] = true;
		s->used[SDP_PC_REMOTE] = true;
	}
}

int sdp_precond_set_desired(struct sdp_precond *pc, unsigned int idx, enum sdp_pc_status st, enum sdp_pc_dir dir,
			    enum sdp_pc_strength strength)
{
	struct sdp_pc_stream *s = stream(pc, idx);
	unsigned int r;

	if (!s || st >= _SDP_PC_STATUS_NUM || strength == SDP_PC_STR_UNKNOWN || strength_rank(strength) < 0)
		return -EINVAL;
	use(s, st);
	for (r = 0; r < 2; r++) {
		if (dir_has(dir, r))
			s->tbl[st].row[r].des = sdp_pc_stronger(s->tbl[st].row[r].des, strength);
	}
	return 0;
}

int sdp_precond_set_local_current(struct sdp_precond *pc, unsigned int idx, enum sdp_pc_dir dir, bool reserved)
{
	struct sdp_pc_stream *s = stream(pc, idx);
	unsigned int r;

	if (!s)
		return -EINVAL;
	for (r = 0; r < 2; r++) {
		if (!dir_has(dir, r))
			continue;
		/* Both are kept even when unused, so a later switch of status type sees them */
		s->tbl[SDP_PC_E2E].row[r].cur = reserved;
		s->tbl[SDP_PC_LOCAL].row[r].cur = reserved;
	}
	return 0;
}

int sdp_precond_request_confirm(struct sdp_precond *pc, unsigned int idx, enum sdp_pc_status st,
				enum sdp_pc_dir dir)
{
	struct sdp_pc_stream *s = stream(pc, idx);
	unsigned int r;

	if (!s || st >= _SDP_PC_STATUS_NUM)
		return -EINVAL;
	for (r = 0; r < 2; r++) {
		if (dir_has(dir, r))
			s->tbl[st].row[r].conf_ours = true;
	}
	return 0;
}

static void update_stream(struct sdp_pc_stream *s, const struct sdp_media *m)
{
	unsigned int i, r;

	for (i = 0; i < m->num_pc; i++) {
		const struct sdp_pc_attr *a = &m->pc[i];
		enum sdp_pc_status st = sdp_pc_status_mirror(a->status);
		enum sdp_pc_dir dir = sdp_pc_dir_mirror(a->dir);
		struct sdp_pc_table *t = &s->tbl[st];

		if (!sdp_str_eq(a->type, "qos")) {
			/* RFC 3312 §9: an unknown precondition type; we cannot meet it if mandatory */
			s->unknown_type = true;
			if (a->kind == SDP_PC_DES && a->strength == SDP_PC_STR_MANDATORY)
				s->unknown_mandatory = true;
			continue;
		}
		use(s, st);
		switch (a->kind) {
		case SDP_PC_CURR:
			if (st == SDP_PC_REMOTE) {
				/* the peer's own segment: it knows best, downgrades included */
				for (r = 0; r < 2; r++)
					t->row[r].cur = dir_has(dir, r);
			} else if (st == SDP_PC_E2E) {
				for (r = 0; r < 2; r++)
					t->row[r].cur |= dir_has(dir, r);
			}
			/* st == LOCAL: the peer's view of our segment; ours is authoritative */
			break;
		case SDP_PC_DES:
			for (r = 0; r < 2; r++) {
				if (!dir_has(dir, r))
					continue;
				if (a->strength == SDP_PC_STR_UNKNOWN)
					t->row[r].unknown = true;
				else
					t->row[r].des = sdp_pc_stronger(t->row[r].des, a->strength);
			}
			break;
		case SDP_PC_CONF:
			for (r = 0; r < 2; r++) {
				if (dir_has(dir, r))
					t->row[r].conf_peer = true;
			}
			break;
		}
	}
}

void sdp_precond_update(struct sdp_precond *pc, const struct sdp_session *remote)
{
	unsigned int i;

	for (i = 0; i < remote->num_media && i < SDP_MAX_MEDIA; i++) {
		struct sdp_pc_stream *s = stream(pc, i);

		if (!remote->media[i].port) {
			/* RFC 3312 §8.1: a rejected stream carries no preconditions */
			memset(s, 0, sizeof(*s));
			continue;
		}
		update_stream(s, &remote->media[i]);
	}
}

static bool row_failed(const struct sdp_pc_row *r)
{
	return r->des == SDP_PC_STR_FAILURE || (r->unknown && r->des == SDP_PC_STR_MANDATORY);
}

static bool stream_failed(const struct sdp_pc_stream *s)
{
	unsigned int st, r;

	if (s->unknown_mandatory)
		return true;
	for (st = 0; st < _SDP_PC_STATUS_NUM; st++) {
		if (!s->used[st])
			continue;
		for (r = 0; r < 2; r++) {
			if (row_failed(&s->tbl[st].row[r]))
				return true;
		}
	}
	return false;
}

bool sdp_precond_failed(const struct sdp_precond *pc)
{
	unsigned int i;

	for (i = 0; i < pc->num_streams; i++) {
		if (stream_failed(&pc->s[i]))
			return true;
	}
	return false;
}

bool sdp_precond_met(const struct sdp_precond *pc)
{
	unsigned int i, st, r;

	if (sdp_precond_failed(pc))
		return false;
	for (i = 0; i < pc->num_streams; i++) {
		const struct sdp_pc_stream *s = &pc->s[i];

		for (st = 0; st < _SDP_PC_STATUS_NUM; st++) {
			if (!s->used[st])
				continue;
			for (r = 0; r < 2; r++) {
				const struct sdp_pc_row *row = &s->tbl[st].row[r];

				if (row->des == SDP_PC_STR_MANDATORY && !row->cur)
					return false;
			}
		}
	}
	return true;
}

bool sdp_precond_confirm_due(const struct sdp_precond *pc)
{
	unsigned int i, st, r;

	for (i = 0; i < pc->num_streams; i++) {
		for (st = 0; st < _SDP_PC_STATUS_NUM; st++) {
			if (!pc->s[i].used[st])
				continue;
			for (r = 0; r < 2; r++) {
				const struct sdp_pc_row *row = &pc->s[i].tbl[st].row[r];

				if (row->conf_peer && row->cur)
					return true;
			}
		}
	}
	return false;
}

static enum sdp_pc_dir rows_mask(const struct sdp_pc_table *t, bool (*pred)(const struct sdp_pc_row *))
{
	unsigned int m = 0;

	if (pred(&t->row[SDP_PC_ROW_SEND]))
		m |= SDP_PC_DIR_SEND;
	if (pred(&t->row[SDP_PC_ROW_RECV]))
		m |= SDP_PC_DIR_RECV;
	return m;
}

static bool row_cur(const struct sdp_pc_row *r)
{
	return r->cur;
}

static bool row_conf_wanted(const struct sdp_pc_row *r)
{
	/* once the row is current there is nothing left to confirm */
	return r->conf_ours && !r->cur;
}

static int add_pc(struct sdp_media *m, struct sdp_pc_attr a)
{
	if (m->num_pc >= SDP_MAX_PRECOND)
		return -EMSGSIZE;
	a.type = SDP_STR("qos");
	m->pc[m->num_pc++] = a;
	return 0;
}

/* Status types in the order RFC 3312's examples write them. */
static const enum sdp_pc_status write_order[] = { SDP_PC_E2E, SDP_PC_LOCAL, SDP_PC_REMOTE };

static int write_stream(struct sdp_pc_stream *s, struct sdp_media *m, bool failure)
{
	bool failed = failure && stream_failed(s);
	unsigned int k, r;
	int rc = 0;

	m->num_pc = 0;
	for (k = 0; k < ARRAY_SIZE(write_order); k++) {
		enum sdp_pc_status st = write_order[k];

		if (s->used[st])
			rc |= add_pc(m, (struct sdp_pc_attr){ .kind = SDP_PC_CURR, .status = st,
							      .dir = rows_mask(&s->tbl[st], row_cur) });
	}
	for (k = 0; k < ARRAY_SIZE(write_order); k++) {
		enum sdp_pc_status st = write_order[k];
		enum sdp_pc_strength ss, sr;

		if (!s->used[st])
			continue;
		ss = failed ? SDP_PC_STR_FAILURE : s->tbl[st].row[SDP_PC_ROW_SEND].des;
		sr = failed ? SDP_PC_STR_FAILURE : s->tbl[st].row[SDP_PC_ROW_RECV].des;
		if (ss == sr) {
			rc |= add_pc(m, (struct sdp_pc_attr){ .kind = SDP_PC_DES, .strength = ss, .status = st,
							      .dir = SDP_PC_DIR_SENDRECV });
		} else {
			rc |= add_pc(m, (struct sdp_pc_attr){ .kind = SDP_PC_DES, .strength = ss, .status = st,
							      .dir = SDP_PC_DIR_SEND });
			rc |= add_pc(m, (struct sdp_pc_attr){ .kind = SDP_PC_DES, .strength = sr, .status = st,
							      .dir = SDP_PC_DIR_RECV });
		}
	}
	for (k = 0; k < ARRAY_SIZE(write_order); k++) {
		enum sdp_pc_status st = write_order[k];
		enum sdp_pc_dir d;

		if (!s->used[st])
			continue;
		d = rows_mask(&s->tbl[st], row_conf_wanted);
		if (d)
			rc |= add_pc(m, (struct sdp_pc_attr){ .kind = SDP_PC_CONF, .status = st, .dir = d });
	}
	if (rc)
		return -EMSGSIZE;
	/* what we now report as current answers the peer's confirmation request */
	for (k = 0; k < _SDP_PC_STATUS_NUM; k++) {
		for (r = 0; r < 2; r++) {
			if (s->tbl[k].row[r].cur)
				s->tbl[k].row[r].conf_peer = false;
		}
	}
	return 0;
}

int sdp_precond_write(struct sdp_precond *pc, struct sdp_session *sdp, bool failure)
{
	unsigned int i;
	int rc;

	for (i = 0; i < sdp->num_media; i++) {
		struct sdp_media *m = &sdp->media[i];

		m->num_pc = 0;
		if (i >= pc->num_streams || !m->port || !stream_used(&pc->s[i]))
			continue;
		rc = write_stream(&pc->s[i], m, failure);
		if (rc)
			return rc;
	}
	return 0;
}
