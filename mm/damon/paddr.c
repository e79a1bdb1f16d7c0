// SPDX-License-Identifier: GPL-2.0
/*
 * DAMON operations set for the physical address space: "paddr".
 *
 * A core address times the context's addr_unit is a physical address.  The
 * folio at a region's sampling address is checked through every page table
 * that maps it, found with the reverse map, and through its idle flag, which
 * also catches accesses to page cache that is not mapped at all (see
 * ops-common.c).  Only online folios on an LRU list are checked: other pages
 * are free, or belong to the kernel, and count as not accessed.
 *
 * A large folio may hold the sampling addresses of several regions; it is
 * armed and checked once per sample and its answer is shared.  Regions are
 * sorted, so such regions come one after another and remembering the last
 * folio is enough.
 *
 * The regions are the user's (or a module's): paddr has no init or update.
 */

#include <linux/limits.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/pfn.h>
#include <linux/sched.h>

#include "ops-common.h"

/* The physical range of the last folio of a pass, and its answer. */
struct damon_pa_last_folio {
	phys_addr_t start;
	phys_addr_t end;
	bool young;
};

/*
 * The physical address of core address @addr.  One that does not fit
 * phys_addr_t becomes the largest one, which no memory section covers.
 */
static phys_addr_t damon_pa_phys(struct damon_ctx *ctx, unsigned long addr)
{
	phys_addr_t pa;

	if (check_mul_overflow((phys_addr_t)addr, (phys_addr_t)ctx->addr_unit,
			       &pa))
		return PHYS_ADDR_MAX;
	return pa;
}

static bool damon_pa_in_last(const struct damon_pa_last_folio *last,
			     phys_addr_t pa)
{
	return last->start <= pa && pa < last->end;
}

/* Get the folio at @pa, remembering its physical range in @last. */
static struct folio *damon_pa_get_folio(phys_addr_t pa,
					struct damon_pa_last_folio *last)
{
	struct folio *folio = damon_get_folio(PHYS_PFN(pa));

	if (folio) {
		last->start = PFN_PHYS(folio_pfn(folio));
		last->end = last->start + folio_size(folio);
	}
	return folio;
}

static void damon_pa_mkold(phys_addr_t pa, struct damon_pa_last_folio *last)
{
	struct folio *folio;

	if (damon_pa_in_last(last, pa))
		return;
	folio = damon_pa_get_folio(pa, last);
	if (!folio)
		return;
	damon_folio_mkold(folio);
	folio_put(folio);
}

static void damon_pa_prepare_access_checks(struct damon_ctx *ctx)
{
	struct damon_pa_last_folio last = {};
	struct damon_target *t;
	struct damon_region *r;

	damon_for_each_target(t, ctx) {
		damon_for_each_region(r, t) {
			r->sampling_addr = damon_rand(r->ar.start, r->ar.end);
			damon_pa_mkold(damon_pa_phys(ctx, r->sampling_addr),
				       &last);
			cond_resched();
		}
	}
}

static bool damon_pa_young(phys_addr_t pa, struct damon_pa_last_folio *last)
{
	struct folio *folio;

	if (damon_pa_in_last(last, pa))
		return last->young;
	folio = damon_pa_get_folio(pa, last);
	if (!folio)
		return false;
	last->young = damon_folio_young(folio);
	folio_put(folio);
	return last->young;
}

static unsigned int damon_pa_check_accesses(struct damon_ctx *ctx)
{
	struct damon_pa_last_folio last = {};
	unsigned int max_nr_accesses = 0;
	struct damon_target *t;
	struct damon_region *r;
	bool young;

	damon_for_each_target(t, ctx) {
		damon_for_each_region(r, t) {
			young = damon_pa_young(damon_pa_phys(ctx, r->sampling_addr),
					       &last);
			damon_update_region_access_rate(r, young, &ctx->attrs);
			max_nr_accesses = max(max_nr_accesses, r->nr_accesses);
			cond_resched();
		}
	}
	return max_nr_accesses;
}

static int __init damon_pa_register(void)
{
	struct damon_operations ops = {
		.id = DAMON_OPS_PADDR,
		.prepare_access_checks = damon_pa_prepare_access_checks,
		.check_accesses = damon_pa_check_accesses,
	};

	return damon_register_ops(&ops);
}
subsys_initcall(damon_pa_register);
