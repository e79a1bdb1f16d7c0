// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the DAMON sysfs interface.
 *
 * The tests build real directories from the real tables, under test-only
 * roots in /sys, and read and write their files through the same show and
 * store functions that sysfs calls, checking what a user would see.
 */

#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/string.h>

#include "../sysfs-common.h"

/* Walking the tree like a shell does */

static struct damon_sysfs_dir *dst_child(struct damon_sysfs_dir *dir, const char *name)
{
	const struct damon_sysfs_dir_type *type = dir->type;
	struct damon_sysfs_list *list;
	unsigned int i;

	for (i = 0; i < type->nr_subdirs; i++) {
		if (!strcmp(type->subdirs[i].name, name))
			return dir->subdirs[i];
	}
	if (!type->child)
		return NULL;
	list = container_of(dir, struct damon_sysfs_list, dir);
	for (i = 0; i < list->nr; i++) {
		if (!strcmp(kobject_name(&list->children[i]->kobj), name))
			return list->children[i];
	}
	return NULL;
}

/* Find the file at @path below @dir, e.g. "targets/0/pid_target". */
static const struct damon_sysfs_file *dst_lookup(struct kunit *test, struct damon_sysfs_dir **dirp,
						 const char *path)
{
	char *next = kunit_kstrdup(test, path, GFP_KERNEL);
	struct damon_sysfs_dir *dir = *dirp;
	char *name;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, next);
	name = strsep(&next, "/");
	while (next) {
		dir = dst_child(dir, name);
		KUNIT_ASSERT_NOT_NULL_MSG(test, dir, "no directory %s in %s", name, path);
		name = strsep(&next, "/");
	}
	*dirp = dir;
	for (i = 0; i < dir->type->nr_files; i++) {
		if (!strcmp(dir->type->files[i].kattr.attr.name, name))
			return &dir->type->files[i];
	}
	KUNIT_FAIL_AND_ABORT(test, "no file %s", path);
	return NULL;
}

static ssize_t dst_write(struct kunit *test, struct damon_sysfs_dir *dir, const char *path,
			 const char *val)
{
	const struct damon_sysfs_file *f = dst_lookup(test, &dir, path);
	struct kobj_attribute *kattr = (struct kobj_attribute *)&f->kattr;

	/* as sysfs does, even for root */
	if (!(kattr->attr.mode & 0200))
		return -EACCES;
	return kattr->store(&dir->kobj, kattr, val, strlen(val));
}

/* Write a value that must be accepted. */
static void dst_set(struct kunit *test, struct damon_sysfs_dir *dir, const char *path,
		    const char *val)
{
	KUNIT_ASSERT_EQ_MSG(test, dst_write(test, dir, path, val), (ssize_t)strlen(val),
			    "writing %s to %s", val, path);
}

static const char *dst_read(struct kunit *test, struct damon_sysfs_dir *dir, const char *path)
{
	const struct damon_sysfs_file *f = dst_lookup(test, &dir, path);
	struct kobj_attribute *kattr = (struct kobj_attribute *)&f->kattr;
	char *buf = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_GE(test, kattr->show(&dir->kobj, kattr, buf), 0);
	return buf;
}

KUNIT_DEFINE_ACTION_WRAPPER(dst_destroy, damon_sysfs_dir_destroy, struct damon_sysfs_dir *);

/* Create a directory at /sys/@name, removed when the test ends. */
static struct damon_sysfs_dir *dst_create(struct kunit *test,
					  const struct damon_sysfs_dir_type *type,
					  const char *name)
{
	struct damon_sysfs_dir *dir = damon_sysfs_dir_create(type, NULL, name, NULL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dir);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, dst_destroy, dir), 0);
	return dir;
}

/* One file of each type, to check the generic show and store */

struct dst_obj {
	struct damon_sysfs_dir dir;
	unsigned long ul;
	unsigned long nonzero;
	unsigned int ui;
	int i;
	bool b;
	unsigned int kw;
};

static const char * const dst_keywords[] = { "apple", "banana", NULL };

static const struct damon_sysfs_file dst_files[] = {
	DAMON_SYSFS_ULONG(struct dst_obj, ul, "ul", 0600, 7),
	DAMON_SYSFS_ULONG_MIN(struct dst_obj, nonzero, "nonzero", 0600, 1, 1),
	DAMON_SYSFS_UINT(struct dst_obj, ui, "ui", 0600, 3),
	DAMON_SYSFS_INT(struct dst_obj, i, "i", 0600, -1),
	DAMON_SYSFS_BOOL(struct dst_obj, b, "b", 0400, true),
	DAMON_SYSFS_KEYWORD(struct dst_obj, kw, "kw", 0600, 1, dst_keywords),
};

static const struct damon_sysfs_dir_type dst_type = {
	.size = sizeof(struct dst_obj),
	.files = dst_files,
	.nr_files = ARRAY_SIZE(dst_files),
};

static void damon_sysfs_test_defaults(struct kunit *test)
{
	struct damon_sysfs_dir *dir = dst_create(test, &dst_type, "damon_kunit_defaults");

	KUNIT_EXPECT_STREQ(test, dst_read(test, dir, "ul"), "7\n");
	KUNIT_EXPECT_STREQ(test, dst_read(test, dir, "nonzero"), "1\n");
	KUNIT_EXPECT_STREQ(test, dst_read(test, dir, "ui"), "3\n");
	KUNIT_EXPECT_STREQ(test, dst_read(test, dir, "i"), "-1\n");
	KUNIT_EXPECT_STREQ(test, dst_read(test, dir, "b"), "Y\n");
	KUNIT_EXPECT_STREQ(test, dst_read(test, dir, "kw"), "banana\n");
	/* sysfs refuses to open a read-only file for writing */
	KUNIT_EXPECT_EQ(test, dst_write(test, dir, "b", "N"), -EACCES);
}

static void damon_sysfs_test_numbers(struct kunit *test)
{
	struct damon_sysfs_dir *dir = dst_create(test, &dst_type, "damon_kunit_numbers");

	dst_set(test, dir, "ul", "0x10\n");
	KUNIT_EXPECT_STREQ(test, dst_read(test, dir, "ul"), "16\n");
	dst_set(test, dir, "ul", "010");
	KUNIT_EXPECT_STREQ(test, dst_read(test, dir, "ul"), "8\n");
	KUNIT_EXPECT_EQ(test, dst_write(test, dir, "ul", "-1"), -EINVAL);
	KUNIT_EXPECT_EQ(test, dst_write(test, dir, "ul", "12abc"), -EINVAL);
	KUNIT_EXPECT_EQ(test, dst_write(test, dir, "ul", "99999999999999999999999"), -ERANGE);
	/* failed writes leave the value alone */
	KUNIT_EXPECT_STREQ(test, dst_read(test, dir, "ul"), "8\n");

	KUNIT_EXPECT_EQ(test, dst_write(test, dir, "nonzero", "0"), -EINVAL);
	dst_set(test, dir, "nonzero", "4096");
	KUNIT_EXPECT_STREQ(test, dst_read(test, dir, "nonzero"), "4096\n");

	KUNIT_EXPECT_EQ(test, dst_write(test, dir, "ui", "4294967296"), -ERANGE);
	dst_set(test, dir, "ui", "4294967295");
	KUNIT_EXPECT_STREQ(test, dst_read(test, dir, "ui"), "4294967295\n");

	dst_set(test, dir, "i", "-0x10");
	KUNIT_EXPECT_STREQ(test, dst_read(test, dir, "i"), "-16\n");
	KUNIT_EXPECT_EQ(test, dst_write(test, dir, "i", ""), -EINVAL);
}

static void damon_sysfs_test_bools_and_keywords(struct kunit *test)
{
	struct damon_sysfs_dir *dir = dst_create(test, &dst_type, "damon_kunit_keywords");
	struct dst_obj *obj = container_of(dir, struct dst_obj, dir);
	struct kobj_attribute *b = (struct kobj_attribute *)&dst_files[4].kattr;

	/* "b" is read-only through sysfs; its parser still serves the test */
	KUNIT_EXPECT_EQ(test, damon_sysfs_file_store(&dir->kobj, b, "n\n", 2), 2);
	KUNIT_EXPECT_FALSE(test, obj->b);
	KUNIT_EXPECT_STREQ(test, dst_read(test, dir, "b"), "N\n");
	KUNIT_EXPECT_EQ(test, damon_sysfs_file_store(&dir->kobj, b, "on", 2), 2);
	KUNIT_EXPECT_TRUE(test, obj->b);
	KUNIT_EXPECT_EQ(test, damon_sysfs_file_store(&dir->kobj, b, "maybe", 5), -EINVAL);
	KUNIT_EXPECT_TRUE(test, obj->b);

	dst_set(test, dir, "kw", "apple\n");
	KUNIT_EXPECT_STREQ(test, dst_read(test, dir, "kw"), "apple\n");
	KUNIT_EXPECT_EQ(test, dst_write(test, dir, "kw", "cherry"), -EINVAL);
	KUNIT_EXPECT_EQ(test, dst_write(test, dir, "kw", "apple "), -EINVAL);
	KUNIT_EXPECT_STREQ(test, dst_read(test, dir, "kw"), "apple\n");

	KUNIT_EXPECT_EQ(test, damon_sysfs_parse_keyword(damon_sysfs_ops_keywords, "vaddr"),
			DAMON_OPS_VADDR);
	KUNIT_EXPECT_EQ(test, damon_sysfs_parse_keyword(damon_sysfs_ops_keywords, "fvaddr\n"),
			DAMON_OPS_FVADDR);
	KUNIT_EXPECT_EQ(test, damon_sysfs_parse_keyword(damon_sysfs_ops_keywords, "paddr"),
			DAMON_OPS_PADDR);
	KUNIT_EXPECT_EQ(test, damon_sysfs_parse_keyword(damon_sysfs_ops_keywords, "addr"),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, damon_sysfs_parse_keyword(damon_sysfs_ops_keywords, ""), -EINVAL);
}

/* The context directory, as a user finds and fills it */

static void damon_sysfs_test_context_defaults(struct kunit *test)
{
	struct damon_sysfs_dir *ctx = dst_create(test, &damon_sysfs_context_type,
						 "damon_kunit_ctx_defaults");

	KUNIT_EXPECT_STREQ(test, dst_read(test, ctx, "operations"), "vaddr\n");
	KUNIT_EXPECT_STREQ(test, dst_read(test, ctx, "addr_unit"), "1\n");
	KUNIT_EXPECT_STREQ(test, dst_read(test, ctx, "monitoring_attrs/intervals/sample_us"),
			   "5000\n");
	KUNIT_EXPECT_STREQ(test, dst_read(test, ctx, "monitoring_attrs/intervals/aggr_us"),
			   "100000\n");
	KUNIT_EXPECT_STREQ(test, dst_read(test, ctx, "monitoring_attrs/intervals/update_us"),
			   "60000000\n");
	KUNIT_EXPECT_STREQ(test,
			   dst_read(test, ctx, "monitoring_attrs/intervals/intervals_goal/aggrs"),
			   "0\n");
	KUNIT_EXPECT_STREQ(test, dst_read(test, ctx, "monitoring_attrs/nr_regions/min"), "10\n");
	KUNIT_EXPECT_STREQ(test, dst_read(test, ctx, "monitoring_attrs/nr_regions/max"),
			   "1000\n");
	KUNIT_EXPECT_STREQ(test, dst_read(test, ctx, "targets/nr_targets"), "0\n");

	dst_set(test, ctx, "operations", "fvaddr");
	KUNIT_EXPECT_STREQ(test, dst_read(test, ctx, "operations"), "fvaddr\n");
	KUNIT_EXPECT_EQ(test, dst_write(test, ctx, "operations", "kaddr"), -EINVAL);
	KUNIT_EXPECT_EQ(test, dst_write(test, ctx, "addr_unit", "0"), -EINVAL);
	KUNIT_EXPECT_STREQ(test, dst_read(test, ctx, "addr_unit"), "1\n");
	/* a view's file writes the field of the context it belongs to */
	dst_set(test, ctx, "monitoring_attrs/intervals/intervals_goal/access_bp", "400");
	KUNIT_EXPECT_EQ(test, container_of(ctx, struct damon_sysfs_context,
					   dir)->attrs.intervals_goal.access_bp, 400);
}

static void damon_sysfs_test_avail_operations(struct kunit *test)
{
	struct damon_sysfs_dir *ctx = dst_create(test, &damon_sysfs_context_type,
						 "damon_kunit_avail_ops");
	char expect[32] = "";
	int id;

	for (id = 0; id < NR_DAMON_OPS; id++) {
		if (damon_is_registered_ops(id)) {
			strlcat(expect, damon_sysfs_ops_keywords[id], sizeof(expect));
			strlcat(expect, "\n", sizeof(expect));
		}
	}
	KUNIT_EXPECT_STREQ(test, dst_read(test, ctx, "avail_operations"), expect);
}

static void damon_sysfs_test_nr_files(struct kunit *test)
{
	struct damon_sysfs_dir *ctx = dst_create(test, &damon_sysfs_context_type,
						 "damon_kunit_nr_files");
	struct damon_sysfs_dir *kd = dst_create(test, &damon_sysfs_kdamond_type,
						"damon_kunit_nr_kdamond");

	dst_set(test, ctx, "targets/nr_targets", "2\n");
	KUNIT_EXPECT_STREQ(test, dst_read(test, ctx, "targets/nr_targets"), "2\n");
	dst_set(test, ctx, "targets/1/pid_target", "42");
	dst_set(test, ctx, "targets/1/regions/nr_regions", "0x3");
	KUNIT_EXPECT_STREQ(test, dst_read(test, ctx, "targets/1/regions/2/end"), "0\n");
	KUNIT_EXPECT_STREQ(test, dst_read(test, ctx, "targets/1/obsolete_target"), "N\n");

	/* rewriting the count starts over from defaults */
	dst_set(test, ctx, "targets/nr_targets", "2");
	KUNIT_EXPECT_STREQ(test, dst_read(test, ctx, "targets/1/pid_target"), "0\n");
	KUNIT_EXPECT_STREQ(test, dst_read(test, ctx, "targets/1/regions/nr_regions"), "0\n");

	KUNIT_EXPECT_EQ(test, dst_write(test, ctx, "targets/nr_targets", "-1"), -EINVAL);
	KUNIT_EXPECT_EQ(test, dst_write(test, ctx, "targets/nr_targets", "two"), -EINVAL);
	KUNIT_EXPECT_STREQ(test, dst_read(test, ctx, "targets/nr_targets"), "2\n");
	dst_set(test, ctx, "targets/nr_targets", "0");
	KUNIT_EXPECT_NULL(test, dst_child(dst_child(ctx, "targets"), "0"));

	/* a kdamond runs at most one context */
	KUNIT_EXPECT_EQ(test, dst_write(test, kd, "contexts/nr_contexts", "2"), -EINVAL);
	dst_set(test, kd, "contexts/nr_contexts", "1");
	KUNIT_EXPECT_STREQ(test, dst_read(test, kd, "contexts/0/operations"), "vaddr\n");

	/* another writer holds the lock */
	mutex_lock(&damon_sysfs_lock);
	KUNIT_EXPECT_EQ(test, dst_write(test, kd, "contexts/nr_contexts", "0"), -EBUSY);
	mutex_unlock(&damon_sysfs_lock);
}

/* Building a damon_ctx */

static void damon_sysfs_test_check_ranges(struct kunit *test)
{
	struct damon_addr_range sorted[] = { {10, 20}, {20, 30}, {40, 40}, {50, 60} };
	struct damon_addr_range overlap[] = { {10, 20}, {19, 30} };
	struct damon_addr_range unsorted[] = { {40, 50}, {10, 20} };
	struct damon_addr_range backwards[] = { {10, 20}, {30, 25} };

	KUNIT_EXPECT_EQ(test, damon_sysfs_check_ranges(sorted, ARRAY_SIZE(sorted)), 0);
	KUNIT_EXPECT_EQ(test, damon_sysfs_check_ranges(sorted, 0), 0);
	KUNIT_EXPECT_EQ(test, damon_sysfs_check_ranges(overlap, ARRAY_SIZE(overlap)), -EINVAL);
	KUNIT_EXPECT_EQ(test, damon_sysfs_check_ranges(unsorted, ARRAY_SIZE(unsorted)), -EINVAL);
	KUNIT_EXPECT_EQ(test, damon_sysfs_check_ranges(backwards, ARRAY_SIZE(backwards)),
			-EINVAL);
}

KUNIT_DEFINE_ACTION_WRAPPER(dst_destroy_ctx, damon_destroy_ctx, struct damon_ctx *);

static void damon_sysfs_test_addr_unit(struct kunit *test)
{
	struct damon_ctx *ctx = damon_new_ctx();

	KUNIT_ASSERT_NOT_NULL(test, ctx);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, dst_destroy_ctx, ctx), 0);

	ctx->ops.id = DAMON_OPS_PADDR;
	KUNIT_EXPECT_EQ(test, damon_sysfs_apply_addr_unit(ctx, 1), 0);
	KUNIT_EXPECT_EQ(test, ctx->min_region_sz, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, damon_sysfs_apply_addr_unit(ctx, 4), 0);
	KUNIT_EXPECT_EQ(test, ctx->min_region_sz, PAGE_SIZE / 4);
	KUNIT_EXPECT_EQ(test, ctx->addr_unit, 4);
	KUNIT_EXPECT_EQ(test, damon_sysfs_apply_addr_unit(ctx, PAGE_SIZE * 16), 0);
	KUNIT_EXPECT_EQ(test, ctx->min_region_sz, 1);
	/* PAGE_SIZE / 3 is no power of two; the context keeps its values */
	KUNIT_EXPECT_EQ(test, damon_sysfs_apply_addr_unit(ctx, 3), -EINVAL);
	KUNIT_EXPECT_EQ(test, ctx->min_region_sz, 1);
	KUNIT_EXPECT_EQ(test, ctx->addr_unit, PAGE_SIZE * 16);
	KUNIT_EXPECT_EQ(test, damon_sysfs_apply_addr_unit(ctx, 0), -EINVAL);

	ctx->ops.id = DAMON_OPS_VADDR;
	KUNIT_EXPECT_EQ(test, damon_sysfs_apply_addr_unit(ctx, 4), 0);
	KUNIT_EXPECT_EQ(test, ctx->min_region_sz, DAMON_MIN_REGION_SZ);
}

/* Build under the lock, as the state commands do. */
static struct damon_ctx *dst_build(struct kunit *test, struct damon_sysfs_dir *dir)
{
	struct damon_ctx *ctx;

	mutex_lock(&damon_sysfs_lock);
	ctx = damon_sysfs_build_ctx(container_of(dir, struct damon_sysfs_context, dir));
	mutex_unlock(&damon_sysfs_lock);
	if (!IS_ERR(ctx))
		KUNIT_EXPECT_EQ(test, kunit_add_action_or_reset(test, dst_destroy_ctx, ctx), 0);
	return ctx;
}

/* echo paddr > operations; one target with two regions */
static void dst_fill_paddr(struct kunit *test, struct damon_sysfs_dir *dir)
{
	dst_set(test, dir, "operations", "paddr");
	dst_set(test, dir, "targets/nr_targets", "1");
	dst_set(test, dir, "targets/0/regions/nr_regions", "2");
	dst_set(test, dir, "targets/0/regions/0/start", "0x100000");
	dst_set(test, dir, "targets/0/regions/0/end", "0x300000");
	dst_set(test, dir, "targets/0/regions/1/start", "0x400000");
	dst_set(test, dir, "targets/0/regions/1/end", "0x500000");
}

static void damon_sysfs_test_build_paddr(struct kunit *test)
{
	struct damon_sysfs_dir *dir;
	struct damon_target *t;
	struct damon_ctx *ctx;

	if (!damon_is_registered_ops(DAMON_OPS_PADDR))
		kunit_skip(test, "paddr is not registered");
	dir = dst_create(test, &damon_sysfs_context_type, "damon_kunit_build");
	dst_fill_paddr(test, dir);
	dst_set(test, dir, "addr_unit", "2");

	ctx = dst_build(test, dir);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ctx);
	KUNIT_EXPECT_EQ(test, ctx->ops.id, DAMON_OPS_PADDR);
	KUNIT_EXPECT_EQ(test, ctx->addr_unit, 2);
	KUNIT_EXPECT_EQ(test, ctx->min_region_sz, PAGE_SIZE / 2);
	KUNIT_EXPECT_EQ(test, ctx->attrs.sample_interval, 5000);
	KUNIT_ASSERT_FALSE(test, damon_targets_empty(ctx));
	t = list_first_entry(&ctx->adaptive_targets, struct damon_target, list);
	KUNIT_EXPECT_NULL(test, t->pid);
	KUNIT_ASSERT_EQ(test, damon_nr_regions(t), 2);
	KUNIT_EXPECT_EQ(test, damon_first_region(t)->ar.start, 0x100000);
	KUNIT_EXPECT_EQ(test, damon_first_region(t)->ar.end, 0x300000);
	KUNIT_EXPECT_EQ(test, damon_last_region(t)->ar.start, 0x400000);
	KUNIT_EXPECT_EQ(test, damon_last_region(t)->ar.end, 0x500000);
}

static void damon_sysfs_test_build_errors(struct kunit *test)
{
	struct damon_sysfs_dir *dir;

	if (!damon_is_registered_ops(DAMON_OPS_PADDR))
		kunit_skip(test, "paddr is not registered");
	dir = dst_create(test, &damon_sysfs_context_type, "damon_kunit_build_errors");
	dst_fill_paddr(test, dir);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dst_build(test, dir));

	/* overlapping, then backwards regions */
	dst_set(test, dir, "targets/0/regions/1/start", "0x200000");
	KUNIT_EXPECT_EQ(test, PTR_ERR(dst_build(test, dir)), -EINVAL);
	dst_set(test, dir, "targets/0/regions/1/start", "0x600000");
	KUNIT_EXPECT_EQ(test, PTR_ERR(dst_build(test, dir)), -EINVAL);
	dst_set(test, dir, "targets/0/regions/1/start", "0x400000");

	dst_set(test, dir, "addr_unit", "3");
	KUNIT_EXPECT_EQ(test, PTR_ERR(dst_build(test, dir)), -EINVAL);
	dst_set(test, dir, "addr_unit", "1");

	dst_set(test, dir, "monitoring_attrs/intervals/sample_us", "200000");
	KUNIT_EXPECT_EQ(test, PTR_ERR(dst_build(test, dir)), -EINVAL);
	dst_set(test, dir, "monitoring_attrs/intervals/sample_us", "5000");

	dst_set(test, dir, "monitoring_attrs/nr_regions/min", "2");
	KUNIT_EXPECT_EQ(test, PTR_ERR(dst_build(test, dir)), -EINVAL);
	dst_set(test, dir, "monitoring_attrs/nr_regions/min", "10");

	dst_set(test, dir, "monitoring_attrs/intervals/intervals_goal/aggrs", "3");
	KUNIT_EXPECT_EQ(test, PTR_ERR(dst_build(test, dir)), -EINVAL);
	dst_set(test, dir, "monitoring_attrs/intervals/intervals_goal/max_sample_us", "10000");
	KUNIT_EXPECT_NOT_ERR_OR_NULL(test, dst_build(test, dir));

	/* one physical address space, so one target */
	dst_set(test, dir, "targets/nr_targets", "2");
	KUNIT_EXPECT_EQ(test, PTR_ERR(dst_build(test, dir)), -EINVAL);

	if (damon_is_registered_ops(DAMON_OPS_VADDR)) {
		/* no process has pid 0 or -1 */
		dst_set(test, dir, "operations", "vaddr");
		KUNIT_EXPECT_EQ(test, PTR_ERR(dst_build(test, dir)), -EINVAL);
		dst_set(test, dir, "targets/0/pid_target", "-1");
		dst_set(test, dir, "targets/1/pid_target", "-1");
		KUNIT_EXPECT_EQ(test, PTR_ERR(dst_build(test, dir)), -EINVAL);
	}
}

/* A kdamond directory driven through its state file */

static void damon_sysfs_test_state_errors(struct kunit *test)
{
	struct damon_sysfs_dir *kd = dst_create(test, &damon_sysfs_kdamond_type,
						"damon_kunit_state_errors");

	KUNIT_EXPECT_STREQ(test, dst_read(test, kd, "state"), "off\n");
	KUNIT_EXPECT_STREQ(test, dst_read(test, kd, "pid"), "-1\n");
	KUNIT_EXPECT_STREQ(test, dst_read(test, kd, "refresh_ms"), "0\n");

	KUNIT_EXPECT_EQ(test, dst_write(test, kd, "state", "on"), -EINVAL);
	KUNIT_EXPECT_EQ(test, dst_write(test, kd, "state", "off"), -EINVAL);
	KUNIT_EXPECT_EQ(test, dst_write(test, kd, "state", "commit"), -EINVAL);
	KUNIT_EXPECT_EQ(test, dst_write(test, kd, "state", "running"), -EINVAL);

	dst_set(test, kd, "contexts/nr_contexts", "1");
	KUNIT_EXPECT_EQ(test, dst_write(test, kd, "state", "commit"), -EINVAL);
	KUNIT_EXPECT_EQ(test, dst_write(test, kd, "state", "update_tuned_intervals"), -EINVAL);
	KUNIT_EXPECT_EQ(test, dst_write(test, kd, "state", "update_schemes_stats"), -EINVAL);
	KUNIT_EXPECT_EQ(test, dst_write(test, kd, "state", "off"), -EINVAL);

	mutex_lock(&damon_sysfs_lock);
	KUNIT_EXPECT_EQ(test, dst_write(test, kd, "state", "off"), -EBUSY);
	mutex_unlock(&damon_sysfs_lock);
}

static void damon_sysfs_test_on_commit_off(struct kunit *test)
{
	const char *sample = "contexts/0/monitoring_attrs/intervals/sample_us";
	struct damon_sysfs_dir *kd, *ctx;
	int i;

	if (!damon_is_registered_ops(DAMON_OPS_PADDR))
		kunit_skip(test, "paddr is not registered");
	kd = dst_create(test, &damon_sysfs_kdamond_type, "damon_kunit_on_off");
	dst_set(test, kd, "contexts/nr_contexts", "1");
	ctx = dst_child(dst_child(kd, "contexts"), "0");
	dst_fill_paddr(test, ctx);

	dst_set(test, kd, "state", "on\n");
	KUNIT_EXPECT_STREQ(test, dst_read(test, kd, "state"), "on\n");
	KUNIT_EXPECT_STRNEQ(test, dst_read(test, kd, "pid"), "-1\n");
	KUNIT_EXPECT_EQ(test, dst_write(test, kd, "state", "on"), -EBUSY);

	/* an invalid commit changes nothing */
	dst_set(test, ctx, "targets/0/regions/1/end", "0x1");
	KUNIT_EXPECT_EQ(test, dst_write(test, kd, "state", "commit"), -EINVAL);
	KUNIT_EXPECT_STREQ(test, dst_read(test, kd, "state"), "on\n");
	dst_set(test, ctx, "targets/0/regions/1/end", "0x600000");
	dst_set(test, kd, "state", "commit");

	/* the tree's value is replaced by the running one */
	dst_set(test, kd, sample, "7000");
	dst_set(test, kd, "state", "update_tuned_intervals");
	KUNIT_EXPECT_STREQ(test, dst_read(test, kd, sample), "5000\n");
	/* and so it is by the periodic refresh */
	dst_set(test, kd, sample, "7000");
	dst_set(test, kd, "refresh_ms", "1");
	for (i = 0; i < 100 && strcmp(dst_read(test, kd, sample), "5000\n"); i++)
		msleep(20);
	KUNIT_EXPECT_STREQ(test, dst_read(test, kd, sample), "5000\n");

	dst_set(test, kd, "state", "off");
	KUNIT_EXPECT_STREQ(test, dst_read(test, kd, "state"), "off\n");
	KUNIT_EXPECT_STREQ(test, dst_read(test, kd, "pid"), "-1\n");
	KUNIT_EXPECT_EQ(test, dst_write(test, kd, "state", "update_tuned_intervals"),
			-ECANCELED);
	KUNIT_EXPECT_EQ(test, dst_write(test, kd, "state", "commit"), -EINVAL);

	/* turning it on again replaces the stopped context */
	dst_set(test, kd, "state", "on");
	KUNIT_EXPECT_STREQ(test, dst_read(test, kd, "state"), "on\n");
	dst_set(test, kd, "state", "off");
}

static struct kunit_case damon_sysfs_test_cases[] = {
	KUNIT_CASE(damon_sysfs_test_defaults),
	KUNIT_CASE(damon_sysfs_test_numbers),
	KUNIT_CASE(damon_sysfs_test_bools_and_keywords),
	KUNIT_CASE(damon_sysfs_test_context_defaults),
	KUNIT_CASE(damon_sysfs_test_avail_operations),
	KUNIT_CASE(damon_sysfs_test_nr_files),
	KUNIT_CASE(damon_sysfs_test_check_ranges),
	KUNIT_CASE(damon_sysfs_test_addr_unit),
	KUNIT_CASE(damon_sysfs_test_build_paddr),
	KUNIT_CASE(damon_sysfs_test_build_errors),
	KUNIT_CASE(damon_sysfs_test_state_errors),
	KUNIT_CASE(damon_sysfs_test_on_commit_off),
	{},
};

static struct kunit_suite damon_sysfs_test_suite = {
	.name = "damon-sysfs",
	.test_cases = damon_sysfs_test_cases,
};

kunit_test_suite(damon_sysfs_test_suite);
