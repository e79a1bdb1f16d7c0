// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the DAMON virtual address operations sets.
 *
 * Most cases feed mapping layouts to the range selection of vaddr and check
 * which ranges it would watch.  The rest drive the registered operations on
 * a target whose process has no address space (the test's own kernel
 * thread), which is what a target looks like once its process has exited.
 */

#include <kunit/test.h>
#include <linux/damon.h>
#include <linux/pid.h>
#include <linux/sched.h>

#include "../ops-common.h"

#define R(s, e)	{ .start = (s), .end = (e) }

/* Check that @maps are covered by exactly @want. */
static void expect_ranges(struct kunit *test,
			  const struct damon_addr_range *maps, unsigned int nr_maps,
			  const struct damon_addr_range *want, unsigned int nr_want)
{
	struct damon_addr_range got[DAMON_VA_NR_RANGES];
	unsigned int nr, i;

	nr = damon_va_three_ranges(maps, nr_maps, got);
	KUNIT_ASSERT_EQ(test, nr, nr_want);
	for (i = 0; i < nr; i++) {
		KUNIT_EXPECT_EQ_MSG(test, got[i].start, want[i].start,
				    "range %u", i);
		KUNIT_EXPECT_EQ_MSG(test, got[i].end, want[i].end,
				    "range %u", i);
	}
}

static void damon_va_test_no_mapping(struct kunit *test)
{
	struct damon_addr_range got[DAMON_VA_NR_RANGES];

	KUNIT_EXPECT_EQ(test, damon_va_three_ranges(NULL, 0, got), 0U);
}

static void damon_va_test_one_mapping(struct kunit *test)
{
	const struct damon_addr_range maps[] = { R(0x1000, 0x5000) };

	expect_ranges(test, maps, ARRAY_SIZE(maps), maps, ARRAY_SIZE(maps));
}

static void damon_va_test_two_mappings(struct kunit *test)
{
	const struct damon_addr_range maps[] = {
		R(0x1000, 0x2000), R(0x8000, 0x9000),
	};

	expect_ranges(test, maps, ARRAY_SIZE(maps), maps, ARRAY_SIZE(maps));
}

static void damon_va_test_three_mappings(struct kunit *test)
{
	const struct damon_addr_range maps[] = {
		R(0x1000, 0x2000), R(0x3000, 0x4000), R(0x9000, 0xa000),
	};

	expect_ranges(test, maps, ARRAY_SIZE(maps), maps, ARRAY_SIZE(maps));
}

/* Mappings that touch leave no hole, however many there are. */
static void damon_va_test_adjacent_mappings(struct kunit *test)
{
	const struct damon_addr_range maps[] = {
		R(0x1000, 0x2000), R(0x2000, 0x3000), R(0x3000, 0x7000),
		R(0x7000, 0x8000),
	};
	const struct damon_addr_range want[] = { R(0x1000, 0x8000) };

	expect_ranges(test, maps, ARRAY_SIZE(maps), want, ARRAY_SIZE(want));
}

/* One hole among adjacent mappings: two ranges. */
static void damon_va_test_one_hole(struct kunit *test)
{
	const struct damon_addr_range maps[] = {
		R(0x1000, 0x2000), R(0x2000, 0x3000), R(0x5000, 0x6000),
		R(0x6000, 0x7000),
	};
	const struct damon_addr_range want[] = {
		R(0x1000, 0x3000), R(0x5000, 0x7000),
	};

	expect_ranges(test, maps, ARRAY_SIZE(maps), want, ARRAY_SIZE(want));
}

/*
 * A process as it usually looks: program, data and heap low, libraries and
 * the vDSO high, the stack at the top.  The holes left out are heap..libraries
 * and vDSO..stack, not the smaller ones between the program's own mappings or
 * between the libraries and the vDSO.
 */
static void damon_va_test_process_layout(struct kunit *test)
{
	const struct damon_addr_range maps[] = {
		R(0x555555554000, 0x555555556000),	/* text */
		R(0x555555556000, 0x555555557000),	/* rodata */
		R(0x555555757000, 0x555555758000),	/* data */
		R(0x555555758000, 0x555555779000),	/* heap */
		R(0x7ffff7dd3000, 0x7ffff7dfc000),	/* libc */
		R(0x7ffff7ff7000, 0x7ffff7ffa000),	/* vvar */
		R(0x7ffff7ffa000, 0x7ffff7ffc000),	/* vdso */
		R(0x7ffffffde000, 0x7ffffffff000),	/* stack */
	};
	const struct damon_addr_range want[] = {
		R(0x555555554000, 0x555555779000),
		R(0x7ffff7dd3000, 0x7ffff7ffc000),
		R(0x7ffffffde000, 0x7ffffffff000),
	};

	expect_ranges(test, maps, ARRAY_SIZE(maps), want, ARRAY_SIZE(want));
}

/* The output is sorted by address whatever order the hole sizes come in. */
static void damon_va_test_growing_holes(struct kunit *test)
{
	const struct damon_addr_range maps[] = {
		R(0, 10), R(20, 30), R(50, 60), R(90, 100),
	};
	const struct damon_addr_range want[] = {
		R(0, 30), R(50, 60), R(90, 100),
	};

	expect_ranges(test, maps, ARRAY_SIZE(maps), want, ARRAY_SIZE(want));
}

static void damon_va_test_shrinking_holes(struct kunit *test)
{
	const struct damon_addr_range maps[] = {
		R(0, 10), R(40, 50), R(70, 80), R(90, 100),
	};
	const struct damon_addr_range want[] = {
		R(0, 10), R(40, 50), R(70, 100),
	};

	expect_ranges(test, maps, ARRAY_SIZE(maps), want, ARRAY_SIZE(want));
}

/* Of equally large holes, the lowest are left out. */
static void damon_va_test_equal_holes(struct kunit *test)
{
	const struct damon_addr_range maps[] = {
		R(0, 10), R(20, 30), R(40, 50), R(60, 70),
	};
	const struct damon_addr_range want[] = {
		R(0, 10), R(20, 30), R(40, 70),
	};

	expect_ranges(test, maps, ARRAY_SIZE(maps), want, ARRAY_SIZE(want));
}

/*
 * A larger hole coming after two equal ones pushes the higher of the two
 * out, not the lower one.
 */
static void damon_va_test_tie_then_larger(struct kunit *test)
{
	const struct damon_addr_range maps[] = {
		R(0, 10), R(20, 30), R(40, 50), R(70, 80),
	};
	const struct damon_addr_range want[] = {
		R(0, 10), R(20, 50), R(70, 80),
	};

	expect_ranges(test, maps, ARRAY_SIZE(maps), want, ARRAY_SIZE(want));
}

/* Many mappings and holes: only the two largest holes count. */
static void damon_va_test_many_mappings(struct kunit *test)
{
	struct damon_addr_range maps[64];
	const struct damon_addr_range want[] = {
		R(0, 17 * 0x10000 + 0x1000),
		R(18 * 0x10000 + 0x800000, 40 * 0x10000 + 0x800000 + 0x1000),
		R(41 * 0x10000 + 0x800000 + 0x400000,
		  63 * 0x10000 + 0xc00000 + 0x1000),
	};
	unsigned long base = 0;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(maps); i++) {
		if (i == 18)
			base += 0x800000;
		else if (i == 41)
			base += 0x400000;
		maps[i].start = base + i * 0x10000;
		maps[i].end = maps[i].start + 0x1000;
	}
	expect_ranges(test, maps, ARRAY_SIZE(maps), want, ARRAY_SIZE(want));
}

/* Empty mappings are ignored; overlapping ones are merged, not holes. */
static void damon_va_test_odd_input(struct kunit *test)
{
	const struct damon_addr_range maps[] = {
		R(10, 30), R(30, 30), R(20, 40), R(50, 60),
	};
	const struct damon_addr_range want[] = { R(10, 40), R(50, 60) };

	expect_ranges(test, maps, ARRAY_SIZE(maps), want, ARRAY_SIZE(want));
}

static void damon_va_test_registered(struct kunit *test)
{
	struct damon_ctx *ctx = damon_new_ctx();

	KUNIT_ASSERT_NOT_NULL(test, ctx);
	KUNIT_EXPECT_TRUE(test, damon_is_registered_ops(DAMON_OPS_VADDR));
	KUNIT_EXPECT_TRUE(test, damon_is_registered_ops(DAMON_OPS_FVADDR));

	KUNIT_EXPECT_EQ(test, damon_select_ops(ctx, DAMON_OPS_VADDR), 0);
	KUNIT_EXPECT_NOT_NULL(test, ctx->ops.init);
	KUNIT_EXPECT_NOT_NULL(test, ctx->ops.update);
	KUNIT_EXPECT_NOT_NULL(test, ctx->ops.target_valid);
	KUNIT_EXPECT_NOT_NULL(test, ctx->ops.cleanup_target);

	/* fvaddr never changes the ranges it was given */
	KUNIT_EXPECT_EQ(test, damon_select_ops(ctx, DAMON_OPS_FVADDR), 0);
	KUNIT_EXPECT_EQ(test, ctx->ops.id, DAMON_OPS_FVADDR);
	KUNIT_EXPECT_NULL(test, ctx->ops.init);
	KUNIT_EXPECT_NULL(test, ctx->ops.update);
	KUNIT_EXPECT_NOT_NULL(test, ctx->ops.check_accesses);
	damon_destroy_ctx(ctx);
}

/*
 * A target whose process has no address space is invalid, gets no ranges,
 * and its regions are sampled as never accessed; destroying it drops its pid
 * reference.
 */
static void damon_va_test_no_mm(struct kunit *test)
{
	struct pid *pid = get_task_pid(current, PIDTYPE_PID);
	unsigned int pid_refs = refcount_read(&pid->count);
	struct damon_ctx *ctx = damon_new_ctx();
	struct damon_target *t = damon_new_target();
	struct damon_region *r;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, ctx);
	KUNIT_ASSERT_NOT_NULL(test, t);
	KUNIT_ASSERT_NULL(test, current->mm);
	KUNIT_ASSERT_EQ(test, damon_select_ops(ctx, DAMON_OPS_VADDR), 0);
	t->pid = get_pid(pid);
	damon_add_target(ctx, t);

	ctx->ops.init(ctx);
	KUNIT_EXPECT_EQ(test, damon_nr_regions(t), 0U);
	KUNIT_EXPECT_FALSE(test, ctx->ops.target_valid(t));

	r = damon_new_region(0x10000, 0x20000);
	KUNIT_ASSERT_NOT_NULL(test, r);
	damon_add_region(r, t);
	for (i = 0; i < 3; i++) {
		ctx->ops.prepare_access_checks(ctx);
		KUNIT_EXPECT_GE(test, r->sampling_addr, 0x10000UL);
		KUNIT_EXPECT_LT(test, r->sampling_addr, 0x20000UL);
		KUNIT_EXPECT_EQ(test, ctx->ops.check_accesses(ctx), 0U);
	}
	KUNIT_EXPECT_EQ(test, r->nr_accesses, 0U);

	/* the update keeps the regions of a process it cannot see */
	ctx->ops.update(ctx);
	KUNIT_EXPECT_EQ(test, damon_nr_regions(t), 1U);

	KUNIT_EXPECT_EQ(test, refcount_read(&pid->count), pid_refs + 1);
	damon_destroy_target(t, ctx);
	KUNIT_EXPECT_EQ(test, refcount_read(&pid->count), pid_refs);
	damon_destroy_ctx(ctx);
	put_pid(pid);
}

static struct kunit_case damon_va_test_cases[] = {
	KUNIT_CASE(damon_va_test_no_mapping),
	KUNIT_CASE(damon_va_test_one_mapping),
	KUNIT_CASE(damon_va_test_two_mappings),
	KUNIT_CASE(damon_va_test_three_mappings),
	KUNIT_CASE(damon_va_test_adjacent_mappings),
	KUNIT_CASE(damon_va_test_one_hole),
	KUNIT_CASE(damon_va_test_process_layout),
	KUNIT_CASE(damon_va_test_growing_holes),
	KUNIT_CASE(damon_va_test_shrinking_holes),
	KUNIT_CASE(damon_va_test_equal_holes),
	KUNIT_CASE(damon_va_test_tie_then_larger),
	KUNIT_CASE(damon_va_test_many_mappings),
	KUNIT_CASE(damon_va_test_odd_input),
	KUNIT_CASE(damon_va_test_registered),
	KUNIT_CASE(damon_va_test_no_mm),
	{},
};

static struct kunit_suite damon_va_test_suite = {
	.name = "damon-vaddr",
	.test_cases = damon_va_test_cases,
};

kunit_test_suite(damon_va_test_suite);
