// SPDX-License-Identifier: GPL-2.0
/*
 * Ground-truth memory access workload for the DAMON selftests.
 *
 * Maps an anonymous area, writes every page of it once so that all of it is
 * backed by memory, and then, phase after phase, keeps writing one word per
 * stride (a page by default) across a "hot" window of the area while leaving
 * the rest alone.  Everything a test needs to score DAMON's output against
 * is printed on stdout, one record per line, flushed as it happens:
 *
 *   area <start> <end> page_size=<bytes>
 *   hot <phase> <start> <end>                 planned hot window, all phases
 *   phys <phase> <nr> <start>-<end> ...       with -P: physical byte ranges
 *                                             backing that window, coalesced
 *   ready
 *   phase <phase> <mono_ns> <start> <end>     a phase has just started
 *   stall <start_ns> <end_ns>                 no pass completed for longer
 *                                             than STALL_NS (the CPU was
 *                                             busy elsewhere): nothing was
 *                                             hot meanwhile
 *   done <mono_ns> passes=<n>
 *
 * Addresses are hexadecimal with a 0x prefix and ranges are [start, end).
 * Times are CLOCK_MONOTONIC nanoseconds.  With -w the workload waits for a
 * line on stdin after "ready", so that the caller can start monitoring
 * first, and after "done" it waits for another line (or end of file) before
 * it exits, so that the caller can look at the monitoring of a live process.
 *
 * With -t, the area is sparse: it is reserved without backing (it may be far
 * larger than memory, e.g. 1 TiB) and only the given number of MiB is
 * written, as NR_SLOTS equal chunks at the starts of NR_SLOTS equal slots of
 * the area.  The hot window is then hot_permille of the written size, at the
 * start of the slot its offset falls in.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define MAX_PHASES	64
#define MAX_STALLS	4096
#define STALL_NS	20000000ULL
#define PM_PFN_MASK	((1ULL << 55) - 1)
#define PM_PRESENT	0x8000000000000000ULL
#define NR_SLOTS	16

struct config {
	unsigned long size;		/* bytes */
	unsigned long hot_permille;	/* hot window size, of the area */
	unsigned long phase_ms;
	int nr_phases;
	long offsets[MAX_PHASES];	/* window start, permille; -1: auto */
	int cpu;			/* -1: not pinned */
	int report_phys;
	int wait_go;
	unsigned long stride;
	int allow_thp;
	unsigned long touched;		/* bytes; 0: the whole area */
};

static uint64_t stalls[MAX_STALLS][2];
static unsigned int nr_stalls;

static void print_usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [-s MiB] [-f hot_permille] [-d phase_ms] [-n phases]\n"
		"          [-o off0,off1,... (permille)] [-c cpu] [-S stride]\n"
		"          [-P] [-w] [-H] [-t touched_MiB]\n"
		"  -P  report the physical ranges of each phase's hot pages\n"
		"  -w  wait for a line on stdin after printing \"ready\"\n"
		"  -H  leave transparent huge pages allowed on the area\n"
		"  -t  sparse area: write only this many MiB of it\n",
		prog);
	exit(2);
}

static unsigned long parse_ul(const char *s, const char *prog)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *end)
		print_usage(prog);
	return v;
}

static void parse_offsets(struct config *c, char *list, const char *prog)
{
	char *tok, *save = NULL;
	int i = 0;

	for (tok = strtok_r(list, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (i >= MAX_PHASES)
			print_usage(prog);
		c->offsets[i++] = (long)parse_ul(tok, prog);
	}
}

static void parse_args(struct config *c, int argc, char **argv)
{
	int opt, i;

	memset(c, 0, sizeof(*c));
	c->size = 512UL << 20;
	c->hot_permille = 100;
	c->phase_ms = 8000;
	c->nr_phases = 3;
	c->cpu = -1;
	for (i = 0; i < MAX_PHASES; i++)
		c->offsets[i] = -1;
	while ((opt = getopt(argc, argv, "s:f:d:n:o:c:S:PwHt:")) != -1) {
		switch (opt) {
		case 's':
			c->size = parse_ul(optarg, argv[0]) << 20;
			break;
		case 'f':
			c->hot_permille = parse_ul(optarg, argv[0]);
			break;
		case 'd':
			c->phase_ms = parse_ul(optarg, argv[0]);
			break;
		case 'n':
			c->nr_phases = (int)parse_ul(optarg, argv[0]);
			break;
		case 'o':
			parse_offsets(c, optarg, argv[0]);
			break;
		case 'c':
			c->cpu = (int)parse_ul(optarg, argv[0]);
			break;
		case 'S':
			c->stride = parse_ul(optarg, argv[0]);
			break;
		case 'P':
			c->report_phys = 1;
			break;
		case 'w':
			c->wait_go = 1;
			break;
		case 'H':
			c->allow_thp = 1;
			break;
		case 't':
			c->touched = parse_ul(optarg, argv[0]) << 20;
			break;
		default:
			print_usage(argv[0]);
		}
	}
	if (!c->size || !c->hot_permille || c->hot_permille > 1000 ||
	    c->nr_phases < 1 || c->nr_phases > MAX_PHASES ||
	    c->touched > c->size)
		print_usage(argv[0]);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * Hot window of a phase, page aligned.  Without explicit offsets the
 * windows walk from the start of the area to its end in equal steps, so
 * consecutive phases never share a window.
 */
static void hot_window(const struct config *c, int phase, unsigned long ps,
		       unsigned long *off, unsigned long *len)
{
	unsigned long npages = c->size / ps;

	if (c->touched) {
		unsigned long chunk = c->touched / NR_SLOTS / ps * ps;
		unsigned long slot = c->offsets[phase] >= 0 ?
			(unsigned long)c->offsets[phase] * NR_SLOTS / 1000 :
			(unsigned long)phase;

		*off = slot % NR_SLOTS * (c->size / NR_SLOTS / ps * ps);
		*len = c->touched / ps * c->hot_permille / 1000 * ps;
		if (*len > chunk)
			*len = chunk;
		if (!*len)
			*len = ps;
		return;
	}

	unsigned long hot = npages * c->hot_permille / 1000;
	unsigned long start;

	if (!hot)
		hot = 1;
	if (c->offsets[phase] >= 0)
		start = npages * (unsigned long)c->offsets[phase] / 1000;
	else if (c->nr_phases > 1)
		start = (npages - hot) * phase / (c->nr_phases - 1);
	else
		start = 0;
	if (start + hot > npages)
		start = npages - hot;
	*off = start * ps;
	*len = hot * ps;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Print the coalesced physical byte ranges backing [addr, addr + len). */
static int report_phys(int phase, char *addr, unsigned long len,
		       unsigned long ps)
{
	unsigned long npages = len / ps, i, nr = 0;
	uint64_t *ents, run_start = 0, run_end = 0;
	size_t bufsz = 1 << 16, used = 0;
	char *buf;
	int fd;

	ents = malloc(npages * sizeof(*ents));
	buf = malloc(bufsz);
	fd = open("/proc/self/pagemap", O_RDONLY);
	if (!ents || !buf || fd < 0)
		goto fail;
	buf[0] = '\0';
	if (pread(fd, ents, npages * sizeof(*ents),
		  (off_t)((uintptr_t)addr / ps * sizeof(*ents))) !=
	    (ssize_t)(npages * sizeof(*ents)))
		goto fail;
	close(fd);
	fd = -1;
	for (i = 0; i < npages; i++) {
		if (!(ents[i] & PM_PRESENT) || !(ents[i] & PM_PFN_MASK)) {
			fprintf(stderr, "page %lu has no visible PFN (not root?)\n", i);
			goto fail;
		}
		ents[i] &= PM_PFN_MASK;
	}
	/* frames are often handed out in descending order: sort, then merge */
	qsort(ents, npages, sizeof(*ents), cmp_u64);
	for (i = 0; i <= npages; i++) {
		if (i < npages && run_end && ents[i] * ps <= run_end) {
			run_end = ents[i] * ps + ps;
			continue;
		}
		if (run_end) {
			if (bufsz - used < 64) {
				char *bigger = realloc(buf, bufsz * 2);

				if (!bigger)
					goto fail;
				buf = bigger;
				bufsz *= 2;
			}
			used += snprintf(buf + used, bufsz - used, " 0x%llx-0x%llx",
					 (unsigned long long)run_start,
					 (unsigned long long)run_end);
			nr++;
		}
		if (i < npages) {
			run_start = ents[i] * ps;
			run_end = run_start + ps;
		}
	}
	printf("phys %d %lu%s\n", phase, nr, buf);
	free(ents);
	free(buf);
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	free(ents);
	free(buf);
	return -1;
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		perror("sched_setaffinity");
		exit(1);
	}
}

/*
 * Keep writing across the window until the deadline; returns passes made.
 * A pass normally takes a few milliseconds: a longer gap between two pass
 * ends means this process did not run, and is recorded as a stall.
 */
static unsigned long run_phase(char *win, unsigned long len,
			       unsigned long stride, uint64_t deadline)
{
	unsigned long passes = 0, off;
	uint64_t last = now_ns(), now;

	for (;;) {
		for (off = 0; off < len; off += stride) {
			(*(unsigned long *)(win + off))++;
			/* the compiler may neither merge nor drop the writes */
			asm volatile("" : : "r"(win + off) : "memory");
		}
		passes++;
		now = now_ns();
		if (now - last > STALL_NS && nr_stalls < MAX_STALLS) {
			stalls[nr_stalls][0] = last;
			stalls[nr_stalls][1] = now;
			nr_stalls++;
		}
		last = now;
		if (now >= deadline)
			return passes;
	}
}

/* Back every page with its own frame: none may stay the shared zero page. */
static void populate_range(char *area, unsigned long size, unsigned long ps)
{
	unsigned long i;

#ifdef MADV_POPULATE_WRITE
	/* one system call instead of a fault per page: faults are slow in TCG */
	madvise(area, size, MADV_POPULATE_WRITE);
#endif
	for (i = 0; i < size; i += ps)
		area[i] = 1;
}

/* The whole area, or NR_SLOTS chunks of a sparse one. */
static void populate(const struct config *c, char *area, unsigned long ps)
{
	unsigned long slot = c->size / NR_SLOTS / ps * ps;
	unsigned long chunk = c->touched / NR_SLOTS / ps * ps;
	int i;

	if (!c->touched) {
		populate_range(area, c->size, ps);
		return;
	}
	for (i = 0; i < NR_SLOTS && chunk; i++)
		populate_range(area + i * slot, chunk, ps);
}

int main(int argc, char **argv)
{
	unsigned long ps = (unsigned long)sysconf(_SC_PAGESIZE);
	unsigned long off, len, passes = 0, i;
	struct config c;
	char line[64];
	char *area;
	int p;

	parse_args(&c, argc, argv);
	if (!c.stride)
		c.stride = ps;
	c.size = c.size / ps * ps;
	if (c.cpu >= 0)
		pin(c.cpu);

	area = mmap(NULL, c.size, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS |
		    (c.touched ? MAP_NORESERVE : 0), -1, 0);
	if (area == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	if (!c.allow_thp)
		madvise(area, c.size, MADV_NOHUGEPAGE);
	populate(&c, area, ps);

	printf("area %p %p page_size=%lu\n", area, area + c.size, ps);
	for (p = 0; p < c.nr_phases; p++) {
		hot_window(&c, p, ps, &off, &len);
		printf("hot %d %p %p\n", p, area + off, area + off + len);
	}
	for (p = 0; c.report_phys && p < c.nr_phases; p++) {
		hot_window(&c, p, ps, &off, &len);
		if (report_phys(p, area + off, len, ps)) {
			fprintf(stderr, "cannot read physical addresses\n");
			return 1;
		}
	}
	printf("ready\n");
	fflush(stdout);
	if (c.wait_go && !fgets(line, sizeof(line), stdin))
		return 1;

	for (p = 0; p < c.nr_phases; p++) {
		uint64_t start = now_ns();

		hot_window(&c, p, ps, &off, &len);
		printf("phase %d %llu %p %p\n", p, (unsigned long long)start,
		       area + off, area + off + len);
		fflush(stdout);
		passes += run_phase(area + off, len, c.stride,
				    start + c.phase_ms * 1000000ULL);
	}
	for (i = 0; i < nr_stalls; i++)
		printf("stall %llu %llu\n", (unsigned long long)stalls[i][0],
		       (unsigned long long)stalls[i][1]);
	printf("done %llu passes=%lu\n", (unsigned long long)now_ns(), passes);
	fflush(stdout);
	if (c.wait_go)
		(void)!fgets(line, sizeof(line), stdin);
	munmap(area, c.size);
	return 0;
}
