// SPDX-License-Identifier: GPL-2.0
/*
 * Page table and folio primitives that both DAMON address spaces use.
 *
 * An access check is armed by clearing the young bit of the entry that maps
 * the sampled address and setting the folio's idle flag; the check then asks
 * whether the entry became young again, whether a secondary MMU saw an
 * access, or whether the idle flag was cleared by one of the kernel's own
 * access paths (folio_referenced() in reclaim clears it when it finds a young
 * mapping, folio_mark_accessed() does for page cache reads and writes).
 *
 * The folio's young flag is never taken as a sign of access: arming sets it
 * whenever it clears a young bit, so that reclaim, which consumes the flag in
 * folio_referenced(), still learns about the reference DAMON took away.
 */

#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/page_idle.h>
#include <linux/pagemap.h>
#include <linux/rmap.h>

#include "../internal.h"
#include "ops-common.h"

/**
 * damon_get_folio() - get a reference to the LRU folio holding a page frame.
 * @pfn:	the page frame number; any page of a large folio will do.
 *
 * Only online memory on an LRU list is returned: such folios are user memory
 * that rmap_walk() may safely look at, and free, offline or kernel pages have
 * no accesses to report.  Folios taken off the LRU for a moment (isolated for
 * migration or reclaim) are skipped as well.
 *
 * Return: the folio with an elevated reference count, or NULL.
 */
struct folio *damon_get_folio(unsigned long pfn)
{
	struct page *page = pfn_to_online_page(pfn);
	struct folio *folio;

	/* most pages that are not wanted are seen without taking a reference */
	if (!page || !folio_test_lru(page_folio(page)))
		return NULL;
	folio = page_folio(page);
	if (!folio_try_get(folio))
		return NULL;
	/* @page may have left the folio (split, or freed and reused) meanwhile */
	if (likely(folio == page_folio(page) && folio_test_lru(folio)))
		return folio;
	folio_put(folio);
	return NULL;
}

/**
 * damon_ptep_mkold() - arm an access check on a page table entry.
 * @pte:	the entry; its page table lock is held.
 * @vma:	the VMA that the entry belongs to.
 * @addr:	a virtual address that the entry maps.
 * @folio:	the folio that the entry maps.
 *
 * Clears the accessed bit of the entry and of any secondary MMU mapping of
 * the page, without a TLB flush.  A reference found set is moved to the
 * folio's young flag for reclaim.
 */
void damon_ptep_mkold(pte_t *pte, struct vm_area_struct *vma,
		      unsigned long addr, struct folio *folio)
{
	if (ptep_clear_young_notify(vma, addr & PAGE_MASK, pte))
		folio_set_young(folio);
}

/**
 * damon_pmdp_mkold() - arm an access check on a PMD that maps a huge page.
 * @pmd:	the entry; its page table lock is held.
 * @vma:	the VMA that the entry belongs to.
 * @addr:	a virtual address that the entry maps.
 * @folio:	the transparent huge page that the entry maps.
 *
 * The PMD counterpart of damon_ptep_mkold().
 */
void damon_pmdp_mkold(pmd_t *pmd, struct vm_area_struct *vma,
		      unsigned long addr, struct folio *folio)
{
	if (!IS_ENABLED(CONFIG_TRANSPARENT_HUGEPAGE)) {
		/* only transparent huge pages are mapped by a PMD here */
		WARN_ON_ONCE(1);
		return;
	}
	if (pmdp_clear_young_notify(vma, addr & PMD_MASK, pmd))
		folio_set_young(folio);
}

/**
 * damon_ptep_young() - whether a page table entry saw an access.
 * @pte:	the entry; its page table lock is held.
 * @vma:	the VMA that the entry belongs to.
 * @addr:	a virtual address that the entry maps.
 *
 * Return: true if the entry or a secondary MMU mapping of the page is young.
 */
bool damon_ptep_young(pte_t *pte, struct vm_area_struct *vma,
		      unsigned long addr)
{
	return pte_young(ptep_get(pte)) ||
		mmu_notifier_test_young(vma->vm_mm, addr & PAGE_MASK);
}

/**
 * damon_pmdp_young() - whether a PMD that maps a huge page saw an access.
 * @pmd:	the entry; its page table lock is held.
 * @vma:	the VMA that the entry belongs to.
 * @addr:	a virtual address that the entry maps.
 *
 * Return: true if the entry or a secondary MMU mapping of the page is young.
 */
bool damon_pmdp_young(pmd_t *pmd, struct vm_area_struct *vma,
		      unsigned long addr)
{
	return pmd_young(pmdp_get(pmd)) ||
		mmu_notifier_test_young(vma->vm_mm, addr & PMD_MASK);
}

/* rmap_one of damon_folio_mkold(): arm every mapping of @folio in @vma. */
static bool damon_folio_mkold_one(struct folio *folio,
				  struct vm_area_struct *vma,
				  unsigned long addr, void *arg)
{
	DEFINE_FOLIO_VMA_WALK(pvmw, folio, vma, addr, 0);

	while (page_vma_mapped_walk(&pvmw)) {
		if (pvmw.pte)
			damon_ptep_mkold(pvmw.pte, vma, pvmw.address, folio);
		else
			damon_pmdp_mkold(pvmw.pmd, vma, pvmw.address, folio);
	}
	return true;
}

/*
 * rmap_one of damon_folio_young(): stop the walk at the first young mapping.
 * A walk of the mappings in @vma is finished rather than cut short, as only
 * its end drops the page table lock it holds between steps.
 */
static bool damon_folio_young_one(struct folio *folio,
				  struct vm_area_struct *vma,
				  unsigned long addr, void *arg)
{
	DEFINE_FOLIO_VMA_WALK(pvmw, folio, vma, addr, 0);
	bool *young = arg;

	while (page_vma_mapped_walk(&pvmw)) {
		if (*young)
			continue;
		if (pvmw.pte)
			*young = damon_ptep_young(pvmw.pte, vma, pvmw.address);
		else
			*young = damon_pmdp_young(pvmw.pmd, vma, pvmw.address);
	}
	return !*young;
}

/*
 * Run @rwc over every mapping of @folio.  Walking the mappings of file and
 * KSM folios needs the folio lock; one that is locked by someone else is not
 * waited for, as the sample would then be late for every other region, so
 * its mappings are left alone for this sample.
 */
static void damon_folio_walk_mappings(struct folio *folio,
				      struct rmap_walk_control *rwc)
{
	bool need_lock;

	if (!folio_mapped(folio) || !folio_raw_mapping(folio))
		return;
	need_lock = !folio_test_anon(folio) || folio_test_ksm(folio);
	if (need_lock && !folio_trylock(folio))
		return;
	rmap_walk(folio, rwc);
	if (need_lock)
		folio_unlock(folio);
}

/**
 * damon_folio_mkold() - arm an access check on a folio and all its mappings.
 * @folio:	a folio from damon_get_folio(), still referenced.
 *
 * Clears the accessed bits of every page table entry that maps @folio (see
 * damon_ptep_mkold()) and marks the folio idle, so that accesses that bypass
 * page tables, such as read() of a page cache folio, are seen as well.
 */
void damon_folio_mkold(struct folio *folio)
{
	struct rmap_walk_control rwc = {
		.rmap_one = damon_folio_mkold_one,
		.anon_lock = folio_lock_anon_vma_read,
	};

	damon_folio_walk_mappings(folio, &rwc);
	folio_set_idle(folio);
}

/**
 * damon_folio_young() - whether a folio was accessed since it was armed.
 * @folio:	a folio from damon_get_folio(), still referenced.
 *
 * Return: true if the idle flag that damon_folio_mkold() set was cleared by
 * an access path of the kernel, or if any mapping of @folio is young.
 */
bool damon_folio_young(struct folio *folio)
{
	bool young = false;
	struct rmap_walk_control rwc = {
		.arg = &young,
		.rmap_one = damon_folio_young_one,
		.anon_lock = folio_lock_anon_vma_read,
	};

	if (!folio_test_idle(folio))
		return true;
	damon_folio_walk_mappings(folio, &rwc);
	return young;
}
