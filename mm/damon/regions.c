// SPDX-License-Identifier: GPL-2.0
/*
 * DAMON regions: the objects, setting them from address ranges, and the
 * adaptive adjustment that keeps each region's pages alike in access
 * frequency.
 *
 * Invariants kept by every function here: a target's regions are sorted by
 * address, never overlap, start and end on multiples of the context's
 * min_region_sz, and are never smaller than it.  Regions need not be
 * contiguous (a target may cover several separate ranges); only adjacent
 * regions (one's end is the next one's start) are ever merged.
 *
 * Per aggregation interval the kdamond calls, in this order:
 * damon_update_ages(), damon_merge_regions(), (reporting and schemes),
 * damon_reset_aggregated() and damon_split_regions().  Each is one pass over
 * the regions, except that merging repeats with a doubled threshold while the
 * region count exceeds the maximum, at most log2(max nr_accesses) times.
 */

#include <linux/damon.h>
#include <linux/math64.h>
#include <linux/slab.h>

#include "core.h"

static struct kmem_cache *damon_region_cache __ro_after_init;

int __init damon_regions_init(void)
{
	damon_region_cache = KMEM_CACHE(damon_region, 0);
	return damon_region_cache ? 0 : -ENOMEM;
}

bool damon_regions_initialized(void)
{
	return damon_region_cache;
}

/**
 * damon_new_region() - allocate a region with no monitoring results yet.
 * @start:	the first address of the region.
 * @end:	one past the last address of the region.
 *
 * Return: the new region, or NULL if memory ran out.
 */
struct damon_region *damon_new_region(unsigned long start, unsigned long end)
{
	struct damon_region *r;

	r = kmem_cache_alloc(damon_region_cache, GFP_KERNEL);
	if (r)
		*r = (struct damon_region){
			.ar = { .start = start, .end = end },
			.sampling_addr = start,
			.list = LIST_HEAD_INIT(r->list),
		};
	return r;
}

/**
 * damon_add_region() - append a region to a target.
 * @r:	the region; it must lie after every region @t already has.
 * @t:	the target.
 */
void damon_add_region(struct damon_region *r, struct damon_target *t)
{
	list_add_tail(&r->list, &t->regions_list);
	t->nr_regions++;
}

/**
 * damon_destroy_region() - unlink a region from its target and free it.
 * @r:	the region.
 * @t:	the target that holds @r.
 */
void damon_destroy_region(struct damon_region *r, struct damon_target *t)
{
	list_del(&r->list);
	t->nr_regions--;
	kmem_cache_free(damon_region_cache, r);
}

/* Add a new region [@start, @end) in front of @pos (the list head: at the end). */
static int damon_insert_before(struct damon_target *t, struct list_head *pos,
			       unsigned long start, unsigned long end)
{
	struct damon_region *r = damon_new_region(start, end);

	if (!r)
		return -ENOMEM;
	list_add_tail(&r->list, pos);
	t->nr_regions++;
	return 0;
}

/**
 * damon_split_region_at() - split a region in two.
 * @t:		the target that holds @r.
 * @r:		the region; it keeps the left part.
 * @sz_left:	the size of the left part; less than the size of @r.
 *
 * The right part is a new region placed right after @r that inherits the
 * monitoring results of @r.  If memory runs out, @r is left whole.
 */
void damon_split_region_at(struct damon_target *t, struct damon_region *r,
			   unsigned long sz_left)
{
	struct damon_region *right;

	right = damon_new_region(r->ar.start + sz_left, r->ar.end);
	if (!right)
		return;
	right->nr_accesses = r->nr_accesses;
	right->nr_accesses_bp = r->nr_accesses_bp;
	right->last_nr_accesses = r->last_nr_accesses;
	right->age = r->age;
	r->ar.end = right->ar.start;
	damon_insert_region(right, r, damon_next_region(r), t);
}

/* Check that @ranges are sorted and do not overlap. */
static bool damon_ranges_valid(struct damon_addr_range *ranges,
			       unsigned int nr_ranges)
{
	unsigned int i;

	for (i = 0; i < nr_ranges; i++) {
		if (ranges[i].start > ranges[i].end)
			return false;
		if (i && ranges[i - 1].end > ranges[i].start)
			return false;
	}
	return true;
}

/*
 * Make the regions from @pos on cover [@start, @end) exactly, keeping the
 * results of those that overlap it; return the first region past @end.
 */
static struct list_head *damon_cover_range(struct damon_target *t,
					   struct list_head *pos,
					   unsigned long start,
					   unsigned long end,
					   unsigned long min_sz, int *err)
{
	struct damon_region *r;
	unsigned long covered = start;

	while (pos != &t->regions_list) {
		unsigned long r_start, r_end;

		r = list_entry(pos, struct damon_region, list);
		if (r->ar.start >= end)
			break;
		if (r->ar.end > end)	/* the rest may serve the next range */
			damon_split_region_at(t, r, end - r->ar.start);
		if (r->ar.end > end) {
			*err = -ENOMEM;
			return pos;
		}
		pos = pos->next;
		/* regions kept from a smaller unit snap to the current one */
		r_start = max(ALIGN_DOWN(r->ar.start, min_sz), covered);
		r_end = ALIGN(r->ar.end, min_sz);
		if (r_end <= r_start) {
			damon_destroy_region(r, t);
			continue;
		}
		if (r_start > covered) {
			*err = damon_insert_before(t, &r->list, covered, r_start);
			if (*err)
				return &r->list;
		}
		r->ar.start = r_start;
		r->ar.end = r_end;
		covered = r_end;
	}
	if (covered < end)
		*err = damon_insert_before(t, pos, covered, end);
	return pos;
}

/**
 * damon_set_regions() - make a target cover exactly the given ranges.
 * @t:			the target.
 * @ranges:		sorted, non-overlapping address ranges.
 * @nr_ranges:		number of entries in @ranges.
 * @min_region_sz:	the alignment; a power of two.
 *
 * Each range is widened to @min_region_sz boundaries.  Regions outside every
 * range are removed; regions that overlap a range are trimmed to it and keep
 * their monitoring results; the rest of each range gets new regions.
 *
 * Return: 0 on success, -EINVAL if @ranges are unsorted or overlap (@t is
 * then untouched), -ENOMEM if memory ran out (@t is then still sorted and
 * non-overlapping but may cover only part of @ranges).
 */
int damon_set_regions(struct damon_target *t, struct damon_addr_range *ranges,
		      unsigned int nr_ranges, unsigned long min_region_sz)
{
	struct list_head *pos = t->regions_list.next;
	unsigned long last_end = 0;
	struct damon_region *r;
	unsigned int i;
	int err = 0;

	if (!damon_ranges_valid(ranges, nr_ranges))
		return -EINVAL;

	for (i = 0; i < nr_ranges && !err; i++) {
		unsigned long start = ALIGN_DOWN(ranges[i].start, min_region_sz);
		unsigned long end = ALIGN(ranges[i].end, min_region_sz);

		if (ranges[i].start == ranges[i].end)	/* empty: nothing to do */
			continue;
		if (end < ranges[i].end)	/* rounding up wrapped around */
			end = ALIGN_DOWN(ranges[i].end, min_region_sz);
		/* widening may make neighbours overlap: the first one wins */
		start = max(start, last_end);
		if (start >= end)
			continue;
		last_end = end;
		while (pos != &t->regions_list) {
			r = list_entry(pos, struct damon_region, list);
			if (r->ar.end > start)
				break;
			pos = pos->next;
			damon_destroy_region(r, t);
		}
		pos = damon_cover_range(t, pos, start, end, min_region_sz,
					&err);
	}
	if (err)
		return err;
	/* whatever lies past the last range is no longer monitored */
	while (pos != &t->regions_list) {
		r = list_entry(pos, struct damon_region, list);
		pos = pos->next;
		damon_destroy_region(r, t);
	}
	return 0;
}

/**
 * damon_moving_sum() - slide a sum over a window of values by one value.
 * @mvsum:	the current moving sum.
 * @last_sum:	the plain sum over the previous window, standing in for the
 *		values that leave the window (their average leaves per step).
 * @len_window:	number of values in a window; at least 1.
 * @new_value:	the value that enters the window.
 *
 * Return: the new moving sum.
 */
unsigned int damon_moving_sum(unsigned int mvsum, unsigned int last_sum,
			      unsigned int len_window, unsigned int new_value)
{
	unsigned int leaving = last_sum / len_window;

	mvsum = mvsum > leaving ? mvsum - leaving : 0;
	return mvsum + new_value;
}

/**
 * damon_update_region_access_rate() - record one sample's result.
 * @r:		the region whose sampling address was checked.
 * @accessed:	whether the check found an access.
 * @attrs:	the monitoring attributes of the region's context.
 *
 * Operations sets call this once per region per sample.
 */
void damon_update_region_access_rate(struct damon_region *r, bool accessed,
				     struct damon_attrs *attrs)
{
	unsigned int len = max_t(unsigned long, attrs->aggr_samples, 1);
	u64 last = (u64)r->last_nr_accesses * DAMON_BP_PER_ACCESS;

	r->nr_accesses_bp = damon_moving_sum(r->nr_accesses_bp,
					     min_t(u64, last, UINT_MAX), len,
					     accessed ? DAMON_BP_PER_ACCESS : 0);
	if (accessed)
		r->nr_accesses++;
}

/**
 * damon_ctx_nr_regions() - count the regions of all targets of a context.
 * @ctx:	the context.
 *
 * Return: the number of regions.
 */
unsigned int damon_ctx_nr_regions(struct damon_ctx *ctx)
{
	struct damon_target *t;
	unsigned int nr = 0;

	damon_for_each_target(t, ctx)
		nr += t->nr_regions;
	return nr;
}

static unsigned long damon_ctx_sz(struct damon_ctx *ctx)
{
	struct damon_target *t;
	struct damon_region *r;
	unsigned long sz = 0;

	damon_for_each_target(t, ctx)
		damon_for_each_region(r, t)
			sz += damon_sz_region(r);
	return sz;
}

/**
 * damon_region_sz_limit() - the largest region that merging may create.
 * @ctx:	the context.
 *
 * Capping merged regions at the total size over min_nr_regions keeps at
 * least min_nr_regions regions.
 *
 * Return: the size limit, at least the minimum region size.
 */
unsigned long damon_region_sz_limit(struct damon_ctx *ctx)
{
	unsigned long sz = damon_ctx_sz(ctx);

	if (ctx->attrs.min_nr_regions)
		sz /= ctx->attrs.min_nr_regions;
	return max(sz, ctx->min_region_sz);
}

/**
 * damon_update_ages() - age regions whose access frequency held steady.
 * @ctx:	the context, at the end of an aggregation interval.
 * @thres:	the largest change of nr_accesses still counted as steady.
 */
void damon_update_ages(struct damon_ctx *ctx, unsigned int thres)
{
	struct damon_target *t;
	struct damon_region *r;

	damon_for_each_target(t, ctx) {
		damon_for_each_region(r, t) {
			unsigned int diff = abs_diff(r->nr_accesses,
					r->last_nr_accesses);

			if (diff > thres)
				r->age = 0;
			else if (r->age < UINT_MAX)
				r->age++;
		}
	}
}

/* The average of @a and @b weighted by @sa and @sb, without overflow. */
static unsigned int damon_weighted_avg(unsigned int a, unsigned long sa,
				       unsigned int b, unsigned long sb)
{
	u64 total = (u64)sa + sb;

	if (b >= a)
		return a + mul_u64_u64_div_u64(b - a, sb, total);
	return a - mul_u64_u64_div_u64(a - b, sb, total);
}

/* Make @l, which directly precedes @r, absorb @r. */
static void damon_absorb_region(struct damon_target *t, struct damon_region *l,
				struct damon_region *r)
{
	unsigned long sl = damon_sz_region(l), sr = damon_sz_region(r);

	l->nr_accesses = damon_weighted_avg(l->nr_accesses, sl,
					    r->nr_accesses, sr);
	l->nr_accesses_bp = damon_weighted_avg(l->nr_accesses_bp, sl,
					       r->nr_accesses_bp, sr);
	l->last_nr_accesses = damon_weighted_avg(l->last_nr_accesses, sl,
						 r->last_nr_accesses, sr);
	l->age = damon_weighted_avg(l->age, sl, r->age, sr);
	l->ar.end = r->ar.end;
	damon_destroy_region(r, t);
}

/**
 * damon_merge_target_regions() - merge adjacent regions that look alike.
 * @t:		the target.
 * @thres:	the largest nr_accesses difference of regions to merge.
 * @sz_limit:	the largest size a merged region may have.
 *
 * Merged results are size-weighted averages of the merged regions'.
 */
void damon_merge_target_regions(struct damon_target *t, unsigned int thres,
				unsigned long sz_limit)
{
	struct damon_region *r, *next, *prev = NULL;

	damon_for_each_region_safe(r, next, t) {
		if (prev && prev->ar.end == r->ar.start &&
		    abs_diff(prev->nr_accesses, r->nr_accesses) <= thres &&
		    damon_sz_region(prev) + damon_sz_region(r) <= sz_limit)
			damon_absorb_region(t, prev, r);
		else
			prev = r;
	}
}

/**
 * damon_merge_regions() - merge alike regions until the count fits.
 * @ctx:	the context, at the end of an aggregation interval.
 * @thres:	the first nr_accesses difference threshold to try.
 * @sz_limit:	the largest size a merged region may have.
 *
 * While more than max_nr_regions regions remain, the threshold doubles and
 * merging repeats, until the threshold covers every possible difference.
 */
void damon_merge_regions(struct damon_ctx *ctx, unsigned int thres,
			 unsigned long sz_limit)
{
	unsigned int max_thres = damon_max_nr_accesses(&ctx->attrs);
	struct damon_target *t;

	for (;;) {
		damon_for_each_target(t, ctx)
			damon_merge_target_regions(t, thres, sz_limit);
		if (damon_ctx_nr_regions(ctx) <= ctx->attrs.max_nr_regions ||
		    thres >= max_thres)
			return;
		thres = min(max(thres * 2, thres + 1), max_thres);
	}
}

/**
 * damon_reset_aggregated() - start a new aggregation interval.
 * @ctx:	the context.
 *
 * The moving sum is resynchronised with the exact count at this point,
 * where its window and the aggregation interval coincide, so rounding
 * errors never pile up.
 */
void damon_reset_aggregated(struct damon_ctx *ctx)
{
	struct damon_target *t;
	struct damon_region *r;

	damon_for_each_target(t, ctx) {
		damon_for_each_region(r, t) {
			u64 bp = (u64)r->nr_accesses * DAMON_BP_PER_ACCESS;

			r->nr_accesses_bp = min_t(u64, bp, UINT_MAX);
			r->last_nr_accesses = r->nr_accesses;
			r->nr_accesses = 0;
		}
	}
}

/**
 * damon_nr_split_pieces() - how many pieces to split each region into.
 * @ctx:		the context.
 * @last_nr_regions:	the region count right before the previous split.
 *
 * Splitting in three when the count did not change since the last time
 * helps escape a layout in which every split got merged back.
 *
 * Return: 1 (no split), 2 or 3.
 */
unsigned int damon_nr_split_pieces(struct damon_ctx *ctx,
				   unsigned int last_nr_regions)
{
	unsigned int nr = damon_ctx_nr_regions(ctx);

	if (nr > ctx->attrs.max_nr_regions / 2)
		return 1;
	if (nr == last_nr_regions && nr < ctx->attrs.max_nr_regions / 3)
		return 3;
	return 2;
}

/* Cut @r at random points into at most @nr_pieces pieces. */
static void damon_split_region_randomly(struct damon_target *t,
					struct damon_region *r, unsigned int nr_pieces,
					unsigned long min_sz)
{
	unsigned int i;

	for (i = 1; i < nr_pieces; i++) {
		unsigned long sz = damon_sz_region(r), sz_left;

		if (sz < 2 * min_sz)
			return;
		/* somewhere between 10% and 90% of the region */
		sz_left = ALIGN_DOWN(damon_rand(1, 10) * (sz / 10), min_sz);
		if (!sz_left || sz_left >= sz)
			continue;
		damon_split_region_at(t, r, sz_left);
		r = damon_next_region(r);
	}
}

/**
 * damon_split_regions() - split every region at random points.
 * @ctx:	the context, after its aggregated results were reset.
 * @nr_pieces:	pieces per region, from damon_nr_split_pieces().
 *
 * Splitting lets the next aggregation tell apart parts of a region whose
 * access frequencies differ; merging undoes the splits that did not.
 */
void damon_split_regions(struct damon_ctx *ctx, unsigned int nr_pieces)
{
	struct damon_target *t;
	struct damon_region *r, *next;

	if (nr_pieces < 2)
		return;
	damon_for_each_target(t, ctx)
		damon_for_each_region_safe(r, next, t)
			damon_split_region_randomly(t, r, nr_pieces,
						    ctx->min_region_sz);
}

/* Cut @r into @nr_pieces pieces of about equal size. */
static void damon_split_region_evenly(struct damon_target *t,
				      struct damon_region *r, unsigned long nr_pieces,
				      unsigned long min_sz)
{
	unsigned long piece = ALIGN_DOWN(damon_sz_region(r) / nr_pieces, min_sz);

	piece = max(piece, min_sz);
	while (--nr_pieces && damon_sz_region(r) > piece) {
		damon_split_region_at(t, r, piece);
		r = damon_next_region(r);
	}
}

/**
 * damon_fill_min_regions() - split regions until there are min_nr_regions.
 * @ctx:	the context.
 *
 * Each region gets a share of the pieces proportional to its size, so that
 * the resulting regions are about equally large.
 */
void damon_fill_min_regions(struct damon_ctx *ctx)
{
	unsigned long min_nr = ctx->attrs.min_nr_regions;
	unsigned long total = damon_ctx_sz(ctx);
	struct damon_target *t;
	struct damon_region *r, *next;

	if (!total || damon_ctx_nr_regions(ctx) >= min_nr)
		return;
	damon_for_each_target(t, ctx) {
		damon_for_each_region_safe(r, next, t) {
			unsigned long sz = damon_sz_region(r);
			/* this region's share of min_nr pieces, rounded up */
			u64 share = mul_u64_u64_div_u64(sz, min_nr, total);

			if (mul_u64_u64_div_u64(share, total, min_nr) < sz)
				share++;
			if (share > 1)
				damon_split_region_evenly(t, r, share,
							  ctx->min_region_sz);
		}
	}
}

/* Scale @val by @mul / @div, saturating at UINT_MAX. */
static unsigned int damon_scale(unsigned int val, u64 mul, u64 div)
{
	return min_t(u64, mul_u64_u64_div_u64(val, mul, div), UINT_MAX);
}

/**
 * damon_rescale_region() - keep a region's results meaningful across a
 *			    change of the monitoring intervals.
 * @r:		the region.
 * @old_attrs:	the attributes its results were collected with.
 * @new_attrs:	the attributes that take effect.
 *
 * Access counts keep their ratio to the samples per aggregation; the age
 * keeps its length in time.
 */
void damon_rescale_region(struct damon_region *r,
			  const struct damon_attrs *old_attrs,
			  const struct damon_attrs *new_attrs)
{
	unsigned int old_max = damon_max_nr_accesses(old_attrs);
	unsigned int new_max = damon_max_nr_accesses(new_attrs);

	if (old_max && old_max != new_max) {
		r->nr_accesses = damon_scale(r->nr_accesses, new_max, old_max);
		r->last_nr_accesses = damon_scale(r->last_nr_accesses, new_max,
						  old_max);
		r->nr_accesses_bp = damon_scale(r->nr_accesses_bp, new_max,
						old_max);
	}
	if (new_attrs->aggr_interval &&
	    old_attrs->aggr_interval != new_attrs->aggr_interval)
		r->age = damon_scale(r->age, old_attrs->aggr_interval,
				     new_attrs->aggr_interval);
}
