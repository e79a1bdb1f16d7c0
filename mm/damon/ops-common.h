/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the DAMON operations sets (vaddr.c, paddr.c).
 *
 * Access checks test and clear the accessed ("young") bit of page table
 * entries without flushing the TLB.  Clearing a young bit hides a reference
 * from reclaim and from idle page tracking, so, as mm/page_idle.c does, every
 * young bit cleared here is handed over to the folio's young flag, which
 * folio_referenced() consumes, and the folio's idle flag marks the start of
 * the sampling interval: any later access that reclaim or the file page cache
 * notices clears it.
 */

#ifndef _MM_DAMON_OPS_COMMON_H
#define _MM_DAMON_OPS_COMMON_H

#include <linux/damon.h>
#include <linux/mm_types.h>

struct folio *damon_get_folio(unsigned long pfn);

void damon_ptep_mkold(pte_t *pte, struct vm_area_struct *vma,
		      unsigned long addr, struct folio *folio);
void damon_pmdp_mkold(pmd_t *pmd, struct vm_area_struct *vma,
		      unsigned long addr, struct folio *folio);
bool damon_ptep_young(pte_t *pte, struct vm_area_struct *vma,
		      unsigned long addr);
bool damon_pmdp_young(pmd_t *pmd, struct vm_area_struct *vma,
		      unsigned long addr);

void damon_folio_mkold(struct folio *folio);
bool damon_folio_young(struct folio *folio);

/* vaddr.c: the ranges a vaddr target covers, exposed for its KUnit tests */
#define DAMON_VA_NR_RANGES	3

unsigned int damon_va_three_ranges(const struct damon_addr_range *maps,
				   unsigned int nr_maps,
				   struct damon_addr_range ranges[DAMON_VA_NR_RANGES]);

#endif /* _MM_DAMON_OPS_COMMON_H */
