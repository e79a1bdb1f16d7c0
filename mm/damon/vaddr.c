// SPDX-License-Identifier: GPL-2.0
/*
 * DAMON operations sets for virtual address spaces: "vaddr" and "fvaddr".
 *
 * Each target is one process.  A region's sampling address is checked
 * through the page tables of that process: the entry that maps it (a PTE, a
 * PMD of a transparent huge page, or a hugetlb entry) is made old when the
 * sample is armed and looked at again one sampling interval later (see
 * ops-common.c for how the folio's idle and young flags take part).
 *
 * "vaddr" also decides what to watch.  A process's address space is mostly
 * empty: its mappings gather in a few clusters (program and heap low, shared
 * libraries and other mmap()s high, the stack at the top), separated by
 * holes far larger than everything mapped.  Watching everything from the
 * first to the last mapping would make most sampling addresses land in
 * those holes, while following every mapping exactly would cost a region per
 * mapping and chase every mmap()/munmap().  So vaddr covers the mappings with
 * three ranges that leave out the two largest holes, recomputed every ops
 * update interval; damon_set_regions() keeps the results of whatever still
 * overlaps, and the adaptive regions deal with the small holes that remain.
 * "fvaddr" watches exactly the ranges its user gave, forever.
 *
 * Locking: per sample, each target's mm is pinned and its mmap_lock read-held
 * once for all the regions, not per region.  Regions are sorted, so the VMA
 * of one region usually serves the next.  The lock is dropped for a moment
 * when a writer waits for it, since the process's own page faults would
 * otherwise queue up behind that writer until the whole pass is done.
 */

#include <linux/hugetlb.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/mmu_notifier.h>
#include <linux/page_idle.h>
#include <linux/pagewalk.h>
#include <linux/pid.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>

#include "ops-common.h"

/* The ranges a vaddr target covers */

/*
 * The mappings of an address space seen so far, reduced to what the range
 * layout needs: where they start and end, and the two largest holes between
 * them.  Mappings are fed in address order.
 */
struct damon_va_layout {
	bool empty;
	unsigned long start;
	unsigned long end;
	/* the largest hole first; a hole of size 0 is no hole */
	struct damon_addr_range holes[DAMON_VA_NR_RANGES - 1];
};

static unsigned long damon_va_hole_sz(const struct damon_addr_range *hole)
{
	return hole->end - hole->start;
}

/* Whether @a should be left out rather than @b: larger, or as large and lower. */
static bool damon_va_hole_beats(const struct damon_addr_range *a,
				const struct damon_addr_range *b)
{
	unsigned long sz_a = damon_va_hole_sz(a), sz_b = damon_va_hole_sz(b);

	return sz_a > sz_b || (sz_a == sz_b && a->start < b->start);
}

static void damon_va_layout_add(struct damon_va_layout *l,
				unsigned long start, unsigned long end)
{
	struct damon_addr_range hole = { .start = l->end, .end = start };
	unsigned int i;

	if (start >= end)
		return;
	if (l->empty) {
		l->empty = false;
		l->start = start;
		l->end = end;
		return;
	}
	/* insertion into the short list; what falls off its end is dropped */
	if (start > l->end) {
		for (i = 0; i < ARRAY_SIZE(l->holes); i++) {
			if (damon_va_hole_beats(&hole, &l->holes[i]))
				swap(hole, l->holes[i]);
		}
	}
	l->end = max(l->end, end);
}

static unsigned int damon_va_layout_ranges(const struct damon_va_layout *l,
					   struct damon_addr_range *ranges)
{
	struct damon_addr_range holes[ARRAY_SIZE(l->holes)];
	unsigned int nr_holes = 0, i;
	unsigned long start = l->start;

	if (l->empty)
		return 0;
	for (i = 0; i < ARRAY_SIZE(l->holes); i++) {
		if (damon_va_hole_sz(&l->holes[i]))
			holes[nr_holes++] = l->holes[i];
	}
	/* holes are kept by size; cutting them out goes by address */
	BUILD_BUG_ON(ARRAY_SIZE(holes) != 2);
	if (nr_holes == 2 && holes[0].start > holes[1].start)
		swap(holes[0], holes[1]);
	for (i = 0; i < nr_holes; i++) {
		ranges[i].start = start;
		ranges[i].end = holes[i].start;
		start = holes[i].end;
	}
	ranges[nr_holes].start = start;
	ranges[nr_holes].end = l->end;
	return nr_holes + 1;
}

/**
 * damon_va_three_ranges() - cover mappings with up to three ranges.
 * @maps:	the mappings, sorted by address and not overlapping.
 * @nr_maps:	number of entries in @maps.
 * @ranges:	where to store the ranges.
 *
 * The ranges span from the start of the first mapping to the end of the last
 * one, except for the two largest holes between mappings.  Of holes of equal
 * size, the lowest ones are left out.  Adjacent mappings leave no hole, so
 * fewer than two holes yield fewer ranges.  Empty mappings are ignored.
 *
 * Return: the number of ranges stored in @ranges, sorted by address; 0 if
 * there is no mapping.
 */
unsigned int damon_va_three_ranges(const struct damon_addr_range *maps,
				   unsigned int nr_maps,
				   struct damon_addr_range ranges[DAMON_VA_NR_RANGES])
{
	struct damon_va_layout layout = { .empty = true };
	unsigned int i;

	for (i = 0; i < nr_maps; i++)
		damon_va_layout_add(&layout, maps[i].start, maps[i].end);
	return damon_va_layout_ranges(&layout, ranges);
}

/* The address space of @t's process, pinned; NULL once it has exited. */
static struct mm_struct *damon_va_get_mm(struct damon_target *t)
{
	struct task_struct *task;
	struct mm_struct *mm;

	task = get_pid_task(t->pid, PIDTYPE_PID);
	if (!task)
		return NULL;
	mm = get_task_mm(task);
	put_task_struct(task);
	return mm;
}

/* Compute the ranges @t covers now; 0 if its process is gone. */
static unsigned int damon_va_target_ranges(struct damon_target *t,
					   struct damon_addr_range *ranges)
{
	struct damon_va_layout layout = { .empty = true };
	struct mm_struct *mm = damon_va_get_mm(t);
	struct vm_area_struct *vma;
	struct vma_iterator vmi;

	if (!mm)
		return 0;
	mmap_read_lock(mm);
	vma_iter_init(&vmi, mm, 0);
	for_each_vma(vmi, vma)
		damon_va_layout_add(&layout, vma->vm_start, vma->vm_end);
	mmap_read_unlock(mm);
	mmput(mm);
	return damon_va_layout_ranges(&layout, ranges);
}

static void damon_va_set_ranges(struct damon_ctx *ctx, struct damon_target *t)
{
	struct damon_addr_range ranges[DAMON_VA_NR_RANGES];
	unsigned int nr = damon_va_target_ranges(t, ranges);

	/* without an address space there is nothing new to follow */
	if (nr)
		damon_set_regions(t, ranges, nr, ctx->min_region_sz);
}

/*
 * Point every target at the mapped part of its address space.  At init,
 * targets that already have regions keep them: the user chose those.
 */
static void damon_va_cover_targets(struct damon_ctx *ctx, bool keep_given)
{
	struct damon_target *t;

	damon_for_each_target(t, ctx) {
		if (keep_given && damon_nr_regions(t))
			continue;
		damon_va_set_ranges(ctx, t);
	}
}

static void damon_va_init(struct damon_ctx *ctx)
{
	damon_va_cover_targets(ctx, true);
}

static void damon_va_update(struct damon_ctx *ctx)
{
	damon_va_cover_targets(ctx, false);
}

/* Access checks */

/* What a page table walk does at a sampling address, and what it found. */
struct damon_va_walk {
	bool mkold;	/* arm the check; otherwise read its result */
	bool young;
};

static void damon_va_pte(struct damon_va_walk *w, pte_t *pte,
			 struct vm_area_struct *vma, unsigned long addr)
{
	pte_t entry = ptep_get(pte);
	struct folio *folio;

	if (!pte_present(entry))
		return;
	/* special mappings and the zero page have no folio to watch */
	folio = vm_normal_folio(vma, addr, entry);
	if (!folio)
		return;
	if (w->mkold) {
		damon_ptep_mkold(pte, vma, addr, folio);
		folio_set_idle(folio);
	} else {
		w->young = !folio_test_idle(folio) ||
			damon_ptep_young(pte, vma, addr);
	}
}

static void damon_va_pmd(struct damon_va_walk *w, pmd_t *pmd,
			 struct vm_area_struct *vma, unsigned long addr)
{
	struct folio *folio = vm_normal_folio_pmd(vma, addr, pmdp_get(pmd));

	if (!folio)
		return;
	if (w->mkold) {
		damon_pmdp_mkold(pmd, vma, addr, folio);
		folio_set_idle(folio);
	} else {
		w->young = !folio_test_idle(folio) ||
			damon_pmdp_young(pmd, vma, addr);
	}
}

/* Huge PUDs (device DAX) have no folio to watch; the walker would split them. */
static int damon_va_pud_entry(pud_t *pud, unsigned long addr,
			      unsigned long next, struct mm_walk *walk)
{
	if (pud_leaf(pudp_get(pud)))
		walk->action = ACTION_CONTINUE;
	return 0;
}

/* Look at a huge PMD at @pmd; return false if there is none. */
static bool damon_va_huge_pmd(struct damon_va_walk *w, pmd_t *pmd,
			      unsigned long addr, struct mm_walk *walk)
{
	spinlock_t *ptl;	/* the lock of the PMD */
	bool huge;

	if (!pmd_trans_huge(pmdp_get_lockless(pmd)))
		return false;
	ptl = pmd_lock(walk->mm, pmd);
	/* it may have been split meanwhile */
	huge = pmd_trans_huge(pmdp_get(pmd));
	if (huge)
		damon_va_pmd(w, pmd, walk->vma, addr);
	spin_unlock(ptl);
	return huge;
}

/*
 * The PTE level is handled here too, rather than in a pte_entry callback:
 * the walker splits a huge PMD before it descends to PTEs, and a huge page
 * must never be split only to be watched.
 */
static int damon_va_pmd_entry(pmd_t *pmd, unsigned long addr,
			      unsigned long next, struct mm_walk *walk)
{
	struct damon_va_walk *w = walk->private;
	spinlock_t *ptl;	/* the lock of the PTE */
	pte_t *pte;

	walk->action = ACTION_CONTINUE;
	if (damon_va_huge_pmd(w, pmd, addr, walk))
		return 0;
	/*
	 * No page table if the PMD changed meanwhile or holds a DAX or
	 * migration entry.  Mapping the table also enters an RCU read-side
	 * section that pte_unmap_unlock() leaves; __cond_lock() shows sparse.
	 */
	__cond_lock(RCU, pte = pte_offset_map_lock(walk->mm, pmd, addr, &ptl));
	if (!pte)
		return 0;
	damon_va_pte(w, pte, walk->vma, addr);
	pte_unmap_unlock(pte, ptl);
	return 0;
}

#ifdef CONFIG_HUGETLB_PAGE
static void damon_va_hugetlb_mkold(struct vm_area_struct *vma,
				   unsigned long haddr, unsigned long sz,
				   pte_t *ptep, pte_t entry, struct folio *folio)
{
	bool young = pte_young(entry);

	/*
	 * There is no test-and-clear of the young bit for hugetlb entries, and
	 * a plain rewrite could lose a dirty bit the MMU sets in between.  The
	 * entry is taken out atomically and put back old instead: it maps the
	 * same page with the same permissions, so no TLB flush is needed, and
	 * a fault that sees it absent meanwhile waits for the page table lock
	 * and finds it back.
	 */
	if (young) {
		entry = huge_ptep_modify_prot_start(vma, haddr, ptep);
		huge_ptep_modify_prot_commit(vma, haddr, ptep, entry,
					     pte_mkold(entry));
	}
	if (mmu_notifier_clear_young(vma->vm_mm, haddr, haddr + sz))
		young = true;
	if (young)
		folio_set_young(folio);
	folio_set_idle(folio);
}

/* Called with the hugetlb VMA lock held; the walker found @ptep. */
static int damon_va_hugetlb_entry(pte_t *ptep, unsigned long hmask,
				  unsigned long addr, unsigned long end,
				  struct mm_walk *walk)
{
	struct damon_va_walk *w = walk->private;
	struct hstate *h = hstate_vma(walk->vma);
	unsigned long haddr = addr & hmask;
	struct folio *folio;
	spinlock_t *ptl;	/* the lock of the hugetlb entry */
	pte_t entry;

	ptl = huge_pte_lock(h, walk->mm, ptep);
	entry = huge_ptep_get(walk->mm, haddr, ptep);
	if (pte_present(entry)) {
		folio = pfn_folio(pte_pfn(entry));
		if (w->mkold)
			damon_va_hugetlb_mkold(walk->vma, haddr,
					       huge_page_size(h), ptep, entry,
					       folio);
		else
			w->young = !folio_test_idle(folio) || pte_young(entry) ||
				mmu_notifier_test_young(walk->mm, haddr);
	}
	spin_unlock(ptl);
	return 0;
}
#else
#define damon_va_hugetlb_entry	NULL
#endif

static const struct mm_walk_ops damon_va_walk_ops = {
	.pud_entry = damon_va_pud_entry,
	.pmd_entry = damon_va_pmd_entry,
	.hugetlb_entry = damon_va_hugetlb_entry,
	.walk_lock = PGWALK_RDLOCK,
};

/*
 * Arm the access check of the page that maps @addr in @vma (@mkold), or
 * tell whether it was accessed since.  A page mapped only after the arming
 * is not idle, so it counts as accessed, as faulting it in was an access;
 * an address that maps nothing was not accessed.
 */
static bool damon_va_access(struct vm_area_struct *vma, unsigned long addr,
			    bool mkold)
{
	struct damon_va_walk w = { .mkold = mkold };
	unsigned long start = addr & PAGE_MASK;

	/* raw page frames, as walk_page_range() also skips them */
	if (vma->vm_flags & VM_PFNMAP)
		return false;
	walk_page_range_vma(vma, start, start + PAGE_SIZE, &damon_va_walk_ops,
			    &w);
	return w.young;
}

/*
 * The VMA that maps @addr, or NULL.  @prev, the VMA of the previous region,
 * is tried first.  Called with the mmap_lock read-held; if a writer waits
 * for it, it is released for a moment, which also forgets @prev.
 */
static struct vm_area_struct *damon_va_vma(struct mm_struct *mm,
					   struct vm_area_struct *prev,
					   unsigned long addr)
{
	if (mmap_lock_is_contended(mm) || need_resched()) {
		mmap_read_unlock(mm);
		cond_resched();
		mmap_read_lock(mm);
		prev = NULL;
	}
	if (prev && prev->vm_start <= addr && addr < prev->vm_end)
		return prev;
	return vma_lookup(mm, addr);
}

static void damon_va_prepare_target(struct damon_target *t)
{
	struct mm_struct *mm = damon_va_get_mm(t);
	struct vm_area_struct *vma = NULL;
	struct damon_region *r;

	if (mm)
		mmap_read_lock(mm);
	damon_for_each_region(r, t) {
		r->sampling_addr = damon_rand(r->ar.start, r->ar.end);
		if (!mm)
			continue;
		vma = damon_va_vma(mm, vma, r->sampling_addr);
		if (vma)
			damon_va_access(vma, r->sampling_addr, true);
	}
	if (mm) {
		mmap_read_unlock(mm);
		mmput(mm);
	}
}

static void damon_va_prepare_access_checks(struct damon_ctx *ctx)
{
	struct damon_target *t;

	damon_for_each_target(t, ctx)
		damon_va_prepare_target(t);
}

/* Record the sample of every region of @t; return the largest count. */
static unsigned int damon_va_check_target(struct damon_ctx *ctx,
					  struct damon_target *t)
{
	struct mm_struct *mm = damon_va_get_mm(t);
	struct vm_area_struct *vma = NULL;
	unsigned int max_nr_accesses = 0;
	struct damon_region *r;
	bool young;

	if (mm)
		mmap_read_lock(mm);
	damon_for_each_region(r, t) {
		young = false;
		if (mm) {
			vma = damon_va_vma(mm, vma, r->sampling_addr);
			young = vma &&
				damon_va_access(vma, r->sampling_addr, false);
		}
		damon_update_region_access_rate(r, young, &ctx->attrs);
		max_nr_accesses = max(max_nr_accesses, r->nr_accesses);
	}
	if (mm) {
		mmap_read_unlock(mm);
		mmput(mm);
	}
	return max_nr_accesses;
}

static unsigned int damon_va_check_accesses(struct damon_ctx *ctx)
{
	unsigned int max_nr_accesses = 0;
	struct damon_target *t;

	damon_for_each_target(t, ctx)
		max_nr_accesses = max(max_nr_accesses,
				      damon_va_check_target(ctx, t));
	return max_nr_accesses;
}

/* Targets */

static bool damon_va_target_valid(struct damon_target *t)
{
	struct mm_struct *mm = damon_va_get_mm(t);

	if (!mm)
		return false;
	mmput(mm);
	return true;
}

static void damon_va_cleanup_target(struct damon_target *t)
{
	put_pid(t->pid);
	t->pid = NULL;
}

/* vaddr follows the mappings (@follow_mappings); fvaddr keeps its ranges. */
static int __init damon_va_register_ops(enum damon_ops_id id,
					bool follow_mappings)
{
	struct damon_operations ops = {
		.id = id,
		.prepare_access_checks = damon_va_prepare_access_checks,
		.check_accesses = damon_va_check_accesses,
		.target_valid = damon_va_target_valid,
		.cleanup_target = damon_va_cleanup_target,
	};

	if (follow_mappings) {
		ops.init = damon_va_init;
		ops.update = damon_va_update;
	}
	return damon_register_ops(&ops);
}

static int __init damon_va_register(void)
{
	int err = damon_va_register_ops(DAMON_OPS_VADDR, true);

	return err ? err : damon_va_register_ops(DAMON_OPS_FVADDR, false);
}
subsys_initcall(damon_va_register);
