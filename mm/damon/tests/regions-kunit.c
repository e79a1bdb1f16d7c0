// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the DAMON region code: setting regions from address
 * ranges, the access counters, ageing, and the adaptive splitting and
 * merging of regions.
 *
 * Besides hand-checked cases, two randomised cases drive long sequences of
 * operations from a fixed-seed generator and verify the layout invariants
 * after every single step, so that a broken step is reported where it
 * happens rather than where its damage becomes visible.
 */

#include <kunit/test.h>
#include <linux/prandom.h>

#include "../core.h"

#define BP	DAMON_BP_PER_ACCESS

KUNIT_DEFINE_ACTION_WRAPPER(damon_test_destroy_ctx, damon_destroy_ctx,
			    struct damon_ctx *);

/* A context that is freed, with its targets, when the test case ends. */
static struct damon_ctx *damon_test_new_ctx(struct kunit *test)
{
	struct damon_ctx *ctx = damon_new_ctx();

	KUNIT_ASSERT_NOT_NULL(test, ctx);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							damon_test_destroy_ctx, ctx), 0);
	return ctx;
}

/* Add a region for each of @nr sorted @ranges to @t. */
static void damon_test_add_regions(struct kunit *test, struct damon_target *t,
				   const struct damon_addr_range *ranges,
				   unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++) {
		struct damon_region *r = damon_new_region(ranges[i].start,
							  ranges[i].end);

		KUNIT_ASSERT_NOT_NULL(test, r);
		damon_add_region(r, t);
	}
}

/* A new target of @ctx holding one region per entry of @ranges. */
static struct damon_target *damon_test_add_target(struct kunit *test,
						  struct damon_ctx *ctx,
						  const struct damon_addr_range *ranges,
						  unsigned int nr)
{
	struct damon_target *t = damon_new_target();

	KUNIT_ASSERT_NOT_NULL(test, t);
	damon_add_target(ctx, t);
	damon_test_add_regions(test, t, ranges, nr);
	return t;
}

static struct damon_region *damon_test_nth_region(struct damon_target *t,
						  unsigned int n)
{
	struct damon_region *r;

	damon_for_each_region(r, t) {
		if (!n--)
			return r;
	}
	return NULL;
}

static void damon_test_set_results(struct damon_region *r, unsigned int nr,
				   unsigned int last, unsigned int age)
{
	r->nr_accesses = nr;
	r->nr_accesses_bp = nr * BP;
	r->last_nr_accesses = last;
	r->age = age;
}

/*
 * Widen each of @nr sorted ranges to @align and coalesce the ones that
 * overlap or touch, into @out (room for @nr entries).  Regions cover a
 * union, so this is the form in which their coverage is compared.
 */
static unsigned int damon_test_aligned_union(const struct damon_addr_range *in,
					     unsigned int nr, unsigned long align,
					     struct damon_addr_range *out)
{
	unsigned int i, nr_out = 0;

	for (i = 0; i < nr; i++) {
		unsigned long start = ALIGN_DOWN(in[i].start, align);
		unsigned long end = ALIGN(in[i].end, align);

		if (nr_out && out[nr_out - 1].end >= start) {
			out[nr_out - 1].end = max(out[nr_out - 1].end, end);
			continue;
		}
		out[nr_out].start = start;
		out[nr_out].end = end;
		nr_out++;
	}
	return nr_out;
}

/* Compare one run of contiguous regions with the expected @idx-th range. */
static bool damon_test_check_run(struct kunit *test,
				 const struct damon_addr_range *want,
				 unsigned int nr_want, unsigned int idx,
				 unsigned long start, unsigned long end)
{
	if (idx >= nr_want) {
		KUNIT_FAIL(test, "extra covered range [%lu, %lu)", start, end);
		return false;
	}
	if (want[idx].start != start || want[idx].end != end) {
		KUNIT_FAIL(test, "covered range %u is [%lu, %lu), want [%lu, %lu)",
			   idx, start, end, want[idx].start, want[idx].end);
		return false;
	}
	return true;
}

/*
 * Check the invariants of the regions of @t: sorted, non-overlapping,
 * aligned to @min_sz and not smaller than it, counted right, and their
 * union exactly the coalesced ranges @want.  Reports the first violation.
 */
static bool damon_test_check_layout(struct kunit *test, struct damon_target *t,
				    const struct damon_addr_range *want,
				    unsigned int nr_want, unsigned long min_sz)
{
	unsigned long run_start = 0, prev_end = 0;
	unsigned int nr = 0, run = 0;
	struct damon_region *r;

	damon_for_each_region(r, t) {
		if (r->ar.end <= r->ar.start || damon_sz_region(r) < min_sz ||
		    r->ar.start % min_sz || r->ar.end % min_sz) {
			KUNIT_FAIL(test, "bad region [%lu, %lu) for size unit %lu",
				   r->ar.start, r->ar.end, min_sz);
			return false;
		}
		if (nr && r->ar.start < prev_end) {
			KUNIT_FAIL(test, "region [%lu, %lu) overlaps or precedes one ending at %lu",
				   r->ar.start, r->ar.end, prev_end);
			return false;
		}
		if (nr && r->ar.start != prev_end) {
			if (!damon_test_check_run(test, want, nr_want, run++,
						  run_start, prev_end))
				return false;
		}
		if (!nr || r->ar.start != prev_end)
			run_start = r->ar.start;
		prev_end = r->ar.end;
		nr++;
	}
	if (nr && !damon_test_check_run(test, want, nr_want, run++, run_start,
					prev_end))
		return false;
	if (run != nr_want) {
		KUNIT_FAIL(test, "%u covered ranges, want %u", run, nr_want);
		return false;
	}
	if (nr != damon_nr_regions(t)) {
		KUNIT_FAIL(test, "%u regions listed but nr_regions is %u", nr,
			   damon_nr_regions(t));
		return false;
	}
	return true;
}

static void damon_test_expect_region(struct kunit *test, struct damon_region *r,
				     unsigned long start, unsigned long end)
{
	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_EXPECT_EQ(test, r->ar.start, start);
	KUNIT_EXPECT_EQ(test, r->ar.end, end);
}

static void damon_test_new_add_destroy_region(struct kunit *test)
{
	struct damon_ctx *ctx = damon_test_new_ctx(test);
	struct damon_target *t = damon_test_add_target(test, ctx, NULL, 0);
	struct damon_region *r, *r2;

	r = damon_new_region(1, 2);
	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_EXPECT_EQ(test, r->ar.start, 1ul);
	KUNIT_EXPECT_EQ(test, r->ar.end, 2ul);
	KUNIT_EXPECT_EQ(test, r->nr_accesses, 0u);
	KUNIT_EXPECT_EQ(test, r->nr_accesses_bp, 0u);
	KUNIT_EXPECT_EQ(test, r->last_nr_accesses, 0u);
	KUNIT_EXPECT_EQ(test, r->age, 0u);

	KUNIT_EXPECT_EQ(test, damon_nr_regions(t), 0u);
	damon_add_region(r, t);
	KUNIT_EXPECT_EQ(test, damon_nr_regions(t), 1u);

	r2 = damon_new_region(3, 4);
	KUNIT_ASSERT_NOT_NULL(test, r2);
	damon_add_region(r2, t);
	KUNIT_EXPECT_EQ(test, damon_nr_regions(t), 2u);
	KUNIT_EXPECT_PTR_EQ(test, damon_first_region(t), r);
	KUNIT_EXPECT_PTR_EQ(test, damon_last_region(t), r2);

	damon_destroy_region(r, t);
	KUNIT_EXPECT_EQ(test, damon_nr_regions(t), 1u);
	KUNIT_EXPECT_PTR_EQ(test, damon_first_region(t), r2);
	damon_destroy_region(r2, t);
	KUNIT_EXPECT_EQ(test, damon_nr_regions(t), 0u);
	KUNIT_EXPECT_TRUE(test, list_empty(&t->regions_list));
}

static void damon_test_split_region_at(struct kunit *test)
{
	struct damon_addr_range ars[] = { { 0, 100 }, { 200, 300 } };
	struct damon_ctx *ctx = damon_test_new_ctx(test);
	struct damon_target *t = damon_test_add_target(test, ctx, ars, 2);
	struct damon_region *r = damon_first_region(t), *right;

	damon_test_set_results(r, 7, 5, 3);
	r->nr_accesses_bp = 65000;
	damon_split_region_at(t, r, 25);

	KUNIT_ASSERT_EQ(test, damon_nr_regions(t), 3u);
	damon_test_expect_region(test, r, 0, 25);
	right = damon_next_region(r);
	damon_test_expect_region(test, right, 25, 100);
	KUNIT_EXPECT_EQ(test, right->nr_accesses, 7u);
	KUNIT_EXPECT_EQ(test, right->nr_accesses_bp, 65000u);
	KUNIT_EXPECT_EQ(test, right->last_nr_accesses, 5u);
	KUNIT_EXPECT_EQ(test, right->age, 3u);
	/* the left part keeps its results too */
	KUNIT_EXPECT_EQ(test, r->nr_accesses, 7u);
	KUNIT_EXPECT_EQ(test, r->age, 3u);
	damon_test_expect_region(test, damon_next_region(right), 200, 300);
}

/* Unaligned ranges are widened: starts down, ends up. */
static void damon_test_set_regions_alignment(struct kunit *test)
{
	struct damon_addr_range one[] = { { 0x1234, 0x5678 } };
	struct damon_addr_range two[] = {
		{ 0x11100, 0x12100 }, { 0x15f00, 0x17001 },
	};
	/* both widen to [0x20000, 0x21000): the union is one page */
	struct damon_addr_range touch[] = {
		{ 0x20100, 0x20200 }, { 0x20300, 0x20400 },
	};
	struct damon_addr_range want[2];
	struct damon_ctx *ctx = damon_test_new_ctx(test);
	struct damon_target *t = damon_test_add_target(test, ctx, NULL, 0);

	KUNIT_ASSERT_EQ(test, damon_set_regions(t, one, 1, 0x1000), 0);
	KUNIT_EXPECT_EQ(test, damon_nr_regions(t), 1u);
	damon_test_expect_region(test, damon_first_region(t), 0x1000, 0x6000);

	KUNIT_ASSERT_EQ(test, damon_set_regions(t, two, 2, 0x1000), 0);
	want[0] = (struct damon_addr_range){ 0x11000, 0x13000 };
	want[1] = (struct damon_addr_range){ 0x15000, 0x18000 };
	KUNIT_EXPECT_TRUE(test, damon_test_check_layout(test, t, want, 2, 0x1000));

	KUNIT_ASSERT_EQ(test, damon_set_regions(t, touch, 2, 0x1000), 0);
	want[0] = (struct damon_addr_range){ 0x20000, 0x21000 };
	KUNIT_EXPECT_TRUE(test, damon_test_check_layout(test, t, want, 1, 0x1000));

	/* an alignment of 1 takes the ranges as they are */
	KUNIT_ASSERT_EQ(test, damon_set_regions(t, one, 1, 1), 0);
	want[0] = one[0];
	KUNIT_EXPECT_TRUE(test, damon_test_check_layout(test, t, want, 1, 1));
}

/* Overlapping regions are trimmed and keep their results; gaps are new. */
static void damon_test_set_regions_keep_results(struct kunit *test)
{
	struct damon_addr_range old[] = {
		{ 0, 10 }, { 10, 20 }, { 20, 30 }, { 30, 40 }, { 60, 70 },
	};
	struct damon_addr_range ranges[] = { { 5, 15 }, { 25, 55 } };
	struct damon_ctx *ctx = damon_test_new_ctx(test);
	struct damon_target *t = damon_test_add_target(test, ctx, old, 5);
	struct damon_region *r;
	unsigned int i = 0;

	damon_for_each_region(r, t) {
		i++;
		damon_test_set_results(r, i, 10 + i, 20 + i);
	}
	KUNIT_ASSERT_EQ(test, damon_set_regions(t, ranges, 2, 1), 0);
	KUNIT_ASSERT_EQ(test, damon_nr_regions(t), 5u);

	r = damon_test_nth_region(t, 0);
	damon_test_expect_region(test, r, 5, 10);
	KUNIT_EXPECT_EQ(test, r->nr_accesses, 1u);
	KUNIT_EXPECT_EQ(test, r->nr_accesses_bp, 1u * BP);
	KUNIT_EXPECT_EQ(test, r->last_nr_accesses, 11u);
	KUNIT_EXPECT_EQ(test, r->age, 21u);
	r = damon_test_nth_region(t, 1);
	damon_test_expect_region(test, r, 10, 15);
	KUNIT_EXPECT_EQ(test, r->nr_accesses, 2u);
	KUNIT_EXPECT_EQ(test, r->age, 22u);
	r = damon_test_nth_region(t, 2);
	damon_test_expect_region(test, r, 25, 30);
	KUNIT_EXPECT_EQ(test, r->nr_accesses, 3u);
	KUNIT_EXPECT_EQ(test, r->last_nr_accesses, 13u);
	r = damon_test_nth_region(t, 3);
	damon_test_expect_region(test, r, 30, 40);
	KUNIT_EXPECT_EQ(test, r->nr_accesses, 4u);
	KUNIT_EXPECT_EQ(test, r->age, 24u);
	/* the gap [40, 55) is new memory, with no results */
	r = damon_test_nth_region(t, 4);
	damon_test_expect_region(test, r, 40, 55);
	KUNIT_EXPECT_EQ(test, r->nr_accesses, 0u);
	KUNIT_EXPECT_EQ(test, r->nr_accesses_bp, 0u);
	KUNIT_EXPECT_EQ(test, r->last_nr_accesses, 0u);
	KUNIT_EXPECT_EQ(test, r->age, 0u);
}

/* Holes between kept regions are filled; a region spanning two ranges splits. */
static void damon_test_set_regions_fill_and_span(struct kunit *test)
{
	struct damon_addr_range old[] = { { 0, 10 }, { 20, 30 } };
	struct damon_addr_range whole[] = { { 0, 30 } };
	struct damon_addr_range split[] = { { 2, 8 }, { 12, 15 }, { 17, 28 } };
	struct damon_ctx *ctx = damon_test_new_ctx(test);
	struct damon_target *t = damon_test_add_target(test, ctx, old, 2);
	struct damon_region *r;

	damon_test_set_results(damon_first_region(t), 4, 4, 9);
	damon_test_set_results(damon_last_region(t), 6, 6, 1);
	KUNIT_ASSERT_EQ(test, damon_set_regions(t, whole, 1, 1), 0);
	KUNIT_ASSERT_EQ(test, damon_nr_regions(t), 3u);
	damon_test_expect_region(test, damon_test_nth_region(t, 0), 0, 10);
	r = damon_test_nth_region(t, 1);
	damon_test_expect_region(test, r, 10, 20);
	KUNIT_EXPECT_EQ(test, r->nr_accesses, 0u);
	r = damon_test_nth_region(t, 2);
	damon_test_expect_region(test, r, 20, 30);
	KUNIT_EXPECT_EQ(test, r->nr_accesses, 6u);

	/* [10, 20) spans two of the new ranges: both pieces keep its results */
	damon_test_set_results(damon_test_nth_region(t, 1), 2, 2, 5);
	KUNIT_ASSERT_EQ(test, damon_set_regions(t, split, 3, 1), 0);
	KUNIT_ASSERT_EQ(test, damon_nr_regions(t), 4u);
	r = damon_test_nth_region(t, 0);
	damon_test_expect_region(test, r, 2, 8);
	KUNIT_EXPECT_EQ(test, r->age, 9u);
	r = damon_test_nth_region(t, 1);
	damon_test_expect_region(test, r, 12, 15);
	KUNIT_EXPECT_EQ(test, r->age, 5u);
	KUNIT_EXPECT_EQ(test, r->nr_accesses, 2u);
	r = damon_test_nth_region(t, 2);
	damon_test_expect_region(test, r, 17, 20);
	KUNIT_EXPECT_EQ(test, r->age, 5u);
	KUNIT_EXPECT_EQ(test, r->nr_accesses, 2u);
	r = damon_test_nth_region(t, 3);
	damon_test_expect_region(test, r, 20, 28);
	KUNIT_EXPECT_EQ(test, r->age, 1u);

	/* no ranges: nothing is monitored any more */
	KUNIT_ASSERT_EQ(test, damon_set_regions(t, NULL, 0, 1), 0);
	KUNIT_EXPECT_EQ(test, damon_nr_regions(t), 0u);
}

static void damon_test_set_regions_invalid(struct kunit *test)
{
	struct damon_addr_range old[] = { { 0, 10 }, { 10, 20 } };
	struct damon_addr_range unsorted[] = { { 20, 30 }, { 0, 10 } };
	struct damon_addr_range overlap[] = { { 0, 20 }, { 10, 30 } };
	struct damon_addr_range inverted[] = { { 0, 10 }, { 30, 20 } };
	struct damon_ctx *ctx = damon_test_new_ctx(test);
	struct damon_target *t = damon_test_add_target(test, ctx, old, 2);

	damon_test_set_results(damon_first_region(t), 3, 2, 1);
	KUNIT_EXPECT_EQ(test, damon_set_regions(t, unsorted, 2, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, damon_set_regions(t, overlap, 2, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, damon_set_regions(t, inverted, 2, 1), -EINVAL);

	KUNIT_ASSERT_EQ(test, damon_nr_regions(t), 2u);
	damon_test_expect_region(test, damon_first_region(t), 0, 10);
	damon_test_expect_region(test, damon_last_region(t), 10, 20);
	KUNIT_EXPECT_EQ(test, damon_first_region(t)->nr_accesses, 3u);
	KUNIT_EXPECT_EQ(test, damon_first_region(t)->age, 1u);
}

/*
 * Regions made under a smaller alignment unit (as left by a commit that
 * raises min_region_sz) must still come out aligned and no smaller than
 * the new unit.
 */
static void damon_test_set_regions_realign(struct kunit *test)
{
	struct damon_addr_range ranges[] = { { 0, 0x8000 } };
	struct damon_ctx *ctx = damon_test_new_ctx(test);
	struct damon_target *t = damon_test_add_target(test, ctx, NULL, 0);
	unsigned long a;

	for (a = 0; a < 0x8000; a += 0x1000) {
		struct damon_addr_range ar = { a, a + 0x1000 };

		damon_test_add_regions(test, t, &ar, 1);
	}
	KUNIT_ASSERT_EQ(test, damon_set_regions(t, ranges, 1, 0x4000), 0);
	KUNIT_EXPECT_TRUE(test, damon_test_check_layout(test, t, ranges, 1, 0x4000));
}

#define SETREG_MAX_RANGES	6
#define SETREG_MAX_REGIONS	128U

/* Sorted, possibly touching, random ranges of unaligned bytes. */
static unsigned int damon_test_random_ranges(struct rnd_state *rs,
					     unsigned long unit,
					     struct damon_addr_range *ranges)
{
	unsigned int i, nr = 1 + prandom_u32_state(rs) % SETREG_MAX_RANGES;
	unsigned long pos = prandom_u32_state(rs) % (3 * unit);

	for (i = 0; i < nr; i++) {
		ranges[i].start = pos;
		ranges[i].end = pos + 1 + prandom_u32_state(rs) % (8 * unit);
		pos = ranges[i].end + prandom_u32_state(rs) % (5 * unit);
	}
	return nr;
}

/*
 * Check that each region of @t either lies inside the old region whose
 * index its results name, or is new memory that no old region covered;
 * and that every old region that overlaps the new coverage survived.
 */
static bool damon_test_check_kept(struct kunit *test, struct damon_target *t,
				  const struct damon_addr_range *old, unsigned int nr_old,
				  const struct damon_addr_range *want, unsigned int nr_want)
{
	bool seen[SETREG_MAX_REGIONS] = {};
	struct damon_region *r;
	unsigned int i, j;

	damon_for_each_region(r, t) {
		i = r->nr_accesses;
		if (i > nr_old || r->age != i || r->last_nr_accesses != i) {
			KUNIT_FAIL(test, "region [%lu, %lu) has mixed results",
				   r->ar.start, r->ar.end);
			return false;
		}
		if (i && (r->ar.start < old[i - 1].start ||
			  r->ar.end > old[i - 1].end)) {
			KUNIT_FAIL(test, "region [%lu, %lu) outgrew old region [%lu, %lu)",
				   r->ar.start, r->ar.end, old[i - 1].start,
				   old[i - 1].end);
			return false;
		}
		if (i) {
			seen[i - 1] = true;
			continue;
		}
		for (j = 0; j < nr_old; j++) {
			if (r->ar.start < old[j].end && old[j].start < r->ar.end) {
				KUNIT_FAIL(test, "new region [%lu, %lu) overlaps old [%lu, %lu)",
					   r->ar.start, r->ar.end, old[j].start, old[j].end);
				return false;
			}
		}
	}
	for (i = 0; i < nr_old; i++) {
		for (j = 0; j < nr_want && !seen[i]; j++) {
			if (old[i].start < want[j].end && want[j].start < old[i].end) {
				KUNIT_FAIL(test, "old region [%lu, %lu) was dropped",
					   old[i].start, old[i].end);
				return false;
			}
		}
	}
	return true;
}

/*
 * Number the regions of @t by their results (1, 2, ...), record their
 * ranges in @old, and split some at random unit boundaries first so that
 * the next update meets a varied layout.
 */
static unsigned int damon_test_label_regions(struct rnd_state *rs,
					     struct damon_target *t, unsigned long unit,
					     struct damon_addr_range *old)
{
	struct damon_region *r;
	unsigned int i = 0;

	damon_for_each_region(r, t) {
		unsigned long units = damon_sz_region(r) / unit;

		if (units >= 2 && prandom_u32_state(rs) % 2 &&
		    t->nr_regions < SETREG_MAX_REGIONS)
			damon_split_region_at(t, r, unit *
					      (1 + prandom_u32_state(rs) % (units - 1)));
	}
	damon_for_each_region(r, t) {
		if (i == SETREG_MAX_REGIONS)
			break;
		old[i++] = r->ar;
		damon_test_set_results(r, i, i, i);
	}
	return i;
}

/* Many random updates of one target; every result is checked. */
static void damon_test_set_regions_random_one(struct kunit *test,
					      unsigned long unit, u64 seed)
{
	struct damon_addr_range ranges[SETREG_MAX_RANGES];
	struct damon_addr_range want[SETREG_MAX_RANGES];
	struct damon_addr_range *old;
	struct damon_ctx *ctx = damon_test_new_ctx(test);
	struct damon_target *t = damon_test_add_target(test, ctx, NULL, 0);
	unsigned int step, nr, nr_want, nr_old = 0;
	struct rnd_state rs;

	old = kunit_kcalloc(test, SETREG_MAX_REGIONS, sizeof(*old), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, old);
	prandom_seed_state(&rs, seed);
	for (step = 0; step < 200; step++) {
		nr = damon_test_random_ranges(&rs, unit, ranges);
		nr_want = damon_test_aligned_union(ranges, nr, unit, want);

		KUNIT_ASSERT_EQ_MSG(test, damon_set_regions(t, ranges, nr, unit),
				    0, "step %u", step);
		KUNIT_ASSERT_TRUE_MSG(test,
				      damon_test_check_layout(test, t, want, nr_want, unit),
				      "step %u, unit %lu", step, unit);
		KUNIT_ASSERT_TRUE_MSG(test,
				      damon_test_check_kept(test, t, old, nr_old, want, nr_want),
				      "step %u, unit %lu", step, unit);
		KUNIT_ASSERT_LE(test, damon_nr_regions(t), SETREG_MAX_REGIONS);
		nr_old = damon_test_label_regions(&rs, t, unit, old);
	}
}

static void damon_test_set_regions_random(struct kunit *test)
{
	damon_test_set_regions_random_one(test, 1, 1);
	damon_test_set_regions_random_one(test, 0x1000, 2);
	damon_test_set_regions_random_one(test, 0x200000, 3);
}

static void damon_test_moving_sum(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, damon_moving_sum(1000, 2000, 10, 50), 850u);
	KUNIT_EXPECT_EQ(test, damon_moving_sum(50000, 200000, 20, 10000),
			50000u);
	KUNIT_EXPECT_EQ(test, damon_moving_sum(50000, 200000, 20, 0), 40000u);
	/* the leaving part never takes the sum below zero */
	KUNIT_EXPECT_EQ(test, damon_moving_sum(100, 20000, 10, 30), 30u);
	KUNIT_EXPECT_EQ(test, damon_moving_sum(0, 5000, 1, 0), 0u);
	KUNIT_EXPECT_EQ(test, damon_moving_sum(5000, 5000, 1, 10000), 10000u);
	/* integer division of the leaving part */
	KUNIT_EXPECT_EQ(test, damon_moving_sum(100, 99, 10, 1), 92u);
}

static void damon_test_access_rate(struct kunit *test)
{
	struct damon_attrs attrs = {
		.sample_interval = 5000,
		.aggr_interval = 100000,
		.aggr_samples = 20,
	};
	struct damon_addr_range ar = { 0, 4096 };
	struct damon_ctx *ctx = damon_test_new_ctx(test);
	struct damon_target *t = damon_test_add_target(test, ctx, &ar, 1);
	struct damon_region *r = damon_first_region(t);
	unsigned int i;

	/* from nothing, each accessed sample adds one access worth */
	for (i = 1; i <= 5; i++) {
		damon_update_region_access_rate(r, true, &attrs);
		KUNIT_EXPECT_EQ(test, r->nr_accesses, i);
		KUNIT_EXPECT_EQ(test, r->nr_accesses_bp, i * BP);
	}
	damon_update_region_access_rate(r, false, &attrs);
	KUNIT_EXPECT_EQ(test, r->nr_accesses, 5u);
	KUNIT_EXPECT_EQ(test, r->nr_accesses_bp, 5u * BP);

	/* always accessed, and so in the last interval: a fixed point */
	damon_test_set_results(r, 0, 20, 0);
	r->nr_accesses_bp = 20 * BP;
	for (i = 1; i <= 20; i++) {
		damon_update_region_access_rate(r, true, &attrs);
		KUNIT_EXPECT_EQ(test, r->nr_accesses_bp, 20u * BP);
	}
	KUNIT_EXPECT_EQ(test, r->nr_accesses, 20u);

	/* half accessed last time: -5000 per sample, +10000 if accessed */
	damon_test_set_results(r, 0, 10, 0);
	r->nr_accesses_bp = 10 * BP;
	damon_update_region_access_rate(r, false, &attrs);
	KUNIT_EXPECT_EQ(test, r->nr_accesses, 0u);
	KUNIT_EXPECT_EQ(test, r->nr_accesses_bp, 95000u);
	damon_update_region_access_rate(r, true, &attrs);
	KUNIT_EXPECT_EQ(test, r->nr_accesses, 1u);
	KUNIT_EXPECT_EQ(test, r->nr_accesses_bp, 100000u);
	/* nothing accessed any more: the sum drains to zero, not below */
	for (i = 0; i < 25; i++)
		damon_update_region_access_rate(r, false, &attrs);
	KUNIT_EXPECT_EQ(test, r->nr_accesses_bp, 0u);
	KUNIT_EXPECT_EQ(test, r->nr_accesses, 1u);
}

static void damon_test_reset_aggregated(struct kunit *test)
{
	struct damon_addr_range ars[] = { { 0, 10 }, { 10, 20 }, { 30, 40 } };
	struct damon_ctx *ctx = damon_test_new_ctx(test);
	struct damon_target *t = damon_test_add_target(test, ctx, ars, 3);
	struct damon_target *t2 = damon_test_add_target(test, ctx, ars, 1);
	struct damon_region *r;
	unsigned int i = 0;

	damon_for_each_region(r, t) {
		damon_test_set_results(r, i * 3, 1, 5);
		r->nr_accesses_bp = 12345;
		i++;
	}
	damon_test_set_results(damon_first_region(t2), 9, 2, 0);
	damon_reset_aggregated(ctx);

	i = 0;
	damon_for_each_region(r, t) {
		KUNIT_EXPECT_EQ(test, r->nr_accesses, 0u);
		KUNIT_EXPECT_EQ(test, r->last_nr_accesses, i * 3);
		KUNIT_EXPECT_EQ(test, r->nr_accesses_bp, i * 3 * BP);
		KUNIT_EXPECT_EQ(test, r->age, 5u);
		i++;
	}
	r = damon_first_region(t2);
	KUNIT_EXPECT_EQ(test, r->nr_accesses, 0u);
	KUNIT_EXPECT_EQ(test, r->last_nr_accesses, 9u);
	KUNIT_EXPECT_EQ(test, r->nr_accesses_bp, 9u * BP);
}

static void damon_test_update_ages(struct kunit *test)
{
	/* nr_accesses, last_nr_accesses, age before, age after (thres 2) */
	static const unsigned int cases[][4] = {
		{ 5, 5, 0, 1 },
		{ 5, 5, 41, 42 },
		{ 7, 5, 3, 4 },		/* a change of exactly thres is steady */
		{ 3, 5, 3, 4 },
		{ 8, 5, 3, 0 },		/* more than thres resets */
		{ 2, 5, 9, 0 },
		{ 0, 20, 9, 0 },
		{ 0, 0, 0, 1 },
	};
	struct damon_ctx *ctx = damon_test_new_ctx(test);
	struct damon_target *t = damon_test_add_target(test, ctx, NULL, 0);
	struct damon_region *r;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		r = damon_new_region(i * 10, i * 10 + 10);
		KUNIT_ASSERT_NOT_NULL(test, r);
		damon_test_set_results(r, cases[i][0], cases[i][1], cases[i][2]);
		damon_add_region(r, t);
	}
	damon_update_ages(ctx, 2);
	i = 0;
	damon_for_each_region(r, t) {
		KUNIT_EXPECT_EQ_MSG(test, r->age, cases[i][3], "case %u", i);
		/* ageing reads the counters, it does not change them */
		KUNIT_EXPECT_EQ(test, r->nr_accesses, cases[i][0]);
		KUNIT_EXPECT_EQ(test, r->last_nr_accesses, cases[i][1]);
		i++;
	}

	/* with threshold 0 any change resets */
	r = damon_first_region(t);
	damon_test_set_results(r, 6, 5, 3);
	damon_update_ages(ctx, 0);
	KUNIT_EXPECT_EQ(test, r->age, 0u);
}

static void damon_test_merge_two(struct kunit *test)
{
	struct damon_addr_range ars[] = { { 0, 10 }, { 10, 30 } };
	struct damon_ctx *ctx = damon_test_new_ctx(test);
	struct damon_target *t = damon_test_add_target(test, ctx, ars, 2);
	struct damon_region *r;

	damon_test_set_results(damon_first_region(t), 10, 10, 4);
	damon_test_set_results(damon_last_region(t), 13, 7, 10);
	/* size-weighted: (10 * 10 + 13 * 20) / 30 = 12 and so on */
	damon_merge_target_regions(t, 3, 30);
	KUNIT_ASSERT_EQ(test, damon_nr_regions(t), 1u);
	r = damon_first_region(t);
	damon_test_expect_region(test, r, 0, 30);
	KUNIT_EXPECT_EQ(test, r->nr_accesses, 12u);
	KUNIT_EXPECT_EQ(test, r->nr_accesses_bp, 120000u);
	KUNIT_EXPECT_EQ(test, r->last_nr_accesses, 8u);
	KUNIT_EXPECT_EQ(test, r->age, 8u);
}

static void damon_test_merge_chain(struct kunit *test)
{
	struct damon_addr_range ars[] = {
		{ 0, 10 }, { 10, 20 }, { 20, 40 }, { 40, 50 }, { 60, 70 },
		{ 70, 80 },
	};
	/* nr_accesses of each: the 4th differs too much, the 5th is apart */
	static const unsigned int nrs[] = { 2, 4, 5, 12, 12, 12 };
	struct damon_ctx *ctx = damon_test_new_ctx(test);
	struct damon_target *t = damon_test_add_target(test, ctx, ars, 6);
	struct damon_region *r;
	unsigned int i = 0;

	damon_for_each_region(r, t) {
		damon_test_set_results(r, nrs[i], nrs[i], 2 * nrs[i]);
		i++;
	}
	damon_merge_target_regions(t, 3, 100);

	KUNIT_ASSERT_EQ(test, damon_nr_regions(t), 3u);
	r = damon_test_nth_region(t, 0);
	damon_test_expect_region(test, r, 0, 40);
	/* (2 * 10 + 4 * 10 + 5 * 20) / 40 */
	KUNIT_EXPECT_EQ(test, r->nr_accesses, 4u);
	KUNIT_EXPECT_EQ(test, r->nr_accesses_bp, 40000u);
	KUNIT_EXPECT_EQ(test, r->last_nr_accesses, 4u);
	KUNIT_EXPECT_EQ(test, r->age, 8u);
	r = damon_test_nth_region(t, 1);
	damon_test_expect_region(test, r, 40, 50);
	KUNIT_EXPECT_EQ(test, r->nr_accesses, 12u);
	/* equal neighbours that do not touch stay apart */
	damon_test_expect_region(test, damon_test_nth_region(t, 2), 60, 80);
}

static void damon_test_merge_limits(struct kunit *test)
{
	struct damon_addr_range ars[] = { { 0, 10 }, { 10, 20 }, { 20, 30 } };
	struct damon_addr_range gap[] = { { 0, 10 }, { 20, 30 } };
	struct damon_ctx *ctx = damon_test_new_ctx(test);
	struct damon_target *t = damon_test_add_target(test, ctx, ars, 3);
	struct damon_target *t2 = damon_test_add_target(test, ctx, gap, 2);
	struct damon_region *r;

	damon_for_each_region(r, t)
		damon_test_set_results(r, 5, 5, 0);
	damon_test_set_results(damon_last_region(t), 9, 5, 0);

	/* too different */
	damon_merge_target_regions(t, 3, 100);
	KUNIT_ASSERT_EQ(test, damon_nr_regions(t), 2u);
	damon_test_expect_region(test, damon_first_region(t), 0, 20);
	damon_test_expect_region(test, damon_last_region(t), 20, 30);

	/* alike, but the result would be bigger than the size limit */
	damon_test_set_results(damon_last_region(t), 5, 5, 0);
	damon_merge_target_regions(t, 3, 29);
	KUNIT_EXPECT_EQ(test, damon_nr_regions(t), 2u);
	damon_merge_target_regions(t, 3, 30);
	KUNIT_EXPECT_EQ(test, damon_nr_regions(t), 1u);

	/* never across a gap */
	damon_merge_target_regions(t2, 100, 1000);
	KUNIT_EXPECT_EQ(test, damon_nr_regions(t2), 2u);
}

/*
 * Over the limit, merging raises its threshold until the count fits; one
 * too-large size limit must still let it terminate.
 */
static void damon_test_merge_regions_max(struct kunit *test)
{
	struct damon_attrs attrs = {
		.sample_interval = 5000, .aggr_interval = 100000,
		.ops_update_interval = 1000000,
		.min_nr_regions = 3, .max_nr_regions = 10,
	};
	struct damon_addr_range want[2];
	struct damon_ctx *ctx = damon_test_new_ctx(test);
	unsigned long u = ctx->min_region_sz;
	struct damon_target *t[2];
	struct damon_region *r;
	unsigned int i, j;

	KUNIT_ASSERT_EQ(test, damon_set_attrs(ctx, &attrs), 0);
	for (j = 0; j < 2; j++) {
		t[j] = damon_test_add_target(test, ctx, NULL, 0);
		want[j].start = j * 1000 * u;
		want[j].end = want[j].start + 100 * u;
		for (i = 0; i < 100; i++) {
			r = damon_new_region(want[j].start + i * u,
					     want[j].start + (i + 1) * u);
			KUNIT_ASSERT_NOT_NULL(test, r);
			/* alternate the two extremes: only a full threshold merges */
			damon_test_set_results(r, i % 2 ? 20 : 0, 0, 0);
			damon_add_region(r, t[j]);
		}
	}
	/* no region may grow: nothing can merge, and it still ends */
	damon_merge_regions(ctx, 0, u);
	KUNIT_EXPECT_EQ(test, damon_ctx_nr_regions(ctx), 200u);

	damon_merge_regions(ctx, 0, 100 * u);
	KUNIT_EXPECT_LE(test, damon_ctx_nr_regions(ctx), 10u);
	for (j = 0; j < 2; j++) {
		KUNIT_EXPECT_TRUE(test, damon_test_check_layout(test, t[j], &want[j],
								1, u));
		/* every target was merged, not just enough of them */
		KUNIT_EXPECT_LE(test, damon_nr_regions(t[j]), 5u);
	}
}

static void damon_test_region_sz_limit(struct kunit *test)
{
	struct damon_ctx *ctx = damon_test_new_ctx(test);
	unsigned long u = ctx->min_region_sz;
	struct damon_addr_range a[] = { { 0, 30 * u }, { 50 * u, 80 * u } };
	struct damon_addr_range b[] = { { 100 * u, 140 * u } };

	ctx->attrs.min_nr_regions = 10;
	damon_test_add_target(test, ctx, a, 2);
	damon_test_add_target(test, ctx, b, 1);
	/* (30 + 30 + 40) units over 10 regions */
	KUNIT_EXPECT_EQ(test, damon_region_sz_limit(ctx), 10 * u);
	ctx->attrs.min_nr_regions = 200;
	KUNIT_EXPECT_EQ(test, damon_region_sz_limit(ctx), u);
	ctx->min_region_sz = 2 * u;
	KUNIT_EXPECT_EQ(test, damon_region_sz_limit(ctx), 2 * u);
}

static void damon_test_nr_split_pieces(struct kunit *test)
{
	struct damon_attrs attrs = {
		.sample_interval = 5000, .aggr_interval = 100000,
		.ops_update_interval = 1000000,
		.min_nr_regions = 3, .max_nr_regions = 30,
	};
	/* regions, last_nr_regions, expected pieces */
	static const unsigned int cases[][3] = {
		{ 16, 16, 1 }, { 16, 3, 1 }, { 15, 15, 2 }, { 15, 14, 2 },
		{ 10, 10, 2 }, { 9, 9, 3 }, { 9, 8, 2 }, { 3, 3, 3 },
		{ 3, 0, 2 },
	};
	struct damon_ctx *ctx = damon_test_new_ctx(test);
	struct damon_target *t = damon_test_add_target(test, ctx, NULL, 0);
	unsigned int i;

	KUNIT_ASSERT_EQ(test, damon_set_attrs(ctx, &attrs), 0);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		while (damon_nr_regions(t) > cases[i][0])
			damon_destroy_region(damon_last_region(t), t);
		while (damon_nr_regions(t) < cases[i][0]) {
			struct damon_region *r = damon_new_region(t->nr_regions,
								  t->nr_regions + 1);

			KUNIT_ASSERT_NOT_NULL(test, r);
			damon_add_region(r, t);
		}
		KUNIT_EXPECT_EQ_MSG(test, damon_nr_split_pieces(ctx, cases[i][1]),
				    cases[i][2], "case %u", i);
	}
}

/* Count the regions of @t inside [@start, @end) and check their results. */
static unsigned int damon_test_pieces_in(struct kunit *test, struct damon_target *t,
					 unsigned long start, unsigned long end,
					 unsigned int results)
{
	struct damon_region *r;
	unsigned int nr = 0;

	damon_for_each_region(r, t) {
		if (r->ar.end <= start || r->ar.start >= end)
			continue;
		KUNIT_EXPECT_GE(test, r->ar.start, start);
		KUNIT_EXPECT_LE(test, r->ar.end, end);
		KUNIT_EXPECT_EQ(test, r->nr_accesses, results);
		KUNIT_EXPECT_EQ(test, r->nr_accesses_bp, results * BP);
		KUNIT_EXPECT_EQ(test, r->last_nr_accesses, results + 1);
		KUNIT_EXPECT_EQ(test, r->age, results + 2);
		nr++;
	}
	return nr;
}

static void damon_test_split_regions(struct kunit *test)
{
	struct damon_ctx *ctx = damon_test_new_ctx(test);
	unsigned long u = ctx->min_region_sz;
	struct damon_addr_range ars[22];
	unsigned int i, nr, nr_pieces;
	struct damon_target *t;
	struct damon_region *r;

	/* twenty large regions with gaps, one tiny, one just splittable */
	for (i = 0; i < 20; i++) {
		ars[i].start = i * 200 * u;
		ars[i].end = ars[i].start + 100 * u;
	}
	ars[20] = (struct damon_addr_range){ 5000 * u, 5001 * u };
	ars[21] = (struct damon_addr_range){ 6000 * u, 6002 * u };
	t = damon_test_add_target(test, ctx, ars, 22);
	i = 0;
	damon_for_each_region(r, t) {
		damon_test_set_results(r, i, i + 1, i + 2);
		i++;
	}

	damon_split_regions(ctx, 1);
	KUNIT_EXPECT_EQ(test, damon_nr_regions(t), 22u);

	for (nr = 2; nr <= 3; nr++) {
		damon_split_regions(ctx, nr);
		KUNIT_ASSERT_TRUE(test, damon_test_check_layout(test, t, ars, 22, u));
		/* splitting is random, but twenty large regions all kept whole is not */
		KUNIT_EXPECT_GT(test, damon_nr_regions(t), 22u);
		for (i = 0; i < 22; i++) {
			unsigned int pieces = damon_test_pieces_in(test, t, ars[i].start,
								   ars[i].end, i);

			KUNIT_EXPECT_GE(test, pieces, 1u);
			/* each piece of the first round may be split again */
			KUNIT_EXPECT_LE(test, pieces, nr == 2 ? 2u : 6u);
		}
		nr_pieces = damon_test_pieces_in(test, t, ars[20].start,
						 ars[20].end, 20);
		KUNIT_EXPECT_EQ(test, nr_pieces, 1u);
	}
}

/* Splitting with an alignment unit that is not a page. */
static void damon_test_split_regions_unit(struct kunit *test)
{
	struct damon_addr_range ars[] = { { 0, 1UL << 30 } };
	struct damon_ctx *ctx = damon_test_new_ctx(test);
	struct damon_target *t;
	unsigned int i;

	ctx->min_region_sz = 1UL << 21;
	t = damon_test_add_target(test, ctx, ars, 1);
	for (i = 0; i < 8; i++) {
		damon_split_regions(ctx, 3);
		KUNIT_ASSERT_TRUE(test, damon_test_check_layout(test, t, ars, 1,
								ctx->min_region_sz));
	}
	/* 512 units at most */
	KUNIT_EXPECT_LE(test, damon_nr_regions(t), 512u);
}

static unsigned long damon_test_largest(struct damon_ctx *ctx)
{
	struct damon_target *t;
	struct damon_region *r;
	unsigned long sz = 0;

	damon_for_each_target(t, ctx)
		damon_for_each_region(r, t)
			sz = max(sz, damon_sz_region(r));
	return sz;
}

static void damon_test_fill_min_regions(struct kunit *test)
{
	struct damon_ctx *ctx = damon_test_new_ctx(test);
	unsigned long u = ctx->min_region_sz;
	struct damon_addr_range one[] = { { 0, 100 * u } };
	struct damon_addr_range two[] = { { 0, 30 * u }, { 100 * u, 130 * u } };
	struct damon_addr_range three[] = { { 1000 * u, 1040 * u } };
	struct damon_addr_range thirds[] = {
		{ 0, 30 * u }, { 100 * u, 130 * u }, { 200 * u, 230 * u },
	};
	struct damon_target *t, *t2;
	unsigned int nr;

	KUNIT_ASSERT_EQ(test, ctx->attrs.min_nr_regions, 10ul);
	t = damon_test_add_target(test, ctx, one, 1);
	damon_fill_min_regions(ctx);
	KUNIT_EXPECT_GE(test, damon_nr_regions(t), 10u);
	KUNIT_EXPECT_TRUE(test, damon_test_check_layout(test, t, one, 1, u));
	/* even pieces: none twice as large as a tenth */
	KUNIT_EXPECT_LE(test, damon_test_largest(ctx), 20 * u);

	/* enough already: nothing changes */
	nr = damon_nr_regions(t);
	damon_fill_min_regions(ctx);
	KUNIT_EXPECT_EQ(test, damon_nr_regions(t), nr);
	damon_destroy_target(t, ctx);

	/* several targets and ranges, sized in proportion */
	t = damon_test_add_target(test, ctx, two, 2);
	t2 = damon_test_add_target(test, ctx, three, 1);
	damon_fill_min_regions(ctx);
	KUNIT_EXPECT_GE(test, damon_ctx_nr_regions(ctx), 10u);
	KUNIT_EXPECT_TRUE(test, damon_test_check_layout(test, t, two, 2, u));
	KUNIT_EXPECT_TRUE(test, damon_test_check_layout(test, t2, three, 1, u));
	KUNIT_EXPECT_LE(test, damon_test_largest(ctx), 20 * u);
	damon_destroy_target(t, ctx);
	damon_destroy_target(t2, ctx);

	/* three equal ranges: a third of ten pieces each must round up */
	t = damon_test_add_target(test, ctx, thirds, 3);
	damon_fill_min_regions(ctx);
	KUNIT_EXPECT_GE(test, damon_nr_regions(t), 10u);
	KUNIT_EXPECT_TRUE(test, damon_test_check_layout(test, t, thirds, 3, u));
	damon_destroy_target(t, ctx);

	/* too little memory for ten regions: as many as fit, none too small */
	one[0].end = 5 * u;
	t = damon_test_add_target(test, ctx, one, 1);
	damon_fill_min_regions(ctx);
	KUNIT_EXPECT_TRUE(test, damon_test_check_layout(test, t, one, 1, u));
	KUNIT_EXPECT_GE(test, damon_nr_regions(t), 2u);
}

/*
 * The randomised adaptation run.  The monitored memory is ten times the
 * largest region merging may create, in ranges that are whole multiples of
 * it, so every step can and must keep between min and max regions.
 */
struct damon_test_adapt {
	struct kunit *test;
	struct damon_ctx *ctx;
	struct damon_target *t[2];
	struct damon_addr_range want[2][2];
	unsigned int nr_want[2];
	struct rnd_state rs;
};

static void damon_test_adapt_check(struct damon_test_adapt *a, unsigned int step,
				   const char *what)
{
	struct kunit *test = a->test;
	unsigned int i, nr = damon_ctx_nr_regions(a->ctx);

	for (i = 0; i < 2; i++)
		KUNIT_ASSERT_TRUE_MSG(test,
				      damon_test_check_layout(test, a->t[i], a->want[i],
							      a->nr_want[i],
							      a->ctx->min_region_sz),
				      "step %u, after %s, target %u", step, what, i);
	KUNIT_ASSERT_GE_MSG(test, nr, a->ctx->attrs.min_nr_regions,
			    "step %u, after %s", step, what);
	KUNIT_ASSERT_LE_MSG(test, nr, a->ctx->attrs.max_nr_regions,
			    "step %u, after %s", step, what);
}

/*
 * One aggregation interval of samples: runs of neighbouring regions share
 * an access frequency now and then, so that merging has work to do.
 */
static void damon_test_adapt_sample(struct damon_test_adapt *a, unsigned int step)
{
	struct damon_attrs *attrs = &a->ctx->attrs;
	unsigned int max = damon_max_nr_accesses(attrs);
	struct kunit *test = a->test;
	struct damon_target *t;
	struct damon_region *r;
	unsigned int i, v = 0;

	damon_for_each_target(t, a->ctx) {
		damon_for_each_region(r, t) {
			u32 rnd = prandom_u32_state(&a->rs);

			if (!(rnd % 4))
				v = (rnd >> 2) % (max + 1);
			KUNIT_ASSERT_EQ(test, r->nr_accesses, 0u);
			KUNIT_ASSERT_EQ_MSG(test, r->nr_accesses_bp,
					    r->last_nr_accesses * BP, "step %u", step);
			for (i = 0; i < max; i++)
				damon_update_region_access_rate(r, i < v, attrs);
			KUNIT_ASSERT_EQ(test, r->nr_accesses, v);
			/* a full window of samples: the moving sum is exact */
			KUNIT_ASSERT_EQ_MSG(test, r->nr_accesses_bp, v * BP,
					    "step %u", step);
		}
	}
}

static void damon_test_adapt_setup(struct kunit *test, struct damon_test_adapt *a)
{
	struct damon_attrs attrs = {
		.sample_interval = 1000, .aggr_interval = 20000,
		.ops_update_interval = 1000000,
		.min_nr_regions = 10, .max_nr_regions = 60,
	};
	unsigned long u;

	a->test = test;
	a->ctx = damon_test_new_ctx(test);
	u = a->ctx->min_region_sz;
	KUNIT_ASSERT_EQ(test, damon_set_attrs(a->ctx, &attrs), 0);
	/* 128 + 192 + 320 = 640 units, sized in multiples of 64 */
	a->want[0][0] = (struct damon_addr_range){ 0, 128 * u };
	a->want[0][1] = (struct damon_addr_range){ 512 * u, 704 * u };
	a->want[1][0] = (struct damon_addr_range){ 4096 * u, 4416 * u };
	a->nr_want[0] = 2;
	a->nr_want[1] = 1;
	a->t[0] = damon_test_add_target(test, a->ctx, NULL, 0);
	a->t[1] = damon_test_add_target(test, a->ctx, NULL, 0);
	KUNIT_ASSERT_EQ(test, damon_set_regions(a->t[0], a->want[0], 2, u), 0);
	KUNIT_ASSERT_EQ(test, damon_set_regions(a->t[1], a->want[1], 1, u), 0);
	KUNIT_ASSERT_EQ(test, damon_ctx_nr_regions(a->ctx), 3u);
	damon_fill_min_regions(a->ctx);
	KUNIT_ASSERT_EQ(test, damon_region_sz_limit(a->ctx), 64 * u);
	prandom_seed_state(&a->rs, 0xda4017);
}

static void damon_test_split_merge_random(struct kunit *test)
{
	unsigned int step, thres, last_nr = 0, lowest = UINT_MAX, highest = 0;
	struct damon_test_adapt *a;

	a = kunit_kzalloc(test, sizeof(*a), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a);
	damon_test_adapt_setup(test, a);
	damon_test_adapt_check(a, 0, "filling");

	for (step = 1; step <= 300; step++) {
		damon_test_adapt_sample(a, step);
		thres = prandom_u32_state(&a->rs) % 5;
		damon_update_ages(a->ctx, thres);
		damon_test_adapt_check(a, step, "ageing");
		damon_merge_regions(a->ctx, thres, damon_region_sz_limit(a->ctx));
		damon_test_adapt_check(a, step, "merging");
		lowest = min(lowest, damon_ctx_nr_regions(a->ctx));
		damon_reset_aggregated(a->ctx);
		damon_test_adapt_check(a, step, "resetting");
		thres = damon_nr_split_pieces(a->ctx, last_nr);
		last_nr = damon_ctx_nr_regions(a->ctx);
		damon_split_regions(a->ctx, thres);
		damon_test_adapt_check(a, step, "splitting");
		highest = max(highest, damon_ctx_nr_regions(a->ctx));
		if (!(step % 50)) {
			damon_fill_min_regions(a->ctx);
			damon_test_adapt_check(a, step, "filling");
		}
	}
	/* the run did adapt: both merging and splitting changed the count */
	KUNIT_EXPECT_LT(test, lowest, highest);
}

static void damon_test_rescale_region(struct kunit *test)
{
	struct damon_attrs a20 = {
		.sample_interval = 5000, .aggr_interval = 100000,
		.aggr_samples = 20,
	};
	struct damon_attrs a40 = {
		.sample_interval = 5000, .aggr_interval = 200000,
		.aggr_samples = 40,
	};
	struct damon_attrs a10 = {
		.sample_interval = 2000, .aggr_interval = 20000,
		.aggr_samples = 10,
	};
	struct damon_addr_range ar = { 0, 4096 };
	struct damon_ctx *ctx = damon_test_new_ctx(test);
	struct damon_target *t = damon_test_add_target(test, ctx, &ar, 1);
	struct damon_region *r = damon_first_region(t);

	damon_test_set_results(r, 10, 8, 6);
	r->nr_accesses_bp = 80000;
	damon_rescale_region(r, &a20, &a40);
	KUNIT_EXPECT_EQ(test, r->nr_accesses, 20u);
	KUNIT_EXPECT_EQ(test, r->last_nr_accesses, 16u);
	KUNIT_EXPECT_EQ(test, r->nr_accesses_bp, 160000u);
	KUNIT_EXPECT_EQ(test, r->age, 3u);

	damon_rescale_region(r, &a40, &a20);
	KUNIT_EXPECT_EQ(test, r->nr_accesses, 10u);
	KUNIT_EXPECT_EQ(test, r->last_nr_accesses, 8u);
	KUNIT_EXPECT_EQ(test, r->nr_accesses_bp, 80000u);
	KUNIT_EXPECT_EQ(test, r->age, 6u);

	/* half the samples in a fifth of the time */
	damon_rescale_region(r, &a20, &a10);
	KUNIT_EXPECT_EQ(test, r->nr_accesses, 5u);
	KUNIT_EXPECT_EQ(test, r->last_nr_accesses, 4u);
	KUNIT_EXPECT_EQ(test, r->nr_accesses_bp, 40000u);
	KUNIT_EXPECT_EQ(test, r->age, 30u);

	/* nothing changes under the same attributes */
	damon_rescale_region(r, &a10, &a10);
	KUNIT_EXPECT_EQ(test, r->nr_accesses, 5u);
	KUNIT_EXPECT_EQ(test, r->age, 30u);
}

static struct kunit_case damon_regions_test_cases[] = {
	KUNIT_CASE(damon_test_new_add_destroy_region),
	KUNIT_CASE(damon_test_split_region_at),
	KUNIT_CASE(damon_test_set_regions_alignment),
	KUNIT_CASE(damon_test_set_regions_keep_results),
	KUNIT_CASE(damon_test_set_regions_fill_and_span),
	KUNIT_CASE(damon_test_set_regions_invalid),
	KUNIT_CASE(damon_test_set_regions_realign),
	KUNIT_CASE(damon_test_set_regions_random),
	KUNIT_CASE(damon_test_moving_sum),
	KUNIT_CASE(damon_test_access_rate),
	KUNIT_CASE(damon_test_reset_aggregated),
	KUNIT_CASE(damon_test_update_ages),
	KUNIT_CASE(damon_test_merge_two),
	KUNIT_CASE(damon_test_merge_chain),
	KUNIT_CASE(damon_test_merge_limits),
	KUNIT_CASE(damon_test_merge_regions_max),
	KUNIT_CASE(damon_test_region_sz_limit),
	KUNIT_CASE(damon_test_nr_split_pieces),
	KUNIT_CASE(damon_test_split_regions),
	KUNIT_CASE(damon_test_split_regions_unit),
	KUNIT_CASE(damon_test_fill_min_regions),
	KUNIT_CASE(damon_test_split_merge_random),
	KUNIT_CASE(damon_test_rescale_region),
	{}
};

static struct kunit_suite damon_regions_test_suite = {
	.name = "damon-regions",
	.test_cases = damon_regions_test_cases,
};

kunit_test_suite(damon_regions_test_suite);
