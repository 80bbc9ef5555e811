/* The SIP stack's hash table: growth with the load, shrinking back, matching by full hash after every resize,
 * removal, and chains shared by entries whose hashes differ only above the bucket mask. */
#include <stdio.h>
#include <string.h>

#include <talloc.h>

#include "sip/sip_htab.h"
#include "testlib.h"

struct ent {
	struct sip_hnode node;
	unsigned int key;
	bool seen;
};

/* a hash of the key with the low bits of many keys alike, so that chains are shared */
static uint32_t key_hash(unsigned int key)
{
	char s[16];

	snprintf(s, sizeof(s), "k%u", key);
	return sip_hash(sip_str_c(s));
}

static struct ent *find(struct sip_htab *t, unsigned int key)
{
	struct ent *e;

	sip_htab_for_each(e, t, key_hash(key), node)
		if (e->key == key)
			return e;
	return NULL;
}

static unsigned int walk_count(const struct sip_htab *t)
{
	unsigned int i, n = 0;
	struct sip_hnode *h;

	for (i = 0; i < sip_htab_buckets(t); i++)
		for (h = t->b[i]; h; h = h->next) {
			/* every node sits in the bucket of its hash, and its back link is right */
			ck_assert_uint_eq(h->hash & t->mask, i);
			ck_assert_ptr_eq(*h->pprev, h);
			n++;
		}
	return n;
}

START_TEST(test_fnv1a_vectors)
{
	/* FNV-1a 32-bit reference values */
	ck_assert_uint_eq(sip_hash(SIP_STR("")), 0x811c9dc5u);
	ck_assert_uint_eq(sip_hash(SIP_STR("a")), 0xe40c292cu);
	ck_assert_uint_eq(sip_hash(SIP_STR("foobar")), 0xbf9cf968u);
}
END_TEST

START_TEST(test_grow_and_match)
{
	enum { N = 20000 };
	struct sip_htab t;
	struct ent *e = talloc_zero_array(test_ctx, struct ent, N);
	unsigned int i, last_buckets;

	ck_assert_int_eq(sip_htab_init(&t, test_ctx, 100), 0);
	ck_assert_uint_eq(sip_htab_buckets(&t), 128);	/* rounded up to a power of two */
	last_buckets = 128;
	for (i = 0; i < N; i++) {
		sip_hnode_init(&e[i].node);
		e[i].key = i;
		sip_htab_add(&t, &e[i].node, key_hash(i));
		/* the load stays at most one entry per bucket */
		ck_assert_uint_le(t.count, sip_htab_buckets(&t));
		ck_assert_uint_ge(sip_htab_buckets(&t), last_buckets);
		last_buckets = sip_htab_buckets(&t);
		/* an early entry is still found after each doubling */
		ck_assert_ptr_eq(find(&t, 0), &e[0]);
	}
	ck_assert_uint_eq(sip_htab_buckets(&t), 32768);
	ck_assert_uint_eq(walk_count(&t), N);
	for (i = 0; i < N; i++)
		ck_assert_ptr_eq(find(&t, i), &e[i]);
	ck_assert_ptr_null(find(&t, N));
	sip_htab_fini(&t);
	talloc_free(e);
}
END_TEST

START_TEST(test_del_and_shrink)
{
	enum { N = 5000 };
	struct sip_htab t;
	struct ent *e = talloc_zero_array(test_ctx, struct ent, N);
	struct ent extra[4];
	unsigned int i;

	ck_assert_int_eq(sip_htab_init(&t, test_ctx, 16), 0);
	for (i = 0; i < N; i++) {
		sip_hnode_init(&e[i].node);
		e[i].key = i;
		sip_htab_add(&t, &e[i].node, key_hash(i));
	}
	ck_assert_uint_eq(sip_htab_buckets(&t), 8192);
	/* removal never resizes (a caller may be walking a chain) */
	for (i = 0; i < N; i += 2) {
		sip_htab_del(&t, &e[i].node);
		ck_assert(!sip_hnode_linked(&e[i].node));
	}
	sip_htab_del(&t, &e[0].node);	/* not in the table: no-op */
	ck_assert_uint_eq(t.count, N / 2);
	ck_assert_uint_eq(sip_htab_buckets(&t), 8192);
	for (i = 0; i < N; i++)
		ck_assert_ptr_eq(find(&t, i), i % 2 ? &e[i] : NULL);
	for (i = 1; i < N - 20; i += 2)
		sip_htab_del(&t, &e[i].node);
	ck_assert_uint_eq(t.count, 10);
	/* the next insertions halve the table, one step each, down to the initial size */
	for (i = 0; i < 4; i++) {
		sip_hnode_init(&extra[i].node);
		extra[i].key = N + i;
		sip_htab_add(&t, &extra[i].node, key_hash(N + i));
	}
	ck_assert_uint_eq(sip_htab_buckets(&t), 512);
	ck_assert_uint_eq(walk_count(&t), 14);
	for (i = N - 19; i < N; i += 2)
		ck_assert_ptr_eq(find(&t, i), &e[i]);
	for (i = 0; i < 4; i++)
		ck_assert_ptr_eq(find(&t, N + i), &extra[i]);
	sip_htab_fini(&t);
	talloc_free(e);
}
END_TEST

START_TEST(test_same_hash_and_same_bucket)
{
	struct sip_htab t;
	struct ent e[6];
	struct ent *p;
	unsigned int i, n = 0;

	ck_assert_int_eq(sip_htab_init(&t, test_ctx, 16), 0);
	/* 0-2 share one full hash; 3-5 differ from it only above the mask: one chain, two hashes */
	for (i = 0; i < 6; i++) {
		sip_hnode_init(&e[i].node);
		e[i].key = i;
		e[i].seen = false;
		sip_htab_add(&t, &e[i].node, i < 3 ? 0x1005u : 0x1005u + (i << 16));
	}
	sip_htab_for_each(p, &t, 0x1005u, node) {
		ck_assert_uint_lt(p->key, 3);
		ck_assert(!p->seen);
		p->seen = true;
		n++;
	}
	ck_assert_uint_eq(n, 3);
	n = 0;
	sip_htab_for_each(p, &t, 0x1005u + (4 << 16), node) {
		ck_assert_uint_eq(p->key, 4);
		n++;
	}
	ck_assert_uint_eq(n, 1);
	ck_assert_ptr_null(sip_htab_first(&t, 0x2005u));
	/* removing the middle of a chain keeps the rest */
	sip_htab_del(&t, &e[1].node);
	n = 0;
	sip_htab_for_each(p, &t, 0x1005u, node)
		n++;
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(walk_count(&t), 5);
	sip_htab_fini(&t);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("sip_htab");
	TCase *tc = tcase_create("htab");

	tcase_add_checked_fixture(tc, test_setup, test_teardown);
	tcase_add_test(tc, test_fnv1a_vectors);
	tcase_add_test(tc, test_grow_and_match);
	tcase_add_test(tc, test_del_and_shrink);
	tcase_add_test(tc, test_same_hash_and_same_bucket);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return test_run_suite(suite());
}
