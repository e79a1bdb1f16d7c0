// SPDX-License-Identifier: GPL-2.0
/*
 * DAMON monitoring intervals auto-tuning.
 *
 * A short aggregation interval catches few accesses per region, so every
 * region looks equally cold; a long one makes adaptation slow.  The user
 * states how busy the results should look: the share (access_bp) of the
 * access events that DAMON observes out of the most it could observe.  An
 * event is one sample finding one min_region_sz unit of a region accessed,
 * so a region of S units with nr_accesses N contributes S * N events out of
 * S * max_nr_accesses.
 *
 * Every intervals_goal.aggrs aggregation intervals, the sampling interval is
 * multiplied by a factor between 1/2 and 2 that grows with the distance from
 * the goal: too few events make both intervals longer, too many shorter.
 * The aggregation interval follows with the same factor, so the number of
 * samples per aggregation, and with it the meaning of nr_accesses, stays.
 */

#include <linux/damon.h>
#include <linux/math64.h>

#include <trace/events/damon.h>

#include "core.h"

/* Factors are in basis points: 10000 keeps the interval as it is. */
#define DAMON_TUNE_UNITY	10000ULL

static u64 damon_tune_factor(u64 observed_bp, u64 goal_bp)
{
	if (!goal_bp)
		return observed_bp ? DAMON_TUNE_UNITY / 2 : DAMON_TUNE_UNITY;
	if (observed_bp < goal_bp)	/* up to 2x when nothing is seen */
		return DAMON_TUNE_UNITY +
			div64_u64((goal_bp - observed_bp) * DAMON_TUNE_UNITY,
				  goal_bp);
	/* down to 1/2 at twice the goal or more */
	observed_bp = min(observed_bp - goal_bp, goal_bp);
	return DAMON_TUNE_UNITY -
		div64_u64(observed_bp * DAMON_TUNE_UNITY / 2, goal_bp);
}

/**
 * damon_tuned_sample_interval() - the next sampling interval to use.
 * @goal:	the tuning goal.
 * @sample_us:	the current sampling interval.
 * @events:	access events observed since the last tuning step.
 * @max_events:	the most access events that could have been observed.
 *
 * Return: the new sampling interval, within the goal's bounds and never 0.
 */
unsigned long damon_tuned_sample_interval(const struct damon_intervals_goal *goal,
					  unsigned long sample_us, u64 events, u64 max_events)
{
	u64 observed_bp, factor, next;

	if (!max_events)
		return sample_us;
	observed_bp = mul_u64_u64_div_u64(events, DAMON_TUNE_UNITY, max_events);
	factor = damon_tune_factor(observed_bp, goal->access_bp);
	next = mul_u64_u64_div_u64(sample_us, factor, DAMON_TUNE_UNITY);
	/* tiny intervals would otherwise never grow through rounding */
	if (factor > DAMON_TUNE_UNITY && next == sample_us)
		next++;
	next = clamp_t(u64, next, goal->min_sample_us, goal->max_sample_us);
	return max_t(u64, next, 1);
}

/**
 * damon_intervals_account() - add one aggregation's events to the tally.
 * @ctx:	the context, at the end of an aggregation interval.
 */
void damon_intervals_account(struct damon_ctx *ctx)
{
	unsigned int max_nr = damon_max_nr_accesses(&ctx->attrs);
	struct damon_target *t;
	struct damon_region *r;

	if (!ctx->attrs.intervals_goal.aggrs)
		return;
	damon_for_each_target(t, ctx) {
		damon_for_each_region(r, t) {
			u64 units = damon_sz_region(r) / ctx->min_region_sz;

			ctx->tune_events += units * r->nr_accesses;
			ctx->tune_max_events += units * max_nr;
		}
	}
}

/**
 * damon_intervals_tune() - take a tuning step if one is due.
 * @ctx:	the context, at the end of an aggregation interval.
 */
void damon_intervals_tune(struct damon_ctx *ctx)
{
	struct damon_intervals_goal *goal = &ctx->attrs.intervals_goal;
	struct damon_attrs attrs = ctx->attrs;
	unsigned long sample_us;

	if (!goal->aggrs ||
	    ctx->passed_sample_intervals < ctx->next_intervals_tune_sis)
		return;
	sample_us = damon_tuned_sample_interval(goal, attrs.sample_interval,
						ctx->tune_events, ctx->tune_max_events);
	if (attrs.sample_interval)
		attrs.aggr_interval = mul_u64_u64_div_u64(attrs.aggr_interval,
							  sample_us, attrs.sample_interval);
	else
		attrs.aggr_interval = sample_us * attrs.aggr_samples;
	attrs.sample_interval = sample_us;
	/* also restarts the tally and schedules the next step */
	damon_apply_attrs(ctx, &attrs);
	trace_damon_monitor_intervals_tune(sample_us);
}
