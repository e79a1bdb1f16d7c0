// SPDX-License-Identifier: GPL-2.0
/*
 * DAMON sysfs interface: /sys/kernel/mm/damon/admin/.
 *
 *	kdamonds/nr_kdamonds
 *	kdamonds/<K>/{state,pid,refresh_ms}
 *	<K>/contexts/nr_contexts
 *	contexts/<C>/{avail_operations,operations,addr_unit}
 *	<C>/monitoring_attrs/intervals/{sample_us,aggr_us,update_us}
 *	intervals/intervals_goal/{access_bp,aggrs,min_sample_us,max_sample_us}
 *	<C>/monitoring_attrs/nr_regions/{min,max}
 *	<C>/targets/nr_targets
 *	targets/<T>/{pid_target,obsolete_target}
 *	<T>/regions/nr_regions
 *	regions/<R>/{start,end}
 *
 * The directories are the file tables below (see sysfs-common.h).  Writing
 * them only records parameters; nothing reaches DAMON until a command is
 * written to a kdamond's "state" file.  "on" and "commit" then build a
 * complete damon_ctx from the context directory, so that every check is
 * done before the running kdamond is touched: "on" starts the new context,
 * "commit" hands it to damon_commit_ctx() on the kdamond and frees it.
 *
 * Locking: damon_sysfs_lock (sysfs-common.c) serialises the tree's shape
 * and the state commands; damon_sysfs_ctx_lock below guards only the
 * swapping of a kdamond directory's context against readers of "state" and
 * "pid".  The kdamond itself never sleeps on either.
 */

#define pr_fmt(fmt) "damon-sysfs: " fmt

#include <linux/jiffies.h>
#include <linux/log2.h>
#include <linux/pid.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "sysfs-common.h"

/*
 * damon_sysfs_kdamond->ctx may be replaced (by "on", which holds
 * damon_sysfs_lock) while "state" or "pid" is read without that lock;
 * damon_sysfs_ctx_lock keeps the old context alive until such a reader is
 * done with it.  Lock order: damon_sysfs_lock, then damon_sysfs_ctx_lock.
 */
static DEFINE_MUTEX(damon_sysfs_ctx_lock);

/* The "operations" keywords, indexed by enum damon_ops_id. */
const char * const damon_sysfs_ops_keywords[] = {
	[DAMON_OPS_VADDR] = "vaddr",
	[DAMON_OPS_FVADDR] = "fvaddr",
	[DAMON_OPS_PADDR] = "paddr",
	[NR_DAMON_OPS] = NULL,
};

static struct damon_sysfs_kdamond *damon_sysfs_to_kdamond(struct damon_sysfs_dir *dir)
{
	return container_of(dir, struct damon_sysfs_kdamond, dir);
}

static struct damon_sysfs_kdamond *damon_sysfs_kobj_to_kdamond(struct kobject *kobj)
{
	return damon_sysfs_to_kdamond(container_of(kobj, struct damon_sysfs_dir, kobj));
}

/* regions/ and targets/ */

static const struct damon_sysfs_file damon_sysfs_region_files[] = {
	DAMON_SYSFS_ULONG(struct damon_sysfs_region, start, "start", 0600, 0),
	DAMON_SYSFS_ULONG(struct damon_sysfs_region, end, "end", 0600, 0),
};

static const struct damon_sysfs_dir_type damon_sysfs_region_type = {
	.size = sizeof(struct damon_sysfs_region),
	.files = damon_sysfs_region_files,
	.nr_files = ARRAY_SIZE(damon_sysfs_region_files),
};

static const struct damon_sysfs_file damon_sysfs_regions_files[] = {
	DAMON_SYSFS_NR("nr_regions"),
};

static const struct damon_sysfs_dir_type damon_sysfs_regions_type = {
	.size = sizeof(struct damon_sysfs_list),
	.files = damon_sysfs_regions_files,
	.nr_files = ARRAY_SIZE(damon_sysfs_regions_files),
	.child = &damon_sysfs_region_type,
};

static const struct damon_sysfs_file damon_sysfs_target_files[] = {
	DAMON_SYSFS_INT(struct damon_sysfs_target, pid, "pid_target", 0600, 0),
	DAMON_SYSFS_BOOL(struct damon_sysfs_target, obsolete, "obsolete_target", 0600, false),
};

static const struct damon_sysfs_subdir damon_sysfs_target_subdirs[] = {
	[DAMON_SYSFS_TARGET_REGIONS] = { "regions", &damon_sysfs_regions_type },
};

static const struct damon_sysfs_dir_type damon_sysfs_target_type = {
	.size = sizeof(struct damon_sysfs_target),
	.files = damon_sysfs_target_files,
	.nr_files = ARRAY_SIZE(damon_sysfs_target_files),
	.subdirs = damon_sysfs_target_subdirs,
	.nr_subdirs = ARRAY_SIZE(damon_sysfs_target_subdirs),
};

static const struct damon_sysfs_file damon_sysfs_targets_files[] = {
	DAMON_SYSFS_NR("nr_targets"),
};

static const struct damon_sysfs_dir_type damon_sysfs_targets_type = {
	.size = sizeof(struct damon_sysfs_list),
	.files = damon_sysfs_targets_files,
	.nr_files = ARRAY_SIZE(damon_sysfs_targets_files),
	.child = &damon_sysfs_target_type,
};

/* monitoring_attrs/: views on the context's struct damon_attrs */

#define DAMON_SYSFS_ATTR_FILE(_field, _name, _dflt)			\
	DAMON_SYSFS_ULONG(struct damon_sysfs_context, attrs._field, _name, 0600, _dflt)

static const struct damon_sysfs_file damon_sysfs_intervals_goal_files[] = {
	DAMON_SYSFS_ATTR_FILE(intervals_goal.access_bp, "access_bp", 0),
	DAMON_SYSFS_ATTR_FILE(intervals_goal.aggrs, "aggrs", 0),
	DAMON_SYSFS_ATTR_FILE(intervals_goal.min_sample_us, "min_sample_us", 0),
	DAMON_SYSFS_ATTR_FILE(intervals_goal.max_sample_us, "max_sample_us", 0),
};

static const struct damon_sysfs_dir_type damon_sysfs_intervals_goal_type = {
	.files = damon_sysfs_intervals_goal_files,
	.nr_files = ARRAY_SIZE(damon_sysfs_intervals_goal_files),
};

static const struct damon_sysfs_file damon_sysfs_intervals_files[] = {
	DAMON_SYSFS_ATTR_FILE(sample_interval, "sample_us", 5000),
	DAMON_SYSFS_ATTR_FILE(aggr_interval, "aggr_us", 100000),
	DAMON_SYSFS_ATTR_FILE(ops_update_interval, "update_us", 60000000),
};

static const struct damon_sysfs_subdir damon_sysfs_intervals_subdirs[] = {
	{ "intervals_goal", &damon_sysfs_intervals_goal_type },
};

static const struct damon_sysfs_dir_type damon_sysfs_intervals_type = {
	.files = damon_sysfs_intervals_files,
	.nr_files = ARRAY_SIZE(damon_sysfs_intervals_files),
	.subdirs = damon_sysfs_intervals_subdirs,
	.nr_subdirs = ARRAY_SIZE(damon_sysfs_intervals_subdirs),
};

static const struct damon_sysfs_file damon_sysfs_nr_regions_files[] = {
	DAMON_SYSFS_ATTR_FILE(min_nr_regions, "min", 10),
	DAMON_SYSFS_ATTR_FILE(max_nr_regions, "max", 1000),
};

static const struct damon_sysfs_dir_type damon_sysfs_nr_regions_type = {
	.files = damon_sysfs_nr_regions_files,
	.nr_files = ARRAY_SIZE(damon_sysfs_nr_regions_files),
};

static const struct damon_sysfs_subdir damon_sysfs_attrs_subdirs[] = {
	{ "intervals", &damon_sysfs_intervals_type },
	{ "nr_regions", &damon_sysfs_nr_regions_type },
};

static const struct damon_sysfs_dir_type damon_sysfs_attrs_type = {
	.subdirs = damon_sysfs_attrs_subdirs,
	.nr_subdirs = ARRAY_SIZE(damon_sysfs_attrs_subdirs),
};

/* contexts/ */

static ssize_t damon_sysfs_avail_ops_show(struct kobject *kobj, struct kobj_attribute *attr,
					  char *buf)
{
	enum damon_ops_id id;
	int len = 0;

	for (id = 0; id < NR_DAMON_OPS; id++) {
		if (damon_is_registered_ops(id))
			len += sysfs_emit_at(buf, len, "%s\n", damon_sysfs_ops_keywords[id]);
	}
	return len;
}

static const struct damon_sysfs_file damon_sysfs_context_files[] = {
	DAMON_SYSFS_CUSTOM("avail_operations", 0400, damon_sysfs_avail_ops_show, NULL),
	DAMON_SYSFS_KEYWORD(struct damon_sysfs_context, ops, "operations", 0600,
			    DAMON_OPS_VADDR, damon_sysfs_ops_keywords),
	DAMON_SYSFS_ULONG_MIN(struct damon_sysfs_context, addr_unit, "addr_unit", 0600, 1, 1),
};

static const struct damon_sysfs_subdir damon_sysfs_context_subdirs[] = {
	[DAMON_SYSFS_CTX_ATTRS] = { "monitoring_attrs", &damon_sysfs_attrs_type },
	[DAMON_SYSFS_CTX_TARGETS] = { "targets", &damon_sysfs_targets_type },
};

const struct damon_sysfs_dir_type damon_sysfs_context_type = {
	.size = sizeof(struct damon_sysfs_context),
	.files = damon_sysfs_context_files,
	.nr_files = ARRAY_SIZE(damon_sysfs_context_files),
	.subdirs = damon_sysfs_context_subdirs,
	.nr_subdirs = ARRAY_SIZE(damon_sysfs_context_subdirs),
};

static const struct damon_sysfs_file damon_sysfs_contexts_files[] = {
	DAMON_SYSFS_NR("nr_contexts"),
};

/* A kdamond runs one context; the directory exists for a future extension. */
static const struct damon_sysfs_dir_type damon_sysfs_contexts_type = {
	.size = sizeof(struct damon_sysfs_list),
	.files = damon_sysfs_contexts_files,
	.nr_files = ARRAY_SIZE(damon_sysfs_contexts_files),
	.child = &damon_sysfs_context_type,
	.max_children = 1,
};

/* Building a damon_ctx from a context directory */

/**
 * damon_sysfs_apply_addr_unit() - set a context's address unit and the
 * minimum region size that follows from it.
 * @ctx:	the context, with its operations set already selected.
 * @addr_unit:	bytes of the operations set's address space per core
 *		address unit.
 *
 * Only the physical address space operations set scales its addresses, so
 * only there does the unit shrink the minimum region below a page; the
 * other sets keep DAMON_MIN_REGION_SZ whatever the unit is.
 *
 * Return: 0, or -EINVAL if @addr_unit is 0 or yields a minimum region size
 * that is not a power of two.
 */
int damon_sysfs_apply_addr_unit(struct damon_ctx *ctx, unsigned long addr_unit)
{
	unsigned long min_region_sz = DAMON_MIN_REGION_SZ;

	if (!addr_unit)
		return -EINVAL;
	if (ctx->ops.id == DAMON_OPS_PADDR) {
		min_region_sz = max(PAGE_SIZE / addr_unit, 1UL);
		if (!is_power_of_2(min_region_sz))
			return -EINVAL;
	}
	ctx->addr_unit = addr_unit;
	ctx->min_region_sz = min_region_sz;
	return 0;
}

/**
 * damon_sysfs_check_ranges() - check the regions given for one target.
 * @ranges:	the regions in the order of their directories.
 * @nr:		the number of regions.
 *
 * Empty regions (start == end) are allowed and ignored by the core.
 *
 * Return: 0, or -EINVAL if a region ends before it starts or the regions
 * are not sorted by address or overlap.
 */
int damon_sysfs_check_ranges(const struct damon_addr_range *ranges, unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++) {
		if (ranges[i].start > ranges[i].end)
			return -EINVAL;
		if (i && ranges[i - 1].end > ranges[i].start)
			return -EINVAL;
	}
	return 0;
}

static int damon_sysfs_build_ops(struct damon_ctx *ctx, struct damon_sysfs_context *sc)
{
	int err = damon_select_ops(ctx, READ_ONCE(sc->ops));

	if (err)
		return err;
	return damon_sysfs_apply_addr_unit(ctx, READ_ONCE(sc->addr_unit));
}

static int damon_sysfs_build_attrs(struct damon_ctx *ctx, struct damon_sysfs_context *sc)
{
	struct damon_attrs attrs = sc->attrs;

	return damon_set_attrs(ctx, &attrs);
}

static int damon_sysfs_build_regions(struct damon_ctx *ctx, struct damon_target *t,
				     struct damon_sysfs_list *regions)
{
	struct damon_sysfs_region *region;
	struct damon_addr_range *ranges;
	unsigned int i;
	int err;

	if (!regions->nr)
		return 0;
	ranges = kvmalloc_array(regions->nr, sizeof(*ranges), GFP_KERNEL);
	if (!ranges)
		return -ENOMEM;
	for (i = 0; i < regions->nr; i++) {
		region = container_of(regions->children[i], struct damon_sysfs_region, dir);
		ranges[i].start = READ_ONCE(region->start);
		ranges[i].end = READ_ONCE(region->end);
	}
	err = damon_sysfs_check_ranges(ranges, regions->nr);
	if (!err)
		err = damon_set_regions(t, ranges, regions->nr, ctx->min_region_sz);
	kvfree(ranges);
	return err;
}

static int damon_sysfs_build_target(struct damon_ctx *ctx, struct damon_sysfs_target *st)
{
	struct damon_target *t = damon_new_target();

	if (!t)
		return -ENOMEM;
	/* from here on, destroying @ctx frees @t and drops its pid */
	damon_add_target(ctx, t);
	t->obsolete = READ_ONCE(st->obsolete);
	/*
	 * An obsolete target only names a running target to remove, often
	 * one whose process is gone: its pid need not resolve.
	 */
	if (damon_target_has_pid(ctx) && !t->obsolete) {
		t->pid = find_get_pid(READ_ONCE(st->pid));
		if (!t->pid)
			return -EINVAL;
	}
	return damon_sysfs_build_regions(ctx, t,
			damon_sysfs_subdir_list(&st->dir, DAMON_SYSFS_TARGET_REGIONS));
}

static int damon_sysfs_build_targets(struct damon_ctx *ctx, struct damon_sysfs_context *sc)
{
	struct damon_sysfs_list *targets =
		damon_sysfs_subdir_list(&sc->dir, DAMON_SYSFS_CTX_TARGETS);
	unsigned int i;
	int err;

	/* there is only one physical address space */
	if (ctx->ops.id == DAMON_OPS_PADDR && targets->nr > 1)
		return -EINVAL;
	for (i = 0; i < targets->nr; i++) {
		err = damon_sysfs_build_target(ctx, container_of(targets->children[i],
								 struct damon_sysfs_target, dir));
		if (err)
			return err;
	}
	return 0;
}

/*
 * The steps that turn a context directory into a damon_ctx, in order: the
 * operations set comes first because the targets depend on it.
 */
static int (* const damon_sysfs_build_steps[])(struct damon_ctx *ctx,
					       struct damon_sysfs_context *sc) = {
	damon_sysfs_build_ops,
	damon_sysfs_build_attrs,
	damon_sysfs_build_targets,
};

/**
 * damon_sysfs_build_ctx() - build a new damon_ctx from a context directory.
 * @sc:		the context directory; the caller holds damon_sysfs_lock.
 *
 * Every parameter is checked here, so that a context built successfully can
 * be started or committed to a running one without further surprises.  The
 * targets of virtual address operations sets hold a reference to their pid.
 *
 * Return: the new context, or an ERR_PTR(): -EINVAL for parameters DAMON
 * cannot use (unregistered operations set, inconsistent attributes, a bad
 * address unit, an unknown pid, more than one physical address target,
 * unsorted or overlapping regions), or -ENOMEM.
 */
struct damon_ctx *damon_sysfs_build_ctx(struct damon_sysfs_context *sc)
{
	struct damon_ctx *ctx = damon_new_ctx();
	unsigned int i;
	int err = 0;

	if (!ctx)
		return ERR_PTR(-ENOMEM);
	for (i = 0; i < ARRAY_SIZE(damon_sysfs_build_steps) && !err; i++)
		err = damon_sysfs_build_steps[i](ctx, sc);
	if (err) {
		damon_destroy_ctx(ctx);
		return ERR_PTR(err);
	}
	return ctx;
}

/* Results copied back to the tree: the tuned intervals */

/* Called on the kdamond of kd->ctx, with damon_sysfs_lock held. */
static void damon_sysfs_copy_tuned_intervals(struct damon_sysfs_kdamond *kd)
{
	struct damon_sysfs_list *contexts =
		damon_sysfs_subdir_list(&kd->dir, DAMON_SYSFS_KDAMOND_CONTEXTS);
	struct damon_sysfs_context *sc;

	if (contexts->nr != 1)
		return;
	sc = container_of(contexts->children[0], struct damon_sysfs_context, dir);
	WRITE_ONCE(sc->attrs.sample_interval, kd->ctx->attrs.sample_interval);
	WRITE_ONCE(sc->attrs.aggr_interval, kd->ctx->attrs.aggr_interval);
}

static int damon_sysfs_tuned_intervals_fn(void *data)
{
	damon_sysfs_copy_tuned_intervals(data);
	return 0;
}

/*
 * The refresh_ms work, run on the kdamond at every loop iteration while it
 * runs.  It must not sleep on damon_sysfs_lock: the holder may be a state
 * command that waits for this very kdamond ("off" for it to exit, the
 * online commands for it to serve damon_call()), so it skips a round
 * instead.
 */
static int damon_sysfs_refresh_fn(void *data)
{
	struct damon_sysfs_kdamond *kd = data;
	unsigned int ms = READ_ONCE(kd->refresh_ms);

	if (!ms || time_before(jiffies, kd->next_refresh))
		return 0;
	if (!mutex_trylock(&damon_sysfs_lock))
		return 0;
	damon_sysfs_copy_tuned_intervals(kd);
	mutex_unlock(&damon_sysfs_lock);
	kd->next_refresh = jiffies + msecs_to_jiffies(ms);
	return 0;
}

/* Queue the refresh_ms work on the kdamond that was just started. */
static void damon_sysfs_start_refresh(struct damon_sysfs_kdamond *kd)
{
	/*
	 * kd->refresh is free for reuse: a kdamond drops its requests before
	 * damon_is_running() turns false, and "on" starts a new one only
	 * after that.  The kd directory, which owns the request, cannot be
	 * removed while its kdamond runs (see damon_sysfs_kdamonds_busy()).
	 */
	kd->refresh = (struct damon_call_control) {
		.fn = damon_sysfs_refresh_fn,
		.data = kd,
		.repeat = true,
	};
	kd->next_refresh = jiffies;
	/* -ECANCELED means the kdamond already ended: nothing to refresh */
	damon_call(kd->ctx, &kd->refresh);
}

/* state commands; each runs with damon_sysfs_lock held */

/* Run @fn on the running kdamond and return its result. */
static int damon_sysfs_call(struct damon_sysfs_kdamond *kd, int (*fn)(void *data),
			    void *data)
{
	struct damon_call_control control = { .fn = fn, .data = data };
	int err = damon_call(kd->ctx, &control);

	return err ? err : control.return_code;
}

static int damon_sysfs_cmd_on(struct damon_sysfs_kdamond *kd, struct damon_sysfs_context *sc)
{
	struct damon_ctx *old = kd->ctx, *ctx;
	int err;

	if (old && damon_is_running(old))
		return -EBUSY;
	ctx = damon_sysfs_build_ctx(sc);
	if (IS_ERR(ctx))
		return PTR_ERR(ctx);
	err = damon_start(&ctx, 1, false);
	if (err) {
		damon_destroy_ctx(ctx);
		return err;
	}
	mutex_lock(&damon_sysfs_ctx_lock);
	kd->ctx = ctx;
	mutex_unlock(&damon_sysfs_ctx_lock);
	/* only now: a failed "on" leaves the previous results readable */
	if (old)
		damon_destroy_ctx(old);
	damon_sysfs_start_refresh(kd);
	return 0;
}

static int damon_sysfs_cmd_off(struct damon_sysfs_kdamond *kd, struct damon_sysfs_context *sc)
{
	if (!kd->ctx)
		return -EINVAL;
	/* the stopped context stays, for its results, until the next "on" */
	return damon_stop(&kd->ctx, 1);
}

struct damon_sysfs_commit_args {
	struct damon_ctx *dst;
	struct damon_ctx *src;
};

static int damon_sysfs_commit_fn(void *data)
{
	struct damon_sysfs_commit_args *args = data;

	return damon_commit_ctx(args->dst, args->src);
}

static int damon_sysfs_cmd_commit(struct damon_sysfs_kdamond *kd,
				  struct damon_sysfs_context *sc)
{
	struct damon_sysfs_commit_args args = { .dst = kd->ctx };
	int err;

	if (!kd->ctx || !damon_is_running(kd->ctx))
		return -EINVAL;
	args.src = damon_sysfs_build_ctx(sc);
	if (IS_ERR(args.src))
		return PTR_ERR(args.src);
	err = damon_sysfs_call(kd, damon_sysfs_commit_fn, &args);
	damon_destroy_ctx(args.src);
	return err;
}

static int damon_sysfs_cmd_update_tuned_intervals(struct damon_sysfs_kdamond *kd,
						  struct damon_sysfs_context *sc)
{
	if (!kd->ctx)
		return -EINVAL;
	return damon_sysfs_call(kd, damon_sysfs_tuned_intervals_fn, kd);
}

/**
 * struct damon_sysfs_cmd - a keyword accepted by a kdamond's "state" file.
 * @keyword:	the keyword.
 * @fn:		the command; @sc is the kdamond's only context directory, or
 *		NULL if it has none.
 * @needs_ctx:	the command fails with -EINVAL unless nr_contexts is 1.
 */
struct damon_sysfs_cmd {
	const char *keyword;
	int (*fn)(struct damon_sysfs_kdamond *kd, struct damon_sysfs_context *sc);
	bool needs_ctx;
};

/* The DAMOS part adds its commands here. */
static const struct damon_sysfs_cmd damon_sysfs_cmds[] = {
	{ "on", damon_sysfs_cmd_on, true },
	{ "off", damon_sysfs_cmd_off, false },
	{ "commit", damon_sysfs_cmd_commit, true },
	{ "update_tuned_intervals", damon_sysfs_cmd_update_tuned_intervals, true },
};

static struct damon_sysfs_context *damon_sysfs_kdamond_context(struct damon_sysfs_kdamond *kd)
{
	struct damon_sysfs_list *contexts =
		damon_sysfs_subdir_list(&kd->dir, DAMON_SYSFS_KDAMOND_CONTEXTS);

	if (contexts->nr != 1)
		return NULL;
	return container_of(contexts->children[0], struct damon_sysfs_context, dir);
}

static ssize_t damon_sysfs_state_store(struct kobject *kobj, struct kobj_attribute *attr,
				       const char *buf, size_t count)
{
	struct damon_sysfs_kdamond *kd = damon_sysfs_kobj_to_kdamond(kobj);
	const struct damon_sysfs_cmd *cmd = NULL;
	struct damon_sysfs_context *sc;
	unsigned int i;
	int err;

	for (i = 0; i < ARRAY_SIZE(damon_sysfs_cmds) && !cmd; i++) {
		if (sysfs_streq(buf, damon_sysfs_cmds[i].keyword))
			cmd = &damon_sysfs_cmds[i];
	}
	if (!cmd)
		return -EINVAL;
	if (!mutex_trylock(&damon_sysfs_lock))
		return -EBUSY;
	sc = damon_sysfs_kdamond_context(kd);
	if (cmd->needs_ctx && !sc)
		err = -EINVAL;
	else
		err = cmd->fn(kd, sc);
	mutex_unlock(&damon_sysfs_lock);
	return err ? err : count;
}

static ssize_t damon_sysfs_state_show(struct kobject *kobj, struct kobj_attribute *attr,
				      char *buf)
{
	struct damon_sysfs_kdamond *kd = damon_sysfs_kobj_to_kdamond(kobj);
	bool running;

	mutex_lock(&damon_sysfs_ctx_lock);
	running = kd->ctx && damon_is_running(kd->ctx);
	mutex_unlock(&damon_sysfs_ctx_lock);
	return sysfs_emit(buf, "%s\n", running ? "on" : "off");
}

static ssize_t damon_sysfs_pid_show(struct kobject *kobj, struct kobj_attribute *attr,
				    char *buf)
{
	struct damon_sysfs_kdamond *kd = damon_sysfs_kobj_to_kdamond(kobj);
	int pid = -1;

	mutex_lock(&damon_sysfs_ctx_lock);
	if (kd->ctx)
		pid = damon_kdamond_pid(kd->ctx);
	mutex_unlock(&damon_sysfs_ctx_lock);
	return sysfs_emit(buf, "%d\n", pid < 0 ? -1 : pid);
}

/* kdamonds/ */

static const struct damon_sysfs_file damon_sysfs_kdamond_files[] = {
	DAMON_SYSFS_CUSTOM("state", 0600, damon_sysfs_state_show, damon_sysfs_state_store),
	DAMON_SYSFS_CUSTOM("pid", 0400, damon_sysfs_pid_show, NULL),
	DAMON_SYSFS_UINT(struct damon_sysfs_kdamond, refresh_ms, "refresh_ms", 0600, 0),
};

static const struct damon_sysfs_subdir damon_sysfs_kdamond_subdirs[] = {
	[DAMON_SYSFS_KDAMOND_CONTEXTS] = { "contexts", &damon_sysfs_contexts_type },
};

/* Its files are gone and it does not run: free the last context. */
static void damon_sysfs_kdamond_cleanup(struct damon_sysfs_dir *dir)
{
	struct damon_sysfs_kdamond *kd = damon_sysfs_to_kdamond(dir);

	if (kd->ctx)
		damon_destroy_ctx(kd->ctx);
}

const struct damon_sysfs_dir_type damon_sysfs_kdamond_type = {
	.size = sizeof(struct damon_sysfs_kdamond),
	.files = damon_sysfs_kdamond_files,
	.nr_files = ARRAY_SIZE(damon_sysfs_kdamond_files),
	.subdirs = damon_sysfs_kdamond_subdirs,
	.nr_subdirs = ARRAY_SIZE(damon_sysfs_kdamond_subdirs),
	.cleanup = damon_sysfs_kdamond_cleanup,
};

/* Removing a kdamond directory must wait until its kdamond stopped. */
static bool damon_sysfs_kdamonds_busy(struct damon_sysfs_list *kdamonds)
{
	struct damon_sysfs_kdamond *kd;
	unsigned int i;

	for (i = 0; i < kdamonds->nr; i++) {
		kd = damon_sysfs_to_kdamond(kdamonds->children[i]);
		if (kd->ctx && damon_is_running(kd->ctx))
			return true;
	}
	return false;
}

static const struct damon_sysfs_file damon_sysfs_kdamonds_files[] = {
	DAMON_SYSFS_NR("nr_kdamonds"),
};

static const struct damon_sysfs_dir_type damon_sysfs_kdamonds_type = {
	.size = sizeof(struct damon_sysfs_list),
	.files = damon_sysfs_kdamonds_files,
	.nr_files = ARRAY_SIZE(damon_sysfs_kdamonds_files),
	.child = &damon_sysfs_kdamond_type,
	.busy = damon_sysfs_kdamonds_busy,
};

/* /sys/kernel/mm/damon/ and admin/ */

static const struct damon_sysfs_subdir damon_sysfs_admin_subdirs[] = {
	{ "kdamonds", &damon_sysfs_kdamonds_type },
};

static const struct damon_sysfs_dir_type damon_sysfs_admin_type = {
	.subdirs = damon_sysfs_admin_subdirs,
	.nr_subdirs = ARRAY_SIZE(damon_sysfs_admin_subdirs),
};

static const struct damon_sysfs_subdir damon_sysfs_root_subdirs[] = {
	{ "admin", &damon_sysfs_admin_type },
};

static const struct damon_sysfs_dir_type damon_sysfs_root_type = {
	.subdirs = damon_sysfs_root_subdirs,
	.nr_subdirs = ARRAY_SIZE(damon_sysfs_root_subdirs),
};

static int __init damon_sysfs_init(void)
{
	struct damon_sysfs_dir *root;

	if (!damon_initialized())
		return -ENOMEM;
	root = damon_sysfs_dir_create(&damon_sysfs_root_type, mm_kobj, "damon", NULL);
	if (IS_ERR(root)) {
		pr_err("cannot create the sysfs tree\n");
		return PTR_ERR(root);
	}
	return 0;
}

subsys_initcall(damon_sysfs_init);
