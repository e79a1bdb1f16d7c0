/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Declarations shared by the files of the DAMON core and its KUnit tests.
 * Nothing here is an API for other kernel code: see <linux/damon.h>.
 */

#ifndef _MM_DAMON_CORE_H
#define _MM_DAMON_CORE_H

#include <linux/damon.h>

/* regions.c: region objects and adaptive region adjustment */
int damon_regions_init(void);
bool damon_regions_initialized(void);
unsigned long damon_region_sz_limit(struct damon_ctx *ctx);
void damon_update_ages(struct damon_ctx *ctx, unsigned int thres);
void damon_merge_target_regions(struct damon_target *t, unsigned int thres,
				unsigned long sz_limit);
void damon_merge_regions(struct damon_ctx *ctx, unsigned int thres,
			 unsigned long sz_limit);
void damon_split_region_at(struct damon_target *t, struct damon_region *r,
			   unsigned long sz_left);
void damon_split_regions(struct damon_ctx *ctx, unsigned int nr_subs);
unsigned int damon_nr_split_pieces(struct damon_ctx *ctx,
				   unsigned int last_nr_regions);
void damon_fill_min_regions(struct damon_ctx *ctx);
void damon_reset_aggregated(struct damon_ctx *ctx);
unsigned int damon_moving_sum(unsigned int mvsum, unsigned int last_sum,
			      unsigned int len_window, unsigned int new_value);
void damon_rescale_region(struct damon_region *r,
			  const struct damon_attrs *old_attrs,
			  const struct damon_attrs *new_attrs);
unsigned int damon_ctx_nr_regions(struct damon_ctx *ctx);

/* intervals.c: sampling and aggregation interval auto-tuning */
unsigned long damon_tuned_sample_interval(const struct damon_intervals_goal *goal,
					  unsigned long sample_us, u64 events, u64 max_events);
void damon_intervals_account(struct damon_ctx *ctx);
void damon_intervals_tune(struct damon_ctx *ctx);

/* core.c */
int damon_validate_attrs(const struct damon_attrs *attrs);
void damon_apply_attrs(struct damon_ctx *ctx, struct damon_attrs *attrs);

#endif /* _MM_DAMON_CORE_H */
