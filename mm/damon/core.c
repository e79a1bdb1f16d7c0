// SPDX-License-Identifier: GPL-2.0
/*
 * DAMON core: contexts, targets, operations sets, and the kdamond loop.
 *
 * Each started context gets one kernel thread, kdamond, that loops:
 *
 *	arm one sampling address per region        (ops.prepare_access_checks)
 *	sleep one sampling interval
 *	count the regions found accessed           (ops.check_accesses)
 *	at the end of each aggregation interval:
 *		age, merge and report the regions, apply schemes,
 *		restart the counts, split the regions, tune the intervals
 *	every ops update interval: refresh the targets' ranges (ops.update)
 *	serve damon_call() requests
 *
 * Time is counted in samples (passed_sample_intervals), so the aggregation
 * and update points cannot drift against the sampling.  The per-sample part
 * touches each region once and allocates nothing; everything per aggregation
 * is one pass over the regions (see regions.c).
 *
 * A running context belongs to its kdamond: other threads change it only
 * through damon_call(), whose functions run between two samples.
 */

#define pr_fmt(fmt) "damon: " fmt

#include <linux/damon.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/math64.h>
#include <linux/sched/task.h>
#include <linux/slab.h>

#define CREATE_TRACE_POINTS
#include <trace/events/damon.h>

#include "core.h"

/*
 * damon_lock protects nr_running_ctxs and running_exclusive_ctxs, so that
 * an exclusive start (a special-purpose module) and any other start
 * exclude each other.
 */
static DEFINE_MUTEX(damon_lock);
static int nr_running_ctxs;
static bool running_exclusive_ctxs;
/* numbers kdamond thread names, never reused */
static unsigned int damon_nr_kdamonds_started;

/* Registered operations sets, indexed by id; protected by damon_ops_lock. */
static DEFINE_MUTEX(damon_ops_lock);
static struct {
	struct damon_operations ops;
	bool registered;
} damon_ops_table[NR_DAMON_OPS];

/* Look @id up; the caller holds damon_ops_lock. */
static struct damon_operations *damon_find_ops(enum damon_ops_id id)
{
	if (id >= NR_DAMON_OPS || !damon_ops_table[id].registered)
		return NULL;
	return &damon_ops_table[id].ops;
}

/* Operations sets */

/**
 * damon_is_registered_ops() - whether an operations set is registered.
 * @id:	the operations set identifier.
 *
 * Return: true if damon_register_ops() registered @id.
 */
bool damon_is_registered_ops(enum damon_ops_id id)
{
	guard(mutex)(&damon_ops_lock);
	return damon_find_ops(id);
}

/**
 * damon_register_ops() - make an operations set available to contexts.
 * @ops:	the operations set; @ops->id says which one it is.
 *
 * Return: 0 on success, -EINVAL if the id is invalid or already registered.
 */
int damon_register_ops(struct damon_operations *ops)
{
	guard(mutex)(&damon_ops_lock);
	if (ops->id >= NR_DAMON_OPS || damon_find_ops(ops->id))
		return -EINVAL;
	damon_ops_table[ops->id].ops = *ops;
	damon_ops_table[ops->id].registered = true;
	return 0;
}

/**
 * damon_select_ops() - make a context use a registered operations set.
 * @ctx:	the context; it must not be running.
 * @id:	the operations set identifier.
 *
 * Return: 0 on success, -EINVAL if @id is not registered.
 */
int damon_select_ops(struct damon_ctx *ctx, enum damon_ops_id id)
{
	struct damon_operations *found;

	guard(mutex)(&damon_ops_lock);
	found = damon_find_ops(id);
	if (!found)
		return -EINVAL;
	ctx->ops = *found;
	return 0;
}

/* Targets */

/**
 * damon_new_target() - allocate a target with no regions and no pid.
 *
 * Return: the new target, or NULL if memory ran out.
 */
struct damon_target *damon_new_target(void)
{
	struct damon_target *tgt = kmalloc(sizeof(*tgt), GFP_KERNEL);

	if (tgt)
		*tgt = (struct damon_target){
			.regions_list = LIST_HEAD_INIT(tgt->regions_list),
			.list = LIST_HEAD_INIT(tgt->list),
		};
	return tgt;
}

/**
 * damon_targets_empty() - whether a context has no targets.
 * @c:	the context.
 *
 * Return: true if @c has no targets.
 */
bool damon_targets_empty(struct damon_ctx *c)
{
	return list_empty(&c->adaptive_targets);
}

/**
 * damon_add_target() - append a target to a context.
 * @c:		the context.
 * @tgt:	the target.
 */
void damon_add_target(struct damon_ctx *c, struct damon_target *tgt)
{
	list_add_tail(&tgt->list, &c->adaptive_targets);
}

/**
 * damon_free_target() - free a target and its regions.
 * @t:	the target; it must not be linked to a context.
 *
 * The operations set's cleanup is not called: see damon_destroy_target().
 */
void damon_free_target(struct damon_target *t)
{
	struct damon_region *r, *next;

	damon_for_each_region_safe(r, next, t)
		damon_destroy_region(r, t);
	kfree(t);
}

/**
 * damon_destroy_target() - unlink a target, release it and free it.
 * @t:		the target.
 * @ctx:	the context whose operations set cleans @t up, or NULL.
 */
void damon_destroy_target(struct damon_target *t, struct damon_ctx *ctx)
{
	if (ctx && ctx->ops.cleanup_target)
		ctx->ops.cleanup_target(t);
	list_del(&t->list);
	damon_free_target(t);
}

/**
 * damon_nr_regions() - the number of regions of a target.
 * @t:	the target.
 *
 * Return: the number of regions.
 */
unsigned int damon_nr_regions(struct damon_target *t)
{
	return t->nr_regions;
}

/* Monitoring attributes */

/**
 * damon_validate_attrs() - check monitoring attributes for consistency.
 * @attrs:	the attributes.
 *
 * Return: 0 if they are usable, -EINVAL otherwise.
 */
int damon_validate_attrs(const struct damon_attrs *attrs)
{
	const struct damon_intervals_goal *goal = &attrs->intervals_goal;

	if (attrs->min_nr_regions < 3 ||
	    attrs->min_nr_regions > attrs->max_nr_regions)
		return -EINVAL;
	if (attrs->sample_interval > attrs->aggr_interval)
		return -EINVAL;
	if (goal->aggrs && (goal->min_sample_us > goal->max_sample_us ||
			    attrs->sample_interval < goal->min_sample_us ||
			    attrs->sample_interval > goal->max_sample_us))
		return -EINVAL;
	return 0;
}

static unsigned long damon_samples(unsigned long us,
				   const struct damon_attrs *attrs)
{
	return max(us / max(attrs->sample_interval, 1UL), 1UL);
}

/*
 * Fit the current aggregation interval to new attributes: the samples it
 * already had count for as much as the rescaled nr_accesses say, so it lasts
 * what the new interval still lacks.
 */
static void damon_reschedule_aggregation(struct damon_ctx *ctx,
					 const struct damon_attrs *old,
					 const struct damon_attrs *new)
{
	unsigned long passed = ctx->passed_sample_intervals;
	unsigned long left = ctx->next_aggregation_sis > passed ?
		ctx->next_aggregation_sis - passed : 0;
	unsigned long done = old->aggr_samples > left ?
		old->aggr_samples - left : 0;

	if (old->aggr_samples)
		done = mul_u64_u64_div_u64(done, new->aggr_samples,
					   old->aggr_samples);
	ctx->next_aggregation_sis = passed +
		(new->aggr_samples > done ? new->aggr_samples - done : 1);
}

/**
 * damon_apply_attrs() - install already validated monitoring attributes.
 * @ctx:	the context; if running, call this from its kdamond.
 * @attrs:	the attributes.
 *
 * Existing regions are rescaled to the new intervals and the running
 * aggregation is fitted to them.  The ops update point and the intervals
 * tuning tally restart only if the intervals they depend on changed.
 */
void damon_apply_attrs(struct damon_ctx *ctx, struct damon_attrs *attrs)
{
	struct damon_attrs old = ctx->attrs;
	unsigned long passed = ctx->passed_sample_intervals;
	struct damon_target *t;
	struct damon_region *r;

	attrs->aggr_samples = damon_samples(attrs->aggr_interval, attrs);
	if (old.aggr_samples) {
		damon_for_each_target(t, ctx)
			damon_for_each_region(r, t)
				damon_rescale_region(r, &old, attrs);
	}
	damon_reschedule_aggregation(ctx, &old, attrs);
	ctx->attrs = *attrs;
	/* frequent commits of the same values must not postpone these */
	if (old.sample_interval != attrs->sample_interval ||
	    old.ops_update_interval != attrs->ops_update_interval)
		ctx->next_ops_update_sis = passed +
			damon_samples(attrs->ops_update_interval, attrs);
	if (old.aggr_samples != attrs->aggr_samples ||
	    memcmp(&old.intervals_goal, &attrs->intervals_goal,
		   sizeof(old.intervals_goal)) ||
	    old.sample_interval != attrs->sample_interval) {
		ctx->next_intervals_tune_sis = passed +
			attrs->intervals_goal.aggrs * attrs->aggr_samples;
		ctx->tune_events = 0;
		ctx->tune_max_events = 0;
	}
}

/**
 * damon_set_attrs() - set the monitoring attributes of a context.
 * @ctx:	the context; if running, call this from its kdamond (for
 *		example through damon_call()).
 * @attrs:	the attributes.
 *
 * The monitoring results collected so far are rescaled so that they keep
 * their meaning under the new intervals.
 *
 * Return: 0 on success, -EINVAL if @attrs are inconsistent (@ctx is then
 * unchanged).
 */
int damon_set_attrs(struct damon_ctx *ctx, struct damon_attrs *attrs)
{
	int err = damon_validate_attrs(attrs);

	if (err)
		return err;
	damon_apply_attrs(ctx, attrs);
	return 0;
}

/* Contexts */

/**
 * damon_new_ctx() - allocate a context with the default attributes.
 *
 * The defaults: 5 ms sampling, 100 ms aggregation, 60 s ops update
 * intervals, 10 to 1000 regions, no interval tuning, address unit 1 and a
 * minimum region size of DAMON_MIN_REGION_SZ.  No operations set is
 * selected.
 *
 * Return: the new context, or NULL if memory ran out.
 */
struct damon_ctx *damon_new_ctx(void)
{
	struct damon_attrs attrs = {
		.sample_interval = 5 * USEC_PER_MSEC,
		.aggr_interval = 100 * USEC_PER_MSEC,
		.ops_update_interval = 60 * USEC_PER_SEC,
		.min_nr_regions = 10,
		.max_nr_regions = 1000,
	};
	struct damon_ctx *ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);

	if (!ctx)
		return NULL;
	init_completion(&ctx->kdamond_started);
	INIT_LIST_HEAD(&ctx->call_controls);
	mutex_init(&ctx->call_controls_lock);
	ctx->call_controls_obsolete = true;	/* no kdamond yet */
	mutex_init(&ctx->kdamond_lock);
	ctx->addr_unit = 1;
	ctx->min_region_sz = DAMON_MIN_REGION_SZ;
	INIT_LIST_HEAD(&ctx->adaptive_targets);
	INIT_LIST_HEAD(&ctx->schemes);
	damon_apply_attrs(ctx, &attrs);
	return ctx;
}

/*
 * Wait until the thread started for @ctx has fully exited and drop the
 * context's reference to it.  Return 0 if it was still in its main loop,
 * -EPERM if it had ended by itself or none was started.
 */
static int damon_reap_kdamond(struct damon_ctx *ctx)
{
	struct task_struct *tsk;
	bool was_running;

	mutex_lock(&ctx->kdamond_lock);
	tsk = ctx->kdamond;
	was_running = ctx->kdamond_running;
	ctx->kdamond = NULL;
	mutex_unlock(&ctx->kdamond_lock);
	if (!tsk)
		return -EPERM;
	kthread_stop_put(tsk);
	return was_running ? 0 : -EPERM;
}

/**
 * damon_destroy_ctx() - free a context, its targets and their regions.
 * @ctx:	the context; a kdamond still running for it is stopped first.
 */
void damon_destroy_ctx(struct damon_ctx *ctx)
{
	struct damon_target *t, *next;

	damon_reap_kdamond(ctx);
	damon_for_each_target_safe(t, next, ctx)
		damon_destroy_target(t, ctx);
	mutex_destroy(&ctx->kdamond_lock);
	mutex_destroy(&ctx->call_controls_lock);
	kfree(ctx);
}

/* Committing new parameters */

static int damon_commit_target_regions(struct damon_target *dst,
				       struct damon_target *src, unsigned long min_region_sz)
{
	struct damon_addr_range *ranges;
	struct damon_region *r;
	unsigned int i = 0;
	int err;

	if (!src->nr_regions)	/* keep what is monitored, with its results */
		return 0;
	ranges = kmalloc_array(src->nr_regions, sizeof(*ranges), GFP_KERNEL);
	if (!ranges)
		return -ENOMEM;
	damon_for_each_region(r, src)
		ranges[i++] = r->ar;
	err = damon_set_regions(dst, ranges, i, min_region_sz);
	kfree(ranges);
	return err;
}

static int damon_commit_target(struct damon_target *dst,
			       struct damon_target *src, unsigned long min_region_sz)
{
	if (dst->pid != src->pid) {
		/* another process: its old regions mean nothing now */
		struct damon_region *r, *next;

		damon_for_each_region_safe(r, next, dst)
			damon_destroy_region(r, dst);
		put_pid(dst->pid);
		dst->pid = get_pid(src->pid);
	}
	return damon_commit_target_regions(dst, src, min_region_sz);
}

/* Pair targets by position; obsolete ones need a counterpart to remove. */
static bool damon_commit_targets_valid(struct damon_ctx *dst,
				       struct damon_ctx *src)
{
	struct list_head *d = dst->adaptive_targets.next;
	struct damon_target *s;

	damon_for_each_target(s, src) {
		if (d == &dst->adaptive_targets) {
			if (s->obsolete)
				return false;
			continue;
		}
		d = d->next;
	}
	return true;
}

static int damon_commit_targets(struct damon_ctx *dst, struct damon_ctx *src)
{
	struct list_head *pos = dst->adaptive_targets.next;
	struct damon_target *s, *d;
	int err;

	damon_for_each_target(s, src) {
		if (pos == &dst->adaptive_targets) {
			d = damon_new_target();
			if (!d)
				return -ENOMEM;
			damon_add_target(dst, d);
		} else {
			d = list_entry(pos, struct damon_target, list);
			pos = pos->next;
			if (s->obsolete) {
				damon_destroy_target(d, dst);
				continue;
			}
		}
		err = damon_commit_target(d, s, dst->min_region_sz);
		if (err)
			return err;
	}
	while (pos != &dst->adaptive_targets) {
		d = list_entry(pos, struct damon_target, list);
		pos = pos->next;
		damon_destroy_target(d, dst);
	}
	return 0;
}

/**
 * damon_commit_ctx() - copy the user parameters of one context to another.
 * @dst:	the context to update; if running, call this from its kdamond
 *		(for example through damon_call()).
 * @src:	the context holding the new parameters.
 *
 * Copies the attributes, the operations set, the address unit and the
 * minimum region size, and the targets by position: a target of @src
 * updates the target of @dst at the same position (its regions, if it has
 * any, replace those of @dst while keeping the results of what overlaps),
 * or removes it if marked obsolete; extra targets are added or removed.
 *
 * Everything that can be checked is checked before @dst is touched, so an
 * invalid @src leaves @dst as it was.  Only running out of memory can leave
 * @dst half updated; it is then marked and its kdamond stops.
 *
 * Return: 0 on success, -EINVAL for invalid parameters, -ENOMEM.
 */
int damon_commit_ctx(struct damon_ctx *dst, struct damon_ctx *src)
{
	int err;

	if (damon_validate_attrs(&src->attrs) ||
	    !is_power_of_2(src->min_region_sz) || !src->addr_unit ||
	    !damon_commit_targets_valid(dst, src))
		return -EINVAL;
	if (dst->ops.id != src->ops.id && !damon_is_registered_ops(src->ops.id))
		return -EINVAL;

	dst->ops = src->ops;
	dst->addr_unit = src->addr_unit;
	dst->min_region_sz = src->min_region_sz;
	damon_apply_attrs(dst, &src->attrs);
	err = damon_commit_targets(dst, src);
	if (err)
		dst->maybe_corrupted = true;
	return err;
}

/* Starting and stopping */

/**
 * damon_nr_running_ctxs() - count the contexts whose kdamond runs.
 *
 * Return: the number of running contexts.
 */
int damon_nr_running_ctxs(void)
{
	int nr;

	mutex_lock(&damon_lock);
	nr = nr_running_ctxs;
	mutex_unlock(&damon_lock);
	return nr;
}

/**
 * damon_initialized() - whether the DAMON core is ready for use.
 *
 * Special-purpose modules whose parameters may be written before the core
 * initialises use this to defer their work.
 *
 * Return: true once the core has initialised.
 */
bool damon_initialized(void)
{
	return damon_regions_initialized();
}

static int kdamond_fn(void *data);

/* Start the kdamond of @ctx; called with damon_lock held. */
static int damon_start_one(struct damon_ctx *ctx)
{
	struct task_struct *tsk;

	if (damon_is_running(ctx))
		return -EBUSY;
	if (!is_power_of_2(ctx->min_region_sz))
		return -EINVAL;
	damon_reap_kdamond(ctx);	/* one that ended by itself */

	reinit_completion(&ctx->kdamond_started);
	ctx->maybe_corrupted = false;
	mutex_lock(&ctx->call_controls_lock);
	ctx->call_controls_obsolete = false;
	mutex_unlock(&ctx->call_controls_lock);

	tsk = kthread_create(kdamond_fn, ctx, "kdamond.%u",
			     damon_nr_kdamonds_started++);
	if (IS_ERR(tsk)) {
		mutex_lock(&ctx->call_controls_lock);
		ctx->call_controls_obsolete = true;
		mutex_unlock(&ctx->call_controls_lock);
		return PTR_ERR(tsk);
	}
	mutex_lock(&ctx->kdamond_lock);
	ctx->kdamond = get_task_struct(tsk);
	ctx->kdamond_running = true;
	mutex_unlock(&ctx->kdamond_lock);
	nr_running_ctxs++;
	wake_up_process(tsk);
	wait_for_completion(&ctx->kdamond_started);
	return 0;
}

/**
 * damon_start() - start a kdamond for each of a group of contexts.
 * @ctxs:	the contexts.
 * @nr_ctxs:	the number of entries in @ctxs.
 * @exclusive:	let no other context run while this group runs.
 *
 * Return: 0 on success; -EBUSY if a context already runs, or if an
 * exclusive start is requested while anything runs, or any start while an
 * exclusive group runs; -EINVAL for a context whose min_region_sz is not a
 * power of two.  Contexts started before an error keep running.
 */
int damon_start(struct damon_ctx **ctxs, int nr_ctxs, bool exclusive)
{
	int i, err = 0;

	mutex_lock(&damon_lock);
	if ((exclusive && nr_running_ctxs) || running_exclusive_ctxs) {
		mutex_unlock(&damon_lock);
		return -EBUSY;
	}
	for (i = 0; i < nr_ctxs && !err; i++)
		err = damon_start_one(ctxs[i]);
	if (exclusive && nr_running_ctxs)
		running_exclusive_ctxs = true;
	mutex_unlock(&damon_lock);
	return err;
}

/**
 * damon_stop() - stop the kdamonds of a group of contexts.
 * @ctxs:	the contexts.
 * @nr_ctxs:	the number of entries in @ctxs.
 *
 * Waits until each kdamond has exited.  Monitoring results stay in the
 * contexts.
 *
 * Return: 0 on success, -EPERM if a context was not running.
 */
int damon_stop(struct damon_ctx **ctxs, int nr_ctxs)
{
	int i, err = 0;

	for (i = 0; i < nr_ctxs; i++) {
		int ret = damon_reap_kdamond(ctxs[i]);

		if (ret && !err)
			err = ret;
	}
	return err;
}

/**
 * damon_is_running() - whether the kdamond of a context runs.
 * @ctx:	the context.
 *
 * Return: true if a kdamond was started for @ctx and has not yet finished.
 */
bool damon_is_running(struct damon_ctx *ctx)
{
	bool running;

	mutex_lock(&ctx->kdamond_lock);
	running = ctx->kdamond && ctx->kdamond_running;
	mutex_unlock(&ctx->kdamond_lock);
	return running;
}

/**
 * damon_kdamond_pid() - the pid of the kdamond of a context.
 * @ctx:	the context.
 *
 * Return: the pid, or -EINVAL if no kdamond runs for @ctx.
 */
int damon_kdamond_pid(struct damon_ctx *ctx)
{
	int pid = -EINVAL;

	mutex_lock(&ctx->kdamond_lock);
	if (ctx->kdamond && ctx->kdamond_running)
		pid = ctx->kdamond->pid;
	mutex_unlock(&ctx->kdamond_lock);
	return pid;
}

/* Requests to the kdamond */

/**
 * damon_call() - run a function on the kdamond of a context.
 * @ctx:	the context.
 * @control:	the function, its argument and how to run it.
 *
 * The function runs between two samples, where it may read and change the
 * context freely.  A one-shot request waits until the function has run;
 * a repeating one returns at once and runs on every loop iteration until
 * the kdamond ends.
 *
 * Return: 0 once the request ran (one-shot) or was queued (repeating);
 * -ECANCELED if no kdamond runs or it ended before running the function.
 */
int damon_call(struct damon_ctx *ctx, struct damon_call_control *control)
{
	init_completion(&control->completion);
	control->canceled = false;
	INIT_LIST_HEAD(&control->list);

	mutex_lock(&ctx->call_controls_lock);
	if (ctx->call_controls_obsolete) {
		mutex_unlock(&ctx->call_controls_lock);
		return -ECANCELED;
	}
	list_add_tail(&control->list, &ctx->call_controls);
	mutex_unlock(&ctx->call_controls_lock);

	if (control->repeat)
		return 0;
	wait_for_completion(&control->completion);
	return control->canceled ? -ECANCELED : 0;
}

/* Give targets that have no regions yet (new or re-pointed) a layout. */
static void kdamond_init_empty_targets(struct damon_ctx *ctx)
{
	struct damon_target *t;

	damon_for_each_target(t, ctx) {
		if (!t->nr_regions && ctx->ops.init) {
			ctx->ops.init(ctx);
			break;
		}
	}
	damon_fill_min_regions(ctx);
}

/* Serve the queued requests; repeating ones go back on the queue. */
static void kdamond_call(struct damon_ctx *ctx)
{
	struct damon_call_control *control, *next;
	bool ran_one_shot = false;
	LIST_HEAD(todo);
	LIST_HEAD(repeats);

	if (list_empty_careful(&ctx->call_controls))
		return;
	mutex_lock(&ctx->call_controls_lock);
	list_splice_init(&ctx->call_controls, &todo);
	mutex_unlock(&ctx->call_controls_lock);

	list_for_each_entry_safe(control, next, &todo, list) {
		list_del_init(&control->list);
		control->return_code = control->fn(control->data);
		if (control->repeat) {
			list_add_tail(&control->list, &repeats);
		} else {
			complete(&control->completion);
			ran_one_shot = true;
		}
	}
	if (!list_empty(&repeats)) {
		mutex_lock(&ctx->call_controls_lock);
		list_splice(&repeats, &ctx->call_controls);
		mutex_unlock(&ctx->call_controls_lock);
	}
	if (ran_one_shot)
		kdamond_init_empty_targets(ctx);
}

/* Refuse new requests and cancel the queued ones: the kdamond is ending. */
static void kdamond_cancel_calls(struct damon_ctx *ctx)
{
	struct damon_call_control *control, *next;
	LIST_HEAD(todo);

	mutex_lock(&ctx->call_controls_lock);
	ctx->call_controls_obsolete = true;
	list_splice_init(&ctx->call_controls, &todo);
	mutex_unlock(&ctx->call_controls_lock);

	list_for_each_entry_safe(control, next, &todo, list) {
		list_del_init(&control->list);
		control->canceled = true;
		if (control->repeat && control->dealloc_on_cancel)
			kfree(control);
		else
			complete(&control->completion);
	}
}

/* The kdamond loop */

/*
 * Sleep until @usecs passed or the kdamond is asked to stop.  Unlike
 * usleep_range(), a stop request ends the sleep at once, so long sampling
 * intervals never delay damon_stop().
 */
static void kdamond_sleep(unsigned long usecs)
{
	ktime_t expires = ktime_add_us(ktime_get(), usecs);
	u64 slack = (u64)usecs * NSEC_PER_USEC / 64;

	for (;;) {
		set_current_state(TASK_IDLE);
		if (kthread_should_stop())
			break;
		if (!schedule_hrtimeout_range(&expires, slack, HRTIMER_MODE_ABS))
			break;
	}
	__set_current_state(TASK_RUNNING);
}

static bool kdamond_targets_valid(struct damon_ctx *ctx)
{
	struct damon_target *t;

	if (!ctx->ops.target_valid)
		return true;
	damon_for_each_target(t, ctx) {
		if (ctx->ops.target_valid(t))
			return true;
	}
	return false;
}

static void kdamond_report(struct damon_ctx *ctx)
{
	struct damon_target *t;
	struct damon_region *r;
	unsigned int tidx = 0;

	if (!trace_damon_aggregated_enabled())
		return;
	damon_for_each_target(t, ctx) {
		damon_for_each_region(r, t)
			trace_damon_aggregated(tidx, r, t->nr_regions);
		tidx++;
	}
}

/*
 * The end of an aggregation interval.  @max_nr_accesses is the largest
 * count the last check saw; a tenth of it is what still counts as "about
 * the same access frequency".
 */
static void kdamond_aggregate(struct damon_ctx *ctx,
			      unsigned int max_nr_accesses)
{
	unsigned int thres = max_nr_accesses / 10;
	unsigned int nr_pieces;

	damon_update_ages(ctx, thres);
	damon_merge_regions(ctx, thres, damon_region_sz_limit(ctx));
	kdamond_report(ctx);
	/* the DAMOS engine applies the schemes here */
	damon_intervals_account(ctx);
	damon_reset_aggregated(ctx);

	nr_pieces = damon_nr_split_pieces(ctx, ctx->last_nr_regions);
	ctx->last_nr_regions = damon_ctx_nr_regions(ctx);
	damon_split_regions(ctx, nr_pieces);

	ctx->next_aggregation_sis = ctx->passed_sample_intervals +
		ctx->attrs.aggr_samples;
	damon_intervals_tune(ctx);
}

static void kdamond_update_ops(struct damon_ctx *ctx)
{
	if (ctx->ops.update)
		ctx->ops.update(ctx);
	damon_fill_min_regions(ctx);
	ctx->next_ops_update_sis = ctx->passed_sample_intervals +
		damon_samples(ctx->attrs.ops_update_interval, &ctx->attrs);
}

static void kdamond_init(struct damon_ctx *ctx)
{
	struct damon_target *t;
	struct damon_region *r;

	/* a restarted context must not carry a half-counted interval over */
	damon_for_each_target(t, ctx)
		damon_for_each_region(r, t)
			r->nr_accesses = 0;
	ctx->passed_sample_intervals = 0;
	ctx->next_aggregation_sis = ctx->attrs.aggr_samples;
	ctx->next_ops_update_sis = damon_samples(ctx->attrs.ops_update_interval,
						 &ctx->attrs);
	ctx->next_intervals_tune_sis = ctx->attrs.intervals_goal.aggrs *
		ctx->attrs.aggr_samples;
	ctx->tune_events = 0;
	ctx->tune_max_events = 0;
	ctx->last_nr_regions = 0;
	if (ctx->ops.init)
		ctx->ops.init(ctx);
	damon_fill_min_regions(ctx);
}

static bool kdamond_should_stop(struct damon_ctx *ctx)
{
	return kthread_should_stop() || ctx->maybe_corrupted;
}

/* One sample; returns the largest nr_accesses the check saw. */
static unsigned int kdamond_sample(struct damon_ctx *ctx)
{
	if (ctx->ops.prepare_access_checks)
		ctx->ops.prepare_access_checks(ctx);
	kdamond_sleep(ctx->attrs.sample_interval);
	ctx->passed_sample_intervals++;
	if (!ctx->ops.check_accesses)
		return 0;
	return ctx->ops.check_accesses(ctx);
}

static int kdamond_fn(void *data)
{
	struct damon_ctx *ctx = data;
	unsigned int max_nr_accesses;

	pr_debug("kdamond (%d) starts\n", current->pid);
	kdamond_init(ctx);
	complete(&ctx->kdamond_started);

	while (!kdamond_should_stop(ctx)) {
		max_nr_accesses = kdamond_sample(ctx);
		if (ctx->passed_sample_intervals >= ctx->next_aggregation_sis) {
			kdamond_aggregate(ctx, max_nr_accesses);
			/* all processes gone: nothing left to watch */
			if (!kdamond_targets_valid(ctx))
				break;
		}
		if (ctx->passed_sample_intervals >= ctx->next_ops_update_sis)
			kdamond_update_ops(ctx);
		kdamond_call(ctx);
	}

	kdamond_cancel_calls(ctx);
	mutex_lock(&damon_lock);
	if (!--nr_running_ctxs)
		running_exclusive_ctxs = false;
	mutex_unlock(&damon_lock);
	/* after this, only damon_reap_kdamond() touches the context */
	mutex_lock(&ctx->kdamond_lock);
	ctx->kdamond_running = false;
	mutex_unlock(&ctx->kdamond_lock);
	pr_debug("kdamond (%d) finishes\n", current->pid);
	return 0;
}

static int __init damon_init(void)
{
	int err = damon_regions_init();

	if (err)
		pr_err("cannot allocate the region cache\n");
	return err;
}

subsys_initcall(damon_init);
