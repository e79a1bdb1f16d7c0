/* SPDX-License-Identifier: GPL-2.0 */
/*
 * DAMON: data access monitoring.
 *
 * A DAMON context (struct damon_ctx) describes what to watch (targets, each
 * covered by a list of address regions), how often (struct damon_attrs) and
 * through which address-space primitives (struct damon_operations).  One
 * kernel thread, "kdamond", runs each started context: it samples one address
 * per region every sampling interval, sums the hits over an aggregation
 * interval and adapts the region boundaries so that each region holds memory
 * of similar access frequency.  The cost therefore scales with the number of
 * regions, not with the size of the memory watched.
 *
 * While a context runs, only its kdamond may touch it; other code asks the
 * kdamond to act for it through damon_call().
 */

#ifndef _DAMON_H_
#define _DAMON_H_

#include <linux/completion.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/random.h>
#include <linux/types.h>

/* Smallest region the core ever creates, in core address units. */
#define DAMON_MIN_REGION_SZ	PAGE_SIZE

/* A region's access frequency is also kept in basis points (1/10,000). */
#define DAMON_BP_PER_ACCESS	10000

/**
 * damon_rand() - pick a random number in [@l, @r).
 * @l:	the lowest value that may be returned.
 * @r:	one past the highest value that may be returned; must exceed @l.
 *
 * Ranges wider than 4 GiB are handled too, so a sampling address can land
 * anywhere in a large region.
 *
 * Return: the random number.
 */
static inline unsigned long damon_rand(unsigned long l, unsigned long r)
{
	unsigned long span = r - l;

	if (span <= U32_MAX)
		return l + get_random_u32_below(span);
	return l + get_random_u64() % span;
}

/**
 * struct damon_addr_range - a half-open address range, [@start, @end).
 * @start:	the first address of the range.
 * @end:	one past the last address of the range.
 */
struct damon_addr_range {
	unsigned long start;
	unsigned long end;
};

/**
 * struct damon_size_range - a closed size range, [@min, @max].
 * @min:	the smallest size in the range.
 * @max:	the largest size in the range.
 */
struct damon_size_range {
	unsigned long min;
	unsigned long max;
};

/**
 * struct damon_region - memory assumed to share one access frequency.
 * @ar:			the address range of the region.
 * @sampling_addr:	the address that the current sample checks.
 * @nr_accesses:	samples that saw an access in this aggregation interval.
 * @nr_accesses_bp:	moving sum of @nr_accesses over the last aggregation
 *			interval's worth of samples, in basis points.  Unlike
 *			@nr_accesses it is meaningful at any sample, not only at
 *			the end of an aggregation interval.
 * @age:		aggregation intervals for which the access frequency has
 *			stayed about the same.
 */
struct damon_region {
	struct damon_addr_range ar;
	unsigned long sampling_addr;
	unsigned int age;
	unsigned int nr_accesses, nr_accesses_bp;
/* private: */
	/* nr_accesses of the previous aggregation interval */
	unsigned int last_nr_accesses;
	struct list_head list;
};

/**
 * struct damon_target - one monitoring target.
 * @pid:		the process to watch, for operations sets that watch a
 *			virtual address space; the target owns one reference.
 * @nr_regions:		number of entries in @regions_list.
 * @regions_list:	the regions, sorted by address and never overlapping.
 * @list:		siblings in the context's target list.
 * @obsolete:		when committed by damon_commit_ctx(), remove the target
 *			at the same position of the destination context.
 */
struct damon_target {
	struct pid *pid;
	unsigned int nr_regions;
	struct list_head regions_list;
	struct list_head list;
	bool obsolete;
};

/**
 * enum damon_ops_id - identifiers of the operations sets.
 * @DAMON_OPS_VADDR:	virtual address spaces of processes.
 * @DAMON_OPS_FVADDR:	fixed, user-given ranges of virtual address spaces.
 * @DAMON_OPS_PADDR:	the physical address space.
 * @NR_DAMON_OPS:	number of operations set identifiers.
 */
enum damon_ops_id {
	DAMON_OPS_VADDR = 0,
	DAMON_OPS_FVADDR = 1,
	DAMON_OPS_PADDR = 2,
	NR_DAMON_OPS
};

struct damos;
struct damon_ctx;

/**
 * struct damon_operations - address-space specific primitives.
 * @id:			which operations set this is.
 * @init:		give targets that have no regions an initial layout,
 *			leaving the others alone; called before the first
 *			sample and after damon_call() requests that may have
 *			added targets (may be NULL).
 * @update:		refresh targets' ranges every ops update interval
 *			(may be NULL).
 * @prepare_access_checks: arm the next sample of every region, usually by
 *			picking &damon_region->sampling_addr and clearing its
 *			accessed bit.
 * @check_accesses:	see whether each region's sampling address was
 *			accessed since it was armed, feed the result to
 *			damon_update_region_access_rate(), and return the
 *			largest &damon_region->nr_accesses seen.
 * @target_valid:	whether a target can still be monitored (may be NULL:
 *			always valid).
 * @cleanup_target:	release what the operations set holds for a target,
 *			such as its pid reference (may be NULL).
 * @get_scheme_score:	the priority of applying a scheme to a region, from 0
 *			to DAMOS_MAX_SCORE (may be NULL).
 * @apply_scheme:	apply the action of a scheme to a region; returns the
 *			bytes applied and stores in its last argument the bytes
 *			that passed the operations-layer filters (may be NULL).
 *
 * Only the kdamond calls these, never two at once for one context.
 */
struct damon_operations {
	enum damon_ops_id id;

	/* building and refreshing what is monitored */
	void (*init)(struct damon_ctx *ctx);
	void (*update)(struct damon_ctx *ctx);
	bool (*target_valid)(struct damon_target *target);
	void (*cleanup_target)(struct damon_target *target);

	/* one sample */
	void (*prepare_access_checks)(struct damon_ctx *ctx);
	unsigned int (*check_accesses)(struct damon_ctx *ctx);

	/* acting on the results (DAMOS) */
	int (*get_scheme_score)(struct damon_ctx *c, struct damon_region *reg, struct damos *s);
	unsigned long (*apply_scheme)(struct damon_ctx *c, struct damon_target *tgt,
				      struct damon_region *reg, struct damos *s,
				      unsigned long *sz_ops_filter_passed);
};

/**
 * struct damon_call_control - a request to run a function on a kdamond.
 * @fn:			the function; its return value lands in @return_code.
 * @data:		the argument for @fn.
 * @repeat:		run @fn on every kdamond loop iteration until the
 *			kdamond ends, instead of once.
 * @return_code:	what @fn returned last.
 * @dealloc_on_cancel:	kfree() the control when the kdamond ends before
 *			the request completes (for @repeat requests whose
 *			caller does not wait).
 */
struct damon_call_control {
	int (*fn)(void *data);
	void *data;
	bool repeat;
	int return_code;
	bool dealloc_on_cancel;
/* private: */
	/* signalled when the request is done or cancelled */
	struct completion completion;
	/* the kdamond ended before running fn */
	bool canceled;
	struct list_head list;
};

/**
 * struct damon_intervals_goal - aim of the intervals auto-tuning.
 * @access_bp:		wanted ratio of observed access events to the most
 *			that could be observed, in basis points.
 * @aggrs:		aggregation intervals per tuning step; 0 disables
 *			the tuning.
 * @min_sample_us:	the shortest sampling interval tuning may pick.
 * @max_sample_us:	the longest sampling interval tuning may pick.
 *
 * The tuning scales the sampling and aggregation intervals by one factor, so
 * their ratio stays as the user set it.
 */
struct damon_intervals_goal {
	unsigned long access_bp;
	unsigned long aggrs;
	unsigned long min_sample_us;
	unsigned long max_sample_us;
};

/**
 * struct damon_attrs - monitoring attributes.
 * @sample_interval:	time between two access samples, in microseconds.
 * @aggr_interval:	time over which samples are summed, in microseconds.
 * @ops_update_interval: time between two &damon_operations->update calls,
 *			in microseconds.
 * @intervals_goal:	aim of the sampling/aggregation interval auto-tuning.
 * @min_nr_regions:	the fewest regions adaptation aims to keep.
 * @max_nr_regions:	the most regions adaptation may create.
 */
struct damon_attrs {
	unsigned long sample_interval;
	unsigned long aggr_interval;
	unsigned long ops_update_interval;
	struct damon_intervals_goal intervals_goal;
	unsigned long min_nr_regions;
	unsigned long max_nr_regions;
/* private: */
	/* samples per aggregation interval, set by damon_set_attrs() */
	unsigned long aggr_samples;
};

/**
 * struct damon_ctx - one monitoring context.
 * @attrs:		monitoring attributes; set with damon_set_attrs().
 * @ops:		the operations set, chosen with damon_select_ops().
 * @addr_unit:		multiply core addresses by this to get the addresses
 *			the operations set works on.
 * @min_region_sz:	the smallest region size, in core address units; a
 *			power of two.
 * @adaptive_targets:	the monitoring targets.
 * @schemes:		the DAMOS schemes applied to the monitoring results.
 */
struct damon_ctx {
	struct damon_attrs attrs;

/* private: */
	/*
	 * The kdamond's clock, in samples taken since it started, and the
	 * points on it at which the next aggregation, ops update and
	 * intervals tuning step are due.
	 */
	unsigned long passed_sample_intervals;
	unsigned long next_aggregation_sis;
	unsigned long next_ops_update_sis;
	unsigned long next_intervals_tune_sis;
	/*
	 * Access events seen since the last tuning step, and the most that
	 * could have been seen, in min_region_sz units times samples.
	 */
	u64 tune_events;
	u64 tune_max_events;
	/* the region count before the previous split */
	unsigned int last_nr_regions;
	/* signalled once the kdamond has set up the context */
	struct completion kdamond_started;

	/* pending damon_call() requests */
	struct list_head call_controls;
	/* protects call_controls and call_controls_obsolete */
	struct mutex call_controls_lock;
	/* no kdamond serves new requests */
	bool call_controls_obsolete;
	/* a commit failed half-way: the kdamond stops */
	bool maybe_corrupted;

	/*
	 * The thread started for this context.  The context holds a
	 * reference to it until damon_stop() or damon_destroy_ctx() has
	 * waited for the thread to exit, so a context is never freed under
	 * a thread that is still finishing.  kdamond_running tells whether
	 * that thread is still in its main loop.
	 */
	struct task_struct *kdamond;
	bool kdamond_running;
	/* protects kdamond and kdamond_running */
	struct mutex kdamond_lock;

/* public: */
	struct damon_operations ops;
	unsigned long addr_unit;
	unsigned long min_region_sz;
	struct list_head adaptive_targets;
	struct list_head schemes;
};

/* Walking a target's regions, which are kept sorted by address. */
static inline struct damon_region *damon_first_region(struct damon_target *tgt)
{
	return list_first_entry(&tgt->regions_list, struct damon_region, list);
}

static inline struct damon_region *damon_last_region(struct damon_target *tgt)
{
	return list_last_entry(&tgt->regions_list, struct damon_region, list);
}

static inline struct damon_region *damon_next_region(struct damon_region *reg)
{
	return list_next_entry(reg, list);
}

static inline struct damon_region *damon_prev_region(struct damon_region *reg)
{
	return list_prev_entry(reg, list);
}

static inline unsigned long damon_sz_region(struct damon_region *reg)
{
	return reg->ar.end - reg->ar.start;
}

#define damon_for_each_region(reg, tgt) \
	list_for_each_entry(reg, &(tgt)->regions_list, list)
#define damon_for_each_region_from(reg, tgt) \
	list_for_each_entry_from(reg, &(tgt)->regions_list, list)
#define damon_for_each_region_safe(reg, nxt, tgt) \
	list_for_each_entry_safe(reg, nxt, &(tgt)->regions_list, list)
#define damon_for_each_target(tgt, c) \
	list_for_each_entry(tgt, &(c)->adaptive_targets, list)
#define damon_for_each_target_safe(tgt, nxt, c) \
	list_for_each_entry_safe(tgt, nxt, &(c)->adaptive_targets, list)

/**
 * damon_target_has_pid() - whether the context's targets name processes.
 * @ctx:	the context.
 *
 * Return: true for the virtual address operations sets.
 */
static inline bool damon_target_has_pid(const struct damon_ctx *ctx)
{
	return ctx->ops.id == DAMON_OPS_VADDR || ctx->ops.id == DAMON_OPS_FVADDR;
}

/**
 * damon_max_nr_accesses() - the largest &damon_region->nr_accesses possible.
 * @attrs:	the monitoring attributes.
 *
 * Return: the number of samples in one aggregation interval (at least 1).
 */
static inline unsigned int damon_max_nr_accesses(const struct damon_attrs *attrs)
{
	/* aggr_samples is at least 1 once damon_set_attrs() accepted attrs */
	return min_t(unsigned long, attrs->aggr_samples, UINT_MAX);
}

/* Regions (regions.c) */
struct damon_region *damon_new_region(unsigned long start, unsigned long end);
void damon_add_region(struct damon_region *reg, struct damon_target *tgt);
void damon_destroy_region(struct damon_region *reg, struct damon_target *tgt);

/*
 * Link @reg between @prev and @next, two neighbours in @tgt's list; the
 * caller makes sure @reg lies between them.
 */
static inline void damon_insert_region(struct damon_region *reg,
				       struct damon_region *prev,
				       struct damon_region *next,
				       struct damon_target *tgt)
{
	__list_add(&reg->list, &prev->list, &next->list);
	tgt->nr_regions++;
}

int damon_set_regions(struct damon_target *tgt, struct damon_addr_range *ranges,
		      unsigned int nr_ranges, unsigned long min_region_sz);
void damon_update_region_access_rate(struct damon_region *reg, bool accessed,
				     struct damon_attrs *attrs);

/* Targets and contexts (core.c) */
struct damon_target *damon_new_target(void);
unsigned int damon_nr_regions(struct damon_target *tgt);
void damon_free_target(struct damon_target *tgt);
struct damon_ctx *damon_new_ctx(void);
void damon_add_target(struct damon_ctx *c, struct damon_target *tgt);
void damon_destroy_target(struct damon_target *tgt, struct damon_ctx *c);
bool damon_targets_empty(struct damon_ctx *c);
void damon_destroy_ctx(struct damon_ctx *c);
int damon_set_attrs(struct damon_ctx *c, struct damon_attrs *attrs);
int damon_commit_ctx(struct damon_ctx *dst, struct damon_ctx *src);

/* Operations sets (core.c) */
int damon_register_ops(struct damon_operations *ops);
bool damon_is_registered_ops(enum damon_ops_id id);
int damon_select_ops(struct damon_ctx *c, enum damon_ops_id id);

/* Running contexts (core.c) */
bool damon_initialized(void);
int damon_start(struct damon_ctx **ctxs, int nr_ctxs, bool exclusive);
int damon_stop(struct damon_ctx **ctxs, int nr_ctxs);
bool damon_is_running(struct damon_ctx *c);
int damon_kdamond_pid(struct damon_ctx *c);
int damon_nr_running_ctxs(void);
int damon_call(struct damon_ctx *c, struct damon_call_control *control);

#endif /* _DAMON_H_ */
