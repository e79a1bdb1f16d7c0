// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the DAMON core: monitoring attributes, interval tuning,
 * committing parameters, damon_call(), starting and stopping kdamonds, and
 * an end-to-end run of a kdamond over a synthetic operations set whose
 * "memory" has one hot range, which the adaptive regions must find.
 *
 * Cases that start a kdamond allocate everything the kdamond may touch
 * before the context, so that the test-managed cleanup, which runs in
 * reverse order, stops the kdamond before freeing what it uses even when
 * an assertion ends the case early.
 */

#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/sched.h>
#include <linux/sizes.h>

#include "../core.h"

KUNIT_DEFINE_ACTION_WRAPPER(damon_test_destroy_ctx, damon_destroy_ctx,
			    struct damon_ctx *);

/* A context that is freed, with its targets, when the test case ends. */
static struct damon_ctx *damon_test_new_ctx(struct kunit *test)
{
	struct damon_ctx *ctx = damon_new_ctx();

	KUNIT_ASSERT_NOT_NULL(test, ctx);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							damon_test_destroy_ctx, ctx), 0);
	/* an operations set that needs no pids and no registration */
	ctx->ops.id = DAMON_OPS_PADDR;
	return ctx;
}

/*
 * A new target of @ctx with one region per entry of @ranges; region i gets
 * i + @results as its nr_accesses, last_nr_accesses and age.
 */
static struct damon_target *damon_test_add_target(struct kunit *test,
						  struct damon_ctx *ctx,
						  const struct damon_addr_range *ranges,
						  unsigned int nr, unsigned int results)
{
	struct damon_target *t = damon_new_target();
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, t);
	damon_add_target(ctx, t);
	for (i = 0; i < nr; i++) {
		struct damon_region *r = damon_new_region(ranges[i].start,
							  ranges[i].end);

		KUNIT_ASSERT_NOT_NULL(test, r);
		r->nr_accesses = i + results;
		r->last_nr_accesses = i + results;
		r->age = i + results;
		damon_add_region(r, t);
	}
	return t;
}

static unsigned int damon_test_nr_targets(struct damon_ctx *ctx)
{
	struct damon_target *t;
	unsigned int nr = 0;

	damon_for_each_target(t, ctx)
		nr++;
	return nr;
}

static struct damon_target *damon_test_nth_target(struct damon_ctx *ctx,
						  unsigned int n)
{
	struct damon_target *t;

	damon_for_each_target(t, ctx) {
		if (!n--)
			return t;
	}
	return NULL;
}

/*
 * An expected region: its range and its nr_accesses and age, or
 * DAMON_TEST_ANY if they do not matter.
 */
struct damon_test_region {
	unsigned long start;
	unsigned long end;
	unsigned int results;
};

#define DAMON_TEST_ANY	UINT_MAX

static void damon_test_expect_regions(struct kunit *test, struct damon_target *t,
				      const struct damon_test_region *want,
				      unsigned int nr)
{
	struct damon_region *r;
	unsigned int i = 0;

	KUNIT_ASSERT_NOT_NULL(test, t);
	KUNIT_EXPECT_EQ(test, damon_nr_regions(t), nr);
	damon_for_each_region(r, t) {
		if (i == nr)
			break;
		KUNIT_EXPECT_EQ_MSG(test, r->ar.start, want[i].start, "region %u", i);
		KUNIT_EXPECT_EQ_MSG(test, r->ar.end, want[i].end, "region %u", i);
		if (want[i].results != DAMON_TEST_ANY) {
			KUNIT_EXPECT_EQ_MSG(test, r->nr_accesses, want[i].results,
					    "region %u", i);
			KUNIT_EXPECT_EQ_MSG(test, r->age, want[i].results,
					    "region %u", i);
		}
		i++;
	}
	KUNIT_EXPECT_EQ(test, i, nr);
}

static const struct damon_attrs damon_test_attrs = {
	.sample_interval = 5000,
	.aggr_interval = 100000,
	.ops_update_interval = 1000000,
	.min_nr_regions = 10,
	.max_nr_regions = 1000,
};

static void damon_test_validate_attrs(struct kunit *test)
{
	struct damon_attrs a;

	a = damon_test_attrs;
	KUNIT_EXPECT_EQ(test, damon_validate_attrs(&a), 0);
	a.min_nr_regions = 2;
	KUNIT_EXPECT_EQ(test, damon_validate_attrs(&a), -EINVAL);
	a.min_nr_regions = 3;
	a.max_nr_regions = 3;
	KUNIT_EXPECT_EQ(test, damon_validate_attrs(&a), 0);
	a.min_nr_regions = 11;
	a.max_nr_regions = 10;
	KUNIT_EXPECT_EQ(test, damon_validate_attrs(&a), -EINVAL);

	a = damon_test_attrs;
	a.sample_interval = a.aggr_interval + 1;
	KUNIT_EXPECT_EQ(test, damon_validate_attrs(&a), -EINVAL);
	a.sample_interval = a.aggr_interval;
	KUNIT_EXPECT_EQ(test, damon_validate_attrs(&a), 0);

	/* the tuning bounds matter only when tuning is on */
	a = damon_test_attrs;
	a.intervals_goal.min_sample_us = 20000;
	a.intervals_goal.max_sample_us = 10000;
	KUNIT_EXPECT_EQ(test, damon_validate_attrs(&a), 0);
	a.intervals_goal.aggrs = 3;
	KUNIT_EXPECT_EQ(test, damon_validate_attrs(&a), -EINVAL);
	a.intervals_goal.min_sample_us = 1000;
	KUNIT_EXPECT_EQ(test, damon_validate_attrs(&a), 0);
	a.sample_interval = 999;
	KUNIT_EXPECT_EQ(test, damon_validate_attrs(&a), -EINVAL);
	a.sample_interval = 1000;
	KUNIT_EXPECT_EQ(test, damon_validate_attrs(&a), 0);
	a.sample_interval = 10000;
	KUNIT_EXPECT_EQ(test, damon_validate_attrs(&a), 0);
	a.sample_interval = 10001;
	KUNIT_EXPECT_EQ(test, damon_validate_attrs(&a), -EINVAL);
}

static void damon_test_set_attrs_samples(struct kunit *test)
{
	/* sampling, aggregation interval, samples per aggregation */
	static const unsigned long cases[][3] = {
		{ 5000, 100000, 20 }, { 3000, 10000, 3 }, { 5000, 5000, 1 },
		{ 0, 7, 7 }, { 0, 0, 1 }, { 1, 1000000, 1000000 },
	};
	struct damon_ctx *ctx = damon_test_new_ctx(test);
	struct damon_attrs a, before;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		a = damon_test_attrs;
		a.sample_interval = cases[i][0];
		a.aggr_interval = cases[i][1];
		KUNIT_ASSERT_EQ_MSG(test, damon_set_attrs(ctx, &a), 0, "case %u", i);
		KUNIT_EXPECT_EQ_MSG(test, ctx->attrs.sample_interval, cases[i][0],
				    "case %u", i);
		KUNIT_EXPECT_EQ_MSG(test, ctx->attrs.aggr_interval, cases[i][1],
				    "case %u", i);
		KUNIT_EXPECT_EQ_MSG(test, ctx->attrs.aggr_samples, cases[i][2],
				    "case %u", i);
		KUNIT_EXPECT_EQ_MSG(test, damon_max_nr_accesses(&ctx->attrs),
				    (unsigned int)cases[i][2], "case %u", i);
	}

	/* a refused update leaves everything as it was */
	before = ctx->attrs;
	a = damon_test_attrs;
	a.min_nr_regions = 2;
	KUNIT_EXPECT_EQ(test, damon_set_attrs(ctx, &a), -EINVAL);
	a = damon_test_attrs;
	a.sample_interval = a.aggr_interval * 2;
	KUNIT_EXPECT_EQ(test, damon_set_attrs(ctx, &a), -EINVAL);
	KUNIT_EXPECT_MEMEQ(test, &ctx->attrs, &before, sizeof(before));
}

static void damon_test_set_attrs_rescale(struct kunit *test)
{
	struct damon_addr_range ar = { 0, SZ_1M };
	struct damon_ctx *ctx = damon_test_new_ctx(test);
	struct damon_target *t = damon_test_add_target(test, ctx, &ar, 1, 0);
	struct damon_region *r = damon_first_region(t);
	struct damon_attrs a = damon_test_attrs;

	KUNIT_ASSERT_EQ(test, damon_set_attrs(ctx, &a), 0);
	r->nr_accesses = 10;
	r->last_nr_accesses = 8;
	r->nr_accesses_bp = 80000;
	r->age = 6;

	/* twice the samples per aggregation, in twice the time */
	a.aggr_interval *= 2;
	KUNIT_ASSERT_EQ(test, damon_set_attrs(ctx, &a), 0);
	KUNIT_EXPECT_EQ(test, r->nr_accesses, 20u);
	KUNIT_EXPECT_EQ(test, r->last_nr_accesses, 16u);
	KUNIT_EXPECT_EQ(test, r->nr_accesses_bp, 160000u);
	KUNIT_EXPECT_EQ(test, r->age, 3u);

	/* refused: nothing is rescaled */
	a.min_nr_regions = 1;
	KUNIT_EXPECT_EQ(test, damon_set_attrs(ctx, &a), -EINVAL);
	KUNIT_EXPECT_EQ(test, r->nr_accesses, 20u);
	KUNIT_EXPECT_EQ(test, r->age, 3u);
}

/* A goal of 10% of the possible access events, sampling within bounds. */
static const struct damon_intervals_goal damon_test_goal = {
	.access_bp = 1000, .aggrs = 3,
	.min_sample_us = 100, .max_sample_us = 100000,
};

static void damon_test_tuned_sample_direction(struct kunit *test)
{
	const struct damon_intervals_goal *goal = &damon_test_goal;
	const struct damon_intervals_goal none = {
		.access_bp = 0, .aggrs = 1,
		.min_sample_us = 1, .max_sample_us = 100000,
	};
	unsigned long next;

	/* nothing could have been observed: no information, no change */
	KUNIT_EXPECT_EQ(test, damon_tuned_sample_interval(goal, 5000, 0, 0), 5000ul);
	KUNIT_EXPECT_EQ(test, damon_tuned_sample_interval(goal, 5000, 7, 0), 5000ul);
	/* on the goal: the fixed point */
	KUNIT_EXPECT_EQ(test, damon_tuned_sample_interval(goal, 5000, 10, 100), 5000ul);
	KUNIT_EXPECT_EQ(test, damon_tuned_sample_interval(goal, 5000, 1ULL << 40,
							  10ULL << 40), 5000ul);
	KUNIT_EXPECT_EQ(test, damon_tuned_sample_interval(&none, 5000, 0, 100), 5000ul);

	/* too few events: longer, at most twice as long */
	next = damon_tuned_sample_interval(goal, 5000, 0, 100);
	KUNIT_EXPECT_GT(test, next, 5000ul);
	KUNIT_EXPECT_LE(test, next, 10000ul);
	next = damon_tuned_sample_interval(goal, 5000, 99, 1000);
	KUNIT_EXPECT_GT(test, next, 5000ul);
	KUNIT_EXPECT_LE(test, next, 10000ul);

	/* too many events: shorter, at least half as long */
	next = damon_tuned_sample_interval(goal, 5000, 100, 100);
	KUNIT_EXPECT_LT(test, next, 5000ul);
	KUNIT_EXPECT_GE(test, next, 2500ul);
	next = damon_tuned_sample_interval(goal, 5000, 11, 100);
	KUNIT_EXPECT_LT(test, next, 5000ul);
	KUNIT_EXPECT_GE(test, next, 2500ul);
	next = damon_tuned_sample_interval(goal, 5000, 3ULL << 40, 4ULL << 40);
	KUNIT_EXPECT_LT(test, next, 5000ul);
	KUNIT_EXPECT_GE(test, next, 2500ul);
	next = damon_tuned_sample_interval(&none, 5000, 1, 100);
	KUNIT_EXPECT_LT(test, next, 5000ul);
	KUNIT_EXPECT_GE(test, next, 2500ul);
}

static void damon_test_tuned_sample_bounds(struct kunit *test)
{
	const struct damon_intervals_goal *goal = &damon_test_goal;
	const struct damon_intervals_goal wide = {
		.access_bp = 1000, .aggrs = 1,
		.min_sample_us = 0, .max_sample_us = ULONG_MAX,
	};
	unsigned long next;

	next = damon_tuned_sample_interval(goal, 90000, 0, 100);
	KUNIT_EXPECT_GT(test, next, 90000ul);
	KUNIT_EXPECT_LE(test, next, 100000ul);
	KUNIT_EXPECT_EQ(test, damon_tuned_sample_interval(goal, 100000, 0, 100),
			100000ul);
	next = damon_tuned_sample_interval(goal, 150, 100, 100);
	KUNIT_EXPECT_LT(test, next, 150ul);
	KUNIT_EXPECT_GE(test, next, 100ul);
	KUNIT_EXPECT_EQ(test, damon_tuned_sample_interval(goal, 100, 100, 100), 100ul);

	/* never zero, and even the shortest interval can grow */
	KUNIT_EXPECT_GE(test, damon_tuned_sample_interval(&wide, 1, 100, 100), 1ul);
	next = damon_tuned_sample_interval(&wide, 1, 0, 100);
	KUNIT_EXPECT_GT(test, next, 1ul);
	KUNIT_EXPECT_LE(test, next, 2ul);
}

/* Attributes, address unit and region size unit are copied. */
static void damon_test_commit_scalars(struct kunit *test)
{
	struct damon_ctx *dst = damon_test_new_ctx(test);
	struct damon_ctx *src = damon_test_new_ctx(test);
	struct damon_attrs a = damon_test_attrs;

	a.sample_interval = 2000;
	a.aggr_interval = 40000;
	a.ops_update_interval = 500000;
	a.min_nr_regions = 5;
	a.max_nr_regions = 50;
	KUNIT_ASSERT_EQ(test, damon_set_attrs(src, &a), 0);
	src->addr_unit = 4;
	src->min_region_sz = 2 * PAGE_SIZE;

	KUNIT_ASSERT_EQ(test, damon_commit_ctx(dst, src), 0);
	KUNIT_EXPECT_EQ(test, dst->attrs.sample_interval, 2000ul);
	KUNIT_EXPECT_EQ(test, dst->attrs.aggr_interval, 40000ul);
	KUNIT_EXPECT_EQ(test, dst->attrs.ops_update_interval, 500000ul);
	KUNIT_EXPECT_EQ(test, dst->attrs.min_nr_regions, 5ul);
	KUNIT_EXPECT_EQ(test, dst->attrs.max_nr_regions, 50ul);
	KUNIT_EXPECT_EQ(test, damon_max_nr_accesses(&dst->attrs), 20u);
	KUNIT_EXPECT_EQ(test, dst->addr_unit, 4ul);
	KUNIT_EXPECT_EQ(test, dst->min_region_sz, 2 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, dst->ops.id, DAMON_OPS_PADDR);
	KUNIT_EXPECT_EQ(test, damon_test_nr_targets(dst), 0u);
}

/*
 * Targets pair up by position: regions given replace the old ones (what
 * overlaps keeps its results), no regions keeps the old ones, and extra
 * source targets are added.
 */
static void damon_test_commit_targets(struct kunit *test)
{
	struct damon_ctx *dst = damon_test_new_ctx(test);
	struct damon_ctx *src = damon_test_new_ctx(test);
	unsigned long u = dst->min_region_sz;
	struct damon_addr_range d0[] = { { 0, 10 * u } };
	struct damon_addr_range d1[] = { { 100 * u, 105 * u }, { 105 * u, 110 * u } };
	struct damon_addr_range s0[] = { { 5 * u, 20 * u } };
	struct damon_addr_range s2[] = { { 200 * u, 210 * u } };
	const struct damon_test_region w0[] = {
		{ 5 * u, 10 * u, 5 }, { 10 * u, 20 * u, 0 },
	};
	const struct damon_test_region w1[] = {
		{ 100 * u, 105 * u, 3 }, { 105 * u, 110 * u, 4 },
	};
	const struct damon_test_region w2[] = {
		{ 200 * u, 210 * u, DAMON_TEST_ANY },
	};
	struct damon_target *t0, *t1;

	t0 = damon_test_add_target(test, dst, d0, 1, 5);
	t1 = damon_test_add_target(test, dst, d1, 2, 3);
	damon_test_add_target(test, src, s0, 1, 50);
	damon_test_add_target(test, src, NULL, 0, 0);
	damon_test_add_target(test, src, s2, 1, 60);

	KUNIT_ASSERT_EQ(test, damon_commit_ctx(dst, src), 0);
	KUNIT_ASSERT_EQ(test, damon_test_nr_targets(dst), 3u);
	/* the targets themselves stay, with their results */
	KUNIT_EXPECT_PTR_EQ(test, damon_test_nth_target(dst, 0), t0);
	KUNIT_EXPECT_PTR_EQ(test, damon_test_nth_target(dst, 1), t1);
	damon_test_expect_regions(test, t0, w0, ARRAY_SIZE(w0));
	damon_test_expect_regions(test, t1, w1, ARRAY_SIZE(w1));
	/* a new target covers the source target's ranges */
	damon_test_expect_regions(test, damon_test_nth_target(dst, 2), w2,
				  ARRAY_SIZE(w2));
	/* the source keeps its own targets */
	KUNIT_EXPECT_EQ(test, damon_test_nr_targets(src), 3u);

	/* fewer source targets: the extra ones go */
	damon_destroy_target(damon_test_nth_target(src, 2), src);
	damon_destroy_target(damon_test_nth_target(src, 0), src);
	KUNIT_ASSERT_EQ(test, damon_commit_ctx(dst, src), 0);
	KUNIT_ASSERT_EQ(test, damon_test_nr_targets(dst), 1u);
	KUNIT_EXPECT_PTR_EQ(test, damon_test_nth_target(dst, 0), t0);
	damon_test_expect_regions(test, t0, w0, ARRAY_SIZE(w0));

	/* no source targets at all */
	damon_destroy_target(damon_test_nth_target(src, 0), src);
	KUNIT_ASSERT_EQ(test, damon_commit_ctx(dst, src), 0);
	KUNIT_EXPECT_EQ(test, damon_test_nr_targets(dst), 0u);
}

/* An obsolete source target removes its counterpart; the rest shift. */
static void damon_test_commit_obsolete(struct kunit *test)
{
	struct damon_ctx *dst = damon_test_new_ctx(test);
	struct damon_ctx *src = damon_test_new_ctx(test);
	unsigned long u = dst->min_region_sz;
	struct damon_addr_range d0[] = { { 0, 10 * u } };
	struct damon_addr_range d1[] = { { 100 * u, 110 * u } };
	struct damon_addr_range d2[] = { { 200 * u, 210 * u } };
	const struct damon_test_region w0[] = { { 0, 10 * u, 1 } };
	const struct damon_test_region w2[] = { { 200 * u, 210 * u, 3 } };
	struct damon_target *t0, *t2;

	t0 = damon_test_add_target(test, dst, d0, 1, 1);
	damon_test_add_target(test, dst, d1, 1, 2);
	t2 = damon_test_add_target(test, dst, d2, 1, 3);
	damon_test_add_target(test, src, NULL, 0, 0);
	damon_test_add_target(test, src, NULL, 0, 0)->obsolete = true;
	damon_test_add_target(test, src, NULL, 0, 0);

	KUNIT_ASSERT_EQ(test, damon_commit_ctx(dst, src), 0);
	KUNIT_ASSERT_EQ(test, damon_test_nr_targets(dst), 2u);
	KUNIT_EXPECT_PTR_EQ(test, damon_test_nth_target(dst, 0), t0);
	KUNIT_EXPECT_PTR_EQ(test, damon_test_nth_target(dst, 1), t2);
	damon_test_expect_regions(test, t0, w0, ARRAY_SIZE(w0));
	damon_test_expect_regions(test, t2, w2, ARRAY_SIZE(w2));
}

/* Refused commits leave the destination exactly as it was. */
static void damon_test_commit_invalid(struct kunit *test)
{
	struct damon_ctx *dst = damon_test_new_ctx(test);
	struct damon_ctx *src = damon_test_new_ctx(test);
	unsigned long u = dst->min_region_sz;
	struct damon_addr_range d0[] = { { 0, 10 * u } };
	struct damon_addr_range s0[] = { { 50 * u, 60 * u } };
	const struct damon_test_region w0[] = { { 0, 10 * u, 7 } };
	struct damon_attrs before = dst->attrs;
	struct damon_attrs a = damon_test_attrs;
	struct damon_target *t0, *obsolete;

	t0 = damon_test_add_target(test, dst, d0, 1, 7);
	a.sample_interval = 2000;
	KUNIT_ASSERT_EQ(test, damon_set_attrs(src, &a), 0);
	src->addr_unit = 8;
	damon_test_add_target(test, src, s0, 1, 0);
	/* an obsolete target that has no counterpart to remove */
	obsolete = damon_test_add_target(test, src, NULL, 0, 0);
	obsolete->obsolete = true;

	KUNIT_EXPECT_EQ(test, damon_commit_ctx(dst, src), -EINVAL);
	KUNIT_EXPECT_MEMEQ(test, &dst->attrs, &before, sizeof(before));
	KUNIT_EXPECT_EQ(test, dst->addr_unit, 1ul);
	KUNIT_ASSERT_EQ(test, damon_test_nr_targets(dst), 1u);
	KUNIT_EXPECT_PTR_EQ(test, damon_test_nth_target(dst, 0), t0);
	damon_test_expect_regions(test, t0, w0, ARRAY_SIZE(w0));

	/* invalid attributes */
	obsolete->obsolete = false;
	src->attrs.min_nr_regions = 2;
	KUNIT_EXPECT_EQ(test, damon_commit_ctx(dst, src), -EINVAL);
	src->attrs.min_nr_regions = 10;
	src->attrs.sample_interval = src->attrs.aggr_interval + 1;
	KUNIT_EXPECT_EQ(test, damon_commit_ctx(dst, src), -EINVAL);
	KUNIT_EXPECT_MEMEQ(test, &dst->attrs, &before, sizeof(before));
	KUNIT_EXPECT_EQ(test, dst->addr_unit, 1ul);
	KUNIT_ASSERT_EQ(test, damon_test_nr_targets(dst), 1u);
	damon_test_expect_regions(test, t0, w0, ARRAY_SIZE(w0));

	/* and the same source, once valid, is accepted */
	src->attrs.sample_interval = 2000;
	KUNIT_EXPECT_EQ(test, damon_commit_ctx(dst, src), 0);
	KUNIT_EXPECT_EQ(test, damon_test_nr_targets(dst), 2u);
	KUNIT_EXPECT_EQ(test, dst->addr_unit, 8ul);
}

/* State shared with the kdamond by the damon_call() cases. */
struct damon_test_calls {
	struct damon_call_control once;
	struct damon_call_control repeat;
	atomic_t nr_repeats;
	pid_t once_pid;
};

static int damon_test_call_once(void *data)
{
	struct damon_test_calls *c = data;

	c->once_pid = current->pid;
	return 42;
}

static int damon_test_call_repeat(void *data)
{
	struct damon_test_calls *c = data;

	atomic_inc(&c->nr_repeats);
	return 0;
}

static void damon_test_call_not_running(struct kunit *test)
{
	struct damon_test_calls *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	struct damon_ctx *ctx;

	KUNIT_ASSERT_NOT_NULL(test, c);
	ctx = damon_test_new_ctx(test);
	c->once.fn = damon_test_call_once;
	c->once.data = c;
	KUNIT_EXPECT_EQ(test, damon_call(ctx, &c->once), -ECANCELED);
	c->repeat.fn = damon_test_call_repeat;
	c->repeat.data = c;
	c->repeat.repeat = true;
	KUNIT_EXPECT_EQ(test, damon_call(ctx, &c->repeat), -ECANCELED);
	KUNIT_EXPECT_EQ(test, c->once_pid, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->nr_repeats), 0);
	KUNIT_EXPECT_FALSE(test, damon_is_running(ctx));
}

/* Wait up to @ms milliseconds for the repeating call to run @nr times. */
static bool damon_test_wait_repeats(struct damon_test_calls *c, int nr,
				    unsigned int ms)
{
	unsigned long deadline = jiffies + msecs_to_jiffies(ms);

	while (atomic_read(&c->nr_repeats) < nr) {
		if (time_after(jiffies, deadline))
			return false;
		msleep(20);
	}
	return true;
}

static void damon_test_start_stop(struct kunit *test)
{
	struct damon_attrs a = damon_test_attrs;
	struct damon_ctx *ctx, *other;

	ctx = damon_test_new_ctx(test);
	other = damon_test_new_ctx(test);
	a.sample_interval = 1000;
	a.aggr_interval = 10000;
	KUNIT_ASSERT_EQ(test, damon_set_attrs(ctx, &a), 0);
	KUNIT_ASSERT_EQ(test, damon_set_attrs(other, &a), 0);

	KUNIT_EXPECT_EQ(test, damon_stop(&ctx, 1), -EPERM);
	KUNIT_EXPECT_EQ(test, damon_kdamond_pid(ctx), -EINVAL);
	KUNIT_ASSERT_EQ(test, damon_start(&ctx, 1, false), 0);
	KUNIT_EXPECT_TRUE(test, damon_is_running(ctx));
	KUNIT_EXPECT_GT(test, damon_kdamond_pid(ctx), 0);
	KUNIT_EXPECT_EQ(test, damon_start(&ctx, 1, false), -EBUSY);
	KUNIT_EXPECT_EQ(test, damon_start(&other, 1, true), -EBUSY);
	KUNIT_EXPECT_FALSE(test, damon_is_running(other));

	KUNIT_EXPECT_EQ(test, damon_stop(&ctx, 1), 0);
	KUNIT_EXPECT_FALSE(test, damon_is_running(ctx));
	KUNIT_EXPECT_EQ(test, damon_kdamond_pid(ctx), -EINVAL);
	KUNIT_EXPECT_EQ(test, damon_stop(&ctx, 1), -EPERM);

	/* an exclusive group keeps everything else out */
	KUNIT_ASSERT_EQ(test, damon_start(&other, 1, true), 0);
	KUNIT_EXPECT_EQ(test, damon_start(&ctx, 1, false), -EBUSY);
	KUNIT_EXPECT_FALSE(test, damon_is_running(ctx));
	KUNIT_EXPECT_EQ(test, damon_stop(&other, 1), 0);

	/* a stopped context can be started again */
	KUNIT_ASSERT_EQ(test, damon_start(&ctx, 1, false), 0);
	KUNIT_EXPECT_GT(test, damon_kdamond_pid(ctx), 0);
	KUNIT_EXPECT_EQ(test, damon_stop(&ctx, 1), 0);
}

static void damon_test_call_running(struct kunit *test)
{
	struct damon_attrs a = damon_test_attrs;
	struct damon_test_calls *c;
	struct damon_ctx *ctx;
	int pid, nr_repeats;

	c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c);
	ctx = damon_test_new_ctx(test);
	a.sample_interval = 1000;
	a.aggr_interval = 10000;
	KUNIT_ASSERT_EQ(test, damon_set_attrs(ctx, &a), 0);
	KUNIT_ASSERT_EQ(test, damon_start(&ctx, 1, false), 0);
	pid = damon_kdamond_pid(ctx);

	/* a one-shot call runs on the kdamond and hands back its result */
	c->once.fn = damon_test_call_once;
	c->once.data = c;
	KUNIT_EXPECT_EQ(test, damon_call(ctx, &c->once), 0);
	KUNIT_EXPECT_EQ(test, c->once_pid, pid);
	KUNIT_EXPECT_EQ(test, c->once.return_code, 42);

	/* a repeating one runs until the kdamond stops, then is cancelled */
	c->repeat.fn = damon_test_call_repeat;
	c->repeat.data = c;
	c->repeat.repeat = true;
	KUNIT_EXPECT_EQ(test, damon_call(ctx, &c->repeat), 0);
	KUNIT_EXPECT_TRUE(test, damon_test_wait_repeats(c, 3, 10000));

	KUNIT_EXPECT_EQ(test, damon_stop(&ctx, 1), 0);
	nr_repeats = atomic_read(&c->nr_repeats);
	KUNIT_EXPECT_GE(test, nr_repeats, 2);
	KUNIT_EXPECT_TRUE(test, completion_done(&c->repeat.completion));
	KUNIT_EXPECT_EQ(test, damon_call(ctx, &c->once), -ECANCELED);
	msleep(50);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->nr_repeats), nr_repeats);
}

/*
 * The end-to-end case.  Sampling addresses in [E2E_HOT_START, E2E_HOT_END)
 * are always found accessed, all others never; the boundaries are not on
 * any power-of-two split of the 1 GiB, so the regions must home in on them.
 */
#define E2E_SZ			SZ_1G
#define E2E_HOT_START		(300UL * SZ_1M)
#define E2E_HOT_END		(400UL * SZ_1M)
#define E2E_TOLERANCE		((E2E_HOT_END - E2E_HOT_START) / 20)
#define E2E_MAX_REGIONS		1000
#define E2E_MIN_AGGRS		50
#define E2E_TIMEOUT_MS		15000

struct damon_test_e2e {
	struct damon_call_control call;
	struct damon_ctx *ctx;
	unsigned long passed_samples;
	unsigned int max_nr_accesses;
	unsigned int nr;
	struct damon_addr_range ar[E2E_MAX_REGIONS];
	unsigned int last_nr_accesses[E2E_MAX_REGIONS];
};

static void damon_test_e2e_prepare(struct damon_ctx *ctx)
{
	struct damon_target *t;
	struct damon_region *r;

	damon_for_each_target(t, ctx)
		damon_for_each_region(r, t)
			r->sampling_addr = damon_rand(r->ar.start, r->ar.end);
}

static unsigned int damon_test_e2e_check(struct damon_ctx *ctx)
{
	unsigned int max_nr = 0;
	struct damon_target *t;
	struct damon_region *r;

	damon_for_each_target(t, ctx) {
		damon_for_each_region(r, t) {
			unsigned long addr = r->sampling_addr;

			damon_update_region_access_rate(r, addr >= E2E_HOT_START &&
							addr < E2E_HOT_END, &ctx->attrs);
			max_nr = max(max_nr, r->nr_accesses);
		}
	}
	return max_nr;
}

static const struct damon_operations damon_test_e2e_ops = {
	.id = DAMON_OPS_PADDR,
	.prepare_access_checks = damon_test_e2e_prepare,
	.check_accesses = damon_test_e2e_check,
};

/* Runs on the kdamond: copy the regions out. */
static int damon_test_e2e_snapshot(void *data)
{
	struct damon_test_e2e *e = data;
	struct damon_target *t;
	struct damon_region *r;
	unsigned int nr = 0;

	e->passed_samples = e->ctx->passed_sample_intervals;
	e->max_nr_accesses = damon_max_nr_accesses(&e->ctx->attrs);
	damon_for_each_target(t, e->ctx) {
		damon_for_each_region(r, t) {
			if (nr < E2E_MAX_REGIONS) {
				e->ar[nr] = r->ar;
				e->last_nr_accesses[nr] = r->last_nr_accesses;
			}
			nr++;
		}
	}
	e->nr = nr;
	return 0;
}

/* The snapshot must cover the whole range with valid regions. */
static bool damon_test_e2e_layout_ok(struct kunit *test,
				     const struct damon_test_e2e *e,
				     unsigned long min_sz)
{
	unsigned long end = 0;
	unsigned int i;

	if (e->nr < 10 || e->nr > E2E_MAX_REGIONS) {
		KUNIT_FAIL(test, "%u regions, want 10 to %u", e->nr,
			   E2E_MAX_REGIONS);
		return false;
	}
	for (i = 0; i < e->nr; i++) {
		const struct damon_addr_range *ar = &e->ar[i];

		if (ar->start != end || ar->end < ar->start + min_sz ||
		    ar->end % min_sz) {
			KUNIT_FAIL(test, "region %u is [%lu, %lu) after %lu",
				   i, ar->start, ar->end, end);
			return false;
		}
		end = ar->end;
	}
	if (end != E2E_SZ) {
		KUNIT_FAIL(test, "regions end at %lu", end);
		return false;
	}
	return true;
}

/* Find the span of the regions found hot; true if it matches the truth. */
static bool damon_test_e2e_accurate(const struct damon_test_e2e *e,
				    unsigned long *start, unsigned long *end)
{
	unsigned int i;

	*start = ULONG_MAX;
	*end = 0;
	for (i = 0; i < e->nr; i++) {
		if (e->last_nr_accesses[i] * 2 < e->max_nr_accesses)
			continue;
		*start = min(*start, e->ar[i].start);
		*end = max(*end, e->ar[i].end);
	}
	return *start != ULONG_MAX &&
		abs_diff(*start, E2E_HOT_START) <= E2E_TOLERANCE &&
		abs_diff(*end, E2E_HOT_END) <= E2E_TOLERANCE;
}

static void damon_test_e2e(struct kunit *test)
{
	struct damon_attrs a = {
		.sample_interval = 1000, .aggr_interval = 20000,
		.ops_update_interval = 60 * USEC_PER_SEC,
		.min_nr_regions = 10, .max_nr_regions = E2E_MAX_REGIONS,
	};
	struct damon_addr_range whole = { 0, E2E_SZ };
	unsigned long deadline, aggrs = 0, start = 0, end = 0;
	struct damon_test_e2e *e;
	struct damon_target *t;
	bool accurate = false;
	struct damon_ctx *ctx;
	int err;

	e = kunit_kzalloc(test, sizeof(*e), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, e);
	ctx = damon_test_new_ctx(test);
	ctx->ops = damon_test_e2e_ops;
	KUNIT_ASSERT_EQ(test, damon_set_attrs(ctx, &a), 0);
	t = damon_new_target();
	KUNIT_ASSERT_NOT_NULL(test, t);
	damon_add_target(ctx, t);
	KUNIT_ASSERT_EQ(test, damon_set_regions(t, &whole, 1, ctx->min_region_sz), 0);
	e->ctx = ctx;
	e->call.fn = damon_test_e2e_snapshot;
	e->call.data = e;

	KUNIT_ASSERT_EQ(test, damon_start(&ctx, 1, true), 0);
	deadline = jiffies + msecs_to_jiffies(E2E_TIMEOUT_MS);
	do {
		msleep(100);
		err = damon_call(ctx, &e->call);
		if (err || !damon_test_e2e_layout_ok(test, e, ctx->min_region_sz))
			break;
		aggrs = e->passed_samples / e->max_nr_accesses;
		accurate = damon_test_e2e_accurate(e, &start, &end);
	} while ((!accurate || aggrs < E2E_MIN_AGGRS) &&
		 time_before(jiffies, deadline));
	KUNIT_EXPECT_EQ(test, damon_stop(&ctx, 1), 0);

	KUNIT_EXPECT_EQ(test, err, 0);
	KUNIT_EXPECT_GT(test, aggrs, 0ul);
	KUNIT_EXPECT_TRUE_MSG(test, accurate,
			      "hot [%lu, %lu), want [%lu, %lu) +-%lu, after %lu aggregations",
			      start, end, E2E_HOT_START, E2E_HOT_END,
			      E2E_TOLERANCE, aggrs);
	kunit_info(test, "hot [%lu, %lu) after %lu aggregations, %u regions\n",
		   start, end, aggrs, e->nr);
}

static struct kunit_case damon_core_test_cases[] = {
	KUNIT_CASE(damon_test_validate_attrs),
	KUNIT_CASE(damon_test_set_attrs_samples),
	KUNIT_CASE(damon_test_set_attrs_rescale),
	KUNIT_CASE(damon_test_tuned_sample_direction),
	KUNIT_CASE(damon_test_tuned_sample_bounds),
	KUNIT_CASE(damon_test_commit_scalars),
	KUNIT_CASE(damon_test_commit_targets),
	KUNIT_CASE(damon_test_commit_obsolete),
	KUNIT_CASE(damon_test_commit_invalid),
	KUNIT_CASE(damon_test_call_not_running),
	KUNIT_CASE_SLOW(damon_test_start_stop),
	KUNIT_CASE_SLOW(damon_test_call_running),
	KUNIT_CASE_SLOW(damon_test_e2e),
	{}
};

static struct kunit_suite damon_core_test_suite = {
	.name = "damon-core",
	.test_cases = damon_core_test_cases,
};

kunit_test_suite(damon_core_test_suite);
